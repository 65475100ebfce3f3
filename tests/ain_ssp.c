/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* ain_ssp: the AIN switch side of the tandem-scp integration tests, on the same
 * stack (libosmo-sigtran SCCP from a cs7 config, the ANSI TCAP sublayers, the AIN
 * codecs). It plays one scenario against the SCP and prints every message it
 * receives, decoded, without transaction ids (they change from run to run):
 *
 *   ain_ssp -c ssp.cfg [--ssn N] [--remote-pc PC] SCENARIO [options]
 *   SCENARIO: orig | term    a trigger (InfoAnalyzed / TerminationAttempt); when the
 *                            SCP arms events: answer, then disconnect
 *             abort          orig, then the switch aborts after the SCP's Conversation
 *             silent         orig, then the switch never reports (the SCP times out)
 *             unknown-op     a Query with operation 0x6999
 *             raw HEX        one hand-built package (malformed, unknown transaction)
 *   options: --calling N --called N --withheld --tct N --answer-after S --hold S --wait S
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/select.h>
#include <osmocom/core/utils.h>
#include <osmocom/sigtran/osmo_ss7.h>
#include <osmocom/sigtran/sccp_helpers.h>
#include <osmocom/sigtran/sccp_sap.h>
#include <osmocom/vty/logging.h>
#include <osmocom/vty/vty.h>

#include <tandem/ain.h>
#include <tandem/tcap_msg.h>
#include <tandem/tcap_tsl.h>

static const struct log_info_cat log_cats[] = {
	[0] = { .name = "DSSP", .description = "ain_ssp", .enabled = 1, .loglevel = LOGL_NOTICE },
};

static const struct log_info log_info = { .cat = log_cats, .num_cat = ARRAY_SIZE(log_cats) };

static struct vty_app_info vty_info = {
	.name = "ain_ssp",
	.go_parent_cb = osmo_ss7_vty_go_parent,
};

static struct {
	const char *config, *remote_pc, *scenario, *raw;
	const char *calling, *called;
	unsigned int ssn, tct, answer_after, hold, wait_s;
	bool withheld;
} opt = { "ssp.cfg", "0.23.1", NULL, NULL, "2015550100", "2015550123", 247, AIN_TCT_NPA_NXX_XXXX, 1, 1, 2, false };

static struct osmo_sccp_user *scu;
static struct osmo_sccp_addr called_addr, calling_addr;
static struct tcap_tsl *tsl;
static struct tcap_dlg *dlg;
static bool done;
static bool term_dir;
static int step;		/* 0 trigger sent, 1 armed, 2 answered reported, 3 disconnect reported */
static struct timespec t_next;	/* when the next report is due (monotonic), tv_sec 0: none */
static struct timespec last_rx;

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

static void schedule(unsigned int s)
{
	clock_gettime(CLOCK_MONOTONIC, &t_next);
	t_next.tv_sec += s;
}

/* One received package as a line: type, P-Abort cause, components with their arguments. */
static void print_number(const char *name, const struct tcap_number *n)
{
	printf(" %s=%s/%s", name, n->digits, tcap_num_nature_name(n->nature) ?: "?");
}

static void print_edps(const char *name, uint32_t set)
{
	unsigned int i;
	const char *sep = "";

	printf(" %s=", name);
	for (i = 0; i < AIN_EDP_COUNT; i++) {
		if (set & AIN_EDP_BIT(i)) {
			printf("%s%s", sep, ain_edp_name(i) ?: "?");
			sep = ",";
		}
	}
}

