/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Capture reader for tandem-decode --pcap: pcap/pcapng through libpcap, link layer, IPv4/IPv6,
 * SCTP DATA (M3UA, SUA) and TCP with per-flow IPA reassembly, yielding each TCAP message. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <pcap/pcap.h>

#include "sigtran.h"

/* Link types; guarded because older libpcap headers lack some of them. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2	276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4	228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6	229
#endif
#define LINKTYPE_RAW	101	/* what pcap_datalink() may return on systems where DLT_RAW differs */

#define ETH_P_IPV4	0x0800
#define ETH_P_IPV6	0x86dd
#define IPPROTO_TCP_	6
#define IPPROTO_SCTP_	132

#define SCTP_CHUNK_DATA		0
#define SCTP_CHUNK_IDATA	64
#define SCTP_DATA_BE		0x03	/* B and E flags: the chunk holds a whole user message */

#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04

/*! Flows tracked at once; the least recently used one is dropped when a new one arrives.
 * Each may hold one partial IPA frame (up to SGT_IPA_FRAME_MAX), so the worst case is about
 * 8 MiB of reassembly buffers. */
#define SGT_FLOWS_MAX	128

struct flow {
	bool in_use;
	struct sgt_endpoint src, dst;
	bool seq_known;
	uint32_t next_seq;
	uint64_t last_used;
	struct sgt_ipa_reasm reasm;
};

/* A transport message from the current packet, copied into the arena, parsed when returned. */
struct pending {
	enum sgt_transport tr;
	size_t off, len;
	struct sgt_endpoint src, dst;
};

struct sgt_pcap {
	pcap_t *pc;
	int dlt;
	enum sgt_variant variant;
	struct sgt_pcap_stats st;
	int64_t ts_sec;
	uint32_t ts_nsec;
	int err;			/* sticky error (-ENOMEM) */

	uint8_t *arena;			/* copies of the messages of the current packet */
	size_t arena_len, arena_cap;
	struct pending *pend;
	size_t npend, pend_cap, pend_next;

	struct flow flows[SGT_FLOWS_MAX];
	uint64_t clock;
};

