/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* AIN 0.1/0.2 argument codec tests: the shared AIN vectors decoded field by
 * field and re-encoded to the same octets, every operation tandem uses built
 * into its ANSI TCAP package and read back, parameters in any order or unknown
 * to us, and malformed arguments refused without leaks. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <tandem/ain.h>
#include <tandem/tcap_msg.h>
#include <tandem/tcap_numbers.h>

#include "msg_internal.h"
#include "testlib.h"

static void *ctx;

static const char *rc_name(int rc)
{
	switch (rc) {
	case 0:
		return "0";
	case -EINVAL:
		return "-EINVAL";
	case -ENOSPC:
		return "-ENOSPC";
	case -EBADMSG:
		return "-EBADMSG";
	case -ENOMEM:
		return "-ENOMEM";
	}
	return "?";
}

/*
 * Printing
 */

static void print_number(const char *name, const struct tcap_number *n)
{
	printf("    %s digits=%s nature=%s(%u) plan=%s(%u) pres=%s(%u) screen=%s(%u)\n", name, n->digits,
	       tcap_num_nature_name(n->nature) ?: "-", n->nature_raw, tcap_num_plan_name(n->plan) ?: "-",
	       n->plan_raw, tcap_num_pres_name(n->pres) ?: "-", n->pres_raw,
	       tcap_num_screen_name(n->screen) ?: "-", n->screen_raw);
}

static void print_raw(const char *name, const uint8_t *buf, size_t len)
{
	printf("    %s=", name);
	tl_hexprint(buf, len);
	printf("\n");
}

static void print_user_id(const struct ain_user_id *u)
{
	switch (u->kind) {
	case AIN_UID_DN:
		printf("    userID dn=%s\n", u->dn);
		break;
	case AIN_UID_BRI:
		printf("    userID bri dn=%s spid=", u->dn);
		tl_hexprint(u->spid, u->spid_len);
		printf("\n");
		break;
	case AIN_UID_TRUNK_GROUP:
		printf("    userID trunkGroupID=%u\n", u->id);
		break;
	case AIN_UID_PRIVATE_FACILITY:
		printf("    userID privateFacilityGID=%u\n", u->id);
		break;
	case AIN_UID_ADSI:
		print_raw("userID aDSIcpeID", u->adsi, 4);
		break;
	default:
		printf("    userID kind=%d?\n", u->kind);
		break;
	}
}

static void print_bc(enum ain_bearer_cap bc)
{
	printf("    bearerCapability=%d(%s)\n", bc, ain_bearer_cap_name(bc) ?: "?");
}

static void print_trigger(const struct ain_trigger *t)
{
	print_user_id(&t->user_id);
	print_bc(t->bearer_cap);
	if (t->has_called)
		print_number("calledPartyID", &t->called);
	if (t->has_lata)
		print_number("lata", &t->lata);
	if (t->has_tct)
		printf("    triggerCriteriaType=%d(%s)\n", t->tct, ain_tct_name(t->tct) ?: "?");
	if (t->has_called_station_type)
		printf("    calledPartyStationType=%u\n", t->called_station_type);
	if (t->has_charge_number)
		print_number("chargeNumber", &t->charge_number);
	if (t->has_calling)
		print_number("callingPartyID", &t->calling);
	if (t->has_charge_station_type)
		printf("    chargePartyStationType=%u\n", t->charge_station_type);
	if (t->has_carrier)
		print_raw("carrier", t->carrier, sizeof(t->carrier));
	if (t->has_access_code)
		print_number("accessCode", &t->access_code);
	if (t->has_collected_address)
		print_number("collectedAddressInfo", &t->collected_address);
	if (t->has_collected_digits)
		print_number("collectedDigits", &t->collected_digits);
	if (t->has_vsc)
		print_number("verticalServiceCode", &t->vsc);
	if (t->has_tcm)
		print_number("tcm", &t->tcm);
	if (t->has_original_called)
		print_number("originalCalledPartyID", &t->original_called);
	if (t->has_redirecting)
		print_number("redirectingPartyID", &t->redirecting);
	if (t->has_redirection_info)
		print_raw("redirectionInformation", t->redirection_info, 2);
	if (t->has_generic_name)
		print_raw("genericName", t->generic_name, t->generic_name_len);
	if (t->has_acg_encountered)
		print_raw("aCGEncountered", &t->acg_encountered, 1);
}

static void print_event(const struct ain_event *e)
{
	print_user_id(&e->user_id);
	print_bc(e->bearer_cap);
	if (e->has_notification)
		printf("    notificationIndicator=%s\n", e->notification ? "true" : "false");
	if (e->has_disconnect_cause)
		printf("    disconnectCause=%d\n", e->disconnect_cause);
	if (e->has_leg_id)
		printf("    legID=%u\n", e->leg_id);
	if (e->has_point_in_call)
		printf("    pointInCall=%d\n", e->point_in_call);
}

static void print_analyze_route(const struct ain_analyze_route *a)
{
	if (a->has_charge_number)
		print_number("chargeNumber", &a->charge_number);
	if (a->has_calling)
		print_number("callingPartyID", &a->calling);
	if (a->has_charge_station_type)
		printf("    chargePartyStationType=%u\n", a->charge_station_type);
	if (a->has_called)
		print_number("calledPartyID", &a->called);
	if (a->has_outpulse_number)
		print_number("outpulseNumber", &a->outpulse_number);
	if (a->has_tcm)
		print_number("tcm", &a->tcm);
	if (a->has_carrier)
		print_raw("carrier", a->carrier, sizeof(a->carrier));
	if (a->has_redirecting)
		print_number("redirectingPartyID", &a->redirecting);
	if (a->has_amaslp_id)
		printf("    aMAslpID=%s\n", a->amaslp_id);
	if (a->has_redirection_info)
		print_raw("redirectionInformation", a->redirection_info, 2);
}

static void print_edps(const char *name, uint32_t mask)
{
	int e;

	printf("    %s=", name);
	for (e = 0; e < 32; e++) {
		if (mask & (UINT32_C(1) << e))
			printf("%s%s", mask & ((UINT32_C(1) << e) - 1) ? "," : "", ain_edp_name(e) ?: "?");
	}
	printf("\n");
}

