/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: POST /v1/sessions/{id}/messages: a member device sends a text, a link, a location or a file to
 * the other member devices of a session, as `message` events.
 *
 * The body is checked here (exactly one kind, each member of it, sizes); the message is stored and its events
 * written by one statement, SELECT tandem_relay(...) (migration 005), which also decides 404 / 403 / 409 from the
 * session as it is in that transaction. A file goes into the media table tied to its session and travels as the
 * URL GET /v1/media/{id}, which only members of that session may fetch (api_media.c). */

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>

#include <talloc.h>

#include <osmocom/core/utils.h>

#include "api.h"
#include "api_calls.h"
#include "api_relay.h"
#include "srv.h"

#define TEXT_MAX_CHARS	4096
#define URL_MAX		2048
#define NAME_MAX_CHARS	255
#define TYPE_MAX	127

/*! \brief The largest request body of the relay: a file of relay-file-max bytes in base64 with its name and
 *  type, and at least the JSON limit. */
size_t srv_relay_body_limit(const struct srv_cfg *cfg)
{
	size_t b64 = (cfg->relay_file_max + 2) / 3 * 4 + 8192;

	return b64 > cfg->body_limit_json ? b64 : cfg->body_limit_json;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return n;
}

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
	       c == '_';
}

/*! \brief An absolute http or https URL of at most 2048 printable ASCII characters (no spaces: percent-encode,
 *  IDN hosts in their ASCII form) with a host name, an IPv4 address or a bracketed IPv6 address, and an
 *  optional port 1..65535. */
bool srv_url_valid(const char *s)
{
	const char *p, *auth_end, *host, *host_end, *at, *port = NULL;
	size_t n = strlen(s), i;

	if (n > URL_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	}
	if (!strncasecmp(s, "http://", 7))
		p = s + 7;
	else if (!strncasecmp(s, "https://", 8))
		p = s + 8;
	else
		return false;
	auth_end = p + strcspn(p, "/?#");
	/* user information ends at the last '@' of the authority */
	host = p;
	for (at = p; at < auth_end; at++) {
		if (*at == '@')
			host = at + 1;
	}
	if (host < auth_end && *host == '[') {
		char a[INET6_ADDRSTRLEN];
		struct in6_addr a6;

		host_end = memchr(host, ']', auth_end - host);
		if (!host_end || (size_t)(host_end - host - 1) >= sizeof(a))
			return false;
		memcpy(a, host + 1, host_end - host - 1);
		a[host_end - host - 1] = '\0';
		if (inet_pton(AF_INET6, a, &a6) != 1)
			return false;
		host_end++;
	} else {
		for (host_end = host; host_end < auth_end && *host_end != ':'; host_end++) {
			if (!host_char(*host_end))
				return false;
		}
		if (host_end == host || *host == '.' || *host == '-')
			return false;
	}
	if (host_end < auth_end) {
		unsigned long v = 0;

		if (*host_end != ':')
			return false;
		for (port = host_end + 1; port < auth_end; port++) {
			if (*port < '0' || *port > '9' || port - host_end > 5)
				return false;
			v = v * 10 + (*port - '0');
		}
		if (port == host_end + 1 || v < 1 || v > 65535)
			return false;
	}
	return true;
}

/*! \brief Check standard base64 (RFC 4648 section 4: A-Z a-z 0-9 + /, '=' padding to a multiple of 4, no line
 *  breaks) and give the decoded length.
 *  \returns 0, or -EINVAL when s is not such text */
int srv_base64_decoded_len(size_t *out, const char *s, size_t len)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, pad = 0;

	if (len % 4)
		return -EINVAL;
	if (len && s[len - 1] == '=')
		pad = len >= 2 && s[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len - pad; i++) {
		if (!s[i] || !strchr(alpha, s[i]))
			return -EINVAL;
	}
	*out = len / 4 * 3 - pad;
	return 0;
}

/* A member of an object: a JSON number in [min, max] (not NaN); absent only if optional. */
static int get_number(struct srv_req *req, json_t *o, const char *key, const char *field, double min, double max,
		      bool required, double *out, bool *present)
{
	json_t *j = json_object_get(o, key);

	*present = false;
	if (!j) {
		if (!required)
			return 0;
		srv_req_error(req, 400, "missing_field", field, "required");
		return -EINVAL;
	}
	if (!json_is_number(j)) {
		srv_req_error(req, 400, "bad_type", field, "must be a number");
		return -EINVAL;
	}
	*out = json_number_value(j);
	if (!isfinite(*out) || *out < min || *out > max) {
		srv_req_error(req, 400, "out_of_range", field, "must be %g to %g", min, max);
		return -EINVAL;
	}
	*present = true;
	return 0;
}

