/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: streamed CSV imports of couplings and subscribers.
 *
 * An import runs on its own database connection, in one transaction, because it spans many round trips and
 * must not mix with the shared pipelined connection. As the body arrives, each CSV record is checked in C
 * (shape, E.164, ids, prefixes, UTF-8) and the good ones go by COPY into a temporary table together with
 * their line number; a record that fails is listed with its line and left out. When the body is complete
 * the checks that need the database run as set operations over the whole table (unknown TDN or device,
 * duplicates within the file, already existing), then either everything valid is inserted with one INSERT
 * ... SELECT and one audit record and committed, or the transaction is rolled back: on a dry run, and when
 * any row is bad unless the client asked to skip bad rows.
 *
 * Memory does not grow with the file: the CSV reader keeps one record, the COPY buffer is flushed at
 * IMP_CHUNK bytes, and while libpq cannot send (PQflush() returns 1) the HTTP connection is suspended, so
 * the client is slowed down to the database's pace instead of being buffered. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <talloc.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include "api.h"
#include "csv.h"
#include "db.h"
#include "import.h"
#include "srv.h"

/* COPY data is handed to libpq in pieces of about this size. */
#define IMP_CHUNK	(64 * 1024)
#define IMP_MAX_COLS	8

enum imp_col_type {
	COL_E164,
	COL_ID,
	COL_CIDR,
	COL_ENUM,
	COL_TEXT,
};

struct imp_col {
	const char *name;
	enum imp_col_type type;
	bool required;
	unsigned int max;		/*!< COL_TEXT: characters */
	const char *const *choices;	/*!< COL_ENUM */
};

struct srv_import;

struct imp_kind {
	const char *path_name;		/*!< "couplings" */
	const char *action;		/*!< audit action */
	const struct imp_col *cols;
	unsigned int ncols;
	const char *setup_sql;		/*!< ends with the COPY of (line, cols...) */
	const char *resolve_sql;	/*!< fills bad_field/bad_code/bad_msg of import_res */
	const char *insert_sql;		/*!< inserts the rows of import_res without bad_code */
	/*! checks between the fields of one row; returns the bad field or NULL, with *msg */
	const char *(*check)(const char **vals, const char **code, const char **msg);
};

enum imp_state {
	IMP_CONNECTING,
	IMP_SETUP,	/*!< BEGIN, temporary table, COPY sent; waiting for COPY_IN */
	IMP_COPY,	/*!< the body streams into COPY */
	IMP_COPY_END,	/*!< CopyDone sent; waiting for the COPY result */
	IMP_RESOLVE,	/*!< database checks and the summary */
	IMP_COMMIT,	/*!< insert, audit record, commit */
	IMP_DONE,
};

struct srv_import {
	struct llist_head list;
	struct srv_instance *srv;
	struct srv_req *req;
	const struct imp_kind *kind;
	bool dry_run;
	bool skip_bad;
	enum imp_state st;
	PGconn *conn;
	struct osmo_fd ofd;
	struct osmo_timer_list timer;	/*!< connection set-up limit */
	PGresult *last;			/*!< last row set of the current step */
	PGresult *err;			/*!< first error of the current step */
	/* CSV */
	struct srv_csv *csv;
	bool header_done;
	unsigned int nhdr;
	int hdr[SRV_CSV_MAX_FIELDS];	/*!< header column -> index in kind->cols */
	unsigned long rows;		/*!< data records (header not counted) */
	/* COPY */
	char *out;
	size_t out_len;
	bool blocked;			/*!< libpq holds unsent data: take no more body */
	/* outcome */
	unsigned long parse_bad;	/*!< rows refused before COPY */
	json_t *errors;			/*!< the first SRV_IMPORT_MAX_ERRORS of them */
	unsigned long valid, sql_bad;
	json_t *sql_errors;
};

/* --- kinds ------------------------------------------------------------------------------------------ */

static const char *const coupling_sources[] = { "provisioned", "self", NULL };

static const struct imp_col coupling_cols[] = {
	{ "tdn", COL_E164, true },
	{ "device_id", COL_ID, false },
	{ "ip", COL_CIDR, false },
	{ "source", COL_ENUM, false, 0, coupling_sources },
};

