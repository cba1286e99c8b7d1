#!/usr/bin/env python3
"""Three regtest nodes over devp2p on loopback.

Node 0 produces blocks (-automine=1); nodes 1 and 2 never do (-automine=0):
every regtest node seals with the same key, so only one may produce. Every
node runs with -nodiscover and dials only 127.0.0.1: node 1 with -connect
to node 0, node 2 with -addnode to node 0 and then admin_addPeer to node 1.

- admin_peers lists the peers in geth's shape, admin_nodeInfo gives the
  enode with the -port, net_peerCount and net_listening agree;
- blocks produced on node 0 reach nodes 1 and 2 (NewBlock / NewBlockHashes);
- a transaction sent to node 2 reaches node 0, which mines it, and the
  block reaches every node;
- a devnet node (another genesis) that dials node 0 is dropped at Status
  ("genesis mismatch", subprotocol error) and never counted as a peer;
- a client that sends garbage bytes is disconnected and its address banned
  (a second connection is refused at once), while node 0 keeps its peers,
  serving RPC and propagating blocks.
"""

import socket
import time

from test_framework.chain import DEV_ACCOUNTS, block_number, get_block, receipt, send, u
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (assert_equal, assert_in, assert_true, free_port,
                                 wait_until)


def p2p_args(port, automine):
    return ["-nodiscover", "-bind=127.0.0.1", "-port=%d" % port, "-automine=%d" % automine,
            "-debug=net,p2p,sync"]


def peer_ids(node):
    return sorted(p["id"] for p in node.rpc("admin_peers"))


class P2PConnectTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.start_nodes = False

    def run_test(self):
        a, b, c = self.nodes
        ports = [free_port() for _ in range(3)]
        for n in self.nodes:
            n.isolated = False

        self.log("node 0 listens; node 1 -connect to it; node 2 -addnode to it")
        a.start(p2p_args(ports[0], 1))
        info_a = a.rpc("admin_nodeInfo")
        enode_a = info_a["enode"]
        assert_true(enode_a.startswith("enode://") and
                    enode_a.endswith("@127.0.0.1:%d" % ports[0]),
                    "enode %s carries -bind and -port" % enode_a)
        assert_equal(info_a["ports"]["listener"], ports[0])
        assert_equal(a.rpc("net_listening"), True)
        b.start(p2p_args(ports[1], 0) + ["-connect=" + enode_a])
        c.start(p2p_args(ports[2], 0) + ["-addnode=" + enode_a])
        id_a = enode_a[8:136]
        id_b = b.rpc("admin_nodeInfo")["enode"][8:136]
        id_c = c.rpc("admin_nodeInfo")["enode"][8:136]
        assert_true(len({id_a, id_b, id_c}) == 3, "three distinct node ids")
        wait_until(lambda: u(a.rpc("net_peerCount")) == 2, 20, "node 0 to have 2 peers")
        assert_equal(peer_ids(a), sorted([id_b, id_c]))
        wait_until(lambda: peer_ids(b) == [id_a], 10, "node 1 to see node 0")

        self.log("admin_addPeer: node 2 adds node 1")
        assert_equal(c.rpc("admin_addPeer", b.rpc("admin_nodeInfo")["enode"]), True)
        wait_until(lambda: len(peer_ids(c)) == 2, 20, "node 2 to have 2 peers")
        assert_equal(peer_ids(c), sorted([id_a, id_b]))
        assert_equal(u(c.rpc("net_peerCount")), 2)

        self.log("admin_peers in geth's shape")
        p = [x for x in a.rpc("admin_peers") if x["id"] == id_b][0]
        assert_true(p["name"].startswith("spectrumd/"), "name %s" % p["name"])
        assert_in("eth/63", p["caps"])
        assert_in("eth/62", p["caps"])
        assert_equal(p["network"]["inbound"], True)
        assert_true(p["network"]["remoteAddress"].startswith("127.0.0.1:"), "remote address")
        assert_equal(p["network"]["localAddress"], "127.0.0.1:%d" % ports[0])
        assert_equal(p["protocols"]["eth"]["version"], 63)
        assert_equal(p["protocols"]["eth"]["head"], get_block(a, 0)["hash"])
        q = [x for x in b.rpc("admin_peers") if x["id"] == id_a][0]
        assert_equal((q["network"]["inbound"], q["network"]["static"]), (False, True))

        self.log("blocks produced on node 0 reach nodes 1 and 2")
        hashes = a.rpc("generate", 3)
        for n in (b, c):
            wait_until(lambda: block_number(n) == 3, 30, "node%d at height 3" % n.index)
            assert_equal([get_block(n, i)["hash"] for i in (1, 2, 3)], hashes)
        assert_equal(u(get_block(c, 3)["totalDifficulty"]), u(get_block(a, 3)["totalDifficulty"]))

        self.log("a transaction sent to node 2 is mined by node 0 and reaches everyone")
        t = send(c, DEV_ACCOUNTS[1], DEV_ACCOUNTS[2], 4242)
        wait_until(lambda: receipt(a, t) is not None, 30, "node 0 to mine the transaction")
        mined = receipt(a, t)
        for n in (b, c):
            wait_until(lambda: receipt(n, t) is not None, 30, "node%d to get the block" % n.index)
            assert_equal(receipt(n, t)["blockHash"], mined["blockHash"])
        assert_equal(u(mined["blockNumber"]), 4)

        self.log("a devnet node (another genesis) is dropped at Status")
        d = self.add_node(chain="devnet")
        d.isolated = False
        off = a._log_size()
        d.start(["-nodiscover", "-bind=127.0.0.1", "-port=%d" % free_port(),
                 "-connect=" + enode_a])
        wait_until(lambda: "genesis mismatch" in a.new_log_lines(off), 20,
                   "node 0 to drop the devnet node")
        assert_in("subprotocol error", a.new_log_lines(off))
        assert_equal(u(a.rpc("net_peerCount")), 2)
        assert_equal(peer_ids(a), sorted([id_b, id_c]))
        d.stop()

        self.log("garbage bytes: disconnected and banned; node 0 keeps serving")
        off = a._log_size()
        s = socket.create_connection(("127.0.0.1", ports[0]), timeout=10)
        s.sendall(bytes([0x01, 0x20]) + bytes((i * 131 + 7) & 0xff for i in range(600)))
        assert_equal(s.recv(100), b"", "node 0 closes the garbage connection")
        s.close()
        wait_until(lambda: "P2P: banned 127.0.0.1" in a.new_log_lines(off), 10, "the ban")
        s = socket.create_connection(("127.0.0.1", ports[0]), timeout=10)
        assert_equal(s.recv(100), b"", "a banned address is refused at once")
        s.close()
        wait_until(lambda: "refused connection from 127.0.0.1: banned" in a.new_log_lines(off),
                   10, "the refusal")
        assert_equal(peer_ids(a), sorted([id_b, id_c]))
        hashes = a.rpc("generate", 2)
        for n in (b, c):
            wait_until(lambda: block_number(n) == 6, 30, "node%d at height 6" % n.index)
            assert_equal(get_block(n, 6)["hash"], hashes[-1])

        self.log("stopping node 1: node 0 sees it leave")
        b.stop()
        wait_until(lambda: peer_ids(a) == [id_c], 20, "node 0 to drop node 1")
        time.sleep(0.1)


if __name__ == "__main__":
    P2PConnectTest().main()
