/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* CAP v2/v3/v4 and INAP CS-1 service logic: one osmo_fsm instance per dialogue.
 *
 * InitialDP (collectedInfo: O-CSI, originating; termAttemptAuthorized: T-CSI,
 * terminating) is answered at once from the service-key rule: without event
 * monitoring TC-END with Continue / Connect / ReleaseCall; with monitoring
 * TC-CONTINUE with RequestReportBCSMEvent (answer and disconnect, notifyAndContinue)
 * and Continue / Connect, then EventReportBCSM answer and disconnect are taken and
 * the dialogue is closed (TS 29.078 11.x: after the last armed EDP is reported the
 * gsmSCF ends the relationship). Whatever goes wrong inside, the switch gets an
 * answer that lets the call proceed (fail-open), and a counter says so. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <talloc.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/utils.h>

#include <tandem/cap.h>

#include "call_common.h"
#include "call_events.h"
#include "scp.h"

#define PARAM_MAX 256

enum cap_svc_state {
	CAP_ST_WAIT_TRIGGER,	/* dialogue opened, InitialDP not handled yet */
	CAP_ST_MONITORING,	/* answered, waiting for event reports */
};

enum cap_svc_event {
	CAP_EV_IDP_IND,		/* InitialDP received (data: struct cap_idp) */
	CAP_EV_ERB_IND,		/* EventReportBCSM received (data: struct cap_erb) */
	CAP_EV_TC_END_IND,	/* the switch ended the dialogue */
	CAP_EV_TC_ABORT_IND,	/* TC-U-ABORT or TC-P-ABORT */
	CAP_EV_TC_TIMEOUT_IND,	/* dialogue inactivity */
	CAP_EV_TC_L_CANCEL_IND,	/* activityTest got no result */
};

static const struct value_string cap_svc_event_names[] = {
	{ CAP_EV_IDP_IND, "IDP.ind" },
	{ CAP_EV_ERB_IND, "ERB.ind" },
	{ CAP_EV_TC_END_IND, "TC-END.ind" },
	{ CAP_EV_TC_ABORT_IND, "TC-ABORT.ind" },
	{ CAP_EV_TC_TIMEOUT_IND, "TC-TIMEOUT.ind" },
	{ CAP_EV_TC_L_CANCEL_IND, "TC-L-CANCEL.ind" },
	{}
};

struct cap_svc {
	struct scp_svc sv;		/* dialogue, FSM, call record: as every protocol keeps them */
	enum cap_protocol proto;
	bool rejects_queued;		/* Rejects of ours wait for the next message */
};

static struct osmo_fsm cap_svc_fsm;

static struct tcap_opcode op_local(int code)
{
	return (struct tcap_opcode){ .kind = TCAP_OP_LOCAL, .code = code };
}

/* Continue and ReleaseCall are class 4 (TS 29.078, ETS 300 374-1: no result, no error):
 * the TCAP layer keeps nothing for them. \returns the invoke id or negative errno. */
static int invoke_class4(struct tcap_dlg *dlg, const struct tcap_opcode *op, const uint8_t *p, size_t len)
{
	struct tcap_invoke_opts o = { .no_reply = true };

	return tcap_dlg_invoke_opts(dlg, op, p, len, &o);
}

/* Lowercase hex of the first octets of buf that fit in out (NUL-terminated). Two snprintf()
 * per octet were 1.3 % of the SCP's instructions (bench/scp callgrind). */
static void hex_of(char *out, size_t size, const uint8_t *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len && 2 * i + 2 < size; i++) {
		out[2 * i] = hex[buf[i] >> 4];
		out[2 * i + 1] = hex[buf[i] & 0xf];
	}
	out[2 * i] = '\0';
}

/* Q.850 cause indicators as CAP/INAP Cause: coding standard ITU, location user. */
static void release_cause(struct cap_release *r, uint8_t cause)
{
	r->cause_len = 2;
	r->cause[0] = 0x80;
	r->cause[1] = 0x80 | (cause & 0x7f);
}

