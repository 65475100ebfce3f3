#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# CAP, INAP and AIN calls end to end on loopback: osmo-stp (IPA over TCP) + tandem-scp + tandem-ssp.
# Each call prints what tandem-ssp received (a short form of its JSON), its exit status and
# last stderr line; the SCP's `show calls` and counters are printed after the calls; a
# tshark capture of the IPA port checks what the SCP sent (AC, opcodes, RRBE events, legs,
# Connect/ReleaseCall fields), decoded independently of our code.
#   usage: scp_calls.sh BUILDDIR SRCDIR GROUP
#   GROUP: cap (v2/v3/v4 orig/term, monitored and not), inap, ain, withheld, errors, cleanup
set -u
BUILDDIR=$1
SRCDIR=$2
GROUP=$3
. "$SRCDIR/tests/stp-harness.sh"

SCP_PID=
TSHARK_PID=
stp_cleanup_hook()
{
	for _p in $TSHARK_PID $SCP_PID; do
		kill "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	TSHARK_PID=
	SCP_PID=
}

stp_start asp-scp:0.23.1:0.23.2 asp-ssp:0.23.2:0.23.1 || exit $?
. "$SRCDIR/tests/scp_lib.sh"
D=$STP_DIR
# the cleanup group lets the SCP's timers end a call whose switch went quiet, and ask a quiet one: short ones
if [ "$GROUP" = cleanup ]; then
	SCP_X1=2
	SCP_X10=1
	AIN_X1=2
	AIN_X2=1
fi

# tandem-scp: CAP on 146, INAP on 241; one rule per kind of answer
scp_config "$D/scp.cfg" " logging level call info" <<EOF
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
 service-key 200 connect +15550100 monitor
 service-key 201 connect 2015550111
 service-key 300 release 21
 ain-amaslp-id 0123456789
 ain-trigger 5 continue
 ain-trigger 6 connect 2015550111
 ain-trigger 7 release 21
 ain-trigger 8 proceed monitor
 ain-trigger 15 proceed monitor
 timer scp X1 ${SCP_X1:-60}
 timer scp X10 ${SCP_X10:-5}
 timer ain X1 ${AIN_X1:-7200}
 timer ain X2 ${AIN_X2:-10}
EOF

ssp_config "$D/ssp.cfg" </dev/null

scp_start "$D/scp.cfg" "$D/scp.log" || exit 1

# Capture the IPA port from before the first call to after the last one.
TSHARK_OK=0
if command -v tshark >/dev/null 2>&1; then
	tshark -q -i lo -f "tcp port $STP_IPA_PORT" -w "$D/cap.pcapng" >"$D/tshark.log" 2>&1 &
	TSHARK_PID=$!
	_n=0
	while [ $_n -lt 100 ] && ! grep -q "Capturing on" "$D/tshark.log" 2>/dev/null; do
		sleep 0.1
		_n=$((_n + 1))
	done
	grep -q "Capturing on" "$D/tshark.log" && TSHARK_OK=1
	# dumpcap says so a moment before its filter is in place: seen missing the first frames
	sleep 1
fi

