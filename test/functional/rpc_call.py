#!/usr/bin/env python3
"""Execution and storage methods against a regtest node: eth_call (a view, at
old blocks, with Spectrum's block-hash argument and geth's state overrides;
reverts with an Error(string) reason and with a custom error; other
failures; a loop that must still end), eth_estimateGas (exact: the estimate
succeeds as a transaction's gas limit and one less fails, also through a
nested CALL and with a refund; the allowance and funds errors),
eth_getStorageAt, eth_getProof (every proof walked here from the block's
stateRoot with keccak and RLP), the block-content methods by hash, number
and index (the chief update is index 0), eth_protocolVersion, eth_syncing,
the system-contract frames running unmetered, and bad params for each.

The contract under test is assembled here (see RUNTIME): one byte of call
data picks what it does.
"""

import threading
import time

from test_framework import rlp
from test_framework.chain import (DEV_ACCOUNTS, block_number, data_bytes, get_block, hx, q,
                                  receipt, send, u)
from test_framework.keccak import keccak256
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (AssertionFailure, assert_equal, assert_greater_than,
                                 assert_raises_rpc_error, assert_true)

DEV0, DEV1 = DEV_ACCOUNTS[0], DEV_ACCOUNTS[1]
CHIEF = "0x5350454300000000000000000000000000000100"   # TribeChief 1.0.0 (doc/regtest.md)
CHIEF_UPDATE = "0x1c1b8772"
VERSION_SELECTOR = "0x54fd4d50"                        # version()
EMPTY_ROOT = keccak256(rlp.encode(b""))
EMPTY_CODE_HASH = keccak256(b"")
BLOCK_GAS_LIMIT = 40000000
FRESH = "0x00000000000000000000000000000000000000c0"   # no account there

# ---- a tiny assembler ----------------------------------------------------------
OPS = {"STOP": 0x00, "EQ": 0x14, "ISZERO": 0x15, "BYTE": 0x1a, "ADDRESS": 0x30,
       "CALLDATALOAD": 0x35, "CODECOPY": 0x39, "NUMBER": 0x43, "POP": 0x50, "MSTORE": 0x52,
       "MSTORE8": 0x53, "SLOAD": 0x54, "SSTORE": 0x55, "JUMP": 0x56, "JUMPI": 0x57, "GAS": 0x5a,
       "DUP1": 0x80, "CALL": 0xf1, "RETURN": 0xf3, "REVERT": 0xfd, "INVALID": 0xfe}


def push(value, n=1):
    return ("push", n, value)


def assemble(items):
    """Items: opcode names; push(v, n); ":label" (a JUMPDEST); "=label" (a
    position, no byte); "@label" (PUSH2 of a label); "#label" (PUSH2 of
    the length of the bytes item that follows "=label"); bytes (raw)."""
    def size(it):
        if isinstance(it, bytes):
            return len(it)
        if isinstance(it, tuple):
            return 1 + it[1]
        return {":": 1, "=": 0, "@": 3, "#": 3}.get(it[0], 1)
    labels, lengths, pos = {}, {}, 0
    for i, it in enumerate(items):
        if isinstance(it, str) and it[0] in ":=":
            labels[it[1:]] = pos
            if it[0] == "=" and i + 1 < len(items) and isinstance(items[i + 1], bytes):
                lengths[it[1:]] = len(items[i + 1])
        pos += size(it)
    out = bytearray()
    for it in items:
        if isinstance(it, bytes):
            out += it
        elif isinstance(it, tuple):
            out.append(0x5f + it[1])
            out += it[2].to_bytes(it[1], "big")
        elif it[0] == ":":
            out.append(0x5b)
        elif it[0] == "=":
            pass
        elif it[0] in "@#":
            out.append(0x61)
            out += (labels if it[0] == "@" else lengths)[it[1:]].to_bytes(2, "big")
        else:
            out.append(OPS[it])
    return bytes(out)


def word(n):
    return n.to_bytes(32, "big")


def abi_error_string(s):
    b = s.encode()
    return (bytes.fromhex("08c379a0") + word(32) + word(len(b)) +
            b + b"\0" * ((32 - len(b) % 32) % 32))


NOPE = abi_error_string("nope")
CUSTOM = bytes.fromhex("deadbeef") + word(42)      # a custom error: selector + uint 42

