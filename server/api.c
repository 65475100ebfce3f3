/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: REST API v1 routing, authentication and the input checks every handler shares. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/utils.h>

#include "access.h"
#include "api.h"
#include "api_calls.h"
#include "api_events.h"
#include "api_media.h"
#include "api_relay.h"
#include "auth.h"
#include "db.h"
#include "sse.h"
#include "srv.h"
#include "web.h"

#define ENG	(SRV_ROLE_ENGINEER | SRV_ROLE_ADMIN)
#define ADM	SRV_ROLE_ADMIN
#define DEV	SRV_ROLE_DEVICE

static const struct srv_route routes[] = {
	{ "GET", "/v1/health", 0, SRV_BODY_NONE, srv_api_health },
	{ "POST", "/v1/call-events", SRV_ROLE_SCP, SRV_BODY_JSON, srv_api_call_events },
	{ "POST", "/v1/subscribers", ENG, SRV_BODY_JSON, srv_api_subscriber_create },
	{ "GET", "/v1/subscribers", ENG, SRV_BODY_NONE, srv_api_subscriber_list },
	{ "GET", "/v1/subscribers/{}", ENG, SRV_BODY_NONE, srv_api_subscriber_get },
	{ "PATCH", "/v1/subscribers/{}", ENG, SRV_BODY_JSON, srv_api_subscriber_update },
	{ "DELETE", "/v1/subscribers/{}", ENG, SRV_BODY_NONE, srv_api_subscriber_delete },
	{ "POST", "/v1/devices", ENG, SRV_BODY_JSON, srv_api_device_create },
	{ "GET", "/v1/devices", ENG, SRV_BODY_NONE, srv_api_device_list },
	{ "GET", "/v1/devices/{}", ENG, SRV_BODY_NONE, srv_api_device_get },
	{ "PATCH", "/v1/devices/{}", ENG, SRV_BODY_JSON, srv_api_device_update },
	{ "DELETE", "/v1/devices/{}", ENG, SRV_BODY_NONE, srv_api_device_delete },
	{ "POST", "/v1/devices/{}/events", ENG, SRV_BODY_JSON, srv_api_device_notice },
	{ "POST", "/v1/couplings", ENG, SRV_BODY_JSON, srv_api_coupling_create },
	{ "GET", "/v1/couplings", ENG, SRV_BODY_NONE, srv_api_coupling_list },
	{ "GET", "/v1/couplings/{}", ENG, SRV_BODY_NONE, srv_api_coupling_get },
	{ "PATCH", "/v1/couplings/{}", ENG, SRV_BODY_JSON, srv_api_coupling_update },
	{ "DELETE", "/v1/couplings/{}", ENG, SRV_BODY_NONE, srv_api_coupling_delete },
	{ "POST", "/v1/api-keys", ADM, SRV_BODY_JSON, srv_api_key_create },
	{ "GET", "/v1/api-keys", ADM, SRV_BODY_NONE, srv_api_key_list },
	{ "DELETE", "/v1/api-keys/{}", ADM, SRV_BODY_NONE, srv_api_key_revoke },
	{ "GET", "/v1/audit", ENG, SRV_BODY_NONE, srv_api_audit_list },
	{ "POST", "/v1/import/couplings", ENG, SRV_BODY_CSV, srv_api_import_couplings },
	{ "POST", "/v1/import/subscribers", ENG, SRV_BODY_CSV, srv_api_import_subscribers },
	{ "GET", "/v1/export/couplings", ENG, SRV_BODY_NONE, srv_api_export_couplings },
	{ "GET", "/v1/export/subscribers", ENG, SRV_BODY_NONE, srv_api_export_subscribers },
	{ "GET", "/v1/me", DEV, SRV_BODY_NONE, srv_api_me_get },
	{ "GET", "/v1/me/profile", DEV, SRV_BODY_NONE, srv_api_me_profile_get },
	{ "PUT", "/v1/me/profile/photo", DEV, SRV_BODY_IMAGE, srv_api_me_photo_put },
	{ "GET", "/v1/me/profile/photo", DEV, SRV_BODY_NONE, srv_api_me_photo_get },
	{ "PUT", "/v1/me/profile/{}", DEV, SRV_BODY_JSON, srv_api_me_field_put },
	{ "DELETE", "/v1/me/profile/{}", DEV, SRV_BODY_NONE, srv_api_me_field_delete },
	{ "GET", "/v1/me/groups", DEV, SRV_BODY_NONE, srv_api_me_groups_list },
	{ "POST", "/v1/me/groups", DEV, SRV_BODY_JSON, srv_api_me_group_create },
	{ "GET", "/v1/me/groups/{}", DEV, SRV_BODY_NONE, srv_api_me_group_get },
	{ "PATCH", "/v1/me/groups/{}", DEV, SRV_BODY_JSON, srv_api_me_group_update },
	{ "DELETE", "/v1/me/groups/{}", DEV, SRV_BODY_NONE, srv_api_me_group_delete },
	{ "GET", "/v1/me/default-audience", DEV, SRV_BODY_NONE, srv_api_me_default_get },
	{ "PUT", "/v1/me/default-audience", DEV, SRV_BODY_JSON, srv_api_me_default_put },
	{ "GET", "/v1/me/blocks", DEV, SRV_BODY_NONE, srv_api_me_blocks_list },
	{ "PUT", "/v1/me/blocks/{}", DEV, SRV_BODY_NONE, srv_api_me_block_put },
	{ "DELETE", "/v1/me/blocks/{}", DEV, SRV_BODY_NONE, srv_api_me_block_delete },
	{ "GET", "/v1/events", DEV, SRV_BODY_NONE, srv_api_events },
	{ "GET", "/v1/media/{}", DEV, SRV_BODY_NONE, srv_api_media_get },
	{ "POST", "/v1/calls", DEV, SRV_BODY_JSON, srv_api_calls_post },
	{ "POST", "/v1/sessions/{}/messages", DEV, SRV_BODY_JSON, srv_api_session_message },
	{ "GET", "/", 0, SRV_BODY_NONE, srv_api_web_index },
	{ "GET", "/web/{}", 0, SRV_BODY_NONE, srv_api_web_file },
};

