/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp: what its parts share (options, the SCCP/TCAP stack, the outcome). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/timer.h>
#include <osmocom/sigtran/sccp_sap.h>

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
