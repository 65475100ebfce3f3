#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# A stand-in for tandem-server that serves crafted events to tandem-client: shapes the real server never sends
# (missing and mistyped members, data that is not JSON, unknown types, media URLs pointing elsewhere, hostile
# file names), so that the client's printing of them is tested. Serves GET /v1/events (resuming after
# Last-Event-ID) and GET /v1/media/{id} (a thread per connection); both want "Authorization: Bearer TOKEN".
#
#   client_sse.py PORTFILE TOKEN      listens on a free loopback port, writes it to PORTFILE, serves forever

import http.server
import json
import os
import sys

EVENTS = [
    ("card", {"session": 7, "subject": {"withheld": True}, "role": "caller", "display": "popup",
              "fields": {"name": {"value": 42, "version": 1}, "zz": "not an object", "photo": {
                  "url": "/v1/media/5", "content_type": "image/png", "size": 4, "version": 2},
                  "evil": {"url": "http://example.org/v1/media/5", "size": 1},
                  "dots": {"url": "/v1/media/../../etc/passwd", "size": 1}},
              "unchanged": ["email", 3]}),
    ("card", {}),
    ("card", {"fields": [], "unchanged": "none"}),
    ("call.incoming", {"caller": "+4930100", "callee": {"tdn": 4930200}, "time": "yesterday"}),
    ("call.ended", {"call": 1.5, "session": None, "reason": None, "answered": "yes",
                    "time": "2026-01-02T03:04:05-01:30"}),
    ("call.answered", {"time": "2026-13-45T99:99:99Z"}),
    ("message", {"kind": "file", "from": {"tdn": "+4930100"}, "session": 7,
                 "file": {"url": "/v1/media/6", "name": "../../etc/pass wd", "content_type": "text/plain",
                          "size": 3}}),
    ("message", {"kind": "sticker", "from": {}, "session": 7}),
    ("message", {"session": 7}),
    ("message", "just a string"),
    ("session.closed", {"session": 7, "reason": "max-age"}),
    ("resync", {"reason": "retention", "last_event_id": 3, "resume_from": 9}),
    ("weather", {"sky": "clear", "wind": {"speed": 3, "dirs": ["N", "NE"]}, "note": "line\u001b]0;x\u0007"}),
    (None, "not json {"),
    ("", {"kind": "text", "text": "no event line: the SSE default type", "from": {"tdn": "+4930100"}}),
]
MEDIA = {"5": ("image/png", b"\x89PNG"), "6": ("text/plain", b"abc")}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, ctype, body):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            body = json.dumps({"error": {"code": "unauthorized", "message": "no", "field": None}})
            self.reply(401, "application/json", body.encode())
            return
        if self.path.startswith("/v1/media/"):
            m = MEDIA.get(self.path[len("/v1/media/"):])
            if m:
                self.reply(200, m[0], m[1])
            else:
                self.reply(404, "application/json", b'{"error":{"code":"not_found","message":"no","field":null}}')
            return
        if self.path != "/v1/events":
            self.reply(404, "text/plain", b"no")
            return
        after = int(self.headers.get("Last-Event-ID") or 0)
        out = ["retry: 100", ""]
        for i, (typ, data) in enumerate(EVENTS, 1):
            if i <= after:
                continue
            out.append("id: %d" % i)
            if typ:
                out.append("event: " + typ)
            out.append("data: " + (data if typ is None else json.dumps(data)))
            out.append("")
        out.append(": heartbeat")
        out.append("")
        body = "\n".join(out).encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        # answers the real server never gives: a 2xx that is not JSON, an error page of a proxy
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/v1/calls":
            self.reply(200, "text/plain", b"fine")
        else:
            self.reply(502, "text/html", b"<html><body>\x1b[2JBad Gateway</body></html>\n")


TOKEN = sys.argv[2]
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
