/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-client: a device's client of tandem-server: listens to its events, relays data, reports phone calls.
 *
 * `listen` holds one Server-Sent Events stream (blocking libcurl: a client has nothing else to do), prints
 * every event as one JSON line or as readable cards and lines, and when the stream breaks reconnects after a
 * jittered, doubling delay and resumes with Last-Event-ID from the last id it saw, so that it gets every event
 * exactly once. With --state the id survives a restart of the client too.
 * `send` posts one message (text, URL, location or file) to a session's other members; `phone` reports a call
 * the way a phone app does (POST /v1/calls), one state or a timed script of states.
 *
 * Exit status: 0 done (listen: stopped by SIGINT/SIGTERM), 1 the server refused (listen: for good) or could
 * not be reached, 2 bad usage (no request was made). */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#define EXIT_REFUSED	1
#define EXIT_USAGE	2

#define DEFAULT_SERVER	"http://127.0.0.1:8080"
#define MAX_LINE	(1024 * 1024)	/*!< longest SSE line accepted (a server bug beyond: reconnect) */
#define MAX_ERRBODY	4096
#define MAX_ANSWER	(1024 * 1024)	/*!< largest JSON answer to send or phone */
#define DEFAULT_MAX_FILE (1024 * 1024)	/*!< --max-file: largest file sent or media fetched */
#define CONNECT_TIMEOUT_S 10
#define REQUEST_TIMEOUT_S 60		/*!< a whole send, phone report or media download */
#define SCRIPT_MAX_LINES 1000
#define SCRIPT_MAX_DELAY_S 86400.0

static volatile sig_atomic_t stop;

enum command {
	CMD_LISTEN,
	CMD_SEND,
	CMD_PHONE,
};

/* Long options; the values double as bits of struct client's `given` (which ones a command accepts). */
enum opt {
	O_SERVER = 256, O_TOKEN, O_CACERT, O_QUIET,
	O_STATE, O_FORMAT, O_IDLE, O_BACKOFF, O_FETCH_MEDIA, O_MAX_FILE,
	O_SESSION, O_TEXT, O_URL, O_LOCATION, O_FILE, O_CTYPE,
	O_TDN, O_PEER, O_INCOMING, O_REF, O_CONFERENCE, O_REASON,
	O_END
};
#define OBIT(o)		(1UL << ((o) - O_SERVER))
#define OPTS_COMMON	(OBIT(O_SERVER) | OBIT(O_TOKEN) | OBIT(O_CACERT) | OBIT(O_QUIET))
#define OPTS_LISTEN	(OPTS_COMMON | OBIT(O_STATE) | OBIT(O_FORMAT) | OBIT(O_IDLE) | OBIT(O_BACKOFF) | \
			 OBIT(O_FETCH_MEDIA) | OBIT(O_MAX_FILE))
#define OPTS_SEND	(OPTS_COMMON | OBIT(O_SESSION) | OBIT(O_TEXT) | OBIT(O_URL) | OBIT(O_LOCATION) | \
			 OBIT(O_FILE) | OBIT(O_CTYPE) | OBIT(O_MAX_FILE))
#define OPTS_PHONE	(OPTS_COMMON | OBIT(O_TDN) | OBIT(O_PEER) | OBIT(O_INCOMING) | OBIT(O_REF) | \
			 OBIT(O_CONFERENCE) | OBIT(O_REASON))

static const struct option long_opts[] = {
	{ "server", 1, NULL, O_SERVER },
	{ "token", 1, NULL, O_TOKEN },
	{ "cacert", 1, NULL, O_CACERT },
	{ "quiet", 0, NULL, O_QUIET },
	{ "state", 1, NULL, O_STATE },
	{ "format", 1, NULL, O_FORMAT },
	{ "idle-timeout", 1, NULL, O_IDLE },
	{ "max-backoff", 1, NULL, O_BACKOFF },
	{ "fetch-media", 1, NULL, O_FETCH_MEDIA },
	{ "max-file", 1, NULL, O_MAX_FILE },
	{ "session", 1, NULL, O_SESSION },
	{ "text", 1, NULL, O_TEXT },
	{ "url", 1, NULL, O_URL },
	{ "location", 1, NULL, O_LOCATION },
	{ "file", 1, NULL, O_FILE },
	{ "content-type", 1, NULL, O_CTYPE },
	{ "tdn", 1, NULL, O_TDN },
	{ "peer", 1, NULL, O_PEER },
	{ "incoming", 0, NULL, O_INCOMING },
	{ "ref", 1, NULL, O_REF },
	{ "conference", 1, NULL, O_CONFERENCE },
	{ "reason", 1, NULL, O_REASON },
	{ "help", 0, NULL, 'h' },
	{ "version", 0, NULL, 'V' },
	{}
};

