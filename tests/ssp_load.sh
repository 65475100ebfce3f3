#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-ssp load and echo on loopback: osmo-stp (IPA over TCP) + tandem-scp (or tandem-ssp echo)
# + tandem-ssp load. Prints what does not depend on timing: call counts, the JSON summary's
# members, whether its latency quantiles are ordered, the SCP's active dialogues afterwards.
#   usage: ssp_load.sh BUILDDIR SRCDIR GROUP
#   GROUP: limits (refusals, no network), scp (CAP/INAP/AIN trigger and monitor runs against
#          tandem-scp), echo (load against the echo responder)
set -u
BUILDDIR=$1
SRCDIR=$2
GROUP=$3
SSP=$BUILDDIR/tools/tandem-ssp
. "$SRCDIR/tests/stp-harness.sh"

SCP_PID=
ECHO_PID=
stp_cleanup_hook()
{
	for _p in $ECHO_PID $SCP_PID; do
		kill "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	ECHO_PID=
	SCP_PID=
}

# ssp_cfg FILE PORT [EXTRA LINES]: the switch's config
ssp_cfg()
{
	cat >"$1" <<EOF
log stderr
 logging filter all 1
 logging color 0
 logging level set-all notice
cs7 instance 0
 point-code 0.23.2
 asp asp-ssp $2 0 ipa
  remote-ip 127.0.0.1
 as as-ssp ipa
  asp asp-ssp
  routing-key 0 0.23.2
${3:-}
EOF
}

# load NAME ARGS...: one load run; its exit status, counts and the JSON summary's shape
load()
{
	_name=$1
	shift
	echo "== $_name"
	"$SSP" -c "$D/ssp.cfg" load --json "$D/load.json" "$@" >"$D/load.out" 2>"$D/load.err"
	echo "exit $?"
	if [ ! -s "$D/load.json" ]; then
		echo "no JSON summary; stderr:"
		cat "$D/load.err"
		return
	fi
	jq -r '"started \(.started) answered \(.answered) unanswered \(.unanswered) completed \(.completed) " +
		"failed \(.failed) \(.failures | to_entries | map("\(.key) \(.value)") | join(" "))",
		"members: \(keys_unsorted | join(" "))",
		"latency_ms: \(.latency_ms | keys_unsorted | join(" "))",
		"quantiles ordered: \(.latency_ms | [.min, .p50, .p90, .p99, .["p99.9"], .max] |
			(. == sort and .[0] > 0))",
		"messages: sent \(.messages.sent) received \(.messages.received)",
		"achieved rate within 5 %: \(.rate as $r | (.achieved_rate - $r) | fabs < $r * 0.05)"' "$D/load.json"
	# the progress lines on stderr, one a second (how many depends on the clock)
	if grep -q '^tandem-ssp: *[0-9]*s started [0-9]* (+[0-9]*) answered .* p99 [0-9.]* ms$' "$D/load.err"; then
		echo "progress lines: yes"
	else
		echo "progress lines: none"
	fi
	rm -f "$D/load.json"
}

case "$GROUP" in
limits)
	D=$(mktemp -d "${TMPDIR:-/tmp}/tandem-load.XXXXXX") || exit 1
	trap 'rm -rf "$D"' EXIT
	ssp_cfg "$D/ssp.cfg" 19999
	ssp_cfg "$D/low.cfg" 19999 "load-limit rate 10
load-limit duration 2
load-limit dialogues 50"
	try()
	{
		echo "== $*" | sed "s|$D|DIR|g"
		"$SSP" "$@" >"$D/out" 2>"$D/err"
		echo "exit $?"
		# (libosmo-sigtran: the ASP of the config cannot restart a server; not ours to mind)
		grep -v 'ASP Restart for server' "$D/err" | sed "s|$SSP|tandem-ssp|"
	}
	try -c "$D/ssp.cfg" load --protocol cap2 --scenario trigger --rate 1001 --duration 1
	try -c "$D/ssp.cfg" load --protocol cap2 --scenario trigger --rate 10 --duration 301
	try -c "$D/low.cfg" load --protocol inap --scenario trigger --rate 11 --duration 1
	try -c "$D/low.cfg" load --protocol inap --scenario trigger --rate 10 --duration 3
	try -c "$D/low.cfg" load --protocol ain --scenario monitor --rate 10 --duration 1 --answer-after 1 --hold 5
	try -c "$D/low.cfg" echo --protocol cap2 --duration 3
	try -c "$D/ssp.cfg" load --protocol cap2 --scenario sometimes --rate 1 --duration 1
	try -c "$D/ssp.cfg" load --protocol cap2 --scenario trigger --rate 1
	try -c "$D/ssp.cfg" load --protocol cap2 --scenario trigger --rate 0 --duration 1
	try -c "$D/ssp.cfg" load --protocol ain --scenario trigger --rate 1 --duration 1 --called-range 100-199
	try -c "$D/ssp.cfg" load --protocol cap2 --scenario trigger --rate 1 --duration 1 --called-range 20-1
	try -c "$D/ssp.cfg" load --protocol cap2 --scenario trigger --rate 1 --duration 1 --hold
	;;
