#!/usr/bin/env python3
"""spectrumd start-up and shutdown: the data directory, its lock, debug.log,
the pid file, -daemon, signals, option and config errors, -help, -version."""

import os
import signal
import time

from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (assert_equal, assert_in, assert_not_in, assert_true,
                                 free_port, pid_alive, wait_until)

LOCK_MSG = "Cannot obtain a lock on data directory"

# Every option spectrumd registers today; -help must list each of them.
OPTIONS = ["-conf=<file>", "-daemon", "-datadir=<dir>", "-help", "-pid=<file>", "-version",
           "-devnet", "-regtest", "-testnet", "-debug[=<category>]", "-debugexclude=<category>",
           "-logtimestamps", "-printtoconsole"]


class StartupTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        self.test_start_and_stop(node)
        self.test_restart_and_sigint(node)
        self.test_second_instance_refused(node)
        self.test_log_rotation(node)
        self.test_daemon(node)
        self.test_bad_options(node)
        self.test_config_file(node)
        self.test_help_and_version(node)

    def test_start_and_stop(self, node):
        self.log("started by the framework: log line, lock, pid file, database")
        log = node.debug_log()
        assert_in("spectrumd 0.1.0 starting, network regtest, data dir %s" % node.netdir, log)
        for name in (".lock", "chaindata", "debug.log", "spectrumd.pid"):
            assert_true(os.path.exists(os.path.join(node.netdir, name)), name + " exists")
        with open(os.path.join(node.netdir, "spectrumd.pid")) as f:
            assert_equal(int(f.read()), node.process.pid, "pid file")
        assert_equal(os.stat(node.netdir).st_mode & 0o777, 0o700, "data dir mode")
        # timestamps are on by default: 2026-01-01T00:00:00Z
        first = log.splitlines()[0]
        assert_true(len(first) > 21 and first[4] == "-" and first[10] == "T" and first[19] == "Z",
                    "timestamped line: %r" % first)

        self.log("SIGTERM: clean shutdown, exit code 0")
        node.stop()
        log = node.debug_log()
        assert_in("Shutdown: done", log)
        assert_true(log.rstrip().endswith("Shutdown: done"), "Shutdown: done is the last line")
        assert_true(not os.path.exists(os.path.join(node.netdir, "spectrumd.pid")),
                    "pid file removed")

    def test_restart_and_sigint(self, node):
        self.log("restart on the same data directory, SIGINT also stops cleanly")
        size = os.path.getsize(node.debug_log_path)
        node.start(["-nologtimestamps"])
        new = node.new_log_lines(size)
        assert_true(new.startswith("Opened database"), "untimestamped line: %r" % new[:40])
        node.stop(signal.SIGINT)
        assert_in("Received SIGINT", node.new_log_lines(size))
        assert_in("Shutdown: done", node.new_log_lines(size))

    def test_second_instance_refused(self, node):
        self.log("a second node on the same data directory is refused")
        node.start()
        r = node.assert_start_fails([], LOCK_MSG)
        assert_in("spectrumd is probably already running.", r.stderr)
        assert_in(node.netdir, r.stderr)
        assert_true(node.running(), "first node still running")
        # the refused instance must not touch the running node's files
        with open(os.path.join(node.netdir, "spectrumd.pid")) as f:
            assert_equal(int(f.read()), node.process.pid, "pid file untouched")
        node.stop()

    def test_log_rotation(self, node):
        self.log("SIGHUP reopens debug.log (log rotation)")
        node.start()
        rotated = node.debug_log_path + ".1"
        os.rename(node.debug_log_path, rotated)
        node.send_signal(signal.SIGHUP)
        wait_until(lambda: "reopened" in node.debug_log(), 10, "a new debug.log")
        node.stop()
        new = node.debug_log()
        assert_in("Shutdown: done", new)
        assert_not_in("starting", new, "new file holds only lines after the rotation")
        with open(rotated) as f:
            old = f.read()
        assert_not_in("reopened", old, "rotated file")
        assert_true(old.rstrip().endswith("starting, network regtest, data dir " + node.netdir),
                    "rotated file ends where the rotation happened")
        os.unlink(rotated)

    def test_daemon(self, node):
        self.log("-daemon returns once started; -pid names the pid file")
        r = node.run(["-daemon", "-pid=custom.pid"])
        assert_equal(r.returncode, 0, "daemon parent exit code (stderr %r)" % r.stderr)
        pidfile = os.path.join(node.netdir, "custom.pid")
        assert_true(os.path.exists(pidfile), "custom pid file written before the parent exits")
        assert_true(not os.path.exists(os.path.join(node.netdir, "spectrumd.pid")),
                    "default pid file not written")
        with open(pidfile) as f:
            pid = int(f.read())
        assert_true(pid_alive(pid), "daemon process alive")
        assert_in("starting, network regtest", node.debug_log())

        self.log("-daemon on a locked data directory: the parent reports the error")
        r = node.run(["-daemon"])
        assert_equal(r.returncode, 1, "second daemon exit code")
        assert_in(LOCK_MSG, r.stderr)

        os.kill(pid, signal.SIGTERM)
        wait_until(lambda: not pid_alive(pid), self.timeout, "the daemon to exit")
        assert_true(node.debug_log().rstrip().endswith("Shutdown: done"), "daemon shut down")
        assert_true(not os.path.exists(pidfile), "custom pid file removed")

        self.log("-nopid writes no pid file")
        node.start(["-nopid"])
        assert_true(not os.path.exists(os.path.join(node.netdir, "spectrumd.pid")), "no pid file")
        node.stop()

    def test_bad_options(self, node):
        self.log("bad options are refused before anything starts")
        node.assert_start_fails(["-nosuchoption"], "Error: unknown option -nosuchoption")
        node.assert_start_fails(["--bogus=1"], "unknown option -bogus")
        node.assert_start_fails(["-printtoconsole=maybe"], "option -printtoconsole: 'maybe'")
        node.assert_start_fails(["-debug=nosuch"], "unknown logging category 'nosuch'")
        node.assert_start_fails(["-debugexclude=net,nosuch2"], "nosuch2")
        node.assert_start_fails(["-datadir"], "option -datadir: needs a value")
        node.assert_start_fails(["-testnet"], "mutually exclusive")
        node.assert_start_fails(["stray"], "unexpected argument 'stray'")
        missing = os.path.join(self.options.tmpdir, "does-not-exist")
        node.assert_start_fails(["-datadir=" + missing],
                                "Specified data directory \"%s\" does not exist." % missing,
                                base=False)
        node.assert_start_fails(["-conf=missing.conf"], "missing.conf not found")
        node.assert_start_fails(["-meshboxkeep=2"],
                                "-meshboxkeep=2: 0 (keep every epoch) or at least 3")
        node.assert_start_fails(["-meshboxkeep=-1"], "-meshboxkeep")

        self.log("a database that cannot be opened: exit 1, error on stderr and in debug.log")
        d = self.scratch_dir("baddb")
        os.makedirs(os.path.join(d, "regtest"))
        with open(os.path.join(d, "regtest", "chaindata"), "w") as f:
            f.write("not a directory")
        for extra in ([], ["-daemon"]):
            node.assert_start_fails(["-regtest", "-datadir=" + d] + extra,
                                    "Error: cannot open the database", base=False)
        with open(os.path.join(d, "regtest", "debug.log")) as f:
            assert_in("Error: cannot open the database", f.read())
        assert_true(not os.path.exists(os.path.join(d, "regtest", "spectrumd.pid")),
                    "pid file removed after a failed start")
        # valid categories are accepted (and the node then starts)
        node.start(["-debug=net,rpc", "-debug=evm", "-debugexclude=rpc", "-debug"])
        node.stop()

    def test_config_file(self, node):
        conf = os.path.join(node.datadir, "spectrum.conf")
        self.log("bad config lines are refused with file and line")
        with open(conf, "w") as f:
            f.write("# spectrum.conf\nlogtimestamps=1\nfoo=1\n")
        r = node.assert_start_fails([], "spectrum.conf:3: unknown option 'foo'")
        assert_in("Error: ", r.stderr)
        with open(conf, "w") as f:
            f.write("[regtest]\ndaemon=yes\n")
        node.assert_start_fails([], "spectrum.conf:2: option 'daemon': 'yes' is not 0, 1")
        with open(conf, "w") as f:
            f.write("[moon]\n")
        node.assert_start_fails([], "spectrum.conf:1: unknown section [moon]")
        with open(conf, "w") as f:
            f.write("[regtest]\nregtest=1\n")
        node.assert_start_fails([], "option 'regtest' cannot be set inside [regtest]")

        self.log("sections apply per network; the command line overrides the file")
        with open(conf, "w") as f:
            f.write("pid=top.pid\n"
                    "rpcconnect=127.0.0.1   # spectrum-cli's option, accepted here\n"
                    "[main]\npid=main.pid\n"
                    "[regtest]\npid=regtest.pid\n")
        node.start()
        assert_true(os.path.exists(os.path.join(node.netdir, "regtest.pid")), "[regtest] pid")
        node.stop()
        node.start(["-pid=cmdline.pid"])
        assert_true(os.path.exists(os.path.join(node.netdir, "cmdline.pid")), "cmdline pid")
        assert_true(not os.path.exists(os.path.join(node.netdir, "regtest.pid")), "no conf pid")
        node.stop()
        node.assert_start_fails(["-rpcconnect=1.2.3.4"], "unknown option -rpcconnect")

        self.log("-conf names another file; -noconf reads none")
        other = os.path.join(self.options.tmpdir, "other.conf")
        with open(other, "w") as f:
            f.write("pid=other.pid\n")
        node.start(["-conf=" + other])
        assert_true(os.path.exists(os.path.join(node.netdir, "other.pid")), "-conf pid")
        node.stop()
        with open(conf, "w") as f:
            f.write("foo=1\n")
        node.start(["-noconf"])
        node.stop()
        os.unlink(conf)

        self.log("regtest=1 in the config file selects regtest")
        d = self.scratch_dir("conf_regtest")
        with open(os.path.join(d, "spectrum.conf"), "w") as f:
            f.write("regtest=1\n")
        r = self.run_program("spectrumd", ["-datadir=" + d, "-daemon",
                                           "-rpcport=%d" % free_port(), "-wsport=%d" % free_port()])
        assert_equal(r.returncode, 0, "daemon exit code (stderr %r)" % r.stderr)
        pidfile = os.path.join(d, "regtest", "spectrumd.pid")
        with open(pidfile) as f:
            pid = int(f.read())
        os.kill(pid, signal.SIGTERM)
        wait_until(lambda: not pid_alive(pid), self.timeout, "the daemon to exit")
        r = self.run_program("spectrumd", ["-datadir=" + d, "-testnet"])
        assert_equal(r.returncode, 1, "-testnet with regtest=1")
        assert_in("mutually exclusive", r.stderr)

    def test_help_and_version(self, node):
        self.log("-help lists every option; -h and -? are the same")
        r = self.run_program("spectrumd", ["-help"])
        assert_equal(r.returncode, 0, "-help exit code")
        for opt in OPTIONS:
            assert_in("\n  %s\n" % opt, r.stdout, "-help")
        for cat in ("net", "rpc", "evm", "chain", "tribe", "txpool", "miner", "db", "channel",
                    "p2p", "wallet"):
            assert_in(cat, r.stdout.split("-debug[=<category>]")[1].split("\n\n")[0],
                      "-debug help lists category")
        assert_in("(default: spectrumd.pid)", r.stdout)
        assert_in("Usage:", r.stdout)
        for alias in ("-h", "-?", "--help"):
            r2 = self.run_program("spectrumd", [alias])
            assert_equal((r2.returncode, r2.stdout), (0, r.stdout), alias)

        self.log("-version")
        r = self.run_program("spectrumd", ["-version"])
        assert_equal(r.returncode, 0, "-version exit code")
        lines = r.stdout.splitlines()
        assert_equal(lines[0], "spectrumd version 0.1.0")
        assert_in("MIT", r.stdout)
        assert_equal(r.stderr, "", "-version stderr")

        self.log("-printtoconsole copies log lines to stdout")
        node.start(["-printtoconsole"])
        node.stop()
        assert_in("starting, network regtest", node.stdout())


if __name__ == "__main__":
    StartupTest().main()
