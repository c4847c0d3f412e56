#!/usr/bin/env bash
# Compile installer/cryptobot.iss with InnoSetup's ISCC.exe under wine, inside a Debian 12 chroot
# (ISCC is 32-bit: it needs wine32:i386, which a debootstrap root installs cleanly). Optional, not CI.
#
#   sudo ./packaging/check_inno.sh [WINDOWS_BUNDLE_DIR]
#
# Without a bundle (one built on Windows by build_windows.ps1) a stand-in folder with placeholder
# executables is packed: that checks the script compiles, not the program. Needs root, debootstrap
# and npm; downloads from deb.debian.org and registry.npmjs.org on first use.
# Environment: INNO_CHROOT (default build/inno-chroot, reused between runs),
# INNO_PACKAGE (npm package with ISCC.exe, default innosetup@6.4.1), DIST (default dist/).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHROOT="${INNO_CHROOT:-$ROOT/build/inno-chroot}"
PACKAGE="${INNO_PACKAGE:-innosetup@6.4.1}"
DIST="${DIST:-$ROOT/dist}"
BUNDLE="${1:-}"

say() { printf '[inno] %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { say "run as root (debootstrap and chroot need it): sudo $0 $*"; exit 1; }
for tool in debootstrap npm; do
  command -v "$tool" >/dev/null || { say "$tool is missing: apt-get install -y $tool"; exit 1; }
done

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
mount_into() {  # $1: what to mount (proc or a directory to bind), $2: target inside the chroot
  mkdir -p "$CHROOT$2"
  if [ "$1" = proc ]; then mount -t proc proc "$CHROOT$2"; else mount --bind "$1" "$CHROOT$2"; fi
  mounted+=("$CHROOT$2")
}

prepare_chroot() {
  if [ ! -f "$CHROOT/etc/debian_version" ]; then
    say "debootstrap Debian 12 -> $CHROOT (a few minutes)"
    debootstrap --variant=minbase bookworm "$CHROOT" http://deb.debian.org/debian >/dev/null
  fi
  if [ ! -x "$CHROOT/usr/lib/wine/wine" ] && [ ! -x "$CHROOT/usr/bin/wine" ]; then
    say "installing wine and wine32:i386 in the chroot"
    chroot "$CHROOT" /bin/sh -c 'dpkg --add-architecture i386 && apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        wine wine32:i386 wine64 ca-certificates' >/dev/null
  fi
}

prepare_iscc() {
  local target="$CHROOT/opt/innosetup"
  if [ ! -f "$target/bin/ISCC.exe" ]; then
    say "fetching ISCC.exe from npm package $PACKAGE"
    local scratch
    scratch="$(mktemp -d)"
    (cd "$scratch" && npm pack --silent "$PACKAGE" >/dev/null)
    mkdir -p "$target"
    tar -xzf "$scratch"/*.tgz -C "$target" --strip-components=1
    rm -rf "$scratch"
  fi
}

stage_sources() {  # the .iss, the icon it embeds and the bundle, at the paths the .iss expects
  local work="$CHROOT/work"
  rm -rf "$work"
  mkdir -p "$work/installer" "$work/resources/icons" "$work/out"
  cp "$ROOT/installer/cryptobot.iss" "$work/installer/"
  cp "$ROOT/resources/icons/cryptobot.ico" "$work/resources/icons/"
  if [ -n "$BUNDLE" ]; then
    cp -a "$BUNDLE" "$work/bundle"
  else
    say "no Windows bundle given: packing a stand-in with placeholder executables"
    mkdir -p "$work/bundle/_internal"
    printf 'placeholder\n' >"$work/bundle/cryptobot.exe"
    printf 'placeholder\n' >"$work/bundle/cryptobot-gui.exe"
    cp -a "$ROOT/resources" "$work/bundle/_internal/resources"
  fi
}

main() {
  local version
  version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/pyproject.toml" | head -1)"
  prepare_chroot
  prepare_iscc
  stage_sources
  mount_into proc /proc
  mount_into /dev /dev
  say "compiling installer/cryptobot.iss (version $version)"
  chroot "$CHROOT" /usr/bin/env HOME=/root WINEPREFIX=/root/.wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" \
    wine /opt/innosetup/bin/ISCC.exe /Q "/DAppVersion=$version" '/DBundleDir=Z:\work\bundle' \
    '/DOutputDir=Z:\work\out' 'Z:\work\installer\cryptobot.iss'
  # Wait for wine's server to exit, or /dev stays busy and cannot be unmounted.
  chroot "$CHROOT" /usr/bin/env WINEPREFIX=/root/.wine wineserver -w
  mkdir -p "$DIST"
  cp "$CHROOT/work/out/cryptobot-$version-setup.exe" "$DIST/"
  say "compiled: $DIST/cryptobot-$version-setup.exe ($(du -h "$DIST/cryptobot-$version-setup.exe" | cut -f1))"
}

main "$@"
