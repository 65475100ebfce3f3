/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* TCAP transaction sublayer and dialogue handling (ITU Q.774 3.1, 3.2.1; ANSI
 * T1.114.4): local transaction ids, one osmo_fsm instance per dialogue (Q.774
 * annex A states, which ANSI shares: Query opens, Conversation continues,
 * Response ends), AARQ/AARE/ABRT (ITU), permission to release (ANSI), the
 * P-Aborts the layer sends on its own, and the dialogue inactivity timer that
 * ends a forgotten dialogue with an explicit abort. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/utils.h>

#include "tsl_internal.h"

/* Buckets of the TID hash: 2^10 to start with, at most 2^20 (8 MiB of heads). */
#define TID_BITS_MIN 10
#define TID_BITS_MAX 20

/* Largest TCAP message we build: fits one SCCP UDT/XUDT with room to spare. */
#define TSL_TX_MAX 2048

struct osmo_tdef tcap_tsl_tdefs[] = {
	{ .T = -1, .default_val = 60, .val = 60, .unit = OSMO_TDEF_S,
	  .desc = "TCAP dialogue inactivity: nothing sent or received for this long" },
	{ .T = -2, .default_val = 10, .val = 10, .unit = OSMO_TDEF_S,
	  .desc = "TCAP invoke timer for invokes sent without their own timeout" },
	{}
};

static const struct rate_ctr_desc tsl_ctr_desc[] = {
	[TCAP_CTR_RX_MSG] = { "rx:msg", "TCAP messages received" },
	[TCAP_CTR_RX_BEGIN] = { "rx:begin", "Begin (or Query) received" },
	[TCAP_CTR_RX_CONTINUE] = { "rx:continue", "Continue (or Conversation) received" },
	[TCAP_CTR_RX_END] = { "rx:end", "End (or Response) received" },
	[TCAP_CTR_RX_ABORT] = { "rx:abort", "Abort received" },
	[TCAP_CTR_RX_MALFORMED] = { "rx:malformed", "Messages with a bad transaction or dialogue portion" },
	[TCAP_CTR_RX_UNKNOWN_TID] = { "rx:unknown_tid", "Messages for a transaction we do not have" },
	[TCAP_CTR_RX_REJECT] = { "rx:reject", "Reject components received" },
	[TCAP_CTR_TX_BEGIN] = { "tx:begin", "Begin sent" },
	[TCAP_CTR_TX_CONTINUE] = { "tx:continue", "Continue sent" },
	[TCAP_CTR_TX_END] = { "tx:end", "End sent" },
	[TCAP_CTR_TX_U_ABORT] = { "tx:u_abort", "User Abort sent (ABRT, AARE reject)" },
	[TCAP_CTR_TX_P_ABORT] = { "tx:p_abort", "P-Abort sent" },
	[TCAP_CTR_TX_REJECT] = { "tx:reject", "Reject components sent" },
	[TCAP_CTR_TX_ERR] = { "tx:err", "Messages that could not be encoded or sent" },
	[TCAP_CTR_AC_REFUSED] = { "ac:refused", "Dialogues refused: application context not supported" },
	[TCAP_CTR_TIMEOUT_INACTIVITY] = { "timeout:inactivity", "Dialogues that hit the inactivity timer" },
	[TCAP_CTR_TIMEOUT_INVOKE] = { "timeout:invoke", "Invokes without a result before their timer" },
	[TCAP_CTR_ABORT_LOCAL] = { "abort:local", "Dialogues aborted by the layer itself" },
};

static const struct rate_ctr_group_desc tsl_ctrg_desc = {
	.group_name_prefix = "tcap",
	.group_description = "TCAP transaction sublayer",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = ARRAY_SIZE(tsl_ctr_desc),
	.ctr_desc = tsl_ctr_desc,
};

/* Q.773 4.2.2: dialogue-as-id is implied by the codec; AARE/ABRT need only these. */
#define AARE_RESULT_ACCEPTED 0
#define AARE_RESULT_REJECT 1
#define DIAG_USER_NULL 0
#define DIAG_USER_AC_NOT_SUPPORTED 2
#define ABRT_SOURCE_USER 0
#define ABRT_SOURCE_PROVIDER 1

enum dlg_fsm_event {
	EV_TR_BEGIN_IND,	/* Begin received */
	EV_TR_CONTINUE_IND,	/* Continue received */
	EV_TR_END_IND,		/* End received */
	EV_TR_U_ABORT_IND,	/* Abort with a dialogue portion (or none) received */
	EV_TR_P_ABORT_IND,	/* Abort with a P-Abort cause received, or a local P-Abort */
	EV_TC_BEGIN_REQ,
	EV_TC_CONTINUE_REQ,
	EV_TC_END_REQ,
	EV_TC_U_ABORT_REQ,
};

static const struct value_string dlg_fsm_event_names[] = {
	{ EV_TR_BEGIN_IND, "TR-BEGIN.ind" },
	{ EV_TR_CONTINUE_IND, "TR-CONTINUE.ind" },
	{ EV_TR_END_IND, "TR-END.ind" },
	{ EV_TR_U_ABORT_IND, "TR-U-ABORT.ind" },
	{ EV_TR_P_ABORT_IND, "TR-P-ABORT.ind" },
	{ EV_TC_BEGIN_REQ, "TC-BEGIN.req" },
	{ EV_TC_CONTINUE_REQ, "TC-CONTINUE.req" },
	{ EV_TC_END_REQ, "TC-END.req" },
	{ EV_TC_U_ABORT_REQ, "TC-U-ABORT.req" },
	{}
};

/* What a TR-*.ind event carries into the FSM. */
struct rx_ctx {
	const struct tcap_msg *msg;
	const struct tcap_decode_err *err;
	const void *addr;
	int pabort_cause;
	bool local;
};

static const struct osmo_tdef_state_timeout dlg_fsm_timeouts[32] = {
	[TCAP_DS_INIT_SENT] = { .T = -1 },
	[TCAP_DS_INIT_RECEIVED] = { .T = -1 },
	[TCAP_DS_ACTIVE] = { .T = -1 },
};

/* P-Abort causes the layer decides on, in the numbering of the layer's variant. */
static int cause_unknown_tid(const struct tcap_tsl *tsl)
{
	/* T1.114.4 3.3.3: a Conversation for no transaction: unassigned responding id */
	return tsl->cfg.variant == TCAP_ANSI ? TCAP_APA_UNASSIGNED_RESP_TID : TCAP_PA_UNRECOGNIZED_TID;
}

static int cause_incorrect_tx(const struct tcap_tsl *tsl)
{
	return tsl->cfg.variant == TCAP_ANSI ? TCAP_APA_INCORRECT_TX_PORTION : TCAP_PA_INCORRECT_TX_PORTION;
}

