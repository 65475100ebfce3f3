/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* SCCP connectionless messages, M3UA DATA, SUA CLDT/CLDR and IPA frames: builders and
 * bounds-checked parsers (Q.713, T1.112.3, RFC 4666, RFC 3868). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sigtran.h"

/* M3UA (RFC 4666 3.1, 3.3.1) */
#define M3UA_VERSION		1
#define M3UA_CLASS_TRANSFER	1
#define M3UA_TYPE_DATA		1
#define M3UA_TAG_ROUTE_CTX	0x0006
#define M3UA_TAG_PROTO_DATA	0x0210
#define M3UA_PROTO_DATA_HDR	12	/* OPC, DPC, SI, NI, MP, SLS */
#define SI_SCCP			3

/* SUA (RFC 3868 3.1, 3.10) */
#define SUA_VERSION		1
#define SUA_CLASS_CL		7
#define SUA_TYPE_CLDT		1
#define SUA_TYPE_CLDR		2
#define SUA_TAG_ROUTE_CTX	0x0006
#define SUA_TAG_HOP_COUNT	0x0101
#define SUA_TAG_SRC_ADDR	0x0102
#define SUA_TAG_DST_ADDR	0x0103
#define SUA_TAG_CAUSE		0x0106
#define SUA_TAG_DATA		0x010b
#define SUA_TAG_PROTO_CLASS	0x0115
#define SUA_TAG_SEQ_CTRL	0x0116
#define SUA_TAG_SEGMENTATION	0x0117
#define SUA_TAG_GT		0x8001
#define SUA_TAG_PC		0x8002
#define SUA_TAG_SSN		0x8003
#define SUA_RI_GT		1
#define SUA_RI_SSN_PC		2
#define SUA_AI_SSN		0x0001
#define SUA_AI_PC		0x0002
#define SUA_AI_GT		0x0004

/* SCCP address indicator (Q.713 3.4.1, T1.112.3 3.4.1) */
#define AI_NATIONAL		0x80
#define AI_ROUTE_ON_SSN		0x40
#define AI_GTI_SHIFT		2
#define AI_GTI_MASK		0x0f
#define AI_ITU_PC		0x01
#define AI_ITU_SSN		0x02
#define AI_ANSI_SSN		0x01
#define AI_ANSI_PC		0x02

#define SCCP_PARAM_EOP		0x00
#define SCCP_PARAM_SEGMENTATION	0x10
#define SCCP_DEFAULT_HOPS	15

static inline void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/*! \brief Name of a transport, for printing ("m3ua", "sua", "ipa"). */
const char *sgt_transport_name(enum sgt_transport tr)
{
	switch (tr) {
	case SGT_TR_M3UA:
		return "m3ua";
	case SGT_TR_SUA:
		return "sua";
	case SGT_TR_IPA:
		return "ipa";
	default:
		return "none";
	}
}

/* ----- digits ----- */

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Packs digits two per octet, first digit in the low nibble, filler 0 for an odd count.
 * Returns the number of octets or a negative errno. */
static int bcd_put(uint8_t *out, size_t size, const char *digits)
{
	size_t n = strlen(digits), i;

	if (n > SGT_GT_DIGITS_MAX)
		return -EMSGSIZE;
	if ((n + 1) / 2 > size)
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		int d = digit_value(digits[i]);

		if (d < 0)
			return -EINVAL;
		if (i % 2 == 0)
			out[i / 2] = d;
		else
			out[i / 2] |= d << 4;
	}
	return (int)((n + 1) / 2);
}

/* Unpacks len octets; with odd, the last high nibble is a filler. Leaves out empty when the
 * result would not fit. */
static void bcd_get(char *out, size_t outsize, const uint8_t *in, size_t len, bool odd)
{
	static const char hex[] = "0123456789abcdef";
	size_t n, i;

	out[0] = '\0';
	if (len == 0)
		return;
	n = len * 2 - (odd ? 1 : 0);
	if (n + 1 > outsize)
		return;
	for (i = 0; i < n; i++)
		out[i] = hex[(i % 2 == 0) ? (in[i / 2] & 0x0f) : (in[i / 2] >> 4)];
	out[n] = '\0';
}

/* ----- SCCP addresses ----- */

/* Encodes the global title for an address indicator's GTI. Returns octets or -errno. */
static int gt_build(uint8_t *out, size_t size, enum sgt_variant v, const struct sgt_gt *gt)
{
	size_t hdr, n = strlen(gt->digits);
	uint8_t es = (n % 2) ? 1 : 2;	/* BCD odd / even */
	int rc;

	if (v == SGT_ITU) {
		switch (gt->gti) {
		case 1:
			hdr = 1;
			break;
		case 2:
			hdr = 1;
			break;
		case 3:
			hdr = 2;
			break;
		case 4:
			hdr = 3;
			break;
		default:
			return -EINVAL;
		}
	} else {
		switch (gt->gti) {
		case 1:
			hdr = 2;
			break;
		case 2:
			hdr = 1;
			break;
		default:
			return -EINVAL;
		}
	}
	if (size < hdr)
		return -ENOSPC;
	if (v == SGT_ITU && gt->gti == 1) {
		out[0] = (n % 2 ? 0x80 : 0) | (gt->nai & 0x7f);
	} else {
		out[0] = gt->tt;
		if (hdr >= 2)
			out[1] = (gt->np & 0x0f) << 4 | es;
		if (hdr == 3)
			out[2] = gt->nai & 0x7f;
	}
	rc = bcd_put(out + hdr, size - hdr, gt->digits);
	if (rc < 0)
		return rc;
	return (int)hdr + rc;
}

