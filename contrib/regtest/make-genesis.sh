#!/usr/bin/env bash
# make-genesis.sh — regenerates share/genesis/genesis-regtest.json from the
# committed contract artifacts (share/contracts/*.json) with
# `spectrum-evm genesis-regtest` (see doc/regtest.md).
#   make-genesis.sh          rewrite share/genesis/genesis-regtest.json
#   make-genesis.sh --check  regenerate into a temporary file and fail (exit 1,
#                            with a diff) if the committed file differs
# The spectrum-evm binary is $SPECTRUM_EVM, else $BUILD_DIR/spectrum-evm
# (BUILD_DIR defaults to build, as in contrib/test.sh), else the one in PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dest="$root/share/genesis/genesis-regtest.json"

mode=write
case "${1:-}" in
    "") ;;
    --check) mode=check ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

evm=${SPECTRUM_EVM:-}
if [ -z "$evm" ]; then
    builddir=${BUILD_DIR:-build}
    case "$builddir" in /*) ;; *) builddir="$root/$builddir" ;; esac
    if [ -x "$builddir/spectrum-evm" ]; then
        evm="$builddir/spectrum-evm"
    elif command -v spectrum-evm >/dev/null 2>&1; then
        evm=$(command -v spectrum-evm)
    else
        echo "make-genesis.sh: spectrum-evm not found; build it, or set SPECTRUM_EVM or BUILD_DIR" >&2
        exit 1
    fi
fi

if [ "$mode" = write ]; then
    "$evm" genesis-regtest --contracts "$root/share/contracts" --out "$dest"
    echo "make-genesis.sh: wrote $dest"
    exit 0
fi

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.tmp"' EXIT
"$evm" genesis-regtest --contracts "$root/share/contracts" --out "$tmp"
if [ ! -f "$dest" ]; then
    echo "make-genesis.sh: $dest is missing; run contrib/regtest/make-genesis.sh" >&2
    exit 1
fi
if ! diff -u "$dest" "$tmp"; then
    echo "make-genesis.sh: $dest differs from a regeneration; run contrib/regtest/make-genesis.sh" >&2
    exit 1
fi
echo "make-genesis.sh: $dest is up to date"
