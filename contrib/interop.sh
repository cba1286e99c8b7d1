#!/usr/bin/env bash
# interop.sh: runs the interop tests (test/interop/*.test.mjs, `node --test`): ethers v6,
# web3.js v4, solc and hardhat 2 from npm against fresh regtest spectrumd nodes.
#
#   contrib/interop.sh                      # spectrumd from $BUILD_DIR (default build/)
#   SPECTRUM_BINDIR=/path contrib/interop.sh ethers.test.mjs   # other binary, one file
#
# Installs the npm packages with `npm ci` (exactly what test/interop/package-lock.json pins)
# only when test/interop/node_modules is missing; that is the only network access. Each test
# file starts its own node on a temporary data directory with free loopback ports and stops
# it with SIGTERM. Output: one line per test, then "N passed, M failed" last (a test that
# timed out or was cancelled counts as failed, a skipped one as neither). Exit code 0 only
# when nothing failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
here="$root/test/interop"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "interop.sh: $tool not found; install Node.js (>= 20) and npm" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
done

if [ -z "${SPECTRUM_BINDIR:-}" ]; then
    builddir=${BUILD_DIR:-build}
    case "$builddir" in /*) ;; *) builddir="$root/$builddir" ;; esac
    export SPECTRUM_BINDIR="$builddir"
fi
if [ ! -x "$SPECTRUM_BINDIR/spectrumd" ]; then
    echo "interop.sh: $SPECTRUM_BINDIR/spectrumd not found: build first (contrib/setup.sh)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

if [ ! -d "$here/node_modules" ]; then
    if ! (cd "$here" && npm ci --include=dev --no-audit --no-fund); then
        echo "interop.sh: npm ci failed in test/interop" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
fi

cd "$here" || exit 1
if [ $# -gt 0 ]; then
    files=("$@")
else
    files=(*.test.mjs)
fi
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
# One file at a time (each starts a node; hardhat compiles), one line per test on stdout,
# TAP in a file for the counts.
HARDHAT_DISABLE_TELEMETRY_PROMPT=true node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" \
    "${files[@]}"
rc=$?

count() { sed -n "s/^# $1 \([0-9]*\)$/\1/p" "$tap" | tail -1; }
pass=$(count pass)
fail=$(count fail)
cancelled=$(count cancelled)
if [ -z "$pass" ] || [ -z "$fail" ]; then
    echo "interop.sh: node --test did not report its counts (exit code $rc)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
fail=$((fail + ${cancelled:-0}))
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
    echo "interop.sh: node --test failed (exit code $rc) although no test did" >&2
    fail=1
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
