#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-server migrations against a real PostgreSQL: two daemons starting together on an empty database
# apply each migration exactly once; a restart applies nothing; schema 9's CHECK constraints accept what their
# former regular expressions did; a database newer than the daemon is refused.
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

echo "# schema 9's CHECK constraints accept exactly the strings their former regular expressions did"
# 20,000 strings per constraint (a fixed seed), half of them from the characters the pattern allows (after a
# '+' for the TDNs), of lengths about the pattern's bound, a seventh NULL, each
# judged by the constraint's own expression (from the catalog) and by the regular expression
pg_sql <<'SQL'
CREATE FUNCTION pg_temp.agrees(rel regclass, con text, col text, re text, prefix text, likely text, maxlen int)
	RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	expr text;
	bad bigint;
	ok bigint;
BEGIN
	SELECT pg_get_expr(conbin, conrelid) INTO expr FROM pg_constraint WHERE conrelid = rel AND conname = con;
	PERFORM setseed(0.25);
	CREATE TEMP TABLE gen AS
		SELECT CASE WHEN g % 7 = 0 THEN NULL ELSE CASE WHEN g % 2 = 0 THEN prefix ELSE '' END ||
			(SELECT string_agg(CASE WHEN g % 2 = 0 AND i > 0
			THEN substr(likely, 1 + floor(random() * length(likely))::int, 1)
			ELSE substr(likely || 'A+ é-9_.z' || chr(10), 1 + floor(random() * (length(likely) + 10))::int, 1)
			END, '' ORDER BY i) FROM generate_series(1, g % maxlen) AS k(i)) END AS v
		FROM generate_series(1, 20000) AS g;
	EXECUTE format('SELECT count(*) FILTER (WHERE coalesce((%s), true) IS DISTINCT FROM coalesce(%I ~ %L, true)),
		count(*) FILTER (WHERE %I ~ %L) FROM (SELECT v AS %I FROM gen) AS x', expr, col, re, col, re, col)
		INTO bad, ok;
	DROP TABLE gen;
	RETURN format('%s: %s of 20000 strings judged otherwise, more than 500 accepted: %s', con, bad, ok > 500);
END
$$;
SELECT pg_temp.agrees('legs', 'legs_calling_tdn_check', 'calling_tdn', '^\+[1-9][0-9]{1,14}$', '+',
	'01234567891234567899+', 19);
SELECT pg_temp.agrees('legs', 'legs_called_tdn_check', 'called_tdn', '^\+[1-9][0-9]{1,14}$', '+',
	'01234567891234567899+', 19);
SELECT pg_temp.agrees('session_members', 'session_members_tdn_check', 'tdn', '^\+[1-9][0-9]{1,14}$', '+',
	'01234567891234567899+', 19);
SELECT pg_temp.agrees('outbox', 'outbox_type_check', 'type', '^[a-z][a-z0-9_.-]{0,63}$', '',
	'abcdefghijklmnopqrstuvwxyz0123456789_.-abc', 70);
SELECT pg_temp.agrees('call_events', 'call_events_instance_check', 'instance', '^[A-Za-z0-9._-]{1,32}$', '',
	'ABCXYZabcxyz0189._-', 36);
SQL

echo "# a database from a newer tandem-server is refused"
pg_sql -c "INSERT INTO schema_version (version, name) VALUES (999, 'future')"
srv_start "$WORK/a.cfg" "$WORK/a3.log"
srv_wait_http "$PORT_A"
sleep 1
curl -s "http://127.0.0.1:$PORT_A/v1/health" | sed 's/"database":"[a-z]*"/"database":"<not ready>"/'; echo
grep -o 'database has schema version 999, unknown to this tandem-server' "$WORK/a3.log" | head -n 1
srv_stop "$SRV_PID" && echo "instance A stopped"
