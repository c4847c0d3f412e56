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

# Milliseconds from launch to the "window shown" line, and to exit. The app runs in a pseudo
# terminal so its output is line-buffered and the line arrives when the window shows.
startup_ms() {
  python3 - "$BUNDLE/cryptobot-gui" <<'PY'
import os, pty, subprocess, sys, time

primary, secondary = pty.openpty()
started = time.perf_counter()
child = subprocess.Popen([sys.argv[1], "--smoke"], stdout=secondary, stderr=subprocess.STDOUT)
os.close(secondary)
output, shown = b"", None
while True:
    try:
        chunk = os.read(primary, 4096)
    except OSError:
        break
    if not chunk:
        break
    output += chunk
    if shown is None and b"window shown" in output:
        shown = time.perf_counter()
code = child.wait()
ended = time.perf_counter()
if code != 0 or shown is None:
    sys.stderr.write(output.decode(errors="replace"))
    sys.exit(1)
print(round((shown - started) * 1000), round((ended - started) * 1000))
PY
}

shown_times=()
exit_times=()
for _ in $(seq "$RUNS"); do
  read -r shown ended <<<"$(startup_ms)"
  shown_times+=("$shown")
  exit_times+=("$ended")
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
say "figure: bundle size $(du -sm "$BUNDLE" | cut -f1) MB unpacked (goal <= 250 MB)"
say "figure: start-up to a shown window (offscreen), median of $RUNS: $(median "${shown_times[@]}") ms (runs: ${shown_times[*]}; goal < 3000 ms)"
say "figure: start, show, close and exit, median of $RUNS: $(median "${exit_times[@]}") ms (runs: ${exit_times[*]})"
