#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-server's CTRL variables as a monitoring system reads them: db-state follows the database going away
# and coming back, schema-version is the one /v1/health reports, http-active counts open HTTP connections
# (an event stream held open is one). Unknown variables are refused. Prints a transcript
# (tests/server_ctrl.ok).
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
srv_setup || exit 1

ctrl()
{
	python3 "$abs_top_srcdir/tests/osmo_vty.py" ctrl 127.0.0.1 "$CTRL_PORT" "$@"
}

# wait_ctrl VAR VALUE: up to 20 s until VAR reads VALUE; prints what it read last
wait_ctrl()
{
	_i=0
	while [ $_i -lt 200 ]; do
		_v=$(ctrl --value "$1")
		[ "$_v" = "$2" ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "$1 $_v"
}

ctrl db-state
req GET /v1/health "" "" >/dev/null
[ "$(ctrl --value schema-version)" = "$(printf '%s' "$RESP" | jq .schema_version)" ] &&
	echo "schema-version: as in /v1/health" || echo "schema-version $(ctrl --value schema-version), health: $RESP"
wait_ctrl http-active 0

req POST /v1/subscribers '{"tdn":"+4940123456"}' >/dev/null
req POST /v1/devices '{"tdn":"+4940123456","kind":"pc"}' >/dev/null
TOKEN=$(json_get token)
curl -s -N -m 30 -H "Authorization: Bearer $TOKEN" "$URL/v1/events" >/dev/null &
CURL=$!
echo "# an event stream open"
wait_ctrl http-active 1
kill "$CURL"
wait "$CURL" 2>/dev/null
echo "# the stream closed"
wait_ctrl http-active 0

pg_down && echo "# PostgreSQL stopped"
_i=0
while [ $_i -lt 200 ] && [ "$(ctrl --value db-state)" = ready ]; do
	sleep 0.1
	_i=$((_i + 1))
done
case $(ctrl --value db-state) in
waiting|connecting) echo "db-state not ready (waiting or connecting)" ;;
*) echo "db-state $(ctrl --value db-state)" ;;
esac
pg_up && echo "# PostgreSQL started"
wait_ctrl db-state ready

echo "# an unknown variable"
ctrl --raw no-such-variable
srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
