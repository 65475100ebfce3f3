/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Codec microbenchmark: what tandem-scp does per CAP trigger on its answer path
 * (decode a TC-BEGIN with InitialDP, encode a TC-END with AARE and Continue),
 * in operations per second, next to a reference measured in the same run: a
 * plain walk over every BER element of the same message, i.e. the cost of
 * merely touching the bytes. Prints figures; never fails on a timing. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <talloc.h>

#include <tandem/cap.h>
#include <tandem/tcap_msg.h>

/* Conformance vector V1: CAP v4 TC-BEGIN + InitialDP, 170 octets. */
static const char v1_hex[] =
	"6281a748048123afd16b1e281c060700118605010101a011600f80020780a1090607040000011703046c7fa17d02010102010030"
	"7580015b8308811041615515320485010a8a088113416155153204bb0580038090a39c01029f32080001101032547698bf3417"
	"0201008107c14161550500f0a309800700011000010001bf35038301119f36040904c1f49f3707c14161550500f09f3807a141"
	"61555576f89f3908021220415174310a";

static uint8_t v1[256];
static size_t v1_len;
static void *ctx;
static volatile size_t sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reference: visit every element, recursing into constructed ones. */
static size_t walk(const uint8_t *p, size_t len)
{
	size_t pos = 0, n = 0;

	while (pos + 2 <= len) {
		uint8_t tag = p[pos++];
		size_t l;

		if ((tag & 0x1f) == 0x1f)
			while (pos < len && (p[pos++] & 0x80))
				;
		if (pos >= len)
			break;
		l = p[pos++];
		if (l & 0x80) {
			unsigned int k = l & 0x7f;

			l = 0;
			while (k-- && pos < len)
				l = (l << 8) | p[pos++];
		}
		if (l > len - pos)
			break;
		n++;
		if (tag & 0x20)
			n += walk(p + pos, l);
		pos += l;
	}
	return n;
}

static int op_walk(void)
{
	sink += walk(v1, v1_len);
	return 0;
}

static int op_decode_msg(void)
{
	struct tcap_decode_err err;
	struct tcap_msg *m;
	int rc = tcap_msg_decode(ctx, &m, &err, v1, v1_len);

	tcap_msg_free(m);
	return rc;
}

static int op_decode_idp(void)
{
	struct tcap_decode_err err;
	struct tcap_msg *m;
	struct cap_idp idp;
	int rc = tcap_msg_decode(ctx, &m, &err, v1, v1_len);

	if (!rc)
		rc = cap_idp_decode(&idp, CAP_PROTO_CAP4, m->comp[0].param, m->comp[0].param_len);
	sink += idp.service_key;
	tcap_msg_free(m);
	return rc;
}

static int op_encode_end(void)
{
	struct tcap_msg m;
	uint8_t out[256];
	size_t len;
	int rc;

	memset(&m, 0, sizeof(m));
	m.variant = TCAP_ITU;
	m.type = TCAP_MT_END;
	m.has_dtid = true;
	m.dtid.len = 4;
	memcpy(m.dtid.buf, "\x81\x23\xaf\xd1", 4);
	m.dlg.pdu = TCAP_DLG_AARE;
	m.dlg.has_ac = true;
	m.dlg.ac.len = 7;
	memcpy(m.dlg.ac.buf, "\x04\x00\x00\x01\x17\x03\x04", 7);
	m.dlg.diag_source = TCAP_DIAG_USER;
	m.num_comp = 1;
	m.comp[0].kind = TCAP_COMP_INVOKE;
	m.comp[0].last = true;
	m.comp[0].has_invoke_id = true;
	m.comp[0].invoke_id = 1;
	m.comp[0].has_opcode = true;
	m.comp[0].op.code = CAP_OP_CONTINUE;
	rc = tcap_msg_encode(out, sizeof(out), &len, &m);
	sink += len;
	return rc;
}

static int op_cycle(void)
{
	return op_decode_idp() || op_encode_end();
}

static double run(const char *name, int (*op)(void), double secs)
{
	unsigned long n = 0, batch = 1000, i;
	double t0 = now(), t;

	do {
		for (i = 0; i < batch; i++) {
			if (op()) {
				fprintf(stderr, "%s: operation failed\n", name);
				exit(1);
			}
		}
		n += batch;
		t = now() - t0;
	} while (t < secs);
	printf("%-44s %12.0f ops/s %9.3f us/op\n", name, n / t, 1e6 * t / n);
	return n / t;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	double walk_rate, cycle_rate;
	size_t i;

	if (secs <= 0 || secs > 60) {
		fprintf(stderr, "usage: codec_bench [SECONDS per measurement, 0 < s <= 60]\n");
		return 2;
	}
	ctx = talloc_named_const(NULL, 0, "bench");
	for (i = 0; i + 1 < sizeof(v1_hex); i += 2) {
		unsigned int b;

		sscanf(v1_hex + i, "%2x", &b);
		v1[v1_len++] = b;
	}

	printf("tandem codec benchmark (%.1f s per figure, one core)\n", secs);
	walk_rate = run("reference: walk every BER element of V1", op_walk, secs);
	run("TCAP decode of V1 (Begin+AARQ+Invoke)", op_decode_msg, secs);
	run("TCAP decode + InitialDP argument decode", op_decode_idp, secs);
	run("encode TC-END + AARE + Continue", op_encode_end, secs);
	cycle_rate = run("decode IDP + encode Continue (answer path)", op_cycle, secs);
	printf("ratio: one answer-path cycle costs %.1f reference walks of the same message\n", walk_rate / cycle_rate);
	talloc_free(ctx);
	return 0;
}
