/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* CAP v2/v3/v4 and INAP CS-1 BCSM event codecs: RequestReportBCSMEvent (arm
 * detection points) and EventReportBCSM (a detection point was met). */

#include <errno.h>
#include <string.h>

#include <CAP-EventReportBCSMArg.h>
#include <CAP-RequestReportBCSMEventArg.h>
#include <INAP-EventReportBCSMArg.h>
#include <INAP-RequestReportBCSMEventArg.h>

#include "cap_priv.h"

#define OPT(has, ptr) ((has) ? (ptr) : NULL)

/* Only the values the protocol's EventTypeBCSM defines (it has no extension
 * marker): what decodes must be something we could send back. */
static int event_type_get(enum cap_event_type *out, long v, enum cap_protocol p)
{
	if (v < 0 || v > 127 || !cap_event_ok(p, v))
		return -EINVAL;
	*out = v;
	return 0;
}

static int monitor_mode_get(enum cap_monitor_mode *out, long v)
{
	if (v < CAP_MON_INTERRUPTED || v > CAP_MON_TRANSPARENT)
		return -EINVAL;	/* MonitorMode has no extension marker */
	*out = v;
	return 0;
}

/*
 * RequestReportBCSMEvent
 */

static int bcsm_event_get_cap(struct cap_bcsm_event *e, const CAP_BCSMEvent_t *a)
{
	if (event_type_get(&e->event_type, a->eventTypeBCSM, CAP_PROTO_CAP4) ||
	    monitor_mode_get(&e->monitor_mode, a->monitorMode))
		return -EINVAL;
	if (a->legID && cap_leg_get(&e->leg, a->legID))
		return -EINVAL;
	if (a->dpSpecificCriteria && a->dpSpecificCriteria->present == CAP_DpSpecificCriteria_PR_applicationTimer) {
		if (a->dpSpecificCriteria->choice.applicationTimer < 0 ||
		    a->dpSpecificCriteria->choice.applicationTimer > 2047)
			return -EINVAL;
		e->has_app_timer = true;
		e->app_timer = a->dpSpecificCriteria->choice.applicationTimer;
	}
	e->automatic_rearm = a->automaticRearm != NULL;
	return 0;
}

static int bcsm_event_get_inap(struct cap_bcsm_event *e, const INAP_BCSMEvent_t *a)
{
	if (event_type_get(&e->event_type, a->eventTypeBCSM, CAP_PROTO_INAP) ||
	    monitor_mode_get(&e->monitor_mode, a->monitorMode))
		return -EINVAL;
	if (a->legID && cap_leg_get(&e->leg, a->legID))
		return -EINVAL;
	if (a->dPSpecificCriteria && a->dPSpecificCriteria->present == INAP_DPSpecificCriteria_PR_applicationTimer) {
		if (a->dPSpecificCriteria->choice.applicationTimer < 0 ||
		    a->dPSpecificCriteria->choice.applicationTimer > 2047)
			return -EINVAL;
		e->has_app_timer = true;
		e->app_timer = a->dPSpecificCriteria->choice.applicationTimer;
	}
	return 0;
}

int cap_rrbe_decode(struct cap_rrbe *out, enum cap_protocol p, const uint8_t *buf, size_t len)
{
	asn_TYPE_descriptor_t *td = p == CAP_PROTO_INAP ? &asn_DEF_INAP_RequestReportBCSMEventArg
							: &asn_DEF_CAP_RequestReportBCSMEventArg;
	void *st;
	int i, n, rc = 0;

	if (!cap_proto_valid(p))
		return -EINVAL;
	rc = cap_ber_decode(td, &st, buf, len);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	if (p == CAP_PROTO_INAP) {
		const INAP_RequestReportBCSMEventArg_t *a = st;

		n = a->bcsmEvents.list.count;
		if (n < 1 || n > CAP_MAX_BCSM_EVENTS)
			rc = -EINVAL;
		for (i = 0; !rc && i < n; i++)
			rc = bcsm_event_get_inap(&out->events[i], a->bcsmEvents.list.array[i]);
	} else {
		const CAP_RequestReportBCSMEventArg_t *a = st;

		n = a->bcsmEvents.list.count;
		if (n < 1 || n > CAP_MAX_BCSM_EVENTS)
			rc = -EINVAL;
		for (i = 0; !rc && i < n; i++)
			rc = bcsm_event_get_cap(&out->events[i], a->bcsmEvents.list.array[i]);
	}
	if (!rc)
		out->num_events = n;
	ASN_STRUCT_FREE(*td, st);
	return rc;
}