static const char *coupling_check(const char **vals, const char **code, const char **msg)
{
	if (!vals[1] && !vals[2]) {
		*code = "missing_field";
		*msg = "device_id or ip is required";
		return "device_id";
	}
	return NULL;
}

/* The summary every kind ends its resolve step with: counts and the first errors by line. */
#define IMP_SUMMARY_SQL \
	"SELECT count(*) FILTER (WHERE bad_code IS NULL), count(*) FILTER (WHERE bad_code IS NOT NULL)," \
	" (SELECT coalesce(json_agg(json_build_object('line', e.line, 'field', e.bad_field, 'code', e.bad_code," \
	"  'message', e.bad_msg) ORDER BY e.line), '[]') FROM (SELECT * FROM import_res WHERE bad_code IS NOT NULL" \
	"  ORDER BY line LIMIT " OSMO_STRINGIFY_VAL(SRV_IMPORT_MAX_ERRORS) ") e) FROM import_res;"

static const struct imp_kind kind_couplings = {
	.path_name = "couplings",
	.action = "coupling.import",
	.cols = coupling_cols,
	.ncols = ARRAY_SIZE(coupling_cols),
	.setup_sql =
		"BEGIN;"
		"SET LOCAL work_mem = '64MB';"
		"CREATE TEMP TABLE import_stage (line bigint NOT NULL, tdn text NOT NULL, device_id bigint, ip cidr,"
		" source text) ON COMMIT DROP;"
		"COPY import_stage FROM STDIN;",
	/* A row names the device by id, or by its exact address or prefix; with both, they must agree. A
	 * device named only by an address that no device has is made (kind pc, owned by the row's subscriber),
	 * as POST /v1/couplings does. */
	.resolve_sql =
		"CREATE TEMP TABLE import_res ON COMMIT DROP AS"
		" SELECT st.line, s.id AS sub,"
		"  coalesce(d.id, CASE WHEN st.device_id IS NULL THEN"
		"   (SELECT min(x.id) FROM devices x WHERE x.ip = st.ip) END) AS dev,"
		"  st.ip, coalesce(st.source, 'provisioned') AS source,"
		"  CASE WHEN s.id IS NULL THEN 'tdn' WHEN st.device_id IS NOT NULL AND d.id IS NULL THEN 'device_id'"
		"   WHEN st.device_id IS NOT NULL AND st.ip IS NOT NULL AND d.ip IS DISTINCT FROM st.ip THEN 'ip'"
		"  END AS bad_field,"
		"  CASE WHEN s.id IS NULL OR (st.device_id IS NOT NULL AND d.id IS NULL) THEN 'not_found'"
		"   WHEN st.device_id IS NOT NULL AND st.ip IS NOT NULL AND d.ip IS DISTINCT FROM st.ip THEN 'out_of_range'"
		"  END AS bad_code,"
		"  CASE WHEN s.id IS NULL THEN 'no such subscriber'"
		"   WHEN st.device_id IS NOT NULL AND d.id IS NULL THEN 'no such device'"
		"   WHEN st.device_id IS NOT NULL AND st.ip IS NOT NULL AND d.ip IS DISTINCT FROM st.ip THEN"
		"    'the device has another ip (' || coalesce(d.ip::text, 'none') || ')'"
		"  END AS bad_msg"
		" FROM import_stage st LEFT JOIN subscribers s ON s.tdn = st.tdn"
		" LEFT JOIN devices d ON d.id = st.device_id;"
		"ANALYZE import_res;"
		"WITH need AS (SELECT DISTINCT ON (ip) ip, sub FROM import_res"
		"  WHERE dev IS NULL AND ip IS NOT NULL AND bad_code IS NULL ORDER BY ip, line),"
		" made AS (INSERT INTO devices (subscriber_id, kind, ip) SELECT sub, 'pc', ip FROM need RETURNING id, ip)"
		" UPDATE import_res r SET dev = made.id FROM made WHERE r.ip = made.ip AND r.dev IS NULL;"
		"UPDATE import_res r SET bad_field = 'tdn', bad_code = 'duplicate',"
		" bad_msg = 'the same coupling is on line ' || g.first"
		" FROM (SELECT sub, dev, min(line) AS first FROM import_res WHERE bad_code IS NULL"
		"  GROUP BY sub, dev HAVING count(*) > 1) g"
		" WHERE r.sub = g.sub AND r.dev = g.dev AND r.line > g.first AND r.bad_code IS NULL;"
		"UPDATE import_res r SET bad_field = 'tdn', bad_code = 'duplicate',"
		" bad_msg = 'already coupled (coupling ' || c.id || ')'"
		" FROM couplings c WHERE c.subscriber_id = r.sub AND c.device_id = r.dev AND r.bad_code IS NULL;"
		IMP_SUMMARY_SQL,
	.insert_sql =
		"INSERT INTO couplings (subscriber_id, device_id, source)"
		" SELECT sub, dev, source FROM import_res WHERE bad_code IS NULL;",
	.check = coupling_check,
};

