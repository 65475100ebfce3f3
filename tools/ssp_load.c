/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp load: many switch-side calls at once, started open-loop at a fixed rate.
 *
 * Call i is due at start + i / rate and goes out when due, whether or not earlier calls
 * were answered: a slow SCP shows up as latency (and in the end as timeouts), it never
 * slows the arrivals down (no coordinated omission). A 1 ms timerfd tick runs the
 * schedule and a timing wheel of the calls' own deadlines (answer, hang up, give up):
 * libosmocore's poll() loop rounds the time to the next osmo_timer down to whole
 * milliseconds, so dense osmo_timers (one per call, a quarter of a millisecond apart at
 * 4000 calls/s) made the generator spin in poll(0) and take the CPU the SCP and the STP
 * were to be measured with. Each tick sends every call already due; how late that was
 * is reported as the generator's lag, so a saturated generator cannot pass unnoticed.
 *
 * The calls play the same switch as `call` (ssp_cap.c, ssp_ain.c), as a multi-call variant
 * kept small for speed: nothing is printed per message. Scenarios:
 *   trigger  the SCP's answer is the whole call (TC-END / Response with its instruction);
 *   monitor  the OCSS7 call-monitoring benchmark: InitialDP -> RRBE + Continue; after
 *            --answer-after oAnswer (AIN O_Answer), after --hold oDisconnect (AIN
 *            O_Disconnect), closed as the armed monitor modes prescribe.
 * Latency is from the trigger leaving to the SCP's first answer arriving, in a
 * log-bucket histogram (ssp_hist.c). Every call ends either completed or failed with the
 * first thing that went wrong: reject, abort, timeout, error (an answer that does not fit
 * the protocol or the scenario) or unfinished (still going when the run stopped).
 *
 * The run is bounded: arrivals stop after --duration, what is still going gets --drain
 * seconds; rates and durations beyond the `load-limit` of the config file are refused before
 * (ssp_load_main.c, which also parses the options and starts the stack). */

#include <errno.h>
#include <inttypes.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <talloc.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include <tandem/ain.h>
#include <tandem/cap.h>

#include "ssp.h"
#include "ssp_hist.h"
#include "ssp_load.h"

#define PARAM_MAX 512
#define NS 1000000000ull
#define MS 1000000ull
/* Timing wheel of the calls' deadlines: one slot per millisecond, 8.192 s around (a deadline
 * further away waits in its slot for the turn it is due: it is looked at once a turn). */
#define WHEEL_SLOTS 8192

enum fail_kind {
	F_NONE,
	F_REJECT,
	F_ABORT,
	F_TIMEOUT,
	F_ERROR,
	F_UNFINISHED,
	F_NUM,
};

static const char *const fail_names[F_NUM] = {
	[F_REJECT] = "reject", [F_ABORT] = "abort", [F_TIMEOUT] = "timeout", [F_ERROR] = "error",
	[F_UNFINISHED] = "unfinished",
};

enum phase {
	PH_WAIT_FIRST,		/* trigger sent, the SCP's instruction not yet there */
	PH_MONITORED,		/* call going on: our own step timer runs */
	PH_WAIT_INSTR,		/* disconnect reported as a request: waiting for the SCP's last word */
};

struct load;

struct lcall {
	struct llist_head list;
	struct load *L;
	struct tcap_dlg *dlg;
	struct llist_head wheel;	/* in its wheel slot while a deadline is set */
	uint64_t deadline_ms;		/* waiting for the SCP, or the switch's next step */
	bool armed;
	uint64_t t_sent;		/* ns, CLOCK_MONOTONIC */
	uint32_t idx;
	enum phase phase;
	bool step_disconnect;		/* the step timer's next step: false answer, true disconnect */
	bool answered, has_instr, released, closed, monitored;
	enum fail_kind fail;
	/* CAP: armed events per leg (0: any leg), a bit per event type */
	uint32_t cap_req[3], cap_notif[3];
	/* AIN: armed EDPs */
	uint32_t edp_req, edp_notif;
	char dn[11];
};

