#!/usr/bin/env bash
# Memory with many runs waiting on a timer (SPEC 5: 100,000 waiting runs under 150 MB RSS).
# Extra arguments go to `caseworker-bench waiting`, e.g.  bench/waiting.sh --runs 100000
# Method and figures: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >&2
exec .build/release/caseworker-bench waiting "$@"