/* Match path against pattern; captured segments are copied to req->args. */
static bool route_match(struct srv_req *req, const char *pattern, const char *path, bool capture)
{
	unsigned int n = 0;

	while (*pattern && *path) {
		if (pattern[0] == '{' && pattern[1] == '}') {
			size_t len = strcspn(path, "/");

			if (!len || n >= SRV_MAX_PATH_ARGS)
				return false;
			if (capture)
				req->args[n] = talloc_strndup(req, path, len);
			n++;
			pattern += 2;
			path += len;
			continue;
		}
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	return !*pattern && !*path;
}

static bool content_type_is(struct srv_req *req, const char *want)
{
	const char *ct = srv_req_header(req, "Content-Type");
	size_t len = strlen(want);

	if (!ct || strncasecmp(ct, want, len))
		return false;
	/* allow parameters such as "; charset=utf-8" */
	return ct[len] == '\0' || ct[len] == ';' || ct[len] == ' ';
}

/*! \brief Headers are in: route, rate limit, credentials present, size and type of the body. An answer
 *  decided here (req->resp) goes out without reading the body. */
void srv_api_begin(struct srv_req *req)
{
	struct srv_cfg *cfg = &req->srv->cfg;
	const struct srv_route *r, *path_match = NULL;
	const char *cl, *auth;
	unsigned int i;

	req->body_limit = cfg->body_limit_json;
	if (!srv_ratelimit_take(req->srv, req->client_ip)) {
		srv_req_error(req, 429, "rate_limited", NULL, "too many requests");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(routes); i++) {
		r = &routes[i];
		if (!route_match(req, r->pattern, req->path, false))
			continue;
		path_match = r;
		if (!strcmp(r->method, req->method)) {
			route_match(req, r->pattern, req->path, true);
			req->route = r;
			break;
		}
	}
	if (!req->route) {
		if (path_match)
			srv_req_error(req, 405, "method_not_allowed", NULL, "method %s not allowed here", req->method);
		else
			srv_req_error(req, 404, "not_found", NULL, "no such endpoint");
		return;
	}
	r = req->route;
	if (r->roles) {
		auth = srv_req_header(req, "Authorization");
		if (!auth || strncasecmp(auth, "Bearer ", 7)) {
			srv_req_error(req, 401, "unauthorized", NULL, "missing credentials (Authorization: Bearer)");
			return;
		}
		req->cred_secret = auth + 7;
	}
	switch (r->body) {
	case SRV_BODY_IMAGE:
		req->body_limit = cfg->body_limit_photo;
		break;
	case SRV_BODY_CSV:
		req->body_limit = cfg->body_limit_csv;
		break;
	default:
		/* a relayed file comes in base64 inside the JSON body */
		if (r->fn == srv_api_session_message)
			req->body_limit = srv_relay_body_limit(cfg);
		break;
	}
	cl = srv_req_header(req, "Content-Length");
	if (cl) {
		char *end;
		unsigned long long v = strtoull(cl, &end, 10);

		if (*end == '\0' && v > req->body_limit) {
			srv_req_error(req, 413, "too_large", NULL, "request body larger than %zu bytes",
				      req->body_limit);
			return;
		}
	}
	if (r->body == SRV_BODY_JSON && !content_type_is(req, "application/json")) {
		srv_req_error(req, 415, "unsupported_media_type", NULL, "Content-Type must be application/json");
		return;
	}
	if (r->body == SRV_BODY_CSV && !content_type_is(req, "text/csv")) {
		srv_req_error(req, 415, "unsupported_media_type", NULL, "Content-Type must be text/csv");
		return;
	}
	if (r->body == SRV_BODY_IMAGE && !content_type_is(req, "image/jpeg") && !content_type_is(req, "image/png")) {
		srv_req_error(req, 415, "unsupported_media_type", NULL, "Content-Type must be image/jpeg or image/png");
		return;
	}
}

/* Handlers that take query parameters check them themselves (srv_req_check_query_args()); every other route
 * takes none, and refuses any like an unknown body field. A new handler that reads the query must be added
 * here, else its parameters are refused (which its tests show at once). */
static void (*const query_handlers[])(struct srv_req *req) = {
	srv_api_subscriber_list, srv_api_device_list, srv_api_coupling_list, srv_api_key_list, srv_api_audit_list,
	srv_api_import_couplings, srv_api_import_subscribers, srv_api_export_couplings, srv_api_export_subscribers,
	srv_api_events,
};

static void run_handler(struct srv_req *req)
{
	static const char *const none[] = { NULL };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(query_handlers); i++) {
		if (query_handlers[i] == req->route->fn)
			break;
	}
	if (i == ARRAY_SIZE(query_handlers) && srv_req_check_query_args(req, none) < 0)
		return;
	req->route->fn(req);
}

