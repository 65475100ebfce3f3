/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* TCAP component sublayer (ITU Q.774 3.2, ANSI T1.114.4 4): invoke ids (ANSI
 * component ids) and invoke timers of the operations we invoke, the components
 * queued for the next message, and the checks on received components that make the
 * layer answer with a Reject by itself (duplicate invoke id, result or error for an
 * invoke that is not outstanding, unknown linked / correlation id, a component the
 * codec could not decode), with the ITU problem or the 16-bit ANSI one. */

#include <errno.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/tdef.h>

#include "tsl_internal.h"

struct tcap_msg *csl_out(struct tcap_dlg *dlg)
{
	if (!dlg->out)
		dlg->out = tcap_msg_alloc(dlg, dlg->tsl->cfg.variant, TCAP_MT_CONTINUE);
	return dlg->out;
}

static struct tcap_component *new_comp(struct tcap_dlg *dlg, int *rc)
{
	struct tcap_msg *out;
	struct tcap_component *c;

	if (dlg->dead) {
		*rc = -ESHUTDOWN;
		return NULL;
	}
	out = csl_out(dlg);
	if (!out) {
		*rc = -ENOMEM;
		return NULL;
	}
	if (out->num_comp >= TCAP_MAX_COMPONENTS) {
		*rc = -ENOSPC;
		return NULL;
	}
	c = &out->comp[out->num_comp];
	memset(c, 0, sizeof(*c));
	c->last = true;
	*rc = 0;
	return c;
}

static int set_param(struct tcap_dlg *dlg, struct tcap_component *c, const uint8_t *param, size_t len)
{
	if (!param || !len)
		return 0;
	return tcap_comp_set_param(dlg->out, c, param, len);
}

/* The problem of a Reject in the layer's variant: ITU type and code, or ANSI code. */
struct prob {
	enum tcap_problem_type type;
	int32_t code;
};

static struct prob problem(const struct tcap_dlg *dlg, enum tcap_problem_type type, int32_t itu, int32_t ansi)
{
	if (dlg->tsl->cfg.variant == TCAP_ANSI)
		return (struct prob){ TCAP_PROB_GENERAL, ansi };
	return (struct prob){ type, itu };
}

/* Invoke slot i (0..TCAP_MAX_INVOKES-1), or NULL past the inline ones while there is no overflow array. */
static struct tcap_invoke *inv_slot(struct tcap_dlg *dlg, unsigned int i)
{
	if (i < TCAP_INLINE_INVOKES)
		return &dlg->inv[i];
	return dlg->inv_more ? &dlg->inv_more[i - TCAP_INLINE_INVOKES] : NULL;
}

static struct tcap_invoke *find_invoke(struct tcap_dlg *dlg, int32_t id)
{
	struct tcap_invoke *inv;
	unsigned int i;

	for (i = 0; i < TCAP_MAX_INVOKES && (inv = inv_slot(dlg, i)); i++)
		if (inv->used && inv->id == id)
			return inv;
	return NULL;
}

/* A free slot: an inline one, else one of the overflow array (allocated on first use). */
static struct tcap_invoke *free_invoke(struct tcap_dlg *dlg)
{
	struct tcap_invoke *inv;
	unsigned int i;

	for (i = 0; i < TCAP_MAX_INVOKES; i++) {
		inv = inv_slot(dlg, i);
		if (!inv) {
			dlg->inv_more = talloc_zero_array(dlg, struct tcap_invoke,
							  TCAP_MAX_INVOKES - TCAP_INLINE_INVOKES);
			if (!dlg->inv_more)
				return NULL;
			inv = inv_slot(dlg, i);
		}
		if (!inv->used)
			return inv;
	}
	return NULL;
}

/* The id is free again; the dialogue's timer stays for the others (it finds nothing if
 * this was the earliest, and runs to the next). */
static void invoke_release(struct tcap_invoke *inv)
{
	inv->used = false;
	inv->timer_started = false;
}

/* Run the dialogue's invoke timer to the earliest deadline of its started invokes. */
static void invoke_timer_arm(struct tcap_dlg *dlg)
{
	struct tcap_invoke *inv, *first = NULL;
	struct timeval now, left;
	unsigned int i;

	for (i = 0; i < TCAP_MAX_INVOKES && (inv = inv_slot(dlg, i)); i++)
		if (inv->used && inv->timer_started && (!first || timercmp(&inv->deadline, &first->deadline, <)))
			first = inv;
	if (!first) {
		osmo_timer_del(&dlg->inv_timer);
		return;
	}
	osmo_gettimeofday(&now, NULL);
	if (timercmp(&first->deadline, &now, <))
		timerclear(&left);
	else
		timersub(&first->deadline, &now, &left);
	osmo_timer_schedule(&dlg->inv_timer, left.tv_sec, left.tv_usec);
}

