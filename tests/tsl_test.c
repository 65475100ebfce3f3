/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* TCAP transaction/dialogue/component sublayers (ITU Q.774, ANSI T1.114.4) driven
 * with encoded messages: every message the layer sends is decoded and printed,
 * every indication it gives its user is printed. Timers run on libosmocore's
 * overridden monotonic clock. Output is compared with tsl_test.ok. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include <tandem/tcap_msg.h>
#include <tandem/tcap_tsl.h>

#include "testlib.h"

#define CAP_V2 "0.4.0.0.1.0.50.1"
#define CAP_V4 "0.4.0.0.1.23.3.4"

static void *ctx;
static int failures;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			printf("FAIL %s:%d: %s\n", __func__, __LINE__, #cond);        \
			failures++;                                                    \
		}                                                                      \
	} while (0)

struct peer {
	char name[8];
};

/* What the test's TC-user does with the next indication. */
enum user_action {
	UA_NONE,		/* just print (answer later, or never) */
	UA_END_CONTINUE,	/* TC-END with Invoke continue */
	UA_CONTINUE_RRBE,	/* TC-CONTINUE with Invoke RRBE (class 2) + continue */
	UA_REJECT_UNKNOWN_OP,	/* Reject each invoke unrecognizedOperation, then TC-END */
	UA_END,			/* TC-END with what is queued */
	UA_ABORT,		/* TC-U-ABORT */
	UA_ACTIVITY_TEST,	/* TC-CONTINUE with activityTest (class 3, result expected, 2 s) */
	/* ANSI (AIN private operation codes) */
	UA_A_RESPONSE_CONTINUE,	/* Response with InvokeLast Continue (0x650d) */
	UA_A_CONV_RRBE,		/* Conversation: InvokeNotLast RRBE (0x6d01) + InvokeLast Continue */
	UA_A_TRY_END,		/* Response with Continue; when that is refused (-EPERM), Conversation */
	UA_A_REJECT_UNKNOWN_OP,	/* Reject each invoke 0x0202 (unrecognized operation code), Response */
};

static enum user_action next_action;
static struct tcap_dlg *last_dlg;
static int last_ind = -1;
static struct tcap_tsl *tsl_scp, *tsl_ssp;
static struct tcap_tsl *tsl_ascp, *tsl_assp;	/* the same pair on ANSI */
static struct tcap_tsl *cur_scp;		/* the SCP side rx_hex() feeds */

static bool is_scp(const struct tcap_tsl *tsl)
{
	return tsl == tsl_scp || tsl == tsl_ascp;
}

/* Messages sent by either layer, delivered by pump() (never from inside a layer). */
struct wire {
	struct tcap_tsl *from;
	struct peer to;
	uint8_t buf[2048];
	size_t len;
};
static struct wire queue[16];
static unsigned int nqueue;
static bool loop_mode;	/* deliver the SCP's output to the SSP layer and back */

static void print_tid(const char *name, const struct tcap_tid *t)
{
	printf(" %s=", name);
	tl_hexprint(t->buf, t->len);
}

static void print_msg(const struct tcap_msg *m)
{
	char ac[64];
	unsigned int i;

	printf(" %s", tcap_msg_type_name(m->type));
	if (m->variant == TCAP_ANSI && m->tid.len)
		print_tid("tid", &m->tid);
	if (m->has_otid)
		print_tid("otid", &m->otid);
	if (m->has_dtid)
		print_tid("dtid", &m->dtid);
	if (m->has_pabort)
		printf(" p-abort=%s", tcap_pabort_name(m->variant, m->pabort_cause) ?: "?");
	if (m->dlg.has_ac && tcap_oid_to_str(ac, sizeof(ac), &m->dlg.ac) == 0)
		;
	else
		strcpy(ac, "-");
	switch (m->dlg.pdu) {
	case TCAP_DLG_AARQ:
		printf(" AARQ(%s)", ac);
		break;
	case TCAP_DLG_AARE:
		printf(" AARE(%s %s diag=%s:%d)", ac, m->dlg.result ? "reject" : "accepted",
		       m->dlg.diag_source == TCAP_DIAG_USER ? "user" : "provider", m->dlg.diag);
		break;
	case TCAP_DLG_ABRT:
		printf(" ABRT(%s)", m->dlg.abort_source ? "provider" : "user");
		break;
	default:
		break;
	}
	for (i = 0; i < m->num_comp; i++) {
		const struct tcap_component *c = &m->comp[i];

		printf(" [%s", tcap_comp_kind_name(c->kind));
		if (c->has_invoke_id)
			printf(" id=%d", c->invoke_id);
		else
			printf(" id=none");
		if (c->has_opcode && m->variant == TCAP_ANSI)
			printf(" op=0x%04x", c->op.code);
		else if (c->has_opcode)
			printf(" op=%d", c->op.code);
		if (c->kind == TCAP_COMP_REJECT && m->variant == TCAP_ANSI)
			printf(" problem=0x%04x", c->problem);
		else if (c->kind == TCAP_COMP_REJECT)
			printf(" problem=%d:%d", c->problem_type, c->problem);
		if (m->variant == TCAP_ANSI && c->kind == TCAP_COMP_INVOKE)
			printf(" %s", c->last ? "last" : "not-last");
		if (c->has_linked_id)
			printf(" linked=%d", c->linked_id);
		if (c->param) {
			printf(" param=");
			tl_hexprint(c->param, c->param_len);
		}
		printf("]");
	}
	printf("\n");
}

static int tx_cb(struct tcap_tsl *tsl, const void *addr, const uint8_t *buf, size_t len)
{
	const struct peer *p = addr;
	struct tcap_decode_err err;
	struct tcap_msg *m;

	printf("  %s -> %s:", is_scp(tsl) ? "scp" : "ssp", p->name);
	if (tcap_msg_decode(ctx, &m, &err, buf, len) == 0)
		print_msg(m);
	else
		printf(" UNDECODABLE %s\n", err.text);
	tcap_msg_free(m);
	if (loop_mode) {
		CHECK(nqueue < ARRAY_SIZE(queue) && len <= sizeof(queue[0].buf));
		if (nqueue < ARRAY_SIZE(queue) && len <= sizeof(queue[0].buf)) {
			queue[nqueue].from = tsl;
			memcpy(queue[nqueue].buf, buf, len);
			queue[nqueue].len = len;
			nqueue++;
		}
	}
	return 0;
}

static enum tcap_ac_verdict check_ac(struct tcap_tsl *tsl, const struct tcap_oid *ac)
{
	struct tcap_oid v2, v4;