static int cause_resource(const struct tcap_tsl *tsl)
{
	return tsl->cfg.variant == TCAP_ANSI ? TCAP_APA_RESOURCE_UNAVAILABLE : TCAP_PA_RESOURCE_LIMITATION;
}

/* Message types by role: ITU Begin / ANSI Query opens, ITU Continue / ANSI Conversation
 * continues (ITU End / ANSI Response ends). */
static bool mt_opens(enum tcap_msg_type t)
{
	return t == TCAP_MT_BEGIN || t == TCAP_MT_QUERY_WITH_PERM || t == TCAP_MT_QUERY_WITHOUT_PERM;
}

static bool mt_continues(enum tcap_msg_type t)
{
	return t == TCAP_MT_CONTINUE || t == TCAP_MT_CONV_WITH_PERM || t == TCAP_MT_CONV_WITHOUT_PERM;
}

/* T1.114.4 3.2.2: a Query or Conversation "without permission" forbids the receiver
 * to end the transaction (it must answer with a Conversation or abort). */
static bool mt_grants_release(enum tcap_msg_type t)
{
	return t != TCAP_MT_QUERY_WITHOUT_PERM && t != TCAP_MT_CONV_WITHOUT_PERM;
}

#define dlg_state_chg(dlg, st) \
	osmo_tdef_fsm_inst_state_chg((dlg)->fi, st, dlg_fsm_timeouts, (dlg)->tsl->cfg.tdefs, 60)

void tsl_ctr_inc(struct tcap_tsl *tsl, enum tcap_tsl_ctr c)
{
	rate_ctr_inc(rate_ctr_group_get_ctr(tsl->ctrg, c));
}

/*
 * Sending
 */

static int tx_msg(struct tcap_tsl *tsl, const void *addr, const struct tcap_msg *msg)
{
	uint8_t buf[TSL_TX_MAX];
	size_t len;
	int rc;

	rc = tcap_msg_encode(buf, sizeof(buf), &len, msg);
	if (rc) {
		LOGPTSL(tsl, LOGL_ERROR, "cannot encode %s: %s\n", tcap_msg_type_name(msg->type), strerror(-rc));
		tsl_ctr_inc(tsl, TCAP_CTR_TX_ERR);
		return rc;
	}
	rc = tsl->cfg.tx(tsl, addr, buf, len);
	if (rc) {
		LOGPTSL(tsl, LOGL_ERROR, "cannot send %s: %s\n", tcap_msg_type_name(msg->type), strerror(-rc));
		tsl_ctr_inc(tsl, TCAP_CTR_TX_ERR);
	}
	return rc;
}

static void set_dlg_portion(struct tcap_msg *m, enum tcap_dlg_pdu pdu, const struct tcap_oid *ac)
{
	memset(&m->dlg, 0, sizeof(m->dlg));
	m->dlg.pdu = pdu;
	if (ac) {
		m->dlg.has_ac = true;
		m->dlg.ac = *ac;
	}
}

/* An Abort answering a message that has no dialogue here (Q.774 3.1.2.2, 3.2.1):
 * with a P-Abort cause, or with a dialogue PDU (AARE reject, ABRT provider). */
static void tx_stateless_abort(struct tcap_tsl *tsl, const void *addr, const struct tcap_tid *dtid, int pabort,
			       enum tcap_dlg_pdu pdu, const struct tcap_oid *ac)
{
	struct tcap_msg *m = tcap_msg_alloc(tsl, tsl->cfg.variant, TCAP_MT_ABORT);

	if (!m) {
		tsl_ctr_inc(tsl, TCAP_CTR_TX_ERR);
		return;
	}
	m->has_dtid = true;
	m->dtid = *dtid;
	if (pdu == TCAP_DLG_NONE && pabort >= 0) {
		m->has_pabort = true;
		m->pabort_cause = pabort;
	} else if (pdu == TCAP_DLG_NONE) {
		/* T1.114.4: an Abort without cause information is a user abort */
	} else {
		set_dlg_portion(m, pdu, ac);
		if (pdu == TCAP_DLG_AARE) {
			m->dlg.result = AARE_RESULT_REJECT;
			m->dlg.diag_source = TCAP_DIAG_USER;
			m->dlg.diag = DIAG_USER_AC_NOT_SUPPORTED;
		} else {
			m->dlg.abort_source = ABRT_SOURCE_PROVIDER;
		}
	}
	if (tx_msg(tsl, addr, m) == 0)
		tsl_ctr_inc(tsl, pdu == TCAP_DLG_AARE || (pdu == TCAP_DLG_NONE && pabort < 0) ? TCAP_CTR_TX_U_ABORT
											       : TCAP_CTR_TX_P_ABORT);
	tcap_msg_free(m);
}

/* Build and send the next message of a dialogue with the queued components. */
static int dlg_tx(struct tcap_dlg *dlg, enum tcap_msg_type type)
{
	struct tcap_msg *m = csl_out(dlg);
	int rc;

	if (!m)
		return -ENOMEM;
	m->type = type;
	m->has_otid = type == TCAP_MT_BEGIN || type == TCAP_MT_CONTINUE;
	m->otid = dlg->ltid;
	m->has_dtid = type != TCAP_MT_BEGIN;
	m->dtid = dlg->rtid;
	if (dlg->tsl->cfg.variant == TCAP_ANSI) {
		/* T1.114.3: Query carries our id, Conversation ours then the peer's,
		 * Response the peer's; the codec lays them out from otid/dtid */
		switch (type) {
		case TCAP_MT_BEGIN:
			m->type = dlg->grant_perm ? TCAP_MT_QUERY_WITH_PERM : TCAP_MT_QUERY_WITHOUT_PERM;
			break;
		case TCAP_MT_CONTINUE:
			m->type = dlg->grant_perm ? TCAP_MT_CONV_WITH_PERM : TCAP_MT_CONV_WITHOUT_PERM;
			break;
		default:
			m->type = TCAP_MT_RESPONSE;
			break;
		}
		if (type == TCAP_MT_BEGIN && dlg->has_ac)
			set_dlg_portion(m, TCAP_DLG_ANSI, &dlg->ac);
	} else if (type == TCAP_MT_BEGIN && dlg->has_ac) {
		set_dlg_portion(m, TCAP_DLG_AARQ, &dlg->ac);
	} else if (dlg->aare_pending) {
		/* Q.774 3.2.1: the first backward message confirms the dialogue */
		set_dlg_portion(m, TCAP_DLG_AARE, &dlg->ac);
		m->dlg.result = AARE_RESULT_ACCEPTED;
		m->dlg.diag_source = TCAP_DIAG_USER;
		m->dlg.diag = DIAG_USER_NULL;
	}
	rc = tx_msg(dlg->tsl, dlg->addr, m);
	if (rc == 0) {
		dlg->aare_pending = false;
		dlg->sent = true;
		csl_sent(dlg, m);
		switch (type) {
		case TCAP_MT_BEGIN:
			tsl_ctr_inc(dlg->tsl, TCAP_CTR_TX_BEGIN);
			break;
		case TCAP_MT_CONTINUE:
			tsl_ctr_inc(dlg->tsl, TCAP_CTR_TX_CONTINUE);
			break;
		default:
			tsl_ctr_inc(dlg->tsl, TCAP_CTR_TX_END);
			break;
		}
	}
	tcap_msg_free(m);
	dlg->out = NULL;
	return rc;
}

