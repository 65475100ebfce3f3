/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: libmicrohttpd in external-epoll mode on the osmo select loop, and the life of a request.
 *
 * libmicrohttpd runs without threads: its epoll fd sits in the select loop, MHD_run() is called when it is
 * readable or when the timer from MHD_get_timeout() fires. A request whose answer needs the database is
 * suspended (MHD_suspend_connection) until its query completes; after resuming, a zero timer runs MHD_run()
 * from the loop, which calls the access handler again to queue the answer. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include "api.h"
#include "db.h"
#include "http.h"
#include "srv.h"

struct srv_http {
	struct srv_instance *srv;
	struct MHD_Daemon *mhd;
	struct osmo_fd ofd;
	struct osmo_timer_list timer;
	char *tls_cert;
	char *tls_key;
	unsigned int active;	/*!< requests alive */
};

static void http_schedule(struct srv_http *h)
{
	MHD_UNSIGNED_LONG_LONG to;

	osmo_timer_del(&h->timer);
	if (MHD_get_timeout(h->mhd, &to) == MHD_YES)
		osmo_timer_schedule(&h->timer, to / 1000, (to % 1000) * 1000);
}

static void http_run(struct srv_http *h)
{
	MHD_run(h->mhd);
	http_schedule(h);
}

static int http_fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	http_run(ofd->data);
	return 0;
}

static void http_timer_cb(void *data)
{
	http_run(data);
}

static void http_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];
	size_t len;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	len = strlen(buf);
	while (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	LOGP(DHTTP, LOGL_NOTICE, "libmicrohttpd: %s\n", buf);
}

/* --- requests ---------------------------------------------------------------------------------------- */

/*! \brief A request header (case-insensitive name), or NULL. */
const char *srv_req_header(struct srv_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/*! \brief A URL query argument, or NULL (an argument without '=' gives ""). */
const char *srv_req_query_arg(struct srv_req *req, const char *name)
{
	const char *v = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
	bool present;

	if (v)
		return v;
	present = MHD_lookup_connection_value_n(req->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name), NULL,
						 NULL) == MHD_YES;
	return present ? "" : NULL;
}

struct args_check {
	const char *const *allowed;
	const char *bad;
};

static enum MHD_Result args_check_cb(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct args_check *ac = cls;
	const char *const *a;

	for (a = ac->allowed; *a; a++) {
		if (!strcmp(*a, key))
			return MHD_YES;
	}
	ac->bad = key;
	return MHD_NO;
}

/*! \brief Refuse query arguments not in allowed (NULL-terminated): replies 400 unknown_field.
 *  \returns 0 when all are known, -EINVAL after replying */
int srv_req_check_query_args(struct srv_req *req, const char *const *allowed)
{
	struct args_check ac = { .allowed = allowed };

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, args_check_cb, &ac);
	if (ac.bad) {
		srv_req_error(req, 400, "unknown_field", ac.bad, "unknown query parameter");
		return -EINVAL;
	}
	return 0;
}

/*! \brief Let libmicrohttpd go on with a suspended request (after an answer, or when a streamed body's sink
 *  can take data again). Harmless when the request is not suspended. */
void srv_req_resume(struct srv_req *req)
{
	if (req->suspended && req->conn) {
		req->suspended = false;
		MHD_resume_connection(req->conn);
		/* libmicrohttpd: after a resume in external polling mode MHD_run() must follow (the inter-thread
		 * channel alone does not wake a connection whose socket saw no new event) */
		if (req->srv->http)
			osmo_timer_schedule(&req->srv->http->timer, 0, 0);
	}
}

/*! \brief Answer the request (the body is copied). A second answer is ignored. */
void srv_req_reply(struct srv_req *req, unsigned int status, const char *content_type, const void *body,
		   size_t len)
{
	struct MHD_Response *r;

	if (req->resp || req->queued)
		return;
	r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return;
	if (content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	req->resp = r;
	req->status = status;
	LOGP(DAPI, status >= 500 ? LOGL_NOTICE : LOGL_DEBUG, "%s %s %s -> %u\n", req->client_ip, req->method,
	     req->path, status);
	srv_req_resume(req);
}

static ssize_t http_stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct srv_req *req = cls;
	long n;

	if (!req->source)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = req->source(req, buf, max);
	if (n == SRV_STREAM_END)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (n == 0 && req->conn) {
		/* libmicrohttpd would ask again at once: wait for srv_req_resume() instead */
		req->suspended = true;
		MHD_suspend_connection(req->conn);
	}
	return n;
}

