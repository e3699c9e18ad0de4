#!/usr/bin/env bash
# Runs the daemon in dev mode from the sources, on a fresh machine as on a prepared one: installs
# the Debian package libsqlite3-dev if it is missing (asking for root only then), then
# `swift run caseworker serve --dev` with this script's arguments added (e.g. --listen HOST:PORT).
# No configuration; data in ./caseworker-data/; the first start prints an admin API key.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_swift
ensure_debian_packages libsqlite3-dev

exec swift run caseworker serve --dev "$@"
