/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandemctl: command line for network engineers over the tandem-server REST API (libcurl + jansson).
 *
 * Exit status: 0 done, 1 the server refused (its error message on stderr), 2 bad usage or configuration,
 * 3 the server could not be reached. Lists are tables by default and JSON with --json. */

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>


#define EXIT_REFUSED	1
#define EXIT_USAGE	2
#define EXIT_UNREACHABLE 3

#define DEFAULT_SERVER	"http://127.0.0.1:8080"
#define PAGE		1000

struct ctl {
	char *server;
	char *key;
	char *cacert;
	bool json;
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
	/* progress bar */
	bool progress;
	double t_start;
	double t_last;
};

struct buf {
	char *data;
	size_t len;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tandemctl [OPTIONS] COMMAND ...\n"
		"\n"
		"Options (before the command):\n"
		"  --server URL      tandem-server base URL (env TANDEM_SERVER; default " DEFAULT_SERVER ")\n"
		"  --key KEY         API key (env TANDEM_API_KEY)\n"
		"  --cacert FILE     CA certificate(s) to check an https server with (env TANDEM_CACERT)\n"
		"  --json            print the server's JSON instead of tables\n"
		"  -h, --help        this text\n"
		"  -V, --version     print the version\n"
		"Settings not given are read from ~/.config/tandem/ctl.conf (server = URL, key = KEY,\n"
		"cacert = FILE; $XDG_CONFIG_HOME is honoured).\n"
		"\n"
		"Commands:\n"
		"  subscriber add TDN [--label TEXT]\n"
		"  subscriber list [--tdn-prefix DIGITS] [--limit N]\n"
		"  subscriber show ID|TDN\n"
		"  subscriber update ID|TDN [--tdn NEW-TDN] [--label TEXT]\n"
		"  subscriber delete ID|TDN\n"
		"  device add (--tdn TDN | --subscriber ID) --kind pc|browser|phone|tv [--ip ADDR[/LEN]]\n"
		"             [--app-id TEXT] [--label TEXT] [--cap NAME]...\n"
		"  device list [--tdn TDN] [--subscriber ID] [--ip ADDR] [--kind KIND] [--limit N]\n"
		"  device show ID\n"
		"  device update ID [--kind KIND] [--ip ADDR[/LEN]] [--app-id TEXT] [--label TEXT] [--cap NAME]...\n"
		"  device delete ID\n"
		"  coupling add --tdn TDN (--device ID | --ip ADDR[/LEN]) [--source provisioned|self]\n"
		"  coupling list [--tdn TDN] [--tdn-prefix DIGITS] [--device ID] [--ip ADDR] [--limit N]\n"
		"  coupling delete ID\n"
		"  import couplings|subscribers FILE.csv [--dry-run] [--skip-bad-rows]   (FILE - is stdin)\n"
		"  export couplings|subscribers [--tdn-prefix DIGITS] [-o FILE]\n"
		"  audit [--object OBJ] [--actor ACTOR] [--action ACTION] [--limit N]\n"
		"  key create --role engineer|admin|scp [--label TEXT]   (admin key needed)\n"
		"  key list [--limit N]                                  (admin key needed)\n"
		"  key revoke ID                                         (admin key needed)\n"
		"\n"
		"Exit status: 0 done, 1 refused by the server, 2 bad usage, 3 server not reachable.\n");
}

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tandemctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (tandemctl --help)\n");
	exit(EXIT_USAGE);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- configuration ----------------------------------------------------------------------------------- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Settings from the file fill only what the command line and environment left unset. */
static void read_config(struct ctl *c)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char path[4096], line[4096];
	unsigned int n = 0;
	FILE *f;

	if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/tandem/ctl.conf", xdg);
	else if (home && *home)
		snprintf(path, sizeof(path), "%s/.config/tandem/ctl.conf", home);
	else
		return;
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *k = trim(line), *v = strchr(k, '=');

		n++;
		if (!*k || *k == '#')
			continue;
		if (!v) {
			fprintf(stderr, "tandemctl: %s:%u: expected NAME = VALUE\n", path, n);
			exit(EXIT_USAGE);
		}
		*v++ = '\0';
		k = trim(k);
		v = trim(v);
		if (!strcmp(k, "server")) {
			if (!c->server)
				c->server = strdup(v);
		} else if (!strcmp(k, "key")) {
			if (!c->key)
				c->key = strdup(v);
		} else if (!strcmp(k, "cacert")) {
			if (!c->cacert)
				c->cacert = strdup(v);
		} else {
			fprintf(stderr, "tandemctl: %s:%u: unknown setting '%s'\n", path, n, k);
			exit(EXIT_USAGE);
		}
	}
	fclose(f);
}

/* --- HTTP ------------------------------------------------------------------------------------------- */

