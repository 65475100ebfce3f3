/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-scp core objects: the subsystems we serve with their counters, the
 * per-service-key answer rules, the timers and the daemon's stat items. */

#include <errno.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/stat_item.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/utils.h>

#include "scp.h"

struct scp *g_scp;

static const struct rate_ctr_desc ssn_ctr_desc[] = {
	[SCP_CTR_RX_TRIGGER] = { "rx:trigger", "Triggers received (InitialDP, InfoAnalyzed, ...)" },
	[SCP_CTR_RX_TRIGGER_ORIG] = { "rx:trigger:orig", "Originating triggers" },
	[SCP_CTR_RX_TRIGGER_TERM] = { "rx:trigger:term", "Terminating triggers" },
	[SCP_CTR_TX_CONTINUE] = { "tx:continue", "Answered with Continue" },
	[SCP_CTR_TX_CONNECT] = { "tx:connect", "Answered with Connect / AnalyzeRoute" },
	[SCP_CTR_TX_RELEASE] = { "tx:release", "Answered with ReleaseCall / Disconnect" },
	[SCP_CTR_TX_RRBE] = { "tx:rrbe", "Event reports requested (RequestReportBCSMEvent)" },
	[SCP_CTR_RX_EVENT_ANSWER] = { "rx:event:answer", "Answer events received" },
	[SCP_CTR_RX_EVENT_DISCONNECT] = { "rx:event:disconnect", "Disconnect events received" },
	[SCP_CTR_RX_EVENT_OTHER] = { "rx:event:other", "Other events received" },
	[SCP_CTR_TX_REJECT_UNKNOWN_OP] = { "tx:reject:unknown_op", "Reject unrecognizedOperation sent" },
	[SCP_CTR_TX_REJECT_MISTYPED] = { "tx:reject:mistyped", "Reject mistypedParameter sent" },
	[SCP_CTR_RX_ABORT] = { "rx:abort", "Dialogues aborted by the switch" },
	[SCP_CTR_TX_ABORT] = { "tx:abort", "Dialogues aborted by the SCP" },
	[SCP_CTR_TIMEOUT] = { "timeout", "Dialogues ended by a timer" },
	[SCP_CTR_FAIL_OPEN] = { "fail_open", "Calls let through because of an internal problem" },
	[SCP_CTR_TX_ACTIVITY_TEST] = { "tx:activity_test", "Quiet monitored calls asked whether they still exist "
				       "(activityTest / ActivityTest)" },
};

static const struct rate_ctr_group_desc ssn_ctrg_desc = {
	.group_name_prefix = "scp:ssn",
	.group_description = "tandem-scp service logic of one subsystem",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = ARRAY_SIZE(ssn_ctr_desc),
	.ctr_desc = ssn_ctr_desc,
};

static const struct osmo_stat_item_desc stat_desc[] = {
	[SCP_STAT_DIALOGUES_ACTIVE] = { "dialogues:active", "Live TCAP dialogues", "", 16, 0 },
	[SCP_STAT_ANSWER_LATENCY_US] = { "answer:latency", "Time from trigger to answer", "us", 16, 0 },
};

static const struct osmo_stat_item_group_desc statg_desc = {
	.group_name_prefix = "scp",
	.group_description = "tandem-scp",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_items = ARRAY_SIZE(stat_desc),
	.item_desc = stat_desc,
};

/* Own timers (negative, X) of the service logic; the TCAP layer's X1/X2 are added in scp_alloc. */
static const struct osmo_tdef scp_tdefs_tmpl[] = {
	{ .T = -1, .default_val = 60, .unit = OSMO_TDEF_S,
	  .desc = "TCAP dialogue inactivity: nothing sent or received for this long (monitored calls then "
		  "get an activityTest)" },
	{ .T = -2, .default_val = 10, .unit = OSMO_TDEF_S,
	  .desc = "TCAP invoke timer for operations without a timer of their own" },
	{ .T = -10, .default_val = 5, .unit = OSMO_TDEF_S,
	  .desc = "activityTest invoke timer: no result within it aborts the dialogue" },
	{}
};

struct scp *scp_alloc(void *ctx)
{
	struct scp *scp = talloc_zero(ctx, struct scp);

