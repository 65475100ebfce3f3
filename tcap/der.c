/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* DER encoding of an asn1c value into a caller's buffer, shared by every codec
 * in libtandem-tcap (TCAP messages, CAP/INAP and AIN arguments). */

#include <errno.h>
#include <string.h>

#include "asn_application.h"

#include "msg_internal.h"

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
