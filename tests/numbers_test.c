/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Number codec tests: the numbers of vectors V1, A1, A2, A3 (decode, print, re-encode),
 * E.164 derivation, edge cases, TimeAndTimezone, and out-of-bounds checks on truncated and
 * random input (every input is copied into an exactly sized heap buffer so ASan sees overreads). */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tandem/tcap_numbers.h>

static int failures;
static char *vector_hex;	/* all "hex    :" lines of shared-vectors.txt */

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", ok ? "OK" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failures++;
}

static const char *errname(int rc)
{
	static char buf[16];

	switch (rc) {
	case -EINVAL: return "-EINVAL";
	case -ENOSPC: return "-ENOSPC";
	case -ENOENT: return "-ENOENT";
	}
	snprintf(buf, sizeof(buf), "%d", rc);
	return buf;
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

/* Test data is ours: bad hex here is a bug in this file, so exit. */
static size_t unhex(uint8_t *out, size_t size, const char *hex)
{
	size_t n = strlen(hex) / 2, i;

	if (strlen(hex) % 2 || n > size) {
		fprintf(stderr, "bad test hex %s\n", hex);
		exit(2);
	}
	for (i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			fprintf(stderr, "bad test hex %s\n", hex);
			exit(2);
		}
		out[i] = v;
	}
	return n;
}

static void hexstr(char *out, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", buf[i]);
	out[2 * len] = '\0';
}

/* Exactly sized heap copy, so that any read past len is an ASan error. */
static uint8_t *heap_copy(const uint8_t *buf, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		exit(2);
	memcpy(p, buf, len);
	return p;
}

static int decode_exact(struct tcap_number *n, enum tcap_num_format fmt, const uint8_t *buf, size_t len)
{
	uint8_t *p = heap_copy(buf, len);
	int rc = tcap_num_decode(n, fmt, len ? p : NULL, len);

	free(p);
	return rc;
}

static const char *fmt_name(enum tcap_num_format fmt)
{
	switch (fmt) {
	case TCAP_NUMFMT_ISUP_CALLED: return "isup_called";
	case TCAP_NUMFMT_ISUP_CALLING: return "isup_calling";
	case TCAP_NUMFMT_BCD: return "bcd";
	case TCAP_NUMFMT_AIN_DIGITS: return "ain";
	}
	return "?";
}

static void print_number(const struct tcap_number *n)
{
	printf("  digits=\"%s\" nature=%s(%u) plan=%s(%u) pres=%s(%u) screen=%s(%u) inn_ni=%d\n",
	       n->digits, or_dash(tcap_num_nature_name(n->nature)), n->nature_raw,
	       or_dash(tcap_num_plan_name(n->plan)), n->plan_raw,
	       or_dash(tcap_num_pres_name(n->pres)), n->pres_raw,
	       or_dash(tcap_num_screen_name(n->screen)), n->screen_raw, n->inn_ni);
}

static bool same_number(const struct tcap_number *a, const struct tcap_number *b)
{
	return !strcmp(a->digits, b->digits) && a->nature == b->nature && a->plan == b->plan &&
	       a->pres == b->pres && a->screen == b->screen && a->nature_raw == b->nature_raw &&
	       a->plan_raw == b->plan_raw && a->pres_raw == b->pres_raw && a->screen_raw == b->screen_raw &&
	       a->inn_ni == b->inn_ni;
}

static void check_in_vectors(const char *label, const char *hex)
{
	check(vector_hex && strstr(vector_hex, hex), "%s: %s is in shared-vectors.txt", label, hex);
}

/* Print for each prefix length 0..len whether the decoder accepted it ('+') or not ('-'). */
static void prefixes(enum tcap_num_format fmt, const uint8_t *buf, size_t len)
{
	char map[64];
	size_t l;

	for (l = 0; l <= len && l < sizeof(map) - 1; l++) {
		struct tcap_number n;

		map[l] = decode_exact(&n, fmt, buf, l) == 0 ? '+' : '-';
	}
	map[l] = '\0';
	printf("  prefixes 0..%zu: %s\n", len, map);
}

/*
 * Vectors
 */

struct num_vector {
	const char *label;
	enum tcap_num_format fmt;
	const char *hex;
	const char *digits;
	enum tcap_num_nature nature;
};

static const struct num_vector num_vectors[] = {
	{ "V1 callingPartyNumber", TCAP_NUMFMT_ISUP_CALLING, "8110416155153204", "14165551234", TCAP_NAT_SUBSCRIBER },
	{ "V1 locationNumber", TCAP_NUMFMT_ISUP_CALLING, "8113416155153204", "14165551234", TCAP_NAT_SUBSCRIBER },
	{ "V1 vlr-number", TCAP_NUMFMT_BCD, "c14161550500f0", "14165550000", TCAP_NAT_SUBSCRIBER },
	{ "V1 mscAddress", TCAP_NUMFMT_BCD, "c14161550500f0", "14165550000", TCAP_NAT_SUBSCRIBER },
	{ "V1 calledPartyBCDNumber", TCAP_NUMFMT_BCD, "a14161555576f8", "14165555678", TCAP_NAT_NATIONAL },
	{ "A1 CalledPartyID", TCAP_NUMFMT_AIN_DIGITS, "03100251551099", "2015550199", TCAP_NAT_NATIONAL },
	{ "A1 Lata", TCAP_NUMFMT_AIN_DIGITS, "80002204", "224", TCAP_NAT_UNKNOWN },
	{ "A1 ChargeNumber", TCAP_NUMFMT_AIN_DIGITS, "03100251551000", "2015550100", TCAP_NAT_NATIONAL },
	{ "A1 CallingPartyID", TCAP_NUMFMT_AIN_DIGITS, "03130251551000", "2015550100", TCAP_NAT_NATIONAL },
	{ "A2 CalledPartyID", TCAP_NUMFMT_AIN_DIGITS, "03100251551099", "2015550199", TCAP_NAT_NATIONAL },
	{ "A2 CallingPartyID", TCAP_NUMFMT_AIN_DIGITS, "03130251551000", "2015550100", TCAP_NAT_NATIONAL },
	{ "A3 CalledPartyID", TCAP_NUMFMT_AIN_DIGITS, "03100251551032", "2015550123", TCAP_NAT_NATIONAL },
};

