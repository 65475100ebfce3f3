/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* CAP v2/v3/v4 and INAP CS-1 argument codecs: InitialDP, Connect, ReleaseCall
 * and ContinueWithArgument (TS 29.078 6.1.1, ETS 300 374-1 clause 8). */

#include <errno.h>
#include <string.h>

#include <CAP-ConnectArg.h>
#include <CAP-ContinueWithArgumentArg.h>
#include <CAP-InitialDPArg.h>
#include <CAP-InitialDPArgV2.h>
#include <CAP-ReleaseCallArg.h>
#include <INAP-ConnectArg.h>
#include <INAP-InitialDPArg.h>
#include <INAP-ReleaseCallArg.h>

#include "cap_priv.h"

NULL_t cap_null;

int cap_leg_get(struct cap_leg_id *leg, const INAP_LegID_t *id)
{
	const OCTET_STRING_t *os;

	switch (id->present) {
	case INAP_LegID_PR_sendingSideID:
		leg->side = CAP_LEG_SENDING;
		os = &id->choice.sendingSideID;
		break;
	case INAP_LegID_PR_receivingSideID:
		leg->side = CAP_LEG_RECEIVING;
		os = &id->choice.receivingSideID;
		break;
	default:
		return -EINVAL;
	}
	if (os->size != 1)
		return -EINVAL;
	leg->leg = os->buf[0];
	return 0;
}

int cap_leg_set(INAP_LegID_t *id, uint8_t *octet, const struct cap_leg_id *leg)
{
	memset(id, 0, sizeof(*id));
	*octet = leg->leg;
	switch (leg->side) {
	case CAP_LEG_SENDING:
		id->present = INAP_LegID_PR_sendingSideID;
		cap_os_set(&id->choice.sendingSideID, octet, 1);
		return 0;
	case CAP_LEG_RECEIVING:
		id->present = INAP_LegID_PR_receivingSideID;
		cap_os_set(&id->choice.receivingSideID, octet, 1);
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * InitialDP
 *
 * CAP v2, CAP v3/v4 and INAP CS-1 each have their own InitialDPArg type, but the
 * fields they share have the same member names in all three generated structs,
 * so the copying of those is written once, as macros over the struct type.
 */

/* Decoded fields, whichever type they came from. */
struct idp_view {
	long service_key;
	const OCTET_STRING_t *called, *calling, *category, *location, *orig_called, *redirecting, *redir_info;
	const OCTET_STRING_t *bearer_cap;
	const long *event_type;
	const OCTET_STRING_t *imsi, *call_ref, *msc, *called_bcd, *time_tz, *gmsc;
	const CAP_LocationInformation_t *loc;
	const CAP_Ext_BasicServiceCode_t *bsc;
	bool fwd_pending;
	const OCTET_STRING_t *dialled;
};

#define IDP_VIEW_COMMON(v, a) do {						\
	(v)->service_key = (a)->serviceKey;					\
	(v)->called = (a)->calledPartyNumber;					\
	(v)->calling = (a)->callingPartyNumber;					\
	(v)->category = (a)->callingPartysCategory;				\
	(v)->location = (a)->locationNumber;					\
	(v)->orig_called = (a)->originalCalledPartyID;				\
	(v)->redirecting = (a)->redirectingPartyID;				\
	(v)->redir_info = (a)->redirectionInformation;				\
	(v)->event_type = (a)->eventTypeBCSM;					\
	if ((a)->bearerCapability && (a)->bearerCapability->present == 1)	\
		(v)->bearer_cap = &(a)->bearerCapability->choice.bearerCap;	\
} while (0)

#define IDP_VIEW_CAP(v, a) do {							\
	(v)->imsi = (a)->iMSI;							\
	(v)->loc = (a)->locationInformation;					\
	(v)->bsc = (a)->ext_basicServiceCode;					\
	(v)->call_ref = (a)->callReferenceNumber;				\
	(v)->msc = (a)->mscAddress;						\
	(v)->called_bcd = (a)->calledPartyBCDNumber;				\
	(v)->time_tz = (a)->timeAndTimezone;					\
	if ((a)->initialDPArgExtension)						\
		(v)->gmsc = (a)->initialDPArgExtension->gmscAddress;		\
} while (0)

