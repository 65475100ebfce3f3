/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* ITU TCAP message codec: conformance vectors decoded field by field, decode ->
 * encode round trips, encode -> decode of every message we build, and the error
 * classification of malformed messages. Output is compared with itu_test.ok. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <tandem/tcap_msg.h>

#include "testlib.h"

static void *ctx;
static int failures;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			printf("FAIL %s:%d: %s\n", __func__, __LINE__, #cond);        \
			failures++;                                                    \
		}                                                                      \
	} while (0)

static void print_tid(const char *name, const struct tcap_tid *t)
{
	printf(" %s=", name);
	tl_hexprint(t->buf, t->len);
}

static void print_oid(const char *name, const struct tcap_oid *o)
{
	char buf[128];

	if (tcap_oid_to_str(buf, sizeof(buf), o))
		snprintf(buf, sizeof(buf), "<bad>");
	printf(" %s=%s", name, buf);
}

static void print_msg(const struct tcap_msg *m)
{
	unsigned int i;

	printf("  %s", tcap_msg_type_name(m->type));
	if (m->has_otid)
		print_tid("otid", &m->otid);
	if (m->has_dtid)
		print_tid("dtid", &m->dtid);
	if (m->has_pabort)
		printf(" p-abort=%d(%s)", m->pabort_cause, tcap_pabort_name(m->variant, m->pabort_cause) ?: "?");
	printf("\n");
	switch (m->dlg.pdu) {
	case TCAP_DLG_NONE:
		break;
	case TCAP_DLG_AARQ:
		printf("  AARQ");
		if (m->dlg.has_version)
			printf(" version=%02x", m->dlg.version);
		print_oid("ac", &m->dlg.ac);
		printf("\n");
		break;
	case TCAP_DLG_AARE:
		printf("  AARE");
		if (m->dlg.has_version)
			printf(" version=%02x", m->dlg.version);
		print_oid("ac", &m->dlg.ac);
		printf(" result=%d diag=%s:%d\n", m->dlg.result, m->dlg.diag_source == TCAP_DIAG_USER ? "user" : "provider",
		       m->dlg.diag);
		break;
	case TCAP_DLG_ABRT:
		printf("  ABRT source=%d\n", m->dlg.abort_source);
		break;
	case TCAP_DLG_ANSI:
		printf("  ANSI dialogue\n");
		break;
	}
	if (m->dlg.user_info) {
		printf("  user-info=");
		tl_hexprint(m->dlg.user_info, m->dlg.user_info_len);
		printf("\n");
	}
	for (i = 0; i < m->num_comp; i++) {
		const struct tcap_component *c = &m->comp[i];

		printf("  [%u] %s%s", i, tcap_comp_kind_name(c->kind),
		       c->kind == TCAP_COMP_RETURN_RESULT && !c->last ? "(not-last)" : "");
		if (c->has_invoke_id)
			printf(" id=%d", c->invoke_id);
		else
			printf(" id=none");
		if (c->has_linked_id)
			printf(" linked=%d", c->linked_id);
		if (c->has_opcode) {
			if (c->op.kind == TCAP_OP_GLOBAL)
				print_oid(c->kind == TCAP_COMP_RETURN_ERROR ? "error" : "op", &c->op.global);
			else
				printf(" %s=%d", c->kind == TCAP_COMP_RETURN_ERROR ? "error" : "op", c->op.code);
		}
		if (c->kind == TCAP_COMP_REJECT)
			printf(" problem=%d:%d", c->problem_type, c->problem);
		if (c->param) {
			printf(" param=");
			tl_hexprint(c->param, c->param_len);
		}
		printf("\n");
	}
}

static const char *err_kind(enum tcap_err_kind k)
{
	switch (k) {
	case TCAP_ERR_NONE:
		return "none";
	case TCAP_ERR_PABORT:
		return "p-abort";
	case TCAP_ERR_REJECT:
		return "reject";
	case TCAP_ERR_DIALOGUE:
		return "dialogue";
	}
	return "?";
}

