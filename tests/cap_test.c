/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* CAP/INAP argument codec tests: the conformance vectors V1 (InitialDP), V5
 * (RequestReportBCSMEvent), V6a/V6b (EventReportBCSM) decoded, printed and
 * re-encoded to the same bytes; encode/decode round trips of every argument for
 * CAP v2/v3/v4 and INAP CS-1; unknown and misplaced fields; truncated,
 * corrupted and trailing-garbage input; names; and a decode/free loop that must
 * leave the heap as it found it. Inputs are copied into exactly sized heap
 * blocks so that ASan catches any read beyond len. */

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tandem/cap.h>
#include <tandem/tcap_numbers.h>

#include "testlib.h"

static int failures;

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
	case 0: return "0";
	case -EINVAL: return "-EINVAL";
	case -ENOSPC: return "-ENOSPC";
	case -ENOENT: return "-ENOENT";
	case -ENOMEM: return "-ENOMEM";
	}
	snprintf(buf, sizeof(buf), "%d", rc);
	return buf;
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

static void hexline(const char *label, const uint8_t *buf, size_t len)
{
	printf("  %s ", label);
	tl_hexprint(buf, len);
	printf("\n");
}

static const enum cap_protocol protos[] = { CAP_PROTO_CAP2, CAP_PROTO_CAP3, CAP_PROTO_CAP4, CAP_PROTO_INAP };

/* Decoders under test, on an exactly sized copy of the input. */
#define DECODE(fn, out, p, buf, len) ({						\
	uint8_t *x_ = tl_exact(buf, len);					\
	int r_ = fn(out, p, x_, len);						\
	free(x_);								\
	r_;									\
})

static void print_num(const char *label, const struct tcap_number *n)
{
	printf("  %s: digits=\"%s\" nature=%s(%u) plan=%s(%u) pres=%s screen=%s\n", label, n->digits,
	       or_dash(tcap_num_nature_name(n->nature)), n->nature_raw, or_dash(tcap_num_plan_name(n->plan)),
	       n->plan_raw, or_dash(tcap_num_pres_name(n->pres)), or_dash(tcap_num_screen_name(n->screen)));
}

static void print_idp(const struct cap_idp *d)
{
	char text[40];

	printf("  serviceKey: %u\n", d->service_key);
	if (d->has_called)
		print_num("calledPartyNumber", &d->called);
	if (d->has_calling)
		print_num("callingPartyNumber", &d->calling);
	if (d->has_calling_category)
		printf("  callingPartysCategory: %u\n", d->calling_category);
	if (d->has_location_number)
		print_num("locationNumber", &d->location_number);
	if (d->has_original_called)
		print_num("originalCalledPartyID", &d->original_called);
	if (d->has_redirecting)
		print_num("redirectingPartyID", &d->redirecting);
	if (d->has_redirection_info)
		hexline("redirectionInformation:", d->redirection_info, 2);
	if (d->has_bearer_cap)
		hexline("bearerCap:", d->bearer_cap, d->bearer_cap_len);
	if (d->has_event_type)
		printf("  eventTypeBCSM: %s(%d)\n", or_dash(cap_event_name(d->event_type)), d->event_type);
	if (d->has_imsi)
		printf("  iMSI: %s\n", d->imsi);
	if (d->has_age_of_location)
		printf("  ageOfLocationInformation: %u\n", d->age_of_location);
	if (d->has_vlr_number)
		print_num("vlr-number", &d->vlr_number);
	if (d->has_cell_id)
		hexline("cellGlobalIdOrServiceAreaIdFixedLength:", d->cell_id, sizeof(d->cell_id));
	if (d->has_lai)
		hexline("laiFixedLength:", d->lai, sizeof(d->lai));
	if (d->has_teleservice)
		printf("  ext-Teleservice: 0x%02x\n", d->teleservice);
	if (d->has_bearer_service)
		printf("  ext-BearerService: 0x%02x\n", d->bearer_service);
	if (d->has_call_ref)
		hexline("callReferenceNumber:", d->call_ref, d->call_ref_len);
	if (d->has_msc_address)
		print_num("mscAddress", &d->msc_address);
	if (d->has_called_bcd)
		print_num("calledPartyBCDNumber", &d->called_bcd);
	if (d->has_time_tz) {
		if (tcap_time_tz_format(text, sizeof(text), &d->time_tz))
			snprintf(text, sizeof(text), "(unprintable)");
		printf("  timeAndTimezone: %s\n", text);
	}
	if (d->call_forwarding_pending)
		printf("  callForwardingSS-Pending\n");
	if (d->has_gmsc_address)
		print_num("gmscAddress", &d->gmsc_address);
	if (d->has_dialled_digits)
		print_num("dialledDigits", &d->dialled_digits);
}

static void leg_text(char *out, size_t size, const struct cap_leg_id *l)
{
	switch (l->side) {
	case CAP_LEG_SENDING:
		snprintf(out, size, "sendingSideID leg%u", l->leg);
		break;
	case CAP_LEG_RECEIVING:
		snprintf(out, size, "receivingSideID leg%u", l->leg);
		break;
	default:
		snprintf(out, size, "-");
	}
}

