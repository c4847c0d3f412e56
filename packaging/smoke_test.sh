#!/usr/bin/env bash
# Smoke-test a built bundle (not the source tree): version, `cryptobot self-test` run from the
# bundle, and the figures: bundle size and start-up time to a shown window (median of 3, offscreen).
#
#   ./packaging/smoke_test.sh [BUNDLE_DIR]     (default dist/cryptobot; /opt/cryptobot for the .deb)
#
# Exits non-zero when the version is wrong or any self-test check fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUNDLE="$(cd "${1:-$ROOT/dist/cryptobot}" && pwd)"
RUNS="${SMOKE_RUNS:-3}"

say() { printf '[smoke] %s\n' "$*" >&2; }

# Run from an empty folder with a scratch home and no Python variables, so nothing can come from
# the source tree or the user's settings.
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
cd "$SCRATCH"
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
export CRYPTOBOT_HOME="$SCRATCH/home" QT_QPA_PLATFORM=offscreen LANG=C.UTF-8

expected="$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/pyproject.toml" | head -1)"
if [ -n "$expected" ]; then
  got="$("$BUNDLE/cryptobot" --version)"
  if [ "$got" != "cryptobot $expected" ]; then
    say "version: expected 'cryptobot $expected', the bundle says '$got'"
    exit 1
  fi
  say "version: $got"
fi

say "self-test from $BUNDLE"
"$BUNDLE/cryptobot" self-test

startup_ms() {
  local start end
  start="$(date +%s%N)"
  "$BUNDLE/cryptobot-gui" --smoke >"$SCRATCH/smoke.out" 2>&1 || {
    cat "$SCRATCH/smoke.out" >&2
    return 1
  }
  end="$(date +%s%N)"
  echo $(((end - start) / 1000000))
}

times=()
for _ in $(seq "$RUNS"); do
  times+=("$(startup_ms)")
done
median="$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")"
say "figure: bundle size $(du -sm "$BUNDLE" | cut -f1) MB unpacked (goal <= 250 MB)"
say "figure: start-up to shown window and exit, median of $RUNS: $median ms (runs: ${times[*]}; goal < 3000 ms)"
