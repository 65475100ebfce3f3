#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-server device API for audiences against a real PostgreSQL: groups with members and visible fields,
# the default audience, the block list; every bad input; one subscriber's device cannot see or change
# another's groups, audience or blocks; engineers' keys cannot use the device API; last_used_at / last_seen
# are noted. Prints a transcript that tests/server_groups.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
srv_setup || exit 1

req POST /v1/subscribers '{"tdn":"+493012345678"}' >/dev/null
req POST /v1/subscribers '{"tdn":"+14155550100"}' >/dev/null
req POST /v1/devices '{"tdn":"+493012345678","kind":"pc"}' >/dev/null
A=$(json_get token)
req POST /v1/devices '{"tdn":"+14155550100","kind":"phone"}' >/dev/null
B=$(json_get token)
req POST /v1/api-keys '{"role":"engineer"}' >/dev/null
ENGINEER=$(json_get key)

echo "# groups"
req GET /v1/me/groups "" "$A"
req POST /v1/me/groups '{"name":"family","members":["+4930111","+4930222","+4930111"],"fields":["name","photo","birthday"]}' "$A"
req POST /v1/me/groups '{"name":"work","members":["+4940333"],"fields":["name","email"]}' "$A"
req POST /v1/me/groups '{"name":"x'"'"'); DROP TABLE groups; --"}' "$A"
req POST /v1/me/groups '{"name":"family"}' "$A"
req POST /v1/me/groups '{"name":""}' "$A"
req POST /v1/me/groups '{"members":["+4930111"]}' "$A"
req POST /v1/me/groups '{"name":"bad","members":["4930111"]}' "$A"
req POST /v1/me/groups '{"name":"bad","members":"+4930111"}' "$A"
req POST /v1/me/groups '{"name":"bad","members":[4930111]}' "$A"
req POST /v1/me/groups '{"name":"bad","fields":["Name"]}' "$A"
req POST /v1/me/groups '{"name":"bad","fields":["a\u0000b"]}' "$A"
req POST /v1/me/groups '{"name":"bad","colour":"red"}' "$A"
req POST /v1/me/groups '{"name":"bad"' "$A"
long=$(printf '%0101d' 0)
req POST /v1/me/groups '{"name":"'"$long"'"}' "$A"
many=$(awk 'BEGIN { for (i = 0; i < 1001; i++) printf "%s\"+4930%04d\"", i ? "," : "", i }')
req POST /v1/me/groups '{"name":"many","members":['"$many"']}' "$A"
req GET /v1/me/groups/1 "" "$A"
req PATCH /v1/me/groups/1 '{"members":["+4930222","+4930999"]}' "$A"
req PATCH /v1/me/groups/1 '{"name":"close family","fields":[]}' "$A"
req PATCH /v1/me/groups/1 '{"name":"work"}' "$A"
req PATCH /v1/me/groups/1 '{"members":["+0"]}' "$A"
req GET /v1/me/groups/1 "" "$A"
req GET /v1/me/groups/77 "" "$A"
req GET /v1/me/groups/abc "" "$A"

echo "# another subscriber's device sees none of it and changes none of it"
req GET /v1/me/groups "" "$B"
req GET /v1/me/groups/1 "" "$B"
req PATCH /v1/me/groups/1 '{"members":[]}' "$B"
req DELETE /v1/me/groups/1 "" "$B"
req POST /v1/me/groups '{"name":"family"}' "$B"

echo "# keys are not devices"
req GET /v1/me/groups "" "$ENGINEER"
req POST /v1/me/groups '{"name":"x"}' ""

echo "# default audience"
req GET /v1/me/default-audience "" "$A"
req PUT /v1/me/default-audience '{"fields":["name","photo","name"]}' "$A"
req PUT /v1/me/default-audience '{"fields":["name"]}' "$A"
req PUT /v1/me/default-audience '{}' "$A"
req PUT /v1/me/default-audience '{"fields":["bad name"]}' "$A"
req GET /v1/me/default-audience "" "$A"
req GET /v1/me/default-audience "" "$B"
req GET /v1/me/groups "" "$A"

echo "# blocks"
req PUT /v1/me/blocks/%2B4930555 "" "$A"
req PUT /v1/me/blocks/%2B4930555 "" "$A"
req PUT /v1/me/blocks/%2B14155550100 "" "$A"
req PUT /v1/me/blocks/4930555 "" "$A"
req PUT /v1/me/blocks/%2B4930555%27%3B "" "$A"
req GET /v1/me/blocks "" "$A"
req GET /v1/me/blocks "" "$B"
req DELETE /v1/me/blocks/%2B4930555 "" "$B"
req DELETE /v1/me/blocks/%2B4930555 "" "$A"
req DELETE /v1/me/blocks/%2B4930555 "" "$A"
req DELETE /v1/me/blocks/junk "" "$A"
req GET /v1/me/blocks "" "$A"

echo "# delete"
req DELETE /v1/me/groups/1 "" "$A"
req DELETE /v1/me/groups/1 "" "$A"
echo "members left of group 1: $(pg_sql -c "SELECT count(*) FROM group_members WHERE group_id = 1")"
req GET '/v1/audit?object=subscriber/1/group/1'
echo "audit actions: $(pg_sql -c "SELECT string_agg(DISTINCT action, ' ' ORDER BY action) FROM audit_log WHERE actor LIKE 'device:%'")"

echo "# last use"
echo "devices seen: $(pg_sql -c "SELECT string_agg(id || ':' || (last_seen IS NOT NULL), ' ' ORDER BY id) FROM devices")"
echo "keys used: $(pg_sql -c "SELECT string_agg(role || ':' || (last_used_at IS NOT NULL), ' ' ORDER BY id) FROM api_keys")"
pg_sql -c "UPDATE api_keys SET last_used_at = now() - interval '1 hour'"
req GET /v1/subscribers/1 >/dev/null
echo "a use after an hour is noted: $(pg_sql -c "SELECT bool_and(last_used_at > now() - interval '1 minute') FROM api_keys WHERE role = 'admin'")"
pg_sql -c "UPDATE api_keys SET last_used_at = now() - interval '30 seconds'"
req GET /v1/subscribers/1 >/dev/null
echo "a use within a minute is not written: $(pg_sql -c "SELECT bool_and(last_used_at < now() - interval '29 seconds') FROM api_keys WHERE role = 'admin'")"

srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