/* Q.774 3.2.1: TC-U-ABORT.req. Before the dialogue is confirmed, a dialogue begun
 * with an AARQ is refused with an AARE (reject-permanent); afterwards the Abort
 * carries an ABRT from the user; without a dialogue portion it carries nothing. */
static void dlg_tx_u_abort(struct tcap_dlg *dlg)
{
	struct tcap_msg *m = tcap_msg_alloc(dlg, dlg->tsl->cfg.variant, TCAP_MT_ABORT);

	if (!m) {
		tsl_ctr_inc(dlg->tsl, TCAP_CTR_TX_ERR);
		return;
	}
	m->has_dtid = true;
	m->dtid = dlg->rtid;
	if (dlg->tsl->cfg.variant == TCAP_ANSI) {
		/* T1.114.4 3.3.2: TC-U-ABORT: Abort package without a P-Abort cause */
	} else if (dlg->has_ac && dlg->aare_pending) {
		set_dlg_portion(m, TCAP_DLG_AARE, &dlg->ac);
		m->dlg.result = AARE_RESULT_REJECT;
		m->dlg.diag_source = TCAP_DIAG_USER;
		m->dlg.diag = DIAG_USER_NULL;
	} else if (dlg->has_ac) {
		set_dlg_portion(m, TCAP_DLG_ABRT, NULL);
		m->dlg.abort_source = ABRT_SOURCE_USER;
	}
	if (tx_msg(dlg->tsl, dlg->addr, m) == 0) {
		dlg->sent = true;
		tsl_ctr_inc(dlg->tsl, TCAP_CTR_TX_U_ABORT);
	}
	tcap_msg_free(m);
}

static void dlg_tx_p_abort(struct tcap_dlg *dlg, int cause)
{
	struct tcap_msg *m = tcap_msg_alloc(dlg, dlg->tsl->cfg.variant, TCAP_MT_ABORT);

	if (!m) {
		tsl_ctr_inc(dlg->tsl, TCAP_CTR_TX_ERR);
		return;
	}
	m->has_dtid = true;
	m->dtid = dlg->rtid;
	m->has_pabort = true;
	m->pabort_cause = cause;
	if (tx_msg(dlg->tsl, dlg->addr, m) == 0) {
		dlg->sent = true;
		tsl_ctr_inc(dlg->tsl, TCAP_CTR_TX_P_ABORT);
	}
	tcap_msg_free(m);
}

/*
 * Dialogue lifetime
 */

/* End a dialogue: it leaves the id table at once (a late message for it is an
 * unknown transaction), its memory goes when the last holder lets go. */
static void dlg_kill(struct tcap_dlg *dlg)
{
	if (dlg->dead)
		return;
	dlg->dead = true;
	csl_stop_all(dlg);
	osmo_timer_del(&dlg->fi->timer);
	hlist_del_init(&dlg->hnode);
	llist_del(&dlg->list);
	dlg->tsl->num_dialogues--;
}

static void dlg_free(struct tcap_dlg *dlg)
{
	osmo_fsm_inst_term(dlg->fi, OSMO_FSM_TERM_REGULAR, NULL);
	talloc_free(dlg);
}

void tsl_dlg_get(struct tcap_dlg *dlg)
{
	dlg->busy++;
}

void tsl_dlg_put(struct tcap_dlg *dlg)
{
	if (--dlg->busy == 0 && dlg->dead)
		dlg_free(dlg);
}

void tsl_deliver(struct tcap_dlg *dlg, const struct tcap_ind *ind)
{
	LOGPDLG(dlg, LOGL_DEBUG, "%s (%u components)\n", tcap_ind_name(ind->kind), ind->num_comp);
	dlg->tsl->cfg.ind(dlg->tsl, dlg, ind);
}

static void deliver_msg(struct tcap_dlg *dlg, enum tcap_ind_kind kind, const struct rx_ctx *rx, bool can_answer)
{
	struct tcap_ind ind;

	memset(&ind, 0, sizeof(ind));
	ind.kind = kind;
	ind.msg = rx->msg;
	csl_rx_components(dlg, rx->msg, rx->err, can_answer, &ind);
	tsl_deliver(dlg, &ind);
}

static void deliver_p_abort(struct tcap_dlg *dlg, int cause, bool local)
{
	struct tcap_ind ind;

	memset(&ind, 0, sizeof(ind));
	ind.kind = TCAP_IND_P_ABORT;
	ind.cause = cause;
	ind.local = local;
	tsl_deliver(dlg, &ind);
}

/*
 * The dialogue FSM (Q.774 annex A, figures A.4 and A.5 merged with the DHA)
 */

static void st_idle(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct tcap_dlg *dlg = fi->priv;
	const struct rx_ctx *rx = data;

	switch (event) {
	case EV_TR_BEGIN_IND:
		/* Q.774 3.1.2.1: keep the peer's OTID as our DTID for the dialogue */
		dlg->rtid = rx->msg->otid;
		dlg->may_end = mt_grants_release(rx->msg->type);
		if (rx->msg->dlg.pdu == TCAP_DLG_ANSI && rx->msg->dlg.has_ac) {
			/* T1.114: kept for the user and the logs; ANSI answers carry no AARE */
			dlg->has_ac = true;
			dlg->ac = rx->msg->dlg.ac;
		} else if (rx->msg->dlg.pdu == TCAP_DLG_AARQ) {
			dlg->has_ac = true;
			dlg->ac = rx->msg->dlg.ac;
			dlg->aare_pending = true;
		}
		dlg_state_chg(dlg, TCAP_DS_INIT_RECEIVED);
		deliver_msg(dlg, TCAP_IND_BEGIN, rx, true);
		break;
	case EV_TC_BEGIN_REQ:
		if (dlg_tx(dlg, TCAP_MT_BEGIN)) {
			dlg_kill(dlg);
			break;
		}
		dlg_state_chg(dlg, TCAP_DS_INIT_SENT);
		break;
	case EV_TC_END_REQ:
	case EV_TC_U_ABORT_REQ:
		/* nothing went out: nobody to tell */
		dlg_kill(dlg);
		break;
	}
}

