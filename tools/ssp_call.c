/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp: what one call of `call` does alike in every protocol (ssp.h, struct ssp_call): the
 * dialogue's opening, the SCP's components and aborts, the wait for the SCP, the switch's own steps
 * once the call is monitored (answer, hang up, or the --abort-after / --drop-after faults), the first
 * failure, and the outcome when the SCP ends the dialogue. What the protocols send and how they read
 * the SCP's operations stays in ssp_cap.c and ssp_ain.c (struct ssp_call_ops). */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/timer.h>

#include "ssp.h"

static void wait_cb(void *data)
{
	struct ssp_call *call = data;

	ssp_finish(call->ssp, SSP_EXIT_CALL, "timeout: no answer from the SCP within %.1f s",
		   call->ssp->opt.timeout_s);
}

/* The faults are the same for every protocol; answer and disconnect are the protocol's. */
static void step_cb(void *data)
{
	struct ssp_call *call = data;
	struct ssp *ssp = call->ssp;

	if (!call->dlg || ssp->done)
		return;
	switch (call->next) {
	case SSP_STEP_ABORT:
		tcap_dlg_u_abort(call->dlg);
		call->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_OK, "aborted the %s as asked (--abort-after)", call->dlg_name);
		return;
	case SSP_STEP_DROP:
		ssp->muted = true;
		ssp_finish(ssp, SSP_EXIT_OK, "stopped answering as asked (--drop-after)");
		return;
	case SSP_STEP_ANSWER:
		call->ops->answer(call);
		return;
	case SSP_STEP_DISCONNECT:
		call->ops->disconnect(call);
		return;
	}
}

void ssp_call_init(struct ssp_call *call, struct ssp *ssp, enum tcap_variant variant,
		   const struct ssp_call_ops *ops)
{
	memset(call, 0, sizeof(*call));
	call->ssp = ssp;
	call->ops = ops;
	call->variant = variant;
	call->dlg_name = variant == TCAP_ANSI ? "transaction" : "dialogue";
	call->phase = SSP_PH_WAIT_ANSWER;
	osmo_timer_setup(&call->t_wait, wait_cb, call);
	osmo_timer_setup(&call->t_step, step_cb, call);
}

int ssp_call_begin(struct ssp_call *call, const struct tcap_opcode *op, const uint8_t *p, size_t len,
		   const struct tcap_oid *ac, const char *what)
{
	struct ssp *ssp = call->ssp;
	int rc;

	call->dlg = tcap_dlg_alloc(ssp->tsl, ssp_peer(ssp));
	if (!call->dlg) {
		ssp_finish(ssp, SSP_EXIT_SETUP, "out of memory");
		return -ENOMEM;
	}
	rc = tcap_dlg_invoke(call->dlg, op, p, len, 0, false);
	if (rc >= 0)
		rc = tcap_dlg_begin(call->dlg, ac);
	if (rc < 0) {
		/* the layer freed the dialogue */
		call->dlg = NULL;
		ssp_finish(ssp, SSP_EXIT_SETUP, "cannot send the %s: %s", what, strerror(-rc));
		return rc;
	}
	ssp_call_wait(call);
	return 0;
}

void ssp_call_fail(struct ssp_call *call, const char *fmt, ...)
{
	va_list ap;

	if (call->failed)
		return;
	call->failed = true;
	va_start(ap, fmt);
	vsnprintf(call->fail_text, sizeof(call->fail_text), fmt, ap);
	va_end(ap);
}

void ssp_call_wait(struct ssp_call *call)
{
	ssp_timer_schedule(&call->t_wait, call->ssp->opt.timeout_s);
}

void ssp_call_reject(struct ssp_call *call, const struct tcap_component *comp, int32_t problem)
{
	if (call->dlg)
		tcap_dlg_reject(call->dlg, comp, TCAP_PROB_INVOKE, problem);
}

void ssp_call_schedule(struct ssp_call *call, enum ssp_step s, double seconds)
{
	call->next = s;
	ssp_timer_schedule(&call->t_step, seconds);
}

void ssp_call_monitored(struct ssp_call *call)
{
	const struct ssp_opts *o = &call->ssp->opt;

	call->phase = SSP_PH_MONITORED;
	if (o->abort_after >= 0)
		ssp_call_schedule(call, SSP_STEP_ABORT, o->abort_after);
	else if (o->drop_after >= 0)
		ssp_call_schedule(call, SSP_STEP_DROP, o->drop_after);
	else
		ssp_call_schedule(call, SSP_STEP_ANSWER, o->answer_after);
}

