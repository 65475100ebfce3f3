/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* AIN 0.1/0.2 operation arguments -> JSON for tandem-decode (doc/tandem-decode.md). */

#include <errno.h>
#include <stdio.h>

#include <tandem/ain.h>

#include "decode_json.h"
#include "decode_json_ain.h"

const char *td_ain_op_name(int opcode16)
{
	return ain_op_name(opcode16);
}

static json_t *hex(const uint8_t *buf, size_t len)
{
	char tmp[2 * 64 + 1];
	size_t i;

	if (len > 64)
		len = 64;
	for (i = 0; i < len; i++)
		snprintf(tmp + 2 * i, 3, "%02x", buf[i]);
	tmp[2 * len] = '\0';
	return json_string(tmp);
}

static void num(json_t *o, const char *key, bool has, const struct tcap_number *n, const struct tcap_dialplan *plan)
{
	if (has)
		json_object_set_new(o, key, td_number_json(n, plan));
}

static void name_or_int(json_t *o, const char *key, const char *name, int value)
{
	json_object_set_new(o, key, name ? json_string(name) : json_integer(value));
}

static json_t *user_id_json(const struct ain_user_id *u)
{
	json_t *j = json_object();

	switch (u->kind) {
	case AIN_UID_DN:
		json_object_set_new(j, "dn", json_string(u->dn));
		break;
	case AIN_UID_BRI:
		json_object_set_new(j, "dn", json_string(u->dn));
		json_object_set_new(j, "spid", hex(u->spid, u->spid_len));
		break;
	case AIN_UID_TRUNK_GROUP:
		json_object_set_new(j, "trunk_group", json_integer(u->id));
		break;
	case AIN_UID_PRIVATE_FACILITY:
		json_object_set_new(j, "private_facility_group", json_integer(u->id));
		break;
	case AIN_UID_ADSI:
		json_object_set_new(j, "adsi_cpe_id", hex(u->adsi, sizeof(u->adsi)));
		break;
	}
	return j;
}

static json_t *trigger_json(const struct ain_trigger *a, const struct tcap_dialplan *plan)
{
	json_t *j = json_object();

	json_object_set_new(j, "user_id", user_id_json(&a->user_id));
	name_or_int(j, "bearer_capability", ain_bearer_cap_name(a->bearer_cap), a->bearer_cap);
	if (a->has_tct)
		name_or_int(j, "trigger_criteria", ain_tct_name(a->tct), a->tct);
	num(j, "called_party", a->has_called, &a->called, plan);
	num(j, "calling_party", a->has_calling, &a->calling, plan);
	num(j, "charge_number", a->has_charge_number, &a->charge_number, plan);
	num(j, "lata", a->has_lata, &a->lata, plan);
	num(j, "access_code", a->has_access_code, &a->access_code, plan);
	num(j, "collected_address", a->has_collected_address, &a->collected_address, plan);
	num(j, "collected_digits", a->has_collected_digits, &a->collected_digits, plan);
	num(j, "vertical_service_code", a->has_vsc, &a->vsc, plan);
	num(j, "tcm", a->has_tcm, &a->tcm, plan);
	num(j, "original_called_party", a->has_original_called, &a->original_called, plan);
	num(j, "redirecting_party", a->has_redirecting, &a->redirecting, plan);
	if (a->has_redirection_info)
		json_object_set_new(j, "redirection_info", hex(a->redirection_info, 2));
	if (a->has_called_station_type)
		json_object_set_new(j, "called_station_type", json_integer(a->called_station_type));
	if (a->has_charge_station_type)
		json_object_set_new(j, "charge_station_type", json_integer(a->charge_station_type));
	if (a->has_carrier)
		json_object_set_new(j, "carrier", hex(a->carrier, sizeof(a->carrier)));
	if (a->has_generic_name)
		json_object_set_new(j, "generic_name", hex(a->generic_name, a->generic_name_len));
	if (a->has_acg_encountered)
		json_object_set_new(j, "acg_encountered", json_integer(a->acg_encountered));
	return j;
}

static json_t *event_json(const struct ain_event *a)
{
	json_t *j = json_object();

	json_object_set_new(j, "user_id", user_id_json(&a->user_id));
	name_or_int(j, "bearer_capability", ain_bearer_cap_name(a->bearer_cap), a->bearer_cap);
	if (a->has_notification)
		json_object_set_new(j, "notification", json_boolean(a->notification));
	if (a->has_disconnect_cause)
		json_object_set_new(j, "disconnect_cause", json_integer(a->disconnect_cause));
	if (a->has_leg_id)
		json_object_set_new(j, "leg_id", json_integer(a->leg_id));
	if (a->has_point_in_call)
		json_object_set_new(j, "point_in_call", json_integer(a->point_in_call));
	return j;
}

static json_t *edps_json(uint32_t set)
{
	json_t *list = json_array();
	int e;

	for (e = 0; e < AIN_EDP_COUNT; e++) {
		if (!(set & AIN_EDP_BIT(e)))
			continue;
		json_array_append_new(list, ain_edp_name(e) ? json_string(ain_edp_name(e)) : json_integer(e));
	}
	return list;
}

