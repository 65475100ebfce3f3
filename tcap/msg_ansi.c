/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* ANSI TCAP message codec (T1.114): the transaction portion is walked by hand so
 * that every defect maps to the P-Abort cause T1.114.4 prescribes; the dialogue
 * portion and each component are decoded by the asn1c code generated from
 * asn1/ANSI-TCAP.asn, one component at a time, so that a bad component yields a
 * Reject for that component while the good ones before it are kept. Encoding
 * builds the asn1c structures on the stack, pointing at the caller's bytes (no
 * allocation), and DER-encodes the whole package. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "ANSI-PackageType.h"
#include "ANSI-ComponentPDU.h"
#include "ANSI-ComponentSequence.h"
#include "ANSI-DialoguePortion.h"
#include "ANSI-UserInformation.h"
#include "ANSI-UserAbortInformation.h"

#include <tandem/tcap_msg.h>

#include "ber.h"
#include "msg_internal.h"

/* T1.114.3 identifiers (one octet each, as they appear on the wire) */
#define TAG_TID		0xc7
#define TAG_COMPONENTS	0xe8
#define TAG_PABORT	0xd7
#define TAG_UABORT	0xf8
#define TAG_DIALOGUE	0xf9
#define TAG_COMP_IDS	0xcf
#define TAG_PARAM_SEQ	0xf0

/* T1.114.3: the package types and the transaction id length each one carries */
static const struct {
	uint8_t tag;
	enum tcap_msg_type type;
	uint8_t tid_len;
} packages[] = {
	{ 0xe1, TCAP_MT_UNIDIRECTIONAL, 0 },
	{ 0xe2, TCAP_MT_QUERY_WITH_PERM, 4 },
	{ 0xe3, TCAP_MT_QUERY_WITHOUT_PERM, 4 },
	{ 0xe4, TCAP_MT_RESPONSE, 4 },
	{ 0xe5, TCAP_MT_CONV_WITH_PERM, 8 },
	{ 0xe6, TCAP_MT_CONV_WITHOUT_PERM, 8 },
	{ 0xf6, TCAP_MT_ABORT, 4 },
};

/* The four elements a package can hold: TID, dialogue, components or abort cause. */
#define MAX_ELEMENTS 4

static void set_pabort(struct tcap_decode_err *err, enum tcap_err_kind kind, int cause, const char *text)
{
	memset(err, 0, sizeof(*err));
	err->kind = kind;
	err->cause = cause;
	err->comp_index = -1;
	snprintf(err->text, sizeof(err->text), "%s", text);
}

static void set_reject(struct tcap_decode_err *err, int idx, int problem, bool has_id, int32_t id, const char *text)
{
	memset(err, 0, sizeof(*err));
	err->kind = TCAP_ERR_REJECT;
	err->problem = problem;
	err->comp_index = idx;
	err->has_invoke_id = has_id;
	err->invoke_id = id;
	snprintf(err->text, sizeof(err->text), "component %d: %s", idx, text);
}

int tcap_msg_set_uabort_info(struct tcap_msg *msg, const uint8_t *info, size_t len)
{
	uint8_t *copy = NULL;

	if (len) {
		copy = talloc_memdup(msg, info, len);
		if (!copy)
			return -ENOMEM;
	}
	talloc_free(msg->uabort_info);
	msg->uabort_info = copy;
	msg->uabort_info_len = len;
	msg->has_uabort = true;
	return 0;
}

/* Concatenate a SEQUENCE OF ANY (the EXTERNALs of user information) back into
 * the raw contents it was decoded from; *out is a talloc child of msg. */
/* Most EXTERNALs kept from one user-information field (the encoder splits them again). */
#define MAX_UI_ELEMS 4

/* Keep user information as its raw elements, refusing (-EINVAL) what the encoder could not
 * split again: more than MAX_UI_ELEMS elements, or one that is not a single whole element. */
static int join_anys(struct tcap_msg *msg, uint8_t **out, size_t *out_len, ANY_t *const *array, int count)
{
	size_t total = 0;
	uint8_t *p;
	int i;

	*out = NULL;
	*out_len = 0;
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
	p = talloc_size(msg, total);
	if (!p)
		return -ENOMEM;
	*out = p;
	*out_len = total;
	for (i = 0; i < count; i++) {
		memcpy(p, array[i]->buf, array[i]->size);
		p += array[i]->size;
	}
	return 0;
}

/* The dialogue portion TLV (F9 ...) starting at start.
 * \returns 0, -EINVAL (badly structured), -ENOMEM. */
