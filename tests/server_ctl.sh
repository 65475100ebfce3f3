#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandemctl against the real tandem-server and PostgreSQL: every command, tables and --json, the server's
# error messages and the exit status (0 done, 1 refused, 2 usage, 3 unreachable), the key and server from
# the environment and from ~/.config/tandem/ctl.conf, import with bad rows, export to a file. Prints a
# transcript that tests/server_ctl.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
srv_setup || exit 1
CTL="$abs_top_builddir/tools/tandemctl"
export HOME="$WORK/home"
unset TANDEM_SERVER TANDEM_API_KEY TANDEM_CACERT XDG_CONFIG_HOME 2>/dev/null || true

# run ARGS...: the command line, what it printed (stdout, then stderr marked "!"), its exit status
run()
{
	echo "\$ tandemctl $*" | sed -e "s#$URL#\$URL#g" -e "s#$ADMIN#\$ADMIN#g" -e "s#$WORK#\$WORK#g"
	"$CTL" "$@" >"$WORK/o" 2>"$WORK/e"
	_rc=$?
	sed -e 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z/YYYY-MM-DD hh:mm:ssZ/g' \
	    -e 's/\b[0-9a-f]\{16\}\b/xxxxxxxxxxxxxxxx/g' "$WORK/o" | srv_normalize
	sed -e 's/^/! /' -e 's/after [0-9]* ms/after N ms/' -e "s#$WORK#\$WORK#g" "$WORK/e" | srv_normalize
	echo "exit $_rc"
}

echo "# usage"
run --help | sed '/^\$/d;/^exit/d' >"$WORK/help.txt"
head -n 1 "$WORK/help.txt"
run
run frobnicate
run subscriber
run subscriber add
run subscriber add +4930 --colour red
run --server ftp://x subscriber list
run --cacert "$WORK/no-such-ca.pem" subscriber list
run key
run key create --label "no role"
run subscriber update +4930
run key revoke

echo "# every command in --help is one tandemctl knows, and doc/tandemctl.md lists the same commands"
sed -n '/^Commands:/,/^$/p' "$WORK/help.txt" | sed -e '1d;/^$/d' -e 's/^ *//' -e 's/  */ /g' >"$WORK/help.cmds"
sed -n '/^## Commands/,/^## /p' "$abs_top_srcdir/doc/tandemctl.md" | grep '^    ' |
	sed -e 's/^ *//' -e 's/  */ /g' >"$WORK/doc.cmds"
diff "$WORK/help.cmds" "$WORK/doc.cmds" && echo "doc/tandemctl.md and --help list the same $(wc -l <"$WORK/doc.cmds") lines"
grep -v '^\[' "$WORK/help.cmds" | while read -r _cmd _verb _rest; do
	case $_verb in
	couplings*) _verb=couplings ;;
	-*|\[*) _verb= ;;
	esac
	# a known command and verb parses its options, so an unknown option is what it complains about
	"$CTL" --server "$URL" $_cmd $_verb --no-such-option >/dev/null 2>"$WORK/e"
	grep -q 'unknown option or missing value: --no-such-option' "$WORK/e" ||
		{ echo "BUG: --help lists '$_cmd $_verb' but tandemctl says:"; cat "$WORK/e"; }
done
echo "every command of --help is known to tandemctl"

echo "# key and server from the command line"
run --server "$URL" --key "$ADMIN" subscriber add +493012345678 --label "Berlin, office"
run --server "$URL" --key "$ADMIN" subscriber add +493012345678
run --server "$URL" --key "$ADMIN" subscriber add 4930
run --server "$URL" subscriber list
run --server "$URL" --key "tdk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" subscriber list
run --server "http://127.0.0.1:1" --key "$ADMIN" subscriber list

