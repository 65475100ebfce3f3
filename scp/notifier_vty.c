/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* The `notifier` VTY node of tandem-scp (where call events go: instance id, spool, API key, routes, timers)
 * and `show notifier`. `write terminal` writes only what differs from the defaults. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/tdef.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/tdef_vty.h>
#include <osmocom/vty/vty.h>

#include "notifier.h"
#include "spool.h"

/* far from the scp area's own nodes */
enum {
	NOTIFIER_NODE = _LAST_OSMOVTY_NODE + 40,
};

static struct cmd_node notifier_node = {
	NOTIFIER_NODE,
	"%s(config-notifier)# ",
	1,
};

#define URL_MAX 512
#define NTF_ROUTE_STR "Send the call events of calls whose number starts with a prefix to a server\n" \
	"Match the calling party's number\n" "Match the called party's number\n"

static bool id_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= SCP_NOTIFIER_ID_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static bool url_ok(const char *s)
{
	size_t n = strlen(s);

	if (n > URL_MAX)
		return false;
	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return false;
	for (; *s; s++) {
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	}
	return true;
}

/* "+" and 1 to 15 digits (E.164), or 1 to 40 digits (the number as signalled). */
static bool prefix_ok(const char *s)
{
	size_t n;

	if (*s == '+') {
		s++;
		n = strlen(s);
		return n >= 1 && n <= 15 && strspn(s, "0123456789") == n;
	}
	n = strlen(s);
	return n >= 1 && n <= TCAP_NUM_MAX_DIGITS && strspn(s, "0123456789") == n;
}

static int set_str(char **dst, const char *s)
{
	char *n = talloc_strdup(scp_notifier_ctx(), s);

	if (!n)
		return -ENOMEM;
	talloc_free(*dst);
	*dst = n;
	return 0;
}