/* An incoming Continue/End in INIT_SENT: the first backward message. */
static bool check_first_backward(struct tcap_dlg *dlg, const struct rx_ctx *rx)
{
	const struct tcap_msg *m = rx->msg;

	/* T1.114 has no dialogue confirmation: any Conversation will do */
	if (m->variant == TCAP_ANSI)
		return true;
	/* Q.774 3.2.1: a dialogue begun with an AARQ is confirmed by an AARE; one
	 * begun without a dialogue portion gets none back */
	if (dlg->has_ac && m->dlg.pdu != TCAP_DLG_AARE && mt_continues(m->type))
		return false;
	if (!dlg->has_ac && m->dlg.pdu != TCAP_DLG_NONE)
		return false;
	if (m->dlg.pdu == TCAP_DLG_AARE && m->dlg.result != AARE_RESULT_ACCEPTED)
		return false;
	return true;
}

static void st_init_sent(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct tcap_dlg *dlg = fi->priv;
	const struct rx_ctx *rx = data;

	switch (event) {
	case EV_TR_CONTINUE_IND:
		/* Q.774 3.1.2.2: the peer's OTID becomes our DTID; the peer may answer
		 * from another address, later messages go there */
		dlg->rtid = rx->msg->otid;
		dlg->may_end = mt_grants_release(rx->msg->type);
		memcpy(dlg->addr, rx->addr, dlg->tsl->cfg.addr_size);
		if (!check_first_backward(dlg, rx)) {
			LOGPDLG(dlg, LOGL_NOTICE, "first backward message without a valid AARE\n");
			/* Q.774 3.2.1: abnormal dialogue, provider abort towards the peer */
			dlg_tx_p_abort(dlg, cause_incorrect_tx(dlg->tsl));
			tsl_ctr_inc(dlg->tsl, TCAP_CTR_ABORT_LOCAL);
			dlg_kill(dlg);
			deliver_p_abort(dlg, cause_incorrect_tx(dlg->tsl), true);
			break;
		}
		dlg_state_chg(dlg, TCAP_DS_ACTIVE);
		deliver_msg(dlg, TCAP_IND_CONTINUE, rx, true);
		break;
	case EV_TR_END_IND:
		dlg_kill(dlg);
		deliver_msg(dlg, TCAP_IND_END, rx, false);
		break;
	case EV_TR_U_ABORT_IND:
		dlg_kill(dlg);
		deliver_msg(dlg, TCAP_IND_U_ABORT, rx, false);
		break;
	case EV_TR_P_ABORT_IND:
		dlg_kill(dlg);
		deliver_p_abort(dlg, rx->pabort_cause, rx->local);
		break;
	case EV_TC_END_REQ:
	case EV_TC_U_ABORT_REQ:
		/* Q.774 3.1.2.3: the peer does not know our dialogue yet; a late
		 * answer will meet an unknown transaction and be P-Aborted */
		dlg_kill(dlg);
		break;
	}
}

static void st_init_received(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct tcap_dlg *dlg = fi->priv;
	const bool *prearranged = data;

	switch (event) {
	case EV_TC_CONTINUE_REQ:
		dlg_tx(dlg, TCAP_MT_CONTINUE);
		dlg_state_chg(dlg, TCAP_DS_ACTIVE);
		break;
	case EV_TC_END_REQ:
		if (!*prearranged)
			dlg_tx(dlg, TCAP_MT_END);
		dlg_kill(dlg);
		break;
	case EV_TC_U_ABORT_REQ:
		dlg_tx_u_abort(dlg);
		dlg_kill(dlg);
		break;
	}
}

static void st_active(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct tcap_dlg *dlg = fi->priv;
	const struct rx_ctx *rx = data;
	const bool *prearranged = data;

	switch (event) {
	case EV_TR_CONTINUE_IND:
		dlg->may_end = mt_grants_release(rx->msg->type);
		if (rx->msg->variant == TCAP_ITU && rx->msg->dlg.pdu != TCAP_DLG_NONE) {
			/* Q.774 3.2.1: no dialogue PDU after the dialogue is confirmed */
			dlg_tx_p_abort(dlg, cause_incorrect_tx(dlg->tsl));
			tsl_ctr_inc(dlg->tsl, TCAP_CTR_ABORT_LOCAL);
			dlg_kill(dlg);
			deliver_p_abort(dlg, cause_incorrect_tx(dlg->tsl), true);
			break;
		}
		dlg_state_chg(dlg, TCAP_DS_ACTIVE);	/* restarts the inactivity timer */
		deliver_msg(dlg, TCAP_IND_CONTINUE, rx, true);
		break;
	case EV_TR_END_IND:
		dlg_kill(dlg);
		deliver_msg(dlg, TCAP_IND_END, rx, false);
		break;
	case EV_TR_U_ABORT_IND:
		dlg_kill(dlg);
		deliver_msg(dlg, TCAP_IND_U_ABORT, rx, false);
		break;
	case EV_TR_P_ABORT_IND:
		dlg_kill(dlg);
		deliver_p_abort(dlg, rx->pabort_cause, rx->local);
		break;
	case EV_TC_CONTINUE_REQ:
		dlg_tx(dlg, TCAP_MT_CONTINUE);
		dlg_state_chg(dlg, TCAP_DS_ACTIVE);
		break;
	case EV_TC_END_REQ:
		if (!*prearranged)
			dlg_tx(dlg, TCAP_MT_END);
		dlg_kill(dlg);
		break;
	case EV_TC_U_ABORT_REQ:
		dlg_tx_u_abort(dlg);
		dlg_kill(dlg);
		break;
	}
}

/* Dialogue inactivity (X1): ask the user, then make sure the peer is told. */
static int dlg_fsm_timer_cb(struct osmo_fsm_inst *fi)
{
	struct tcap_dlg *dlg = fi->priv;
	struct tcap_ind ind;

	tsl_dlg_get(dlg);
	tsl_ctr_inc(dlg->tsl, TCAP_CTR_TIMEOUT_INACTIVITY);
	LOGPDLG(dlg, LOGL_NOTICE, "dialogue inactivity timer expired\n");
	dlg->sent = false;
	memset(&ind, 0, sizeof(ind));
	ind.kind = TCAP_IND_TIMEOUT;
	tsl_deliver(dlg, &ind);
	if (!dlg->dead && !dlg->sent) {
		/* the user did neither keep the dialogue alive nor end it */
		tsl_ctr_inc(dlg->tsl, TCAP_CTR_ABORT_LOCAL);
		if (fi->state == TCAP_DS_INIT_SENT) {
			/* no peer transaction id to address: tell the user, drop locally */
			dlg_kill(dlg);
			deliver_p_abort(dlg, cause_resource(dlg->tsl), true);
		} else {
			LOGPDLG(dlg, LOGL_NOTICE, "aborting the dialogue towards the peer\n");
			dlg_tx_u_abort(dlg);
			dlg_kill(dlg);
			deliver_p_abort(dlg, cause_resource(dlg->tsl), true);
		}
	}
	tsl_dlg_put(dlg);
	return 0;
}

#define S(x) (1 << (x))