# Short form of one received message: type, dialogue, abort cause, then each component.
SUMMARY='
def num: if . == null then "-" else (if .nature == "international" then "+" else "" end) + .digits end;
def comp:
  if .kind == "invoke" then
    (.operation // ("op" + (.opcode|tostring))) +
    (if .operation == "requestReportBCSMEvent" then
       "(" + ([.arg.bcsm_events[]? |
               "\(.event_type)/\(.leg_id // {} | to_entries | map("\(.key)=\(.value)") | join(""))/\(.monitor_mode)"]
              | join(" ")) + ")"
     elif .operation == "requestReportBCMEvent" then
       "(request=" + (.arg.edp_request // [] | join(",")) + " notification=" + (.arg.events // [] | join(",")) + ")"
     elif .operation == "analyzeRoute" then "(" + (.arg.called_party | num) + ")"
     elif .operation == "connect" then "(" + ([.arg.destination_routing_address[]? | num] | join(",")) + ")"
     elif .operation == "releaseCall" then "(cause " + (.arg.cause.value|tostring) + ")"
     else "" end)
  elif .kind == "reject" then "reject(\(.problem.type):\(.problem.code))"
  else .kind + "(" + (.operation // "") + ")" end;
[.type, (.dialogue // empty), (if .abort_cause then "cause=\(.abort_cause)" else empty end),
 (.components // [] | map(comp) | join(" "))] | map(select(. != "")) | join(" ")'

# ssp NAME ARGS...: one tandem-ssp run
ssp()
{
	_name=$1
	shift
	echo "== $_name"
	"$BUILDDIR/tools/tandem-ssp" -c "$D/ssp.cfg" "$@" >"$D/ssp.out" 2>"$D/ssp.err"
	_rc=$?
	jq -r "$SUMMARY" <"$D/ssp.out"
	echo "exit $_rc: $(tail -n 1 "$D/ssp.err" | sed 's/otid=[0-9a-f]*//')"
}

vty()
{
	python3 "$SRCDIR/tests/osmo_vty.py" vty "$SCP_ADDR" 4260 "$@"
}

ctrl_get()
{
	python3 "$SRCDIR/tests/osmo_vty.py" ctrl "$SCP_ADDR" 4261 "$1"
}

# `show calls` without the time stamps
show_calls()
{
	vty "show calls 64" | sed -E 's/(trigger|answered|end)=[0-9:.]+/\1=T/g'
}

# the SCP's counters of one subsystem that are not 0
counters()
{
	vty "show rate-counters" | awk -v idx="$1" '
		/^[A-Za-z].*:$/ { ingrp = ($0 ~ "service logic of one subsystem") && ($0 ~ idx); next }
		ingrp && $2 != "0" { sub(/:$/, "", $1); print " " $1 " " $2 }'
}

# Hand-built TCAP messages for send-raw (a tiny BER builder; AARQ with the CAP v2 AC).
#   msg begin OTID [op:ID:OPCODE[:PARAMHEX]]...     Begin with an AARQ
#   msg continue OTID DTID [op:...]...                Continue without dialogue portion
#   msg abort DTID                                    Abort with neither cause nor ABRT (TC-U-ABORT)
msg()
{
	python3 - "$@" <<'EOF'
import sys
def tlv(tag, body):
    n = len(body)
    ln = bytes([n]) if n < 128 else bytes([0x81, n])
    return bytes([tag]) + ln + body
def aarq(ac):
    arcs = [int(x) for x in ac.split(".")]   # every arc after the first two is < 128 here
    oid = bytes([arcs[0] * 40 + arcs[1]] + arcs[2:])
    apdu = tlv(0x60, tlv(0x80, b"\x07\x80") + tlv(0xa1, tlv(0x06, oid)))
    ext = tlv(0x06, bytes.fromhex("00118605010101")) + tlv(0xa0, apdu)
    return tlv(0x6b, tlv(0x28, ext))
def comps(args):
    out = b""
    for a in args:
        f = a.split(":")
        body = tlv(0x02, bytes([int(f[1])])) + tlv(0x02, bytes([int(f[2])]))
        if len(f) > 3:
            body += bytes.fromhex(f[3])
        out += tlv(0xa1, body)
    return tlv(0x6c, out) if out else b""
kind, a = sys.argv[1], sys.argv[2:]
if kind == "begin":
    m = tlv(0x62, tlv(0x48, bytes.fromhex(a[0])) + aarq("0.4.0.0.1.0.50.1") + comps(a[1:]))
elif kind == "continue":
    m = tlv(0x65, tlv(0x48, bytes.fromhex(a[0])) + tlv(0x49, bytes.fromhex(a[1])) + comps(a[2:]))
else:
    m = tlv(0x67, tlv(0x49, bytes.fromhex(a[0])))
print(m.hex())
EOF
}

# raw NAME HEX [OPTIONS]: one send-raw run
raw()
{
	_name=$1
	_hex=$2
	shift 2
	echo "== $_name"
	"$BUILDDIR/tools/tandem-ssp" -c "$D/ssp.cfg" --wait 0.5 "$@" send-raw "$_hex" >"$D/ssp.out" 2>"$D/ssp.err"
	_rc=$?
	jq -r "$SUMMARY" <"$D/ssp.out"
	echo "exit $_rc: $(tail -n 1 "$D/ssp.err")"
}

# wait (at most $1 tenths of a second) until the SCP has no dialogue left
wait_idle()
{
	_n=0
	while [ $_n -lt "$1" ] && [ "$(ctrl_get dialogues-active)" != "dialogues-active 0" ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
}

# the SCP's link must be up before the first call (slow under ASan or valgrind)
_n=0
while [ $_n -lt 100 ] && ! vty "show cs7 instance 0 asp" | grep -q "asp-scp.*ACTIVE"; do
	sleep 0.1
	_n=$((_n + 1))
done

# the SCP's IPA connection: what it sends leaves from this port
SCP_TCP_PORT=
_n=0
while [ -z "$SCP_TCP_PORT" ] && [ $_n -lt 50 ]; do
	SCP_TCP_PORT=$(ss -Htnp "dport = :$STP_IPA_PORT" 2>/dev/null | grep "pid=$SCP_PID," |
		awk '{ n = split($4, a, ":"); print a[n] }' | head -n 1)
	[ -n "$SCP_TCP_PORT" ] || sleep 0.1
	_n=$((_n + 1))
done

case "$GROUP" in
cap)
	for v in cap2 cap3 cap4; do
		ssp "$v orig monitored" call --protocol $v --direction orig --calling +12015550100 \
			--called 2015550199 --service-key 100 --answer-after 0.2 --hold 0.3
		ssp "$v term monitored" call --protocol $v --direction term --calling +12015550100 \
			--called +12015550199 --service-key 100 --answer-after 0.2 --hold 0.3
	done
	ssp "cap2 orig continue" call --protocol cap2 --direction orig --calling 2015550100 \
		--called 2015550199 --service-key 101
	ssp "cap3 orig connect monitored, called hangs up" call --protocol cap3 --direction orig \
		--calling 2015550100 --called 2015550199 --service-key 200 --answer-after 0.1 --hold 0.1 \
		--release-leg 2
	ssp "cap4 term connect" call --protocol cap4 --direction term --calling 2015550100 \
		--called 2015550199 --service-key 201
	ssp "cap2 orig release" call --protocol cap2 --direction orig --calling 2015550100 \
		--called 2015550199 --service-key 300
	ssp "cap3 key without a rule" call --protocol cap3 --direction orig --calling 2015550100 \
		--called 2015550199 --service-key 999
	;;
inap)
	ssp "inap orig monitored" call --protocol inap --direction orig --calling 2015550100 \
		--called 2015550199 --service-key 100 --answer-after 0.2 --hold 0.2
	ssp "inap term monitored" call --protocol inap --direction term --calling 2015550100 \
		--called 2015550199 --service-key 100 --answer-after 0.2 --hold 0.2
	ssp "inap orig connect" call --protocol inap --direction orig --calling 2015550100 \
		--called 2015550199 --service-key 201
	ssp "inap term release" call --protocol inap --direction term --calling 2015550100 \
		--called 2015550199 --service-key 300
	;;
ain)
	ssp "ain orig monitored" call --protocol ain --direction orig --calling 2015550100 \
		--called 2015550199 --answer-after 0.2 --hold 0.2
	ssp "ain term monitored" call --protocol ain --direction term --calling +12015550100 \
		--called 2015550199 --answer-after 0.2 --hold 0.2
	ssp "ain orig continue" call --protocol ain --direction orig --calling 2015550100 \
		--called 2015550199 --tct 5
	ssp "ain orig connect" call --protocol ain --direction orig --calling 2015550100 \
		--called 2015550199 --tct 6
	ssp "ain orig release" call --protocol ain --direction orig --calling 2015550100 \
		--called 2015550199 --tct 7
	ssp "ain orig withheld, switch aborts" call --protocol ain --direction orig --calling 2015550177 --withheld \
		--called 2015550199 --abort-after 0.1
	echo "== the SCP's log shows the withheld digits $(grep -c -e 2015550177 "$D/scp.log") times"
	;;
withheld)
	ssp "cap2 orig withheld" call --protocol cap2 --direction orig --calling 2015550177 --withheld \
		--called 2015550199 --service-key 100 --answer-after 0.1 --hold 0.1
	ssp "inap term withheld" call --protocol inap --direction term --calling +442079460177 --withheld \
		--called 2015550199 --service-key 101
	echo "== the SCP's log shows the withheld digits $(grep -c -e 2015550177 -e 2079460177 "$D/scp.log") times"
	echo "== call events logged as withheld: $(grep -c ': .* (withheld) -> ' "$D/scp.log")"
	;;
errors)
	ssp "CAP v1 AC refused" call --protocol cap2 --ac 0.4.0.0.1.0.50.0 --direction orig \
		--calling 2015550100 --called 2015550199
	ssp "INAP AC on the CAP subsystem refused" call --protocol inap --remote-ssn 146 --direction orig \
		--calling 2015550100 --called 2015550199
	raw "unknown operation in a Begin" "$(msg begin 11223344 op:1:99)"
	raw "InitialDP without its service key" "$(msg begin 11223345 op:1:0:30028100)"
	raw "monitored call opened by hand" "$(msg begin 11223346 op:1:0:3003800164)"
	SCP_TID=$(jq -r 'select(.type == "continue") | .otid' <"$D/ssp.out")
	raw "unknown operation during the call" "$(msg continue 11223346 "$SCP_TID" op:2:99)"
	raw "abort of that call" "$(msg abort "$SCP_TID")"
	raw "malformed Begin (a stray element in the transaction portion)" 6209480401020304800100
	raw "Continue for an unknown transaction" "$(msg continue aabbccdd deadbeef op:1:24:3003800107)"
	;;
cleanup)
	ssp "SSF aborts during the call" call --protocol cap4 --direction orig --calling 2015550100 \
		--called 2015550199 --service-key 100 --abort-after 0.2
	wait_idle 20
	echo "== active dialogues: $(ctrl_get dialogues-active)"
	ssp "SSF stops answering during the call" call --protocol cap3 --direction term \
		--calling 2015550100 --called 2015550199 --service-key 200 --drop-after 0.1
	wait_idle 100
	ssp "AIN call quiet beyond ain X1: ActivityTest answered, the call goes on" call --protocol ain \
		--direction orig --calling 2015550100 --called 2015550199 --answer-after 0.2 --hold 3
	wait_idle 20
	echo "== active dialogues: $(ctrl_get dialogues-active)"
	ssp "AIN switch stops answering during the call" call --protocol ain --direction orig \
		--calling 2015550100 --called 2015550199 --drop-after 0.1
	wait_idle 100
	;;
esac

echo "== active dialogues: $(ctrl_get dialogues-active)"
show_calls | sed -E 's/call-ref=[0-9a-f]+/call-ref=R/'
for ssn in 146 241 247; do
	echo "== counters ssn $ssn"
	counters $ssn
done

# What the SCP sent, decoded by tshark: message, AC, opcodes, then per operation the fields
# that say what it meant (events, monitor modes, leg ids; connect digits and nature; cause).
if [ "$TSHARK_OK" = 1 ]; then
	kill -INT "$TSHARK_PID"
	wait "$TSHARK_PID"
	TSHARK_PID=
	echo "== tshark: what the SCP sent"
	tshark -r "$D/cap.pcapng" -n -d "tcp.port==$STP_IPA_PORT,gsm_ipa" -o inap.ssn:241 \
		-o sccp.default_payload:ansi_tcap -Y "tcp.srcport == $SCP_TCP_PORT && (tcap || ansi_tcap)" \
		-T fields -E occurrence=a -E aggregator=, \
		-e tcap.begin_element -e tcap.continue_element -e tcap.end_element -e tcap.abort_element \
		-e tcap.application_context_name -e tcap.result -e tcap.p_abortCause \
		-e camel.local -e inap.code.local -e camel.problem -e inap.problem -e camel.invoke -e inap.invoke \
		-e camel.general -e inap.general \
		-e camel.eventTypeBCSM -e inap.eventTypeBCSM -e camel.monitorMode -e inap.monitorMode \
		-e inap.sendingSideID -e e164.called_party_number.digits \
		-e isup.called_party_nature_of_address_indicator -e camel.cause_indicator -e inap.cause_indicator \
		-e ansi_tcap.response_element -e ansi_tcap.conversationWithPerm_element -e ansi_tcap.abort_element \
		-e ansi_tcap.private -e ain.eDPRequest -e ain.eDPNotification -e ain.bcd_digits -e ain.aMAslpID \
		2>"$D/tshark-read.log" | awk -F'\t' '{
			t = $1 != "" ? "begin" : $2 != "" ? "continue" : $3 != "" ? "end" : $4 != "" ? "abort" : \
			    $25 != "" ? "response" : $26 != "" ? "conversation_with_perm" : $27 != "" ? "ansi-abort" : "?"
			line = t
			if ($5 != "") line = line " ac=" $5 ($6 != "" ? ($6 == "0" ? " accepted" : " rejected") : "")
			if ($7 != "") line = line " p-abort-cause=" $7
			if ($8 $9 != "") line = line " ops=" $8 $9
			if ($10 $11 != "") line = line " reject=" $10 $11 ":" $12 $13 $14 $15
			if ($16 $17 != "") line = line " events=" $16 $17 " modes=" $18 $19 " legs=" $20
			if ($21 != "") line = line " connect=" $21 " nature=" $22
			if ($23 $24 != "") line = line " cause=" $23 $24
			if ($28 != "") line = line " private-ops=" $28
			if ($29 $30 != "") line = line " edp-request=" $29 " edp-notification=" $30
			if ($31 != "") line = line " digits=" $31
			if ($32 != "") line = line " amaslp-octets=" $32
			print "scp> " line
		}'
	if grep -q -i -e malformed -e expert "$D/tshark-read.log"; then
		echo "tshark complained:"
		cat "$D/tshark-read.log"
	fi
fi
