#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Phone-app legs (POST /v1/calls) against the real daemon and PostgreSQL: every bad input; the leg's state
# machine (forward only, a repeated report changes nothing, a ref reported with other parties refused); an app
# leg alone makes no session, even when its peer is coupled; the network leg and the app leg of one call make
# one session in either order; two app legs make a phone-to-phone session; a withheld
# caller reported by the app and by the network; a conference of three (the third party's PC joins with the
# cards of both others, they get its card only); then the daemon restarted with a short session-linger and
# session-max-age closes the ended and the forgotten sessions with session.closed events, counted in `show
# server`. Prints a transcript that tests/server_calls.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
. "$abs_top_srcdir/tests/server_push_lib.sh"
. "$abs_top_srcdir/tests/server_calls_lib.sh"
srv_setup || exit 1
trap 'sse_cleanup; harness_cleanup' EXIT

req POST /v1/api-keys '{"role":"scp","label":"scp-a"}' >/dev/null
SCP=$(json_get key)
for t in +4930100 +4917100 +4917200 +4930300 +4917900; do
	req POST /v1/subscribers "{\"tdn\":\"$t\"}" >/dev/null
done
# device 1: A's PC beside the POTS line +4930100; 2, 3: the phone apps of M and N; 4: C's PC; 5: X's phone
for d in '+4930100 pc' '+4917100 phone' '+4917200 phone' '+4930300 pc' '+4917900 phone'; do
	req POST /v1/devices "{\"tdn\":\"${d% *}\",\"kind\":\"${d#* }\"}" >/dev/null
	eval "T$(json_get id)=$(json_get token)"
	req POST /v1/couplings "{\"tdn\":\"${d% *}\",\"device_id\":$(json_get id)}" >/dev/null
done
A=$T1 M=$T2 N=$T3 C=$T4 X=$T5
for p in "$A Alice" "$M Mo" "$N Nina" "$C Carl"; do
	req PUT /v1/me/profile/name "{\"value\":\"${p#* }\"}" "${p% *}" >/dev/null
	req PUT /v1/me/default-audience '{"fields":["name"]}' "${p% *}" >/dev/null
done

echo "# bad inputs"
good='"tdn":"+4917100","peer":"+4930100","direction":"orig","state":"started"'
for b in '{}' '[]' '{' "{$good}" "{$good,\"ref\":\"r\",\"x\":1}" \
	'{"tdn":"4917100","peer":"+4930100","direction":"orig","state":"started","ref":"r"}' \
	'{"tdn":"+4917100","peer":"+0930100","direction":"orig","state":"started","ref":"r"}' \
	'{"tdn":"+4917100","peer":"anonymous","direction":"term","state":"started","ref":"r"}' \
	'{"tdn":"+4917100","peer":"withheld","direction":"orig","state":"started","ref":"r"}' \
	'{"tdn":"+4917100","peer":"+4917100","direction":"orig","state":"started","ref":"r"}' \
	'{"tdn":"+4917100","peer":"+4930100","direction":"out","state":"started","ref":"r"}' \
	'{"tdn":"+4917100","peer":"+4930100","direction":"orig","state":"ringing","ref":"r"}' \
	'{"tdn":"+4917100","peer":"+4930100","direction":"orig","state":"started","ref":"a b"}' \
	'{"tdn":"+4917100","peer":"+4930100","direction":"orig","state":"started","ref":""}' \
	"{$good,\"ref\":\"$(printf '%065d' 0)\"}" \
	"{$good,\"ref\":\"r\",\"time\":\"2026-02-30T10:00:00Z\"}" \
	"{$good,\"ref\":\"r\",\"time\":\"2026-01-02T24:00:00Z\"}" \
	"{$good,\"ref\":\"r\",\"time\":\"2026-01-02 10:00:00Z\"}" \
	"{$good,\"ref\":\"r\",\"time\":\"2026-01-02T10:00:00+1:00\"}" \
	"{$good,\"ref\":\"r\",\"time\":\"2026-01-02t10:00:00z\"}" \
	"{$good,\"ref\":\"r\",\"time\":\"2026-01-02T10:00:00.1234567890Z\"}" \
	"{$good,\"ref\":\"r\",\"time\":1}" \
	"{$good,\"ref\":\"r\",\"reason\":\"busy\"}" \
	"{$good,\"ref\":\"r\",\"conference\":0}" \
	"{$good,\"ref\":\"r\",\"conference\":\"1\"}" \
	"{$good,\"ref\":\"r\",\"tdn\":\"+4917100\"}" \
	'{"tdn":"+4917900","peer":"+4930100","direction":"orig","state":"started","ref":"r"}' \
	"{$good,\"ref\":\"r\",\"conference\":999}"; do
	app "$M" "$b" >/dev/null
	echo "  $b -> $(short)"
