#!/usr/bin/env python3
"""MeshBox contribution-weighted block production (issue 8, doc/meshbox.md).

Six regtest nodes on 127.0.0.1, discovery off: node 0 is the leader (the
regtest node key, the registry owner), nodes 1-5 are MeshBoxes with node keys
of their own (-nodekey). Each box is funded, staked in POC (meshbox_register)
and listed in the registry (meshbox_addBoxes). Two clients register with a
deposit and sign cumulative receipts for boxes 1-4 in the ratio 1:2:3:4
(meshbox_signReceipt); box 5 never serves anyone; each box takes its receipts (meshbox_submitReceipt)
and its node reports them to the registry by itself, reading the verdicts
back (meshbox_receipts).

Blocks are driven one at a time: the node whose key holds slot n % 3 of the
chief's signer list makes block n (`generate` on that node); the others
follow over p2p. Checks:

- Epochs 0 and 1 (no closed epoch, every weight 1): each box, box 5 with no
  contribution at all included, produces, and the shares of the volunteer
  slots pass a chi-square test (1 %) against equal weights.
- From epoch 2 the weights are 101:201:301:401 and 1 for box 5
  (meshbox_getWeights and tribe_getStatus show them); over at least 40 rounds
  the volunteer slots of boxes 1-4, each counted under the weights of the
  block that drew it, pass the chi-square test (3 degrees of freedom,
  11.345) against their weights (box 5's 1/1005 share is logged).
- The registry refuses forged, replayed, over-cap and wrong-epoch receipts
  (raw report() transactions: ReceiptRefused reasons, a reverted batch), and
  the node refuses them before storing.
- A block whose chief update does not name the drawn volunteer
  (test_buildblock "volunteer") is rejected by every other node.
"""

from test_framework.chain import (DEV_ACCOUNTS, SMT, block_number, get_block, q, receipt, send,
                                  u, wait_for_height)
from test_framework.keccak import keccak256
from test_framework.test_framework import SpectrumTestFramework
from test_framework.test_node import JSONRPCException
from test_framework.util import (AssertionFailure, assert_equal, assert_in, assert_true,
                                 free_port, wait_until)

REGISTRY = "0x5350454300000000000000000000000000000103"
CHAIN_ID = 1397769539
SL = 3                       # regtest signerLimit
EPOCH = 100                  # regtest meshbox_epoch
UNIT_CAP = 10 ** 9
CHI2_1PCT_3DOF = 11.345
CHI2_1PCT_4DOF = 13.277
RATIO = [1, 2, 3, 4]
ROUNDS = 45                  # weighted rounds measured (>= 40)
SEL_REPORT = "c324434b"
SEL_RECEIPT_HASH = "9021a51e"
TOPIC_ACCEPTED = "0x32e4d0b1cb63f32b40edad5a9adfe20b9c6c43c361ee6403e6bfa068a6338cf2"
TOPIC_REFUSED = "0x52497642ecbd2e2b85127dbcc3b1de77cb4c46fd36db2cafea088990da68e404"
REASONS = {1: "self", 2: "signature", 3: "client", 4: "replay", 5: "cap"}


def p2p_args(port):
    return ["-nodiscover", "-bind=127.0.0.1", "-port=%d" % port, "-automine=0"]


def word(n):
    return "%064x" % n


def addr_word(a):
    return "0" * 24 + a[2:].lower()


def report_data(provider, epoch, receipts):
    """report(provider, epoch, clients, units, r, s, v) for receipts given as
    (client, units, signature hex)."""
    n = len(receipts)
    head = addr_word(provider) + word(epoch)
    arrays = [
        [addr_word(c) for c, _, _ in receipts],
        [word(units) for _, units, _ in receipts],
        [sig[2:66] for _, _, sig in receipts],
        [sig[66:130] for _, _, sig in receipts],
        [word(int(sig[130:132], 16)) for _, _, sig in receipts],
    ]
    offsets = "".join(word((7 + k * (n + 1)) * 32) for k in range(5))
    body = "".join(word(n) + "".join(items) for items in arrays)
    return "0x" + SEL_REPORT + head + offsets + body


def receipt_message(provider, client, epoch, units):
    return (b"\x19Spectrum MeshBox Receipt:\n" + CHAIN_ID.to_bytes(32, "big") +
            bytes.fromhex(provider[2:]) + bytes.fromhex(client[2:]) +
            epoch.to_bytes(8, "big") + units.to_bytes(32, "big"))


def chi_square(counts, weights):
    total = sum(counts)
    wsum = sum(weights)
    return sum((c - total * w / wsum) ** 2 / (total * w / wsum) for c, w in zip(counts, weights))


class MeshBoxWeightedTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 6
        self.start_nodes = False

    # ---- production ----------------------------------------------------------------
    def sync_all(self, n):
        for node in self.nodes:
            wait_for_height(node, n, 30)

    def produce(self, count=1):
        """Makes `count` blocks, each by the node holding its slot. Returns
        [(number, producer address)]."""
        made = []
        for _ in range(count):
            leader = self.nodes[0]
            n = block_number(leader) + 1
            signers = [s["address"] for s in leader.rpc("tribe_getStatus")["signers"]]
            who = signers[n % SL]
            node = self.by_address.get(who, leader)
            if who not in self.by_address:
                who = self.leader_address
            for attempt in range(50):
                if block_number(node) >= n - 1:
                    break
                wait_for_height(node, n - 1, 30)
            node.rpc("generate", 1)
            self.sync_all(n)
            got = get_block(leader, n)["miner"]
            assert_equal(got.lower(), who.lower(), "block %d made by the slot's holder" % n)
            made.append((n, who))
        return made

    def produce_until(self, height):
        made = []
        while block_number(self.nodes[0]) < height:
            made += self.produce(1)
        return made

    def wait_mined(self, h, limit=30):
        """Produces blocks until tx h is mined; returns its receipt."""
        for _ in range(limit):
            r = receipt(self.nodes[0], h)
            if r is not None:
                return r
            self.produce(1)
        raise AssertionFailure("transaction %s was not mined" % h)

    # ---- the test ------------------------------------------------------------------
    def run_test(self):
        leader = self.nodes[0]
        boxes = self.nodes[1:]
        ports = [free_port() for _ in self.nodes]
        for node in self.nodes:
            node.isolated = False
        leader.start(p2p_args(ports[0]))
        enode = leader.rpc("admin_nodeInfo")["enode"]
        self.box_args = [p2p_args(ports[i + 1]) + ["-connect=" + enode, "-nodekey=nodekey"]
                         for i in range(len(boxes))]
        for b, args in zip(boxes, self.box_args):
            b.start(args)
        wait_until(lambda: u(leader.rpc("net_peerCount")) == len(boxes), 30,
                   "the leader to have %d peers" % len(boxes))
        self.leader_address = leader.rpc("eth_coinbase")
        self.box_addresses = [b.rpc("eth_coinbase") for b in boxes]
        assert_true(len(set(self.box_addresses + [self.leader_address])) == len(self.nodes),
                    "every box has a key of its own")
        self.by_address = {a: b for a, b in zip(self.box_addresses, boxes)}

        self.log("fund, stake and list the five boxes")
        for a in self.box_addresses:
            send(leader, DEV_ACCOUNTS[0], a, 100 * SMT)
        # stake owners: dev accounts 1-4 and 9 (0 funds, 5-8 are clients and test signers)
        owners = [DEV_ACCOUNTS[i] for i in (1, 2, 3, 4, 9)]
        stakes = [b.rpc("meshbox_register", o, "") for b, o in zip(boxes, owners)]
        for h in stakes:
            assert_equal(self.wait_mined(h)["status"], "0x1", "POC deposit")
        add = leader.rpc("meshbox_addBoxes", self.box_addresses, "0x1")
        assert_equal(self.wait_mined(add)["status"], "0x1", "addAddress by the registry owner")
        listed_at = block_number(leader)
        w = leader.rpc("meshbox_getWeights")
        assert_equal(sorted(b["address"] for b in w["boxes"]),
                     sorted(a.lower() for a in self.box_addresses))
        assert_equal([b["weight"] for b in w["boxes"]], [1] * 5, "weights in epoch 0")
        st = boxes[0].rpc("meshbox_status")
        assert_equal((st["listed"], st["eligible"], st["weight"], st["totalWeight"]),
                     (1, True, 1, 5))
        assert_equal(st["expectedShare"], "0.133333", "(sl-1)/sl * 1/5")

        self.log("clients register and sign receipts 1:2:3:4 for epochs 0 and 1")
        clients = [DEV_ACCOUNTS[5], DEV_ACCOUNTS[6]]
        regs = [leader.rpc("meshbox_registerClient", c, q(100 * SMT)) for c in clients]
        for h in regs:
            assert_equal(self.wait_mined(h)["status"], "0x1", "client registration")
        self.give_receipts(clients, 0)

        self.log("epochs 0-1: every box has weight 1 and produces")
        made = self.produce_until(EPOCH - 1)
        self.check_reported(0)
        self.give_receipts(clients, 1)
        made += self.produce_until(2 * EPOCH - 1)
        self.check_reported(1)
        # a volunteer slot n was drawn by block n - SL
        equal = [n for n, _ in made if n % SL and n - SL > listed_at and (n - SL) < 2 * EPOCH]
        counts = [sum(1 for n, who in made if n in equal and who == a)
                  for a in self.box_addresses]
        stat = chi_square(counts, [1] * 5)
        self.log("equal phase: %d volunteer slots, counts %s, chi-square %.2f" %
                 (len(equal), counts, stat))
        assert_true(all(c > 0 for c in counts), "every box produces at weight 1: %s" % counts)
        assert_true(stat < CHI2_1PCT_4DOF, "equal shares: chi-square %.2f" % stat)

        self.log("epoch 2: the weights follow the closed epoch's contributions")
        w = leader.rpc("meshbox_getWeights")
        assert_equal(w["epoch"], 2)
        assert_equal(w["closedEpoch"], 0)
        weights = {b["address"]: b["weight"] for b in w["boxes"]}
        want = [1 + 1000 * r // 10 for r in RATIO]
        assert_equal([weights[a.lower()] for a in self.box_addresses], want + [1],
                     "101:201:301:401, and 1 for the box without contribution")
        contrib = {b["address"]: u(b["contribution"]) for b in w["boxes"]}
        assert_equal([contrib[a.lower()] for a in self.box_addresses],
                     [1000 * r for r in RATIO] + [0])
        status = leader.rpc("tribe_getStatus")
        assert_equal(status["meshbox"]["totalWeight"], sum(want) + 1, "tribe_getStatus shows W")
        assert_equal(self.nodes[5].rpc("meshbox_status")["weight"], 1)
        cli = boxes[3].cli("meshbox_status")
        assert_in('"weight": 401', cli.stdout, "spectrum-cli meshbox_status")

        start = block_number(leader) + 1
        made = self.produce(ROUNDS * SL + SL)
        weighted = [(n, who) for n, who in made if n % SL and n - SL >= start - 1]
        weighted = weighted[:ROUNDS * (SL - 1)]
        counts = [sum(1 for _, who in weighted if who == a) for a in self.box_addresses[:4]]
        idle = sum(1 for _, who in weighted if who == self.box_addresses[4])
        # among the slots boxes 1-4 won, the shares are theirs w / (W - 1)
        stat = chi_square(counts, want)
        self.log("weighted phase: %d volunteer slots over %d rounds, counts %s (box 5: %d), "
                 "expected %s, chi-square %.2f (vs equal shares %.2f)" %
                 (len(weighted), ROUNDS, counts, idle,
                  ["%.1f" % (sum(counts) * x / sum(want)) for x in want], stat,
                  chi_square(counts, [1, 1, 1, 1])))
        assert_true(len(weighted) >= 40 * (SL - 1), "at least 40 rounds")
        assert_true(stat < CHI2_1PCT_3DOF, "shares follow the weights: chi-square %.2f" % stat)

        self.refused_receipts(clients)
        self.bad_draw_block()
        self.receipt_survives_kill9(clients)

    def give_receipts(self, clients, epoch):
        """Client 0 serves boxes 1-2, client 1 boxes 3-4, in units 1000 * ratio;
        each box first gets half, then the whole (cumulative receipts)."""
        for i, (b, a) in enumerate(zip(self.nodes[1:5], self.box_addresses[:4])):
            client = clients[i // 2]
            for units in (500 * RATIO[i], 1000 * RATIO[i]):
                r = self.nodes[0].rpc("meshbox_signReceipt", client, a, q(units), q(epoch))
                h = "0x" + keccak256(receipt_message(a, client, epoch, units)).hex()
                assert_equal(r["hash"], h, "the receipt hash of doc/meshbox.md §3.3")
                out = b.rpc("meshbox_submitReceipt", r)
                assert_equal(out["stored"], True)
        # the registry hashes the same bytes
        call = "0x" + SEL_RECEIPT_HASH + addr_word(self.box_addresses[0]) + \
            addr_word(clients[0]) + word(epoch) + word(1000)
        got = self.nodes[0].rpc("eth_call", {"to": REGISTRY, "data": call}, "latest")
        assert_equal(got, "0x" + keccak256(receipt_message(self.box_addresses[0], clients[0],
                                                           epoch, 1000)).hex())

    def check_reported(self, epoch):
        for i, b in enumerate(self.nodes[1:5]):
            wait_until(lambda: all(r["status"] == "accepted"
                                   for r in b.rpc("meshbox_receipts", q(epoch))), 30,
                       "box %d's receipts of epoch %d accepted" % (i + 1, epoch))
            rs = b.rpc("meshbox_receipts", q(epoch))
            assert_equal(len(rs), 1, "the latest receipt per client")
            assert_equal(u(rs[0]["accepted"]), 1000 * RATIO[i])

    def refused_receipts(self, clients):
        leader, box = self.nodes[0], self.nodes[1]
        a = self.box_addresses[0]
        epoch = (block_number(leader) + 1) // EPOCH

        self.log("the node refuses forged, replayed and out-of-window receipts")
        forged = leader.rpc("meshbox_signReceipt", DEV_ACCOUNTS[7], a, q(5), q(epoch))
        forged["client"] = clients[0]
        try:
            box.rpc("meshbox_submitReceipt", forged)
            raise AssertionFailure("a forged receipt was stored")
        except JSONRPCException as e:
            assert_in("signature", e.message)
        mine = leader.rpc("meshbox_signReceipt", clients[0], a, q(300), q(epoch))
        assert_equal(box.rpc("meshbox_submitReceipt", mine)["stored"], True)
        try:
            box.rpc("meshbox_submitReceipt", mine)
            raise AssertionFailure("a replayed receipt was stored")
        except JSONRPCException as e:
            assert_in("replay", e.message)
        old = leader.rpc("meshbox_signReceipt", clients[0], a, q(5000), q(0))
        try:
            box.rpc("meshbox_submitReceipt", old)
            raise AssertionFailure("a receipt of a closed epoch was stored")
        except JSONRPCException as e:
            assert_in("epoch", e.message)

        self.log("the registry refuses them too (raw report() from a third party)")
        leader.rpc("meshbox_registerClient", DEV_ACCOUNTS[8], q(100 * SMT))
        fresh = leader.rpc("meshbox_signReceipt", clients[0], a, q(700), q(epoch))
        over = leader.rpc("meshbox_signReceipt", DEV_ACCOUNTS[8], a, q(UNIT_CAP + 1), q(epoch))
        other_epoch = leader.rpc("meshbox_signReceipt", clients[0], a, q(900), q(epoch - 1))
        batch = [(clients[0], 700, fresh["signature"]),            # accepted
                 (clients[0], 5, forged["signature"]),             # forged: signature
                 (DEV_ACCOUNTS[8], UNIT_CAP + 1, over["signature"]),  # over the cap
                 (clients[0], 900, other_epoch["signature"])]      # signed for E-1
        h = send(leader, DEV_ACCOUNTS[9], REGISTRY, 0, gas=3000000,
                 data=report_data(a, epoch, batch))
        r = self.wait_mined(h)
        assert_equal(r["status"], "0x1")
        verdicts = self.verdicts(r)
        assert_equal(verdicts, [("accepted", 700), ("signature", 5), ("cap", UNIT_CAP + 1),
                                ("signature", 900)])
        replay = send(leader, DEV_ACCOUNTS[9], REGISTRY, 0, gas=3000000,
                      data=report_data(a, epoch, [(clients[0], 700, fresh["signature"])]))
        assert_equal(self.verdicts(self.wait_mined(replay)), [("replay", 700)])
        stale = send(leader, DEV_ACCOUNTS[9], REGISTRY, 0, gas=3000000,
                     data=report_data(a, 0, [(clients[0], 5000, old["signature"])]))
        assert_equal(self.wait_mined(stale)["status"], "0x0",
                     "a batch for a closed epoch reverts")

    def receipt_survives_kill9(self, clients):
        self.log("a receipt the box answered 'stored' survives its kill -9")
        leader, box, a = self.nodes[0], self.nodes[4], self.box_addresses[3]
        epoch = (block_number(leader) + 1) // EPOCH
        r = leader.rpc("meshbox_signReceipt", clients[1], a, q(123456), q(epoch))
        assert_equal(box.rpc("meshbox_submitReceipt", r)["stored"], True)
        box.kill9()
        box.start(self.box_args[3])
        got = [x for x in box.rpc("meshbox_receipts", q(epoch))
               if x["client"] == clients[1].lower()]
        assert_equal([(u(x["units"]), x["signature"]) for x in got], [(123456, r["signature"])])

    def verdicts(self, r):
        out = []
        for log in r["logs"]:
            if log["address"].lower() != REGISTRY:
                continue
            data = log["data"][2:]
            units = int(data[64:128], 16)
            if log["topics"][0] == TOPIC_ACCEPTED:
                out.append(("accepted", units))
            elif log["topics"][0] == TOPIC_REFUSED:
                out.append((REASONS[int(data[128:192], 16)], units))
        return out

    def bad_draw_block(self):
        self.log("a block naming another volunteer than the draw is rejected by every node")
        leader = self.nodes[0]
        while (block_number(leader) + 1) % SL:
            self.produce(1)
        head = block_number(leader)
        raw = leader.rpc("test_buildblock", "volunteer")
        for i, b in enumerate(self.nodes[1:]):
            try:
                b.rpc("submitblock", raw)
                raise AssertionFailure("box %d accepted a block against the draw" % (i + 1))
            except JSONRPCException as e:
                assert_equal(e.code, -32000)
                assert_in("weighted draw", e.message)
            assert_equal(block_number(b), head, "box %d keeps its head" % (i + 1))
        self.produce(1)
        self.sync_all(head + 1)


if __name__ == "__main__":
    MeshBoxWeightedTest().main()