static void print_rrbe(const struct cap_rrbe *r)
{
	unsigned int i;
	char leg[32];

	for (i = 0; i < r->num_events; i++) {
		const struct cap_bcsm_event *e = &r->events[i];

		leg_text(leg, sizeof(leg), &e->leg);
		printf("  event %u: %s(%d) %s leg=%s", i, or_dash(cap_event_name(e->event_type)), e->event_type,
		       or_dash(cap_monitor_mode_name(e->monitor_mode)), leg);
		if (e->has_app_timer)
			printf(" applicationTimer=%u", e->app_timer);
		if (e->automatic_rearm)
			printf(" automaticRearm");
		printf("\n");
	}
}

static void print_erb(const struct cap_erb *e)
{
	char leg[32];

	leg_text(leg, sizeof(leg), &e->leg);
	printf("  eventTypeBCSM: %s(%d) leg=%s", or_dash(cap_event_name(e->event_type)), e->event_type, leg);
	if (e->has_misc_call_info)
		printf(" messageType=%s", e->message_type ? "notification" : "request");
	printf("\n");
	if (e->has_release_cause)
		hexline("cause:", e->release_cause, e->release_cause_len);
}

/* Find the InitialDPArg (30 75 80 01 5b) inside the TC-BEGIN of V1. */
static int v1_param(uint8_t *out, size_t size)
{
	static const uint8_t start[] = { 0x30, 0x75, 0x80, 0x01, 0x5b };
	uint8_t msg[512];
	int n = tl_vector(msg, sizeof(msg), "V1"), i;

	for (i = 0; n > 0 && i + (int)sizeof(start) <= n; i++) {
		if (!memcmp(msg + i, start, sizeof(start)) && i + 2 + 0x75 <= n && (size_t)(2 + 0x75) <= size) {
			memcpy(out, msg + i, 2 + 0x75);
			return 2 + 0x75;
		}
	}
	fprintf(stderr, "V1 parameter not found\n");
	exit(2);
}

static void test_v1(void)
{
	uint8_t param[256], enc[256];
	struct cap_idp d, d2;
	size_t elen;
	int n, rc, i;

	printf("== %s\n", __func__);
	n = v1_param(param, sizeof(param));
	hexline("parameter:", param, n);
	rc = DECODE(cap_idp_decode, &d, CAP_PROTO_CAP4, param, n);
	check(rc == 0, "V1 InitialDPArg decodes as CAP v4: %s", errname(rc));
	print_idp(&d);
	check(d.service_key == 91 && d.has_calling && !strcmp(d.calling.digits, "14165551234") &&
	      d.calling_category == 10 && d.has_event_type && d.event_type == CAP_EVT_COLLECTED_INFO &&
	      !strcmp(d.imsi, "0010010123456789") && d.has_teleservice && d.teleservice == 0x11 &&
	      !strcmp(d.called_bcd.digits, "14165555678") && !d.has_called,
	      "V1 values as listed in shared-vectors.txt");
	rc = cap_idp_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP4, &d);
	check(rc == 0 && elen == (size_t)n && !memcmp(enc, param, n), "V1 re-encodes to the same %d octets: %s", n,
	      errname(rc));
	rc = cap_idp_encode(enc, n - 1, &elen, CAP_PROTO_CAP4, &d);
	check(rc == -ENOSPC, "V1 into %d octets: %s", n - 1, errname(rc));

	/* The same octets are a valid v2 and v3 InitialDP (no v3-only field). */
	for (i = 0; i < 2; i++) {
		rc = DECODE(cap_idp_decode, &d2, protos[i], param, n);
		check(rc == 0 && !memcmp(&d, &d2, sizeof(d)), "V1 decodes as %s to the same fields: %s",
		      cap_protocol_name(protos[i]), errname(rc));
	}
	/* INAP CS-1 knows tags up to 30: the CAP fields after them are skipped. */
	rc = DECODE(cap_idp_decode, &d2, CAP_PROTO_INAP, param, n);
	check(rc == 0 && d2.service_key == 91 && d2.has_calling && d2.has_bearer_cap && !d2.has_imsi &&
	      !d2.has_time_tz, "V1 as INAP: CS-1 fields kept, CAP fields skipped: %s", errname(rc));
}

static void test_v5(void)
{
	uint8_t v[256], enc[256];
	struct cap_rrbe r;
	size_t elen;
	int n = tl_vector(v, sizeof(v), "V5"), rc;

	printf("== %s\n", __func__);
	rc = DECODE(cap_rrbe_decode, &r, CAP_PROTO_CAP2, v, n);
	check(rc == 0 && r.num_events == 7, "V5 RequestReportBCSMEventArg: %s, %u events", errname(rc), r.num_events);
	print_rrbe(&r);
	rc = cap_rrbe_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP2, &r);
	check(rc == 0 && elen == (size_t)n && !memcmp(enc, v, n), "V5 re-encodes to the same %d octets: %s", n,
	      errname(rc));
}

