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

/* The one call of the run (in the phase SSP_PH_WAIT_LAST the disconnect is reported, the SCP's
 * Response/Close is due). */
static struct ain_call {
	struct ssp_call call;		/* as every protocol's call */
	bool have_instr;
	bool closed;			/* the SCP sent Close */
	uint32_t edp_request, edp_notification;
	char dn[11];
} cur;

static struct tcap_opcode op_private(int code)
{
	return (struct tcap_opcode){ .kind = TCAP_OP_PRIVATE, .code = code };
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

static void instr(struct ain_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void instr(struct ain_call *c, const char *fmt, ...)
{
	va_list ap;

	c->have_instr = true;
	va_start(ap, fmt);
	vsnprintf(c->call.instr_text, sizeof(c->call.instr_text), fmt, ap);
	va_end(ap);
}

/* One invoke of the SCP. \returns true when something was queued that must be sent. */
static bool handle_invoke(struct ssp_call *call, const struct tcap_component *comp)
{
	struct ain_call *c = container_of(call, struct ain_call, call);
	const uint8_t *p = comp->param;
	size_t l = comp->param_len;
	const char *name = ain_op_name(comp->op.code);
	struct tcap_opcode op;

	if (comp->op.kind != TCAP_OP_PRIVATE) {
		ssp_call_fail(call, "the SCP sent a national operation code 0x%04x", comp->op.code);
		ssp_call_reject(call, comp, TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE);
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
		if (call->dlg)
			tcap_dlg_result(call->dlg, comp->invoke_id, &op, NULL, 0);
		ssp_note("activityTest answered");
		return true;
	case AIN_OP_ACG:
		ssp_note("ACG taken");
		return false;
	default:
		ssp_call_fail(call, "the SCP sent operation 0x%04x (%s), which a call of ours does not expect",
			      comp->op.code, name ?: "unknown");
		ssp_call_reject(call, comp, TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE);
		return true;
	}
	ssp_call_fail(call, "the SCP sent a %s whose parameters do not decode", name ?: "component");
	ssp_call_reject(call, comp, TCAP_ANSI_PROB_INVOKE_INCORRECT_PARAMETER);
	return true;
}

/* Queue OAnswer/TAnswer/ODisconnect/TDisconnect. */
static int queue_event(struct ain_call *c, int opcode, bool notification)
{
	int rc = ssp_ain_event_queue(c->call.dlg, opcode, c->dn);

	if (rc)
		return rc;
	ssp_note("%s (%s)", ain_op_name(opcode) ?: "?", notification ? "notification" : "request");
	return 0;
}

/* The called party answers: OAnswer/TAnswer when armed. */
static void step_answer(struct ssp_call *call)
{
	struct ain_call *c = container_of(call, struct ain_call, call);
	struct ssp *ssp = call->ssp;
	uint32_t bit = AIN_EDP_BIT(ssp->opt.term ? AIN_EDP_T_ANSWER : AIN_EDP_O_ANSWER);

	if ((c->edp_request | c->edp_notification) & bit) {
		if (queue_event(c, ssp->opt.term ? AIN_OP_T_ANSWER : AIN_OP_O_ANSWER, c->edp_notification & bit) ||
		    tcap_dlg_continue(call->dlg)) {
			ssp_finish(ssp, SSP_EXIT_CALL, "cannot send the answer report");
			return;
		}
		c->edp_request &= ~bit;
		c->edp_notification &= ~bit;
	}
	ssp_call_schedule(call, SSP_STEP_DISCONNECT, ssp->opt.hold);
}

/* A party hangs up: ODisconnect/TDisconnect as armed, or the switch ends the transaction. */
static void step_disconnect(struct ssp_call *call)
{
	struct ain_call *c = container_of(call, struct ain_call, call);
	struct ssp *ssp = call->ssp;
	uint32_t bit = AIN_EDP_BIT(ssp->opt.term ? AIN_EDP_T_DISCONNECT : AIN_EDP_O_DISCONNECT);

	if (!((c->edp_request | c->edp_notification) & bit)) {
		/* nothing armed: the switch ends the transaction */
		if (tcap_dlg_end(call->dlg, false) == -EPERM) {
			tcap_dlg_u_abort(call->dlg);
			call->dlg = NULL;
			ssp_finish(ssp, SSP_EXIT_CALL, "call released, nothing armed, but no permission to "
				   "release the transaction: aborted it");
			return;
		}
		call->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_OK, "call released, no report armed");
		return;
	}
	if (queue_event(c, ssp->opt.term ? AIN_OP_T_DISCONNECT : AIN_OP_O_DISCONNECT, c->edp_notification & bit)) {
		ssp_finish(ssp, SSP_EXIT_CALL, "cannot encode the disconnect report");
		return;
	}
	if (!(c->edp_request & bit) && tcap_dlg_end(call->dlg, false) == 0) {
		/* the last notification: the Response ends the transaction */
		call->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_OK, "call answered and released, reported");
		return;
	}
	/* a request (or no permission to release): the SCP's Response ends it */
	call->phase = SSP_PH_WAIT_LAST;
	c->have_instr = false;
	if (tcap_dlg_continue(call->dlg)) {
		ssp_finish(ssp, SSP_EXIT_CALL, "cannot send the disconnect report");
		return;
	}
	ssp_call_wait(call);
}

