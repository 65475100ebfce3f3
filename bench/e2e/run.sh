#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# End-to-end benchmark (bench/e2e/README.md): tandem-ssp load -> osmo-stp -> tandem-scp -> tandem-server ->
# SSE clients, on loopback, with a throwaway PostgreSQL.
#
#   bench/e2e/run.sh BUILDDIR        (about 3-4 minutes with the defaults)
#
# 1. STREAMS subscribers (+12015550000...), each with one PC device coupled to its TDN and a caller card (name,
#    e-mail, default audience of both), all through the API; sse_hold holds one GET /v1/events per device.
#    tandem-server's VmRSS before and with every stream open and idle: RSS per connection.
# 2. Session setups per second: the trigger scenario (one event and one session per call: service key 101,
#    unmonitored), BURST_RATE calls/s for BURST_S. SETUP_MODE=spool (the default): tandem-server is stopped
#    (SIGSTOP) during the burst, so every event waits in the SCP's spool; then it is continued (SIGCONT) and
#    drains the full spool flat out. SETUP_MODE=open: the burst goes to the running server (open loop: it
#    measures the burst's own rate once the server keeps up with it). Either way sessions / (last created_at -
#    first created_at). SCP_BATCH: the notifier's `batch` (events per POST, at most 48 KiB each). Then pgbench's
#    single-row insert rate against the same cluster (one connection, as tandem-server has; and
#    PGBENCH_CLIENTS), PGBENCH_S each. PRELOAD=N first makes N calls (sessions) so that the tables are not empty.
#    probe.py: PROBE_N single-event POSTs /v1/call-events on the idle chain, timed to the answer and to the card.
# 3. Latency, at each of RATES (lowest first): tandem-ssp load, monitor scenario (CAP v2, answer after
#    ANSWER_AFTER s, hold HOLD s) for DURATION s from the first STREAMS/2-1 subscribers to the other STREAMS/2
#    (coprime counts, so every call's index in the schedule is known from its numbers): every call makes a
#    session, an incoming and an outgoing call event, a card each way, the answer and the end on the held
#    streams. analyze.py: InitialDP -> card.
# The calls use the same number pairs from one run to the next: the first run's cards carry the fields, later
# ones mostly name them `unchanged` (the device holds them at their version).
# EXPERIMENT_SQL: a what-if statement run on the throwaway database after provisioning (e.g. an index), named
# in the output; the figures are then not the product's. SSE_HOLD=PATH: another build of sse_hold.
# PERF=1: perf record -a from just before the SIGCONT to the end of the drain (spool mode), the share of each
# process printed, perf.data kept with KEEP=1.
# PROFILE=1: pg_stat_statements (nested statements, planning time) in the throwaway cluster, printed at the end.
# A benchmark, not a test: nothing fails on a figure. Bounded: each wait has a limit, every process stops at the
# end (EXIT trap).
set -u
BUILDDIR=$(cd "${1:?usage: run.sh BUILDDIR}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
STREAMS=${STREAMS:-1000}
RATES=${RATES:-25 50 100 500}	# calls/s of the latency runs, lowest first
DURATION=${DURATION:-10}
ANSWER_AFTER=${ANSWER_AFTER:-1}
HOLD=${HOLD:-2}
BURST_RATE=${BURST_RATE:-2000}
BURST_S=${BURST_S:-5}
SETUP_MODE=${SETUP_MODE:-spool}	# spool: the burst into the SCP's spool, the server stopped; open: server running
SCP_BATCH=${SCP_BATCH:-100}	# the notifier's batch (tandem-scp's default 100; 1..1000)
DRAIN_S=${DRAIN_S:-90}		# the longest wait for the sessions of a run after its last call
PGBENCH_S=${PGBENCH_S:-10}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-4}
PROBE_N=${PROBE_N:-50}
EXPERIMENT_SQL=${EXPERIMENT_SQL:-}	# what-if SQL run on the throwaway database after provisioning
PRELOAD=${PRELOAD:-0}		# calls made before the setups/s measurement (a database in service)
PERF=${PERF:-0}			# 1: perf record -a over the drain (SETUP_MODE=spool), kept in the working directory
PERF_PID=
PGBENCH=${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
SRV_EXTRA=${SRV_EXTRA:-}	# extra lines for the server node, e.g. "timer server X10 60"
SSE_HOLD=${SSE_HOLD:-$BUILDDIR/bench/e2e/sse_hold}	# e.g. a sanitizer build of it
FIRST=12015550000
for _t in "$BUILDDIR/server/tandem-server" "$BUILDDIR/scp/tandem-scp" "$BUILDDIR/tools/tandem-ssp" "$SSE_HOLD"; do
	[ -x "$_t" ] || { echo "run.sh: build $_t first" >&2; exit 1; }
done
[ -x "$PGBENCH" ] || { echo "run.sh: no pgbench at $PGBENCH" >&2; exit 1; }
[ "$STREAMS" -ge 4 ] && [ "$STREAMS" -le 10000 ] || { echo "run.sh: STREAMS 4..10000" >&2; exit 1; }
case $SETUP_MODE in
spool|open) ;;
*) echo "run.sh: SETUP_MODE spool or open" >&2; exit 1 ;;
esac
[ "$SCP_BATCH" -ge 1 ] 2>/dev/null && [ "$SCP_BATCH" -le 1000 ] || { echo "run.sh: SCP_BATCH 1..1000" >&2; exit 1; }
# the spool (spool-max-bytes 64 MiB, about 580 bytes per trigger event) must hold the whole burst
[ $((BURST_RATE * BURST_S)) -le 100000 ] || { echo "run.sh: BURST_RATE x BURST_S at most 100000 calls" >&2; exit 1; }
CALLED_N=$((STREAMS / 2))
CALLING_N=$((CALLED_N - 1))
MAXRATE=$(echo "$RATES" | tr ' ' '\n' | sort -n | tail -n 1)
if [ $((CALLING_N * CALLED_N)) -lt $((MAXRATE * DURATION)) ]; then
	echo "run.sh: RATE x DURATION must stay below $((CALLING_N * CALLED_N)) calls (numbers would repeat)" >&2
	exit 1