struct load {
	struct ssp *ssp;
	struct ssp_load_opts o;
	enum cap_protocol cap_proto;
	struct tcap_oid ac;
	struct llist_head calls;
	unsigned int in_flight;
	/* the schedule */
	struct osmo_fd tick;		/* timerfd, every millisecond */
	uint64_t wheel_ms;		/* the last millisecond whose slot was run */
	struct llist_head slot[WHEEL_SLOTS];
	struct osmo_timer_list t_tick;	/* progress, every second */
	uint64_t t0, t_end_arrivals, total;
	bool arrivals_over;
	volatile bool *stop;		/* SIGINT/SIGTERM: no more arrivals, no drain */
	uint64_t started, answered, completed, failed, fails[F_NUM];
	uint64_t lag_max;		/* ns the generator was behind its schedule, at worst */
	struct ssp_hist lat, lat_sec, lag;	/* µs: whole run, this second; lag of each start */
	unsigned int seconds;
	uint64_t last_started;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static void call_timer_del(struct lcall *c)
{
	if (c->armed)
		llist_del(&c->wheel);
	c->armed = false;
}

/* The call's one deadline, ns from now, rounded up to the wheel's millisecond. */
static void call_timer(struct lcall *c, uint64_t ns)
{
	struct load *L = c->L;

	call_timer_del(c);
	c->deadline_ms = (now_ns() + ns + MS - 1) / MS;
	if (c->deadline_ms <= L->wheel_ms)
		c->deadline_ms = L->wheel_ms + 1;
	llist_add_tail(&c->wheel, &L->slot[c->deadline_ms % WHEEL_SLOTS]);
	c->armed = true;
}

static struct tcap_opcode op_local(int code)
{
	return (struct tcap_opcode){ .kind = TCAP_OP_LOCAL, .code = code };
}

static struct tcap_opcode op_private(int code)
{
	return (struct tcap_opcode){ .kind = TCAP_OP_PRIVATE, .code = code };
}

/*
 * The end of a call
 */

static void call_free(struct lcall *c)
{
	call_timer_del(c);
	if (c->dlg)
		tcap_dlg_set_priv(c->dlg, NULL);
	llist_del(&c->list);
	c->L->in_flight--;
	talloc_free(c);
}

/* The call is over (dialogue already gone or ended by the caller). */
static void call_done(struct lcall *c)
{
	struct load *L = c->L;

	if (c->fail == F_NONE) {
		L->completed++;
	} else {
		L->failed++;
		L->fails[c->fail]++;
	}
	call_free(c);
}

static void fail(struct lcall *c, enum fail_kind k)
{
	if (c->fail == F_NONE)
		c->fail = k;
}

/* Fail the call and abort its dialogue towards the SCP. */
static void call_abort(struct lcall *c, enum fail_kind k)
{
	fail(c, k);
	if (c->dlg) {
		tcap_dlg_set_priv(c->dlg, NULL);
		tcap_dlg_u_abort(c->dlg);
		c->dlg = NULL;
	}
	call_done(c);
}

/* End the dialogue with a TC-END / Response carrying what is queued; the call is over. */
static void call_end(struct lcall *c)
{
	int rc;

	tcap_dlg_set_priv(c->dlg, NULL);
	rc = tcap_dlg_end(c->dlg, false);
	if (rc == -EPERM) {
		/* ANSI: the SCP withheld permission to release */
		call_abort(c, F_ERROR);
		return;
	}
	c->dlg = NULL;
	if (rc)
		fail(c, F_ERROR);
	call_done(c);
}

static void record_answer(struct lcall *c)
{
	struct load *L = c->L;
	uint64_t us;

	if (c->answered)
		return;
	c->answered = true;
	L->answered++;
	us = (now_ns() - c->t_sent) / 1000;
	ssp_hist_add(&L->lat, us);
	ssp_hist_add(&L->lat_sec, us);
}

/*
 * CAP / INAP
 */

static bool cap_armed(const struct lcall *c, enum cap_event_type e, int leg, bool *request)
{
	uint32_t bit = UINT32_C(1) << e;

	if ((c->cap_req[leg] | c->cap_notif[leg]) & bit) {
		*request = c->cap_req[leg] & bit;
		return true;
	}
	if ((c->cap_req[0] | c->cap_notif[0]) & bit) {
		*request = c->cap_req[0] & bit;
		return true;
	}
	return false;
}

static void cap_arm(struct lcall *c, const struct cap_rrbe *r)
{
	unsigned int i;

	for (i = 0; i < r->num_events; i++) {
		const struct cap_bcsm_event *e = &r->events[i];
		int leg = e->leg.side == CAP_LEG_NONE ? 0 : e->leg.leg;
		uint32_t bit;

		if ((unsigned int)e->event_type >= 32 || leg < 0 || leg > 2)
			continue;
		bit = UINT32_C(1) << e->event_type;
		c->cap_req[leg] &= ~bit;
		c->cap_notif[leg] &= ~bit;
		if (e->monitor_mode == CAP_MON_INTERRUPTED)
			c->cap_req[leg] |= bit;
		else if (e->monitor_mode == CAP_MON_NOTIFY_AND_CONTINUE)
			c->cap_notif[leg] |= bit;
		if (e->monitor_mode != CAP_MON_TRANSPARENT)
			c->monitored = true;
	}
}

/* One invoke of the SCP. \returns true when something was queued that must be sent. */
static bool cap_invoke(struct lcall *c, const struct tcap_component *comp)
{
	struct tcap_opcode op;
	struct cap_rrbe r;

	if (comp->op.kind != TCAP_OP_LOCAL) {
		fail(c, F_ERROR);
		tcap_dlg_reject(c->dlg, comp, TCAP_PROB_INVOKE, TCAP_IP_UNRECOGNIZED_OPERATION);
		return true;
	}
	switch (comp->op.code) {
	case CAP_OP_REQUEST_REPORT_BCSM:
		if (!comp->param || cap_rrbe_decode(&r, c->L->cap_proto, comp->param, comp->param_len)) {
			fail(c, F_ERROR);
			tcap_dlg_reject(c->dlg, comp, TCAP_PROB_INVOKE, TCAP_IP_MISTYPED_PARAMETER);
			return true;
		}
		cap_arm(c, &r);
		return false;
	case CAP_OP_RELEASE_CALL:
		c->released = true;
		/* fall through */
	case CAP_OP_CONTINUE:
	case CAP_OP_CONTINUE_WITH_ARGUMENT:
	case CAP_OP_CONNECT:
		/* the instruction's argument is the SCP's business: a load run does not check it */
		c->has_instr = true;
		return false;
	case CAP_OP_ACTIVITY_TEST:
		op = op_local(CAP_OP_ACTIVITY_TEST);
		tcap_dlg_result(c->dlg, comp->invoke_id, &op, NULL, 0);
		return true;
	case CAP_OP_RESET_TIMER:
	case CAP_OP_CALL_GAP:
		return false;
	default:
		fail(c, F_ERROR);
		tcap_dlg_reject(c->dlg, comp, TCAP_PROB_INVOKE, TCAP_IP_UNRECOGNIZED_OPERATION);
		return true;
	}
}

/* The switch's next step in a monitored CAP/INAP call. */
static void cap_step(struct lcall *c)
{
	const struct ssp_load_opts *o = &c->L->o;
	enum cap_event_type e;
	bool request;

	if (!c->step_disconnect) {
		/* the called party answers (leg 2) */
		e = o->term ? CAP_EVT_T_ANSWER : CAP_EVT_O_ANSWER;
		if (cap_armed(c, e, 2, &request)) {
			c->cap_req[2] &= ~(UINT32_C(1) << e);
			c->cap_notif[2] &= ~(UINT32_C(1) << e);
			c->cap_req[0] &= ~(UINT32_C(1) << e);
			c->cap_notif[0] &= ~(UINT32_C(1) << e);
			if (ssp_cap_erb_queue(c->dlg, c->L->cap_proto, e, 2, request) || tcap_dlg_continue(c->dlg)) {
				call_abort(c, F_ERROR);
				return;
			}
		}
		c->step_disconnect = true;
		call_timer(c, (uint64_t)(o->hold * NS));
		return;
	}
	/* the calling party hangs up (leg 1) */
	e = o->term ? CAP_EVT_T_DISCONNECT : CAP_EVT_O_DISCONNECT;
	if (!cap_armed(c, e, 1, &request)) {
		/* nothing to report: the relationship just ends */
		call_end(c);
		return;
	}
	if (ssp_cap_erb_queue(c->dlg, c->L->cap_proto, e, 1, request)) {
		call_abort(c, F_ERROR);
		return;
	}
	if (!request) {
		/* TS 29.078: the last EDP-N report closes the relationship */
		call_end(c);
		return;
	}
	c->phase = PH_WAIT_INSTR;
	c->has_instr = false;
	if (tcap_dlg_continue(c->dlg)) {
		call_abort(c, F_ERROR);
		return;
	}
	call_timer(c, (uint64_t)(o->timeout * NS));
}

/*
 * AIN
 */

static bool ain_invoke(struct lcall *c, const struct tcap_component *comp)
{
	struct tcap_opcode op;
	struct ain_rrbe r;

	if (comp->op.kind != TCAP_OP_PRIVATE) {
		fail(c, F_ERROR);
		tcap_dlg_reject(c->dlg, comp, TCAP_PROB_INVOKE, TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE);
		return true;
	}
	switch (comp->op.code) {
	case AIN_OP_REQUEST_REPORT_BCM_EVENT:
		if (!comp->param || ain_rrbe_decode(&r, comp->param, comp->param_len)) {
			fail(c, F_ERROR);
			tcap_dlg_reject(c->dlg, comp, TCAP_PROB_INVOKE, TCAP_ANSI_PROB_INVOKE_INCORRECT_PARAMETER);
			return true;
		}
		c->edp_req = r.has_edp_request ? r.edp_request : 0;
		c->edp_notif = r.has_edp_notification ? r.edp_notification : 0;
		c->monitored = c->edp_req || c->edp_notif;
		return false;
	case AIN_OP_CLOSE:
		c->closed = true;
		/* fall through */
	case AIN_OP_ANALYZE_ROUTE:
	case AIN_OP_AUTHORIZE_TERMINATION:
	case AIN_OP_CONTINUE:
	case AIN_OP_DISCONNECT:
		c->has_instr = true;
		return false;
	case AIN_OP_ACTIVITY_TEST:
		op = op_private(AIN_OP_ACTIVITY_TEST);
		tcap_dlg_result(c->dlg, comp->invoke_id, &op, NULL, 0);
		return true;
	case AIN_OP_ACG:
		return false;
	default:
		fail(c, F_ERROR);
		tcap_dlg_reject(c->dlg, comp, TCAP_PROB_INVOKE, TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE);
		return true;
	}
}

static void ain_step(struct lcall *c)
{
	const struct ssp_load_opts *o = &c->L->o;
	enum ain_edp edp;
	uint32_t bit;

	if (!c->step_disconnect) {
		edp = o->term ? AIN_EDP_T_ANSWER : AIN_EDP_O_ANSWER;
		bit = AIN_EDP_BIT(edp);
		if ((c->edp_req | c->edp_notif) & bit) {
			if (ssp_ain_event_queue(c->dlg, o->term ? AIN_OP_T_ANSWER : AIN_OP_O_ANSWER, c->dn) ||
			    tcap_dlg_continue(c->dlg)) {
				call_abort(c, F_ERROR);
				return;
			}
			c->edp_req &= ~bit;
			c->edp_notif &= ~bit;
		}
		c->step_disconnect = true;
		call_timer(c, (uint64_t)(o->hold * NS));
		return;
	}
	edp = o->term ? AIN_EDP_T_DISCONNECT : AIN_EDP_O_DISCONNECT;
	bit = AIN_EDP_BIT(edp);
	if (!((c->edp_req | c->edp_notif) & bit)) {
		call_end(c);
		return;
	}
	if (ssp_ain_event_queue(c->dlg, o->term ? AIN_OP_T_DISCONNECT : AIN_OP_O_DISCONNECT, c->dn)) {
		call_abort(c, F_ERROR);
		return;
	}
	if (!(c->edp_req & bit) && tcap_dlg_may_end(c->dlg)) {
		/* the last notification: our Response ends the transaction */
		call_end(c);
		return;
	}
	/* a request (or no permission to release): the SCP's Response ends it */
	c->phase = PH_WAIT_INSTR;
	c->has_instr = false;
	if (tcap_dlg_continue(c->dlg)) {
		call_abort(c, F_ERROR);
		return;
	}
	call_timer(c, (uint64_t)(o->timeout * NS));
}

/*
 * Both
 */

static void call_timer_cb(void *data)
{
	struct lcall *c = data;

	if (c->phase == PH_MONITORED) {
		if (c->L->o.proto == TD_PROTO_AIN)
			ain_step(c);
		else
			cap_step(c);
		return;
	}
	/* the SCP did not answer in time: the switch gives up (and tells the SCP) */
	call_abort(c, F_TIMEOUT);
}

/* A TC-CONTINUE (ANSI Conversation) from the SCP, its components handled. */
static void on_continue(struct lcall *c, bool queued)
{
	struct load *L = c->L;

	if (c->fail != F_NONE) {
		call_abort(c, c->fail);
		return;
	}
	if (c->closed || (c->phase == PH_WAIT_INSTR && c->has_instr)) {
		/* AIN Close, or the SCP's answer to a disconnect request: the switch ends it */
		call_end(c);
		return;
	}
	if (c->phase != PH_WAIT_FIRST || !c->has_instr) {
		/* an activityTest, or the instruction still to come */
		if (queued && tcap_dlg_continue(c->dlg)) {
			call_abort(c, F_ERROR);
			return;
		}
		if (c->phase != PH_MONITORED)
			call_timer(c, (uint64_t)(L->o.timeout * NS));
		return;
	}
	if (c->released || !c->monitored) {
		/* released, or continued with nothing to report: the relationship ends here */
		if (L->o.scenario == SSP_SC_MONITOR)
			fail(c, F_ERROR);
		call_end(c);
		return;
	}
	if (L->o.scenario == SSP_SC_TRIGGER)
		fail(c, F_ERROR);	/* monitored, against the scenario: played out, counted */
	if (queued && tcap_dlg_continue(c->dlg)) {
		call_abort(c, F_ERROR);
		return;
	}
	c->phase = PH_MONITORED;
	c->step_disconnect = false;
	call_timer(c, (uint64_t)(L->o.answer_after * NS));
}

/* A TC-END (ANSI Response) from the SCP: the dialogue is gone. */
static void on_end(struct lcall *c)
{
	struct load *L = c->L;

	c->dlg = NULL;
	if (!c->has_instr || c->phase == PH_MONITORED)
		fail(c, F_ERROR);	/* no instruction, or ended in the middle of the call */
	else if (c->phase == PH_WAIT_FIRST && L->o.scenario == SSP_SC_MONITOR)
		fail(c, F_ERROR);	/* not monitored, against the scenario */
	call_done(c);
}

/* An instruction in a TC-END / Response: nothing can be answered there any more. */
static bool is_instr(bool ain, const struct tcap_component *comp)
{
	if (ain)
		return comp->op.kind == TCAP_OP_PRIVATE &&
		       (comp->op.code == AIN_OP_ANALYZE_ROUTE || comp->op.code == AIN_OP_AUTHORIZE_TERMINATION ||
			comp->op.code == AIN_OP_CONTINUE || comp->op.code == AIN_OP_DISCONNECT ||
			comp->op.code == AIN_OP_CLOSE);
	return comp->op.kind == TCAP_OP_LOCAL &&
	       (comp->op.code == CAP_OP_CONTINUE || comp->op.code == CAP_OP_CONTINUE_WITH_ARGUMENT ||
		comp->op.code == CAP_OP_CONNECT || comp->op.code == CAP_OP_RELEASE_CALL);
}

void ssp_load_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind)
{
	struct lcall *c = tcap_dlg_get_priv(dlg);
	bool ain, queued = false;
	unsigned int i;

	if (!c) {
		/* nobody opens dialogues towards the switch; a call we gave up on is gone already */
		if (ind->kind == TCAP_IND_BEGIN || ind->kind == TCAP_IND_CONTINUE)
			tcap_dlg_u_abort(dlg);
		return;
	}
	ain = c->L->o.proto == TD_PROTO_AIN;
	switch (ind->kind) {
	case TCAP_IND_CONTINUE:
	case TCAP_IND_END:
		if (c->phase != PH_MONITORED)
			call_timer_del(c);
		record_answer(c);
		for (i = 0; i < ind->num_comp; i++) {
			const struct tcap_component *comp = ind->comp[i];

			switch (comp->kind) {
			case TCAP_COMP_INVOKE:
				if (ind->kind == TCAP_IND_CONTINUE)
					queued |= ain ? ain_invoke(c, comp) : cap_invoke(c, comp);
				else
					c->has_instr |= is_instr(ain, comp);
				break;
			case TCAP_COMP_REJECT:
				fail(c, F_REJECT);
				break;
			case TCAP_COMP_RETURN_ERROR:
				fail(c, F_ERROR);
				break;
			case TCAP_COMP_RETURN_RESULT:
				break;
			}
		}
		if (ind->num_rejected) {
			fail(c, F_REJECT);
			queued = true;
		}
		if (ind->kind == TCAP_IND_END)
			on_end(c);
		else
			on_continue(c, queued);
		break;
	case TCAP_IND_U_ABORT:
	case TCAP_IND_P_ABORT:
		c->dlg = NULL;
		fail(c, F_ABORT);
		call_done(c);
		break;
	case TCAP_IND_TIMEOUT:
	case TCAP_IND_L_CANCEL:
	case TCAP_IND_BEGIN:
		break;
	}
}