echo "# key and server from the environment"
export TANDEM_SERVER="$URL" TANDEM_API_KEY="$ADMIN"
run subscriber add +14155550100 --label 'x"); DROP TABLE subscribers; --'
run subscriber list
run --json subscriber list
run subscriber show +14155550100
run --json subscriber show 2
run subscriber show 99
run device add --tdn +493012345678 --kind pc --ip 192.0.2.0/24 --app-id tandem-client --cap sse --cap files
run device add --subscriber 3 --kind phone --label mobile
run device add --tdn +493012345678 --kind fridge
run device add --tdn +493012345678 --kind pc --ip 192.0.2.1/24
run device list
run device list --kind phone
run device list --ip 300.0.0.1
run coupling add --tdn +493012345678 --device 1
run coupling add --tdn +493012345678 --device 1
run coupling add --tdn +14155550100 --ip 198.51.100.7
run coupling add --tdn +14155550100
run coupling list
run --json coupling list --tdn-prefix 1415
run coupling delete 3
run coupling delete 3
run device delete 2
run device list --limit 1

echo "# key and server from ~/.config/tandem/ctl.conf (the environment wins over it)"
unset TANDEM_SERVER TANDEM_API_KEY
mkdir -p "$HOME/.config/tandem"
printf '# tandemctl settings\nserver = %s/\nkey = %s\n' "$URL" "$ADMIN" >"$HOME/.config/tandem/ctl.conf"
run subscriber list --tdn-prefix 49
TANDEM_API_KEY=tdk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA run subscriber list
printf 'server %s\n' "$URL" >"$HOME/.config/tandem/ctl.conf"
run subscriber list
printf 'colour = red\n' >"$HOME/.config/tandem/ctl.conf"
run subscriber list
rm "$HOME/.config/tandem/ctl.conf"
export TANDEM_SERVER="$URL" TANDEM_API_KEY="$ADMIN"

echo "# import and export"
printf 'tdn,device_id,ip\n+14155550100,1,\n+4930,1,\n+493012345678,,203.0.113.0/24\n+493012345678,1,\n' >"$WORK/c.csv"
run import couplings "$WORK/c.csv"
run import couplings "$WORK/c.csv" --dry-run
run import couplings "$WORK/c.csv" --skip-bad-rows --dry-run
run import couplings "$WORK/c.csv" --skip-bad-rows
run --json import couplings "$WORK/c.csv" --skip-bad-rows
printf 'tdn,label\n+4940100,Hamburg\n+4940101,"Hamburg, Hafen"\n' | run import subscribers -
run import subscribers "$WORK/missing.csv"
run import devices "$WORK/c.csv"
run export couplings
run export subscribers --tdn-prefix 4940 -o "$WORK/s.csv"
cat "$WORK/s.csv"
run export subscribers --tdn-prefix x
run audit --action coupling.import
run --json audit --action subscriber.import

echo "# roles"
req POST /v1/api-keys '{"role":"engineer","label":"field team"}' >/dev/null
KEY=$(json_get key)
TANDEM_API_KEY=$KEY run subscriber delete +4940100
TANDEM_API_KEY=$KEY run audit --object subscriber/1 --limit 1
TANDEM_API_KEY=$KEY run --json subscriber list --limit 1
TANDEM_API_KEY=$KEY run key list
TANDEM_API_KEY=$KEY run key create --role admin

echo "# subscriber update, device show"
run subscriber update +493012345678 --label "Berlin HQ"
run subscriber update 1 --tdn +493012345679
run subscriber update +493012345679 --tdn +14155550100
run subscriber update 1 --tdn 030123
run subscriber update 999 --label nobody
run --json subscriber update +493012345679 --tdn +493012345678 --label "Berlin, office"
run device show 1
run --json device show 1
run device show 2
run device update 1 --label "desk" --ip 192.0.2.128/25 --cap sse
run --json device update 1 --kind tv --app-id "x'); DROP TABLE devices; --"
run device update 1 --ip 192.0.2.1/24
run device update 1 --kind fridge
run device update 1 --cap "Bad Cap"
run device update 2 --label gone
run device update 1
run device show 1
run audit --action device.update --limit 1

echo "# API keys (admin)"
run key create --role engineer --label "night shift"
NIGHT=$(sed -n 's/^KEY  *\(tdk_\)/\1/p' "$WORK/o")
run --json key create --role scp
run key create --role root
run key create --role engineer --label "$(printf '%0201d' 0)"
run key list
run key list --limit 2
TANDEM_API_KEY=$NIGHT run subscriber show 1
run key revoke 3
run key revoke 3
run key revoke 99
run key revoke abc
TANDEM_API_KEY=$NIGHT run subscriber show 1
run audit --action api_key.revoke

srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