	if (!scp)
		return NULL;
	scp->ctx = ctx;
	INIT_LLIST_HEAD(&scp->ssns);
	INIT_LLIST_HEAD(&scp->rules);
	scp->tdefs = talloc_memdup(scp, scp_tdefs_tmpl, sizeof(scp_tdefs_tmpl));
	scp->statg = osmo_stat_item_group_alloc(scp, &statg_desc, 0);
	if (!scp->tdefs || !scp->statg) {
		talloc_free(scp);
		return NULL;
	}
	osmo_tdefs_reset(scp->tdefs);
	return scp;
}

void scp_free(struct scp *scp)
{
	struct scp_ssn *s, *t;

	if (!scp)
		return;
	llist_for_each_entry_safe(s, t, &scp->ssns, list)
		scp_ssn_del(scp, s);
	osmo_stat_item_group_free(scp->statg);
	talloc_free(scp);
}

const char *scp_proto_name(enum scp_proto p)
{
	switch (p) {
	case SCP_PROTO_CAP:
		return "cap";
	case SCP_PROTO_INAP:
		return "inap";
	case SCP_PROTO_AIN:
		return "ain";
	}
	return "?";
}

int scp_proto_from_name(enum scp_proto *out, const char *name)
{
	if (!strcmp(name, "cap"))
		*out = SCP_PROTO_CAP;
	else if (!strcmp(name, "inap"))
		*out = SCP_PROTO_INAP;
	else if (!strcmp(name, "ain"))
		*out = SCP_PROTO_AIN;
	else
		return -EINVAL;
	return 0;
}

struct scp_ssn *scp_ssn_find(struct scp *scp, uint16_t ssn)
{
	struct scp_ssn *s;

	llist_for_each_entry(s, &scp->ssns, list)
		if (s->ssn == ssn)
			return s;
	return NULL;
}

struct scp_ssn *scp_ssn_add(struct scp *scp, uint16_t ssn, enum scp_proto proto)
{
	struct scp_ssn *s = talloc_zero(scp, struct scp_ssn);

	if (!s)
		return NULL;
	s->ssn = ssn;
	s->proto = proto;
	s->ctrg = rate_ctr_group_alloc(s, &ssn_ctrg_desc, ssn);
	if (!s->ctrg) {
		talloc_free(s);
		return NULL;
	}
	llist_add_tail(&s->list, &scp->ssns);
	return s;
}

void scp_ssn_del(struct scp *scp, struct scp_ssn *s)
{
	llist_del(&s->list);
	tcap_tsl_free(s->tsl);
	s->tsl = NULL;
	rate_ctr_group_free(s->ctrg);
	talloc_free(s);
}

void scp_ssn_ctr_inc(struct scp_ssn *s, enum scp_ssn_ctr c)
{
	rate_ctr_inc(rate_ctr_group_get_ctr(s->ctrg, c));
}

const struct scp_key_rule *scp_rule_find(const struct scp *scp, uint32_t key)
{
	const struct scp_key_rule *r;

	llist_for_each_entry(r, &scp->rules, list)
		if (r->service_key == key)
			return r;
	return NULL;
}

/* Find or create the rule of a key, keeping the list sorted for write terminal. */
struct scp_key_rule *scp_rule_get(struct scp *scp, uint32_t key)
{
	struct scp_key_rule *r, *n;

	llist_for_each_entry(r, &scp->rules, list) {
		if (r->service_key == key)
			return r;
		if (r->service_key > key)
			break;
	}
	n = talloc_zero(scp, struct scp_key_rule);
	if (!n)
		return NULL;
	n->service_key = key;
	/* insert before r (or at the tail when the loop ran out) */
	llist_add_tail(&n->list, &r->list);
	return n;
}

unsigned int scp_active_dialogues(const struct scp *scp)
{
	const struct scp_ssn *s;
	unsigned int n = 0;

	llist_for_each_entry(s, &scp->ssns, list)
		if (s->tsl)
			n += tcap_tsl_num_dialogues(s->tsl);
	return n;
}

void scp_update_stats(struct scp *scp)
{
	osmo_stat_item_set(osmo_stat_item_group_get_item(scp->statg, SCP_STAT_DIALOGUES_ACTIVE),
			   scp_active_dialogues(scp));
}

void scp_answer_latency(struct scp *scp, double seconds)
{
	osmo_stat_item_set(osmo_stat_item_group_get_item(scp->statg, SCP_STAT_ANSWER_LATENCY_US),
			   (int32_t)(seconds * 1e6));
}