/* Decode an argument with the codec its operation code selects, print it, and
 * re-encode it. \returns the decoder's result. */
static int show_arg(int op, const uint8_t *param, size_t len)
{
	union {
		struct ain_trigger t;
		struct ain_event e;
		struct ain_analyze_route ar;
		struct ain_authorize_termination at;
		struct ain_continue c;
		struct ain_disconnect d;
		struct ain_rrbe r;
		struct ain_close cl;
		struct ain_acg acg;
	} u;
	uint8_t out[512];
	size_t olen = 0;
	int rc, erc;

	memset(&u, 0xaa, sizeof(u));
	switch (op) {
	case AIN_OP_INFO_COLLECTED:
		rc = ain_info_collected_decode(&u.t, param, len);
		if (!rc)
			print_trigger(&u.t);
		erc = rc ? rc : ain_info_collected_encode(out, sizeof(out), &olen, &u.t);
		break;
	case AIN_OP_INFO_ANALYZED:
		rc = ain_info_analyzed_decode(&u.t, param, len);
		if (!rc)
			print_trigger(&u.t);
		erc = rc ? rc : ain_info_analyzed_encode(out, sizeof(out), &olen, &u.t);
		break;
	case AIN_OP_TERMINATION_ATTEMPT:
		rc = ain_termination_attempt_decode(&u.t, param, len);
		if (!rc)
			print_trigger(&u.t);
		erc = rc ? rc : ain_termination_attempt_encode(out, sizeof(out), &olen, &u.t);
		break;
	case AIN_OP_O_ANSWER:
		rc = ain_o_answer_decode(&u.e, param, len);
		if (!rc)
			print_event(&u.e);
		erc = rc ? rc : ain_o_answer_encode(out, sizeof(out), &olen, &u.e);
		break;
	case AIN_OP_T_ANSWER:
		rc = ain_t_answer_decode(&u.e, param, len);
		if (!rc)
			print_event(&u.e);
		erc = rc ? rc : ain_t_answer_encode(out, sizeof(out), &olen, &u.e);
		break;
	case AIN_OP_O_DISCONNECT:
		rc = ain_o_disconnect_decode(&u.e, param, len);
		if (!rc)
			print_event(&u.e);
		erc = rc ? rc : ain_o_disconnect_encode(out, sizeof(out), &olen, &u.e);
		break;
	case AIN_OP_T_DISCONNECT:
		rc = ain_t_disconnect_decode(&u.e, param, len);
		if (!rc)
			print_event(&u.e);
		erc = rc ? rc : ain_t_disconnect_encode(out, sizeof(out), &olen, &u.e);
		break;
	case AIN_OP_ANALYZE_ROUTE:
		rc = ain_analyze_route_decode(&u.ar, param, len);
		if (!rc)
			print_analyze_route(&u.ar);
		erc = rc ? rc : ain_analyze_route_encode(out, sizeof(out), &olen, &u.ar);
		break;
	case AIN_OP_AUTHORIZE_TERMINATION:
		rc = ain_authorize_termination_decode(&u.at, param, len);
		if (!rc) {
			if (u.at.has_calling)
				print_number("callingPartyID", &u.at.calling);
			if (u.at.has_amaslp_id)
				printf("    aMAslpID=%s\n", u.at.amaslp_id);
			if (u.at.has_generic_name)
				print_raw("genericName", u.at.generic_name, u.at.generic_name_len);
		}
		erc = rc ? rc : ain_authorize_termination_encode(out, sizeof(out), &olen, &u.at);
		break;
	case AIN_OP_CONTINUE:
		rc = ain_continue_decode(&u.c, param, len);
		if (!rc && u.c.has_amaslp_id)
			printf("    aMAslpID=%s\n", u.c.amaslp_id);
		erc = rc ? rc : ain_continue_encode(out, sizeof(out), &olen, &u.c);
		break;
	case AIN_OP_DISCONNECT:
		rc = ain_disconnect_decode(&u.d, param, len);
		if (!rc && u.d.has_amaslp_id)
			printf("    aMAslpID=%s\n", u.d.amaslp_id);
		erc = rc ? rc : ain_disconnect_encode(out, sizeof(out), &olen, &u.d);
		break;
	case AIN_OP_REQUEST_REPORT_BCM_EVENT:
		rc = ain_rrbe_decode(&u.r, param, len);
		if (!rc) {
			if (u.r.has_edp_request)
				print_edps("eDPRequest", u.r.edp_request);
			if (u.r.has_edp_notification)
				print_edps("eDPNotification", u.r.edp_notification);
			if (u.r.has_o_no_answer_timer)
				printf("    oNoAnswerTimer=%u\n", u.r.o_no_answer_timer);
			if (u.r.has_t_no_answer_timer)
				printf("    tNoAnswerTimer=%u\n", u.r.t_no_answer_timer);
		}
		erc = rc ? rc : ain_rrbe_encode(out, sizeof(out), &olen, &u.r);
		break;
	case AIN_OP_CLOSE:
		rc = ain_close_decode(&u.cl, param, len);
		if (!rc) {
			if (u.cl.has_user_id)
				print_user_id(&u.cl.user_id);
			if (u.cl.has_bearer_cap)
				print_bc(u.cl.bearer_cap);
			if (u.cl.has_close_cause)
				printf("    closeCause=%d(%s)\n", u.cl.close_cause,
				       ain_close_cause_name(u.cl.close_cause) ?: "?");
		}
		erc = rc ? rc : ain_close_encode(out, sizeof(out), &olen, &u.cl);
		break;
	case AIN_OP_ACG:
		rc = ain_acg_decode(&u.acg, param, len);
		if (!rc) {
			printf("    controlCauseIndicator=%02x gapDuration=%u gapInterval=%s:%u translationType=%u\n",
			       u.acg.control_cause, u.acg.gap_duration,
			       u.acg.private_gap_interval ? "private" : "national", u.acg.gap_interval,
			       u.acg.translation_type);
			print_raw("globalTitleAddress", u.acg.gta, u.acg.gta_len);
		}
		erc = rc ? rc : ain_acg_encode(out, sizeof(out), &olen, &u.acg);
		break;
	default:
		printf("    (no codec for %04x)\n", op);
		return -ENOENT;
	}
	if (rc) {
		printf("    decode: %s\n", rc_name(rc));
		return rc;
	}
	if (erc)
		printf("    argument re-encode: %s\n", rc_name(erc));
	else if (olen == len && !memcmp(out, param, len))
		printf("    argument re-encode: identical\n");
	else {
		printf("    argument re-encode: ");
		tl_hexprint(out, olen);
		printf("\n");
	}
	return 0;
}

