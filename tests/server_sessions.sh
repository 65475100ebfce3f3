#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Sessions and caller cards against the real daemon and PostgreSQL: tandem-scp's call events (key of role scp)
# for a POTS line whose PC is coupled make a session; the called party's PC gets call.incoming,
# session.established and the caller's card (fields of the caller's audience for it, a photo as a media URL)
# before the answer, then call.answered and call.ended; the caller's PC gets call.outgoing and the callee's
# card. A second call carries no field the device already holds at its version, a changed field again; a block
# suppresses the cards; a withheld caller is shown without digits and gets no card; an uninvolved device sees
# nothing; GET /v1/media/{id} only for devices the photo was delivered to (and the owner); redelivered events
# make nothing twice. Deleting a device deletes its outbox rows and deliveries, deleting a subscriber the
# deliveries of its card (the triggers of 008). Prints a transcript that tests/server_sessions.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
. "$abs_top_srcdir/tests/server_push_lib.sh"
srv_setup " timer server X11 1" || exit 1
trap 'sse_cleanup; harness_cleanup' EXIT

req POST /v1/api-keys '{"role":"scp","label":"scp-a"}' >/dev/null
SCP=$(json_get key)
for t in +4930100 +4930200 +4930300; do
	req POST /v1/subscribers "{\"tdn\":\"$t\"}" >/dev/null
done
req POST /v1/devices '{"tdn":"+4930100","kind":"pc","label":"POTS PC of A"}' >/dev/null
DA=$(json_get token)
req POST /v1/devices '{"tdn":"+4930200","kind":"pc","label":"PC of B"}' >/dev/null
DB=$(json_get token)
req POST /v1/devices '{"tdn":"+4930300","kind":"pc","label":"PC of C"}' >/dev/null
DC=$(json_get token)
req POST /v1/couplings '{"tdn":"+4930100","device_id":1}'
req POST /v1/couplings '{"tdn":"+4930200","device_id":2}'
req POST /v1/couplings '{"tdn":"+4930300","device_id":3}'

echo "# profiles: A shows B (group work) name, email, photo; everyone else (default) only name; B shows name"
png="$WORK/photo.png"
# a 1x1 PNG: signature, IHDR, IDAT, IEND
{
	printf '\211PNG\r\n\032\n\000\000\000\015IHDR\000\000\000\001\000\000\000\001\010\006\000\000\000'
	printf '\037\025\304\211\000\000\000\015IDATx\234c\370\017\000\000\001\001\000\005\030\330N'
	printf '\000\000\000\000IEND\256B`\202'
} >"$png"
req PUT /v1/me/profile/name '{"value":"Alice A"}' "$DA" >/dev/null
req PUT /v1/me/profile/email '{"value":"alice@example.org"}' "$DA" >/dev/null
req PUT /v1/me/profile/birthday '{"value":"1990-02-03"}' "$DA" >/dev/null
req PUT /v1/me/profile/photo "@$png" "$DA" image/png >/dev/null
PHOTO=$(json_get id)
req POST /v1/me/groups '{"name":"work","members":["+4930200"],"fields":["name","email","photo"]}' "$DA" >/dev/null
req PUT /v1/me/default-audience '{"fields":["name"]}' "$DA" >/dev/null
req PUT /v1/me/profile/name '{"value":"Bob B"}' "$DB" >/dev/null
req PUT /v1/me/default-audience '{"fields":["name"]}' "$DB" >/dev/null
pg_sql -c "SELECT name, version FROM profile_fields ORDER BY subscriber_id, name"

# ev SEQ TYPE CALL CALLING CALLED [WITHHELD]: one event of instance scp-a, as tandem-scp sends it
ev()
{
	printf '{"instance":"scp-a","seq":%s,"type":"%s","call":"%s","time":"2026-01-02T03:04:%02d.5Z",' \
		"$1" "$2" "$3" "$(( $1 % 60 ))"
	printf '"direction":"orig","protocol":"ain","calling":{"e164":"%s","withheld":%s},' "$4" "${6:-false}"
	printf '"called":{"e164":"%s"}' "$5"
	[ "$2" = end ] && printf ',"end_reason":"disconnect"'
	printf '}'
}
post()
{
	req POST /v1/call-events "{\"events\":[$1]}" "$SCP"
}

