/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: one asynchronous PostgreSQL connection on the osmo select loop.
 *
 * Life of the connection: WAIT (reconnect timer) -> CONNECTING (PQconnectPoll) -> MIGRATING (schema
 * migrations in one transaction under an advisory lock, simple query protocol) -> READY (pipeline mode:
 * every query is sent with its own sync point, so an error aborts only that query, and results come back
 * in the order the queries were sent). Any failure closes the connection, fails every pending query with
 * errmsg set and res NULL, and reconnects after a delay that doubles from SRV_T_DB_BACKOFF_MIN up to
 * SRV_T_DB_BACKOFF_MAX. Nothing blocks: the socket is polled by the select loop. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include "db.h"
#include "srv.h"

/* pg_advisory_xact_lock() key for migrations: "tandem" in ASCII. */
#define SRV_MIGRATION_LOCK	"116101110100101109"

enum srv_db_state {
	DB_ST_WAIT,
	DB_ST_CONNECTING,
	DB_ST_MIGRATING,
	DB_ST_READY,
	DB_ST_SHUTDOWN,
};

static const struct value_string db_state_names[] = {
	{ DB_ST_WAIT, "waiting" },
	{ DB_ST_CONNECTING, "connecting" },
	{ DB_ST_MIGRATING, "migrating" },
	{ DB_ST_READY, "ready" },
	{ DB_ST_SHUTDOWN, "shutdown" },
	{ 0, NULL }
};

struct srv_db_query {
	struct llist_head list;
	srv_db_cb cb;
	void *priv;
	PGresult *res;		/*!< first result of the query (data or error) */
};

struct srv_db {
	char *dsn;
	struct osmo_tdef *tdefs;
	enum srv_db_state state;
	PGconn *conn;
	struct osmo_fd ofd;
	struct osmo_timer_list reconnect_timer;
	struct osmo_timer_list connect_timer;	/*!< bounds CONNECTING + MIGRATING */
	struct osmo_timer_list fail_timer;	/*!< defers a failure out of srv_db_query() */
	unsigned long backoff_ms;
	struct llist_head pending;	/*!< struct srv_db_query, in send order */
	unsigned int n_pending;
	/* migrations */
	unsigned int mig_step;		/*!< 0: lock + read versions; 1..n: migrations; n+1: commit */
	bool *mig_applied;		/*!< per srv_migrations[] index */
	PGresult *mig_last;
	unsigned int schema_version;
	void (*state_cb)(struct srv_db *db, bool ready, void *data);
	void *state_cb_data;
	const char *label;	/*!< "" or "NAME: ", the start of every log line of this connection */
	struct llist_head prepared;	/*!< struct db_prepared: statements prepared on this connection */
};

/* A statement prepared (or being prepared) on the current connection. */
struct db_prepared {
	struct llist_head list;
	const struct srv_db_stmt *stmt;
};

static void db_fail(struct srv_db *db, const char *why);
static void db_fd_update(struct srv_db *db, unsigned int what);

static void db_notice(void *arg, const char *message)
{
	struct srv_db *db = arg;
	size_t len = strlen(message);

	if (len && message[len - 1] == '\n')
		len--;
	LOGP(DDB, LOGL_DEBUG, "%sserver notice: %.*s\n", db->label, (int)len, message);
}

static void db_set_state(struct srv_db *db, enum srv_db_state st)
{
	bool was_ready = db->state == DB_ST_READY;

	if (db->state == st)
		return;
	LOGP(DDB, LOGL_INFO, "%sdatabase %s -> %s\n", db->label, get_value_string(db_state_names, db->state),
	     get_value_string(db_state_names, st));
	db->state = st;
	if (db->state_cb && was_ready != (st == DB_ST_READY))
		db->state_cb(db, st == DB_ST_READY, db->state_cb_data);
}

static void db_close(struct srv_db *db)
{
	struct db_prepared *p, *tmp;

	/* a new connection prepares its statements again */
	llist_for_each_entry_safe(p, tmp, &db->prepared, list) {
		llist_del(&p->list);
		talloc_free(p);
	}
	if (db->ofd.fd >= 0) {
		osmo_fd_unregister(&db->ofd);
		db->ofd.fd = -1;
	}
	if (db->conn) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	if (db->mig_last) {
		PQclear(db->mig_last);
		db->mig_last = NULL;
	}
	osmo_timer_del(&db->connect_timer);
	osmo_timer_del(&db->fail_timer);
}

