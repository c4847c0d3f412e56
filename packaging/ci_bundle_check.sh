#!/usr/bin/env bash
# CI: build the Linux bundle with PyInstaller, then run its self-test from the bundle (not from the
# source tree) through smoke_test.sh. Builds into a temporary folder that is removed afterwards.
#
#   ./packaging/ci_bundle_check.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
started="$(date +%s)"
DIST="$OUT/dist" WORK="$OUT/build" "$ROOT/packaging/build_linux.sh" --bundle-only
SMOKE_RUNS="${SMOKE_RUNS:-1}" "$ROOT/packaging/smoke_test.sh" "$OUT/dist/cryptobot"
printf '[ci] bundle built and self-tested in %s s\n' "$(($(date +%s) - started))" >&2