	if (!ac)
		return TCAP_AC_ACCEPT;
	tcap_oid_from_str(&v2, CAP_V2);
	tcap_oid_from_str(&v4, CAP_V4);
	return tcap_oid_equal(ac, &v2) || tcap_oid_equal(ac, &v4) ? TCAP_AC_ACCEPT : TCAP_AC_REFUSE;
}

static void invoke(struct tcap_dlg *dlg, int op, const char *hex, unsigned int timeout, bool result)
{
	struct tcap_opcode opc = { .kind = TCAP_OP_LOCAL, .code = op };
	uint8_t p[64];
	int n = hex ? tl_unhex(p, sizeof(p), hex) : 0;
	int rc;

	rc = tcap_dlg_invoke(dlg, &opc, n > 0 ? p : NULL, n > 0 ? n : 0, timeout, result);
	CHECK(rc > 0);
}

/* Queue an AIN operation (private operation code) with options. */
static void ainvoke(struct tcap_dlg *dlg, int op, const char *hex, bool not_last)
{
	struct tcap_opcode opc = { .kind = TCAP_OP_PRIVATE, .code = op };
	struct tcap_invoke_opts o = { .not_last = not_last };
	uint8_t p[64];
	int n = hex ? tl_unhex(p, sizeof(p), hex) : 0;

	CHECK(tcap_dlg_invoke_opts(dlg, &opc, n > 0 ? p : NULL, n > 0 ? n : 0, &o) > 0);
}

static void ind_cb(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind)
{
	enum user_action a = next_action;
	bool ansi = tsl == tsl_ascp || tsl == tsl_assp;
	unsigned int i;
	int rc;

	printf("  %s user: %s state=%s", is_scp(tsl) ? "scp" : "ssp", tcap_ind_name(ind->kind),
	       tcap_dlg_state_name(tcap_dlg_state(dlg)));
	if (ind->kind == TCAP_IND_P_ABORT)
		printf(" cause=%s%s", tcap_pabort_name(ansi ? TCAP_ANSI : TCAP_ITU, ind->cause) ?: "?",
		       ind->local ? " (local)" : "");
	if (ind->kind == TCAP_IND_L_CANCEL)
		printf(" invoke=%d", ind->invoke_id);
	for (i = 0; i < ind->num_comp; i++) {
		if (ansi)
			printf(" %s:0x%04x", tcap_comp_kind_name(ind->comp[i]->kind),
			       ind->comp[i]->has_opcode ? ind->comp[i]->op.code : 0);
		else
			printf(" %s:%d", tcap_comp_kind_name(ind->comp[i]->kind),
			       ind->comp[i]->has_opcode ? ind->comp[i]->op.code : -1);
	}
	if (ansi && (ind->kind == TCAP_IND_BEGIN || ind->kind == TCAP_IND_CONTINUE))
		printf(" may-end=%s", tcap_dlg_may_end(dlg) ? "yes" : "no");
	if (ind->num_rejected)
		printf(" rejected=%u", ind->num_rejected);
	printf("\n");
	last_dlg = dlg;
	last_ind = ind->kind;
	if (tsl != cur_scp)
		return;
	next_action = UA_NONE;
	switch (a) {
	case UA_NONE:
		break;
	case UA_END_CONTINUE:
		invoke(dlg, 31, NULL, 0, false);
		CHECK(tcap_dlg_end(dlg, false) == 0);
		break;
	case UA_CONTINUE_RRBE:
		invoke(dlg, 23, "300aa0083006800107810101", 0, false);
		invoke(dlg, 31, NULL, 0, false);
		CHECK(tcap_dlg_continue(dlg) == 0);
		break;
	case UA_REJECT_UNKNOWN_OP:
		for (i = 0; i < ind->num_comp; i++)
			if (ind->comp[i]->kind == TCAP_COMP_INVOKE)
				CHECK(tcap_dlg_reject(dlg, ind->comp[i], TCAP_PROB_INVOKE,
						      TCAP_IP_UNRECOGNIZED_OPERATION) == 0);
		CHECK(tcap_dlg_end(dlg, false) == 0);
		break;
	case UA_END:
		CHECK(tcap_dlg_end(dlg, false) == 0);
		break;
	case UA_ABORT:
		CHECK(tcap_dlg_u_abort(dlg) == 0);
		break;
	case UA_ACTIVITY_TEST:
		invoke(dlg, 55, NULL, 2, true);
		CHECK(tcap_dlg_continue(dlg) == 0);
		break;
	case UA_A_RESPONSE_CONTINUE:
		ainvoke(dlg, 0x650d, NULL, false);
		CHECK(tcap_dlg_end(dlg, false) == 0);
		break;
	case UA_A_CONV_RRBE:
		/* (the layer does not look into arguments: empty parameter sets) */
		ainvoke(dlg, 0x6d01, "f200", true);
		ainvoke(dlg, 0x650d, NULL, false);
		CHECK(tcap_dlg_continue(dlg) == 0);
		break;
	case UA_A_TRY_END:
		ainvoke(dlg, 0x650d, NULL, false);
		rc = tcap_dlg_end(dlg, false);
		printf("  scp user: TC-END.req: %s\n",
		       rc == -EPERM ? "refused, no permission to release" : rc ? "error" : "sent");
		if (rc == -EPERM)
			CHECK(tcap_dlg_continue(dlg) == 0);
		break;
	case UA_A_REJECT_UNKNOWN_OP:
		for (i = 0; i < ind->num_comp; i++)
			if (ind->comp[i]->kind == TCAP_COMP_INVOKE)
				CHECK(tcap_dlg_reject(dlg, ind->comp[i], TCAP_PROB_GENERAL,
						      TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE) == 0);
		CHECK(tcap_dlg_end(dlg, false) == 0);
		break;
	}
}

static void rx_hex(const char *what, const char *from, const char *hex, int expect_rc)
{
	struct peer p = { 0 };
	uint8_t buf[512];
	uint8_t *exact;
	int n, rc;

	snprintf(p.name, sizeof(p.name), "%s", from);
	n = tl_unhex(buf, sizeof(buf), hex);
	CHECK(n > 0);
	printf("%s: %s\n", what, hex);
	exact = tl_exact(buf, n);
	rc = tcap_tsl_rx(cur_scp, &p, exact, n);
	free(exact);
	if (rc != expect_rc)
		printf("FAIL rc=%d expected %d\n", rc, expect_rc);
	CHECK(rc == expect_rc);
}

/* Build a message with our own codec, as an SSF would send it. */
static void rx_built(const char *what, const char *from, struct tcap_msg *m, int expect_rc)
{
	uint8_t buf[1024];
	char hex[2100];
	size_t len, i;

	CHECK(tcap_msg_encode(buf, sizeof(buf), &len, m) == 0);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", buf[i]);
	tcap_msg_free(m);
	rx_hex(what, from, hex, expect_rc);
}

