/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* ITU-T TCAP message codec (Q.773): the transaction portion is walked by hand so
 * that every defect maps to the P-Abort cause Q.774 prescribes; the dialogue
 * portion and each component are decoded by the asn1c code generated from
 * asn1/TCAP-*.asn, one component at a time, so a bad component yields a Reject
 * for that component while the good ones before it are kept. Encoding builds
 * the asn1c structures on the stack (pointing at the caller's bytes, no
 * allocation) and DER-encodes them. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "TCMessage.h"
#include "Component.h"
#include "ComponentPortion.h"
#include "DialogueExternal.h"
#include "DialoguePDU.h"
#include "ResultPart.h"
#include "AbortReason.h"

#include <tandem/tcap_msg.h>

#include "ber.h"
#include "msg_internal.h"
#include "msg_itu.h"

/* Q.773 4.2.2: dialogue-as-id and uni-dialogue-as-id. */
static const uint8_t dialogue_as_id[] = { 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01 };
static const uint8_t uni_dialogue_as_id[] = { 0x00, 0x11, 0x86, 0x05, 0x01, 0x02, 0x01 };

/* Most EXTERNALs we keep from one user-information field. */
#define MAX_UI_ELEMS 4

/* Largest dialogue PDU we build (AARQ/AARE/ABRT plus user information). */
#define DLG_PDU_MAX 1024

#define TAG_OTID 0x48
#define TAG_DTID 0x49
#define TAG_PABORT 0x4a
#define TAG_DIALOGUE 0x6b
#define TAG_COMPONENTS 0x6c

static void set_err(struct tcap_decode_err *err, enum tcap_err_kind kind, int cause, const char *text)
{
	memset(err, 0, sizeof(*err));
	err->kind = kind;
	err->cause = cause;
	err->comp_index = -1;
	snprintf(err->text, sizeof(err->text), "%s", text);
}

static void set_reject(struct tcap_decode_err *err, int idx, enum tcap_problem_type type, int problem,
		       bool has_iid, long iid, const char *text)
{
	memset(err, 0, sizeof(*err));
	err->kind = TCAP_ERR_REJECT;
	err->problem_type = type;
	err->problem = problem;
	err->comp_index = idx;
	err->has_invoke_id = has_iid;
	err->invoke_id = iid;
	snprintf(err->text, sizeof(err->text), "component %d: %s", idx, text);
}

static int copy_oid(struct tcap_oid *dst, const OBJECT_IDENTIFIER_t *src)
{
	if (!src->buf || src->size <= 0 || (size_t)src->size > sizeof(dst->buf))
		return -EINVAL;
	dst->len = src->size;
	memcpy(dst->buf, src->buf, src->size);
	return 0;
}

static int code_to_opcode(struct tcap_opcode *op, const Code_t *code)
{
	switch (code->present) {
	case Code_PR_local:
		if (code->choice.local < INT32_MIN || code->choice.local > INT32_MAX)
			return -EINVAL;
		op->kind = TCAP_OP_LOCAL;
		op->code = code->choice.local;
		return 0;
	case Code_PR_global:
		op->kind = TCAP_OP_GLOBAL;
		op->code = 0;
		return copy_oid(&op->global, &code->choice.global);
	default:
		return -EINVAL;
	}
}

static bool iid_ok(long v)
{
	return v >= -128 && v <= 127;
}

/* Q.773: a component whose contents do not fit its type is a mistyped component. */
static void mistyped(struct tcap_decode_err *err, int idx, bool has_iid, long iid, const char *text)
{
	set_reject(err, idx, TCAP_PROB_GENERAL, TCAP_GP_MISTYPED_COMPONENT, has_iid, iid, text);
}

/* Take a component's invoke id; one out of range makes the component mistyped. */
static bool take_iid(struct tcap_component *tc, struct tcap_decode_err *err, int idx, long v)
{
	if (!iid_ok(v)) {
		mistyped(err, idx, false, 0, "invoke id out of range");
		return false;
	}
	tc->has_invoke_id = true;
	tc->invoke_id = v;
	return true;
}

