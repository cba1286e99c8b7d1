#!/usr/bin/env python3
"""Two hubs find each other on the LAN and pay each other without
channel_registerPeer (doc/channels.md, "LAN discovery").

The set-up of channel_direct.py (producer P, hubs A and B on loopback), with
-channellan on A and B and -channellanaddr on the loopback broadcast address
127.255.255.255 at a free port of the test's (multicast works on lo as well,
but broadcast needs no route in a container). Nobody calls
channel_registerPeer:

- each hub's debug log shows the other's beacon registered as a peer;
- A opens a channel, payments go both ways and are all acknowledged, and
  both hubs agree on the balances.
"""

from channel_direct import PTT, DEPOSIT_A, DEPOSIT_B, ChannelHubsTest
from test_framework.chain import u
from test_framework.util import assert_equal, free_port, wait_until


class ChannelLanTest(ChannelHubsTest):
    def hub_args(self, n, i):
        if not hasattr(self, "lan_port"):
            self.lan_port = free_port()
        return super().hub_args(n, i) + [
            "-channellan", "-channellanaddr=127.255.255.255:%d" % self.lan_port]

    def register_peers(self):
        a, b = self.nodes[1], self.nodes[2]
        self.log("no channel_registerPeer: wait for the beacons")
        wait_until(lambda: "Channel LAN: peer " + self.B[2:10].lower() in a.debug_log(), 30,
                   "A to register B from its beacon")
        wait_until(lambda: "Channel LAN: peer " + self.A[2:10].lower() in b.debug_log(), 30,
                   "B to register A from its beacon")

    def run_test(self):
        p, a, b = self.nodes
        self.setup_hubs()
        cid = self.open_channel()

        self.log("payments both ways over the discovered addresses")
        to_b = [10 ** 15 + i for i in range(10)]
        to_a = [3 * 10 ** 15, 7]
        self.pay(a, self.B, to_b)
        self.pay(b, self.A, to_a)
        self.wait_acked(a, cid, len(to_b))
        self.wait_acked(b, cid, len(to_a))
        ga, gb = a.rpc("channel_get", cid), b.rpc("channel_get", cid)
        assert_equal(ga["ourBalanceProof"], gb["partnerBalanceProof"])
        assert_equal(ga["partnerBalanceProof"], gb["ourBalanceProof"])
        want_a = DEPOSIT_A - sum(to_b) + sum(to_a)
        assert_equal((u(ga["balance"]), u(gb["balance"])),
                     (want_a, DEPOSIT_A + DEPOSIT_B - want_a))
        assert_equal(a.rpc("channel_get", self.B, PTT)["channelId"], cid)


if __name__ == "__main__":
    ChannelLanTest().main()