/*
 * Starting calls
 */

static void range_number(char *out, size_t size, const struct ssp_numrange *r, uint64_t i)
{
	snprintf(out, size, "%s%0*" PRIu64, r->plus ? "+" : "", (int)r->width, r->lo + i % (r->hi - r->lo + 1));
}

static int cap_trigger(struct lcall *c, uint8_t *p, size_t size, size_t *len)
{
	const struct load *L = c->L;
	const struct ssp_load_opts *o = &L->o;
	struct tcap_number calling, called;
	struct cap_idp idp;
	char num[24];

	range_number(num, sizeof(num), &o->calling, c->idx);
	if (ssp_parse_number(&calling, num))
		return -EINVAL;
	range_number(num, sizeof(num), &o->called, c->idx);
	if (ssp_parse_number(&called, num))
		return -EINVAL;
	/* a call reference unique within the run */
	ssp_cap_idp_fill(&idp, L->cap_proto, o->term, o->service_key, &calling, false, &called,
			 (uint32_t)getpid() << 24 ^ c->idx);
	return cap_idp_encode(p, size, len, L->cap_proto, &idp);
}

static int ain_trigger(struct lcall *c, uint8_t *p, size_t size, size_t *len, struct tcap_opcode *op)
{
	const struct ssp_load_opts *o = &c->L->o;
	struct ain_trigger t = { 0 };
	char num[24];
	int rc;

	range_number(num, sizeof(num), &o->called, c->idx);
	if (tcap_num_from_string(&t.called, num, TCAP_NAT_NATIONAL))
		return -EINVAL;
	range_number(num, sizeof(num), &o->calling, c->idx);
	if (tcap_num_from_string(&t.calling, num, TCAP_NAT_NATIONAL))
		return -EINVAL;
	t.has_calling = true;
	t.calling.pres = TCAP_PRES_ALLOWED;
	rc = ssp_ain_trigger_encode(p, size, len, op, &t, o->term, o->tct);
	OSMO_STRLCPY_ARRAY(c->dn, t.user_id.dn);
	return rc;
}