struct tbcd_vector {
	const char *label;
	const char *hex;
	const char *digits;
};

static const struct tbcd_vector tbcd_vectors[] = {
	{ "V1 iMSI", "0001101032547698", "0010010123456789" },
	/* GR-1299 Dn: 10 BCD digits in 5 octets; the vectors assume low nibble first */
	{ "A1 UserID dn", "0251551000", "2015550100" },
	{ "A2 UserID dn", "0251551099", "2015550199" },
	{ "A3 aMAslpID", "0000000010", "0000000001" },
};

static void test_number_vectors(void)
{
	size_t i;

	printf("== %s\n", __func__);
	for (i = 0; i < sizeof(num_vectors) / sizeof(num_vectors[0]); i++) {
		const struct num_vector *v = &num_vectors[i];
		uint8_t in[64], out[64];
		char outhex[129];
		struct tcap_number n;
		size_t len = unhex(in, sizeof(in), v->hex), olen = 0;
		int rc;

		printf("%s (%s) %s\n", v->label, fmt_name(v->fmt), v->hex);
		check_in_vectors(v->label, v->hex);
		rc = decode_exact(&n, v->fmt, in, len);
		check(rc == 0, "%s: decode %s", v->label, errname(rc));
		if (rc)
			continue;
		print_number(&n);
		check(!strcmp(n.digits, v->digits) && n.nature == v->nature, "%s: digits %s, nature %s",
		      v->label, v->digits, tcap_num_nature_name(v->nature));
		rc = tcap_num_encode(out, sizeof(out), &olen, v->fmt, &n);
		hexstr(outhex, out, rc ? 0 : olen);
		check(rc == 0 && olen == len && !memcmp(in, out, len), "%s: re-encode %s -> %s", v->label,
		      errname(rc), outhex);
		prefixes(v->fmt, in, len);
	}
}

static void test_tbcd_vectors(void)
{
	size_t i;

	printf("== %s\n", __func__);
	for (i = 0; i < sizeof(tbcd_vectors) / sizeof(tbcd_vectors[0]); i++) {
		const struct tbcd_vector *v = &tbcd_vectors[i];
		uint8_t in[32], out[32], *p;
		char digits[TCAP_NUM_MAX_DIGITS + 1], outhex[65];
		size_t len = unhex(in, sizeof(in), v->hex), olen = 0;
		int rc;

		check_in_vectors(v->label, v->hex);
		p = heap_copy(in, len);
		rc = tcap_tbcd_decode(digits, sizeof(digits), p, len);
		free(p);
		check(rc == (int)strlen(v->digits) && !strcmp(digits, v->digits), "%s: tbcd %s -> \"%s\" (%s)",
		      v->label, v->hex, rc >= 0 ? digits : "", errname(rc));
		rc = tcap_tbcd_encode(out, sizeof(out), &olen, v->digits);
		hexstr(outhex, out, rc ? 0 : olen);
		check(rc == 0 && olen == len && !memcmp(in, out, len), "%s: tbcd encode -> %s", v->label, outhex);
	}
}

/*
 * Edge cases
 */

struct decode_case {
	const char *label;
	enum tcap_num_format fmt;
	const char *hex;
	int rc;
	const char *digits;	/* expected on success */
	bool exact;		/* re-encoding must reproduce the input */
};

