/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: HTTP transport (libmicrohttpd, external epoll on the osmo select loop) and requests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>

#include <jansson.h>
#include <libpq-fe.h>

struct srv_db;
struct srv_db_stmt;
struct srv_instance;
struct srv_http;
struct srv_route;
struct MHD_Connection;
struct MHD_Response;

/*! Who is calling, once authenticated. */
enum srv_role {
	SRV_ROLE_NONE = 0,
	SRV_ROLE_ENGINEER = 1 << 0,
	SRV_ROLE_ADMIN = 1 << 1,
	SRV_ROLE_SCP = 1 << 2,
	SRV_ROLE_DEVICE = 1 << 3,
};

#define SRV_MAX_PATH_ARGS 4

struct srv_req;

/*! Takes the next piece of a streamed body.
 *  \returns bytes taken (0: not now, the sink calls srv_req_resume() when it can take more), or negative
 *           after answering with an error (the rest of the body is then read and dropped) */
typedef long (*srv_req_sink)(struct srv_req *req, const char *data, size_t len);

/*! One HTTP request, from its headers to the completion of its response. */
struct srv_req {
	struct srv_instance *srv;
	struct MHD_Connection *conn;	/*!< NULL once libmicrohttpd is done with the connection */
	const char *method;
	char *path;
	const struct srv_route *route;
	char *args[SRV_MAX_PATH_ARGS];	/*!< captured "{}" path segments */
	char client_ip[INET6_ADDRSTRLEN];
	/* body */
	char *body;
	size_t body_len;
	size_t body_limit;
	bool body_too_large;
	/* response */
	struct MHD_Response *resp;
	unsigned int status;
	bool queued;			/*!< the answer went to libmicrohttpd */
	bool suspended;
	bool dispatched;
	unsigned int inflight;		/*!< database queries not yet completed */
	/* caller */
	enum srv_role role;
	int64_t device_id;		/*!< SRV_ROLE_DEVICE */
	int64_t subscriber_id;		/*!< SRV_ROLE_DEVICE: the device's subscriber */
	char actor[48];			/*!< for the audit log: "key:<id>" or "device:<id>" */
	const char *cred_secret;	/*!< points into the Authorization header until authenticated */
	void *state;			/*!< handler's own data (talloc child of the request) */
	/* streamed body (CSV imports): authenticated and handed to the handler from the headers on; the
	 * handler installs sink/sink_end, the body is never held in memory as a whole */
	bool streaming;
	bool body_ended;
	unsigned long long streamed;	/*!< body bytes taken by the sink so far */
	srv_req_sink sink;
	void (*sink_end)(struct srv_req *req);
	long (*source)(struct srv_req *req, char *buf, size_t max);	/*!< streamed answer */
};

struct srv_http *srv_http_start(struct srv_instance *srv);
void srv_http_stop(struct srv_http *h);
unsigned int srv_http_active(const struct srv_http *h);

void srv_req_resume(struct srv_req *req);

/*! Produces the next piece of a streamed answer.
 *  \returns bytes put in buf (at most max), 0 when nothing is ready yet (the connection is suspended: call
 *           srv_req_resume() when there is more), SRV_STREAM_END at the end, SRV_STREAM_ABORT to cut the
 *           answer short (the client sees an incomplete transfer) */
typedef long (*srv_req_source)(struct srv_req *req, char *buf, size_t max);
#define SRV_STREAM_END		(-1)
#define SRV_STREAM_ABORT	(-2)
void srv_req_reply_stream(struct srv_req *req, unsigned int status, const char *content_type, srv_req_source src);

const char *srv_req_header(struct srv_req *req, const char *name);
const char *srv_req_query_arg(struct srv_req *req, const char *name);
int srv_req_check_query_args(struct srv_req *req, const char *const *allowed);
void srv_req_reply(struct srv_req *req, unsigned int status, const char *content_type, const void *body,
		   size_t len);
void srv_req_reply_json(struct srv_req *req, unsigned int status, json_t *obj);
void srv_req_reply_json_text(struct srv_req *req, unsigned int status, const char *json);
void srv_req_error(struct srv_req *req, unsigned int status, const char *code, const char *field,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*! Completion of a query made for a request; the request is still alive. */
typedef void (*srv_req_db_cb)(struct srv_req *req, const PGresult *res, const char *errmsg);
int srv_req_query(struct srv_req *req, srv_req_db_cb cb, const char *sql, int n_params,
		  const char *const *values, const int *lengths, const int *formats);
int srv_req_query_on(struct srv_req *req, struct srv_db *db, srv_req_db_cb cb, const char *sql, int n_params,
		     const char *const *values, const int *lengths, const int *formats);
int srv_req_query_stmt(struct srv_req *req, struct srv_db *db, srv_req_db_cb cb, const struct srv_db_stmt *stmt,
		       int n_params, const char *const *values, const int *lengths, const int *formats);
void srv_req_db_error(struct srv_req *req, const PGresult *res, const char *errmsg);
