#!/usr/bin/env bash
# Builds the Debian package dist/caseworker_<version>_<arch>.deb with dpkg-deb (no debhelper):
#
#   /usr/bin/caseworker                      the release binary, Swift runtime linked in statically
#   /lib/systemd/system/caseworker.service   systemd/caseworker.service with the /usr paths
#   /etc/caseworker/caseworker.yaml          etc/caseworker.yaml, a conffile (an edited one is
#                                            never overwritten by an upgrade)
#   /usr/share/man/man1/caseworker.1.gz      made from `caseworker --help` by help2man
#   /usr/share/doc/caseworker/               README, docs/*.md, openapi.yaml, copyright, changelog
#   maintainer scripts                       scripts/deb/{postinst,prerm,postrm}
#
# The version is the binary's own (`caseworker version`, from Sources/CaseworkerServer/
# CaseworkerVersion.swift), with "-" made "~" so that a pre-release sorts before
# its release in Debian's order as in SemVer's (0.1.0-dev -> 0.1.0~dev < 0.1.0).
#
# Usage: scripts/package-deb.sh [--no-build] [--lint] [--output DIR]
#   --no-build   package .build/release/caseworker as it is (built by an earlier run)
#   --lint       run lintian on the package and fail on any error (installs lintian if missing)
#   --output DIR where the .deb goes (default: dist/); its path is printed last on stdout
# Environment: MAINTAINER ("Name <address>") for the control file.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

build=1 lint=0 out=dist
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --lint) lint=1 ;;
    --output) out="$2"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown argument $1 (see --help)"; exit 64 ;;
  esac
  shift
done
maintainer="${MAINTAINER:-Caseworker maintainers <caseworker@example.org>}"

ensure_debian_packages dpkg-dev help2man
if [ "$build" = 1 ]; then
  ensure_swift
  ensure_debian_packages libsqlite3-dev
  say "building the release binary (swift build ${CW_RELEASE_BUILD[*]})"
  swift build "${CW_RELEASE_BUILD[@]}" --product caseworker
fi
bin=.build/release/caseworker
[ -x "$bin" ] || { say "no $bin: build it first (or drop --no-build)"; exit 1; }

