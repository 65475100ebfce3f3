/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Unit test of tools/sigtran.c and tools/pcapread.c: frames built by the builders parse back,
 * every truncated prefix is rejected without reading past it, IPA reassembly, and captures
 * written through libpcap's own writer read back with the right TCAP bytes.
 * "sigtran_test --read FILE [--ansi]" prints what sgt_pcap_next() finds in a capture. */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "sigtran.h"

#define BUFSZ	8192

/* TCAP payloads from tests/vectors/shared-vectors.txt */
static const char V1_HEX[] =
	"6281a748048123afd16b1e281c060700118605010101a011600f80020780a1090607040000011703046c7fa17d0201010201"
	"00307580015b8308811041615515320485010a8a088113416155153204bb0580038090a39c01029f320800011010325476"
	"98bf34170201008107c14161550500f0a309800700011000010001bf35038301119f36040904c1f49f3707c14161550500f0"
	"9f3807a14161555576f89f3908021220415174310a";
static const char V8_HEX[] = "6226480408a500016b1e281c060700118605010101a011600f80020780a109060704000101010300";
static const char V9A_HEX[] = "670949047ba534134a017e";
static const char A1_HEX[] =
	"e246c70401020304e83ee93ccf0101d1026403f233bf3507810502515510008d01008f07031002515510999f23048000"
	"22049f340108930703100251551000920703130251551000";
/* Reference M3UA frames (V1: ITU UDT, SSN 146, AI 0x42; A1: ANSI UDT, SSN 247, AI 0xC1) */
static const char V1_M3UA_PREFIX[] = "01000101000000d0021000c60000000100000002030200000980030507024292024292aa";
static const char A1_M3UA_PREFIX[] = "010001010000006c02100064000000010000000203020000098003050702c1f702c1f748";

static size_t unhex(uint8_t *out, size_t size, const char *hex)
{
	size_t n = 0;
	unsigned int v;

	while (hex[0] && hex[1] && n < size && sscanf(hex, "%2x", &v) == 1) {
		out[n++] = v;
		hex += 2;
	}
	return n;
}