static size_t write_buf(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buf *b = userdata;
	size_t n = size * nmemb;
	char *d = realloc(b->data, b->len + n + 1);

	if (!d)
		return 0;
	b->data = d;
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static void fmt_bytes(char *out, size_t len, double v)
{
	if (v >= 1e9)
		snprintf(out, len, "%.1f GB", v / 1e9);
	else if (v >= 1e6)
		snprintf(out, len, "%.1f MB", v / 1e6);
	else if (v >= 1e3)
		snprintf(out, len, "%.1f kB", v / 1e3);
	else
		snprintf(out, len, "%.0f B", v);
}

/* A progress bar on stderr for uploads, redrawn at most ten times a second. */
static int xferinfo(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct ctl *c = clientp;
	double t = now(), rate;
	char done[32], speed[32];
	int i, width = 30, fill;

	if (!c->progress || t - c->t_last < 0.1)
		return 0;
	c->t_last = t;
	rate = t > c->t_start ? ulnow / (t - c->t_start) : 0;
	fmt_bytes(done, sizeof(done), ulnow);
	fmt_bytes(speed, sizeof(speed), rate);
	if (ultotal > 0) {
		fill = (int)(width * (double)ulnow / ultotal);
		if (fill > width)
			fill = width;
		fputs("\r[", stderr);
		for (i = 0; i < width; i++)
			fputc(i < fill ? '#' : ' ', stderr);
		fprintf(stderr, "] %3d%% %s %s/s ", (int)(100.0 * ulnow / ultotal), done, speed);
	} else {
		fprintf(stderr, "\r%s sent, %s/s ", done, speed);
	}
	if (ultotal > 0 && ulnow >= ultotal)
		fputs("(the server is checking and writing)", stderr);
	fflush(stderr);
	return 0;
}

/* URL-encode one path segment or query value. */
static char *enc(struct ctl *c, const char *s)
{
	char *e = curl_easy_escape(c->curl, s, 0);
	char *r;

	if (!e) {
		fprintf(stderr, "tandemctl: out of memory\n");
		exit(EXIT_USAGE);
	}
	r = strdup(e);
	curl_free(e);
	return r;
}

/* Print the server's error; import errors come with their rows. */
static void print_error(long status, const struct buf *b)
{
	json_error_t jerr;
	json_t *root = b->data ? json_loadb(b->data, b->len, 0, &jerr) : NULL;
	json_t *e = json_object_get(root, "error"), *rows, *r;
	const char *field = json_string_value(json_object_get(e, "field"));
	size_t i;

	if (!json_is_object(e)) {
		fprintf(stderr, "tandemctl: HTTP %ld from the server\n", status);
		json_decref(root);
		return;
	}
	fprintf(stderr, "tandemctl: %s (HTTP %ld %s%s%s)\n", json_string_value(json_object_get(e, "message")),
		status, json_string_value(json_object_get(e, "code")), field ? ", field " : "", field ? field : "");
	rows = json_object_get(root, "errors");
	json_array_foreach(rows, i, r) {
		const char *f = json_string_value(json_object_get(r, "field"));

		fprintf(stderr, "  line %" JSON_INTEGER_FORMAT ": %s%s%s (%s)\n",
			json_integer_value(json_object_get(r, "line")), f ? f : "", f ? ": " : "",
			json_string_value(json_object_get(r, "message")), json_string_value(json_object_get(r, "code")));
	}
	if (json_is_true(json_object_get(root, "errors_truncated")))
		fprintf(stderr, "  ... %" JSON_INTEGER_FORMAT " bad rows in all\n",
			json_integer_value(json_object_get(root, "bad")));
	json_decref(root);
}

struct upload {
	FILE *f;
};

static size_t read_file_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct upload *u = userdata;
	size_t n = fread(ptr, 1, size * nmemb, u->f);

	if (!n && ferror(u->f))
		return CURL_READFUNC_ABORT;
	return n;
}

/* One request. body: JSON to send (or NULL); upload: a file to send as CSV; sink: where a streamed answer
 * goes (else it is collected in out). \returns 0 on 2xx (out holds the answer), else an exit status after
 * printing why. */
static int request(struct ctl *c, const char *method, const char *path, json_t *body, FILE *upload,
		   curl_off_t upload_size, FILE *sink, struct buf *out)
{
	struct curl_slist *h = NULL;
	char *url, *auth = NULL, *payload = NULL;
	struct upload up = { upload };
	struct buf b = {};
	long status = 0;
	CURLcode rc;
	int ret = 0;

	if (asprintf(&url, "%s%s", c->server, path) < 0)
		return EXIT_USAGE;
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "tandemctl/" PACKAGE_VERSION);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	if (c->cacert)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, c->cacert);
	if (c->key) {
		if (asprintf(&auth, "Authorization: Bearer %s", c->key) < 0)
			return EXIT_USAGE;
		h = curl_slist_append(h, auth);
	}
	h = curl_slist_append(h, "Accept: application/json");
	if (body) {
		payload = json_dumps(body, JSON_COMPACT);
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, payload);
	} else if (upload) {
		h = curl_slist_append(h, "Content-Type: text/csv");
		curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(c->curl, CURLOPT_READFUNCTION, read_file_cb);
		curl_easy_setopt(c->curl, CURLOPT_READDATA, &up);
		if (upload_size >= 0)
			curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, upload_size);
		else
			h = curl_slist_append(h, "Transfer-Encoding: chunked");
		if (c->progress) {
			c->t_start = c->t_last = now();
			curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
			curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, xferinfo);
			curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
		}
	}
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, write_buf);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &b);
	c->errbuf[0] = '\0';
	rc = curl_easy_perform(c->curl);
	if (upload && c->progress)
		fputs("\n", stderr);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		fprintf(stderr, "tandemctl: %s: %s\n", url, c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
		ret = EXIT_UNREACHABLE;
	} else if (status < 200 || status > 299) {
		print_error(status, &b);
		ret = EXIT_REFUSED;
	} else if (sink) {
		if (b.len && fwrite(b.data, 1, b.len, sink) != b.len)
			ret = EXIT_REFUSED;
	}
	if (out) {
		*out = b;
	} else {
		free(b.data);
	}
	curl_slist_free_all(h);
	free(payload);
	free(auth);
	free(url);
	return ret;
}

