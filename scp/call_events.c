/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Call-event fan-out: logs every event, keeps the last calls for `show calls`,
 * and calls the subscribers (the server notifier comes with a later issue). */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/vty.h>

#include "call_events.h"
#include "scp.h"

/* Calls kept for show calls: a ring, the oldest is overwritten (O(1) per event). */
#define KEEP_CALLS 64

struct subscriber {
	struct llist_head list;
	scp_call_event_cb cb;
	void *data;
};

static LLIST_HEAD(subscribers);
static struct scp_call kept[KEEP_CALLS];
static unsigned int kept_next, kept_count;
static uint64_t next_id = 1;

uint64_t scp_call_next_id(void)
{
	return next_id++;
}

const char *scp_call_dir_name(enum scp_call_dir d)
{
	return d == SCP_DIR_ORIG ? "orig" : "term";
}

void scp_party_set(struct scp_party *p, const struct tcap_number *n, const struct tcap_dialplan *plan)
{
	memset(p, 0, sizeof(*p));
	p->present = true;
	OSMO_STRLCPY_ARRAY(p->raw, n->digits);
	p->nature = n->nature;
	p->pres = n->pres;
	p->withheld = n->pres == TCAP_PRES_RESTRICTED || n->pres == TCAP_PRES_UNAVAILABLE;
	if (tcap_num_to_e164(p->e164, sizeof(p->e164), n, plan))
		p->e164[0] = '\0';
}

/* A party for logs and the VTY: a withheld number is never shown as if public. */
static const char *party_str(char *buf, size_t size, const struct scp_party *p)
{
	if (!p->present)
		snprintf(buf, size, "-");
	else if (p->withheld)
		snprintf(buf, size, "(withheld)");
	else
		snprintf(buf, size, "%s", p->e164[0] ? p->e164 : p->raw);
	return buf;
}

static const char *ev_name(enum scp_call_ev ev)
{
	switch (ev) {
	case SCP_CALL_EV_TRIGGER:
		return "trigger";
	case SCP_CALL_EV_ANSWER:
		return "answer";
	case SCP_CALL_EV_END:
		return "end";
	}
	return "?";
}

static struct scp_call *kept_find(uint64_t id)
{
	unsigned int i;

	for (i = 0; i < kept_count; i++)
		if (kept[i].id == id)
			return &kept[i];
	return NULL;
}

void scp_call_event(enum scp_call_ev ev, struct scp_call *call)
{
	struct subscriber *s;
	struct scp_call *k;
	char a[48], b[48];

	LOGP(DCALL, LOGL_INFO, "call %" PRIu64 " %s: %s %s key=%u %s -> %s%s%s%s\n", call->id, ev_name(ev),
	     call->protocol, scp_call_dir_name(call->dir), call->service_key,
	     party_str(a, sizeof(a), &call->calling), party_str(b, sizeof(b), &call->called),
	     call->answer[0] ? " answer=" : "", call->answer, call->fail_open ? " (fail-open)" : "");

	k = kept_find(call->id);
	if (!k) {
		k = &kept[kept_next];
		kept_next = (kept_next + 1) % KEEP_CALLS;
		if (kept_count < KEEP_CALLS)
			kept_count++;
	}
	*k = *call;

	llist_for_each_entry(s, &subscribers, list)
		s->cb(ev, call, s->data);
}

int scp_call_events_subscribe(void *ctx, scp_call_event_cb cb, void *data)
{
	struct subscriber *s = talloc_zero(ctx, struct subscriber);

	if (!s)
		return -ENOMEM;
	s->cb = cb;
	s->data = data;
	llist_add_tail(&s->list, &subscribers);
	return 0;
}

void scp_call_events_fini(void)
{
	struct subscriber *s, *t;

	llist_for_each_entry_safe(s, t, &subscribers, list) {
		llist_del(&s->list);
		talloc_free(s);
	}
	kept_count = 0;
	kept_next = 0;
}

static const char *ts_str(char *buf, size_t size, const struct timespec *ts)
{
	struct tm tm;

	if (!ts->tv_sec) {
		snprintf(buf, size, "-");
		return buf;
	}
	gmtime_r(&ts->tv_sec, &tm);
	snprintf(buf, size, "%02u:%02u:%02u.%03u", (unsigned int)tm.tm_hour % 24, (unsigned int)tm.tm_min % 60,
		 (unsigned int)tm.tm_sec % 61, (unsigned int)(ts->tv_nsec / 1000000) % 1000);
	return buf;
}

void scp_call_events_vty_show(struct vty *vty, unsigned int max)
{
	unsigned int i, n = kept_count < max ? kept_count : max;
	char a[48], b[48], t1[24], t2[24], t3[24];

	vty_out(vty, "%u calls kept (of the last %u)%s", kept_count, KEEP_CALLS, VTY_NEWLINE);
	for (i = 0; i < n; i++) {
		const struct scp_call *c = &kept[(kept_next + KEEP_CALLS - n + i) % KEEP_CALLS];

		vty_out(vty, "call %" PRIu64 " %s %s ssn=%u key=%u calling=%s called=%s%s", c->id, c->protocol,
			scp_call_dir_name(c->dir), c->ssn, c->service_key, party_str(a, sizeof(a), &c->calling),
			party_str(b, sizeof(b), &c->called), VTY_NEWLINE);
		if (c->redirecting.present || c->original_called.present)
			vty_out(vty, "  redirecting=%s original-called=%s%s", party_str(a, sizeof(a), &c->redirecting),
				party_str(b, sizeof(b), &c->original_called), VTY_NEWLINE);
		if (c->imsi[0] || c->msc[0] || c->call_ref[0])
			vty_out(vty, "  imsi=%s msc=%s vlr=%s cell=%s call-ref=%s%s", c->imsi[0] ? c->imsi : "-",
				c->msc[0] ? c->msc : "-", c->vlr[0] ? c->vlr : "-", c->cell[0] ? c->cell : "-",
				c->call_ref[0] ? c->call_ref : "-", VTY_NEWLINE);
		vty_out(vty, "  answer=%s%s%s trigger=%s answered=%s end=%s%s%s%s", c->answer[0] ? c->answer : "-",
			c->monitored ? " monitored" : "", c->fail_open ? " fail-open" : "",
			ts_str(t1, sizeof(t1), &c->t_trigger), ts_str(t2, sizeof(t2), &c->t_answer),
			ts_str(t3, sizeof(t3), &c->t_end), c->end_reason[0] ? " reason=" : "", c->end_reason,
			VTY_NEWLINE);
	}
}