/*! \brief Answer with a body produced piece by piece by src (chunked transfer encoding); the status and
 *  headers go out first, so a later failure can only cut the body short. */
void srv_req_reply_stream(struct srv_req *req, unsigned int status, const char *content_type, srv_req_source src)
{
	struct MHD_Response *r;

	if (req->resp || req->queued)
		return;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, http_stream_reader, req, NULL);
	if (!r)
		return;
	req->source = src;
	if (content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	req->resp = r;
	req->status = status;
	LOGP(DAPI, LOGL_DEBUG, "%s %s %s -> %u (streamed)\n", req->client_ip, req->method, req->path, status);
	srv_req_resume(req);
}

/*! \brief Answer with a JSON document (takes the reference to obj). */
void srv_req_reply_json(struct srv_req *req, unsigned int status, json_t *obj)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;

	json_decref(obj);
	if (!s) {
		static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\","
					  "\"field\":null}}";
		srv_req_reply(req, 500, "application/json", oom, sizeof(oom) - 1);
		return;
	}
	srv_req_reply(req, status, "application/json", s, strlen(s));
	free(s);
}

/*! \brief Answer with JSON text made elsewhere (e.g. by PostgreSQL). */
void srv_req_reply_json_text(struct srv_req *req, unsigned int status, const char *json)
{
	srv_req_reply(req, status, "application/json", json, strlen(json));
}

/*! \brief Answer with the error model {"error":{"code","message","field"}}. */
void srv_req_error(struct srv_req *req, unsigned int status, const char *code, const char *field,
		   const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	srv_req_reply_json(req, status, json_pack("{s:{s:s,s:s,s:s?}}", "error", "code", code, "message", msg,
						  "field", field));
}

struct req_query {
	struct srv_req *req;
	srv_req_db_cb cb;
};

static void req_query_cb(void *priv, const PGresult *res, const char *errmsg)
{
	struct req_query *rq = priv;
	struct srv_req *req = rq->req;
	srv_req_db_cb cb = rq->cb;

	talloc_free(rq);
	req->inflight--;
	if (!req->conn) {
		/* libmicrohttpd gave up on the connection meanwhile */
		if (!req->inflight)
			talloc_free(req);
		return;
	}
	cb(req, res, errmsg);
	/* a streamed request goes on with its body after authentication */
	if (!req->resp && !req->queued && !req->inflight && !req->sink)
		srv_req_error(req, 500, "internal", NULL, "request ended without an answer");
}

static int req_query(struct srv_req *req, struct srv_db *db, srv_req_db_cb cb, const char *sql,
		     const struct srv_db_stmt *stmt, int n_params, const char *const *values, const int *lengths,
		     const int *formats);

/*! \brief Send a query for this request; cb is called with the request when it completes.
 *  \returns 0, or a negative errno after answering 503/500 (then cb is never called) */
int srv_req_query(struct srv_req *req, srv_req_db_cb cb, const char *sql, int n_params,
		  const char *const *values, const int *lengths, const int *formats)
{
	return srv_req_query_on(req, req->srv->db, cb, sql, n_params, values, lengths, formats);
}

/*! \brief srv_req_query() on connection db. */
int srv_req_query_on(struct srv_req *req, struct srv_db *db, srv_req_db_cb cb, const char *sql, int n_params,
		     const char *const *values, const int *lengths, const int *formats)
{
	return req_query(req, db, cb, sql, NULL, n_params, values, lengths, formats);
}

/*! \brief srv_req_query_on() of a statement prepared once per connection (srv_db_query_stmt()). */
int srv_req_query_stmt(struct srv_req *req, struct srv_db *db, srv_req_db_cb cb, const struct srv_db_stmt *stmt,
		       int n_params, const char *const *values, const int *lengths, const int *formats)
{
	return req_query(req, db, cb, NULL, stmt, n_params, values, lengths, formats);
}

