/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: GET /v1/events streams a device's outbox rows as Server-Sent Events.
 *
 * A stream is an HTTP response of unknown length whose body libmicrohttpd pulls from sse_reader(). When the
 * stream has nothing to send the connection is suspended (it then costs its socket, libmicrohttpd's
 * connection memory and this small struct, no buffer); it is resumed when there may be rows after the last
 * seq it sent, when its heartbeat is due, or at shutdown. Rows are fetched a page at a time, only once the
 * previous page left, so a slow client holds at most one page here.
 *
 * Who wakes a stream: one scanner per instance reads the outbox rows it has not looked at yet (seq and device
 * only, by the primary key) and wakes the streams of those devices. The scanner runs after a local write
 * (srv_outbox_written()), after a NOTIFY from another instance (listen.c), and every SRV_T_SSE_POLL. A row can
 * become visible after rows with higher seqs of other devices (the per-device lock only orders one device's
 * rows), so a hole in the seqs keeps the scanner looking from the hole for up to SRV_T_OUTBOX_GAP; a hole
 * older than that is a rolled-back write or a sequence value PostgreSQL skipped. As the safety net for
 * anything missed (a lost NOTIFY, a hole given up too early, a query that failed while the database was
 * away) every SRV_T_SSE_POLL one query asks for the newest seq of every device with a stream here, which also
 * ends the streams of devices that were deleted meanwhile.
 *
 * Fetching: a stream that may have rows waits in a queue; one query then fetches the next page of every
 * stream queued (up to SSE_FETCH_STREAMS), so the streams woken by one scan cost one query, not one each.
 *
 * Resume: the client sends the last id it saw (Last-Event-ID header, or last_event_id in the query for a
 * first connection of an EventSource); it gets every row of its device after it, in order. Below the
 * retention horizon (outbox_pruned), or with an id never issued, it gets a `resync` event first. Without an
 * id, the stream starts with an `id:` line naming the device's newest seq, so a client that reconnects with
 * it misses nothing from that moment on. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <talloc.h>

#include <osmocom/core/hashtable.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include "api.h"
#include "db.h"
#include "http.h"
#include "outbox.h"
#include "sse.h"
#include "srv.h"

#define SSE_PAGE_ROWS	"100"		/*!< rows fetched at a time for one stream */
#define SSE_PAGE_N	100
#define SSE_FETCH_STREAMS 500		/*!< streams whose pages one query fetches */
#define SSE_SCAN_ROWS	5000		/*!< rows the scanner reads per query */
#define SSE_BLOCK	2048		/*!< libmicrohttpd's read size for a stream */
#define SSE_RETRY_MS	2000		/*!< the reconnection delay suggested to EventSource clients */
#define SSE_TIMEOUT_MIN	60		/*!< seconds; a stream's idle timeout is at least this */

struct srv_sse {
	struct srv_instance *srv;
	DECLARE_HASHTABLE(devices, 10);	/*!< struct sse_stream by device id */
	unsigned int n_streams;
	/* scanner */
	bool scan_init;			/*!< settled is known */
	bool scan_busy;
	bool scan_again;
	int64_t settled;		/*!< every seq <= settled was looked at (or its hole given up) */
	int64_t seen;			/*!< highest seq looked at */
	int64_t hole;			/*!< first missing seq after settled, 0: none */
	struct timespec hole_since;
	struct osmo_timer_list kick_timer;
	struct osmo_timer_list retry_timer;	/*!< the database failed a scan or fetch: scan again soon */
	struct llist_head retry;	/*!< struct sse_stream whose fetch failed, woken after the next good scan */
	struct llist_head fetch_queue;	/*!< struct sse_stream waiting for the next fetch query */
	struct osmo_timer_list fetch_timer;
	struct osmo_timer_list poll_timer;
	bool poll_busy;
	bool shutdown;
	/* figures for `show server` */
	uint64_t events_sent;
	uint64_t scans;
	uint64_t fetches;
};