static int request_json(struct ctl *c, const char *method, const char *path, json_t *body, json_t **res)
{
	struct buf b = {};
	json_error_t jerr;
	int rc = request(c, method, path, body, NULL, -1, NULL, &b);

	*res = NULL;
	if (!rc) {
		*res = json_loadb(b.data ? b.data : "", b.len, 0, &jerr);
		if (!*res) {
			fprintf(stderr, "tandemctl: the server answered something that is not JSON\n");
			rc = EXIT_REFUSED;
		}
	}
	free(b.data);
	return rc;
}

/* --- output ---------------------------------------------------------------------------------------- */

struct col {
	const char *title;
	const char *key;
};

static char *cell(json_t *v)
{
	char *s = NULL;
	size_t i;
	json_t *e;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = strdup(json_string_value(v));
		/* ISO 8601 UTC time stamps to the second: "2024-05-01 12:00:00Z" */
		if (s && strlen(s) >= 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
		    s[16] == ':' && !strcmp(s + strlen(s) - 6, "+00:00")) {
			s[10] = ' ';
			s[19] = 'Z';
			s[20] = '\0';
		}
		return s;
	case JSON_INTEGER:
		if (asprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) < 0)
			return NULL;
		return s;
	case JSON_TRUE:
		return strdup("yes");
	case JSON_FALSE:
		return strdup("no");
	case JSON_ARRAY:
		s = strdup("");
		json_array_foreach(v, i, e) {
			char *x = cell(e), *n = NULL;

			if (asprintf(&n, "%s%s%s", s, i ? "," : "", x ? x : "") < 0)
				n = NULL;
			free(x);
			free(s);
			s = n;
			if (!s)
				return NULL;
		}
		return s;
	case JSON_OBJECT:
		return json_dumps(v, JSON_COMPACT);
	default:
		return strdup("-");
	}
}

/* Display width in characters (UTF-8 continuation bytes take no room). */
static size_t width(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return n;
}

static void print_table(const struct col *cols, unsigned int ncols, json_t *items)
{
	size_t w[16] = {}, i, n = json_array_size(items);
	unsigned int k;
	char ***cells = calloc(n ? n : 1, sizeof(char **));

	for (k = 0; k < ncols; k++)
		w[k] = width(cols[k].title);
	for (i = 0; i < n; i++) {
		cells[i] = calloc(ncols, sizeof(char *));
		for (k = 0; k < ncols; k++) {
			char *s = cell(json_object_get(json_array_get(items, i), cols[k].key));
			char *p;

			/* one line per row: line breaks in values are shown as spaces */
			for (p = s; p && *p; p++) {
				if (*p == '\n' || *p == '\r' || *p == '\t')
					*p = ' ';
			}
			cells[i][k] = s;
			if (s && width(s) > w[k])
				w[k] = width(s);
		}
	}
	for (k = 0; k < ncols; k++)
		printf("%s%-*s", k ? "  " : "", k + 1 < ncols ? (int)w[k] : 0, cols[k].title);
	printf("\n");
	for (i = 0; i < n; i++) {
		for (k = 0; k < ncols; k++) {
			const char *s = cells[i][k] ? cells[i][k] : "";

			printf("%s%s", k ? "  " : "", s);
			if (k + 1 < ncols)
				printf("%*s", (int)(w[k] - width(s)), "");
			free(cells[i][k]);
		}
		printf("\n");
		free(cells[i]);
	}
	free(cells);
}

static void print_object(const struct col *cols, unsigned int ncols, json_t *obj)
{
	size_t w = 0;
	unsigned int k;

	for (k = 0; k < ncols; k++) {
		if (width(cols[k].title) > w)
			w = width(cols[k].title);
	}
	for (k = 0; k < ncols; k++) {
		char *s = cell(json_object_get(obj, cols[k].key));

		printf("%-*s  %s\n", (int)w, cols[k].title, s ? s : "");
		free(s);
	}
}

static void print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2));
	printf("\n");
}

static int show(struct ctl *c, const struct col *cols, unsigned int ncols, json_t *obj)
{
	if (c->json)
		print_json(obj);
	else
		print_object(cols, ncols, obj);
	json_decref(obj);
	return 0;
}

/* GET every page of a list (up to limit items, 0: all) and print it as one table or one JSON array. */
static int list(struct ctl *c, const char *path, const char *query, long limit, const struct col *cols,
		unsigned int ncols)
{
	json_t *all = json_array(), *res, *next;
	char *url;
	char after[32] = "0";
	int rc = 0;

	for (;;) {
		long want = limit && limit - (long)json_array_size(all) < PAGE ? limit - (long)json_array_size(all)
									   : PAGE;

		if (asprintf(&url, "%s?limit=%ld&after=%s%s%s", path, want, after, *query ? "&" : "", query) < 0)
			break;
		rc = request_json(c, "GET", url, NULL, &res);
		free(url);
		if (rc)
			break;
		json_array_extend(all, json_object_get(res, "items"));
		next = json_object_get(res, "next");
		if (!json_is_integer(next) || (limit && (long)json_array_size(all) >= limit)) {
			json_decref(res);
			break;
		}
		snprintf(after, sizeof(after), "%" JSON_INTEGER_FORMAT, json_integer_value(next));
		json_decref(res);
	}
	if (!rc) {
		if (c->json)
			print_json(all);
		else
			print_table(cols, ncols, all);
	}
	json_decref(all);
	return rc;
}

/* --- commands -------------------------------------------------------------------------------------- */

