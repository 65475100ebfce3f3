/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: CTRL interface variables (read-only state for monitoring). */

#include <errno.h>

#include <talloc.h>

#include <osmocom/ctrl/control_cmd.h>

#include "db.h"
#include "http.h"
#include "srv.h"

CTRL_CMD_DEFINE_RO(db_state, "db-state");
static int get_db_state(struct ctrl_cmd *cmd, void *data)
{
	cmd->reply = talloc_strdup(cmd, srv_db_state_name(g_srv->db));
	return CTRL_CMD_REPLY;
}

CTRL_CMD_DEFINE_RO(schema_version, "schema-version");
static int get_schema_version(struct ctrl_cmd *cmd, void *data)
{
	cmd->reply = talloc_asprintf(cmd, "%u", srv_db_schema_version(g_srv->db));
	return CTRL_CMD_REPLY;
}

CTRL_CMD_DEFINE_RO(http_active, "http-active");
static int get_http_active(struct ctrl_cmd *cmd, void *data)
{
	cmd->reply = talloc_asprintf(cmd, "%u", srv_http_active(g_srv->http));
	return CTRL_CMD_REPLY;
}

/*! \brief Install the CTRL variables (db-state, schema-version, http-active). */
int srv_ctrl_init(void)
{
	int rc = 0;

	rc |= ctrl_cmd_install(CTRL_NODE_ROOT, &cmd_db_state);
	rc |= ctrl_cmd_install(CTRL_NODE_ROOT, &cmd_schema_version);
	rc |= ctrl_cmd_install(CTRL_NODE_ROOT, &cmd_http_active);
	return rc ? -EINVAL : 0;
}
