/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* mkframe: wrap TCAP messages (hex) in SCCP and M3UA/SUA/IPA with the sigtran builders and
 * print each frame as hex or as a text2pcap hexdump; used by tests/tshark-referee.sh. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigtran.h"

#define MAX_MSG	4096

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mkframe [options] HEX...   (or - to read one HEX per line from stdin)\n"
		"  --itu | --ansi          SCCP address format (default itu)\n"
		"  --ssn N                 called and calling SSN (default 146)\n"
		"  --cdpa-ssn N, --cgpa-ssn N\n"
		"  --cdpa-pc N, --cgpa-pc N  put a point code into the SCCP address\n"
		"  --cdpa-gt DIGITS, --cgpa-gt DIGITS  add a global title (ITU GTI 4 / ANSI GTI 2, TT 0,\n"
		"                          NP 1 E.164, NAI 4 international) and route on GT\n"
		"  --opc N --dpc N --ni N --sls N  M3UA routing label (default 1, 2, 2, 0)\n"
		"  --rctx N                add a routing context (M3UA, SUA)\n"
		"  --transport m3ua|sua|ipa  (default m3ua)\n"
		"  --sccp udt|xudt|ludt    SCCP message type (default udt; not used by sua)\n"
		"  --text2pcap             print a text2pcap hexdump instead of one hex line per frame\n");
}

static int hex_decode(uint8_t *out, size_t size, size_t *len, const char *hex)
{
	size_t n = 0;

	while (*hex) {
		unsigned int v;

		if (*hex == ' ' || *hex == '\t' || *hex == '\n' || *hex == '\r') {
			hex++;
			continue;
		}
		if (!hex[1] || sscanf(hex, "%2x", &v) != 1 || strspn(hex, "0123456789abcdefABCDEF") < 2)
			return -EINVAL;
		if (n == size)
			return -EMSGSIZE;
		out[n++] = v;
		hex += 2;
	}
	*len = n;
	return 0;
}

struct opts {
	enum sgt_variant variant;
	enum sgt_transport transport;
	uint8_t sccp_type;
	struct sgt_sccp_addr called, calling;
	struct sgt_mtp_label label;
	bool rctx_present;
	uint32_t rctx;
	bool text2pcap;
};

static int frame_one(const struct opts *o, const char *hex)
{
	uint8_t tcap[MAX_MSG], sccp[MAX_MSG + 600], out[MAX_MSG + 1200];
	struct sgt_sccp_msg m = {
		.msg_type = o->sccp_type,
		.proto_class = SGT_PCLASS_RETURN_ON_ERROR,	/* class 0, return message on error */
		.called = o->called,
		.calling = o->calling,
	};
	const uint32_t *rctx = o->rctx_present ? &o->rctx : NULL;
	size_t tcap_len, sccp_len, out_len, i;
	int rc;

	rc = hex_decode(tcap, sizeof(tcap), &tcap_len, hex);
	if (rc < 0) {
		fprintf(stderr, "mkframe: not a hex string: %s\n", hex);
		return rc;
	}
	m.data = tcap;
	m.data_len = tcap_len;
	if (o->transport == SGT_TR_SUA) {
		rc = sgt_sua_cldt_build(out, sizeof(out), &out_len, rctx, &m);
	} else {
		rc = sgt_sccp_build(sccp, sizeof(sccp), &sccp_len, o->variant, &m);
		if (rc == 0 && o->transport == SGT_TR_M3UA)
			rc = sgt_m3ua_data_build(out, sizeof(out), &out_len, &o->label, rctx, sccp, sccp_len);
		else if (rc == 0)
			rc = sgt_ipa_build(out, sizeof(out), &out_len, SGT_IPA_STREAM_SCCP, sccp, sccp_len);
	}
	if (rc < 0) {
		fprintf(stderr, "mkframe: cannot build a frame for %zu octets of TCAP: %s\n", tcap_len, strerror(-rc));
		return rc;
	}
	for (i = 0; i < out_len; i++) {
		if (!o->text2pcap)
			printf("%02x", out[i]);
		else if (i % 16 == 0)	/* each packet restarts at offset 0 */
			printf("%s%06zx %02x", i ? "\n" : "", i, out[i]);
		else
			printf(" %02x", out[i]);
	}
	printf("\n");
	return 0;
}

static int parse_uint(uint32_t *out, const char *s, uint32_t max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -EINVAL;
	*out = v;
	return 0;
}

static void set_gt(struct sgt_sccp_addr *a, enum sgt_variant v, const char *digits)
{
	memset(&a->gt, 0, sizeof(a->gt));
	a->gt.gti = v == SGT_ITU ? 4 : 2;
	a->gt.np = 1;
	a->gt.nai = 4;
	snprintf(a->gt.digits, sizeof(a->gt.digits), "%s", digits);
	a->route_on_ssn = false;
}

