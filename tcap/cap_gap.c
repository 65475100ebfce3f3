/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* CAP v2/v3/v4 and INAP CS-1 overload and timer codecs: CallGap (code gapping,
 * sent when the SCP or the server is overloaded) and ResetTimer (Tssf). */

#include <errno.h>
#include <string.h>

#include <CAP-CallGapArg.h>
#include <CAP-ResetTimerArg.h>
#include <INAP-CallGapArg.h>
#include <INAP-ResetTimerArg.h>

#include "cap_priv.h"

#define OPT(has, ptr) ((has) ? (ptr) : NULL)

static int service_key_get(uint32_t *out, long v)
{
	if (v < 0 || v > 2147483647)
		return -EINVAL;
	*out = v;
	return 0;
}

static int digits_get(struct cap_call_gap *out, const OCTET_STRING_t *os)
{
	return cap_os_get(out->digits, CAP_MAX_RAW, &out->digits_len, os, 2);
}

/* BasicGapCriteria of CAP, and the whole GapCriteria of INAP CS-1: the two
 * types spell their alternatives alike. */
#define GAP_BASIC_GET(out, g, PFX, rc) do {					\
	switch ((g)->present) {							\
	case PFX##_PR_calledAddressValue:					\
		(out)->kind = CAP_GAP_CALLED_ADDRESS;				\
		(rc) = digits_get(out, &(g)->choice.calledAddressValue);	\
		break;								\
	case PFX##_PR_gapOnService:						\
		(out)->kind = CAP_GAP_SERVICE;					\
		(rc) = service_key_get(&(out)->service_key, (g)->choice.gapOnService.serviceKey); \
		break;								\
	case PFX##_PR_calledAddressAndService:					\
		(out)->kind = CAP_GAP_CALLED_AND_SERVICE;			\
		(rc) = digits_get(out, &(g)->choice.calledAddressAndService.calledAddressValue); \
		if (!(rc))							\
			(rc) = service_key_get(&(out)->service_key,		\
					       (g)->choice.calledAddressAndService.serviceKey); \
		break;								\
	case PFX##_PR_callingAddressAndService:					\
		(out)->kind = CAP_GAP_CALLING_AND_SERVICE;			\
		(rc) = digits_get(out, &(g)->choice.callingAddressAndService.callingAddressValue); \
		if (!(rc))							\
			(rc) = service_key_get(&(out)->service_key,		\
					       (g)->choice.callingAddressAndService.serviceKey); \
		break;								\
	default:	/* an alternative of a later release */			\
		(rc) = -EINVAL;							\
		break;								\
	}									\
} while (0)

#define GAP_BASIC_SET(g, in, PFX, rc) do {					\
	switch ((in)->kind) {							\
	case CAP_GAP_CALLED_ADDRESS:						\
		(g)->present = PFX##_PR_calledAddressValue;			\
		cap_os_set(&(g)->choice.calledAddressValue, (in)->digits, (in)->digits_len); \
		break;								\
	case CAP_GAP_SERVICE:							\
		(g)->present = PFX##_PR_gapOnService;				\
		(g)->choice.gapOnService.serviceKey = (in)->service_key;	\
		break;								\
	case CAP_GAP_CALLED_AND_SERVICE:					\
		(g)->present = PFX##_PR_calledAddressAndService;		\
		cap_os_set(&(g)->choice.calledAddressAndService.calledAddressValue, (in)->digits, \
			   (in)->digits_len);					\
		(g)->choice.calledAddressAndService.serviceKey = (in)->service_key; \
		break;								\
	case CAP_GAP_CALLING_AND_SERVICE:					\
		(g)->present = PFX##_PR_callingAddressAndService;		\
		cap_os_set(&(g)->choice.callingAddressAndService.callingAddressValue, (in)->digits, \
			   (in)->digits_len);					\
		(g)->choice.callingAddressAndService.serviceKey = (in)->service_key; \
		break;								\
	default:								\
		(rc) = -EINVAL;							\
		break;								\
	}									\
} while (0)

