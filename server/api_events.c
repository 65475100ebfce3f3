/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: POST /v1/call-events (role scp): ingest tandem-scp's call events idempotently.
 *
 * A batch {"events": [...]} is validated member by member (a bad one answers 400 naming it, and nothing of
 * the batch is stored), normalised (only known members are kept), and written by one SQL statement per part
 * (see struct ingest): the events go into call_events keyed by (instance, seq) with ON CONFLICT DO NOTHING,
 * and only the events that were new update the network leg of their call (state only moves forward, first
 * timestamps stay). A redelivered event therefore answers 200 and changes nothing. */

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/utils.h>

#include "api.h"
#include "api_events.h"
#include "db.h"
#include "outbox.h"
#include "srv.h"

#define MAX_EVENTS 1000
/* events per part at least when a batch is cut into parts (see struct ingest) */
#define SPLIT_MIN_EVENTS 32

static const char sql_ingest[] =
	"WITH ev AS ("
	"  SELECT DISTINCT ON (instance, seq) * FROM jsonb_to_recordset($1::jsonb) AS x(instance text, seq bigint,"
	"   type text, call text, time timestamptz, direction text, protocol text, calling_tdn text,"
	"   calling_withheld boolean, called_tdn text, end_reason text, body jsonb)"
	"  ORDER BY instance, seq),"
	" ins AS ("
	"  INSERT INTO call_events (instance, seq, type, call, occurred_at, received_by, body)"
	"  SELECT instance, seq, type, call, time, $2, body FROM ev"
	"  ON CONFLICT (instance, seq) DO NOTHING RETURNING instance, seq),"
	" agg AS ("
	"  SELECT ev.instance, ev.call,"
	"   (array_agg(direction ORDER BY ev.seq))[1] AS direction,"
	"   (array_agg(protocol ORDER BY ev.seq))[1] AS protocol,"
	"   (array_agg(calling_tdn ORDER BY ev.seq))[1] AS calling_tdn,"
	"   bool_or(calling_withheld) AS calling_withheld,"
	"   (array_agg(called_tdn ORDER BY ev.seq))[1] AS called_tdn,"
	"   max(CASE type WHEN 'trigger' THEN 1 WHEN 'answer' THEN 2 ELSE 3 END) AS rank,"
	"   min(time) FILTER (WHERE type = 'trigger') AS started_at,"
	"   min(time) FILTER (WHERE type = 'answer') AS answered_at,"
	"   min(time) FILTER (WHERE type = 'end') AS ended_at,"
	"   (array_agg(end_reason ORDER BY ev.seq) FILTER (WHERE type = 'end'))[1] AS end_reason"
	"  FROM ev JOIN ins USING (instance, seq) GROUP BY ev.instance, ev.call),"
	" up AS ("
	"  INSERT INTO legs AS l (source, scp_instance, scp_call, direction, protocol, calling_tdn,"
	"   calling_withheld, called_tdn, state, started_at, answered_at, ended_at, end_reason)"
	"  SELECT 'network', instance, call, direction, protocol, calling_tdn, calling_withheld, called_tdn,"
	"   (ARRAY['started', 'answered', 'ended'])[rank], started_at, answered_at, ended_at, end_reason FROM agg"
	"  ON CONFLICT (scp_instance, scp_call) DO UPDATE SET"
	"   state = CASE WHEN array_position(ARRAY['started', 'answered', 'ended'], excluded.state)"
	"    > array_position(ARRAY['started', 'answered', 'ended'], l.state) THEN excluded.state ELSE l.state END,"
	"   started_at = coalesce(l.started_at, excluded.started_at),"
	"   answered_at = coalesce(l.answered_at, excluded.answered_at),"
	"   ended_at = coalesce(l.ended_at, excluded.ended_at),"
	"   end_reason = coalesce(l.end_reason, excluded.end_reason),"
	"   calling_withheld = l.calling_withheld OR excluded.calling_withheld,"
	"   updated_at = now()"
	"  RETURNING 1)"
	" SELECT json_build_object('accepted', (SELECT count(*) FROM ins),"
	"  'duplicates', jsonb_array_length($1::jsonb) - (SELECT count(*) FROM ins),"
	"  'legs', (SELECT count(*) FROM up))::text";

