/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* TCAP message objects: allocation, ownership of raw parts, names. */

#include <errno.h>
#include <string.h>

#include <talloc.h>

#include <tandem/tcap_msg.h>

#include "msg_internal.h"
#include "msg_itu.h"

struct tcap_msg *tcap_msg_alloc(void *ctx, enum tcap_variant variant, enum tcap_msg_type type)
{
	struct tcap_msg *msg = talloc_zero(ctx, struct tcap_msg);

	if (!msg)
		return NULL;
	msg->variant = variant;
	msg->type = type;
	return msg;
}

/* First octet of a message: ITU message types are APPLICATION-class tags
 * (Q.773), ANSI package types PRIVATE-class tags (T1.114). */
static bool is_ansi_tag(uint8_t t)
{
	return (t >= 0xe1 && t <= 0xe6) || t == 0xf6;
}

int tcap_msg_decode(void *ctx, struct tcap_msg **out, struct tcap_decode_err *err, const uint8_t *buf, size_t len)
{
	struct tcap_msg *msg;
	int rc;

	memset(err, 0, sizeof(*err));
	err->comp_index = -1;
	*out = NULL;

	msg = tcap_msg_alloc(ctx, len && is_ansi_tag(buf[0]) ? TCAP_ANSI : TCAP_ITU, TCAP_MT_BEGIN);
	if (!msg)
		return -ENOMEM;
	if (msg->variant == TCAP_ANSI)
		rc = tcap_ansi_decode(msg, err, buf, len);
	else
		rc = tcap_itu_decode(msg, err, buf, len);
	*out = msg;
	return rc;
}

int tcap_msg_encode(uint8_t *buf, size_t size, size_t *out_len, const struct tcap_msg *msg)
{
	if (msg->variant == TCAP_ITU)
		return tcap_itu_encode(buf, size, out_len, msg);
	return tcap_ansi_encode(buf, size, out_len, msg);
}

void tcap_msg_free(struct tcap_msg *msg)
{
	talloc_free(msg);
}

int tcap_comp_set_param(struct tcap_msg *msg, struct tcap_component *comp, const uint8_t *param, size_t len)
{
	uint8_t *copy = NULL;

	if (len) {
		copy = talloc_memdup(msg, param, len);
		if (!copy)
			return -ENOMEM;
	}
	talloc_free(comp->param);
	comp->param = copy;
	comp->param_len = len;
	return 0;
}

int tcap_dlg_set_user_info(struct tcap_msg *msg, const uint8_t *ui, size_t len)
{
	uint8_t *copy = NULL;

	if (len) {
		copy = talloc_memdup(msg, ui, len);
		if (!copy)
			return -ENOMEM;
	}
	talloc_free(msg->dlg.user_info);
	msg->dlg.user_info = copy;
	msg->dlg.user_info_len = len;
	return 0;
}

const char *tcap_msg_type_name(enum tcap_msg_type t)
{
	switch (t) {
	case TCAP_MT_UNIDIRECTIONAL:
		return "unidirectional";
	case TCAP_MT_BEGIN:
		return "begin";
	case TCAP_MT_CONTINUE:
		return "continue";
	case TCAP_MT_END:
		return "end";
	case TCAP_MT_ABORT:
		return "abort";
	case TCAP_MT_QUERY_WITH_PERM:
		return "query_with_perm";
	case TCAP_MT_QUERY_WITHOUT_PERM:
		return "query_without_perm";
	case TCAP_MT_RESPONSE:
		return "response";
	case TCAP_MT_CONV_WITH_PERM:
		return "conversation_with_perm";
	case TCAP_MT_CONV_WITHOUT_PERM:
		return "conversation_without_perm";
	}
	return "unknown";
}

const char *tcap_comp_kind_name(enum tcap_comp_kind k)
{
	switch (k) {
	case TCAP_COMP_INVOKE:
		return "invoke";
	case TCAP_COMP_RETURN_RESULT:
		return "return_result";
	case TCAP_COMP_RETURN_ERROR:
		return "return_error";
	case TCAP_COMP_REJECT:
		return "reject";
	}
	return "unknown";
}

const char *tcap_pabort_name(enum tcap_variant v, int cause)
{
	static const char *const itu[] = {
		"unrecognizedMessageType", "unrecognizedTransactionID", "badlyFormattedTransactionPortion",
		"incorrectTransactionPortion", "resourceLimitation",
	};
	static const char *const ansi[] = {
		NULL, "unrecognizedPackageType", "incorrectTransactionPortion", "badlyStructuredTransactionPortion",
		"unassignedRespondingTransactionID", "permissionToReleaseProblem", "resourceUnavailable",
		"unrecognizedDialoguePortionID", "badlyStructuredDialoguePortion", "missingDialoguePortion",
		"inconsistentDialoguePortion",
	};

	if (v == TCAP_ITU)
		return cause >= 0 && cause < (int)(sizeof(itu) / sizeof(itu[0])) ? itu[cause] : NULL;
	return cause >= 0 && cause < (int)(sizeof(ansi) / sizeof(ansi[0])) ? ansi[cause] : NULL;
}