/* Decode a whole ANSI TCAP message and each AIN argument in it, then re-encode
 * the message. */
static void show_message(const char *name, const uint8_t *buf, size_t len)
{
	struct tcap_decode_err err;
	struct tcap_msg *m = tcap_msg_alloc(ctx, TCAP_ANSI, TCAP_MT_UNIDIRECTIONAL);
	uint8_t *copy = tl_exact(buf, len), out[1024];
	size_t olen;
	unsigned int i;
	int rc;

	if (!m)
		abort();
	printf("%s: %zu bytes\n", name, len);
	rc = tcap_ansi_decode(m, &err, copy, len);
	free(copy);
	if (rc) {
		printf("  decode: %s \"%s\"\n", rc_name(rc), err.text);
		goto out;
	}
	printf("  %s", tcap_msg_type_name(m->type));
	if (m->has_otid) {
		printf(" otid=");
		tl_hexprint(m->otid.buf, m->otid.len);
	}
	if (m->has_dtid) {
		printf(" dtid=");
		tl_hexprint(m->dtid.buf, m->dtid.len);
	}
	printf("\n");
	for (i = 0; i < m->num_comp; i++) {
		const struct tcap_component *c = &m->comp[i];

		printf("  [%u] %s", i, tcap_comp_kind_name(c->kind));
		if (c->has_invoke_id)
			printf(" id=%d", c->invoke_id);
		if (c->has_linked_id)
			printf(" corr=%d", c->linked_id);
		if (c->kind == TCAP_COMP_INVOKE)
			printf(" %s", ain_op_name(c->op.code) ?: "?");
		printf("\n");
		if (c->kind == TCAP_COMP_INVOKE && c->op.kind == TCAP_OP_PRIVATE && c->param)
			show_arg(c->op.code, c->param, c->param_len);
	}
	rc = tcap_ansi_encode(out, sizeof(out), &olen, m);
	if (rc)
		printf("  message re-encode: %s\n", rc_name(rc));
	else
		printf("  message re-encode: %s\n", olen == len && !memcmp(out, buf, len) ? "identical" : "differs");
out:
	tcap_msg_free(m);
	if (talloc_total_blocks(ctx) != 1)
		printf("  LEAK: %zu talloc blocks left\n", talloc_total_blocks(ctx));
}

static void test_vectors(void)
{
	static const char *const names[] = { "A1", "A2", "A3" };
	uint8_t buf[512];
	unsigned int i;

	printf("== %s\n", __func__);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n = tl_vector(buf, sizeof(buf), names[i]);

		if (n < 0)
			printf("%s: missing\n", names[i]);
		else
			show_message(names[i], buf, n);
	}
}

/*
 * Building messages
 */

static void num(struct tcap_number *n, const char *digits, enum tcap_num_nature nat)
{
	if (tcap_num_from_string(n, digits, nat))
		abort();
}

static void dn(struct ain_user_id *u, const char *digits)
{
	memset(u, 0, sizeof(*u));
	u->kind = AIN_UID_DN;
	snprintf(u->dn, sizeof(u->dn), "%s", digits);
}

struct pkg {
	struct tcap_msg *m;
};

static struct tcap_msg *new_msg(enum tcap_msg_type type, uint32_t otid, uint32_t dtid)
{
	struct tcap_msg *m = tcap_msg_alloc(ctx, TCAP_ANSI, type);
	unsigned int i;

	if (!m)
		abort();
	if (otid) {
		m->has_otid = true;
		m->otid.len = 4;
		for (i = 0; i < 4; i++)
			m->otid.buf[i] = otid >> (24 - 8 * i);
	}
	if (dtid) {
		m->has_dtid = true;
		m->dtid.len = 4;
		for (i = 0; i < 4; i++)
			m->dtid.buf[i] = dtid >> (24 - 8 * i);
	}
	return m;
}

/* Append an InvokeLast/NotLast carrying an argument that the encoder rc/buf produced. */
static void add_invoke(struct tcap_msg *m, bool last, int id, int corr, int op, int rc, const uint8_t *arg,
		       size_t arg_len)
{
	struct tcap_component *c = &m->comp[m->num_comp++];

	if (rc) {
		printf("  %s argument encode: %s\n", ain_op_name(op), rc_name(rc));
		abort();
	}
	c->kind = TCAP_COMP_INVOKE;
	c->last = last;
	c->has_invoke_id = true;
	c->invoke_id = id;
	if (corr >= 0) {
		c->has_linked_id = true;
		c->linked_id = corr;
	}
	c->has_opcode = true;
	c->op.kind = TCAP_OP_PRIVATE;
	c->op.code = op;
	if (tcap_comp_set_param(m, c, arg, arg_len))
		abort();
}

static void finish(const char *name, struct tcap_msg *m)
{
	uint8_t out[1024];
	size_t olen;
	int rc = tcap_ansi_encode(out, sizeof(out), &olen, m);

	tcap_msg_free(m);
	if (rc) {
		printf("%s: encode %s\n", name, rc_name(rc));
		return;
	}
	printf("%s: ", name);
	tl_hexprint(out, olen);
	printf("\n");
	show_message(name, out, olen);
}

