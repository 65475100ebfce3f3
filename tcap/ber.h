/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Minimal BER TLV walker (X.690 8.1) for the hand-checked transaction portions.
 * Private to libtandem-tcap. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*! One BER element. The tag is its identifier octets packed big-endian
 *  (0x62, 0x9f32, 0xbf34 ...), so tags compare as they appear in hex dumps. */
struct ber_tlv {
	uint32_t tag;
	bool constructed;
	const uint8_t *val;	/*!< contents */
	size_t len;		/*!< contents length (without a trailing end-of-contents) */
	size_t total;		/*!< identifier + length + contents (+ EOC) octets */
};

/*! \brief Parse the element at the start of buf. Indefinite lengths are
 *  resolved by walking the nested elements (bounded depth).
 *  \returns 0, or -EBADMSG if the element does not fit or is malformed. */
int ber_tlv_parse(struct ber_tlv *t, const uint8_t *buf, size_t len);

/*! \brief Number of octets a definite length takes. */
size_t ber_len_size(size_t len);

/*! \brief Write identifier (tag as packed by ber_tlv) and definite length.
 *  \returns octets written, or 0 if size is too small. */
size_t ber_put_hdr(uint8_t *buf, size_t size, uint32_t tag, size_t len);

/*! \brief Copy the element at the start of in with every length rewritten in the
 *  definite form (X.690 8.1.3.3), nested elements too. asn1c 0.9.28's CHOICE
 *  decoder can loop forever on some malformed indefinite-length input: the codecs
 *  hand asn1c only what this produced. For input under 64 KiB the output is never
 *  longer than the input; size needs BER_DEFINITE_SLACK octets more while rewriting.
 *  \returns 0 and *out_len, or -EBADMSG (malformed, or size too small). */
#define BER_DEFINITE_SLACK 128
int ber_definite(uint8_t *out, size_t size, size_t *out_len, const uint8_t *in, size_t len);
