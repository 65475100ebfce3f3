/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Number codecs: ISUP called/calling party numbers (Q.763 3.9/3.10), BCD address strings
 * (TS 24.008 10.5.4.7, TS 29.002 AddressString), AINDigits (GR-1299), TBCD strings,
 * CAMEL TimeAndTimezone (TS 29.078 / TS 23.040 9.2.3.11) and digits-to-E.164.
 * Everything here parses bytes from the network: every length is checked first. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <tandem/tcap_numbers.h>

/* Q.763 3.9 f) address signals (also T1.113 / GR-1299 AINDigits): each nibble as its hex digit. */
static const char hex_alphabet[] = "0123456789abcdef";
/* TS 24.008 table 10.5.118 / TS 29.002 TBCD-STRING; 0xF is the filler, not a digit. */
static const char bcd_alphabet[] = "0123456789*#abc";

#define BCD_FILLER 0xf
#define E164_MAX_DIGITS 15

/* Nibble value of c in alphabet, or -1. */
static int nibble_of(const char *alphabet, char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(alphabet, c);
	return p ? (int)(p - alphabet) : -1;
}

/* Length of a NUL-terminated digit string held in a fixed array, or -1 if unterminated. */
static int digits_len(const char *digits, size_t size)
{
	size_t n = strnlen(digits, size);

	return n < size ? (int)n : -1;
}

/*
 * Digit packing
 */

/* ISUP/AIN: n octets, first digit in the low nibble; the high nibble of the last octet
 * is filler when odd (its value is ignored, Q.763 says it is 0). */
static int isup_digits_decode(char *out, const uint8_t *p, size_t n, bool odd)
{
	size_t nd, i;

	if (n > TCAP_NUM_MAX_DIGITS / 2)
		return -EINVAL;
	if (odd && n == 0)
		return -EINVAL;
	nd = 2 * n - (odd ? 1 : 0);
	for (i = 0; i < nd; i++) {
		uint8_t nib = (i & 1) ? p[i / 2] >> 4 : p[i / 2] & 0x0f;

		out[i] = hex_alphabet[nib];
	}
	out[nd] = '\0';
	return (int)nd;
}

/* TBCD: first digit in the low nibble, 0xF only as the high nibble of the last octet.
 * out needs room for 2 * n + 1 characters. Returns the digit count or -EINVAL. */
static int tbcd_digits_decode(char *out, const uint8_t *p, size_t n)
{
	size_t i, nd = 0;

	for (i = 0; i < n; i++) {
		uint8_t lo = p[i] & 0x0f, hi = p[i] >> 4;

		if (lo == BCD_FILLER)
			return -EINVAL;
		out[nd++] = bcd_alphabet[lo];
		if (hi == BCD_FILLER) {
			if (i != n - 1)
				return -EINVAL;	/* filler before the end */
			break;
		}
		out[nd++] = bcd_alphabet[hi];
	}
	out[nd] = '\0';
	return (int)nd;
}

/* Check digits against an alphabet. Returns 0 or -EINVAL. */
static int check_digits(const char *alphabet, const char *digits, size_t nd)
{
	size_t i;

	for (i = 0; i < nd; i++) {
		if (nibble_of(alphabet, digits[i]) < 0)
			return -EINVAL;
	}
	return 0;
}