static void test_v6(void)
{
	const char *names[] = { "V6a", "V6b" };
	uint8_t v[64], enc[64];
	struct cap_erb e;
	size_t elen;
	int i, n, rc;

	printf("== %s\n", __func__);
	for (i = 0; i < 2; i++) {
		n = tl_vector(v, sizeof(v), names[i]);
		rc = DECODE(cap_erb_decode, &e, CAP_PROTO_CAP2, v, n);
		check(rc == 0, "%s EventReportBCSMArg: %s", names[i], errname(rc));
		print_erb(&e);
		rc = cap_erb_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP2, &e);
		check(rc == 0 && elen == (size_t)n && !memcmp(enc, v, n), "%s re-encodes to the same %d octets: %s",
		      names[i], n, errname(rc));
	}
}

/*
 * Round trips: encode, print, decode, compare, re-encode.
 */

#define ROUND_TRIP(label, p, in, enc_fn, dec_fn, print_fn) do {			\
	__typeof__(in) out_;							\
	uint8_t b1_[512], b2_[512];						\
	size_t l1_ = 0, l2_ = 0;						\
	int e_, d_, e2_;							\
	e_ = enc_fn(b1_, sizeof(b1_), &l1_, p, &(in));				\
	printf("%s %s: encode %s\n", cap_protocol_name(p), label, errname(e_)); \
	if (e_) {								\
		failures++;							\
		break;								\
	}									\
	hexline("=", b1_, l1_);							\
	d_ = DECODE(dec_fn, &out_, p, b1_, l1_);				\
	print_fn(&out_);							\
	e2_ = d_ ? d_ : enc_fn(b2_, sizeof(b2_), &l2_, p, &out_);		\
	check(!d_ && !e2_ && l1_ == l2_ && !memcmp(b1_, b2_, l1_),		\
	      "%s %s: decode %s, re-encode identical", cap_protocol_name(p), label, errname(d_)); \
} while (0)

static void num(struct tcap_number *n, const char *digits, enum tcap_num_nature nature)
{
	if (tcap_num_from_string(n, digits, nature)) {
		fprintf(stderr, "bad test number %s\n", digits);
		exit(2);
	}
}

static void test_idp_round_trips(void)
{
	struct cap_idp orig = { 0 }, term = { 0 }, gmsc = { 0 };
	uint8_t enc[256];
	size_t elen;
	unsigned int i;
	int rc;

	printf("== %s\n", __func__);
	/* Origination: collectedInfo, the caller's number and what was dialled. */
	orig.service_key = 100;
	orig.has_calling = true;
	num(&orig.calling, "14165551234", TCAP_NAT_NATIONAL);
	orig.has_calling_category = true;
	orig.calling_category = 10;
	orig.has_event_type = true;
	orig.event_type = CAP_EVT_COLLECTED_INFO;
	/* Termination: termAttemptAuthorized, called and calling numbers. */
	term.service_key = 200;
	term.has_called = true;
	num(&term.called, "14165555678", TCAP_NAT_NATIONAL);
	term.has_calling = true;
	num(&term.calling, "+442079460000", TCAP_NAT_INTERNATIONAL);
	term.has_event_type = true;
	term.event_type = CAP_EVT_TERM_ATTEMPT_AUTHORIZED;

	for (i = 0; i < 4; i++) {
		struct cap_idp o = orig;

		if (protos[i] == CAP_PROTO_INAP) {
			o.has_dialled_digits = true;
			num(&o.dialled_digits, "5551234", TCAP_NAT_SUBSCRIBER);
		} else {
			o.has_called_bcd = true;
			num(&o.called_bcd, "14165555678", TCAP_NAT_NATIONAL);
			o.has_imsi = true;
			strcpy(o.imsi, "001010123456789");
			o.has_vlr_number = true;
			num(&o.vlr_number, "+14165550000", TCAP_NAT_INTERNATIONAL);
		}
		ROUND_TRIP("IDP orig collectedInfo", protos[i], o, cap_idp_encode, cap_idp_decode, print_idp);
		ROUND_TRIP("IDP term termAttemptAuthorized", protos[i], term, cap_idp_encode, cap_idp_decode,
			   print_idp);
	}

	/* gmscAddress: initialDPArgExtension [59] { gmscAddress [1] } in v2, [0] in v3+. */
	gmsc.service_key = 1;
	gmsc.has_gmsc_address = true;
	num(&gmsc.gmsc_address, "+14165550001", TCAP_NAT_INTERNATIONAL);
	ROUND_TRIP("IDP gmscAddress", CAP_PROTO_CAP2, gmsc, cap_idp_encode, cap_idp_decode, print_idp);
	ROUND_TRIP("IDP gmscAddress", CAP_PROTO_CAP3, gmsc, cap_idp_encode, cap_idp_decode, print_idp);

	/* What a version cannot carry is refused, not dropped. */
	rc = cap_idp_encode(enc, sizeof(enc), &elen, CAP_PROTO_INAP, &gmsc);
	check(rc == -EINVAL, "INAP IDP with a CAP-only field: %s", errname(rc));
	orig.has_dialled_digits = true;
	num(&orig.dialled_digits, "5551234", TCAP_NAT_SUBSCRIBER);
	rc = cap_idp_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP4, &orig);
	check(rc == -EINVAL, "CAP IDP with INAP dialledDigits: %s", errname(rc));
	orig.has_dialled_digits = false;
	orig.event_type = CAP_EVT_ORIG_ATTEMPT_AUTHORIZED;
	rc = cap_idp_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP4, &orig);
	check(rc == -EINVAL, "CAP IDP with origAttemptAuthorized (INAP only): %s", errname(rc));
	rc = cap_idp_encode(enc, sizeof(enc), &elen, CAP_PROTO_INAP, &orig);
	check(rc == 0, "INAP IDP with origAttemptAuthorized: %s", errname(rc));
	orig.service_key = 0x80000000u;
	rc = cap_idp_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP4, &orig);
	check(rc == -EINVAL, "serviceKey 2^31 (above Integer4): %s", errname(rc));
}

