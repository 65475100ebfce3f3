#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# GET /v1/events against the real daemon and PostgreSQL: events arrive in order with their ids; a client
# that resumes with Last-Event-ID (header or query) gets exactly what it missed; beyond the retention, or with
# an id never issued, it is told to resync; idle streams get heartbeats; a device sees nothing of another
# device's events; credentials, roles and the coupled address of an IP-coupled device are enforced (with
# X-Forwarded-For believed only from a trusted proxy). Prints a transcript that tests/server_push.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
. "$abs_top_srcdir/tests/server_push_lib.sh"
# heartbeats, the poll and the retention job every second; 5 events kept per device
srv_setup " trusted-proxy 127.0.0.2" " outbox max-events 5" " timer server X10 1" " timer server X11 1" \
	" timer server X13 1" || exit 1
trap 'sse_cleanup; harness_cleanup' EXIT

req POST /v1/subscribers '{"tdn":"+4930100"}' >/dev/null
req POST /v1/subscribers '{"tdn":"+4930200"}' >/dev/null
req POST /v1/devices '{"tdn":"+4930100","kind":"pc"}' >/dev/null
D1=$(json_get token)
req POST /v1/devices '{"tdn":"+4930200","kind":"pc"}' >/dev/null
D2=$(json_get token)
req POST /v1/devices '{"tdn":"+4930100","kind":"browser"}' >/dev/null
D3=$(json_get token)
req POST /v1/api-keys '{"role":"engineer"}' >/dev/null
ENG=$(json_get key)

echo "# a notice from an engineer (the engineers' way to put an event into a device's outbox)"
req POST /v1/devices/1/events '{"text":"before anyone listens"}' "$ENG"
req POST /v1/devices/99/events '{"text":"x"}' "$ENG"
req POST /v1/devices/1/events '{}' "$ENG"
req POST /v1/devices/1/events '{"text":"x"}' "$D1"

echo "# a new stream starts at the device's newest event: only what comes after it"
sse_open a "$D1"
sse_open other "$D2"
for i in 1 2 3 4 5; do
	notice 1 "live $i"
done
sse_wait a '"live 5"'
sse_show a
echo "# heartbeats on the idle stream of the other device, and none of device 1's events"
sse_wait other '^: heartbeat$' && echo "heartbeat seen"
sse_close a
sse_close other
sse_show other

echo "# missed while away: resume after id 4 (header), then after id 6 (query parameter)"
notice 1 "missed 1"
notice 1 "missed 2"
sse_get "$D1" -H "Last-Event-ID: 4"
curl -s -N -m 1 -H "Authorization: Bearer $D1" "$URL/v1/events?last_event_id=6" | sse_fmt
echo "# the header wins over the query parameter"
curl -s -N -m 1 -H "Authorization: Bearer $D1" -H "Last-Event-ID: 7" "$URL/v1/events?last_event_id=2" | sse_fmt
echo "# another device of the same subscriber has its own outbox"
sse_get "$D3" -H "Last-Event-ID: 0"

echo "# retention: 5 events kept per device; a client from before them is told to resync"
_i=0
while [ "$(pg_sql -c 'SELECT seq FROM outbox_pruned WHERE device_id = 1')" != 3 ] && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
KEPT=$(pg_sql -c 'SELECT string_agg(seq::text, $$,$$ ORDER BY seq) FROM outbox WHERE device_id = 1')
echo "device 1 events kept: $KEPT, pruned up to $(pg_sql -c 'SELECT seq FROM outbox_pruned WHERE device_id = 1')"
sse_get "$D1" -H "Last-Event-ID: 2"
echo "# from the horizon itself nothing was lost"
sse_get "$D1" -H "Last-Event-ID: 3"
echo "# an id this database never issued"
sse_get "$D1" -H "Last-Event-ID: 999999"

echo "# refused"
req GET /v1/events "" ""
req GET /v1/events "" "tdd_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
req GET /v1/events "" "$(echo "$D1" | sed "s/A$/B/;t;s/.$/A/")"
req GET /v1/events "" "$ENG"
req GET "/v1/events?last_event_id=-1" "" "$D1"
req GET "/v1/events?last_event_id=1234567890123456789" "" "$D1"
req GET "/v1/events?since=1" "" "$D1"

echo "# an IP-coupled device only from its address; X-Forwarded-For only from the trusted proxy 127.0.0.2"
req POST /v1/devices '{"tdn":"+4930100","kind":"pc","ip":"192.0.2.0/24"}' >/dev/null
DIP=$(json_get token)
req POST /v1/devices '{"tdn":"+4930100","kind":"pc","ip":"127.0.0.1"}' >/dev/null
DLO=$(json_get token)
st()
{
	_k=$1
	shift
	curl -s -N -m 1 -o "$WORK/st.body" -w '%{http_code}' -H "Authorization: Bearer $_k" "$@" "$URL/v1/events"
	printf ' %s\n' "$(head -c 300 "$WORK/st.body" | tr '\n' ' ')"
}
echo "192.0.2.0/24 device from 127.0.0.1: $(st "$DIP")"
echo "192.0.2.0/24 device from 127.0.0.1 claiming X-Forwarded-For 192.0.2.7:" \
	"$(st "$DIP" -H 'X-Forwarded-For: 192.0.2.7')"
echo "192.0.2.0/24 device via proxy 127.0.0.2 for 192.0.2.7:" \
	"$(st "$DIP" --interface 127.0.0.2 -H 'X-Forwarded-For: 192.0.2.7')"
echo "192.0.2.0/24 device via proxy 127.0.0.2 for 198.51.100.1:" \
	"$(st "$DIP" --interface 127.0.0.2 -H 'X-Forwarded-For: 198.51.100.1')"
echo "127.0.0.1 device from 127.0.0.1: $(st "$DLO")"
echo "127.0.0.1 device from 127.0.0.2: $(st "$DLO" --interface 127.0.0.2)"

echo "# a deleted device's open stream ends"
sse_open del "$D3"
req DELETE /v1/devices/3 >/dev/null
echo "DELETE /v1/devices/3 -> $CODE"
_pid=$SSE_PID_del
_i=0
while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 150 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
kill -0 "$_pid" 2>/dev/null && echo "stream still open" || echo "stream ended"
sse_close del

echo "audit rows device.notice: $(pg_sql -c "SELECT count(*) FROM audit_log WHERE action = 'device.notice'")"
srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