fi

abs_top_srcdir=$SRCDIR
abs_top_builddir=$BUILDDIR
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tandem-e2e.XXXXXX")
export abs_top_srcdir abs_top_builddir WORK
. "$SRCDIR/tests/pg-harness.sh"
. "$SRCDIR/tests/server_lib.sh"
. "$SRCDIR/tests/stp-harness.sh"
B=$BUILDDIR
D=$WORK
PIDS=
stp_cleanup_hook()
{
	for _p in $PIDS; do
		kill -TERM "$_p" 2>/dev/null
	done
	for _p in $PIDS; do
		wait "$_p" 2>/dev/null
	done
	PIDS=
}
e2e_cleanup()
{
	# a stopped tandem-server (phase 2) ignores SIGTERM until it is continued
	[ -n "${SRV_PID:-}" ] && kill -CONT "$SRV_PID" 2>/dev/null
	[ -n "${PERF_PID:-}" ] && kill -INT "$PERF_PID" 2>/dev/null
	stp_harness_cleanup
	harness_cleanup
	if [ -n "${KEEP:-}" ]; then echo "run.sh: kept $WORK"; else rm -rf "$WORK"; fi
}

rss_kib()
{
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}
ticks()
{
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
# pg_ticks: utime + stime of every process of the cluster (the postmaster's children, backends included)
pg_ticks()
{
	_pm=$(head -n 1 "$PG_DIR/data/postmaster.pid")
	for _c in $(ps -o pid= --ppid "$_pm"); do
		cat "/proc/$_c/stat" 2>/dev/null
	done | awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'
}
# cpu_per_1000 T0 T1 CALLS: CPU seconds per 1000 calls from clock ticks
cpu_per_1000()
{
	awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" -v n="$3" \
		'BEGIN { printf "%.3f", (n ? (b - a) / hz * 1000 / n : 0) }'
}
loadavg()
{
	cut -d' ' -f1-3 /proc/loadavg
}
# scp_posts: the SCP notifier's POSTs so far (rate counter post:total)
scp_posts()
{
	scp_vty "show rate-counters" | sed -n 's/.*\(post:total\|HTTP POSTs to servers\): *\([0-9]*\).*/\2/p' |
		head -n 1
}
spool_depth()
{
	scp_vty "show notifier" | sed -n 's/.* depth \([0-9]*\),.*/\1/p'
}
sessions()
{
	pg_sql -c "SELECT count(*) FROM sessions"
}
# wait_sessions N SECONDS: until the database holds N sessions and the SCP's spool is empty
wait_sessions()
{
	_i=0
	while [ $_i -lt $(($2 * 5)) ]; do
		[ "$(sessions)" -ge "$1" ] && [ "$(spool_depth)" = 0 ] && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}
# wait_drain N SECONDS: wait_sessions, but while the sessions are being made only psql asks, once a second:
# starting psql and the VTY client five times a second took about 6 % of the two vCPUs the chain runs on
wait_drain()
{
	_i=0
	while [ $_i -lt "$2" ] && [ "$(sessions)" -lt "$1" ]; do
		sleep 1
		_i=$((_i + 1))
	done
	wait_sessions "$1" "$2"
}

T0=$(date +%s)
echo "e2e benchmark: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo))," \
	"$(free -g | awk '/^Mem:/ { print $2 }') GiB, $(date -u +%Y-%m-%dT%H:%MZ), load average $(loadavg)"
LOAD_BEFORE=$(loadavg)

# ---------------------------------------------------------------------------------------------------------------
srv_setup "$SRV_EXTRA" || { echo "run.sh: tandem-server did not start" >&2; exit 1; }
trap 'e2e_cleanup' EXIT
trap 'exit 130' INT TERM HUP	# so that the EXIT trap runs then too
stp_start asp-scp:0.23.1:0.23.2 asp-ssp:0.23.2:0.23.1 || exit 1
trap 'e2e_cleanup' EXIT
. "$SRCDIR/tests/scp_lib.sh"	# SCP_ADDR, scp_config, ssp_config, scp_start, scp_vty (after stp_start)
if [ -n "${PROFILE:-}" ]; then
	# where PostgreSQL's time goes: pg_stat_statements (nested statements of the matcher's functions too) in
	# this throwaway cluster; the server reconnects by itself after the restart
	pg_sql -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" && pg_restart &&
		pg_sql -c "ALTER SYSTEM SET pg_stat_statements.track = 'all'" \
			-c "ALTER SYSTEM SET pg_stat_statements.track_planning = on" \
			-c "SELECT pg_reload_conf()" >/dev/null &&
		srv_wait_ready "$HTTP_PORT" && pg_sql -c "CREATE EXTENSION pg_stat_statements" ||
		{ echo "run.sh: PROFILE: no pg_stat_statements" >&2; exit 1; }
fi
echo "$("$PG_BINDIR/postgres" --version), fsync=off (tests/pg-harness.sh); tandem-server $URL; osmo-stp IPA" \
	"$STP_IPA_PORT"

req POST /v1/api-keys '{"role":"engineer","label":"bench"}' >/dev/null
ENG=$(json_get key)
req POST /v1/api-keys '{"role":"scp","label":"bench"}' >/dev/null
SCP_KEY=$(json_get key)
[ -n "$ENG" ] && [ -n "$SCP_KEY" ] || { echo "run.sh: no API keys: $RESP" >&2; exit 1; }

scp_config "$D/scp.cfg" <<EOF
scp
 country-code 1
 national-prefix 1
 international-prefix 011
 national-length 10
 ssn 146 cap
 service-key 100 continue monitor
 service-key 101 continue
notifier
 instance-id scp-bench
 spool-path $D/events.spool
 api-key $SCP_KEY
 default-url $URL/v1/call-events
 batch $SCP_BATCH
 ! phase 2 stops tandem-server: the POST in flight then gets its answer as soon as the server is continued,
 ! or it timed out (X102) and is retried after X100 doubling up to X101: at most 1 s after SIGCONT
 timer X100 100
 timer X101 1000
EOF
ssp_config "$D/ssp.cfg" <<EOF
load-limit rate 20000
load-limit duration 600
load-limit dialogues 1000000
EOF
scp_start "$D/scp.cfg" "$D/scp.log" || { echo "run.sh: tandem-scp did not start" >&2; exit 1; }
PIDS="$PIDS $SCP_PID"

echo "1. $STREAMS subscribers, one PC device each, caller cards; one SSE stream per device"
python3 "$SRCDIR/bench/e2e/provision.py" "$URL" "$ENG" "+$FIRST" "$STREAMS" "$D/tokens" || exit 1
if [ -n "$EXPERIMENT_SQL" ]; then
	echo "   EXPERIMENT, not the product: $EXPERIMENT_SQL"
	pg_sql -c "$EXPERIMENT_SQL" || exit 1
fi
sleep 1
RSS0=$(rss_kib "$SRV_PID")
"$SSE_HOLD" --url "$URL" --tokens "$D/tokens" --out "$D/events" --ready "$D/ready" --duration 1800 \
	2>"$D/sse.err" &
SSE_PID=$!
PIDS="$SSE_PID $PIDS"
_i=0
while [ ! -f "$D/ready" ] && [ $_i -lt 600 ] && kill -0 "$SSE_PID" 2>/dev/null; do
	sleep 0.1
	_i=$((_i + 1))
done
[ -f "$D/ready" ] || { echo "run.sh: the streams did not open:" >&2; tail -n 5 "$D/sse.err" >&2; exit 1; }
OPEN_S=$(awk -v i=$_i 'BEGIN { printf "%.1f", i / 10 }')
sleep 3
RSS1=$(rss_kib "$SRV_PID")
RSSPER=$(awk -v a="$RSS0" -v b="$RSS1" -v n="$STREAMS" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')
echo "  $STREAMS streams open in $OPEN_S s; tandem-server VmRSS $RSS0 -> $RSS1 KiB idle: $RSSPER bytes per stream" \
	"(sse_hold itself $(rss_kib "$SSE_PID") KiB)"

# load SCENARIO RATE SECONDS ARGS...: one tandem-ssp load run, summary in $D/load.json
load()
{
	_sc=$1 _r=$2 _s=$3
	shift 3
	rm -f "$D/load.json"
	"$B/tools/tandem-ssp" -c "$D/ssp.cfg" load --quiet --protocol cap2 --scenario "$_sc" --rate "$_r" \
		--duration "$_s" --calling-range "+$FIRST-+$((FIRST + CALLING_N - 1))" \
		--called-range "+$((FIRST + CALLED_N))-+$((FIRST + 2 * CALLED_N - 1))" --json "$D/load.json" "$@" \
		>"$D/load.out" 2>"$D/load.err"
	if [ ! -s "$D/load.json" ]; then
		echo "run.sh: tandem-ssp load wrote no summary:" >&2
		cat "$D/load.err" >&2
		exit 1
	fi
	jq -r '"  tandem-ssp: \(.started) calls, \(.achieved_rate | floor) calls/s, failed \(.failed), answer latency" +
		" p50 \(.latency_ms.p50) p99 \(.latency_ms.p99) min \(.latency_ms.min) ms, generator lag max" +
		" \(.generator_lag_ms.max) ms"' "$D/load.json"
}

# the links come up asynchronously: a few calls first, and their sessions
load trigger 20 1 --service-key 101 >/dev/null
wait_sessions 20 30 || { echo "run.sh: the warm-up calls made no sessions" >&2; tail -n 5 "$D/scp.log" >&2; exit 1; }

if [ "$PRELOAD" -gt 0 ]; then
	# the tables as after a while in service: PRELOAD earlier calls (legs, calls, sessions)
	echo "   preload: $PRELOAD calls at $BURST_RATE calls/s before the measurement"
	S0=$(sessions)
	load trigger "$BURST_RATE" $(((PRELOAD + BURST_RATE - 1) / BURST_RATE)) --service-key 101 >/dev/null
	wait_sessions $((S0 + PRELOAD)) $((PRELOAD / 50 + 60)) || echo "  the preload did not drain"
fi
if [ "$SETUP_MODE" = spool ]; then
	echo "2. session setups per second from a full spool: trigger scenario (one event, one session per call)" \
		"at $BURST_RATE calls/s for $BURST_S s into the SCP's spool with tandem-server stopped, then drained;" \
		"batch $SCP_BATCH; load average $(loadavg)"
else
	echo "2. session setups per second, open loop: trigger scenario (one event, one session per call) at" \
		"$BURST_RATE calls/s for $BURST_S s to the running server; batch $SCP_BATCH; load average $(loadavg)"
fi
S0=$(sessions)
MAXID=$(pg_sql -c "SELECT coalesce(max(id), 0) FROM sessions")
if [ "$SETUP_MODE" = spool ]; then
	# the spool is empty here (wait_sessions); the server stopped, every event of the burst stays spooled
	kill -STOP "$SRV_PID" || exit 1
	load trigger "$BURST_RATE" "$BURST_S" --service-key 101
	scp_vty "show notifier" >"$D/notifier.full"
	DEPTH=$(sed -n 's/.* depth \([0-9]*\),.*/\1/p' "$D/notifier.full")
	SPOOL_B=$(sed -n 's/.* depth [0-9]*, bytes \([0-9]*\),.*/\1/p' "$D/notifier.full")
	CALLS=$(jq .started "$D/load.json")
	sed -n 's/^ *\(spool \|http\)/  SCP: \1/p' "$D/notifier.full"
	echo "  spool depth $DEPTH for $CALLS calls made ($(awk -v b="${SPOOL_B:-0}" -v n="${DEPTH:-0}" \
		'BEGIN { printf "%.0f", (n ? b / n : 0) }') spooled bytes per event)"
	[ "$CALLS" -eq $((BURST_RATE * BURST_S)) ] && [ "$(jq .failed "$D/load.json")" = 0 ] ||
		echo "  NOTE: the generator made $CALLS of $((BURST_RATE * BURST_S)) calls, failed $(jq -c \
			'[.failed, .failures]' "$D/load.json")"
	[ "$DEPTH" = "$CALLS" ] || echo "  NOTE: spool depth $DEPTH is not the $CALLS calls made"
	POSTS0=$(scp_posts)
	if [ "$PERF" = 1 ]; then
		perf record -a -F 999 -o "$D/perf.data" >"$D/perf.log" 2>&1 &
		PERF_PID=$!
		sleep 0.5
	fi
	SRVT0=$(ticks "$SRV_PID")
	PGT0=$(pg_ticks)
	SSET0=$(ticks "$SSE_PID")
	SCPT0=$(ticks "$SCP_PID")
	BURST_T0=$(date +%s.%N)
	kill -CONT "$SRV_PID" || exit 1
else
	SRVT0=$(ticks "$SRV_PID")
	PGT0=$(pg_ticks)
	SSET0=$(ticks "$SSE_PID")
	SCPT0=$(ticks "$SCP_PID")
	BURST_T0=$(date +%s.%N)
	load trigger "$BURST_RATE" "$BURST_S" --service-key 101
	DEPTH=$(spool_depth)
	CALLS=$(jq .started "$D/load.json")
fi
wait_drain $((S0 + CALLS)) "$DRAIN_S" || echo "  only $(($(sessions) - S0)) of $CALLS sessions after $DRAIN_S s"
CALLS_SETUP=$CALLS
if [ -n "$PERF_PID" ]; then
	kill -INT "$PERF_PID"
	wait "$PERF_PID"
	PERF_PID=
	echo "  perf profile of the drain (every CPU): $D/perf.data, by process:"
	perf report -i "$D/perf.data" --sort comm --stdio 2>/dev/null | grep '%' | head -n 8 | sed 's/^/    /'
fi
SRVT1=$(ticks "$SRV_PID")
PGT1=$(pg_ticks)
SSET1=$(ticks "$SSE_PID")
SCPT1=$(ticks "$SCP_PID")
BURST_WALL=$(awk -v a="$BURST_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
eval "$(pg_sql -c "SELECT 'SETUP_N=' || count(*) || ' SETUP_S=' ||
	round(extract(epoch FROM max(created_at) - min(created_at))::numeric, 3) ||
	' FIRST_AFTER=' || round((extract(epoch FROM min(created_at)) - $BURST_T0)::numeric, 3) ||
	' LAST_AFTER=' || round((extract(epoch FROM max(created_at)) - $BURST_T0)::numeric, 3)
	FROM sessions WHERE id > $MAXID")"
SETUPS=$(awk -v n="$SETUP_N" -v s="$SETUP_S" 'BEGIN { printf "%.0f", (s > 0 ? (n - 1) / s : 0) }')
if [ "$SETUP_MODE" = spool ]; then
	echo "  $SETUP_N sessions made in $SETUP_S s (first to last created_at): $SETUPS sessions/s; from SIGCONT:" \
		"first session after $FIRST_AFTER s, last after $LAST_AFTER s ($(awk -v n="$SETUP_N" -v s="$LAST_AFTER" \
		'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }') sessions/s)"
	scp_vty "show notifier" | sed -n 's/^ *\(http\)/  SCP after the drain: \1/p'
	POSTS1=$(scp_posts)
	echo "  the drain took $((POSTS1 - POSTS0)) POSTs: $(awk -v n="$SETUP_N" -v p="$((POSTS1 - POSTS0))" \
		'BEGIN { printf "%.1f", (p > 0 ? n / p : 0) }') events per POST (batch $SCP_BATCH, at most 48 KiB)"
else
	echo "  $SETUP_N sessions made in $SETUP_S s (first to last created_at): $SETUPS sessions/s; SCP spool depth" \
		"$DEPTH when the arrivals ended (the burst's own rate was the limit when it is about 0)"
fi
echo "  CPU s per 1000 sessions: tandem-server $(cpu_per_1000 "$SRVT0" "$SRVT1" "$SETUP_N")," \
	"PostgreSQL $(cpu_per_1000 "$PGT0" "$PGT1" "$SETUP_N") (all its processes; $(awk -v a="$PGT0" \
	-v b="$PGT1" -v hz="$(getconf CLK_TCK)" -v w="$BURST_WALL" \
	'BEGIN { printf "%.2f", (w > 0 ? (b - a) / hz / w : 0) }') cores over the $BURST_WALL s from the" \
	"$([ "$SETUP_MODE" = spool ] && echo SIGCONT || echo "first call") to the end of the wait)"
echo "  on the same two vCPUs meanwhile: sse_hold (the $STREAMS streams' client, a benchmark harness) $(cpu_per_1000 \
	"$SSET0" "$SSET1" "$SETUP_N"), tandem-scp $(cpu_per_1000 "$SCPT0" "$SCPT1" "$SETUP_N") CPU s per 1000 sessions"
pg_sql -c "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, v text NOT NULL, t timestamptz NOT NULL DEFAULT now())"
echo "INSERT INTO bench_insert (v) VALUES ('x');" >"$D/insert.sql"
pgb()
{
	"$PGBENCH" -n -c "$1" -j "$1" -T "$PGBENCH_S" -f "$D/insert.sql" tandem 2>&1 |
		sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | awk '{ printf "%.0f", $1 }'
}
PGB1=$(pgb 1)
PGBN=$(pgb "$PGBENCH_CLIENTS")
# pgbench's table (about a million rows) would otherwise be vacuumed by autovacuum during the latency runs
pg_sql -c "DROP TABLE bench_insert"
echo "  pgbench single-row INSERT, same cluster, $PGBENCH_S s: $PGB1 inserts/s (1 connection, as tandem-server)," \
	"$PGBN/s ($PGBENCH_CLIENTS connections)"
RATIO=$(awk -v a="$SETUPS" -v b="$PGB1" 'BEGIN { printf "%.3f", (b ? a / b : 0) }')
RATION=$(awk -v a="$SETUPS" -v b="$PGBN" 'BEGIN { printf "%.3f", (b ? a / b : 0) }')
echo "  ratio setups/s / inserts/s: $RATIO (1 connection), $RATION ($PGBENCH_CLIENTS connections); target >= 0.3"
echo "  the server alone on the idle chain: $PROBE_N POSTs /v1/call-events of one trigger event each, 100 ms apart"
python3 "$SRCDIR/bench/e2e/probe.py" "$URL" "$SCP_KEY" "$D/events" "$(wc -l <"$D/events")" "$FIRST" \
	"$((FIRST + CALLED_N))" "$PROBE_N" | tee "$D/probe"

echo "3. latency: monitor scenario, $DURATION s at each of $RATES calls/s, answer after $ANSWER_AFTER s, hold $HOLD s" \
	"($CALLING_N callers -> $CALLED_N callees)"
for RATE in $RATES; do
	S0=$(sessions)
	MAXID=$(pg_sql -c "SELECT coalesce(max(id), 0) FROM sessions")
	L0=$(wc -l <"$D/events")
	SRVT0=$(ticks "$SRV_PID")
	PGT0=$(pg_ticks)
	SCPT0=$(ticks "$SCP_PID")
	echo " $RATE calls/s, load average $(loadavg)"
	load monitor "$RATE" "$DURATION" --answer-after "$ANSWER_AFTER" --hold "$HOLD" --service-key 100
	DEPTH=$(spool_depth)
	CALLS=$(jq .started "$D/load.json")
	MADE=$(($(sessions) - S0))
	echo "  when the last call ended: $MADE of $CALLS sessions made, SCP spool depth $DEPTH"
	wait_sessions $((S0 + CALLS)) "$DRAIN_S" ||
		echo "  only $(($(sessions) - S0)) of $CALLS sessions after $DRAIN_S s"
	sleep 2
	SRVT1=$(ticks "$SRV_PID")
	PGT1=$(pg_ticks)
	SCPT1=$(ticks "$SCP_PID")
	pg_sql -F ' ' -c "SELECT id, extract(epoch FROM created_at) FROM sessions WHERE id > $MAXID" >"$D/created"
	python3 "$SRCDIR/bench/e2e/analyze.py" "$D/events" "$L0" "$MAXID" "$RATE" "$FIRST" "$CALLING_N" \
		"$((FIRST + CALLED_N))" "$CALLED_N" "$CALLS" "$D/created" >"$D/analyze.$RATE" || exit 1
	grep -v '^RESULT' "$D/analyze.$RATE"
	echo "  CPU s per 1000 calls: tandem-server $(cpu_per_1000 "$SRVT0" "$SRVT1" "$CALLS"), PostgreSQL" \
		"$(cpu_per_1000 "$PGT0" "$PGT1" "$CALLS"), tandem-scp $(cpu_per_1000 "$SCPT0" "$SCPT1" "$CALLS")," \
		"tandem-ssp $(jq --argjson n "$CALLS" '.cpu_s * 1000 / $n * 1000 | round / 1000' "$D/load.json");" \
		"tandem-server VmRSS $(rss_kib "$SRV_PID") KiB"
	echo "rate=$RATE calls=$CALLS made=$MADE depth=$DEPTH $(sed -n 's/^RESULT //p' "$D/analyze.$RATE")" \
		>>"$D/results"
done

if [ -n "${PROFILE:-}" ]; then
	echo "PostgreSQL statements by total time (pg_stat_statements, whole run):"
	echo "exec ms | plan ms | calls | exec ms/call | top level | statement"
	pg_sql -F ' | ' -c "SELECT round(total_exec_time), round(total_plan_time), calls,
		round((total_exec_time / nullif(calls, 0))::numeric, 3), toplevel,
		regexp_replace(left(query, 100), '\s+', ' ', 'g')
		FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT ${PROFILE_TOP:-25}"
	echo "legs: $(pg_sql -c "SELECT count(*) FROM legs") rows; the matcher's lookup of a call's legs:"
	_cid=$(pg_sql -c "SELECT max(call_id) FROM legs")
	pg_sql -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT * FROM legs WHERE call_id = $_cid AND id <> 0"
fi
sleep 1
kill -TERM "$SSE_PID"
wait "$SSE_PID"
SSE_SUM=$(tail -n 1 "$D/sse.err")
PIDS=$(echo "$PIDS" | sed "s/^$SSE_PID //")
echo
echo "== summary ($(($(date +%s) - T0)) s; load average before $LOAD_BEFORE, after $(loadavg))"
echo "InitialDP -> callee's card (ms; A from the SCP's trigger stamp, B from the schedule; target p99 <= 20 at 500/s):"
awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	printf "  %4s calls/s: B p50 %8s p99 %9s max %9s | A p50 %8s p99 %9s | %s calls, %s sessions at the end" \
		" (depth %s), %s popup cards\n", v["rate"], v["b_p50"], v["b_p99"], v["b_max"], v["a_p50"], v["a_p99"],
		v["calls"], v["made"], v["depth"], v["popup"] }' "$D/results"
echo "session setups/s ($SETUP_MODE, $CALLS_SETUP calls, batch $SCP_BATCH): $SETUPS; pgbench single-row inserts/s:" \
	"$PGB1 (1 connection), $PGBN ($PGBENCH_CLIENTS); ratio $RATIO, $RATION (target >= 0.3)"
echo "idle chain, one event per POST: $(sed -n 's/^ *POST -> 200 (ingest transaction) *//p' "$D/probe"); 200 -> card:" \
	"$(sed -n 's/^ *200 -> callee card *//p' "$D/probe")"
echo "SSE: $STREAMS streams, tandem-server $RSSPER bytes per idle stream; $SSE_SUM"
