/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: who is the client (trusted proxies) and how often may it ask (rate limit). */
#pragma once

#include <stdbool.h>

struct srv_instance;

int srv_ratelimit_alloc(struct srv_instance *srv);
bool srv_ratelimit_take(struct srv_instance *srv, const char *client_ip);