static void auth_denied(struct srv_req *req)
{
	srv_req_error(req, 401, "unauthorized", NULL, "unknown or revoked credentials");
}

static void auth_run(struct srv_req *req)
{
	if (!(req->route->roles & req->role)) {
		srv_req_error(req, 403, "forbidden", NULL, "not allowed for this role");
		return;
	}
	run_handler(req);
}

static void touch_cb(void *priv, const PGresult *res, const char *errmsg)
{
	if (errmsg)
		LOGP(DDB, LOGL_NOTICE, "cannot note the use of a credential: %s\n", errmsg);
}

/* Note when a credential was last used: a write at most every SRV_T_LAST_USED per credential (the
 * authenticating query says whether the stored time is older), sent without waiting for its answer. */
static void touch(struct srv_req *req, const char *sql, const char *id)
{
	const char *v[1] = { id };

	srv_db_query(req->srv->db, sql, 1, v, NULL, NULL, touch_cb, NULL);
}

static void auth_key_cb(struct srv_req *req, const PGresult *res, const char *errmsg)
{
	const char *role;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		srv_req_db_error(req, res, errmsg);
		return;
	}
	if (PQntuples(res) != 1 || srv_cred_verify(req->cred_secret, PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3))) {
		auth_denied(req);
		return;
	}
	role = PQgetvalue(res, 0, 1);
	if (!strcmp(role, "admin"))
		req->role = SRV_ROLE_ADMIN;
	else if (!strcmp(role, "engineer"))
		req->role = SRV_ROLE_ENGINEER;
	else if (!strcmp(role, "scp"))
		req->role = SRV_ROLE_SCP;
	snprintf(req->actor, sizeof(req->actor), "key:%s", PQgetvalue(res, 0, 0));
	req->cred_secret = NULL;
	if (!strcmp(PQgetvalue(res, 0, 4), "t"))
		touch(req, "UPDATE api_keys SET last_used_at = now() WHERE key_id = $1", PQgetvalue(res, 0, 0));
	auth_run(req);
}

