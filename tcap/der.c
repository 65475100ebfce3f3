/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* DER encoding of an asn1c value into a caller's buffer, and bounded BER
 * decoding of untrusted input, shared by every codec in libtandem-tcap (TCAP
 * messages, CAP/INAP and AIN arguments). */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "asn_application.h"
#include "ber_tlv_length.h"
#include "ber_tlv_tag.h"
#include "constr_CHOICE.h"
#include "constr_SEQUENCE.h"
#include "constr_SET_OF.h"

#include "ber.h"
#include "msg_internal.h"

/* asn1c's own recursion bound for the decoders (bytes of C stack) */
#define TCAP_BER_STACK (64 * 1024)

struct enc_buf {
	uint8_t *buf;
	size_t size;
	size_t used;
	bool full;		/* the encoder wanted more room than the buffer has */
};

static int enc_cb(const void *data, size_t size, void *key)
{
	struct enc_buf *e = key;

	if (size > e->size - e->used) {
		e->full = true;
		return -1;
	}
	if (size)
		memcpy(e->buf + e->used, data, size);
	e->used += size;
	return 0;
}

int tcap_der_encode(struct asn_TYPE_descriptor_s *td, void *sptr, uint8_t *buf, size_t size, size_t *out_len)
{
	struct enc_buf e = { .buf = buf, .size = size };
	asn_enc_rval_t rv;

	/* one pass straight into the buffer: a short buffer shows as the callback refusing
	 * (a sizing pass before it cost a fifth of the encoding, bench/scp) */
	rv = der_encode(td, sptr, enc_cb, &e);
	if (rv.encoded < 0)
		return e.full ? -ENOSPC : -EINVAL;
	*out_len = e.used;
	return 0;
}

/* Elements nested deeper than this are not looked at here (ber_definite() has the same bound) */
#define DEFINITE_MAX_DEPTH 16

/* True when buf[0..len) is a sequence of elements, each with every length (its own and
 * those nested in it) in the definite form, within the identifier, length and depth bounds
 * ber_definite() enforces. Such input is what ber_definite() would hand asn1c anyway (it
 * only rewrites lengths into their shortest form), so it is decoded where it lies: the
 * copy cost a third as much as asn1c's decoding itself (bench/scp callgrind). */
static bool all_definite(const uint8_t *p, size_t len, unsigned int depth)
{
	if (depth > DEFINITE_MAX_DEPTH)
		return false;
	while (len) {
		size_t i = 1, l;
		unsigned int n;

		if (len < 2)
			return false;
		if ((p[0] & 0x1f) == 0x1f) {
			for (n = 0;; n++) {
				if (i >= len || n == 3)
					return false;
				if (!(p[i++] & 0x80))
					break;
			}
		}
		if (i >= len || p[i] == 0x80)
			return false;
		l = p[i++];
		if (l & 0x80) {
			n = l & 0x7f;
			if (n > 4 || n > len - i)
				return false;
			for (l = 0; n; n--)
				l = l << 8 | p[i++];
		}
		if (l > len - i)
			return false;
		if ((p[0] & 0x20) && !all_definite(p + i, l, depth + 1))
			return false;
		p += i + l;
		len -= i + l;
	}
	return true;
}

/* The constructed form where the type demands it.
 *
 * X.690 8.1.2.5, 8.14: an explicit tag, a SEQUENCE, a SET OF, and so a tagged CHOICE, are always encoded
 * constructed. asn1c 0.9.28 does not check the bit: it reads a primitive element's contents as the elements
 * its type expects, and an indefinite length in there (which ber_definite() leaves alone inside a primitive)
 * sends its CHOICE decoder into an endless loop when the bytes after it are 00 and not 00 00 (fuzz_inap: an
 * EventReportBCSM whose [2] CHOICE came primitive). So before asn1c sees a message, its elements are walked
 * along the type, as asn1c will walk them, and a primitive one where the type is constructed is refused.
 * What the walk cannot place (an unknown tag, an open type) is left to asn1c. */
#define FORM_MAX_DEPTH 32

static bool form_ok(const asn_TYPE_descriptor_t *td, int tag_mode, const uint8_t *p, size_t total,
		    unsigned int depth);

static int tag_member(const asn_TYPE_tag2member_t *t2m, int n, ber_tlv_tag_t tag)
{
	int i;

	for (i = 0; i < n; i++)
		if (t2m[i].el_tag == tag)
			return t2m[i].el_no;
	return -1;
}