/* Everything the call record takes from an InitialDP. */
static void call_from_idp(struct cap_svc *svc, const struct cap_idp *idp)
{
	const struct tcap_dialplan *plan = &g_scp->plan;
	struct scp_call *c = svc->sv.call;

	memset(c, 0, sizeof(*c));
	c->id = scp_call_next_id();
	c->protocol = cap_protocol_name(svc->proto);
	c->ssn = svc->sv.ssn->ssn;
	c->service_key = idp->service_key;
	c->dir = idp->has_event_type && idp->event_type == CAP_EVT_TERM_ATTEMPT_AUTHORIZED ? SCP_DIR_TERM
											     : SCP_DIR_ORIG;
	if (idp->has_calling)
		scp_party_set(&c->calling, &idp->calling, plan);
	/* O-CSI sends the dialled number as calledPartyBCDNumber; T-CSI and INAP as calledPartyNumber */
	if (idp->has_called)
		scp_party_set(&c->called, &idp->called, plan);
	else if (idp->has_called_bcd)
		scp_party_set(&c->called, &idp->called_bcd, plan);
	else if (idp->has_dialled_digits)
		scp_party_set(&c->called, &idp->dialled_digits, plan);
	if (idp->has_redirecting)
		scp_party_set(&c->redirecting, &idp->redirecting, plan);
	if (idp->has_original_called)
		scp_party_set(&c->original_called, &idp->original_called, plan);
	if (idp->has_location_number)
		scp_party_set(&c->location, &idp->location_number, plan);
	if (idp->has_imsi)
		OSMO_STRLCPY_ARRAY(c->imsi, idp->imsi);
	if (idp->has_msc_address && tcap_num_to_e164(c->msc, sizeof(c->msc), &idp->msc_address, plan))
		OSMO_STRLCPY_ARRAY(c->msc, idp->msc_address.digits);
	if (idp->has_vlr_number && tcap_num_to_e164(c->vlr, sizeof(c->vlr), &idp->vlr_number, plan))
		OSMO_STRLCPY_ARRAY(c->vlr, idp->vlr_number.digits);
	if (idp->has_cell_id)
		hex_of(c->cell, sizeof(c->cell), idp->cell_id, sizeof(idp->cell_id));
	if (idp->has_call_ref)
		hex_of(c->call_ref, sizeof(c->call_ref), idp->call_ref, idp->call_ref_len);
	clock_gettime(CLOCK_REALTIME, &c->t_trigger);
}

/* Queue the answer operation (Continue, Connect or ReleaseCall). Fail-open: a rule
 * we cannot encode becomes a Continue. \returns true when the call is released. */
static bool queue_answer(struct cap_svc *svc, const struct scp_key_rule *rule)
{
	uint8_t p[PARAM_MAX];
	size_t len;
	struct tcap_opcode op;

	if (rule && rule->answer == SCP_ANSWER_RELEASE) {
		struct cap_release r = { 0 };

		release_cause(&r, rule->release_cause);
		if (cap_release_encode(p, sizeof(p), &len, svc->proto, &r) == 0) {
			op = op_local(CAP_OP_RELEASE_CALL);
			if (invoke_class4(svc->sv.dlg, &op, p, len) > 0) {
				scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_RELEASE);
				snprintf(svc->sv.call->answer, sizeof(svc->sv.call->answer), "release %u",
					 rule->release_cause);
				return true;
			}
		}
		LOGPFSML(svc->sv.fi, LOGL_ERROR, "cannot build ReleaseCall, fail-open\n");
		svc->sv.call->fail_open = true;
		scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_FAIL_OPEN);
	} else if (rule && rule->answer == SCP_ANSWER_CONNECT) {
		struct cap_connect c = { .num_dra = 1 };
		const char *to = rule->connect_to;
		int rc;

		rc = tcap_num_from_string(&c.dra[0], to, to[0] == '+' ? TCAP_NAT_INTERNATIONAL : TCAP_NAT_NATIONAL);
		if (rc == 0)
			rc = cap_connect_encode(p, sizeof(p), &len, svc->proto, &c);
		if (rc == 0) {
			op = op_local(CAP_OP_CONNECT);
			if (tcap_dlg_invoke(svc->sv.dlg, &op, p, len, 0, false) > 0) {
				scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_CONNECT);
				snprintf(svc->sv.call->answer, sizeof(svc->sv.call->answer), "connect %s", to);
				return false;
			}
		}
		LOGPFSML(svc->sv.fi, LOGL_ERROR, "cannot build Connect to %s, fail-open\n", to);
		svc->sv.call->fail_open = true;
		scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_FAIL_OPEN);
	}
	op = op_local(CAP_OP_CONTINUE);
	if (invoke_class4(svc->sv.dlg, &op, NULL, 0) > 0) {
		scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_CONTINUE);
		OSMO_STRLCPY_ARRAY(svc->sv.call->answer, "continue");
	}
	return false;
}

