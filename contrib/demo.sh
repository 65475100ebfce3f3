#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# The tandem demo, the README's main command: the whole product on loopback, nothing faked.
#
# Installs what is missing (contrib/deps.sh), builds in build-demo/, starts a throwaway PostgreSQL,
# osmo-stp, tandem-server and tandem-scp, provisions two subscribers (Alice: a POTS line coupled by IP to
# her PC; Bob: a mobile with a phone app), sets their profiles (name, photo, e-mail), starts a tandem-client
# for each device and places three calls with tandem-ssp, the switch simulator:
#   1. AIN origination from Alice's POTS line to Bob's mobile (Bob's phone app reports its side too);
#   2. CAMEL termination from Bob's mobile to Alice's POTS line;
#   3. CAMEL termination to Alice from a caller who withheld the number.
# For each call it shows what each device receives: the caller card before the answer, the answer, a
# message relayed through the call's session, and the end. Each step is checked: the demo stops with a
# non-zero status naming the step that did not happen. Then everything is stopped and removed.
#
# usage: contrib/demo.sh [--no-build] [--builddir DIR] [--keep]
#   --no-build      use an existing build (default: install packages, configure and make build-demo/)
#   --builddir DIR  the build to use (default: build-demo/ in the source tree)
#   --keep          keep the working directory (logs, configs, the clients' event streams)
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=1
builddir=$top/build-demo
keep=
while [ $# -gt 0 ]; do
	case $1 in
	--no-build) build= ;;
	--builddir) builddir=$(cd "${2:?--builddir needs a directory}" && pwd) || exit 2; shift ;;
	--keep) keep=1 ;;
	-h|--help) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done

if [ -n "$build" ]; then
	echo "demo: installing packages and building (build-demo/); this takes a few minutes the first time"
	"$top/contrib/deps.sh" >/dev/null || { echo "demo: contrib/deps.sh failed" >&2; exit 1; }
	(
		set -e
		cd "$top"
		[ -x configure ] || autoreconf -fi >/dev/null 2>&1
		mkdir -p "$builddir"
		cd "$builddir"
		[ -f config.status ] || "$top/configure" >/dev/null
		make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
	) >"${TMPDIR:-/tmp}/tandem-demo-build.log" 2>&1 ||
		{ tail -n 30 "${TMPDIR:-/tmp}/tandem-demo-build.log" >&2; echo "demo: build failed" >&2; exit 1; }
fi
for b in server/tandem-server scp/tandem-scp tools/tandem-ssp tools/tandem-client; do
	[ -x "$builddir/$b" ] || { echo "demo: $builddir/$b is missing (build first, or drop --no-build)" >&2; exit 1; }
done

abs_top_srcdir=$top
abs_top_builddir=$builddir
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tandem-demo.XXXXXX")
export abs_top_srcdir abs_top_builddir WORK
. "$top/tests/pg-harness.sh"
. "$top/tests/server_lib.sh"
. "$top/tests/stp-harness.sh"
B=$builddir
D=$WORK

PIDS=
stp_cleanup_hook()
{
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	PIDS=
}
demo_cleanup()
{
	stp_harness_cleanup
	harness_cleanup
	if [ -n "$keep" ]; then
		echo "demo: kept $WORK"
	else
		rm -rf "$WORK"
	fi
}

fail()
{
	echo "demo: FAILED: $*" >&2
	for f in srv.log scp.log ssp.err; do
		[ -s "$D/$f" ] && { echo "--- $f (last lines)" >&2; tail -n 15 "$D/$f" >&2; }
	done
	exit 1
}

if [ -t 1 ]; then
	BOLD=$(printf '\033[1m')
	PLAIN=$(printf '\033[0m')
else
	BOLD=
	PLAIN=
fi
say()
{
	printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"
}

ALICE=+12015550100
BOB=+12015550177
STRANGER=+12015550142

# ---------------------------------------------------------------------------------------------------------
say "starting PostgreSQL, tandem-server, osmo-stp and tandem-scp on loopback"
srv_setup || fail "tandem-server did not start"
trap 'demo_cleanup' EXIT
stp_start asp-scp:0.23.1:0.23.2 asp-ssp:0.23.2:0.23.1 || fail "osmo-stp did not start"
trap 'demo_cleanup' EXIT
. "$abs_top_srcdir/tests/scp_lib.sh"
echo "PostgreSQL in $PG_DIR, tandem-server on $URL, osmo-stp IPA on 127.0.0.1:$STP_IPA_PORT"