/* The header of the element at p: its tag, whether constructed, where its contents are (definite only). */
static bool elem(const uint8_t *p, size_t size, ber_tlv_tag_t *tag, bool *cons, const uint8_t **val,
		 size_t *val_len, size_t *total)
{
	ssize_t tl, ll;
	ber_tlv_len_t len;

	tl = ber_fetch_tag(p, size, tag);
	if (tl <= 0)
		return false;
	*cons = BER_TLV_CONSTRUCTED(p);
	ll = ber_fetch_length(*cons, p + tl, size - tl, &len);
	if (ll <= 0 || len < 0 || (size_t)len > size - tl - ll)
		return false;
	*val = p + tl + ll;
	*val_len = len;
	*total = tl + ll + len;
	return true;
}

static bool form_ok(const asn_TYPE_descriptor_t *td, int tag_mode, const uint8_t *p, size_t total,
		    unsigned int depth)
{
	const uint8_t *v, *e;
	size_t vlen, etotal, pos, ivlen;
	ber_tlv_tag_t tag, etag;
	bool cons, econs;
	int el;

	if (depth > FORM_MAX_DEPTH || !elem(p, total, &tag, &cons, &v, &vlen, &total))
		return false;
	if (tag_mode > 0) {
		/* [n] EXPLICIT: constructed, one element of type td inside */
		if (!cons || !elem(v, vlen, &etag, &econs, &e, &ivlen, &etotal) || etotal != vlen)
			return false;
		return form_ok(td, 0, v, vlen, depth + 1);
	}
	if (td->ber_decoder == SEQUENCE_decode_ber || td->ber_decoder == SET_OF_decode_ber) {
		const asn_SEQUENCE_specifics_t *sq = td->specifics;

		if (!cons)
			return false;
		for (pos = 0; pos < vlen; pos += etotal) {
			const asn_TYPE_member_t *m;

			if (!elem(v + pos, vlen - pos, &etag, &econs, &e, &ivlen, &etotal))
				return false;
			if (td->ber_decoder == SET_OF_decode_ber) {
				m = &td->elements[0];
			} else {
				el = tag_member(sq->tag2el, sq->tag2el_count, etag);
				if (el < 0)
					continue;
				m = &td->elements[el];
			}
			if (!form_ok(m->type, m->tag_mode, v + pos, etotal, depth + 1))
				return false;
		}
		return true;
	}
	if (td->ber_decoder == CHOICE_decode_ber) {
		const asn_CHOICE_specifics_t *ch = td->specifics;

		el = tag_member(ch->tag2el, ch->tag2el_count, tag);
		if (el < 0)
			return true;
		return form_ok(td->elements[el].type, td->elements[el].tag_mode, p, total, depth + 1);
	}
	return true;
}

int tcap_ber_decode(struct asn_TYPE_descriptor_s *td, void **sptr, const uint8_t *buf, size_t len)
{
	asn_codec_ctx_t ctx = { .max_stack_size = TCAP_BER_STACK };
	uint8_t stack_buf[1024];
	uint8_t *def = stack_buf;
	const uint8_t *in;
	size_t def_len;
	struct ber_tlv top;
	asn_dec_rval_t rv;
	int rc = 0;

	*sptr = NULL;
	if (!buf || ber_tlv_parse(&top, buf, len) || top.total != len)
		return -EINVAL;
	/* asn1c only ever sees definite lengths (see ber_definite()) */
	if (all_definite(buf, len, 0)) {
		in = buf;
		def_len = len;
		goto decode;
	}
	if (len + BER_DEFINITE_SLACK > sizeof(stack_buf)) {
		def = malloc(len + BER_DEFINITE_SLACK);
		if (!def)
			return -ENOMEM;
	}
	if (ber_definite(def, len + BER_DEFINITE_SLACK, &def_len, buf, len)) {
		rc = -EINVAL;
		goto out;
	}
	in = def;
decode:
	if (!form_ok(td, 0, in, def_len, 0)) {
		rc = -EINVAL;
		goto out;
	}
	rv = ber_decode(&ctx, td, sptr, in, def_len);
	if (rv.code != RC_OK || rv.consumed != def_len) {
		/* asn1c leaves what it decoded so far behind, even on failure */
		ASN_STRUCT_FREE(*td, *sptr);
		*sptr = NULL;
		rc = -EINVAL;
	}
out:
	if (def != stack_buf)
		free(def);
	return rc;
}
