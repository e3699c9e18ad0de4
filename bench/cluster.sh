#!/usr/bin/env bash
# W1 on SQLite, on PostgreSQL with one instance and on PostgreSQL with three instances (#18), in one
# go: builds release, starts a throwaway PostgreSQL cluster (scripts/lib/postgres.sh: `initdb` in
# a temporary directory, listening on 127.0.0.1, stopped and removed at exit), then runs
# `caseworker-bench w1` three times, each on a fresh database, with the arguments given (the same
# for all three: --runs, --concurrency or --rate, --warmup, --stub-delay-ms, …), e.g.
#   bench/cluster.sh --runs 20000 --concurrency 64
#   bench/cluster.sh --runs 6000 --rate 200
# Prints each run's report, then one table: runs/s, latency p50/p99, the daemon's CPU per run
# (summed over the instances) and the PostgreSQL server's (its postmaster and every process under
# it). Exits non-zero when a configuration did not complete every run correctly.
#
# Durability is the same on both sides: SQLite runs with synchronous=FULL, and PostgreSQL keeps
# fsync and synchronous_commit on (its defaults, which scripts/lib/postgres.sh leaves alone), so a
# commit is flushed to disk before the daemon answers, on either store.
#
# CONFIGURATION=debug runs the debug build instead (a check that everything runs, not a measurement).
# Method and figures: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/lib/postgres.sh
CONFIGURATION="${CONFIGURATION:-release}"
ensure_swift
ensure_debian_packages postgresql-client
swift build -c "$CONFIGURATION" >&2
bench=".build/$CONFIGURATION/caseworker-bench"
work="$(mktemp -d)"
trap 'stop_throwaway_postgres; rm -rf "$work"' EXIT
start_throwaway_postgres

# fresh_database NAME: creates the database NAME on the throwaway server, checkpoints (so that the
# previous configuration's writes are not flushed during this one), and prints the database's URL.
fresh_database() {
  psql -q "$CASEWORKER_TEST_POSTGRES_URL" -c "CREATE DATABASE $1" -c "CHECKPOINT" >&2
  echo "${CASEWORKER_TEST_POSTGRES_URL%/*}/$1?sslmode=disable"
}

# measure NAME W1-ARGUMENTS...: one W1 run; its report goes to stdout, its JSON line to $work/NAME.json.
failed=0
measure() {
  local name="$1"
  shift
  echo "== W1 on $name"
  if ! "$bench" w1 --json "$@" >"$work/out"; then
    say "$name: not every run completed correctly"
    failed=1
  fi
  grep -v '^{' "$work/out" || true
  grep '^{' "$work/out" >"$work/$name.json" || true
}

measure "SQLite" --synchronous full "$@"
url="$(fresh_database w1_one)"
measure "PostgreSQL, 1 instance" --database-url "$url" --instances 1 --postgres-data-dir "$CW_PG_DIR/data" "$@"
url="$(fresh_database w1_three)"
measure "PostgreSQL, 3 instances" --database-url "$url" --instances 3 --postgres-data-dir "$CW_PG_DIR/data" "$@"

echo
python3 - "$work" "SQLite" "PostgreSQL, 1 instance" "PostgreSQL, 3 instances" <<'PYTHON'
import json, os, sys

work, names = sys.argv[1], sys.argv[2:]
print("| configuration | runs/s | p50 | p99 | daemon CPU per run | PostgreSQL CPU per run | together |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for name in names:
    path = os.path.join(work, name + ".json")
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        print(f"| {name} | failed | | | | | |")
        continue
    r = json.load(open(path))
    correct = r["missing"] == 0 and r["duplicates"] == 0 and r["badSignatures"] == 0 and r["wrongResults"] == 0
    daemon, postgres, latency = r["daemonCPUMsPerRun"], r["postgresCPUMsPerRun"], r["latencyMs"] or {}
    cells = [
        name if correct else name + " (INCORRECT)",
        f"{r['runsPerSecond']:.0f}",
        f"{latency['p50']:.2f} ms" if latency else "-",
        f"{latency['p99']:.2f} ms" if latency else "-",
        f"{daemon:.3f} ms",
        "-" if postgres is None else f"{postgres:.3f} ms",
        f"{daemon + (postgres or 0):.3f} ms",
    ]
    print("| " + " | ".join(cells) + " |")
PYTHON
exit "$failed"