/* Storage for the encoded events. */
struct rrbe_parts {
	union {
		CAP_BCSMEvent_t cap[CAP_MAX_BCSM_EVENTS];
		INAP_BCSMEvent_t inap[CAP_MAX_BCSM_EVENTS];
	} ev;
	void *ev_p[CAP_MAX_BCSM_EVENTS];
	INAP_LegID_t leg[CAP_MAX_BCSM_EVENTS];
	uint8_t leg_octet[CAP_MAX_BCSM_EVENTS];
	union {
		CAP_DpSpecificCriteria_t cap[CAP_MAX_BCSM_EVENTS];
		INAP_DPSpecificCriteria_t inap[CAP_MAX_BCSM_EVENTS];
	} dp;
};

static int rrbe_parts_fill(struct rrbe_parts *pt, enum cap_protocol p, const struct cap_rrbe *in)
{
	unsigned int i;

	memset(pt, 0, sizeof(*pt));
	for (i = 0; i < in->num_events; i++) {
		const struct cap_bcsm_event *e = &in->events[i];
		bool has_leg = e->leg.side != CAP_LEG_NONE;

		if (has_leg && cap_leg_set(&pt->leg[i], &pt->leg_octet[i], &e->leg))
			return -EINVAL;
		if (!cap_event_ok(p, e->event_type) || e->monitor_mode > CAP_MON_TRANSPARENT ||
		    (e->has_app_timer && e->app_timer > 2047))
			return -EINVAL;
		if (p == CAP_PROTO_INAP) {
			INAP_BCSMEvent_t *a = &pt->ev.inap[i];

			if (e->automatic_rearm)
				return -EINVAL;	/* CAP v3 and later */
			a->eventTypeBCSM = e->event_type;
			a->monitorMode = e->monitor_mode;
			a->legID = OPT(has_leg, &pt->leg[i]);
			pt->dp.inap[i].present = INAP_DPSpecificCriteria_PR_applicationTimer;
			pt->dp.inap[i].choice.applicationTimer = e->app_timer;
			a->dPSpecificCriteria = OPT(e->has_app_timer, &pt->dp.inap[i]);
			pt->ev_p[i] = a;
		} else {
			CAP_BCSMEvent_t *a = &pt->ev.cap[i];

			if (e->automatic_rearm && p == CAP_PROTO_CAP2)
				return -EINVAL;
			a->eventTypeBCSM = e->event_type;
			a->monitorMode = e->monitor_mode;
			a->legID = OPT(has_leg, &pt->leg[i]);
			pt->dp.cap[i].present = CAP_DpSpecificCriteria_PR_applicationTimer;
			pt->dp.cap[i].choice.applicationTimer = e->app_timer;
			a->dpSpecificCriteria = OPT(e->has_app_timer, &pt->dp.cap[i]);
			a->automaticRearm = OPT(e->automatic_rearm, &cap_null);
			pt->ev_p[i] = a;
		}
	}
	return 0;
}

int cap_rrbe_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p, const struct cap_rrbe *in)
{
	struct rrbe_parts pt;
	int rc;

	if (!cap_proto_valid(p) || in->num_events < 1 || in->num_events > CAP_MAX_BCSM_EVENTS)
		return -EINVAL;
	rc = rrbe_parts_fill(&pt, p, in);
	if (rc)
		return rc;
	if (p == CAP_PROTO_INAP) {
		INAP_RequestReportBCSMEventArg_t a = { 0 };

		a.bcsmEvents.list.array = (INAP_BCSMEvent_t **)pt.ev_p;
		a.bcsmEvents.list.count = a.bcsmEvents.list.size = in->num_events;
		return cap_der_encode(&asn_DEF_INAP_RequestReportBCSMEventArg, &a, buf, size, out_len);
	} else {
		CAP_RequestReportBCSMEventArg_t a = { 0 };

		a.bcsmEvents.list.array = (CAP_BCSMEvent_t **)pt.ev_p;
		a.bcsmEvents.list.count = a.bcsmEvents.list.size = in->num_events;
		return cap_der_encode(&asn_DEF_CAP_RequestReportBCSMEventArg, &a, buf, size, out_len);
	}
}

