/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-client phone: a phone app's reports of its calls (POST /v1/calls), one state or a timed script. */

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <jansson.h>

#include "client.h"

/*! \brief The app's call id: 1 to 64 of A-Z a-z 0-9 . _ - */
bool client_ref_valid(const char *s)
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
		ret = client_fail(EXIT_REFUSED, "out of memory");
	else
		ret = client_post_and_print(c, "/v1/calls", body, extra);
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
		return client_fail(EXIT_USAGE, "cannot read %s: %s", path, strerror(errno));
	steps = calloc(SCRIPT_MAX_LINES, sizeof(*steps));
	if (!steps) {
		ret = client_fail(EXIT_REFUSED, "out of memory");
		goto out;
	}
	while (fgets(line, sizeof(line), f)) {
		char *save, *state, *d, *end;
		double delay = 0;
		bool bad = false;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			client_fail(0, "%s:%zu: line too long", path, lineno);
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
			client_fail(0, "%s:%zu: expected \"started|answered|ended [DELAY_S]\" (0 to 86400 s)", path, lineno);
			goto out;
		}
		if (n == SCRIPT_MAX_LINES) {
			client_fail(0, "%s: more than %d steps", path, SCRIPT_MAX_LINES);
			goto out;
		}
		snprintf(steps[n].state, sizeof(steps[n].state), "%s", state);
		steps[n++].delay_ms = (long)(delay * 1000 + 0.5);
	}
	if (ferror(f)) {
		client_fail(0, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (!n) {
		client_fail(0, "%s: no steps", path);
		goto out;
	}
	ret = 0;
	for (i = 0; i < n && !ret; i++) {
		client_nap(steps[i].delay_ms);
		if (client_stop) {
			ret = client_fail(EXIT_REFUSED, "stopped before \"%s\"", steps[i].state);
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

/*! \brief The phone command: argv is "call STATE" or "script FILE|-". \returns the exit status */
int client_phone(struct client *c, int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[0], "call") && strcmp(argv[0], "script")))
		return client_fail(EXIT_USAGE, "phone: call started|answered|ended, or script FILE|-");
	if (!c->tdn || !c->peer)
		return client_fail(EXIT_USAGE, "phone: --tdn and --peer are required");
	if (!strcmp(c->tdn, c->peer))
		return client_fail(EXIT_USAGE, "phone: --peer is the other party, not the phone's own number");
	if (!strcmp(c->peer, "withheld") && !c->incoming)
		return client_fail(EXIT_USAGE, "phone: only a caller withholds its number: --peer withheld needs --incoming");
	if (!c->ref) {
		uint64_t r;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			return client_fail(EXIT_REFUSED, "no random numbers: %s", strerror(errno));
		snprintf(c->ref_buf, sizeof(c->ref_buf), "tc-%016" PRIx64, r);
		c->ref = c->ref_buf;
	}
	if (!strcmp(argv[0], "script"))
		return phone_script(c, argv[1]);
	if (!state_valid(argv[1]))
		return client_fail(EXIT_USAGE, "phone call: the state is started, answered or ended, not '%.40s'", argv[1]);
	if (c->reason && strcmp(argv[1], "ended"))
		return client_fail(EXIT_USAGE, "phone call: --reason goes with ended");
	return phone_report(c, argv[1]);
}