# sse_new NAME: the stream's events not printed before
sse_new()
{
	eval "_f=\${SHOWN_$1:-0}"
	sse_show "$1" >"$WORK/$1.shown"
	sed -n "$((_f + 1)),\$p" "$WORK/$1.shown" | sed 's/^/  /'
	eval "SHOWN_$1=$(wc -l <"$WORK/$1.shown")"
}
# sse_mark NAME: note how many events the stream holds; sse_more NAME K: wait until it holds K more
sse_mark()
{
	eval "MARK_$1=$(grep -c '^event: ' "$WORK/$1.sse")"
}
sse_more()
{
	eval "_m=\$MARK_$1"
	_i=0
	while [ "$(grep -c '^event: ' "$WORK/$1.sse")" -lt $((_m + $2)) ] && [ $_i -lt 150 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ $_i -lt 150 ] || echo "sessions: stream $1 never held $2 more events" >&2
}
count()
{
	echo "sessions $(pg_sql -c 'SELECT count(*) FROM sessions'), members $(pg_sql -c \
		'SELECT count(*) FROM session_members'), calls $(pg_sql -c 'SELECT count(*) FROM calls'), outbox \
$(pg_sql -c 'SELECT count(*) FROM outbox'), deliveries $(pg_sql -c 'SELECT count(*) FROM deliveries')"
}

sse_open a "$DA"
sse_open b "$DB"
sse_open c "$DC"
sse_new a >/dev/null
sse_new b >/dev/null
sse_new c >/dev/null

mark()
{
	sse_mark a
	sse_mark b
	sse_mark c
}

echo "# call 1: A (POTS, coupled PC) calls B; B's PC sees who calls, with the card, before the answer"
mark
post "$(ev 1 trigger c1 +4930100 +4930200)"
sse_more b 3
sse_more a 3
echo "B before the answer:"
sse_new b
mark
post "$(ev 2 answer c1 +4930100 +4930200)"
sse_more b 1
post "$(ev 3 end c1 +4930100 +4930200)"
sse_more b 2
sse_more a 2
echo "B after:"
sse_new b
echo "A:"
sse_new a
pg_sql -c "SELECT id, call_id, state, calling_tdn, called_tdn, answered_at IS NOT NULL, ended_at IS NOT NULL,
	end_reason FROM sessions"
pg_sql -c "SELECT session_id, device_id, subscriber_id, tdn, role FROM session_members ORDER BY device_id"
pg_sql -c "SELECT scp_call, call_id FROM legs ORDER BY id"
count

echo "# the photo: B (delivered) and A (owner) may fetch it, C not; no such image"
curl -s -o "$WORK/got.png" -w 'B: %{http_code} %{content_type}\n' -H "Authorization: Bearer $DB" \
	"$URL/v1/media/$PHOTO"
cmp -s "$png" "$WORK/got.png" && echo "B got the uploaded bytes"
curl -s -o /dev/null -w 'A: %{http_code}\n' -H "Authorization: Bearer $DA" "$URL/v1/media/$PHOTO"
req GET "/v1/media/$PHOTO" "" "$DC"
req GET /v1/media/999 "" "$DB"
req GET /v1/media/x "" "$DB"
req GET "/v1/media/$PHOTO" "" ""
req GET "/v1/media/$PHOTO" "" "$SCP"

echo "# redelivery of call 1 (all three events, as after an SCP restart): nothing new"
post "$(ev 1 trigger c1 +4930100 +4930200),$(ev 2 answer c1 +4930100 +4930200),$(ev 3 end c1 +4930100 +4930200)"
count