/* Complete every pending query with errmsg (callbacks may not submit: the state is not READY). */
static void db_fail_pending(struct srv_db *db, const char *errmsg)
{
	struct srv_db_query *q, *tmp;
	LLIST_HEAD(list);

	llist_splice_init(&db->pending, &list);
	db->n_pending = 0;
	llist_for_each_entry_safe(q, tmp, &list, list) {
		llist_del(&q->list);
		q->cb(q->priv, NULL, errmsg);
		if (q->res)
			PQclear(q->res);
		talloc_free(q);
	}
}

static void db_fail(struct srv_db *db, const char *why)
{
	unsigned long min_ms = osmo_tdef_get(db->tdefs, SRV_T_DB_BACKOFF_MIN, OSMO_TDEF_MS, 250);
	unsigned long max_ms = osmo_tdef_get(db->tdefs, SRV_T_DB_BACKOFF_MAX, OSMO_TDEF_MS, 5000);

	if (db->state == DB_ST_SHUTDOWN)
		return;
	LOGP(DDB, LOGL_ERROR, "%sdatabase unusable: %s; retrying in %lu ms\n", db->label, why,
	     db->backoff_ms ? db->backoff_ms : min_ms);
	db_close(db);
	db_set_state(db, DB_ST_WAIT);
	db_fail_pending(db, "database unavailable");
	if (!db->backoff_ms)
		db->backoff_ms = min_ms;
	osmo_timer_schedule(&db->reconnect_timer, db->backoff_ms / 1000, (db->backoff_ms % 1000) * 1000);
	db->backoff_ms *= 2;
	if (db->backoff_ms > max_ms)
		db->backoff_ms = max_ms;
}

static void db_fail_pq(struct srv_db *db, const char *what)
{
	char buf[256];
	const char *msg = db->conn ? PQerrorMessage(db->conn) : "";
	size_t len = strlen(msg);

	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	snprintf(buf, sizeof(buf), "%s: %.*s", what, (int)len, msg);
	db_fail(db, buf);
}

/* Register the libpq socket with the select loop for the given OSMO_FD_* interest; libpq may change the
 * socket during connection set-up, so this is called after every PQconnectPoll step. */
static void db_fd_update(struct srv_db *db, unsigned int what)
{
	int fd = db->conn ? PQsocket(db->conn) : -1;

	if (db->ofd.fd != fd) {
		if (db->ofd.fd >= 0)
			osmo_fd_unregister(&db->ofd);
		db->ofd.fd = -1;
		if (fd < 0)
			return;
		osmo_fd_setup(&db->ofd, fd, what, db->ofd.cb, db, 0);
		if (osmo_fd_register(&db->ofd) < 0) {
			db->ofd.fd = -1;
			return;
		}
		return;
	}
	osmo_fd_write_disable(&db->ofd);
	osmo_fd_read_disable(&db->ofd);
	db->ofd.when |= what;
}

/* Flush what libpq has buffered; want writability while it could not send everything. */
static int db_flush(struct srv_db *db)
{
	int rc = PQflush(db->conn);

	if (rc < 0)
		return -EIO;
	if (rc == 1)
		osmo_fd_write_enable(&db->ofd);
	else
		osmo_fd_write_disable(&db->ofd);
	return 0;
}

static void db_mig_send(struct srv_db *db);

static void db_connected(struct srv_db *db)
{
	PQsetNoticeProcessor(db->conn, db_notice, db);
	if (PQsetnonblocking(db->conn, 1) != 0) {
		db_fail_pq(db, "cannot make the connection non-blocking");
		return;
	}
	LOGP(DDB, LOGL_INFO, "%sconnected to database %s (server %d)\n", db->label, PQdb(db->conn),
	     PQserverVersion(db->conn));
	db_set_state(db, DB_ST_MIGRATING);
	db->mig_step = 0;
	db_fd_update(db, OSMO_FD_READ);
	db_mig_send(db);
}

