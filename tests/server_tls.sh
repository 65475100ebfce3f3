#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-server over HTTPS: a throwaway CA and a server certificate for 127.0.0.1 made with openssl, the
# daemon with `tls certificate` / `tls key` on a loopback port; requests with curl --cacert and tandemctl
# --cacert (and TANDEM_CACERT), refusals without the CA, plain HTTP to the TLS port, and a daemon that
# refuses to start on bad TLS files with a message naming the file and the reason. Prints a transcript that
# tests/server_tls.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
CTL="$abs_top_builddir/tools/tandemctl"
export HOME="$WORK/home"
unset TANDEM_SERVER TANDEM_API_KEY TANDEM_CACERT XDG_CONFIG_HOME 2>/dev/null || true

# ssl CMD...: openssl quietly; its messages only when it fails
ssl()
{
	openssl "$@" >"$WORK/openssl.log" 2>&1 || { cat "$WORK/openssl.log" >&2; exit 1; }
}

echo "# a CA, a server certificate for 127.0.0.1 signed by it, and a second CA that signed nothing"
ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.pem" \
	-days 2 -subj "/CN=tandem test CA"
ssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/srv.key" -out "$WORK/srv.csr" \
	-subj "/CN=127.0.0.1"
printf 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n' >"$WORK/srv.ext"
ssl x509 -req -in "$WORK/srv.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
	-out "$WORK/srv.pem" -days 2 -extfile "$WORK/srv.ext"
ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/other.key" \
	-out "$WORK/other.pem" -days 2 -subj "/CN=some other CA"
ssl verify -CAfile "$WORK/ca.pem" "$WORK/srv.pem"
echo "server certificate verifies against the CA"

pg_start || exit 1
printf ' tls certificate %s\n tls key %s\n' "$WORK/srv.pem" "$WORK/srv.key" >"$WORK/srv.cfg.extra"
srv_config "$WORK/srv.cfg" <"$WORK/srv.cfg.extra" || exit 1
ADMIN=$("$SRV_BIN" -c "$WORK/srv.cfg" --create-api-key admin --label bootstrap 2>"$WORK/keytool.log") ||
	{ cat "$WORK/keytool.log" >&2; exit 1; }
srv_start "$WORK/srv.cfg" "$WORK/srv.log"
HTTPS="https://127.0.0.1:$HTTP_PORT"
_i=0
until [ "$(curl -s -o /dev/null -m 1 -w '%{http_code}' --cacert "$WORK/ca.pem" "$HTTPS/v1/health")" = 200 ]; do
	_i=$((_i + 1))
	[ $_i -lt 200 ] || { echo "nothing answers on $HTTPS" >&2; cat "$WORK/srv.log" >&2; exit 1; }
	sleep 0.1
done
grep -o 'serving HTTPS on .*' "$WORK/srv.log" | sed "s/port $HTTP_PORT/port <port>/"

