/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* BER/DER glue between the CAP/INAP argument codecs and asn1c 0.9.28's
 * generated types. Private to libtandem-tcap. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <asn_application.h>

/*! \brief Decode one parameter TLV into a freshly allocated asn1c structure.
 *
 *  Unknown members of extensible SEQUENCEs are removed before asn1c sees the
 *  value: asn1c 0.9.28 skips an unknown member in the middle of a SEQUENCE by
 *  jumping to the end of the root, so every known member after it would be
 *  silently lost. A known member out of order (which asn1c also drops
 *  silently) is refused. The TLV must span exactly len octets.
 *  \returns 0 with *st set (free with ASN_STRUCT_FREE), -EINVAL, -ENOMEM. */
int cap_ber_decode(asn_TYPE_descriptor_t *td, void **st, const uint8_t *buf, size_t len);

/*! \brief DER-encode st into buf. The caller has checked the standard's bounds:
 *  asn1c 0.9.28's constraint checks cannot be relied on (see cap_ber.c).
 *  \returns 0 and *out_len, -EINVAL (encoder failure), -ENOSPC. */
int cap_der_encode(asn_TYPE_descriptor_t *td, const void *st, uint8_t *buf, size_t size, size_t *out_len);