/* Decode, print, re-encode and compare with the input. */
static void roundtrip(const char *name, const uint8_t *in, size_t len)
{
	struct tcap_decode_err err;
	struct tcap_msg *m;
	uint8_t out[2048];
	size_t out_len = 0;
	uint8_t *exact = tl_exact(in, len);
	int rc;

	printf("%s: %zu bytes\n", name, len);
	rc = tcap_msg_decode(ctx, &m, &err, exact, len);
	CHECK(rc == 0);
	if (rc == 0) {
		print_msg(m);
		rc = tcap_msg_encode(out, sizeof(out), &out_len, m);
		CHECK(rc == 0);
		CHECK(out_len == len && !memcmp(out, in, len));
		printf("  re-encode: %s\n", rc == 0 && out_len == len && !memcmp(out, in, len) ? "identical" : "DIFFERS");
		if (rc == 0 && (out_len != len || memcmp(out, in, len))) {
			printf("  got ");
			tl_hexprint(out, out_len);
			printf("\n");
		}
		/* too small a buffer is told apart from a bad message */
		if (out_len > 1)
			CHECK(tcap_msg_encode(out, out_len - 1, &out_len, m) == -ENOSPC);
	} else {
		printf("  error %s cause=%d: %s\n", err_kind(err.kind), err.cause, err.text);
	}
	tcap_msg_free(m);
	free(exact);
}

static void test_vectors(void)
{
	static const char *const names[] = { "V1", "V8", "V9a", "V9b" };
	uint8_t buf[1024];
	unsigned int i;
	int n;

	printf("== %s\n", __func__);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = tl_vector(buf, sizeof(buf), names[i]);
		CHECK(n > 0);
		if (n > 0)
			roundtrip(names[i], buf, n);
	}
	/* V10's Reject components inside a TC-END (the vector file's note gives the End
	 * length as 0f; its contents are 16 octets, so 10 is used here) */
	n = tl_unhex(buf, sizeof(buf), "6410490400000009 6c08 a406020101810102");
	roundtrip("V10 in End", buf, n);
	n = tl_unhex(buf, sizeof(buf), "640f490400000009 6c07 a4050500800100");
	roundtrip("V10 not-derivable in End", buf, n);
}

/* Build every ITU message tandem sends or receives, encode, decode, compare. */
static struct tcap_msg *new_msg(enum tcap_msg_type t)
{
	struct tcap_msg *m = tcap_msg_alloc(ctx, TCAP_ITU, t);

	if (!m)
		abort();
	return m;
}

static void set_ac(struct tcap_msg *m, enum tcap_dlg_pdu pdu, const char *ac)
{
	m->dlg.pdu = pdu;
	m->dlg.has_ac = true;
	if (tcap_oid_from_str(&m->dlg.ac, ac))
		abort();
}

static struct tcap_component *add_invoke(struct tcap_msg *m, int id, int op, const char *param_hex)
{
	struct tcap_component *c = &m->comp[m->num_comp++];
	uint8_t p[256];
	int n;

	c->kind = TCAP_COMP_INVOKE;
	c->last = true;
	c->has_invoke_id = true;
	c->invoke_id = id;
	c->has_opcode = true;
	c->op.kind = TCAP_OP_LOCAL;
	c->op.code = op;
	if (param_hex) {
		n = tl_unhex(p, sizeof(p), param_hex);
		if (n < 0 || tcap_comp_set_param(m, c, p, n))
			abort();
	}
	return c;
}

static void enc_dec(const char *name, struct tcap_msg *m)
{
	uint8_t out[2048];
	size_t len;
	int rc;

	rc = tcap_msg_encode(out, sizeof(out), &len, m);
	CHECK(rc == 0);
	if (rc) {
		printf("%s: encode failed %d\n", name, rc);
		tcap_msg_free(m);
		return;
	}
	printf("%s: ", name);
	tl_hexprint(out, len);
	printf("\n");
	tcap_msg_free(m);
	roundtrip(name, out, len);
}

