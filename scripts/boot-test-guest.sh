#!/bin/bash
# The inside of the boot test (scripts/boot-test.sh copies it into a minimal Debian and runs it,
# as root, as a oneshot unit once that system has booted under systemd). It installs the
# caseworker .deb and checks what a sysadmin relies on:
#
#   install    apt-get install ./caseworker_*.deb enables and starts the service, creates the
#              user, makes the configuration root:caseworker 0640
#   start      systemctl start returns with the service active (Type=notify: READY=1) and
#              the API answering at once
#   keys       a key made with `caseworker keys create` works against the running service
#   run        a run (transform + complete) completes, through the API with curl
#   reload     systemctl reload re-reads the configuration: a changed log.level shows in
#              journalctl -u caseworker (access lines stop at notice, come back at info)
#   stop       systemctl stop drains (a waiting long poll is answered) and the daemon exits 0
#   kill       systemctl kill -s KILL, then start: every acknowledged run is there and completes
#   watchdog   a daemon that stops answering (SIGSTOP) is restarted by the watchdog
#   security   systemd-analyze security caseworker rates the unit at most 2.0
#   upgrade    installing the package again keeps an edited conffile and restarts the service
#   remove     apt-get remove stops the service, keeps configuration, data and user;
#              purge removes the configuration and keeps the data unless
#              CASEWORKER_PURGE_DATA=yes
#
# Every wait is bounded. Prints one line per check and ends with 'boot-test: N passed, N
# failed'; exits 0 only when nothing failed. Usage: boot-test-guest.sh DEB
set -uo pipefail
deb="$1"
export DEBIAN_FRONTEND=noninteractive
api=http://127.0.0.1:8080
config=/etc/caseworker/caseworker.yaml
passed=0 failed=0 started=$SECONDS

log() { echo "boot-test: [$((SECONDS - started))s] $*"; }
ok() { passed=$((passed + 1)); log "ok   $*"; }
bad() { failed=$((failed + 1)); log "FAIL $*"; }
# check NAME COMMAND...: one check, passed when COMMAND succeeds (its output goes to
# /root/boot-test.detail, whose end is printed when something failed).
check() {
  local name="$1"; shift
  echo "--- $name" >> /root/boot-test.detail
  if "$@" >> /root/boot-test.detail 2>&1; then ok "$name"; else bad "$name"; fi
}
# within SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds or SECONDS have passed.
within() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}
finish() {
  if [ "$failed" != 0 ]; then
    log "the checks' output (end of /root/boot-test.detail):"
    tail -n 40 /root/boot-test.detail
    log "the service's journal:"
    journalctl -u caseworker --no-pager -o short-monotonic | tail -n 60
  fi
  echo "boot-test: $passed passed, $failed failed"
  if [ "$failed" = 0 ]; then echo passed > /root/boot-test.result; else echo failed > /root/boot-test.result; fi
  exit $((failed == 0 ? 0 : 1))
}
# fatal NAME: a check whose failure leaves nothing else worth testing.
fatal() { bad "$1"; finish; }

prop() { systemctl show -p "$1" --value caseworker; }
active_running() { [ "$(prop ActiveState)/$(prop SubState)" = active/running ]; }
ready() { curl -fsS -o /dev/null --max-time 2 "$api/readyz"; }
# api METHOD PATH [BODY]: the body of the answer; fails on a status >= 400.
api() {
  curl -fsS --max-time 35 -X "$1" "$api$2" -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \
    ${3:+-d "$3"}
}
journal_since() { journalctl -u caseworker --no-pager -o cat --after-cursor "$1"; }
cursor() { journalctl -u caseworker -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p'; }
journal_has() { journal_since "$1" | grep -qF -- "$2"; }
set_log_level() { sed -i "s/^  level: .*/  level: $1/" "$config"; }

# --- install ---------------------------------------------------------------------------------
log "installing $(basename "$deb")"
if ! apt-get install -y -q --no-install-recommends "$deb" > /root/apt-install.log 2>&1; then
  cat /root/apt-install.log
  fatal "install: apt-get install $(basename "$deb")"
fi
ok "install: apt-get install $(basename "$deb") ($(caseworker version))"
check "install: the service is enabled" [ "$(systemctl is-enabled caseworker)" = enabled ]
check "install: postinst started it" within 30 active_running
check "install: the caseworker system user exists" id -u caseworker
check "install: the configuration is root:caseworker 0640" [ "$(stat -c '%U:%G %a' "$config")" = "root:caseworker 640" ]
check "install: the binary is /usr/bin/caseworker" [ "$(command -v caseworker)" = /usr/bin/caseworker ]

# --- start: READY=1 --------------------------------------------------------------------------
timeout 60 systemctl stop caseworker
if timeout 60 systemctl start caseworker; then ok "start: systemctl start returned"; else fatal "start: systemctl start"; fi
# Type=notify: start returns once READY=1 came, which the daemon sends after migrating and
# binding its listener; so the state is active and the API answers now, without waiting.
check "start: active (running) as soon as start returns" active_running
check "start: the unit is Type=notify" [ "$(prop Type)" = notify ]
check "start: /readyz answers at once" ready
check "start: the status text says where it listens" eval '[[ "$(prop StatusText)" == "listening on http://127.0.0.1:8080" ]]'

# --- keys ------------------------------------------------------------------------------------
KEY=$(runuser -u caseworker -- caseworker keys create --config "$config" --tenant boot --name boot-test 2>/dev/null)
check "keys: caseworker keys create printed a key" eval '[[ "$KEY" == cwk_* ]]'
check "keys: the key is accepted by the running service" api GET /v1/cases
check "keys: a request without it is refused (401)" \
  eval '[ "$(curl -s -o /dev/null -w "%{http_code}" --max-time 5 "$api/v1/cases")" = 401 ]'

# --- a run -----------------------------------------------------------------------------------
case_id=$(api POST /v1/cases '{"externalId": "boot-1"}' | jq -r .id)
api PUT /v1/workflow-definitions/boot-quick '{"name": "Boot test", "isDraft": false, "steps": [
  {"id": "score", "action": "transform", "config": {"set": {"score": "${40 + 2}"}}},
  {"id": "done", "action": "complete", "config": {"result": {"score": "${state.score}"}}}]}' >/dev/null