/*! \brief Encode an SCCP called/calling party address (without its length octet).
 *  \param[out] buf output buffer
 *  \param[in] size size of buf
 *  \param[out] len octets written
 *  \param[in] v ITU (PC 14 bit, PC before SSN) or ANSI (PC 24 bit, SSN before PC)
 *  \param[in] a the address; a->gt.gti != 0 adds a global title from a->gt.digits
 *  \returns 0, -ENOSPC if buf is too small, -EINVAL for values that do not fit the format */
int sgt_sccp_addr_build(uint8_t *buf, size_t size, size_t *len, enum sgt_variant v,
			const struct sgt_sccp_addr *a)
{
	size_t pos = 1;
	uint8_t ai;
	int rc;

	if (size < 1)
		return -ENOSPC;
	if (a->gt.gti > AI_GTI_MASK)
		return -EINVAL;
	ai = (a->national ? AI_NATIONAL : 0) | (a->route_on_ssn ? AI_ROUTE_ON_SSN : 0) | a->gt.gti << AI_GTI_SHIFT;
	if (v == SGT_ITU) {
		if (a->pc_present) {
			if (a->pc > 0x3fff)
				return -EINVAL;
			if (size < pos + 2)
				return -ENOSPC;
			ai |= AI_ITU_PC;
			buf[pos++] = a->pc & 0xff;
			buf[pos++] = a->pc >> 8;
		}
		if (a->ssn_present) {
			if (size < pos + 1)
				return -ENOSPC;
			ai |= AI_ITU_SSN;
			buf[pos++] = a->ssn;
		}
	} else {
		if (a->ssn_present) {
			if (size < pos + 1)
				return -ENOSPC;
			ai |= AI_ANSI_SSN;
			buf[pos++] = a->ssn;
		}
		if (a->pc_present) {
			if (a->pc > 0xffffff)
				return -EINVAL;
			if (size < pos + 3)
				return -ENOSPC;
			ai |= AI_ANSI_PC;
			buf[pos++] = a->pc & 0xff;		/* member */
			buf[pos++] = (a->pc >> 8) & 0xff;	/* cluster */
			buf[pos++] = a->pc >> 16;		/* network */
		}
	}
	if (a->gt.gti) {
		rc = gt_build(buf + pos, size - pos, v, &a->gt);
		if (rc < 0)
			return rc;
		pos += rc;
	}
	buf[0] = ai;
	*len = pos;
	return 0;
}

static void gt_parse(struct sgt_gt *gt, enum sgt_variant v, const uint8_t *p, size_t n)
{
	size_t hdr = 0;
	bool odd = false, bcd = true;

	gt->raw = p;
	gt->raw_len = n;
	gt->digits[0] = '\0';
	if (v == SGT_ITU) {
		switch (gt->gti) {
		case 1:
			if (n < 1)
				return;
			odd = p[0] & 0x80;
			gt->nai = p[0] & 0x7f;
			hdr = 1;
			break;
		case 2:
			if (n < 1)
				return;
			gt->tt = p[0];
			hdr = 1;
			break;
		case 3:
		case 4:
			if (n < (gt->gti == 3 ? 2u : 3u))
				return;
			gt->tt = p[0];
			gt->np = p[1] >> 4;
			gt->es = p[1] & 0x0f;
			if (gt->gti == 4)
				gt->nai = p[2] & 0x7f;
			hdr = gt->gti == 3 ? 2 : 3;
			bcd = gt->es == 1 || gt->es == 2;
			odd = gt->es == 1;
			break;
		default:
			return;
		}
	} else {
		switch (gt->gti) {
		case 1:
			if (n < 2)
				return;
			gt->tt = p[0];
			gt->np = p[1] >> 4;
			gt->es = p[1] & 0x0f;
			hdr = 2;
			bcd = gt->es == 1 || gt->es == 2;
			odd = gt->es == 1;
			break;
		case 2:
			if (n < 1)
				return;
			gt->tt = p[0];
			hdr = 1;
			break;
		default:
			return;
		}
	}
	if (bcd)
		bcd_get(gt->digits, sizeof(gt->digits), p + hdr, n - hdr, odd);
}

/*! \brief Decode an SCCP called/calling party address (the octets after its length octet).
 *  \returns 0 or -EINVAL if the indicated parts do not fit in len. A global title that cannot
 *  be decoded into digits is not an error: gt.digits stays empty and gt.raw holds it. */
