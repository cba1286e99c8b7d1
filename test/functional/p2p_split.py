#!/usr/bin/env python3
"""A network split into two halves that both produce blocks converges on the
heavier chain when it heals.

Four regtest nodes on 127.0.0.1 (-nodiscover, -automine=0; blocks only by
`generate`). Every regtest node seals with the same key, so each half has
one producer: node 0 in half A (with node 1), node 2 in half B (with
node 3).

1. Node 0 makes 5 blocks; nodes 1 and 2 -connect to node 0, node 3 to
   node 2: all four share them.
2. Split: node 2 restarts with -connect to node 3 only (its p2p key and
   port stay the same, and node 0 never dials it). Half A makes 30 blocks
   on node 0, half B 60 on node 2 (the heavier); each half agrees within
   itself and the halves differ from block 6 on.
3. Heal: node 1 adds node 3 (admin_addPeer). Half A is 30 blocks behind on
   another branch: nodes 1 and 0 reorganise onto half B's chain (the sync
   finds the common ancestor at block 5), and every node ends with node
   2's head and total difficulty.
4. A block made on node 0 after the heal (on the common chain now)
   reaches every node.
"""

from test_framework.chain import block_number, get_block, u
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import assert_equal, assert_true, free_port, wait_until


def p2p_args(port):
    return ["-nodiscover", "-bind=127.0.0.1", "-port=%d" % port, "-automine=0",
            "-debug=sync"]


class P2PSplitTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 4
        self.start_nodes = False

    def head(self, n):
        b = get_block(n, "latest")
        return u(b["number"]), b["hash"], u(b["totalDifficulty"])

    def wait_same(self, nodes, what, timeout=60):
        def same():
            heads = [self.head(n) for n in nodes]
            return all(h == heads[0] for h in heads)
        wait_until(same, timeout, what)
        return self.head(nodes[0])

    def run_test(self):
        n0, n1, n2, n3 = self.nodes
        for n in self.nodes:
            n.isolated = False
        ports = [free_port() for _ in range(4)]

        self.log("a common start: 5 blocks on node 0, shared by all four")
        n0.start(p2p_args(ports[0]))
        e0 = n0.rpc("admin_nodeInfo")["enode"]
        n0.rpc("generate", 5)
        n1.start(p2p_args(ports[1]) + ["-connect=" + e0])
        n2.start(p2p_args(ports[2]) + ["-connect=" + e0])
        e2 = n2.rpc("admin_nodeInfo")["enode"]
        n3.start(p2p_args(ports[3]) + ["-connect=" + e2])
        e3 = n3.rpc("admin_nodeInfo")["enode"]
        common = self.wait_same(self.nodes, "all four at block 5")
        assert_equal(common[0], 5)

        self.log("split: node 2 restarts connected to node 3 only")
        n2.stop()
        n2.start(p2p_args(ports[2]) + ["-connect=" + e3])
        assert_equal(n2.rpc("admin_nodeInfo")["enode"], e2)
        wait_until(lambda: len(n2.rpc("admin_peers")) == 1, 30, "node 2 and node 3 to reconnect")
        assert_equal(len(n0.rpc("admin_peers")), 1)

        self.log("half A makes 30 blocks, half B 60")
        n0.rpc("generate", 30)
        n2.rpc("generate", 60)
        a = self.wait_same([n0, n1], "half A to agree")
        b = self.wait_same([n2, n3], "half B to agree")
        assert_equal((a[0], b[0]), (35, 65))
        assert_true(b[2] > a[2], "half B is heavier (TD %d > %d)" % (b[2], a[2]))
        assert_equal(get_block(n1, 5)["hash"], get_block(n3, 5)["hash"])
        assert_true(get_block(n1, 6)["hash"] != get_block(n3, 6)["hash"],
                    "the halves differ from block 6 on")
        old_a35 = a[1]

        self.log("heal: node 1 adds node 3; everyone converges on half B's chain")
        off0 = n0._log_size()
        assert_equal(n1.rpc("admin_addPeer", e3), True)
        final = self.wait_same(self.nodes, "all four on one chain", timeout=90)
        assert_equal(final, b)
        assert_true(get_block(n0, 35)["hash"] != old_a35, "node 0's block 35 was replaced")
        for n in self.nodes:
            for k in (5, 6, 35, 65):
                assert_equal(get_block(n, k)["hash"], get_block(n2, k)["hash"],
                             "node%d block %d" % (n.index, k))
        assert_true("Reorganize" in n0.new_log_lines(off0), "node 0 logged its reorganisation")

        self.log("a block made on node 0 after the heal reaches every node")
        n0.rpc("generate", 1)
        after = self.wait_same(self.nodes, "all four at block 66")
        assert_equal(after[0], 66)
        assert_equal(block_number(n3), 66)


if __name__ == "__main__":
    P2PSplitTest().main()
