/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp: the SSP/MSC side of tandem-scp's protocols, on the same stack (a
 * libosmo-sigtran SCCP user from a cs7 config file, the TCAP layer of tcap_tsl.h).
 * `call` places one call and plays the switch until the SCP has directed it to its
 * end; `send-raw HEX` sends one hand-built TCAP message. Each TCAP message received
 * is printed as one tandem-decode JSON object per line on stdout; progress and the
 * reason of a failure go to stderr. main() parses options and runs the loop; the
 * stack is in ssp_stack.c, the CAP/INAP switch in ssp_cap.c, the AIN one in ssp_ain.c. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>
#include <osmocom/sigtran/osmo_ss7.h>
#include <osmocom/sigtran/sccp_sap.h>
#include <osmocom/vty/logging.h>
#include <osmocom/vty/vty.h>

#include "config.h"
#include "ssp.h"
#include "ssp_load.h"

/* Largest TCAP message send-raw takes (an SCCP LUDT carries at most ~3.9 KB). */
#define RAW_MAX 4096
/* After the call ended: how long we still listen (late answers are printed and fail the run). */
#define LINGER_S 0.3

static const struct log_info_cat log_cats[] = {
	[0] = { .name = "DSSP", .description = "tandem-ssp and its TCAP layer", .enabled = 1,
		.loglevel = LOGL_NOTICE },
};

static const struct log_info log_info = { .cat = log_cats, .num_cat = ARRAY_SIZE(log_cats) };

static struct vty_app_info vty_info = {
	.name = "tandem-ssp",
	.version = PACKAGE_VERSION,
	.go_parent_cb = osmo_ss7_vty_go_parent,
};

static struct ssp ssp;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tandem-ssp [OPTIONS] call --protocol cap2|cap3|cap4|inap|ain --direction orig|term\n"
		"                  --called N [--calling N] [--withheld] [--answer-after S --hold S]\n"
		"       tandem-ssp [OPTIONS] send-raw HEX\n"
		"\n"
		"Plays the switch (SSP/MSC) towards tandem-scp through an STP. Each TCAP message\n"
		"received is printed as one tandem-decode JSON object per line on stdout; progress\n"
		"and, on failure, a one-line reason go to stderr.\n"
		"Exit status: 0 the call went as the SCP directed (send-raw: sent), 1 the call failed\n"
		"(abort, reject, P-Abort, timeout, an answer we cannot use), 2 usage, 3 config, SCCP\n"
		"or link to the STP.\n"
		"\n"
		"Options:\n"
		"  -c, --config-file FILE  libosmo-sigtran config, cs7 instance 0 (default ssp.cfg)\n"
		"  --remote-pc PC          point code of the SCP (default 0.23.1)\n"
		"  --remote-ssn N          subsystem of the SCP (default: 146 CAP, 241 INAP, 247 AIN)\n"
		"  --local-ssn N           our subsystem (default: the remote one)\n"
		"  --timeout S             longest wait for an answer of the SCP (default 5)\n"
		"  --link-timeout S        longest wait for the link to the STP (default 5)\n"
		"  --hex                   add each received message as \"hex\" to its JSON object\n"
		"  --plan CC,NP,IP[,LEN]   number plan for the \"e164\" members (see tandem-decode)\n"
		"  -h, --help              this text\n"
		"\n"
		"call:\n"
		"  --protocol P            cap2, cap3, cap4, inap or ain\n"
		"  --direction D           orig (collectedInfo, O-CSI; AIN InfoAnalyzed) or term\n"
		"                          (termAttemptAuthorized, T-CSI; AIN TerminationAttempt)\n"
		"  --called N, --calling N +E164 or national digits (AIN: ten digits, +1 allowed)\n"
		"  --withheld              calling number presentation restricted\n"
		"  --service-key K         CAP/INAP service key (default 100)\n"
		"  --tct N                 AIN trigger criteria type (default 8 npaNXXXXXX, term 15)\n"
		"  --answer-after S        the called party answers S seconds after the SCP's answer (default 1)\n"
		"  --hold S                and the call is released S seconds later (default 1)\n"
		"  --release-leg 1|2       who hangs up: 1 calling (default), 2 called\n"
		"  --abort-after S         instead: TC-U-ABORT S seconds after the SCP's first TC-CONTINUE\n"
		"                          (AIN: Conversation)\n"
		"  --drop-after S          instead: stop answering S seconds after it (the SCP's timers end it)\n"
		"  --ac OID                application context to offer instead of the protocol's\n"
		"  --imsi IMSI, --msc N    CAP: add iMSI and mscAddress to the InitialDP\n"
		"\n"
		"send-raw:\n"
		"  --protocol P            decode the answers as P (default: from the message)\n"
		"  --wait S                stop S seconds after the last message received (default 2)\n"
		"\n");
	ssp_load_usage(f);
}

