#!/usr/bin/env python3
"""Fork choice by total difficulty, and a reorg of depth 3.

There is no p2p yet, so blocks move between nodes by hand: debug_getRawBlock
on one node, submitblock on the other. All regtest nodes sign with the same
documented node key, so each accepts the others' blocks.

Node 0 mines transaction T in the first of 3 blocks; node 1 mines 5 empty
blocks from genesis. Fed node 1's blocks, node 0 keeps its head while the
other branch is lighter ("side"), switches when it becomes heavier ("reorg",
and a "Reorganize: depth 3" log line), then follows it ("head"). T is back
in node 0's pool (pending, no block, no receipt) and is mined again by the
next block. A lighter branch from node 2 stays "side" and leaves the head
alone; a block whose parent is unknown, and a known block, get their own
answers."""

from test_framework.chain import (DEV_ACCOUNTS, balance, block_number, get_block, pool_status,
                                  raw_block, receipt, send, tx_count, u, hx)
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (assert_equal, assert_in, assert_not_in,
                                 assert_raises_rpc_error, assert_true)


def submit(node, src, n):
    return node.rpc("submitblock", hx(raw_block(src, n)))


class ReorgTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.extra_args = [["-automine=0"], [], []]

    def run_test(self):
        a, b, c = self.nodes
        frm, to = DEV_ACCOUNTS[1], DEV_ACCOUNTS[2]

        self.log("node 0: T in the first of 3 blocks; node 1: 5 empty blocks")
        t = send(a, frm, to, 12345)
        a_hashes = a.rpc("generate", 3)
        assert_equal(u(receipt(a, t)["blockNumber"]), 1, "T mined in block 1")
        assert_equal(pool_status(a), (0, 0))
        b_hashes = b.rpc("generate", 5)
        assert_equal(get_block(b, 1)["transactions"], [], "node 1's blocks are empty")
        td_a = u(get_block(a, 3)["totalDifficulty"])
        td_b = [u(get_block(b, n)["totalDifficulty"]) for n in range(1, 6)]
        assert_true(td_b[-1] > td_a, "node 1's branch is heavier (%d > %d)" % (td_b[-1], td_a))

        self.log("submit node 1's blocks to node 0: side, then reorg, then head")
        offset = a._log_size()
        statuses = []
        for n in range(1, 6):
            r = submit(a, b, n)
            assert_equal(r["hash"], b_hashes[n - 1])
            assert_equal(u(r["number"]), n)
            statuses.append(r["status"])
        self.log("statuses: %s" % statuses)
        assert_equal(statuses.count("reorg"), 1, "exactly one reorg")
        k = statuses.index("reorg")
        assert_equal(statuses[:k], ["side"] * k, "lighter blocks stay on the side")
        assert_equal(statuses[k + 1:], ["head"] * (4 - k), "then the new branch extends")
        # Heavier switches; equal may (geth's tie-break), lighter never does.
        assert_true(td_b[k] >= td_a and all(td <= td_a for td in td_b[:k]),
                    "reorg at the first block at least as heavy (tds %s vs %d)" % (td_b, td_a))
        if td_b[k] == td_a:
            self.log("the reorg came on a tie of total difficulty")
        log = a.new_log_lines(offset)
        assert_in("Reorganize: depth 3 from %s to %s" % (a_hashes[-1], b_hashes[k]), log)
        for n in range(k + 1, 6):
            assert_in("UpdateTip: new best=%s height=%d" % (b_hashes[n - 1], n), log)

        self.log("node 0 follows node 1's chain; T is back in the pool")
        assert_equal(block_number(a), 5)
        for n in range(1, 6):
            assert_equal(get_block(a, n)["hash"], b_hashes[n - 1], "canonical block %d" % n)
            assert_equal(get_block(a, n), get_block(b, n), "block %d as node 1 has it" % n)
        assert_equal(pool_status(a), (1, 0), "T pending again")
        tx = a.rpc("eth_getTransactionByHash", t)
        assert_true(tx is not None, "T still known (in the pool)")
        assert_equal((tx["blockHash"], tx["blockNumber"]), (None, None), "T has no block")
        assert_equal(receipt(a, t), None, "no receipt for T")
        assert_equal(balance(a, frm), balance(b, frm), "T's transfer undone")
        assert_equal(balance(a, to), balance(b, to))
        assert_equal(tx_count(a, frm), 0)
        assert_equal(tx_count(a, frm, "pending"), 1)

        self.log("the next block mines T again")
        h6 = a.rpc("generate", 1)[0]
        r = receipt(a, t)
        assert_true(r is not None, "T mined again")
        assert_equal((u(r["blockNumber"]), r["blockHash"], r["status"]), (6, h6, "0x1"))
        assert_equal(get_block(a, 6)["transactions"], [t])
        assert_equal(pool_status(a), (0, 0))

        self.log("a known block is \"known\"")
        r = submit(a, b, 5)
        assert_equal((r["status"], r["hash"]), ("known", b_hashes[4]))

        self.log("a lighter branch from node 2 stays on the side; the head does not move")
        c_hashes = c.rpc("generate", 4)
        offset = a._log_size()
        for n in (1, 2):
            r = submit(a, c, n)
            assert_equal((r["status"], r["hash"]), ("side", c_hashes[n - 1]))
        assert_equal((block_number(a), get_block(a, "latest")["hash"]), (6, h6))
        assert_not_in("Reorganize", a.new_log_lines(offset))

        self.log("a block whose parent node 0 does not have: unknown parent")
        assert_raises_rpc_error(-32000, "unknown parent", submit, a, c, 4)
        assert_equal((block_number(a), get_block(a, "latest")["hash"]), (6, h6))
        r = submit(a, c, 3)
        assert_equal(r["status"], "side", "its parent, once given, is accepted")
        r = submit(a, c, 4)
        assert_equal(r["status"], "side", "and then the block itself")
        assert_equal(block_number(a), 6)
        for n in self.nodes:
            n.stop()


if __name__ == "__main__":
    ReorgTest().main()
