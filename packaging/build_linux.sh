#!/usr/bin/env bash
# Build the Linux release: the PyInstaller one-folder bundle, a .tar.gz of it and a .deb that
# installs it to /opt/cryptobot with /usr/bin links, a desktop entry and the icon.
#
#   ./packaging/build_linux.sh [--bundle-only | --package-only]
#
# --bundle-only builds just the bundle; --package-only packs an existing $DIST/cryptobot.
#
# Environment: PYTHON (default .venv/bin/python, needs the `build` extra: pyinstaller),
# DIST (default dist/), WORK (default build/). Outputs in $DIST:
#   cryptobot/                                   the bundle (cryptobot, cryptobot-gui)
#   cryptobot-<version>-linux-<machine>.tar.gz   the bundle as a tarball
#   cryptobot_<version>_<arch>.deb               the Debian package
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
DIST="${DIST:-$ROOT/dist}"
WORK="${WORK:-$ROOT/build}"
BUNDLE="$DIST/cryptobot"
cd "$ROOT"

say() { printf '[build] %s\n' "$*" >&2; }

project_version() {
  "$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])'
}

# Development-only packages that must never ship (size, and code users do not need).
DEV_ONLY='dask|distributed|optuna|backtrader|talib|pytest|_pytest|hypothesis|matplotlib|scipy'

check_no_dev_packages() {
  local found
  found="$(grep -ohE "^ *\('($DEV_ONLY)[.']" "$WORK"/cryptobot/PYZ-00.toc "$WORK"/cryptobot/COLLECT-00.toc |
    sed -E "s/^ *\('//; s/[.']$//" | sort -u | paste -sd' ' -)" || true
  if [ -n "$found" ]; then
    say "development-only packages were bundled: $found; add them to excludes in packaging/cryptobot.spec"
    exit 1
  fi
}

build_bundle() {
  if ! "$PYTHON" -c 'import PyInstaller' 2>/dev/null; then
    say "PyInstaller is not installed for $PYTHON: run $PYTHON -m pip install -e '.[build]'"
    exit 1
  fi
  say "PyInstaller bundle -> $BUNDLE"
  "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/cryptobot.spec
  check_no_dev_packages
  # Linux has no console/windowed executable flag: the desktop entry point is a link.
  ln -sfn cryptobot "$BUNDLE/cryptobot-gui"
  find "$BUNDLE" -name __pycache__ -type d -prune -exec rm -rf {} +
  # Debug symbols are most of a shared library's size. Not the executable (its Python archive is
  # appended) and not auditwheel-patched wheel libraries (*.libs/: stripping numpy's OpenBLAS
  # breaks it with "ELF load command address/offset not page-aligned").
  if command -v strip >/dev/null; then
    find "$BUNDLE/_internal" -type f -name '*.so*' -not -path '*.libs/*' \
      -exec strip --strip-unneeded {} +
  fi
}

build_tarball() {
  local version="$1" tarball
  tarball="$DIST/cryptobot-$version-linux-$(uname -m).tar.gz"
  say "tarball -> $tarball"
  tar -C "$DIST" --owner=0 --group=0 -czf "$tarball" cryptobot
}

deb_depends() {
  grep -v '^\s*#' packaging/deb/depends.txt | grep -v '^\s*$' | paste -sd, - | sed 's/,/, /g'
}

build_deb() {
  local version="$1" arch root deb size
  arch="$(dpkg --print-architecture)"
  root="$WORK/deb-root"
  deb="$DIST/cryptobot_${version}_${arch}.deb"
  say "Debian package -> $deb"
  rm -rf "$root"
  mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications"
  cp -a "$BUNDLE" "$root/opt/cryptobot"
  ln -s /opt/cryptobot/cryptobot "$root/usr/bin/cryptobot"
  ln -s /opt/cryptobot/cryptobot-gui "$root/usr/bin/cryptobot-gui"
  install -m 644 installer/cryptobot.desktop "$root/usr/share/applications/cryptobot.desktop"
  local icon_size
  for icon_size in 16 24 32 48 64 128 256 512; do
    install -D -m 644 "resources/icons/cryptobot-$icon_size.png" \
      "$root/usr/share/icons/hicolor/${icon_size}x${icon_size}/apps/cryptobot.png"
  done
  install -D -m 644 resources/icons/cryptobot.svg \
    "$root/usr/share/icons/hicolor/scalable/apps/cryptobot.svg"
  install -m 755 packaging/deb/postinst packaging/deb/postrm "$root/DEBIAN/"
  size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
  sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$size/" \
    -e "s/@DEPENDS@/$(deb_depends)/" packaging/deb/control.in >"$root/DEBIAN/control"
  dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
}

main() {
  local version
  version="$(project_version)"
  mkdir -p "$DIST"
  case "${1:-}" in
    --bundle-only) build_bundle; return 0 ;;
    --package-only) [ -x "$BUNDLE/cryptobot" ] || { say "no bundle in $BUNDLE: build it first"; exit 1; } ;;
    "") build_bundle ;;
    *) say "usage: $0 [--bundle-only | --package-only]"; exit 2 ;;
  esac
  build_tarball "$version"
  build_deb "$version"
  say "done: $(du -sh "$BUNDLE" | cut -f1) bundle, $(du -h "$DIST"/cryptobot_"$version"_*.deb | cut -f1) .deb"
}

main "$@"
