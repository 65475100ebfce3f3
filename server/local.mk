# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-server daemon, its SQL migrations and tandemctl.
#
# The daemon's logic is the convenience library server/libtandem-server.a, linked by the daemon (a thin
# main.c) and by its tests. SQL migrations in server/sql/NNN_name.sql are embedded into the library at
# build time (server/sql/embed.sh), so the binary always carries the schema it was written for.

# HMAC-SHA256 and SHA-256 come from GnuTLS (configure checks it; libmicrohttpd uses it for TLS too).
SERVER_GNUTLS_LIBS = $(GNUTLS_LIBS)

SERVER_SQL = \
	server/sql/001_init.sql \
	$(NULL)

noinst_LIBRARIES += server/libtandem-server.a
server_libtandem_server_a_SOURCES = \
	server/access.c \
	server/api.c \
	server/api_admin.c \
	server/api_export.c \
	server/api_groups.c \
	server/api_me.c \
	server/api_provision.c \
	server/auth.c \
	server/csv.c \
	server/ctrl.c \
	server/db.c \
	server/http.c \
	server/import.c \
	server/keytool.c \
	server/logging.c \
	server/vty.c \
	$(NULL)
nodist_server_libtandem_server_a_SOURCES = server/sql_migrations.c
server_libtandem_server_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server
server_libtandem_server_a_CFLAGS = $(AM_CFLAGS) $(LIBOSMOVTY_CFLAGS) $(LIBOSMOCTRL_CFLAGS) \
	$(LIBMICROHTTPD_CFLAGS) $(JANSSON_CFLAGS) $(LIBPQ_CFLAGS) $(GNUTLS_CFLAGS)
noinst_HEADERS += \
	server/access.h \
	server/api.h \
	server/auth.h \
	server/csv.h \
	server/db.h \
	server/http.h \
	server/import.h \
	server/srv.h \
	$(NULL)

server/sql_migrations.c: $(SERVER_SQL:%=$(top_srcdir)/%) $(top_srcdir)/server/sql/embed.sh
	$(AM_V_GEN)$(MKDIR_P) server && \
		$(SHELL) $(top_srcdir)/server/sql/embed.sh $(SERVER_SQL:%=$(top_srcdir)/%) >$@.tmp && mv $@.tmp $@
BUILT_SOURCES += server/sql_migrations.c
CLEANFILES += server/sql_migrations.c
EXTRA_DIST += $(SERVER_SQL) server/sql/embed.sh

# Link line for the daemon and anything that runs its code.
SERVER_LIBS = $(top_builddir)/server/libtandem-server.a \
	$(LIBMICROHTTPD_LIBS) $(LIBPQ_LIBS) $(JANSSON_LIBS) $(SERVER_GNUTLS_LIBS) \
	$(LIBOSMOCTRL_LIBS) $(LIBOSMOVTY_LIBS) $(LIBOSMOCORE_LIBS) $(TALLOC_LIBS)

bin_PROGRAMS += server/tandem-server
server_tandem_server_SOURCES = server/main.c
server_tandem_server_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server
server_tandem_server_CFLAGS = $(AM_CFLAGS) $(LIBOSMOVTY_CFLAGS) $(LIBOSMOCTRL_CFLAGS) $(LIBPQ_CFLAGS) \
	$(JANSSON_CFLAGS)
server_tandem_server_LDADD = $(SERVER_LIBS)

# tandemctl: the engineers' command line over the REST API (blocking libcurl is right for a CLI).
bin_PROGRAMS += tools/tandemctl
tools_tandemctl_SOURCES = tools/tandemctl.c
tools_tandemctl_CFLAGS = $(AM_CFLAGS) $(LIBCURL_CFLAGS) $(JANSSON_CFLAGS)
tools_tandemctl_LDADD = $(LIBCURL_LIBS) $(JANSSON_LIBS)

dist_doc_DATA += doc/api.md doc/tandem-server.md doc/tandemctl.md
EXTRA_DIST += doc/examples/tandem-server.cfg

# Call events from tandem-scp (POST /v1/call-events) and their tables.
SERVER_SQL += server/sql/002_call_events.sql
server_libtandem_server_a_SOURCES += server/api_events.c
noinst_HEADERS += server/api_events.h

# Push: the events outbox (migration 003), its LISTEN connection, GET /v1/events (SSE).
SERVER_SQL += server/sql/003_outbox.sql
server_libtandem_server_a_SOURCES += server/listen.c server/outbox.c server/sse.c
noinst_HEADERS += server/listen.h server/outbox.h server/sse.h

EXTRA_DIST += tests/server_push_lib.sh tests/server_push.sh tests/server_push.ok tests/server_push_restart.sh \
	tests/server_push_restart.ok tests/server_push_idle.sh tests/server_push_idle.py tests/server_push_idle.ok

# Sessions and caller cards: the leg matcher (a trigger of migration 004) and GET /v1/media/{id}.
SERVER_SQL += server/sql/004_sessions.sql
server_libtandem_server_a_SOURCES += server/api_media.c
noinst_HEADERS += server/api_media.h
EXTRA_DIST += tests/server_sessions.sh tests/server_sessions.ok

# Phone-app legs (POST /v1/calls), conferences, the relay (POST /v1/sessions/{id}/messages) and closing sessions.
SERVER_SQL += server/sql/005_app_legs_relay.sql
server_libtandem_server_a_SOURCES += server/api_calls.c server/api_relay.c server/session_timer.c
noinst_HEADERS += server/api_calls.h server/api_relay.h server/session_timer.h
EXTRA_DIST += tests/server_calls_lib.sh tests/server_calls.sh tests/server_calls.ok tests/server_relay.sh \
	tests/server_relay.ok tests/server_security.sh tests/server_security.ok

# The leg matcher of 004/005 with the same behaviour and less PostgreSQL work per session (cached plans).
SERVER_SQL += server/sql/006_matcher_plans.sql

# The leg matcher once per statement, the common case of a batch's legs in set-based statements.
SERVER_SQL += server/sql/007_matcher_batch.sql

# The outbox's and the deliveries' foreign keys replaced by triggers on delete; BRIN indexes for the logs' ages.
SERVER_SQL += server/sql/008_outbox_keys.sql

# The CHECK constraints of the rows every call writes without regular expressions.
SERVER_SQL += server/sql/009_cheap_checks.sql

# The card deliveries written without INSERT ... ON CONFLICT.
SERVER_SQL += server/sql/010_deliveries_write.sql

# The subscriber web page (server/web/, no build step): GET / and GET /web/{file} from `web-root`, by default
# the installed copy in pkgdatadir/web.
server_libtandem_server_a_SOURCES += server/web.c
noinst_HEADERS += server/web.h
server_libtandem_server_a_CPPFLAGS += -DSRV_WEB_DEFAULT_ROOT='"$(pkgdatadir)/web"'
webdir = $(pkgdatadir)/web
dist_web_DATA = server/web/index.html server/web/app.js server/web/api.js server/web/events.js server/web/style.css
EXTRA_DIST += tests/web.sh tests/web/web.ok tests/web/web.test.mjs tests/web/sse_parser.test.mjs \
	tests/web/package.json tests/web/package-lock.json tests/web/red.png tests/web/blue.png
# tests/web.sh installs playwright-core here (npm ci), once per build tree
clean-local: clean-web-node
clean-web-node:
	rm -rf tests/web-node
.PHONY: clean-web-node