/* "present == 1" above is the bearerCap alternative of both BearerCapability types. */
_Static_assert(CAP_BearerCapability_PR_bearerCap == 1 && INAP_BearerCapability_PR_bearerCap == 1,
	       "bearerCap is the first alternative");

static int idp_from_loc(struct cap_idp *out, const CAP_LocationInformation_t *loc)
{
	const CAP_CellGlobalIdOrServiceAreaIdOrLAI_t *cgi = loc->cellGlobalIdOrServiceAreaIdOrLAI;
	uint8_t len;

	if (loc->ageOfLocationInformation) {
		if (*loc->ageOfLocationInformation < 0 || *loc->ageOfLocationInformation > 32767)
			return -EINVAL;
		out->has_age_of_location = true;
		out->age_of_location = *loc->ageOfLocationInformation;
	}
	if (loc->vlr_number) {
		if (cap_num_get(&out->vlr_number, TCAP_NUMFMT_BCD, loc->vlr_number, CAP_LEN_ISDN))
			return -EINVAL;
		out->has_vlr_number = true;
	}
	if (!cgi)
		return 0;
	switch (cgi->present) {
	case CAP_CellGlobalIdOrServiceAreaIdOrLAI_PR_cellGlobalIdOrServiceAreaIdFixedLength:
		if (cap_os_get(out->cell_id, sizeof(out->cell_id), &len,
			       &cgi->choice.cellGlobalIdOrServiceAreaIdFixedLength, sizeof(out->cell_id)))
			return -EINVAL;
		out->has_cell_id = true;
		return 0;
	case CAP_CellGlobalIdOrServiceAreaIdOrLAI_PR_laiFixedLength:
		if (cap_os_get(out->lai, sizeof(out->lai), &len, &cgi->choice.laiFixedLength, sizeof(out->lai)))
			return -EINVAL;
		out->has_lai = true;
		return 0;
	default:
		return -EINVAL;
	}
}

