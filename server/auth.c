/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: API keys and device tokens: random generation (getrandom), parsing, HMAC-SHA256. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sys/random.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "auth.h"

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int fill_random(uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t rc = getrandom(buf + got, len - got, 0);

		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += rc;
	}
	return 0;
}

/*! \brief Lowercase hex of len bytes into out (2 * len + 1 bytes). */
void srv_hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*! \brief Decode exactly out_len bytes of hex (no prefix).
 *  \returns 0, or -EINVAL when hex is not 2 * out_len hex digits */
int srv_hex_decode(uint8_t *out, size_t out_len, const char *hex)
{
	size_t i;

	if (strlen(hex) != 2 * out_len)
		return -EINVAL;
	for (i = 0; i < out_len; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	return 0;
}

static int cred_hash(uint8_t *hash, const uint8_t *salt, const char *secret)
{
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, salt, SRV_CRED_SALT_LEN, secret, strlen(secret), hash) < 0)
		return -EIO;
	return 0;
}

/*! \brief Make a new random credential with its salt and hash.
 *  \returns 0 or a negative errno (no randomness, no hash) */
int srv_cred_new(struct srv_cred *out, enum srv_cred_kind kind)
{
	uint8_t rnd[8 + 32 + SRV_CRED_SALT_LEN];
	uint8_t hash[SRV_CRED_HASH_LEN];
	char secret[SRV_CRED_SECRET_LEN + 1];
	unsigned int i, bits = 0, nbits = 0, o = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	rc = fill_random(rnd, sizeof(rnd));
	if (rc < 0)
		return rc;
	srv_hex_encode(out->id, rnd, 8);
	/* 32 bytes -> 43 base64url characters (256 bits, 2 bits of padding dropped) */
	for (i = 0; i < 32; i++) {
		bits = bits << 8 | rnd[8 + i];
		nbits += 8;
		while (nbits >= 6) {
			secret[o++] = b64url[(bits >> (nbits - 6)) & 0x3f];
			nbits -= 6;
		}
	}
	if (nbits)
		secret[o++] = b64url[(bits << (6 - nbits)) & 0x3f];
	secret[o] = '\0';
	srv_hex_encode(out->salt_hex, rnd + 40, SRV_CRED_SALT_LEN);
	rc = cred_hash(hash, rnd + 40, secret);
	if (rc < 0)
		return rc;
	srv_hex_encode(out->hash_hex, hash, sizeof(hash));
	snprintf(out->text, sizeof(out->text), "%s_%s_%s", kind == SRV_CRED_API_KEY ? "tdk" : "tdd", out->id,
		 secret);
	memset(secret, 0, sizeof(secret));
	memset(rnd, 0, sizeof(rnd));
	return 0;
}

/*! \brief Split a presented credential into kind, id and secret (no database access).
 *  \param[out] id SRV_CRED_ID_LEN + 1 bytes
 *  \param[out] secret points into text
 *  \returns 0, or -EINVAL when text does not have the credential's shape */
int srv_cred_parse(enum srv_cred_kind *kind, char *id, const char **secret, const char *text)
{
	size_t i;

	if (strlen(text) != SRV_CRED_LEN || text[3] != '_' || text[4 + SRV_CRED_ID_LEN] != '_')
		return -EINVAL;
	if (!strncmp(text, "tdk", 3))
		*kind = SRV_CRED_API_KEY;
	else if (!strncmp(text, "tdd", 3))
		*kind = SRV_CRED_DEVICE;
	else
		return -EINVAL;
	for (i = 0; i < SRV_CRED_ID_LEN; i++) {
		char c = text[4 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -EINVAL;
		id[i] = c;
	}
	id[SRV_CRED_ID_LEN] = '\0';
	*secret = text + 5 + SRV_CRED_ID_LEN;
	for (i = 0; i < SRV_CRED_SECRET_LEN; i++) {
		if (!strchr(b64url, (*secret)[i]))
			return -EINVAL;
	}
	return 0;
}

/*! \brief Check a presented secret against the stored salt and hash (constant time compare).
 *  \returns 0 when it matches, -EACCES when not, -EINVAL on a malformed stored salt/hash */
int srv_cred_verify(const char *secret, const char *salt_hex, const char *hash_hex)
{
	uint8_t salt[SRV_CRED_SALT_LEN], want[SRV_CRED_HASH_LEN], got[SRV_CRED_HASH_LEN];
	int rc;

	if (srv_hex_decode(salt, sizeof(salt), salt_hex) < 0 || srv_hex_decode(want, sizeof(want), hash_hex) < 0)
		return -EINVAL;
	rc = cred_hash(got, salt, secret);
	if (rc < 0)
		return rc;
	return gnutls_memcmp(got, want, sizeof(got)) == 0 ? 0 : -EACCES;
}