/* Q.774 3.2.3.1: invoke timers expired. For an operation that reports success
 * (class 1 or 3) no result came: TC-L-CANCEL.ind. For the others (class 2 or 4)
 * no error came, which is their success; the id is free again either way. */
static void invoke_timer_cb(void *data)
{
	struct tcap_dlg *dlg = data;
	struct tcap_invoke *inv;
	struct tcap_ind ind;
	struct timeval now;
	unsigned int i;

	tsl_dlg_get(dlg);
	osmo_gettimeofday(&now, NULL);
	for (i = 0; i < TCAP_MAX_INVOKES && !dlg->dead && (inv = inv_slot(dlg, i)); i++) {
		if (!inv->used || !inv->timer_started || timercmp(&inv->deadline, &now, >))
			continue;
		invoke_release(inv);
		if (!inv->result_expected)
			continue;
		LOGPDLG(dlg, LOGL_NOTICE, "invoke %d: no result before its timer expired\n", inv->id);
		tsl_ctr_inc(dlg->tsl, TCAP_CTR_TIMEOUT_INVOKE);
		memset(&ind, 0, sizeof(ind));
		ind.kind = TCAP_IND_L_CANCEL;
		ind.invoke_id = inv->id;
		tsl_deliver(dlg, &ind);
	}
	if (!dlg->dead)
		invoke_timer_arm(dlg);
	tsl_dlg_put(dlg);
}

void csl_init(struct tcap_dlg *dlg)
{
	osmo_timer_setup(&dlg->inv_timer, invoke_timer_cb, dlg);
}

int tcap_dlg_invoke(struct tcap_dlg *dlg, const struct tcap_opcode *op, const uint8_t *param, size_t len,
		    unsigned int timeout_s, bool result_expected)
{
	struct tcap_invoke_opts o = { .timeout_s = timeout_s, .result_expected = result_expected };

	return tcap_dlg_invoke_opts(dlg, op, param, len, &o);
}

int tcap_dlg_invoke_opts(struct tcap_dlg *dlg, const struct tcap_opcode *op, const uint8_t *param, size_t len,
			 const struct tcap_invoke_opts *opts)
{
	unsigned int timeout_s = opts->timeout_s;
	bool result_expected = opts->result_expected;
	struct tcap_invoke *inv = NULL;
	struct tcap_component *c;
	unsigned int i;
	int32_t id = -1;
	int rc;

	if (opts->not_last && dlg->tsl->cfg.variant != TCAP_ANSI)
		return -EINVAL;
	if (opts->no_reply && result_expected)
		return -EINVAL;
	/* ITU linked ids are -128..127, ANSI correlation ids one octet */
	if (opts->has_linked_id &&
	    (dlg->tsl->cfg.variant == TCAP_ANSI ? opts->linked_id < 0 || opts->linked_id > 255
						 : opts->linked_id < -128 || opts->linked_id > 127))
		return -EINVAL;
	c = new_comp(dlg, &rc);
	if (!c)
		return rc;
	if (!opts->no_reply) {
		inv = free_invoke(dlg);
		if (!inv)
			return dlg->inv_more ? -ENOSPC : -ENOMEM;
	}
	/* ids 1..127 in turn, skipping those still in use (Q.774 3.2.3: no reuse while active) */
	for (i = 0; i < 127; i++) {
		int32_t cand = (dlg->next_iid + i) % 127 + 1;

		if (!find_invoke(dlg, cand)) {
			id = cand;
			break;
		}
	}
	if (id < 0)
		return -ENOSPC;
	c->kind = TCAP_COMP_INVOKE;
	c->last = !opts->not_last;
	c->has_invoke_id = true;
	c->invoke_id = id;
	c->has_linked_id = opts->has_linked_id;
	c->linked_id = opts->linked_id;
	c->has_opcode = true;
	c->op = *op;
	rc = set_param(dlg, c, param, len);
	if (rc)
		return rc;
	dlg->out->num_comp++;
	dlg->next_iid = id % 127;
	if (!inv)
		return id;	/* class 4: nothing to wait for */
	inv->used = true;
	inv->id = id;
	inv->result_expected = result_expected;
	inv->timer_started = false;
	inv->timeout_s = timeout_s ? timeout_s : osmo_tdef_get(dlg->tsl->cfg.tdefs, -2, OSMO_TDEF_S, 10);
	return id;
}

