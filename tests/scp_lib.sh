# SPDX-License-Identifier: AGPL-3.0-or-later
# The SCP and switch side of the integration scripts (POSIX sh, sourced after tests/stp-harness.sh, used once
# stp_start has run with asp-scp:0.23.1:0.23.2 asp-ssp:0.23.2:0.23.1):
#
#   scp_config FILE [LOG-LINES]  tandem-scp's config: logging (notice; LOG-LINES added), VTY and CTRL on
#                                $SCP_ADDR, cs7 instance 0 with point code 0.23.1 and the ASP asp-scp towards
#                                osmo-stp; then the lines on stdin (the scp and notifier nodes)
#   ssp_config FILE              tandem-ssp's config: point code 0.23.2, ASP asp-ssp; then the lines on stdin
#   scp_start CFG LOG            start tandem-scp (SCP_PID), appending to LOG; fails if its VTY does not
#                                come up within 30 s
#   scp_vty CMD...               run VTY commands, print their output
#   scp_ctrl VAR                 print "VAR VALUE" of a CTRL variable
#
# SCP_ADDR: each osmo-stp of stp-harness.sh has its own loopback address; tandem-scp takes the next one, so
# that its fixed VTY and CTRL ports (4260, 4261) never collide with another test's.

SCP_LIB_DIR=$(dirname "${abs_top_srcdir:-${SRCDIR:?}}/tests/scp_lib.sh")
SCP_ADDR=127.0.$((STP_IPA_PORT / 256 % 256 + 1)).$((STP_IPA_PORT % 256))

scp_config()
{
	{
		echo "log stderr"
		echo " logging filter all 1"
		echo " logging color 0"
		echo " logging print category 1"
		echo " logging level set-all notice"
		[ -n "${2:-}" ] && printf '%s\n' "$2"
		echo "line vty"
		echo " no login"
		echo " bind $SCP_ADDR"
		echo "ctrl"
		echo " bind $SCP_ADDR"
		echo "cs7 instance 0"
		echo " point-code 0.23.1"
		echo " asp asp-scp $STP_IPA_PORT 0 ipa"
		echo "  remote-ip 127.0.0.1"
		echo " as as-scp ipa"
		echo "  asp asp-scp"
		echo "  routing-key 0 0.23.1"
		cat
	} >"$1"
}

ssp_config()
{
	{
		echo "log stderr"
		echo " logging filter all 1"
		echo " logging color 0"
		echo " logging level set-all notice"
		echo "cs7 instance 0"
		echo " point-code 0.23.2"
		echo " asp asp-ssp $STP_IPA_PORT 0 ipa"
		echo "  remote-ip 127.0.0.1"
		echo " as as-ssp ipa"
		echo "  asp asp-ssp"
		echo "  routing-key 0 0.23.2"
		cat
	} >"$1"
}

scp_start()
{
	"${BUILDDIR:-${abs_top_builddir:?}}/scp/tandem-scp" -c "$1" >>"$2" 2>&1 &
	SCP_PID=$!
	if ! stp_wait_listen "$SCP_PID" 4260 300; then
		echo "tandem-scp did not start:" >&2
		cat "$2" >&2
		return 1
	fi
}

scp_vty()
{
	python3 "$SCP_LIB_DIR/osmo_vty.py" vty "$SCP_ADDR" 4260 "$@"
}

scp_ctrl()
{
	python3 "$SCP_LIB_DIR/osmo_vty.py" ctrl "$SCP_ADDR" 4261 "$1"
}
