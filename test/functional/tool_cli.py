#!/usr/bin/env python3
"""spectrum-cli: help and version, the connection error, and the requests it
sends, checked against a small fake JSON-RPC server on 127.0.0.1; then
against a real node: help, uptime, web3 methods, -named, error exit codes,
-rpcwait while the node starts, and stop. Nothing leaves the loopback
interface."""

import base64
import json
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (assert_equal, assert_in, assert_true, free_port)

CLI_OPTIONS = ["-rpcconnect=<ip>", "-rpcport=<port>", "-rpcuser=<user>", "-rpcpassword=<pw>",
               "-rpcwait", "-rpcwaittimeout=<n>", "-rpcclienttimeout=<n>", "-named", "-stdin",
               "-datadir=<dir>", "-conf=<file>", "-regtest", "-testnet", "-devnet", "-help",
               "-version"]


class FakeRpc:
    """A JSON-RPC server that records each request and answers by method:
    echo → result = params; hello → "hello"; nothing → null;
    fail → error -32601; anything else → error -32000. When `auth` is set,
    requests without that exact Authorization header get HTTP 401."""

    def __init__(self, port=0, auth=None):
        self.requests = []
        self.auth = auth
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                outer.requests.append({"path": self.path, "headers": dict(self.headers),
                                       "body": body})
                if outer.auth and self.headers.get("Authorization") != outer.auth:
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                req = json.loads(body)
                reply = {"jsonrpc": "2.0", "id": req.get("id")}
                m = req.get("method")
                if m == "echo":
                    reply["result"] = req.get("params")
                elif m == "hello":
                    reply["result"] = "hello"
                elif m == "nothing":
                    reply["result"] = None
                elif m == "fail":
                    reply["error"] = {"code": -32601, "message": "Method not found"}
                else:
                    reply["error"] = {"code": -32000, "message": "unexpected method %s" % m}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def last(self):
        return json.loads(self.requests[-1]["body"])

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


class CliTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.start_nodes = False

    def cli(self, *args, input=None):
        return self.run_program("spectrum-cli", ["-datadir=" + self.datadir, "-regtest"] +
                                list(args), input=input)

    def run_test(self):
        self.datadir = self.scratch_dir("cli")
        os.makedirs(os.path.join(self.datadir, "regtest"))
        self.test_help_version()
        self.test_connect_error()
        self.test_requests()
        self.test_credentials_and_config()
        self.test_rpcwait()
        self.test_real_node()

    def test_help_version(self):
        self.log("-help and -version")
        r = self.run_program("spectrum-cli", ["-help"])
        assert_equal(r.returncode, 0, "-help exit code")
        assert_in("spectrum-cli [options] <method> [params...]", r.stdout)
        for opt in CLI_OPTIONS:
            assert_in("\n  %s\n" % opt, r.stdout, "spectrum-cli -help")
        assert_in("(default: 127.0.0.1)", r.stdout)
        assert_in("(default: 18545", r.stdout)
        r = self.run_program("spectrum-cli", ["-version"])
        assert_equal((r.returncode, r.stdout.splitlines()[0]), (0, "spectrum-cli version 0.1.0"))
        r = self.run_program("spectrum-cli", ["-bogus", "x"])
        assert_equal(r.returncode, 1, "unknown option exit code")
        assert_in("unknown option -bogus", r.stderr)
        r = self.cli()
        assert_equal(r.returncode, 1, "no method exit code")
        assert_in("too few parameters", r.stderr)

    def test_connect_error(self):
        self.log("no server: a clear error and exit code 1")
        port = free_port()
        r = self.cli("-rpcport=%d" % port, "getblockcount")
        assert_equal(r.returncode, 1, "connect error exit code")
        assert_in("Could not connect to the server 127.0.0.1:%d" % port, r.stderr)
        assert_in("Make sure spectrumd is running with RPC enabled", r.stderr)
        assert_equal(r.stdout, "")
        r = self.cli("-rpcconnect=not a host", "x")
        assert_equal(r.returncode, 1)
        assert_in("invalid -rpcconnect host", r.stderr)
        r = self.cli("-rpcport=0", "x")
        assert_equal(r.returncode, 1)
        assert_in("option -rpcport: '0' is not an integer from 1 to 65535", r.stderr)

    def test_requests(self):
        srv = FakeRpc()
        port = "-rpcport=%d" % srv.port
        try:
            self.log("positional parameters: JSON when they parse as JSON, else strings")
            words = ["1", "abc", '{"a":[1,2]}', "true", "null", '"quoted"', "0x10", "-5", "1.5",
                     "[", ""]
            want = [1, "abc", {"a": [1, 2]}, True, None, "quoted", "0x10", -5, 1.5, "[", ""]
            r = self.cli(port, "echo", *words)
            assert_equal(r.returncode, 0, "echo exit code (stderr %r)" % r.stderr)
            req = srv.requests[-1]
            assert_equal(req["path"], "/")
            assert_in("application/json", req["headers"].get("Content-Type", ""))
            assert_equal(srv.last(), {"jsonrpc": "2.0", "id": 1, "method": "echo",
                                      "params": want})
            assert_equal(json.loads(r.stdout), want, "result printed as JSON")
            assert_in('\n  1,\n', r.stdout)           # indented, one value per line
            assert_true("Authorization" not in req["headers"], "no credentials, no auth header")

            self.log("no parameters: an empty array")
            r = self.cli(port, "echo")
            assert_equal(srv.last()["params"], [])
            assert_equal(r.stdout, "[]\n")

            self.log("a string result is printed raw, null as nothing")
            r = self.cli(port, "hello")
            assert_equal((r.returncode, r.stdout), (0, "hello\n"))
            r = self.cli(port, "nothing")
            assert_equal((r.returncode, r.stdout), (0, ""))

            self.log("an RPC error: code and message on stderr, exit code 1")
            r = self.cli(port, "fail", "x")
            assert_equal(r.returncode, 1, "error exit code")
            assert_equal(r.stderr, "error code: -32601\nerror message:\nMethod not found\n")
            assert_equal(r.stdout, "")

            self.log("-named: name=value pairs form an object")
            r = self.cli(port, "-named", "echo", "a=1", "b=x", "c={\"d\":null}", "e=")
            assert_equal(r.returncode, 0, "named exit code (stderr %r)" % r.stderr)
            assert_equal(srv.last()["params"], {"a": 1, "b": "x", "c": {"d": None}, "e": ""})
            r = self.cli(port, "-named", "echo", "novalue")
            assert_equal(r.returncode, 1)
            assert_in("name=value", r.stderr)
            r = self.cli(port, "-named", "echo", "a=1", "a=2")
            assert_equal(r.returncode, 1)
            assert_in("given twice", r.stderr)

            self.log("-stdin: one more parameter per line")
            r = self.cli(port, "-stdin", "echo", "first", input="line one\n2\n\nlast")
            assert_equal(r.returncode, 0, "stdin exit code (stderr %r)" % r.stderr)
            assert_equal(srv.last()["params"], ["first", "line one", 2, "", "last"])
            r = self.cli(port, "-stdin", input="echo\n7\n")
            assert_equal(srv.last()["method"], "echo")
            assert_equal(srv.last()["params"], [7])
        finally:
            srv.close()

    def test_credentials_and_config(self):
        auth = basic("alice", "s3cr:et")
        srv = FakeRpc(auth=auth)
        port = "-rpcport=%d" % srv.port
        netdir = os.path.join(self.datadir, "regtest")
        try:
            self.log("-rpcuser/-rpcpassword: HTTP basic auth")
            r = self.cli(port, "-rpcuser=alice", "-rpcpassword=s3cr:et", "hello")
            assert_equal((r.returncode, r.stdout), (0, "hello\n"))
            assert_equal(srv.requests[-1]["headers"].get("Authorization"), auth)

            self.log("a wrong password: HTTP 401, exit code 1, password not echoed")
            r = self.cli(port, "-rpcuser=alice", "-rpcpassword=wrong", "hello")
            assert_equal(r.returncode, 1)
            assert_in("Authorization failed", r.stderr)
            assert_true("wrong" not in r.stderr, "password not printed")

            self.log("the cookie file <datadir>/regtest/.cookie when no password is given")
            cookie = os.path.join(netdir, ".cookie")
            with open(cookie, "w") as f:
                f.write("alice:s3cr:et\n")
            r = self.cli(port, "hello")
            assert_equal((r.returncode, r.stdout), (0, "hello\n"))
            assert_equal(srv.requests[-1]["headers"].get("Authorization"), auth)
            with open(cookie, "w") as f:
                f.write("no colon here")
            r = self.cli(port, "hello")
            assert_equal(r.returncode, 1)
            assert_in("malformed", r.stderr)
            os.unlink(cookie)

            self.log("spectrum.conf: [regtest] section, daemon options tolerated")
            with open(os.path.join(self.datadir, "spectrum.conf"), "w") as f:
                f.write("printtoconsole=1\ndebug=net\nsomefutureoption=1\nrpcport=1\n"
                        "[regtest]\nrpcport=%d\nrpcuser=alice\nrpcpassword=s3cr:et\n"
                        % srv.port)
            r = self.cli("hello")
            assert_equal((r.returncode, r.stdout), (0, "hello\n"), "config (stderr %r)" % r.stderr)
            r = self.cli("-rpcpassword=wrong", "hello")      # command line wins
            assert_equal(r.returncode, 1)
            with open(os.path.join(self.datadir, "spectrum.conf"), "w") as f:
                f.write("rpcport=abc\n")
            r = self.cli("hello")
            assert_equal(r.returncode, 1)
            assert_in("spectrum.conf:1: option 'rpcport'", r.stderr)
            os.unlink(os.path.join(self.datadir, "spectrum.conf"))
        finally:
            srv.close()

    def test_rpcwait(self):
        self.log("-rpcwait retries until the server is up")
        port = free_port()
        p = subprocess.Popen([self.binary("spectrum-cli"), "-datadir=" + self.datadir,
                              "-regtest", "-rpcport=%d" % port, "-rpcwait",
                              "-rpcwaittimeout=30", "hello"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert_true(p.poll() is None, "still waiting")
        srv = FakeRpc(port=port)
        try:
            out, err = p.communicate(timeout=self.timeout)
            assert_equal((p.returncode, out), (0, "hello\n"), "rpcwait (stderr %r)" % err)
        finally:
            srv.close()

        self.log("-rpcwaittimeout gives up")
        start = time.monotonic()
        r = self.cli("-rpcport=%d" % free_port(), "-rpcwait", "-rpcwaittimeout=1", "hello")
        assert_equal(r.returncode, 1)
        assert_in("Could not connect", r.stderr)
        assert_true(time.monotonic() - start < 10, "gave up in time")

    def test_real_node(self):
        node = self.nodes[0]
        self.log("against spectrumd: -rpcwait while the node starts, cookie found by itself")
        p = subprocess.Popen([self.binary("spectrum-cli"), "-regtest", "-datadir=" + node.datadir,
                              "-rpcport=%d" % node.rpc_port, "-rpcwait", "-rpcwaittimeout=60",
                              "uptime"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        node.start()
        out, err = p.communicate(timeout=self.timeout)
        assert_equal(p.returncode, 0, "rpcwait uptime (stderr %r)" % err)
        assert_true(out.strip().isdigit(), "uptime prints an integer: %r" % out)

        self.log("help, help <method>, web3 methods, -named")
        r = node.cli("help")
        assert_equal(r.returncode, 0, "help (stderr %r)" % r.stderr)
        for line in ("== control ==", "stop", "== web3 ==", "web3_sha3 data"):
            assert_in(line + "\n", r.stdout)
        assert_true(not r.stdout.endswith("\n\n"), "help ends with one newline")
        r = node.cli("help", "web3_sha3")
        assert_equal(r.returncode, 0)
        assert_in("Arguments:\n1. data (hex data, required)", r.stdout)
        r = node.cli("web3_clientVersion")
        assert_equal(r.returncode, 0)
        assert_true(r.stdout.startswith("spectrumd/v0.1.0/linux-"), r.stdout)
        want = "0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad\n"
        r = node.cli("web3_sha3", "0x68656c6c6f20776f726c64")
        assert_equal((r.returncode, r.stdout), (0, want))
        r = node.cli("-named", "web3_sha3", "data=0x68656c6c6f20776f726c64")
        assert_equal((r.returncode, r.stdout), (0, want))
        r = node.cli("rpc_modules")
        assert_equal(json.loads(r.stdout)["web3"], "1.0")

        self.log("errors: code and message on stderr, exit code 1")
        r = node.cli("nosuch_method")
        assert_equal(r.returncode, 1)
        assert_equal(r.stderr, "error code: -32601\nerror message:\n"
                               "the method nosuch_method does not exist/is not available\n")
        r = node.cli("web3_sha3", "zz")
        assert_equal(r.returncode, 1)
        assert_in("error code: -32602", r.stderr)
        assert_in("invalid argument 0: hex string without 0x prefix", r.stderr)
        r = node.cli("-named", "web3_sha3", "nope=1")
        assert_equal(r.returncode, 1)
        assert_in("no parameter named 'nope'", r.stderr)

        self.log("stop: the node shuts down cleanly")
        r = node.cli("stop")
        assert_equal((r.returncode, r.stdout), (0, "spectrumd stopping\n"))
        node.process.wait(timeout=self.timeout)
        assert_equal(node.process.returncode, 0, "exit code after stop")
        node.kill()
        assert_true(node.debug_log().rstrip().endswith("Shutdown: done"), "clean shutdown")
        r = node.cli("uptime")
        assert_equal(r.returncode, 1)
        assert_in("Could not connect to the server", r.stderr)


if __name__ == "__main__":
    CliTest().main()
