/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-client: single requests to the server (send, phone, media) and saving media to --fetch-media. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "client.h"

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

/*! \brief Free the body of an answer. */
void client_answer_free(struct answer *a)
{
	free(a->body);
	a->body = NULL;
	a->len = 0;
}

/*! \brief One request to the server with the device token: GET when body is NULL, else POST of a JSON body.
 * \returns 0 when an HTTP answer came (whatever its status; a bounded body in a), -EIO when none did (said on
 * stderr) */
int client_http_request(struct client *c, const char *path, const char *body, struct answer *a)
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
		client_fail(0, "%s: the answer is larger than %zu bytes", path, a->max);
	} else {
		a->status = 0;
		client_fail(0, "%s: %s", c->server, errbuf[0] ? errbuf : curl_easy_strerror(rc));
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

/*! \brief The server's error answer on stderr: "HTTP 403 forbidden: message (field session)". */
void client_show_http_error(const struct answer *a)
{
	json_t *j = a->len ? json_loadb(a->body, a->len, 0, NULL) : NULL;
	json_t *e = json_object_get(j, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	const char *fld = json_string_value(json_object_get(e, "field"));

	fprintf(stderr, "tandem-client: HTTP %ld", a->status);
	if (code && msg) {
		fputc(' ', stderr);
		client_put_clean(stderr, code, strlen(code), "");
		fputs(": ", stderr);
		client_put_clean(stderr, msg, strlen(msg), " ");
		if (fld) {
			fputs(" (field ", stderr);
			client_put_clean(stderr, fld, strlen(fld), "");
			fputc(')', stderr);
		}
	} else {
		fputs(": ", stderr);
		size_t n = a->len < 300 ? a->len : 300;

		while (n && (a->body[n - 1] == ' ' || a->body[n - 1] == '\t' || a->body[n - 1] == '\r' ||
			     a->body[n - 1] == '\n'))
			n--;
		if (n)
			client_put_clean(stderr, a->body, n, " ");
		else
			fputs("(no body)", stderr);
	}
	fputc('\n', stderr);
	json_decref(j);
}

/*! \brief POST a JSON body and print the 2xx answer as one JSON line, with extra's members added.
 * \returns 0, or EXIT_REFUSED (said on stderr) */
int client_post_and_print(struct client *c, const char *path, json_t *body, json_t *extra)
{
	struct answer a = { .max = MAX_ANSWER };
	char *s = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_t *j;
	int ret = EXIT_REFUSED;

	if (!s)
		return client_fail(EXIT_REFUSED, "out of memory");
	if (client_http_request(c, path, s, &a) < 0)
		goto out;
	if (a.status < 200 || a.status > 299) {
		client_show_http_error(&a);
		goto out;
	}
	j = json_loadb(a.body ? a.body : "", a.len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		client_fail(0, "HTTP %ld but the answer is not a JSON object", a.status);
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
	client_answer_free(&a);
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

/*! \brief The type for a file name's extension (case-insensitive); application/octet-stream when not known. */
const char *client_type_of_name(const char *name)
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

	if (strncmp(url, pfx, sizeof(pfx) - 1) || !client_id_valid(id)) {
		client_fail(0, "not fetching %.100s: not a media URL of the server", url);
		return -EINVAL;
	}
	if (name && name[0]) {
		n = (size_t)snprintf(fname, sizeof(fname), "%s-%.100s", id, name);
		for (i = strlen(id) + 1; i < n && i < sizeof(fname); i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", fname[i]))
				fname[i] = '_';
	}
	if (client_http_request(c, url, NULL, &a) < 0)
		goto out;
	if (a.status != 200) {
		client_show_http_error(&a);
		goto out;
	}
	if (!name || !name[0])
		snprintf(fname, sizeof(fname), "media-%s.%s", id, ext_of_type(a.content_type));
	if ((size_t)snprintf(path, path_len, "%s/%s", c->media_dir, fname) >= path_len ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", c->media_dir, fname) >= sizeof(tmp)) {
		client_fail(0, "--fetch-media: path too long");
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		client_fail(0, "cannot write %s: %s", tmp, strerror(errno));
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
		client_fail(0, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	client_answer_free(&a);
	return ret;
}

/*! \brief Fetch what an event points to (a card's photo and other media fields, a message's file) when --fetch-media
 * is set. \returns {URL: PATH, ...} of the saved files, or NULL */
json_t *client_fetch_event_media(struct client *c, const char *type, json_t *data)
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