static int parse_seconds(double *out, const char *arg, double min)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || v < min || v > 86400) {
		fprintf(stderr, "tandem-ssp: not a number of seconds: '%s'\n", arg);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_uint(int *out, const char *arg, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		fprintf(stderr, "tandem-ssp: '%s' is not a number in %ld..%ld\n", arg, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_plan(struct tcap_dialplan *plan, const char *arg)
{
	char buf[64], *f[4] = { NULL }, *save = NULL, *tok;
	unsigned int n = 0, i;
	int len = 0;

	if (strlen(arg) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok && n < 4; tok = strtok_r(NULL, ",", &save))
		f[n++] = tok;
	if (n < 3 || tok)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (strspn(f[i], "0123456789") != strlen(f[i]))
			return -EINVAL;
	if (strlen(f[0]) >= sizeof(plan->country_code) || strlen(f[1]) >= sizeof(plan->national_prefix) ||
	    strlen(f[2]) >= sizeof(plan->international_prefix))
		return -EINVAL;
	if (f[3] && (parse_uint(&len, f[3], 0, 15)))
		return -EINVAL;
	memset(plan, 0, sizeof(*plan));
	OSMO_STRLCPY_ARRAY(plan->country_code, f[0]);
	OSMO_STRLCPY_ARRAY(plan->national_prefix, f[1]);
	OSMO_STRLCPY_ARRAY(plan->international_prefix, f[2]);
	plan->national_len = len;
	return 0;
}

static int unhex(uint8_t *out, size_t size, const char *hex)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (*hex == ' ' || *hex == ':')
			continue;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if ((*hex | 0x20) >= 'a' && (*hex | 0x20) <= 'f')
			v = (*hex | 0x20) - 'a' + 10;
		else
			return -EINVAL;
		if (hi < 0) {
			hi = v;
		} else {
			if (n == size)
				return -ENOSPC;
			out[n++] = hi << 4 | v;
			hi = -1;
		}
	}
	return hi < 0 && n ? (int)n : -EINVAL;
}

enum {
	O_REMOTE_PC = 256, O_REMOTE_SSN, O_LOCAL_SSN, O_TIMEOUT, O_LINK_TIMEOUT, O_HEX, O_PLAN, O_PROTOCOL,
	O_DIRECTION, O_CALLING, O_CALLED, O_WITHHELD, O_SERVICE_KEY, O_ANSWER_AFTER, O_HOLD, O_RELEASE_LEG,
	O_ABORT_AFTER, O_DROP_AFTER, O_AC, O_IMSI, O_MSC, O_WAIT, O_TCT,
};

static int parse_options(int argc, char **argv, struct ssp_opts *o)
{
	static const struct option lopts[] = {
		{ "config-file", 1, NULL, 'c' },
		{ "help", 0, NULL, 'h' },
		{ "remote-pc", 1, NULL, O_REMOTE_PC },
		{ "remote-ssn", 1, NULL, O_REMOTE_SSN },
		{ "local-ssn", 1, NULL, O_LOCAL_SSN },
		{ "timeout", 1, NULL, O_TIMEOUT },
		{ "link-timeout", 1, NULL, O_LINK_TIMEOUT },
		{ "hex", 0, NULL, O_HEX },
		{ "plan", 1, NULL, O_PLAN },
		{ "protocol", 1, NULL, O_PROTOCOL },
		{ "direction", 1, NULL, O_DIRECTION },
		{ "calling", 1, NULL, O_CALLING },
		{ "called", 1, NULL, O_CALLED },
		{ "withheld", 0, NULL, O_WITHHELD },
		{ "service-key", 1, NULL, O_SERVICE_KEY },
		{ "answer-after", 1, NULL, O_ANSWER_AFTER },
		{ "hold", 1, NULL, O_HOLD },
		{ "release-leg", 1, NULL, O_RELEASE_LEG },
		{ "abort-after", 1, NULL, O_ABORT_AFTER },
		{ "drop-after", 1, NULL, O_DROP_AFTER },
		{ "ac", 1, NULL, O_AC },
		{ "imsi", 1, NULL, O_IMSI },
		{ "msc", 1, NULL, O_MSC },
		{ "wait", 1, NULL, O_WAIT },
		{ "tct", 1, NULL, O_TCT },
		{}
	};
	int c, v;

	while ((c = getopt_long(argc, argv, "c:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case O_REMOTE_PC:
			o->remote_pc = optarg;
			break;
		case O_REMOTE_SSN:
			if (parse_uint(&o->remote_ssn, optarg, 2, 254))
				return -EINVAL;
			break;
		case O_LOCAL_SSN:
			if (parse_uint(&o->local_ssn, optarg, 2, 254))
				return -EINVAL;
			break;
		case O_TIMEOUT:
			if (parse_seconds(&o->timeout_s, optarg, 0.1))
				return -EINVAL;
			break;
		case O_LINK_TIMEOUT:
			if (parse_seconds(&o->link_timeout_s, optarg, 0.1))
				return -EINVAL;
			break;
		case O_HEX:
			o->hex = true;
			break;
		case O_PLAN:
			if (parse_plan(&o->plan, optarg)) {
				fprintf(stderr, "tandem-ssp: bad --plan '%s' (want CC,NP,IP[,LEN], digits)\n", optarg);
				return -EINVAL;
			}
			break;
		case O_PROTOCOL:
			if (ssp_parse_protocol(&o->proto, optarg))
				return -EINVAL;
			break;
		case O_DIRECTION:
			if (ssp_parse_direction(&o->term, optarg))
				return -EINVAL;
			break;
		case O_CALLING:
			o->calling = optarg;
			break;
		case O_CALLED:
			o->called = optarg;
			break;
		case O_WITHHELD:
			o->withheld = true;
			break;
		case O_SERVICE_KEY:
			if (parse_uint(&v, optarg, 0, 2147483647))
				return -EINVAL;
			o->service_key = v;
			break;
		case O_ANSWER_AFTER:
			if (parse_seconds(&o->answer_after, optarg, 0))
				return -EINVAL;
			break;
		case O_HOLD:
			if (parse_seconds(&o->hold, optarg, 0))
				return -EINVAL;
			break;
		case O_RELEASE_LEG:
			if (parse_uint(&o->release_leg, optarg, 1, 2))
				return -EINVAL;
			break;
		case O_ABORT_AFTER:
			if (parse_seconds(&o->abort_after, optarg, 0))
				return -EINVAL;
			break;
		case O_DROP_AFTER:
			if (parse_seconds(&o->drop_after, optarg, 0))
				return -EINVAL;
			break;
		case O_AC:
			o->ac = optarg;
			break;
		case O_IMSI:
			o->imsi = optarg;
			break;
		case O_MSC:
			o->msc = optarg;
			break;
		case O_TCT:
			if (parse_uint(&o->tct, optarg, 0, 255))
				return -EINVAL;
			break;
		case O_WAIT:
			if (parse_seconds(&o->wait_s, optarg, 0))
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

static struct osmo_timer_list t_quiet;

static void quiet_cb(void *data)
{
	ssp_finish(&ssp, SSP_EXIT_OK, "no more answers");
}

/* send-raw: every answer restarts the --wait period */
static void raw_on_rx(struct ssp *s)
{
	ssp_timer_schedule(&t_quiet, s->opt.wait_s);
}

static void linger_cb(void *data)
{
	*(bool *)data = true;
}

int main(int argc, char **argv)
{
	struct ssp_opts *o = &ssp.opt;
	struct osmo_ss7_instance *inst;
	uint8_t raw[RAW_MAX];
	int raw_len = 0;
	bool raw_mode;
	uint16_t rssn, lssn;
	void *ctx;
	int i;

	*o = (struct ssp_opts){
		.config = "ssp.cfg",
		.remote_pc = "0.23.1",
		.remote_ssn = -1,
		.local_ssn = -1,
		.timeout_s = 5,
		.link_timeout_s = 5,
		.service_key = 100,
		.answer_after = 1,
		.hold = 1,
		.release_leg = 1,
		.abort_after = -1,
		.drop_after = -1,
		.tct = -1,
		.wait_s = 2,
	};
	/* load and echo have options of their own (ssp_load.c) */
	if (ssp_load_wanted(argc, argv))
		return ssp_load_main(argc, argv);
	if (parse_options(argc, argv, o)) {
		usage(stderr);
		return SSP_EXIT_USAGE;
	}
	if (optind < argc && !strcmp(argv[optind], "send-raw") && argc - optind == 2) {
		raw_mode = true;
		raw_len = unhex(raw, sizeof(raw), argv[optind + 1]);
		if (raw_len < 0) {
			fprintf(stderr, "tandem-ssp: not a hex string: '%s'\n", argv[optind + 1]);
			return SSP_EXIT_USAGE;
		}
	} else if (optind < argc && !strcmp(argv[optind], "call") && argc - optind == 1) {
		raw_mode = false;
		if (o->proto == TD_PROTO_UNKNOWN || !o->called) {
			fprintf(stderr, "tandem-ssp: call needs --protocol and --called\n");
			return SSP_EXIT_USAGE;
		}
	} else {
		usage(stderr);
		return SSP_EXIT_USAGE;
	}
	rssn = o->remote_ssn > 0 ? o->remote_ssn : o->proto == TD_PROTO_INAP ? 241 : o->proto == TD_PROTO_AIN ? 247 : 146;
	lssn = o->local_ssn > 0 ? o->local_ssn : rssn;

	ctx = talloc_named_const(NULL, 1, "tandem-ssp");
	ssp.ctx = ctx;
	ssp.td.plan = o->plan;
	ssp.print_hint = o->proto;
	msgb_talloc_ctx_init(ctx, 0);
	osmo_init_logging2(ctx, &log_info);
	log_set_print_filename2(osmo_stderr_target, LOG_FILENAME_NONE);
	log_set_print_category(osmo_stderr_target, 1);
	vty_info.tall_ctx = ctx;
	vty_init(&vty_info);
	logging_vty_add_cmds();
	if (osmo_ss7_init() < 0) {
		ssp_finish(&ssp, SSP_EXIT_SETUP, "cannot initialise libosmo-sigtran");
		goto out;
	}
	osmo_ss7_vty_init_asp(ctx);
	osmo_sccp_vty_init();
	if (vty_read_config_file(o->config, NULL) < 0) {
		ssp_finish(&ssp, SSP_EXIT_SETUP, "cannot read the config file '%s'", o->config);
		goto out;
	}

	if (raw_mode) {
		struct tcap_decode_err err;
		struct tcap_msg *m = NULL;

		/* answers that do not name their protocol are decoded as the message we sent */
		if (ssp.print_hint == TD_PROTO_UNKNOWN && tcap_msg_decode(ctx, &m, &err, raw, raw_len) != -ENOMEM &&
		    m)
			ssp.print_hint = td_guess_proto(m, &ssp.td, TD_PROTO_UNKNOWN);
		tcap_msg_free(m);
		ssp.td.force = o->proto;
		if (ssp_stack_start(&ssp, rssn, lssn, raw[0] >= 0xe0 ? TCAP_ANSI : TCAP_ITU, NULL))
			goto out;
		osmo_timer_setup(&t_quiet, quiet_cb, NULL);
		ssp.on_rx = raw_on_rx;
		if (ssp_send_raw(&ssp, raw, raw_len)) {
			ssp_finish(&ssp, SSP_EXIT_SETUP, "cannot send");
			goto out;
		}
		ssp_timer_schedule(&t_quiet, o->wait_s);
	} else {
		bool ain = o->proto == TD_PROTO_AIN;

		if (ssp_stack_start(&ssp, rssn, lssn, ain ? TCAP_ANSI : TCAP_ITU, ain ? ssp_ain_ind : ssp_cap_ind))
			goto out;
		if (ain)
			ssp_ain_call(&ssp);
		else
			ssp_cap_call(&ssp);
	}
	while (!ssp.done)
		osmo_select_main_ctx(0);

	if (!raw_mode) {
		/* let what we sent last leave, and print what still comes (it should not) */
		struct osmo_timer_list t_linger;
		unsigned int before = ssp.received;
		bool over = false;

		osmo_timer_setup(&t_linger, linger_cb, &over);
		ssp_timer_schedule(&t_linger, LINGER_S);
		while (!over)
			osmo_select_main_ctx(0);
		if (ssp.received != before && ssp.exit_code == SSP_EXIT_OK) {
			ssp.exit_code = SSP_EXIT_CALL;
			snprintf(ssp.reason, sizeof(ssp.reason), "the SCP sent %u more message(s) after the call ended",
				 ssp.received - before);
		}
		ssp_cap_stop();
		ssp_ain_stop();
	}
	osmo_timer_del(&t_quiet);
out:
	ssp_stack_stop(&ssp);
	/* let an abort of a dialogue still open leave before the link goes */
	for (i = 0; i < 5; i++)
		osmo_select_main_ctx(1);
	if (raw_mode)
		ssp_note("received %u", ssp.received);
	if (ssp.exit_code)
		ssp_note("%s", ssp.reason);
	else if (!raw_mode)
		ssp_note("%s", ssp.reason);
	inst = osmo_ss7_instance_find(0);
	if (inst)
		osmo_ss7_instance_destroy(inst);
	log_fini();
	talloc_free(msgb_talloc_ctx_init(NULL, 0));
	talloc_free(ctx);
	return ssp.exit_code;
}
