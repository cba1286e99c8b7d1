#!/usr/bin/env python3
"""The live networks' genesis blocks, read over RPC from fresh nodes.

For testnet, devnet and mainnet a node starts on an empty data directory of
its own (loopback RPC, no peers, no discovery, no mining) and must report
block 0 with the hash that ../shared/spectrum/genesis-<net>.json gives as
expectedHash (the files come from the real networks; the node ships its own
copy in share/genesis), and eth_chainId per spec section 1.1. A fresh node of
a live network also makes its node key: <netdir>/nodekey, mode 0600, 64 hex
digits, kept across restarts.

Needs ../shared: skips loudly when it is absent, fails in CI."""

import json
import os
import re

from test_framework.chain import u
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import assert_equal, assert_true

# Spec section 1.1.
CHAIN_IDS = {"mainnet": 20180430, "testnet": 2022, "devnet": 4}
SUBDIRS = {"mainnet": "", "testnet": "testnet", "devnet": "devnet"}


class GenesisNetworksTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 0

    def run_test(self):
        specs = {}
        for net in CHAIN_IDS:
            with open(self.shared_dir("spectrum/genesis-%s.json" % net)) as f:
                specs[net] = json.load(f)
        helptext = self.run_program("spectrumd", ["-help"]).stdout
        extra = ["-mine=0"] if "\n  -mine\n" in helptext else []
        for net, want_id in CHAIN_IDS.items():
            self.log("%s: genesis hash and chain id from a fresh node" % net)
            spec = specs[net]
            assert_equal(spec["chainId"], want_id, "fixture chainId agrees with the spec")
            node = self.add_node(chain=net, extra_args=extra, dirname=net)
            assert_equal(node.netdir, os.path.join(node.datadir, SUBDIRS[net]).rstrip("/"))
            node.start()
            g = node.rpc("eth_getBlockByNumber", "0x0", False)
            assert_equal(g["hash"], spec["expectedHash"], "%s genesis hash" % net)
            assert_equal(g["number"], "0x0")
            assert_equal(u(node.rpc("eth_chainId")), want_id, "%s eth_chainId" % net)
            assert_equal(node.rpc("eth_getBlockByHash", spec["expectedHash"], False), g)
            if extra:
                assert_equal(u(node.rpc("eth_blockNumber")), 0, "no blocks without peers")

            keyfile = os.path.join(node.netdir, "nodekey")
            assert_true(os.path.exists(keyfile), "%s: nodekey written" % keyfile)
            assert_equal(os.stat(keyfile).st_mode & 0o777, 0o600, "nodekey mode")
            with open(keyfile) as f:
                key = f.read().strip()
            assert_true(re.fullmatch(r"[0-9a-fA-F]{64}", key) is not None,
                        "nodekey is 64 hex digits")
            coinbase = node.rpc("eth_coinbase")
            if net == "testnet":
                self.log("testnet: a restart keeps the node key and the genesis")
                node.stop()
                node.start()
                assert_equal(node.rpc("eth_coinbase"), coinbase, "same node address")
                with open(keyfile) as f:
                    assert_equal(f.read().strip(), key, "same nodekey file")
                assert_equal(node.rpc("eth_getBlockByNumber", "0x0", False)["hash"],
                             spec["expectedHash"])
            node.stop()


if __name__ == "__main__":
    GenesisNetworksTest().main()
