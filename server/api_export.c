/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: CSV export of couplings and subscribers, streamed page by page.
 *
 * The answer is produced while it is sent: pages of EXPORT_PAGE rows are read by id (keyset pagination on
 * the shared connection, so no transaction is held open while a slow client reads) and formatted as CSV
 * into one buffer; the next page is asked for when the buffer has been sent. Memory is one page, whatever
 * the size of the table. Rows changed while the export runs may or may not be in it; each row is exported
 * at most once. The columns are those the import takes, so an export can be imported elsewhere. */

#include <errno.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/utils.h>

#include "api.h"
#include "db.h"
#include "srv.h"

#define EXPORT_PAGE	10000

struct export_kind {
	const char *header;
	const char *sql;	/*!< $1 after id, $2 tdn prefix or NULL; first column the id */
	unsigned int ncols;	/*!< CSV columns after the id */
};

static const struct export_kind export_couplings = {
	.header = "tdn,device_id,ip,source\r\n",
	.sql = "SELECT c.id, s.tdn, c.device_id, d.ip, c.source FROM couplings c"
	       " JOIN subscribers s ON s.id = c.subscriber_id JOIN devices d ON d.id = c.device_id"
	       " WHERE c.id > $1::bigint AND ($2::text IS NULL OR s.tdn LIKE $2 || '%')"
	       " ORDER BY c.id LIMIT " OSMO_STRINGIFY_VAL(EXPORT_PAGE),
	.ncols = 4,
};

static const struct export_kind export_subscribers = {
	.header = "tdn,label\r\n",
	.sql = "SELECT s.id, s.tdn, s.label FROM subscribers s"
	       " WHERE s.id > $1::bigint AND ($2::text IS NULL OR s.tdn LIKE $2 || '%')"
	       " ORDER BY s.id LIMIT " OSMO_STRINGIFY_VAL(EXPORT_PAGE),
	.ncols = 2,
};

struct export {
	const struct export_kind *kind;
	char *prefix;
	char after[24];
	char *buf;		/*!< CSV of the current page */
	size_t len, pos;
	bool last_page;		/*!< the current page is the last one */
	bool waiting;		/*!< a page query is in flight */
	bool failed;
	bool started;		/*!< the answer's status has been sent */
};

static void export_query(struct srv_req *req);

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. Writes at most
 * 2 * strlen(v) + 2 bytes. \returns the end of what was written */
static char *csv_field(char *o, const char *v)
{
	if (!v[strcspn(v, ",\"\r\n")]) {
		size_t n = strlen(v);

		memcpy(o, v, n);
		return o + n;
	}
	*o++ = '"';
	for (; *v; v++) {
		if (*v == '"')
			*o++ = '"';
		*o++ = *v;
	}
	*o++ = '"';
	return o;
}

static long export_source(struct srv_req *req, char *buf, size_t max)
{
	struct export *ex = req->state;
	size_t n;

	if (ex->failed)
		return SRV_STREAM_ABORT;
	if (ex->pos < ex->len) {
		n = ex->len - ex->pos;
		if (n > max)
			n = max;
		memcpy(buf, ex->buf + ex->pos, n);
		ex->pos += n;
		return n;
	}
	if (ex->last_page)
		return SRV_STREAM_END;
	if (!ex->waiting)
		export_query(req);
	return ex->failed ? SRV_STREAM_ABORT : 0;
}

static void export_page_cb(struct srv_req *req, const PGresult *res, const char *errmsg)
{
	struct export *ex = req->state;
	int i, j, n;
	size_t need;
	char *o;

	ex->waiting = false;
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		if (!ex->started) {
			srv_req_db_error(req, res, errmsg);
			return;
		}
		ex->failed = true;
		srv_req_resume(req);
		return;
	}
	n = PQntuples(res);
	/* one allocation for the page: every field at most doubled plus quotes, separators, CRLF */
	need = strlen(ex->kind->header) + 1;
	for (i = 0; i < n; i++) {
		for (j = 1; j <= (int)ex->kind->ncols; j++)
			need += 2 * PQgetlength(res, i, j) + 3;
		need += 2;
	}
	talloc_free(ex->buf);
	ex->buf = talloc_size(ex, need);
	if (!ex->buf) {
		ex->len = ex->pos = 0;
		ex->failed = true;
		if (!ex->started)
			srv_req_error(req, 500, "internal", NULL, "out of memory");
		srv_req_resume(req);
		return;
	}
	o = ex->buf;
	if (!ex->started) {
		strcpy(o, ex->kind->header);
		o += strlen(o);
	}
	for (i = 0; i < n; i++) {
		for (j = 1; j <= (int)ex->kind->ncols; j++) {
			if (j > 1)
				*o++ = ',';
			o = csv_field(o, PQgetvalue(res, i, j));
		}
		*o++ = '\r';
		*o++ = '\n';
	}
	if (n)
		osmo_strlcpy(ex->after, PQgetvalue(res, n - 1, 0), sizeof(ex->after));
	ex->len = o - ex->buf;
	ex->pos = 0;
	ex->last_page = n < EXPORT_PAGE;
	if (!ex->started) {
		ex->started = true;
		srv_req_reply_stream(req, 200, "text/csv; charset=utf-8", export_source);
	} else {
		srv_req_resume(req);
	}
}

static void export_query(struct srv_req *req)
{
	struct export *ex = req->state;
	const char *v[2] = { ex->after, ex->prefix };

	if (ex->started && !srv_db_is_ready(req->srv->db)) {
		/* the status is out already: all that is left is to cut the body short */
		ex->failed = true;
		return;
	}
	ex->waiting = true;
	if (srv_req_query(req, export_page_cb, ex->kind->sql, 2, v, NULL, NULL) < 0) {
		/* answered 503 when nothing was sent yet */
		ex->waiting = false;
		ex->failed = true;
	}
}

static void export_start(struct srv_req *req, const struct export_kind *kind)
{
	static const char *const allowed[] = { "tdn_prefix", NULL };
	const char *p;
	struct export *ex;
	size_t len;

	if (srv_req_check_query_args(req, allowed) < 0)
		return;
	ex = talloc_zero(req, struct export);
	if (!ex) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		return;
	}
	ex->kind = kind;
	strcpy(ex->after, "0");
	p = srv_req_query_arg(req, "tdn_prefix");
	if (p) {
		if (*p == '+' || *p == ' ')
			p++;
		len = strlen(p);
		if (len > 15 || strspn(p, "0123456789") != len) {
			srv_req_error(req, 400, "bad_e164", "tdn_prefix", "must be the leading digits of an E.164 number");
			return;
		}
		ex->prefix = talloc_asprintf(ex, "+%s", p);
	}
	req->state = ex;
	export_query(req);
}

/*! \brief GET /v1/export/couplings: CSV tdn,device_id,ip,source. */
void srv_api_export_couplings(struct srv_req *req)
{
	export_start(req, &export_couplings);
}

/*! \brief GET /v1/export/subscribers: CSV tdn,label. */
void srv_api_export_subscribers(struct srv_req *req)
{
	export_start(req, &export_subscribers);
}