static int idp_from_view(struct cap_idp *out, const struct idp_view *v, enum cap_protocol p)
{
	uint8_t len;

	if (v->service_key < 0 || v->service_key > 2147483647)
		return -EINVAL;
	out->service_key = v->service_key;
	if (v->called) {
		if (cap_num_get(&out->called, TCAP_NUMFMT_ISUP_CALLED, v->called, CAP_LEN_CALLED))
			return -EINVAL;
		out->has_called = true;
	}
	if (v->calling) {
		if (cap_num_get(&out->calling, TCAP_NUMFMT_ISUP_CALLING, v->calling, CAP_LEN_CALLING))
			return -EINVAL;
		out->has_calling = true;
	}
	if (v->category) {
		if (v->category->size != 1)
			return -EINVAL;
		out->has_calling_category = true;
		out->calling_category = v->category->buf[0];
	}
	if (v->location) {
		if (cap_num_get(&out->location_number, TCAP_NUMFMT_ISUP_CALLING, v->location, CAP_LEN_CALLING))
			return -EINVAL;
		out->has_location_number = true;
	}
	if (v->orig_called) {
		if (cap_num_get(&out->original_called, TCAP_NUMFMT_ISUP_CALLING, v->orig_called, CAP_LEN_CALLING))
			return -EINVAL;
		out->has_original_called = true;
	}
	if (v->redirecting) {
		if (cap_num_get(&out->redirecting, TCAP_NUMFMT_ISUP_CALLING, v->redirecting, CAP_LEN_CALLING))
			return -EINVAL;
		out->has_redirecting = true;
	}
	if (v->redir_info) {
		if (cap_os_get(out->redirection_info, 2, &len, v->redir_info, 2))
			return -EINVAL;
		out->has_redirection_info = true;
	}
	if (v->bearer_cap) {
		if (cap_os_get(out->bearer_cap, CAP_MAX_BEARER_CAP, &out->bearer_cap_len, v->bearer_cap, 2))
			return -EINVAL;
		out->has_bearer_cap = true;
	}
	if (v->event_type) {
		/* only what this protocol's EventTypeBCSM defines, so that it can be sent back */
		if (*v->event_type < 0 || *v->event_type > 127 || !cap_event_ok(p, *v->event_type))
			return -EINVAL;
		out->has_event_type = true;
		out->event_type = *v->event_type;
	}
	if (v->imsi) {
		/* IMSI ::= TBCD-STRING (SIZE (3..8)), as the encoder enforces */
		if (!cap_len_ok(v->imsi->size, 3, 8) ||
		    tcap_tbcd_decode(out->imsi, sizeof(out->imsi), v->imsi->buf, v->imsi->size) < 0)
			return -EINVAL;
		out->has_imsi = true;
	}
	if (v->loc && idp_from_loc(out, v->loc))
		return -EINVAL;
	if (v->bsc) {
		switch (v->bsc->present) {
		case CAP_Ext_BasicServiceCode_PR_ext_Teleservice:
			if (v->bsc->choice.ext_Teleservice.size < 1)
				return -EINVAL;
			out->has_teleservice = true;
			out->teleservice = v->bsc->choice.ext_Teleservice.buf[0];
			break;
		case CAP_Ext_BasicServiceCode_PR_ext_BearerService:
			if (v->bsc->choice.ext_BearerService.size < 1)
				return -EINVAL;
			out->has_bearer_service = true;
			out->bearer_service = v->bsc->choice.ext_BearerService.buf[0];
			break;
		default:
			break;	/* a later alternative: skipped */
		}
	}
	if (v->call_ref) {
		if (cap_os_get(out->call_ref, CAP_MAX_CALL_REF, &out->call_ref_len, v->call_ref, 1))
			return -EINVAL;
		out->has_call_ref = true;
	}
	if (v->msc) {
		if (cap_num_get(&out->msc_address, TCAP_NUMFMT_BCD, v->msc, CAP_LEN_ISDN))
			return -EINVAL;
		out->has_msc_address = true;
	}
	if (v->called_bcd) {
		if (cap_num_get(&out->called_bcd, TCAP_NUMFMT_BCD, v->called_bcd, CAP_LEN_BCD))
			return -EINVAL;
		out->has_called_bcd = true;
	}
	if (v->time_tz) {
		if (tcap_time_tz_decode(&out->time_tz, v->time_tz->buf, v->time_tz->size))
			return -EINVAL;
		out->has_time_tz = true;
	}
	out->call_forwarding_pending = v->fwd_pending;
	if (v->gmsc) {
		if (cap_num_get(&out->gmsc_address, TCAP_NUMFMT_BCD, v->gmsc, CAP_LEN_ISDN))
			return -EINVAL;
		out->has_gmsc_address = true;
	}
	if (v->dialled) {
		if (cap_num_get(&out->dialled_digits, TCAP_NUMFMT_ISUP_CALLED, v->dialled, CAP_LEN_CALLED))
			return -EINVAL;
		out->has_dialled_digits = true;
	}
	return 0;
}

int cap_idp_decode(struct cap_idp *out, enum cap_protocol p, const uint8_t *buf, size_t len)
{
	struct idp_view v = { 0 };
	asn_TYPE_descriptor_t *td;
	void *st;
	int rc;

	switch (p) {
	case CAP_PROTO_CAP2:
		td = &asn_DEF_CAP_InitialDPArgV2;
		break;
	case CAP_PROTO_CAP3:
	case CAP_PROTO_CAP4:
		td = &asn_DEF_CAP_InitialDPArg;
		break;
	case CAP_PROTO_INAP:
		td = &asn_DEF_INAP_InitialDPArg;
		break;
	default:
		return -EINVAL;
	}
	rc = cap_ber_decode(td, &st, buf, len);
	if (rc)
		return rc;

	if (p == CAP_PROTO_CAP2) {
		const CAP_InitialDPArgV2_t *a = st;

		IDP_VIEW_COMMON(&v, a);
		IDP_VIEW_CAP(&v, a);
		v.fwd_pending = a->gsm_ForwardingPending != NULL;
	} else if (p == CAP_PROTO_INAP) {
		const INAP_InitialDPArg_t *a = st;

		IDP_VIEW_COMMON(&v, a);
		v.dialled = a->dialledDigits;
	} else {
		const CAP_InitialDPArg_t *a = st;

		IDP_VIEW_COMMON(&v, a);
		IDP_VIEW_CAP(&v, a);
		v.fwd_pending = a->callForwardingSS_Pending != NULL;
	}
	memset(out, 0, sizeof(*out));
	rc = idp_from_view(out, &v, p);
	ASN_STRUCT_FREE(*td, st);
	return rc;
}