/* Indicators, control type and treatment: same member names in both types. */
#define GAP_REST_GET(out, a, PFX, rc) do {					\
	(out)->duration = (a)->gapIndicators.duration;				\
	(out)->gap_interval = (a)->gapIndicators.gapInterval;			\
	if ((a)->gapIndicators.duration < -2 || (a)->gapIndicators.duration > 86400 || \
	    (a)->gapIndicators.gapInterval < -1 || (a)->gapIndicators.gapInterval > 60000) \
		(rc) = -EINVAL;							\
	if ((a)->controlType) {							\
		if (*(a)->controlType < 0 || *(a)->controlType > 255)		\
			(rc) = -EINVAL;						\
		(out)->has_control_type = true;					\
		(out)->control_type = *(a)->controlType;			\
	}									\
	if (!(rc) && (a)->gapTreatment &&					\
	    (a)->gapTreatment->present == PFX##_GapTreatment_PR_releaseCause) {	\
		(rc) = cap_os_get((out)->release_cause, CAP_MAX_RAW, &(out)->release_cause_len, \
				  &(a)->gapTreatment->choice.releaseCause, 2);	\
		(out)->has_release_cause = true;				\
	}									\
} while (0)

int cap_call_gap_decode(struct cap_call_gap *out, enum cap_protocol p, const uint8_t *buf, size_t len)
{
	asn_TYPE_descriptor_t *td = p == CAP_PROTO_INAP ? &asn_DEF_INAP_CallGapArg : &asn_DEF_CAP_CallGapArg;
	void *st;
	int rc;

	if (!cap_proto_valid(p))
		return -EINVAL;
	rc = cap_ber_decode(td, &st, buf, len);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	if (p == CAP_PROTO_INAP) {
		const INAP_CallGapArg_t *a = st;

		GAP_BASIC_GET(out, &a->gapCriteria, INAP_GapCriteria, rc);
		if (!rc)
			GAP_REST_GET(out, a, INAP, rc);
	} else {
		const CAP_CallGapArg_t *a = st;
		const CAP_BasicGapCriteria_t *basic = NULL;

		if (a->gapCriteria.present == CAP_GapCriteria_PR_basicGapCriteria) {
			basic = &a->gapCriteria.choice.basicGapCriteria;
		} else if (a->gapCriteria.present == CAP_GapCriteria_PR_compoundGapCriteria) {
			const CAP_CompoundCriteria_t *c = &a->gapCriteria.choice.compoundGapCriteria;

			basic = &c->basicGapCriteria;
			if (c->scfID) {
				rc = cap_os_get(out->scf_id, CAP_MAX_RAW, &out->scf_id_len, c->scfID, 2);
				out->has_scf_id = true;
			}
		}
		if (!basic)
			rc = -EINVAL;
		if (!rc)
			GAP_BASIC_GET(out, basic, CAP_BasicGapCriteria, rc);
		if (!rc)
			GAP_REST_GET(out, a, CAP, rc);
	}
	ASN_STRUCT_FREE(*td, st);
	return rc;
}