static const struct decode_case decode_cases[] = {
	{ "isup_called empty", TCAP_NUMFMT_ISUP_CALLED, "", -EINVAL },
	{ "isup_called 1 byte", TCAP_NUMFMT_ISUP_CALLED, "03", -EINVAL },
	{ "isup_called no digits", TCAP_NUMFMT_ISUP_CALLED, "0310", -EINVAL },
	{ "isup_called odd flag, no digits", TCAP_NUMFMT_ISUP_CALLED, "8310", -EINVAL },
	{ "isup_called even", TCAP_NUMFMT_ISUP_CALLED, "03102143", 0, "1234", true },
	{ "isup_called odd", TCAP_NUMFMT_ISUP_CALLED, "83102103", 0, "123", true },
	{ "isup_called odd, filler not 0 (ignored)", TCAP_NUMFMT_ISUP_CALLED, "83102193", 0, "123", false },
	{ "isup_called ST", TCAP_NUMFMT_ISUP_CALLED, "031021f3", 0, "123f", true },
	{ "isup_called code 11/12 and ST", TCAP_NUMFMT_ISUP_CALLED, "8310cb0f", 0, "bcf", true },
	{ "isup_called INN set, NPI 5 private", TCAP_NUMFMT_ISUP_CALLED, "04d021", 0, "12", true },
	{ "isup_called NAI 8, NPI 6 (other)", TCAP_NUMFMT_ISUP_CALLED, "08602143", 0, "1234", true },
	{ "isup_called 40 digits", TCAP_NUMFMT_ISUP_CALLED,
	  "03100123456789012345678901234567890123456789", 0, "1032547698103254769810325476981032547698", true },
	{ "isup_called 41 digits", TCAP_NUMFMT_ISUP_CALLED,
	  "8310012345678901234567890123456789012345678901", -EINVAL },
	{ "isup_called 42 digits", TCAP_NUMFMT_ISUP_CALLED,
	  "0310012345678901234567890123456789012345678901", -EINVAL },
	{ "isup_calling 1 byte", TCAP_NUMFMT_ISUP_CALLING, "83", -EINVAL },
	{ "isup_calling not available, no digits", TCAP_NUMFMT_ISUP_CALLING, "000b", 0, "", true },
	{ "isup_calling not available, odd flag", TCAP_NUMFMT_ISUP_CALLING, "800b", -EINVAL },
	{ "isup_calling restricted, no digits", TCAP_NUMFMT_ISUP_CALLING, "0317", -EINVAL },
	{ "isup_calling allowed, no digits", TCAP_NUMFMT_ISUP_CALLING, "0313", -EINVAL },
	{ "isup_calling restricted", TCAP_NUMFMT_ISUP_CALLING, "03172143", 0, "1234", true },
	{ "isup_calling NI, user verified failed, spare APRI", TCAP_NUMFMT_ISUP_CALLING, "049e2143", 0, "1234",
	  true },
	{ "bcd empty", TCAP_NUMFMT_BCD, "", -EINVAL },
	{ "bcd 1 byte", TCAP_NUMFMT_BCD, "91", -EINVAL },
	{ "bcd odd, F filler", TCAP_NUMFMT_BCD, "9121f3", 0, "123", true },
	{ "bcd even", TCAP_NUMFMT_BCD, "912143", 0, "1234", true },
	{ "bcd F filler not last", TCAP_NUMFMT_BCD, "91f123", -EINVAL },
	{ "bcd F in low nibble", TCAP_NUMFMT_BCD, "91213f", -EINVAL },
	{ "bcd FF octet", TCAP_NUMFMT_BCD, "9121ff", -EINVAL },
	{ "bcd * # a b c", TCAP_NUMFMT_BCD, "81ba21dcfe", 0, "*#12abc", true },
	{ "bcd national plan 8, TON 6 (other)", TCAP_NUMFMT_BCD, "e82143", 0, "1234", true },
	{ "bcd ext 0 + octet 3a restricted, network", TCAP_NUMFMT_BCD, "11a32143", 0, "1234", true },
	{ "bcd ext 0 + octet 3a not available, no digits", TCAP_NUMFMT_BCD, "01c3", 0, "", true },
	{ "bcd ext 0 + octet 3a allowed, no digits", TCAP_NUMFMT_BCD, "1183", -EINVAL },
	{ "bcd ext 0, octet 3a without ext bit", TCAP_NUMFMT_BCD, "11232143", -EINVAL },
	{ "bcd 40 digits", TCAP_NUMFMT_BCD, "910123456789012345678901234567890123456789", 0,
	  "1032547698103254769810325476981032547698", true },
	{ "bcd 21 digit octets", TCAP_NUMFMT_BCD, "91012345678901234567890123456789012345678901", -EINVAL },
	{ "ain 1 byte", TCAP_NUMFMT_AIN_DIGITS, "03", -EINVAL },
	{ "ain no digits", TCAP_NUMFMT_AIN_DIGITS, "0310", 0, "", true },
	{ "ain odd flag, no digits", TCAP_NUMFMT_AIN_DIGITS, "8010", -EINVAL },
	{ "ain operator requested 0x73", TCAP_NUMFMT_AIN_DIGITS, "73102143", 0, "1234", true },
	{ "ain private plan, restricted, passed", TCAP_NUMFMT_AIN_DIGITS, "01552143", 0, "1234", true },
	{ "ain 41 digits", TCAP_NUMFMT_AIN_DIGITS, "8310012345678901234567890123456789012345678901", -EINVAL },
};

static void test_decode_cases(void)
{
	size_t i;

	printf("== %s\n", __func__);
	for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		const struct decode_case *c = &decode_cases[i];
		uint8_t in[64], out[64];
		char outhex[129];
		struct tcap_number n;
		size_t len = unhex(in, sizeof(in), c->hex), olen = 0;
		int rc = decode_exact(&n, c->fmt, in, len);

		if (c->rc) {
			check(rc == c->rc, "%s: %s -> %s", c->label, c->hex, errname(rc));
			continue;
		}
		check(rc == 0 && !strcmp(n.digits, c->digits), "%s: %s -> \"%s\"", c->label, c->hex,
		      rc ? errname(rc) : n.digits);
		if (rc)
			continue;
		print_number(&n);
		rc = tcap_num_encode(out, sizeof(out), &olen, c->fmt, &n);
		hexstr(outhex, out, rc ? 0 : olen);
		if (c->exact)
			check(rc == 0 && olen == len && !memcmp(in, out, len), "%s: re-encode -> %s", c->label,
			      outhex);
		else
			printf("  re-encode -> %s (%s)\n", outhex, errname(rc));
	}
}

static int encode_hex(char *hex, size_t size, enum tcap_num_format fmt, const struct tcap_number *n)
{
	uint8_t out[64];
	size_t olen = 0;
	int rc = tcap_num_encode(out, size, &olen, fmt, n);

	hexstr(hex, out, rc ? 0 : olen);
	return rc;
}

static void expect_encode(const char *label, enum tcap_num_format fmt, const struct tcap_number *n,
			  size_t size, int want_rc, const char *want_hex)
{
	char hex[129];
	int rc = encode_hex(hex, size, fmt, n);

	check(rc == want_rc && (rc || !strcmp(hex, want_hex)), "%s: encode %s size %zu -> %s%s%s", label,
	      fmt_name(fmt), size, errname(rc), rc ? "" : " ", hex);
}

