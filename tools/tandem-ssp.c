/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp: the SSP/MSC side on the same stack as tandem-scp (libosmo-sigtran SCCP
 * from a cs7 config file). This first part does `send-raw HEX`: send one hand-built
 * TCAP message to the SCP and print every TCAP message that comes back (one hex line
 * each) until --wait seconds pass without one. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

#include "config.h"

static const struct log_info_cat log_cats[] = {
	[0] = { .name = "DSSP", .description = "tandem-ssp", .enabled = 1, .loglevel = LOGL_NOTICE },
};

static const struct log_info log_info = { .cat = log_cats, .num_cat = ARRAY_SIZE(log_cats) };

static struct vty_app_info vty_info = {
	.name = "tandem-ssp",
	.version = PACKAGE_VERSION,
	.go_parent_cb = osmo_ss7_vty_go_parent,
};

static struct {
	const char *config;
	const char *remote_pc;
	unsigned int remote_ssn, local_ssn;
	unsigned int wait_s;
} opt = { "ssp.cfg", "0.23.1", 146, 146, 2 };

static unsigned int received;
static struct timespec last_rx;

static void usage(void)
{
	printf("Usage: tandem-ssp [-c ssp.cfg] [--remote-pc PC] [--remote-ssn N] [--local-ssn N] [--wait S]\n"
	       "                  send-raw HEX\n"
	       "Sends one TCAP message to the SCP and prints each TCAP message received (hex),\n"
	       "until S seconds (default 2) pass without one.\n");
}

static int prim_cb(struct osmo_prim_hdr *oph, void *scu)
{
	struct osmo_scu_prim *prim = (struct osmo_scu_prim *)oph;
	unsigned int i;

	if (OSMO_PRIM_HDR(oph) == OSMO_PRIM(OSMO_SCU_PRIM_N_UNITDATA, PRIM_OP_INDICATION)) {
		printf("rx ssn=%u ", prim->u.unitdata.calling_addr.ssn);
		for (i = 0; i < msgb_l2len(oph->msg); i++)
			printf("%02x", ((const uint8_t *)msgb_l2(oph->msg))[i]);
		printf("\n");
		fflush(stdout);
		received++;
		clock_gettime(CLOCK_MONOTONIC, &last_rx);
	}
	msgb_free(oph->msg);
	return 0;
}

static int unhex(uint8_t *out, size_t size, const char *hex)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (*hex == ' ' || *hex == ':')
			continue;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if ((*hex | 0x20) >= 'a' && (*hex | 0x20) <= 'f')
			v = (*hex | 0x20) - 'a' + 10;
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

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "config-file", 1, NULL, 'c' },
		{ "remote-pc", 1, NULL, 'p' },
		{ "remote-ssn", 1, NULL, 'r' },
		{ "local-ssn", 1, NULL, 'l' },
		{ "wait", 1, NULL, 'w' },
		{ "help", 0, NULL, 'h' },
		{}
	};
	struct osmo_sccp_addr called, calling;
	struct osmo_sccp_instance *sccp;
	struct osmo_sccp_user *scu;
	struct osmo_ss7_instance *inst;
	struct osmo_ss7_as *as = NULL;
	struct timespec start;
	uint8_t buf[2048];
	void *ctx;
	int c, n, pc, rc = 1;

	while ((c = getopt_long(argc, argv, "c:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			opt.config = optarg;
			break;
		case 'p':
			opt.remote_pc = optarg;
			break;
		case 'r':
			opt.remote_ssn = atoi(optarg);
			break;
		case 'l':
			opt.local_ssn = atoi(optarg);
			break;
		case 'w':
			opt.wait_s = atoi(optarg);
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "send-raw")) {
		usage();
		return 2;
	}
	n = unhex(buf, sizeof(buf), argv[optind + 1]);
	if (n < 0) {
		fprintf(stderr, "not a hex string: '%s'\n", argv[optind + 1]);
		return 2;
	}

	ctx = talloc_named_const(NULL, 1, "tandem-ssp");
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
	sccp = osmo_sccp_simple_client_on_ss7_id(ctx, 0, "tandem-ssp", (23 << 3) + 2,
						 as ? as->cfg.proto : OSMO_SS7_ASP_PROT_M3UA, 0, NULL, 0, NULL);
	if (!sccp)
		goto out;
	inst = osmo_sccp_get_ss7(sccp);
	pc = osmo_ss7_pointcode_parse(inst, opt.remote_pc);
	if (pc < 0) {
		fprintf(stderr, "bad point code '%s'\n", opt.remote_pc);
		goto out;
	}
	scu = osmo_sccp_user_bind(sccp, "ssp", prim_cb, opt.local_ssn);
	if (!scu)
		goto out;
	if (!as)
		as = llist_first_entry(&inst->as_list, struct osmo_ss7_as, list);

	/* wait (at most 5 s) for the link to the STP to come up */
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!osmo_ss7_as_active(as) && since(&start) < 5)
		osmo_select_main_ctx(1), nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	if (!osmo_ss7_as_active(as)) {
		fprintf(stderr, "the link to the STP did not come up\n");
		goto out;
	}
	osmo_sccp_make_addr_pc_ssn(&called, pc, opt.remote_ssn);
	osmo_sccp_local_addr_by_instance(&calling, sccp, opt.local_ssn);
	if (osmo_sccp_tx_unitdata(scu, &calling, &called, buf, n) < 0) {
		fprintf(stderr, "cannot send\n");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &last_rx);
	while (since(&last_rx) < opt.wait_s)
		osmo_select_main_ctx(1), nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	printf("received %u\n", received);
	rc = 0;
out:
	inst = osmo_ss7_instance_find(0);
	if (inst)
		osmo_ss7_instance_destroy(inst);
	log_fini();
	talloc_free(ctx);
	return rc;
}
