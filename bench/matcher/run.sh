#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# The leg matcher alone, in SQL (bench/matcher/README.md): a throwaway PostgreSQL 15 cluster, one database per
# schema version in VERSIONS (the migrations server/sql/001.. up to it, as tandem-server applies them), 1000
# subscribers each with a coupled device and a two-field caller card, then NB statements that each insert BS
# network legs of new calls between coupled parties (what one ingest statement of POST /v1/call-events stores),
# timed one by one; then pgbench's single-row INSERT on the same cluster for the ratio.
#
#   bench/matcher/run.sh            VERSIONS ("7 10"), NB (50), BS (100), PGBENCH_S (5), PGSS=1 (the statements
#                                   by total time, pg_stat_statements with track = all, per version)
#
# Bounded: NB * BS legs per version (at most 200,000), pgbench for PGBENCH_S seconds.
set -eu
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
VERSIONS=${VERSIONS:-7 10}
NB=${NB:-50}
BS=${BS:-100}
PGBENCH_S=${PGBENCH_S:-5}
PGSS=${PGSS:-}
PGBENCH=${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
[ $((NB * BS)) -le 200000 ] || { echo "run.sh: NB * BS above 200000" >&2; exit 1; }
[ -x "$PGBENCH" ] || { echo "run.sh: no pgbench at $PGBENCH" >&2; exit 1; }
. "$SRCDIR/tests/pg-harness.sh"
pg_start >/dev/null || exit 1
W=$PG_DIR/work
mkdir -p "$W"
chmod 755 "$W"
if [ -n "$PGSS" ]; then
	psql -q -d tandem -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
	pg_restart >/dev/null
	psql -q -d tandem -c "ALTER SYSTEM SET pg_stat_statements.track = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
fi
echo "matcher benchmark: $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg);" \
	"$NB statements of $BS legs per schema version"

for v in $VERSIONS; do
	db=m$v
	psql -q -v ON_ERROR_STOP=1 -d tandem -c "CREATE DATABASE $db" >/dev/null
	n=0
	for f in "$SRCDIR"/server/sql/[0-9][0-9][0-9]_*.sql; do
		num=$(basename "$f" | cut -c1-3)
		[ "$((1$num - 1000))" -le "$v" ] || continue
		psql -q -v ON_ERROR_STOP=1 -d "$db" -f "$f" >/dev/null
		n=$((n + 1))
	done
	[ "$n" = "$v" ] || { echo "run.sh: schema $v: found $n migrations" >&2; exit 1; }
	# what provisioning leaves (autovacuum has analyzed these by the time calls come); the tables the calls
	# fill are left as a fresh database has them, never analyzed
	psql -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
INSERT INTO subscribers (tdn) SELECT '+1201555' || lpad(i::text, 4, '0') FROM generate_series(0, 999) i;
INSERT INTO devices (subscriber_id, kind) SELECT id, 'pc' FROM subscribers;
INSERT INTO couplings (subscriber_id, device_id) SELECT subscriber_id, id FROM devices;
INSERT INTO profile_fields (subscriber_id, name, value) SELECT id, 'name', 'Name ' || id FROM subscribers;
INSERT INTO profile_fields (subscriber_id, name, value) SELECT id, 'email', 'u' || id || '@example.org'
	FROM subscribers;
INSERT INTO default_visibility SELECT id, 'name' FROM subscribers;
INSERT INTO default_visibility SELECT id, 'email' FROM subscribers;
ANALYZE subscribers, devices, couplings, profile_fields, default_visibility;
SQL
	# call i: caller i mod 499 (the first 499 subscribers), callee the 500 others in turn, as bench/e2e
	{
		printf '%s\n' '\timing on'
		b=0
		while [ $b -lt "$NB" ]; do
			echo "INSERT INTO legs (source, scp_instance, scp_call, direction, protocol, calling_tdn, called_tdn,"
			echo "  state, started_at) SELECT 'network', 'bench', 'c' || i, 'orig', 'cap2',"
			echo "  '+1201555' || lpad((i % 499)::text, 4, '0'), '+1201555' || lpad((500 + i % 500)::text, 4, '0'),"
			echo "  'started', now() FROM generate_series($((b * BS)), $((b * BS + BS - 1))) i;"
			b=$((b + 1))
		done
	} >"$W/legs.sql"
	[ -z "$PGSS" ] || psql -q -d "$db" -c "CREATE EXTENSION pg_stat_statements" -c "SELECT pg_stat_statements_reset()" \
		>/dev/null
	t0=$(date +%s.%N)
	psql -q -v ON_ERROR_STOP=1 -d "$db" -f "$W/legs.sql" >"$W/times.$v"
	t1=$(date +%s.%N)
	grep '^Time:' "$W/times.$v" | awk '{ print $2 }' >"$W/ms.$v"
	psql -At -d "$db" -c "SELECT count(*) FROM sessions" >"$W/sessions.$v"
	echo "schema $v: $(cat "$W/sessions.$v") sessions from $((NB * BS)) legs in $(awk -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.2f", b - a }') s: $(awk -v a="$t0" -v b="$t1" -v n="$(cat "$W/sessions.$v")" \
		'BEGIN { printf "%.0f", n / (b - a) }') sessions/s"
	sort -n "$W/ms.$v" | awk -v bs="$BS" '{ a[NR] = $1 } END { printf "  ms per statement of %d legs: min %.1f," \
		" median %.1f, max %.1f\n", bs, a[1], a[int((NR + 1) / 2)], a[NR] }'
	awk '{ a[NR] = $1 } END { printf "  first 5 statements %.1f %.1f %.1f %.1f %.1f ms, last 5 %.1f %.1f %.1f %.1f" \
		" %.1f ms\n", a[1], a[2], a[3], a[4], a[5], a[NR - 4], a[NR - 3], a[NR - 2], a[NR - 1], a[NR] }' "$W/ms.$v"
	echo "  written: $(psql -At -d "$db" -c "SELECT string_agg(type || ' ' || n, ', ' ORDER BY type) FROM
		(SELECT type, count(*) AS n FROM outbox GROUP BY type) t"), deliveries $(psql -At -d "$db" -c \
		"SELECT count(*) FROM deliveries"), members $(psql -At -d "$db" -c "SELECT count(*) FROM session_members")"
	if [ -n "$PGSS" ]; then
		psql -d "$db" -c "SELECT round(total_exec_time::numeric, 1) AS ms, calls,
			round((total_exec_time / calls)::numeric, 3) AS ms_per_call,
			substr(regexp_replace(query, '\s+', ' ', 'g'), 1, 80) AS statement
			FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15"
	fi
done
psql -q -d tandem -c "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, v text NOT NULL,
	t timestamptz NOT NULL DEFAULT now())"
echo "INSERT INTO bench_insert (v) VALUES ('x');" >"$W/insert.sql"
chmod 644 "$W/insert.sql"
tps=$("$PGBENCH" -n -c 1 -T "$PGBENCH_S" -f "$W/insert.sql" tandem 2>&1 | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
echo "pgbench single-row INSERT, 1 connection, $PGBENCH_S s: $(printf '%.0f' "$tps")/s"
for v in $VERSIONS; do
	awk -v a="$(grep -c . "$W/ms.$v")" -v bs="$BS" -v t="$(awk '{ s += $1 } END { print s }' "$W/ms.$v")" \
		-v p="$tps" -v v="$v" 'BEGIN { r = a * bs / (t / 1000); printf "schema %s: %.0f sessions/s in the" \
		" statements alone, ratio to pgbench %.3f\n", v, r, r / p }'
done