/* RequestReportBCSMEvent: answer and disconnect of both legs, notifyAndContinue.
 * TS 29.078: in RRBE the gsmSCF names legs with sendingSideID; leg 2 is the
 * called party (answer), disconnect is armed for both legs. */
static int queue_rrbe(struct cap_svc *svc)
{
	/* the same octets for every call of a protocol and direction: encoded once (asn1c's DER
	 * encoder took an eighth of the SCP's instructions per monitored call, bench/scp) */
	static struct {
		size_t len;
		uint8_t p[PARAM_MAX];
	} cache[CAP_PROTO_INAP + 1][2];
	bool term = svc->sv.call->dir == SCP_DIR_TERM;
	struct tcap_opcode op = op_local(CAP_OP_REQUEST_REPORT_BCSM);
	unsigned int i;
	int rc;

	if ((unsigned int)svc->proto > CAP_PROTO_INAP)
		return -EINVAL;
	if (!cache[svc->proto][term].len) {
		struct cap_rrbe r = { .num_events = 3 };
		size_t len;

		r.events[0].event_type = term ? CAP_EVT_T_ANSWER : CAP_EVT_O_ANSWER;
		r.events[0].leg = (struct cap_leg_id){ CAP_LEG_SENDING, 2 };
		r.events[1].event_type = term ? CAP_EVT_T_DISCONNECT : CAP_EVT_O_DISCONNECT;
		r.events[1].leg = (struct cap_leg_id){ CAP_LEG_SENDING, 1 };
		r.events[2].event_type = term ? CAP_EVT_T_DISCONNECT : CAP_EVT_O_DISCONNECT;
		r.events[2].leg = (struct cap_leg_id){ CAP_LEG_SENDING, 2 };
		for (i = 0; i < r.num_events; i++)
			r.events[i].monitor_mode = CAP_MON_NOTIFY_AND_CONTINUE;
		rc = cap_rrbe_encode(cache[svc->proto][term].p, PARAM_MAX, &len, svc->proto, &r);
		if (rc)
			return rc;
		cache[svc->proto][term].len = len;
	}
	rc = tcap_dlg_invoke(svc->sv.dlg, &op, cache[svc->proto][term].p, cache[svc->proto][term].len, 0, false);
	if (rc < 0)
		return rc;
	scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_RRBE);
	return 0;
}

static void st_wait_trigger(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct cap_svc *svc = fi->priv;
	const struct cap_idp *idp = data;
	const struct scp_key_rule *rule;
	bool released, monitor;
	struct scp_call call;

	switch (event) {
	case CAP_EV_IDP_IND:
		scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_RX_TRIGGER);
		svc->sv.call = &call;
		call_from_idp(svc, idp);
		scp_ssn_ctr_inc(svc->sv.ssn,
				call.dir == SCP_DIR_TERM ? SCP_CTR_RX_TRIGGER_TERM : SCP_CTR_RX_TRIGGER_ORIG);
		rule = scp_rule_find(g_scp, idp->service_key);
		monitor = rule && rule->monitor && rule->answer != SCP_ANSWER_RELEASE;
		if (monitor && queue_rrbe(svc)) {
			/* fail-open: answer without monitoring rather than not at all */
			LOGPFSML(fi, LOGL_ERROR, "cannot build RequestReportBCSMEvent, answering unmonitored\n");
			call.fail_open = true;
			scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_FAIL_OPEN);
			monitor = false;
		}
		released = queue_answer(svc, rule);
		svc->sv.call = NULL;
		call.monitored = monitor && !released;
		scp_call_event(SCP_CALL_EV_TRIGGER, &call);
		/* kept packed until the answer and the end are reported */
		if (call.monitored && scp_call_rec_pack(fi, &svc->sv.rec, &call) == 0) {
			if (tcap_dlg_continue(svc->sv.dlg) == 0) {
				scp_svc_latency(&svc->sv);
				osmo_fsm_inst_state_chg(fi, CAP_ST_MONITORING, 0, 0);
				break;
			}
			/* the Continue did not go out: the layer keeps the dialogue, end it */
			svc->sv.rec.monitored = false;
		} else if (call.monitored) {
			LOGPFSML(fi, LOGL_ERROR, "no memory for the call record, ending the dialogue\n");
		}
		tcap_dlg_end(svc->sv.dlg, false);
		scp_svc_latency(&svc->sv);
		scp_svc_term(&svc->sv);
		break;
	case CAP_EV_TC_ABORT_IND:
	case CAP_EV_TC_END_IND:
		scp_svc_term(&svc->sv);
		break;
	case CAP_EV_TC_TIMEOUT_IND:
	case CAP_EV_TC_L_CANCEL_IND:
		scp_svc_timed_out(&svc->sv);
		break;
	}
}