static int decode_dialogue(struct tcap_msg *msg, const uint8_t *start, const struct ber_tlv *t)
{
	ANSI_DialoguePortion_t *dp = NULL;
	struct tcap_dialogue *d = &msg->dlg;
	int rc = -EINVAL;

	if (!tcap_ber_elements_ok(t->val, t->len))
		return -EINVAL;
	if (tcap_ber_decode(&asn_DEF_ANSI_DialoguePortion, (void **)&dp, start, t->total))
		goto out;

	d->pdu = TCAP_DLG_ANSI;
	if (dp->version) {
		if (dp->version->size != 1)
			goto out;
		d->has_version = true;
		d->version = dp->version->buf[0];
	}
	if (dp->applicationContext) {
		switch (dp->applicationContext->present) {
		case ANSI_DialoguePortion__applicationContext_PR_integerApplicationId: {
			long v = dp->applicationContext->choice.integerApplicationId;

			if (v < INT32_MIN || v > INT32_MAX)
				goto out;
			d->has_ac_int = true;
			d->ac_int = v;
			break;
		}
		case ANSI_DialoguePortion__applicationContext_PR_objectApplicationId: {
			const OBJECT_IDENTIFIER_t *oid = &dp->applicationContext->choice.objectApplicationId;

			if (!oid->buf || oid->size <= 0 || (size_t)oid->size > sizeof(d->ac.buf))
				goto out;
			d->has_ac = true;
			d->ac.len = oid->size;
			memcpy(d->ac.buf, oid->buf, oid->size);
			break;
		}
		default:
			goto out;
		}
	}
	/* the security context and confidentiality are accepted and not kept:
	 * tandem neither signs nor encrypts */
	if (dp->userInformation) {
		uint8_t *ui;
		size_t ui_len;

		rc = join_anys(msg, &ui, &ui_len, dp->userInformation->list.array, dp->userInformation->list.count);
		if (rc)
			goto out;
		talloc_free(d->user_info);
		d->user_info = ui;
		d->user_info_len = ui_len;
	}
	rc = 0;
out:
	ASN_STRUCT_FREE(asn_DEF_ANSI_DialoguePortion, dp);
	return rc;
}

/* The first octet of a component's Component IDs, when it can be seen (a Reject
 * names the component it rejects if its id is derivable). */
static bool derive_comp_id(const struct ber_tlv *c, int32_t *id)
{
	struct ber_tlv sub;

	if (!c->constructed || ber_tlv_parse(&sub, c->val, c->len))
		return false;
	if (sub.tag != TAG_COMP_IDS || sub.constructed || sub.len < 1)
		return false;
	*id = sub.val[0];
	return true;
}

/* Nesting deeper than this is refused (AIN arguments nest three levels). */
#define MAX_NESTING 16

static bool elements_ok(const uint8_t *buf, size_t len, unsigned int depth)
{
	size_t pos = 0;

	while (pos < len) {
		struct ber_tlv t;

		if (ber_tlv_parse(&t, buf + pos, len - pos))
			return false;
		if (t.constructed && (depth == MAX_NESTING || !elements_ok(t.val, t.len, depth + 1)))
			return false;
		pos += t.total;
	}
	return true;
}

bool tcap_ber_elements_ok(const uint8_t *buf, size_t len)
{
	return elements_ok(buf, len, 0);
}

static int get_code(int32_t *code, const OCTET_STRING_t *os, int min, int max)
{
	int i;

	if (!os->buf || os->size < min || os->size > max)
		return -EINVAL;
	*code = 0;
	for (i = 0; i < os->size; i++)
		*code = *code << 8 | os->buf[i];
	return 0;
}

static int set_param(struct tcap_msg *msg, struct tcap_component *tc, const ANY_t *param)
{
	if (!param || !param->size)
		return 0;
	return tcap_comp_set_param(msg, tc, param->buf, param->size);
}

