/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: closing sessions. Every session-sweep-interval one statement closes the sessions that have been
 * call-ended for session-linger (reason "linger") and those still pending or active after session-max-age (a
 * lost end event: reason "max-age"), and writes their `session.closed` events in the same statement, so the
 * state and the events commit together.
 *
 * Several instances may sweep one database: the rows are taken FOR UPDATE SKIP LOCKED, so two sweeps never
 * close one session twice and never wait for each other or for a leg being matched. A sweep takes at most
 * SWEEP_ROWS sessions; when it took that many, the next one runs at once. Cost per sweep: one scan of the
 * sessions not closed (the partial index sessions_open of migration 004). */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include "db.h"
#include "outbox.h"
#include "session_timer.h"
#include "srv.h"

#define SWEEP_ROWS	1000

struct srv_session_timer {
	struct srv_instance *srv;
	struct osmo_timer_list timer;
	bool busy;
	bool stopped;
	struct srv_session_timer_stats stats;
};

static const char sql_sweep[] =
	"WITH due AS ("
	"  SELECT id, CASE WHEN state = 'call-ended' THEN 'linger' ELSE 'max-age' END AS reason FROM sessions"
	"  WHERE (state = 'call-ended'"
	"    AND coalesce(call_ended_at, ended_at) <= now() - $1::integer * interval '1 second')"
	"   OR (state IN ('pending', 'active') AND created_at <= now() - $2::integer * interval '1 second')"
	"  ORDER BY id LIMIT " OSMO_STRINGIFY_VAL(SWEEP_ROWS) " FOR UPDATE SKIP LOCKED),"
	" up AS ("
	"  UPDATE sessions s SET state = 'closed', closed_at = now() FROM due WHERE s.id = due.id"
	"  RETURNING s.id, s.call_id, due.reason),"
	" ob AS (" SRV_OUTBOX_INSERT
	"  SELECT m.device_id, 'session.closed', jsonb_build_object('session', up.id, 'call', up.call_id,"
	"   'reason', up.reason)"
	"  FROM up JOIN session_members m ON m.session_id = up.id ORDER BY m.device_id, up.id RETURNING seq)"
	" SELECT count(*) FILTER (WHERE reason = 'linger'), count(*) FILTER (WHERE reason = 'max-age'),"
	"  (SELECT coalesce(max(seq), 0) FROM ob) FROM up";

static void schedule(struct srv_session_timer *t, bool now)
{
	if (t->stopped)
		return;
	osmo_timer_schedule(&t->timer, now ? 0 : t->srv->cfg.session_sweep, 0);
}

static void sweep_cb(void *priv, const PGresult *res, const char *errmsg)
{
	struct srv_session_timer *t = priv;
	uint64_t linger, max_age;

	t->busy = false;
	if (t->stopped)
		return;
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		/* the database is away or the sweep lost a deadlock: the next run does it */
		LOGP(DDB, LOGL_INFO, "closing sessions failed: %s\n", errmsg ? errmsg : "?");
		t->stats.failures++;
		schedule(t, false);
		return;
	}
	t->stats.runs++;
	linger = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	max_age = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
	t->stats.closed_linger += linger;
	t->stats.closed_max_age += max_age;
	if (linger || max_age) {
		LOGP(DSRV, LOGL_INFO, "closed %" PRIu64 " sessions after their linger time, %" PRIu64
		     " after their maximum age\n", linger, max_age);
		srv_outbox_written(t->srv, strtoll(PQgetvalue(res, 0, 2), NULL, 10));
	}
	schedule(t, linger + max_age >= SWEEP_ROWS);
}

static void timer_cb(void *data)
{
	struct srv_session_timer *t = data;
	char linger[24], max_age[24];
	const char *v[2] = { linger, max_age };

	if (t->busy || t->stopped)
		return;
	if (!srv_db_is_ready(t->srv->db)) {
		schedule(t, false);
		return;
	}
	snprintf(linger, sizeof(linger), "%lu", t->srv->cfg.session_linger);
	snprintf(max_age, sizeof(max_age), "%lu", t->srv->cfg.session_max_age);
	if (srv_db_query(t->srv->db, sql_sweep, 2, v, NULL, NULL, sweep_cb, t) < 0) {
		t->stats.failures++;
		schedule(t, false);
		return;
	}
	t->busy = true;
}

static int timer_destructor(struct srv_session_timer *t)
{
	osmo_timer_del(&t->timer);
	return 0;
}

/*! \brief The closing job of the instance; its first run is one session-sweep-interval after start. */
struct srv_session_timer *srv_session_timer_alloc(struct srv_instance *srv)
{
	struct srv_session_timer *t = talloc_zero(srv, struct srv_session_timer);

	if (!t)
		return NULL;
	t->srv = srv;
	osmo_timer_setup(&t->timer, timer_cb, t);
	talloc_set_destructor(t, timer_destructor);
	schedule(t, false);
	return t;
}

/*! \brief No more sweeps (shutdown); a sweep in flight is answered and ignored. */
void srv_session_timer_stop(struct srv_session_timer *t)
{
	if (!t)
		return;
	t->stopped = true;
	osmo_timer_del(&t->timer);
}

/*! \brief Figures since start. */
const struct srv_session_timer_stats *srv_session_timer_stats(const struct srv_session_timer *t)
{
	static const struct srv_session_timer_stats none;

	return t ? &t->stats : &none;
}
