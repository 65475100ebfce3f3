/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Shared body of the CAP and INAP fuzz targets: decode the input as every
 * argument type; whatever decodes must encode, and the encoding must decode.
 * (A static function in a header: each target is one translation unit.) */
#pragma once

#include <stdint.h>
#include <stdlib.h>

#include <talloc.h>

#include <tandem/cap.h>
#include <tandem/tcap_msg.h>

#define FUZZ_ROUND(type, dec, enc)                                                     \
	do {                                                                           \
		type a, b;                                                             \
		uint8_t out[4096];                                                     \
		size_t len;                                                            \
		if (dec(&a, p, data, size) == 0) {                                     \
			/* a value we accept must be one we can send */                \
			if (enc(out, sizeof(out), &len, p, &a) != 0)                   \
				abort();                                               \
			if (dec(&b, p, out, len) != 0)                                 \
				abort();                                               \
		}                                                                      \
	} while (0)

static void fuzz_cap_all(enum cap_protocol p, const uint8_t *data, size_t size)
{
	FUZZ_ROUND(struct cap_idp, cap_idp_decode, cap_idp_encode);
	FUZZ_ROUND(struct cap_rrbe, cap_rrbe_decode, cap_rrbe_encode);
	FUZZ_ROUND(struct cap_erb, cap_erb_decode, cap_erb_encode);
	FUZZ_ROUND(struct cap_connect, cap_connect_decode, cap_connect_encode);
	FUZZ_ROUND(struct cap_release, cap_release_decode, cap_release_encode);
	FUZZ_ROUND(struct cap_cwa, cap_cwa_decode, cap_cwa_encode);
	FUZZ_ROUND(struct cap_reset_timer, cap_reset_timer_decode, cap_reset_timer_encode);
	FUZZ_ROUND(struct cap_call_gap, cap_call_gap_decode, cap_call_gap_encode);
}

/* The input as an argument, and, when it is a whole TCAP message (the seeds are),
 * each of its component parameters: mutations of real messages reach the
 * argument decoders with plausible structure. */
static void fuzz_cap_input(const enum cap_protocol *protos, unsigned int n, const uint8_t *data, size_t size)
{
	static void *ctx;
	struct tcap_decode_err err;
	struct tcap_msg *m = NULL;
	unsigned int i, c;

	for (i = 0; i < n; i++)
		fuzz_cap_all(protos[i], data, size);
	if (!ctx)
		/* a non-empty context: LeakSanitizer does not count a pointer just past
		 * a zero-sized talloc chunk as a reference to it */
		ctx = talloc_named_const(NULL, 1, "fuzz");
	tcap_msg_decode(ctx, &m, &err, data, size);
	for (c = 0; m && c < m->num_comp; c++) {
		if (!m->comp[c].param)
			continue;
		for (i = 0; i < n; i++)
			fuzz_cap_all(protos[i], m->comp[c].param, m->comp[c].param_len);
	}
	tcap_msg_free(m);
}
