/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp: the gsmSSF (CAP v2/v3/v4) or SSF (INAP CS-1) side of one call.
 *
 * InitialDP in a TC-BEGIN (collectedInfo: O-CSI, originating; termAttemptAuthorized:
 * T-CSI, terminating), then whatever the SCP says: Continue / Connect / ReleaseCall
 * in a TC-END is the whole call. In a TC-CONTINUE with RequestReportBCSMEvent, the
 * call is "answered" after --answer-after seconds (EventReportBCSM oAnswer/tAnswer
 * when that event is armed) and "released" by --release-leg after --hold more
 * (o/tDisconnect). TS 29.078 / ETS 300 374-1: an EDP-N report of the last armed event
 * closes the relationship, so that report goes in a TC-END; an EDP-R report goes in a
 * TC-CONTINUE and the SCP's instruction ends it; with nothing armed the SSF ends the
 * dialogue with an empty TC-END. activityTest is answered. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include <tandem/cap.h>

#include "ssp.h"

#define PARAM_MAX 512
#define EVT_MAX 32

enum instr {
	INSTR_NONE,
	INSTR_CONTINUE,
	INSTR_CONNECT,
	INSTR_RELEASE,
};

struct armed {
	bool on;
	enum cap_monitor_mode mode;
};

/* The one call of the run (in the phase SSP_PH_WAIT_LAST an EDP-R is reported). */
static struct cap_call {
	struct ssp_call call;		/* as every protocol's call */
	enum cap_protocol proto;
	enum instr instr;
	/* armed EDPs: [event type][leg: 0 any, 1, 2] */
	struct armed ev[EVT_MAX][3];
} cur;

static struct tcap_opcode op_local(int code)
{
	return (struct tcap_opcode){ .kind = TCAP_OP_LOCAL, .code = code };
}

/* The armed mode of an event on a leg, or -1 when it is not armed. */
static int armed_mode(const struct cap_call *c, enum cap_event_type e, int leg)
{
	if ((unsigned int)e >= EVT_MAX || leg < 0 || leg > 2)
		return -1;
	if (c->ev[e][leg].on)
		return c->ev[e][leg].mode;
	if (c->ev[e][0].on)
		return c->ev[e][0].mode;
	return -1;
}

static bool anything_armed(const struct cap_call *c)
{
	unsigned int e, l;

	for (e = 0; e < EVT_MAX; e++)
		for (l = 0; l < 3; l++)
			if (c->ev[e][l].on)
				return true;
	return false;
}

static void arm(struct cap_call *c, const struct cap_rrbe *r)
{
	unsigned int i;

	for (i = 0; i < r->num_events; i++) {
		const struct cap_bcsm_event *e = &r->events[i];
		int leg = e->leg.side == CAP_LEG_NONE ? 0 : e->leg.leg;

		if ((unsigned int)e->event_type >= EVT_MAX || leg > 2) {
			ssp_note("RRBE: event %d on leg %d ignored (not one a call of ours can report)", e->event_type,
				 leg);
			continue;
		}
		/* TS 29.078 RequestReportBCSMEvent: transparent disarms */
		c->ev[e->event_type][leg].on = e->monitor_mode != CAP_MON_TRANSPARENT;
		c->ev[e->event_type][leg].mode = e->monitor_mode;
		ssp_note("armed %s leg %d %s", cap_event_name(e->event_type) ?: "?", leg,
			 cap_monitor_mode_name(e->monitor_mode) ?: "?");
	}
}

