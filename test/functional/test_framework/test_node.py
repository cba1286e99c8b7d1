"""TestNode: one spectrumd process on a private regtest data directory.

The node runs with -regtest, its own -datadir and -printtoconsole=0; standard
output and error go to files in the data directory so that a failing test can
show them. start() returns once the node has written its "starting" line to
debug.log (only lines written after this start count, so restarts on the same
directory work); stop() sends SIGTERM and requires exit code 0. Nodes never
connect anywhere: there are no peers and no RPC server yet.
"""

import os
import signal
import subprocess
import time

from .util import AssertionFailure, wait_until

STARTED_MARKER = "starting, network regtest"


class TestNode:
    def __init__(self, index, root, bindir, extra_args=None, timeout=60.0):
        self.index = index
        self.datadir = os.path.join(root, "node%d" % index)
        os.makedirs(self.datadir, exist_ok=True)
        self.netdir = os.path.join(self.datadir, "regtest")
        self.bindir = bindir
        self.binary = os.path.join(bindir, "spectrumd")
        self.extra_args = list(extra_args or [])
        self.timeout = timeout
        self.process = None
        self.stdout_path = os.path.join(self.datadir, "stdout.txt")
        self.stderr_path = os.path.join(self.datadir, "stderr.txt")

    # ---- paths and files -------------------------------------------------
    @property
    def debug_log_path(self):
        return os.path.join(self.netdir, "debug.log")

    def debug_log(self):
        try:
            with open(self.debug_log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def _log_size(self):
        try:
            return os.path.getsize(self.debug_log_path)
        except FileNotFoundError:
            return 0

    def new_log_lines(self, offset):
        """The part of debug.log written after byte `offset`."""
        try:
            with open(self.debug_log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def base_args(self):
        return [self.binary, "-regtest", "-datadir=" + self.datadir, "-printtoconsole=0"]

    # ---- life cycle ------------------------------------------------------
    def start(self, extra_args=None, wait=True):
        if self.process is not None and self.process.poll() is None:
            raise AssertionFailure("node%d already running" % self.index)
        args = self.base_args() + self.extra_args + list(extra_args or [])
        self.log_offset = self._log_size()
        self._out = open(self.stdout_path, "w")
        self._err = open(self.stderr_path, "w")
        self.process = subprocess.Popen(args, stdout=self._out, stderr=self._err,
                                        stdin=subprocess.DEVNULL)
        if wait:
            self.wait_for_start()

    def wait_for_start(self):
        def started():
            if self.process.poll() is not None:
                raise AssertionFailure("node%d exited with code %d during start-up: %s"
                                       % (self.index, self.process.returncode,
                                          self.stderr().strip()))
            return STARTED_MARKER in self.new_log_lines(self.log_offset)
        wait_until(started, self.timeout, "node%d to start" % self.index)

    def running(self):
        return self.process is not None and self.process.poll() is None

    def stderr(self):
        with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stdout(self):
        with open(self.stdout_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def send_signal(self, sig):
        self.process.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, expected_code=0):
        """Stops the node with `sig` and checks its exit code."""
        if not self.running():
            raise AssertionFailure("node%d is not running" % self.index)
        self.process.send_signal(sig)
        try:
            code = self.process.wait(self.timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionFailure("node%d did not stop within %.0f s" % (self.index,
                                                                          self.timeout))
        self._close_files()
        if code != expected_code:
            raise AssertionFailure("node%d exited with code %d, expected %d; stderr: %s"
                                   % (self.index, code, expected_code, self.stderr().strip()))
        self.process = None

    def kill(self):
        if self.running():
            self.process.kill()
            self.process.wait()
        self._close_files()
        self.process = None

    def _close_files(self):
        for f in (getattr(self, "_out", None), getattr(self, "_err", None)):
            if f and not f.closed:
                f.close()

    # ---- one-shot runs ---------------------------------------------------
    def run(self, args, timeout=None, base=True, input=None):
        """Runs spectrumd to completion (for -help, -daemon, failing starts).
        Returns a CompletedProcess with text stdout/stderr."""
        argv = (self.base_args() if base else [self.binary]) + list(args)
        return subprocess.run(argv, capture_output=True, text=True, input=input,
                              timeout=timeout or self.timeout)

    def assert_start_fails(self, args, message, base=True):
        """Starting with args must fail with exit code 1 and `message` on stderr."""
        r = self.run(args, base=base)
        if r.returncode != 1:
            raise AssertionFailure("start with %r: exit code %d, expected 1 (stderr %r)"
                                   % (args, r.returncode, r.stderr))
        if message not in r.stderr:
            raise AssertionFailure("start with %r: %r not in stderr %r" % (args, message,
                                                                             r.stderr))
        return r