/*
 * EventReportBCSM. The event specific information is read for its cause only;
 * the CAP and INAP types name those alternatives and members alike, so the
 * helpers are written once for both prefixes.
 */

#define DEFINE_ESI_HELPERS(PFX)								\
static const OCTET_STRING_t *esi_cause_##PFX(const PFX##_EventSpecificInformationBCSM_t *e) \
{											\
	switch (e->present) {								\
	case PFX##_EventSpecificInformationBCSM_PR_routeSelectFailureSpecificInfo:	\
		return e->choice.routeSelectFailureSpecificInfo.failureCause;		\
	case PFX##_EventSpecificInformationBCSM_PR_oCalledPartyBusySpecificInfo:	\
		return e->choice.oCalledPartyBusySpecificInfo.busyCause;		\
	case PFX##_EventSpecificInformationBCSM_PR_oDisconnectSpecificInfo:		\
		return e->choice.oDisconnectSpecificInfo.releaseCause;			\
	case PFX##_EventSpecificInformationBCSM_PR_tBusySpecificInfo:			\
		return e->choice.tBusySpecificInfo.busyCause;				\
	case PFX##_EventSpecificInformationBCSM_PR_tDisconnectSpecificInfo:		\
		return e->choice.tDisconnectSpecificInfo.releaseCause;			\
	default:									\
		return NULL;								\
	}										\
}											\
											\
/* The alternative that carries the cause of event type t. */			\
static int esi_set_##PFX(PFX##_EventSpecificInformationBCSM_t *e, enum cap_event_type t, OCTET_STRING_t *cause) \
{											\
	memset(e, 0, sizeof(*e));							\
	switch (t) {									\
	case CAP_EVT_ROUTE_SELECT_FAILURE:						\
		e->present = PFX##_EventSpecificInformationBCSM_PR_routeSelectFailureSpecificInfo; \
		e->choice.routeSelectFailureSpecificInfo.failureCause = cause;		\
		return 0;								\
	case CAP_EVT_O_CALLED_PARTY_BUSY:						\
		e->present = PFX##_EventSpecificInformationBCSM_PR_oCalledPartyBusySpecificInfo; \
		e->choice.oCalledPartyBusySpecificInfo.busyCause = cause;		\
		return 0;								\
	case CAP_EVT_O_DISCONNECT:							\
		e->present = PFX##_EventSpecificInformationBCSM_PR_oDisconnectSpecificInfo; \
		e->choice.oDisconnectSpecificInfo.releaseCause = cause;			\
		return 0;								\
	case CAP_EVT_T_BUSY:								\
		e->present = PFX##_EventSpecificInformationBCSM_PR_tBusySpecificInfo;	\
		e->choice.tBusySpecificInfo.busyCause = cause;				\
		return 0;								\
	case CAP_EVT_T_DISCONNECT:							\
		e->present = PFX##_EventSpecificInformationBCSM_PR_tDisconnectSpecificInfo; \
		e->choice.tDisconnectSpecificInfo.releaseCause = cause;			\
		return 0;								\
	default:									\
		return -EINVAL;								\
	}										\
}

DEFINE_ESI_HELPERS(CAP)
DEFINE_ESI_HELPERS(INAP)