/* One fetch query in flight and the streams it fetches for (a stream that ends meanwhile leaves the list). */
struct sse_fetch {
	struct srv_sse *sse;
	struct llist_head streams;	/*!< struct sse_stream.fetch */
	unsigned int n;			/*!< streams in the query */
};

struct sse_stream {
	struct hlist_node node;		/*!< in srv_sse.devices */
	struct llist_head retry;	/*!< in srv_sse.retry while a failed fetch waits for the database */
	struct llist_head fetch;	/*!< in srv_sse.fetch_queue or in a struct sse_fetch while fetching */
	unsigned int fetch_k;		/*!< its number in the fetch query (1..n) */
	unsigned int fetch_rows;
	struct srv_sse *sse;
	struct srv_req *req;
	int64_t device_id;
	char token_id[24];		/*!< the token it authenticated with: a new token ends the stream */
	int64_t last_seq;		/*!< highest seq put into out */
	char *out;			/*!< bytes ready for the client (talloc), NULL when drained */
	size_t out_len;
	size_t out_pos;
	bool wanted;			/*!< there may be rows after last_seq */
	bool fetching;			/*!< queued for a fetch, or in one */
	bool ending;			/*!< end the response once out is drained */
	struct osmo_timer_list hb_timer;
};

static void stream_pump(struct sse_stream *s);
static void retry_later(struct srv_sse *sse);

/* --- output ------------------------------------------------------------------------------------------ */

static int out_append(struct sse_stream *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int out_append(struct sse_stream *s, const char *fmt, ...)
{
	va_list ap;
	char *n;

	if (s->out && s->out_pos == s->out_len) {
		TALLOC_FREE(s->out);
		s->out_len = s->out_pos = 0;
	}
	va_start(ap, fmt);
	n = s->out ? talloc_vasprintf_append_buffer(s->out, fmt, ap) : talloc_vasprintf(s, fmt, ap);
	va_end(ap);
	if (!n)
		return -ENOMEM;
	s->out = n;
	s->out_len = talloc_get_size(n) - 1;
	return 0;
}

static void stream_resume(struct sse_stream *s)
{
	srv_req_resume(s->req);
}

static void hb_schedule(struct sse_stream *s)
{
	unsigned long ms = osmo_tdef_get(s->sse->srv->tdefs, SRV_T_SSE_HEARTBEAT, OSMO_TDEF_MS, 15000);

	osmo_timer_schedule(&s->hb_timer, ms / 1000, (ms % 1000) * 1000);
}

static void hb_timer_cb(void *data)
{
	struct sse_stream *s = data;

	/* a comment line: EventSource ignores it, proxies and the client's idle timer see traffic */
	if (!s->out && out_append(s, ": heartbeat\n\n") == 0)
		stream_resume(s);
	hb_schedule(s);
}

/* libmicrohttpd asks for the next bytes of the body. */
static ssize_t sse_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse_stream *s = cls;
	struct srv_req *req = s->req;
	size_t n;

	if (s->out && s->out_pos < s->out_len) {
		n = s->out_len - s->out_pos;
		if (n > max)
			n = max;
		memcpy(buf, s->out + s->out_pos, n);
		s->out_pos += n;
		if (s->out_pos == s->out_len) {
			TALLOC_FREE(s->out);
			s->out_len = s->out_pos = 0;
		}
		hb_schedule(s);
		return n;
	}
	if (s->ending)
		return MHD_CONTENT_READER_END_OF_STREAM;
	stream_pump(s);
	/* nothing now: wait for srv_req_resume() */
	if (req->conn) {
		req->suspended = true;
		MHD_suspend_connection(req->conn);
	}
	return 0;
}

/* --- fetching a stream's rows ------------------------------------------------------------------------ */

/* A fetch failed (the database is away): the streams try again after the next good scan. */
static void fetch_failed(struct sse_stream *s)
{
	s->fetching = false;
	s->wanted = true;
	if (llist_empty(&s->retry))
		llist_add_tail(&s->retry, &s->sse->retry);
}

