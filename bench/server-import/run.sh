#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Benchmark (not a test): import N couplings (default 1,000,000) through `tandemctl import couplings` into
# a running tandem-server, next to `psql \copy` of the same couplings into the same table, in the same run
# on the same throwaway PostgreSQL cluster (tests/pg-harness.sh). Prints rows per second of both and the
# ratio tandemctl / \copy (target >= 0.5).
#
#   bench/server-import/run.sh [BUILDDIR]      (BUILDDIR default: ./build; N=... to change the row count)
#
# Both load the same N (subscriber, device) pairs into an empty couplings table with its indexes and foreign
# keys. \copy reads the ids directly (subscriber_id,device_id); tandemctl sends what an engineer has
# (tdn,device_id), so the server also parses and checks the CSV, resolves each TDN, checks for duplicates
# and existing couplings, and writes the audit record. Every step is bounded by `timeout`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
abs_top_srcdir=$(cd "$here/../.." && pwd)
abs_top_builddir=$(cd "${1:-$abs_top_srcdir/build}" && pwd) || exit 2
export abs_top_srcdir abs_top_builddir
N=${N:-1000000}
LIMIT=${LIMIT:-600}
[ -x "$abs_top_builddir/server/tandem-server" ] && [ -x "$abs_top_builddir/tools/tandemctl" ] ||
	{ echo "build tandem-server and tandemctl in $abs_top_builddir first" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tandem-bench.XXXXXX") || exit 1
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
trap 'harness_cleanup; rm -rf "$WORK"' EXIT
srv_setup || exit 1

secs()
{
	date +%s.%N
}

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1);" \
	"$(psql -X -A -t -d tandem -c 'SHOW server_version' | cut -d' ' -f1) PostgreSQL; $N rows"
pg_sql -c "INSERT INTO subscribers (tdn) SELECT '+1' || (2000000000 + g) FROM generate_series(1, $N) g" &&
pg_sql -c "INSERT INTO devices (subscriber_id, kind) SELECT g, 'pc' FROM generate_series(1, $N) g" &&
pg_sql -c "VACUUM ANALYZE" || exit 1
# the same pairs: subscriber i with device N+1-i (ids from the inserts above, which start at 1)
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "%d,%d\n", i, n + 1 - i }' >"$WORK/ids.csv"
awk -v n="$N" 'BEGIN { print "tdn,device_id"; for (i = 1; i <= n; i++) printf "+1%d,%d\n", 2000000000 + i, n + 1 - i }' \
	>"$WORK/couplings.csv"

t0=$(secs)
timeout "$LIMIT" psql -X -q -v ON_ERROR_STOP=1 -d tandem \
	-c "\\copy couplings (subscriber_id, device_id) FROM '$WORK/ids.csv' WITH (FORMAT csv)" || exit 1
t1=$(secs)
copy_n=$(pg_sql -c "SELECT count(*) FROM couplings")
pg_sql -c "TRUNCATE couplings" && pg_sql -c "VACUUM ANALYZE couplings" || exit 1

t2=$(secs)
timeout "$LIMIT" "$abs_top_builddir/tools/tandemctl" --server "$URL" --key "$ADMIN" \
	import couplings "$WORK/couplings.csv" || exit 1
t3=$(secs)
ctl_n=$(pg_sql -c "SELECT count(*) FROM couplings")

awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n1="$copy_n" -v n2="$ctl_n" 'BEGIN {
	r1 = n1 / (b - a); r2 = n2 / (d - c);
	printf "psql \\copy:       %8d rows in %6.2f s = %8.0f rows/s\n", n1, b - a, r1;
	printf "tandemctl import: %8d rows in %6.2f s = %8.0f rows/s\n", n2, d - c, r2;
	printf "ratio tandemctl / \\copy: %.2f (target >= 0.5)\n", r2 / r1 }'
srv_stop "$SRV_PID"
