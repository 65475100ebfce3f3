/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: the device API (device token): own subscriber and couplings, profile fields, photo.
 *
 * Every query is bound to the authenticated device's subscriber (req->subscriber_id), never to an id from
 * the request, so one device cannot reach another subscriber's data. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <talloc.h>

#include "api.h"
#include "auth.h"
#include "srv.h"

static const char *sub_id_text(struct srv_req *req)
{
	return talloc_asprintf(req, "%" PRId64, req->subscriber_id);
}

void srv_api_me_get(struct srv_req *req)
{
	const char *v[2];

	v[0] = talloc_asprintf(req, "%" PRId64, req->device_id);
	v[1] = sub_id_text(req);
	srv_api_query_json(req, 200,
		"SELECT json_build_object("
		" 'device', json_build_object('id', d.id, 'kind', d.kind, 'app_id', d.app_id, 'ip', d.ip,"
		"  'label', d.label, 'capabilities', d.capabilities, 'created_at', d.created_at),"
		" 'subscriber', json_build_object('id', s.id, 'tdn', s.tdn, 'label', s.label),"
		" 'couplings', (SELECT coalesce(json_agg(json_build_object('id', c.id, 'tdn', cs.tdn,"
		"  'device_id', c.device_id, 'ip', cd.ip, 'source', c.source, 'verified_at', c.verified_at)"
		"  ORDER BY c.id), '[]'::json) FROM couplings c JOIN subscribers cs ON cs.id = c.subscriber_id"
		"  JOIN devices cd ON cd.id = c.device_id WHERE c.subscriber_id = $2::bigint OR c.device_id = d.id))"
		" FROM devices d JOIN subscribers s ON s.id = d.subscriber_id"
		" WHERE d.id = $1::bigint AND d.subscriber_id = $2::bigint", 2, v);
}

void srv_api_me_profile_get(struct srv_req *req)
{
	const char *v[1] = { sub_id_text(req) };

	srv_api_query_json(req, 200,
		"SELECT json_build_object('fields', coalesce(json_agg(json_build_object('name', f.name,"
		" 'value', f.value, 'media', CASE WHEN m.id IS NOT NULL THEN json_build_object('id', m.id,"
		" 'content_type', m.content_type, 'size', m.size) END, 'version', f.version,"
		" 'updated_at', f.updated_at) ORDER BY f.name), '[]'::json))"
		" FROM profile_fields f LEFT JOIN media m ON m.id = f.media_id WHERE f.subscriber_id = $1::bigint", 1, v);
}


static bool email_valid(const char *s)
{
	const char *at = strchr(s, '@');
	const char *p;
	size_t len = strlen(s);

	if (!at || at == s || strchr(at + 1, '@') || len > 254 || at - s > 64)
		return false;
	for (p = s; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == ',')
			return false;
	}
	p = strchr(at + 1, '.');
	return p && p != at + 1 && p[1] != '\0' && s[len - 1] != '.';
}

static bool date_valid(const char *s)
{
	static const unsigned int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned int y, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	}
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

/* Well-known fields get their format checked; any other name is a free text field. */
static int field_check(struct srv_req *req, const char *name, const char *value)
{
	size_t len = strlen(value), chars = 0, i;
	size_t max = 4096;

	for (i = 0; i < len; i++) {
		if (((unsigned char)value[i] & 0xc0) != 0x80)
			chars++;
	}
	if (!strcmp(name, "email")) {
		if (!email_valid(value)) {
			srv_req_error(req, 400, "out_of_range", "value", "not an e-mail address");
			return -EINVAL;
		}
	} else if (!strcmp(name, "birthday")) {
		if (!date_valid(value)) {
			srv_req_error(req, 400, "out_of_range", "value", "not a date (YYYY-MM-DD)");
			return -EINVAL;
		}
	} else if (!strcmp(name, "name") || !strcmp(name, "social")) {
		max = 200;
	} else if (!strcmp(name, "address")) {
		max = 1000;
	}
	if (chars > max) {
		srv_req_error(req, 400, "out_of_range", "value", "at most %zu characters", max);
		return -EINVAL;
	}
	return 0;
}