/* Decode the user-information SEQUENCE OF EXTERNAL back into its raw contents. */
static int keep_user_info(struct tcap_msg *msg, ANY_t *const *array, int count)
{
	size_t total = 0;
	uint8_t *p;
	int i;

	/* the encoder splits user information with our own walker: refuse here what it
	 * could not split, so that everything we decode can be encoded again */
	if (count > MAX_UI_ELEMS)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		struct ber_tlv t;

		if (ber_tlv_parse(&t, array[i]->buf, array[i]->size) || t.total != (size_t)array[i]->size)
			return -EINVAL;
		total += array[i]->size;
	}
	if (!total)
		return 0;
	if (tcap_dlg_set_user_info(msg, NULL, 0))
		return -ENOMEM;
	p = talloc_size(msg, total);
	if (!p)
		return -ENOMEM;
	msg->dlg.user_info = p;
	msg->dlg.user_info_len = total;
	for (i = 0; i < count; i++) {
		memcpy(p, array[i]->buf, array[i]->size);
		p += array[i]->size;
	}
	return 0;
}

static int decode_dialogue_pdu(struct tcap_msg *msg, const uint8_t *buf, size_t len)
{
	DialoguePDU_t *pdu = NULL;
	struct tcap_dialogue *d = &msg->dlg;
	int rc = -EINVAL;

	if (tcap_ber_decode(&asn_DEF_DialoguePDU, (void **)&pdu, buf, len))
		goto out;

	switch (pdu->present) {
	case DialoguePDU_PR_dialogueRequest: {
		AARQ_apdu_t *a = &pdu->choice.dialogueRequest;

		d->pdu = TCAP_DLG_AARQ;
		if (copy_oid(&d->ac, &a->application_context_name))
			goto out;
		d->has_ac = true;
		if (a->protocol_version && a->protocol_version->size >= 1) {
			d->has_version = true;
			d->version = a->protocol_version->buf[0];
		}
		if (a->user_information &&
		    keep_user_info(msg, a->user_information->list.array, a->user_information->list.count))
			goto out;
		break;
	}
	case DialoguePDU_PR_dialogueResponse: {
		AARE_apdu_t *a = &pdu->choice.dialogueResponse;

		d->pdu = TCAP_DLG_AARE;
		if (copy_oid(&d->ac, &a->application_context_name))
			goto out;
		d->has_ac = true;
		if (a->protocol_version && a->protocol_version->size >= 1) {
			d->has_version = true;
			d->version = a->protocol_version->buf[0];
		}
		if (a->result < 0 || a->result > 1)
			goto out;
		d->result = a->result;
		switch (a->result_source_diagnostic.present) {
		case Associate_source_diagnostic_PR_dialogue_service_user:
			d->diag_source = TCAP_DIAG_USER;
			d->diag = a->result_source_diagnostic.choice.dialogue_service_user;
			break;
		case Associate_source_diagnostic_PR_dialogue_service_provider:
			d->diag_source = TCAP_DIAG_PROVIDER;
			d->diag = a->result_source_diagnostic.choice.dialogue_service_provider;
			break;
		default:
			goto out;
		}
		if (d->diag < 0 || d->diag > 2)
			goto out;
		if (a->user_information &&
		    keep_user_info(msg, a->user_information->list.array, a->user_information->list.count))
			goto out;
		break;
	}
	case DialoguePDU_PR_dialogueAbort: {
		ABRT_apdu_t *a = &pdu->choice.dialogueAbort;

		d->pdu = TCAP_DLG_ABRT;
		if (a->abort_source < 0 || a->abort_source > 1)
			goto out;
		d->abort_source = a->abort_source;
		if (a->user_information &&
		    keep_user_info(msg, a->user_information->list.array, a->user_information->list.count))
			goto out;
		break;
	}
	default:
		goto out;
	}
	rc = 0;
out:
	ASN_STRUCT_FREE(asn_DEF_DialoguePDU, pdu);
	return rc;
}

/* The contents of [APPLICATION 11]: one EXTERNAL carrying a dialogue PDU. */
static int decode_dialogue(struct tcap_msg *msg, const uint8_t *buf, size_t len)
{
	/* Q.773 4.2.2: Unidirectional carries the unstructured dialogue (AUDT) */
	const uint8_t *as_id = msg->type == TCAP_MT_UNIDIRECTIONAL ? uni_dialogue_as_id : dialogue_as_id;
	DialogueExternal_t *ext = NULL;
	int rc = -EINVAL;

	if (tcap_ber_decode(&asn_DEF_DialogueExternal, (void **)&ext, buf, len))
		goto out;
	if (!ext->direct_reference || ext->encoding.present != ExternalEncoding_PR_single_ASN1_type)
		goto out;
	if (ext->direct_reference->size != sizeof(dialogue_as_id) ||
	    memcmp(ext->direct_reference->buf, as_id, sizeof(dialogue_as_id)))
		goto out;
	rc = decode_dialogue_pdu(msg, ext->encoding.choice.single_ASN1_type.buf,
				 ext->encoding.choice.single_ASN1_type.size);
out:
	ASN_STRUCT_FREE(asn_DEF_DialogueExternal, ext);
	return rc;
}

