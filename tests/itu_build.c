/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Builds, with our encoders only (libtandem-tcap's TCAP and CAP/INAP codecs),
 * every kind of ITU TCAP message tandem puts on the wire, and prints each as
 * "NAME: HEX". tests/itu.at hands the hex to tshark, the independent referee. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <tandem/cap.h>
#include <tandem/tcap_msg.h>

static void *ctx;

static void die(const char *what, int rc)
{
	fprintf(stderr, "itu_build: %s failed: %d\n", what, rc);
	exit(1);
}

static struct tcap_msg *msg(enum tcap_msg_type t, uint32_t otid, uint32_t dtid)
{
	struct tcap_msg *m = tcap_msg_alloc(ctx, TCAP_ITU, t);

	if (!m)
		die("alloc", -ENOMEM);
	if (t == TCAP_MT_BEGIN || t == TCAP_MT_CONTINUE) {
		m->has_otid = true;
		m->otid.len = 4;
		m->otid.buf[0] = otid >> 24;
		m->otid.buf[1] = otid >> 16;
		m->otid.buf[2] = otid >> 8;
		m->otid.buf[3] = otid;
	}
	if (t != TCAP_MT_BEGIN && t != TCAP_MT_UNIDIRECTIONAL) {
		m->has_dtid = true;
		m->dtid.len = 4;
		m->dtid.buf[0] = dtid >> 24;
		m->dtid.buf[1] = dtid >> 16;
		m->dtid.buf[2] = dtid >> 8;
		m->dtid.buf[3] = dtid;
	}
	return m;
}

static void dialogue(struct tcap_msg *m, enum tcap_dlg_pdu pdu, const char *ac)
{
	m->dlg.pdu = pdu;
	m->dlg.has_ac = true;
	if (tcap_oid_from_str(&m->dlg.ac, ac))
		die("oid", -EINVAL);
	m->dlg.diag_source = TCAP_DIAG_USER;
}

static void invoke(struct tcap_msg *m, int id, int op, const uint8_t *param, size_t len)
{
	struct tcap_component *c = &m->comp[m->num_comp++];

	c->kind = TCAP_COMP_INVOKE;
	c->last = true;
	c->has_invoke_id = true;
	c->invoke_id = id;
	c->has_opcode = true;
	c->op.kind = TCAP_OP_LOCAL;
	c->op.code = op;
	if (len && tcap_comp_set_param(m, c, param, len))
		die("param", -ENOMEM);
}

static void emit(const char *name, struct tcap_msg *m)
{
	uint8_t out[1024];
	size_t len, i;
	int rc = tcap_msg_encode(out, sizeof(out), &len, m);

	if (rc)
		die(name, rc);
	printf("%s: ", name);
	for (i = 0; i < len; i++)
		printf("%02x", out[i]);
	printf("\n");
	tcap_msg_free(m);
}

static void number(struct tcap_number *n, const char *digits, enum tcap_num_nature nat)
{
	if (tcap_num_from_string(n, digits, nat))
		die("number", -EINVAL);
}

/* The SSF side: TC-BEGIN with AARQ and InitialDP (originating or terminating). */
static void build_idp(const char *name, enum cap_protocol p, const char *ac, bool term, bool withheld)
{
	struct tcap_msg *m = msg(TCAP_MT_BEGIN, 0x10000001, 0);
	struct cap_idp idp = { .service_key = 100 };
	uint8_t buf[512];
	size_t len;
	int rc;

	idp.has_event_type = true;
	idp.event_type = term ? CAP_EVT_TERM_ATTEMPT_AUTHORIZED : CAP_EVT_COLLECTED_INFO;
	idp.has_called = true;
	number(&idp.called, "2015550199", TCAP_NAT_NATIONAL);
	idp.has_calling = true;
	number(&idp.calling, "+12015550100", TCAP_NAT_INTERNATIONAL);
	idp.calling.pres = withheld ? TCAP_PRES_RESTRICTED : TCAP_PRES_ALLOWED;
	idp.calling.screen = TCAP_SCREEN_NETWORK;
	idp.has_calling_category = true;
	idp.calling_category = 10;
	if (p != CAP_PROTO_INAP) {
		idp.has_called_bcd = !term;
		number(&idp.called_bcd, "+12015550199", TCAP_NAT_INTERNATIONAL);
		idp.has_imsi = true;
		strcpy(idp.imsi, "001010123456789");
		idp.has_call_ref = true;
		idp.call_ref_len = 4;
		memcpy(idp.call_ref, "\x01\x02\x03\x04", 4);
		idp.has_msc_address = true;
		number(&idp.msc_address, "+12015550000", TCAP_NAT_INTERNATIONAL);
	}
	rc = cap_idp_encode(buf, sizeof(buf), &len, p, &idp);
	if (rc)
		die("idp", rc);
	dialogue(m, TCAP_DLG_AARQ, ac);
	invoke(m, 1, CAP_OP_INITIAL_DP, buf, len);
	emit(name, m);
}

/* The SCF side answers. */
static void build_answers(const char *tag, enum cap_protocol p, const char *ac)
{
	char name[64];
	struct tcap_msg *m;
	uint8_t buf[512];
	size_t len;
	int rc;

	/* monitoring: TC-CONTINUE with AARE, RequestReportBCSMEvent and Continue */
	{
		struct cap_rrbe rrbe = { .num_events = 2 };

		rrbe.events[0] = (struct cap_bcsm_event){ .event_type = CAP_EVT_O_ANSWER,
							  .monitor_mode = CAP_MON_NOTIFY_AND_CONTINUE,
							  .leg = { CAP_LEG_SENDING, 2 } };
		rrbe.events[1] = (struct cap_bcsm_event){ .event_type = CAP_EVT_O_DISCONNECT,
							  .monitor_mode = CAP_MON_NOTIFY_AND_CONTINUE,
							  .leg = { CAP_LEG_SENDING, 2 } };
		rc = cap_rrbe_encode(buf, sizeof(buf), &len, p, &rrbe);
		if (rc)
			die("rrbe", rc);
		m = msg(TCAP_MT_CONTINUE, 0x20000002, 0x10000001);
		dialogue(m, TCAP_DLG_AARE, ac);
		invoke(m, 1, CAP_OP_REQUEST_REPORT_BCSM, buf, len);
		invoke(m, 2, CAP_OP_CONTINUE, NULL, 0);
		snprintf(name, sizeof(name), "%s Continue AARE RRBE Continue", tag);
		emit(name, m);
	}
	/* the SSF's reports */
	{
		struct cap_erb erb = { .event_type = CAP_EVT_O_ANSWER, .leg = { CAP_LEG_RECEIVING, 2 },
				       .has_misc_call_info = true, .message_type = 1 };

		rc = cap_erb_encode(buf, sizeof(buf), &len, p, &erb);
		if (rc)
			die("erb", rc);
		m = msg(TCAP_MT_CONTINUE, 0x10000001, 0x20000002);
		invoke(m, 2, CAP_OP_EVENT_REPORT_BCSM, buf, len);
		snprintf(name, sizeof(name), "%s Continue ERB oAnswer", tag);
		emit(name, m);
	}
	/* no monitoring: TC-END with AARE and Continue */
	m = msg(TCAP_MT_END, 0, 0x10000001);
	dialogue(m, TCAP_DLG_AARE, ac);
	invoke(m, 1, CAP_OP_CONTINUE, NULL, 0);
	snprintf(name, sizeof(name), "%s End AARE Continue", tag);
	emit(name, m);
	/* Connect */
	{
		struct cap_connect con = { .num_dra = 1 };

		number(&con.dra[0], "2015550123", TCAP_NAT_NATIONAL);
		rc = cap_connect_encode(buf, sizeof(buf), &len, p, &con);
		if (rc)
			die("connect", rc);
		m = msg(TCAP_MT_END, 0, 0x10000001);
		dialogue(m, TCAP_DLG_AARE, ac);
		invoke(m, 1, CAP_OP_CONNECT, buf, len);
		snprintf(name, sizeof(name), "%s End AARE Connect", tag);
		emit(name, m);
	}
	/* ReleaseCall, normal clearing */
	{
		struct cap_release rel = { .cause = { 0x80, 0x90 }, .cause_len = 2 };

		rc = cap_release_encode(buf, sizeof(buf), &len, p, &rel);
		if (rc)
			die("release", rc);
		m = msg(TCAP_MT_END, 0, 0x10000001);
		dialogue(m, TCAP_DLG_AARE, ac);
		invoke(m, 1, CAP_OP_RELEASE_CALL, buf, len);
		snprintf(name, sizeof(name), "%s End AARE ReleaseCall", tag);
		emit(name, m);
	}
}

static void build_faults(void)
{
	struct tcap_msg *m;
	struct tcap_component *c;

	/* refused application context: Abort with AARE reject-permanent */
	m = msg(TCAP_MT_ABORT, 0, 0x10000001);
	dialogue(m, TCAP_DLG_AARE, "0.4.0.0.1.22.3.4");
	m->dlg.result = 1;
	m->dlg.diag = 2;
	emit("Abort AARE ac-not-supported", m);

	/* P-Abort unrecognizedTransactionID */
	m = msg(TCAP_MT_ABORT, 0, 0x10000009);
	m->has_pabort = true;
	m->pabort_cause = TCAP_PA_UNRECOGNIZED_TID;
	emit("P-Abort unrecognizedTransactionID", m);

	/* P-Abort badlyFormattedTransactionPortion */
	m = msg(TCAP_MT_ABORT, 0, 0x10000009);
	m->has_pabort = true;
	m->pabort_cause = TCAP_PA_BADLY_FORMATTED_TX_PORTION;
	emit("P-Abort badlyFormattedTransactionPortion", m);

	/* Reject unrecognizedOperation and mistypedParameter, in an End */
	m = msg(TCAP_MT_END, 0, 0x10000001);
	c = &m->comp[m->num_comp++];
	c->kind = TCAP_COMP_REJECT;
	c->has_invoke_id = true;
	c->invoke_id = 1;
	c->problem_type = TCAP_PROB_INVOKE;
	c->problem = TCAP_IP_UNRECOGNIZED_OPERATION;
	emit("End Reject unrecognizedOperation", m);

	m = msg(TCAP_MT_END, 0, 0x10000001);
	c = &m->comp[m->num_comp++];
	c->kind = TCAP_COMP_REJECT;
	c->has_invoke_id = true;
	c->invoke_id = 1;
	c->problem_type = TCAP_PROB_INVOKE;
	c->problem = TCAP_IP_MISTYPED_PARAMETER;
	emit("End Reject mistypedParameter", m);

	/* User abort (ABRT) */
	m = msg(TCAP_MT_ABORT, 0, 0x10000001);
	m->dlg.pdu = TCAP_DLG_ABRT;
	emit("Abort ABRT user", m);
}

int main(void)
{
	static const struct {
		const char *tag;
		enum cap_protocol p;
		const char *ac;
	} protos[] = {
		{ "cap2", CAP_PROTO_CAP2, CAP_AC_V2 },
		{ "cap3", CAP_PROTO_CAP3, CAP_AC_V3 },
		{ "cap4", CAP_PROTO_CAP4, CAP_AC_V4 },
		{ "inap", CAP_PROTO_INAP, INAP_AC_CS1_SSP_TO_SCP },
	};
	unsigned int i;
	char name[64];

	ctx = talloc_named_const(NULL, 0, "itu_build");
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		snprintf(name, sizeof(name), "%s Begin AARQ IDP orig", protos[i].tag);
		build_idp(name, protos[i].p, protos[i].ac, false, false);
		snprintf(name, sizeof(name), "%s Begin AARQ IDP term withheld", protos[i].tag);
		build_idp(name, protos[i].p, protos[i].ac, true, true);
		build_answers(protos[i].tag, protos[i].p, protos[i].ac);
	}
	build_faults();
	if (talloc_total_blocks(ctx) != 1)
		die("talloc leak check", -1);
	talloc_free(ctx);
	return 0;
}
