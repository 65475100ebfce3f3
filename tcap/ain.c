/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* AIN 0.1/0.2 argument codecs (GR-1299) on top of the asn1c code generated from
 * asn1/AIN-*.asn.
 *
 * One table per C struct names, for each field, the argument member it maps to
 * (by its ASN.1 name) and how to convert it; the same table serves every
 * operation that shares the struct, and the generic code below walks the asn1c
 * type descriptor, so the ASN.1 module stays the one place that says which
 * operation carries which parameter, in which order.
 *
 * Decoding first puts the received parameters in the argument's member order
 * and drops the ones it does not list (a parameter set has no order, and asn1c
 * 0.9.28 loses the members after an unknown one in an extensible SEQUENCE),
 * then lets asn1c decode the result. Encoding builds the asn1c structure in a
 * stack arena (no allocation) and DER-encodes it. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "AIN-InfoCollectedArg.h"
#include "AIN-InfoAnalyzedArg.h"
#include "AIN-TerminationAttemptArg.h"
#include "AIN-OAnswerArg.h"
#include "AIN-TAnswerArg.h"
#include "AIN-ODisconnectArg.h"
#include "AIN-TDisconnectArg.h"
#include "AIN-AnalyzeRouteArg.h"
#include "AIN-AuthorizeTerminationArg.h"
#include "AIN-ContinueArg.h"
#include "AIN-DisconnectArg.h"
#include "AIN-RequestReportBCMEventArg.h"
#include "AIN-CloseArg.h"
#include "AIN-AcgArg.h"

#include <tandem/ain.h>
#include <tandem/tcap_numbers.h>

#include "ber.h"
#include "msg_internal.h"

/* The fields of our structs, by how they are coded. */
enum field_type {
	FT_DIGITS,	/* AINDigits OCTET STRING <-> struct tcap_number */
	FT_ENUM,	/* ENUMERATED (long) <-> an int-sized enum */
	FT_U8,		/* INTEGER or ENUMERATED (long) <-> uint8_t; min..max checked both ways */
	FT_BOOL,	/* BOOLEAN <-> bool */
	FT_OCTET,	/* OCTET STRING (SIZE (1)) <-> uint8_t */
	FT_FIXED,	/* OCTET STRING (SIZE (max)) <-> uint8_t[max] */
	FT_RAW,		/* OCTET STRING (SIZE (min..max)) <-> uint8_t[max] and a uint8_t length at len_off */
	FT_TBCD10,	/* ten BCD digits in five octets <-> char[11] */
	FT_USER_ID,	/* UserID <-> struct ain_user_id */
	FT_EDP,		/* EDPRequest/EDPNotification BIT STRING <-> uint32_t */
	FT_GAP,		/* GapInterval CHOICE <-> uint8_t value, bool private at len_off */
};

#define NO_HAS ((size_t)-1)

struct field {
	const char *name;	/* member name in asn1/AIN-Arguments.asn */
	enum field_type type;
	size_t off;		/* the value in our struct */
	size_t has;		/* its bool has_ flag, or NO_HAS when always present */
	size_t len_off;		/* FT_RAW, FT_GAP */
	uint8_t min, max;
};