static void test_build(void)
{
	struct tcap_msg *m;
	uint8_t arg[256], arg2[256];
	size_t l, l2;
	int rc, rc2;

	printf("== %s\n", __func__);

	{
		/* an originating trigger with every parameter InfoAnalyzed carries */
		struct ain_trigger t = { 0 };

		dn(&t.user_id, "2015550100");
		t.bearer_cap = AIN_BC_SPEECH;
		t.has_called = true;
		num(&t.called, "2015550199", TCAP_NAT_NATIONAL);
		t.has_lata = true;
		num(&t.lata, "224", TCAP_NAT_UNKNOWN);
		t.lata.plan = TCAP_PLAN_UNKNOWN;
		t.has_tct = true;
		t.tct = AIN_TCT_NPA_NXX_XXXX;
		t.has_charge_number = true;
		num(&t.charge_number, "2015550100", TCAP_NAT_NATIONAL);
		t.has_calling = true;
		num(&t.calling, "2015550100", TCAP_NAT_NATIONAL);
		t.calling.pres = TCAP_PRES_RESTRICTED;
		t.calling.screen = TCAP_SCREEN_NETWORK;
		t.has_charge_station_type = true;
		t.charge_station_type = 0;
		t.has_carrier = true;
		memcpy(t.carrier, "\x02\x04\x88\x02", 4);
		t.has_access_code = true;
		num(&t.access_code, "9", TCAP_NAT_UNKNOWN);
		t.has_collected_address = true;
		num(&t.collected_address, "5550199", TCAP_NAT_SUBSCRIBER);
		t.has_collected_digits = true;
		num(&t.collected_digits, "15550199", TCAP_NAT_UNKNOWN);
		t.has_vsc = true;
		num(&t.vsc, "72", TCAP_NAT_UNKNOWN);
		t.has_tcm = true;
		num(&t.tcm, "01", TCAP_NAT_UNKNOWN);
		t.has_original_called = true;
		num(&t.original_called, "2015550111", TCAP_NAT_NATIONAL);
		t.has_redirecting = true;
		num(&t.redirecting, "2015550122", TCAP_NAT_NATIONAL);
		t.has_redirection_info = true;
		memcpy(t.redirection_info, "\x03\x11", 2);
		t.has_acg_encountered = true;
		t.acg_encountered = 0x40;
		rc = ain_info_analyzed_encode(arg, sizeof(arg), &l, &t);
		m = new_msg(TCAP_MT_QUERY_WITH_PERM, 0x00000101, 0);
		add_invoke(m, true, 1, -1, AIN_OP_INFO_ANALYZED, rc, arg, l);
		finish("QueryWithPerm InfoAnalyzed", m);

		/* the same trigger as InfoCollected: no calledPartyID there */
		rc = ain_info_collected_encode(arg, sizeof(arg), &l, &t);
		printf("InfoCollected with a calledPartyID: %s\n", rc_name(rc));
		t.has_called = false;
		rc = ain_info_collected_encode(arg, sizeof(arg), &l, &t);
		m = new_msg(TCAP_MT_QUERY_WITH_PERM, 0x00000102, 0);
		add_invoke(m, true, 1, -1, AIN_OP_INFO_COLLECTED, rc, arg, l);
		finish("QueryWithPerm InfoCollected", m);
	}

	{
		/* a terminating trigger, with the fields only TerminationAttempt carries */
		struct ain_trigger t = { 0 };

		dn(&t.user_id, "2015550199");
		t.bearer_cap = AIN_BC_3_1KHZ_AUDIO;
		t.has_called = true;
		num(&t.called, "2015550199", TCAP_NAT_NATIONAL);
		t.has_tct = true;
		t.tct = AIN_TCT_TERMINATION_ATTEMPT;
		t.has_called_station_type = true;
		t.called_station_type = 7;
		t.has_calling = true;
		num(&t.calling, "4165551234", TCAP_NAT_NATIONAL);
		t.calling.pres = TCAP_PRES_ALLOWED;
		t.calling.screen = TCAP_SCREEN_USER_VERIFIED_PASSED;
		t.has_generic_name = true;
		memcpy(t.generic_name, "\x01JOHN DOE", 9);
		t.generic_name_len = 9;
		rc = ain_termination_attempt_encode(arg, sizeof(arg), &l, &t);
		m = new_msg(TCAP_MT_QUERY_WITH_PERM, 0x00000201, 0);
		add_invoke(m, true, 1, -1, AIN_OP_TERMINATION_ATTEMPT, rc, arg, l);
		finish("QueryWithPerm TerminationAttempt", m);

		t.has_carrier = true;
		rc = ain_termination_attempt_encode(arg, sizeof(arg), &l, &t);
		printf("TerminationAttempt with a carrier: %s\n", rc_name(rc));
	}

	{
		struct ain_analyze_route a = { 0 };

		a.has_charge_number = true;
		num(&a.charge_number, "2015550100", TCAP_NAT_NATIONAL);
		a.has_calling = true;
		num(&a.calling, "2015550100", TCAP_NAT_NATIONAL);
		a.has_charge_station_type = true;
		a.charge_station_type = 6;
		a.has_called = true;
		num(&a.called, "2015550123", TCAP_NAT_NATIONAL);
		a.has_outpulse_number = true;
		num(&a.outpulse_number, "5550123", TCAP_NAT_SUBSCRIBER);
		a.has_tcm = true;
		num(&a.tcm, "2", TCAP_NAT_UNKNOWN);
		a.has_carrier = true;
		memcpy(a.carrier, "\x01\x04\x21\x43", 4);
		a.has_redirecting = true;
		num(&a.redirecting, "2015550122", TCAP_NAT_NATIONAL);
		a.has_amaslp_id = true;
		strcpy(a.amaslp_id, "0000000001");
		a.has_redirection_info = true;
		memcpy(a.redirection_info, "\x04\x11", 2);
		rc = ain_analyze_route_encode(arg, sizeof(arg), &l, &a);
		m = new_msg(TCAP_MT_RESPONSE, 0, 0x00000101);
		add_invoke(m, true, 1, -1, AIN_OP_ANALYZE_ROUTE, rc, arg, l);
		finish("Response AnalyzeRoute", m);
	}

	{
		struct ain_authorize_termination a = { 0 };

		a.has_calling = true;
		num(&a.calling, "4165551234", TCAP_NAT_NATIONAL);
		a.has_amaslp_id = true;
		strcpy(a.amaslp_id, "0000000002");
		a.has_generic_name = true;
		memcpy(a.generic_name, "\x01JOHN DOE", 9);
		a.generic_name_len = 9;
		rc = ain_authorize_termination_encode(arg, sizeof(arg), &l, &a);
		m = new_msg(TCAP_MT_RESPONSE, 0, 0x00000201);
		add_invoke(m, true, 1, -1, AIN_OP_AUTHORIZE_TERMINATION, rc, arg, l);
		finish("Response AuthorizeTermination", m);
	}

	{
		struct ain_continue c = { 0 };

		rc = ain_continue_encode(arg, sizeof(arg), &l, &c);
		m = new_msg(TCAP_MT_RESPONSE, 0, 0x00000301);
		add_invoke(m, true, 1, -1, AIN_OP_CONTINUE, rc, arg, l);
		finish("Response Continue (no parameters)", m);

		c.has_amaslp_id = true;
		strcpy(c.amaslp_id, "1234567890");
		rc = ain_continue_encode(arg, sizeof(arg), &l, &c);
		m = new_msg(TCAP_MT_RESPONSE, 0, 0x00000302);
		add_invoke(m, true, 1, -1, AIN_OP_CONTINUE, rc, arg, l);
		finish("Response Continue with AMAslpID", m);
	}

	{
		/* originating monitoring: answer as a notification, disconnect as a request */
		struct ain_rrbe r = { 0 };
		struct ain_continue c = { 0 };

		r.has_edp_request = true;
		r.edp_request = AIN_EDP_BIT(AIN_EDP_O_DISCONNECT);
		r.has_edp_notification = true;
		r.edp_notification = AIN_EDP_BIT(AIN_EDP_O_ANSWER);
		rc = ain_rrbe_encode(arg, sizeof(arg), &l, &r);
		rc2 = ain_continue_encode(arg2, sizeof(arg2), &l2, &c);
		m = new_msg(TCAP_MT_CONV_WITH_PERM, 0x00000401, 0x00000101);
		add_invoke(m, false, 1, -1, AIN_OP_REQUEST_REPORT_BCM_EVENT, rc, arg, l);
		add_invoke(m, true, 2, -1, AIN_OP_CONTINUE, rc2, arg2, l2);
		finish("ConversationWithPerm RequestReportBCMEvent O_Answer/O_Disconnect + Continue", m);
	}

	{
		/* terminating monitoring: both as notifications, with no-answer timers */
		struct ain_rrbe r = { 0 };
		struct ain_authorize_termination a = { 0 };

		r.has_edp_notification = true;
		r.edp_notification = AIN_EDP_BIT(AIN_EDP_T_ANSWER) | AIN_EDP_BIT(AIN_EDP_T_DISCONNECT);
		r.has_o_no_answer_timer = true;
		r.o_no_answer_timer = 30;
		r.has_t_no_answer_timer = true;
		r.t_no_answer_timer = 120;
		rc = ain_rrbe_encode(arg, sizeof(arg), &l, &r);
		rc2 = ain_authorize_termination_encode(arg2, sizeof(arg2), &l2, &a);
		m = new_msg(TCAP_MT_CONV_WITH_PERM, 0x00000402, 0x00000201);
		add_invoke(m, false, 1, -1, AIN_OP_REQUEST_REPORT_BCM_EVENT, rc, arg, l);
		add_invoke(m, true, 2, -1, AIN_OP_AUTHORIZE_TERMINATION, rc2, arg2, l2);
		finish("ConversationWithPerm RequestReportBCMEvent T_Answer/T_Disconnect + AuthorizeTermination", m);
	}

	{
		/* the switch reports: answer notifications, then disconnects */
		struct ain_event e = { 0 };

		dn(&e.user_id, "2015550100");
		e.has_notification = true;
		e.notification = true;
		rc = ain_o_answer_encode(arg, sizeof(arg), &l, &e);
		m = new_msg(TCAP_MT_CONV_WITHOUT_PERM, 0x00000101, 0x00000401);
		add_invoke(m, true, 3, -1, AIN_OP_O_ANSWER, rc, arg, l);
		finish("ConversationWithoutPerm OAnswer", m);

		dn(&e.user_id, "2015550199");
		rc = ain_t_answer_encode(arg, sizeof(arg), &l, &e);
		m = new_msg(TCAP_MT_CONV_WITHOUT_PERM, 0x00000201, 0x00000402);
		add_invoke(m, true, 3, -1, AIN_OP_T_ANSWER, rc, arg, l);
		finish("ConversationWithoutPerm TAnswer", m);

		rc = ain_t_answer_encode(arg, sizeof(arg), &l, &(struct ain_event){ .user_id = e.user_id,
										   .has_leg_id = true });
		printf("TAnswer with a legID: %s\n", rc_name(rc));

		dn(&e.user_id, "2015550100");
		e.has_notification = false;
		e.has_disconnect_cause = true;
		e.disconnect_cause = AIN_DISC_FAR_END;
		e.has_leg_id = true;
		e.leg_id = 2;
		e.has_point_in_call = true;
		e.point_in_call = AIN_PIC_O_ACTIVE;
		rc = ain_o_disconnect_encode(arg, sizeof(arg), &l, &e);
		m = new_msg(TCAP_MT_CONV_WITH_PERM, 0x00000101, 0x00000401);
		add_invoke(m, true, 4, -1, AIN_OP_O_DISCONNECT, rc, arg, l);
		finish("ConversationWithPerm ODisconnect (request)", m);

		dn(&e.user_id, "2015550199");
		e.has_notification = true;
		e.notification = true;
		e.leg_id = 1;
		e.point_in_call = AIN_PIC_T_ACTIVE;
		rc = ain_t_disconnect_encode(arg, sizeof(arg), &l, &e);
		m = new_msg(TCAP_MT_CONV_WITHOUT_PERM, 0x00000201, 0x00000402);
		add_invoke(m, true, 4, -1, AIN_OP_T_DISCONNECT, rc, arg, l);
		finish("ConversationWithoutPerm TDisconnect (notification)", m);
	}

	{
		struct ain_close c = { 0 };
		struct ain_disconnect d = { 0 };

		c.has_user_id = true;
		dn(&c.user_id, "2015550100");
		c.has_bearer_cap = true;
		c.bearer_cap = AIN_BC_SPEECH;
		c.has_close_cause = true;
		c.close_cause = AIN_CLOSE_CALL_TERMINATED;
		rc = ain_close_encode(arg, sizeof(arg), &l, &c);
		m = new_msg(TCAP_MT_RESPONSE, 0, 0x00000101);
		add_invoke(m, true, 5, -1, AIN_OP_CLOSE, rc, arg, l);
		finish("Response Close", m);

		d.has_amaslp_id = true;
		strcpy(d.amaslp_id, "0000000003");
		rc = ain_disconnect_encode(arg, sizeof(arg), &l, &d);
		m = new_msg(TCAP_MT_RESPONSE, 0, 0x00000103);
		add_invoke(m, true, 1, -1, AIN_OP_DISCONNECT, rc, arg, l);
		finish("Response Disconnect", m);
	}

	{
		/* overload: gap calls to 201555 for 16 s, one call every 5 s */
		struct ain_acg a = { 0 };
		struct ain_continue c = { 0 };

		a.control_cause = 0x01;
		a.gap_duration = 5;
		a.gap_interval = 7;
		a.translation_type = 0;
		memcpy(a.gta, "\x02\x51\x55", 3);
		a.gta_len = 3;
		rc = ain_acg_encode(arg, sizeof(arg), &l, &a);
		rc2 = ain_continue_encode(arg2, sizeof(arg2), &l2, &c);
		m = new_msg(TCAP_MT_RESPONSE, 0, 0x00000104);
		add_invoke(m, false, 1, -1, AIN_OP_CONTINUE, rc2, arg2, l2);
		add_invoke(m, true, 2, -1, AIN_OP_ACG, rc, arg, l);
		finish("Response Continue + ACG (national gap interval)", m);

		a.private_gap_interval = true;
		a.gap_interval = 16;
		rc = ain_acg_encode(arg, sizeof(arg), &l, &a);
		m = new_msg(TCAP_MT_RESPONSE, 0, 0x00000105);
		add_invoke(m, true, 1, -1, AIN_OP_ACG, rc, arg, l);
		finish("Response ACG (private gap interval)", m);
	}
}

