# SPDX-License-Identifier: AGPL-3.0-or-later
# Helpers for the tandem-server integration tests (POSIX sh, sourced after pg-harness.sh).
#
#   srv_setup [extra config lines]   throwaway PostgreSQL, config, an admin key ($ADMIN), the daemon
#   req METHOD PATH [BODY] [KEY] [CONTENT-TYPE]
#                                   prints "METHOD PATH -> STATUS BODY" with the parts that change from
#                                   run to run (timestamps, tokens, key ids) replaced by placeholders;
#                                   the raw body stays in $RESP and the status in $CODE; $REQ_HEADER, when
#                                   set, is sent as one more header line (e.g. "X-Forwarded-For: ...")

: "${abs_top_builddir:?}"
SRV_BIN="$abs_top_builddir/server/tandem-server"
WORK=${WORK:-$(pwd)}

# Write a configuration for a daemon on free ports to $1; extra lines for the server node from stdin.
srv_config()
{
	_hp=$(srv_free_port) || return 1
	_vp=$(srv_free_port) || return 1
	_cp=$(srv_free_port) || return 1
	{
		echo "log stderr"
		echo " logging color 0"
		echo " logging print file 0"
		echo " logging level set-all notice"
		echo "line vty"
		echo " bind 127.0.0.1 $_vp"
		echo "server"
		echo " listen 127.0.0.1 $_hp"
		echo " ctrl-port $_cp"
		cat
	} >"$1"
	HTTP_PORT=$_hp
	VTY_PORT=$_vp
	CTRL_PORT=$_cp
	URL="http://127.0.0.1:$_hp"
}

srv_setup()
{
	pg_start || return 1
	printf '%s\n' "$@" | grep -v '^$' >"$WORK/srv.cfg.extra"
	srv_config "$WORK/srv.cfg" <"$WORK/srv.cfg.extra" || return 1
	ADMIN=$("$SRV_BIN" -c "$WORK/srv.cfg" --create-api-key admin --label bootstrap 2>"$WORK/keytool.log") ||
		{ cat "$WORK/keytool.log" >&2; return 1; }
	srv_start "$WORK/srv.cfg" "$WORK/srv.log"
	srv_wait_ready "$HTTP_PORT" || { cat "$WORK/srv.log" >&2; return 1; }
}

# srv_wait_ingest: wait up to 10 s until both call events' connections (the default 2) are ready; /v1/health
# only reports the first connection.
srv_wait_ingest()
{
	_i=0
	until [ "$(python3 "$abs_top_srcdir/tests/osmo_vty.py" vty 127.0.0.1 "$VTY_PORT" "show server" 2>/dev/null |
		grep -c "^Call events' connection [12]: ready")" = 2 ]; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || { echo "server_lib: the call events' connections never became ready" >&2; return 1; }
		sleep 0.1
	done
}

# Replace what differs between runs.
srv_normalize()
{
	sed -e 's/"[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:.]*+00:00"/"<ts>"/g' \
	    -e 's/td\([dk]\)_[0-9a-f]\{16\}_[A-Za-z0-9_-]\{43\}/<td\1-token>/g' \
	    -e 's/"key_id" *: *"[0-9a-f]\{16\}"/"key_id" : "<key-id>"/g' \
	    -e 's/key:[0-9a-f]\{16\}/key:<key-id>/g' \
	    -e 's/"sha256": "[0-9a-f]\{64\}"/"sha256": "<sha256>"/g'
}

req()
{
	_m=$1
	_p=$2
	_b=${3-}
	_k=${4-$ADMIN}
	_ct=${5-application/json}
	if [ -n "$_b" ]; then
		RESP=$(curl -s -m 10 -o - -w '\n%{http_code}' -X "$_m" ${_k:+-H "Authorization: Bearer $_k"} \
			${REQ_HEADER:+-H "$REQ_HEADER"} -H "Content-Type: $_ct" --data-binary "$_b" "$URL$_p")
	else
		RESP=$(curl -s -m 10 -o - -w '\n%{http_code}' -X "$_m" ${_k:+-H "Authorization: Bearer $_k"} \
			${REQ_HEADER:+-H "$REQ_HEADER"} "$URL$_p")
	fi
	CODE=$(printf '%s\n' "$RESP" | tail -n 1)
	RESP=$(printf '%s\n' "$RESP" | sed '$d')
	printf '%s %s -> %s %s\n' "$_m" "$_p" "$CODE" "$RESP" | srv_normalize
}

# json_get KEY: the first string or number value of "KEY" in $RESP (flat lookup, enough for tests).
json_get()
{
	printf '%s\n' "$RESP" | tr ',{' '\n\n' | sed -n "s/^ *\"$1\" *: *\"\{0,1\}\([^\"}]*\).*/\1/p" | head -n 1
}
