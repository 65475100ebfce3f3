# SPDX-License-Identifier: AGPL-3.0-or-later
# Helpers for the phone-app, relay and security tests (POSIX sh, sourced after server_push_lib.sh).
#
#   open_stream NAME TOKEN DEVICE-ID [LAST-ID]
#                                      an event stream (sse_open; resuming after LAST-ID) whose device id is
#                                      known, so that
#   sync_streams                       can wait until every open stream holds every outbox row its device got
#                                      since it was opened (the API answers after the rows committed)
#   news NAME                          the stream's events not printed before, indented
#   ev INST SEQ TYPE CALL DIR CALLING CALLED [WITHHELD] [MM:SS]
#                                      one call event as tandem-scp sends it (time 2026-01-02T03:MM:SS.5Z)
#   scp_post EVENT...                  POST /v1/call-events with these events (key $SCP)
#   app TOKEN JSON                     POST /v1/calls as that device
#   short                              prints "STATUS code field" of the last answer (errors) or the body

STREAMS=

open_stream()
{
	if [ -n "${4:-}" ]; then
		# resume after event $4: nothing written since is missed, however late the stream comes up
		sse_open "$1" "$2" -H "Last-Event-ID: $4" || return 1
		eval "BASE_$1=$(pg_sql -c "SELECT count(*) FROM outbox WHERE device_id = $3 AND seq <= $4")"
	else
		sse_open "$1" "$2" || return 1
		eval "BASE_$1=$(pg_sql -c "SELECT count(*) FROM outbox WHERE device_id = $3")"
	fi
	eval "DEV_$1=$3"
	STREAMS="$STREAMS $1"
}

sync_streams()
{
	for _s in $STREAMS; do
		eval "_d=\$DEV_$_s _b=\$BASE_$_s"
		_want=$(( $(pg_sql -c "SELECT count(*) FROM outbox WHERE device_id = $_d") - _b ))
		_i=0
		while [ "$(grep -c '^event: ' "$WORK/$_s.sse")" -lt "$_want" ] && [ $_i -lt 150 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		[ $_i -lt 150 ] || echo "stream $_s never held its $_want events" >&2
	done
}

news()
{
	eval "_f=\${SHOWN_$1:-0}"
	sse_show "$1" >"$WORK/$1.shown"
	sed -n "$((_f + 1)),\$p" "$WORK/$1.shown" | sed 's/^/  /'
	eval "SHOWN_$1=$(wc -l <"$WORK/$1.shown")"
}

ev()
{
	printf '{"instance":"%s","seq":%s,"type":"%s","call":"%s","time":"2026-01-02T03:%s.5Z",' \
		"$1" "$2" "$3" "$4" "${9:-00:00}"
	printf '"direction":"%s","protocol":"cap2","calling":{"e164":"%s","withheld":%s},' "$5" "$6" "${8:-false}"
	printf '"called":{"e164":"%s"}' "$7"
	[ "$3" = end ] && printf ',"end_reason":"disconnect"'
	printf '}'
}

scp_post()
{
	_evs=$1
	shift
	for _e in "$@"; do
		_evs="$_evs,$_e"
	done
	req POST /v1/call-events "{\"events\":[$_evs]}" "$SCP"
}

app()
{
	req POST /v1/calls "$2" "$1"
}

short()
{
	printf '%s %s\n' "$CODE" "$(printf '%s\n' "$RESP" |
		sed -n 's/^{"error":{"code":"\([a-z0-9_]*\)".*"field":"\{0,1\}\([^"}]*\)"\{0,1\}}.*/\1 \2/p;t;p' |
		sed 's/ null$//')"
}
