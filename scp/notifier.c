/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-scp's notifier: call events -> JSON -> on-disk spool -> HTTP POST to tandem-server (libcurl multi on
 * the osmo select loop), in order per destination, acknowledged events deleted, retries with backoff.
 *
 * Per destination up to `posts-in-flight` POSTs run at once, each on its own kept-alive connection, but only
 * while there is a backlog: a further POST starts when every POST in flight was filled (`batch` events or
 * the byte bound) and events are still waiting. Events of one call are never in two POSTs at once (a batch
 * ends before an event whose call is in flight), so the server stores a call's events in their order. After
 * a failed POST no new one starts until the others have come back; then sending resumes, after the backoff,
 * from the oldest event not acknowledged (what the others delivered is acknowledged and skipped). */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/stat_item.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/vty.h>

#include "call_events.h"
#include "notifier.h"
#include "scp.h"
#include "spool.h"

struct dest;

/* One POST to a destination and its connection. */
struct post {
	struct dest *d;
	CURL *easy;			/* reused, so the connection is kept alive */
	struct curl_slist *hdrs;
	bool busy;			/* in flight */
	bool full;			/* its batch was cut by `batch` or the byte bound, not by the events waiting */
	struct scp_spool_rec **batch;	/* the records in flight (NULL where the bound dropped one) */
	uint64_t *calls;		/* their calls (hash of the call id) */
	unsigned int n_batch;
	char *body;
	char resp[256];			/* start of the server's answer, for the log */
	size_t resp_len;
};

/* One server URL and the sender towards it. */
struct dest {
	struct llist_head list;
	char *url;
	struct scp_spool_rec *next;	/* first record for us not yet in a POST; NULL: none */
	struct post post[SCP_NOTIFIER_MAX_POSTS];
	bool rewind;			/* a POST failed: once none is in flight, resend from the oldest unacked */
	unsigned int single;		/* after a 4xx on a batch: send this many one by one */
	unsigned int backoff_ms;	/* 0: the last POST went through */
	struct osmo_timer_list timer;	/* the next POST (at once, or after the backoff) */
	uint64_t sent, failures;
};

/* An osmo_fd for a socket of libcurl. */
struct sock {
	struct osmo_fd ofd;
};

struct notifier {
	void *ctx;
	struct scp_notifier_cfg cfg;
	struct osmo_tdef *tdefs;
	bool started;
	struct scp_spool *spool;
	uint64_t run;			/* unique per run: makes call ids unique across restarts */
	CURLM *multi;
	struct osmo_timer_list curl_timer;
	struct llist_head dests;
	struct rate_ctr_group *ctrg;
	struct osmo_stat_item_group *statg;
};

static struct notifier *g_ntf;

static const struct rate_ctr_desc ntf_ctr_desc[] = {
	[SCP_NTF_CTR_SPOOLED] = { "events:spooled", "Call events written to the spool" },
	[SCP_NTF_CTR_SENT] = { "events:sent", "Call events acknowledged by a server" },
	[SCP_NTF_CTR_RETRIED] = { "events:retried", "Call events in a POST that failed and is retried" },
	[SCP_NTF_CTR_DROPPED] = { "events:dropped", "Call events dropped unsent because the spool was full" },
	[SCP_NTF_CTR_REJECTED] = { "events:rejected", "Call events the server refused (4xx): deleted" },
	[SCP_NTF_CTR_UNROUTED] = { "events:unrouted", "Call events no route and no default URL matched" },
	[SCP_NTF_CTR_ERROR] = { "events:error", "Call events that could not be encoded or spooled" },
	[SCP_NTF_CTR_POST] = { "post:total", "HTTP POSTs to servers" },
	[SCP_NTF_CTR_POST_FAILED] = { "post:failed", "HTTP POSTs without a 2xx answer" },
};

static const struct rate_ctr_group_desc ntf_ctrg_desc = {
	.group_name_prefix = "scp:notifier",
	.group_description = "tandem-scp call events to tandem-server",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = ARRAY_SIZE(ntf_ctr_desc),
	.ctr_desc = ntf_ctr_desc,
};

static const struct osmo_stat_item_desc ntf_stat_desc[] = {
	[SCP_NTF_STAT_SPOOL_DEPTH] = { "spool:depth", "Call events in the spool not yet acknowledged", "", 16, 0 },
	[SCP_NTF_STAT_SPOOL_BYTES] = { "spool:bytes", "Bytes the spooled call events take", "B", 16, 0 },
};

static const struct osmo_stat_item_group_desc ntf_statg_desc = {
	.group_name_prefix = "scp:notifier",
	.group_description = "tandem-scp call events to tandem-server",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_items = ARRAY_SIZE(ntf_stat_desc),
	.item_desc = ntf_stat_desc,
};

