/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp: the switch side of one AIN 0.1/0.2 call (GR-1298/GR-1299 over ANSI TCAP).
 *
 * InfoAnalyzed (originating) or TerminationAttempt (terminating) in a QueryWithPerm,
 * then what the SCP says: a Response (AnalyzeRoute, AuthorizeTermination, Continue,
 * Disconnect, Close) is the whole call. A ConversationWithPerm with
 * RequestReportBCMEvent arms EDPs: after --answer-after seconds the switch reports
 * OAnswer/TAnswer when armed, after --hold more ODisconnect/TDisconnect. A
 * disconnect armed as a request EDP goes in a ConversationWithPerm and the SCP's
 * Response (Continue or Close) ends the transaction; armed as a notification, it is
 * the last thing the switch has to say and goes in a Response (or, when the SCP
 * withheld permission to release, in a Conversation answered by a Close). */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include <tandem/ain.h>

#include "ssp.h"

#define PARAM_MAX 512

enum phase {
	PH_WAIT_ANSWER,		/* Query sent */
	PH_MONITORED,		/* in a Conversation, our own timers run */
	PH_WAIT_END,		/* the disconnect is reported, waiting for the SCP's Response/Close */
};

enum step {
	STEP_ANSWER,
	STEP_DISCONNECT,
	STEP_ABORT,
	STEP_DROP,
};

static struct ain_call {
	struct ssp *ssp;
	struct tcap_dlg *dlg;
	enum phase phase;
	bool have_instr;
	bool closed;			/* the SCP sent Close */
	char instr_text[64];
	uint32_t edp_request, edp_notification;
	char dn[11];
	struct osmo_timer_list t_wait, t_step;
	enum step next;
	bool failed;
	char fail_text[128];
} call;

static struct tcap_opcode op_private(int code)
{
	return (struct tcap_opcode){ .kind = TCAP_OP_PRIVATE, .code = code };
}

static void fail(struct ain_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct ain_call *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(c->fail_text, sizeof(c->fail_text), fmt, ap);
	va_end(ap);
}

/* AIN numbers are North American: ten digits, "+1" in front taken off. */
static int nanp(struct tcap_number *n, const char *text)
{
	if (!strncmp(text, "+1", 2))
		text += 2;
	if (strlen(text) != 10 || strspn(text, "0123456789") != 10)
		return -EINVAL;
	return tcap_num_from_string(n, text, TCAP_NAT_NATIONAL);
}

static void reject(struct ain_call *c, const struct tcap_component *comp, int32_t problem)
{
	if (c->dlg)
		tcap_dlg_reject(c->dlg, comp, TCAP_PROB_INVOKE, problem);
}

