/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-client: a device's client of tandem-server: listens to GET /v1/events and prints the events.
 *
 * `listen` holds one Server-Sent Events stream (blocking libcurl: a client has nothing else to do), prints
 * every event as one JSON line (or as a readable card on a terminal), and when the stream breaks reconnects
 * after a jittered, doubling delay and resumes with Last-Event-ID from the last id it saw, so that it gets
 * every event exactly once. With --state the id survives a restart of the client too.
 *
 * Exit status: 0 stopped by SIGINT/SIGTERM, 1 the server refused for good (401, 403, 404, 400), 2 bad usage. */

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#define EXIT_REFUSED	1
#define EXIT_USAGE	2

#define DEFAULT_SERVER	"http://127.0.0.1:8080"
#define MAX_LINE	(1024 * 1024)	/*!< longest SSE line accepted (a server bug beyond: reconnect) */
#define MAX_ERRBODY	4096

static volatile sig_atomic_t stop;

struct client {
	const char *server;
	const char *token;
	const char *cacert;
	const char *state_file;
	bool card;
	bool quiet;
	long idle_timeout;	/*!< s without a byte (heartbeats included) before reconnecting */
	long max_backoff_ms;
	/* position */
	char last_id[32];	/*!< last event id seen ("" none yet) */
	/* the stream being parsed */
	char *line;
	size_t line_len;
	bool after_cr;
	bool line_too_long;
	char *data;		/*!< data lines of the event being read, joined by \n */
	size_t data_len;
	char event[128];
	char id[32];
	bool id_set;
	long retry_ms;		/*!< the server's `retry:` suggestion */
	/* the current response */
	long status;
	bool is_sse;
	bool got_block;		/*!< a complete block arrived on this connection */
	char errbody[MAX_ERRBODY];
	size_t errbody_len;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tandem-client [OPTIONS] listen\n"
		"\n"
		"Options (before the command):\n"
		"  --server URL        tandem-server base URL (env TANDEM_SERVER; default " DEFAULT_SERVER ")\n"
		"  --token TOKEN       the device token (env TANDEM_TOKEN; the environment keeps it out of ps)\n"
		"  --cacert FILE       CA certificate(s) to check an https server with (env TANDEM_CACERT)\n"
		"  --state FILE        resume from the event id kept in FILE, and keep the last id there\n"
		"  --format json|card  one JSON object per line (default when stdout is not a terminal) or\n"
		"                      readable cards (default on a terminal)\n"
		"  --idle-timeout S    reconnect when nothing, not even a heartbeat, came for S seconds (default 60)\n"
		"  --max-backoff S     longest wait between reconnection attempts (default 30)\n"
		"  -q, --quiet         no connection notes on stderr\n"
		"  -h, --help          this text\n"
		"  -V, --version       print the version\n"
		"\n"
		"Commands:\n"
		"  listen   print the device's events as they come, one per line:\n"
		"           {\"id\":N,\"event\":TYPE,\"data\":{...}}\n"
		"           Reconnects by itself (jittered backoff from the server's retry hint, doubling up to\n"
		"           --max-backoff) and resumes after the last id seen, so no event is lost or repeated.\n"
		"           A `resync` event means events were missed beyond the server's retention.\n"
		"\n"
		"Exit status: 0 stopped by SIGINT/SIGTERM, 1 the server refused for good (401, 403, 404, 400),\n"
		"2 bad usage.\n");
}