/* prepared once per ingest connection */
static const struct srv_db_stmt stmt_ingest = {
	.name = "call_events_ingest",
	.sql = sql_ingest,
};

/* Validation state: the first error is answered, naming the member ("events[3].calling.e164"). */
struct vctx {
	struct srv_req *req;
	unsigned int idx;
	bool failed;
};

static void verr(struct vctx *v, const char *code, const char *member, const char *msg)
{
	char field[96];

	if (v->failed)
		return;
	v->failed = true;
	snprintf(field, sizeof(field), "events[%u]%s%s", v->idx, member[0] ? "." : "", member);
	srv_req_error(v->req, 400, code, field, "%s", msg);
}

static bool chars_ok(const char *s, size_t min, size_t max, const char *set)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, set) == n;
}

#define ID_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
#define HEX_CHARS "0123456789abcdefABCDEF"
#define DIGIT_CHARS "0123456789abcdef*#"

/* A string member; NULL (and an error when required or of the wrong type) when absent. */
static const char *get_str(struct vctx *v, json_t *o, const char *key, const char *member, bool required)
{
	json_t *j = json_object_get(o, key);

	if (!j || json_is_null(j)) {
		if (required)
			verr(v, "missing_field", member, "required");
		return NULL;
	}
	if (!json_is_string(j)) {
		verr(v, "bad_type", member, "must be a string");
		return NULL;
	}
	if (strlen(json_string_value(j)) != json_string_length(j)) {
		verr(v, "out_of_range", member, "NUL characters are not allowed");
		return NULL;
	}
	return json_string_value(j);
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z", a real calendar date. */
static bool time_ok(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec;
	size_t i, n = strlen(s);

	if (n < 20 || n > 27 || s[n - 1] != 'Z')
		return false;
	for (i = 0; i < 19; i++) {
		char sep = i == 4 || i == 7 ? '-' : i == 10 ? 'T' : i == 13 || i == 16 ? ':' : 0;

		if (sep ? s[i] != sep : !isdigit((unsigned char)s[i]))
			return false;
	}
	if (n > 20) {
		if (s[19] != '.' || n == 21)
			return false;
		for (i = 20; i < n - 1; i++) {
			if (!isdigit((unsigned char)s[i]))
				return false;
		}
	}
	y = atoi(s);
	mo = atoi(s + 5);
	d = atoi(s + 8);
	h = atoi(s + 11);
	mi = atoi(s + 14);
	sec = atoi(s + 17);
	if (y < 2000 || y > 9999 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
		return false;
	return d <= mdays[mo - 1] + (mo == 2 && leap(y));
}

static void copy(json_t *out, const char *key, const char *s)
{
	if (s)
		json_object_set_new(out, key, json_string(s));
}

static json_t *get_bool(struct vctx *v, json_t *o, const char *key, const char *member)
{
	json_t *j = json_object_get(o, key);

	if (!j || json_is_null(j))
		return NULL;
	if (!json_is_boolean(j)) {
		verr(v, "bad_type", member, "must be true or false");
		return NULL;
	}
	return j;
}

/* A party object: e164, raw, nature, presentation, withheld. Returns the normalised copy or NULL. */
static json_t *check_party(struct vctx *v, json_t *o, const char *key, const char **e164, bool *withheld)
{
	json_t *p = json_object_get(o, key), *out, *w;
	char member[48];
	const char *s;

	if (!p || json_is_null(p))
		return NULL;
	if (!json_is_object(p)) {
		verr(v, "bad_type", key, "must be an object");
		return NULL;
	}
	out = json_object();
	snprintf(member, sizeof(member), "%s.e164", key);
	s = get_str(v, p, "e164", member, false);
	if (s && s[0] && !srv_e164_valid(s))
		verr(v, "bad_e164", member, "not an E.164 number (+ and 2 to 15 digits)");
	if (s && s[0]) {
		copy(out, "e164", s);
		if (e164)
			*e164 = s;
	}
	snprintf(member, sizeof(member), "%s.raw", key);
	s = get_str(v, p, "raw", member, false);
	if (s && !chars_ok(s, 0, 40, DIGIT_CHARS))
		verr(v, "out_of_range", member, "at most 40 digits (0-9, a-f, *, #)");
	copy(out, "raw", s);
	snprintf(member, sizeof(member), "%s.nature", key);
	s = get_str(v, p, "nature", member, false);
	if (s && !chars_ok(s, 1, 20, "abcdefghijklmnopqrstuvwxyz-"))
		verr(v, "out_of_range", member, "at most 20 characters of a-z -");
	copy(out, "nature", s);
	snprintf(member, sizeof(member), "%s.presentation", key);
	s = get_str(v, p, "presentation", member, false);
	if (s && !chars_ok(s, 1, 20, "abcdefghijklmnopqrstuvwxyz-"))
		verr(v, "out_of_range", member, "at most 20 characters of a-z -");
	copy(out, "presentation", s);
	snprintf(member, sizeof(member), "%s.withheld", key);
	w = get_bool(v, p, "withheld", member);
	json_object_set_new(out, "withheld", json_boolean(w && json_is_true(w)));
	if (withheld)
		*withheld = w && json_is_true(w);
	return out;
}

/* One event: validated, normalised into the row jsonb_to_recordset() reads. NULL after answering 400. */
static json_t *check_event(struct vctx *v, json_t *e)
{
	static const char *const parties[] = { "calling", "called", "redirecting", "original_called", "charge",
					       "location" };
	static const struct {
		const char *key, *chars;
		size_t max;
	} strs[] = {
		{ "imsi", "0123456789", 16 },
		{ "msc", "+" DIGIT_CHARS, 42 },
		{ "vlr", "+" DIGIT_CHARS, 42 },
		{ "cell", HEX_CHARS, 32 },
		{ "call_ref", HEX_CHARS, 32 },
		{ "end_reason", "abcdefghijklmnopqrstuvwxyz_-", 31 },
		{ "user_dn", "0123456789", 10 },	/* AIN */
		{ "lata", "0123456789", 7 },		/* AIN */
	};
	const char *instance, *type, *call, *time, *dir, *proto, *s;
	const char *calling = NULL, *called = NULL, *tkeys[] = { "t_trigger", "t_answer", "t_end" };
	bool withheld = false;
	json_t *body, *row, *j;
	json_int_t seq;
	unsigned int i;

	if (!json_is_object(e)) {
		verr(v, "bad_type", "", "an event must be an object");
		return NULL;
	}
	instance = get_str(v, e, "instance", "instance", true);
	if (instance && !chars_ok(instance, 1, 32, ID_CHARS))
		verr(v, "out_of_range", "instance", "1 to 32 characters of A-Z a-z 0-9 . _ -");
	j = json_object_get(e, "seq");
	if (!j)
		verr(v, "missing_field", "seq", "required");
	else if (!json_is_integer(j) || json_integer_value(j) <= 0)
		verr(v, "out_of_range", "seq", "must be a positive integer");
	seq = j && json_is_integer(j) ? json_integer_value(j) : 0;
	type = get_str(v, e, "type", "type", true);
	if (type && strcmp(type, "trigger") && strcmp(type, "answer") && strcmp(type, "end"))
		verr(v, "out_of_range", "type", "must be trigger, answer or end");
	call = get_str(v, e, "call", "call", true);
	if (call && !chars_ok(call, 1, 64, ID_CHARS ":"))
		verr(v, "out_of_range", "call", "1 to 64 characters of A-Z a-z 0-9 . _ - :");
	time = get_str(v, e, "time", "time", true);
	if (time && !time_ok(time))
		verr(v, "out_of_range", "time", "must be UTC as YYYY-MM-DDTHH:MM:SS[.ffffff]Z");
	dir = get_str(v, e, "direction", "direction", true);
	if (dir && strcmp(dir, "orig") && strcmp(dir, "term"))
		verr(v, "out_of_range", "direction", "must be orig or term");
	proto = get_str(v, e, "protocol", "protocol", true);
	if (proto && !chars_ok(proto, 1, 16, "abcdefghijklmnopqrstuvwxyz0123456789"))
		verr(v, "out_of_range", "protocol", "1 to 16 characters of a-z 0-9");
	if (v->failed)
		return NULL;

	body = json_object();
	copy(body, "instance", instance);
	json_object_set_new(body, "seq", json_integer(seq));
	copy(body, "type", type);
	copy(body, "call", call);
	copy(body, "time", time);
	copy(body, "direction", dir);
	copy(body, "protocol", proto);
	j = json_object_get(e, "ssn");
	if (j && (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > 255))
		verr(v, "out_of_range", "ssn", "must be 0 to 255");
	else if (j)
		json_object_set(body, "ssn", j);
	j = json_object_get(e, "service_key");
	if (j && (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > 0xffffffffLL))
		verr(v, "out_of_range", "service_key", "must be 0 to 4294967295");
	else if (j)
		json_object_set(body, "service_key", j);
	j = json_object_get(e, "trigger_criteria");	/* AIN TriggerCriteriaType */
	if (j && (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > 255))
		verr(v, "out_of_range", "trigger_criteria", "must be 0 to 255");
	else if (j)
		json_object_set(body, "trigger_criteria", j);
	for (i = 0; i < ARRAY_SIZE(parties); i++) {
		json_t *p = check_party(v, e, parties[i], i == 0 ? &calling : i == 1 ? &called : NULL,
					i == 0 ? &withheld : NULL);

		if (p)
			json_object_set_new(body, parties[i], p);
	}
	for (i = 0; i < ARRAY_SIZE(strs); i++) {
		s = get_str(v, e, strs[i].key, strs[i].key, false);
		if (s && !chars_ok(s, 0, strs[i].max, strs[i].chars))
			verr(v, "out_of_range", strs[i].key, "not a value this member takes");
		copy(body, strs[i].key, s);
	}
	s = get_str(v, e, "answer", "answer", false);
	if (s && !chars_ok(s, 0, 64, ID_CHARS " +"))
		verr(v, "out_of_range", "answer", "at most 64 characters of A-Z a-z 0-9 . _ - + space");
	copy(body, "answer", s);
	for (i = 0; i < 2; i++) {
		const char *k = i ? "fail_open" : "monitored";

		j = get_bool(v, e, k, k);
		if (j)
			json_object_set(body, k, j);
	}
	for (i = 0; i < ARRAY_SIZE(tkeys); i++) {
		s = get_str(v, e, tkeys[i], tkeys[i], false);
		if (s && !time_ok(s))
			verr(v, "out_of_range", tkeys[i], "must be UTC as YYYY-MM-DDTHH:MM:SS[.ffffff]Z");
		copy(body, tkeys[i], s);
	}
	if (v->failed) {
		json_decref(body);
		return NULL;
	}
	row = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:b,s:o}", "instance", instance, "seq", seq, "type", type,
			"call", call, "time", time, "direction", dir, "protocol", proto, "calling_withheld", withheld,
			"body", body);
	if (row) {
		copy(row, "calling_tdn", calling);
		copy(row, "called_tdn", called);
		copy(row, "end_reason", json_string_value(json_object_get(body, "end_reason")));
	}
	return row;
}