static void instr(struct ain_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void instr(struct ain_call *c, const char *fmt, ...)
{
	va_list ap;

	c->have_instr = true;
	va_start(ap, fmt);
	vsnprintf(c->instr_text, sizeof(c->instr_text), fmt, ap);
	va_end(ap);
}

/* One invoke of the SCP. \returns true when something was queued that must be sent. */
static bool handle_invoke(struct ain_call *c, const struct tcap_component *comp)
{
	const uint8_t *p = comp->param;
	size_t l = comp->param_len;
	const char *name = ain_op_name(comp->op.code);
	struct tcap_opcode op;

	if (comp->op.kind != TCAP_OP_PRIVATE) {
		fail(c, "the SCP sent a national operation code 0x%04x", comp->op.code);
		reject(c, comp, TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE);
		return true;
	}
	switch (comp->op.code) {
	case AIN_OP_REQUEST_REPORT_BCM_EVENT: {
		struct ain_rrbe r;

		if (!p || ain_rrbe_decode(&r, p, l))
			break;
		c->edp_request = r.has_edp_request ? r.edp_request : 0;
		c->edp_notification = r.has_edp_notification ? r.edp_notification : 0;
		ssp_note("armed EDPs: request 0x%06x, notification 0x%06x", c->edp_request, c->edp_notification);
		return false;
	}
	case AIN_OP_ANALYZE_ROUTE: {
		struct ain_analyze_route a;

		if (!p || ain_analyze_route_decode(&a, p, l))
			break;
		if (a.has_called)
			instr(c, "analyzeRoute to %s", a.called.digits);
		else
			instr(c, "analyzeRoute");
		return false;
	}
	case AIN_OP_AUTHORIZE_TERMINATION: {
		struct ain_authorize_termination a;

		if (!p || ain_authorize_termination_decode(&a, p, l))
			break;
		instr(c, "authorizeTermination");
		return false;
	}
	case AIN_OP_CONTINUE: {
		struct ain_continue a;

		if (p && ain_continue_decode(&a, p, l))
			break;
		instr(c, "continue");
		return false;
	}
	case AIN_OP_DISCONNECT: {
		struct ain_disconnect a;

		if (p && ain_disconnect_decode(&a, p, l))
			break;
		instr(c, "disconnect");
		return false;
	}
	case AIN_OP_CLOSE: {
		struct ain_close a;

		if (p && ain_close_decode(&a, p, l))
			break;
		c->closed = true;
		instr(c, "close%s%s", a.has_close_cause ? " " : "",
		      a.has_close_cause ? (ain_close_cause_name(a.close_cause) ?: "?") : "");
		return false;
	}
	case AIN_OP_ACTIVITY_TEST:
		op = op_private(AIN_OP_ACTIVITY_TEST);
		if (c->dlg)
			tcap_dlg_result(c->dlg, comp->invoke_id, &op, NULL, 0);
		ssp_note("activityTest answered");
		return true;
	case AIN_OP_ACG:
		ssp_note("ACG taken");
		return false;
	default:
		fail(c, "the SCP sent operation 0x%04x (%s), which a call of ours does not expect", comp->op.code,
		     name ?: "unknown");
		reject(c, comp, TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE);
		return true;
	}
	fail(c, "the SCP sent a %s whose parameters do not decode", name ?: "component");
	reject(c, comp, TCAP_ANSI_PROB_INVOKE_INCORRECT_PARAMETER);
	return true;
}

/* Queue OAnswer/TAnswer/ODisconnect/TDisconnect. */
static int queue_event(struct ain_call *c, int opcode, bool notification)
{
	struct ain_event e = { .user_id = { .kind = AIN_UID_DN }, .bearer_cap = AIN_BC_SPEECH };
	struct tcap_opcode op = op_private(opcode);
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;

	OSMO_STRLCPY_ARRAY(e.user_id.dn, c->dn);
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
	default:
		e.has_disconnect_cause = true;
		e.disconnect_cause = AIN_DISC_FAR_END;
		rc = ain_t_disconnect_encode(p, sizeof(p), &len, &e);
		break;
	}
	if (rc)
		return rc;
	rc = tcap_dlg_invoke(c->dlg, &op, p, len, 0, false);
	if (rc < 0)
		return rc;
	ssp_note("%s (%s)", ain_op_name(opcode) ?: "?", notification ? "notification" : "request");
	return 0;
}

static void schedule(struct ain_call *c, enum step s, double seconds)
{
	c->next = s;
	ssp_timer_schedule(&c->t_step, seconds);
}