/* Best effort: the invoke id of a component asn1c could not decode (Q.774 3.2.2.2:
 * a Reject carries it when derivable). */
static bool derive_invoke_id(const struct ber_tlv *c, long *iid)
{
	struct ber_tlv sub;

	if (!c->constructed || ber_tlv_parse(&sub, c->val, c->len))
		return false;
	if (sub.tag != 0x02 || sub.len != 1)
		return false;
	*iid = (int8_t)sub.val[0];
	return true;
}

/* start: the component's first octet (c->val is past a definite or indefinite length) */
static int decode_component(struct tcap_msg *msg, struct tcap_decode_err *err, int idx, const struct ber_tlv *c,
			    const uint8_t *start)
{
	struct tcap_component *tc = &msg->comp[idx];
	Component_t *comp = NULL;
	bool has_iid;
	long iid = 0;
	int rc = -EBADMSG;

	has_iid = derive_invoke_id(c, &iid) && iid_ok(iid);
	switch (c->tag) {
	case 0xa1:
	case 0xa2:
	case 0xa3:
	case 0xa4:
	case 0xa7:
		break;
	default:
		set_reject(err, idx, TCAP_PROB_GENERAL, TCAP_GP_UNRECOGNIZED_COMPONENT, has_iid, iid,
			   "unrecognized component type");
		return -EBADMSG;
	}

	if (tcap_ber_decode(&asn_DEF_Component, (void **)&comp, start, c->total)) {
		mistyped(err, idx, has_iid, iid, "component does not decode");
		goto out;
	}

	memset(tc, 0, sizeof(*tc));
	switch (comp->present) {
	case Component_PR_invoke: {
		Invoke_t *inv = &comp->choice.invoke;

		tc->kind = TCAP_COMP_INVOKE;
		tc->last = true;
		if (!take_iid(tc, err, idx, inv->invokeID))
			goto out;
		if (inv->linkedID && !iid_ok(*inv->linkedID)) {
			mistyped(err, idx, false, 0, "invoke id out of range");
			goto out;
		}
		if (inv->linkedID) {
			tc->has_linked_id = true;
			tc->linked_id = *inv->linkedID;
		}
		if (code_to_opcode(&tc->op, &inv->opcode)) {
			mistyped(err, idx, true, inv->invokeID, "bad operation code");
			goto out;
		}
		tc->has_opcode = true;
		if (inv->parameter && tcap_comp_set_param(msg, tc, inv->parameter->buf, inv->parameter->size)) {
			rc = -ENOMEM;
			goto out;
		}
		break;
	}
	case Component_PR_returnResultLast:
	case Component_PR_returnResultNotLast: {
		ReturnResult_t *rr = comp->present == Component_PR_returnResultLast ? &comp->choice.returnResultLast
										     : &comp->choice.returnResultNotLast;

		tc->kind = TCAP_COMP_RETURN_RESULT;
		tc->last = comp->present == Component_PR_returnResultLast;
		if (!take_iid(tc, err, idx, rr->invokeID))
			goto out;
		if (rr->result) {
			if (code_to_opcode(&tc->op, &rr->result->opcode)) {
				mistyped(err, idx, true, rr->invokeID, "bad operation code");
				goto out;
			}
			tc->has_opcode = true;
			if (tcap_comp_set_param(msg, tc, rr->result->parameter.buf, rr->result->parameter.size)) {
				rc = -ENOMEM;
				goto out;
			}
		}
		break;
	}
	case Component_PR_returnError: {
		ReturnError_t *re = &comp->choice.returnError;

		tc->kind = TCAP_COMP_RETURN_ERROR;
		tc->last = true;
		if (!take_iid(tc, err, idx, re->invokeID))
			goto out;
		if (code_to_opcode(&tc->op, &re->errcode)) {
			mistyped(err, idx, true, re->invokeID, "bad error code");
			goto out;
		}
		tc->has_opcode = true;
		if (re->parameter && tcap_comp_set_param(msg, tc, re->parameter->buf, re->parameter->size)) {
			rc = -ENOMEM;
			goto out;
		}
		break;
	}
	case Component_PR_reject: {
		Reject_t *rj = &comp->choice.reject;

		tc->kind = TCAP_COMP_REJECT;
		tc->last = true;
		if (rj->invokeID.present == RejectInvokeID_PR_derivable &&
		    !take_iid(tc, err, idx, rj->invokeID.choice.derivable))
			goto out;
		switch (rj->problem.present) {
		case Problem_PR_generalProblem:
			tc->problem_type = TCAP_PROB_GENERAL;
			tc->problem = rj->problem.choice.generalProblem;
			break;
		case Problem_PR_invokeProblem:
			tc->problem_type = TCAP_PROB_INVOKE;
			tc->problem = rj->problem.choice.invokeProblem;
			break;
		case Problem_PR_returnResultProblem:
			tc->problem_type = TCAP_PROB_RETURN_RESULT;
			tc->problem = rj->problem.choice.returnResultProblem;
			break;
		case Problem_PR_returnErrorProblem:
			tc->problem_type = TCAP_PROB_RETURN_ERROR;
			tc->problem = rj->problem.choice.returnErrorProblem;
			break;
		default:
			mistyped(err, idx, tc->has_invoke_id, tc->invoke_id, "bad problem");
			goto out;
		}
		break;
	}
	default:
		set_reject(err, idx, TCAP_PROB_GENERAL, TCAP_GP_UNRECOGNIZED_COMPONENT, has_iid, iid,
			   "unrecognized component type");
		goto out;
	}
	rc = 0;
out:
	ASN_STRUCT_FREE(asn_DEF_Component, comp);
	return rc;
}

