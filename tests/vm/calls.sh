#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Run inside the SCTP test VM as /vm/run.sh (busybox sh; tests/vm/init runs it under a timeout): dumpcap
# captures SCTP on lo, osmo-stp listens for M3UA on 127.0.0.1:2905, tandem-scp and then tandem-ssp connect
# as M3UA ASPs, and tandem-ssp places the calls of /vm/calls. Every wait is bounded. Everything the host
# checks lands in /out: m3ua.pcapng, per call NAME.json (what tandem-ssp received), NAME.err, NAME.rc, the
# daemons' logs, the SCP's `show calls` and both ASP tables (vty-scp.txt, vty-stp.txt) and times.txt
# (seconds since boot).
set -u
O=/out
cd /tmp || exit 1

now()
{
	cut -d ' ' -f 1 /proc/uptime
}

mark()
{
	echo "$1 $(now)" >>"$O/times.txt"
	echo "[$(now)] $1"
}

# wait_for SECONDS CMD...: run CMD every 0.1 s until it succeeds, for at most SECONDS (by the clock)
wait_for()
{
	_end=$(($(cut -d . -f 1 /proc/uptime) + $1))
	shift
	while ! "$@"; do
		[ "$(cut -d . -f 1 /proc/uptime)" -lt "$_end" ] || return 1
		sleep 0.1
	done
}

sctp_listens()
{
	awk -v p="$1" 'NR > 1 && $6 == p { found = 1 } END { exit !found }' /proc/net/sctp/eps 2>/dev/null
}

# vty PORT CMD...: commands on a VTY (telnet) through nc, the raw answer (telnet option bytes included);
# nc stops reading at the end of its input, so the input lasts until the answers are there (1 s)
vty()
{
	_port=$1
	shift
	(printf '%s\n' "$@"; sleep 1; printf 'exit\n') | timeout 10 nc -w 3 127.0.0.1 "$_port" 2>/dev/null
}

# the SCP's ASP is active once osmo-stp has told it that its AS is (NOTIFY)
scp_asp_active()
{
	grep -q "Received NOTIFY Type State Change:AS Active" "$O/tandem-scp.log"
}

# on the way out (also after a failure): the daemons get SIGTERM, dumpcap SIGINT (it then writes its file out)
PIDS=
DUMPCAP=
stop_all()
{
	for _p in $PIDS; do
		kill "$_p" 2>/dev/null
	done
	[ -n "$DUMPCAP" ] && kill -INT "$DUMPCAP" 2>/dev/null
	for _p in $PIDS $DUMPCAP; do
		wait "$_p" 2>/dev/null
	done
	PIDS=
	DUMPCAP=
}
trap stop_all EXIT

mark start
if [ ! -e /proc/net/sctp/eps ]; then
	echo "no SCTP in this kernel (/proc/net/sctp missing)"
	exit 2
fi

dumpcap -i lo -f sctp -w "$O/m3ua.pcapng" >"$O/dumpcap.log" 2>&1 &
DUMPCAP=$!
if ! wait_for 30 grep -q "Capturing on" "$O/dumpcap.log"; then
	echo "dumpcap did not start:"
	cat "$O/dumpcap.log"
	exit 1
fi
# dumpcap says so a moment before its filter is in place (tests/scp_calls.sh saw the first frames missing)
sleep 0.5
mark capturing

osmo-stp -c /vm/osmo-stp.cfg >"$O/osmo-stp.log" 2>&1 &
PIDS="$PIDS $!"
if ! wait_for 30 sctp_listens 2905; then
	echo "osmo-stp does not listen on SCTP port 2905:"
	cat "$O/osmo-stp.log"
	exit 1
fi
mark stp-listening

tandem-scp -c /vm/tandem-scp.cfg >"$O/tandem-scp.log" 2>&1 &
SCP=$!
PIDS="$SCP $PIDS"
if ! wait_for 30 scp_asp_active; then
	echo "tandem-scp's ASP did not become active:"
	vty 4260 "show cs7 instance 0 asp"
	cat "$O/tandem-scp.log" "$O/osmo-stp.log"
	exit 1
fi
mark scp-active

# /vm/calls: one call a line, NAME then tandem-ssp's arguments (read without -r: a line that ends in a
# backslash goes on on the next one)
# shellcheck disable=SC2162
while read name args; do
	case "$name" in
	"" | "#"*) continue ;;
	esac
	mark "call-$name"
	# shellcheck disable=SC2086
	timeout 60 tandem-ssp -c /vm/ssp.cfg --link-timeout 30 --timeout 20 $args \
		>"$O/$name.json" 2>"$O/$name.err" </dev/null
	echo $? >"$O/$name.rc"
done </vm/calls
mark calls-done

vty 4260 "show calls" "show cs7 instance 0 asp" >"$O/vty-scp.txt"
vty 4239 "show cs7 instance 0 asp" "show cs7 instance 0 as all" >"$O/vty-stp.txt"

# the SCP ends on SIGTERM with exit 0 (within 20 s, else it is killed and its status is that of SIGKILL)
kill "$SCP"
if ! wait_for 20 sh -c "! kill -0 $SCP 2>/dev/null"; then
	echo "tandem-scp did not end on SIGTERM"
	kill -9 "$SCP"
fi
wait "$SCP"
echo "$?" >"$O/tandem-scp.rc"
PIDS=${PIDS#"$SCP "}
# let dumpcap see the last packets, then stop it (it writes its file out on SIGINT)
sleep 0.5
kill -INT "$DUMPCAP"
wait_for 10 sh -c "! kill -0 $DUMPCAP 2>/dev/null"
wait "$DUMPCAP"
echo "$?" >"$O/dumpcap.rc"
DUMPCAP=
stop_all
mark end