static inline uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Copies one transport message (optionally after a 3-octet prefix) for sgt_pcap_next(). */
static int push_pending(struct sgt_pcap *p, enum sgt_transport tr, const struct sgt_endpoint *src,
			const struct sgt_endpoint *dst, const uint8_t *prefix, size_t prefix_len,
			const uint8_t *data, size_t len)
{
	size_t need = prefix_len + len;
	struct pending *q;

	if (p->arena_cap - p->arena_len < need) {
		size_t cap = p->arena_cap ? p->arena_cap : 4096;
		uint8_t *a;

		while (cap - p->arena_len < need)
			cap *= 2;
		a = realloc(p->arena, cap);
		if (!a)
			return -ENOMEM;
		p->arena = a;
		p->arena_cap = cap;
	}
	if (p->npend == p->pend_cap) {
		size_t cap = p->pend_cap ? p->pend_cap * 2 : 16;
		struct pending *n = realloc(p->pend, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->pend = n;
		p->pend_cap = cap;
	}
	q = &p->pend[p->npend++];
	q->tr = tr;
	q->off = p->arena_len;
	q->len = need;
	q->src = *src;
	q->dst = *dst;
	if (prefix_len)
		memcpy(p->arena + p->arena_len, prefix, prefix_len);
	if (len)
		memcpy(p->arena + p->arena_len + prefix_len, data, len);
	p->arena_len += need;
	return 0;
}

/* ----- SCTP ----- */

static int sctp_user_data(struct sgt_pcap *p, struct sgt_endpoint *src, struct sgt_endpoint *dst,
			  uint32_t ppi, const uint8_t *data, size_t len)
{
	enum sgt_transport tr;

	if (ppi == SGT_M3UA_PPI)
		tr = SGT_TR_M3UA;
	else if (ppi == SGT_SUA_PPI)
		tr = SGT_TR_SUA;
	else if (ppi == 0 && (src->port == SGT_M3UA_PORT || dst->port == SGT_M3UA_PORT))
		tr = SGT_TR_M3UA;
	else if (ppi == 0 && (src->port == SGT_SUA_PORT || dst->port == SGT_SUA_PORT))
		tr = SGT_TR_SUA;
	else {
		p->st.not_sigtran++;
		return 0;
	}
	return push_pending(p, tr, src, dst, NULL, 0, data, len);
}

/* RFC 9260 3: common header, then chunks padded to 4 octets. DATA (RFC 9260 3.3.1) and
 * I-DATA (RFC 8260 2.1) chunks that hold a whole user message are passed on. */
static int sctp_packet(struct sgt_pcap *p, struct sgt_endpoint *src, struct sgt_endpoint *dst,
		       const uint8_t *b, size_t len)
{
	size_t off = 12;
	int rc;

	if (len < 12) {
		p->st.malformed++;
		return 0;
	}
	src->port = get_u16(b);
	dst->port = get_u16(b + 2);
	while (len - off >= 4) {
		uint8_t type = b[off], flags = b[off + 1];
		size_t clen = get_u16(b + off + 2), step;

		if (clen < 4 || clen > len - off) {
			p->st.malformed++;
			return 0;
		}
		if (type == SCTP_CHUNK_DATA || type == SCTP_CHUNK_IDATA) {
			size_t hdr = type == SCTP_CHUNK_DATA ? 16 : 20;

			if (clen < hdr) {
				p->st.malformed++;
				return 0;
			}
			if ((flags & SCTP_DATA_BE) != SCTP_DATA_BE) {
				p->st.sctp_fragments++;
			} else {
				rc = sctp_user_data(p, src, dst, get_u32(b + off + hdr - 4), b + off + hdr, clen - hdr);
				if (rc < 0)
					return rc;
			}
		}
		step = (clen + 3) & ~(size_t)3;
		if (step >= len - off)
			break;
		off += step;
	}
	return 0;
}

/* ----- TCP / IPA ----- */

struct ipa_ctx {
	struct sgt_pcap *p;
	const struct flow *f;
};

static int ipa_frame_cb(void *priv, uint8_t stream, const uint8_t *payload, size_t len)
{
	struct ipa_ctx *c = priv;
	uint8_t hdr[SGT_IPA_HDR_LEN] = { len >> 8, len & 0xff, stream };

	if (stream != SGT_IPA_STREAM_SCCP) {
		c->p->st.not_sigtran++;
		return 0;
	}
	return push_pending(c->p, SGT_TR_IPA, &c->f->src, &c->f->dst, hdr, sizeof(hdr), payload, len);
}

static bool ep_equal(const struct sgt_endpoint *a, const struct sgt_endpoint *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static void flow_free(struct flow *f)
{
	sgt_ipa_reasm_reset(&f->reasm);
	memset(f, 0, sizeof(*f));
}

/* Finds the flow src->dst, or takes a free (else the least recently used) slot for it. */
static struct flow *flow_get(struct sgt_pcap *p, const struct sgt_endpoint *src, const struct sgt_endpoint *dst,
			     bool create)
{
	struct flow *victim = NULL;
	size_t i;

	for (i = 0; i < SGT_FLOWS_MAX; i++) {
		struct flow *f = &p->flows[i];

		if (f->in_use && ep_equal(&f->src, src) && ep_equal(&f->dst, dst)) {
			f->last_used = ++p->clock;
			return f;
		}
		if (!f->in_use) {
			if (!victim || victim->in_use)
				victim = f;
		} else if (!victim || (victim->in_use && f->last_used < victim->last_used)) {
			victim = f;
		}
	}
	if (!create)
		return NULL;
	flow_free(victim);
	victim->in_use = true;
	victim->src = *src;
	victim->dst = *dst;
	victim->last_used = ++p->clock;
	return victim;
}

/* In-order delivery per direction: retransmitted octets are cut off; after a gap the partial
 * frame is dropped and the next segment is expected to start with an IPA header. */
static int tcp_segment(struct sgt_pcap *p, struct sgt_endpoint *src, struct sgt_endpoint *dst,
		       const uint8_t *b, size_t len)
{
	struct ipa_ctx ctx = { .p = p };
	size_t doff, plen;
	uint32_t seq;
	uint8_t flags;
	struct flow *f;
	int rc;

	if (len < 20) {
		p->st.malformed++;
		return 0;
	}
	src->port = get_u16(b);
	dst->port = get_u16(b + 2);
	seq = get_u32(b + 4);
	doff = (size_t)(b[12] >> 4) * 4;
	flags = b[13];
	if (doff < 20 || doff > len) {
		p->st.malformed++;
		return 0;
	}
	b += doff;
	plen = len - doff;

	if (flags & TCP_RST) {
		f = flow_get(p, src, dst, false);
		if (f)
			flow_free(f);
		return 0;
	}
	if (flags & TCP_SYN) {
		f = flow_get(p, src, dst, true);
		sgt_ipa_reasm_reset(&f->reasm);
		f->seq_known = true;
		f->next_seq = seq + 1;
		return 0;
	}
	if (plen == 0) {
		if (flags & TCP_FIN) {
			f = flow_get(p, src, dst, false);
			if (f)
				flow_free(f);
		}
		return 0;
	}
	f = flow_get(p, src, dst, true);
	if (f->seq_known) {
		int32_t diff = (int32_t)(seq - f->next_seq);

		if (diff > 0) {
			p->st.tcp_gaps++;
			sgt_ipa_reasm_reset(&f->reasm);
		} else if (diff < 0) {
			size_t skip = (size_t)-(int64_t)diff;

			if (skip >= plen)
				return 0;	/* retransmission of data we have seen */
			b += skip;
			plen -= skip;
			seq += skip;
		}
	}
	f->seq_known = true;
	f->next_seq = seq + (uint32_t)plen;

	ctx.f = f;
	rc = sgt_ipa_reasm_feed(&f->reasm, b, plen, ipa_frame_cb, &ctx);
	if (rc == -EPROTO) {
		p->st.ipa_resync++;
		rc = 0;
	}
	if (rc == 0 && (flags & TCP_FIN))
		flow_free(f);
	return rc;
}

/* ----- IP ----- */

static int transport(struct sgt_pcap *p, uint8_t proto, struct sgt_endpoint *src, struct sgt_endpoint *dst,
		     const uint8_t *b, size_t len)
{
	switch (proto) {
	case IPPROTO_SCTP_:
		return sctp_packet(p, src, dst, b, len);
	case IPPROTO_TCP_:
		return tcp_segment(p, src, dst, b, len);
	default:
		p->st.other_transport++;
		return 0;
	}
}

static int ipv4_packet(struct sgt_pcap *p, const uint8_t *b, size_t len)
{
	struct sgt_endpoint src = { .family = AF_INET }, dst = { .family = AF_INET };
	size_t ihl, tot;

	if (len < 20 || (b[0] >> 4) != 4) {
		p->st.malformed++;
		return 0;
	}
	ihl = (size_t)(b[0] & 0x0f) * 4;
	tot = get_u16(b + 2);
	if (ihl < 20 || tot < ihl || ihl > len) {
		p->st.malformed++;
		return 0;
	}
	if (tot < len)
		len = tot;	/* Ethernet padding */
	if (get_u16(b + 6) & 0x3fff) {	/* MF flag or a fragment offset */
		p->st.ip_fragments++;
		return 0;
	}
	memcpy(src.addr, b + 12, 4);
	memcpy(dst.addr, b + 16, 4);
	return transport(p, b[9], &src, &dst, b + ihl, len - ihl);
}

static int ipv6_packet(struct sgt_pcap *p, const uint8_t *b, size_t len)
{
	struct sgt_endpoint src = { .family = AF_INET6 }, dst = { .family = AF_INET6 };
	size_t off = 40, plen, hlen;
	uint8_t nh;
	int i;

	if (len < 40 || (b[0] >> 4) != 6) {
		p->st.malformed++;
		return 0;
	}
	plen = get_u16(b + 4);
	if (plen && 40 + plen < len)
		len = 40 + plen;
	nh = b[6];
	memcpy(src.addr, b + 8, 16);
	memcpy(dst.addr, b + 24, 16);
	/* extension headers: hop-by-hop 0, routing 43, fragment 44, AH 51, destination 60 */
	for (i = 0; i < 8; i++) {
		if (nh != 0 && nh != 43 && nh != 44 && nh != 51 && nh != 60)
			break;
		if (len - off < 8) {
			p->st.malformed++;
			return 0;
		}
		if (nh == 44) {
			if (get_u16(b + off + 2) & 0xfff9) {	/* offset or M flag: a real fragment */
				p->st.ip_fragments++;
				return 0;
			}
			hlen = 8;
		} else if (nh == 51) {
			hlen = ((size_t)b[off + 1] + 2) * 4;
		} else {
			hlen = ((size_t)b[off + 1] + 1) * 8;
		}
		if (hlen > len - off) {
			p->st.malformed++;
			return 0;
		}
		nh = b[off];
		off += hlen;
	}
	return transport(p, nh, &src, &dst, b + off, len - off);
}

static int ip_packet(struct sgt_pcap *p, const uint8_t *b, size_t len)
{
	if (len < 1) {
		p->st.malformed++;
		return 0;
	}
	switch (b[0] >> 4) {
	case 4:
		return ipv4_packet(p, b, len);
	case 6:
		return ipv6_packet(p, b, len);
	default:
		p->st.not_ip++;
		return 0;
	}
}

static int ethertype_packet(struct sgt_pcap *p, uint16_t et, const uint8_t *b, size_t len)
{
	switch (et) {
	case ETH_P_IPV4:
		return ipv4_packet(p, b, len);
	case ETH_P_IPV6:
		return ipv6_packet(p, b, len);
	default:
		p->st.not_ip++;
		return 0;
	}
}

/* BSD loopback: address family in 4 octets, host order of the writer (DLT_NULL) or network
 * order (DLT_LOOP). AF_INET is 2 everywhere, AF_INET6 is 10, 24, 28 or 30 depending on the OS. */
static int loopback_packet(struct sgt_pcap *p, const uint8_t *b, size_t len)
{
	uint32_t be, le, af;

	if (len < 4) {
		p->st.malformed++;
		return 0;
	}
	be = get_u32(b);
	le = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
	af = be < 256 ? be : le;
	switch (af) {
	case 2:
		return ipv4_packet(p, b + 4, len - 4);
	case 10:
	case 24:
	case 28:
	case 30:
		return ipv6_packet(p, b + 4, len - 4);
	default:
		p->st.not_ip++;
		return 0;
	}
}

static int link_packet(struct sgt_pcap *p, const uint8_t *b, size_t len)
{
	size_t off;
	uint16_t et;
	int i;

	switch (p->dlt) {
	case DLT_EN10MB:
		if (len < 14) {
			p->st.malformed++;
			return 0;
		}
		et = get_u16(b + 12);
		off = 14;
		/* up to two VLAN tags (802.1Q, 802.1ad, old QinQ) */
		for (i = 0; i < 2 && (et == 0x8100 || et == 0x88a8 || et == 0x9100); i++) {
			if (len - off < 4) {
				p->st.malformed++;
				return 0;
			}
			et = get_u16(b + off + 2);
			off += 4;
		}
		return ethertype_packet(p, et, b + off, len - off);
	case DLT_LINUX_SLL:
		if (len < 16) {
			p->st.malformed++;
			return 0;
		}
		return ethertype_packet(p, get_u16(b + 14), b + 16, len - 16);
	case DLT_LINUX_SLL2:
		if (len < 20) {
			p->st.malformed++;
			return 0;
		}
		return ethertype_packet(p, get_u16(b), b + 20, len - 20);
	case DLT_NULL:
	case DLT_LOOP:
		return loopback_packet(p, b, len);
	case DLT_IPV4:
		return ipv4_packet(p, b, len);
	case DLT_IPV6:
		return ipv6_packet(p, b, len);
	default:	/* DLT_RAW and LINKTYPE_RAW */
		return ip_packet(p, b, len);
	}
}

static bool dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_RAW:
	case LINKTYPE_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return true;
	default:
		return false;
	}
}

