#!/usr/bin/env bash
# The generated Python client against the real daemon (issue #24): generates a client from
# docs/openapi.yaml with openapi-python-client (pinned below, installed into the venv), failing on
# any warning of the generator (a schema it dropped, a response it omitted), then runs the flow a
# backend runs through it (scripts/python_client_flow.py) against the built daemon, started here
# on loopback with a fresh database and a real API key.
#
#   scripts/test-python-client.sh       # after a debug build (swift build / swift test)
#
# Environment (all optional):
#   CASEWORKER_BINARY   the binary (default .build/debug/caseworker)
#   CLIENT_PYTHON       a Python 3 with pip (default .venv/bin/python; the venv gets the generator)
#
# Ends with 'python-client: N passed, N failed' (N counts the flow's steps); exits non-zero on
# any failure. The daemon it starts is stopped on every exit.
set -euo pipefail
cd "$(dirname "$0")/.."

GENERATOR_VERSION=0.29.1
BIN=${CASEWORKER_BINARY:-.build/debug/caseworker}
PYTHON=${CLIENT_PYTHON:-.venv/bin/python}

[ -x "$BIN" ] || { echo "python-client: $BIN is missing; build first (swift build)" >&2; exit 2; }
[ -x "$PYTHON" ] || { echo "python-client: $PYTHON is missing (python3 -m venv .venv)" >&2; exit 2; }

if ! "$PYTHON" -c "import importlib.metadata as m, sys; sys.exit(m.version('openapi-python-client') != '$GENERATOR_VERSION')" >/dev/null 2>&1 \
  || ! "$PYTHON" -c "import standardwebhooks" >/dev/null 2>&1; then
  echo "python-client: installing openapi-python-client $GENERATOR_VERSION"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "openapi-python-client==$GENERATOR_VERSION" standardwebhooks
fi
bindir=$(cd "$(dirname "$PYTHON")" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/caseworker-python-client.XXXXXX")
. scripts/lib/throwaway-daemon.sh

# The client, as a user generates it (with the settings in scripts/openapi-python-client.yaml).
# The generator prints "Warning(s) encountered" and a WARNING block for everything it drops.
# (Its `ruff` post-processing needs ruff, installed with it, on PATH.)
PATH="$bindir:$PATH" "$bindir/openapi-python-client" generate --path docs/openapi.yaml \
  --config scripts/openapi-python-client.yaml --meta none --output-path "$work/caseworker_client" >"$work/generate.log" 2>&1 \
  || { cat "$work/generate.log" >&2; echo "python-client: the generator failed" >&2; echo "python-client: 0 passed, 1 failed"; exit 1; }
if grep -qi "warning" "$work/generate.log"; then
  cat "$work/generate.log" >&2
  echo "python-client: the generator warned: the document does not generate a complete client" >&2
  echo "python-client: 0 passed, 1 failed"
  exit 1
fi
echo "python-client: generated $(find "$work/caseworker_client/models" -name '*.py' ! -name '__init__.py' | wc -l) models and" \
  "$(find "$work/caseworker_client/api" -name '*.py' ! -name '__init__.py' | wc -l) operations without a warning"

# A fresh instance whose http.request steps and webhooks may reach loopback (the flow's stub
# provider and receiver), webhooks attempted once.
cat >"$work/caseworker.yaml" <<EOF
server:
  listen: 127.0.0.1:0
database:
  path: $work/caseworker.sqlite
  synchronous: normal
log:
  level: info
  format: json
engine:
  httpAllowedNetworks: [127.0.0.0/8]
webhooks:
  allowedNetworks: [127.0.0.0/8]
EOF
key=$("$BIN" keys create --config "$work/caseworker.yaml" --tenant python --name python-client 2>"$work/keys.log") \
  || { echo "python-client: could not create an API key:" >&2; cat "$work/keys.log" >&2; exit 1; }

start_daemon python-client

status=0
PYTHONPATH="$work" timeout 300 "$PYTHON" scripts/python_client_flow.py --url "$url" --key "$key" || status=$?
if [ "$status" -ne 0 ]; then
  echo "python-client: the daemon's log:" >&2
  tail -n 50 "$work/daemon.log" >&2
fi
exit "$status"
