/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*! \file tcap_tsl.h
 *  \brief TCAP transaction, dialogue and component sublayers (ITU Q.774, ANSI T1.114.4).
 *
 *  One struct tcap_tsl serves one TC-user on one SCCP subsystem. It owns the
 *  dialogues of that subsystem: it allocates local transaction ids, matches
 *  received messages to dialogues, answers what Q.774 makes the TCAP layer
 *  answer (P-Abort for an unknown transaction or a malformed transaction
 *  portion, AARE reject for an application context the user refuses, Reject for
 *  a bad or duplicate component) and hands the rest to the TC-user as
 *  indications. The user answers through the request functions below, from
 *  inside an indication or later; nothing here blocks.
 *
 *  The layer knows nothing about SCCP: received messages come in with an opaque
 *  peer address blob (cfg.addr_size bytes, e.g. the SCCP calling and called
 *  addresses), kept per dialogue and given back to cfg.tx for every message sent
 *  in that dialogue.
 *
 *  ANSI (cfg.variant TCAP_ANSI): the same primitives map onto T1.114 packages.
 *  TC-BEGIN is a QueryWithPerm (WithoutPerm after tcap_dlg_set_permission(false)),
 *  TC-CONTINUE a ConversationWithPerm/WithoutPerm carrying our id then the peer's,
 *  TC-END a Response carrying the peer's id (refused with -EPERM when the peer's
 *  last package withheld permission to release), TC-U-ABORT an Abort without cause
 *  information. There is no AARQ/AARE: an application context of a received
 *  dialogue portion is shown through tcap_dlg_ac(), and one cfg.check_ac refuses
 *  gets a user Abort. Unknown responding ids get a P-Abort unassignedRespondingTID,
 *  bad portions the T1.114 P-Abort cause, bad components a Reject with the 16-bit
 *  ANSI problem (TCAP_ANSI_PROB_*). Component ids are the invoke ids; the
 *  correlation id is the linked id.
 *
 *  Timers (osmo_tdef, see tcap_tsl_tdefs): X1 dialogue inactivity; X2 default
 *  invoke timer. When X1 expires the user gets TCAP_IND_TIMEOUT and either sends
 *  something (which restarts X1) or aborts; if it does neither, the layer aborts
 *  the dialogue itself: a dialogue is never dropped without telling the peer.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osmocom/core/tdef.h>

#include <tandem/tcap_msg.h>

struct rate_ctr_group;
struct tcap_tsl;
struct tcap_dlg;

/*! Dialogue (transaction) states, Q.774 figure A.4 / A.5. */
enum tcap_dlg_state {
	TCAP_DS_IDLE,
	TCAP_DS_INIT_SENT,	/*!< Begin sent, no backward message yet */
	TCAP_DS_INIT_RECEIVED,	/*!< Begin received, nothing sent back yet */
	TCAP_DS_ACTIVE,
};

/*! What the layer tells its user. */
enum tcap_ind_kind {
	TCAP_IND_BEGIN,		/*!< TC-BEGIN.ind: a new dialogue from the peer (state INIT_RECEIVED) */
	TCAP_IND_CONTINUE,	/*!< TC-CONTINUE.ind */
	TCAP_IND_END,		/*!< TC-END.ind: the dialogue is gone when the callback returns */
	TCAP_IND_U_ABORT,	/*!< TC-U-ABORT.ind: peer user abort, or AARE reject; dialogue gone */
	TCAP_IND_P_ABORT,	/*!< TC-P-ABORT.ind: cause in .cause; dialogue gone */
	TCAP_IND_TIMEOUT,	/*!< dialogue inactivity (X1) expired: continue or abort */
	TCAP_IND_L_CANCEL,	/*!< TC-L-CANCEL.ind: invoke timer of .invoke_id expired without a result */
};

/*! An indication. msg is the received message (dialogue portion in msg->dlg); comp
 *  lists the components the user has to handle: the component sublayer has already
 *  removed (and answered with a Reject) duplicate invokes and results for invoke
 *  ids that are not outstanding. */
struct tcap_ind {
	enum tcap_ind_kind kind;
	const struct tcap_msg *msg;	/*!< BEGIN/CONTINUE/END/U_ABORT: the received message */
	unsigned int num_comp;
	const struct tcap_component *comp[TCAP_MAX_COMPONENTS];
	unsigned int num_rejected;	/*!< components the layer rejected (Reject queued or sent) */
	int cause;			/*!< P_ABORT: P-Abort cause (received or local), ITU or ANSI numbering */
	bool local;			/*!< P_ABORT: decided by this layer, not received */
	int32_t invoke_id;		/*!< L_CANCEL */
};

/*! Application context check for a received TC-BEGIN. */
enum tcap_ac_verdict {
	TCAP_AC_ACCEPT,
	TCAP_AC_REFUSE,		/*!< AARE reject-permanent, user diagnostic application-context-name-not-supported */
};