static const struct osmo_fsm_state dlg_fsm_states[] = {
	[TCAP_DS_IDLE] = {
		.name = "IDLE",
		.in_event_mask = S(EV_TR_BEGIN_IND) | S(EV_TC_BEGIN_REQ) | S(EV_TC_END_REQ) | S(EV_TC_U_ABORT_REQ),
		.out_state_mask = S(TCAP_DS_INIT_SENT) | S(TCAP_DS_INIT_RECEIVED),
		.action = st_idle,
	},
	[TCAP_DS_INIT_SENT] = {
		.name = "INIT_SENT",
		.in_event_mask = S(EV_TR_CONTINUE_IND) | S(EV_TR_END_IND) | S(EV_TR_U_ABORT_IND) |
				 S(EV_TR_P_ABORT_IND) | S(EV_TC_END_REQ) | S(EV_TC_U_ABORT_REQ),
		.out_state_mask = S(TCAP_DS_ACTIVE),
		.action = st_init_sent,
	},
	[TCAP_DS_INIT_RECEIVED] = {
		.name = "INIT_RECEIVED",
		.in_event_mask = S(EV_TC_CONTINUE_REQ) | S(EV_TC_END_REQ) | S(EV_TC_U_ABORT_REQ),
		.out_state_mask = S(TCAP_DS_ACTIVE),
		.action = st_init_received,
	},
	[TCAP_DS_ACTIVE] = {
		.name = "ACTIVE",
		.in_event_mask = S(EV_TR_CONTINUE_IND) | S(EV_TR_END_IND) | S(EV_TR_U_ABORT_IND) |
				 S(EV_TR_P_ABORT_IND) | S(EV_TC_CONTINUE_REQ) | S(EV_TC_END_REQ) |
				 S(EV_TC_U_ABORT_REQ),
		.out_state_mask = S(TCAP_DS_ACTIVE),
		.action = st_active,
	},
};

static struct osmo_fsm dlg_fsm = {
	.name = "TCAP-DLG",
	.states = dlg_fsm_states,
	.num_states = ARRAY_SIZE(dlg_fsm_states),
	.event_names = dlg_fsm_event_names,
	.timer_cb = dlg_fsm_timer_cb,
	.log_subsys = DLGLOBAL,
};

static int dlg_fsm_register(void)
{
	static bool done;
	int rc;

	if (done)
		return 0;
	rc = osmo_fsm_register(&dlg_fsm);
	if (rc == 0)
		done = true;
	return rc;
}

/*
 * Layer
 */

struct tcap_tsl *tcap_tsl_alloc(void *ctx, const struct tcap_tsl_cfg *cfg)
{
	struct tcap_tsl *tsl;

	if (!cfg->tx || !cfg->ind || !cfg->tdefs || (cfg->variant != TCAP_ITU && cfg->variant != TCAP_ANSI))
		return NULL;
	if (dlg_fsm_register())
		return NULL;
	dlg_fsm.log_subsys = cfg->log_subsys;
	tsl = talloc_zero(ctx, struct tcap_tsl);
	if (!tsl)
		return NULL;
	tsl->cfg = *cfg;
	tsl->cfg.name = talloc_strdup(tsl, cfg->name ? cfg->name : "tcap");
	INIT_LLIST_HEAD(&tsl->dialogues);
	tsl->tid_bits = TID_BITS_MIN;
	tsl->by_tid = talloc_zero_array(tsl, struct hlist_head, 1u << tsl->tid_bits);
	/* start somewhere else after each restart, so a late message for a
	 * dialogue of the previous run meets an unknown id, not a new dialogue */
	tsl->next_tid = cfg->tid_seed ? cfg->tid_seed : (uint32_t)time(NULL) * 2654435761u;
	tsl->ctrg = rate_ctr_group_alloc(tsl, &tsl_ctrg_desc, cfg->index);
	if (!tsl->ctrg || !tsl->cfg.name || !tsl->by_tid) {
		talloc_free(tsl);
		return NULL;
	}
	return tsl;
}

void tcap_tsl_free(struct tcap_tsl *tsl)
{
	struct tcap_dlg *dlg, *tmp;

	if (!tsl)
		return;
	llist_for_each_entry_safe(dlg, tmp, &tsl->dialogues, list) {
		tsl_dlg_get(dlg);
		if (dlg->fi->state == TCAP_DS_INIT_RECEIVED || dlg->fi->state == TCAP_DS_ACTIVE) {
			dlg_tx_u_abort(dlg);
			tsl_ctr_inc(tsl, TCAP_CTR_ABORT_LOCAL);
		}
		dlg_kill(dlg);
		/* the user frees what it keeps for the dialogue */
		deliver_p_abort(dlg, cause_resource(tsl), true);
		tsl_dlg_put(dlg);
	}
	rate_ctr_group_free(tsl->ctrg);
	talloc_free(tsl);
}

void *tcap_tsl_priv(const struct tcap_tsl *tsl)
{
	return tsl->cfg.priv;
}

unsigned int tcap_tsl_num_dialogues(const struct tcap_tsl *tsl)
{
	return tsl->num_dialogues;
}

struct rate_ctr_group *tcap_tsl_ctrg(const struct tcap_tsl *tsl)
{
	return tsl->ctrg;
}

void tcap_tsl_foreach(struct tcap_tsl *tsl, void (*fn)(struct tcap_dlg *dlg, void *data), void *data)
{
	struct tcap_dlg *dlg;

	llist_for_each_entry(dlg, &tsl->dialogues, list)
		fn(dlg, data);
}

static uint32_t tid_to_u32(const struct tcap_tid *t)
{
	return (uint32_t)t->buf[0] << 24 | t->buf[1] << 16 | t->buf[2] << 8 | t->buf[3];
}

static struct tcap_dlg *find_dlg(struct tcap_tsl *tsl, const struct tcap_tid *dtid)
{
	struct tcap_dlg *dlg;
	uint32_t key;

	/* we only hand out 4-octet ids: anything else is not ours */
	if (dtid->len != 4)
		return NULL;
	key = tid_to_u32(dtid);
	hlist_for_each_entry(dlg, &tsl->by_tid[hash_32(key, tsl->tid_bits)], hnode)
		if (dlg->tid_key == key)
			return dlg;
	return NULL;
}

/* Twice as many buckets once there are two dialogues a bucket (a fixed 1,024 made chains of
 * 24 at 24,500 dialogues, a cache miss each). Without memory the chains just get longer. */
static void tid_hash_grow(struct tcap_tsl *tsl)
{
	unsigned int bits = tsl->tid_bits + 1;
	struct hlist_head *t;
	struct tcap_dlg *dlg;

	if (bits > TID_BITS_MAX || tsl->num_dialogues < 2u << tsl->tid_bits)
		return;
	t = talloc_zero_array(tsl, struct hlist_head, 1u << bits);
	if (!t)
		return;
	llist_for_each_entry(dlg, &tsl->dialogues, list) {
		hlist_del(&dlg->hnode);
		hlist_add_head(&dlg->hnode, &t[hash_32(dlg->tid_key, bits)]);
	}
	talloc_free(tsl->by_tid);
	tsl->by_tid = t;
	tsl->tid_bits = bits;
}

