/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* AIN 0.1/0.2 service logic (GR-1298/GR-1299 over ANSI TCAP): one osmo_fsm
 * instance per transaction.
 *
 * InfoAnalyzed / InfoCollected (origination) and TerminationAttempt (termination)
 * arrive in a QueryWithPerm and are answered at once from the rule of their
 * trigger criteria type: AnalyzeRoute to the dialled number or AuthorizeTermination
 * (the AIN 0.1 way to let the call go on, the default), Continue (AIN 0.2),
 * AnalyzeRoute to another number, or Disconnect. Without monitoring the answer goes
 * in a Response; with monitoring in a ConversationWithPerm, after a
 * RequestReportBCMEvent that arms the answer as a notification EDP and the
 * disconnect as a request EDP (GR-1299 allows oAnswer/tAnswer only as
 * notifications, oDisconnect only as a request). The switch then reports OAnswer /
 * TAnswer (nothing to send back) and ODisconnect / TDisconnect, which the SCP
 * answers with Continue in a Response (or, for a disconnect sent as a notification,
 * with Close callTerminated), ending the transaction. Whatever goes wrong inside,
 * the switch gets an answer that lets the call proceed (fail-open, counted). */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <talloc.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/utils.h>

#include <tandem/ain.h>

#include "ain_service.h"
#include "call_common.h"
#include "call_events.h"
#include "scp.h"

#define PARAM_MAX 256

struct ain_cfg g_ain;

/* A monitored call is quiet between its answer and its disconnect: the AIN
 * transactions get an inactivity timer of their own, long enough for a call. */
struct osmo_tdef ain_tdefs[] = {
	{ .T = -1, .default_val = 7200, .val = 7200, .unit = OSMO_TDEF_S,
	  .desc = "AIN transaction inactivity (a monitored call is silent while it lasts): the SCP sends an "
		  "ActivityTest (any other transaction is aborted)" },
	{ .T = -2, .default_val = 10, .val = 10, .unit = OSMO_TDEF_S,
	  .desc = "AIN invoke timer for operations without a timer of their own (ActivityTest: no result within "
		  "it aborts the transaction)" },
	{}
};

enum ain_svc_state {
	AIN_ST_WAIT_TRIGGER,	/* transaction opened, trigger not handled yet */
	AIN_ST_MONITORING,	/* answered in a Conversation, waiting for events or the switch's Response */
};

enum ain_svc_event {
	AIN_EV_INFO_COLLECTED_IND,
	AIN_EV_INFO_ANALYZED_IND,
	AIN_EV_TERMINATION_ATTEMPT_IND,
	AIN_EV_O_ANSWER_IND,
	AIN_EV_T_ANSWER_IND,
	AIN_EV_O_DISCONNECT_IND,
	AIN_EV_T_DISCONNECT_IND,
	AIN_EV_CLOSE_IND,
	AIN_EV_TC_END_IND,	/* Response from the switch */
	AIN_EV_TC_ABORT_IND,	/* user or P-Abort */
	AIN_EV_TC_TIMEOUT_IND,	/* transaction inactivity */
	AIN_EV_TC_L_CANCEL_IND,	/* ActivityTest got no result */
};

static const struct value_string ain_svc_event_names[] = {
	{ AIN_EV_INFO_COLLECTED_IND, "InfoCollected.ind" },
	{ AIN_EV_INFO_ANALYZED_IND, "InfoAnalyzed.ind" },
	{ AIN_EV_TERMINATION_ATTEMPT_IND, "TerminationAttempt.ind" },
	{ AIN_EV_O_ANSWER_IND, "OAnswer.ind" },
	{ AIN_EV_T_ANSWER_IND, "TAnswer.ind" },
	{ AIN_EV_O_DISCONNECT_IND, "ODisconnect.ind" },
	{ AIN_EV_T_DISCONNECT_IND, "TDisconnect.ind" },
	{ AIN_EV_CLOSE_IND, "Close.ind" },
	{ AIN_EV_TC_END_IND, "TC-END.ind" },
	{ AIN_EV_TC_ABORT_IND, "TC-ABORT.ind" },
	{ AIN_EV_TC_TIMEOUT_IND, "TC-TIMEOUT.ind" },
	{ AIN_EV_TC_L_CANCEL_IND, "TC-L-CANCEL.ind" },
	{}
};