/* One invoke of the SCP. \returns true when something was queued that must be sent. */
static bool handle_invoke(struct ssp_call *call, const struct tcap_component *comp)
{
	struct cap_call *c = container_of(call, struct cap_call, call);
	const char *name = comp->op.kind == TCAP_OP_LOCAL ? cap_op_name(comp->op.code) : NULL;
	struct tcap_opcode op;

	if (comp->op.kind != TCAP_OP_LOCAL) {
		ssp_call_fail(call, "the SCP sent an operation with a global opcode");
		ssp_call_reject(call, comp, TCAP_IP_UNRECOGNIZED_OPERATION);
		return true;
	}
	switch (comp->op.code) {
	case CAP_OP_REQUEST_REPORT_BCSM: {
		struct cap_rrbe r;

		if (!comp->param || cap_rrbe_decode(&r, c->proto, comp->param, comp->param_len)) {
			ssp_call_fail(call, "the SCP sent a requestReportBCSMEvent that does not decode");
			ssp_call_reject(call, comp, TCAP_IP_MISTYPED_PARAMETER);
			return true;
		}
		arm(c, &r);
		return false;
	}
	case CAP_OP_CONTINUE:
	case CAP_OP_CONTINUE_WITH_ARGUMENT:
		c->instr = INSTR_CONTINUE;
		snprintf(call->instr_text, sizeof(call->instr_text), "%s", name);
		return false;
	case CAP_OP_CONNECT: {
		struct cap_connect cn;

		if (!comp->param || cap_connect_decode(&cn, c->proto, comp->param, comp->param_len) ||
		    !cn.num_dra) {
			ssp_call_fail(call, "the SCP sent a connect that does not decode");
			ssp_call_reject(call, comp, TCAP_IP_MISTYPED_PARAMETER);
			return true;
		}
		c->instr = INSTR_CONNECT;
		snprintf(call->instr_text, sizeof(call->instr_text), "connect to %s%s",
			 cn.dra[0].nature == TCAP_NAT_INTERNATIONAL ? "+" : "", cn.dra[0].digits);
		return false;
	}
	case CAP_OP_RELEASE_CALL: {
		struct cap_release r;

		if (!comp->param || cap_release_decode(&r, c->proto, comp->param, comp->param_len)) {
			ssp_call_fail(call, "the SCP sent a releaseCall that does not decode");
			ssp_call_reject(call, comp, TCAP_IP_MISTYPED_PARAMETER);
			return true;
		}
		c->instr = INSTR_RELEASE;
		snprintf(call->instr_text, sizeof(call->instr_text), "releaseCall cause %d",
			 r.cause_len >= 2 ? r.cause[1] & 0x7f : -1);
		return false;
	}
	case CAP_OP_ACTIVITY_TEST:
		/* TS 29.078 11.1.2: the gsmSSF answers with an empty result */
		op = op_local(CAP_OP_ACTIVITY_TEST);
		if (call->dlg)
			tcap_dlg_result(call->dlg, comp->invoke_id, &op, NULL, 0);
		ssp_note("activityTest answered");
		return true;
	case CAP_OP_RESET_TIMER:
	case CAP_OP_CALL_GAP:
		ssp_note("%s taken", name);
		return false;
	default:
		ssp_call_fail(call, "the SCP sent operation %d (%s), which a call of ours does not expect",
			      comp->op.code, name ?: "unknown");
		ssp_call_reject(call, comp, TCAP_IP_UNRECOGNIZED_OPERATION);
		return true;
	}
}

/* Queue an EventReportBCSM. */
static int queue_erb(struct cap_call *c, enum cap_event_type e, int leg, int mode)
{
	int rc = ssp_cap_erb_queue(c->call.dlg, c->proto, e, leg, mode == CAP_MON_INTERRUPTED);

	if (rc)
		return rc;
	ssp_note("eventReportBCSM %s leg %d (%s)", cap_event_name(e) ?: "?", leg,
		 mode == CAP_MON_INTERRUPTED ? "request" : "notification");
	return 0;
}

/* The called party answers: reported when armed (on leg 2 or any leg). */
static void step_answer(struct ssp_call *call)
{
	struct cap_call *c = container_of(call, struct cap_call, call);
	struct ssp *ssp = call->ssp;
	enum cap_event_type e = ssp->opt.term ? CAP_EVT_T_ANSWER : CAP_EVT_O_ANSWER;
	int mode = armed_mode(c, e, 2);

	if (mode >= 0) {
		c->ev[e][2].on = c->ev[e][0].on = false;
		if (queue_erb(c, e, 2, mode) || tcap_dlg_continue(call->dlg)) {
			ssp_finish(ssp, SSP_EXIT_CALL, "cannot send the answer report");
			return;
		}
	}
	ssp_call_schedule(call, SSP_STEP_DISCONNECT, ssp->opt.hold);
}

