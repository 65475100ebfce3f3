/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* ANSI TCAP (T1.114) message codec tests: the shared AIN vectors, every package
 * type and component kind built and read back, and malformed input classified
 * as the P-Abort cause or Reject problem T1.114 prescribes, without leaks. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <tandem/tcap_msg.h>

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

static void print_tid(const char *name, const struct tcap_tid *t)
{
	printf(" %s=", name);
	tl_hexprint(t->buf, t->len);
}

static void print_code(const struct tcap_opcode *op, int width)
{
	printf("%s:%0*x", op->kind == TCAP_OP_NATIONAL ? "national" : op->kind == TCAP_OP_PRIVATE ? "private" : "?",
	       width, op->code);
}

static void print_msg(const struct tcap_msg *m)
{
	const struct tcap_dialogue *d = &m->dlg;
	unsigned int i;

	printf("  %s", tcap_msg_type_name(m->type));
	print_tid("tid", &m->tid);
	if (m->has_otid)
		print_tid("otid", &m->otid);
	if (m->has_dtid)
		print_tid("dtid", &m->dtid);
	if (m->has_pabort)
		printf(" p-abort=%d(%s)", m->pabort_cause, tcap_pabort_name(TCAP_ANSI, m->pabort_cause) ?: "?");
	if (m->has_uabort) {
		printf(" u-abort=");
		tl_hexprint(m->uabort_info, m->uabort_info_len);
	}
	printf("\n");
	if (d->pdu == TCAP_DLG_ANSI) {
		printf("  dialogue");
		if (d->has_version)
			printf(" version=%02x", d->version);
		if (d->has_ac_int)
			printf(" ac=int:%d", d->ac_int);
		if (d->has_ac) {
			char oid[128];

			printf(" ac=oid:%s", tcap_oid_to_str(oid, sizeof(oid), &d->ac) ? "?" : oid);
		}
		if (d->user_info) {
			printf(" user-info=");
			tl_hexprint(d->user_info, d->user_info_len);
		}
		printf("\n");
	} else if (d->pdu != TCAP_DLG_NONE) {
		printf("  dialogue pdu=%d (not ANSI)\n", d->pdu);
	}
	for (i = 0; i < m->num_comp; i++) {
		const struct tcap_component *c = &m->comp[i];

		const char *last = "";

		if (c->kind == TCAP_COMP_INVOKE || c->kind == TCAP_COMP_RETURN_RESULT)
			last = c->last ? "_last" : "_not_last";
		printf("  [%u] %s%s", i, tcap_comp_kind_name(c->kind), last);
		if (c->has_invoke_id)
			printf(" id=%d", c->invoke_id);
		else
			printf(" id=none");
		if (c->has_linked_id)
			printf(" corr=%d", c->linked_id);
		if (c->has_opcode) {
			printf(c->kind == TCAP_COMP_RETURN_ERROR ? " err=" : " op=");
			print_code(&c->op, c->kind == TCAP_COMP_RETURN_ERROR ? 2 : 4);
		}
		if (c->kind == TCAP_COMP_REJECT)
			printf(" problem=%04x", c->problem);
		if (c->param) {
			printf(" param=");
			tl_hexprint(c->param, c->param_len);
		}
		printf("\n");
	}
}

static void print_err(const struct tcap_decode_err *err)
{
	switch (err->kind) {
	case TCAP_ERR_PABORT:
	case TCAP_ERR_DIALOGUE:
		printf("  err: %s cause=%d(%s)", err->kind == TCAP_ERR_PABORT ? "p-abort" : "dialogue", err->cause,
		       tcap_pabort_name(TCAP_ANSI, err->cause) ?: "?");
		break;
	case TCAP_ERR_REJECT:
		printf("  err: reject comp=%d problem=%04x", err->comp_index, err->problem);
		if (err->has_invoke_id)
			printf(" id=%d", err->invoke_id);
		break;
	default:
		printf("  err: kind=%d", err->kind);
		break;
	}
	printf(" \"%s\"\n", err->text);
}