static const struct osmo_tdef ntf_tdefs_tmpl[] = {
	{ .T = SCP_NTF_T_RETRY_MIN, .default_val = 200, .unit = OSMO_TDEF_MS,
	  .desc = "First wait before a failed POST of call events is retried (doubles up to X101)" },
	{ .T = SCP_NTF_T_RETRY_MAX, .default_val = 10000, .unit = OSMO_TDEF_MS,
	  .desc = "Longest wait between retries of call events" },
	{ .T = SCP_NTF_T_HTTP, .default_val = 5000, .unit = OSMO_TDEF_MS,
	  .desc = "Longest time a POST of call events may take" },
	{ .T = SCP_NTF_T_CONNECT, .default_val = 2000, .unit = OSMO_TDEF_MS,
	  .desc = "Longest time a connection to a server may take" },
	{}
};

static void ctr_add(enum scp_notifier_ctr c, unsigned int n)
{
	rate_ctr_add(rate_ctr_group_get_ctr(g_ntf->ctrg, c), n);
}

static void update_stats(void)
{
	osmo_stat_item_set(osmo_stat_item_group_get_item(g_ntf->statg, SCP_NTF_STAT_SPOOL_DEPTH),
			   scp_spool_depth(g_ntf->spool));
	osmo_stat_item_set(osmo_stat_item_group_get_item(g_ntf->statg, SCP_NTF_STAT_SPOOL_BYTES),
			   scp_spool_bytes(g_ntf->spool) > INT32_MAX ? INT32_MAX : scp_spool_bytes(g_ntf->spool));
}

/* --- events to JSON ------------------------------------------------------------------------------------ */

static const char *ev_type(enum scp_call_ev ev)
{
	switch (ev) {
	case SCP_CALL_EV_TRIGGER:
		return "trigger";
	case SCP_CALL_EV_ANSWER:
		return "answer";
	case SCP_CALL_EV_END:
		return "end";
	}
	return "?";
}

static const char *nature_name(enum tcap_num_nature n)
{
	switch (n) {
	case TCAP_NAT_SUBSCRIBER:
		return "subscriber";
	case TCAP_NAT_NATIONAL:
		return "national";
	case TCAP_NAT_INTERNATIONAL:
		return "international";
	case TCAP_NAT_NETWORK_SPECIFIC:
		return "network-specific";
	case TCAP_NAT_OTHER:
		return "other";
	default:
		return "unknown";
	}
}

static const char *pres_name(enum tcap_num_pres p)
{
	switch (p) {
	case TCAP_PRES_ALLOWED:
		return "allowed";
	case TCAP_PRES_RESTRICTED:
		return "restricted";
	case TCAP_PRES_UNAVAILABLE:
		return "unavailable";
	case TCAP_PRES_SPARE:
		return "spare";
	default:
		return "none";
	}
}

/* ISO 8601 UTC with milliseconds, or NULL when the time is not set. */
static json_t *json_time(const struct timespec *ts)
{
	char buf[96];
	struct tm tm;

	if (!ts->tv_sec || !gmtime_r(&ts->tv_sec, &tm))
		return NULL;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts->tv_nsec / 1000000) % 1000);
	return json_string(buf);
}

static void set_opt(json_t *obj, const char *key, json_t *v)
{
	if (v)
		json_object_set_new(obj, key, v);
}

static void set_str(json_t *obj, const char *key, const char *s)
{
	if (s && s[0])
		json_object_set_new(obj, key, json_string(s));
}

/* A withheld number is sent with its digits (the server needs them to match legs) but marked: withheld true
 * and its presentation, so nothing downstream shows it as if it were public. */
static void set_party(json_t *obj, const char *key, const struct scp_party *p)
{
	json_t *o;

	if (!p->present)
		return;
	o = json_object();
	set_str(o, "e164", p->e164);
	json_object_set_new(o, "raw", json_string(p->raw));
	json_object_set_new(o, "nature", json_string(nature_name(p->nature)));
	json_object_set_new(o, "presentation", json_string(pres_name(p->pres)));
	json_object_set_new(o, "withheld", json_boolean(p->withheld));
	json_object_set_new(obj, key, o);
}