static void step_cb(void *data)
{
	struct ain_call *c = data;
	struct ssp *ssp = c->ssp;
	enum ain_edp edp;
	int opcode, rc;

	if (!c->dlg || ssp->done)
		return;
	switch (c->next) {
	case STEP_ABORT:
		tcap_dlg_u_abort(c->dlg);
		c->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_OK, "aborted the transaction as asked (--abort-after)");
		return;
	case STEP_DROP:
		ssp->muted = true;
		ssp_finish(ssp, SSP_EXIT_OK, "stopped answering as asked (--drop-after)");
		return;
	case STEP_ANSWER:
		edp = ssp->opt.term ? AIN_EDP_T_ANSWER : AIN_EDP_O_ANSWER;
		opcode = ssp->opt.term ? AIN_OP_T_ANSWER : AIN_OP_O_ANSWER;
		if ((c->edp_request | c->edp_notification) & AIN_EDP_BIT(edp)) {
			bool notif = c->edp_notification & AIN_EDP_BIT(edp);

			if (queue_event(c, opcode, notif) || tcap_dlg_continue(c->dlg)) {
				ssp_finish(ssp, SSP_EXIT_CALL, "cannot send the answer report");
				return;
			}
			c->edp_request &= ~AIN_EDP_BIT(edp);
			c->edp_notification &= ~AIN_EDP_BIT(edp);
		}
		schedule(c, STEP_DISCONNECT, ssp->opt.hold);
		return;
	case STEP_DISCONNECT:
		edp = ssp->opt.term ? AIN_EDP_T_DISCONNECT : AIN_EDP_O_DISCONNECT;
		opcode = ssp->opt.term ? AIN_OP_T_DISCONNECT : AIN_OP_O_DISCONNECT;
		if (!((c->edp_request | c->edp_notification) & AIN_EDP_BIT(edp))) {
			/* nothing armed: the switch ends the transaction */
			rc = tcap_dlg_end(c->dlg, false);
			if (rc == -EPERM) {
				tcap_dlg_u_abort(c->dlg);
				c->dlg = NULL;
				ssp_finish(ssp, SSP_EXIT_CALL, "call released, nothing armed, but no permission to "
					   "release the transaction: aborted it");
				return;
			}
			c->dlg = NULL;
			ssp_finish(ssp, SSP_EXIT_OK, "call released, no report armed");
			return;
		}
		if (queue_event(c, opcode, c->edp_notification & AIN_EDP_BIT(edp))) {
			ssp_finish(ssp, SSP_EXIT_CALL, "cannot encode the disconnect report");
			return;
		}
		if (!(c->edp_request & AIN_EDP_BIT(edp)) && tcap_dlg_end(c->dlg, false) == 0) {
			/* the last notification: the Response ends the transaction */
			c->dlg = NULL;
			ssp_finish(ssp, SSP_EXIT_OK, "call answered and released, reported");
			return;
		}
		/* a request (or no permission to release): the SCP's Response ends it */
		c->phase = PH_WAIT_END;
		c->have_instr = false;
		if (tcap_dlg_continue(c->dlg)) {
			ssp_finish(ssp, SSP_EXIT_CALL, "cannot send the disconnect report");
			return;
		}
		ssp_timer_schedule(&c->t_wait, ssp->opt.timeout_s);
		return;
	}
}

static void wait_cb(void *data)
{
	struct ain_call *c = data;

	ssp_finish(c->ssp, SSP_EXIT_CALL, "timeout: no answer from the SCP within %.1f s", c->ssp->opt.timeout_s);
}

/* A Conversation from the SCP. */
static void on_conversation(struct ain_call *c, bool queued)
{
	struct ssp *ssp = c->ssp;

	if (c->failed) {
		if (queued)
			tcap_dlg_continue(c->dlg);
		ssp_finish(ssp, SSP_EXIT_CALL, "%s", c->fail_text);
		return;
	}
	if (c->closed) {
		/* GR-1299: Close in a Conversation: the SCP is done, the switch ends the transaction */
		if (tcap_dlg_end(c->dlg, false) == 0)
			c->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_OK, "call completed: %s", c->instr_text);
		return;
	}
	if (queued)
		tcap_dlg_continue(c->dlg);
	if (c->phase == PH_WAIT_END) {
		ssp_timer_schedule(&c->t_wait, ssp->opt.timeout_s);
		return;
	}
	if (!c->have_instr) {
		if (c->phase == PH_WAIT_ANSWER)
			ssp_timer_schedule(&c->t_wait, ssp->opt.timeout_s);
		return;
	}
	ssp_note("SCP: %s (monitoring)", c->instr_text);
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

/* A Response from the SCP: the transaction is over. */
static void on_response(struct ain_call *c)
{
	struct ssp *ssp = c->ssp;

	c->dlg = NULL;
	if (c->failed) {
		ssp_finish(ssp, SSP_EXIT_CALL, "%s", c->fail_text);
		return;
	}
	if (!c->have_instr) {
		ssp_finish(ssp, SSP_EXIT_CALL, "the SCP ended the transaction without an instruction");
		return;
	}
	if (c->phase == PH_MONITORED) {
		ssp_finish(ssp, SSP_EXIT_CALL, "the SCP ended the transaction during the call (%s)", c->instr_text);
		return;
	}
	ssp_finish(ssp, SSP_EXIT_OK, "call completed: %s", c->instr_text);
}

