/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* BER/DER glue for the CAP/INAP argument codecs: a pre-pass that removes the
 * members asn1c 0.9.28 cannot skip safely, ber_decode() with stack bounds, and
 * a DER encoder that sizes before it writes. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <asn_application.h>
#include <ber_tlv_length.h>
#include <ber_tlv_tag.h>
#include <constr_CHOICE.h>
#include <constr_SEQUENCE.h>
#include <constr_SET_OF.h>

#include "cap_ber.h"
#include "msg_internal.h"

/* A parameter travels in one TCAP component, so it is far below this; the
 * bound also keeps every re-encoded length within three octets. */
#define CAP_BER_MAX_LEN 65535

/* The pre-pass follows the type tree, not the data, so its depth is that of
 * our modules (about 8); asn1c's own recursion is bounded by max_stack_size. */
#define CAP_BER_MAX_DEPTH 24
#define CAP_BER_STACK 32768

struct tlv {
	ber_tlv_tag_t tag;
	int constructed;
	size_t tag_len;		/* identifier octets */
	size_t hdr_len;		/* identifier and length octets */
	const uint8_t *val;	/* contents */
	size_t val_len;		/* contents, without an end-of-contents */
	size_t total;		/* the whole element, with an end-of-contents */
	int indefinite;
};

/* Parse the element at buf (at most avail octets). Returns 0 or -1. */
static int tlv_parse(struct tlv *t, const uint8_t *buf, size_t avail)
{
	asn_codec_ctx_t ctx = { .max_stack_size = CAP_BER_STACK };
	ber_tlv_len_t l;
	ssize_t tl, ll, skip;

	tl = ber_fetch_tag(buf, avail, &t->tag);
	if (tl <= 0)
		return -1;
	t->tag_len = tl;
	t->constructed = BER_TLV_CONSTRUCTED(buf);
	ll = ber_fetch_length(t->constructed, buf + tl, avail - tl, &l);
	if (ll <= 0)
		return -1;
	t->hdr_len = tl + ll;
	t->val = buf + t->hdr_len;
	if (l >= 0) {
		if ((size_t)l > avail - t->hdr_len)
			return -1;
		t->indefinite = 0;
		t->val_len = l;
		t->total = t->hdr_len + l;
		return 0;
	}
	/* Indefinite: only constructed elements may use it (ber_fetch_length
	 * refuses it for primitive ones); asn1c walks to the end-of-contents. */
	skip = ber_skip_length(&ctx, t->constructed, buf + tl, avail - tl);
	if (skip <= 0 || (size_t)skip > avail - tl || (size_t)(tl + skip) < t->hdr_len + 2)
		return -1;
	t->indefinite = 1;
	t->total = tl + skip;
	t->val_len = t->total - t->hdr_len - 2;
	return 0;
}

/* The decoder function tells the kind of a type; asn1c 0.9.28 has no other
 * type-kind field. A type we do not recognise is copied as it is. */
static int is_sequence(const asn_TYPE_descriptor_t *td)
{
	return td->ber_decoder == SEQUENCE_decode_ber;
}

static int is_choice(const asn_TYPE_descriptor_t *td)
{
	return td->ber_decoder == CHOICE_decode_ber;
}

static int is_list(const asn_TYPE_descriptor_t *td)
{
	return td->ber_decoder == SET_OF_decode_ber;
}

/* Same test asn1c applies before skipping trailing unknown members. */
static int seq_extensible(const asn_TYPE_descriptor_t *td)
{
	const asn_SEQUENCE_specifics_t *specs = td->specifics;

	return specs->ext_after < td->elements_count && td->elements_count < specs->ext_before;
}

static int find_member(const asn_TYPE_tag2member_t *map, int count, ber_tlv_tag_t tag)
{
	int i;

	for (i = 0; i < count; i++)
		if (map[i].el_tag == tag)
			return map[i].el_no;
	return -1;
}

static ssize_t filter(const asn_TYPE_descriptor_t *td, int tag_mode, const struct tlv *t, uint8_t *out, int depth);

/* Write t's identifier and a definite length for the contents already placed
 * at out + reserve, then move the contents up behind them. */
static ssize_t close_constructed(const struct tlv *t, uint8_t *out, size_t reserve, size_t len)
{
	size_t ll;

	ll = der_tlv_length_serialize(len, out + t->tag_len, reserve - t->tag_len);
	if (ll == 0 || ll > reserve - t->tag_len)
		return -1;
	memcpy(out, t->val - t->hdr_len, t->tag_len);
	memmove(out + t->tag_len + ll, out + reserve, len);
	return t->tag_len + ll + len;
}

/* Room for the new header: never more than the old header plus the
 * end-of-contents octets, since contents only shrink and lengths stay below
 * 65536 (three length octets at most, as many as 0x80 plus 00 00). */
static size_t reserve_of(const struct tlv *t)
{
	return t->hdr_len + (t->indefinite ? 2 : 0);
}

