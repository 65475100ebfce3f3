#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-server REST API v1 against a real PostgreSQL: every engineer endpoint with its success paths and
# bad inputs, roles, and the device API with its isolation between subscribers. Prints a transcript that
# tests/server_api.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
# device 1 is coupled to 192.0.2.0/24: every request comes as if through a proxy from 192.0.2.10
srv_setup " trusted-proxy 127.0.0.1/32" || exit 1
REQ_HEADER="X-Forwarded-For: 192.0.2.10"

echo "# no or bad credentials"
req GET /v1/subscribers "" ""
req GET /v1/subscribers "" "Basic abc"
req GET /v1/subscribers "" "tdk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
req GET /v1/nothing-here
req PUT /v1/subscribers

echo "# subscribers"
req POST /v1/subscribers '{"tdn":"+493012345678","label":"Berlin office"}'
req POST /v1/subscribers '{"tdn":"+493012345678"}'
req POST /v1/subscribers '{"tdn":"+14155550100","label":"x'"'"'); DROP TABLE subscribers; --"}'
req POST /v1/subscribers '{"tdn":"+4930"}'
req POST /v1/subscribers '{"tdn":"4930123"}'
req POST /v1/subscribers '{"tdn":"+0301234"}'
req POST /v1/subscribers '{"tdn":"+1234567890123456"}'
req POST /v1/subscribers '{"tdn":"+49 30 123"}'
req POST /v1/subscribers '{"tdn":4930123}'
req POST /v1/subscribers '{"tdn":"+4930999","colour":"red"}'
req POST /v1/subscribers '{"label":"no number"}'
req POST /v1/subscribers '{"tdn":"+4930999",'
req POST /v1/subscribers '["+4930999"]'
req POST /v1/subscribers '{"tdn":"+4930999","tdn":"+4930998"}'
req POST /v1/subscribers '{"tdn":"+4930999","label":"a\u0000b"}'
req POST /v1/subscribers '{"tdn":"+4930999"}' "$ADMIN" text/plain
long=$(printf '%0201d' 0)
req POST /v1/subscribers '{"tdn":"+4930999","label":"'"$long"'"}'
big=$(printf '%070000d' 0)
req POST /v1/subscribers '{"tdn":"+4930999","label":"'"$big"'"}'
req GET /v1/subscribers
req GET '/v1/subscribers?tdn_prefix=%2B1415'
req GET '/v1/subscribers?tdn_prefix=49'
req GET '/v1/subscribers?tdn_prefix=abc'
req GET '/v1/subscribers?limit=1'
req GET '/v1/subscribers?limit=1&after=1'
req GET '/v1/subscribers?limit=0'
req GET '/v1/subscribers?limit=5000'
req GET '/v1/subscribers?after=-1'
req GET '/v1/subscribers?sort=tdn'
req GET /v1/subscribers/1
req GET /v1/subscribers/%2B14155550100
req GET /v1/subscribers/999
req GET /v1/subscribers/abc
req GET /v1/subscribers/%2B0123
req PATCH /v1/subscribers/1 '{"label":"Berlin HQ"}'
req PATCH /v1/subscribers/1 '{"tdn":"+14155550100"}'
req PATCH /v1/subscribers/1 '{"label":7}'
req PATCH /v1/subscribers/999 '{"label":"nobody"}'
echo "stored verbatim: $(pg_sql -c "SELECT label FROM subscribers WHERE tdn = '+14155550100'")"

