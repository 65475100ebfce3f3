/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: engineers' provisioning API: subscribers, devices and couplings (CRUD, filters, pages).
 *
 * Every change is one SQL statement that also writes its audit_log row (data-modifying CTEs), so a change
 * and its audit record are committed together or not at all. Answers are built as JSON by PostgreSQL. */

#include <string.h>

#include <talloc.h>

#include "api.h"
#include "auth.h"
#include "srv.h"

#define SUB_JSON \
	"json_build_object('id', s.id, 'tdn', s.tdn, 'label', s.label, 'created_at', s.created_at," \
	" 'updated_at', s.updated_at)"

#define DEV_FIELDS \
	"'id', d.id, 'subscriber_id', d.subscriber_id, 'tdn', s.tdn, 'kind', d.kind, 'app_id', d.app_id," \
	" 'ip', d.ip, 'label', d.label, 'capabilities', d.capabilities, 'has_token', d.token_id IS NOT NULL," \
	" 'created_at', d.created_at, 'last_seen', d.last_seen"

#define CPL_JSON \
	"json_build_object('id', c.id, 'tdn', s.tdn, 'subscriber_id', c.subscriber_id, 'device_id', c.device_id," \
	" 'ip', d.ip, 'source', c.source, 'verified_at', c.verified_at, 'created_at', c.created_at)"

/* A list page: items ordered by id, "next" is the id to pass as ?after= for the following page. */
#define PAGE_JSON(item) \
	"json_build_object('items', coalesce(json_agg(" item " ORDER BY x.id), '[]'::json)," \
	" 'next', CASE WHEN count(*) = $2::bigint THEN max(x.id) END)"

/* "+4930" or "4930" ('+' in a query string often arrives as a space: " 4930" is taken as well) */
static int tdn_prefix_arg(struct srv_req *req, const char *name, const char **out)
{
	const char *p = srv_req_query_arg(req, name);
	size_t len;

	*out = NULL;
	if (!p)
		return 0;
	if (*p == '+' || *p == ' ')
		p++;
	len = strlen(p);
	if (len > 15 || strspn(p, "0123456789") != len) {
		srv_req_error(req, 400, "bad_e164", name, "must be the leading digits of an E.164 number");
		return -1;
	}
	*out = talloc_asprintf(req, "+%s", p);
	return 0;
}

static int tdn_arg(struct srv_req *req, const char *name, const char **out)
{
	const char *p = srv_req_query_arg(req, name);

	*out = NULL;
	if (!p)
		return 0;
	if (*p == ' ')
		p = talloc_asprintf(req, "+%s", p + 1);
	if (!srv_e164_valid(p)) {
		srv_req_error(req, 400, "bad_e164", name, "not an E.164 number (+ and 2 to 15 digits)");
		return -1;
	}
	*out = p;
	return 0;
}

static int ip_arg(struct srv_req *req, const char *name, const char **out)
{
	const char *p = srv_req_query_arg(req, name);
	struct srv_cidr c;

	*out = NULL;
	if (!p)
		return 0;
	if (srv_cidr_parse(&c, p) < 0) {
		srv_req_error(req, 400, "bad_ip", name, "not an IP address or prefix");
		return -1;
	}
	*out = p;
	return 0;
}

static int id_arg(struct srv_req *req, const char *name, const char **out)
{
	const char *p = srv_req_query_arg(req, name);
	size_t len;

	*out = NULL;
	if (!p)
		return 0;
	len = strlen(p);
	if (!len || len > 18 || strspn(p, "0123456789") != len) {
		srv_req_error(req, 400, "out_of_range", name, "must be an id");
		return -1;
	}
	*out = p;
	return 0;
}

/* The subscriber named in the path: a numeric id or an E.164 number ("%2B4930..." in the URL). */
static int sub_where(struct srv_req *req, const char **where)
{
	const char *a = req->args[0];

	if (a && a[0] == '+') {
		if (!srv_e164_valid(a)) {
			srv_req_error(req, 404, "not_found", NULL, "no such object");
			return -1;
		}
		*where = "tdn = $1";
		return 0;
	}
	*where = "id = $1::bigint";
	return srv_api_arg_id(req, 0, &a);
}

/* --- subscribers --------------------------------------------------------------------------------------- */