static void test_build(void)
{
	struct tcap_msg *m;
	struct tcap_component *c;

	printf("== %s\n", __func__);

	/* Begin + AARQ (CAP v2) + InitialDP with a small argument */
	m = new_msg(TCAP_MT_BEGIN);
	m->has_otid = true;
	m->otid = (struct tcap_tid){ .len = 4, .buf = { 0x11, 0x22, 0x33, 0x44 } };
	set_ac(m, TCAP_DLG_AARQ, "0.4.0.0.1.0.50.1");
	add_invoke(m, 1, 0, "3006800101 9c0102");
	enc_dec("Begin AARQ IDP", m);

	/* Continue + AARE accepted + RRBE + Continue (CAP v3), two components */
	m = new_msg(TCAP_MT_CONTINUE);
	m->has_otid = m->has_dtid = true;
	m->otid = (struct tcap_tid){ .len = 4, .buf = { 0, 0, 0, 7 } };
	m->dtid = (struct tcap_tid){ .len = 4, .buf = { 0x11, 0x22, 0x33, 0x44 } };
	set_ac(m, TCAP_DLG_AARE, "0.4.0.0.1.21.3.4");
	m->dlg.result = 0;
	m->dlg.diag_source = TCAP_DIAG_USER;
	m->dlg.diag = 0;
	add_invoke(m, 2, 23, "301ca01a 300b800107810101a203800102 300b800109810101a203800102");
	add_invoke(m, 3, 31, NULL);
	enc_dec("Continue AARE RRBE Continue", m);

	/* End + AARE + Connect (CAP v4) */
	m = new_msg(TCAP_MT_END);
	m->has_dtid = true;
	m->dtid = (struct tcap_tid){ .len = 1, .buf = { 0x01 } };
	set_ac(m, TCAP_DLG_AARE, "0.4.0.0.1.23.3.4");
	add_invoke(m, 1, 20, "300ca00a04088390214365870900");
	enc_dec("End AARE Connect", m);

	/* End with ReleaseCall only (no dialogue portion) */
	m = new_msg(TCAP_MT_END);
	m->has_dtid = true;
	m->dtid = (struct tcap_tid){ .len = 2, .buf = { 0xab, 0xcd } };
	add_invoke(m, 1, 22, "04028090");
	enc_dec("End ReleaseCall", m);

	/* Abort with AARE reject (application-context-name-not-supported) */
	m = new_msg(TCAP_MT_ABORT);
	m->has_dtid = true;
	m->dtid = (struct tcap_tid){ .len = 4, .buf = { 1, 2, 3, 4 } };
	set_ac(m, TCAP_DLG_AARE, "0.4.0.0.1.22.3.4");
	m->dlg.result = 1;
	m->dlg.diag_source = TCAP_DIAG_USER;
	m->dlg.diag = 2;
	enc_dec("Abort AARE reject", m);

	/* P-Abort unrecognizedTransactionID */
	m = new_msg(TCAP_MT_ABORT);
	m->has_dtid = true;
	m->dtid = (struct tcap_tid){ .len = 4, .buf = { 9, 9, 9, 9 } };
	m->has_pabort = true;
	m->pabort_cause = TCAP_PA_UNRECOGNIZED_TID;
	enc_dec("P-Abort", m);

	/* Abort with ABRT (user) and user information */
	m = new_msg(TCAP_MT_ABORT);
	m->has_dtid = true;
	m->dtid = (struct tcap_tid){ .len = 4, .buf = { 9, 9, 9, 8 } };
	m->dlg.pdu = TCAP_DLG_ABRT;
	m->dlg.abort_source = 0;
	{
		uint8_t ui[64];
		int n = tl_unhex(ui, sizeof(ui), "2810060704000001010101a005a3030a0100");

		if (n < 0 || tcap_dlg_set_user_info(m, ui, n))
			abort();
	}
	enc_dec("U-Abort ABRT", m);

	/* End with Reject: invoke problem, and not derivable general problem */
	m = new_msg(TCAP_MT_END);
	m->has_dtid = true;
	m->dtid = (struct tcap_tid){ .len = 4, .buf = { 0, 0, 0, 1 } };
	c = &m->comp[m->num_comp++];
	c->kind = TCAP_COMP_REJECT;
	c->has_invoke_id = true;
	c->invoke_id = 5;
	c->problem_type = TCAP_PROB_INVOKE;
	c->problem = TCAP_IP_UNRECOGNIZED_OPERATION;
	c = &m->comp[m->num_comp++];
	c->kind = TCAP_COMP_REJECT;
	c->problem_type = TCAP_PROB_GENERAL;
	c->problem = TCAP_GP_BADLY_STRUCTURED_COMPONENT;
	enc_dec("End Reject", m);

	/* Continue with ReturnResultLast, ReturnResultNotLast, ReturnError, linked invoke, global opcode */
	m = new_msg(TCAP_MT_CONTINUE);
	m->has_otid = m->has_dtid = true;
	m->otid = (struct tcap_tid){ .len = 3, .buf = { 1, 2, 3 } };
	m->dtid = (struct tcap_tid){ .len = 4, .buf = { 4, 5, 6, 7 } };
	c = &m->comp[m->num_comp++];
	c->kind = TCAP_COMP_RETURN_RESULT;
	c->last = true;
	c->has_invoke_id = true;
	c->invoke_id = -3;
	c = &m->comp[m->num_comp++];
	c->kind = TCAP_COMP_RETURN_RESULT;
	c->last = false;
	c->has_invoke_id = true;
	c->invoke_id = 4;
	c->has_opcode = true;
	c->op.kind = TCAP_OP_LOCAL;
	c->op.code = 55;
	if (tcap_comp_set_param(m, c, (const uint8_t *)"\x05\x00", 2))
		abort();
	c = &m->comp[m->num_comp++];
	c->kind = TCAP_COMP_RETURN_ERROR;
	c->has_invoke_id = true;
	c->invoke_id = 6;
	c->has_opcode = true;
	c->op.kind = TCAP_OP_LOCAL;
	c->op.code = 12;
	c = add_invoke(m, 7, 24, "300380010f");
	c->has_linked_id = true;
	c->linked_id = 2;
	c = add_invoke(m, 8, 0, NULL);
	c->op.kind = TCAP_OP_GLOBAL;
	if (tcap_oid_from_str(&c->op.global, "1.2.826.0.1249.58"))
		abort();
	enc_dec("Continue results", m);

	/* Unidirectional with AUDT-shaped AARQ */
	m = new_msg(TCAP_MT_UNIDIRECTIONAL);
	set_ac(m, TCAP_DLG_AARQ, "0.4.0.0.1.0.50.1");
	add_invoke(m, 1, 55, NULL);
	enc_dec("Unidirectional", m);

	/* inconsistent structs are refused, not encoded */
	m = new_msg(TCAP_MT_BEGIN);
	{
		uint8_t out[64];
		size_t len;

		CHECK(tcap_msg_encode(out, sizeof(out), &len, m) == -EINVAL);
		m->has_otid = true;
		m->otid.len = 5;
		CHECK(tcap_msg_encode(out, sizeof(out), &len, m) == -EINVAL);
	}
	tcap_msg_free(m);
}