static void note(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct client *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	fputs("tandem-client: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static bool id_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 18 && strspn(s, "0123456789") == n;
}

/* --- the position, kept across restarts with --state ---------------------------------------------------- */

static int state_load(struct client *c)
{
	FILE *f = fopen(c->state_file, "r");
	char buf[64];
	size_t n;

	if (!f) {
		if (errno == ENOENT)
			return 0;	/* first run */
		fprintf(stderr, "tandem-client: cannot read %s: %s\n", c->state_file, strerror(errno));
		return -errno;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (!n)
		return 0;
	if (!id_valid(buf)) {
		fprintf(stderr, "tandem-client: %s does not hold an event id\n", c->state_file);
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
		note(c, "cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", c->last_id);
	if (fflush(f) != 0 || fdatasync(fileno(f)) != 0) {
		note(c, "cannot write %s: %s", tmp, strerror(errno));
		fclose(f);
		return;
	}
	fclose(f);
	if (rename(tmp, c->state_file) != 0)
		note(c, "cannot rename %s: %s", tmp, strerror(errno));
}

/* --- printing ------------------------------------------------------------------------------------------ */

static void print_card_value(const char *key, json_t *v, int indent)
{
	const char *k;
	json_t *e;
	size_t i;

	printf("%*s%s:", indent, "", key);
	if (json_is_object(v)) {
		putchar('\n');
		json_object_foreach(v, k, e)
			print_card_value(k, e, indent + 2);
		return;
	}
	if (json_is_string(v)) {
		printf(" %s\n", json_string_value(v));
	} else if (json_is_array(v)) {
		putchar('\n');
		json_array_foreach(v, i, e) {
			char idx[24];

			snprintf(idx, sizeof(idx), "[%zu]", i);
			print_card_value(idx, e, indent + 2);
		}
	} else {
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

		printf(" %s\n", s ? s : "?");
		free(s);
	}
}

static void print_event(struct client *c, const char *type, json_t *data)
{
	if (c->card) {
		char when[16];
		time_t now = time(NULL);
		struct tm tm;

		strftime(when, sizeof(when), "%H:%M:%S", localtime_r(&now, &tm));
		printf("=== %s  (id %s, %s) ===\n", type, c->last_id[0] ? c->last_id : "-", when);
		if (json_is_object(data)) {
			const char *k;
			json_t *v;

			json_object_foreach(data, k, v)
				print_card_value(k, v, 2);
		} else {
			print_card_value("data", data, 2);
		}
		putchar('\n');
	} else {
		json_t *o = json_object();
		char *s;

		if (id_valid(c->last_id))
			json_object_set_new(o, "id", json_integer(strtoll(c->last_id, NULL, 10)));
		else if (c->last_id[0])
			json_object_set_new(o, "id", json_string(c->last_id));
		json_object_set_new(o, "event", json_string(type));
		json_object_set(o, "data", data);
		s = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (s)
			puts(s);
		free(s);
	}
	fflush(stdout);
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
	print_event(c, c->event[0] ? c->event : "message", data);
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
	return stop ? 1 : 0;
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
	if (stop)
		return c->status;
	if (c->status == 200 && c->is_sse)
		note(c, "stream ended: %s", rc == CURLE_OK ? "closed by the server" : errbuf[0] ? errbuf :
		     curl_easy_strerror(rc));
	else if (c->status)
		note(c, "HTTP %ld: %s", c->status, c->errbody_len ? c->errbody : "(no body)");
	else
		note(c, "cannot connect: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	return c->status;
}

/* Sleep ms, or less when a signal asks to stop. */
static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (!stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int cmd_listen(struct client *c)
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
	while (!stop) {
		long status, base, cap, wait;

		note(c, "connecting to %s%s%s", c->server, c->last_id[0] ? ", resuming after id " : "", c->last_id);
		status = listen_once(c, curl, errbuf);
		if (stop)
			break;
		if (status == 400 || status == 401 || status == 403 || status == 404) {
			/* will not get better by retrying */
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
		note(c, "reconnecting in %ld ms", wait);
		nap(wait);
		attempt++;
	}
	curl_easy_cleanup(curl);
	free(c->line);
	free(c->data);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "server", 1, NULL, 's' },
		{ "token", 1, NULL, 't' },
		{ "cacert", 1, NULL, 'C' },
		{ "state", 1, NULL, 'S' },
		{ "format", 1, NULL, 'F' },
		{ "idle-timeout", 1, NULL, 'I' },
		{ "max-backoff", 1, NULL, 'B' },
		{ "quiet", 0, NULL, 'q' },
		{ "help", 0, NULL, 'h' },
		{ "version", 0, NULL, 'V' },
		{}
	};
	struct client c = {
		.server = getenv("TANDEM_SERVER"),
		.token = getenv("TANDEM_TOKEN"),
		.cacert = getenv("TANDEM_CACERT"),
		.card = isatty(STDOUT_FILENO),
		.idle_timeout = 60,
		.max_backoff_ms = 30000,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	char *end;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+qhV", lo, NULL)) != -1) {
		switch (opt) {
		case 's':
			c.server = optarg;
			break;
		case 't':
			c.token = optarg;
			break;
		case 'C':
			c.cacert = optarg;
			break;
		case 'S':
			c.state_file = optarg;
			break;
		case 'F':
			if (!strcmp(optarg, "json")) {
				c.card = false;
			} else if (!strcmp(optarg, "card")) {
				c.card = true;
			} else {
				fprintf(stderr, "tandem-client: --format is json or card\n");
				return EXIT_USAGE;
			}
			break;
		case 'I':
			c.idle_timeout = strtol(optarg, &end, 10);
			if (*end || c.idle_timeout < 1 || c.idle_timeout > 86400) {
				fprintf(stderr, "tandem-client: --idle-timeout is 1 to 86400 seconds\n");
				return EXIT_USAGE;
			}
			break;
		case 'B':
			c.max_backoff_ms = strtol(optarg, &end, 10);
			if (*end || c.max_backoff_ms < 1 || c.max_backoff_ms > 3600) {
				fprintf(stderr, "tandem-client: --max-backoff is 1 to 3600 seconds\n");
				return EXIT_USAGE;
			}
			c.max_backoff_ms *= 1000;
			break;
		case 'q':
			c.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tandem-client %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "listen") || optind + 1 != argc) {
		fprintf(stderr, "tandem-client: unknown command '%s' (listen)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!c.server)
		c.server = DEFAULT_SERVER;
	if (!c.token || !c.token[0]) {
		fprintf(stderr, "tandem-client: no device token (--token or TANDEM_TOKEN)\n");
		return EXIT_USAGE;
	}
	if (strlen(c.server) > 2000 || strlen(c.token) > 200) {
		fprintf(stderr, "tandem-client: --server or --token too long\n");
		return EXIT_USAGE;
	}
	if (c.state_file && state_load(&c) < 0)
		return EXIT_USAGE;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "tandem-client: cannot initialise libcurl\n");
		return EXIT_USAGE;
	}
	rc = cmd_listen(&c);
	curl_global_cleanup();
	return rc;
}