static struct tcap_msg *ssf_msg(enum tcap_msg_type t, uint32_t otid, const struct tcap_tid *dtid, const char *ac)
{
	struct tcap_msg *m = tcap_msg_alloc(ctx, TCAP_ITU, t);

	if (!m)
		abort();
	if (t == TCAP_MT_BEGIN || t == TCAP_MT_CONTINUE) {
		m->has_otid = true;
		m->otid.len = 4;
		m->otid.buf[0] = otid >> 24;
		m->otid.buf[1] = otid >> 16;
		m->otid.buf[2] = otid >> 8;
		m->otid.buf[3] = otid;
	}
	if (dtid) {
		m->has_dtid = true;
		m->dtid = *dtid;
	}
	if (ac) {
		m->dlg.pdu = TCAP_DLG_AARQ;
		m->dlg.has_ac = true;
		if (tcap_oid_from_str(&m->dlg.ac, ac))
			abort();
	}
	return m;
}

static void ssf_invoke(struct tcap_msg *m, int id, int op, const char *hex)
{
	struct tcap_component *c = &m->comp[m->num_comp++];
	uint8_t p[128];
	int n;

	c->kind = TCAP_COMP_INVOKE;
	c->last = true;
	c->has_invoke_id = true;
	c->invoke_id = id;
	c->has_opcode = true;
	c->op.kind = TCAP_OP_LOCAL;
	c->op.code = op;
	if (hex) {
		n = tl_unhex(p, sizeof(p), hex);
		if (n < 0 || tcap_comp_set_param(m, c, p, n))
			abort();
	}
}

/* A minimal InitialDP argument: serviceKey 1, eventTypeBCSM collectedInfo. */
#define IDP_ARG "30068001019c0102"

static void advance(int secs)
{
	printf("(%d s pass)\n", secs);
	osmo_clock_override_add(CLOCK_MONOTONIC, secs, 0);
	osmo_gettimeofday_override_add(secs, 0);
	osmo_timers_prepare();
	osmo_timers_update();
}

static void test_begin_end(void)
{
	struct tcap_msg *m;

	printf("== %s\n", __func__);
	/* Q.774 3.2.1: Begin with AARQ, the End answering it carries the AARE */
	m = ssf_msg(TCAP_MT_BEGIN, 0x11223344, NULL, CAP_V2);
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_END_CONTINUE;
	rx_built("Begin AARQ(cap v2) + initialDP", "ssf1", m, 0);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);

	/* no dialogue portion in, none out */
	m = ssf_msg(TCAP_MT_BEGIN, 0x0a, NULL, NULL);
	m->otid.len = 1;
	m->otid.buf[0] = 0x0a;
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_END_CONTINUE;
	rx_built("Begin without dialogue portion, 1-octet OTID", "ssf1", m, 0);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);
}

static void test_ac_refused(void)
{
	struct tcap_msg *m;

	printf("== %s\n", __func__);
	/* an AC we do not serve: Abort with AARE reject-permanent,
	 * user diagnostic application-context-name-not-supported (2) */
	m = ssf_msg(TCAP_MT_BEGIN, 0x01020304, NULL, "0.4.0.0.1.0.50.0");
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_NONE;
	last_ind = -1;
	rx_built("Begin AARQ(cap v1)", "ssf1", m, 0);
	CHECK(last_ind == -1);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);
}

static void test_unknown_tid(void)
{
	printf("== %s\n", __func__);
	/* Q.774 3.1.2.2: Continue for an unknown DTID: P-Abort unrecognizedTransactionID to its OTID */
	rx_hex("Continue to unknown dtid", "ssf2", "65164804aabbccdd4904deadbeef6c08a106020101020118", -ENOENT);
	/* End and Abort for unknown ids are discarded */
	rx_hex("End to unknown dtid", "ssf2", "64064904deadbeef", -ENOENT);
	rx_hex("Abort to unknown dtid", "ssf2", "67094904deadbeef4a0101", -ENOENT);
	/* our ids are 4 octets: a 2-octet DTID is unknown */
	rx_hex("Continue to a 2-octet dtid", "ssf2", "650a4804aabbccdd4902beef", -ENOENT);
}

static void test_malformed(void)
{
	printf("== %s\n", __func__);
	/* OTID readable, then an element that does not belong: incorrectTransactionPortion */
	rx_hex("Begin with a stray element", "ssf3", "6209480401020304800100", -EBADMSG);
	/* OTID of 5 octets: badlyFormattedTransactionPortion, but no id to answer to */
	rx_hex("Begin with a 5-octet OTID", "ssf3", "620748050102030405", -EBADMSG);
	/* Begin without OTID: nobody to answer */
	rx_hex("Begin without OTID", "ssf3", "620a6c08a106020101020100", -EBADMSG);
	/* unknown message type */
	rx_hex("message type 0x68", "ssf3", "6806480401020304", -EBADMSG);
	/* dialogue portion that is not a dialogue: provider abort (ABRT) */
	rx_hex("Begin with a bad dialogue portion", "ssf3", "620c48040102030b6b0428020500", -EBADMSG);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);
}

static void test_components(void)
{
	struct tcap_msg *m;

	printf("== %s\n", __func__);
	/* two invokes with the same id: the second is rejected (duplicateInvokeID),
	 * the user sees one invoke and its End carries the Reject */
	m = ssf_msg(TCAP_MT_BEGIN, 0x21, NULL, CAP_V4);
	ssf_invoke(m, 1, 0, IDP_ARG);
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_END_CONTINUE;
	rx_built("Begin with a duplicate invoke id", "ssf4", m, 0);

	/* the user does not know operation 99: Reject unrecognizedOperation */
	m = ssf_msg(TCAP_MT_BEGIN, 0x22, NULL, CAP_V4);
	ssf_invoke(m, 5, 99, NULL);
	next_action = UA_REJECT_UNKNOWN_OP;
	rx_built("Begin with operation 99", "ssf4", m, 0);

	/* an invoke without operation code does not decode: mistypedComponent,
	 * the Reject goes out with the user's End */
	next_action = UA_END;
	rx_hex("Begin with an invoke lacking its opcode", "ssf4", "620d48040000002a6c05a103020107", 0);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);
}

