#!/usr/bin/env python3
"""A mediated lock whose secret is never asked for expires and goes back to
the payer (photon.md §3.7 step 7).

The set-up of channel_mediated.py: producer P, hubs A, B, C, channels A-B
and B-C (settle timeout 100, reveal timeout 30), B with Photon's default fee
(amount / 10,000), the edge B -> C in A's route table. Then C's node stops:
C never receives the lock, so it never asks A for the secret and nobody
reveals it.

- A pays C through B with an expiration of its own (head + 66, below the
  hub's head + 70): the answer and channel_transferStatus show that
  expiration; the lock A -> B (amount + fee) is in both views of A-B, the lock
  B -> C (amount, expiring 30 blocks earlier) in B's view of B-C; both
  transfers are canCancel, A the initiator, B the mediator.
- Blocks pass to the expiration + 17: nothing changes yet. One block more:
  B removes its lock to C, A removes its lock to B (RemoveExpiredHashlock,
  which B accepts), and both transfers are FAILED.
- A's balance is whole again (channel_get on A and B: no lock, balance =
  deposit) and A can spend all of it: a direct payment of the whole deposit
  to B goes through.
- C comes back: B's queued lock and its removal reach C in order, and C's
  view of B-C agrees with B's (no lock, nothing transferred).
"""

from channel_direct import PTT
from channel_mediated import DEPOSIT_AB, DEPOSIT_BC, STATUS_FAILED, ChannelMediatedTest
from test_framework.chain import q, u
from test_framework.util import assert_equal, wait_until

CAN_CANCEL = 1
FORK_CONFIRM = 17           # a lock is removed once expiration + 17 < now


class ChannelExpiryTest(ChannelMediatedTest):
    # no block timer: the test checks the lock at expiration + 17 and its
    # removal one block later, which a block of P's own would race
    PRODUCER_ARGS = []

    def run_test(self):
        p, a, b, c = self.nodes
        self.setup_hubs()
        ab, bc = self.open_channels()
        assert_equal(a.rpc("channel_addRoute", PTT, self.B, self.C), True)  # default fee

        self.log("C stops: the lock never reaches it, nobody asks for the secret")
        c.stop()
        self.sync_hubs()
        head = u(p.rpc("eth_blockNumber"))
        amount = 3 * 10 ** 16 + 7
        fee = amount // 10000
        t = a.rpc("channel_transfer", self.C, PTT, q(amount), {"expiration": q(head + 66)})
        sh, exp = t["id"], u(t["expiration"])
        assert_equal((t["direct"], u(t["fee"]), exp), (False, fee, head + 66))
        st = a.rpc("channel_transferStatus", sh)
        assert_equal((st["status"], st["role"], st["stage"], u(st["expiration"])),
                     (CAN_CANCEL, "initiator", "locked", exp))
        wait_until(lambda: u(self.chan(b, ab)["partnerLockedAmount"]) == amount + fee, 30,
                   "B to accept A's lock")
        wait_until(lambda: u(self.chan(b, bc)["lockedAmount"]) == amount, 30,
                   "B to forward the lock to C")
        sb = b.rpc("channel_transferStatus", sh)
        assert_equal((sb["status"], sb["role"], u(sb["fee"]), u(sb["expiration"])),
                     (CAN_CANCEL, "mediator", fee, exp))
        ga = self.chan(a, ab)
        assert_equal((u(ga["balance"]), u(ga["lockedAmount"])), (DEPOSIT_AB, amount + fee))

        self.log("up to expiration + 17 (block %d) the locks stay" % (exp + FORK_CONFIRM))
        self.generate_until(exp + FORK_CONFIRM)
        self.sync_hubs()
        assert_equal(u(self.chan(a, ab)["lockedAmount"]), amount + fee)
        assert_equal(a.rpc("channel_transferStatus", sh)["status"], CAN_CANCEL)

        self.log("one block more: the expired locks are removed, the transfers FAILED")
        self.generate_until(exp + FORK_CONFIRM + 1)
        self.sync_hubs()
        self.wait_status([a, b], sh, STATUS_FAILED)
        wait_until(lambda: u(self.chan(b, ab)["partnerLockedAmount"]) == 0, 30,
                   "B to accept A's RemoveExpiredHashlock")
        ga, gb_ab, gb_bc = self.chan(a, ab), self.chan(b, ab), self.chan(b, bc)
        assert_equal((u(ga["balance"]), u(ga["lockedAmount"]), u(ga["partnerBalance"])),
                     (DEPOSIT_AB, 0, 0))
        assert_equal((u(gb_ab["partnerBalance"]), u(gb_ab["partnerLockedAmount"])),
                     (DEPOSIT_AB, 0))
        assert_equal(ga["ourBalanceProof"], gb_ab["partnerBalanceProof"])
        assert_equal((u(gb_bc["balance"]), u(gb_bc["lockedAmount"])), (DEPOSIT_BC, 0))
        st = a.rpc("channel_transferStatus", sh)
        assert_equal((st["statusString"], st["role"]), ("failed", None))

        self.log("A's whole deposit is spendable again")
        d = a.rpc("channel_transfer", self.B, PTT, q(DEPOSIT_AB))
        assert_equal(d["direct"], True)
        wait_until(lambda: b.rpc("channel_transferStatus", d["id"])["status"] == 3, 30,
                   "B to receive A's whole deposit")

        self.log("C comes back: B's lock and its removal reach it in order")
        c.start(self.hub_args(c, 3))
        self.register_peers()
        self.sync_hubs()
        wait_until(lambda: self.chan(b, bc)["unacked"] == "0x0", 60,
                   "C to acknowledge B's lock and its removal")
        gc = self.chan(c, bc)
        assert_equal(gc["partnerBalanceProof"], self.chan(b, bc)["ourBalanceProof"])
        assert_equal((u(gc["partnerLockedAmount"]), u(gc["partnerBalance"])), (0, DEPOSIT_BC))


if __name__ == "__main__":
    ChannelExpiryTest().main()