/* Pack checked digits, low nibble first; the last high nibble of an odd count gets filler. */
static void pack_digits(uint8_t *out, const char *alphabet, const char *digits, size_t nd, uint8_t filler)
{
	size_t i;

	for (i = 0; i < nd; i += 2) {
		uint8_t lo = nibble_of(alphabet, digits[i]);
		uint8_t hi = i + 1 < nd ? nibble_of(alphabet, digits[i + 1]) : filler;

		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
}

/*
 * Coded values <-> normalised enums
 */

static bool is_isup(enum tcap_num_format fmt)
{
	return fmt == TCAP_NUMFMT_ISUP_CALLED || fmt == TCAP_NUMFMT_ISUP_CALLING;
}

static enum tcap_num_nature nature_from_code(enum tcap_num_format fmt, unsigned int code)
{
	if (fmt == TCAP_NUMFMT_BCD) {
		switch (code) {
		case 0: return TCAP_NAT_UNKNOWN;
		case 1: return TCAP_NAT_INTERNATIONAL;
		case 2: return TCAP_NAT_NATIONAL;
		case 3: return TCAP_NAT_NETWORK_SPECIFIC;
		case 4: return TCAP_NAT_SUBSCRIBER;
		default: return TCAP_NAT_OTHER;
		}
	}
	switch (code) {
	case 0: return fmt == TCAP_NUMFMT_AIN_DIGITS ? TCAP_NAT_UNKNOWN : TCAP_NAT_OTHER;
	case 1: return TCAP_NAT_SUBSCRIBER;
	case 2: return TCAP_NAT_UNKNOWN;
	case 3: return TCAP_NAT_NATIONAL;
	case 4: return TCAP_NAT_INTERNATIONAL;
	case 5: return is_isup(fmt) ? TCAP_NAT_NETWORK_SPECIFIC : TCAP_NAT_OTHER;
	default: return TCAP_NAT_OTHER;
	}
}

/* The format's standard code for a nature, or -1 if it has none. */
static int nature_to_code(enum tcap_num_format fmt, enum tcap_num_nature v)
{
	if (fmt == TCAP_NUMFMT_BCD) {
		switch (v) {
		case TCAP_NAT_UNKNOWN: return 0;
		case TCAP_NAT_INTERNATIONAL: return 1;
		case TCAP_NAT_NATIONAL: return 2;
		case TCAP_NAT_NETWORK_SPECIFIC: return 3;
		case TCAP_NAT_SUBSCRIBER: return 4;
		default: return -1;
		}
	}
	switch (v) {
	case TCAP_NAT_SUBSCRIBER: return 1;
	case TCAP_NAT_UNKNOWN: return 2;
	case TCAP_NAT_NATIONAL: return 3;
	case TCAP_NAT_INTERNATIONAL: return 4;
	case TCAP_NAT_NETWORK_SPECIFIC: return is_isup(fmt) ? 5 : -1;
	default: return -1;
	}
}

static enum tcap_num_plan plan_from_code(enum tcap_num_format fmt, unsigned int code)
{
	switch (code) {
	case 0: return TCAP_PLAN_UNKNOWN;
	case 1: return TCAP_PLAN_ISDN;
	case 3: return TCAP_PLAN_DATA;
	case 4: return TCAP_PLAN_TELEX;
	case 5: return fmt == TCAP_NUMFMT_BCD ? TCAP_PLAN_OTHER : TCAP_PLAN_PRIVATE;
	case 8: return fmt == TCAP_NUMFMT_BCD ? TCAP_PLAN_NATIONAL : TCAP_PLAN_OTHER;
	case 9: return fmt == TCAP_NUMFMT_BCD ? TCAP_PLAN_PRIVATE : TCAP_PLAN_OTHER;
	default: return TCAP_PLAN_OTHER;
	}
}

static int plan_to_code(enum tcap_num_format fmt, enum tcap_num_plan v)
{
	switch (v) {
	case TCAP_PLAN_UNKNOWN: return 0;
	case TCAP_PLAN_ISDN: return 1;
	case TCAP_PLAN_DATA: return 3;
	case TCAP_PLAN_TELEX: return 4;
	case TCAP_PLAN_PRIVATE: return fmt == TCAP_NUMFMT_BCD ? 9 : 5;
	case TCAP_PLAN_NATIONAL: return fmt == TCAP_NUMFMT_BCD ? 8 : -1;
	default: return -1;
	}
}

/* Pick the code to send: raw if it is a code of this format that maps back to the enum,
 * else the standard code of the enum. */
static int nature_code(enum tcap_num_format fmt, const struct tcap_number *in)
{
	unsigned int max = fmt == TCAP_NUMFMT_BCD ? 0x07 : 0x7f;
	int code;

	if ((unsigned int)in->nature > TCAP_NAT_OTHER)
		return -EINVAL;
	if (in->nature_raw <= max && nature_from_code(fmt, in->nature_raw) == in->nature)
		return in->nature_raw;
	code = nature_to_code(fmt, in->nature);
	return code < 0 ? -EINVAL : code;
}

static int plan_code(enum tcap_num_format fmt, const struct tcap_number *in)
{
	unsigned int max = fmt == TCAP_NUMFMT_BCD ? 0x0f : 0x07;
	int code;

	if ((unsigned int)in->plan > TCAP_PLAN_OTHER)
		return -EINVAL;
	if (in->plan_raw <= max && plan_from_code(fmt, in->plan_raw) == in->plan)
		return in->plan_raw;
	code = plan_to_code(fmt, in->plan);
	return code < 0 ? -EINVAL : code;
}

/* 2-bit presentation / screening fields have the same coding in every format. */
static enum tcap_num_pres pres_from_code(unsigned int code)
{
	return (enum tcap_num_pres)(TCAP_PRES_ALLOWED + (code & 3));
}

static enum tcap_num_screen screen_from_code(unsigned int code)
{
	return (enum tcap_num_screen)(TCAP_SCREEN_USER_NOT_VERIFIED + (code & 3));
}

/* Code for pres, dflt when it is NONE, -EINVAL when outside the enum. */
static int pres_code(enum tcap_num_pres v, int dflt)
{
	if (v == TCAP_PRES_NONE)
		return dflt;
	if ((unsigned int)v > TCAP_PRES_SPARE)
		return -EINVAL;
	return v - TCAP_PRES_ALLOWED;
}

static int screen_code(enum tcap_num_screen v, int dflt)
{
	if (v == TCAP_SCREEN_NONE)
		return dflt;
	if ((unsigned int)v > TCAP_SCREEN_NETWORK)
		return -EINVAL;
	return v - TCAP_SCREEN_USER_NOT_VERIFIED;
}

/*
 * Numbers
 */

static int decode_isup(struct tcap_number *n, bool calling, const uint8_t *buf, size_t len)
{
	bool odd;
	int rc;

	if (len < 2)
		return -EINVAL;
	odd = buf[0] & 0x80;
	n->nature_raw = buf[0] & 0x7f;
	n->nature = nature_from_code(TCAP_NUMFMT_ISUP_CALLED, n->nature_raw);
	n->inn_ni = buf[1] & 0x80;
	n->plan_raw = (buf[1] >> 4) & 0x07;
	n->plan = plan_from_code(TCAP_NUMFMT_ISUP_CALLED, n->plan_raw);
	if (calling) {
		n->pres_raw = (buf[1] >> 2) & 0x03;
		n->pres = pres_from_code(n->pres_raw);
		n->screen_raw = buf[1] & 0x03;
		n->screen = screen_from_code(n->screen_raw);
	}
	/* Q.763 3.10: with "address not available" the address signals are omitted. */
	if (len == 2 && !(calling && n->pres == TCAP_PRES_UNAVAILABLE))
		return -EINVAL;
	rc = isup_digits_decode(n->digits, buf + 2, len - 2, odd);
	return rc < 0 ? rc : 0;
}

static int decode_bcd(struct tcap_number *n, const uint8_t *buf, size_t len)
{
	size_t pos = 1;
	int rc;

	if (len < 2)
		return -EINVAL;
	n->nature_raw = (buf[0] >> 4) & 0x07;
	n->nature = nature_from_code(TCAP_NUMFMT_BCD, n->nature_raw);
	n->plan_raw = buf[0] & 0x0f;
	n->plan = plan_from_code(TCAP_NUMFMT_BCD, n->plan_raw);
	if (!(buf[0] & 0x80)) {
		/* TS 24.008 10.5.4.9 octet 3a: ext(1) presentation(7..6) spare screening(2..1);
		 * no further extension octet is defined. */
		if (!(buf[1] & 0x80))
			return -EINVAL;
		n->pres_raw = (buf[1] >> 5) & 0x03;
		n->pres = pres_from_code(n->pres_raw);
		n->screen_raw = buf[1] & 0x03;
		n->screen = screen_from_code(n->screen_raw);
		pos = 2;
	}
	if (len == pos)
		return n->pres == TCAP_PRES_UNAVAILABLE ? 0 : -EINVAL;
	if (len - pos > TCAP_NUM_MAX_DIGITS / 2)
		return -EINVAL;
	rc = tbcd_digits_decode(n->digits, buf + pos, len - pos);
	return rc < 0 ? rc : 0;
}

static int decode_ain(struct tcap_number *n, const uint8_t *buf, size_t len)
{
	int rc;

	if (len < 2)
		return -EINVAL;
	n->nature_raw = buf[0] & 0x7f;
	n->nature = nature_from_code(TCAP_NUMFMT_AIN_DIGITS, n->nature_raw);
	n->plan_raw = (buf[1] >> 4) & 0x07;
	n->plan = plan_from_code(TCAP_NUMFMT_AIN_DIGITS, n->plan_raw);
	n->pres_raw = (buf[1] >> 2) & 0x03;
	n->pres = pres_from_code(n->pres_raw);
	n->screen_raw = buf[1] & 0x03;
	n->screen = screen_from_code(n->screen_raw);
	rc = isup_digits_decode(n->digits, buf + 2, len - 2, buf[0] & 0x80);
	return rc < 0 ? rc : 0;
}

int tcap_num_decode(struct tcap_number *out, enum tcap_num_format fmt, const uint8_t *buf, size_t len)
{
	struct tcap_number n;
	int rc;

	if (!out || (!buf && len))
		return -EINVAL;
	memset(&n, 0, sizeof(n));
	switch (fmt) {
	case TCAP_NUMFMT_ISUP_CALLED:
		rc = decode_isup(&n, false, buf, len);
		break;
	case TCAP_NUMFMT_ISUP_CALLING:
		rc = decode_isup(&n, true, buf, len);
		break;
	case TCAP_NUMFMT_BCD:
		rc = decode_bcd(&n, buf, len);
		break;
	case TCAP_NUMFMT_AIN_DIGITS:
		rc = decode_ain(&n, buf, len);
		break;
	default:
		return -EINVAL;
	}
	if (rc < 0)
		return rc;
	/* A number we accept is one we can send on (relay, Connect, tests): codes the
	 * encoder has no place for (reserved TON/NPI values, ...) are refused here too.
	 * An encode costs tens of nanoseconds. */
	{
		uint8_t tmp[2 + TCAP_NUM_MAX_DIGITS / 2 + 2];
		size_t tmp_len;

		if (tcap_num_encode(tmp, sizeof(tmp), &tmp_len, fmt, &n))
			return -EINVAL;
	}
	*out = n;
	return 0;
}

int tcap_num_encode(uint8_t *buf, size_t size, size_t *out_len, enum tcap_num_format fmt,
		    const struct tcap_number *in)
{
	const char *alphabet = fmt == TCAP_NUMFMT_BCD ? bcd_alphabet : hex_alphabet;
	uint8_t hdr[2] = { 0, 0 };
	size_t hlen = 2, need;
	int nd, nat, plan, pres = 0, screen = 0;

	if (!in || !out_len || (!buf && size))
		return -EINVAL;
	nd = digits_len(in->digits, sizeof(in->digits));
	if (nd < 0 || check_digits(alphabet, in->digits, nd) < 0)
		return -EINVAL;
	nat = nature_code(fmt, in);
	plan = plan_code(fmt, in);
	if (nat < 0 || plan < 0)
		return -EINVAL;

	switch (fmt) {
	case TCAP_NUMFMT_ISUP_CALLED:
		if (nd == 0)
			return -EINVAL;
		hdr[0] = (nd & 1) << 7 | nat;
		hdr[1] = (in->inn_ni ? 0x80 : 0) | plan << 4;
		break;
	case TCAP_NUMFMT_ISUP_CALLING:
		pres = pres_code(in->pres, 0);
		screen = screen_code(in->screen, 3);
		if (pres < 0 || screen < 0)
			return -EINVAL;
		if (nd == 0 && in->pres != TCAP_PRES_UNAVAILABLE)
			return -EINVAL;
		hdr[0] = (nd & 1) << 7 | nat;
		hdr[1] = (in->inn_ni ? 0x80 : 0) | plan << 4 | pres << 2 | screen;
		break;
	case TCAP_NUMFMT_BCD:
		hdr[0] = nat << 4 | plan;
		hlen = 1;
		if (in->pres == TCAP_PRES_NONE) {
			hdr[0] |= 0x80;
			if (nd == 0)
				return -EINVAL;
		} else {
			pres = pres_code(in->pres, 0);
			screen = screen_code(in->screen, 3);
			if (pres < 0 || screen < 0)
				return -EINVAL;
			if (nd == 0 && in->pres != TCAP_PRES_UNAVAILABLE)
				return -EINVAL;
			hdr[1] = 0x80 | pres << 5 | screen;
			hlen = 2;
		}
		break;
	case TCAP_NUMFMT_AIN_DIGITS:
		pres = pres_code(in->pres, 0);
		screen = screen_code(in->screen, 0);
		if (pres < 0 || screen < 0)
			return -EINVAL;
		hdr[0] = (nd & 1) << 7 | nat;
		hdr[1] = plan << 4 | pres << 2 | screen;
		break;
	default:
		return -EINVAL;
	}

	need = hlen + (nd + 1) / 2;
	if (size < need)
		return -ENOSPC;
	memcpy(buf, hdr, hlen);
	pack_digits(buf + hlen, alphabet, in->digits, nd, fmt == TCAP_NUMFMT_BCD ? BCD_FILLER : 0);
	*out_len = need;
	return 0;
}

static bool all_decimal(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

int tcap_num_from_string(struct tcap_number *out, const char *text, enum tcap_num_nature nature)
{
	struct tcap_number n;
	size_t len, max = TCAP_NUM_MAX_DIGITS;

	if (!out || !text)
		return -EINVAL;
	memset(&n, 0, sizeof(n));
	if (text[0] == '+') {
		text++;
		max = E164_MAX_DIGITS;
		nature = TCAP_NAT_INTERNATIONAL;
	} else if ((unsigned int)nature >= TCAP_NAT_OTHER) {
		return -EINVAL;	/* OTHER needs a coded value we cannot guess */
	}
	len = strnlen(text, max + 1);
	if (len == 0 || len > max || !all_decimal(text, len))
		return -EINVAL;
	memcpy(n.digits, text, len);
	n.nature = nature;
	n.plan = TCAP_PLAN_ISDN;
	n.pres = TCAP_PRES_NONE;
	n.screen = TCAP_SCREEN_NONE;
	*out = n;
	return 0;
}

/*
 * TBCD
 */

int tcap_tbcd_decode(char *out, size_t out_size, const uint8_t *buf, size_t len)
{
	char tmp[TCAP_NUM_MAX_DIGITS + 1];
	int nd;

	if (!buf || len == 0 || len > TCAP_NUM_MAX_DIGITS / 2)
		return -EINVAL;
	nd = tbcd_digits_decode(tmp, buf, len);
	if (nd < 0)
		return nd;
	if (!out || out_size < (size_t)nd + 1)
		return -ENOSPC;
	memcpy(out, tmp, nd + 1);
	return nd;
}

int tcap_tbcd_encode(uint8_t *buf, size_t size, size_t *out_len, const char *digits)
{
	size_t nd;

	if (!digits || !out_len)
		return -EINVAL;
	nd = strnlen(digits, TCAP_NUM_MAX_DIGITS + 1);
	if (nd == 0 || nd > TCAP_NUM_MAX_DIGITS || check_digits(bcd_alphabet, digits, nd) < 0)
		return -EINVAL;
	if (!buf || size < (nd + 1) / 2)
		return -ENOSPC;
	pack_digits(buf, bcd_alphabet, digits, nd, BCD_FILLER);
	*out_len = (nd + 1) / 2;
	return 0;
}

/*
 * TimeAndTimezone
 */

#define TZ_MAX_QUARTERS (14 * 4)	/* UTC+14:00 (Line Islands) is the largest offset in use */

static bool is_leap(unsigned int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned int days_in_month(unsigned int y, unsigned int m)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int time_tz_check(const struct tcap_time_tz *t)
{
	if (t->year > 9999 || t->month < 1 || t->month > 12)
		return -EINVAL;
	if (t->day < 1 || t->day > days_in_month(t->year, t->month))
		return -EINVAL;
	if (t->hour > 23 || t->minute > 59 || t->second > 59)
		return -EINVAL;
	if (t->tz_quarters > TZ_MAX_QUARTERS || t->tz_quarters < -TZ_MAX_QUARTERS)
		return -EINVAL;
	return 0;
}

int tcap_time_tz_decode(struct tcap_time_tz *out, const uint8_t *buf, size_t len)
{
	struct tcap_time_tz t;
	unsigned int v[7], i, tens, units;
	int q;

	if (!out || !buf || len != 8)
		return -EINVAL;
	for (i = 0; i < 7; i++) {
		/* TS 29.078: most significant digit in bits 0-3, least significant in bits 4-7 */
		unsigned int hi = buf[i] & 0x0f, lo = buf[i] >> 4;

		if (hi > 9 || lo > 9)
			return -EINVAL;
		v[i] = hi * 10 + lo;
	}
	/* TS 23.040 9.2.3.11: first semi-octet = sign bit + tens, second = units */
	tens = buf[7] & 0x07;
	units = buf[7] >> 4;
	if (units > 9)
		return -EINVAL;
	q = tens * 10 + units;

	memset(&t, 0, sizeof(t));
	t.year = v[0] * 100 + v[1];
	t.month = v[2];
	t.day = v[3];
	t.hour = v[4];
	t.minute = v[5];
	t.second = v[6];
	if (q > TZ_MAX_QUARTERS)
		return -EINVAL;
	t.tz_quarters = (buf[7] & 0x08) ? -q : q;
	if (time_tz_check(&t) < 0)
		return -EINVAL;
	*out = t;
	return 0;
}

static uint8_t swapped_bcd(unsigned int v)
{
	return (uint8_t)((v % 10) << 4 | v / 10);
}

int tcap_time_tz_encode(uint8_t *buf, size_t size, size_t *out_len, const struct tcap_time_tz *in)
{
	unsigned int q;

	if (!in || !out_len || time_tz_check(in) < 0)
		return -EINVAL;
	if (!buf || size < 8)
		return -ENOSPC;
	buf[0] = swapped_bcd(in->year / 100);
	buf[1] = swapped_bcd(in->year % 100);
	buf[2] = swapped_bcd(in->month);
	buf[3] = swapped_bcd(in->day);
	buf[4] = swapped_bcd(in->hour);
	buf[5] = swapped_bcd(in->minute);
	buf[6] = swapped_bcd(in->second);
	q = in->tz_quarters < 0 ? -in->tz_quarters : in->tz_quarters;
	buf[7] = swapped_bcd(q) | (in->tz_quarters < 0 ? 0x08 : 0);
	*out_len = 8;
	return 0;
}

int tcap_time_tz_format(char *out, size_t out_size, const struct tcap_time_tz *in)
{
	unsigned int q;
	int n;

	if (!in || time_tz_check(in) < 0)
		return -EINVAL;
	if (!out || out_size == 0)
		return -ENOSPC;
	q = in->tz_quarters < 0 ? -in->tz_quarters : in->tz_quarters;
	n = snprintf(out, out_size, "%04u-%02u-%02uT%02u:%02u:%02u%c%02u:%02u",
		     in->year, in->month, in->day, in->hour, in->minute, in->second,
		     in->tz_quarters < 0 ? '-' : '+', q / 4, (q % 4) * 15);
	if (n < 0 || (size_t)n >= out_size) {
		out[0] = '\0';
		return -ENOSPC;
	}
	return 0;
}

/*
 * E.164
 */

/* A NUL-terminated decimal string within its array (empty allowed). Returns length or -1. */
static int plan_field(const char *s, size_t size)
{
	int n = digits_len(s, size);

	if (n < 0 || !all_decimal(s, n))
		return -1;
	return n;
}

static bool has_prefix(const char *d, size_t len, const char *prefix, size_t plen)
{
	return plen && len > plen && !memcmp(d, prefix, plen);
}

int tcap_num_to_e164(char *out, size_t out_size, const struct tcap_number *n, const struct tcap_dialplan *plan)
{
	const char *rest;
	int cclen, nplen, iplen, len;
	size_t restlen, total;
	bool use_cc = false;

	if (!n || !plan)
		return -EINVAL;
	cclen = plan_field(plan->country_code, sizeof(plan->country_code));
	nplen = plan_field(plan->national_prefix, sizeof(plan->national_prefix));
	iplen = plan_field(plan->international_prefix, sizeof(plan->international_prefix));
	if (cclen < 0 || nplen < 0 || iplen < 0)
		return -EINVAL;

	if (n->plan != TCAP_PLAN_ISDN && n->plan != TCAP_PLAN_UNKNOWN)
		return -ENOENT;
	len = digits_len(n->digits, sizeof(n->digits));
	if (len <= 0 || !all_decimal(n->digits, len))
		return -ENOENT;

	rest = n->digits;
	switch (n->nature) {
	case TCAP_NAT_INTERNATIONAL:
		if (has_prefix(n->digits, len, plan->international_prefix, iplen))
			rest += iplen;
		break;
	case TCAP_NAT_NATIONAL:
		if (has_prefix(n->digits, len, plan->national_prefix, nplen) &&
		    (!plan->national_len || len - nplen == plan->national_len))
			rest += nplen;
		use_cc = true;
		break;
	case TCAP_NAT_UNKNOWN:
		if (has_prefix(n->digits, len, plan->international_prefix, iplen)) {
			rest += iplen;
		} else if (has_prefix(n->digits, len, plan->national_prefix, nplen) &&
			   (!plan->national_len || len - nplen == plan->national_len)) {
			rest += nplen;
			use_cc = true;
		} else if (plan->national_len && len == plan->national_len) {
			use_cc = true;
		} else {
			return -ENOENT;
		}
		break;
	default:
		return -ENOENT;	/* subscriber, network-specific, other: no E.164 form */
	}
	if (!use_cc)
		cclen = 0;
	else if (cclen == 0)
		return -ENOENT;	/* a national number needs a country code */

	restlen = strlen(rest);
	total = cclen + restlen;
	if (total > E164_MAX_DIGITS)
		return -ENOENT;
	if (!out || out_size < total + 2)
		return -ENOSPC;
	out[0] = '+';
	memcpy(out + 1, plan->country_code, cclen);
	memcpy(out + 1 + cclen, rest, restlen);
	out[1 + total] = '\0';
	return 0;
}

/*
 * Names
 */

const char *tcap_num_nature_name(enum tcap_num_nature v)
{
	switch (v) {
	case TCAP_NAT_UNKNOWN: return "unknown";
	case TCAP_NAT_SUBSCRIBER: return "subscriber";
	case TCAP_NAT_NATIONAL: return "national";
	case TCAP_NAT_INTERNATIONAL: return "international";
	case TCAP_NAT_NETWORK_SPECIFIC: return "network_specific";
	case TCAP_NAT_OTHER: return "other";
	}
	return NULL;
}

const char *tcap_num_plan_name(enum tcap_num_plan v)
{
	switch (v) {
	case TCAP_PLAN_UNKNOWN: return "unknown";
	case TCAP_PLAN_ISDN: return "isdn";
	case TCAP_PLAN_DATA: return "data";
	case TCAP_PLAN_TELEX: return "telex";
	case TCAP_PLAN_PRIVATE: return "private";
	case TCAP_PLAN_NATIONAL: return "national";
	case TCAP_PLAN_OTHER: return "other";
	}
	return NULL;
}

const char *tcap_num_pres_name(enum tcap_num_pres v)
{
	switch (v) {
	case TCAP_PRES_NONE: return NULL;
	case TCAP_PRES_ALLOWED: return "allowed";
	case TCAP_PRES_RESTRICTED: return "restricted";
	case TCAP_PRES_UNAVAILABLE: return "unavailable";
	case TCAP_PRES_SPARE: return "spare";
	}
	return NULL;
}

const char *tcap_num_screen_name(enum tcap_num_screen v)
{
	switch (v) {
	case TCAP_SCREEN_NONE: return NULL;
	case TCAP_SCREEN_USER_NOT_VERIFIED: return "user_not_verified";
	case TCAP_SCREEN_USER_VERIFIED_PASSED: return "user_verified_passed";
	case TCAP_SCREEN_USER_VERIFIED_FAILED: return "user_verified_failed";
	case TCAP_SCREEN_NETWORK: return "network";
	}
	return NULL;
}