int main(int argc, char **argv)
{
	enum { O_ITU = 256, O_ANSI, O_SSN, O_CDSSN, O_CGSSN, O_CDPC, O_CGPC, O_CDGT, O_CGGT, O_OPC, O_DPC, O_NI,
	       O_SLS, O_RCTX, O_TR, O_SCCP, O_T2P, O_HELP };
	static const struct option lopts[] = {
		{ "itu", no_argument, NULL, O_ITU },
		{ "ansi", no_argument, NULL, O_ANSI },
		{ "ssn", required_argument, NULL, O_SSN },
		{ "cdpa-ssn", required_argument, NULL, O_CDSSN },
		{ "cgpa-ssn", required_argument, NULL, O_CGSSN },
		{ "cdpa-pc", required_argument, NULL, O_CDPC },
		{ "cgpa-pc", required_argument, NULL, O_CGPC },
		{ "cdpa-gt", required_argument, NULL, O_CDGT },
		{ "cgpa-gt", required_argument, NULL, O_CGGT },
		{ "opc", required_argument, NULL, O_OPC },
		{ "dpc", required_argument, NULL, O_DPC },
		{ "ni", required_argument, NULL, O_NI },
		{ "sls", required_argument, NULL, O_SLS },
		{ "rctx", required_argument, NULL, O_RCTX },
		{ "transport", required_argument, NULL, O_TR },
		{ "sccp", required_argument, NULL, O_SCCP },
		{ "text2pcap", no_argument, NULL, O_T2P },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.variant = SGT_ITU,
		.transport = SGT_TR_M3UA,
		.sccp_type = SGT_SCCP_UDT,
		.called = { .route_on_ssn = true, .ssn_present = true, .ssn = 146 },
		.calling = { .route_on_ssn = true, .ssn_present = true, .ssn = 146 },
		.label = { .opc = 1, .dpc = 2, .si = 3, .ni = 2 },
	};
	const char *cd_gt = NULL, *cg_gt = NULL;
	uint32_t v;
	int c, i, rc = 0;

	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		const char *a = optarg;

		switch (c) {
		case O_ITU:
			o.variant = SGT_ITU;
			break;
		case O_ANSI:
			o.variant = SGT_ANSI;
			break;
		case O_SSN:
		case O_CDSSN:
		case O_CGSSN:
			if (parse_uint(&v, a, 255))
				goto bad;
			if (c != O_CGSSN)
				o.called.ssn = v;
			if (c != O_CDSSN)
				o.calling.ssn = v;
			break;
		case O_CDPC:
		case O_CGPC:
			if (parse_uint(&v, a, 0xffffff))
				goto bad;
			if (c == O_CDPC) {
				o.called.pc_present = true;
				o.called.pc = v;
			} else {
				o.calling.pc_present = true;
				o.calling.pc = v;
			}
			break;
		case O_CDGT:
			cd_gt = a;
			break;
		case O_CGGT:
			cg_gt = a;
			break;
		case O_OPC:
		case O_DPC:
			if (parse_uint(&v, a, 0xffffffff))
				goto bad;
			if (c == O_OPC)
				o.label.opc = v;
			else
				o.label.dpc = v;
			break;
		case O_NI:
			if (parse_uint(&v, a, 3))
				goto bad;
			o.label.ni = v;
			break;
		case O_SLS:
			if (parse_uint(&v, a, 255))
				goto bad;
			o.label.sls = v;
			break;
		case O_RCTX:
			if (parse_uint(&o.rctx, a, 0xffffffff))
				goto bad;
			o.rctx_present = true;
			break;
		case O_TR:
			if (!strcmp(a, "m3ua"))
				o.transport = SGT_TR_M3UA;
			else if (!strcmp(a, "sua"))
				o.transport = SGT_TR_SUA;
			else if (!strcmp(a, "ipa"))
				o.transport = SGT_TR_IPA;
			else
				goto bad;
			break;
		case O_SCCP:
			if (!strcmp(a, "udt"))
				o.sccp_type = SGT_SCCP_UDT;
			else if (!strcmp(a, "xudt"))
				o.sccp_type = SGT_SCCP_XUDT;
			else if (!strcmp(a, "ludt"))
				o.sccp_type = SGT_SCCP_LUDT;
			else
				goto bad;
			break;
		case O_T2P:
			o.text2pcap = true;
			break;
		case O_HELP:
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		continue;
bad:
		fprintf(stderr, "mkframe: bad value '%s' for --%s\n", a, lopts[c - O_ITU].name);
		return 2;
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	/* T1.112 addresses normally carry the national indicator; the ITU bit is reserved */
	o.called.national = o.calling.national = o.variant == SGT_ANSI;
	if (cd_gt)
		set_gt(&o.called, o.variant, cd_gt);
	if (cg_gt)
		set_gt(&o.calling, o.variant, cg_gt);

	for (i = optind; i < argc && rc == 0; i++) {
		char line[2 * MAX_MSG + 16];

		if (strcmp(argv[i], "-")) {
			rc = frame_one(&o, argv[i]);
			continue;
		}
		while (rc == 0 && fgets(line, sizeof(line), stdin)) {
			if (!strchr(line, '\n') && !feof(stdin)) {
				fprintf(stderr, "mkframe: input line too long\n");
				rc = -EMSGSIZE;
				break;
			}
			if (strspn(line, " \t\r\n") == strlen(line))
				continue;
			rc = frame_one(&o, line);
		}
	}
	return rc ? 1 : 0;
}
