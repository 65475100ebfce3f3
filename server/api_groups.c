/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: the device API for audiences: groups of peer TDNs with the profile fields each group sees,
 * the default audience (fields everyone else sees), and the block list.
 *
 * As in api_me.c, every query is bound to the authenticated device's subscriber: a group id of another
 * subscriber is simply not found. Each change and its audit record are one statement. Lists given in a
 * request replace the stored ones; repeated entries count once. */

#include <inttypes.h>
#include <string.h>

#include <talloc.h>

#include "api.h"
#include "srv.h"

#define MAX_MEMBERS	1000
#define MAX_FIELDS	64

static const char *sub_id(struct srv_req *req)
{
	return talloc_asprintf(req, "%" PRId64, req->subscriber_id);
}

/* A group as stored (g: a groups row), members and fields read from the tables. */
#define GROUP_JSON \
	"json_build_object('id', g.id, 'name', g.name, 'created_at', g.created_at," \
	" 'members', (SELECT coalesce(json_agg(m.tdn ORDER BY m.tdn), '[]') FROM group_members m" \
	"  WHERE m.group_id = g.id)," \
	" 'fields', (SELECT coalesce(json_agg(v.field_name ORDER BY v.field_name), '[]') FROM group_visibility v" \
	"  WHERE v.group_id = g.id))"

/* A text[] parameter as a sorted JSON array without repeats (NULL stays NULL). */
#define ARRAY_JSON(p) "(SELECT coalesce(json_agg(DISTINCT x ORDER BY x), '[]') FROM unnest(" p "::text[]) x)"

void srv_api_me_groups_list(struct srv_req *req)
{
	const char *v[1] = { sub_id(req) };

	srv_api_query_json(req, 200,
		"SELECT json_build_object('groups', coalesce(json_agg(" GROUP_JSON " ORDER BY g.name), '[]'),"
		" 'default_fields', (SELECT coalesce(json_agg(d.field_name ORDER BY d.field_name), '[]')"
		"  FROM default_visibility d WHERE d.subscriber_id = $1::bigint))"
		" FROM groups g WHERE g.subscriber_id = $1::bigint", 1, v);
}

static const struct srv_field group_spec[] = {
	{ "name", SRV_F_STRING, true, 100 },
	{ "members", SRV_F_E164S, false, MAX_MEMBERS },
	{ "fields", SRV_F_NAMES, false, MAX_FIELDS },
};

void srv_api_me_group_create(struct srv_req *req)
{
	const char *f[3], *v[5];

	if (srv_api_fields(req, group_spec, 3, f) < 0)
		return;
	if (!f[0][0]) {
		srv_req_error(req, 400, "out_of_range", "name", "must not be empty");
		return;
	}
	v[0] = sub_id(req);
	v[1] = f[0];
	v[2] = f[1] ? f[1] : "{}";
	v[3] = f[2] ? f[2] : "{}";
	v[4] = req->actor;
	srv_api_query_json(req, 201,
		"WITH g AS (INSERT INTO groups (subscriber_id, name) VALUES ($1::bigint, $2) RETURNING *),"
		" m AS (INSERT INTO group_members (group_id, tdn) SELECT DISTINCT g.id, x FROM g, unnest($3::text[]) x),"
		" f AS (INSERT INTO group_visibility (group_id, field_name)"
		"  SELECT DISTINCT g.id, x FROM g, unnest($4::text[]) x),"
		" a AS (INSERT INTO audit_log (actor, action, object, after)"
		"  SELECT $5, 'group.create', 'subscriber/' || $1 || '/group/' || g.id,"
		"  to_jsonb(g) || jsonb_build_object('members', $3::text[], 'fields', $4::text[]) FROM g)"
		" SELECT json_build_object('id', g.id, 'name', g.name, 'created_at', g.created_at,"
		"  'members', " ARRAY_JSON("$3") ", 'fields', " ARRAY_JSON("$4") ") FROM g", 5, v);
}

void srv_api_me_group_get(struct srv_req *req)
{
	const char *v[2];

	if (srv_api_arg_id(req, 0, &v[1]) < 0)
		return;
	v[0] = sub_id(req);
	srv_api_query_json(req, 200,
		"SELECT " GROUP_JSON " FROM groups g WHERE g.id = $2::bigint AND g.subscriber_id = $1::bigint", 2, v);
}

