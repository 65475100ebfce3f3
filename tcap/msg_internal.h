/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* TCAP codec entry points and helpers private to libtandem-tcap (see tcap_msg.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tandem/tcap_msg.h>

struct asn_TYPE_descriptor_s;

/*! \brief Decode one ANSI TCAP (T1.114) package into msg.
 *  \param[out] msg pre-allocated with tcap_msg_alloc(); parameters and user
 *  information are copied below it
 *  \param[out] err filled when the return value is -EBADMSG: a P-Abort cause
 *  (transaction portion), TCAP_ERR_DIALOGUE with P-Abort cause
 *  badlyStructuredDialoguePortion, or a Reject problem for component comp_index
 *  (the components before it are kept in msg)
 *  \returns 0, -EBADMSG, or -ENOMEM. */
int tcap_ansi_decode(struct tcap_msg *msg, struct tcap_decode_err *err, const uint8_t *buf, size_t len);

/*! \brief Encode an ANSI TCAP package. The transaction id is built from otid/dtid
 *  as the package type needs them (Query: otid; Response, Abort: dtid;
 *  Conversation: otid then dtid; 4 octets each), or taken from tid when those are
 *  not set and tid has the right length.
 *  \returns 0 with *out_len set, -ENOSPC, or -EINVAL for an inconsistent msg. */
int tcap_ansi_encode(uint8_t *buf, size_t size, size_t *out_len, const struct tcap_msg *msg);

/*! \brief DER-encode an asn1c structure into buf.
 *  \returns 0 with *out_len set, -ENOSPC if size is too small, -EINVAL if asn1c refuses. */
int tcap_der_encode(struct asn_TYPE_descriptor_s *td, void *sptr, uint8_t *buf, size_t size, size_t *out_len);

/*! \brief BER-decode the single element buf holds into a new asn1c structure.
 *  The element is first rewritten with definite lengths only (asn1c 0.9.28 can
 *  loop forever on some malformed indefinite lengths) and asn1c's recursion is
 *  bounded. On failure nothing is left allocated and *sptr is NULL.
 *  \returns 0, -EINVAL (malformed or not of type td), or -ENOMEM. */
int tcap_ber_decode(struct asn_TYPE_descriptor_s *td, void **sptr, const uint8_t *buf, size_t len);

/*! \brief true if buf is a series of well-formed BER elements, nested ones
 *  included (16 levels at most). Checked before asn1c sees untrusted input, so
 *  that length errors are told apart from type errors. */
bool tcap_ber_elements_ok(const uint8_t *buf, size_t len);
