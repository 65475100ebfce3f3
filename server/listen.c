/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: the instance's dedicated LISTEN connection for the outbox's wake-up hints.
 *
 * A second libpq connection, separate from the query pipeline (srv_db): LISTEN must not share a connection
 * with transactions (a listener inside a long transaction holds up the notification queue's cleanup) and must
 * survive independently of it. It connects without blocking (PQconnectPoll on the select loop), sends
 * LISTEN tandem_outbox, and from then on only reads: each notification carries the highest seq another writer
 * committed, and wakes this instance's event streams (srv_sse_kick()). When the connection is lost it is
 * made again after a delay that doubles from SRV_T_DB_BACKOFF_MIN to SRV_T_DB_BACKOFF_MAX; notifications sent
 * meanwhile are lost, so every (re)established LISTEN is followed by a look at the outbox (kick with 0). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include <libpq-fe.h>

#include "listen.h"
#include "outbox.h"
#include "sse.h"
#include "srv.h"

enum listen_state {
	L_WAIT,
	L_CONNECTING,
	L_SUBSCRIBING,	/*!< LISTEN sent, no answer yet */
	L_UP,
};

struct srv_listen {
	struct srv_instance *srv;
	enum listen_state state;
	PGconn *conn;
	struct osmo_fd ofd;
	struct osmo_timer_list reconnect_timer;
	struct osmo_timer_list connect_timer;
	unsigned long backoff_ms;
	unsigned long notifications;
};

static void listen_close(struct srv_listen *l)
{
	if (l->ofd.fd >= 0) {
		osmo_fd_unregister(&l->ofd);
		l->ofd.fd = -1;
	}
	if (l->conn) {
		PQfinish(l->conn);
		l->conn = NULL;
	}
	osmo_timer_del(&l->connect_timer);
}

static void listen_fail(struct srv_listen *l, const char *why)
{
	unsigned long min_ms = osmo_tdef_get(l->srv->tdefs, SRV_T_DB_BACKOFF_MIN, OSMO_TDEF_MS, 250);
	unsigned long max_ms = osmo_tdef_get(l->srv->tdefs, SRV_T_DB_BACKOFF_MAX, OSMO_TDEF_MS, 5000);
	const char *pq = l->conn ? PQerrorMessage(l->conn) : "";
	size_t len = strlen(pq);

	while (len && (pq[len - 1] == '\n' || pq[len - 1] == ' '))
		len--;
	if (!l->backoff_ms)
		l->backoff_ms = min_ms;
	LOGP(DDB, LOGL_ERROR, "LISTEN connection: %s%s%.*s; retrying in %lu ms\n", why, len ? ": " : "", (int)len,
	     pq, l->backoff_ms);
	listen_close(l);
	l->state = L_WAIT;
	osmo_timer_schedule(&l->reconnect_timer, l->backoff_ms / 1000, (l->backoff_ms % 1000) * 1000);
	l->backoff_ms *= 2;
	if (l->backoff_ms > max_ms)
		l->backoff_ms = max_ms;
}

/* libpq may change the socket while connecting: follow it, with the given interest. */
static void listen_fd_update(struct srv_listen *l, unsigned int what)
{
	int fd = l->conn ? PQsocket(l->conn) : -1;

	if (l->ofd.fd != fd) {
		if (l->ofd.fd >= 0)
			osmo_fd_unregister(&l->ofd);
		l->ofd.fd = -1;
		if (fd < 0)
			return;
		osmo_fd_setup(&l->ofd, fd, what, l->ofd.cb, l, 0);
		if (osmo_fd_register(&l->ofd) < 0)
			l->ofd.fd = -1;
		return;
	}
	l->ofd.when = (l->ofd.when & ~(OSMO_FD_READ | OSMO_FD_WRITE)) | what;
}

static void listen_subscribe(struct srv_listen *l)
{
	if (PQsetnonblocking(l->conn, 1) != 0 || !PQsendQuery(l->conn, "LISTEN " SRV_OUTBOX_CHANNEL)) {
		listen_fail(l, "cannot send LISTEN");
		return;
	}
	l->state = L_SUBSCRIBING;
	listen_fd_update(l, OSMO_FD_READ);
	if (PQflush(l->conn) == 1)
		osmo_fd_write_enable(&l->ofd);
}

static void listen_read(struct srv_listen *l)
{
	PGnotify *n;
	PGresult *r;

	if (!PQconsumeInput(l->conn)) {
		listen_fail(l, "connection lost");
		return;
	}
	while (!PQisBusy(l->conn) && (r = PQgetResult(l->conn))) {
		ExecStatusType st = PQresultStatus(r);

		PQclear(r);
		if (st != PGRES_COMMAND_OK) {
			listen_fail(l, "LISTEN refused");
			return;
		}
		if (l->state == L_SUBSCRIBING) {
			osmo_timer_del(&l->connect_timer);
			l->state = L_UP;
			l->backoff_ms = 0;
			LOGP(DDB, LOGL_INFO, "listening on %s\n", SRV_OUTBOX_CHANNEL);
			/* whatever was announced while nobody listened: look at the outbox */
			if (l->srv->sse)
				srv_sse_kick(l->srv->sse, 0);
		}
	}
	while ((n = PQnotifies(l->conn))) {
		int64_t seq = 0;

		l->notifications++;
		if (!strcmp(n->relname, SRV_OUTBOX_CHANNEL) && srv_outbox_seq_parse(&seq, n->extra) == 0 &&
		    l->srv->sse)
			srv_sse_kick(l->srv->sse, seq);
		PQfreemem(n);
	}
	if (PQstatus(l->conn) == CONNECTION_BAD)
		listen_fail(l, "connection lost");
}

static int listen_fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct srv_listen *l = ofd->data;

	if (l->state == L_CONNECTING) {
		switch (PQconnectPoll(l->conn)) {
		case PGRES_POLLING_READING:
			listen_fd_update(l, OSMO_FD_READ);
			break;
		case PGRES_POLLING_WRITING:
			listen_fd_update(l, OSMO_FD_WRITE);
			break;
		case PGRES_POLLING_OK:
			listen_subscribe(l);
			break;
		default:
			listen_fail(l, "connection failed");
			break;
		}
		return 0;
	}
	if (what & OSMO_FD_WRITE) {
		int rc = PQflush(l->conn);

		if (rc < 0) {
			listen_fail(l, "cannot send");
			return 0;
		}
		if (rc == 0)
			osmo_fd_write_disable(&l->ofd);
	}
	if (what & OSMO_FD_READ)
		listen_read(l);
	return 0;
}

