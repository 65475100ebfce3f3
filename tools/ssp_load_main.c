/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp load and echo: their options, the `load-limit` safety limits of the config file,
 * and the start-up and shut-down around ssp_load_run() and ssp_echo_run() (the same order as
 * tandem-ssp.c's main(): talloc, logging, VTY, libosmo-sigtran, config, signals, stack). */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>

#include <talloc.h>

#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/select.h>
#include <osmocom/core/utils.h>
#include <osmocom/sigtran/osmo_ss7.h>
#include <osmocom/sigtran/sccp_sap.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/logging.h>
#include <osmocom/vty/vty.h>

#include "config.h"
#include "ssp.h"
#include "ssp_load.h"

/* Safety limits, raised or lowered by `load-limit` in the config file. */
static struct {
	unsigned int rate;		/* calls per second */
	unsigned int duration;		/* seconds of arrivals */
	unsigned int dialogues;		/* calls at once, as rate * (longest life of a call) */
} limits = { .rate = 1000, .duration = 300, .dialogues = 100000 };

static volatile bool g_stop;

static void signal_cb(struct osmo_signalfd *osfd, const struct signalfd_siginfo *fdsi)
{
	g_stop = true;
}


DEFUN(cfg_load_limit, cfg_load_limit_cmd, "load-limit (rate|duration|dialogues) <1-10000000>",
      "Safety limits of tandem-ssp load (refused beyond them)\n"
      "Highest --rate, calls per second (default 1000)\n"
      "Longest --duration, seconds (default 300)\n"
      "Most calls at once, as rate times the life of a call (default 100000)\n"
      "Limit\n")
{
	unsigned int v = atoi(argv[1]);

	if (!strcmp(argv[0], "rate"))
		limits.rate = v;
	else if (!strcmp(argv[0], "duration"))
		limits.duration = v;
	else
		limits.dialogues = v;
	return CMD_SUCCESS;
}

void ssp_load_usage(FILE *f)
{
	fprintf(f,
		"load and echo (their own options: -c, --remote-pc, --remote-ssn, --local-ssn, --timeout,\n"
		"--link-timeout, --protocol and those below):\n"
		"       tandem-ssp [OPTIONS] load --protocol P --scenario trigger|monitor --rate N --duration S\n"
		"                  [--answer-after S --hold S] [--calling-range A-B --called-range A-B] [--json FILE]\n"
		"       tandem-ssp [OPTIONS] echo --protocol P [--duration S]\n"
		"\n"
		"load: calls started at --rate per second for --duration seconds, open loop (on schedule,\n"
		"answered or not). A progress line each second on stderr; at the end a summary on stdout:\n"
		"answer latency (trigger sent to the SCP's first answer) p50/p90/p99/p99.9/max, answered,\n"
		"unanswered, completed and failed calls (reject, abort, timeout, error, unfinished). Exit\n"
		"status 0 when every call completed, 1 otherwise.\n"
		"  --scenario S            trigger: the SCP's answer ends the call (TC-END / Response);\n"
		"                          monitor: the SCP monitors (RRBE), the call is answered after\n"
		"                          --answer-after and released after --hold, both reported\n"
		"  --rate N                calls per second (at most `load-limit rate` of the config, 1000)\n"
		"  --duration S            seconds of arrivals (at most `load-limit duration`, 300)\n"
		"  --drain S               longest wait for calls still going after that\n"
		"                          (default answer-after + hold + timeout + 1)\n"
		"  --calling-range A-B     calling numbers, call i takes A + i mod (B - A + 1)\n"
		"                          (default 2125550000-2125559999; +E164 allowed: +A-B)\n"
		"  --called-range A-B      called numbers (default 2015550000-2015559999)\n"
		"  --direction, --service-key, --tct, --timeout: as for call\n"
		"  --json FILE             write the summary as JSON\n"
		"  --quiet                 no progress lines\n"
		"echo: the ceiling reference of the benchmark. Answers every Begin (AIN: Query) with\n"
		"one fixed End (Response: AARE and Continue) built once, copying only the transaction\n"
		"id, without decoding; runs --duration seconds (default 300) or until SIGTERM/SIGINT.\n"
		"Config: `load-limit rate|duration|dialogues N` raises or lowers the safety limits.\n");
}

enum {
	O_REMOTE_PC = 256, O_REMOTE_SSN, O_LOCAL_SSN, O_TIMEOUT, O_LINK_TIMEOUT, O_PROTOCOL, O_DIRECTION,
	O_SERVICE_KEY, O_TCT, O_ANSWER_AFTER, O_HOLD, O_SCENARIO, O_RATE, O_DURATION, O_DRAIN, O_CALLING_RANGE,
	O_CALLED_RANGE, O_JSON, O_QUIET,
};

static const struct option lopts[] = {
	{ "config-file", 1, NULL, 'c' },
	{ "help", 0, NULL, 'h' },
	{ "remote-pc", 1, NULL, O_REMOTE_PC },
	{ "remote-ssn", 1, NULL, O_REMOTE_SSN },
	{ "local-ssn", 1, NULL, O_LOCAL_SSN },
	{ "timeout", 1, NULL, O_TIMEOUT },
	{ "link-timeout", 1, NULL, O_LINK_TIMEOUT },
	{ "protocol", 1, NULL, O_PROTOCOL },
	{ "direction", 1, NULL, O_DIRECTION },
	{ "service-key", 1, NULL, O_SERVICE_KEY },
	{ "tct", 1, NULL, O_TCT },
	{ "answer-after", 1, NULL, O_ANSWER_AFTER },
	{ "hold", 1, NULL, O_HOLD },
	{ "scenario", 1, NULL, O_SCENARIO },
	{ "rate", 1, NULL, O_RATE },
	{ "duration", 1, NULL, O_DURATION },
	{ "drain", 1, NULL, O_DRAIN },
	{ "calling-range", 1, NULL, O_CALLING_RANGE },
	{ "called-range", 1, NULL, O_CALLED_RANGE },
	{ "json", 1, NULL, O_JSON },
	{ "quiet", 0, NULL, O_QUIET },
	{}
};

bool ssp_load_wanted(int argc, char **argv)
{
	const struct option *lo;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			return i + 1 < argc && (!strcmp(argv[i + 1], "load") || !strcmp(argv[i + 1], "echo"));
		if (a[0] != '-' || !a[1])
			return !strcmp(a, "load") || !strcmp(a, "echo");
		if (a[1] != '-') {
			/* short options: -c FILE, -cFILE, -h */
			if (a[1] == 'c' && !a[2])
				i++;
			continue;
		}
		if (strchr(a, '='))
			continue;
		/* long options of call mode the table here does not know take no value or one:
		 * tandem-ssp.c's parser reports them; here it is enough to skip a known one's value */
		for (lo = lopts; lo->name; lo++)
			if (!strcmp(a + 2, lo->name) && lo->has_arg)
				i++;
	}
	return false;
}