/* A Conversation from the SCP. */
static void on_conversation(struct ssp_call *call, bool queued)
{
	struct ain_call *c = container_of(call, struct ain_call, call);
	struct ssp *ssp = call->ssp;

	if (c->closed) {
		/* GR-1299: Close in a Conversation: the SCP is done, the switch ends the transaction */
		if (tcap_dlg_end(call->dlg, false) == 0)
			call->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_OK, "call completed: %s", call->instr_text);
		return;
	}
	if (queued)
		tcap_dlg_continue(call->dlg);
	if (call->phase == SSP_PH_WAIT_LAST) {
		ssp_call_wait(call);
		return;
	}
	if (!c->have_instr) {
		if (call->phase == SSP_PH_WAIT_ANSWER)
			ssp_call_wait(call);
		return;
	}
	ssp_note("SCP: %s (monitoring)", call->instr_text);
	if (call->phase != SSP_PH_MONITORED)
		ssp_call_monitored(call);
}

/* A Response from the SCP: the transaction is over. */
static void on_response(struct ssp_call *call)
{
	ssp_call_ended(call, container_of(call, struct ain_call, call)->have_instr);
}

static void on_u_abort(struct ssp_call *call, const struct tcap_ind *ind)
{
	ssp_finish(call->ssp, SSP_EXIT_CALL, "the SCP aborted the transaction (user abort)");
}

static const struct ssp_call_ops ain_call_ops = {
	.invoke = handle_invoke,
	.continued = on_conversation,
	.ended = on_response,
	.u_aborted = on_u_abort,
	.answer = step_answer,
	.disconnect = step_disconnect,
};

void ssp_ain_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind)
{
	ssp_call_ind(&cur.call, dlg, ind);
}

int ssp_ain_call(struct ssp *ssp)
{
	const struct ssp_opts *o = &ssp->opt;
	struct ain_trigger t = { 0 };
	struct ain_call *c = &cur;
	struct tcap_opcode op;
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;

	memset(c, 0, sizeof(*c));
	ssp_call_init(&c->call, ssp, TCAP_ANSI, &ain_call_ops);
	if (nanp(&t.called, o->called) || (o->calling && nanp(&t.calling, o->calling))) {
		ssp_finish(ssp, SSP_EXIT_USAGE, "AIN numbers are ten digits (NANP), optionally with +1 in front");
		return -EINVAL;
	}
	if (o->calling) {
		t.has_calling = true;
		t.calling.pres = o->withheld ? TCAP_PRES_RESTRICTED : TCAP_PRES_ALLOWED;
	}
	rc = ssp_ain_trigger_encode(p, sizeof(p), &len, &op, &t, o->term, o->tct);
	OSMO_STRLCPY_ARRAY(c->dn, t.user_id.dn);
	if (rc) {
		ssp_finish(ssp, SSP_EXIT_USAGE, "cannot encode the trigger: %s", strerror(-rc));
		return rc;
	}
	/* AIN 0.1/0.2 switches send no application context */
	rc = ssp_call_begin(&c->call, &op, p, len, NULL, "query");
	if (rc)
		return rc;
	ssp_note("ain %s call, trigger criteria %s: %s sent in a QueryWithPerm",
		 o->term ? "terminating" : "originating", ain_tct_name(t.tct) ?: "?", ain_op_name(op.code) ?: "?");
	return 0;
}

void ssp_ain_stop(void)
{
	ssp_call_stop(&cur.call);
}
