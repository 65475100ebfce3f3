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
srv_setup " timer server X11 1" " relay-file-max 1000" || exit 1
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
	echo "${FROM:-0}" >"$WORK/$_n.state"
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
# run ARGS...: the client in the foreground (20 s at most: a command that should end must not hang the
# suite); its output, stderr and exit status
run()
{
	timeout 20 "$CLIENT" "$@" >"$WORK/run.out" 2>"$WORK/run.err"
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

echo "# send: each kind from A's PC to session 1 (the call ended, the session is still open); B's client shows"
echo "# them, B's PC saves the file"
printf '%%PDF-1.4\n%% a tiny file\n' >"$WORK/agenda.pdf"
printf 'plain words\n' >"$WORK/notes.bin"
FROM=$(cat "$WORK/bjson.state") listen bmsg "$DB" --format card --fetch-media "$WORK/media" -q
FROM=$(cat "$WORK/bjson.state") listen bmsgj "$DB" -q
export TANDEM_TOKEN=$DA
run --server "$URL" send --session 1 --text 'see you at 5'
run --server "$URL" send --session 1 --text "$(printf 'two\nlines')"
run --server "$URL" send --session 1 --url https://example.org/agenda?day=2
run --server "$URL" send --session 1 --location 52.52,13.405,25
run --server "$URL" send --session 1 --location -33.8568,151.2153
run --server "$URL" send --session 1 --file "$WORK/agenda.pdf"
run --server "$URL" --session 1 --file "$WORK/notes.bin" --content-type text/plain send
wait_out bmsg 'notes.bin'
wait_out bmsgj 'notes.bin'
stop bmsg
stop bmsgj
echo "B, cards:"
sed -e 's/^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] /<now> /' -e "s|$WORK|WORK|g" "$WORK/bmsg.out"
echo "B, JSON lines:"
cat "$WORK/bmsgj.out"
for f in agenda.pdf notes.bin; do
	cmp "$WORK/$f" "$WORK/media/"*"-$f" && echo "$f saved as sent"
done
ls -A "$WORK/media"
echo "# send refused by the server: exit 1 and the server's message"
head -c 1001 /dev/zero >"$WORK/big.bin"
: >"$WORK/empty.txt"
run --server "$URL" send --session 1 --file "$WORK/big.bin"
run --server "$URL" send --session 1 --file "$WORK/empty.txt"
run --server "$URL" send --session 1 --file "$WORK/notes.bin" --content-type Text/Plain
run --server "$URL" send --session 999 --text hi
run --server "$URL" send --session 1 --url http://
TANDEM_TOKEN=$DC run --server "$URL" send --session 1 --text 'not a member'
TANDEM_TOKEN=$SCP run --server "$URL" send --session 1 --text 'not a device'
unset TANDEM_TOKEN

echo "# phone: two mobiles with phone apps; M1 calls M2, both report their side: one session, both phones get"
echo "# session.established and the other's card"
for t in +4917000001 +4917000002; do
	req POST /v1/subscribers "{\"tdn\":\"$t\"}" >/dev/null
done
req POST /v1/devices '{"tdn":"+4917000001","kind":"phone","label":"phone of M1"}' >/dev/null
P1=$(json_get token)
P1ID=$(json_get id)
req POST /v1/devices '{"tdn":"+4917000002","kind":"phone","label":"phone of M2"}' >/dev/null
P2=$(json_get token)
P2ID=$(json_get id)
req POST /v1/couplings "{\"tdn\":\"+4917000001\",\"device_id\":$P1ID}" >/dev/null
req POST /v1/couplings "{\"tdn\":\"+4917000002\",\"device_id\":$P2ID}" >/dev/null
req PUT /v1/me/profile/name '{"value":"Mia One"}' "$P1" >/dev/null
req PUT /v1/me/default-audience '{"fields":["name"]}' "$P1" >/dev/null
req PUT /v1/me/profile/name '{"value":"Max Two"}' "$P2" >/dev/null
req PUT /v1/me/profile/email '{"value":"max@example.org"}' "$P2" >/dev/null
req PUT /v1/me/default-audience '{"fields":["name","email"]}' "$P2" >/dev/null
listen p1 "$P1" --format card -q
listen p2 "$P2" --format card -q
listen p2j "$P2" -q
refs='s/"ref":"tc-[0-9a-f]\{16\}"/"ref":"tc-<16 hex>"/'
export TANDEM_TOKEN=$P1
run --server "$URL" phone --tdn +4917000001 --peer +4917000002 --ref m1-call-1 call started
TANDEM_TOKEN=$P2 run --server "$URL" phone --tdn +4917000002 --peer +4917000001 --incoming call started |
	sed "$refs"
ref2=$(sed -n 's/.*"ref":"\(tc-[0-9a-f]*\)".*/\1/p' "$WORK/run.out")
echo "the second report of a ref changes nothing:"
run --server "$URL" phone --tdn +4917000001 --peer +4917000002 --ref m1-call-1 call started
t0=$(date +%s%N)
printf '# M1: answered after 0.2 s, ended 0.3 s later\nanswered 0.2\n\nended 0.3 # hung up\n' |
	run --server "$URL" phone --tdn +4917000001 --peer +4917000002 --ref m1-call-1 --reason hangup script -
t1=$(date +%s%N)
[ $(( (t1 - t0) / 1000000 )) -ge 500 ] && echo "the script took at least 0.5 s"
TANDEM_TOKEN=$P2 run --server "$URL" phone --tdn +4917000002 --peer +4917000001 --incoming --ref "$ref2" \
	call ended | sed "s/$ref2/REF2/g"
wait_out p1 'call .* ended'
wait_out p2 'call .* ended'
wait_out p2j 'call.ended'
stop p1
stop p2
stop p2j
# the phones report no time: the server's time of the report is shown
anytime='s/^\(+-- \)\{0,1\}[0-9][0-9]:[0-9][0-9]:[0-9][0-9] /\1<time> /'
echo "M1's phone:"
sed -e "$anytime" "$WORK/p1.out"
echo "M2's phone:"
sed -e "$anytime" "$WORK/p2.out"
echo "M2's phone, JSON lines:"
sed -e 's/"time":"[^"]*"/"time":"<ts>"/g' "$WORK/p2j.out"
echo "# a conference: M1 calls M2 again, then adds B (a POTS line with a PC) to the call's session: B's PC"
echo "# rings with the cards of both, and M1's phone gets B's card"
FROM=$(cat "$WORK/bmsgj.state") listen bconf "$DB" --format card -q
FROM=$(cat "$WORK/p1.state") listen p1conf "$P1" --format card -q
run --server "$URL" phone --tdn +4917000001 --peer +4917000002 --ref m1-call-2 call started
TANDEM_TOKEN=$P2 run --server "$URL" phone --tdn +4917000002 --peer +4917000001 --incoming --ref m2-call-2 \
	call answered
conf=$(sed -n 's/.*"session":\([0-9]*\).*/\1/p' "$WORK/run.out")
run --server "$URL" phone --tdn +4917000001 --peer +4930200 --ref m1-call-3 --conference "$conf" call started |
	sed "s/--conference $conf /--conference S /"
wait_out bconf 'max@example.org'
wait_out p1conf 'Bob B'
stop bconf
stop p1conf
echo "B's PC:"
sed -e "$anytime" "$WORK/bconf.out"
echo "M1's phone:"
sed -e "$anytime" "$WORK/p1conf.out"
echo "# phone refused by the server: exit 1"
run --server "$URL" phone --tdn +4930200 --peer +4917000002 call started
TANDEM_TOKEN=$DA run --server "$URL" phone --tdn +4930100 --peer +4917000002 --conference 999 call started |
	sed "$refs"
unset TANDEM_TOKEN

echo "# crafted events from a stand-in server (tests/client_sse.py): shapes tandem-server does not send are"
echo "# printed without harm; media only from the server's own /v1/media/ID, saved under a clean name"
python3 "$abs_top_srcdir/tests/client_sse.py" "$WORK/fake.port" faketoken &
FAKE_PID=$!
CL_PIDS="$CL_PIDS $FAKE_PID"
_i=0
while [ ! -s "$WORK/fake.port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
mkdir -p "$WORK/media2"
echo 0 >"$WORK/fake.state"
TZ=UTC "$CLIENT" --server "http://127.0.0.1:$(cat "$WORK/fake.port")" --token faketoken --format card \
	--state "$WORK/fake.state" --fetch-media "$WORK/media2" --max-backoff 1 listen >"$WORK/fake.out" \
	2>"$WORK/fake.err" &
CL_fake=$!
CL_PIDS="$CL_PIDS $CL_fake"
wait_out fake 'SSE default type'
stop fake
# one event has a time (03:04:05 at UTC-01:30); the others are shown at their arrival
sed -e "/^04:34:05 /!$anytime" -e "s|$WORK|WORK|g" "$WORK/fake.out"
echo "stderr (connection notes left out):"
grep -v 'connecting to\|stream ended\|reconnecting in' "$WORK/fake.err"
ls -A "$WORK/media2"
echo "# media over --max-file are not saved"
mkdir -p "$WORK/media3"
echo 0 >"$WORK/fake.state"
"$CLIENT" --server "http://127.0.0.1:$(cat "$WORK/fake.port")" --token faketoken --state "$WORK/fake.state" \
	--fetch-media "$WORK/media3" --max-file 3 -q listen >"$WORK/fake2.out" 2>"$WORK/fake2.err" &
CL_fake2=$!
CL_PIDS="$CL_PIDS $CL_fake2"
wait_out fake2 'SSE default type'
stop fake2
grep -v 'not fetching' "$WORK/fake2.err"
ls -A "$WORK/media3"
echo "# JSON lines name the media saved"
echo 0 >"$WORK/fake.state"
"$CLIENT" --server "http://127.0.0.1:$(cat "$WORK/fake.port")" --token faketoken --state "$WORK/fake.state" \
	--fetch-media "$WORK/media3" -q listen 2>/dev/null >"$WORK/fake4.out" &
CL_fake4=$!
CL_PIDS="$CL_PIDS $CL_fake4"
wait_out fake4 'SSE default type'
stop fake4
grep -o '"saved":{[^}]*}' "$WORK/fake4.out" | sed "s|$WORK|WORK|g"
echo "# on a terminal (a pty from script(1)) the default is cards"
echo 0 >"$WORK/fake.state"
script -qec "\"$CLIENT\" --server http://127.0.0.1:$(cat "$WORK/fake.port") --token faketoken -q \
	--state \"$WORK/fake.state\" listen" /dev/null </dev/null >"$WORK/fake5.out" 2>&1 &
sc=$!
CL_PIDS="$CL_PIDS $sc"
wait_out fake5 'SSE default type'
kill -TERM $(ps -o pid= --ppid $sc)
wait $sc
echo "exit $?; $(grep -c '^{' "$WORK/fake5.out") JSON lines, $(grep -c '^+-- .* card: ' "$WORK/fake5.out") cards"
CL_PIDS=$(echo "$CL_PIDS" | sed "s/ $sc\b//")
echo "# answers tandem-server does not give: a 2xx that is not JSON, a proxy's error page (cleaned)"
fake="http://127.0.0.1:$(cat "$WORK/fake.port")"
run --server "$fake" --token faketoken phone --tdn +4930100 --peer +4930200 --ref r1 call started |
	sed "s|$fake|FAKE|g"
run --server "$fake" --token faketoken send --session 1 --text hi | sed "s|$fake|FAKE|g"
kill $FAKE_PID
wait $FAKE_PID 2>/dev/null
CL_PIDS=$(echo "$CL_PIDS" | sed "s/ $FAKE_PID\b//")

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
run --token x --max-file 9000000000000M listen
run --token x --max-file 1X listen
printf 'x1\n' >"$WORK/bad.state"
run --token x --state "$WORK/bad.state" listen
run --token x --state "$WORK/media" listen
run --token x --server "http://$(printf '%02100d' 0)" listen
run --token x --text hi listen
run --token "$(printf 'x\r\nX-Evil: 1')" listen
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
run --token x phone --tdn +4930100 --peer +4930200 --reason "$(printf '%065d' 0)" call ended
run --token x phone --tdn +4930100 --peer +4930100 call started
run --token x phone --tdn +4930100 --peer withheld call started
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

echo "# a script stopped by SIGTERM while it waits: exit 1, the report not sent"
printf 'started 30\n' >"$WORK/slow.script"
"$CLIENT" --server "$URL" --token x phone --tdn +4930100 --peer +4930200 script "$WORK/slow.script" \
	>"$WORK/slow.out" 2>&1 &
sp=$!
sleep 0.5
kill -TERM $sp
wait $sp
echo "exit $?"
cat "$WORK/slow.out"
echo "# the server unreachable: exit 1"
port=$(srv_free_port)
run --server "http://127.0.0.1:$port" --token x send --session 1 --text hi |
	sed -e "s/$port/PORT/g" -e 's/after [0-9]* ms/after N ms/'
