/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-client listen: one Server-Sent Events stream, resumed after breaks from the last event id. */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "client.h"

/* --- the position, kept across restarts with --state ---------------------------------------------------- */

/*! \brief Read the position from --state FILE (a missing file is a first run).
 * \returns 0, or a negative errno (said on stderr) */
int client_state_load(struct client *c)
{
	FILE *f = fopen(c->state_file, "r");
	char buf[sizeof(c->last_id)];
	size_t n;
	int e;

	if (!f) {
		e = errno;
		if (e == ENOENT)
			return 0;	/* first run */
		client_fail(0, "cannot read %s: %s", c->state_file, strerror(e));
		return -e;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	e = ferror(f) ? errno : 0;
	fclose(f);
	if (e) {	/* a directory opens, and fails to read */
		client_fail(0, "cannot read %s: %s", c->state_file, strerror(e));
		return -e;
	}
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (!n)
		return 0;
	if (!client_id_valid(buf)) {
		client_fail(0, "%s does not hold an event id", c->state_file);
		return -EINVAL;
	}
	snprintf(c->last_id, sizeof(c->last_id), "%s", buf);
	return 0;
}

/* Write the position to FILE.tmp, flush it to disk, rename over FILE: a crash leaves the old or the new id. */
static void state_save(struct client *c)
{
	char tmp[4096];
	FILE *f;

	if (!c->state_file)
		return;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", c->state_file) >= (int)sizeof(tmp))
		return;
	f = fopen(tmp, "w");
	if (!f) {
		client_note(c, "cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", c->last_id);
	if (fflush(f) != 0 || fdatasync(fileno(f)) != 0) {
		client_note(c, "cannot write %s: %s", tmp, strerror(errno));
		fclose(f);
		return;
	}
	fclose(f);
	if (rename(tmp, c->state_file) != 0)
		client_note(c, "cannot rename %s: %s", tmp, strerror(errno));
}

/* --- Server-Sent Events (WHATWG HTML "server-sent events" parsing) ------------------------------------- */

static void block_reset(struct client *c)
{
	c->data_len = 0;
	if (c->data)
		c->data[0] = '\0';
	c->event[0] = '\0';
	c->id_set = false;
}

/* A blank line: the block is complete. */
static void dispatch(struct client *c)
{
	json_t *data;

	c->got_block = true;
	if (c->id_set && strcmp(c->last_id, c->id)) {
		snprintf(c->last_id, sizeof(c->last_id), "%s", c->id);
		/* an id without data (the stream's start) moves the position too */
		state_save(c);
	}
	if (!c->data_len) {
		block_reset(c);
		return;
	}
	data = json_loadb(c->data, c->data_len, JSON_DECODE_ANY, NULL);
	if (!data)
		data = json_stringn(c->data, c->data_len);
	client_print_event(c, c->event[0] ? c->event : "message", data);
	json_decref(data);
	block_reset(c);
}

static int data_append(struct client *c, const char *v, size_t n)
{
	size_t need = c->data_len + n + 2;
	char *d;

	if (need > 16 * MAX_LINE)
		return -EMSGSIZE;
	d = realloc(c->data, need);
	if (!d)
		return -ENOMEM;
	c->data = d;
	if (c->data_len)
		c->data[c->data_len++] = '\n';
	memcpy(c->data + c->data_len, v, n);
	c->data_len += n;
	c->data[c->data_len] = '\0';
	return 0;
}

static int field(struct client *c, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	size_t nlen = colon ? (size_t)(colon - line) : len;
	const char *v = colon ? colon + 1 : line + len;
	size_t vlen = len - (v - line);

	if (!len) {
		dispatch(c);
		return 0;
	}
	if (!nlen)
		return 0;	/* a comment (heartbeat) */
	if (vlen && v[0] == ' ') {
		v++;
		vlen--;
	}
	if (nlen == 4 && !memcmp(line, "data", 4))
		return data_append(c, v, vlen);
	if (nlen == 5 && !memcmp(line, "event", 5)) {
		snprintf(c->event, sizeof(c->event), "%.*s", (int)vlen, v);
		return 0;
	}
	if (nlen == 2 && !memcmp(line, "id", 2)) {
		/* an id with NUL is ignored (spec); ours are decimal and fit */
		if (!memchr(v, '\0', vlen) && vlen < sizeof(c->id)) {
			memcpy(c->id, v, vlen);
			c->id[vlen] = '\0';
			c->id_set = true;
		}
		return 0;
	}
	if (nlen == 5 && !memcmp(line, "retry", 5)) {
		if (vlen && vlen < 9 && strspn(v, "0123456789") >= vlen)
			c->retry_ms = strtol(v, NULL, 10);
		return 0;
	}
	return 0;	/* unknown fields are ignored */
}

/* Feed body bytes; lines end in CRLF, LF or CR (a CR at the end of one chunk may be followed by the LF in
 * the next). */
static int sse_feed(struct client *c, const char *p, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		char ch = p[i];

		if (c->after_cr) {
			c->after_cr = false;
			if (ch == '\n')
				continue;
		}
		if (ch == '\r' || ch == '\n') {
			if (c->line_too_long)
				return -EMSGSIZE;
			rc = field(c, c->line ? c->line : "", c->line_len);
			if (rc < 0)
				return rc;
			c->line_len = 0;
			c->after_cr = ch == '\r';
			continue;
		}
		if (c->line_len + 1 >= MAX_LINE) {
			c->line_too_long = true;
			continue;
		}
		if (!c->line) {
			c->line = malloc(MAX_LINE);
			if (!c->line)
				return -ENOMEM;
		}
		c->line[c->line_len++] = ch;
	}
	return 0;
}

/* --- the connection ------------------------------------------------------------------------------------ */

static size_t write_cb(char *p, size_t size, size_t nmemb, void *priv)
{
	struct client *c = priv;
	size_t n = size * nmemb;

	if (!c->is_sse) {
		size_t take = n < sizeof(c->errbody) - 1 - c->errbody_len ? n : sizeof(c->errbody) - 1 - c->errbody_len;

		memcpy(c->errbody + c->errbody_len, p, take);
		c->errbody_len += take;
		c->errbody[c->errbody_len] = '\0';
		return n;
	}
	if (sse_feed(c, p, n) < 0)
		return 0;	/* makes libcurl fail the transfer: reconnect */
	return n;
}

static size_t header_cb(char *p, size_t size, size_t nmemb, void *priv)
{
	struct client *c = priv;
	size_t n = size * nmemb;
	static const char ct[] = "content-type:";

	if (n > 5 && !strncmp(p, "HTTP/", 5)) {
		/* a new response (also after a redirect): start over */
		const char *sp = memchr(p, ' ', n);

		c->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		c->is_sse = false;
		c->errbody_len = 0;
		c->errbody[0] = '\0';
	} else if (n > sizeof(ct) - 1 && !strncasecmp(p, ct, sizeof(ct) - 1)) {
		const char *v = p + sizeof(ct) - 1;

		while (v < p + n && *v == ' ')
			v++;
		c->is_sse = c->status == 200 && (size_t)(p + n - v) >= 17 && !strncasecmp(v, "text/event-stream", 17);
	}
	return n;
}

/* libcurl calls this about once a second and on traffic: a nonzero answer aborts the transfer */
static int xfer_cb(void *priv, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	return client_stop ? 1 : 0;
}

/* A refusal that will not get better by retrying (a wrong or revoked token, a malformed id). */
static bool refused_for_good(long status)
{
	return status == 400 || status == 401 || status == 403 || status == 404;
}

/* One connection, until it ends. \returns the HTTP status (0 when none came) */
static long listen_once(struct client *c, CURL *curl, char *errbuf)
{
	struct curl_slist *h = NULL;
	char *auth, *url, lei[64];
	CURLcode rc;

	if (asprintf(&url, "%s/v1/events", c->server) < 0)
		return 0;
	if (asprintf(&auth, "Authorization: Bearer %s", c->token) < 0) {
		free(url);
		return 0;
	}
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Accept: text/event-stream");
	if (c->last_id[0]) {
		snprintf(lei, sizeof(lei), "Last-Event-ID: %s", c->last_id);
		h = curl_slist_append(h, lei);
	}
	c->status = 0;
	c->is_sse = false;
	c->got_block = false;
	c->line_len = 0;
	c->after_cr = false;
	c->line_too_long = false;
	block_reset(c);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "tandem-client/" PACKAGE_VERSION);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	/* a stream that went silent (no heartbeat either) is dead: reconnect */
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, c->idle_timeout);
	curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
	if (c->cacert)
		curl_easy_setopt(curl, CURLOPT_CAINFO, c->cacert);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, xfer_cb);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, c);
	errbuf[0] = '\0';
	rc = curl_easy_perform(curl);
	curl_slist_free_all(h);
	memset(auth, 0, strlen(auth));
	free(auth);
	free(url);
	if (client_stop)
		return c->status;
	if (c->status == 200 && c->is_sse)
		client_note(c, "stream ended: %s", rc == CURLE_OK ? "closed by the server" : errbuf[0] ? errbuf :
		     curl_easy_strerror(rc));
	else if (c->status && (!c->quiet || refused_for_good(c->status)))
		client_show_http_error(&(struct answer){ .status = c->status, .body = c->errbody, .len = c->errbody_len });
	else if (!c->status)
		client_note(c, "cannot connect: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	return c->status;
}

