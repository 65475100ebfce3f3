#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-server CSV import and export against a real PostgreSQL: header and row errors with their line
# numbers, nothing imported when a row is bad, dry runs, skipping bad rows, odd CSV (quotes, CRLF, line
# breaks inside fields, BOM), roles, the streamed export, and a 100,000-row import whose peak memory in the
# daemon stays far below the size of the file. Prints a transcript that tests/server_import.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
srv_setup " body-limit csv 25000000" || exit 1

csv()
{
	printf "$1" >"$WORK/in.csv"
	req POST "$2" "@$WORK/in.csv" "${3-$ADMIN}" "${4-text/csv}"
}
count()
{
	pg_sql -c "SELECT count(*) FROM $1"
}

echo "# who may import"
req POST /v1/api-keys '{"role":"engineer"}' >/dev/null
ENGINEER=$(json_get key)
req POST /v1/subscribers '{"tdn":"+493011111"}' >/dev/null
req POST /v1/devices '{"tdn":"+493011111","kind":"pc"}' >/dev/null
TOKEN=$(json_get token)
csv 'tdn\n+493022222\n' /v1/import/subscribers ""
csv 'tdn\n+493022222\n' /v1/import/subscribers "$TOKEN"
csv 'tdn\n+493022222\n' /v1/import/subscribers "$ENGINEER" application/json
csv 'tdn\n+493022222\n' /v1/import/nothing
csv 'tdn\n+493022222\n' '/v1/import/subscribers?force=1'
csv 'tdn\n+493022222\n' '/v1/import/subscribers?dry_run=maybe'
csv 'tdn\n+493022222\n' /v1/import/subscribers "$ENGINEER"
req GET /v1/export/subscribers "" "$TOKEN"

echo "# headers"
csv '' /v1/import/subscribers
csv '\n\n' /v1/import/subscribers
csv 'label\n"x"\n' /v1/import/subscribers
csv 'tdn,colour\n+4930333,red\n' /v1/import/subscribers
csv 'tdn,tdn\n+4930333,+4930334\n' /v1/import/subscribers
csv 'tdn,"label\n' /v1/import/subscribers
echo "subscribers: $(count subscribers)"

echo "# subscribers: one bad row imports nothing"
csv 'tdn,label\n+4930100,ok\n+4930101,"two\nlines"\r\n4930102,no plus\r\n+4930103,"say ""hi"""\n\n+4930100,again\n+493011111,exists\n+4930104,"x"y\n+4930105,a,b\n+4930106,\377\376\n+4930107,"unterminated\n' \
	/v1/import/subscribers
echo "subscribers: $(count subscribers)"
csv 'tdn,label\n+4930100,ok\n+4930101,"two\nlines"\r\n4930102,no plus\r\n' '/v1/import/subscribers?dry_run=true'
csv 'tdn,label\n+4930100,ok\n+4930101,"two\nlines"\r\n' '/v1/import/subscribers?dry_run=true'
echo "subscribers after dry runs: $(count subscribers)"
csv '\357\273\277tdn,label\r\n+4930100,ok\r\n+4930101,"two\nlines"\r\n4930102,no plus\r\n+4930103,"say ""hi"""\r\n+4930104,"x'"'"'); DROP TABLE subscribers; --"\r\n' \
	'/v1/import/subscribers?skip_bad_rows=true'
echo "subscribers: $(count subscribers)"
pg_sql -c "SELECT tdn || ' [' || label || ']' FROM subscribers WHERE tdn LIKE '+49301__' ORDER BY tdn"
long=$(printf '%0201d' 0)
csv "tdn,label\n+4930200,$long\n" /v1/import/subscribers

echo "# couplings"
req POST /v1/devices '{"tdn":"+4930100","kind":"pc","ip":"192.0.2.0/24"}' >/dev/null
csv 'tdn,device_id,ip,source\n+4930100,1,,\n+4930101,2,192.0.2.0/24,self\n+4930103,,198.51.100.7,\n+4930104,,198.51.100.7,\n+4930100,,,\n+4930100,9,,\n+4930999,1,,\n+4930100,2,192.0.2.1,\n+4930100,2,10.0.0.0/8,\n+4930100,0,,\n+4930100,1,,magic\n+4930101,2,,\n' \
	/v1/import/couplings
