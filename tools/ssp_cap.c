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
#include <stdarg.h>
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

/* Where the call is. */
enum phase {
	PH_WAIT_ANSWER,		/* InitialDP sent, waiting for the SCP's first answer */
	PH_MONITORED,		/* call going on, reports armed, our own timers run */
	PH_WAIT_INSTR,		/* EDP-R reported, waiting for the SCP's instruction */
};

enum step {
	STEP_ANSWER,
	STEP_DISCONNECT,
	STEP_ABORT,
	STEP_DROP,
};

struct armed {
	bool on;
	enum cap_monitor_mode mode;
};

static struct cap_call {
	struct ssp *ssp;
	enum cap_protocol proto;
	struct tcap_dlg *dlg;
	enum phase phase;
	enum instr instr;
	char instr_text[64];
	/* armed EDPs: [event type][leg: 0 any, 1, 2] */
	struct armed ev[EVT_MAX][3];
	struct osmo_timer_list t_wait, t_step;
	enum step next;
	bool failed;
	char fail_text[128];
} call;

static struct tcap_opcode op_local(int code)
{
	return (struct tcap_opcode){ .kind = TCAP_OP_LOCAL, .code = code };
}

static enum cap_protocol cap_proto(enum td_proto p)
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

static const char *ac_of(enum cap_protocol p)
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

