/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: the call-event ingest endpoint (tandem-scp -> server). */
#pragma once

struct srv_req;

void srv_api_call_events(struct srv_req *req);