static const struct imp_col subscriber_cols[] = {
	{ "tdn", COL_E164, true },
	{ "label", COL_TEXT, false, 200 },
};

static const struct imp_kind kind_subscribers = {
	.path_name = "subscribers",
	.action = "subscriber.import",
	.cols = subscriber_cols,
	.ncols = ARRAY_SIZE(subscriber_cols),
	.setup_sql =
		"BEGIN;"
		"SET LOCAL work_mem = '64MB';"
		"CREATE TEMP TABLE import_res (line bigint NOT NULL, tdn text NOT NULL, label text,"
		" bad_field text, bad_code text, bad_msg text) ON COMMIT DROP;"
		"COPY import_res (line, tdn, label) FROM STDIN;",
	.resolve_sql =
		"ANALYZE import_res;"
		"UPDATE import_res r SET bad_field = 'tdn', bad_code = 'duplicate',"
		" bad_msg = 'the same TDN is on line ' || g.first"
		" FROM (SELECT tdn, min(line) AS first FROM import_res GROUP BY tdn HAVING count(*) > 1) g"
		" WHERE r.tdn = g.tdn AND r.line > g.first;"
		"UPDATE import_res r SET bad_field = 'tdn', bad_code = 'duplicate',"
		" bad_msg = 'subscriber exists (id ' || s.id || ')'"
		" FROM subscribers s WHERE s.tdn = r.tdn AND r.bad_code IS NULL;"
		IMP_SUMMARY_SQL,
	.insert_sql =
		"INSERT INTO subscribers (tdn, label)"
		" SELECT tdn, coalesce(label, '') FROM import_res WHERE bad_code IS NULL;",
};

/* --- life of an import ------------------------------------------------------------------------------ */

static void imp_close(struct srv_import *imp)
{
	osmo_timer_del(&imp->timer);
	if (imp->ofd.fd >= 0) {
		osmo_fd_unregister(&imp->ofd);
		imp->ofd.fd = -1;
	}
	if (imp->conn) {
		/* an open transaction is rolled back by the server when the connection goes */
		PQfinish(imp->conn);
		imp->conn = NULL;
	}
	if (imp->last) {
		PQclear(imp->last);
		imp->last = NULL;
	}
	if (imp->err) {
		PQclear(imp->err);
		imp->err = NULL;
	}
	if (!llist_empty(&imp->list))
		llist_del_init(&imp->list);
	imp->st = IMP_DONE;
}

static int imp_destructor(struct srv_import *imp)
{
	imp_close(imp);
	json_decref(imp->errors);
	json_decref(imp->sql_errors);
	return 0;
}

/* The import cannot go on: answer (unless done already) and drop the transaction. */
static void imp_fail(struct srv_import *imp, unsigned int status, const char *code, const char *msg)
{
	struct srv_req *req = imp->req;

	if (imp->st == IMP_DONE)
		return;
	LOGP(DAPI, status >= 500 ? LOGL_ERROR : LOGL_INFO, "import of %s: %s\n", imp->kind->path_name, msg);
	imp_close(imp);
	srv_req_error(req, status, code, NULL, "%s", msg);
}

static void imp_fail_pq(struct srv_import *imp, const char *what)
{
	char buf[300];
	const char *m = imp->conn ? PQerrorMessage(imp->conn) : "";
	size_t len = strlen(m);

	while (len && (m[len - 1] == '\n' || m[len - 1] == ' '))
		len--;
	LOGP(DDB, LOGL_ERROR, "import connection: %s: %.*s\n", what, (int)len, m);
	snprintf(buf, sizeof(buf), "database unavailable (%s), nothing imported", what);
	imp_fail(imp, 503, "db_unavailable", buf);
}

