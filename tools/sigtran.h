/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* SIGTRAN/SCCP framing for tools and tests: builders and parsers for SCCP UDT/XUDT/LUDT
 * (ITU Q.713 and ANSI T1.112 address formats), M3UA DATA (RFC 4666), SUA CLDT (RFC 3868)
 * and IPA framing, plus a pcap/pcapng reader that finds the TCAP messages in a capture.
 *
 * Everything here works on caller-supplied buffers. Parsers check every length against
 * the input and never read past its end; what they return points into the input.
 * See doc/sigtran-framing.md for the formats and the limits. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*! Which SCCP address format (and point code size) to use. */
enum sgt_variant {
	SGT_ITU = 0,	/*!< Q.713: AI bit 1 = PC, bit 2 = SSN; PC 14 bits in 2 octets; PC before SSN */
	SGT_ANSI = 1,	/*!< T1.112: AI bit 1 = SSN, bit 2 = PC; PC 24 bits in 3 octets; SSN before PC */
};

/*! What carried the SCCP message. */
enum sgt_transport {
	SGT_TR_NONE = 0,
	SGT_TR_M3UA,	/*!< M3UA DATA, Protocol Data parameter with SI = 3 */
	SGT_TR_SUA,	/*!< SUA connectionless CLDT / CLDR (no SCCP octets on the wire) */
	SGT_TR_IPA,	/*!< IPA frame, stream 0xFD, SCCP directly inside */
};

/* SCCP message types (Q.713 4.2, T1.112.3) */
#define SGT_SCCP_UDT	0x09
#define SGT_SCCP_UDTS	0x0a
#define SGT_SCCP_XUDT	0x11
#define SGT_SCCP_XUDTS	0x12
#define SGT_SCCP_LUDT	0x13
#define SGT_SCCP_LUDTS	0x14

/* Protocol class octet: class 0/1 in bits 4..1, "return message on error" in bit 8 */
#define SGT_PCLASS_RETURN_ON_ERROR	0x80

#define SGT_IPA_STREAM_SCCP	0xfd
#define SGT_IPA_HDR_LEN		3
/*! Longest IPA frame: 3 octets of header plus a 16-bit payload length. */
#define SGT_IPA_FRAME_MAX	(SGT_IPA_HDR_LEN + 0xffff)

#define SGT_M3UA_PPI	3
#define SGT_SUA_PPI	4
#define SGT_M3UA_PORT	2905
#define SGT_SUA_PORT	14001

/*! Longest global title we decode into digits; longer ones keep only their raw octets. */
#define SGT_GT_DIGITS_MAX	40

/*! Global title. gti == 0 means "no global title". */
struct sgt_gt {
	uint8_t gti;	/*!< global title indicator (ITU 1..4, ANSI 1..2; SUA 1..4) */
	uint8_t tt;	/*!< translation type (GTI with TT) */
	uint8_t np;	/*!< numbering plan (GTI with NP/ES) */
	uint8_t es;	/*!< encoding scheme as received (builders compute it: 1 BCD odd, 2 BCD even) */
	uint8_t nai;	/*!< nature of address indicator (ITU GTI 1 and 4, SUA) */
	/*! Digits, first digit from the low nibble, as 0-9 and a-f ('\0'-terminated). Empty when
	 * the encoding is not BCD or there are more than SGT_GT_DIGITS_MAX digits. */
	char digits[SGT_GT_DIGITS_MAX + 1];
	const uint8_t *raw;	/*!< parsers: the address information octets as received */
	size_t raw_len;
};

/*! A called or calling party address. */
struct sgt_sccp_addr {
	bool route_on_ssn;	/*!< routing indicator: true = on DPC + SSN, false = on GT */
	bool national;		/*!< AI bit 8: ANSI "national" (normally 1), ITU "reserved for national use" */
	bool pc_present;
	uint32_t pc;		/*!< ITU 14 bits, ANSI 24 bits (network << 16 | cluster << 8 | member) */
	bool ssn_present;
	uint8_t ssn;
	struct sgt_gt gt;
};

/*! One connectionless SCCP message (or the SUA message that stands for one). */
struct sgt_sccp_msg {
	uint8_t msg_type;	/*!< SGT_SCCP_UDT ... LUDTS; SUA CLDT parses as UDT and CLDR as UDTS */
	uint8_t proto_class;	/*!< raw octet (UDT/XUDT/LUDT) */
	uint8_t return_cause;	/*!< UDTS/XUDTS/LUDTS (SUA CLDR: low octet of the SCCP cause) */
	uint8_t hop_counter;	/*!< XUDT/LUDT and their services (builders use 15 if zero) */
	bool segmented;		/*!< parsers: a segmentation parameter other than "first and only" */
	struct sgt_sccp_addr called;
	struct sgt_sccp_addr calling;
	const uint8_t *data;	/*!< the user data (TCAP) */
	size_t data_len;
};

/*! MTP3 routing label as carried in M3UA Protocol Data. */
struct sgt_mtp_label {
	uint32_t opc;
	uint32_t dpc;
	uint8_t si;	/*!< service indicator, 3 = SCCP */
	uint8_t ni;	/*!< network indicator: 0 international, 2 national */
	uint8_t mp;	/*!< message priority */
	uint8_t sls;
};

