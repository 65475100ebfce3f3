/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* AIN operation arguments -> JSON for tandem-decode. */
#pragma once

#include <jansson.h>

#include <tandem/tcap_numbers.h>

/*! \returns the AIN operation name for a 16-bit private opcode, or NULL. */
const char *td_ain_op_name(int opcode16);

/*! \brief Decode an AIN Invoke argument into JSON.
 *  \returns 0 with *out set, -EINVAL if it does not decode, -ENOENT for an
 *  operation whose argument we do not decode. */
int td_ain_arg_json(json_t **out, int opcode16, const uint8_t *param, size_t len, const struct tcap_dialplan *plan);