static void print_connect(const struct cap_connect *c)
{
	unsigned int i;

	for (i = 0; i < c->num_dra; i++)
		print_num("destinationRoutingAddress", &c->dra[i]);
	if (c->has_original_called)
		print_num("originalCalledPartyID", &c->original_called);
	if (c->has_redirecting)
		print_num("redirectingPartyID", &c->redirecting);
	if (c->has_redirection_info)
		hexline("redirectionInformation:", c->redirection_info, 2);
	if (c->has_calling_category)
		printf("  callingPartysCategory: %u\n", c->calling_category);
	if (c->suppression_of_announcement)
		printf("  suppressionOfAnnouncement\n");
	if (c->ocsi_applicable)
		printf("  oCSIApplicable\n");
}

static void print_release(const struct cap_release *r)
{
	hexline("cause:", r->cause, r->cause_len);
}

static void print_cwa(const struct cap_cwa *c)
{
	if (c->has_calling_category)
		printf("  callingPartysCategory: %u\n", c->calling_category);
}

static void print_reset(const struct cap_reset_timer *r)
{
	printf("  timerID: %u timervalue: %u\n", r->timer_id, r->timer_value);
}

static void print_gap(const struct cap_call_gap *g)
{
	static const char *const kinds[] = { "calledAddressValue", "gapOnService", "calledAddressAndService",
					     "callingAddressAndService" };

	printf("  %s", g->kind <= CAP_GAP_CALLING_AND_SERVICE ? kinds[g->kind] : "?");
	if (g->kind != CAP_GAP_SERVICE) {
		printf(" digits=");
		tl_hexprint(g->digits, g->digits_len);
	}
	if (g->kind != CAP_GAP_CALLED_ADDRESS)
		printf(" serviceKey=%u", g->service_key);
	printf(" duration=%d gapInterval=%d", g->duration, g->gap_interval);
	if (g->has_control_type)
		printf(" controlType=%u", g->control_type);
	printf("\n");
	if (g->has_release_cause)
		hexline("releaseCause:", g->release_cause, g->release_cause_len);
	if (g->has_scf_id)
		hexline("scfID:", g->scf_id, g->scf_id_len);
}

