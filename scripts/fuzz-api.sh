#!/usr/bin/env bash
# Contract fuzzing of the HTTP API (issue #8): schemathesis generates requests for every operation
# of docs/openapi.yaml (examples, coverage, fuzzing and stateful phases) and sends them to the real
# daemon, started here on loopback with a fresh database and a real API key. It fails on any 5xx,
# any response the document does not describe, and any error-level line in the daemon's log.
#
#   scripts/fuzz-api.sh                 # after a debug build (swift build / swift test)
#
# Environment (all optional):
#   CASEWORKER_BINARY   the binary (default .build/debug/caseworker)
#   FUZZ_PYTHON         a Python 3 with pip (default .venv/bin/python; the venv gets schemathesis)
#   FUZZ_MAX_EXAMPLES   examples per operation and phase (default 75: about 36,700 requests in 4-5 minutes
#                       on 2 cores; 32,500 of them are the coverage phase of PUT /v1/workflow-definitions/{id},
#                       which enumerates the boundaries of every step type's config)
#   FUZZ_SEED           the generation seed (default fixed, so a failure reproduces; any integer)
#   FUZZ_WORKERS        concurrent workers (default 1: see scripts/fuzz_api.py)
#
# Prints the number of requests generated and a closing 'fuzz: N passed, N failed' line (N counts
# operations); exits non-zero on any failure. The daemon it starts is stopped on every exit.
# The checks, and the one excluded with its reason, are listed in scripts/fuzz_api.py.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
BIN=${CASEWORKER_BINARY:-.build/debug/caseworker}
PYTHON=${FUZZ_PYTHON:-.venv/bin/python}

[ -x "$BIN" ] || { echo "fuzz: $BIN is missing; build first (swift build)" >&2; exit 2; }
[ -x "$PYTHON" ] || { echo "fuzz: $PYTHON is missing (python3 -m venv .venv)" >&2; exit 2; }

if ! "$PYTHON" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_VERSION')" >/dev/null 2>&1; then
  echo "fuzz: installing schemathesis $SCHEMATHESIS_VERSION"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/caseworker-fuzz.XXXXXX")
. scripts/lib/throwaway-daemon.sh

# A fresh instance: its own database, a free port chosen by the kernel, JSON logs to a file.
cat >"$work/caseworker.yaml" <<EOF
server:
  listen: 127.0.0.1:0
database:
  path: $work/caseworker.sqlite
  synchronous: normal
log:
  level: info
  format: json
EOF
key=$("$BIN" keys create --config "$work/caseworker.yaml" --tenant fuzz --name schemathesis 2>"$work/keys.log") \
  || { echo "fuzz: could not create an API key:" >&2; cat "$work/keys.log" >&2; exit 1; }

start_daemon fuzz
echo "fuzz: daemon $daemon_pid on $url, database $work/caseworker.sqlite"

started=$(date +%s)
st_status=0
"$PYTHON" scripts/fuzz_api.py run --url "$url" --key "$key" --schema docs/openapi.yaml --work "$work" || st_status=$?
stop_daemon
# The report also reads what the daemon logged while shutting down.
"$PYTHON" scripts/fuzz_api.py report --work "$work" --daemon-log "$work/daemon.log" --st-status "$st_status" \
  --seconds "$(( $(date +%s) - started ))"
