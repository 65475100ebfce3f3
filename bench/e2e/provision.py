#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/e2e provisioning through tandem-server's API: N subscribers (CSV import), one PC device each
# (POST /v1/devices, keep-alive), their couplings (CSV import), and each subscriber's caller card set with its
# own device token (name, e-mail, default audience of both). Writes the device tokens, one a line, in TDN order.
#
#   provision.py BASE_URL ENGINEER_KEY FIRST_TDN N TOKENS_FILE
#
# Every request is checked; the first failure stops it (exit 1) with the request and the answer.

import http.client
import json
import sys
import time
import urllib.parse


def main():
    if len(sys.argv) != 6:
        print("usage: provision.py BASE_URL ENGINEER_KEY FIRST_TDN N TOKENS_FILE", file=sys.stderr)
        return 2
    base, key, first, n, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    if not first.startswith("+") or not first[1:].isdigit() or not 1 <= n <= 20000:
        print("provision.py: FIRST_TDN is +E164, N 1..20000", file=sys.stderr)
        return 2
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)

    def req(method, path, body, token, ctype="application/json", ok=(200, 201)):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        conn.request(method, path, body=data, headers={"Authorization": "Bearer " + token,
                                                        "Content-Type": ctype})
        r = conn.getresponse()
        text = r.read()
        if r.status not in ok:
            raise SystemExit("provision.py: %s %s -> %d %s" % (method, path, r.status, text[:300]))
        return json.loads(text) if text else None

    digits = len(first) - 1
    base_no = int(first[1:])
    tdns = ["+%0*d" % (digits, base_no + i) for i in range(n)]
    t0 = time.monotonic()
    csv = "tdn,label\n" + "".join("%s,bench subscriber %d\n" % (t, i) for i, t in enumerate(tdns))
    r = req("POST", "/v1/import/subscribers", csv.encode(), key, "text/csv")
    if r.get("imported") != n:
        raise SystemExit("provision.py: subscribers import: %s" % r)
    t1 = time.monotonic()
    devices = []
    for i, t in enumerate(tdns):
        r = req("POST", "/v1/devices", {"tdn": t, "kind": "pc", "label": "bench pc %d" % i}, key)
        devices.append((r["id"], r["token"]))
    t2 = time.monotonic()
    csv = "tdn,device_id\n" + "".join("%s,%d\n" % (t, d[0]) for t, d in zip(tdns, devices))
    r = req("POST", "/v1/import/couplings", csv.encode(), key, "text/csv")
    if r.get("imported") != n:
        raise SystemExit("provision.py: couplings import: %s" % r)
    t3 = time.monotonic()
    for i, (t, (_, tok)) in enumerate(zip(tdns, devices)):
        req("PUT", "/v1/me/profile/name", {"value": "Bench Subscriber %d" % i}, tok)
        req("PUT", "/v1/me/profile/email", {"value": "sub%d@bench.example.net" % i}, tok)
        req("PUT", "/v1/me/default-audience", {"fields": ["name", "email"]}, tok)
    t4 = time.monotonic()
    with open(out, "w") as f:
        for _, tok in devices:
            f.write(tok + "\n")
    print("provisioned %d subscribers %s..%s: import %.2f s, devices %.2f s, couplings %.2f s, cards %.2f s"
          % (n, tdns[0], tdns[-1], t1 - t0, t2 - t1, t3 - t2, t4 - t3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
