#!/usr/bin/env python3
"""The channel_ user operations of photon.md §5 beyond paying, closing and
settling: peer tables, fee policy, secrets, cancel, mesh mode and the
third-party delegation bundle.

The set-up of channel_mediated.py (producer P, hubs A, B, C with channels
A-B and B-C, settle timeout 100), except that the hubs learn where their
partners listen through channel_updateNodes (one call per hub), so every
payment below also shows the registration works.

- channel_getFeePolicy: Photon's default, then what channel_setFeePolicy
  stored, and the same after B restarts (it is stored).
- channel_secret: a fresh pair whose hash is sha256(secret).
- a transfer with the caller's secret is HELD: C asks, A does not reveal
  (status 1 on A, nothing paid) until channel_allowRevealSecret; then it
  succeeds on A, B and C, and a cancel is refused (1017).
- channel_transferCancel of a held transfer: status 4 on A at once; only
  the initiator may cancel (1007 on C); allowRevealSecret is refused after
  it; the lock expires back to A (status still 4, A's balance whole).
- channel_registerSecret: C learns a held transfer's secret out of band and
  registers it: the payment completes through B without A's reveal.
- mesh mode: A's mediated transfer is refused with 1014 while a direct one
  to B works; with B in mesh mode, A's mediated transfer through B is
  disposed by B (FAILED on A, A's balance whole).
- channel_thirdParty: B takes the bundle for A-B naming a third account X
  and goes offline; A closes with no proof of its own on chain; X submits
  updateBalanceProofDelegate built from the bundle: with B's signature but
  naming A as the participant it reverts, as B it succeeds in the second
  half of the settle window and the contract holds A's newest nonce; after
  settlement B has every token A paid it.
"""

import hashlib
import time

from channel_direct import PTT, PUNISH_BLOCKS, addr_word, ptt_balance, word
from channel_mediated import (DEPOSIT_AB, DEPOSIT_BC, FUNDS, SETTLE_TIMEOUT, STATUS_FAILED,
                              STATUS_SUCCESS, ChannelMediatedTest)
from test_framework.chain import DEV_ACCOUNTS, q, receipt, send, u
from test_framework.keccak import keccak256
from test_framework.test_node import JSONRPCException
from test_framework.util import assert_equal, assert_raises_rpc_error, assert_true, wait_until

TOKENS_NETWORK = "0x5350454300000000000000000000000000000105"
STATUS_CAN_CANCEL, STATUS_CANCELED = 1, 4
DEFAULT_FEE = {"accountFee": {"feeConstant": "0x0", "feePercent": 10000},
               "tokenFeeMap": {}, "channelFeeMap": {}}


def selector(sig):
    return keccak256(sig.encode())[:4].hex()


def dyn_bytes(h):
    b = bytes.fromhex(h[2:])
    return word(len(b)) + (b + b"\0" * (-len(b) % 32)).hex()


