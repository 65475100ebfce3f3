#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# The Osmocom VTY (telnet) and CTRL (IPA-framed) interfaces of a daemon, for the test scripts.
#
#   osmo_vty.py vty ADDR PORT [--echo] CMD...   run each command, print its output lines
#                                               (with --echo, each preceded by "> CMD")
#   osmo_vty.py ctrl ADDR PORT [--raw|--value] VAR
#                                               GET a CTRL variable, print "VAR VALUE" (with --raw the
#                                               whole reply "GET_REPLY 1 VAR VALUE", with --value VALUE)
# Exit status 1 when the daemon cannot be reached or the CTRL reply is not a GET_REPLY.
import re
import socket
import struct
import sys


def vty(addr, port, cmds, echo):
    s = socket.create_connection((addr, port), timeout=5)

    def read_prompt():
        buf = b""
        while not re.search(rb"[>#] $", buf):
            d = s.recv(4096)
            if not d:
                break
            buf += d
        # drop the telnet option negotiation (IAC sequences)
        buf = re.sub(rb"\xff[\xfb-\xfe].", b"", buf)
        return buf.decode(errors="replace").replace("\r", "")

    read_prompt()
    for c in cmds:
        s.sendall(c.encode() + b"\n")
        # the first line is the command's echo, the last the next prompt
        lines = read_prompt().split("\n")[1:-1]
        if echo:
            print("> " + c)
        for l in lines:
            print(l)
    s.close()
    return 0


def ctrl(addr, port, var, how):
    s = socket.create_connection((addr, port), timeout=5)
    data = ("GET 1 " + var).encode()
    # IPA header: length, protocol 0xee (OSMO extension), then the CTRL extension 0x00
    s.sendall(struct.pack(">HB", len(data) + 1, 0xee) + b"\x00" + data)
    hdr = b""
    while len(hdr) < 3:
        d = s.recv(3 - len(hdr))
        if not d:
            return 1
        hdr += d
    n = struct.unpack(">H", hdr[:2])[0]
    body = b""
    while len(body) < n:
        d = s.recv(n - len(body))
        if not d:
            break
        body += d
    reply = body[1:].decode(errors="replace")
    if how == "--raw":
        print(reply)
        return 0
    parts = reply.split(" ", 3)
    if len(parts) < 4 or parts[0] != "GET_REPLY":
        print(reply, file=sys.stderr)
        return 1
    print(parts[3] if how == "--value" else parts[2] + " " + parts[3])
    return 0


def main(argv):
    if len(argv) < 4 or argv[0] not in ("vty", "ctrl"):
        print(__doc__ or "usage: osmo_vty.py vty|ctrl ADDR PORT ...", file=sys.stderr)
        return 2
    mode, addr, port, rest = argv[0], argv[1], int(argv[2]), argv[3:]
    flag = None
    if rest and rest[0] in ("--echo", "--raw", "--value"):
        flag, rest = rest[0], rest[1:]
    try:
        if mode == "vty":
            return vty(addr, port, rest, flag == "--echo")
        if len(rest) != 1:
            print("osmo_vty.py ctrl: one variable", file=sys.stderr)
            return 2
        return ctrl(addr, port, rest[0], flag)
    except OSError as e:
        print("osmo_vty.py: %s:%d: %s" % (addr, port, e), file=sys.stderr)
        return 1


sys.exit(main(sys.argv[1:]))
