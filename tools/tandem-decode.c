/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-decode: decode TCAP messages (ITU and ANSI; CAP, INAP and AIN arguments)
 * given as hex on the command line, one per line on stdin, or found in a pcap
 * capture (M3UA, SUA or IPA), and print one JSON object per message. */

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <talloc.h>

#include <tandem/tcap_msg.h>

#include "decode_json.h"
#include "sigtran.h"

/* Exit codes (doc/tandem-decode.md). */
#define EXIT_MALFORMED 1
#define EXIT_USAGE 2

/* Largest message we accept on the command line or stdin (an SCCP LUDT carries at most ~3.9 KB). */
#define MAX_MSG 8192

/*
 * Dialogue tracking: a Continue/End carries no application context, so the
 * protocol of a dialogue is remembered from its Begin (keyed by transaction id).
 * A small direct-mapped table: a collision only loses the protocol of an older
 * dialogue, which then prints as "unknown".
 */
#define DLG_SLOTS 4096

struct dlg_slot {
	struct tcap_tid tid;
	enum td_proto proto;
};

static struct dlg_slot dlg_table[DLG_SLOTS];

static unsigned int tid_hash(const struct tcap_tid *t)
{
	unsigned int h = 2166136261u, i;

	for (i = 0; i < t->len; i++)
		h = (h ^ t->buf[i]) * 16777619u;
	return h % DLG_SLOTS;
}

static void dlg_remember(const struct tcap_tid *t, enum td_proto p)
{
	struct dlg_slot *s;

	if (!t->len || p == TD_PROTO_UNKNOWN)
		return;
	s = &dlg_table[tid_hash(t)];
	s->tid = *t;
	s->proto = p;
}

static enum td_proto dlg_lookup(const struct tcap_tid *t)
{
	const struct dlg_slot *s;

	if (!t->len)
		return TD_PROTO_UNKNOWN;
	s = &dlg_table[tid_hash(t)];
	if (s->tid.len == t->len && !memcmp(s->tid.buf, t->buf, t->len))
		return s->proto;
	return TD_PROTO_UNKNOWN;
}

struct decoder {
	void *ctx;
	struct td_opts opts;
	size_t json_flags;
	unsigned long decoded, malformed;
};

static const char *err_kind_name(enum tcap_err_kind k)
{
	switch (k) {
	case TCAP_ERR_PABORT:
		return "p_abort";
	case TCAP_ERR_REJECT:
		return "reject";
	case TCAP_ERR_DIALOGUE:
		return "dialogue";
	default:
		return "none";
	}
}

/* Decode one message and print it. extra (may be NULL) is merged into the object.
 * \returns 0, or EXIT_MALFORMED: printed with "error", or not TCAP (stderr only). */
