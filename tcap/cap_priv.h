/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Helpers shared by the CAP/INAP argument codecs (tcap/cap*.c): moving octet
 * strings, numbers and leg ids between our structs and asn1c's. Private to
 * libtandem-tcap.
 *
 * Encoders build the asn1c structure on the stack, pointing into our own
 * buffers, and never hand it to ASN_STRUCT_FREE: nothing is allocated. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <INAP-LegID.h>
#include <NULL.h>
#include <OCTET_STRING.h>

#include <tandem/cap.h>
#include <tandem/tcap_numbers.h>

#include "cap_ber.h"

/* Bounds of cAPSpecificBoundSet (TS 29.078 5.3), also used for INAP CS-1. */
#define CAP_LEN_CALLED		2, 18	/*!< CalledPartyNumber */
#define CAP_LEN_CALLING		2, 10	/*!< CallingPartyNumber, LocationNumber, RedirectingPartyID, ... */
#define CAP_LEN_BCD		1, 41	/*!< CalledPartyBCDNumber */
#define CAP_LEN_ISDN		1, 9	/*!< MAP ISDN-AddressString */
#define CAP_LEN_DIGITS		2, 16	/*!< Digits (generic number / digits) */
#define CAP_LEN_CAUSE		2, 32	/*!< Cause */
#define CAP_LEN_SCF_ID		2, 25	/*!< ScfID */
#define CAP_INTEGER4_MAX	2147483647

static inline bool cap_len_ok(size_t len, size_t min, size_t max)
{
	return len >= min && len <= max;
}

/*! Scratch space for one encoded number (the largest, CalledPartyBCDNumber, is 41). */
struct cap_num_buf {
	uint8_t b[48];
};

/*! The value every NULL_t points at when an encoder sets a NULL field. */
extern NULL_t cap_null;

static inline bool cap_is_cap(enum cap_protocol p)
{
	return p == CAP_PROTO_CAP2 || p == CAP_PROTO_CAP3 || p == CAP_PROTO_CAP4;
}

static inline bool cap_proto_valid(enum cap_protocol p)
{
	return cap_is_cap(p) || p == CAP_PROTO_INAP;
}

/*! Copy an octet string of min..cap octets. \returns 0 or -EINVAL. */
static inline int cap_os_get(uint8_t *dst, size_t cap, uint8_t *len, const OCTET_STRING_t *os, size_t min)
{
	if (os->size < 0 || (size_t)os->size < min || (size_t)os->size > cap)
		return -EINVAL;
	memcpy(dst, os->buf, os->size);
	*len = os->size;
	return 0;
}

/*! Point an octet string at our bytes (encoders only). */
static inline void cap_os_set(OCTET_STRING_t *os, const uint8_t *buf, size_t len)
{
	os->buf = (uint8_t *)buf;
	os->size = len;
}

/*! Decode a number whose length must be within min..max octets (the bounds the
 *  encoder enforces, so that what decodes can be encoded again). \returns 0 or -EINVAL. */
static inline int cap_num_get(struct tcap_number *n, enum tcap_num_format fmt, const OCTET_STRING_t *os,
			      size_t min, size_t max)
{
	if (!cap_len_ok(os->size, min, max))
		return -EINVAL;
	return tcap_num_decode(n, fmt, os->buf, os->size) ? -EINVAL : 0;
}

/*! Encode a number into nb and point os at it; its length must be within
 *  min..max octets. \returns 0 or -EINVAL. */
static inline int cap_num_set(OCTET_STRING_t *os, struct cap_num_buf *nb, enum tcap_num_format fmt,
			      const struct tcap_number *n, size_t min, size_t max)
{
	size_t len;

	if (tcap_num_encode(nb->b, sizeof(nb->b), &len, fmt, n) || !cap_len_ok(len, min, max))
		return -EINVAL;
	cap_os_set(os, nb->b, len);
	return 0;
}

/*! Is e an EventTypeBCSM value of protocol p? (origAttemptAuthorized is INAP
 *  only, oTermSeized and callAccepted CAP only.) */
static inline bool cap_event_ok(enum cap_protocol p, enum cap_event_type e)
{
	if (e < CAP_EVT_ORIG_ATTEMPT_AUTHORIZED || e > CAP_EVT_CALL_ACCEPTED || e == 11)
		return false;
	if (p == CAP_PROTO_INAP)
		return e <= CAP_EVT_T_ABANDON;
	return e != CAP_EVT_ORIG_ATTEMPT_AUTHORIZED && (e <= CAP_EVT_O_TERM_SEIZED || e == CAP_EVT_CALL_ACCEPTED);
}

int cap_leg_get(struct cap_leg_id *leg, const INAP_LegID_t *id);
/*! \param octet one octet of storage the encoded LegType points at. */
int cap_leg_set(INAP_LegID_t *id, uint8_t *octet, const struct cap_leg_id *leg);