/*
 * Argument decoding: order, unknown parameters, errors
 */

static int arg_hex(uint8_t *buf, size_t size, const char *hex)
{
	int n = tl_unhex(buf, size, hex);

	if (n < 0) {
		printf("bad hex\n");
		abort();
	}
	return n;
}

static void arg_case(const char *name, int op, const char *hex)
{
	uint8_t buf[512];
	int n = arg_hex(buf, sizeof(buf), hex);
	uint8_t *copy = tl_exact(buf, n);

	printf("%s (%s):\n", name, ain_op_name(op));
	show_arg(op, copy, n);
	free(copy);
}

/* An argument made of a tag and contents; the length is worked out here. */
static void arg_wrap(const char *name, int op, uint8_t tag, const char *contents)
{
	uint8_t c[512];
	char hex[1100];
	int n = arg_hex(c, sizeof(c), contents);
	size_t pos;
	int i;

	pos = snprintf(hex, sizeof(hex), n < 0x80 ? "%02x%02x" : "%02x81%02x", tag, n);
	for (i = 0; i < n && pos + 2 < sizeof(hex); i++)
		pos += snprintf(hex + pos, sizeof(hex) - pos, "%02x", c[i]);
	arg_case(name, op, hex);
}

#define arg_set(name, op, contents) arg_wrap(name, op, 0xf2, contents)

