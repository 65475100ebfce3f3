#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# POST /v1/call-events against a real PostgreSQL: keys of each role, a call's three events, redelivery
# (answers 200, changes nothing), a batch with a duplicate inside, bad members refused with the error model,
# forged values, a withheld caller kept marked. Prints a transcript that tests/events_ingest.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
srv_setup || exit 1
export PGTZ=UTC

req POST /v1/api-keys '{"role":"scp","label":"scp-a"}' >/dev/null
SCP=$(json_get key)
req POST /v1/api-keys '{"role":"engineer"}' >/dev/null
ENGINEER=$(json_get key)

# ev SEQ TYPE CALL [EXTRA-MEMBERS]: one event of instance scp-a
ev()
{
	printf '{"instance":"scp-a","seq":%s,"type":"%s","call":"%s","time":"2026-01-02T03:04:0%s.123Z",' \
		"$1" "$2" "$3" "$(( ($1 + 10) % 10 ))"
	printf '"direction":"orig","protocol":"cap2",'
	printf '"calling":{"e164":"+15550001","raw":"5550001","nature":"national","presentation":"allowed",'
	printf '"withheld":false},"called":{"e164":"+15550002","raw":"5550002","withheld":false}%s}' "${4-}"
}

db()
{
	pg_sql -c "$1"
}

echo "# credentials: none, engineer, admin refused; scp accepted"
req POST /v1/call-events "{\"events\":[$(ev 1 trigger 7-1)]}" ""
req POST /v1/call-events "{\"events\":[$(ev 1 trigger 7-1)]}" "$ENGINEER"
req POST /v1/call-events "{\"events\":[$(ev 1 trigger 7-1)]}" "$ADMIN"
req POST /v1/call-events "{\"events\":[$(ev 1 trigger 7-1)]}" \
	"tdk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
req POST /v1/call-events "{\"events\":[$(ev 1 trigger 7-1)]}" "$SCP"

echo "# ssn and service key"
req POST /v1/call-events "{\"events\":[$(ev 10 trigger 7-7 ',"ssn":146,"service_key":4294967295')]}" "$SCP"

echo "# answer and end; then the whole call again (redelivery) and a batch repeating an event"
req POST /v1/call-events "{\"events\":[$(ev 2 answer 7-1),$(ev 3 end 7-1 ',"end_reason":"disconnect"')]}" "$SCP"
before=$(db "SELECT state, started_at, answered_at, ended_at, end_reason, updated_at FROM legs WHERE scp_call = '7-1'")
req POST /v1/call-events "{\"events\":[$(ev 1 trigger 7-1),$(ev 2 answer 7-1),$(ev 3 end 7-1)]}" "$SCP"
req POST /v1/call-events "{\"events\":[$(ev 4 trigger 7-2),$(ev 4 trigger 7-2)]}" "$SCP"
after=$(db "SELECT state, started_at, answered_at, ended_at, end_reason, updated_at FROM legs WHERE scp_call = '7-1'")
[ "$before" = "$after" ] && echo "leg of call 7-1 unchanged by the redelivery" || echo "leg CHANGED: $before / $after"
echo "# a trigger redelivered after the end does not move the leg back"
req POST /v1/call-events "{\"events\":[$(ev 5 end 7-3),$(ev 6 trigger 7-3)]}" "$SCP"
db "SELECT scp_call, state, direction, calling_tdn, called_tdn, calling_withheld, end_reason,
	started_at IS NOT NULL, answered_at IS NOT NULL, ended_at IS NOT NULL FROM legs ORDER BY scp_call"
db "SELECT instance, seq, type, call, occurred_at, received_by ~ '^key:[0-9a-f]{16}$' FROM call_events ORDER BY seq"

echo "# a withheld caller: digits kept, marked"
req POST /v1/call-events "{\"events\":[{\"instance\":\"scp-a\",\"seq\":7,\"type\":\"trigger\",\"call\":\"7-4\",
	\"time\":\"2026-01-02T03:04:05Z\",\"direction\":\"term\",\"protocol\":\"cap3\",
	\"calling\":{\"e164\":\"+15550009\",\"raw\":\"5550009\",\"presentation\":\"restricted\",\"withheld\":true},
	\"called\":{\"e164\":\"+15550001\"}}]}" "$SCP"
db "SELECT calling_tdn, calling_withheld, body->'calling' FROM legs JOIN call_events ON call = scp_call
	WHERE scp_call = '7-4'"