static void imp_fd_want(struct srv_import *imp, unsigned int what)
{
	int fd = imp->conn ? PQsocket(imp->conn) : -1;

	if (imp->ofd.fd != fd) {
		if (imp->ofd.fd >= 0)
			osmo_fd_unregister(&imp->ofd);
		imp->ofd.fd = -1;
		if (fd < 0)
			return;
		osmo_fd_setup(&imp->ofd, fd, what, imp->ofd.cb, imp, 0);
		if (osmo_fd_register(&imp->ofd) < 0)
			imp->ofd.fd = -1;
		return;
	}
	imp->ofd.when = (imp->ofd.when & ~(OSMO_FD_READ | OSMO_FD_WRITE)) | what;
}

/* Hand what libpq buffered to the socket; while it cannot take everything, wait for writability and take
 * no more body. \returns 0 or -EIO (answered) */
static int imp_flush(struct srv_import *imp)
{
	int rc = PQflush(imp->conn);

	if (rc < 0) {
		imp_fail_pq(imp, "cannot send");
		return -EIO;
	}
	if (rc == 1) {
		imp->blocked = true;
		imp_fd_want(imp, OSMO_FD_READ | OSMO_FD_WRITE);
	} else {
		imp_fd_want(imp, OSMO_FD_READ);
		if (imp->blocked) {
			imp->blocked = false;
			srv_req_resume(imp->req);
		}
	}
	return 0;
}

static int imp_send(struct srv_import *imp, enum imp_state st, const char *sql)
{
	imp->st = st;
	if (imp->last) {
		PQclear(imp->last);
		imp->last = NULL;
	}
	if (!PQsendQuery(imp->conn, sql)) {
		imp_fail_pq(imp, "cannot send a query");
		return -EIO;
	}
	return imp_flush(imp);
}

/* Add an error to a list kept in line order, at most SRV_IMPORT_MAX_ERRORS long. */
static void imp_list_error(json_t *list, unsigned long line, const char *field, const char *code, const char *msg)
{
	if (json_array_size(list) >= SRV_IMPORT_MAX_ERRORS)
		return;
	json_array_append_new(list, json_pack("{s:I,s:s?,s:s,s:s}", "line", (json_int_t)line, "field", field,
					      "code", code, "message", msg));
}

static void imp_bad_row(struct srv_import *imp, unsigned long line, const char *field, const char *code,
			const char *msg)
{
	imp->parse_bad++;
	imp_list_error(imp->errors, line, field, code, msg);
}

/* COPY text format: escape backslash and the characters that delimit fields and rows. */
static void out_text(struct srv_import *imp, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\':
			imp->out[imp->out_len++] = '\\';
			imp->out[imp->out_len++] = '\\';
			break;
		case '\t':
			imp->out[imp->out_len++] = '\\';
			imp->out[imp->out_len++] = 't';
			break;
		case '\n':
			imp->out[imp->out_len++] = '\\';
			imp->out[imp->out_len++] = 'n';
			break;
		case '\r':
			imp->out[imp->out_len++] = '\\';
			imp->out[imp->out_len++] = 'r';
			break;
		default:
			imp->out[imp->out_len++] = *s;
		}
	}
}

static int imp_put(struct srv_import *imp)
{
	if (!imp->out_len)
		return 0;
	if (PQputCopyData(imp->conn, imp->out, imp->out_len) != 1) {
		imp_fail_pq(imp, "cannot queue COPY data");
		return -EIO;
	}
	imp->out_len = 0;
	return imp_flush(imp);
}

static const char *col_check(const struct imp_col *c, char *v, char *norm, size_t norm_len, const char **code)
{
	size_t len = strlen(v), chars = 0, i;
	struct srv_cidr cidr;

	switch (c->type) {
	case COL_E164:
		*code = "bad_e164";
		return srv_e164_valid(v) ? NULL : "not an E.164 number (+ and 2 to 15 digits)";
	case COL_ID:
		*code = "out_of_range";
		if (len > 18 || strspn(v, "0123456789") != len || v[0] == '0')
			return "must be a positive integer";
		return NULL;
	case COL_CIDR:
		*code = "bad_ip";
		if (srv_cidr_parse(&cidr, v) < 0)
			return "not an IP address or prefix (with no host bits)";
		srv_cidr_format(norm, norm_len, &cidr);
		return NULL;
	case COL_ENUM:
		*code = "out_of_range";
		for (i = 0; c->choices[i]; i++) {
			if (!strcmp(c->choices[i], v))
				return NULL;
		}
		return "not one of the allowed values";
	case COL_TEXT:
		*code = "out_of_range";
		if (!srv_utf8_valid(v, len))
			return "not UTF-8";
		for (i = 0; i < len; i++) {
			if (((unsigned char)v[i] & 0xc0) != 0x80)
				chars++;
		}
		if (chars > c->max)
			return "too long";
		return NULL;
	}
	return "?";
}

