#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# Many idle event streams held by one process (one socket each, no thread per client): opens N streams of a
# device on tandem-server, measures the daemon's resident memory before and with them (on stderr: it is a
# figure, not a result), puts one event into the device's outbox and checks that every stream gets it.
#
#   server_push_idle.py URL DEVICE-TOKEN ADMIN-KEY N SERVER-PID

import json
import selectors
import socket
import sys
import time
import urllib.parse
import urllib.request


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_all(sel, bufs, pattern, deadline):
    """Read from every stream until each holds pattern (bytes) or the deadline passes."""
    pending = {s for s, b in bufs.items() if pattern not in b}
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                sel.unregister(s)
                pending.discard(s)
                continue
            bufs[s] += data
            if pattern in bufs[s]:
                pending.discard(s)
    return sum(1 for b in bufs.values() if pattern in b)


def main():
    url, token, admin, n, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    u = urllib.parse.urlparse(url)
    rss0 = rss_kib(pid)
    sel = selectors.DefaultSelector()
    bufs = {}
    req = (f"GET /v1/events HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nAuthorization: Bearer {token}\r\n"
           f"Accept: text/event-stream\r\n\r\n").encode()
    for _ in range(n):
        s = socket.create_connection((u.hostname, u.port))
        s.sendall(req)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        bufs[s] = b""
    opened = wait_all(sel, bufs, b"retry: ", time.monotonic() + 30)
    print(f"{opened} of {n} streams open")
    time.sleep(1)
    rss1 = rss_kib(pid)
    per = (rss1 - rss0) / n if n else 0
    print(f"server RSS {rss0} KiB before, {rss1} KiB with {n} idle streams: {per:.1f} KiB per stream",
          file=sys.stderr)

    body = json.dumps({"text": "to everyone"}).encode()
    r = urllib.request.Request(url + "/v1/devices/1/events", data=body, method="POST",
                               headers={"Authorization": "Bearer " + admin, "Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=10) as resp:
        seq = json.load(resp)["seq"]
    t0 = time.monotonic()
    got = wait_all(sel, bufs, f"id: {seq}\nevent: notice\n".encode(), time.monotonic() + 30)
    print(f"{got} of {n} streams got the event")
    print(f"the event reached {got} streams in {(time.monotonic() - t0) * 1000:.0f} ms", file=sys.stderr)
    for s in bufs:
        s.close()
    return 0 if got == n == opened else 1


if __name__ == "__main__":
    sys.exit(main())