struct tcap_tsl_cfg {
	enum tcap_variant variant;
	const char *name;		/*!< for logs and the counter group, e.g. "ssn146" */
	unsigned int index;		/*!< counter group index (the SSN) */
	size_t addr_size;		/*!< bytes of the peer address blob */
	size_t user_size;		/*!< bytes of a zeroed area in each dialogue for the user, tcap_dlg_user() */
	struct osmo_tdef *tdefs;	/*!< X1, X2 (tcap_tsl_tdefs or a copy of it) */
	int log_subsys;			/*!< logging category for this layer */
	uint32_t tid_seed;		/*!< first local transaction id; 0: derived from the clock */
	void *priv;			/*!< user pointer, tcap_tsl_priv() */
	/*! Send one encoded message to the peer. \returns 0 or negative errno. */
	int (*tx)(struct tcap_tsl *tsl, const void *addr, const uint8_t *buf, size_t len);
	/*! AC of a received AARQ (NULL ac: Begin without dialogue portion). */
	enum tcap_ac_verdict (*check_ac)(struct tcap_tsl *tsl, const struct tcap_oid *ac);
	/*! Indications for a dialogue. */
	void (*ind)(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind);
};

/*! Default timers of the layer: copy them into your own table or pass them as they are. */
extern struct osmo_tdef tcap_tsl_tdefs[];

/*! \brief Create a transaction sublayer. \returns the layer or NULL (-ENOMEM). */
struct tcap_tsl *tcap_tsl_alloc(void *ctx, const struct tcap_tsl_cfg *cfg);
/*! \brief Abort every live dialogue towards its peer (counted), then free the layer. */
void tcap_tsl_free(struct tcap_tsl *tsl);
/*! \brief User pointer from the config. */
void *tcap_tsl_priv(const struct tcap_tsl *tsl);
/*! \brief Number of live dialogues. */
unsigned int tcap_tsl_num_dialogues(const struct tcap_tsl *tsl);
/*! \brief The layer's counters (see tcap_tsl_ctr). */
struct rate_ctr_group *tcap_tsl_ctrg(const struct tcap_tsl *tsl);
/*! \brief Call fn for every live dialogue (fn must not end dialogues). */
void tcap_tsl_foreach(struct tcap_tsl *tsl, void (*fn)(struct tcap_dlg *dlg, void *data), void *data);

/*! \brief Hand one received TCAP message (from addr) to the layer.
 *  Everything the message calls for happens before this returns: indications to the
 *  user, P-Abort / Reject / AARE answers to the peer.
 *  \returns 0 when the message was taken, -EBADMSG when it was malformed (answered
 *  or discarded per Q.774), -ENOENT for an unknown transaction, -ENOMEM. */
int tcap_tsl_rx(struct tcap_tsl *tsl, const void *addr, const uint8_t *buf, size_t len);

/*! Counters of a layer (index into tcap_tsl_ctrg()). */
enum tcap_tsl_ctr {
	TCAP_CTR_RX_MSG,
	TCAP_CTR_RX_BEGIN,
	TCAP_CTR_RX_CONTINUE,
	TCAP_CTR_RX_END,
	TCAP_CTR_RX_ABORT,
	TCAP_CTR_RX_MALFORMED,
	TCAP_CTR_RX_UNKNOWN_TID,
	TCAP_CTR_RX_REJECT,
	TCAP_CTR_TX_BEGIN,
	TCAP_CTR_TX_CONTINUE,
	TCAP_CTR_TX_END,
	TCAP_CTR_TX_U_ABORT,
	TCAP_CTR_TX_P_ABORT,
	TCAP_CTR_TX_REJECT,
	TCAP_CTR_TX_ERR,
	TCAP_CTR_AC_REFUSED,
	TCAP_CTR_TIMEOUT_INACTIVITY,
	TCAP_CTR_TIMEOUT_INVOKE,
	TCAP_CTR_ABORT_LOCAL,
};

/*
 * Dialogues
 */

/*! \brief Open a dialogue towards addr (the Begin is sent by tcap_dlg_begin()).
 *  \returns the dialogue (state IDLE) or NULL. */
struct tcap_dlg *tcap_dlg_alloc(struct tcap_tsl *tsl, const void *addr);

enum tcap_dlg_state tcap_dlg_state(const struct tcap_dlg *dlg);
/*! \brief Local transaction id (4 octets, our OTID). */
const struct tcap_tid *tcap_dlg_local_tid(const struct tcap_dlg *dlg);
/*! \brief Peer's transaction id (its OTID); len 0 before the peer has sent one. */
const struct tcap_tid *tcap_dlg_remote_tid(const struct tcap_dlg *dlg);
/*! \brief Application context of the dialogue, or NULL (no dialogue portion). */
const struct tcap_oid *tcap_dlg_ac(const struct tcap_dlg *dlg);
/*! \brief The peer address blob. */
const void *tcap_dlg_addr(const struct tcap_dlg *dlg);
struct tcap_tsl *tcap_dlg_tsl(const struct tcap_dlg *dlg);
/*! \brief The dialogue's user area (cfg.user_size bytes, zeroed when the dialogue was allocated,
 *  freed with it), or NULL when cfg.user_size is 0. Saves the user an allocation per dialogue. */
