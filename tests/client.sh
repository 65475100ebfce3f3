#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-client against the real daemon and PostgreSQL: `listen` prints a call's events (tandem-scp's events
# posted with a key of role scp) as JSON lines and as readable cards and lines (times shown in the client's
# time zone), saves the photo a card points to with --fetch-media, cleans what would steer a terminal; every
# bad option is refused with exit 2 and a message; the server's refusals are shown with exit 1.
# Prints a transcript that tests/client.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
CLIENT="$abs_top_builddir/tools/tandem-client"
srv_setup " timer server X11 1" || exit 1
CL_PIDS=
trap 'for p in $CL_PIDS; do kill $p 2>/dev/null; wait $p 2>/dev/null; done; harness_cleanup' EXIT

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
req POST /v1/couplings '{"tdn":"+4930100","device_id":1}' >/dev/null
req POST /v1/couplings '{"tdn":"+4930200","device_id":2}' >/dev/null
req POST /v1/couplings '{"tdn":"+4930300","device_id":3}' >/dev/null

# A shows everyone its name (with an escape sequence and a right-to-left override in it, which the card must
# not pass to the terminal), a two-line address, e-mail and photo; B its name.
png="$WORK/photo.png"
{
	printf '\211PNG\r\n\032\n\000\000\000\015IHDR\000\000\000\001\000\000\000\001\010\006\000\000\000'
	printf '\037\025\304\211\000\000\000\015IDATx\234c\370\017\000\000\001\001\000\005\030\330N'
	printf '\000\000\000\000IEND\256B`\202'
} >"$png"
req PUT /v1/me/profile/name '{"value":"Alice \u001b[31mA\u202e"}' "$DA" >/dev/null
req PUT /v1/me/profile/address '{"value":"Hauptstr. 1\n10115 Berlin"}' "$DA" >/dev/null
req PUT /v1/me/profile/email '{"value":"alice@example.org"}' "$DA" >/dev/null
req PUT /v1/me/profile/photo "@$png" "$DA" image/png >/dev/null
PHOTO=$(json_get id)
req PUT /v1/me/default-audience '{"fields":["name","address","email","photo"]}' "$DA" >/dev/null
req PUT /v1/me/profile/name '{"value":"Bob B"}' "$DB" >/dev/null
req PUT /v1/me/default-audience '{"fields":["name"]}' "$DB" >/dev/null

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
	req POST /v1/call-events "{\"events\":[$1]}" "$SCP" >/dev/null
	[ "$CODE" = 200 ] || echo "client: call events answered $CODE $RESP" >&2
}

# listen NAME TOKEN [OPTIONS...]: a client in the background from the device's first event, output in
# $WORK/NAME.out and NAME.err
listen()
{
	_n=$1
	_k=$2
	shift 2
	echo 0 >"$WORK/$_n.state"
	TANDEM_TOKEN=$_k "$CLIENT" --server "$URL" --state "$WORK/$_n.state" "$@" listen \
		>"$WORK/$_n.out" 2>"$WORK/$_n.err" &
	eval "CL_$_n=$!"
	CL_PIDS="$CL_PIDS $!"
}
# wait_out NAME PATTERN: until the client printed a line matching PATTERN (15 s at most)
wait_out()
{
	_i=0
	while [ $_i -lt 150 ]; do
		grep -q "$2" "$WORK/$1.out" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "client: $1 never printed '$2'" >&2
	return 1
}
# stop NAME: SIGTERM, and the exit status
stop()
{
	eval "_p=\$CL_$1"
	kill -TERM "$_p"
	wait "$_p"
	echo "$1 stopped by SIGTERM: exit $?"
	CL_PIDS=$(echo "$CL_PIDS" | sed "s/ $_p\b//")
}
# run ARGS...: the client in the foreground; its output, stderr and exit status
run()
{
	"$CLIENT" "$@" >"$WORK/run.out" 2>"$WORK/run.err"
	_rc=$?
	echo "\$ tandem-client $*" | sed -e "s|$URL|URL|g" -e "s|$WORK|WORK|g" -e 's/td[dk]_[^ ]*/TOKEN/g' \
		-e 's/0\{20,\}/0.../g' | LC_ALL=C tr -c '\11\12\40-\176' '?'
	sed -e "s|$WORK|WORK|g" -e "s|$URL|URL|g" "$WORK/run.out" "$WORK/run.err" | srv_normalize
	echo "exit $_rc"
}

