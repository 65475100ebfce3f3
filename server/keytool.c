/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server API keys made outside the REST API: --create-api-key (make a key through the same database
 * path as the daemon, print it once on stdout, and return; the select loop runs only until the key is
 * stored or the time is up) and the VTY command `create api-key` of the running daemon. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/signal.h>
#include <osmocom/core/timer.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>

#include "auth.h"
#include "db.h"
#include "srv.h"

extern const char srv_sql_key_insert[];

struct keytool {
	struct srv_instance *srv;
	struct srv_cred cred;
	const char *role;
	const char *label;
	bool sent;
	bool done;
	int rc;
	struct osmo_timer_list timeout;
};

static void keytool_stored(void *priv, const PGresult *res, const char *errmsg)
{
	struct keytool *kt = priv;

	kt->done = true;
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		fprintf(stderr, "tandem-server: cannot store the key: %s\n", errmsg ? errmsg : "no answer");
		kt->rc = -EIO;
		return;
	}
	printf("%s\n", kt->cred.text);
	fflush(stdout);
	fprintf(stderr, "tandem-server: created %s key %s; it is shown only this once\n", kt->role, kt->cred.id);
	kt->rc = 0;
}

static void keytool_db_state(struct srv_db *db, bool ready, void *data)
{
	struct keytool *kt = data;
	const char *v[6] = { kt->cred.id, kt->cred.salt_hex, kt->cred.hash_hex, kt->role, kt->label,
			     "cli:create-api-key" };

	if (!ready || kt->sent)
		return;
	kt->sent = true;
	if (srv_db_query(db, srv_sql_key_insert, 6, v, NULL, NULL, keytool_stored, kt) < 0) {
		kt->done = true;
		kt->rc = -EIO;
	}
}

static void keytool_timeout(void *data)
{
	struct keytool *kt = data;

	fprintf(stderr, "tandem-server: the database did not become usable in time\n");
	kt->done = true;
	kt->rc = -ETIMEDOUT;
}

/*! \brief Create an API key with role (engineer, admin, scp) and print it on stdout.
 *  \returns 0, or a negative errno after a message on stderr */
int srv_create_api_key(struct srv_instance *srv, const char *role, const char *label)
{
	struct keytool *kt;
	unsigned long secs = osmo_tdef_get(srv->tdefs, SRV_T_DB_STARTUP, OSMO_TDEF_S, 20);
	int rc;

	if (strcmp(role, "engineer") && strcmp(role, "admin") && strcmp(role, "scp")) {
		fprintf(stderr, "tandem-server: role must be engineer, admin or scp\n");
		return -EINVAL;
	}
	if (label && strlen(label) > 200) {
		fprintf(stderr, "tandem-server: the label is longer than 200 characters\n");
		return -EINVAL;
	}
	kt = talloc_zero(srv, struct keytool);
	if (!kt)
		return -ENOMEM;
	kt->srv = srv;
	kt->role = role;
	kt->label = label;
	if (srv_cred_new(&kt->cred, SRV_CRED_API_KEY) < 0) {
		fprintf(stderr, "tandem-server: no randomness\n");
		talloc_free(kt);
		return -EIO;
	}
	srv->db = srv_db_alloc(srv, srv->cfg.dsn, srv->tdefs);
	if (!srv->db) {
		talloc_free(kt);
		return -ENOMEM;
	}
	srv_db_set_state_cb(srv->db, keytool_db_state, kt);
	osmo_timer_setup(&kt->timeout, keytool_timeout, kt);
	osmo_timer_schedule(&kt->timeout, secs, 0);
	srv_db_start(srv->db);
	while (!kt->done)
		osmo_select_main_ctx(0);
	osmo_timer_del(&kt->timeout);
	rc = kt->rc;
	TALLOC_FREE(srv->db);
	memset(&kt->cred, 0, sizeof(kt->cred));
	talloc_free(kt);
	return rc;
}

