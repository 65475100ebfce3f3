/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: the `server` VTY node (config file and telnet) and `show server`. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <talloc.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/tdef.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/tdef_vty.h>
#include <osmocom/vty/vty.h>

#include "db.h"
#include "http.h"
#include "session_timer.h"
#include "srv.h"
#include "sse.h"
#include "web.h"

struct srv_instance *g_srv;

enum srv_vty_node {
	SERVER_NODE = _LAST_OSMOVTY_NODE + 1,
};

static struct cmd_node server_node = {
	SERVER_NODE,
	"%s(config-server)# ",
	1,
};

static struct osmo_tdef srv_tdefs[] = {
	{ .T = SRV_T_DB_BACKOFF_MIN, .default_val = 250, .unit = OSMO_TDEF_MS,
	  .desc = "first delay before reconnecting to the database" },
	{ .T = SRV_T_DB_BACKOFF_MAX, .default_val = 5000, .unit = OSMO_TDEF_MS,
	  .desc = "longest delay between database reconnection attempts (the delay doubles)" },
	{ .T = SRV_T_DB_CONNECT, .default_val = 30, .unit = OSMO_TDEF_S,
	  .desc = "time allowed to connect to the database and apply migrations" },
	{ .T = SRV_T_DB_STARTUP, .default_val = 20, .unit = OSMO_TDEF_S,
	  .desc = "--create-api-key: how long to wait for the database" },
	{ .T = SRV_T_LAST_USED, .default_val = 60, .unit = OSMO_TDEF_S,
	  .desc = "API keys' last_used_at and devices' last_seen are written at most this often" },
	{ .T = SRV_T_SSE_HEARTBEAT, .default_val = 15, .unit = OSMO_TDEF_S, .min_val = 1,
	  .desc = "an event stream idle this long gets a heartbeat comment line" },
	{ .T = SRV_T_SSE_POLL, .default_val = 10, .unit = OSMO_TDEF_S, .min_val = 1,
	  .desc = "event streams look for outbox rows this often without a wake-up (safety net)" },
	{ .T = SRV_T_OUTBOX_GAP, .default_val = 2000, .unit = OSMO_TDEF_MS,
	  .desc = "a hole in the outbox sequence is waited for this long (a write still committing)" },
	{ .T = SRV_T_OUTBOX_RETENTION, .default_val = 60, .unit = OSMO_TDEF_S, .min_val = 1,
	  .desc = "the outbox retention job (outbox max-age, max-events) runs this often" },
	{}
};

static struct osmo_tdef_group srv_tdef_groups[] = {
	{ .name = "server", .tdefs = srv_tdefs, .desc = "tandem-server timers" },
	{}
};

/*! \brief Default configuration. */
void srv_cfg_set_defaults(struct srv_cfg *cfg, void *ctx)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen_addr = talloc_strdup(ctx, SRV_DEFAULT_LISTEN);
	cfg->listen_port = SRV_DEFAULT_HTTP_PORT;
	cfg->dsn = talloc_strdup(ctx, SRV_DEFAULT_DSN);
	cfg->ingest_conns = SRV_DEFAULT_INGEST_CONNS;
	cfg->body_limit_json = SRV_DEFAULT_BODY_JSON;
	cfg->body_limit_photo = SRV_DEFAULT_BODY_PHOTO;
	cfg->body_limit_csv = SRV_DEFAULT_BODY_CSV;
	cfg->ctrl_port = SRV_DEFAULT_CTRL_PORT;
	cfg->outbox_max_age = SRV_DEFAULT_OUTBOX_MAX_AGE;
	cfg->outbox_max_events = SRV_DEFAULT_OUTBOX_MAX_EVENTS;
	cfg->relay_file_max = SRV_DEFAULT_RELAY_FILE_MAX;
	cfg->session_linger = SRV_DEFAULT_SESSION_LINGER;
	cfg->session_max_age = SRV_DEFAULT_SESSION_MAX_AGE;
	cfg->session_sweep = SRV_DEFAULT_SESSION_SWEEP;
	INIT_LLIST_HEAD(&cfg->trusted_proxies);
}

