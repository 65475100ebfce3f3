/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-scp: answers CAMEL, INAP and AIN triggers. main() only wires the parts
 * together: logging, VTY, config, telnet and CTRL, signals, SCCP, the loop. */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include <talloc.h>

#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/select.h>
#include <osmocom/core/stats.h>
#include <osmocom/ctrl/control_if.h>
#include <osmocom/ctrl/control_vty.h>
#include <osmocom/ctrl/ports.h>
#include <osmocom/sigtran/osmo_ss7.h>
#include <osmocom/sigtran/sccp_sap.h>
#include <osmocom/vty/logging.h>
#include <osmocom/vty/misc.h>
#include <osmocom/vty/stats.h>
#include <osmocom/vty/telnet_interface.h>
#include <osmocom/vty/vty.h>

#include "config.h"
#include "call_events.h"
#include "notifier.h"
#include "scp.h"

#define SCP_VTY_PORT 4260
#define SCP_CTRL_PORT 4261

static const struct log_info_cat log_cats[] = {
	[DSCP] = { .name = "DSCP", .description = "tandem-scp: subsystems, SCCP", .enabled = 1,
		   .loglevel = LOGL_NOTICE },
	[DTCAP] = { .name = "DTCAP", .description = "TCAP transactions and dialogues", .enabled = 1,
		    .loglevel = LOGL_NOTICE },
	[DCAP] = { .name = "DCAP", .description = "CAP and INAP service logic", .enabled = 1,
		   .loglevel = LOGL_NOTICE },
	[DAIN] = { .name = "DAIN", .description = "AIN service logic", .enabled = 1, .loglevel = LOGL_NOTICE },
	[DCALL] = { .name = "DCALL", .description = "Call records and call events", .enabled = 1,
		    .loglevel = LOGL_NOTICE },
};

static const struct log_info log_info = {
	.cat = log_cats,
	.num_cat = ARRAY_SIZE(log_cats),
};

static struct vty_app_info vty_info = {
	.name = "tandem-scp",
	.version = PACKAGE_VERSION,
	.copyright = "tandem-scp. License AGPLv3+: GNU AGPL version 3 or later\r\n",
	.go_parent_cb = osmo_ss7_vty_go_parent,
};

static const char *config_file = "tandem-scp.cfg";
static volatile int quit;

static void print_help(void)
{
	printf("Usage: tandem-scp [-c tandem-scp.cfg]\n"
	       "  -c, --config-file FILE  configuration file (default tandem-scp.cfg)\n"
	       "  -h, --help              this text\n"
	       "  -V, --version           version\n");
}

static int handle_options(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config-file", 1, NULL, 'c' },
		{ "help", 0, NULL, 'h' },
		{ "version", 0, NULL, 'V' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_file = optarg;
			break;
		case 'h':
			print_help();
			exit(0);
		case 'V':
			printf("tandem-scp %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			print_help();
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static void signal_cb(struct osmo_signalfd *sfd, const struct signalfd_siginfo *fdsi)
{
	switch (fdsi->ssi_signo) {
	case SIGINT:
	case SIGTERM:
		LOGP(DSCP, LOGL_NOTICE, "signal %u: shutting down\n", fdsi->ssi_signo);
		quit = 1;
		break;
	case SIGUSR1:
		talloc_report_full(sfd->data, stderr);
		break;
	}
}

int main(int argc, char **argv)
{
	struct ctrl_handle *ctrl;
	struct osmo_signalfd *sfd;
	struct osmo_ss7_instance *inst;
	sigset_t set;
	void *ctx;
	int rc, i;

	ctx = talloc_named_const(NULL, 1, "tandem-scp");
	msgb_talloc_ctx_init(ctx, 0);
	osmo_init_logging2(ctx, &log_info);
	log_set_print_filename2(osmo_stderr_target, LOG_FILENAME_NONE);
	log_set_print_category(osmo_stderr_target, 1);
	log_set_print_category_hex(osmo_stderr_target, 0);

	vty_info.tall_ctx = ctx;
	vty_init(&vty_info);
	logging_vty_add_cmds();
	osmo_stats_vty_add_cmds();
	osmo_talloc_vty_add_cmds();
	osmo_fsm_vty_add_cmds();
	ctrl_vty_init(ctx);
	rc = osmo_ss7_init();
	if (rc < 0) {
		fprintf(stderr, "cannot initialise libosmo-sigtran\n");
		return 1;
	}
	osmo_ss7_vty_init_asp(ctx);
	osmo_sccp_vty_init();

	g_scp = scp_alloc(ctx);
	if (!g_scp || scp_vty_init(g_scp) || scp_notifier_vty_init(ctx))
		return 1;

	if (handle_options(argc, argv))
		return 1;
	rc = vty_read_config_file(config_file, NULL);
	if (rc < 0) {
		fprintf(stderr, "cannot read the config file '%s'\n", config_file);
		return 1;
	}
	if (scp_notifier_start())
		return 1;
	rc = telnet_init_default(ctx, NULL, SCP_VTY_PORT);
	if (rc < 0)
		return 1;
	ctrl = ctrl_interface_setup_dynip(ctx, ctrl_vty_get_bind_addr(), SCP_CTRL_PORT, NULL);
	if (!ctrl || scp_ctrl_cmds_install()) {
		fprintf(stderr, "cannot open the CTRL interface on port %u\n", SCP_CTRL_PORT);
		return 1;
	}

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = osmo_signalfd_setup(ctx, set, signal_cb, ctx);
	if (!sfd)
		return 1;

	rc = scp_sccp_start(g_scp);
	if (rc) {
		fprintf(stderr, "cannot start the SCCP side: %s\n", strerror(-rc));
		return 1;
	}

	while (!quit)
		osmo_select_main_ctx(0);

	/* abort live dialogues towards the switches and let the link carry that out */
	scp_sccp_stop(g_scp);
	for (i = 0; i < 10; i++)
		osmo_select_main_ctx(1);
	inst = osmo_ss7_instance_find(g_scp->cs7_instance);
	if (inst)
		osmo_ss7_instance_destroy(inst);
	osmo_fd_unregister(&ctrl->listen_fd);
	close(ctrl->listen_fd.fd);
	osmo_fd_unregister(&sfd->ofd);
	close(sfd->ofd.fd);
	talloc_free(sfd);
	telnet_exit();
	scp_free(g_scp);
	g_scp = NULL;
	scp_call_events_fini();
	scp_notifier_stop();
	log_fini();
	talloc_free(msgb_talloc_ctx_init(NULL, 0));
	talloc_free(ctx);
	return 0;
}