static const struct col sub_cols[] = {
	{ "ID", "id" }, { "TDN", "tdn" }, { "LABEL", "label" }, { "CREATED", "created_at" },
};
static const struct col dev_cols[] = {
	{ "ID", "id" }, { "TDN", "tdn" }, { "KIND", "kind" }, { "IP", "ip" }, { "APP", "app_id" },
	{ "LABEL", "label" }, { "CAPABILITIES", "capabilities" }, { "LAST SEEN", "last_seen" },
};
static const struct col cpl_cols[] = {
	{ "ID", "id" }, { "TDN", "tdn" }, { "DEVICE", "device_id" }, { "IP", "ip" }, { "SOURCE", "source" },
	{ "VERIFIED", "verified_at" }, { "CREATED", "created_at" },
};
static const struct col audit_cols[] = {
	{ "ID", "id" }, { "AT", "at" }, { "ACTOR", "actor" }, { "ACTION", "action" }, { "OBJECT", "object" },
};
static const struct col key_cols[] = {
	{ "ID", "id" }, { "KEY ID", "key_id" }, { "ROLE", "role" }, { "LABEL", "label" }, { "CREATED", "created_at" },
	{ "LAST USED", "last_used_at" }, { "REVOKED", "revoked_at" },
};
/* what `device add` and `key create` show of the new object: with its secret, the only time it is shown */
static const struct col dev_token_cols[] = {
	{ "ID", "id" }, { "TDN", "tdn" }, { "KIND", "kind" }, { "IP", "ip" }, { "TOKEN", "token" },
};
static const struct col key_secret_cols[] = {
	{ "ID", "id" }, { "KEY ID", "key_id" }, { "ROLE", "role" }, { "LABEL", "label" }, { "KEY", "key" },
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

enum opt_id {
	O_LABEL = 256, O_TDN, O_TDN_PREFIX, O_LIMIT, O_SUBSCRIBER, O_KIND, O_IP, O_APP_ID, O_CAP, O_DEVICE,
	O_SOURCE, O_DRY_RUN, O_SKIP, O_OUTPUT, O_OBJECT, O_ACTOR, O_ACTION, O_ROLE,
	O_LAST = O_ROLE
};

static const struct option sub_opts[] = {
	{ "label", 1, NULL, O_LABEL }, { "tdn", 1, NULL, O_TDN }, { "tdn-prefix", 1, NULL, O_TDN_PREFIX },
	{ "limit", 1, NULL, O_LIMIT }, { "subscriber", 1, NULL, O_SUBSCRIBER }, { "kind", 1, NULL, O_KIND },
	{ "ip", 1, NULL, O_IP }, { "app-id", 1, NULL, O_APP_ID }, { "cap", 1, NULL, O_CAP },
	{ "device", 1, NULL, O_DEVICE }, { "source", 1, NULL, O_SOURCE }, { "dry-run", 0, NULL, O_DRY_RUN },
	{ "skip-bad-rows", 0, NULL, O_SKIP }, { "output", 1, NULL, 'o' }, { "object", 1, NULL, O_OBJECT },
	{ "actor", 1, NULL, O_ACTOR }, { "action", 1, NULL, O_ACTION }, { "role", 1, NULL, O_ROLE }, {}
};

/* Options of a command, as parsed; which ones a command takes is checked by "allowed". */
struct args {
	const char *v[O_LAST - O_LABEL + 1];
	json_t *caps;
	const char *output;
	char *pos[4];
	int npos;
};

#define ARG(a, id) ((a)->v[(id) - O_LABEL])

static void parse_args(struct args *a, int argc, char **argv, const char *cmd, const int *allowed, int max_pos)
{
	int o, i;

	memset(a, 0, sizeof(*a));
	optind = 0;	/* glibc: start afresh on this argv (argv[0] is the command) */
	opterr = 0;
	while ((o = getopt_long(argc, argv, "o:", sub_opts, NULL)) != -1) {
		bool ok = false;

		if (o == '?' || o == ':')
			die_usage("%s: unknown option or missing value: %s", cmd, argv[optind - 1]);
		for (i = 0; allowed[i]; i++)
			ok |= allowed[i] == o;
		if (!ok)
			die_usage("%s does not take %s", cmd, argv[optind - 1]);
		if (o == 'o')
			a->output = optarg;
		else if (o == O_CAP) {
			/* only `device add` takes it, and hands the array to its request */
			if (!a->caps)
				a->caps = json_array();
			json_array_append_new(a->caps, json_string(optarg));
		}
		else if (o == O_DRY_RUN || o == O_SKIP)
			ARG(a, o) = "true";
		else
			ARG(a, o) = optarg;
	}
	for (; optind < argc; optind++) {
		if (a->npos >= max_pos)
			die_usage("%s: unexpected '%s'", cmd, argv[optind]);
		a->pos[a->npos++] = argv[optind];
	}
}

static long arg_limit(const struct args *a)
{
	const char *s = ARG(a, O_LIMIT);
	char *end;
	long v;

	if (!s)
		return 0;
	v = strtol(s, &end, 10);
	if (*end || v < 1)
		die_usage("--limit must be a positive number");
	return v;
}

/* "a=b&c=d" from the options that are set (values URL-encoded). */
static char *query(struct ctl *c, const struct args *a, const int *ids, const char *const *names)
{
	char *q = strdup(""), *n;
	int i;

	for (i = 0; ids[i]; i++) {
		const char *v = ARG(a, ids[i]);
		char *e;

		if (!v)
			continue;
		e = enc(c, v);
		if (asprintf(&n, "%s%s%s=%s", q, *q ? "&" : "", names[i], e) < 0)
			exit(EXIT_USAGE);
		free(e);
		free(q);
		q = n;
	}
	return q;
}

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

/* A numeric id, or the text as it is for the server to refuse. */
static void set_id(json_t *o, const char *k, const char *v)
{
	char *end;
	long long n;

	if (!v)
		return;
	n = strtoll(v, &end, 10);
	if (*v && !*end)
		json_object_set_new(o, k, json_integer(n));
	else
		json_object_set_new(o, k, json_string(v));
}

/* A list command: the filter options that are set as the query (ids[i] as names[i]), then every page. */
static int list_filtered(struct ctl *c, const char *path, const struct args *a, const int *ids,
			 const char *const *names, const struct col *cols, unsigned int ncols)
{
	char *q = query(c, a, ids, names);
	int rc = list(c, path, q, arg_limit(a), cols, ncols);

	free(q);
	return rc;
}

/* A new object that carries a secret the server shows only this once (a device token, an API key):
 * the table has a row for it, and the note goes to stderr so that stdout stays the object. */
static int show_secret_once(struct ctl *c, const struct col *cols, unsigned int ncols, json_t *obj,
			    const char *secret)
{
	int rc = show(c, cols, ncols, obj);

	if (!c->json)
		fprintf(stderr, "tandemctl: the %s is shown only this once\n", secret);
	return rc;
}

/* The answer to a DELETE: the server's JSON, or one line that says what went. */
static int print_deleted(struct ctl *c, const char *what, json_t *res)
{
	if (c->json)
		print_json(res);
	else
		printf("deleted %s %" JSON_INTEGER_FORMAT "\n", what,
		       json_integer_value(json_object_get(res, "deleted")));
	json_decref(res);
	return 0;
}

/* A request about one object: METHOD /v1/COLLECTION/ID (the id URL-encoded), its JSON answer in *res.
 * \returns 0 or the exit status. */
static int request_item(struct ctl *c, const char *method, const char *collection, const char *id, json_t *body,
			json_t **res)
{
	char *e = enc(c, id), *path;
	int rc;

	rc = asprintf(&path, "/v1/%s/%s", collection, e);
	free(e);
	if (rc < 0)
		return EXIT_USAGE;
	rc = request_json(c, method, path, body, res);
	free(path);
	return rc;
}

static int cmd_subscriber(struct ctl *c, int argc, char **argv)
{
	static const int add_o[] = { O_LABEL, 0 }, list_o[] = { O_TDN_PREFIX, O_LIMIT, 0 }, none[] = { 0 };
	static const int upd_o[] = { O_TDN, O_LABEL, 0 };
	const char *verb = argc > 1 ? argv[1] : "";
	struct args a;
	json_t *body, *res;
	int rc;

	if (!strcmp(verb, "add")) {
		parse_args(&a, argc - 1, argv + 1, "subscriber add", add_o, 1);
		if (a.npos != 1)
			die_usage("subscriber add TDN");
		body = json_object();
		set_str(body, "tdn", a.pos[0]);
		set_str(body, "label", ARG(&a, O_LABEL));
		rc = request_json(c, "POST", "/v1/subscribers", body, &res);
		json_decref(body);
		return rc ? rc : show(c, sub_cols, NCOLS(sub_cols), res);
	}
	if (!strcmp(verb, "list")) {
		static const int ids[] = { O_TDN_PREFIX, 0 };
		static const char *const names[] = { "tdn_prefix" };

		parse_args(&a, argc - 1, argv + 1, "subscriber list", list_o, 0);
		return list_filtered(c, "/v1/subscribers", &a, ids, names, sub_cols, NCOLS(sub_cols));
	}
	if (!strcmp(verb, "show") || !strcmp(verb, "delete")) {
		bool del = !strcmp(verb, "delete");

		parse_args(&a, argc - 1, argv + 1, del ? "subscriber delete" : "subscriber show", none, 1);
		if (a.npos != 1)
			die_usage("subscriber %s ID|TDN", verb);
		rc = request_item(c, del ? "DELETE" : "GET", "subscribers", a.pos[0], NULL, &res);
		if (rc)
			return rc;
		return del ? print_deleted(c, "subscriber", res) : show(c, sub_cols, NCOLS(sub_cols), res);
	}
	if (!strcmp(verb, "update")) {
		parse_args(&a, argc - 1, argv + 1, "subscriber update", upd_o, 1);
		if (a.npos != 1 || (!ARG(&a, O_TDN) && !ARG(&a, O_LABEL)))
			die_usage("subscriber update ID|TDN [--tdn NEW-TDN] [--label TEXT] (at least one of them)");
		body = json_object();
		set_str(body, "tdn", ARG(&a, O_TDN));
		set_str(body, "label", ARG(&a, O_LABEL));
		rc = request_item(c, "PATCH", "subscribers", a.pos[0], body, &res);
		json_decref(body);
		return rc ? rc : show(c, sub_cols, NCOLS(sub_cols), res);
	}
	die_usage("subscriber add|list|show|update|delete");
}

static int cmd_device(struct ctl *c, int argc, char **argv)
{
	static const int add_o[] = { O_TDN, O_SUBSCRIBER, O_KIND, O_IP, O_APP_ID, O_LABEL, O_CAP, 0 };
	static const int list_o[] = { O_TDN, O_SUBSCRIBER, O_IP, O_KIND, O_LIMIT, 0 }, none[] = { 0 };
	static const int upd_o[] = { O_KIND, O_IP, O_APP_ID, O_LABEL, O_CAP, 0 };
	const char *verb = argc > 1 ? argv[1] : "";
	struct args a;
	json_t *body, *res;
	int rc;

	if (!strcmp(verb, "add")) {
		parse_args(&a, argc - 1, argv + 1, "device add", add_o, 0);
		body = json_object();
		set_str(body, "tdn", ARG(&a, O_TDN));
		set_id(body, "subscriber_id", ARG(&a, O_SUBSCRIBER));
		set_str(body, "kind", ARG(&a, O_KIND));
		set_str(body, "ip", ARG(&a, O_IP));
		set_str(body, "app_id", ARG(&a, O_APP_ID));
		set_str(body, "label", ARG(&a, O_LABEL));
		if (a.caps)
			json_object_set_new(body, "capabilities", a.caps);
		rc = request_json(c, "POST", "/v1/devices", body, &res);
		json_decref(body);
		if (rc)
			return rc;
		return show_secret_once(c, dev_token_cols, NCOLS(dev_token_cols), res, "token");
	}
	if (!strcmp(verb, "list")) {
		static const int ids[] = { O_TDN, O_SUBSCRIBER, O_IP, O_KIND, 0 };
		static const char *const names[] = { "tdn", "subscriber_id", "ip", "kind" };

		parse_args(&a, argc - 1, argv + 1, "device list", list_o, 0);
		return list_filtered(c, "/v1/devices", &a, ids, names, dev_cols, NCOLS(dev_cols));
	}
	if (!strcmp(verb, "show") || !strcmp(verb, "delete")) {
		bool del = !strcmp(verb, "delete");

		parse_args(&a, argc - 1, argv + 1, del ? "device delete" : "device show", none, 1);
		if (a.npos != 1)
			die_usage("device %s ID", verb);
		rc = request_item(c, del ? "DELETE" : "GET", "devices", a.pos[0], NULL, &res);
		if (rc)
			return rc;
		return del ? print_deleted(c, "device", res) : show(c, dev_cols, NCOLS(dev_cols), res);
	}
	if (!strcmp(verb, "update")) {
		parse_args(&a, argc - 1, argv + 1, "device update", upd_o, 1);
		body = json_object();
		set_str(body, "kind", ARG(&a, O_KIND));
		set_str(body, "ip", ARG(&a, O_IP));
		set_str(body, "app_id", ARG(&a, O_APP_ID));
		set_str(body, "label", ARG(&a, O_LABEL));
		if (a.caps)
			json_object_set_new(body, "capabilities", a.caps);
		if (a.npos != 1 || !json_object_size(body)) {
			json_decref(body);
			die_usage("device update ID [--kind KIND] [--ip ADDR] [--app-id TEXT] [--label TEXT] [--cap NAME]..."
				  " (at least one)");
		}
		rc = request_item(c, "PATCH", "devices", a.pos[0], body, &res);
		json_decref(body);
		return rc ? rc : show(c, dev_cols, NCOLS(dev_cols), res);
	}
	die_usage("device add|list|show|update|delete");
}

static int cmd_coupling(struct ctl *c, int argc, char **argv)
{
	static const int add_o[] = { O_TDN, O_DEVICE, O_IP, O_SOURCE, 0 };
	static const int list_o[] = { O_TDN, O_TDN_PREFIX, O_DEVICE, O_IP, O_LIMIT, 0 }, none[] = { 0 };
	const char *verb = argc > 1 ? argv[1] : "";
	struct args a;
	json_t *body, *res;
	int rc;

	if (!strcmp(verb, "add")) {
		parse_args(&a, argc - 1, argv + 1, "coupling add", add_o, 0);
		if (!ARG(&a, O_TDN) || !ARG(&a, O_DEVICE) == !ARG(&a, O_IP))
			die_usage("coupling add --tdn TDN (--device ID | --ip ADDR)");
		body = json_object();
		set_str(body, "tdn", ARG(&a, O_TDN));
		set_id(body, "device_id", ARG(&a, O_DEVICE));
		set_str(body, "ip", ARG(&a, O_IP));
		set_str(body, "source", ARG(&a, O_SOURCE));
		rc = request_json(c, "POST", "/v1/couplings", body, &res);
		json_decref(body);
		return rc ? rc : show(c, cpl_cols, NCOLS(cpl_cols), res);
	}
	if (!strcmp(verb, "list")) {
		static const int ids[] = { O_TDN, O_TDN_PREFIX, O_DEVICE, O_IP, 0 };
		static const char *const names[] = { "tdn", "tdn_prefix", "device_id", "ip" };

		parse_args(&a, argc - 1, argv + 1, "coupling list", list_o, 0);
		return list_filtered(c, "/v1/couplings", &a, ids, names, cpl_cols, NCOLS(cpl_cols));
	}
	if (!strcmp(verb, "delete")) {
		parse_args(&a, argc - 1, argv + 1, "coupling delete", none, 1);
		if (a.npos != 1)
			die_usage("coupling delete ID");
		rc = request_item(c, "DELETE", "couplings", a.pos[0], NULL, &res);
		return rc ? rc : print_deleted(c, "coupling", res);
	}
	die_usage("coupling add|list|delete");
}

static const char *kind_arg(const char *s, const char *cmd)
{
	if (s && (!strcmp(s, "couplings") || !strcmp(s, "subscribers")))
		return s;
	die_usage("%s couplings|subscribers", cmd);
}

static int cmd_import(struct ctl *c, int argc, char **argv)
{
	static const int opts[] = { O_DRY_RUN, O_SKIP, 0 };
	struct args a;
	struct buf b = {};
	struct stat st;
	curl_off_t size = -1;
	json_t *res;
	char *path;
	FILE *f;
	int rc;

	parse_args(&a, argc, argv, "import", opts, 2);
	if (a.npos != 2)
		die_usage("import couplings|subscribers FILE.csv [--dry-run] [--skip-bad-rows]");
	kind_arg(a.pos[0], "import");
	if (!strcmp(a.pos[1], "-")) {
		f = stdin;
	} else {
		f = fopen(a.pos[1], "rb");
		if (!f) {
			fprintf(stderr, "tandemctl: %s: %s\n", a.pos[1], strerror(errno));
			return EXIT_USAGE;
		}
	}
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
		size = st.st_size;
	if (asprintf(&path, "/v1/import/%s?dry_run=%s&skip_bad_rows=%s", a.pos[0],
		     ARG(&a, O_DRY_RUN) ? "true" : "false", ARG(&a, O_SKIP) ? "true" : "false") < 0)
		return EXIT_USAGE;
	c->progress = isatty(STDERR_FILENO);
	rc = request(c, "POST", path, NULL, f, size, NULL, &b);
	c->progress = false;
	free(path);
	if (f != stdin)
		fclose(f);
	if (rc) {
		free(b.data);
		return rc;
	}
	res = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
	free(b.data);
	if (!res) {
		fprintf(stderr, "tandemctl: the server answered something that is not JSON\n");
		return EXIT_REFUSED;
	}
	if (c->json) {
		print_json(res);
	} else {
		json_t *e;
		size_t i;

		printf("%s%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT " rows %s, %" JSON_INTEGER_FORMAT
		       " bad\n", json_is_true(json_object_get(res, "dry_run")) ? "dry run: " : "",
		       json_integer_value(json_object_get(res, json_is_true(json_object_get(res, "dry_run")) ?
								"valid" : "imported")),
		       json_integer_value(json_object_get(res, "rows")),
		       json_is_true(json_object_get(res, "dry_run")) ? "would be imported" : "imported",
		       json_integer_value(json_object_get(res, "bad")));
		json_array_foreach(json_object_get(res, "errors"), i, e) {
			const char *fld = json_string_value(json_object_get(e, "field"));

			printf("  skipped line %" JSON_INTEGER_FORMAT ": %s%s%s (%s)\n",
			       json_integer_value(json_object_get(e, "line")), fld ? fld : "", fld ? ": " : "",
			       json_string_value(json_object_get(e, "message")),
			       json_string_value(json_object_get(e, "code")));
		}
	}
	json_decref(res);
	return 0;
}

struct export_sink {
	FILE *f;
	CURL *curl;
	struct buf err;
};

/* libcurl has the status when the body comes: CSV goes to the file, an error answer is kept to print. */
static size_t write_export_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct export_sink *ex = userdata;
	long status = 0;

	curl_easy_getinfo(ex->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299)
		return write_buf(ptr, size, nmemb, &ex->err);
	return fwrite(ptr, size, nmemb, ex->f);
}

