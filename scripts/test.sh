#!/usr/bin/env bash
# The whole test suite, nothing skipped, on a fresh machine as on a prepared one: the README's
# test command, and what .ci/run runs.
#
# It first installs what is missing, saying what, and asks for root (sudo) only for that:
#   - the Debian package libsqlite3-dev (GRDB links the system SQLite),
#   - python3-venv, and the virtualenv .venv with the PyPI packages standardwebhooks and
#     prometheus_client, which the interoperability tests run (CASEWORKER_TEST_PYTHON),
#   - nodejs, whose V8 the regular-expression engine is cross-checked against (LINEAR_REGEX_NODE).
# Then it runs `swift test --disable-xctest`, passing its arguments on:
#   scripts/test.sh                       everything
#   scripts/test.sh --filter EndToEnd     a subset while iterating
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_swift
ensure_debian_packages libsqlite3-dev nodejs
ensure_test_venv
LINEAR_REGEX_NODE="$(command -v node)"
export LINEAR_REGEX_NODE
# A crash of the test process prints the crashed thread only (not every idle thread, nor the
# registers and images), so that its frames are what a CI log's tail shows.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=yes,threads=crashed,registers=none,images=none}"

exec swift test --disable-xctest "$@"