#define F(name, type, S, v, min, max) { name, type, offsetof(S, v), offsetof(S, has_##v), 0, min, max }
#define MAND(name, type, S, v) { name, type, offsetof(S, v), NO_HAS, 0, 0, 0 }
#define RAW(name, S, v, min, max) \
	{ name, FT_RAW, offsetof(S, v), offsetof(S, has_##v), offsetof(S, v##_len), min, max }

/* Writing an enum through an int pointer needs them to be the same size. */
_Static_assert(sizeof(enum ain_tct) == sizeof(int) && sizeof(enum ain_bearer_cap) == sizeof(int) &&
		       sizeof(enum ain_close_cause) == sizeof(int) && sizeof(enum ain_pic) == sizeof(int) &&
		       sizeof(enum ain_disconnect_cause) == sizeof(int),
	       "enums must be int-sized");

static const struct field trigger_fields[] = {
	MAND("userID", FT_USER_ID, struct ain_trigger, user_id),
	MAND("bearerCapability", FT_ENUM, struct ain_trigger, bearer_cap),
	F("calledPartyID", FT_DIGITS, struct ain_trigger, called, 0, 0),
	F("lata", FT_DIGITS, struct ain_trigger, lata, 0, 0),
	F("triggerCriteriaType", FT_ENUM, struct ain_trigger, tct, 0, 0),
	F("calledPartyStationType", FT_U8, struct ain_trigger, called_station_type, 0, 99),
	F("chargeNumber", FT_DIGITS, struct ain_trigger, charge_number, 0, 0),
	F("callingPartyID", FT_DIGITS, struct ain_trigger, calling, 0, 0),
	F("chargePartyStationType", FT_U8, struct ain_trigger, charge_station_type, 0, 99),
	F("carrier", FT_FIXED, struct ain_trigger, carrier, 4, 4),
	F("accessCode", FT_DIGITS, struct ain_trigger, access_code, 0, 0),
	F("collectedAddressInfo", FT_DIGITS, struct ain_trigger, collected_address, 0, 0),
	F("collectedDigits", FT_DIGITS, struct ain_trigger, collected_digits, 0, 0),
	F("verticalServiceCode", FT_DIGITS, struct ain_trigger, vsc, 0, 0),
	F("tcm", FT_DIGITS, struct ain_trigger, tcm, 0, 0),
	F("originalCalledPartyID", FT_DIGITS, struct ain_trigger, original_called, 0, 0),
	F("redirectingPartyID", FT_DIGITS, struct ain_trigger, redirecting, 0, 0),
	F("redirectionInformation", FT_FIXED, struct ain_trigger, redirection_info, 2, 2),
	RAW("genericName", struct ain_trigger, generic_name, 1, AIN_MAX_RAW),
	F("aCGEncountered", FT_OCTET, struct ain_trigger, acg_encountered, 0, 0),
};

static const struct field event_fields[] = {
	MAND("userID", FT_USER_ID, struct ain_event, user_id),
	MAND("bearerCapability", FT_ENUM, struct ain_event, bearer_cap),
	F("notificationIndicator", FT_BOOL, struct ain_event, notification, 0, 0),
	F("disconnectCause", FT_ENUM, struct ain_event, disconnect_cause, 0, 0),
	F("legID", FT_U8, struct ain_event, leg_id, 0, 2),
	F("pointInCall", FT_ENUM, struct ain_event, point_in_call, 0, 0),
};

static const struct field analyze_route_fields[] = {
	F("chargeNumber", FT_DIGITS, struct ain_analyze_route, charge_number, 0, 0),
	F("callingPartyID", FT_DIGITS, struct ain_analyze_route, calling, 0, 0),
	F("chargePartyStationType", FT_U8, struct ain_analyze_route, charge_station_type, 0, 99),
	F("calledPartyID", FT_DIGITS, struct ain_analyze_route, called, 0, 0),
	F("outpulseNumber", FT_DIGITS, struct ain_analyze_route, outpulse_number, 0, 0),
	F("tcm", FT_DIGITS, struct ain_analyze_route, tcm, 0, 0),
	F("carrier", FT_FIXED, struct ain_analyze_route, carrier, 4, 4),
	F("redirectingPartyID", FT_DIGITS, struct ain_analyze_route, redirecting, 0, 0),
	F("aMAslpID", FT_TBCD10, struct ain_analyze_route, amaslp_id, 0, 0),
	F("redirectionInformation", FT_FIXED, struct ain_analyze_route, redirection_info, 2, 2),
};

static const struct field authorize_termination_fields[] = {
	F("callingPartyID", FT_DIGITS, struct ain_authorize_termination, calling, 0, 0),
	F("aMAslpID", FT_TBCD10, struct ain_authorize_termination, amaslp_id, 0, 0),
	RAW("genericName", struct ain_authorize_termination, generic_name, 1, AIN_MAX_RAW),
};

static const struct field continue_fields[] = {
	F("aMAslpID", FT_TBCD10, struct ain_continue, amaslp_id, 0, 0),
};

static const struct field disconnect_fields[] = {
	F("aMAslpID", FT_TBCD10, struct ain_disconnect, amaslp_id, 0, 0),
};

static const struct field rrbe_fields[] = {
	F("eDPRequest", FT_EDP, struct ain_rrbe, edp_request, 0, 0),
	F("eDPNotification", FT_EDP, struct ain_rrbe, edp_notification, 0, 0),
	F("oNoAnswerTimer", FT_U8, struct ain_rrbe, o_no_answer_timer, 1, 120),
	F("tNoAnswerTimer", FT_U8, struct ain_rrbe, t_no_answer_timer, 1, 120),
};

static const struct field close_fields[] = {
	F("userID", FT_USER_ID, struct ain_close, user_id, 0, 0),
	F("bearerCapability", FT_ENUM, struct ain_close, bearer_cap, 0, 0),
	F("closeCause", FT_ENUM, struct ain_close, close_cause, 0, 0),
};

static const struct field acg_fields[] = {
	MAND("controlCauseIndicator", FT_OCTET, struct ain_acg, control_cause),
	{ "gapDuration", FT_U8, offsetof(struct ain_acg, gap_duration), NO_HAS, 0, 1, 13 },
	{ "gapInterval", FT_GAP, offsetof(struct ain_acg, gap_interval), NO_HAS,
	  offsetof(struct ain_acg, private_gap_interval), 0, 21 },
	{ "translationType", FT_U8, offsetof(struct ain_acg, translation_type), NO_HAS, 0, 0, 255 },
	{ "globalTitleAddress", FT_RAW, offsetof(struct ain_acg, gta), NO_HAS, offsetof(struct ain_acg, gta_len), 1,
	  AIN_MAX_RAW },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Our structs, for a decoder's scratch copy. */
union ain_arg {
	struct ain_trigger trigger;
	struct ain_event event;
	struct ain_analyze_route analyze_route;
	struct ain_authorize_termination authorize_termination;
	struct ain_continue cont;
	struct ain_disconnect disconnect;
	struct ain_rrbe rrbe;
	struct ain_close close;
	struct ain_acg acg;
};

static const asn_TYPE_member_t *find_member(const asn_TYPE_descriptor_t *td, const char *name)
{
	int i;

	for (i = 0; i < td->elements_count; i++) {
		if (!strcmp(td->elements[i].name, name))
			return &td->elements[i];
	}
	return NULL;
}

/*
 * Decoding
 */

/* T1.114.3: the argument is a parameter set (F2) or a parameter sequence (F0). */
#define TAG_PARAM_SET 0xf2
#define TAG_PARAM_SEQ 0xf0

/* More parameters than this in one argument are refused. */
#define MAX_PARAMS 64

struct param_ref {
	const uint8_t *start;
	size_t total;
	int el_no;
};

/* The element of td a parameter with this tag decodes into, or -1. */
static int element_for_tag(const asn_TYPE_descriptor_t *td, ber_tlv_tag_t tag)
{
	const asn_SEQUENCE_specifics_t *specs = td->specifics;
	int i;

	for (i = 0; i < specs->tag2el_count; i++) {
		if (specs->tag2el[i].el_tag == tag)
			return specs->tag2el[i].el_no;
	}
	return -1;
}

/* Rewrite the received argument as a parameter set holding only the parameters
 * td lists, in td's member order. \returns 0 with *out malloc'ed, or -EINVAL. */
static int normalize(const asn_TYPE_descriptor_t *td, const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len)
{
	struct param_ref p[MAX_PARAMS], tmp;
	unsigned int n = 0, i, j;
	size_t pos = 0, total = 0, hdr;
	struct ber_tlv top;
	uint8_t *norm;

	if (!buf || ber_tlv_parse(&top, buf, len) || top.total != len)
		return -EINVAL;
	if (top.tag != TAG_PARAM_SET && top.tag != TAG_PARAM_SEQ)
		return -EINVAL;
	/* asn1c only ever sees well-formed elements */
	if (!tcap_ber_elements_ok(top.val, top.len))
		return -EINVAL;

	while (pos < top.len) {
		struct ber_tlv t;
		ber_tlv_tag_t tag;
		int el;

		if (ber_tlv_parse(&t, top.val + pos, top.len - pos))
			return -EINVAL;
		if (ber_fetch_tag(top.val + pos, t.total, &tag) <= 0)
			return -EINVAL;
		el = element_for_tag(td, tag);
		if (el >= 0) {
			/* a parameter given twice is an error, not a choice */
			for (i = 0; i < n; i++) {
				if (p[i].el_no == el)
					return -EINVAL;
			}
			if (n == MAX_PARAMS)
				return -EINVAL;
			p[n].start = top.val + pos;
			p[n].total = t.total;
			p[n].el_no = el;
			total += t.total;
			n++;
		}
		pos += t.total;
	}

	/* insertion sort: a handful of parameters */
	for (i = 1; i < n; i++) {
		tmp = p[i];
		for (j = i; j > 0 && p[j - 1].el_no > tmp.el_no; j--)
			p[j] = p[j - 1];
		p[j] = tmp;
	}

	hdr = 1 + ber_len_size(total);
	norm = malloc(hdr + total);
	if (!norm)
		return -ENOMEM;
	if (ber_put_hdr(norm, hdr, TAG_PARAM_SET, total) != hdr) {
		free(norm);
		return -EINVAL;
	}
	pos = hdr;
	for (i = 0; i < n; i++) {
		memcpy(norm + pos, p[i].start, p[i].total);
		pos += p[i].total;
	}
	*out = norm;
	*out_len = pos;
	return 0;
}

/* Ten BCD digits in five octets (DN, AMAslpID). */
static int get_tbcd10(char *dst, const OCTET_STRING_t *os)
{
	if (os->size != 5 || tcap_tbcd_decode(dst, 11, os->buf, os->size) != 10)
		return -EINVAL;
	return 0;
}

static int get_user_id(struct ain_user_id *u, const AIN_UserID_t *in)
{
	memset(u, 0, sizeof(*u));
	switch (in->present) {
	case AIN_UserID_PR_dn:
		u->kind = AIN_UID_DN;
		return get_tbcd10(u->dn, &in->choice.dn);
	case AIN_UserID_PR_bri:
		u->kind = AIN_UID_BRI;
		if (in->choice.bri.spid.size < 1 || in->choice.bri.spid.size > AIN_MAX_SPID)
			return -EINVAL;
		memcpy(u->spid, in->choice.bri.spid.buf, in->choice.bri.spid.size);
		u->spid_len = in->choice.bri.spid.size;
		return get_tbcd10(u->dn, &in->choice.bri.dn);
	case AIN_UserID_PR_trunkGroupID:
		u->kind = AIN_UID_TRUNK_GROUP;
		if (in->choice.trunkGroupID < 0 || in->choice.trunkGroupID > 9999)
			return -EINVAL;
		u->id = in->choice.trunkGroupID;
		return 0;
	case AIN_UserID_PR_privateFacilityGID:
		u->kind = AIN_UID_PRIVATE_FACILITY;
		if (in->choice.privateFacilityGID < 0 || in->choice.privateFacilityGID > 9999)
			return -EINVAL;
		u->id = in->choice.privateFacilityGID;
		return 0;
	case AIN_UserID_PR_aDSIcpeID:
		u->kind = AIN_UID_ADSI;
		if (in->choice.aDSIcpeID.size != 4)
			return -EINVAL;
		memcpy(u->adsi, in->choice.aDSIcpeID.buf, 4);
		return 0;
	default:
		return -EINVAL;
	}
}

/* Named bits 0..31 of a BIT STRING; later ones (not defined by GR-1299) are ignored. */
static int get_bits(uint32_t *mask, const BIT_STRING_t *bs)
{
	int bit, nbits;

	if (bs->size < 0 || bs->bits_unused < 0 || bs->bits_unused > 7 || (!bs->size && bs->bits_unused))
		return -EINVAL;
	nbits = bs->size * 8 - bs->bits_unused;
	*mask = 0;
	for (bit = 0; bit < nbits && bit < 32; bit++) {
		if (bs->buf[bit / 8] & (0x80 >> (bit % 8)))
			*mask |= UINT32_C(1) << bit;
	}
	return 0;
}

static int get_field(void *dst_struct, const struct field *f, const void *memb)
{
	uint8_t *dst = (uint8_t *)dst_struct + f->off;
	const OCTET_STRING_t *os = memb;
	long v;

	switch (f->type) {
	case FT_DIGITS:
		return tcap_num_decode((struct tcap_number *)dst, TCAP_NUMFMT_AIN_DIGITS, os->buf, os->size);
	case FT_ENUM:
		/* values GR-1299 does not name are kept: the caller decides */
		v = *(const long *)memb;
		if (v < 0 || v > 255)
			return -EINVAL;
		*(int *)dst = v;
		return 0;
	case FT_U8:
		/* the same range the encoder enforces: what decodes can be sent back */
		v = *(const long *)memb;
		if (v < f->min || v > f->max)
			return -EINVAL;
		*dst = v;
		return 0;
	case FT_BOOL:
		*(bool *)dst = *(const BOOLEAN_t *)memb != 0;
		return 0;
	case FT_OCTET:
		if (os->size != 1)
			return -EINVAL;
		*dst = os->buf[0];
		return 0;
	case FT_FIXED:
		if (os->size != f->max)
			return -EINVAL;
		memcpy(dst, os->buf, f->max);
		return 0;
	case FT_RAW:
		if (os->size < f->min || os->size > f->max)
			return -EINVAL;
		memcpy(dst, os->buf, os->size);
		*((uint8_t *)dst_struct + f->len_off) = os->size;
		return 0;
	case FT_TBCD10:
		return get_tbcd10((char *)dst, os);
	case FT_USER_ID:
		return get_user_id((struct ain_user_id *)dst, memb);
	case FT_EDP:
		return get_bits((uint32_t *)dst, memb);
	case FT_GAP: {
		const AIN_GapInterval_t *g = memb;

		switch (g->present) {
		case AIN_GapInterval_PR_nationalGapInterval:
			v = g->choice.nationalGapInterval;
			*(bool *)((uint8_t *)dst_struct + f->len_off) = false;
			break;
		case AIN_GapInterval_PR_privateGapInterval:
			v = g->choice.privateGapInterval;
			*(bool *)((uint8_t *)dst_struct + f->len_off) = true;
			break;
		default:
			return -EINVAL;
		}
		if (v < 0 || v > 255)
			return -EINVAL;
		*dst = v;
		return 0;
	}
	}
	return -EINVAL;
}

static int ain_decode(asn_TYPE_descriptor_t *td, const struct field *fields, size_t nfields, void *out,
		      size_t out_size, const uint8_t *buf, size_t len)
{
	union ain_arg scratch;
	void *sptr = NULL;
	uint8_t *norm = NULL;
	size_t norm_len, i;
	asn_dec_rval_t rv;
	int rc;

	/* asn1c only ever sees definite lengths (see ber_definite()) */
	{
		struct ber_tlv top;
		uint8_t *def;
		size_t def_len;

		if (!buf || ber_tlv_parse(&top, buf, len) || top.total != len)
			return -EINVAL;
		def = malloc(len + BER_DEFINITE_SLACK);
		if (!def)
			return -ENOMEM;
		rc = ber_definite(def, len + BER_DEFINITE_SLACK, &def_len, buf, len);
		if (!rc)
			rc = normalize(td, def, def_len, &norm, &norm_len);
		free(def);
	}
	if (rc)
		return rc == -ENOMEM ? rc : -EINVAL;
	rv = ber_decode(NULL, td, &sptr, norm, norm_len);
	free(norm);
	if (rv.code != RC_OK || rv.consumed != norm_len) {
		rc = -EINVAL;
		goto out;
	}

	memset(&scratch, 0, sizeof(scratch));
	for (i = 0; i < nfields; i++) {
		const struct field *f = &fields[i];
		const asn_TYPE_member_t *elm = find_member(td, f->name);
		const void *memb;

		if (!elm)
			continue;	/* this operation does not carry it */
		memb = (const uint8_t *)sptr + elm->memb_offset;
		if (elm->flags & ATF_POINTER) {
			memb = *(const void *const *)memb;
			if (!memb)
				continue;
		}
		rc = get_field(&scratch, f, memb);
		if (rc)
			goto out;
		if (f->has != NO_HAS)
			*((bool *)((uint8_t *)&scratch + f->has)) = true;
	}
	memcpy(out, &scratch, out_size);
	rc = 0;
out:
	ASN_STRUCT_FREE(*td, sptr);
	return rc;
}

/*
 * Encoding
 */

/* Everything the asn1c structure points at is carved out of this, on the stack. */
struct arena {
	_Alignas(max_align_t) uint8_t buf[3072];
	size_t used;
};

static void *arena_get(struct arena *a, size_t size)
{
	size_t at = (a->used + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
	void *p;

	if (at > sizeof(a->buf) || size > sizeof(a->buf) - at)
		return NULL;
	p = a->buf + at;
	memset(p, 0, size);
	a->used = at + size;
	return p;
}

static int set_octets(struct arena *a, OCTET_STRING_t *os, const void *src, size_t len)
{
	uint8_t *p = arena_get(a, len ? len : 1);

	if (!p)
		return -EINVAL;
	memcpy(p, src, len);
	os->buf = p;
	os->size = len;
	return 0;
}

static int put_tbcd10(struct arena *a, OCTET_STRING_t *os, const char *digits)
{
	uint8_t tmp[5];
	size_t l;

	if (strnlen(digits, 11) != 10 || tcap_tbcd_encode(tmp, sizeof(tmp), &l, digits) || l != 5)
		return -EINVAL;
	return set_octets(a, os, tmp, l);
}

static int put_user_id(struct arena *a, AIN_UserID_t *out, const struct ain_user_id *u)
{
	switch (u->kind) {
	case AIN_UID_DN:
		out->present = AIN_UserID_PR_dn;
		return put_tbcd10(a, &out->choice.dn, u->dn);
	case AIN_UID_BRI:
		out->present = AIN_UserID_PR_bri;
		if (u->spid_len < 3 || u->spid_len > AIN_MAX_SPID ||
		    set_octets(a, &out->choice.bri.spid, u->spid, u->spid_len))
			return -EINVAL;
		return put_tbcd10(a, &out->choice.bri.dn, u->dn);
	case AIN_UID_TRUNK_GROUP:
		out->present = AIN_UserID_PR_trunkGroupID;
		out->choice.trunkGroupID = u->id;
		return u->id <= 9999 ? 0 : -EINVAL;
	case AIN_UID_PRIVATE_FACILITY:
		out->present = AIN_UserID_PR_privateFacilityGID;
		out->choice.privateFacilityGID = u->id;
		return u->id <= 9999 ? 0 : -EINVAL;
	case AIN_UID_ADSI:
		out->present = AIN_UserID_PR_aDSIcpeID;
		return set_octets(a, &out->choice.aDSIcpeID, u->adsi, 4);
	}
	return -EINVAL;
}

/* The shortest BIT STRING holding the set bits (no trailing zero bits). */
static int put_bits(struct arena *a, BIT_STRING_t *bs, uint32_t mask)
{
	uint8_t tmp[4] = { 0 }, *p;
	int bit, top = -1;
	size_t len;

	for (bit = 0; bit < 32; bit++) {
		if (mask & (UINT32_C(1) << bit)) {
			tmp[bit / 8] |= 0x80 >> (bit % 8);
			top = bit;
		}
	}
	len = top < 0 ? 0 : top / 8 + 1;
	p = arena_get(a, len ? len : 1);
	if (!p)
		return -EINVAL;
	memcpy(p, tmp, len);
	bs->buf = p;
	bs->size = len;
	bs->bits_unused = top < 0 ? 0 : 7 - top % 8;
	return 0;
}

/* Size of the asn1c value a field type is held in. */
static size_t value_size(enum field_type t)
{
	switch (t) {
	case FT_ENUM:
	case FT_U8:
		return sizeof(long);
	case FT_BOOL:
		return sizeof(BOOLEAN_t);
	case FT_USER_ID:
		return sizeof(AIN_UserID_t);
	case FT_EDP:
		return sizeof(BIT_STRING_t);
	case FT_GAP:
		return sizeof(AIN_GapInterval_t);
	default:
		return sizeof(OCTET_STRING_t);
	}
}

static int put_field(struct arena *a, void *memb, const struct field *f, const void *src_struct)
{
	const uint8_t *src = (const uint8_t *)src_struct + f->off;
	OCTET_STRING_t *os = memb;

	switch (f->type) {
	case FT_DIGITS: {
		uint8_t tmp[2 + TCAP_NUM_MAX_DIGITS / 2];
		size_t l;
		int rc = tcap_num_encode(tmp, sizeof(tmp), &l, TCAP_NUMFMT_AIN_DIGITS,
					 (const struct tcap_number *)src);

		return rc ? -EINVAL : set_octets(a, os, tmp, l);
	}
	case FT_ENUM:
		if (*(const int *)src < 0 || *(const int *)src > 255)
			return -EINVAL;
		*(long *)memb = *(const int *)src;
		return 0;
	case FT_U8:
		if (*src < f->min || *src > f->max)
			return -EINVAL;
		*(long *)memb = *src;
		return 0;
	case FT_BOOL:
		*(BOOLEAN_t *)memb = *(const bool *)src;
		return 0;
	case FT_OCTET:
		return set_octets(a, os, src, 1);
	case FT_FIXED:
		return set_octets(a, os, src, f->max);
	case FT_RAW: {
		uint8_t l = *((const uint8_t *)src_struct + f->len_off);

		if (l < f->min || l > f->max)
			return -EINVAL;
		return set_octets(a, os, src, l);
	}
	case FT_TBCD10:
		return put_tbcd10(a, os, (const char *)src);
	case FT_USER_ID:
		return put_user_id(a, memb, (const struct ain_user_id *)src);
	case FT_EDP:
		return put_bits(a, memb, *(const uint32_t *)src);
	case FT_GAP: {
		AIN_GapInterval_t *g = memb;

		/* NationalGapInterval 0..15, PrivateGapInterval 0..21 */
		if (*((const bool *)((const uint8_t *)src_struct + f->len_off))) {
			g->present = AIN_GapInterval_PR_privateGapInterval;
			g->choice.privateGapInterval = *src;
			return *src <= 21 ? 0 : -EINVAL;
		}
		g->present = AIN_GapInterval_PR_nationalGapInterval;
		g->choice.nationalGapInterval = *src;
		return *src <= 15 ? 0 : -EINVAL;
	}
	}
	return -EINVAL;
}

static int ain_encode(asn_TYPE_descriptor_t *td, const struct field *fields, size_t nfields, const void *in,
		      uint8_t *buf, size_t size, size_t *out_len)
{
	const asn_SEQUENCE_specifics_t *specs = td->specifics;
	struct arena arena;
	uint64_t filled = 0;
	void *sptr;
	size_t i;
	int e, rc;

	if (!in || !out_len || (!buf && size) || td->elements_count > 64)
		return -EINVAL;
	arena.used = 0;
	sptr = arena_get(&arena, specs->struct_size);
	if (!sptr)
		return -EINVAL;

	for (i = 0; i < nfields; i++) {
		const struct field *f = &fields[i];
		const asn_TYPE_member_t *elm = find_member(td, f->name);
		void *memb;

		if (f->has != NO_HAS && !*((const bool *)((const uint8_t *)in + f->has)))
			continue;
		if (!elm)
			return -EINVAL;	/* set, but this operation does not carry it */
		memb = (uint8_t *)sptr + elm->memb_offset;
		if (elm->flags & ATF_POINTER) {
			void *val = arena_get(&arena, value_size(f->type));

			if (!val)
				return -EINVAL;
			*(void **)memb = val;
			memb = val;
		}
		rc = put_field(&arena, memb, f, in);
		if (rc)
			return rc;
		filled |= UINT64_C(1) << (elm - td->elements);
	}
	/* every mandatory member must have been given */
	for (e = 0; e < td->elements_count; e++) {
		if (!(td->elements[e].flags & ATF_POINTER) && !(filled & (UINT64_C(1) << e)))
			return -EINVAL;
	}
	return tcap_der_encode(td, sptr, buf, size, out_len);
}

/*
 * The operations
 */

#define CODEC(op, type, S, fields)                                                                        \
	int ain_##op##_decode(S *out, const uint8_t *buf, size_t len)                                   \
	{                                                                                                 \
		return ain_decode(&asn_DEF_##type, fields, N(fields), out, sizeof(*out), buf, len);      \
	}                                                                                                 \
	int ain_##op##_encode(uint8_t *buf, size_t size, size_t *out_len, const S *in)                   \
	{                                                                                                 \
		return ain_encode(&asn_DEF_##type, fields, N(fields), in, buf, size, out_len);            \
	}

CODEC(info_collected, AIN_InfoCollectedArg, struct ain_trigger, trigger_fields)
CODEC(info_analyzed, AIN_InfoAnalyzedArg, struct ain_trigger, trigger_fields)
CODEC(termination_attempt, AIN_TerminationAttemptArg, struct ain_trigger, trigger_fields)
CODEC(o_answer, AIN_OAnswerArg, struct ain_event, event_fields)
CODEC(t_answer, AIN_TAnswerArg, struct ain_event, event_fields)
CODEC(o_disconnect, AIN_ODisconnectArg, struct ain_event, event_fields)
CODEC(t_disconnect, AIN_TDisconnectArg, struct ain_event, event_fields)
CODEC(analyze_route, AIN_AnalyzeRouteArg, struct ain_analyze_route, analyze_route_fields)
CODEC(authorize_termination, AIN_AuthorizeTerminationArg, struct ain_authorize_termination,
      authorize_termination_fields)
CODEC(continue, AIN_ContinueArg, struct ain_continue, continue_fields)
CODEC(disconnect, AIN_DisconnectArg, struct ain_disconnect, disconnect_fields)
CODEC(rrbe, AIN_RequestReportBCMEventArg, struct ain_rrbe, rrbe_fields)
CODEC(close, AIN_CloseArg, struct ain_close, close_fields)
CODEC(acg, AIN_AcgArg, struct ain_acg, acg_fields)

/*
 * Names
 */

struct code_name {
	int code;
	const char *name;
};

static const struct code_name op_names[] = {
	{ AIN_OP_INFO_COLLECTED, "infoCollected" },
	{ AIN_OP_INFO_ANALYZED, "infoAnalyzed" },
	{ AIN_OP_FAILURE_OUTCOME, "failureOutcome" },
	{ AIN_OP_TERMINATION_ATTEMPT, "terminationAttempt" },
	{ AIN_OP_T_BUSY, "tBusy" },
	{ AIN_OP_T_NO_ANSWER, "tNoAnswer" },
	{ AIN_OP_O_NO_ANSWER, "oNoAnswer" },
	{ AIN_OP_T_ANSWER, "tAnswer" },
	{ AIN_OP_O_ANSWER, "oAnswer" },
	{ AIN_OP_O_TERM_SEIZED, "oTermSeized" },
	{ AIN_OP_TERM_RESOURCE_AVAILABLE, "termResourceAvailable" },
	{ AIN_OP_O_ABANDON, "oAbandon" },
	{ AIN_OP_O_MID_CALL, "oMidCall" },
	{ AIN_OP_SUCCESS_OUTCOME, "successOutcome" },
	{ AIN_OP_T_DISCONNECT, "tDisconnect" },
	{ AIN_OP_T_MID_CALL, "tMidCall" },
	{ AIN_OP_TIMEOUT, "timeout" },
	{ AIN_OP_NETWORK_BUSY, "networkBusy" },
	{ AIN_OP_ORIGINATION_ATTEMPT, "originationAttempt" },
	{ AIN_OP_O_SUSPENDED, "oSuspended" },
	{ AIN_OP_O_DISCONNECT, "oDisconnect" },
	{ AIN_OP_T_DTMF_ENTERED, "tDTMFEntered" },
	{ AIN_OP_ANALYZE_ROUTE, "analyzeRoute" },
	{ AIN_OP_AUTHORIZE_TERMINATION, "authorizeTermination" },
	{ AIN_OP_DISCONNECT, "disconnect" },
	{ AIN_OP_OFFER_CALL, "offerCall" },
	{ AIN_OP_COLLECT_INFORMATION, "collectInformation" },
	{ AIN_OP_CREATE_CALL, "createCall" },
	{ AIN_OP_DISCONNECT_LEG, "disconnectLeg" },
	{ AIN_OP_MERGE_CALL, "mergeCall" },
	{ AIN_OP_MOVE_LEG, "moveLeg" },
	{ AIN_OP_ORIGINATE_CALL, "originateCall" },
	{ AIN_OP_SPLIT_LEG, "splitLeg" },
	{ AIN_OP_CONTINUE, "continue" },
	{ AIN_OP_RECONNECT, "reconnect" },
	{ AIN_OP_SEND_TO_RESOURCE, "sendToResource" },
	{ AIN_OP_RESOURCE_CLEAR, "resourceClear" },
	{ AIN_OP_CANCEL_RESOURCE_EVENT, "cancelResourceEvent" },
	{ AIN_OP_CALL_INFO_FROM_RESOURCE, "callInfoFromResource" },
	{ AIN_OP_CONNECT_TO_RESOURCE, "connectToResource" },
	{ AIN_OP_CTR_CLEAR, "cTRClear" },
	{ AIN_OP_ACG, "acg" },
	{ AIN_OP_ECHO_REQUEST, "echoRequest" },
	{ AIN_OP_ACG_GLOBAL_CTRL_RESTORE, "acgGlobalCtrlRestore" },
	{ AIN_OP_ACG_OVERFLOW, "acgOverflow" },
	{ AIN_OP_CONTROL_REQUEST, "controlRequest" },
	{ AIN_OP_ACTIVITY_TEST, "activityTest" },
	{ AIN_OP_REQUEST_REPORT_BCM_EVENT, "requestReportBCMEvent" },
	{ AIN_OP_CLOSE, "close" },
};

const char *ain_op_name(int opcode16)
{
	size_t i;

	for (i = 0; i < N(op_names); i++) {
		if (op_names[i].code == opcode16)
			return op_names[i].name;
	}
	return NULL;
}

const char *ain_tct_name(enum ain_tct t)
{
	static const char *const names[] = {
		"featureActivator", "verticalServiceCode", "customizedAccess", "customizedIntercom", "npa",
		"npaNXX", "nxx", "nxxXXXX", "npaNXXXXXX", "countryCodeNPANXXXXXX", "carrierAccess", "prefixes",
		"n11", "aFR", "sharedIOTrunk", "terminationAttempt", "offHookImmediate", "offHookDelay",
		"channelSetupPRI", "npaN", "npaNX", "npaNXXX", "npaNXXXX", "npaNXXXXX", "networkBusy",
		"tNoAnswer", "tBusy", "oCalledPartyBusy", "specificFeatureCode", "oNoAnswer",
		"priNetworkServices", "oSwitchHookFlashImmediate", "oFeatureActivator",
		"oSwitchHookFlashSpecifiedCode", "tSwitchHookFlashImmediate", "tFeatureActivator",
		"tSwitchHookFlashSpecifiedCode", "numberPortability", "onePlus", "specifiedCarrier",
		"international", "zeroPlus", "zeroMinus", "localNumberPortabilityPORC",
		"localNumberPortabilityPORCdonor", NULL /* 45 reserved */, "termResourceAvailable",
		"officePublicFeatureCode", "trunkGroup", "dedicatedTrunkGroup",
	};

	return (unsigned int)t < N(names) ? names[t] : NULL;
}

const char *ain_edp_name(enum ain_edp e)
{
	static const char *const names[AIN_EDP_COUNT] = {
		"oCalledPartyBusy", "oNoAnswer", "oTermSeized", "oAnswer", "tBusy", "tNoAnswer",
		"termResourceAvailable", "tAnswer", "networkBusy", "oSuspended", "oDisconnectCalled",
		"oDisconnect", "oAbandon", "featureActivator", "switchHookFlash", "success", "tDisconnect",
		"timeout", "originationAttempt", "oDTMFEntered", "tDTMFEntered",
	};

	return (unsigned int)e < N(names) ? names[e] : NULL;
}

const char *ain_close_cause_name(enum ain_close_cause c)
{
	static const char *const names[] = {
		"callTerminated", "eDPsCompleted", "unexpectedCommunication", "calledPartyAnswered",
		"callForwardedEDPsCompleted", "newRequestedEvent",
	};

	return (unsigned int)c < N(names) ? names[c] : NULL;
}

const char *ain_bearer_cap_name(enum ain_bearer_cap b)
{
	static const char *const names[] = {
		"speech", "f31kHzaudio", "f7kHzaudio", "b56kbps", "b64kbps", "packetModeData", "multiRate",
	};

	return (unsigned int)b < N(names) ? names[b] : NULL;
}
