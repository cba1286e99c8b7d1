#!/usr/bin/env bash
# test.sh: runs the system-contract tests (test/contracts/*.test.mjs) with `node --test`
# against the committed artifacts in share/contracts. Installs the npm packages with
# `npm ci` (from package-lock.json) only when node_modules is missing. Exit code is node's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "test.sh: $tool not found; install Node.js (>= 20) and npm" >&2
        exit 1
    fi
done

if [ ! -d "$here/node_modules" ]; then
    (cd "$here" && npm ci --include=dev --no-audit --no-fund)
fi

cd "$root"
exec node --test test/contracts/*.test.mjs
