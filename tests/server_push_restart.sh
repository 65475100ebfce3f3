#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Push across instances and through failures. Two tandem-server instances share one database: events are
# written through instance A, a tandem-client listens on instance B. B's poll is set to an hour, so what
# arrives came by A's NOTIFY on B's LISTEN connection (or by B's own look at the outbox after that connection
# was re-made). While a writer keeps adding events through A: B's LISTEN connection is killed, B is
# restarted under the connected client, PostgreSQL is restarted under both, and the client itself is killed
# and started again from its --state file. In the end the client must have printed every event of the
# device's outbox exactly once, in order. Prints a transcript that tests/server_push_restart.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
. "$abs_top_srcdir/tests/server_push_lib.sh"
CLIENT="$abs_top_builddir/tools/tandem-client"
srv_setup || exit 1
A_PID=$SRV_PID
A_URL=$URL
printf ' timer server X11 3600\n' >"$WORK/b.extra"
srv_config "$WORK/b.cfg" <"$WORK/b.extra" || exit 1
[ "$URL" != "$A_URL" ] || exit 1
B_URL=$URL
B_PORT=$HTTP_PORT
srv_start "$WORK/b.cfg" "$WORK/b.log"
B_PID=$SRV_PID
srv_wait_ready "$B_PORT" || { cat "$WORK/b.log" >&2; exit 1; }
URL=$A_URL
CL_PID=
WR_PID=
trap '[ -n "$CL_PID" ] && kill $CL_PID 2>/dev/null; [ -n "$WR_PID" ] && kill $WR_PID 2>/dev/null; harness_cleanup' EXIT

req POST /v1/subscribers '{"tdn":"+4930100"}' >/dev/null
req POST /v1/devices '{"tdn":"+4930100","kind":"pc"}' >/dev/null
TOKEN=$(json_get token)

client_start()
{
	TANDEM_TOKEN=$TOKEN "$CLIENT" --server "$B_URL" --state "$WORK/client.state" --max-backoff 1 listen \
		>>"$WORK/client.out" 2>>"$WORK/client.err" &
	CL_PID=$!
}

# wait_for TEXT: until the client printed the notice TEXT (15 s at most)
wait_for()
{
	_i=0
	while [ $_i -lt 150 ]; do
		grep -q "\"text\":\"$1\"" "$WORK/client.out" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "client never printed $1" >&2
	return 1
}

# The writer: N events through A, each retried until A accepted it (while the database is away A answers 503).
writer()
{
	_w=1
	while [ $_w -le "$1" ]; do
		_c=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $ADMIN" \
			-H 'Content-Type: application/json' --data-binary "{\"text\":\"w$_w\"}" \
			"$A_URL/v1/devices/1/events")
		if [ "$_c" = 201 ]; then
			_w=$((_w + 1))
			sleep 0.05
		else
			sleep 0.1
		fi
	done
}

: >"$WORK/client.out"
client_start
_i=0
while [ ! -s "$WORK/client.state" ] && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
echo "client connected to B, position $(cat "$WORK/client.state")"

echo "# one event written through A reaches the client on B, within 2 s, without B's poll"
notice 1 first
_t0=$(date +%s%N)
wait_for first
_ms=$(( ($(date +%s%N) - _t0) / 1000000 ))
echo "first event on B: $([ $_ms -lt 2000 ] && echo 'under 2 s' || echo "$_ms ms")"
echo "first event took $_ms ms" >&2

writer 120 &
WR_PID=$!

wait_for w10 && echo "# the LISTEN connections killed: $(pg_sql -c "SELECT count(pg_terminate_backend(pid))
	FROM pg_stat_activity WHERE application_name = 'tandem-server listen'")"
wait_for w25 && echo "# B restarted under the connected client"
srv_stop "$B_PID" || echo "B did not stop cleanly"
sleep 0.5
srv_start "$WORK/b.cfg" "$WORK/b2.log"
B_PID=$SRV_PID
wait_for w50 && echo "# PostgreSQL restarted under both instances"
pg_restart || echo "PostgreSQL did not restart"
wait_for w75 && echo "# the client killed and started again from its state file"
kill "$CL_PID"
wait "$CL_PID"
echo "client exit status $?"
client_start
wait "$WR_PID"
WR_PID=
echo "writer done: 120 events accepted by A"
wait_for w120 && echo "client printed the last one"
kill "$CL_PID"
wait "$CL_PID"
CL_PID=

pg_sql -c 'SELECT seq FROM outbox WHERE device_id = 1 ORDER BY seq' >"$WORK/outbox.ids"
sed -n 's/^{"id":\([0-9]*\),.*/\1/p' "$WORK/client.out" >"$WORK/client.ids"
echo "outbox rows of the device: $(wc -l <"$WORK/outbox.ids")"
echo "events printed by the client: $(wc -l <"$WORK/client.ids")," \
	"duplicates: $(sort "$WORK/client.ids" | uniq -d | wc -l)"
if cmp -s "$WORK/outbox.ids" "$WORK/client.ids"; then
	echo "the client printed exactly the outbox, in order"
else
	echo "the client's events differ from the outbox:"
	diff "$WORK/outbox.ids" "$WORK/client.ids" | head -20
fi
EV='^{"id":[0-9]*,"event":"notice","data":{"text":"[a-z0-9]*"}}$'
echo "lines that are not events: $(grep -vc "$EV" "$WORK/client.out")"
echo "client resumed after a break: $(grep -q "resuming after id" "$WORK/client.err" && echo yes || echo no)"
echo "B saw its LISTEN connection fail: $(grep -c 'LISTEN connection' "$WORK/b.log" | sed 's/^[1-9][0-9]*$/yes/')"
srv_stop "$B_PID" && echo "B stopped cleanly"
srv_stop "$A_PID" && echo "A stopped cleanly"