/* The user area follows the address blob, aligned for any type. */
static size_t user_offset(const struct tcap_tsl *tsl)
{
	return (tsl->cfg.addr_size + 15) & ~(size_t)15;
}

struct tcap_dlg *tcap_dlg_alloc(struct tcap_tsl *tsl, const void *addr)
{
	struct tcap_dlg *dlg;
	struct tcap_tid t = { .len = 4 };
	unsigned int tries;

	dlg = talloc_zero_size(tsl, sizeof(*dlg) + user_offset(tsl) + tsl->cfg.user_size);
	if (!dlg)
		return NULL;
	talloc_set_name_const(dlg, "tcap_dlg");
	/* Q.774 3.1.2: a local id is not reused while its dialogue lives */
	for (tries = 0; tries < 64; tries++) {
		uint32_t v = tsl->next_tid++;

		t.buf[0] = v >> 24;
		t.buf[1] = v >> 16;
		t.buf[2] = v >> 8;
		t.buf[3] = v;
		if (!find_dlg(tsl, &t))
			break;
	}
	if (tries == 64) {
		talloc_free(dlg);
		return NULL;
	}
	dlg->tsl = tsl;
	dlg->grant_perm = true;
	dlg->may_end = true;
	dlg->ltid = t;
	dlg->tid_key = tid_to_u32(&t);
	csl_init(dlg);
	dlg->fi = osmo_fsm_inst_alloc(&dlg_fsm, dlg, dlg, LOGL_DEBUG, NULL);
	if (!dlg->fi) {
		talloc_free(dlg);
		return NULL;
	}
	memcpy(dlg->addr, addr, tsl->cfg.addr_size);
	clock_gettime(CLOCK_MONOTONIC, &dlg->start);
	hlist_add_head(&dlg->hnode, &tsl->by_tid[hash_32(dlg->tid_key, tsl->tid_bits)]);
	llist_add_tail(&dlg->list, &tsl->dialogues);
	tsl->num_dialogues++;
	tid_hash_grow(tsl);
	return dlg;
}

/* Q.774 3.1.2.2 / A.3: what to answer to a message whose transaction portion
 * (or dialogue portion) is bad, when no dialogue takes it. */
static void rx_bad_no_dialogue(struct tcap_tsl *tsl, const void *addr, const struct tcap_msg *msg,
			       const struct tcap_decode_err *err)
{
	/* Only a Begin or Continue tells us the peer's id; for End and Abort there
	 * is nobody to answer, and neither for an unrecognized message type
	 * whose ids we did not even look for. */
	if (!msg || !msg->has_otid || (!mt_opens(msg->type) && !mt_continues(msg->type))) {
		LOGPTSL(tsl, LOGL_NOTICE, "discarding malformed message: %s\n", err->text);
		return;
	}
	if (err->kind == TCAP_ERR_DIALOGUE && tsl->cfg.variant == TCAP_ITU) {
		LOGPTSL(tsl, LOGL_NOTICE, "bad dialogue portion, provider abort: %s\n", err->text);
		tx_stateless_abort(tsl, addr, &msg->otid, 0, TCAP_DLG_ABRT, NULL);
		return;
	}
	LOGPTSL(tsl, LOGL_NOTICE, "P-Abort %s: %s\n", tcap_pabort_name(tsl->cfg.variant, err->cause) ?: "?",
		err->text);
	tx_stateless_abort(tsl, addr, &msg->otid, err->cause, TCAP_DLG_NONE, NULL);
}

/* T1.114.4 3.2: a Query opens a transaction. ANSI has no AARQ/AARE: an application
 * context in the dialogue portion is shown to the user, and one it refuses ends
 * the transaction with a user Abort (T1.114 has no "AC not supported" answer). */
static int rx_query(struct tcap_tsl *tsl, const void *addr, const struct tcap_msg *msg,
		    const struct tcap_decode_err *err)
{
	struct rx_ctx rx = { .msg = msg, .err = err, .addr = addr };
	struct tcap_dlg *dlg;

	if (tsl->cfg.check_ac &&
	    tsl->cfg.check_ac(tsl, msg->dlg.pdu == TCAP_DLG_ANSI && msg->dlg.has_ac ? &msg->dlg.ac : NULL) ==
		    TCAP_AC_REFUSE) {
		tsl_ctr_inc(tsl, TCAP_CTR_AC_REFUSED);
		LOGPTSL(tsl, LOGL_NOTICE, "Query with an application context we do not serve, user Abort\n");
		tx_stateless_abort(tsl, addr, &msg->otid, -1, TCAP_DLG_NONE, NULL);
		return 0;
	}
	dlg = tcap_dlg_alloc(tsl, addr);
	if (!dlg) {
		LOGPTSL(tsl, LOGL_ERROR, "no memory for a transaction, P-Abort resourceUnavailable\n");
		tx_stateless_abort(tsl, addr, &msg->otid, TCAP_APA_RESOURCE_UNAVAILABLE, TCAP_DLG_NONE, NULL);
		return -ENOMEM;
	}
	tsl_dlg_get(dlg);
	osmo_fsm_inst_dispatch(dlg->fi, EV_TR_BEGIN_IND, &rx);
	tsl_dlg_put(dlg);
	return 0;
}

