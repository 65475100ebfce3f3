/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* The service logic every protocol shares for one dialogue (call_common.h): start and
 * teardown, answer latency, the answer and end reports of a call record. */

#include <errno.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/utils.h>

#include "call_common.h"
#include "scp.h"

int scp_svc_start(struct scp_svc *sv, struct osmo_fsm *fsm, void *priv, struct scp_ssn *ssn,
		  struct tcap_dlg *dlg, const char *id)
{
	sv->fi = osmo_fsm_inst_alloc(fsm, g_scp, priv, LOGL_DEBUG, id);
	if (!sv->fi)
		return -ENOMEM;
	sv->dlg = dlg;
	sv->ssn = ssn;
	tcap_dlg_set_priv(dlg, priv);
	return 0;
}

void scp_svc_latency(const struct scp_svc *sv)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	scp_answer_latency(g_scp, (now.tv_sec - sv->t_rx.tv_sec) + (now.tv_nsec - sv->t_rx.tv_nsec) / 1e9);
}

/* The record keeps the times it reported, so that an event the switch reports again
 * reaches the server once. */
void scp_svc_call_answer(struct scp_svc *sv)
{
	struct scp_call c;

	if (!sv->rec.have || sv->rec.t_answer.tv_sec)
		return;
	scp_call_rec_unpack(&c, &sv->rec);
	clock_gettime(CLOCK_REALTIME, &c.t_answer);
	sv->rec.t_answer = c.t_answer;
	scp_call_event(SCP_CALL_EV_ANSWER, &c);
}

void scp_svc_call_end(struct scp_svc *sv, const char *reason)
{
	struct scp_call c;

	if (!sv->rec.have || !sv->rec.monitored || sv->rec.t_end.tv_sec)
		return;
	scp_call_rec_unpack(&c, &sv->rec);
	clock_gettime(CLOCK_REALTIME, &c.t_end);
	sv->rec.t_end = c.t_end;
	OSMO_STRLCPY_ARRAY(c.end_reason, reason);
	scp_call_event(SCP_CALL_EV_END, &c);
}

/* Q.774 and T1.114 leave an idle dialogue to its user: never a silent drop, an explicit
 * Abort, so that the switch frees its side too. Before a trigger is answered there is no
 * record yet and no end to report. */
void scp_svc_timed_out(struct scp_svc *sv)
{
	scp_ssn_ctr_inc(sv->ssn, SCP_CTR_TIMEOUT);
	scp_ssn_ctr_inc(sv->ssn, SCP_CTR_TX_ABORT);
	scp_svc_call_end(sv, "timeout");
	tcap_dlg_u_abort(sv->dlg);
	scp_svc_term(sv);
}

void scp_svc_term(struct scp_svc *sv)
{
	if (sv->dlg)
		tcap_dlg_set_priv(sv->dlg, NULL);
	sv->dlg = NULL;
	scp_call_rec_free(&sv->rec);
	osmo_fsm_inst_term(sv->fi, OSMO_FSM_TERM_REGULAR, NULL);
	sv->fi = NULL;
}
