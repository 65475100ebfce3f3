/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* sse_hold: the end-to-end benchmark's SSE side: holds one GET /v1/events stream per device token (libcurl
 * multi, one thread) and writes every event it receives, timestamped on receipt, as one line.
 *
 *   sse_hold --url BASE --tokens FILE --out FILE [--duration S] [--ready FILE] [--max-line BYTES]
 *
 * FILE of tokens: one device token a line (at most SSE_MAX_STREAMS). Each event is written to --out as
 *
 *   RECV_NS STREAM EVENT ID DATA
 *
 * RECV_NS: CLOCK_REALTIME in ns when the bytes completing the event were handed over by libcurl (the same clock
 * the SCP stamps its trigger events with, on the same host); STREAM: the token's line number from 0; EVENT: the
 * SSE event name ("message" when none); ID: the SSE id ("-" when none); DATA: the data lines joined by "\n"
 * escapes (tandem-server sends one line of JSON). When every stream has answered 200 and received its first
 * bytes, the --ready file is created with the count. Once a second a progress line goes to stderr; at the end
 * (SIGINT, SIGTERM or --duration, at most 3600 s) a summary: streams connected, failed, ended, events,
 * heartbeats. Streams are not reconnected: a stream that ends or fails is counted, so the benchmark sees it.
 *
 * libcurl's socket interface on an epoll fd: only the sockets with data are looked at, so the time an event
 * waits here does not grow with the number of streams (curl_multi_perform() walks every handle each time). */

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/epoll.h>
#include <unistd.h>

#include <curl/curl.h>

#define SSE_MAX_STREAMS		20000
#define SSE_MAX_DURATION	3600
#define SSE_ADD_PER_ROUND	50	/*!< streams started per loop round while connecting */
#define SSE_TOKEN_MAX		256

struct stream {
	unsigned int idx;
	CURL *easy;
	struct curl_slist *hdr;
	bool started;			/*!< first body bytes seen */
	bool done;
	char *line;			/*!< the partial line */
	size_t line_len;
	bool line_overflow;
	bool last_cr;			/*!< the last byte was a CR: a LF right after it ends no line */
	char *data;			/*!< data lines of the event being read */
	size_t data_len;
	char event[64];
	char id[32];
};

static struct {
	FILE *out;
	size_t max_line;
	unsigned int n_started, n_failed, n_ended;
	uint64_t n_events, n_heartbeats, n_overflow;
} g;

static volatile sig_atomic_t g_stop;

static int g_epfd = -1;
static long g_timeout_ms = -1;		/*!< libcurl's timer: -1 none, else ms from g_timer_set */
static uint64_t g_timer_set;

static uint64_t now_ns(clockid_t clk);

