/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* TCAP message objects: allocation, ownership of raw parts, names. */

#include <errno.h>
#include <string.h>

#include <talloc.h>

#include <tandem/tcap_msg.h>

struct tcap_msg *tcap_msg_alloc(void *ctx, enum tcap_variant variant, enum tcap_msg_type type)
{
	struct tcap_msg *msg = talloc_zero(ctx, struct tcap_msg);

	if (!msg)
		return NULL;
	msg->variant = variant;
	msg->type = type;
	return msg;
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
