/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* libFuzzer target: the TCAP message decoder (ITU and ANSI), then the encoder on
 * whatever decoded. No input may crash, leak, or make the encoder fail on a
 * message the decoder accepted. */

#include <stdint.h>
#include <stdlib.h>

#include <talloc.h>

#include <tandem/tcap_msg.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *ctx;
	struct tcap_decode_err err;
	struct tcap_msg *m = NULL;
	uint8_t out[8192];
	size_t len;

	if (!ctx)
		/* a non-empty context: LeakSanitizer does not count a pointer just past
		 * a zero-sized talloc chunk as a reference to it */
		ctx = talloc_named_const(NULL, 1, "fuzz");
	if (tcap_msg_decode(ctx, &m, &err, data, size) == 0) {
		/* what decodes must encode again */
		if (tcap_msg_encode(out, sizeof(out), &len, m) != 0)
			abort();
	}
	tcap_msg_free(m);
	if (talloc_total_blocks(ctx) != 1)
		abort();
	return 0;
}
