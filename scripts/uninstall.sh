#!/usr/bin/env bash
# Removes the Caseworker service, binary, unit and documentation. Keeps the data
# (/var/lib/caseworker), the configuration (/etc/caseworker) and the `caseworker` user, so a
# reinstall finds everything again. Remove those by hand if you mean to.
set -euo pipefail

PREFIX="${PREFIX:-/usr/local}"
if [ "$(id -u)" != 0 ]; then
  echo "uninstall.sh must run as root (sudo scripts/uninstall.sh)" >&2
  exit 1
fi
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl disable --now caseworker 2>/dev/null || true
fi
rm -f /etc/systemd/system/caseworker.service
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
fi
rm -f "$PREFIX/bin/caseworker"
rm -rf "$PREFIX/share/doc/caseworker"
echo "Caseworker removed. Kept: /var/lib/caseworker (data), /etc/caseworker (configuration), the caseworker user."