static int decode_one(struct decoder *d, const uint8_t *buf, size_t len, json_t *extra, const char *where)
{
	struct tcap_decode_err err;
	struct tcap_msg *m = NULL;
	enum td_proto p, hint;
	json_t *j;
	int rc;

	rc = tcap_msg_decode(d->ctx, &m, &err, buf, len);
	if (rc == -ENOMEM) {
		fprintf(stderr, "tandem-decode: out of memory\n");
		exit(EXIT_FAILURE);
	}
	if (rc && (!m || (err.kind == TCAP_ERR_PABORT &&
			  err.cause == (m->variant == TCAP_ITU ? TCAP_PA_UNRECOGNIZED_MSG_TYPE
							       : TCAP_APA_UNRECOGNIZED_PKG_TYPE)))) {
		/* not even the message type is TCAP's */
		fprintf(stderr, "tandem-decode: %s: not a TCAP message: %s\n", where, err.text);
		tcap_msg_free(m);
		d->malformed++;
		return EXIT_MALFORMED;
	}

	/* a Continue/End/Abort answers the dialogue its DTID names; ANSI answers name the
	 * originator's id in the responding part */
	hint = dlg_lookup(&m->dtid);
	if (hint == TD_PROTO_UNKNOWN)
		hint = dlg_lookup(&m->otid);
	p = td_guess_proto(m, &d->opts, hint);
	dlg_remember(&m->otid, p);
	dlg_remember(&m->dtid, p);

	j = td_msg_to_json(m, p, &d->opts);
	if (extra) {
		/* where the message was found comes first, then the message */
		json_t *all = json_copy(extra);

		json_object_update(all, j);
		json_decref(j);
		j = all;
	}
	if (!rc) {
		/* a component whose argument does not decode makes the message malformed too:
		 * the SCP would answer it with Reject mistypedParameter */
		json_t *c;
		size_t i;

		json_array_foreach(json_object_get(j, "components"), i, c) {
			if (json_object_get(c, "error"))
				rc = -EBADMSG;
		}
		if (rc)
			d->malformed++;
		else
			d->decoded++;
	} else {
		json_t *e = json_object();

		json_object_set_new(e, "kind", json_string(err_kind_name(err.kind)));
		if (err.kind == TCAP_ERR_PABORT) {
			const char *name = tcap_pabort_name(m->variant, err.cause);

			json_object_set_new(e, "cause", name ? json_string(name) : json_integer(err.cause));
		}
		if (err.kind == TCAP_ERR_REJECT) {
			json_object_set_new(e, "component", json_integer(err.comp_index));
			json_object_set_new(e, "problem", json_integer(err.problem));
		}
		json_object_set_new(e, "message", json_string(err.text));
		json_object_set_new(j, "error", e);
		d->malformed++;
	}
	if (json_dumpf(j, stdout, d->json_flags) == 0)
		putchar('\n');
	json_decref(j);
	tcap_msg_free(m);
	return rc ? EXIT_MALFORMED : 0;
}

static int unhex(uint8_t *out, size_t size, const char *hex, size_t *len)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;
		char c = *hex;

		if (c == ' ' || c == '\t' || c == ':' || c == '\r' || c == '\n')
			continue;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return -EINVAL;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == size)
			return -ENOSPC;
		out[n++] = hi << 4 | v;
		hi = -1;
	}
	if (hi >= 0)
		return -EINVAL;
	*len = n;
	return 0;
}

static int decode_hex(struct decoder *d, const char *hex, const char *where)
{
	static uint8_t buf[MAX_MSG];
	size_t len;
	int rc = unhex(buf, sizeof(buf), hex, &len);

	if (rc == -ENOSPC) {
		fprintf(stderr, "tandem-decode: %s: message longer than %d octets\n", where, MAX_MSG);
		return EXIT_USAGE;
	}
	if (rc || !len) {
		fprintf(stderr, "tandem-decode: %s: not hex\n", where);
		return EXIT_USAGE;
	}
	return decode_one(d, buf, len, NULL, where);
}

static int worst(int a, int b)
{
	return a > b ? a : b;
}

/* One message per line: hex with blanks between octets at most, so a line of a
 * message within MAX_MSG fits in STDIN_LINE characters. A longer line is
 * reported and skipped, not read into memory. */
#define STDIN_LINE (3 * MAX_MSG + 64)

static int run_stdin(struct decoder *d)
{
	static char line[STDIN_LINE + 2];
	char where[32];
	unsigned long lineno = 0;
	int status = 0;

	while (fgets(line, sizeof(line), stdin)) {
		size_t n = strlen(line);
		char *p = line;

		lineno++;
		snprintf(where, sizeof(where), "line %lu", lineno);
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			int c;

			while ((c = getchar()) != EOF && c != '\n')
				;
			fprintf(stderr, "tandem-decode: %s: longer than %d characters\n", where, STDIN_LINE);
			status = worst(status, EXIT_USAGE);
			continue;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || *p == '\0' || *p == '#')
			continue;
		status = worst(status, decode_hex(d, p, where));
	}
	return status;
}

static void endpoint_str(char *out, size_t size, const struct sgt_endpoint *e)
{
	if (e->family == AF_INET) {
		snprintf(out, size, "%u.%u.%u.%u:%u", e->addr[0], e->addr[1], e->addr[2], e->addr[3], e->port);
	} else {
		size_t pos = 0;
		int i;

		out[0] = '\0';
		pos += snprintf(out + pos, size - pos, "[");
		for (i = 0; i < 16 && pos < size; i += 2)
			pos += snprintf(out + pos, size - pos, "%s%x", i ? ":" : "", e->addr[i] << 8 | e->addr[i + 1]);
		if (pos < size)
			snprintf(out + pos, size - pos, "]:%u", e->port);
	}
}