static void print_hex(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void print_addr(const char *name, const struct sgt_sccp_addr *a)
{
	printf(" %s(ri=%s", name, a->route_on_ssn ? "ssn" : "gt");
	if (a->national)
		printf(" nat");
	if (a->pc_present)
		printf(" pc=%u", a->pc);
	if (a->ssn_present)
		printf(" ssn=%u", a->ssn);
	if (a->gt.gti)
		printf(" gti=%u tt=%u np=%u es=%u nai=%u digits=%s", a->gt.gti, a->gt.tt, a->gt.np, a->gt.es, a->gt.nai,
		       a->gt.digits[0] ? a->gt.digits : "-");
	printf(")");
}

static const char *msg_name(uint8_t t)
{
	switch (t) {
	case SGT_SCCP_UDT:
		return "UDT";
	case SGT_SCCP_UDTS:
		return "UDTS";
	case SGT_SCCP_XUDT:
		return "XUDT";
	case SGT_SCCP_XUDTS:
		return "XUDTS";
	case SGT_SCCP_LUDT:
		return "LUDT";
	case SGT_SCCP_LUDTS:
		return "LUDTS";
	default:
		return "?";
	}
}

static void print_ep(const struct sgt_endpoint *e)
{
	char s[INET6_ADDRSTRLEN];

	if (!e->family) {
		printf("-");
		return;
	}
	inet_ntop(e->family, e->addr, s, sizeof(s));
	printf(e->family == AF_INET6 ? "[%s]:%u" : "%s:%u", s, e->port);
}

/* One line per PDU; the TCAP octets in full. */
static void print_pdu(const struct sgt_tcap_pdu *d, bool with_frame)
{
	if (with_frame) {
		printf("frame %llu ", (unsigned long long)d->frame);
		print_ep(&d->src);
		printf(" > ");
		print_ep(&d->dst);
		printf(" ");
	}
	printf("%s", sgt_transport_name(d->transport));
	if (d->label_present)
		printf(" opc=%u dpc=%u si=%u ni=%u sls=%u", d->label.opc, d->label.dpc, d->label.si, d->label.ni,
		       d->label.sls);
	if (d->rctx_present)
		printf(" rctx=%u", d->rctx);
	printf(" %s", msg_name(d->sccp.msg_type));
	if (d->sccp.msg_type == SGT_SCCP_UDTS || d->sccp.msg_type == SGT_SCCP_XUDTS ||
	    d->sccp.msg_type == SGT_SCCP_LUDTS)
		printf(" cause=%u", d->sccp.return_cause);
	else
		printf(" class=0x%02x", d->sccp.proto_class);
	print_addr("cdpa", &d->sccp.called);
	print_addr("cgpa", &d->sccp.calling);
	printf(" tcap[%zu]=", d->sccp.data_len);
	print_hex(d->sccp.data, d->sccp.data_len);
	printf("\n");
}

/* Frames are assembled here by the builders. */
struct frame {
	enum sgt_transport tr;
	enum sgt_variant v;
	uint8_t buf[BUFSZ];
	size_t len;
};

static int build_frame(struct frame *f, enum sgt_transport tr, enum sgt_variant v, const struct sgt_sccp_msg *m,
		       const uint32_t *rctx)
{
	static const struct sgt_mtp_label lbl = { .opc = 1, .dpc = 2, .si = 3, .ni = 2, .mp = 0, .sls = 0 };
	uint8_t sccp[BUFSZ];
	size_t sccp_len;
	int rc;

	f->tr = tr;
	f->v = v;
	if (tr == SGT_TR_SUA)
		return sgt_sua_cldt_build(f->buf, sizeof(f->buf), &f->len, rctx, m);
	rc = sgt_sccp_build(sccp, sizeof(sccp), &sccp_len, v, m);
	if (rc < 0)
		return rc;
	if (tr == SGT_TR_M3UA)
		return sgt_m3ua_data_build(f->buf, sizeof(f->buf), &f->len, &lbl, rctx, sccp, sccp_len);
	return sgt_ipa_build(f->buf, sizeof(f->buf), &f->len, SGT_IPA_STREAM_SCCP, sccp, sccp_len);
}

/* Parses every proper prefix from an exact-size heap copy (so ASan sees any over-read) and
 * counts the results; no prefix may be accepted as a complete message. */
static void check_prefixes(const char *name, const struct frame *f)
{
	size_t n, rejected = 0, accepted = 0;

	for (n = 0; n < f->len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct sgt_tcap_pdu d;
		int rc;

		memcpy(copy, f->buf, n);
		rc = sgt_extract(&d, f->tr, f->v, copy, n);
		if (rc < 0)
			rejected++;
		else
			accepted++;
		free(copy);
	}
	printf("%s: %zu prefixes, %zu rejected, %zu accepted\n", name, f->len, rejected, accepted);
}

/* Every single-octet corruption (value XOR 0xff, 0x00, 0x80) must parse or fail cleanly;
 * when it parses, the user data must lie inside the message. */
static void check_corruptions(const char *name, const struct frame *f, int build_rc)
{
	static const uint8_t masks[] = { 0xff, 0x80, 0x01 };
	size_t i, k, ok = 0, bad = 0;

	if (build_rc < 0) {
		printf("%s: build failed: %d\n", name, build_rc);
		return;
	}
	for (i = 0; i < f->len; i++) {
		for (k = 0; k < sizeof(masks); k++) {
			uint8_t *copy = malloc(f->len);
			struct sgt_tcap_pdu d;

			memcpy(copy, f->buf, f->len);
			copy[i] ^= masks[k];
			if (sgt_extract(&d, f->tr, f->v, copy, f->len) == 0) {
				if (d.sccp.data < copy || d.sccp.data + d.sccp.data_len > copy + f->len)
					printf("%s: BUG: data outside the message after corrupting octet %zu\n", name, i);
				ok++;
			} else {
				bad++;
			}
			free(copy);
		}
	}
	printf("%s: %zu corruptions, %zu parse, %zu rejected\n", name, ok + bad, ok, bad);
}

static void test_reference_frames(void)
{
	uint8_t tcap[BUFSZ], ref[BUFSZ];
	struct sgt_sccp_msg m = {
		.msg_type = SGT_SCCP_UDT,
		.proto_class = SGT_PCLASS_RETURN_ON_ERROR,
		.called = { .route_on_ssn = true, .ssn_present = true, .ssn = 146 },
		.calling = { .route_on_ssn = true, .ssn_present = true, .ssn = 146 },
		.data = tcap,
	};
	struct frame f;
	size_t ref_len;

	printf("== %s\n", __func__);
	m.data_len = unhex(tcap, sizeof(tcap), V1_HEX);
	build_frame(&f, SGT_TR_M3UA, SGT_ITU, &m, NULL);
	ref_len = unhex(ref, sizeof(ref), V1_M3UA_PREFIX);
	memcpy(ref + ref_len, tcap, m.data_len);
	ref_len += m.data_len;
	memset(ref + ref_len, 0, 2);
	ref_len += 2;
	printf("V1 ITU UDT in M3UA: %zu octets, %s the reference frame\n", f.len,
	       f.len == ref_len && !memcmp(f.buf, ref, ref_len) ? "equals" : "DIFFERS FROM");

	m.data_len = unhex(tcap, sizeof(tcap), A1_HEX);
	m.called = (struct sgt_sccp_addr){ .route_on_ssn = true, .national = true, .ssn_present = true, .ssn = 247 };
	m.calling = m.called;
	build_frame(&f, SGT_TR_M3UA, SGT_ANSI, &m, NULL);
	ref_len = unhex(ref, sizeof(ref), A1_M3UA_PREFIX);
	memcpy(ref + ref_len, tcap, m.data_len);
	ref_len += m.data_len;
	printf("A1 ANSI UDT in M3UA: %zu octets, %s the reference frame\n", f.len,
	       f.len == ref_len && !memcmp(f.buf, ref, ref_len) ? "equals" : "DIFFERS FROM");
}

static void test_roundtrip(void)
{
	static const struct {
		const char *name;
		struct sgt_sccp_addr cd, cg;
	} addrs[] = {
		{ "ssn", { .route_on_ssn = true, .ssn_present = true, .ssn = 146 },
		  { .route_on_ssn = true, .ssn_present = true, .ssn = 147 } },
		{ "pc+ssn", { .route_on_ssn = true, .pc_present = true, .pc = 0x2abc, .ssn_present = true, .ssn = 12 },
		  { .route_on_ssn = true, .pc_present = true, .pc = 0x0123, .ssn_present = true, .ssn = 241 } },
		{ "gt", { .ssn_present = true, .ssn = 146,
			  .gt = { .gti = 4, .tt = 0, .np = 1, .nai = 4, .digits = "4915123" } },
		  { .pc_present = true, .pc = 0x3fff, .ssn_present = true, .ssn = 146,
		    .gt = { .gti = 2, .tt = 9, .digits = "12345678" } } },
	};
	static const struct {
		const char *name;
		struct sgt_sccp_addr cd, cg;
	} ansi_addrs[] = {
		{ "ssn", { .national = true, .route_on_ssn = true, .ssn_present = true, .ssn = 247 },
		  { .national = true, .route_on_ssn = true, .ssn_present = true, .ssn = 248 } },
		{ "pc+ssn", { .national = true, .route_on_ssn = true, .pc_present = true, .pc = 0x010203,
			      .ssn_present = true, .ssn = 247 },
		  { .national = true, .route_on_ssn = true, .pc_present = true, .pc = 0xfffefd, .ssn_present = true,
		    .ssn = 5 } },
		{ "gt", { .national = true, .ssn_present = true, .ssn = 247,
			  .gt = { .gti = 2, .tt = 9, .digits = "2015550100" } },
		  { .national = true, .pc_present = true, .pc = 0x000102,
		    .gt = { .gti = 1, .tt = 3, .np = 1, .digits = "201555" } } },
	};
	static const uint8_t types[] = { SGT_SCCP_UDT, SGT_SCCP_XUDT, SGT_SCCP_LUDT };
	static const enum sgt_transport trs[] = { SGT_TR_M3UA, SGT_TR_IPA, SGT_TR_SUA };
	uint8_t tcap[BUFSZ];
	size_t tcap_len = unhex(tcap, sizeof(tcap), V8_HEX);
	unsigned int vi, ai, ti, ri;

	printf("== %s\n", __func__);
	for (vi = 0; vi < 2; vi++) {
		for (ai = 0; ai < 3; ai++) {
			for (ri = 0; ri < 3; ri++) {
				for (ti = 0; ti < 3; ti++) {
					enum sgt_variant v = vi ? SGT_ANSI : SGT_ITU;
					struct sgt_sccp_msg m = {
						.msg_type = types[ti],
						.proto_class = 0x81,
						.called = vi ? ansi_addrs[ai].cd : addrs[ai].cd,
						.calling = vi ? ansi_addrs[ai].cg : addrs[ai].cg,
						.data = tcap,
						.data_len = tcap_len,
					};
					uint32_t rctx = 77;
					struct sgt_tcap_pdu d;
					struct frame f;
					char name[80];
					int rc;

					if (trs[ri] == SGT_TR_SUA && ti > 0)
						continue;	/* SUA has no SCCP message type */
					rc = build_frame(&f, trs[ri], v, &m, ai == 1 ? &rctx : NULL);
					snprintf(name, sizeof(name), "%s %s %s %s", vi ? "ansi" : "itu",
						 vi ? ansi_addrs[ai].name : addrs[ai].name, sgt_transport_name(trs[ri]),
						 trs[ri] == SGT_TR_SUA ? "CLDT" : msg_name(types[ti]));
					if (rc < 0) {
						printf("%s: build failed: %d\n", name, rc);
						continue;
					}
					rc = sgt_extract(&d, f.tr, v, f.buf, f.len);
					if (rc < 0) {
						printf("%s: parse failed: %d\n", name, rc);
						continue;
					}
					printf("%s: %zu octets: ", name, f.len);
					print_pdu(&d, false);
					if (d.sccp.data_len != tcap_len || memcmp(d.sccp.data, tcap, tcap_len))
						printf("%s: TCAP DIFFERS\n", name);
					check_prefixes(name, &f);
				}
			}
		}
	}
}

static void test_corruptions(void)
{
	uint8_t tcap[BUFSZ];
	struct sgt_sccp_msg m = {
		.msg_type = SGT_SCCP_XUDT,
		.proto_class = 0x80,
		.called = { .route_on_ssn = true, .pc_present = true, .pc = 5, .ssn_present = true, .ssn = 146 },
		.calling = { .ssn_present = true, .ssn = 146, .gt = { .gti = 4, .np = 1, .nai = 4, .digits = "123" } },
		.data = tcap,
	};
	uint32_t rctx = 1;
	struct frame f;
	int rc;

	printf("== %s\n", __func__);
	m.data_len = unhex(tcap, sizeof(tcap), V9A_HEX);
	rc = build_frame(&f, SGT_TR_M3UA, SGT_ITU, &m, &rctx);
	check_corruptions("itu m3ua XUDT", &f, rc);
	m.msg_type = SGT_SCCP_LUDT;
	rc = build_frame(&f, SGT_TR_IPA, SGT_ITU, &m, NULL);
	check_corruptions("itu ipa LUDT", &f, rc);
	rc = build_frame(&f, SGT_TR_SUA, SGT_ITU, &m, &rctx);
	check_corruptions("sua CLDT", &f, rc);
	m.msg_type = SGT_SCCP_UDT;
	m.called.gt = (struct sgt_gt){ .gti = 1, .tt = 3, .np = 1, .digits = "12345" };
	m.calling.gt = (struct sgt_gt){ .gti = 2, .tt = 0, .digits = "123" };
	rc = build_frame(&f, SGT_TR_M3UA, SGT_ANSI, &m, NULL);
	check_corruptions("ansi m3ua UDT", &f, rc);
}

/* Hand-made messages for the cases the builders do not produce. */
static void parse_hex(const char *name, enum sgt_transport tr, enum sgt_variant v, const char *hex)
{
	uint8_t buf[BUFSZ];
	size_t len = unhex(buf, sizeof(buf), hex);
	uint8_t *copy = malloc(len ? len : 1);
	struct sgt_tcap_pdu d;
	int rc;

	memcpy(copy, buf, len);
	rc = sgt_extract(&d, tr, v, copy, len);
	printf("%s: ", name);
	if (rc < 0)
		printf("%s\n", rc == -ENOMSG ? "-ENOMSG" : rc == -ENODATA ? "-ENODATA" : rc == -EINVAL ? "-EINVAL" : "?");
	else
		print_pdu(&d, false);
	if (rc == 0 && d.sccp.segmented)
		printf("%s: segmented\n", name);
	free(copy);
}

static void test_special_messages(void)
{
	printf("== %s\n", __func__);
	/* M3UA ASPUP (class 3 type 1): no data */
	parse_hex("m3ua ASPUP", SGT_TR_M3UA, SGT_ITU, "0100030100000008");
	/* M3UA DATA with network appearance, routing context, SI 5 (ISUP) */
	parse_hex("m3ua DATA SI=5", SGT_TR_M3UA, SGT_ITU,
		  "010001010000002c020000080000000100060008000000090210001400000001000000020502000001020304");
	/* M3UA DATA with network appearance and two routing contexts before the Protocol Data */
	parse_hex("m3ua DATA NA+RC", SGT_TR_M3UA, SGT_ITU,
		  "010001010000003c02000008000000010006000c0000000500000006021000200000000100000002"
		  "03020000098103050702429202429204a1b2c3d4");
	/* M3UA DATA without Protocol Data */
	parse_hex("m3ua DATA without protocol data", SGT_TR_M3UA, SGT_ITU, "01000101000000100006000800000009");
	/* M3UA length field larger than the packet */
	parse_hex("m3ua length too large", SGT_TR_M3UA, SGT_ITU, "010001010000ffff0210001000000001000000020302000000");
	/* SCCP CR (connection request) */
	parse_hex("sccp CR", SGT_TR_IPA, SGT_ITU, "000afd01000001020201020203");
	/* UDTS with return cause 1 */
	parse_hex("sccp UDTS", SGT_TR_IPA, SGT_ITU, "000efd0a01030507024292024292026203");
	/* XUDT with a segmentation parameter: first segment, 1 remaining, no end-of-optional octet */
	parse_hex("sccp XUDT segmented", SGT_TR_IPA, SGT_ITU, "0016fd1181070406080a024292024292026203100481000102");
	/* XUDT with a segmentation parameter "first and last", importance, end of optional part */
	parse_hex("sccp XUDT single segment", SGT_TR_IPA, SGT_ITU,
		  "001afd1181070406080a02429202429202620310048000010212010300");
	/* XUDT whose optional parameter runs past the end */
	parse_hex("sccp XUDT bad optional part", SGT_TR_IPA, SGT_ITU, "0012fd1181070406080a0242920242920262031009");
	/* UDT with a pointer of 0 */
	parse_hex("sccp UDT null pointer", SGT_TR_IPA, SGT_ITU, "000efd0980000507024292024292026203");
	/* UDT whose called address claims PC + SSN (3 octets) but has 1 */
	parse_hex("sccp UDT short address", SGT_TR_IPA, SGT_ITU, "000efd0980030507024392024292026203");
	/* ITU GTI 1 (odd, NAI 4, "12345") and GTI 3 (TT 0, NP 1, ES 3: not BCD) */
	parse_hex("sccp GTI 1 and GTI 3", SGT_TR_IPA, SGT_ITU, "0016fd098003090f0606928421430506" "0e920013012302" "6203");
	/* ANSI GTI 1 (TT 9, NP 1, ES 2, "1234") with PC 1-2-3 and SSN 7; calling SSN only, national bit clear */
	parse_hex("ansi GTI 1 + pc", SGT_TR_IPA, SGT_ANSI, "0015fd0980030c0e09870703020109122143024107026203");
	/* IPA CCM PING */
	parse_hex("ipa ccm ping", SGT_TR_IPA, SGT_ITU, "0001fe00");
	/* IPA frame shorter than its length field */
	parse_hex("ipa short", SGT_TR_IPA, SGT_ITU, "0010fd09");
	/* SUA CLDR (class 7 type 2) with SCCP cause 0x0101, SSN-only addresses, data */
	parse_hex("sua CLDR", SGT_TR_SUA, SGT_ITU,
		  "01000702000000380106000800000101010200100002000180030008000000920103001000020001"
		  "800300080000009301" "0b000762030100");
	/* SUA DUNA (SSNM): not connectionless data */
	parse_hex("sua DUNA", SGT_TR_SUA, SGT_ITU, "0100020100000008");
	/* SUA CLDT without a destination address */
	parse_hex("sua CLDT without destination", SGT_TR_SUA, SGT_ITU,
		  "0100070100000020010200100002000180030008000000920" "10b000762030100");
}

struct reasm_result {
	unsigned int frames;
	unsigned int bytes;
	char log[512];
};

static int reasm_cb(void *priv, uint8_t stream, const uint8_t *payload, size_t len)
{
	struct reasm_result *r = priv;
	size_t used = strlen(r->log);

	r->frames++;
	r->bytes += len;
	snprintf(r->log + used, sizeof(r->log) - used, "%s%02x:%zu:%02x", used ? " " : "", stream, len,
		 len ? payload[0] : 0);
	return 0;
}

/* Feeds data in the pieces given by cuts (ascending offsets), each piece from an exact-size copy. */
static int feed_pieces(struct sgt_ipa_reasm *r, const uint8_t *data, size_t len, const size_t *cuts, size_t ncuts,
		       struct reasm_result *res)
{
	size_t i, start = 0;
	int rc = 0;

	for (i = 0; i <= ncuts && rc == 0; i++) {
		size_t end = i < ncuts ? cuts[i] : len;
		uint8_t *copy = malloc(end - start ? end - start : 1);

		memcpy(copy, data + start, end - start);
		rc = sgt_ipa_reasm_feed(r, copy, end - start, reasm_cb, res);
		free(copy);
		start = end;
	}
	return rc;
}

static void test_ipa_reassembly(void)
{
	uint8_t v8[BUFSZ], stream[BUFSZ];
	size_t v8_len = unhex(v8, sizeof(v8), V8_HEX), len = 0, flen, i;
	struct sgt_ipa_reasm r = { 0 };
	struct reasm_result res;
	unsigned int good = 0;
	int rc;

	printf("== %s\n", __func__);
	/* stream: IPA(V8) IPA(CCM PONG) IPA(V8) */
	sgt_ipa_build(stream, sizeof(stream), &flen, SGT_IPA_STREAM_SCCP, v8, v8_len);
	len += flen;
	sgt_ipa_build(stream + len, sizeof(stream) - len, &flen, 0xfe, (const uint8_t *)"\x01", 1);
	len += flen;
	sgt_ipa_build(stream + len, sizeof(stream) - len, &flen, SGT_IPA_STREAM_SCCP, v8, v8_len);
	len += flen;

	memset(&res, 0, sizeof(res));
	rc = feed_pieces(&r, stream, len, NULL, 0, &res);
	printf("three frames in one segment: rc=%d frames=%u [%s] buffered=%zu\n", rc, res.frames, res.log, r.len);

	/* every split point of the whole stream into two segments */
	for (i = 1; i < len; i++) {
		size_t cut = i;

		memset(&res, 0, sizeof(res));
		rc = feed_pieces(&r, stream, len, &cut, 1, &res);
		if (rc == 0 && res.frames == 3 && res.bytes == 2 * v8_len + 1 && r.len == 0)
			good++;
	}
	printf("split in two at each of %zu points: %u delivered all three frames\n", len - 1, good);

	/* one octet at a time */
	{
		size_t cuts[BUFSZ];

		for (i = 0; i < len - 1; i++)
			cuts[i] = i + 1;
		memset(&res, 0, sizeof(res));
		rc = feed_pieces(&r, stream, len, cuts, len - 1, &res);
		printf("one octet per segment: rc=%d frames=%u [%s] buffered=%zu\n", rc, res.frames, res.log, r.len);
	}

	/* a segment that ends in the middle of a frame header, then garbage with an unknown stream id */
	{
		static const uint8_t junk[] = { 'G', 'E', 'T', ' ', '/' };
		size_t cut = 2;

		memset(&res, 0, sizeof(res));
		rc = feed_pieces(&r, stream, 2, &cut, 0, &res);
		printf("partial header: rc=%d buffered=%zu\n", rc, r.len);
		rc = sgt_ipa_reasm_feed(&r, junk, sizeof(junk), reasm_cb, &res);
		printf("header completed with an unknown stream id: rc=%s buffered=%zu\n",
		       rc == -EPROTO ? "-EPROTO" : "?", r.len);
		rc = sgt_ipa_reasm_feed(&r, junk, sizeof(junk), reasm_cb, &res);
		printf("segment starting with an unknown stream id: rc=%s buffered=%zu\n",
		       rc == -EPROTO ? "-EPROTO" : "?", r.len);
	}
	/* the largest frame, split in three */
	{
		uint8_t *big = calloc(1, SGT_IPA_FRAME_MAX);
		size_t cuts[2] = { 1000, 40000 };

		big[0] = 0xff;	/* payload length 65535, stream OSMO */
		big[1] = 0xff;
		big[2] = 0xee;
		memset(&res, 0, sizeof(res));
		rc = feed_pieces(&r, big, SGT_IPA_FRAME_MAX, cuts, 2, &res);
		printf("65538-octet frame in three segments: rc=%d frames=%u bytes=%u buffered=%zu\n", rc, res.frames,
		       res.bytes, r.len);
		free(big);
	}
	sgt_ipa_reasm_reset(&r);
}

/* ----- captures written with libpcap's writer ----- */

struct pkt {
	uint8_t b[BUFSZ];
	size_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* IPv4 (no options) or IPv6 (optionally with a hop-by-hop header) around a transport payload. */
static size_t ip_wrap(uint8_t *out, int family, uint8_t proto, const uint8_t *payload, size_t len, bool ext)
{
	if (family == AF_INET) {
		memset(out, 0, 20);
		out[0] = 0x45;
		put16(out + 2, 20 + len);
		out[8] = 64;
		out[9] = proto;
		put32(out + 12, 0x0a000001);
		put32(out + 16, 0x0a000002);
		memcpy(out + 20, payload, len);
		return 20 + len;
	}
	memset(out, 0, 40);
	out[0] = 0x60;
	put16(out + 4, len + (ext ? 8 : 0));
	out[6] = ext ? 0 : proto;
	out[7] = 64;
	out[8] = 0x20;
	out[9] = 0x01;
	out[10] = 0x0d;
	out[11] = 0xb8;
	out[23] = 1;
	memcpy(out + 24, out + 8, 16);
	out[39] = 2;
	if (ext) {
		memset(out + 40, 0, 8);
		out[40] = proto;	/* next header; length 0 = 8 octets; PadN */
		out[42] = 1;
		out[43] = 4;
		memcpy(out + 48, payload, len);
		return 48 + len;
	}
	memcpy(out + 40, payload, len);
	return 40 + len;
}

struct chunk {
	uint8_t flags;
	uint32_t ppi;
	const uint8_t *data;
	size_t len;
};

static size_t sctp_wrap(uint8_t *out, uint16_t sport, uint16_t dport, const struct chunk *c, size_t n)
{
	size_t pos = 12, i;

	memset(out, 0, 12);
	put16(out, sport);
	put16(out + 2, dport);
	for (i = 0; i < n; i++) {
		if (c[i].ppi == 0xffffffff) {
			/* a SACK chunk: type 3, cumulative TSN, a_rwnd, no gap blocks */
			memset(out + pos, 0, 16);
			out[pos] = 3;
			put16(out + pos + 2, 16);
			pos += 16;
			continue;
		}
		memset(out + pos, 0, 16);
		out[pos] = 0;
		out[pos + 1] = c[i].flags;
		put16(out + pos + 2, 16 + c[i].len);
		put32(out + pos + 4, i);
		put32(out + pos + 12, c[i].ppi);
		memcpy(out + pos + 16, c[i].data, c[i].len);
		pos += 16 + c[i].len;
		while (pos % 4)
			out[pos++] = 0;
	}
	return pos;
}

static size_t tcp_wrap(uint8_t *out, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags,
		       const uint8_t *data, size_t len)
{
	memset(out, 0, 20);
	put16(out, sport);
	put16(out + 2, dport);
	put32(out + 4, seq);
	out[12] = 5 << 4;
	out[13] = flags | 0x10;	/* ACK */
	put16(out + 14, 65535);
	if (len)
		memcpy(out + 20, data, len);
	return 20 + len;
}

enum link { L_ETH_VLAN, L_SLL, L_SLL2, L_NULL_LE, L_LOOP, L_RAW };

/* Puts the link-layer header for an IP packet in front of it. */
static void link_wrap(struct pkt *p, enum link l, int family, const uint8_t *ip, size_t len)
{
	uint16_t et = family == AF_INET ? 0x0800 : 0x86dd;
	size_t h = 0;

	switch (l) {
	case L_ETH_VLAN:
		memset(p->b, 0x02, 12);
		put16(p->b + 12, 0x8100);
		put16(p->b + 14, 42);
		put16(p->b + 16, et);
		h = 18;
		break;
	case L_SLL:
		memset(p->b, 0, 16);
		put16(p->b + 2, 772);	/* ARPHRD_LOOPBACK */
		put16(p->b + 4, 6);
		put16(p->b + 14, et);
		h = 16;
		break;
	case L_SLL2:
		memset(p->b, 0, 20);
		put16(p->b, et);
		put32(p->b + 4, 1);
		put16(p->b + 8, 772);
		p->b[11] = 6;
		h = 20;
		break;
	case L_NULL_LE:
		memset(p->b, 0, 4);
		p->b[0] = family == AF_INET ? 2 : 30;	/* little-endian host, macOS AF_INET6 */
		h = 4;
		break;
	case L_LOOP:
		memset(p->b, 0, 4);
		p->b[3] = family == AF_INET ? 2 : 24;
		h = 4;
		break;
	case L_RAW:
		break;
	}
	memcpy(p->b + h, ip, len);
	p->len = h + len;
	/* Ethernet frames are padded to 60 octets: the reader must use the IP length */
	if (l == L_ETH_VLAN && p->len < 60) {
		memset(p->b + p->len, 0, 60 - p->len);
		p->len = 60;
	}
}

static size_t build_msg(uint8_t *out, enum sgt_transport tr, enum sgt_variant v, const char *tcap_hex, uint8_t ssn)
{
	uint8_t tcap[BUFSZ];
	struct sgt_sccp_msg m = {
		.msg_type = SGT_SCCP_UDT,
		.proto_class = 0x80,
		.called = { .route_on_ssn = true, .ssn_present = true, .ssn = ssn, .national = v == SGT_ANSI },
		.calling = { .route_on_ssn = true, .pc_present = true, .pc = 1, .ssn_present = true, .ssn = ssn,
			     .national = v == SGT_ANSI },
		.data = tcap,
	};
	struct frame f;

	m.data_len = unhex(tcap, sizeof(tcap), tcap_hex);
	build_frame(&f, tr, v, &m, NULL);
	memcpy(out, f.buf, f.len);
	return f.len;
}

static void read_capture(const char *path, enum sgt_variant v, bool rel_time)
{
	struct sgt_pcap *p;
	struct sgt_pcap_stats st;
	struct sgt_tcap_pdu d;
	char err[256];
	int64_t t0_sec = 0, t0_nsec = 0;
	int rc;

	rc = sgt_pcap_open(&p, path, v, err, sizeof(err));
	if (rc < 0) {
		printf("open failed (%d): %s\n", rc, err);
		return;
	}
	while ((rc = sgt_pcap_next(p, &d)) == 0) {
		int64_t dsec, dnsec;

		if (!t0_sec && !t0_nsec) {
			t0_sec = d.ts_sec;
			t0_nsec = d.ts_nsec;
		}
		dsec = d.ts_sec - t0_sec;
		dnsec = (int64_t)d.ts_nsec - t0_nsec;
		if (dnsec < 0) {
			dnsec += 1000000000;
			dsec--;
		}
		if (rel_time)
			printf("%+lld.%09lld ", (long long)dsec, (long long)dnsec);
		else
			printf("%lld.%09u ", (long long)d.ts_sec, d.ts_nsec);
		print_pdu(&d, true);
	}
	sgt_pcap_get_stats(p, &st);
	printf("end: %s; frames=%llu pdus=%llu not_ip=%llu ip_fragments=%llu other_transport=%llu sctp_fragments=%llu"
	       " not_sigtran=%llu not_tcap=%llu malformed=%llu tcp_gaps=%llu ipa_resync=%llu\n",
	       rc == -ENODATA ? "ENODATA" : "ERROR", (unsigned long long)st.frames, (unsigned long long)st.pdus,
	       (unsigned long long)st.not_ip, (unsigned long long)st.ip_fragments,
	       (unsigned long long)st.other_transport, (unsigned long long)st.sctp_fragments,
	       (unsigned long long)st.not_sigtran, (unsigned long long)st.not_tcap, (unsigned long long)st.malformed,
	       (unsigned long long)st.tcp_gaps, (unsigned long long)st.ipa_resync);
	sgt_pcap_close(p);
}

struct writer {
	pcap_t *dead;
	pcap_dumper_t *d;
	unsigned int n;
};

static void w_open(struct writer *w, int dlt, const char *path)
{
	w->dead = pcap_open_dead_with_tstamp_precision(dlt, 65535, PCAP_TSTAMP_PRECISION_NANO);
	w->d = pcap_dump_open(w->dead, path);
	w->n = 0;
	if (!w->d)
		printf("cannot write %s: %s\n", path, pcap_geterr(w->dead));
}

static void w_put(struct writer *w, const struct pkt *p)
{
	struct pcap_pkthdr h = { .caplen = p->len, .len = p->len };

	h.ts.tv_sec = 1700000000;
	h.ts.tv_usec = 1000 * ++w->n;	/* nanoseconds with the _NANO writer */
	pcap_dump((u_char *)w->d, &h, p->b);
}

static void w_close(struct writer *w)
{
	pcap_dump_close(w->d);
	pcap_close(w->dead);
}

/* One IP packet on link l carrying SCTP or TCP. */
static void put_ip(struct writer *w, enum link l, int family, uint8_t proto, const uint8_t *tp, size_t tp_len,
		   bool ext)
{
	static struct pkt p;
	uint8_t ip[BUFSZ];
	size_t ip_len = ip_wrap(ip, family, proto, tp, tp_len, ext);

	link_wrap(&p, l, family, ip, ip_len);
	w_put(w, &p);
}

static void test_capture_sctp(void)
{
	static const char path[] = "sigtran_test_sctp.pcap";
	uint8_t m3ua[BUFSZ], sua[BUFSZ], a1[BUFSZ], sctp[BUFSZ], ip[BUFSZ];
	size_t m3ua_len, sua_len, a1_len, n;
	struct writer w;
	struct pkt p;

	printf("== %s\n", __func__);
	m3ua_len = build_msg(m3ua, SGT_TR_M3UA, SGT_ITU, V8_HEX, 146);
	sua_len = build_msg(sua, SGT_TR_SUA, SGT_ITU, V9A_HEX, 146);

	/* Ethernet + VLAN, IPv4: a SACK, then M3UA (PPI 3) and SUA (PPI 4) in one packet */
	w_open(&w, DLT_EN10MB, path);
	{
		struct chunk c[] = { { .ppi = 0xffffffff }, { 3, SGT_M3UA_PPI, m3ua, m3ua_len },
				     { 3, SGT_SUA_PPI, sua, sua_len } };

		n = sctp_wrap(sctp, 40000, 2905, c, 3);
		put_ip(&w, L_ETH_VLAN, AF_INET, 132, sctp, n, false);
	}
	/* fragmented user message (B without E), and a DATA chunk with PPI 46 (Diameter) */
	{
		struct chunk c[] = { { 2, SGT_M3UA_PPI, m3ua, 20 }, { 3, 46, m3ua, m3ua_len } };

		n = sctp_wrap(sctp, 40000, 2905, c, 2);
		put_ip(&w, L_ETH_VLAN, AF_INET, 132, sctp, n, false);
	}
	/* IPv4 fragment, UDP, ARP */
	n = ip_wrap(ip, AF_INET, 132, m3ua, m3ua_len, false);
	ip[6] = 0x20;	/* MF */
	link_wrap(&p, L_ETH_VLAN, AF_INET, ip, n);
	w_put(&w, &p);
	n = ip_wrap(ip, AF_INET, 17, m3ua, 8, false);
	link_wrap(&p, L_ETH_VLAN, AF_INET, ip, n);
	w_put(&w, &p);
	memset(p.b, 0xff, 60);
	put16(p.b + 12, 0x0806);
	p.len = 60;
	w_put(&w, &p);
	/* SCTP chunk length beyond the packet */
	{
		struct chunk c[] = { { 3, SGT_M3UA_PPI, m3ua, m3ua_len } };

		n = sctp_wrap(sctp, 40000, 2905, c, 1);
		put16(sctp + 14, 0x0400);
		put_ip(&w, L_ETH_VLAN, AF_INET, 132, sctp, n, false);
	}
	w_close(&w);
	read_capture(path, SGT_ITU, false);

	/* Linux cooked v1, PPI 0 on port 2905: M3UA ASPUP, M3UA DATA, M3UA SCMG (SSN 1) */
	w_open(&w, DLT_LINUX_SLL, path);
	{
		static const uint8_t aspup[] = { 1, 0, 3, 1, 0, 0, 0, 8 };
		uint8_t scmg[BUFSZ];
		size_t scmg_len = build_msg(scmg, SGT_TR_M3UA, SGT_ITU, "0301920101", 1);
		struct chunk c[] = { { 3, 0, aspup, sizeof(aspup) }, { 3, 0, m3ua, m3ua_len },
				     { 3, 0, scmg, scmg_len } };

		n = sctp_wrap(sctp, 2905, 50000, c, 3);
		put_ip(&w, L_SLL, AF_INET, 132, sctp, n, false);
	}
	w_close(&w);
	read_capture(path, SGT_ITU, false);

	/* Linux cooked v2, IPv6 with a hop-by-hop header, PPI 0 on port 14001: SUA */
	w_open(&w, 276, path);
	{
		struct chunk c[] = { { 3, 0, sua, sua_len } };

		n = sctp_wrap(sctp, 14001, 14001, c, 1);
		put_ip(&w, L_SLL2, AF_INET6, 132, sctp, n, true);
	}
	w_close(&w);
	read_capture(path, SGT_ITU, false);

	/* BSD null (little-endian AF_INET6 = 30), IPv6, ANSI M3UA with A1 */
	a1_len = build_msg(a1, SGT_TR_M3UA, SGT_ANSI, A1_HEX, 247);
	w_open(&w, DLT_NULL, path);
	{
		struct chunk c[] = { { 3, SGT_M3UA_PPI, a1, a1_len } };

		n = sctp_wrap(sctp, 2905, 2905, c, 1);
		put_ip(&w, L_NULL_LE, AF_INET6, 132, sctp, n, false);
	}
	w_close(&w);
	read_capture(path, SGT_ANSI, false);

	/* raw IP: a truncated M3UA message */
	w_open(&w, DLT_RAW, path);
	{
		struct chunk c[] = { { 3, SGT_M3UA_PPI, m3ua, 30 } };

		n = sctp_wrap(sctp, 2905, 2905, c, 1);
		put_ip(&w, L_RAW, AF_INET, 132, sctp, n, false);
	}
	w_close(&w);
	read_capture(path, SGT_ITU, false);
	unlink(path);
}

static void test_capture_tcp(void)
{
	static const char path[] = "sigtran_test_tcp.pcap";
	uint8_t a[BUFSZ], b[BUFSZ], c[BUFSZ], ping[4] = { 0, 1, 0xfe, 0 }, seg[BUFSZ], tcp[BUFSZ];
	size_t al, bl, cl, n, pos;
	uint32_t seq = 1000;
	struct writer w;

	printf("== %s\n", __func__);
	al = build_msg(a, SGT_TR_IPA, SGT_ITU, V8_HEX, 146);
	bl = build_msg(b, SGT_TR_IPA, SGT_ITU, V9A_HEX, 146);
	cl = build_msg(c, SGT_TR_IPA, SGT_ITU, V1_HEX, 146);

	/* BSD loopback (network order), IPv4: SYN, then frames A, ping, B, C over four segments,
	 * with a retransmission, an overlapping segment and an empty ACK in between */
	w_open(&w, DLT_LOOP, path);
	n = tcp_wrap(tcp, 33000, 5000, seq - 1, 0x02, NULL, 0);
	put_ip(&w, L_LOOP, AF_INET, 6, tcp, n, false);
	/* segment 1: first 10 octets of A */
	n = tcp_wrap(tcp, 33000, 5000, seq, 0, a, 10);
	put_ip(&w, L_LOOP, AF_INET, 6, tcp, n, false);
	/* retransmission of segment 1 */
	put_ip(&w, L_LOOP, AF_INET, 6, tcp, n, false);
	/* segment 2: rest of A, ping, B, first 2 octets of C */
	pos = 0;
	memcpy(seg, a + 10, al - 10);
	pos += al - 10;
	memcpy(seg + pos, ping, 4);
	pos += 4;
	memcpy(seg + pos, b, bl);
	pos += bl;
	memcpy(seg + pos, c, 2);
	pos += 2;
	n = tcp_wrap(tcp, 33000, 5000, seq + 10, 0, seg, pos);
	put_ip(&w, L_LOOP, AF_INET, 6, tcp, n, false);
	/* an empty ACK from the other side */
	n = tcp_wrap(tcp, 5000, 33000, 1, 0, NULL, 0);
	put_ip(&w, L_LOOP, AF_INET, 6, tcp, n, false);
	/* segment 3 overlaps segment 2 by 2 octets and carries the rest of C, with FIN */
	n = tcp_wrap(tcp, 33000, 5000, seq + 10 + pos - 2, 0x01, c, cl);
	put_ip(&w, L_LOOP, AF_INET, 6, tcp, n, false);
	w_close(&w);
	read_capture(path, SGT_ITU, false);

	/* raw IPv6: a gap (lost segment) in the middle of a frame, then a segment starting with a
	 * frame; an HTTP flow; IPA with a bad header on a new flow */
	w_open(&w, DLT_RAW, path);
	n = tcp_wrap(tcp, 33001, 5000, 1, 0, a, 20);
	put_ip(&w, L_RAW, AF_INET6, 6, tcp, n, false);
	/* octets 20..29 of A are lost; the next segment starts with frame B */
	n = tcp_wrap(tcp, 33001, 5000, 1 + al, 0, b, bl);
	put_ip(&w, L_RAW, AF_INET6, 6, tcp, n, false);
	n = tcp_wrap(tcp, 40000, 80, 1, 0, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18);
	put_ip(&w, L_RAW, AF_INET6, 6, tcp, n, false);
	/* after a resynchronisation the flow continues with frame C */
	n = tcp_wrap(tcp, 40000, 80, 19, 0, c, cl);
	put_ip(&w, L_RAW, AF_INET6, 6, tcp, n, false);
	w_close(&w);
	read_capture(path, SGT_ITU, false);
	unlink(path);
}

static void test_open_errors(void)
{
	struct sgt_pcap *p;
	char err[256];
	struct writer w;
	FILE *f;
	int rc;

	printf("== %s\n", __func__);
	rc = sgt_pcap_open(&p, "sigtran_test_missing.pcap", SGT_ITU, err, sizeof(err));
	printf("missing file: %s\n", rc == -ENOENT ? "-ENOENT" : "?");
	f = fopen("sigtran_test_junk.pcap", "w");
	fputs("this is not a capture file\n", f);
	fclose(f);
	rc = sgt_pcap_open(&p, "sigtran_test_junk.pcap", SGT_ITU, err, sizeof(err));
	printf("not a capture: %s\n", rc < 0 ? "rejected" : "?");
	unlink("sigtran_test_junk.pcap");
	w_open(&w, 147, "sigtran_test_user.pcap");	/* DLT_USER0 */
	w_close(&w);
	rc = sgt_pcap_open(&p, "sigtran_test_user.pcap", SGT_ITU, err, sizeof(err));
	printf("link type 147: %s: %s\n", rc == -EPROTONOSUPPORT ? "-EPROTONOSUPPORT" : "?", strchr(err, ':') + 2);
	unlink("sigtran_test_user.pcap");
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--read")) {
		bool ansi = argc >= 4 && !strcmp(argv[3], "--ansi");

		read_capture(argv[2], ansi ? SGT_ANSI : SGT_ITU, true);
		return 0;
	}
	test_reference_frames();
	test_roundtrip();
	test_corruptions();
	test_special_messages();
	test_ipa_reassembly();
	test_capture_sctp();
	test_capture_tcp();
	test_open_errors();
	return 0;
}