/*! \brief Open a pcap or pcapng file (or "-" for stdin) for sgt_pcap_next().
 *  \param[out] pp the reader, to be freed with sgt_pcap_close()
 *  \param[in] v SCCP address format of the traffic (M3UA and IPA do not say which)
 *  \param[out] errbuf a message for the user on failure (may be NULL)
 *  \returns 0, -ENOENT/-EACCES/... from opening the file, -EINVAL for a file libpcap cannot
 *  read, -EPROTONOSUPPORT for an unsupported link type, -ENOMEM */
int sgt_pcap_open(struct sgt_pcap **pp, const char *path, enum sgt_variant v, char *errbuf, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	struct sgt_pcap *p;
	pcap_t *pc;
	int dlt;

	errno = 0;
	pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, pe);
	if (!pc) {
		int rc = errno ? -errno : -EINVAL;

		if (errbuf && errlen)
			snprintf(errbuf, errlen, "%s: %s", path, pe);
		return rc;
	}
	dlt = pcap_datalink(pc);
	if (!dlt_supported(dlt)) {
		const char *name = pcap_datalink_val_to_name(dlt);

		if (errbuf && errlen)
			snprintf(errbuf, errlen, "%s: unsupported link type %d (%s)", path, dlt, name ? name : "?");
		pcap_close(pc);
		return -EPROTONOSUPPORT;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		pcap_close(pc);
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	p->pc = pc;
	p->dlt = dlt;
	p->variant = v;
	*pp = p;
	return 0;
}

