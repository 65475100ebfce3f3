# SPDX-License-Identifier: AGPL-3.0-or-later
# Throwaway osmo-stp (IPA over TCP on 127.0.0.1) for the SCP tests (POSIX sh, sourced).
#
#   . "$abs_top_srcdir/tests/stp-harness.sh"
#   stp_start asp-scp:0.23.1:0.23.2 asp-ssp:0.23.2:0.23.1   # one IPA client per NAME:PC[:PEER_PC]
#   ... $STP_IPA_PORT is the IPA port, $STP_VTY_ADDR:4239 osmo-stp's telnet VTY, $STP_DIR its files ...
#   stp_stop
#
# osmo-stp 1.6 over IPA (see DESIGN.md): every client needs an `as NAME ipa` whose NAME is the
# IPA unit name the client sends (a libosmo-sigtran client sends the name of its ASP), a routing key
# and a route to it in the system route table. IPA frames carry no MTP routing label: osmo-stp
# gives everything it receives from a client the DPC of the client's `point-code override dpc`,
# so that is the point code of the client's peer (PEER_PC; its own PC when left out). Checked:
# with its own PC there, a client's messages come back to itself.
# Point codes are written in the ITU 3.8.3 format. There is no GT routing: route on PC + SSN.
#
# osmo-stp is stopped and its directory removed when the sourcing shell exits, also when a
# test fails half-way (EXIT trap). Ports come from 19000-19999 (other areas use other ranges).
# Helpers also used by the SCP scripts: stp_free_port, stp_wait_listen.

STP_DIR=
STP_PID=
STP_IPA_PORT=
STP_VTY_ADDR=
STP_PORT_LO=${STP_PORT_LO:-19000}
STP_PORT_HI=${STP_PORT_HI:-19999}

# True if nothing on this machine listens on TCP port $1.
stp_port_unused()
{
	[ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
}

# Print a TCP port in [STP_PORT_LO, STP_PORT_HI] that nothing listens on (at most 200 tries).
# Ports handed out before by this shell are skipped, so two calls in a row differ.
STP_PORTS_TAKEN=
stp_free_port()
{
	_n=0
	_span=$((STP_PORT_HI - STP_PORT_LO + 1))
	_seed=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	while [ $_n -lt 200 ]; do
		_p=$((STP_PORT_LO + (_seed + _n * 7919) % _span))
		_n=$((_n + 1))
		case " $STP_PORTS_TAKEN " in
		*" $_p "*) continue ;;
		esac
		if stp_port_unused "$_p"; then
			STP_PORTS_TAKEN="$STP_PORTS_TAKEN $_p"
			echo "$_p"
			return 0
		fi
	done
	echo "stp-harness: no free TCP port in $STP_PORT_LO-$STP_PORT_HI" >&2
	return 1
}

# Wait until process $1 listens on 127.0.0.1 TCP port $2 (at most $3 tenths of a second, default
# 100). Fails at once if the process is gone.
stp_wait_listen()
{
	_n=0
	_max=${3:-100}
	while [ $_n -lt "$_max" ]; do
		if ! kill -0 "$1" 2>/dev/null; then
			return 1
		fi
		if [ -n "$(ss -Htlnp "sport = :$2" 2>/dev/null | grep "pid=$1,")" ]; then
			return 0
		fi
		sleep 0.1
		_n=$((_n + 1))
	done
	return 1
}