static void test_answer_round_trips(void)
{
	struct cap_connect con = { 0 };
	struct cap_release rel = { .cause = { 0x80, 0x90 }, .cause_len = 2 };
	struct cap_rrbe rr_o = { 0 }, rr_t = { 0 };
	struct cap_erb erb_ans = { 0 }, erb_disc = { 0 };
	struct cap_call_gap gap = { 0 }, gap2;
	struct cap_reset_timer rt = { .timer_id = 0, .timer_value = 30 };
	struct cap_cwa cwa = { .has_calling_category = true, .calling_category = 10 };
	uint8_t enc[128];
	size_t elen;
	unsigned int i;
	int rc;

	printf("== %s\n", __func__);
	con.num_dra = 1;
	num(&con.dra[0], "14165550199", TCAP_NAT_NATIONAL);

	/* Arm answer and disconnect of the called party, notify only. */
	rr_o.num_events = 2;
	rr_o.events[0] = (struct cap_bcsm_event){ .event_type = CAP_EVT_O_ANSWER,
		.monitor_mode = CAP_MON_NOTIFY_AND_CONTINUE, .leg = { CAP_LEG_SENDING, 2 } };
	rr_o.events[1] = (struct cap_bcsm_event){ .event_type = CAP_EVT_O_DISCONNECT,
		.monitor_mode = CAP_MON_NOTIFY_AND_CONTINUE, .leg = { CAP_LEG_SENDING, 2 } };
	rr_t.num_events = 2;
	rr_t.events[0] = (struct cap_bcsm_event){ .event_type = CAP_EVT_T_ANSWER,
		.monitor_mode = CAP_MON_NOTIFY_AND_CONTINUE, .leg = { CAP_LEG_SENDING, 2 } };
	rr_t.events[1] = (struct cap_bcsm_event){ .event_type = CAP_EVT_T_DISCONNECT,
		.monitor_mode = CAP_MON_NOTIFY_AND_CONTINUE, .leg = { CAP_LEG_SENDING, 2 },
		.has_app_timer = true, .app_timer = 60 };

	erb_ans.event_type = CAP_EVT_O_ANSWER;
	erb_ans.leg = (struct cap_leg_id){ CAP_LEG_RECEIVING, 2 };
	erb_ans.has_misc_call_info = true;
	erb_ans.message_type = 1;
	erb_disc.event_type = CAP_EVT_O_DISCONNECT;
	erb_disc.leg = (struct cap_leg_id){ CAP_LEG_RECEIVING, 1 };
	erb_disc.has_misc_call_info = true;
	erb_disc.message_type = 1;
	erb_disc.has_release_cause = true;
	erb_disc.release_cause[0] = 0x80;
	erb_disc.release_cause[1] = 0x90;
	erb_disc.release_cause_len = 2;

	/* Gap calls to a called number prefix for 60 s, one call every 5 s. */
	gap.kind = CAP_GAP_CALLED_ADDRESS;
	gap.digits[0] = 0x01;	/* Q.763 generic number: qualifier additional called number, */
	gap.digits[1] = 0x03;	/* even, national, */
	gap.digits[2] = 0x10;	/* ISDN plan, digits 1416 */
	gap.digits[3] = 0x41;
	gap.digits[4] = 0x61;
	gap.digits_len = 5;
	gap.duration = 60;
	gap.gap_interval = 5000;
	gap.has_control_type = true;
	gap.control_type = 0;
	gap.has_release_cause = true;
	gap.release_cause[0] = 0x80;
	gap.release_cause[1] = 0xa2;	/* cause 34, no circuit available */
	gap.release_cause_len = 2;

	for (i = 0; i < 4; i++) {
		enum cap_protocol p = protos[i];

		ROUND_TRIP("Connect", p, con, cap_connect_encode, cap_connect_decode, print_connect);
		ROUND_TRIP("ReleaseCall", p, rel, cap_release_encode, cap_release_decode, print_release);
		ROUND_TRIP("RRBE oAnswer+oDisconnect", p, rr_o, cap_rrbe_encode, cap_rrbe_decode, print_rrbe);
		ROUND_TRIP("RRBE tAnswer+tDisconnect", p, rr_t, cap_rrbe_encode, cap_rrbe_decode, print_rrbe);
		ROUND_TRIP("ERB oAnswer", p, erb_ans, cap_erb_encode, cap_erb_decode, print_erb);
		ROUND_TRIP("ERB oDisconnect", p, erb_disc, cap_erb_encode, cap_erb_decode, print_erb);
		ROUND_TRIP("CallGap", p, gap, cap_call_gap_encode, cap_call_gap_decode, print_gap);
		ROUND_TRIP("ResetTimer", p, rt, cap_reset_timer_encode, cap_reset_timer_decode, print_reset);
		if (p == CAP_PROTO_CAP3 || p == CAP_PROTO_CAP4) {
			ROUND_TRIP("ContinueWithArgument", p, cwa, cap_cwa_encode, cap_cwa_decode, print_cwa);
		} else {
			rc = cap_cwa_encode(enc, sizeof(enc), &elen, p, &cwa);
			check(rc == -EINVAL, "%s has no ContinueWithArgument: %s", cap_protocol_name(p), errname(rc));
		}
	}

	/* The other CallGap criteria; compound criteria are CAP v3 and later. */
	gap2 = gap;
	gap2.kind = CAP_GAP_SERVICE;
	gap2.service_key = 100;
	gap2.has_release_cause = false;
	gap2.duration = -1;
	gap2.gap_interval = -1;
	ROUND_TRIP("CallGap gapOnService", CAP_PROTO_CAP2, gap2, cap_call_gap_encode, cap_call_gap_decode, print_gap);
	gap2.kind = CAP_GAP_CALLED_AND_SERVICE;
	ROUND_TRIP("CallGap calledAddressAndService", CAP_PROTO_INAP, gap2, cap_call_gap_encode, cap_call_gap_decode,
		   print_gap);
	gap2.kind = CAP_GAP_CALLING_AND_SERVICE;
	gap2.has_scf_id = true;
	gap2.scf_id[0] = 0x12;
	gap2.scf_id[1] = 0x34;
	gap2.scf_id_len = 2;
	ROUND_TRIP("CallGap compound", CAP_PROTO_CAP4, gap2, cap_call_gap_encode, cap_call_gap_decode, print_gap);
	rc = cap_call_gap_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP2, &gap2);
	check(rc == -EINVAL, "cap2 CallGap with compound criteria: %s", errname(rc));

	rt.timer_value = 0x80000000u;
	rc = cap_reset_timer_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP4, &rt);
	check(rc == -EINVAL, "ResetTimer value 2^31: %s", errname(rc));
	rel.cause_len = 1;
	rc = cap_release_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP4, &rel);
	check(rc == -EINVAL, "ReleaseCall with a 1-octet cause: %s", errname(rc));
	con.num_dra = 2;
	con.dra[1] = con.dra[0];
	rc = cap_connect_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP4, &con);
	check(rc == -EINVAL, "CAP Connect with 2 destinationRoutingAddresses: %s", errname(rc));
	ROUND_TRIP("Connect 2 addresses", CAP_PROTO_INAP, con, cap_connect_encode, cap_connect_decode, print_connect);
	erb_disc.leg.side = CAP_LEG_SENDING;
	rc = cap_erb_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP4, &erb_disc);
	check(rc == -EINVAL, "CAP ERB legID must be receivingSideID: %s", errname(rc));
	erb_ans.has_release_cause = true;
	erb_ans.release_cause_len = 2;
	rc = cap_erb_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP4, &erb_ans);
	check(rc == -EINVAL, "ERB oAnswer has no cause to carry: %s", errname(rc));
	rr_o.events[0].automatic_rearm = true;
	rc = cap_rrbe_encode(enc, sizeof(enc), &elen, CAP_PROTO_CAP2, &rr_o);
	check(rc == -EINVAL, "cap2 RRBE with automaticRearm: %s", errname(rc));
	ROUND_TRIP("RRBE automaticRearm", CAP_PROTO_CAP3, rr_o, cap_rrbe_encode, cap_rrbe_decode, print_rrbe);
}