static void test_encode_cases(void)
{
	struct tcap_number n, v1;
	uint8_t in[16];
	int rc;

	printf("== %s\n", __func__);
	rc = tcap_num_from_string(&n, "123", TCAP_NAT_NATIONAL);
	check(rc == 0, "from_string 123 national");
	expect_encode("123 national", TCAP_NUMFMT_ISUP_CALLED, &n, 64, 0, "83102103");
	expect_encode("123 national", TCAP_NUMFMT_ISUP_CALLED, &n, 4, 0, "83102103");
	expect_encode("123 national", TCAP_NUMFMT_ISUP_CALLED, &n, 3, -ENOSPC, "");
	expect_encode("123 national", TCAP_NUMFMT_ISUP_CALLED, &n, 0, -ENOSPC, "");
	/* pres/screen NONE: ISUP calling sends allowed + network provided, AIN sends 0 */
	expect_encode("123 national", TCAP_NUMFMT_ISUP_CALLING, &n, 64, 0, "83132103");
	expect_encode("123 national", TCAP_NUMFMT_AIN_DIGITS, &n, 64, 0, "83102103");
	expect_encode("123 national", TCAP_NUMFMT_BCD, &n, 64, 0, "a121f3");
	expect_encode("123 national", TCAP_NUMFMT_BCD, &n, 2, -ENOSPC, "");

	rc = tcap_num_from_string(&n, "+442071234567", TCAP_NAT_UNKNOWN);
	check(rc == 0, "from_string +442071234567");
	expect_encode("+442071234567", TCAP_NUMFMT_BCD, &n, 64, 0, "91440217325476");
	expect_encode("+442071234567", TCAP_NUMFMT_ISUP_CALLED, &n, 64, 0, "0410440217325476");
	expect_encode("+442071234567", TCAP_NUMFMT_ISUP_CALLED, &n, 7, -ENOSPC, "");

	/* digits outside the target alphabet */
	rc = tcap_num_from_string(&n, "123", TCAP_NAT_UNKNOWN);
	strcpy(n.digits, "12*");
	expect_encode("12*", TCAP_NUMFMT_ISUP_CALLED, &n, 64, -EINVAL, "");
	expect_encode("12*", TCAP_NUMFMT_BCD, &n, 64, 0, "8121fa");
	strcpy(n.digits, "12f");
	expect_encode("12f", TCAP_NUMFMT_BCD, &n, 64, -EINVAL, "");
	expect_encode("12f", TCAP_NUMFMT_ISUP_CALLED, &n, 64, 0, "8210210f");
	strcpy(n.digits, "12A");
	expect_encode("12A", TCAP_NUMFMT_ISUP_CALLED, &n, 64, -EINVAL, "");
	n.digits[0] = '\0';
	expect_encode("no digits", TCAP_NUMFMT_ISUP_CALLED, &n, 64, -EINVAL, "");
	expect_encode("no digits", TCAP_NUMFMT_ISUP_CALLING, &n, 64, -EINVAL, "");
	expect_encode("no digits", TCAP_NUMFMT_BCD, &n, 64, -EINVAL, "");
	expect_encode("no digits", TCAP_NUMFMT_AIN_DIGITS, &n, 64, 0, "0010");
	n.pres = TCAP_PRES_UNAVAILABLE;
	expect_encode("no digits, unavailable", TCAP_NUMFMT_ISUP_CALLING, &n, 64, 0, "021b");
	expect_encode("no digits, unavailable", TCAP_NUMFMT_BCD, &n, 64, 0, "01c3");
	memset(n.digits, '1', sizeof(n.digits));
	expect_encode("unterminated digits", TCAP_NUMFMT_AIN_DIGITS, &n, 64, -EINVAL, "");

	/* the same number moved between formats takes each format's code for its nature */
	rc = decode_exact(&v1, TCAP_NUMFMT_ISUP_CALLING, in, unhex(in, sizeof(in), "8110416155153204"));
	check(rc == 0, "V1 callingPartyNumber decoded");
	/* presentation/screening travel in BCD octet 3a (ext bit 0) unless pres is NONE */
	expect_encode("V1 calling as BCD", TCAP_NUMFMT_BCD, &v1, 64, 0, "41804161551532f4");
	v1.pres = TCAP_PRES_NONE;
	expect_encode("V1 calling as BCD, pres NONE", TCAP_NUMFMT_BCD, &v1, 64, 0, "c14161551532f4");
	expect_encode("V1 calling as AIN", TCAP_NUMFMT_AIN_DIGITS, &v1, 64, 0, "8110416155153204");
	rc = decode_exact(&v1, TCAP_NUMFMT_BCD, in, unhex(in, sizeof(in), "a14161555576f8"));
	expect_encode("V1 calledPartyBCDNumber as ISUP called", TCAP_NUMFMT_ISUP_CALLED, &v1, 64, 0,
		      "8310416155557608");

	/* _OTHER is sent as its raw value where that fits the field */
	rc = tcap_num_from_string(&n, "1234", TCAP_NAT_UNKNOWN);
	n.nature = TCAP_NAT_OTHER;
	n.nature_raw = 0x77;
	expect_encode("other 0x77", TCAP_NUMFMT_ISUP_CALLED, &n, 64, 0, "77102143");
	expect_encode("other 0x77", TCAP_NUMFMT_BCD, &n, 64, -EINVAL, "");
	n.nature = TCAP_NAT_NETWORK_SPECIFIC;
	expect_encode("network specific", TCAP_NUMFMT_AIN_DIGITS, &n, 64, -EINVAL, "");
	n.nature = TCAP_NAT_NATIONAL;
	n.plan = TCAP_PLAN_NATIONAL;
	expect_encode("national plan", TCAP_NUMFMT_ISUP_CALLED, &n, 64, -EINVAL, "");
	expect_encode("national plan", TCAP_NUMFMT_BCD, &n, 64, 0, "a82143");
	n.plan = (enum tcap_num_plan)42;
	expect_encode("plan out of enum", TCAP_NUMFMT_BCD, &n, 64, -EINVAL, "");
	n.plan = TCAP_PLAN_ISDN;
	n.pres = (enum tcap_num_pres)9;
	expect_encode("pres out of enum", TCAP_NUMFMT_ISUP_CALLING, &n, 64, -EINVAL, "");
	check(tcap_num_encode(NULL, 0, NULL, TCAP_NUMFMT_BCD, &n) == -EINVAL, "encode without out_len");
}