# Call data byte 0 picks: 0 get slot 0 | 1 set slot 0 to word data[1:33] |
# 2 revert Error("nope") | 3 revert CUSTOM | 4 loop forever | 5 CALL itself
# with "set" and fail when that fails | 6 return NUMBER | 7 clear slot 0
# (refund) | anything else: INVALID.
RUNTIME = assemble([
    push(0), "CALLDATALOAD", push(0), "BYTE",
    "DUP1", "ISZERO", "@get", "JUMPI",
    "DUP1", push(1), "EQ", "@set", "JUMPI",
    "DUP1", push(2), "EQ", "@err", "JUMPI",
    "DUP1", push(3), "EQ", "@custom", "JUMPI",
    "DUP1", push(4), "EQ", "@loop", "JUMPI",
    "DUP1", push(5), "EQ", "@callset", "JUMPI",
    "DUP1", push(6), "EQ", "@number", "JUMPI",
    "DUP1", push(7), "EQ", "@clear", "JUMPI",
    "INVALID",
    ":get", push(0), "SLOAD", push(0), "MSTORE", push(32), push(0), "RETURN",
    ":set", push(1), "CALLDATALOAD", push(0), "SSTORE", "STOP",
    ":err", "#nope", "@nope", push(0), "CODECOPY", "#nope", push(0), "REVERT",
    ":custom", "#custom_data", "@custom_data", push(0), "CODECOPY", "#custom_data", push(0),
    "REVERT",
    ":loop", "@loop", "JUMP",
    # CALL(gas, self, 0, in 0..33, out 0..0) with memory = 01 ‖ data[1:33]
    ":callset", push(1), push(0), "MSTORE8", push(1), "CALLDATALOAD", push(1), "MSTORE",
    push(0), push(0), push(33), push(0), push(0), "ADDRESS", "GAS", "CALL",
    "ISZERO", "@fail", "JUMPI", "STOP",
    ":fail", push(0), push(0), "REVERT",
    ":number", "NUMBER", push(0), "MSTORE", push(32), push(0), "RETURN",
    ":clear", push(0), push(0), "SSTORE", "STOP",
    "=nope", NOPE,
    "=custom_data", CUSTOM,
])
INITIAL = 7     # the constructor stores it in slot 0
INIT = assemble([push(INITIAL), push(0), "SSTORE",
                 push(len(RUNTIME), 2), "@runtime", push(0), "CODECOPY",
                 push(len(RUNTIME), 2), push(0), "RETURN", "=runtime"]) + RUNTIME


def calldata(op, arg=None):
    return hx(bytes([op]) + (word(arg) if arg is not None else b""))


# ---- Merkle Patricia proofs ------------------------------------------------------
def nibbles(b):
    out = []
    for x in b:
        out += [x >> 4, x & 15]
    return out


def hex_prefix(path):
    """Decodes a compact (hex-prefix) path: (nibbles, is_leaf)."""
    n = nibbles(path)
    flag = n[0]
    return n[2:] if flag % 2 == 0 else n[1:], flag >= 2


def walk_proof(root, key, proof):
    """Walks an EIP-1186 proof for `key` (hashed here, as in the secure
    tries) from `root`; every referenced node must be in the proof, in
    order, with none left over. Returns the value, or None when the proof
    shows the key absent."""
    path = nibbles(keccak256(key))
    nodes = [data_bytes(p) for p in proof]
    ref, i = root, 0
    while True:
        if isinstance(ref, bytes) and len(ref) == 32:
            if ref == EMPTY_ROOT and i == 0 and not nodes:
                return None
            if i >= len(nodes):
                raise AssertionFailure("proof ends early")
            if keccak256(nodes[i]) != ref:
                raise AssertionFailure("proof node %d does not hash to its reference" % i)
            node = rlp.decode(nodes[i])
            i += 1
        else:
            node = ref                      # embedded in its parent
        if len(node) == 17:
            if not path:
                value = node[16] or None
                break
            ref, path = node[path[0]], path[1:]
            if ref == b"":
                value = None
                break
        elif len(node) == 2:
            seg, leaf = hex_prefix(node[0])
            if leaf:
                value = node[1] if seg == path else None
                break
            if path[:len(seg)] != seg:
                value = None
                break
            ref, path = node[1], path[len(seg):]
        else:
            raise AssertionFailure("malformed node of %d items" % len(node))
    assert_equal(i, len(nodes), "proof nodes used")
    return value


class RpcCallTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        self.deploy(node)
        self.test_call(node)
        self.test_reverts(node)
        self.test_overrides(node)
        self.test_estimate(node)
        self.test_storage(node)
        self.test_proof(node)
        self.test_by_index(node)
        self.test_node_status(node)
        self.test_system_contracts(node)
        self.test_concurrent(node)
        self.test_bad_params(node)

    # ------------------------------------------------------------------
    def mined(self, node, h):
        r = receipt(node, h)
        assert_true(r is not None, "receipt of %s" % h)
        return r

    def deploy(self, node):
        self.log("deploy the test contract with eth_sendTransaction")
        self.before = block_number(node)
        r = self.mined(node, send(node, DEV0, None, data=hx(INIT), gas=300000))
        assert_equal(r["status"], "0x1", "deploy status")
        self.c = r["contractAddress"]
        self.deploy_block = u(r["blockNumber"])
        self.deploy_hash = r["blockHash"]
        self.deploy_tx = r["transactionHash"]
        assert_equal(node.rpc("eth_getCode", self.c), hx(RUNTIME))

    def call(self, node, data, *rest, to=None, **fields):
        obj = {"to": to or self.c, "data": data}
        obj.update(fields)
        return node.rpc("eth_call", obj, *rest)

    def test_call(self, node):
        self.log("eth_call: a view, at old blocks, by Spectrum's hash argument and EIP-1898")
        assert_equal(self.call(node, calldata(0)), hx(word(INITIAL)))
        assert_equal(self.call(node, calldata(0), "latest"), hx(word(INITIAL)))
        assert_equal(self.call(node, calldata(0), "pending"), hx(word(INITIAL)))
        h = send(node, DEV0, self.c, data=calldata(1, 0x1234))
        assert_equal(self.mined(node, h)["status"], "0x1")
        set_block = u(self.mined(node, h)["blockNumber"])
        assert_equal(self.call(node, calldata(0)), hx(word(0x1234)))
        # the state of each block: before the change, and before the contract
        assert_equal(self.call(node, calldata(0), q(set_block - 1)), hx(word(INITIAL)))
        assert_equal(self.call(node, calldata(0), q(self.before)), "0x")
        # Spectrum: a hash in position 2 wins over the number
        assert_equal(self.call(node, calldata(0), "earliest", self.deploy_hash), hx(word(INITIAL)))
        assert_equal(self.call(node, calldata(0), {"blockHash": self.deploy_hash}),
                     hx(word(INITIAL)))
        assert_equal(self.call(node, calldata(0), self.deploy_hash), hx(word(INITIAL)))
        # the block context is that block's header
        assert_equal(u(self.call(node, calldata(6), q(self.deploy_block))), self.deploy_block)
        assert_equal(u(self.call(node, calldata(6))), block_number(node))
        # a call changes nothing
        assert_equal(self.call(node, calldata(1, 99)), "0x")
        assert_equal(self.call(node, calldata(0)), hx(word(0x1234)))
        # no `to`: the init code runs and what it returns is the result
        assert_equal(node.rpc("eth_call", {"from": DEV1, "data": hx(INIT)}), hx(RUNTIME))
        # a plain account: empty result; value moved only in the call
        assert_equal(node.rpc("eth_call", {"from": DEV1, "to": FRESH, "value": q(5)}), "0x")
        assert_equal(node.rpc("eth_getBalance", FRESH), "0x0")
        # an unknown block
        assert_raises_rpc_error(-32000, "header not found", self.call, node, calldata(0),
                                q(10 ** 6))
        assert_raises_rpc_error(-32000, "header not found", self.call, node, calldata(0),
                                "latest", "0x" + "11" * 32)

    def test_reverts(self, node):
        self.log("eth_call: reverts (code 3 with data), other failures, a loop that ends")
        e = assert_raises_rpc_error(3, "execution reverted: nope", self.call, node, calldata(2))
        assert_equal(e.message, "execution reverted: nope")
        assert_equal(e.data, hx(NOPE))
        e = assert_raises_rpc_error(3, "execution reverted", self.call, node, calldata(3))
        assert_equal(e.message, "execution reverted")
        assert_equal(e.data, hx(CUSTOM))
        e = assert_raises_rpc_error(3, "execution reverted", self.call, node, calldata(5, 1),
                                    gas=q(24000))
        assert_equal(e.data, "0x")
        e = assert_raises_rpc_error(-32000, "invalid opcode", self.call, node, calldata(9))
        assert_equal(e.data, None)
        assert_raises_rpc_error(-32000, "out of gas", self.call, node, calldata(4), gas=q(100000))
        start = time.monotonic()
        assert_raises_rpc_error(-32000, "out of gas", self.call, node, calldata(4))
        took = time.monotonic() - start
        self.log("  an endless loop with the default 50M gas ended in %.2f s" % took)
        assert_true(took < 30, "the loop took %.1f s" % took)
        # gas above the cap is capped, not refused
        assert_raises_rpc_error(-32000, "out of gas", self.call, node, calldata(4),
                                gas=q(2 ** 62))
        # too little gas for the transaction itself
        assert_raises_rpc_error(-32000, "intrinsic gas too low: have 21000, want 21068",
                                self.call, node, calldata(1), gas=q(21000))
        # a gas price needs funds; the zero address default sender has none here
        poor = "0x00000000000000000000000000000000000000b1"
        assert_raises_rpc_error(-32000, "insufficient funds for gas * price + value: address "
                                "0x00000000000000000000000000000000000000B1 have 0 want "
                                "50000000000000000", self.call, node, calldata(0),
                                **{"from": poor, "gasPrice": q(10 ** 9)})

    def test_overrides(self, node):
        self.log("eth_call: state overrides (code, balance, nonce, state, stateDiff)")
        other = "0x00000000000000000000000000000000000000d0"
        ov = {other: {"code": hx(RUNTIME), "stateDiff": {hx(word(0)): hx(word(0x99))}}}
        assert_equal(self.call(node, calldata(0), "latest", ov, to=other), hx(word(0x99)))
        # after the hash argument, in position 3
        assert_equal(self.call(node, calldata(0), "latest", self.deploy_hash, ov, to=other),
                     hx(word(0x99)))
        # stateDiff keeps the other slots, state replaces all of them
        slot1 = hx(word(1))
        assert_equal(self.call(node, calldata(0), "latest",
                               {self.c: {"stateDiff": {slot1: hx(word(5))}}}), hx(word(0x1234)))
        assert_equal(self.call(node, calldata(0), "latest",
                               {self.c: {"state": {slot1: hx(word(5))}}}), hx(word(0)))
        # the overridden state is gone afterwards
        assert_equal(node.rpc("eth_getStorageAt", self.c, "0x1"), hx(word(0)))
        assert_equal(node.rpc("eth_getCode", other), "0x")
        # a balance override pays for the gas price
        poor = "0x00000000000000000000000000000000000000b2"
        price = {"from": poor, "gasPrice": q(10 ** 9), "gas": q(100000)}
        assert_raises_rpc_error(-32000, "insufficient funds", self.call, node, calldata(0),
                                **price)
        assert_equal(self.call(node, calldata(0), "latest",
                               {poor: {"balance": q(10 ** 18)}}, **price), hx(word(0x1234)))
        # a nonce override moves the sender's CREATE address; the result is the same code
        assert_equal(node.rpc("eth_call", {"from": poor, "data": hx(INIT)}, "latest",
                              {poor: {"nonce": q(7)}}), hx(RUNTIME))
        # geth's conflict error, and bad sets
        assert_raises_rpc_error(-32000, "has both 'state' and 'stateDiff'", self.call, node,
                                calldata(0), "latest", {other: {"state": {}, "stateDiff": {}}})
        assert_raises_rpc_error(-32602, "invalid argument 2: address: hex string has length 2",
                                self.call, node, calldata(0), "latest", {"0x12": {}})
        assert_raises_rpc_error(-32602, "invalid argument 2: %s: balance" % other, self.call,
                                node, calldata(0), "latest", {other: {"balance": 5}})
        assert_raises_rpc_error(-32602, "want 64 for common.Hash", self.call, node, calldata(0),
                                "latest", {other: {"stateDiff": {"0x0": hx(word(1))}}})
        assert_raises_rpc_error(-32602, "invalid argument 3: json: cannot unmarshal non-object",
                                self.call, node, calldata(0), "latest", self.deploy_hash, [1])
        assert_raises_rpc_error(-32602, "invalid argument 2: want a block hash", self.call, node,
                                calldata(0), "latest", 5)
        assert_raises_rpc_error(-32602, "too many arguments, want at most 3", self.call, node,
                                calldata(0), "latest", ov, ov)
        # estimateGas takes the overrides in position 2: the copy with slot 0
        # set costs what the contract costs (non-zero to non-zero), without
        # it 20000 more (zero to non-zero)
        est = u(node.rpc("eth_estimateGas", {"to": other, "data": calldata(1, 3)}, "latest", ov))
        assert_equal(est, u(node.rpc("eth_estimateGas", {"to": self.c, "data": calldata(1, 3)})))
        assert_equal(u(node.rpc("eth_estimateGas", {"to": other, "data": calldata(1, 3)},
                                "latest", {other: {"code": hx(RUNTIME)}})), est + 15000)

    def test_estimate(self, node):
        self.log("eth_estimateGas: exact (estimate succeeds, estimate - 1 fails)")

        def exact(what, data, expect_slot):
            est = u(node.rpc("eth_estimateGas", {"from": DEV1, "to": self.c, "data": data}))
            low = self.mined(node, send(node, DEV1, self.c, data=data, gas=est - 1))
            assert_equal(low["status"], "0x0", "%s with estimate - 1 (%d)" % (what, est - 1))
            ok = self.mined(node, send(node, DEV1, self.c, data=data, gas=est))
            assert_equal(ok["status"], "0x1", "%s with the estimate (%d)" % (what, est))
            assert_equal(self.call(node, calldata(0)), hx(word(expect_slot)))
            self.log("  %s: %d" % (what, est))
            return est

        # zero -> non-zero costs 20000 more than non-zero -> non-zero
        exact("set", calldata(1, 0x51), 0x51)
        exact("clear (a refund)", calldata(7), 0)
        e_new = exact("set from zero", calldata(1, 0x52), 0x52)
        exact("set through a nested CALL (63/64)", calldata(5, 0x53), 0x53)
        assert_greater_than(e_new, 40000)
        # a plain transfer costs exactly 21000
        assert_equal(node.rpc("eth_estimateGas", {"from": DEV1, "to": DEV0, "value": "0x1"}),
                     q(21000))
        # blocks and tags are accepted
        assert_equal(node.rpc("eth_estimateGas", {"to": DEV0}, "pending"), q(21000))
        # failures: a revert is error 3, a loop exceeds the allowance
        e = assert_raises_rpc_error(3, "execution reverted: nope", node.rpc, "eth_estimateGas",
                                    {"to": self.c, "data": calldata(2)})
        assert_equal(e.data, hx(NOPE))
        assert_raises_rpc_error(-32000, "gas required exceeds allowance (%d)" % BLOCK_GAS_LIMIT,
                                node.rpc, "eth_estimateGas", {"to": self.c, "data": calldata(4)})
        assert_raises_rpc_error(-32000, "gas required exceeds allowance (30000)", node.rpc,
                                "eth_estimateGas", {"to": self.c, "data": calldata(4),
                                                    "gas": q(30000)})
        assert_raises_rpc_error(-32000, "invalid opcode", node.rpc, "eth_estimateGas",
                                {"to": self.c, "data": calldata(9)})
        # with a gas price the sender's funds cap the allowance
        poor = "0x00000000000000000000000000000000000000b3"
        assert_raises_rpc_error(-32000, "insufficient funds for transfer", node.rpc,
                                "eth_estimateGas", {"from": poor, "to": DEV0, "value": "0x1",
                                                    "gasPrice": q(1)})
        assert_raises_rpc_error(-32000, "gas required exceeds allowance (30000)", node.rpc,
                                "eth_estimateGas",
                                {"from": poor, "to": self.c, "data": calldata(4),
                                 "gasPrice": q(10 ** 9)},
                                "latest", {poor: {"balance": q(30000 * 10 ** 9)}})

    def test_storage(self, node):
        self.log("eth_getStorageAt")
        assert_equal(node.rpc("eth_getStorageAt", self.c, "0x0"), hx(word(0x53)))
        for key in ("0x", "0", "0x00", hx(word(0))):
            assert_equal(node.rpc("eth_getStorageAt", self.c, key, "latest"), hx(word(0x53)))
        assert_equal(node.rpc("eth_getStorageAt", self.c, "0x0", q(self.deploy_block)),
                     hx(word(INITIAL)))
        assert_equal(node.rpc("eth_getStorageAt", self.c, "0x0", {"blockHash": self.deploy_hash}),
                     hx(word(INITIAL)))
        assert_equal(node.rpc("eth_getStorageAt", self.c, "0x0", q(self.before)), hx(word(0)))
        assert_equal(node.rpc("eth_getStorageAt", FRESH, "0x5"), hx(word(0)))
        assert_raises_rpc_error(-32602, "invalid argument 1: unable to decode storage key: hex "
                                "string invalid", node.rpc, "eth_getStorageAt", self.c, "0xzz")
        assert_raises_rpc_error(-32602, "hex string too long, want at most 32 bytes", node.rpc,
                                "eth_getStorageAt", self.c, "0x" + "00" * 33)
        assert_raises_rpc_error(-32602, "invalid argument 1: json: cannot unmarshal non-string",
                                node.rpc, "eth_getStorageAt", self.c, 0)
        assert_raises_rpc_error(-32000, "header not found", node.rpc, "eth_getStorageAt",
                                self.c, "0x0", q(10 ** 6))
        assert_raises_rpc_error(-32602, "missing value for required argument 1", node.rpc,
                                "eth_getStorageAt", self.c)
        assert_raises_rpc_error(-32602, "too many arguments, want at most 3", node.rpc,
                                "eth_getStorageAt", self.c, "0x0", "latest", 1)

    def check_proof(self, node, addr, keys, at="latest"):
        blk = node.rpc("eth_getBlockByNumber", at, False) if not isinstance(at, dict) else \
            node.rpc("eth_getBlockByHash", at["blockHash"], False)
        p = node.rpc("eth_getProof", addr, keys, at)
        root = data_bytes(blk["stateRoot"])
        assert_equal(p["address"], addr.lower())
        acct = walk_proof(root, data_bytes(addr), p["accountProof"])
        if acct is None:
            assert_equal((u(p["nonce"]), u(p["balance"])), (0, 0), "absent account")
            assert_equal(data_bytes(p["codeHash"]), EMPTY_CODE_HASH)
            assert_equal(data_bytes(p["storageHash"]), EMPTY_ROOT)
        else:
            nonce, bal, sroot, code_hash = rlp.decode(acct)
            assert_equal(rlp.bytes_to_int(nonce), u(p["nonce"]), "nonce")
            assert_equal(rlp.bytes_to_int(bal), u(p["balance"]), "balance")
            assert_equal(sroot, data_bytes(p["storageHash"]), "storageHash")
            assert_equal(code_hash, data_bytes(p["codeHash"]), "codeHash")
            assert_equal(u(p["balance"]), u(node.rpc("eth_getBalance", addr, at)))
            assert_equal(u(p["nonce"]), u(node.rpc("eth_getTransactionCount", addr, at)))
            assert_equal(data_bytes(p["codeHash"]),
                         keccak256(data_bytes(node.rpc("eth_getCode", addr, at))))
        assert_equal(len(p["storageProof"]), len(keys))
        sroot = data_bytes(p["storageHash"])
        for want_key, sp in zip(keys, p["storageProof"]):
            assert_equal(sp["key"], want_key)
            slot = int(want_key, 16).to_bytes(32, "big")
            val = walk_proof(sroot, slot, sp["proof"])
            got = rlp.bytes_to_int(rlp.decode(val)) if val is not None else 0
            assert_equal(got, u(sp["value"]), "slot %s" % want_key)
            assert_equal(u(sp["value"]), u(node.rpc("eth_getStorageAt", addr, want_key, at)))
        return p

    def test_proof(self, node):
        self.log("eth_getProof: account and storage proofs walked from stateRoot")
        p = self.check_proof(node, self.c, ["0x0", "0x1", hx(word(0))])
        assert_equal(p["storageProof"][0]["value"], q(0x53))
        assert_equal(p["storageProof"][1]["value"], "0x0")   # absent slot, proved absent
        assert_equal(p["storageProof"][2]["key"], hx(word(0)))  # 32-byte keys stay as given
        self.check_proof(node, self.c, ["0x0"], q(self.deploy_block))
        self.check_proof(node, self.c, ["0x0"], {"blockHash": self.deploy_hash})
        self.check_proof(node, DEV0, [])
        self.check_proof(node, CHIEF, ["0x0", "0x1", "0x2"])
        p = self.check_proof(node, FRESH, ["0x0"])
        assert_equal(p["storageProof"][0]["proof"], [])
        # bad params
        assert_raises_rpc_error(-32602, "invalid argument 1: json: cannot unmarshal non-array",
                                node.rpc, "eth_getProof", self.c, "0x0")
        assert_raises_rpc_error(-32602, "unable to decode storage key", node.rpc,
                                "eth_getProof", self.c, ["0xq"])
        assert_raises_rpc_error(-32602, "more than 1024 storage keys", node.rpc, "eth_getProof",
                                self.c, ["0x0"] * 1025)
        assert_raises_rpc_error(-32602, "missing value for required argument 1", node.rpc,
                                "eth_getProof", self.c)
        assert_raises_rpc_error(-32602, "for common.Address", node.rpc, "eth_getProof",
                                "0x12", [])
        assert_raises_rpc_error(-32000, "header not found", node.rpc, "eth_getProof", self.c,
                                [], q(10 ** 6))

    def test_by_index(self, node):
        self.log("block contents by hash, number and index (the chief update is index 0)")
        # blocks after 3 open with the chief update (doc/rpc.md)
        tx = send(node, DEV0, DEV1, 1)
        r = self.mined(node, tx)
        n, h = u(r["blockNumber"]), r["blockHash"]
        assert_greater_than(n, 3)
        for method, arg in (("eth_getBlockTransactionCountByNumber", q(n)),
                            ("eth_getBlockTransactionCountByHash", h)):
            assert_equal(node.rpc(method, arg), "0x2", method)
        assert_equal(node.rpc("eth_getBlockTransactionCountByNumber", "earliest"), "0x0")
        latest = get_block(node, "latest")
        assert_equal(node.rpc("eth_getBlockTransactionCountByNumber", "latest"), "0x2")
        assert_equal(node.rpc("eth_getBlockTransactionCountByNumber", "pending"), "0x2")
        assert_equal(node.rpc("eth_getBlockTransactionCountByHash", latest["hash"]), "0x2")
        assert_equal(node.rpc("eth_getBlockTransactionCountByNumber", q(10 ** 6)), None)
        assert_equal(node.rpc("eth_getBlockTransactionCountByHash", "0x" + "22" * 32), None)

        chief = node.rpc("eth_getTransactionByBlockNumberAndIndex", q(n), "0x0")
        assert_equal(chief["to"], CHIEF)
        assert_true(chief["input"].startswith(CHIEF_UPDATE), "index 0 is the chief update")
        assert_equal(chief["transactionIndex"], "0x0")
        assert_equal(node.rpc("eth_getTransactionByBlockHashAndIndex", h, "0x0"), chief)
        assert_equal(node.rpc("eth_getTransactionByHash", chief["hash"]), chief)
        mine = node.rpc("eth_getTransactionByBlockHashAndIndex", h, "0x1")
        assert_equal(mine["hash"], tx)
        assert_equal(mine, node.rpc("eth_getTransactionByHash", tx))
        assert_equal(mine["from"], DEV0)
        assert_equal(mine["transactionIndex"], "0x1")
        assert_equal(node.rpc("eth_getTransactionByBlockNumberAndIndex", q(n), "0x1"), mine)
        assert_equal(node.rpc("eth_getTransactionByBlockNumberAndIndex", "latest", "0x1"), mine)
        # the block's list hides the chief update but keeps the indexes
        blk = get_block(node, n, True)
        assert_equal(blk["transactions"], [mine])
        for args in ((q(n), "0x2"), (q(10 ** 6), "0x0"), ("earliest", "0x0")):
            assert_equal(node.rpc("eth_getTransactionByBlockNumberAndIndex", *args), None)
        assert_equal(node.rpc("eth_getTransactionByBlockHashAndIndex", h, "0x2"), None)
        assert_equal(node.rpc("eth_getTransactionByBlockHashAndIndex", "0x" + "22" * 32, "0x0"),
                     None)
        # uncles: none on Spectrum
        assert_equal(node.rpc("eth_getUncleCountByBlockNumber", q(n)), "0x0")
        assert_equal(node.rpc("eth_getUncleCountByBlockNumber", "latest"), "0x0")
        assert_equal(node.rpc("eth_getUncleCountByBlockHash", h), "0x0")
        assert_equal(node.rpc("eth_getUncleCountByBlockNumber", q(10 ** 6)), None)
        assert_equal(node.rpc("eth_getUncleCountByBlockHash", "0x" + "22" * 32), None)
        # bad params
        for method in ("eth_getBlockTransactionCountByHash", "eth_getUncleCountByBlockHash"):
            assert_raises_rpc_error(-32602, "missing value for required argument 0", node.rpc,
                                    method)
            assert_raises_rpc_error(-32602, "want 64 for common.Hash", node.rpc, method, "0x12")
            assert_raises_rpc_error(-32602, "too many arguments, want at most 1", node.rpc,
                                    method, h, 1)
        for method in ("eth_getBlockTransactionCountByNumber", "eth_getUncleCountByBlockNumber"):
            assert_raises_rpc_error(-32602, "invalid argument 0", node.rpc, method, "0xq")
            assert_raises_rpc_error(-32602, "missing value for required argument 0", node.rpc,
                                    method)
        assert_raises_rpc_error(-32602, "missing value for required argument 1", node.rpc,
                                "eth_getTransactionByBlockHashAndIndex", h)
        assert_raises_rpc_error(-32602, "invalid argument 1: hex string without 0x prefix",
                                node.rpc, "eth_getTransactionByBlockNumberAndIndex", q(n), "1")
        assert_raises_rpc_error(-32602, "invalid argument 1", node.rpc,
                                "eth_getTransactionByBlockHashAndIndex", h, 1)
        assert_raises_rpc_error(-32602, "want 64 for common.Hash", node.rpc,
                                "eth_getTransactionByBlockHashAndIndex", q(n), "0x0")

    def test_node_status(self, node):
        self.log("eth_protocolVersion, eth_syncing")
        assert_equal(node.rpc("eth_protocolVersion"), "0x3f")
        assert_equal(node.rpc("eth_syncing"), False)
        for method in ("eth_protocolVersion", "eth_syncing"):
            assert_raises_rpc_error(-32602, "too many arguments, want at most 0", node.rpc,
                                    method, 1)
            # public: no credentials needed
            assert_equal(node.rpc(method, auth=False), node.rpc(method))

    def test_system_contracts(self, node):
        self.log("system-contract frames run unmetered; the rule never leaks to user code")
        # version() of the chief with no gas beyond the intrinsic: a chief
        # frame costs nothing (spec section 6.4, 11)
        intrinsic = q(21000 + 4 * 68)
        version = node.rpc("eth_call", {"to": CHIEF, "data": VERSION_SELECTOR, "gas": intrinsic})
        assert_greater_than(len(data_bytes(version)), 64)
        assert_equal(node.rpc("eth_call", {"to": CHIEF, "data": VERSION_SELECTOR}), version)
        # the same code at another address is metered
        code = node.rpc("eth_getCode", CHIEF)
        copy = "0x00000000000000000000000000000000000000e0"
        ov = {copy: {"code": code}}
        assert_equal(node.rpc("eth_call", {"to": copy, "data": VERSION_SELECTOR}, "latest", ov),
                     version)
        assert_raises_rpc_error(-32000, "out of gas", node.rpc, "eth_call",
                                {"to": copy, "data": VERSION_SELECTOR, "gas": intrinsic},
                                "latest", ov)
        # replacing the chief's code turns the exemption off: a loop there ends
        loop = hx(assemble([":l", "@l", "JUMP"]))
        assert_raises_rpc_error(-32000, "out of gas", node.rpc, "eth_call", {"to": CHIEF},
                                "latest", {CHIEF: {"code": loop}})
        # the estimate for the chief's view is the intrinsic gas alone
        assert_equal(node.rpc("eth_estimateGas", {"to": CHIEF, "data": VERSION_SELECTOR}),
                     intrinsic)

    def test_concurrent(self, node):
        self.log("eth_call from many clients at once (each worker runs its own EVM)")
        want = self.call(node, calldata(0))
        other = "0x00000000000000000000000000000000000000d1"
        errors = []

        def client(i):
            try:
                for j in range(40):
                    k = (i + j) % 3
                    if k == 0:
                        assert_equal(self.call(node, calldata(0)), want)
                    elif k == 1:
                        ov = {other: {"code": hx(RUNTIME),
                                      "stateDiff": {hx(word(0)): hx(word(i * 1000 + j))}}}
                        assert_equal(self.call(node, calldata(0), "latest", ov, to=other),
                                     hx(word(i * 1000 + j)))
                    else:
                        e = assert_raises_rpc_error(3, "execution reverted: nope", self.call,
                                                    node, calldata(2))
                        assert_equal(e.data, hx(NOPE))
            except Exception as e:      # reported by the main thread
                errors.append(e)
        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    def test_bad_params(self, node):
        self.log("bad params of eth_call and eth_estimateGas")
        for method in ("eth_call", "eth_estimateGas"):
            assert_raises_rpc_error(-32602, "missing value for required argument 0", node.rpc,
                                    method)
            assert_raises_rpc_error(-32602, "invalid argument 0: json: cannot unmarshal "
                                    "non-object", node.rpc, method, "0x12")
            assert_raises_rpc_error(-32602, "invalid argument 0: to: hex string has length 2",
                                    node.rpc, method, {"to": "0x12"})
            assert_raises_rpc_error(-32602, "invalid argument 0: gas: hex string without 0x",
                                    node.rpc, method, {"to": DEV0, "gas": "12"})
            assert_raises_rpc_error(-32602, "both \"data\" and \"input\" are set and not equal",
                                    node.rpc, method, {"to": DEV0, "data": "0x01",
                                                       "input": "0x02"})
            assert_raises_rpc_error(-32000, "both gasPrice and (maxFeePerGas or "
                                    "maxPriorityFeePerGas) specified", node.rpc, method,
                                    {"to": DEV0, "gasPrice": "0x1", "maxFeePerGas": "0x1"})
            assert_raises_rpc_error(-32602, "invalid argument 1", node.rpc, method,
                                    {"to": DEV0}, "newest")
            assert_raises_rpc_error(-32000, "header not found", node.rpc, method, {"to": DEV0},
                                    q(10 ** 6))
        assert_raises_rpc_error(-32602, "too many arguments, want at most 4", node.rpc,
                                "eth_call", {"to": DEV0}, "latest", None, None, {})
        assert_raises_rpc_error(-32602, "too many arguments, want at most 3", node.rpc,
                                "eth_estimateGas", {"to": DEV0}, "latest", {}, {})


if __name__ == "__main__":
    RpcCallTest().main()