static void test_monitoring(void)
{
	struct tcap_msg *m;
	struct tcap_tid ltid, rtid;

	printf("== %s\n", __func__);
	m = ssf_msg(TCAP_MT_BEGIN, 0x31, NULL, CAP_V2);
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_CONTINUE_RRBE;
	rx_built("Begin + initialDP (monitored)", "ssf5", m, 0);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 1);
	CHECK(last_dlg && tcap_dlg_state(last_dlg) == TCAP_DS_ACTIVE);
	ltid = *tcap_dlg_local_tid(last_dlg);
	rtid = *tcap_dlg_remote_tid(last_dlg);

	/* eventReportBCSM oAnswer: nothing to send back */
	m = ssf_msg(TCAP_MT_CONTINUE, 0x31, &ltid, NULL);
	ssf_invoke(m, 2, 24, "3003800107");
	next_action = UA_NONE;
	rx_built("Continue + eventReportBCSM(oAnswer)", "ssf5", m, 0);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 1);

	/* a result for an invoke we never sent: Reject returnResult unrecognizedInvokeID */
	m = ssf_msg(TCAP_MT_CONTINUE, 0x31, &ltid, NULL);
	m->comp[0].kind = TCAP_COMP_RETURN_RESULT;
	m->comp[0].last = true;
	m->comp[0].has_invoke_id = true;
	m->comp[0].invoke_id = 77;
	m->num_comp = 1;
	next_action = UA_NONE;
	rx_built("Continue + result for invoke 77", "ssf5", m, 0);
	/* the Reject is queued and goes out with the next message */
	CHECK(tcap_dlg_continue(last_dlg) == 0);

	/* a dialogue portion after the dialogue is confirmed: P-Abort to both ends */
	m = ssf_msg(TCAP_MT_CONTINUE, 0x31, &ltid, CAP_V2);
	rx_built("Continue with an AARQ in an active dialogue", "ssf5", m, 0);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);
	(void)rtid;

	/* again, ended by the SSF with End + eventReportBCSM(oDisconnect) */
	m = ssf_msg(TCAP_MT_BEGIN, 0x32, NULL, CAP_V2);
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_CONTINUE_RRBE;
	rx_built("Begin + initialDP (monitored)", "ssf5", m, 0);
	ltid = *tcap_dlg_local_tid(last_dlg);
	m = ssf_msg(TCAP_MT_END, 0, &ltid, NULL);
	ssf_invoke(m, 3, 24, "3003800109");
	rx_built("End + eventReportBCSM(oDisconnect)", "ssf5", m, 0);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);

	/* SSF-side abort */
	m = ssf_msg(TCAP_MT_BEGIN, 0x33, NULL, CAP_V2);
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_CONTINUE_RRBE;
	rx_built("Begin + initialDP (monitored)", "ssf5", m, 0);
	ltid = *tcap_dlg_local_tid(last_dlg);
	m = ssf_msg(TCAP_MT_ABORT, 0, &ltid, NULL);
	m->dlg.pdu = TCAP_DLG_ABRT;
	m->dlg.abort_source = 0;
	rx_built("Abort ABRT(user)", "ssf5", m, 0);
	m = ssf_msg(TCAP_MT_BEGIN, 0x34, NULL, CAP_V2);
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_CONTINUE_RRBE;
	rx_built("Begin + initialDP (monitored)", "ssf5", m, 0);
	ltid = *tcap_dlg_local_tid(last_dlg);
	m = ssf_msg(TCAP_MT_ABORT, 0, &ltid, NULL);
	m->has_pabort = true;
	m->pabort_cause = TCAP_PA_RESOURCE_LIMITATION;
	rx_built("Abort P-Abort(resourceLimitation)", "ssf5", m, 0);
	/* a late message for it: unknown transaction */
	m = ssf_msg(TCAP_MT_CONTINUE, 0x34, &ltid, NULL);
	ssf_invoke(m, 2, 24, "3003800107");
	rx_built("Continue after the abort", "ssf5", m, -ENOENT);

	/* bad transaction portion in a Continue for a live dialogue: P-Abort to
	 * the peer and TC-P-ABORT to the user */
	m = ssf_msg(TCAP_MT_BEGIN, 0x35, NULL, CAP_V2);
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_CONTINUE_RRBE;
	rx_built("Begin + initialDP (monitored)", "ssf5", m, 0);
	ltid = *tcap_dlg_local_tid(last_dlg);
	{
		char hex[64];

		snprintf(hex, sizeof(hex), "650f480400000035 4904%02x%02x%02x%02x 800100", ltid.buf[0], ltid.buf[1],
			 ltid.buf[2], ltid.buf[3]);
		rx_hex("Continue with a stray element", "ssf5", hex, -EBADMSG);
	}
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);
}

static void test_timers(void)
{
	struct tcap_msg *m;
	struct tcap_tid ltid;

	printf("== %s\n", __func__);
	/* the user never answers a Begin: after X1 the layer refuses the dialogue (AARE reject) */
	m = ssf_msg(TCAP_MT_BEGIN, 0x41, NULL, CAP_V2);
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_NONE;
	rx_built("Begin, user silent", "ssf6", m, 0);
	advance(59);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 1);
	advance(1);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);

	/* monitored dialogue gone quiet: the user checks with activityTest (class 3) */
	m = ssf_msg(TCAP_MT_BEGIN, 0x42, NULL, CAP_V2);
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_CONTINUE_RRBE;
	rx_built("Begin + initialDP (monitored)", "ssf6", m, 0);
	ltid = *tcap_dlg_local_tid(last_dlg);
	next_action = UA_ACTIVITY_TEST;
	advance(60);
	/* the SSF answers: the dialogue lives on */
	m = ssf_msg(TCAP_MT_CONTINUE, 0x42, &ltid, NULL);
	m->comp[0].kind = TCAP_COMP_RETURN_RESULT;
	m->comp[0].last = true;
	m->comp[0].has_invoke_id = true;
	m->comp[0].invoke_id = 3;
	m->num_comp = 1;
	rx_built("Continue + activityTest result", "ssf6", m, 0);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 1);
	/* next time it does not: TC-L-CANCEL, the user aborts */
	next_action = UA_ACTIVITY_TEST;
	advance(60);
	next_action = UA_ABORT;
	advance(2);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);

	/* a user that ignores the inactivity indication: the layer aborts (ABRT user) */
	m = ssf_msg(TCAP_MT_BEGIN, 0x43, NULL, CAP_V2);
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_CONTINUE_RRBE;
	rx_built("Begin + initialDP (monitored)", "ssf6", m, 0);
	advance(60);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);
	/* invoke timers of class 2/4 invokes (RRBE, continue) expire silently: nothing printed */
}

/* Invoke state: class 4 invokes keep none, class 1-3 ones two slots in the dialogue and
 * the rest in an overflow array (up to 16 outstanding); ids are not reused while active. */
