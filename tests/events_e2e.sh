#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Call events end to end with the real daemons: PostgreSQL + tandem-server + osmo-stp + tandem-scp, calls placed
# by tandem-ssp. Each call's trigger, answer and end reach the database exactly once; with the server stopped
# the calls are still answered and the events wait in the spool; when it is back they arrive exactly once; an
# SCP killed (SIGKILL) with a non-empty spool replays it after its restart; a backlog goes out over two POSTs
# at once, the events of one call never in two of them; a batch the server refuses (413) goes again one event
# at a time. Prints a transcript
# (tests/events_e2e.ok).
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
. "$abs_top_srcdir/tests/stp-harness.sh"
B=$abs_top_builddir

if ! "$B/tools/tandem-ssp" --help 2>&1 | grep -q ' call '; then
	echo "tandem-ssp has no call mode yet" >&2
	exit 77
fi

SCP_PID=
stp_cleanup_hook()
{
	if [ -n "$SCP_PID" ]; then
		kill -KILL "$SCP_PID" 2>/dev/null
		wait "$SCP_PID" 2>/dev/null
	fi
	SCP_PID=
}

srv_setup || exit 1
export PGTZ=UTC
stp_start asp-scp:0.23.1:0.23.2 asp-ssp:0.23.2:0.23.1 || exit $?
# both harnesses set an EXIT trap: run both cleanups
trap 'stp_harness_cleanup; harness_cleanup' EXIT
D=$STP_DIR
. "$abs_top_srcdir/tests/scp_lib.sh"

req POST /v1/api-keys '{"role":"scp","label":"e2e"}' >/dev/null
SCP_KEY=$(json_get key)

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
 instance-id scp-e2e
 spool-path $D/events.spool
 fsync-interval 20
 api-key $SCP_KEY
 default-url $URL/v1/call-events
 timer X100 100
 timer X101 400
EOF
ssp_config "$D/ssp.cfg" </dev/null

depth()
{
	scp_vty "show notifier" | sed -n 's/.* depth \([0-9]*\),.*/\1/p'
}

# call N: a monitored CAP v2 originating call (trigger, answer, end); prints its exit status
call()
{
	"$B/tools/tandem-ssp" -c "$D/ssp.cfg" call --protocol cap2 --direction orig --calling "+1201555$1" \
		--called 2015550199 --service-key 100 --answer-after 0.1 --hold 0.1 >"$D/ssp.out" 2>"$D/ssp.err"
	echo "call $1: exit $?"
}