/* PUT /v1/me/profile/{name} {"value": "..."}: create or change a field; an unchanged value keeps its
 * version, any change takes a new one. */
void srv_api_me_field_put(struct srv_req *req)
{
	static const struct srv_field spec[] = {
		{ "value", SRV_F_STRING, true, 4096 },
	};
	const char *f[1], *v[4];

	if (!srv_field_name_valid(req->args[0])) {
		srv_req_error(req, 400, "out_of_range", "name", "field names are 1 to 32 of a-z 0-9 _, from a letter");
		return;
	}
	if (!strcmp(req->args[0], "photo")) {
		srv_req_error(req, 415, "unsupported_media_type", "name", "the photo is uploaded as image/jpeg or image/png");
		return;
	}
	if (srv_api_fields(req, spec, 1, f) < 0 || field_check(req, req->args[0], f[0]) < 0)
		return;
	v[0] = sub_id_text(req);
	v[1] = req->args[0];
	v[2] = f[0];
	v[3] = req->actor;
	srv_api_query_json(req, 200,
		"WITH old AS (SELECT * FROM profile_fields WHERE subscriber_id = $1::bigint AND name = $2 FOR UPDATE),"
		" f AS (INSERT INTO profile_fields AS p (subscriber_id, name, value) VALUES ($1::bigint, $2, $3)"
		"  ON CONFLICT (subscriber_id, name) DO UPDATE SET value = EXCLUDED.value, media_id = NULL,"
		"  version = nextval('profile_version_seq'), updated_at = now()"
		"  WHERE p.value IS DISTINCT FROM EXCLUDED.value OR p.media_id IS NOT NULL RETURNING p.*),"
		" a AS (INSERT INTO audit_log (actor, action, object, before, after)"
		"  SELECT $4, 'profile.set', 'subscriber/' || $1 || '/profile/' || $2,"
		"  (SELECT to_jsonb(old) FROM old), to_jsonb(f) FROM f)"
		" SELECT json_build_object('name', x.name, 'value', x.value, 'version', x.version,"
		"  'updated_at', x.updated_at) FROM (SELECT * FROM f UNION ALL SELECT * FROM old"
		"  WHERE NOT EXISTS (SELECT 1 FROM f)) x", 4, v);
}

void srv_api_me_field_delete(struct srv_req *req)
{
	const char *v[3];

	if (!srv_field_name_valid(req->args[0])) {
		srv_req_error(req, 404, "not_found", NULL, "no such field");
		return;
	}
	v[0] = sub_id_text(req);
	v[1] = req->args[0];
	v[2] = req->actor;
	srv_api_query_json(req, 200,
		"WITH f AS (DELETE FROM profile_fields WHERE subscriber_id = $1::bigint AND name = $2 RETURNING *),"
		" m AS (DELETE FROM media WHERE id IN (SELECT media_id FROM f) AND subscriber_id = $1::bigint),"
		" a AS (INSERT INTO audit_log (actor, action, object, before)"
		"  SELECT $3, 'profile.delete', 'subscriber/' || $1 || '/profile/' || $2, to_jsonb(f) FROM f)"
		" SELECT json_build_object('deleted', f.name) FROM f", 3, v);
}

/*! \brief Image type from the first bytes: "image/png", "image/jpeg" or NULL. */
static const char *image_sniff(const uint8_t *b, size_t len)
{
	static const uint8_t png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

	/* PNG: signature, then the IHDR chunk (length 13) */
	if (len >= 33 && !memcmp(b, png, 8) && !memcmp(b + 8, "\0\0\0\x0dIHDR", 8))
		return "image/png";
	/* JPEG: SOI then a marker segment */
	if (len >= 4 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff && b[3] >= 0xc0 && b[3] != 0xff)
		return "image/jpeg";
	return NULL;
}