static int imp_header(struct srv_import *imp, unsigned int n, char **f, const char *err)
{
	const struct imp_kind *k = imp->kind;
	bool seen[IMP_MAX_COLS] = {};
	unsigned int i, j;

	imp->header_done = true;
	/* spreadsheets like to start UTF-8 files with a byte order mark */
	if (!err && n && !strncmp(f[0], "\xef\xbb\xbf", 3))
		f[0] += 3;
	if (err) {
		srv_req_error(imp->req, 400, "bad_header", NULL, "line 1: %s", err);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < k->ncols; j++) {
			if (!strcmp(f[i], k->cols[j].name))
				break;
		}
		if (j == k->ncols || seen[j]) {
			srv_req_error(imp->req, 400, "bad_header", strlen(f[i]) < 64 ? f[i] : NULL,
				      "line 1: %s column", j == k->ncols ? "unknown" : "repeated");
			goto fail;
		}
		seen[j] = true;
		imp->hdr[i] = j;
	}
	for (j = 0; j < k->ncols; j++) {
		if (k->cols[j].required && !seen[j]) {
			srv_req_error(imp->req, 400, "bad_header", k->cols[j].name, "line 1: required column missing");
			goto fail;
		}
	}
	imp->nhdr = n;
	return 0;
fail:
	imp_close(imp);
	return -EINVAL;
}

/* One CSV record: the header, or a row to check and COPY. */
static int imp_record(void *priv, unsigned long line, unsigned int n, char **f, const char *err)
{
	struct srv_import *imp = priv;
	const struct imp_kind *k = imp->kind;
	const char *vals[IMP_MAX_COLS] = {};
	char norm[IMP_MAX_COLS][INET6_ADDRSTRLEN + 8];
	const char *msg, *code, *bad;
	unsigned int i;

	if (!imp->header_done)
		return imp_header(imp, n, f, err);
	imp->rows++;
	if (err) {
		imp_bad_row(imp, line, NULL, "bad_csv", err);
		return 0;
	}
	if (n != imp->nhdr) {
		char m[64];

		snprintf(m, sizeof(m), "%u fields, the header has %u", n, imp->nhdr);
		imp_bad_row(imp, line, NULL, "bad_csv", m);
		return 0;
	}
	for (i = 0; i < n; i++) {
		const struct imp_col *c = &k->cols[imp->hdr[i]];

		if (!f[i][0])
			continue;
		norm[i][0] = '\0';
		msg = col_check(c, f[i], norm[i], sizeof(norm[i]), &code);
		if (msg) {
			imp_bad_row(imp, line, c->name, code, msg);
			return 0;
		}
		vals[imp->hdr[i]] = norm[i][0] ? norm[i] : f[i];
	}
	for (i = 0; i < k->ncols; i++) {
		if (k->cols[i].required && !vals[i]) {
			imp_bad_row(imp, line, k->cols[i].name, "missing_field", "required");
			return 0;
		}
	}
	if (k->check && (bad = k->check(vals, &code, &msg))) {
		imp_bad_row(imp, line, bad, code, msg);
		return 0;
	}
	/* line \t col... \n; escaping at most doubles a field */
	imp->out_len += snprintf(imp->out + imp->out_len, 24, "%lu", line);
	for (i = 0; i < k->ncols; i++) {
		imp->out[imp->out_len++] = '\t';
		if (!vals[i]) {
			imp->out[imp->out_len++] = '\\';
			imp->out[imp->out_len++] = 'N';
		} else {
			out_text(imp, vals[i]);
		}
	}
	imp->out[imp->out_len++] = '\n';
	if (imp->out_len >= IMP_CHUNK)
		return imp_put(imp);
	return 0;
}