void srv_api_subscriber_create(struct srv_req *req)
{
	static const struct srv_field spec[] = {
		{ "tdn", SRV_F_E164, true },
		{ "label", SRV_F_STRING, false, 200 },
	};
	const char *v[3];

	if (srv_api_fields(req, spec, 2, v) < 0)
		return;
	v[2] = req->actor;
	srv_api_query_json(req, 201,
		"WITH s AS (INSERT INTO subscribers (tdn, label) VALUES ($1, coalesce($2, '')) RETURNING *),"
		" a AS (INSERT INTO audit_log (actor, action, object, after)"
		"  SELECT $3, 'subscriber.create', 'subscriber/' || s.id, to_jsonb(s) FROM s)"
		" SELECT " SUB_JSON " FROM s", 3, v);
}

void srv_api_subscriber_list(struct srv_req *req)
{
	static const char *const allowed[] = { "tdn_prefix", "limit", "after", NULL };
	const char *v[3];

	if (srv_req_check_query_args(req, allowed) < 0 || srv_api_page(req, &v[1], &v[0]) < 0 ||
	    tdn_prefix_arg(req, "tdn_prefix", &v[2]) < 0)
		return;
	srv_api_query_json(req, 200,
		"SELECT " PAGE_JSON("json_build_object('id', x.id, 'tdn', x.tdn, 'label', x.label,"
				    " 'created_at', x.created_at, 'updated_at', x.updated_at)")
		" FROM (SELECT * FROM subscribers WHERE id > $1::bigint"
		"  AND ($3::text IS NULL OR tdn LIKE $3 || '%') ORDER BY id LIMIT $2::bigint) x", 3, v);
}

void srv_api_subscriber_get(struct srv_req *req)
{
	const char *where, *v[1];

	if (sub_where(req, &where) < 0)
		return;
	v[0] = req->args[0];
	srv_api_query_json(req, 200, talloc_asprintf(req, "SELECT " SUB_JSON " FROM subscribers s WHERE s.%s",
						     where), 1, v);
}

void srv_api_subscriber_update(struct srv_req *req)
{
	static const struct srv_field spec[] = {
		{ "tdn", SRV_F_E164, false },
		{ "label", SRV_F_STRING, false, 200 },
	};
	const char *where, *v[4];

	if (sub_where(req, &where) < 0 || srv_api_fields(req, spec, 2, &v[1]) < 0)
		return;
	v[0] = req->args[0];
	v[3] = req->actor;
	srv_api_query_json(req, 200, talloc_asprintf(req,
		"WITH old AS (SELECT * FROM subscribers WHERE %s FOR UPDATE),"
		" s AS (UPDATE subscribers n SET tdn = coalesce($2, n.tdn), label = coalesce($3, n.label),"
		"  updated_at = now() FROM old WHERE n.id = old.id RETURNING n.*),"
		" a AS (INSERT INTO audit_log (actor, action, object, before, after)"
		"  SELECT $4, 'subscriber.update', 'subscriber/' || s.id, to_jsonb(old), to_jsonb(s) FROM old, s)"
		" SELECT " SUB_JSON " FROM s", where), 4, v);
}

void srv_api_subscriber_delete(struct srv_req *req)
{
	const char *where, *v[2];

	if (sub_where(req, &where) < 0)
		return;
	v[0] = req->args[0];
	v[1] = req->actor;
	srv_api_query_json(req, 200, talloc_asprintf(req,
		"WITH s AS (DELETE FROM subscribers WHERE %s RETURNING *),"
		" a AS (INSERT INTO audit_log (actor, action, object, before)"
		"  SELECT $2, 'subscriber.delete', 'subscriber/' || s.id, to_jsonb(s) FROM s)"
		" SELECT json_build_object('deleted', s.id) FROM s", where), 2, v);
}

/* --- devices ----------------------------------------------------------------------------------------- */

static const char *const device_kinds[] = { "pc", "browser", "phone", "tv", NULL };