/* --release-leg hangs up: reported as armed, or the relationship just ends. */
static void step_disconnect(struct ssp_call *call)
{
	struct cap_call *c = container_of(call, struct cap_call, call);
	struct ssp *ssp = call->ssp;
	enum cap_event_type e = ssp->opt.term ? CAP_EVT_T_DISCONNECT : CAP_EVT_O_DISCONNECT;
	int leg = ssp->opt.release_leg;
	int mode = armed_mode(c, e, leg);

	if (mode < 0) {
		/* nothing to report: the relationship just ends */
		tcap_dlg_end(call->dlg, false);
		call->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_OK, "call released by leg %d, no report armed", leg);
		return;
	}
	if (queue_erb(c, e, leg, mode)) {
		ssp_finish(ssp, SSP_EXIT_CALL, "cannot encode the disconnect report");
		return;
	}
	if (mode == CAP_MON_INTERRUPTED) {
		call->phase = SSP_PH_WAIT_LAST;
		c->instr = INSTR_NONE;
		if (tcap_dlg_continue(call->dlg)) {
			ssp_finish(ssp, SSP_EXIT_CALL, "cannot send the disconnect report");
			return;
		}
		ssp_call_wait(call);
		return;
	}
	/* the last EDP-N: the report closes the relationship */
	tcap_dlg_end(call->dlg, false);
	call->dlg = NULL;
	ssp_finish(ssp, SSP_EXIT_OK, "call answered and released by leg %d, both reported", leg);
}

/* The SCP's answer in a TC-CONTINUE. */
static void on_continue(struct ssp_call *call, bool queued)
{
	struct cap_call *c = container_of(call, struct cap_call, call);
	struct ssp *ssp = call->ssp;

	if (c->instr == INSTR_NONE) {
		/* e.g. RRBE first, the instruction later; or an activityTest */
		if (queued)
			tcap_dlg_continue(call->dlg);
		if (call->phase != SSP_PH_MONITORED)
			ssp_call_wait(call);
		return;
	}
	ssp_note("SCP: %s%s", call->instr_text, anything_armed(c) ? " (monitoring)" : "");
	if (c->instr == INSTR_RELEASE || call->phase == SSP_PH_WAIT_LAST || !anything_armed(c)) {
		/* the call is released, or goes on with nothing left to report: end the relationship */
		tcap_dlg_end(call->dlg, false);
		call->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_OK, "call completed: %s", call->instr_text);
		return;
	}
	if (queued)
		tcap_dlg_continue(call->dlg);
	if (call->phase != SSP_PH_MONITORED)
		ssp_call_monitored(call);
}

/* The SCP ended the dialogue (TC-END). */
static void on_end(struct ssp_call *call)
{
	struct cap_call *c = container_of(call, struct cap_call, call);

	if (!call->failed && c->instr != INSTR_NONE && call->phase == SSP_PH_WAIT_ANSWER && anything_armed(c))
		ssp_note("the SCP armed events in a TC-END: nothing can be reported");
	ssp_call_ended(call, c->instr != INSTR_NONE);
}

/* TC-U-ABORT: the SCP refused our application context, or gave up on the call. */
static void on_u_abort(struct ssp_call *call, const struct tcap_ind *ind)
{
	const struct tcap_msg *m = ind->msg;
	char ac[64] = "?";

	if (m && m->dlg.pdu == TCAP_DLG_AARE && m->dlg.result) {
		if (m->dlg.has_ac)
			tcap_oid_to_str(ac, sizeof(ac), &m->dlg.ac);
		ssp_finish(call->ssp, SSP_EXIT_CALL,
			   "the SCP refused application context %s (AARE reject-permanent, %s diagnostic %d)", ac,
			   m->dlg.diag_source == TCAP_DIAG_USER ? "user" : "provider", m->dlg.diag);
		return;
	}
	ssp_finish(call->ssp, SSP_EXIT_CALL, "the SCP aborted the dialogue (TC-U-ABORT)");
}

