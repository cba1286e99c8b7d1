"""TestNode: one spectrumd process on a private data directory.

The node runs on regtest (or, with chain=, on "testnet", "devnet" or
"mainnet", still in its own directory), with its own -datadir and
-printtoconsole=0; standard output and error go to files in the data
directory so that a failing test can show them. start() returns once the node
has written its "starting" line to debug.log (only lines written after this
start count, so restarts on the same directory work; the RPC servers listen
before that line); stop() sends SIGTERM and requires exit code 0, stop_rpc()
asks with the `stop` method, kill9() kills without warning. Nodes never
connect anywhere: each gets its own loopback RPC and WebSocket ports
(-rpcport, -wsport), there are no peers, and when the binary has p2p options
(-listen, -nodiscover, -maxpeers) they are switched off (isolated=False
keeps the defaults, for tests that connect nodes to each other).

rpc(method, *params) calls the node over HTTP with the cookie from its data
directory and returns the result, raising JSONRPCException for an error
reply; http() sends raw requests for tests of the HTTP layer itself; cli()
runs spectrum-cli against the node.
"""

import base64
import http.client
import json
import os
import signal
import subprocess
import threading
import time

from .util import AssertionFailure, free_port, wait_until


class JSONRPCException(Exception):
    """An error reply: .code, .message, .data, and the HTTP .status."""

    def __init__(self, error, status=200):
        self.error = error
        self.code = error.get("code")
        self.message = error.get("message")
        self.data = error.get("data")
        self.status = status
        super().__init__("%s (%s)" % (self.message, self.code))


class HTTPError(Exception):
    """A reply that is not HTTP 200/204."""

    def __init__(self, status, body):
        self.status = status
        self.body = body
        super().__init__("HTTP %d: %r" % (status, body[:200]))

STARTED_MARKER = "starting, network regtest"

# chain name -> (option selecting it, subdirectory of the data directory)
NETWORKS = {
    "regtest": ("-regtest", "regtest"),
    "testnet": ("-testnet", "testnet"),
    "devnet": ("-devnet", "devnet"),
    "mainnet": (None, ""),
}

_help_cache = {}