/* A long batch (SPLIT_MIN_EVENTS per part at least) is cut into parts that share no party (TDN) and no call,
 * matched at once on different ingest connections: legs of one party stay in one transaction, in their order,
 * and two parts never wait for each other's locks. The answer adds up the parts' answers; if one part fails the
 * batch is answered with its error and the SCP sends it again (what the other parts stored is then a
 * duplicate, which changes nothing). */
struct ingest {
	unsigned int parts;		/*!< parts not answered yet */
	long long accepted, duplicates, legs;
};

/* Union-find over the events of a batch. */
struct uf_key {
	const char *key;		/*!< NULL: empty slot */
	unsigned int event;
};

static unsigned int uf_find(unsigned int *parent, unsigned int i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

/* Join event i with the first event that named key (open addressing in a table of n_slots, a power of 2). */
static void uf_key(struct uf_key *tab, unsigned int n_slots, unsigned int *parent, const char *key, unsigned int i)
{
	uint32_t h = 2166136261u;
	const char *c;
	unsigned int slot;

	for (c = key; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	for (slot = h & (n_slots - 1); tab[slot].key; slot = (slot + 1) & (n_slots - 1)) {
		if (!strcmp(tab[slot].key, key)) {
			parent[uf_find(parent, i)] = uf_find(parent, tab[slot].event);
			return;
		}
	}
	tab[slot].key = key;
	tab[slot].event = i;
}

/* Which part (0 .. n_parts - 1) each row goes to: rows joined by a TDN or a call share a part; a new group goes
 * to the part with the fewest rows so far. Returns the number of parts used (1 when everything is joined). */
static unsigned int split_rows(void *ctx, json_t *rows, unsigned int n_parts, unsigned int *part_of)
{
	size_t n = json_array_size(rows), i;
	unsigned int n_slots = 4096, used = 0, fill[SRV_MAX_INGEST] = { 0 }, *parent, *group_part;
	struct uf_key *tab;

	parent = talloc_array(ctx, unsigned int, n);
	group_part = talloc_array(ctx, unsigned int, n);
	tab = talloc_zero_array(ctx, struct uf_key, n_slots);	/* at most 3 keys per row, MAX_EVENTS rows */
	if (!parent || !group_part || !tab)
		return 1;
	for (i = 0; i < n; i++) {
		parent[i] = i;
		group_part[i] = UINT_MAX;
	}
	for (i = 0; i < n; i++) {
		json_t *r = json_array_get(rows, i);
		const char *calling = json_string_value(json_object_get(r, "calling_tdn"));
		const char *called = json_string_value(json_object_get(r, "called_tdn"));
		char *kc = talloc_asprintf(ctx, "c%s:%s", json_string_value(json_object_get(r, "instance")),
					   json_string_value(json_object_get(r, "call")));
		char *ka = calling ? talloc_asprintf(ctx, "t%s", calling) : NULL;
		char *kb = called ? talloc_asprintf(ctx, "t%s", called) : NULL;

		if (!kc || (calling && !ka) || (called && !kb))
			return 1;	/* out of memory: one part */
		uf_key(tab, n_slots, parent, kc, i);
		if (ka)
			uf_key(tab, n_slots, parent, ka, i);
		if (kb)
			uf_key(tab, n_slots, parent, kb, i);
	}
	for (i = 0; i < n; i++) {
		unsigned int g = uf_find(parent, i), p, best = 0;

		if (group_part[g] == UINT_MAX) {
			for (p = 1; p < n_parts; p++) {
				if (fill[p] < fill[best])
					best = p;
			}
			group_part[g] = best;
			if (!fill[best])
				used++;
		}
		part_of[i] = group_part[g];
		fill[part_of[i]]++;
	}
	return used;
}

static void ingest_cb(struct srv_req *req, const PGresult *res, const char *errmsg)
{
	struct ingest *in = req->state;
	json_t *ans;
	char *text;

	in->parts--;
	if (req->resp || req->queued)
		return;		/* another part failed and was answered */
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		srv_req_db_error(req, res, errmsg);
		return;
	}
	/* the matcher's trigger on legs may have written events in this transaction (seq unknown here) */
	srv_outbox_written(req->srv, 0);
	ans = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	in->accepted += json_integer_value(json_object_get(ans, "accepted"));
	in->duplicates += json_integer_value(json_object_get(ans, "duplicates"));
	in->legs += json_integer_value(json_object_get(ans, "legs"));
	json_decref(ans);
	if (in->parts)
		return;
	/* as PostgreSQL's json_build_object() writes it for a batch in one part */
	text = talloc_asprintf(req, "{\"accepted\" : %lld, \"duplicates\" : %lld, \"legs\" : %lld}", in->accepted,
			       in->duplicates, in->legs);
	if (text)
		srv_req_reply_json_text(req, 200, text);
	else
		srv_req_error(req, 500, "internal", NULL, "out of memory");
}

/* Send the rows (with their part in part_of) as n_parts queries on dbs. */
static void ingest_send(struct srv_req *req, json_t *rows, struct srv_db **dbs, unsigned int n_parts,
			const unsigned int *part_of)
{
	struct ingest *in = talloc_zero(req, struct ingest);
	unsigned int p;
	size_t i;

	if (!in) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		return;
	}
	req->state = in;
	in->parts = n_parts;
	for (p = 0; p < n_parts; p++) {
		json_t *part = n_parts == 1 ? json_incref(rows) : json_array();
		const char *params[2];
		char *text;

		if (n_parts > 1) {
			for (i = 0; i < json_array_size(rows); i++) {
				if (part_of[i] == p)
					json_array_append(part, json_array_get(rows, i));
			}
		}
		text = json_dumps(part, JSON_COMPACT);
		json_decref(part);
		params[0] = text ? talloc_strdup(req, text) : NULL;
		free(text);
		if (!params[0]) {
			in->parts -= n_parts - p;
			if (!req->resp && !req->queued)
				srv_req_error(req, 500, "internal", NULL, "out of memory");
			return;
		}
		params[1] = req->actor;
		if (srv_req_query_stmt(req, dbs[p], ingest_cb, &stmt_ingest, 2, params, NULL, NULL) < 0) {
			/* answered 503/500; the parts sent complete unheard */
			in->parts -= n_parts - p;
			return;
		}
	}
}

