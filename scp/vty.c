/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* The `scp` VTY node of tandem-scp (number plan, subsystems, service-key rules,
 * AIN trigger-criteria rules, timers) and the show commands (dialogues, calls). `write terminal` writes only
 * what differs from the defaults, so its output loads back to the same state. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/tdef.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/tdef_vty.h>
#include <osmocom/vty/vty.h>

#include "ain_service.h"
#include "call_events.h"
#include "scp.h"

enum scp_vty_node {
	SCP_NODE = _LAST_OSMOVTY_NODE + 1,
};

static struct cmd_node scp_node = {
	SCP_NODE,
	"%s(config-scp)# ",
	1,
};

static struct osmo_tdef_group scp_tdef_groups[] = {
	{ .name = "scp", .desc = "tandem-scp and its TCAP layers" },
	{ .name = "ain", .desc = "AIN subsystems: their ANSI TCAP transactions", .tdefs = ain_tdefs },
	{}
};

/* All decimal digits, 1..max of them. */
static bool digits_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n < 1 || n > max)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

DEFUN(cfg_scp, cfg_scp_cmd, "scp", "Configure the SCP service logic\n")
{
	vty->node = SCP_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_country_code, cfg_country_code_cmd, "country-code DIGITS",
      "Country code for turning national numbers into E.164\n" "Country code, 1 to 3 digits (e.g. 1, 44)\n")
{
	if (!digits_ok(argv[0], sizeof(g_scp->plan.country_code) - 1) || argv[0][0] == '0') {
		vty_out(vty, "%% country code must be 1 to 3 digits, not starting with 0: '%s'%s", argv[0],
			VTY_NEWLINE);
		return CMD_WARNING;
	}
	OSMO_STRLCPY_ARRAY(g_scp->plan.country_code, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_nat_prefix, cfg_nat_prefix_cmd, "national-prefix DIGITS",
      "Trunk prefix of national numbers\n" "Prefix, 1 to 4 digits (e.g. 0, 1)\n")
{
	if (!digits_ok(argv[0], sizeof(g_scp->plan.national_prefix) - 1)) {
		vty_out(vty, "%% national prefix must be 1 to 4 digits: '%s'%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	OSMO_STRLCPY_ARRAY(g_scp->plan.national_prefix, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_no_nat_prefix, cfg_no_nat_prefix_cmd, "no national-prefix", NO_STR "Trunk prefix of national numbers\n")
{
	g_scp->plan.national_prefix[0] = '\0';
	return CMD_SUCCESS;
}

DEFUN(cfg_intl_prefix, cfg_intl_prefix_cmd, "international-prefix DIGITS",
      "Prefix of international numbers\n" "Prefix, 1 to 5 digits (e.g. 00, 011)\n")
{
	if (!digits_ok(argv[0], sizeof(g_scp->plan.international_prefix) - 1)) {
		vty_out(vty, "%% international prefix must be 1 to 5 digits: '%s'%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	OSMO_STRLCPY_ARRAY(g_scp->plan.international_prefix, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_no_intl_prefix, cfg_no_intl_prefix_cmd, "no international-prefix",
      NO_STR "Prefix of international numbers\n")
{
	g_scp->plan.international_prefix[0] = '\0';
	return CMD_SUCCESS;
}

DEFUN(cfg_nat_len, cfg_nat_len_cmd, "national-length <0-15>",
      "Digits of a national significant number\n" "Length, 0 for any\n")
{
	g_scp->plan.national_len = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_cs7, cfg_cs7_cmd, "cs7-instance <0-15>",
      "cs7 instance whose SCCP the SCP uses\n" "Instance number\n")
{
	if (g_scp->started && (uint32_t)atoi(argv[0]) != g_scp->cs7_instance) {
		vty_out(vty, "%% the cs7 instance takes effect after a restart%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	g_scp->cs7_instance = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ssn, cfg_ssn_cmd, "ssn <2-254> (cap|inap|ain)",
      "Serve an SCCP subsystem\n" "Subsystem number (CAP: 146)\n" "CAP v2/v3/v4\n" "INAP CS-1\n"
      "AIN 0.1/0.2 (ANSI TCAP)\n")
{
	struct scp_ssn *s = scp_ssn_find(g_scp, atoi(argv[0]));
	enum scp_proto p;

	if (scp_proto_from_name(&p, argv[1])) {
		vty_out(vty, "%% unknown protocol '%s'%s", argv[1], VTY_NEWLINE);
		return CMD_WARNING;
	}
	if (s) {
		if (s->proto != p && g_scp->started) {
			vty_out(vty, "%% ssn %s already serves %s; changing it takes a restart%s", argv[0],
				scp_proto_name(s->proto), VTY_NEWLINE);
			return CMD_WARNING;
		}
		s->proto = p;
		return CMD_SUCCESS;
	}
	if (g_scp->started) {
		vty_out(vty, "%% a new subsystem takes effect after a restart%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	if (!scp_ssn_add(g_scp, atoi(argv[0]), p)) {
		vty_out(vty, "%% out of memory%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFUN(cfg_no_ssn, cfg_no_ssn_cmd, "no ssn <2-254>", NO_STR "Serve an SCCP subsystem\n" "Subsystem number\n")
{
	struct scp_ssn *s = scp_ssn_find(g_scp, atoi(argv[0]));

	if (!s) {
		vty_out(vty, "%% ssn %s is not configured%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	if (g_scp->started) {
		vty_out(vty, "%% removing a subsystem takes a restart%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	scp_ssn_del(g_scp, s);
	return CMD_SUCCESS;
}

static int parse_key(struct vty *vty, const char *arg, uint32_t *key)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v > 2147483647UL) {
		vty_out(vty, "%% bad service key '%s'%s", arg, VTY_NEWLINE);
		return -EINVAL;
	}
	*key = v;
	return 0;
}

#define SK_STR "Answer for a service key\n" "Service key (0..2147483647)\n"
#define MON_STR "Arm answer and disconnect event reports\n"
#define MON_STR_AIN "Arm answer (notification) and disconnect (request) events: RequestReportBCMEvent\n"

DEFUN(cfg_sk_continue, cfg_sk_continue_cmd, "service-key <0-2147483647> continue [monitor]",
      SK_STR "Let the call continue unchanged\n" MON_STR)
{
	struct scp_key_rule *r;
	uint32_t key;

	if (parse_key(vty, argv[0], &key))
		return CMD_WARNING;
	r = scp_rule_get(g_scp, key);
	if (!r)
		return CMD_WARNING;
	r->answer = SCP_ANSWER_CONTINUE;
	r->connect_to[0] = '\0';
	r->monitor = argc > 1;
	return CMD_SUCCESS;
}

DEFUN(cfg_sk_connect, cfg_sk_connect_cmd, "service-key <0-2147483647> connect NUMBER [monitor]",
      SK_STR "Route the call to a number (Connect)\n"
      "Destination: +E164 (international) or national digits\n" MON_STR)
{
	struct tcap_number n;
	struct scp_key_rule *r;
	const char *to = argv[1];
	uint32_t key;

	if (parse_key(vty, argv[0], &key))
		return CMD_WARNING;
	if (strlen(to) >= sizeof(r->connect_to) ||
	    tcap_num_from_string(&n, to, to[0] == '+' ? TCAP_NAT_INTERNATIONAL : TCAP_NAT_NATIONAL)) {
		vty_out(vty, "%% not a number to connect to: '%s' (use +E164 or national digits)%s", to,
			VTY_NEWLINE);
		return CMD_WARNING;
	}
	r = scp_rule_get(g_scp, key);
	if (!r)
		return CMD_WARNING;
	r->answer = SCP_ANSWER_CONNECT;
	OSMO_STRLCPY_ARRAY(r->connect_to, to);
	r->monitor = argc > 2;
	return CMD_SUCCESS;
}

DEFUN(cfg_sk_release, cfg_sk_release_cmd, "service-key <0-2147483647> release <1-127>",
      SK_STR "Release the call (ReleaseCall)\n" "Q.850 cause value (16 normal clearing, 21 call rejected)\n")
{
	struct scp_key_rule *r;
	uint32_t key;

	if (parse_key(vty, argv[0], &key))
		return CMD_WARNING;
	r = scp_rule_get(g_scp, key);
	if (!r)
		return CMD_WARNING;
	r->answer = SCP_ANSWER_RELEASE;
	r->connect_to[0] = '\0';
	r->release_cause = atoi(argv[1]);
	r->monitor = false;
	return CMD_SUCCESS;
}

DEFUN(cfg_no_sk, cfg_no_sk_cmd, "no service-key <0-2147483647>", NO_STR SK_STR)
{
	struct scp_key_rule *r;
	uint32_t key;

	if (parse_key(vty, argv[0], &key))
		return CMD_WARNING;
	r = (struct scp_key_rule *)scp_rule_find(g_scp, key);
	if (!r) {
		vty_out(vty, "%% service key %s has no rule%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	llist_del(&r->list);
	talloc_free(r);
	return CMD_SUCCESS;
}

/*
 * AIN: rules per trigger criteria type (AIN has no service key)
 */

#define AT_STR "Answer for an AIN trigger criteria type\n" "TriggerCriteriaType value (GR-1299, e.g. 8 npaNXXXXXX)\n" \
	"Any trigger criteria type without a rule of its own\n"

static int parse_tct(struct vty *vty, const char *arg, unsigned int *tct)
{
	if (!strcmp(arg, "any")) {
		*tct = AIN_RULE_ANY;
		return 0;
	}
	*tct = atoi(arg);
	return 0;
}

static struct ain_rule *ain_rule_for(struct vty *vty, const char *arg)
{
	struct ain_rule *r;
	unsigned int tct;

	parse_tct(vty, arg, &tct);
	r = ain_rule_get(tct);
	if (!r)
		vty_out(vty, "%% out of memory%s", VTY_NEWLINE);
	return r;
}

DEFUN(cfg_at_proceed, cfg_at_proceed_cmd, "ain-trigger (<0-255>|any) proceed [monitor]",
      AT_STR "Let the call go on unchanged: AnalyzeRoute to the dialled number (origination), "
      "AuthorizeTermination (termination)\n" MON_STR_AIN)
{
	struct ain_rule *r = ain_rule_for(vty, argv[0]);

	if (!r)
		return CMD_WARNING;
	r->answer = AIN_ANSWER_PROCEED;
	r->connect_to[0] = '\0';
	r->monitor = argc > 1;
	return CMD_SUCCESS;
}

DEFUN(cfg_at_continue, cfg_at_continue_cmd, "ain-trigger (<0-255>|any) continue [monitor]",
      AT_STR "Continue (AIN 0.2)\n" MON_STR_AIN)
{
	struct ain_rule *r = ain_rule_for(vty, argv[0]);

	if (!r)
		return CMD_WARNING;
	r->answer = AIN_ANSWER_CONTINUE;
	r->connect_to[0] = '\0';
	r->monitor = argc > 1;
	return CMD_SUCCESS;
}

DEFUN(cfg_at_connect, cfg_at_connect_cmd, "ain-trigger (<0-255>|any) connect NUMBER [monitor]",
      AT_STR "Route the call to a number (AnalyzeRoute; origination triggers only)\n"
      "Destination: +E164 (international) or national digits\n" MON_STR_AIN)
{
	struct tcap_number n;
	struct ain_rule *r;
	const char *to = argv[1];

	if (strlen(to) >= sizeof(r->connect_to) ||
	    tcap_num_from_string(&n, to, to[0] == '+' ? TCAP_NAT_INTERNATIONAL : TCAP_NAT_NATIONAL)) {
		vty_out(vty, "%% not a number to connect to: '%s' (use +E164 or national digits)%s", to,
			VTY_NEWLINE);
		return CMD_WARNING;
	}
	r = ain_rule_for(vty, argv[0]);
	if (!r)
		return CMD_WARNING;
	r->answer = AIN_ANSWER_CONNECT;
	OSMO_STRLCPY_ARRAY(r->connect_to, to);
	r->monitor = argc > 2;
	return CMD_SUCCESS;
}

DEFUN(cfg_at_release, cfg_at_release_cmd, "ain-trigger (<0-255>|any) release <1-127>",
      AT_STR "Release the call (Disconnect)\n" "Q.850 cause value, for the call record\n")
{
	struct ain_rule *r = ain_rule_for(vty, argv[0]);

	if (!r)
		return CMD_WARNING;
	r->answer = AIN_ANSWER_RELEASE;
	r->connect_to[0] = '\0';
	r->release_cause = atoi(argv[1]);
	r->monitor = false;
	return CMD_SUCCESS;
}

DEFUN(cfg_no_at, cfg_no_at_cmd, "no ain-trigger (<0-255>|any)", NO_STR AT_STR)
{
	unsigned int tct;

	parse_tct(vty, argv[0], &tct);
	if (ain_rule_del(tct)) {
		vty_out(vty, "%% ain-trigger %s has no rule%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFUN(cfg_amaslp, cfg_amaslp_cmd, "ain-amaslp-id DIGITS",
      "AMAslpID sent with AIN answers (GR-1299 AMA service logic program id)\n" "Ten decimal digits\n")
{
	if (!digits_ok(argv[0], 10) || strlen(argv[0]) != 10) {
		vty_out(vty, "%% AMAslpID must be exactly ten digits: '%s'%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	OSMO_STRLCPY_ARRAY(g_ain.amaslp_id, argv[0]);
	return CMD_SUCCESS;
}

static void config_write_ain(struct vty *vty)
{
	const struct ain_rule *r;
	char tct[8];

	if (strcmp(g_ain.amaslp_id, AIN_AMASLP_ID_DEFAULT))
		vty_out(vty, " ain-amaslp-id %s%s", g_ain.amaslp_id, VTY_NEWLINE);
	llist_for_each_entry(r, &g_ain.rules, list) {
		if (r->tct == AIN_RULE_ANY)
			OSMO_STRLCPY_ARRAY(tct, "any");
		else
			snprintf(tct, sizeof(tct), "%u", r->tct);
		switch (r->answer) {
		case AIN_ANSWER_PROCEED:
			vty_out(vty, " ain-trigger %s proceed%s%s", tct, r->monitor ? " monitor" : "", VTY_NEWLINE);
			break;
		case AIN_ANSWER_CONTINUE:
			vty_out(vty, " ain-trigger %s continue%s%s", tct, r->monitor ? " monitor" : "", VTY_NEWLINE);
			break;
		case AIN_ANSWER_CONNECT:
			vty_out(vty, " ain-trigger %s connect %s%s%s", tct, r->connect_to, r->monitor ? " monitor" : "",
				VTY_NEWLINE);
			break;
		case AIN_ANSWER_RELEASE:
			vty_out(vty, " ain-trigger %s release %u%s", tct, r->release_cause, VTY_NEWLINE);
			break;
		}
	}
}

static int config_write_scp(struct vty *vty)
{
	const struct tcap_dialplan *p = &g_scp->plan;
	const struct scp_key_rule *r;
	const struct scp_ssn *s;

	vty_out(vty, "scp%s", VTY_NEWLINE);
	if (p->country_code[0])
		vty_out(vty, " country-code %s%s", p->country_code, VTY_NEWLINE);
	if (p->national_prefix[0])
		vty_out(vty, " national-prefix %s%s", p->national_prefix, VTY_NEWLINE);
	if (p->international_prefix[0])
		vty_out(vty, " international-prefix %s%s", p->international_prefix, VTY_NEWLINE);
	if (p->national_len)
		vty_out(vty, " national-length %u%s", p->national_len, VTY_NEWLINE);
	if (g_scp->cs7_instance)
		vty_out(vty, " cs7-instance %u%s", g_scp->cs7_instance, VTY_NEWLINE);
	llist_for_each_entry(s, &g_scp->ssns, list)
		vty_out(vty, " ssn %u %s%s", s->ssn, scp_proto_name(s->proto), VTY_NEWLINE);
	llist_for_each_entry(r, &g_scp->rules, list) {
		switch (r->answer) {
		case SCP_ANSWER_CONTINUE:
			vty_out(vty, " service-key %u continue%s%s", r->service_key, r->monitor ? " monitor" : "",
				VTY_NEWLINE);
			break;
		case SCP_ANSWER_CONNECT:
			vty_out(vty, " service-key %u connect %s%s%s", r->service_key, r->connect_to,
				r->monitor ? " monitor" : "", VTY_NEWLINE);
			break;
		case SCP_ANSWER_RELEASE:
			vty_out(vty, " service-key %u release %u%s", r->service_key, r->release_cause, VTY_NEWLINE);
			break;
		}
	}
	config_write_ain(vty);
	osmo_tdef_vty_groups_write(vty, " ");
	return CMD_SUCCESS;
}

struct show_dlg_ctx {
	struct vty *vty;
	const struct scp_ssn *s;
	unsigned int n;
};

static void show_one_dlg(struct tcap_dlg *dlg, void *data)
{
	struct show_dlg_ctx *c = data;
	struct vty *vty = c->vty;
	const struct tcap_oid *ac = tcap_dlg_ac(dlg);
	char acs[64] = "-";

	if (ac)
		tcap_oid_to_str(acs, sizeof(acs), ac);
	vty_out(vty, " ssn %u %s state=%s ac=%s age=%.1fs%s", c->s->ssn, tcap_dlg_name(dlg),
		tcap_dlg_state_name(tcap_dlg_state(dlg)), acs, tcap_dlg_age(dlg), VTY_NEWLINE);
	c->n++;
}

DEFUN(show_dialogues, show_dialogues_cmd, "show dialogues", SHOW_STR "Live TCAP dialogues\n")
{
	struct show_dlg_ctx c = { .vty = vty };
	struct scp_ssn *s;

	llist_for_each_entry(s, &g_scp->ssns, list) {
		if (!s->tsl)
			continue;
		c.s = s;
		tcap_tsl_foreach(s->tsl, show_one_dlg, &c);
	}
	vty_out(vty, "%u dialogues%s", c.n, VTY_NEWLINE);
	return CMD_SUCCESS;
}

DEFUN(show_calls, show_calls_cmd, "show calls [<1-64>]", SHOW_STR "Last calls seen by the SCP\n"
      "How many (default 20)\n")
{
	scp_call_events_vty_show(vty, argc ? atoi(argv[0]) : 20);
	return CMD_SUCCESS;
}

int scp_vty_init(struct scp *scp)
{
	scp_tdef_groups[0].tdefs = scp->tdefs;
	ain_cfg_init(scp);

	install_element(CONFIG_NODE, &cfg_scp_cmd);
	install_node(&scp_node, config_write_scp);
	install_element(SCP_NODE, &cfg_country_code_cmd);
	install_element(SCP_NODE, &cfg_nat_prefix_cmd);
	install_element(SCP_NODE, &cfg_no_nat_prefix_cmd);
	install_element(SCP_NODE, &cfg_intl_prefix_cmd);
	install_element(SCP_NODE, &cfg_no_intl_prefix_cmd);
	install_element(SCP_NODE, &cfg_nat_len_cmd);
	install_element(SCP_NODE, &cfg_cs7_cmd);
	install_element(SCP_NODE, &cfg_ssn_cmd);
	install_element(SCP_NODE, &cfg_no_ssn_cmd);
	install_element(SCP_NODE, &cfg_sk_continue_cmd);
	install_element(SCP_NODE, &cfg_sk_connect_cmd);
	install_element(SCP_NODE, &cfg_sk_release_cmd);
	install_element(SCP_NODE, &cfg_no_sk_cmd);
	install_element(SCP_NODE, &cfg_at_proceed_cmd);
	install_element(SCP_NODE, &cfg_at_continue_cmd);
	install_element(SCP_NODE, &cfg_at_connect_cmd);
	install_element(SCP_NODE, &cfg_at_release_cmd);
	install_element(SCP_NODE, &cfg_no_at_cmd);
	install_element(SCP_NODE, &cfg_amaslp_cmd);
	osmo_tdef_vty_groups_init(SCP_NODE, scp_tdef_groups);

	install_element_ve(&show_dialogues_cmd);
	install_element_ve(&show_calls_cmd);
	return 0;
}