static void listen_connect(struct srv_listen *l)
{
	const char *keys[] = { "dbname", "application_name", NULL };
	const char *vals[] = { l->srv->cfg.dsn, "tandem-server listen", NULL };
	unsigned long conn_ms = osmo_tdef_get(l->srv->tdefs, SRV_T_DB_CONNECT, OSMO_TDEF_MS, 30000);

	l->conn = PQconnectStartParams(keys, vals, 1);
	if (!l->conn || PQstatus(l->conn) == CONNECTION_BAD) {
		listen_fail(l, "cannot start connection");
		return;
	}
	l->state = L_CONNECTING;
	osmo_timer_schedule(&l->connect_timer, conn_ms / 1000, (conn_ms % 1000) * 1000);
	/* libpq: start as if PQconnectPoll had said PGRES_POLLING_WRITING */
	listen_fd_update(l, OSMO_FD_WRITE);
	if (l->ofd.fd < 0)
		listen_fail(l, "no socket");
}

static void listen_reconnect_cb(void *data)
{
	listen_connect(data);
}

static void listen_connect_timeout_cb(void *data)
{
	listen_fail(data, "timeout while connecting");
}

static int listen_destructor(struct srv_listen *l)
{
	osmo_timer_del(&l->reconnect_timer);
	listen_close(l);
	return 0;
}

/*! \brief Open the instance's LISTEN connection; from then on it keeps itself connected.
 *  \returns the object (talloc child of srv), or NULL without memory */
struct srv_listen *srv_listen_start(struct srv_instance *srv)
{
	struct srv_listen *l = talloc_zero(srv, struct srv_listen);

	if (!l)
		return NULL;
	l->srv = srv;
	l->ofd.fd = -1;
	l->ofd.cb = listen_fd_cb;
	osmo_timer_setup(&l->reconnect_timer, listen_reconnect_cb, l);
	osmo_timer_setup(&l->connect_timer, listen_connect_timeout_cb, l);
	talloc_set_destructor(l, listen_destructor);
	listen_connect(l);
	return l;
}

/*! \brief Whether notifications are being received (for `show server`). */
bool srv_listen_is_up(const struct srv_listen *l)
{
	return l && l->state == L_UP;
}