int sgt_sccp_addr_parse(struct sgt_sccp_addr *a, enum sgt_variant v, const uint8_t *buf, size_t len)
{
	size_t pos = 1;
	bool pci, ssni;
	uint8_t ai;

	memset(a, 0, sizeof(*a));
	if (len < 1)
		return -EINVAL;
	ai = buf[0];
	a->national = ai & AI_NATIONAL;
	a->route_on_ssn = ai & AI_ROUTE_ON_SSN;
	a->gt.gti = (ai >> AI_GTI_SHIFT) & AI_GTI_MASK;
	if (v == SGT_ITU) {
		pci = ai & AI_ITU_PC;
		ssni = ai & AI_ITU_SSN;
		if (pci) {
			if (len < pos + 2)
				return -EINVAL;
			a->pc_present = true;
			a->pc = buf[pos] | (buf[pos + 1] & 0x3f) << 8;
			pos += 2;
		}
		if (ssni) {
			if (len < pos + 1)
				return -EINVAL;
			a->ssn_present = true;
			a->ssn = buf[pos++];
		}
	} else {
		pci = ai & AI_ANSI_PC;
		ssni = ai & AI_ANSI_SSN;
		if (ssni) {
			if (len < pos + 1)
				return -EINVAL;
			a->ssn_present = true;
			a->ssn = buf[pos++];
		}
		if (pci) {
			if (len < pos + 3)
				return -EINVAL;
			a->pc_present = true;
			a->pc = buf[pos] | buf[pos + 1] << 8 | (uint32_t)buf[pos + 2] << 16;
			pos += 3;
		}
	}
	if (a->gt.gti)
		gt_parse(&a->gt, v, buf + pos, len - pos);
	return 0;
}

/* ----- SCCP messages ----- */

/*! \brief Encode a connectionless SCCP message: UDT, XUDT or LUDT (or UDTS/XUDTS/LUDTS).
 *  No optional part is written (the XUDT/LUDT optional-part pointer is 0).
 *  \param[in] m msg_type, proto_class (or return_cause for the services), hop_counter
 *  (0 means 15), called, calling, data
 *  \returns 0, -ENOSPC if buf is too small, -EMSGSIZE if the data or an address is too long
 *  for the message type, -EINVAL for an unsupported message type or bad address values */
int sgt_sccp_build(uint8_t *buf, size_t size, size_t *len, enum sgt_variant v, const struct sgt_sccp_msg *m)
{
	uint8_t cd[255], cg[255];
	size_t cdl, cgl, hdr, off_cd, off_cg, off_data, total, dlen_len;
	bool service;
	int rc;

	switch (m->msg_type) {
	case SGT_SCCP_UDT:
	case SGT_SCCP_UDTS:
		hdr = 2 + 3;
		dlen_len = 1;
		break;
	case SGT_SCCP_XUDT:
	case SGT_SCCP_XUDTS:
		hdr = 3 + 4;
		dlen_len = 1;
		break;
	case SGT_SCCP_LUDT:
	case SGT_SCCP_LUDTS:
		hdr = 3 + 4 * 2;
		dlen_len = 2;
		break;
	default:
		return -EINVAL;
	}
	service = m->msg_type == SGT_SCCP_UDTS || m->msg_type == SGT_SCCP_XUDTS || m->msg_type == SGT_SCCP_LUDTS;
	if (m->data_len > (dlen_len == 1 ? 0xffu : 0xffffu))
		return -EMSGSIZE;
	rc = sgt_sccp_addr_build(cd, sizeof(cd), &cdl, v, &m->called);
	if (rc < 0)
		return rc == -ENOSPC ? -EMSGSIZE : rc;
	rc = sgt_sccp_addr_build(cg, sizeof(cg), &cgl, v, &m->calling);
	if (rc < 0)
		return rc == -ENOSPC ? -EMSGSIZE : rc;

	off_cd = hdr;
	off_cg = off_cd + 1 + cdl;
	off_data = off_cg + 1 + cgl;
	total = off_data + dlen_len + m->data_len;
	if (total > size)
		return -ENOSPC;

	buf[0] = m->msg_type;
	buf[1] = service ? m->return_cause : m->proto_class;
	if (dlen_len == 1 && hdr == 5) {
		/* UDT: pointers at 2, 3, 4, each relative to its own position */
		if (off_data - 4 > 0xff)
			return -EMSGSIZE;
		buf[2] = off_cd - 2;
		buf[3] = off_cg - 3;
		buf[4] = off_data - 4;
	} else if (dlen_len == 1) {
		/* XUDT: hop counter, pointers at 3, 4, 5 and the optional-part pointer at 6 */
		if (off_data - 5 > 0xff)
			return -EMSGSIZE;
		buf[2] = m->hop_counter ? m->hop_counter : SCCP_DEFAULT_HOPS;
		buf[3] = off_cd - 3;
		buf[4] = off_cg - 4;
		buf[5] = off_data - 5;
		buf[6] = 0;
	} else {
		/* LUDT: two-octet pointers (LSB first) at 3, 5, 7 and 9, each counted from its
		 * own second (most significant) octet, as Wireshark reads them */
		buf[2] = m->hop_counter ? m->hop_counter : SCCP_DEFAULT_HOPS;
		buf[3] = (off_cd - 4) & 0xff;
		buf[4] = (off_cd - 4) >> 8;
		buf[5] = (off_cg - 6) & 0xff;
		buf[6] = (off_cg - 6) >> 8;
		buf[7] = (off_data - 8) & 0xff;
		buf[8] = (off_data - 8) >> 8;
		buf[9] = 0;
		buf[10] = 0;
	}
	buf[off_cd] = cdl;
	memcpy(buf + off_cd + 1, cd, cdl);
	buf[off_cg] = cgl;
	memcpy(buf + off_cg + 1, cg, cgl);
	if (dlen_len == 1) {
		buf[off_data] = m->data_len;
	} else {
		buf[off_data] = m->data_len & 0xff;
		buf[off_data + 1] = m->data_len >> 8;
	}
	if (m->data_len)
		memcpy(buf + off_data + dlen_len, m->data, m->data_len);
	*len = total;
	return 0;
}

