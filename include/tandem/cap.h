/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*! \file cap.h
 *  \brief Typed argument codecs for the CAMEL (CAP v2/v3/v4, TS 29.078) and
 *  INAP CS-1 (ETS 300 374-1) call-control operations tandem uses.
 *
 *  CAP and INAP share the BCSM model and most operation codes, so one set of
 *  structs serves both; the protocol argument picks the ASN.1 type. Decoders
 *  take the raw parameter TLV from struct tcap_component, return 0 or -EINVAL
 *  (the caller answers with Reject mistypedParameter), never assert, and leave
 *  no allocation behind. Unknown and extension fields are skipped, wherever
 *  they appear in an extensible SEQUENCE; a known field out of its place, or
 *  octets after the parameter TLV, make the parameter mistyped.
 *
 *  Numbers are decoded with tcap_num_decode() in the format noted at each
 *  field; a number that codec refuses makes the parameter mistyped. Encoders
 *  write DER, leave absent fields out, check the standard's bounds, and return
 *  -EINVAL for a value the protocol version cannot carry (a CAP-only field for
 *  INAP, a CAP v3 field for CAP v2, ...) and -ENOSPC when buf is too small.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tandem/tcap_numbers.h>

enum cap_protocol {
	CAP_PROTO_CAP2,
	CAP_PROTO_CAP3,
	CAP_PROTO_CAP4,
	CAP_PROTO_INAP,		/*!< INAP CS-1 */
};

/*! Operation codes (local values, TS 29.078 / ETS 300 374-1). */
enum cap_opcode {
	CAP_OP_INITIAL_DP = 0,
	CAP_OP_CONNECT = 20,
	CAP_OP_RELEASE_CALL = 22,
	CAP_OP_REQUEST_REPORT_BCSM = 23,
	CAP_OP_EVENT_REPORT_BCSM = 24,
	CAP_OP_CONTINUE = 31,
	CAP_OP_RESET_TIMER = 33,
	CAP_OP_CALL_GAP = 41,
	CAP_OP_ACTIVITY_TEST = 55,
	CAP_OP_CONTINUE_WITH_ARGUMENT = 88,
};

/*! EventTypeBCSM values. */
enum cap_event_type {
	CAP_EVT_ORIG_ATTEMPT_AUTHORIZED = 1,
	CAP_EVT_COLLECTED_INFO = 2,
	CAP_EVT_ANALYZED_INFORMATION = 3,
	CAP_EVT_ROUTE_SELECT_FAILURE = 4,
	CAP_EVT_O_CALLED_PARTY_BUSY = 5,
	CAP_EVT_O_NO_ANSWER = 6,
	CAP_EVT_O_ANSWER = 7,
	CAP_EVT_O_MID_CALL = 8,
	CAP_EVT_O_DISCONNECT = 9,
	CAP_EVT_O_ABANDON = 10,
	CAP_EVT_TERM_ATTEMPT_AUTHORIZED = 12,
	CAP_EVT_T_BUSY = 13,
	CAP_EVT_T_NO_ANSWER = 14,
	CAP_EVT_T_ANSWER = 15,
	CAP_EVT_T_MID_CALL = 16,
	CAP_EVT_T_DISCONNECT = 17,
	CAP_EVT_T_ABANDON = 18,
	CAP_EVT_O_TERM_SEIZED = 19,
	CAP_EVT_CALL_ACCEPTED = 27,
};

enum cap_monitor_mode {
	CAP_MON_INTERRUPTED = 0,
	CAP_MON_NOTIFY_AND_CONTINUE = 1,
	CAP_MON_TRANSPARENT = 2,
};

/*! Leg ids: leg1 = calling party, leg2 = called party. */
enum cap_leg_side {
	CAP_LEG_NONE = 0,
	CAP_LEG_SENDING = 1,	/*!< sendingSideID [0] */
	CAP_LEG_RECEIVING = 2,	/*!< receivingSideID [1] */
};

struct cap_leg_id {
	enum cap_leg_side side;
	uint8_t leg;		/*!< 1 or 2 */
};

#define CAP_MAX_CALL_REF 8
#define CAP_MAX_RAW 32
#define CAP_MAX_BEARER_CAP 11	/*!< cAPSpecificBoundSet maxBearerCapabilityLength */

