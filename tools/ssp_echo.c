/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp echo: the trivial responder the SCP benchmark measures the path's ceiling with.
 *
 * Every ITU Begin is answered with one fixed End (AARE accepted for the protocol's
 * application context, Invoke Continue), every ANSI Query with one fixed Response
 * (InvokeLast AIN Continue). The answer is encoded once at start; per message only the
 * originating transaction id is copied out of the first element of the Begin/Query into
 * the answer's destination id: no decoding, no TCAP layer, no state. What is not a
 * Begin/Query (the load generator's aborts, a malformed message) is counted and dropped. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <talloc.h>

#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>
#include <osmocom/sigtran/sccp_helpers.h>
#include <osmocom/sigtran/sccp_sap.h>

#include <tandem/ain.h>
#include <tandem/cap.h>
#include <tandem/tcap_msg.h>

#include "ssp.h"
#include "ssp_load.h"

#define ECHO_MAX 256

static struct {
	uint8_t tag;			/* 0x64 End, 0xe4 Response */
	uint8_t tid_tag;		/* 0x49 DTID, 0xc7 Transaction ID */
	uint8_t tail[ECHO_MAX];		/* what follows the transaction id element */
	size_t tail_len;
	unsigned long answered, dropped, tx_err;
} echo;

/* Encode the fixed answer and keep what follows its transaction id. \returns 0 or negative errno. */
static int build_template(void *ctx, enum td_proto proto)
{
	struct tcap_msg *m;
	struct tcap_component *comp;
	uint8_t buf[ECHO_MAX], p[64];
	size_t len, plen, pos;
	const char *ac;
	int rc;

	m = tcap_msg_alloc(ctx, proto == TD_PROTO_AIN ? TCAP_ANSI : TCAP_ITU,
			   proto == TD_PROTO_AIN ? TCAP_MT_RESPONSE : TCAP_MT_END);
	if (!m)
		return -ENOMEM;
	m->has_dtid = true;
	m->dtid.len = 4;
	comp = &m->comp[0];
	m->num_comp = 1;
	comp->kind = TCAP_COMP_INVOKE;
	comp->last = true;
	comp->has_invoke_id = true;
	comp->invoke_id = 1;
	comp->has_opcode = true;
	if (proto == TD_PROTO_AIN) {
		struct ain_continue cont = { 0 };

		comp->op = (struct tcap_opcode){ .kind = TCAP_OP_PRIVATE, .code = AIN_OP_CONTINUE };
		rc = ain_continue_encode(p, sizeof(p), &plen, &cont);
		if (!rc)
			rc = tcap_comp_set_param(m, comp, p, plen);
		if (rc)
			goto out;
	} else {
		ac = proto == TD_PROTO_CAP2 ? CAP_AC_V2 : proto == TD_PROTO_CAP3 ? CAP_AC_V3 :
		     proto == TD_PROTO_CAP4 ? CAP_AC_V4 : INAP_AC_CS1_SSP_TO_SCP;
		m->dlg.pdu = TCAP_DLG_AARE;
		m->dlg.has_ac = true;
		rc = tcap_oid_from_str(&m->dlg.ac, ac);
		if (rc)
			goto out;
		m->dlg.result = 0;
		m->dlg.diag_source = TCAP_DIAG_USER;
		m->dlg.diag = 0;
		comp->op = (struct tcap_opcode){ .kind = TCAP_OP_LOCAL, .code = CAP_OP_CONTINUE };
	}
	rc = tcap_msg_encode(buf, sizeof(buf), &len, m);
	if (rc)
		goto out;
	/* tag, length (short or 0x81 form: the answer is small), then the id element */
	pos = buf[1] < 0x80 ? 2 : 3;
	echo.tag = buf[0];
	echo.tid_tag = buf[pos];
	if (pos + 2 + 4 > len || buf[pos + 1] != 4) {
		rc = -EINVAL;
		goto out;
	}
	pos += 2 + 4;
	/* echo_rx() writes the length in one or two octets (0x81 form): the answer stays below 256 */
	if (len - pos + 2 + 4 > 0xff) {
		rc = -ENOSPC;
		goto out;
	}
	echo.tail_len = len - pos;
	memcpy(echo.tail, buf + pos, echo.tail_len);
out:
	tcap_msg_free(m);
	return rc;
}

/* Read a BER length at buf[*pos] (definite up to 2 octets, or indefinite). \returns 0 or -EBADMSG. */
static int skip_len(const uint8_t *buf, size_t len, size_t *pos)
{
	uint8_t l;

	if (*pos >= len)
		return -EBADMSG;
	l = buf[(*pos)++];
	if (l <= 0x80)
		return 0;
	if (l > 0x82 || *pos + (l & 0x7f) > len)
		return -EBADMSG;
	*pos += l & 0x7f;
	return 0;
}

static void echo_rx(struct ssp *ssp, const struct osmo_scu_unitdata_param *ud, const uint8_t *buf, size_t len)
{
	uint8_t out[ECHO_MAX + 16];
	size_t pos = 1, tid_len, body, n = 0;
	const uint8_t *tid;

	/* ITU Begin 0x62 with OTID 0x48; ANSI QueryWithPerm 0xe2 / WithoutPerm 0xe3 with TID 0xc7 */
	if (len < 4 || !(buf[0] == 0x62 || buf[0] == 0xe2 || buf[0] == 0xe3) || skip_len(buf, len, &pos) ||
	    pos + 2 > len || buf[pos] != (buf[0] == 0x62 ? 0x48 : 0xc7)) {
		echo.dropped++;
		return;
	}
	tid_len = buf[pos + 1];
	tid = buf + pos + 2;
	if (tid_len < 1 || tid_len > 4 || pos + 2 + tid_len > len) {
		echo.dropped++;
		return;
	}
	body = 2 + tid_len + echo.tail_len;
	out[n++] = echo.tag;
	if (body >= 0x80)
		out[n++] = 0x81;
	out[n++] = body;
	out[n++] = echo.tid_tag;
	out[n++] = tid_len;
	memcpy(out + n, tid, tid_len);
	n += tid_len;
	memcpy(out + n, echo.tail, echo.tail_len);
	n += echo.tail_len;
	/* answer to the address the Begin came from, from the one it was sent to */
	if (osmo_sccp_tx_unitdata(ssp->scu, &ud->called_addr, &ud->calling_addr, out, n) < 0)
		echo.tx_err++;
	else
		echo.answered++;
}

static void echo_wake_cb(void *data)
{
}

int ssp_echo_run(struct ssp *ssp, double duration, volatile bool *stop)
{
	struct osmo_timer_list t_wake = { 0 };	/* osmo_timer_setup() does not clear it */
	struct timespec start, now;
	double elapsed = 0;

	memset(&echo, 0, sizeof(echo));
	if (build_template(ssp->ctx, ssp->opt.proto)) {
		ssp_note("cannot build the fixed answer for %s", td_proto_name(ssp->opt.proto));
		return SSP_EXIT_SETUP;
	}
	ssp->rx_raw = echo_rx;
	/* the answer to a 4-octet id: tag, length (1 or 2 octets), id element, the rest */
	ssp_note("echo: answering every %s on SSN %u with a fixed %u-octet %s for %.0f s", ssp->opt.proto ==
		 TD_PROTO_AIN ? "Query" : "Begin", ssp->local.ssn,
		 (unsigned int)(1 + (6 + echo.tail_len >= 0x80 ? 2 : 1) + 6 + echo.tail_len),
		 ssp->opt.proto == TD_PROTO_AIN ? "Response" : "End", duration);
	clock_gettime(CLOCK_MONOTONIC, &start);
	osmo_timer_setup(&t_wake, echo_wake_cb, NULL);
	while (!*stop && elapsed < duration) {
		/* look at the clock at least every 100 ms */
		osmo_timer_schedule(&t_wake, 0, 100000);
		osmo_select_main_ctx(0);
		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
	}
	osmo_timer_del(&t_wake);
	ssp->rx_raw = NULL;
	printf("echo: %lu answered, %lu dropped (not a Begin/Query), %lu not sent, in %.1f s\n", echo.answered,
	       echo.dropped, echo.tx_err, elapsed);
	fflush(stdout);
	return echo.tx_err ? SSP_EXIT_CALL : SSP_EXIT_OK;
}