void ssp_call_ended(struct ssp_call *call, bool have_instr)
{
	struct ssp *ssp = call->ssp;

	call->dlg = NULL;
	if (call->failed)
		ssp_finish(ssp, SSP_EXIT_CALL, "%s", call->fail_text);
	else if (!have_instr)
		ssp_finish(ssp, SSP_EXIT_CALL, "the SCP ended the %s without an instruction", call->dlg_name);
	else if (call->phase == SSP_PH_MONITORED)
		/* the switch was still to report the call's end */
		ssp_finish(ssp, SSP_EXIT_CALL, "the SCP ended the %s during the call (%s)", call->dlg_name,
			   call->instr_text);
	else
		ssp_finish(ssp, SSP_EXIT_OK, "call completed: %s", call->instr_text);
}

/* One component of the SCP. \returns true when something was queued that must be sent. */
static bool component(struct ssp_call *call, const struct tcap_component *comp)
{
	switch (comp->kind) {
	case TCAP_COMP_INVOKE:
		return call->ops->invoke(call, comp);
	case TCAP_COMP_REJECT:
		/* an ANSI problem is one two-octet code (T1.114), an ITU one a type and a code */
		if (call->variant == TCAP_ANSI)
			ssp_call_fail(call, "the SCP rejected a component of ours (problem 0x%04x)", comp->problem);
		else
			ssp_call_fail(call, "the SCP rejected a component of ours (problem %d:%d)", comp->problem_type,
				      comp->problem);
		return false;
	case TCAP_COMP_RETURN_ERROR:
		ssp_call_fail(call, "the SCP returned error %d", comp->op.code);
		return false;
	case TCAP_COMP_RETURN_RESULT:
		break;
	}
	return false;
}

static void p_aborted(struct ssp_call *call, const struct tcap_ind *ind)
{
	const char *by = ind->local ? "local " : "the SCP sent a ";
	const char *name = tcap_pabort_name(call->variant, ind->cause);

	if (name)
		ssp_finish(call->ssp, SSP_EXIT_CALL, "%sP-Abort %s", by, name);
	else
		ssp_finish(call->ssp, SSP_EXIT_CALL, "%sP-Abort cause %d", by, ind->cause);
}

void ssp_call_ind(struct ssp_call *call, struct tcap_dlg *dlg, const struct tcap_ind *ind)
{
	bool queued = false;
	unsigned int i;

	if (dlg != call->dlg) {
		/* nobody opens dialogues towards the switch; one it gave up on is gone */
		if (ind->kind == TCAP_IND_BEGIN || ind->kind == TCAP_IND_CONTINUE)
			tcap_dlg_u_abort(dlg);
		return;
	}
	switch (ind->kind) {
	case TCAP_IND_CONTINUE:
	case TCAP_IND_END:
		osmo_timer_del(&call->t_wait);
		for (i = 0; i < ind->num_comp; i++)
			queued |= component(call, ind->comp[i]);
		if (ind->num_rejected) {
			ssp_call_fail(call, "the SCP sent %u component(s) our TCAP layer rejected", ind->num_rejected);
			queued = true;
		}
		if (ind->kind == TCAP_IND_END) {
			call->ops->ended(call);
		} else if (call->failed) {
			/* what is queued (Rejects, results) goes out; the run fails with the first reason */
			if (queued)
				tcap_dlg_continue(call->dlg);
			ssp_finish(call->ssp, SSP_EXIT_CALL, "%s", call->fail_text);
		} else {
			call->ops->continued(call, queued);
		}
		break;
	case TCAP_IND_U_ABORT:
		osmo_timer_del(&call->t_wait);
		call->dlg = NULL;
		call->ops->u_aborted(call, ind);
		break;
	case TCAP_IND_P_ABORT:
		osmo_timer_del(&call->t_wait);
		call->dlg = NULL;
		p_aborted(call, ind);
		break;
	case TCAP_IND_TIMEOUT:
	case TCAP_IND_L_CANCEL:
	case TCAP_IND_BEGIN:
		break;
	}
}

void ssp_call_stop(struct ssp_call *call)
{
	osmo_timer_del(&call->t_wait);
	osmo_timer_del(&call->t_step);
}