done
app "$ADMIN" "{$good,\"ref\":\"r\"}" >/dev/null
echo "  admin key -> $(short)"
app "" "{$good,\"ref\":\"r\"}" >/dev/null
echo "  no credentials -> $(short)"
req POST /v1/calls "{$good,\"ref\":\"r\"}" "$M" text/plain >/dev/null
echo "  text/plain -> $(short)"
echo "nothing stored: $(pg_sql -c 'SELECT count(*) FROM legs')"

open_stream a "$A" 1
open_stream m "$M" 2
open_stream n "$N" 3
open_stream c "$C" 4
open_stream x "$X" 5
for s in a m n c x; do
	news $s >/dev/null
done

echo "# the state machine: M calls a number nobody couples; no session"
r='"tdn":"+4917100","peer":"+4930999","direction":"orig","ref":"m-1","time":"2026-01-02T03:04:00Z"'
app "$M" "{$r,\"state\":\"started\"}"
app "$M" "{$r,\"state\":\"started\"}"
app "$M" "{$r,\"state\":\"answered\"}"
app "$M" "{$r,\"state\":\"started\"}"
app "$M" "{$r,\"state\":\"ended\",\"reason\":\"hangup\"}"
app "$M" "{$r,\"state\":\"answered\"}"
app "$M" "{$r,\"state\":\"ended\",\"reason\":\"other\"}"
app "$M" '{"tdn":"+4917100","peer":"+4930998","direction":"orig","ref":"m-1","state":"ended"}' >/dev/null
echo "  same ref, other peer -> $(short)"
app "$M" '{"tdn":"+4917100","peer":"+4930999","direction":"term","ref":"m-1","state":"ended"}' >/dev/null
echo "  same ref, other direction -> $(short)"
app "$N" "{$r,\"state\":\"started\"}" >/dev/null
echo "  the same report from a device not coupled to that TDN -> $(short)"
pg_sql -c "SELECT id, source, device_id, app_ref, direction, calling_tdn, called_tdn, state, started_at,
	answered_at, ended_at, end_reason, call_id FROM legs"

echo "# call 1: M's phone calls A (POTS + PC): the app leg alone makes no session (nobody is rung on a phone's word);"
echo "# the network's term leg of the same call makes it and takes the app leg in, A's PC gets M's card; the"
echo "# answer comes from the network, the end from the app"
call='"tdn":"+4917100","peer":"+4930100","direction":"orig","ref":"m-2"'
app "$M" "{$call,\"state\":\"started\",\"time\":\"2026-01-02T03:10:00Z\"}"
sync_streams
echo "A's PC:"
news a
echo "M's phone:"
news m
scp_post "$(ev scp-a 1 trigger k1 term +4917100 +4930100 false 10:01)"
scp_post "$(ev scp-a 2 answer k1 term +4917100 +4930100 false 10:05)"
app "$M" "{$call,\"state\":\"ended\",\"time\":\"2026-01-02T03:10:20Z\",\"reason\":\"hangup\"}"
scp_post "$(ev scp-a 3 end k1 term +4917100 +4930100 false 10:21)"
sync_streams
echo "A's PC:"
news a
echo "M's phone:"
news m
pg_sql -c "SELECT id, source, direction, state, call_id FROM legs WHERE app_ref = 'm-2' OR scp_call = 'k1' ORDER BY id"
pg_sql -c "SELECT id, call_id, state, calling_tdn, called_tdn, end_reason FROM sessions"

echo "# call 2: the same parties, the network leg first, then the app leg: still one session"
call='"tdn":"+4917100","peer":"+4930100","direction":"orig","ref":"m-3"'
scp_post "$(ev scp-a 4 trigger k2 term +4917100 +4930100 false 20:00)"
app "$M" "{$call,\"state\":\"started\",\"time\":\"2026-01-02T03:20:01Z\"}"
app "$M" "{$call,\"state\":\"answered\",\"time\":\"2026-01-02T03:20:02Z\"}"
scp_post "$(ev scp-a 5 end k2 term +4917100 +4930100 false 20:09)"
sync_streams
echo "A's PC:"
news a
echo "M's phone:"
news m
pg_sql -c "SELECT id, source, direction, state, call_id FROM legs WHERE app_ref = 'm-3' OR scp_call = 'k2' ORDER BY id"
pg_sql -c "SELECT id, call_id, state FROM sessions ORDER BY id"