/* Start call number L->started. */
static void start_call(struct load *L, uint64_t due)
{
	struct tcap_opcode op = op_local(CAP_OP_INITIAL_DP);
	bool ain = L->o.proto == TD_PROTO_AIN;
	uint8_t p[PARAM_MAX];
	struct lcall *c;
	size_t len;
	int rc;

	c = talloc_zero(L, struct lcall);
	if (!c) {
		L->started++;
		L->failed++;
		L->fails[F_ERROR]++;
		return;
	}
	c->L = L;
	c->idx = L->started++;
	llist_add_tail(&c->list, &L->calls);
	L->in_flight++;
	rc = ain ? ain_trigger(c, p, sizeof(p), &len, &op) : cap_trigger(c, p, sizeof(p), &len);
	if (rc) {
		call_abort(c, F_ERROR);
		return;
	}
	c->dlg = tcap_dlg_alloc(L->ssp->tsl, ssp_peer(L->ssp));
	if (!c->dlg) {
		call_abort(c, F_ERROR);
		return;
	}
	tcap_dlg_set_priv(c->dlg, c);
	c->t_sent = now_ns();
	if (c->t_sent > due) {
		ssp_hist_add(&L->lag, (c->t_sent - due) / 1000);
		if (c->t_sent - due > L->lag_max)
			L->lag_max = c->t_sent - due;
	} else {
		ssp_hist_add(&L->lag, 0);
	}
	rc = tcap_dlg_invoke(c->dlg, &op, p, len, 0, false);
	if (rc >= 0)
		rc = tcap_dlg_begin(c->dlg, ain ? NULL : &L->ac);
	if (rc < 0) {
		/* the layer freed the dialogue */
		c->dlg = NULL;
		fail(c, F_ERROR);
		call_done(c);
		return;
	}
	call_timer(c, (uint64_t)(L->o.timeout * NS));
}