upstream=$("$bin" version | sed -n 's/^caseworker //p')
version="${upstream//-/\~}"
if ! [[ "$version" =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
  say "'$upstream' (from caseworker version) does not make a Debian version"
  exit 1
fi
arch=$(dpkg --print-architecture)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
doc="$root/usr/share/doc/caseworker"
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/caseworker" \
  "$root/usr/share/man/man1" "$doc"

# The binary, without its symbol table (Swift's metadata is in sections strip keeps).
install -m 0755 "$bin" "$root/usr/bin/caseworker"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/caseworker"
"$root/usr/bin/caseworker" version >/dev/null

# The unit, with the paths of the package.
sed -e 's#/usr/local/bin/caseworker#/usr/bin/caseworker#g' \
    -e 's#/usr/local/share/doc/caseworker#/usr/share/doc/caseworker#g' \
    -e 's#^Documentation=\(.*\)#Documentation=man:caseworker(1) \1#' \
    -e 's#Installed by scripts/install.sh#Installed by the caseworker Debian package (or scripts/install.sh)#' \
    systemd/caseworker.service > "$root/lib/systemd/system/caseworker.service"
chmod 0644 "$root/lib/systemd/system/caseworker.service"
grep -q '^ExecStart=/usr/bin/caseworker serve' "$root/lib/systemd/system/caseworker.service" \
  || { say "systemd/caseworker.service changed shape: its ExecStart was not rewritten"; exit 1; }

# The example configuration, as a conffile (postinst makes it root:caseworker 0640).
install -m 0644 etc/caseworker.yaml "$root/etc/caseworker/caseworker.yaml"
echo /etc/caseworker/caseworker.yaml > "$root/DEBIAN/conffiles"

# The manual page, from the binary's own help.
help2man --no-info --section=1 --source="Caseworker $upstream" \
  --name="self-hosted daemon that processes cases through versioned workflows" \
  --version-string="$upstream" \
  --include=<(printf '[SEE ALSO]\n/usr/share/doc/caseworker/operations.md (operations),\n/usr/share/doc/caseworker/api.md (the HTTP API),\n/usr/share/doc/caseworker/workflows.md (workflow definitions),\n\\fBcaseworker \\fISUBCOMMAND\\fB --help\\fR.\n') \
  "$root/usr/bin/caseworker" | gzip -9n > "$root/usr/share/man/man1/caseworker.1.gz"

# Documentation, copyright, changelog.
install -m 0644 README.md docs/*.md docs/openapi.yaml etc/caseworker.yaml "$doc/"
mv "$doc/caseworker.yaml" "$doc/caseworker.yaml.example"
cat > "$doc/copyright" <<COPYRIGHT
Caseworker: a self-hosted daemon that processes cases through versioned workflows.
Built from commit $commit of the Caseworker repository.

Copyright: the Caseworker authors.
License: none has been chosen yet; until one is, ask the authors before redistributing.

/usr/bin/caseworker links in, statically, the Swift runtime, its standard library and
Foundation (Apache License 2.0 with the Runtime Library Exception) and the Swift packages its
Package.swift names (Apache License 2.0 or MIT, each under its own copyright notice); it links
dynamically against the system's SQLite (public domain) and C library. The text of the Apache
License 2.0 is in /usr/share/common-licenses/Apache-2.0.
COPYRIGHT
{
  echo "caseworker ($version) unstable; urgency=medium"
  echo
  echo "  * Built from commit $commit of the Caseworker repository;"
  echo "    its git history is the change log."
  echo
  echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$doc/changelog.gz"
chmod 0644 "$doc"/*

# Maintainer scripts, and lintian's overrides (each with its reason, in the file).
install -m 0755 scripts/deb/postinst scripts/deb/prerm scripts/deb/postrm "$root/DEBIAN/"
install -D -m 0644 scripts/deb/lintian-overrides "$root/usr/share/lintian/overrides/caseworker"

# The control file: dependencies from the binary's shared libraries (dpkg-shlibdeps), adduser
# for postinst, and procps for the unit's ExecReload=/bin/kill (a minimal Debian has no
# /bin/kill: the boot test found `systemctl reload` failing there without it).
mkdir -p "$stage/src/debian"
printf 'Source: caseworker\n\nPackage: caseworker\nArchitecture: any\n' > "$stage/src/debian/control"
shlibs=$(cd "$stage/src" && dpkg-shlibdeps -O -e"$root/usr/bin/caseworker" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { say "dpkg-shlibdeps found no dependencies"; exit 1; }
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
installed_size=$(du -sk --apparent-size --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: caseworker
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: adduser, procps, $shlibs
Section: admin
Priority: optional
Description: self-hosted daemon that processes cases through versioned workflows
 Caseworker registers cases (a person or a company), starts runs of versioned
 workflow definitions for them, executes their steps durably in the background
 and delivers signed webhooks (Standard Webhooks) when a run ends. One process,
 one SQLite file, operated with systemctl and the caseworker command line.
 .
 The package installs a hardened systemd service (Type=notify, watchdog,
 reload on SIGHUP) running as the system user caseworker, with its data in
 /var/lib/caseworker and its configuration in /etc/caseworker/caseworker.yaml.
CONTROL

mkdir -p "$out"
deb="$out/caseworker_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
say "built $deb ($(du -h "$deb" | cut -f1), version $version, Depends: adduser, procps, $shlibs)"

if [ "$lint" = 1 ]; then
  ensure_debian_packages lintian
  say "lintian $deb"
  lintian --info --display-info --fail-on error "$deb"
fi
echo "$deb"
