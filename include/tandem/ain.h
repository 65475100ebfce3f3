/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*! \file ain.h
 *  \brief Typed argument codecs for the AIN 0.1/0.2 operations tandem uses
 *  (Telcordia GR-1298-CORE call model, GR-1299-CORE messages), carried in
 *  ANSI TCAP components with private operation codes.
 *
 *  An AIN argument is the parameter set of the component (F2 ..., the raw TLV
 *  in struct tcap_component). Decoders accept a parameter set in any order and
 *  a parameter sequence (F0), skip parameters they do not know, return 0 or
 *  -EINVAL (the caller answers with a Reject, invoke-incorrectParameter),
 *  never assert, and leave no allocation behind. Encoders write a parameter
 *  set with the parameters in GR-1299 order (the order switches and tshark
 *  expect), and return 0, -ENOSPC, or -EINVAL for a struct they cannot encode
 *  (bad digits, a field the operation does not carry).
 *
 *  Numbers (AINDigits) are struct tcap_number in TCAP_NUMFMT_AIN_DIGITS.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tandem/tcap_numbers.h>

/*! Private operation codes: family << 8 | specifier (GR-1299). */
enum ain_opcode {
	/* Request/Notification (0x64): sent by the switch */
	AIN_OP_INFO_COLLECTED = 0x6402,
	AIN_OP_INFO_ANALYZED = 0x6403,
	AIN_OP_FAILURE_OUTCOME = 0x6404,
	AIN_OP_TERMINATION_ATTEMPT = 0x6405,
	AIN_OP_T_BUSY = 0x6406,
	AIN_OP_T_NO_ANSWER = 0x6408,
	AIN_OP_O_NO_ANSWER = 0x6409,
	AIN_OP_T_ANSWER = 0x640a,
	AIN_OP_O_ANSWER = 0x640b,
	AIN_OP_O_TERM_SEIZED = 0x640c,
	AIN_OP_TERM_RESOURCE_AVAILABLE = 0x640d,
	AIN_OP_O_ABANDON = 0x640e,
	AIN_OP_O_MID_CALL = 0x640f,
	AIN_OP_SUCCESS_OUTCOME = 0x6411,
	AIN_OP_T_DISCONNECT = 0x6412,
	AIN_OP_T_MID_CALL = 0x6413,
	AIN_OP_TIMEOUT = 0x6414,
	AIN_OP_NETWORK_BUSY = 0x6417,
	AIN_OP_ORIGINATION_ATTEMPT = 0x6418,
	AIN_OP_O_SUSPENDED = 0x6419,
	AIN_OP_O_DISCONNECT = 0x641a,
	AIN_OP_T_DTMF_ENTERED = 0x641c,
	/* Connection Control (0x65): sent by the SCP */
	AIN_OP_ANALYZE_ROUTE = 0x6501,
	AIN_OP_AUTHORIZE_TERMINATION = 0x6502,
	AIN_OP_DISCONNECT = 0x6503,
	AIN_OP_OFFER_CALL = 0x6504,
	AIN_OP_COLLECT_INFORMATION = 0x6505,
	AIN_OP_CREATE_CALL = 0x6507,
	AIN_OP_DISCONNECT_LEG = 0x6508,
	AIN_OP_MERGE_CALL = 0x6509,
	AIN_OP_MOVE_LEG = 0x650a,
	AIN_OP_ORIGINATE_CALL = 0x650b,
	AIN_OP_SPLIT_LEG = 0x650c,
	AIN_OP_CONTINUE = 0x650d,
	AIN_OP_RECONNECT = 0x650e,
	/* Caller Interaction (0x66) */
	AIN_OP_SEND_TO_RESOURCE = 0x6601,
	AIN_OP_RESOURCE_CLEAR = 0x6602,
	AIN_OP_CANCEL_RESOURCE_EVENT = 0x6603,
	AIN_OP_CALL_INFO_FROM_RESOURCE = 0x6604,
	AIN_OP_CONNECT_TO_RESOURCE = 0x6605,
	AIN_OP_CTR_CLEAR = 0x6606,
	/* Network Management (0x69) */
	AIN_OP_ACG = 0x6901,
	AIN_OP_ECHO_REQUEST = 0x6902,
	AIN_OP_ACG_GLOBAL_CTRL_RESTORE = 0x6903,
	AIN_OP_ACG_OVERFLOW = 0x6904,
	AIN_OP_CONTROL_REQUEST = 0x6905,
	AIN_OP_ACTIVITY_TEST = 0x6906,
	/* Request Event (0x6D) and Transaction Control (0x6E) */
	AIN_OP_REQUEST_REPORT_BCM_EVENT = 0x6d01,
	AIN_OP_CLOSE = 0x6e01,
};

