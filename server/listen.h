/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: the one LISTEN connection of the instance (outbox wake-ups from other instances). */
#pragma once

#include <stdbool.h>

struct srv_instance;
struct srv_listen;

struct srv_listen *srv_listen_start(struct srv_instance *srv);
bool srv_listen_is_up(const struct srv_listen *l);