/* libcurl wants socket s watched for what (CURL_POLL_*) */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct epoll_event ev = { 0 };

	(void)easy;
	(void)userp;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(g_epfd, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	ev.data.fd = s;
	(void)socketp;
	/* a socket already watched changes what it waits for */
	if (epoll_ctl(g_epfd, EPOLL_CTL_ADD, s, &ev) < 0 && errno == EEXIST)
		epoll_ctl(g_epfd, EPOLL_CTL_MOD, s, &ev);
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	(void)userp;
	g_timeout_ms = timeout_ms;
	g_timer_set = now_ns(CLOCK_MONOTONIC);
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The value of an SSE field line "NAME: value" (one optional space after the colon). */
static const char *field_value(const char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	return line[n + 1] == ' ' ? line + n + 2 : line + n + 1;
}

static void dispatch(struct stream *s, uint64_t t)
{
	if (s->data_len || s->event[0]) {
		fprintf(g.out, "%" PRIu64 " %u %s %s %.*s\n", t, s->idx, s->event[0] ? s->event : "message",
			s->id[0] ? s->id : "-", (int)s->data_len, s->data ? s->data : "");
		g.n_events++;
	}
	s->data_len = 0;
	s->event[0] = '\0';
	s->id[0] = '\0';
}

/* One complete line (without its end). */
static void sse_line(struct stream *s, const char *line, uint64_t t)
{
	const char *v;

	if (line[0] == '\0') {
		dispatch(s, t);
		return;
	}
	if (line[0] == ':') {
		g.n_heartbeats++;
		return;
	}
	if ((v = field_value(line, "event"))) {
		snprintf(s->event, sizeof(s->event), "%s", v);
	} else if ((v = field_value(line, "id"))) {
		snprintf(s->id, sizeof(s->id), "%s", v);
	} else if ((v = field_value(line, "data"))) {
		size_t n = strlen(v);

		/* joined lines are marked with a literal "\n"; anything beyond max_line is cut off and counted */
		if (s->data_len + n + 2 > g.max_line) {
			g.n_overflow++;
			return;
		}
		if (s->data_len) {
			memcpy(s->data + s->data_len, "\\n", 2);
			s->data_len += 2;
		}
		memcpy(s->data + s->data_len, v, n);
		s->data_len += n;
	}
	/* retry: and unknown fields are ignored, as an EventSource does */
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct stream *s = arg;
	size_t len = size * nmemb;
	uint64_t t = now_ns(CLOCK_REALTIME);
	size_t i;

	if (!s->started) {
		s->started = true;
		g.n_started++;
	}
	for (i = 0; i < len; i++) {
		char c = p[i];

		if (c == '\n' || c == '\r') {
			/* CRLF counts as one line end (also when the two arrive in different reads) */
			bool skip = c == '\n' && s->last_cr;

			s->last_cr = c == '\r';
			if (skip)
				continue;
			if (!s->line_overflow) {
				s->line[s->line_len] = '\0';
				sse_line(s, s->line, t);
			}
			s->line_len = 0;
			s->line_overflow = false;
			continue;
		}
		if (s->line_len + 1 >= g.max_line) {
			if (!s->line_overflow)
				g.n_overflow++;
			s->line_overflow = true;
			s->last_cr = false;
			continue;
		}
		s->last_cr = false;
		s->line[s->line_len++] = c;
	}
	return len;
}

static int stream_add(CURLM *multi, struct stream *s, const char *base, const char *token)
{
	char url[1024], auth[SSE_TOKEN_MAX + 32];

	s->line = malloc(g.max_line);
	s->data = malloc(g.max_line);
	s->easy = curl_easy_init();
	if (!s->line || !s->data || !s->easy)
		return -ENOMEM;
	snprintf(url, sizeof(url), "%s/v1/events", base);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	s->hdr = curl_slist_append(NULL, auth);
	if (!s->hdr)
		return -ENOMEM;
	curl_easy_setopt(s->easy, CURLOPT_URL, url);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->hdr);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
	curl_easy_setopt(s->easy, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_TCP_NODELAY, 1L);
	if (curl_multi_add_handle(multi, s->easy) != CURLM_OK)
		return -EIO;
	return 0;
}