/* Follows a one- or two-octet pointer at ptr_off to a variable parameter with a one- or
 * two-octet length indicator; checks that the whole parameter lies inside the message. */
static int sccp_var_param(const uint8_t **val, size_t *vlen, const uint8_t *buf, size_t len,
			  size_t ptr_off, bool long_ptr, bool long_len)
{
	size_t ptr, off, l;

	if (long_ptr) {
		if (ptr_off + 2 > len)
			return -EINVAL;
		ptr = buf[ptr_off] | buf[ptr_off + 1] << 8;
		if (ptr)
			ptr++;	/* counted from the pointer's second octet */
	} else {
		if (ptr_off + 1 > len)
			return -EINVAL;
		ptr = buf[ptr_off];
	}
	if (ptr == 0)
		return -EINVAL;
	off = ptr_off + ptr;
	if (long_len) {
		if (off + 2 > len)
			return -EINVAL;
		l = buf[off] | buf[off + 1] << 8;
		off += 2;
	} else {
		if (off + 1 > len)
			return -EINVAL;
		l = buf[off];
		off += 1;
	}
	if (l > len - off)
		return -EINVAL;
	*val = buf + off;
	*vlen = l;
	return 0;
}

/* Walks the optional part (name, length, value ... end-of-optional-parameters). */
static int sccp_optional_part(struct sgt_sccp_msg *m, const uint8_t *buf, size_t len, size_t ptr_off, bool long_ptr)
{
	size_t ptr, off;

	if (long_ptr)
		ptr = buf[ptr_off] | buf[ptr_off + 1] << 8;
	else
		ptr = buf[ptr_off];
	if (ptr == 0)
		return 0;
	if (long_ptr)
		ptr++;
	off = ptr_off + ptr;
	while (off < len) {
		uint8_t name = buf[off];
		size_t l;

		if (name == SCCP_PARAM_EOP)
			return 0;
		if (off + 2 > len)
			return -EINVAL;
		l = buf[off + 1];
		if (l > len - off - 2)
			return -EINVAL;
		if (name == SCCP_PARAM_SEGMENTATION) {
			/* Q.713 3.17: bit 8 first segment, bits 4..1 remaining segments */
			if (l < 1)
				return -EINVAL;
			if (!(buf[off + 2] & 0x80) || (buf[off + 2] & 0x0f))
				m->segmented = true;
		}
		off += 2 + l;
	}
	/* a missing end-of-optional-parameters octet is tolerated */
	return 0;
}

/*! \brief Decode a connectionless SCCP message (UDT, XUDT, LUDT or their services).
 *  \param[out] m message; m->data points into buf
 *  \returns 0, -ENODATA for another (valid-looking) SCCP message type such as CR or DT1,
 *  -EINVAL when a pointer, length or address does not fit in len */
int sgt_sccp_parse(struct sgt_sccp_msg *m, enum sgt_variant v, const uint8_t *buf, size_t len)
{
	const uint8_t *cd, *cg;
	size_t cdl, cgl, p0;
	bool long_ptr = false, has_hops = false, has_opt = false;
	int rc;

	memset(m, 0, sizeof(*m));
	if (len < 1)
		return -EINVAL;
	m->msg_type = buf[0];
	switch (m->msg_type) {
	case SGT_SCCP_UDT:
	case SGT_SCCP_UDTS:
		p0 = 2;
		break;
	case SGT_SCCP_XUDT:
	case SGT_SCCP_XUDTS:
		p0 = 3;
		has_hops = has_opt = true;
		break;
	case SGT_SCCP_LUDT:
	case SGT_SCCP_LUDTS:
		p0 = 3;
		has_hops = has_opt = long_ptr = true;
		break;
	default:
		return -ENODATA;
	}
	if (len < p0 + (long_ptr ? 8 : has_opt ? 4 : 3))
		return -EINVAL;
	if (m->msg_type == SGT_SCCP_UDTS || m->msg_type == SGT_SCCP_XUDTS || m->msg_type == SGT_SCCP_LUDTS)
		m->return_cause = buf[1];
	else
		m->proto_class = buf[1];
	if (has_hops)
		m->hop_counter = buf[2];

	rc = sccp_var_param(&cd, &cdl, buf, len, p0, long_ptr, false);
	if (rc < 0)
		return rc;
	rc = sccp_var_param(&cg, &cgl, buf, len, p0 + (long_ptr ? 2 : 1), long_ptr, false);
	if (rc < 0)
		return rc;
	rc = sccp_var_param(&m->data, &m->data_len, buf, len, p0 + (long_ptr ? 4 : 2), long_ptr, long_ptr);
	if (rc < 0)
		return rc;
	if (has_opt) {
		rc = sccp_optional_part(m, buf, len, p0 + (long_ptr ? 6 : 3), long_ptr);
		if (rc < 0)
			return rc;
	}
	rc = sgt_sccp_addr_parse(&m->called, v, cd, cdl);
	if (rc < 0)
		return rc;
	return sgt_sccp_addr_parse(&m->calling, v, cg, cgl);
}