static void db_connect_poll(struct srv_db *db)
{
	switch (PQconnectPoll(db->conn)) {
	case PGRES_POLLING_READING:
		db_fd_update(db, OSMO_FD_READ);
		break;
	case PGRES_POLLING_WRITING:
		db_fd_update(db, OSMO_FD_WRITE);
		break;
	case PGRES_POLLING_OK:
		db_connected(db);
		break;
	default:
		db_fail_pq(db, "connection failed");
		break;
	}
}

/* --- migrations ------------------------------------------------------------------------------------- */

static void db_mig_send(struct srv_db *db)
{
	char *sql;
	int rc;

	if (db->mig_step == 0) {
		sql = talloc_strdup(db, "BEGIN;\n"
				    "SELECT pg_advisory_xact_lock(" SRV_MIGRATION_LOCK ");\n"
				    "CREATE TABLE IF NOT EXISTS schema_version (\n"
				    "	version integer PRIMARY KEY,\n"
				    "	name text NOT NULL,\n"
				    "	applied_at timestamptz NOT NULL DEFAULT now());\n"
				    "SELECT version FROM schema_version ORDER BY version;\n");
	} else if (db->mig_step <= srv_migrations_count) {
		const struct srv_migration *m = &srv_migrations[db->mig_step - 1];

		LOGP(DDB, LOGL_NOTICE, "%sapplying migration %03u_%s\n", db->label, m->version, m->name);
		/* names are [a-z0-9_] only (checked by server/sql/embed.sh) */
		sql = talloc_asprintf(db, "%s\n;\nINSERT INTO schema_version (version, name) VALUES (%u, '%s');\n",
				      m->sql, m->version, m->name);
	} else {
		sql = talloc_strdup(db, "COMMIT;");
	}
	if (!sql) {
		db_fail(db, "out of memory");
		return;
	}
	rc = PQsendQuery(db->conn, sql);
	talloc_free(sql);
	if (!rc) {
		db_fail_pq(db, "cannot send migration");
		return;
	}
	if (db_flush(db) < 0)
		db_fail_pq(db, "cannot send migration");
}

/* Step 0 returned the applied versions: decide what to apply. */
static int db_mig_plan(struct srv_db *db)
{
	int i, n;
	unsigned int k;

	if (!db->mig_last || PQresultStatus(db->mig_last) != PGRES_TUPLES_OK)
		return -EINVAL;
	talloc_free(db->mig_applied);
	db->mig_applied = talloc_zero_array(db, bool, srv_migrations_count + 1);
	if (!db->mig_applied)
		return -ENOMEM;
	n = PQntuples(db->mig_last);
	db->schema_version = 0;
	for (i = 0; i < n; i++) {
		unsigned int v = strtoul(PQgetvalue(db->mig_last, i, 0), NULL, 10);
		bool known = false;

		for (k = 0; k < srv_migrations_count; k++) {
			if (srv_migrations[k].version == v) {
				db->mig_applied[k] = true;
				known = true;
			}
		}
		if (!known) {
			LOGP(DDB, LOGL_ERROR, "%sdatabase has schema version %u, unknown to this tandem-server\n",
			     db->label, v);
			return -EPROTO;
		}
		if (v > db->schema_version)
			db->schema_version = v;
	}
	return 0;
}

/* Next step after mig_step: skip migrations already applied. */
static void db_mig_next(struct srv_db *db)
{
	db->mig_step++;
	while (db->mig_step <= srv_migrations_count && db->mig_applied[db->mig_step - 1])
		db->mig_step++;
	if (db->mig_step <= srv_migrations_count)
		db->schema_version = srv_migrations[db->mig_step - 1].version;
}

static void db_mig_done(struct srv_db *db)
{
	osmo_timer_del(&db->connect_timer);
	if (!PQenterPipelineMode(db->conn)) {
		db_fail_pq(db, "cannot enter pipeline mode");
		return;
	}
	LOGP(DDB, LOGL_INFO, "%sschema at version %u\n", db->label, db->schema_version);
	db->backoff_ms = 0;
	db_set_state(db, DB_ST_READY);
}

