#!/usr/bin/env python3
"""The JSON-RPC server: JSON-RPC 2.0 over HTTP (methods, errors, batches,
notifications), the HTTP layer (methods, content type, size limit, CORS,
keep-alive under 200 concurrent clients with no descriptor leak), worker
threads and the per-request time limit, the connection limit, -rpcallowip,
-rpcapi, the WebSocket server (handshake, frames, subscriptions) and start-up
errors. Every node binds loopback only."""

import http.client
import json
import os
import re
import socket
import struct
import threading
import time

from test_framework.test_framework import SpectrumTestFramework
from test_framework.test_node import JSONRPCException
from test_framework.util import (AssertionFailure, assert_equal, assert_in, assert_not_in,
                                 assert_true, free_port, wait_until)
from test_framework import ws as wsc

# The Ethereum JSON-RPC specification's example for web3_sha3 ("hello world").
HELLO = "0x68656c6c6f20776f726c64"
HELLO_KECCAK = "0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad"
# Regtest's devp2p network id (src/chain/params.c, "SPEC").
REGTEST_NETWORK_ID = "1397769539"

RPC_OPTIONS = ["-rpc", "-rpcbind=<addr>[:port]", "-rpcport=<port>", "-rpcallowip=<ip>",
               "-rpcuser=<user>", "-rpcpassword=<pw>", "-rpcauth=<user>:<salt>$<hash>",
               "-rpccookiefile=<file>", "-rpcthreads=<n>", "-rpcapi=<namespace>",
               "-rpccorsdomain=<origin>", "-rpcmaxrequestsize=<bytes>", "-rpcmaxbatch=<n>",
               "-rpctimeout=<seconds>", "-rpcmaxconnections=<n>", "-ws", "-wsport=<port>",
               "-wsbind=<addr>[:port]"]


def req(method, params=None, id=1):
    r = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        r["params"] = params
    if id is not None:
        r["id"] = id
    return r


class RpcServerTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.start_nodes = False

    def run_test(self):
        self.node = self.nodes[0]
        self.node.start()
        self.test_help_lists_options()
        self.test_public_methods()
        self.test_jsonrpc_errors()
        self.test_batches_and_notifications()
        self.test_http_layer()
        self.test_workers_and_timeout()
        self.test_keepalive_load()
        self.test_websocket()
        self.test_subscriptions()
        self.node.stop()
        self.test_limits()
        self.test_connection_limit()
        self.test_allowip_and_cors()
        self.test_rpcapi()
        self.test_startup_errors()

    # ------------------------------------------------------------------
    def test_help_lists_options(self):
        self.log("-help lists every RPC server option")
        r = self.run_program("spectrumd", ["-help"])
        assert_equal(r.returncode, 0)
        assert_in("RPC server options:", r.stdout)
        for opt in RPC_OPTIONS:
            assert_in("\n  %s\n" % opt, r.stdout, "spectrumd -help")

    def test_public_methods(self):
        n = self.node
        self.log("web3_ and net_ methods without credentials")
        v = n.rpc("web3_clientVersion", auth=False)
        assert_true(re.fullmatch(r"spectrumd/v0\.1\.0/linux-(amd64|arm64)/(gcc|clang)", v),
                    "client version %r" % v)
        assert_equal(n.rpc("web3_sha3", HELLO, auth=False), HELLO_KECCAK)
        assert_equal(n.rpc("web3_sha3", "0x", auth=False),
                     "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        assert_equal(n.rpc("net_version", auth=False), REGTEST_NETWORK_ID)
        assert_equal(n.rpc("net_peerCount", auth=False), "0x0")
        assert_equal(n.rpc("net_listening", auth=False), False)

        self.log("invalid params name the argument (geth's messages)")
        for params, msg in ((["0x123"], "invalid argument 0: hex string of odd length"),
                            (["1234"], "invalid argument 0: hex string without 0x prefix"),
                            (["0xzz"], "invalid argument 0: invalid hex string"),
                            ([5], "invalid argument 0: json: cannot unmarshal non-string"),
                            ([], "missing value for required argument 0"),
                            ([HELLO, 1], "too many arguments, want at most 1")):
            e = self.rpc_error(n, "web3_sha3", *params)
            assert_equal(e.code, -32602)
            assert_in(msg, e.message)
        e = self.rpc_error(n, "web3_clientVersion", 1)
        assert_equal((e.code, e.message), (-32602, "too many arguments, want at most 0"))
        self.log("trailing nulls count as absent; named params map onto the table's names")
        assert_equal(n.rpc("web3_sha3", HELLO, None), HELLO_KECCAK)
        reply = n.rpc_raw(req("web3_sha3", {"data": HELLO}))
        assert_equal(reply["result"], HELLO_KECCAK)
        reply = n.rpc_raw(req("web3_sha3", {"input": HELLO}))
        assert_equal(reply["error"]["code"], -32602)
        assert_in("no parameter named 'input'", reply["error"]["message"])

        self.log("control methods with the cookie: help, uptime, rpc_modules")
        text = n.rpc("help")
        for m in ("help", "stop", "uptime", "rpc_modules", "web3_clientVersion", "web3_sha3 data",
                  "net_version", "eth_subscribe kind ( options )", "test_sleep ms"):
            assert_in(m, text)
        one = n.rpc("help", "web3_sha3")
        assert_in("Keccak-256", one)
        assert_in("1. data (hex data, required)", one)
        assert_in("Access: public", one)
        assert_in("Access: needs credentials", n.rpc("help", "stop"))
        e = self.rpc_error(n, "help", "nosuch_method")
        assert_equal(e.code, -32602)
        up = n.rpc("uptime")
        assert_true(isinstance(up, int) and 0 <= up < 600, "uptime %r" % up)
        modules = n.rpc("rpc_modules")
        for ns in ("control", "debug", "eth", "net", "txpool", "web3", "test", "admin",
                   "personal", "relay"):
            assert_equal(modules.get(ns), "1.0", "rpc_modules has %s" % ns)
        assert_true(all(v == "1.0" for v in modules.values()), "rpc_modules versions %r" % modules)

    def rpc_error(self, node, method, *params, auth=True):
        try:
            node.rpc(method, *params, auth=auth)
        except JSONRPCException as e:
            return e
        raise AssertionFailure("%s%r did not fail" % (method, params))

    def test_jsonrpc_errors(self):
        n = self.node
        self.log("-32700 parse error, id null")
        for body in (b"{", b"not json", b"", b"\xff\xfe", b'{"jsonrpc":"2.0",}'):
            status, _, data = n.http(body)
            assert_equal(status, 200, "parse error status")
            r = json.loads(data)
            assert_equal((r["id"], r["error"]["code"]), (None, -32700), repr(body))
            assert_in("parse error", r["error"]["message"])

        self.log("-32600 invalid request")
        for bad in (1, "x", None, True, {"jsonrpc": "2.0"}, {"jsonrpc": "1.0", "method": "x", "id": 1},
                    {"method": "web3_clientVersion", "id": 1},
                    {"jsonrpc": "2.0", "method": 5, "id": 1},
                    {"jsonrpc": "2.0", "method": "web3_clientVersion", "id": [1]},
                    {"jsonrpc": "2.0", "method": "web3_clientVersion", "id": {"a": 1}}):
            r = n.rpc_raw(json.dumps(bad))
            assert_equal(r["error"]["code"], -32600, "invalid request %r" % (bad,))
        r = n.rpc_raw({"jsonrpc": "1.0", "method": "x", "id": 7})
        assert_equal(r["id"], 7, "a valid id is echoed in the error")

        self.log("-32601 as geth words it; ids of any JSON type are echoed")
        r = n.rpc_raw(req("eth_nosuchmethod", [], id="abc"))
        assert_equal(r, {"jsonrpc": "2.0", "id": "abc", "error": {
            "code": -32601, "message": "the method eth_nosuchmethod does not exist/is not available"}})
        for id_ in (0, -1, 1.5, "", None, 12345678901234):
            r = n.rpc_raw({"jsonrpc": "2.0", "id": id_, "method": "web3_clientVersion"})
            assert_equal(r["id"], id_, "id echo")
            assert_true("result" in r, "result for id %r" % (id_,))
        self.log("-32602 for params that are neither array nor object")
        r = n.rpc_raw(req("web3_clientVersion", "x"))
        assert_equal((r["error"]["code"], r["error"]["message"]), (-32602, "non-array args"))

    def test_batches_and_notifications(self):
        n = self.node
        self.log("batches: each element answered in order, invalid ones included")
        batch = [req("web3_sha3", [HELLO], id=1), req("nosuch_x", id=2, params=[]),
                 req("web3_clientVersion", id=None), 42, req("net_version", id=3)]
        r = n.rpc_raw(batch)
        assert_equal(len(r), 4, "notification not answered: %r" % r)
        assert_equal(r[0]["result"], HELLO_KECCAK)
        assert_equal(r[1]["error"]["code"], -32601)
        assert_equal((r[2]["id"], r[2]["error"]["code"]), (None, -32600))
        assert_equal(r[3]["result"], REGTEST_NETWORK_ID)

        self.log("empty batch: one error object, not an array")
        r = n.rpc_raw([])
        assert_equal(r, {"jsonrpc": "2.0", "id": None,
                         "error": {"code": -32600, "message": "empty batch"}})

        self.log("notifications only: HTTP 204 with no body")
        status, _, data = n.http(req("web3_clientVersion", id=None))
        assert_equal((status, data), (204, b""))
        status, _, data = n.http([req("web3_clientVersion", id=None), req("net_version", id=None)])
        assert_equal((status, data), (204, b""))
        self.log("a notification of an unknown method is not answered either")
        status, _, data = n.http(req("eth_nope", id=None))
        assert_equal((status, data), (204, b""))

        self.log("a batch of 1000 (the default maximum) is answered in full")
        r = n.rpc_raw([req("web3_sha3", ["0x%02x" % (i % 256)], id=i) for i in range(1000)])
        assert_equal([x["id"] for x in r], list(range(1000)))
        r = n.rpc_raw([req("web3_clientVersion", id=i) for i in range(1001)])
        assert_equal(r["error"], {"code": -32600, "message": "batch too large"})

    def test_http_layer(self):
        n = self.node
        self.log("HTTP: only POST (405), JSON only (415), any path, keep-alive")
        status, h, _ = n.http(b"", method="GET")
        assert_equal(status, 405)
        assert_in("POST", h.get("allow", ""))
        for ct in ("text/plain", "application/x-www-form-urlencoded", None, "application/jsonx"):
            status, _, _ = n.http(req("web3_clientVersion"), headers={"Content-Type": ct})
            assert_equal(status, 415, "content type %r" % ct)
        status, h, data = n.http(req("web3_clientVersion"),
                                 headers={"Content-Type": "application/json; charset=utf-8"},
                                 path="/some/path")
        assert_equal(status, 200)
        assert_equal(h["content-type"], "application/json")
        self.log("preflight without -rpccorsdomain: 403, no CORS headers on POST")
        status, _, _ = n.http(b"", method="OPTIONS", headers={"Origin": "https://evil.example"})
        assert_equal(status, 403)
        status, h, _ = n.http(req("web3_clientVersion"), headers={"Origin": "https://evil.example"})
        assert_equal(status, 200)
        assert_not_in("access-control-allow-origin", h)

        self.log("keep-alive: many requests on one connection")
        conn = http.client.HTTPConnection("127.0.0.1", n.rpc_port, timeout=30)
        for i in range(50):
            conn.request("POST", "/", json.dumps(req("web3_sha3", [HELLO], id=i)),
                         {"Content-Type": "application/json"})
            r = conn.getresponse()
            assert_equal(json.loads(r.read())["id"], i)
        conn.close()

    def test_workers_and_timeout(self):
        n = self.node
        self.log("slow handlers run on workers: the loop and the free worker keep answering")
        results = {}

        def slow(i):
            t0 = time.monotonic()
            results[i] = (n.rpc("test_sleep", hex(1500)), time.monotonic() - t0)

        threads = [threading.Thread(target=slow, args=(i,)) for i in range(3)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(0.3)
        for _ in range(20):
            assert_equal(n.rpc("web3_clientVersion", auth=False)[:10], "spectrumd/")
            assert_equal(n.rpc("web3_sha3", HELLO, auth=False), HELLO_KECCAK)
        fast = time.monotonic() - t0
        for t in threads:
            t.join()
        total = time.monotonic() - t0
        assert_true(all(results[i][0] is True for i in range(3)), "sleeps finished: %r" % results)
        assert_true(fast < 1.4, "fast calls answered while 3 of 4 workers slept (%.2f s)" % fast)
        assert_true(total < 2 * 1.5, "3 sleeps ran in parallel (%.2f s)" % total)

        self.log("-rpctimeout: -32000 'request timed out' for each id; the loop stays fine")
        n.stop()
        n.start(["-rpctimeout=1"])
        t0 = time.monotonic()
        e = self.rpc_error(n, "test_sleep", hex(5000))
        took = time.monotonic() - t0
        assert_equal((e.code, e.message), (-32000, "request timed out"))
        assert_true(0.9 < took < 3, "answered at the deadline (%.2f s)" % took)
        r = n.rpc_raw([req("test_sleep", [hex(5000)], id="a"), req("net_version", id="b"),
                       req("web3_clientVersion", id=None)])
        assert_equal(sorted(x["id"] for x in r), ["a", "b"])
        assert_true(all(x["error"]["message"] == "request timed out" for x in r), repr(r))
        assert_equal(n.rpc("net_version"), REGTEST_NETWORK_ID)
        n.stop()
        n.start()

    def test_keepalive_load(self):
        n = self.node
        clients, seconds = 200, 10
        self.log("%d concurrent keep-alive clients for %d s" % (clients, seconds))
        time.sleep(0.5)
        base_fds = n.fd_count()
        stop_at = time.monotonic() + seconds
        counts = [0] * clients
        errors = []
        ready = threading.Barrier(clients + 1)

        def client(i):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", n.rpc_port, timeout=60)
                body = json.dumps(req("web3_sha3", [HELLO], id=i))
                hdr = {"Content-Type": "application/json"}
                conn.request("POST", "/", body, hdr)
                r = conn.getresponse()
                assert json.loads(r.read())["result"] == HELLO_KECCAK
                counts[i] += 1
                ready.wait()
                while time.monotonic() < stop_at:
                    conn.request("POST", "/", body, hdr)
                    r = conn.getresponse()
                    data = r.read()
                    if r.status != 200 or json.loads(data)["result"] != HELLO_KECCAK:
                        errors.append((i, r.status, data[:100]))
                        break
                    counts[i] += 1
                conn.close()
            except Exception as e:      # noqa: BLE001 - report every failure
                errors.append((i, repr(e)))
                try:
                    ready.abort()
                except threading.BrokenBarrierError:
                    pass

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        try:
            ready.wait(timeout=120)
        except threading.BrokenBarrierError:
            pass
        during = n.fd_count()
        for t in threads:
            t.join(timeout=120)
        assert_equal(errors, [], "failed requests")
        total = sum(counts)
        self.log("%d requests answered (%.0f/s), %d descriptors open at the peak (%d idle)"
                 % (total, total / seconds, during, base_fds))
        assert_true(min(counts) >= 2, "every client was served (min %d)" % min(counts))
        assert_true(during >= base_fds + clients, "the %d connections were open together"
                    % clients)
        wait_until(lambda: n.fd_count() <= base_fds, 30, "descriptors back to %d (now %d)"
                   % (base_fds, n.fd_count()))

    def test_websocket(self):
        n = self.node
        self.log("WebSocket: handshake, calls, batches, fragmentation, ping, close")
        base_fds = n.fd_count()
        c = wsc.WSClient(n.ws_port)
        r = c.call("web3_clientVersion")
        assert_true(r["result"].startswith("spectrumd/v0.1.0/"), repr(r))
        c.send_json([req("web3_sha3", [HELLO], id=1), req("net_version", id=2)])
        r = c.recv_json()
        assert_equal(sorted((x["id"], x["result"]) for x in r),
                     [(1, HELLO_KECCAK), (2, REGTEST_NETWORK_ID)])
        msg = json.dumps(req("web3_sha3", [HELLO], id=9)).encode()
        c.send_frame(wsc.OP_TEXT, msg[:5], fin=False)
        c.send_frame(wsc.OP_PING, b"mid-message ping")
        c.send_frame(wsc.OP_CONT, msg[5:20], fin=False)
        c.send_frame(wsc.OP_CONT, msg[20:], fin=True)
        fin, op, data = c.recv_frame()
        assert_equal((fin, op, data), (True, wsc.OP_PONG, b"mid-message ping"))
        assert_equal(c.recv_json()["result"], HELLO_KECCAK)
        self.log("WebSocket: private methods look missing without credentials")
        r = c.call("stop")
        assert_equal(r["error"], {"code": -32601,
                                  "message": "the method stop does not exist/is not available"})
        r = c.call("help")
        assert_equal(r["error"]["code"], -32601)
        c.send_json("not a request")
        assert_equal(c.recv_json()["error"]["code"], -32600)
        c.send_frame(wsc.OP_TEXT, b"{nope")
        assert_equal(c.recv_json()["error"]["code"], -32700)
        c.send_frame(wsc.OP_CLOSE, struct.pack(">H", 1000) + b"bye")
        fin, op, data = c.recv_frame()
        assert_equal((op, data[:2]), (wsc.OP_CLOSE, struct.pack(">H", 1000)))
        c.sock.close()

        self.log("WebSocket: credentials in the handshake unlock private methods")
        c = wsc.WSClient(n.ws_port, headers={"Authorization": n.auth_header()})
        assert_in("web3_sha3", c.call("help")["result"])
        c.close()
        try:
            wsc.WSClient(n.ws_port, headers={"Authorization": n.auth_header("__cookie__:bad")})
            raise AssertionFailure("wrong credentials accepted")
        except wsc.HandshakeRefused as e:
            assert_equal(e.status, 401)

        self.log("WebSocket: bad handshakes are refused")
        for kw, status in (({"version": "12"}, 426), ({"key": "tooshort"}, 400)):
            try:
                wsc.WSClient(n.ws_port, **kw)
                raise AssertionFailure("handshake %r accepted" % kw)
            except wsc.HandshakeRefused as e:
                assert_equal(e.status, status, repr(kw))
                if status == 426:
                    assert_in("Sec-WebSocket-Version: 13", e.head)
        s = socket.create_connection(("127.0.0.1", n.ws_port), timeout=10)
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
        assert_in(b"405", s.recv(200))
        s.close()

        self.log("WebSocket: protocol violations close with the right code")
        for send, code in ((lambda c: c.send_frame(wsc.OP_TEXT, b"{}", mask=False), 1002),
                           (lambda c: c.send_frame(wsc.OP_TEXT, b"{}", rsv=1), 1002),
                           (lambda c: c.send_frame(0x3, b"{}"), 1002),
                           (lambda c: c.send_frame(wsc.OP_CONT, b"{}"), 1002),
                           (lambda c: c.send_frame(wsc.OP_PING, b"x" * 126), 1002),
                           (lambda c: c.send_frame(wsc.OP_TEXT, b"\xff\xfe"), 1007)):
            c = wsc.WSClient(n.ws_port)
            send(c)
            assert_equal(c.expect_close(), code)
            c.sock.close()
        wait_until(lambda: n.fd_count() <= base_fds, 20, "closed WebSocket connections released")

    def test_subscriptions(self):
        n = self.node
        self.log("eth_subscribe: over HTTP it is not supported")
        e = self.rpc_error(n, "eth_subscribe", "newHeads")
        assert_equal((e.code, e.message), (-32601, "notifications not supported"))

        self.log("eth_subscribe over WebSocket: ids, notifications, filters, unsubscribe")
        c = wsc.WSClient(n.ws_port)
        heads = c.call("eth_subscribe", "newHeads")["result"]
        assert_true(re.fullmatch(r"0x[0-9a-f]{32}", heads), "subscription id %r" % heads)
        logs_a = c.call("eth_subscribe", "logs", {"address": "0x" + "aa" * 20})["result"]
        logs_t = c.call("eth_subscribe", "logs", {"topics": [None, ["0x" + "01" * 32,
                                                                    "0x" + "02" * 32]]})["result"]
        pend = c.call("eth_subscribe", "newPendingTransactions")["result"]
        pend_full = c.call("eth_subscribe", "newPendingTransactions", True)["result"]
        assert_equal(len({heads, logs_a, logs_t, pend, pend_full}), 5, "distinct ids")
        for bad, code in ((["nope"], -32601), (["logs", {"address": "0x12"}], -32602),
                          (["logs", {"topics": [1]}], -32602), (["newHeads", 1], -32602),
                          (["newPendingTransactions", "yes"], -32602), ([], -32602)):
            r = c.call("eth_subscribe", *bad)
            assert_equal(r["error"]["code"], code, "eth_subscribe %r" % bad)

        head = {"number": "0x1", "hash": "0x" + "11" * 32}
        log1 = {"address": "0x" + "aa" * 20, "topics": ["0x" + "ff" * 32, "0x" + "02" * 32]}
        log2 = {"address": "0x" + "bb" * 20, "topics": ["0x" + "ff" * 32]}
        tx = {"hash": "0x" + "33" * 32, "nonce": "0x0"}
        for kind, payload in (("newHeads", head), ("logs", log1), ("logs", log2),
                              ("newPendingTransactions", tx)):
            assert_equal(n.rpc("test_publish", kind, payload), True)
        want = {(heads, json.dumps(head, sort_keys=True)),
                (logs_a, json.dumps(log1, sort_keys=True)),
                (logs_t, json.dumps(log1, sort_keys=True)),
                (pend, json.dumps(tx["hash"])), (pend_full, json.dumps(tx, sort_keys=True))}
        got = set()
        for _ in range(len(want)):
            m = c.recv_json()
            assert_equal((m["jsonrpc"], m["method"]), ("2.0", "eth_subscription"))
            got.add((m["params"]["subscription"], json.dumps(m["params"]["result"],
                                                             sort_keys=True)))
        assert_equal(got, want, "each event reached exactly the matching subscriptions")

        assert_equal(c.call("eth_unsubscribe", heads)["result"], True)
        assert_equal(c.call("eth_unsubscribe", heads)["result"], False)
        c2 = wsc.WSClient(n.ws_port)
        assert_equal(c2.call("eth_unsubscribe", logs_a)["result"], False, "not another's")
        n.rpc("test_publish", "newHeads", head)
        n.rpc("test_publish", "newPendingTransactions", "0x" + "44" * 32)
        got = set()
        for _ in range(2):
            m = c.recv_json()
            got.add((m["params"]["subscription"], m["params"]["result"]))
        assert_equal(got, {(pend, "0x" + "44" * 32), (pend_full, "0x" + "44" * 32)},
                     "a bare hash goes to both kinds of pending-transaction subscribers")
        r = c.call("web3_clientVersion")      # nothing else (no newHeads) arrived before this
        assert_true("result" in r, repr(r))
        c.close()
        c2.close()

    # ------------------------------------------------------------------
    def test_limits(self):
        n = self.node
        self.log("-rpcmaxrequestsize: 413 over HTTP, close 1009 over WebSocket; -rpcmaxbatch")
        n.start(["-rpcmaxrequestsize=2048", "-rpcmaxbatch=3"])
        ok = json.dumps(req("web3_sha3", ["0x" + "ab" * 900]))
        assert_true(len(ok) < 2048, "fits")
        assert_equal(n.rpc_raw(ok)["result"][:2], "0x")
        big = json.dumps(req("web3_sha3", ["0x" + "ab" * 1100]))
        status, _, _ = n.http(big)
        assert_equal(status, 413)
        r = n.rpc_raw([req("net_version", id=i) for i in range(3)])
        assert_equal(len(r), 3)
        r = n.rpc_raw([req("net_version", id=i) for i in range(4)])
        assert_equal(r["error"]["message"], "batch too large")
        c = wsc.WSClient(n.ws_port)
        c.send_frame(wsc.OP_TEXT, big)
        assert_equal(c.expect_close(), 1009)
        c.sock.close()
        c = wsc.WSClient(n.ws_port)
        c.send_frame(wsc.OP_TEXT, ok[:1000], fin=False)
        c.send_frame(wsc.OP_CONT, ok[1000:] + " " * 1100)
        assert_equal(c.expect_close(), 1009, "fragments add up")
        c.sock.close()
        n.stop()

    def test_connection_limit(self):
        n = self.node
        self.log("-rpcmaxconnections: further clients wait until a connection closes")
        n.start(["-rpcmaxconnections=3"])
        held = []
        for i in range(3):
            conn = http.client.HTTPConnection("127.0.0.1", n.rpc_port, timeout=10)
            conn.request("POST", "/", json.dumps(req("net_version", id=i)),
                         {"Content-Type": "application/json"})
            assert_equal(conn.getresponse().read()[:1], b"{")
            held.append(conn)
        body = json.dumps(req("net_version", id=9)).encode()
        waiting = socket.create_connection(("127.0.0.1", n.rpc_port), timeout=1.5)
        waiting.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        try:
            waiting.recv(100)
            raise AssertionFailure("a 4th connection was served")
        except socket.timeout:
            pass
        waiting.settimeout(15)
        held.pop().close()
        reply = b""
        while REGTEST_NETWORK_ID.encode() not in reply:
            chunk = waiting.recv(4096)
            if not chunk:
                break
            reply += chunk
        assert_in(b"200 OK", reply)
        assert_in(REGTEST_NETWORK_ID.encode(), reply)
        waiting.close()
        for conn in held:
            conn.close()
        n.stop()

    def test_allowip_and_cors(self):
        n = self.node
        self.log("-rpcallowip replaces the localhost default: others get 403")
        n.start(["-rpcallowip=127.0.0.2", "-rpccorsdomain=https://app.example,http://b.example:8080"])
        status, _, data = n.http(req("net_version"), source="127.0.0.1")
        assert_equal((status, data), (403, b""))
        status, _, data = n.http(req("net_version"), source="127.0.0.2")
        assert_equal(status, 200)
        assert_equal(json.loads(data)["result"], REGTEST_NETWORK_ID)
        try:
            wsc.WSClient(n.ws_port, source="127.0.0.1")
            raise AssertionFailure("WebSocket from a refused address")
        except wsc.HandshakeRefused as e:
            assert_equal(e.status, 403)
        c = wsc.WSClient(n.ws_port, source="127.0.0.2")
        assert_equal(c.call("net_version")["result"], REGTEST_NETWORK_ID)
        c.close()

        self.log("-rpccorsdomain: preflight and Access-Control-Allow-Origin for listed origins")
        src = "127.0.0.2"
        status, h, _ = n.http(b"", method="OPTIONS", source=src, headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert_equal(status, 204)
        assert_equal(h.get("access-control-allow-origin"), "https://app.example")
        assert_in("POST", h.get("access-control-allow-methods", ""))
        assert_in("Content-Type", h.get("access-control-allow-headers", ""))
        status, h, _ = n.http(req("net_version"), source=src,
                              headers={"Origin": "http://b.example:8080"})
        assert_equal((status, h.get("access-control-allow-origin")), (200, "http://b.example:8080"))
        status, h, _ = n.http(req("net_version"), source=src,
                              headers={"Origin": "https://other.example"})
        assert_equal(status, 200)
        assert_not_in("access-control-allow-origin", h)
        status, _, _ = n.http(b"", method="OPTIONS", source=src,
                              headers={"Origin": "https://other.example"})
        assert_equal(status, 403)
        try:
            wsc.WSClient(n.ws_port, source=src, headers={"Origin": "https://other.example"})
            raise AssertionFailure("WebSocket from a foreign origin")
        except wsc.HandshakeRefused as e:
            assert_equal(e.status, 403)
        c = wsc.WSClient(n.ws_port, source=src, headers={"Origin": "https://app.example"})
        c.close()
        n.stop()

    def test_rpcapi(self):
        n = self.node
        self.log("-rpcapi: other namespaces disappear, control methods stay")
        n.start(["-rpcapi=web3"])
        assert_equal(n.rpc("web3_sha3", HELLO), HELLO_KECCAK)
        e = self.rpc_error(n, "net_version")
        assert_equal((e.code, e.message), (-32601, "the method net_version does not "
                                                   "exist/is not available"))
        assert_equal(set(n.rpc("rpc_modules")), {"control", "web3", "test"})
        assert_not_in("net_version", n.rpc("help"))
        n.stop()
        n.assert_start_fails(["-rpcapi=web3,bogus"], "unknown RPC namespace 'bogus' in -rpcapi")

    def test_startup_errors(self):
        n, other = self.nodes
        self.log("a port in use stops the start with a clear error; no cookie is left")
        n.start()
        other.rpc_port = n.rpc_port
        r = other.run([])
        assert_equal(r.returncode, 1)
        assert_in("Unable to bind the RPC server on 127.0.0.1:%d" % n.rpc_port, r.stderr)
        assert_true(other.cookie() is None, "no cookie after a failed start")
        other.rpc_port = free_port()
        other.ws_port = n.ws_port
        r = other.run([])
        assert_equal(r.returncode, 1)
        assert_in("Unable to bind the WebSocket server on 127.0.0.1:%d" % n.ws_port, r.stderr)
        self.log("-norpc -nows: no server, no cookie")
        other.start(["-norpc", "-nows"])
        assert_true(other.cookie() is None, "no cookie without a server")
        assert_in("RPC server disabled", other.debug_log())
        other.stop()
        n.stop()
        for bad, msg in ((["-rpcallowip=1.2.3.4/33"], "bad prefix length"),
                         (["-rpcallowip=nothost"], "is not an IP address"),
                         (["-rpcbind=localhost"], "is not a numeric IP address"),
                         (["-rpcbind=127.0.0.1:0"], "bad port"),
                         (["-rpcthreads=0"], "-rpcthreads"),
                         (["-rpcmaxbatch=0"], "-rpcmaxbatch")):
            n.assert_start_fails(bad, msg)


if __name__ == "__main__":
    RpcServerTest().main()