echo "# devices"
req POST /v1/devices '{"tdn":"+493012345678","kind":"pc","ip":"192.0.2.0/24","app_id":"tandem-client","capabilities":["sse","files"]}'
TOKEN_A=$(json_get token)
req POST /v1/devices '{"subscriber_id":3,"kind":"phone","label":"mobile"}'
TOKEN_B=$(json_get token)
req POST /v1/devices '{"tdn":"+4930555","kind":"pc"}'
req POST /v1/devices '{"subscriber_id":999,"kind":"pc"}'
req POST /v1/devices '{"kind":"pc"}'
req POST /v1/devices '{"tdn":"+493012345678","subscriber_id":1,"kind":"pc"}'
req POST /v1/devices '{"tdn":"+493012345678","kind":"fridge"}'
req POST /v1/devices '{"tdn":"+493012345678","kind":"pc","ip":"192.0.2.1/24"}'
req POST /v1/devices '{"tdn":"+493012345678","kind":"pc","ip":"300.1.2.3"}'
req POST /v1/devices '{"tdn":"+493012345678","kind":"pc","ip":"2001:db8::/129"}'
req POST /v1/devices '{"tdn":"+493012345678","kind":"pc","capabilities":["Bad Cap"]}'
req POST /v1/devices '{"tdn":"+493012345678","kind":"pc","capabilities":"sse"}'
req POST /v1/devices '{"tdn":"+493012345678","kind":"pc","subscriber_id":-4}'
req GET /v1/devices
req GET '/v1/devices?ip=192.0.2.77'
req GET '/v1/devices?ip=198.51.100.1'
req GET '/v1/devices?ip=not-an-ip'
req GET '/v1/devices?kind=phone'
req GET '/v1/devices?kind=toaster'
req GET '/v1/devices?tdn=%2B14155550100'
req GET /v1/devices/1
req GET /v1/devices/77

echo "# couplings"
req POST /v1/couplings '{"tdn":"+493012345678","device_id":1}'
req POST /v1/couplings '{"tdn":"+493012345678","device_id":1}'
req POST /v1/couplings '{"tdn":"+14155550100","ip":"198.51.100.7"}'
req POST /v1/couplings '{"tdn":"+493012345678","ip":"198.51.100.7"}'
req POST /v1/couplings '{"tdn":"+493012345678","device_id":99}'
req POST /v1/couplings '{"tdn":"+4930777","device_id":1}'
req POST /v1/couplings '{"tdn":"+493012345678"}'
req POST /v1/couplings '{"tdn":"+493012345678","device_id":1,"ip":"198.51.100.7"}'
req POST /v1/couplings '{"tdn":"+493012345678","ip":"198.51.100.7/33"}'
req POST /v1/couplings '{"tdn":"+493012345678","device_id":1,"source":"magic"}'
req GET /v1/couplings
req GET '/v1/couplings?tdn_prefix=%2B49'
req GET '/v1/couplings?ip=198.51.100.7'
req GET '/v1/couplings?device_id=1'
req GET /v1/couplings/1
req GET /v1/couplings/99
req GET /v1/couplings/x1
req PATCH /v1/couplings/1 '{"verified":true}'
V1=$(json_get verified_at)
req PATCH /v1/couplings/1 '{"verified":true,"source":"self"}' >/dev/null
[ "$(json_get verified_at)" = "$V1" ] && echo "verified again: verified_at kept" || echo "verified_at moved"
req PATCH /v1/couplings/1 '{"verified":false,"source":"provisioned"}'
req PATCH /v1/couplings/1 '{}'
req PATCH /v1/couplings/1 '{"verified":"yes"}'
req PATCH /v1/couplings/1 '{"source":"magic"}'
req PATCH /v1/couplings/1 '{"tdn":"+493012345679"}'
req PATCH /v1/couplings/1 '{"verified":true' 
req PATCH /v1/couplings/99 '{"verified":true}'
req GET '/v1/audit?object=coupling/1' | sed 's/"id" : [0-9]*/"id" : N/g'
req DELETE /v1/couplings/3
req DELETE /v1/couplings/3

echo "# api keys and roles"
req POST /v1/api-keys '{"role":"engineer","label":"field team"}'
ENGINEER=$(json_get key)
req POST /v1/api-keys '{"role":"root"}'
req POST /v1/api-keys '{"label":"no role"}'
req GET /v1/api-keys
req GET /v1/subscribers/1 "" "$ENGINEER"
req GET /v1/api-keys "" "$ENGINEER"
req POST /v1/api-keys '{"role":"admin"}' "$ENGINEER"
req GET /v1/subscribers/1 "" "$TOKEN_A"
req GET /v1/me "" "$ENGINEER"
req DELETE /v1/api-keys/2
req DELETE /v1/api-keys/2
req GET /v1/subscribers/1 "" "$ENGINEER"