static char *event_json(enum scp_call_ev ev, const struct scp_call *c, uint64_t seq)
{
	const struct timespec *t = ev == SCP_CALL_EV_TRIGGER ? &c->t_trigger :
				   ev == SCP_CALL_EV_ANSWER ? &c->t_answer : &c->t_end;
	struct timespec now;
	json_t *o = json_object();
	char call[48];
	char *text;

	if (!o)
		return NULL;
	if (!t->tv_sec) {
		clock_gettime(CLOCK_REALTIME, &now);
		t = &now;
	}
	snprintf(call, sizeof(call), "%" PRIu64 "-%" PRIu64, g_ntf->run, c->id);
	json_object_set_new(o, "instance", json_string(g_ntf->cfg.instance_id));
	json_object_set_new(o, "seq", json_integer(seq));
	json_object_set_new(o, "type", json_string(ev_type(ev)));
	json_object_set_new(o, "call", json_string(call));
	set_opt(o, "time", json_time(t));
	json_object_set_new(o, "direction", json_string(scp_call_dir_name(c->dir)));
	json_object_set_new(o, "protocol", json_string(c->protocol ? c->protocol : "unknown"));
	json_object_set_new(o, "ssn", json_integer(c->ssn));
	json_object_set_new(o, "service_key", json_integer(c->service_key));
	if (c->user_dn[0])
		json_object_set_new(o, "user_dn", json_string(c->user_dn));
	if (c->lata[0])
		json_object_set_new(o, "lata", json_string(c->lata));
	if (c->protocol && !strcmp(c->protocol, "ain") && c->trigger_criteria >= 0)
		json_object_set_new(o, "trigger_criteria", json_integer(c->trigger_criteria));
	set_party(o, "calling", &c->calling);
	set_party(o, "called", &c->called);
	set_party(o, "redirecting", &c->redirecting);
	set_party(o, "original_called", &c->original_called);
	set_party(o, "charge", &c->charge);
	set_party(o, "location", &c->location);
	set_str(o, "imsi", c->imsi);
	set_str(o, "msc", c->msc);
	set_str(o, "vlr", c->vlr);
	set_str(o, "cell", c->cell);
	set_str(o, "call_ref", c->call_ref);
	set_str(o, "answer", c->answer);
	json_object_set_new(o, "monitored", json_boolean(c->monitored));
	json_object_set_new(o, "fail_open", json_boolean(c->fail_open));
	set_opt(o, "t_trigger", json_time(&c->t_trigger));
	set_opt(o, "t_answer", json_time(&c->t_answer));
	set_opt(o, "t_end", json_time(&c->t_end));
	set_str(o, "end_reason", c->end_reason);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

/* --- routing ------------------------------------------------------------------------------------------- */

static size_t prefix_match(const char *prefix, const struct scp_party *p)
{
	const char *num;
	size_t len = strlen(prefix);

	if (!p->present)
		return 0;
	num = prefix[0] == '+' ? p->e164 : p->raw;
	return strncmp(num, prefix, len) ? 0 : len;
}

/* The URL of a call: the longest matching route prefix, else the default URL (NULL: none). */
static const char *route_call(const struct scp_call *c)
{
	const struct scp_notifier_route *r, *best = NULL;
	size_t best_len = 0;

	llist_for_each_entry(r, &g_ntf->cfg.routes, list) {
		size_t len = prefix_match(r->prefix, r->party == SCP_ROUTE_CALLING ? &c->calling : &c->called);

		if (len > best_len) {
			best = r;
			best_len = len;
		}
	}
	return best ? best->url : g_ntf->cfg.default_url;
}

/* --- destinations and the sender ----------------------------------------------------------------------- */

static void dest_timer_cb(void *data);

static struct dest *dest_get(const char *url, size_t len)
{
	struct dest *d;
	unsigned int i;

	llist_for_each_entry(d, &g_ntf->dests, list) {
		if (strlen(d->url) == len && !memcmp(d->url, url, len))
			return d;
	}
	d = talloc_zero(g_ntf->ctx, struct dest);
	if (!d)
		return NULL;
	d->url = talloc_strndup(d, url, len);
	if (!d->url) {
		talloc_free(d);
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(d->post); i++)
		d->post[i].d = d;
	osmo_timer_setup(&d->timer, dest_timer_cb, d);
	llist_add_tail(&d->list, &g_ntf->dests);
	return d;
}

/* The JSON text of a record: after the URL line. */
static const char *rec_json(const struct scp_spool_rec *r, size_t *len)
{
	const char *nl = memchr(r->data, '\n', r->len);

	if (!nl) {
		*len = 0;
		return NULL;
	}
	*len = r->len - (nl + 1 - (const char *)r->data);
	return nl + 1;
}

static struct scp_spool_rec *next_for(struct dest *d, struct scp_spool_rec *r)
{
	for (; r; r = scp_spool_next(g_ntf->spool, r)) {
		if (r->user == d && !r->acked)
			return r;
	}
	return NULL;
}

/* The call of a record: a hash of the value of its "call" member (our own JSON: the first `"call":"`; inside
 * a string value the quotes would be escaped), 0 if it has none. */
static uint64_t rec_call(const struct scp_spool_rec *r)
{
	static const char key[] = "\"call\":\"";
	const char *j, *v, *end;
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */
	size_t len;

	j = rec_json(r, &len);
	if (!j)
		return 0;
	for (v = j; (v = memchr(v, '"', len - (v - j))); v++) {
		if ((size_t)(j + len - v) >= sizeof(key) - 1 && !memcmp(v, key, sizeof(key) - 1))
			break;
	}
	if (!v)
		return 0;
	v += sizeof(key) - 1;
	end = memchr(v, '"', len - (v - j));
	if (!end)
		return 0;
	for (; v < end; v++)
		h = (h ^ (uint8_t)*v) * 1099511628211ULL;
	return h ? h : 1;
}

static unsigned int posts_busy(const struct dest *d)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(d->post); i++)
		n += d->post[i].busy;
	return n;
}