/* Decode a copy of buf in exactly sized memory; the caller frees the message.
 * Checks that freeing it leaves nothing behind. */
static int decode(struct tcap_msg **out, struct tcap_decode_err *err, const uint8_t *buf, size_t len)
{
	uint8_t *copy = tl_exact(buf, len);
	int rc;

	*out = tcap_msg_alloc(ctx, TCAP_ANSI, TCAP_MT_UNIDIRECTIONAL);
	if (!*out)
		abort();
	rc = tcap_ansi_decode(*out, err, copy, len);
	free(copy);
	return rc;
}

static void release(struct tcap_msg *m)
{
	tcap_msg_free(m);
	if (talloc_total_blocks(ctx) != 1)
		printf("  LEAK: %zu talloc blocks left\n", talloc_total_blocks(ctx));
}

/* Decode, print, re-encode and compare. */
static void check(const char *name, const uint8_t *buf, size_t len)
{
	struct tcap_decode_err err;
	struct tcap_msg *m;
	uint8_t out[1024];
	size_t olen = 0;
	int rc;

	printf("%s: %zu bytes\n", name, len);
	rc = decode(&m, &err, buf, len);
	if (rc) {
		printf("  decode: %s\n", rc_name(rc));
		print_err(&err);
		release(m);
		return;
	}
	print_msg(m);
	rc = tcap_ansi_encode(out, sizeof(out), &olen, m);
	if (rc)
		printf("  re-encode: %s\n", rc_name(rc));
	else if (olen == len && !memcmp(out, buf, len))
		printf("  re-encode: identical\n");
	else {
		printf("  re-encode: differs: ");
		tl_hexprint(out, olen);
		printf("\n");
	}
	release(m);
}

static void test_vectors(void)
{
	static const char *const names[] = { "A1", "A2", "A3" };
	uint8_t buf[512];
	unsigned int i;

	printf("== %s\n", __func__);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n = tl_vector(buf, sizeof(buf), names[i]);

		if (n < 0) {
			printf("%s: missing\n", names[i]);
			continue;
		}
		check(names[i], buf, n);
	}
}

/* Message building helpers */

static struct tcap_msg *new_msg(enum tcap_msg_type type)
{
	struct tcap_msg *m = tcap_msg_alloc(ctx, TCAP_ANSI, type);

	if (!m)
		abort();
	return m;
}

static void set_tid(struct tcap_tid *t, uint32_t v)
{
	t->len = 4;
	t->buf[0] = v >> 24;
	t->buf[1] = v >> 16;
	t->buf[2] = v >> 8;
	t->buf[3] = v;
}

static struct tcap_component *add_comp(struct tcap_msg *m, enum tcap_comp_kind kind, bool last, int id)
{
	struct tcap_component *c = &m->comp[m->num_comp++];

	c->kind = kind;
	c->last = last;
	if (id >= 0) {
		c->has_invoke_id = true;
		c->invoke_id = id;
	}
	return c;
}

static void set_op(struct tcap_component *c, enum tcap_op_kind kind, int32_t code)
{
	c->has_opcode = true;
	c->op.kind = kind;
	c->op.code = code;
}

static void set_param_hex(struct tcap_msg *m, struct tcap_component *c, const char *hex)
{
	uint8_t buf[256];
	int n = tl_unhex(buf, sizeof(buf), hex);

	if (n < 0 || tcap_comp_set_param(m, c, buf, n))
		abort();
}

/* Encode, print the octets, then decode and compare the re-encoding. */
static void build(const char *name, struct tcap_msg *m)
{
	uint8_t out[1024];
	size_t olen;
	int rc;

	rc = tcap_ansi_encode(out, sizeof(out), &olen, m);
	release(m);
	if (rc) {
		printf("%s: encode %s\n", name, rc_name(rc));
		return;
	}
	printf("%s: ", name);
	tl_hexprint(out, olen);
	printf("\n");
	check(name, out, olen);
}