/* Returns the next pending message that holds TCAP, skipping (and counting) the others. */
static bool next_pending(struct sgt_pcap *p, struct sgt_tcap_pdu *out)
{
	while (p->pend_next < p->npend) {
		const struct pending *q = &p->pend[p->pend_next++];
		int rc = sgt_extract(out, q->tr, p->variant, p->arena + q->off, q->len);

		if (rc == -ENOMSG) {
			p->st.not_sigtran++;
			continue;
		}
		if (rc == -ENODATA) {
			p->st.not_tcap++;
			continue;
		}
		if (rc < 0) {
			p->st.malformed++;
			continue;
		}
		/* SCCP management (SSN 1) and segments of a longer message are not TCAP */
		if (out->sccp.segmented || out->sccp.data_len == 0 ||
		    (out->sccp.called.ssn_present && out->sccp.called.ssn == 1)) {
			p->st.not_tcap++;
			continue;
		}
		out->frame = p->st.frames;
		out->ts_sec = p->ts_sec;
		out->ts_nsec = p->ts_nsec;
		out->src = q->src;
		out->dst = q->dst;
		p->st.pdus++;
		return true;
	}
	return false;
}

/*! \brief Return the next TCAP message in the capture.
 *  \param[out] out frame number, time stamp, transport, endpoints, label, SCCP addresses and
 *  out->sccp.data/data_len = the TCAP message; the pointers stay valid until the next call
 *  \returns 0 with *out filled, -ENODATA at the end of the capture, -EIO on a read error
 *  (truncated file), -ENOMEM */
