/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: POST /v1/calls: a phone app reports its own calls, which become app legs for the matcher.
 *
 * The body is checked here; the leg is written by one statement, SELECT tandem_app_call(...) (migration 005),
 * whose insert or update fires the matcher's trigger on legs: the leg, a call and session it makes or joins,
 * the members, card deliveries and every outbox event commit together. The function answers a JSON object
 * {"status", "body"} or {"status", "code", "field", "message"}, turned into the HTTP answer by
 * srv_api_fn_result_cb(), which the relay uses as well. */

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/utils.h>

#include "api.h"
#include "api_calls.h"
#include "outbox.h"
#include "srv.h"

/*! \brief Completion of a statement whose one column is a tandem_* function's JSON answer: {"status": 2xx,
 *  "body": {...}} is answered as it is, {"status": 4xx, "code", "field"?, "message"} with the error model.
 *  Such functions may have written outbox events: the streams are told. */
void srv_api_fn_result_cb(struct srv_req *req, const PGresult *res, const char *errmsg)
{
	json_t *root, *body;
	json_int_t status;
	const char *field;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		srv_req_db_error(req, res, errmsg);
		return;
	}
	root = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	status = json_integer_value(json_object_get(root, "status"));
	if (!root || status < 200 || status > 499) {
		json_decref(root);
		srv_req_error(req, 500, "internal", NULL, "bad answer from the database");
		return;
	}
	if (status < 300) {
		body = json_object_get(root, "body");
		srv_outbox_written(req->srv, 0);
		srv_req_reply_json(req, status, json_incref(body));
	} else {
		field = json_string_value(json_object_get(root, "field"));
		srv_req_error(req, status, json_string_value(json_object_get(root, "code")) ?: "error", field, "%s",
			      json_string_value(json_object_get(root, "message")) ?: "refused");
	}
	json_decref(root);
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/*! \brief RFC 3339 date-time: "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)" (upper case T and Z), a real
 *  calendar date and clock time (no leap second), year 1900 to 2999, offset below 24 h. */
bool srv_rfc3339_valid(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	size_t n = strlen(s), i = 19;
	int y, mo, d;

	if (n < 20 || n > 35)
		return false;
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) ||
	    s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
	    s[16] != ':' || !digits(s + 17, 2))
		return false;
	y = atoi(s);
	mo = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)) || atoi(s + 11) > 23 || atoi(s + 14) > 59 || atoi(s + 17) > 59)
		return false;
	if (s[i] == '.') {
		size_t f = strspn(s + i + 1, "0123456789");

		if (f < 1 || f > 9)
			return false;
		i += 1 + f;
	}
	if (s[i] == 'Z' && i + 1 == n)
		return true;
	return (s[i] == '+' || s[i] == '-') && i + 6 == n && digits(s + i + 1, 2) && s[i + 3] == ':' &&
	       digits(s + i + 4, 2) && atoi(s + i + 1) <= 23 && atoi(s + i + 4) <= 59;
}

static bool ref_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/*! \brief POST /v1/calls (device token): {"tdn", "peer", "direction", "state", "ref", "time"?, "reason"?,
 *  "conference"?}. 201 for the first report of a ref, 200 for a later one: {"leg", "call", "session",
 *  "state", "session_state"}; 400 bad input, 403 tdn not coupled to this device (or conference session not
 *  joined by it), 404 no such conference session, 409 a ref reported with other parties, or a conference
 *  session no longer pending or active. */
void srv_api_calls_post(struct srv_req *req)
{
	static const char *const dirs[] = { "orig", "term", NULL };
	static const char *const states[] = { "started", "answered", "ended", NULL };
	static const struct srv_field spec[] = {
		{ "tdn", SRV_F_E164, true },
		{ "peer", SRV_F_STRING, true, 16 },
		{ "direction", SRV_F_ENUM, true, 0, dirs },
		{ "state", SRV_F_ENUM, true, 0, states },
		{ "ref", SRV_F_STRING, true, 64 },
		{ "time", SRV_F_STRING, false, 40 },
		{ "reason", SRV_F_STRING, false, 64 },
		{ "conference", SRV_F_ID, false },
	};
	enum { TDN, PEER, DIR, STATE, REF, TIME, REASON, CONF, N };
	const char *v[N], *p[9];
	bool withheld;

	if (srv_api_fields(req, spec, ARRAY_SIZE(spec), v) < 0)
		return;
	withheld = !strcmp(v[PEER], "withheld");
	if (!withheld && !srv_e164_valid(v[PEER])) {
		srv_req_error(req, 400, "bad_e164", "peer", "an E.164 number (+ and 2 to 15 digits) or \"withheld\"");
		return;
	}
	if (withheld && !strcmp(v[DIR], "orig")) {
		srv_req_error(req, 400, "out_of_range", "peer", "only the caller's number can be withheld (term)");
		return;
	}
	if (!strcmp(v[PEER], v[TDN])) {
		srv_req_error(req, 400, "out_of_range", "peer", "must not be the device's own number");
		return;
	}
	if (!ref_valid(v[REF])) {
		srv_req_error(req, 400, "out_of_range", "ref", "1 to 64 characters of A-Z a-z 0-9 . _ -");
		return;
	}
	if (v[TIME] && !srv_rfc3339_valid(v[TIME])) {
		srv_req_error(req, 400, "out_of_range", "time", "an RFC 3339 time (2026-01-02T03:04:05Z)");
		return;
	}
	if (v[REASON] && strcmp(v[STATE], "ended")) {
		srv_req_error(req, 400, "out_of_range", "reason", "only with state ended");
		return;
	}
	if (v[REASON] && !v[REASON][0]) {
		srv_req_error(req, 400, "out_of_range", "reason", "1 to 64 characters");
		return;
	}
	p[0] = talloc_asprintf(req, "%" PRId64, req->device_id);
	p[1] = v[TDN];
	p[2] = withheld ? NULL : v[PEER];
	p[3] = v[DIR];
	p[4] = v[STATE];
	p[5] = v[REF];
	p[6] = v[TIME];
	p[7] = v[REASON];
	p[8] = v[CONF];
	srv_req_query(req, srv_api_fn_result_cb,
		      "SELECT tandem_app_call($1::bigint, $2, $3, $4, $5, $6, $7::timestamptz, $8, $9::bigint)::text",
		      9, p, NULL, NULL);
}
