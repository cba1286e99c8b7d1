#!/usr/bin/env python3
"""spectrum-cli: help and version, the connection error, and the requests it
sends, checked against a small fake JSON-RPC server on 127.0.0.1 (parameters,
-named, -stdin, credentials and the config file, HTTP failures, -getinfo's
batches, formatting and errors, -rpcwait); then against a real node: help,
uptime, web3 methods, -named, error exit codes, -getinfo compared with the
node's own answers, -stdin, and stop. Nothing leaves the loopback
interface."""

import base64
import json
import os
import re
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (assert_equal, assert_in, assert_true, free_port)

CLI_OPTIONS = ["-getinfo", "-rpcconnect=<ip>", "-rpcport=<port>", "-rpcuser=<user>", "-rpcpassword=<pw>",
               "-rpcwait", "-rpcwaittimeout=<n>", "-rpcclienttimeout=<n>", "-named", "-stdin",
               "-datadir=<dir>", "-conf=<file>", "-regtest", "-testnet", "-devnet", "-help",
               "-version"]


class FakeRpc:
    """A JSON-RPC server that records each request and answers by method:
    echo → result = params; hello → "hello"; nothing → null;
    fail → error -32601; a method in self.results → that result (a callable
    is called with the params); a method in self.errors → that error;
    httpNNN → HTTP status NNN with self.http_body; anything else → error
    -32000. Batches get an array of answers, or self.batch_error when set.
    When `auth` is set, requests without that exact Authorization header get
    HTTP 401."""

    def __init__(self, port=0, auth=None):
        self.requests = []
        self.auth = auth
        self.results = {}
        self.errors = {}
        self.batch_error = None
        self.http_body = b""
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
                m = req.get("method", "") if isinstance(req, dict) else ""
                if m.startswith("http"):
                    self.send_response(int(m[4:]))
                    self.send_header("Content-Length", str(len(outer.http_body)))
                    self.end_headers()
                    self.wfile.write(outer.http_body)
                    return
                if isinstance(req, list):
                    reply = outer.batch_error or [outer.answer(r) for r in req]
                else:
                    reply = outer.answer(req)
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

    def answer(self, req):
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
        elif m in self.errors:
            reply["error"] = self.errors[m]
        elif m in self.results:
            r = self.results[m]
            reply["result"] = r(req.get("params")) if callable(r) else r
        else:
            reply["error"] = {"code": -32000, "message": "unexpected method %s" % m}
        return reply

    def last(self):
        return json.loads(self.requests[-1]["body"])

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def smt(wei):
    """wei as spectrum-cli prints SMT: exact, 18 decimals, no trailing zeros."""
    whole, frac = divmod(wei, 10 ** 18)
    frac = ("%018d" % frac).rstrip("0")
    return "%d.%s" % (whole, frac) if frac else "%d" % whole


