/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: streamed CSV imports of couplings and subscribers (own database connection, COPY). */
#pragma once

struct srv_instance;

/*! At most this many imports run at once (each holds a database connection and a transaction). */
#define SRV_IMPORT_MAX		2
/*! Errors listed in an import's answer (all are counted). */
#define SRV_IMPORT_MAX_ERRORS	100

void srv_import_shutdown_all(struct srv_instance *srv);
unsigned int srv_import_active(const struct srv_instance *srv);
