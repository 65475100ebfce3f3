#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# The database goes away under a running tandem-server: the API answers 503 with a JSON error, and comes back
# by itself when PostgreSQL is up again. Nothing half-written: the data from before is all there after.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
srv_setup || exit 1

req POST /v1/subscribers '{"tdn":"+4940123456"}'
pg_down && echo "# PostgreSQL stopped"
req GET /v1/subscribers/1
req POST /v1/subscribers '{"tdn":"+4940123457"}'
req GET /v1/health "" "" | sed 's/"database":"[a-z]*"/"database":"<not ready>"/'
pg_up && echo "# PostgreSQL started"
srv_wait_ready "$HTTP_PORT" && echo "server ready again"
req GET /v1/subscribers/1
req POST /v1/subscribers '{"tdn":"+4940123457"}'
req GET /v1/subscribers
echo "reconnects logged: $(grep -c 'database unusable' "$WORK/srv.log" | sed 's/^[1-9][0-9]*$/some/')"
srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