#define ERB_GET(out, a, PFX, rc, p) do {					\
	const OCTET_STRING_t *cause_ = NULL;					\
	(rc) = event_type_get(&(out)->event_type, (a)->eventTypeBCSM, (p));	\
	if (!(rc) && (a)->eventSpecificInformationBCSM)				\
		cause_ = esi_cause_##PFX((a)->eventSpecificInformationBCSM);	\
	if (!(rc) && cause_) {							\
		/* the cause must sit in the alternative of this event type */	\
		PFX##_EventSpecificInformationBCSM_t chk_;			\
		if (esi_set_##PFX(&chk_, (out)->event_type, NULL) ||		\
		    chk_.present != (a)->eventSpecificInformationBCSM->present)	\
			(rc) = -EINVAL;						\
	}									\
	if (!(rc) && cause_) {							\
		(rc) = cap_os_get((out)->release_cause, CAP_MAX_RAW, &(out)->release_cause_len, cause_, 2); \
		(out)->has_release_cause = true;				\
	}									\
	if (!(rc) && (a)->legID)						\
		(rc) = cap_leg_get(&(out)->leg, (a)->legID);			\
	/* CAP: legID is ReceivingSideID (the encoder's rule too) */		\
	if (!(rc) && (a)->legID && cap_is_cap(p) && (out)->leg.side != CAP_LEG_RECEIVING) \
		(rc) = -EINVAL;							\
	if (!(rc) && (a)->miscCallInfo) {					\
		if ((a)->miscCallInfo->messageType < 0 || (a)->miscCallInfo->messageType > 1) \
			(rc) = -EINVAL;						\
		(out)->has_misc_call_info = true;				\
		(out)->message_type = (a)->miscCallInfo->messageType;		\
	}									\
} while (0)

int cap_erb_decode(struct cap_erb *out, enum cap_protocol p, const uint8_t *buf, size_t len)
{
	asn_TYPE_descriptor_t *td = p == CAP_PROTO_INAP ? &asn_DEF_INAP_EventReportBCSMArg
							: &asn_DEF_CAP_EventReportBCSMArg;
	void *st;
	int rc;

	if (!cap_proto_valid(p))
		return -EINVAL;
	rc = cap_ber_decode(td, &st, buf, len);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	if (p == CAP_PROTO_INAP) {
		const INAP_EventReportBCSMArg_t *a = st;

		ERB_GET(out, a, INAP, rc, p);
	} else {
		const CAP_EventReportBCSMArg_t *a = st;

		ERB_GET(out, a, CAP, rc, p);
	}
	ASN_STRUCT_FREE(*td, st);
	return rc;
}

int cap_erb_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p, const struct cap_erb *in)
{
	bool has_leg = in->leg.side != CAP_LEG_NONE;
	INAP_MiscCallInfo_t misc = { 0 };
	OCTET_STRING_t cause;
	INAP_LegID_t leg;
	uint8_t leg_octet;

	if (!cap_proto_valid(p) || !cap_event_ok(p, in->event_type) || in->message_type > 1 ||
	    (in->has_release_cause && !cap_len_ok(in->release_cause_len, CAP_LEN_CAUSE)))
		return -EINVAL;
	/* CAP: legID is ReceivingSideID, the SSF reports the leg it saw. */
	if (has_leg && cap_is_cap(p) && in->leg.side != CAP_LEG_RECEIVING)
		return -EINVAL;
	if (has_leg && cap_leg_set(&leg, &leg_octet, &in->leg))
		return -EINVAL;
	misc.messageType = in->message_type;
	cap_os_set(&cause, in->release_cause, in->release_cause_len);

	if (p == CAP_PROTO_INAP) {
		INAP_EventReportBCSMArg_t a = { 0 };
		INAP_EventSpecificInformationBCSM_t esi;

		if (in->has_release_cause && esi_set_INAP(&esi, in->event_type, &cause))
			return -EINVAL;
		a.eventTypeBCSM = in->event_type;
		a.eventSpecificInformationBCSM = OPT(in->has_release_cause, &esi);
		a.legID = OPT(has_leg, &leg);
		a.miscCallInfo = OPT(in->has_misc_call_info, &misc);
		return cap_der_encode(&asn_DEF_INAP_EventReportBCSMArg, &a, buf, size, out_len);
	} else {
		CAP_EventReportBCSMArg_t a = { 0 };
		CAP_EventSpecificInformationBCSM_t esi;

		if (in->has_release_cause && esi_set_CAP(&esi, in->event_type, &cause))
			return -EINVAL;
		a.eventTypeBCSM = in->event_type;
		a.eventSpecificInformationBCSM = OPT(in->has_release_cause, &esi);
		a.legID = OPT(has_leg, &leg);
		a.miscCallInfo = OPT(in->has_misc_call_info, &misc);
		return cap_der_encode(&asn_DEF_CAP_EventReportBCSMArg, &a, buf, size, out_len);
	}
}