/* Everything the encoder points the asn1c structure at. */
struct idp_parts {
	struct cap_num_buf called_b, calling_b, location_b, orig_called_b, redirecting_b, vlr_b, msc_b, called_bcd_b,
		gmsc_b, dialled_b;
	OCTET_STRING_t called, calling, category, location, orig_called, redirecting, redir_info, imsi, call_ref, msc,
		called_bcd, time_tz, dialled, bearer_cap;
	uint8_t imsi_b[8], time_tz_b[8];
	long event_type;
	CAP_LocationInformation_t loc;
	long age;
	OCTET_STRING_t vlr;
	CAP_CellGlobalIdOrServiceAreaIdOrLAI_t cgi;
	CAP_Ext_BasicServiceCode_t bsc;
	CAP_InitialDPArgExtension_t ext;
	CAP_InitialDPArgExtensionV2_t ext2;
	OCTET_STRING_t gmsc;
	CAP_BearerCapability_t cap_bc;
	INAP_BearerCapability_t inap_bc;
};

#define OPT(has, ptr) ((has) ? (ptr) : NULL)

#define IDP_SET_COMMON(a, in, pt) do {						\
	(a)->serviceKey = (in)->service_key;					\
	(a)->calledPartyNumber = OPT((in)->has_called, &(pt)->called);		\
	(a)->callingPartyNumber = OPT((in)->has_calling, &(pt)->calling);	\
	(a)->callingPartysCategory = OPT((in)->has_calling_category, &(pt)->category); \
	(a)->locationNumber = OPT((in)->has_location_number, &(pt)->location);	\
	(a)->originalCalledPartyID = OPT((in)->has_original_called, &(pt)->orig_called); \
	(a)->redirectingPartyID = OPT((in)->has_redirecting, &(pt)->redirecting); \
	(a)->redirectionInformation = OPT((in)->has_redirection_info, &(pt)->redir_info); \
	(a)->eventTypeBCSM = OPT((in)->has_event_type, &(pt)->event_type);	\
} while (0)

#define IDP_SET_CAP(a, in, pt) do {						\
	(a)->bearerCapability = OPT((in)->has_bearer_cap, &(pt)->cap_bc);	\
	(a)->iMSI = OPT((in)->has_imsi, &(pt)->imsi);				\
	(a)->locationInformation = OPT((in)->has_age_of_location || (in)->has_vlr_number || \
				       (in)->has_cell_id || (in)->has_lai, &(pt)->loc); \
	(a)->ext_basicServiceCode = OPT((in)->has_teleservice || (in)->has_bearer_service, &(pt)->bsc); \
	(a)->callReferenceNumber = OPT((in)->has_call_ref, &(pt)->call_ref);	\
	(a)->mscAddress = OPT((in)->has_msc_address, &(pt)->msc);		\
	(a)->calledPartyBCDNumber = OPT((in)->has_called_bcd, &(pt)->called_bcd); \
	(a)->timeAndTimezone = OPT((in)->has_time_tz, &(pt)->time_tz);		\
} while (0)

