/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: wires the parts together, reads the config, runs the select loop. */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <talloc.h>

#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/signal.h>
#include <osmocom/ctrl/control_if.h>
#include <osmocom/ctrl/control_vty.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/logging.h>
#include <osmocom/vty/misc.h>
#include <osmocom/vty/telnet_interface.h>
#include <osmocom/vty/vty.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "import.h"
#include "listen.h"
#include "outbox.h"
#include "session_timer.h"
#include "srv.h"
#include "sse.h"

#include "config.h"


static bool quit;

static struct vty_app_info vty_info = {
	.name = "tandem-server",
	.version = PACKAGE_VERSION,
	.copyright = "License AGPL-3.0-or-later\r\n",
};

static struct {
	const char *config_file;
	const char *key_role;
	const char *key_label;
} opts = {
	.config_file = "tandem-server.cfg",
};

static void usage(void)
{
	printf("Usage: tandem-server [-c FILE] [--create-api-key ROLE [--label TEXT]]\n"
	       "  -c, --config-file FILE    configuration (default tandem-server.cfg)\n"
	       "      --create-api-key ROLE create an API key (engineer, admin, scp), print it once, exit\n"
	       "      --label TEXT          label of the new key\n"
	       "  -V, --version             print the version\n"
	       "  -h, --help                this text\n");
}

static int parse_options(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config-file", 1, NULL, 'c' },
		{ "create-api-key", 1, NULL, 'K' },
		{ "label", 1, NULL, 'L' },
		{ "version", 0, NULL, 'V' },
		{ "help", 0, NULL, 'h' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:Vh", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			opts.config_file = optarg;
			break;
		case 'K':
			opts.key_role = optarg;
			break;
		case 'L':
			opts.key_label = optarg;
			break;
		case 'V':
			print_version(1);
			return 1;
		case 'h':
			usage();
			return 1;
		default:
			usage();
			return -EINVAL;
		}
	}
	if (optind < argc) {
		usage();
		return -EINVAL;
	}
	if (opts.key_label && !opts.key_role) {
		fprintf(stderr, "tandem-server: --label goes with --create-api-key\n");
		return -EINVAL;
	}
	return 0;
}

static void signal_cb(struct osmo_signalfd *osfd, const struct signalfd_siginfo *fdsi)
{
	switch (fdsi->ssi_signo) {
	case SIGTERM:
	case SIGINT:
		LOGP(DSRV, LOGL_NOTICE, "signal %u: shutting down\n", fdsi->ssi_signo);
		quit = true;
		break;
	default:
		break;
	}
}