/*! InitialDP argument (the union of the CAP v2..v4 and INAP CS-1 fields we use). */
struct cap_idp {
	uint32_t service_key;
	bool has_called;		struct tcap_number called;		/* ISUP called */
	bool has_calling;		struct tcap_number calling;		/* ISUP calling */
	bool has_calling_category;	uint8_t calling_category;
	bool has_location_number;	struct tcap_number location_number;	/* ISUP calling format */
	bool has_original_called;	struct tcap_number original_called;	/* ISUP calling format */
	bool has_redirecting;		struct tcap_number redirecting;		/* ISUP calling format */
	bool has_redirection_info;	uint8_t redirection_info[2];
	bool has_bearer_cap;		uint8_t bearer_cap[CAP_MAX_RAW];	uint8_t bearer_cap_len; /* 2..11 */
	bool has_event_type;		enum cap_event_type event_type;
	/* CAP only (MAP types of InitialDP): */
	bool has_imsi;			char imsi[17];
	/* locationInformation: present when any of the next four is */
	bool has_age_of_location;	uint16_t age_of_location;		/* minutes */
	bool has_vlr_number;		struct tcap_number vlr_number;		/* BCD */
	bool has_cell_id;		uint8_t cell_id[7];			/* CGI/SAI fixed length */
	bool has_lai;			uint8_t lai[5];				/* LAI fixed length */
	/* ext-basicServiceCode: one of the two, first octet of the code */
	bool has_teleservice;		uint8_t teleservice;
	bool has_bearer_service;	uint8_t bearer_service;
	bool has_call_ref;		uint8_t call_ref[CAP_MAX_CALL_REF];	uint8_t call_ref_len;
	bool has_msc_address;		struct tcap_number msc_address;		/* BCD */
	bool has_called_bcd;		struct tcap_number called_bcd;		/* BCD */
	bool has_time_tz;		struct tcap_time_tz time_tz;
	bool call_forwarding_pending;	/*!< callForwardingSS-Pending (v2: gsm-ForwardingPending) */
	/*! initialDPArgExtension gmscAddress: tag [1] in CAP v2, [0] in v3/v4 */
	bool has_gmsc_address;		struct tcap_number gmsc_address;	/* BCD */
	/* INAP only: */
	bool has_dialled_digits;	struct tcap_number dialled_digits;	/* ISUP called format */
};

/*! One BCSM event to arm (RequestReportBCSMEvent). */
struct cap_bcsm_event {
	enum cap_event_type event_type;
	enum cap_monitor_mode monitor_mode;
	struct cap_leg_id leg;		/*!< side NONE: absent */
	bool has_app_timer;
	uint16_t app_timer;		/*!< dpSpecificCriteria applicationTimer */
	bool automatic_rearm;
};

#define CAP_MAX_BCSM_EVENTS 30

struct cap_rrbe {
	unsigned int num_events;
	struct cap_bcsm_event events[CAP_MAX_BCSM_EVENTS];
};

/*! EventReportBCSM argument. */
struct cap_erb {
	enum cap_event_type event_type;
	struct cap_leg_id leg;		/*!< side NONE: absent */
	bool has_misc_call_info;
	uint8_t message_type;		/*!< 0 request, 1 notification */
	bool has_release_cause;		/*!< o/tDisconnect, routeSelectFailure failureCause, busy cause */
	uint8_t release_cause[CAP_MAX_RAW];	uint8_t release_cause_len;
};

#define CAP_MAX_DRA 4

/*! Connect argument (destinationRoutingAddress and the fields we may set). */
struct cap_connect {
	unsigned int num_dra;
	struct tcap_number dra[CAP_MAX_DRA];	/* ISUP called format */
	bool has_original_called;	struct tcap_number original_called;
	bool has_redirecting;		struct tcap_number redirecting;
	bool has_redirection_info;	uint8_t redirection_info[2];
	bool has_calling_category;	uint8_t calling_category;
	bool suppression_of_announcement;	/* CAP only */
	bool ocsi_applicable;			/* CAP only */
};

/*! ReleaseCall argument: a Q.850 cause (ITU Q.763 cause indicators octets). */
struct cap_release {
	uint8_t cause[CAP_MAX_RAW];
	uint8_t cause_len;
};

/*! ContinueWithArgument (CAP v3/v4 only; CAP v2 and INAP CS-1 have no such
 *  operation, their codecs return -EINVAL): only the calling party category. */