DEFUN(cfg_notifier, cfg_notifier_cmd, "notifier", "Configure where tandem-scp reports call events\n")
{
	vty->node = NOTIFIER_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_instance_id, cfg_instance_id_cmd, "instance-id NAME",
      "Name of this SCP in the event ids (unique among the SCPs of one server)\n"
      "1 to 32 characters of A-Z a-z 0-9 . _ -\n")
{
	if (!id_ok(argv[0])) {
		vty_out(vty, "%% instance-id must be 1 to %u characters of A-Z a-z 0-9 . _ -: '%s'%s",
			SCP_NOTIFIER_ID_MAX, argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	if (scp_notifier_started() && strcmp(argv[0], scp_notifier_cfg()->instance_id)) {
		vty_out(vty, "%% the instance-id takes effect after a restart%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	return set_str(&scp_notifier_cfg()->instance_id, argv[0]) ? CMD_WARNING : CMD_SUCCESS;
}

DEFUN(cfg_spool_path, cfg_spool_path_cmd, "spool-path PATH",
      "File of the on-disk spool of call events (PATH.meta holds its head)\n" "File name\n")
{
	if (scp_notifier_started() && strcmp(argv[0], scp_notifier_cfg()->spool_path)) {
		vty_out(vty, "%% the spool-path takes effect after a restart%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	return set_str(&scp_notifier_cfg()->spool_path, argv[0]) ? CMD_WARNING : CMD_SUCCESS;
}

DEFUN(cfg_spool_max, cfg_spool_max_cmd, "spool-max-bytes BYTES",
      "Bound of the spool: when full, the oldest events are dropped (counted, with a log alarm)\n"
      "Bytes, at least 65536\n")
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(argv[0], &end, 10);
	if (errno || *end || argv[0][0] == '-' || v < SCP_SPOOL_MIN_BYTES || v > (1ULL << 40)) {
		vty_out(vty, "%% spool-max-bytes must be %u to %llu: '%s'%s", SCP_SPOOL_MIN_BYTES, 1ULL << 40,
			argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	if (scp_notifier_set_max_bytes(v) < 0)
		return CMD_WARNING;
	return CMD_SUCCESS;
}

DEFUN(cfg_fsync, cfg_fsync_cmd, "fsync-interval <0-60000>",
      "Longest time a spooled event waits for fdatasync (a batch is synced at once)\n"
      "Milliseconds; 0 syncs every event on the answering path (slow)\n")
{
	if (scp_notifier_started() && (unsigned int)atoi(argv[0]) != scp_notifier_cfg()->fsync_ms) {
		vty_out(vty, "%% the fsync-interval takes effect after a restart%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	scp_notifier_cfg()->fsync_ms = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_api_key, cfg_api_key_cmd, "api-key KEY",
      "API key of role scp that the server gave (sent as Authorization: Bearer)\n" "The key\n")
{
	size_t n = strlen(argv[0]);

	if (n > 128 || strspn(argv[0], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != n) {
		vty_out(vty, "%% not an API key%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	if (set_str(&scp_notifier_cfg()->api_key, argv[0]))
		return CMD_WARNING;
	scp_notifier_cfg_changed();
	return CMD_SUCCESS;
}

DEFUN(cfg_no_api_key, cfg_no_api_key_cmd, "no api-key", NO_STR "API key\n")
{
	TALLOC_FREE(scp_notifier_cfg()->api_key);
	scp_notifier_cfg_changed();
	return CMD_SUCCESS;
}

DEFUN(cfg_default_url, cfg_default_url_cmd, "default-url URL",
      "Server for calls no route matches\n" "http:// or https:// URL of POST /v1/call-events\n")
{
	if (!url_ok(argv[0])) {
		vty_out(vty, "%% not an http:// or https:// URL: '%s'%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	return set_str(&scp_notifier_cfg()->default_url, argv[0]) ? CMD_WARNING : CMD_SUCCESS;
}

DEFUN(cfg_no_default_url, cfg_no_default_url_cmd, "no default-url", NO_STR "Server for calls no route matches\n")
{
	TALLOC_FREE(scp_notifier_cfg()->default_url);
	return CMD_SUCCESS;
}

static struct scp_notifier_route *route_find(const char *party, const char *prefix)
{
	enum scp_route_party p = !strcmp(party, "calling") ? SCP_ROUTE_CALLING : SCP_ROUTE_CALLED;
	struct scp_notifier_route *r;

	llist_for_each_entry(r, &scp_notifier_cfg()->routes, list) {
		if (r->party == p && !strcmp(r->prefix, prefix))
			return r;
	}
	return NULL;
}

DEFUN(cfg_route, cfg_route_cmd, "route (calling|called) PREFIX URL",
      NTF_ROUTE_STR "+ and E.164 digits, or digits as signalled\n" "http:// or https:// URL of POST /v1/call-events\n")
{
	struct scp_notifier_route *r;
	char *url;

	if (!prefix_ok(argv[1])) {
		vty_out(vty, "%% not a number prefix (+ and 1 to 15 digits, or digits): '%s'%s", argv[1], VTY_NEWLINE);
		return CMD_WARNING;
	}
	if (!url_ok(argv[2])) {
		vty_out(vty, "%% not an http:// or https:// URL: '%s'%s", argv[2], VTY_NEWLINE);
		return CMD_WARNING;
	}
	r = route_find(argv[0], argv[1]);
	if (!r) {
		r = talloc_zero(scp_notifier_ctx(), struct scp_notifier_route);
		if (!r)
			return CMD_WARNING;
		r->party = !strcmp(argv[0], "calling") ? SCP_ROUTE_CALLING : SCP_ROUTE_CALLED;
		OSMO_STRLCPY_ARRAY(r->prefix, argv[1]);
		llist_add_tail(&r->list, &scp_notifier_cfg()->routes);
	}
	url = talloc_strdup(r, argv[2]);
	if (!url)
		return CMD_WARNING;
	talloc_free(r->url);
	r->url = url;
	return CMD_SUCCESS;
}

DEFUN(cfg_no_route, cfg_no_route_cmd, "no route (calling|called) PREFIX",
      NO_STR NTF_ROUTE_STR "The prefix of the route\n")
{
	struct scp_notifier_route *r = route_find(argv[0], argv[1]);

	if (!r) {
		vty_out(vty, "%% no route for %s %s%s", argv[0], argv[1], VTY_NEWLINE);
		return CMD_WARNING;
	}
	llist_del(&r->list);
	talloc_free(r);
	return CMD_SUCCESS;
}

DEFUN(cfg_batch, cfg_batch_cmd, "batch <1-1000>", "Most call events in one POST\n" "Events\n")
{
	scp_notifier_cfg()->batch_max = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_posts, cfg_posts_cmd, "posts-in-flight <1-4>",
      "Most POSTs in flight per server URL (a further one only while every POST in flight is full)\n"
      "POSTs (1: one at a time)\n")
{
	scp_notifier_cfg()->posts = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_timer, cfg_timer_cmd, "timer " OSMO_TDEF_VTY_ARG_SET_OPTIONAL,
      "Timers of the notifier (retry backoff, HTTP timeouts)\n" OSMO_TDEF_VTY_DOC_SET)
{
	if (argc < 2)
		return osmo_tdef_vty_show_cmd(vty, scp_notifier_tdefs(), argc ? argv[0] : NULL, NULL);
	return osmo_tdef_vty_set_cmd(vty, scp_notifier_tdefs(), argv);
}

DEFUN(show_notifier, show_notifier_cmd, "show notifier",
      SHOW_STR "Call events to tandem-server: spool, destinations\n")
{
	scp_notifier_vty_show(vty);
	return CMD_SUCCESS;
}

static int config_write_notifier(struct vty *vty)
{
	const struct scp_notifier_cfg *c = scp_notifier_cfg();
	const struct scp_notifier_route *r;
	const struct osmo_tdef *t;
	bool timers = false;

	osmo_tdef_for_each(t, scp_notifier_tdefs())
		timers |= t->val != t->default_val;
	if (!c->instance_id && !strcmp(c->spool_path, SCP_NOTIFIER_DEFAULT_SPOOL) &&
	    c->spool_max_bytes == SCP_NOTIFIER_DEFAULT_MAX_BYTES && c->fsync_ms == SCP_NOTIFIER_DEFAULT_FSYNC_MS &&
	    !c->api_key && !c->default_url && llist_empty(&c->routes) && c->batch_max == SCP_NOTIFIER_DEFAULT_BATCH &&
	    c->posts == SCP_NOTIFIER_DEFAULT_POSTS && !timers)
		return CMD_SUCCESS;
	vty_out(vty, "notifier%s", VTY_NEWLINE);
	if (c->instance_id)
		vty_out(vty, " instance-id %s%s", c->instance_id, VTY_NEWLINE);
	if (strcmp(c->spool_path, SCP_NOTIFIER_DEFAULT_SPOOL))
		vty_out(vty, " spool-path %s%s", c->spool_path, VTY_NEWLINE);
	if (c->spool_max_bytes != SCP_NOTIFIER_DEFAULT_MAX_BYTES)
		vty_out(vty, " spool-max-bytes %" PRIu64 "%s", c->spool_max_bytes, VTY_NEWLINE);
	if (c->fsync_ms != SCP_NOTIFIER_DEFAULT_FSYNC_MS)
		vty_out(vty, " fsync-interval %u%s", c->fsync_ms, VTY_NEWLINE);
	if (c->api_key)
		vty_out(vty, " api-key %s%s", c->api_key, VTY_NEWLINE);
	if (c->default_url)
		vty_out(vty, " default-url %s%s", c->default_url, VTY_NEWLINE);
	llist_for_each_entry(r, &c->routes, list)
		vty_out(vty, " route %s %s %s%s", r->party == SCP_ROUTE_CALLING ? "calling" : "called", r->prefix,
			r->url, VTY_NEWLINE);
	if (c->batch_max != SCP_NOTIFIER_DEFAULT_BATCH)
		vty_out(vty, " batch %u%s", c->batch_max, VTY_NEWLINE);
	if (c->posts != SCP_NOTIFIER_DEFAULT_POSTS)
		vty_out(vty, " posts-in-flight %u%s", c->posts, VTY_NEWLINE);
	osmo_tdef_vty_write(vty, scp_notifier_tdefs(), " timer ");
	return CMD_SUCCESS;
}

int scp_notifier_vty_init(void *ctx)
{
	int rc = scp_notifier_alloc(ctx);

	if (rc < 0)
		return rc;
	install_element(CONFIG_NODE, &cfg_notifier_cmd);
	install_node(&notifier_node, config_write_notifier);
	install_element(NOTIFIER_NODE, &cfg_instance_id_cmd);
	install_element(NOTIFIER_NODE, &cfg_spool_path_cmd);
	install_element(NOTIFIER_NODE, &cfg_spool_max_cmd);
	install_element(NOTIFIER_NODE, &cfg_fsync_cmd);
	install_element(NOTIFIER_NODE, &cfg_api_key_cmd);
	install_element(NOTIFIER_NODE, &cfg_no_api_key_cmd);
	install_element(NOTIFIER_NODE, &cfg_default_url_cmd);
	install_element(NOTIFIER_NODE, &cfg_no_default_url_cmd);
	install_element(NOTIFIER_NODE, &cfg_route_cmd);
	install_element(NOTIFIER_NODE, &cfg_no_route_cmd);
	install_element(NOTIFIER_NODE, &cfg_batch_cmd);
	install_element(NOTIFIER_NODE, &cfg_posts_cmd);
	install_element(NOTIFIER_NODE, &cfg_timer_cmd);
	install_element_ve(&show_notifier_cmd);
	return 0;
}
