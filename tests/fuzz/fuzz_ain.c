/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* libFuzzer target: every AIN argument decoder on the same input; whatever
 * decodes must encode, and the encoding must decode. */

#include <stdint.h>
#include <stdlib.h>

#include <talloc.h>

#include <tandem/ain.h>
#include <tandem/tcap_msg.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ROUND(type, dec, enc)                                                          \
	do {                                                                           \
		type a, b;                                                             \
		uint8_t out[4096];                                                     \
		size_t len;                                                            \
		if (dec(&a, data, size) == 0) {                                        \
			if (enc(out, sizeof(out), &len, &a) != 0)                      \
				abort();                                               \
			if (dec(&b, out, len) != 0)                                    \
				abort();                                               \
		}                                                                      \
	} while (0)

static void fuzz_ain_all(const uint8_t *data, size_t size)
{
	ROUND(struct ain_trigger, ain_info_collected_decode, ain_info_collected_encode);
	ROUND(struct ain_trigger, ain_info_analyzed_decode, ain_info_analyzed_encode);
	ROUND(struct ain_trigger, ain_termination_attempt_decode, ain_termination_attempt_encode);
	ROUND(struct ain_event, ain_o_answer_decode, ain_o_answer_encode);
	ROUND(struct ain_event, ain_t_answer_decode, ain_t_answer_encode);
	ROUND(struct ain_event, ain_o_disconnect_decode, ain_o_disconnect_encode);
	ROUND(struct ain_event, ain_t_disconnect_decode, ain_t_disconnect_encode);
	ROUND(struct ain_analyze_route, ain_analyze_route_decode, ain_analyze_route_encode);
	ROUND(struct ain_authorize_termination, ain_authorize_termination_decode, ain_authorize_termination_encode);
	ROUND(struct ain_continue, ain_continue_decode, ain_continue_encode);
	ROUND(struct ain_disconnect, ain_disconnect_decode, ain_disconnect_encode);
	ROUND(struct ain_rrbe, ain_rrbe_decode, ain_rrbe_encode);
	ROUND(struct ain_close, ain_close_decode, ain_close_encode);
	ROUND(struct ain_acg, ain_acg_decode, ain_acg_encode);
}

/* The input as an argument and, when it is an ANSI TCAP package (the seeds are),
 * each component parameter in it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *ctx;
	struct tcap_decode_err err;
	struct tcap_msg *m = NULL;
	unsigned int c;

	fuzz_ain_all(data, size);
	if (!ctx)
		/* a non-empty context: LeakSanitizer does not count a pointer just past
		 * a zero-sized talloc chunk as a reference to it */
		ctx = talloc_named_const(NULL, 1, "fuzz");
	tcap_msg_decode(ctx, &m, &err, data, size);
	for (c = 0; m && c < m->num_comp; c++)
		if (m->comp[c].param)
			fuzz_ain_all(m->comp[c].param, m->comp[c].param_len);
	tcap_msg_free(m);
	return 0;
}