/* Every stream of a fetch list failed. */
static void fetch_failed_all(struct llist_head *list)
{
	struct sse_stream *s, *tmp;

	llist_for_each_entry_safe(s, tmp, list, fetch) {
		llist_del_init(&s->fetch);
		fetch_failed(s);
	}
}

/* One row of a stream's page. */
static void page_row(struct sse_stream *s, const char *seq_s, const char *type, const char *payload)
{
	int64_t seq = strtoll(seq_s, NULL, 10);

	s->fetch_rows++;
	if (seq <= s->last_seq || s->ending)
		return;
	/* type is [a-z0-9_.-] (table CHECK), jsonb's text form has no line breaks: each is one SSE field */
	if (out_append(s, "id: %s\nevent: %s\ndata: %s\n\n", seq_s, type, payload) < 0) {
		s->ending = true;
		return;
	}
	s->last_seq = seq;
	s->sse->events_sent++;
}

static void fetch_cb(void *priv, const PGresult *res, const char *errmsg)
{
	struct sse_fetch *f = priv;
	struct srv_sse *sse = f->sse;
	struct sse_stream **by_k = NULL, *s, *tmp;
	int i, n;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
		LOGP(DAPI, LOGL_INFO, "events of %u streams: %s\n", f->n, errmsg ? errmsg : "?");
	else
		by_k = talloc_zero_array(f, struct sse_stream *, f->n);
	if (!by_k) {
		/* the database is away (or memory short): each stream tries again after the next good scan */
		fetch_failed_all(&f->streams);
		talloc_free(f);
		retry_later(sse);
		return;
	}
	llist_for_each_entry(s, &f->streams, fetch)
		by_k[s->fetch_k - 1] = s;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		long k = strtol(PQgetvalue(res, i, 0), NULL, 10);

		/* a stream that ended meanwhile is no longer in the list */
		if (k >= 1 && k <= (long)f->n && by_k[k - 1])
			page_row(by_k[k - 1], PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
	}
	llist_for_each_entry_safe(s, tmp, &f->streams, fetch) {
		llist_del_init(&s->fetch);
		s->fetching = false;
		if (s->fetch_rows == SSE_PAGE_N)
			s->wanted = true;
		if (s->out || s->ending)
			stream_resume(s);
	}
	talloc_free(f);
}

/* Send one query for the streams queued (up to SSE_FETCH_STREAMS of them; the timer comes back for more):
 * each stream's rows after its last seq, a page at most, numbered by the stream's place in the query. */
static void fetch_timer_cb(void *data)
{
	struct srv_sse *sse = data;
	struct sse_stream *s, *tmp;
	struct sse_fetch *f;
	char *devs, *afters;
	const char *v[2];

	if (llist_empty(&sse->fetch_queue) || sse->shutdown)
		return;
	f = talloc_zero(sse, struct sse_fetch);
	if (!f)
		goto fail;
	devs = talloc_strdup(f, "{");
	afters = talloc_strdup(f, "{");
	if (!devs || !afters)
		goto fail;
	f->sse = sse;
	INIT_LLIST_HEAD(&f->streams);
	llist_for_each_entry_safe(s, tmp, &sse->fetch_queue, fetch) {
		if (f->n == SSE_FETCH_STREAMS)
			break;
		devs = talloc_asprintf_append_buffer(devs, "%s%" PRId64, f->n ? "," : "", s->device_id);
		afters = talloc_asprintf_append_buffer(afters, "%s%" PRId64, f->n ? "," : "", s->last_seq);
		if (!devs || !afters)
			goto fail;
		llist_move_tail(&s->fetch, &f->streams);
		s->fetch_k = ++f->n;
		s->fetch_rows = 0;
	}
	devs = talloc_strdup_append_buffer(devs, "}");
	afters = talloc_strdup_append_buffer(afters, "}");
	if (!devs || !afters)
		goto fail;
	v[0] = devs;
	v[1] = afters;
	if (srv_db_query(sse->srv->db, "SELECT w.k, o.seq, o.type, o.payload::text"
			 " FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS w(dev, after, k)"
			 " CROSS JOIN LATERAL (SELECT seq, type, payload FROM outbox"
			 "  WHERE device_id = w.dev AND seq > w.after ORDER BY seq LIMIT " SSE_PAGE_ROWS ") o"
			 " ORDER BY w.k, o.seq", 2, v, NULL, NULL, fetch_cb, f) < 0)
		goto fail;
	talloc_free(devs);
	talloc_free(afters);
	sse->fetches++;
	if (!llist_empty(&sse->fetch_queue))
		osmo_timer_schedule(&sse->fetch_timer, 0, 0);
	return;
fail:
	/* the database is away or memory is short: every queued stream tries again after the next good scan */
	if (f) {
		fetch_failed_all(&f->streams);
		talloc_free(f);
	}
	fetch_failed_all(&sse->fetch_queue);
	retry_later(sse);
}