/* A1's InfoAnalyzed parameters one by one */
#define P_USERID "bf35078105025155100 0"
#define P_BC "8d0100"
#define P_CALLED "8f070310025155109 9"
#define P_LATA "9f230480002204"
#define P_TCT "9f340108"
#define P_CHARGE "930703100251551000"
#define P_CALLING "920703130251551000"

static void test_arguments(void)
{
	printf("== %s\n", __func__);
	arg_set("A1 argument in reverse order", AIN_OP_INFO_ANALYZED,
		P_CALLING P_CHARGE P_TCT P_LATA P_CALLED P_BC P_USERID);
	arg_wrap("A1 argument as a parameter sequence", AIN_OP_INFO_ANALYZED, 0xf0,
		 P_USERID P_BC P_CALLED P_LATA P_TCT P_CHARGE P_CALLING);
	arg_set("unknown Amp1 [11] and ExtensionParameter [84] in the middle, a 1539 tag at the end",
		AIN_OP_INFO_ANALYZED,
		P_USERID P_BC "8b06010203040506" P_CALLED P_LATA "bf540a06042a0304050402aabb" P_TCT P_CHARGE
			P_CALLING "9f8c0301ff");
	arg_set("AMAslpID is not an InfoAnalyzed parameter: skipped", AIN_OP_INFO_ANALYZED,
		P_USERID P_BC P_CALLED "8a050000000010");
	arg_case("indefinite-length parameter set", AIN_OP_INFO_ANALYZED, "f280" P_USERID P_BC "0000");
	arg_set("duplicate calledPartyID", AIN_OP_INFO_ANALYZED, P_USERID P_BC P_CALLED P_CALLED);
	arg_set("userID missing", AIN_OP_INFO_ANALYZED, P_BC P_CALLED);
	arg_set("bearerCapability missing", AIN_OP_TERMINATION_ATTEMPT, P_USERID);
	arg_wrap("a SEQUENCE, not a parameter set", AIN_OP_INFO_ANALYZED, 0x30, P_USERID P_BC);
	arg_case("primitive parameter set tag", AIN_OP_CONTINUE, "d200");
	arg_case("octets after the parameter set", AIN_OP_CONTINUE, "f20000");
	/* indefinite lengths are rewritten before asn1c sees them: a valid one decodes, and a
	 * malformed one that made asn1c's CHOICE decoder loop forever (fuzz_ain) is refused */
	arg_case("UserID with an indefinite length", AIN_OP_INFO_COLLECTED, "f20fbf3580810502515510000000 8d0100");
	arg_case("malformed indefinite UserID (found by fuzzing)", AIN_OP_INFO_COLLECTED,
		 "f233bf3580810502515510480001008f00000a02515510999f23048001000000000000020703000000481000920503130251551000");
	arg_set("parameter length beyond the set", AIN_OP_INFO_ANALYZED, P_USERID "8d02");
	arg_set("DN of four octets", AIN_OP_INFO_ANALYZED, "bf3506810402515510" P_BC);
	arg_set("DN with a filler digit", AIN_OP_INFO_ANALYZED, "bf35078105025155f0f0" P_BC);
	arg_set("userID with an unknown choice [3]", AIN_OP_INFO_ANALYZED, "bf35078305025155100 0" P_BC);
	arg_set("userID trunk group 999", AIN_OP_INFO_ANALYZED, "bf3504850203e7" P_BC);
	arg_set("userID trunk group 10000", AIN_OP_INFO_ANALYZED, "bf350485022710" P_BC);
	arg_set("userID private facility group", AIN_OP_O_ANSWER, "bf350386010 5" P_BC);
	arg_set("userID BRI", AIN_OP_T_ANSWER, "bf350fa20d9f31033132330405025155109 9" P_BC);
	arg_set("userID ADSI CPE", AIN_OP_O_ANSWER, "bf35060404deadbeef" P_BC);
	arg_set("calledPartyID of one octet", AIN_OP_INFO_ANALYZED, P_USERID P_BC "8f0103");
	arg_set("calledPartyID without digits", AIN_OP_INFO_ANALYZED, P_USERID P_BC "8f020310");
	arg_set("carrier of three octets", AIN_OP_INFO_COLLECTED, P_USERID P_BC "9f2903020488");
	arg_set("carrier", AIN_OP_INFO_COLLECTED, P_USERID P_BC "9f290402048802");
	arg_set("bearerCapability 300", AIN_OP_INFO_ANALYZED, P_USERID "8d02012c");
	arg_set("bearerCapability 9 (not named by GR-1299)", AIN_OP_INFO_ANALYZED, P_USERID "8d0109");
	arg_set("triggerCriteriaType constructed", AIN_OP_INFO_ANALYZED, P_USERID P_BC "bf3403020108");
	arg_set("EDP bits 16 and 39: the unnamed one is dropped", AIN_OP_REQUEST_REPORT_BCM_EVENT,
		"9f5d06000000800001");
	arg_set("EDP bit string with 8 unused bits", AIN_OP_REQUEST_REPORT_BCM_EVENT, "9f5d020810");
	arg_set("oNoAnswerTimer 200 (out of 1..120: refused)", AIN_OP_REQUEST_REPORT_BCM_EVENT, "9f5b0200c8");
	arg_case("AnalyzeRoute: A3 argument", AIN_OP_ANALYZE_ROUTE, "f2108f07031002515510328a050000000010");
	arg_set("AnalyzeRoute: AMAslpID of four octets", AIN_OP_ANALYZE_ROUTE, "8a0400000000");
	arg_set("AnalyzeRoute: AMAslpID with a filler", AIN_OP_ANALYZE_ROUTE, "8a05000000001f");
	arg_set("AnalyzeRoute: nothing", AIN_OP_ANALYZE_ROUTE, "");
	arg_set("Close: nothing", AIN_OP_CLOSE, "");
	arg_set("ACG without globalTitleAddress", AIN_OP_ACG, "9f3b01019f3e01059f3f01079f460100");
	arg_set("ACG with a gap interval [65], not a GapInterval choice", AIN_OP_ACG,
		"9f3b01019f3e01059f41010a9f4601009f4503025155");
	arg_set("InfoAnalyzed: nothing", AIN_OP_INFO_ANALYZED, "");
	arg_case("no octets at all", AIN_OP_CONTINUE, "");
}

