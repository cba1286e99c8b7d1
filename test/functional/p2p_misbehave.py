#!/usr/bin/env python3
"""Peers that send invalid blocks or oversized messages are disconnected and
banned, while the node goes on following and syncing from its honest peer.

The hostile peer is test/functional/p2p_probe (built with the programs): a
real RLPx client on the node's own transport code, since the standard library
has no secp256k1. It does the handshake, Hello and Status honestly, then:
- node 1, synced with node 0: NewBlock carrying a block with a broken state
  root (test_buildblock stateRoot, built on node 0's head, which node 1 has);
- node 2, while it syncs 300 blocks from node 0: a message whose snappy header
  declares 11 MiB, over eth's 10 MiB cap.
Each time the probe must see the connection closed, its next attempt from the
same address must be refused (the ban), the node must keep its honest peer,
and node 2's sync must complete.
"""

import subprocess
import threading

from test_framework.chain import block_number, get_block
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import assert_equal, assert_in, assert_true, free_port, wait_until


def p2p_args(port, automine):
    return ["-nodiscover", "-bind=127.0.0.1", "-port=%d" % port, "-automine=%d" % automine]


class P2PMisbehaveTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.start_nodes = False

    def probe(self, port, node_id, mode, *args):
        p = subprocess.run([self.binary("test/functional/p2p_probe"), str(port), node_id, mode]
                           + list(args), capture_output=True, text=True, timeout=60)
        self.log("probe %s: exit %d, %s" % (mode, p.returncode, " | ".join(p.stdout.split("\n"))))
        return p

    def run_test(self):
        a, b, c = self.nodes
        for n in self.nodes:
            n.isolated = False
        pa, pb, pc = free_port(), free_port(), free_port()
        a.extra_args += p2p_args(pa, 1)
        a.start()
        enode_a = a.rpc("admin_nodeInfo")["enode"]
        a.rpc("generate", 40)

        self.log("node 1 follows node 0; a probe sends it an invalid block")
        b.extra_args += p2p_args(pb, 0) + ["-connect=" + enode_a]
        b.start()
        wait_until(lambda: block_number(b) == 40, 60, "node 1 synced")
        id_b = b.rpc("admin_nodeInfo")["enode"][8:136]
        honest = self.probe(pb, id_b, "hello")
        assert_equal(honest.returncode, 2, "an honest peer stays connected")
        bad = a.rpc("test_buildblock", "stateRoot")
        r = self.probe(pb, id_b, "newblock", bad[2:])
        assert_in("status", r.stdout)
        assert_equal(r.returncode, 0, "the node closed the connection after the invalid block")
        assert_in("disconnected subprotocol error", r.stdout)
        assert_true("Rejected block 41" in b.debug_log() or "invalid" in b.debug_log().lower(),
                    "node 1 logged the rejection")
        r = self.probe(pb, id_b, "hello")
        assert_equal(r.returncode, 3, "the banned address is refused")
        self.log("node 1 keeps node 0 and follows it")
        assert_equal(len(b.rpc("admin_peers")), 1)
        a.rpc("generate", 5)
        wait_until(lambda: block_number(b) == 45, 60, "node 1 follows")
        assert_equal(get_block(b, 45)["hash"], get_block(a, 45)["hash"])

        self.log("node 0 grows to 345 blocks; node 2 syncs them while a probe sends 11 MiB")
        a.rpc("generate", 300)
        c.extra_args += p2p_args(pc, 0) + ["-connect=" + enode_a]
        c.start()
        id_c = c.rpc("admin_nodeInfo")["enode"][8:136]
        r = self.probe(pc, id_c, "oversized")
        assert_in("status", r.stdout)
        assert_equal(r.returncode, 0, "the node closed the connection after the oversized message")
        assert_in("disconnected breach of protocol", r.stdout)
        r = self.probe(pc, id_c, "hello")
        assert_equal(r.returncode, 3, "the banned address is refused")
        wait_until(lambda: block_number(c) == 345, 120, "node 2 synced")
        assert_equal(get_block(c, 345)["hash"], get_block(a, 345)["hash"])
        assert_equal(len(c.rpc("admin_peers")), 1)


if __name__ == "__main__":
    P2PMisbehaveTest().main()