static int decode_components(struct tcap_msg *msg, struct tcap_decode_err *err, const struct ber_tlv *portion)
{
	size_t pos = 0;
	int rc;

	if (!portion->len) {
		set_reject(err, 0, TCAP_PROB_GENERAL, TCAP_GP_BADLY_STRUCTURED_COMPONENT, false, 0,
			   "empty component portion");
		return -EBADMSG;
	}
	while (pos < portion->len) {
		struct ber_tlv c;

		if (ber_tlv_parse(&c, portion->val + pos, portion->len - pos)) {
			set_reject(err, msg->num_comp, TCAP_PROB_GENERAL, TCAP_GP_BADLY_STRUCTURED_COMPONENT, false,
				   0, "badly structured component");
			return -EBADMSG;
		}
		if (msg->num_comp == TCAP_MAX_COMPONENTS) {
			long iid = 0;
			bool has = derive_invoke_id(&c, &iid) && iid_ok(iid);

			set_reject(err, msg->num_comp, TCAP_PROB_INVOKE, TCAP_IP_RESOURCE_LIMITATION, has, iid,
				   "too many components");
			return -EBADMSG;
		}
		rc = decode_component(msg, err, msg->num_comp, &c, portion->val + pos);
		if (rc)
			return rc;
		msg->num_comp++;
		pos += c.total;
	}
	return 0;
}

static int read_tid(struct tcap_tid *tid, const struct ber_tlv *t)
{
	if (t->constructed || t->len < 1 || t->len > 4)
		return -EBADMSG;
	tid->len = t->len;
	memcpy(tid->buf, t->val, t->len);
	return 0;
}

