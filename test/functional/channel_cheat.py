#!/usr/bin/env python3
"""A hub that closes with an old proof gains nothing: the partner's watchdog,
restarted after a kill -9, finds the close by replaying the blocks it missed
and posts the cheater's newest proof.

The set-up of channel_direct.py (producer P, hubs A and B on loopback). B
pays A twice; A keeps B's proof of that moment (nonce 2). Then both pay
more. B is killed with kill -9. A closes with the OLD proof (channel_close's
second argument, accepted on regtest only, for this test) while B is down;
blocks go by. B restarts: its chain client resumes at the last block it
stored, sees ChannelClosed, and its watchdog sends updateBalanceProof with
A's newest proof. After the settle window:

- A's on-chain transferred amount is its newest (every payment it made);
- B's is the old one A chose, so A received less than B paid it: A ends
  with FUNDS - (all it paid) + (B's old proof), never more than the
  acknowledged payments give it, and B with the rest, to the unit.

Also: a proof not signed by the partner is refused (-32602), and closing
with a proof is refused where channel_test is off (covered by the
regtest-only check in rpc/channel.c; not testable on regtest itself).
"""

from channel_direct import PTT, ChannelHubsTest, FUNDS, ptt_balance
from test_framework.chain import q, u
from test_framework.util import assert_equal, assert_raises_rpc_error, assert_true, wait_until


class ChannelCheatTest(ChannelHubsTest):
    def run_test(self):
        p, a, b = self.nodes
        self.setup_hubs()
        cid = self.open_channel()

        self.log("B pays A twice; A keeps B's proof of that moment")
        old_pay = [7 * 10 ** 15, 11 * 10 ** 15]
        self.pay(b, self.A, old_pay)
        self.wait_acked(b, cid, 2)
        old = a.rpc("channel_get", cid)["partnerBalanceProof"]
        assert_equal((u(old["nonce"]), u(old["transferredAmount"])), (2, sum(old_pay)))

        self.log("more payments both ways")
        to_b = [10 ** 16 + i for i in range(20)]
        more = [5 * 10 ** 15, 10 ** 15, 3]
        self.pay(a, self.B, to_b)
        self.pay(b, self.A, more)
        self.wait_acked(a, cid, 20)
        self.wait_acked(b, cid, 5)
        newest_a = a.rpc("channel_get", cid)["ourBalanceProof"]
        assert_equal(u(newest_a["transferredAmount"]), sum(to_b))

        self.log("a proof the partner did not sign is refused")
        forged = dict(old, transferredAmount=q(10 ** 18))
        assert_raises_rpc_error(-32602, "not the partner's", a.rpc, "channel_close", cid, forged)
        assert_equal(a.rpc("channel_get", cid)["stateString"], "opened")

        self.log("B is killed; A closes with B's OLD proof (nonce 2)")
        b.kill9()
        closed = a.rpc("channel_close", cid, old)
        assert_equal(closed["stateString"], "closed")
        assert_equal(u(closed["partnerChainTransferredAmount"]), sum(old_pay))
        assert_equal(closed["chainTransferredAmount"], None)
        p.rpc("generate", 3)

        self.log("B restarts, replays the missed blocks and posts A's newest proof")
        b.start(self.hub_args(b, 2))
        self.sync_hubs()
        wait_until(lambda: self.chan(b, cid)["stateString"] == "closed", 30, "B to see the close")
        wait_until(lambda: self.chan(a, cid)["chainTransferredAmount"] is not None and
                   u(self.chan(a, cid)["chainTransferredAmount"]) == sum(to_b), 60,
                   "B's updateBalanceProof with A's newest proof")
        assert_true("watchdog: updateBalanceProof" in b.debug_log(), "B's watchdog updated")
        # B applies the BalanceProofUpdated event of its own transaction when its chain
        # side reaches that block, which may be after A saw it
        wait_until(lambda: self.chan(b, cid)["partnerChainTransferredAmount"] is not None, 30,
                   "B to see its update on chain")
        gb = b.rpc("channel_get", cid)
        assert_equal(u(gb["partnerChainTransferredAmount"]), sum(to_b))
        assert_equal(gb["partnerBalanceProof"], newest_a)

        self.settle(cid, closed)
        after_a, after_b = ptt_balance(p, self.A), ptt_balance(p, self.B)
        honest_a = FUNDS - sum(to_b) + sum(old_pay) + sum(more)
        assert_equal(after_a, FUNDS - sum(to_b) + sum(old_pay))
        assert_equal(after_b, FUNDS + sum(to_b) - sum(old_pay))
        assert_true(after_a < honest_a, "the cheater got less than the payments gave it")


if __name__ == "__main__":
    ChannelCheatTest().main()