static void fail(struct cap_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct cap_call *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(c->fail_text, sizeof(c->fail_text), fmt, ap);
	va_end(ap);
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

static void reject(struct cap_call *c, const struct tcap_component *comp, int32_t problem)
{
	if (c->dlg)
		tcap_dlg_reject(c->dlg, comp, TCAP_PROB_INVOKE, problem);
}

/* One invoke of the SCP. \returns true when something was queued that must be sent. */
static bool handle_invoke(struct cap_call *c, const struct tcap_component *comp)
{
	const char *name = comp->op.kind == TCAP_OP_LOCAL ? cap_op_name(comp->op.code) : NULL;
	struct tcap_opcode op;

	if (comp->op.kind != TCAP_OP_LOCAL) {
		fail(c, "the SCP sent an operation with a global opcode");
		reject(c, comp, TCAP_IP_UNRECOGNIZED_OPERATION);
		return true;
	}
	switch (comp->op.code) {
	case CAP_OP_REQUEST_REPORT_BCSM: {
		struct cap_rrbe r;

		if (!comp->param || cap_rrbe_decode(&r, c->proto, comp->param, comp->param_len)) {
			fail(c, "the SCP sent a requestReportBCSMEvent that does not decode");
			reject(c, comp, TCAP_IP_MISTYPED_PARAMETER);
			return true;
		}
		arm(c, &r);
		return false;
	}
	case CAP_OP_CONTINUE:
	case CAP_OP_CONTINUE_WITH_ARGUMENT:
		c->instr = INSTR_CONTINUE;
		snprintf(c->instr_text, sizeof(c->instr_text), "%s", name);
		return false;
	case CAP_OP_CONNECT: {
		struct cap_connect cn;

		if (!comp->param || cap_connect_decode(&cn, c->proto, comp->param, comp->param_len) ||
		    !cn.num_dra) {
			fail(c, "the SCP sent a connect that does not decode");
			reject(c, comp, TCAP_IP_MISTYPED_PARAMETER);
			return true;
		}
		c->instr = INSTR_CONNECT;
		snprintf(c->instr_text, sizeof(c->instr_text), "connect to %s%s",
			 cn.dra[0].nature == TCAP_NAT_INTERNATIONAL ? "+" : "", cn.dra[0].digits);
		return false;
	}
	case CAP_OP_RELEASE_CALL: {
		struct cap_release r;

		if (!comp->param || cap_release_decode(&r, c->proto, comp->param, comp->param_len)) {
			fail(c, "the SCP sent a releaseCall that does not decode");
			reject(c, comp, TCAP_IP_MISTYPED_PARAMETER);
			return true;
		}
		c->instr = INSTR_RELEASE;
		snprintf(c->instr_text, sizeof(c->instr_text), "releaseCall cause %d",
			 r.cause_len >= 2 ? r.cause[1] & 0x7f : -1);
		return false;
	}
	case CAP_OP_ACTIVITY_TEST:
		/* TS 29.078 11.1.2: the gsmSSF answers with an empty result */
		op = op_local(CAP_OP_ACTIVITY_TEST);
		if (c->dlg)
			tcap_dlg_result(c->dlg, comp->invoke_id, &op, NULL, 0);
		ssp_note("activityTest answered");
		return true;
	case CAP_OP_RESET_TIMER:
	case CAP_OP_CALL_GAP:
		ssp_note("%s taken", name);
		return false;
	default:
		fail(c, "the SCP sent operation %d (%s), which a call of ours does not expect", comp->op.code,
		     name ?: "unknown");
		reject(c, comp, TCAP_IP_UNRECOGNIZED_OPERATION);
		return true;
	}
}

/* Queue an EventReportBCSM. */
static int queue_erb(struct cap_call *c, enum cap_event_type e, int leg, int mode)
{
	struct cap_erb erb = {
		.event_type = e,
		.leg = { CAP_LEG_RECEIVING, leg },
		.has_misc_call_info = true,
		.message_type = mode == CAP_MON_INTERRUPTED ? 0 : 1,
	};
	struct tcap_opcode op = op_local(CAP_OP_EVENT_REPORT_BCSM);
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;

	if (e == CAP_EVT_O_DISCONNECT || e == CAP_EVT_T_DISCONNECT) {
		/* Q.850 normal clearing, coding standard ITU, location user */
		erb.has_release_cause = true;
		erb.release_cause_len = 2;
		erb.release_cause[0] = 0x80;
		erb.release_cause[1] = 0x90;
	}
	rc = cap_erb_encode(p, sizeof(p), &len, c->proto, &erb);
	if (rc)
		return rc;
	rc = tcap_dlg_invoke(c->dlg, &op, p, len, 0, false);
	if (rc < 0)
		return rc;
	ssp_note("eventReportBCSM %s leg %d (%s)", cap_event_name(e) ?: "?", leg,
		 mode == CAP_MON_INTERRUPTED ? "request" : "notification");
	return 0;
}

static void schedule(struct cap_call *c, enum step s, double seconds)
{
	c->next = s;
	ssp_timer_schedule(&c->t_step, seconds);
}

static void step_cb(void *data)
{
	struct cap_call *c = data;
	struct ssp *ssp = c->ssp;
	enum cap_event_type e;
	int mode, leg;

	if (!c->dlg || ssp->done)
		return;
	switch (c->next) {
	case STEP_ABORT:
		tcap_dlg_u_abort(c->dlg);
		c->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_OK, "aborted the dialogue as asked (--abort-after)");
		return;
	case STEP_DROP:
		ssp->muted = true;
		ssp_finish(ssp, SSP_EXIT_OK, "stopped answering as asked (--drop-after)");
		return;
	case STEP_ANSWER:
		e = ssp->opt.term ? CAP_EVT_T_ANSWER : CAP_EVT_O_ANSWER;
		mode = armed_mode(c, e, 2);
		if (mode >= 0) {
			c->ev[e][2].on = c->ev[e][0].on = false;
			if (queue_erb(c, e, 2, mode) || tcap_dlg_continue(c->dlg)) {
				ssp_finish(ssp, SSP_EXIT_CALL, "cannot send the answer report");
				return;
			}
		}
		schedule(c, STEP_DISCONNECT, ssp->opt.hold);
		return;
	case STEP_DISCONNECT:
		e = ssp->opt.term ? CAP_EVT_T_DISCONNECT : CAP_EVT_O_DISCONNECT;
		leg = ssp->opt.release_leg;
		mode = armed_mode(c, e, leg);
		if (mode < 0) {
			/* nothing to report: the relationship just ends */
			tcap_dlg_end(c->dlg, false);
			c->dlg = NULL;
			ssp_finish(ssp, SSP_EXIT_OK, "call released by leg %d, no report armed", leg);
			return;
		}
		if (queue_erb(c, e, leg, mode)) {
			ssp_finish(ssp, SSP_EXIT_CALL, "cannot encode the disconnect report");
			return;
		}
		if (mode == CAP_MON_INTERRUPTED) {
			c->phase = PH_WAIT_INSTR;
			c->instr = INSTR_NONE;
			if (tcap_dlg_continue(c->dlg)) {
				ssp_finish(ssp, SSP_EXIT_CALL, "cannot send the disconnect report");
				return;
			}
			ssp_timer_schedule(&c->t_wait, ssp->opt.timeout_s);
			return;
		}
		/* the last EDP-N: the report closes the relationship */
		tcap_dlg_end(c->dlg, false);
		c->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_OK, "call answered and released by leg %d, both reported", leg);
		return;
	}
}

static void wait_cb(void *data)
{
	struct cap_call *c = data;

	ssp_finish(c->ssp, SSP_EXIT_CALL, "timeout: no answer from the SCP within %.1f s", c->ssp->opt.timeout_s);
}