/* A1's InfoAnalyzed argument and A3's AnalyzeRoute argument (opaque at this layer). */
#define INFO_ANALYZED_ARG \
	"f233bf3507810502515510008d01008f07031002515510999f2304800022049f340108930703100251551000920703130251551000"
#define ANALYZE_ROUTE_ARG "f2108f07031002515510328a050000000010"

static void test_build(void)
{
	struct tcap_msg *m;
	struct tcap_component *c;
	static const uint8_t ext[] = { 0x28, 0x07, 0x06, 0x02, 0x2a, 0x03, 0x81, 0x01, 0x01 };

	printf("== %s\n", __func__);

	m = new_msg(TCAP_MT_QUERY_WITH_PERM);
	m->has_otid = true;
	set_tid(&m->otid, 0x01020304);
	c = add_comp(m, TCAP_COMP_INVOKE, true, 1);
	set_op(c, TCAP_OP_PRIVATE, 0x6403);
	set_param_hex(m, c, INFO_ANALYZED_ARG);
	build("QueryWithPerm InvokeLast", m);

	m = new_msg(TCAP_MT_QUERY_WITH_PERM);
	m->has_otid = true;
	set_tid(&m->otid, 0xa0b0c0d0);
	m->dlg.pdu = TCAP_DLG_ANSI;
	m->dlg.has_version = true;
	m->dlg.version = 0x03;
	m->dlg.has_ac_int = true;
	m->dlg.ac_int = 300;
	if (tcap_dlg_set_user_info(m, ext, sizeof(ext)))
		abort();
	c = add_comp(m, TCAP_COMP_INVOKE, true, 7);
	set_op(c, TCAP_OP_PRIVATE, 0x6405);
	set_param_hex(m, c, "f200");
	build("QueryWithPerm dialogue (integer AC, user info)", m);

	m = new_msg(TCAP_MT_QUERY_WITHOUT_PERM);
	m->has_otid = true;
	set_tid(&m->otid, 0xffffffff);
	m->dlg.pdu = TCAP_DLG_ANSI;
	if (tcap_oid_from_str(&m->dlg.ac, "1.2.840.10013.3.1"))
		abort();
	m->dlg.has_ac = true;
	build("QueryWithoutPerm dialogue only (OID AC)", m);

	m = new_msg(TCAP_MT_RESPONSE);
	m->has_dtid = true;
	set_tid(&m->dtid, 0x01020304);
	c = add_comp(m, TCAP_COMP_INVOKE, true, 1);
	set_op(c, TCAP_OP_PRIVATE, 0x6501);
	set_param_hex(m, c, ANALYZE_ROUTE_ARG);
	build("Response InvokeLast", m);

	m = new_msg(TCAP_MT_RESPONSE);
	m->has_dtid = true;
	set_tid(&m->dtid, 0x00000001);
	c = add_comp(m, TCAP_COMP_RETURN_RESULT, false, 4);
	set_param_hex(m, c, "f2049f340108");
	c = add_comp(m, TCAP_COMP_RETURN_RESULT, true, 5);
	build("Response ReturnResultNotLast + ReturnResultLast", m);

	m = new_msg(TCAP_MT_CONV_WITH_PERM);
	m->has_otid = m->has_dtid = true;
	set_tid(&m->otid, 0x11223344);
	set_tid(&m->dtid, 0x01020304);
	c = add_comp(m, TCAP_COMP_INVOKE, false, 1);
	set_op(c, TCAP_OP_PRIVATE, 0x6d01);
	set_param_hex(m, c, "f20a9f5c0204109f5d020001");
	c = add_comp(m, TCAP_COMP_INVOKE, true, 2);
	c->has_linked_id = true;
	c->linked_id = 1;
	set_op(c, TCAP_OP_PRIVATE, 0x650d);
	set_param_hex(m, c, "f200");
	build("ConversationWithPerm InvokeNotLast + InvokeLast with correlation id", m);

	m = new_msg(TCAP_MT_CONV_WITHOUT_PERM);
	m->has_otid = m->has_dtid = true;
	set_tid(&m->otid, 0x01020304);
	set_tid(&m->dtid, 0x11223344);
	c = add_comp(m, TCAP_COMP_RETURN_ERROR, true, 3);
	set_op(c, TCAP_OP_PRIVATE, 0x01);
	set_param_hex(m, c, "f207bf37049f380103");
	c = add_comp(m, TCAP_COMP_RETURN_ERROR, true, 4);
	set_op(c, TCAP_OP_NATIONAL, 0x05);
	build("ConversationWithoutPerm ReturnError private + national", m);

	m = new_msg(TCAP_MT_RESPONSE);
	m->has_dtid = true;
	set_tid(&m->dtid, 0x01020304);
	c = add_comp(m, TCAP_COMP_REJECT, true, 1);
	c->problem = TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE;
	c = add_comp(m, TCAP_COMP_REJECT, true, -1);
	c->problem = TCAP_ANSI_PROB_GENERAL_UNRECOGNIZED_COMPONENT;
	set_param_hex(m, c, "f200");
	build("Response Reject with id + Reject without id", m);

	m = new_msg(TCAP_MT_ABORT);
	m->has_dtid = true;
	set_tid(&m->dtid, 0x01020304);
	m->has_pabort = true;
	m->pabort_cause = TCAP_APA_INCORRECT_TX_PORTION;
	build("Abort P-Abort cause", m);

	m = new_msg(TCAP_MT_ABORT);
	m->has_dtid = true;
	set_tid(&m->dtid, 0x01020304);
	if (tcap_msg_set_uabort_info(m, ext, sizeof(ext)))
		abort();
	build("Abort user abort information", m);

	m = new_msg(TCAP_MT_ABORT);
	m->tid.len = 4;
	memcpy(m->tid.buf, "\x0a\x0b\x0c\x0d", 4);
	build("Abort without cause, id from tid", m);

	m = new_msg(TCAP_MT_UNIDIRECTIONAL);
	c = add_comp(m, TCAP_COMP_INVOKE, true, -1);
	set_op(c, TCAP_OP_NATIONAL, 0x8301);
	build("Unidirectional national opcode with reply-required bit", m);
}

