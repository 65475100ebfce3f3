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
 * This file reads the command line; the commands are client_listen.c, client_send.c and client_phone.c, with
 * client_http.c (requests, media) and client_print.c (JSON lines, cards) under them.
 *
 * Exit status: 0 done (listen: stopped by SIGINT/SIGTERM), 1 the server refused (listen: for good) or could
 * not be reached, 2 bad usage (no request was made). */

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
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

#include "client.h"

volatile sig_atomic_t client_stop;

enum command {
	CMD_LISTEN,
	CMD_SEND,
	CMD_PHONE,
};

/* Long options; OBIT() of their values are the bits of main()'s `given` (which ones a command accepts). */
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

/*! \brief A connection note on stderr, unless --quiet. */
void client_note(struct client *c, const char *fmt, ...)
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

/*! \brief An error: printed also with --quiet. \returns code, so that callers can `return client_fail(...)` */
int client_fail(int code, const char *fmt, ...)
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
	client_stop = 1;
}

/*! \brief Whether s is an event or object id: 1 to 18 decimal digits. */
bool client_id_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 18 && strspn(s, "0123456789") == n;
}

/* A positive decimal id (session, conference). */
static int parse_id(const char *s, long long *out)
{
	if (!client_id_valid(s))
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

/*! \brief Whether s is valid UTF-8 (as jansson takes it into a JSON string). */
bool client_utf8_valid(const char *s)
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
	if (errno || end == s || v < 1 || v > 1024LL * 1024 * 1024)
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

/*! \brief Sleep ms, or less when a signal asks to stop. */
void client_nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (!client_stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
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
			return client_fail(EXIT_USAGE, "--format is json or card");
		break;
	case O_IDLE:
		c->idle_timeout = strtol(arg, &end, 10);
		if (end == arg || *end || c->idle_timeout < 1 || c->idle_timeout > 86400)
			return client_fail(EXIT_USAGE, "--idle-timeout is 1 to 86400 seconds");
		break;
	case O_BACKOFF:
		c->max_backoff_ms = strtol(arg, &end, 10);
		if (end == arg || *end || c->max_backoff_ms < 1 || c->max_backoff_ms > 3600)
			return client_fail(EXIT_USAGE, "--max-backoff is 1 to 3600 seconds");
		c->max_backoff_ms *= 1000;
		break;
	case O_FETCH_MEDIA: {
		struct stat st;

		if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode) || access(arg, W_OK) != 0)
			return client_fail(EXIT_USAGE, "--fetch-media: %s is not a writable directory", arg);
		c->media_dir = arg;
		break;
	}
	case O_MAX_FILE:
		if (parse_size(arg, &c->max_file) < 0)
			return client_fail(EXIT_USAGE, "--max-file is 1 byte to 1024M (K and M suffixes)");
		break;
	case O_SESSION:
		if (parse_id(arg, &c->session) < 0)
			return client_fail(EXIT_USAGE, "--session is a session id (a positive number)");
		break;
	case O_TEXT:
		c->text = arg;
		break;
	case O_URL:
		c->url = arg;
		break;
	case O_LOCATION:
		if (client_parse_location(c, arg) < 0)
			return client_fail(EXIT_USAGE, "--location is LAT,LON[,ACC]: -90..90, -180..180, metres >= 0");
		break;
	case O_FILE:
		c->file = arg;
		break;
	case O_CTYPE:
		if (!client_content_type_valid(arg))
			return client_fail(EXIT_USAGE, "--content-type is a media type such as application/pdf");
		c->content_type = arg;
		break;
	case O_TDN:
		if (!e164_valid(arg))
			return client_fail(EXIT_USAGE, "--tdn is an E.164 number: + and 2 to 15 digits");
		c->tdn = arg;
		break;
	case O_PEER:
		if (strcmp(arg, "withheld") && !e164_valid(arg))
			return client_fail(EXIT_USAGE, "--peer is an E.164 number (+ and 2 to 15 digits) or withheld");
		c->peer = arg;
		break;
	case O_INCOMING:
		c->incoming = true;
		break;
	case O_REF:
		if (!client_ref_valid(arg))
			return client_fail(EXIT_USAGE, "--ref is 1 to 64 of A-Z a-z 0-9 . _ -");
		c->ref = arg;
		break;
	case O_CONFERENCE:
		if (parse_id(arg, &c->conference) < 0)
			return client_fail(EXIT_USAGE, "--conference is a session id (a positive number)");
		break;
	case O_REASON:
		if (!arg[0] || !client_utf8_valid(arg) || utf8_chars(arg) > 64)
			return client_fail(EXIT_USAGE, "--reason is 1 to 64 characters of UTF-8");
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
	unsigned long given = 0;	/* OBIT() of every long option on the command line */
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
			return client_fail(EXIT_USAGE, "unknown option or missing argument: '%.40s' (--help)",
				    argv[optind - 1]);
		}
		if (opt >= O_SERVER && opt < O_END) {
			given |= OBIT(opt);
			rc = take_option(&c, opt, optarg);
			if (rc)
				return rc;
		}
	}
	if (optind >= argc)
		return client_fail(EXIT_USAGE, "no command (listen, send, phone; --help)");
	for (cmd = CMD_LISTEN; cmd <= CMD_PHONE; cmd++)
		if (!strcmp(argv[optind], names[cmd]))
			break;
	if (cmd > CMD_PHONE)
		return client_fail(EXIT_USAGE, "unknown command '%.40s' (listen, send, phone; --help)", argv[optind]);
	for (i = 0; long_opts[i].name; i++)
		if (long_opts[i].val >= O_SERVER && (given & OBIT(long_opts[i].val) & ~allowed[cmd]))
			return client_fail(EXIT_USAGE, "--%s does not go with %s", long_opts[i].name, names[cmd]);
	if (cmd != CMD_PHONE && optind + 1 != argc)
		return client_fail(EXIT_USAGE, "%s takes no arguments ('%.40s')", names[cmd], argv[optind + 1]);
	if (!c.server)
		c.server = DEFAULT_SERVER;
	if (!c.token || !c.token[0])
		return client_fail(EXIT_USAGE, "no device token (--token or TANDEM_TOKEN)");
	if (strlen(c.server) > 2000 || strlen(c.token) > 200)
		return client_fail(EXIT_USAGE, "--server or --token too long");
	for (i = 0; c.token[i]; i++)
		if (c.token[i] <= ' ' || c.token[i] > '~')	/* it goes into a header line */
			return client_fail(EXIT_USAGE, "the token has a character that is not printable ASCII");
	if (c.state_file && client_state_load(&c) < 0)
		return EXIT_USAGE;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return client_fail(EXIT_REFUSED, "cannot initialise libcurl");
	c.req = curl_easy_init();
	if (!c.req) {
		curl_global_cleanup();
		return client_fail(EXIT_REFUSED, "cannot initialise libcurl");
	}
	switch (cmd) {
	case CMD_LISTEN:
		rc = client_listen(&c);
		break;
	case CMD_SEND:
		rc = client_send(&c);
		break;
	default:
		rc = client_phone(&c, argc - optind - 1, argv + optind + 1);
		break;
	}
	curl_easy_cleanup(c.req);
	curl_global_cleanup();
	return rc;
}
