/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Minimal BER TLV walker used where we must classify errors ourselves
 * (transaction portions: which P-Abort cause applies) instead of asking asn1c. */

#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include "ber.h"

/* Indefinite-length nesting deeper than this is refused (no real TCAP needs it). */
#define BER_MAX_DEPTH 16

static int tlv_parse(struct ber_tlv *t, const uint8_t *buf, size_t len, unsigned int depth)
{
	size_t pos = 0, clen;
	unsigned int i;

	if (depth > BER_MAX_DEPTH || len < 2)
		return -EBADMSG;

	/* identifier octets (X.690 8.1.2) */
	t->tag = buf[pos];
	t->constructed = buf[pos] & 0x20;
	if ((buf[pos++] & 0x1f) == 0x1f) {
		for (i = 0;; i++) {
			if (pos >= len || i == 3)
				return -EBADMSG;
			t->tag = (t->tag << 8) | buf[pos];
			if (!(buf[pos++] & 0x80))
				break;
		}
	}

	/* length octets (X.690 8.1.3) */
	if (pos >= len)
		return -EBADMSG;
	if (buf[pos] < 0x80) {
		clen = buf[pos++];
	} else if (buf[pos] == 0x80) {
		size_t inner = 0;

		/* indefinite form: only for constructed encodings, ends with 00 00 */
		pos++;
		if (!t->constructed)
			return -EBADMSG;
		for (;;) {
			struct ber_tlv sub;

			if (len - pos - inner >= 2 && buf[pos + inner] == 0 && buf[pos + inner + 1] == 0)
				break;
			if (tlv_parse(&sub, buf + pos + inner, len - pos - inner, depth + 1))
				return -EBADMSG;
			inner += sub.total;
		}
		t->val = buf + pos;
		t->len = inner;
		t->total = pos + inner + 2;
		return 0;
	} else {
		unsigned int n = buf[pos++] & 0x7f;

		if (n > 4 || n == 0x7f)
			return -EBADMSG;
		clen = 0;
		for (i = 0; i < n; i++) {
			if (pos >= len)
				return -EBADMSG;
			clen = (clen << 8) | buf[pos++];
		}
	}
	if (clen > len - pos)
		return -EBADMSG;
	t->val = buf + pos;
	t->len = clen;
	t->total = pos + clen;
	return 0;
}

int ber_tlv_parse(struct ber_tlv *t, const uint8_t *buf, size_t len)
{
	return tlv_parse(t, buf, len, 0);
}

size_t ber_len_size(size_t len)
{
	if (len < 0x80)
		return 1;
	if (len <= 0xff)
		return 2;
	if (len <= 0xffff)
		return 3;
	if (len <= 0xffffff)
		return 4;
	return 5;
}

size_t ber_put_hdr(uint8_t *buf, size_t size, uint32_t tag, size_t len)
{
	uint8_t tmp[9];
	size_t n = 0, i, lsz = ber_len_size(len);

	if (tag > 0xffffff)
		tmp[n++] = tag >> 24;
	if (tag > 0xffff)
		tmp[n++] = tag >> 16;
	if (tag > 0xff)
		tmp[n++] = tag >> 8;
	tmp[n++] = tag;
	if (lsz == 1) {
		tmp[n++] = len;
	} else {
		tmp[n++] = 0x80 | (lsz - 1);
		for (i = lsz - 1; i > 0; i--)
			tmp[n++] = len >> (8 * (i - 1));
	}
	if (n > size)
		return 0;
	for (i = 0; i < n; i++)
		buf[i] = tmp[i];
	return n;
}

/* Copy one element and everything inside it, writing every length in the
 * definite form. \returns octets written, or -1 (malformed, or no room). */
static ssize_t definite(uint8_t *out, size_t size, const uint8_t *in, size_t len, unsigned int depth)
{
	struct ber_tlv t;
	size_t idlen, hdr, pos = 0, body = 0;
	ssize_t n;

	if (depth > BER_MAX_DEPTH || tlv_parse(&t, in, len, depth))
		return -1;
	/* identifier octets are copied as they are */
	for (idlen = 1; idlen < t.total && (in[0] & 0x1f) == 0x1f && (in[idlen] & 0x80); idlen++)
		;
	if ((in[0] & 0x1f) == 0x1f)
		idlen++;
	if (!t.constructed) {
		body = t.len;
		hdr = idlen + ber_len_size(body);
		if (hdr + body > size)
			return -1;
		memcpy(out, in, idlen);
		ber_put_hdr(out + idlen - 1, size - idlen + 1, in[idlen - 1], body);
		memcpy(out + hdr, t.val, body);
		return hdr + body;
	}
	/* constructed: rewrite the contents first, at the worst-case header offset, then move */
	hdr = idlen + 5;
	if (hdr > size)
		return -1;
	while (pos < t.len) {
		struct ber_tlv sub;

		if (tlv_parse(&sub, t.val + pos, t.len - pos, depth + 1))
			return -1;
		n = definite(out + hdr + body, size - hdr - body, t.val + pos, sub.total, depth + 1);
		if (n < 0)
			return -1;
		body += n;
		pos += sub.total;
	}
	memcpy(out, in, idlen);
	ber_put_hdr(out + idlen - 1, 6, in[idlen - 1], body);
	memmove(out + idlen + ber_len_size(body), out + hdr, body);
	return idlen + ber_len_size(body) + body;
}

int ber_definite(uint8_t *out, size_t size, size_t *out_len, const uint8_t *in, size_t len)
{
	ssize_t n = definite(out, size, in, len, 0);

	if (n < 0)
		return -EBADMSG;
	*out_len = n;
	return 0;
}