/* A free post of d that may start now, NULL if none: the first POST whenever events wait; a further one only
 * while every POST in flight was filled, not after a failure and not while events go one by one. */
static struct post *post_free(struct dest *d)
{
	unsigned int i, busy = 0;
	struct post *free_p = NULL;

	if (!d->next || d->rewind)
		return NULL;
	/* every post, also beyond a `posts-in-flight` lowered while they were in flight */
	for (i = 0; i < ARRAY_SIZE(d->post); i++) {
		struct post *p = &d->post[i];

		if (p->busy) {
			if (!p->full || d->single)
				return NULL;
			busy++;
		} else if (!free_p) {
			free_p = p;
		}
	}
	return busy < g_ntf->cfg.posts ? free_p : NULL;
}

/* Is the call of a record in a POST in flight other than p? */
static bool call_in_flight(const struct dest *d, const struct post *p, uint64_t call)
{
	unsigned int i, k;

	if (!call)
		return false;
	for (i = 0; i < ARRAY_SIZE(d->post); i++) {
		const struct post *q = &d->post[i];

		if (q == p || !q->busy)
			continue;
		for (k = 0; k < q->n_batch; k++) {
			if (q->calls[k] == call)
				return true;
		}
	}
	return false;
}

static void kick(struct dest *d)
{
	if (!osmo_timer_pending(&d->timer) && post_free(d))
		osmo_timer_schedule(&d->timer, 0, 0);
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct post *p = data;
	size_t n = size * nmemb, room = sizeof(p->resp) - 1 - p->resp_len;

	memcpy(p->resp + p->resp_len, ptr, n < room ? n : room);
	p->resp_len += n < room ? n : room;
	p->resp[p->resp_len] = '\0';
	return n;
}