static int idp_parts_fill(struct idp_parts *pt, enum cap_protocol p, const struct cap_idp *in)
{
	size_t len;

	memset(pt, 0, sizeof(*pt));
	if (in->has_called &&
	    cap_num_set(&pt->called, &pt->called_b, TCAP_NUMFMT_ISUP_CALLED, &in->called, CAP_LEN_CALLED))
		return -EINVAL;
	if (in->has_calling && cap_num_set(&pt->calling, &pt->calling_b, TCAP_NUMFMT_ISUP_CALLING, &in->calling,
					 CAP_LEN_CALLING))
		return -EINVAL;
	cap_os_set(&pt->category, &in->calling_category, 1);
	if (in->has_location_number &&
	    cap_num_set(&pt->location, &pt->location_b, TCAP_NUMFMT_ISUP_CALLING, &in->location_number,
			CAP_LEN_CALLING))
		return -EINVAL;
	if (in->has_original_called &&
	    cap_num_set(&pt->orig_called, &pt->orig_called_b, TCAP_NUMFMT_ISUP_CALLING, &in->original_called,
			CAP_LEN_CALLING))
		return -EINVAL;
	if (in->has_redirecting &&
	    cap_num_set(&pt->redirecting, &pt->redirecting_b, TCAP_NUMFMT_ISUP_CALLING, &in->redirecting,
			CAP_LEN_CALLING))
		return -EINVAL;
	cap_os_set(&pt->redir_info, in->redirection_info, 2);
	if (in->service_key > CAP_INTEGER4_MAX || (in->has_age_of_location && in->age_of_location > 32767))
		return -EINVAL;
	if (in->has_bearer_cap && !cap_len_ok(in->bearer_cap_len, 2, CAP_MAX_BEARER_CAP))
		return -EINVAL;
	cap_os_set(&pt->bearer_cap, in->bearer_cap, in->bearer_cap_len);
	pt->cap_bc.present = CAP_BearerCapability_PR_bearerCap;
	pt->cap_bc.choice.bearerCap = pt->bearer_cap;
	pt->inap_bc.present = INAP_BearerCapability_PR_bearerCap;
	pt->inap_bc.choice.bearerCap = pt->bearer_cap;
	if (in->has_event_type && !cap_event_ok(p, in->event_type))
		return -EINVAL;
	pt->event_type = in->event_type;

	if (in->has_imsi) {
		if (tcap_tbcd_encode(pt->imsi_b, sizeof(pt->imsi_b), &len, in->imsi) || len < 3)
			return -EINVAL;
		cap_os_set(&pt->imsi, pt->imsi_b, len);
	}
	pt->age = in->age_of_location;
	pt->loc.ageOfLocationInformation = OPT(in->has_age_of_location, &pt->age);
	if (in->has_vlr_number && cap_num_set(&pt->vlr, &pt->vlr_b, TCAP_NUMFMT_BCD, &in->vlr_number, CAP_LEN_ISDN))
		return -EINVAL;
	pt->loc.vlr_number = OPT(in->has_vlr_number, &pt->vlr);
	if (in->has_cell_id && in->has_lai)
		return -EINVAL;	/* one CHOICE */
	if (in->has_cell_id) {
		pt->cgi.present = CAP_CellGlobalIdOrServiceAreaIdOrLAI_PR_cellGlobalIdOrServiceAreaIdFixedLength;
		cap_os_set(&pt->cgi.choice.cellGlobalIdOrServiceAreaIdFixedLength, in->cell_id, sizeof(in->cell_id));
	} else if (in->has_lai) {
		pt->cgi.present = CAP_CellGlobalIdOrServiceAreaIdOrLAI_PR_laiFixedLength;
		cap_os_set(&pt->cgi.choice.laiFixedLength, in->lai, sizeof(in->lai));
	}
	pt->loc.cellGlobalIdOrServiceAreaIdOrLAI = OPT(in->has_cell_id || in->has_lai, &pt->cgi);
	if (in->has_teleservice && in->has_bearer_service)
		return -EINVAL;	/* one CHOICE */
	if (in->has_teleservice) {
		pt->bsc.present = CAP_Ext_BasicServiceCode_PR_ext_Teleservice;
		cap_os_set(&pt->bsc.choice.ext_Teleservice, &in->teleservice, 1);
	} else {
		pt->bsc.present = CAP_Ext_BasicServiceCode_PR_ext_BearerService;
		cap_os_set(&pt->bsc.choice.ext_BearerService, &in->bearer_service, 1);
	}
	if (in->has_call_ref && !cap_len_ok(in->call_ref_len, 1, CAP_MAX_CALL_REF))
		return -EINVAL;
	cap_os_set(&pt->call_ref, in->call_ref, in->call_ref_len);
	if (in->has_msc_address && cap_num_set(&pt->msc, &pt->msc_b, TCAP_NUMFMT_BCD, &in->msc_address, CAP_LEN_ISDN))
		return -EINVAL;
	if (in->has_called_bcd && cap_num_set(&pt->called_bcd, &pt->called_bcd_b, TCAP_NUMFMT_BCD, &in->called_bcd,
						 CAP_LEN_BCD))
		return -EINVAL;
	if (in->has_time_tz) {
		if (tcap_time_tz_encode(pt->time_tz_b, sizeof(pt->time_tz_b), &len, &in->time_tz))
			return -EINVAL;
		cap_os_set(&pt->time_tz, pt->time_tz_b, len);
	}
	if (in->has_gmsc_address &&
	    cap_num_set(&pt->gmsc, &pt->gmsc_b, TCAP_NUMFMT_BCD, &in->gmsc_address, CAP_LEN_ISDN))
		return -EINVAL;
	pt->ext.gmscAddress = &pt->gmsc;
	pt->ext2.gmscAddress = &pt->gmsc;
	if (in->has_dialled_digits &&
	    cap_num_set(&pt->dialled, &pt->dialled_b, TCAP_NUMFMT_ISUP_CALLED, &in->dialled_digits,
			CAP_LEN_CALLED))
		return -EINVAL;
	return 0;
}

