/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*! \file tcap_numbers.h
 *  \brief Number codecs: ISUP called/calling party numbers (Q.763), CAMEL BCD
 *  address strings (TS 24.008 / TS 29.002), AINDigits (GR-1299), TBCD strings
 *  (IMSI), TimeAndTimezone (TS 29.078), and digits-to-E.164 with a prefix plan.
 *
 *  All decoders take untrusted bytes: they check every length, never read past
 *  len, and return -EINVAL (never assert) on input they cannot represent.
 *
 *  Digit alphabets (struct tcap_number.digits):
 *  - ISUP and AINDigits (Q.763 3.9 f, T1.113): each address signal is written as
 *    the lowercase hex digit of its nibble: '0'-'9', 'b' = code 11, 'c' = code 12,
 *    'f' = ST (end of pulsing); 'a', 'd', 'e' are spare codes, kept so that decode
 *    and encode are exact inverses. The filler nibble of an odd count is ignored
 *    on decode and sent as 0.
 *  - BCD / TBCD (TS 24.008 table 10.5.118, TS 29.002 TBCD-STRING): '0'-'9',
 *    '*' = 0xA, '#' = 0xB, 'a' = 0xC, 'b' = 0xD, 'c' = 0xE; 0xF is the filler and
 *    is accepted only as the high nibble of the last octet.
 *
 *  Coded values are mapped to the normalised enums as follows (anything else is
 *  _OTHER, with the coded value in the _raw field):
 *  - ISUP NAI (Q.763 3.9 b): 1 subscriber, 2 unknown, 3 national, 4 international,
 *    5 network-specific. ISUP NPI (3.9 d): 0 unknown (spare in Q.763, "unknown or not
 *    applicable" in T1.113), 1 ISDN, 3 data, 4 telex, 5 private (Q.763 reserves 101
 *    for national use; EN 300 356-1 and T1.113 use it for the private plan).
 *  - BCD TON (TS 29.002 AddressString): 0 unknown, 1 international, 2 national,
 *    3 network-specific, 4 subscriber (TS 24.008 calls 4 "dedicated access, short
 *    code"). BCD NPI: 0 unknown, 1 ISDN, 3 data, 4 telex, 8 national, 9 private.
 *  - AIN nature of number (GR-1299, T1.113 values): 0 unknown (not applicable),
 *    1 subscriber, 2 unknown, 3 national, 4 international; the T1.113 operator
 *    requested / non-unique values (0x71..0x77) mean different things in different
 *    parameters and stay _OTHER. AIN numbering plan: as ISUP.
 *  - Presentation (ISUP APRI, AIN, TS 24.008 octet 3a): 0 allowed, 1 restricted,
 *    2 unavailable, 3 spare. Screening: 0 user provided not verified, 1 user
 *    provided verified and passed, 2 user provided verified and failed, 3 network.
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

/*! A decoded telephone number in any of our formats. Decode followed by encode
 *  in the same format reproduces well-formed input exactly (spare bits and the ISUP
 *  filler nibble are sent as 0).
 *
 *  Encoders take nature and plan from the enum; the _raw value is used when it is
 *  a value of the target format that maps back to that enum (so "unknown" stays 0
 *  or 2 in AIN as it came, and _OTHER is sent as its raw value), otherwise the
 *  format's standard code for the enum is sent (-EINVAL if the format has none).
 *  Presentation and screening come from the enums; TCAP_PRES_NONE is sent as
 *  "allowed" and TCAP_SCREEN_NONE as "network provided" in ISUP calling numbers
 *  (and BCD octet 3a), and both as 0 in AINDigits. A BCD number with pres != TCAP_PRES_NONE is sent with
 *  the extension bit 0 and the TS 24.008 octet 3a (presentation, screening). */
struct tcap_number {
	char digits[TCAP_NUM_MAX_DIGITS + 1];	/*!< see "Digit alphabets" above; NUL-terminated */
	enum tcap_num_nature nature;
	enum tcap_num_plan plan;
	enum tcap_num_pres pres;
	enum tcap_num_screen screen;
	uint8_t nature_raw;	/*!< NAI (7 bit) / TON (3 bit) as coded */
	uint8_t plan_raw;	/*!< NPI as coded */
	uint8_t pres_raw;	/*!< APRI as coded (2 bit) */
	uint8_t screen_raw;	/*!< SI as coded (2 bit) */
	bool inn_ni;		/*!< ISUP: INN (called) or NI (calling) bit. Not used by BCD (its
				 *   extension bit is 0 exactly when pres is set) nor AIN, so
				 *   that it cannot leak into an ISUP INN bit. */
};

/*! Formats the number codecs know. */
enum tcap_num_format {
	TCAP_NUMFMT_ISUP_CALLED,	/*!< Q.763 3.9 called party number (also CAP destinationRoutingAddress) */
	TCAP_NUMFMT_ISUP_CALLING,	/*!< Q.763 3.10 calling party number (also location,
					 *   redirecting and original called numbers; their spare
					 *   bits decode as 0 values) */
	TCAP_NUMFMT_BCD,		/*!< TS 29.002 AddressString / TS 24.008 BCD: TON/NPI octet + TBCD */
	TCAP_NUMFMT_AIN_DIGITS,		/*!< GR-1299 AINDigits */
};

/*! \brief Decode a number of the given format.
 *  A number without digits is accepted only where the format allows it: ISUP calling
 *  and BCD (with octet 3a) when presentation is "unavailable", AINDigits always.
 *  \returns 0, or -EINVAL if the bytes are too short, too long (more than
 *  TCAP_NUM_MAX_DIGITS digits) or malformed; *out is untouched on error. */
int tcap_num_decode(struct tcap_number *out, enum tcap_num_format fmt, const uint8_t *buf, size_t len);

/*! \brief Encode a number of the given format into buf (at most size bytes).
 *  \returns 0 and the length in *out_len, -ENOSPC if size is too small, -EINVAL on bad digits. */
int tcap_num_encode(uint8_t *buf, size_t size, size_t *out_len, enum tcap_num_format fmt,
		    const struct tcap_number *in);

/*! \brief Fill a number from text: "+CCNNN" (international, 1..15 digits), or plain
 *  decimal digits (1..TCAP_NUM_MAX_DIGITS) with the given nature (not TCAP_NAT_OTHER,
 *  which needs a coded value). plan is set to ISDN, pres and screen to NONE.
 *  \returns 0 or -EINVAL. */
int tcap_num_from_string(struct tcap_number *out, const char *text, enum tcap_num_nature nature);

/*! \brief Decode a TBCD string (IMSI, etc.): low nibble first, 0xF filler, BCD alphabet.
 *  \returns number of digits, or -EINVAL (empty, more than TCAP_NUM_MAX_DIGITS digits,
 *  misplaced filler) / -ENOSPC (out_size too small for the digits and the NUL). */
int tcap_tbcd_decode(char *out, size_t out_size, const uint8_t *buf, size_t len);

/*! \brief Encode digits as TBCD. \returns 0 and *out_len, or -EINVAL / -ENOSPC. */
int tcap_tbcd_encode(uint8_t *buf, size_t size, size_t *out_len, const char *digits);

/*! CAMEL TimeAndTimezone (TS 29.078): 8 octets of swapped BCD semi-octets. */
struct tcap_time_tz {
	uint16_t year;
	uint8_t month, day, hour, minute, second;
	int8_t tz_quarters;	/*!< offset from UTC in quarters of an hour, signed */
};

/*! \brief Decode TimeAndTimezone. Octets 1..7 hold year (2 octets), month, day, hour,
 *  minute, second, each octet with its first (most significant) digit in bits 4..1.
 *  Octet 8 is the TS 23.040 9.2.3.11 time zone in quarters of an hour: the first
 *  semi-octet (bits 4..1) holds the sign in its top bit (mask 0x08, 1 = negative) and
 *  the tens digit below it; bits 8..5 hold the units digit (0x0a = -20 = -05:00).
 *  \returns 0, or -EINVAL if len is not 8, a nibble is not BCD or a value is out of
 *  range (month 1..12, day within the month, hour 0..23, minute and second 0..59,
 *  zone within +-14:00). */
int tcap_time_tz_decode(struct tcap_time_tz *out, const uint8_t *buf, size_t len);
/*! \brief Encode TimeAndTimezone (same ranges as the decoder, year 0..9999).
 *  \returns 0 or -EINVAL/-ENOSPC; writes exactly 8 octets. */
int tcap_time_tz_encode(uint8_t *buf, size_t size, size_t *out_len, const struct tcap_time_tz *in);
/*! \brief ISO 8601 text, e.g. "2021-02-14T15:47:13+02:30".
 *  \returns 0, -EINVAL for out-of-range fields, or -ENOSPC (26 bytes are enough). */
int tcap_time_tz_format(char *out, size_t out_size, const struct tcap_time_tz *in);

/*! Prefix plan used to turn dialled or signalled digits into E.164. */
struct tcap_dialplan {
	char country_code[4];		/*!< e.g. "1", "44" */
	char national_prefix[5];	/*!< trunk prefix, e.g. "1" (NANP), "0" */
	char international_prefix[6];	/*!< e.g. "011", "00" */
	uint8_t national_len;		/*!< expected national significant number length, 0 = any */
};

/*! \brief Derive "+E164" from a decoded number and a plan.
 *  International numbers are taken as they are (a leading international prefix is
 *  stripped: some switches send both, and no country code starts with 0); national
 *  numbers get the country code (after stripping a leading national prefix, when the
 *  rest then has national_len digits or national_len is 0); numbers of unknown nature
 *  are classified by their international prefix, then their national prefix (the
 *  rest must have national_len digits when that is set), then by having exactly
 *  national_len digits. Subscriber, network-specific and _OTHER numbers, plans other
 *  than ISDN and unknown (plan 0 is common in AIN and BCD numbers), digits that are
 *  not all decimal, and results over 15 digits have no E.164 form.
 *  \returns 0, -ENOENT if no E.164 form can be derived, -ENOSPC, or -EINVAL if the
 *  plan's strings are not NUL-terminated decimal digits. */
int tcap_num_to_e164(char *out, size_t out_size, const struct tcap_number *n, const struct tcap_dialplan *plan);

/*! \brief Name for JSON and logs: subscriber, unknown, national, international,
 *  network_specific, other. \returns NULL for a value outside the enum. */
const char *tcap_num_nature_name(enum tcap_num_nature v);
/*! \brief Name for JSON and logs: unknown, isdn, data, telex, private, national, other.
 *  \returns NULL for a value outside the enum. */
const char *tcap_num_plan_name(enum tcap_num_plan v);
/*! \brief Name for JSON and logs: allowed, restricted, unavailable, spare.
 *  \returns NULL for TCAP_PRES_NONE (no such field) and values outside the enum. */
const char *tcap_num_pres_name(enum tcap_num_pres v);
/*! \brief Name for JSON and logs: user_not_verified, user_verified_passed,
 *  user_verified_failed, network. \returns NULL for TCAP_SCREEN_NONE and values outside the enum. */
const char *tcap_num_screen_name(enum tcap_num_screen v);