/* One component, the TLV c starting at start. */
static int decode_component(struct tcap_msg *msg, struct tcap_decode_err *err, int idx, const uint8_t *start,
			    const struct ber_tlv *c)
{
	struct tcap_component *tc = &msg->comp[idx];
	ANSI_ComponentPDU_t *pdu = NULL;
	const ANSI_ComponentIDs_t *ids;
	int32_t id = 0;
	bool has_id;
	int rc = -EBADMSG;

	has_id = derive_comp_id(c, &id);
	if (c->tag < 0xe9 || c->tag > 0xee) {
		set_reject(err, idx, TCAP_ANSI_PROB_GENERAL_UNRECOGNIZED_COMPONENT, has_id, id,
			   "unrecognized component type");
		return -EBADMSG;
	}
	/* Lengths that do not add up, at any depth, make a badly structured
	 * component; asn1c then only sees well-formed elements, and what it
	 * refuses (elements missing, extra or out of order) is an incorrect one. */
	if (c->constructed && !tcap_ber_elements_ok(c->val, c->len)) {
		set_reject(err, idx, TCAP_ANSI_PROB_GENERAL_BADLY_STRUCTURED, has_id, id,
			   "badly structured component");
		return -EBADMSG;
	}
	if (tcap_ber_decode(&asn_DEF_ANSI_ComponentPDU, (void **)&pdu, start, c->total)) {
		set_reject(err, idx, TCAP_ANSI_PROB_GENERAL_INCORRECT_COMPONENT_PORTION, has_id, id,
			   "component does not match its definition");
		goto out;
	}

	memset(tc, 0, sizeof(*tc));
	switch (pdu->present) {
	case ANSI_ComponentPDU_PR_invokeLast:
	case ANSI_ComponentPDU_PR_invokeNotLast: {
		const ANSI_Invoke_t *inv = pdu->present == ANSI_ComponentPDU_PR_invokeLast ? &pdu->choice.invokeLast
											 : &pdu->choice.invokeNotLast;

		tc->kind = TCAP_COMP_INVOKE;
		tc->last = pdu->present == ANSI_ComponentPDU_PR_invokeLast;
		/* T1.114.3: no id, an invoke id, or an invoke id and a correlation id */
		ids = inv->componentIDs;
		if (ids && (ids->size < 0 || ids->size > 2)) {
			set_reject(err, idx, TCAP_ANSI_PROB_GENERAL_INCORRECT_COMPONENT_PORTION, has_id, id,
				   "invoke with more than two component ids");
			goto out;
		}
		if (ids && ids->size >= 1) {
			tc->has_invoke_id = true;
			tc->invoke_id = ids->buf[0];
		}
		if (ids && ids->size == 2) {
			tc->has_linked_id = true;
			tc->linked_id = ids->buf[1];
		}
		switch (inv->operationCode.present) {
		case ANSI_OperationCode_PR_national:
			tc->op.kind = TCAP_OP_NATIONAL;
			rc = get_code(&tc->op.code, &inv->operationCode.choice.national, 2, 2);
			break;
		case ANSI_OperationCode_PR_private:
			tc->op.kind = TCAP_OP_PRIVATE;
			rc = get_code(&tc->op.code, &inv->operationCode.choice.private, 2, 2);
			break;
		default:
			rc = -EINVAL;
			break;
		}
		if (rc) {
			set_reject(err, idx, TCAP_ANSI_PROB_GENERAL_INCORRECT_CODING, has_id, id,
				   "operation code is not two octets");
			rc = -EBADMSG;
			goto out;
		}
		tc->has_opcode = true;
		if (set_param(msg, tc, inv->parameter)) {
			rc = -ENOMEM;
			goto out;
		}
		break;
	}
	case ANSI_ComponentPDU_PR_returnResultLast:
	case ANSI_ComponentPDU_PR_returnResultNotLast: {
		const ANSI_ReturnResult_t *rr = pdu->present == ANSI_ComponentPDU_PR_returnResultLast
							? &pdu->choice.returnResultLast
							: &pdu->choice.returnResultNotLast;

		tc->kind = TCAP_COMP_RETURN_RESULT;
		tc->last = pdu->present == ANSI_ComponentPDU_PR_returnResultLast;
		if (rr->componentID.size != 1) {
			set_reject(err, idx, TCAP_ANSI_PROB_GENERAL_INCORRECT_COMPONENT_PORTION, has_id, id,
				   "return result needs exactly one component id");
			goto out;
		}
		tc->has_invoke_id = true;
		tc->invoke_id = rr->componentID.buf[0];
		if (set_param(msg, tc, rr->parameter)) {
			rc = -ENOMEM;
			goto out;
		}
		break;
	}
	case ANSI_ComponentPDU_PR_returnError: {
		const ANSI_ReturnError_t *re = &pdu->choice.returnError;

		tc->kind = TCAP_COMP_RETURN_ERROR;
		tc->last = true;
		if (re->componentID.size != 1) {
			set_reject(err, idx, TCAP_ANSI_PROB_GENERAL_INCORRECT_COMPONENT_PORTION, has_id, id,
				   "return error needs exactly one component id");
			goto out;
		}
		tc->has_invoke_id = true;
		tc->invoke_id = re->componentID.buf[0];
		switch (re->errorCode.present) {
		case ANSI_ErrorCode_PR_national:
			tc->op.kind = TCAP_OP_NATIONAL;
			rc = get_code(&tc->op.code, &re->errorCode.choice.national, 1, 2);
			break;
		case ANSI_ErrorCode_PR_private:
			tc->op.kind = TCAP_OP_PRIVATE;
			rc = get_code(&tc->op.code, &re->errorCode.choice.private, 1, 2);
			break;
		default:
			rc = -EINVAL;
			break;
		}
		if (rc) {
			set_reject(err, idx, TCAP_ANSI_PROB_GENERAL_INCORRECT_CODING, true, tc->invoke_id,
				   "bad error code length");
			rc = -EBADMSG;
			goto out;
		}
		tc->has_opcode = true;
		if (set_param(msg, tc, re->parameter)) {
			rc = -ENOMEM;
			goto out;
		}
		break;
	}
	case ANSI_ComponentPDU_PR_reject: {
		const ANSI_Reject_t *rj = &pdu->choice.reject;

		tc->kind = TCAP_COMP_REJECT;
		tc->last = true;
		if (rj->componentID.size > 1) {
			set_reject(err, idx, TCAP_ANSI_PROB_GENERAL_INCORRECT_COMPONENT_PORTION, has_id, id,
				   "reject with more than one component id");
			goto out;
		}
		if (rj->componentID.size == 1) {
			tc->has_invoke_id = true;
			tc->invoke_id = rj->componentID.buf[0];
		}
		if (get_code(&tc->problem, &rj->rejectProblem, 2, 2)) {
			set_reject(err, idx, TCAP_ANSI_PROB_GENERAL_INCORRECT_CODING, has_id, id,
				   "reject problem is not two octets");
			goto out;
		}
		if (set_param(msg, tc, rj->parameter)) {
			rc = -ENOMEM;
			goto out;
		}
		break;
	}
	default:
		set_reject(err, idx, TCAP_ANSI_PROB_GENERAL_UNRECOGNIZED_COMPONENT, has_id, id,
			   "unrecognized component type");
		goto out;
	}
	rc = 0;
out:
	ASN_STRUCT_FREE(asn_DEF_ANSI_ComponentPDU, pdu);
	return rc;
}