def isolation_args(binary):
    """The options that keep a node off the network, among those `binary`
    has (read once from its -help): no listening, no discovery, no peers."""
    if binary not in _help_cache:
        try:
            out = subprocess.run([binary, "-help"], capture_output=True, text=True,
                                 timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        want = []
        for opt, arg in (("-listen", "-listen=0"), ("-nodiscover", "-nodiscover"),
                         ("-discover", "-discover=0"), ("-dnsseed", "-dnsseed=0"),
                         ("-maxpeers", "-maxpeers=0")):
            if ("\n  %s\n" % opt) in out or ("\n  %s=" % opt) in out or \
                    ("\n  %s[" % opt) in out:
                want.append(arg)
        _help_cache[binary] = want
    return list(_help_cache[binary])


class TestNode:
    def __init__(self, index, root, bindir, extra_args=None, timeout=60.0, chain="regtest",
                 isolated=True, dirname=None):
        if chain not in NETWORKS:
            raise ValueError("unknown chain %r" % chain)
        self.index = index
        self.chain = chain
        self.isolated = isolated
        self.datadir = os.path.join(root, dirname or "node%d" % index)
        os.makedirs(self.datadir, exist_ok=True)
        self.netdir = os.path.join(self.datadir, NETWORKS[chain][1]) if NETWORKS[chain][1] \
            else self.datadir
        self.started_marker = "starting, network %s" % chain
        self.bindir = bindir
        self.binary = os.path.join(bindir, "spectrumd")
        self.extra_args = list(extra_args or [])
        self.timeout = timeout
        self.process = None
        self.stdout_path = os.path.join(self.datadir, "stdout.txt")
        self.stderr_path = os.path.join(self.datadir, "stderr.txt")
        self.rpc_port = free_port()
        self.ws_port = free_port()
        self._rpc_id = 0
        self._rpc_lock = threading.Lock()

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

    def network_args(self):
        opt = NETWORKS[self.chain][0]
        return [opt] if opt else []

    def base_args(self):
        return ([self.binary] + self.network_args() +
                ["-datadir=" + self.datadir, "-printtoconsole=0",
                 "-rpcport=%d" % self.rpc_port, "-wsport=%d" % self.ws_port] +
                (isolation_args(self.binary) if self.isolated else []))

    # ---- RPC -------------------------------------------------------------
    @property
    def cookie_path(self):
        return os.path.join(self.netdir, ".cookie")

    def cookie(self):
        """The cookie file's "user:password", or None when there is none."""
        try:
            with open(self.cookie_path) as f:
                return f.read().strip()
        except FileNotFoundError:
            return None

    def auth_header(self, userpass=None):
        userpass = userpass if userpass is not None else self.cookie()
        if userpass is None:
            return None
        return "Basic " + base64.b64encode(userpass.encode()).decode()

    def http(self, body, method="POST", headers=None, auth=True, host="127.0.0.1",
             source=None, timeout=None, path="/"):
        """Sends one request on a new connection. body: bytes, str or a JSON value.
        auth: True (the cookie), False/None (none) or "user:password".
        Returns (status, headers dict with lower-case names, body bytes)."""
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        h = {"Content-Type": "application/json"}
        if auth:
            h["Authorization"] = self.auth_header(None if auth is True else auth)
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        conn = http.client.HTTPConnection(host, self.rpc_port, timeout=timeout or self.timeout,
                                          source_address=(source, 0) if source else None)
        try:
            conn.request(method, path, body=body if method != "GET" else None, headers=h)
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    def rpc_raw(self, payload, auth=True, **kw):
        """Posts a JSON value; returns the decoded reply (None for 204).
        Raises HTTPError for any other status than 200/204."""
        status, _, data = self.http(payload, auth=auth, **kw)
        if status == 204:
            return None
        if status != 200:
            raise HTTPError(status, data)
        return json.loads(data)

    def rpc(self, method, *params, auth=True, **kw):
        with self._rpc_lock:       # tests call from several threads
            self._rpc_id += 1
            rid = self._rpc_id
        reply = self.rpc_raw({"jsonrpc": "2.0", "id": rid, "method": method,
                              "params": list(params)}, auth=auth, **kw)
        if reply.get("id") != rid or reply.get("jsonrpc") != "2.0":
            raise AssertionFailure("bad reply envelope: %r" % reply)
        if "error" in reply:
            raise JSONRPCException(reply["error"])
        return reply["result"]

    def cli(self, *args, input=None, timeout=None):
        """Runs spectrum-cli against this node; returns a CompletedProcess."""
        argv = ([os.path.join(self.bindir, "spectrum-cli")] + self.network_args() +
                ["-datadir=" + self.datadir, "-rpcport=%d" % self.rpc_port] + list(args))
        return subprocess.run(argv, capture_output=True, text=True, input=input,
                              timeout=timeout or self.timeout)

    def fd_count(self):
        """Open file descriptors of the running node (from /proc)."""
        return len(os.listdir("/proc/%d/fd" % self.process.pid))

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
            return self.started_marker in self.new_log_lines(self.log_offset)
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

    def wait_for_exit(self, expected_code=0, what="exit"):
        """Waits for the process to end by itself and checks its exit code."""
        try:
            code = self.process.wait(self.timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionFailure("node%d did not %s within %.0f s" % (self.index, what,
                                                                       self.timeout))
        self._close_files()
        self.process = None
        if code != expected_code:
            raise AssertionFailure("node%d exited with code %d, expected %d; stderr: %s"
                                   % (self.index, code, expected_code, self.stderr().strip()))

    def stop_rpc(self):
        """Stops the node with the `stop` RPC; requires its reply and exit code 0."""
        if not self.running():
            raise AssertionFailure("node%d is not running" % self.index)
        reply = self.rpc("stop")
        if reply != "spectrumd stopping":
            raise AssertionFailure("stop replied %r" % (reply,))
        self.wait_for_exit(0, "stop after the stop RPC")

    def kill9(self):
        """SIGKILL: no shutdown code runs (a crash or power cut of the process)."""
        if not self.running():
            raise AssertionFailure("node%d is not running" % self.index)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self._close_files()
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
