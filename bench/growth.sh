#!/usr/bin/env bash
# Growth (SPEC 5): W1 throughput and status-poll latency on a new database, then on one grown to
# TOTAL finished runs (default 1,000,000) by `caseworker-bench fill`. Extra arguments go to both
# W1 runs, e.g.  bench/growth.sh --runs 10000 --concurrency 64
# Method and figures: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TOTAL="${TOTAL:-1000000}"
swift build -c release >&2
bench=.build/release/caseworker-bench
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "== W1 on a new database"
"$bench" w1 "$@"
echo "== growing a database to $TOTAL finished runs"
"$bench" w1 --runs 1000 --warmup 0 --polls 0 --database "$work/grown.sqlite" >/dev/null
"$bench" fill --database "$work/grown.sqlite" --runs "$TOTAL"
ls -l "$work/grown.sqlite"
echo "== W1 on the grown database"
"$bench" w1 --database "$work/grown.sqlite" "$@"