static int only_members(struct srv_req *req, json_t *o, const char *prefix, const char *const *allowed)
{
	const char *key;
	json_t *v;
	unsigned int i;

	json_object_foreach(o, key, v) {
		for (i = 0; allowed[i]; i++) {
			if (!strcmp(allowed[i], key))
				break;
		}
		if (!allowed[i]) {
			char field[96];

			snprintf(field, sizeof(field), "%s%s%s", prefix, prefix[0] ? "." : "",
				 strlen(key) < 64 ? key : "?");
			srv_req_error(req, 400, "unknown_field", field, "unknown field");
			return -EINVAL;
		}
	}
	return 0;
}

static const char *get_string(struct srv_req *req, json_t *o, const char *key, const char *field)
{
	json_t *j = json_object_get(o, key);

	if (!j) {
		srv_req_error(req, 400, "missing_field", field, "required");
		return NULL;
	}
	if (!json_is_string(j)) {
		srv_req_error(req, 400, "bad_type", field, "must be a string");
		return NULL;
	}
	if (strlen(json_string_value(j)) != json_string_length(j)) {
		srv_req_error(req, 400, "out_of_range", field, "NUL characters are not allowed");
		return NULL;
	}
	return json_string_value(j);
}

static bool name_valid(const char *s)
{
	size_t n = utf8_chars(s);

	if (n < 1 || n > NAME_MAX_CHARS || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '/' || *s == '\\')
			return false;
	}
	return true;
}

/* type "/" subtype, each a token of RFC 6838 restricted-name characters, without parameters; lower case */
static bool content_type_valid(const char *s)
{
	static const char tok[] = "abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-";
	size_t a = strspn(s, tok), b;

	if (!a || a > 63 || s[a] != '/' || s[0] == '.' || s[0] == '!')
		return false;
	b = strspn(s + a + 1, tok);
	return b && b <= 63 && !s[a + 1 + b] && strchr("abcdefghijklmnopqrstuvwxyz0123456789", s[a + 1]);
}

struct relay {
	const char *kind;
	json_t *body;		/*!< what the kind carries, e.g. {"text": "..."} */
	const char *data;	/*!< file: base64 */
	const char *name;
	const char *type;
};

static int check_location(struct srv_req *req, json_t *j, struct relay *r)
{
	static const char *const members[] = { "lat", "lon", "accuracy", NULL };
	double lat, lon, acc;
	bool has_lat, has_lon, has_acc;
	json_t *loc;

	if (!json_is_object(j)) {
		srv_req_error(req, 400, "bad_type", "location", "must be an object {lat, lon, accuracy}");
		return -EINVAL;
	}
	if (only_members(req, j, "location", members) < 0 ||
	    get_number(req, j, "lat", "location.lat", -90, 90, true, &lat, &has_lat) < 0 ||
	    get_number(req, j, "lon", "location.lon", -180, 180, true, &lon, &has_lon) < 0 ||
	    get_number(req, j, "accuracy", "location.accuracy", 0, 1e8, false, &acc, &has_acc) < 0)
		return -EINVAL;
	loc = json_pack("{s:f,s:f}", "lat", lat, "lon", lon);
	if (loc && has_acc)
		json_object_set_new(loc, "accuracy", json_real(acc));
	r->body = json_pack("{s:o}", "location", loc);
	return 0;
}

static int check_file(struct srv_req *req, json_t *j, struct relay *r)
{
	static const char *const members[] = { "name", "content_type", "data", NULL };
	const char *data;
	size_t size;

	if (!json_is_object(j)) {
		srv_req_error(req, 400, "bad_type", "file", "must be an object {name, content_type, data}");
		return -EINVAL;
	}
	if (only_members(req, j, "file", members) < 0)
		return -EINVAL;
	r->name = get_string(req, j, "name", "file.name");
	if (!r->name)
		return -EINVAL;
	if (!name_valid(r->name)) {
		srv_req_error(req, 400, "out_of_range", "file.name",
			      "1 to %u characters, no control characters, no / or \\", NAME_MAX_CHARS);
		return -EINVAL;
	}
	r->type = get_string(req, j, "content_type", "file.content_type");
	if (!r->type)
		return -EINVAL;
	if (!content_type_valid(r->type)) {
		srv_req_error(req, 400, "out_of_range", "file.content_type",
			      "a media type in lower case without parameters (application/pdf)");
		return -EINVAL;
	}
	data = get_string(req, j, "data", "file.data");
	if (!data)
		return -EINVAL;
	if (srv_base64_decoded_len(&size, data, strlen(data)) < 0) {
		srv_req_error(req, 400, "bad_base64", "file.data", "standard base64 with padding, no line breaks");
		return -EINVAL;
	}
	if (!size) {
		srv_req_error(req, 400, "out_of_range", "file.data", "the file is empty");
		return -EINVAL;
	}
	if (size > req->srv->cfg.relay_file_max) {
		srv_req_error(req, 413, "too_large", "file.data", "files are limited to %zu bytes",
			      req->srv->cfg.relay_file_max);
		return -EINVAL;
	}
	r->data = data;
	r->body = json_object();
	return 0;
}