/*! Private error codes (ReturnError, GR-1299). */
enum ain_error {
	AIN_ERR_APPLICATION_ERROR = 1,
	AIN_ERR_FAILURE_REPORT = 2,
};

enum ain_bearer_cap {
	AIN_BC_SPEECH = 0,
	AIN_BC_3_1KHZ_AUDIO = 1,
	AIN_BC_7KHZ_AUDIO = 2,
	AIN_BC_56KBPS = 3,
	AIN_BC_64KBPS = 4,
	AIN_BC_PACKET_MODE_DATA = 5,
	AIN_BC_MULTI_RATE = 6,
};

/*! TriggerCriteriaType: which trigger the switch met. */
enum ain_tct {
	AIN_TCT_FEATURE_ACTIVATOR = 0,
	AIN_TCT_VERTICAL_SERVICE_CODE = 1,
	AIN_TCT_CUSTOMIZED_ACCESS = 2,
	AIN_TCT_CUSTOMIZED_INTERCOM = 3,
	AIN_TCT_NPA = 4,
	AIN_TCT_NPA_NXX = 5,
	AIN_TCT_NXX = 6,
	AIN_TCT_NXX_XXXX = 7,
	AIN_TCT_NPA_NXX_XXXX = 8,
	AIN_TCT_CC_NPA_NXX_XXXX = 9,
	AIN_TCT_CARRIER_ACCESS = 10,
	AIN_TCT_PREFIXES = 11,
	AIN_TCT_N11 = 12,
	AIN_TCT_AFR = 13,
	AIN_TCT_SHARED_IO_TRUNK = 14,
	AIN_TCT_TERMINATION_ATTEMPT = 15,
	AIN_TCT_OFF_HOOK_IMMEDIATE = 16,
	AIN_TCT_OFF_HOOK_DELAY = 17,
	AIN_TCT_CHANNEL_SETUP_PRI = 18,
	AIN_TCT_NPA_N = 19,
	AIN_TCT_NPA_NX = 20,
	AIN_TCT_NPA_NXXX = 21,
	AIN_TCT_NPA_NXXXX = 22,
	AIN_TCT_NPA_NXXXXX = 23,
	AIN_TCT_NETWORK_BUSY = 24,
	AIN_TCT_T_NO_ANSWER = 25,
	AIN_TCT_T_BUSY = 26,
	AIN_TCT_O_CALLED_PARTY_BUSY = 27,
	AIN_TCT_SPECIFIC_FEATURE_CODE = 28,
	AIN_TCT_O_NO_ANSWER = 29,
	AIN_TCT_PRI_NETWORK_SERVICES = 30,
	AIN_TCT_O_SWITCH_HOOK_FLASH_IMMEDIATE = 31,
	AIN_TCT_O_FEATURE_ACTIVATOR = 32,
	AIN_TCT_O_SWITCH_HOOK_FLASH_SPECIFIED_CODE = 33,
	AIN_TCT_T_SWITCH_HOOK_FLASH_IMMEDIATE = 34,
	AIN_TCT_T_FEATURE_ACTIVATOR = 35,
	AIN_TCT_T_SWITCH_HOOK_FLASH_SPECIFIED_CODE = 36,
	AIN_TCT_NUMBER_PORTABILITY = 37,
	AIN_TCT_ONE_PLUS = 38,
	AIN_TCT_SPECIFIED_CARRIER = 39,
	AIN_TCT_INTERNATIONAL = 40,
	AIN_TCT_ZERO_PLUS = 41,
	AIN_TCT_ZERO_MINUS = 42,
	AIN_TCT_LNP_PORC = 43,
	AIN_TCT_LNP_PORC_DONOR = 44,
	AIN_TCT_TERM_RESOURCE_AVAILABLE = 46,
	AIN_TCT_OFFICE_PUBLIC_FEATURE_CODE = 47,
	AIN_TCT_TRUNK_GROUP = 48,
	AIN_TCT_DEDICATED_TRUNK_GROUP = 49,
};

/*! Event detection points of the BCM (bit numbers of EDPRequest and
 *  EDPNotification). GR-1299 lets some be armed only one way: oAnswer and
 *  tAnswer as notifications, oDisconnect as a request; tDisconnect either. */
