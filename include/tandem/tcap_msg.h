/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*! \file tcap_msg.h
 *  \brief TCAP message codec for ITU (Q.773) and ANSI (T1.114) TCAP.
 *
 *  A decoded message is a tree of plain C structs allocated with talloc below
 *  the context given to tcap_msg_decode(); tcap_msg_free() releases all of it.
 *  Component parameters are kept as the raw BER of the parameter (tag, length
 *  and contents) so that this layer knows nothing about CAP, INAP or AIN: the
 *  protocol codecs (cap.h, inap.h, ain.h) decode them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tcap_variant {
	TCAP_ITU,
	TCAP_ANSI,
};

enum tcap_msg_type {
	TCAP_MT_UNIDIRECTIONAL,		/*!< ITU Unidirectional, ANSI Unidirectional */
	TCAP_MT_BEGIN,			/*!< ITU */
	TCAP_MT_CONTINUE,		/*!< ITU */
	TCAP_MT_END,			/*!< ITU */
	TCAP_MT_ABORT,			/*!< ITU Abort, ANSI Abort */
	TCAP_MT_QUERY_WITH_PERM,	/*!< ANSI */
	TCAP_MT_QUERY_WITHOUT_PERM,	/*!< ANSI */
	TCAP_MT_RESPONSE,		/*!< ANSI */
	TCAP_MT_CONV_WITH_PERM,		/*!< ANSI */
	TCAP_MT_CONV_WITHOUT_PERM,	/*!< ANSI */
};

/*! ITU P-AbortCause (Q.773). */
enum tcap_pabort_cause {
	TCAP_PA_UNRECOGNIZED_MSG_TYPE = 0,
	TCAP_PA_UNRECOGNIZED_TID = 1,
	TCAP_PA_BADLY_FORMATTED_TX_PORTION = 2,
	TCAP_PA_INCORRECT_TX_PORTION = 3,
	TCAP_PA_RESOURCE_LIMITATION = 4,
};

/*! ANSI P-Abort cause (T1.114). */
enum tcap_ansi_pabort_cause {
	TCAP_APA_UNRECOGNIZED_PKG_TYPE = 1,
	TCAP_APA_INCORRECT_TX_PORTION = 2,
	TCAP_APA_BADLY_STRUCTURED_TX_PORTION = 3,
	TCAP_APA_UNASSIGNED_RESP_TID = 4,
	TCAP_APA_PERMISSION_TO_RELEASE = 5,
	TCAP_APA_RESOURCE_UNAVAILABLE = 6,
	TCAP_APA_UNRECOGNIZED_DLG_PORTION_ID = 7,
	TCAP_APA_BADLY_STRUCTURED_DLG_PORTION = 8,
	TCAP_APA_MISSING_DLG_PORTION = 9,
	TCAP_APA_INCONSISTENT_DLG_PORTION = 10,
};

/*! ITU Reject problem types (Q.773) ; the ANSI problem is its 16-bit code. */
enum tcap_problem_type {
	TCAP_PROB_GENERAL = 0,
	TCAP_PROB_INVOKE = 1,
	TCAP_PROB_RETURN_RESULT = 2,
	TCAP_PROB_RETURN_ERROR = 3,
};

/* ITU problem codes. */
enum tcap_general_problem {
	TCAP_GP_UNRECOGNIZED_COMPONENT = 0,
	TCAP_GP_MISTYPED_COMPONENT = 1,
	TCAP_GP_BADLY_STRUCTURED_COMPONENT = 2,
};
enum tcap_invoke_problem {
	TCAP_IP_DUPLICATE_INVOKE_ID = 0,
	TCAP_IP_UNRECOGNIZED_OPERATION = 1,
	TCAP_IP_MISTYPED_PARAMETER = 2,
	TCAP_IP_RESOURCE_LIMITATION = 3,
	TCAP_IP_INITIATING_RELEASE = 4,
	TCAP_IP_UNRECOGNIZED_LINKED_ID = 5,
	TCAP_IP_LINKED_RESPONSE_UNEXPECTED = 6,
	TCAP_IP_UNEXPECTED_LINKED_OPERATION = 7,
};