/*
 * Unknown, misplaced and indefinite-length fields.
 */

/* A SEQUENCE TLV (tag t, definite length) around body. */
static size_t wrap(uint8_t *out, uint8_t tag, const uint8_t *body, size_t len)
{
	size_t h = 0;

	out[h++] = tag;
	if (len < 128) {
		out[h++] = len;
	} else {
		out[h++] = 0x81;
		out[h++] = len;
	}
	memmove(out + h, body, len);
	return h + len;
}

static int idp_hex(struct cap_idp *d, enum cap_protocol p, const char *body_hex)
{
	uint8_t body[300], buf[310];
	int n = tl_unhex(body, sizeof(body), body_hex);
	size_t len;

	if (n < 0) {
		fprintf(stderr, "bad test hex\n");
		exit(2);
	}
	len = wrap(buf, 0x30, body, n);
	return DECODE(cap_idp_decode, d, p, buf, len);
}

static void test_unknown_fields(void)
{
	uint8_t param[256], buf[300];
	struct cap_idp v1, d;
	struct cap_release rel;
	struct cap_rrbe r;
	struct cap_erb e;
	int n, rc;
	char hex[600];
	size_t i;

	printf("== %s\n", __func__);
	n = v1_param(param, sizeof(param));
	DECODE(cap_idp_decode, &v1, CAP_PROTO_CAP4, param, n);
	for (i = 0; i < (size_t)n - 2; i++)
		snprintf(hex + 2 * i, 3, "%02x", param[2 + i]);

	/* [99] appended at the end: skipped by asn1c itself. */
	snprintf(hex + 2 * (n - 2), sizeof(hex) - 2 * (n - 2), "9f6301ff");
	rc = idp_hex(&d, CAP_PROTO_CAP4, hex);
	check(rc == 0 && !memcmp(&d, &v1, sizeof(d)), "V1 + [99] primitive appended: %s, same fields", errname(rc));
	snprintf(hex + 2 * (n - 2), sizeof(hex) - 2 * (n - 2), "bf63053003020101");
	rc = idp_hex(&d, CAP_PROTO_CAP4, hex);
	check(rc == 0 && !memcmp(&d, &v1, sizeof(d)), "V1 + [99] constructed appended: %s, same fields", errname(rc));

	/* An unknown field in the middle: asn1c 0.9.28 alone would drop every
	 * field after it; cap_ber_decode removes it first. */
	rc = idp_hex(&d, CAP_PROTO_CAP4, "80015b9f63020000" "8308811041615515320485010a9c0102");
	check(rc == 0 && d.service_key == 91 && d.has_calling && d.calling_category == 10 && d.has_event_type,
	      "[99] between serviceKey and callingPartyNumber: %s, later fields kept", errname(rc));
	/* And one between two extension additions of a nested SEQUENCE. */
	rc = idp_hex(&d, CAP_PROTO_CAP4, "80015b" "bf3410020100" "9f630100" "8107c14161550500f0");
	check(rc == 0 && d.has_age_of_location && d.has_vlr_number, "[99] inside locationInformation: %s",
	      errname(rc));

	/* initialDPArgExtension with unknown members before and after gmscAddress:
	 * v3+ { gmscAddress [0] }, v2 { naCarrierInformation [0], gmscAddress [1] }. */
	rc = idp_hex(&d, CAP_PROTO_CAP4, "80015b" "bf3b0f" "8007914161550500f1" "9f630100" "8200");
	check(rc == 0 && d.has_gmsc_address && !strcmp(d.gmsc_address.digits, "14165550001"),
	      "v4 initialDPArgExtension {gmscAddress [0], [99], ms-Classmark2 [2]}: %s", errname(rc));
	rc = idp_hex(&d, CAP_PROTO_CAP2, "80015b" "bf3b11" "a0028000" "9f630100" "8107914161550500f1");
	check(rc == 0 && d.has_gmsc_address && !strcmp(d.gmsc_address.digits, "14165550001"),
	      "v2 initialDPArgExtension {naCarrierInformation [0], [99], gmscAddress [1]}: %s", errname(rc));
	rc = idp_hex(&d, CAP_PROTO_CAP4, "80015b" "bf3b0d" "a0028000" "8107914161550500f1");
	check(rc == -EINVAL, "v2-style initialDPArgExtension in a v4 InitialDP: %s", errname(rc));
	/* v3+ fields after the marker, extensions and service interaction indicators. */
	rc = idp_hex(&d, CAP_PROTO_CAP4, "80015b" "af0a3008020101a103020102" "910280a2" "bf2005a003810101" "9f3a00");
	check(rc == 0 && d.call_forwarding_pending, "extensions, cause, serviceInteractionIndicatorsTwo, "
	      "callForwardingSS-Pending: %s", errname(rc));

	/* Fields out of their order, or twice: asn1c would drop them silently. */
	rc = idp_hex(&d, CAP_PROTO_CAP4, "80015b" "85010a" "83088110416155153204");
	check(rc == -EINVAL, "callingPartyNumber after callingPartysCategory: %s", errname(rc));
	rc = idp_hex(&d, CAP_PROTO_CAP4, "80015b" "85010a" "85010a");
	check(rc == -EINVAL, "callingPartysCategory twice: %s", errname(rc));
	rc = idp_hex(&d, CAP_PROTO_CAP4, "83088110416155153204");
	check(rc == -EINVAL, "no serviceKey: %s", errname(rc));

	/* Indefinite lengths are BER too. */
	memcpy(buf, "\x30\x80", 2);
	memcpy(buf + 2, param + 2, n - 2);
	memcpy(buf + n, "\x00\x00", 2);
	rc = DECODE(cap_idp_decode, &d, CAP_PROTO_CAP4, buf, n + 2);
	check(rc == 0 && !memcmp(&d, &v1, sizeof(d)), "V1 with an indefinite outer length: %s, same fields",
	      errname(rc));

	/* ERB: an eventSpecificInformationBCSM alternative of a later release. */
	n = tl_unhex(buf, sizeof(buf), "3010800107a206bf3c03800101a303810102");
	rc = DECODE(cap_erb_decode, &e, CAP_PROTO_CAP4, buf, n);
	check(rc == 0 && e.event_type == CAP_EVT_O_ANSWER && !e.has_release_cause && e.leg.leg == 2,
	      "ERB with an unknown eventSpecificInformationBCSM [60]: %s", errname(rc));
	/* RRBE: an unknown member inside a BCSMEvent, and the v4 dpSpecificCriteriaAlt. */
	n = tl_unhex(buf, sizeof(buf), "3017a0153013800107810101a2038001029f630100be02a300");
	rc = DECODE(cap_rrbe_decode, &r, CAP_PROTO_CAP4, buf, n);
	check(rc == 0 && r.num_events == 1 && !r.events[0].has_app_timer && r.events[0].leg.leg == 2,
	      "BCSMEvent with [99] and dpSpecificCriteriaAlt: %s", errname(rc));
	/* ReleaseCall: the CAP v4 form with extensions. */
	n = tl_unhex(buf, sizeof(buf), "a20b80028090a1053003020101");
	rc = DECODE(cap_release_decode, &rel, CAP_PROTO_CAP4, buf, n);
	check(rc == 0 && rel.cause_len == 2 && rel.cause[1] == 0x90, "allCallSegmentsWithExtension: %s",
	      errname(rc));
}