static int req_query(struct srv_req *req, struct srv_db *db, srv_req_db_cb cb, const char *sql,
		     const struct srv_db_stmt *stmt, int n_params, const char *const *values, const int *lengths,
		     const int *formats)
{
	struct req_query *rq = talloc_zero(req->srv, struct req_query);
	int rc;

	if (!rq) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		return -ENOMEM;
	}
	rq->req = req;
	rq->cb = cb;
	if (stmt)
		rc = srv_db_query_stmt(db, stmt, n_params, values, lengths, formats, req_query_cb, rq);
	else
		rc = srv_db_query(db, sql, n_params, values, lengths, formats, req_query_cb, rq);
	if (rc < 0) {
		talloc_free(rq);
		if (rc == -ENOTCONN)
			srv_req_error(req, 503, "db_unavailable", NULL, "database unavailable, try again later");
		else
			srv_req_error(req, 500, "internal", NULL, "cannot queue the query");
		return rc;
	}
	req->inflight++;
	return 0;
}

/*! \brief The usual answer to a failed query: 503 without a connection, 409 on a duplicate, else 500. */
void srv_req_db_error(struct srv_req *req, const PGresult *res, const char *errmsg)
{
	if (!res) {
		srv_req_error(req, 503, "db_unavailable", NULL, "database unavailable, try again later");
		return;
	}
	if (srv_db_sqlstate_is(res, "23505")) {
		srv_req_error(req, 409, "duplicate", NULL, "already exists");
		return;
	}
	if (srv_db_sqlstate_is(res, "23514")) {
		srv_req_error(req, 400, "out_of_range", NULL, "value not accepted: %s", errmsg ? errmsg : "");
		return;
	}
	/* a transaction PostgreSQL aborted for another's sake (deadlock, serialization): nothing of it was kept,
	 * the same request again will do */
	if (srv_db_sqlstate_is(res, "40P01") || srv_db_sqlstate_is(res, "40001")) {
		LOGP(DDB, LOGL_NOTICE, "%s %s: transaction aborted, the client may retry: %s\n", req->method, req->path,
		     errmsg ? errmsg : "?");
		srv_req_error(req, 503, "db_conflict", NULL, "the database aborted the transaction, try again");
		return;
	}
	LOGP(DDB, LOGL_ERROR, "%s %s: query failed: %s\n", req->method, req->path, errmsg ? errmsg : "?");
	srv_req_error(req, 500, "internal", NULL, "database error");
}

static void req_set_client_ip(struct srv_req *req)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn,
								     MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	strcpy(req->client_ip, "?");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, req->client_ip,
			  sizeof(req->client_ip));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, req->client_ip,
			  sizeof(req->client_ip));
	srv_api_client_ip(req, sa);
}

static enum MHD_Result http_queue(struct srv_req *req)
{
	enum MHD_Result rc = MHD_queue_response(req->conn, req->status, req->resp);

	req->queued = true;
	MHD_destroy_response(req->resp);
	req->resp = NULL;
	return rc;
}

static enum MHD_Result http_suspend(struct srv_req *req)
{
	req->suspended = true;
	MHD_suspend_connection(req->conn);
	return MHD_YES;
}

/* A streamed body: the request was authenticated and handed to its handler when the headers came in; the
 * handler's sink takes the body piece by piece. While the handler is not ready (authentication, its own
 * set-up) or cannot take more (the database is slower than the client), the connection is suspended, which
 * stops reading from the socket: memory stays bounded by libmicrohttpd's connection buffer. After an
 * answer was decided the rest of the body is read and dropped (libmicrohttpd queues answers only before or
 * after the body). */
static enum MHD_Result http_stream(struct srv_req *req, const char *data, size_t *size)
{
	long n;

