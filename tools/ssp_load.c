/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp load: many switch-side calls at once, started open-loop at a fixed rate.
 *
 * Call i is due at start + i / rate and goes out when due, whether or not earlier calls
 * were answered: a slow SCP shows up as latency (and in the end as timeouts), it never
 * slows the arrivals down (no coordinated omission). One osmo_timer runs the schedule;
 * when the loop was late it sends every call already due at once, and how late it was
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
 * seconds, and rates and durations beyond the `load-limit` of the config file are refused. */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <talloc.h>

#include <osmocom/core/application.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>
#include <osmocom/sigtran/osmo_ss7.h>
#include <osmocom/sigtran/sccp_sap.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/logging.h>
#include <osmocom/vty/vty.h>

#include <tandem/ain.h>
#include <tandem/cap.h>

#include "config.h"
#include "ssp.h"
#include "ssp_hist.h"
#include "ssp_load.h"

#define PARAM_MAX 512
#define NS 1000000000ull

/* Safety limits, raised or lowered by `load-limit` in the config file. */
static struct {
	unsigned int rate;		/* calls per second */
	unsigned int duration;		/* seconds of arrivals */
	unsigned int dialogues;		/* calls at once, as rate * (longest life of a call) */
} limits = { .rate = 1000, .duration = 300, .dialogues = 100000 };

enum scenario {
	SC_TRIGGER,
	SC_MONITOR,
};

/* A range of numbers for --calling-range / --called-range: call i takes lo + i mod (hi - lo + 1),
 * written with as many digits as lo. */
struct numrange {
	bool plus;
	unsigned int width;
	uint64_t lo, hi;
};

struct load_opts {
	enum td_proto proto;
	bool term;
	enum scenario scenario;
	double rate, duration, answer_after, hold, timeout, drain;
	uint32_t service_key;
	int tct;
	struct numrange calling, called;
	const char *json;
	bool progress;
};

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
	struct osmo_timer_list t;	/* waiting for the SCP, or the switch's next step */
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
	struct load_opts o;
	enum cap_protocol cap_proto;
	struct tcap_oid ac;
	struct llist_head calls;
	unsigned int in_flight;
	/* the schedule */
	struct osmo_timer_list t_arrive, t_tick;
	uint64_t t0, t_end_arrivals, total;
	bool arrivals_over, stop;
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