static int read_tokens(const char *path, char ***tokens, unsigned int *n)
{
	FILE *f = fopen(path, "r");
	char buf[SSE_TOKEN_MAX + 2];
	char **t;

	if (!f)
		return -errno;
	t = calloc(SSE_MAX_STREAMS, sizeof(*t));
	if (!t) {
		fclose(f);
		return -ENOMEM;
	}
	*n = 0;
	while (fgets(buf, sizeof(buf), f)) {
		size_t l = strcspn(buf, "\r\n");

		if (buf[l] == '\0' && !feof(f)) {
			fprintf(stderr, "sse_hold: token %u too long\n", *n + 1);
			fclose(f);
			return -EINVAL;
		}
		buf[l] = '\0';
		if (l == 0)
			continue;
		if (*n >= SSE_MAX_STREAMS) {
			fprintf(stderr, "sse_hold: more than %d tokens\n", SSE_MAX_STREAMS);
			fclose(f);
			return -E2BIG;
		}
		t[*n] = strdup(buf);
		if (!t[*n]) {
			fclose(f);
			return -ENOMEM;
		}
		(*n)++;
	}
	fclose(f);
	*tokens = t;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: sse_hold --url BASE --tokens FILE --out FILE [--duration S] [--ready FILE]"
		" [--max-line BYTES]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "tokens", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ready", required_argument, NULL, 'r' },
		{ "max-line", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *base = NULL, *tok_path = NULL, *out_path = NULL, *ready = NULL;
	long duration = 600;
	char **tokens = NULL;
	unsigned int n = 0, added = 0, i;
	struct stream *st;
	CURLM *multi;
	uint64_t t_end, t_tick;
	bool ready_done = false;
	int c, running = 0, rc;

	g.max_line = 16384;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'u': base = optarg; break;
		case 't': tok_path = optarg; break;
		case 'o': out_path = optarg; break;
		case 'r': ready = optarg; break;
		case 'd':
			duration = strtol(optarg, &end, 10);
			if (*end || duration < 1 || duration > SSE_MAX_DURATION) {
				fprintf(stderr, "sse_hold: --duration 1..%d\n", SSE_MAX_DURATION);
				return 2;
			}
			break;
		case 'm':
			g.max_line = strtoul(optarg, &end, 10);
			if (*end || g.max_line < 256 || g.max_line > 1048576) {
				fprintf(stderr, "sse_hold: --max-line 256..1048576\n");
				return 2;
			}
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!base || !tok_path || !out_path || optind != argc) {
		usage();
		return 2;
	}
	rc = read_tokens(tok_path, &tokens, &n);
	if (rc < 0) {
		fprintf(stderr, "sse_hold: %s: %s\n", tok_path, strerror(-rc));
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "sse_hold: no tokens in %s\n", tok_path);
		return 1;
	}
	g.out = fopen(out_path, "w");
	if (!g.out) {
		fprintf(stderr, "sse_hold: %s: %s\n", out_path, strerror(errno));
		return 1;
	}
	setvbuf(g.out, NULL, _IOFBF, 1 << 16);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	multi = curl_multi_init();
	st = calloc(n, sizeof(*st));
	if (!multi || !st)
		return 1;
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)n + 16);
	g_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (g_epfd < 0)
		return 1;
	curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);

	t_end = now_ns(CLOCK_MONOTONIC) + (uint64_t)duration * 1000000000u;
	t_tick = now_ns(CLOCK_MONOTONIC) + 1000000000u;
	while (!g_stop) {
		struct epoll_event evs[256];
		CURLMsg *m;
		int left, nev, wait_ms, k;
		uint64_t t;

		for (i = 0; added < n && i < SSE_ADD_PER_ROUND; i++, added++) {
			st[added].idx = added;
			if (stream_add(multi, &st[added], base, tokens[added]) < 0) {
				fprintf(stderr, "sse_hold: cannot start stream %u\n", added);
				return 1;
			}
		}
		/* libcurl's timer first (it also starts the streams just added), then wait for sockets */
		t = now_ns(CLOCK_MONOTONIC);
		if (g_timeout_ms >= 0 && t >= g_timer_set + (uint64_t)g_timeout_ms * 1000000u) {
			g_timeout_ms = -1;
			curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
		}
		wait_ms = added < n ? 10 : 100;
		if (g_timeout_ms >= 0) {
			int64_t left_ms = ((int64_t)(g_timer_set + (uint64_t)g_timeout_ms * 1000000u) -
					   (int64_t)now_ns(CLOCK_MONOTONIC) + 999999) / 1000000;

			if (left_ms < wait_ms)
				wait_ms = left_ms < 0 ? 0 : (int)left_ms;
		}
		nev = epoll_wait(g_epfd, evs, 256, wait_ms);
		for (k = 0; k < nev; k++) {
			int flags = (evs[k].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
				    (evs[k].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
				    (evs[k].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);

			curl_multi_socket_action(multi, evs[k].data.fd, flags, &running);
		}
		while ((m = curl_multi_info_read(multi, &left))) {
			struct stream *s;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			s->done = true;
			if (m->data.result == CURLE_OK) {
				g.n_ended++;
				fprintf(stderr, "sse_hold: stream %u ended by the server\n", s->idx);
			} else {
				long code = 0;

				curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
				g.n_failed++;
				if (g.n_failed <= 10)
					fprintf(stderr, "sse_hold: stream %u failed: %s (HTTP %ld)\n", s->idx,
						curl_easy_strerror(m->data.result), code);
			}
		}
		if (!ready_done && added == n && g.n_started == n) {
			FILE *f;

			ready_done = true;
			fflush(g.out);
			if (ready && (f = fopen(ready, "w"))) {
				fprintf(f, "%u\n", n);
				fclose(f);
			}
			fprintf(stderr, "sse_hold: all %u streams open\n", n);
		}
		t = now_ns(CLOCK_MONOTONIC);
		if (t >= t_end)
			break;
		if (t >= t_tick) {
			fflush(g.out);
			fprintf(stderr, "sse_hold: streams %u/%u open, %u failed, %u ended, %" PRIu64 " events\n",
				g.n_started, n, g.n_failed, g.n_ended, g.n_events);
			t_tick += 1000000000u;
		}
		if (added == n && running == 0)
			break;
	}
	fflush(g.out);
	fprintf(stderr, "sse_hold: summary: streams %u, connected %u, failed %u, ended %u, events %" PRIu64
		", heartbeats %" PRIu64 ", lines cut %" PRIu64 "\n", n, g.n_started, g.n_failed, g.n_ended,
		g.n_events, g.n_heartbeats, g.n_overflow);
	for (i = 0; i < added; i++) {
		curl_multi_remove_handle(multi, st[i].easy);
		curl_easy_cleanup(st[i].easy);
		curl_slist_free_all(st[i].hdr);
		free(st[i].line);
		free(st[i].data);
	}
	for (i = 0; i < n; i++)
		free(tokens[i]);
	free(tokens);
	free(st);
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	close(g_epfd);
	fclose(g.out);
	return g.n_failed ? 1 : 0;
}
