#!/usr/bin/env python3
"""RPC authentication: the cookie file (created 0600 at start, new each
start, removed at shutdown), -rpcuser/-rpcpassword, -rpcauth (HMAC-SHA256 as
bitcoind's rpcauth.py makes it), -rpccookiefile; which methods need
credentials (everything outside eth_/net_/web3_, and unknown private names
look exactly like existing ones); 401 without a body for wrong credentials;
no secret in debug.log; spectrum-cli finding the cookie by itself."""

import hmac
import json
import os
import secrets
import signal
import stat
import time

from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (AssertionFailure, assert_equal, assert_in, assert_not_in,
                                 assert_true, wait_until)

COOKIE_USER = "__cookie__"


def req(method, params=None, id=1):
    r = {"jsonrpc": "2.0", "method": method, "params": params or []}
    if id is not None:
        r["id"] = id
    return r


def rpcauth_line(user, password):
    """What bitcoind's share/rpcauth/rpcauth.py prints, made independently."""
    salt = secrets.token_hex(16)
    mac = hmac.new(salt.encode(), password.encode(), "sha256").hexdigest()
    return "%s:%s$%s" % (user, salt, mac)


class RpcAuthTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.start_nodes = False

    def run_test(self):
        self.node = self.nodes[0]
        self.test_cookie_file()
        self.test_access_rules()
        self.test_wrong_credentials()
        self.test_password_and_rpcauth()
        self.test_cookiefile_option()
        self.test_bad_options()

    def status(self, payload, auth=True, **kw):
        status, headers, body = self.node.http(payload, auth=auth, **kw)
        return status, headers, body

    def test_cookie_file(self):
        n = self.node
        self.log("the cookie: __cookie__:<64 hex>, mode 0600, new at every start")
        n.start()
        st = os.stat(n.cookie_path)
        assert_equal(stat.S_IMODE(st.st_mode), 0o600, "cookie mode")
        first = n.cookie()
        user, _, pw = first.partition(":")
        assert_equal(user, COOKIE_USER)
        assert_true(len(pw) == 64 and all(c in "0123456789abcdef" for c in pw),
                    "64 hex digits: %r" % pw)
        assert_true(not os.path.exists(n.cookie_path + ".tmp"), "no temporary file left")
        assert_in("help", n.rpc("help"))
        self.log("removed at shutdown (SIGTERM)")
        n.stop()
        assert_true(n.cookie() is None, "cookie removed")
        n.start()
        assert_true(n.cookie() != first, "a new password at each start")
        old = n.cookie()
        assert_equal(self.status(req("uptime"), auth=first)[0], 401, "the old cookie is void")
        self.log("after a crash the stale cookie is replaced at the next start")
        n.process.send_signal(signal.SIGKILL)
        n.process.wait()
        n.kill()
        assert_equal(n.cookie(), old, "stale cookie left by the crash")
        n.start()
        assert_true(n.cookie() not in (old, None), "fresh cookie")
        self.log("`stop` over RPC removes it too")
        r = n.cli("stop")
        assert_equal((r.returncode, r.stdout), (0, "spectrumd stopping\n"))
        n.process.wait(timeout=self.timeout)
        assert_equal(n.process.returncode, 0)
        n.kill()
        assert_true(n.cookie() is None, "cookie removed after stop")
        log = n.debug_log()
        assert_in("RPC stop requested, shutting down", log)
        assert_true(log.rstrip().endswith("Shutdown: done"), "clean shutdown after stop")

    def test_access_rules(self):
        n = self.node
        n.start()
        self.log("eth_/net_/web3_ are public; other names need credentials (401, no body)")
        for m in ("web3_clientVersion", "net_version", "net_peerCount"):
            status, _, body = self.status(req(m), auth=False)
            assert_equal(status, 200, m)
            assert_true("result" in json.loads(body), m)
        status, _, body = self.status(req("eth_nosuchmethod"), auth=False)
        assert_equal((status, json.loads(body)["error"]["code"]), (200, -32601))
        for m in ("help", "stop", "uptime", "rpc_modules", "test_sleep", "admin_peers",
                  "personal_listAccounts", "debug_traceTransaction", "channel_open",
                  "miner_start", "nosuchmethod", "eth", "web3", "Eth_blockNumber"):
            status, headers, body = self.status(req(m), auth=False)
            assert_equal((status, body), (401, b""), "unauthenticated %s" % m)
            assert_in("Basic", headers.get("www-authenticate", ""))
        self.log("one private call makes the whole batch 401, notifications included")
        status, _, body = self.status([req("net_version"), req("uptime", id=2)], auth=False)
        assert_equal((status, body), (401, b""))
        status, _, body = self.status(req("stop", id=None), auth=False)
        assert_equal((status, body), (401, b""))
        assert_true(n.running(), "an unauthenticated stop did nothing")
        self.log("with the cookie every method is reachable")
        status, _, body = self.status([req("net_version"), req("uptime", id=2)])
        assert_equal(status, 200)
        assert_equal(len(json.loads(body)), 2)
        status, _, body = self.status(req("admin_nosuchmethod"))
        assert_equal(json.loads(body)["error"]["code"], -32601, "authenticated: honest -32601")

    def test_wrong_credentials(self):
        n = self.node
        self.log("wrong or malformed credentials: 401 for every method, after a delay")
        pw = n.cookie().partition(":")[2]
        for auth_header in ("Basic " + __import__("base64").b64encode(b"__cookie__:wrong").decode(),
                            "Basic " + __import__("base64").b64encode(
                                ("nobody:" + pw).encode()).decode(),
                            "Basic " + __import__("base64").b64encode(b"nocolon").decode(),
                            "Basic !!!notbase64", "Bearer abc", "Basic"):
            t0 = time.monotonic()
            status, headers, body = self.status(req("web3_clientVersion"), auth=False,
                                                headers={"Authorization": auth_header})
            took = time.monotonic() - t0
            assert_equal((status, body), (401, b""), "header %r" % auth_header)
            assert_true(took >= 0.2, "401 delayed (%.3f s)" % took)
        log = n.debug_log()
        assert_in("RPC: wrong credentials from 127.0.0.1", log)
        assert_not_in(pw, log, "the cookie password is never logged")
        self.log("spectrum-cli finds the cookie; a wrong password fails with exit code 1")
        r = n.cli("uptime")
        assert_equal(r.returncode, 0, "cli uptime (stderr %r)" % r.stderr)
        r = n.cli("-rpcuser=__cookie__", "-rpcpassword=wrong", "uptime")
        assert_equal(r.returncode, 1)
        assert_in("Authorization failed", r.stderr)
        n.stop()

    def test_password_and_rpcauth(self):
        n = self.node
        self.log("-rpcuser/-rpcpassword: no cookie; only that password works")
        n.start(["-rpcuser=alice", "-rpcpassword=s3cr:et pass"])
        assert_true(n.cookie() is None, "no cookie with -rpcpassword")
        assert_equal(self.status(req("uptime"), auth="alice:s3cr:et pass")[0], 200)
        assert_equal(self.status(req("uptime"), auth="alice:s3cr:et")[0], 401)
        assert_equal(self.status(req("uptime"), auth="bob:s3cr:et pass")[0], 401)
        r = n.cli("-rpcuser=alice", "-rpcpassword=s3cr:et pass", "uptime")
        assert_equal(r.returncode, 0, "cli with password (stderr %r)" % r.stderr)
        r = n.cli("uptime")
        assert_equal(r.returncode, 1, "cli without credentials")
        assert_not_in("s3cr:et", n.debug_log(), "password never logged")
        n.stop()

        self.log("-rpcauth: HMAC-SHA256 entries (several users), the cookie still works")
        bob, carol = rpcauth_line("bob", "bob's password"), rpcauth_line("carol", "c")
        n.start(["-rpcauth=" + bob, "-rpcauth=" + carol])
        assert_equal(self.status(req("uptime"), auth="bob:bob's password")[0], 200)
        assert_equal(self.status(req("uptime"), auth="carol:c")[0], 200)
        assert_equal(self.status(req("uptime"), auth="carol:bob's password")[0], 401)
        assert_equal(self.status(req("uptime"), auth="bob:bob's passwor")[0], 401)
        assert_equal(self.status(req("uptime"))[0], 200, "cookie alongside -rpcauth")
        r = n.cli("-rpcuser=bob", "-rpcpassword=bob's password", "web3_clientVersion")
        assert_equal(r.returncode, 0)
        assert_true(r.stdout.startswith("spectrumd/v0.1.0/"), r.stdout)
        n.stop()

    def test_cookiefile_option(self):
        n = self.node
        self.log("-rpccookiefile: relative to the network directory, or absolute")
        n.start(["-rpccookiefile=sub.cookie"])
        path = os.path.join(n.netdir, "sub.cookie")
        assert_true(os.path.exists(path) and not os.path.exists(n.cookie_path), "custom cookie")
        with open(path) as f:
            userpass = f.read().strip()
        assert_equal(self.status(req("uptime"), auth=userpass)[0], 200)
        r = n.cli("-rpccookiefile=sub.cookie", "uptime")
        assert_equal(r.returncode, 0, "cli -rpccookiefile (stderr %r)" % r.stderr)
        n.stop()
        assert_true(not os.path.exists(path), "custom cookie removed")
        absolute = os.path.join(self.options.tmpdir, "abs.cookie")
        n.start(["-rpccookiefile=" + absolute])
        assert_true(os.path.exists(absolute), "absolute cookie path")
        n.stop()
        assert_true(not os.path.exists(absolute), "absolute cookie removed")

    def test_bad_options(self):
        n = self.node
        self.log("bad credentials options stop the start, without echoing secrets")
        n.assert_start_fails(["-rpcpassword=x"], "-rpcpassword needs -rpcuser")
        for bad in ("alice", "alice:salt", "alice:salt$zz", ":salt$" + "00" * 32,
                    "alice:$" + "00" * 32):
            r = n.assert_start_fails(["-rpcauth=" + bad], "-rpcauth")
            assert_not_in("$zz", r.stderr)
        n.assert_start_fails(["-rpcuser=a:b", "-rpcpassword=x"], "-rpcuser cannot contain ':'")
        assert_true(n.cookie() is None, "no cookie after failed starts")


if __name__ == "__main__":
    RpcAuthTest().main()
