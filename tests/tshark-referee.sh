#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tshark as the independent referee: wrap TCAP messages (hex) in SCCP + M3UA/SUA/IPA with our
# builders (tests/mkframe), make a capture with text2pcap, decode it with tshark and print the
# requested fields, one line per message, tab-separated. Fails when tshark finds the frame
# malformed or does not reach TCAP.
#
# Usage: tshark-referee.sh [options] HEX...      (HEX "-": one message per line on stdin)
#   --itu | --ansi            SCCP/MTP3 variant (default itu; ansi adds -o mtp3.standard:ANSI)
#   --ssn N                   called and calling SSN (default 146); --cdpa-ssn N, --cgpa-ssn N
#   --fields F1,F2,...        tshark fields to print (default frame.protocols)
#   --inap                    decode INAP without an application context (-o inap.ssn:N)
#   --transport m3ua|sua|ipa  default m3ua (SCTP PPI 3); sua: PPI 4; ipa: TCP port 5000
#   --sccp udt|xudt|ludt      default udt
#   --allow-malformed         print the fields even if tshark reports errors, exit 0
#   --strict                  also fail on warnings of tshark's "Malformed" group
#   --keep FILE               keep the capture in FILE
#   --verbose                 print tshark's full decode (-V) on stderr
#   -o PREF, -d DECODE_AS     passed on to tshark
#   other mkframe options (--opc, --dpc, --cdpa-pc, --cdpa-gt, ...) are passed on to mkframe
# Exit: 0 fine, 1 tshark found a problem, 2 usage or tool error.
# Environment: MKFRAME (default: mkframe from PATH, else next to this script), TSHARK, TEXT2PCAP.

set -u

usage() {
	sed -n '/^# Usage:/,/^# Environment:/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

variant=itu
ssn=146
cdpa_ssn=
fields=frame.protocols
inap=0
transport=m3ua
allow_malformed=0
strict=0
keep=
verbose=0
mkopts=
tsopts=
nhex=0

# Quote one argument for eval.
q() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--itu) variant=itu ;;
	--ansi) variant=ansi ;;
	--ssn) [ $# -ge 2 ] || usage; ssn=$2; shift ;;
	--cdpa-ssn) [ $# -ge 2 ] || usage; cdpa_ssn=$2; mkopts="$mkopts --cdpa-ssn $(q "$2")"; shift ;;
	--cgpa-ssn) [ $# -ge 2 ] || usage; mkopts="$mkopts --cgpa-ssn $(q "$2")"; shift ;;
	--fields) [ $# -ge 2 ] || usage; fields=$2; shift ;;
	--inap) inap=1 ;;
	--transport) [ $# -ge 2 ] || usage; transport=$2; shift ;;
	--allow-malformed) allow_malformed=1 ;;
	--strict) strict=1 ;;
	--keep) [ $# -ge 2 ] || usage; keep=$2; shift ;;
	--verbose) verbose=1 ;;
	-o|-d) [ $# -ge 2 ] || usage; tsopts="$tsopts $1 $(q "$2")"; shift ;;
	--help|-h) usage ;;
	--*=*) echo "tshark-referee: write '${1%%=*} ${1#*=}' instead of '$1'" >&2; exit 2 ;;
	--opc|--dpc|--ni|--sls|--rctx|--sccp|--cdpa-pc|--cgpa-pc|--cdpa-gt|--cgpa-gt)
		[ $# -ge 2 ] || usage; mkopts="$mkopts $1 $(q "$2")"; shift ;;
	-) nhex=$((nhex + 1)); mkopts="$mkopts -" ;;
	-*) echo "tshark-referee: unknown option $1" >&2; usage ;;
	*) nhex=$((nhex + 1)); mkopts="$mkopts $(q "$1")" ;;
	esac
	shift
done
[ "$nhex" -gt 0 ] || usage
case "$ssn" in ''|*[!0-9]*) echo "tshark-referee: bad SSN '$ssn'" >&2; exit 2 ;; esac
[ -n "$cdpa_ssn" ] || cdpa_ssn=$ssn

TSHARK=${TSHARK:-tshark}
TEXT2PCAP=${TEXT2PCAP:-text2pcap}
if [ -z "${MKFRAME:-}" ]; then
	if command -v mkframe >/dev/null 2>&1; then
		MKFRAME=mkframe
	else
		MKFRAME=$(dirname "$0")/mkframe
	fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/referee.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

