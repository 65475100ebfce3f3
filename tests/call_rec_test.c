/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Unit test of the packed call record tandem-scp keeps for a monitored call between its events
 * (scp_call_rec_pack/unpack in scp/call_events.c): a typical CAP call and an AIN call fit inline, a record
 * with every one of the 21 strings at its longest goes to a buffer of its own, packing again over a record
 * frees what it held, an empty record unpacks to an empty call; every round trip gives back the call byte
 * for byte, and nothing stays allocated. Prints what it did; compared with tests/call_rec_test.ok. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "../scp/call_events.h"

static void *ctx;
static int failures;

static void fill(char *buf, size_t size, char c)
{
	memset(buf, c, size - 1);
	buf[size - 1] = '\0';
}

static void party(struct scp_party *p, const char *raw, const char *e164, bool withheld)
{
	p->present = true;
	snprintf(p->raw, sizeof(p->raw), "%s", raw);
	snprintf(p->e164, sizeof(p->e164), "%s", e164);
	p->nature = TCAP_NAT_INTERNATIONAL;
	p->pres = withheld ? TCAP_PRES_RESTRICTED : TCAP_PRES_ALLOWED;
	p->withheld = withheld;
}

static void check(const char *name, struct scp_call_rec *r, const struct scp_call *c)
{
	struct scp_call out;
	int rc = scp_call_rec_pack(ctx, r, c);

	scp_call_rec_unpack(&out, r);
	printf("%s: pack %d, %u string bytes %s, round trip %s\n", name, rc, r->len,
	       r->ext ? "in a buffer of their own" : "inline",
	       memcmp(&out, c, sizeof(out)) ? "DIFFERS" : "identical");
	if (rc || memcmp(&out, c, sizeof(out)))
		failures++;
}

int main(void)
{
	struct scp_call cap, ain, full, empty, out;
	struct scp_call_rec r;

	ctx = talloc_named_const(NULL, 0, "call_rec_test");
	memset(&r, 0, sizeof(r));
	printf("packed record: %zu bytes (a full call record: %zu)\n", sizeof(struct scp_call_rec),
	       sizeof(struct scp_call));

	/* every call starts zeroed, as the service logic's do: padding and unused buffer tails compare equal */
	memset(&cap, 0, sizeof(cap));
	cap.id = 42;
	cap.dir = SCP_DIR_ORIG;
	cap.protocol = "cap2";
	cap.ssn = 146;
	cap.service_key = 100;
	party(&cap.calling, "12015550100", "+12015550100", false);
	party(&cap.called, "2015550199", "+12015550199", false);
	snprintf(cap.imsi, sizeof(cap.imsi), "001010123456789");
	snprintf(cap.msc, sizeof(cap.msc), "+12015550001");
	snprintf(cap.call_ref, sizeof(cap.call_ref), "0102030405060708");
	snprintf(cap.answer, sizeof(cap.answer), "continue");
	cap.monitored = true;
	cap.trigger_criteria = -1;
	cap.t_trigger.tv_sec = 1795000000;
	cap.t_trigger.tv_nsec = 123456789;
	check("CAP v2 originating call", &r, &cap);

	memset(&ain, 0, sizeof(ain));
	ain.id = 43;
	ain.dir = SCP_DIR_TERM;
	ain.protocol = "ain";
	ain.ssn = 247;
	ain.service_key = 15;
	ain.trigger_criteria = 15;
	party(&ain.calling, "2015550111", "+12015550111", true);
	party(&ain.called, "2015550100", "+12015550100", false);
	party(&ain.charge, "2015550111", "+12015550111", false);
	snprintf(ain.user_dn, sizeof(ain.user_dn), "2015550100");
	snprintf(ain.lata, sizeof(ain.lata), "224");
	snprintf(ain.answer, sizeof(ain.answer), "authorizeTermination");
	snprintf(ain.end_reason, sizeof(ain.end_reason), "disconnect");
	ain.t_answer.tv_sec = 1795000003;
	ain.t_end.tv_sec = 1795000009;
	check("AIN terminating call, withheld caller", &r, &ain);

	memset(&full, 0, sizeof(full));
	full.id = 44;
	full.protocol = "cap4";
	full.trigger_criteria = -1;
	{
		struct scp_party *p[] = { &full.calling, &full.called, &full.redirecting, &full.original_called,
					  &full.charge, &full.location };
		unsigned int i;

		for (i = 0; i < 6; i++) {
			p[i]->present = true;
			fill(p[i]->raw, sizeof(p[i]->raw), '1' + i);
			fill(p[i]->e164, sizeof(p[i]->e164), '1' + i);
		}
	}
	fill(full.imsi, sizeof(full.imsi), '7');
	fill(full.msc, sizeof(full.msc), '8');
	fill(full.vlr, sizeof(full.vlr), '9');
	fill(full.cell, sizeof(full.cell), 'a');
	fill(full.call_ref, sizeof(full.call_ref), 'b');
	fill(full.answer, sizeof(full.answer), 'c');
	fill(full.end_reason, sizeof(full.end_reason), 'd');
	fill(full.user_dn, sizeof(full.user_dn), 'e');
	fill(full.lata, sizeof(full.lata), 'f');
	check("every string at its longest", &r, &full);
	printf("blocks held while the long record is kept: %zu\n", talloc_total_blocks(ctx) - 1);

	/* packing again over a record that held a buffer frees it */
	check("the CAP call again, over the long one", &r, &cap);
	printf("blocks held after packing the short one over it: %zu\n", talloc_total_blocks(ctx) - 1);

	check("the long one again", &r, &full);
	scp_call_rec_free(&r);
	printf("after free: record %s, blocks held %zu\n", r.have ? "still holds a call" : "empty",
	       talloc_total_blocks(ctx) - 1);

	memset(&empty, 0, sizeof(empty));
	memset(&out, 0x5a, sizeof(out));
	scp_call_rec_unpack(&out, &r);
	printf("an empty record unpacks to an empty call: %s\n", memcmp(&out, &empty, sizeof(out)) ? "no" : "yes");
	if (memcmp(&out, &empty, sizeof(out)))
		failures++;

	talloc_free(ctx);
	printf("%s\n", failures ? "FAILED" : "all round trips identical");
	return failures ? 1 : 0;
}
