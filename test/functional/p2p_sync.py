#!/usr/bin/env python3
"""A fresh node syncs a 2,000-block chain with transactions from two peers.

Node 0 (-automine=1) builds 2,000 blocks: 20 rounds of 30 transfers (each a
block of its own: 15 by eth_sendTransaction, 15 signed with
eth_signTransaction and sent raw) and 70 empty blocks by generate. Nodes 1
and 2 (-automine=0) are connected to node 0 from the start and keep up
(propagation, ancestor fetch or sync rounds, whichever the gap calls for).
Then a fresh node 3 connects to nodes 1 and 2 only (-connect twice) and
syncs all 2,000 blocks through the synchroniser:

- eth_syncing reports {startingBlock, currentBlock, highestBlock} while it
  runs (polled; the chain may also be through before the first poll, so
  only the shape of what was seen is checked) and false at the end;
- the head hash is the same on every node, every transfer has its receipt
  on node 3 in the same block as on node 0;
- block bodies came from both peers ("Sync: N bodies from peer ..." lines
  in node 3's debug.log with -debug=sync, one address each);
- the progress line with % and ETA was logged.
Every node runs with -nodiscover on 127.0.0.1, except at the end: node 3
restarts with discovery on (loopback only, as it is bound to 127.0.0.1)
and a fresh node 4, given nothing but -bootnodes=<node 3>, finds it through
discovery v4, dials it and syncs the 2,000 blocks from it.
"""

import re
import time

from test_framework.chain import DEV_ACCOUNTS, block_number, get_block, q, receipt, send, u
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import assert_equal, assert_true, free_port, wait_until

HEIGHT = 2000
ROUNDS = 20
TXS_PER_ROUND = 30


def p2p_args(port, automine):
    return ["-nodiscover", "-bind=127.0.0.1", "-port=%d" % port, "-automine=%d" % automine,
            "-debug=sync"]