/* ----- M3UA ----- */

/*! \brief Encode an M3UA DATA message (RFC 4666 3.3.1) around an MTP3-user payload.
 *  \param[in] lbl OPC, DPC, SI, NI, MP, SLS for the Protocol Data parameter
 *  \param[in] rctx routing context to include, or NULL for none
 *  \returns 0, -ENOSPC if buf is too small, -EMSGSIZE if the payload is too long */
int sgt_m3ua_data_build(uint8_t *buf, size_t size, size_t *len, const struct sgt_mtp_label *lbl,
			const uint32_t *rctx, const uint8_t *payload, size_t payload_len)
{
	size_t pd_len = 4 + M3UA_PROTO_DATA_HDR + payload_len;
	size_t total, pos = 8;

	if (pd_len > 0xffff)
		return -EMSGSIZE;
	total = 8 + (rctx ? 8 : 0) + pad4(pd_len);
	if (total > size)
		return -ENOSPC;
	buf[0] = M3UA_VERSION;
	buf[1] = 0;
	buf[2] = M3UA_CLASS_TRANSFER;
	buf[3] = M3UA_TYPE_DATA;
	put_u32(buf + 4, total);
	if (rctx) {
		put_u16(buf + pos, M3UA_TAG_ROUTE_CTX);
		put_u16(buf + pos + 2, 8);
		put_u32(buf + pos + 4, *rctx);
		pos += 8;
	}
	put_u16(buf + pos, M3UA_TAG_PROTO_DATA);
	put_u16(buf + pos + 2, pd_len);
	put_u32(buf + pos + 4, lbl->opc);
	put_u32(buf + pos + 8, lbl->dpc);
	buf[pos + 12] = lbl->si;
	buf[pos + 13] = lbl->ni;
	buf[pos + 14] = lbl->mp;
	buf[pos + 15] = lbl->sls;
	if (payload_len)
		memcpy(buf + pos + 16, payload, payload_len);
	memset(buf + pos + pd_len, 0, pad4(pd_len) - pd_len);
	*len = total;
	return 0;
}

/*! \brief Find the Protocol Data of an M3UA DATA message.
 *  \param[out] lbl routing label from Protocol Data
 *  \param[out] rctx first routing context, if *rctx_present
 *  \param[out] payload,payload_len the MTP3-user data (points into buf)
 *  \returns 0, -ENOMSG for another M3UA message class/type (ASPSM, SSNM, ...), -EINVAL when
 *  the header or a parameter does not fit or DATA lacks Protocol Data */
int sgt_m3ua_data_parse(struct sgt_mtp_label *lbl, uint32_t *rctx, bool *rctx_present,
			const uint8_t **payload, size_t *payload_len, const uint8_t *buf, size_t len)
{
	size_t msg_len, pos = 8;

	*rctx_present = false;
	if (len < 8 || buf[0] != M3UA_VERSION)
		return -EINVAL;
	msg_len = get_u32(buf + 4);
	if (msg_len < 8 || msg_len > len)
		return -EINVAL;
	if (buf[2] != M3UA_CLASS_TRANSFER || buf[3] != M3UA_TYPE_DATA)
		return -ENOMSG;
	while (msg_len - pos >= 4) {
		uint16_t tag = get_u16(buf + pos);
		size_t plen = get_u16(buf + pos + 2);

		if (plen < 4 || plen > msg_len - pos)
			return -EINVAL;
		if (tag == M3UA_TAG_ROUTE_CTX && plen >= 8 && !*rctx_present) {
			*rctx = get_u32(buf + pos + 4);
			*rctx_present = true;
		} else if (tag == M3UA_TAG_PROTO_DATA) {
			if (plen < 4 + M3UA_PROTO_DATA_HDR)
				return -EINVAL;
			lbl->opc = get_u32(buf + pos + 4);
			lbl->dpc = get_u32(buf + pos + 8);
			lbl->si = buf[pos + 12];
			lbl->ni = buf[pos + 13];
			lbl->mp = buf[pos + 14];
			lbl->sls = buf[pos + 15];
			*payload = buf + pos + 16;
			*payload_len = plen - 16;
			return 0;
		}
		/* the last parameter's padding may be missing: stop at the end either way */
		if (pad4(plen) >= msg_len - pos)
			break;
		pos += pad4(plen);
	}
	return -EINVAL;
}

/* ----- SUA ----- */

static size_t sua_put_param(uint8_t *p, uint16_t tag, const uint8_t *val, size_t vlen)
{
	put_u16(p, tag);
	put_u16(p + 2, 4 + vlen);
	if (vlen)
		memcpy(p + 4, val, vlen);
	memset(p + 4 + vlen, 0, pad4(4 + vlen) - (4 + vlen));
	return pad4(4 + vlen);
}

