#!/usr/bin/env python3
"""Transactions sent together by several clients share automined blocks, and
each client is still answered only once its transaction is mined, even with
a single RPC worker (-rpcthreads=1).

Submissions wait for the chain thread on their own pool of threads (RPC_WAITS
in src/rpc/dispatch.h), so the general workers never block on them and the
chain thread sees every waiting submission at once. Here the chain thread is
kept busy with a long `generate` while eight clients send one transaction
each from eight dev accounts; when it looks at its queue again all eight are
there and make fewer than eight blocks. Without the wait pool, the one worker
would hand them over one at a time: one block each.
"""

import threading

from test_framework.chain import DEV_ACCOUNTS, block_number, receipt, send
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import assert_equal, assert_true, wait_until

SENDERS = 8
GENERATE = 300


class RpcBatchingTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-rpcthreads=1"]]

    def run_test(self):
        node = self.nodes[0]
        to = DEV_ACCOUNTS[9]
        results = {}

        def generate():
            results["generate"] = node.rpc("generate", GENERATE)

        def sender(i):
            h = send(node, DEV_ACCOUNTS[i], to, 1000 + i)
            # Answered only after its block was imported.
            results[i] = (h, receipt(node, h))

        self.log("a long generate keeps the chain thread busy")
        gen = threading.Thread(target=generate)
        gen.start()
        wait_until(lambda: block_number(node) >= 2, timeout=60)
        self.log(f"{SENDERS} clients send a transaction each meanwhile")
        threads = [threading.Thread(target=sender, args=(i,)) for i in range(SENDERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        gen.join(120)
        assert_equal(len(results["generate"]), GENERATE)
        blocks = set()
        for i in range(SENDERS):
            assert_true(i in results, f"client {i} got no answer")
            h, r = results[i]
            assert_true(r is not None, f"client {i}: no receipt when eth_sendTransaction returned")
            assert_equal(r["status"], "0x1")
            blocks.add(r["blockNumber"])
        self.log(f"{SENDERS} transactions in {len(blocks)} block(s)")
        assert_true(len(blocks) < SENDERS,
                    f"{SENDERS} waiting transactions made {len(blocks)} blocks: not batched")
        assert_equal(block_number(node), GENERATE + len(blocks))


if __name__ == "__main__":
    RpcBatchingTest().main()