static void auth_device_cb(struct srv_req *req, const PGresult *res, const char *errmsg)
{
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		srv_req_db_error(req, res, errmsg);
		return;
	}
	if (PQntuples(res) != 1 || srv_cred_verify(req->cred_secret, PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3))) {
		auth_denied(req);
		return;
	}
	/* an IP-coupled device is itself only from its address: checked here, once, for every device route */
	if (strcmp(PQgetvalue(res, 0, 5), "t")) {
		LOGP(DAPI, LOGL_NOTICE, "device %s is coupled to an address, refused from %s\n", PQgetvalue(res, 0, 0),
		     req->client_ip);
		srv_req_error(req, 403, "wrong_source_ip", NULL,
			      "this device is coupled to an address and may only connect from there");
		return;
	}
	req->role = SRV_ROLE_DEVICE;
	req->device_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	req->subscriber_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	snprintf(req->actor, sizeof(req->actor), "device:%" PRId64, req->device_id);
	req->cred_secret = NULL;
	if (!strcmp(PQgetvalue(res, 0, 4), "t"))
		touch(req, "UPDATE devices SET last_seen = now() WHERE id = $1::bigint", PQgetvalue(res, 0, 0));
	auth_run(req);
}

/* The client address (the TCP peer, or the X-Forwarded-For client behind a trusted proxy: access.c) as inet
 * text to compare with a device's coupled prefix; NULL when it is not an address (then nothing matches). */
static const char *client_inet(struct srv_req *req)
{
	struct in6_addr a6;
	struct in_addr a4;
	const char *ip = req->client_ip;

	/* an IPv4 client on a dual-stack socket: compare as IPv4 */
	if (!strncasecmp(ip, "::ffff:", 7) && inet_pton(AF_INET, ip + 7, &a4) == 1)
		return ip + 7;
	if (inet_pton(AF_INET, ip, &a4) == 1 || inet_pton(AF_INET6, ip, &a6) == 1)
		return ip;
	return NULL;
}

/*! \brief The whole request is in: authenticate, check the role, run the handler. */
void srv_api_dispatch(struct srv_req *req)
{
	enum srv_cred_kind kind;
	char id[SRV_CRED_ID_LEN + 1];
	const char *secret;
	const char *params[3];

	if (!req->route->roles) {
		run_handler(req);
		return;
	}
	if (srv_cred_parse(&kind, id, &secret, req->cred_secret) < 0) {
		auth_denied(req);
		return;
	}
	req->cred_secret = secret;
	params[0] = id;
	params[1] = talloc_asprintf(req, "%lu", osmo_tdef_get(req->srv->tdefs, SRV_T_LAST_USED, OSMO_TDEF_S, 60));
	if (kind == SRV_CRED_API_KEY)
		srv_req_query(req, auth_key_cb,
			      "SELECT key_id, role, encode(salt, 'hex'), encode(hash, 'hex'),"
			      " coalesce(last_used_at < now() - $2::integer * interval '1 second', true)"
			      " FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL", 2, params, NULL, NULL);
	else {
		params[2] = client_inet(req);
		srv_req_query(req, auth_device_cb,
			      "SELECT id, subscriber_id, encode(token_salt, 'hex'), encode(token_hash, 'hex'),"
			      " coalesce(last_seen < now() - $2::integer * interval '1 second', true),"
			      " ip IS NULL OR coalesce($3::inet <<= ip, false)"
			      " FROM devices WHERE token_id = $1", 3, params, NULL, NULL);
	}
}

/* --- input checks ------------------------------------------------------------------------------------- */

/*! \brief "+" and 2 to 15 digits, the first not 0 (E.164: country code and national number). */
bool srv_e164_valid(const char *s)
{
	size_t n = 0;

	if (*s++ != '+' || *s == '0')
		return false;
	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return n >= 2 && n <= 15;
}

/*! \brief A profile field name: 1 to 32 characters a-z 0-9 _, starting with a letter. */
bool srv_field_name_valid(const char *s)
{
	size_t len = strlen(s);

	return len >= 1 && len <= 32 && s[0] >= 'a' && s[0] <= 'z' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == len;
}

static size_t utf8_chars(const char *s, size_t bytes)
{
	size_t i, n = 0;

	for (i = 0; i < bytes; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	}
	return n;
}

static bool token_valid(const char *s)
{
	size_t len = strlen(s);

	if (!len || len > 32)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == len;
}