req POST /v1/api-keys '{"role":"engineer","label":"demo engineer"}' >/dev/null
ENG=$(json_get key)
req POST /v1/api-keys '{"role":"scp","label":"demo tandem-scp"}' >/dev/null
SCP_KEY=$(json_get key)
[ -n "$ENG" ] && [ -n "$SCP_KEY" ] || fail "API keys: $RESP"

scp_config "$D/scp.cfg" <<EOF
scp
 country-code 1
 national-prefix 1
 international-prefix 011
 national-length 10
 ssn 146 cap
 ssn 247 ain
 service-key 100 continue monitor
 ain-amaslp-id 0123456789
 ain-trigger any proceed monitor
notifier
 instance-id scp-demo
 spool-path $D/events.spool
 api-key $SCP_KEY
 default-url $URL/v1/call-events
EOF
ssp_config "$D/ssp.cfg" </dev/null
scp_start "$D/scp.cfg" "$D/scp.log" || fail "tandem-scp did not start"
PIDS="$PIDS $SCP_PID"
echo "tandem-scp: CAP on SSN 146, AIN on SSN 247, reporting calls to tandem-server"

# ---------------------------------------------------------------------------------------------------------
say "provisioning (as a network engineer would, with an engineer API key)"
eng()
{
	req "$1" "$2" "${3-}" "$ENG" >/dev/null
	case $CODE in
	2??) ;;
	*) fail "$1 $2 -> $CODE $RESP" ;;
	esac
}
eng POST /v1/subscribers "{\"tdn\":\"$ALICE\",\"label\":\"Alice Martin, POTS line\"}"
eng POST /v1/subscribers "{\"tdn\":\"$BOB\",\"label\":\"Bob Chen, mobile\"}"
eng POST /v1/devices "{\"tdn\":\"$ALICE\",\"kind\":\"pc\",\"ip\":\"127.0.0.1/32\",\"label\":\"Alice's PC\"}"
ALICE_PC=$(json_get id)
ALICE_TOKEN=$(json_get token)
eng POST /v1/couplings "{\"tdn\":\"$ALICE\",\"device_id\":$ALICE_PC}"
eng POST /v1/devices "{\"tdn\":\"$BOB\",\"kind\":\"phone\",\"app_id\":\"tandem-demo\",\"label\":\"Bob's phone\"}"
BOB_PHONE=$(json_get id)
BOB_TOKEN=$(json_get token)
eng POST /v1/couplings "{\"tdn\":\"$BOB\",\"device_id\":$BOB_PHONE}"
echo "Alice $ALICE: POTS line coupled to her PC (device $ALICE_PC, only from 127.0.0.1)"
echo "Bob   $BOB: mobile with the phone app (device $BOB_PHONE)"

say "the subscribers set their caller cards (each with their own device token)"
# a small PNG photo, made here: 32x32, one colour per subscriber
photo()
{
	python3 - "$1" "$2" <<'EOF'
import struct, sys, zlib
r, g, b = (int(sys.argv[1][i:i + 2], 16) for i in (0, 2, 4))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
raw = b"".join(b"\0" + bytes((r, g, b)) * 32 for _ in range(32))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 32, 32, 8, 2, 0, 0, 0)) + \
    chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[2], "wb").write(png)
EOF
}
dev()
{
	req "$1" "$2" "${3-}" "$4" "${5-application/json}" >/dev/null
	case $CODE in
	2??) ;;
	*) fail "$1 $2 -> $CODE $RESP" ;;
	esac
}
photo 3366cc "$D/alice.png"
photo cc6633 "$D/bob.png"
dev PUT /v1/me/profile/name '{"value":"Alice Martin"}' "$ALICE_TOKEN"
dev PUT /v1/me/profile/email '{"value":"alice@example.net"}' "$ALICE_TOKEN"
curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $ALICE_TOKEN" -H 'Content-Type: image/png' \
	--data-binary "@$D/alice.png" "$URL/v1/me/profile/photo" | grep -q 200 || fail "Alice's photo upload"
dev PUT /v1/me/default-audience '{"fields":["name","photo","email"]}' "$ALICE_TOKEN"
dev PUT /v1/me/profile/name '{"value":"Bob Chen"}' "$BOB_TOKEN"
dev PUT /v1/me/profile/email '{"value":"bob.chen@example.org"}' "$BOB_TOKEN"
curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $BOB_TOKEN" -H 'Content-Type: image/png' \
	--data-binary "@$D/bob.png" "$URL/v1/me/profile/photo" | grep -q 200 || fail "Bob's photo upload"
dev PUT /v1/me/default-audience '{"fields":["name","photo","email"]}' "$BOB_TOKEN"
echo "Alice and Bob show name, photo and e-mail to everyone (their default audience)"

