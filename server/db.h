/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: asynchronous PostgreSQL connection (libpq pipeline mode) on the osmo select loop. */
#pragma once

#include <stdbool.h>

#include <libpq-fe.h>

#include <osmocom/core/tdef.h>

struct srv_db;

/*! Completion of one query. Always called from the select loop, never from inside srv_db_query().
 *  \param[in] priv the caller's pointer given to srv_db_query()
 *  \param[in] res the result (PGRES_TUPLES_OK, PGRES_COMMAND_OK or PGRES_FATAL_ERROR with its SQLSTATE),
 *             or NULL when the connection was lost or the server shuts down; owned by srv_db, valid only
 *             during the call
 *  \param[in] errmsg what went wrong (NULL on success) */
typedef void (*srv_db_cb)(void *priv, const PGresult *res, const char *errmsg);

/*! A statement sent often: srv_db_query_stmt() prepares it on a connection the first time it is used there, so
 *  PostgreSQL parses and plans it once per connection rather than at every use. Defined once, static. Only for
 *  statements whose generic plan (PostgreSQL's choice after five executions) is as good as one made for the
 *  values: the event streams' page query of one device was not (its generic plan walked the outbox in seq order
 *  looking for the device's rows: 4 ms more per card in bench/e2e); their fetch query (sse.c), one for many
 *  streams, is planned at each use. */
struct srv_db_stmt {
	const char *name;	/*!< unique among the program's statements */
	const char *sql;
};

/*! One SQL migration, embedded at build time from server/sql/NNN_name.sql. */
struct srv_migration {
	unsigned int version;
	const char *name;
	const char *sql;
};
extern const struct srv_migration srv_migrations[];
extern const unsigned int srv_migrations_count;

struct srv_db *srv_db_alloc(void *ctx, const char *dsn, struct osmo_tdef *tdefs);
void srv_db_set_name(struct srv_db *db, const char *name);
void srv_db_start(struct srv_db *db);
void srv_db_shutdown(struct srv_db *db);
bool srv_db_is_ready(const struct srv_db *db);
const char *srv_db_state_name(const struct srv_db *db);
unsigned int srv_db_schema_version(const struct srv_db *db);
unsigned int srv_db_pending(const struct srv_db *db);
void srv_db_set_state_cb(struct srv_db *db, void (*cb)(struct srv_db *db, bool ready, void *data), void *data);
int srv_db_query(struct srv_db *db, const char *sql, int n_params, const char *const *values, const int *lengths,
		 const int *formats, srv_db_cb cb, void *priv);
int srv_db_query_stmt(struct srv_db *db, const struct srv_db_stmt *stmt, int n_params, const char *const *values,
		      const int *lengths, const int *formats, srv_db_cb cb, void *priv);
int srv_db_sqlstate_is(const PGresult *res, const char *sqlstate);
