/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp: what its parts share (options, the SCCP/TCAP stack, the outcome). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/timer.h>
#include <osmocom/sigtran/sccp_sap.h>

#include <tandem/ain.h>
#include <tandem/cap.h>
#include <tandem/tcap_tsl.h>

#include "decode_json.h"

/* Exit status of tandem-ssp (doc/tandem-scp.md, "tandem-ssp"). */
#define SSP_EXIT_OK 0
#define SSP_EXIT_CALL 1		/* the call failed: abort, reject, timeout, unexpected answer */
#define SSP_EXIT_USAGE 2
#define SSP_EXIT_SETUP 3	/* config, SCCP or the link to the STP */

struct ssp_opts {
	const char *config;
	const char *remote_pc;
	int remote_ssn, local_ssn;	/* -1: per protocol */
	double timeout_s;		/* longest wait for an answer of the SCP */
	double link_timeout_s;		/* longest wait for the link to the STP */
	bool hex;			/* add the raw message as "hex" to each JSON object */
	struct tcap_dialplan plan;	/* for the "e164" members */
	/* call */
	enum td_proto proto;
	bool term;
	const char *calling, *called;
	bool withheld;
	uint32_t service_key;
	double answer_after, hold;	/* seconds; answer_after < 0: the call is never answered */
	double abort_after;		/* < 0: off; else TC-U-ABORT this long after the SCP's first answer */
	double drop_after;		/* < 0: off; else vanish (send nothing more) this long after it */
	int release_leg;		/* leg that hangs up: 1 calling, 2 called */
	const char *ac;			/* application context override (dotted) */
	const char *imsi, *msc;
	int tct;			/* AIN trigger criteria type, -1: per direction */
	/* send-raw */
	double wait_s;
};

struct ssp {
	void *ctx;
	struct ssp_opts opt;
	struct osmo_sccp_instance *sccp;
	struct osmo_sccp_user *scu;
	struct osmo_sccp_addr local, remote;
	struct tcap_tsl *tsl;
	bool muted;			/* drop everything we would send (--drop-after) */
	struct td_opts td;
	enum td_proto print_hint;	/* protocol of what we receive, when it does not say */
	unsigned int received;
	/* the outcome */
	bool done;
	int exit_code;
	char reason[160];
	/* called for every received message after it was printed, before the TCAP layer sees it */
	void (*on_rx)(struct ssp *ssp);
	/* load and echo (ssp_load.c, ssp_echo.c): nothing printed per message, an N-NOTICE is
	 * counted in notices instead of ending the run */
	bool quiet;
	unsigned int notices;
	/* echo: every received message goes here instead of the TCAP layer */
	void (*rx_raw)(struct ssp *ssp, const struct osmo_scu_unitdata_param *ud, const uint8_t *buf, size_t len);
};

/* tools/ssp_stack.c */
int ssp_stack_start(struct ssp *ssp, uint16_t remote_ssn, uint16_t local_ssn, enum tcap_variant variant,
		    void (*ind)(struct tcap_tsl *, struct tcap_dlg *, const struct tcap_ind *));