int tcap_itu_decode(struct tcap_msg *msg, struct tcap_decode_err *err, const uint8_t *buf, size_t len)
{
	struct ber_tlv top, el[4];
	unsigned int n = 0, i = 0;
	size_t pos = 0;
	int rc;

	msg->variant = TCAP_ITU;
	switch (len ? buf[0] : 0) {
	case 0x61:
		msg->type = TCAP_MT_UNIDIRECTIONAL;
		break;
	case 0x62:
		msg->type = TCAP_MT_BEGIN;
		break;
	case 0x64:
		msg->type = TCAP_MT_END;
		break;
	case 0x65:
		msg->type = TCAP_MT_CONTINUE;
		break;
	case 0x67:
		msg->type = TCAP_MT_ABORT;
		break;
	default:
		set_err(err, TCAP_ERR_PABORT, TCAP_PA_UNRECOGNIZED_MSG_TYPE, "unrecognized message type");
		return -EBADMSG;
	}
	if (ber_tlv_parse(&top, buf, len)) {
		set_err(err, TCAP_ERR_PABORT, TCAP_PA_BADLY_FORMATTED_TX_PORTION, "message length is wrong");
		return -EBADMSG;
	}
	if (top.total != len) {
		set_err(err, TCAP_ERR_PABORT, TCAP_PA_BADLY_FORMATTED_TX_PORTION, "octets after the message");
		return -EBADMSG;
	}

	/* split the message into its (at most four) elements */
	while (pos < top.len) {
		if (n == 4 || ber_tlv_parse(&el[n], top.val + pos, top.len - pos)) {
			set_err(err, TCAP_ERR_PABORT, TCAP_PA_BADLY_FORMATTED_TX_PORTION,
				n == 4 ? "too many elements" : "element length is wrong");
			return -EBADMSG;
		}
		pos += el[n++].total;
	}

	/* Q.773 4.1: the transaction ids come first, in a fixed order per message type */
	if (msg->type == TCAP_MT_BEGIN || msg->type == TCAP_MT_CONTINUE) {
		if (i >= n || el[i].tag != TAG_OTID) {
			set_err(err, TCAP_ERR_PABORT, TCAP_PA_INCORRECT_TX_PORTION, "originating transaction id missing");
			return -EBADMSG;
		}
		if (read_tid(&msg->otid, &el[i++])) {
			set_err(err, TCAP_ERR_PABORT, TCAP_PA_BADLY_FORMATTED_TX_PORTION, "bad originating id length");
			return -EBADMSG;
		}
		msg->has_otid = true;
	}
	if (msg->type == TCAP_MT_CONTINUE || msg->type == TCAP_MT_END || msg->type == TCAP_MT_ABORT) {
		if (i >= n || el[i].tag != TAG_DTID) {
			set_err(err, TCAP_ERR_PABORT, TCAP_PA_INCORRECT_TX_PORTION, "destination transaction id missing");
			return -EBADMSG;
		}
		if (read_tid(&msg->dtid, &el[i++])) {
			set_err(err, TCAP_ERR_PABORT, TCAP_PA_BADLY_FORMATTED_TX_PORTION, "bad destination id length");
			return -EBADMSG;
		}
		msg->has_dtid = true;
	}

	if (msg->type == TCAP_MT_ABORT) {
		if (i < n && el[i].tag == TAG_PABORT) {
			if (el[i].len < 1 || el[i].len > 2) {
				set_err(err, TCAP_ERR_PABORT, TCAP_PA_BADLY_FORMATTED_TX_PORTION, "bad P-Abort cause");
				return -EBADMSG;
			}
			msg->has_pabort = true;
			msg->pabort_cause = el[i].len == 1 ? el[i].val[0] : (el[i].val[0] << 8 | el[i].val[1]);
			i++;
		} else if (i < n && el[i].tag == TAG_DIALOGUE) {
			if (decode_dialogue(msg, el[i].val, el[i].len)) {
				set_err(err, TCAP_ERR_DIALOGUE, 0, "dialogue portion does not decode");
				return -EBADMSG;
			}
			i++;
		}
		if (i != n) {
			set_err(err, TCAP_ERR_PABORT, TCAP_PA_INCORRECT_TX_PORTION, "unexpected element in abort");
			return -EBADMSG;
		}
		return 0;
	}

	if (i < n && el[i].tag == TAG_DIALOGUE) {
		if (decode_dialogue(msg, el[i].val, el[i].len)) {
			set_err(err, TCAP_ERR_DIALOGUE, 0, "dialogue portion does not decode");
			return -EBADMSG;
		}
		i++;
	}
	if (i < n && el[i].tag == TAG_COMPONENTS) {
		rc = decode_components(msg, err, &el[i]);
		if (rc)
			return rc;
		i++;
	} else if (msg->type == TCAP_MT_UNIDIRECTIONAL) {
		set_err(err, TCAP_ERR_PABORT, TCAP_PA_INCORRECT_TX_PORTION, "unidirectional without components");
		return -EBADMSG;
	}
	if (i != n) {
		set_err(err, TCAP_ERR_PABORT, TCAP_PA_INCORRECT_TX_PORTION, "unexpected element");
		return -EBADMSG;
	}
	return 0;
}

/*
 * Encoding
 */

/* Point an asn1c string-like value (OCTET STRING, OID, ANY) at bytes we own. */
#define set_os(os, b, l)                        \
	do {                                    \
		(os)->buf = (uint8_t *)(b);     \
		(os)->size = (l);               \
	} while (0)

static int set_code(Code_t *code, const struct tcap_opcode *op)
{
	switch (op->kind) {
	case TCAP_OP_LOCAL:
		code->present = Code_PR_local;
		code->choice.local = op->code;
		return 0;
	case TCAP_OP_GLOBAL:
		if (!op->global.len)
			return -EINVAL;
		code->present = Code_PR_global;
		set_os(&code->choice.global, op->global.buf, op->global.len);
		return 0;
	default:
		return -EINVAL;
	}
}