static int decode_components(struct tcap_msg *msg, struct tcap_decode_err *err, const struct ber_tlv *portion)
{
	size_t pos = 0;
	int rc;

	/* T1.114.3 puts no lower bound on the component sequence: an empty one is accepted */
	while (pos < portion->len) {
		struct ber_tlv c;

		if (ber_tlv_parse(&c, portion->val + pos, portion->len - pos)) {
			set_reject(err, msg->num_comp, TCAP_ANSI_PROB_GENERAL_BADLY_STRUCTURED, false, 0,
				   "badly structured component");
			return -EBADMSG;
		}
		if (msg->num_comp == TCAP_MAX_COMPONENTS) {
			set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_RESOURCE_UNAVAILABLE, "too many components");
			return -EBADMSG;
		}
		rc = decode_component(msg, err, msg->num_comp, portion->val + pos, &c);
		if (rc)
			return rc;
		msg->num_comp++;
		pos += c.total;
	}
	return 0;
}

/* T1.114.3: transaction id lengths per package type; Conversation carries the
 * sender's (originating) id, then the receiver's (responding) id. */
static int read_tid(struct tcap_msg *msg, struct tcap_decode_err *err, const struct ber_tlv *t, uint8_t want)
{
	if (t->constructed || t->len > sizeof(msg->tid.buf)) {
		set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_INCORRECT_TX_PORTION, "transaction id too long");
		return -EBADMSG;
	}
	msg->tid.len = t->len;
	memcpy(msg->tid.buf, t->val, t->len);
	if (t->len != want) {
		char text[64];

		snprintf(text, sizeof(text), "transaction id of %zu octets, %s needs %u", t->len,
			 tcap_msg_type_name(msg->type), want);
		set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_INCORRECT_TX_PORTION, text);
		return -EBADMSG;
	}
	switch (msg->type) {
	case TCAP_MT_QUERY_WITH_PERM:
	case TCAP_MT_QUERY_WITHOUT_PERM:
		msg->has_otid = true;
		msg->otid.len = 4;
		memcpy(msg->otid.buf, t->val, 4);
		break;
	case TCAP_MT_RESPONSE:
	case TCAP_MT_ABORT:
		msg->has_dtid = true;
		msg->dtid.len = 4;
		memcpy(msg->dtid.buf, t->val, 4);
		break;
	case TCAP_MT_CONV_WITH_PERM:
	case TCAP_MT_CONV_WITHOUT_PERM:
		msg->has_otid = true;
		msg->otid.len = 4;
		memcpy(msg->otid.buf, t->val, 4);
		msg->has_dtid = true;
		msg->dtid.len = 4;
		memcpy(msg->dtid.buf, t->val + 4, 4);
		break;
	default:
		break;
	}
	return 0;
}

/* The user abort information: its contents must be a series of elements (T1.114-2000: one EXTERNAL). */
static int decode_uabort(struct tcap_msg *msg, const struct ber_tlv *t)
{
	size_t pos = 0;
	unsigned int n = 0;

	if (!t->constructed)
		return -EINVAL;
	/* at most as many elements as the encoder can split again (MAX_UI_ELEMS) */
	while (pos < t->len) {
		struct ber_tlv sub;

		if (n++ == MAX_UI_ELEMS || ber_tlv_parse(&sub, t->val + pos, t->len - pos))
			return -EINVAL;
		pos += sub.total;
	}
	return tcap_msg_set_uabort_info(msg, t->val, t->len) ? -ENOMEM : 0;
}