/* Queue a fetch of the next page when there may be one and the previous one has left. */
static void stream_pump(struct sse_stream *s)
{
	struct srv_sse *sse = s->sse;

	if (!s->wanted || s->fetching || s->ending || s->out || !s->req->conn || sse->shutdown)
		return;
	s->wanted = false;
	s->fetching = true;
	llist_add_tail(&s->fetch, &sse->fetch_queue);
	if (!osmo_timer_pending(&sse->fetch_timer))
		osmo_timer_schedule(&sse->fetch_timer, 0, 0);
}

/* There may be rows up to seq (0: unknown) for this stream's device. */
static void stream_wake(struct sse_stream *s, int64_t seq)
{
	if (seq && seq <= s->last_seq)
		return;
	s->wanted = true;
	stream_pump(s);
}

static void stream_end(struct sse_stream *s)
{
	s->ending = true;
	stream_resume(s);
}

static int stream_destructor(struct sse_stream *s)
{
	hash_del(&s->node);
	llist_del(&s->retry);
	llist_del(&s->fetch);
	s->sse->n_streams--;
	osmo_timer_del(&s->hb_timer);
	return 0;
}

/* --- the scanner ------------------------------------------------------------------------------------- */

static void wake_device(struct srv_sse *sse, int64_t device_id, int64_t seq)
{
	struct sse_stream *s;
	struct hlist_node *tmp;

	hash_for_each_possible_safe(sse->devices, s, tmp, node, device_id) {
		if (s->device_id == device_id)
			stream_wake(s, seq);
	}
}

static void scan_start(struct srv_sse *sse);

static bool hole_expired(struct srv_sse *sse)
{
	unsigned long gap_ms = osmo_tdef_get(sse->srv->tdefs, SRV_T_OUTBOX_GAP, OSMO_TDEF_MS, 2000);
	struct timespec now;
	long long ms;

	osmo_clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - sse->hole_since.tv_sec) * 1000LL + (now.tv_nsec - sse->hole_since.tv_nsec) / 1000000;
	return ms >= (long long)gap_ms;
}

