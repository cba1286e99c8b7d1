#!/usr/bin/env python3
"""Mediated payments A -> B -> C through spectrumd's channel hubs, with B's
fees, settled on chain to the unit.

Four regtest nodes on loopback (-nodiscover, p2p to 127.0.0.1 only): P
produces blocks (its hub off); A, B and C never do (-automine=0) and run
hubs with keys of their own (-nodekey), funded by dev accounts with SMT
(gas) and PhotonTestToken (PTT). A and C share no channel: A opens A-B, B
opens B-C (settle timeout 100, so each hop keeps a reveal_timeout margin).

- B sets a fee policy with an account, a token and a channel setting
  (channel_setFeePolicy); the channel's wins for the B-C hop:
  fee = amount / 500 + 1,000.
- A registers the edge B -> C with too low a fee (channel_addRoute): B
  announces the lock disposed, A has no other route, the transfer is FAILED
  on A and B and A's balance is whole again.
- A registers the edge with B's real fee; a feeMax below it is refused
  (-32000 "above fee_max"); then five payments A -> C: each SUCCESS on A, B
  and C, A's records show the fee paid, B's the fee earned, the channels show
  no lock left and the balances moved by amount + fee on A-B and amount on
  B-C.
- Both channels are closed and settled on chain: A ends with FUNDS - sum of
  (amount + fee), B with FUNDS + sum of fees, C with FUNDS + sum of amounts.

The class is shared with channel_expiry.py (the four-node set-up, the two
channels and the helpers).
"""

import os

from channel_direct import PTT, PUNISH_BLOCKS, addr_word, ptt_balance, word
from test_framework.chain import DEV_ACCOUNTS, SMT, q, receipt, send, u
from test_framework.keccak import keccak256
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (assert_equal, assert_raises_rpc_error,
                                 assert_true, free_port, wait_until)

SETTLE_TIMEOUT = 100        # reveal timeout 30: locks of 70, 40 blocks over two hops
FUNDS = 1000 * SMT          # PTT given to each hub
DEPOSIT_AB = 100 * SMT      # A's deposit with B
DEPOSIT_BC = 80 * SMT       # B's deposit with C
# B's fee for the B-C hop (its channel setting): amount / 500 + 1,000
B_FEE = {"feeConstant": q(1000), "feePercent": 500}
STATUS_SUCCESS, STATUS_FAILED = 3, 5


def b_fee(amount):
    return amount // 500 + 1000