static int rx_begin(struct tcap_tsl *tsl, const void *addr, const struct tcap_msg *msg,
		    const struct tcap_decode_err *err)
{
	struct rx_ctx rx = { .msg = msg, .err = err, .addr = addr };
	struct tcap_dlg *dlg;

	tsl_ctr_inc(tsl, TCAP_CTR_RX_BEGIN);
	if (msg->variant == TCAP_ANSI)
		return rx_query(tsl, addr, msg, err);
	if (msg->dlg.pdu != TCAP_DLG_NONE && msg->dlg.pdu != TCAP_DLG_AARQ) {
		/* Q.774 3.2.1: only an AARQ may open a dialogue */
		tsl_ctr_inc(tsl, TCAP_CTR_RX_MALFORMED);
		LOGPTSL(tsl, LOGL_NOTICE, "Begin with a dialogue PDU other than AARQ, provider abort\n");
		tx_stateless_abort(tsl, addr, &msg->otid, 0, TCAP_DLG_ABRT, NULL);
		return -EBADMSG;
	}
	if (tsl->cfg.check_ac &&
	    tsl->cfg.check_ac(tsl, msg->dlg.pdu == TCAP_DLG_AARQ ? &msg->dlg.ac : NULL) == TCAP_AC_REFUSE) {
		char ac[64] = "none";

		if (msg->dlg.pdu == TCAP_DLG_AARQ)
			tcap_oid_to_str(ac, sizeof(ac), &msg->dlg.ac);
		tsl_ctr_inc(tsl, TCAP_CTR_AC_REFUSED);
		if (msg->dlg.pdu != TCAP_DLG_AARQ) {
			/* no AC to refuse: the user has no use for the dialogue */
			LOGPTSL(tsl, LOGL_NOTICE, "Begin without an application context refused\n");
			tx_stateless_abort(tsl, addr, &msg->otid, 0, TCAP_DLG_ABRT, NULL);
			return 0;
		}
		/* Q.774 3.2.1: the user refuses the AC: Abort with AARE reject-permanent,
		 * diagnostic user application-context-name-not-supported */
		LOGPTSL(tsl, LOGL_NOTICE, "application context %s not supported, dialogue refused\n", ac);
		tx_stateless_abort(tsl, addr, &msg->otid, 0, TCAP_DLG_AARE, &msg->dlg.ac);
		return 0;
	}
	dlg = tcap_dlg_alloc(tsl, addr);
	if (!dlg) {
		LOGPTSL(tsl, LOGL_ERROR, "no memory for a dialogue, P-Abort resourceLimitation\n");
		tx_stateless_abort(tsl, addr, &msg->otid, TCAP_PA_RESOURCE_LIMITATION, TCAP_DLG_NONE, NULL);
		return -ENOMEM;
	}
	tsl_dlg_get(dlg);
	osmo_fsm_inst_dispatch(dlg->fi, EV_TR_BEGIN_IND, &rx);
	tsl_dlg_put(dlg);
	return 0;
}

static int rx_for_dialogue(struct tcap_tsl *tsl, const void *addr, const struct tcap_msg *msg,
			   const struct tcap_decode_err *err, bool bad_portion)
{
	struct rx_ctx rx = { .msg = msg, .err = err, .addr = addr };
	struct tcap_dlg *dlg = find_dlg(tsl, &msg->dtid);
	uint32_t ev;

	if (!dlg || dlg->fi->state == TCAP_DS_IDLE || dlg->fi->state == TCAP_DS_INIT_RECEIVED) {
		/* Q.774 3.1.2.2: a Continue for a transaction we do not have gets a
		 * P-Abort unrecognizedTransactionID; End and Abort are discarded.
		 * T1.114.4 3.3.3: the same for a Conversation, cause unassigned
		 * responding transaction id; Response and Abort are discarded. */
		tsl_ctr_inc(tsl, TCAP_CTR_RX_UNKNOWN_TID);
		if (mt_continues(msg->type) && msg->has_otid) {
			LOGPTSL(tsl, LOGL_NOTICE, "%s for an unknown transaction, P-Abort\n",
				tcap_msg_type_name(msg->type));
			tx_stateless_abort(tsl, addr, &msg->otid, cause_unknown_tid(tsl), TCAP_DLG_NONE, NULL);
		} else {
			LOGPTSL(tsl, LOGL_INFO, "%s for an unknown transaction discarded\n",
				tcap_msg_type_name(msg->type));
		}
		return -ENOENT;
	}

	tsl_dlg_get(dlg);
	if (bad_portion) {
		/* Q.774 A.3: the transaction portion (or the dialogue portion) of a
		 * message for a live dialogue is bad: tell both ends */
		int cause = TCAP_PA_INCORRECT_TX_PORTION;

		if (err->kind == TCAP_ERR_PABORT || tsl->cfg.variant == TCAP_ANSI)
			cause = err->cause;

		LOGPDLG(dlg, LOGL_NOTICE, "bad %s: %s, aborting\n", tcap_msg_type_name(msg->type), err->text);
		if (mt_continues(msg->type) && dlg->fi->state == TCAP_DS_ACTIVE) {
			if (err->kind == TCAP_ERR_DIALOGUE && tsl->cfg.variant == TCAP_ITU) {
				tx_stateless_abort(tsl, dlg->addr, &dlg->rtid, 0, TCAP_DLG_ABRT, NULL);
			} else {
				dlg_tx_p_abort(dlg, cause);
			}
		} else if (mt_continues(msg->type) && msg->has_otid) {
			tx_stateless_abort(tsl, addr, &msg->otid, cause, TCAP_DLG_NONE, NULL);
		}
		tsl_ctr_inc(tsl, TCAP_CTR_ABORT_LOCAL);
		rx.pabort_cause = cause;
		rx.local = true;
		osmo_fsm_inst_dispatch(dlg->fi, EV_TR_P_ABORT_IND, &rx);
		tsl_dlg_put(dlg);
		return -EBADMSG;
	}

	switch (msg->type) {
	case TCAP_MT_CONTINUE:
	case TCAP_MT_CONV_WITH_PERM:
	case TCAP_MT_CONV_WITHOUT_PERM:
		tsl_ctr_inc(tsl, TCAP_CTR_RX_CONTINUE);
		ev = EV_TR_CONTINUE_IND;
		break;
	case TCAP_MT_END:
	case TCAP_MT_RESPONSE:
		tsl_ctr_inc(tsl, TCAP_CTR_RX_END);
		ev = EV_TR_END_IND;
		break;
	default:
		tsl_ctr_inc(tsl, TCAP_CTR_RX_ABORT);
		if (msg->has_pabort) {
			rx.pabort_cause = msg->pabort_cause;
			ev = EV_TR_P_ABORT_IND;
		} else {
			ev = EV_TR_U_ABORT_IND;
		}
		break;
	}
	osmo_fsm_inst_dispatch(dlg->fi, ev, &rx);
	tsl_dlg_put(dlg);
	return 0;
}

