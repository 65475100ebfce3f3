#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-server migrations against a real PostgreSQL: two daemons starting together on an empty database
# apply each migration exactly once; a restart applies nothing; a database newer than the daemon is refused.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
pg_start || exit 1

srv_config "$WORK/a.cfg" </dev/null
PORT_A=$HTTP_PORT
srv_config "$WORK/b.cfg" </dev/null
PORT_B=$HTTP_PORT
[ "$PORT_A" != "$PORT_B" ] || { echo "same port twice" >&2; exit 1; }

echo "# two instances start together on an empty database"
srv_start "$WORK/a.cfg" "$WORK/a.log"
PID_A=$SRV_PID
srv_start "$WORK/b.cfg" "$WORK/b.log"
PID_B=$SRV_PID
srv_wait_ready "$PORT_A" && echo "instance A ready"
srv_wait_ready "$PORT_B" && echo "instance B ready"
echo "schema_version: $(pg_sql -c "SELECT string_agg(version || ' ' || name, ', ' ORDER BY version) FROM schema_version")"
echo "migrations applied: $(cat "$WORK/a.log" "$WORK/b.log" | grep -c 'applying migration 001_init')"
echo "tables: $(pg_sql -c "SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")"
curl -s "http://127.0.0.1:$PORT_A/v1/health"; echo
srv_stop "$PID_A" && echo "instance A stopped"
srv_stop "$PID_B" && echo "instance B stopped"

echo "# a restart applies nothing"
srv_start "$WORK/a.cfg" "$WORK/a2.log"
srv_wait_ready "$PORT_A" && echo "instance A ready"
echo "migrations applied: $(grep -c 'applying migration' "$WORK/a2.log")"
echo "schema_version rows: $(pg_sql -c "SELECT count(*) FROM schema_version")"
srv_stop "$SRV_PID" && echo "instance A stopped"

echo "# a database from a newer tandem-server is refused"
pg_sql -c "INSERT INTO schema_version (version, name) VALUES (999, 'future')"
srv_start "$WORK/a.cfg" "$WORK/a3.log"
srv_wait_http "$PORT_A"
sleep 1
curl -s "http://127.0.0.1:$PORT_A/v1/health" | sed 's/"database":"[a-z]*"/"database":"<not ready>"/'; echo
grep -o 'database has schema version 999, unknown to this tandem-server' "$WORK/a3.log" | head -n 1
srv_stop "$SRV_PID" && echo "instance A stopped"