static void test_encode_errors(void)
{
	struct tcap_msg *m;
	struct tcap_component *c;
	uint8_t out[256];
	size_t olen;

	printf("== %s\n", __func__);

	m = new_msg(TCAP_MT_QUERY_WITH_PERM);
	m->has_otid = true;
	m->otid.len = 3;
	printf("query with a 3-octet otid: %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	release(m);

	m = new_msg(TCAP_MT_CONV_WITH_PERM);
	m->has_otid = true;
	set_tid(&m->otid, 1);
	printf("conversation without dtid: %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	release(m);

	m = new_msg(TCAP_MT_UNIDIRECTIONAL);
	printf("unidirectional without components: %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	release(m);

	m = new_msg(TCAP_MT_ABORT);
	m->has_dtid = true;
	set_tid(&m->dtid, 1);
	m->has_pabort = true;
	m->pabort_cause = 1;
	if (tcap_msg_set_uabort_info(m, NULL, 0))
		abort();
	printf("abort with P-Abort cause and user information: %s\n",
	       rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	release(m);

	m = new_msg(TCAP_MT_ABORT);
	m->has_dtid = true;
	set_tid(&m->dtid, 1);
	if (tcap_msg_set_uabort_info(m, NULL, 0))
		abort();
	printf("abort with empty user information (accepted on receipt, so encodable): %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	release(m);

	m = new_msg(TCAP_MT_RESPONSE);
	m->has_dtid = true;
	set_tid(&m->dtid, 1);
	m->has_pabort = true;
	printf("response with a P-Abort cause: %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	release(m);

	m = new_msg(TCAP_MT_RESPONSE);
	m->has_dtid = true;
	set_tid(&m->dtid, 1);
	c = add_comp(m, TCAP_COMP_INVOKE, true, -1);
	c->has_linked_id = true;
	c->linked_id = 1;
	set_op(c, TCAP_OP_PRIVATE, 0x6501);
	printf("correlation id without invoke id: %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	c->has_invoke_id = true;
	c->invoke_id = 256;
	printf("invoke id 256: %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	c->invoke_id = 2;
	c->op.code = 0x10000;
	printf("opcode 0x10000: %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	c->op.code = 0x6501;
	c->op.kind = TCAP_OP_LOCAL;
	printf("ITU local opcode: %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	c->op.kind = TCAP_OP_PRIVATE;
	printf("fixed: %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	printf("into %zu octets: %s\n", olen - 1, rc_name(tcap_ansi_encode(out, olen - 1, &olen, m)));
	c->kind = TCAP_COMP_RETURN_RESULT;
	printf("return result with a correlation id: %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	release(m);

	m = new_msg(TCAP_MT_RESPONSE);
	m->has_dtid = true;
	set_tid(&m->dtid, 1);
	m->dlg.pdu = TCAP_DLG_AARQ;
	printf("ITU dialogue PDU: %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	m->variant = TCAP_ITU;
	m->dlg.pdu = TCAP_DLG_NONE;
	printf("ITU variant: %s\n", rc_name(tcap_ansi_encode(out, sizeof(out), &olen, m)));
	release(m);
}

/* Decode and print only the outcome. */
static void bad(const char *name, const char *hex)
{
	struct tcap_decode_err err;
	struct tcap_msg *m;
	uint8_t buf[512];
	int n = tl_unhex(buf, sizeof(buf), hex);
	int rc;

	if (n < 0) {
		printf("%s: bad hex\n", name);
		return;
	}
	rc = decode(&m, &err, buf, n);
	printf("%s: %s\n", name, rc_name(rc));
	if (rc)
		print_err(&err);
	print_msg(m);
	release(m);
}

static void test_malformed(void)
{
	printf("== %s\n", __func__);
	bad("empty", "");
	bad("unknown package type e7", "e706c70401020304");
	bad("ITU Begin tag", "6206480401020304");
	bad("package length beyond the buffer", "e20ac70401020304");
	bad("octets after the package", "e206c7040102030400");
	bad("transaction id missing", "e205e803ea0100");
	bad("query with a 2-octet tid", "e204c7020102");
	bad("response with an 8-octet tid", "e40ac7080102030405060708");
	bad("conversation with a 4-octet tid", "e506c70401020304");
	bad("unidirectional with a 4-octet tid", "e10ec70401020304e806e904d0020101");
	bad("abort with an empty tid", "f605c700d70101");
	bad("tid longer than 8 octets", "e50bc709010203040506070809");
	bad("unidirectional without components", "e102c700");
	bad("P-Abort cause in a query", "e209c70401020304d70101");
	bad("components in an abort", "f60ac70401020304e802eb00");
	bad("user abort information not elements", "f609c70401020304f801ff");
	bad("empty user abort information", "f608c70401020304f800");
	bad("dialogue portion with a bad inner length", "e20bc70401020304f903da0201");
	bad("dialogue portion with a 2-octet version", "e20cc70401020304f904da020102");
	bad("dialogue portion with an unknown element", "e20bc70401020304f9039f2000");
	bad("empty component sequence", "e408c70401020304e800");
	bad("unknown component type after a good one",
	    "e21ac70401020304e812e909cf0101d1026403f200ef05cf0102f200");
	bad("component with a bad length after a good one",
	    "e215c70401020304e80de909cf0101d1026403f200ea05");
	bad("component with a bad inner length",
	    "e211c70401020304e809e907cf0301d1026403");
	bad("invoke without operation code",
	    "e20fc70401020304e807e905cf0101f200");
	bad("invoke with a 1-octet operation code",
	    "e212c70401020304e80ae908cf0101d10164f200");
	bad("invoke with three component ids",
	    "e213c70401020304e80be909cf03010203d1026403");
	bad("return result with two component ids",
	    "e40ec70401020304e806ea04cf020102");
	bad("return result without component id",
	    "e40cc70401020304e804ea02f200");
	bad("return error with a 3-octet code",
	    "e412c70401020304e80aeb08cf0101d403000001");
	bad("reject with a 1-octet problem",
	    "e412c70401020304e80aec08cf0101d50101f000");
	bad("reject with two component ids",
	    "e412c70401020304e80aec08cf020102d5020101");
	bad("primitive component",
	    "e40cc70401020304e804c9020101");
	bad("reply-required national opcode",
	    "e410c70401020304e808e906cf00d0028301");
	bad("national error code of two octets",
	    "e413c70401020304e80beb09cf0101d3020102f200");
	bad("P-Abort cause and user information",
	    "f60bc70401020304d70101f800");
	bad("P-Abort cause of three octets",
	    "f60bc70401020304d703000001");
	bad("dialogue with security context",
	    "e20ec70401020304f906da0101800105");
	bad("dialogue with version, OID AC, user info, security, confidentiality",
	    "e237c70401020304f922da0103dc072a8648ce1d0301fd0b280906022a03a00302010181022a03a203800107"
	    "e80be909cf0109d1026e01f200");
	bad("abort with dialogue portion and P-Abort cause",
	    "f60ec70401020304f903db0105d70108");
	bad("dialogue portion out of order",
	    "e20ec70401020304f906db0105da0101");
	bad("TID constructed",
	    "e208e706040401020304");
	bad("indefinite-length component",
	    "e280c70401020304e880e980cf0101d1026403f200000000000000");
	bad("indefinite-length package, definite component",
	    "e280c70401020304e80be909cf0101d1026403f2000000");
	bad("response with neither dialogue nor components",
	    "e406c70401020304");
	bad("second component sequence",
	    "e414c70401020304e805ea03cf0101e805ea03cf0102");
	bad("dialogue after components",
	    "e412c70401020304e805ea03cf0101f903da0101");
}

/* More components than one message may hold. */
static void test_too_many_components(void)
{
	uint8_t buf[256];
	size_t n = 0;
	unsigned int i;

	printf("== %s\n", __func__);
	buf[n++] = 0xe2;
	buf[n++] = 0x81;
	buf[n++] = 0;
	memcpy(buf + n, "\xc7\x04\x01\x02\x03\x04\xe8\x81", 8);
	n += 8;
	buf[n++] = 17 * 9;
	for (i = 0; i < 17; i++) {
		memcpy(buf + n, "\xe9\x07\xcf\x01\x00\xd0\x02\x00\x01", 9);
		buf[n + 4] = i;
		n += 9;
	}
	buf[2] = n - 3;
	{
		struct tcap_decode_err err;
		struct tcap_msg *m;
		int rc = decode(&m, &err, buf, n);

		printf("17 components: %s, %u kept\n", rc_name(rc), m->num_comp);
		print_err(&err);
		release(m);
	}
}

/* Cut buf (a copy of A1, short-form lengths only) at k and shorten the length
 * of every constructed element the cut falls into, so that the truncation shows
 * at every nesting level instead of only in the package length. */
static void cut_nested(uint8_t *buf, size_t start, size_t end, size_t k)
{
	while (start < end && start < k) {
		size_t hdr = 1, clen, tend;
		bool constructed = buf[start] & 0x20;

		if ((buf[start] & 0x1f) == 0x1f) {
			while (start + hdr < end && (buf[start + hdr] & 0x80))
				hdr++;
			hdr++;
		}
		clen = buf[start + hdr];
		hdr++;
		tend = start + hdr + clen;
		if (k < tend && k >= start + hdr && constructed) {
			buf[start + hdr - 1] = k - (start + hdr);
			cut_nested(buf, start + hdr, tend, k);
		}
		start = tend;
	}
}

/* Every prefix of A1, once as it is (the package length then overruns), once
 * with the lengths of the enclosing elements cut down to match. */
static void test_truncated(void)
{
	struct tcap_decode_err err;
	struct tcap_msg *m;
	uint8_t a1[256], buf[256];
	int n, k, rc;
	unsigned int failed = 0;

	printf("== %s\n", __func__);
	n = tl_vector(a1, sizeof(a1), "A1");
	if (n < 4)
		return;
	for (k = 0; k < n; k++) {
		rc = decode(&m, &err, a1, k);
		if (rc == -EBADMSG && err.kind == TCAP_ERR_PABORT &&
		    err.cause == (k ? TCAP_APA_BADLY_STRUCTURED_TX_PORTION : TCAP_APA_UNRECOGNIZED_PKG_TYPE))
			failed++;
		else
			printf("prefix %d: unexpected %s\n", k, rc_name(rc));
		release(m);
	}
	printf("plain prefixes 0..%d: %u of %d refused with the expected P-Abort cause\n", n - 1, failed, n);

	for (k = 2; k < n; k++) {
		memcpy(buf, a1, n);
		cut_nested(buf, 0, n, k);
		rc = decode(&m, &err, buf, k);
		printf("cut at %2d: %s", k, rc_name(rc));
		if (rc)
			printf(" %s cause=%d problem=%04x comp=%d", err.kind == TCAP_ERR_PABORT ? "p-abort"
						      : err.kind == TCAP_ERR_REJECT ? "reject"
						      : "dialogue",
			       err.cause, err.problem, err.comp_index);
		printf(" components=%u", m->num_comp);
		if (m->num_comp && m->comp[0].param) {
			printf(" param=");
			tl_hexprint(m->comp[0].param, m->comp[0].param_len);
		}
		printf("\n");
		release(m);
	}
}

/* Every octet of A1 and A3 replaced by a few values: nothing may crash or leak
 * (the sanitizer build checks), and every outcome is a defined one. */
static void test_mutations(void)
{
	static const char *const names[] = { "A1", "A3" };
	static const uint8_t values[] = { 0x00, 0x01, 0x7f, 0x80, 0x81, 0xff };
	unsigned int v, i, ok = 0, pabort = 0, reject = 0, dialogue = 0, other = 0;
	uint8_t orig[256], buf[256];
	int n, k;

	printf("== %s\n", __func__);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = tl_vector(orig, sizeof(orig), names[i]);
		for (k = 0; k < n; k++) {
			for (v = 0; v <= sizeof(values); v++) {
				struct tcap_decode_err err;
				struct tcap_msg *m;
				int rc;

				memcpy(buf, orig, n);
				buf[k] = v < sizeof(values) ? values[v] : orig[k] ^ 0x20;
				rc = decode(&m, &err, buf, n);
				if (!rc) {
					uint8_t out[512];
					size_t olen;

					ok++;
					/* whatever decodes must encode again */
					if (tcap_ansi_encode(out, sizeof(out), &olen, m))
						printf("%s octet %d = %02x: decodes but does not encode\n", names[i], k,
						       buf[k]);
				} else if (rc == -EBADMSG && err.kind == TCAP_ERR_PABORT) {
					pabort++;
				} else if (rc == -EBADMSG && err.kind == TCAP_ERR_REJECT) {
					reject++;
				} else if (rc == -EBADMSG && err.kind == TCAP_ERR_DIALOGUE) {
					dialogue++;
				} else {
					other++;
				}
				release(m);
			}
		}
	}
	printf("decoded %u, p-abort %u, reject %u, dialogue %u, other %u\n", ok, pabort, reject, dialogue, other);
}

int main(void)
{
	ctx = talloc_named_const(NULL, 0, "ansi_test");
	test_vectors();
	test_build();
	test_encode_errors();
	test_malformed();
	test_too_many_components();
	test_truncated();
	test_mutations();
	if (talloc_total_blocks(ctx) != 1)
		printf("LEAK at exit\n");
	talloc_free(ctx);
	return 0;
}
