/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: the job that closes sessions after their linger time or their maximum age. */
#pragma once

#include <stdint.h>

struct srv_instance;
struct srv_session_timer;

/*! Figures of the closing job since start (`show server`). */
struct srv_session_timer_stats {
	uint64_t runs;			/*!< sweeps that completed */
	uint64_t failures;		/*!< sweeps the database refused or could not run */
	uint64_t closed_linger;		/*!< sessions closed after session-linger in call-ended */
	uint64_t closed_max_age;	/*!< sessions closed still pending or active after session-max-age */
};

struct srv_session_timer *srv_session_timer_alloc(struct srv_instance *srv);
void srv_session_timer_stop(struct srv_session_timer *t);
const struct srv_session_timer_stats *srv_session_timer_stats(const struct srv_session_timer *t);
