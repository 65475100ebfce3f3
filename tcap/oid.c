/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* OBJECT IDENTIFIER helpers: dotted text <-> BER contents octets (X.690 8.19). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tandem/tcap_msg.h>

int tcap_oid_to_str(char *out, size_t out_size, const struct tcap_oid *oid)
{
	size_t pos = 0;
	uint64_t arc = 0;
	bool first = true;
	unsigned int i;
	int n;

	if (!out_size)
		return -ENOSPC;
	out[0] = '\0';
	if (!oid->len || oid->len > sizeof(oid->buf))
		return -EINVAL;
	for (i = 0; i < oid->len; i++) {
		/* X.690 8.19.2: a leading 0x80 octet is not allowed in a subidentifier */
		if (arc == 0 && oid->buf[i] == 0x80)
			return -EINVAL;
		arc = (arc << 7) | (oid->buf[i] & 0x7f);
		if (arc > UINT32_MAX)
			return -EINVAL;
		if (oid->buf[i] & 0x80)
			continue;
		if (first) {
			/* X.690 8.19.4: the first subidentifier packs two arcs */
			unsigned int a = arc < 40 ? 0 : arc < 80 ? 1 : 2;
			n = snprintf(out + pos, out_size - pos, "%u.%llu", a, (unsigned long long)(arc - 40 * a));
			first = false;
		} else {
			n = snprintf(out + pos, out_size - pos, ".%llu", (unsigned long long)arc);
		}
		if (n < 0 || (size_t)n >= out_size - pos)
			return -ENOSPC;
		pos += n;
		arc = 0;
	}
	if (oid->buf[oid->len - 1] & 0x80)
		return -EINVAL;	/* truncated subidentifier */
	return 0;
}

static int put_arc(struct tcap_oid *oid, uint32_t arc)
{
	uint8_t tmp[5];
	int n = 0;

	do {
		tmp[n++] = arc & 0x7f;
		arc >>= 7;
	} while (arc);
	if (oid->len + n > (int)sizeof(oid->buf))
		return -EINVAL;
	while (n--)
		oid->buf[oid->len++] = tmp[n] | (n ? 0x80 : 0);
	return 0;
}

int tcap_oid_from_str(struct tcap_oid *oid, const char *text)
{
	unsigned long arcs[2];
	unsigned int count = 0;
	const char *p = text;
	char *end;

	memset(oid, 0, sizeof(*oid));
	while (*p) {
		unsigned long v;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v > UINT32_MAX || (*end && *end != '.') || (*end == '.' && !end[1]))
			return -EINVAL;
		if (count < 2) {
			arcs[count] = v;
		} else {
			if (count == 2 && put_arc(oid, arcs[0] * 40 + arcs[1]))
				return -EINVAL;
			if (put_arc(oid, v))
				return -EINVAL;
		}
		count++;
		p = *end ? end + 1 : end;
	}
	if (count < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
		return -EINVAL;
	if (count == 2 && put_arc(oid, arcs[0] * 40 + arcs[1]))
		return -EINVAL;
	return 0;
}

bool tcap_oid_equal(const struct tcap_oid *a, const struct tcap_oid *b)
{
	return a->len == b->len && !memcmp(a->buf, b->buf, a->len);
}