/*! \brief The instance with its default configuration and timers. */
struct srv_instance *srv_instance_alloc(void *ctx)
{
	struct srv_instance *srv = talloc_zero(ctx, struct srv_instance);

	if (!srv)
		return NULL;
	srv_cfg_set_defaults(&srv->cfg, srv);
	INIT_LLIST_HEAD(&srv->imports);
	srv->tdefs = srv_tdefs;
	osmo_tdefs_reset(srv->tdefs);
	return srv;
}

#define SRV_STR "tandem-server HTTP API and database\n"

DEFUN(cfg_server, cfg_server_cmd, "server", SRV_STR)
{
	vty->node = SERVER_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_listen, cfg_listen_cmd, "listen ADDR <1-65535>",
      "Where the HTTP API listens\n" "IPv4 or IPv6 address (0.0.0.0 or :: for all)\n" "TCP port\n")
{
	struct in6_addr a;

	if (inet_pton(AF_INET, argv[0], &a) != 1 && inet_pton(AF_INET6, argv[0], &a) != 1) {
		vty_out(vty, "%% '%s' is not an IP address%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	osmo_talloc_replace_string(g_srv, &g_srv->cfg.listen_addr, argv[0]);
	g_srv->cfg.listen_port = atoi(argv[1]);
	return CMD_SUCCESS;
}

DEFUN(cfg_tls_cert, cfg_tls_cert_cmd, "tls certificate PATH",
      "TLS for the HTTP API\n" "Certificate chain (PEM)\n" "File name\n")
{
	osmo_talloc_replace_string(g_srv, &g_srv->cfg.tls_cert, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_tls_key, cfg_tls_key_cmd, "tls key PATH",
      "TLS for the HTTP API\n" "Private key (PEM)\n" "File name\n")
{
	osmo_talloc_replace_string(g_srv, &g_srv->cfg.tls_key, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_no_tls, cfg_no_tls_cmd, "no tls", NO_STR "Serve plain HTTP\n")
{
	TALLOC_FREE(g_srv->cfg.tls_cert);
	TALLOC_FREE(g_srv->cfg.tls_key);
	return CMD_SUCCESS;
}

DEFUN(cfg_dsn, cfg_dsn_cmd, "database dsn .DSN",
      "PostgreSQL database\n" "libpq connection string or URI (default postgresql:///tandem)\n"
      "Connection string (may contain spaces)\n")
{
	char *dsn = argv_concat(argv, argc, 0);

	if (!dsn)
		return CMD_WARNING;
	osmo_talloc_replace_string(g_srv, &g_srv->cfg.dsn, dsn);
	talloc_free(dsn);
	return CMD_SUCCESS;
}

DEFUN(cfg_ingest_conns, cfg_ingest_conns_cmd, "database ingest-connections <1-8>",
      "PostgreSQL database\n" "Connections for the SCPs' call events (default 2; read at start)\n"
      "Connections: batches and parts of batches on different connections are matched in parallel\n")
{
	g_srv->cfg.ingest_conns = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_body_limit, cfg_body_limit_cmd, "body-limit (json|image|csv) <1-2147483647>",
      "Largest request body accepted (413 beyond)\n" "JSON requests (default 65536)\n"
      "Photo uploads (default 1048576)\n" "CSV imports (default 268435456)\n" "Bytes\n")
{
	size_t v = strtoul(argv[1], NULL, 10);

	if (!strcmp(argv[0], "json"))
		g_srv->cfg.body_limit_json = v;
	else if (!strcmp(argv[0], "image"))
		g_srv->cfg.body_limit_photo = v;
	else
		g_srv->cfg.body_limit_csv = v;
	return CMD_SUCCESS;
}

static struct srv_cidr *proxy_find(const struct srv_cidr *c)
{
	struct srv_cidr *e;

	llist_for_each_entry(e, &g_srv->cfg.trusted_proxies, list) {
		if (e->family == c->family && e->prefix_len == c->prefix_len && !memcmp(e->addr, c->addr, 16))
			return e;
	}
	return NULL;
}

DEFUN(cfg_proxy, cfg_proxy_cmd, "trusted-proxy PREFIX",
      "Believe X-Forwarded-For from this reverse proxy\n" "Address or prefix (192.0.2.0/24, 2001:db8::1)\n")
{
	struct srv_cidr c, *n;

	if (srv_cidr_parse(&c, argv[0]) < 0) {
		vty_out(vty, "%% '%s' is not an address or prefix (host bits must be 0)%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	if (proxy_find(&c))
		return CMD_SUCCESS;
	n = talloc_memdup(g_srv, &c, sizeof(c));
	if (!n)
		return CMD_WARNING;
	llist_add_tail(&n->list, &g_srv->cfg.trusted_proxies);
	return CMD_SUCCESS;
}

DEFUN(cfg_no_proxy, cfg_no_proxy_cmd, "no trusted-proxy PREFIX",
      NO_STR "Stop believing X-Forwarded-For from this proxy\n" "Address or prefix\n")
{
	struct srv_cidr c, *e;

	if (srv_cidr_parse(&c, argv[0]) < 0 || !(e = proxy_find(&c))) {
		vty_out(vty, "%% no trusted proxy %s%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	llist_del(&e->list);
	talloc_free(e);
	return CMD_SUCCESS;
}

DEFUN(cfg_rate, cfg_rate_cmd, "rate-limit <1-1000000> burst <1-1000000>",
      "Requests per client address (429 beyond)\n" "Requests per second\n" "Burst\n" "Requests\n")
{
	g_srv->cfg.rate_per_sec = atoi(argv[0]);
	g_srv->cfg.rate_burst = atoi(argv[1]);
	return CMD_SUCCESS;
}

DEFUN(cfg_no_rate, cfg_no_rate_cmd, "no rate-limit", NO_STR "No per-client rate limit\n")
{
	g_srv->cfg.rate_per_sec = 0;
	g_srv->cfg.rate_burst = 0;
	return CMD_SUCCESS;
}

DEFUN(cfg_ctrl_port, cfg_ctrl_port_cmd, "ctrl-port <0-65535>",
      "TCP port of the CTRL interface (address from 'ctrl' / 'bind'), read at start\n"
      "Port (default 4263, 0: no CTRL interface)\n")
{
	g_srv->cfg.ctrl_port = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_outbox_age, cfg_outbox_age_cmd, "outbox max-age <1-31536000>",
      "Events outbox (the source of GET /v1/events)\n"
      "Delete events older than this (clients further behind get a resync event)\n"
      "Seconds (default 604800, 7 days)\n")
{
	g_srv->cfg.outbox_max_age = strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_outbox_events, cfg_outbox_events_cmd, "outbox max-events <1-100000000>",
      "Events outbox (the source of GET /v1/events)\n"
      "Keep at most this many events per device (clients further behind get a resync event)\n"
      "Events (default 1000)\n")
{
	g_srv->cfg.outbox_max_events = strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_relay_file_max, cfg_relay_file_max_cmd, "relay-file-max <1-67108864>",
      "Largest file relayed in a session (POST /v1/sessions/{id}/messages; 413 beyond)\n"
      "Bytes of the file, decoded (default 1048576)\n")
{
	g_srv->cfg.relay_file_max = strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_session_linger, cfg_session_linger_cmd, "session-linger <0-2592000>",
      "How long a session stays in call-ended (data still flows) before it is closed\n"
      "Seconds after the call's end (default 300)\n")
{
	g_srv->cfg.session_linger = strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_session_max_age, cfg_session_max_age_cmd, "session-max-age <1-31536000>",
      "Close a session still pending or active this long after it was made (its end event was lost)\n"
      "Seconds (default 14400, 4 hours)\n")
{
	g_srv->cfg.session_max_age = strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_session_sweep, cfg_session_sweep_cmd, "session-sweep-interval <1-3600>",
      "How often the job that closes sessions runs\n" "Seconds (default 5)\n")
{
	g_srv->cfg.session_sweep = strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

static int config_write_server(struct vty *vty)
{
	struct srv_cfg *cfg = &g_srv->cfg;
	struct srv_cidr *c;
	char buf[INET6_ADDRSTRLEN + 8];

	vty_out(vty, "server%s", VTY_NEWLINE);
	if (strcmp(cfg->listen_addr, SRV_DEFAULT_LISTEN) || cfg->listen_port != SRV_DEFAULT_HTTP_PORT)
		vty_out(vty, " listen %s %u%s", cfg->listen_addr, cfg->listen_port, VTY_NEWLINE);
	if (cfg->tls_cert)
		vty_out(vty, " tls certificate %s%s", cfg->tls_cert, VTY_NEWLINE);
	if (cfg->tls_key)
		vty_out(vty, " tls key %s%s", cfg->tls_key, VTY_NEWLINE);
	if (strcmp(cfg->dsn, SRV_DEFAULT_DSN))
		vty_out(vty, " database dsn %s%s", cfg->dsn, VTY_NEWLINE);
	if (cfg->ingest_conns != SRV_DEFAULT_INGEST_CONNS)
		vty_out(vty, " database ingest-connections %u%s", cfg->ingest_conns, VTY_NEWLINE);
	if (cfg->body_limit_json != SRV_DEFAULT_BODY_JSON)
		vty_out(vty, " body-limit json %zu%s", cfg->body_limit_json, VTY_NEWLINE);
	if (cfg->body_limit_photo != SRV_DEFAULT_BODY_PHOTO)
		vty_out(vty, " body-limit image %zu%s", cfg->body_limit_photo, VTY_NEWLINE);
	if (cfg->body_limit_csv != SRV_DEFAULT_BODY_CSV)
		vty_out(vty, " body-limit csv %zu%s", cfg->body_limit_csv, VTY_NEWLINE);
	llist_for_each_entry(c, &cfg->trusted_proxies, list) {
		srv_cidr_format(buf, sizeof(buf), c);
		vty_out(vty, " trusted-proxy %s%s", buf, VTY_NEWLINE);
	}
	if (cfg->rate_per_sec)
		vty_out(vty, " rate-limit %u burst %u%s", cfg->rate_per_sec, cfg->rate_burst, VTY_NEWLINE);
	if (cfg->ctrl_port != SRV_DEFAULT_CTRL_PORT)
		vty_out(vty, " ctrl-port %u%s", cfg->ctrl_port, VTY_NEWLINE);
	if (cfg->outbox_max_age != SRV_DEFAULT_OUTBOX_MAX_AGE)
		vty_out(vty, " outbox max-age %lu%s", cfg->outbox_max_age, VTY_NEWLINE);
	if (cfg->outbox_max_events != SRV_DEFAULT_OUTBOX_MAX_EVENTS)
		vty_out(vty, " outbox max-events %lu%s", cfg->outbox_max_events, VTY_NEWLINE);
	if (cfg->relay_file_max != SRV_DEFAULT_RELAY_FILE_MAX)
		vty_out(vty, " relay-file-max %zu%s", cfg->relay_file_max, VTY_NEWLINE);
	if (cfg->session_linger != SRV_DEFAULT_SESSION_LINGER)
		vty_out(vty, " session-linger %lu%s", cfg->session_linger, VTY_NEWLINE);
	if (cfg->session_max_age != SRV_DEFAULT_SESSION_MAX_AGE)
		vty_out(vty, " session-max-age %lu%s", cfg->session_max_age, VTY_NEWLINE);
	if (cfg->session_sweep != SRV_DEFAULT_SESSION_SWEEP)
		vty_out(vty, " session-sweep-interval %lu%s", cfg->session_sweep, VTY_NEWLINE);
	srv_web_config_write(vty);
	osmo_tdef_vty_groups_write(vty, " ");
	return CMD_SUCCESS;
}

DEFUN(show_server, show_server_cmd, "show server", SHOW_STR "tandem-server state\n")
{
	uint64_t sent, fetches;
	unsigned int i;

	vty_out(vty, "HTTP: %s port %u%s, %u requests in progress%s", g_srv->cfg.listen_addr,
		g_srv->cfg.listen_port, g_srv->cfg.tls_cert ? " (TLS)" : "", srv_http_active(g_srv->http),
		VTY_NEWLINE);
	if (g_srv->db)
		vty_out(vty, "Database: %s, schema version %u, %u queries in flight%s",
			srv_db_state_name(g_srv->db), srv_db_schema_version(g_srv->db), srv_db_pending(g_srv->db),
			VTY_NEWLINE);
	for (i = 0; i < ARRAY_SIZE(g_srv->db_ingest); i++) {
		if (g_srv->db_ingest[i])
			vty_out(vty, "Call events' connection %u: %s, %u queries in flight%s", i + 1,
				srv_db_state_name(g_srv->db_ingest[i]), srv_db_pending(g_srv->db_ingest[i]),
				VTY_NEWLINE);
	}
	srv_sse_counts(g_srv->sse, &sent, &fetches);
	vty_out(vty, "Event streams: %u; %" PRIu64 " events sent by %" PRIu64 " fetch queries%s",
		srv_sse_streams(g_srv->sse), sent, fetches, VTY_NEWLINE);
	if (g_srv->sessions) {
		const struct srv_session_timer_stats *st = srv_session_timer_stats(g_srv->sessions);

		vty_out(vty, "Sessions closed: %" PRIu64 " after linger, %" PRIu64 " after max-age, %" PRIu64
			" failed sweeps%s", st->closed_linger, st->closed_max_age, st->failures, VTY_NEWLINE);
	}
	return CMD_SUCCESS;
}

/*! \brief Install the `server` node, its timers and `show server`. */
int srv_vty_init(struct srv_instance *srv)
{
	install_element(CONFIG_NODE, &cfg_server_cmd);
	install_node(&server_node, config_write_server);
	install_element(SERVER_NODE, &cfg_listen_cmd);
	install_element(SERVER_NODE, &cfg_tls_cert_cmd);
	install_element(SERVER_NODE, &cfg_tls_key_cmd);
	install_element(SERVER_NODE, &cfg_no_tls_cmd);
	install_element(SERVER_NODE, &cfg_dsn_cmd);
	install_element(SERVER_NODE, &cfg_ingest_conns_cmd);
	install_element(SERVER_NODE, &cfg_body_limit_cmd);
	install_element(SERVER_NODE, &cfg_proxy_cmd);
	install_element(SERVER_NODE, &cfg_no_proxy_cmd);
	install_element(SERVER_NODE, &cfg_rate_cmd);
	install_element(SERVER_NODE, &cfg_no_rate_cmd);
	install_element(SERVER_NODE, &cfg_ctrl_port_cmd);
	install_element(SERVER_NODE, &cfg_outbox_age_cmd);
	install_element(SERVER_NODE, &cfg_outbox_events_cmd);
	install_element(SERVER_NODE, &cfg_relay_file_max_cmd);
	install_element(SERVER_NODE, &cfg_session_linger_cmd);
	install_element(SERVER_NODE, &cfg_session_max_age_cmd);
	install_element(SERVER_NODE, &cfg_session_sweep_cmd);
	srv_web_vty_init(SERVER_NODE);
	osmo_tdef_vty_groups_init(SERVER_NODE, srv_tdef_groups);
	install_element_ve(&show_server_cmd);
	srv_keytool_vty_init();
	return 0;
}