static int post_easy(struct post *p)
{
	char *auth;

	if (p->easy)
		return 0;
	p->easy = curl_easy_init();
	if (!p->easy)
		return -ENOMEM;
	p->hdrs = curl_slist_append(p->hdrs, "Content-Type: application/json");
	/* no "Expect: 100-continue" round trip before bodies over 1 KiB */
	p->hdrs = curl_slist_append(p->hdrs, "Expect:");
	if (g_ntf->cfg.api_key) {
		auth = talloc_asprintf(p->d, "Authorization: Bearer %s", g_ntf->cfg.api_key);
		p->hdrs = curl_slist_append(p->hdrs, auth);
		talloc_free(auth);
	}
	curl_easy_setopt(p->easy, CURLOPT_URL, p->d->url);
	curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, p->hdrs);
	curl_easy_setopt(p->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(p->easy, CURLOPT_PRIVATE, p);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(p->easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(p->easy, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	return 0;
}

/* Forget the easy handle (a changed API key or URL takes effect with the next POST). */
static void post_reset(struct post *p)
{
	if (p->easy) {
		curl_easy_cleanup(p->easy);
		p->easy = NULL;
	}
	curl_slist_free_all(p->hdrs);
	p->hdrs = NULL;
}

/* POST the next batch of events for d, in order, if a post may start. */
static void dest_send(struct dest *d)
{
	unsigned int max = d->single ? 1 : g_ntf->cfg.batch_max;
	struct scp_spool_rec *r;
	struct post *p = post_free(d);
	size_t body_len = 0, cap;
	CURLMcode mrc;

	if (!p)
		return;
	if (post_easy(p) < 0) {
		osmo_timer_schedule(&d->timer, 1, 0);
		return;
	}
	talloc_free(p->batch);
	talloc_free(p->calls);
	talloc_free(p->body);
	p->batch = talloc_zero_array(d, struct scp_spool_rec *, max);
	p->calls = talloc_zero_array(d, uint64_t, max);
	cap = g_ntf->cfg.batch_bytes + 64;
	p->body = talloc_size(d, cap);
	if (!p->batch || !p->calls || !p->body) {
		osmo_timer_schedule(&d->timer, 1, 0);
		return;
	}
	p->n_batch = 0;
	p->full = false;
	body_len = snprintf(p->body, cap, "{\"events\":[");
	for (r = d->next; r; r = next_for(d, scp_spool_next(g_ntf->spool, r))) {
		size_t jlen;
		const char *j = rec_json(r, &jlen);
		uint64_t call;

		if (!j)
			continue;
		if (p->n_batch == max) {
			p->full = true;
			break;
		}
		/* one event always goes, even a large one (the server then refuses it and it is deleted) */
		if (p->n_batch && body_len + jlen + 3 > g_ntf->cfg.batch_bytes) {
			p->full = true;
			break;
		}
		/* a call's events in one POST at a time: this one waits for the POST that has its call */
		call = rec_call(r);
		if (call_in_flight(d, p, call))
			break;
		if (body_len + jlen + 3 > cap) {
			char *nb = talloc_realloc_size(d, p->body, body_len + jlen + 3);

			if (!nb)
				break;
			p->body = nb;
			cap = body_len + jlen + 3;
		}
		if (p->n_batch)
			p->body[body_len++] = ',';
		memcpy(p->body + body_len, j, jlen);
		body_len += jlen;
		p->calls[p->n_batch] = call;
		p->batch[p->n_batch++] = r;
	}
	if (!p->n_batch)
		return;
	d->next = r;
	memcpy(p->body + body_len, "]}", 2);
	body_len += 2;
	p->resp_len = 0;
	p->resp[0] = '\0';
	curl_easy_setopt(p->easy, CURLOPT_POSTFIELDS, p->body);
	curl_easy_setopt(p->easy, CURLOPT_POSTFIELDSIZE, (long)body_len);
	curl_easy_setopt(p->easy, CURLOPT_TIMEOUT_MS,
			 (long)osmo_tdef_get(g_ntf->tdefs, SCP_NTF_T_HTTP, OSMO_TDEF_MS, -1));
	curl_easy_setopt(p->easy, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)osmo_tdef_get(g_ntf->tdefs, SCP_NTF_T_CONNECT, OSMO_TDEF_MS, -1));
	mrc = curl_multi_add_handle(g_ntf->multi, p->easy);
	if (mrc != CURLM_OK) {
		LOGP(DCALL, LOGL_ERROR, "notifier: cannot start a POST to %s: %s\n", d->url, curl_multi_strerror(mrc));
		d->next = p->batch[0];
		p->n_batch = 0;
		osmo_timer_schedule(&d->timer, 1, 0);
		return;
	}
	p->busy = true;
	ctr_add(SCP_NTF_CTR_POST, 1);
	/* another POST may go at once */
	kick(d);
}

static void dest_timer_cb(void *data)
{
	dest_send(data);
}

static unsigned int batch_live(const struct post *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < p->n_batch; i++)
		n += p->batch[i] != NULL;
	return n;
}

/* After a failed POST, once no POST is in flight: go on from the oldest event not acknowledged. */
static void rewind_if_idle(struct dest *d)
{
	if (!d->rewind || posts_busy(d))
		return;
	d->rewind = false;
	d->next = next_for(d, scp_spool_first(g_ntf->spool));
}

static void post_done(struct post *p, CURLcode result)
{
	struct dest *d = p->d;
	long code = 0;
	unsigned int i, n = batch_live(p);

	curl_multi_remove_handle(g_ntf->multi, p->easy);
	p->busy = false;
	if (result == CURLE_OK)
		curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &code);

	if (code >= 200 && code < 300) {
		for (i = 0; i < p->n_batch; i++)
			scp_spool_ack(g_ntf->spool, p->batch[i]);
		d->sent += n;
		ctr_add(SCP_NTF_CTR_SENT, n);
		if (d->backoff_ms)
			LOGP(DCALL, LOGL_NOTICE, "notifier: %s takes call events again\n", d->url);
		d->backoff_ms = 0;
		if (d->single)
			d->single--;
	} else if (code == 400 || code == 413 || code == 415 || code == 422) {
		/* the server will never take this: find the event it refuses, send the others */
		ctr_add(SCP_NTF_CTR_POST_FAILED, 1);
		if (p->n_batch > 1) {
			LOGP(DCALL, LOGL_NOTICE, "notifier: %s refused a batch of %u (%ld %s): sending one by one\n",
			     d->url, p->n_batch, code, p->resp);
			d->single = p->n_batch;
			d->rewind = true;
		} else {
			LOGP(DCALL, LOGL_ERROR, "notifier: %s refused call event %" PRIu64 " (%ld %s): deleted\n",
			     d->url, p->batch[0] ? p->batch[0]->seq : 0, code, p->resp);
			ctr_add(SCP_NTF_CTR_REJECTED, n);
			if (p->batch[0])
				scp_spool_ack(g_ntf->spool, p->batch[0]);
			if (d->single)
				d->single--;
		}
	} else {
		/* down, overloaded, or not (yet) accepting our key: keep the events and try again later */
		ctr_add(SCP_NTF_CTR_POST_FAILED, 1);
		ctr_add(SCP_NTF_CTR_RETRIED, n);
		d->failures++;
		if (!d->backoff_ms) {
			if (result != CURLE_OK)
				LOGP(DCALL, LOGL_NOTICE, "notifier: %s unreachable (%s): spooling and retrying\n",
				     d->url, curl_easy_strerror(result));
			else
				LOGP(DCALL, LOGL_NOTICE, "notifier: %s answered %ld %s: spooling and retrying\n",
				     d->url, code, p->resp);
			d->backoff_ms = osmo_tdef_get(g_ntf->tdefs, SCP_NTF_T_RETRY_MIN, OSMO_TDEF_MS, -1);
		} else {
			unsigned long max = osmo_tdef_get(g_ntf->tdefs, SCP_NTF_T_RETRY_MAX, OSMO_TDEF_MS, -1);

			d->backoff_ms = 2 * (unsigned long)d->backoff_ms > max ? max : 2 * d->backoff_ms;
		}
		d->rewind = true;
		p->n_batch = 0;
		rewind_if_idle(d);
		update_stats();
		osmo_timer_schedule(&d->timer, d->backoff_ms / 1000, (d->backoff_ms % 1000) * 1000);
		return;
	}
	p->n_batch = 0;
	rewind_if_idle(d);
	update_stats();
	kick(d);
}