# ---------------------------------------------------------------------------------------------------------
say "starting a tandem-client on each device"
# Each device runs two clients: one prints readable cards here (what a person sees), one writes the
# events as JSON lines, which this script checks.
client()
{
	# client NAME TOKEN PREFIX. A state file holding id 0 makes each client start from the device's first
	# event, so nothing is missed however long the connection takes to come up.
	echo 0 >"$D/$1.json.state"
	echo 0 >"$D/$1.card.state"
	TANDEM_TOKEN=$2 "$B/tools/tandem-client" --server "$URL" --state "$D/$1.json.state" --format json \
		listen >"$D/$1.jsonl" 2>"$D/$1.err" &
	PIDS="$PIDS $!"
	# the readable view goes through a FIFO to sed, so that stopping the client ends sed too
	mkfifo "$D/$1.cards"
	TANDEM_TOKEN=$2 "$B/tools/tandem-client" --server "$URL" --state "$D/$1.card.state" --format card -q \
		listen >"$D/$1.cards" 2>/dev/null &
	PIDS="$PIDS $!"
	sed -u "s/^/$3 /" <"$D/$1.cards" &
	PIDS="$PIDS $!"
}
client alice "$ALICE_TOKEN" "[Alice's PC] "
client bob "$BOB_TOKEN" "[Bob's phone]"