def update_delegate_data(token, partner, participant, upd):
    """updateBalanceProofDelegate(token, partner, participant, ta, locksroot,
    nonce, additional_hash, partner_signature, participant_signature)."""
    head = [addr_word(token), addr_word(partner), addr_word(participant),
            word(u(upd["transferredAmount"])), upd["locksroot"][2:], word(u(upd["nonce"])),
            upd["additionalHash"][2:]]
    first = dyn_bytes(upd["closingSignature"])
    head += [word(32 * 9), word(32 * 9 + len(first) // 2)]
    return ("0x" + selector("updateBalanceProofDelegate(address,address,address,uint256,"
                            "bytes32,uint64,bytes32,bytes,bytes)") +
            "".join(head) + first + dyn_bytes(upd["nonClosingSignature"]))


class ChannelOpsTest(ChannelMediatedTest):
    def register_peers(self):
        """Each hub registers every other one with one channel_updateNodes."""
        ep = {i: self.nodes[i].rpc("channel_address") for i in (1, 2, 3)}
        for i in (1, 2, 3):
            nodes = [{"address": self.addr[j], "ipPort": "%s:%d" % (ep[j]["host"], ep[j]["port"])}
                     for j in (1, 2, 3) if j != i]
            assert_equal(self.nodes[i].rpc("channel_updateNodes", nodes), True)

    def photon_error(self, code, node, method, *args):
        e = assert_raises_rpc_error(-32000, None, node.rpc, method, *args)
        assert_equal(e.data, {"code": code})

    def wait_target(self, sh):
        """Until C holds the lock of transfer sh as its target."""
        c = self.nodes[3]

        def holds():
            try:
                return c.rpc("channel_transferStatus", sh)["role"] == "target"
            except JSONRPCException:
                return False
        wait_until(holds, 30, "C to hold the lock")

    def held(self, amount):
        """A pays C through B with a secret of its own (held)."""
        a = self.nodes[1]
        pair = a.rpc("channel_secret")
        t = a.rpc("channel_transfer", self.C, PTT, q(amount), {"secret": pair["secret"]})
        assert_equal((t["direct"], t["lockSecretHash"]), (False, pair["lockSecretHash"]))
        return pair

    def run_test(self):
        p, a, b, c = self.nodes
        self.setup_hubs()
        self.log("bad channel_updateNodes entries are refused before any is registered")
        assert_raises_rpc_error(-32602, "ipPort", a.rpc, "channel_updateNodes",
                                [{"address": self.B, "ipPort": "127.0.0.1"}])
        assert_raises_rpc_error(-32602, "not an IP", a.rpc, "channel_updateNodes",
                                [{"address": self.B, "ipPort": "localhost:1"}])
        ab, bc = self.open_channels()

        self.log("fee policy: the default, the stored one, the same after a restart")
        assert_equal(b.rpc("channel_getFeePolicy"), DEFAULT_FEE)
        fee = {"feeConstant": q(1000), "feePercent": 500}
        set_ = b.rpc("channel_setFeePolicy", {
            "accountFee": {"feeConstant": q(7), "feePercent": 0},
            "tokenFeeMap": {PTT: {"feeConstant": q(100), "feePercent": 2000}},
            "channelFeeMap": {bc: fee}})
        assert_equal(b.rpc("channel_getFeePolicy"), set_)
        assert_equal(set_["accountFee"], {"feeConstant": q(7), "feePercent": 0})
        b.stop()
        b.start(self.hub_args(b, 2))
        self.sync_hubs()
        self.register_peers()
        assert_equal(b.rpc("channel_getFeePolicy"), set_)
        assert_equal(a.rpc("channel_addRoute", PTT, self.B, self.C, fee), True)

        self.log("channel_secret: fresh pairs, hash = sha256(secret)")
        s1, s2 = a.rpc("channel_secret"), a.rpc("channel_secret")
        assert_true(s1["secret"] != s2["secret"], "two equal secrets")
        for s in (s1, s2):
            assert_equal("0x" + hashlib.sha256(bytes.fromhex(s["secret"][2:])).hexdigest(),
                         s["lockSecretHash"])

        x = 10 ** 15
        paid_ab = 0  # what A paid B on A-B, fees included
        self.log("a held secret: no reveal until channel_allowRevealSecret")
        pair = self.held(x)
        sh = pair["lockSecretHash"]
        self.wait_target(sh)
        self.log("  (the target asks; A waits 3 s without revealing)")
        time.sleep(3)
        assert_equal(self.status(a, sh), STATUS_CAN_CANCEL)
        assert_equal(c.rpc("channel_transferStatus", sh)["stage"], "locked")
        assert_equal(a.rpc("channel_allowRevealSecret", sh), True)
        self.wait_status([a, b, c], sh, STATUS_SUCCESS)
        paid_ab += x + 1000 + x // 500
        self.photon_error(1017, a, "channel_transferCancel", sh)

        self.log("cancel: status 4 at once, the initiator only; the lock returns to A")
        pair = self.held(x)
        sh = pair["lockSecretHash"]
        self.wait_target(sh)
        self.photon_error(1007, c, "channel_transferCancel", sh)
        r = a.rpc("channel_transferCancel", sh)
        assert_equal((r["status"], r["statusString"], r["role"]), (STATUS_CANCELED, "canceled",
                                                                    "initiator"))
        assert_equal(a.rpc("channel_transferCancel", sh)["status"], STATUS_CANCELED)
        self.photon_error(1007, a, "channel_allowRevealSecret", sh)
        self.photon_error(3004, a, "channel_transferCancel", "0x" + "11" * 32)
        time.sleep(2)
        assert_equal(c.rpc("channel_transferStatus", sh)["stage"], "locked")
        exp = u(a.rpc("channel_transferStatus", sh)["expiration"])
        self.generate_until(exp + 19)
        self.sync_hubs()
        wait_until(lambda: u(self.chan(a, ab)["lockedAmount"]) == 0, 60, "A's lock removed")
        assert_equal(self.status(a, sh), STATUS_CANCELED)
        self.wait_status([b], sh, STATUS_FAILED)
        assert_equal(u(self.chan(a, ab)["balance"]), DEPOSIT_AB - paid_ab)

        self.log("registerSecret: C learns a held secret out of band; paid without A's reveal")
        pair = self.held(x)
        sh = pair["lockSecretHash"]
        self.wait_target(sh)
        self.photon_error(3004, c, "channel_registerSecret", s2["secret"])
        self.photon_error(1007, a, "channel_registerSecret", pair["secret"])
        assert_equal(c.rpc("channel_registerSecret", pair["secret"]), True)
        self.wait_status([c, b, a], sh, STATUS_SUCCESS)
        paid_ab += x + 1000 + x // 500

        self.log("mesh mode on A: mediated refused (1014), direct works")
        assert_equal(a.rpc("channel_switchNetwork"), {"mesh": False})
        assert_equal(a.rpc("channel_switchNetwork", True), {"mesh": True})
        self.photon_error(1014, a, "channel_transfer", self.C, PTT, q(x))
        t = a.rpc("channel_transfer", self.B, PTT, q(3 * x))
        assert_equal(t["direct"], True)
        self.wait_status([a, b], t["id"], STATUS_SUCCESS)
        paid_ab += 3 * x
        assert_equal(a.rpc("channel_switchNetwork", False), {"mesh": False})

        self.log("mesh mode on B: A's mediated transfer through B is disposed")
        assert_equal(b.rpc("channel_switchNetwork", True), {"mesh": True})
        t = a.rpc("channel_transfer", self.C, PTT, q(x))
        self.wait_status([a], t["id"], STATUS_FAILED)
        wait_until(lambda: u(self.chan(a, ab)["lockedAmount"]) == 0, 30, "A's lock removed")
        assert_equal(u(self.chan(a, ab)["balance"]), DEPOSIT_AB - paid_ab)
        assert_equal(b.rpc("channel_switchNetwork", False), {"mesh": False})

        self.log("third party: B's bundle for A-B, then B goes offline and A closes")
        wait_until(lambda: self.chan(a, ab)["unacked"] == "0x0", 30, "A's proofs acked")
        X = DEV_ACCOUNTS[7]
        self.photon_error(3002, b, "channel_thirdParty", "0x" + "22" * 32, X)
        bundle = b.rpc("channel_thirdParty", ab, X)
        upd = bundle["updateTransfer"]
        newest = self.chan(b, ab)["partnerBalanceProof"]
        assert_equal((bundle["channelId"], bundle["partner"], bundle["participant"],
                      bundle["delegatee"], bundle["token"].lower()),
                     (ab, self.A, self.B, X.lower(), PTT.lower()))
        assert_equal((upd["nonce"], upd["transferredAmount"], upd["locksroot"],
                      upd["additionalHash"], upd["closingSignature"]),
                     (newest["nonce"], newest["transferredAmount"], newest["locksroot"],
                      newest["additionalHash"], newest["signature"]))
        assert_equal(u(upd["transferredAmount"]), paid_ab)
        assert_equal((bundle["unlocks"], bundle["punishes"]), ([], []))
        b.stop()
        closed = a.rpc("channel_close", ab)
        close_block = u(closed["closedBlock"])
        assert_equal(closed["chainTransferredAmount"], None)  # A's own proof is not on chain

        def submit(participant, partner):
            h = send(p, X, TOKENS_NETWORK, 0, gas=300000,
                     data=update_delegate_data(PTT, partner, participant, upd))
            wait_until(lambda: receipt(p, h) is not None, 30, "the delegate update mined")
            return receipt(p, h)

        self.log("X in the second half of the window: naming A as participant reverts, "
                 "B succeeds")
        self.generate_until(close_block + SETTLE_TIMEOUT // 2 + 1)
        assert_equal(submit(self.A, self.B)["status"], "0x0")
        r = submit(self.B, self.A)
        assert_equal(r["status"], "0x1")
        info = p.rpc("eth_call", {"to": TOKENS_NETWORK, "data": "0x" + selector(
            "getChannelParticipantInfo(address,address,address)") + addr_word(PTT) +
            addr_word(self.A) + addr_word(self.B)}, "latest")
        assert_equal(u("0x" + info[2 + 128:2 + 192]), u(upd["nonce"]))
        assert_true(any(log["address"].lower() == TOKENS_NETWORK for log in r["logs"]),
                    "BalanceProofUpdated")

        self.log("settle: B keeps every token A paid it")
        self.generate_until(close_block + SETTLE_TIMEOUT + PUNISH_BLOCKS + 1)
        self.sync_hubs()
        assert_equal(a.rpc("channel_settle", ab)["stateString"], "settled")
        assert_equal(ptt_balance(p, self.A), FUNDS - paid_ab)
        assert_equal(ptt_balance(p, self.B), FUNDS - DEPOSIT_BC + paid_ab)


if __name__ == "__main__":
    ChannelOpsTest().main()
