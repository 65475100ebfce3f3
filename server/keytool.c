/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server --create-api-key: make an API key through the same database path as the daemon, print it
 * once on stdout, and return. The select loop runs only until the key is stored or the time is up. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>

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
