# A throwaway PostgreSQL cluster for the tests (sourced by scripts/test.sh and bench scripts):
# Debian's postgresql server binaries, `initdb` in a new temporary directory, `pg_ctl` listening on
# 127.0.0.1 on a free port (no unix socket outside that directory), stopped and deleted by
# `stop_throwaway_postgres` (callers trap it). No Docker, no system service, nothing left behind.
#
#   start_throwaway_postgres      exports CASEWORKER_TEST_POSTGRES_URL (postgres://caseworker@127.0.0.1:PORT/postgres)
#                                 and CW_PG_DIR, CW_PG_BIN (pg_ctl restarts the server under load in one test)
#   stop_throwaway_postgres       stops the server and removes the directory
#
# initdb refuses to run as root: as root the cluster belongs to the `postgres` user that Debian's
# package creates, and the commands run through runuser.

cw_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

cw_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_throwaway_postgres() {
  ensure_debian_packages postgresql
  CW_PG_BIN="$(cw_pg_bin)" || { say "no PostgreSQL server binaries under /usr/lib/postgresql"; return 1; }
  CW_PG_DIR="$(mktemp -d /tmp/caseworker-pg.XXXXXX)"
  [ "$(id -u)" = 0 ] && chown postgres: "$CW_PG_DIR"
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  cw_pg_as_owner "$CW_PG_BIN/initdb" -D "$CW_PG_DIR/data" -U caseworker --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # Enough connections for three daemons and the conformance suite; fsync on (the durability tests
  # kill processes, and the benchmark compares with SQLite's synchronous=FULL).
  cat >>"$CW_PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$CW_PG_DIR'
max_connections = 300
shared_buffers = 128MB
CONF
  cw_pg_as_owner "$CW_PG_BIN/pg_ctl" -D "$CW_PG_DIR/data" -l "$CW_PG_DIR/server.log" -w -t 60 start >/dev/null
  export CW_PG_DIR CW_PG_BIN
  export CASEWORKER_TEST_POSTGRES_URL="postgres://caseworker@127.0.0.1:$port/postgres"
  say "throwaway PostgreSQL on 127.0.0.1:$port (data in $CW_PG_DIR)"
}

stop_throwaway_postgres() {
  [ -n "${CW_PG_DIR:-}" ] || return 0
  cw_pg_as_owner "$CW_PG_BIN/pg_ctl" -D "$CW_PG_DIR/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
  rm -rf "$CW_PG_DIR"
  CW_PG_DIR=""
}
