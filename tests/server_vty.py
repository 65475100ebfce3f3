#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# Drive a telnet VTY of an Osmocom-style daemon: send each line of stdin as a command, print the prompt, the
# command and what the daemon answered (telnet option negotiation and echo removed). A line "!wait TEXT"
# waits up to 5 s for TEXT to appear (an answer that comes after the prompt) and prints what came.
# Usage: server_vty.py PORT < commands
import re
import socket
import sys
import time

PROMPT = re.compile(rb'(?:^|\n)[\w.-]+(?:\([\w-]+\))?[>#] ')


def strip_telnet(data):
    out = bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if b == 0xff and i + 1 < len(data):
            c = data[i + 1]
            if c == 0xfa:  # SB ... IAC SE
                end = data.find(b'\xff\xf0', i + 2)
                i = len(data) if end < 0 else end + 2
                continue
            i += 3 if c in (0xfb, 0xfc, 0xfd, 0xfe) else 2
            continue
        out.append(b)
        i += 1
    return bytes(out)


class Vty:
    def __init__(self, port):
        self.s = socket.create_connection(('127.0.0.1', port), timeout=5)
        self.buf = b''

    def read_until(self, pred, timeout=5.0):
        """Read until pred(buffer) gives the length of the text wanted; the rest stays buffered."""
        end = time.time() + timeout
        while True:
            n = pred(self.buf)
            if n:
                break
            left = end - time.time()
            if left <= 0:
                raise TimeoutError(repr(self.buf[-200:]))
            self.s.settimeout(left)
            chunk = self.s.recv(4096)
            if not chunk:
                raise EOFError(repr(self.buf[-200:]))
            self.buf += strip_telnet(chunk)
        text, self.buf = self.buf[:n], self.buf[n:]
        return text.decode('utf-8', 'replace').replace('\r', '')

    def prompt(self):
        """Up to and including the next prompt; output after it (asynchronous answers) stays buffered."""
        def until_prompt(b):
            m = PROMPT.search(b)
            return m.end() if m else 0
        return self.read_until(until_prompt)


def main():
    v = Vty(int(sys.argv[1]))
    text = v.prompt()
    prompt = text.splitlines()[-1]
    for line in sys.stdin:
        line = line.rstrip('\n')
        if line.startswith('!wait '):
            want = line[6:].encode()
            def until_line(b):
                i = b.find(want)
                j = b.find(b'\n', i) if i >= 0 else -1
                return j + 1 if j >= 0 else 0
            sys.stdout.write(v.read_until(until_line))
            continue
        v.s.sendall(line.encode() + b'\n')
        text = v.prompt()
        lines = text.split('\n')
        # the echo of the command comes first, the new prompt last
        body = lines[1:-1] if lines and lines[0].strip() == line.strip() else lines[:-1]
        print(prompt + line)
        for b in body:
            print(b)
        prompt = lines[-1]
    v.s.close()


if __name__ == '__main__':
    main()
