#!/usr/bin/env python3
"""Direct payments between two channel hubs inside spectrumd, settled on chain.

Three regtest nodes on loopback (-nodiscover, p2p to 127.0.0.1 only): P
produces blocks (-automine=1, its hub off); A and B never do (-automine=0)
and run hubs with keys of their own (-nodekey), funded by dev accounts with
SMT (gas) and PhotonTestToken (PTT). Their channel transactions go to their
own pools and reach P over p2p.

- channel_open (approve + deposit from the hub's account) returns once the
  hub saw ChannelOpenedAndDeposit; B sees the channel from the chain alone and
  adds its deposit with channel_deposit;
- 100 direct payments A -> B and 3 B -> A: every one acknowledged
  (transferStatus 3 on both sides), channel_get agrees on both hubs (each
  side's latest proof is the other's partner proof, balances mirror);
- a payment above the distributable amount is refused with Photon's 1002;
- A closes unilaterally with B's latest proof; B's watchdog posts A's newest
  proof (updateBalanceProof) without being asked;
- after the settle window (settle timeout + 257 punish blocks) channel_settle
  settles, and the PTT balances on chain are exactly the deposits moved by
  the acknowledged payments.

The class is shared with channel_cheat.py (the hub set-up and helpers).
"""

import os

from test_framework.chain import DEV_ACCOUNTS, SMT, q, receipt, send, u
from test_framework.keccak import keccak256
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (assert_equal, assert_raises_rpc_error, assert_true, free_port,
                                 wait_until)

PTT = "0x5350454300000000000000000000000000000107"
SETTLE_TIMEOUT = 10
PUNISH_BLOCKS = 257
FUNDS = 1000 * SMT          # PTT given to each hub
DEPOSIT_A = 100 * SMT
DEPOSIT_B = 50 * SMT


def word(x):
    return "%064x" % x


def addr_word(a):
    return "0" * 24 + a[2:].lower()


def ptt_balance(node, who):
    return u(node.rpc("eth_call", {"to": PTT, "data": "0x70a08231" + addr_word(who)}, "latest"))


class ChannelHubsTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 3
        self.start_nodes = False

    # ---- set-up ------------------------------------------------------------
    def hub_args(self, n, i):
        keyfile = os.path.join(n.datadir, "hubkey")
        if not os.path.exists(keyfile):
            with open(keyfile, "w") as f:
                f.write(keccak256(b"spectrumd channel test hub %d" % i).hex())
        return ["-nodiscover", "-bind=127.0.0.1", "-port=%d" % self.ports[i], "-automine=0",
                "-connect=" + self.enode, "-nodekey=" + keyfile, "-debug=channel"]

    def setup_hubs(self):
        p, a, b = self.nodes
        for n in self.nodes:
            n.isolated = False
        self.ports = [free_port() for _ in range(3)]
        p.start(["-nodiscover", "-bind=127.0.0.1", "-port=%d" % self.ports[0], "-automine=1",
                 "-blocktime=1",
                 "-channel=0"])
        self.enode = p.rpc("admin_nodeInfo")["enode"]
        a.start(self.hub_args(a, 1))
        b.start(self.hub_args(b, 2))
        wait_until(lambda: u(p.rpc("net_peerCount")) == 2, 30, "P to have A and B as peers")
        self.A = a.rpc("channel_address")["address"]
        self.B = b.rpc("channel_address")["address"]
        assert_true(self.A != self.B and self.A != p.rpc("eth_coinbase"), "three distinct keys")

        self.log("fund the hubs from dev accounts: 10 SMT and 1,000 PTT each")
        for i, who in ((1, self.A), (2, self.B)):
            send(p, DEV_ACCOUNTS[i], who, 10 * SMT)
            t = send(p, DEV_ACCOUNTS[i], PTT, 0, gas=200000,
                 data="0xa9059cbb" + addr_word(who) + word(FUNDS))
            r = receipt(p, t)
            assert_true(r is not None and r["status"] == "0x1", "PTT transfer %r" % (r,))
        self.sync_hubs()
        for n in (a, b):
            wait_until(lambda: u(n.rpc("channel_balance", PTT)["tokenBalance"]) == FUNDS, 30,
                       "the hub to see its PTT")
        self.register_peers()

    def register_peers(self):
        a, b = self.nodes[1], self.nodes[2]
        pa, pb = a.rpc("channel_address"), b.rpc("channel_address")
        assert_equal(a.rpc("channel_registerPeer", self.B, pb["host"], pb["port"]), True)
        assert_equal(b.rpc("channel_registerPeer", self.A, pa["host"], pa["port"]), True)

    def open_channel(self):
        a, b = self.nodes[1], self.nodes[2]
        self.log("A opens a PTT channel with B; B deposits too")
        ch = a.rpc("channel_open", self.B, PTT, q(DEPOSIT_A), q(SETTLE_TIMEOUT))
        assert_equal((ch["stateString"], u(ch["deposit"]), ch["partner"], ch["token"]),
                     ("opened", DEPOSIT_A, self.B, PTT))
        cid = ch["channelId"]
        self.sync_hubs()
        wait_until(lambda: self.chan(b, cid) is not None and self.chan(b, cid)["state"] == 1, 30,
                   "B to see the channel from the chain")
        assert_equal(u(self.chan(b, cid)["partnerDeposit"]), DEPOSIT_A)
        assert_equal(u(b.rpc("channel_deposit", self.A, PTT, q(DEPOSIT_B))["deposit"]), DEPOSIT_B)
        self.sync_hubs()
        wait_until(lambda: u(self.chan(a, cid)["partnerDeposit"]) == DEPOSIT_B, 30,
                   "A to see B's deposit")
        assert_equal(a.rpc("channel_get", self.B, PTT)["channelId"], cid)
        return cid

    # ---- helpers -----------------------------------------------------------
    def chan(self, node, cid):
        for c in node.rpc("channel_list"):
            if c["channelId"] == cid:
                return c
        return None

    def pay(self, frm, to, amounts):
        ids = [frm.rpc("channel_transfer", to, PTT, q(x))["id"] for x in amounts]
        return ids

    def wait_acked(self, node, cid, nonce):
        wait_until(lambda: self.chan(node, cid)["unacked"] == "0x0" and
                   u(self.chan(node, cid)["ackedNonce"]) == nonce, 60,
                   "node%d's proofs up to %d acknowledged" % (node.index, nonce))

    def sync_hubs(self, timeout=60):
        """Waits until A and B have P's head (no nudging: a node that stayed
        behind after a lost announcement was a p2p bug, p2p_announce)."""
        h = u(self.nodes[0].rpc("eth_blockNumber"))
        wait_until(lambda: all(u(n.rpc("eth_blockNumber")) >= h for n in self.nodes[1:]),
                   timeout, "the hubs at block %d" % h)

    def generate_until(self, height):
        p = self.nodes[0]
        while u(p.rpc("eth_blockNumber")) < height:
            p.rpc("generate", min(1000, height - u(p.rpc("eth_blockNumber"))))

    def settle(self, cid, closed):
        p, a, b = self.nodes
        first = u(closed["settleBlock"]) + PUNISH_BLOCKS + 1
        self.log("after the settle window (settle block %d + 257): settle" %
                 u(closed["settleBlock"]))
        assert_raises_rpc_error(-32000, "settle is possible from block %d" % first,
                                a.rpc, "channel_settle", cid)
        self.generate_until(first - 1)
        self.sync_hubs()
        s = a.rpc("channel_settle", cid)
        assert_equal(s["stateString"], "settled")
        wait_until(lambda: self.chan(b, cid)["stateString"] == "settled", 60, "B settled")
        return s

    # ---- the test -------------------------------------------------------------
    def run_test(self):
        p, a, b = self.nodes
        self.setup_hubs()
        cid = self.open_channel()

        self.log("100 direct payments A -> B, 3 B -> A")
        to_b = [10 ** 15 + 7919 * i for i in range(100)]
        to_a = [3 * 10 ** 16, 10 ** 16, 7]
        ids = self.pay(a, self.B, to_b)
        back = self.pay(b, self.A, to_a)
        self.wait_acked(a, cid, 100)
        self.wait_acked(b, cid, 3)
        for i in (ids[0], ids[-1]):
            wait_until(lambda: a.rpc("channel_transferStatus", i)["status"] == 3, 30, "success")
            st = b.rpc("channel_transferStatus", i)
            assert_equal((st["status"], st["outgoing"], st["initiator"]), (3, False, self.A))
        assert_equal(u(b.rpc("channel_transferStatus", ids[-1])["amount"]), to_b[-1])
        assert_equal(a.rpc("channel_transferStatus", back[0])["statusString"], "success")

        ga, gb = a.rpc("channel_get", cid), b.rpc("channel_get", self.A, PTT)
        assert_equal(ga["ourBalanceProof"], gb["partnerBalanceProof"])
        assert_equal(ga["partnerBalanceProof"], gb["ourBalanceProof"])
        assert_equal(u(ga["ourBalanceProof"]["transferredAmount"]), sum(to_b))
        assert_equal(u(gb["ourBalanceProof"]["nonce"]), 3)
        want_a = DEPOSIT_A - sum(to_b) + sum(to_a)
        assert_equal((u(ga["balance"]), u(ga["partnerBalance"])),
                     (want_a, DEPOSIT_A + DEPOSIT_B - want_a))
        assert_equal((u(gb["partnerBalance"]), u(gb["balance"])),
                     (want_a, DEPOSIT_A + DEPOSIT_B - want_a))

        self.log("a payment above the distributable amount: 1002")
        e = assert_raises_rpc_error(-32000, None, a.rpc, "channel_transfer", self.B, PTT,
                                    q(want_a + 1))
        assert_equal(e.data, {"code": 1002})

        self.log("A closes with B's latest proof; B's watchdog posts A's newest")
        closed = a.rpc("channel_close", cid)
        assert_equal((closed["stateString"], closed["closedByUs"]), ("closed", True))
        assert_equal(u(closed["partnerChainTransferredAmount"]), sum(to_a))
        assert_raises_rpc_error(-32000, "no open channel", a.rpc, "channel_transfer", self.B,
                                PTT, q(1), True)
        self.sync_hubs()
        wait_until(lambda: self.chan(b, cid)["stateString"] == "closed", 30, "B to see the close")
        wait_until(lambda: self.chan(a, cid)["chainTransferredAmount"] is not None and
                   u(self.chan(a, cid)["chainTransferredAmount"]) == sum(to_b), 60,
                   "B's updateBalanceProof with A's newest proof")
        assert_true("watchdog: updateBalanceProof" in b.debug_log(), "B's watchdog updated")

        before = {who: ptt_balance(p, who) for who in (self.A, self.B)}
        assert_equal(before, {self.A: FUNDS - DEPOSIT_A, self.B: FUNDS - DEPOSIT_B})
        self.settle(cid, closed)
        after = {who: ptt_balance(p, who) for who in (self.A, self.B)}
        assert_equal(after[self.A], FUNDS - sum(to_b) + sum(to_a))
        assert_equal(after[self.B], FUNDS - sum(to_a) + sum(to_b))


if __name__ == "__main__":
    ChannelHubsTest().main()