static bool idp_has_cap_only(const struct cap_idp *in)
{
	return in->has_imsi || in->has_age_of_location || in->has_vlr_number || in->has_cell_id || in->has_lai ||
	       in->has_teleservice || in->has_bearer_service || in->has_call_ref || in->has_msc_address ||
	       in->has_called_bcd || in->has_time_tz || in->call_forwarding_pending || in->has_gmsc_address;
}

int cap_idp_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p, const struct cap_idp *in)
{
	struct idp_parts pt;
	int rc;

	if (!cap_proto_valid(p))
		return -EINVAL;
	if (p == CAP_PROTO_INAP ? idp_has_cap_only(in) : in->has_dialled_digits)
		return -EINVAL;
	rc = idp_parts_fill(&pt, p, in);
	if (rc)
		return rc;

	if (p == CAP_PROTO_CAP2) {
		CAP_InitialDPArgV2_t a = { 0 };

		IDP_SET_COMMON(&a, in, &pt);
		IDP_SET_CAP(&a, in, &pt);
		a.gsm_ForwardingPending = OPT(in->call_forwarding_pending, &cap_null);
		a.initialDPArgExtension = OPT(in->has_gmsc_address, &pt.ext2);
		return cap_der_encode(&asn_DEF_CAP_InitialDPArgV2, &a, buf, size, out_len);
	} else if (p == CAP_PROTO_INAP) {
		INAP_InitialDPArg_t a = { 0 };

		IDP_SET_COMMON(&a, in, &pt);
		a.bearerCapability = OPT(in->has_bearer_cap, &pt.inap_bc);
		a.dialledDigits = OPT(in->has_dialled_digits, &pt.dialled);
		return cap_der_encode(&asn_DEF_INAP_InitialDPArg, &a, buf, size, out_len);
	} else {
		CAP_InitialDPArg_t a = { 0 };

		IDP_SET_COMMON(&a, in, &pt);
		IDP_SET_CAP(&a, in, &pt);
		a.callForwardingSS_Pending = OPT(in->call_forwarding_pending, &cap_null);
		a.initialDPArgExtension = OPT(in->has_gmsc_address, &pt.ext);
		return cap_der_encode(&asn_DEF_CAP_InitialDPArg, &a, buf, size, out_len);
	}
}

/*
 * Connect
 */

/* Connect fields of both ConnectArg types (same member names). */
#define CONNECT_GET(out, a, rc) do {						\
	const OCTET_STRING_t *cat_ = (a)->callingPartysCategory;		\
	uint8_t l_;								\
	int i_;									\
	for (i_ = 0; !(rc) && i_ < (a)->destinationRoutingAddress.list.count; i_++) \
		(rc) = cap_num_get(&(out)->dra[i_], TCAP_NUMFMT_ISUP_CALLED,	\
				   (a)->destinationRoutingAddress.list.array[i_], CAP_LEN_CALLED); \
	(out)->num_dra = (a)->destinationRoutingAddress.list.count;		\
	(out)->has_original_called = (a)->originalCalledPartyID != NULL;	\
	if (!(rc) && (out)->has_original_called)				\
		(rc) = cap_num_get(&(out)->original_called, TCAP_NUMFMT_ISUP_CALLING, \
				   (a)->originalCalledPartyID, CAP_LEN_CALLING);	\
	(out)->has_redirecting = (a)->redirectingPartyID != NULL;		\
	if (!(rc) && (out)->has_redirecting)					\
		(rc) = cap_num_get(&(out)->redirecting, TCAP_NUMFMT_ISUP_CALLING,	\
				   (a)->redirectingPartyID, CAP_LEN_CALLING);	\
	(out)->has_redirection_info = (a)->redirectionInformation != NULL;	\
	if (!(rc) && (out)->has_redirection_info)				\
		(rc) = cap_os_get((out)->redirection_info, 2, &l_, (a)->redirectionInformation, 2); \
	(out)->has_calling_category = cat_ != NULL;				\
	if (!(rc) && cat_)							\
		(rc) = cap_os_get(&(out)->calling_category, 1, &l_, cat_, 1);	\
} while (0)