/*! \brief POST /v1/call-events: {"events": [event, ...]} (1 to 1000). 200 {"accepted", "duplicates", "legs"};
 *  400 naming the first bad member; nothing of a bad batch is stored. */
void srv_api_call_events(struct srv_req *req)
{
	struct vctx v = { .req = req };
	struct srv_db *dbs[SRV_MAX_INGEST];
	unsigned int n_dbs = 0, n_parts, *part_of;
	json_t *root, *events, *rows = NULL, *e;
	json_error_t jerr;
	const char *key;
	size_t i;

	root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || !json_is_object(root)) {
		if (root)
			srv_req_error(req, 400, "bad_json", NULL, "a JSON object {\"events\": [...]} is required");
		else
			srv_req_error(req, 400, "bad_json", NULL, "malformed JSON at line %d column %d: %s", jerr.line,
				      jerr.column, jerr.text);
		json_decref(root);
		return;
	}
	json_object_foreach(root, key, e) {
		if (strcmp(key, "events")) {
			srv_req_error(req, 400, "unknown_field", strlen(key) < 64 ? key : NULL, "unknown field");
			goto out;
		}
	}
	events = json_object_get(root, "events");
	if (!events) {
		srv_req_error(req, 400, "missing_field", "events", "required");
		goto out;
	}
	if (!json_is_array(events) || !json_array_size(events) || json_array_size(events) > MAX_EVENTS) {
		srv_req_error(req, 400, "out_of_range", "events", "an array of 1 to %u events", MAX_EVENTS);
		goto out;
	}
	rows = json_array();
	json_array_foreach(events, i, e) {
		json_t *row;

		v.idx = i;
		row = check_event(&v, e);
		if (!row) {
			if (!v.failed)
				srv_req_error(req, 500, "internal", NULL, "out of memory");
			goto out;
		}
		json_array_append_new(rows, row);
	}
	/* the ready ingest connections, the least busy first; the first connection while none is */
	for (i = 0; i < ARRAY_SIZE(req->srv->db_ingest); i++) {
		struct srv_db *d = req->srv->db_ingest[i];
		unsigned int k;

		if (!d || !srv_db_is_ready(d))
			continue;
		for (k = n_dbs; k > 0 && srv_db_pending(dbs[k - 1]) > srv_db_pending(d); k--)
			dbs[k] = dbs[k - 1];
		dbs[k] = d;
		n_dbs++;
	}
	if (!n_dbs)
		dbs[n_dbs++] = req->srv->db;
	part_of = talloc_array(req, unsigned int, json_array_size(rows));
	if (!part_of) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		goto out;
	}
	/* a part costs a transaction of its own and the answer waits for the slowest: only a batch that a backlog
	 * made long is worth cutting (the SCP's batches are short while it keeps up) */
	n_parts = json_array_size(rows) / SPLIT_MIN_EVENTS;
	n_parts = n_parts < n_dbs ? n_parts : n_dbs;
	n_parts = n_parts > 1 ? split_rows(req, rows, n_parts, part_of) : 1;
	ingest_send(req, rows, dbs, n_parts, part_of);
out:
	json_decref(rows);
	json_decref(root);
}