static int parse_num(double *out, const char *arg, double min, double max, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= min) || !(v <= max)) {
		fprintf(stderr, "tandem-ssp: %s: '%s' is not a number in %g..%g\n", what, arg, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_range(struct ssp_numrange *r, const char *arg)
{
	const char *dash, *a = arg, *b;
	size_t la, lb;
	char *end;

	r->plus = a[0] == '+';
	if (r->plus)
		a++;
	dash = strchr(a, '-');
	if (!dash)
		goto bad;
	b = dash + 1;
	if (r->plus && b[0] == '+')
		b++;
	la = dash - a;
	lb = strlen(b);
	if (!la || la > 15 || la != lb || strspn(a, "0123456789") != la || strspn(b, "0123456789") != lb)
		goto bad;
	r->lo = strtoull(a, &end, 10);
	r->hi = strtoull(b, &end, 10);
	r->width = la;
	if (r->hi < r->lo)
		goto bad;
	return 0;
bad:
	fprintf(stderr, "tandem-ssp: bad number range '%s' (want A-B, digits of the same length, A <= B)\n", arg);
	return -EINVAL;
}

static int parse_load_options(int argc, char **argv, struct ssp_opts *so, struct ssp_load_opts *o, bool *echo)
{
	bool have_rate = false, have_duration = false, have_scenario = false, have_drain = false;
	const char *cmd;
	double v;
	int c;

	while ((c = getopt_long(argc, argv, "c:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			so->config = optarg;
			break;
		case 'h':
			ssp_load_usage(stdout);
			exit(0);
		case O_REMOTE_PC:
			so->remote_pc = optarg;
			break;
		case O_REMOTE_SSN:
			if (parse_num(&v, optarg, 2, 254, "--remote-ssn"))
				return -EINVAL;
			so->remote_ssn = v;
			break;
		case O_LOCAL_SSN:
			if (parse_num(&v, optarg, 2, 254, "--local-ssn"))
				return -EINVAL;
			so->local_ssn = v;
			break;
		case O_TIMEOUT:
			if (parse_num(&o->timeout, optarg, 0.01, 3600, "--timeout"))
				return -EINVAL;
			break;
		case O_LINK_TIMEOUT:
			if (parse_num(&so->link_timeout_s, optarg, 0.1, 3600, "--link-timeout"))
				return -EINVAL;
			break;
		case O_PROTOCOL:
			if (ssp_parse_protocol(&o->proto, optarg))
				return -EINVAL;
			break;
		case O_DIRECTION:
			if (ssp_parse_direction(&o->term, optarg))
				return -EINVAL;
			break;
		case O_SERVICE_KEY:
			if (parse_num(&v, optarg, 0, 2147483647, "--service-key"))
				return -EINVAL;
			o->service_key = v;
			break;
		case O_TCT:
			if (parse_num(&v, optarg, 0, 255, "--tct"))
				return -EINVAL;
			o->tct = v;
			break;
		case O_ANSWER_AFTER:
			if (parse_num(&o->answer_after, optarg, 0, 3600, "--answer-after"))
				return -EINVAL;
			break;
		case O_HOLD:
			if (parse_num(&o->hold, optarg, 0, 3600, "--hold"))
				return -EINVAL;
			break;
		case O_SCENARIO:
			if (strcmp(optarg, "trigger") && strcmp(optarg, "monitor")) {
				fprintf(stderr, "tandem-ssp: --scenario is trigger or monitor, not '%s'\n", optarg);
				return -EINVAL;
			}
			o->scenario = strcmp(optarg, "monitor") ? SSP_SC_TRIGGER : SSP_SC_MONITOR;
			have_scenario = true;
			break;
		case O_RATE:
			if (parse_num(&o->rate, optarg, 0.01, 1e7, "--rate"))
				return -EINVAL;
			have_rate = true;
			break;
		case O_DURATION:
			if (parse_num(&o->duration, optarg, 0.01, 1e7, "--duration"))
				return -EINVAL;
			have_duration = true;
			break;
		case O_DRAIN:
			if (parse_num(&o->drain, optarg, 0, 3600, "--drain"))
				return -EINVAL;
			have_drain = true;
			break;
		case O_CALLING_RANGE:
			if (parse_range(&o->calling, optarg))
				return -EINVAL;
			break;
		case O_CALLED_RANGE:
			if (parse_range(&o->called, optarg))
				return -EINVAL;
			break;
		case O_JSON:
			o->json = optarg;
			break;
		case O_QUIET:
			o->progress = false;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "tandem-ssp: one command, load or echo, after the options\n");
		return -EINVAL;
	}
	cmd = argv[optind];
	*echo = !strcmp(cmd, "echo");
	if (o->proto == TD_PROTO_UNKNOWN) {
		fprintf(stderr, "tandem-ssp: %s needs --protocol\n", cmd);
		return -EINVAL;
	}
	if (*echo) {
		if (!have_duration)
			o->duration = 300;
		return 0;
	}
	if (!have_rate || !have_duration || !have_scenario) {
		fprintf(stderr, "tandem-ssp: load needs --scenario, --rate and --duration\n");
		return -EINVAL;
	}
	if (o->proto == TD_PROTO_AIN && (o->calling.width != 10 || o->called.width != 10 || o->calling.plus ||
					 o->called.plus)) {
		fprintf(stderr, "tandem-ssp: AIN numbers are ten digits (NANP): give ranges of ten-digit numbers\n");
		return -EINVAL;
	}
	if (!have_drain)
		o->drain = (o->scenario == SSP_SC_MONITOR ? o->answer_after + o->hold : 0) + o->timeout + 1;
	return 0;
}

/* Refuse what is beyond the configured limits. \returns 0 or -EINVAL (said why). */
static int check_limits(const struct ssp_load_opts *o, bool echo)
{
	double life;

	if (o->duration > limits.duration) {
		fprintf(stderr, "tandem-ssp: --duration %g is beyond the limit of %u s (raise it with `load-limit "
			"duration N` in the config file)\n", o->duration, limits.duration);
		return -EINVAL;
	}
	if (echo)
		return 0;
	if (o->rate > limits.rate) {
		fprintf(stderr, "tandem-ssp: --rate %g is beyond the limit of %u calls/s (raise it with `load-limit "
			"rate N` in the config file)\n", o->rate, limits.rate);
		return -EINVAL;
	}
	life = (o->scenario == SSP_SC_MONITOR ? o->answer_after + o->hold : 0) + o->timeout;
	if (o->rate * life > limits.dialogues) {
		fprintf(stderr, "tandem-ssp: --rate %g with calls of up to %g s makes %.0f calls at once, beyond the "
			"limit of %u (raise it with `load-limit dialogues N` in the config file)\n", o->rate, life,
			o->rate * life, limits.dialogues);
		return -EINVAL;
	}
	return 0;
}

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

int ssp_load_main(int argc, char **argv)
{
	struct ssp_load_opts o = {
		.timeout = 5,
		.answer_after = 1,
		.hold = 5,
		.service_key = 100,
		.tct = -1,
		.calling = { .width = 10, .lo = 2125550000, .hi = 2125559999 },
		.called = { .width = 10, .lo = 2015550000, .hi = 2015559999 },
		.progress = true,
	};
	struct osmo_ss7_instance *inst;
	struct ssp ssp = { 0 };
	uint16_t rssn, lssn;
	sigset_t sigs;
	bool echo;
	void *ctx;
	int rc, i;

	ssp.opt = (struct ssp_opts){
		.config = "ssp.cfg",
		.remote_pc = "0.23.1",
		.remote_ssn = -1,
		.local_ssn = -1,
		.link_timeout_s = 5,
	};
	if (parse_load_options(argc, argv, &ssp.opt, &o, &echo)) {
		fprintf(stderr, "tandem-ssp: see tandem-ssp --help\n");
		return SSP_EXIT_USAGE;
	}
	ssp.opt.proto = o.proto;
	ssp.opt.timeout_s = o.timeout;
	ssp.quiet = true;
	rssn = ssp.opt.remote_ssn > 0 ? ssp.opt.remote_ssn : o.proto == TD_PROTO_INAP ? 241 :
							   o.proto == TD_PROTO_AIN ? 247 : 146;
	lssn = ssp.opt.local_ssn > 0 ? ssp.opt.local_ssn : rssn;

	ctx = talloc_named_const(NULL, 1, "tandem-ssp");
	ssp.ctx = ctx;
	msgb_talloc_ctx_init(ctx, 0);
	osmo_init_logging2(ctx, &log_info);
	log_set_print_filename2(osmo_stderr_target, LOG_FILENAME_NONE);
	log_set_print_category(osmo_stderr_target, 1);
	vty_info.tall_ctx = ctx;
	vty_init(&vty_info);
	logging_vty_add_cmds();
	install_element(CONFIG_NODE, &cfg_load_limit_cmd);
	rc = SSP_EXIT_SETUP;
	if (osmo_ss7_init() < 0) {
		ssp_note("cannot initialise libosmo-sigtran");
		goto out;
	}
	osmo_ss7_vty_init_asp(ctx);
	osmo_sccp_vty_init();
	if (vty_read_config_file(ssp.opt.config, NULL) < 0) {
		ssp_note("cannot read the config file '%s'", ssp.opt.config);
		goto out;
	}
	if (check_limits(&o, echo)) {
		rc = SSP_EXIT_USAGE;
		goto out;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	if (!osmo_signalfd_setup(ctx, sigs, signal_cb, NULL)) {
		ssp_note("cannot set up the signal handling");
		goto out;
	}
	if (echo) {
		if (ssp_stack_start(&ssp, rssn, lssn, o.proto == TD_PROTO_AIN ? TCAP_ANSI : TCAP_ITU, NULL)) {
			ssp_note("%s", ssp.reason);
			goto out;
		}
		rc = ssp_echo_run(&ssp, o.duration, &g_stop);
	} else {
		if (ssp_stack_start(&ssp, rssn, lssn, o.proto == TD_PROTO_AIN ? TCAP_ANSI : TCAP_ITU, ssp_load_ind)) {
			ssp_note("%s", ssp.reason);
			goto out;
		}
		rc = ssp_load_run(&ssp, &o, &g_stop);
	}
out:
	ssp_stack_stop(&ssp);
	/* let the aborts of what is still open leave before the link goes */
	for (i = 0; i < 5; i++)
		osmo_select_main_ctx(1);
	inst = osmo_ss7_instance_find(0);
	if (inst)
		osmo_ss7_instance_destroy(inst);
	log_fini();
	talloc_free(msgb_talloc_ctx_init(NULL, 0));
	talloc_free(ctx);
	return rc;
}