static void db_mig_read(struct srv_db *db)
{
	PGresult *r;

	while (!PQisBusy(db->conn)) {
		r = PQgetResult(db->conn);
		if (!r) {
			/* this step's statements are all done */
			if (db->mig_step == 0 && db_mig_plan(db) < 0) {
				db_fail(db, "cannot read the schema version table");
				return;
			}
			if (db->mig_step > srv_migrations_count) {
				db_mig_done(db);
				return;
			}
			db_mig_next(db);
			db_mig_send(db);
			return;
		}
		switch (PQresultStatus(r)) {
		case PGRES_COMMAND_OK:
			PQclear(r);
			break;
		case PGRES_TUPLES_OK:
			if (db->mig_last)
				PQclear(db->mig_last);
			db->mig_last = r;
			break;
		default:
			LOGP(DDB, LOGL_ERROR, "%smigration step %u failed: %s", db->label, db->mig_step,
			     PQresultErrorMessage(r));
			PQclear(r);
			db_fail(db, "migration failed");
			return;
		}
	}
}

/* --- pipeline ------------------------------------------------------------------------------------------ */

static void db_complete_head(struct srv_db *db)
{
	struct srv_db_query *q = llist_first_entry(&db->pending, struct srv_db_query, list);
	const char *err = NULL;

	llist_del(&q->list);
	db->n_pending--;
	if (!q->res)
		err = "no result";
	else if (PQresultStatus(q->res) == PGRES_PIPELINE_ABORTED)
		err = "query aborted";
	else if (PQresultStatus(q->res) == PGRES_FATAL_ERROR)
		err = PQresultErrorField(q->res, PG_DIAG_MESSAGE_PRIMARY);
	q->cb(q->priv, q->res, err);
	if (q->res)
		PQclear(q->res);
	talloc_free(q);
}

static void db_pipeline_read(struct srv_db *db)
{
	PGresult *r;
	bool last_null = false;

	while (!llist_empty(&db->pending) && !PQisBusy(db->conn)) {
		struct srv_db_query *q = llist_first_entry(&db->pending, struct srv_db_query, list);

		r = PQgetResult(db->conn);
		if (!r) {
			/* end of this query's results; its sync point comes next */
			if (last_null)
				break;
			last_null = true;
			continue;
		}
		last_null = false;
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			db_complete_head(db);
			if (db->state != DB_ST_READY)
				return;
			continue;
		}
		if (!q->res)
			q->res = r;
		else
			PQclear(r);
	}
}

static void db_fd_cb_read(struct srv_db *db)
{
	if (!PQconsumeInput(db->conn)) {
		db_fail_pq(db, "connection lost");
		return;
	}
	if (db->state == DB_ST_MIGRATING)
		db_mig_read(db);
	else if (db->state == DB_ST_READY) {
		PGnotify *n;

		db_pipeline_read(db);
		if (db->state != DB_ST_READY)
			return;
		while ((n = PQnotifies(db->conn)))
			PQfreemem(n);
		if (PQstatus(db->conn) == CONNECTION_BAD)
			db_fail_pq(db, "connection lost");
	}
}

static int db_fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct srv_db *db = ofd->data;

	switch (db->state) {
	case DB_ST_CONNECTING:
		db_connect_poll(db);
		return 0;
	case DB_ST_MIGRATING:
	case DB_ST_READY:
		if (what & OSMO_FD_WRITE) {
			if (db_flush(db) < 0) {
				db_fail_pq(db, "cannot send");
				return 0;
			}
		}
		if (what & OSMO_FD_READ)
			db_fd_cb_read(db);
		return 0;
	default:
		return 0;
	}
}

static void db_connect(struct srv_db *db)
{
	/* timestamps in answers are UTC whatever the database's default */
	const char *keys[] = { "dbname", "application_name", "options", NULL };
	const char *vals[] = { db->dsn, "tandem-server", "-c TimeZone=UTC", NULL };
	unsigned long conn_ms = osmo_tdef_get(db->tdefs, SRV_T_DB_CONNECT, OSMO_TDEF_MS, 30000);

	db->conn = PQconnectStartParams(keys, vals, 1);
	if (!db->conn) {
		db_fail(db, "out of memory");
		return;
	}
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		db_fail_pq(db, "cannot start connection");
		return;
	}
	db_set_state(db, DB_ST_CONNECTING);
	osmo_timer_schedule(&db->connect_timer, conn_ms / 1000, (conn_ms % 1000) * 1000);
	/* libpq: behave as if PQconnectPoll had returned PGRES_POLLING_WRITING */
	db_fd_update(db, OSMO_FD_WRITE);
	if (db->ofd.fd < 0)
		db_fail_pq(db, "no socket");
}