static const struct ssp_call_ops cap_call_ops = {
	.invoke = handle_invoke,
	.continued = on_continue,
	.ended = on_end,
	.u_aborted = on_u_abort,
	.answer = step_answer,
	.disconnect = step_disconnect,
};

/* Fill the InitialDP of the call. */
static int build_idp(struct cap_call *c, struct cap_idp *idp)
{
	const struct ssp_opts *o = &c->call.ssp->opt;
	struct tcap_number calling, called;

	if (o->calling && ssp_parse_number(&calling, o->calling)) {
		ssp_note("not a calling number: '%s' (+E164 or national digits)", o->calling);
		return -EINVAL;
	}
	if (ssp_parse_number(&called, o->called)) {
		ssp_note("not a called number: '%s' (+E164 or national digits)", o->called);
		return -EINVAL;
	}
	/* a call reference of the MSC: unique enough for a test run */
	ssp_cap_idp_fill(idp, c->proto, o->term, o->service_key, o->calling ? &calling : NULL, o->withheld, &called,
			 (uint32_t)getpid() << 16 ^ (uint32_t)time(NULL));
	if (c->proto == CAP_PROTO_INAP)
		return 0;
	if (o->imsi) {
		if (strlen(o->imsi) < 6 || strlen(o->imsi) >= sizeof(idp->imsi) ||
		    strspn(o->imsi, "0123456789") != strlen(o->imsi)) {
			ssp_note("not an IMSI: '%s'", o->imsi);
			return -EINVAL;
		}
		OSMO_STRLCPY_ARRAY(idp->imsi, o->imsi);
		idp->has_imsi = true;
	}
	if (o->msc) {
		if (ssp_parse_number(&idp->msc_address, o->msc)) {
			ssp_note("not an MSC address: '%s'", o->msc);
			return -EINVAL;
		}
		idp->has_msc_address = true;
	}
	return 0;
}

int ssp_cap_call(struct ssp *ssp)
{
	struct cap_call *c = &cur;
	struct tcap_opcode op = op_local(CAP_OP_INITIAL_DP);
	const char *dotted;
	struct tcap_oid ac;
	struct cap_idp idp;
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;

	memset(c, 0, sizeof(*c));
	ssp_call_init(&c->call, ssp, TCAP_ITU, &cap_call_ops);
	c->proto = ssp_cap_proto(ssp->opt.proto);
	if (build_idp(c, &idp)) {
		ssp_finish(ssp, SSP_EXIT_USAGE, "bad call parameters");
		return -EINVAL;
	}
	rc = cap_idp_encode(p, sizeof(p), &len, c->proto, &idp);
	if (rc) {
		ssp_finish(ssp, SSP_EXIT_USAGE, "cannot encode the InitialDP for %s: %s", cap_protocol_name(c->proto),
			   strerror(-rc));
		return rc;
	}
	dotted = ssp->opt.ac ? ssp->opt.ac : ssp_cap_ac(c->proto);
	if (tcap_oid_from_str(&ac, dotted)) {
		ssp_finish(ssp, SSP_EXIT_USAGE, "not an application context: '%s'", dotted);
		return -EINVAL;
	}
	rc = ssp_call_begin(&c->call, &op, p, len, &ac, "InitialDP");
	if (rc)
		return rc;
	ssp_note("%s %s call, service key %u: initialDP sent (ac %s)", cap_protocol_name(c->proto),
		 ssp->opt.term ? "terminating" : "originating", ssp->opt.service_key, dotted);
	return 0;
}

/*! \brief The indication callback of the TCAP layer for CAP/INAP calls. */
void ssp_cap_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind)
{
	ssp_call_ind(&cur.call, dlg, ind);
}

/*! \brief Stop the call's timers (at exit). */
void ssp_cap_stop(void)
{
	ssp_call_stop(&cur.call);
}