static void expect_error(const char *name, const char *hex)
{
	struct tcap_decode_err err;
	struct tcap_msg *m;
	uint8_t buf[512];
	uint8_t *exact;
	int n = tl_unhex(buf, sizeof(buf), hex), rc;

	if (n < 0)
		abort();
	exact = tl_exact(buf, n);
	rc = tcap_msg_decode(ctx, &m, &err, exact, n);
	printf("%s: rc=%d kind=%s", name, rc, err_kind(err.kind));
	if (err.kind == TCAP_ERR_PABORT)
		printf(" cause=%d(%s)", err.cause, tcap_pabort_name(TCAP_ITU, err.cause) ?: "?");
	if (err.kind == TCAP_ERR_REJECT) {
		printf(" comp=%d problem=%d:%d", err.comp_index, err.problem_type, err.problem);
		if (err.has_invoke_id)
			printf(" id=%d", err.invoke_id);
	}
	printf(" (%s)\n", err.text);
	CHECK(rc == -EBADMSG);
	if (m && (m->has_otid || m->num_comp))
		print_msg(m);
	tcap_msg_free(m);
	free(exact);
}

static void test_errors(void)
{
	printf("== %s\n", __func__);
	expect_error("empty", "");
	expect_error("unknown type", "6303480101");
	expect_error("length past end", "6210480401020304");
	expect_error("trailing octets", "620348010100");
	expect_error("begin without otid", "62036c01a1");
	expect_error("otid too long", "620748050102030405");
	expect_error("continue without dtid", "6503480101");
	expect_error("end with otid", "6403480101");
	expect_error("bad element length", "62074804010203046c");
	expect_error("unexpected element", "62064801014a0100");
	expect_error("abort with components", "67084904010203046c00");
	expect_error("bad dialogue portion", "620b480101 6b06 2804 06020000");
	expect_error("wrong dialogue-as-id",
		     "6226480408a500016b1e281c060700118605010201a011600f80020780a109060704000101010300");
	expect_error("empty component portion", "62054801016c00");
	expect_error("unknown component type", "62084801016c03a50100");
	expect_error("mistyped invoke", "620a4801016c05a103020101");
	expect_error("invoke id out of range", "620e4801016c09a10702020080020100");
	expect_error("second component bad", "62104801016c0ba10602010102011fa50100");
	expect_error("badly structured component", "62074801016c02a105");
}