enum ain_edp {
	AIN_EDP_O_CALLED_PARTY_BUSY = 0,
	AIN_EDP_O_NO_ANSWER = 1,
	AIN_EDP_O_TERM_SEIZED = 2,
	AIN_EDP_O_ANSWER = 3,
	AIN_EDP_T_BUSY = 4,
	AIN_EDP_T_NO_ANSWER = 5,
	AIN_EDP_TERM_RESOURCE_AVAILABLE = 6,
	AIN_EDP_T_ANSWER = 7,
	AIN_EDP_NETWORK_BUSY = 8,
	AIN_EDP_O_SUSPENDED = 9,
	AIN_EDP_O_DISCONNECT_CALLED = 10,
	AIN_EDP_O_DISCONNECT = 11,
	AIN_EDP_O_ABANDON = 12,
	AIN_EDP_FEATURE_ACTIVATOR = 13,
	AIN_EDP_SWITCH_HOOK_FLASH = 14,
	AIN_EDP_SUCCESS = 15,
	AIN_EDP_T_DISCONNECT = 16,
	AIN_EDP_TIMEOUT = 17,
	AIN_EDP_ORIGINATION_ATTEMPT = 18,
	AIN_EDP_O_DTMF_ENTERED = 19,
	AIN_EDP_T_DTMF_ENTERED = 20,
};
#define AIN_EDP_COUNT 21

/*! A set of EDPs: bit (1 << enum ain_edp). */
#define AIN_EDP_BIT(e) (UINT32_C(1) << (e))

enum ain_close_cause {
	AIN_CLOSE_CALL_TERMINATED = 0,
	AIN_CLOSE_EDPS_COMPLETED = 1,
	AIN_CLOSE_UNEXPECTED_COMMUNICATION = 2,
	AIN_CLOSE_CALLED_PARTY_ANSWERED = 3,
	AIN_CLOSE_CALL_FORWARDED_EDPS_COMPLETED = 4,
	AIN_CLOSE_NEW_REQUESTED_EVENT = 5,
};

enum ain_disconnect_cause {
	AIN_DISC_FAR_END = 0,
};

/*! PointInCall (GR-1298 call model). */
enum ain_pic {
	AIN_PIC_O_NULL = 1,
	AIN_PIC_AUTHORIZE_ORIG_ATTEMPT = 2,
	AIN_PIC_COLLECT_INFORMATION = 3,
	AIN_PIC_ANALYZE_INFORMATION = 4,
	AIN_PIC_SELECT_ROUTE = 5,
	AIN_PIC_AUTHORIZE_CALL_SETUP = 6,
	AIN_PIC_SEND_CALL = 7,
	AIN_PIC_O_ALERTING = 8,
	AIN_PIC_O_ACTIVE = 9,
	AIN_PIC_O_SUSPENDED = 10,
	AIN_PIC_T_NULL = 11,
	AIN_PIC_AUTHORIZE_TERMINATION = 12,
	AIN_PIC_SELECT_FACILITY = 13,
	AIN_PIC_PRESENT_CALL = 14,
	AIN_PIC_T_ALERTING = 15,
	AIN_PIC_T_ACTIVE = 16,
	AIN_PIC_T_SUSPENDED = 17,
};

/*! UserID: who the trigger is for. */
enum ain_user_id_kind {
	AIN_UID_DN = 1,			/*!< dn [1]: a line's directory number */
	AIN_UID_BRI = 2,		/*!< bri [2]: ISDN BRI, SPID and DN */
	AIN_UID_TRUNK_GROUP = 5,	/*!< trunkGroupID [5] */
	AIN_UID_PRIVATE_FACILITY = 6,	/*!< privateFacilityGID [6] */
	AIN_UID_ADSI = 7,		/*!< aDSIcpeID (untagged OCTET STRING) */
};

#define AIN_MAX_SPID 20
#define AIN_MAX_RAW 32

struct ain_user_id {
	enum ain_user_id_kind kind;
	char dn[11];			/*!< DN, BRI: ten digits (BCD, first digit in the low nibble) */
	uint8_t spid[AIN_MAX_SPID];	/*!< BRI: service profile id, 3..20 octets */
	uint8_t spid_len;
	uint16_t id;			/*!< trunk group or private facility group, 0..9999 */
	uint8_t adsi[4];		/*!< ADSI CPE id */
};