/* RFC 3868 3.10.2: routing indicator, address indicator, then PC / SSN / GT parameters. */
static int sua_addr_build(uint8_t *out, size_t size, size_t *len, const struct sgt_sccp_addr *a)
{
	uint8_t tmp[4], gt[8 + 4 + SGT_GT_DIGITS_MAX / 2];
	uint16_t ai = 0;
	size_t pos = 4;
	int rc;

	/* worst case: header, PC, SSN and a GT parameter with 40 digits */
	if (size < 4 + 8 + 8 + pad4(4 + sizeof(gt)))
		return -ENOSPC;
	if (a->pc_present) {
		ai |= SUA_AI_PC;
		put_u32(tmp, a->pc);
		pos += sua_put_param(out + pos, SUA_TAG_PC, tmp, 4);
	}
	if (a->ssn_present) {
		ai |= SUA_AI_SSN;
		put_u32(tmp, a->ssn);
		pos += sua_put_param(out + pos, SUA_TAG_SSN, tmp, 4);
	}
	if (a->gt.gti) {
		size_t n = strlen(a->gt.digits);

		ai |= SUA_AI_GT;
		memset(gt, 0, 3);
		gt[3] = a->gt.gti;
		gt[4] = n;
		gt[5] = a->gt.tt;
		gt[6] = a->gt.np;
		gt[7] = a->gt.nai;
		rc = bcd_put(gt + 8, sizeof(gt) - 8, a->gt.digits);
		if (rc < 0)
			return rc;
		pos += sua_put_param(out + pos, SUA_TAG_GT, gt, 8 + rc);
	}
	put_u16(out, a->route_on_ssn ? SUA_RI_SSN_PC : SUA_RI_GT);
	put_u16(out + 2, ai);
	*len = pos;
	return 0;
}

/*! \brief Encode a SUA CLDT message (RFC 3868 3.3.1) carrying m->data from m->calling to m->called.
 *  \param[in] rctx routing context to include, or NULL
 *  \param[in] m proto_class, called (destination), calling (source), data; hop count 15
 *  \returns 0, -ENOSPC, -EMSGSIZE, -EINVAL (bad digits) */
int sgt_sua_cldt_build(uint8_t *buf, size_t size, size_t *len, const uint32_t *rctx, const struct sgt_sccp_msg *m)
{
	uint8_t src[128], dst[128], tmp[4];
	size_t srcl, dstl, total, pos = 8;
	int rc;

	if (m->data_len > 0xffff - 4)
		return -EMSGSIZE;
	rc = sua_addr_build(src, sizeof(src), &srcl, &m->calling);
	if (rc < 0)
		return rc;
	rc = sua_addr_build(dst, sizeof(dst), &dstl, &m->called);
	if (rc < 0)
		return rc;
	total = 8 + (rctx ? 8 : 0) + 8 + pad4(4 + srcl) + pad4(4 + dstl) + 8 + 8 + pad4(4 + m->data_len);
	if (total > size)
		return -ENOSPC;
	buf[0] = SUA_VERSION;
	buf[1] = 0;
	buf[2] = SUA_CLASS_CL;
	buf[3] = SUA_TYPE_CLDT;
	put_u32(buf + 4, total);
	if (rctx) {
		put_u32(tmp, *rctx);
		pos += sua_put_param(buf + pos, SUA_TAG_ROUTE_CTX, tmp, 4);
	}
	put_u32(tmp, m->proto_class);
	pos += sua_put_param(buf + pos, SUA_TAG_PROTO_CLASS, tmp, 4);
	pos += sua_put_param(buf + pos, SUA_TAG_SRC_ADDR, src, srcl);
	pos += sua_put_param(buf + pos, SUA_TAG_DST_ADDR, dst, dstl);
	put_u32(tmp, 0);
	pos += sua_put_param(buf + pos, SUA_TAG_SEQ_CTRL, tmp, 4);
	put_u32(tmp, m->hop_counter ? m->hop_counter : SCCP_DEFAULT_HOPS);
	pos += sua_put_param(buf + pos, SUA_TAG_HOP_COUNT, tmp, 4);
	pos += sua_put_param(buf + pos, SUA_TAG_DATA, m->data, m->data_len);
	*len = pos;
	return 0;
}

static int sua_addr_parse(struct sgt_sccp_addr *a, const uint8_t *p, size_t len)
{
	size_t pos = 4;
	uint16_t ri;

	memset(a, 0, sizeof(*a));
	if (len < 4)
		return -EINVAL;
	ri = get_u16(p);
	a->route_on_ssn = ri != SUA_RI_GT;
	while (len - pos >= 4) {
		uint16_t tag = get_u16(p + pos);
		size_t plen = get_u16(p + pos + 2);

		if (plen < 4 || plen > len - pos)
			return -EINVAL;
		switch (tag) {
		case SUA_TAG_PC:
			if (plen != 8)
				return -EINVAL;
			a->pc_present = true;
			a->pc = get_u32(p + pos + 4) & 0xffffff;
			break;
		case SUA_TAG_SSN:
			if (plen != 8)
				return -EINVAL;
			a->ssn_present = true;
			a->ssn = p[pos + 7];
			break;
		case SUA_TAG_GT: {
			const uint8_t *g = p + pos + 4;
			size_t glen = plen - 4, ndig;

			if (glen < 8)
				return -EINVAL;
			a->gt.gti = g[3];
			ndig = g[4];
			a->gt.tt = g[5];
			a->gt.np = g[6];
			a->gt.nai = g[7];
			a->gt.raw = g;
			a->gt.raw_len = glen;
			if ((ndig + 1) / 2 > glen - 8)
				return -EINVAL;
			bcd_get(a->gt.digits, sizeof(a->gt.digits), g + 8, (ndig + 1) / 2, ndig % 2);
			break;
		}
		default:
			break;	/* IPv4/IPv6/hostname: not used on SS7 */
		}
		if (pad4(plen) >= len - pos)
			break;
		pos += pad4(plen);
	}
	return 0;
}

