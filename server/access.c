/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: IP prefixes, the client address behind trusted proxies, and per-client rate limits. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <talloc.h>

#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include "access.h"
#include "api.h"
#include "http.h"
#include "srv.h"

/*! \brief Parse "192.0.2.0/24", "2001:db8::/32" or a plain address (a host prefix).
 *  \returns 0, or -EINVAL on anything else, including bits set right of the prefix */
int srv_cidr_parse(struct srv_cidr *out, const char *str)
{
	char buf[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(str, '/');
	size_t alen = slash ? (size_t)(slash - str) : strlen(str);
	unsigned int max, i;

	memset(out, 0, sizeof(*out));
	if (!alen || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, str, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	out->prefix_len = max;
	if (slash) {
		const char *p = slash + 1;
		size_t n = strlen(p);

		if (!n || n > 3 || strspn(p, "0123456789") != n || (n > 1 && p[0] == '0'))
			return -EINVAL;
		out->prefix_len = atoi(p);
		if (out->prefix_len > max)
			return -EINVAL;
	}
	for (i = out->prefix_len; i < max; i++) {
		if (out->addr[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;
	}
	return 0;
}

/*! \brief "addr/len" text of a prefix. \returns what snprintf returns */
int srv_cidr_format(char *buf, size_t len, const struct srv_cidr *c)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(c->family, c->addr, a, sizeof(a)))
		return snprintf(buf, len, "?");
	return snprintf(buf, len, "%s/%u", a, c->prefix_len);
}

static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full))
		return false;
	if (!rest)
		return true;
	return ((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

static bool cidr_match_raw(const struct srv_cidr *c, int family, const uint8_t *addr)
{
	return c->family == family && prefix_eq(c->addr, addr, c->prefix_len);
}

/*! \brief Whether the socket address lies inside the prefix (IPv4-mapped IPv6 counts as IPv4). */
bool srv_cidr_match(const struct srv_cidr *c, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return cidr_match_raw(c, AF_INET, (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a))
			return cidr_match_raw(c, AF_INET, a + 12);
		return cidr_match_raw(c, AF_INET6, a);
	}
	return false;
}

static bool trusted(struct srv_instance *srv, const struct sockaddr *sa)
{
	struct srv_cidr *c;

	llist_for_each_entry(c, &srv->cfg.trusted_proxies, list) {
		if (srv_cidr_match(c, sa))
			return true;
	}
	return false;
}

/*! \brief When the peer is a trusted proxy, the client is the right-most X-Forwarded-For address that is
 *  not itself a trusted proxy (the entries left of it are the client's word and are not believed). */
void srv_api_client_ip(struct srv_req *req, const struct sockaddr *peer)
{
	const char *xff;
	char *list, *tok, *save;
	char best[INET6_ADDRSTRLEN] = "";

	if (llist_empty(&req->srv->cfg.trusted_proxies) || !trusted(req->srv, peer))
		return;
	xff = srv_req_header(req, "X-Forwarded-For");
	if (!xff || strlen(xff) > 4096)
		return;
	list = talloc_strdup(req, xff);
	if (!list)
		return;
	/* walk left to right, remember the last entry that is not a trusted proxy */
	for (tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		struct sockaddr_storage ss = {};

		if (inet_pton(AF_INET, tok, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
			ss.ss_family = AF_INET;
		} else if (inet_pton(AF_INET6, tok, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
			ss.ss_family = AF_INET6;
		} else {
			best[0] = '\0';	/* garbage resets: anything left of it is unverifiable */
			continue;
		}
		if (!trusted(req->srv, (struct sockaddr *)&ss))
			osmo_strlcpy(best, tok, sizeof(best));
	}
	talloc_free(list);
	if (best[0])
		osmo_strlcpy(req->client_ip, best, sizeof(req->client_ip));
}

/* Token buckets per client address in a direct-mapped table: a client whose slot is taken over by another
 * address starts again with a full bucket. Bounded memory whatever the number of clients; with 4096 slots
 * collisions among a few hundred active clients are rare. */
#define RL_SLOTS 4096

struct rl_slot {
	char ip[INET6_ADDRSTRLEN];
	double tokens;
	struct timespec last;
};

struct srv_ratelimit {
	struct rl_slot slot[RL_SLOTS];
};

/*! \brief Allocate the rate limiter table of the instance. \returns 0 or -ENOMEM */
int srv_ratelimit_alloc(struct srv_instance *srv)
{
	srv->rl = talloc_zero(srv, struct srv_ratelimit);
	return srv->rl ? 0 : -ENOMEM;
}

static unsigned int rl_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h % RL_SLOTS;
}

/*! \brief Take one request from the client's bucket. \returns false when it is empty (answer 429). */
bool srv_ratelimit_take(struct srv_instance *srv, const char *client_ip)
{
	struct srv_cfg *cfg = &srv->cfg;
	struct rl_slot *s;
	struct timespec now;
	double elapsed;

	if (!cfg->rate_per_sec || !srv->rl)
		return true;
	osmo_clock_gettime(CLOCK_MONOTONIC, &now);
	s = &srv->rl->slot[rl_hash(client_ip)];
	if (strcmp(s->ip, client_ip)) {
		osmo_strlcpy(s->ip, client_ip, sizeof(s->ip));
		s->tokens = cfg->rate_burst;
	} else {
		elapsed = (now.tv_sec - s->last.tv_sec) + (now.tv_nsec - s->last.tv_nsec) / 1e9;
		s->tokens += elapsed * cfg->rate_per_sec;
		if (s->tokens > cfg->rate_burst)
			s->tokens = cfg->rate_burst;
	}
	s->last = now;
	if (s->tokens < 1.0)
		return false;
	s->tokens -= 1.0;
	return true;
}