case "$transport" in
m3ua) t2p="-S 2905,2905,3" ;;
sua) t2p="-S 14001,14001,4" ;;
ipa) t2p="-T 5000,5000" ;;
*) echo "tshark-referee: unknown transport '$transport'" >&2; exit 2 ;;
esac

eval "\"\$MKFRAME\" --$variant --transport $transport --ssn $ssn $mkopts --text2pcap" >"$tmp/frames.txt" || exit 2
pcap=${keep:-$tmp/frames.pcapng}
# shellcheck disable=SC2086 # t2p holds two words on purpose
"$TEXT2PCAP" -q $t2p "$tmp/frames.txt" "$pcap" >/dev/null 2>"$tmp/text2pcap.err" || {
	cat "$tmp/text2pcap.err" >&2
	exit 2
}
nframes=$(grep -c '^000000 ' "$tmp/frames.txt")

# The TCAP dissector is only reached on SSNs it is told about (camel.tcap.ssn covers 146).
tsopts="$tsopts -d sccp.ssn==$cdpa_ssn,tcap"
[ "$variant" = ansi ] && tsopts="$tsopts -o mtp3.standard:ANSI"
[ "$inap" = 1 ] && tsopts="$tsopts -o inap.ssn:$cdpa_ssn"

# tshark 4.0 prints a field that is asked for twice only in its last column: ask once each.
eargs=
uniq=
nuniq=0
add_field() {
	col=$(printf '%s' "$uniq" | awk -v f="$1" '$0 == f { print NR; exit }')
	if [ -z "$col" ]; then
		uniq="$uniq$1
"
		nuniq=$((nuniq + 1))
		col=$nuniq
		eargs="$eargs -e $(q "$1")"
	fi
}
ucols=
old_ifs=$IFS
IFS=,
for f in $fields; do
	add_field "$f"
	ucols="$ucols${ucols:+,}$col"
done
IFS=$old_ifs
[ -n "$ucols" ] || usage
add_field frame.protocols; pcol=$col
add_field _ws.expert.severity; scol=$col
add_field _ws.expert.group; gcol=$col
add_field _ws.expert.message; mcol=$col

eval "\"\$TSHARK\" -n -r \"\$pcap\" $tsopts -T fields -E separator=/t -E occurrence=a -E aggregator=, $eargs" \
	>"$tmp/fields.txt" 2>"$tmp/tshark.err"
rc=$?
grep -v 'Running as user "root"' "$tmp/tshark.err" >&2
if [ $rc -ne 0 ]; then
	echo "tshark-referee: tshark failed with status $rc" >&2
	exit 2
fi
if [ "$verbose" = 1 ]; then
	eval "\"\$TSHARK\" -n -r \"\$pcap\" $tsopts -V" >&2 2>/dev/null
fi

# Severity and group values are Wireshark's PI_ERROR (0x00800000), PI_WARN (0x00600000)
# and PI_MALFORMED (0x07000000).
awk -F '\t' -v ucols="$ucols" -v pcol="$pcol" -v scol="$scol" -v gcol="$gcol" -v mcol="$mcol" \
	-v nframes="$nframes" -v strict="$strict" -v allow="$allow_malformed" '
function has(list, val,    n, i, a) {
	n = split(list, a, ",")
	for (i = 1; i <= n; i++)
		if (a[i] == val)
			return 1
	return 0
}
BEGIN {
	nu = split(ucols, uc, ",")
}
{
	line = $(uc[1])
	for (i = 2; i <= nu; i++)
		line = line "\t" $(uc[i])
	print line
	protos = $pcol; sev = $scol; grp = $gcol; msg = $mcol
	if (protos !~ /:tcap(:|$)/) {
		printf "tshark-referee: frame %d: not decoded as TCAP (%s)\n", NR, protos > "/dev/stderr"
		bad = 1
	}
	if (has(sev, 8388608) || (strict && has(grp, 117440512))) {
		printf "tshark-referee: frame %d: %s\n", NR, msg > "/dev/stderr"
		bad = 1
	} else if (has(grp, 117440512)) {
		printf "tshark-referee: frame %d: warning: %s\n", NR, msg > "/dev/stderr"
	}
}
END {
	if (NR != nframes) {
		printf "tshark-referee: %d frames made, tshark printed %d\n", nframes, NR > "/dev/stderr"
		bad = 1
	}
	exit (bad && !allow) ? 1 : 0
}' "$tmp/fields.txt"