static void test_invoke_slots(void)
{
	struct tcap_opcode cont = { .kind = TCAP_OP_LOCAL, .code = 31 };
	struct tcap_opcode at = { .kind = TCAP_OP_LOCAL, .code = 55 };
	struct tcap_invoke_opts c4 = { .no_reply = true };
	struct tcap_invoke_opts bad = { .no_reply = true, .result_expected = true };
	struct tcap_component *c;
	struct tcap_msg *m;
	struct tcap_tid ltid;
	struct tcap_dlg *dlg;
	int i, rc;

	printf("== %s\n", __func__);
	m = ssf_msg(TCAP_MT_BEGIN, 0x51, NULL, CAP_V2);
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_NONE;
	rx_built("Begin + initialDP", "ssf7", m, 0);
	dlg = last_dlg;
	ltid = *tcap_dlg_local_tid(dlg);
	CHECK(tcap_dlg_invoke_opts(dlg, &cont, NULL, 0, &bad) == -EINVAL);
	/* continue (class 4): id 1, nothing kept */
	CHECK(tcap_dlg_invoke_opts(dlg, &cont, NULL, 0, &c4) == 1);
	/* sixteen activityTests (class 3) outstanding at once, over two messages */
	for (i = 0; i < 8; i++)
		invoke(dlg, 55, NULL, 30, true);
	CHECK(tcap_dlg_continue(dlg) == 0);
	for (i = 0; i < 8; i++)
		invoke(dlg, 55, NULL, 30, true);
	rc = tcap_dlg_invoke(dlg, &at, NULL, 0, 30, true);
	printf("  a 17th outstanding invoke: %s\n", rc == -ENOSPC ? "-ENOSPC" : "accepted");
	CHECK(rc == -ENOSPC);
	/* a class 4 invoke needs no slot */
	CHECK(tcap_dlg_invoke_opts(dlg, &cont, NULL, 0, &c4) == 18);
	CHECK(tcap_dlg_continue(dlg) == 0);

	/* the SSF answers invoke 12 (an overflow slot) and sends an error for the class 4
	 * invoke 1, which is not active: Reject returnError unrecognizedInvokeID */
	m = ssf_msg(TCAP_MT_CONTINUE, 0x51, &ltid, NULL);
	c = &m->comp[m->num_comp++];
	c->kind = TCAP_COMP_RETURN_RESULT;
	c->last = true;
	c->has_invoke_id = true;
	c->invoke_id = 12;
	c = &m->comp[m->num_comp++];
	c->kind = TCAP_COMP_RETURN_ERROR;
	c->has_invoke_id = true;
	c->invoke_id = 1;
	c->has_opcode = true;
	c->op = (struct tcap_opcode){ .kind = TCAP_OP_LOCAL, .code = 7 };
	rx_built("Continue + result for 12, error for 1", "ssf7", m, 0);
	/* 12's slot is free again: the next id is 19 (ids go round, not back) */
	CHECK(tcap_dlg_invoke(dlg, &at, NULL, 0, 30, true) == 19);
	CHECK(tcap_dlg_continue(dlg) == 0);
	CHECK(tcap_dlg_u_abort(dlg) == 0);
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);
	/* the invoke timers went with the dialogue: nothing expires */
	advance(30);

	/* one timer per dialogue runs to the earliest deadline: three activityTests due at
	 * 5, 3 and 4 s (the last one sent a second later); the result of the last one comes
	 * in time; the others are cancelled in deadline order, each when its time is up */
	m = ssf_msg(TCAP_MT_BEGIN, 0x52, NULL, CAP_V2);
	ssf_invoke(m, 1, 0, IDP_ARG);
	next_action = UA_NONE;
	rx_built("Begin + initialDP", "ssf7", m, 0);
	dlg = last_dlg;
	ltid = *tcap_dlg_local_tid(dlg);
	CHECK(tcap_dlg_invoke(dlg, &at, NULL, 0, 5, true) == 1);
	CHECK(tcap_dlg_invoke(dlg, &at, NULL, 0, 3, true) == 2);
	CHECK(tcap_dlg_continue(dlg) == 0);
	advance(1);
	CHECK(tcap_dlg_invoke(dlg, &at, NULL, 0, 3, true) == 3);
	CHECK(tcap_dlg_continue(dlg) == 0);
	m = ssf_msg(TCAP_MT_CONTINUE, 0x52, &ltid, NULL);
	c = &m->comp[m->num_comp++];
	c->kind = TCAP_COMP_RETURN_RESULT;
	c->last = true;
	c->has_invoke_id = true;
	c->invoke_id = 3;
	rx_built("Continue + result for 3", "ssf7", m, 0);
	advance(1);
	advance(1);	/* invoke 2 */
	advance(1);	/* (3 would have been now) */
	advance(1);	/* invoke 1 */
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 1);
	CHECK(tcap_dlg_u_abort(dlg) == 0);
}

static void pump(void)
{
	unsigned int i, n;

	while (nqueue) {
		struct wire w = queue[0];

		memmove(queue, queue + 1, (nqueue - 1) * sizeof(queue[0]));
		nqueue--;
		n = tcap_tsl_rx(w.from == tsl_scp ? tsl_ssp : w.from == tsl_ssp ? tsl_scp
						  : w.from == tsl_ascp ? tsl_assp : tsl_ascp,
				&(struct peer){ .name = "loop" }, w.buf, w.len);
		(void)n;
		(void)i;
	}
}

/* The same layer on the initiating (SSF) side, talking to the SCP side. */
static void test_initiator(void)
{
	struct peer p = { .name = "scp" };
	struct tcap_oid ac;
	struct tcap_dlg *dlg;

	printf("== %s\n", __func__);
	loop_mode = true;
	tcap_oid_from_str(&ac, CAP_V2);
	dlg = tcap_dlg_alloc(tsl_ssp, &p);
	CHECK(dlg != NULL);
	invoke(dlg, 0, IDP_ARG, 0, false);
	next_action = UA_CONTINUE_RRBE;
	CHECK(tcap_dlg_begin(dlg, &ac) == 0);
	CHECK(tcap_dlg_state(dlg) == TCAP_DS_INIT_SENT);
	pump();
	CHECK(tcap_dlg_state(dlg) == TCAP_DS_ACTIVE);
	/* the SSF reports the answer and, later, the disconnect in an End */
	invoke(dlg, 24, "3003800107", 0, false);
	CHECK(tcap_dlg_continue(dlg) == 0);
	pump();
	invoke(dlg, 24, "3003800109", 0, false);
	CHECK(tcap_dlg_end(dlg, false) == 0);
	pump();
	CHECK(tcap_tsl_num_dialogues(tsl_scp) == 0);
	CHECK(tcap_tsl_num_dialogues(tsl_ssp) == 0);

	/* refused AC on the initiating side: TC-U-ABORT.ind from the AARE reject */
	tcap_oid_from_str(&ac, "0.4.0.0.1.0.50.0");
	dlg = tcap_dlg_alloc(tsl_ssp, &p);
	invoke(dlg, 0, IDP_ARG, 0, false);
	CHECK(tcap_dlg_begin(dlg, &ac) == 0);
	pump();
	CHECK(tcap_tsl_num_dialogues(tsl_ssp) == 0);
	loop_mode = false;
}