/*! An IP transport endpoint (for pcap results). */
struct sgt_endpoint {
	int family;		/*!< AF_INET, AF_INET6 or 0 */
	uint8_t addr[16];	/*!< 4 octets for IPv4 */
	uint16_t port;
};

/*! One TCAP message found in a packet (or a capture). */
struct sgt_tcap_pdu {
	uint64_t frame;		/*!< 1-based frame number in the capture (0 if not from a capture) */
	int64_t ts_sec;		/*!< capture time stamp */
	uint32_t ts_nsec;
	enum sgt_transport transport;
	struct sgt_endpoint src, dst;
	bool label_present;	/*!< M3UA only */
	struct sgt_mtp_label label;
	uint32_t rctx;		/*!< M3UA / SUA routing context, if rctx_present */
	bool rctx_present;
	struct sgt_sccp_msg sccp;	/*!< sccp.data/data_len is the TCAP message */
};

const char *sgt_transport_name(enum sgt_transport tr);

/* ----- SCCP ----- */
int sgt_sccp_addr_build(uint8_t *buf, size_t size, size_t *len, enum sgt_variant v,
			const struct sgt_sccp_addr *a);
int sgt_sccp_addr_parse(struct sgt_sccp_addr *a, enum sgt_variant v, const uint8_t *buf, size_t len);
int sgt_sccp_build(uint8_t *buf, size_t size, size_t *len, enum sgt_variant v, const struct sgt_sccp_msg *m);
int sgt_sccp_parse(struct sgt_sccp_msg *m, enum sgt_variant v, const uint8_t *buf, size_t len);

/* ----- M3UA ----- */
int sgt_m3ua_data_build(uint8_t *buf, size_t size, size_t *len, const struct sgt_mtp_label *lbl,
			const uint32_t *rctx, const uint8_t *payload, size_t payload_len);
int sgt_m3ua_data_parse(struct sgt_mtp_label *lbl, uint32_t *rctx, bool *rctx_present,
			const uint8_t **payload, size_t *payload_len, const uint8_t *buf, size_t len);

/* ----- SUA ----- */
int sgt_sua_cldt_build(uint8_t *buf, size_t size, size_t *len, const uint32_t *rctx, const struct sgt_sccp_msg *m);
int sgt_sua_parse(struct sgt_sccp_msg *m, uint32_t *rctx, bool *rctx_present, const uint8_t *buf, size_t len);

/* ----- IPA ----- */
int sgt_ipa_build(uint8_t *buf, size_t size, size_t *len, uint8_t stream, const uint8_t *payload, size_t payload_len);
int sgt_ipa_frame(uint8_t *stream, const uint8_t **payload, size_t *payload_len, size_t *frame_len,
		  const uint8_t *buf, size_t len);
bool sgt_ipa_stream_known(uint8_t stream);

/*! Called for each complete IPA frame; a non-zero return stops sgt_ipa_reasm_feed() and is returned. */
typedef int (*sgt_ipa_frame_cb)(void *priv, uint8_t stream, const uint8_t *payload, size_t payload_len);

/*! Byte-stream reassembly of IPA frames. Holds at most one partial frame (SGT_IPA_FRAME_MAX). */
struct sgt_ipa_reasm {
	uint8_t *buf;	/*!< allocated on first use, freed by sgt_ipa_reasm_reset() */
	size_t len;
};

int sgt_ipa_reasm_feed(struct sgt_ipa_reasm *r, const uint8_t *data, size_t len, sgt_ipa_frame_cb cb, void *priv);
void sgt_ipa_reasm_reset(struct sgt_ipa_reasm *r);

/* ----- one transport message to TCAP ----- */
int sgt_extract(struct sgt_tcap_pdu *out, enum sgt_transport tr, enum sgt_variant v, const uint8_t *buf, size_t len);

/* ----- pcap / pcapng ----- */
struct sgt_pcap;

/*! Counters of what sgt_pcap_next() read and skipped. */
struct sgt_pcap_stats {
	uint64_t frames;		/*!< frames read from the file */
	uint64_t pdus;			/*!< TCAP messages returned */
	uint64_t not_ip;		/*!< link type payload that is not IPv4/IPv6 */
	uint64_t ip_fragments;		/*!< IP fragments (not reassembled) */
	uint64_t other_transport;	/*!< neither SCTP nor TCP */
	uint64_t sctp_fragments;	/*!< SCTP DATA chunks that are part of a fragmented user message */
	uint64_t not_sigtran;		/*!< SCTP DATA with another PPI/port, M3UA/SUA/IPA messages without SCCP data */
	uint64_t not_tcap;		/*!< SCCP messages that carry no TCAP (connection-oriented, SCMG, segmented) */
	uint64_t malformed;		/*!< truncated or inconsistent headers at any layer */
	uint64_t tcp_gaps;		/*!< TCP sequence gaps: the flow's partial IPA frame was dropped */
	uint64_t ipa_resync;		/*!< TCP segments that did not start with a plausible IPA header */
};

int sgt_pcap_open(struct sgt_pcap **pp, const char *path, enum sgt_variant v, char *errbuf, size_t errlen);
int sgt_pcap_next(struct sgt_pcap *p, struct sgt_tcap_pdu *out);
void sgt_pcap_get_stats(const struct sgt_pcap *p, struct sgt_pcap_stats *st);
void sgt_pcap_close(struct sgt_pcap *p);