api PUT /v1/workflow-definitions/boot-wait '{"name": "Boot test, waiting", "isDraft": false, "steps": [
  {"id": "pause", "action": "wait", "config": {"seconds": 2}},
  {"id": "done", "action": "complete", "config": {"result": {"waited": true}}}]}' >/dev/null
start_run() { api POST /v1/workflows/run "{\"caseId\": \"$case_id\", \"workflowDefinitionId\": \"$1\"}" | jq -r .id; }
# status RUN [WAIT]: the run's status, long-polling up to WAIT seconds while it is not terminal.
status() {
  local s; s=$(api GET "/v1/workflows/$1" | jq -r .status)
  case "$s" in COMPLETED|FAILED|TIMED_OUT|CANCELLED) echo "$s"; return ;; esac
  api GET "/v1/workflows/$1?waitSeconds=${2:-0}&unlessStatus=$s" | jq -r .status
}
is_completed() { [ "$(status "$1" 5)" = COMPLETED ]; }
# completes RUN SECONDS: the run reaches COMPLETED within SECONDS.
completes() { within "$2" is_completed "$1"; }
run=$(start_run boot-quick)
check "run: a transform + complete run completes" completes "$run" 30
check "run: its result is the computed state" \
  eval '[ "$(api GET "/v1/workflows/$run/result" | jq -c .result)" = "{\"score\":42}" ]'

# --- reload ----------------------------------------------------------------------------------
request() { curl -fsS -o /dev/null --max-time 5 -H "Authorization: Bearer $KEY" -H "X-Request-ID: $1" "$api/v1/cases"; }
mark=$(cursor)
request boot-reload-info-1
check "reload: at log.level info a request's access line is in the journal" within 10 journal_has "$mark" boot-reload-info-1
set_log_level notice
mark=$(cursor)
check "reload: systemctl reload" timeout 30 systemctl reload caseworker
check "reload: the journal says 'configuration reloaded'" within 10 journal_has "$mark" "configuration reloaded"
request boot-reload-notice-1
sleep 1
check "reload: at log.level notice the access line is gone" eval '! journal_has "$mark" boot-reload-notice-1'
set_log_level info
mark=$(cursor)
timeout 30 systemctl reload caseworker
within 10 journal_has "$mark" "configuration reloaded"
request boot-reload-info-2
check "reload: back at info it is there again" within 10 journal_has "$mark" boot-reload-info-2
check "reload: the service stayed active" active_running

# --- stop: drain, exit 0 ---------------------------------------------------------------------
long=$(start_run boot-wait)
is_waiting() { [ "$(status "$1")" = WAITING ]; }
within 10 is_waiting "$long"
mark=$(cursor)
curl -s -o /root/long-poll.json -w "%{http_code}" --max-time 40 -H "Authorization: Bearer $KEY" \
  "$api/v1/workflows/$long?waitSeconds=30&unlessStatus=WAITING" > /root/long-poll.status &
poller=$!
sleep 0.5
t0=$SECONDS
check "stop: systemctl stop" timeout 60 systemctl stop caseworker
check "stop: took under 25 s (grace 20 s)" [ $((SECONDS - t0)) -lt 25 ]
check "stop: the daemon exited 0 (Result=success)" \
  eval '[ "$(prop Result) $(prop ExecMainCode) $(prop ExecMainStatus)" = "success 1 0" ]'
