/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* libFuzzer target: every INAP CS-1 argument decoder, and re-encoding what decodes. */

#include <stdint.h>
#include <stdlib.h>

#include <tandem/cap.h>

#include "fuzz_cap_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum cap_protocol protos[] = { CAP_PROTO_INAP };

	fuzz_cap_input(protos, sizeof(protos) / sizeof(protos[0]), data, size);
	return 0;
}
