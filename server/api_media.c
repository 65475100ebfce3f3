/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: GET /v1/media/{id}: a profile photo, for the devices a card carried its URL to, or a file relayed
 * in a session, for the member devices of that session.
 *
 * A device may read an image when its subscriber owns it, or when the image is the current value of a profile
 * field whose delivery to this device is recorded (deliveries, written with the card event): a member of a
 * session who got no card (blocked, withheld, not in the audience) gets 403, as does everyone else. A relayed
 * file (media.session_id set) goes to the member devices of its session only, the sender's included; any other
 * device, also one of the sender's subscriber, gets 403. */

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include <talloc.h>

#include "api.h"
#include "auth.h"
#include "srv.h"

static void media_get_cb(struct srv_req *req, const PGresult *res, const char *errmsg)
{
	const char *hex;
	uint8_t *bytes;
	size_t n;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		srv_req_db_error(req, res, errmsg);
		return;
	}
	if (PQntuples(res) != 1) {
		srv_req_error(req, 404, "not_found", NULL, "no such object");
		return;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t")) {
		srv_req_error(req, 403, "forbidden", NULL, "this device was not given this image");
		return;
	}
	hex = PQgetvalue(res, 0, 2);
	if (strncmp(hex, "\\x", 2)) {
		srv_req_error(req, 500, "internal", NULL, "bad answer from the database");
		return;
	}
	n = strlen(hex + 2) / 2;
	bytes = talloc_size(req, n ? n : 1);
	if (!bytes || srv_hex_decode(bytes, n, hex + 2) < 0) {
		srv_req_error(req, 500, "internal", NULL, "bad answer from the database");
		return;
	}
	srv_req_reply(req, 200, PQgetvalue(res, 0, 1), bytes, n);
}

/*! \brief GET /v1/media/{id} (device token): 200 the image or file with its type; 403 when this device may not
 *  see it; 404 when there is no such object. */
void srv_api_media_get(struct srv_req *req)
{
	const char *v[3];

	if (srv_api_arg_id(req, 0, &v[0]) < 0)
		return;
	v[1] = talloc_asprintf(req, "%" PRId64, req->subscriber_id);
	v[2] = talloc_asprintf(req, "%" PRId64, req->device_id);
	/* the bytes only go out when allowed */
	srv_req_query(req, media_get_cb,
		      "WITH m AS (SELECT m.*, CASE WHEN m.session_id IS NOT NULL THEN EXISTS (SELECT 1"
		      "  FROM session_members sm WHERE sm.session_id = m.session_id AND sm.device_id = $3::bigint)"
		      "  ELSE m.subscriber_id = $2::bigint OR EXISTS (SELECT 1 FROM deliveries d"
		      "  JOIN profile_fields f ON f.subscriber_id = d.subject_id AND f.name = d.field"
		      "  AND f.version = d.version WHERE d.device_id = $3::bigint AND d.subject_id = m.subscriber_id"
		      "  AND f.media_id = m.id) END AS ok FROM media m WHERE m.id = $1::bigint)"
		      " SELECT ok, content_type, CASE WHEN ok THEN bytes END FROM m",
		      3, v, NULL, NULL);
}