static int cmd_export(struct ctl *c, int argc, char **argv)
{
	static const int opts[] = { O_TDN_PREFIX, 'o', 0 };
	static const int ids[] = { O_TDN_PREFIX, 0 };
	static const char *const names[] = { "tdn_prefix" };
	struct curl_slist *h = NULL;
	struct export_sink ex = {};
	struct args a;
	char *url, *auth = NULL, *q;
	long status = 0;
	CURLcode cc;
	FILE *f = stdout;
	int rc = 0;

	parse_args(&a, argc, argv, "export", opts, 1);
	if (a.npos != 1)
		die_usage("export couplings|subscribers [--tdn-prefix DIGITS] [-o FILE]");
	kind_arg(a.pos[0], "export");
	if (a.output) {
		f = fopen(a.output, "wb");
		if (!f) {
			fprintf(stderr, "tandemctl: %s: %s\n", a.output, strerror(errno));
			return EXIT_USAGE;
		}
	}
	q = query(c, &a, ids, names);
	if (asprintf(&url, "%s/v1/export/%s%s%s", c->server, a.pos[0], *q ? "?" : "", q) < 0)
		return EXIT_USAGE;
	free(q);
	/* the CSV goes straight to the file as it arrives; only an error answer is collected */
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "tandemctl/" PACKAGE_VERSION);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	if (c->cacert)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, c->cacert);
	if (c->key) {
		if (asprintf(&auth, "Authorization: Bearer %s", c->key) < 0)
			return EXIT_USAGE;
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	ex.f = f;
	ex.curl = c->curl;
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, write_export_cb);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &ex);
	c->errbuf[0] = '\0';
	cc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK) {
		/* a transfer cut short after a 200 means the server failed in the middle of the export */
		fprintf(stderr, "tandemctl: %s: %s%s\n", url, c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc),
			status == 200 ? " (the export is incomplete)" : "");
		rc = status == 200 ? EXIT_REFUSED : EXIT_UNREACHABLE;
	} else if (status < 200 || status > 299) {
		print_error(status, &ex.err);
		rc = EXIT_REFUSED;
	}
	free(ex.err.data);
	if (f != stdout && fclose(f) != 0)
		rc = EXIT_REFUSED;
	curl_slist_free_all(h);
	free(auth);
	free(url);
	return rc;
}