struct ain_svc {
	struct scp_svc sv;		/* transaction, FSM, call record: as every protocol keeps them */
	bool finish;			/* the switch's last message is answered: end the transaction */
	bool peer_ended;		/* the switch ended it (Response): nothing can be sent */
	unsigned int rejects;		/* Rejects this service logic queued in the current message */
	bool activity_test;		/* an ActivityTest went out and the switch sent nothing since */
};

/*
 * Configuration
 */

void ain_cfg_init(void *ctx)
{
	(void)ctx;
	INIT_LLIST_HEAD(&g_ain.rules);
	OSMO_STRLCPY_ARRAY(g_ain.amaslp_id, AIN_AMASLP_ID_DEFAULT);
	osmo_tdefs_reset(ain_tdefs);
}

const struct ain_rule *ain_rule_find(unsigned int tct)
{
	const struct ain_rule *r, *any = NULL;

	llist_for_each_entry(r, &g_ain.rules, list) {
		if (r->tct == tct)
			return r;
		if (r->tct == AIN_RULE_ANY)
			any = r;
	}
	return any;
}

struct ain_rule *ain_rule_get(unsigned int tct)
{
	struct ain_rule *r, *n;

	llist_for_each_entry(r, &g_ain.rules, list) {
		if (r->tct == tct)
			return r;
		if (r->tct > tct)
			break;
	}
	n = talloc_zero(g_scp, struct ain_rule);
	if (!n)
		return NULL;
	n->tct = tct;
	/* before r, or at the tail when the loop ran out */
	llist_add_tail(&n->list, &r->list);
	return n;
}

