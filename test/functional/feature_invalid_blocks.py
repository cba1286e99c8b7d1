#!/usr/bin/env python3
"""Invalid blocks are rejected with the rule they break, and the node stays up.

test_buildblock(kind) (regtest only) has the node's miner build and seal the
block after the head, from the pool, without importing it, then break one
rule: the seal, the signer (re-sealed by dev account 0), the difficulty, the
state root, the chief update's place (not first, or missing), the VRF
proof or the volunteer the chief update names. Each goes to submitblock and must be refused with -32000 and a reason
naming the rule, a "Rejected block" log line, and the head unchanged; the
untampered block is then accepted. Blocks are built at height 5, past the
first 3 blocks, which anyone may sign (spec section 5.2). Garbage and blocks
with an unknown parent get clean errors."""

from test_framework import rlp
from test_framework.chain import (DEV_ACCOUNTS, block_number, data_bytes, get_block, hx,
                                  pool_status, receipt, send, split_block, u, raw_block_hash)
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (AssertionFailure, assert_equal, assert_in,
                                 assert_raises_rpc_error, assert_true)
from test_framework.test_node import JSONRPCException

# tamper -> words one of which the refusal must contain (lower case)
TAMPERS = {
    "seal": ("seal",),
    "signer": ("signer", "authorized", "difficulty", "may not sign"),
    "difficulty": ("difficulty",),
    "stateRoot": ("state root",),
    "chiefNotFirst": ("chief update",),
    "noChiefTx": ("chief update",),
    "vrf": ("vrf",),
    "volunteer": ("volunteer",),
}


class InvalidBlocksTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-automine=0"]]

    def head(self, node):
        return block_number(node), get_block(node, "latest")["hash"]

    def run_test(self):
        node = self.nodes[0]
        node.rpc("generate", 4)
        head = self.head(node)
        assert_equal(head[0], 4)

        self.log("chiefNotFirst needs a pool transaction")
        assert_raises_rpc_error(-32000, "need a pool transaction", node.rpc, "test_buildblock",
                                "chiefNotFirst")
        assert_raises_rpc_error(None, None, node.rpc, "test_buildblock", "nosuchtamper")
        t = send(node, DEV_ACCOUNTS[1], DEV_ACCOUNTS[2], 1)
        assert_equal(pool_status(node), (1, 0))

        for kind, words in TAMPERS.items():
            raw = data_bytes(node.rpc("test_buildblock", kind))
            header, txs, _ = split_block(raw)
            assert_equal(rlp.bytes_to_int(header[8]), 5, "%s: built on the head" % kind)
            assert_equal(hx(header[0]), head[1], "%s: parent is the head" % kind)
            offset = node._log_size()
            try:
                r = node.rpc("submitblock", hx(raw))
                raise AssertionFailure("tamper %s accepted: %r" % (kind, r))
            except JSONRPCException as e:
                self.log("%-13s -> %s" % (kind, e.message))
                assert_equal(e.code, -32000, "%s: error code" % kind)
                msg = e.message.lower()
                assert_true(any(w in msg for w in words),
                            "%s: the reason %r names none of %s" % (kind, e.message, words))
            assert_equal(self.head(node), head, "%s: head unchanged" % kind)
            assert_in("Rejected block 5 %s: " % raw_block_hash(raw), node.new_log_lines(offset),
                      "%s: log line" % kind)
            assert_equal(pool_status(node), (1, 0), "%s: the pool keeps T" % kind)

        self.log("the untampered block imports, with the pool's transaction")
        raw = data_bytes(node.rpc("test_buildblock", "none"))
        r = node.rpc("submitblock", hx(raw))
        assert_equal((r["status"], u(r["number"]), r["hash"]), ("head", 5, raw_block_hash(raw)))
        assert_equal(self.head(node), (5, r["hash"]))
        assert_equal(get_block(node, 5)["transactions"], [t])
        assert_equal(receipt(node, t)["status"], "0x1")
        assert_equal(pool_status(node), (0, 0))
        head = self.head(node)

        self.log("garbage and malformed blocks get clean errors")
        for bad in ("0x1234", "0xc0", "0xc3c0c0c0", "0x" + "ff" * 100, hx(raw[:-7]),
                    hx(raw + b"\x00")):
            assert_raises_rpc_error(None, None, node.rpc, "submitblock", bad)
        for bad in ("0xzz", "1234", "0x123"):
            assert_raises_rpc_error(-32602, None, node.rpc, "submitblock", bad)
        assert_raises_rpc_error(-32602, None, node.rpc, "submitblock")
        assert_raises_rpc_error(-32602, None, node.rpc, "submitblock", 5)

        self.log("a block on an unknown parent")
        raw = data_bytes(node.rpc("test_buildblock", "none"))
        items = rlp.decode(raw)
        items[0][0] = b"\x12" * 32
        assert_raises_rpc_error(-32000, "unknown parent", node.rpc, "submitblock",
                                hx(rlp.encode(items)))
        assert_equal(self.head(node), head)
        assert_equal(node.rpc("eth_blockNumber"), "0x5", "the node keeps serving")
        node.stop()


if __name__ == "__main__":
    InvalidBlocksTest().main()
