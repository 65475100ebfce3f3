/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: the instance (configuration and the parts it owns) and its log categories. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/tdef.h>

/*! Log categories of tandem-server. */
enum {
	DSRV,	/*!< daemon life cycle, configuration */
	DHTTP,	/*!< HTTP transport (libmicrohttpd) */
	DDB,	/*!< PostgreSQL connection, migrations */
	DAPI,	/*!< REST API requests */
};

extern const struct log_info srv_log_info;

#define SRV_DEFAULT_HTTP_PORT	8080
#define SRV_DEFAULT_VTY_PORT	4262
#define SRV_DEFAULT_CTRL_PORT	4263
#define SRV_DEFAULT_DSN		"postgresql:///tandem"
#define SRV_DEFAULT_INGEST_CONNS	2
#define SRV_DEFAULT_LISTEN	"0.0.0.0"
#define SRV_DEFAULT_BODY_JSON	(64 * 1024)
#define SRV_DEFAULT_BODY_PHOTO	(1024 * 1024)
#define SRV_DEFAULT_BODY_CSV	(256 * 1024 * 1024)
#define SRV_DEFAULT_OUTBOX_MAX_AGE	(7 * 24 * 3600)
#define SRV_DEFAULT_OUTBOX_MAX_EVENTS	1000
#define SRV_DEFAULT_RELAY_FILE_MAX	(1024 * 1024)
#define SRV_DEFAULT_SESSION_LINGER	300
#define SRV_DEFAULT_SESSION_MAX_AGE	(4 * 3600)
#define SRV_DEFAULT_SESSION_SWEEP	5

/*! An IPv4 or IPv6 prefix, e.g. a trusted proxy. */
struct srv_cidr {
	struct llist_head list;
	int family;		/*!< AF_INET or AF_INET6 */
	uint8_t addr[16];	/*!< network byte order, 4 or 16 bytes used */
	unsigned int prefix_len;
};

/*! Configuration of the `server` VTY node. */
struct srv_cfg {
	char *listen_addr;
	uint16_t listen_port;
	char *tls_cert;		/*!< PEM file path, NULL without TLS */
	char *tls_key;		/*!< PEM file path, NULL without TLS */
	char *dsn;
	unsigned int ingest_conns;	/*!< database connections for call events (SRV_MAX_INGEST at most) */
	size_t body_limit_json;
	size_t body_limit_photo;
	size_t body_limit_csv;
	struct llist_head trusted_proxies;	/*!< struct srv_cidr */
	unsigned int rate_per_sec;	/*!< 0: no rate limit */
	unsigned int rate_burst;
	uint16_t ctrl_port;		/*!< 0: no CTRL interface */
	unsigned long outbox_max_age;	/*!< seconds an outbox row is kept at least (SSE resume window) */
	unsigned long outbox_max_events; /*!< outbox rows kept per device at most */
	size_t relay_file_max;		/*!< bytes of a file relayed in a session (decoded) */
	unsigned long session_linger;	/*!< seconds a session stays in call-ended before it is closed */
	unsigned long session_max_age;	/*!< seconds a pending or active session may live (a lost end) */
	unsigned long session_sweep;	/*!< seconds between two runs of the session closing job */
};

/*! Most database connections for call events (`database ingest-connections`). */
#define SRV_MAX_INGEST 8

struct srv_db;
struct srv_http;
struct srv_ratelimit;
struct srv_outbox;
struct srv_listen;
struct srv_sse;
struct srv_session_timer;

/*! The one tandem-server instance; everything hangs off it (talloc). */
struct srv_instance {
	struct srv_cfg cfg;
	struct osmo_tdef *tdefs;
	struct srv_db *db;
	struct srv_db *db_ingest[SRV_MAX_INGEST];	/*!< POST /v1/call-events (the matcher), beside db */
	struct srv_http *http;
	struct srv_ratelimit *rl;
	struct llist_head imports;	/*!< struct srv_import in progress */
	struct srv_outbox *outbox;	/*!< events outbox: wake-ups, NOTIFY, retention */
	struct srv_listen *listen;	/*!< the LISTEN connection */
	struct srv_sse *sse;		/*!< GET /v1/events streams */
	struct srv_session_timer *sessions;	/*!< closes sessions after their linger time or maximum age */
};

extern struct srv_instance *g_srv;

/*! Timers of tandem-server (osmo_tdef, own timers are negative). */
enum srv_timer {
	SRV_T_DB_BACKOFF_MIN = -1,	/*!< first reconnect delay after a database failure */
	SRV_T_DB_BACKOFF_MAX = -2,	/*!< upper bound of the doubling reconnect delay */
	SRV_T_DB_CONNECT = -3,		/*!< how long a connection attempt may take */
	SRV_T_DB_STARTUP = -4,		/*!< --create-api-key: how long to wait for the database */
	SRV_T_LAST_USED = -5,		/*!< last_used_at / last_seen are written at most this often */
	SRV_T_SSE_HEARTBEAT = -10,	/*!< a comment line on an event stream idle for this long */
	SRV_T_SSE_POLL = -11,		/*!< safety net: look for outbox rows without a wake-up this often */
	SRV_T_OUTBOX_GAP = -12,		/*!< how long a hole in the outbox sequence may still be filled */
	SRV_T_OUTBOX_RETENTION = -13,	/*!< the outbox retention job runs this often */
};

struct srv_instance *srv_instance_alloc(void *ctx);
void srv_cfg_set_defaults(struct srv_cfg *cfg, void *ctx);
int srv_vty_init(struct srv_instance *srv);

int srv_cidr_parse(struct srv_cidr *out, const char *str);
bool srv_cidr_match(const struct srv_cidr *c, const struct sockaddr *sa);
int srv_cidr_format(char *buf, size_t len, const struct srv_cidr *c);
int srv_ctrl_init(void);
int srv_create_api_key(struct srv_instance *srv, const char *role, const char *label);
void srv_keytool_vty_init(void);