int ain_rule_del(unsigned int tct)
{
	struct ain_rule *r;

	llist_for_each_entry(r, &g_ain.rules, list) {
		if (r->tct == tct) {
			llist_del(&r->list);
			talloc_free(r);
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Answers
 */

static struct tcap_opcode op_private(int code)
{
	return (struct tcap_opcode){ .kind = TCAP_OP_PRIVATE, .code = code };
}

/* Send one operation: InvokeLast, no result (GR-1299 connection control operations
 * report no success). \returns 0 or negative errno. */
static int invoke(struct ain_svc *svc, int opcode, const uint8_t *p, size_t len, unsigned int timeout_s)
{
	struct tcap_opcode op = op_private(opcode);
	int rc = tcap_dlg_invoke(svc->sv.dlg, &op, p, len, timeout_s, false);

	return rc < 0 ? rc : 0;
}

/* GR-1299 ActivityTest: does the call of this quiet transaction still exist? The switch answers with a
 * ReturnResult; none within `ain X2` ends the transaction (TC-L-CANCEL). No parameters. */
static int send_activity_test(struct ain_svc *svc)
{
	struct tcap_opcode op = op_private(AIN_OP_ACTIVITY_TEST);
	int rc = tcap_dlg_invoke(svc->sv.dlg, &op, NULL, 0, osmo_tdef_get(ain_tdefs, -2, OSMO_TDEF_S, 10), true);

	return rc < 0 ? rc : 0;
}

static int send_continue(struct ain_svc *svc)
{
	struct ain_continue c = { .has_amaslp_id = true };
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;

	OSMO_STRLCPY_ARRAY(c.amaslp_id, g_ain.amaslp_id);
	rc = ain_continue_encode(p, sizeof(p), &len, &c);
	return rc ? rc : invoke(svc, AIN_OP_CONTINUE, p, len, 0);
}

static int send_analyze_route(struct ain_svc *svc, const struct tcap_number *called)
{
	struct ain_analyze_route ar = { .has_called = true, .called = *called, .has_amaslp_id = true };
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;

	OSMO_STRLCPY_ARRAY(ar.amaslp_id, g_ain.amaslp_id);
	rc = ain_analyze_route_encode(p, sizeof(p), &len, &ar);
	return rc ? rc : invoke(svc, AIN_OP_ANALYZE_ROUTE, p, len, 0);
}

static int send_authorize_termination(struct ain_svc *svc)
{
	struct ain_authorize_termination at = { .has_amaslp_id = true };
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;

	OSMO_STRLCPY_ARRAY(at.amaslp_id, g_ain.amaslp_id);
	rc = ain_authorize_termination_encode(p, sizeof(p), &len, &at);
	return rc ? rc : invoke(svc, AIN_OP_AUTHORIZE_TERMINATION, p, len, 0);
}

static int send_disconnect(struct ain_svc *svc)
{
	struct ain_disconnect d = { .has_amaslp_id = true };
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;

	OSMO_STRLCPY_ARRAY(d.amaslp_id, g_ain.amaslp_id);
	rc = ain_disconnect_encode(p, sizeof(p), &len, &d);
	return rc ? rc : invoke(svc, AIN_OP_DISCONNECT, p, len, 0);
}

static int send_close(struct ain_svc *svc, enum ain_close_cause cause)
{
	struct ain_close c = { .has_close_cause = true, .close_cause = cause };
	uint8_t p[PARAM_MAX];
	size_t len;
	int rc;

	rc = ain_close_encode(p, sizeof(p), &len, &c);
	return rc ? rc : invoke(svc, AIN_OP_CLOSE, p, len, 0);
}

/* RequestReportBCMEvent (GR-1299): answer as a notification EDP, disconnect as a
 * request EDP (the switch waits for our answer to it). Its invoke stays open as
 * long as the transaction may, so that an event message correlated with it is
 * not rejected. */
static int send_rrbe(struct ain_svc *svc)
{
	/* the same octets for every call of a direction: encoded once, as CAP's RRBE */
	static struct {
		size_t len;
		uint8_t p[PARAM_MAX];
	} cache[2];
	bool term = svc->sv.call->dir == SCP_DIR_TERM;
	int rc;

	if (!cache[term].len) {
		struct ain_rrbe r = {
			.has_edp_request = true,
			.edp_request = AIN_EDP_BIT(term ? AIN_EDP_T_DISCONNECT : AIN_EDP_O_DISCONNECT),
			.has_edp_notification = true,
			.edp_notification = AIN_EDP_BIT(term ? AIN_EDP_T_ANSWER : AIN_EDP_O_ANSWER),
		};
		size_t len;

		rc = ain_rrbe_encode(cache[term].p, sizeof(cache[term].p), &len, &r);
		if (rc)
			return rc;
		cache[term].len = len;
	}
	rc = invoke(svc, AIN_OP_REQUEST_REPORT_BCM_EVENT, cache[term].p, cache[term].len,
		    osmo_tdef_get(ain_tdefs, -1, OSMO_TDEF_S, 7200));
	if (rc == 0)
		scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_RRBE);
	return rc;
}

/* The dialled number as the switch gave it: CalledPartyID, else what it collected. */
static const struct tcap_number *dialled(const struct ain_trigger *t)
{
	if (t->has_called)
		return &t->called;
	if (t->has_collected_address)
		return &t->collected_address;
	if (t->has_collected_digits)
		return &t->collected_digits;
	return NULL;
}

static void fail_open(struct ain_svc *svc, const char *what)
{
	LOGPFSML(svc->sv.fi, LOGL_ERROR, "%s, fail-open\n", what);
	svc->sv.call->fail_open = true;
	scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_FAIL_OPEN);
}

/* Let the call go on without changing it: AnalyzeRoute to the dialled number /
 * AuthorizeTermination, or Continue when there is nothing to route to. */
static void answer_proceed(struct ain_svc *svc, const struct ain_trigger *t)
{
	const struct tcap_number *d = dialled(t);

	if (svc->sv.call->dir == SCP_DIR_TERM) {
		if (send_authorize_termination(svc) == 0) {
			OSMO_STRLCPY_ARRAY(svc->sv.call->answer, "authorize-termination");
			scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_CONTINUE);
			return;
		}
		fail_open(svc, "cannot build AuthorizeTermination");
	} else if (d) {
		if (send_analyze_route(svc, d) == 0) {
			OSMO_STRLCPY_ARRAY(svc->sv.call->answer, "analyze-route");
			scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_CONTINUE);
			return;
		}
		fail_open(svc, "cannot build AnalyzeRoute to the dialled number");
	}
	if (send_continue(svc) == 0) {
		OSMO_STRLCPY_ARRAY(svc->sv.call->answer, "continue");
		scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_CONTINUE);
	}
}