int cap_connect_decode(struct cap_connect *out, enum cap_protocol p, const uint8_t *buf, size_t len)
{
	asn_TYPE_descriptor_t *td = p == CAP_PROTO_INAP ? &asn_DEF_INAP_ConnectArg : &asn_DEF_CAP_ConnectArg;
	unsigned int max_dra = p == CAP_PROTO_INAP ? 3 : 1;	/* numOfAddresses / SIZE(1) */
	void *st;
	int rc;

	if (!cap_proto_valid(p))
		return -EINVAL;
	rc = cap_ber_decode(td, &st, buf, len);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	if (p == CAP_PROTO_INAP) {
		const INAP_ConnectArg_t *a = st;

		if (a->destinationRoutingAddress.list.count < 1 ||
		    (unsigned int)a->destinationRoutingAddress.list.count > max_dra)
			rc = -EINVAL;
		else
			CONNECT_GET(out, a, rc);
	} else {
		const CAP_ConnectArg_t *a = st;

		if (a->destinationRoutingAddress.list.count < 1 ||
		    (unsigned int)a->destinationRoutingAddress.list.count > max_dra)
			rc = -EINVAL;
		else
			CONNECT_GET(out, a, rc);
		out->suppression_of_announcement = a->suppressionOfAnnouncement != NULL;
		out->ocsi_applicable = a->oCSIApplicable != NULL;
	}
	ASN_STRUCT_FREE(*td, st);
	return rc;
}

struct connect_parts {
	struct cap_num_buf dra_b[CAP_MAX_DRA], orig_called_b, redirecting_b;
	OCTET_STRING_t dra[CAP_MAX_DRA], orig_called, redirecting, redir_info, category;
	OCTET_STRING_t *dra_p[CAP_MAX_DRA];
};

#define CONNECT_SET(a, in, pt) do {						\
	(a)->destinationRoutingAddress.list.array = (pt)->dra_p;		\
	(a)->destinationRoutingAddress.list.count = (in)->num_dra;		\
	(a)->destinationRoutingAddress.list.size = (in)->num_dra;		\
	(a)->originalCalledPartyID = OPT((in)->has_original_called, &(pt)->orig_called); \
	(a)->redirectingPartyID = OPT((in)->has_redirecting, &(pt)->redirecting); \
	(a)->redirectionInformation = OPT((in)->has_redirection_info, &(pt)->redir_info); \
	(a)->callingPartysCategory = OPT((in)->has_calling_category, &(pt)->category); \
} while (0)

int cap_connect_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p, const struct cap_connect *in)
{
	unsigned int max_dra = p == CAP_PROTO_INAP ? 3 : 1;
	struct connect_parts pt;
	unsigned int i;

	if (!cap_proto_valid(p) || in->num_dra < 1 || in->num_dra > max_dra)
		return -EINVAL;
	memset(&pt, 0, sizeof(pt));
	for (i = 0; i < in->num_dra; i++) {
		if (cap_num_set(&pt.dra[i], &pt.dra_b[i], TCAP_NUMFMT_ISUP_CALLED, &in->dra[i], CAP_LEN_CALLED))
			return -EINVAL;
		pt.dra_p[i] = &pt.dra[i];
	}
	if (in->has_original_called &&
	    cap_num_set(&pt.orig_called, &pt.orig_called_b, TCAP_NUMFMT_ISUP_CALLING, &in->original_called,
			CAP_LEN_CALLING))
		return -EINVAL;
	if (in->has_redirecting &&
	    cap_num_set(&pt.redirecting, &pt.redirecting_b, TCAP_NUMFMT_ISUP_CALLING, &in->redirecting,
			CAP_LEN_CALLING))
		return -EINVAL;
	cap_os_set(&pt.redir_info, in->redirection_info, 2);
	cap_os_set(&pt.category, &in->calling_category, 1);

	if (p == CAP_PROTO_INAP) {
		INAP_ConnectArg_t a = { 0 };

		if (in->suppression_of_announcement || in->ocsi_applicable)
			return -EINVAL;	/* CAP only */
		CONNECT_SET(&a, in, &pt);
		return cap_der_encode(&asn_DEF_INAP_ConnectArg, &a, buf, size, out_len);
	} else {
		CAP_ConnectArg_t a = { 0 };

		CONNECT_SET(&a, in, &pt);
		a.suppressionOfAnnouncement = OPT(in->suppression_of_announcement, &cap_null);
		a.oCSIApplicable = OPT(in->ocsi_applicable, &cap_null);
		return cap_der_encode(&asn_DEF_CAP_ConnectArg, &a, buf, size, out_len);
	}
}

