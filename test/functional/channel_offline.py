#!/usr/bin/env python3
"""No-internet payments (issue 7): two hubs cut off from the block producer
keep paying each other directly, survive a kill -9, and settle exactly what
was acknowledged once the chain is back.

The set-up of channel_direct.py (producer P, hubs A and B on loopback, a PTT
channel with both deposits). B pays A three times; A keeps B's proof of the
first one. Then P stops: A and B have no chain. A makes 1,000 direct
payments to B; after 500 of them B is killed with kill -9 and restarted (its
UDP port changes on regtest, so both hubs register each other again), and A
goes on paying while B is down: A's stored outbox brings every payment to B
once it is back. Every payment ends acknowledged, and both hubs agree on A's
newest proof (nonce 1,000, the sum of the payments).

P comes back; the hubs reconnect and catch up. A closes with B's OLD proof
(regtest-only argument of channel_close); B's watchdog posts A's newest proof;
after the settle window the PTT balances on chain are exactly the deposits
moved by the acknowledged payments (minus what A's old proof hid of B's).
"""

from channel_direct import ChannelHubsTest, FUNDS, ptt_balance
from test_framework.chain import u
from test_framework.keccak import keccak256
from test_framework.util import assert_equal, assert_true, wait_until

PAYMENTS = 1000


class ChannelOfflineTest(ChannelHubsTest):
    def run_test(self):
        p, a, b = self.nodes
        self.setup_hubs()
        cid = self.open_channel()

        self.log("B pays A three times; A keeps B's first proof")
        to_a = [10 ** 15, 2 * 10 ** 15, 3 * 10 ** 15]
        self.pay(b, self.A, to_a[:1])
        self.wait_acked(b, cid, 1)
        old = a.rpc("channel_get", cid)["partnerBalanceProof"]
        self.pay(b, self.A, to_a[1:])
        self.wait_acked(b, cid, 3)

        self.log("the producer stops: no chain for A and B")
        p.stop()
        wait_until(lambda: u(a.rpc("net_peerCount")) == 0 and u(b.rpc("net_peerCount")) == 0, 30,
                   "the hubs to lose their peer")
        amounts = [10 ** 13 + i for i in range(PAYMENTS)]
        self.log("%d direct payments A -> B; B killed with kill -9 after 500" % PAYMENTS)
        self.pay(a, self.B, amounts[:500])
        b.kill9()
        self.pay(a, self.B, amounts[500:700])
        b.start(self.hub_args(b, 2))
        self.register_peers()
        self.pay(a, self.B, amounts[700:])
        self.wait_acked(a, cid, PAYMENTS)
        ga, gb = a.rpc("channel_get", cid), b.rpc("channel_get", cid)
        assert_equal(ga["ourBalanceProof"], gb["partnerBalanceProof"])
        assert_equal(u(gb["partnerBalanceProof"]["nonce"]), PAYMENTS)
        assert_equal(u(gb["partnerBalanceProof"]["transferredAmount"]), sum(amounts))
        st = b.rpc("channel_transferStatus", self.last_id(a, cid))
        assert_equal((st["status"], u(st["amount"])), (3, amounts[-1]))

        self.log("the producer is back; A closes with B's old proof")
        p.start(["-nodiscover", "-bind=127.0.0.1", "-port=%d" % self.ports[0], "-automine=1",
                 "-blocktime=1", "-channel=0"])
        wait_until(lambda: u(p.rpc("net_peerCount")) == 2, 120, "A and B to reconnect")
        self.sync_hubs()
        closed = a.rpc("channel_close", cid, old)
        assert_equal(u(closed["partnerChainTransferredAmount"]), to_a[0])
        self.sync_hubs()
        wait_until(lambda: self.chan(a, cid)["chainTransferredAmount"] is not None and
                   u(self.chan(a, cid)["chainTransferredAmount"]) == sum(amounts), 60,
                   "B's watchdog to post A's newest proof")
        assert_true("watchdog: updateBalanceProof" in b.debug_log(), "B's watchdog updated")

        self.settle(cid, closed)
        assert_equal(ptt_balance(p, self.A), FUNDS - sum(amounts) + to_a[0])
        assert_equal(ptt_balance(p, self.B), FUNDS + sum(amounts) - to_a[0])

    def last_id(self, node, cid):
        """The id of node's last direct transfer on cid, as both hubs compute
        it: keccak256(channel_id || u64 open_block || sender || u64 nonce)."""
        g = node.rpc("channel_get", cid)
        raw = (bytes.fromhex(cid[2:]) + u(g["openBlock"]).to_bytes(8, "big") +
               bytes.fromhex(self.A[2:]) + u(g["ourBalanceProof"]["nonce"]).to_bytes(8, "big"))
        return "0x" + keccak256(raw).hex()


if __name__ == "__main__":
    ChannelOfflineTest().main()