/* Members and fields not in the new list go, new ones come (ON CONFLICT: the sub-statements of one
 * statement see the same snapshot, so "delete all, insert all" would collide with itself). */
void srv_api_me_group_update(struct srv_req *req)
{
	static const struct srv_field spec[] = {
		{ "name", SRV_F_STRING, false, 100 },
		{ "members", SRV_F_E164S, false, MAX_MEMBERS },
		{ "fields", SRV_F_NAMES, false, MAX_FIELDS },
	};
	const char *v[6];

	if (srv_api_arg_id(req, 0, &v[1]) < 0 || srv_api_fields(req, spec, 3, &v[2]) < 0)
		return;
	if (v[2] && !v[2][0]) {
		srv_req_error(req, 400, "out_of_range", "name", "must not be empty");
		return;
	}
	v[0] = sub_id(req);
	v[5] = req->actor;
	srv_api_query_json(req, 200,
		"WITH old AS (SELECT * FROM groups WHERE id = $2::bigint AND subscriber_id = $1::bigint FOR UPDATE),"
		" g AS (UPDATE groups n SET name = coalesce($3, n.name) FROM old WHERE n.id = old.id RETURNING n.*),"
		" dm AS (DELETE FROM group_members WHERE $4::text[] IS NOT NULL AND group_id IN (SELECT id FROM g)"
		"  AND tdn <> ALL ($4::text[])),"
		" im AS (INSERT INTO group_members (group_id, tdn) SELECT DISTINCT g.id, x FROM g, unnest($4::text[]) x"
		"  ON CONFLICT DO NOTHING),"
		" df AS (DELETE FROM group_visibility WHERE $5::text[] IS NOT NULL AND group_id IN (SELECT id FROM g)"
		"  AND field_name <> ALL ($5::text[])),"
		" iff AS (INSERT INTO group_visibility (group_id, field_name)"
		"  SELECT DISTINCT g.id, x FROM g, unnest($5::text[]) x ON CONFLICT DO NOTHING),"
		" a AS (INSERT INTO audit_log (actor, action, object, before, after)"
		"  SELECT $6, 'group.update', 'subscriber/' || $1 || '/group/' || g.id, to_jsonb(old),"
		"  to_jsonb(g) || jsonb_strip_nulls(jsonb_build_object('members', $4::text[], 'fields', $5::text[]))"
		"  FROM old, g)"
		" SELECT json_build_object('id', g.id, 'name', g.name, 'created_at', g.created_at,"
		"  'members', CASE WHEN $4::text[] IS NULL THEN (SELECT coalesce(json_agg(m.tdn ORDER BY m.tdn), '[]')"
		"   FROM group_members m WHERE m.group_id = g.id) ELSE " ARRAY_JSON("$4") " END,"
		"  'fields', CASE WHEN $5::text[] IS NULL THEN (SELECT coalesce(json_agg(f.field_name"
		"   ORDER BY f.field_name), '[]') FROM group_visibility f WHERE f.group_id = g.id)"
		"   ELSE " ARRAY_JSON("$5") " END) FROM g", 6, v);
}

void srv_api_me_group_delete(struct srv_req *req)
{
	const char *v[3];

	if (srv_api_arg_id(req, 0, &v[1]) < 0)
		return;
	v[0] = sub_id(req);
	v[2] = req->actor;
	srv_api_query_json(req, 200,
		"WITH g AS (DELETE FROM groups WHERE id = $2::bigint AND subscriber_id = $1::bigint RETURNING *),"
		" a AS (INSERT INTO audit_log (actor, action, object, before)"
		"  SELECT $3, 'group.delete', 'subscriber/' || $1 || '/group/' || g.id, to_jsonb(g) FROM g)"
		" SELECT json_build_object('deleted', g.id) FROM g", 3, v);
}

void srv_api_me_default_get(struct srv_req *req)
{
	const char *v[1] = { sub_id(req) };

	srv_api_query_json(req, 200,
		"SELECT json_build_object('fields', coalesce(json_agg(field_name ORDER BY field_name), '[]'))"
		" FROM default_visibility WHERE subscriber_id = $1::bigint", 1, v);
}

