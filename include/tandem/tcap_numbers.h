/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*! \file tcap_numbers.h
 *  \brief Number codecs: ISUP called/calling party numbers (Q.763), CAMEL BCD
 *  address strings (TS 24.008 / TS 29.002), AINDigits (GR-1299), TBCD strings
 *  (IMSI), TimeAndTimezone (TS 29.078), and digits-to-E.164 with a prefix plan.
 *
 *  All decoders take untrusted bytes: they check every length and return
 *  -EINVAL (never assert) on input they cannot represent.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*! Longest digit string any of our number formats can carry. */
#define TCAP_NUM_MAX_DIGITS 40

/*! Nature of address, normalised across ISUP NAI, BCD TON and AIN NAI. */
enum tcap_num_nature {
	TCAP_NAT_UNKNOWN = 0,
	TCAP_NAT_SUBSCRIBER,
	TCAP_NAT_NATIONAL,
	TCAP_NAT_INTERNATIONAL,
	TCAP_NAT_NETWORK_SPECIFIC,
	TCAP_NAT_OTHER,		/*!< a coded value we do not map; see nature_raw */
};

/*! Numbering plan (ISUP NPI / BCD NPI / AIN NP), normalised. */
enum tcap_num_plan {
	TCAP_PLAN_UNKNOWN = 0,
	TCAP_PLAN_ISDN,		/*!< E.164 */
	TCAP_PLAN_DATA,		/*!< X.121 */
	TCAP_PLAN_TELEX,	/*!< F.69 */
	TCAP_PLAN_PRIVATE,
	TCAP_PLAN_NATIONAL,
	TCAP_PLAN_OTHER,	/*!< see plan_raw */
};

/*! Address presentation restricted indicator (calling-type numbers only). */
enum tcap_num_pres {
	TCAP_PRES_NONE = 0,	/*!< the format has no presentation field */
	TCAP_PRES_ALLOWED,
	TCAP_PRES_RESTRICTED,
	TCAP_PRES_UNAVAILABLE,
	TCAP_PRES_SPARE,
};

/*! Screening indicator (calling-type numbers only). */
enum tcap_num_screen {
	TCAP_SCREEN_NONE = 0,	/*!< the format has no screening field */
	TCAP_SCREEN_USER_NOT_VERIFIED,
	TCAP_SCREEN_USER_VERIFIED_PASSED,
	TCAP_SCREEN_USER_VERIFIED_FAILED,
	TCAP_SCREEN_NETWORK,
};

/*! A decoded telephone number in any of our formats. Encoders use every field,
 *  so decode followed by encode reproduces well-formed input exactly. */
struct tcap_number {
	char digits[TCAP_NUM_MAX_DIGITS + 1];	/*!< '0'-'9', '*', '#', 'a'-'c', 'e' (ST) */
	enum tcap_num_nature nature;
	enum tcap_num_plan plan;
	enum tcap_num_pres pres;
	enum tcap_num_screen screen;
	uint8_t nature_raw;	/*!< NAI (7 bit) / TON (3 bit) as coded */
	uint8_t plan_raw;	/*!< NPI as coded */
	uint8_t pres_raw;	/*!< APRI as coded (2 bit) */
	uint8_t screen_raw;	/*!< SI as coded (2 bit) */
	bool inn_ni;		/*!< ISUP: INN (called) or NI (calling) bit; BCD: extension bit */
};

/*! Formats the number codecs know. */
enum tcap_num_format {
	TCAP_NUMFMT_ISUP_CALLED,	/*!< Q.763 3.9 called party number (also CAP destinationRoutingAddress) */
	TCAP_NUMFMT_ISUP_CALLING,	/*!< Q.763 3.10 calling party number (also location, redirecting, original called) */
	TCAP_NUMFMT_BCD,		/*!< TS 29.002 AddressString / TS 24.008 BCD: TON/NPI octet + TBCD */
	TCAP_NUMFMT_AIN_DIGITS,		/*!< GR-1299 AINDigits */
};

/*! \brief Decode a number of the given format.
 *  \returns 0, or -EINVAL if the bytes are too short, too long or malformed. */
int tcap_num_decode(struct tcap_number *out, enum tcap_num_format fmt, const uint8_t *buf, size_t len);

/*! \brief Encode a number of the given format into buf (at most size bytes).
 *  \returns 0 and the length in *out_len, -ENOSPC if size is too small, -EINVAL on bad digits. */
int tcap_num_encode(uint8_t *buf, size_t size, size_t *out_len, enum tcap_num_format fmt,
		    const struct tcap_number *in);

/*! \brief Fill a number from text: "+CCNNN" (international), or plain digits with the
 *  given nature. plan is set to ISDN. \returns 0 or -EINVAL. */
int tcap_num_from_string(struct tcap_number *out, const char *text, enum tcap_num_nature nature);

/*! \brief Decode a TBCD string (IMSI, etc.): low nibble first, 0xF filler.
 *  \returns number of digits, or -EINVAL / -ENOSPC. */
int tcap_tbcd_decode(char *out, size_t out_size, const uint8_t *buf, size_t len);

/*! \brief Encode digits as TBCD. \returns 0 and *out_len, or -EINVAL / -ENOSPC. */
int tcap_tbcd_encode(uint8_t *buf, size_t size, size_t *out_len, const char *digits);

/*! CAMEL TimeAndTimezone (TS 29.078): 8 octets of swapped BCD semi-octets. */
struct tcap_time_tz {
	uint16_t year;
	uint8_t month, day, hour, minute, second;
	int8_t tz_quarters;	/*!< offset from UTC in quarters of an hour, signed */
};

/*! \returns 0 or -EINVAL. */
int tcap_time_tz_decode(struct tcap_time_tz *out, const uint8_t *buf, size_t len);
/*! \returns 0 or -EINVAL/-ENOSPC; writes exactly 8 octets. */
int tcap_time_tz_encode(uint8_t *buf, size_t size, size_t *out_len, const struct tcap_time_tz *in);
/*! \brief ISO 8601 text, e.g. "2021-02-14T15:47:13+02:30". \returns 0 or -ENOSPC. */
int tcap_time_tz_format(char *out, size_t out_size, const struct tcap_time_tz *in);

/*! Prefix plan used to turn dialled or signalled digits into E.164. */
struct tcap_dialplan {
	char country_code[4];		/*!< e.g. "1", "44" */
	char national_prefix[5];	/*!< trunk prefix, e.g. "1" (NANP), "0" */
	char international_prefix[6];	/*!< e.g. "011", "00" */
	uint8_t national_len;		/*!< expected national significant number length, 0 = any */
};

/*! \brief Derive "+E164" from a decoded number and a plan.
 *  International numbers are taken as they are; national numbers get the country
 *  code (after stripping a leading national prefix); numbers of unknown nature
 *  are classified by their international/national prefix. Subscriber and
 *  network-specific numbers, and non-ISDN plans, have no E.164 form.
 *  \returns 0, -ENOENT if no E.164 form can be derived, -ENOSPC. */
int tcap_num_to_e164(char *out, size_t out_size, const struct tcap_number *n, const struct tcap_dialplan *plan);

/*! \returns a short name ("subscriber", "national", ...) for JSON and logs. */
const char *tcap_num_nature_name(enum tcap_num_nature v);
const char *tcap_num_plan_name(enum tcap_num_plan v);
const char *tcap_num_pres_name(enum tcap_num_pres v);
const char *tcap_num_screen_name(enum tcap_num_screen v);