static void scan_cb(void *priv, const PGresult *res, const char *errmsg)
{
	struct srv_sse *sse = priv;
	int64_t expect;
	bool advancing = true;
	int i, n;

	sse->scan_busy = false;
	if (sse->shutdown)
		return;
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		LOGP(DDB, LOGL_INFO, "outbox scan failed: %s\n", errmsg ? errmsg : "?");
		sse->scan_again = false;
		retry_later(sse);
		return;
	}
	sse->scans++;
	/* the database answers again: the streams whose fetch failed try again */
	while (!llist_empty(&sse->retry)) {
		struct sse_stream *s = llist_first_entry(&sse->retry, struct sse_stream, retry);

		llist_del_init(&s->retry);
		stream_wake(s, 0);
	}
	n = PQntuples(res);
	if (!sse->scan_init) {
		struct sse_stream *s;
		struct hlist_node *tmp;
		unsigned int bkt;

		/* the first query only learnt where the outbox ends. Streams opened before it fetched up to
		 * their own start; rows written since then are below that end and no scan will report them
		 * (their NOTIFY may have come before LISTEN was up): each stream looks for itself once. */
		sse->settled = sse->seen = n == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
		sse->scan_init = true;
		hash_for_each_safe(sse->devices, bkt, tmp, s, node)
			stream_wake(s, 0);
		scan_start(sse);
		return;
	}
	expect = sse->settled + 1;
	for (i = 0; i < n; i++) {
		int64_t seq = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		int64_t dev = strtoll(PQgetvalue(res, i, 1), NULL, 10);

		if (advancing && seq != expect) {
			/* seqs expect..seq-1 are not visible (yet) */
			if (sse->hole == expect && hole_expired(sse)) {
				LOGP(DDB, LOGL_DEBUG, "outbox seqs %" PRId64 "..%" PRId64 " never appeared\n", expect,
				     seq - 1);
				sse->hole = 0;
			} else {
				if (sse->hole != expect) {
					sse->hole = expect;
					osmo_clock_gettime(CLOCK_MONOTONIC, &sse->hole_since);
				}
				advancing = false;
			}
		}
		if (advancing)
			expect = seq + 1;
		if (seq > sse->seen)
			sse->seen = seq;
		wake_device(sse, dev, seq);
	}
	sse->settled = expect - 1;
	if (advancing)
		sse->hole = 0;
	if (n == SSE_SCAN_ROWS)
		sse->scan_again = true;
	if (sse->scan_again) {
		sse->scan_again = false;
		scan_start(sse);
	}
}

static void scan_start(struct srv_sse *sse)
{
	char after[24];
	const char *v[1] = { after };
	int rc;

	if (sse->shutdown)
		return;
	if (sse->scan_busy) {
		sse->scan_again = true;
		return;
	}
	if (!sse->scan_init) {
		rc = srv_db_query(sse->srv->db, "SELECT coalesce(max(seq), 0) FROM outbox", 0, NULL, NULL, NULL,
				  scan_cb, sse);
	} else {
		snprintf(after, sizeof(after), "%" PRId64, sse->settled);
		rc = srv_db_query(sse->srv->db, "SELECT seq, device_id FROM outbox WHERE seq > $1::bigint"
				  " ORDER BY seq LIMIT " OSMO_STRINGIFY_VAL(SSE_SCAN_ROWS), 1, v, NULL, NULL, scan_cb,
				  sse);
	}
	if (rc == 0)
		sse->scan_busy = true;
	else
		retry_later(sse);
}

static void retry_timer_cb(void *data)
{
	scan_start(data);
}

/* The database failed us: scan again after the first reconnect delay (cheap while it is down: the query is
 * refused at once), which also retries the failed fetches. */
static void retry_later(struct srv_sse *sse)
{
	unsigned long ms = osmo_tdef_get(sse->srv->tdefs, SRV_T_DB_BACKOFF_MIN, OSMO_TDEF_MS, 250);

	if (!sse->shutdown && !osmo_timer_pending(&sse->retry_timer))
		osmo_timer_schedule(&sse->retry_timer, ms / 1000, (ms % 1000) * 1000);
}

static void kick_timer_cb(void *data)
{
	scan_start(data);
}

/*! \brief Something was written to the outbox, up to seq (0: unknown): look for it soon. Many kicks before the
 *  select loop comes round make one scan. */
void srv_sse_kick(struct srv_sse *sse, int64_t seq)
{
	if (!sse || sse->shutdown)
		return;
	/* already looked at, and no hole that this could fill */
	if (sse->scan_init && seq > 0 && seq <= sse->seen && !sse->hole)
		return;
	if (!osmo_timer_pending(&sse->kick_timer))
		osmo_timer_schedule(&sse->kick_timer, 0, 0);
}

/* --- the periodic safety net ------------------------------------------------------------------------- */

static void poll_schedule(struct srv_sse *sse)
{
	unsigned long ms = osmo_tdef_get(sse->srv->tdefs, SRV_T_SSE_POLL, OSMO_TDEF_MS, 10000);

	osmo_timer_schedule(&sse->poll_timer, ms / 1000, (ms % 1000) * 1000);
}