/*! \brief Decode a SUA connectionless message: CLDT (as UDT) or CLDR (as UDTS).
 *  \param[out] m message; m->data points into buf
 *  \returns 0, -ENOMSG for other SUA classes/types, -EINVAL for bad lengths or a message
 *  without addresses or data */
int sgt_sua_parse(struct sgt_sccp_msg *m, uint32_t *rctx, bool *rctx_present, const uint8_t *buf, size_t len)
{
	size_t msg_len, pos = 8;
	bool have_src = false, have_dst = false, have_data = false;
	int rc;

	memset(m, 0, sizeof(*m));
	*rctx_present = false;
	if (len < 8 || buf[0] != SUA_VERSION)
		return -EINVAL;
	msg_len = get_u32(buf + 4);
	if (msg_len < 8 || msg_len > len)
		return -EINVAL;
	if (buf[2] != SUA_CLASS_CL || (buf[3] != SUA_TYPE_CLDT && buf[3] != SUA_TYPE_CLDR))
		return -ENOMSG;
	m->msg_type = buf[3] == SUA_TYPE_CLDT ? SGT_SCCP_UDT : SGT_SCCP_UDTS;
	while (msg_len - pos >= 4) {
		uint16_t tag = get_u16(buf + pos);
		size_t plen = get_u16(buf + pos + 2);
		const uint8_t *val = buf + pos + 4;
		size_t vlen = plen - 4;

		if (plen < 4 || plen > msg_len - pos)
			return -EINVAL;
		switch (tag) {
		case SUA_TAG_ROUTE_CTX:
			if (vlen >= 4 && !*rctx_present) {
				*rctx = get_u32(val);
				*rctx_present = true;
			}
			break;
		case SUA_TAG_PROTO_CLASS:
			if (vlen != 4)
				return -EINVAL;
			m->proto_class = val[3];
			break;
		case SUA_TAG_CAUSE:
			if (vlen != 4)
				return -EINVAL;
			m->return_cause = val[3];
			break;
		case SUA_TAG_HOP_COUNT:
			if (vlen != 4)
				return -EINVAL;
			m->hop_counter = val[3];
			break;
		case SUA_TAG_SEGMENTATION:
			if (vlen != 4)
				return -EINVAL;
			if (!(val[0] & 0x80) || (val[0] & 0x7f))
				m->segmented = true;
			break;
		case SUA_TAG_SRC_ADDR:
			rc = sua_addr_parse(&m->calling, val, vlen);
			if (rc < 0)
				return rc;
			have_src = true;
			break;
		case SUA_TAG_DST_ADDR:
			rc = sua_addr_parse(&m->called, val, vlen);
			if (rc < 0)
				return rc;
			have_dst = true;
			break;
		case SUA_TAG_DATA:
			m->data = val;
			m->data_len = vlen;
			have_data = true;
			break;
		default:
			break;
		}
		if (pad4(plen) >= msg_len - pos)
			break;
		pos += pad4(plen);
	}
	if (!have_src || !have_dst)
		return -EINVAL;
	if (!have_data)
		return m->msg_type == SGT_SCCP_UDTS ? -ENODATA : -EINVAL;
	return 0;
}

/* ----- IPA ----- */

/*! \brief Encode an IPA frame: 2-octet big-endian payload length, stream id, payload.
 *  \returns 0, -ENOSPC, -EMSGSIZE (payload over 65535 octets) */
int sgt_ipa_build(uint8_t *buf, size_t size, size_t *len, uint8_t stream, const uint8_t *payload, size_t payload_len)
{
	if (payload_len > 0xffff)
		return -EMSGSIZE;
	if (size < SGT_IPA_HDR_LEN + payload_len)
		return -ENOSPC;
	put_u16(buf, payload_len);
	buf[2] = stream;
	if (payload_len)
		memcpy(buf + SGT_IPA_HDR_LEN, payload, payload_len);
	*len = SGT_IPA_HDR_LEN + payload_len;
	return 0;
}

/*! \brief Split the first IPA frame off a byte stream.
 *  \param[out] stream stream identifier (0xFD = SCCP)
 *  \param[out] payload,payload_len payload (points into buf)
 *  \param[out] frame_len octets the frame occupies in buf
 *  \returns 0 or -EAGAIN if buf does not hold a complete frame yet */
int sgt_ipa_frame(uint8_t *stream, const uint8_t **payload, size_t *payload_len, size_t *frame_len,
		  const uint8_t *buf, size_t len)
{
	size_t l;

	if (len < SGT_IPA_HDR_LEN)
		return -EAGAIN;
	l = get_u16(buf);
	if (len - SGT_IPA_HDR_LEN < l)
		return -EAGAIN;
	*stream = buf[2];
	*payload = buf + SGT_IPA_HDR_LEN;
	*payload_len = l;
	*frame_len = SGT_IPA_HDR_LEN + l;
	return 0;
}

