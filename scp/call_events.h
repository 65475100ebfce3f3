/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Call records and the internal call-event interface of tandem-scp.
 *
 * The service logic fills a struct scp_call from each trigger and reports the
 * call's life through scp_call_event(): trigger, answer, end. Consumers subscribe
 * with scp_call_events_subscribe() (the server notifier of a later issue); the
 * daemon itself logs every event and keeps the last calls for `show calls`.
 * A consumer must not block: it is called on the answering path. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <osmocom/core/linuxlist.h>

#include <tandem/tcap_numbers.h>

struct vty;

enum scp_call_dir {
	SCP_DIR_ORIG,		/* originating trigger (O-CSI, collectedInfo, InfoAnalyzed) */
	SCP_DIR_TERM,		/* terminating trigger (T-CSI, termAttemptAuthorized, TerminationAttempt) */
};

/* One party of a call as signalled. */
struct scp_party {
	bool present;
	char raw[TCAP_NUM_MAX_DIGITS + 1];	/* digits as signalled */
	char e164[18];				/* "+CCNNN...", empty when no E.164 form */
	enum tcap_num_nature nature;
	enum tcap_num_pres pres;
	bool withheld;				/* presentation restricted or unavailable */
};

enum scp_call_ev {
	SCP_CALL_EV_TRIGGER,
	SCP_CALL_EV_ANSWER,
	SCP_CALL_EV_END,
};

struct scp_call {
	uint64_t id;			/* scp-wide sequence, unique per run */
	enum scp_call_dir dir;
	const char *protocol;		/* "cap2", "cap3", "cap4", "inap", "ain" */
	uint16_t ssn;
	uint32_t service_key;
	struct scp_party calling, called, redirecting, original_called, charge, location;
	char imsi[17];
	char msc[TCAP_NUM_MAX_DIGITS + 2];	/* MSC address, "+E164" or raw */
	char vlr[TCAP_NUM_MAX_DIGITS + 2];
	char cell[16];			/* CGI as hex */
	char call_ref[2 * 8 + 1];	/* call reference number as hex */
	char answer[TCAP_NUM_MAX_DIGITS + 16];		/* what the SCP answered: "continue", "connect +1...", "release 31" */
	bool monitored;
	bool fail_open;			/* answered Continue because something went wrong */
	struct timespec t_trigger, t_answer, t_end;	/* CLOCK_REALTIME; tv_sec 0: not (yet) */
	char end_reason[32];		/* "disconnect", "abort", "timeout", "answered" */
	/* AIN only (AIN has no service key: service_key holds the trigger criteria type) */
	char user_dn[11];		/* UserID DN of the line the trigger is for, empty if not a line */
	char lata[8];			/* LATA digits, empty if absent */
	int trigger_criteria;		/* TriggerCriteriaType, -1 if absent */
};

/* Bytes of a packed record's strings kept inside it; longer ones go to a talloc'ed buffer. */
#define SCP_CALL_REC_INLINE 192

/*! A call record as a monitored dialogue keeps it between its events. struct scp_call is
 *  about 760 bytes, nearly all of it string buffers sized for the longest number any format
 *  carries, most of them empty or short: this keeps the other fields as they are and the 21
 *  strings one after another, each NUL-terminated (about 250 bytes for a CAP call). */
struct scp_call_rec {
	bool have;			/* holds a call */
	bool monitored;
	bool fail_open;
	uint8_t dir;
	uint16_t ssn;
	uint16_t len;			/* bytes of strs used */
	uint32_t service_key;
	int32_t trigger_criteria;
	uint64_t id;
	const char *protocol;
	struct timespec t_trigger, t_answer, t_end;
	struct {
		bool present, withheld;
		uint8_t nature, pres;
	} party[6];
	char *ext;			/* the strings when they do not fit in inl, else NULL */
	char inl[SCP_CALL_REC_INLINE];
};

typedef void (*scp_call_event_cb)(enum scp_call_ev ev, const struct scp_call *call, void *data);

/*! \brief Tell everyone about a call event (logs it, keeps it for show calls). */
void scp_call_event(enum scp_call_ev ev, struct scp_call *call);
/*! \brief Subscribe to call events. \returns 0 or -ENOMEM. */
int scp_call_events_subscribe(void *ctx, scp_call_event_cb cb, void *data);
/*! \brief Next call id. */
uint64_t scp_call_next_id(void);
/*! \brief Fill a party from a decoded number. */
void scp_party_set(struct scp_party *p, const struct tcap_number *n, const struct tcap_dialplan *plan);
/*! \brief Pack a call record (strings longer than the inline buffer go to a buffer under ctx).
 *  \returns 0 or -ENOMEM (the record is then empty). */
int scp_call_rec_pack(void *ctx, struct scp_call_rec *r, const struct scp_call *c);
/*! \brief The full record of a packed one (a view: changes are not written back). */
void scp_call_rec_unpack(struct scp_call *c, const struct scp_call_rec *r);
/*! \brief Free what a packed record holds outside itself and empty it. */
void scp_call_rec_free(struct scp_call_rec *r);
/*! \brief Free subscribers and the kept calls. */
void scp_call_events_fini(void);
/*! \brief Print the last calls (newest last) on the VTY. */
void scp_call_events_vty_show(struct vty *vty, unsigned int max);
const char *scp_call_dir_name(enum scp_call_dir d);
