/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: GET /v1/media/{id} (images of profiles, for the devices cards were sent to). */
#pragma once

struct srv_req;

void srv_api_media_get(struct srv_req *req);
