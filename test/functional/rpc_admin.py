#!/usr/bin/env python3
"""admin_ and txpool_inspect.

- admin_nodeInfo: the enode URL carries the node key's public key (checked:
  its keccak gives the regtest node address of doc/regtest.md), at
  127.0.0.1 and the p2p port 60303; id = keccak256(public key); name =
  web3_clientVersion; ports; protocols.eth = network id (net_version),
  genesis hash, head hash and total difficulty, which follow new blocks.
- admin_peers is [] (no p2p yet); admin_addPeer checks the URL ("invalid
  enode: ...") and answers "p2p is not running yet" for a valid one.
- Wrong arity is -32602; without credentials 401.
- txpool_inspect with -automine=0: geth's one-line summaries ("<to>: <v> wei
  + <gas> gas × <price> wei", "contract creation: ..."), EIP-55 senders and
  recipients, decimal nonces, pending and queued (after a nonce gap) apart,
  and empty again after `generate`.
"""

from test_framework.chain import (DEV_ACCOUNTS, NODE_ADDRESS, get_block, hx, q, send, u)
from test_framework.keccak import keccak256
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (assert_equal, assert_in, assert_raises_rpc_error, assert_true)

P2P_PORT = 60303
GWEI = 10 ** 9
# secp256k1's generator: a valid public key for URLs.
G = ("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
     "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")


def checksum(addr):
    """EIP-55, computed here."""
    h = keccak256(addr[2:].lower().encode()).hex()
    return "0x" + "".join(c.upper() if int(h[i], 16) >= 8 else c
                          for i, c in enumerate(addr[2:].lower()))


class AdminTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        self.test_node_info(node)
        self.test_peers(node)
        self.test_auth(node)
        self.test_txpool_inspect(node)

    def check_eth_protocol(self, node, info):
        eth = info["protocols"]["eth"]
        head = get_block(node, "latest")
        assert_equal(eth["network"], int(node.rpc("net_version")))
        assert_equal(eth["genesis"], get_block(node, 0)["hash"])
        assert_equal(eth["head"], head["hash"])
        assert_equal(eth["difficulty"], u(head["totalDifficulty"]))

    def test_node_info(self, node):
        self.log("admin_nodeInfo: enode of the node key, id, name, ports, eth status")
        info = node.rpc("admin_nodeInfo")
        enode = info["enode"]
        assert_true(enode.startswith("enode://"), enode)
        pub, at = enode[len("enode://"):].split("@")
        assert_equal(len(pub), 128)
        assert_equal("0x" + keccak256(bytes.fromhex(pub))[12:].hex(), NODE_ADDRESS,
                     "the enode's key is the node key")
        assert_equal(at, "127.0.0.1:%d" % P2P_PORT)
        assert_equal(info["id"], keccak256(bytes.fromhex(pub)).hex())
        assert_equal(info["name"], node.rpc("web3_clientVersion"))
        assert_equal(info["ip"], "127.0.0.1")
        assert_equal(info["listenAddr"], "[::]:%d" % P2P_PORT)
        assert_equal(info["ports"], {"discovery": P2P_PORT, "listener": P2P_PORT})
        self.check_eth_protocol(node, info)
        node.rpc("generate", 3)
        info2 = node.rpc("admin_nodeInfo")
        self.check_eth_protocol(node, info2)
        assert_true(info2["protocols"]["eth"]["head"] != info["protocols"]["eth"]["head"],
                    "head follows the chain")
        assert_true(info2["protocols"]["eth"]["difficulty"] >
                    info["protocols"]["eth"]["difficulty"], "total difficulty grows")
        assert_equal(info2["enode"], enode)
        assert_raises_rpc_error(-32602, "too many arguments", node.rpc, "admin_nodeInfo", 1)

    def test_peers(self, node):
        self.log("admin_peers [], admin_addPeer: URL checks, then \"p2p is not running yet\"")
        assert_equal(node.rpc("admin_peers"), [])
        assert_raises_rpc_error(-32602, "too many arguments", node.rpc, "admin_peers", "x")
        for url in ("enode://%s@10.0.0.1:30303" % G,
                    "enode://%s@[::1]:60303?discport=30301" % G,
                    node.rpc("admin_nodeInfo")["enode"]):
            assert_raises_rpc_error(-32000, "p2p is not running yet", node.rpc,
                                    "admin_addPeer", url)
        for url, why in (("http://%s@10.0.0.1:30303" % G, "invalid URL scheme"),
                         ("enode://10.0.0.1:30303", "does not contain node ID"),
                         ("enode://%s@10.0.0.1:30303" % G[:-2], "invalid node ID"),
                         ("enode://%s@10.0.0.1:30303" % (G[:-1] + "9"), "invalid public key"),
                         ("enode://%s@peer.example:30303" % G, "invalid IP address"),
                         ("enode://%s@10.0.0.1" % G, "invalid port"),
                         ("enode://%s@10.0.0.1:70000" % G, "invalid port"),
                         ("enode://%s@10.0.0.1:1?discport=x" % G, "invalid discport")):
            assert_raises_rpc_error(-32000, "invalid enode: " + why, node.rpc, "admin_addPeer",
                                    url)
        assert_raises_rpc_error(-32602, "missing value for required argument 0", node.rpc,
                                "admin_addPeer")
        assert_raises_rpc_error(-32602, "invalid argument 0", node.rpc, "admin_addPeer", 5)
        assert_raises_rpc_error(-32602, "invalid argument 0", node.rpc, "admin_addPeer",
                                "enode://" + "a" * 5000)

    def test_auth(self, node):
        self.log("admin_ and txpool_inspect need credentials")
        for method in ("admin_nodeInfo", "admin_peers", "admin_addPeer", "txpool_inspect"):
            status, _, body = node.http({"jsonrpc": "2.0", "id": 1, "method": method,
                                         "params": []}, auth=False)
            assert_equal((status, body), (401, b""), method)

    def test_txpool_inspect(self, node):
        self.log("txpool_inspect: geth's summaries of pending and queued transactions")
        node.stop()
        node.start(["-automine=0"])
        assert_equal(node.rpc("txpool_inspect"), {"pending": {}, "queued": {}})
        a, b, c, d = DEV_ACCOUNTS[:4]
        send(node, a, b, 12345, gas=21000, gasPrice=3 * GWEI)
        send(node, a, c, 0, gas=30000, gasPrice=2 * GWEI, data="0x01")
        send(node, b, None, 7, gas=100000, gasPrice=GWEI, data="0x00")
        # d: a transaction after a nonce gap (signed with nonce + 1) is queued.
        nonce = u(node.rpc("eth_getTransactionCount", d, "pending"))
        raw = node.rpc("eth_signTransaction", {"from": d, "to": a, "value": q(1),
                                               "gas": q(21000), "gasPrice": q(GWEI),
                                               "nonce": q(nonce + 1)})["raw"]
        node.rpc("eth_sendRawTransaction", raw)
        got = node.rpc("txpool_inspect")
        mul = "\u00d7"
        want = {
            "pending": {
                checksum(a): {
                    "0": "%s: 12345 wei + 21000 gas %s %d wei" % (checksum(b), mul, 3 * GWEI),
                    "1": "%s: 0 wei + 30000 gas %s %d wei" % (checksum(c), mul, 2 * GWEI),
                },
                checksum(b): {
                    "0": "contract creation: 7 wei + 100000 gas %s %d wei" % (mul, GWEI),
                },
            },
            "queued": {
                checksum(d): {
                    str(nonce + 1): "%s: 1 wei + 21000 gas %s %d wei" % (checksum(a), mul,
                                                                           GWEI),
                },
            },
        }
        assert_equal(got, want)
        # The same transactions as txpool_content lists.
        content = node.rpc("txpool_content")
        for kind in ("pending", "queued"):
            assert_equal({s: sorted(v) for s, v in content[kind].items()},
                         {s: sorted(v) for s, v in got[kind].items()}, kind)
        assert_raises_rpc_error(-32602, "too many arguments", node.rpc, "txpool_inspect", 1)
        node.rpc("generate", 1)
        after = node.rpc("txpool_inspect")
        assert_equal(after["pending"], {}, "mined")
        assert_in(checksum(d), after["queued"], "still behind its gap")


if __name__ == "__main__":
    AdminTest().main()