/*
 * ANSI (T1.114.4): the same layer with Query/Conversation/Response packages
 */

static struct tcap_msg *ssp_msg(enum tcap_msg_type t, uint32_t otid, const struct tcap_tid *dtid)
{
	struct tcap_msg *m = tcap_msg_alloc(ctx, TCAP_ANSI, t);

	if (!m)
		abort();
	if (t == TCAP_MT_QUERY_WITH_PERM || t == TCAP_MT_QUERY_WITHOUT_PERM || t == TCAP_MT_CONV_WITH_PERM ||
	    t == TCAP_MT_CONV_WITHOUT_PERM) {
		m->has_otid = true;
		m->otid.len = 4;
		m->otid.buf[0] = otid >> 24;
		m->otid.buf[1] = otid >> 16;
		m->otid.buf[2] = otid >> 8;
		m->otid.buf[3] = otid;
	}
	if (dtid) {
		m->has_dtid = true;
		m->dtid = *dtid;
	}
	return m;
}

static struct tcap_component *ssp_invoke(struct tcap_msg *m, int id, int op, bool last)
{
	struct tcap_component *c = &m->comp[m->num_comp++];
	static const uint8_t empty_set[] = { 0xf2, 0x00 };

	c->kind = TCAP_COMP_INVOKE;
	c->last = last;
	c->has_invoke_id = id >= 0;
	c->invoke_id = id >= 0 ? id : 0;
	c->has_opcode = true;
	c->op.kind = TCAP_OP_PRIVATE;
	c->op.code = op;
	if (tcap_comp_set_param(m, c, empty_set, sizeof(empty_set)))
		abort();
	return c;
}

/* AIN operation codes (GR-1299, family << 8 | specifier) the scenarios use */
#define OP_INFO_ANALYZED 0x6403
#define OP_TERMINATION_ATTEMPT 0x6405
#define OP_O_ANSWER 0x640b
#define OP_O_DISCONNECT 0x641a

static void test_ansi_query_response(void)
{
	struct tcap_msg *m;

	printf("== %s\n", __func__);
	/* T1.114.4: QueryWithPerm opens, the Response carries only the peer's id */
	m = ssp_msg(TCAP_MT_QUERY_WITH_PERM, 0x0a0b0c0d, NULL);
	ssp_invoke(m, 1, OP_INFO_ANALYZED, true);
	next_action = UA_A_RESPONSE_CONTINUE;
	rx_built("QueryWithPerm + InfoAnalyzed", "ssp1", m, 0);
	CHECK(tcap_tsl_num_dialogues(tsl_ascp) == 0);

	/* QueryWithoutPerm: no Response allowed, the user gets -EPERM and converses */
	m = ssp_msg(TCAP_MT_QUERY_WITHOUT_PERM, 0x0a0b0c0e, NULL);
	ssp_invoke(m, 1, OP_TERMINATION_ATTEMPT, true);
	next_action = UA_A_TRY_END;
	rx_built("QueryWithoutPerm + TerminationAttempt", "ssp1", m, 0);
	CHECK(tcap_tsl_num_dialogues(tsl_ascp) == 1);
	/* the switch ends it with a Response */
	m = ssp_msg(TCAP_MT_RESPONSE, 0, tcap_dlg_local_tid(last_dlg));
	rx_built("Response", "ssp1", m, 0);
	CHECK(tcap_tsl_num_dialogues(tsl_ascp) == 0);

	/* an ITU message on the ANSI subsystem: discarded */
	rx_hex("ITU Begin on the ANSI layer", "ssp1", "620e4804000000016c06a104020101020100", -EBADMSG);
}

static void test_ansi_conversation(void)
{
	struct tcap_msg *m;
	struct tcap_tid ltid;

	printf("== %s\n", __func__);
	/* monitored call: Conversation (our id, then the peer's) with RRBE not-last + Continue */
	m = ssp_msg(TCAP_MT_QUERY_WITH_PERM, 0x11, NULL);
	ssp_invoke(m, 1, OP_INFO_ANALYZED, true);
	next_action = UA_A_CONV_RRBE;
	rx_built("QueryWithPerm + InfoAnalyzed (monitored)", "ssp2", m, 0);
	ltid = *tcap_dlg_local_tid(last_dlg);
	CHECK(tcap_tsl_num_dialogues(tsl_ascp) == 1);

	/* OAnswer notification: nothing to send */
	m = ssp_msg(TCAP_MT_CONV_WITH_PERM, 0x11, &ltid);
	ssp_invoke(m, 2, OP_O_ANSWER, true);
	next_action = UA_NONE;
	rx_built("ConversationWithPerm + OAnswer", "ssp2", m, 0);

	/* a correlation id naming an invoke we never sent: Reject 0x0204 */
	m = ssp_msg(TCAP_MT_CONV_WITH_PERM, 0x11, &ltid);
	ssp_invoke(m, 3, OP_O_ANSWER, true)->has_linked_id = true;
	m->comp[0].linked_id = 99;
	rx_built("Conversation + OAnswer correlated with 99", "ssp2", m, 0);
	CHECK(tcap_dlg_continue(last_dlg) == 0);

	/* a result for nothing: Reject 0x0301; an InvokeNotLast is passed on as such */
	m = ssp_msg(TCAP_MT_CONV_WITH_PERM, 0x11, &ltid);
	m->comp[0].kind = TCAP_COMP_RETURN_RESULT;
	m->comp[0].last = true;
	m->comp[0].has_invoke_id = true;
	m->comp[0].invoke_id = 77;
	m->num_comp = 1;
	rx_built("Conversation + result for component 77", "ssp2", m, 0);
	CHECK(tcap_dlg_continue(last_dlg) == 0);

	/* ODisconnect request in a ConversationWithoutPerm: the SCP may not end yet */
	m = ssp_msg(TCAP_MT_CONV_WITHOUT_PERM, 0x11, &ltid);
	ssp_invoke(m, 4, OP_O_DISCONNECT, true);
	next_action = UA_A_TRY_END;
	rx_built("ConversationWithoutPerm + ODisconnect", "ssp2", m, 0);
	CHECK(tcap_tsl_num_dialogues(tsl_ascp) == 1);
	/* again with permission: answered with a Response */
	m = ssp_msg(TCAP_MT_CONV_WITH_PERM, 0x11, &ltid);
	ssp_invoke(m, 5, OP_O_DISCONNECT, true);
	next_action = UA_A_TRY_END;
	rx_built("ConversationWithPerm + ODisconnect", "ssp2", m, 0);
	CHECK(tcap_tsl_num_dialogues(tsl_ascp) == 0);
}