/* Queue the answer of a rule. \returns true when the call is released. */
static bool queue_answer(struct ain_svc *svc, const struct ain_rule *rule, const struct ain_trigger *t)
{
	enum ain_answer a = rule ? rule->answer : AIN_ANSWER_PROCEED;

	switch (a) {
	case AIN_ANSWER_RELEASE:
		if (send_disconnect(svc) == 0) {
			scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_RELEASE);
			snprintf(svc->sv.call->answer, sizeof(svc->sv.call->answer), "release %u", rule->release_cause);
			return true;
		}
		fail_open(svc, "cannot build Disconnect");
		break;
	case AIN_ANSWER_CONNECT: {
		const char *to = rule->connect_to;
		struct tcap_number n;

		if (svc->sv.call->dir == SCP_DIR_TERM) {
			/* GR-1299 answers a TerminationAttempt with no AnalyzeRoute */
			fail_open(svc, "connect is an origination answer, not one for TerminationAttempt");
			break;
		}
		if (tcap_num_from_string(&n, to, to[0] == '+' ? TCAP_NAT_INTERNATIONAL : TCAP_NAT_NATIONAL) == 0 &&
		    send_analyze_route(svc, &n) == 0) {
			scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_CONNECT);
			snprintf(svc->sv.call->answer, sizeof(svc->sv.call->answer), "connect %s", to);
			return false;
		}
		fail_open(svc, "cannot build AnalyzeRoute to the configured number");
		break;
	}
	case AIN_ANSWER_CONTINUE:
		if (send_continue(svc) == 0) {
			OSMO_STRLCPY_ARRAY(svc->sv.call->answer, "continue");
			scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_CONTINUE);
			return false;
		}
		fail_open(svc, "cannot build Continue");
		break;
	case AIN_ANSWER_PROCEED:
		break;
	}
	answer_proceed(svc, t);
	return false;
}

/*
 * Call record
 */

static void call_from_trigger(struct ain_svc *svc, uint32_t event, const struct ain_trigger *t)
{
	const struct tcap_dialplan *plan = &g_scp->plan;
	struct scp_call *c = svc->sv.call;
	const struct tcap_number *d = dialled(t);

	memset(c, 0, sizeof(*c));
	c->id = scp_call_next_id();
	c->protocol = "ain";
	c->ssn = svc->sv.ssn->ssn;
	/* AIN has no service key: the trigger criteria type selects the rule */
	c->service_key = t->has_tct ? t->tct : 0;
	c->dir = event == AIN_EV_TERMINATION_ATTEMPT_IND ? SCP_DIR_TERM : SCP_DIR_ORIG;
	if (t->has_calling)
		scp_party_set(&c->calling, &t->calling, plan);
	if (d)
		scp_party_set(&c->called, d, plan);
	if (t->has_charge_number)
		scp_party_set(&c->charge, &t->charge_number, plan);
	if (t->has_redirecting)
		scp_party_set(&c->redirecting, &t->redirecting, plan);
	if (t->has_original_called)
		scp_party_set(&c->original_called, &t->original_called, plan);
	if (t->user_id.kind == AIN_UID_DN || t->user_id.kind == AIN_UID_BRI)
		OSMO_STRLCPY_ARRAY(c->user_dn, t->user_id.dn);
	if (t->has_lata)
		OSMO_STRLCPY_ARRAY(c->lata, t->lata.digits);
	c->trigger_criteria = t->has_tct ? (int)t->tct : -1;
	clock_gettime(CLOCK_REALTIME, &c->t_trigger);
	LOGPFSML(svc->sv.fi, LOGL_INFO, "call %llu: user %s%s lata %s trigger criteria %s\n", (unsigned long long)c->id,
		 t->user_id.kind == AIN_UID_DN || t->user_id.kind == AIN_UID_BRI ? "dn " : "",
		 t->user_id.kind == AIN_UID_DN || t->user_id.kind == AIN_UID_BRI ? t->user_id.dn : "(not a line)",
		 t->has_lata ? t->lata.digits : "-",
		 t->has_tct ? (ain_tct_name(t->tct) ?: "?") : "-");
}