	if (*size) {
		if (req->resp || req->body_ended) {
			*size = 0;
			return MHD_YES;
		}
		if (!req->sink)
			return http_suspend(req);
		if (*size > req->body_limit - req->streamed) {
			srv_req_error(req, 413, "too_large", NULL, "request body larger than %zu bytes",
				      req->body_limit);
			*size = 0;
			return MHD_YES;
		}
		n = req->sink(req, data, *size);
		if (n < 0) {
			if (!req->resp)
				srv_req_error(req, 500, "internal", NULL, "import failed");
			*size = 0;
			return MHD_YES;
		}
		*size -= n;
		req->streamed += n;
		if (*size)
			return http_suspend(req);
		return MHD_YES;
	}
	/* the whole body is in */
	if (!req->resp && !req->body_ended) {
		if (!req->sink)
			return http_suspend(req);
		req->body_ended = true;
		req->sink_end(req);
	}
	if (req->resp)
		return http_queue(req);
	return http_suspend(req);
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				   const char *version, const char *upload_data, size_t *upload_data_size,
				   void **con_cls)
{
	struct srv_http *h = cls;
	struct srv_req *req = *con_cls;

	if (!req) {
		req = talloc_zero(h->srv, struct srv_req);
		if (!req)
			return MHD_NO;
		h->active++;
		*con_cls = req;
		req->srv = h->srv;
		req->conn = conn;
		req->method = method;
		req->path = talloc_strdup(req, url);
		req_set_client_ip(req);
		srv_api_begin(req);
		if (!req->resp && req->route && req->route->body == SRV_BODY_CSV) {
			/* authenticate and start the handler before the body arrives */
			req->streaming = true;
			req->dispatched = true;
			srv_api_dispatch(req);
		}
		/* an answer decided from the headers alone (404, 413, 429, 401...) goes out before any body */
		if (req->resp)
			return http_queue(req);
		return MHD_YES;
	}
	if (req->streaming)
		return http_stream(req, upload_data, upload_data_size);
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (req->body_too_large)
			return MHD_YES;
		if (n > req->body_limit - req->body_len) {
			req->body_too_large = true;
			talloc_free(req->body);
			req->body = NULL;
			req->body_len = 0;
			return MHD_YES;
		}
		if (!req->body) {
			/* one allocation up to the announced length, when there is one */
			req->body = talloc_size(req, n + 1);
		} else {
			req->body = talloc_realloc_size(req, req->body, req->body_len + n + 1);
		}
		if (!req->body)
			return MHD_NO;
		memcpy(req->body + req->body_len, upload_data, n);
		req->body_len += n;
		req->body[req->body_len] = '\0';
		return MHD_YES;
	}
	if (!req->dispatched) {
		req->dispatched = true;
		if (req->body_too_large)
			srv_req_error(req, 413, "too_large", NULL, "request body larger than %zu bytes",
				      req->body_limit);
		else
			srv_api_dispatch(req);
	}
	if (req->resp)
		return http_queue(req);
	/* waiting for the database */
	return http_suspend(req);
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			   enum MHD_RequestTerminationCode toe)
{
	struct srv_http *h = cls;
	struct srv_req *req = *con_cls;

	if (!req)
		return;
	*con_cls = NULL;
	h->active--;
	if (req->resp) {
		MHD_destroy_response(req->resp);
		req->resp = NULL;
	}
	req->conn = NULL;
	if (req->inflight)
		return;	/* freed by the last query's completion */
	talloc_free(req);
}

/* Read a whole PEM file (at most 1 MiB) into *out (talloc, NUL-terminated).
 * \returns 0, or a negative errno (-EFBIG beyond the bound) */
