#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# M3UA over real SCTP: a qemu VM booting Debian's own kernel (its sctp module) runs osmo-stp, tandem-scp and
# tandem-ssp (tests/vm/calls.sh, the calls of tests/vm/calls) and captures SCTP on its loopback; here, on
# the host, the transcript is printed: each call's exit status and what tandem-ssp received, the SCP's
# `show calls`, both sides' AS/ASP state, and how tshark decodes the capture: the M3UA management of each
# association (ASP Up, RKM registration, ASP Active, NOTIFY) and every TCAP message an ASP sent, layer by
# layer (m3ua -> sccp -> tcap -> camel / ansi_tcap -> ain) with its operations.
#   usage: sctp_vm.sh BUILDDIR SRCDIR
# Exit 77 when qemu, busybox or the kernel cannot be had. See tests/vm/README.md.
# Environment: VM_TIMEOUT (qemu's bound, s, default 240), VM_ACCEL (default tcg), VM_CACHE (kernel cache, default
# BUILDDIR/tests/vm-cache), VM_KEEP=1 keeps the work directory (printed on stderr), VM_REUSE=DIR prints the
# transcript from such a directory again without running the VM.
set -u
BUILDDIR=$(cd "$1" && pwd) || exit 1
SRCDIR=$(cd "$2" && pwd) || exit 1
VMSRC=$SRCDIR/tests/vm

skip()
{
	echo "sctp_vm: $*: skipped" >&2
	exit 77
}
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86_64 (qemu-system-x86) is not installed"
command -v busybox >/dev/null 2>&1 || skip "busybox (busybox-static) is not installed"
for p in osmo-stp dumpcap tshark jq; do
	command -v $p >/dev/null 2>&1 || skip "$p is not installed"
done

if [ -n "${VM_REUSE:-}" ]; then
	# the transcript again from a work directory kept before (VM_KEEP=1), without running the VM
	W=$VM_REUSE
	ACCEL=reused
	T0=0
	T1=0
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/tandem-vm.XXXXXX") || exit 1
	cleanup()
	{
		if [ -n "${VM_KEEP:-}" ]; then
			echo "sctp_vm: work directory $W kept" >&2
		else
			rm -rf "$W"
		fi
	}
	trap cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM

	# the kernel and the modules: SCTP (crc32c_generic is libcrc32c's crc32c, a soft dependency), virtio-blk
	# for the disk the results come back on
	KDIR=$(sh "$VMSRC/kernel.sh" "${VM_CACHE:-$BUILDDIR/tests/vm-cache}" crc32c_generic sctp virtio_pci virtio_blk)
	rc=$?
	[ $rc -eq 77 ] && skip "Debian's kernel cannot be had"
	[ $rc -eq 0 ] || exit 1

	mkdir -p "$W/vm" "$W/out" || exit 1
	cp "$VMSRC/calls.sh" "$W/vm/run.sh" &&
		cp "$VMSRC/calls" "$VMSRC/osmo-stp.cfg" "$VMSRC/tandem-scp.cfg" "$VMSRC/ssp.cfg" "$W/vm/" || exit 1
	# the VM's environment: run.sh's bound, and the sanitizers' options of this run (a sanitizer build's
	# programs run in the VM as they would here)
	{
		_run=$((${VM_TIMEOUT:-240} - 30))
		[ "$_run" -ge 10 ] || _run=10
		echo "VM_RUN_TIMEOUT=$_run"
		for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
			eval "val=\${$v:-}"
			# shellcheck disable=SC2154
			[ -n "$val" ] && echo "export $v='$val'"
		done
	} >"$W/vm/env"
	sh "$VMSRC/mkinitramfs.sh" "$KDIR" "$W/vm" "$W/initrd.cpio" "$BUILDDIR/scp/tandem-scp" \
		"$BUILDDIR/tools/tandem-ssp" "$(command -v osmo-stp)" "$(command -v dumpcap)" || exit 1
	# the results come back as a tar archive written over this raw disk
	truncate -s 32M "$W/out.img" || exit 1

	# software emulation: KVM is there on some machines but hangs at boot here (DESIGN.md); VM_ACCEL overrides
	ACCEL=${VM_ACCEL:-tcg}
	T0=$(date +%s.%N)
	timeout "${VM_TIMEOUT:-240}" qemu-system-x86_64 -accel "$ACCEL" -m 512 -smp 1 -nographic -no-reboot -nodefaults \
		-serial stdio -net none -kernel "$KDIR/vmlinuz" -initrd "$W/initrd.cpio" \
		-append "console=ttyS0 panic=-1 quiet" -drive "file=$W/out.img,format=raw,if=virtio" \
		</dev/null >"$W/console.log" 2>&1
	QRC=$?
	T1=$(date +%s.%N)
	if ! tar -x -f "$W/out.img" -C "$W/out" 2>/dev/null || [ ! -f "$W/out/run.rc" ]; then
		echo "sctp_vm: no results from the VM (qemu exit $QRC); its console:"
		cat "$W/console.log"
		exit 1
	fi