/* End the transaction with what is queued: a Response, or, when the switch's last
 * package withheld permission to release (T1.114), a Conversation after which the
 * switch ends it. */
static void finish(struct ain_svc *svc)
{
	int rc = tcap_dlg_end(svc->sv.dlg, false);

	if (rc == -EPERM) {
		LOGPFSML(svc->sv.fi, LOGL_INFO, "no permission to release: answering in a Conversation\n");
		if (tcap_dlg_continue(svc->sv.dlg) == 0) {
			svc->finish = false;
			if (svc->sv.fi->state != AIN_ST_MONITORING)
				osmo_fsm_inst_state_chg(svc->sv.fi, AIN_ST_MONITORING, 0, 0);
			return;
		}
		tcap_dlg_u_abort(svc->sv.dlg);
		scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_ABORT);
	}
	scp_svc_term(&svc->sv);
}

/*
 * FSM
 */

static void st_wait_trigger(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct ain_svc *svc = fi->priv;
	const struct ain_trigger *t = data;
	const struct ain_rule *rule;
	bool released, monitor;
	struct scp_call call;

	switch (event) {
	case AIN_EV_INFO_COLLECTED_IND:
	case AIN_EV_INFO_ANALYZED_IND:
	case AIN_EV_TERMINATION_ATTEMPT_IND:
		scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_RX_TRIGGER);
		svc->sv.call = &call;
		call_from_trigger(svc, event, t);
		scp_ssn_ctr_inc(svc->sv.ssn,
				call.dir == SCP_DIR_TERM ? SCP_CTR_RX_TRIGGER_TERM : SCP_CTR_RX_TRIGGER_ORIG);
		rule = ain_rule_find(t->has_tct ? t->tct : AIN_RULE_ANY);
		monitor = rule && rule->monitor && rule->answer != AIN_ANSWER_RELEASE;
		if (monitor && send_rrbe(svc)) {
			fail_open(svc, "cannot build RequestReportBCMEvent, answering unmonitored");
			monitor = false;
		}
		released = queue_answer(svc, rule, t);
		svc->sv.call = NULL;
		call.monitored = monitor && !released;
		scp_call_event(SCP_CALL_EV_TRIGGER, &call);
		/* kept packed for the answer and the end (also unmonitored: a switch that withholds
		 * permission to release keeps the transaction open, see finish()) */
		if (scp_call_rec_pack(fi, &svc->sv.rec, &call)) {
			LOGPFSML(fi, LOGL_ERROR, "no memory for the call record\n");
			call.monitored = false;
		}
		if (call.monitored) {
			if (tcap_dlg_continue(svc->sv.dlg) == 0) {
				scp_svc_latency(&svc->sv);
				osmo_fsm_inst_state_chg(fi, AIN_ST_MONITORING, 0, 0);
				break;
			}
			svc->sv.rec.monitored = false;
		}
		scp_svc_latency(&svc->sv);
		finish(svc);
		break;
	case AIN_EV_TC_END_IND:
	case AIN_EV_TC_ABORT_IND:
		scp_svc_term(&svc->sv);
		break;
	case AIN_EV_TC_TIMEOUT_IND:
		scp_svc_timed_out(&svc->sv);
		break;
	}
}

