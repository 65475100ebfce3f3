#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# The relay (POST /v1/sessions/{id}/messages) against the real daemon and PostgreSQL: a call from A's POTS line
# to B (a PC and a phone coupled) makes a session; every bad input is refused (kinds, members, sizes, URLs,
# coordinates, base64, a file over relay-file-max); a text, a URL, a location and a file each reach the other
# members' event streams and not the sender's; the file is served by GET /v1/media/{id} to the members only; a
# non-member gets 403, an unknown session 404; after the call's end messages still flow, and once the session
# is closed (session-linger 1) they are refused with 409. Prints a transcript that tests/server_relay.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
. "$abs_top_srcdir/tests/server_push_lib.sh"
. "$abs_top_srcdir/tests/server_calls_lib.sh"
srv_setup " relay-file-max 1000" " session-linger 1" " session-sweep-interval 1" || exit 1
trap 'sse_cleanup; harness_cleanup' EXIT

req POST /v1/api-keys '{"role":"scp","label":"scp-a"}' >/dev/null
SCP=$(json_get key)
for t in +4930100 +4930200 +4930300; do
	req POST /v1/subscribers "{\"tdn\":\"$t\"}" >/dev/null
done
# device 1: A's PC; 2: B's PC; 3: B's phone; 4: C's PC
for d in '+4930100 pc' '+4930200 pc' '+4930200 phone' '+4930300 pc'; do
	req POST /v1/devices "{\"tdn\":\"${d% *}\",\"kind\":\"${d#* }\"}" >/dev/null
	eval "T$(json_get id)=$(json_get token)"
	req POST /v1/couplings "{\"tdn\":\"${d% *}\",\"device_id\":$(json_get id)}" >/dev/null
done
A=$T1 B=$T2 B2=$T3 C=$T4

open_stream a "$A" 1
open_stream b "$B" 2
open_stream b2 "$B2" 3
open_stream c "$C" 4
for s in a b b2 c; do
	news $s >/dev/null
done

echo "# A calls B: session 1 with A's PC, B's PC and B's phone"
scp_post "$(ev scp-a 1 trigger k1 orig +4930100 +4930200)"
sync_streams
for s in a b b2 c; do
	news $s >/dev/null
done
pg_sql -c "SELECT session_id, device_id, role FROM session_members ORDER BY device_id"

# zeros64 N: N zero bytes in base64
zeros64()
{
	head -c "$1" /dev/zero | base64 -w0
}

