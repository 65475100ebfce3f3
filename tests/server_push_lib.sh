# SPDX-License-Identifier: AGPL-3.0-or-later
# Helpers for the push tests (POSIX sh, sourced after server_lib.sh): event streams read with curl.
#
#   sse_open NAME TOKEN [CURL-ARGS...]   GET /v1/events in the background into $WORK/NAME.sse; waits for the
#                                        stream's first line
#   sse_wait NAME PATTERN                wait (up to 15 s) until the stream holds a line matching PATTERN
#   sse_close NAME                       end the stream
#   sse_show NAME                        the stream's events without the heartbeat comments, one line each
#   sse_get TOKEN [CURL-ARGS...]         what a stream holds after about a second, as sse_show prints it

SSE_PIDS=

sse_open()
{
	_n=$1
	_k=$2
	shift 2
	: >"$WORK/$_n.sse"
	curl -s -N -m 120 -H "Authorization: Bearer $_k" "$@" "$URL/v1/events" >"$WORK/$_n.sse" 2>/dev/null &
	eval "SSE_PID_$_n=$!"
	SSE_PIDS="$SSE_PIDS $!"
	sse_wait "$_n" '^retry:' || return 1
}

sse_wait()
{
	_i=0
	while [ $_i -lt 150 ]; do
		grep -q "$2" "$WORK/$1.sse" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "push: stream $1 never showed '$2'" >&2
	return 1
}

sse_close()
{
	eval "_p=\$SSE_PID_$1"
	kill "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	SSE_PIDS=$(echo "$SSE_PIDS" | sed "s/ $_p\b//")
	return 0
}

# One line per SSE block: "id=5 event=notice data={...}", heartbeats and blank lines left out.
sse_fmt()
{
	awk '/^: heartbeat$/ { next }
	     /^$/ { if (b != "") print substr(b, 2); b = ""; next }
	     { i = index($0, ": "); b = b " " substr($0, 1, i - 1) "=" substr($0, i + 2) }
	     END { if (b != "") print substr(b, 2) " (incomplete)" }'
}

sse_show()
{
	sse_fmt <"$WORK/$1.sse"
}

sse_get()
{
	_k=$1
	shift
	curl -s -N -m 1 -H "Authorization: Bearer $_k" "$@" "$URL/v1/events" | sse_fmt
}

sse_cleanup()
{
	for _p in $SSE_PIDS; do
		kill "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	SSE_PIDS=
}

# notice DEVICE-ID TEXT: an event through the engineers' endpoint, prints nothing
notice()
{
	req POST "/v1/devices/$1/events" "{\"text\":\"$2\"}" >/dev/null
	[ "$CODE" = 201 ] || echo "push: notice to device $1 answered $CODE $RESP" >&2
}