static void print_component(const struct tcap_component *c)
{
	const uint8_t *p = c->param;
	size_t l = c->param_len;

	switch (c->kind) {
	case TCAP_COMP_REJECT:
		printf("  reject problem=0x%04x\n", c->problem);
		return;
	case TCAP_COMP_RETURN_RESULT:
	case TCAP_COMP_RETURN_ERROR:
		printf("  %s\n", tcap_comp_kind_name(c->kind));
		return;
	case TCAP_COMP_INVOKE:
		break;
	}
	printf("  %s %s", c->last ? "invoke" : "invoke-not-last", ain_op_name(c->op.code) ?: "?");
	switch (c->op.code) {
	case AIN_OP_ANALYZE_ROUTE: {
		struct ain_analyze_route a;

		if (ain_analyze_route_decode(&a, p, l)) {
			printf(" UNDECODABLE");
			break;
		}
		if (a.has_called)
			print_number("called", &a.called);
		if (a.has_amaslp_id)
			printf(" amaslp=%s", a.amaslp_id);
		break;
	}
	case AIN_OP_AUTHORIZE_TERMINATION: {
		struct ain_authorize_termination a;

		if (ain_authorize_termination_decode(&a, p, l)) {
			printf(" UNDECODABLE");
			break;
		}
		if (a.has_amaslp_id)
			printf(" amaslp=%s", a.amaslp_id);
		break;
	}
	case AIN_OP_CONTINUE: {
		struct ain_continue a;

		if (ain_continue_decode(&a, p, l)) {
			printf(" UNDECODABLE");
			break;
		}
		if (a.has_amaslp_id)
			printf(" amaslp=%s", a.amaslp_id);
		break;
	}
	case AIN_OP_DISCONNECT: {
		struct ain_disconnect a;

		if (ain_disconnect_decode(&a, p, l))
			printf(" UNDECODABLE");
		break;
	}
	case AIN_OP_REQUEST_REPORT_BCM_EVENT: {
		struct ain_rrbe a;

		if (ain_rrbe_decode(&a, p, l)) {
			printf(" UNDECODABLE");
			break;
		}
		if (a.has_edp_request)
			print_edps("request", a.edp_request);
		if (a.has_edp_notification)
			print_edps("notification", a.edp_notification);
		break;
	}
	case AIN_OP_CLOSE: {
		struct ain_close a;

		if (ain_close_decode(&a, p, l)) {
			printf(" UNDECODABLE");
			break;
		}
		if (a.has_close_cause)
			printf(" cause=%s", ain_close_cause_name(a.close_cause) ?: "?");
		break;
	}
	default:
		break;
	}
	printf("\n");
}

static void print_package(const uint8_t *buf, size_t len)
{
	struct tcap_decode_err err;
	struct tcap_msg *m = NULL;
	unsigned int i;

	if (tcap_msg_decode(NULL, &m, &err, buf, len)) {
		printf("rx UNDECODABLE: %s\n", err.text);
		tcap_msg_free(m);
		return;
	}
	printf("rx %s", tcap_msg_type_name(m->type));
	if (m->has_pabort)
		printf(" p-abort=%s", tcap_pabort_name(m->variant, m->pabort_cause) ?: "?");
	else if (m->type == TCAP_MT_ABORT)
		printf(" (user abort)");
	printf("\n");
	for (i = 0; i < m->num_comp; i++)
		print_component(&m->comp[i]);
	fflush(stdout);
	tcap_msg_free(m);
}

static int tsl_tx(struct tcap_tsl *t, const void *addr, const uint8_t *buf, size_t len)
{
	(void)t;
	(void)addr;
	return osmo_sccp_tx_unitdata(scu, &calling_addr, &called_addr, buf, len) < 0 ? -EIO : 0;
}

static void ind_cb(struct tcap_tsl *t, struct tcap_dlg *d, const struct tcap_ind *ind)
{
	unsigned int i;

	(void)t;
	switch (ind->kind) {
	case TCAP_IND_CONTINUE:
		for (i = 0; i < ind->num_comp; i++)
			if (ind->comp[i]->kind == TCAP_COMP_INVOKE &&
			    ind->comp[i]->op.code == AIN_OP_REQUEST_REPORT_BCM_EVENT)
				step = 1;
		if (step == 1 && !strcmp(opt.scenario, "abort")) {
			printf("tx abort\n");
			tcap_dlg_u_abort(d);
			dlg = NULL;
			done = true;
		} else if (step == 1 && strcmp(opt.scenario, "silent")) {
			schedule(opt.answer_after);
		}
		break;
	case TCAP_IND_END:
	case TCAP_IND_U_ABORT:
	case TCAP_IND_P_ABORT:
		dlg = NULL;
		done = true;
		break;
	case TCAP_IND_TIMEOUT:
		tcap_dlg_u_abort(d);
		dlg = NULL;
		done = true;
		break;
	default:
		break;
	}
}

static int prim_cb(struct osmo_prim_hdr *oph, void *_scu)
{
	(void)_scu;
	if (OSMO_PRIM_HDR(oph) == OSMO_PRIM(OSMO_SCU_PRIM_N_UNITDATA, PRIM_OP_INDICATION)) {
		clock_gettime(CLOCK_MONOTONIC, &last_rx);
		print_package(msgb_l2(oph->msg), msgb_l2len(oph->msg));
		if (tsl)
			tcap_tsl_rx(tsl, "", msgb_l2(oph->msg), msgb_l2len(oph->msg));
	}
	msgb_free(oph->msg);
	return 0;
}

static int number(struct tcap_number *n, const char *digits, bool withheld)
{
	if (tcap_num_from_string(n, digits, TCAP_NAT_NATIONAL))
		return -EINVAL;
	if (withheld)
		n->pres = TCAP_PRES_RESTRICTED;
	return 0;
}