struct client {
	const char *server;
	const char *token;
	const char *cacert;
	bool quiet;
	unsigned long given;	/*!< OBIT() of every long option on the command line */
	CURL *req;		/*!< the handle of single requests (send, phone, media) */
	/* listen */
	const char *state_file;
	bool card;
	long idle_timeout;	/*!< s without a byte (heartbeats included) before reconnecting */
	long max_backoff_ms;
	const char *media_dir;	/*!< --fetch-media */
	long max_file;		/*!< bytes: files sent, media fetched */
	/* send */
	long long session;
	const char *text;
	const char *url;
	double lat, lon, accuracy;	/*!< accuracy < 0: none given */
	const char *file;
	const char *content_type;
	/* phone */
	const char *tdn;
	const char *peer;
	bool incoming;
	const char *ref;
	char ref_buf[32];
	long long conference;
	const char *reason;
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
		"       tandem-client [OPTIONS] send --session ID (--text T | --url U | --location LAT,LON[,ACC] |\n"
		"                                    --file PATH [--content-type T])\n"
		"       tandem-client [OPTIONS] phone --tdn +E164 --peer +E164|withheld [--incoming] [--ref ID]\n"
		"                                     [--conference S] (call started|answered|ended | script FILE|-)\n"
		"\n"
		"Options (before or after the command):\n"
		"  --server URL        tandem-server base URL (env TANDEM_SERVER; default " DEFAULT_SERVER ")\n"
		"  --token TOKEN       the device token (env TANDEM_TOKEN; the environment keeps it out of ps)\n"
		"  --cacert FILE       CA certificate(s) to check an https server with (env TANDEM_CACERT)\n"
		"  -q, --quiet         no connection notes on stderr\n"
		"  -h, --help          this text\n"
		"  -V, --version       print the version\n"
		"\n"
		"listen: print the device's events as they come\n"
		"  --format json|card  one JSON object per line, {\"id\":N,\"event\":TYPE,\"data\":{...}} (default when\n"
		"                      stdout is not a terminal), or readable cards and lines (default on a terminal)\n"
		"  --state FILE        resume from the event id kept in FILE, and keep the last id there\n"
		"  --idle-timeout S    reconnect when nothing, not even a heartbeat, came for S seconds (default 60)\n"
		"  --max-backoff S     longest wait between reconnection attempts (default 30)\n"
		"  --fetch-media DIR   save the photos and files events point to (GET /v1/media/ID) in DIR\n"
		"  --max-file BYTES    largest media saved (default 1M; K and M suffixes)\n"
		"  Reconnects by itself (jittered backoff from the server's retry hint, doubling up to --max-backoff)\n"
		"  and resumes after the last id seen, so no event is lost or repeated. A `resync` event means events\n"
		"  were missed beyond the server's retention.\n"
		"\n"
		"send: relay one message to the other members of a session; prints the server's answer as a JSON line\n"
		"  --session ID        the session (from the call's events)\n"
		"  --text T | --url U | --location LAT,LON[,ACC] | --file PATH   exactly one\n"
		"  --content-type T    the file's type (default guessed from its extension)\n"
		"  --max-file BYTES    refuse larger files (default 1M; K and M suffixes)\n"
		"\n"
		"phone: report a call as a phone app (POST /v1/calls); prints the answer and the ref as a JSON line\n"
		"  --tdn +E164         the phone's own number\n"
		"  --peer +E164|withheld  the other party (withheld: with --incoming only)\n"
		"  --incoming          the call came in (direction term; default: an outgoing call, orig)\n"
		"  --ref ID            the app's id of the call (default: a fresh one, printed as \"ref\")\n"
		"  --conference S      add the peer to session S instead of making a new one\n"
		"  --reason R          why the call ended (with `ended`; up to 64 characters)\n"
		"  call STATE          report one state: started, answered or ended\n"
		"  script FILE|-       play lines \"STATE [DELAY_S]\": wait DELAY_S seconds, then report STATE\n"
		"\n"
		"Exit status: 0 done (listen: stopped by SIGINT/SIGTERM), 1 the server refused (listen: for good, on\n"
		"400, 401, 403, 404) or could not be reached, 2 bad usage (nothing was sent).\n");
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

/* An error: printed also with --quiet. \returns code, so that callers can `return fail(...)` */
static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("tandem-client: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return code;
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

/* A positive decimal id (session, conference). */
static int parse_id(const char *s, long long *out)
{
	if (!id_valid(s))
		return -EINVAL;
	*out = strtoll(s, NULL, 10);
	return *out > 0 ? 0 : -EINVAL;
}

/* + and 2 to 15 digits, the first not 0 (what the server takes as E.164). */
static bool e164_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 3 && n <= 16 && s[0] == '+' && s[1] != '0' && strspn(s + 1, "0123456789") == n - 1;
}

static bool utf8_valid(const char *s)
{
	json_t *j = json_string(s);

	json_decref(j);
	return j != NULL;
}

/* Characters of valid UTF-8: the bytes that do not continue a sequence. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* BYTES with an optional K or M suffix (powers of 1024), 1 to 1 GiB. */
static int parse_size(const char *s, long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 1)
		return -EINVAL;
	if (*end == 'K' || *end == 'k') {
		v *= 1024;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		v *= 1024 * 1024;
		end++;
	}
	if (*end || v > 1024LL * 1024 * 1024)
		return -EINVAL;
	*out = (long)v;
	return 0;
}

/* Print text that came from the network so that it cannot steer the terminal: control characters (C0, DEL,
 * C1) and the bidirectional overrides and isolates (which make text read differently than it is) become '?';
 * a line break continues on a new line after cont. The text is valid UTF-8 (jansson checks every string). */
static void put_clean(FILE *f, const char *s, size_t n, const char *cont)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = p[i];

		if (ch == '\n') {
			fputc('\n', f);
			fputs(cont, f);
		} else if (ch == '\t') {
			fputc(' ', f);
		} else if (ch < 0x20 || ch == 0x7f) {
			fputc('?', f);
		} else if (ch == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
			fputc('?', f);	/* U+0080..U+009F */
			i++;
		} else if (ch == 0xe2 && i + 2 < n && ((p[i + 1] == 0x80 && p[i + 2] >= 0xaa && p[i + 2] <= 0xae) ||
							(p[i + 1] == 0x81 && p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9))) {
			fputc('?', f);	/* U+202A..U+202E, U+2066..U+2069 */
			i += 2;
		} else {
			fputc(ch, f);
		}
	}
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

/* --- single requests: send, phone, media ---------------------------------------------------------------- */

struct answer {
	long status;		/*!< 0: no HTTP answer came */
	char *body;		/*!< NUL-terminated */
	size_t len;
	size_t max;		/*!< larger bodies fail the transfer */
	bool too_large;
	char content_type[128];
};

static size_t answer_write(char *p, size_t size, size_t nmemb, void *priv)
{
	struct answer *a = priv;
	size_t n = size * nmemb;
	char *b;

	if (n > a->max - a->len) {
		a->too_large = true;
		return 0;
	}
	b = realloc(a->body, a->len + n + 1);
	if (!b)
		return 0;
	a->body = b;
	memcpy(a->body + a->len, p, n);
	a->len += n;
	a->body[a->len] = '\0';
	return n;
}

static void answer_free(struct answer *a)
{
	free(a->body);
	a->body = NULL;
	a->len = 0;
}

/* One request to the server with the device token: GET when body is NULL, else POST of a JSON body.
 * \returns 0 when an HTTP answer came (whatever its status; a bounded body in a), -EIO when none did (said on
 * stderr) */
