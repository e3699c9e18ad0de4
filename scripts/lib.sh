# Helpers shared by the scripts in scripts/ (sourced, not run). Each one checks first and does
# nothing when what it looks for is already there, so the scripts stay fast on a prepared machine.

# Prints a line prefixed with the calling script's name, on stderr.
say() { echo "${CW_SCRIPT:-$(basename "$0")}: $*" >&2; }

# Runs a command as root: directly when we are root, through sudo otherwise (saying so first),
# and fails with the command to run by hand when neither is possible.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    say "needs root for: $*"
    sudo "$@"
  else
    say "needs root, and sudo is not installed; run as root: $*"
    return 1
  fi
}

# ensure_debian_packages PKG...: installs the Debian packages among PKG that are not installed
# (apt-get update first, then apt-get install --no-install-recommends), saying which and why.
# Nothing happens, and root is not asked for, when all are installed.
ensure_debian_packages() {
  local missing=() pkg
  if ! command -v dpkg >/dev/null 2>&1; then
    say "not a Debian-based system: make sure these are installed: $*"
    return 0
  fi
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ "${#missing[@]}" = 0 ] && return 0
  say "installing the missing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The release build that gets installed (scripts/package-deb.sh, scripts/install.sh): the Swift
# runtime and Foundation linked in statically (nothing needed from /opt/swift at run time), and
# full RELRO (-z relro -z now). Both scripts use the same flags so that they share one build.
CW_RELEASE_BUILD=(-c release --static-swift-stdlib -Xlinker -z -Xlinker relro -Xlinker -z -Xlinker now)

# ensure_swift: puts the toolchain on PATH when it is installed in /opt/swift but not on PATH.
ensure_swift() {
  if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
  fi
  command -v swift >/dev/null 2>&1 || { say "Swift 6.2 or later is needed (swift is not on PATH)"; return 1; }
}

# ensure_test_venv: the virtualenv .venv with the Python tools the test suite runs: the official
# Standard Webhooks verifier (PyPI standardwebhooks) and the Prometheus text parser
# (prometheus_client). Exports CASEWORKER_TEST_PYTHON, which makes those tests run (not skip).
ensure_test_venv() {
  if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
    ensure_debian_packages python3-venv
  fi
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import standardwebhooks, prometheus_client" >/dev/null 2>&1; then
    say "preparing .venv with standardwebhooks and prometheus_client (from PyPI)"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check standardwebhooks prometheus_client
  fi
  CASEWORKER_TEST_PYTHON="$PWD/.venv/bin/python"
  export CASEWORKER_TEST_PYTHON
}
