#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-scp AIN (ANSI TCAP) against a real osmo-stp over IPA, the switch side played by
# tests/ain_ssp: one scenario per call, what the switch received on stdout, then the
# SCP's active dialogues (CTRL) and its call records (show calls, times removed).
# libosmo-sigtran 1.6 has no ANSI SCCP variant (its `point-code format` only changes how
# point codes are written), so ANSI TCAP rides on ITU SCCP with 3.8.3 point codes here.
#   usage: scp_ain.sh BUILDDIR SRCDIR SCENARIO-ARGS...   (each SCENARIO-ARGS: "orig --withheld")
#   TSHARK=1: tshark captures the loopback IPA port meanwhile and prints, for each package the
#   SCP sent, how tshark decodes it (gsm_ipa -> ITU SCCP -> ANSI TCAP -> AIN), and any error
set -u
BUILDDIR=$1
SRCDIR=$2
shift 2
. "$SRCDIR/tests/stp-harness.sh"

SCP_PID=
CAP_PID=
stp_cleanup_hook()
{
	for _p in $SCP_PID $CAP_PID; do
		kill "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
}

stp_start asp-scp:0.23.1:0.23.2 asp-ssp:0.23.2:0.23.1 || exit $?
. "$SRCDIR/tests/scp_lib.sh"

CAPTURE=
if [ "${TSHARK:-0}" = 1 ]; then
	CAPTURE=$STP_DIR/ain.pcapng
	tshark -q -i lo -f "tcp port $STP_IPA_PORT" -w "$CAPTURE" >"$STP_DIR/tshark.log" 2>&1 &
	CAP_PID=$!
	_n=0
	while ! grep -q 'Capturing on' "$STP_DIR/tshark.log" && [ $_n -lt 100 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
fi

scp_config "$STP_DIR/scp.cfg" <<EOF
scp
 country-code 1
 national-prefix 1
 international-prefix 011
 national-length 10
 ssn 247 ain
 ain-amaslp-id 0123456789
 ain-trigger 8 proceed monitor
 ain-trigger 15 proceed monitor
 ain-trigger 5 continue
 ain-trigger 6 connect 2015550199
 ain-trigger 7 release 21
 timer ain X1 3
EOF
ssp_config "$STP_DIR/ssp.cfg" </dev/null

scp_start "$STP_DIR/scp.cfg" "$STP_DIR/scp.log" || exit 1

ctrl()
{
	echo "ctrl: $(python3 "$SRCDIR/tests/osmo_vty.py" ctrl "$SCP_ADDR" 4261 --raw "$1")"
}

vty()
{
	python3 "$SRCDIR/tests/osmo_vty.py" vty "$SCP_ADDR" 4260 "$@"
}

for sc in "$@"; do
	echo "== $sc"
	# shellcheck disable=SC2086
	"$BUILDDIR/tests/ain_ssp" -c "$STP_DIR/ssp.cfg" --ssn 247 $sc 2>>"$STP_DIR/ssp.log"
done
ctrl dialogues-active
vty "show calls" | sed -E 's/(trigger|answered|end)=[0-9:.]+/\1=T/g'

if [ -n "$CAP_PID" ]; then
	sleep 0.5
	kill -INT "$CAP_PID"
	wait "$CAP_PID"
	CAP_PID=
	# what the SCP (0.23.1 = 185) sent towards osmo-stp; operation codes in decimal (0x6d01 = 27905
	# RequestReportBCMEvent, 0x6501 = 25857 AnalyzeRoute, 0x650d = 25869 Continue)
	echo "tshark: package ops called-digits amaslp-id edp-request-oDisconnect edp-notification-oAnswer errors"
	tshark -n -r "$CAPTURE" -d "tcp.port==$STP_IPA_PORT,gsm_ipa" -o tcap.ssn:247 \
		-Y "tcp.dstport==$STP_IPA_PORT && sccp.calling.pc==185" -T fields -E occurrence=a -E aggregator=, \
		-e ansi_tcap.conversationWithPerm_element -e ansi_tcap.response_element -e ansi_tcap.private \
		-e ain.bcd_digits -e ain.amaslpid -e ain.EDPRequest.U.oDisconnect -e ain.EDPNotification.U.oAnswer \
		-e _ws.malformed -e _ws.expert 2>"$STP_DIR/tshark.err" |
		awk -F'\t' '{ printf "tshark: %s %s %s %s %s %s %s\n", $1 ? "conversation_with_perm" : $2 ? "response" : "?",
			$3, $4 ? $4 : "-", $5 ? $5 : "-", $6 ? $6 : "-", $7 ? $7 : "-", $8 $9 ? "ERROR " $8 $9 : "ok" }'
fi
kill "$SCP_PID"
wait "$SCP_PID"
echo "tandem-scp exit: $?"
SCP_PID=
if [ -n "${SCP_AIN_LOG:-}" ]; then
	cat "$STP_DIR/scp.log" >&2
fi
