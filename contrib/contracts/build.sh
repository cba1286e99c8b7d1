#!/usr/bin/env bash
# build.sh: compiles contrib/contracts/*.sol with the solc pinned in package.json and writes
# the artifacts to share/contracts/<Name>.json (see compile.js for the format).
#   build.sh          rebuild share/contracts/
#   build.sh --check  rebuild into a temporary directory and fail if anything differs from
#                     the committed share/contracts/*.json (missing, extra or changed files)
# Installs the npm packages with `npm ci` (from package-lock.json) only when node_modules is
# missing. Needs node and npm; the only network use is that npm ci.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dest="$root/share/contracts"

mode=build
case "${1:-}" in
    "") ;;
    --check) mode=check ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "build.sh: $tool not found; install Node.js (>= 20) and npm" >&2
        exit 1
    fi
done

if [ ! -d "$here/node_modules" ]; then
    (cd "$here" && npm ci --include=dev --no-audit --no-fund)
fi

if [ "$mode" = build ]; then
    node "$here/compile.js" "$dest"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node "$here/compile.js" "$tmp"
status=0
for f in "$tmp"/*.json; do
    name=$(basename "$f")
    if [ ! -f "$dest/$name" ]; then
        echo "build.sh --check: share/contracts/$name is missing" >&2
        status=1
    elif ! cmp -s "$f" "$dest/$name"; then
        echo "build.sh --check: share/contracts/$name differs from a fresh build:" >&2
        diff -u "$dest/$name" "$f" | cut -c1-160 | head -n 20 >&2 || true
        status=1
    fi
done
for f in "$dest"/*.json; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    if [ ! -f "$tmp/$name" ]; then
        echo "build.sh --check: share/contracts/$name is not produced by the build" >&2
        status=1
    fi
done
if [ "$status" -eq 0 ]; then
    echo "build.sh --check: share/contracts/ matches a fresh build"
fi
exit "$status"