static int field_value(struct srv_req *req, const struct srv_field *f, json_t *v, const char **out)
{
	const char *s = NULL;
	unsigned int i;

	switch (f->type) {
	case SRV_F_STRING:
	case SRV_F_E164:
	case SRV_F_CIDR:
	case SRV_F_ENUM:
		if (!json_is_string(v))
			goto bad_type;
		s = json_string_value(v);
		if (strlen(s) != json_string_length(v)) {
			srv_req_error(req, 400, "out_of_range", f->name, "NUL characters are not allowed");
			return -EINVAL;
		}
		break;
	case SRV_F_ID:
		if (!json_is_integer(v))
			goto bad_type;
		if (json_integer_value(v) <= 0) {
			srv_req_error(req, 400, "out_of_range", f->name, "must be a positive integer");
			return -EINVAL;
		}
		*out = talloc_asprintf(req, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return 0;
	case SRV_F_BOOL:
		if (!json_is_boolean(v))
			goto bad_type;
		*out = json_is_true(v) ? "true" : "false";
		return 0;
	case SRV_F_TOKENS:
	case SRV_F_E164S:
	case SRV_F_NAMES: {
		char *lit;
		json_t *e;
		size_t idx;

		if (!json_is_array(v))
			goto bad_type;
		if (json_array_size(v) > f->max) {
			srv_req_error(req, 400, "out_of_range", f->name, "at most %u entries", f->max);
			return -EINVAL;
		}
		lit = talloc_strdup(req, "{");
		json_array_foreach(v, idx, e) {
			if (!json_is_string(e) || strlen(json_string_value(e)) != json_string_length(e)) {
				srv_req_error(req, 400, "bad_type", f->name, "entries must be strings");
				return -EINVAL;
			}
			/* every accepted entry is [+a-z0-9_.-]: safe in an array literal without quoting */
			if (f->type == SRV_F_TOKENS && !token_valid(json_string_value(e))) {
				srv_req_error(req, 400, "out_of_range", f->name,
					      "entries must be 1 to 32 characters of a-z 0-9 _ . -");
				return -EINVAL;
			}
			if (f->type == SRV_F_E164S && !srv_e164_valid(json_string_value(e))) {
				srv_req_error(req, 400, "bad_e164", f->name,
					      "entries must be E.164 numbers (+ and 2 to 15 digits)");
				return -EINVAL;
			}
			if (f->type == SRV_F_NAMES && !srv_field_name_valid(json_string_value(e))) {
				srv_req_error(req, 400, "out_of_range", f->name,
					      "entries must be field names (1 to 32 of a-z 0-9 _, from a letter)");
				return -EINVAL;
			}
			lit = talloc_asprintf_append(lit, "%s%s", idx ? "," : "", json_string_value(e));
		}
		*out = talloc_asprintf_append(lit, "}");
		return 0;
	}
	}

	switch (f->type) {
	case SRV_F_STRING:
		if (utf8_chars(s, strlen(s)) > f->max) {
			srv_req_error(req, 400, "out_of_range", f->name, "at most %u characters", f->max);
			return -EINVAL;
		}
		*out = s;
		return 0;
	case SRV_F_E164:
		if (!srv_e164_valid(s)) {
			srv_req_error(req, 400, "bad_e164", f->name, "not an E.164 number (+ and 2 to 15 digits)");
			return -EINVAL;
		}
		*out = s;
		return 0;
	case SRV_F_CIDR: {
		struct srv_cidr c;
		char buf[INET6_ADDRSTRLEN + 8];

		if (srv_cidr_parse(&c, s) < 0) {
			srv_req_error(req, 400, "bad_ip", f->name, "not an IP address or prefix (with no host bits)");
			return -EINVAL;
		}
		srv_cidr_format(buf, sizeof(buf), &c);
		*out = talloc_strdup(req, buf);
		return 0;
	}
	case SRV_F_ENUM:
		for (i = 0; f->choices[i]; i++) {
			if (!strcmp(f->choices[i], s)) {
				*out = f->choices[i];
				return 0;
			}
		}
		srv_req_error(req, 400, "out_of_range", f->name, "not one of the allowed values");
		return -EINVAL;
	default:
		return -EINVAL;
	}

bad_type:
	srv_req_error(req, 400, "bad_type", f->name, "wrong type");
	return -EINVAL;
}

/*! \brief Parse the JSON body against spec: an object with only known fields of the right types and
 *  values, the required ones present. vals[i] gets the normalised text of spec[i] or NULL when absent.
 *  \returns 0, or -EINVAL after answering 400 */
int srv_api_fields(struct srv_req *req, const struct srv_field *spec, unsigned int n, const char **vals)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	unsigned int i;
	int rc = 0;

	for (i = 0; i < n; i++)
		vals[i] = NULL;
	if (!req->body_len) {
		srv_req_error(req, 400, "bad_json", NULL, "a JSON object is required");
		return -EINVAL;
	}
	root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		srv_req_error(req, 400, "bad_json", NULL, "malformed JSON at line %d column %d: %s", jerr.line,
			      jerr.column, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		srv_req_error(req, 400, "bad_json", NULL, "a JSON object is required");
		json_decref(root);
		return -EINVAL;
	}
	json_object_foreach(root, key, v) {
		for (i = 0; i < n; i++) {
			if (!strcmp(spec[i].name, key))
				break;
		}
		if (i == n) {
			/* the key may contain anything: report it only if it is printable and short */
			srv_req_error(req, 400, "unknown_field", strlen(key) < 64 ? key : NULL, "unknown field");
			rc = -EINVAL;
			goto out;
		}
		rc = field_value(req, &spec[i], v, &vals[i]);
		if (rc < 0)
			goto out;
		/* strings point into root: keep a copy that lives with the request */
		if (vals[i] && (spec[i].type == SRV_F_STRING || spec[i].type == SRV_F_E164))
			vals[i] = talloc_strdup(req, vals[i]);
	}
	for (i = 0; i < n; i++) {
		if (spec[i].required && !vals[i]) {
			srv_req_error(req, 400, "missing_field", spec[i].name, "required");
			rc = -EINVAL;
			goto out;
		}
	}
out:
	json_decref(root);
	return rc;
}

