"""SpectrumTestFramework: the base class of every functional test.

A test subclasses it, sets its parameters in set_test_params() and does its
work in run_test():

    class StartupTest(SpectrumTestFramework):
        def set_test_params(self):
            self.num_nodes = 1
        def run_test(self):
            self.nodes[0].stop()

    if __name__ == "__main__":
        StartupTest().main()

main() parses the common options (--bindir, --tmpdir, --nocleanup,
--timeout-factor), makes a temporary directory, creates and starts
self.num_nodes TestNodes, runs the test, and always kills what is still
running. Exit code 0 when the test passed, 1 when it failed, 77 when it
skipped itself (skip_test: say why, loudly); the temporary directory is
removed after a pass or a skip (kept after a failure, or with --nocleanup).

Nodes are regtest unless self.chains names another network per node
("testnet", "devnet", "mainnet"); add_node() makes one more during a test.
shared_dir() finds ../shared (the fixtures) by the rule of
test/conformance/fixtures.h: $SPECTRUM_SHARED, else ../shared beside the
source tree; when it is missing the test skips, except under CI=true, where
it fails.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

from .test_node import TestNode

SOURCE_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

SKIP_EXIT_CODE = 77


class SkipTest(Exception):
    """Raised by skip_test(): the test cannot run here (the reason says why)."""


def in_ci():
    ci = os.environ.get("CI", "")
    return ci not in ("", "0", "false")


class SpectrumTestFramework:
    def __init__(self):
        self.num_nodes = 1
        self.extra_args = None          # list (per node) of extra options
        self.start_nodes = True         # start the nodes before run_test
        self.chains = None              # list (per node) of networks; default regtest
        self.nodes = []

    # ---- to override -----------------------------------------------------
    def set_test_params(self):
        """Set num_nodes, extra_args, start_nodes."""

    def run_test(self):
        raise NotImplementedError

    # ---- helpers for tests -----------------------------------------------
    def log(self, msg):
        print("%s %s: %s" % (time.strftime("%H:%M:%S"), self.name, msg), flush=True)

    def binary(self, name):
        return os.path.join(self.options.bindir, name)

    def run_program(self, name, args, input=None, timeout=None):
        """Runs one of the built programs to completion; returns CompletedProcess."""
        return subprocess.run([self.binary(name)] + list(args), capture_output=True,
                              text=True, input=input, timeout=timeout or self.timeout)

    def add_node(self, chain="regtest", extra_args=None, dirname=None):
        """Creates (does not start) one more node; it is killed at the end."""
        n = TestNode(len(self.nodes), self.options.tmpdir, self.options.bindir, extra_args,
                     self.timeout, chain=chain, dirname=dirname)
        self.nodes.append(n)
        return n

    def skip_test(self, reason):
        raise SkipTest(reason)

    def shared_dir(self, sub=""):
        """The path of ../shared/<sub> (fixtures). Missing: skip loudly, or
        fail under CI=true (the rule of test/conformance/fixtures.h)."""
        root = os.environ.get("SPECTRUM_SHARED") or os.path.join(SOURCE_ROOT, "..", "shared")
        path = os.path.abspath(os.path.join(root, sub))
        if not os.path.exists(path):
            msg = ("fixtures not found at %s (they live in ../shared beside the checkout, "
                   "or set SPECTRUM_SHARED)" % path)
            if in_ci():
                raise RuntimeError("FAILING (CI): " + msg)
            print("\n*** SKIPPING: %s ***\n" % msg, flush=True)
            self.skip_test(msg)
        return path

    def scratch_dir(self, name):
        """A fresh directory inside this test's temporary directory."""
        path = os.path.join(self.options.tmpdir, name)
        os.makedirs(path)
        return path

    # ---- driver ----------------------------------------------------------
    def parse_args(self):
        p = argparse.ArgumentParser(description=self.__doc__)
        p.add_argument("--bindir", default=os.environ.get("SPECTRUM_BINDIR", SOURCE_ROOT),
                       help="directory holding spectrumd, spectrum-cli, spectrum-evm "
                            "(default: $SPECTRUM_BINDIR or the source root)")
        p.add_argument("--tmpdir", help="root of the test's temporary files "
                                        "(default: a new directory in $TMPDIR)")
        p.add_argument("--nocleanup", action="store_true",
                       help="keep the temporary directory")
        p.add_argument("--timeout-factor", type=float, default=1.0,
                       help="multiply every timeout (slow machines, sanitizers)")
        self.options = p.parse_args()
        self.options.bindir = os.path.abspath(self.options.bindir)
        self.timeout = 60.0 * self.options.timeout_factor
        if self.options.tmpdir:
            os.makedirs(self.options.tmpdir, exist_ok=False)
        else:
            self.options.tmpdir = tempfile.mkdtemp(prefix="spectrum_func_")
        self.options.tmpdir = os.path.abspath(self.options.tmpdir)

    def main(self):
        self.name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
        self.parse_args()
        self.set_test_params()
        passed = skipped = False
        try:
            for prog in ("spectrumd", "spectrum-cli"):
                if not os.access(self.binary(prog), os.X_OK):
                    raise RuntimeError("%s not found in %s (build first, or pass --bindir)"
                                       % (prog, self.options.bindir))
            for i in range(self.num_nodes):
                extra = self.extra_args[i] if self.extra_args else None
                chain = self.chains[i] if self.chains else "regtest"
                self.nodes.append(TestNode(i, self.options.tmpdir, self.options.bindir, extra,
                                           self.timeout, chain=chain))
            if self.start_nodes:
                for n in self.nodes:
                    n.start()
            self.run_test()
            passed = True
        except SkipTest as e:
            skipped = True
            self.log("skipped: %s" % e)
        except Exception:
            self.log("FAILED")
            traceback.print_exc(file=sys.stdout)
        finally:
            for n in self.nodes:
                if n.running():
                    n.kill()
        if skipped:
            if not self.options.nocleanup:
                shutil.rmtree(self.options.tmpdir, ignore_errors=True)
            sys.exit(SKIP_EXIT_CODE)
        if passed:
            self.log("passed")
            if not self.options.nocleanup:
                shutil.rmtree(self.options.tmpdir, ignore_errors=True)
        else:
            for n in self.nodes:
                log = n.debug_log()
                if log:
                    print("---- node%d debug.log (last 40 lines) ----" % n.index)
                    print("\n".join(log.splitlines()[-40:]))
            print("temporary files kept in %s" % self.options.tmpdir)
        sys.exit(0 if passed else 1)