static void st_monitoring(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct ain_svc *svc = fi->priv;
	const struct ain_event *ev = data;

	switch (event) {
	case AIN_EV_O_ANSWER_IND:
	case AIN_EV_T_ANSWER_IND:
		/* a notification EDP: the switch goes on, nothing to answer */
		scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_RX_EVENT_ANSWER);
		scp_svc_call_answer(&svc->sv);
		break;
	case AIN_EV_O_DISCONNECT_IND:
	case AIN_EV_T_DISCONNECT_IND:
		scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_RX_EVENT_DISCONNECT);
		scp_svc_call_end(&svc->sv, "disconnect");
		if (svc->peer_ended)
			break;
		/* a request EDP waits for the SCP: Continue lets the release go on; a
		 * disconnect reported as a notification only needs the transaction closed */
		if (ev->has_notification && ev->notification) {
			if (send_close(svc, AIN_CLOSE_CALL_TERMINATED))
				LOGPFSML(fi, LOGL_ERROR, "cannot build Close\n");
		} else if (send_continue(svc)) {
			LOGPFSML(fi, LOGL_ERROR, "cannot build Continue\n");
		}
		svc->finish = true;
		break;
	case AIN_EV_CLOSE_IND:
		scp_svc_call_end(&svc->sv, "close");
		svc->finish = !svc->peer_ended;
		break;
	case AIN_EV_TC_END_IND:
		scp_svc_call_end(&svc->sv, "end");
		scp_svc_term(&svc->sv);
		break;
	case AIN_EV_TC_ABORT_IND:
		scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_RX_ABORT);
		scp_svc_call_end(&svc->sv, "abort");
		scp_svc_term(&svc->sv);
		break;
	case AIN_EV_TC_TIMEOUT_IND:
		/* a quiet monitored call: ask the switch whether it still exists (once: quiet again after the
		 * question, it is gone) */
		if (!svc->activity_test && send_activity_test(svc) == 0 && tcap_dlg_continue(svc->sv.dlg) == 0) {
			svc->activity_test = true;
			scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_ACTIVITY_TEST);
			break;
		}
		/* could not ask: give up on the transaction */
		/* fall through */
	case AIN_EV_TC_L_CANCEL_IND:
		scp_svc_timed_out(&svc->sv);
		break;
	}
}

#define S(x) (1 << (x))

static const struct osmo_fsm_state ain_svc_states[] = {
	[AIN_ST_WAIT_TRIGGER] = {
		.name = "WAIT_TRIGGER",
		.in_event_mask = S(AIN_EV_INFO_COLLECTED_IND) | S(AIN_EV_INFO_ANALYZED_IND) |
				 S(AIN_EV_TERMINATION_ATTEMPT_IND) | S(AIN_EV_TC_END_IND) | S(AIN_EV_TC_ABORT_IND) |
				 S(AIN_EV_TC_TIMEOUT_IND),
		.out_state_mask = S(AIN_ST_MONITORING),
		.action = st_wait_trigger,
	},
	[AIN_ST_MONITORING] = {
		.name = "MONITORING",
		.in_event_mask = S(AIN_EV_O_ANSWER_IND) | S(AIN_EV_T_ANSWER_IND) | S(AIN_EV_O_DISCONNECT_IND) |
				 S(AIN_EV_T_DISCONNECT_IND) | S(AIN_EV_CLOSE_IND) | S(AIN_EV_TC_END_IND) |
				 S(AIN_EV_TC_ABORT_IND) | S(AIN_EV_TC_TIMEOUT_IND) | S(AIN_EV_TC_L_CANCEL_IND),
		.out_state_mask = 0,
		.action = st_monitoring,
	},
};

static struct osmo_fsm ain_svc_fsm = {
	.name = "AIN-SVC",
	.states = ain_svc_states,
	.num_states = ARRAY_SIZE(ain_svc_states),
	.event_names = ain_svc_event_names,
	.log_subsys = DAIN,
};

static __attribute__((constructor)) void ain_svc_fsm_register(void)
{
	OSMO_ASSERT(osmo_fsm_register(&ain_svc_fsm) == 0);
}

/* AIN 0.1/0.2 switches send no application context (or one of their own): every
 * Query is served; the operations decide. */
enum tcap_ac_verdict scp_ain_check_ac(struct tcap_tsl *tsl, const struct tcap_oid *ac)
{
	(void)tsl;
	(void)ac;
	return TCAP_AC_ACCEPT;
}

const size_t scp_ain_svc_size = sizeof(struct ain_svc);

/* The service logic of a new transaction, in the dialogue's user area (sccp.c sizes it). */
static struct ain_svc *svc_alloc(struct scp_ssn *s, struct tcap_dlg *dlg)
{
	const struct tcap_tid *l = tcap_dlg_local_tid(dlg);
	struct ain_svc *svc = tcap_dlg_user(dlg);
	char id[16];

