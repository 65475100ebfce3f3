/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* The notifier of tandem-scp: reports every call event (trigger, answer, end) to tandem-server.
 *
 * A call-event subscriber turns each event into JSON and appends it to the on-disk spool (scp/spool.h): that
 * is all the answering path does; it never waits on the network. A sender per destination URL POSTs the
 * spooled events in order, in batches, over HTTP keep-alive (libcurl multi driven from the osmo select loop),
 * with an API key of role scp; it retries with backoff while the server is down and deletes events from the
 * spool only when the server acknowledged them with a 2xx. The destination of a call is chosen by routes
 * (calling or called TDN prefix -> URL) and a default URL when it triggers, and written into the spool with
 * the event, so a replay after a restart goes where the event was routed. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/linuxlist.h>

#include <tandem/tcap_numbers.h>

#define SCP_NOTIFIER_DEFAULT_MAX_BYTES	(64ULL * 1024 * 1024)
#define SCP_NOTIFIER_DEFAULT_FSYNC_MS	100
#define SCP_NOTIFIER_DEFAULT_SPOOL	"tandem-scp.spool"
#define SCP_NOTIFIER_DEFAULT_BATCH	100
#define SCP_NOTIFIER_DEFAULT_BATCH_BYTES	(48 * 1024)
#define SCP_NOTIFIER_DEFAULT_POSTS	2
#define SCP_NOTIFIER_MAX_POSTS		4
#define SCP_NOTIFIER_ID_MAX		32

/*! Which party's number a route looks at. */
enum scp_route_party {
	SCP_ROUTE_CALLING,
	SCP_ROUTE_CALLED,
};

/*! `route (calling|called) PREFIX URL`: the longest matching prefix wins. */
struct scp_notifier_route {
	struct llist_head list;
	enum scp_route_party party;
	char prefix[TCAP_NUM_MAX_DIGITS + 2];	/*!< "+" and digits (matched against E.164) or digits (raw) */
	char *url;
};

/*! Configuration of the `notifier` node. */
struct scp_notifier_cfg {
	char *instance_id;		/*!< required when a URL is configured */
	char *spool_path;
	uint64_t spool_max_bytes;
	unsigned int fsync_ms;
	char *api_key;
	char *default_url;		/*!< NULL: events no route matches are not reported */
	struct llist_head routes;	/*!< struct scp_notifier_route, configured order */
	unsigned int batch_max;		/*!< events per POST */
	unsigned int batch_bytes;	/*!< body bytes per POST (the server's JSON body limit is 64 KiB) */
	unsigned int posts;		/*!< POSTs in flight per URL at most, while there is a backlog */
};

/*! Counters of the notifier. */
enum scp_notifier_ctr {
	SCP_NTF_CTR_SPOOLED,
	SCP_NTF_CTR_SENT,
	SCP_NTF_CTR_RETRIED,
	SCP_NTF_CTR_DROPPED,
	SCP_NTF_CTR_REJECTED,
	SCP_NTF_CTR_UNROUTED,
	SCP_NTF_CTR_ERROR,
	SCP_NTF_CTR_POST,
	SCP_NTF_CTR_POST_FAILED,
};

/*! Stat items of the notifier. */
enum scp_notifier_stat {
	SCP_NTF_STAT_SPOOL_DEPTH,
	SCP_NTF_STAT_SPOOL_BYTES,
};

/*! Timers of the notifier (osmo_tdef, `timer notifier ...`). */
enum scp_notifier_timer {
	SCP_NTF_T_RETRY_MIN = -100,
	SCP_NTF_T_RETRY_MAX = -101,
	SCP_NTF_T_HTTP = -102,
	SCP_NTF_T_CONNECT = -103,
};

struct vty;

/*! \brief Allocate the notifier's configuration and install the `notifier` VTY node (before reading the
 *  config file). \returns 0 or -ENOMEM */
int scp_notifier_vty_init(void *ctx);
/*! \brief After the config file: open the spool, replay it, subscribe to call events. Nothing happens when
 *  no URL is configured. \returns 0 or a negative errno (with a message on the log) */
int scp_notifier_start(void);
/*! \brief Sync the spool (what was not acknowledged is replayed at the next start) and free everything. */
void scp_notifier_stop(void);

/* between notifier.c and notifier_vty.c */
int scp_notifier_alloc(void *ctx);
void *scp_notifier_ctx(void);
void scp_notifier_cfg_changed(void);
struct scp_notifier_cfg *scp_notifier_cfg(void);
struct osmo_tdef *scp_notifier_tdefs(void);
bool scp_notifier_started(void);
void scp_notifier_vty_show(struct vty *vty);
int scp_notifier_set_max_bytes(uint64_t max_bytes);
