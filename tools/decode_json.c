/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* TCAP message -> JSON for tandem-decode: the transaction and dialogue portions,
 * each component, and the typed argument of every CAP/INAP operation we know. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <tandem/cap.h>

#include "decode_json.h"
#include "decode_json_ain.h"

static const char *const proto_names[] = {
	[TD_PROTO_UNKNOWN] = "unknown", [TD_PROTO_CAP2] = "cap2", [TD_PROTO_CAP3] = "cap3",
	[TD_PROTO_CAP4] = "cap4",	[TD_PROTO_INAP] = "inap", [TD_PROTO_AIN] = "ain",
};

const char *td_proto_name(enum td_proto p)
{
	return p <= TD_PROTO_AIN ? proto_names[p] : "unknown";
}

int td_proto_from_name(enum td_proto *out, const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (!strcmp(name, proto_names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

static enum td_proto from_cap(enum cap_protocol p)
{
	switch (p) {
	case CAP_PROTO_CAP2:
		return TD_PROTO_CAP2;
	case CAP_PROTO_CAP3:
		return TD_PROTO_CAP3;
	case CAP_PROTO_CAP4:
		return TD_PROTO_CAP4;
	case CAP_PROTO_INAP:
		return TD_PROTO_INAP;
	}
	return TD_PROTO_UNKNOWN;
}

static enum cap_protocol to_cap(enum td_proto p)
{
	switch (p) {
	case TD_PROTO_CAP2:
		return CAP_PROTO_CAP2;
	case TD_PROTO_CAP3:
		return CAP_PROTO_CAP3;
	case TD_PROTO_INAP:
		return CAP_PROTO_INAP;
	default:
		return CAP_PROTO_CAP4;
	}
}

enum td_proto td_guess_proto(const struct tcap_msg *m, const struct td_opts *o, enum td_proto hint)
{
	unsigned int i;

	if (o->force != TD_PROTO_UNKNOWN)
		return o->force;
	if (m->variant == TCAP_ANSI) {
		/* as tshark does: private opcodes of families 0x60..0x6f are AIN */
		for (i = 0; i < m->num_comp; i++)
			if (m->comp[i].has_opcode && m->comp[i].op.kind == TCAP_OP_PRIVATE &&
			    (m->comp[i].op.code & 0xf000) == 0x6000)
				return TD_PROTO_AIN;
		return hint;
	}
	if (m->dlg.has_ac) {
		char ac[128];
		enum cap_protocol cp;

		if (tcap_oid_to_str(ac, sizeof(ac), &m->dlg.ac) == 0 && cap_protocol_from_ac(&cp, ac) == 0)
			return from_cap(cp);
		return TD_PROTO_UNKNOWN;
	}
	return hint;
}

static json_t *hex_json(const uint8_t *buf, size_t len)
{
	char tmp[2 * 512 + 1];
	size_t i;

	if (len > 512)
		len = 512;
	for (i = 0; i < len; i++)
		snprintf(tmp + 2 * i, 3, "%02x", buf[i]);
	tmp[2 * len] = '\0';
	return json_string(tmp);
}

json_t *td_number_json(const struct tcap_number *n, const struct tcap_dialplan *plan)
{
	json_t *o = json_object();
	char e164[32];

	json_object_set_new(o, "digits", json_string(n->digits));
	json_object_set_new(o, "nature", json_string(tcap_num_nature_name(n->nature)));
	json_object_set_new(o, "plan", json_string(tcap_num_plan_name(n->plan)));
	if (n->pres != TCAP_PRES_NONE)
		json_object_set_new(o, "presentation", json_string(tcap_num_pres_name(n->pres)));
	if (n->screen != TCAP_SCREEN_NONE)
		json_object_set_new(o, "screening", json_string(tcap_num_screen_name(n->screen)));
	if (tcap_num_to_e164(e164, sizeof(e164), n, plan) == 0)
		json_object_set_new(o, "e164", json_string(e164));
	return o;
}

static void set_num(json_t *o, const char *key, bool has, const struct tcap_number *n, const struct td_opts *opt)
{
	if (has)
		json_object_set_new(o, key, td_number_json(n, &opt->plan));
}

static void set_event(json_t *o, const char *key, enum cap_event_type e)
{
	const char *name = cap_event_name(e);

	json_object_set_new(o, key, name ? json_string(name) : json_integer(e));
}

static json_t *leg_json(const struct cap_leg_id *leg)
{
	json_t *o = json_object();

	json_object_set_new(o, leg->side == CAP_LEG_SENDING ? "sending_side" : "receiving_side",
			    json_integer(leg->leg));
	return o;
}

/* Q.850 cause octets: coding standard, location, then the cause value. */
static json_t *cause_json(const uint8_t *buf, size_t len)
{
	json_t *o = json_object();
	size_t i = 1;

	json_object_set_new(o, "hex", hex_json(buf, len));
	if (len >= 2) {
		json_object_set_new(o, "location", json_integer(buf[0] & 0x0f));
		/* octet 1a (recommendation) is present when octet 1's extension bit is 0 */
		if (!(buf[0] & 0x80))
			i = 2;
		if (i < len)
			json_object_set_new(o, "value", json_integer(buf[i] & 0x7f));
	}
	return o;
}

static json_t *idp_json(const struct cap_idp *a, const struct td_opts *o)
{
	json_t *j = json_object();
	char tz[40];

	json_object_set_new(j, "service_key", json_integer(a->service_key));
	if (a->has_event_type)
		set_event(j, "event_type", a->event_type);
	set_num(j, "called_party", a->has_called, &a->called, o);
	set_num(j, "calling_party", a->has_calling, &a->calling, o);
	set_num(j, "called_party_bcd", a->has_called_bcd, &a->called_bcd, o);
	set_num(j, "dialled_digits", a->has_dialled_digits, &a->dialled_digits, o);
	if (a->has_calling_category)
		json_object_set_new(j, "calling_category", json_integer(a->calling_category));
	set_num(j, "location_number", a->has_location_number, &a->location_number, o);
	set_num(j, "original_called_party", a->has_original_called, &a->original_called, o);
	set_num(j, "redirecting_party", a->has_redirecting, &a->redirecting, o);
	if (a->has_redirection_info)
		json_object_set_new(j, "redirection_info", hex_json(a->redirection_info, 2));
	if (a->has_bearer_cap)
		json_object_set_new(j, "bearer_capability", hex_json(a->bearer_cap, a->bearer_cap_len));
	if (a->has_imsi)
		json_object_set_new(j, "imsi", json_string(a->imsi));
	set_num(j, "vlr_number", a->has_vlr_number, &a->vlr_number, o);
	if (a->has_cell_id)
		json_object_set_new(j, "cell_id", hex_json(a->cell_id, sizeof(a->cell_id)));
	if (a->has_teleservice)
		json_object_set_new(j, "teleservice", json_integer(a->teleservice));
	if (a->has_call_ref)
		json_object_set_new(j, "call_reference", hex_json(a->call_ref, a->call_ref_len));
	set_num(j, "msc_address", a->has_msc_address, &a->msc_address, o);
	if (a->has_time_tz && tcap_time_tz_format(tz, sizeof(tz), &a->time_tz) == 0)
		json_object_set_new(j, "time_and_timezone", json_string(tz));
	return j;
}

static json_t *rrbe_json(const struct cap_rrbe *a)
{
	json_t *j = json_object(), *list = json_array();
	unsigned int i;

	for (i = 0; i < a->num_events; i++) {
		const struct cap_bcsm_event *e = &a->events[i];
		json_t *ev = json_object();
		const char *mm = cap_monitor_mode_name(e->monitor_mode);

		set_event(ev, "event_type", e->event_type);
		json_object_set_new(ev, "monitor_mode", mm ? json_string(mm) : json_integer(e->monitor_mode));
		if (e->leg.side != CAP_LEG_NONE)
			json_object_set_new(ev, "leg_id", leg_json(&e->leg));
		if (e->has_app_timer)
			json_object_set_new(ev, "application_timer", json_integer(e->app_timer));
		if (e->automatic_rearm)
			json_object_set_new(ev, "automatic_rearm", json_true());
		json_array_append_new(list, ev);
	}
	json_object_set_new(j, "bcsm_events", list);
	return j;
}

static json_t *erb_json(const struct cap_erb *a)
{
	json_t *j = json_object();

	set_event(j, "event_type", a->event_type);
	if (a->leg.side != CAP_LEG_NONE)
		json_object_set_new(j, "leg_id", leg_json(&a->leg));
	if (a->has_misc_call_info)
		json_object_set_new(j, "message_type", json_string(a->message_type ? "notification" : "request"));
	if (a->has_release_cause)
		json_object_set_new(j, "cause", cause_json(a->release_cause, a->release_cause_len));
	return j;
}

static json_t *connect_json(const struct cap_connect *a, const struct td_opts *o)
{
	json_t *j = json_object(), *list = json_array();
	unsigned int i;

	for (i = 0; i < a->num_dra; i++)
		json_array_append_new(list, td_number_json(&a->dra[i], &o->plan));
	json_object_set_new(j, "destination_routing_address", list);
	set_num(j, "original_called_party", a->has_original_called, &a->original_called, o);
	set_num(j, "redirecting_party", a->has_redirecting, &a->redirecting, o);
	if (a->has_redirection_info)
		json_object_set_new(j, "redirection_info", hex_json(a->redirection_info, 2));
	if (a->has_calling_category)
		json_object_set_new(j, "calling_category", json_integer(a->calling_category));
	if (a->suppression_of_announcement)
		json_object_set_new(j, "suppression_of_announcement", json_true());
	if (a->ocsi_applicable)
		json_object_set_new(j, "ocsi_applicable", json_true());
	return j;
}

static json_t *call_gap_json(const struct cap_call_gap *a)
{
	json_t *j = json_object();
	static const char *const kinds[] = { "called_address", "service", "called_address_and_service" };

	json_object_set_new(j, "criteria", json_string(kinds[a->kind]));
	if (a->kind != CAP_GAP_SERVICE)
		json_object_set_new(j, "digits", hex_json(a->digits, a->digits_len));
	if (a->kind != CAP_GAP_CALLED_ADDRESS)
		json_object_set_new(j, "service_key", json_integer(a->service_key));
	json_object_set_new(j, "duration", json_integer(a->duration));
	json_object_set_new(j, "gap_interval", json_integer(a->gap_interval));
	if (a->has_control_type)
		json_object_set_new(j, "control_type",
				    json_string(a->control_type ? "manuallyInitiated" : "sCPOverloaded"));
	if (a->has_release_cause)
		json_object_set_new(j, "cause", cause_json(a->release_cause, a->release_cause_len));
	return j;
}

/* Decode an Invoke argument of a CAP/INAP operation. \returns 0, -EINVAL (mistyped),
 * -ENOENT (we do not know this operation's argument). */
static int cap_arg_json(json_t **out, int op, enum td_proto p, const uint8_t *param, size_t len,
			const struct td_opts *o)
{
	enum cap_protocol cp = to_cap(p);
	int rc;

	switch (op) {
	case CAP_OP_INITIAL_DP: {
		struct cap_idp a;

		rc = cap_idp_decode(&a, cp, param, len);
		if (!rc)
			*out = idp_json(&a, o);
		return rc;
	}
	case CAP_OP_REQUEST_REPORT_BCSM: {
		struct cap_rrbe a;

		rc = cap_rrbe_decode(&a, cp, param, len);
		if (!rc)
			*out = rrbe_json(&a);
		return rc;
	}
	case CAP_OP_EVENT_REPORT_BCSM: {
		struct cap_erb a;

		rc = cap_erb_decode(&a, cp, param, len);
		if (!rc)
			*out = erb_json(&a);
		return rc;
	}
	case CAP_OP_CONNECT: {
		struct cap_connect a;

		rc = cap_connect_decode(&a, cp, param, len);
		if (!rc)
			*out = connect_json(&a, o);
		return rc;
	}
	case CAP_OP_RELEASE_CALL: {
		struct cap_release a;

		rc = cap_release_decode(&a, cp, param, len);
		if (!rc) {
			*out = json_object();
			json_object_set_new(*out, "cause", cause_json(a.cause, a.cause_len));
		}
		return rc;
	}
	case CAP_OP_CONTINUE_WITH_ARGUMENT: {
		struct cap_cwa a;

		rc = cap_cwa_decode(&a, cp, param, len);
		if (!rc) {
			*out = json_object();
			if (a.has_calling_category)
				json_object_set_new(*out, "calling_category", json_integer(a.calling_category));
		}
		return rc;
	}
	case CAP_OP_RESET_TIMER: {
		struct cap_reset_timer a;

		rc = cap_reset_timer_decode(&a, cp, param, len);
		if (!rc) {
			*out = json_object();
			json_object_set_new(*out, "timer_id", json_integer(a.timer_id));
			json_object_set_new(*out, "timer_value", json_integer(a.timer_value));
		}
		return rc;
	}
	case CAP_OP_CALL_GAP: {
		struct cap_call_gap a;

		rc = cap_call_gap_decode(&a, cp, param, len);
		if (!rc)
			*out = call_gap_json(&a);
		return rc;
	}
	}
	return -ENOENT;
}

static json_t *tid_json(const struct tcap_tid *t)
{
	return hex_json(t->buf, t->len);
}

static json_t *component_json(const struct tcap_component *c, enum tcap_variant v, enum td_proto p,
			      const struct td_opts *o)
{
	json_t *j = json_object();
	const char *name = NULL;
	json_t *arg = NULL;
	int rc = -ENOENT;

	json_object_set_new(j, "kind", json_string(tcap_comp_kind_name(c->kind)));
	if (c->kind == TCAP_COMP_INVOKE || c->kind == TCAP_COMP_RETURN_RESULT)
		json_object_set_new(j, "last", json_boolean(c->last));
	if (c->has_invoke_id)
		json_object_set_new(j, "invoke_id", json_integer(c->invoke_id));
	if (c->has_linked_id)
		json_object_set_new(j, "linked_id", json_integer(c->linked_id));

	if (c->has_opcode && c->kind == TCAP_COMP_RETURN_ERROR) {
		json_object_set_new(j, "error_code", json_integer(c->op.code));
	} else if (c->has_opcode) {
		if (c->op.kind == TCAP_OP_GLOBAL) {
			char oid[128];

			if (!tcap_oid_to_str(oid, sizeof(oid), &c->op.global))
				json_object_set_new(j, "opcode_global", json_string(oid));
		} else {
			json_object_set_new(j, "opcode", json_integer(c->op.code));
			if (c->op.kind == TCAP_OP_NATIONAL)
				json_object_set_new(j, "opcode_type", json_string("national"));
			else if (c->op.kind == TCAP_OP_PRIVATE)
				json_object_set_new(j, "opcode_type", json_string("private"));
		}
		if (c->op.kind == TCAP_OP_LOCAL && p != TD_PROTO_AIN)
			name = cap_op_name(c->op.code);
		else if (c->op.kind == TCAP_OP_PRIVATE && p == TD_PROTO_AIN)
			name = td_ain_op_name(c->op.code);
		if (name)
			json_object_set_new(j, "operation", json_string(name));
	}
	if (c->kind == TCAP_COMP_REJECT) {
		json_t *prob = json_object();

		if (v == TCAP_ANSI) {
			/* T1.114: problem family and specifier */
			json_object_set_new(prob, "family", json_integer(c->problem >> 8));
			json_object_set_new(prob, "specifier", json_integer(c->problem & 0xff));
		} else {
			static const char *const types[] = { "general", "invoke", "return_result", "return_error" };

			json_object_set_new(prob, "type", json_string(types[c->problem_type & 3]));
			json_object_set_new(prob, "code", json_integer(c->problem));
		}
		json_object_set_new(j, "problem", prob);
	}

	if (c->param && c->kind == TCAP_COMP_INVOKE && c->has_opcode) {
		if (p == TD_PROTO_AIN && c->op.kind == TCAP_OP_PRIVATE)
			rc = td_ain_arg_json(&arg, c->op.code, c->param, c->param_len, &o->plan);
		else if (p != TD_PROTO_UNKNOWN && p != TD_PROTO_AIN && c->op.kind == TCAP_OP_LOCAL)
			rc = cap_arg_json(&arg, c->op.code, p, c->param, c->param_len, o);
	}
	if (arg) {
		json_object_set_new(j, "arg", arg);
	} else if (c->param) {
		json_object_set_new(j, "param", hex_json(c->param, c->param_len));
		if (rc == -EINVAL)
			json_object_set_new(j, "error", json_string("argument does not decode"));
	}
	return j;
}

json_t *td_msg_to_json(const struct tcap_msg *m, enum td_proto p, const struct td_opts *o)
{
	json_t *j = json_object(), *comps;
	unsigned int i;

	json_object_set_new(j, "tcap", json_string(m->variant == TCAP_ITU ? "itu" : "ansi"));
	json_object_set_new(j, "type", json_string(tcap_msg_type_name(m->type)));
	if (m->variant == TCAP_ITU) {
		if (m->has_otid)
			json_object_set_new(j, "otid", tid_json(&m->otid));
		if (m->has_dtid)
			json_object_set_new(j, "dtid", tid_json(&m->dtid));
	} else if (m->tid.len) {
		json_object_set_new(j, "tid", tid_json(&m->tid));
	}
	if (m->dlg.has_ac) {
		char ac[128];

		if (!tcap_oid_to_str(ac, sizeof(ac), &m->dlg.ac))
			json_object_set_new(j, "ac", json_string(ac));
	} else if (m->dlg.has_ac_int) {
		json_object_set_new(j, "ac", json_integer(m->dlg.ac_int));
	}
	json_object_set_new(j, "protocol", json_string(td_proto_name(p)));
	switch (m->dlg.pdu) {
	case TCAP_DLG_AARQ:
		json_object_set_new(j, "dialogue", json_string("request"));
		break;
	case TCAP_DLG_AARE:
		json_object_set_new(j, "dialogue", json_string(m->dlg.result ? "rejected" : "accepted"));
		if (m->dlg.result || m->dlg.diag) {
			json_t *d = json_object();

			json_object_set_new(d, "source",
					    json_string(m->dlg.diag_source == TCAP_DIAG_PROVIDER ? "provider" : "user"));
			json_object_set_new(d, "value", json_integer(m->dlg.diag));
			json_object_set_new(j, "dialogue_diagnostic", d);
		}
		break;
	case TCAP_DLG_ABRT:
		json_object_set_new(j, "dialogue", json_string(m->dlg.abort_source ? "abort_provider" : "abort_user"));
		break;
	default:
		break;
	}
	if (m->has_pabort) {
		const char *name = tcap_pabort_name(m->variant, m->pabort_cause);

		json_object_set_new(j, "abort_cause", name ? json_string(name) : json_integer(m->pabort_cause));
	}
	if (m->num_comp) {
		comps = json_array();
		for (i = 0; i < m->num_comp; i++)
			json_array_append_new(comps, component_json(&m->comp[i], m->variant, p, o));
		json_object_set_new(j, "components", comps);
	}
	return j;
}
