#!/usr/bin/env python3
"""Runs the functional tests, several at a time.

Usage: test_runner.py [-j N] [--bindir DIR] [--tmpdir DIR] [TEST...]

Every script next to this file named <kind>_<name>.py (feature_, tool_, rpc_,
p2p_, wallet_, ...) is a test; TEST names select some of them (with or
without .py). Each test gets its own temporary directory. The output of a
failed test is printed in full; a test that exits with 77 skipped itself (its
reason is printed). The last line is "N passed, M failed" (", K skipped" when
any) and the exit code is 0 only when nothing failed.

Longest tests first, so that -j keeps every worker busy to the end: the
tests named in SLOW start before the others.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_NAME = re.compile(r"^[a-z0-9]+_[a-z0-9_]+\.py$")
SKIP_EXIT_CODE = 77

# Tests that take the longest (seconds on 2 cores), started first.
SLOW = ["feature_rpc_load.py", "rpc_server.py", "feature_kill9.py", "feature_chain_basic.py", "feature_forks.py",
        "feature_startup.py", "feature_reorg.py", "feature_restart.py"]


def discover():
    found = sorted(f for f in os.listdir(HERE)
                   if TEST_NAME.match(f) and f != "test_runner.py")
    slow = [t for t in SLOW if t in found]
    return slow + [t for t in found if t not in slow]


def run_one(script, args, tmproot):
    start = time.monotonic()
    name = script[:-3]
    cmd = [sys.executable, os.path.join(HERE, script), "--tmpdir",
           os.path.join(tmproot, name), "--timeout-factor", str(args.timeout_factor)]
    if args.bindir:
        cmd += ["--bindir", args.bindir]
    if args.nocleanup:
        cmd.append("--nocleanup")
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=args.timeout)
        code, out = r.returncode, r.stdout
    except subprocess.TimeoutExpired as e:
        code = -1
        out = (e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes)
               else (e.stdout or "")) + "\ntimed out after %d s\n" % args.timeout
    return name, code, out, time.monotonic() - start


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-j", "--jobs", type=int, default=min(4, os.cpu_count() or 1),
                   help="tests to run at once")
    p.add_argument("--bindir", help="directory of the built programs "
                                    "(default: $SPECTRUM_BINDIR or the source root)")
    p.add_argument("--tmpdir", help="root of the temporary directories")
    p.add_argument("--nocleanup", action="store_true", help="keep temporary directories")
    p.add_argument("--timeout", type=int, default=600, help="seconds allowed per test")
    p.add_argument("--timeout-factor", type=float, default=1.0,
                   help="passed to each test (slow machines, sanitizers)")
    p.add_argument("tests", nargs="*")
    args = p.parse_args()

    tests = discover()
    if args.tests:
        wanted = [t if t.endswith(".py") else t + ".py" for t in args.tests]
        unknown = [t for t in wanted if t not in tests]
        if unknown:
            print("unknown test(s): %s" % ", ".join(unknown))
            print("0 passed, %d failed" % len(unknown))
            return 1
        tests = wanted
    if not tests:
        print("no tests found")
        print("0 passed, 1 failed")
        return 1

    if args.tmpdir:
        os.makedirs(args.tmpdir, exist_ok=True)
        tmproot = tempfile.mkdtemp(prefix="run_", dir=args.tmpdir)
    else:
        tmproot = tempfile.mkdtemp(prefix="spectrum_functional_")
    passed = failed = skipped = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, t, args, tmproot) for t in tests]
        for fut in futures:
            name, code, out, secs = fut.result()
            if code == 0:
                passed += 1
                print("%-28s passed  %5.1f s" % (name, secs), flush=True)
            elif code == SKIP_EXIT_CODE:
                skipped += 1
                reason = [l for l in out.splitlines() if "skipped:" in l]
                print("%-28s skipped %5.1f s %s" % (name, secs,
                                                    reason[-1].split("skipped:", 1)[1].strip()
                                                    if reason else ""), flush=True)
            else:
                failed += 1
                print("%-28s FAILED  %5.1f s (exit code %d)" % (name, secs, code))
                print("".join("  | " + line + "\n" for line in out.splitlines()), flush=True)
    if failed == 0 and not args.nocleanup:
        try:
            os.rmdir(tmproot)
        except OSError:
            pass
    print("%d passed, %d failed%s" % (passed, failed,
                                       ", %d skipped" % skipped if skipped else ""))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
