#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/e2e: latency from InitialDP to caller card, from the events sse_hold wrote (bench/e2e/README.md).
#
#   analyze.py EVENTS FROM_LINE MIN_SESSION RATE CALLING_FIRST CALLING_N CALLED_FIRST CALLED_N CALLS \
#              [SESSIONS]
#
# EVENTS: sse_hold's lines "RECV_NS STREAM EVENT ID DATA"; only lines after FROM_LINE, of sessions above
# MIN_SESSION, count (one run of the load). For each session: the callee device's call.incoming gives the SCP's
# trigger time (`time`, the leg's started_at: CLOCK_REALTIME when tandem-scp decoded the InitialDP, which
# tandem-scp sends truncated to the millisecond, so A is overstated by 0 to 1 ms) and the parties; its `card`
# (display popup) and the caller device's card (panel) give when the cards arrived. Two latencies per call:
#   A: callee card received - the SCP's trigger time (leaves out tandem-ssp -> osmo-stp -> tandem-scp);
#   B: callee card received - the call's scheduled send time T0 + i / RATE, where i is the call's index in the
#      open-loop schedule (recovered from its calling and called numbers: call i takes CALLING_FIRST + i mod
#      CALLING_N and CALLED_FIRST + i mod CALLED_N, coprime N so that i is unique below their product) and T0
#      the earliest (trigger time - i / RATE) of the run. B includes the generator's lag and the variable part
#      of the switch -> SCP delay; it leaves out only the smallest switch -> SCP delay of the run.
# SESSIONS (optional): lines "ID EPOCH" of sessions.created_at (the start of the ingest transaction that made
# the session): A is then split into SCP trigger -> transaction start and transaction start -> card received.
# Prints the figures as text and, last, one line "RESULT key=value ..." for run.sh.

import datetime
import json
import math
import sys


def pct(v, p):
    if not v:
        return float("nan")
    return v[max(0, math.ceil(p * len(v)) - 1)]


def ts_ns(s):
    d = datetime.datetime.fromisoformat(s)
    return (int(d.timestamp()) * 1000000 + d.microsecond) * 1000


def main():
    if len(sys.argv) not in (10, 11):
        print("usage: analyze.py EVENTS FROM_LINE MIN_SESSION RATE CALLING_FIRST CALLING_N CALLED_FIRST CALLED_N CALLS "
              "[SESSIONS]",
              file=sys.stderr)
        return 2
    path = sys.argv[1]
    from_line, min_session, rate = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    c_first, c_n, d_first, d_n, calls = (int(x) for x in sys.argv[5:10])
    if math.gcd(c_n, d_n) != 1 or c_n * d_n < calls:
        print("analyze.py: CALLING_N and CALLED_N must be coprime with a product >= CALLS", file=sys.stderr)
        return 2
    incoming, popup, panel, counts = {}, {}, {}, {}
    bad = 0
    with open(path) as f:
        for n, line in enumerate(f):
            if n < from_line:
                continue
            parts = line.rstrip("\n").split(" ", 4)
            if len(parts) != 5:
                bad += 1
                continue
            t, _, ev, _, data = parts
            try:
                d = json.loads(data)
                sid = d["session"]
                if sid <= min_session:
                    continue
                counts[ev] = counts.get(ev, 0) + 1
                if ev == "call.incoming":
                    incoming[sid] = (ts_ns(d["time"]), int(d["caller"]["tdn"][1:]), int(d["callee"]["tdn"][1:]),
                                     int(t))
                elif ev == "card" and d.get("display") == "popup":
                    popup.setdefault(sid, int(t))
                elif ev == "card":
                    panel.setdefault(sid, int(t))
            except (ValueError, KeyError, TypeError):
                bad += 1
    # the schedule index of each call: i = ci (mod c_n) and i = di (mod d_n)
    inv = pow(c_n, -1, d_n)
    lat_a, lat_b, lat_inc, lat_panel, offs = [], [], [], [], []
    for sid, (trig, caller, callee, t_inc) in incoming.items():
        ci, di = caller - c_first, callee - d_first
        if not (0 <= ci < c_n and 0 <= di < d_n):
            bad += 1
            continue
        i = ci + c_n * (((di - ci) * inv) % d_n)
        offs.append((sid, trig - i * 1e9 / rate))
        lat_inc.append((t_inc - trig) / 1e6)
        if sid in popup:
            lat_a.append((popup[sid] - trig) / 1e6)
        if sid in panel:
            lat_panel.append((panel[sid] - trig) / 1e6)
    t0 = min(o for _, o in offs) if offs else 0
    delay = {sid: o - t0 for sid, o in offs}
    for sid, (trig, _, _, _) in incoming.items():
        if sid in popup and sid in delay:
            lat_b.append((popup[sid] - trig + delay[sid]) / 1e6)
    created = {}
    if len(sys.argv) == 11:
        with open(sys.argv[10]) as f:
            for ln in f:
                p = ln.split()
                if len(p) == 2:
                    created[int(p[0])] = int(round(float(p[1]) * 1e6)) * 1000
    to_tx, tx_to_card = [], []
    for sid, (trig, _, _, _) in incoming.items():
        if sid in created and sid in popup:
            to_tx.append((created[sid] - trig) / 1e6)
            tx_to_card.append((popup[sid] - created[sid]) / 1e6)
    for v in (lat_a, lat_b, lat_inc, lat_panel, to_tx, tx_to_card):
        v.sort()
    sched = sorted(d / 1e6 for d in delay.values())

    def line(name, v):
        print("  %-52s n %6d  p50 %8.2f  p90 %8.2f  p99 %8.2f  max %8.2f ms" %
              (name, len(v), pct(v, .5), pct(v, .9), pct(v, .99), v[-1] if v else float("nan")))

    print("  events received: " + ", ".join("%s %d" % kv for kv in sorted(counts.items())))
    print("  sessions seen by their callee: %d of %d calls started; popup cards %d, panel cards %d, bad lines %d"
          % (len(incoming), calls, len(popup), len(panel), bad))
    line("A: callee card - SCP trigger time", lat_a)
    line("B: callee card - scheduled send (T0 + i/rate)", lat_b)
    line("   scheduled send -> SCP trigger (part of B, + min)", sched)
    line("   callee call.incoming - SCP trigger time", lat_inc)
    line("   caller card (panel) - SCP trigger time", lat_panel)
    if created:
        line("   SCP trigger -> ingest transaction start (A = this", to_tx)
        line("   ingest transaction start -> callee card   + this)", tx_to_card)
    print("RESULT sessions=%d popup=%d panel=%d a_p50=%.2f a_p99=%.2f b_p50=%.2f b_p99=%.2f b_max=%.2f "
          "inc_p50=%.2f inc_p99=%.2f" % (len(incoming), len(popup), len(panel), pct(lat_a, .5), pct(lat_a, .99),
                                          pct(lat_b, .5), pct(lat_b, .99), lat_b[-1] if lat_b else float("nan"),
                                          pct(lat_inc, .5), pct(lat_inc, .99)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