/*! \brief The listen command: hold the device's event stream until SIGINT/SIGTERM or a refusal for good.
 * \returns the exit status */
int client_listen(struct client *c)
{
	char errbuf[CURL_ERROR_SIZE];
	CURL *curl = curl_easy_init();
	unsigned int attempt = 0;
	int ret = 0;

	if (!curl) {
		fprintf(stderr, "tandem-client: cannot initialise libcurl\n");
		return EXIT_USAGE;
	}
	srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());
	while (!client_stop) {
		long status, base, cap, wait;

		client_note(c, "connecting to %s%s%s", c->server, c->last_id[0] ? ", resuming after id " : "", c->last_id);
		status = listen_once(c, curl, errbuf);
		if (client_stop)
			break;
		if (refused_for_good(status)) {
			ret = EXIT_REFUSED;
			break;
		}
		/* a connection that carried events starts the backoff again */
		if (c->got_block)
			attempt = 0;
		base = c->retry_ms > 0 ? c->retry_ms : 1000;
		cap = base << (attempt < 16 ? attempt : 16);
		if (cap > c->max_backoff_ms)
			cap = c->max_backoff_ms;
		/* between half and all of the cap, so that clients cut off together do not return together */
		wait = cap / 2 + random() % (cap / 2 + 1);
		client_note(c, "reconnecting in %ld ms", wait);
		client_nap(wait);
		attempt++;
	}
	curl_easy_cleanup(curl);
	free(c->line);
	free(c->data);
	return ret;
}