void srv_api_me_photo_put(struct srv_req *req)
{
	const char *ct = srv_req_header(req, "Content-Type");
	const char *sniffed = image_sniff((const uint8_t *)req->body, req->body_len);
	uint8_t digest[32];
	char sha_hex[65];
	const char *v[6];
	int lengths[6] = {}, formats[6] = {};

	if (!req->body_len) {
		srv_req_error(req, 400, "missing_field", NULL, "empty image");
		return;
	}
	if (!sniffed || strncasecmp(ct, sniffed, strlen(sniffed))) {
		srv_req_error(req, 415, "unsupported_media_type", NULL, "the content is not %s",
			      sniffed ? ct : "a JPEG or PNG image");
		return;
	}
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, req->body, req->body_len, digest) < 0) {
		srv_req_error(req, 500, "internal", NULL, "cannot hash");
		return;
	}
	srv_hex_encode(sha_hex, digest, sizeof(digest));
	v[0] = sub_id_text(req);
	v[1] = sniffed;
	v[2] = talloc_asprintf(req, "%zu", req->body_len);
	v[3] = talloc_strdup(req, sha_hex);
	v[4] = req->body;
	lengths[4] = req->body_len;
	formats[4] = 1;
	v[5] = req->actor;
	req->state = (void *)(uintptr_t)200;
	srv_req_query(req, srv_api_json_row_cb,
		"WITH m AS (INSERT INTO media (subscriber_id, content_type, size, sha256, bytes)"
		"  VALUES ($1::bigint, $2, $3::integer, decode($4, 'hex'), $5::bytea) RETURNING id, content_type, size),"
		" old AS (SELECT * FROM profile_fields WHERE subscriber_id = $1::bigint AND name = 'photo' FOR UPDATE),"
		" f AS (INSERT INTO profile_fields AS p (subscriber_id, name, value, media_id)"
		"  SELECT $1::bigint, 'photo', NULL, m.id FROM m ON CONFLICT (subscriber_id, name) DO UPDATE"
		"  SET value = NULL, media_id = EXCLUDED.media_id, version = nextval('profile_version_seq'),"
		"  updated_at = now() RETURNING p.*),"
		" gone AS (DELETE FROM media WHERE subscriber_id = $1::bigint AND id IN (SELECT media_id FROM old)),"
		" a AS (INSERT INTO audit_log (actor, action, object, before, after)"
		"  SELECT $6, 'profile.set', 'subscriber/' || $1 || '/profile/photo', (SELECT to_jsonb(old) FROM old),"
		"  to_jsonb(f) || jsonb_build_object('content_type', m.content_type, 'size', m.size, 'sha256', $4::text)"
		"  FROM f, m)"
		" SELECT json_build_object('name', 'photo', 'media', json_build_object('id', m.id,"
		"  'content_type', m.content_type, 'size', m.size), 'version', f.version, 'updated_at', f.updated_at)"
		" FROM f, m", 6, v, lengths, formats);
}

static void photo_get_cb(struct srv_req *req, const PGresult *res, const char *errmsg)
{
	const char *hex;
	uint8_t *bytes;
	size_t n;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		srv_req_db_error(req, res, errmsg);
		return;
	}
	if (PQntuples(res) != 1) {
		srv_req_error(req, 404, "not_found", NULL, "no photo");
		return;
	}
	hex = PQgetvalue(res, 0, 1);
	if (strncmp(hex, "\\x", 2)) {
		srv_req_error(req, 500, "internal", NULL, "bad answer from the database");
		return;
	}
	n = strlen(hex + 2) / 2;
	bytes = talloc_size(req, n ? n : 1);
	if (!bytes || srv_hex_decode(bytes, n, hex + 2) < 0) {
		srv_req_error(req, 500, "internal", NULL, "bad answer from the database");
		return;
	}
	srv_req_reply(req, 200, PQgetvalue(res, 0, 0), bytes, n);
}

void srv_api_me_photo_get(struct srv_req *req)
{
	const char *v[1] = { sub_id_text(req) };

	srv_req_query(req, photo_get_cb,
		      "SELECT m.content_type, m.bytes FROM profile_fields f JOIN media m ON m.id = f.media_id"
		      " WHERE f.subscriber_id = $1::bigint AND f.name = 'photo' AND m.subscriber_id = $1::bigint",
		      1, v, NULL, NULL);
}
