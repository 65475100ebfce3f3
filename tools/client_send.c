/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-client send: one message (text, URL, location, file) to the other members of a session. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"

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

		client_fail(0, "cannot read %s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return e ? -e : -EIO;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		client_fail(0, "cannot read %s: %s", path, strerror(EISDIR));
		return -EISDIR;
	}
	if (S_ISREG(st.st_mode) && st.st_size > max) {
		close(fd);
		client_fail(0, "%s is %lld bytes, more than --max-file %ld", path, (long long)st.st_size, max);
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
				client_fail(0, "out of memory");
				return -ENOMEM;
			}
			buf = b;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			client_fail(0, "cannot read %s: %s", path, strerror(e));
			free(buf);
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)max) {
			client_fail(0, "%s is more than --max-file %ld bytes", path, max);
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

/*! \brief A type/subtype (with parameters if need be): printable ASCII, 3 to 127 characters. */
bool client_content_type_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 3 || n > 127 || !strchr(s, '/') || s[0] == '/')
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/*! \brief --location LAT,LON[,ACC] */
int client_parse_location(struct client *c, const char *s)
{
	char *end;

	c->location = true;
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

/*! \brief The send command. \returns the exit status */
int client_send(struct client *c)
{
	int kinds = !!c->text + !!c->url + !!c->location + !!c->file;
	json_t *body = json_object(), *v = NULL;
	char path[64];
	int ret;

	if (!c->session) {
		ret = client_fail(EXIT_USAGE, "send: --session ID is required");
		goto out;
	}
	if (kinds != 1) {
		ret = client_fail(EXIT_USAGE, "send: give exactly one of --text, --url, --location, --file");
		goto out;
	}
	if (c->content_type && !c->file) {
		ret = client_fail(EXIT_USAGE, "send: --content-type goes with --file");
		goto out;
	}
	if (c->text) {
		if (!c->text[0] || !(v = json_string(c->text))) {
			ret = client_fail(EXIT_USAGE, "send: --text is empty or not UTF-8");
			goto out;
		}
		json_object_set_new(body, "text", v);
	} else if (c->url) {
		if ((strncasecmp(c->url, "http://", 7) && strncasecmp(c->url, "https://", 8)) ||
		    strlen(c->url) > 2048 || !(v = json_string(c->url))) {
			ret = client_fail(EXIT_USAGE, "send: --url is an http:// or https:// URL of up to 2048 characters");
			goto out;
		}
		json_object_set_new(body, "url", v);
	} else if (c->file) {
		const char *name = strrchr(c->file, '/') ? strrchr(c->file, '/') + 1 : c->file;
		unsigned char *bytes = NULL;
		size_t len = 0;
		char *b64;

		if (!name[0] || !client_utf8_valid(name)) {
			ret = client_fail(EXIT_USAGE, "send: --file needs a file name in UTF-8");
			goto out;
		}
		if (read_file(c->file, c->max_file, &bytes, &len) < 0) {
			ret = EXIT_USAGE;
			goto out;
		}
		b64 = base64(bytes, len);
		free(bytes);
		if (!b64) {
			ret = client_fail(EXIT_REFUSED, "out of memory");
			goto out;
		}
		v = json_pack("{s:s, s:s, s:s}", "name", name, "content_type",
			      c->content_type ? c->content_type : client_type_of_name(name), "data", b64);
		free(b64);
		if (!v) {
			ret = client_fail(EXIT_REFUSED, "out of memory");
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
	ret = client_post_and_print(c, path, body, NULL);
out:
	json_decref(body);
	return ret;
}

