/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: the events outbox: wake-ups after a write, the batched NOTIFY, the retention job.
 *
 * Rows are written by the callers' own statements (SRV_OUTBOX_INSERT in outbox.h); this file only learns
 * afterwards that something was written (srv_outbox_written()) and then
 *  - wakes this instance's event streams at once (no round trip through PostgreSQL), and
 *  - tells the other instances with NOTIFY tandem_outbox '<highest seq>'. Every notifying commit takes a
 *    cluster-wide lock, so NOTIFY is not sent by each writing transaction: at most one NOTIFY statement of
 *    this instance is in flight, and whatever was written meanwhile is announced by the next one, with the
 *    highest seq only. Under load many writes share one NOTIFY; when idle a write is announced at once.
 * A lost NOTIFY (instance crashed after its commit, LISTEN connection down) only delays delivery until the
 * streams' periodic poll (SRV_T_SSE_POLL); the data itself is in the table.
 *
 * Retention: every SRV_T_OUTBOX_RETENTION one statement deletes, per device, the rows older than
 * 'outbox max-age' and those beyond the newest 'outbox max-events', always a prefix in seq order, and notes
 * the highest deleted seq in outbox_pruned (a client resuming below it gets a resync event). Several
 * instances share the job through a try-lock: one runs it, the others skip that round. Cost: the count limit
 * groups the whole outbox by device (an index-only scan of outbox_device_seq), the age limit reads only the
 * old rows (outbox_created, a BRIN index). Rows of a device deleted meanwhile (008_outbox_keys.sql) go with the
 * old rows; only existing devices get an outbox_pruned row. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/timer.h>

#include "db.h"
#include "outbox.h"
#include "sse.h"
#include "srv.h"

struct srv_outbox {
	struct srv_instance *srv;
	int64_t notify_want;		/*!< highest seq written by this instance */
	int64_t notify_sent;		/*!< highest seq announced */
	bool notify_busy;		/*!< a NOTIFY statement is in flight */
	bool notify_blind;		/*!< something of unknown seq was written: announce even without a new seq */
	struct osmo_timer_list retention_timer;
	bool retention_busy;
	uint64_t notifies;		/*!< NOTIFY statements sent (each may cover many writes) */
	uint64_t writes;		/*!< srv_outbox_written() calls */
};

/* pg_try_advisory_xact_lock() key of the retention job: "tdret" in ASCII */
#define RETENTION_LOCK "116100114101116"

static const char sql_retention[] =
	"WITH lk AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(" RETENTION_LOCK ") AS ok),"
	" aged AS (SELECT device_id, max(seq) AS seq FROM outbox"
	"  WHERE created_at < now() - $1::bigint * interval '1 second' AND (SELECT ok FROM lk) GROUP BY device_id),"
	" crowded AS (SELECT device_id FROM outbox WHERE (SELECT ok FROM lk)"
	"  GROUP BY device_id HAVING count(*) > $2::bigint),"
	" counted AS (SELECT c.device_id, x.seq FROM crowded c CROSS JOIN LATERAL"
	"  (SELECT seq FROM outbox o WHERE o.device_id = c.device_id ORDER BY seq DESC OFFSET $2::bigint LIMIT 1) x),"
	" cut AS (SELECT device_id, max(seq) AS seq FROM (SELECT * FROM aged UNION ALL SELECT * FROM counted) u"
	"  GROUP BY device_id),"
	" del AS (DELETE FROM outbox o USING cut WHERE o.device_id = cut.device_id AND o.seq <= cut.seq RETURNING 1),"
	" hz AS (INSERT INTO outbox_pruned AS p (device_id, seq) SELECT device_id, seq FROM cut"
	"  WHERE EXISTS (SELECT 1 FROM devices d WHERE d.id = cut.device_id)"
	"  ON CONFLICT (device_id) DO UPDATE SET seq = greatest(p.seq, excluded.seq) RETURNING 1)"
	" SELECT (SELECT count(*) FROM del), (SELECT count(*) FROM hz), (SELECT ok FROM lk)";

/*! \brief Parse a seq: 1 to 18 decimal digits (a value a bigint sequence can hold). \returns 0 or -EINVAL */
int srv_outbox_seq_parse(int64_t *out, const char *s)
{
	size_t len = strlen(s);

	if (!len || len > 18 || strspn(s, "0123456789") != len)
		return -EINVAL;
	*out = strtoll(s, NULL, 10);
	return 0;
}

