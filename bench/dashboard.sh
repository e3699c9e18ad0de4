#!/usr/bin/env bash
# The dashboard on a big run (issue #21): a run with 10,000 tasks, then its page (the first page
# of its timeline, 100 tasks) fetched 200 times with a signed-in session, next to GET /healthz in
# the same run as the floor of an HTTP round trip. Prints p50, p99 and max of each.
#   bench/dashboard.sh                      # builds release first
#   CASEWORKER_BINARY=.build/debug/caseworker bench/dashboard.sh
# Method and figures: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CASEWORKER_BINARY:-}" ]; then swift build -c release --product caseworker >&2; fi
BIN=${CASEWORKER_BINARY:-.build/release/caseworker}
work=$(mktemp -d "${TMPDIR:-/tmp}/caseworker-bench-ui.XXXXXX")
. scripts/lib/throwaway-daemon.sh
cat >"$work/caseworker.yaml" <<EOF
server:
  listen: 127.0.0.1:0
database:
  path: $work/caseworker.sqlite
engine:
  maxStepsPerRun: 20000
log:
  level: notice
EOF
key=$("$BIN" keys create --config "$work/caseworker.yaml" --tenant bench --name bench 2>/dev/null)
start_daemon bench-dashboard
python3 - "$url" "$key" <<'PY'
import http.cookiejar, json, re, sys, time, urllib.parse, urllib.request
url, key = sys.argv[1], sys.argv[2]
def api(method, path, body=None):
    r = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode(),
                               headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(r, timeout=60).read() or b"null")
case = api("POST", "/v1/cases", {"firstName": "Ada"})
api("PUT", "/v1/workflow-definitions/loop", {"name": "Loop", "isDraft": False, "initialState": {"n": 0}, "steps": [
    {"id": "count", "action": "transform", "config": {"set": {"n": "${state.n + 1}"}}},
    {"id": "again", "action": "switch", "config": {"value": "${state.n < 5000}"}, "next": [{"code": "true", "stepId": "count"}]},
    {"id": "done", "action": "complete", "config": {"result": "${state.n}"}}]})
run = api("POST", "/v1/workflows/run", {"caseId": case["id"], "workflowDefinitionId": "loop"})
deadline = time.monotonic() + 600
while api("GET", f"/v1/workflows/{run['id']}?waitSeconds=20&unlessStatus=RUNNING")["status"] != "COMPLETED":
    if time.monotonic() > deadline: sys.exit("bench-dashboard: the 10,000-task run did not complete in 600 s")
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
login = opener.open(url + "/ui/login").read().decode()
token = re.search(r'name="csrf" value="([0-9a-f]+)"', login).group(1)
opener.open(url + "/ui/login", data=urllib.parse.urlencode({"csrf": token, "key": key}).encode()).read()
def measure(path, n=200):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        body = opener.open(url + path).read()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return body, times[len(times) // 2], times[int(len(times) * 0.99) - 1], times[-1]
page, p50, p99, top = measure(f"/ui/runs/{run['id']}")
assert b"10001 tasks." in page, "the run has 10,001 tasks"
_, f50, f99, ftop = measure("/healthz")
print(f"run page, 10,001 tasks (first 100 shown): p50 {p50:.1f} ms  p99 {p99:.1f} ms  max {top:.1f} ms  ({len(page)} bytes)")
print(f"floor, GET /healthz, same run:            p50 {f50:.1f} ms  p99 {f99:.1f} ms  max {ftop:.1f} ms")
PY