/* ANSI problem codes (T1.114, family << 8 | specifier). */
#define TCAP_ANSI_PROB_GENERAL_UNRECOGNIZED_COMPONENT	0x0101
#define TCAP_ANSI_PROB_GENERAL_INCORRECT_PARAMETER	0x0102
#define TCAP_ANSI_PROB_GENERAL_BADLY_STRUCTURED		0x0103
#define TCAP_ANSI_PROB_INVOKE_DUPLICATE_ID		0x0201
#define TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_OPCODE	0x0202
#define TCAP_ANSI_PROB_INVOKE_INCORRECT_PARAMETER	0x0203
#define TCAP_ANSI_PROB_INVOKE_UNRECOGNIZED_CORR_ID	0x0204
/* T1.114 names 0x0102 "incorrect component portion" (a component that does not
 * conform to its definition); the name above is kept for existing users. */
#define TCAP_ANSI_PROB_GENERAL_INCORRECT_COMPONENT_PORTION	0x0102
#define TCAP_ANSI_PROB_GENERAL_INCORRECT_CODING		0x0104
#define TCAP_ANSI_PROB_RR_UNRECOGNIZED_CORR_ID		0x0301
#define TCAP_ANSI_PROB_RR_UNEXPECTED			0x0302
#define TCAP_ANSI_PROB_RR_INCORRECT_PARAMETER		0x0303
#define TCAP_ANSI_PROB_RE_UNRECOGNIZED_CORR_ID		0x0401
#define TCAP_ANSI_PROB_RE_UNEXPECTED			0x0402
#define TCAP_ANSI_PROB_RE_UNRECOGNIZED_ERROR		0x0403
#define TCAP_ANSI_PROB_RE_UNEXPECTED_ERROR		0x0404
#define TCAP_ANSI_PROB_RE_INCORRECT_PARAMETER		0x0405
#define TCAP_ANSI_PROB_TX_UNRECOGNIZED_PKG_TYPE		0x0501
#define TCAP_ANSI_PROB_TX_INCORRECT_TX_PORTION		0x0502
#define TCAP_ANSI_PROB_TX_BADLY_STRUCTURED_TX_PORTION	0x0503
#define TCAP_ANSI_PROB_TX_UNASSIGNED_RESP_TID		0x0504
#define TCAP_ANSI_PROB_TX_PERMISSION_TO_RELEASE		0x0505
#define TCAP_ANSI_PROB_TX_RESOURCE_UNAVAILABLE		0x0506

/*! An OBJECT IDENTIFIER kept in its encoded form (contents octets of tag 06). */
struct tcap_oid {
	uint8_t len;
	uint8_t buf[32];
};

/*! Transaction id: ITU OTID/DTID 1..4 octets; ANSI TID 0, 4 or 8 octets. */
struct tcap_tid {
	uint8_t len;
	uint8_t buf[8];
};

enum tcap_dlg_pdu {
	TCAP_DLG_NONE = 0,	/*!< no dialogue portion */
	TCAP_DLG_AARQ,		/*!< ITU dialogue request (also AUDT in Unidirectional) */
	TCAP_DLG_AARE,		/*!< ITU dialogue response */
	TCAP_DLG_ABRT,		/*!< ITU dialogue abort (user abort) */
	TCAP_DLG_ANSI,		/*!< ANSI dialogue portion */
};

/*! ITU AARE result-source-diagnostic source. */
enum tcap_diag_source {
	TCAP_DIAG_USER = 1,
	TCAP_DIAG_PROVIDER = 2,
};