void srv_api_device_create(struct srv_req *req)
{
	static const struct srv_field spec[] = {
		{ "subscriber_id", SRV_F_ID, false },
		{ "tdn", SRV_F_E164, false },
		{ "kind", SRV_F_ENUM, true, 0, device_kinds },
		{ "app_id", SRV_F_STRING, false, 200 },
		{ "ip", SRV_F_CIDR, false },
		{ "label", SRV_F_STRING, false, 200 },
		{ "capabilities", SRV_F_TOKENS, false, 32 },
	};
	struct srv_cred cred;
	const char *v[12];

	if (srv_api_fields(req, spec, 7, v) < 0)
		return;
	if (!v[0] == !v[1]) {
		srv_req_error(req, 400, "missing_field", v[0] ? "tdn" : "subscriber_id",
			      "exactly one of subscriber_id and tdn is required");
		return;
	}
	if (srv_cred_new(&cred, SRV_CRED_DEVICE) < 0) {
		srv_req_error(req, 500, "internal", NULL, "cannot make a token");
		return;
	}
	v[7] = talloc_strdup(req, cred.id);
	v[8] = talloc_strdup(req, cred.salt_hex);
	v[9] = talloc_strdup(req, cred.hash_hex);
	v[10] = req->actor;
	v[11] = talloc_strdup(req, cred.text);
	memset(&cred, 0, sizeof(cred));
	srv_api_query_json(req, 201,
		"WITH s AS (SELECT id, tdn FROM subscribers WHERE id = $1::bigint OR tdn = $2),"
		" d AS (INSERT INTO devices (subscriber_id, kind, app_id, ip, label, capabilities, token_id,"
		"  token_salt, token_hash) SELECT s.id, $3, coalesce($4, ''), $5::cidr, coalesce($6, ''),"
		"  coalesce($7::text[], '{}'), $8, decode($9, 'hex'), decode($10, 'hex') FROM s RETURNING *),"
		" a AS (INSERT INTO audit_log (actor, action, object, after)"
		"  SELECT $11, 'device.create', 'device/' || d.id, to_jsonb(d) - 'token_salt' - 'token_hash' FROM d)"
		" SELECT (SELECT json_build_object(" DEV_FIELDS ", 'token', $12::text) FROM d, s),"
		"  CASE WHEN NOT EXISTS (SELECT 1 FROM s) THEN"
		"   CASE WHEN $1::bigint IS NULL THEN 'tdn' ELSE 'subscriber_id' END END", 12, v);
}

void srv_api_device_list(struct srv_req *req)
{
	static const char *const allowed[] = { "tdn", "subscriber_id", "ip", "kind", "limit", "after", NULL };
	const char *v[6];

	if (srv_req_check_query_args(req, allowed) < 0 || srv_api_page(req, &v[1], &v[0]) < 0 ||
	    tdn_arg(req, "tdn", &v[2]) < 0 || id_arg(req, "subscriber_id", &v[3]) < 0 ||
	    ip_arg(req, "ip", &v[4]) < 0)
		return;
	v[5] = srv_req_query_arg(req, "kind");
	if (v[5]) {
		unsigned int i;

		for (i = 0; device_kinds[i] && strcmp(device_kinds[i], v[5]); i++)
			;
		if (!device_kinds[i]) {
			srv_req_error(req, 400, "out_of_range", "kind", "not one of the allowed values");
			return;
		}
	}
	srv_api_query_json(req, 200,
		"SELECT " PAGE_JSON("json_build_object('id', x.id, 'subscriber_id', x.subscriber_id, 'tdn', x.tdn,"
				    " 'kind', x.kind, 'app_id', x.app_id, 'ip', x.ip, 'label', x.label,"
				    " 'capabilities', x.capabilities, 'has_token', x.token_id IS NOT NULL,"
				    " 'created_at', x.created_at, 'last_seen', x.last_seen)")
		" FROM (SELECT d.*, s.tdn FROM devices d JOIN subscribers s ON s.id = d.subscriber_id"
		"  WHERE d.id > $1::bigint AND ($3::text IS NULL OR s.tdn = $3)"
		"  AND ($4::bigint IS NULL OR d.subscriber_id = $4::bigint)"
		"  AND ($5::inet IS NULL OR d.ip >>= $5::inet) AND ($6::text IS NULL OR d.kind = $6)"
		"  ORDER BY d.id LIMIT $2::bigint) x", 6, v);
}

void srv_api_device_get(struct srv_req *req)
{
	const char *v[1];

	if (srv_api_arg_id(req, 0, &v[0]) < 0)
		return;
	srv_api_query_json(req, 200,
		"SELECT json_build_object(" DEV_FIELDS ") FROM devices d JOIN subscribers s ON s.id = d.subscriber_id"
		" WHERE d.id = $1::bigint", 1, v);
}

/* The fields given replace the stored ones; the token and the subscriber stay (a device moves to another
 * subscriber by deleting it and creating a new one, which also gives it a new token). */