static void timer_ns(struct osmo_timer_list *t, uint64_t ns)
{
	osmo_timer_schedule(t, ns / NS, (ns % NS) / 1000);
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
	osmo_timer_del(&c->t);
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

static int cap_queue_erb(struct lcall *c, enum cap_event_type e, int leg, bool request)
{
	struct cap_erb erb = {
		.event_type = e,
		.leg = { CAP_LEG_RECEIVING, leg },
		.has_misc_call_info = true,
		.message_type = request ? 0 : 1,
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
	rc = cap_erb_encode(p, sizeof(p), &len, c->L->cap_proto, &erb);
	if (rc)
		return rc;
	rc = tcap_dlg_invoke(c->dlg, &op, p, len, 0, false);
	return rc < 0 ? rc : 0;
}

/* The switch's next step in a monitored CAP/INAP call. */
static void cap_step(struct lcall *c)
{
	const struct load_opts *o = &c->L->o;
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
			if (cap_queue_erb(c, e, 2, request) || tcap_dlg_continue(c->dlg)) {
				call_abort(c, F_ERROR);
				return;
			}
		}
		c->step_disconnect = true;
		timer_ns(&c->t, (uint64_t)(o->hold * NS));
		return;
	}
	/* the calling party hangs up (leg 1) */
	e = o->term ? CAP_EVT_T_DISCONNECT : CAP_EVT_O_DISCONNECT;
	if (!cap_armed(c, e, 1, &request)) {
		/* nothing to report: the relationship just ends */
		call_end(c);
		return;
	}
	if (cap_queue_erb(c, e, 1, request)) {
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
	timer_ns(&c->t, (uint64_t)(o->timeout * NS));
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

static int ain_queue_event(struct lcall *c, int opcode)
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
	return rc < 0 ? rc : 0;
}

static void ain_step(struct lcall *c)
{
	const struct load_opts *o = &c->L->o;
	enum ain_edp edp;
	uint32_t bit;

	if (!c->step_disconnect) {
		edp = o->term ? AIN_EDP_T_ANSWER : AIN_EDP_O_ANSWER;
		bit = AIN_EDP_BIT(edp);
		if ((c->edp_req | c->edp_notif) & bit) {
			if (ain_queue_event(c, o->term ? AIN_OP_T_ANSWER : AIN_OP_O_ANSWER) ||
			    tcap_dlg_continue(c->dlg)) {
				call_abort(c, F_ERROR);
				return;
			}
			c->edp_req &= ~bit;
			c->edp_notif &= ~bit;
		}
		c->step_disconnect = true;
		timer_ns(&c->t, (uint64_t)(o->hold * NS));
		return;
	}
	edp = o->term ? AIN_EDP_T_DISCONNECT : AIN_EDP_O_DISCONNECT;
	bit = AIN_EDP_BIT(edp);
	if (!((c->edp_req | c->edp_notif) & bit)) {
		call_end(c);
		return;
	}
	if (ain_queue_event(c, o->term ? AIN_OP_T_DISCONNECT : AIN_OP_O_DISCONNECT)) {
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
	timer_ns(&c->t, (uint64_t)(o->timeout * NS));
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
			timer_ns(&c->t, (uint64_t)(L->o.timeout * NS));
		return;
	}
	if (c->released || !c->monitored) {
		/* released, or continued with nothing to report: the relationship ends here */
		if (L->o.scenario == SC_MONITOR)
			fail(c, F_ERROR);
		call_end(c);
		return;
	}
	if (L->o.scenario == SC_TRIGGER)
		fail(c, F_ERROR);	/* monitored, against the scenario: played out, counted */
	if (queued && tcap_dlg_continue(c->dlg)) {
		call_abort(c, F_ERROR);
		return;
	}
	c->phase = PH_MONITORED;
	c->step_disconnect = false;
	timer_ns(&c->t, (uint64_t)(L->o.answer_after * NS));
}

/* A TC-END (ANSI Response) from the SCP: the dialogue is gone. */
static void on_end(struct lcall *c)
{
	struct load *L = c->L;

	c->dlg = NULL;
	if (!c->has_instr || c->phase == PH_MONITORED)
		fail(c, F_ERROR);	/* no instruction, or ended in the middle of the call */
	else if (c->phase == PH_WAIT_FIRST && L->o.scenario == SC_MONITOR)
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

static void load_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind)
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
			osmo_timer_del(&c->t);
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

static void range_number(char *out, size_t size, const struct numrange *r, uint64_t i)
{
	snprintf(out, size, "%s%0*" PRIu64, r->plus ? "+" : "", (int)r->width, r->lo + i % (r->hi - r->lo + 1));
}

static int cap_trigger(struct lcall *c, uint8_t *p, size_t size, size_t *len)
{
	const struct load *L = c->L;
	const struct load_opts *o = &L->o;
	char num[24];
	struct cap_idp idp = {
		.service_key = o->service_key,
		.has_event_type = true,
		.event_type = o->term ? CAP_EVT_TERM_ATTEMPT_AUTHORIZED : CAP_EVT_COLLECTED_INFO,
	};
	struct tcap_number n;
	uint32_t ref;

	range_number(num, sizeof(num), &o->calling, c->idx);
	if (ssp_parse_number(&idp.calling, num))
		return -EINVAL;
	idp.calling.pres = TCAP_PRES_ALLOWED;
	idp.calling.screen = TCAP_SCREEN_NETWORK;
	idp.has_calling = true;
	range_number(num, sizeof(num), &o->called, c->idx);
	if (ssp_parse_number(&n, num))
		return -EINVAL;
	if (L->cap_proto != CAP_PROTO_INAP && !o->term) {
		idp.called_bcd = n;
		idp.has_called_bcd = true;
	} else {
		idp.called = n;
		idp.has_called = true;
	}
	if (L->cap_proto != CAP_PROTO_INAP) {
		/* a call reference unique within the run */
		ref = (uint32_t)getpid() << 24 ^ c->idx;
		idp.has_call_ref = true;
		idp.call_ref_len = 4;
		idp.call_ref[0] = ref >> 24;
		idp.call_ref[1] = ref >> 16;
		idp.call_ref[2] = ref >> 8;
		idp.call_ref[3] = ref;
	}
	return cap_idp_encode(p, size, len, L->cap_proto, &idp);
}

static int ain_trigger(struct lcall *c, uint8_t *p, size_t size, size_t *len, struct tcap_opcode *op)
{
	const struct load_opts *o = &c->L->o;
	struct ain_trigger t = { .user_id = { .kind = AIN_UID_DN }, .bearer_cap = AIN_BC_SPEECH };
	char num[24];

	range_number(num, sizeof(num), &o->called, c->idx);
	if (tcap_num_from_string(&t.called, num, TCAP_NAT_NATIONAL))
		return -EINVAL;
	range_number(num, sizeof(num), &o->calling, c->idx);
	if (tcap_num_from_string(&t.calling, num, TCAP_NAT_NATIONAL))
		return -EINVAL;
	t.has_called = t.has_calling = true;
	t.calling.pres = TCAP_PRES_ALLOWED;
	t.calling.screen = TCAP_SCREEN_NETWORK;
	OSMO_STRLCPY_ARRAY(c->dn, o->term ? t.called.digits : t.calling.digits);
	OSMO_STRLCPY_ARRAY(t.user_id.dn, c->dn);
	t.has_tct = true;
	t.tct = o->tct >= 0 ? o->tct : o->term ? AIN_TCT_TERMINATION_ATTEMPT : AIN_TCT_NPA_NXX_XXXX;
	if (o->term) {
		*op = op_private(AIN_OP_TERMINATION_ATTEMPT);
		return ain_termination_attempt_encode(p, size, len, &t);
	}
	t.has_charge_number = true;
	t.charge_number = t.calling;
	t.charge_number.pres = TCAP_PRES_NONE;
	t.charge_number.screen = TCAP_SCREEN_NONE;
	*op = op_private(AIN_OP_INFO_ANALYZED);
	return ain_info_analyzed_encode(p, size, len, &t);
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
	osmo_timer_setup(&c->t, call_timer_cb, c);
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
	timer_ns(&c->t, (uint64_t)(L->o.timeout * NS));
}

static void arrive_cb(void *data)
{
	struct load *L = data;
	uint64_t now = now_ns(), due;

	while (!L->stop && L->started < L->total) {
		due = L->t0 + (uint64_t)((double)L->started * NS / L->o.rate);
		if (due > now) {
			timer_ns(&L->t_arrive, due - now);
			return;
		}
		start_call(L, due);
	}
	L->arrivals_over = true;
	L->t_end_arrivals = now_ns();
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
	const struct load_opts *o = &L->o;
	struct tcap_tsl *tsl = L->ssp->tsl;
	json_t *j, *f, *lat, *msg, *lag;
	unsigned int k;

	j = json_object();
	json_object_set_new(j, "protocol", json_string(td_proto_name(o->proto)));
	json_object_set_new(j, "scenario", json_string(o->scenario == SC_MONITOR ? "monitor" : "trigger"));
	json_object_set_new(j, "direction", json_string(o->term ? "term" : "orig"));
	json_object_set_new(j, "rate", json_real(o->rate));
	json_object_set_new(j, "duration", json_real(o->duration));
	if (o->scenario == SC_MONITOR) {
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
	return j;
}

static void print_summary(const struct load *L, json_t *j)
{
	json_t *lat = json_object_get(j, "latency_ms"), *msg = json_object_get(j, "messages");
	double lag_max = json_real_value(json_object_get(json_object_get(j, "generator_lag_ms"), "max"));

	printf("%s %s %s: %" PRIu64 " calls started in %.1f s (%.1f calls/s of %.1f asked)\n",
	       td_proto_name(L->o.proto), L->o.scenario == SC_MONITOR ? "monitor" : "trigger",
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

static struct load *g_load;

static void wake_cb(void *data)
{
}

static volatile bool g_stop;

static void signal_cb(struct osmo_signalfd *osfd, const struct signalfd_siginfo *fdsi)
{
	g_stop = true;
	if (g_load)
		g_load->stop = true;
}

static int load_run(struct ssp *ssp, const struct load_opts *o)
{
	struct osmo_timer_list t_wake = { 0 };
	uint64_t t_start, t_drain_end;
	double arrivals_s;
	struct lcall *c, *tmp;
	struct load *L;
	json_t *j;
	int rc = SSP_EXIT_OK;

	L = talloc_zero(ssp->ctx, struct load);
	if (!L)
		return SSP_EXIT_SETUP;
	g_load = L;
	L->ssp = ssp;
	L->o = *o;
	INIT_LLIST_HEAD(&L->calls);
	switch (o->proto) {
	case TD_PROTO_CAP2:
		L->cap_proto = CAP_PROTO_CAP2;
		tcap_oid_from_str(&L->ac, CAP_AC_V2);
		break;
	case TD_PROTO_CAP3:
		L->cap_proto = CAP_PROTO_CAP3;
		tcap_oid_from_str(&L->ac, CAP_AC_V3);
		break;
	case TD_PROTO_CAP4:
		L->cap_proto = CAP_PROTO_CAP4;
		tcap_oid_from_str(&L->ac, CAP_AC_V4);
		break;
	default:
		L->cap_proto = CAP_PROTO_INAP;
		tcap_oid_from_str(&L->ac, INAP_AC_CS1_SSP_TO_SCP);
		break;
	}
	L->total = (uint64_t)(o->rate * o->duration);	/* both positive: truncation is floor() */
	ssp_hist_reset(&L->lat);
	ssp_hist_reset(&L->lat_sec);
	ssp_hist_reset(&L->lag);
	osmo_timer_setup(&L->t_arrive, arrive_cb, L);
	osmo_timer_setup(&L->t_tick, tick_cb, L);

	t_start = L->t0 = now_ns();
	osmo_timer_schedule(&L->t_tick, 1, 0);
	arrive_cb(L);
	while (!L->arrivals_over && !g_stop)
		osmo_select_main_ctx(0);
	if (!L->arrivals_over) {
		L->arrivals_over = true;
		L->t_end_arrivals = now_ns();
	}
	osmo_timer_del(&L->t_arrive);
	/* what is still going gets --drain seconds (or until a signal) */
	t_drain_end = now_ns() + (uint64_t)(o->drain * NS);
	/* (osmo_timer_setup() does not clear the timer: a fresh one must be zeroed) */
	osmo_timer_setup(&t_wake, wake_cb, NULL);
	while (L->in_flight && !g_stop && now_ns() < t_drain_end) {
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
	g_load = NULL;
	talloc_free(L);
	return rc;
}

/*
 * Options, limits, main
 */

DEFUN(cfg_load_limit, cfg_load_limit_cmd, "load-limit (rate|duration|dialogues) <1-10000000>",
      "Safety limits of tandem-ssp load (refused beyond them)\n"
      "Highest --rate, calls per second (default 1000)\n"
      "Longest --duration, seconds (default 300)\n"
      "Most calls at once, as rate times the life of a call (default 100000)\n"
      "Limit\n")
{
	unsigned int v = atoi(argv[1]);

	if (!strcmp(argv[0], "rate"))
		limits.rate = v;
	else if (!strcmp(argv[0], "duration"))
		limits.duration = v;
	else
		limits.dialogues = v;
	return CMD_SUCCESS;
}

void ssp_load_usage(FILE *f)
{
	fprintf(f,
		"load and echo (their own options: -c, --remote-pc, --remote-ssn, --local-ssn, --timeout,\n"
		"--link-timeout, --protocol and those below):\n"
		"       tandem-ssp [OPTIONS] load --protocol P --scenario trigger|monitor --rate N --duration S\n"
		"                  [--answer-after S --hold S] [--calling-range A-B --called-range A-B] [--json FILE]\n"
		"       tandem-ssp [OPTIONS] echo --protocol P [--duration S]\n"
		"\n"
		"load: calls started at --rate per second for --duration seconds, open loop (on schedule,\n"
		"answered or not). A progress line each second on stderr; at the end a summary on stdout:\n"
		"answer latency (trigger sent to the SCP's first answer) p50/p90/p99/p99.9/max, answered,\n"
		"unanswered, completed and failed calls (reject, abort, timeout, error, unfinished). Exit\n"
		"status 0 when every call completed, 1 otherwise.\n"
		"  --scenario S            trigger: the SCP's answer ends the call (TC-END / Response);\n"
		"                          monitor: the SCP monitors (RRBE), the call is answered after\n"
		"                          --answer-after and released after --hold, both reported\n"
		"  --rate N                calls per second (at most `load-limit rate` of the config, 1000)\n"
		"  --duration S            seconds of arrivals (at most `load-limit duration`, 300)\n"
		"  --drain S               longest wait for calls still going after that\n"
		"                          (default answer-after + hold + timeout + 1)\n"
		"  --calling-range A-B     calling numbers, call i takes A + i mod (B - A + 1)\n"
		"                          (default 2125550000-2125559999; +E164 allowed: +A-B)\n"
		"  --called-range A-B      called numbers (default 2015550000-2015559999)\n"
		"  --direction, --service-key, --tct, --timeout: as for call\n"
		"  --json FILE             write the summary as JSON\n"
		"  --quiet                 no progress lines\n"
		"echo: the ceiling reference of the benchmark. Answers every Begin (AIN: Query) with\n"
		"one fixed End (Response: AARE and Continue) built once, copying only the transaction\n"
		"id, without decoding; runs --duration seconds (default 300) or until SIGTERM/SIGINT.\n"
		"Config: `load-limit rate|duration|dialogues N` raises or lowers the safety limits.\n");
}

enum {
	O_REMOTE_PC = 256, O_REMOTE_SSN, O_LOCAL_SSN, O_TIMEOUT, O_LINK_TIMEOUT, O_PROTOCOL, O_DIRECTION,
	O_SERVICE_KEY, O_TCT, O_ANSWER_AFTER, O_HOLD, O_SCENARIO, O_RATE, O_DURATION, O_DRAIN, O_CALLING_RANGE,
	O_CALLED_RANGE, O_JSON, O_QUIET,
};

static const struct option lopts[] = {
	{ "config-file", 1, NULL, 'c' },
	{ "help", 0, NULL, 'h' },
	{ "remote-pc", 1, NULL, O_REMOTE_PC },
	{ "remote-ssn", 1, NULL, O_REMOTE_SSN },
	{ "local-ssn", 1, NULL, O_LOCAL_SSN },
	{ "timeout", 1, NULL, O_TIMEOUT },
	{ "link-timeout", 1, NULL, O_LINK_TIMEOUT },
	{ "protocol", 1, NULL, O_PROTOCOL },
	{ "direction", 1, NULL, O_DIRECTION },
	{ "service-key", 1, NULL, O_SERVICE_KEY },
	{ "tct", 1, NULL, O_TCT },
	{ "answer-after", 1, NULL, O_ANSWER_AFTER },
	{ "hold", 1, NULL, O_HOLD },
	{ "scenario", 1, NULL, O_SCENARIO },
	{ "rate", 1, NULL, O_RATE },
	{ "duration", 1, NULL, O_DURATION },
	{ "drain", 1, NULL, O_DRAIN },
	{ "calling-range", 1, NULL, O_CALLING_RANGE },
	{ "called-range", 1, NULL, O_CALLED_RANGE },
	{ "json", 1, NULL, O_JSON },
	{ "quiet", 0, NULL, O_QUIET },
	{}
};

bool ssp_load_wanted(int argc, char **argv)
{
	const struct option *lo;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			return i + 1 < argc && (!strcmp(argv[i + 1], "load") || !strcmp(argv[i + 1], "echo"));
		if (a[0] != '-' || !a[1])
			return !strcmp(a, "load") || !strcmp(a, "echo");
		if (a[1] != '-') {
			/* short options: -c FILE, -cFILE, -h */
			if (a[1] == 'c' && !a[2])
				i++;
			continue;
		}
		if (strchr(a, '='))
			continue;
		/* long options of call mode the table here does not know take no value or one:
		 * tandem-ssp.c's parser reports them; here it is enough to skip a known one's value */
		for (lo = lopts; lo->name; lo++)
			if (!strcmp(a + 2, lo->name) && lo->has_arg)
				i++;
	}
	return false;
}

static int parse_num(double *out, const char *arg, double min, double max, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= min) || !(v <= max)) {
		fprintf(stderr, "tandem-ssp: %s: '%s' is not a number in %g..%g\n", what, arg, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_range(struct numrange *r, const char *arg)
{
	const char *dash, *a = arg, *b;
	size_t la, lb;
	char *end;

	r->plus = a[0] == '+';
	if (r->plus)
		a++;
	dash = strchr(a, '-');
	if (!dash)
		goto bad;
	b = dash + 1;
	if (r->plus && b[0] == '+')
		b++;
	la = dash - a;
	lb = strlen(b);
	if (!la || la > 15 || la != lb || strspn(a, "0123456789") != la || strspn(b, "0123456789") != lb)
		goto bad;
	r->lo = strtoull(a, &end, 10);
	r->hi = strtoull(b, &end, 10);
	r->width = la;
	if (r->hi < r->lo)
		goto bad;
	return 0;
bad:
	fprintf(stderr, "tandem-ssp: bad number range '%s' (want A-B, digits of the same length, A <= B)\n", arg);
	return -EINVAL;
}

static int parse_load_options(int argc, char **argv, struct ssp_opts *so, struct load_opts *o, bool *echo)
{
	bool have_rate = false, have_duration = false, have_scenario = false, have_drain = false;
	const char *cmd;
	double v;
	int c;

	while ((c = getopt_long(argc, argv, "c:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			so->config = optarg;
			break;
		case 'h':
			ssp_load_usage(stdout);
			exit(0);
		case O_REMOTE_PC:
			so->remote_pc = optarg;
			break;
		case O_REMOTE_SSN:
			if (parse_num(&v, optarg, 2, 254, "--remote-ssn"))
				return -EINVAL;
			so->remote_ssn = v;
			break;
		case O_LOCAL_SSN:
			if (parse_num(&v, optarg, 2, 254, "--local-ssn"))
				return -EINVAL;
			so->local_ssn = v;
			break;
		case O_TIMEOUT:
			if (parse_num(&o->timeout, optarg, 0.01, 3600, "--timeout"))
				return -EINVAL;
			break;
		case O_LINK_TIMEOUT:
			if (parse_num(&so->link_timeout_s, optarg, 0.1, 3600, "--link-timeout"))
				return -EINVAL;
			break;
		case O_PROTOCOL:
			if (td_proto_from_name(&o->proto, optarg) || o->proto == TD_PROTO_UNKNOWN) {
				fprintf(stderr, "tandem-ssp: unknown protocol '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case O_DIRECTION:
			if (strcmp(optarg, "orig") && strcmp(optarg, "term")) {
				fprintf(stderr, "tandem-ssp: --direction is orig or term, not '%s'\n", optarg);
				return -EINVAL;
			}
			o->term = !strcmp(optarg, "term");
			break;
		case O_SERVICE_KEY:
			if (parse_num(&v, optarg, 0, 2147483647, "--service-key"))
				return -EINVAL;
			o->service_key = v;
			break;
		case O_TCT:
			if (parse_num(&v, optarg, 0, 255, "--tct"))
				return -EINVAL;
			o->tct = v;
			break;
		case O_ANSWER_AFTER:
			if (parse_num(&o->answer_after, optarg, 0, 3600, "--answer-after"))
				return -EINVAL;
			break;
		case O_HOLD:
			if (parse_num(&o->hold, optarg, 0, 3600, "--hold"))
				return -EINVAL;
			break;
		case O_SCENARIO:
			if (strcmp(optarg, "trigger") && strcmp(optarg, "monitor")) {
				fprintf(stderr, "tandem-ssp: --scenario is trigger or monitor, not '%s'\n", optarg);
				return -EINVAL;
			}
			o->scenario = strcmp(optarg, "monitor") ? SC_TRIGGER : SC_MONITOR;
			have_scenario = true;
			break;
		case O_RATE:
			if (parse_num(&o->rate, optarg, 0.01, 1e7, "--rate"))
				return -EINVAL;
			have_rate = true;
			break;
		case O_DURATION:
			if (parse_num(&o->duration, optarg, 0.01, 1e7, "--duration"))
				return -EINVAL;
			have_duration = true;
			break;
		case O_DRAIN:
			if (parse_num(&o->drain, optarg, 0, 3600, "--drain"))
				return -EINVAL;
			have_drain = true;
			break;
		case O_CALLING_RANGE:
			if (parse_range(&o->calling, optarg))
				return -EINVAL;
			break;
		case O_CALLED_RANGE:
			if (parse_range(&o->called, optarg))
				return -EINVAL;
			break;
		case O_JSON:
			o->json = optarg;
			break;
		case O_QUIET:
			o->progress = false;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "tandem-ssp: one command, load or echo, after the options\n");
		return -EINVAL;
	}
	cmd = argv[optind];
	*echo = !strcmp(cmd, "echo");
	if (o->proto == TD_PROTO_UNKNOWN) {
		fprintf(stderr, "tandem-ssp: %s needs --protocol\n", cmd);
		return -EINVAL;
	}
	if (*echo) {
		if (!have_duration)
			o->duration = 300;
		return 0;
	}
	if (!have_rate || !have_duration || !have_scenario) {
		fprintf(stderr, "tandem-ssp: load needs --scenario, --rate and --duration\n");
		return -EINVAL;
	}
	if (o->proto == TD_PROTO_AIN && (o->calling.width != 10 || o->called.width != 10 || o->calling.plus ||
					 o->called.plus)) {
		fprintf(stderr, "tandem-ssp: AIN numbers are ten digits (NANP): give ranges of ten-digit numbers\n");
		return -EINVAL;
	}
	if (!have_drain)
		o->drain = (o->scenario == SC_MONITOR ? o->answer_after + o->hold : 0) + o->timeout + 1;
	return 0;
}

/* Refuse what is beyond the configured limits. \returns 0 or -EINVAL (said why). */
static int check_limits(const struct load_opts *o, bool echo)
{
	double life;

	if (o->duration > limits.duration) {
		fprintf(stderr, "tandem-ssp: --duration %g is beyond the limit of %u s (raise it with `load-limit "
			"duration N` in the config file)\n", o->duration, limits.duration);
		return -EINVAL;
	}
	if (echo)
		return 0;
	if (o->rate > limits.rate) {
		fprintf(stderr, "tandem-ssp: --rate %g is beyond the limit of %u calls/s (raise it with `load-limit "
			"rate N` in the config file)\n", o->rate, limits.rate);
		return -EINVAL;
	}
	life = (o->scenario == SC_MONITOR ? o->answer_after + o->hold : 0) + o->timeout;
	if (o->rate * life > limits.dialogues) {
		fprintf(stderr, "tandem-ssp: --rate %g with calls of up to %g s makes %.0f calls at once, beyond the "
			"limit of %u (raise it with `load-limit dialogues N` in the config file)\n", o->rate, life,
			o->rate * life, limits.dialogues);
		return -EINVAL;
	}
	return 0;
}

static const struct log_info_cat log_cats[] = {
	[0] = { .name = "DSSP", .description = "tandem-ssp and its TCAP layer", .enabled = 1,
		.loglevel = LOGL_NOTICE },
};

static const struct log_info log_info = { .cat = log_cats, .num_cat = ARRAY_SIZE(log_cats) };

static struct vty_app_info vty_info = {
	.name = "tandem-ssp",
	.version = PACKAGE_VERSION,
	.go_parent_cb = osmo_ss7_vty_go_parent,
};

int ssp_load_main(int argc, char **argv)
{
	struct load_opts o = {
		.timeout = 5,
		.answer_after = 1,
		.hold = 5,
		.service_key = 100,
		.tct = -1,
		.calling = { .width = 10, .lo = 2125550000, .hi = 2125559999 },
		.called = { .width = 10, .lo = 2015550000, .hi = 2015559999 },
		.progress = true,
	};
	struct osmo_ss7_instance *inst;
	struct ssp ssp = { 0 };
	uint16_t rssn, lssn;
	sigset_t sigs;
	bool echo;
	void *ctx;
	int rc, i;

	ssp.opt = (struct ssp_opts){
		.config = "ssp.cfg",
		.remote_pc = "0.23.1",
		.remote_ssn = -1,
		.local_ssn = -1,
		.link_timeout_s = 5,
	};
	if (parse_load_options(argc, argv, &ssp.opt, &o, &echo)) {
		fprintf(stderr, "tandem-ssp: see tandem-ssp --help\n");
		return SSP_EXIT_USAGE;
	}
	ssp.opt.proto = o.proto;
	ssp.opt.timeout_s = o.timeout;
	ssp.quiet = true;
	rssn = ssp.opt.remote_ssn > 0 ? ssp.opt.remote_ssn : o.proto == TD_PROTO_INAP ? 241 :
							   o.proto == TD_PROTO_AIN ? 247 : 146;
	lssn = ssp.opt.local_ssn > 0 ? ssp.opt.local_ssn : rssn;

	ctx = talloc_named_const(NULL, 1, "tandem-ssp");
	ssp.ctx = ctx;
	msgb_talloc_ctx_init(ctx, 0);
	osmo_init_logging2(ctx, &log_info);
	log_set_print_filename2(osmo_stderr_target, LOG_FILENAME_NONE);
	log_set_print_category(osmo_stderr_target, 1);
	vty_info.tall_ctx = ctx;
	vty_init(&vty_info);
	logging_vty_add_cmds();
	install_element(CONFIG_NODE, &cfg_load_limit_cmd);
	rc = SSP_EXIT_SETUP;
	if (osmo_ss7_init() < 0) {
		ssp_note("cannot initialise libosmo-sigtran");
		goto out;
	}
	osmo_ss7_vty_init_asp(ctx);
	osmo_sccp_vty_init();
	if (vty_read_config_file(ssp.opt.config, NULL) < 0) {
		ssp_note("cannot read the config file '%s'", ssp.opt.config);
		goto out;
	}
	if (check_limits(&o, echo)) {
		rc = SSP_EXIT_USAGE;
		goto out;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	if (!osmo_signalfd_setup(ctx, sigs, signal_cb, NULL)) {
		ssp_note("cannot set up the signal handling");
		goto out;
	}
	if (echo) {
		if (ssp_stack_start(&ssp, rssn, lssn, o.proto == TD_PROTO_AIN ? TCAP_ANSI : TCAP_ITU, NULL)) {
			ssp_note("%s", ssp.reason);
			goto out;
		}
		rc = ssp_echo_run(&ssp, o.duration, &g_stop);
	} else {
		if (ssp_stack_start(&ssp, rssn, lssn, o.proto == TD_PROTO_AIN ? TCAP_ANSI : TCAP_ITU, load_ind)) {
			ssp_note("%s", ssp.reason);
			goto out;
		}
		rc = load_run(&ssp, &o);
	}
out:
	ssp_stack_stop(&ssp);
	/* let the aborts of what is still open leave before the link goes */
	for (i = 0; i < 5; i++)
		osmo_select_main_ctx(1);
	inst = osmo_ss7_instance_find(0);
	if (inst)
		osmo_ss7_instance_destroy(inst);
	log_fini();
	talloc_free(msgb_talloc_ctx_init(NULL, 0));
	talloc_free(ctx);
	return rc;
}