struct tcap_dialogue {
	enum tcap_dlg_pdu pdu;
	bool has_ac;
	struct tcap_oid ac;		/*!< ITU application context; ANSI object AC */
	bool has_ac_int;
	int32_t ac_int;			/*!< ANSI integer application context */
	bool has_version;
	uint8_t version;		/*!< ITU protocol-version bits (0x80 = version1); ANSI version octet */
	int result;			/*!< AARE: 0 accepted, 1 reject-permanent */
	enum tcap_diag_source diag_source;	/*!< AARE */
	int diag;			/*!< AARE: 0 null, 1 no-reason-given, 2 AC not supported / no common dialogue portion */
	int abort_source;		/*!< ABRT: 0 dialogue-service-user, 1 dialogue-service-provider */
	uint8_t *user_info;		/*!< raw contents of user-information (the EXTERNALs), or NULL */
	size_t user_info_len;
};

enum tcap_comp_kind {
	TCAP_COMP_INVOKE,		/*!< ITU Invoke; ANSI InvokeLast (last=true) / InvokeNotLast */
	TCAP_COMP_RETURN_RESULT,	/*!< ITU ReturnResultLast (last=true) / NotLast; ANSI the same */
	TCAP_COMP_RETURN_ERROR,
	TCAP_COMP_REJECT,
};

enum tcap_op_kind {
	TCAP_OP_LOCAL,		/*!< ITU local INTEGER */
	TCAP_OP_GLOBAL,		/*!< ITU global OBJECT IDENTIFIER */
	TCAP_OP_NATIONAL,	/*!< ANSI national (D0, 16 bit) */
	TCAP_OP_PRIVATE,	/*!< ANSI private (D1, 16 bit) */
};

struct tcap_opcode {
	enum tcap_op_kind kind;
	int32_t code;		/*!< local value, or the ANSI 16-bit value (family << 8 | specifier) */
	struct tcap_oid global;	/*!< TCAP_OP_GLOBAL only */
};

struct tcap_component {
	enum tcap_comp_kind kind;
	bool last;			/*!< InvokeLast / ReturnResultLast */
	bool has_invoke_id;		/*!< false: not derivable (Reject) or ANSI without id */
	int32_t invoke_id;		/*!< ITU -128..127; ANSI component id 0..255 */
	bool has_linked_id;
	int32_t linked_id;		/*!< ITU linked id; ANSI correlation id */
	bool has_opcode;		/*!< Invoke, ReturnError, and ITU ReturnResult with a result
					 *   (an ANSI ReturnResult carries no opcode) */
	struct tcap_opcode op;		/*!< operation (Invoke/ReturnResult) or error code (ReturnError) */
	enum tcap_problem_type problem_type;	/*!< ITU Reject */
	int32_t problem;		/*!< ITU Reject problem code; ANSI 16-bit problem */
	uint8_t *param;			/*!< raw BER TLV of the parameter, or NULL */
	size_t param_len;
};

/*! Highest number of components we accept in one message. */
#define TCAP_MAX_COMPONENTS 16

struct tcap_msg {
	enum tcap_variant variant;
	enum tcap_msg_type type;
	bool has_otid, has_dtid;
	struct tcap_tid otid;		/*!< ITU OTID; ANSI: originating id (first 4 octets of a Conversation's TID) */
	struct tcap_tid dtid;		/*!< ITU DTID; ANSI: responding id (Conversation/Response/Abort) */
	struct tcap_tid tid;		/*!< ANSI: the whole transaction id as sent */
	bool has_pabort;
	int pabort_cause;		/*!< ITU P-AbortCause or ANSI P-Abort cause */
	bool has_uabort;		/*!< ANSI Abort carrying user abort information (F8) */
	uint8_t *uabort_info;		/*!< its raw contents (the EXTERNAL), or NULL when empty */
	size_t uabort_info_len;
	struct tcap_dialogue dlg;
	unsigned int num_comp;
	struct tcap_component comp[TCAP_MAX_COMPONENTS];
};

