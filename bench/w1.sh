#!/usr/bin/env bash
# Workload W1 (SPEC 5) against a release build of caseworker on loopback: builds release, then
# runs `caseworker-bench w1` with the arguments given (see `--help`), e.g.
#   bench/w1.sh --runs 20000 --concurrency 64 --synchronous full --stub-delay-ms 0
#   bench/w1.sh --runs 6000 --rate 200            # latency at 200 runs/s offered
# Method and figures: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >&2
exec .build/release/caseworker-bench w1 "$@"
