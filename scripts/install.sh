#!/usr/bin/env bash
# Installs Caseworker as a systemd service from the sources: builds the release binary, installs
# it, the unit, an example configuration (kept if one exists) and the `caseworker` system user.
# Idempotent: run it again to upgrade (the daemon is restarted if it was running). On Debian, the
# package that scripts/package-deb.sh builds is the better way (docs/operations.md).
#
# Usage: sudo scripts/install.sh            (from the repository)
#        PREFIX=/usr/local BUILD=0 sudo -E scripts/install.sh   (skip the build; use .build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh   # CW_RELEASE_BUILD: the release build flags, shared with scripts/package-deb.sh

PREFIX="${PREFIX:-/usr/local}"
BIN="$PREFIX/bin/caseworker"
DOC="$PREFIX/share/doc/caseworker"
CONFIG_DIR=/etc/caseworker
UNIT=/etc/systemd/system/caseworker.service

if [ "$(id -u)" != 0 ]; then
  echo "install.sh must run as root (sudo scripts/install.sh)" >&2
  exit 1
fi

if [ "${BUILD:-1}" = 1 ]; then
  echo "building the release binary (this takes a few minutes)..."
  if [ -n "${SUDO_USER:-}" ]; then
    sudo -u "$SUDO_USER" env PATH="$PATH" swift build "${CW_RELEASE_BUILD[@]}" --product caseworker
  else
    swift build "${CW_RELEASE_BUILD[@]}" --product caseworker
  fi
fi
[ -x .build/release/caseworker ] || { echo "no .build/release/caseworker: build first" >&2; exit 1; }

if ! getent group caseworker >/dev/null; then
  groupadd --system caseworker
fi
if ! id caseworker >/dev/null 2>&1; then
  useradd --system --gid caseworker --home-dir /var/lib/caseworker --no-create-home --shell /usr/sbin/nologin caseworker
fi

install -D -m 0755 .build/release/caseworker "$BIN"
install -d -m 0755 "$DOC"
install -m 0644 README.md docs/*.md "$DOC/"
install -d -m 0750 -g caseworker "$CONFIG_DIR"
if [ ! -e "$CONFIG_DIR/caseworker.yaml" ]; then
  install -m 0640 -g caseworker etc/caseworker.yaml "$CONFIG_DIR/caseworker.yaml"
  echo "installed the example configuration $CONFIG_DIR/caseworker.yaml"
else
  echo "kept the existing $CONFIG_DIR/caseworker.yaml (compare with etc/caseworker.yaml for new keys)"
fi
sed "s#/usr/local/bin/caseworker#$BIN#g" systemd/caseworker.service > "$UNIT.tmp"
chmod 0644 "$UNIT.tmp"
mv "$UNIT.tmp" "$UNIT"
install -d -m 0750 -o caseworker -g caseworker /var/lib/caseworker

"$BIN" check-config --config "$CONFIG_DIR/caseworker.yaml" >/dev/null

if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if systemctl is-active --quiet caseworker; then
    systemctl restart caseworker
    echo "restarted caseworker"
  else
    systemctl enable --now caseworker
    echo "enabled and started caseworker"
  fi
else
  echo "systemd is not running here: start it yourself with"
  echo "  sudo -u caseworker $BIN serve --config $CONFIG_DIR/caseworker.yaml"
fi

cat <<MSG

Caseworker is installed. Create the first API key (printed once) with:

  sudo -u caseworker $BIN keys create --config $CONFIG_DIR/caseworker.yaml --tenant <tenant> --name <client>

Status: systemctl status caseworker     Logs: journalctl -u caseworker -f
Docs:   $DOC/operations.md
MSG