/*! \brief Whether a stream identifier is one IPA peers use (RSL 0x00, OSMO 0xEE, MGCP 0xFC,
 *  SCCP 0xFD, CCM 0xFE, OML 0xFF); used to notice a byte stream that is not IPA or out of step. */
bool sgt_ipa_stream_known(uint8_t stream)
{
	return stream == 0x00 || stream == 0xee || stream >= 0xfc;
}

/*! \brief Drop any partial frame and free the buffer. */
void sgt_ipa_reasm_reset(struct sgt_ipa_reasm *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = 0;
}

/*! \brief Feed in-order TCP payload; calls cb for every complete IPA frame.
 *  A frame split across calls is kept in r (at most one frame, SGT_IPA_FRAME_MAX octets);
 *  frames wholly inside data are passed without copying.
 *  \returns 0, the first non-zero cb result, -EPROTO if a frame header carries an unknown
 *  stream id (r is reset: the caller should resynchronise at a later segment), -ENOMEM */
int sgt_ipa_reasm_feed(struct sgt_ipa_reasm *r, const uint8_t *data, size_t len, sgt_ipa_frame_cb cb, void *priv)
{
	size_t off = 0;
	int rc;

	if (r->len > 0) {
		size_t want, take;

		while (r->len < SGT_IPA_HDR_LEN && off < len)
			r->buf[r->len++] = data[off++];
		if (r->len < SGT_IPA_HDR_LEN)
			return 0;
		if (!sgt_ipa_stream_known(r->buf[2])) {
			sgt_ipa_reasm_reset(r);
			return -EPROTO;
		}
		want = SGT_IPA_HDR_LEN + get_u16(r->buf);
		take = want - r->len;
		if (take > len - off)
			take = len - off;
		if (take)
			memcpy(r->buf + r->len, data + off, take);
		r->len += take;
		off += take;
		if (r->len < want)
			return 0;
		r->len = 0;
		rc = cb(priv, r->buf[2], r->buf + SGT_IPA_HDR_LEN, want - SGT_IPA_HDR_LEN);
		if (rc)
			return rc;
	}
	while (off < len) {
		const uint8_t *payload;
		size_t plen, flen;
		uint8_t stream;

		if (len - off >= SGT_IPA_HDR_LEN && !sgt_ipa_stream_known(data[off + 2])) {
			sgt_ipa_reasm_reset(r);
			return -EPROTO;
		}
		rc = sgt_ipa_frame(&stream, &payload, &plen, &flen, data + off, len - off);
		if (rc == -EAGAIN) {
			if (!r->buf) {
				r->buf = malloc(SGT_IPA_FRAME_MAX);
				if (!r->buf)
					return -ENOMEM;
			}
			memcpy(r->buf, data + off, len - off);
			r->len = len - off;
			return 0;
		}
		rc = cb(priv, stream, payload, plen);
		if (rc)
			return rc;
		off += flen;
	}
	return 0;
}

/* ----- transport message to TCAP ----- */

/*! \brief Find the SCCP user data (TCAP) in one transport message.
 *  \param[out] out transport, label (M3UA), routing context, SCCP message; frame, time stamp
 *  and endpoints are zeroed
 *  \param[in] tr SGT_TR_M3UA: an M3UA message; SGT_TR_SUA: a SUA message; SGT_TR_IPA: one
 *  complete IPA frame including its 3-octet header
 *  \param[in] v SCCP address format (not used for SUA)
 *  \returns 0; -ENOMSG if the message carries no SCCP (M3UA/SUA management, SI other than
 *  SCCP, IPA stream other than 0xFD); -ENODATA for an SCCP message without user data
 *  (connection-oriented types); -EINVAL if anything does not fit */
int sgt_extract(struct sgt_tcap_pdu *out, enum sgt_transport tr, enum sgt_variant v, const uint8_t *buf, size_t len)
{
	const uint8_t *payload;
	size_t plen, flen;
	uint8_t stream;
	int rc;

	memset(out, 0, sizeof(*out));
	out->transport = tr;
	switch (tr) {
	case SGT_TR_M3UA:
		rc = sgt_m3ua_data_parse(&out->label, &out->rctx, &out->rctx_present, &payload, &plen, buf, len);
		if (rc < 0)
			return rc;
		out->label_present = true;
		if (out->label.si != SI_SCCP)
			return -ENOMSG;
		return sgt_sccp_parse(&out->sccp, v, payload, plen);
	case SGT_TR_SUA:
		return sgt_sua_parse(&out->sccp, &out->rctx, &out->rctx_present, buf, len);
	case SGT_TR_IPA:
		rc = sgt_ipa_frame(&stream, &payload, &plen, &flen, buf, len);
		if (rc < 0)
			return -EINVAL;
		if (stream != SGT_IPA_STREAM_SCCP)
			return -ENOMSG;
		return sgt_sccp_parse(&out->sccp, v, payload, plen);
	default:
		return -EINVAL;
	}
}