static void poll_cb(void *priv, const PGresult *res, const char *errmsg)
{
	struct srv_sse *sse = priv;
	int i, n;

	sse->poll_busy = false;
	if (sse->shutdown)
		return;
	poll_schedule(sse);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		LOGP(DDB, LOGL_INFO, "outbox poll failed: %s\n", errmsg ? errmsg : "?");
		return;
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		int64_t dev = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		int64_t seq = PQgetisnull(res, i, 2) ? 0 : strtoll(PQgetvalue(res, i, 2), NULL, 10);
		bool gone = PQgetisnull(res, i, 1);
		struct sse_stream *s;
		struct hlist_node *tmp;

		hash_for_each_possible_safe(sse->devices, s, tmp, node, dev) {
			if (s->device_id != dev)
				continue;
			if (gone || strcmp(s->token_id, PQgetvalue(res, i, 1))) {
				LOGP(DAPI, LOGL_INFO, "device %" PRId64 " deleted or its token replaced: stream ended\n", dev);
				stream_end(s);
			} else if (seq > s->last_seq || s->wanted) {
				stream_wake(s, 0);
			}
		}
	}
}

static void poll_timer_cb(void *data)
{
	struct srv_sse *sse = data;
	struct sse_stream *s;
	char *ids;
	const char *v[1];
	unsigned int bkt;
	bool first = true;

	/* keep the scanner's position current even when nobody listens here */
	scan_start(sse);
	if (!sse->n_streams || sse->poll_busy) {
		poll_schedule(sse);
		return;
	}
	/* ~20 characters per stream, once per poll: a few hundred kB for ten thousand clients */
	ids = talloc_strdup(sse, "{");
	hash_for_each(sse->devices, bkt, s, node) {
		if (!ids)
			break;
		ids = talloc_asprintf_append_buffer(ids, "%s%" PRId64, first ? "" : ",", s->device_id);
		first = false;
	}
	if (ids)
		ids = talloc_strdup_append_buffer(ids, "}");
	if (!ids) {
		poll_schedule(sse);
		return;
	}
	v[0] = ids;
	if (srv_db_query(sse->srv->db, "SELECT c.id, d.token_id,"
			 " (SELECT max(seq) FROM outbox o WHERE o.device_id = c.id)"
			 " FROM (SELECT DISTINCT unnest($1::bigint[]) AS id) c LEFT JOIN devices d ON d.id = c.id",
			 1, v, NULL, NULL, poll_cb, sse) < 0)
		poll_schedule(sse);
	else
		sse->poll_busy = true;
	talloc_free(ids);
}

/* --- GET /v1/events ---------------------------------------------------------------------------------- */

struct open_state {
	bool has_last;
	int64_t last;
};