int tcap_ansi_decode(struct tcap_msg *msg, struct tcap_decode_err *err, const uint8_t *buf, size_t len)
{
	struct ber_tlv top, el[MAX_ELEMENTS];
	const uint8_t *el_start[MAX_ELEMENTS];
	unsigned int n = 0, i = 0, k;
	uint8_t tid_len = 0;
	size_t pos = 0;
	int rc;

	memset(err, 0, sizeof(*err));
	err->comp_index = -1;
	msg->variant = TCAP_ANSI;

	/* the package type first: a message we cannot classify gets unrecognizedPackageType */
	for (k = 0; len && k < sizeof(packages) / sizeof(packages[0]); k++) {
		if (buf[0] == packages[k].tag)
			break;
	}
	if (!len || k == sizeof(packages) / sizeof(packages[0])) {
		set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_UNRECOGNIZED_PKG_TYPE, "unrecognized package type");
		return -EBADMSG;
	}
	msg->type = packages[k].type;
	tid_len = packages[k].tid_len;

	if (ber_tlv_parse(&top, buf, len)) {
		set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_BADLY_STRUCTURED_TX_PORTION, "package length is wrong");
		return -EBADMSG;
	}
	if (top.total != len) {
		set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_BADLY_STRUCTURED_TX_PORTION, "octets after the package");
		return -EBADMSG;
	}
	while (pos < top.len) {
		if (n == MAX_ELEMENTS || ber_tlv_parse(&el[n], top.val + pos, top.len - pos)) {
			set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_BADLY_STRUCTURED_TX_PORTION,
				   n == MAX_ELEMENTS ? "too many elements in the package" : "element length is wrong");
			return -EBADMSG;
		}
		el_start[n] = top.val + pos;
		pos += el[n++].total;
	}

	/* the transaction id comes first, in every package type */
	if (!n || el[0].tag != TAG_TID) {
		set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_INCORRECT_TX_PORTION, "transaction id missing");
		return -EBADMSG;
	}
	rc = read_tid(msg, err, &el[i++], tid_len);
	if (rc)
		return rc;

	if (i < n && el[i].tag == TAG_DIALOGUE) {
		rc = decode_dialogue(msg, el_start[i], &el[i]);
		if (rc == -ENOMEM)
			return rc;
		if (rc) {
			talloc_free(msg->dlg.user_info);
			memset(&msg->dlg, 0, sizeof(msg->dlg));
			set_pabort(err, TCAP_ERR_DIALOGUE, TCAP_APA_BADLY_STRUCTURED_DLG_PORTION,
				   "dialogue portion does not decode");
			return -EBADMSG;
		}
		i++;
	}

	if (msg->type == TCAP_MT_ABORT) {
		if (i < n && el[i].tag == TAG_PABORT) {
			int cause = 0;

			/* a small INTEGER (1..10): one octet, two tolerated */
			if (el[i].len < 1 || el[i].len > 2) {
				set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_BADLY_STRUCTURED_TX_PORTION,
					   "bad P-Abort cause length");
				return -EBADMSG;
			}
			for (k = 0; k < el[i].len; k++)
				cause = cause << 8 | el[i].val[k];
			msg->has_pabort = true;
			msg->pabort_cause = cause;
			i++;
		} else if (i < n && el[i].tag == TAG_UABORT) {
			rc = decode_uabort(msg, &el[i]);
			if (rc == -ENOMEM)
				return rc;
			if (rc) {
				set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_BADLY_STRUCTURED_TX_PORTION,
					   "badly structured user abort information");
				return -EBADMSG;
			}
			i++;
		}
		if (i != n) {
			set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_INCORRECT_TX_PORTION, "unexpected element in abort");
			return -EBADMSG;
		}
		return 0;
	}

	if (i < n && el[i].tag == TAG_COMPONENTS) {
		rc = decode_components(msg, err, &el[i]);
		if (rc)
			return rc;
		i++;
	} else if (msg->type == TCAP_MT_UNIDIRECTIONAL) {
		set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_INCORRECT_TX_PORTION, "unidirectional without components");
		return -EBADMSG;
	}
	if (i != n) {
		set_pabort(err, TCAP_ERR_PABORT, TCAP_APA_INCORRECT_TX_PORTION, "unexpected element in package");
		return -EBADMSG;
	}
	return 0;
}

/*
 * Encoding
 */

/* asn1c string-like values (OCTET STRING, OID, ANY) pointing at bytes we do not
 * own; an empty one still points somewhere, asn1c passes it to the writer. */
