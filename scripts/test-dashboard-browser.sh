#!/usr/bin/env bash
# The dashboard in a real headless Chromium (issue #21): Debian's chromium and chromium-driver,
# selenium (pinned below) in the venv, against the built daemon started here on loopback with a
# fresh database, two real API keys (admin and read-only) and a local receiver that answers 500.
# The flow is scripts/dashboard_browser_flow.py; screenshots go to $SHOTS (printed).
#
#   scripts/test-dashboard-browser.sh      # after a debug build (swift build / swift test)
#
# Environment (all optional):
#   CASEWORKER_BINARY   the binary (default .build/debug/caseworker)
#   BROWSER_PYTHON      a Python 3 with pip (default .venv/bin/python)
#   SHOTS               where the screenshots go (default a fresh temporary directory, kept)
#
# Ends with 'dashboard-browser: N passed, N failed'; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

SELENIUM_VERSION=4.27.1
BIN=${CASEWORKER_BINARY:-.build/debug/caseworker}
PYTHON=${BROWSER_PYTHON:-.venv/bin/python}
[ -x "$BIN" ] || { echo "dashboard-browser: $BIN is missing; build first (swift build)" >&2; exit 2; }
[ -x "$PYTHON" ] || { echo "dashboard-browser: $PYTHON is missing (python3 -m venv .venv)" >&2; exit 2; }
ensure_debian_packages chromium chromium-driver fonts-liberation
if ! "$PYTHON" -c "import importlib.metadata as m, sys; sys.exit(m.version('selenium') != '$SELENIUM_VERSION')" >/dev/null 2>&1; then
  echo "dashboard-browser: installing selenium $SELENIUM_VERSION"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "selenium==$SELENIUM_VERSION"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/caseworker-dashboard.XXXXXX")
shots=${SHOTS:-$(mktemp -d "${TMPDIR:-/tmp}/caseworker-dashboard-shots.XXXXXX")}
. scripts/lib/throwaway-daemon.sh

# A receiver on loopback that answers every webhook 500, so that the delivery fails at once.
"$PYTHON" - "$work/receiver.port" <<'PY' >"$work/receiver.log" 2>&1 &
import http.server, sys
class Failing(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(500); self.end_headers(); self.wfile.write(b"receiver down")
    def log_message(self, *args): pass
server = http.server.HTTPServer(("127.0.0.1", 0), Failing)
open(sys.argv[1], "w").write(str(server.server_port))
server.serve_forever()
PY
receiver_pid=$!
trap 'kill "$receiver_pid" 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do [ -s "$work/receiver.port" ] && break; sleep 0.1; done
[ -s "$work/receiver.port" ] || { echo "dashboard-browser: the receiver did not start" >&2; exit 1; }

cat >"$work/caseworker.yaml" <<EOF
server:
  listen: 127.0.0.1:0
database:
  path: $work/caseworker.sqlite
  synchronous: normal
log:
  level: info
  format: json
webhooks:
  allowedNetworks: [127.0.0.0/8]
  schedule: [0s]
EOF
key=$("$BIN" keys create --config "$work/caseworker.yaml" --tenant ops --name operator 2>"$work/keys.log")
read_key=$("$BIN" keys create --config "$work/caseworker.yaml" --tenant ops --name viewer \
  --scope workflows:read --scope webhooks:read --scope cases:read --scope definitions:read 2>>"$work/keys.log")
start_daemon dashboard-browser

echo "dashboard-browser: screenshots in $shots"
status=0
timeout 300 "$PYTHON" scripts/dashboard_browser_flow.py --url "$url" --key "$key" --read-key "$read_key" \
  --receiver "http://127.0.0.1:$(cat "$work/receiver.port")/hooks" --shots "$shots" || status=$?
if [ "$status" -ne 0 ]; then
  echo "dashboard-browser: the daemon's log:" >&2
  tail -n 50 "$work/daemon.log" >&2
fi
exit "$status"
