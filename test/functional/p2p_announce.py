#!/usr/bin/env python3
"""Every block reaches every follower, whichever way it was announced.

Node 0 produces blocks (-automine=1); nodes 1 and 2 (-automine=0) each
-connect to node 0 only (a star, as hubs around a producer: nobody relays).
With two peers node 0 sends each new block in full (NewBlock) to one of them
and by hash (NewBlockHashes, no TD) to the other, picked at random per
block. Blocks come a few ms apart (generate 1, 2 or 3 at a time), so a hash
often arrives while the follower is busy with node 0 (a sync round started
by the NewBlock before, or the ancestor fetch of the block before). Such an
announcement was once dropped, leaving the follower one block behind until
the next block came; now the synchroniser remembers it and goes for it when
its round ends. After each burst both followers must reach node 0's head
within 5 s, with the same hash.
"""

import time

from test_framework.chain import block_number, get_block, u
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import AssertionFailure, assert_equal, free_port, wait_until

BURSTS = 30


def p2p_args(port, automine):
    return ["-nodiscover", "-bind=127.0.0.1", "-port=%d" % port, "-automine=%d" % automine,
            "-debug=p2p,sync"]


class P2PAnnounceTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.start_nodes = False

    def run_test(self):
        p, a, b = self.nodes
        for n in self.nodes:
            n.isolated = False
        ports = [free_port() for _ in range(3)]
        p.start(p2p_args(ports[0], 1))
        enode = p.rpc("admin_nodeInfo")["enode"]
        a.start(p2p_args(ports[1], 0) + ["-connect=" + enode])
        b.start(p2p_args(ports[2], 0) + ["-connect=" + enode])
        wait_until(lambda: u(p.rpc("net_peerCount")) == 2, 20, "node 0 to have 2 peers")

        self.log("%d bursts of 1-3 blocks; both followers follow each within 5 s" % BURSTS)
        for i in range(BURSTS):
            p.rpc("generate", 1 + i % 3)
            height = block_number(p)
            deadline = time.monotonic() + 5
            while block_number(a) != height or block_number(b) != height:
                if time.monotonic() > deadline:
                    raise AssertionFailure(
                        "burst %d: node 0 at %d, followers at %d and %d after 5 s"
                        % (i, height, block_number(a), block_number(b)))
                time.sleep(0.02)
            time.sleep(0.03 * (i % 4))
        tip = get_block(p, height)["hash"]
        for n in (a, b):
            assert_equal(get_block(n, height)["hash"], tip)


if __name__ == "__main__":
    P2PAnnounceTest().main()