/*
 * Malformed input: every prefix, trailing octets, and byte flips.
 */

static void test_malformed(void)
{
	uint8_t param[256], buf[300];
	struct cap_idp d;
	int n, len, rc, bad = 0, ok = 0, other = 0, pos, bit;

	printf("== %s\n", __func__);
	n = v1_param(param, sizeof(param));
	for (len = 0; len < n; len++) {
		rc = DECODE(cap_idp_decode, &d, CAP_PROTO_CAP4, param, len);
		if (rc != -EINVAL)
			bad++;
	}
	check(bad == 0, "every proper prefix of V1 (0..%d octets) is -EINVAL", n - 1);

	memcpy(buf, param, n);
	buf[n] = 0x00;
	rc = DECODE(cap_idp_decode, &d, CAP_PROTO_CAP4, buf, n + 1);
	check(rc == -EINVAL, "V1 plus one octet: %s", errname(rc));
	memcpy(buf + n, "\x00\x00", 2);
	rc = DECODE(cap_idp_decode, &d, CAP_PROTO_CAP4, buf, n + 2);
	check(rc == -EINVAL, "V1 plus 00 00: %s", errname(rc));
	rc = DECODE(cap_idp_decode, &d, CAP_PROTO_CAP4, param, 0);
	check(rc == -EINVAL, "empty: %s", errname(rc));

	/* found by fuzzing: an event type the protocol does not define decoded but could
	 * not be encoded again; origAttemptAuthorized(1) is INAP's only */
	{
		static const uint8_t erb1[] = { 0x30, 0x03, 0x80, 0x01, 0x01 };
		struct cap_erb e;

		rc = DECODE(cap_erb_decode, &e, CAP_PROTO_CAP4, erb1, sizeof(erb1));
		check(rc == -EINVAL, "CAP ERB origAttemptAuthorized: %s", errname(rc));
		rc = DECODE(cap_erb_decode, &e, CAP_PROTO_INAP, erb1, sizeof(erb1));
		check(rc == 0, "INAP ERB origAttemptAuthorized: %s", errname(rc));
	}

	/* Named corruptions. */
	memcpy(buf, param, n);
	buf[0] = 0x31;
	rc = DECODE(cap_idp_decode, &d, CAP_PROTO_CAP4, buf, n);
	check(rc == -EINVAL, "SET instead of SEQUENCE: %s", errname(rc));
	memcpy(buf, param, n);
	buf[1] = 0x76;
	rc = DECODE(cap_idp_decode, &d, CAP_PROTO_CAP4, buf, n);
	check(rc == -EINVAL, "outer length one too long: %s", errname(rc));
	memcpy(buf, param, n);
	buf[3] = 0x05;
	rc = DECODE(cap_idp_decode, &d, CAP_PROTO_CAP4, buf, n);
	check(rc == -EINVAL, "serviceKey length runs into the next field: %s", errname(rc));
	memcpy(buf, param, n);
	buf[4] = 0x7f;
	rc = DECODE(cap_idp_decode, &d, CAP_PROTO_CAP4, buf, n);
	check(rc == 0 && d.service_key == 127, "serviceKey value changed: %s, %u", errname(rc), d.service_key);
	memcpy(buf, param, n);
	buf[2] = 0x81;
	rc = DECODE(cap_idp_decode, &d, CAP_PROTO_CAP4, buf, n);
	check(rc == -EINVAL, "serviceKey missing (tag 0 -> 1): %s", errname(rc));

	/* Every single-bit flip: decodes or is -EINVAL, nothing else. */
	for (pos = 0; pos < n; pos++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(buf, param, n);
			buf[pos] ^= 1 << bit;
			rc = DECODE(cap_idp_decode, &d, CAP_PROTO_CAP4, buf, n);
			if (rc == 0)
				ok++;
			else if (rc != -EINVAL)
				other++;
		}
	}
	check(other == 0 && ok > 0 && ok < n * 8, "all %d single-bit flips of V1 decode or are -EINVAL", n * 8);
}

