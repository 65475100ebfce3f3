/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp: the operations the switch sends, built alike for one call (`call`: ssp_cap.c,
 * ssp_ain.c) and for many (`load`: ssp_load.c), so that both play the same switch. */

#include <errno.h>
#include <string.h>

#include <osmocom/core/utils.h>

#include "ssp.h"

#define PARAM_MAX 512

/* Queue one invoke without a reply (a report): \returns 0 or negative errno. */
static int queue(struct tcap_dlg *dlg, enum tcap_op_kind kind, int code, const uint8_t *p, size_t len)
{
	struct tcap_opcode op = { .kind = kind, .code = code };
	int rc = tcap_dlg_invoke(dlg, &op, p, len, 0, false);

	return rc < 0 ? rc : 0;
}

enum cap_protocol ssp_cap_proto(enum td_proto p)
{
	switch (p) {
	case TD_PROTO_CAP2:
		return CAP_PROTO_CAP2;
	case TD_PROTO_CAP3:
		return CAP_PROTO_CAP3;
	case TD_PROTO_CAP4:
		return CAP_PROTO_CAP4;
	default:
		return CAP_PROTO_INAP;
	}
}

const char *ssp_cap_ac(enum cap_protocol p)
{
	switch (p) {
	case CAP_PROTO_CAP2:
		return CAP_AC_V2;
	case CAP_PROTO_CAP3:
		return CAP_AC_V3;
	case CAP_PROTO_CAP4:
		return CAP_AC_V4;
	case CAP_PROTO_INAP:
		break;
	}
	return INAP_AC_CS1_SSP_TO_SCP;
}

void ssp_cap_idp_fill(struct cap_idp *idp, enum cap_protocol proto, bool term, uint32_t service_key,
		      const struct tcap_number *calling, bool withheld, const struct tcap_number *called,
		      uint32_t call_ref)
{
	memset(idp, 0, sizeof(*idp));
	idp->service_key = service_key;
	idp->has_event_type = true;
	idp->event_type = term ? CAP_EVT_TERM_ATTEMPT_AUTHORIZED : CAP_EVT_COLLECTED_INFO;
	if (calling) {
		idp->calling = *calling;
		idp->calling.pres = withheld ? TCAP_PRES_RESTRICTED : TCAP_PRES_ALLOWED;
		idp->calling.screen = TCAP_SCREEN_NETWORK;
		idp->has_calling = true;
	}
	if (proto != CAP_PROTO_INAP && !term) {
		/* O-CSI: the dialled number as the MS sent it (TS 29.078 calledPartyBCDNumber) */
		idp->called_bcd = *called;
		idp->has_called_bcd = true;
	} else {
		idp->called = *called;
		idp->has_called = true;
	}
	if (proto == CAP_PROTO_INAP)
		return;
	/* the MSC's call reference (CAP only) */
	idp->has_call_ref = true;
	idp->call_ref_len = 4;
	idp->call_ref[0] = call_ref >> 24;
	idp->call_ref[1] = call_ref >> 16;
	idp->call_ref[2] = call_ref >> 8;
	idp->call_ref[3] = call_ref;
}

int ssp_cap_erb_queue(struct tcap_dlg *dlg, enum cap_protocol proto, enum cap_event_type e, int leg, bool request)
{
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;
	struct cap_erb erb = {
		.event_type = e,
		.leg = { CAP_LEG_RECEIVING, leg },
		.has_misc_call_info = true,
		.message_type = request ? 0 : 1,
	};

	if (e == CAP_EVT_O_DISCONNECT || e == CAP_EVT_T_DISCONNECT) {
		/* Q.850 normal clearing, coding standard ITU, location user */
		erb.has_release_cause = true;
		erb.release_cause_len = 2;
		erb.release_cause[0] = 0x80;
		erb.release_cause[1] = 0x90;
	}
	rc = cap_erb_encode(p, sizeof(p), &len, proto, &erb);
	return rc ? rc : queue(dlg, TCAP_OP_LOCAL, CAP_OP_EVENT_REPORT_BCSM, p, len);
}

int ssp_ain_trigger_encode(uint8_t *p, size_t size, size_t *len, struct tcap_opcode *op, struct ain_trigger *t,
			   bool term, int tct)
{
	t->user_id.kind = AIN_UID_DN;
	t->bearer_cap = AIN_BC_SPEECH;
	t->has_called = true;
	if (t->has_calling)
		t->calling.screen = TCAP_SCREEN_NETWORK;
	/* the line the trigger is for: the caller's (origination) or the called line */
	OSMO_STRLCPY_ARRAY(t->user_id.dn, term || !t->has_calling ? t->called.digits : t->calling.digits);
	t->has_tct = true;
	t->tct = tct >= 0 ? tct : term ? AIN_TCT_TERMINATION_ATTEMPT : AIN_TCT_NPA_NXX_XXXX;
	if (term) {
		*op = (struct tcap_opcode){ .kind = TCAP_OP_PRIVATE, .code = AIN_OP_TERMINATION_ATTEMPT };
		return ain_termination_attempt_encode(p, size, len, t);
	}
	if (t->has_calling) {
		/* the ChargeNumber: the calling line's, without presentation or screening */
		t->has_charge_number = true;
		t->charge_number = t->calling;
		t->charge_number.pres = TCAP_PRES_NONE;
		t->charge_number.screen = TCAP_SCREEN_NONE;
	}
	*op = (struct tcap_opcode){ .kind = TCAP_OP_PRIVATE, .code = AIN_OP_INFO_ANALYZED };
	return ain_info_analyzed_encode(p, size, len, t);
}

int ssp_ain_event_queue(struct tcap_dlg *dlg, int opcode, const char *dn)
{
	struct ain_event e = { .user_id = { .kind = AIN_UID_DN }, .bearer_cap = AIN_BC_SPEECH };
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;

	OSMO_STRLCPY_ARRAY(e.user_id.dn, dn);
	switch (opcode) {
	case AIN_OP_O_ANSWER:
		rc = ain_o_answer_encode(p, sizeof(p), &len, &e);
		break;
	case AIN_OP_T_ANSWER:
		rc = ain_t_answer_encode(p, sizeof(p), &len, &e);
		break;
	case AIN_OP_O_DISCONNECT:
		e.has_disconnect_cause = true;
		e.disconnect_cause = AIN_DISC_FAR_END;
		rc = ain_o_disconnect_encode(p, sizeof(p), &len, &e);
		break;
	case AIN_OP_T_DISCONNECT:
		e.has_disconnect_cause = true;
		e.disconnect_cause = AIN_DISC_FAR_END;
		rc = ain_t_disconnect_encode(p, sizeof(p), &len, &e);
		break;
	default:
		return -EINVAL;
	}
	return rc ? rc : queue(dlg, TCAP_OP_PRIVATE, opcode, p, len);
}