int tcap_dlg_result(struct tcap_dlg *dlg, int32_t invoke_id, const struct tcap_opcode *op,
		    const uint8_t *param, size_t len)
{
	struct tcap_component *c;
	int rc;

	c = new_comp(dlg, &rc);
	if (!c)
		return rc;
	c->kind = TCAP_COMP_RETURN_RESULT;
	c->has_invoke_id = true;
	c->invoke_id = invoke_id;
	if (op && dlg->tsl->cfg.variant == TCAP_ITU) {
		/* Q.773: a result with a parameter names its operation (T1.114: never) */
		if (!param || !len)
			return -EINVAL;
		c->has_opcode = true;
		c->op = *op;
	}
	rc = set_param(dlg, c, param, len);
	if (rc)
		return rc;
	dlg->out->num_comp++;
	return 0;
}

int tcap_dlg_error(struct tcap_dlg *dlg, int32_t invoke_id, const struct tcap_opcode *err,
		   const uint8_t *param, size_t len)
{
	struct tcap_component *c;
	int rc;

	c = new_comp(dlg, &rc);
	if (!c)
		return rc;
	c->kind = TCAP_COMP_RETURN_ERROR;
	c->has_invoke_id = true;
	c->invoke_id = invoke_id;
	c->has_opcode = true;
	c->op = *err;
	rc = set_param(dlg, c, param, len);
	if (rc)
		return rc;
	dlg->out->num_comp++;
	return 0;
}

static int queue_reject(struct tcap_dlg *dlg, bool has_iid, int32_t iid, enum tcap_problem_type type,
			int32_t problem)
{
	struct tcap_component *c;
	int rc;

	c = new_comp(dlg, &rc);
	if (!c)
		return rc;
	c->kind = TCAP_COMP_REJECT;
	c->has_invoke_id = has_iid;
	c->invoke_id = has_iid ? iid : 0;
	c->problem_type = type;
	c->problem = problem;
	dlg->out->num_comp++;
	tsl_ctr_inc(dlg->tsl, TCAP_CTR_TX_REJECT);
	return 0;
}

int tcap_dlg_reject(struct tcap_dlg *dlg, const struct tcap_component *comp, enum tcap_problem_type type,
		    int32_t problem)
{
	if (!comp)
		return -EINVAL;
	LOGPDLG(dlg, LOGL_INFO, "TC-U-REJECT.req invoke %d problem %d:%d\n", comp->invoke_id, type, problem);
	return queue_reject(dlg, comp->has_invoke_id, comp->invoke_id, type, problem);
}

/* Start the timers of the invokes that just went out. */
void csl_sent(struct tcap_dlg *dlg, const struct tcap_msg *msg)
{
	struct tcap_invoke *inv;
	struct timeval now;
	unsigned int i;
	bool started = false;

	for (i = 0; i < msg->num_comp; i++) {
		if (msg->comp[i].kind != TCAP_COMP_INVOKE)
			continue;
		inv = find_invoke(dlg, msg->comp[i].invoke_id);
		if (inv && !inv->timer_started) {
			if (!started)
				osmo_gettimeofday(&now, NULL);
			started = true;
			inv->timer_started = true;
			inv->deadline = now;
			inv->deadline.tv_sec += inv->timeout_s;
		}
	}
	if (started)
		invoke_timer_arm(dlg);
}

void csl_stop_all(struct tcap_dlg *dlg)
{
	struct tcap_invoke *inv;
	unsigned int i;

	for (i = 0; i < TCAP_MAX_INVOKES && (inv = inv_slot(dlg, i)); i++)
		if (inv->used)
			invoke_release(inv);
	osmo_timer_del(&dlg->inv_timer);
}

static void rx_reject(struct tcap_dlg *dlg, bool can_answer, struct tcap_ind *ind, const struct tcap_component *c,
		      struct prob p, const char *why)
{
	LOGPDLG(dlg, LOGL_NOTICE, "component invoke id %d: %s%s\n", c->invoke_id, why,
		can_answer ? ", Reject queued" : "");
	ind->num_rejected++;
	if (can_answer)
		queue_reject(dlg, c->has_invoke_id, c->invoke_id, p.type, p.code);
}