class ChannelMediatedTest(SpectrumTestFramework):
    # P also makes a block every second, so that waits on the chain need no
    # generate; a test that checks block-exact timing turns it off.
    PRODUCER_ARGS = ["-blocktime=1"]

    def set_test_params(self):
        self.num_nodes = 4
        self.start_nodes = False

    # ---- set-up ------------------------------------------------------------
    def hub_args(self, n, i):
        keyfile = os.path.join(n.datadir, "hubkey")
        if not os.path.exists(keyfile):
            with open(keyfile, "w") as f:
                f.write(keccak256(b"spectrumd mediated test hub %d" % i).hex())
        return ["-nodiscover", "-bind=127.0.0.1", "-port=%d" % self.ports[i], "-automine=0",
                "-connect=" + self.enode, "-nodekey=" + keyfile, "-debug=channel"]

    def hubs(self):
        return [n for n in self.nodes[1:] if n.running()]

    def setup_hubs(self):
        p = self.nodes[0]
        for n in self.nodes:
            n.isolated = False
        self.ports = [free_port() for _ in range(4)]
        p.start(["-nodiscover", "-bind=127.0.0.1", "-port=%d" % self.ports[0], "-automine=1",
                 "-channel=0"] + self.PRODUCER_ARGS)
        self.enode = p.rpc("admin_nodeInfo")["enode"]
        for i in (1, 2, 3):
            self.nodes[i].start(self.hub_args(self.nodes[i], i))
        wait_until(lambda: u(p.rpc("net_peerCount")) == 3, 30, "P to have A, B and C as peers")
        self.addr = [None] + [self.nodes[i].rpc("channel_address")["address"] for i in (1, 2, 3)]
        self.A, self.B, self.C = self.addr[1:]
        assert_equal(len(set(self.addr[1:] + [p.rpc("eth_coinbase")])), 4)

        self.log("fund the hubs from dev accounts: 10 SMT and 1,000 PTT each")
        for i in (1, 2, 3):
            who = self.addr[i]
            send(p, DEV_ACCOUNTS[i], who, 10 * SMT)
            t = send(p, DEV_ACCOUNTS[i], PTT, 0, gas=200000,
                     data="0xa9059cbb" + addr_word(who) + word(FUNDS))
            r = receipt(p, t)
            assert_true(r is not None and r["status"] == "0x1", "PTT transfer %r" % (r,))
        self.sync_hubs()
        for n in self.hubs():
            wait_until(lambda: u(n.rpc("channel_balance", PTT)["tokenBalance"]) == FUNDS, 30,
                       "the hub to see its PTT")
        self.register_peers()

    def register_peers(self):
        """A-B and B-C carry the locks; C asks A for the secret and A reveals
        it to C directly, so A and C know each other too."""
        ep = {i: self.nodes[i].rpc("channel_address") for i in (1, 2, 3)}
        for i, j in ((1, 2), (2, 3), (1, 3)):
            for x, y in ((i, j), (j, i)):
                assert_equal(self.nodes[x].rpc("channel_registerPeer", self.addr[y],
                                               ep[y]["host"], ep[y]["port"]), True)

    def open_channels(self):
        a, b, c = self.nodes[1:]
        self.log("A opens a PTT channel with B, B one with C (settle timeout %d)" %
                 SETTLE_TIMEOUT)
        ab = a.rpc("channel_open", self.B, PTT, q(DEPOSIT_AB), q(SETTLE_TIMEOUT))
        bc = b.rpc("channel_open", self.C, PTT, q(DEPOSIT_BC), q(SETTLE_TIMEOUT))
        assert_equal((ab["stateString"], u(ab["deposit"]), u(ab["revealTimeout"])),
                     ("opened", DEPOSIT_AB, 30))
        assert_equal((bc["stateString"], u(bc["deposit"])), ("opened", DEPOSIT_BC))
        self.sync_hubs()
        wait_until(lambda: self.chan(b, ab["channelId"]) is not None and
                   self.chan(c, bc["channelId"]) is not None, 30,
                   "B and C to see their channels from the chain")
        assert_raises_rpc_error(-32000, "channel not found", a.rpc, "channel_get", self.C, PTT)
        return ab["channelId"], bc["channelId"]

    # ---- helpers -----------------------------------------------------------
    def chan(self, node, cid):
        for ch in node.rpc("channel_list"):
            if ch["channelId"] == cid:
                return ch
        return None

    def status(self, node, sh):
        return node.rpc("channel_transferStatus", sh)["status"]

    def wait_status(self, nodes, sh, want, timeout=60):
        for n in nodes:
            wait_until(lambda: self.status(n, sh) == want, timeout,
                       "node%d: transfer %s... status %d" % (n.index, sh[:10], want))

    def sync_hubs(self, timeout=60):
        """Waits until every running hub has P's head (no nudging: a node that
        stayed behind after a lost announcement was a p2p bug, p2p_announce)."""
        h = u(self.nodes[0].rpc("eth_blockNumber"))
        wait_until(lambda: all(u(n.rpc("eth_blockNumber")) >= h for n in self.hubs()),
                   timeout, "the hubs at block %d" % h)

    def generate_until(self, height):
        p = self.nodes[0]
        while u(p.rpc("eth_blockNumber")) < height:
            p.rpc("generate", min(1000, height - u(p.rpc("eth_blockNumber"))))

    def close_and_settle(self, closes):
        """closes: [(node, channel id)]: each node closes its channel, then
        both are settled once the settle and punish windows are over."""
        closed = [n.rpc("channel_close", cid) for n, cid in closes]
        for ch in closed:
            assert_equal(ch["stateString"], "closed")
        last = max(u(ch["settleBlock"]) for ch in closed) + PUNISH_BLOCKS
        self.log("closed; settle after block %d" % last)
        self.generate_until(last)
        self.sync_hubs()
        for n, cid in closes:
            assert_equal(n.rpc("channel_settle", cid)["stateString"], "settled")

    # ---- the test ------------------------------------------------------------
    def run_test(self):
        p, a, b, c = self.nodes
        self.setup_hubs()
        ab, bc = self.open_channels()

        self.log("B's fee policy: account, token and channel settings; the channel's wins")
        pol = b.rpc("channel_setFeePolicy", {
            "accountFee": {"feeConstant": q(1), "feePercent": 10000},
            "tokenFeeMap": {PTT: {"feeConstant": q(100), "feePercent": 2000}},
            "channelFeeMap": {bc: B_FEE}})
        assert_equal(pol["channelFeeMap"], {bc: B_FEE})
        assert_equal(pol["tokenFeeMap"][PTT.lower()]["feePercent"], 2000)
        assert_raises_rpc_error(-32602, "not a channel id", b.rpc, "channel_setFeePolicy",
                                {"channelFeeMap": {self.C: B_FEE}})

        self.log("a route that underprices B: disposed by B, FAILED, A's balance whole")
        e = assert_raises_rpc_error(-32000, None, a.rpc, "channel_transfer", self.C, PTT,
                                    q(10 ** 15))
        assert_equal(e.data, {"code": 3003})
        assert_equal(a.rpc("channel_addRoute", PTT, self.B, self.C,
                           {"feeConstant": "0x0", "feePercent": 0}), True)
        t = a.rpc("channel_transfer", self.C, PTT, q(10 ** 15))
        assert_equal((t["direct"], u(t["fee"]), t["lockSecretHash"]), (False, 0, t["id"]))
        self.wait_status([a, b], t["id"], STATUS_FAILED)
        wait_until(lambda: u(self.chan(a, ab)["lockedAmount"]) == 0, 30, "A's lock removed")
        ga = self.chan(a, ab)
        assert_equal((u(ga["balance"]), u(ga["lockedAmount"])), (DEPOSIT_AB, 0))
        assert_equal(u(self.chan(b, bc)["lockedAmount"]), 0)
        assert_raises_rpc_error(-32000, "not found", c.rpc, "channel_transferStatus", t["id"])

        self.log("B's real fee on the route; a feeMax below it is refused")
        assert_equal(a.rpc("channel_addRoute", PTT, self.B, self.C, B_FEE), True)
        amounts = [10 ** 15 * k + 13 * k for k in range(1, 6)]
        assert_raises_rpc_error(-32000, "fee_max", a.rpc, "channel_transfer", self.C, PTT,
                                q(amounts[0]), {"feeMax": q(b_fee(amounts[0]) - 1)})

        self.log("five payments A -> C through B")
        ids = []
        for x in amounts:
            t = a.rpc("channel_transfer", self.C, PTT, q(x), {"feeMax": q(b_fee(x))})
            assert_equal((t["direct"], u(t["amount"]), u(t["fee"])), (False, x, b_fee(x)))
            ids.append(t["id"])
        for sh, x in zip(ids, amounts):
            self.wait_status([a, c, b], sh, STATUS_SUCCESS)
            ra, rb, rc = (n.rpc("channel_transferStatus", sh) for n in (a, b, c))
            assert_equal((ra["outgoing"], u(ra["amount"]), u(ra["fee"]), ra["channelId"]),
                         (True, x, b_fee(x), ab))
            assert_equal((rb["outgoing"], u(rb["fee"]), rb["initiator"], rb["target"]),
                         (False, b_fee(x), self.A, self.C))
            assert_equal((rc["outgoing"], u(rc["amount"]), rc["channelId"], rc["role"]),
                         (False, x, bc, None))
        paid = sum(amounts)
        fees = sum(b_fee(x) for x in amounts)

        self.log("channels: no lock left, balances moved by amount + fee and by amount")
        wait_until(lambda: self.chan(a, ab)["unacked"] == "0x0" and
                   self.chan(b, bc)["unacked"] == "0x0", 30, "every proof acknowledged")
        ga, gb_ab = self.chan(a, ab), self.chan(b, ab)
        gb_bc, gc = self.chan(b, bc), self.chan(c, bc)
        for ch in (ga, gb_ab, gb_bc, gc):
            assert_equal((u(ch["lockedAmount"]), u(ch["partnerLockedAmount"])), (0, 0))
        assert_equal((u(ga["balance"]), u(ga["partnerBalance"])),
                     (DEPOSIT_AB - paid - fees, paid + fees))
        assert_equal(ga["ourBalanceProof"], gb_ab["partnerBalanceProof"])
        assert_equal(u(ga["ourBalanceProof"]["transferredAmount"]), paid + fees)
        assert_equal((u(gb_bc["balance"]), u(gc["balance"])), (DEPOSIT_BC - paid, paid))
        assert_equal(gb_bc["ourBalanceProof"], gc["partnerBalanceProof"])

        self.log("close both channels and settle: every balance exact")
        before = {i: ptt_balance(p, self.addr[i]) for i in (1, 2, 3)}
        assert_equal(before, {1: FUNDS - DEPOSIT_AB, 2: FUNDS - DEPOSIT_BC, 3: FUNDS})
        self.close_and_settle([(a, ab), (c, bc)])
        after = {i: ptt_balance(p, self.addr[i]) for i in (1, 2, 3)}
        assert_equal(after, {1: FUNDS - paid - fees, 2: FUNDS + fees, 3: FUNDS + paid})


if __name__ == "__main__":
    ChannelMediatedTest().main()