struct cap_cwa {
	bool has_calling_category;
	uint8_t calling_category;
};

/*! ResetTimer argument. */
struct cap_reset_timer {
	uint8_t timer_id;	/*!< 0 = tssf */
	uint32_t timer_value;	/*!< seconds */
};

/*! CallGap argument (the basic criteria forms). */
enum cap_gap_criteria_kind {
	CAP_GAP_CALLED_ADDRESS,		/*!< calledAddressValue (Digits, ISUP generic digits/number) */
	CAP_GAP_SERVICE,		/*!< gapOnService: service key */
	CAP_GAP_CALLED_AND_SERVICE,	/*!< calledAddressAndService */
	CAP_GAP_CALLING_AND_SERVICE,	/*!< callingAddressAndService (digits = calling address) */
};

struct cap_call_gap {
	enum cap_gap_criteria_kind kind;
	uint8_t digits[CAP_MAX_RAW];	uint8_t digits_len;	/* raw Digits */
	uint32_t service_key;
	int32_t duration;		/*!< seconds; -1 infinite, -2 network */
	int32_t gap_interval;		/*!< milliseconds; -1 all calls gapped, 0 none */
	bool has_control_type;		uint8_t control_type;	/* 0 sCPOverloaded, 1 manuallyInitiated */
	bool has_release_cause;		uint8_t release_cause[CAP_MAX_RAW];	uint8_t release_cause_len;
	/*! CAP v3/v4 compoundGapCriteria: the basic criteria above plus the SCF id */
	bool has_scf_id;		uint8_t scf_id[CAP_MAX_RAW];	uint8_t scf_id_len;	/* 2..25 */
};

/*! \brief Decode/encode operation arguments. buf is the parameter TLV.
 *  \returns 0, -EINVAL (decode: mistyped; encode: not representable),
 *  -ENOSPC (encode: buf too small), -ENOMEM. */
int cap_idp_decode(struct cap_idp *out, enum cap_protocol p, const uint8_t *buf, size_t len);
int cap_idp_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p, const struct cap_idp *in);
int cap_rrbe_decode(struct cap_rrbe *out, enum cap_protocol p, const uint8_t *buf, size_t len);
int cap_rrbe_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p, const struct cap_rrbe *in);
int cap_erb_decode(struct cap_erb *out, enum cap_protocol p, const uint8_t *buf, size_t len);
int cap_erb_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p, const struct cap_erb *in);
int cap_connect_decode(struct cap_connect *out, enum cap_protocol p, const uint8_t *buf, size_t len);
int cap_connect_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p, const struct cap_connect *in);
int cap_release_decode(struct cap_release *out, enum cap_protocol p, const uint8_t *buf, size_t len);
int cap_release_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p, const struct cap_release *in);
int cap_cwa_decode(struct cap_cwa *out, enum cap_protocol p, const uint8_t *buf, size_t len);
int cap_cwa_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p, const struct cap_cwa *in);
int cap_reset_timer_decode(struct cap_reset_timer *out, enum cap_protocol p, const uint8_t *buf, size_t len);
int cap_reset_timer_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p,
			   const struct cap_reset_timer *in);
int cap_call_gap_decode(struct cap_call_gap *out, enum cap_protocol p, const uint8_t *buf, size_t len);
int cap_call_gap_encode(uint8_t *buf, size_t size, size_t *out_len, enum cap_protocol p,
			const struct cap_call_gap *in);

/*! \returns the operation name ("initialDP") or NULL for an opcode we do not know. */
const char *cap_op_name(int opcode);
/*! \returns the event name ("collectedInfo") or NULL. */
const char *cap_event_name(enum cap_event_type e);
const char *cap_monitor_mode_name(enum cap_monitor_mode m);

/*! Application contexts, dotted. */
#define CAP_AC_V2 "0.4.0.0.1.0.50.1"
#define CAP_AC_V3 "0.4.0.0.1.21.3.4"
#define CAP_AC_V4 "0.4.0.0.1.23.3.4"
#define INAP_AC_CS1_SSP_TO_SCP "0.4.0.1.1.1.0.0"

/*! \brief Map an application context to a protocol. \returns 0 or -ENOENT. */
int cap_protocol_from_ac(enum cap_protocol *out, const char *dotted_ac);
/*! \returns "cap2", "cap3", "cap4", "inap". */
const char *cap_protocol_name(enum cap_protocol p);
