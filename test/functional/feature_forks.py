#!/usr/bin/env python3
"""A mainnet-like fork schedule at low heights, crossed block by block.

-regtestforks=sip002:3,chief100:6,sip003:9,sip004:12: the genesis TribeChief
runs under the 0.0.x rules until block 6, then as chief 1.0.0. Every block
from 1 to 15 carries one user transaction (automine), and the test checks
per block:
  - the block reward (coinbase balance change minus the fees of the
    block's transactions): none before Chief100, 35 SMT from it (spec 7);
  - extraData: 32 vanity + 65 seal = 97 bytes before Chief100, 161 VRF + 65
    seal = 226 bytes from it (spec 2);
  - difficulty within its era's range (spec 4), gas limit >= 40,000,000
    from SIP004 (spec 6.6);
and SIP004's opcodes: a contract whose code is CHAINID, then LOG0 of it, is
called before SIP004 (CHAINID is an invalid opcode: status 0, all gas used,
no log) and from SIP004 on (status 1, a log holding the regtest chain id).
"""

from test_framework.chain import (BLOCK_REWARD, DEV_ACCOUNTS, NODE_ADDRESS, REGTEST_CHAIN_ID,
                                  balance, block_number, data_bytes, fees_in_block, get_block,
                                  receipt, send, u)
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import assert_equal, assert_in, assert_true

SIP002, CHIEF100, SIP003, SIP004 = 3, 6, 9, 12
LAST = 15
CALL_AT = (5, 11, 12, 14)     # blocks whose transaction calls the contract
CALL_GAS = 100000

# Runtime: CHAINID PUSH1 0 MSTORE PUSH1 32 PUSH1 0 LOG0 STOP
RUNTIME = bytes([0x46, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xA0, 0x00])
# Init: PUSH10 runtime PUSH1 0 MSTORE PUSH1 10 PUSH1 22 RETURN
# (MSTORE puts the 10 bytes right-aligned in the first word: offset 32 - 10.)
INIT = (bytes([0x69]) + RUNTIME + bytes([0x60, 0x00, 0x52, 0x60, len(RUNTIME),
                                          0x60, 32 - len(RUNTIME), 0xF3]))


class ForksTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-regtestforks=sip002:%d,chief100:%d,sip003:%d,sip004:%d"
                            % (SIP002, CHIEF100, SIP003, SIP004)]]

    def run_test(self):
        node = self.nodes[0]
        frm = DEV_ACCOUNTS[1]
        assert_equal(block_number(node), 0)

        self.log("block 1: deploy the CHAINID contract (creation does not run CHAINID)")
        h = send(node, frm, None, 0, data="0x" + INIT.hex(), gas=200000)
        r = receipt(node, h)
        assert_equal((u(r["blockNumber"]), r["status"]), (1, "0x1"), "deployment")
        contract = r["contractAddress"]
        assert_true(contract is not None, "contractAddress set")
        assert_equal(r["to"], None, "a creation has no to")
        assert_equal(node.rpc("eth_getCode", contract, "latest"), "0x" + RUNTIME.hex())
        txs = {1: h}

        self.log("blocks 2..%d: transfers, and contract calls at %s" % (LAST, CALL_AT))
        for n in range(2, LAST + 1):
            if n in CALL_AT:
                txs[n] = send(node, frm, contract, 0, gas=CALL_GAS)
            else:
                txs[n] = send(node, frm, DEV_ACCOUNTS[2], 10 ** 15 + n)
            assert_equal(block_number(node), n, "one block per transaction")

        for n in range(1, LAST + 1):
            self.check_block(node, n, txs[n])
        for n in CALL_AT:
            self.check_call(node, n, txs[n], contract)
        node.stop()

    def check_block(self, node, n, h):
        blk = get_block(node, n)
        assert_equal(blk["transactions"], [h], "block %d holds its transaction" % n)
        assert_equal(blk["miner"].lower(), NODE_ADDRESS)
        # The chief update adds nothing to the block's gas (spec 6.3).
        assert_equal(u(blk["gasUsed"]), u(receipt(node, h)["gasUsed"]), "block %d gasUsed" % n)
        delta = balance(node, NODE_ADDRESS, n) - balance(node, NODE_ADDRESS, n - 1)
        reward = delta - fees_in_block(node, blk)
        want = BLOCK_REWARD if n >= CHIEF100 else 0
        assert_equal(reward, want, "block %d reward" % n)
        extra = len(data_bytes(blk["extraData"]))
        assert_equal(extra, 226 if n >= CHIEF100 else 97, "block %d extraData length" % n)
        d = u(blk["difficulty"])
        if n >= CHIEF100:
            assert_true(1 <= d <= 6, "block %d difficulty %d in 1..6 (chief 1.0.0)" % (n, d))
        elif n >= SIP002:
            assert_true(1 <= d <= 3, "block %d difficulty %d in 1..3 (SIP002)" % (n, d))
        else:
            assert_true(1 <= d <= 2, "block %d difficulty %d in 1..2 (before SIP002)" % (n, d))
        # Producers aim at 4,712,388 before SIP004 (so the genesis' 40M shrinks),
        # and at no less than 40M from it: the limit jumps at the SIP004 block,
        # where the bound check is skipped (spec 6.6).
        gl = u(blk["gasLimit"])
        if n >= SIP004:
            assert_true(gl >= 40000000, "block %d gas limit %d >= 40M (SIP004)" % (n, gl))
        else:
            assert_true(gl < 40000000, "block %d gas limit %d < 40M (before SIP004)" % (n, gl))
        self.log("block %2d: reward %d SMT, extra %d bytes, difficulty %d, gas limit %d"
                 % (n, reward // 10 ** 18, extra, d, u(blk["gasLimit"])))

    def check_call(self, node, n, h, contract):
        r = receipt(node, h)
        assert_equal(u(r["blockNumber"]), n)
        if n < SIP004:
            assert_equal(r["status"], "0x0", "CHAINID before SIP004 (block %d) fails" % n)
            assert_equal(u(r["gasUsed"]), CALL_GAS, "an invalid opcode uses all gas")
            assert_equal(r["logs"], [])
        else:
            assert_equal(r["status"], "0x1", "CHAINID from SIP004 (block %d) works" % n)
            assert_equal(len(r["logs"]), 1)
            log = r["logs"][0]
            assert_equal(log["address"].lower(), contract.lower())
            assert_equal(log["topics"], [])
            assert_equal(u(log["data"]), REGTEST_CHAIN_ID, "CHAINID returns the chain id")
            assert_equal((log["transactionHash"], u(log["blockNumber"]), log["removed"]),
                         (h, n, False))
            assert_in(log["blockHash"], (get_block(node, n)["hash"],))


if __name__ == "__main__":
    ForksTest().main()
