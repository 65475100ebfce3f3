#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-server VTY transcript: `show server`, the `server` node's commands with good and bad values, what
# `show running-config` writes back, and `create api-key` (the key is stored, printed once and works on the
# REST API). Prints a transcript that tests/server_vty.ok holds.
set -u
command -v python3 >/dev/null 2>&1 || exit 77
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
srv_setup || exit 1
srv_wait_ingest || exit 1

python3 "$abs_top_srcdir/tests/server_vty.py" "$VTY_PORT" <<'CMDS' >"$WORK/vty.raw"
show server
enable
create api-key root
create api-key engineer field team east
!wait it is shown only this once
configure terminal
server
rate-limit 50 burst 100
body-limit csv 1000000
body-limit json 0
database ingest-connections 3
database ingest-connections 9
trusted-proxy 10.0.0.1/8
trusted-proxy 10.0.0.0/8
trusted-proxy 2001:db8::/32
no trusted-proxy 192.0.2.0/24
listen example.org 80
timer server X5 30
end
show running-config
CMDS
sed -e "s/ $HTTP_PORT\$/ <http-port>/" -e "s/ $VTY_PORT\$/ <vty-port>/" -e "s/ $CTRL_PORT\$/ <ctrl-port>/" \
    -e "s/port $HTTP_PORT,/port <http-port>,/" -e 's/ key [0-9a-f]\{16\};/ key <key-id>;/' "$WORK/vty.raw" |
	srv_normalize >"$WORK/vty.out"
sed -n '1,/^tandem-server# show running-config/p' "$WORK/vty.out"
echo "(running-config, server node:)"
sed -n '/^tandem-server# show running-config/,$p' "$WORK/vty.out" | sed -n '/^server$/,/^[^ ]/p' | sed '$d'
KEY=$(sed -n 's/^\(tdk_[0-9a-f]\{16\}_[A-Za-z0-9_-]\{43\}\)$/\1/p' "$WORK/vty.raw")
echo "keys printed: $(grep -c '^<tdk-token>$' "$WORK/vty.out")"
req GET /v1/subscribers "" "$KEY"
echo "stored: $(pg_sql -c "SELECT role || ' [' || label || '] ' || (SELECT actor FROM audit_log WHERE object = 'api_key/' || k.id) FROM api_keys k WHERE id = 2")"
srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