static int http_request(struct client *c, const char *path, const char *body, struct answer *a)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *h = NULL, *h2;
	char *url = NULL, *auth = NULL;
	const char *ct = NULL;
	CURLcode rc;
	int ret = -EIO;

	a->status = 0;
	a->too_large = false;
	a->content_type[0] = '\0';
	if (asprintf(&url, "%s%s", c->server, path) < 0) {
		url = NULL;
		goto out;
	}
	if (asprintf(&auth, "Authorization: Bearer %s", c->token) < 0) {
		auth = NULL;
		goto out;
	}
	h = curl_slist_append(NULL, auth);
	if (!h)
		goto out;
	if (body) {
		/* a large body waits for "100 Continue", so that a refusal (413) is read rather than cut off */
		h2 = curl_slist_append(h, strlen(body) > 65536 ? "Expect: 100-continue" : "Expect:");
		h2 = h2 ? curl_slist_append(h2, "Content-Type: application/json") : NULL;
		if (!h2)
			goto out;
	}
	curl_easy_reset(c->req);
	curl_easy_setopt(c->req, CURLOPT_URL, url);
	curl_easy_setopt(c->req, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c->req, CURLOPT_USERAGENT, "tandem-client/" PACKAGE_VERSION);
	curl_easy_setopt(c->req, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->req, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
	curl_easy_setopt(c->req, CURLOPT_TIMEOUT, (long)REQUEST_TIMEOUT_S);
	if (c->cacert)
		curl_easy_setopt(c->req, CURLOPT_CAINFO, c->cacert);
	curl_easy_setopt(c->req, CURLOPT_HTTPHEADER, h);
	if (body) {
		curl_easy_setopt(c->req, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->req, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	}
	curl_easy_setopt(c->req, CURLOPT_WRITEFUNCTION, answer_write);
	curl_easy_setopt(c->req, CURLOPT_WRITEDATA, a);
	rc = curl_easy_perform(c->req);
	curl_easy_getinfo(c->req, CURLINFO_RESPONSE_CODE, &a->status);
	if (curl_easy_getinfo(c->req, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
		snprintf(a->content_type, sizeof(a->content_type), "%s", ct);
	if (rc == CURLE_OK) {
		ret = 0;
	} else if (a->too_large) {
		fail(0, "%s: the answer is larger than %zu bytes", path, a->max);
	} else {
		a->status = 0;
		fail(0, "%s: %s", c->server, errbuf[0] ? errbuf : curl_easy_strerror(rc));
	}
out:
	curl_slist_free_all(h);
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	free(url);
	return ret;
}

/* The server's error answer on stderr: "HTTP 403 forbidden: message (field session)". */
static void show_http_error(const struct answer *a)
{
	json_t *j = a->len ? json_loadb(a->body, a->len, 0, NULL) : NULL;
	json_t *e = json_object_get(j, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	const char *fld = json_string_value(json_object_get(e, "field"));

	fprintf(stderr, "tandem-client: HTTP %ld", a->status);
	if (code && msg) {
		fputc(' ', stderr);
		put_clean(stderr, code, strlen(code), "");
		fputs(": ", stderr);
		put_clean(stderr, msg, strlen(msg), " ");
		if (fld) {
			fputs(" (field ", stderr);
			put_clean(stderr, fld, strlen(fld), "");
			fputc(')', stderr);
		}
	} else {
		fputs(": ", stderr);
		if (a->len)
			put_clean(stderr, a->body, a->len < 300 ? a->len : 300, " ");
		else
			fputs("(no body)", stderr);
	}
	fputc('\n', stderr);
	json_decref(j);
}

/* POST a JSON body and print the 2xx answer as one JSON line, with extra's members added.
 * \returns 0, or EXIT_REFUSED (said on stderr) */
static int post_and_print(struct client *c, const char *path, json_t *body, json_t *extra)
{
	struct answer a = { .max = MAX_ANSWER };
	char *s = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_t *j;
	int ret = EXIT_REFUSED;

	if (!s)
		return fail(EXIT_REFUSED, "out of memory");
	if (http_request(c, path, s, &a) < 0)
		goto out;
	if (a.status < 200 || a.status > 299) {
		show_http_error(&a);
		goto out;
	}
	j = json_loadb(a.body ? a.body : "", a.len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		fail(0, "HTTP %ld but the answer is not a JSON object", a.status);
		goto out;
	}
	if (extra)
		json_object_update_missing(j, extra);
	free(s);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s) {
		puts(s);
		fflush(stdout);
		ret = 0;
	}
out:
	free(s);
	answer_free(&a);
	return ret;
}

/* --- media: GET /v1/media/{id} into --fetch-media DIR --------------------------------------------------- */

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "pdf", "application/pdf" },
	{ "txt", "text/plain" },
	{ "csv", "text/csv" },
	{ "html", "text/html" },
	{ "json", "application/json" },
	{ "vcf", "text/vcard" },
	{ "zip", "application/zip" },
	{ "mp3", "audio/mpeg" },
	{ "ogg", "audio/ogg" },
	{ "wav", "audio/wav" },
	{ "mp4", "video/mp4" },
};

/* The type for a file name's extension (case-insensitive); application/octet-stream when not known. */
static const char *type_of_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot && dot != name)
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcasecmp(dot + 1, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}

/* The extension for a type (parameters ignored); "bin" when not known. */
static const char *ext_of_type(const char *type)
{
	size_t n = strcspn(type, "; ");
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i].type) == n && !strncasecmp(type, types[i].type, n))
			return types[i].ext;
	return "bin";
}

/* Fetch the media at url (only "/v1/media/ID": the token goes nowhere else) into the media directory as
 * "ID-NAME" (NAME: the sender's file name, letters, digits, '.', '_', '-' kept, others '_') or "media-ID.EXT"
 * (from the answer's type). \returns 0 and the file's path in path, or a negative errno (said on stderr) */