/* --- libcurl multi on the select loop ------------------------------------------------------------------ */

static void check_done(void)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(g_ntf->multi, &left))) {
		char *priv = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		if (priv)
			post_done((struct post *)priv, msg->data.result);
	}
}

static int sock_fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	int ev = 0, running;

	if (what & OSMO_FD_READ)
		ev |= CURL_CSELECT_IN;
	if (what & OSMO_FD_WRITE)
		ev |= CURL_CSELECT_OUT;
	/* may free ofd (CURL_POLL_REMOVE): it is not touched after this */
	curl_multi_socket_action(g_ntf->multi, ofd->fd, ev, &running);
	check_done();
	return 0;
}

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct sock *so = socketp;

	(void)easy;
	(void)userp;
	if (what == CURL_POLL_REMOVE) {
		if (so) {
			osmo_fd_unregister(&so->ofd);
			talloc_free(so);
			curl_multi_assign(g_ntf->multi, s, NULL);
		}
		return 0;
	}
	if (!so) {
		so = talloc_zero(g_ntf->ctx, struct sock);
		if (!so)
			return -1;
		osmo_fd_setup(&so->ofd, s, 0, sock_fd_cb, NULL, 0);
		if (osmo_fd_register(&so->ofd) < 0) {
			talloc_free(so);
			return -1;
		}
		curl_multi_assign(g_ntf->multi, s, so);
	}
	so->ofd.when = (what & CURL_POLL_IN ? OSMO_FD_READ : 0) | (what & CURL_POLL_OUT ? OSMO_FD_WRITE : 0);
	return 0;
}