static void test_names(void)
{
	static const char *const acs[] = {
		CAP_AC_V2, CAP_AC_V3, CAP_AC_V4, INAP_AC_CS1_SSP_TO_SCP,
		"0.4.0.0.1.0.50.0", "0.4.0.0.1.23.3.4.0", "", "0.4.0.1.1.1.3.0",
	};
	enum cap_protocol p;
	size_t i;
	int op, rc;

	printf("== %s\n", __func__);
	for (op = -1; op <= 128; op++)
		if (cap_op_name(op))
			printf("  op %d %s\n", op, cap_op_name(op));
	for (op = 0; op <= 60; op++)
		if (cap_event_name(op))
			printf("  event %d %s\n", op, cap_event_name(op));
	for (op = 0; op <= 3; op++)
		printf("  monitorMode %d %s\n", op, or_dash(cap_monitor_mode_name(op)));
	for (i = 0; i < sizeof(acs) / sizeof(acs[0]); i++) {
		p = -1;
		rc = cap_protocol_from_ac(&p, acs[i]);
		printf("  ac \"%s\" -> %s %s\n", acs[i], errname(rc), rc ? "-" : cap_protocol_name(p));
	}
	rc = cap_protocol_from_ac(&p, NULL);
	check(rc == -ENOENT, "NULL application context: %s", errname(rc));
	check(!cap_op_name(1) && !cap_op_name(-1) && !cap_event_name(11) && !cap_monitor_mode_name(3),
	      "unknown codes have no name");
}

/* Every decoder on every protocol, on good, truncated and corrupted input, in
 * five identical rounds: a leak grows the heap in use by the same amount in
 * every round. (glibc counts chunks parked in its per-thread caches as in use,
 * so the first rounds only warm those up.) Under --enable-sanitize,
 * LeakSanitizer checks the same at exit and mallinfo2 stays zero. */
static void decode_round(const uint8_t *param, int n, const uint8_t *v5, int n5, const uint8_t *v6, int n6)
{
	struct cap_idp d;
	struct cap_rrbe r;
	struct cap_erb e;
	uint8_t buf[256];
	int i, k;

	for (i = 0; i < 200; i++) {
		for (k = 0; k < 4; k++) {
			cap_idp_decode(&d, protos[k], param, n);
			cap_idp_decode(&d, protos[k], param, i % n);	/* truncated: error path */
			memcpy(buf, param, n);
			buf[i % n] ^= 0x20;				/* corrupted */
			cap_idp_decode(&d, protos[k], buf, n);
			cap_rrbe_decode(&r, protos[k], v5, n5);
			cap_rrbe_decode(&r, protos[k], v5, n5 - 1 - i % 8);
			cap_erb_decode(&e, protos[k], v6, n6);
			cap_erb_decode(&e, protos[k], v6, n6 - 3);
		}
	}
}

static void test_no_leak(void)
{
	uint8_t param[256], v5[128], v6[32];
	size_t in_use[6];
	int n, n5, n6, round;

	printf("== %s\n", __func__);
	n = v1_param(param, sizeof(param));
	n5 = tl_vector(v5, sizeof(v5), "V5");
	n6 = tl_vector(v6, sizeof(v6), "V6b");
	in_use[0] = mallinfo2().uordblks;
	for (round = 1; round <= 5; round++) {
		decode_round(param, n, v5, n5, v6, n6);
		in_use[round] = mallinfo2().uordblks;
	}
	check(in_use[4] == in_use[3] && in_use[5] == in_use[4],
	      "5 rounds of 5600 decodes: the heap in use stops growing after the caches warm up");
}

int main(void)
{
	test_v1();
	test_v5();
	test_v6();
	test_idp_round_trips();
	test_answer_round_trips();
	test_unknown_fields();
	test_malformed();
	test_names();
	test_no_leak();
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