static void db_reconnect_timer_cb(void *data)
{
	db_connect(data);
}

static void db_connect_timer_cb(void *data)
{
	db_fail(data, "timeout while connecting");
}

static void db_fail_timer_cb(void *data)
{
	db_fail_pq(data, "cannot send query");
}

static int db_talloc_destructor(struct srv_db *db)
{
	srv_db_shutdown(db);
	return 0;
}

/*! \brief Allocate the database connection object (does not connect yet).
 *  \param[in] ctx talloc parent
 *  \param[in] dsn libpq connection string or URI
 *  \param[in] tdefs timer table with the SRV_T_DB_* entries */
struct srv_db *srv_db_alloc(void *ctx, const char *dsn, struct osmo_tdef *tdefs)
{
	struct srv_db *db = talloc_zero(ctx, struct srv_db);

	if (!db)
		return NULL;
	db->dsn = talloc_strdup(db, dsn);
	db->tdefs = tdefs;
	db->label = "";
	db->state = DB_ST_WAIT;
	db->ofd.fd = -1;
	db->ofd.cb = db_fd_cb;
	INIT_LLIST_HEAD(&db->pending);
	INIT_LLIST_HEAD(&db->prepared);
	osmo_timer_setup(&db->reconnect_timer, db_reconnect_timer_cb, db);
	osmo_timer_setup(&db->connect_timer, db_connect_timer_cb, db);
	osmo_timer_setup(&db->fail_timer, db_fail_timer_cb, db);
	talloc_set_destructor(db, db_talloc_destructor);
	return db;
}

/*! \brief Name the connection in its log lines ("NAME: database ready -> ..."); before srv_db_start(). */
void srv_db_set_name(struct srv_db *db, const char *name)
{
	db->label = talloc_asprintf(db, "%s: ", name);
	if (!db->label)
		db->label = "";
}

/*! \brief Start connecting; from then on the object keeps itself connected. */
void srv_db_start(struct srv_db *db)
{
	if (db->state == DB_ST_WAIT && !db->conn)
		db_connect(db);
}

/*! \brief Close the connection for good; pending queries complete with an error. */
void srv_db_shutdown(struct srv_db *db)
{
	if (db->state == DB_ST_SHUTDOWN)
		return;
	db_set_state(db, DB_ST_SHUTDOWN);
	osmo_timer_del(&db->reconnect_timer);
	db_close(db);
	db_fail_pending(db, "server shutting down");
}

/*! \brief Whether queries can be sent now. */
bool srv_db_is_ready(const struct srv_db *db)
{
	return db->state == DB_ST_READY;
}

/*! \brief Name of the connection state, for the VTY, CTRL and the health endpoint. */
const char *srv_db_state_name(const struct srv_db *db)
{
	return get_value_string(db_state_names, db->state);
}

/*! \brief Highest applied migration (0 before the first successful connection). */
unsigned int srv_db_schema_version(const struct srv_db *db)
{
	return db->schema_version;
}

/*! \brief Number of queries sent and not yet answered. */
unsigned int srv_db_pending(const struct srv_db *db)
{
	return db->n_pending;
}

/*! \brief Be told when the connection becomes ready or stops being ready. */
void srv_db_set_state_cb(struct srv_db *db, void (*cb)(struct srv_db *db, bool ready, void *data), void *data)
{
	db->state_cb = cb;
	db->state_cb_data = data;
}

/* Queue q for the command just sent (ok: libpq took it and its sync point), or fail everything from the loop. */
static void db_queue(struct srv_db *db, struct srv_db_query *q, bool ok)
{
	llist_add_tail(&q->list, &db->pending);
	db->n_pending++;
	if (!ok) {
		/* the connection is broken: fail everything, this one included, from the loop */
		LOGP(DDB, LOGL_ERROR, "%scannot queue query: %s", db->label, PQerrorMessage(db->conn));
		osmo_timer_schedule(&db->fail_timer, 0, 0);
		return;
	}
	if (db_flush(db) < 0)
		osmo_timer_schedule(&db->fail_timer, 0, 0);
}