/*! InfoCollected, InfoAnalyzed and TerminationAttempt: the trigger arguments.
 *  Each operation carries a subset (see asn1/AIN-Arguments.asn); an encoder
 *  refuses a field its operation does not carry. */
struct ain_trigger {
	struct ain_user_id user_id;
	enum ain_bearer_cap bearer_cap;
	bool has_called;
	struct tcap_number called;		/* CalledPartyID [15]; not InfoCollected */
	bool has_lata;
	struct tcap_number lata;		/* Lata [35] */
	bool has_tct;
	enum ain_tct tct;			/* TriggerCriteriaType [52] */
	bool has_called_station_type;
	uint8_t called_station_type;		/* [16]; TerminationAttempt */
	bool has_charge_number;
	struct tcap_number charge_number;	/* ChargeNumber [19] */
	bool has_calling;
	struct tcap_number calling;		/* CallingPartyID [18] */
	bool has_charge_station_type;
	uint8_t charge_station_type;		/* ChargePartyStationType [20] */
	bool has_carrier;
	uint8_t carrier[4];			/* Carrier [41]; not TerminationAttempt */
	bool has_access_code;
	struct tcap_number access_code;		/* [1]; not TerminationAttempt */
	bool has_collected_address;
	struct tcap_number collected_address;	/* [22]; not TerminationAttempt */
	bool has_collected_digits;
	struct tcap_number collected_digits;	/* [23]; not TerminationAttempt */
	bool has_vsc;
	struct tcap_number vsc;			/* VerticalServiceCode [54] */
	bool has_tcm;
	struct tcap_number tcm;			/* Tcm [51] */
	bool has_original_called;
	struct tcap_number original_called;	/* OriginalCalledPartyID [36] */
	bool has_redirecting;
	struct tcap_number redirecting;		/* RedirectingPartyID [43] */
	bool has_redirection_info;
	uint8_t redirection_info[2];		/* RedirectionInformation [44] */
	bool has_generic_name;
	uint8_t generic_name[AIN_MAX_RAW];	/* GenericName [33]; TerminationAttempt */
	uint8_t generic_name_len;
	bool has_acg_encountered;
	uint8_t acg_encountered;		/* ACGEncountered [2] */
};

/*! OAnswer, TAnswer, ODisconnect, TDisconnect: event notifications/requests. */
struct ain_event {
	struct ain_user_id user_id;
	enum ain_bearer_cap bearer_cap;
	bool has_notification;
	bool notification;	/* NotificationIndicator [111]: TRUE = the switch goes on */
	bool has_disconnect_cause;
	enum ain_disconnect_cause disconnect_cause;	/* [116]; *Disconnect only */
	bool has_leg_id;
	uint8_t leg_id;		/* LegID [132]; *Disconnect only */
	bool has_point_in_call;
	enum ain_pic point_in_call;	/* [135]; *Disconnect only */
};

/*! AnalyzeRoute: route the call (to the dialled or another number). */
struct ain_analyze_route {
	bool has_charge_number;
	struct tcap_number charge_number;
	bool has_calling;
	struct tcap_number calling;
	bool has_charge_station_type;
	uint8_t charge_station_type;
	bool has_called;
	struct tcap_number called;
	bool has_outpulse_number;
	struct tcap_number outpulse_number;	/* OutpulseNumber [37] */
	bool has_tcm;
	struct tcap_number tcm;
	bool has_carrier;
	uint8_t carrier[4];
	bool has_redirecting;
	struct tcap_number redirecting;
	bool has_amaslp_id;
	char amaslp_id[11];	/* AMAslpID [10]: ten digits (GR-1299 mandatory) */
	bool has_redirection_info;
	uint8_t redirection_info[2];
};

/*! AuthorizeTermination: let the call terminate to the line. */
struct ain_authorize_termination {
	bool has_calling;
	struct tcap_number calling;
	bool has_amaslp_id;
	char amaslp_id[11];
	bool has_generic_name;
	uint8_t generic_name[AIN_MAX_RAW];	/* calling name to display */
	uint8_t generic_name_len;
};

/*! Continue and Disconnect (the billing parameters tandem may set). */
struct ain_continue {
	bool has_amaslp_id;
	char amaslp_id[11];
};

struct ain_disconnect {
	bool has_amaslp_id;
	char amaslp_id[11];
};