echo "# device API"
req GET /v1/me "" "$TOKEN_A"
req GET /v1/me "" "$TOKEN_B"
req PUT /v1/me/profile/name '{"value":"Anna Schmidt"}' "$TOKEN_A"
req PUT /v1/me/profile/name '{"value":"Anna Schmidt"}' "$TOKEN_A"
req PUT /v1/me/profile/name '{"value":"Anna M. Schmidt"}' "$TOKEN_A"
req PUT /v1/me/profile/email '{"value":"anna@example.org"}' "$TOKEN_A"
req PUT /v1/me/profile/email '{"value":"anna.example.org"}' "$TOKEN_A"
req PUT /v1/me/profile/birthday '{"value":"1990-02-29"}' "$TOKEN_A"
req PUT /v1/me/profile/birthday '{"value":"1992-02-29"}' "$TOKEN_A"
req PUT /v1/me/profile/Name '{"value":"x"}' "$TOKEN_A"
req PUT /v1/me/profile/motto '{"value":"Robert'"'"'); DROP TABLE profile_fields;--"}' "$TOKEN_A"
req PUT /v1/me/profile/motto '{"value":5}' "$TOKEN_A"
req PUT /v1/me/profile/motto '{"text":"x"}' "$TOKEN_A"
req PUT /v1/me/profile/photo '{"value":"x"}' "$TOKEN_A"
req GET /v1/me/profile "" "$TOKEN_A"
req GET /v1/me/profile "" "$TOKEN_B"
req PUT /v1/me/profile/name '{"value":"Bob"}' "$TOKEN_B"
req DELETE /v1/me/profile/motto "" "$TOKEN_B"
req DELETE /v1/me/profile/motto "" "$TOKEN_A"
req PUT /v1/me/profile/motto '{"value":"again"}' "$TOKEN_A"
req GET /v1/me/profile "" "$TOKEN_A"
echo "stored verbatim: $(pg_sql -c "SELECT count(*) FROM profile_fields") fields"

echo "# photos"
png="$WORK/photo.png"
# a 1x1 PNG: signature, IHDR, IDAT, IEND
printf '\211PNG\r\n\032\n\000\000\000\015IHDR\000\000\000\001\000\000\000\001\010\006\000\000\000\037\025\304\211\000\000\000\015IDATx\234c\370\017\000\000\001\001\000\005\030\330N\000\000\000\000IEND\256B`\202' >"$png"
req PUT /v1/me/profile/photo "@$png" "$TOKEN_A" image/png
req PUT /v1/me/profile/photo "@$png" "$TOKEN_A" image/jpeg
printf '<html><script>alert(1)</script></html>' >"$WORK/fake.png"
req PUT /v1/me/profile/photo "@$WORK/fake.png" "$TOKEN_A" image/png
req PUT /v1/me/profile/photo "@$png" "$TOKEN_A" image/gif
head -c 1048577 /dev/zero >"$WORK/big.jpg"
req PUT /v1/me/profile/photo "@$WORK/big.jpg" "$TOKEN_A" image/jpeg
curl -s -m 10 -o "$WORK/got.png" -w 'GET /v1/me/profile/photo -> %{http_code} %{content_type}\n' \
	-H "Authorization: Bearer $TOKEN_A" -H "$REQ_HEADER" "$URL/v1/me/profile/photo"
cmp "$png" "$WORK/got.png" && echo "photo round trip: identical"
req GET /v1/me/profile/photo "" "$TOKEN_B"
echo "media rows: $(pg_sql -c "SELECT count(*) FROM media")"

echo "# deletes and audit"
req DELETE /v1/devices/2
req DELETE /v1/subscribers/%2B14155550100
req DELETE /v1/subscribers/%2B14155550100
req GET /v1/me "" "$TOKEN_B"
req GET '/v1/audit?object=subscriber/1'
req GET '/v1/audit?action=api_key.revoke'
req GET '/v1/audit?bogus=1'
echo "audit rows: $(pg_sql -c "SELECT count(*) FROM audit_log")"

srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
