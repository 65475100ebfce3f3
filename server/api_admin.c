/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: API key management (admin only) and the audit log query. */

#include <string.h>

#include <talloc.h>

#include "api.h"
#include "auth.h"
#include "srv.h"

#define KEY_JSON \
	"json_build_object('id', k.id, 'key_id', k.key_id, 'role', k.role, 'label', k.label," \
	" 'created_at', k.created_at, 'revoked_at', k.revoked_at, 'last_used_at', k.last_used_at)"

static const char *const key_roles[] = { "engineer", "admin", "scp", NULL };

/*! SQL that stores a new API key: $1 key_id, $2 salt hex, $3 hash hex, $4 role, $5 label, $6 actor;
 *  answers the key's JSON (without the secret). Shared with --create-api-key. */
const char srv_sql_key_insert[] =
	"WITH k AS (INSERT INTO api_keys (key_id, salt, hash, role, label)"
	"  VALUES ($1, decode($2, 'hex'), decode($3, 'hex'), $4, coalesce($5, '')) RETURNING *),"
	" a AS (INSERT INTO audit_log (actor, action, object, after)"
	"  SELECT $6, 'api_key.create', 'api_key/' || k.id, to_jsonb(k) - 'salt' - 'hash' FROM k)"
	" SELECT " KEY_JSON " FROM k";

struct key_create {
	char *text;
};

static void key_create_cb(struct srv_req *req, const PGresult *res, const char *errmsg)
{
	struct key_create *kc = req->state;
	json_error_t jerr;
	json_t *obj;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		srv_req_db_error(req, res, errmsg);
		return;
	}
	obj = json_loads(PQgetvalue(res, 0, 0), 0, &jerr);
	if (!obj) {
		srv_req_error(req, 500, "internal", NULL, "bad answer from the database");
		return;
	}
	json_object_set_new(obj, "key", json_string(kc->text));
	srv_req_reply_json(req, 201, obj);
}

void srv_api_key_create(struct srv_req *req)
{
	static const struct srv_field spec[] = {
		{ "role", SRV_F_ENUM, true, 0, key_roles },
		{ "label", SRV_F_STRING, false, 200 },
	};
	struct key_create *kc;
	struct srv_cred cred;
	const char *f[2], *v[6];

	if (srv_api_fields(req, spec, 2, f) < 0)
		return;
	if (srv_cred_new(&cred, SRV_CRED_API_KEY) < 0) {
		srv_req_error(req, 500, "internal", NULL, "cannot make a key");
		return;
	}
	kc = talloc_zero(req, struct key_create);
	kc->text = talloc_strdup(kc, cred.text);
	req->state = kc;
	v[0] = talloc_strdup(req, cred.id);
	v[1] = talloc_strdup(req, cred.salt_hex);
	v[2] = talloc_strdup(req, cred.hash_hex);
	v[3] = f[0];
	v[4] = f[1];
	v[5] = req->actor;
	memset(&cred, 0, sizeof(cred));
	srv_req_query(req, key_create_cb, srv_sql_key_insert, 6, v, NULL, NULL);
}

void srv_api_key_list(struct srv_req *req)
{
	static const char *const allowed[] = { "limit", "after", NULL };
	const char *v[2];

	if (srv_req_check_query_args(req, allowed) < 0 || srv_api_page(req, &v[1], &v[0]) < 0)
		return;
	srv_api_query_json(req, 200,
		"SELECT json_build_object('items', coalesce(json_agg(json_build_object('id', k.id, 'key_id', k.key_id,"
		" 'role', k.role, 'label', k.label, 'created_at', k.created_at, 'revoked_at', k.revoked_at,"
		" 'last_used_at', k.last_used_at) ORDER BY k.id), '[]'::json),"
		" 'next', CASE WHEN count(*) = $2::bigint THEN max(k.id) END)"
		" FROM (SELECT * FROM api_keys WHERE id > $1::bigint ORDER BY id LIMIT $2::bigint) k", 2, v);
}

void srv_api_key_revoke(struct srv_req *req)
{
	const char *v[2];

	if (srv_api_arg_id(req, 0, &v[0]) < 0)
		return;
	v[1] = req->actor;
	srv_api_query_json(req, 200,
		"WITH old AS (SELECT * FROM api_keys WHERE id = $1::bigint AND revoked_at IS NULL FOR UPDATE),"
		" k AS (UPDATE api_keys n SET revoked_at = now() FROM old WHERE n.id = old.id RETURNING n.*),"
		" a AS (INSERT INTO audit_log (actor, action, object, before, after)"
		"  SELECT $2, 'api_key.revoke', 'api_key/' || k.id, to_jsonb(old) - 'salt' - 'hash',"
		"  to_jsonb(k) - 'salt' - 'hash' FROM old, k)"
		" SELECT " KEY_JSON " FROM k", 2, v);
}

void srv_api_audit_list(struct srv_req *req)
{
	static const char *const allowed[] = { "object", "actor", "action", "limit", "after", NULL };
	const char *v[5];
	unsigned int i;

	if (srv_req_check_query_args(req, allowed) < 0 || srv_api_page(req, &v[1], &v[0]) < 0)
		return;
	v[2] = srv_req_query_arg(req, "object");
	v[3] = srv_req_query_arg(req, "actor");
	v[4] = srv_req_query_arg(req, "action");
	for (i = 2; i < 5; i++) {
		if (v[i] && strlen(v[i]) > 200) {
			srv_req_error(req, 400, "out_of_range", i == 2 ? "object" : i == 3 ? "actor" : "action",
				      "at most 200 characters");
			return;
		}
	}
	srv_api_query_json(req, 200,
		"SELECT json_build_object('items', coalesce(json_agg(json_build_object('id', x.id, 'at', x.at,"
		" 'actor', x.actor, 'action', x.action, 'object', x.object, 'before', x.before, 'after', x.after)"
		" ORDER BY x.id), '[]'::json), 'next', CASE WHEN count(*) = $2::bigint THEN max(x.id) END)"
		" FROM (SELECT * FROM audit_log WHERE id > $1::bigint AND ($3::text IS NULL OR object = $3)"
		"  AND ($4::text IS NULL OR actor = $4) AND ($5::text IS NULL OR action = $5)"
		"  ORDER BY id LIMIT $2::bigint) x", 5, v);
}