/*! \brief Send one statement (extended protocol, text results) with its own sync point.
 *  \returns 0 when queued (cb will be called later), -ENOTCONN when the database is not ready, -ENOMEM */
int srv_db_query(struct srv_db *db, const char *sql, int n_params, const char *const *values, const int *lengths,
		 const int *formats, srv_db_cb cb, void *priv)
{
	struct srv_db_query *q;

	if (db->state != DB_ST_READY)
		return -ENOTCONN;
	q = talloc_zero(db, struct srv_db_query);
	if (!q)
		return -ENOMEM;
	q->cb = cb;
	q->priv = priv;
	db_queue(db, q, PQsendQueryParams(db->conn, sql, n_params, NULL, values, lengths, formats, 0) &&
		 PQpipelineSync(db->conn));
	return 0;
}

/* What a PQsendPrepare() was for (a child of its query, so it lives as long as the answer is awaited). */
struct db_prepare_req {
	struct srv_db *db;
	const struct srv_db_stmt *stmt;
};

/* The answer to a PQsendPrepare(): a statement that could not be prepared is prepared again at its next use on
 * this connection (its execution, queued right behind, fails and tells the caller). After a reconnection the
 * list is new and holds nothing of the old connection. */
static void db_prepare_cb(void *priv, const PGresult *res, const char *errmsg)
{
	struct db_prepare_req *pr = priv;
	struct db_prepared *p, *tmp;

	if (res && PQresultStatus(res) == PGRES_COMMAND_OK)
		return;
	if (res)
		LOGP(DDB, LOGL_ERROR, "%scannot prepare %s: %s\n", pr->db->label, pr->stmt->name,
		     errmsg ? errmsg : "?");
	llist_for_each_entry_safe(p, tmp, &pr->db->prepared, list) {
		if (p->stmt == pr->stmt) {
			llist_del(&p->list);
			talloc_free(p);
		}
	}
}

/*! \brief srv_db_query() of a prepared statement: prepared on this connection first if it is not yet
 *  (in the same pipeline, so the execution right behind finds it). */
int srv_db_query_stmt(struct srv_db *db, const struct srv_db_stmt *stmt, int n_params, const char *const *values,
		      const int *lengths, const int *formats, srv_db_cb cb, void *priv)
{
	struct srv_db_query *q, *prep;
	struct db_prepared *p;
	bool found = false;

	if (db->state != DB_ST_READY)
		return -ENOTCONN;
	llist_for_each_entry(p, &db->prepared, list) {
		if (p->stmt == stmt) {
			found = true;
			break;
		}
	}
	if (!found) {
		struct db_prepare_req *pr;

		p = talloc_zero(db, struct db_prepared);
		prep = talloc_zero(db, struct srv_db_query);
		pr = prep ? talloc_zero(prep, struct db_prepare_req) : NULL;
		if (!p || !pr) {
			talloc_free(p);
			talloc_free(prep);
			return -ENOMEM;
		}
		p->stmt = stmt;
		llist_add_tail(&p->list, &db->prepared);
		pr->db = db;
		pr->stmt = stmt;
		prep->cb = db_prepare_cb;
		prep->priv = pr;
		db_queue(db, prep, PQsendPrepare(db->conn, stmt->name, stmt->sql, n_params, NULL) &&
			 PQpipelineSync(db->conn));
	}
	q = talloc_zero(db, struct srv_db_query);
	if (!q)
		return -ENOMEM;
	q->cb = cb;
	q->priv = priv;
	db_queue(db, q, PQsendQueryPrepared(db->conn, stmt->name, n_params, values, lengths, formats, 0) &&
		 PQpipelineSync(db->conn));
	return 0;
}

/*! \brief Whether a failed result carries the given SQLSTATE (e.g. "23505" unique_violation). */
int srv_db_sqlstate_is(const PGresult *res, const char *sqlstate)
{
	const char *s;

	if (!res)
		return 0;
	s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	return s && !strcmp(s, sqlstate);
}