/* --- steps after the body --------------------------------------------------------------------------- */

static void imp_reply(struct srv_import *imp, bool imported)
{
	unsigned long bad = imp->parse_bad + imp->sql_bad;
	json_t *errors = json_array(), *e;
	size_t a = 0, b = 0, na = json_array_size(imp->errors), nb = json_array_size(imp->sql_errors);
	json_t *obj;

	/* merge the two lists, both in line order */
	while ((a < na || b < nb) && json_array_size(errors) < SRV_IMPORT_MAX_ERRORS) {
		json_t *x = a < na ? json_array_get(imp->errors, a) : NULL;
		json_t *y = b < nb ? json_array_get(imp->sql_errors, b) : NULL;

		if (x && (!y || json_integer_value(json_object_get(x, "line")) <=
				json_integer_value(json_object_get(y, "line")))) {
			e = x;
			a++;
		} else {
			e = y;
			b++;
		}
		json_array_append(errors, e);
	}
	obj = json_pack("{s:b,s:I,s:I,s:I,s:I,s:o,s:b}", "dry_run", imp->dry_run, "rows", (json_int_t)imp->rows,
			"valid", (json_int_t)imp->valid, "bad", (json_int_t)bad, "imported",
			(json_int_t)(imported ? imp->valid : 0), "errors", errors, "errors_truncated",
			bad > json_array_size(errors));
	if (!obj) {
		srv_req_error(imp->req, 500, "internal", NULL, "out of memory");
		return;
	}
	if (bad && !imp->skip_bad) {
		char msg[128];

		snprintf(msg, sizeof(msg), "%lu of %lu rows are bad; nothing imported", bad, imp->rows);
		json_object_set_new(obj, "error", json_pack("{s:s,s:s,s:n}", "code", "bad_rows", "message", msg,
							    "field"));
		srv_req_reply_json(imp->req, 400, obj);
		return;
	}
	srv_req_reply_json(imp->req, 200, obj);
}

static void imp_step_done(struct srv_import *imp)
{
	struct srv_req *req = imp->req;
	json_error_t jerr;
	char *sql, *actor, *after;

	switch (imp->st) {
	case IMP_COPY_END:
		if (imp_send(imp, IMP_RESOLVE, imp->kind->resolve_sql) < 0)
			return;
		break;
	case IMP_RESOLVE:
		if (!imp->last || PQntuples(imp->last) != 1 || PQnfields(imp->last) != 3) {
			imp_fail(imp, 500, "internal", "bad answer from the database");
			return;
		}
		imp->valid = strtoul(PQgetvalue(imp->last, 0, 0), NULL, 10);
		imp->sql_bad = strtoul(PQgetvalue(imp->last, 0, 1), NULL, 10);
		json_decref(imp->sql_errors);
		imp->sql_errors = json_loads(PQgetvalue(imp->last, 0, 2), 0, &jerr);
		if (!json_is_array(imp->sql_errors)) {
			imp_fail(imp, 500, "internal", "bad answer from the database");
			return;
		}
		if (imp->dry_run || (imp->parse_bad + imp->sql_bad && !imp->skip_bad) || !imp->valid) {
			/* nothing to write: closing the connection rolls the transaction back */
			imp_close(imp);
			imp_reply(imp, false);
			return;
		}
		actor = PQescapeLiteral(imp->conn, req->actor, strlen(req->actor));
		if (!actor) {
			imp_fail(imp, 500, "internal", "out of memory");
			return;
		}
		after = talloc_asprintf(imp, "{\"rows\": %lu, \"imported\": %lu, \"skipped\": %lu}", imp->rows,
					imp->valid, imp->parse_bad + imp->sql_bad);
		sql = talloc_asprintf(imp, "%s INSERT INTO audit_log (actor, action, object, after)"
				      " VALUES (%s, '%s', '%s', '%s'); COMMIT;", imp->kind->insert_sql, actor,
				      imp->kind->action, imp->kind->path_name, after);
		PQfreemem(actor);
		if (!sql || !after) {
			imp_fail(imp, 500, "internal", "out of memory");
			return;
		}
		imp_send(imp, IMP_COMMIT, sql);
		talloc_free(sql);
		talloc_free(after);
		break;
	case IMP_COMMIT:
		LOGP(DAPI, LOGL_NOTICE, "%s imported %lu %s (%lu rows skipped)\n", req->actor, imp->valid,
		     imp->kind->path_name, imp->parse_bad + imp->sql_bad);
		imp_close(imp);
		imp_reply(imp, true);
		break;
	default:
		break;
	}
}

