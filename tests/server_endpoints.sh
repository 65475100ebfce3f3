#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Every route of tandem-server, taken from the route table in server/api.c (so a new route is covered
# without editing this script), against the bad inputs every endpoint must refuse: no credentials (401), a
# credential of the wrong role (403), a path argument that names nothing or is not well-formed, an unknown
# query parameter, and for routes with a body a wrong Content-Type (415), a body over the limit (413),
# malformed JSON and an unknown field (400). Also checks that doc/api.md documents exactly the routes of the
# table. Prints a transcript that tests/server_endpoints.ok holds.
set -u
. "$abs_top_srcdir/tests/pg-harness.sh"
. "$abs_top_srcdir/tests/server_lib.sh"
srv_setup " body-limit json 4096" || exit 1

# "METHOD PATTERN ROLES BODY" per route, in table order
sed -n 's/^[[:space:]]*{ "\([A-Z]*\)", "\(\/v1\/[^"]*\)", \([A-Z_ |0-9]*\), SRV_BODY_\([A-Z]*\), srv_api_[a-z_]* },$/\1 \2 \3 \4/p' \
	"$abs_top_srcdir/server/api.c" | sed 's/ | /|/g' >"$WORK/routes"
echo "# $(wc -l <"$WORK/routes") routes in server/api.c; doc/api.md documents the same ones"
cut -d' ' -f1,2 "$WORK/routes" | sort -u >"$WORK/code.routes"
# doc/api.md names a route as `METHOD /v1/path...` in backticks; {anything} is one path argument
sed 's/{[^}]*}/{}/g' "$abs_top_srcdir/doc/api.md" | grep -o '`\(GET\|POST\|PUT\|PATCH\|DELETE\) /v1/[^`? ]*' |
	tr -d '`' | sort -u >"$WORK/doc.routes"
diff "$WORK/code.routes" "$WORK/doc.routes" | sed -n 's/^< /not in doc\/api.md: /p;s/^> /in doc\/api.md but not served: /p'

# credentials of every kind
req POST /v1/api-keys '{"role":"engineer"}' >/dev/null
ENGINEER=$(json_get key)
req POST /v1/api-keys '{"role":"scp"}' >/dev/null
SCP=$(json_get key)
req POST /v1/subscribers '{"tdn":"+493012345678"}' >/dev/null
req POST /v1/devices '{"tdn":"+493012345678","kind":"pc"}' >/dev/null
DEVICE=$(json_get token)
[ -n "$ENGINEER" ] && [ -n "$SCP" ] && [ -n "$DEVICE" ] || { echo "cannot make the credentials"; exit 1; }

