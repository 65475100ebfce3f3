#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Many idle event streams (200 by default, PUSH_IDLE_STREAMS to change): all open, all get one event, and
# the daemon's resident memory with them is printed on stderr (a figure for the log, not a result). Prints a
# transcript that tests/server_push_idle.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
N=${PUSH_IDLE_STREAMS:-200}
srv_setup || exit 1
req POST /v1/subscribers '{"tdn":"+4930100"}' >/dev/null
req POST /v1/devices '{"tdn":"+4930100","kind":"pc"}' >/dev/null
TOKEN=$(json_get token)
python3 "$abs_top_srcdir/tests/server_push_idle.py" "$URL" "$TOKEN" "$ADMIN" "$N" "$SRV_PID" |
	sed "s/\b$N\b/N/g"
srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