# Write the osmo-stp config for the clients given as NAME:PC arguments into $STP_DIR/osmo-stp.cfg.
stp_write_config()
{
	{
		echo "! osmo-stp for tandem tests: IPA over TCP on 127.0.0.1:$STP_IPA_PORT"
		echo "log stderr"
		echo " logging filter all 1"
		echo " logging color 0"
		echo " logging print category 1"
		echo " logging print level 1"
		echo " logging timestamp 1"
		echo " logging level set-all ${STP_LOGLEVEL:-notice}"
		echo "line vty"
		echo " no login"
		# osmo-stp 1.6 ignores the port here and always takes 4239; a loopback
		# address of our own keeps it from colliding with another osmo-stp
		echo " bind $STP_VTY_ADDR"
		echo "cs7 instance 0"
		echo " point-code 0.23.0"
		echo " xua rkm routing-key-allocation dynamic-permitted"
		echo " listen ipa $STP_IPA_PORT"
		echo "  local-ip 127.0.0.1"
		echo "  accept-asp-connections dynamic-permitted"
		# IPA has no routing contexts: osmo-stp only accepts 0
		for _c in "$@"; do
			_name=${_c%%:*}
			_rest=${_c#*:}
			_pc=${_rest%%:*}
			_peer=${_rest#*:}
			echo " as $_name ipa"
			echo "  routing-key 0 $_pc"
			echo "  point-code override dpc $_peer"
		done
		echo " route-table system"
		for _c in "$@"; do
			_rest=${_c#*:}
			echo "  update route ${_rest%%:*} 7.255.7 linkset ${_c%%:*}"
		done
	} >"$STP_DIR/osmo-stp.cfg"
}

# Start osmo-stp for the clients NAME:PC ... and wait until it listens. Retries with other
# ports if one was taken between the check and the bind (a few times, then gives up).
# Returns 77 (autotest: skip) when osmo-stp is not installed.
stp_start()
{
	if ! command -v osmo-stp >/dev/null 2>&1; then
		echo "stp-harness: osmo-stp is not installed" >&2
		return 77
	fi
	if [ $# -eq 0 ]; then
		echo "stp-harness: stp_start needs at least one NAME:PC[:PEER_PC] client" >&2
		return 1
	fi
	STP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tandem-stp.XXXXXX") || return 1
	trap 'stp_harness_cleanup' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	_try=0
	while [ $_try -lt 5 ]; do
		_try=$((_try + 1))
		STP_IPA_PORT=$(stp_free_port) || return 1
		STP_VTY_ADDR=127.0.$((STP_IPA_PORT / 256 % 256)).$((STP_IPA_PORT % 256))
		stp_write_config "$@"
		(cd "$STP_DIR" && exec osmo-stp -c "$STP_DIR/osmo-stp.cfg") >"$STP_DIR/osmo-stp.log" 2>&1 &
		STP_PID=$!
		if stp_wait_listen "$STP_PID" "$STP_IPA_PORT"; then
			return 0
		fi
		stp_stop_process
	done
	echo "stp-harness: osmo-stp did not start; its log:" >&2
	cat "$STP_DIR/osmo-stp.log" >&2
	return 1
}

stp_stop_process()
{
	if [ -n "$STP_PID" ]; then
		kill "$STP_PID" 2>/dev/null
		_n=0
		while kill -0 "$STP_PID" 2>/dev/null && [ $_n -lt 50 ]; do
			sleep 0.1
			_n=$((_n + 1))
		done
		kill -9 "$STP_PID" 2>/dev/null
		wait "$STP_PID" 2>/dev/null
		STP_PID=
	fi
}

# Stop osmo-stp, keep its directory (the log may still be wanted).
stp_stop()
{
	stp_stop_process
}

# Print osmo-stp's log (for a failing test's stderr).
stp_log()
{
	[ -n "$STP_DIR" ] && cat "$STP_DIR/osmo-stp.log"
}

# EXIT trap: stop osmo-stp, then run the cleanup of the sourcing script if it defines one
# (stp_cleanup_hook), then remove the directory.
stp_harness_cleanup()
{
	if command -v stp_cleanup_hook >/dev/null 2>&1; then
		stp_cleanup_hook
	fi
	stp_stop_process
	if [ -n "$STP_DIR" ] && [ -d "$STP_DIR" ] && [ -z "${STP_KEEP:-}" ]; then
		rm -rf "$STP_DIR"
	fi
	STP_DIR=
}