/* The SCP's answer in a TC-CONTINUE. */
static void on_continue(struct cap_call *c, bool queued)
{
	struct ssp *ssp = c->ssp;

	if (c->failed) {
		if (queued)
			tcap_dlg_continue(c->dlg);
		ssp_finish(ssp, SSP_EXIT_CALL, "%s", c->fail_text);
		return;
	}
	if (c->instr == INSTR_NONE) {
		/* e.g. RRBE first, the instruction later; or an activityTest */
		if (queued)
			tcap_dlg_continue(c->dlg);
		if (c->phase != PH_MONITORED)
			ssp_timer_schedule(&c->t_wait, ssp->opt.timeout_s);
		return;
	}
	ssp_note("SCP: %s%s", c->instr_text, anything_armed(c) ? " (monitoring)" : "");
	if (c->instr == INSTR_RELEASE || c->phase == PH_WAIT_INSTR || !anything_armed(c)) {
		/* the call is released, or goes on with nothing left to report: end the relationship */
		tcap_dlg_end(c->dlg, false);
		c->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_OK, "call completed: %s", c->instr_text);
		return;
	}
	if (queued)
		tcap_dlg_continue(c->dlg);
	if (c->phase == PH_MONITORED)
		return;
	c->phase = PH_MONITORED;
	if (ssp->opt.abort_after >= 0)
		schedule(c, STEP_ABORT, ssp->opt.abort_after);
	else if (ssp->opt.drop_after >= 0)
		schedule(c, STEP_DROP, ssp->opt.drop_after);
	else
		schedule(c, STEP_ANSWER, ssp->opt.answer_after);
}

/* The SCP ended the dialogue (TC-END). */
static void on_end(struct cap_call *c)
{
	struct ssp *ssp = c->ssp;

	c->dlg = NULL;
	if (c->failed) {
		ssp_finish(ssp, SSP_EXIT_CALL, "%s", c->fail_text);
		return;
	}
	if (c->instr == INSTR_NONE) {
		ssp_finish(ssp, SSP_EXIT_CALL, "the SCP ended the dialogue without an instruction");
		return;
	}
	if (c->phase == PH_MONITORED) {
		ssp_finish(ssp, SSP_EXIT_CALL, "the SCP ended the dialogue during the call (%s)", c->instr_text);
		return;
	}
	if (anything_armed(c) && c->phase == PH_WAIT_ANSWER)
		ssp_note("the SCP armed events in a TC-END: nothing can be reported");
	ssp_finish(ssp, SSP_EXIT_OK, "call completed: %s", c->instr_text);
}

static void on_abort(struct cap_call *c, const struct tcap_ind *ind)
{
	const struct tcap_msg *m = ind->msg;
	char ac[64] = "?";

	c->dlg = NULL;
	if (ind->kind == TCAP_IND_P_ABORT) {
		const char *name = tcap_pabort_name(TCAP_ITU, ind->cause);

		if (name)
			ssp_finish(c->ssp, SSP_EXIT_CALL, "%sP-Abort %s", ind->local ? "local " : "the SCP sent a ",
				   name);
		else
			ssp_finish(c->ssp, SSP_EXIT_CALL, "%sP-Abort cause %d", ind->local ? "local " : "the SCP sent a ",
				   ind->cause);
		return;
	}
	if (m && m->dlg.pdu == TCAP_DLG_AARE && m->dlg.result) {
		if (m->dlg.has_ac)
			tcap_oid_to_str(ac, sizeof(ac), &m->dlg.ac);
		ssp_finish(c->ssp, SSP_EXIT_CALL,
			   "the SCP refused application context %s (AARE reject-permanent, %s diagnostic %d)", ac,
			   m->dlg.diag_source == TCAP_DIAG_USER ? "user" : "provider", m->dlg.diag);
		return;
	}
	ssp_finish(c->ssp, SSP_EXIT_CALL, "the SCP aborted the dialogue (TC-U-ABORT)");
}

static void cap_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind)
{
	struct cap_call *c = &call;
	bool queued = false;
	unsigned int i;

	if (dlg != c->dlg) {
		if (ind->kind == TCAP_IND_BEGIN || ind->kind == TCAP_IND_CONTINUE)
			tcap_dlg_u_abort(dlg);
		return;
	}
	switch (ind->kind) {
	case TCAP_IND_CONTINUE:
	case TCAP_IND_END:
		osmo_timer_del(&c->t_wait);
		for (i = 0; i < ind->num_comp; i++) {
			const struct tcap_component *comp = ind->comp[i];

			switch (comp->kind) {
			case TCAP_COMP_INVOKE:
				queued |= handle_invoke(c, comp);
				break;
			case TCAP_COMP_REJECT:
				fail(c, "the SCP rejected a component of ours (problem %d:%d)", comp->problem_type,
				     comp->problem);
				break;
			case TCAP_COMP_RETURN_ERROR:
				fail(c, "the SCP returned error %d", comp->op.code);
				break;
			case TCAP_COMP_RETURN_RESULT:
				break;
			}
		}
		if (ind->num_rejected) {
			fail(c, "the SCP sent %u component(s) our TCAP layer rejected", ind->num_rejected);
			queued = true;
		}
		if (ind->kind == TCAP_IND_END)
			on_end(c);
		else
			on_continue(c, queued);
		break;
	case TCAP_IND_U_ABORT:
	case TCAP_IND_P_ABORT:
		osmo_timer_del(&c->t_wait);
		on_abort(c, ind);
		break;
	case TCAP_IND_TIMEOUT:
	case TCAP_IND_L_CANCEL:
	case TCAP_IND_BEGIN:
		break;
	}
}