/* Every prefix of A1's argument and every octet of it changed: defined results only. */
static void test_argument_robustness(void)
{
	static const uint8_t values[] = { 0x00, 0x01, 0x7f, 0x80, 0x81, 0xff };
	struct ain_trigger t;
	uint8_t a1[256], arg[256], *copy;
	unsigned int ok = 0, bad = 0, other = 0, v;
	int n, k, plen, rc;
	struct tcap_decode_err err;
	struct tcap_msg *m = tcap_msg_alloc(ctx, TCAP_ANSI, TCAP_MT_UNIDIRECTIONAL);

	printf("== %s\n", __func__);
	n = tl_vector(a1, sizeof(a1), "A1");
	if (!m || n < 0 || tcap_ansi_decode(m, &err, a1, n) || m->num_comp != 1)
		abort();
	plen = m->comp[0].param_len;
	memcpy(arg, m->comp[0].param, plen);
	tcap_msg_free(m);

	for (k = 0; k < plen; k++) {
		copy = tl_exact(arg, k);
		rc = ain_info_analyzed_decode(&t, copy, k);
		free(copy);
		if (rc == 0)
			ok++;
		else if (rc == -EINVAL)
			bad++;
		else
			other++;
	}
	printf("prefixes 0..%d: decoded %u, -EINVAL %u, other %u\n", plen - 1, ok, bad, other);

	ok = bad = other = 0;
	for (k = 0; k < plen; k++) {
		for (v = 0; v <= sizeof(values); v++) {
			uint8_t buf[256], out[256];
			size_t olen;

			memcpy(buf, arg, plen);
			buf[k] = v < sizeof(values) ? values[v] : arg[k] ^ 0x20;
			copy = tl_exact(buf, plen);
			rc = ain_info_analyzed_decode(&t, copy, plen);
			free(copy);
			if (rc == 0) {
				ok++;
				rc = ain_info_analyzed_encode(out, sizeof(out), &olen, &t);
				if (rc)
					printf("octet %d = %02x: decodes, re-encode %s\n", k, buf[k], rc_name(rc));
			} else if (rc == -EINVAL) {
				bad++;
			} else {
				other++;
			}
		}
	}
	printf("mutations: decoded %u, -EINVAL %u, other %u\n", ok, bad, other);
}

