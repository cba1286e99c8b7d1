#!/usr/bin/env bash
# fuzz.sh — build the libFuzzer targets with ASan+UBSan and run each of them.
#
# Usage: contrib/fuzz.sh [TARGET...]      (default: every built fuzz_* target)
#   TARGET is a name such as fuzz_rlp (test/fuzz/ prefix optional).
# Environment:
#   FUZZ_RUNS       runs for every target (default: each target's own count,
#                   below: 1000000, except fuzz_evm, whose every input runs
#                   under all eight forks and takes ~0.5 ms: 150000)
#   FUZZ_BUILD_DIR  out-of-tree build directory (default: ./build-fuzz, i.e.
#                   relative to where the script is started)
#   FUZZ_JOBS       make -j (default 2)
#
# Needs clang and its libFuzzer runtime (Debian: clang, libclang-rt-14-dev).
# Built without -Werror: this build hunts crashes; warnings are the gcc CI's job.
# Each target runs on a scratch copy of its seed corpus test/fuzz/corpus/NAME/
# (when present), so new inputs do not land in the source tree. Exits non-zero
# when the build fails or any target crashes, leaks or trips a sanitizer; the
# crashing input is kept in the build directory (crash-*, leak-*, ...).
set -u

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${FUZZ_BUILD_DIR:-$PWD/build-fuzz}

# Runs for one target: FUZZ_RUNS when set, else the target's default.
runs_for() {
    if [ -n "${FUZZ_RUNS:-}" ]; then echo "$FUZZ_RUNS"; return; fi
    case "$1" in
        fuzz_evm) echo 150000 ;;
        fuzz_rlpx_handshake) echo 200000 ;;  # every input costs ECDH and ECIES (~0.2 ms)
        *) echo 1000000 ;;
    esac
}
jobs=${FUZZ_JOBS:-2}

command -v clang >/dev/null || { echo "fuzz.sh: clang not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }

mkdir -p "$builddir" || exit 1
cd "$builddir" || exit 1
if [ ! -f Makefile ]; then
    "$srcdir/configure" CC=clang --enable-fuzz >configure.log 2>&1 || {
        echo "fuzz.sh: configure failed, see $builddir/configure.log" >&2; tail -20 configure.log >&2; exit 1; }
fi
make -j"$jobs" fuzz >make.log 2>&1 || { echo "fuzz.sh: build failed, see $builddir/make.log" >&2; tail -30 make.log >&2; exit 1; }

targets=()
if [ $# -gt 0 ]; then
    for t in "$@"; do targets+=("test/fuzz/$(basename "$t")"); done
else
    for t in test/fuzz/fuzz_*; do
        [ -x "$t" ] && [ -f "$t" ] && targets+=("$t")
    done
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz.sh: no fuzz targets built" >&2; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
summary=()
for t in "${targets[@]}"; do
    name=$(basename "$t")
    if [ ! -x "$t" ]; then
        summary+=("$name: NOT BUILT"); failed=1; continue
    fi
    work=$(mktemp -d "$builddir/corpus-$name.XXXXXX")
    [ -d "$srcdir/test/fuzz/corpus/$name" ] && cp -r "$srcdir/test/fuzz/corpus/$name/." "$work/"
    runs=$(runs_for "$name")
    start=$(date +%s.%N)
    "./$t" -runs="$runs" -artifact_prefix="$builddir/$name-" -print_final_stats=1 "$work" >"$name.log" 2>&1
    rc=$?
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    cov=$(grep -o 'cov: [0-9]*' "$name.log" | tail -1)
    if [ $rc -eq 0 ]; then
        summary+=("$(printf '%-12s ok    %s runs in %.1f s (%s)' "$name" "$runs" "$secs" "$cov")")
    else
        summary+=("$(printf '%-12s FAIL  exit %d after %.1f s, see %s/%s.log' "$name" "$rc" "$secs" "$builddir" "$name")")
        grep -m5 -E 'ERROR|SUMMARY|deadly|Test unit written' "$name.log" >&2
        failed=1
    fi
    rm -rf "$work"
done
printf '%s\n' "${summary[@]}"
exit $failed