static void st_monitoring(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct cap_svc *svc = fi->priv;
	const struct cap_erb *erb = data;
	struct tcap_opcode op;

	switch (event) {
	case CAP_EV_ERB_IND:
		switch (erb->event_type) {
		case CAP_EVT_O_ANSWER:
		case CAP_EVT_T_ANSWER:
			scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_RX_EVENT_ANSWER);
			scp_svc_call_answer(&svc->sv);
			break;
		case CAP_EVT_O_DISCONNECT:
		case CAP_EVT_T_DISCONNECT:
			scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_RX_EVENT_DISCONNECT);
			scp_svc_call_end(&svc->sv, "disconnect");
			break;
		default:
			scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_RX_EVENT_OTHER);
			break;
		}
		break;
	case CAP_EV_TC_END_IND:
		scp_svc_call_end(&svc->sv, "end");
		scp_svc_term(&svc->sv);
		break;
	case CAP_EV_TC_ABORT_IND:
		scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_RX_ABORT);
		scp_svc_call_end(&svc->sv, "abort");
		scp_svc_term(&svc->sv);
		break;
	case CAP_EV_TC_TIMEOUT_IND:
		/* TS 29.078: the gsmSCF checks a quiet relationship with activityTest */
		op = op_local(CAP_OP_ACTIVITY_TEST);
		if (tcap_dlg_invoke(svc->sv.dlg, &op, NULL, 0, osmo_tdef_get(g_scp->tdefs, -10, OSMO_TDEF_S, 5),
				    true) > 0 &&
		    tcap_dlg_continue(svc->sv.dlg) == 0) {
			scp_ssn_ctr_inc(svc->sv.ssn, SCP_CTR_TX_ACTIVITY_TEST);
			break;
		}
		/* could not ask: give up on the dialogue */
		/* fall through */
	case CAP_EV_TC_L_CANCEL_IND:
		scp_svc_timed_out(&svc->sv);
		break;
	}
}

#define S(x) (1 << (x))

static const struct osmo_fsm_state cap_svc_states[] = {
	[CAP_ST_WAIT_TRIGGER] = {
		.name = "WAIT_TRIGGER",
		.in_event_mask = S(CAP_EV_IDP_IND) | S(CAP_EV_TC_END_IND) | S(CAP_EV_TC_ABORT_IND) |
				 S(CAP_EV_TC_TIMEOUT_IND) | S(CAP_EV_TC_L_CANCEL_IND),
		.out_state_mask = S(CAP_ST_MONITORING),
		.action = st_wait_trigger,
	},
	[CAP_ST_MONITORING] = {
		.name = "MONITORING",
		.in_event_mask = S(CAP_EV_ERB_IND) | S(CAP_EV_TC_END_IND) | S(CAP_EV_TC_ABORT_IND) |
				 S(CAP_EV_TC_TIMEOUT_IND) | S(CAP_EV_TC_L_CANCEL_IND),
		.out_state_mask = 0,
		.action = st_monitoring,
	},
};

static struct osmo_fsm cap_svc_fsm = {
	.name = "CAP-SVC",
	.states = cap_svc_states,
	.num_states = ARRAY_SIZE(cap_svc_states),
	.event_names = cap_svc_event_names,
	.log_subsys = DCAP,
};

static __attribute__((constructor)) void cap_svc_fsm_register(void)
{
	OSMO_ASSERT(osmo_fsm_register(&cap_svc_fsm) == 0);
}

/* The protocol of an encoded application context, compared octet by octet with the four we
 * serve, encoded once: the dotted text costs seven snprintf() per trigger (bench/scp profile).
 * \returns 0 or -ENOENT. */
