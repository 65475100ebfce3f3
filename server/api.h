/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: REST API v1: routing, authentication, input validation helpers, handlers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <sys/socket.h>

#include <jansson.h>

#include "http.h"

/*! What a route accepts as request body (decides the size limit and the Content-Type check). */
enum srv_body_kind {
	SRV_BODY_NONE,
	SRV_BODY_JSON,
	SRV_BODY_IMAGE,
	SRV_BODY_CSV,
};

/*! One entry of the route table. */
struct srv_route {
	const char *method;
	const char *pattern;	/*!< "/v1/subscribers/{}": each "{}" matches one non-empty segment */
	unsigned int roles;	/*!< enum srv_role bits allowed; 0: no credentials needed */
	enum srv_body_kind body;
	void (*fn)(struct srv_req *req);
};

void srv_api_begin(struct srv_req *req);
void srv_api_dispatch(struct srv_req *req);
void srv_api_client_ip(struct srv_req *req, const struct sockaddr *peer);

/*! Types of JSON body fields (see srv_api_fields()). */
enum srv_ftype {
	SRV_F_STRING,	/*!< string of at most max characters, no NUL */
	SRV_F_E164,	/*!< "+" and 2..15 digits, first digit not 0 */
	SRV_F_CIDR,	/*!< IPv4/IPv6 address or prefix; normalised to "addr/len" */
	SRV_F_ID,	/*!< integer 1..2^63-1; as decimal text */
	SRV_F_ENUM,	/*!< one of choices */
	SRV_F_TOKENS,	/*!< array of [a-z0-9_.-]{1,32} strings; as a PostgreSQL array literal */
	SRV_F_BOOL,	/*!< true/false; as "true"/"false" */
	SRV_F_E164S,	/*!< array of E.164 strings; as a PostgreSQL array literal */
	SRV_F_NAMES,	/*!< array of profile field names [a-z][a-z0-9_]{0,31}; as a PostgreSQL array literal */
};

struct srv_field {
	const char *name;
	enum srv_ftype type;
	bool required;
	unsigned int max;		/*!< SRV_F_STRING: characters; SRV_F_TOKENS, _E164S, _NAMES: entries */
	const char *const *choices;	/*!< SRV_F_ENUM */
};

int srv_api_fields(struct srv_req *req, const struct srv_field *spec, unsigned int n, const char **vals);
bool srv_e164_valid(const char *s);
bool srv_field_name_valid(const char *s);
int srv_api_arg_id(struct srv_req *req, unsigned int idx, const char **id_text);
int srv_api_page(struct srv_req *req, const char **limit, const char **after);
int srv_api_query_json(struct srv_req *req, unsigned int status, const char *sql, int n, const char *const *vals);
void srv_api_json_row_cb(struct srv_req *req, const PGresult *res, const char *errmsg);

/* handlers, one file per resource */
void srv_api_health(struct srv_req *req);
void srv_api_subscriber_create(struct srv_req *req);
void srv_api_subscriber_list(struct srv_req *req);
void srv_api_subscriber_get(struct srv_req *req);
void srv_api_subscriber_update(struct srv_req *req);
void srv_api_subscriber_delete(struct srv_req *req);
void srv_api_device_create(struct srv_req *req);
void srv_api_device_list(struct srv_req *req);
void srv_api_device_get(struct srv_req *req);
void srv_api_device_update(struct srv_req *req);
void srv_api_device_delete(struct srv_req *req);
void srv_api_coupling_create(struct srv_req *req);
void srv_api_coupling_list(struct srv_req *req);
void srv_api_coupling_get(struct srv_req *req);
void srv_api_coupling_update(struct srv_req *req);
void srv_api_coupling_delete(struct srv_req *req);
void srv_api_key_create(struct srv_req *req);
void srv_api_key_list(struct srv_req *req);
void srv_api_key_revoke(struct srv_req *req);
void srv_api_audit_list(struct srv_req *req);
void srv_api_import_couplings(struct srv_req *req);
void srv_api_import_subscribers(struct srv_req *req);
void srv_api_export_couplings(struct srv_req *req);
void srv_api_export_subscribers(struct srv_req *req);
void srv_api_me_get(struct srv_req *req);
void srv_api_me_profile_get(struct srv_req *req);
void srv_api_me_field_put(struct srv_req *req);
void srv_api_me_field_delete(struct srv_req *req);
void srv_api_me_photo_put(struct srv_req *req);
void srv_api_me_photo_get(struct srv_req *req);
void srv_api_me_groups_list(struct srv_req *req);
void srv_api_me_group_create(struct srv_req *req);
void srv_api_me_group_get(struct srv_req *req);
void srv_api_me_group_update(struct srv_req *req);
void srv_api_me_group_delete(struct srv_req *req);
void srv_api_me_default_get(struct srv_req *req);
void srv_api_me_default_put(struct srv_req *req);
void srv_api_me_blocks_list(struct srv_req *req);
void srv_api_me_block_put(struct srv_req *req);
void srv_api_me_block_delete(struct srv_req *req);