static void open_cb(struct srv_req *req, const PGresult *res, const char *errmsg)
{
	struct open_state *os = req->state;
	struct srv_sse *sse = req->srv->sse;
	struct MHD_Response *r;
	struct sse_stream *s;
	int64_t pruned, issued, newest, pos;
	const char *reason = NULL;
	unsigned long hb_s;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		srv_req_db_error(req, res, errmsg);
		return;
	}
	if (PQntuples(res) != 1) {
		/* deleted between authentication and now */
		srv_req_error(req, 401, "unauthorized", NULL, "unknown or revoked credentials");
		return;
	}
	if (!sse || sse->shutdown) {
		srv_req_error(req, 503, "unavailable", NULL, "shutting down");
		return;
	}
	pruned = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	issued = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	newest = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	pos = newest > pruned ? newest : pruned;
	if (os->has_last) {
		if (os->last > issued) {
			reason = "unknown_id";
		} else if (os->last < pruned) {
			reason = "retention";
			pos = pruned;
		} else {
			pos = os->last;
		}
	}

	s = talloc_zero(req, struct sse_stream);
	if (!s) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		return;
	}
	s->sse = sse;
	s->req = req;
	s->device_id = req->device_id;
	osmo_strlcpy(s->token_id, PQgetvalue(res, 0, 0), sizeof(s->token_id));
	s->last_seq = pos;
	osmo_timer_setup(&s->hb_timer, hb_timer_cb, s);
	INIT_LLIST_HEAD(&s->retry);
	INIT_LLIST_HEAD(&s->fetch);
	hash_add(sse->devices, &s->node, s->device_id);
	sse->n_streams++;
	talloc_set_destructor(s, stream_destructor);
	req->state = s;

	if (reason)
		out_append(s, "retry: %u\nid: %" PRId64 "\nevent: resync\ndata: {\"reason\":\"%s\","
			   "\"last_event_id\":%" PRId64 ",\"resume_from\":%" PRId64 "}\n\n", SSE_RETRY_MS, pos, reason,
			   os->last, pos);
	else
		out_append(s, "retry: %u\nid: %" PRId64 "\n\n", SSE_RETRY_MS, pos);
	if (!s->out) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		return;
	}

	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK, sse_reader, s, NULL);
	if (!r) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		return;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	/* reverse proxies (nginx) must pass events through at once */
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	req->resp = r;
	req->status = 200;
	/* a stream is quiet between heartbeats: the idle timeout must be longer than that */
	hb_s = osmo_tdef_get(sse->srv->tdefs, SRV_T_SSE_HEARTBEAT, OSMO_TDEF_S, 15);
	MHD_set_connection_option(req->conn, MHD_CONNECTION_OPTION_TIMEOUT,
				  (unsigned int)(3 * hb_s > SSE_TIMEOUT_MIN ? 3 * hb_s : SSE_TIMEOUT_MIN));
	LOGP(DAPI, LOGL_INFO, "%s device %" PRId64 " events from %" PRId64 "%s%s\n", req->client_ip,
	     req->device_id, pos, reason ? ", resync: " : "", reason ? reason : "");
	hb_schedule(s);
	s->wanted = true;
	srv_req_resume(req);
}

/*! \brief GET /v1/events (device): the device's events as text/event-stream, from after Last-Event-ID. */
void srv_api_events(struct srv_req *req)
{
	static const char *const allowed[] = { "last_event_id", NULL };
	struct open_state *os;
	const char *last, *v[1];
	char dev[24];

	if (srv_req_check_query_args(req, allowed) < 0)
		return;
	os = talloc_zero(req, struct open_state);
	if (!os) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		return;
	}
	/* the header wins: an EventSource sends it when it reconnects by itself */
	last = srv_req_header(req, "Last-Event-ID");
	if (!last || !last[0])
		last = srv_req_query_arg(req, "last_event_id");
	if (last) {
		if (srv_outbox_seq_parse(&os->last, last) < 0) {
			srv_req_error(req, 400, "out_of_range", "last_event_id", "must be an event id (0 or more)");
			return;
		}
		os->has_last = true;
	}
	req->state = os;
	snprintf(dev, sizeof(dev), "%" PRId64, req->device_id);
	v[0] = dev;
	/* a device coupled to an address was checked when its token was (api.c) */
	srv_req_query(req, open_cb,
		      "SELECT d.token_id,"
		      " coalesce((SELECT seq FROM outbox_pruned p WHERE p.device_id = d.id), 0),"
		      " (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM outbox_seq),"
		      " coalesce((SELECT max(seq) FROM outbox o WHERE o.device_id = d.id), 0)"
		      " FROM devices d WHERE d.id = $1::bigint", 1, v, NULL, NULL);
}

/* --- POST /v1/devices/{id}/events (engineers: a notice to a device) ---------------------------------- */

static void notice_cb(struct srv_req *req, const PGresult *res, const char *errmsg)
{
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		srv_req_db_error(req, res, errmsg);
		return;
	}
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		srv_req_error(req, 404, "not_found", NULL, "no such object");
		return;
	}
	srv_req_reply_json_text(req, 201, PQgetvalue(res, 0, 0));
	srv_outbox_written(req->srv, strtoll(PQgetvalue(res, 0, 1), NULL, 10));
}

