/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: POST /v1/calls (phone apps report their calls) and the answer of the SQL functions behind it. */
#pragma once

#include <stdbool.h>

#include <libpq-fe.h>

struct srv_req;

void srv_api_calls_post(struct srv_req *req);
void srv_api_fn_result_cb(struct srv_req *req, const PGresult *res, const char *errmsg);
bool srv_rfc3339_valid(const char *s);
