#!/usr/bin/env bash
# API micro-benchmarks with wrk: POST /v1/cases and GET /v1/workflows/{id}, next to a bare
# Hummingbird ping in the same run. Extra arguments go to `caseworker-bench api`, e.g.
#   bench/api.sh --connections 64 --seconds 10
# Method and figures: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends wrk
fi
swift build -c release >&2
exec .build/release/caseworker-bench api "$@"
