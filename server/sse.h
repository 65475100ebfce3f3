/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: GET /v1/events, a device's outbox as Server-Sent Events (resumable, heartbeats). */
#pragma once

#include <stdint.h>

struct srv_instance;
struct srv_req;
struct srv_sse;

struct srv_sse *srv_sse_alloc(struct srv_instance *srv);
void srv_sse_kick(struct srv_sse *sse, int64_t seq);
void srv_sse_shutdown(struct srv_sse *sse);
unsigned int srv_sse_streams(const struct srv_sse *sse);
void srv_sse_counts(const struct srv_sse *sse, uint64_t *events_sent, uint64_t *fetches);

/* handlers */
void srv_api_events(struct srv_req *req);
void srv_api_device_notice(struct srv_req *req);