/*! \brief POST /v1/devices/{id}/events (engineer, admin): put a `notice` event {"text"} into the device's
 *  outbox, audited. For operators (and tests: the events of calls come from the matcher). */
void srv_api_device_notice(struct srv_req *req)
{
	static const struct srv_field spec[] = {
		{ "text", SRV_F_STRING, true, 1000 },
	};
	const char *v[3], *id;

	if (srv_api_arg_id(req, 0, &id) < 0 || srv_api_fields(req, spec, ARRAY_SIZE(spec), &v[1]) < 0)
		return;
	v[0] = id;
	v[2] = req->actor;
	srv_req_query(req, notice_cb,
		      "WITH d AS (SELECT id FROM devices WHERE id = $1::bigint),"
		      " ob AS (" SRV_OUTBOX_INSERT " SELECT id, 'notice', jsonb_build_object('text', $2::text)"
		      "  FROM d RETURNING seq, device_id, type, payload, created_at),"
		      " a AS (INSERT INTO audit_log (actor, action, object, after)"
		      "  SELECT $3, 'device.notice', 'device/' || ob.device_id, to_jsonb(ob) FROM ob)"
		      " SELECT (SELECT json_build_object('seq', seq, 'device_id', device_id, 'type', type,"
		      "  'data', payload, 'created_at', created_at)::text FROM ob), (SELECT seq FROM ob)", 3, v, NULL,
		      NULL);
}

/* --- the instance's part ----------------------------------------------------------------------------- */

static int sse_destructor(struct srv_sse *sse)
{
	osmo_timer_del(&sse->kick_timer);
	osmo_timer_del(&sse->retry_timer);
	osmo_timer_del(&sse->poll_timer);
	osmo_timer_del(&sse->fetch_timer);
	return 0;
}

/*! \brief The event streams of the instance: scanner and poll (streams come with their requests). */
struct srv_sse *srv_sse_alloc(struct srv_instance *srv)
{
	struct srv_sse *sse = talloc_zero(srv, struct srv_sse);

	if (!sse)
		return NULL;
	sse->srv = srv;
	hash_init(sse->devices);
	osmo_timer_setup(&sse->kick_timer, kick_timer_cb, sse);
	osmo_timer_setup(&sse->retry_timer, retry_timer_cb, sse);
	INIT_LLIST_HEAD(&sse->retry);
	INIT_LLIST_HEAD(&sse->fetch_queue);
	osmo_timer_setup(&sse->fetch_timer, fetch_timer_cb, sse);
	osmo_timer_setup(&sse->poll_timer, poll_timer_cb, sse);
	talloc_set_destructor(sse, sse_destructor);
	poll_schedule(sse);
	return sse;
}

/*! \brief End every stream (their clients reconnect elsewhere or later and resume); no new ones. */
void srv_sse_shutdown(struct srv_sse *sse)
{
	struct sse_stream *s;
	struct hlist_node *tmp;
	unsigned int bkt;

	if (!sse)
		return;
	sse->shutdown = true;
	osmo_timer_del(&sse->kick_timer);
	osmo_timer_del(&sse->retry_timer);
	osmo_timer_del(&sse->poll_timer);
	osmo_timer_del(&sse->fetch_timer);
	hash_for_each_safe(sse->devices, bkt, tmp, s, node)
		stream_end(s);
}

/*! \brief Events sent to streams and fetch queries (each fetching the pages of up to SSE_FETCH_STREAMS streams)
 *  since start. */
void srv_sse_counts(const struct srv_sse *sse, uint64_t *events_sent, uint64_t *fetches)
{
	*events_sent = sse ? sse->events_sent : 0;
	*fetches = sse ? sse->fetches : 0;
}

/*! \brief Streams open now. */
unsigned int srv_sse_streams(const struct srv_sse *sse)
{
	return sse ? sse->n_streams : 0;
}