echo "# call 3: M's phone calls N's phone: two app legs, one phone-to-phone session"
mc='"tdn":"+4917100","peer":"+4917200","direction":"orig","ref":"m-4"'
nc='"tdn":"+4917200","peer":"+4917100","direction":"term","ref":"n-1"'
app "$M" "{$mc,\"state\":\"started\",\"time\":\"2026-01-02T03:30:00Z\"}"
app "$N" "{$nc,\"state\":\"started\",\"time\":\"2026-01-02T03:30:01Z\"}"
app "$N" "{$nc,\"state\":\"answered\",\"time\":\"2026-01-02T03:30:02Z\"}"
app "$M" "{$mc,\"state\":\"answered\",\"time\":\"2026-01-02T03:30:02Z\"}"
app "$M" "{$mc,\"state\":\"ended\",\"time\":\"2026-01-02T03:30:09Z\"}"
sync_streams
echo "M's phone:"
news m
echo "N's phone:"
news n
pg_sql -c "SELECT l.app_ref, l.call_id, s.id, s.state FROM legs l JOIN sessions s USING (call_id)
	WHERE l.app_ref IN ('m-4', 'n-1') ORDER BY l.id"

echo "# call 4: a withheld caller calls N; N's phone reports it first (no number: nobody to tell yet), then the"
echo "# network leg (the digits, marked withheld) makes the session and takes the app leg in; N never sees the digits"
wh='"tdn":"+4917200","peer":"withheld","direction":"term","ref":"n-2"'
app "$N" "{$wh,\"state\":\"started\",\"time\":\"2026-01-02T03:40:00Z\"}"
scp_post "$(ev scp-a 6 trigger k4 orig +4917100 +4917200 true 40:00)"
app "$N" "{$wh,\"state\":\"ended\",\"time\":\"2026-01-02T03:40:09Z\"}"
sync_streams
echo "N's phone:"
news n
echo "M's phone:"
news m
grep '^data: ' "$WORK/n.sse" | grep '"session": 4[,}]' | grep -q 4917100 && echo "WITHHELD DIGITS SHOWN"
pg_sql -c "SELECT coalesce(app_ref, scp_call), calling_tdn, calling_withheld, state, call_id FROM legs
	WHERE app_ref = 'n-2' OR scp_call = 'k4' ORDER BY id"

echo "# call 5, a conference: M's phone calls A, answered; then M's phone adds C to that session"
call='"tdn":"+4917100","peer":"+4930100","direction":"orig","ref":"m-5"'
app "$M" "{$call,\"state\":\"started\",\"time\":\"2026-01-02T03:50:00Z\"}"
scp_post "$(ev scp-c 1 trigger k5 term +4917100 +4930100 false 50:00)" >/dev/null
app "$M" "{$call,\"state\":\"answered\",\"time\":\"2026-01-02T03:50:01Z\"}"
S=$(json_get session)
sync_streams
news a >/dev/null
news m >/dev/null
conf='"peer":"+4930300","direction":"orig","state":"started","time":"2026-01-02T03:50:05Z"'
app "$N" "{\"tdn\":\"+4917200\",$conf,\"ref\":\"n-3\",\"conference\":$S}" >/dev/null
echo "  N (not a member) adds C -> $(short)"
app "$M" "{\"tdn\":\"+4917100\",$conf,\"ref\":\"m-6\",\"conference\":1}" >/dev/null
echo "  to session 1 (call-ended) -> $(short)"
app "$M" "{\"tdn\":\"+4917100\",$conf,\"ref\":\"m-6\",\"conference\":$S}"
app "$M" "{\"tdn\":\"+4917100\",$conf,\"ref\":\"m-6\",\"conference\":$S}"
sync_streams
echo "C's PC:"
news c
echo "A's PC:"
news a
echo "M's phone:"
news m
pg_sql -c "SELECT device_id, tdn, role FROM session_members WHERE session_id = $S ORDER BY device_id"
pg_sql -c "SELECT count(*) FROM sessions"
echo "# a time with an offset and a fraction"
app "$M" '{"tdn":"+4917100","peer":"+4930999","direction":"orig","ref":"m-0","state":"started",
	"time":"2026-01-02T04:04:00.250+01:00"}'
pg_sql -c "SELECT started_at FROM legs WHERE app_ref = 'm-0'"
echo "X's phone and N's phone (in none of these):"
news x
news n

echo "# calls 6 to 15: Q's phone calls P's PC; the network leg and the app leg of each call are sent at the same"
echo "# moment (two requests in flight), alternately one or the other first: one session per call, both legs in it"
req POST /v1/subscribers '{"tdn":"+4930600"}' >/dev/null
req POST /v1/subscribers '{"tdn":"+4917300"}' >/dev/null
for d in '+4930600 pc' '+4917300 phone'; do
	req POST /v1/devices "{\"tdn\":\"${d% *}\",\"kind\":\"${d#* }\"}" >/dev/null
	eval "T$(json_get id)=$(json_get token)"
	req POST /v1/couplings "{\"tdn\":\"${d% *}\",\"device_id\":$(json_get id)}" >/dev/null
