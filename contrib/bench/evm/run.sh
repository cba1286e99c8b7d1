#!/usr/bin/env bash
# run.sh — spectrumd's EVM against @ethereumjs/evm, side by side, in one run.
#
# Runs the same state-test programs (default: the evm-benchmarks "main"
# suite in the shared fixtures) through both EVMs under the same rules
# (Petersburg), checks that every program used the same gas on both sides
# (and, where both report them, the same status and return data), and prints
# a markdown table: program, gas, ethereumjs Mgas/s, spectrumd Mgas/s, ratio,
# plus the suite's total-time ratio. A mismatch is reported loudly and makes
# the script exit 1. See README.md.
#
# Usage: contrib/bench/evm/run.sh [FILE.json...]
# Environment:
#   SPECTRUM_EVM     our binary (default ./spectrum-evm, i.e. run from the
#                    build dir); it is called as `$SPECTRUM_EVM bench --json FILES`
#   SPECTRUM_ARGS    extra arguments for it (put before the files)
#   EJS_ARGS         extra arguments for ethereumjs_bench.mjs (default
#                    "--min-time 2"; e.g. "--runs 5")
#   SPECTRUM_SHARED  the shared fixture directory (default <repo>/../shared)
#   NODE, NPM        the node and npm to use
#   KEEP_RESULTS     a directory to keep both sides' raw JSON lines in
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
node="${NODE:-node}"
npm="${NPM:-npm}"
spectrum_evm="${SPECTRUM_EVM:-./spectrum-evm}"
shared="${SPECTRUM_SHARED:-$repo/../shared}"

if [ "$#" -gt 0 ]; then
    files=("$@")
else
    shopt -s nullglob
    files=("$shared"/evm-benchmarks/main/*.json)
    shopt -u nullglob
    if [ "${#files[@]}" -eq 0 ]; then
        echo "run.sh: no benchmark files in $shared/evm-benchmarks/main (set SPECTRUM_SHARED or pass files)" >&2
        exit 2
    fi
fi
# Absolute paths: the two sides run from different directories.
for i in "${!files[@]}"; do
    f="${files[$i]}"
    [ -f "$f" ] || { echo "run.sh: no such file: $f" >&2; exit 2; }
    files[i]="$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"
done

command -v "$node" >/dev/null || { echo "run.sh: node not found (apt-get install nodejs npm)" >&2; exit 2; }
if ! command -v "$spectrum_evm" >/dev/null && [ ! -x "$spectrum_evm" ]; then
    echo "run.sh: $spectrum_evm not found or not executable (build it, or set SPECTRUM_EVM)" >&2
    exit 2
fi

# The exact package versions are pinned by package-lock.json.
if [ ! -d "$here/node_modules/@ethereumjs/evm" ]; then
    echo "run.sh: installing @ethereumjs packages (npm ci) in $here" >&2
    (cd "$here" && "$npm" ci --no-audit --no-fund >&2)
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "run.sh: ${#files[@]} file(s); ethereumjs $(cd "$here" && "$node" -p \
    "require('./node_modules/@ethereumjs/evm/package.json').version") on node $("$node" --version)" >&2

echo "run.sh: running @ethereumjs/evm ..." >&2
# One node process per file: each program's JIT state starts fresh, so a
# file's figure does not depend on which programs ran before it.
: >"$tmp/ejs.jsonl"
for f in "${files[@]}"; do
    # shellcheck disable=SC2086 # EJS_ARGS is a list of words on purpose
    (cd "$here" && "$node" ethereumjs_bench.mjs ${EJS_ARGS:---min-time 2} "$f") >>"$tmp/ejs.jsonl" || {
        echo "run.sh: the ethereumjs side failed on $f" >&2
        exit 1
    }
done

echo "run.sh: running $spectrum_evm bench ..." >&2
# shellcheck disable=SC2086
"$spectrum_evm" bench --json ${SPECTRUM_ARGS:-} "${files[@]}" >"$tmp/ours.jsonl" || {
    echo "run.sh: the spectrumd side ($spectrum_evm bench --json) failed" >&2
    exit 1
}

if [ -n "${KEEP_RESULTS:-}" ]; then
    mkdir -p "$KEEP_RESULTS"
    cp "$tmp/ejs.jsonl" "$KEEP_RESULTS/ethereumjs.jsonl"
    cp "$tmp/ours.jsonl" "$KEEP_RESULTS/spectrumd.jsonl"
fi

"$node" "$here/compare.mjs" "$tmp/ejs.jsonl" "$tmp/ours.jsonl"
