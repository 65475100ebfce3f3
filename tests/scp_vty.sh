#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-scp against a real osmo-stp (IPA over TCP on loopback): the daemon starts from a
# config, its `scp` node is driven over the telnet VTY (transcript on stdout), write terminal
# reproduces the config, a bad value is refused with a clear message (in the VTY and in a
# config file), and SIGTERM shuts it down cleanly (under valgrind when VALGRIND=1).
#   usage: scp_vty.sh BUILDDIR SRCDIR
set -u
BUILDDIR=$1
SRCDIR=$2
. "$SRCDIR/tests/stp-harness.sh"

SCP_PID=
stp_cleanup_hook()
{
	if [ -n "$SCP_PID" ]; then
		kill "$SCP_PID" 2>/dev/null
		wait "$SCP_PID" 2>/dev/null
	fi
}

stp_start asp-scp:0.23.1:0.23.2 asp-ssp:0.23.2:0.23.1 || exit $?
# tandem-scp's VTY (4260) and CTRL (4261) on a loopback address of their own
SCP_ADDR=127.0.$((STP_IPA_PORT / 256 % 256 + 1)).$((STP_IPA_PORT % 256))

write_cfg()
{
	cat <<EOF
log stderr
 logging filter all 1
 logging color 0
 logging print category 1
 logging print level 1
 logging level set-all notice
line vty
 no login
 bind $SCP_ADDR
ctrl
 bind $SCP_ADDR
cs7 instance 0
 point-code 0.23.1
 asp asp-scp $STP_IPA_PORT 0 ipa
  remote-ip 127.0.0.1
 as as-scp ipa
  asp asp-scp
  routing-key 0 0.23.1
scp
 country-code 1
 national-prefix 1
 international-prefix 011
 national-length 10
 ssn 146 cap
 ssn 241 inap
 service-key 100 continue monitor
 service-key 200 connect +15550100
 service-key 300 release 16
 timer scp X1 30
EOF
}

write_cfg >"$STP_DIR/scp.cfg"
RUN=
if [ "${VALGRIND:-0}" = 1 ]; then
	RUN="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
fi
$RUN "$BUILDDIR/scp/tandem-scp" -c "$STP_DIR/scp.cfg" >"$STP_DIR/scp.log" 2>&1 &
SCP_PID=$!
if ! stp_wait_listen "$SCP_PID" 4260 300; then
	echo "tandem-scp did not start:" >&2
	cat "$STP_DIR/scp.log" >&2
	exit 1
fi

# Drive the telnet VTY: print each command and what it answered (prompts and echo removed).
vty()
{
	python3 "$SRCDIR/tests/osmo_vty.py" vty "$SCP_ADDR" 4260 --echo "$@"
}

# the ASP comes up asynchronously; the VTY answers at once
vty "enable" "show dialogues" "show calls" "configure terminal" "scp" "country-code 12345" \
	"country-code 0" "service-key 400 connect 12ab" "service-key 400 connect +4930123 monitor" \
	"national-length 16" "no service-key 999" "end" "show running-config" |
	sed -n '/^> /p; /^%/p; /^[0-9]* dialogues$/p; /calls kept/p; /^scp$/,/^[^ ]/p' | grep -v '^!' | sed '/^[a-z]/{/^scp$/!d}'

# CTRL: a read-only view
python3 - "$SCP_ADDR" <<'EOF'
import socket, sys, struct
s = socket.create_connection((sys.argv[1], 4261), timeout=5)
def ctrl(msg):
    data = msg.encode()
    s.sendall(struct.pack(">HB", len(data) + 1, 0xee) + b"\x00" + data)
    hdr = s.recv(3)
    n = struct.unpack(">H", hdr[:2])[0]
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return body[1:].decode()
print("ctrl: " + ctrl("GET 1 subsystems"))
print("ctrl: " + ctrl("GET 2 dialogues-active"))
EOF

kill "$SCP_PID"
wait "$SCP_PID"
rc=$?
SCP_PID=
echo "tandem-scp exit: $rc"
if [ "$rc" != 0 ]; then
	cat "$STP_DIR/scp.log" >&2
fi

# a bad value in the config file: refused at start with the reason
write_cfg | sed 's/ country-code 1/ country-code 1x/' >"$STP_DIR/bad.cfg"
"$BUILDDIR/scp/tandem-scp" -c "$STP_DIR/bad.cfg" >"$STP_DIR/bad.log" 2>&1
echo "bad config exit: $?"
grep -E '^%|country-code|cannot read' "$STP_DIR/bad.log" | sed "s/ *\$//; s|$STP_DIR|DIR|"
