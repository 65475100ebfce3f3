/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: log categories. */

#include <osmocom/core/logging.h>
#include <osmocom/core/utils.h>

#include "srv.h"

static const struct log_info_cat srv_log_cat[] = {
	[DSRV] = {
		.name = "DSRV",
		.description = "tandem-server life cycle and configuration",
		.enabled = 1, .loglevel = LOGL_NOTICE,
	},
	[DHTTP] = {
		.name = "DHTTP",
		.description = "HTTP transport",
		.enabled = 1, .loglevel = LOGL_NOTICE,
	},
	[DDB] = {
		.name = "DDB",
		.description = "PostgreSQL connection and migrations",
		.enabled = 1, .loglevel = LOGL_NOTICE,
	},
	[DAPI] = {
		.name = "DAPI",
		.description = "REST API requests",
		.enabled = 1, .loglevel = LOGL_NOTICE,
	},
};

const struct log_info srv_log_info = {
	.cat = srv_log_cat,
	.num_cat = ARRAY_SIZE(srv_log_cat),
};