/* Contents of a SEQUENCE: known members in order, unknown ones dropped if the
 * type is extensible (otherwise kept, for asn1c to refuse). */
static ssize_t filter_sequence(const asn_TYPE_descriptor_t *td, const struct tlv *t, uint8_t *out, int depth)
{
	const asn_SEQUENCE_specifics_t *specs = td->specifics;
	size_t reserve = reserve_of(t), len = 0, pos = 0;
	int last = -1;

	while (pos < t->val_len) {
		struct tlv m;
		ssize_t n;
		int el;

		if (tlv_parse(&m, t->val + pos, t->val_len - pos))
			return -1;
		pos += m.total;
		el = find_member(specs->tag2el, specs->tag2el_count, m.tag);
		if (el < 0) {
			if (seq_extensible(td))
				continue;
			memcpy(out + reserve + len, m.val - m.hdr_len, m.total);
			len += m.total;
			continue;
		}
		if (el <= last)
			return -1;	/* out of order or repeated */
		last = el;
		n = filter(td->elements[el].type, td->elements[el].tag_mode, &m, out + reserve + len, depth + 1);
		if (n < 0)
			return -1;
		len += n;
	}
	return close_constructed(t, out, reserve, len);
}

/* Contents of a SEQUENCE OF / SET OF: every item filtered as the item type. */
static ssize_t filter_list(const asn_TYPE_descriptor_t *td, const struct tlv *t, uint8_t *out, int depth)
{
	const asn_TYPE_member_t *item = &td->elements[0];
	size_t reserve = reserve_of(t), len = 0, pos = 0;

	while (pos < t->val_len) {
		struct tlv m;
		ssize_t n;

		if (tlv_parse(&m, t->val + pos, t->val_len - pos))
			return -1;
		pos += m.total;
		n = filter(item->type, item->tag_mode, &m, out + reserve + len, depth + 1);
		if (n < 0)
			return -1;
		len += n;
	}
	return close_constructed(t, out, reserve, len);
}

static ssize_t filter(const asn_TYPE_descriptor_t *td, int tag_mode, const struct tlv *t, uint8_t *out, int depth)
{
	if (depth > CAP_BER_MAX_DEPTH)
		return -1;

	if (tag_mode > 0 && t->constructed) {
		/* [n] EXPLICIT: exactly one element inside, of type td. */
		size_t reserve = reserve_of(t);
		struct tlv inner;
		ssize_t n;

		if (tlv_parse(&inner, t->val, t->val_len) || inner.total != t->val_len)
			return -1;
		n = filter(td, 0, &inner, out + reserve, depth + 1);
		if (n < 0)
			return -1;
		return close_constructed(t, out, reserve, n);
	}

	if (t->constructed && is_sequence(td))
		return filter_sequence(td, t, out, depth);
	if (t->constructed && is_list(td))
		return filter_list(td, t, out, depth);
	if (is_choice(td) && td->tags_count == 0) {
		/* An untagged CHOICE: the element is the alternative itself. An
		 * unknown alternative is left to asn1c (skipped when extensible). */
		const asn_CHOICE_specifics_t *specs = td->specifics;
		int el = find_member(specs->tag2el, specs->tag2el_count, t->tag);

		if (el >= 0)
			return filter(td->elements[el].type, td->elements[el].tag_mode, t, out, depth + 1);
	}
	memcpy(out, t->val - t->hdr_len, t->total);
	return t->total;
}

int cap_ber_decode(asn_TYPE_descriptor_t *td, void **st, const uint8_t *buf, size_t len)
{
	struct tlv t;
	uint8_t *copy;
	ssize_t n;
	int rc;

	*st = NULL;
	if (!buf || len == 0 || len > CAP_BER_MAX_LEN)
		return -EINVAL;
	if (tlv_parse(&t, buf, len) || t.total != len)
		return -EINVAL;

	/* The filtered copy is never longer than the input (see reserve_of). */
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	n = filter(td, 0, &t, copy, 0);
	if (n < 0) {
		free(copy);
		return -EINVAL;
	}

	/* the filtered copy can still hold indefinite lengths: tcap_ber_decode() hands asn1c only definite ones
	 * (fuzz_inap found an EventReportBCSM argument that looped asn1c's CHOICE decoder forever) */
	rc = tcap_ber_decode(td, st, copy, n);
	free(copy);
	return rc == -ENOMEM ? rc : rc ? -EINVAL : 0;
}

int cap_der_encode(asn_TYPE_descriptor_t *td, const void *st, uint8_t *buf, size_t size, size_t *out_len)
{
	/* No asn_check_constraints() here: in asn1c 0.9.28 the first decode or
	 * free of a value of a derived type (CAP-Cause ::= OCTET STRING (SIZE
	 * (2..32)), ...) replaces that type's constraint checker with the base
	 * type's, for good; the checks would hold only until then. The encoders
	 * check the bounds themselves. asn1c's encoders take non-const pointers
	 * but do not write through them. */
	return tcap_der_encode(td, (void *)st, buf, size, out_len);
}
