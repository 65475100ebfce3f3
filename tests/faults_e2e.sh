#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Faults across the whole chain, with the real daemons: PostgreSQL + tandem-server + osmo-stp + tandem-scp,
# calls placed at a steady rate by tandem-ssp load, a tandem-client holding the called party's event stream.
# Whatever happens behind the SCP (tandem-server hung by SIGSTOP, killed by SIGKILL and restarted, PostgreSQL
# restarted), every call is still answered within the switch's 500 ms timeout, and once all is back every
# call event is in the database exactly once and the client has printed every call's events exactly once,
# in order. Prints a transcript (tests/faults_e2e.ok).
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
. "$abs_top_srcdir/tests/stp-harness.sh"
B=$abs_top_builddir

PIDS=
SCP_PID=
stp_cleanup_hook()
{
	for _p in $PIDS $SCP_PID; do
		kill -KILL "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	PIDS=
	SCP_PID=
}

srv_setup || exit 1
export PGTZ=UTC
stp_start asp-scp:0.23.1:0.23.2 asp-ssp:0.23.2:0.23.1 || exit $?
trap 'stp_harness_cleanup; harness_cleanup' EXIT
D=$STP_DIR
. "$abs_top_srcdir/tests/scp_lib.sh"
CALLED=+12015550199

req POST /v1/api-keys '{"role":"scp","label":"faults"}' >/dev/null
SCP_KEY=$(json_get key)
req POST /v1/subscribers "{\"tdn\":\"$CALLED\"}" >/dev/null
req POST /v1/devices "{\"tdn\":\"$CALLED\",\"kind\":\"pc\"}" >/dev/null
DEV=$(json_get id)
TOKEN=$(json_get token)
req POST /v1/couplings "{\"tdn\":\"$CALLED\",\"device_id\":$DEV}" >/dev/null
[ "$CODE" = 201 ] || { echo "coupling: $CODE $RESP"; exit 1; }

scp_config "$D/scp.cfg" <<EOF
scp
 country-code 1
 national-prefix 1
 international-prefix 011
 national-length 10
 ssn 146 cap
 service-key 100 continue monitor
notifier
 instance-id scp-faults
 spool-path $D/events.spool
 fsync-interval 20
 api-key $SCP_KEY
 default-url $URL/v1/call-events
 timer X100 100
 timer X101 400
EOF
ssp_config "$D/ssp.cfg" </dev/null

scp_start "$D/scp.cfg" "$D/scp.log" || exit 1

# The called party's PC: its events as JSON lines, from its first event on (state file at id 0).
echo 0 >"$D/client.state"
"$B/tools/tandem-client" --server "$URL" --token "$TOKEN" --state "$D/client.state" --format json \
	--max-backoff 1 listen >"$D/client.jsonl" 2>"$D/client.err" &
PIDS="$PIDS $!"

depth()
{
	scp_vty "show notifier" | sed -n 's/.* depth \([0-9]*\),.*/\1/p'
}

# load FIRST: 40 monitored CAP v2 calls (20 calls/s for 2 s) from distinct calling numbers starting at FIRST
# to the coupled TDN; the switch gives the SCP 500 ms for every answer. Prints the outcome. (CALLS counts
# the calls placed; load may run in a subshell, so the caller adds them.)
CALLS=0
load()
{
	"$B/tools/tandem-ssp" -c "$D/ssp.cfg" load --protocol cap2 --scenario monitor --rate 20 --duration 2 \
		--answer-after 0.2 --hold 0.2 --timeout 0.5 --calling-range "+1201556$1-12015569999" \
		--called-range "$CALLED-${CALLED#+}" --quiet --json "$D/load.json" >"$D/load.out" 2>"$D/load.err"
	_rc=$?
	jq -r --arg rc "$_rc" '"calls \(.started), answered \(.answered), failed \(.failed) (timeouts " +
		"\(.failures.timeout)), exit \($rc)"' "$D/load.json" 2>/dev/null ||
		{ echo "load: no summary, exit $_rc"; cat "$D/load.err"; }
}

# wait_until N SQL: up to 30 s until the query prints N
wait_until()
{
	_i=0
	while [ $_i -lt 300 ]; do
		[ "$(pg_sql -c "$2" 2>/dev/null)" = "$1" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# Every call's trigger, answer and end in the database exactly once, every call's call.incoming, answer
# and end at the client exactly once and in order.
report()
{
	_ev=$((CALLS * 3))
	wait_until "$_ev" "SELECT count(*) FROM call_events" ||
		echo "only $(pg_sql -c "SELECT count(*) FROM call_events") of $_ev call events arrived"
	pg_sql -c "SELECT 'call events ' || count(*) || ', distinct ids ' || count(DISTINCT (instance, seq)) ||
		', calls ' || count(DISTINCT call) FROM call_events"
	pg_sql -c "SELECT 'sessions ' || count(*) || ', ended ' || count(*) FILTER (WHERE ended_at IS NOT NULL)
		FROM sessions"
	_i=0
	while [ $_i -lt 300 ] && [ "$(grep -c '"event":"call.ended"' "$D/client.jsonl")" -lt "$CALLS" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	jq -rs '"client: events \(length), distinct ids \(map(.id) | unique | length), in order " +
		"\(. == sort_by(.id)), call.incoming \(map(select(.event == "call.incoming")) | length), " +
		"call.answered \(map(select(.event == "call.answered")) | length), " +
		"call.ended \(map(select(.event == "call.ended")) | length)"' "$D/client.jsonl"
	_i=0
	while [ $_i -lt 100 ] && [ "$(depth)" != 0 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "spool depth $(depth)"
}

echo "# all up"
CALLS=$((CALLS + 40))
load 0000
report

echo "# tandem-server hung (SIGSTOP) while calls flow: every call answered in time, events spooled"
kill -STOP "$SRV_PID"
CALLS=$((CALLS + 40))
load 1000
[ "$(depth)" -gt 0 ] && echo "events waiting in the spool" || echo "spool empty while the server is hung"
echo "# tandem-server resumed (SIGCONT)"
kill -CONT "$SRV_PID"
report

echo "# tandem-server killed (SIGKILL) in the middle of the calls and started again"
CALLS=$((CALLS + 40))
load 2000 &
LOAD_PID=$!
sleep 1
kill -KILL "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
SRV_PIDS=$(echo "$SRV_PIDS" | sed "s/ $SRV_PID\b//")
wait "$LOAD_PID"
srv_start "$WORK/srv.cfg" "$WORK/srv2.log"
srv_wait_ready "$HTTP_PORT" || { cat "$WORK/srv2.log"; exit 1; }
report

echo "# PostgreSQL restarted in the middle of the calls"
CALLS=$((CALLS + 40))
load 3000 &
LOAD_PID=$!
sleep 0.7
pg_restart || exit 1
wait "$LOAD_PID"
report
grep -c 'reconnecting' "$D/client.err" >/dev/null && echo "client reconnected after the server's restart"