static int cmd_audit(struct ctl *c, int argc, char **argv)
{
	static const int opts[] = { O_OBJECT, O_ACTOR, O_ACTION, O_LIMIT, 0 };
	static const int ids[] = { O_OBJECT, O_ACTOR, O_ACTION, 0 };
	static const char *const names[] = { "object", "actor", "action" };
	struct args a;

	parse_args(&a, argc, argv, "audit", opts, 0);
	return list_filtered(c, "/v1/audit", &a, ids, names, audit_cols, NCOLS(audit_cols));
}

/* API keys (admin role): the new key's secret is printed once, as the server shows it only once. */
static int cmd_key(struct ctl *c, int argc, char **argv)
{
	static const int create_o[] = { O_ROLE, O_LABEL, 0 }, list_o[] = { O_LIMIT, 0 }, none[] = { 0 };
	const char *verb = argc > 1 ? argv[1] : "";
	struct args a;
	json_t *body, *res;
	int rc;

	if (!strcmp(verb, "create")) {
		parse_args(&a, argc - 1, argv + 1, "key create", create_o, 0);
		if (!ARG(&a, O_ROLE))
			die_usage("key create --role engineer|admin|scp [--label TEXT]");
		body = json_object();
		set_str(body, "role", ARG(&a, O_ROLE));
		set_str(body, "label", ARG(&a, O_LABEL));
		rc = request_json(c, "POST", "/v1/api-keys", body, &res);
		json_decref(body);
		if (rc)
			return rc;
		return show_secret_once(c, key_secret_cols, NCOLS(key_secret_cols), res, "key");
	}
	if (!strcmp(verb, "list")) {
		parse_args(&a, argc - 1, argv + 1, "key list", list_o, 0);
		return list(c, "/v1/api-keys", "", arg_limit(&a), key_cols, NCOLS(key_cols));
	}
	if (!strcmp(verb, "revoke")) {
		parse_args(&a, argc - 1, argv + 1, "key revoke", none, 1);
		if (a.npos != 1)
			die_usage("key revoke ID");
		rc = request_item(c, "DELETE", "api-keys", a.pos[0], NULL, &res);
		if (rc)
			return rc;
		if (c->json) {
			print_json(res);
		} else {
			printf("revoked key %" JSON_INTEGER_FORMAT " (%s, %s)\n",
			       json_integer_value(json_object_get(res, "id")),
			       json_string_value(json_object_get(res, "key_id")) ?: "?",
			       json_string_value(json_object_get(res, "role")) ?: "?");
		}
		json_decref(res);
		return 0;
	}
	die_usage("key create|list|revoke");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "server", 1, NULL, 's' }, { "key", 1, NULL, 'k' }, { "cacert", 1, NULL, 'C' },
		{ "json", 0, NULL, 'j' }, { "help", 0, NULL, 'h' }, { "version", 0, NULL, 'V' }, {}
	};
	struct ctl c = {};
	const char *cmd;
	int o, rc;
	size_t len;

	while ((o = getopt_long(argc, argv, "+hV", lo, NULL)) != -1) {
		switch (o) {
		case 's':
			c.server = strdup(optarg);
			break;
		case 'k':
			c.key = strdup(optarg);
			break;
		case 'C':
			c.cacert = strdup(optarg);
			break;
		case 'j':
			c.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tandemctl %s\n", PACKAGE_VERSION);
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
	if (!c.server && getenv("TANDEM_SERVER") && *getenv("TANDEM_SERVER"))
		c.server = strdup(getenv("TANDEM_SERVER"));
	if (!c.key && getenv("TANDEM_API_KEY") && *getenv("TANDEM_API_KEY"))
		c.key = strdup(getenv("TANDEM_API_KEY"));
	if (!c.cacert && getenv("TANDEM_CACERT") && *getenv("TANDEM_CACERT"))
		c.cacert = strdup(getenv("TANDEM_CACERT"));
	read_config(&c);
	if (!c.server)
		c.server = strdup(DEFAULT_SERVER);
	len = strlen(c.server);
	while (len && c.server[len - 1] == '/')
		c.server[--len] = '\0';
	if (strncmp(c.server, "http://", 7) && strncmp(c.server, "https://", 8))
		die_usage("the server URL must start with http:// or https://");
	/* libcurl would only say "error setting certificate file" on the first request */
	if (c.cacert && access(c.cacert, R_OK) < 0) {
		fprintf(stderr, "tandemctl: CA certificate %s: %s\n", c.cacert, strerror(errno));
		free(c.server);
		free(c.key);
		free(c.cacert);
		return EXIT_USAGE;
	}

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return EXIT_USAGE;
	c.curl = curl_easy_init();
	if (!c.curl)
		return EXIT_USAGE;
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "subscriber"))
		rc = cmd_subscriber(&c, argc, argv);
	else if (!strcmp(cmd, "device"))
		rc = cmd_device(&c, argc, argv);
	else if (!strcmp(cmd, "coupling"))
		rc = cmd_coupling(&c, argc, argv);
	else if (!strcmp(cmd, "import"))
		rc = cmd_import(&c, argc, argv);
	else if (!strcmp(cmd, "export"))
		rc = cmd_export(&c, argc, argv);
	else if (!strcmp(cmd, "audit"))
		rc = cmd_audit(&c, argc, argv);
	else if (!strcmp(cmd, "key"))
		rc = cmd_key(&c, argc, argv);
	else
		die_usage("unknown command '%s'", cmd);
	curl_easy_cleanup(c.curl);
	curl_global_cleanup();
	free(c.server);
	free(c.key);
	free(c.cacert);
	return rc;
}
