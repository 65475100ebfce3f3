/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* CTRL interface of tandem-scp (port 4261): read-only views for monitoring systems. */

#include <errno.h>

#include <osmocom/ctrl/control_cmd.h>

#include "scp.h"

CTRL_CMD_DEFINE_RO(dialogues_active, "dialogues-active");
static int get_dialogues_active(struct ctrl_cmd *cmd, void *data)
{
	cmd->reply = talloc_asprintf(cmd, "%u", scp_active_dialogues(g_scp));
	return cmd->reply ? CTRL_CMD_REPLY : CTRL_CMD_ERROR;
}

CTRL_CMD_DEFINE_RO(subsystems, "subsystems");
static int get_subsystems(struct ctrl_cmd *cmd, void *data)
{
	struct scp_ssn *s;

	cmd->reply = talloc_strdup(cmd, "");
	llist_for_each_entry(s, &g_scp->ssns, list)
		cmd->reply = talloc_asprintf_append(cmd->reply, "%s%u:%s", cmd->reply[0] ? "," : "", s->ssn,
						    scp_proto_name(s->proto));
	return cmd->reply ? CTRL_CMD_REPLY : CTRL_CMD_ERROR;
}

int scp_ctrl_cmds_install(void)
{
	int rc = 0;

	rc |= ctrl_cmd_install(CTRL_NODE_ROOT, &cmd_dialogues_active);
	rc |= ctrl_cmd_install(CTRL_NODE_ROOT, &cmd_subsystems);
	return rc ? -EINVAL : 0;
}