echo "couplings: $(count couplings), devices: $(count devices)"
csv 'tdn,device_id,ip,source\n+4930100,1,,\n+4930101,2,192.0.2.0/24,self\n+4930103,,198.51.100.7,\n+4930104,,198.51.100.7,\n' \
	'/v1/import/couplings?dry_run=1'
echo "couplings after a dry run: $(count couplings), devices: $(count devices)"
csv 'tdn,device_id,ip,source\n+4930100,1,,\n+4930101,2,192.0.2.0/24,self\n+4930103,,198.51.100.7,\n+4930104,,198.51.100.7,\n+4930999,1,,\n' \
	'/v1/import/couplings?skip_bad_rows'
echo "couplings: $(count couplings), devices: $(count devices)"
csv 'tdn,device_id\n+4930100,1\n' /v1/import/couplings
req GET '/v1/audit?action=coupling.import'

echo "# export"
curl -s -m 10 -D "$WORK/h" -o "$WORK/out.csv" -H "Authorization: Bearer $ADMIN" "$URL/v1/export/couplings"
sed -n 's/^\(HTTP[^ ]* [0-9]*\).*/\1/p; s/^\(Content-Type:.*\)\r$/\1/p' "$WORK/h"
cat "$WORK/out.csv"
req GET '/v1/export/subscribers?tdn_prefix=%2B49301'
req GET '/v1/export/subscribers?tdn_prefix=abc'
req GET '/v1/export/subscribers?limit=5'
echo "# the export imports back into an empty database"
curl -s -m 10 -o "$WORK/subs.csv" -H "Authorization: Bearer $ADMIN" "$URL/v1/export/subscribers"
pg_sql -c "SELECT tdn, label FROM subscribers ORDER BY id" >"$WORK/before.txt"
pg_sql -c "TRUNCATE subscribers CASCADE"
req POST /v1/import/subscribers "@$WORK/subs.csv" "$ADMIN" text/csv
pg_sql -c "SELECT tdn, label FROM subscribers ORDER BY id" >"$WORK/after.txt"
cmp "$WORK/before.txt" "$WORK/after.txt" && echo "same subscribers and labels after export and import"

echo "# 100,000 rows, streamed"
awk 'BEGIN { print "tdn,label"; l = sprintf("%0199d", 0);
	for (i = 0; i < 100000; i++) printf "+1415%07d,\"%s,\"\n", i, l }' >"$WORK/big.csv"
size=$(wc -c <"$WORK/big.csv")
hwm()
{
	sed -n 's/^VmHWM: *\([0-9]*\) kB/\1/p' "/proc/$SRV_PID/status"
}
before=$(hwm)
req POST /v1/import/subscribers "@$WORK/big.csv" "$ADMIN" text/csv
after=$(hwm)
echo "subscribers +1415...: $(pg_sql -c "SELECT count(*) FROM subscribers WHERE tdn LIKE '+1415%' AND length(label) = 200")"
grown=$(( (after - before) * 1024 ))
if [ "$grown" -lt $(( size / 4 )) ]; then
	echo "peak memory of the daemon grew by less than a quarter of the $((size / 1000000)) MB file"
else
	echo "peak memory grew by $grown bytes for a file of $size bytes"
fi
cat "$WORK/big.csv" "$WORK/big.csv" >"$WORK/huge.csv"
curl -s -m 60 -o /dev/null -w 'chunked upload over body-limit -> %{http_code}\n' -H "Authorization: Bearer $ADMIN" \
	-H 'Content-Type: text/csv' -H 'Transfer-Encoding: chunked' --data-binary "@$WORK/huge.csv" \
	"$URL/v1/import/subscribers?dry_run"
curl -s -m 60 -o /dev/null -w 'upload over body-limit -> %{http_code}\n' -H "Authorization: Bearer $ADMIN" \
	-H 'Content-Type: text/csv' --data-binary "@$WORK/huge.csv" "$URL/v1/import/subscribers?dry_run"
curl -s -m 60 -o "$WORK/big-out.csv" -H "Authorization: Bearer $ADMIN" "$URL/v1/export/subscribers?tdn_prefix=1415"
echo "export of the 100,000: $(wc -l <"$WORK/big-out.csv") lines, $(grep -c '^+1415[0-9]*,"0*,"' "$WORK/big-out.csv") rows quoted as they came in"
req GET /v1/health "" ""

srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