/* Results of the current step; the step is complete when PQgetResult() says NULL. */
static void imp_read(struct srv_import *imp)
{
	PGresult *r;

	if (!PQconsumeInput(imp->conn)) {
		imp_fail_pq(imp, "connection lost");
		return;
	}
	if (imp->st == IMP_COPY)
		return;	/* an error during COPY shows in its result after CopyDone */
	while (imp->st != IMP_DONE && !PQisBusy(imp->conn)) {
		r = PQgetResult(imp->conn);
		if (!r) {
			if (imp->err) {
				const char *m = PQresultErrorField(imp->err, PG_DIAG_MESSAGE_PRIMARY);

				if (srv_db_sqlstate_is(imp->err, "23505"))
					imp_fail(imp, 409, "duplicate",
						 "a row was added by someone else during the import; nothing imported");
				else
					imp_fail(imp, 500, "internal", m ? m : "database error");
				return;
			}
			imp_step_done(imp);
			continue;
		}
		switch (PQresultStatus(r)) {
		case PGRES_COPY_IN:
			PQclear(r);
			imp->st = IMP_COPY;
			osmo_timer_del(&imp->timer);
			/* the body may come now */
			srv_req_resume(imp->req);
			return;
		case PGRES_COMMAND_OK:
			PQclear(r);
			break;
		case PGRES_TUPLES_OK:
			if (imp->last)
				PQclear(imp->last);
			imp->last = r;
			break;
		default:
			if (!imp->err) {
				LOGP(DDB, LOGL_ERROR, "import of %s: %s", imp->kind->path_name,
				     PQresultErrorMessage(r));
				imp->err = r;
			} else {
				PQclear(r);
			}
			break;
		}
	}
}

static void imp_connect_poll(struct srv_import *imp)
{
	switch (PQconnectPoll(imp->conn)) {
	case PGRES_POLLING_READING:
		imp_fd_want(imp, OSMO_FD_READ);
		break;
	case PGRES_POLLING_WRITING:
		imp_fd_want(imp, OSMO_FD_WRITE);
		break;
	case PGRES_POLLING_OK:
		if (PQsetnonblocking(imp->conn, 1) != 0) {
			imp_fail_pq(imp, "cannot make the connection non-blocking");
			return;
		}
		imp_send(imp, IMP_SETUP, imp->kind->setup_sql);
		break;
	default:
		imp_fail_pq(imp, "cannot connect");
		break;
	}
}

static int imp_fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct srv_import *imp = ofd->data;

	if (imp->st == IMP_CONNECTING) {
		imp_connect_poll(imp);
		return 0;
	}
	if (what & OSMO_FD_WRITE) {
		if (imp_flush(imp) < 0)
			return 0;
	}
	if ((what & OSMO_FD_READ) && imp->st != IMP_DONE)
		imp_read(imp);
	return 0;
}

static void imp_timer_cb(void *data)
{
	imp_fail_pq(data, "timeout while connecting");
}

/* --- the body ---------------------------------------------------------------------------------------- */

static long imp_sink(struct srv_req *req, const char *data, size_t len)
{
	struct srv_import *imp = req->state;
	int rc;

	if (imp->st == IMP_DONE)
		return -EIO;
	if (imp->st != IMP_COPY || imp->blocked)
		return 0;
	rc = srv_csv_feed(imp->csv, data, len);
	if (rc < 0 || imp->st == IMP_DONE)
		return -EIO;
	return len;
}

static void imp_sink_end(struct srv_req *req)
{
	struct srv_import *imp = req->state;

	if (imp->st != IMP_COPY)
		return;
	if (srv_csv_finish(imp->csv) < 0 || imp->st == IMP_DONE)
		return;
	if (!imp->header_done) {
		imp_close(imp);
		srv_req_error(req, 400, "bad_header", NULL, "empty file: a header line is required");
		return;
	}
	if (imp_put(imp) < 0)
		return;
	if (PQputCopyEnd(imp->conn, NULL) != 1) {
		imp_fail_pq(imp, "cannot end COPY");
		return;
	}
	imp->st = IMP_COPY_END;
	imp_flush(imp);
}

