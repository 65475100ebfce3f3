#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-server under valgrind: start, serve engineer and device requests (JSON, photo, errors), lose and
# regain the database, shut down on SIGTERM. Passes when valgrind reports no errors and no leaks.
# Skipped (77) without valgrind or in a sanitizer build (ASan and valgrind do not mix).
set -u
command -v valgrind >/dev/null 2>&1 || exit 77
if ldd "$abs_top_builddir/server/tandem-server" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	exit 77
fi
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
pg_start || exit 1
srv_config "$WORK/srv.cfg" </dev/null
ADMIN=$("$SRV_BIN" -c "$WORK/srv.cfg" --create-api-key admin 2>/dev/null) || exit 1
srv_start "$WORK/srv.cfg" "$WORK/srv.log" valgrind -q --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --log-file="$WORK/vg.log"
srv_wait_ready "$HTTP_PORT" || { cat "$WORK/srv.log" "$WORK/vg.log" >&2; exit 1; }

req POST /v1/subscribers '{"tdn":"+4989123456","label":"Munich"}' >/dev/null
req POST /v1/subscribers '{"tdn":"bad"}' >/dev/null
req POST /v1/subscribers '{"tdn":' >/dev/null
req POST /v1/devices '{"tdn":"+4989123456","kind":"pc","ip":"203.0.113.0/24"}' >/dev/null
TOKEN=$(json_get token)
req POST /v1/couplings '{"tdn":"+4989123456","ip":"203.0.113.9"}' >/dev/null
req GET '/v1/couplings?tdn_prefix=%2B49' >/dev/null
req PUT /v1/me/profile/name '{"value":"Max"}' "$TOKEN" >/dev/null
printf '\377\330\377\340\000\020JFIF\000' >"$WORK/p.jpg"
req PUT /v1/me/profile/photo "@$WORK/p.jpg" "$TOKEN" image/jpeg >/dev/null
req GET /v1/me/profile/photo "" "$TOKEN" >/dev/null
req GET /v1/me "" "$TOKEN" >/dev/null
req GET /v1/audit >/dev/null
printf 'tdn,label\n+4989100,"a, b"\nbad,x\n+4989101,\n' >"$WORK/s.csv"
req POST '/v1/import/subscribers?skip_bad_rows' "@$WORK/s.csv" "$ADMIN" text/csv >/dev/null
req POST '/v1/import/subscribers' "@$WORK/s.csv" "$ADMIN" text/csv >/dev/null
printf 'tdn,ip\n+4989100,198.51.100.0/24\n' >"$WORK/c.csv"
req POST '/v1/import/couplings?dry_run' "@$WORK/c.csv" "$ADMIN" text/csv >/dev/null
req POST '/v1/import/couplings' "@$WORK/c.csv" "$ADMIN" text/csv >/dev/null
req POST '/v1/import/couplings' "@$WORK/c.csv" "$ADMIN" application/json >/dev/null
req GET /v1/export/subscribers >/dev/null
req GET /v1/export/couplings >/dev/null
echo "last request: $CODE"
pg_down
req GET /v1/subscribers >/dev/null
echo "without database: $CODE"
pg_up
srv_wait_ready "$HTTP_PORT" || exit 1
req GET /v1/subscribers >/dev/null
echo "database back: $CODE"
srv_stop "$SRV_PID"
rc=$?
echo "exit status: $rc"
if [ -s "$WORK/vg.log" ]; then
	cat "$WORK/vg.log" >&2
	echo "valgrind: reports"
else
	echo "valgrind: clean"
fi