static int ac_protocol(enum cap_protocol *out, const struct tcap_oid *ac)
{
	static const char *const dotted[] = {
		[CAP_PROTO_CAP2] = CAP_AC_V2,
		[CAP_PROTO_CAP3] = CAP_AC_V3,
		[CAP_PROTO_CAP4] = CAP_AC_V4,
		[CAP_PROTO_INAP] = INAP_AC_CS1_SSP_TO_SCP,
	};
	static struct tcap_oid enc[ARRAY_SIZE(dotted)];
	static bool have;
	unsigned int i;

	if (!have) {
		for (i = 0; i < ARRAY_SIZE(dotted); i++)
			if (tcap_oid_from_str(&enc[i], dotted[i]))
				enc[i].len = 0;	/* cannot happen: constants */
		have = true;
	}
	for (i = 0; i < ARRAY_SIZE(dotted); i++) {
		if (enc[i].len && ac->len == enc[i].len && !memcmp(ac->buf, enc[i].buf, ac->len)) {
			*out = i;
			return 0;
		}
	}
	return -ENOENT;
}

/* Q.774 3.2.1 / the issue: a CAP subsystem serves CAP v2, v3, v4; an INAP one INAP
 * CS-1 (also without a dialogue portion, as CS-1 switches often send it). */
enum tcap_ac_verdict scp_cap_check_ac(struct tcap_tsl *tsl, const struct tcap_oid *ac)
{
	struct scp_ssn *s = tcap_tsl_priv(tsl);
	enum cap_protocol p;

	if (!ac)
		return s->proto == SCP_PROTO_INAP ? TCAP_AC_ACCEPT : TCAP_AC_REFUSE;
	if (ac_protocol(&p, ac))
		return TCAP_AC_REFUSE;
	if (s->proto == SCP_PROTO_INAP)
		return p == CAP_PROTO_INAP ? TCAP_AC_ACCEPT : TCAP_AC_REFUSE;
	return p == CAP_PROTO_INAP ? TCAP_AC_REFUSE : TCAP_AC_ACCEPT;
}

const size_t scp_cap_svc_size = sizeof(struct cap_svc);

/* The service logic of a new dialogue, in the dialogue's user area (sccp.c sizes it). */
static struct cap_svc *svc_alloc(struct scp_ssn *s, struct tcap_dlg *dlg)
{
	struct cap_svc *svc = tcap_dlg_user(dlg);
	const struct tcap_oid *ac = tcap_dlg_ac(dlg);
	enum cap_protocol proto = CAP_PROTO_INAP;
	const uint8_t *tid;
	char id[32];

	if (!svc || tcap_dlg_get_priv(dlg))
		return NULL;
	if (ac)
		ac_protocol(&proto, ac);
	/* the octets are promoted to int: shift them as uint32_t, a top bit set is no overflow */
	tid = tcap_dlg_local_tid(dlg)->buf;
	snprintf(id, sizeof(id), "%s-%08x", cap_protocol_name(proto),
		 (unsigned int)((uint32_t)tid[0] << 24 | (uint32_t)tid[1] << 16 | (uint32_t)tid[2] << 8 | tid[3]));
	if (scp_svc_start(&svc->sv, &cap_svc_fsm, svc, s, dlg, id))
		return NULL;
	svc->proto = proto;
	return svc;
}

static void reject(struct cap_svc *svc, const struct tcap_component *c, int32_t problem)
{
	if (tcap_dlg_reject(svc->sv.dlg, c, TCAP_PROB_INVOKE, problem) == 0)
		svc->rejects_queued = true;
	scp_ssn_ctr_inc(svc->sv.ssn, problem == TCAP_IP_UNRECOGNIZED_OPERATION ? SCP_CTR_TX_REJECT_UNKNOWN_OP
									     : SCP_CTR_TX_REJECT_MISTYPED);
}