/* Send the trigger (or an unknown operation) in a QueryWithPerm. */
static int send_query(void)
{
	struct ain_trigger t = { .user_id = { .kind = AIN_UID_DN }, .bearer_cap = AIN_BC_SPEECH };
	struct tcap_opcode op = { .kind = TCAP_OP_PRIVATE };
	uint8_t p[512];
	size_t len;
	int rc;

	term_dir = !strcmp(opt.scenario, "term");
	OSMO_STRLCPY_ARRAY(t.user_id.dn, term_dir ? opt.called : opt.calling);
	t.has_called = true;
	t.has_calling = true;
	t.has_tct = true;
	t.tct = term_dir ? AIN_TCT_TERMINATION_ATTEMPT : opt.tct;
	if (number(&t.called, opt.called, false) || number(&t.calling, opt.calling, opt.withheld))
		return -EINVAL;
	if (term_dir) {
		op.code = AIN_OP_TERMINATION_ATTEMPT;
		rc = ain_termination_attempt_encode(p, sizeof(p), &len, &t);
	} else {
		t.has_charge_number = true;
		number(&t.charge_number, opt.calling, false);
		t.has_lata = true;
		number(&t.lata, "224", false);
		op.code = AIN_OP_INFO_ANALYZED;
		rc = ain_info_analyzed_encode(p, sizeof(p), &len, &t);
	}
	if (rc)
		return rc;
	if (!strcmp(opt.scenario, "unknown-op"))
		op.code = 0x6999;
	dlg = tcap_dlg_alloc(tsl, "");
	if (!dlg)
		return -ENOMEM;
	rc = tcap_dlg_invoke(dlg, &op, p, len, 0, false);
	if (rc < 0)
		return rc;
	printf("tx query_with_perm %s%s\n", ain_op_name(op.code) ?: "operation 0x6999",
	       opt.withheld ? " (calling number withheld)" : "");
	return tcap_dlg_begin(dlg, NULL);
}

/* The next event report of a monitored call. */
static void report(void)
{
	struct ain_event e = { .user_id = { .kind = AIN_UID_DN }, .bearer_cap = AIN_BC_SPEECH };
	struct tcap_opcode op = { .kind = TCAP_OP_PRIVATE };
	uint8_t p[256];
	size_t len;
	int rc;

	t_next.tv_sec = 0;
	OSMO_STRLCPY_ARRAY(e.user_id.dn, term_dir ? opt.called : opt.calling);
	if (step == 1) {
		op.code = term_dir ? AIN_OP_T_ANSWER : AIN_OP_O_ANSWER;
		rc = (term_dir ? ain_t_answer_encode : ain_o_answer_encode)(p, sizeof(p), &len, &e);
		step = 2;
		schedule(opt.hold);
	} else {
		op.code = term_dir ? AIN_OP_T_DISCONNECT : AIN_OP_O_DISCONNECT;
		rc = (term_dir ? ain_t_disconnect_encode : ain_o_disconnect_encode)(p, sizeof(p), &len, &e);
		step = 3;
	}
	if (rc || tcap_dlg_invoke(dlg, &op, p, len, 0, false) < 0 || tcap_dlg_continue(dlg)) {
		printf("cannot send %s\n", ain_op_name(op.code));
		done = true;
		return;
	}
	printf("tx conversation_with_perm %s\n", ain_op_name(op.code));
}

static int unhex(uint8_t *out, size_t size, const char *hex)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (*hex == ' ')
			continue;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else
			return -EINVAL;
		if (hi < 0) {
			hi = v;
		} else {
			if (n == size)
				return -ENOSPC;
			out[n++] = hi << 4 | v;
			hi = -1;
		}
	}
	return hi < 0 && n ? (int)n : -EINVAL;
}

