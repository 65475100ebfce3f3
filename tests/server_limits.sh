#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-server rate limit per client address (429) and client addresses from X-Forwarded-For when, and only
# when, the peer is a trusted proxy. The bucket holds 3 requests and refills at 1 per second, so a burst of
# quick requests sees 3 answers and then 429s.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
srv_setup " rate-limit 1 burst 3" " trusted-proxy 127.0.0.0/8" || exit 1

codes()
{
	_out=
	for _i in 1 2 3 4 5; do
		_out="$_out $(curl -s -o /dev/null -w '%{http_code}' -m 5 "$@" "$URL/v1/health")"
	done
	echo "$_out"
}

echo "client 198.51.100.1 via the proxy:$(codes -H 'X-Forwarded-For: 198.51.100.1')"
echo "client 198.51.100.2 via the proxy:$(codes -H 'X-Forwarded-For: 198.51.100.2')"
echo "forged left entry, same client:$(codes -H 'X-Forwarded-For: 203.0.113.5, 198.51.100.2')"
curl -s -m 5 -H 'X-Forwarded-For: 198.51.100.1' "$URL/v1/health"; echo
srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