/* Handle the components of one message; the FSM gets one event per operation. */
static void handle_components(struct cap_svc *svc, const struct tcap_ind *ind)
{
	unsigned int i;

	for (i = 0; i < ind->num_comp && svc->sv.fi; i++) {
		const struct tcap_component *c = ind->comp[i];

		if (c->kind != TCAP_COMP_INVOKE)
			continue;	/* results (activityTest) and rejects: the layer matched them */
		if (c->op.kind != TCAP_OP_LOCAL) {
			reject(svc, c, TCAP_IP_UNRECOGNIZED_OPERATION);
			continue;
		}
		switch (c->op.code) {
		case CAP_OP_INITIAL_DP: {
			struct cap_idp idp;

			if (svc->sv.fi->state != CAP_ST_WAIT_TRIGGER) {
				reject(svc, c, TCAP_IP_UNRECOGNIZED_OPERATION);
				break;
			}
			if (!c->param || cap_idp_decode(&idp, svc->proto, c->param, c->param_len)) {
				LOGPFSML(svc->sv.fi, LOGL_NOTICE, "InitialDP argument does not decode\n");
				reject(svc, c, TCAP_IP_MISTYPED_PARAMETER);
				break;
			}
			osmo_fsm_inst_dispatch(svc->sv.fi, CAP_EV_IDP_IND, &idp);
			/* the dialogue may be gone now */
			return;
		}
		case CAP_OP_EVENT_REPORT_BCSM: {
			struct cap_erb erb;

			if (svc->sv.fi->state != CAP_ST_MONITORING) {
				reject(svc, c, TCAP_IP_UNRECOGNIZED_OPERATION);
				break;
			}
			if (!c->param || cap_erb_decode(&erb, svc->proto, c->param, c->param_len)) {
				reject(svc, c, TCAP_IP_MISTYPED_PARAMETER);
				break;
			}
			osmo_fsm_inst_dispatch(svc->sv.fi, CAP_EV_ERB_IND, &erb);
			break;
		}
		default:
			reject(svc, c, TCAP_IP_UNRECOGNIZED_OPERATION);
			break;
		}
	}
}

void scp_cap_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind)
{
	struct scp_ssn *s = tcap_tsl_priv(tsl);
	struct cap_svc *svc = tcap_dlg_get_priv(dlg);
	struct timespec t_rx;

	clock_gettime(CLOCK_MONOTONIC, &t_rx);
	switch (ind->kind) {
	case TCAP_IND_BEGIN:
		svc = svc_alloc(s, dlg);
		if (!svc) {
			/* fail-open: without memory for the service logic, let the call go on */
			struct tcap_opcode op = op_local(CAP_OP_CONTINUE);

			scp_ssn_ctr_inc(s, SCP_CTR_FAIL_OPEN);
			invoke_class4(dlg, &op, NULL, 0);
			tcap_dlg_end(dlg, false);
			return;
		}
		svc->sv.t_rx = t_rx;
		handle_components(svc, ind);
		if (tcap_dlg_get_priv(dlg) == svc && svc->sv.fi->state == CAP_ST_WAIT_TRIGGER) {
			/* no usable InitialDP: end with what is queued (the Rejects); the
			 * switch falls back to its default call handling */
			tcap_dlg_end(dlg, false);
			scp_svc_term(&svc->sv);
		}
		break;
	case TCAP_IND_CONTINUE:
		if (!svc) {
			tcap_dlg_u_abort(dlg);
			return;
		}
		handle_components(svc, ind);
		if (tcap_dlg_get_priv(dlg) != svc)
			break;
		if (svc->sv.rec.t_end.tv_sec) {
			/* the last armed event (disconnect) was reported: close the relationship */
			tcap_dlg_end(dlg, false);
			scp_svc_term(&svc->sv);
		} else if (ind->num_rejected || svc->rejects_queued) {
			/* Rejects are queued (by the layer or by us, e.g. an operation we do not
			 * know in the middle of a call): send them now, the call goes on */
			svc->rejects_queued = false;
			tcap_dlg_continue(dlg);
		}
		break;
	case TCAP_IND_END:
		if (!svc)
			return;
		handle_components(svc, ind);
		if (tcap_dlg_get_priv(dlg) == svc)
			osmo_fsm_inst_dispatch(svc->sv.fi, CAP_EV_TC_END_IND, NULL);
		break;
	case TCAP_IND_U_ABORT:
	case TCAP_IND_P_ABORT:
		if (svc)
			osmo_fsm_inst_dispatch(svc->sv.fi, CAP_EV_TC_ABORT_IND, NULL);
		break;
	case TCAP_IND_TIMEOUT:
		if (svc)
			osmo_fsm_inst_dispatch(svc->sv.fi, CAP_EV_TC_TIMEOUT_IND, NULL);
		break;
	case TCAP_IND_L_CANCEL:
		if (svc)
			osmo_fsm_inst_dispatch(svc->sv.fi, CAP_EV_TC_L_CANCEL_IND, NULL);
		break;
	}
}
