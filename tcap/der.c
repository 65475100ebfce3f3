/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* DER encoding of an asn1c value into a caller's buffer, and bounded BER
 * decoding of untrusted input, shared by every codec in libtandem-tcap (TCAP
 * messages, CAP/INAP and AIN arguments). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "asn_application.h"

#include "ber.h"
#include "msg_internal.h"

/* asn1c's own recursion bound for the decoders (bytes of C stack) */
#define TCAP_BER_STACK (64 * 1024)

struct enc_buf {
	uint8_t *buf;
	size_t size;
	size_t used;
};

static int enc_cb(const void *data, size_t size, void *key)
{
	struct enc_buf *e = key;

	if (size > e->size - e->used)
		return -1;
	if (size)
		memcpy(e->buf + e->used, data, size);
	e->used += size;
	return 0;
}

int tcap_der_encode(struct asn_TYPE_descriptor_s *td, void *sptr, uint8_t *buf, size_t size, size_t *out_len)
{
	struct enc_buf e = { .buf = buf, .size = size };
	asn_enc_rval_t rv;

	/* a sizing pass first, so that a short buffer is told apart from bad input */
	rv = der_encode(td, sptr, NULL, NULL);
	if (rv.encoded < 0)
		return -EINVAL;
	if ((size_t)rv.encoded > size)
		return -ENOSPC;
	rv = der_encode(td, sptr, enc_cb, &e);
	if (rv.encoded < 0)
		return -EINVAL;
	*out_len = e.used;
	return 0;
}

int tcap_ber_decode(struct asn_TYPE_descriptor_s *td, void **sptr, const uint8_t *buf, size_t len)
{
	asn_codec_ctx_t ctx = { .max_stack_size = TCAP_BER_STACK };
	uint8_t stack_buf[1024];
	uint8_t *def = stack_buf;
	size_t def_len;
	struct ber_tlv top;
	asn_dec_rval_t rv;
	int rc = 0;

	*sptr = NULL;
	if (!buf || ber_tlv_parse(&top, buf, len) || top.total != len)
		return -EINVAL;
	/* asn1c only ever sees definite lengths (see ber_definite()) */
	if (len + BER_DEFINITE_SLACK > sizeof(stack_buf)) {
		def = malloc(len + BER_DEFINITE_SLACK);
		if (!def)
			return -ENOMEM;
	}
	if (ber_definite(def, len + BER_DEFINITE_SLACK, &def_len, buf, len)) {
		rc = -EINVAL;
		goto out;
	}
	rv = ber_decode(&ctx, td, sptr, def, def_len);
	if (rv.code != RC_OK || rv.consumed != def_len) {
		/* asn1c leaves what it decoded so far behind, even on failure */
		ASN_STRUCT_FREE(*td, *sptr);
		*sptr = NULL;
		rc = -EINVAL;
	}
out:
	if (def != stack_buf)
		free(def);
	return rc;
}