class P2PSyncTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 4
        self.start_nodes = False

    def build_chain(self, a):
        txs = []
        for r in range(ROUNDS):
            for i in range(TXS_PER_ROUND):
                frm = DEV_ACCOUNTS[(r + i) % 5]
                to = DEV_ACCOUNTS[5 + i % 5]
                if i % 2 == 0:
                    txs.append(send(a, frm, to, 1000 + r * TXS_PER_ROUND + i))
                    continue
                nonce = u(a.rpc("eth_getTransactionCount", frm, "pending"))
                signed = a.rpc("eth_signTransaction", {
                    "from": frm, "to": to, "value": q(7 + i), "gas": q(21000),
                    "gasPrice": q(10 ** 9), "nonce": q(nonce)})
                raw = signed["raw"] if isinstance(signed, dict) else signed
                txs.append(a.rpc("eth_sendRawTransaction", raw))
            left = HEIGHT * (r + 1) // ROUNDS - block_number(a)
            while left > 0:
                k = min(left, 1000)
                a.rpc("generate", k)
                left -= k
        assert_equal(block_number(a), HEIGHT)
        return txs

    def run_test(self):
        a, b, c, d = self.nodes
        for n in self.nodes:
            n.isolated = False
        ports = [free_port() for _ in range(4)]

        self.log("node 0 produces; nodes 1 and 2 follow it from the start")
        a.start(p2p_args(ports[0], 1))
        enode_a = a.rpc("admin_nodeInfo")["enode"]
        b.start(p2p_args(ports[1], 0) + ["-connect=" + enode_a])
        c.start(p2p_args(ports[2], 0) + ["-connect=" + enode_a])
        wait_until(lambda: u(a.rpc("net_peerCount")) == 2, 20, "node 0 to have 2 peers")

        t0 = time.time()
        txs = self.build_chain(a)
        self.log("node 0: %d blocks, %d transfers in %.1f s" % (HEIGHT, len(txs), time.time() - t0))
        head = get_block(a, HEIGHT)["hash"]
        for n in (b, c):
            wait_until(lambda: block_number(n) == HEIGHT, 90, "node%d at %d" % (n.index, HEIGHT))
            assert_equal(get_block(n, HEIGHT)["hash"], head)

        self.log("a fresh node 3 connects to nodes 1 and 2 and syncs")
        enode_b = b.rpc("admin_nodeInfo")["enode"]
        enode_c = c.rpc("admin_nodeInfo")["enode"]
        t0 = time.time()
        d.start(p2p_args(ports[3], 0) + ["-connect=" + enode_b, "-connect=" + enode_c])
        seen = []
        deadline = time.time() + 120
        while block_number(d) < HEIGHT and time.time() < deadline:
            s = d.rpc("eth_syncing")
            if s is not False:
                seen.append(s)
            time.sleep(0.05)
        took = time.time() - t0
        assert_equal(block_number(d), HEIGHT, "node 3's height")
        self.log("node 3 synced %d blocks in %.1f s; eth_syncing showed progress %d time(s)"
                 % (HEIGHT, took, len(seen)))
        for s in seen:
            start, cur, high = (u(s["startingBlock"]), u(s["currentBlock"]),
                                u(s["highestBlock"]))
            assert_true(start <= cur <= high <= HEIGHT, "eth_syncing %r is ordered" % s)
        wait_until(lambda: d.rpc("eth_syncing") is False, 20, "eth_syncing false at the end")

        self.log("same head everywhere; every transfer has its receipt on node 3")
        for n in self.nodes:
            assert_equal(get_block(n, HEIGHT)["hash"], head, "node%d head" % n.index)
        for i, t in enumerate(txs):
            if i % 10 and i != len(txs) - 1:
                continue  # a tenth of them (and the last) is enough, and fast
            r = receipt(d, t)
            assert_true(r is not None, "receipt of %s on node 3" % t)
            assert_equal(r["blockHash"], receipt(a, t)["blockHash"])
        assert_equal(u(get_block(d, HEIGHT // 2)["totalDifficulty"]),
                     u(get_block(a, HEIGHT // 2)["totalDifficulty"]))

        self.log("bodies came from both peers; progress lines were logged")
        log = d.debug_log()
        sources = {}
        for m in re.finditer(r"Sync: (\d+) bodies from peer (\S+)", log):
            sources[m.group(2)] = sources.get(m.group(2), 0) + int(m.group(1))
        self.log("bodies per peer: %r" % sources)
        assert_equal(len(sources), 2, "peers that served bodies")
        assert_true(all(v > 0 for v in sources.values()), "both served some bodies")
        assert_true(re.search(r"Sync: done at block %d" % HEIGHT, log) is not None or
                    re.search(r"Sync: block \d+ of %d \(" % HEIGHT, log) is not None,
                    "a sync progress or completion line in node 3's log")

        self.log("discovery on loopback: node 3 restarts with discovery on; a fresh node 4 "
                 "given only -bootnodes=node 3 finds it and syncs")
        d.stop()
        d.start(["-bind=127.0.0.1", "-port=%d" % ports[3], "-automine=0", "-debug=sync"])
        enode_d = d.rpc("admin_nodeInfo")["enode"]
        assert_true("discovery on UDP port %d" % ports[3] in d.debug_log(),
                    "node 3 runs discovery on its -port")
        e = self.add_node()
        e.isolated = False
        e.start(["-bind=127.0.0.1", "-port=%d" % free_port(), "-automine=0",
                 "-bootnodes=" + enode_d])
        wait_until(lambda: len(e.rpc("admin_peers")) == 1, 30, "node 4 to find node 3")
        assert_equal(e.rpc("admin_peers")[0]["id"], enode_d[8:136])
        wait_until(lambda: block_number(e) == HEIGHT, 90, "node 4 at %d" % HEIGHT)
        assert_equal(get_block(e, HEIGHT)["hash"], head)


if __name__ == "__main__":
    P2PSyncTest().main()
