#!/usr/bin/env python3
"""The punish path (photon.md §2.4 punishObsoleteUnlock, §3.9): a hub that
disposed a lock and unlocks it on chain anyway loses its whole deposit.

The set-up of channel_direct.py (producer P, hubs A and B on loopback, a PTT
channel A-B with settle timeout 100). B runs with the regtest-only test knob
-channeltestmisbehave=unlockdisposed: its watchdog forgets the locks it
disposed. A reaches B through a UDP relay in this test that drops A's
AnnounceDisposedResponse packets, so the newest proof of A that B holds still
carries the lock (a cheater would simply keep that proof).

- A pays C (an address B has no channel with) through B with a secret of
  the test's choosing: B cannot forward, announces the lock disposed (its
  signed DisposedProof, which A stores), A's transfer is FAILED and A's
  view of the channel has no lock; B's still shows it.
- The secret is registered on chain (SecretRegistry.registerSecret from a
  dev account: the secret became public).
- B closes with A's proof that carries the lock and its watchdog unlocks the
  lock on chain (ChannelUnlocked).
- A's watchdog holds B's DisposedProof for that lock: it sends
  punishObsoleteUnlock; ChannelPunished gives A both deposits.
- After the settle window the channel settles and the PTT balances on chain
  are: A its funds + B's whole deposit, B its funds - its deposit.
"""

import socket
import threading

from channel_direct import PTT, DEPOSIT_A, DEPOSIT_B, FUNDS, ChannelHubsTest, ptt_balance
import channel_direct
from test_framework.chain import DEV_ACCOUNTS, q, receipt, send, u
from test_framework.keccak import keccak256
from test_framework.util import assert_equal, assert_true, wait_until

SECRET_REGISTRY = "0xfe96a6c45380da9fc4de9f3c8a4acaf18f0ac9ae"
ANNOUNCE_DISPOSED_RESPONSE = 27
STATUS_FAILED = 5
C = "0x" + "c0" * 20


class Relay:
    """A UDP relay between A (the only client) and B that drops the packets
    whose command (little-endian u16 at the start) is in `drop`."""

    def __init__(self, a_port, b_port, drop):
        self.a = ("127.0.0.1", a_port)
        self.b = ("127.0.0.1", b_port)
        self.drop = drop
        self.dropped = 0
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", 0))
        self.s.settimeout(0.2)
        self.port = self.s.getsockname()[1]
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop:
            try:
                data, src = self.s.recvfrom(2048)
            except socket.timeout:
                continue
            if src == self.b:
                self.s.sendto(data, self.a)
                continue
            if len(data) >= 2 and data[0] | data[1] << 8 in self.drop:
                self.dropped += 1
                continue
            self.s.sendto(data, self.b)

    def close(self):
        self.stop = True
        self.t.join()
        self.s.close()


class ChannelPunishTest(ChannelHubsTest):
    def hub_args(self, n, i):
        args = super().hub_args(n, i)
        if i == 2:
            args.append("-channeltestmisbehave=unlockdisposed")
        return args

    def register_peers(self):
        a, b = self.nodes[1], self.nodes[2]
        pa, pb = a.rpc("channel_address"), b.rpc("channel_address")
        self.relay = Relay(pa["port"], pb["port"], {ANNOUNCE_DISPOSED_RESPONSE})
        assert_equal(a.rpc("channel_registerPeer", self.B, "127.0.0.1", self.relay.port), True)
        assert_equal(b.rpc("channel_registerPeer", self.A, pa["host"], pa["port"]), True)

    def run_test(self):
        p, a, b = self.nodes
        channel_direct.SETTLE_TIMEOUT = 100
        self.setup_hubs()
        assert_true("TEST MISBEHAVIOUR" in b.debug_log(), "B runs with the knob")
        cid = self.open_channel()
        self.log("a direct payment A -> B goes through the relay")
        self.pay(a, self.B, [10 ** 15])
        self.wait_acked(a, cid, 1)

        self.log("A pays C through B with a known secret: B disposes the lock")
        assert_equal(a.rpc("channel_addRoute", PTT, self.B, C), True)
        secret = keccak256(b"spectrumd channel punish test secret")
        amount = 2 * 10 ** 16
        t = a.rpc("channel_transfer", C, PTT, q(amount), {"secret": "0x" + secret.hex()})
        sh = t["id"]
        locked = amount + u(t["fee"])
        wait_until(lambda: a.rpc("channel_transferStatus", sh)["status"] == STATUS_FAILED, 30,
                   "A's transfer FAILED after B's AnnounceDisposed")
        wait_until(lambda: u(self.chan(a, cid)["lockedAmount"]) == 0, 30, "A's lock removed")
        wait_until(lambda: self.relay.dropped > 0, 30, "the relay to drop A's response")
        gb = self.chan(b, cid)
        assert_equal(u(gb["partnerLockedAmount"]), locked)
        nonce_with_lock = u(gb["partnerBalanceProof"]["nonce"])

        self.log("the secret becomes public: registered on chain")
        sel = keccak256(b"registerSecret(bytes32)")[:4].hex()
        tx = send(p, DEV_ACCOUNTS[3], SECRET_REGISTRY, 0, gas=200000, data="0x" + sel + secret.hex())
        r = receipt(p, tx)
        assert_true(r is not None and r["status"] == "0x1", "registerSecret %r" % (r,))
        self.sync_hubs()

        self.log("B closes with A's proof that holds the lock, and unlocks it on chain")
        closed = b.rpc("channel_close", cid)
        assert_equal(closed["stateString"], "closed")
        p.rpc("generate", 1)
        self.sync_hubs()
        wait_until(lambda: "watchdog: unlock" in b.debug_log(), 60, "B's watchdog to unlock")
        wait_until(lambda: "watchdog: punishObsoleteUnlock" in a.debug_log(), 60,
                   "A's watchdog to punish")
        p.rpc("generate", 1)
        self.sync_hubs()
        wait_until(lambda: u(self.chan(a, cid)["partnerDeposit"]) == 0, 60,
                   "A to see ChannelPunished")
        ga = self.chan(a, cid)
        assert_equal(u(ga["deposit"]), DEPOSIT_A + DEPOSIT_B)
        wait_until(lambda: u(self.chan(b, cid)["deposit"]) == 0, 60, "B to see ChannelPunished")
        assert_true(nonce_with_lock >= 2, "the lock came with A's second proof")

        self.settle(cid, closed)
        self.relay.close()
        after_a, after_b = ptt_balance(p, self.A), ptt_balance(p, self.B)
        assert_equal(after_a, FUNDS + DEPOSIT_B)
        assert_equal(after_b, FUNDS - DEPOSIT_B)


if __name__ == "__main__":
    ChannelPunishTest().main()