static json_t *pdu_json(const struct sgt_tcap_pdu *pdu)
{
	json_t *j = json_object();
	char ts[48], ep[64];

	json_object_set_new(j, "frame", json_integer(pdu->frame));
	snprintf(ts, sizeof(ts), "%lld.%09u", (long long)pdu->ts_sec, pdu->ts_nsec);
	json_object_set_new(j, "time", json_string(ts));
	json_object_set_new(j, "transport", json_string(sgt_transport_name(pdu->transport)));
	if (pdu->src.family) {
		endpoint_str(ep, sizeof(ep), &pdu->src);
		json_object_set_new(j, "src", json_string(ep));
		endpoint_str(ep, sizeof(ep), &pdu->dst);
		json_object_set_new(j, "dst", json_string(ep));
	}
	if (pdu->label_present) {
		json_object_set_new(j, "opc", json_integer(pdu->label.opc));
		json_object_set_new(j, "dpc", json_integer(pdu->label.dpc));
	}
	if (pdu->sccp.called.ssn_present)
		json_object_set_new(j, "called_ssn", json_integer(pdu->sccp.called.ssn));
	if (pdu->sccp.calling.ssn_present)
		json_object_set_new(j, "calling_ssn", json_integer(pdu->sccp.calling.ssn));
	if (pdu->sccp.called.gt.gti && pdu->sccp.called.gt.digits[0])
		json_object_set_new(j, "called_gt", json_string(pdu->sccp.called.gt.digits));
	if (pdu->sccp.calling.gt.gti && pdu->sccp.calling.gt.digits[0])
		json_object_set_new(j, "calling_gt", json_string(pdu->sccp.calling.gt.digits));
	return j;
}

static int run_pcap(struct decoder *d, const char *path, enum sgt_variant v)
{
	struct sgt_pcap *p;
	struct sgt_tcap_pdu pdu;
	struct sgt_pcap_stats st;
	char errbuf[256], where[64];
	int rc, status = 0;

	rc = sgt_pcap_open(&p, path, v, errbuf, sizeof(errbuf));
	if (rc) {
		fprintf(stderr, "tandem-decode: %s: %s\n", path, errbuf);
		return EXIT_USAGE;
	}
	while ((rc = sgt_pcap_next(p, &pdu)) == 0) {
		json_t *extra = pdu_json(&pdu);

		snprintf(where, sizeof(where), "frame %llu", (unsigned long long)pdu.frame);
		/* inside a capture, a message that is not TCAP is reported and skipped */
		status = worst(status, decode_one(d, pdu.sccp.data, pdu.sccp.data_len, extra, where));
		json_decref(extra);
	}
	if (rc != -ENODATA) {
		fprintf(stderr, "tandem-decode: %s: read error\n", path);
		status = EXIT_USAGE;
	}
	sgt_pcap_get_stats(p, &st);
	sgt_pcap_close(p);
	fprintf(stderr, "tandem-decode: %s: %llu frames, %llu TCAP messages (%lu decoded, %lu malformed)\n", path,
		(unsigned long long)st.frames, (unsigned long long)st.pdus, d->decoded, d->malformed);
	return status;
}