static int slurp(void *ctx, const char *path, char **out)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	char chunk[4096];
	size_t n;
	int rc = 0;

	*out = NULL;
	if (!f)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		char *nb;

		if (len + n > 1024 * 1024) {
			rc = -EFBIG;
			break;
		}
		nb = talloc_realloc_size(ctx, buf, len + n + 1);
		if (!nb) {
			rc = -ENOMEM;
			break;
		}
		buf = nb;
		memcpy(buf + len, chunk, n);
		len += n;
		buf[len] = '\0';
	}
	if (!rc && ferror(f))
		rc = -EIO;
	if (!rc && !len)
		rc = -ENODATA;
	fclose(f);
	if (rc < 0) {
		talloc_free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

static const char *slurp_strerror(int rc)
{
	switch (rc) {
	case -EFBIG:
		return "larger than 1 MiB";
	case -ENODATA:
		return "empty file";
	default:
		return strerror(-rc);
	}
}

/* Load the configured certificate chain and key the way libmicrohttpd will (GnuTLS, PEM), so that a wrong
 * file is refused at start with GnuTLS's reason instead of a bare "cannot listen".
 * \returns 0, or -EINVAL (logged) */
static int http_tls_load(struct srv_http *h, const struct srv_cfg *cfg)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t cert, key;
	int rc;

	if (!cfg->tls_cert || !cfg->tls_key) {
		LOGP(DHTTP, LOGL_ERROR, "TLS needs both 'tls certificate' and 'tls key'\n");
		return -EINVAL;
	}
	rc = slurp(h, cfg->tls_cert, &h->tls_cert);
	if (rc < 0) {
		LOGP(DHTTP, LOGL_ERROR, "cannot read TLS certificate '%s': %s\n", cfg->tls_cert,
		     slurp_strerror(rc));
		return -EINVAL;
	}
	rc = slurp(h, cfg->tls_key, &h->tls_key);
	if (rc < 0) {
		LOGP(DHTTP, LOGL_ERROR, "cannot read TLS key '%s': %s\n", cfg->tls_key, slurp_strerror(rc));
		return -EINVAL;
	}
	if (gnutls_certificate_allocate_credentials(&cred) < 0) {
		LOGP(DHTTP, LOGL_ERROR, "cannot check the TLS certificate: out of memory\n");
		return -EINVAL;
	}
	cert.data = (unsigned char *)h->tls_cert;
	cert.size = strlen(h->tls_cert);
	key.data = (unsigned char *)h->tls_key;
	key.size = strlen(h->tls_key);
	rc = gnutls_certificate_set_x509_key_mem(cred, &cert, &key, GNUTLS_X509_FMT_PEM);
	gnutls_certificate_free_credentials(cred);
	if (rc < 0) {
		LOGP(DHTTP, LOGL_ERROR, "TLS certificate '%s' with key '%s' not usable: %s\n", cfg->tls_cert,
		     cfg->tls_key, gnutls_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

static int http_destructor(struct srv_http *h)
{
	osmo_timer_del(&h->timer);
	if (h->ofd.fd >= 0) {
		osmo_fd_unregister(&h->ofd);
		h->ofd.fd = -1;
	}
	if (h->mhd) {
		MHD_stop_daemon(h->mhd);
		h->mhd = NULL;
	}
	/* libmicrohttpd used the key from this memory until it stopped: do not leave it in freed memory */
	if (h->tls_key)
		explicit_bzero(h->tls_key, strlen(h->tls_key));
	return 0;
}

/*! \brief Listen for HTTP(S) as configured and serve the API.
 *  \returns the transport, or NULL (logged) when it cannot listen */
struct srv_http *srv_http_start(struct srv_instance *srv)
{
	struct srv_cfg *cfg = &srv->cfg;
	struct srv_http *h = talloc_zero(srv, struct srv_http);
	struct sockaddr_storage ss = {};
	unsigned int flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;
	struct MHD_OptionItem opts[8];
	int n = 0;

	if (!h)
		return NULL;
	h->srv = srv;
	h->ofd.fd = -1;
	osmo_timer_setup(&h->timer, http_timer_cb, h);
	talloc_set_destructor(h, http_destructor);

	if (inet_pton(AF_INET, cfg->listen_addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(cfg->listen_port);
	} else if (inet_pton(AF_INET6, cfg->listen_addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(cfg->listen_port);
		flags |= MHD_USE_IPv6;
	} else {
		LOGP(DHTTP, LOGL_ERROR, "listen address '%s' is not an IP address\n", cfg->listen_addr);
		goto err;
	}
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &ss };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)http_completed, h };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, 8192, NULL };
	if (cfg->tls_cert || cfg->tls_key) {
		if (http_tls_load(h, cfg) < 0)
			goto err;
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, h->tls_cert };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, h->tls_key };
	}
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, http_access, h, MHD_OPTION_EXTERNAL_LOGGER, http_log, h,
				  MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!h->mhd) {
		LOGP(DHTTP, LOGL_ERROR, "cannot listen on %s port %u\n", cfg->listen_addr, cfg->listen_port);
		goto err;
	}
	di = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!di) {
		LOGP(DHTTP, LOGL_ERROR, "libmicrohttpd gives no epoll fd\n");
		goto err;
	}
	osmo_fd_setup(&h->ofd, di->epoll_fd, OSMO_FD_READ, http_fd_cb, h, 0);
	if (osmo_fd_register(&h->ofd) < 0) {
		h->ofd.fd = -1;
		goto err;
	}
	http_schedule(h);
	LOGP(DHTTP, LOGL_NOTICE, "serving HTTP%s on %s port %u\n", cfg->tls_cert ? "S" : "", cfg->listen_addr,
	     cfg->listen_port);
	return h;
err:
	talloc_free(h);
	return NULL;
}

/*! \brief Let the requests still waiting get their answers out, then close everything. */
void srv_http_stop(struct srv_http *h)
{
	if (!h)
		return;
	if (h->mhd)
		MHD_run(h->mhd);
	talloc_free(h);
}

/*! \brief Requests currently alive (for the VTY and CTRL). */
unsigned int srv_http_active(const struct srv_http *h)
{
	return h ? h->active : 0;
}
