/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* ITU TCAP codec entry points, private to libtandem-tcap (see tcap_msg.h). */
#pragma once

#include <tandem/tcap_msg.h>

int tcap_itu_decode(struct tcap_msg *msg, struct tcap_decode_err *err, const uint8_t *buf, size_t len);
int tcap_itu_encode(uint8_t *buf, size_t size, size_t *out_len, const struct tcap_msg *msg);
