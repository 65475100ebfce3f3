#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Security of sessions, the relay and the call-event ingest against the real daemon and PostgreSQL:
# - a device of another TDN (E) sees nothing of A and B's session: none of its events on its stream, 403 on
#   POST /v1/sessions/{id}/messages, 403 on its relayed file and on A's photo, 403 on a conference into it;
# - a device coupled to 192.0.2.0/24 is refused (403 wrong_source_ip) on every device route of the route table
#   from 127.0.0.1, also when it claims an X-Forwarded-For of its prefix from a peer that is not a trusted
#   proxy; through the trusted proxy 127.0.0.2 for an address of its prefix it is served;
# - missing, malformed, unknown, wrong-secret, revoked and deleted credentials are refused with 401;
# - forged SCP events (an engineer key, an admin key, a device token on POST /v1/call-events) are refused with
#   403 and store nothing; a duplicated SCP event changes nothing and sends no event twice.
# Prints a transcript that tests/server_security.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
. "$abs_top_srcdir/tests/server_push_lib.sh"
. "$abs_top_srcdir/tests/server_calls_lib.sh"
srv_setup " trusted-proxy 127.0.0.2/32" || exit 1
trap 'sse_cleanup; harness_cleanup' EXIT

req POST /v1/api-keys '{"role":"scp","label":"scp-a"}' >/dev/null
SCP=$(json_get key)
req POST /v1/api-keys '{"role":"engineer"}' >/dev/null
ENGINEER=$(json_get key)
ENGINEER_ID=$(json_get id)
for t in +4930100 +4930200 +4930500 +4930400; do
	req POST /v1/subscribers "{\"tdn\":\"$t\"}" >/dev/null
done
# device 1: A's PC; 2: B's PC; 3: E's PC (another TDN); 4: D's PC, coupled to 192.0.2.0/24
for d in '+4930100 pc' '+4930200 pc' '+4930500 pc'; do
	req POST /v1/devices "{\"tdn\":\"${d% *}\",\"kind\":\"${d#* }\"}" >/dev/null
	eval "T$(json_get id)=$(json_get token)"
	req POST /v1/couplings "{\"tdn\":\"${d% *}\",\"device_id\":$(json_get id)}" >/dev/null
done
req POST /v1/devices '{"tdn":"+4930400","kind":"pc","ip":"192.0.2.0/24"}' >/dev/null
T4=$(json_get token)
req POST /v1/couplings '{"tdn":"+4930400","device_id":4}' >/dev/null
A=$T1 B=$T2 E=$T3 D=$T4
png="$WORK/photo.png"
{
	printf '\211PNG\r\n\032\n\000\000\000\015IHDR\000\000\000\001\000\000\000\001\010\006\000\000\000'
	printf '\037\025\304\211\000\000\000\015IDATx\234c\370\017\000\000\001\001\000\005\030\330N'
	printf '\000\000\000\000IEND\256B`\202'
} >"$png"
req PUT /v1/me/profile/name '{"value":"Alice"}' "$A" >/dev/null
req PUT /v1/me/profile/photo "@$png" "$A" image/png >/dev/null
req PUT /v1/me/default-audience '{"fields":["name","photo"]}' "$A" >/dev/null

open_stream a "$A" 1
open_stream b "$B" 2
open_stream e "$E" 3
for s in a b e; do
	news $s >/dev/null
done

echo "# A calls B (session 1); A sends a file; E (another TDN) tries everything"
scp_post "$(ev scp-a 1 trigger k1 orig +4930100 +4930200)"
req POST /v1/sessions/1/messages '{"file":{"name":"n.txt","content_type":"text/plain","data":"c2VjcmV0"}}' "$A" |
	sed 's/^/  A: /'
req POST /v1/sessions/1/messages '{"text":"let me in"}' "$E" | sed 's/^/  E: /'
req GET /v1/media/2 "" "$E" | sed 's/^/  E: /'
req GET /v1/media/1 "" "$E" | sed 's/^/  E, on the photo of A (delivered to B only): /'
req GET /v1/media/2 "" "$B" | sed 's/^/  B: /'
app "$E" '{"tdn":"+4930500","peer":"+4930200","direction":"orig","state":"started","ref":"e-1","conference":1}' |
	sed 's/^/  E: /'
app "$E" '{"tdn":"+4930100","peer":"+4930200","direction":"orig","state":"started","ref":"e-2"}' | sed 's/^/  E: /'
sync_streams
echo "B's stream holds $(grep -c '^event: ' "$WORK/b.sse") events of session 1; E's stream:"
news e
pg_sql -c "SELECT count(*) FROM outbox WHERE device_id = 3"
pg_sql -c "SELECT session_id, device_id FROM session_members ORDER BY device_id"

echo "# D, coupled to 192.0.2.0/24, on every device route of the table"
sed -n 's/^[[:space:]]*{ "\([A-Z]*\)", "\(\/v1\/[^"]*\)", DEV, SRV_BODY_\([A-Z]*\), srv_api_[a-z_]* },$/\1 \2 \3/p' \
	"$abs_top_srcdir/server/api.c" >"$WORK/dev.routes"
