#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# The subscriber web page against the real daemon and PostgreSQL. First its routes with curl: GET / and
# GET /web/{file} with their types and headers (Content-Security-Policy, caching), and what they refuse (files
# not in the list, paths that try to leave the web root, other methods, query parameters). Then Debian's
# chromium, driven by playwright-core (tests/web/web.test.mjs), uses the page as subscriber B: paste the token,
# see the number, save fields, see the server's error for a bad e-mail, upload a photo, make a group, block a
# number; a call from A (POST /v1/call-events as the SCP) shows up live with A's card and photo, a message typed
# on the page arrives on A's stream (read here with curl), and one from A on the page, also after the daemon
# was restarted under the page (the page resumes its stream with Last-Event-ID); a withheld caller is shown
# without digits and without a card; B's own call to A shows A's card from what the page kept (`unchanged`).
# Also web-root in the running configuration and changed over the VTY, and the page's event stream parser
# alone in Node.js. Prints a transcript that tests/web/web.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
. "$abs_top_srcdir/tests/server_push_lib.sh"
srv_setup " web-root $abs_top_srcdir/server/web" || exit 1
trap 'sse_cleanup; [ -n "${NODE_PID:-}" ] && kill "$NODE_PID" 2>/dev/null; harness_cleanup' EXIT

# get METHOD PATH: status and type; for a file also the headers it must carry and whether it is the file
get()
{
	curl -s -m 10 -o "$WORK/body" -D "$WORK/headers" -X "$1" "$URL$2" >/dev/null
	_st=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$WORK/headers")
	_h() { sed -n "s/^$1: \(.*\)\r$/\1/Ip" "$WORK/headers"; }
	echo "$1 $2 -> $_st $(_h Content-Type)"
	if [ "$_st" = 200 ]; then
		_f=${2#/web/}
		[ "$2" = / ] && _f=index.html
		cmp -s "$WORK/body" "$abs_top_srcdir/server/web/$_f" || echo "  body differs from $_f"
		echo "  Cache-Control: $(_h Cache-Control)"
		echo "  Content-Security-Policy: $(_h Content-Security-Policy)"
		echo "  X-Content-Type-Options: $(_h X-Content-Type-Options), Referrer-Policy: $(_h Referrer-Policy)"
	else
		echo "  $(cat "$WORK/body")"
	fi
}

echo "# the page's routes"
get GET /
for f in index.html app.js api.js events.js style.css; do
	get GET "/web/$f" | sed '/^  [CXR]/d'
done
get GET /web/nothing.js
get GET /web/web.h
get GET /web/..%2Fweb.c
get GET /web/..%2F..%2Fconfigure.ac
get GET /web/%2E%2E
get GET /web/
get GET /web/app.js/x
get GET "/web/app.js?v=1"
get POST /web/app.js
get DELETE /
# web-root in the running configuration; changed at run time to a directory without the files, and back
vty()
{
	python3 "$abs_top_srcdir/tests/server_vty.py" "$VTY_PORT" |
		sed -n "s|$WORK|<work>|;s|$abs_top_srcdir|<srcdir>|;/web-root/p"
}
printf 'enable\nshow running-config\n' | vty
printf 'enable\nconfigure terminal\nserver\nweb-root %s\nend\n' "$WORK/nowhere" | vty
get GET /
get GET /web/app.js
printf 'enable\nconfigure terminal\nserver\nweb-root %s\nend\n' "$abs_top_srcdir/server/web" | vty
get GET /web/app.js
# the page carries no inline script or style (the policy would block it) and nothing from another origin
grep -n '<script>\|<style\| style=\| on[a-z]*=\|https\?://' "$abs_top_srcdir/server/web/index.html" ||
	echo "index.html: no inline script or style, no external resource"
grep -n 'https\?://' "$abs_top_srcdir"/server/web/*.js "$abs_top_srcdir"/server/web/*.css ||
	echo "scripts and style: no external resource"

echo "# A calls from a coupled POTS line; B uses the page"
req POST /v1/api-keys '{"role":"scp","label":"scp-a"}' >/dev/null
SCP=$(json_get key)
for t in +4930100 +4930200; do
	req POST /v1/subscribers "{\"tdn\":\"$t\"}" >/dev/null
done
req POST /v1/devices '{"tdn":"+4930100","kind":"pc","label":"PC of A"}' >/dev/null
DA=$(json_get token)
req POST /v1/devices '{"tdn":"+4930200","kind":"browser","label":"browser of B"}' >/dev/null
DB=$(json_get token)
req POST /v1/couplings '{"tdn":"+4930100","device_id":1}' >/dev/null
req POST /v1/couplings '{"tdn":"+4930200","device_id":2}' >/dev/null
req PUT /v1/me/profile/name '{"value":"Alice A"}' "$DA" >/dev/null
req PUT /v1/me/profile/photo "@$abs_top_srcdir/tests/web/red.png" "$DA" image/png >/dev/null
req PUT /v1/me/default-audience '{"fields":["name","photo"]}' "$DA"
sse_open a "$DA" || exit 1

# playwright-core from the npm registry, installed once per build tree (again when the lock file changes)
NODE_DIR="$abs_top_builddir/tests/web-node"
mkdir -p "$NODE_DIR"
if ! cmp -s "$abs_top_srcdir/tests/web/package-lock.json" "$NODE_DIR/package-lock.json" ||
	[ ! -d "$NODE_DIR/node_modules/playwright-core" ]; then
	cp "$abs_top_srcdir/tests/web/package.json" "$abs_top_srcdir/tests/web/package-lock.json" "$NODE_DIR/"
	(cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >"$WORK/npm.log" 2>&1) ||
		{ echo "npm ci failed"; cat "$WORK/npm.log" >&2; exit 1; }
fi

echo "# the page's event stream parser, in Node.js"
abs_top_srcdir=$abs_top_srcdir node "$abs_top_srcdir/tests/web/sse_parser.test.mjs" || echo "parser test failed"

# The browser test runs in the background; when it asks ($WORK/web.restart), the daemon is restarted under it.
WEB_SCREENSHOT=${WEB_SCREENSHOT:-} NODE_DIR=$NODE_DIR abs_top_srcdir=$abs_top_srcdir URL=$URL \
	TOKEN_B=$DB TOKEN_A=$DA SCP_KEY=$SCP WORK=$WORK \
	node "$abs_top_srcdir/tests/web/web.test.mjs" >"$WORK/node.out" 2>"$WORK/node.err" &
NODE_PID=$!
_i=0
while kill -0 "$NODE_PID" 2>/dev/null && [ $_i -lt 600 ]; do
	if [ -f "$WORK/web.restart" ]; then
		rm -f "$WORK/web.restart"
		sse_wait a '^event: message' || exit 1
		sse_close a
		srv_stop "$SRV_PID" || echo "daemon did not stop cleanly"
		srv_start "$WORK/srv.cfg" "$WORK/srv2.log"
		srv_wait_ready "$HTTP_PORT" || { cat "$WORK/srv2.log" >&2; exit 1; }
		: >"$WORK/web.restarted"
	fi
	sleep 0.1
	_i=$((_i + 1))
done
wait "$NODE_PID"
_rc=$?
NODE_PID=
cat "$WORK/node.out"
[ $_rc = 0 ] || { echo "browser test failed ($_rc)"; cat "$WORK/node.err" >&2; }

echo "# A's stream (until the restart): the message typed on the page"
sse_show a | grep 'event=message' | sed 's/^id=[0-9]* //;s/"message": [0-9]*/"message": <M>/'
srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