static void test_ansi_errors(void)
{
	struct tcap_msg *m;
	struct tcap_tid ltid;
	char hex[96];

	printf("== %s\n", __func__);
	/* T1.114.4 3.3.3: Conversation to an unknown responding id: P-Abort to its originating id */
	rx_hex("Conversation to an unknown id", "ssp3", "e510c708aabbccdd01020304e804e902cf01", -ENOENT);
	rx_hex("Response to an unknown id", "ssp3", "e406c70401020304", -ENOENT);
	rx_hex("Abort to an unknown id", "ssp3", "f609c70401020304d70104", -ENOENT);
	/* transaction portion: a Query with a 2-octet id cannot be answered */
	rx_hex("Query with a 2-octet id", "ssp3", "e204c7020102", -EBADMSG);
	/* an element that does not belong: incorrectTransactionPortion */
	rx_hex("Query with a stray element", "ssp3", "e209c70401020304800100", -EBADMSG);
	/* unrecognized package type: no id to answer to */
	rx_hex("package type 0xe7", "ssp3", "e706c70401020304", -EBADMSG);
	/* a dialogue portion that does not decode: P-Abort badlyStructuredDialoguePortion */
	rx_hex("Query with a bad dialogue portion", "ssp3", "e20cc70401020305f904020100ff", -EBADMSG);
	CHECK(tcap_tsl_num_dialogues(tsl_ascp) == 0);

	/* components: two with component id 1 (second rejected 0x0201) */
	m = ssp_msg(TCAP_MT_QUERY_WITH_PERM, 0x21, NULL);
	ssp_invoke(m, 1, OP_INFO_ANALYZED, false);
	ssp_invoke(m, 1, OP_INFO_ANALYZED, true);
	next_action = UA_A_RESPONSE_CONTINUE;
	rx_built("Query with a duplicate component id", "ssp3", m, 0);
	/* the user does not know 0x6999: Reject 0x0202 */
	m = ssp_msg(TCAP_MT_QUERY_WITH_PERM, 0x22, NULL);
	ssp_invoke(m, 5, 0x6999, true);
	next_action = UA_A_REJECT_UNKNOWN_OP;
	rx_built("Query with operation 0x6999", "ssp3", m, 0);
	/* an operation code of one octet: incorrect coding (0x0104), the rest is handled */
	next_action = UA_A_RESPONSE_CONTINUE;
	rx_hex("Query with a one-octet operation code", "ssp3", "e212c70400000023e80ae908cf0107d10164f200", 0);
	CHECK(tcap_tsl_num_dialogues(tsl_ascp) == 0);

	/* switch-side aborts: user (no cause) and P-Abort; a late Conversation is unknown */
	m = ssp_msg(TCAP_MT_QUERY_WITH_PERM, 0x31, NULL);
	ssp_invoke(m, 1, OP_INFO_ANALYZED, true);
	next_action = UA_A_CONV_RRBE;
	rx_built("QueryWithPerm + InfoAnalyzed (monitored)", "ssp4", m, 0);
	ltid = *tcap_dlg_local_tid(last_dlg);
	m = ssp_msg(TCAP_MT_ABORT, 0, &ltid);
	rx_built("Abort (user, no cause)", "ssp4", m, 0);
	m = ssp_msg(TCAP_MT_QUERY_WITH_PERM, 0x32, NULL);
	ssp_invoke(m, 1, OP_INFO_ANALYZED, true);
	next_action = UA_A_CONV_RRBE;
	rx_built("QueryWithPerm + InfoAnalyzed (monitored)", "ssp4", m, 0);
	ltid = *tcap_dlg_local_tid(last_dlg);
	m = ssp_msg(TCAP_MT_ABORT, 0, &ltid);
	m->has_pabort = true;
	m->pabort_cause = TCAP_APA_RESOURCE_UNAVAILABLE;
	rx_built("Abort P-Abort(resourceUnavailable)", "ssp4", m, 0);
	m = ssp_msg(TCAP_MT_CONV_WITH_PERM, 0x32, &ltid);
	ssp_invoke(m, 2, OP_O_ANSWER, true);
	rx_built("Conversation after the abort", "ssp4", m, -ENOENT);

	/* a bad transaction portion for a live transaction: P-Abort both ways */
	m = ssp_msg(TCAP_MT_QUERY_WITH_PERM, 0x33, NULL);
	ssp_invoke(m, 1, OP_INFO_ANALYZED, true);
	next_action = UA_A_CONV_RRBE;
	rx_built("QueryWithPerm + InfoAnalyzed (monitored)", "ssp4", m, 0);
	ltid = *tcap_dlg_local_tid(last_dlg);
	snprintf(hex, sizeof(hex), "e50dc70800000033%02x%02x%02x%02x800100", ltid.buf[0], ltid.buf[1], ltid.buf[2],
		 ltid.buf[3]);
	rx_hex("Conversation with a stray element", "ssp4", hex, -EBADMSG);
	CHECK(tcap_tsl_num_dialogues(tsl_ascp) == 0);
}

static void test_ansi_timers(void)
{
	struct tcap_msg *m;

	printf("== %s\n", __func__);
	/* a user that never answers: after X1 the layer aborts (Abort without cause) */
	m = ssp_msg(TCAP_MT_QUERY_WITH_PERM, 0x41, NULL);
	ssp_invoke(m, 1, OP_INFO_ANALYZED, true);
	next_action = UA_NONE;
	rx_built("QueryWithPerm, user silent", "ssp5", m, 0);
	advance(60);
	CHECK(tcap_tsl_num_dialogues(tsl_ascp) == 0);
	/* a monitored call gone quiet, the user ignores the indication */
	m = ssp_msg(TCAP_MT_QUERY_WITH_PERM, 0x42, NULL);
	ssp_invoke(m, 1, OP_INFO_ANALYZED, true);
	next_action = UA_A_CONV_RRBE;
	rx_built("QueryWithPerm + InfoAnalyzed (monitored)", "ssp5", m, 0);
	advance(60);
	CHECK(tcap_tsl_num_dialogues(tsl_ascp) == 0);
}

