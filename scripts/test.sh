#!/usr/bin/env bash
# The whole test suite, nothing skipped, on a fresh machine as on a prepared one: the README's
# test command, and what .ci/run runs.
#
# It first installs what is missing, saying what, and asks for root (sudo) only for that:
#   - the Debian package libsqlite3-dev (GRDB links the system SQLite),
#   - python3-venv, and the virtualenv .venv with the PyPI packages standardwebhooks and
#     prometheus_client, which the interoperability tests run (CASEWORKER_TEST_PYTHON),
#   - nodejs, whose V8 the regular-expression engine is cross-checked against (LINEAR_REGEX_NODE),
#   - postgresql (Debian's server binaries): unless CASEWORKER_TEST_POSTGRES_URL names a server
#     already, a throwaway cluster is started in a temporary directory on 127.0.0.1
#     (scripts/lib/postgres.sh) and stopped and deleted at the end, whatever happens.
# Then it runs `swift test --disable-xctest`, passing its arguments on, and, without arguments,
# the store conformance suite a second time against the PostgreSQL store (CASEWORKER_TEST_STORE):
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

if [ -z "${CASEWORKER_TEST_POSTGRES_URL:-}" ]; then
  . scripts/lib/postgres.sh
  trap stop_throwaway_postgres EXIT
  start_throwaway_postgres
fi

swift test --disable-xctest "$@"
if [ "$#" = 0 ]; then
  say "the store conformance suite against PostgreSQL"
  CASEWORKER_TEST_STORE=postgres swift test --disable-xctest --skip-build --filter StoreConformanceTests
fi