static void on_abort(struct ain_call *c, const struct tcap_ind *ind)
{
	const char *name;

	c->dlg = NULL;
	if (ind->kind == TCAP_IND_U_ABORT) {
		ssp_finish(c->ssp, SSP_EXIT_CALL, "the SCP aborted the transaction (user abort)");
		return;
	}
	name = tcap_pabort_name(TCAP_ANSI, ind->cause);
	if (name)
		ssp_finish(c->ssp, SSP_EXIT_CALL, "%sP-Abort %s", ind->local ? "local " : "the SCP sent a ", name);
	else
		ssp_finish(c->ssp, SSP_EXIT_CALL, "%sP-Abort cause %d", ind->local ? "local " : "the SCP sent a ",
			   ind->cause);
}

void ssp_ain_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind)
{
	struct ain_call *c = &call;
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
				fail(c, "the SCP rejected a component of ours (problem 0x%04x)", comp->problem);
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
			on_response(c);
		else
			on_conversation(c, queued);
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

int ssp_ain_call(struct ssp *ssp)
{
	const struct ssp_opts *o = &ssp->opt;
	struct ain_trigger t = { .user_id = { .kind = AIN_UID_DN }, .bearer_cap = AIN_BC_SPEECH };
	struct ain_call *c = &call;
	struct tcap_opcode op;
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;

	memset(c, 0, sizeof(*c));
	c->ssp = ssp;
	osmo_timer_setup(&c->t_wait, wait_cb, c);
	osmo_timer_setup(&c->t_step, step_cb, c);
	if (nanp(&t.called, o->called) || (o->calling && nanp(&t.calling, o->calling))) {
		ssp_finish(ssp, SSP_EXIT_USAGE, "AIN numbers are ten digits (NANP), optionally with +1 in front");
		return -EINVAL;
	}
	t.has_called = true;
	if (o->calling) {
		t.has_calling = true;
		t.calling.pres = o->withheld ? TCAP_PRES_RESTRICTED : TCAP_PRES_ALLOWED;
		t.calling.screen = TCAP_SCREEN_NETWORK;
	}
	/* the line the trigger is for: the caller's (origination) or the called line */
	OSMO_STRLCPY_ARRAY(c->dn, o->term ? t.called.digits : o->calling ? t.calling.digits : t.called.digits);
	OSMO_STRLCPY_ARRAY(t.user_id.dn, c->dn);
	t.has_tct = true;
	t.tct = o->tct >= 0 ? o->tct : o->term ? AIN_TCT_TERMINATION_ATTEMPT : AIN_TCT_NPA_NXX_XXXX;
	if (o->term) {
		op = op_private(AIN_OP_TERMINATION_ATTEMPT);
		rc = ain_termination_attempt_encode(p, sizeof(p), &len, &t);
	} else {
		if (o->calling) {
			t.has_charge_number = true;
			t.charge_number = t.calling;
			t.charge_number.pres = TCAP_PRES_NONE;
			t.charge_number.screen = TCAP_SCREEN_NONE;
		}
		op = op_private(AIN_OP_INFO_ANALYZED);
		rc = ain_info_analyzed_encode(p, sizeof(p), &len, &t);
	}
	if (rc) {
		ssp_finish(ssp, SSP_EXIT_USAGE, "cannot encode the trigger: %s", strerror(-rc));
		return rc;
	}
	c->dlg = tcap_dlg_alloc(ssp->tsl, ssp_peer(ssp));
	if (!c->dlg) {
		ssp_finish(ssp, SSP_EXIT_SETUP, "out of memory");
		return -ENOMEM;
	}
	rc = tcap_dlg_invoke(c->dlg, &op, p, len, 0, false);
	if (rc >= 0)
		rc = tcap_dlg_begin(c->dlg, NULL);
	if (rc < 0) {
		c->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_SETUP, "cannot send the query: %s", strerror(-rc));
		return rc;
	}
	ssp_note("ain %s call, trigger criteria %s: %s sent in a QueryWithPerm", o->term ? "terminating" : "originating",
		 ain_tct_name(t.tct) ?: "?", ain_op_name(op.code) ?: "?");
	c->phase = PH_WAIT_ANSWER;
	ssp_timer_schedule(&c->t_wait, o->timeout_s);
	return 0;
}

void ssp_ain_stop(void)
{
	osmo_timer_del(&call.t_wait);
	osmo_timer_del(&call.t_step);
}