/*
 * ReleaseCall: a bare Cause in CAP v2..v4 and INAP; CAP v4 also has
 * allCallSegmentsWithExtension [2], which is decoded but never sent.
 */

int cap_release_decode(struct cap_release *out, enum cap_protocol p, const uint8_t *buf, size_t len)
{
	const OCTET_STRING_t *cause = NULL;
	asn_TYPE_descriptor_t *td;
	void *st;
	int rc;

	if (!cap_proto_valid(p))
		return -EINVAL;
	td = p == CAP_PROTO_INAP ? &asn_DEF_INAP_ReleaseCallArg : &asn_DEF_CAP_ReleaseCallArg;
	rc = cap_ber_decode(td, &st, buf, len);
	if (rc)
		return rc;
	if (p == CAP_PROTO_INAP) {
		cause = st;
	} else {
		const CAP_ReleaseCallArg_t *a = st;

		if (a->present == CAP_ReleaseCallArg_PR_allCallSegments)
			cause = &a->choice.allCallSegments;
		else if (a->present == CAP_ReleaseCallArg_PR_allCallSegmentsWithExtension)
			cause = &a->choice.allCallSegmentsWithExtension.allCallSegments;
	}
	memset(out, 0, sizeof(*out));
	rc = cause ? cap_os_get(out->cause, CAP_MAX_RAW, &out->cause_len, cause, 2) : -EINVAL;
	ASN_STRUCT_FREE(*td, st);
	return rc;
}

int cap_release_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p, const struct cap_release *in)
{
	if (!cap_proto_valid(p) || !cap_len_ok(in->cause_len, CAP_LEN_CAUSE))
		return -EINVAL;
	if (p == CAP_PROTO_INAP) {
		INAP_ReleaseCallArg_t a = { 0 };

		cap_os_set(&a, in->cause, in->cause_len);
		return cap_der_encode(&asn_DEF_INAP_ReleaseCallArg, &a, buf, size, out_len);
	} else {
		CAP_ReleaseCallArg_t a = { 0 };

		a.present = CAP_ReleaseCallArg_PR_allCallSegments;
		cap_os_set(&a.choice.allCallSegments, in->cause, in->cause_len);
		return cap_der_encode(&asn_DEF_CAP_ReleaseCallArg, &a, buf, size, out_len);
	}
}

/*
 * ContinueWithArgument (CAP v3 and v4)
 */

int cap_cwa_decode(struct cap_cwa *out, enum cap_protocol p, const uint8_t *buf, size_t len)
{
	CAP_ContinueWithArgumentArg_t *a;
	int rc;

	if (p != CAP_PROTO_CAP3 && p != CAP_PROTO_CAP4)
		return -EINVAL;
	rc = cap_ber_decode(&asn_DEF_CAP_ContinueWithArgumentArg, (void **)&a, buf, len);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	if (a->callingPartysCategory) {
		if (a->callingPartysCategory->size != 1) {
			rc = -EINVAL;
		} else {
			out->has_calling_category = true;
			out->calling_category = a->callingPartysCategory->buf[0];
		}
	}
	ASN_STRUCT_FREE(asn_DEF_CAP_ContinueWithArgumentArg, a);
	return rc;
}

int cap_cwa_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p, const struct cap_cwa *in)
{
	CAP_ContinueWithArgumentArg_t a = { 0 };
	OCTET_STRING_t category;

	if (p != CAP_PROTO_CAP3 && p != CAP_PROTO_CAP4)
		return -EINVAL;
	cap_os_set(&category, &in->calling_category, 1);
	a.callingPartysCategory = OPT(in->has_calling_category, &category);
	return cap_der_encode(&asn_DEF_CAP_ContinueWithArgumentArg, &a, buf, size, out_len);
}
