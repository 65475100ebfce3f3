/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* libFuzzer target: every CAP v2/v3/v4 argument decoder on the same input, and
 * for what decodes, the encoder, whose output must decode again. */

#include <stdint.h>
#include <stdlib.h>

#include <tandem/cap.h>

#include "fuzz_cap_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum cap_protocol protos[] = { CAP_PROTO_CAP2, CAP_PROTO_CAP3, CAP_PROTO_CAP4 };

	fuzz_cap_input(protos, sizeof(protos) / sizeof(protos[0]), data, size);
	return 0;
}