int cap_call_gap_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p,
			const struct cap_call_gap *in)
{
	OCTET_STRING_t scf_id;
	long control_type = in->control_type;
	int rc = 0;

	if (!cap_proto_valid(p) || in->duration < -2 || in->duration > 86400 || in->gap_interval < -1 ||
	    in->gap_interval > 60000 || in->service_key > CAP_INTEGER4_MAX)
		return -EINVAL;
	if (in->kind != CAP_GAP_SERVICE && !cap_len_ok(in->digits_len, CAP_LEN_DIGITS))
		return -EINVAL;
	if ((in->has_release_cause && !cap_len_ok(in->release_cause_len, CAP_LEN_CAUSE)) ||
	    (in->has_scf_id && !cap_len_ok(in->scf_id_len, CAP_LEN_SCF_ID)))
		return -EINVAL;
	cap_os_set(&scf_id, in->scf_id, in->scf_id_len);

	if (p == CAP_PROTO_INAP) {
		INAP_CallGapArg_t a = { 0 };
		INAP_GapTreatment_t treatment = { 0 };

		if (in->has_scf_id || (in->has_control_type && in->control_type > 2))
			return -EINVAL;	/* no compound criteria in CS-1 */
		GAP_BASIC_SET(&a.gapCriteria, in, INAP_GapCriteria, rc);
		if (rc)
			return rc;
		a.gapIndicators.duration = in->duration;
		a.gapIndicators.gapInterval = in->gap_interval;
		a.controlType = OPT(in->has_control_type, &control_type);
		treatment.present = INAP_GapTreatment_PR_releaseCause;
		cap_os_set(&treatment.choice.releaseCause, in->release_cause, in->release_cause_len);
		a.gapTreatment = OPT(in->has_release_cause, &treatment);
		return cap_der_encode(&asn_DEF_INAP_CallGapArg, &a, buf, size, out_len);
	} else {
		CAP_CallGapArg_t a = { 0 };
		CAP_GapTreatment_t treatment = { 0 };
		CAP_BasicGapCriteria_t *basic;

		if (in->has_scf_id) {
			if (p == CAP_PROTO_CAP2)
				return -EINVAL;	/* compoundGapCriteria is CAP v3 and later */
			a.gapCriteria.present = CAP_GapCriteria_PR_compoundGapCriteria;
			a.gapCriteria.choice.compoundGapCriteria.scfID = &scf_id;
			basic = &a.gapCriteria.choice.compoundGapCriteria.basicGapCriteria;
		} else {
			a.gapCriteria.present = CAP_GapCriteria_PR_basicGapCriteria;
			basic = &a.gapCriteria.choice.basicGapCriteria;
		}
		GAP_BASIC_SET(basic, in, CAP_BasicGapCriteria, rc);
		if (rc)
			return rc;
		if (in->has_control_type && in->control_type > 1)
			return -EINVAL;	/* destinationOverload is INAP only */
		a.gapIndicators.duration = in->duration;
		a.gapIndicators.gapInterval = in->gap_interval;
		a.controlType = OPT(in->has_control_type, &control_type);
		treatment.present = CAP_GapTreatment_PR_releaseCause;
		cap_os_set(&treatment.choice.releaseCause, in->release_cause, in->release_cause_len);
		a.gapTreatment = OPT(in->has_release_cause, &treatment);
		return cap_der_encode(&asn_DEF_CAP_CallGapArg, &a, buf, size, out_len);
	}
}

/*
 * ResetTimer
 */

#define RESET_GET(out, a, rc) do {						\
	if ((a)->timerID && *(a)->timerID != 0) /* TimerID: tssf(0) only */	\
		(rc) = -EINVAL;							\
	if ((a)->timervalue < 0 || (a)->timervalue > 2147483647)		\
		(rc) = -EINVAL;							\
	(out)->timer_id = (a)->timerID ? *(a)->timerID : 0;			\
	(out)->timer_value = (a)->timervalue;					\
} while (0)

int cap_reset_timer_decode(struct cap_reset_timer *out, enum cap_protocol p, const uint8_t *buf, size_t len)
{
	asn_TYPE_descriptor_t *td = p == CAP_PROTO_INAP ? &asn_DEF_INAP_ResetTimerArg : &asn_DEF_CAP_ResetTimerArg;
	void *st;
	int rc;

	if (!cap_proto_valid(p))
		return -EINVAL;
	rc = cap_ber_decode(td, &st, buf, len);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	if (p == CAP_PROTO_INAP) {
		const INAP_ResetTimerArg_t *a = st;

		RESET_GET(out, a, rc);
	} else {
		const CAP_ResetTimerArg_t *a = st;

		RESET_GET(out, a, rc);
	}
	ASN_STRUCT_FREE(*td, st);
	return rc;
}

int cap_reset_timer_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p,
			   const struct cap_reset_timer *in)
{
	/* tssf (0) is the only timer and the default, so it is left out (DER). */
	if (!cap_proto_valid(p) || in->timer_id != 0 || in->timer_value > CAP_INTEGER4_MAX)
		return -EINVAL;
	if (p == CAP_PROTO_INAP) {
		INAP_ResetTimerArg_t a = { 0 };

		a.timervalue = in->timer_value;
		return cap_der_encode(&asn_DEF_INAP_ResetTimerArg, &a, buf, size, out_len);
	} else {
		CAP_ResetTimerArg_t a = { 0 };

		a.timervalue = in->timer_value;
		return cap_der_encode(&asn_DEF_CAP_ResetTimerArg, &a, buf, size, out_len);
	}
}