int tcap_tsl_rx(struct tcap_tsl *tsl, const void *addr, const uint8_t *buf, size_t len)
{
	struct tcap_decode_err err;
	struct tcap_msg *msg = NULL;
	bool bad_portion;
	int rc;

	tsl_ctr_inc(tsl, TCAP_CTR_RX_MSG);
	rc = tcap_msg_decode(tsl, &msg, &err, buf, len);
	if (rc == -ENOMEM) {
		tcap_msg_free(msg);
		return rc;
	}
	bad_portion = rc && (err.kind == TCAP_ERR_PABORT || err.kind == TCAP_ERR_DIALOGUE);
	if (bad_portion)
		tsl_ctr_inc(tsl, TCAP_CTR_RX_MALFORMED);

	if (!msg || msg->type == TCAP_MT_UNIDIRECTIONAL || msg->variant != tsl->cfg.variant) {
		if (msg && msg->variant != tsl->cfg.variant) {
			/* an ITU message on an ANSI subsystem or the other way round:
			 * no answer either side would understand */
			LOGPTSL(tsl, LOGL_NOTICE, "%s TCAP message on a %s subsystem discarded\n",
				msg->variant == TCAP_ANSI ? "ANSI" : "ITU",
				tsl->cfg.variant == TCAP_ANSI ? "ANSI" : "ITU");
			tsl_ctr_inc(tsl, TCAP_CTR_RX_MALFORMED);
			tcap_msg_free(msg);
			return -EBADMSG;
		}
		if (msg)
			LOGPTSL(tsl, LOGL_INFO, "Unidirectional discarded: no use for it here\n");
		else
			LOGPTSL(tsl, LOGL_NOTICE, "discarding undecodable message: %s\n", err.text);
		tcap_msg_free(msg);
		return rc ? -EBADMSG : 0;
	}

	switch (msg->type) {
	case TCAP_MT_BEGIN:
	case TCAP_MT_QUERY_WITH_PERM:
	case TCAP_MT_QUERY_WITHOUT_PERM:
		if (bad_portion) {
			rx_bad_no_dialogue(tsl, addr, msg, &err);
			rc = -EBADMSG;
			break;
		}
		rc = rx_begin(tsl, addr, msg, rc ? &err : NULL);
		break;
	case TCAP_MT_CONTINUE:
	case TCAP_MT_END:
	case TCAP_MT_ABORT:
	case TCAP_MT_CONV_WITH_PERM:
	case TCAP_MT_CONV_WITHOUT_PERM:
	case TCAP_MT_RESPONSE:
		if (!msg->has_dtid) {
			/* the destination id itself is missing or bad */
			rx_bad_no_dialogue(tsl, addr, msg, &err);
			rc = -EBADMSG;
			break;
		}
		rc = rx_for_dialogue(tsl, addr, msg, rc ? &err : NULL, bad_portion);
		break;
	default:
		rx_bad_no_dialogue(tsl, addr, msg, &err);
		rc = -EBADMSG;
		break;
	}
	tcap_msg_free(msg);
	return rc;
}

/*
 * Dialogue requests and getters
 */

static int dlg_request(struct tcap_dlg *dlg, uint32_t ev, void *data)
{
	int rc;

	if (dlg->dead)
		return -ESHUTDOWN;
	tsl_dlg_get(dlg);
	rc = osmo_fsm_inst_dispatch(dlg->fi, ev, data);
	tsl_dlg_put(dlg);
	return rc ? -EINVAL : 0;
}

int tcap_dlg_begin(struct tcap_dlg *dlg, const struct tcap_oid *ac)
{
	int rc;

	if (dlg->dead || dlg->fi->state != TCAP_DS_IDLE)
		return -EINVAL;
	if (ac) {
		dlg->has_ac = true;
		dlg->ac = *ac;
	}
	tsl_dlg_get(dlg);
	rc = dlg_request(dlg, EV_TC_BEGIN_REQ, NULL);
	if (rc == 0 && dlg->dead)
		rc = -EIO;
	tsl_dlg_put(dlg);
	return rc;
}

int tcap_dlg_continue(struct tcap_dlg *dlg)
{
	return dlg_request(dlg, EV_TC_CONTINUE_REQ, NULL);
}

int tcap_dlg_end(struct tcap_dlg *dlg, bool prearranged)
{
	/* T1.114.4 3.2.2: without the peer's permission no Response may go out */
	if (!prearranged && !dlg->dead && !dlg->may_end && dlg->fi->state != TCAP_DS_IDLE &&
	    dlg->fi->state != TCAP_DS_INIT_SENT)
		return -EPERM;
	return dlg_request(dlg, EV_TC_END_REQ, &prearranged);
}

int tcap_dlg_set_permission(struct tcap_dlg *dlg, bool grant)
{
	if (dlg->tsl->cfg.variant != TCAP_ANSI)
		return -EINVAL;
	dlg->grant_perm = grant;
	return 0;
}

bool tcap_dlg_may_end(const struct tcap_dlg *dlg)
{
	return dlg->may_end;
}

int tcap_dlg_u_abort(struct tcap_dlg *dlg)
{
	return dlg_request(dlg, EV_TC_U_ABORT_REQ, NULL);
}

enum tcap_dlg_state tcap_dlg_state(const struct tcap_dlg *dlg)
{
	return dlg->fi->state;
}

const struct tcap_tid *tcap_dlg_local_tid(const struct tcap_dlg *dlg)
{
	return &dlg->ltid;
}

const struct tcap_tid *tcap_dlg_remote_tid(const struct tcap_dlg *dlg)
{
	return &dlg->rtid;
}

const struct tcap_oid *tcap_dlg_ac(const struct tcap_dlg *dlg)
{
	return dlg->has_ac ? &dlg->ac : NULL;
}

const void *tcap_dlg_addr(const struct tcap_dlg *dlg)
{
	return dlg->addr;
}

struct tcap_tsl *tcap_dlg_tsl(const struct tcap_dlg *dlg)
{
	return dlg->tsl;
}

void *tcap_dlg_user(struct tcap_dlg *dlg)
{
	return dlg->tsl->cfg.user_size ? dlg->addr + user_offset(dlg->tsl) : NULL;
}

void *tcap_dlg_get_priv(const struct tcap_dlg *dlg)
{
	return dlg->priv;
}

void tcap_dlg_set_priv(struct tcap_dlg *dlg, void *priv)
{
	dlg->priv = priv;
}

double tcap_dlg_age(const struct tcap_dlg *dlg)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - dlg->start.tv_sec) + (now.tv_nsec - dlg->start.tv_nsec) / 1e9;
}

const char *tcap_dlg_name(const struct tcap_dlg *dlg)
{
	/* one buffer for all dialogues: the name is not worth 48 bytes in each of them */
	static char name[48];
	char r[12] = "-";
	unsigned int i;

	for (i = 0; i < dlg->rtid.len && i < 4; i++)
		snprintf(r + 2 * i, sizeof(r) - 2 * i, "%02x", dlg->rtid.buf[i]);
	snprintf(name, sizeof(name), "ltid=%08x rtid=%s", dlg->tid_key, r);
	return name;
}

const char *tcap_dlg_state_name(enum tcap_dlg_state st)
{
	if ((unsigned int)st < ARRAY_SIZE(dlg_fsm_states))
		return dlg_fsm_states[st].name;
	return "?";
}

const char *tcap_ind_name(enum tcap_ind_kind k)
{
	switch (k) {
	case TCAP_IND_BEGIN:
		return "TC-BEGIN.ind";
	case TCAP_IND_CONTINUE:
		return "TC-CONTINUE.ind";
	case TCAP_IND_END:
		return "TC-END.ind";
	case TCAP_IND_U_ABORT:
		return "TC-U-ABORT.ind";
	case TCAP_IND_P_ABORT:
		return "TC-P-ABORT.ind";
	case TCAP_IND_TIMEOUT:
		return "TC-TIMEOUT.ind";
	case TCAP_IND_L_CANCEL:
		return "TC-L-CANCEL.ind";
	}
	return "?";
}
