/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: the subscriber web page, static files served from the configured web root. */
#pragma once

struct srv_req;
struct vty;

void srv_web_vty_init(int node);
void srv_web_config_write(struct vty *vty);
const char *srv_web_root(void);
void srv_api_web_index(struct srv_req *req);
void srv_api_web_file(struct srv_req *req);