/* Split raw user information (concatenated EXTERNALs) into list elements. */
struct ui_list {
	ANY_t any[MAX_UI_ELEMS];
	ANY_t *ptr[MAX_UI_ELEMS];
};

static int split_user_info(struct ui_list *ui, int *count, const struct tcap_dialogue *d)
{
	size_t pos = 0;
	int n = 0;

	while (pos < d->user_info_len) {
		struct ber_tlv t;

		if (n == MAX_UI_ELEMS || ber_tlv_parse(&t, d->user_info + pos, d->user_info_len - pos))
			return -EINVAL;
		set_os(&ui->any[n], d->user_info + pos, t.total);
		ui->ptr[n] = &ui->any[n];
		n++;
		pos += t.total;
	}
	*count = n;
	return 0;
}

static int encode_dialogue_pdu(uint8_t *buf, size_t size, size_t *out_len, const struct tcap_dialogue *d)
{
	DialoguePDU_t pdu;
	BIT_STRING_t version;
	uint8_t vbits;
	struct ui_list ui;
	struct AARQ_apdu__user_information ui_q;
	struct AARE_apdu__user_information ui_e;
	struct ABRT_apdu__user_information ui_a;
	int rc;

	memset(&pdu, 0, sizeof(pdu));
	memset(&version, 0, sizeof(version));
	memset(&ui_q, 0, sizeof(ui_q));
	memset(&ui_e, 0, sizeof(ui_e));
	memset(&ui_a, 0, sizeof(ui_a));

	/* Q.773: protocol-version is version1 (bit 0 set) unless told otherwise */
	vbits = d->has_version ? d->version : 0x80;
	version.buf = &vbits;
	version.size = 1;
	version.bits_unused = 7;

	switch (d->pdu) {
	case TCAP_DLG_AARQ:
		if (!d->has_ac)
			return -EINVAL;
		pdu.present = DialoguePDU_PR_dialogueRequest;
		pdu.choice.dialogueRequest.protocol_version = &version;
		set_os(&pdu.choice.dialogueRequest.application_context_name, d->ac.buf, d->ac.len);
		if (d->user_info_len) {
			rc = split_user_info(&ui, &ui_q.list.count, d);
			ui_q.list.array = ui.ptr;
			ui_q.list.size = ui_q.list.count;
			if (rc)
				return rc;
			pdu.choice.dialogueRequest.user_information = &ui_q;
		}
		break;
	case TCAP_DLG_AARE:
		if (!d->has_ac)
			return -EINVAL;
		pdu.present = DialoguePDU_PR_dialogueResponse;
		pdu.choice.dialogueResponse.protocol_version = &version;
		set_os(&pdu.choice.dialogueResponse.application_context_name, d->ac.buf, d->ac.len);
		pdu.choice.dialogueResponse.result = d->result;
		if (d->diag_source == TCAP_DIAG_PROVIDER) {
			pdu.choice.dialogueResponse.result_source_diagnostic.present =
				Associate_source_diagnostic_PR_dialogue_service_provider;
			pdu.choice.dialogueResponse.result_source_diagnostic.choice.dialogue_service_provider = d->diag;
		} else {
			pdu.choice.dialogueResponse.result_source_diagnostic.present =
				Associate_source_diagnostic_PR_dialogue_service_user;
			pdu.choice.dialogueResponse.result_source_diagnostic.choice.dialogue_service_user = d->diag;
		}
		if (d->user_info_len) {
			rc = split_user_info(&ui, &ui_e.list.count, d);
			ui_e.list.array = ui.ptr;
			ui_e.list.size = ui_e.list.count;
			if (rc)
				return rc;
			pdu.choice.dialogueResponse.user_information = &ui_e;
		}
		break;
	case TCAP_DLG_ABRT:
		pdu.present = DialoguePDU_PR_dialogueAbort;
		pdu.choice.dialogueAbort.abort_source = d->abort_source;
		if (d->user_info_len) {
			rc = split_user_info(&ui, &ui_a.list.count, d);
			ui_a.list.array = ui.ptr;
			ui_a.list.size = ui_a.list.count;
			if (rc)
				return rc;
			pdu.choice.dialogueAbort.user_information = &ui_a;
		}
		break;
	default:
		return -EINVAL;
	}
	return tcap_der_encode(&asn_DEF_DialoguePDU, &pdu, buf, size, out_len);
}

