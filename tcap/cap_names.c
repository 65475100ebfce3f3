/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* CAP/INAP names for logs and JSON (operation, event, monitor mode, protocol)
 * and the application-context-to-protocol map. */

#include <errno.h>
#include <string.h>

#include <tandem/cap.h>

/* TS 29.078 clause 6 operation codes, and the ETS 300 374-1 ones CAP lacks. */
const char *cap_op_name(int opcode)
{
	switch (opcode) {
	case 0: return "initialDP";
	case 16: return "assistRequestInstructions";
	case 17: return "establishTemporaryConnection";
	case 18: return "disconnectForwardConnection";
	case 19: return "connectToResource";
	case 20: return "connect";
	case 22: return "releaseCall";
	case 23: return "requestReportBCSMEvent";
	case 24: return "eventReportBCSM";
	case 25: return "requestNotificationChargingEvent";
	case 26: return "eventNotificationCharging";
	case 27: return "collectInformation";
	case 31: return "continue";
	case 32: return "initiateCallAttempt";
	case 33: return "resetTimer";
	case 34: return "furnishChargingInformation";
	case 35: return "applyCharging";
	case 36: return "applyChargingReport";
	case 41: return "callGap";
	case 42: return "activateServiceFiltering";
	case 43: return "serviceFilteringResponse";
	case 44: return "callInformationReport";
	case 45: return "callInformationRequest";
	case 46: return "sendChargingInformation";
	case 47: return "playAnnouncement";
	case 48: return "promptAndCollectUserInformation";
	case 49: return "specializedResourceReport";
	case 53: return "cancel";
	case 55: return "activityTest";
	case 86: return "disconnectForwardConnectionWithArgument";
	case 88: return "continueWithArgument";
	case 90: return "disconnectLeg";
	case 93: return "moveLeg";
	case 95: return "splitLeg";
	case 96: return "entityReleased";
	case 97: return "playTone";
	default: return NULL;
	}
}

const char *cap_event_name(enum cap_event_type e)
{
	switch (e) {
	case CAP_EVT_ORIG_ATTEMPT_AUTHORIZED: return "origAttemptAuthorized";
	case CAP_EVT_COLLECTED_INFO: return "collectedInfo";
	case CAP_EVT_ANALYZED_INFORMATION: return "analyzedInformation";
	case CAP_EVT_ROUTE_SELECT_FAILURE: return "routeSelectFailure";
	case CAP_EVT_O_CALLED_PARTY_BUSY: return "oCalledPartyBusy";
	case CAP_EVT_O_NO_ANSWER: return "oNoAnswer";
	case CAP_EVT_O_ANSWER: return "oAnswer";
	case CAP_EVT_O_MID_CALL: return "oMidCall";
	case CAP_EVT_O_DISCONNECT: return "oDisconnect";
	case CAP_EVT_O_ABANDON: return "oAbandon";
	case CAP_EVT_TERM_ATTEMPT_AUTHORIZED: return "termAttemptAuthorized";
	case CAP_EVT_T_BUSY: return "tBusy";
	case CAP_EVT_T_NO_ANSWER: return "tNoAnswer";
	case CAP_EVT_T_ANSWER: return "tAnswer";
	case CAP_EVT_T_MID_CALL: return "tMidCall";
	case CAP_EVT_T_DISCONNECT: return "tDisconnect";
	case CAP_EVT_T_ABANDON: return "tAbandon";
	case CAP_EVT_O_TERM_SEIZED: return "oTermSeized";
	case CAP_EVT_CALL_ACCEPTED: return "callAccepted";
	}
	return NULL;
}

const char *cap_monitor_mode_name(enum cap_monitor_mode m)
{
	switch (m) {
	case CAP_MON_INTERRUPTED: return "interrupted";
	case CAP_MON_NOTIFY_AND_CONTINUE: return "notifyAndContinue";
	case CAP_MON_TRANSPARENT: return "transparent";
	}
	return NULL;
}

const char *cap_protocol_name(enum cap_protocol p)
{
	switch (p) {
	case CAP_PROTO_CAP2: return "cap2";
	case CAP_PROTO_CAP3: return "cap3";
	case CAP_PROTO_CAP4: return "cap4";
	case CAP_PROTO_INAP: return "inap";
	}
	return NULL;
}

int cap_protocol_from_ac(enum cap_protocol *out, const char *dotted_ac)
{
	static const struct {
		const char *ac;
		enum cap_protocol p;
	} map[] = {
		{ CAP_AC_V2, CAP_PROTO_CAP2 },
		{ CAP_AC_V3, CAP_PROTO_CAP3 },
		{ CAP_AC_V4, CAP_PROTO_CAP4 },
		{ INAP_AC_CS1_SSP_TO_SCP, CAP_PROTO_INAP },
	};
	size_t i;

	if (!dotted_ac)
		return -ENOENT;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!strcmp(map[i].ac, dotted_ac)) {
			*out = map[i].p;
			return 0;
		}
	}
	return -ENOENT;
}