static int query_flag(struct srv_req *req, const char *name, bool *out)
{
	const char *v = srv_req_query_arg(req, name);

	*out = false;
	if (!v)
		return 0;
	if (!strcmp(v, "") || !strcmp(v, "true") || !strcmp(v, "1")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "false") || !strcmp(v, "0"))
		return 0;
	srv_req_error(req, 400, "out_of_range", name, "must be true or false");
	return -EINVAL;
}

static void import_start(struct srv_req *req, const struct imp_kind *kind)
{
	static const char *const allowed[] = { "dry_run", "skip_bad_rows", NULL };
	struct srv_instance *srv = req->srv;
	const char *keys[] = { "dbname", "application_name", "options", NULL };
	const char *vals[] = { srv->cfg.dsn, "tandem-server import", "-c TimeZone=UTC", NULL };
	unsigned long conn_ms = osmo_tdef_get(srv->tdefs, SRV_T_DB_CONNECT, OSMO_TDEF_MS, 30000);
	struct srv_import *imp;

	if (srv_req_check_query_args(req, allowed) < 0)
		return;
	imp = talloc_zero(req, struct srv_import);
	if (!imp) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		return;
	}
	INIT_LLIST_HEAD(&imp->list);
	imp->ofd.fd = -1;
	imp->ofd.cb = imp_fd_cb;
	imp->srv = srv;
	imp->req = req;
	imp->kind = kind;
	imp->st = IMP_DONE;
	talloc_set_destructor(imp, imp_destructor);
	req->state = imp;
	if (query_flag(req, "dry_run", &imp->dry_run) < 0 || query_flag(req, "skip_bad_rows", &imp->skip_bad) < 0)
		return;
	if (srv_import_active(srv) >= SRV_IMPORT_MAX) {
		srv_req_error(req, 503, "busy", NULL, "%u imports are running; try again later", SRV_IMPORT_MAX);
		return;
	}
	imp->csv = talloc_zero(imp, struct srv_csv);
	/* a chunk, plus one record escaped (at most doubled) with its line number and separators */
	imp->out = talloc_size(imp, IMP_CHUNK + 2 * SRV_CSV_MAX_RECORD + 64);
	imp->errors = json_array();
	imp->sql_errors = json_array();
	if (!imp->csv || !imp->out || !imp->errors || !imp->sql_errors) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		return;
	}
	srv_csv_init(imp->csv, imp_record, imp);
	imp->st = IMP_CONNECTING;
	imp->conn = PQconnectStartParams(keys, vals, 1);
	if (!imp->conn || PQstatus(imp->conn) == CONNECTION_BAD) {
		imp_fail_pq(imp, "cannot connect");
		return;
	}
	llist_add_tail(&imp->list, &srv->imports);
	osmo_timer_setup(&imp->timer, imp_timer_cb, imp);
	osmo_timer_schedule(&imp->timer, conn_ms / 1000, (conn_ms % 1000) * 1000);
	imp_fd_want(imp, OSMO_FD_WRITE);
	if (imp->ofd.fd < 0) {
		imp_fail_pq(imp, "no socket");
		return;
	}
	req->sink = imp_sink;
	req->sink_end = imp_sink_end;
}

/*! \brief POST /v1/import/couplings (text/csv, streamed). */
void srv_api_import_couplings(struct srv_req *req)
{
	import_start(req, &kind_couplings);
}

/*! \brief POST /v1/import/subscribers (text/csv, streamed). */
void srv_api_import_subscribers(struct srv_req *req)
{
	import_start(req, &kind_subscribers);
}

/*! \brief Number of imports holding a database connection. */
unsigned int srv_import_active(const struct srv_instance *srv)
{
	return llist_count(&srv->imports);
}

/*! \brief Shutdown: every running import is answered 503 and its transaction dropped. */
void srv_import_shutdown_all(struct srv_instance *srv)
{
	struct srv_import *imp, *tmp;

	llist_for_each_entry_safe(imp, tmp, &srv->imports, list)
		imp_fail(imp, 503, "db_unavailable", "server shutting down; nothing imported");
}