/*! What is wrong with a message that did not decode completely. */
enum tcap_err_kind {
	TCAP_ERR_NONE = 0,
	TCAP_ERR_PABORT,	/*!< transaction portion bad: answer with P-Abort cause */
	TCAP_ERR_REJECT,	/*!< a component is bad: answer with Reject problem */
	TCAP_ERR_DIALOGUE,	/*!< dialogue portion bad: ITU ABRT provider / ANSI P-Abort */
};

struct tcap_decode_err {
	enum tcap_err_kind kind;
	int cause;			/*!< P-Abort cause (ITU or ANSI numbering per variant) */
	enum tcap_problem_type problem_type;	/*!< ITU Reject */
	int32_t problem;		/*!< ITU problem code, or ANSI 16-bit problem */
	int comp_index;			/*!< index of the bad component, -1 if none */
	bool has_invoke_id;		/*!< invoke id of the bad component, if it was derivable */
	int32_t invoke_id;
	char text[96];			/*!< human-readable reason */
};

/*! \brief Decode one TCAP message (ITU or ANSI, told apart by the first tag).
 *  \param[in] ctx talloc context that owns *out
 *  \param[out] out decoded message; set to what could be decoded even on error, or NULL
 *  \param[out] err filled when the return value is negative
 *  \returns 0 on success; -EBADMSG when the message was malformed (see err; *out may still
 *  hold the transaction portion and the components before the bad one); -ENOMEM.
 */
int tcap_msg_decode(void *ctx, struct tcap_msg **out, struct tcap_decode_err *err, const uint8_t *buf, size_t len);

/*! \brief Encode a message. \returns 0 with *out_len set, -ENOSPC, or -EINVAL for an
 *  inconsistent struct (e.g. a Begin without OTID). */
int tcap_msg_encode(uint8_t *buf, size_t size, size_t *out_len, const struct tcap_msg *msg);

/*! \brief Free a message from tcap_msg_decode() and everything it owns. NULL is fine. */
void tcap_msg_free(struct tcap_msg *msg);

/*! \brief Set a component's parameter (copied, owned by msg). \returns 0 or -ENOMEM. */
int tcap_comp_set_param(struct tcap_msg *msg, struct tcap_component *comp, const uint8_t *param, size_t len);

/*! \brief Set the dialogue user information (copied, owned by msg). \returns 0 or -ENOMEM. */
int tcap_dlg_set_user_info(struct tcap_msg *msg, const uint8_t *ui, size_t len);

/*! \brief ANSI: make msg a user Abort with this user abort information (raw contents
 *  of F8, copied, owned by msg; T1.114-2000 wants one EXTERNAL there: an empty one
 *  is accepted on receipt, tcap_ansi_encode() refuses it). \returns 0 or -ENOMEM. */
int tcap_msg_set_uabort_info(struct tcap_msg *msg, const uint8_t *info, size_t len);

/*! \brief Allocate an empty message below ctx, for building one to encode. */
struct tcap_msg *tcap_msg_alloc(void *ctx, enum tcap_variant variant, enum tcap_msg_type type);

/*! \brief Dotted text of an OID ("0.4.0.0.1.23.3.4"). \returns 0, -EINVAL or -ENOSPC. */
int tcap_oid_to_str(char *out, size_t out_size, const struct tcap_oid *oid);
/*! \brief Parse dotted text into an encoded OID. \returns 0 or -EINVAL. */
int tcap_oid_from_str(struct tcap_oid *oid, const char *text);
/*! \returns true if both OIDs are equal. */
bool tcap_oid_equal(const struct tcap_oid *a, const struct tcap_oid *b);

/*! \returns "begin", "query_with_perm", ... as tandem-decode prints it. */
const char *tcap_msg_type_name(enum tcap_msg_type t);
/*! \returns "invoke", "return_result", "return_error", "reject". */
const char *tcap_comp_kind_name(enum tcap_comp_kind k);
/*! \returns the ITU P-AbortCause name ("unrecognizedTransactionID") or NULL. */
const char *tcap_pabort_name(enum tcap_variant v, int cause);