done
Q=$T7
i=10
while [ $i -lt 20 ]; do
	evj="{\"events\":[$(ev scp-a $((i + 100)) trigger r$i term +4917300 +4930600 false $i:00)]}"
	appj="{\"tdn\":\"+4917300\",\"peer\":\"+4930600\",\"direction\":\"orig\",\"state\":\"started\",\"ref\":\"q-$i\",
		\"time\":\"2026-01-02T03:$i:01Z\"}"
	if [ $((i % 2)) = 0 ]; then
		curl -s -m 10 -o /dev/null -H "Authorization: Bearer $SCP" -H 'Content-Type: application/json' \
			-d "$evj" "$URL/v1/call-events" &
		p1=$!
		curl -s -m 10 -o /dev/null -H "Authorization: Bearer $Q" -H 'Content-Type: application/json' \
			-d "$appj" "$URL/v1/calls" &
		p2=$!
	else
		curl -s -m 10 -o /dev/null -H "Authorization: Bearer $Q" -H 'Content-Type: application/json' \
			-d "$appj" "$URL/v1/calls" &
		p1=$!
		curl -s -m 10 -o /dev/null -H "Authorization: Bearer $SCP" -H 'Content-Type: application/json' \
			-d "$evj" "$URL/v1/call-events" &
		p2=$!
	fi
	# (not a bare wait: the event streams' curl processes are children too)
	wait $p1 $p2
	i=$((i + 1))
done
pg_sql -c "SELECT count(DISTINCT l.call_id), count(*) FILTER (WHERE l.call_id IS NULL), count(DISTINCT s.id),
	count(*) FROM legs l LEFT JOIN sessions s USING (call_id)
	WHERE l.app_ref LIKE 'q-%' OR l.scp_call LIKE 'r%'" | sed 's/^/calls|unmatched legs|sessions|legs: /'
pg_sql -c "SELECT count(*) FROM (SELECT call_id FROM legs WHERE app_ref LIKE 'q-%' OR scp_call LIKE 'r%'
	GROUP BY call_id HAVING count(*) = 2 AND bool_or(source = 'app') AND bool_or(source = 'network')) x" |
	sed 's/^/calls with one app and one network leg: /'

echo "# closing: the daemon again with session-linger 1, session-max-age 3, session-sweep-interval 1"
sse_cleanup
# where each stream stands: the new streams resume there, so no session.closed of an early sweep is missed
for d in 1 2 3 4; do
	eval "LAST_$d=$(pg_sql -c "SELECT coalesce(max(seq), 0) FROM outbox WHERE device_id = $d")"
done
srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
printf ' session-linger 1\n session-max-age 3\n session-sweep-interval 1\n' >"$WORK/srv2.extra"
srv_config "$WORK/srv2.cfg" <"$WORK/srv2.extra"
srv_start "$WORK/srv2.cfg" "$WORK/srv2.log"
srv_wait_ready "$HTTP_PORT" || { cat "$WORK/srv2.log" >&2; exit 1; }
python3 "$abs_top_srcdir/tests/server_vty.py" "$VTY_PORT" <<'CMDS' | sed -n '/^ session-/p'
enable
show running-config
CMDS
STREAMS=
SHOWN_a=0 SHOWN_m=0 SHOWN_n=0 SHOWN_c=0
open_stream a "$A" 1 "$LAST_1"
open_stream m "$M" 2 "$LAST_2"
open_stream n "$N" 3 "$LAST_3"
open_stream c "$C" 4 "$LAST_4"
_i=0
while [ "$(pg_sql -c "SELECT count(*) FROM sessions WHERE state <> 'closed'")" != 0 ] && [ $_i -lt 200 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
sync_streams
pg_sql -c "SELECT id, state, closed_at IS NOT NULL FROM sessions ORDER BY id"
# (the ids depend on whether one sweep or two closed them; the order per stream does not)
for s in a m n c; do
	echo "stream $s:"
	news $s | sed '/^  retry=/d; s/^  id=[0-9]* /  /'
done
python3 "$abs_top_srcdir/tests/server_vty.py" "$VTY_PORT" <<'CMDS' | sed -n '/^Sessions closed/p'
show server
CMDS
app "$M" "{\"tdn\":\"+4917100\",$conf,\"ref\":\"m-7\",\"conference\":$S}" >/dev/null
echo "  a conference on the closed session -> $(short)"
sse_cleanup
srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
