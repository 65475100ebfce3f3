/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: the subscriber web page. GET / and GET /web/{file} serve the page's files from `web-root DIR`
 * (default: the installed pkgdatadir/web). Only the files named in the table below are served, so a path can
 * never leave the directory; each goes out with its type, revalidation caching and a strict
 * Content-Security-Policy (no inline script or style, nothing from another origin). */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <microhttpd.h>
#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>

#include "api.h"
#include "srv.h"
#include "web.h"

#ifndef SRV_WEB_DEFAULT_ROOT
#define SRV_WEB_DEFAULT_ROOT "/usr/local/share/tandem/web"
#endif

/* a page file is small: anything larger is a mistake in the web root, not something to send */
#define WEB_FILE_MAX	(512 * 1024)

static const struct {
	const char *name;
	const char *type;
} web_files[] = {
	{ "index.html", "text/html; charset=utf-8" },
	{ "app.js", "text/javascript; charset=utf-8" },
	{ "api.js", "text/javascript; charset=utf-8" },
	{ "events.js", "text/javascript; charset=utf-8" },
	{ "style.css", "text/css; charset=utf-8" },
};

/* Scripts and styles only from this origin, images also as blob: URLs (photos fetched with the token),
 * requests only to this origin; no frames, no forms posted anywhere, no plugins. */
static const char web_csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; "
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

static char *web_root;

/*! \brief The directory the page's files are read from. */
const char *srv_web_root(void)
{
	return web_root ? web_root : SRV_WEB_DEFAULT_ROOT;
}

DEFUN(cfg_web_root, cfg_web_root_cmd, "web-root DIR",
      "Directory of the subscriber web page's files\n" "Directory (absolute, or relative to the working directory)\n")
{
	osmo_talloc_replace_string(NULL, &web_root, argv[0]);
	return web_root ? CMD_SUCCESS : CMD_WARNING;
}

/*! \brief Install the `web-root DIR` command on the server configuration node. */
void srv_web_vty_init(int node)
{
	install_element(node, &cfg_web_root_cmd);
}

/*! \brief Write `web-root` when it differs from the default. */
void srv_web_config_write(struct vty *vty)
{
	if (web_root && strcmp(web_root, SRV_WEB_DEFAULT_ROOT))
		vty_out(vty, " web-root %s%s", web_root, VTY_NEWLINE);
}

/* Read a regular file of at most WEB_FILE_MAX bytes into a talloc buffer of ctx.
 * \returns its length, or a negative errno */
static long web_read(void *ctx, const char *path, char **out)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EISDIR;
		goto fail;
	}
	if (st.st_size > WEB_FILE_MAX) {
		rc = -EFBIG;
		goto fail;
	}
	buf = talloc_size(ctx, st.st_size ? st.st_size : 1);
	if (!buf) {
		rc = -ENOMEM;
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			talloc_free(buf);
			goto fail;
		}
		got += n;
	}
	close(fd);
	*out = buf;
	return (long)got;
fail:
	close(fd);
	return rc;
}

static void web_serve(struct srv_req *req, const char *name)
{
	struct MHD_Response *r;
	const char *type = NULL;
	char *path, *body = NULL;
	unsigned int i;
	long len;

	for (i = 0; i < ARRAY_SIZE(web_files); i++) {
		if (!strcmp(web_files[i].name, name)) {
			type = web_files[i].type;
			break;
		}
	}
	if (!type) {
		srv_req_error(req, 404, "not_found", NULL, "no such file");
		return;
	}
	path = talloc_asprintf(req, "%s/%s", srv_web_root(), name);
	if (!path) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		return;
	}
	len = web_read(req, path, &body);
	if (len < 0) {
		LOGP(DAPI, LOGL_ERROR, "web page: cannot read %s: %s\n", path, strerror((int)-len));
		srv_req_error(req, 404, "not_found", NULL, "file not available");
		return;
	}
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_COPY);
	if (!r) {
		srv_req_error(req, 500, "internal", NULL, "out of memory");
		return;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	/* a new version of the page is seen at the next load: the browser keeps a copy but always asks */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(r, "Content-Security-Policy", web_csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	req->resp = r;
	req->status = 200;
	LOGP(DAPI, LOGL_DEBUG, "%s %s %s -> 200\n", req->client_ip, req->method, req->path);
	srv_req_resume(req);
}

/*! \brief GET / (no credentials): the page itself. */
void srv_api_web_index(struct srv_req *req)
{
	web_serve(req, "index.html");
}

/*! \brief GET /web/{file} (no credentials): one of the page's scripts or its style sheet. */
void srv_api_web_file(struct srv_req *req)
{
	web_serve(req, req->args[0]);
}
