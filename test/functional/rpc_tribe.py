#!/usr/bin/env python3
"""The tribe_ namespace (spec section 11) against a regtest node: the chief's
status (the node is leader and signer, version 1.0.0, the chief's block
number follows the chain, older blocks by hash), signers, volunteers,
sinners, the block history (JSON and Spectrum's console form), the node's
miner record; tribe_bindSign checked independently of the node's own
senders: the signature is put into an Anmap.bind transaction sent by the
wallet through eth_sendTransaction, and the contract, which recovers the
node address from it, accepts it (a signature for another wallet is
refused); tribe_bind / tribe_unbind / tribe_bindInfo, with the producer
paying the bound wallet afterwards; the POC flow tribe_pocDeposit, pocStop,
pocStart, pocWithdraw (refused by the contract before the waiting period,
paid out after), pocWithdrawSurplus (nothing to withdraw: refused) with
tribe_pocGetStatus at each step; credentials; and bad params for every
method, and the status of a chief older than 1.0.0 (a node whose genesis
chief runs as 0.0.7 for its first blocks).
"""

from test_framework.chain import (DEV_ACCOUNTS, NODE_ADDRESS, SMT, balance, block_number,
                                  get_block, receipt, send, u)
from test_framework.test_framework import SpectrumTestFramework
from test_framework.test_node import HTTPError
from test_framework.util import (AssertionFailure, assert_equal, assert_in, assert_raises_rpc_error,
                                 assert_true)

ZERO = "0x" + "00" * 20
ANMAP = "0x5350454300000000000000000000000000000104"
BIND_SELECTOR = "f65f2eec"          # bind(address,uint8,bytes32,bytes32)
MIN_DEPOSIT = 1000 * SMT            # POC's initMinDeposit in the regtest genesis
WITHDRAW_WAIT = 10                  # POC's withdrawWaitNumber in the regtest genesis
DEV0, DEV1, DEV2, DEV3 = DEV_ACCOUNTS[:4]
UNKNOWN = "0x00000000000000000000000000000000000000aa"
STATUS_KEYS = {"signers", "leaders", "signerLevel", "number", "epoch", "leaderLimit",
               "signerLimit", "version", "meshbox"}
POC_KEYS = {"MinerList", "AmountList", "BlockList", "OwnerList", "BlackStatusList"}


def word(hexstr):
    return hexstr.rjust(64, "0")


class TribeTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        # node 1: the genesis chief runs as 0.0.7 until block 3 (feature_forks.py)
        self.extra_args = [[], ["-regtestforks=chief100:3"]]

    def run_test(self):
        n = self.nodes[0]
        self.test_old_chief(self.nodes[1])
        self.nodes[1].stop()
        self.test_status(n)
        self.test_history_and_miner(n)
        self.test_bind_sign(n)
        self.test_bind(n)
        self.test_poc(n)
        self.test_bad_params(n)

    # ------------------------------------------------------------------
    def test_old_chief(self, n):
        self.log("before chief 1.0.0: getStatus decoded as 0.0.7, no leaders")
        st = n.rpc("tribe_getStatus")
        assert_equal(st["version"], "0.0.7")
        assert_equal((st["leaders"], st["leaderLimit"]), (None, None))
        assert_equal((st["epoch"], st["signerLimit"]), (100, 3))
        assert_equal(st["signers"][0], {"address": NODE_ADDRESS, "score": 0})
        assert_equal(st["signerLevel"], "Signer")
        assert_equal(n.rpc("tribe_getVolunteers"), {"length": 0, "volunteers": []})
        n.rpc("generate", 3)
        st = n.rpc("tribe_getStatus")
        assert_equal((st["version"], st["leaders"], st["leaderLimit"]),
                     ("1.0.0", [NODE_ADDRESS], 5))
        assert_equal(n.rpc("tribe_getStatus", "0x2")["version"], "0.0.7")

    def test_status(self, n):
        self.log("getStatus at genesis: the node leads and holds slot 0 of 3")
        st = n.rpc("tribe_getStatus")
        assert_equal(set(st), STATUS_KEYS)
        assert_equal(st["version"], "1.0.0")
        assert_equal(st["leaders"], [NODE_ADDRESS])
        assert_equal(st["signers"], [{"address": NODE_ADDRESS, "score": 0},
                                     {"address": ZERO, "score": 0},
                                     {"address": ZERO, "score": 0}])
        assert_equal(st["signerLevel"], "Signer")
        assert_equal((st["epoch"], st["leaderLimit"], st["signerLimit"], st["number"]),
                     (100, 5, 3, 0))
        # MeshBox weighting is on from genesis on regtest; no box is listed yet
        assert_equal(st["meshbox"], {"block": 1, "epoch": 0, "closedEpoch": None,
                                     "weighted": True, "totalWeight": 0, "boxes": []})
        genesis = get_block(n, 0)["hash"]
        assert_equal(n.rpc("tribe_getStatus", genesis), st, "by hash")
        assert_equal(n.rpc("tribe_getStatus", None), st, "null is the head")

        self.log("the chief's block number follows the chain; old blocks by hash")
        # blocks 1..3 carry no chief update (spec section 5.2: anyone may sign
        # them), so the chief's number moves from block 4 on
        n.rpc("generate", 5)
        st5 = n.rpc("tribe_getStatus")
        assert_equal(st5["number"], 5)
        assert_in(NODE_ADDRESS, [s["address"] for s in st5["signers"]])
        b2, b4 = get_block(n, 2)["hash"], get_block(n, 4)["hash"]
        assert_equal(n.rpc("tribe_getStatus", b4)["number"], 4)
        assert_equal(n.rpc("tribe_getStatus", b2)["number"], 0)
        assert_equal(n.rpc("tribe_getStatus", "0x4")["number"], 4, "a number works too")
        assert_equal(n.rpc("tribe_getStatus", genesis), st)
        assert_raises_rpc_error(-32000, "block not exist", n.rpc, "tribe_getStatus",
                                "0x" + "ab" * 32)

        self.log("getSigners is getStatus's list; volunteers and sinners are empty")
        assert_equal(n.rpc("tribe_getSigners"), st5["signers"])
        assert_equal(n.rpc("tribe_getSigners", genesis), st["signers"])
        assert_equal(n.rpc("tribe_getVolunteers"), {"length": 0, "volunteers": []})
        assert_equal(n.rpc("tribe_getVolunteers", b2), {"length": 0, "volunteers": []})
        assert_equal(n.rpc("tribe_getSinners"), [])
        assert_equal(n.rpc("tribe_getSinners", genesis), [], "the argument is ignored")
        for m in ("tribe_getSigners", "tribe_getVolunteers", "tribe_pocGetStatus"):
            assert_raises_rpc_error(-32000, "block not exist", n.rpc, m, "0x" + "cd" * 32)

        self.log("tribe_ needs credentials")
        try:
            n.rpc("tribe_getStatus", auth=False)
            raise AssertionFailure("unauthenticated tribe_getStatus answered")
        except HTTPError as e:
            assert_equal(e.status, 401)

    def test_history_and_miner(self, n):
        self.log("getHistory: the last blocks, newest first, as the blocks say")
        head = block_number(n)
        hist = n.rpc("tribe_getHistory")
        assert_equal(len(hist), min(16, head + 1))
        for i, h in enumerate(hist):
            blk = get_block(n, head - i)
            assert_equal(h, {"number": head - i, "hash": blk["hash"], "signer": blk["miner"],
                             "difficulty": u(blk["difficulty"]),
                             "timestamp": u(blk["timestamp"])})
        assert_equal(n.rpc("tribe_getHistory", 2), hist[:2])
        assert_equal(n.rpc("tribe_getHistory", "0x3"), hist[:3], "a quantity string")
        assert_equal(n.rpc("tribe_getHistory", 0), [])
        lines = n.rpc("tribe_getHistory", 2, True)
        assert_equal(len(lines), 2)
        for i, line in enumerate(lines):
            blk = get_block(n, head - i)
            key = "\U0001F47F" if u(blk["difficulty"]) == 1 else "\U0001F528"
            assert_equal(list(line), [key])
            num, _, addr = line[key].partition(" -> ")
            assert_equal(int(num), head - i)
            assert_equal(addr.lower(), blk["miner"])
            assert_true(addr != addr.lower(), "EIP-55 checksum case")

        self.log("getMiner: the node address, its balance, its level")
        m = n.rpc("tribe_getMiner")
        assert_equal(m, {"address": NODE_ADDRESS, "balance": hex(balance(n, NODE_ADDRESS)),
                         "level": "Signer"})
        assert_equal(n.rpc("tribe_getMiner", "0x1"), m, "the argument is unused")

    def test_bind_sign(self, n):
        self.log("bindSign: 65 bytes, deterministic, one per wallet")
        sig1 = n.rpc("tribe_bindSign", DEV1)
        assert_equal(len(sig1), 130)
        assert_true(not sig1.startswith("0x"), "no 0x prefix")
        assert_in(sig1[128:], ("00", "01"))
        assert_equal(n.rpc("tribe_bindSign", DEV1), sig1)
        assert_equal(n.rpc("tribe_bindSign", DEV1.upper().replace("0X", "0x")), sig1)
        sig2 = n.rpc("tribe_bindSign", DEV2)
        assert_true(sig2 != sig1, "different wallets, different signatures")

        self.log("the Anmap contract recovers the node address from bindSign's signature")
        before = n.rpc("eth_blockNumber")
        bad = self.anmap_bind_tx(n, DEV1, sig2)      # a signature for another wallet
        assert_equal(receipt(n, bad)["status"], "0x0", "refused by the contract")
        assert_equal(n.rpc("tribe_bindInfo"), {"from": ZERO, "nodeids": []})
        good = self.anmap_bind_tx(n, DEV1, sig1)
        assert_equal(receipt(n, good)["status"], "0x1")
        info = {"from": DEV1, "nodeids": [NODE_ADDRESS]}
        assert_equal(n.rpc("tribe_bindInfo"), info)
        assert_equal(n.rpc("tribe_bindInfo", NODE_ADDRESS), info)
        assert_equal(n.rpc("tribe_bindInfo", DEV1), info, "a wallet shows its nodes")
        assert_equal(n.rpc("tribe_bindInfo", NODE_ADDRESS, u(before)),
                     {"from": ZERO, "nodeids": []}, "at the block before the binding")
        assert_equal(n.rpc("tribe_bindInfo", DEV2), {"from": ZERO, "nodeids": []})

        self.log("unbind with from = null: the wallet the node is bound to")
        h = n.rpc("tribe_unbind", None, "")
        assert_equal(receipt(n, h)["status"], "0x1")
        assert_equal(receipt(n, h)["from"], DEV1)
        assert_equal(receipt(n, h)["to"], ANMAP)
        assert_equal(n.rpc("tribe_bindInfo"), {"from": ZERO, "nodeids": []})

    def anmap_bind_tx(self, n, frm, sig):
        r, s, v = sig[:64], sig[64:128], int(sig[128:], 16) + 27
        data = "0x" + BIND_SELECTOR + word(NODE_ADDRESS[2:]) + word("%x" % v) + r + s
        return send(n, frm, ANMAP, gas=300000, data=data)

    def test_bind(self, n):
        self.log("tribe_bind from a wallet account with its passphrase")
        h = n.rpc("tribe_bind", DEV0, "")
        r = receipt(n, h)
        assert_equal((r["status"], r["from"], r["to"]), ("0x1", DEV0, ANMAP))
        assert_equal(n.rpc("tribe_bindInfo"), {"from": DEV0, "nodeids": [NODE_ADDRESS]})
        self.log("the producer now pays the bound wallet")
        n.rpc("generate", 1)
        assert_equal(get_block(n, block_number(n))["miner"], DEV0)
        assert_equal(n.rpc("tribe_getHistory", 1)[0]["signer"], DEV0)
        self.log("binding again is refused by the contract (one wallet per node)")
        h = n.rpc("tribe_bind", DEV1, "")
        assert_equal(receipt(n, h)["status"], "0x0")
        self.log("wrong passphrase, unknown account, missing arguments")
        assert_raises_rpc_error(-32000, "could not decrypt key with given password", n.rpc,
                                "tribe_bind", DEV0, "wrong")
        assert_raises_rpc_error(-32000, "no key for given address or file", n.rpc,
                                "tribe_bind", UNKNOWN, "")
        assert_raises_rpc_error(-32000, "args_can_not_empty", n.rpc, "tribe_bind", None, "")
        assert_raises_rpc_error(-32602, "missing value for required argument 1", n.rpc,
                                "tribe_bind", DEV0)
        assert_raises_rpc_error(-32000, "could not decrypt key with given password", n.rpc,
                                "tribe_unbind", DEV0, "wrong")
        h = n.rpc("tribe_unbind", DEV0, "")
        assert_equal(receipt(n, h)["status"], "0x1")
        assert_equal(n.rpc("tribe_bindInfo"), {"from": ZERO, "nodeids": []})

    def test_poc(self, n):
        self.log("pocDeposit stakes minDepositAmount for the node, owned by the wallet")
        assert_equal(n.rpc("tribe_pocGetStatus"), {k: [] for k in POC_KEYS})
        bal0 = balance(n, DEV2)
        h = n.rpc("tribe_pocDeposit", DEV2, "")
        r = receipt(n, h)
        assert_equal(r["status"], "0x1")
        fee = u(r["gasUsed"]) * u(n.rpc("eth_getTransactionByHash", h)["gasPrice"])
        assert_equal(balance(n, DEV2), bal0 - MIN_DEPOSIT - fee)
        deposit_block = u(r["blockNumber"])
        st = n.rpc("tribe_pocGetStatus")
        assert_equal(st, {"MinerList": [NODE_ADDRESS], "AmountList": [hex(MIN_DEPOSIT)],
                          "BlockList": [0], "OwnerList": [DEV2], "BlackStatusList": [0]})
        before = get_block(n, deposit_block - 1)["hash"]
        assert_equal(n.rpc("tribe_pocGetStatus", before), {k: [] for k in POC_KEYS},
                     "at the block before the deposit")
        h = n.rpc("tribe_pocDeposit", DEV2, "")
        assert_equal(receipt(n, h)["status"], "0x0", "one stake per node")

        self.log("pocStop / pocStart by the owner; others are refused by the contract")
        h = n.rpc("tribe_pocStop", DEV3, "")
        assert_equal(receipt(n, h)["status"], "0x0", "not the stake's owner")
        h = n.rpc("tribe_pocStop", DEV2, "")
        r = receipt(n, h)
        assert_equal(r["status"], "0x1")
        stop_block = u(r["blockNumber"])
        assert_equal(n.rpc("tribe_pocGetStatus")["BlockList"], [stop_block])
        h = n.rpc("tribe_pocStart", DEV2, "")
        assert_equal(receipt(n, h)["status"], "0x1")
        assert_equal(n.rpc("tribe_pocGetStatus")["BlockList"], [0])

        self.log("pocWithdrawSurplus: the stake holds exactly the minimum, nothing to take")
        h = n.rpc("tribe_pocWithdrawSurplus", DEV2, "")
        assert_equal(receipt(n, h)["status"], "0x0")

        self.log("pocWithdraw: refused until the stop is older than the waiting period")
        h = n.rpc("tribe_pocStop", DEV2, "")
        stop_block = u(receipt(n, h)["blockNumber"])
        h = n.rpc("tribe_pocWithdraw", DEV2, "")
        assert_equal(receipt(n, h)["status"], "0x0")
        n.rpc("generate", WITHDRAW_WAIT)
        bal1 = balance(n, DEV2)
        h = n.rpc("tribe_pocWithdraw", DEV2, "")
        r = receipt(n, h)
        assert_equal(r["status"], "0x1")
        assert_true(u(r["blockNumber"]) - stop_block > WITHDRAW_WAIT, "after the wait")
        fee = u(r["gasUsed"]) * u(n.rpc("eth_getTransactionByHash", h)["gasPrice"])
        assert_equal(balance(n, DEV2), bal1 + MIN_DEPOSIT - fee, "the stake came back")
        assert_equal(n.rpc("tribe_pocGetStatus"), {k: [] for k in POC_KEYS})

        self.log("POC calls: passphrase and account errors")
        for m in ("tribe_pocDeposit", "tribe_pocStart", "tribe_pocStop", "tribe_pocWithdraw",
                  "tribe_pocWithdrawSurplus"):
            assert_raises_rpc_error(-32000, "could not decrypt key with given password", n.rpc,
                                    m, DEV2, "nope")
            assert_raises_rpc_error(-32000, "no key for given address or file", n.rpc, m,
                                    UNKNOWN, "")
            assert_raises_rpc_error(-32000, "args_can_not_empty", n.rpc, m, None, "")
            assert_raises_rpc_error(-32602, "missing value for required argument 1", n.rpc, m,
                                    DEV2)
            assert_raises_rpc_error(-32602, "invalid argument 0", n.rpc, m, "0x12", "")
            assert_raises_rpc_error(-32602, "invalid argument 1", n.rpc, m, DEV2, 5)
            assert_raises_rpc_error(-32602, "too many arguments", n.rpc, m, DEV2, "", 1)

    def test_bad_params(self, n):
        self.log("bad params")
        for m in ("tribe_getStatus", "tribe_getSigners", "tribe_getVolunteers",
                  "tribe_pocGetStatus"):
            assert_raises_rpc_error(-32602, "invalid argument 0", n.rpc, m, "0x1234zz")
            assert_raises_rpc_error(-32602, "too many arguments", n.rpc, m, None, 1)
        assert_raises_rpc_error(-32602, "too many arguments", n.rpc, "tribe_getSinners", None, 1)
        assert_raises_rpc_error(-32602, "invalid argument 0", n.rpc, "tribe_getHistory", "ten")
        assert_raises_rpc_error(-32602, "invalid argument 0", n.rpc, "tribe_getHistory", -1)
        assert_raises_rpc_error(-32602, "invalid argument 1", n.rpc, "tribe_getHistory", 1,
                                "yes")
        assert_raises_rpc_error(-32602, "too many arguments", n.rpc, "tribe_getHistory", 1,
                                True, 1)
        assert_raises_rpc_error(-32602, "too many arguments", n.rpc, "tribe_getMiner", 1, 2)
        assert_raises_rpc_error(-32602, "invalid argument 0", n.rpc, "tribe_getMiner", "soon")
        assert_raises_rpc_error(-32602, "invalid argument 0", n.rpc, "tribe_getSinners", "0x12")
        assert_raises_rpc_error(-32000, "args_can_not_empty", n.rpc, "tribe_bindSign")
        assert_raises_rpc_error(-32000, "args_can_not_empty", n.rpc, "tribe_bindSign", None)
        assert_raises_rpc_error(-32602, "invalid argument 0", n.rpc, "tribe_bindSign", "0x12")
        assert_raises_rpc_error(-32602, "too many arguments", n.rpc, "tribe_bindSign", DEV0, 1)
        assert_raises_rpc_error(-32602, "invalid argument 0", n.rpc, "tribe_bindInfo", 7)
        assert_raises_rpc_error(-32602, "invalid argument 1", n.rpc, "tribe_bindInfo", DEV0,
                                "x")
        assert_raises_rpc_error(-32000, "block not exist", n.rpc, "tribe_bindInfo", DEV0,
                                10 ** 6)
        assert_raises_rpc_error(-32602, "too many arguments", n.rpc, "tribe_bindInfo", DEV0, 1, 2)
        assert_raises_rpc_error(-32602, "missing value for required argument 1", n.rpc,
                                "tribe_unbind", DEV0)
        assert_raises_rpc_error(-32602, "invalid argument 0", n.rpc, "tribe_unbind", "0x1", "")
        assert_raises_rpc_error(-32602, "too many arguments", n.rpc, "tribe_unbind", DEV0, "", 1)
        # every method has help text naming its result
        for m in ("tribe_getStatus", "tribe_getSigners", "tribe_getVolunteers",
                  "tribe_getSinners", "tribe_getHistory", "tribe_getMiner", "tribe_bindSign",
                  "tribe_bind", "tribe_unbind", "tribe_bindInfo", "tribe_pocDeposit",
                  "tribe_pocStart", "tribe_pocStop", "tribe_pocWithdraw",
                  "tribe_pocWithdrawSurplus", "tribe_pocGetStatus"):
            assert_in(m, n.rpc("help", m))


if __name__ == "__main__":
    TribeTest().main()