static void curl_timer_cb(void *data)
{
	int running;

	(void)data;
	curl_multi_socket_action(g_ntf->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done();
}

static int timer_func(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	(void)userp;
	if (timeout_ms < 0)
		osmo_timer_del(&g_ntf->curl_timer);
	else
		osmo_timer_schedule(&g_ntf->curl_timer, timeout_ms / 1000, (timeout_ms % 1000) * 1000);
	return 0;
}

/* --- the call-event subscriber (the answering path: memory and one write(), never the network) -------- */

static void call_event_cb(enum scp_call_ev ev, const struct scp_call *call, void *data)
{
	struct scp_spool_rec *rec;
	const char *url = route_call(call);
	struct dest *d;
	char *json, *payload;
	size_t ulen, jlen;
	int rc;

	(void)data;
	if (!url) {
		ctr_add(SCP_NTF_CTR_UNROUTED, 1);
		return;
	}
	json = event_json(ev, call, scp_spool_next_seq(g_ntf->spool));
	d = dest_get(url, strlen(url));
	if (!json || !d) {
		free(json);
		ctr_add(SCP_NTF_CTR_ERROR, 1);
		return;
	}
	ulen = strlen(url);
	jlen = strlen(json);
	payload = talloc_size(g_ntf->ctx, ulen + 1 + jlen);
	if (!payload) {
		free(json);
		ctr_add(SCP_NTF_CTR_ERROR, 1);
		return;
	}
	memcpy(payload, url, ulen);
	payload[ulen] = '\n';
	memcpy(payload + ulen + 1, json, jlen);
	free(json);
	rc = scp_spool_append(g_ntf->spool, payload, ulen + 1 + jlen, &rec);
	talloc_free(payload);
	if (rc < 0) {
		LOGP(DCALL, LOGL_ERROR, "notifier: cannot spool a call event: %s\n", strerror(-rc));
		ctr_add(SCP_NTF_CTR_ERROR, 1);
		return;
	}
	rec->user = d;
	if (!d->next)
		d->next = rec;
	ctr_add(SCP_NTF_CTR_SPOOLED, 1);
	update_stats();
	kick(d);
}

/* The bound pushed a record out before it was acknowledged. */
static void drop_cb(struct scp_spool_rec *rec, void *data)
{
	struct dest *d = rec->user;
	unsigned int i, k;

	(void)data;
	ctr_add(SCP_NTF_CTR_DROPPED, 1);
	if (!d)
		return;
	for (i = 0; i < ARRAY_SIZE(d->post); i++) {
		struct post *p = &d->post[i];

		for (k = 0; k < p->n_batch; k++) {
			if (p->batch[k] == rec)
				p->batch[k] = NULL;
		}
	}
	if (d->next == rec)
		d->next = next_for(d, scp_spool_next(g_ntf->spool, rec));
}

/* --- life cycle ---------------------------------------------------------------------------------------- */

struct scp_notifier_cfg *scp_notifier_cfg(void)
{
	return &g_ntf->cfg;
}

struct osmo_tdef *scp_notifier_tdefs(void)
{
	return g_ntf->tdefs;
}

bool scp_notifier_started(void)
{
	return g_ntf && g_ntf->started;
}

int scp_notifier_set_max_bytes(uint64_t max_bytes)
{
	int rc = 0;

	if (g_ntf->started)
		rc = scp_spool_set_max_bytes(g_ntf->spool, max_bytes);
	if (rc == 0) {
		g_ntf->cfg.spool_max_bytes = max_bytes;
		if (g_ntf->started)
			update_stats();
	}
	return rc;
}

void *scp_notifier_ctx(void)
{
	return g_ntf;
}

/* Forget the cached connections' settings (the API key changed). */
void scp_notifier_cfg_changed(void)
{
	struct dest *d;
	unsigned int i;

	if (!g_ntf || !g_ntf->started)
		return;
	llist_for_each_entry(d, &g_ntf->dests, list) {
		for (i = 0; i < ARRAY_SIZE(d->post); i++) {
			if (!d->post[i].busy)
				post_reset(&d->post[i]);
		}
	}
}

int scp_notifier_alloc(void *ctx)
{
	g_ntf = talloc_zero(ctx, struct notifier);
	if (!g_ntf)
		return -ENOMEM;
	g_ntf->ctx = g_ntf;
	INIT_LLIST_HEAD(&g_ntf->dests);
	INIT_LLIST_HEAD(&g_ntf->cfg.routes);
	g_ntf->cfg.spool_path = talloc_strdup(g_ntf, SCP_NOTIFIER_DEFAULT_SPOOL);
	g_ntf->cfg.spool_max_bytes = SCP_NOTIFIER_DEFAULT_MAX_BYTES;
	g_ntf->cfg.fsync_ms = SCP_NOTIFIER_DEFAULT_FSYNC_MS;
	g_ntf->cfg.batch_max = SCP_NOTIFIER_DEFAULT_BATCH;
	g_ntf->cfg.batch_bytes = SCP_NOTIFIER_DEFAULT_BATCH_BYTES;
	g_ntf->cfg.posts = SCP_NOTIFIER_DEFAULT_POSTS;
	g_ntf->tdefs = talloc_memdup(g_ntf, ntf_tdefs_tmpl, sizeof(ntf_tdefs_tmpl));
	if (!g_ntf->cfg.spool_path || !g_ntf->tdefs)
		return -ENOMEM;
	osmo_tdefs_reset(g_ntf->tdefs);
	return 0;
}

int scp_notifier_start(void)
{
	struct scp_spool_cfg scfg = {
		.path = g_ntf->cfg.spool_path,
		.max_bytes = g_ntf->cfg.spool_max_bytes,
		.fsync_ms = g_ntf->cfg.fsync_ms,
		.log_ss = DCALL,
		.drop_cb = drop_cb,
	};
	struct scp_spool_rec *r;
	struct dest *d;
	int rc;

	if (!g_ntf->cfg.default_url && llist_empty(&g_ntf->cfg.routes)) {
		LOGP(DCALL, LOGL_NOTICE, "notifier: no default-url and no route: call events are not reported\n");
		return 0;
	}
	if (!g_ntf->cfg.instance_id) {
		LOGP(DCALL, LOGL_ERROR, "notifier: instance-id is required to report call events\n");
		return -EINVAL;
	}
	if (!g_ntf->cfg.api_key)
		LOGP(DCALL, LOGL_NOTICE, "notifier: no api-key: the server will refuse call events\n");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -EIO;
	g_ntf->ctrg = rate_ctr_group_alloc(g_ntf, &ntf_ctrg_desc, 0);
	g_ntf->statg = osmo_stat_item_group_alloc(g_ntf, &ntf_statg_desc, 0);
	g_ntf->multi = curl_multi_init();
	if (!g_ntf->ctrg || !g_ntf->statg || !g_ntf->multi)
		return -ENOMEM;
	curl_multi_setopt(g_ntf->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(g_ntf->multi, CURLMOPT_TIMERFUNCTION, timer_func);
	osmo_timer_setup(&g_ntf->curl_timer, curl_timer_cb, NULL);

	rc = scp_spool_open(&g_ntf->spool, g_ntf, &scfg);
	if (rc < 0) {
		LOGP(DCALL, LOGL_ERROR, "notifier: cannot open the spool %s: %s\n", g_ntf->cfg.spool_path,
		     strerror(-rc));
		return rc;
	}
	g_ntf->run = scp_spool_run_base(g_ntf->spool);
	/* replay: each record goes to the URL it was routed to */
	for (r = scp_spool_first(g_ntf->spool); r; r = scp_spool_next(g_ntf->spool, r)) {
		const char *nl = memchr(r->data, '\n', r->len);

		d = nl ? dest_get((const char *)r->data, nl - (const char *)r->data) : NULL;
		if (!d) {
			/* not ours or damaged beyond what the CRC can see: nothing to send */
			scp_spool_ack(g_ntf->spool, r);
			continue;
		}
		r->user = d;
		if (!d->next)
			d->next = r;
	}
	rc = scp_call_events_subscribe(g_ntf, call_event_cb, NULL);
	if (rc < 0)
		return rc;
	g_ntf->started = true;
	update_stats();
	llist_for_each_entry(d, &g_ntf->dests, list)
		kick(d);
	LOGP(DCALL, LOGL_NOTICE, "notifier: instance %s, spool %s (%u events to replay)\n", g_ntf->cfg.instance_id,
	     g_ntf->cfg.spool_path, scp_spool_depth(g_ntf->spool));
	return 0;
}

void scp_notifier_stop(void)
{
	struct dest *d;
	unsigned int i;

	if (!g_ntf)
		return;
	llist_for_each_entry(d, &g_ntf->dests, list) {
		osmo_timer_del(&d->timer);
		for (i = 0; i < ARRAY_SIZE(d->post); i++) {
			if (d->post[i].busy)
				curl_multi_remove_handle(g_ntf->multi, d->post[i].easy);
			post_reset(&d->post[i]);
		}
	}
	if (g_ntf->multi) {
		osmo_timer_del(&g_ntf->curl_timer);
		curl_multi_cleanup(g_ntf->multi);
		curl_global_cleanup();
	}
	/* what is not acknowledged stays in the spool for the next start */
	scp_spool_close(g_ntf->spool);
	g_ntf->spool = NULL;
	if (g_ntf->ctrg)
		rate_ctr_group_free(g_ntf->ctrg);
	if (g_ntf->statg)
		osmo_stat_item_group_free(g_ntf->statg);
	talloc_free(g_ntf);
	g_ntf = NULL;
}

void scp_notifier_vty_show(struct vty *vty)
{
	const struct scp_spool_stats *st;
	struct dest *d;

	if (!g_ntf->started) {
		vty_out(vty, "notifier not running (no default-url and no route)%s", VTY_NEWLINE);
		return;
	}
	st = scp_spool_stats(g_ntf->spool);
	vty_out(vty, "notifier instance %s, run %" PRIu64 "%s", g_ntf->cfg.instance_id, g_ntf->run, VTY_NEWLINE);
	vty_out(vty, " spool %s: depth %u, bytes %" PRIu64 ", file %" PRIu64 ", head %" PRIu64 ", dropped %" PRIu64
		", replayed %" PRIu64 "%s", g_ntf->cfg.spool_path, scp_spool_depth(g_ntf->spool),
		scp_spool_bytes(g_ntf->spool), scp_spool_file_size(g_ntf->spool), scp_spool_head(g_ntf->spool),
		st->dropped, st->replayed, VTY_NEWLINE);
	llist_for_each_entry(d, &g_ntf->dests, list) {
		unsigned int pending = 0, in_flight = 0, i;
		struct scp_spool_rec *r;

		for (r = scp_spool_first(g_ntf->spool); r; r = scp_spool_next(g_ntf->spool, r))
			pending += r->user == d && !r->acked;
		for (i = 0; i < ARRAY_SIZE(d->post); i++)
			in_flight += d->post[i].busy ? d->post[i].n_batch : 0;
		vty_out(vty, " %s: %s, pending %u, in flight %u in %u POSTs, sent %" PRIu64 ", failed posts %" PRIu64
			"%s", d->url, d->backoff_ms ? "retrying" : "ok", pending, in_flight, posts_busy(d), d->sent,
			d->failures, VTY_NEWLINE);
	}
}
