/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Helpers shared by the unit test programs: hex, and the conformance vectors. */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static int nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int tl_unhex(uint8_t *out, size_t size, const char *hex)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (isspace((unsigned char)*hex))
			continue;
		v = nibble(*hex);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == size)
			return -1;
		out[n++] = hi << 4 | v;
		hi = -1;
	}
	return hi < 0 ? (int)n : -1;
}

void tl_hexprint(const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%02x", buf[i]);
}

int tl_vector(uint8_t *out, size_t size, const char *name)
{
	const char *top = getenv("abs_top_srcdir");
	char path[1024], line[4096], want[64];
	bool in = false;
	FILE *f;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/tests/vectors/shared-vectors.txt", top ? top : ".");
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	snprintf(want, sizeof(want), "=== %s ", name);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "=== ", 4)) {
			in = !strncmp(line, want, strlen(want));
			continue;
		}
		if (in && !strncmp(line, "hex", 3)) {
			char *colon = strchr(line, ':');

			if (colon)
				rc = tl_unhex(out, size, colon + 1);
			break;
		}
	}
	fclose(f);
	if (rc < 0)
		fprintf(stderr, "vector %s not found in %s\n", name, path);
	return rc;
}

uint8_t *tl_exact(const uint8_t *buf, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	memcpy(p, buf, len);
	return p;
}
