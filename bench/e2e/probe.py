#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/e2e: the server's own share of the card latency, on an otherwise idle chain. Posts N trigger events one
# at a time (100 ms apart, as tandem-scp would: POST /v1/call-events with the scp key, one event per POST) for
# calls from CALLER_FIRST + k to CALLEE_FIRST + k, each with its send time (microseconds) as the trigger time,
# then reads the callee cards that sse_hold received (EVENTS after FROM_LINE) and prints, per call:
#   POST -> 200: the ingest transaction (the matcher, the session, the outbox rows) and its commit;
#   200 -> card: from the commit to the card on the device's stream (outbox scan, the stream's page, the write);
#   POST -> card.
#
#   probe.py BASE_URL SCP_KEY EVENTS FROM_LINE CALLER_FIRST CALLEE_FIRST N

import datetime
import http.client
import json
import math
import sys
import time
import urllib.parse


def pct(v, p):
    return v[max(0, math.ceil(p * len(v)) - 1)] if v else float("nan")


def main():
    if len(sys.argv) != 8:
        print("usage: probe.py BASE_URL SCP_KEY EVENTS FROM_LINE CALLER_FIRST CALLEE_FIRST N", file=sys.stderr)
        return 2
    base, key, path = sys.argv[1:4]
    from_line, caller0, callee0, n = (int(x) for x in sys.argv[4:8])
    if not 1 <= n <= 1000:
        print("probe.py: N 1..1000", file=sys.stderr)
        return 2
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    run = int(time.time())
    sent, post = {}, []
    for k in range(n):
        t = time.time_ns()
        ts = datetime.datetime.fromtimestamp(t / 1e9, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        ev = {"instance": "bench-probe", "seq": run * 1000 + k + 1, "type": "trigger",
              "call": "probe-%d-%d" % (run, k), "time": ts, "direction": "orig", "protocol": "cap2",
              "calling": {"e164": "+%d" % (caller0 + k), "withheld": False},
              "called": {"e164": "+%d" % (callee0 + k), "withheld": False}}
        body = json.dumps({"events": [ev]}).encode()
        t0 = time.monotonic_ns()
        conn.request("POST", "/v1/call-events", body=body,
                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
        r = conn.getresponse()
        text = r.read()
        t1 = time.monotonic_ns()
        if r.status != 200:
            raise SystemExit("probe.py: POST /v1/call-events -> %d %s" % (r.status, text[:200]))
        post.append((t1 - t0) / 1e6)
        # the realtime of the answer: the send time plus the measured round trip
        sent[(caller0 + k, callee0 + k)] = (t, t + (t1 - t0))
        time.sleep(0.1)
    time.sleep(1.0)
    session_of, card = {}, {}
    with open(path) as f:
        for i, line in enumerate(f):
            if i < from_line:
                continue
            parts = line.rstrip("\n").split(" ", 4)
            if len(parts) != 5 or parts[2] not in ("call.incoming", "card"):
                continue
            try:
                d = json.loads(parts[4])
                if parts[2] == "call.incoming":
                    pair = (int(d["caller"]["tdn"][1:]), int(d["callee"]["tdn"][1:]))
                    if pair in sent:
                        session_of[d["session"]] = pair
                elif d.get("display") == "popup":
                    card.setdefault(d["session"], int(parts[0]))
            except (ValueError, KeyError, TypeError):
                continue
    to_card, after = [], []
    for sid, pair in session_of.items():
        if sid in card:
            t_sent, t_ok = sent[pair]
            to_card.append((card[sid] - t_sent) / 1e6)
            after.append((card[sid] - t_ok) / 1e6)
    for v in (post, to_card, after):
        v.sort()
    for name, v in (("POST -> 200 (ingest transaction)", post), ("200 -> callee card", after),
                    ("POST -> callee card", to_card)):
        print("  %-34s n %4d  p50 %7.2f  p90 %7.2f  max %7.2f ms" % (name, len(v), pct(v, .5), pct(v, .9),
                                                                       v[-1] if v else float("nan")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
