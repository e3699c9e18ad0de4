# Sourced by the scripts that test against a throwaway daemon (fuzz-api.sh,
# test-python-client.sh). Needs BIN (the caseworker binary) and work (a fresh temporary
# directory, removed on exit); gives:
#   start_daemon PREFIX   serves $work/caseworker.yaml (logs to $work/daemon.log) and sets url
#                         once it listens (at most 30 s); PREFIX starts its error lines
#   stop_daemon           SIGTERM, then SIGKILL after 10 s; also run on every exit
daemon_pid=""
url=""

stop_daemon() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  daemon_pid=""
}

cleanup() {
  stop_daemon
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_daemon() {
  local prefix=$1
  "$BIN" serve --config "$work/caseworker.yaml" >"$work/daemon.log" 2>&1 </dev/null &
  daemon_pid=$!
  url=""
  for _ in $(seq 1 300); do
    url=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$work/daemon.log" 2>/dev/null | head -n 1 | sed 's/^listening on //') || true
    [ -n "$url" ] && return 0
    kill -0 "$daemon_pid" 2>/dev/null || { echo "$prefix: the daemon exited:" >&2; cat "$work/daemon.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$prefix: the daemon did not listen within 30 s" >&2
  cat "$work/daemon.log" >&2
  exit 1
}