int td_ain_arg_json(json_t **out, int op, const uint8_t *param, size_t len, const struct tcap_dialplan *plan)
{
	json_t *j;
	int rc;

	switch (op) {
	case AIN_OP_INFO_COLLECTED:
	case AIN_OP_INFO_ANALYZED:
	case AIN_OP_TERMINATION_ATTEMPT: {
		struct ain_trigger a;

		rc = op == AIN_OP_INFO_COLLECTED  ? ain_info_collected_decode(&a, param, len)
		     : op == AIN_OP_INFO_ANALYZED ? ain_info_analyzed_decode(&a, param, len)
						  : ain_termination_attempt_decode(&a, param, len);
		if (rc)
			return rc;
		*out = trigger_json(&a, plan);
		return 0;
	}
	case AIN_OP_O_ANSWER:
	case AIN_OP_T_ANSWER:
	case AIN_OP_O_DISCONNECT:
	case AIN_OP_T_DISCONNECT: {
		struct ain_event a;

		rc = op == AIN_OP_O_ANSWER     ? ain_o_answer_decode(&a, param, len)
		     : op == AIN_OP_T_ANSWER   ? ain_t_answer_decode(&a, param, len)
		     : op == AIN_OP_O_DISCONNECT ? ain_o_disconnect_decode(&a, param, len)
						 : ain_t_disconnect_decode(&a, param, len);
		if (rc)
			return rc;
		*out = event_json(&a);
		return 0;
	}
	case AIN_OP_ANALYZE_ROUTE: {
		struct ain_analyze_route a;

		rc = ain_analyze_route_decode(&a, param, len);
		if (rc)
			return rc;
		j = json_object();
		num(j, "called_party", a.has_called, &a.called, plan);
		num(j, "calling_party", a.has_calling, &a.calling, plan);
		num(j, "charge_number", a.has_charge_number, &a.charge_number, plan);
		num(j, "outpulse_number", a.has_outpulse_number, &a.outpulse_number, plan);
		num(j, "tcm", a.has_tcm, &a.tcm, plan);
		num(j, "redirecting_party", a.has_redirecting, &a.redirecting, plan);
		if (a.has_charge_station_type)
			json_object_set_new(j, "charge_station_type", json_integer(a.charge_station_type));
		if (a.has_carrier)
			json_object_set_new(j, "carrier", hex(a.carrier, sizeof(a.carrier)));
		if (a.has_amaslp_id)
			json_object_set_new(j, "amaslp_id", json_string(a.amaslp_id));
		if (a.has_redirection_info)
			json_object_set_new(j, "redirection_info", hex(a.redirection_info, 2));
		*out = j;
		return 0;
	}
	case AIN_OP_AUTHORIZE_TERMINATION: {
		struct ain_authorize_termination a;

		rc = ain_authorize_termination_decode(&a, param, len);
		if (rc)
			return rc;
		j = json_object();
		num(j, "calling_party", a.has_calling, &a.calling, plan);
		if (a.has_amaslp_id)
			json_object_set_new(j, "amaslp_id", json_string(a.amaslp_id));
		if (a.has_generic_name)
			json_object_set_new(j, "generic_name", hex(a.generic_name, a.generic_name_len));
		*out = j;
		return 0;
	}
	case AIN_OP_CONTINUE:
	case AIN_OP_DISCONNECT: {
		struct ain_continue c;
		struct ain_disconnect d;
		bool has;
		const char *id;

		if (op == AIN_OP_CONTINUE) {
			rc = ain_continue_decode(&c, param, len);
			has = c.has_amaslp_id;
			id = c.amaslp_id;
		} else {
			rc = ain_disconnect_decode(&d, param, len);
			has = d.has_amaslp_id;
			id = d.amaslp_id;
		}
		if (rc)
			return rc;
		j = json_object();
		if (has)
			json_object_set_new(j, "amaslp_id", json_string(id));
		*out = j;
		return 0;
	}
	case AIN_OP_REQUEST_REPORT_BCM_EVENT: {
		struct ain_rrbe a;

		rc = ain_rrbe_decode(&a, param, len);
		if (rc)
			return rc;
		j = json_object();
		if (a.has_edp_request)
			json_object_set_new(j, "edp_request", edps_json(a.edp_request));
		if (a.has_edp_notification)
			json_object_set_new(j, "events", edps_json(a.edp_notification));
		if (a.has_o_no_answer_timer)
			json_object_set_new(j, "o_no_answer_timer", json_integer(a.o_no_answer_timer));
		if (a.has_t_no_answer_timer)
			json_object_set_new(j, "t_no_answer_timer", json_integer(a.t_no_answer_timer));
		*out = j;
		return 0;
	}
	case AIN_OP_CLOSE: {
		struct ain_close a;

		rc = ain_close_decode(&a, param, len);
		if (rc)
			return rc;
		j = json_object();
		if (a.has_user_id)
			json_object_set_new(j, "user_id", user_id_json(&a.user_id));
		if (a.has_bearer_cap)
			name_or_int(j, "bearer_capability", ain_bearer_cap_name(a.bearer_cap), a.bearer_cap);
		if (a.has_close_cause)
			name_or_int(j, "close_cause", ain_close_cause_name(a.close_cause), a.close_cause);
		*out = j;
		return 0;
	}
	case AIN_OP_ACG: {
		struct ain_acg a;

		rc = ain_acg_decode(&a, param, len);
		if (rc)
			return rc;
		j = json_object();
		json_object_set_new(j, "control_cause", json_integer(a.control_cause));
		json_object_set_new(j, "gap_duration", json_integer(a.gap_duration));
		json_object_set_new(j, a.private_gap_interval ? "private_gap_interval" : "national_gap_interval",
				    json_integer(a.gap_interval));
		json_object_set_new(j, "translation_type", json_integer(a.translation_type));
		json_object_set_new(j, "global_title_address", hex(a.gta, a.gta_len));
		*out = j;
		return 0;
	}
	}
	return -ENOENT;
}