check "stop: the journal shows the drain and the end" \
  eval 'journal_has "$mark" "draining" && journal_has "$mark" "\"stopped\""'
wait "$poller"
check "stop: the waiting long poll was answered" [ "$(cat /root/long-poll.status)" = 200 ]

# --- kill -9, then start: nothing acknowledged is lost ---------------------------------------
timeout 60 systemctl start caseworker
check "kill: the waiting run completes after the restart" completes "$long" 30
ids=()
for i in $(seq 1 20); do ids+=("$(start_run boot-wait)"); done
acknowledged=0
for id in "${ids[@]}"; do [[ "$id" =~ ^[0-9A-Z]{26}$ ]] && acknowledged=$((acknowledged + 1)); done
check "kill: 20 runs acknowledged (201)" [ "$acknowledged" = 20 ]
check "kill: systemctl kill -s KILL" systemctl kill -s KILL caseworker
within 10 eval '[ "$(prop SubState)" != running ] || [ "$(prop ExecMainStatus)" = 9 ]'
check "kill: systemctl start" timeout 60 systemctl start caseworker
within 30 active_running
lost=0 end=$((SECONDS + 45))
for id in "${ids[@]}"; do completes "$id" $((end > SECONDS ? end - SECONDS : 1)) || lost=$((lost + 1)); done
check "kill: all 20 acknowledged runs are there and completed ($lost not)" [ "$lost" = 0 ]

# --- the watchdog ----------------------------------------------------------------------------
pid=$(prop MainPID)
restarts=$(prop NRestarts)
mark=$(cursor)
log "SIGSTOP to the daemon (pid $pid); WatchdogSec=$(prop WatchdogUSec)"
kill -STOP "$pid"
t0=$SECONDS
restarted() { [ "$(prop MainPID)" != "$pid" ] && [ "$(prop MainPID)" != 0 ] && active_running && ready; }
check "watchdog: the stopped daemon was replaced by a new one, answering" within 90 restarted
log "  (restarted $((SECONDS - t0)) s after SIGSTOP)"
check "watchdog: the journal says 'Watchdog timeout'" journal_has "$mark" "Watchdog timeout"
check "watchdog: NRestarts went up" [ "$(prop NRestarts)" -gt "$restarts" ]
check "watchdog: runs still complete afterwards" completes "$(start_run boot-quick)" 30

# --- security --------------------------------------------------------------------------------
exposure=$(systemd-analyze security caseworker --no-pager 2>/dev/null | sed -n 's/.*Overall exposure level for caseworker.service: \([0-9.]*\).*/\1/p')
check "security: systemd-analyze security caseworker = ${exposure:-?} (at most 2.0)" \
  awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'

# --- upgrade: the edited conffile stays, the service restarts --------------------------------
set_log_level notice
pid=$(prop MainPID)
check "upgrade: dpkg -i of the package again" eval 'dpkg -i "$deb" > /root/dpkg-upgrade.log 2>&1'
check "upgrade: the edited configuration was kept" grep -q '^  level: notice$' "$config"
check "upgrade: the service was restarted" eval 'within 30 active_running && [ "$(prop MainPID)" != "$pid" ]'
check "upgrade: the data survived (the first run is still there)" eval '[ "$(status "$run")" = COMPLETED ]'

# --- remove, purge ---------------------------------------------------------------------------
check "remove: apt-get remove caseworker" eval 'apt-get remove -y -q caseworker > /root/apt-remove.log 2>&1'
check "remove: the service is stopped" eval '[ "$(systemctl is-active caseworker)" != active ]'
check "remove: the binary is gone" [ ! -e /usr/bin/caseworker ]
check "remove: the configuration, the data and the user stay" \
  eval '[ -f "$config" ] && [ -f /var/lib/caseworker/caseworker.sqlite ] && id -u caseworker >/dev/null'
check "purge: apt-get purge caseworker" eval 'apt-get purge -y -q caseworker > /root/apt-purge.log 2>&1'
check "purge: the configuration is gone" [ ! -e /etc/caseworker ]
check "purge: the data stays (no CASEWORKER_PURGE_DATA)" [ -f /var/lib/caseworker/caseworker.sqlite ]
check "purge: the user stays" id -u caseworker
dpkg -i "$deb" > /root/dpkg-reinstall.log 2>&1
check "purge: after a reinstall the old data is served again" eval 'within 30 ready && [ "$(status "$run")" = COMPLETED ]'
check "purge: CASEWORKER_PURGE_DATA=yes apt-get purge removes the data too" \
  eval 'CASEWORKER_PURGE_DATA=yes apt-get purge -y -q caseworker > /root/apt-purge2.log 2>&1 && [ ! -e /var/lib/caseworker ]'

finish