echo "# bad input: 4xx with the error model, nothing stored"
n0=$(db "SELECT count(*) FROM call_events")
E8='{"events":[{"instance":"scp-a","seq":8,"type":"end","call":"7-5",'
req POST /v1/call-events '' "$SCP"
req POST /v1/call-events '{"events":' "$SCP"
req POST /v1/call-events '[]' "$SCP"
req POST /v1/call-events '{"events":[]}' "$SCP"
req POST /v1/call-events '{"events":{}}' "$SCP"
req POST /v1/call-events '{"events":[1]}' "$SCP"
req POST /v1/call-events "{\"events\":[$(ev 8 trigger 7-5)],\"more\":1}" "$SCP"
req POST /v1/call-events "{\"events\":[$(ev 8 trigger 7-5)]}" "$SCP" text/plain
req POST /v1/call-events "{\"events\":[$(ev 8 trigger 7-5),$(ev 0 trigger 7-5)]}" "$SCP"
req POST /v1/call-events "{\"events\":[$(ev -1 trigger 7-5)]}" "$SCP"
req POST /v1/call-events "{\"events\":[$(ev 8 ring 7-5)]}" "$SCP"
req POST /v1/call-events "{\"events\":[$(ev 8 trigger "x'; DROP TABLE legs; --")]}" "$SCP"
T8='"time":"2026-01-01T00:00:00Z","direction":"orig","protocol":"cap2"}]}'
req POST /v1/call-events '{"events":[{"instance":"scp a","seq":8,"type":"end","call":"7-5",'"$T8" "$SCP"
req POST /v1/call-events "$E8"'"time":"2026-02-30T00:00:00Z","direction":"orig","protocol":"cap2"}]}' "$SCP"
req POST /v1/call-events "$E8"'"time":"yesterday","direction":"orig","protocol":"cap2"}]}' "$SCP"
req POST /v1/call-events "$E8"'"time":"2026-01-01T00:00:00Z","direction":"sideways","protocol":"cap2"}]}' "$SCP"
req POST /v1/call-events "$E8"'"time":"2026-01-01T00:00:00Z","direction":"orig","protocol":"CAP 2"}]}' "$SCP"
req POST /v1/call-events '{"events":[{"seq":8,"type":"end","call":"7-5",'"$T8" "$SCP"
req POST /v1/call-events "{\"events\":[$(ev 8 trigger 7-5 ',"ssn":256')]}" "$SCP"
req POST /v1/call-events "{\"events\":[$(ev 8 trigger 7-5 ',"service_key":"100"')]}" "$SCP"
req POST /v1/call-events "{\"events\":[$(ev 8 trigger 7-5 ',"imsi":"12345678901234567"')]}" "$SCP"
req POST /v1/call-events "{\"events\":[$(ev 8 trigger 7-5 ',"redirecting":{"e164":"+0123"}')]}" "$SCP"
req POST /v1/call-events "{\"events\":[$(ev 8 trigger 7-5 ',"location":{"raw":"12x"}')]}" "$SCP"
req POST /v1/call-events "{\"events\":[$(ev 8 trigger 7-5 ',"monitored":"yes"')]}" "$SCP"
req POST /v1/call-events "{\"events\":[$(ev 8 trigger 7-5 ',"answer":"<script>"')]}" "$SCP"
many=$(seq -s, 1001)
req POST /v1/call-events "{\"events\":[$many]}" "$SCP"
n1=$(db "SELECT count(*) FROM call_events")
echo "events stored by the bad requests: $((n1 - n0))"

echo "# a long batch of calls without a common party is cut into parts (32 events each at least), one"
echo "# transaction each on the two call events' connections; the answer adds them up; the events of one call"
echo "# stay in one part, in order; a short batch is one transaction"
srv_wait_ingest || exit 1
# pev SEQ TYPE CALL CALLING CALLED: one event between other parties
pev()
{
	printf '{"instance":"scp-a","seq":%s,"type":"%s","call":"%s","time":"2026-01-02T03:05:0%s.000Z",' \
		"$1" "$2" "$3" "$(( $1 % 10 ))"
	printf '"direction":"orig","protocol":"cap2","calling":{"e164":"%s"},"called":{"e164":"%s"}}' "$4" "$5"
}
batch="$(pev 20 trigger 8-1 +15550101 +15550102),$(pev 21 answer 8-1 +15550101 +15550102)"
i=22
while [ $i -lt 82 ]; do
	batch="$batch,$(pev $i trigger 8-$i +155502$i +155503$i)"
	i=$((i + 1))
done
batch="$batch,$(pev 82 end 8-1 +15550101 +15550102),$(pev 30 trigger 8-30 +15550230 +15550330)"
req POST /v1/call-events "{\"events\":[$batch]}" "$SCP"
db "SELECT scp_call, state, started_at IS NOT NULL, answered_at IS NOT NULL, ended_at IS NOT NULL FROM legs
	WHERE scp_call IN ('8-1', '8-22', '8-81') ORDER BY scp_call"
echo "transactions that stored the long batch: $(db "SELECT count(DISTINCT xmin::text) FROM call_events
	WHERE seq BETWEEN 20 AND 82"); of call 8-1's three events: $(db "SELECT count(DISTINCT xmin::text)
	FROM call_events WHERE call = '8-1'")"
req POST /v1/call-events "{\"events\":[$(pev 90 trigger 9-1 +15550401 +15550402),$(pev 91 trigger 9-2 \
	+15550501 +15550502)]}" "$SCP"
echo "transactions that stored the short batch: $(db "SELECT count(DISTINCT xmin::text) FROM call_events
	WHERE seq IN (90, 91)")"

echo "# unknown members are not stored"
req POST /v1/call-events "{\"events\":[$(ev 9 trigger 7-6 ',"future":{"x":1}')]}" "$SCP"
db "SELECT body ? 'future' FROM call_events WHERE seq = 9"

srv_stop "$SRV_PID"
echo "server exit: $?"