echo "# call 2: the same parties; nothing changed, so the cards carry no field, only the names held"
mark
post "$(ev 4 trigger c2 +4930100 +4930200)"
sse_more b 3
sse_more a 3
sse_new b
sse_new a
echo "# call 3 while call 2 rings (another call of the same line, not a leg of call 2); A changed the e-mail"
echo "# before: only that goes to B"
req PUT /v1/me/profile/email '{"value":"alice@example.net"}' "$DA" >/dev/null
mark
post "$(ev 5 trigger c3 +4930100 +4930200)"
sse_more b 3
sse_more a 3
sse_new b
post "$(ev 6 end c2 +4930100 +4930200),$(ev 7 end c3 +4930100 +4930200)"
sse_more b 5
sse_more a 5
sse_new b
sse_new a
pg_sql -c "SELECT device_id, subject_id, field, version FROM deliveries ORDER BY device_id, subject_id, field"

echo "# B blocks A: call 4 rings B's PC, with no card either way"
req PUT /v1/me/blocks/%2B4930100 "" "$DB" >/dev/null
mark
post "$(ev 8 trigger c4 +4930100 +4930200)"
sse_more b 2
sse_more a 2
post "$(ev 9 end c4 +4930100 +4930200)"
sse_more b 3
sse_more a 3
sse_new b
sse_new a
req DELETE /v1/me/blocks/%2B4930100 "" "$DB" >/dev/null

echo "# call 5: A withholds the number: B's PC is told the caller is withheld, no digits, no card; A's PC"
echo "# gets B's card"
mark
post "$(ev 10 trigger c5 +4930100 +4930200 true)"
sse_more b 2
sse_more a 3
post "$(ev 11 end c5 +4930100 +4930200 true)"
sse_more b 3
sse_more a 4
sse_new b
sse_new a
grep -A2 '^event: call.incoming' "$WORK/b.sse" | tail -n 1 | grep -q 4930100 && echo "WITHHELD DIGITS SHOWN"

echo "# call 6 from a number nobody couples, to B: B's PC rings, no card"
mark
post "$(ev 12 trigger c6 +4930999 +4930200)"
sse_more b 2
sse_new b
echo "# call 7 between numbers nobody couples: no session"
post "$(ev 13 trigger c7 +4930998 +4930999)"
pg_sql -c "SELECT scp_call, call_id IS NULL FROM legs WHERE scp_call = 'c7'"

echo "# call 8 reported twice, the orig leg by scp-a and the term leg by scp-b: one call, one session"
mark
post "$(ev 14 trigger c8 +4930100 +4930200)"
sse_more b 3
post "$(ev 16 trigger c8 +4930100 +4930200 | sed 's/"scp-a"/"scp-b"/; s/"orig"/"term"/')"
post "$(ev 15 answer c8 +4930100 +4930200)"
post "$(ev 17 end c8 +4930100 +4930200 | sed 's/"scp-a"/"scp-b"/; s/"orig"/"term"/')"
sse_more b 5
sse_more a 5
sse_new b
pg_sql -c "SELECT scp_instance, scp_call, direction, state, call_id FROM legs WHERE scp_call = 'c8' ORDER BY id"
pg_sql -c "SELECT id, state FROM sessions ORDER BY id"

echo "# C's device, party to none of these calls:"
sse_new c
count

echo "# B's PC deleted: its outbox rows and card deliveries go with it; subscriber B deleted: the deliveries of B's card"
B_ID=$(pg_sql -c "SELECT id FROM subscribers WHERE tdn = '+4930200'")
held()
{
	echo "outbox rows of device 2: $(pg_sql -c 'SELECT count(*) FROM outbox WHERE device_id = 2'), deliveries to" \
		"device 2: $(pg_sql -c 'SELECT count(*) FROM deliveries WHERE device_id = 2'), deliveries of B's card:" \
		"$(pg_sql -c "SELECT count(*) FROM deliveries WHERE subject_id = $B_ID")"
}
held
req DELETE /v1/devices/2 >/dev/null
echo "DELETE /v1/devices/2 -> $CODE"
held
req DELETE /v1/subscribers/%2B4930200 >/dev/null
echo "DELETE /v1/subscribers/+4930200 -> $CODE"
held
count
srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
