#!/usr/bin/env bash
# Developer entry point on Linux: creates .venv, installs what is missing, then runs the app or the
# test suite (lint + type check + layer contracts + pytest).
#
#   ./packaging/dev.sh run [ARGS...]    open the Cryptobot window (ARGS go to `cryptobot`)
#   ./packaging/dev.sh test [PYTEST...] ruff, mypy, import-linter, pytest (Qt offscreen), then the
#                                       PyInstaller bundle is built and self-tested from the bundle
#                                       (CRYPTOBOT_SKIP_BUNDLE=1 skips that last step locally)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
cd "$ROOT"

say() { printf '[dev] %s\n' "$*" >&2; }

# Qt's run-time libraries, as "soname:debian-package". Offscreen (tests) needs the first group;
# a real window additionally needs the xcb group.
QT_OFFSCREEN_LIBS=(
  libglib-2.0.so.0:libglib2.0-0 libEGL.so.1:libegl1 libGL.so.1:libgl1 libX11.so.6:libx11-6
  libdbus-1.so.3:libdbus-1-3 libfontconfig.so.1:libfontconfig1 libfreetype.so.6:libfreetype6
  libxkbcommon.so.0:libxkbcommon0
)
QT_WINDOW_LIBS=(
  libxcb-cursor.so.0:libxcb-cursor0 libxcb-icccm.so.4:libxcb-icccm4 libxcb-image.so.0:libxcb-image0
  libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-render-util.so.0:libxcb-render-util0
  libxcb-shape.so.0:libxcb-shape0 libxcb-xkb.so.1:libxcb-xkb1 libxkbcommon-x11.so.0:libxkbcommon-x11-0
)

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

can_apt() {
  command -v apt-get >/dev/null 2>&1 || return 1
  [ "$(id -u)" -eq 0 ] && return 0
  command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null
}

apt_install() {
  local sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  say "installing system packages: $*"
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

ensure_system_packages() {
  # $@: "soname:package" pairs; installs (or explains how to install) the missing ones.
  command -v ldconfig >/dev/null 2>&1 || return 0
  local cache missing=() pair
  cache="$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p)"
  for pair in "$@"; do
    grep -q "${pair%%:*}" <<<"$cache" || missing+=("${pair##*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if can_apt; then
    apt_install "${missing[@]}"
  else
    say "Qt needs system libraries that are missing. Install them with:"
    say "  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
}

ensure_command() {
  # $1: command, $2: Debian package providing it.
  command -v "$1" >/dev/null 2>&1 && return 0
  if can_apt; then
    apt_install "$2"
  else
    say "'$1' is missing. Install it with:"
    say "  sudo apt-get install -y $2"
    exit 1
  fi
}

ensure_venv() {
  local python
  if ! python="$(find_python)"; then
    if can_apt; then apt_install python3 python3-venv python3-pip; python="$(find_python)" || true; fi
    if [ -z "${python:-}" ]; then
      say "Python 3.11 or newer is required. Install it with:"
      say "  sudo apt-get install -y python3 python3-venv python3-pip"
      exit 1
    fi
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV with $python"
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      if can_apt; then
        apt_install python3-venv && "$python" -m venv "$VENV"
      else
        say "the venv module is missing. Install it with:"
        say "  sudo apt-get install -y python3-venv"
        exit 1
      fi
    fi
  fi
  local stamp="$VENV/.cryptobot-installed" want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing Cryptobot and its dependencies into $VENV (first run takes a few minutes)"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[dev,build]"
    echo "$want" >"$stamp"
  fi
}

run_tests() {
  export QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
  local status=0
  say "ruff check";    "$VENV/bin/ruff" check app tests || status=1
  say "ruff format";   "$VENV/bin/ruff" format --check app tests || status=1
  say "mypy";          "$VENV/bin/mypy" || status=1
  say "import-linter"; "$VENV/bin/lint-imports" || status=1
  say "pytest";        "$VENV/bin/python" -m pytest "$@" || status=1
  if [ "${CRYPTOBOT_SKIP_BUNDLE:-0}" != 1 ]; then
    say "bundle: build with PyInstaller and run its self-test from the bundle"
    ./packaging/ci_bundle_check.sh || status=1
  fi
  return $status
}

main() {
  local command="${1:-}"
  shift || true
  case "$command" in
    run)
      ensure_system_packages "${QT_OFFSCREEN_LIBS[@]}" "${QT_WINDOW_LIBS[@]}"
      ensure_venv
      if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
        say "no display found (DISPLAY/WAYLAND_DISPLAY unset): start a desktop session, or run"
        say "  xvfb-run -a ./packaging/dev.sh run"
        exit 1
      fi
      exec "$VENV/bin/cryptobot" gui "$@"
      ;;
    test)
      ensure_system_packages "${QT_OFFSCREEN_LIBS[@]}"
      ensure_command strip binutils  # the bundle check strips shared libraries
      ensure_venv
      run_tests "$@"
      ;;
    *)
      echo "usage: $0 run [ARGS...] | test [PYTEST ARGS...]" >&2
      exit 2
      ;;
  esac
}

main "$@"
