#!/usr/bin/env python3
"""Withdraw and cooperative settle between two channel hubs (photon.md 3.8).

The set-up of channel_direct.py (producer P, hubs A and B with keys of their
own, funded with SMT and PhotonTestToken, a PTT channel with both deposits):

- A pays B; channel_withdraw on A (WithdrawRequest / WithdrawResponse, then
  withDraw from A's account) returns the channel's new life: a later open
  block, deposits = the balances (A's less the withdrawal), no proofs; B
  sees the same life from the ChannelWithdraw event; A's PTT on chain grew
  by exactly the withdrawal;
- refusals: a withdraw above the balance (1002) changes nothing;
- payments both ways work in the new life (nonces from 1);
- channel_cooperativeSettle on B settles the channel on both hubs, and each
  hub's PTT on chain is exactly what the payments say.
"""

from channel_direct import PTT, ChannelHubsTest, DEPOSIT_A, DEPOSIT_B, FUNDS, ptt_balance
from test_framework.chain import q, u
from test_framework.util import assert_equal, assert_raises_rpc_error, assert_true, wait_until


class ChannelCoopTest(ChannelHubsTest):
    def run_test(self):
        p, a, b = self.nodes
        self.setup_hubs()
        cid = self.open_channel()
        old_block = u(self.chan(a, cid)["openBlock"])

        self.log("A pays B 3 PTT in two payments")
        self.pay(a, self.B, [2 * 10**18, 10**18])
        self.wait_acked(a, cid, 2)
        paid = 3 * 10**18
        bal_a = DEPOSIT_A - paid

        self.log("a withdraw above the balance: 1002, nothing changes")
        e = assert_raises_rpc_error(-32000, None, a.rpc, "channel_withdraw", cid, q(bal_a + 1))
        assert_equal(e.data, {"code": 1002})
        assert_equal(self.chan(a, cid)["stateString"], "opened")

        self.log("A withdraws 40 PTT with B's consent")
        w = 40 * 10**18
        ch = a.rpc("channel_withdraw", cid, q(w))
        new_block = u(ch["openBlock"])
        assert_true(new_block > old_block, "a new channel life")
        assert_equal((ch["stateString"], u(ch["deposit"]), u(ch["partnerDeposit"])),
                     ("opened", bal_a - w, DEPOSIT_B + paid))
        assert_equal(u(ch["ourBalanceProof"]["nonce"]), 0)
        self.sync_hubs()
        wait_until(lambda: u(self.chan(b, cid)["openBlock"]) == new_block, 30,
                   "B to see the ChannelWithdraw")
        gb = self.chan(b, cid)
        assert_equal((gb["stateString"], u(gb["deposit"]), u(gb["partnerDeposit"])),
                     ("opened", DEPOSIT_B + paid, bal_a - w))
        assert_equal(ptt_balance(p, self.A), FUNDS - DEPOSIT_A + w)

        self.log("payments both ways in the new life")
        self.pay(a, self.B, [5 * 10**18])
        self.pay(b, self.A, [2 * 10**18])
        self.wait_acked(a, cid, 1)
        self.wait_acked(b, cid, 1)
        assert_equal(u(self.chan(b, cid)["partnerBalanceProof"]["nonce"]), 1)
        final_a = bal_a - w - 5 * 10**18 + 2 * 10**18
        final_b = DEPOSIT_B + paid + 5 * 10**18 - 2 * 10**18

        self.log("B settles cooperatively")
        s = b.rpc("channel_cooperativeSettle", cid)
        assert_equal(s["stateString"], "settled")
        self.sync_hubs()
        wait_until(lambda: self.chan(a, cid)["stateString"] == "settled", 30,
                   "A to see the ChannelCooperativeSettled")
        assert_equal(ptt_balance(p, self.A), FUNDS - DEPOSIT_A + w + final_a)
        assert_equal(ptt_balance(p, self.B), FUNDS - DEPOSIT_B + final_b)
        assert_equal(ptt_balance(p, self.A) + ptt_balance(p, self.B), 2 * FUNDS)


if __name__ == "__main__":
    ChannelCoopTest().main()
