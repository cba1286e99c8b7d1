#!/usr/bin/env python3
"""Delegated gas payment end to end: ProxyToken (share/contracts) deployed
from a dev account, tokens given to a fresh account that holds no SMT, the
holder's authorization signed with personal_sign over relay_proxyHash's
hash, relayed by the node (relay_transferProxy) from its relayer account
(regtest default: dev account 9), which pays the gas and earns the fee.

Checked: the hash and digest against a Python computation of the
contract's rule; the relayed transaction (sender, call data, Transfer
events to the recipient and the relayer); SMT and token balances of holder,
recipient and relayer (token balances from the Transfer events, and from
the contract's storage with eth_getStorageAt when the node has it); replays,
signatures by someone else or for other values, bad encodings (length, V,
high s), balances too small, a zero recipient, overflow, tokens that are
not ProxyToken, missing credentials; with -automine=0 the pending relayed
calls count in the next nonce and in the balance; -relayer choices
(a locked account, none, not in the wallet, not an address).
"""

import json
import os

from test_framework.chain import (DEV_ACCOUNTS, SOURCE_ROOT, balance, data_bytes, hx, q,
                                  receipt, send, tx_count, u)
from test_framework.keccak import keccak256
from test_framework.test_framework import SpectrumTestFramework
from test_framework.test_node import JSONRPCException
from test_framework.util import (assert_equal, assert_in, assert_raises_rpc_error, assert_true)

SUPPLY = 10 ** 24
SECP_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
TRANSFER_TOPIC = hx(keccak256(b"Transfer(address,address,uint256)"))
RELAYER = DEV_ACCOUNTS[9]
CHIEF_BASE = "0x5350454300000000000000000000000000000101"
HOLDER_PW = "holder pass"


def word(n):
    return n.to_bytes(32, "big")


def addr_word(a):
    return bytes(12) + bytes.fromhex(a[2:])


def proxy_hash(token, frm, to, value, fee, nonce):
    """ProxyToken.proxyHash, computed here: (hash to sign, digest)."""
    h = keccak256(bytes.fromhex(token[2:]) + bytes.fromhex(frm[2:]) + bytes.fromhex(to[2:]) +
                  word(value) + word(fee) + word(nonce))
    return h, keccak256(b"\x19Ethereum Signed Message:\n32" + h)


def storage_slot(who, slot):
    return hx(keccak256(addr_word(who) + word(slot)))


class RelayTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        self.ledger = {}
        self.has_get_storage = self.probe_get_storage(node)
        self.deploy(node)
        self.holder = node.rpc("personal_newAccount", HOLDER_PW)
        assert_equal(balance(node, self.holder), 0, "the holder owns no SMT")
        self.token_transfer(node, DEV_ACCOUNTS[0], self.holder, 1000)
        self.test_relay(node)
        self.test_refusals(node)
        self.test_auth(node)
        self.test_pending(node)
        self.test_relayer_options(node)

    # ---- helpers -----------------------------------------------------------
    def probe_get_storage(self, node):
        try:
            node.rpc("eth_getStorageAt", DEV_ACCOUNTS[0], "0x0", "latest")
            return True
        except JSONRPCException as e:
            if e.code != -32601:
                raise
            self.log("NOTE: this node has no eth_getStorageAt; token balances are checked "
                     "from the Transfer events only")
            return False

    def apply_logs(self, rcpt):
        """Adds the receipt's Transfer events to the ledger; returns them."""
        out = []
        for lg in rcpt["logs"]:
            if lg["address"] != self.token or lg["topics"][0] != TRANSFER_TOPIC:
                continue
            frm = "0x" + lg["topics"][1][-40:]
            to = "0x" + lg["topics"][2][-40:]
            value = u(lg["data"])
            self.ledger[frm] = self.ledger.get(frm, 0) - value
            self.ledger[to] = self.ledger.get(to, 0) + value
            out.append((frm, to, value))
        return out

    def token_balance(self, node, who):
        want = self.ledger.get(who, 0)
        if self.has_get_storage:
            got = u(node.rpc("eth_getStorageAt", self.token, storage_slot(who, 1), "latest"))
            assert_equal(got, want, "token balance of %s in storage" % who)
        return want

    def deploy(self, node):
        self.log("deploy ProxyToken from dev account 0 (artifact bytecode + supply)")
        with open(os.path.join(SOURCE_ROOT, "share", "contracts", "ProxyToken.json")) as f:
            art = json.load(f)
        code = art["bytecode"][2:] if art["bytecode"].startswith("0x") else art["bytecode"]
        h = send(node, DEV_ACCOUNTS[0], None, data="0x" + code + word(SUPPLY).hex(),
                 gas=3000000)
        r = receipt(node, h)
        assert_equal(r["status"], "0x1")
        self.token = r["contractAddress"]
        runtime = art["deployedBytecode"]
        runtime = runtime if runtime.startswith("0x") else "0x" + runtime
        assert_equal(node.rpc("eth_getCode", self.token, "latest"), runtime)
        assert_equal(self.apply_logs(r), [("0x" + "00" * 20, DEV_ACCOUNTS[0], SUPPLY)])

    def token_transfer(self, node, frm, to, value):
        data = "0xa9059cbb" + addr_word(to).hex() + word(value).hex()
        r = receipt(node, send(node, frm, self.token, data=data, gas=100000))
        assert_equal(r["status"], "0x1")
        assert_equal(self.apply_logs(r), [(frm, to, value)])

    def authorize(self, node, to, value, fee, nonce=None):
        """relay_proxyHash checked against Python, then personal_sign by the
        holder. Returns the signature."""
        ph = node.rpc("relay_proxyHash", self.token, self.holder, to, q(value), q(fee))
        if nonce is not None:
            assert_equal(u(ph["nonce"]), nonce, "proxy nonce")
        h, d = proxy_hash(self.token, self.holder, to, value, fee, u(ph["nonce"]))
        assert_equal(ph["hash"], hx(h), "relay_proxyHash hash")
        assert_equal(ph["digest"], hx(d), "relay_proxyHash digest = the contract's proxyHash")
        return node.rpc("personal_sign", ph["hash"], self.holder, HOLDER_PW)

    def relay(self, node, to, value, fee, sig):
        return node.rpc("relay_transferProxy", self.token, self.holder, to, q(value), q(fee),
                        sig)

    # ---- tests -----------------------------------------------------------------
    def test_relay(self, node):
        self.log("relay a signed transfer: the relayer pays the gas, earns the fee")
        to = "0x00000000000000000000000000000000000c0ffe"
        relayer_smt = balance(node, RELAYER)
        relayer_nonce = tx_count(node, RELAYER)
        sig = self.authorize(node, to, 300, 7, nonce=0)
        h = self.relay(node, to, 300, 7, sig)
        r = receipt(node, h)
        assert_equal(r["status"], "0x1")
        assert_equal(r["from"], RELAYER)
        assert_equal(r["to"], self.token)
        self.log("the first relayed transferProxy used %d gas" % u(r["gasUsed"]))
        assert_equal(self.apply_logs(r), [(self.holder, to, 300), (self.holder, RELAYER, 7)])
        tx = node.rpc("eth_getTransactionByHash", h)
        s = data_bytes(sig)
        want_input = ("0xeb502d45" + addr_word(self.holder).hex() + addr_word(to).hex() +
                      word(300).hex() + word(7).hex() + word(s[64]).hex() + s[:32].hex() +
                      s[32:64].hex())
        assert_equal(tx["input"], want_input, "transferProxy call data")
        assert_equal(balance(node, RELAYER),
                     relayer_smt - u(r["gasUsed"]) * u(tx["gasPrice"]), "relayer paid the gas")
        assert_equal(tx_count(node, RELAYER), relayer_nonce + 1)
        assert_equal(balance(node, self.holder), 0, "the holder still owns no SMT")
        assert_equal(tx_count(node, self.holder), 0, "the holder sent nothing")
        assert_equal(self.token_balance(node, self.holder), 693)
        assert_equal(self.token_balance(node, to), 300)
        assert_equal(self.token_balance(node, RELAYER), 7)
        if self.has_get_storage:
            got = node.rpc("eth_getStorageAt", self.token, storage_slot(self.holder, 3), "latest")
            assert_equal(u(got), 1, "proxyNonce in storage")

        self.log("a replay is refused and sends nothing")
        assert_raises_rpc_error(-32000, "invalid signature: not signed by", self.relay, node, to,
                                300, 7, sig)
        assert_equal(tx_count(node, RELAYER), relayer_nonce + 1)

        self.log("V as 0/1 is accepted (as the contract does)")
        sig = self.authorize(node, to, 10, 0, nonce=1)
        s = data_bytes(sig)
        h = self.relay(node, to, 10, 0, hx(s[:64] + bytes([s[64] - 27])))
        assert_equal(self.apply_logs(receipt(node, h)), [(self.holder, to, 10)])
        assert_equal(self.token_balance(node, self.holder), 683)
        self.to = to

    def test_refusals(self, node):
        to = self.to
        nonce = tx_count(node, RELAYER)
        self.log("refused: other signer, other values, bad encodings, small balance, bad token")
        ph = node.rpc("relay_proxyHash", self.token, self.holder, to, q(5), q(1))
        assert_equal(u(ph["nonce"]), 2)
        other = node.rpc("eth_sign", DEV_ACCOUNTS[1], ph["hash"])
        assert_raises_rpc_error(-32000, "invalid signature", self.relay, node, to, 5, 1, other)
        sig = node.rpc("personal_sign", ph["hash"], self.holder, HOLDER_PW)
        assert_raises_rpc_error(-32000, "invalid signature", self.relay, node, to, 6, 1, sig)
        assert_raises_rpc_error(-32000, "invalid signature", self.relay, node, to, 5, 0, sig)
        assert_raises_rpc_error(-32000, "invalid signature", self.relay, node, DEV_ACCOUNTS[2],
                                5, 1, sig)
        # A digest signed as a message is not the holder's authorization either.
        wrong = node.rpc("personal_sign", ph["digest"], self.holder, HOLDER_PW)
        assert_raises_rpc_error(-32000, "invalid signature", self.relay, node, to, 5, 1, wrong)

        s = data_bytes(sig)
        assert_raises_rpc_error(-32602, "65 bytes", self.relay, node, to, 5, 1, hx(s[:64]))
        assert_raises_rpc_error(-32602, "V is not 27 or 28", self.relay, node, to, 5, 1,
                                hx(s[:64] + b"\x1e"))
        high_s = SECP_N - int.from_bytes(s[32:64], "big")
        twin = s[:32] + word(high_s) + bytes([55 - s[64]])
        assert_raises_rpc_error(-32602, "above n/2", self.relay, node, to, 5, 1, hx(twin))
        assert_raises_rpc_error(-32602, "invalid argument 2: transfer to the zero address",
                                self.relay, node, "0x" + "00" * 20, 5, 1, sig)
        assert_raises_rpc_error(-32602, "value + fee overflows", self.relay, node, to,
                                2 ** 256 - 1, 1, sig)

        big = self.authorize(node, to, 684, 0, nonce=2)
        assert_raises_rpc_error(-32000, "insufficient token balance: have 683, want 684",
                                self.relay, node, to, 684, 0, big)
        fee_big = self.authorize(node, to, 600, 84, nonce=2)
        assert_raises_rpc_error(-32000, "insufficient token balance: have 683, want 684",
                                self.relay, node, to, 600, 84, fee_big)

        for token, why in ((DEV_ACCOUNTS[3], "has no code"),
                           (CHIEF_BASE, "is not a ProxyToken contract")):
            assert_raises_rpc_error(-32000, why, node.rpc, "relay_proxyHash", token,
                                    self.holder, to, q(1), q(0))
            assert_raises_rpc_error(-32000, why, node.rpc, "relay_transferProxy", token,
                                    self.holder, to, q(5), q(1), sig)

        assert_raises_rpc_error(-32602, "invalid argument 3: value: hex string without 0x",
                                node.rpc, "relay_proxyHash", self.token, self.holder, to, "12",
                                q(0))
        assert_raises_rpc_error(-32602, "invalid argument 4: fee", node.rpc, "relay_proxyHash",
                                self.token, self.holder, to, q(1), 5)
        assert_raises_rpc_error(-32602, "invalid argument 1", node.rpc, "relay_proxyHash",
                                self.token, "0x12", to, q(1), q(0))
        assert_raises_rpc_error(-32602, "missing value for required argument 4", node.rpc,
                                "relay_proxyHash", self.token, self.holder, to, q(1))
        assert_raises_rpc_error(-32602, "missing value for required argument 5", node.rpc,
                                "relay_transferProxy", self.token, self.holder, to, q(1), q(0))
        assert_raises_rpc_error(-32602, "invalid argument 5", node.rpc, "relay_transferProxy",
                                self.token, self.holder, to, q(1), q(0), "sig")
        assert_equal(tx_count(node, RELAYER), nonce, "no refusal sent anything")
        # The good signature still works after all that.
        h = self.relay(node, to, 5, 1, sig)
        assert_equal(self.apply_logs(receipt(node, h)),
                     [(self.holder, to, 5), (self.holder, RELAYER, 1)])

    def test_auth(self, node):
        self.log("relay_ needs credentials")
        for method in ("relay_proxyHash", "relay_transferProxy", "relay_other"):
            status, _, body = node.http({"jsonrpc": "2.0", "id": 1, "method": method,
                                         "params": []}, auth=False)
            assert_equal((status, body), (401, b""), method)

    def test_pending(self, node):
        self.log("-automine=0: pending relayed calls count in the nonce and the balance")
        node.stop()
        node.start(["-automine=0"])
        to = self.to
        have = self.token_balance(node, self.holder)      # 677
        n0 = u(node.rpc("relay_proxyHash", self.token, self.holder, to, q(1), q(0))["nonce"])
        sig1 = self.authorize(node, to, 100, 2, nonce=n0)
        h1 = self.relay(node, to, 100, 2, sig1)
        assert_equal(receipt(node, h1), None, "pending")
        # The next authorization uses the next nonce; the pending one cannot be replayed.
        assert_raises_rpc_error(-32000, "invalid signature", self.relay, node, to, 100, 2, sig1)
        too_much = self.authorize(node, to, have - 102 + 1, 0, nonce=n0 + 1)
        assert_raises_rpc_error(-32000, "insufficient token balance: have %d, want %d"
                                % (have - 102, have - 101), self.relay, node, to,
                                have - 101, 0, too_much)
        sig2 = self.authorize(node, to, 50, 3, nonce=n0 + 1)
        h2 = self.relay(node, to, 50, 3, sig2)
        pool = node.rpc("txpool_status")
        assert_equal(u(pool["pending"]), 2)
        node.rpc("generate", 1)
        for h, want in ((h1, [(self.holder, to, 100), (self.holder, RELAYER, 2)]),
                        (h2, [(self.holder, to, 50), (self.holder, RELAYER, 3)])):
            r = receipt(node, h)
            assert_equal(r["status"], "0x1")
            assert_equal(self.apply_logs(r), want)
        assert_equal(self.token_balance(node, self.holder), have - 155)
        assert_equal(u(node.rpc("relay_proxyHash", self.token, self.holder, to, q(1),
                                q(0))["nonce"]), n0 + 2)

    def test_relayer_options(self, node):
        self.log("-relayer: a locked account, none, not in the wallet, not an address")
        to = self.to
        node.stop()
        node.start(["-relayer=" + self.holder])
        sig = self.authorize(node, to, 1, 1)
        assert_raises_rpc_error(-32000, "relayer account %s is locked" % self.holder,
                                self.relay, node, to, 1, 1, sig)
        # Unlocked, but it owns no SMT for the gas: the pool's reason comes back.
        node.rpc("personal_unlockAccount", self.holder, HOLDER_PW, 0)
        assert_raises_rpc_error(-32000, "relayer: insufficient funds", self.relay, node, to, 1,
                                1, sig)
        node.stop()
        node.start(["-norelayer"])
        assert_raises_rpc_error(-32000, "no relayer account", self.relay, node, to, 1, 1, sig)
        # relay_proxyHash needs no relayer.
        node.rpc("relay_proxyHash", self.token, self.holder, to, q(1), q(1))
        node.stop()
        node.assert_start_fails(["-relayer=0x00000000000000000000000000000000000000aa"],
                                "is not an account of the wallet")
        node.assert_start_fails(["-relayer=bob"], "is not an address")
        node.start()
        self.relay(node, to, 1, 1, sig)


if __name__ == "__main__":
    RelayTest().main()