def getinfo_lines(out):
    """-getinfo output as ({"Key": "value"}, [(address, balance text)])."""
    fields, accounts = {}, []
    for line in out.splitlines():
        if line.startswith("  0x"):
            addr, bal = line.split()[:2]
            accounts.append((addr, bal))
        elif ": " in line:
            k, v = line.split(": ", 1)
            fields[k] = v
    return fields, accounts


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
        self.test_http_errors()
        self.test_getinfo_fake()
        self.test_rpcwait()
        self.test_real_node()

    def test_help_version(self):
        self.log("-help and -version")
        r = self.run_program("spectrum-cli", ["-help"])
        assert_equal(r.returncode, 0, "-help exit code")
        assert_in("spectrum-cli [options] <method> [params...]", r.stdout)
        for usage in ("spectrum-cli [options] -named <method> [name=value...]",
                      "spectrum-cli [options] -getinfo", "spectrum-cli [options] help [method]"):
            assert_in(usage, r.stdout)
        assert_in("Exit status: 0 when the node returned a result; 1 when", r.stdout)
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

            self.log("-testnet: the cookie of <datadir>/testnet; two networks are refused")
            os.makedirs(os.path.join(self.datadir, "testnet"), exist_ok=True)
            tcookie = os.path.join(self.datadir, "testnet", ".cookie")
            with open(tcookie, "w") as f:
                f.write("alice:s3cr:et\n")
            r = self.run_program("spectrum-cli", ["-datadir=" + self.datadir, "-testnet", port,
                                                  "hello"])
            assert_equal((r.returncode, r.stdout), (0, "hello\n"), "testnet (stderr %r)"
                         % r.stderr)
            assert_equal(srv.requests[-1]["headers"].get("Authorization"), auth)
            os.unlink(tcookie)
            r = self.cli("-testnet", port, "hello")
            assert_equal((r.returncode, r.stdout), (1, ""), "-regtest and -testnet together")
            assert_in("-regtest", r.stderr)

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

    def test_http_errors(self):
        srv = FakeRpc()
        port = "-rpcport=%d" % srv.port
        try:
            self.log("HTTP failures: exit code 1 and what the status means")
            for status, text in ((403, "not in its -rpcallowip"),
                                 (413, "larger than the server's -rpcmaxrequestsize"),
                                 (503, "the server is shutting down")):
                r = self.cli(port, "http%d" % status)
                assert_equal((r.returncode, r.stdout), (1, ""), "HTTP %d" % status)
                assert_in(text, r.stderr, "HTTP %d" % status)
            srv.http_body = b"upstream exploded"
            r = self.cli(port, "http502")
            assert_equal(r.returncode, 1)
            assert_equal(r.stderr, "error: server returned HTTP status 502: upstream exploded\n")
            srv.http_body = b"\x00\x01binary"
            r = self.cli(port, "http500")
            assert_equal(r.stderr, "error: server returned HTTP status 500\n", "binary not echoed")

            self.log("HTTP 401 without any credentials says that none were found")
            srv.auth = basic("alice", "pw")
            r = self.cli(port, "hello")
            assert_equal(r.returncode, 1)
            assert_in("Authorization failed: the request needs credentials and none were found",
                      r.stderr)
            assert_in(os.path.join(self.datadir, "regtest", ".cookie"), r.stderr)

            self.log("-stdin with -named: name=value lines, and secrets stay off argv")
            srv.auth = None
            r = self.cli(port, "-named", "-stdin", "echo", input="a=1\nb=two\n")
            assert_equal(r.returncode, 0, "stdin named (stderr %r)" % r.stderr)
            assert_equal(srv.last()["params"], {"a": 1, "b": "two"})
            r = self.cli(port, "-stdin", input="")
            assert_equal(r.returncode, 1, "empty stdin and no method")
            assert_in("too few parameters", r.stderr)
            r = self.cli(port, "-stdin", "echo", input="a\0b")
            assert_equal(r.returncode, 1)
            assert_in("NUL", r.stderr)
        finally:
            srv.close()

    def getinfo_server(self, accounts, balances, head_time, port=0):
        srv = FakeRpc(port=port)
        srv.results.update({
            "eth_chainId": "0x53504543",
            "net_version": "1397769539",
            "eth_blockNumber": "0x1a",
            "eth_getBlockByNumber": {"number": "0x1a", "hash": "0x" + "ab" * 32,
                                     "timestamp": hex(head_time), "miner": "0x" + "00" * 20},
            "net_peerCount": "0x3",
            "eth_syncing": False,
            "eth_coinbase": "0x" + "5f" * 20,
            "eth_accounts": accounts,
            "eth_getBalance": lambda p: hex(balances[p[0]]),
        })
        return srv

    def test_getinfo_fake(self):
        netdir = os.path.join(self.datadir, "regtest")
        cookie = os.path.join(netdir, ".cookie")
        node_addr = "0x" + "5f" * 20
        accounts = ["0x%040x" % (i + 1) for i in range(5)]
        values = [0, 1, 10 ** 18, 15 * 10 ** 17, 2 ** 256 - 1]
        balances = dict(zip(accounts, values))
        balances[node_addr] = 1000035000378 * 10 ** 12
        head_time = 1700000000
        srv = self.getinfo_server(accounts, balances, head_time)
        port = "-rpcport=%d" % srv.port
        try:
            self.log("-getinfo without credentials: one batch of public calls, no wallet")
            days = [(int(time.time()) - head_time) // 86400]
            r = self.cli(port, "-getinfo")
            days.append((int(time.time()) - head_time) // 86400)
            assert_equal(r.returncode, 0, "getinfo (stderr %r)" % r.stderr)
            first = json.loads(srv.requests[-2]["body"])
            assert_equal([c["method"] for c in first],
                         ["eth_chainId", "net_version", "eth_blockNumber", "eth_getBlockByNumber",
                          "net_peerCount", "eth_syncing", "eth_coinbase"])
            assert_equal(first[3]["params"], ["latest", False])
            second = srv.last()
            assert_equal([(c["method"], c["params"]) for c in second],
                         [("eth_getBalance", [node_addr, "0x1a"])],
                         "balance at the head shown, not at latest")
            lines = r.stdout.splitlines()
            assert_equal(lines[:9], [
                "Chain: regtest (chain id 1397769539, network id 1397769539)",
                "Blocks: 26",
                "Head: 0x%s (block 26)" % ("ab" * 32),
                lines[3],
                "Peers: 3",
                "Sync: synced",
                "Node address: " + node_addr,
                "Node balance: 1000035.000378 SMT",
                "Wallet: not shown (no credentials: no -rpcpassword, and no cookie file)"])
            assert_true(lines[3] in ["Head time: 2023-11-14 22:13:20 UTC (%d days ago)" % d
                                     for d in days], lines[3])
            assert_equal(len(lines), 9)

            self.log("-getinfo with credentials: the wallet's balances, exact in SMT")
            with open(cookie, "w") as f:
                f.write("__cookie__:abc\n")
            r = self.cli(port, "-getinfo")
            assert_equal(r.returncode, 0, "getinfo (stderr %r)" % r.stderr)
            assert_equal(json.loads(srv.requests[-2]["body"])[-1]["method"], "eth_accounts")
            assert_equal([c["params"] for c in srv.last()],
                         [[a, "0x1a"] for a in [node_addr] + accounts])
            fields, listed = getinfo_lines(r.stdout)
            assert_equal(fields["Wallet"], "5 accounts")
            assert_equal(listed, [(a, smt(balances[a])) for a in accounts])
            assert_equal([b for _, b in listed], [
                "0", "0.000000000000000001", "1", "1.5",
                "115792089237316195423570985008687907853269984665640564039457.584007913129639935"])
            assert_in("  0x0000000000000000000000000000000000000002  0.000000000000000001 SMT\n",
                      r.stdout)

            self.log("-getinfo: sync progress, network names, head in the future")
            srv.results["eth_syncing"] = {"startingBlock": "0x0", "currentBlock": "0x1a0b",
                                          "highestBlock": "0x2710"}
            srv.results["eth_chainId"] = hex(20180430)
            srv.results["eth_accounts"] = []
            srv.results["eth_getBlockByNumber"]["timestamp"] = hex(int(time.time()) + 1000)
            r = self.cli(port, "-getinfo")
            fields, _ = getinfo_lines(r.stdout)
            assert_equal(fields["Sync"], "66.67% (block 6667 of 10000)")
            assert_equal(fields["Chain"], "mainnet (chain id 20180430, network id 1397769539)")
            assert_equal(fields["Wallet"], "no accounts")
            assert_true(re.search(r"\((99[5-9]|1000) s in the future\)$", fields["Head time"]),
                        fields["Head time"])
            srv.results["eth_syncing"]["currentBlock"] = "0x2710"
            srv.results["eth_chainId"] = "0x1"
            r = self.cli(port, "-getinfo")
            fields, _ = getinfo_lines(r.stdout)
            assert_equal(fields["Sync"], "100.00% (block 10000 of 10000)")
            assert_equal(fields["Chain"], "unknown network (chain id 1, network id 1397769539)")

            self.log("-getinfo lists 100 accounts at most, in one balance batch")
            many = ["0x%040x" % (0x1000 + i) for i in range(101)]
            srv.results["eth_accounts"] = many
            balances.update({a: i for i, a in enumerate(many)})
            r = self.cli(port, "-getinfo")
            assert_equal(r.returncode, 0, "getinfo (stderr %r)" % r.stderr)
            assert_equal(len(srv.last()), 101)
            fields, listed = getinfo_lines(r.stdout)
            assert_equal(fields["Wallet"], "101 accounts")
            assert_equal(listed, [(a, smt(i)) for i, a in enumerate(many[:100])])
            assert_true(r.stdout.endswith("  ... and 1 more (eth_accounts lists them all)\n"),
                        r.stdout[-80:])
            srv.results["eth_accounts"] = accounts

            self.log("-getinfo errors: the server's text, exit code 1, nothing on stdout")
            srv.errors["eth_syncing"] = {"code": -32601, "message":
                                         "the method eth_syncing does not exist/is not available"}
            r = self.cli(port, "-getinfo")
            assert_equal((r.returncode, r.stdout), (1, ""))
            assert_equal(r.stderr, "error: -getinfo: eth_syncing failed\nerror code: -32601\n"
                                   "error message:\nthe method eth_syncing does not "
                                   "exist/is not available\n")
            del srv.errors["eth_syncing"]
            srv.errors["eth_getBalance"] = {"code": -32000, "message": "header not found"}
            r = self.cli(port, "-getinfo")
            assert_equal((r.returncode, r.stdout), (1, ""))
            assert_in("eth_getBalance failed\nerror code: -32000\nerror message:\n"
                      "header not found\n", r.stderr)
            del srv.errors["eth_getBalance"]
            srv.batch_error = {"jsonrpc": "2.0", "id": None,
                               "error": {"code": -32600, "message": "batch too large"}}
            r = self.cli(port, "-getinfo")
            assert_equal((r.returncode, r.stdout), (1, ""))
            assert_in("error code: -32600\nerror message:\nbatch too large\n", r.stderr)
            srv.batch_error = None
            for method, bad in (("eth_chainId", "53504543"), ("eth_coinbase", "0x12"),
                                ("eth_blockNumber", None), ("net_version", "0x1")):
                good = srv.results[method]
                srv.results[method] = bad
                r = self.cli(port, "-getinfo")
                assert_equal((r.returncode, r.stdout), (1, ""), method)
                assert_equal(r.stderr, "error: -getinfo: the node's answer to %s is "
                                       "malformed\n" % method)
                srv.results[method] = good
            srv.auth = basic("__cookie__", "other")
            r = self.cli(port, "-getinfo")
            assert_equal(r.returncode, 1)
            assert_in("Authorization failed: incorrect rpcuser or rpcpassword", r.stderr)
            srv.auth = None
            r = self.cli(port, "-getinfo", "extra")
            assert_equal(r.returncode, 1)
            assert_in("-getinfo takes no method or parameters", r.stderr)
            os.unlink(cookie)
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

        self.log("-getinfo -rpcwait waits too")
        port = free_port()
        p = subprocess.Popen([self.binary("spectrum-cli"), "-datadir=" + self.datadir,
                              "-regtest", "-rpcport=%d" % port, "-rpcwait",
                              "-rpcwaittimeout=30", "-getinfo"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert_true(p.poll() is None, "still waiting")
        addr = "0x" + "5f" * 20
        srv = self.getinfo_server([], {addr: 7}, int(time.time()), port=port)
        try:
            out, err = p.communicate(timeout=self.timeout)
            assert_equal(p.returncode, 0, "getinfo rpcwait (stderr %r)" % err)
            assert_in("\nNode balance: 0.000000000000000007 SMT\n", out)
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
        want_sha3 = "0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad\n"
        r = node.cli("web3_sha3", "0x68656c6c6f20776f726c64")
        assert_equal((r.returncode, r.stdout), (0, want_sha3))
        r = node.cli("-named", "web3_sha3", "data=0x68656c6c6f20776f726c64")
        assert_equal((r.returncode, r.stdout), (0, want_sha3))
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

        self.log("-getinfo against spectrumd: the node's own values, balances exact")
        accounts = node.rpc("eth_accounts")
        node.rpc("eth_sendTransaction", {"from": accounts[0], "to": accounts[1],
                                         "value": "0x1"})
        r = node.cli("-getinfo")
        assert_equal(r.returncode, 0, "getinfo (stderr %r)" % r.stderr)
        fields, listed = getinfo_lines(r.stdout)
        head = node.rpc("eth_getBlockByNumber", "latest", False)
        number = int(head["number"], 16)
        assert_true(number >= 1, "the transaction made a block")
        assert_equal(fields["Chain"], "regtest (chain id 1397769539, network id 1397769539)")
        assert_equal(fields["Blocks"], str(int(node.rpc("eth_blockNumber"), 16)))
        assert_equal(fields["Head"], "%s (block %d)" % (head["hash"], number))
        age = int(time.time()) - int(head["timestamp"], 16)
        assert_true(re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \((\d+) s ago\)$",
                             fields["Head time"]) and age < 120, fields["Head time"])
        assert_equal((fields["Peers"], fields["Sync"]), ("0", "synced"))
        coinbase = node.rpc("eth_coinbase")
        assert_equal(fields["Node address"], coinbase)
        assert_equal(fields["Node balance"],
                     smt(int(node.rpc("eth_getBalance", coinbase, head["number"]), 16)) + " SMT")
        assert_equal(fields["Wallet"], "%d accounts" % len(accounts))
        want = [(a, smt(int(node.rpc("eth_getBalance", a, head["number"]), 16)))
                for a in accounts]
        assert_equal(listed, want)
        assert_true(listed[1][1].endswith(".000000000000000001"), "1 wei shows: %r" % (listed[1],))

        self.log("-getinfo without credentials, and with wrong ones")
        r = node.cli("-getinfo", "-rpccookiefile=nosuchfile")
        assert_equal(r.returncode, 0, "getinfo without credentials (stderr %r)" % r.stderr)
        fields, listed = getinfo_lines(r.stdout)
        assert_equal((fields["Wallet"], listed),
                     ("not shown (no credentials: no -rpcpassword, and no cookie file)", []))
        r = node.cli("-getinfo", "-rpcpassword=wrong")
        assert_equal((r.returncode, r.stdout), (1, ""))
        assert_in("Authorization failed: incorrect rpcuser or rpcpassword", r.stderr)
        r = node.cli("-rpccookiefile=nosuchfile", "uptime")
        assert_equal(r.returncode, 1, "a private method without credentials")
        assert_in("needs credentials and none were found (no -rpcpassword, and no cookie file "
                  + os.path.join(node.netdir, "nosuchfile") + ")", r.stderr)
        r = node.cli("-rpccookiefile=nosuchfile", "eth_chainId")
        assert_equal((r.returncode, r.stdout), (0, "0x53504543\n"), "public without credentials")

        self.log("-stdin and -named against spectrumd; JSON and word parameters")
        r = node.cli("-stdin", "web3_sha3", input="0x68656c6c6f20776f726c64\n")
        assert_equal((r.returncode, r.stdout), (0, want_sha3))
        r = node.cli("-named", "-stdin", input="web3_sha3\ndata=0x68656c6c6f20776f726c64\n")
        assert_equal((r.returncode, r.stdout), (0, want_sha3))
        r = node.cli("eth_getBlockByNumber", "0x1", "false")
        assert_equal(r.returncode, 0, "JSON false and word 0x1 (stderr %r)" % r.stderr)
        assert_equal(json.loads(r.stdout)["hash"], node.rpc("eth_getBlockByNumber", "0x1",
                                                             False)["hash"])
        r = node.cli("eth_getBalance", accounts[1], "latest")
        assert_equal((r.returncode, r.stdout.strip()),
                     (0, node.rpc("eth_getBalance", accounts[1], "latest")))

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
        r = node.cli("-getinfo")
        assert_equal((r.returncode, r.stdout), (1, ""))
        assert_in("Could not connect to the server", r.stderr)


if __name__ == "__main__":
    CliTest().main()