fi
O=$W/out
KVER=$(sed -n 's/.*vm: kernel \([^ ]*\) up after.*/\1/p' "$W/console.log")
BOOT=$(sed -n 's/.*vm: kernel [^ ]* up after \([0-9.]*\) s.*/\1/p' "$W/console.log")
echo "sctp_vm: accel $ACCEL, kernel ${KVER:-?}, booted in ${BOOT:-?} s, VM run $(echo "$T0 $T1" |
	awk '{ printf "%.1f", $2 - $1 }') s in all; in the VM (s since boot): $(tr '\n' ' ' <"$O/times.txt")" >&2

echo "== vm: run.sh exit $(cat "$O/run.rc"), tandem-scp exit $(cat "$O/tandem-scp.rc" 2>/dev/null)," \
	"dumpcap exit $(cat "$O/dumpcap.rc" 2>/dev/null)"
if [ "$(cat "$O/run.rc")" != 0 ]; then
	cat "$O/run.log"
fi

# what tandem-ssp received, one line a message: type, dialogue, the operations (the events they arm)
SUMMARY='
def comp:
  (.operation // .kind) +
  (if .operation == "requestReportBCSMEvent" then
     "(" + ([.arg.bcsm_events[]? | "\(.event_type)/\(.monitor_mode)"] | join(" ")) + ")"
   elif .operation == "requestReportBCMEvent" then
     "(request=" + (.arg.edp_request // [] | join(",")) + " notification=" + (.arg.events // [] | join(",")) + ")"
   else "" end);
[.type, (.dialogue // empty), (.components // [] | map(comp) | join(" "))] | map(select(. != "")) | join(" ")'
# (read without -r: a line that ends in a backslash goes on on the next one)
# shellcheck disable=SC2162
grep -v -e '^#' -e '^$' "$VMSRC/calls" | while read name _args; do
	echo "== $name: exit $(cat "$O/$name.rc" 2>/dev/null): $(tail -n 1 "$O/$name.err" 2>/dev/null)"
	jq -r "$SUMMARY" <"$O/$name.json"
done

echo "== tandem-scp: show calls"
tr -d '\r' <"$O/vty-scp.txt" | grep -E '^(call |  [a-z])' | sed -E -e 's/(trigger|answered|end)=[0-9:.]+/\1=T/g' \
	-e 's/call-ref=[0-9a-f]+/call-ref=R/'
echo "== tandem-scp: its ASP"
tr -d '\r' <"$O/vty-scp.txt" | awk '$1 == "asp-scp" { print $1, $3, $4, $5 }'
echo "== osmo-stp: its ASPs and ASes after the calls (the switch's, made by RKM, are gone with it)"
tr -d '\r' <"$O/vty-stp.txt" |
	awk '$1 ~ /^asp-/ { print $1, $3, $4, $5 } $1 ~ /^as-/ { print $1, $2, "rc=" $3, "dpc=" $4, $NF }'
for f in "$O"/*.log "$O"/*.err; do
	if grep -q -E "runtime error:|AddressSanitizer|LeakSanitizer" "$f"; then
		echo "== sanitizer report in $(basename "$f"):"
		cat "$f"
	fi
done
echo "== the SCP's log shows the withheld digits $(grep -c 2015550177 "$O/tandem-scp.log") times"

# tshark: M3UA management per association (SCTP port of the ASP), in the order the associations began: the
# ASP's address, the routing context, the SCTP streams and payload protocol ids, then the messages (> from
# the ASP, < from osmo-stp)
TSHARK="tshark -n -r $O/m3ua.pcapng -o sccp.default_payload:ansi_tcap"
echo "== tshark: M3UA management per association"
$TSHARK -Y "m3ua && !(m3ua.message_class == 1) && !(m3ua.message_class == 2)" -T fields -E occurrence=f \
	-e sctp.srcport -e sctp.dstport -e m3ua.message_class -e m3ua.message_type -e m3ua.routing_context \
	-e m3ua.status_info -e sctp.data_sid -e sctp.data_payload_proto_id -e ip.src 2>"$W/tshark.err" | awk -F'\t' '
	BEGIN {
		name["0/1"] = "NTFY"; name["3/1"] = "ASPUP"; name["3/2"] = "ASPDN"; name["3/3"] = "BEAT"
		name["3/4"] = "ASPUP_ACK"; name["3/5"] = "ASPDN_ACK"; name["3/6"] = "BEAT_ACK"
		name["4/1"] = "ASPAC"; name["4/2"] = "ASPIA"; name["4/3"] = "ASPAC_ACK"; name["4/4"] = "ASPIA_ACK"
		name["9/1"] = "REG_REQ"; name["9/2"] = "REG_RSP"; name["9/3"] = "DEREG_REQ"; name["9/4"] = "DEREG_RSP"
		st[2] = "AS-INACTIVE"; st[3] = "AS-ACTIVE"; st[4] = "AS-PENDING"
	}
	{
		asp = $2 == 2905 ? $1 : $2
		if (!(asp in seq)) order[n++] = asp
		if ($2 == 2905) from[asp] = $9
		m = ($3 "/" $4) in name ? name[$3 "/" $4] : "class" $3 "/type" $4
		if (m == "NTFY") m = m "(" ($6 in st ? st[$6] : $6) ")"
		if ($5 != "" && !(asp in rc)) rc[asp] = $5
		seq[asp] = seq[asp] ($2 == 2905 ? " >" : " <") m
		# RFC 4666: management on SCTP stream 0, payload protocol identifier 3
		sid = $7
		sub(/^0x0*/, "", sid)
		if (sid == "") sid = 0
		if (index(sids[asp] ",", "," sid ",") == 0) sids[asp] = sids[asp] "," sid
		if (index(ppis[asp] ",", "," $8 ",") == 0) ppis[asp] = ppis[asp] "," $8
	}
	END {
		for (i = 0; i < n; i++) {
			a = order[i]
			print "association " i + 1 " from " from[a] " rc=" rc[a] " stream=" substr(sids[a], 2) \
				" ppi=" substr(ppis[a], 2) ":" seq[a]
		}
	}'

# every TCAP message an ASP sent to osmo-stp: sender (by MTP3 OPC: 185 = 0.23.1 the SCP, 186 = 0.23.2 the
# switch), layers under SCTP, SCTP stream (RFC 4666: DATA not on stream 0) and payload protocol id (3:
# M3UA), M3UA routing context, OPC > DPC, service indicator (3: SCCP), SCCP message type, called/calling
# SSN, TCAP package, AC, then
# the operations (CAP opcodes; AIN private operation codes) and the fields that say what they meant (values
# as tshark gives them: CAP eventTypeBCSM 2 collectedInfo, 7 oAnswer, 9 oDisconnect; monitorMode 1
# notifyAndContinue; AIN EDP bit strings), then on a line of its own tshark's names of the operations
echo "== tshark: TCAP messages the ASPs sent over M3UA"
$TSHARK -Y "sctp.dstport == 2905 && (tcap || ansi_tcap)" -T fields -E occurrence=a -E aggregator=, \
	-e frame.protocols -e mtp3.opc -e mtp3.dpc -e m3ua.routing_context -e sctp.data_sid -e sctp.data_payload_proto_id \
	-e m3ua.protocol_data_si -e sccp.message_type -e sccp.called.ssn -e sccp.calling.ssn \
	-e tcap.begin_element -e tcap.continue_element -e tcap.end_element -e tcap.abort_element \
	-e ansi_tcap.queryWithPerm_element -e ansi_tcap.conversationWithPerm_element -e ansi_tcap.response_element \
	-e tcap.application_context_name -e camel.local -e ansi_tcap.private -e camel.eventTypeBCSM \
	-e camel.monitorMode -e isup.address_presentation_restricted_indicator -e ain.eDPRequest \
	-e ain.eDPNotification -e ain.bcd_digits -e ain.amaslpid -e _ws.malformed -e _ws.expert -e _ws.col.Info \
	2>>"$W/tshark.err" | awk -F'\t' '
	{
		p = $1
		sub(/^.*:sctp:/, "", p)
		# one name for a protocol that carries several components
		n = split(p, l, ":")
		p = l[1]
		for (i = 2; i <= n; i++)
			if (l[i] != l[i - 1]) p = p ">" l[i]
		who = $2 == 185 ? "scp" : $2 == 186 ? "ssp" : "pc" $2
		t = $11 != "" ? "begin" : $12 != "" ? "continue" : $13 != "" ? "end" : $14 != "" ? "abort" : \
		    $15 != "" ? "query_with_perm" : $16 != "" ? "conversation_with_perm" : $17 != "" ? "response" : "?"
		sid = $5
		sub(/^0x0*/, "", sid)
		line = who "> " p " stream=" (sid == "" ? 0 : sid) " ppi=" $6 " rc=" $4 " " $2 ">" $3 " si=" $7 \
		       " sccp=" ($8 == "0x09" ? "udt" : $8) \
		       " ssn=" $9 "/" $10 " " t
		if ($18 != "") line = line " ac=" $18
		if ($19 != "") line = line " ops=" $19
		if ($20 != "") line = line " private-ops=" $20
		if ($21 != "") line = line " events=" $21
		if ($22 != "") line = line " modes=" $22
		if ($23 != "") line = line " presentation=" ($23 == 0 ? "allowed" : $23 == 1 ? "restricted" : $23)
		if ($24 $25 != "") line = line " edp-request=" $24 " edp-notification=" $25
		if ($26 != "") line = line " digits=" $26
		if ($27 != "") line = line " amaslpid=" $27
		if ($28 $29 != "") line = line " ERROR " $28 $29
		# the names tshark gives the operations (its Info column, less the SCTP chunks bundled in front)
		info = $30
		sub(/[ \t]+$/, "", info)
		sub(/^.*\) /, "", info)
		print line
		print "      " info
	}'
SENT=$($TSHARK -Y "sctp.dstport == 2905 && (tcap || ansi_tcap)" 2>/dev/null | wc -l)
FWD=$($TSHARK -Y "sctp.srcport == 2905 && (tcap || ansi_tcap)" 2>/dev/null | wc -l)
echo "== osmo-stp passed on $FWD of the $SENT TCAP messages"
if grep -v "Running as user" "$W/tshark.err" | grep -q .; then
	echo "tshark complained:"
	cat "$W/tshark.err"
fi
