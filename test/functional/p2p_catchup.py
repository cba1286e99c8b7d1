#!/usr/bin/env python3
"""A node that starts late, or restarts, catches up over devp2p.

Node 0 produces blocks (-automine=1, transfers in some of them); node 1
(-automine=0, -connect to node 0, loopback only, -nodiscover) starts after
50 blocks exist and catches up: node 0's Status shows more total difficulty,
so node 1 walks back from node 0's head with GetBlockHeaders (reverse) to
the genesis and fetches the bodies. Then node 1 is stopped, node 0 goes on
by 20 blocks, and node 1 catches up again on restart. Last, with both
running, node 1 is killed (SIGKILL), node 0 produces 10 blocks, node 1
restarts and catches up the same way, and the next block reaches it by
NewBlock.
"""

from test_framework.chain import DEV_ACCOUNTS, block_number, get_block, receipt, send
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import assert_equal, free_port, wait_until


def p2p_args(port, automine):
    return ["-nodiscover", "-bind=127.0.0.1", "-port=%d" % port, "-automine=%d" % automine]


class P2PCatchupTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.start_nodes = False

    def same_chain(self, a, b, height):
        wait_until(lambda: block_number(b) == height, 60, "node 1 at height %d" % height)
        for n in (1, height // 2, height):
            assert_equal(get_block(b, n)["hash"], get_block(a, n)["hash"], "block %d" % n)
        assert_equal(get_block(b, height, True), get_block(a, height, True))

    def run_test(self):
        a, b = self.nodes
        for n in self.nodes:
            n.isolated = False
        pa, pb = free_port(), free_port()
        a.extra_args += p2p_args(pa, 1)
        a.start()
        enode_a = a.rpc("admin_nodeInfo")["enode"]

        self.log("node 0: 50 blocks, 5 of them with a transfer")
        txs = []
        for i in range(5):
            txs.append(send(a, DEV_ACCOUNTS[1], DEV_ACCOUNTS[3], 1000 + i))
            a.rpc("generate", 9)
        assert_equal(block_number(a), 50)

        self.log("node 1 starts late and catches up")
        b.extra_args += p2p_args(pb, 0) + ["-connect=" + enode_a]
        b.start()
        self.same_chain(a, b, 50)
        for t in txs:
            assert_equal(receipt(b, t)["blockHash"], receipt(a, t)["blockHash"])

        self.log("node 1 stops; node 0 goes on by 20; node 1 restarts and catches up")
        b.stop()
        a.rpc("generate", 20)
        b.start()
        self.same_chain(a, b, 70)

        self.log("node 1 is killed; 10 blocks later it restarts and catches up; then a NewBlock")
        b.kill9()
        a.rpc("generate", 10)
        b.start()
        self.same_chain(a, b, 80)
        a.rpc("generate", 1)
        self.same_chain(a, b, 81)


if __name__ == "__main__":
    P2PCatchupTest().main()
