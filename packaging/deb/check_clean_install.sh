#!/usr/bin/env bash
# Install a built .deb on a clean Debian 12 root (debootstrap) and run `cryptobot self-test` there.
# Optional, not CI: needs root, debootstrap and deb.debian.org.
#
#   sudo ./packaging/deb/check_clean_install.sh dist/cryptobot_<version>_amd64.deb
#
# Environment: DEB_CHROOT (default build/deb12-clean: a pristine root, debootstrapped once and
# copied for every run so each install starts clean).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PRISTINE="${DEB_CHROOT:-$ROOT/build/deb12-clean}"
DEB="$(realpath "${1:?usage: $0 PATH/TO/cryptobot.deb}")"

say() { printf '[deb-check] %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { say "run as root: sudo $0 $*"; exit 1; }
if [ ! -f "$PRISTINE/etc/debian_version" ]; then
  command -v debootstrap >/dev/null || { say "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }
  say "debootstrap Debian 12 -> $PRISTINE"
  debootstrap --variant=minbase bookworm "$PRISTINE" http://deb.debian.org/debian >/dev/null
fi

TARGET="$(mktemp -d)"
cleanup() {
  umount "$TARGET/root/proc" 2>/dev/null || true
  rm -rf "$TARGET"
}
trap cleanup EXIT
cp -a "$PRISTINE" "$TARGET/root"
mount -t proc proc "$TARGET/root/proc"
cp "$DEB" "$TARGET/root/tmp/cryptobot.deb"

in_root() { chroot "$TARGET/root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

say "dpkg -i (a clean root lacks the Qt system libraries: dpkg names them, apt installs them)"
in_root dpkg -i /tmp/cryptobot.deb || true
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -f >/dev/null
in_root dpkg -s cryptobot | grep -E '^(Status|Version):'
say "installed size: $(du -sm "$TARGET/root/opt/cryptobot" | cut -f1) MB in /opt/cryptobot"
say "cryptobot self-test in the clean root"
in_root env QT_QPA_PLATFORM=offscreen cryptobot self-test
say "desktop entry and icon"
test -f "$TARGET/root/usr/share/applications/cryptobot.desktop"
test -f "$TARGET/root/usr/share/icons/hicolor/256x256/apps/cryptobot.png"
say "removal keeps nothing in /opt"
in_root dpkg -r cryptobot >/dev/null
test ! -e "$TARGET/root/opt/cryptobot/cryptobot"
say "clean install, self-test and removal passed"
