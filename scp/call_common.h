/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* What the service logic of every protocol (CAP/INAP in cap_service.c, AIN in
 * ain_service.c) keeps and does alike for one dialogue: its FSM instance, the call
 * record between the call's events, the answer latency, the reports of answer and
 * end, and the teardown. The protocols differ in what they send; this part is one
 * so that a fix to it lands in both. */
#pragma once

#include <time.h>

#include <tandem/tcap_tsl.h>

#include "call_events.h"

struct osmo_fsm;
struct osmo_fsm_inst;
struct scp_ssn;

/*! The part of a dialogue's service logic that is the same for every protocol. It
 *  lives in the dialogue's TCAP user area, inside the protocol's own struct. */
struct scp_svc {
	struct osmo_fsm_inst *fi;	/* NULL once the service logic is terminated */
	struct tcap_dlg *dlg;		/* NULL once the service logic is terminated */
	struct scp_ssn *ssn;
	struct timespec t_rx;		/* monotonic, when the trigger came in */
	struct scp_call *call;		/* the record while the trigger is handled (on the stack), else NULL */
	struct scp_call_rec rec;	/* the call's record between its events */
};

/*! \brief Start the service logic of a new dialogue: an instance of fsm named id, with
 *  priv (the protocol's struct that holds sv) as the dialogue's and the FSM's private data.
 *  \returns 0, or -ENOMEM when the instance cannot be allocated (nothing is changed). */
int scp_svc_start(struct scp_svc *sv, struct osmo_fsm *fsm, void *priv, struct scp_ssn *ssn,
		  struct tcap_dlg *dlg, const char *id);
/*! \brief Export the answer latency: the time since the trigger came in (sv->t_rx). */
void scp_svc_latency(const struct scp_svc *sv);
/*! \brief Report the answer of the recorded call, the first time only. */
void scp_svc_call_answer(struct scp_svc *sv);
/*! \brief Report the end of a recorded, monitored call with reason, the first time only. */
void scp_svc_call_end(struct scp_svc *sv, const char *reason);
/*! \brief The dialogue went quiet for too long: count it, end the call ("timeout"), abort
 *  the dialogue (TC-U-ABORT) and terminate the service logic. */
void scp_svc_timed_out(struct scp_svc *sv);
/*! \brief Terminate the service logic: detach it from the dialogue, free the record and
 *  the FSM instance. The struct stays in the dialogue's user area until TCAP frees it. */
void scp_svc_term(struct scp_svc *sv);