static void test_encode_errors(void)
{
	struct ain_trigger t = { 0 };
	struct ain_event e = { 0 };
	struct ain_rrbe r = { 0 };
	struct ain_acg a = { 0 };
	struct ain_continue c = { 0 };
	uint8_t out[256];
	size_t olen;

	printf("== %s\n", __func__);
	printf("trigger without a userID kind: %s\n", rc_name(ain_info_analyzed_encode(out, sizeof(out), &olen, &t)));
	dn(&t.user_id, "201555010");
	printf("DN of nine digits: %s\n", rc_name(ain_info_analyzed_encode(out, sizeof(out), &olen, &t)));
	dn(&t.user_id, "201555010x");
	printf("DN with a letter: %s\n", rc_name(ain_info_analyzed_encode(out, sizeof(out), &olen, &t)));
	dn(&t.user_id, "2015550100");
	printf("fixed: %s", rc_name(ain_info_analyzed_encode(out, sizeof(out), &olen, &t)));
	printf(", %zu octets\n", olen);
	printf("into 13 octets: %s\n", rc_name(ain_info_analyzed_encode(out, 13, &olen, &t)));
	t.bearer_cap = 256;
	printf("bearerCapability 256: %s\n", rc_name(ain_info_analyzed_encode(out, sizeof(out), &olen, &t)));
	t.bearer_cap = AIN_BC_SPEECH;
	t.has_called = true;
	printf("calledPartyID all zero (AINDigits may be empty): %s\n",
	       rc_name(ain_info_analyzed_encode(out, sizeof(out), &olen, &t)));
	num(&t.called, "2015550199", TCAP_NAT_NATIONAL);
	t.called.nature = TCAP_NAT_NETWORK_SPECIFIC;
	printf("calledPartyID network-specific (no AIN code): %s\n",
	       rc_name(ain_info_analyzed_encode(out, sizeof(out), &olen, &t)));
	t.has_called = false;
	t.has_generic_name = true;
	t.generic_name_len = 3;
	printf("genericName in InfoAnalyzed: %s\n", rc_name(ain_info_analyzed_encode(out, sizeof(out), &olen, &t)));
	t.generic_name_len = AIN_MAX_RAW + 1;
	printf("genericName of %d octets: %s\n", AIN_MAX_RAW + 1,
	       rc_name(ain_termination_attempt_encode(out, sizeof(out), &olen, &t)));
	t.has_generic_name = false;
	t.user_id.kind = AIN_UID_TRUNK_GROUP;
	t.user_id.id = 10000;
	printf("trunk group 10000: %s\n", rc_name(ain_info_analyzed_encode(out, sizeof(out), &olen, &t)));
	t.user_id.kind = AIN_UID_BRI;
	t.user_id.spid_len = 2;
	printf("BRI with a 2-octet SPID: %s\n", rc_name(ain_info_analyzed_encode(out, sizeof(out), &olen, &t)));

	dn(&e.user_id, "2015550100");
	e.has_leg_id = true;
	e.leg_id = 3;
	printf("legID 3: %s\n", rc_name(ain_o_disconnect_encode(out, sizeof(out), &olen, &e)));

	r.has_o_no_answer_timer = true;
	r.o_no_answer_timer = 0;
	printf("oNoAnswerTimer 0: %s\n", rc_name(ain_rrbe_encode(out, sizeof(out), &olen, &r)));
	r.o_no_answer_timer = 121;
	printf("oNoAnswerTimer 121: %s\n", rc_name(ain_rrbe_encode(out, sizeof(out), &olen, &r)));
	r.o_no_answer_timer = 120;
	r.has_edp_request = true;
	printf("empty eDPRequest: %s, ", rc_name(ain_rrbe_encode(out, sizeof(out), &olen, &r)));
	tl_hexprint(out, olen);
	printf("\n");

	a.gap_duration = 14;
	a.gta_len = 1;
	printf("gapDuration 14: %s\n", rc_name(ain_acg_encode(out, sizeof(out), &olen, &a)));
	a.gap_duration = 13;
	a.gap_interval = 22;
	a.private_gap_interval = true;
	printf("private gapInterval 22: %s\n", rc_name(ain_acg_encode(out, sizeof(out), &olen, &a)));
	a.gap_interval = 16;
	a.private_gap_interval = false;
	printf("national gapInterval 16: %s\n", rc_name(ain_acg_encode(out, sizeof(out), &olen, &a)));
	a.gap_interval = 15;
	a.gta_len = 0;
	printf("empty globalTitleAddress: %s\n", rc_name(ain_acg_encode(out, sizeof(out), &olen, &a)));

	c.has_amaslp_id = true;
	strcpy(c.amaslp_id, "12345");
	printf("AMAslpID of five digits: %s\n", rc_name(ain_continue_encode(out, sizeof(out), &olen, &c)));
	printf("NULL argument: %s\n", rc_name(ain_continue_encode(out, sizeof(out), &olen, NULL)));
}

static void test_names(void)
{
	static const int ops[] = { 0x6402, 0x6403, 0x6405, 0x640a, 0x640b, 0x6412, 0x641a, 0x6501,
				   0x6502, 0x6503, 0x650d, 0x6601, 0x6901, 0x6906, 0x6d01, 0x6e01,
				   0x6400, 0x0901, -1 };
	unsigned int i;

	printf("== %s\n", __func__);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		printf("%04x %s\n", ops[i] & 0xffff, ain_op_name(ops[i]) ?: "(none)");
	printf("tct 8 %s, 15 %s, 45 %s, 49 %s, 50 %s\n", ain_tct_name(8), ain_tct_name(15),
	       ain_tct_name(45) ?: "(none)", ain_tct_name(49), ain_tct_name(50) ?: "(none)");
	printf("edp 3 %s, 7 %s, 11 %s, 16 %s, 21 %s\n", ain_edp_name(3), ain_edp_name(7), ain_edp_name(11),
	       ain_edp_name(16), ain_edp_name(21) ?: "(none)");
	printf("close cause 0 %s, 5 %s, 6 %s\n", ain_close_cause_name(0), ain_close_cause_name(5),
	       ain_close_cause_name(6) ?: "(none)");
}

int main(void)
{
	ctx = talloc_named_const(NULL, 0, "ain_test");
	test_vectors();
	test_build();
	test_arguments();
	test_argument_robustness();
	test_encode_errors();
	test_names();
	if (talloc_total_blocks(ctx) != 1)
		printf("LEAK at exit\n");
	talloc_free(ctx);
	return 0;
}
