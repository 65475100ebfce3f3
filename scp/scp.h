/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-scp: the objects the daemon's parts share (config, subsystems, counters). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/logging.h>

#include <tandem/tcap_numbers.h>
#include <tandem/tcap_tsl.h>

struct osmo_sccp_instance;
struct osmo_sccp_user;
struct osmo_stat_item_group;
struct rate_ctr_group;

/* Log categories (scp/main.c holds the table). */
enum {
	DSCP,
	DTCAP,
	DCAP,
	DAIN,
	DCALL,
};

/* Which service logic answers on a subsystem. */
enum scp_proto {
	SCP_PROTO_CAP,		/* CAP v2/v3/v4 (AC picks the version) */
	SCP_PROTO_INAP,		/* INAP CS-1 */
	SCP_PROTO_AIN,		/* AIN 0.1/0.2 over ANSI TCAP */
};

/* What to answer a trigger with. */
enum scp_answer {
	SCP_ANSWER_CONTINUE,
	SCP_ANSWER_CONNECT,
	SCP_ANSWER_RELEASE,
};

/* Per service key: the answer, and whether to arm answer/disconnect events. */
struct scp_key_rule {
	struct llist_head list;
	uint32_t service_key;
	enum scp_answer answer;
	char connect_to[TCAP_NUM_MAX_DIGITS + 2];	/* "+E164" or national digits */
	uint8_t release_cause;				/* Q.850 cause value */
	bool monitor;
};

/* Counters of one subsystem's service logic (the TCAP layer has its own group). */
enum scp_ssn_ctr {
	SCP_CTR_RX_TRIGGER,
	SCP_CTR_RX_TRIGGER_ORIG,
	SCP_CTR_RX_TRIGGER_TERM,
	SCP_CTR_TX_CONTINUE,
	SCP_CTR_TX_CONNECT,
	SCP_CTR_TX_RELEASE,
	SCP_CTR_TX_RRBE,
	SCP_CTR_RX_EVENT_ANSWER,
	SCP_CTR_RX_EVENT_DISCONNECT,
	SCP_CTR_RX_EVENT_OTHER,
	SCP_CTR_TX_REJECT_UNKNOWN_OP,
	SCP_CTR_TX_REJECT_MISTYPED,
	SCP_CTR_RX_ABORT,
	SCP_CTR_TX_ABORT,
	SCP_CTR_TIMEOUT,
	SCP_CTR_FAIL_OPEN,
	SCP_CTR_TX_ACTIVITY_TEST,
};

/* One SCCP subsystem we serve: an SCCP user, a TCAP layer, a protocol. */
struct scp_ssn {
	struct llist_head list;
	uint16_t ssn;
	enum scp_proto proto;
	struct osmo_sccp_user *scu;
	struct tcap_tsl *tsl;
	struct rate_ctr_group *ctrg;
};

/* Stat items (gauges) of the daemon. */
enum scp_stat_item {
	SCP_STAT_DIALOGUES_ACTIVE,
	SCP_STAT_ANSWER_LATENCY_US,
};

struct scp {
	void *ctx;
	struct tcap_dialplan plan;
	struct llist_head ssns;		/* struct scp_ssn, configured order */
	struct llist_head rules;	/* struct scp_key_rule, by service key */
	struct osmo_tdef *tdefs;
	uint32_t cs7_instance;
	struct osmo_sccp_instance *sccp;
	struct osmo_stat_item_group *statg;
	bool started;			/* SCCP users bound: config changes of ssn need a restart */
};

extern struct scp *g_scp;

/* scp/scp.c */
struct scp *scp_alloc(void *ctx);
void scp_free(struct scp *scp);
struct scp_ssn *scp_ssn_find(struct scp *scp, uint16_t ssn);
struct scp_ssn *scp_ssn_add(struct scp *scp, uint16_t ssn, enum scp_proto proto);
void scp_ssn_del(struct scp *scp, struct scp_ssn *s);
const struct scp_key_rule *scp_rule_find(const struct scp *scp, uint32_t key);
struct scp_key_rule *scp_rule_get(struct scp *scp, uint32_t key);
const char *scp_proto_name(enum scp_proto p);
int scp_proto_from_name(enum scp_proto *out, const char *name);
void scp_ssn_ctr_inc(struct scp_ssn *s, enum scp_ssn_ctr c);
unsigned int scp_active_dialogues(const struct scp *scp);
void scp_update_stats(struct scp *scp);
void scp_answer_latency(struct scp *scp, double seconds);

/* scp/sccp.c */
int scp_sccp_start(struct scp *scp);
void scp_sccp_stop(struct scp *scp);

/* scp/vty.c */
int scp_vty_init(struct scp *scp);

/* scp/ctrl.c */
int scp_ctrl_cmds_install(void);

/* scp/cap_service.c: the TCAP user callbacks of a CAP or INAP subsystem */
enum tcap_ac_verdict scp_cap_check_ac(struct tcap_tsl *tsl, const struct tcap_oid *ac);
void scp_cap_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind);
/* bytes of the service logic a CAP/INAP dialogue keeps in its TCAP user area */
extern const size_t scp_cap_svc_size;