static int parse_plan(struct tcap_dialplan *plan, const char *arg)
{
	char tmp[64], *f[4] = { NULL }, *save = NULL, *tok;
	int n = 0;

	if (strlen(arg) >= sizeof(tmp))
		return -EINVAL;
	strcpy(tmp, arg);
	for (tok = strtok_r(tmp, ",", &save); tok && n < 4; tok = strtok_r(NULL, ",", &save))
		f[n++] = tok;
	if (n < 3 || tok)
		return -EINVAL;
	if (strlen(f[0]) >= sizeof(plan->country_code) || strlen(f[1]) >= sizeof(plan->national_prefix) ||
	    strlen(f[2]) >= sizeof(plan->international_prefix) || strspn(f[0], "0123456789") != strlen(f[0]) ||
	    strspn(f[1], "0123456789") != strlen(f[1]) || strspn(f[2], "0123456789") != strlen(f[2]) || !f[0][0])
		return -EINVAL;
	memset(plan, 0, sizeof(*plan));
	strcpy(plan->country_code, f[0]);
	strcpy(plan->national_prefix, f[1]);
	strcpy(plan->international_prefix, f[2]);
	if (f[3]) {
		char *end;
		long l = strtol(f[3], &end, 10);

		if (*end || l < 1 || l > 15)
			return -EINVAL;
		plan->national_len = l;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tandem-decode [OPTIONS] HEX...\n"
		"       tandem-decode [OPTIONS] -            one hex message per line on stdin\n"
		"       tandem-decode [OPTIONS] --pcap FILE  TCAP inside SCCP inside M3UA, SUA or IPA\n"
		"\n"
		"Decodes ITU TCAP (CAP v2/v3/v4, INAP CS-1) and ANSI TCAP (AIN 0.1/0.2) messages and\n"
		"prints one JSON object per message.\n"
		"\n"
		"Options:\n"
		"  -p, --protocol P       decode components as cap2, cap3, cap4, inap or ain (default:\n"
		"                         from the application context, the dialogue's Begin, or the\n"
		"                         operation codes)\n"
		"  -n, --plan CC,NP,IP[,LEN]\n"
		"                         number plan for the \"e164\" members: country code, national\n"
		"                         prefix, international prefix, national number length\n"
		"                         (e.g. 1,1,011,10 for North America, 44,0,00,10 for the UK)\n"
		"      --sccp itu|ansi    SCCP address format in --pcap captures (default itu)\n"
		"      --pretty           indent the JSON\n"
		"  -h, --help             this text\n"
		"  -V, --version          version\n"
		"\n"
		"Exit status: 0 every message decoded; 1 a message was malformed (it is printed with an\n"
		"\"error\" member) or is not TCAP (a line on stderr); 2 bad usage or unreadable input.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "protocol", required_argument, NULL, 'p' },
		{ "plan", required_argument, NULL, 'n' },
		{ "pcap", required_argument, NULL, 'P' },
		{ "sccp", required_argument, NULL, 'S' },
		{ "pretty", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct decoder d = { .json_flags = JSON_COMPACT | JSON_PRESERVE_ORDER };
	const char *pcap = NULL;
	enum sgt_variant sccp = SGT_ITU;
	int c, i, status = 0;

	while ((c = getopt_long(argc, argv, "p:n:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (td_proto_from_name(&d.opts.force, optarg) || d.opts.force == TD_PROTO_UNKNOWN) {
				fprintf(stderr, "tandem-decode: unknown protocol '%s' (cap2, cap3, cap4, inap, ain)\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (parse_plan(&d.opts.plan, optarg)) {
				fprintf(stderr, "tandem-decode: bad --plan '%s' (want CC,NP,IP[,LEN], digits)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'P':
			pcap = optarg;
			break;
		case 'S':
			if (!strcmp(optarg, "itu")) {
				sccp = SGT_ITU;
			} else if (!strcmp(optarg, "ansi")) {
				sccp = SGT_ANSI;
			} else {
				fprintf(stderr, "tandem-decode: --sccp takes itu or ansi\n");
				return EXIT_USAGE;
			}
			break;
		case 'r':
			d.json_flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tandem-decode %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}

	if ((pcap && optind != argc) || (!pcap && optind == argc)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	d.ctx = talloc_named_const(NULL, 0, "tandem-decode");

	if (pcap) {
		status = run_pcap(&d, pcap, sccp);
	} else if (argc - optind == 1 && !strcmp(argv[optind], "-")) {
		status = run_stdin(&d);
	} else {
		for (i = optind; i < argc; i++) {
			char where[32];

			snprintf(where, sizeof(where), "argument %d", i - optind + 1);
			status = worst(status, decode_hex(&d, argv[i], where));
		}
	}
	fflush(stdout);
	talloc_free(d.ctx);
	return status;
}
