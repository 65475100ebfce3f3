/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-client: what its parts share: the settings and state of a run, requests to the server, printing. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <curl/curl.h>
#include <jansson.h>

#define EXIT_REFUSED	1	/*!< exit status: the server refused, or could not be reached */
#define EXIT_USAGE	2	/*!< exit status: bad usage, nothing was sent */

#define DEFAULT_SERVER	"http://127.0.0.1:8080"
#define MAX_LINE	(1024 * 1024)	/*!< longest SSE line accepted (a server bug beyond: reconnect) */
#define MAX_ERRBODY	4096
#define MAX_ANSWER	(1024 * 1024)	/*!< largest JSON answer to send or phone */
#define DEFAULT_MAX_FILE (1024 * 1024)	/*!< --max-file: largest file sent or media fetched */
#define CONNECT_TIMEOUT_S 10
#define REQUEST_TIMEOUT_S 60		/*!< a whole send, phone report or media download */
#define SCRIPT_MAX_LINES 1000
#define SCRIPT_MAX_DELAY_S 86400.0

/*! Set by SIGINT and SIGTERM: end what runs (a stream, a script's wait). */
extern volatile sig_atomic_t client_stop;

/*! Settings from the command line, and the state of a listen stream. */
struct client {
	const char *server;
	const char *token;
	const char *cacert;
	bool quiet;
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
	bool location;		/*!< --location given (lat, lon, accuracy) */
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

/*! The answer to one request. */
struct answer {
	long status;		/*!< 0: no HTTP answer came */
	char *body;		/*!< NUL-terminated */
	size_t len;
	size_t max;		/*!< larger bodies fail the transfer */
	bool too_large;
	char content_type[128];
};

/* tandem-client.c */
void client_note(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int client_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool client_id_valid(const char *s);
bool client_utf8_valid(const char *s);
void client_nap(long ms);

/* client_http.c */
int client_http_request(struct client *c, const char *path, const char *body, struct answer *a);
void client_answer_free(struct answer *a);
void client_show_http_error(const struct answer *a);
int client_post_and_print(struct client *c, const char *path, json_t *body, json_t *extra);
const char *client_type_of_name(const char *name);
json_t *client_fetch_event_media(struct client *c, const char *type, json_t *data);

/* client_print.c */
void client_put_clean(FILE *f, const char *s, size_t n, const char *cont);
void client_print_event(struct client *c, const char *type, json_t *data);

/* client_listen.c */
int client_state_load(struct client *c);
int client_listen(struct client *c);

/* client_send.c */
bool client_content_type_valid(const char *s);
int client_parse_location(struct client *c, const char *s);
int client_send(struct client *c);

/* client_phone.c */
bool client_ref_valid(const char *s);
int client_phone(struct client *c, int argc, char **argv);