static void test_from_string(void)
{
	static const struct {
		const char *text;
		enum tcap_num_nature nature;
		int rc;
	} cases[] = {
		{ "+442071234567", TCAP_NAT_UNKNOWN, 0 },
		{ "+123456789012345", TCAP_NAT_NATIONAL, 0 },
		{ "2015550199", TCAP_NAT_NATIONAL, 0 },
		{ "5550199", TCAP_NAT_SUBSCRIBER, 0 },
		{ "1234567890123456789012345678901234567890", TCAP_NAT_UNKNOWN, 0 },
		{ "12345678901234567890123456789012345678901", TCAP_NAT_UNKNOWN, -EINVAL },
		{ "+1234567890123456", TCAP_NAT_UNKNOWN, -EINVAL },
		{ "", TCAP_NAT_UNKNOWN, -EINVAL },
		{ "+", TCAP_NAT_UNKNOWN, -EINVAL },
		{ "12a", TCAP_NAT_UNKNOWN, -EINVAL },
		{ " 123", TCAP_NAT_UNKNOWN, -EINVAL },
		{ "+44 20", TCAP_NAT_UNKNOWN, -EINVAL },
		{ "*69", TCAP_NAT_UNKNOWN, -EINVAL },
		{ "1234", TCAP_NAT_OTHER, -EINVAL },
		{ "1234", (enum tcap_num_nature)77, -EINVAL },
	};
	size_t i;

	printf("== %s\n", __func__);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tcap_number n;
		int rc = tcap_num_from_string(&n, cases[i].text, cases[i].nature);

		check(rc == cases[i].rc, "from_string \"%s\" nature %d -> %s", cases[i].text, cases[i].nature,
		      errname(rc));
		if (!rc)
			print_number(&n);
	}
	check(tcap_num_from_string(NULL, "1", TCAP_NAT_UNKNOWN) == -EINVAL, "from_string NULL out");
}

/*
 * E.164
 */

static const struct tcap_dialplan nanp = { "1", "1", "011", 10 };
static const struct tcap_dialplan uk = { "44", "0", "00", 10 };
static const struct tcap_dialplan no_cc = { "", "0", "00", 0 };
static const struct tcap_dialplan bad_cc = { "1a", "1", "011", 10 };

struct e164_case {
	const char *plan_name;
	const struct tcap_dialplan *plan;
	enum tcap_num_nature nature;
	enum tcap_num_plan numplan;
	const char *digits;
	int rc;
	const char *want;
};

static const struct e164_case e164_cases[] = {
	{ "NANP", &nanp, TCAP_NAT_NATIONAL, TCAP_PLAN_ISDN, "2015550199", 0, "+12015550199" },
	{ "NANP", &nanp, TCAP_NAT_UNKNOWN, TCAP_PLAN_ISDN, "12015550199", 0, "+12015550199" },
	{ "NANP", &nanp, TCAP_NAT_UNKNOWN, TCAP_PLAN_ISDN, "011442071234567", 0, "+442071234567" },
	{ "NANP", &nanp, TCAP_NAT_INTERNATIONAL, TCAP_PLAN_ISDN, "14165551234", 0, "+14165551234" },
	{ "UK", &uk, TCAP_NAT_NATIONAL, TCAP_PLAN_ISDN, "2071234567", 0, "+442071234567" },
	{ "UK", &uk, TCAP_NAT_UNKNOWN, TCAP_PLAN_ISDN, "02071234567", 0, "+442071234567" },
	{ "NANP", &nanp, TCAP_NAT_UNKNOWN, TCAP_PLAN_ISDN, "2015550199", 0, "+12015550199" },
	{ "NANP", &nanp, TCAP_NAT_UNKNOWN, TCAP_PLAN_UNKNOWN, "2015550199", 0, "+12015550199" },
	{ "NANP", &nanp, TCAP_NAT_INTERNATIONAL, TCAP_PLAN_ISDN, "01114165551234", 0, "+14165551234" },
	{ "NANP", &nanp, TCAP_NAT_NATIONAL, TCAP_PLAN_ISDN, "12015550199", 0, "+12015550199" },
	{ "UK", &uk, TCAP_NAT_NATIONAL, TCAP_PLAN_ISDN, "02071234567", 0, "+442071234567" },
	{ "UK", &uk, TCAP_NAT_INTERNATIONAL, TCAP_PLAN_ISDN, "0012015550199", 0, "+12015550199" },
	{ "UK", &uk, TCAP_NAT_UNKNOWN, TCAP_PLAN_ISDN, "0012015550199", 0, "+12015550199" },
	{ "NANP", &nanp, TCAP_NAT_UNKNOWN, TCAP_PLAN_ISDN, "5550199", -ENOENT },
	{ "NANP", &nanp, TCAP_NAT_UNKNOWN, TCAP_PLAN_ISDN, "120155501990", -ENOENT },
	{ "NANP", &nanp, TCAP_NAT_SUBSCRIBER, TCAP_PLAN_ISDN, "5550199", -ENOENT },
	{ "NANP", &nanp, TCAP_NAT_NETWORK_SPECIFIC, TCAP_PLAN_ISDN, "2015550199", -ENOENT },
	{ "NANP", &nanp, TCAP_NAT_OTHER, TCAP_PLAN_ISDN, "2015550199", -ENOENT },
	{ "NANP", &nanp, TCAP_NAT_NATIONAL, TCAP_PLAN_DATA, "2015550199", -ENOENT },
	{ "NANP", &nanp, TCAP_NAT_NATIONAL, TCAP_PLAN_PRIVATE, "2015550199", -ENOENT },
	{ "NANP", &nanp, TCAP_NAT_NATIONAL, TCAP_PLAN_OTHER, "2015550199", -ENOENT },
	{ "NANP", &nanp, TCAP_NAT_NATIONAL, TCAP_PLAN_ISDN, "", -ENOENT },
	{ "NANP", &nanp, TCAP_NAT_NATIONAL, TCAP_PLAN_ISDN, "20155501b9", -ENOENT },
	{ "NANP", &nanp, TCAP_NAT_INTERNATIONAL, TCAP_PLAN_ISDN, "123456789012345", 0, "+123456789012345" },
	{ "NANP", &nanp, TCAP_NAT_INTERNATIONAL, TCAP_PLAN_ISDN, "1234567890123456", -ENOENT },
	{ "UK", &uk, TCAP_NAT_NATIONAL, TCAP_PLAN_ISDN, "2071234567890123", -ENOENT },
	{ "UK", &uk, TCAP_NAT_NATIONAL, TCAP_PLAN_ISDN, "2071234567890", 0, "+442071234567890" },
	{ "UK", &uk, TCAP_NAT_UNKNOWN, TCAP_PLAN_ISDN, "0020712345678901234", -ENOENT },
	{ "no cc", &no_cc, TCAP_NAT_NATIONAL, TCAP_PLAN_ISDN, "2071234567", -ENOENT },
	{ "no cc", &no_cc, TCAP_NAT_INTERNATIONAL, TCAP_PLAN_ISDN, "442071234567", 0, "+442071234567" },
	{ "no cc", &no_cc, TCAP_NAT_UNKNOWN, TCAP_PLAN_ISDN, "00442071234567", 0, "+442071234567" },
	{ "no cc", &no_cc, TCAP_NAT_UNKNOWN, TCAP_PLAN_ISDN, "02071234567", -ENOENT },
	{ "bad cc", &bad_cc, TCAP_NAT_INTERNATIONAL, TCAP_PLAN_ISDN, "14165551234", -EINVAL },
};