static const uint8_t empty[1];

#define set_os(os, b, l)                                        \
	do {                                                    \
		(os)->buf = (l) ? (uint8_t *)(b) : (uint8_t *)empty; \
		(os)->size = (l);                               \
	} while (0)

/* Split raw user information (a series of EXTERNALs) into list elements. */
struct any_list {
	ANY_t any[MAX_UI_ELEMS];
	ANY_t *ptr[MAX_UI_ELEMS];
	int count;
};

static int split_anys(struct any_list *l, const uint8_t *raw, size_t len)
{
	size_t pos = 0;

	l->count = 0;
	while (pos < len) {
		struct ber_tlv t;

		if (l->count == MAX_UI_ELEMS || ber_tlv_parse(&t, raw + pos, len - pos))
			return -EINVAL;
		set_os(&l->any[l->count], raw + pos, t.total);
		l->ptr[l->count] = &l->any[l->count];
		l->count++;
		pos += t.total;
	}
	return 0;
}

/* Everything the encoder points the asn1c structures at lives here, on the stack. */
struct ansi_enc {
	ANSI_PackageType_t pkg;
	uint8_t tid[8];
	ANSI_DialoguePortion_t dlg;
	ANSI_ProtocolVersion_t version;
	struct ANSI_DialoguePortion__applicationContext ac;
	ANSI_UserInformation_t ui;
	struct any_list ui_list;
	struct ANSI_Abort__causeInformation cause;
	struct any_list uabort_list;
	ANSI_ComponentSequence_t cs;
	ANSI_ComponentPDU_t comp[TCAP_MAX_COMPONENTS];
	ANSI_ComponentPDU_t *comp_ptr[TCAP_MAX_COMPONENTS];
	ANSI_ComponentIDs_t ids[TCAP_MAX_COMPONENTS];
	uint8_t id_buf[TCAP_MAX_COMPONENTS][2];
	uint8_t code_buf[TCAP_MAX_COMPONENTS][2];
	ANY_t param[TCAP_MAX_COMPONENTS];
};

/* T1.114.3: a Reject carries an empty parameter sequence (preferred over the set) */
static const uint8_t empty_param_seq[] = { TAG_PARAM_SEQ, 0x00 };

static int fill_code(OCTET_STRING_t *os, uint8_t *cb, int32_t code, bool two)
{
	if (code < 0 || code > 0xffff)
		return -EINVAL;
	if (two || code > 0xff) {
		cb[0] = code >> 8;
		cb[1] = code;
		set_os(os, cb, 2);
	} else {
		cb[0] = code;
		set_os(os, cb, 1);
	}
	return 0;
}