void srv_api_device_update(struct srv_req *req)
{
	static const struct srv_field spec[] = {
		{ "kind", SRV_F_ENUM, false, 0, device_kinds },
		{ "app_id", SRV_F_STRING, false, 200 },
		{ "ip", SRV_F_CIDR, false },
		{ "label", SRV_F_STRING, false, 200 },
		{ "capabilities", SRV_F_TOKENS, false, 32 },
	};
	const char *v[7];

	if (srv_api_arg_id(req, 0, &v[0]) < 0 || srv_api_fields(req, spec, 5, &v[1]) < 0)
		return;
	v[6] = req->actor;
	srv_api_query_json(req, 200,
		"WITH old AS (SELECT * FROM devices WHERE id = $1::bigint FOR UPDATE),"
		" d AS (UPDATE devices n SET kind = coalesce($2, n.kind), app_id = coalesce($3, n.app_id),"
		"  ip = coalesce($4::cidr, n.ip), label = coalesce($5, n.label),"
		"  capabilities = coalesce($6::text[], n.capabilities) FROM old WHERE n.id = old.id RETURNING n.*),"
		" a AS (INSERT INTO audit_log (actor, action, object, before, after)"
		"  SELECT $7, 'device.update', 'device/' || d.id, to_jsonb(old) - 'token_salt' - 'token_hash',"
		"  to_jsonb(d) - 'token_salt' - 'token_hash' FROM old, d)"
		" SELECT json_build_object(" DEV_FIELDS ") FROM d JOIN subscribers s ON s.id = d.subscriber_id", 7, v);
}

void srv_api_device_delete(struct srv_req *req)
{
	const char *v[2];

	if (srv_api_arg_id(req, 0, &v[0]) < 0)
		return;
	v[1] = req->actor;
	srv_api_query_json(req, 200,
		"WITH d AS (DELETE FROM devices WHERE id = $1::bigint RETURNING *),"
		" a AS (INSERT INTO audit_log (actor, action, object, before)"
		"  SELECT $2, 'device.delete', 'device/' || d.id, to_jsonb(d) - 'token_salt' - 'token_hash' FROM d)"
		" SELECT json_build_object('deleted', d.id) FROM d", 2, v);
}

/* --- couplings ----------------------------------------------------------------------------------------- */

static const char *const coupling_sources[] = { "provisioned", "self", NULL };

/* With "ip" instead of "device_id", the device coupled to exactly that address or prefix is used, and made
 * (kind pc, owned by the TDN's subscriber, no token yet) when there is none. */
void srv_api_coupling_create(struct srv_req *req)
{
	static const struct srv_field spec[] = {
		{ "tdn", SRV_F_E164, true },
		{ "device_id", SRV_F_ID, false },
		{ "ip", SRV_F_CIDR, false },
		{ "source", SRV_F_ENUM, false, 0, coupling_sources },
	};
	const char *v[5];

	if (srv_api_fields(req, spec, 4, v) < 0)
		return;
	if (!v[1] == !v[2]) {
		srv_req_error(req, 400, "missing_field", v[1] ? "ip" : "device_id",
			      "exactly one of device_id and ip is required");
		return;
	}
	v[4] = req->actor;
	srv_api_query_json(req, 201,
		"WITH s AS (SELECT id, tdn FROM subscribers WHERE tdn = $1),"
		" found AS (SELECT d.id, d.ip FROM devices d WHERE d.id = $2::bigint OR d.ip = $3::cidr"
		"  ORDER BY d.id LIMIT 1),"
		" made AS (INSERT INTO devices (subscriber_id, kind, ip) SELECT s.id, 'pc', $3::cidr FROM s"
		"  WHERE $3::cidr IS NOT NULL AND NOT EXISTS (SELECT 1 FROM found) RETURNING id, ip),"
		" d AS (SELECT * FROM found UNION ALL SELECT * FROM made),"
		" c AS (INSERT INTO couplings (subscriber_id, device_id, source)"
		"  SELECT s.id, d.id, coalesce($4, 'provisioned') FROM s, d RETURNING *),"
		" a AS (INSERT INTO audit_log (actor, action, object, after)"
		"  SELECT $5, 'coupling.create', 'coupling/' || c.id, to_jsonb(c) FROM c)"
		" SELECT (SELECT " CPL_JSON " FROM c, s, d),"
		"  CASE WHEN NOT EXISTS (SELECT 1 FROM s) THEN 'tdn'"
		"   WHEN NOT EXISTS (SELECT 1 FROM d) THEN 'device_id' END", 5, v);
}

