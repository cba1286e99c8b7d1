#!/bin/sh
# run_functional.sh — `make check` entry for the functional tests: runs
# test_runner.py (every feature_*.py, tool_*.py, ...) against the programs in
# the build directory, which is the current directory under `make check`.
#
# SPECTRUM_FUNCTIONAL=skip skips (exit 77) — contrib/test.sh uses it because it
# runs test_runner.py itself, to count the scripts one by one.
# SPECTRUM_BINDIR overrides where the programs are.
if [ "${SPECTRUM_FUNCTIONAL:-}" = skip ]; then
    echo "functional tests skipped (SPECTRUM_FUNCTIONAL=skip)"
    exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "python3 not found: install the Debian package python3"
    exit 99
fi
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/test_runner.py" -j 2 --bindir "${SPECTRUM_BINDIR:-$PWD}"
