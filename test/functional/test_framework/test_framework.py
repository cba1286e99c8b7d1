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
running. Exit code 0 when the test passed, 1 when it failed; the temporary
directory is removed after a pass (kept after a failure, or with --nocleanup).
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


class SpectrumTestFramework:
    def __init__(self):
        self.num_nodes = 1
        self.extra_args = None          # list (per node) of extra options
        self.start_nodes = True         # start the nodes before run_test
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
        passed = False
        try:
            for prog in ("spectrumd", "spectrum-cli"):
                if not os.access(self.binary(prog), os.X_OK):
                    raise RuntimeError("%s not found in %s (build first, or pass --bindir)"
                                       % (prog, self.options.bindir))
            for i in range(self.num_nodes):
                extra = self.extra_args[i] if self.extra_args else None
                self.nodes.append(TestNode(i, self.options.tmpdir, self.options.bindir, extra,
                                           self.timeout))
            if self.start_nodes:
                for n in self.nodes:
                    n.start()
            self.run_test()
            passed = True
        except Exception:
            self.log("FAILED")
            traceback.print_exc(file=sys.stdout)
        finally:
            for n in self.nodes:
                if n.running():
                    n.kill()
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
