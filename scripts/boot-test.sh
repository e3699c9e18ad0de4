#!/usr/bin/env bash
# The boot test: a minimal Debian booted under a real systemd, with the caseworker .deb
# installed inside and checked there by scripts/boot-test-guest.sh (install, start through
# READY=1, keys, a run, reload, drain, kill -9, watchdog, systemd-analyze security, upgrade,
# remove, purge). See docs/operations.md, "The boot test".
#
#   1. debootstrap a minimal root of this machine's Debian release (variant minbase, plus
#      systemd, curl, jq and the package's dependencies) from the Debian mirror apt uses here,
#      and keep it as a tarball in the cache (BOOT_TEST_CACHE, default
#      /var/cache/caseworker-boot-test), so later runs unpack it in seconds;
#   2. copy the .deb and the guest script into a fresh copy of that root, with a oneshot unit
#      that runs the script once the system is up and then ends the container with its exit
#      status;
#   3. boot it: systemd-nspawn --boot, with a private network (only its own loopback), bounded
#      by BOOT_TEST_TIMEOUT seconds (default 420).
#
# Usage: sudo scripts/boot-test.sh [DEB]     (default: the newest dist/caseworker_*.deb)
# Needs root (debootstrap, systemd-nspawn); installs debootstrap and systemd-container if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if [ "$(id -u)" != 0 ]; then
  say "must run as root (debootstrap and systemd-nspawn): sudo $0 $*"
  exit 1
fi
deb="${1:-$(ls -t dist/caseworker_*.deb 2>/dev/null | head -n 1)}"
[ -f "$deb" ] || { say "no .deb: build one with scripts/package-deb.sh, or name it"; exit 1; }
deb=$(realpath "$deb")
timeout_s="${BOOT_TEST_TIMEOUT:-420}"
cache="${BOOT_TEST_CACHE:-/var/cache/caseworker-boot-test}"

ensure_debian_packages debootstrap systemd-container

# The root: this machine's release and architecture, from the mirror apt is configured with here.
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
arch=$(dpkg --print-architecture)
mirror="${BOOT_TEST_MIRROR:-$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(TARGET_OF)' 'Created-By: Packages' \
  | awk -v s="$suite" '$2 == s && $3 == "deb" { print $1; exit }')}"
# What the package depends on (first of alternatives, without versions) is in the root already,
# so that apt installs the .deb offline, as on a machine that has those packages.
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:.*//; s/ //g' | grep -v '^$' | sort -u | paste -sd, -)
include="systemd,systemd-sysv,dbus,curl,jq,ca-certificates,$depends"
key=$(echo "$suite $arch $include" | sha256sum | cut -c1-16)
tarball="$cache/root-$suite-$arch-$key.tar"

work=$(mktemp -d /var/tmp/caseworker-boot-test.XXXXXX)
cleanup() { rm -rf --one-file-system "$work"; }
trap cleanup EXIT
root="$work/root"

t0=$SECONDS
if [ -f "$tarball" ]; then
  say "unpacking the cached root $tarball"
  mkdir "$root"
  tar -C "$root" -xf "$tarball"
else
  [ -n "$mirror" ] || { say "found no Debian mirror for $suite in apt's configuration; set BOOT_TEST_MIRROR"; exit 1; }
  say "debootstrap $suite ($arch, minbase + $include) from the mirror apt uses; cached afterwards in $cache"
  if ! debootstrap --variant=minbase --include="$include" "$suite" "$root" "$mirror" > "$work/debootstrap.log" 2>&1; then
    tail -n 30 "$work/debootstrap.log" >&2
    say "debootstrap failed (log above)"
    exit 1
  fi
  rm -rf "$root/var/cache/apt/archives/"*.deb
  mkdir -p "$cache"
  tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
fi
say "root ready in $((SECONDS - t0)) s"

# The test inside: the package, the guest script, and a unit that runs it after boot and then
# ends the container with its exit status (SuccessAction/FailureAction=exit-force).
echo caseworker-boot-test > "$root/etc/hostname"
install -m 0644 "$deb" "$root/root/$(basename "$deb")"
install -m 0755 scripts/boot-test-guest.sh "$root/root/boot-test-guest.sh"
rm -f "$root/root/boot-test.result"
cat > "$root/etc/systemd/system/caseworker-boot-test.service" <<UNIT
[Unit]
Description=Caseworker boot test (scripts/boot-test-guest.sh)
After=multi-user.target
SuccessAction=exit-force
FailureAction=exit-force

[Service]
Type=oneshot
ExecStart=/root/boot-test-guest.sh /root/$(basename "$deb")
StandardOutput=tty
StandardError=tty
TTYPath=/dev/console
TimeoutStartSec=$((timeout_s - 30))

[Install]
WantedBy=multi-user.target
UNIT
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf ../caseworker-boot-test.service "$root/etc/systemd/system/multi-user.target.wants/caseworker-boot-test.service"
# No login prompt on the console, which carries the test's output.
ln -sf /dev/null "$root/etc/systemd/system/console-getty.service"

# Without a systemd on this machine (PID 1 is something else here, and there is no system bus),
# nspawn can neither register with machined nor get a scope unit: run it in our own cgroup.
nspawn_opts=()
[ -d /run/systemd/system ] || nspawn_opts=(--register=no --keep-unit)
say "booting it with systemd-nspawn --boot (at most $timeout_s s)"
t0=$SECONDS
set +e
timeout --kill-after=15 "$timeout_s" systemd-nspawn --quiet --boot --private-network --console=read-only \
  "${nspawn_opts[@]}" --machine="cw-boot-test-$$" --directory="$root" \
  systemd.show_status=false systemd.log_target=journal < /dev/null 2>&1 \
  | grep --line-buffered -v -e '^.\{0,12\}Failed to create symlink /sys/fs/cgroup/' -e '^Attempted to remove disk file system under'
status=${PIPESTATUS[0]}
set -e
result=$(cat "$root/root/boot-test.result" 2>/dev/null || echo "none (the test did not finish)")
say "the container ended after $((SECONDS - t0)) s with status $status; the test's result: $result"
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
  say "timed out after $timeout_s s"
fi
[ "$status" = 0 ] && [ "$result" = passed ]