static int fill_component(struct ansi_enc *e, unsigned int i, const struct tcap_component *c)
{
	ANSI_ComponentPDU_t *pdu = &e->comp[i];
	uint8_t *idb = e->id_buf[i];
	size_t nid = 0;

	if (c->has_invoke_id) {
		if (c->invoke_id < 0 || c->invoke_id > 255)
			return -EINVAL;
		idb[nid++] = c->invoke_id;
	}
	if (c->has_linked_id) {
		/* the correlation id follows the invoke id; an Invoke only */
		if (c->kind != TCAP_COMP_INVOKE || !c->has_invoke_id || c->linked_id < 0 || c->linked_id > 255)
			return -EINVAL;
		idb[nid++] = c->linked_id;
	}
	set_os(&e->ids[i], idb, nid);
	if (c->param)
		set_os(&e->param[i], c->param, c->param_len);

	switch (c->kind) {
	case TCAP_COMP_INVOKE: {
		ANSI_Invoke_t *inv;

		pdu->present = c->last ? ANSI_ComponentPDU_PR_invokeLast : ANSI_ComponentPDU_PR_invokeNotLast;
		inv = c->last ? &pdu->choice.invokeLast : &pdu->choice.invokeNotLast;
		inv->componentIDs = &e->ids[i];
		if (!c->has_opcode)
			return -EINVAL;
		switch (c->op.kind) {
		case TCAP_OP_NATIONAL:
			inv->operationCode.present = ANSI_OperationCode_PR_national;
			if (fill_code(&inv->operationCode.choice.national, e->code_buf[i], c->op.code, true))
				return -EINVAL;
			break;
		case TCAP_OP_PRIVATE:
			inv->operationCode.present = ANSI_OperationCode_PR_private;
			if (fill_code(&inv->operationCode.choice.private, e->code_buf[i], c->op.code, true))
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
		if (c->param)
			inv->parameter = &e->param[i];
		return 0;
	}
	case TCAP_COMP_RETURN_RESULT: {
		ANSI_ReturnResult_t *rr;

		/* T1.114 has no operation code in a ReturnResult: c->op is not sent */
		if (!c->has_invoke_id)
			return -EINVAL;
		pdu->present = c->last ? ANSI_ComponentPDU_PR_returnResultLast
				       : ANSI_ComponentPDU_PR_returnResultNotLast;
		rr = c->last ? &pdu->choice.returnResultLast : &pdu->choice.returnResultNotLast;
		rr->componentID = e->ids[i];
		if (c->param)
			rr->parameter = &e->param[i];
		return 0;
	}
	case TCAP_COMP_RETURN_ERROR: {
		ANSI_ReturnError_t *re = &pdu->choice.returnError;

		if (!c->has_invoke_id || !c->has_opcode)
			return -EINVAL;
		pdu->present = ANSI_ComponentPDU_PR_returnError;
		re->componentID = e->ids[i];
		switch (c->op.kind) {
		case TCAP_OP_NATIONAL:
			re->errorCode.present = ANSI_ErrorCode_PR_national;
			if (fill_code(&re->errorCode.choice.national, e->code_buf[i], c->op.code, false))
				return -EINVAL;
			break;
		case TCAP_OP_PRIVATE:
			re->errorCode.present = ANSI_ErrorCode_PR_private;
			if (fill_code(&re->errorCode.choice.private, e->code_buf[i], c->op.code, false))
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
		if (c->param)
			re->parameter = &e->param[i];
		return 0;
	}
	case TCAP_COMP_REJECT: {
		ANSI_Reject_t *rj = &pdu->choice.reject;

		pdu->present = ANSI_ComponentPDU_PR_reject;
		rj->componentID = e->ids[i];
		if (fill_code(&rj->rejectProblem, e->code_buf[i], c->problem, true))
			return -EINVAL;
		if (!c->param)
			set_os(&e->param[i], empty_param_seq, sizeof(empty_param_seq));
		rj->parameter = &e->param[i];
		return 0;
	}
	}
	return -EINVAL;
}

/* The transaction id as the package type needs it (see read_tid()). */
static int build_tid(struct ansi_enc *e, size_t *tid_len, const struct tcap_msg *msg)
{
	const struct tcap_tid *first = NULL, *second = NULL;
	size_t want;

	switch (msg->type) {
	case TCAP_MT_UNIDIRECTIONAL:
		*tid_len = 0;
		return 0;
	case TCAP_MT_QUERY_WITH_PERM:
	case TCAP_MT_QUERY_WITHOUT_PERM:
		want = 4;
		if (msg->has_otid)
			first = &msg->otid;
		break;
	case TCAP_MT_RESPONSE:
	case TCAP_MT_ABORT:
		want = 4;
		if (msg->has_dtid)
			first = &msg->dtid;
		break;
	case TCAP_MT_CONV_WITH_PERM:
	case TCAP_MT_CONV_WITHOUT_PERM:
		want = 8;
		if (msg->has_otid != msg->has_dtid)
			return -EINVAL;
		if (msg->has_otid) {
			first = &msg->otid;
			second = &msg->dtid;
		}
		break;
	default:
		return -EINVAL;
	}
	if (!first) {
		/* no split ids given: the whole id as it is to be sent */
		if (msg->tid.len != want)
			return -EINVAL;
		memcpy(e->tid, msg->tid.buf, want);
	} else {
		if (first->len != 4 || (second && second->len != 4))
			return -EINVAL;
		memcpy(e->tid, first->buf, 4);
		if (second)
			memcpy(e->tid + 4, second->buf, 4);
	}
	*tid_len = want;
	return 0;
}

static int fill_dialogue(struct ansi_enc *e, const struct tcap_dialogue *d)
{
	if (d->pdu != TCAP_DLG_ANSI)
		return -EINVAL;
	if (d->has_version) {
		set_os(&e->version, &d->version, 1);
		e->dlg.version = &e->version;
	}
	if (d->has_ac && d->has_ac_int)
		return -EINVAL;
	if (d->has_ac_int) {
		e->ac.present = ANSI_DialoguePortion__applicationContext_PR_integerApplicationId;
		e->ac.choice.integerApplicationId = d->ac_int;
		e->dlg.applicationContext = &e->ac;
	} else if (d->has_ac) {
		if (!d->ac.len || d->ac.len > sizeof(d->ac.buf))
			return -EINVAL;
		e->ac.present = ANSI_DialoguePortion__applicationContext_PR_objectApplicationId;
		set_os(&e->ac.choice.objectApplicationId, d->ac.buf, d->ac.len);
		e->dlg.applicationContext = &e->ac;
	}
	if (d->user_info_len) {
		if (split_anys(&e->ui_list, d->user_info, d->user_info_len))
			return -EINVAL;
		e->ui.list.array = e->ui_list.ptr;
		e->ui.list.count = e->ui_list.count;
		e->ui.list.size = e->ui_list.count;
		e->dlg.userInformation = &e->ui;
	}
	return 0;
}

int tcap_ansi_encode(uint8_t *buf, size_t size, size_t *out_len, const struct tcap_msg *msg)
{
	struct ansi_enc enc, *e = &enc;	/* about 3 KiB of stack, no allocation */
	ANSI_TransactionID_t *tid;
	struct ANSI_DialoguePortion **dlg_slot;
	size_t tid_len;
	unsigned int i;
	int rc;

	if (msg->variant != TCAP_ANSI || msg->num_comp > TCAP_MAX_COMPONENTS)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	rc = build_tid(e, &tid_len, msg);
	if (rc)
		return rc;

	switch (msg->type) {
	case TCAP_MT_UNIDIRECTIONAL:
		e->pkg.present = ANSI_PackageType_PR_unidirectional;
		tid = &e->pkg.choice.unidirectional.identifier;
		dlg_slot = &e->pkg.choice.unidirectional.dialoguePortion;
		if (!msg->num_comp)
			return -EINVAL;
		e->pkg.choice.unidirectional.componentPortion.list.array = e->comp_ptr;
		break;
	case TCAP_MT_ABORT: {
		ANSI_Abort_t *ab = &e->pkg.choice.abort;

		e->pkg.present = ANSI_PackageType_PR_abort;
		tid = &ab->identifier;
		dlg_slot = &ab->dialoguePortion;
		if (msg->num_comp || (msg->has_pabort && msg->has_uabort))
			return -EINVAL;
		if (msg->has_pabort) {
			e->cause.present = ANSI_Abort__causeInformation_PR_abortCause;
			e->cause.choice.abortCause = msg->pabort_cause;
			ab->causeInformation = &e->cause;
		} else if (msg->has_uabort) {
			/* T1.114-2000: an EXTERNAL. An empty one is accepted on receipt, and so it
			 * can be encoded again (relaying, tests); tandem never originates one. */
			if (split_anys(&e->uabort_list, msg->uabort_info, msg->uabort_info_len))
				return -EINVAL;
			e->cause.present = ANSI_Abort__causeInformation_PR_userInformation;
			e->cause.choice.userInformation.list.array = e->uabort_list.ptr;
			e->cause.choice.userInformation.list.count = e->uabort_list.count;
			e->cause.choice.userInformation.list.size = e->uabort_list.count;
			ab->causeInformation = &e->cause;
		}
		break;
	}
	default: {
		ANSI_TransactionPDU_t *tp;

		switch (msg->type) {
		case TCAP_MT_QUERY_WITH_PERM:
			e->pkg.present = ANSI_PackageType_PR_queryWithPerm;
			tp = &e->pkg.choice.queryWithPerm;
			break;
		case TCAP_MT_QUERY_WITHOUT_PERM:
			e->pkg.present = ANSI_PackageType_PR_queryWithoutPerm;
			tp = &e->pkg.choice.queryWithoutPerm;
			break;
		case TCAP_MT_RESPONSE:
			e->pkg.present = ANSI_PackageType_PR_response;
			tp = &e->pkg.choice.response;
			break;
		case TCAP_MT_CONV_WITH_PERM:
			e->pkg.present = ANSI_PackageType_PR_conversationWithPerm;
			tp = &e->pkg.choice.conversationWithPerm;
			break;
		default:
			e->pkg.present = ANSI_PackageType_PR_conversationWithoutPerm;
			tp = &e->pkg.choice.conversationWithoutPerm;
			break;
		}
		tid = &tp->identifier;
		dlg_slot = &tp->dialoguePortion;
		if (msg->num_comp)
			tp->componentPortion = &e->cs;
		break;
	}
	}
	if (msg->type != TCAP_MT_ABORT && (msg->has_pabort || msg->has_uabort))
		return -EINVAL;
	set_os(tid, e->tid, tid_len);

	if (msg->dlg.pdu != TCAP_DLG_NONE) {
		rc = fill_dialogue(e, &msg->dlg);
		if (rc)
			return rc;
		*dlg_slot = &e->dlg;
	}

	for (i = 0; i < msg->num_comp; i++) {
		rc = fill_component(e, i, &msg->comp[i]);
		if (rc)
			return rc;
		e->comp_ptr[i] = &e->comp[i];
	}
	if (msg->type == TCAP_MT_UNIDIRECTIONAL) {
		e->pkg.choice.unidirectional.componentPortion.list.count = msg->num_comp;
		e->pkg.choice.unidirectional.componentPortion.list.size = msg->num_comp;
	} else {
		e->cs.list.array = e->comp_ptr;
		e->cs.list.count = msg->num_comp;
		e->cs.list.size = msg->num_comp;
	}

	return tcap_der_encode(&asn_DEF_ANSI_PackageType, &e->pkg, buf, size, out_len);
}