void srv_api_coupling_list(struct srv_req *req)
{
	static const char *const allowed[] = { "tdn", "tdn_prefix", "device_id", "ip", "limit", "after", NULL };
	const char *v[6];

	if (srv_req_check_query_args(req, allowed) < 0 || srv_api_page(req, &v[1], &v[0]) < 0 ||
	    tdn_arg(req, "tdn", &v[2]) < 0 || tdn_prefix_arg(req, "tdn_prefix", &v[3]) < 0 ||
	    id_arg(req, "device_id", &v[4]) < 0 || ip_arg(req, "ip", &v[5]) < 0)
		return;
	srv_api_query_json(req, 200,
		"SELECT " PAGE_JSON("json_build_object('id', x.id, 'tdn', x.tdn, 'subscriber_id', x.subscriber_id,"
				    " 'device_id', x.device_id, 'ip', x.ip, 'source', x.source,"
				    " 'verified_at', x.verified_at, 'created_at', x.created_at)")
		" FROM (SELECT c.*, s.tdn, d.ip FROM couplings c JOIN subscribers s ON s.id = c.subscriber_id"
		"  JOIN devices d ON d.id = c.device_id"
		"  WHERE c.id > $1::bigint AND ($3::text IS NULL OR s.tdn = $3)"
		"  AND ($4::text IS NULL OR s.tdn LIKE $4 || '%') AND ($5::bigint IS NULL OR c.device_id = $5::bigint)"
		"  AND ($6::inet IS NULL OR d.ip >>= $6::inet) ORDER BY c.id LIMIT $2::bigint) x", 6, v);
}

void srv_api_coupling_get(struct srv_req *req)
{
	const char *v[1];

	if (srv_api_arg_id(req, 0, &v[0]) < 0)
		return;
	srv_api_query_json(req, 200,
		"SELECT " CPL_JSON " FROM couplings c JOIN subscribers s ON s.id = c.subscriber_id"
		" JOIN devices d ON d.id = c.device_id WHERE c.id = $1::bigint", 1, v);
}

/* A coupling's parties stay (another TDN or device is another coupling: delete and create); its source can be
 * corrected, and it is marked verified ("verified": true sets verified_at to now, once) or not (false clears
 * it). */
void srv_api_coupling_update(struct srv_req *req)
{
	static const struct srv_field spec[] = {
		{ "source", SRV_F_ENUM, false, 0, coupling_sources },
		{ "verified", SRV_F_BOOL, false },
	};
	const char *v[4];

	if (srv_api_arg_id(req, 0, &v[0]) < 0 || srv_api_fields(req, spec, 2, &v[1]) < 0)
		return;
	v[3] = req->actor;
	srv_api_query_json(req, 200,
		"WITH old AS (SELECT * FROM couplings WHERE id = $1::bigint FOR UPDATE),"
		" c AS (UPDATE couplings n SET source = coalesce($2, n.source),"
		"  verified_at = CASE $3::boolean WHEN true THEN coalesce(n.verified_at, now()) WHEN false THEN NULL"
		"   ELSE n.verified_at END FROM old WHERE n.id = old.id RETURNING n.*),"
		" a AS (INSERT INTO audit_log (actor, action, object, before, after)"
		"  SELECT $4, 'coupling.update', 'coupling/' || c.id, to_jsonb(old), to_jsonb(c) FROM old, c)"
		" SELECT " CPL_JSON " FROM c JOIN subscribers s ON s.id = c.subscriber_id"
		" JOIN devices d ON d.id = c.device_id", 4, v);
}

void srv_api_coupling_delete(struct srv_req *req)
{
	const char *v[2];

	if (srv_api_arg_id(req, 0, &v[0]) < 0)
		return;
	v[1] = req->actor;
	srv_api_query_json(req, 200,
		"WITH c AS (DELETE FROM couplings WHERE id = $1::bigint RETURNING *),"
		" a AS (INSERT INTO audit_log (actor, action, object, before)"
		"  SELECT $2, 'coupling.delete', 'coupling/' || c.id, to_jsonb(c) FROM c)"
		" SELECT json_build_object('deleted', c.id) FROM c", 2, v);
}
