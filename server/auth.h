/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: API keys and device tokens (generation, parsing, salted hashing). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A credential is "<prefix>_<id>_<secret>": prefix "tdk" for API keys, "tdd" for device tokens, id 16
 * lowercase hex characters (64 random bits, the public lookup key), secret 43 base64url characters
 * (256 random bits). Only HMAC-SHA256(key = 16-byte random salt, message = secret) is stored: the secret
 * has full entropy, so a slow KDF would add cost per request and no strength. */
#define SRV_CRED_ID_LEN		16
#define SRV_CRED_SECRET_LEN	43
#define SRV_CRED_LEN		(3 + 1 + SRV_CRED_ID_LEN + 1 + SRV_CRED_SECRET_LEN)
#define SRV_CRED_SALT_LEN	16
#define SRV_CRED_HASH_LEN	32

enum srv_cred_kind {
	SRV_CRED_API_KEY,
	SRV_CRED_DEVICE,
};

/*! A freshly made credential: the full text goes to the user once, id/salt/hash to the database. */
struct srv_cred {
	enum srv_cred_kind kind;
	char text[SRV_CRED_LEN + 1];
	char id[SRV_CRED_ID_LEN + 1];
	char salt_hex[2 * SRV_CRED_SALT_LEN + 1];
	char hash_hex[2 * SRV_CRED_HASH_LEN + 1];
};

int srv_cred_new(struct srv_cred *out, enum srv_cred_kind kind);
int srv_cred_parse(enum srv_cred_kind *kind, char *id, const char **secret, const char *text);
int srv_cred_verify(const char *secret, const char *salt_hex, const char *hash_hex);
int srv_hex_decode(uint8_t *out, size_t out_len, const char *hex);
void srv_hex_encode(char *out, const uint8_t *in, size_t len);