/*! \brief Whether s may be an event type: [a-z][a-z0-9_.-]{0,63} (as the outbox table's CHECK). */
bool srv_outbox_type_valid(const char *s)
{
	size_t len = strlen(s);

	return len >= 1 && len <= 64 && s[0] >= 'a' && s[0] <= 'z' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == len;
}

static void notify_send(struct srv_outbox *ob);

static void notify_cb(void *priv, const PGresult *res, const char *errmsg)
{
	struct srv_outbox *ob = priv;

	ob->notify_busy = false;
	if (errmsg)
		LOGP(DDB, LOGL_NOTICE, "cannot NOTIFY %s: %s (other instances see the events at their next poll)\n",
		     SRV_OUTBOX_CHANNEL, errmsg);
	/* more written while this one was on its way: announce the newest */
	notify_send(ob);
}

static void notify_send(struct srv_outbox *ob)
{
	char seq[24];
	const char *v[1] = { seq };

	if (ob->notify_busy || (ob->notify_want <= ob->notify_sent && !ob->notify_blind))
		return;
	/* "0" asks the listeners to look whatever they have seen */
	snprintf(seq, sizeof(seq), "%" PRId64, ob->notify_blind ? 0 : ob->notify_want);
	if (srv_db_query(ob->srv->db, "SELECT pg_notify('" SRV_OUTBOX_CHANNEL "', $1)", 1, v, NULL, NULL,
			 notify_cb, ob) < 0)
		return;	/* no database: the other instances' polls will find it */
	ob->notify_busy = true;
	ob->notify_blind = false;
	ob->notify_sent = ob->notify_want;
	ob->notifies++;
}

/*! \brief Tell the outbox that the caller's statement committed rows up to seq (its highest; 0 when it does not
 *  know, then this instance's streams look for themselves and the NOTIFY carries the last known seq). */
void srv_outbox_written(struct srv_instance *srv, int64_t seq)
{
	struct srv_outbox *ob = srv->outbox;

	if (srv->sse)
		srv_sse_kick(srv->sse, seq);
	if (!ob)
		return;
	ob->writes++;
	if (seq > ob->notify_want)
		ob->notify_want = seq;
	else if (!seq)
		ob->notify_blind = true;
	notify_send(ob);
}

static void retention_schedule(struct srv_outbox *ob)
{
	unsigned long ms = osmo_tdef_get(ob->srv->tdefs, SRV_T_OUTBOX_RETENTION, OSMO_TDEF_MS, 60000);

	osmo_timer_schedule(&ob->retention_timer, ms / 1000, (ms % 1000) * 1000);
}

static void retention_cb(void *priv, const PGresult *res, const char *errmsg)
{
	struct srv_outbox *ob = priv;

	ob->retention_busy = false;
	if (errmsg || !res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		LOGP(DDB, LOGL_NOTICE, "outbox retention failed: %s\n", errmsg ? errmsg : "no result");
	else if (strcmp(PQgetvalue(res, 0, 0), "0"))
		LOGP(DDB, LOGL_INFO, "outbox retention: %s events of %s devices deleted\n", PQgetvalue(res, 0, 0),
		     PQgetvalue(res, 0, 1));
	retention_schedule(ob);
}

static void retention_timer_cb(void *data)
{
	struct srv_outbox *ob = data;
	char age[24], count[24];
	const char *v[2] = { age, count };

	if (ob->retention_busy)
		return;
	snprintf(age, sizeof(age), "%lu", ob->srv->cfg.outbox_max_age);
	snprintf(count, sizeof(count), "%lu", ob->srv->cfg.outbox_max_events);
	if (srv_db_query(ob->srv->db, sql_retention, 2, v, NULL, NULL, retention_cb, ob) < 0) {
		retention_schedule(ob);
		return;
	}
	ob->retention_busy = true;
}

static int outbox_destructor(struct srv_outbox *ob)
{
	osmo_timer_del(&ob->retention_timer);
	return 0;
}

/*! \brief The outbox of the instance (after srv->db exists); starts the retention job. */
struct srv_outbox *srv_outbox_alloc(struct srv_instance *srv)
{
	struct srv_outbox *ob = talloc_zero(srv, struct srv_outbox);

	if (!ob)
		return NULL;
	ob->srv = srv;
	osmo_timer_setup(&ob->retention_timer, retention_timer_cb, ob);
	talloc_set_destructor(ob, outbox_destructor);
	retention_schedule(ob);
	return ob;
}