scp)
	stp_start asp-scp:0.23.1:0.23.2 asp-ssp:0.23.2:0.23.1 || exit $?
	D=$STP_DIR
	. "$SRCDIR/tests/scp_lib.sh"
	scp_config "$D/scp.cfg" <<EOF
scp
 country-code 1
 national-prefix 1
 international-prefix 011
 national-length 10
 ssn 146 cap
 ssn 241 inap
 ssn 247 ain
 service-key 100 continue monitor
 service-key 101 continue
 ain-amaslp-id 0123456789
 ain-trigger 5 continue
 ain-trigger 8 proceed monitor
EOF
	ssp_cfg "$D/ssp.cfg" "$STP_IPA_PORT"
	scp_start "$D/scp.cfg" "$D/scp.log" || exit 1
	load "cap2 trigger, 20 calls/s for 3 s" --protocol cap2 --scenario trigger --service-key 101 --rate 20 \
		--duration 3
	load "cap4 monitor, 20 calls/s for 3 s, answer 0.5 s, hold 1 s" --protocol cap4 --scenario monitor \
		--service-key 100 --rate 20 --duration 3 --answer-after 0.5 --hold 1
	load "inap monitor, terminating, 20 calls/s for 2 s" --protocol inap --scenario monitor --direction term \
		--rate 20 --duration 2 --answer-after 0.2 --hold 0.5
	load "ain trigger, 20 calls/s for 2 s" --protocol ain --scenario trigger --tct 5 --rate 20 --duration 2
	load "ain monitor, 20 calls/s for 3 s" --protocol ain --scenario monitor --rate 20 --duration 3 \
		--answer-after 0.5 --hold 1
	# a scenario the SCP's rules do not give: every call is an error, and the exit status says so
	load "cap2 monitor against a rule without monitoring, 10 calls/s for 1 s" --protocol cap2 --scenario monitor \
		--service-key 101 --rate 10 --duration 1 --quiet
	echo "SCP dialogues active afterwards: $(python3 "$SRCDIR/tests/osmo_vty.py" ctrl "$SCP_ADDR" 4261 \
		dialogues-active)"
	;;
echo)
	stp_start asp-scp:0.23.1:0.23.2 asp-ssp:0.23.2:0.23.1 || exit $?
	D=$STP_DIR
	# the echo responder takes the SCP's place (point code 0.23.1, ASP asp-scp)
	cat >"$D/echo.cfg" <<EOF
log stderr
 logging filter all 1
 logging color 0
 logging level set-all notice
cs7 instance 0
 point-code 0.23.1
 asp asp-scp $STP_IPA_PORT 0 ipa
  remote-ip 127.0.0.1
 as as-scp ipa
  asp asp-scp
  routing-key 0 0.23.1
EOF
	ssp_cfg "$D/ssp.cfg" "$STP_IPA_PORT"
	for P in cap2 ain; do
		# emptied here, not only by the redirection in the background child: the wait below must not
		# see the previous responder's line before the child has truncated the file
		: >"$D/echo.err"
		"$SSP" -c "$D/echo.cfg" echo --protocol $P --duration 30 >"$D/echo.out" 2>"$D/echo.err" &
		ECHO_PID=$!
		_n=0
		while [ $_n -lt 300 ] && ! grep -q 'echo: answering' "$D/echo.err"; do
			sleep 0.1
			_n=$((_n + 1))
		done
		grep '^tandem-ssp: echo' "$D/echo.err" | sed 's/ for [0-9]* s$//'
		load "$P trigger against echo, 50 calls/s for 2 s" --protocol $P --scenario trigger --rate 50 --duration 2
		# what echo answers is a complete call for `call` too (decoded by tandem-decode)
		echo "== call against echo"
		"$SSP" -c "$D/ssp.cfg" call --protocol $P --direction orig --called 2015550199 --calling 2125550100 \
			2>/dev/null | jq -c '[.type, (.dialogue // empty), (.components[]? | .operation)]'
		# a message that is not a Begin/Query is dropped, not answered
		if [ $P = cap2 ]; then
			"$SSP" -c "$D/ssp.cfg" send-raw --wait 0.5 '6406490400000001' >/dev/null 2>&1
		fi
		kill -TERM $ECHO_PID
		wait $ECHO_PID
		echo "echo exit $?"
		sed 's/, in [0-9.]* s$//' "$D/echo.out"
		ECHO_PID=
	done
	;;
*)
	echo "unknown group $GROUP" >&2
	exit 2
	;;
esac
exit 0