# try LABEL METHOD PATH CREDENTIAL [CONTENT-TYPE BODY-FILE]: "  LABEL -> STATUS CODE [FIELD]"
try()
{
	_tl=$1 _tm=$2 _tp=$3 _tk=$4
	shift 4
	if [ $# -ge 2 ]; then
		_to=$(curl -s -m 10 -w '\n%{http_code}' -X "$_tm" ${_tk:+-H "Authorization: Bearer $_tk"} \
			-H "Content-Type: $1" --data-binary "@$2" "$URL$_tp")
	else
		_to=$(curl -s -m 10 -w '\n%{http_code}' -X "$_tm" ${_tk:+-H "Authorization: Bearer $_tk"} "$URL$_tp")
	fi
	RESP=$(printf '%s\n' "$_to" | sed '$d')
	_tc=$(printf '%s\n' "$_to" | tail -n 1)
	_te=$(printf '%s\n' "$RESP" | sed -n 's/^{"error":{"code":"\([a-z0-9_]*\)".*"field":"\{0,1\}\([^"}]*\)"\{0,1\}}.*/\1 \2/p')
	echo "  $_tl -> $_tc $_te" | sed 's/ null$//;s/ *$//'
}

printf '{' >"$WORK/malformed.json"
printf '{"zz_unknown_field":1}' >"$WORK/unknown.json"
{ printf '{"label":"'; head -c 5000 /dev/zero | tr '\0' x; printf '"}'; } >"$WORK/big.json"
printf 'tdn\n+4930\n' >"$WORK/one.csv"
printf 'GIF89a' >"$WORK/gif"
# a 1x1 PNG: signature, IHDR, IDAT, IEND
printf '\211PNG\r\n\032\n\000\000\000\015IHDR\000\000\000\001\000\000\000\001\010\006\000\000\000\037\025\304\211\000\000\000\015IDATx\234c\370\017\000\000\001\001\000\005\030\330N\000\000\000\000IEND\256B`\202' >"$WORK/png"

while read -r _m _pat _roles _body; do
	echo "$_m $_pat"
	# a credential that may use the route, and one that may not
	case $_roles in
	0) _ok= _bad= ;;
	DEV) _ok=$DEVICE _bad=$ADMIN ;;
	ADM) _ok=$ADMIN _bad=$ENGINEER ;;
	SRV_ROLE_SCP) _ok=$SCP _bad=$ENGINEER ;;
	*) _ok=$ADMIN _bad=$DEVICE ;;
	esac
	# the path argument: one that exists or is well-formed, and a malformed one
	case $_pat in
	/v1/me/profile/*) _arg=motto _badarg='Bad%20Name' ;;
	/v1/me/blocks/*) _arg=%2B4930111 _badarg='4930111' ;;
	*) _arg=1 _badarg="1%27%20OR%201%3D1--" ;;
	esac
	_p=$(echo "$_pat" | sed "s/{}/$_arg/")
	# a body of the right type (credentials are checked before what is in it)
	_ct= _b=
	case $_body in
	JSON) _ct=application/json _b=$WORK/unknown.json ;;
	CSV) _ct=text/csv _b=$WORK/one.csv ;;
	IMAGE) _ct=image/png _b=$WORK/png ;;
	esac
	if [ -n "$_ok" ]; then
		try "no credentials" "$_m" "$_p" "" ${_ct:+"$_ct" "$_b"}
		try "wrong role" "$_m" "$_p" "$_bad" ${_ct:+"$_ct" "$_b"}
		try "unknown key" "$_m" "$_p" "tdk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
			${_ct:+"$_ct" "$_b"}
		try "device token of no device" "$_m" "$_p" \
			"tdd_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" ${_ct:+"$_ct" "$_b"}
	fi
	case $_pat in
	*{}*)
		try "path argument $_badarg" "$_m" "$(echo "$_pat" | sed "s/{}/$_badarg/")" "$_ok" ${_ct:+"$_ct" "$_b"}
		;;
	esac
	try "unknown query parameter" "$_m" "$_p?zz_unknown=1" "$_ok" ${_ct:+"$_ct" "$_b"}
	case $_body in
	JSON)
		try "Content-Type text/plain" "$_m" "$_p" "$_ok" text/plain "$WORK/unknown.json"
		try "Content-Type text/csv" "$_m" "$_p" "$_ok" text/csv "$WORK/unknown.json"
		try "body over body-limit json" "$_m" "$_p" "$_ok" application/json "$WORK/big.json"
		try "malformed JSON" "$_m" "$_p" "$_ok" application/json "$WORK/malformed.json"
		try "unknown field" "$_m" "$_p" "$_ok" application/json "$WORK/unknown.json"
		;;
	CSV)
		try "Content-Type application/json" "$_m" "$_p" "$_ok" application/json "$WORK/one.csv"
		;;
	IMAGE)
		try "Content-Type image/gif" "$_m" "$_p" "$_ok" image/gif "$WORK/gif"
		try "Content-Type application/json" "$_m" "$_p" "$_ok" application/json "$WORK/unknown.json"
		;;
	esac
done <"$WORK/routes"

echo "# nothing above changed anything"
echo "subscribers $(pg_sql -c 'SELECT count(*) FROM subscribers'), devices $(pg_sql -c 'SELECT count(*) FROM devices')," \
	"couplings $(pg_sql -c 'SELECT count(*) FROM couplings'), keys $(pg_sql -c 'SELECT count(*) FROM api_keys WHERE revoked_at IS NULL')," \
	"profile fields $(pg_sql -c 'SELECT count(*) FROM profile_fields'), media $(pg_sql -c 'SELECT count(*) FROM media')," \
	"blocks $(pg_sql -c 'SELECT count(*) FROM blocks'), groups $(pg_sql -c 'SELECT count(*) FROM groups')," \
	"audit rows $(pg_sql -c 'SELECT count(*) FROM audit_log')"

srv_stop "$SRV_PID" && echo "daemon stopped cleanly"