static void test_e164(void)
{
	struct tcap_number n;
	char out[32];
	size_t i;
	int rc;

	printf("== %s\n", __func__);
	for (i = 0; i < sizeof(e164_cases) / sizeof(e164_cases[0]); i++) {
		const struct e164_case *c = &e164_cases[i];

		memset(&n, 0, sizeof(n));
		strcpy(n.digits, c->digits);
		n.nature = c->nature;
		n.plan = c->numplan;
		strcpy(out, "?");
		rc = tcap_num_to_e164(out, sizeof(out), &n, c->plan);
		check(rc == c->rc && (rc || !strcmp(out, c->want)), "e164 %s %s/%s \"%s\" -> %s%s%s", c->plan_name,
		      tcap_num_nature_name(c->nature), tcap_num_plan_name(c->numplan), c->digits, errname(rc),
		      rc ? "" : " ", rc ? "" : out);
	}

	/* output buffer: "+12015550199" needs 13 bytes */
	tcap_num_from_string(&n, "2015550199", TCAP_NAT_NATIONAL);
	rc = tcap_num_to_e164(out, 12, &n, &nanp);
	check(rc == -ENOSPC, "e164 into 12 bytes -> %s", errname(rc));
	rc = tcap_num_to_e164(out, 13, &n, &nanp);
	check(rc == 0 && !strcmp(out, "+12015550199"), "e164 into 13 bytes -> %s %s", errname(rc), out);

	/* numbers straight from the vectors */
	for (i = 0; i < sizeof(num_vectors) / sizeof(num_vectors[0]); i++) {
		const struct num_vector *v = &num_vectors[i];
		uint8_t in[32];

		if (decode_exact(&n, v->fmt, in, unhex(in, sizeof(in), v->hex)))
			continue;
		strcpy(out, "");
		rc = tcap_num_to_e164(out, sizeof(out), &n, &nanp);
		printf("  %s with NANP -> %s%s%s\n", v->label, errname(rc), rc ? "" : " ", rc ? "" : out);
	}
}

/*
 * TimeAndTimezone
 */

struct time_case {
	const char *label;
	const char *hex;
	int rc;
	const char *iso;
};

static const struct time_case time_cases[] = {
	{ "V1 timeAndTimezone", "021220415174310a", 0, "2021-02-14T15:47:13-05:00" },
	{ "PROTOCOLS.md example", "0250114231016500", 0, "2005-11-24T13:10:56+00:00" },
	{ "+02:30", "0242209232959501", 0, "2024-02-29T23:59:59+02:30" },
	{ "-03:30", "0242101300000049", 0, "2024-01-31T00:00:00-03:30" },
	{ "+14:00", "0242101300000065", 0, "2024-01-31T00:00:00+14:00" },
	{ "-14:00", "024210130000006d", 0, "2024-01-31T00:00:00-14:00" },
	{ "2000-02-29 (leap)", "0200209221000000", 0, "2000-02-29T12:00:00+00:00" },
	{ "short", "02122041517431", -EINVAL },
	{ "long", "021220415174310a00", -EINVAL },
	{ "empty", "", -EINVAL },
	{ "month 13", "0212314151743100", -EINVAL },
	{ "month 0", "0212004151743100", -EINVAL },
	{ "day 0", "0212200051743100", -EINVAL },
	{ "2021-02-29", "0212209251743100", -EINVAL },
	{ "2100-02-29", "1200209251743100", -EINVAL },
	{ "2021-04-31", "0212401351743100", -EINVAL },
	{ "hour 24", "0212204142743100", -EINVAL },
	{ "minute 60", "0212204151063100", -EINVAL },
	{ "second 60", "0212204151740600", -EINVAL },
	{ "non-BCD seconds", "021220415174a100", -EINVAL },
	{ "zone +15:00", "0212204151743106", -EINVAL },
	{ "zone units 0xa", "02122041517431a0", -EINVAL },
};

static void test_time(void)
{
	size_t i;

	printf("== %s\n", __func__);
	for (i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		const struct time_case *c = &time_cases[i];
		uint8_t in[16], out[16], *p;
		char iso[32], outhex[33];
		struct tcap_time_tz t;
		size_t len = unhex(in, sizeof(in), c->hex), olen = 0;
		int rc;

		p = heap_copy(in, len);
		rc = tcap_time_tz_decode(&t, len ? p : NULL, len);
		free(p);
		if (c->rc) {
			check(rc == c->rc, "time %s: %s -> %s", c->label, c->hex, errname(rc));
			continue;
		}
		iso[0] = '\0';
		if (!rc)
			rc = tcap_time_tz_format(iso, sizeof(iso), &t);
		check(rc == 0 && !strcmp(iso, c->iso), "time %s: %s -> %s tz_quarters=%d", c->label, c->hex,
		      rc ? errname(rc) : iso, rc ? 0 : t.tz_quarters);
		if (rc)
			continue;
		rc = tcap_time_tz_encode(out, sizeof(out), &olen, &t);
		hexstr(outhex, out, rc ? 0 : olen);
		check(rc == 0 && olen == 8 && !memcmp(in, out, 8), "time %s: re-encode -> %s", c->label, outhex);
	}
}

