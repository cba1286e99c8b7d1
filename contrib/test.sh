#!/usr/bin/env bash
# test.sh — sets up, builds and runs every test of spectrumd:
#   1. contrib/setup.sh (dependencies, configure, build in ./build or $BUILD_DIR)
#   2. make -j2 check: unit suites and conformance runners (the functional
#      tests are skipped there and run in step 4, to be counted one by one);
#      on failure the logs of the failing tests are printed
#   3. contrib/fuzz.sh, when present: every libFuzzer target for its runs
#      (1000000 each, fuzz_evm 150000; $FUZZ_RUNS overrides), in ./build-fuzz
#   4. test/functional/test_runner.py: every functional test
#   5. generated files rebuild identically (regtest genesis, contract
#      artifacts); contract tests (node --test)
#   6. contrib/interop.sh: ethers, web3.js, solc and hardhat from npm against
#      regtest nodes (node --test), counted test by test
# The last line is "N passed, M failed", counting test programs and scripts
# (a step that cannot run at all counts as one failure); before it, what
# failed is named again with the end of its output, so that the tail of a CI
# log always says what went wrong. Exit code 0 only when nothing failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
builddir=${BUILD_DIR:-build}

passed=0
failed=0
recap=$(mktemp)    # what failed, with the end of its output, printed last
trap 'rm -f "$recap"' EXIT
# recall TITLE [FILE]: names a failure in the recap, with FILE's last 40 lines.
recall() {
    echo "--- FAILED: $1" >>"$recap"
    [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 40 "$2" | sed 's/^/  | /' >>"$recap"
    return 0
}
finish() {
    if [ -s "$recap" ]; then
        echo "test.sh: what failed (repeated from above):"
        cat "$recap"
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

if ! contrib/setup.sh; then
    echo "test.sh: setup failed (dependencies, configure or build)"
    failed=$((failed + 1))
    finish
fi

# ---- 2. unit and conformance ----------------------------------------------
echo "test.sh: make -j2 check (in $builddir/)"
suite="$builddir/test-suite.log"
rm -f "$suite"
SPECTRUM_FUNCTIONAL=skip make -C "$builddir" -j2 check
check_rc=$?
if [ -f "$suite" ]; then
    count() { sed -n "s/^# $1: *\([0-9]*\)$/\1/p" "$suite" | head -1; }
    passed=$((passed + $(count PASS) + $(count XFAIL)))
    failed=$((failed + $(count FAIL) + $(count ERROR) + $(count XPASS)))
    if [ $check_rc -ne 0 ]; then
        echo "test.sh: make check failed; logs of the failing tests:"
        cat "$suite"
        for t in $(sed -n 's/^\(FAIL\|ERROR\|XPASS\): \(.*\)$/\2/p' "$suite"); do
            recall "make check: $t" "$builddir/$t.log"
        done
    fi
else
    echo "test.sh: make check did not run the tests (build failure?)"
    failed=$((failed + 1))
fi
if [ $check_rc -ne 0 ] && [ -f "$suite" ] && ! grep -qE '^# (FAIL|ERROR|XPASS): *[1-9]' "$suite"; then
    failed=$((failed + 1))    # make failed although no test did
    recall "make check exited $check_rc although no test failed"
fi

# ---- 3. fuzzing -----------------------------------------------------------
if [ -x contrib/fuzz.sh ]; then
    echo "test.sh: contrib/fuzz.sh (runs per target: ${FUZZ_RUNS:-the defaults of fuzz.sh})"
    fuzz_out=$(mktemp)
    contrib/fuzz.sh | tee "$fuzz_out"
    fuzz_rc=${PIPESTATUS[0]}
    ok=$(awk '$2 == "ok"' "$fuzz_out" | wc -l)
    bad=$(awk '$2 == "FAIL" || /NOT BUILT/' "$fuzz_out" | wc -l)
    passed=$((passed + ok))
    failed=$((failed + bad))
    while read -r line; do
        log=$(sed -n 's/.*see \([^ ]*\.log\)$/\1/p' <<<"$line")
        recall "fuzz: $line" "$log"
    done < <(awk '$2 == "FAIL" || /NOT BUILT/' "$fuzz_out")
    if [ "$fuzz_rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        echo "test.sh: contrib/fuzz.sh failed (exit code $fuzz_rc)"
        failed=$((failed + 1))
        recall "contrib/fuzz.sh exited $fuzz_rc" "$fuzz_out"
    fi
    rm -f "$fuzz_out"
else
    echo "test.sh: contrib/fuzz.sh not present, no fuzzing"
fi

# ---- 4. functional --------------------------------------------------------
echo "test.sh: functional tests"
func_out=$(mktemp)
python3 test/functional/test_runner.py -j 2 --bindir "$builddir" | tee "$func_out"
func_rc=${PIPESTATUS[0]}
last=$(tail -n 1 "$func_out")
# A failed test's line is followed by its output, each line prefixed "  | ".
awk '/ FAILED /{n++; f="'"$func_out"'." n; print > f; next}
     /^  \| /{ if (f) print > f; next } { f="" }' "$func_out"
for f in "$func_out".*; do
    [ -f "$f" ] || continue
    title=$(head -n 1 "$f")
    sed -i 1d "$f"
    recall "functional: $title" "$f"
    rm -f "$f"
done
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
    if [ "$func_rc" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
        failed=$((failed + 1))
        recall "the functional runner exited $func_rc" "$func_out"
    fi
else
    echo "test.sh: the functional test runner did not finish"
    failed=$((failed + 1))
    recall "the functional test runner did not finish" "$func_out"
fi
rm -f "$func_out"

# ---- 5. system contracts ----------------------------------------------------
# The committed artifacts must be what the pinned solc builds from the sources,
# and the contracts must behave as the spec says (node --test).
echo "test.sh: contrib/regtest/make-genesis.sh --check"
if BUILD_DIR="$builddir" contrib/regtest/make-genesis.sh --check; then
    passed=$((passed + 1))
else
    echo "test.sh: share/genesis/genesis-regtest.json differs from a regeneration"
    failed=$((failed + 1))
    recall "contrib/regtest/make-genesis.sh --check"
fi
echo "test.sh: contrib/contracts/build.sh --check"
if contrib/contracts/build.sh --check; then
    passed=$((passed + 1))
else
    echo "test.sh: share/contracts differs from a rebuild of contrib/contracts"
    failed=$((failed + 1))
    recall "contrib/contracts/build.sh --check"
fi
echo "test.sh: contrib/contracts/test.sh"
ct_out=$(mktemp)
# The channel tests run call data built by our C code (test/unit/channel_calldata, built by
# `make check` above) against the committed contracts.
export SPECTRUM_CHANNEL_CALLDATA="$(cd "$builddir" && pwd)/test/unit/channel_calldata"
contrib/contracts/test.sh 2>&1 | tee "$ct_out"
ct_rc=${PIPESTATUS[0]}
ct_pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$ct_out" | tail -1)
ct_fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$ct_out" | tail -1)
if [ -n "$ct_pass" ] && [ -n "$ct_fail" ]; then
    passed=$((passed + ct_pass))
    failed=$((failed + ct_fail))
    [ "$ct_rc" -ne 0 ] && [ "$ct_fail" -eq 0 ] && failed=$((failed + 1))
    if [ "$ct_fail" -ne 0 ] || [ "$ct_rc" -ne 0 ]; then
        grep -A 12 '^ *not ok' "$ct_out" >"$ct_out.fail"
        recall "contract tests (exit $ct_rc, $ct_fail failed)" "$ct_out.fail"
        rm -f "$ct_out.fail"
    fi
else
    echo "test.sh: the contract tests did not run"
    failed=$((failed + 1))
    recall "the contract tests did not run" "$ct_out"
fi
rm -f "$ct_out"

# ---- 6. interop -------------------------------------------------------------
# Real Ethereum tools against regtest nodes of this build (test/interop).
echo "test.sh: contrib/interop.sh"
io_out=$(mktemp)
BUILD_DIR="$builddir" contrib/interop.sh 2>&1 | tee "$io_out"
io_rc=${PIPESTATUS[0]}
last=$(tail -n 1 "$io_out")
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
    if [ "$io_rc" -ne 0 ] || [ "${BASH_REMATCH[2]}" -ne 0 ]; then
        [ "${BASH_REMATCH[2]}" -eq 0 ] && failed=$((failed + 1))
        # node --test lists the failing tests with their errors at the end
        recall "interop (exit $io_rc, ${BASH_REMATCH[2]} failed)" "$io_out"
    fi
else
    echo "test.sh: the interop tests did not finish"
    failed=$((failed + 1))
    recall "the interop tests did not finish" "$io_out"
fi
rm -f "$io_out"

finish
