/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-client: events printed as JSON lines, or as readable cards and lines that cannot steer a terminal. */

#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "client.h"

/*! \brief Print text that came from the network so that it cannot steer the terminal: control characters (C0, DEL,
 * C1) and the bidirectional overrides and isolates (which make text read differently than it is) become '?';
 * a line break continues on a new line after cont. The text is valid UTF-8 (jansson checks every string). */
void client_put_clean(FILE *f, const char *s, size_t n, const char *cont)
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

/* A JSON scalar as text, cleaned; "?" when absent. */
static void put_value(json_t *v, const char *cont)
{
	char buf[64];

	if (json_is_string(v)) {
		client_put_clean(stdout, json_string_value(v), json_string_length(v), cont);
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
		client_put_clean(stdout, keys[i], strlen(keys[i]), "");
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
				client_put_clean(stdout, path, strlen(path), "");
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
			client_put_clean(stdout, path, strlen(path), "");
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
	client_put_clean(stdout, key, strlen(key), "");
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
		client_put_clean(stdout, type, strlen(type), "");
		fputs(":\n", stdout);
		json_object_foreach(d, k, v)
			show_value(k, v, 2);
	}
}

/*! \brief Print one event as a JSON line or (--format card) readable; fetch its media first with
 *  --fetch-media. */
void client_print_event(struct client *c, const char *type, json_t *data)
{
	json_t *saved = client_fetch_event_media(c, type, data);

	if (c->card) {
		show_event(type, data, saved);
	} else {
		json_t *o = json_object();
		char *s;

		if (client_id_valid(c->last_id))
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