	if (!svc || tcap_dlg_get_priv(dlg))
		return NULL;
	snprintf(id, sizeof(id), "ain-%02x%02x%02x%02x", l->buf[0], l->buf[1], l->buf[2], l->buf[3]);
	if (scp_svc_start(&svc->sv, &ain_svc_fsm, svc, s, dlg, id))
		return NULL;
	return svc;
}

static void reject(struct ain_svc *svc, const struct tcap_component *c, int32_t problem)
{
	if (svc->peer_ended)
		return;
	tcap_dlg_reject(svc->sv.dlg, c, TCAP_PROB_GENERAL, problem);
	svc->rejects++;
	scp_ssn_ctr_inc(svc->sv.ssn, problem == TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE ? SCP_CTR_TX_REJECT_UNKNOWN_OP
										      : SCP_CTR_TX_REJECT_MISTYPED);
}

typedef int (*trigger_decode_fn)(struct ain_trigger *out, const uint8_t *buf, size_t len);
typedef int (*event_decode_fn)(struct ain_event *out, const uint8_t *buf, size_t len);

/* Handle the components of one package; the FSM gets one event per operation.
 * \returns false when the service logic is gone. */
static bool handle_components(struct ain_svc *svc, const struct tcap_ind *ind)
{
	unsigned int i;

	for (i = 0; i < ind->num_comp && svc->sv.fi; i++) {
		const struct tcap_component *c = ind->comp[i];
		trigger_decode_fn tdec = NULL;
		event_decode_fn edec = NULL;
		uint32_t ev = 0;

		if (c->kind != TCAP_COMP_INVOKE)
			continue;	/* results and rejects: the layer matched them */
		if (c->op.kind != TCAP_OP_PRIVATE) {
			reject(svc, c, TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE);
			continue;
		}
		switch (c->op.code) {
		case AIN_OP_INFO_COLLECTED:
			tdec = ain_info_collected_decode;
			ev = AIN_EV_INFO_COLLECTED_IND;
			break;
		case AIN_OP_INFO_ANALYZED:
			tdec = ain_info_analyzed_decode;
			ev = AIN_EV_INFO_ANALYZED_IND;
			break;
		case AIN_OP_TERMINATION_ATTEMPT:
			tdec = ain_termination_attempt_decode;
			ev = AIN_EV_TERMINATION_ATTEMPT_IND;
			break;
		case AIN_OP_O_ANSWER:
			edec = ain_o_answer_decode;
			ev = AIN_EV_O_ANSWER_IND;
			break;
		case AIN_OP_T_ANSWER:
			edec = ain_t_answer_decode;
			ev = AIN_EV_T_ANSWER_IND;
			break;
		case AIN_OP_O_DISCONNECT:
			edec = ain_o_disconnect_decode;
			ev = AIN_EV_O_DISCONNECT_IND;
			break;
		case AIN_OP_T_DISCONNECT:
			edec = ain_t_disconnect_decode;
			ev = AIN_EV_T_DISCONNECT_IND;
			break;
		case AIN_OP_CLOSE:
			if (svc->sv.fi->state != AIN_ST_MONITORING) {
				reject(svc, c, TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE);
				continue;
			}
			osmo_fsm_inst_dispatch(svc->sv.fi, AIN_EV_CLOSE_IND, NULL);
			continue;
		default:
			LOGPFSML(svc->sv.fi, LOGL_NOTICE, "operation 0x%04x (%s) not served\n", c->op.code,
				 ain_op_name(c->op.code) ?: "unknown");
			reject(svc, c, TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE);
			continue;
		}
		if (tdec) {
			struct ain_trigger t;
			struct tcap_dlg *dlg;

			/* a trigger opens a transaction; in one already answered it is unexpected */
			if (svc->sv.fi->state != AIN_ST_WAIT_TRIGGER) {
				reject(svc, c, TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE);
				continue;
			}
			if (!c->param || tdec(&t, c->param, c->param_len)) {
				LOGPFSML(svc->sv.fi, LOGL_NOTICE, "%s argument does not decode\n",
					 ain_op_name(c->op.code));
				reject(svc, c, TCAP_ANSI_PROB_INVOKE_INCORRECT_PARAMETER);
				continue;
			}
			dlg = svc->sv.dlg;
			osmo_fsm_inst_dispatch(svc->sv.fi, ev, &t);
			/* the transaction is answered (and svc maybe freed: only compared here);
			 * the rest of the package is not ours */
			return tcap_dlg_get_priv(dlg) == svc;
		} else {
			struct ain_event e;

			if (svc->sv.fi->state != AIN_ST_MONITORING) {
				reject(svc, c, TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE);
				continue;
			}
			if (!c->param || edec(&e, c->param, c->param_len)) {
				LOGPFSML(svc->sv.fi, LOGL_NOTICE, "%s argument does not decode\n",
					 ain_op_name(c->op.code));
				reject(svc, c, TCAP_ANSI_PROB_INVOKE_INCORRECT_PARAMETER);
				continue;
			}
			osmo_fsm_inst_dispatch(svc->sv.fi, ev, &e);
		}
	}
	return svc->sv.fi != NULL;
}