/* PUT /v1/me/default-audience {"fields":[...]}: the fields a peer in none of the groups sees. */
void srv_api_me_default_put(struct srv_req *req)
{
	static const struct srv_field spec[] = {
		{ "fields", SRV_F_NAMES, true, MAX_FIELDS },
	};
	const char *v[3];

	if (srv_api_fields(req, spec, 1, &v[1]) < 0)
		return;
	v[0] = sub_id(req);
	v[2] = req->actor;
	srv_api_query_json(req, 200,
		"WITH old AS (SELECT coalesce(array_agg(field_name ORDER BY field_name), '{}') AS f"
		"  FROM default_visibility WHERE subscriber_id = $1::bigint),"
		" d AS (DELETE FROM default_visibility WHERE subscriber_id = $1::bigint AND field_name <> ALL ($2::text[])),"
		" i AS (INSERT INTO default_visibility (subscriber_id, field_name)"
		"  SELECT DISTINCT $1::bigint, x FROM unnest($2::text[]) x ON CONFLICT DO NOTHING),"
		" a AS (INSERT INTO audit_log (actor, action, object, before, after)"
		"  SELECT $3, 'audience.set_default', 'subscriber/' || $1 || '/default-audience',"
		"  jsonb_build_object('fields', old.f), jsonb_build_object('fields', $2::text[]) FROM old)"
		" SELECT json_build_object('fields', " ARRAY_JSON("$2") ")", 3, v);
}

void srv_api_me_blocks_list(struct srv_req *req)
{
	const char *v[1] = { sub_id(req) };

	srv_api_query_json(req, 200,
		"SELECT json_build_object('items', coalesce(json_agg(json_build_object('tdn', tdn,"
		" 'created_at', created_at) ORDER BY tdn), '[]')) FROM blocks WHERE subscriber_id = $1::bigint", 1, v);
}

static int block_arg(struct srv_req *req, unsigned int status)
{
	if (!srv_e164_valid(req->args[0])) {
		srv_req_error(req, status, status == 404 ? "not_found" : "bad_e164", "tdn",
			      "not an E.164 number (+ and 2 to 15 digits, + written %%2B in a URL)");
		return -1;
	}
	return 0;
}

/* PUT /v1/me/blocks/{tdn}: block a peer; blocking it again changes nothing. */
void srv_api_me_block_put(struct srv_req *req)
{
	const char *v[3];

	if (block_arg(req, 400) < 0)
		return;
	v[0] = sub_id(req);
	v[1] = req->args[0];
	v[2] = req->actor;
	srv_api_query_json(req, 200,
		"WITH b AS (INSERT INTO blocks (subscriber_id, tdn) VALUES ($1::bigint, $2) ON CONFLICT DO NOTHING"
		"  RETURNING *),"
		" a AS (INSERT INTO audit_log (actor, action, object, after)"
		"  SELECT $3, 'block.add', 'subscriber/' || $1 || '/block/' || b.tdn, to_jsonb(b) FROM b)"
		" SELECT json_build_object('tdn', x.tdn, 'created_at', x.created_at) FROM (SELECT * FROM b UNION ALL"
		"  SELECT * FROM blocks WHERE subscriber_id = $1::bigint AND tdn = $2 AND NOT EXISTS (SELECT 1 FROM b)) x",
		3, v);
}

void srv_api_me_block_delete(struct srv_req *req)
{
	const char *v[3];

	if (block_arg(req, 404) < 0)
		return;
	v[0] = sub_id(req);
	v[1] = req->args[0];
	v[2] = req->actor;
	srv_api_query_json(req, 200,
		"WITH b AS (DELETE FROM blocks WHERE subscriber_id = $1::bigint AND tdn = $2 RETURNING *),"
		" a AS (INSERT INTO audit_log (actor, action, object, before)"
		"  SELECT $3, 'block.delete', 'subscriber/' || $1 || '/block/' || b.tdn, to_jsonb(b) FROM b)"
		" SELECT json_build_object('deleted', b.tdn) FROM b", 3, v);
}
