/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Call-event fan-out: logs every event, keeps the last calls for `show calls`,
 * and calls the subscribers (the server notifier comes with a later issue). */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
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

/* The strings of a record in the order they are packed (the buffer and its size). */
struct str_field {
	char *buf;
	size_t size;
};

static unsigned int str_fields(struct scp_call *c, struct str_field *f)
{
	struct scp_party *p[] = { &c->calling, &c->called, &c->redirecting, &c->original_called, &c->charge,
				  &c->location };
	unsigned int i, n = 0;

#define F(x) (f[n++] = (struct str_field){ (x), sizeof(x) })
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		F(p[i]->raw);
		F(p[i]->e164);
	}
	F(c->imsi);
	F(c->msc);
	F(c->vlr);
	F(c->cell);
	F(c->call_ref);
	F(c->answer);
	F(c->end_reason);
	F(c->user_dn);
	F(c->lata);
#undef F
	return n;
}

#define REC_STRS 21	/* str_fields() fills exactly this many */

static struct scp_party *rec_parties(struct scp_call *c, unsigned int i)
{
	struct scp_party *p[] = { &c->calling, &c->called, &c->redirecting, &c->original_called, &c->charge,
				  &c->location };

	return p[i];
}

int scp_call_rec_pack(void *ctx, struct scp_call_rec *r, const struct scp_call *c)
{
	struct str_field f[REC_STRS];
	size_t len[REC_STRS], total = 0, off = 0;
	unsigned int i, n;
	char *strs;

	scp_call_rec_free(r);
	n = str_fields((struct scp_call *)c, f);
	for (i = 0; i < n; i++) {
		len[i] = strnlen(f[i].buf, f[i].size - 1);
		total += len[i] + 1;
	}
	strs = r->inl;
	if (total > sizeof(r->inl)) {
		strs = r->ext = talloc_size(ctx, total);
		if (!strs)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		memcpy(strs + off, f[i].buf, len[i]);
		strs[off + len[i]] = '\0';
		off += len[i] + 1;
	}
	r->len = total;
	r->have = true;
	r->monitored = c->monitored;
	r->fail_open = c->fail_open;
	r->dir = c->dir;
	r->ssn = c->ssn;
	r->service_key = c->service_key;
	r->trigger_criteria = c->trigger_criteria;
	r->id = c->id;
	r->protocol = c->protocol;
	r->t_trigger = c->t_trigger;
	r->t_answer = c->t_answer;
	r->t_end = c->t_end;
	for (i = 0; i < ARRAY_SIZE(r->party); i++) {
		const struct scp_party *p = rec_parties((struct scp_call *)c, i);

		r->party[i].present = p->present;
		r->party[i].withheld = p->withheld;
		r->party[i].nature = p->nature;
		r->party[i].pres = p->pres;
	}
	return 0;
}

void scp_call_rec_unpack(struct scp_call *c, const struct scp_call_rec *r)
{
	const char *strs = r->ext ? r->ext : r->inl;
	struct str_field f[REC_STRS];
	unsigned int i, n;
	size_t off = 0;

	memset(c, 0, sizeof(*c));
	if (!r->have)
		return;
	n = str_fields(c, f);
	for (i = 0; i < n && off < r->len; i++) {
		size_t l = strnlen(strs + off, r->len - off);

		/* packed from these very buffers: it fits (the bound is for safety only) */
		memcpy(f[i].buf, strs + off, l < f[i].size ? l : f[i].size - 1);
		off += l + 1;
	}
	c->monitored = r->monitored;
	c->fail_open = r->fail_open;
	c->dir = r->dir;
	c->ssn = r->ssn;
	c->service_key = r->service_key;
	c->trigger_criteria = r->trigger_criteria;
	c->id = r->id;
	c->protocol = r->protocol;
	c->t_trigger = r->t_trigger;
	c->t_answer = r->t_answer;
	c->t_end = r->t_end;
	for (i = 0; i < ARRAY_SIZE(r->party); i++) {
		struct scp_party *p = rec_parties(c, i);

		p->present = r->party[i].present;
		p->withheld = r->party[i].withheld;
		p->nature = r->party[i].nature;
		p->pres = r->party[i].pres;
	}
}

void scp_call_rec_free(struct scp_call_rec *r)
{
	talloc_free(r->ext);
	memset(r, 0, offsetof(struct scp_call_rec, inl));
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