/*! RequestReportBCMEvent: arm event detection points. */
struct ain_rrbe {
	bool has_edp_request;
	uint32_t edp_request;		/*!< AIN_EDP_BIT()s: the switch waits */
	bool has_edp_notification;
	uint32_t edp_notification;	/*!< AIN_EDP_BIT()s: the switch goes on */
	bool has_o_no_answer_timer;
	uint8_t o_no_answer_timer;	/*!< seconds, 1..120 */
	bool has_t_no_answer_timer;
	uint8_t t_no_answer_timer;	/*!< seconds, 1..120 */
};

/*! Close: the SCP ends its interest in the call. */
struct ain_close {
	bool has_user_id;
	struct ain_user_id user_id;
	bool has_bearer_cap;
	enum ain_bearer_cap bearer_cap;
	bool has_close_cause;
	enum ain_close_cause close_cause;
};

/*! ACG (automatic code gapping): ask the switch to gap calls to a code. */
struct ain_acg {
	uint8_t control_cause;		/*!< ControlCauseIndicator octet, as coded */
	uint8_t gap_duration;		/*!< GapDuration 1..13 (1 s .. 2048 s, 13 infinity) */
	bool private_gap_interval;	/*!< false: national GapInterval [63], true: private [64] */
	uint8_t gap_interval;		/*!< as coded in the chosen enumeration */
	uint8_t translation_type;
	uint8_t gta[AIN_MAX_RAW];	/*!< GlobalTitleAddress: the code (digits) to gap, as coded */
	uint8_t gta_len;
};

/*! \brief Decode/encode operation arguments. buf is the parameter TLV (F2 or F0).
 *  \returns 0, -EINVAL (decode: incorrect parameter), -ENOSPC (encode). */
int ain_info_collected_decode(struct ain_trigger *out, const uint8_t *buf, size_t len);
int ain_info_collected_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_trigger *in);
int ain_info_analyzed_decode(struct ain_trigger *out, const uint8_t *buf, size_t len);
int ain_info_analyzed_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_trigger *in);
int ain_termination_attempt_decode(struct ain_trigger *out, const uint8_t *buf, size_t len);
int ain_termination_attempt_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_trigger *in);
int ain_o_answer_decode(struct ain_event *out, const uint8_t *buf, size_t len);
int ain_o_answer_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_event *in);
int ain_t_answer_decode(struct ain_event *out, const uint8_t *buf, size_t len);
int ain_t_answer_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_event *in);
int ain_o_disconnect_decode(struct ain_event *out, const uint8_t *buf, size_t len);
int ain_o_disconnect_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_event *in);
int ain_t_disconnect_decode(struct ain_event *out, const uint8_t *buf, size_t len);
int ain_t_disconnect_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_event *in);
int ain_analyze_route_decode(struct ain_analyze_route *out, const uint8_t *buf, size_t len);
int ain_analyze_route_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_analyze_route *in);
int ain_authorize_termination_decode(struct ain_authorize_termination *out, const uint8_t *buf, size_t len);
int ain_authorize_termination_encode(uint8_t *buf, size_t size, size_t *out_len,
				     const struct ain_authorize_termination *in);
int ain_continue_decode(struct ain_continue *out, const uint8_t *buf, size_t len);
int ain_continue_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_continue *in);
int ain_disconnect_decode(struct ain_disconnect *out, const uint8_t *buf, size_t len);
int ain_disconnect_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_disconnect *in);
int ain_rrbe_decode(struct ain_rrbe *out, const uint8_t *buf, size_t len);
int ain_rrbe_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_rrbe *in);
int ain_close_decode(struct ain_close *out, const uint8_t *buf, size_t len);
int ain_close_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_close *in);
int ain_acg_decode(struct ain_acg *out, const uint8_t *buf, size_t len);
int ain_acg_encode(uint8_t *buf, size_t size, size_t *out_len, const struct ain_acg *in);

/*! \returns the operation name ("infoAnalyzed") for a 16-bit private opcode, or NULL. */
const char *ain_op_name(int opcode16);
/*! \returns the trigger criteria type name ("npaNXXXXXX") or NULL. */
const char *ain_tct_name(enum ain_tct t);
/*! \returns the EDP name ("oAnswer") or NULL. */
const char *ain_edp_name(enum ain_edp e);
/*! \returns the close cause name ("callTerminated") or NULL. */
const char *ain_close_cause_name(enum ain_close_cause c);
/*! \returns the bearer capability name ("speech") or NULL. */
const char *ain_bearer_cap_name(enum ain_bearer_cap b);