static int check_kind(struct srv_req *req, const char *key, json_t *j, struct relay *r)
{
	const char *s;

	r->kind = key;
	if (!strcmp(key, "text")) {
		if (!json_is_string(j)) {
			srv_req_error(req, 400, "bad_type", "text", "must be a string");
			return -EINVAL;
		}
		s = json_string_value(j);
		if (strlen(s) != json_string_length(j) || !s[0] || utf8_chars(s) > TEXT_MAX_CHARS) {
			srv_req_error(req, 400, "out_of_range", "text", "1 to %u characters, no NUL",
				      TEXT_MAX_CHARS);
			return -EINVAL;
		}
		r->body = json_pack("{s:O}", "text", j);
		return 0;
	}
	if (!strcmp(key, "url")) {
		if (!json_is_string(j)) {
			srv_req_error(req, 400, "bad_type", "url", "must be a string");
			return -EINVAL;
		}
		s = json_string_value(j);
		if (strlen(s) != json_string_length(j) || !srv_url_valid(s)) {
			srv_req_error(req, 400, "bad_url", "url",
				      "an http:// or https:// URL with a host, at most %u characters", URL_MAX);
			return -EINVAL;
		}
		r->body = json_pack("{s:O}", "url", j);
		return 0;
	}
	if (!strcmp(key, "location"))
		return check_location(req, j, r);
	return check_file(req, j, r);
}

/*! \brief POST /v1/sessions/{id}/messages (device token): exactly one of {"text"}, {"url"}, {"location":
 *  {"lat", "lon", "accuracy"?}}, {"file": {"name", "content_type", "data"}}. 201 {"message", "session",
 *  "delivered_to"}; 400 bad input, 413 file too large, 404 no such session, 403 not a member, 409 closed. */
void srv_api_session_message(struct srv_req *req)
{
	static const char *const kinds[] = { "text", "url", "location", "file", NULL };
	struct relay r = { 0 };
	json_error_t jerr;
	json_t *root, *v;
	const char *key, *sid, *p[7];
	char *body;
	unsigned int n = 0;

	if (srv_api_arg_id(req, 0, &sid) < 0)
		return;
	if (!req->body_len) {
		srv_req_error(req, 400, "bad_json", NULL, "a JSON object is required");
		return;
	}
	root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		srv_req_error(req, 400, "bad_json", NULL, "malformed JSON at line %d column %d: %s", jerr.line,
			      jerr.column, jerr.text);
		return;
	}
	if (!json_is_object(root)) {
		srv_req_error(req, 400, "bad_json", NULL, "a JSON object is required");
		goto out;
	}
	if (only_members(req, root, "", kinds) < 0)
		goto out;
	json_object_foreach(root, key, v) {
		if (++n > 1) {
			srv_req_error(req, 400, "conflicting_fields", key,
				      "exactly one of text, url, location, file per message");
			goto out;
		}
	}
	if (!n) {
		srv_req_error(req, 400, "missing_field", NULL, "one of text, url, location, file is required");
		goto out;
	}
	json_object_foreach(root, key, v) {
		if (check_kind(req, key, v, &r) < 0)
			goto out;
	}
	body = r.body ? json_dumps(r.body, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
	if (!body) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		goto out;
	}
	p[0] = talloc_asprintf(req, "%" PRId64, req->device_id);
	p[1] = sid;
	p[2] = r.kind;
	p[3] = talloc_strdup(req, body);
	free(body);
	/* these point into root, which lives until the query is sent: libpq copies the parameters */
	p[4] = r.data;
	p[5] = r.name;
	p[6] = r.type;
	srv_req_query(req, srv_api_fn_result_cb,
		      "SELECT tandem_relay($1::bigint, $2::bigint, $3, $4::jsonb, $5, $6, $7)::text", 7, p, NULL, NULL);
out:
	json_decref(r.body);
	json_decref(root);
}
