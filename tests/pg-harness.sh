# SPDX-License-Identifier: AGPL-3.0-or-later
# Throwaway PostgreSQL 15 cluster for the server tests (POSIX sh, sourced).
#
#   . "$abs_top_srcdir/tests/pg-harness.sh"
#   pg_start            # initdb + pg_ctl on a Unix socket in a temp dir, database "tandem"
#   ... PGHOST/PGPORT/PGUSER are exported, so postgresql:///tandem reaches it ...
#   pg_stop / pg_restart
#
# The cluster is stopped and its directory removed when the sourcing shell exits, also when a
# test fails half-way (EXIT trap). PostgreSQL refuses to run as root, so as root the cluster is
# owned by and run as the postgres user; as any other user it runs as that user.
# Helpers for the daemon: srv_free_port, srv_start, srv_stop, srv_wait_http.

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PG_DIR=
PG_PORT=5432
SRV_PIDS=

pg_as_owner()
{
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start()
{
	if [ ! -x "$PG_BINDIR/initdb" ]; then
		echo "pg-harness: no PostgreSQL 15 in $PG_BINDIR" >&2
		return 77
	fi
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tandem-pg.XXXXXX") || return 1
	trap 'harness_cleanup' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$PG_DIR" || return 1
	fi
	chmod 700 "$PG_DIR"
	pg_as_owner "$PG_BINDIR/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-locale \
		--no-sync >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
	export PGHOST="$PG_DIR" PGPORT="$PG_PORT" PGUSER=postgres
	unset PGDATABASE PGSERVICE PGPASSWORD 2>/dev/null || true
	pg_up || return 1
	pg_as_owner "$PG_BINDIR/createdb" -h "$PG_DIR" -p "$PG_PORT" -U postgres tandem || return 1
}

# Start (or restart after pg_down) the cluster's postmaster and wait until it accepts connections.
pg_up()
{
	pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 30 \
		-o "-k $PG_DIR -p $PG_PORT -c listen_addresses='' -c fsync=off" start >/dev/null ||
		{ cat "$PG_DIR/postgres.log" >&2; return 1; }
}

# Stop the postmaster (fast shutdown: open sessions are disconnected), keep the data.
pg_down()
{
	pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null
}

pg_restart()
{
	pg_down && pg_up
}

# psql against the test database, quiet, unaligned, tuples only, stop on the first error.
pg_sql()
{
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d tandem "$@"
}

pg_stop()
{
	if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
		if [ -f "$PG_DIR/data/postmaster.pid" ]; then
			pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop \
				>/dev/null 2>&1
		fi
		rm -rf "$PG_DIR"
	fi
	PG_DIR=
}

# A TCP port on 127.0.0.1 in 18000-18999 that nothing listens on, and that no other test script
# running at the same time has picked (test groups run in parallel, and a script often picks several
# ports before its daemons listen): each pick is reserved by an atomic mkdir under $SRV_PORT_LOCKS
# holding the script's pid, released by harness_cleanup; a reservation whose owner is gone is taken
# over. Starts at a random place; srv_start also retries on a bind failure.
SRV_PORT_LOCKS=${TMPDIR:-/tmp}/tandem-test-ports

srv_port_reserve()
{
	_l="$SRV_PORT_LOCKS/$1"
	if mkdir "$_l" 2>/dev/null; then
		echo $$ >"$_l/pid"
		return 0
	fi
	# a stale reservation (its script is gone) is taken over
	_o=$(cat "$_l/pid" 2>/dev/null)
	if [ -n "$_o" ] && ! kill -0 "$_o" 2>/dev/null && rm -rf "$_l" && mkdir "$_l" 2>/dev/null; then
		echo $$ >"$_l/pid"
		return 0
	fi
	return 1
}

srv_free_port()
{
	mkdir -p "$SRV_PORT_LOCKS" 2>/dev/null
	_p=$(( 18000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 1000 ))
	_n=0
	while [ $_n -lt 1000 ]; do
		if ! ss -Htln "sport = :$_p" 2>/dev/null | grep -q . && srv_port_reserve $_p; then
			echo $_p
			return 0
		fi
		_p=$(( 18000 + (_p - 18000 + 1) % 1000 ))
		_n=$(( _n + 1 ))
	done
	return 1
}

# Release this script's port reservations.
srv_ports_release()
{
	for _l in "$SRV_PORT_LOCKS"/*; do
		[ -f "$_l/pid" ] && [ "$(cat "$_l/pid" 2>/dev/null)" = "$$" ] && rm -rf "$_l"
	done
	return 0
}

# srv_wait_http PORT: wait up to 10 s until the daemon answers HTTP on 127.0.0.1:PORT.
srv_wait_http()
{
	_i=0
	while [ $_i -lt 100 ]; do
		if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/v1/health"; then
			return 0
		fi
		sleep 0.1
		_i=$(( _i + 1 ))
	done
	echo "pg-harness: nothing answers on port $1" >&2
	return 1
}

# srv_wait_ready PORT: wait up to 20 s until /v1/health says the database is usable (200).
srv_wait_ready()
{
	_i=0
	while [ $_i -lt 200 ]; do
		_c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$1/v1/health")
		if [ "$_c" = 200 ]; then
			return 0
		fi
		sleep 0.1
		_i=$(( _i + 1 ))
	done
	echo "pg-harness: server on port $1 never became ready" >&2
	return 1
}

# srv_start CFG LOG [wrapper...]: run tandem-server in the background, remember its pid in SRV_PID.
srv_start()
{
	_cfg=$1
	_log=$2
	shift 2
	"$@" "$abs_top_builddir/server/tandem-server" -c "$_cfg" >"$_log" 2>&1 &
	SRV_PID=$!
	SRV_PIDS="$SRV_PIDS $SRV_PID"
}

# srv_stop PID: SIGTERM and wait; prints nothing, returns the daemon's exit status.
srv_stop()
{
	kill -TERM "$1" 2>/dev/null
	wait "$1"
	_rc=$?
	SRV_PIDS=$(echo "$SRV_PIDS" | sed "s/ $1\b//")
	return $_rc
}

harness_cleanup()
{
	for _pid in $SRV_PIDS; do
		kill -KILL "$_pid" 2>/dev/null
		wait "$_pid" 2>/dev/null
	done
	SRV_PIDS=
	pg_stop
	srv_ports_release
}