int sgt_pcap_next(struct sgt_pcap *p, struct sgt_tcap_pdu *out)
{
	for (;;) {
		struct pcap_pkthdr *hdr;
		const u_char *data;
		int rc;

		if (p->err)
			return p->err;
		if (next_pending(p, out))
			return 0;
		p->npend = 0;
		p->pend_next = 0;
		p->arena_len = 0;

		rc = pcap_next_ex(p->pc, &hdr, &data);
		if (rc == PCAP_ERROR_BREAK)
			return -ENODATA;
		if (rc == 0)
			continue;
		if (rc < 0) {
			p->err = -EIO;
			return p->err;
		}
		p->st.frames++;
		p->ts_sec = hdr->ts.tv_sec;
		p->ts_nsec = hdr->ts.tv_usec;	/* nanoseconds: opened with PCAP_TSTAMP_PRECISION_NANO */
		rc = link_packet(p, data, hdr->caplen);
		if (rc < 0)
			p->err = rc;
	}
}

/*! \brief Copy the reader's counters. */
void sgt_pcap_get_stats(const struct sgt_pcap *p, struct sgt_pcap_stats *st)
{
	*st = p->st;
}

/*! \brief Close the file and free the reader (NULL is allowed). */
void sgt_pcap_close(struct sgt_pcap *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < SGT_FLOWS_MAX; i++)
		sgt_ipa_reasm_reset(&p->flows[i].reasm);
	free(p->arena);
	free(p->pend);
	pcap_close(p->pc);
	free(p);
}