/* Without memory for the service logic: let the call go on. */
static void fail_open_nomem(struct scp_ssn *s, struct tcap_dlg *dlg)
{
	struct ain_continue c = { .has_amaslp_id = true };
	struct tcap_opcode op = op_private(AIN_OP_CONTINUE);
	uint8_t p[PARAM_MAX];
	size_t len;

	scp_ssn_ctr_inc(s, SCP_CTR_FAIL_OPEN);
	OSMO_STRLCPY_ARRAY(c.amaslp_id, g_ain.amaslp_id);
	if (ain_continue_encode(p, sizeof(p), &len, &c) == 0)
		tcap_dlg_invoke(dlg, &op, p, len, 0, false);
	if (tcap_dlg_end(dlg, false) == -EPERM)
		tcap_dlg_u_abort(dlg);
}

void scp_ain_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind)
{
	struct scp_ssn *s = tcap_tsl_priv(tsl);
	struct ain_svc *svc = tcap_dlg_get_priv(dlg);
	struct timespec t_rx;

	clock_gettime(CLOCK_MONOTONIC, &t_rx);
	if (svc) {
		svc->rejects = 0;
		svc->finish = false;
	}
	switch (ind->kind) {
	case TCAP_IND_BEGIN:
		svc = svc_alloc(s, dlg);
		if (!svc) {
			fail_open_nomem(s, dlg);
			return;
		}
		svc->sv.t_rx = t_rx;
		if (!handle_components(svc, ind))
			return;
		if (svc->sv.fi->state == AIN_ST_WAIT_TRIGGER) {
			/* no usable trigger: end with the Rejects; the switch falls back to
			 * its default call handling */
			finish(svc);
		} else if (svc->finish) {
			finish(svc);
		}
		break;
	case TCAP_IND_CONTINUE:
		if (!svc) {
			tcap_dlg_u_abort(dlg);
			return;
		}
		/* the switch is there (an ActivityTest's result comes this way) */
		svc->activity_test = false;
		if (!handle_components(svc, ind))
			return;
		if (svc->finish)
			finish(svc);
		else if (ind->num_rejected || svc->rejects)
			tcap_dlg_continue(dlg);
		break;
	case TCAP_IND_END:
		if (!svc)
			return;
		svc->peer_ended = true;
		if (handle_components(svc, ind))
			osmo_fsm_inst_dispatch(svc->sv.fi, AIN_EV_TC_END_IND, NULL);
		break;
	case TCAP_IND_U_ABORT:
	case TCAP_IND_P_ABORT:
		if (svc)
			osmo_fsm_inst_dispatch(svc->sv.fi, AIN_EV_TC_ABORT_IND, NULL);
		break;
	case TCAP_IND_TIMEOUT:
		if (svc)
			osmo_fsm_inst_dispatch(svc->sv.fi, AIN_EV_TC_TIMEOUT_IND, NULL);
		break;
	case TCAP_IND_L_CANCEL:
		/* only ActivityTest reports success */
		if (svc)
			osmo_fsm_inst_dispatch(svc->sv.fi, AIN_EV_TC_L_CANCEL_IND, NULL);
		break;
	}
}