/* --- VTY: create api-key ------------------------------------------------------------------------------ */

/* The query answers after the command has returned; the telnet session may be gone by then. */
struct vty_key {
	struct llist_head list;
	struct vty *vty;	/*!< NULL once the session closed */
	struct srv_cred cred;
	char *role;
};

static LLIST_HEAD(vty_keys);
static bool vty_sig_registered;

static int vty_key_sig(unsigned int subsys, unsigned int signal, void *handler_data, void *signal_data)
{
	struct vty_signal_data *sd = signal_data;
	struct vty_key *vk;

	if (subsys != SS_L_VTY || signal != S_VTY_EVENT || sd->event != VTY_CLOSED)
		return 0;
	llist_for_each_entry(vk, &vty_keys, list) {
		if (vk->vty == sd->vty)
			vk->vty = NULL;
	}
	return 0;
}

static void vty_key_stored(void *priv, const PGresult *res, const char *errmsg)
{
	struct vty_key *vk = priv;
	struct vty *vty = vk->vty;

	llist_del(&vk->list);
	if (vty) {
		if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			vty_out(vty, "%s%s%% created %s key %s; it is shown only this once%s", vk->cred.text,
				VTY_NEWLINE, vk->role, vk->cred.id, VTY_NEWLINE);
		else
			vty_out(vty, "%% cannot store the key: %s%s", errmsg ? errmsg : "no answer", VTY_NEWLINE);
		vty_flush(vty);
	}
	memset(&vk->cred, 0, sizeof(vk->cred));
	talloc_free(vk);
}

DEFUN(create_api_key, create_api_key_cmd, "create api-key (engineer|admin|scp) [.LABEL]",
      "Create something\n" "An API key for the REST API; it is printed once, when stored\n"
      "Provisioning\n" "Provisioning and key management\n" "tandem-scp call events\n"
      "Label of the key (may contain spaces)\n")
{
	char *label = argc > 1 ? argv_concat(argv, argc, 1) : NULL;
	struct vty_key *vk;
	const char *v[6];
	int rc;

	if (label && strlen(label) > 200) {
		vty_out(vty, "%% the label is longer than 200 characters%s", VTY_NEWLINE);
		talloc_free(label);
		return CMD_WARNING;
	}
	if (!g_srv->db || !srv_db_is_ready(g_srv->db)) {
		vty_out(vty, "%% the database is not usable now%s", VTY_NEWLINE);
		talloc_free(label);
		return CMD_WARNING;
	}
	if (!vty_sig_registered) {
		osmo_signal_register_handler(SS_L_VTY, vty_key_sig, NULL);
		vty_sig_registered = true;
	}
	vk = talloc_zero(g_srv, struct vty_key);
	if (!vk || srv_cred_new(&vk->cred, SRV_CRED_API_KEY) < 0) {
		vty_out(vty, "%% cannot make a key%s", VTY_NEWLINE);
		talloc_free(vk);
		talloc_free(label);
		return CMD_WARNING;
	}
	vk->vty = vty;
	vk->role = talloc_strdup(vk, argv[0]);
	if (label)
		talloc_steal(vk, label);
	v[0] = vk->cred.id;
	v[1] = vk->cred.salt_hex;
	v[2] = vk->cred.hash_hex;
	v[3] = vk->role;
	v[4] = label;
	v[5] = "vty:create-api-key";
	rc = srv_db_query(g_srv->db, srv_sql_key_insert, 6, v, NULL, NULL, vty_key_stored, vk);
	if (rc < 0) {
		vty_out(vty, "%% the database is not usable now%s", VTY_NEWLINE);
		talloc_free(vk);
		return CMD_WARNING;
	}
	llist_add_tail(&vk->list, &vty_keys);
	return CMD_SUCCESS;
}

/*! \brief Install `create api-key` (enable node). */
void srv_keytool_vty_init(void)
{
	install_element(ENABLE_NODE, &create_api_key_cmd);
}
