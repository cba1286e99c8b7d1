#!/usr/bin/env python3
"""A restart keeps the chain: after a clean stop (the `stop` RPC, then
SIGTERM) the node comes back at the same head with the same blocks,
balances, nonces, receipts and transaction index, and builds further blocks
on top of it."""

import signal

from test_framework.chain import (DEV_ACCOUNTS, NODE_ADDRESS, balance, block_number, get_block,
                                  receipt, send, tx_count, u)
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import assert_equal, assert_in, assert_true

WATCHED = DEV_ACCOUNTS[:4] + [NODE_ADDRESS]


class RestartTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def snapshot(self, node):
        n = block_number(node)
        return {
            "number": n,
            "blocks": [get_block(node, i) for i in range(n + 1)],
            "balances": {a: balance(node, a) for a in WATCHED},
            "nonces": {a: tx_count(node, a) for a in WATCHED},
        }

    def check_same(self, node, snap, txs):
        assert_equal(block_number(node), snap["number"], "head number after restart")
        for i, blk in enumerate(snap["blocks"]):
            assert_equal(get_block(node, i), blk, "block %d after restart" % i)
        assert_equal(node.rpc("eth_getBlockByNumber", "latest", False)["hash"],
                     snap["blocks"][-1]["hash"], "head hash")
        for a in WATCHED:
            assert_equal(balance(node, a), snap["balances"][a], "balance of %s" % a)
            assert_equal(tx_count(node, a), snap["nonces"][a], "nonce of %s" % a)
            assert_equal(tx_count(node, a, "pending"), snap["nonces"][a], "pool nonce of %s" % a)
        for h, r in txs.items():
            assert_equal(receipt(node, h), r, "receipt of %s" % h)
            assert_equal(node.rpc("eth_getTransactionByHash", h)["blockHash"], r["blockHash"])

    def grow(self, node, txs, k):
        """k generated blocks and two transfers; records the receipts."""
        node.rpc("generate", k)
        for i in range(2):
            h = send(node, DEV_ACCOUNTS[i], DEV_ACCOUNTS[i + 2], 10 ** 15 + i)
            txs[h] = receipt(node, h)
            assert_true(txs[h] is not None, "automined")

    def check_extends(self, node, snap, txs):
        self.log("further blocks build on the old head")
        self.grow(node, txs, 2)
        n = block_number(node)
        assert_equal(n, snap["number"] + 4)
        assert_equal(get_block(node, snap["number"] + 1)["parentHash"],
                     snap["blocks"][-1]["hash"], "first new block's parent is the old head")
        for a in (DEV_ACCOUNTS[0], DEV_ACCOUNTS[1]):
            assert_equal(tx_count(node, a), snap["nonces"][a] + 1, "nonce continues")

    def run_test(self):
        node = self.nodes[0]
        txs = {}
        self.log("build a chain: generate and transfers")
        self.grow(node, txs, 3)
        snap = self.snapshot(node)
        assert_equal(snap["number"], 5)

        self.log("stop by RPC, restart: same head, blocks, balances, receipts")
        offset = node._log_size()
        node.stop_rpc()
        assert_in("Shutdown: done", node.new_log_lines(offset))
        node.start()
        self.check_same(node, snap, txs)
        self.check_extends(node, snap, txs)

        self.log("stop by SIGTERM, restart: same again")
        snap = self.snapshot(node)
        node.stop(signal.SIGTERM)
        node.start()
        self.check_same(node, snap, txs)
        self.check_extends(node, snap, txs)

        self.log("a third start right after: nothing lost from the second run")
        snap = self.snapshot(node)
        node.stop()
        node.start()
        self.check_same(node, snap, txs)
        node.stop()


if __name__ == "__main__":
    RestartTest().main()
