#!/usr/bin/env python3
"""Logs, filters and subscriptions on a regtest node.

Contracts are hand-assembled (the test has no compiler): an *emitter* whose
every call makes LOG1(T1, data=word0) then LOG2(T0, word0, data=word1) from
its two calldata words, and a *spammer* that makes word0 empty LOG0s.

- eth_getLogs by range, address (one, a list), topics (positions, null
  wildcards, alternatives), blockHash; its objects equal the receipts' logs;
  the range rules and limits with geth's errors (reversed range, beyond the
  head, blockHash with a range, 100000 blocks, exactly 10000 results allowed
  and 10001 refused with -32005); bad params.
- Filters: a log filter's changes (criteria and a numeric range applied),
  block and pending-transaction filters (hashes, or objects with fullTx),
  each poll returning only what is new, eth_getFilterLogs, uninstall, ids in
  another case, and bad params. Expiry (5 minutes) is covered by the unit
  tests; here only the API.
- WebSocket subscriptions fed by the chain: newHeads, logs with criteria,
  newPendingTransactions (hash and full), in geth's order.
- A reorg (blocks from node 1, fed with submitblock): the dropped block's
  logs come back with "removed": true to a log filter and to a logs
  subscription; the block filter gets the new chain's hashes.
"""

from test_framework import ws as wsc
from test_framework.chain import (DEV_ACCOUNTS, block_number, get_block, hx, q, raw_block,
                                  receipt, send, u)
from test_framework.keccak import keccak256
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (assert_equal, assert_in, assert_raises_rpc_error, assert_true,
                                 wait_until)

T0 = hx(keccak256(b"Emitted(bytes32,bytes32)"))
T1 = hx(keccak256(b"Noted(bytes32)"))


def word(n):
    return "0x%064x" % n


def emitter_runtime():
    t0, t1 = bytes.fromhex(T0[2:]), bytes.fromhex(T1[2:])
    return (bytes.fromhex("600035600052") +             # mem[0..32] = word0
            b"\x7f" + t1 + bytes.fromhex("60206000a1") +  # LOG1(mem[0..32], T1)
            bytes.fromhex("602035600052") +              # mem[0..32] = word1
            bytes.fromhex("600035") +                    # topic1 = word0
            b"\x7f" + t0 + bytes.fromhex("60206000a2") +  # LOG2(mem[0..32], T0, word0)
            b"\x00")


def spammer_runtime():
    # n = word0; while n: LOG0(0, 0); n -= 1
    return bytes.fromhex("600035" "5b" "80" "15" "601557" "60006000a0" "60019003" "600356"
                         "5b00")


def init_code(runtime):
    n = len(runtime)
    assert n < 256
    return bytes([0x60, n, 0x60, 12, 0x60, 0, 0x39, 0x60, n, 0x60, 0, 0xf3]) + runtime


def removed(logs):
    return [dict(entry, removed=True) for entry in logs]


class LogsTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def run_test(self):
        self.node = self.nodes[0]
        self.frm = DEV_ACCOUNTS[0]
        self.deploy()
        self.test_get_logs()
        self.test_get_logs_errors()
        self.test_result_cap()
        self.test_filters()
        self.test_filter_errors()
        self.test_subscriptions()
        self.test_reorg()

    # ---- helpers -------------------------------------------------------------------
    def deploy_code(self, runtime):
        h = send(self.node, self.frm, None, data=hx(init_code(runtime)), gas=300000)
        r = receipt(self.node, h)
        assert_equal(r["status"], "0x1", "deployment")
        addr = r["contractAddress"]
        assert_equal(self.node.rpc("eth_getCode", addr, "latest"), hx(runtime))
        return addr

    def emit(self, contract, w0, w1):
        """Calls the emitter; returns its receipt (mined at once: automine)."""
        h = send(self.node, self.frm, contract, data=word(w0) + word(w1)[2:], gas=100000)
        r = receipt(self.node, h)
        assert_equal(r["status"], "0x1", "emit")
        assert_equal(len(r["logs"]), 2, "two logs per call")
        return r

    def logs(self, **crit):
        return self.node.rpc("eth_getLogs", crit)

    def deploy(self):
        self.log("deploy two emitters and a spammer (hand-assembled)")
        self.e1 = self.deploy_code(emitter_runtime())
        self.e2 = self.deploy_code(emitter_runtime())
        self.spammer = self.deploy_code(spammer_runtime())

    # ---- eth_getLogs ------------------------------------------------------------------
    def test_get_logs(self):
        n = self.node
        self.log("eth_getLogs: three calls, each a block with LOG1 and LOG2")
        self.r1 = self.emit(self.e1, 0xa, 0xd1)
        self.r2 = self.emit(self.e2, 0xb, 0xd2)
        self.r3 = self.emit(self.e1, 0xb, 0xd3)
        rs = [self.r1, self.r2, self.r3]
        everything = [entry for r in rs for entry in r["logs"]]
        b1, b3 = u(self.r1["blockNumber"]), u(self.r3["blockNumber"])
        assert_equal(b3, block_number(n), "the last call made the head")
        for r in rs:
            assert_equal(r["logs"][0]["topics"], [T1])
            assert_equal(r["logs"][1]["topics"][0], T0)
            assert_equal([u(x["logIndex"]) for x in r["logs"]], [0, 1], "logIndex in the block")

        assert_equal(self.logs(fromBlock=q(b1), toBlock=q(b3)), everything,
                     "a range: the receipts' logs, in order")
        assert_equal(self.logs(fromBlock="earliest"), everything, "earliest..latest")
        assert_equal(self.logs(fromBlock="earliest", toBlock="pending"), everything)
        assert_equal(self.logs(), self.r3["logs"], "no criteria: latest..latest")
        assert_equal(n.rpc("eth_getLogs", {"fromBlock": q(b1), "toBlock": q(b3),
                                           "address": None, "topics": None}), everything)
        assert_equal(self.logs(fromBlock=q(b1 + 1), toBlock=q(b1 + 1)), self.r2["logs"],
                     "one block by number")
        assert_equal(self.logs(fromBlock="earliest", toBlock=q(b1 - 1)), [],
                     "blocks before the first event")

        self.log("eth_getLogs: address and topics")
        e1_logs = self.r1["logs"] + self.r3["logs"]
        assert_equal(self.logs(fromBlock="earliest", address=self.e1), e1_logs)
        assert_equal(self.logs(fromBlock="earliest", address=self.e1.upper().replace("0X", "0x")),
                     e1_logs, "address in upper case")
        assert_equal(self.logs(fromBlock="earliest", address=[self.e2, self.e1]), everything)
        assert_equal(self.logs(fromBlock="earliest", address=[]), everything, "[] is any")
        assert_equal(self.logs(fromBlock="earliest", address=self.spammer), [])
        log2s = [r["logs"][1] for r in rs]
        log1s = [r["logs"][0] for r in rs]
        assert_equal(self.logs(fromBlock="earliest", topics=[T0]), log2s)
        assert_equal(self.logs(fromBlock="earliest", topics=[T1]), log1s)
        assert_equal(self.logs(fromBlock="earliest", topics=[[T0, T1]]), everything)
        assert_equal(self.logs(fromBlock="earliest", topics=[None]), everything,
                     "a wildcard position needs one topic: every log has one")
        assert_equal(self.logs(fromBlock="earliest", topics=[None, word(0xa)]),
                     [self.r1["logs"][1]], "second topic; LOG1s have none")
        assert_equal(self.logs(fromBlock="earliest", topics=[T0, [word(0xa), word(0xb)]]), log2s)
        assert_equal(self.logs(fromBlock="earliest", topics=[T0, word(0xb)], address=self.e1),
                     [self.r3["logs"][1]], "address and topics together")
        assert_equal(self.logs(fromBlock="earliest", topics=[[None, T0]]), everything,
                     "null inside a list: that position is a wildcard")
        assert_equal(self.logs(fromBlock="earliest", topics=[T0, None, None]), [],
                     "more positions than the logs have topics")
        assert_equal(self.logs(fromBlock="earliest", topics=[word(0xa)]), [],
                     "word0 is a topic in position 1, not 0")

        self.log("eth_getLogs: blockHash")
        assert_equal(self.logs(blockHash=self.r2["blockHash"]), self.r2["logs"])
        assert_equal(self.logs(blockHash=self.r2["blockHash"], topics=[T1]), [self.r2["logs"][0]])
        assert_equal(self.logs(blockHash=get_block(n, 1)["hash"]), [], "a block without logs")
        assert_equal(n.rpc("eth_getLogs", {"blockHash": self.r3["blockHash"], "fromBlock": None}),
                     self.r3["logs"], "a null fromBlock is absent")
        for entry in everything:
            assert_equal(entry["removed"], False)
            assert_equal(u(entry["transactionIndex"]), 1, "after the chief update transaction")

    def test_get_logs_errors(self):
        n = self.node
        head = block_number(n)
        self.log("eth_getLogs: range rules, geth's errors")
        assert_raises_rpc_error(-32000, "unknown block", n.rpc, "eth_getLogs",
                                {"blockHash": "0x" + "11" * 32})
        e = assert_raises_rpc_error(-32602, None, n.rpc, "eth_getLogs",
                                    {"blockHash": self.r1["blockHash"], "fromBlock": "0x1"})
        assert_equal(e.message, "invalid argument 0: cannot specify both BlockHash and "
                                "FromBlock/ToBlock, choose one or the other")
        assert_raises_rpc_error(-32602, "cannot specify both", n.rpc, "eth_getLogs",
                                {"blockHash": self.r1["blockHash"], "toBlock": "latest"})
        e = assert_raises_rpc_error(-32602, None, n.rpc, "eth_getLogs",
                                    {"fromBlock": q(head), "toBlock": q(head - 1)})
        assert_equal(e.message, "invalid block range params")
        assert_raises_rpc_error(-32602, "invalid block range params", n.rpc, "eth_getLogs",
                                {"fromBlock": q(head + 5)})
        e = assert_raises_rpc_error(-32602, None, n.rpc, "eth_getLogs",
                                    {"fromBlock": q(head), "toBlock": q(head + 1)})
        assert_equal(e.message, "block range extends beyond current head block")
        assert_raises_rpc_error(-32602, "block range extends beyond current head block", n.rpc,
                                "eth_getLogs", {"fromBlock": q(head + 5), "toBlock": q(head + 9)})
        e = assert_raises_rpc_error(-32000, None, n.rpc, "eth_getLogs",
                                    {"fromBlock": "0x0", "toBlock": q(100000)})
        assert_equal(e.message, "exceed maximum block range: 100000")
        assert_equal(self.logs(fromBlock="0x0", toBlock=q(head)), self.logs(fromBlock="earliest"),
                     "a range under the limit")

        self.log("eth_getLogs: bad params")
        for params, what in (([], "missing value for required argument 0"),
                             ([{}, {}], "too many arguments, want at most 1"),
                             (["latest"], "invalid argument 0"),
                             ([{"address": "0x12"}], "invalid argument 0: invalid address"),
                             ([{"address": [self.e1, 5]}], "invalid argument 0: invalid address"),
                             ([{"topics": "0x01"}], "invalid argument 0: invalid topics"),
                             ([{"topics": [1]}], "invalid argument 0: invalid topic"),
                             ([{"topics": [T0, None, None, None, None]}],
                              "invalid argument 0: exceed max topics"),
                             ([{"fromBlock": "12"}], "invalid argument 0: fromBlock: "),
                             ([{"toBlock": "0x01"}], "invalid argument 0: toBlock: "),
                             ([{"fromBlock": True}], "invalid argument 0: fromBlock: "),
                             ([{"blockHash": "0x1234"}], "invalid argument 0: blockHash: ")):
            assert_raises_rpc_error(-32602, what, n.rpc, "eth_getLogs", *params)

    def test_result_cap(self):
        n = self.node
        self.log("eth_getLogs: exactly 10000 logs are returned, 10001 are refused (-32005)")
        h = send(n, self.frm, self.spammer, data=word(10000), gas=4600000)
        big = receipt(n, h)
        assert_equal(big["status"], "0x1", "10000 LOG0s")
        got = self.logs(blockHash=big["blockHash"])
        assert_equal(len(got), 10000)
        assert_equal((got[0], got[-1]), (big["logs"][0], big["logs"][-1]))
        assert_equal([u(x["logIndex"]) for x in got[:3]], [0, 1, 2])
        small = receipt(n, send(n, self.frm, self.spammer, data=word(1), gas=100000))
        e = assert_raises_rpc_error(-32005, None, n.rpc, "eth_getLogs",
                                    {"fromBlock": big["blockNumber"],
                                     "toBlock": small["blockNumber"]})
        assert_equal(e.message, "query returned more than 10000 results")
        assert_equal(self.logs(blockHash=small["blockHash"]), small["logs"])
        assert_equal(self.logs(fromBlock="earliest", address=[self.e1, self.e2]),
                     self.logs(fromBlock="earliest", topics=[[T0, T1]]),
                     "criteria that skip the spam stay under the cap")

    # ---- filters --------------------------------------------------------------------------
    def test_filters(self):
        n = self.node
        self.log("filters: install one of each kind; nothing to report yet")
        head = block_number(n)
        f_all = n.rpc("eth_newFilter", {})
        f_e1 = n.rpc("eth_newFilter", {"address": self.e1, "topics": [T0]})
        f_from = n.rpc("eth_newFilter", {"fromBlock": q(head + 2)})
        f_hist = n.rpc("eth_newFilter", {"fromBlock": "earliest", "address": self.e1})
        f_block = n.rpc("eth_newBlockFilter")
        f_pend = n.rpc("eth_newPendingTransactionFilter")
        f_full = n.rpc("eth_newPendingTransactionFilter", True)
        ids = [f_all, f_e1, f_from, f_hist, f_block, f_pend, f_full]
        assert_equal(len(set(ids)), len(ids), "distinct ids")
        for f in ids:
            assert_true(isinstance(f, str) and f.startswith("0x") and len(f) == 34,
                        "filter id %r" % f)
            assert_equal(n.rpc("eth_getFilterChanges", f), [], "no changes yet")

        self.log("filters: two calls, then each filter's changes")
        r4 = self.emit(self.e1, 0xc, 0xd4)
        r5 = self.emit(self.e2, 0xc, 0xd5)
        assert_equal(u(r5["blockNumber"]), head + 2)
        assert_equal(n.rpc("eth_getFilterChanges", f_all), r4["logs"] + r5["logs"])
        assert_equal(n.rpc("eth_getFilterChanges", f_all), [], "a second poll: nothing new")
        assert_equal(n.rpc("eth_getFilterChanges", f_e1), [r4["logs"][1]], "criteria applied")
        assert_equal(n.rpc("eth_getFilterChanges", f_from), r5["logs"], "fromBlock applied")
        assert_equal(n.rpc("eth_getFilterChanges", f_block), [r4["blockHash"], r5["blockHash"]])
        tx_hashes = [r4["transactionHash"], r5["transactionHash"]]
        assert_equal(n.rpc("eth_getFilterChanges", f_pend), tx_hashes)
        full = n.rpc("eth_getFilterChanges", f_full)
        assert_equal([t["hash"] for t in full], tx_hashes, "fullTx: transaction objects")
        for t in full:
            assert_equal(t["from"].lower(), self.frm)
            assert_equal(t["to"].lower(), self.e1 if t["hash"] == tx_hashes[0] else self.e2)

        self.log("filters: generate 2 empty blocks")
        hashes = n.rpc("generate", 2)
        assert_equal(n.rpc("eth_getFilterChanges", f_block), hashes)
        assert_equal(n.rpc("eth_getFilterChanges", f_pend), [], "no pool transaction")
        assert_equal(n.rpc("eth_getFilterChanges", f_all), [])
        assert_equal(n.rpc("eth_getFilterChanges", f_block.upper().replace("0X", "0x")), [],
                     "the id in upper case finds the same filter")

        self.log("eth_getFilterLogs: the filter's criteria over its range")
        want = self.logs(fromBlock="earliest", address=self.e1)
        assert_equal(len(want), 6, "E1's logs: r1, r3, r4")
        assert_equal(n.rpc("eth_getFilterLogs", f_hist), want)
        assert_equal(n.rpc("eth_getFilterLogs", f_hist), want, "not consumed")
        assert_equal(n.rpc("eth_getFilterChanges", f_hist), [r4["logs"][0], r4["logs"][1]],
                     "its changes are apart from eth_getFilterLogs")
        assert_equal(n.rpc("eth_getFilterLogs", f_all), [], "latest..latest: an empty block")
        for f in (f_block, f_pend):
            assert_raises_rpc_error(-32000, "filter not found", n.rpc, "eth_getFilterLogs", f)

        self.log("eth_uninstallFilter")
        assert_equal(n.rpc("eth_uninstallFilter", f_all), True)
        assert_equal(n.rpc("eth_uninstallFilter", f_all), False, "already gone")
        e = assert_raises_rpc_error(-32000, None, n.rpc, "eth_getFilterChanges", f_all)
        assert_equal(e.message, "filter not found")
        assert_raises_rpc_error(-32000, "filter not found", n.rpc, "eth_getFilterLogs", f_all)
        for f in ids[1:]:
            assert_equal(n.rpc("eth_uninstallFilter", f), True)

    def test_filter_errors(self):
        n = self.node
        self.log("filters: bad params")
        for method, params, code, what in (
                ("eth_newFilter", [], -32602, "missing value for required argument 0"),
                ("eth_newFilter", ["latest"], -32602, "invalid argument 0"),
                ("eth_newFilter", [{"address": "0x12"}], -32602, "invalid argument 0"),
                ("eth_newFilter", [{"topics": [1]}], -32602, "invalid argument 0"),
                ("eth_newFilter", [{"blockHash": "0x" + "11" * 32, "toBlock": "0x1"}], -32602,
                 "cannot specify both"),
                ("eth_newFilter", [{}, {}], -32602, "too many arguments"),
                ("eth_newFilter", [{"fromBlock": "0x5", "toBlock": "0x2"}], -32000,
                 "invalid from and to block combination: from > to"),
                ("eth_newFilter", [{"fromBlock": "latest", "toBlock": "0x2"}], -32000,
                 "invalid from and to block combination"),
                ("eth_newBlockFilter", [1], -32602, "too many arguments, want at most 0"),
                ("eth_newPendingTransactionFilter", ["yes"], -32602, "invalid argument 0"),
                ("eth_newPendingTransactionFilter", [True, 1], -32602, "too many arguments"),
                ("eth_getFilterChanges", [], -32602, "missing value for required argument 0"),
                ("eth_getFilterChanges", [5], -32602, "invalid argument 0"),
                ("eth_getFilterChanges", ["0x" + "12" * 16, 1], -32602, "too many arguments"),
                ("eth_getFilterChanges", ["0x" + "12" * 16], -32000, "filter not found"),
                ("eth_getFilterChanges", ["junk"], -32000, "filter not found"),
                ("eth_getFilterLogs", [], -32602, "missing value for required argument 0"),
                ("eth_getFilterLogs", ["0x" + "12" * 16], -32000, "filter not found"),
                ("eth_uninstallFilter", [], -32602, "missing value for required argument 0"),
                ("eth_uninstallFilter", [{}], -32602, "invalid argument 0")):
            assert_raises_rpc_error(code, what, n.rpc, method, *params)
        assert_equal(n.rpc("eth_uninstallFilter", "0x" + "12" * 16), False)
        f = n.rpc("eth_newFilter", {"fromBlock": "0x2", "toBlock": "0x5"})
        assert_equal(n.rpc("eth_uninstallFilter", f), True, "n..m with n <= m is accepted")

    # ---- subscriptions ------------------------------------------------------------------------
    def notifications(self, c, count):
        """The next `count` eth_subscription messages, as (id, result)."""
        out = []
        while len(out) < count:
            m = c.recv_json()
            assert_equal(m.get("method"), "eth_subscription", "a notification: %r" % m)
            out.append((m["params"]["subscription"], m["params"]["result"]))
        return out

    def assert_quiet(self, c):
        """Nothing but the reply of a request arrives: no stray notification."""
        c.send_json({"jsonrpc": "2.0", "id": "quiet", "method": "web3_clientVersion"})
        m = c.recv_json()
        assert_equal(m.get("id"), "quiet", "no further notification, got %r" % m)

    def test_subscriptions(self):
        n = self.node
        self.log("eth_subscribe: newHeads, logs (criteria), newPendingTransactions from the chain")
        c = wsc.WSClient(n.ws_port)
        heads = c.call("eth_subscribe", "newHeads")["result"]
        logs_e2 = c.call("eth_subscribe", "logs", {"address": self.e2})["result"]
        logs_t0 = c.call("eth_subscribe", "logs", {"topics": [T0, word(0xe)]})["result"]
        logs_none = c.call("eth_subscribe", "logs", {"address": self.spammer})["result"]
        pend = c.call("eth_subscribe", "newPendingTransactions")["result"]
        pend_full = c.call("eth_subscribe", "newPendingTransactions", True)["result"]
        assert_equal(len({heads, logs_e2, logs_t0, logs_none, pend, pend_full}), 6)

        r = self.emit(self.e2, 0xe, 0xd6)
        blk = n.rpc("eth_getBlockByHash", r["blockHash"], False)
        got = self.notifications(c, 6)
        # The pool accepts the transaction before the block exists.
        assert_equal({got[0][0], got[1][0]}, {pend, pend_full}, "pending first: %r" % got[:2])
        by_sub = dict(got[:2])
        assert_equal(by_sub[pend], r["transactionHash"])
        assert_equal(by_sub[pend_full]["hash"], r["transactionHash"])
        assert_equal(by_sub[pend_full]["blockHash"], None, "still pending when announced")
        assert_equal(by_sub[pend_full]["from"].lower(), self.frm)
        assert_equal(got[2][0], heads, "then the head")
        header = got[2][1]
        for k in ("hash", "number", "parentHash", "stateRoot", "receiptsRoot", "logsBloom",
                  "miner", "difficulty", "gasLimit", "gasUsed", "timestamp", "extraData",
                  "mixHash", "nonce", "transactionsRoot", "sha3Uncles"):
            assert_equal(header[k], blk[k], "newHeads %s" % k)
        # then its logs, in block order, each to every subscription it matches
        assert_equal(got[3], (logs_e2, r["logs"][0]))
        assert_equal(sorted(got[4:], key=lambda m: m[0]),
                     sorted([(logs_e2, r["logs"][1]), (logs_t0, r["logs"][1])],
                            key=lambda m: m[0]))
        self.assert_quiet(c)

        self.log("eth_unsubscribe stops the notifications")
        for s in (heads, logs_e2, logs_t0, logs_none, pend, pend_full):
            assert_equal(c.call("eth_unsubscribe", s)["result"], True)
        self.emit(self.e2, 0xe, 0xd7)
        self.assert_quiet(c)
        c.close()

    # ---- reorg -----------------------------------------------------------------------------
    def test_reorg(self):
        a, b = self.nodes
        self.log("reorg: node 1 takes node 0's chain, then both extend it apart")
        for i in range(1, block_number(a) + 1):
            r = b.rpc("submitblock", hx(raw_block(a, i)))
            assert_equal(r["status"], "head", "block %d on node 1" % i)
        base = block_number(a)
        assert_equal(get_block(b, base)["hash"], get_block(a, base)["hash"])

        f_logs = a.rpc("eth_newFilter", {})
        f_block = a.rpc("eth_newBlockFilter")
        c = wsc.WSClient(a.ws_port)
        sub_logs = c.call("eth_subscribe", "logs", {})["result"]
        sub_heads = c.call("eth_subscribe", "newHeads")["result"]

        r7 = self.emit(self.e1, 0xf, 0xd8)         # node 0: block base+1 with two logs
        assert_equal(u(r7["blockNumber"]), base + 1)
        assert_equal(a.rpc("eth_getFilterChanges", f_logs), r7["logs"])
        assert_equal(a.rpc("eth_getFilterChanges", f_block), [r7["blockHash"]])
        got = self.notifications(c, 3)
        assert_equal((got[0][0], got[0][1]["hash"]), (sub_heads, r7["blockHash"]))
        assert_equal(got[1:], [(sub_logs, x) for x in r7["logs"]])

        other = b.rpc("generate", 2)                # node 1: two empty blocks on base
        statuses = [a.rpc("submitblock", hx(raw_block(b, h)))["status"] for h in other]
        self.log("statuses on node 0: %s" % statuses)
        assert_in("reorg", statuses)
        wait_until(lambda: get_block(a, "latest")["hash"] == other[-1], 10, "node 0 follows")

        self.log("reorg: the dropped block's logs come back with removed: true")
        assert_equal(a.rpc("eth_getFilterChanges", f_logs), removed(r7["logs"]))
        assert_equal(a.rpc("eth_getFilterChanges", f_block), other, "the new chain's blocks")
        assert_equal(a.rpc("eth_getLogs", {"blockHash": r7["blockHash"]}), r7["logs"],
                     "a stored side block still answers by hash")
        assert_equal(a.rpc("eth_getLogs", {"fromBlock": q(base + 1)}), [],
                     "the canonical chain has no logs there any more")
        notes = self.notifications(c, 4)
        assert_equal([m for m in notes if m[0] == sub_logs],
                     [(sub_logs, x) for x in removed(r7["logs"])], "removed logs first")
        assert_equal(notes[:2], [(sub_logs, x) for x in removed(r7["logs"])])
        assert_equal([m[1]["hash"] for m in notes if m[0] == sub_heads], other,
                     "then the new heads")
        self.assert_quiet(c)
        c.close()


if __name__ == "__main__":
    LogsTest().main()