static void usage(void)
{
	printf("Usage: ain_ssp [-c ssp.cfg] [--ssn N] [--remote-pc PC] orig|term|abort|silent|unknown-op|raw HEX\n"
	       "               [--calling N] [--called N] [--withheld] [--tct N] [--answer-after S] [--hold S]\n"
	       "               [--wait S]\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "ssn", 1, NULL, 's' },
		{ "remote-pc", 1, NULL, 'p' },
		{ "calling", 1, NULL, 'a' },
		{ "called", 1, NULL, 'b' },
		{ "withheld", 0, NULL, 'W' },
		{ "tct", 1, NULL, 't' },
		{ "answer-after", 1, NULL, 'A' },
		{ "hold", 1, NULL, 'H' },
		{ "wait", 1, NULL, 'w' },
		{}
	};
	struct tcap_tsl_cfg cfg = {
		.variant = TCAP_ANSI,
		.name = "ssp",
		.addr_size = 1,
		.tdefs = tcap_tsl_tdefs,
		.log_subsys = 0,
		/* ids of our own, apart from the SCP's (both derive theirs from the clock) */
		.tid_seed = 0x5a000000u + (uint32_t)getpid(),
		.tx = tsl_tx,
		.ind = ind_cb,
	};
	struct osmo_sccp_instance *sccp;
	struct osmo_ss7_instance *inst;
	struct osmo_ss7_as *as = NULL;
	struct timespec start;
	uint8_t raw[512];
	int c, n = 0, pc, rc = 1;
	void *ctx;

	while ((c = getopt_long(argc, argv, "c:", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			opt.config = optarg;
			break;
		case 's':
			opt.ssn = atoi(optarg);
			break;
		case 'p':
			opt.remote_pc = optarg;
			break;
		case 'a':
			opt.calling = optarg;
			break;
		case 'b':
			opt.called = optarg;
			break;
		case 'W':
			opt.withheld = true;
			break;
		case 't':
			opt.tct = atoi(optarg);
			break;
		case 'A':
			opt.answer_after = atoi(optarg);
			break;
		case 'H':
			opt.hold = atoi(optarg);
			break;
		case 'w':
			opt.wait_s = atoi(optarg);
			break;
		default:
			usage();
			return 2;
		}
	}
	if (argc - optind < 1) {
		usage();
		return 2;
	}
	opt.scenario = argv[optind];
	if (!strcmp(opt.scenario, "raw")) {
		if (argc - optind != 2 || (n = unhex(raw, sizeof(raw), argv[optind + 1])) < 0) {
			usage();
			return 2;
		}
	} else if (strcmp(opt.scenario, "orig") && strcmp(opt.scenario, "term") && strcmp(opt.scenario, "abort") &&
		   strcmp(opt.scenario, "silent") && strcmp(opt.scenario, "unknown-op")) {
		usage();
		return 2;
	}

	ctx = talloc_named_const(NULL, 1, "ain_ssp");
	msgb_talloc_ctx_init(ctx, 0);
	osmo_init_logging2(ctx, &log_info);
	log_set_print_filename2(osmo_stderr_target, LOG_FILENAME_NONE);
	vty_info.tall_ctx = ctx;
	vty_init(&vty_info);
	logging_vty_add_cmds();
	if (osmo_ss7_init() < 0)
		goto out;
	osmo_ss7_vty_init_asp(ctx);
	osmo_sccp_vty_init();
	if (vty_read_config_file(opt.config, NULL) < 0) {
		fprintf(stderr, "cannot read the config file '%s'\n", opt.config);
		goto out;
	}
	inst = osmo_ss7_instance_find(0);
	if (inst && !llist_empty(&inst->as_list))
		as = llist_first_entry(&inst->as_list, struct osmo_ss7_as, list);
	sccp = osmo_sccp_simple_client_on_ss7_id(ctx, 0, "ain_ssp", (23 << 3) + 2,
						 as ? as->cfg.proto : OSMO_SS7_ASP_PROT_M3UA, 0, NULL, 0, NULL);
	if (!sccp)
		goto out;
	inst = osmo_sccp_get_ss7(sccp);
	pc = osmo_ss7_pointcode_parse(inst, opt.remote_pc);
	if (pc < 0) {
		fprintf(stderr, "bad point code '%s'\n", opt.remote_pc);
		goto out;
	}
	scu = osmo_sccp_user_bind(sccp, "ssp", prim_cb, opt.ssn);
	if (!scu)
		goto out;
	if (!as)
		as = llist_first_entry(&inst->as_list, struct osmo_ss7_as, list);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!osmo_ss7_as_active(as) && since(&start) < 5)
		osmo_select_main_ctx(1), nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	if (!osmo_ss7_as_active(as)) {
		fprintf(stderr, "the link to the STP did not come up\n");
		goto out;
	}
	osmo_sccp_make_addr_pc_ssn(&called_addr, pc, opt.ssn);
	osmo_sccp_local_addr_by_instance(&calling_addr, sccp, opt.ssn);

	if (n > 0) {
		printf("tx raw\n");
		if (osmo_sccp_tx_unitdata(scu, &calling_addr, &called_addr, raw, n) < 0)
			goto out;
	} else {
		tsl = tcap_tsl_alloc(ctx, &cfg);
		if (!tsl || send_query()) {
			fprintf(stderr, "cannot send the query\n");
			goto out;
		}
	}
	/* run until the transaction is over and --wait seconds pass without a message
	 * (bounded: at most 60 s) */
	clock_gettime(CLOCK_MONOTONIC, &last_rx);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (since(&start) < 60 && (!done || since(&last_rx) < opt.wait_s) &&
	       (tsl || since(&last_rx) < opt.wait_s)) {
		osmo_select_main_ctx(1);
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
		if (t_next.tv_sec && since(&t_next) >= 0 && dlg)
			report();
	}
	printf("done\n");
	rc = 0;
out:
	if (tsl)
		tcap_tsl_free(tsl);
	inst = osmo_ss7_instance_find(0);
	if (inst)
		osmo_ss7_instance_destroy(inst);
	log_fini();
	talloc_free(ctx);
	return rc;
}