static void test_time_edges(void)
{
	struct tcap_time_tz t = { 2021, 2, 14, 15, 47, 13, -20 };
	uint8_t in[8], out[16];
	char iso[32], outhex[33];
	size_t olen = 0;
	int rc;

	printf("== %s\n", __func__);
	/* TS 23.040: a "negative zero" zone decodes as UTC and is sent back as +0 */
	rc = tcap_time_tz_decode(&t, in, unhex(in, sizeof(in), "0212204151743108"));
	check(rc == 0 && t.tz_quarters == 0, "time negative zero -> %s tz_quarters=%d", errname(rc), t.tz_quarters);
	rc = tcap_time_tz_encode(out, sizeof(out), &olen, &t);
	hexstr(outhex, out, rc ? 0 : olen);
	check(rc == 0 && !strcmp(outhex, "0212204151743100"), "time negative zero re-encode -> %s", outhex);

	t = (struct tcap_time_tz){ 2021, 2, 14, 15, 47, 13, -20 };
	rc = tcap_time_tz_encode(out, 7, &olen, &t);
	check(rc == -ENOSPC, "time encode into 7 bytes -> %s", errname(rc));
	rc = tcap_time_tz_format(iso, 25, &t);
	check(rc == -ENOSPC, "time format into 25 bytes -> %s", errname(rc));
	rc = tcap_time_tz_format(iso, 26, &t);
	check(rc == 0 && !strcmp(iso, "2021-02-14T15:47:13-05:00"), "time format into 26 bytes -> %s %s",
	      errname(rc), iso);
	t.month = 0;
	rc = tcap_time_tz_encode(out, sizeof(out), &olen, &t);
	check(rc == -EINVAL, "time encode month 0 -> %s", errname(rc));
	rc = tcap_time_tz_format(iso, sizeof(iso), &t);
	check(rc == -EINVAL, "time format month 0 -> %s", errname(rc));
	t = (struct tcap_time_tz){ 10000, 1, 1, 0, 0, 0, 0 };
	rc = tcap_time_tz_encode(out, sizeof(out), &olen, &t);
	check(rc == -EINVAL, "time encode year 10000 -> %s", errname(rc));
	t = (struct tcap_time_tz){ 2021, 1, 1, 0, 0, 0, 57 };
	rc = tcap_time_tz_encode(out, sizeof(out), &olen, &t);
	check(rc == -EINVAL, "time encode zone +14:15 -> %s", errname(rc));
	t = (struct tcap_time_tz){ 9999, 12, 31, 23, 59, 59, -56 };
	rc = tcap_time_tz_encode(out, sizeof(out), &olen, &t);
	hexstr(outhex, out, rc ? 0 : olen);
	check(rc == 0 && !strcmp(outhex, "999921133295956d"), "time encode 9999-12-31 -14:00 -> %s", outhex);
}

/*
 * TBCD edges
 */

static void test_tbcd_edges(void)
{
	static const struct {
		const char *hex;
		int rc;
		const char *digits;
	} cases[] = {
		{ "", -EINVAL },
		{ "21", 2, "12" },
		{ "21f3", 3, "123" },
		{ "1f", -EINVAL },
		{ "f121", -EINVAL },
		{ "21ff", -EINVAL },
		{ "baf1", 3, "*#1" },
		{ "0123456789012345678901234567890123456789", 40, "1032547698103254769810325476981032547698" },
		{ "012345678901234567890123456789012345678901", -EINVAL },
	};
	char digits[TCAP_NUM_MAX_DIGITS + 1], outhex[65];
	uint8_t in[32], out[32], *p;
	size_t i, len, olen = 0;
	int rc;

	printf("== %s\n", __func__);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = unhex(in, sizeof(in), cases[i].hex);
		p = heap_copy(in, len);
		rc = tcap_tbcd_decode(digits, sizeof(digits), len ? p : NULL, len);
		free(p);
		check(rc == cases[i].rc && (rc < 0 || !strcmp(digits, cases[i].digits)), "tbcd \"%s\" -> %s%s%s",
		      cases[i].hex, errname(rc), rc < 0 ? "" : " ", rc < 0 ? "" : digits);
	}
	len = unhex(in, sizeof(in), "21f3");
	rc = tcap_tbcd_decode(digits, 3, in, len);
	check(rc == -ENOSPC, "tbcd 3 digits into 3 bytes -> %s", errname(rc));
	rc = tcap_tbcd_decode(digits, 4, in, len);
	check(rc == 3, "tbcd 3 digits into 4 bytes -> %s", errname(rc));

	rc = tcap_tbcd_encode(out, sizeof(out), &olen, "*#1");
	hexstr(outhex, out, rc ? 0 : olen);
	check(rc == 0 && !strcmp(outhex, "baf1"), "tbcd encode \"*#1\" -> %s", outhex);
	rc = tcap_tbcd_encode(out, 1, &olen, "*#1");
	check(rc == -ENOSPC, "tbcd encode \"*#1\" into 1 byte -> %s", errname(rc));
	rc = tcap_tbcd_encode(out, sizeof(out), &olen, "12f");
	check(rc == -EINVAL, "tbcd encode \"12f\" -> %s", errname(rc));
	rc = tcap_tbcd_encode(out, sizeof(out), &olen, "");
	check(rc == -EINVAL, "tbcd encode \"\" -> %s", errname(rc));
	rc = tcap_tbcd_encode(out, sizeof(out), &olen, "12345678901234567890123456789012345678901");
	check(rc == -EINVAL, "tbcd encode 41 digits -> %s", errname(rc));
}