/* Every call due by now. */
static void arrivals(struct load *L, uint64_t now)
{
	uint64_t due;

	while (!L->arrivals_over && !*L->stop && L->started < L->total) {
		due = L->t0 + (uint64_t)((double)L->started * NS / L->o.rate);
		if (due > now)
			return;
		start_call(L, due);
	}
	if (!L->arrivals_over) {
		L->arrivals_over = true;
		L->t_end_arrivals = now_ns();
	}
}

/* The millisecond tick: arrivals, then the deadlines of every millisecond since the last tick. */
static int tick_fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct load *L = ofd->data;
	struct lcall *c, *tmp;
	uint64_t expirations, now = now_ns(), now_ms = now / MS;

	/* the count of expirations is not needed: the clock says which slots are due */
	if (read(ofd->fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return 0;
	arrivals(L, now);
	/* after a long stall, one turn of the wheel sees every slot (and every deadline in it) */
	if (now_ms > L->wheel_ms + WHEEL_SLOTS)
		L->wheel_ms = now_ms - WHEEL_SLOTS;
	while (L->wheel_ms < now_ms) {
		L->wheel_ms++;
		llist_for_each_entry_safe(c, tmp, &L->slot[L->wheel_ms % WHEEL_SLOTS], wheel) {
			if (c->deadline_ms > now_ms)
				continue;	/* a later turn */
			call_timer_del(c);
			/* may free c, or arm another deadline (never in this slot: it is in the past) */
			call_timer_cb(c);
		}
	}
	return 0;
}

static double ms(uint64_t us)
{
	return us / 1000.0;
}

static void tick_cb(void *data)
{
	struct load *L = data;

	L->seconds++;
	if (L->o.progress)
		fprintf(stderr,
			"tandem-ssp: %3us started %" PRIu64 " (+%" PRIu64 ") answered %" PRIu64 " completed %" PRIu64
			" in-flight %u failed %" PRIu64 " (reject %" PRIu64 " abort %" PRIu64 " timeout %" PRIu64
			" error %" PRIu64 ") p99 %.3f ms\n",
			L->seconds, L->started, L->started - L->last_started, L->answered, L->completed, L->in_flight,
			L->failed, L->fails[F_REJECT], L->fails[F_ABORT], L->fails[F_TIMEOUT], L->fails[F_ERROR],
			ms(ssp_hist_quantile(&L->lat_sec, 0.99)));
	L->last_started = L->started;
	ssp_hist_reset(&L->lat_sec);
	osmo_timer_schedule(&L->t_tick, 1, 0);
}

/*
 * Summary
 */

static uint64_t ctr(struct tcap_tsl *tsl, enum tcap_tsl_ctr i)
{
	return rate_ctr_group_get_ctr(tcap_tsl_ctrg(tsl), i)->current;
}

static json_t *summary_json(const struct load *L, double elapsed, double arrivals_s)
{
	const struct ssp_load_opts *o = &L->o;
	struct tcap_tsl *tsl = L->ssp->tsl;
	json_t *j, *f, *lat, *msg, *lag;
	struct rusage ru;
	unsigned int k;

	j = json_object();
	json_object_set_new(j, "protocol", json_string(td_proto_name(o->proto)));
	json_object_set_new(j, "scenario", json_string(o->scenario == SSP_SC_MONITOR ? "monitor" : "trigger"));
	json_object_set_new(j, "direction", json_string(o->term ? "term" : "orig"));
	json_object_set_new(j, "rate", json_real(o->rate));
	json_object_set_new(j, "duration", json_real(o->duration));
	if (o->scenario == SSP_SC_MONITOR) {
		json_object_set_new(j, "answer_after", json_real(o->answer_after));
		json_object_set_new(j, "hold", json_real(o->hold));
	}
	json_object_set_new(j, "started", json_integer(L->started));
	json_object_set_new(j, "answered", json_integer(L->answered));
	json_object_set_new(j, "unanswered", json_integer(L->started - L->answered));
	json_object_set_new(j, "completed", json_integer(L->completed));
	json_object_set_new(j, "failed", json_integer(L->failed));
	f = json_object();
	for (k = F_REJECT; k < F_NUM; k++)
		json_object_set_new(f, fail_names[k], json_integer(L->fails[k]));
	json_object_set_new(j, "failures", f);
	json_object_set_new(j, "n_notice", json_integer(L->ssp->notices));
	json_object_set_new(j, "achieved_rate", json_real(arrivals_s > 0 ? L->started / arrivals_s : 0));
	lat = json_object();
	json_object_set_new(lat, "p50", json_real(ms(ssp_hist_quantile(&L->lat, 0.5))));
	json_object_set_new(lat, "p90", json_real(ms(ssp_hist_quantile(&L->lat, 0.9))));
	json_object_set_new(lat, "p99", json_real(ms(ssp_hist_quantile(&L->lat, 0.99))));
	json_object_set_new(lat, "p99.9", json_real(ms(ssp_hist_quantile(&L->lat, 0.999))));
	json_object_set_new(lat, "max", json_real(ms(L->lat.max)));
	json_object_set_new(lat, "min", json_real(ms(L->lat.min)));
	json_object_set_new(lat, "mean", json_real(L->lat.count ? ms(L->lat.sum) / L->lat.count : 0));
	json_object_set_new(j, "latency_ms", lat);
	msg = json_object();
	json_object_set_new(msg, "sent", json_integer(ctr(tsl, TCAP_CTR_TX_BEGIN) + ctr(tsl, TCAP_CTR_TX_CONTINUE) +
						       ctr(tsl, TCAP_CTR_TX_END) + ctr(tsl, TCAP_CTR_TX_U_ABORT) +
						       ctr(tsl, TCAP_CTR_TX_P_ABORT)));
	json_object_set_new(msg, "received", json_integer(L->ssp->received));
	json_object_set_new(j, "messages", msg);
	lag = json_object();
	json_object_set_new(lag, "p99", json_real(ms(ssp_hist_quantile(&L->lag, 0.99))));
	json_object_set_new(lag, "max", json_real(L->lag_max / 1e6));
	json_object_set_new(j, "generator_lag_ms", lag);
	json_object_set_new(j, "elapsed_s", json_real(elapsed));
	/* what the generator itself cost: next to the SCP's figures it shows who was the limit */
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		json_object_set_new(j, "cpu_s", json_real(ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
							   ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6));
	return j;
}

static void print_summary(const struct load *L, json_t *j)
{
	json_t *lat = json_object_get(j, "latency_ms"), *msg = json_object_get(j, "messages");
	double lag_max = json_real_value(json_object_get(json_object_get(j, "generator_lag_ms"), "max"));

	printf("%s %s %s: %" PRIu64 " calls started in %.1f s (%.1f calls/s of %.1f asked)\n",
	       td_proto_name(L->o.proto), L->o.scenario == SSP_SC_MONITOR ? "monitor" : "trigger",
	       L->o.term ? "term" : "orig", L->started, json_real_value(json_object_get(j, "elapsed_s")),
	       json_real_value(json_object_get(j, "achieved_rate")), L->o.rate);
	printf("answered %" PRIu64 ", unanswered %" PRIu64 ", completed %" PRIu64 ", failed %" PRIu64
	       " (reject %" PRIu64 ", abort %" PRIu64 ", timeout %" PRIu64 ", error %" PRIu64 ", unfinished %" PRIu64
	       "), N-NOTICE %u\n",
	       L->answered, L->started - L->answered, L->completed, L->failed, L->fails[F_REJECT], L->fails[F_ABORT],
	       L->fails[F_TIMEOUT], L->fails[F_ERROR], L->fails[F_UNFINISHED], L->ssp->notices);
	printf("answer latency ms: p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.3f\n",
	       json_real_value(json_object_get(lat, "p50")), json_real_value(json_object_get(lat, "p90")),
	       json_real_value(json_object_get(lat, "p99")), json_real_value(json_object_get(lat, "p99.9")),
	       json_real_value(json_object_get(lat, "max")));
	printf("TCAP messages sent %" JSON_INTEGER_FORMAT ", received %" JSON_INTEGER_FORMAT
	       "; generator lag max %.3f ms\n",
	       json_integer_value(json_object_get(msg, "sent")), json_integer_value(json_object_get(msg, "received")),
	       lag_max);
	if (lag_max > 10)
		printf("warning: the generator fell %.1f ms behind its schedule: this machine could not start the calls "
		       "on time, the figures understate what was asked\n", lag_max);
}

/*
 * The run
 */

static void wake_cb(void *data)
{
}

int ssp_load_run(struct ssp *ssp, const struct ssp_load_opts *o, volatile bool *stop)
{
	static const struct timespec one_ms = { .tv_nsec = MS };
	struct osmo_timer_list t_wake = { 0 };
	uint64_t t_start, t_drain_end;
	unsigned int i;
	double arrivals_s;
	struct lcall *c, *tmp;
	struct load *L;
	json_t *j;
	int rc = SSP_EXIT_OK;

	L = talloc_zero(ssp->ctx, struct load);
	if (!L)
		return SSP_EXIT_SETUP;
	L->ssp = ssp;
	L->stop = stop;
	L->o = *o;
	INIT_LLIST_HEAD(&L->calls);
	L->cap_proto = ssp_cap_proto(o->proto);
	tcap_oid_from_str(&L->ac, ssp_cap_ac(L->cap_proto));
	L->total = (uint64_t)(o->rate * o->duration);	/* both positive: truncation is floor() */
	ssp_hist_reset(&L->lat);
	ssp_hist_reset(&L->lat_sec);
	ssp_hist_reset(&L->lag);
	for (i = 0; i < WHEEL_SLOTS; i++)
		INIT_LLIST_HEAD(&L->slot[i]);
	osmo_timer_setup(&L->t_tick, tick_cb, L);
	L->tick.fd = -1;
	if (osmo_timerfd_setup(&L->tick, tick_fd_cb, L) < 0 ||
	    osmo_timerfd_schedule(&L->tick, &one_ms, &one_ms) < 0) {
		ssp_note("cannot set up the millisecond timerfd: %s", strerror(errno));
		rc = SSP_EXIT_SETUP;
		goto out;
	}

	t_start = L->t0 = now_ns();
	L->wheel_ms = t_start / MS;
	osmo_timer_schedule(&L->t_tick, 1, 0);
	arrivals(L, t_start);
	while (!L->arrivals_over && !*stop)
		osmo_select_main_ctx(0);
	if (!L->arrivals_over) {
		L->arrivals_over = true;
		L->t_end_arrivals = now_ns();
	}
	/* what is still going gets --drain seconds (or until a signal) */
	t_drain_end = now_ns() + (uint64_t)(o->drain * NS);
	/* (osmo_timer_setup() does not clear the timer: a fresh one must be zeroed) */
	osmo_timer_setup(&t_wake, wake_cb, NULL);
	while (L->in_flight && !*stop && now_ns() < t_drain_end) {
		/* wake up at least every 100 ms to look at the clock */
		osmo_timer_schedule(&t_wake, 0, 100000);
		osmo_select_main_ctx(0);
	}
	osmo_timer_del(&t_wake);
	osmo_timer_del(&L->t_tick);
	llist_for_each_entry_safe(c, tmp, &L->calls, list)
		call_abort(c, F_UNFINISHED);

	/* the arrivals took --duration, or longer when the generator fell behind */
	arrivals_s = (L->t_end_arrivals - t_start) / 1e9;
	if (arrivals_s < o->duration)
		arrivals_s = o->duration;
	j = summary_json(L, (now_ns() - t_start) / 1e9, arrivals_s);
	if (!j) {
		rc = SSP_EXIT_SETUP;
		goto out;
	}
	print_summary(L, j);
	if (o->json && json_dump_file(j, o->json, JSON_INDENT(1) | JSON_PRESERVE_ORDER)) {
		ssp_note("cannot write %s", o->json);
		rc = SSP_EXIT_SETUP;
	}
	json_decref(j);
	if (rc == SSP_EXIT_OK && (L->failed || L->started != L->total || ssp->notices))
		rc = SSP_EXIT_CALL;
out:
	if (L->tick.fd >= 0) {
		osmo_fd_unregister(&L->tick);
		close(L->tick.fd);
	}
	talloc_free(L);
	return rc;
}