echo "# listen: A (POTS, coupled PC) calls B; B's PC shows the card before the answer"
mkdir -p "$WORK/media"
# the cards' times in India (UTC+05:30): the event times are converted from UTC
export TZ=Asia/Kolkata
listen bcard "$DB" --format card --fetch-media "$WORK/media"
listen bjson "$DB" -q
listen acard "$DA" --format card -q
post "$(ev 1 trigger c1 +4930100 +4930200)"
wait_out bcard '^+--$'
post "$(ev 2 answer c1 +4930100 +4930200)"
post "$(ev 3 end c1 +4930100 +4930200)"
echo "# a withheld caller: no digits, no card"
post "$(ev 4 trigger c2 +4930300 +4930200 true)"
post "$(ev 5 end c2 +4930300 +4930200 true)"
req POST /v1/devices/2/events '{"text":"maintenance\ntonight"}' >/dev/null
wait_out bcard 'notice'
wait_out bjson 'notice'
wait_out acard 'call 1 ended'
unset TZ
stop bcard
stop bjson
stop acard
# times of events without one are the time of arrival: replaced
now='s/^\(+-- \)\{0,1\}[0-9][0-9]:[0-9][0-9]:[0-9][0-9] \(card\|session\|notice\)/\1<now> \2/'
echo "B, cards:"
sed -e "$now" -e "s|$WORK|WORK|g" "$WORK/bcard.out"
echo "B, JSON lines:"
cat "$WORK/bjson.out"
echo "A, cards:"
sed -e "$now" "$WORK/acard.out"
echo "stderr:"
sed "s|$URL|URL|" "$WORK/bcard.err" "$WORK/bjson.err" "$WORK/acard.err"
cmp "$png" "$WORK/media/media-$PHOTO.png" && echo "the photo saved is the one uploaded"
ls -A "$WORK/media"

echo "# listen refused"
run --server "$URL" --token tdd_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA listen
run --server "$URL" --token "$SCP" listen

echo "# bad options: exit 2 and a message, nothing sent"
run
run --token x
run --token x frobnicate
run --token x --bogus listen
run --token x listen --server
run --token x listen extra
run listen
run --token x --format xml listen
run --token x --idle-timeout 0 listen
run --token x --max-backoff 3601 listen
run --token x --fetch-media "$WORK/nonexistent" listen
run --token x --fetch-media "$png" listen
run --token x --max-file 0 listen
run --token x --max-file 2G listen
run --token x --max-file 1X listen
printf 'x1\n' >"$WORK/bad.state"
run --token x --state "$WORK/bad.state" listen
run --token x --server "http://$(printf '%02100d' 0)" listen
run --token x --text hi listen
run --token x --tdn +4930100 send --session 1 --text hi
run --token x send --text hi
run --token x send --session 0 --text hi
run --token x send --session 1x --text hi
run --token x send --session 1
run --token x send --session 1 --text hi --url http://example.org/
run --token x send --session 1 --text ''
run --token x send --session 1 --text "$(printf 'caf\351')"
run --token x send --session 1 --url ftp://example.org/
run --token x send --session 1 --location 91,0
run --token x send --session 1 --location 0,-181
run --token x send --session 1 --location 1,2,-3
run --token x send --session 1 --location 1,2,3,4
run --token x send --session 1 --location 1
run --token x send --session 1 --location nan,1
run --token x send --session 1 --text hi --content-type text/plain
run --token x send --session 1 --file "$png" --content-type nothing
run --token x send --session 1 --file "$WORK/nonexistent"
run --token x send --session 1 --file "$WORK/media"
run --token x send --session 1 --file "$png" --max-file 10
run --token x send --session 1 --file "$WORK/media/"
run --token x phone call started --peer +4930200
run --token x phone --tdn 4930100 --peer +4930200 call started
run --token x phone --tdn +0930100 --peer +4930200 call started
run --token x phone --tdn +4930100 --peer anonymous call started
run --token x phone --tdn +4930100 --peer +4930200 --ref 'a b' call started
run --token x phone --tdn +4930100 --peer +4930200 --ref "$(printf '%065d' 0)" call started
run --token x phone --tdn +4930100 --peer +4930200 --conference x call started
run --token x phone --tdn +4930100 --peer +4930200 --reason '' call ended
run --token x phone --tdn +4930100 --peer +4930200 --reason busy call started
run --token x phone --tdn +4930100 --peer +4930200 call ringing
run --token x phone --tdn +4930100 --peer +4930200 call
run --token x phone --tdn +4930100 --peer +4930200 dial started
run --token x phone --tdn +4930100 --peer +4930200 script "$WORK/nonexistent"
printf '# a call\nstarted\n\nanswered 1.5\nended x\n' >"$WORK/bad1.script"
run --token x phone --tdn +4930100 --peer +4930200 script "$WORK/bad1.script"
printf 'started 86401\n' >"$WORK/bad2.script"
run --token x phone --tdn +4930100 --peer +4930200 script "$WORK/bad2.script"
printf 'started 1 2\n' >"$WORK/bad3.script"
run --token x phone --tdn +4930100 --peer +4930200 script "$WORK/bad3.script"
printf '# nothing\n\n' >"$WORK/bad4.script"
run --token x phone --tdn +4930100 --peer +4930200 script "$WORK/bad4.script"
printf 'started %0300d\n' 0 >"$WORK/bad5.script"
run --token x phone --tdn +4930100 --peer +4930200 script "$WORK/bad5.script"

echo "# the server unreachable: exit 1"
port=$(srv_free_port)
run --server "http://127.0.0.1:$port" --token x send --session 1 --text hi |
	sed -e "s/$port/PORT/g" -e 's/after [0-9]* ms/after N ms/'
