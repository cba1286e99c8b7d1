#!/usr/bin/env python3
"""kill -9 during heavy block production never loses a reported block.

Each round: threads send transfers (eth_sendTransaction; with automine the
block is imported before the reply) while the main loop calls `generate`,
every returned block hash and transaction hash is recorded, and the node is
SIGKILLed at a random moment. After the restart the node must start, its
head must be at or above every reported block, every reported block must be
canonical at its number, and every reported transaction must have its
receipt. At the end the balances of a sender and of its receiver must equal
genesis minus/plus what the chain's receipts say moved (values and fees), and
the sender's nonce its number of mined transactions.

The random seed is printed, so a failing schedule can be replayed with
--seed."""

import os
import random
import threading
import time

from test_framework.chain import (DEV_ACCOUNTS, DEV_BALANCE, balance, block_number, get_block,
                                  receipt, send, tx_count, u)
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import AssertionFailure, assert_equal, assert_true

ROUNDS = 3
# (sender, receiver): the first pair gets the sum check; nobody else sends to
# or from those two accounts.
PAIRS = [(DEV_ACCOUNTS[1], DEV_ACCOUNTS[4]), (DEV_ACCOUNTS[2], DEV_ACCOUNTS[5])]


class Production:
    """One round of load against a node until it is killed."""

    def __init__(self, node, rng):
        self.node = node
        self.rng = rng
        self.blocks = []          # hashes `generate` returned
        self.txs = []             # hashes eth_sendTransaction returned
        self.errors = []          # failures before the kill
        self.killed = threading.Event()
        self.lock = threading.Lock()

    def _failed(self, what, e):
        if not self.killed.is_set():
            self.errors.append("%s: %r" % (what, e))

    def sender(self, frm, to):
        while not self.killed.is_set():
            try:
                h = send(self.node, frm, to, 1000 + self.rng.randrange(1000))
            except Exception as e:     # the node died under us, or a real failure
                self._failed("eth_sendTransaction", e)
                return
            with self.lock:
                self.txs.append(h)

    def generator(self):
        while not self.killed.is_set():
            try:
                hashes = self.node.rpc("generate", self.rng.randint(1, 3))
            except Exception as e:
                self._failed("generate", e)
                return
            with self.lock:
                self.blocks.extend(hashes)

    def run(self, seconds):
        threads = [threading.Thread(target=self.sender, args=p, daemon=True) for p in PAIRS]
        threads.append(threading.Thread(target=self.generator, daemon=True))
        for t in threads:
            t.start()
        time.sleep(seconds)
        self.killed.set()
        self.node.kill9()
        for t in threads:
            t.join(30)
        if self.errors:
            raise AssertionFailure("failures before the kill: %s" % "; ".join(self.errors))


class Kill9Test(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        seed = int(os.environ.get("KILL9_SEED") or int.from_bytes(os.urandom(4), "big"))
        self.log("random seed %d (replay with KILL9_SEED=%d)" % (seed, seed))
        rng = random.Random(seed)
        node = self.nodes[0]
        all_blocks, all_txs = [], []
        for rnd in range(ROUNDS):
            delay = rng.uniform(0.4, 1.5)
            self.log("round %d: production, kill -9 after %.2f s" % (rnd + 1, delay))
            p = Production(node, rng)
            p.run(delay)
            self.log("round %d: %d blocks and %d transactions reported; restart"
                     % (rnd + 1, len(p.blocks), len(p.txs)))
            assert_true(len(p.blocks) > 0 and len(p.txs) > 0, "production ran")
            node.start()
            all_blocks += p.blocks
            all_txs += p.txs
            self.check_reported(node, all_blocks, all_txs)
            # The node goes on: a block and a transfer after the restart.
            n = block_number(node)
            node.rpc("generate", 1)
            h = send(node, PAIRS[1][0], PAIRS[1][1], 1)
            assert_true(receipt(node, h) is not None, "transfer after restart mined")
            assert_equal(block_number(node), n + 2)
        self.check_sums(node)
        node.stop()

    def check_reported(self, node, blocks, txs):
        head = block_number(node)
        top = 0
        for h in blocks:
            blk = node.rpc("eth_getBlockByHash", h, False)
            assert_true(blk is not None, "reported block %s lost" % h)
            n = u(blk["number"])
            top = max(top, n)
            assert_equal(get_block(node, n)["hash"], h, "reported block canonical at %d" % n)
        assert_true(head >= top, "head %d below the highest reported block %d" % (head, top))
        for h in txs:
            assert_true(receipt(node, h) is not None, "reported transaction %s lost" % h)
        self.log("head %d; all %d reported blocks canonical, all %d transactions mined"
                 % (head, len(blocks), len(txs)))

    def check_sums(self, node):
        self.log("sum check: balances equal genesis +/- what the receipts moved")
        frm, to = PAIRS[0]
        head = block_number(node)
        spent = received = count = 0
        for n in range(1, head + 1):
            for tx in get_block(node, n, True)["transactions"]:
                if tx["from"].lower() != frm:
                    continue
                assert_equal(tx["to"].lower(), to)
                r = receipt(node, tx["hash"])
                count += 1
                spent += u(r["gasUsed"]) * u(tx["gasPrice"])
                if r["status"] == "0x1":
                    spent += u(tx["value"])
                    received += u(tx["value"])
        assert_true(count > 0, "the sender has mined transactions")
        assert_equal(balance(node, frm), DEV_BALANCE - spent, "sender balance")
        assert_equal(balance(node, to), DEV_BALANCE + received, "receiver balance")
        assert_equal(tx_count(node, frm), count, "sender nonce = its mined transactions")
        self.log("%d transactions of the sender over %d blocks add up" % (count, head))


if __name__ == "__main__":
    Kill9Test().main()