static void test_names(void)
{
	int i;

	printf("== %s\n", __func__);
	printf("  nature:");
	for (i = 0; i <= TCAP_NAT_OTHER + 1; i++)
		printf(" %s", or_dash(tcap_num_nature_name(i)));
	printf("\n  plan:");
	for (i = 0; i <= TCAP_PLAN_OTHER + 1; i++)
		printf(" %s", or_dash(tcap_num_plan_name(i)));
	printf("\n  pres:");
	for (i = 0; i <= TCAP_PRES_SPARE + 1; i++)
		printf(" %s", or_dash(tcap_num_pres_name(i)));
	printf("\n  screen:");
	for (i = 0; i <= TCAP_SCREEN_NETWORK + 1; i++)
		printf(" %s", or_dash(tcap_num_screen_name(i)));
	printf("\n");
}

/*
 * Random input: nothing may read out of bounds (ASan), and whatever decodes must encode
 * and decode again to the same fields.
 */

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 16;
}

static bool digits_ok(const struct tcap_number *n, enum tcap_num_format fmt)
{
	const char *alphabet = fmt == TCAP_NUMFMT_BCD ? "0123456789*#abc" : "0123456789abcdef";
	size_t len = strnlen(n->digits, sizeof(n->digits)), i;

	if (len > TCAP_NUM_MAX_DIGITS)
		return false;
	for (i = 0; i < len; i++) {
		if (!strchr(alphabet, n->digits[i]))
			return false;
	}
	return true;
}

static void test_random(void)
{
	static const enum tcap_num_format fmts[] = {
		TCAP_NUMFMT_ISUP_CALLED, TCAP_NUMFMT_ISUP_CALLING, TCAP_NUMFMT_BCD, TCAP_NUMFMT_AIN_DIGITS,
	};
	unsigned int accepted[4] = { 0 }, bad[4] = { 0 }, tbcd_ok = 0, time_ok = 0, time_bad = 0;
	const unsigned int rounds = 4000;
	unsigned int r, f;

	printf("== %s\n", __func__);
	for (r = 0; r < rounds; r++) {
		size_t len = rnd() % 26, i;
		uint8_t raw[26], *p;
		char digits[TCAP_NUM_MAX_DIGITS + 1];
		struct tcap_time_tz t;

		for (i = 0; i < len; i++)
			raw[i] = rnd();
		/* bias towards plausible headers so that many inputs get past the first checks */
		if (len >= 2 && (r & 1))
			raw[0] &= 0x87;
		p = heap_copy(raw, len);
		for (f = 0; f < 4; f++) {
			struct tcap_number n, n2;
			uint8_t enc[32];
			size_t elen = 0;

			if (tcap_num_decode(&n, fmts[f], len ? p : NULL, len))
				continue;
			accepted[f]++;
			if (!digits_ok(&n, fmts[f]) ||
			    tcap_num_encode(enc, sizeof(enc), &elen, fmts[f], &n) ||
			    tcap_num_decode(&n2, fmts[f], enc, elen) || !same_number(&n, &n2))
				bad[f]++;
		}
		if (tcap_tbcd_decode(digits, sizeof(digits), len ? p : NULL, len) >= 0)
			tbcd_ok++;
		if (len == 8 || (r & 1)) {
			/* every other round: 8 octets of swapped BCD in plausible ranges, so that the
			 * range checks (and not only the length check) are exercised */
			static const unsigned int limit[7] = { 100, 100, 13, 32, 24, 61, 61 };

			free(p);
			len = 8;
			for (i = 0; i < 7; i++) {
				unsigned int v = rnd() % limit[i];

				raw[i] = (v % 10) << 4 | v / 10;
			}
			raw[7] = rnd() % 10 << 4 | rnd() % 16;
			p = heap_copy(raw, len);
		}
		if (tcap_time_tz_decode(&t, len ? p : NULL, len) == 0) {
			uint8_t enc[8];
			size_t elen;
			struct tcap_time_tz t2;

			time_ok++;
			if (tcap_time_tz_encode(enc, sizeof(enc), &elen, &t) || tcap_time_tz_decode(&t2, enc, elen) ||
			    memcmp(&t, &t2, sizeof(t)))
				time_bad++;
		}
		free(p);
	}
	for (f = 0; f < 4; f++) {
		printf("  %s: %u of %u random inputs decoded\n", fmt_name(fmts[f]), accepted[f], rounds);
		check(bad[f] == 0 && accepted[f] > 0, "random %s: decode/encode/decode stable (%u unstable)",
		      fmt_name(fmts[f]), bad[f]);
	}
	printf("  tbcd: %u of %u random inputs decoded\n", tbcd_ok, rounds);
	printf("  time: %u of %u random inputs decoded\n", time_ok, rounds);
	check(time_bad == 0 && time_ok > 0, "random time: decode/encode/decode stable (%u unstable)", time_bad);
}

static char *load_vector_hex(const char *path)
{
	char line[4096], *all;
	size_t used = 0, cap = 1 << 16;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	all = calloc(1, cap);
	if (!all) {
		fclose(f);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *tag = "hex    :";
		const char *h = line + strlen(tag);
		size_t n;

		if (strncmp(line, tag, strlen(tag)))
			continue;
		while (*h == ' ')
			h++;
		n = strcspn(h, " \r\n");
		if (used + n + 2 > cap)
			break;
		memcpy(all + used, h, n);
		used += n;
		all[used++] = '\n';
	}
	fclose(f);
	return all;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		vector_hex = load_vector_hex(argv[1]);
	check(vector_hex != NULL, "shared-vectors.txt loaded");

	test_number_vectors();
	test_tbcd_vectors();
	test_decode_cases();
	test_encode_cases();
	test_from_string();
	test_e164();
	test_time();
	test_time_edges();
	test_tbcd_edges();
	test_names();
	test_random();

	free(vector_hex);
	printf("failures: %d\n", failures);
	return failures ? 1 : 0;
}
