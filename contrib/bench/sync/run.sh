#!/usr/bin/env bash
# run.sh — full sync of a regtest chain full of transfers over loopback, next to the plain
# block import of the same blocks, in one run (doc/benchmarks.md, "P2P: full sync").
#
# Node A builds BLOCKS blocks of TXS_PER_BLOCK SMT transfers (pre-signed by the node, one
# JSON-RPC batch and one `generate 1` per block); a fresh node B syncs them from A over
# 127.0.0.1 (-connect, -nodiscover); then a fresh node C with p2p off imports the same raw
# blocks by `submitblock`, in order. Prints the time, blocks/s and tx/s of both and the
# ratio (the goal: sync at least 80 % of the import rate). B and C never run at once.
# Nothing dials out: every node listens on 127.0.0.1 only, with discovery off.
#
# Usage: contrib/bench/sync/run.sh [BINDIR]
# Environment:
#   BLOCKS          blocks to build and sync (default 10000)
#   TXS_PER_BLOCK   transfers per block (default 20; the regtest gas limit holds ~1,900)
#   SUBMIT_BATCH    submitblock calls per JSON-RPC batch for node C (default 50; a batch
#                   runs its calls in order)
#   KEEP            1: keep the nodes' directories (debug.log) and print where
# BINDIR: the directory holding spectrumd (default: $SPECTRUM_BINDIR, else build/).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
bindir="${1:-${SPECTRUM_BINDIR:-$repo/build}}"
if [ ! -x "$bindir/spectrumd" ]; then
    echo "no spectrumd in $bindir: give the build directory as the argument" >&2
    exit 2
fi
echo "spectrumd: $bindir/spectrumd"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
export BLOCKS="${BLOCKS:-10000}" TXS_PER_BLOCK="${TXS_PER_BLOCK:-20}" SUBMIT_BATCH="${SUBMIT_BATCH:-50}"
exec python3 "$here/bench_sync.py" "$bindir"