/* X.690 8.1.3.6: indefinite lengths at every level decode like definite ones */
static void test_indefinite(void)
{
	struct tcap_decode_err err;
	struct tcap_msg *m;
	uint8_t buf[128];
	uint8_t *exact;
	int n;

	printf("== %s\n", __func__);
	n = tl_unhex(buf, sizeof(buf), "6480 490400000009 6c80 a180 020101 02011f 0000 a1060201020201 1f 0000 0000");
	exact = tl_exact(buf, n);
	CHECK(tcap_msg_decode(ctx, &m, &err, exact, n) == 0);
	if (m)
		print_msg(m);
	tcap_msg_free(m);
	free(exact);
}

static void test_truncation(void)
{
	uint8_t buf[1024];
	struct tcap_decode_err err;
	struct tcap_msg *m;
	int n, i, ok = 0, bad = 0;
	size_t before = talloc_total_blocks(ctx);

	printf("== %s\n", __func__);
	n = tl_vector(buf, sizeof(buf), "V1");
	CHECK(n > 0);
	/* every proper prefix and a flip of every byte: no crash, no leak */
	for (i = 0; i < n; i++) {
		uint8_t *exact = tl_exact(buf, i);

		if (tcap_msg_decode(ctx, &m, &err, exact, i) == 0)
			ok++;
		else
			bad++;
		tcap_msg_free(m);
		free(exact);
	}
	for (i = 0; i < n; i++) {
		uint8_t *exact = tl_exact(buf, n);

		exact[i] ^= 0xff;
		if (tcap_msg_decode(ctx, &m, &err, exact, n) == 0)
			ok++;
		else
			bad++;
		tcap_msg_free(m);
		free(exact);
	}
	printf("prefixes and flips of V1: %d decoded, %d refused\n", ok, bad);
	CHECK(talloc_total_blocks(ctx) == before);
}

static void test_oid(void)
{
	struct tcap_oid o;
	char buf[64];

	printf("== %s\n", __func__);
	CHECK(tcap_oid_from_str(&o, "0.4.0.0.1.23.3.4") == 0);
	tl_hexprint(o.buf, o.len);
	CHECK(tcap_oid_to_str(buf, sizeof(buf), &o) == 0);
	printf(" %s\n", buf);
	CHECK(tcap_oid_from_str(&o, "2.999.1") == 0);
	tl_hexprint(o.buf, o.len);
	CHECK(tcap_oid_to_str(buf, sizeof(buf), &o) == 0);
	printf(" %s\n", buf);
	CHECK(tcap_oid_from_str(&o, "3.1") == -EINVAL);
	CHECK(tcap_oid_from_str(&o, "1") == -EINVAL);
	CHECK(tcap_oid_from_str(&o, "1.2.") == -EINVAL);
	CHECK(tcap_oid_from_str(&o, "1.40") == -EINVAL);
	CHECK(tcap_oid_from_str(&o, "a.b") == -EINVAL);
	o.len = 2;
	o.buf[0] = 0x2a;
	o.buf[1] = 0x86;
	CHECK(tcap_oid_to_str(buf, sizeof(buf), &o) == -EINVAL);
	CHECK(tcap_oid_from_str(&o, "0.4.0.0.1.23.3.4") == 0);
	CHECK(tcap_oid_to_str(buf, 8, &o) == -ENOSPC);
}

int main(void)
{
	ctx = talloc_named_const(NULL, 0, "itu_test");
	test_vectors();
	test_build();
	test_errors();
	test_indefinite();
	test_truncation();
	test_oid();
	printf("talloc blocks left: %zu\n", talloc_total_blocks(ctx) - 1);
	CHECK(talloc_total_blocks(ctx) == 1);
	talloc_free(ctx);
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