# say TOKEN BODY [PATH]: POST a message, print "  BODY -> STATUS code field" (long bodies by their length)
say()
{
	req POST "${3:-/v1/sessions/1/messages}" "$2" "$1" >/dev/null
	_b=$2
	[ ${#_b} -gt 120 ] && _b="(${#_b} bytes)"
	echo "  $_b -> $(short)"
}

echo "# bad inputs (from A, a member)"
bin=application/octet-stream
long=$(head -c 4097 /dev/zero | tr '\0' x)
utf=$(i=0; while [ $i -lt 4097 ]; do printf '\303\251'; i=$((i + 1)); done)
longurl="https://example.org/$(head -c 2030 /dev/zero | tr '\0' a)"
for b in '{}' '[]' '{' '"text"' '{"x":1}' '{"text":"hi","url":"https://example.org/"}' \
	'{"text":""}' '{"text":4}' '{"text":null}' "{\"text\":\"$long\"}" "{\"text\":\"$utf\"}" '{"text":"a\u0000b"}' \
	'{"url":"ftp://example.org/f"}' '{"url":"example.org"}' '{"url":"http://"}' '{"url":"http:///path"}' \
	'{"url":"https://exa mple.org/"}' '{"url":"https://[::1/"}' '{"url":"https://[zz::1]/"}' \
	'{"url":"https://h:0/"}' '{"url":"https://h:65536/"}' '{"url":"https://h:/"}' '{"url":"https://-h/"}' \
	'{"url":"https://h\u00e9.org/"}' "{\"url\":\"$longurl\"}" '{"url":["https://example.org/"]}' \
	'{"location":{}}' '{"location":{"lat":1}}' '{"location":{"lat":91,"lon":0}}' \
	'{"location":{"lat":-90.5,"lon":0}}' '{"location":{"lat":1,"lon":180.01}}' '{"location":{"lat":"1","lon":2}}' \
	'{"location":{"lat":1,"lon":2,"accuracy":-1}}' \
	'{"location":{"lat":1,"lon":2,"alt":3}}' '{"location":[1,2]}' \
	'{"file":"x"}' '{"file":{}}' '{"file":{"name":"a.txt","content_type":"text/plain"}}' \
	'{"file":{"name":"a/b.txt","content_type":"text/plain","data":"aGk="}}' \
	'{"file":{"name":"","content_type":"text/plain","data":"aGk="}}' \
	'{"file":{"name":"..","content_type":"text/plain","data":"aGk="}}' \
	'{"file":{"name":"a\nb","content_type":"text/plain","data":"aGk="}}' \
	'{"file":{"name":"a.txt","content_type":"Text/Plain","data":"aGk="}}' \
	'{"file":{"name":"a.txt","content_type":"text/plain; charset=utf-8","data":"aGk="}}' \
	'{"file":{"name":"a.txt","content_type":"text","data":"aGk="}}' \
	'{"file":{"name":"a.txt","content_type":"text/plain","data":"aGk"}}' \
	'{"file":{"name":"a.txt","content_type":"text/plain","data":"a@k="}}' \
	'{"file":{"name":"a.txt","content_type":"text/plain","data":"aG\nk="}}' \
	'{"file":{"name":"a.txt","content_type":"text/plain","data":"a=k="}}' \
	'{"file":{"name":"a.txt","content_type":"text/plain","data":""}}' \
	'{"file":{"name":"a.txt","content_type":"text/plain","data":"aGk=","size":2}}' \
	"{\"file\":{\"name\":\"big.bin\",\"content_type\":\"$bin\",\"data\":\"$(zeros64 1001)\"}}"; do
	say "$A" "$b"
done
say "$A" '{"text":"hi"}' /v1/sessions/999/messages
say "$A" '{"text":"hi"}' /v1/sessions/x/messages
say "$A" '{"text":"hi"}' /v1/sessions/0/messages
say "$C" '{"text":"hi"}'
say "$ADMIN" '{"text":"hi"}'
say "" '{"text":"hi"}'
req POST /v1/sessions/1/messages '{"text":"hi"}' "$A" text/plain >/dev/null
echo "  as text/plain -> $(short)"
echo "stored: $(pg_sql -c 'SELECT count(*) FROM messages') messages, $(pg_sql -c 'SELECT count(*) FROM media') media"

echo "# each kind, end to end"
say "$A" '{"text":"Gr\u00fc\u00dfe, the slides are coming"}'
say "$B2" '{"url":"https://example.org/slides?v=2#p3"}'
say "$A" '{"location":{"lat":52.520008,"lon":13.404954,"accuracy":25}}'
say "$B" '{"location":{"lat":-33.8,"lon":151}}'
printf '%%PDF-1.4\n%% tandem relay test\n' >"$WORK/doc.pdf"
pdf=$(base64 -w0 "$WORK/doc.pdf")
say "$A" "{\"file\":{\"name\":\"Slides Q3.pdf\",\"content_type\":\"application/pdf\",\"data\":\"$pdf\"}}"
say "$B" "{\"file\":{\"name\":\"exactly-1000.bin\",\"content_type\":\"$bin\",\"data\":\"$(zeros64 1000)\"}}"
sync_streams
for s in a b b2 c; do
	echo "stream $s:"
	news $s
done
pg_sql -c "SELECT id, session_id, device_id, kind, body FROM messages ORDER BY id"

echo "# the file: the members get it (the sender too), C and unknown ids not"
MEDIA=$(grep -o '"url": "/v1/media/[0-9]*"' "$WORK/b.sse" | head -n 1 | sed 's/.*media\/\([0-9]*\)"/\1/')
for t in "B $B" "B2 $B2" "A $A"; do
	curl -s -o "$WORK/got.pdf" -w "${t% *}: %{http_code} %{content_type}\n" -H "Authorization: Bearer ${t#* }" \
		"$URL/v1/media/$MEDIA"
	cmp -s "$WORK/doc.pdf" "$WORK/got.pdf" && echo "  the same bytes"
done
req GET "/v1/media/$MEDIA" "" "$C"
req GET "/v1/media/$MEDIA" "" ""
pg_sql -c "SELECT id, subscriber_id, session_id, name, content_type, size FROM media ORDER BY id"

echo "# the call ends: messages still flow in call-ended"
scp_post "$(ev scp-a 2 end k1 orig +4930100 +4930200 false 00:30)"
say "$B" '{"text":"thanks, bye"}'
echo "# closed after session-linger 1: refused"
_i=0
while [ "$(pg_sql -c "SELECT state FROM sessions WHERE id = 1")" != closed ] && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
say "$A" '{"text":"still there?"}'
say "$C" '{"text":"still there?"}'
sync_streams
for s in a b b2 c; do
	echo "stream $s:"
	news $s
done
echo "# a call to B from a caller who withheld the number and whose digits the network did not give: B's phone"
echo "# writes, B's PC sees it from B"
scp_post '{"instance":"scp-a","seq":3,"type":"trigger","call":"k2","time":"2026-01-02T03:01:00.5Z",
	"direction":"term","protocol":"cap2","calling":{"withheld":true},"called":{"e164":"+4930200"}}'
pg_sql -c "SELECT id, state, calling_tdn IS NULL, calling_withheld FROM sessions WHERE id = 2"
say "$B2" '{"text":"who is this?"}' /v1/sessions/2/messages
sync_streams
for s in b c; do
	echo "stream $s:"
	news $s
done
srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
