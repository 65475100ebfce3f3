/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp's stack: a libosmo-sigtran SCCP user on the cs7 instance of the config
 * file, talking to one remote point code and subsystem, and (for calls) a TCAP layer
 * of include/tandem/tcap_tsl.h on top. Every TCAP message received is printed on
 * stdout as one tandem-decode JSON object before anything else happens with it. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <talloc.h>

#include <osmocom/core/msgb.h>
#include <osmocom/core/select.h>
#include <osmocom/core/utils.h>
#include <osmocom/sigtran/osmo_ss7.h>
#include <osmocom/sigtran/sccp_helpers.h>

#include "ssp.h"

/* The peer address blob of the TCAP layer: we only ever talk to one peer. */
struct ssp_peer {
	struct osmo_sccp_addr remote;
	struct osmo_sccp_addr local;
};

static struct ssp_peer peer;

const void *ssp_peer(struct ssp *ssp)
{
	peer.remote = ssp->remote;
	peer.local = ssp->local;
	return &peer;
}

void ssp_note(const char *fmt, ...)
{
	va_list ap;

	fputs("tandem-ssp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void ssp_finish(struct ssp *ssp, int exit_code, const char *fmt, ...)
{
	va_list ap;

	if (ssp->done)
		return;
	ssp->done = true;
	ssp->exit_code = exit_code;
	va_start(ap, fmt);
	vsnprintf(ssp->reason, sizeof(ssp->reason), fmt, ap);
	va_end(ap);
}

void ssp_timer_schedule(struct osmo_timer_list *t, double seconds)
{
	long whole;

	if (seconds < 0)
		seconds = 0;
	whole = (long)seconds;
	osmo_timer_schedule(t, whole, (long)((seconds - whole) * 1e6));
}

int ssp_parse_protocol(enum td_proto *out, const char *text)
{
	if (td_proto_from_name(out, text) || *out == TD_PROTO_UNKNOWN) {
		fprintf(stderr, "tandem-ssp: unknown protocol '%s'\n", text);
		return -EINVAL;
	}
	return 0;
}

int ssp_parse_direction(bool *term, const char *text)
{
	if (strcmp(text, "orig") && strcmp(text, "term")) {
		fprintf(stderr, "tandem-ssp: --direction is orig or term, not '%s'\n", text);
		return -EINVAL;
	}
	*term = !strcmp(text, "term");
	return 0;
}

int ssp_parse_number(struct tcap_number *out, const char *text)
{
	return tcap_num_from_string(out, text, text[0] == '+' ? TCAP_NAT_INTERNATIONAL : TCAP_NAT_NATIONAL);
}

static const char *err_kind_name(enum tcap_err_kind k)
{
	switch (k) {
	case TCAP_ERR_PABORT:
		return "p_abort";
	case TCAP_ERR_REJECT:
		return "reject";
	case TCAP_ERR_DIALOGUE:
		return "dialogue";
	default:
		return "none";
	}
}

/* One received message as a JSON line on stdout (also when it does not decode). */
static void print_rx(struct ssp *ssp, const uint8_t *buf, size_t len)
{
	struct tcap_decode_err err;
	struct tcap_msg *m = NULL;
	json_t *j, *e;
	char *hex;
	int rc;

	rc = tcap_msg_decode(ssp->ctx, &m, &err, buf, len);
	if (m)
		j = td_msg_to_json(m, td_guess_proto(m, &ssp->td, ssp->print_hint), &ssp->td);
	else
		j = json_object();
	if (!j) {
		tcap_msg_free(m);
		return;
	}
	if (rc) {
		e = json_object();
		json_object_set_new(e, "kind", json_string(err_kind_name(err.kind)));
		json_object_set_new(e, "message", json_string(err.text));
		json_object_set_new(j, "error", e);
	}
	if (ssp->opt.hex || !m) {
		hex = talloc_size(ssp->ctx, 2 * len + 1);
		if (hex) {
			osmo_hexdump_buf(hex, 2 * len + 1, buf, len, "", true);
			json_object_set_new(j, "hex", json_string(hex));
			talloc_free(hex);
		}
	}
	if (json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) == 0)
		putchar('\n');
	fflush(stdout);
	json_decref(j);
	tcap_msg_free(m);
}

static int prim_cb(struct osmo_prim_hdr *oph, void *_scu)
{
	struct osmo_sccp_user *scu = _scu;
	struct ssp *ssp = osmo_sccp_user_get_priv(scu);
	struct osmo_scu_prim *prim = (struct osmo_scu_prim *)oph;

	switch (OSMO_PRIM_HDR(oph)) {
	case OSMO_PRIM(OSMO_SCU_PRIM_N_UNITDATA, PRIM_OP_INDICATION):
		ssp->received++;
		if (ssp->rx_raw) {
			ssp->rx_raw(ssp, &prim->u.unitdata, msgb_l2(oph->msg), msgb_l2len(oph->msg));
			break;
		}
		if (!ssp->quiet)
			print_rx(ssp, msgb_l2(oph->msg), msgb_l2len(oph->msg));
		if (ssp->on_rx)
			ssp->on_rx(ssp);
		if (ssp->tsl) {
			/* answer to the address the message came from, from the one it was sent to */
			ssp->remote = prim->u.unitdata.calling_addr;
			ssp->local = prim->u.unitdata.called_addr;
			tcap_tsl_rx(ssp->tsl, ssp_peer(ssp), msgb_l2(oph->msg), msgb_l2len(oph->msg));
		}
		break;
	case OSMO_PRIM(OSMO_SCU_PRIM_N_NOTICE, PRIM_OP_INDICATION):
		if (ssp->quiet) {
			ssp->notices++;
			break;
		}
		ssp_note("N-NOTICE.ind cause %u: the SCP was not reached", prim->u.notice.cause);
		ssp_finish(ssp, SSP_EXIT_CALL, "the network could not deliver our message (N-NOTICE cause %u)",
			   prim->u.notice.cause);
		break;
	default:
		break;
	}
	msgb_free(oph->msg);
	return 0;
}

static int tsl_tx(struct tcap_tsl *tsl, const void *addr, const uint8_t *buf, size_t len)
{
	struct ssp *ssp = tcap_tsl_priv(tsl);
	const struct ssp_peer *p = addr;

	if (ssp->muted || !ssp->scu)
		return -ENOTCONN;
	return osmo_sccp_tx_unitdata(ssp->scu, &p->local, &p->remote, buf, len) < 0 ? -EIO : 0;
}

static enum tcap_ac_verdict ssp_check_ac(struct tcap_tsl *tsl, const struct tcap_oid *ac)
{
	/* we are the switch: nobody opens dialogues towards us */
	return TCAP_AC_REFUSE;
}

/* Polled while waiting for the link: libosmo-sigtran has no AS state callback for SCCP users. */
static void link_poll_cb(void *data)
{
}

int ssp_stack_start(struct ssp *ssp, uint16_t remote_ssn, uint16_t local_ssn, enum tcap_variant variant,
		    void (*ind)(struct tcap_tsl *, struct tcap_dlg *, const struct tcap_ind *))
{
	static struct osmo_tdef tdefs[3];
	struct osmo_ss7_instance *inst;
	struct osmo_ss7_as *as = NULL;
	struct osmo_timer_list poll = { 0 };	/* osmo_timer_setup() does not clear it */
	struct timespec start, now;
	int pc;

	inst = osmo_ss7_instance_find(0);
	if (inst && !llist_empty(&inst->as_list))
		as = llist_first_entry(&inst->as_list, struct osmo_ss7_as, list);
	/* point code 0.23.2 only when the config has none */
	ssp->sccp = osmo_sccp_simple_client_on_ss7_id(ssp->ctx, 0, "tandem-ssp", (23 << 3) + 2,
						      as ? as->cfg.proto : OSMO_SS7_ASP_PROT_M3UA, 0, NULL, 0, NULL);
	if (!ssp->sccp) {
		ssp_finish(ssp, SSP_EXIT_SETUP, "cannot set up SCCP on cs7 instance 0");
		return -EINVAL;
	}
	inst = osmo_sccp_get_ss7(ssp->sccp);
	pc = osmo_ss7_pointcode_parse(inst, ssp->opt.remote_pc);
	if (pc < 0) {
		ssp_finish(ssp, SSP_EXIT_USAGE, "bad point code '%s'", ssp->opt.remote_pc);
		return -EINVAL;
	}
	ssp->scu = osmo_sccp_user_bind(ssp->sccp, "ssp", prim_cb, local_ssn);
	if (!ssp->scu) {
		ssp_finish(ssp, SSP_EXIT_SETUP, "cannot bind SCCP subsystem %u", local_ssn);
		return -EADDRINUSE;
	}
	osmo_sccp_user_set_priv(ssp->scu, ssp);
	osmo_sccp_make_addr_pc_ssn(&ssp->remote, pc, remote_ssn);
	osmo_sccp_local_addr_by_instance(&ssp->local, ssp->sccp, local_ssn);

	if (ind) {
		struct tcap_tsl_cfg cfg = {
			.variant = variant,
			.name = "ssp",
			.index = local_ssn,
			.addr_size = sizeof(struct ssp_peer),
			.tdefs = tdefs,
			.log_subsys = 0,
			.priv = ssp,
			/* not the SCP's clock-derived ids: captures stay readable */
			.tid_seed = ((uint32_t)getpid() << 20 ^ (uint32_t)time(NULL)) | 0x80000000,
			.tx = tsl_tx,
			.check_ac = ssp_check_ac,
			.ind = ind,
		};

		/* the switch keeps a call as long as it lasts: no inactivity timer worth the name */
		memcpy(tdefs, tcap_tsl_tdefs, sizeof(tdefs[0]) * 2);
		memset(&tdefs[2], 0, sizeof(tdefs[2]));
		osmo_tdefs_reset(tdefs);
		osmo_tdef_set(tdefs, -1, 86400, OSMO_TDEF_S);
		ssp->tsl = tcap_tsl_alloc(ssp->ctx, &cfg);
		if (!ssp->tsl) {
			ssp_finish(ssp, SSP_EXIT_SETUP, "out of memory");
			return -ENOMEM;
		}
	}

	if (!as)
		as = llist_first_entry_or_null(&inst->as_list, struct osmo_ss7_as, list);
	if (!as) {
		ssp_finish(ssp, SSP_EXIT_SETUP, "the config has no AS in cs7 instance 0");
		return -EINVAL;
	}
	/* wait (bounded) for the link to the STP */
	osmo_timer_setup(&poll, link_poll_cb, NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!osmo_ss7_as_active(as)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 > ssp->opt.link_timeout_s) {
			osmo_timer_del(&poll);
			ssp_finish(ssp, SSP_EXIT_SETUP, "the link to the STP did not come up within %.1f s",
				   ssp->opt.link_timeout_s);
			return -ETIMEDOUT;
		}
		osmo_timer_schedule(&poll, 0, 20000);
		osmo_select_main_ctx(0);
	}
	osmo_timer_del(&poll);
	return 0;
}

int ssp_send_raw(struct ssp *ssp, const uint8_t *buf, size_t len)
{
	return osmo_sccp_tx_unitdata(ssp->scu, &ssp->local, &ssp->remote, buf, len) < 0 ? -EIO : 0;
}

void ssp_stack_stop(struct ssp *ssp)
{
	/* a dialogue still open is aborted towards the SCP (unless we play dead) */
	if (ssp->tsl)
		tcap_tsl_free(ssp->tsl);
	ssp->tsl = NULL;
	if (ssp->scu)
		osmo_sccp_user_unbind(ssp->scu);
	ssp->scu = NULL;
}