/* Fill the InitialDP of the call. */
static int build_idp(struct cap_call *c, struct cap_idp *idp)
{
	const struct ssp_opts *o = &c->ssp->opt;
	struct tcap_number n;
	uint32_t ref;

	memset(idp, 0, sizeof(*idp));
	idp->service_key = o->service_key;
	idp->has_event_type = true;
	idp->event_type = o->term ? CAP_EVT_TERM_ATTEMPT_AUTHORIZED : CAP_EVT_COLLECTED_INFO;
	if (o->calling) {
		if (ssp_parse_number(&idp->calling, o->calling)) {
			ssp_note("not a calling number: '%s' (+E164 or national digits)", o->calling);
			return -EINVAL;
		}
		idp->calling.pres = o->withheld ? TCAP_PRES_RESTRICTED : TCAP_PRES_ALLOWED;
		idp->calling.screen = TCAP_SCREEN_NETWORK;
		idp->has_calling = true;
	}
	if (ssp_parse_number(&n, o->called)) {
		ssp_note("not a called number: '%s' (+E164 or national digits)", o->called);
		return -EINVAL;
	}
	if (c->proto != CAP_PROTO_INAP && !o->term) {
		/* O-CSI: the dialled number as the MS sent it (TS 29.078 calledPartyBCDNumber) */
		idp->called_bcd = n;
		idp->has_called_bcd = true;
	} else {
		idp->called = n;
		idp->has_called = true;
	}
	if (c->proto == CAP_PROTO_INAP)
		return 0;
	/* a call reference of the MSC: unique enough for a test run */
	ref = (uint32_t)getpid() << 16 ^ (uint32_t)time(NULL);
	idp->has_call_ref = true;
	idp->call_ref_len = 4;
	idp->call_ref[0] = ref >> 24;
	idp->call_ref[1] = ref >> 16;
	idp->call_ref[2] = ref >> 8;
	idp->call_ref[3] = ref;
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
	struct cap_call *c = &call;
	struct tcap_opcode op = op_local(CAP_OP_INITIAL_DP);
	const char *dotted;
	struct tcap_oid ac;
	struct cap_idp idp;
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;

	memset(c, 0, sizeof(*c));
	c->ssp = ssp;
	c->proto = cap_proto(ssp->opt.proto);
	osmo_timer_setup(&c->t_wait, wait_cb, c);
	osmo_timer_setup(&c->t_step, step_cb, c);
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
	dotted = ssp->opt.ac ? ssp->opt.ac : ac_of(c->proto);
	if (tcap_oid_from_str(&ac, dotted)) {
		ssp_finish(ssp, SSP_EXIT_USAGE, "not an application context: '%s'", dotted);
		return -EINVAL;
	}
	c->dlg = tcap_dlg_alloc(ssp->tsl, ssp_peer(ssp));
	if (!c->dlg) {
		ssp_finish(ssp, SSP_EXIT_SETUP, "out of memory");
		return -ENOMEM;
	}
	rc = tcap_dlg_invoke(c->dlg, &op, p, len, 0, false);
	if (rc >= 0)
		rc = tcap_dlg_begin(c->dlg, &ac);
	if (rc < 0) {
		c->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_SETUP, "cannot send the InitialDP: %s", strerror(-rc));
		return rc;
	}
	ssp_note("%s %s call, service key %u: initialDP sent (ac %s)", cap_protocol_name(c->proto),
		 ssp->opt.term ? "terminating" : "originating", ssp->opt.service_key, dotted);
	c->phase = PH_WAIT_ANSWER;
	ssp_timer_schedule(&c->t_wait, ssp->opt.timeout_s);
	return 0;
}

/*! \brief The indication callback of the TCAP layer for CAP/INAP calls. */
void ssp_cap_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind)
{
	cap_ind(tsl, dlg, ind);
}

/*! \brief Stop the call's timers (at exit). */
void ssp_cap_stop(void)
{
	osmo_timer_del(&call.t_wait);
	osmo_timer_del(&call.t_step);
}
