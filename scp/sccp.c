/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-scp on SCCP: one libosmo-sigtran SCCP user per configured subsystem on
 * the `cs7 instance` of the config file. N-UNITDATA.ind goes to the subsystem's
 * TCAP layer; the layer's messages go back as N-UNITDATA.req to the address the
 * dialogue came from, with the address it was sent to as ours. */

#include <errno.h>
#include <string.h>

#include <osmocom/core/msgb.h>
#include <osmocom/core/prim.h>
#include <osmocom/sigtran/osmo_ss7.h>
#include <osmocom/sigtran/sccp_helpers.h>
#include <osmocom/sigtran/sccp_sap.h>

#include "ain_service.h"
#include "scp.h"

/* The peer address blob the TCAP layer keeps per dialogue. */
struct scp_peer {
	struct osmo_sccp_addr remote;	/* calling address of the switch */
	struct osmo_sccp_addr local;	/* called address the switch used for us */
};

static int tsl_tx(struct tcap_tsl *tsl, const void *addr, const uint8_t *buf, size_t len)
{
	struct scp_ssn *s = tcap_tsl_priv(tsl);
	const struct scp_peer *p = addr;

	if (!s->scu)
		return -ENOTCONN;
	return osmo_sccp_tx_unitdata(s->scu, &p->local, &p->remote, buf, len) < 0 ? -EIO : 0;
}

static int sccp_prim_cb(struct osmo_prim_hdr *oph, void *_scu)
{
	struct osmo_sccp_user *scu = _scu;
	struct scp_ssn *s = osmo_sccp_user_get_priv(scu);
	struct osmo_scu_prim *prim = (struct osmo_scu_prim *)oph;
	struct scp_peer peer;

	switch (OSMO_PRIM_HDR(oph)) {
	case OSMO_PRIM(OSMO_SCU_PRIM_N_UNITDATA, PRIM_OP_INDICATION):
		memset(&peer, 0, sizeof(peer));
		peer.remote = prim->u.unitdata.calling_addr;
		peer.local = prim->u.unitdata.called_addr;
		if (!s || !s->tsl)
			break;
		tcap_tsl_rx(s->tsl, &peer, msgb_l2(oph->msg), msgb_l2len(oph->msg));
		scp_update_stats(g_scp);
		break;
	case OSMO_PRIM(OSMO_SCU_PRIM_N_NOTICE, PRIM_OP_INDICATION):
		LOGP(DSCP, LOGL_NOTICE, "ssn %u: N-NOTICE.ind cause %u: a message of ours was not delivered\n",
		     s ? s->ssn : 0, prim->u.notice.cause);
		break;
	default:
		LOGP(DSCP, LOGL_DEBUG, "ssn %u: %s ignored\n", s ? s->ssn : 0, osmo_scu_prim_name(oph));
		break;
	}
	msgb_free(oph->msg);
	return 0;
}

static int ssn_start(struct scp *scp, struct scp_ssn *s)
{
	char name[32];
	struct tcap_tsl_cfg cfg = {
		.variant = TCAP_ITU,
		.index = s->ssn,
		.addr_size = sizeof(struct scp_peer),
		.tdefs = scp->tdefs,
		.log_subsys = DTCAP,
		.priv = s,
		.tx = tsl_tx,
	};

	snprintf(name, sizeof(name), "ssn%u", s->ssn);
	cfg.name = name;
	switch (s->proto) {
	case SCP_PROTO_CAP:
	case SCP_PROTO_INAP:
		cfg.check_ac = scp_cap_check_ac;
		cfg.ind = scp_cap_ind;
		cfg.user_size = scp_cap_svc_size;
		break;
	case SCP_PROTO_AIN:
		/* ANSI TCAP (T1.114) with the AIN transactions' own timers */
		cfg.variant = TCAP_ANSI;
		cfg.tdefs = ain_tdefs;
		cfg.check_ac = scp_ain_check_ac;
		cfg.ind = scp_ain_ind;
		cfg.user_size = scp_ain_svc_size;
		break;
	}
	s->tsl = tcap_tsl_alloc(s, &cfg);
	if (!s->tsl)
		return -ENOMEM;
	s->scu = osmo_sccp_user_bind(scp->sccp, name, sccp_prim_cb, s->ssn);
	if (!s->scu) {
		LOGP(DSCP, LOGL_ERROR, "ssn %u: cannot bind an SCCP user (already bound?)\n", s->ssn);
		tcap_tsl_free(s->tsl);
		s->tsl = NULL;
		return -EADDRINUSE;
	}
	osmo_sccp_user_set_priv(s->scu, s);
	LOGP(DSCP, LOGL_NOTICE, "ssn %u: serving %s\n", s->ssn, scp_proto_name(s->proto));
	return 0;
}

/* The ASP protocol of the configured AS (the carrier's cs7 config decides), M3UA by default. */
static enum osmo_ss7_asp_protocol configured_proto(uint32_t inst_id)
{
	struct osmo_ss7_instance *inst = osmo_ss7_instance_find(inst_id);
	struct osmo_ss7_as *as;

	if (inst) {
		llist_for_each_entry(as, &inst->as_list, list)
			return as->cfg.proto;
	}
	return OSMO_SS7_ASP_PROT_M3UA;
}

int scp_sccp_start(struct scp *scp)
{
	struct scp_ssn *s;
	int rc;

	if (llist_empty(&scp->ssns)) {
		LOGP(DSCP, LOGL_ERROR, "no subsystem configured (scp / ssn N cap|inap|ain)\n");
		return -EINVAL;
	}
	/* default point code 0.23.1 (ITU 3.8.3) only when the cs7 config has none */
	scp->sccp = osmo_sccp_simple_client_on_ss7_id(scp->ctx, scp->cs7_instance, "tandem-scp", (23 << 3) + 1,
						      configured_proto(scp->cs7_instance), 0, NULL, 0, NULL);
	if (!scp->sccp) {
		LOGP(DSCP, LOGL_ERROR, "cannot set up SCCP on cs7 instance %u\n", scp->cs7_instance);
		return -EINVAL;
	}
	llist_for_each_entry(s, &scp->ssns, list) {
		rc = ssn_start(scp, s);
		if (rc)
			return rc;
	}
	scp->started = true;
	return 0;
}

void scp_sccp_stop(struct scp *scp)
{
	struct scp_ssn *s;

	llist_for_each_entry(s, &scp->ssns, list) {
		/* abort what is left towards the switches while the link is still up */
		tcap_tsl_free(s->tsl);
		s->tsl = NULL;
		if (s->scu)
			osmo_sccp_user_unbind(s->scu);
		s->scu = NULL;
	}
	scp->started = false;
}
