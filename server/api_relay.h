/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: POST /v1/sessions/{id}/messages, the relay of text, links, locations and files in a session. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct srv_req;
struct srv_cfg;

void srv_api_session_message(struct srv_req *req);
size_t srv_relay_body_limit(const struct srv_cfg *cfg);
bool srv_url_valid(const char *s);
int srv_base64_decoded_len(size_t *out, const char *s, size_t len);