# wait_event FILE TYPE [JQ-CONDITION]: up to 10 s until FILE has an event TYPE (matching the condition);
# prints its data
wait_event()
{
	_i=0
	while [ $_i -lt 100 ]; do
		_e=$(jq -c --arg t "$2" "select(.event == \$t) | select(${3:-true}) | .data" "$D/$1.jsonl" \
			2>/dev/null | tail -n 1)
		[ -n "$_e" ] && { printf '%s\n' "$_e"; return 0; }
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# seq_of FILE TYPE SESSION: the event id of the first TYPE event of SESSION in FILE
seq_of()
{
	jq -r --arg t "$2" --argjson s "$3" 'select(.event == $t and .data.session == $s) | .id' "$D/$1.jsonl" |
		head -n 1
}

# ssp ARGS...: place a call in the background (the switch plays answer and release on its own clock)
ssp()
{
	"$B/tools/tandem-ssp" -c "$D/ssp.cfg" call "$@" >"$D/ssp.out" 2>"$D/ssp.err" &
	SSP_PID=$!
}
ssp_wait()
{
	wait "$SSP_PID" || fail "tandem-ssp: the call failed: $(tail -n 1 "$D/ssp.err")"
	echo "[switch]      the SCP's instructions: $(jq -r '[.components[]?.operation] | join(", ")' \
		"$D/ssp.out" | grep -v '^$' | tr '\n' ';' | sed 's/;$//; s/;/; then /g')"
}

# check_call NAME SESSION-VAR RECEIVER-OF-CARD ...: the common checks of one call
card_before_answer()
{
	_c=$(seq_of "$1" card "$2")
	_a=$(seq_of "$1" call.answered "$2")
	[ -n "$_c" ] && [ -n "$_a" ] && [ "$_c" -lt "$_a" ] ||
		fail "call $3: $1's card (event ${_c:-none}) did not come before the answer (event ${_a:-none})"
}

# ---------------------------------------------------------------------------------------------------------
say "call 1: Alice lifts her POTS handset and dials Bob's mobile (AIN origination trigger)"
ssp --protocol ain --direction orig --calling "${ALICE#+1}" --called "${BOB#+1}" --answer-after 3 --hold 3
# Bob's phone rings: his app reports the call it sees
"$B/tools/tandem-client" --server "$URL" --token "$BOB_TOKEN" phone --tdn "$BOB" --peer "$ALICE" --incoming \
	--ref demo-1 call started >/dev/null 2>"$D/phone.err" || fail "call 1: Bob's phone app: $(cat "$D/phone.err")"
E=$(wait_event alice call.outgoing) || fail "call 1: Alice's PC got no call.outgoing"
S1=$(printf '%s' "$E" | jq .session)
wait_event bob card ".data.session == $S1" >/dev/null || fail "call 1: Bob's phone got no card of Alice"
wait_event alice card ".data.session == $S1" >/dev/null || fail "call 1: Alice's PC got no card of Bob"
wait_event alice call.answered ".data.session == $S1" >/dev/null || fail "call 1: no call.answered"
card_before_answer bob "$S1" 1
"$B/tools/tandem-client" --server "$URL" --token "$ALICE_TOKEN" send --session "$S1" \
	--text "Hi Bob, the slides are in the link I am sending" >/dev/null 2>"$D/send.err" ||
	fail "call 1: Alice's message was refused: $(cat "$D/send.err")"
"$B/tools/tandem-client" --server "$URL" --token "$ALICE_TOKEN" send --session "$S1" \
	--url "https://example.net/slides.pdf" >/dev/null 2>"$D/send.err" ||
	fail "call 1: Alice's link was refused: $(cat "$D/send.err")"
wait_event bob message ".data.session == $S1 and .data.kind == \"url\"" >/dev/null ||
	fail "call 1: Bob's phone did not get Alice's link"
ssp_wait
wait_event alice call.ended ".data.session == $S1" >/dev/null || fail "call 1: Alice's PC got no call.ended"
wait_event bob call.ended ".data.session == $S1" >/dev/null || fail "call 1: Bob's phone got no call.ended"
"$B/tools/tandem-client" --server "$URL" --token "$BOB_TOKEN" phone --tdn "$BOB" --peer "$ALICE" --incoming \
	--ref demo-1 call ended >/dev/null 2>"$D/phone.err" || fail "call 1: Bob's phone app: $(cat "$D/phone.err")"

# ---------------------------------------------------------------------------------------------------------
say "call 2: Bob calls Alice's POTS line from his mobile (CAMEL T-CSI termination trigger)"
dev PUT /v1/me/profile/email '{"value":"bob@chen.example"}' "$BOB_TOKEN"
echo "(Bob changed his e-mail since call 1: Alice's PC gets only that field again, and is told that it still"
echo " holds the current name and photo; Bob's phone already holds all of Alice's card)"
"$B/tools/tandem-client" --server "$URL" --token "$BOB_TOKEN" phone --tdn "$BOB" --peer "$ALICE" \
	--ref demo-2 call started >/dev/null 2>"$D/phone.err" || fail "call 2: Bob's phone app: $(cat "$D/phone.err")"
ssp --protocol cap2 --direction term --calling "$BOB" --called "$ALICE" --answer-after 3 --hold 3
E=$(wait_event alice call.incoming ".data.caller.tdn == \"$BOB\"") || fail "call 2: Alice's PC got no call.incoming"
S2=$(printf '%s' "$E" | jq .session)
E=$(wait_event alice card ".data.session == $S2") || fail "call 2: Alice's PC got no card of Bob"
[ "$(printf '%s' "$E" | jq -c '[(.fields | keys), .unchanged]')" = '[["email"],["name","photo"]]' ] ||
	fail "call 2: Alice's PC should get Bob's new e-mail only: $E"
wait_event alice call.answered ".data.session == $S2" >/dev/null || fail "call 2: no call.answered"
card_before_answer alice "$S2" 2
"$B/tools/tandem-client" --server "$URL" --token "$BOB_TOKEN" send --session "$S2" \
	--location 40.7411,-74.0018,25 >/dev/null 2>"$D/send.err" ||
	fail "call 2: Bob's location was refused: $(cat "$D/send.err")"
wait_event alice message ".data.session == $S2 and .data.kind == \"location\"" >/dev/null ||
	fail "call 2: Alice's PC did not get Bob's location"
ssp_wait
wait_event alice call.ended ".data.session == $S2" >/dev/null || fail "call 2: Alice's PC got no call.ended"

# ---------------------------------------------------------------------------------------------------------
say "call 3: someone who withholds the number calls Alice (CAMEL termination, presentation restricted)"
ssp --protocol cap2 --direction term --calling "$STRANGER" --withheld --called "$ALICE" --answer-after 2 --hold 2
E=$(wait_event alice call.incoming ".data.caller.withheld == true") ||
	fail "call 3: Alice's PC got no call.incoming"
S3=$(printf '%s' "$E" | jq .session)
printf '%s' "$E" | grep -q "${STRANGER#+}" && fail "call 3: the withheld number reached Alice's PC"
wait_event alice call.answered ".data.session == $S3" >/dev/null || fail "call 3: no call.answered"
ssp_wait
wait_event alice call.ended ".data.session == $S3" >/dev/null || fail "call 3: Alice's PC got no call.ended"
[ -z "$(seq_of alice card "$S3")" ] || fail "call 3: a withheld caller's card reached Alice's PC"
grep -q "${STRANGER#+}" "$D/alice.jsonl" && fail "call 3: the withheld number appears in Alice's events"
echo "[check]       no card and no digits of the withheld caller reached Alice's PC"

sleep 0.5
say "done: 3 calls, every card before its answer, messages relayed, every end seen; stopping everything"
exit 0