/* Everything the encoder points the asn1c structures at lives here, on the stack. */
struct itu_enc {
	TCMessage_t tcm;
	DialogueExternal_t ext;
	OBJECT_IDENTIFIER_t as_id;
	uint8_t dlg_pdu[DLG_PDU_MAX];
	ComponentPortion_t cp;
	Component_t comp[TCAP_MAX_COMPONENTS];
	Component_t *comp_ptr[TCAP_MAX_COMPONENTS];
	long linked[TCAP_MAX_COMPONENTS];
	ANY_t param[TCAP_MAX_COMPONENTS];
	ResultPart_t result[TCAP_MAX_COMPONENTS];
	AbortReason_t reason;
};

static int fill_component(struct itu_enc *e, unsigned int i, const struct tcap_component *c)
{
	Component_t *comp = &e->comp[i];

	if (!c->has_invoke_id && c->kind != TCAP_COMP_REJECT)
		return -EINVAL;
	if (c->param)
		set_os(&e->param[i], c->param, c->param_len);

	switch (c->kind) {
	case TCAP_COMP_INVOKE:
		comp->present = Component_PR_invoke;
		comp->choice.invoke.invokeID = c->invoke_id;
		if (c->has_linked_id) {
			e->linked[i] = c->linked_id;
			comp->choice.invoke.linkedID = &e->linked[i];
		}
		if (!c->has_opcode || set_code(&comp->choice.invoke.opcode, &c->op))
			return -EINVAL;
		if (c->param)
			comp->choice.invoke.parameter = &e->param[i];
		return 0;
	case TCAP_COMP_RETURN_RESULT: {
		ReturnResult_t *rr;

		comp->present = c->last ? Component_PR_returnResultLast : Component_PR_returnResultNotLast;
		rr = c->last ? &comp->choice.returnResultLast : &comp->choice.returnResultNotLast;
		rr->invokeID = c->invoke_id;
		if (c->has_opcode) {
			/* Q.773: a result part always carries a parameter */
			if (!c->param || set_code(&e->result[i].opcode, &c->op))
				return -EINVAL;
			e->result[i].parameter = e->param[i];
			rr->result = &e->result[i];
		}
		return 0;
	}
	case TCAP_COMP_RETURN_ERROR:
		comp->present = Component_PR_returnError;
		comp->choice.returnError.invokeID = c->invoke_id;
		if (!c->has_opcode || set_code(&comp->choice.returnError.errcode, &c->op))
			return -EINVAL;
		if (c->param)
			comp->choice.returnError.parameter = &e->param[i];
		return 0;
	case TCAP_COMP_REJECT: {
		Reject_t *rj = &comp->choice.reject;

		comp->present = Component_PR_reject;
		if (c->has_invoke_id) {
			rj->invokeID.present = RejectInvokeID_PR_derivable;
			rj->invokeID.choice.derivable = c->invoke_id;
		} else {
			rj->invokeID.present = RejectInvokeID_PR_not_derivable;
		}
		switch (c->problem_type) {
		case TCAP_PROB_GENERAL:
			rj->problem.present = Problem_PR_generalProblem;
			rj->problem.choice.generalProblem = c->problem;
			break;
		case TCAP_PROB_INVOKE:
			rj->problem.present = Problem_PR_invokeProblem;
			rj->problem.choice.invokeProblem = c->problem;
			break;
		case TCAP_PROB_RETURN_RESULT:
			rj->problem.present = Problem_PR_returnResultProblem;
			rj->problem.choice.returnResultProblem = c->problem;
			break;
		case TCAP_PROB_RETURN_ERROR:
			rj->problem.present = Problem_PR_returnErrorProblem;
			rj->problem.choice.returnErrorProblem = c->problem;
			break;
		default:
			return -EINVAL;
		}
		return 0;
	}
	}
	return -EINVAL;
}