int main(int argc, char **argv)
{
	unsigned int i;
	void *tall_ctx = talloc_named_const(NULL, 1, "tandem-server");
	struct ctrl_handle *ctrl = NULL;
	sigset_t sigs;
	int rc;

	osmo_init_logging2(tall_ctx, &srv_log_info);
	log_set_print_category(osmo_stderr_target, 1);
	log_set_print_category_hex(osmo_stderr_target, 0);
	log_set_print_level(osmo_stderr_target, 1);
	vty_info.tall_ctx = tall_ctx;
	vty_init(&vty_info);
	logging_vty_add_cmds();
	osmo_talloc_vty_add_cmds();
	ctrl_vty_init(tall_ctx);

	g_srv = srv_instance_alloc(tall_ctx);
	if (!g_srv)
		return 1;
	srv_vty_init(g_srv);

	rc = parse_options(argc, argv);
	if (rc)
		return rc < 0 ? 2 : 0;

	rc = vty_read_config_file(opts.config_file, NULL);
	if (rc < 0) {
		fprintf(stderr, "tandem-server: cannot read config file '%s'\n", opts.config_file);
		return 1;
	}

	if (opts.key_role) {
		rc = srv_create_api_key(g_srv, opts.key_role, opts.key_label);
		talloc_free(g_srv);
		log_fini();
		talloc_free(tall_ctx);
		return rc < 0 ? 1 : 0;
	}

	rc = telnet_init_default(tall_ctx, g_srv, SRV_DEFAULT_VTY_PORT);
	if (rc < 0) {
		LOGP(DSRV, LOGL_FATAL, "cannot open the VTY telnet port\n");
		return 1;
	}
	if (g_srv->cfg.ctrl_port) {
		ctrl = ctrl_interface_setup_dynip(g_srv, ctrl_vty_get_bind_addr(), g_srv->cfg.ctrl_port, NULL);
		if (!ctrl || srv_ctrl_init() < 0) {
			LOGP(DSRV, LOGL_FATAL, "cannot open the CTRL port\n");
			return 1;
		}
	}

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	/* the signals must be blocked for signalfd to receive them instead of their default action */
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) < 0 || osmo_signalfd_setup(tall_ctx, sigs, signal_cb, NULL) == NULL) {
		LOGP(DSRV, LOGL_FATAL, "cannot set up signal handling\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	if (srv_ratelimit_alloc(g_srv) < 0)
		return 1;
	g_srv->db = srv_db_alloc(g_srv, g_srv->cfg.dsn, g_srv->tdefs);
	if (!g_srv->db)
		return 1;
	srv_db_start(g_srv->db);
	/* the SCPs' call events on connections of their own: the matcher's transactions run in other PostgreSQL
	 * backends than the stream pages and API requests, several at once */
	for (i = 0; i < g_srv->cfg.ingest_conns && i < ARRAY_SIZE(g_srv->db_ingest); i++) {
		char name[16];

		g_srv->db_ingest[i] = srv_db_alloc(g_srv, g_srv->cfg.dsn, g_srv->tdefs);
		if (!g_srv->db_ingest[i])
			return 1;
		snprintf(name, sizeof(name), "ingest %u", i + 1);
		srv_db_set_name(g_srv->db_ingest[i], name);
		srv_db_start(g_srv->db_ingest[i]);
	}
	g_srv->outbox = srv_outbox_alloc(g_srv);
	g_srv->sse = srv_sse_alloc(g_srv);
	g_srv->listen = srv_listen_start(g_srv);
	g_srv->sessions = srv_session_timer_alloc(g_srv);
	if (!g_srv->outbox || !g_srv->sse || !g_srv->listen || !g_srv->sessions)
		return 1;
	g_srv->http = srv_http_start(g_srv);
	if (!g_srv->http)
		return 1;
	LOGP(DSRV, LOGL_NOTICE, "tandem-server %s started\n", PACKAGE_VERSION);

	while (!quit)
		osmo_select_main_ctx(0);

	/* event streams end (their clients resume elsewhere or later), requests waiting for the database get
	 * 503, then the HTTP side closes, then everything is freed */
	srv_sse_shutdown(g_srv->sse);
	srv_session_timer_stop(g_srv->sessions);
	TALLOC_FREE(g_srv->listen);
	srv_db_shutdown(g_srv->db);
	for (i = 0; i < ARRAY_SIZE(g_srv->db_ingest); i++) {
		if (g_srv->db_ingest[i])
			srv_db_shutdown(g_srv->db_ingest[i]);
	}
	srv_import_shutdown_all(g_srv);
	srv_http_stop(g_srv->http);
	g_srv->http = NULL;
	TALLOC_FREE(g_srv->db);
	for (i = 0; i < ARRAY_SIZE(g_srv->db_ingest); i++)
		TALLOC_FREE(g_srv->db_ingest[i]);
	telnet_exit();
	if (ctrl) {
		/* the CTRL handle lives in g_srv: take its listening socket out of the select loop first */
		osmo_fd_unregister(&ctrl->listen_fd);
		close(ctrl->listen_fd.fd);
	}
	talloc_free(g_srv);
	g_srv = NULL;
	LOGP(DSRV, LOGL_NOTICE, "tandem-server stopped\n");
	log_fini();
	talloc_free(tall_ctx);
	return 0;
}