static int media_fetch(struct client *c, const char *url, const char *name, char *path, size_t path_len)
{
	static const char pfx[] = "/v1/media/";
	struct answer a = { .max = (size_t)c->max_file };
	char fname[160], tmp[4200];
	const char *id = url + sizeof(pfx) - 1;
	size_t i, n;
	int fd, ret = -EIO;

	if (strncmp(url, pfx, sizeof(pfx) - 1) || !id_valid(id)) {
		fail(0, "not fetching %.100s: not a media URL of the server", url);
		return -EINVAL;
	}
	if (name && name[0]) {
		n = (size_t)snprintf(fname, sizeof(fname), "%s-%.100s", id, name);
		for (i = strlen(id) + 1; i < n && i < sizeof(fname); i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", fname[i]))
				fname[i] = '_';
	}
	if (http_request(c, url, NULL, &a) < 0)
		goto out;
	if (a.status != 200) {
		show_http_error(&a);
		goto out;
	}
	if (!name || !name[0])
		snprintf(fname, sizeof(fname), "media-%s.%s", id, ext_of_type(a.content_type));
	if ((size_t)snprintf(path, path_len, "%s/%s", c->media_dir, fname) >= path_len ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", c->media_dir, fname) >= sizeof(tmp)) {
		fail(0, "--fetch-media: path too long");
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		fail(0, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	for (i = 0; i < a.len;) {
		ssize_t w = write(fd, a.body + i, a.len - i);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		i += (size_t)w;
	}
	if (close(fd) != 0 || i != a.len || rename(tmp, path) != 0) {
		fail(0, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	answer_free(&a);
	return ret;
}

/* Fetch what an event points to (a card's photo and other media fields, a message's file) when --fetch-media
 * is set. \returns {URL: PATH, ...} of the saved files, or NULL */
static json_t *fetch_event_media(struct client *c, const char *type, json_t *data)
{
	json_t *saved, *f, *v;
	const char *k, *url;
	char path[4200];

	if (!c->media_dir)
		return NULL;
	saved = json_object();
	if (!strcmp(type, "card")) {
		json_object_foreach(json_object_get(data, "fields"), k, f) {
			url = json_string_value(json_object_get(f, "url"));
			if (url && !json_object_get(saved, url) && media_fetch(c, url, NULL, path, sizeof(path)) == 0)
				json_object_set_new(saved, url, json_string(path));
		}
	} else if (!strcmp(type, "message")) {
		v = json_object_get(data, "file");
		url = json_string_value(json_object_get(v, "url"));
		if (url && media_fetch(c, url, json_string_value(json_object_get(v, "name")), path,
				       sizeof(path)) == 0)
			json_object_set_new(saved, url, json_string(path));
	}
	if (!json_object_size(saved)) {
		json_decref(saved);
		return NULL;
	}
	return saved;
}

/* --- printing ------------------------------------------------------------------------------------------ */

/* A JSON scalar as text, cleaned; "?" when absent. */
static void put_value(json_t *v, const char *cont)
{
	char buf[64];

	if (json_is_string(v)) {
		put_clean(stdout, json_string_value(v), json_string_length(v), cont);
		return;
	}
	if (json_is_integer(v))
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof(buf), "%.8g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
	else
		snprintf(buf, sizeof(buf), "?");
	fputs(buf, stdout);
}

static void put_member(json_t *o, const char *key)
{
	put_value(json_object_get(o, key), "  ");
}

/* A party {"tdn", "withheld"}: its number, "withheld" when it has none to show. */
static void put_party(json_t *p)
{
	json_t *tdn = json_object_get(p, "tdn");

	if (json_is_string(tdn)) {
		put_value(tdn, "");
		if (json_is_true(json_object_get(p, "withheld")))
			fputs(" (withheld)", stdout);
	} else if (json_is_true(json_object_get(p, "withheld"))) {
		fputs("withheld", stdout);
	} else {
		fputc('?', stdout);
	}
}

/* HH:MM:SS local time of the event's "time" (ISO 8601 with Z or an offset), else of now. */
static void event_time(json_t *data, char *out, size_t len)
{
	const char *s = json_string_value(json_object_get(data, "time"));
	struct tm tm = { 0 };
	time_t t = time(NULL);
	int n = 0, oh, om;

	if (s && sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
			&tm.tm_min, &tm.tm_sec, &n) == 6 && n > 0) {
		const char *z = s + n;
		long off = 0;

		if (*z == '.')
			z += 1 + strspn(z + 1, "0123456789");
		if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour < 0 ||
		    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
			goto now;
		if ((z[0] == '+' || z[0] == '-') && sscanf(z + 1, "%2d:%2d", &oh, &om) == 2 && oh < 24 && om < 60)
			off = (z[0] == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
		else if (strcmp(z, "Z"))
			goto now;
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		t = timegm(&tm);
		if (t == (time_t)-1)
			t = time(NULL);
		else
			t -= off;
	}
now:
	strftime(out, len, "%H:%M:%S", localtime_r(&t, &tm));
}

/* Card fields: "name" first, the others by name. */
static int field_order(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	if (strcmp(x, y) && (!strcmp(x, "name") || !strcmp(y, "name")))
		return !strcmp(x, "name") ? -1 : 1;
	return strcmp(x, y);
}

/* A card: a framed block with the party, the display hint, each field on its own line (media as URL, type
 * and size), and the fields the device holds already. */
static void show_card(json_t *d, const char *when, json_t *saved)
{
	json_t *fields = json_object_get(d, "fields"), *unchanged = json_object_get(d, "unchanged"), *f, *v;
	const char **keys = NULL;
	size_t i, n = 0;
	const char *k;

	printf("+-- %s card: ", when);
	put_party(json_object_get(d, "subject"));
	fputs(" (", stdout);
	put_member(d, "role");
	fputs("), ", stdout);
	put_member(d, "display");
	fputs(", session ", stdout);
	put_member(d, "session");
	fputc('\n', stdout);
	if (json_object_size(fields))
		keys = calloc(json_object_size(fields), sizeof(*keys));
	if (keys) {
		json_object_foreach(fields, k, f)
			keys[n++] = k;
		qsort(keys, n, sizeof(*keys), field_order);
	}
	for (i = 0; i < n; i++) {
		f = json_object_get(fields, keys[i]);
		fputs("| ", stdout);
		put_clean(stdout, keys[i], strlen(keys[i]), "");
		printf("%*s", strlen(keys[i]) < 10 ? (int)(11 - strlen(keys[i])) : 1, "");
		if ((v = json_object_get(f, "url"))) {
			const char *path = json_string_value(json_object_get(saved, json_string_value(v)));

			put_value(v, "");
			fputs(" (", stdout);
			put_member(f, "content_type");
			fputs(", ", stdout);
			put_member(f, "size");
			fputs(" bytes)", stdout);
			if (path) {
				fputs(" saved as ", stdout);
				put_clean(stdout, path, strlen(path), "");
			}
		} else if ((v = json_object_get(f, "value"))) {
			put_value(v, "|            ");
		} else {
			char *s = json_dumps(f, JSON_COMPACT | JSON_ENCODE_ANY);

			fputs(s ? s : "?", stdout);
			free(s);
		}
		fputc('\n', stdout);
	}
	free(keys);
	if (!n && !json_array_size(unchanged))
		fputs("| (no fields)\n", stdout);
	if (json_array_size(unchanged)) {
		fputs("| unchanged  ", stdout);
		json_array_foreach(unchanged, i, v) {
			if (i)
				fputs(", ", stdout);
			put_value(v, "");
		}
		fputc('\n', stdout);
	}
	fputs("+--\n", stdout);
}

/* A relayed message on one line (a text's own line breaks continue indented). */
static void show_message(json_t *d, const char *when, json_t *saved)
{
	const char *kind = json_string_value(json_object_get(d, "kind"));
	json_t *v;

	printf("%s %s from ", when, kind && !strcmp(kind, "url") ? "link" : kind ? kind : "message");
	put_party(json_object_get(d, "from"));
	fputs(" (session ", stdout);
	put_member(d, "session");
	fputs("): ", stdout);
	if (!kind) {
		fputc('?', stdout);
	} else if (!strcmp(kind, "text") || !strcmp(kind, "url")) {
		put_value(json_object_get(d, kind), "    ");
	} else if (!strcmp(kind, "location")) {
		v = json_object_get(d, "location");
		put_member(v, "lat");
		fputs(", ", stdout);
		put_member(v, "lon");
		if (json_object_get(v, "accuracy")) {
			fputs(" within ", stdout);
			put_member(v, "accuracy");
			fputs(" m", stdout);
		}
	} else if (!strcmp(kind, "file")) {
		const char *path;

		v = json_object_get(d, "file");
		put_member(v, "name");
		fputs(" (", stdout);
		put_member(v, "content_type");
		fputs(", ", stdout);
		put_member(v, "size");
		fputs(" bytes) ", stdout);
		put_member(v, "url");
		path = json_string_value(json_object_get(saved, json_string_value(json_object_get(v, "url"))));
		if (path) {
			fputs(" saved as ", stdout);
			put_clean(stdout, path, strlen(path), "");
		}
	} else {
		fputc('?', stdout);
	}
	fputc('\n', stdout);
}

/* Any other event: its members, one a line, nested ones indented. */
static void show_value(const char *key, json_t *v, int indent)
{
	const char *k;
	json_t *e;
	size_t i;

	printf("%*s", indent, "");
	put_clean(stdout, key, strlen(key), "");
	fputc(':', stdout);
	if (json_is_object(v)) {
		fputc('\n', stdout);
		json_object_foreach(v, k, e)
			show_value(k, e, indent + 2);
		return;
	}
	if (json_is_array(v)) {
		fputc('\n', stdout);
		json_array_foreach(v, i, e) {
			char idx[24];

			snprintf(idx, sizeof(idx), "[%zu]", i);
			show_value(idx, e, indent + 2);
		}
		return;
	}
	fputc(' ', stdout);
	put_value(v, "    ");
	fputc('\n', stdout);
}

static void show_event(const char *type, json_t *d, json_t *saved)
{
	char when[16];

	event_time(d, when, sizeof(when));
	if (!json_is_object(d)) {
		printf("%s ", when);
		show_value(type, d, 0);
	} else if (!strcmp(type, "card")) {
		show_card(d, when, saved);
	} else if (!strcmp(type, "message")) {
		show_message(d, when, saved);
	} else if (!strcmp(type, "call.incoming") || !strcmp(type, "call.outgoing")) {
		printf("%s %s call from ", when, type[5] == 'i' ? "incoming" : "outgoing");
		put_party(json_object_get(d, "caller"));
		fputs(" to ", stdout);
		put_party(json_object_get(d, "callee"));
		fputs(" (session ", stdout);
		put_member(d, "session");
		fputs(")\n", stdout);
	} else if (!strcmp(type, "session.established")) {
		printf("%s session ", when);
		put_member(d, "session");
		fputs(" established for call ", stdout);
		put_member(d, "call");
		fputs(", you are the ", stdout);
		put_member(d, "role");
		fputc('\n', stdout);
	} else if (!strcmp(type, "call.answered")) {
		printf("%s call ", when);
		put_member(d, "call");
		fputs(" answered (session ", stdout);
		put_member(d, "session");
		fputs(")\n", stdout);
	} else if (!strcmp(type, "call.ended")) {
		printf("%s call ", when);
		put_member(d, "call");
		fputs(json_is_true(json_object_get(d, "answered")) ? " ended after the answer" : " ended unanswered",
		      stdout);
		if (json_object_get(d, "reason") && !json_is_null(json_object_get(d, "reason"))) {
			fputs(", ", stdout);
			put_member(d, "reason");
		}
		fputs(" (session ", stdout);
		put_member(d, "session");
		fputs(")\n", stdout);
	} else if (!strcmp(type, "session.closed")) {
		printf("%s session ", when);
		put_member(d, "session");
		fputs(" closed (", stdout);
		put_member(d, "reason");
		fputs(")\n", stdout);
	} else if (!strcmp(type, "notice")) {
		printf("%s notice: ", when);
		put_member(d, "text");
		fputc('\n', stdout);
	} else if (!strcmp(type, "resync")) {
		printf("%s resync (", when);
		put_member(d, "reason");
		fputs("): events after ", stdout);
		put_member(d, "last_event_id");
		fputs(" are lost, resuming from ", stdout);
		put_member(d, "resume_from");
		fputs("; refresh what is shown\n", stdout);
	} else {
		const char *k;
		json_t *v;

		printf("%s ", when);
		put_clean(stdout, type, strlen(type), "");
		fputs(":\n", stdout);
		json_object_foreach(d, k, v)
			show_value(k, v, 2);
	}
}

static void print_event(struct client *c, const char *type, json_t *data)
{
	json_t *saved = fetch_event_media(c, type, data);

	if (c->card) {
		show_event(type, data, saved);
	} else {
		json_t *o = json_object();
		char *s;

		if (id_valid(c->last_id))
			json_object_set_new(o, "id", json_integer(strtoll(c->last_id, NULL, 10)));
		else if (c->last_id[0])
			json_object_set_new(o, "id", json_string(c->last_id));
		json_object_set_new(o, "event", json_string(type));
		json_object_set(o, "data", data);
		if (saved)
			json_object_set(o, "saved", saved);
		s = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (s)
			puts(s);
		free(s);
	}
	json_decref(saved);
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
	if (stop)
		return c->status;
	if (c->status == 200 && c->is_sse)
		note(c, "stream ended: %s", rc == CURLE_OK ? "closed by the server" : errbuf[0] ? errbuf :
		     curl_easy_strerror(rc));
	else if (c->status && (!c->quiet || refused_for_good(c->status)))
		show_http_error(&(struct answer){ .status = c->status, .body = c->errbody, .len = c->errbody_len });
	else if (!c->status)
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
		note(c, "reconnecting in %ld ms", wait);
		nap(wait);
		attempt++;
	}
	curl_easy_cleanup(curl);
	free(c->line);
	free(c->data);
	return ret;
}

/* --- send: POST /v1/sessions/{id}/messages -------------------------------------------------------------- */

static char *base64(const unsigned char *p, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		*o++ = al[v >> 18];
		*o++ = al[(v >> 12) & 63];
		*o++ = al[(v >> 6) & 63];
		*o++ = al[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);

		*o++ = al[v >> 18];
		*o++ = al[(v >> 12) & 63];
		*o++ = i + 1 < n ? al[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* Read a whole file of at most max bytes: a regular file larger than that is refused from its size, before
 * reading; anything else (a pipe, a file that grows) by reading no more than max + 1 bytes.
 * \returns 0 with the bytes in *out (free()), or a negative errno (said on stderr) */
static int read_file(const char *path, long max, unsigned char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	unsigned char *buf = NULL, *b;
	size_t n = 0, cap;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) != 0) {
		int e = errno;

		fail(0, "cannot read %s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return e ? -e : -EIO;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		fail(0, "cannot read %s: %s", path, strerror(EISDIR));
		return -EISDIR;
	}
	if (S_ISREG(st.st_mode) && st.st_size > max) {
		close(fd);
		fail(0, "%s is %lld bytes, more than --max-file %ld", path, (long long)st.st_size, max);
		return -EFBIG;
	}
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
	for (;;) {
		ssize_t r;

		if (n == cap || !buf) {
			if (buf)
				cap = cap * 2 > (size_t)max + 1 ? (size_t)max + 1 : cap * 2;
			b = realloc(buf, cap);
			if (!b) {
				free(buf);
				close(fd);
				fail(0, "out of memory");
				return -ENOMEM;
			}
			buf = b;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			fail(0, "cannot read %s: %s", path, strerror(e));
			free(buf);
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)max) {
			fail(0, "%s is more than --max-file %ld bytes", path, max);
			free(buf);
			close(fd);
			return -EFBIG;
		}
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
}

/* A type/subtype (with parameters if need be): printable ASCII, 3 to 127 characters. */
static bool content_type_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 3 || n > 127 || !strchr(s, '/') || s[0] == '/')
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* --location LAT,LON[,ACC] */
static int parse_location(struct client *c, const char *s)
{
	char *end;

	c->accuracy = -1;
	c->lat = strtod(s, &end);
	if (end == s || *end != ',' || !isfinite(c->lat) || c->lat < -90 || c->lat > 90)
		return -EINVAL;
	s = end + 1;
	c->lon = strtod(s, &end);
	if (end == s || (*end && *end != ',') || !isfinite(c->lon) || c->lon < -180 || c->lon > 180)
		return -EINVAL;
	if (!*end)
		return 0;
	s = end + 1;
	c->accuracy = strtod(s, &end);
	if (end == s || *end || !isfinite(c->accuracy) || c->accuracy < 0)
		return -EINVAL;
	return 0;
}

static int cmd_send(struct client *c)
{
	int kinds = !!c->text + !!c->url + !!(c->given & OBIT(O_LOCATION)) + !!c->file;
	json_t *body = json_object(), *v = NULL;
	char path[64];
	int ret;

	if (!c->session) {
		ret = fail(EXIT_USAGE, "send: --session ID is required");
		goto out;
	}
	if (kinds != 1) {
		ret = fail(EXIT_USAGE, "send: give exactly one of --text, --url, --location, --file");
		goto out;
	}
	if (c->content_type && !c->file) {
		ret = fail(EXIT_USAGE, "send: --content-type goes with --file");
		goto out;
	}
	if (c->text) {
		if (!c->text[0] || !(v = json_string(c->text))) {
			ret = fail(EXIT_USAGE, "send: --text is empty or not UTF-8");
			goto out;
		}
		json_object_set_new(body, "text", v);
	} else if (c->url) {
		if ((strncasecmp(c->url, "http://", 7) && strncasecmp(c->url, "https://", 8)) ||
		    strlen(c->url) > 2048 || !(v = json_string(c->url))) {
			ret = fail(EXIT_USAGE, "send: --url is an http:// or https:// URL of up to 2048 characters");
			goto out;
		}
		json_object_set_new(body, "url", v);
	} else if (c->file) {
		const char *name = strrchr(c->file, '/') ? strrchr(c->file, '/') + 1 : c->file;
		unsigned char *bytes = NULL;
		size_t len = 0;
		char *b64;

		if (!name[0] || !utf8_valid(name)) {
			ret = fail(EXIT_USAGE, "send: --file needs a file name in UTF-8");
			goto out;
		}
		if (read_file(c->file, c->max_file, &bytes, &len) < 0) {
			ret = EXIT_USAGE;
			goto out;
		}
		b64 = base64(bytes, len);
		free(bytes);
		if (!b64) {
			ret = fail(EXIT_REFUSED, "out of memory");
			goto out;
		}
		v = json_pack("{s:s, s:s, s:s}", "name", name, "content_type",
			      c->content_type ? c->content_type : type_of_name(name), "data", b64);
		free(b64);
		if (!v) {
			ret = fail(EXIT_REFUSED, "out of memory");
			goto out;
		}
		json_object_set_new(body, "file", v);
	} else {
		v = json_pack("{s:f, s:f}", "lat", c->lat, "lon", c->lon);
		if (v && c->accuracy >= 0)
			json_object_set_new(v, "accuracy", json_real(c->accuracy));
		json_object_set_new(body, "location", v);
	}
	snprintf(path, sizeof(path), "/v1/sessions/%lld/messages", c->session);
	ret = post_and_print(c, path, body, NULL);
out:
	json_decref(body);
	return ret;
}

/* --- phone: POST /v1/calls ------------------------------------------------------------------------------ */

/* The app's call id: 1 to 64 of A-Z a-z 0-9 . _ - */
static bool ref_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static bool state_valid(const char *s)
{
	return !strcmp(s, "started") || !strcmp(s, "answered") || !strcmp(s, "ended");
}

static int phone_report(struct client *c, const char *state)
{
	json_t *body, *extra;
	int ret;

	body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "tdn", c->tdn, "peer", c->peer, "direction",
			 c->incoming ? "term" : "orig", "state", state, "ref", c->ref);
	if (body && c->reason && !strcmp(state, "ended"))
		json_object_set_new(body, "reason", json_string(c->reason));
	if (body && c->conference)
		json_object_set_new(body, "conference", json_integer(c->conference));
	extra = json_pack("{s:s}", "ref", c->ref);
	if (!body || !extra)
		ret = fail(EXIT_REFUSED, "out of memory");
	else
		ret = post_and_print(c, "/v1/calls", body, extra);
	json_decref(body);
	json_decref(extra);
	return ret;
}

/* A script: lines "STATE [DELAY_S]", # comments and blank lines skipped; checked whole before the first
 * report, then played: wait DELAY_S seconds (0 when absent), report STATE. */
static int phone_script(struct client *c, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct {
		char state[12];
		long delay_ms;
	} *steps = NULL;
	size_t n = 0, lineno = 0, i;
	char line[256];
	int ret = EXIT_USAGE;

	if (!f)
		return fail(EXIT_USAGE, "cannot read %s: %s", path, strerror(errno));
	steps = calloc(SCRIPT_MAX_LINES, sizeof(*steps));
	if (!steps) {
		ret = fail(EXIT_REFUSED, "out of memory");
		goto out;
	}
	while (fgets(line, sizeof(line), f)) {
		char *save, *state, *d, *end;
		double delay = 0;
		bool bad = false;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fail(0, "%s:%zu: line too long", path, lineno);
			goto out;
		}
		line[strcspn(line, "#\r\n")] = '\0';
		state = strtok_r(line, " \t", &save);
		if (!state)
			continue;
		d = strtok_r(NULL, " \t", &save);
		if (d) {
			delay = strtod(d, &end);
			bad = end == d || *end || !(delay >= 0 && delay <= SCRIPT_MAX_DELAY_S);
		}
		if (bad || !state_valid(state) || strtok_r(NULL, " \t", &save)) {
			fail(0, "%s:%zu: expected \"started|answered|ended [DELAY_S]\" (0 to 86400 s)", path, lineno);
			goto out;
		}
		if (n == SCRIPT_MAX_LINES) {
			fail(0, "%s: more than %d steps", path, SCRIPT_MAX_LINES);
			goto out;
		}
		snprintf(steps[n].state, sizeof(steps[n].state), "%s", state);
		steps[n++].delay_ms = (long)(delay * 1000 + 0.5);
	}
	if (ferror(f)) {
		fail(0, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (!n) {
		fail(0, "%s: no steps", path);
		goto out;
	}
	ret = 0;
	for (i = 0; i < n && !ret; i++) {
		nap(steps[i].delay_ms);
		if (stop) {
			ret = fail(EXIT_REFUSED, "stopped before \"%s\"", steps[i].state);
			break;
		}
		ret = phone_report(c, steps[i].state);
	}
out:
	free(steps);
	if (f != stdin)
		fclose(f);
	return ret;
}

static int cmd_phone(struct client *c, int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[0], "call") && strcmp(argv[0], "script")))
		return fail(EXIT_USAGE, "phone: call started|answered|ended, or script FILE|-");
	if (!c->tdn || !c->peer)
		return fail(EXIT_USAGE, "phone: --tdn and --peer are required");
	if (!strcmp(c->tdn, c->peer))
		return fail(EXIT_USAGE, "phone: --peer is the other party, not the phone's own number");
	if (!strcmp(c->peer, "withheld") && !c->incoming)
		return fail(EXIT_USAGE, "phone: only a caller withholds its number: --peer withheld needs --incoming");
	if (!c->ref) {
		uint64_t r;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			return fail(EXIT_REFUSED, "no random numbers: %s", strerror(errno));
		snprintf(c->ref_buf, sizeof(c->ref_buf), "tc-%016" PRIx64, r);
		c->ref = c->ref_buf;
	}
	if (!strcmp(argv[0], "script"))
		return phone_script(c, argv[1]);
	if (!state_valid(argv[1]))
		return fail(EXIT_USAGE, "phone call: the state is started, answered or ended, not '%.40s'", argv[1]);
	if (c->reason && strcmp(argv[1], "ended"))
		return fail(EXIT_USAGE, "phone call: --reason goes with ended");
	return phone_report(c, argv[1]);
}

/* One option into c. \returns 0, or EXIT_USAGE (said on stderr) */
static int take_option(struct client *c, int opt, const char *arg)
{
	char *end;

	switch (opt) {
	case O_SERVER:
		c->server = arg;
		break;
	case O_TOKEN:
		c->token = arg;
		break;
	case O_CACERT:
		c->cacert = arg;
		break;
	case O_QUIET:
		c->quiet = true;
		break;
	case O_STATE:
		c->state_file = arg;
		break;
	case O_FORMAT:
		if (!strcmp(arg, "json"))
			c->card = false;
		else if (!strcmp(arg, "card"))
			c->card = true;
		else
			return fail(EXIT_USAGE, "--format is json or card");
		break;
	case O_IDLE:
		c->idle_timeout = strtol(arg, &end, 10);
		if (end == arg || *end || c->idle_timeout < 1 || c->idle_timeout > 86400)
			return fail(EXIT_USAGE, "--idle-timeout is 1 to 86400 seconds");
		break;
	case O_BACKOFF:
		c->max_backoff_ms = strtol(arg, &end, 10);
		if (end == arg || *end || c->max_backoff_ms < 1 || c->max_backoff_ms > 3600)
			return fail(EXIT_USAGE, "--max-backoff is 1 to 3600 seconds");
		c->max_backoff_ms *= 1000;
		break;
	case O_FETCH_MEDIA: {
		struct stat st;

		if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode) || access(arg, W_OK) != 0)
			return fail(EXIT_USAGE, "--fetch-media: %s is not a writable directory", arg);
		c->media_dir = arg;
		break;
	}
	case O_MAX_FILE:
		if (parse_size(arg, &c->max_file) < 0)
			return fail(EXIT_USAGE, "--max-file is 1 byte to 1024M (K and M suffixes)");
		break;
	case O_SESSION:
		if (parse_id(arg, &c->session) < 0)
			return fail(EXIT_USAGE, "--session is a session id (a positive number)");
		break;
	case O_TEXT:
		c->text = arg;
		break;
	case O_URL:
		c->url = arg;
		break;
	case O_LOCATION:
		if (parse_location(c, arg) < 0)
			return fail(EXIT_USAGE, "--location is LAT,LON[,ACC]: -90..90, -180..180, metres >= 0");
		break;
	case O_FILE:
		c->file = arg;
		break;
	case O_CTYPE:
		if (!content_type_valid(arg))
			return fail(EXIT_USAGE, "--content-type is a media type such as application/pdf");
		c->content_type = arg;
		break;
	case O_TDN:
		if (!e164_valid(arg))
			return fail(EXIT_USAGE, "--tdn is an E.164 number: + and 2 to 15 digits");
		c->tdn = arg;
		break;
	case O_PEER:
		if (strcmp(arg, "withheld") && !e164_valid(arg))
			return fail(EXIT_USAGE, "--peer is an E.164 number (+ and 2 to 15 digits) or withheld");
		c->peer = arg;
		break;
	case O_INCOMING:
		c->incoming = true;
		break;
	case O_REF:
		if (!ref_valid(arg))
			return fail(EXIT_USAGE, "--ref is 1 to 64 of A-Z a-z 0-9 . _ -");
		c->ref = arg;
		break;
	case O_CONFERENCE:
		if (parse_id(arg, &c->conference) < 0)
			return fail(EXIT_USAGE, "--conference is a session id (a positive number)");
		break;
	case O_REASON:
		if (!arg[0] || !utf8_valid(arg) || utf8_chars(arg) > 64)
			return fail(EXIT_USAGE, "--reason is 1 to 64 characters of UTF-8");
		c->reason = arg;
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "listen", "send", "phone" };
	static const unsigned long allowed[] = { OPTS_LISTEN, OPTS_SEND, OPTS_PHONE };
	struct client c = {
		.server = getenv("TANDEM_SERVER"),
		.token = getenv("TANDEM_TOKEN"),
		.cacert = getenv("TANDEM_CACERT"),
		.card = isatty(STDOUT_FILENO),
		.idle_timeout = 60,
		.max_backoff_ms = 30000,
		.max_file = DEFAULT_MAX_FILE,
		.accuracy = -1,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	enum command cmd;
	int opt, rc, i;

	/* options anywhere (GNU getopt moves the words that are not options to the end, in order) */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "qhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			opt = O_QUIET;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tandem-client %s\n", PACKAGE_VERSION);
			return 0;
		case '?':
			return fail(EXIT_USAGE, "unknown option or missing argument: '%.40s' (--help)",
				    argv[optind - 1]);
		}
		if (opt >= O_SERVER && opt < O_END) {
			c.given |= OBIT(opt);
			rc = take_option(&c, opt, optarg);
			if (rc)
				return rc;
		}
	}
	if (optind >= argc)
		return fail(EXIT_USAGE, "no command (listen, send, phone; --help)");
	for (cmd = CMD_LISTEN; cmd <= CMD_PHONE; cmd++)
		if (!strcmp(argv[optind], names[cmd]))
			break;
	if (cmd > CMD_PHONE)
		return fail(EXIT_USAGE, "unknown command '%.40s' (listen, send, phone; --help)", argv[optind]);
	for (i = 0; long_opts[i].name; i++)
		if (long_opts[i].val >= O_SERVER && (c.given & OBIT(long_opts[i].val) & ~allowed[cmd]))
			return fail(EXIT_USAGE, "--%s does not go with %s", long_opts[i].name, names[cmd]);
	if (cmd != CMD_PHONE && optind + 1 != argc)
		return fail(EXIT_USAGE, "%s takes no arguments ('%.40s')", names[cmd], argv[optind + 1]);
	if (!c.server)
		c.server = DEFAULT_SERVER;
	if (!c.token || !c.token[0])
		return fail(EXIT_USAGE, "no device token (--token or TANDEM_TOKEN)");
	if (strlen(c.server) > 2000 || strlen(c.token) > 200)
		return fail(EXIT_USAGE, "--server or --token too long");
	if (c.state_file && state_load(&c) < 0)
		return EXIT_USAGE;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return fail(EXIT_REFUSED, "cannot initialise libcurl");
	c.req = curl_easy_init();
	if (!c.req) {
		curl_global_cleanup();
		return fail(EXIT_REFUSED, "cannot initialise libcurl");
	}
	switch (cmd) {
	case CMD_LISTEN:
		rc = cmd_listen(&c);
		break;
	case CMD_SEND:
		rc = cmd_send(&c);
		break;
	default:
		rc = cmd_phone(&c, argc - optind - 1, argv + optind + 1);
		break;
	}
	curl_easy_cleanup(c.req);
	curl_global_cleanup();
	return rc;
}