int tcap_itu_encode(uint8_t *buf, size_t size, size_t *out_len, const struct tcap_msg *msg)
{
	struct itu_enc enc, *e = &enc;	/* about 5 KiB of stack, no allocation */
	struct DialogueExternal **dlg_slot = NULL;
	struct ComponentPortion **cp_slot = NULL;
	size_t dlg_len;
	unsigned int i;
	int rc;

	if (msg->variant != TCAP_ITU || msg->num_comp > TCAP_MAX_COMPONENTS)
		return -EINVAL;
	memset(e, 0, sizeof(*e));

	switch (msg->type) {
	case TCAP_MT_UNIDIRECTIONAL:
		e->tcm.present = TCMessage_PR_tcUnidirectional;
		dlg_slot = &e->tcm.choice.tcUnidirectional.dialoguePortion;
		if (!msg->num_comp)
			return -EINVAL;
		break;
	case TCAP_MT_BEGIN:
		if (!msg->has_otid || !msg->otid.len || msg->otid.len > 4)
			return -EINVAL;
		e->tcm.present = TCMessage_PR_tcBegin;
		set_os(&e->tcm.choice.tcBegin.otid, msg->otid.buf, msg->otid.len);
		dlg_slot = &e->tcm.choice.tcBegin.dialoguePortion;
		cp_slot = &e->tcm.choice.tcBegin.components;
		break;
	case TCAP_MT_CONTINUE:
		if (!msg->has_otid || !msg->has_dtid || !msg->otid.len || msg->otid.len > 4 || !msg->dtid.len ||
		    msg->dtid.len > 4)
			return -EINVAL;
		e->tcm.present = TCMessage_PR_tcContinue;
		set_os(&e->tcm.choice.tcContinue.otid, msg->otid.buf, msg->otid.len);
		set_os(&e->tcm.choice.tcContinue.dtid, msg->dtid.buf, msg->dtid.len);
		dlg_slot = &e->tcm.choice.tcContinue.dialoguePortion;
		cp_slot = &e->tcm.choice.tcContinue.components;
		break;
	case TCAP_MT_END:
		if (!msg->has_dtid || !msg->dtid.len || msg->dtid.len > 4)
			return -EINVAL;
		e->tcm.present = TCMessage_PR_tcEnd;
		set_os(&e->tcm.choice.tcEnd.dtid, msg->dtid.buf, msg->dtid.len);
		dlg_slot = &e->tcm.choice.tcEnd.dialoguePortion;
		cp_slot = &e->tcm.choice.tcEnd.components;
		break;
	case TCAP_MT_ABORT:
		if (!msg->has_dtid || !msg->dtid.len || msg->dtid.len > 4 || msg->num_comp)
			return -EINVAL;
		e->tcm.present = TCMessage_PR_tcAbort;
		set_os(&e->tcm.choice.tcAbort.dtid, msg->dtid.buf, msg->dtid.len);
		if (msg->has_pabort) {
			if (msg->dlg.pdu != TCAP_DLG_NONE)
				return -EINVAL;
			e->reason.present = AbortReason_PR_p_abortCause;
			e->reason.choice.p_abortCause = msg->pabort_cause;
			e->tcm.choice.tcAbort.reason = &e->reason;
		}
		break;
	default:
		return -EINVAL;
	}

	if (msg->dlg.pdu != TCAP_DLG_NONE) {
		rc = encode_dialogue_pdu(e->dlg_pdu, sizeof(e->dlg_pdu), &dlg_len, &msg->dlg);
		if (rc)
			return rc == -ENOSPC ? -EINVAL : rc;
		set_os(&e->as_id, msg->type == TCAP_MT_UNIDIRECTIONAL ? uni_dialogue_as_id : dialogue_as_id,
		       sizeof(dialogue_as_id));
		e->ext.direct_reference = &e->as_id;
		e->ext.encoding.present = ExternalEncoding_PR_single_ASN1_type;
		set_os(&e->ext.encoding.choice.single_ASN1_type, e->dlg_pdu, dlg_len);
		if (msg->type == TCAP_MT_ABORT) {
			e->reason.present = AbortReason_PR_u_abortCause;
			e->reason.choice.u_abortCause = e->ext;
			e->tcm.choice.tcAbort.reason = &e->reason;
		} else {
			*dlg_slot = &e->ext;
		}
	}

	if (msg->num_comp) {
		for (i = 0; i < msg->num_comp; i++) {
			rc = fill_component(e, i, &msg->comp[i]);
			if (rc)
				return rc;
			e->comp_ptr[i] = &e->comp[i];
		}
		e->cp.list.array = e->comp_ptr;
		e->cp.list.count = msg->num_comp;
		e->cp.list.size = msg->num_comp;
		if (msg->type == TCAP_MT_UNIDIRECTIONAL)
			e->tcm.choice.tcUnidirectional.components = e->cp;
		else
			*cp_slot = &e->cp;
	}

	return tcap_der_encode(&asn_DEF_TCMessage, &e->tcm, buf, size, out_len);
}