/* Q.774 3.2.2: check each received component against the invokes of this dialogue.
 * can_answer: the message leaves the dialogue open, so a Reject can still be sent. */
void csl_rx_components(struct tcap_dlg *dlg, const struct tcap_msg *msg, const struct tcap_decode_err *err,
		       bool can_answer, struct tcap_ind *ind)
{
	struct tcap_invoke *inv;
	unsigned int i, j;

	for (i = 0; i < msg->num_comp; i++) {
		const struct tcap_component *c = &msg->comp[i];
		bool dup = false;

		switch (c->kind) {
		case TCAP_COMP_INVOKE:
			/* an invoke id is active from its receipt until it is answered; we
			 * answer within the processing of the message, so two invokes of one
			 * message with the same id are the duplicates we can see */
			for (j = 0; j < i && c->has_invoke_id; j++)
				if (msg->comp[j].kind == TCAP_COMP_INVOKE && msg->comp[j].has_invoke_id &&
				    msg->comp[j].invoke_id == c->invoke_id)
					dup = true;
			if (dup) {
				rx_reject(dlg, can_answer, ind, c,
					  problem(dlg, TCAP_PROB_INVOKE, TCAP_IP_DUPLICATE_INVOKE_ID,
						  TCAP_ANSI_PROB_INVOKE_DUPLICATE_ID),
					  "duplicate invoke id");
				continue;
			}
			if (c->has_linked_id && !find_invoke(dlg, c->linked_id)) {
				rx_reject(dlg, can_answer, ind, c,
					  problem(dlg, TCAP_PROB_INVOKE, TCAP_IP_UNRECOGNIZED_LINKED_ID,
						  TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_CORR_ID),
					  "linked to an invoke that is not active");
				continue;
			}
			break;
		case TCAP_COMP_RETURN_RESULT:
			inv = find_invoke(dlg, c->invoke_id);
			if (!inv) {
				/* returnResult problem unrecognizedInvokeID (0) */
				rx_reject(dlg, can_answer, ind, c,
					  problem(dlg, TCAP_PROB_RETURN_RESULT, 0,
						  TCAP_ANSI_PROB_RR_UNRECOGNIZED_CORR_ID),
					  "result for an invoke that is not active");
				continue;
			}
			if (!inv->result_expected) {
				/* returnResult problem resultResponseUnexpected (1) */
				rx_reject(dlg, can_answer, ind, c,
					  problem(dlg, TCAP_PROB_RETURN_RESULT, 1, TCAP_ANSI_PROB_RR_UNEXPECTED),
					  "result for an operation that has none");
				invoke_release(inv);
				continue;
			}
			if (c->last)
				invoke_release(inv);
			break;
		case TCAP_COMP_RETURN_ERROR:
			inv = find_invoke(dlg, c->invoke_id);
			if (!inv) {
				/* returnError problem unrecognizedInvokeID (0) */
				rx_reject(dlg, can_answer, ind, c,
					  problem(dlg, TCAP_PROB_RETURN_ERROR, 0,
						  TCAP_ANSI_PROB_RE_UNRECOGNIZED_CORR_ID),
					  "error for an invoke that is not active");
				continue;
			}
			invoke_release(inv);
			break;
		case TCAP_COMP_REJECT:
			/* TC-R-REJECT / TC-U-REJECT.ind: the peer rejected one of ours */
			tsl_ctr_inc(dlg->tsl, TCAP_CTR_RX_REJECT);
			if (c->has_invoke_id) {
				inv = find_invoke(dlg, c->invoke_id);
				if (inv)
					invoke_release(inv);
			}
			break;
		}
		ind->comp[ind->num_comp++] = c;
	}

	/* the codec stopped at a component it could not decode (Q.774 3.2.2.2: the
	 * rest of the message is discarded and the bad one rejected) */
	if (err && err->kind == TCAP_ERR_REJECT) {
		LOGPDLG(dlg, LOGL_NOTICE, "%s%s\n", err->text, can_answer ? ", Reject queued" : "");
		ind->num_rejected++;
		if (can_answer)
			queue_reject(dlg, err->has_invoke_id, err->invoke_id, err->problem_type, err->problem);
	}
}