# wait_events N: up to 20 s until the database holds N call events
wait_events()
{
	_i=0
	while [ $_i -lt 200 ]; do
		[ "$(pg_sql -c "SELECT count(*) FROM call_events")" -ge "$1" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# wait_depth N: up to 20 s until the SCP's spool depth is N
wait_depth()
{
	_i=0
	while [ $_i -lt 100 ]; do
		[ "$(depth)" = "$1" ] && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

report()
{
	wait_events "$1" || echo "only $(pg_sql -c "SELECT count(*) FROM call_events") of $1 events arrived"
	sleep 0.5
	pg_sql -c "SELECT 'events ' || count(*) || ', distinct ids ' || count(DISTINCT (instance, seq)) ||
		', triggers ' || count(*) FILTER (WHERE type = 'trigger') ||
		', answers ' || count(*) FILTER (WHERE type = 'answer') ||
		', ends ' || count(*) FILTER (WHERE type = 'end') FROM call_events"
	pg_sql -c "SELECT 'legs ' || count(*) || ', ended ' || count(*) FILTER (WHERE state = 'ended') ||
		', with 3 events ' || count(*) FILTER (WHERE (SELECT count(*) FROM call_events e
			WHERE e.instance = l.scp_instance AND e.call = l.scp_call) = 3) FROM legs l"
	wait_depth 0 && echo "spool depth 0" || echo "spool depth $(depth)"
}

scp_start "$D/scp.cfg" "$D/scp.log" || exit 1
# the ASP comes up asynchronously: the first call waits for the link
echo "# three calls with the server up"
for n in 01 02 03; do call $n; done
report 9

echo "# the server stopped while calls flow: every call still answered, events spooled"
srv_stop "$SRV_PID"
for n in 04 05; do call $n; done
d=$(depth)
[ "$d" -ge 6 ] && echo "spooled while the server is down: at least 6" || echo "spool depth only $d"
echo "# the server back: every event arrives exactly once"
srv_start "$WORK/srv.cfg" "$WORK/srv2.log"
srv_wait_ready "$HTTP_PORT" || exit 1
report 15

echo "# SCP killed (SIGKILL) with a non-empty spool: replayed exactly once after its restart"
srv_stop "$SRV_PID"
call 06
d=$(depth)
echo "spool depth before the kill: $d"
kill -KILL "$SCP_PID"
wait "$SCP_PID" 2>/dev/null
SCP_PID=
scp_start "$D/scp.cfg" "$D/scp.log" || exit 1
srv_start "$WORK/srv.cfg" "$WORK/srv3.log"
srv_wait_ready "$HTTP_PORT" || exit 1
report 18

echo "# SIGTERM with a non-empty spool, then restart"
srv_stop "$SRV_PID"
call 07
kill -TERM "$SCP_PID"
wait "$SCP_PID"
echo "tandem-scp exit: $?"
SCP_PID=
scp_start "$D/scp.cfg" "$D/scp.log" || exit 1
srv_start "$WORK/srv.cfg" "$WORK/srv4.log"
srv_wait_ready "$HTTP_PORT" || exit 1
report 21
scp_vty "show notifier" | sed -n 's/^ http:[^ ]*: \([a-z]*\), pending \([0-9]*\),.*/destination: \1, pending \2/p'

echo "# a backlog goes out over two POSTs at once (posts-in-flight 2), the events of a call never in two at once"
# the server stopped: the POSTs in flight time out after 1 s (X102) and go again; 240 unmonitored calls (one
# event each, no two of one call) fill two POSTs (100 events or 48 KiB each) while 60 monitored calls add their three events each
kill -STOP "$SRV_PID"
scp_vty "enable" "configure terminal" "notifier" "timer X102 1000" "end" >/dev/null
for sc in "trigger 240 101 2" "monitor 60 100 3"; do
	set -- $sc
	"$B/tools/tandem-ssp" -c "$D/ssp.cfg" load --quiet --protocol cap2 --scenario "$1" --rate "$2" --duration 1 \
		--service-key "$3" --answer-after 0.05 --hold 0.05 --calling-range "+1201557${4}000-+1201557${4}999" \
		--called-range +12015550199-+12015550199 --json "$D/load.json" >/dev/null 2>"$D/load.err"
	jq -r '"load: \(.started) calls, answered \(.answered), failed \(.failed)"' "$D/load.json" ||
		cat "$D/load.err"
done
_i=0
while [ $_i -lt 50 ] && ! scp_vty "show notifier" | grep -q ' in 2 POSTs,'; do
	sleep 0.2
	_i=$((_i + 1))
done
[ $_i -lt 50 ] && echo "seen: two POSTs in flight at once" || scp_vty "show notifier"
kill -CONT "$SRV_PID"
scp_vty "enable" "configure terminal" "notifier" "timer X102 5000" "end" >/dev/null
report 441
pg_sql -c "SELECT 'events of one call stored before an earlier one of it: ' || count(*) FROM call_events a
	JOIN call_events b ON b.instance = a.instance AND b.call = a.call AND b.seq > a.seq
	WHERE b.received_at < a.received_at"

echo "# the server refuses a batch (413: its JSON body limit lowered to 4 KiB): the SCP sends it one event at a time"
srv_vty()
{
	python3 "$abs_top_srcdir/tests/osmo_vty.py" vty 127.0.0.1 "$VTY_PORT" "enable" "configure terminal" "server" \
		"$1" "end" >/dev/null
}
srv_vty "body-limit json 4096"
kill -STOP "$SRV_PID"
"$B/tools/tandem-ssp" -c "$D/ssp.cfg" load --quiet --protocol cap2 --scenario trigger --rate 60 --duration 1 \
	--service-key 101 --calling-range +12015574000-+12015574999 --called-range +12015550199-+12015550199 \
	--json "$D/load.json" >/dev/null 2>"$D/load.err"
jq -r '"load: \(.started) calls, answered \(.answered), failed \(.failed)"' "$D/load.json" || cat "$D/load.err"
kill -CONT "$SRV_PID"
report 501
grep -q 'refused a batch of [0-9]* (413' "$D/scp.log" && echo "the SCP was refused a batch and went one by one"
scp_vty "show rate-counters" | sed -n 's/.*\(events:rejected\|the server refused (4xx): deleted\): *\([0-9]*\).*/rejected events: \2/p' |
	head -n 1
srv_vty "body-limit json 65536"

echo "# the notifier node as write terminal gives it back (defaults left out), and bad values refused"
scp_vty "enable" "configure terminal" "notifier" "instance-id bad/name" "default-url ftp://x" "route calling 12a http://x" \
	"spool-max-bytes 100" "route called +4930 http://127.0.0.1:1/v1/call-events" "no route calling +1" "end" \
	"show running-config" | sed -n '/^%/p; /^notifier$/,/^[^ ]/p' | sed '/^[a-z]/{/^notifier$/!d}' |
	sed -e "s|$D|DIR|" -e "s|$SCP_KEY|KEY|" -e "s|$URL|URL|"