# hreq ARGS... PATH: curl over HTTPS; prints "PATH -> STATUS BODY", or curl's exit status when it fails
hreq()
{
	_p=$(eval echo \${$#})
	_out=$(curl -s -m 10 -w '\n%{http_code}' "$@" 2>/dev/null)
	_rc=$?
	if [ $_rc != 0 ]; then
		echo "curl exit $_rc"
		return
	fi
	printf '%s -> %s %s\n' "$_p" "$(printf '%s\n' "$_out" | tail -n 1)" "$(printf '%s\n' "$_out" | sed '$d')" |
		sed -e "s#$HTTPS#\$HTTPS#" -e 's/"schema_version":[0-9]*/"schema_version":<n>/' | srv_normalize
}

echo "# curl"
hreq --cacert "$WORK/ca.pem" "$HTTPS/v1/health"
hreq --cacert "$WORK/ca.pem" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
	--data-binary '{"tdn":"+493012345678","label":"over TLS"}' "$HTTPS/v1/subscribers"
hreq --cacert "$WORK/ca.pem" -H "Authorization: Bearer $ADMIN" "$HTTPS/v1/subscribers/1"
hreq --cacert "$WORK/ca.pem" "$HTTPS/v1/subscribers/1"
echo "without the CA (the system store does not know it):"
hreq "$HTTPS/v1/health"
echo "with another CA:"
hreq --cacert "$WORK/other.pem" "$HTTPS/v1/health"
echo "by a name the certificate does not carry:"
hreq --cacert "$WORK/ca.pem" --resolve "tandem.invalid:$HTTP_PORT:127.0.0.1" \
	"https://tandem.invalid:$HTTP_PORT/v1/health"
echo "plain HTTP to the TLS port:"
_c=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/v1/health")
echo "curl exit $?, HTTP status $_c"
echo "still serving HTTPS afterwards:"
hreq --cacert "$WORK/ca.pem" "$HTTPS/v1/health"

# run ARGS...: tandemctl's command line, its stdout, its stderr marked "!", its exit status
run()
{
	echo "\$ tandemctl $*" | sed -e "s#$HTTPS#\$HTTPS#g" -e "s#$ADMIN#\$ADMIN#g" -e "s#$WORK#\$WORK#g" \
		-e "s#http://127.0.0.1:$HTTP_PORT#http://127.0.0.1:\$PORT#g"
	"$CTL" "$@" >"$WORK/o" 2>"$WORK/e"
	_rc=$?
	sed -e 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z/YYYY-MM-DD hh:mm:ssZ/g' \
		"$WORK/o" | srv_normalize
	sed -e "s#$HTTPS#\$HTTPS#g" -e "s#http://127.0.0.1:$HTTP_PORT#http://127.0.0.1:\$PORT#g" \
	    -e "s#$WORK#\$WORK#g" -e 's/^/! /' "$WORK/e"
	echo "exit $_rc"
}

echo "# tandemctl"
run --server "$HTTPS" --key "$ADMIN" --cacert "$WORK/ca.pem" subscriber add +14155550100 --label "via tandemctl"
run --server "$HTTPS" --key "$ADMIN" --cacert "$WORK/ca.pem" subscriber list
run --server "$HTTPS" --key "$ADMIN" --cacert "$WORK/ca.pem" subscriber add +14155550100
echo "(TANDEM_CACERT=\$WORK/ca.pem)"
TANDEM_CACERT="$WORK/ca.pem" run --server "$HTTPS" --key "$ADMIN" subscriber show +493012345678
mkdir -p "$HOME/.config/tandem"
printf 'server = %s\nkey = %s\ncacert = %s\n' "$HTTPS" "$ADMIN" "$WORK/ca.pem" >"$HOME/.config/tandem/ctl.conf"
echo "(server, key and cacert from ~/.config/tandem/ctl.conf)"
run subscriber show 2
rm "$HOME/.config/tandem/ctl.conf"
run --server "$HTTPS" --key "$ADMIN" subscriber list
run --server "$HTTPS" --key "$ADMIN" --cacert "$WORK/other.pem" subscriber list
run --server "$HTTPS" --key "$ADMIN" --cacert "$WORK/missing.pem" subscriber list
run --server "http://127.0.0.1:$HTTP_PORT" --key "$ADMIN" subscriber list

srv_stop "$SRV_PID" && echo "daemon stopped cleanly"

echo "# bad TLS settings: the daemon refuses to start and says why"
# start_bad CFG-LINES...: a daemon with these server lines; its exit status and its error lines
start_bad()
{
	printf '%s\n' "$@" >"$WORK/bad.cfg.extra"
	srv_config "$WORK/bad.cfg" <"$WORK/bad.cfg.extra" || exit 1
	printf '%s\n' "$@" | sed -e "s#$WORK#\$WORK#g" -e 's/^ */config: /'
	timeout 20 "$SRV_BIN" -c "$WORK/bad.cfg" >"$WORK/bad.log" 2>&1
	echo "exit $?"
	grep -E '(ERROR|FATAL)' "$WORK/bad.log" | sed -e "s#$WORK#\$WORK#g" -e 's/^.*<[0-9a-f]*> *//' \
		-e 's/^[^ ]*\.c:[0-9]* //'
	if curl -s -o /dev/null -m 2 "http://127.0.0.1:$HTTP_PORT/v1/health" ||
	   curl -s -k -o /dev/null -m 2 "https://127.0.0.1:$HTTP_PORT/v1/health"; then
		echo "BUG: something answers on port $HTTP_PORT"
	fi
}
start_bad " tls certificate $WORK/missing.pem" " tls key $WORK/srv.key"
start_bad " tls certificate $WORK/srv.pem" " tls key $WORK/missing.key"
start_bad " tls certificate $WORK/srv.pem"
start_bad " tls key $WORK/srv.key"
: >"$WORK/empty.pem"
start_bad " tls certificate $WORK/empty.pem" " tls key $WORK/srv.key"
printf 'not a certificate\n' >"$WORK/junk.pem"
start_bad " tls certificate $WORK/junk.pem" " tls key $WORK/srv.key"
start_bad " tls certificate $WORK/srv.pem" " tls key $WORK/other.key"
start_bad " tls certificate $WORK/srv.key" " tls key $WORK/srv.pem"