void ssp_stack_stop(struct ssp *ssp);
int ssp_send_raw(struct ssp *ssp, const uint8_t *buf, size_t len);
/*! \brief The peer address blob for tcap_dlg_alloc(). */
const void *ssp_peer(struct ssp *ssp);
/*! \brief End the run with an exit status and (for a failure) a one-line reason. */
void ssp_finish(struct ssp *ssp, int exit_code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*! \brief Progress line on stderr ("tandem-ssp: ..."). */
void ssp_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*! \brief Arm a one-shot timer for a fractional number of seconds. */
void ssp_timer_schedule(struct osmo_timer_list *t, double seconds);
/*! \brief Parse a number given on the command line: "+E164" or national digits. \returns 0 or -EINVAL. */
int ssp_parse_number(struct tcap_number *out, const char *text);
/*! \brief Parse --protocol (cap2 ... ain); says what is wrong on stderr. \returns 0 or -EINVAL. */
int ssp_parse_protocol(enum td_proto *out, const char *text);
/*! \brief Parse --direction orig|term into *term; says what is wrong on stderr. \returns 0 or -EINVAL. */
int ssp_parse_direction(bool *term, const char *text);

/* tools/ssp_call.c: what one call of `call` does alike in CAP/INAP (ssp_cap.c) and AIN (ssp_ain.c) */

/* Where the call is. */
enum ssp_phase {
	SSP_PH_WAIT_ANSWER,	/* trigger sent, waiting for the SCP's first answer */
	SSP_PH_MONITORED,	/* call going on, reports armed, our own timers run */
	SSP_PH_WAIT_LAST,	/* the disconnect is reported as a request: waiting for the SCP's last word */
};

/* What the switch does next on its own, once the SCP monitors the call. */
enum ssp_step {
	SSP_STEP_ANSWER,	/* the called party answers (--answer-after) */
	SSP_STEP_DISCONNECT,	/* a party hangs up (--hold) */
	SSP_STEP_ABORT,		/* --abort-after */
	SSP_STEP_DROP,		/* --drop-after */
};

struct ssp_call;

/* What a protocol does in its own way. */
struct ssp_call_ops {
	/* one invoke of the SCP; \returns true when something was queued that must be sent */
	bool (*invoke)(struct ssp_call *call, const struct tcap_component *comp);
	/* a TC-CONTINUE (ANSI Conversation), its components handled and none failed; queued: something to send */
	void (*continued)(struct ssp_call *call, bool queued);
	/* a TC-END (ANSI Response), its components handled: the dialogue is gone */
	void (*ended)(struct ssp_call *call);
	/* a TC-U-ABORT: the dialogue is gone (a TC-P-ABORT is told alike for every protocol) */
	void (*u_aborted)(struct ssp_call *call, const struct tcap_ind *ind);
	/* the switch's steps: the called party answers; a party hangs up */
	void (*answer)(struct ssp_call *call);
	void (*disconnect)(struct ssp_call *call);
};

struct ssp_call {
	struct ssp *ssp;
	const struct ssp_call_ops *ops;
	enum tcap_variant variant;
	const char *dlg_name;		/* "dialogue" (ITU) or "transaction" (ANSI), for the messages */
	struct tcap_dlg *dlg;		/* NULL once the dialogue is gone */
	enum ssp_phase phase;
	char instr_text[64];		/* the SCP's instruction, as the messages name it */
	struct osmo_timer_list t_wait;	/* the SCP's answer is due */
	struct osmo_timer_list t_step;	/* the switch's next step is due */
	enum ssp_step next;
	bool failed;
	char fail_text[128];		/* the first thing that went wrong */
};

/*! \brief Start a call afresh: no dialogue, no failure, its timers set up (not running). */
void ssp_call_init(struct ssp_call *call, struct ssp *ssp, enum tcap_variant variant,
		   const struct ssp_call_ops *ops);
/*! \brief Open the call's dialogue (TC-BEGIN, ANSI QueryWithPerm) with one invoke (its argument p, len) and
 *  the application context ac (NULL: none), and wait for the SCP; what names the invoke in the message of a
 *  failure. \returns 0 or negative errno (the run is then finished). */
int ssp_call_begin(struct ssp_call *call, const struct tcap_opcode *op, const uint8_t *p, size_t len,
		   const struct tcap_oid *ac, const char *what);
/*! \brief The indication callback of the TCAP layer for the call: the SCP's components, then the
 *  protocol's ops. */
void ssp_call_ind(struct ssp_call *call, struct tcap_dlg *dlg, const struct tcap_ind *ind);
/*! \brief Mark the call failed; only the first reason is kept. */
void ssp_call_fail(struct ssp_call *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*! \brief Reject an invoke of the SCP (sent with what the switch sends next). */
void ssp_call_reject(struct ssp_call *call, const struct tcap_component *comp, int32_t problem);
/*! \brief Wait (--timeout) for the SCP's next message; the run fails when it does not come. */
void ssp_call_wait(struct ssp_call *call);
/*! \brief Run step s of the call seconds from now. */
void ssp_call_schedule(struct ssp_call *call, enum ssp_step s, double seconds);
/*! \brief The SCP monitors the call: it goes on (phase monitored) with its first step. */
void ssp_call_monitored(struct ssp_call *call);
/*! \brief The SCP ended the dialogue (TC-END, ANSI Response): finish the run with what came of the
 *  call. have_instr: the SCP gave its instruction (then in instr_text). */
void ssp_call_ended(struct ssp_call *call, bool have_instr);
/*! \brief Stop the call's timers (at exit). */
void ssp_call_stop(struct ssp_call *call);

/* tools/ssp_encode.c: operations of the switch, built alike for `call` and `load` */
/*! \brief The CAP/INAP variant of a --protocol (INAP CS-1 for what is not CAP). */
enum cap_protocol ssp_cap_proto(enum td_proto p);
/*! \brief The dotted application context a switch proposes for a CAP/INAP variant. */
const char *ssp_cap_ac(enum cap_protocol p);
/*! \brief Fill the InitialDP of a call: O-CSI (collectedInfo) or T-CSI (termAttemptAuthorized), the
 *  calling number (NULL: none) as the network screened it, the called number where the variant and the
 *  direction carry it, and (CAP only) the call reference. */
void ssp_cap_idp_fill(struct cap_idp *idp, enum cap_protocol proto, bool term, uint32_t service_key,
		      const struct tcap_number *calling, bool withheld, const struct tcap_number *called,
		      uint32_t call_ref);
/*! \brief Queue an EventReportBCSM of event e on leg (receivingSideID) in dlg, as a request (EDP-R) or a
 *  notification. \returns 0 or negative errno. */
int ssp_cap_erb_queue(struct tcap_dlg *dlg, enum cap_protocol proto, enum cap_event_type e, int leg, bool request);
/*! \brief Complete and encode the trigger of an AIN call in t (called and, if has_calling, calling
 *  filled in): TerminationAttempt (term) or InfoAnalyzed, for the line in t->user_id (the called line,
 *  or the calling one of an origination); tct < 0: the direction's. \returns 0 or negative errno. */
int ssp_ain_trigger_encode(uint8_t *p, size_t size, size_t *len, struct tcap_opcode *op, struct ain_trigger *t,
			   bool term, int tct);
/*! \brief Queue the OAnswer, TAnswer, ODisconnect or TDisconnect (opcode) of the line dn in dlg.
 *  \returns 0 or negative errno. */
int ssp_ain_event_queue(struct tcap_dlg *dlg, int opcode, const char *dn);

/* tools/ssp_cap.c: the gsmSSF/SSF side of one CAP or INAP call */
/*! \brief Place the call (TC-BEGIN with InitialDP); the rest happens in ssp_cap_ind(). */
int ssp_cap_call(struct ssp *ssp);
void ssp_cap_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind);
void ssp_cap_stop(void);

/* tools/ssp_ain.c: the switch side of one AIN call */
/*! \brief Place the call (QueryWithPerm with InfoAnalyzed or TerminationAttempt). */
int ssp_ain_call(struct ssp *ssp);
void ssp_ain_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind);
void ssp_ain_stop(void);