void *tcap_dlg_user(struct tcap_dlg *dlg);
/*! \brief User data pointer of the dialogue (NULL until set). */
void *tcap_dlg_get_priv(const struct tcap_dlg *dlg);
void tcap_dlg_set_priv(struct tcap_dlg *dlg, void *priv);
/*! \brief Seconds since the dialogue started (monotonic). */
double tcap_dlg_age(const struct tcap_dlg *dlg);
/*! \brief "ltid=0000002a rtid=01020304" style id for logs (a static buffer, overwritten by the next call). */
const char *tcap_dlg_name(const struct tcap_dlg *dlg);

/*! \brief Queue an Invoke. timeout_s: invoke timer in seconds (0: X2 default);
 *  result_expected: class 1/3 operation, its timer expiring is a TC-L-CANCEL.ind.
 *  Other invokes are complete when their timer expires.
 *  \returns the invoke id (0..127) or negative errno (-ENOSPC: too many components). */
int tcap_dlg_invoke(struct tcap_dlg *dlg, const struct tcap_opcode *op, const uint8_t *param, size_t len,
		    unsigned int timeout_s, bool result_expected);
/*! Options of an Invoke beyond tcap_dlg_invoke(). */
struct tcap_invoke_opts {
	unsigned int timeout_s;		/*!< invoke timer in seconds, 0: X2 */
	bool result_expected;		/*!< class 1/3: timer expiry is a TC-L-CANCEL.ind */
	bool not_last;			/*!< ANSI InvokeNotLast: more components of this operation follow */
	bool has_linked_id;
	int32_t linked_id;		/*!< ITU linked id, ANSI correlation id: the peer's invoke answered */
	/*! class 4 (Q.771 2.3.1.1): the operation reports neither success nor failure, so the
	 *  layer keeps nothing for it (no invoke state, no timer); a Reject of it still reaches
	 *  the user. Not together with result_expected. */
	bool no_reply;
};

/*! \brief Queue an Invoke with options (ANSI InvokeNotLast, linked/correlation id).
 *  \returns the invoke id (1..127) or negative errno. */
int tcap_dlg_invoke_opts(struct tcap_dlg *dlg, const struct tcap_opcode *op, const uint8_t *param, size_t len,
			 const struct tcap_invoke_opts *opts);
/*! \brief Queue a ReturnResultLast for a received invoke. \returns 0 or negative errno. */
int tcap_dlg_result(struct tcap_dlg *dlg, int32_t invoke_id, const struct tcap_opcode *op,
		    const uint8_t *param, size_t len);
/*! \brief Queue a ReturnError. \returns 0 or negative errno. */
int tcap_dlg_error(struct tcap_dlg *dlg, int32_t invoke_id, const struct tcap_opcode *err,
		   const uint8_t *param, size_t len);
/*! \brief Queue a Reject (TC-U-REJECT.req) for a received component.
 *  \returns 0 or negative errno. */
int tcap_dlg_reject(struct tcap_dlg *dlg, const struct tcap_component *comp, enum tcap_problem_type type,
		    int32_t problem);

/*! \brief TC-BEGIN.req: send a Begin with the queued components and, when ac is
 *  not NULL, an AARQ for it. \returns 0 or negative errno (the dialogue is then freed). */
int tcap_dlg_begin(struct tcap_dlg *dlg, const struct tcap_oid *ac);
/*! \brief TC-CONTINUE.req: send the queued components. The first backward message
 *  of a dialogue begun with an AARQ carries the AARE (accepted). \returns 0 or negative errno. */
int tcap_dlg_continue(struct tcap_dlg *dlg);
/*! \brief TC-END.req: basic end (send End / ANSI Response with the queued components) or
 *  prearranged end (send nothing). The dialogue is freed.
 *  \returns 0 or negative errno; -EPERM (ANSI, basic end): the peer withheld
 *  permission to release, the dialogue is unchanged (continue or abort it). */
int tcap_dlg_end(struct tcap_dlg *dlg, bool prearranged);
/*! \brief ANSI: whether our next Query/Conversation gives the peer permission to
 *  release (default yes). \returns 0, or -EINVAL on an ITU layer. */
int tcap_dlg_set_permission(struct tcap_dlg *dlg, bool grant);
/*! \brief ANSI: true when the peer's last package let us end the transaction
 *  (always true for ITU). */
bool tcap_dlg_may_end(const struct tcap_dlg *dlg);
/*! \brief TC-U-ABORT.req: send an Abort (ABRT user source when a dialogue portion
 *  is in use) and free the dialogue. \returns 0 or negative errno. */
int tcap_dlg_u_abort(struct tcap_dlg *dlg);

/*! \returns the state name ("INIT_RECEIVED", ...). */
const char *tcap_dlg_state_name(enum tcap_dlg_state st);
/*! \returns "TC-BEGIN.ind", ... */
const char *tcap_ind_name(enum tcap_ind_kind k);