echo "$(wc -l <"$WORK/dev.routes") device routes"
printf '{}' >"$WORK/empty.json"
# st CURL-ARGS...: the status and error code of D's request
st()
{
	_o=$(curl -s -m 5 -w '\n%{http_code}' -H "Authorization: Bearer $D" "$@")
	printf '%s %s' "$(printf '%s\n' "$_o" | tail -n 1)" \
		"$(printf '%s\n' "$_o" | sed '$d' | sed -n 's/^{"error":{"code":"\([a-z_]*\)".*/\1/p')"
}
while read -r _m _pat _body; do
	_p=$(echo "$_pat" | sed 's/{}/1/; s/profile\/1/profile\/motto/; s/blocks\/1/blocks\/%2B4930111/')
	case $_body in
	JSON) set -- -H 'Content-Type: application/json' --data-binary "@$WORK/empty.json" ;;
	IMAGE) set -- -H 'Content-Type: image/png' --data-binary "@$png" ;;
	*) set -- ;;
	esac
	# a stream would stay open: ask for the headers only
	[ "$_pat" = /v1/events ] && set -- -m 1
	echo "  $_m $_p: from 127.0.0.1 $(st -X "$_m" "$@" "$URL$_p");" \
		"claiming X-Forwarded-For 192.0.2.7 $(st -X "$_m" -H 'X-Forwarded-For: 192.0.2.7' "$@" "$URL$_p")"
done <"$WORK/dev.routes"
echo "through the trusted proxy 127.0.0.2:"
echo "  for 192.0.2.7: GET /v1/me $(st --interface 127.0.0.2 -H 'X-Forwarded-For: 192.0.2.7' "$URL/v1/me")"
echo "  for 198.51.100.1: GET /v1/me $(st --interface 127.0.0.2 -H 'X-Forwarded-For: 198.51.100.1' "$URL/v1/me")"
echo "  for 192.0.2.7 (left of the client, not believed), 198.51.100.1:" \
	"$(st --interface 127.0.0.2 -H 'X-Forwarded-For: 192.0.2.7, 198.51.100.1' "$URL/v1/me")"
echo "  for 192.0.2.7: POST /v1/calls $(st --interface 127.0.0.2 -H 'X-Forwarded-For: 192.0.2.7' \
	-H 'Content-Type: application/json' \
	--data-binary '{"tdn":"+4930400","peer":"+4930999","direction":"orig","state":"started","ref":"d-1"}' \
	"$URL/v1/calls")"
echo "  for 192.0.2.7: GET /v1/events $(st -m 1 --interface 127.0.0.2 -H 'X-Forwarded-For: 192.0.2.7' \
	"$URL/v1/events")"
echo "legs of D: $(pg_sql -c 'SELECT count(*) FROM legs WHERE device_id = 4')"

echo "# credentials"
req DELETE "/v1/api-keys/$ENGINEER_ID" >/dev/null
req POST /v1/devices '{"tdn":"+4930500","kind":"phone"}' >/dev/null
GONE=$(json_get token)
req DELETE "/v1/devices/$(json_get id)" >/dev/null
WRONG=$(printf '%s' "$A" | sed 's/.$/A/')
[ "$WRONG" = "$A" ] && WRONG=$(printf '%s' "$A" | sed 's/.$/B/')
NOBODY=tdd_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
for c in "none:" "not bearer:Basic $A" "malformed:Bearer tdd_123" "unknown token:Bearer $NOBODY" \
	"wrong secret:Bearer $WRONG" "deleted device:Bearer $GONE" "revoked key:Bearer $ENGINEER"; do
	_h=${c#*:}
	printf '  %s:' "${c%%:*}"
	for r in "POST /v1/calls" "POST /v1/sessions/1/messages" "GET /v1/events" "GET /v1/media/2" \
		"POST /v1/call-events" "GET /v1/subscribers"; do
		_d=
		[ "${r% *}" = POST ] && _d='{}'
		_o=$(curl -s -m 1 -o /dev/null -w '%{http_code}' -X "${r% *}" ${_h:+-H "Authorization: $_h"} \
			-H 'Content-Type: application/json' ${_d:+--data-binary "$_d"} "$URL${r#* }")
		printf ' %s %s' "${r#* }" "$_o"
	done
	echo
done

echo "# forged SCP events"
forged="$(ev scp-a 9 trigger k9 orig +4930100 +4930200)"
for k in "admin:$ADMIN" "device:$A"; do
	req POST /v1/call-events "{\"events\":[$forged]}" "${k#*:}" | sed "s/^/  ${k%%:*}: /"
done
req POST /v1/api-keys '{"role":"engineer"}' >/dev/null
req POST /v1/call-events "{\"events\":[$forged]}" "$(json_get key)" | sed 's/^/  engineer: /'
echo "stored: $(pg_sql -c 'SELECT count(*) FROM call_events') call events," \
	"$(pg_sql -c 'SELECT count(*) FROM sessions') sessions"

echo "# a duplicated SCP event: the trigger of call k1 again, and twice in one batch"
before=$(pg_sql -c 'SELECT count(*) FROM outbox')
scp_post "$(ev scp-a 1 trigger k1 orig +4930100 +4930200)"
scp_post "$(ev scp-a 1 trigger k1 orig +4930100 +4930200)" "$(ev scp-a 1 trigger k1 orig +4930100 +4930200)"
echo "outbox rows added: $(( $(pg_sql -c 'SELECT count(*) FROM outbox') - before ))," \
	"sessions $(pg_sql -c 'SELECT count(*) FROM sessions'), legs $(pg_sql -c 'SELECT count(*) FROM legs')"
sync_streams
echo "E's stream at the end:"
news e
srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