/* The ANSI layer on the switch side talking to the SCP side. */
static void test_ansi_initiator(void)
{
	struct peer p = { .name = "scp" };
	struct tcap_opcode op = { .kind = TCAP_OP_PRIVATE, .code = OP_INFO_ANALYZED };
	static const uint8_t empty_set[] = { 0xf2, 0x00 };
	struct tcap_dlg *dlg;

	printf("== %s\n", __func__);
	loop_mode = true;
	dlg = tcap_dlg_alloc(tsl_assp, &p);
	CHECK(dlg != NULL);
	CHECK(tcap_dlg_invoke(dlg, &op, empty_set, sizeof(empty_set), 0, false) > 0);
	next_action = UA_A_CONV_RRBE;
	CHECK(tcap_dlg_begin(dlg, NULL) == 0);
	CHECK(tcap_dlg_state(dlg) == TCAP_DS_INIT_SENT);
	pump();
	CHECK(tcap_dlg_state(dlg) == TCAP_DS_ACTIVE);
	/* the answer notification, then the disconnect request; the SCP ends with a Response */
	op.code = OP_O_ANSWER;
	CHECK(tcap_dlg_invoke(dlg, &op, empty_set, sizeof(empty_set), 0, false) > 0);
	CHECK(tcap_dlg_continue(dlg) == 0);
	pump();
	op.code = OP_O_DISCONNECT;
	CHECK(tcap_dlg_invoke(dlg, &op, empty_set, sizeof(empty_set), 0, false) > 0);
	CHECK(tcap_dlg_continue(dlg) == 0);
	next_action = UA_A_TRY_END;
	pump();
	CHECK(tcap_tsl_num_dialogues(tsl_ascp) == 0);
	CHECK(tcap_tsl_num_dialogues(tsl_assp) == 0);
	/* ITU-only requests are refused on ANSI and the other way round */
	dlg = tcap_dlg_alloc(tsl_assp, &p);
	{
		struct tcap_invoke_opts o = { .not_last = true };

		CHECK(tcap_dlg_set_permission(dlg, false) == 0);
		CHECK(tcap_dlg_u_abort(dlg) == 0);
		dlg = tcap_dlg_alloc(tsl_ssp, &p);
		CHECK(tcap_dlg_set_permission(dlg, false) == -EINVAL);
		op.kind = TCAP_OP_LOCAL;
		CHECK(tcap_dlg_invoke_opts(dlg, &op, NULL, 0, &o) == -EINVAL);
		CHECK(tcap_dlg_u_abort(dlg) == 0);
	}
	loop_mode = false;
}

static struct tcap_tsl *new_tsl(const char *name, struct osmo_tdef *tdefs)
{
	struct tcap_tsl_cfg cfg = {
		.variant = TCAP_ITU,
		.name = name,
		.index = tsl_scp ? 2 : 1,
		.addr_size = sizeof(struct peer),
		.tdefs = tdefs,
		.log_subsys = DLGLOBAL,
		.tid_seed = tsl_scp ? 0x5000 : 0x1000,
		.tx = tx_cb,
		.check_ac = check_ac,
		.ind = ind_cb,
	};

	return tcap_tsl_alloc(ctx, &cfg);
}

static struct tcap_tsl *new_ansi_tsl(const char *name, struct osmo_tdef *tdefs, unsigned int index, uint32_t seed)
{
	struct tcap_tsl_cfg cfg = {
		.variant = TCAP_ANSI,
		.name = name,
		.index = index,
		.addr_size = sizeof(struct peer),
		.tdefs = tdefs,
		.log_subsys = DLGLOBAL,
		.tid_seed = seed,
		.tx = tx_cb,
		.ind = ind_cb,
	};

	return tcap_tsl_alloc(ctx, &cfg);
}

static void print_counters(struct tcap_tsl *tsl)
{
	struct rate_ctr_group *g = tcap_tsl_ctrg(tsl);
	unsigned int i;

	for (i = 0; i < g->desc->num_ctr; i++)
		printf("  %s %" PRIu64 "\n", g->desc->ctr_desc[i].name, rate_ctr_group_get_ctr(g, i)->current);
}

static const struct log_info_cat cats[] = {};
static const struct log_info log_info = { .cat = cats, .num_cat = 0 };

int main(void)
{
	struct osmo_tdef *tdefs;
	size_t blocks;

	ctx = talloc_named_const(NULL, 0, "tsl_test");
	osmo_init_logging2(ctx, &log_info);
	log_set_print_filename2(osmo_stderr_target, LOG_FILENAME_NONE);
	log_set_print_category(osmo_stderr_target, 1);
	log_set_log_level(osmo_stderr_target, LOGL_DEBUG);
	/* timers run on a clock the test moves (libosmocore uses one or the other) */
	osmo_clock_override_enable(CLOCK_MONOTONIC, true);
	osmo_gettimeofday_override = true;
	osmo_gettimeofday_override_time = (struct timeval){ .tv_sec = 1000000 };

	tdefs = talloc_memdup(ctx, tcap_tsl_tdefs, sizeof(struct osmo_tdef) * 3);
	tsl_scp = new_tsl("scp", tdefs);
	tsl_ssp = new_tsl("ssp", tdefs);
	CHECK(tsl_scp && tsl_ssp);
	cur_scp = tsl_scp;
	blocks = talloc_total_blocks(ctx);

	test_begin_end();
	test_ac_refused();
	test_unknown_tid();
	test_malformed();
	test_components();
	test_monitoring();
	test_timers();
	test_invoke_slots();
	test_initiator();

	/* every dialogue and message is gone again */
	CHECK(talloc_total_blocks(ctx) == blocks);
	printf("== counters\n");
	print_counters(tsl_scp);

	tsl_ascp = new_ansi_tsl("ascp", tdefs, 3, 0x7000);
	tsl_assp = new_ansi_tsl("assp", tdefs, 4, 0x3000);
	CHECK(tsl_ascp && tsl_assp);
	cur_scp = tsl_ascp;
	blocks = talloc_total_blocks(ctx);
	test_ansi_query_response();
	test_ansi_conversation();
	test_ansi_errors();
	test_ansi_timers();
	test_ansi_initiator();
	CHECK(talloc_total_blocks(ctx) == blocks);
	printf("== ANSI counters\n");
	print_counters(tsl_ascp);

	tcap_tsl_free(tsl_ascp);
	tcap_tsl_free(tsl_assp);
	tcap_tsl_free(tsl_scp);
	tcap_tsl_free(tsl_ssp);
	talloc_free(tdefs);
	printf("failures: %d\n", failures);
	log_fini();
	talloc_free(ctx);
	return failures ? 1 : 0;
}
