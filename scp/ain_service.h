/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-scp AIN 0.1/0.2 service logic: its configuration (rules per trigger
 * criteria type, AMAslpID, timers) and the TCAP user callbacks of an AIN subsystem. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/tdef.h>

#include <tandem/tcap_numbers.h>
#include <tandem/tcap_tsl.h>

/* What to answer an AIN trigger with. */
enum ain_answer {
	AIN_ANSWER_PROCEED,	/* AnalyzeRoute to the dialled number / AuthorizeTermination (AIN 0.1 and 0.2) */
	AIN_ANSWER_CONTINUE,	/* Continue (AIN 0.2) */
	AIN_ANSWER_CONNECT,	/* AnalyzeRoute to another number (origination only) */
	AIN_ANSWER_RELEASE,	/* Disconnect */
};

/* Key of the rule that applies to any trigger criteria type without a rule of its own. */
#define AIN_RULE_ANY 256

struct ain_rule {
	struct llist_head list;
	unsigned int tct;	/* TriggerCriteriaType 0..255, or AIN_RULE_ANY */
	enum ain_answer answer;
	char connect_to[TCAP_NUM_MAX_DIGITS + 2];	/* "+E164" or national digits */
	uint8_t release_cause;	/* Q.850 value, kept in the call record (Disconnect carries none) */
	bool monitor;		/* arm answer (notification) and disconnect (request) */
};

struct ain_cfg {
	struct llist_head rules;	/* struct ain_rule, by tct, AIN_RULE_ANY last */
	char amaslp_id[11];		/* AMAslpID sent with AnalyzeRoute etc.: ten digits */
};

extern struct ain_cfg g_ain;
/* Timers of the AIN subsystems' TCAP layers (X1 inactivity, X2 invoke). */
extern struct osmo_tdef ain_tdefs[];

/* Default AMAslpID (GR-1299: the service logic program id for AMA records). */
#define AIN_AMASLP_ID_DEFAULT "0000000000"

/*! \brief Initialise the AIN config (no rules, default AMAslpID). */
void ain_cfg_init(void *ctx);
/*! \brief The rule for a trigger criteria type (or the `any` rule), or NULL. */
const struct ain_rule *ain_rule_find(unsigned int tct);
/*! \brief Find or create the rule of a trigger criteria type (list kept sorted). */
struct ain_rule *ain_rule_get(unsigned int tct);
/*! \brief Remove a rule. \returns 0 or -ENOENT. */
int ain_rule_del(unsigned int tct);

/* TCAP user callbacks of an AIN subsystem */
enum tcap_ac_verdict scp_ain_check_ac(struct tcap_tsl *tsl, const struct tcap_oid *ac);
void scp_ain_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind);
/* bytes of the service logic an AIN transaction keeps in its TCAP user area */
extern const size_t scp_ain_svc_size;