/*! \brief The path argument idx as a positive decimal id (text for a query parameter).
 *  \returns 0, or -EINVAL after answering 404 (an id that cannot exist names nothing) */
int srv_api_arg_id(struct srv_req *req, unsigned int idx, const char **id_text)
{
	const char *s = req->args[idx];
	size_t len = s ? strlen(s) : 0;

	if (!len || len > 18 || strspn(s, "0123456789") != len || s[0] == '0') {
		srv_req_error(req, 404, "not_found", NULL, "no such object");
		return -EINVAL;
	}
	*id_text = s;
	return 0;
}

/*! \brief Pagination arguments: limit (1..1000, default 100) and after (an id, default 0).
 *  \returns 0, or -EINVAL after answering 400 */
int srv_api_page(struct srv_req *req, const char **limit, const char **after)
{
	const char *l = srv_req_query_arg(req, "limit"), *a = srv_req_query_arg(req, "after");
	size_t len;

	*limit = "100";
	*after = "0";
	if (l) {
		len = strlen(l);
		if (!len || len > 4 || strspn(l, "0123456789") != len || atoi(l) < 1 || atoi(l) > 1000) {
			srv_req_error(req, 400, "out_of_range", "limit", "must be 1 to 1000");
			return -EINVAL;
		}
		*limit = l;
	}
	if (a) {
		len = strlen(a);
		if (!len || len > 18 || strspn(a, "0123456789") != len) {
			srv_req_error(req, 400, "out_of_range", "after", "must be an id");
			return -EINVAL;
		}
		*after = a;
	}
	return 0;
}

/*! \brief Completion that answers with the JSON text of the first column of the first row with the status
 *  stored in req->state (as uintptr_t); 404 when there is no row or the column is NULL, and 404 naming a
 *  field when a second column is not NULL (its text is the field's name). */
void srv_api_json_row_cb(struct srv_req *req, const PGresult *res, const char *errmsg)
{
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		srv_req_db_error(req, res, errmsg);
		return;
	}
	/* an optional second column names the field that refers to something missing */
	if (PQntuples(res) >= 1 && PQnfields(res) >= 2 && !PQgetisnull(res, 0, 1)) {
		srv_req_error(req, 404, "not_found", PQgetvalue(res, 0, 1), "no such object");
		return;
	}
	if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0)) {
		srv_req_error(req, 404, "not_found", NULL, "no such object");
		return;
	}
	srv_req_reply_json_text(req, (uintptr_t)req->state, PQgetvalue(res, 0, 0));
}

/*! \brief Run a query whose first row's first column is the JSON answer. */
int srv_api_query_json(struct srv_req *req, unsigned int status, const char *sql, int n, const char *const *vals)
{
	req->state = (void *)(uintptr_t)status;
	return srv_req_query(req, srv_api_json_row_cb, sql, n, vals, NULL, NULL);
}

/*! \brief GET /v1/health: 200 when the database is usable, else 503; no credentials. */
void srv_api_health(struct srv_req *req)
{
	struct srv_db *db = req->srv->db;
	bool ok = srv_db_is_ready(db);

	srv_req_reply_json(req, ok ? 200 : 503, json_pack("{s:s,s:s,s:i}", "status", ok ? "ok" : "unavailable",
							  "database", srv_db_state_name(db), "schema_version",
							  (int)srv_db_schema_version(db)));
}
