/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Shared between the TCAP transaction (transaction.c) and component (component.c) sublayers. */
#pragma once

#include <time.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/hashtable.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/timer.h>

#include <tandem/tcap_tsl.h>

/* Invokes we sent and still track (Q.774 3.2.3: an invoke id is in use from the
 * TC-INVOKE.req until the last result, an error, a reject or its timer). A call has
 * one or two outstanding (class 4 ones are not tracked at all): two slots live in the
 * dialogue, the rest in an overflow array allocated the first time a third is needed. */
#define TCAP_MAX_INVOKES 16
#define TCAP_INLINE_INVOKES 2

/* One invoke timer per dialogue (tcap_dlg.inv_timer) runs to the earliest deadline: an
 * osmo_timer_list in each slot was 80 of its 104 bytes and an rbtree insert per invoke. */
struct tcap_invoke {
	bool used;
	bool result_expected;
	bool timer_started;
	int8_t id;			/* ours: 1..127 */
	unsigned int timeout_s;
	struct timeval deadline;	/* osmo_gettimeofday() time, when timer_started */
};

struct tcap_tsl {
	struct tcap_tsl_cfg cfg;
	struct llist_head dialogues;
	struct hlist_head *by_tid;	/* local TID -> dialogue: 2^tid_bits buckets, grown with the dialogues */
	unsigned int tid_bits;
	unsigned int num_dialogues;
	uint32_t next_tid;
	struct rate_ctr_group *ctrg;
};

/* Field order keeps the holes out: every byte here is paid once per live dialogue. */
struct tcap_dlg {
	struct llist_head list;		/* tsl->dialogues */
	struct hlist_node hnode;	/* tsl->by_tid */
	struct tcap_tsl *tsl;
	struct osmo_fsm_inst *fi;
	void *priv;
	struct tcap_msg *out;		/* components queued for the next message, or NULL */
	struct timespec start;
	uint32_t tid_key;
	int32_t next_iid;
	unsigned int busy;		/* nesting of layer code working on this dialogue */
	struct tcap_tid ltid, rtid;
	bool has_ac;
	bool aare_pending;		/* the first backward message carries the AARE */
	bool grant_perm;		/* ANSI: our Query/Conversation lets the peer end (with permission) */
	bool may_end;			/* ANSI: the peer's last package let us end (ITU: always) */
	bool sent;			/* set when a message went out (tells a timeout handler answered) */
	bool dead;			/* ended: freed when busy drops to 0 */
	struct tcap_oid ac;
	struct osmo_timer_list inv_timer;	/* the earliest deadline of the invokes */
	struct tcap_invoke inv[TCAP_INLINE_INVOKES];
	struct tcap_invoke *inv_more;	/* TCAP_MAX_INVOKES - TCAP_INLINE_INVOKES slots, or NULL */
	/* cfg.addr_size bytes, then the user area. 8, not 16: talloc's chunks are only 8-aligned here (UBSan saw
	 * a dialogue at ...b8 when this asked for 16), and nothing we keep there needs more than a pointer does. */
	uint8_t addr[] __attribute__((aligned(8)));
};

#define LOGPDLG(dlg, level, fmt, args...) \
	LOGP((dlg)->tsl->cfg.log_subsys, level, "TCAP-DLG(%08x){%s}: " fmt, (dlg)->tid_key, \
	     osmo_fsm_inst_state_name((dlg)->fi), ## args)
#define LOGPTSL(tsl, level, fmt, args...) \
	LOGP((tsl)->cfg.log_subsys, level, "%s: " fmt, (tsl)->cfg.name, ## args)

void tsl_ctr_inc(struct tcap_tsl *tsl, enum tcap_tsl_ctr c);
/* Hold a dialogue while layer code works on it; the last put frees an ended one. */
void tsl_dlg_get(struct tcap_dlg *dlg);
void tsl_dlg_put(struct tcap_dlg *dlg);
void tsl_deliver(struct tcap_dlg *dlg, const struct tcap_ind *ind);

/* component.c */
struct tcap_msg *csl_out(struct tcap_dlg *dlg);
void csl_rx_components(struct tcap_dlg *dlg, const struct tcap_msg *msg, const struct tcap_decode_err *err,
		       bool can_answer, struct tcap_ind *ind);
void csl_sent(struct tcap_dlg *dlg, const struct tcap_msg *msg);
void csl_stop_all(struct tcap_dlg *dlg);
void csl_init(struct tcap_dlg *dlg);
