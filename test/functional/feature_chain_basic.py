#!/usr/bin/env python3
"""A regtest chain end to end: the genesis block, `generate`, blocks linked by
parentHash with the hashes the RLP says, transfers from the unlocked dev
accounts mined with correct receipts, balances moved by value + fee and the
coinbase paid reward + fees, nonces latest/pending, eth_sendRawTransaction
(success with a raw transaction taken from another node's block, replays and
garbage refused), -automine=0 keeping transactions pending until `generate`,
and -blocktime producing blocks by itself.

Node 1 is only a source of signed raw transactions: the standard library has
no secp256k1, so the test cannot sign; node 1 signs (eth_sendTransaction),
its block carries the bytes (debug_getRawBlock), and node 0, which never saw
them, receives them raw.
"""

from test_framework import rlp
from test_framework.chain import (BLOCK_REWARD, DEV_ACCOUNTS, DEV_BALANCE, NODE_ADDRESS,
                                  REGTEST_CHAIN_ID, TRANSFER_GAS, balance, block_number,
                                  data_bytes, genesis_file, get_block, hx, pool_status, q,
                                  raw_block, raw_block_hash, raw_txs, receipt, send, split_block,
                                  tx_count, tx_hash, u, wait_for_height)
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import (assert_equal, assert_greater_than, assert_in,
                                 assert_raises_rpc_error, assert_true, wait_until)

ZERO_HASH = "0x" + "00" * 32


class ChainBasicTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def run_test(self):
        a, b = self.nodes
        self.test_genesis(a)
        self.test_generate(a)
        self.test_transfer(a)
        self.test_send_raw(a, b)
        b.stop()
        self.test_automine_off(a)
        self.test_blocktime(a)

    # ------------------------------------------------------------------
    def test_genesis(self, node):
        self.log("genesis: the hash of share/genesis/genesis-regtest.json, chain id, accounts")
        g = genesis_file("regtest")
        blk = get_block(node, 0)
        assert_equal(blk["hash"], g["expectedHash"], "genesis hash")
        assert_equal(blk["number"], "0x0")
        assert_equal(blk["parentHash"], ZERO_HASH)
        assert_equal(blk["extraData"], g["header"]["extraData"])
        assert_equal(u(blk["gasLimit"]), u(g["header"]["gasLimit"]))
        assert_equal(blk["transactions"], [])
        assert_equal(node.rpc("eth_getBlockByNumber", "earliest", False), blk)
        assert_equal(node.rpc("eth_getBlockByHash", blk["hash"], False), blk)
        assert_equal(raw_block_hash(raw_block(node, 0)), g["expectedHash"], "keccak(RLP(header))")
        assert_equal(block_number(node), 0)
        assert_equal(u(node.rpc("eth_chainId")), REGTEST_CHAIN_ID)
        assert_equal(node.rpc("eth_getBlockByNumber", "0x1", False), None, "no block 1 yet")
        accounts = [a.lower() for a in node.rpc("eth_accounts")]
        for a in DEV_ACCOUNTS:
            assert_in(a, accounts, "eth_accounts")
            assert_equal(balance(node, a), DEV_BALANCE, "dev account balance")
        assert_equal(node.rpc("eth_coinbase").lower(), NODE_ADDRESS)
        assert_equal(node.rpc("eth_mining"), True, "regtest automine")

    def test_generate(self, node):
        self.log("generate 5: numbers, hashes and parents chain up")
        offset = node._log_size()
        hashes = node.rpc("generate", 5)
        assert_equal(len(hashes), 5)
        assert_equal(len(set(hashes)), 5, "distinct hashes")
        assert_equal(block_number(node), 5)
        prev = get_block(node, 0)
        for i, h in enumerate(hashes):
            n = i + 1
            blk = get_block(node, n)
            assert_equal(blk["hash"], h, "block %d hash" % n)
            assert_equal(u(blk["number"]), n)
            assert_equal(blk["parentHash"], prev["hash"], "block %d parent" % n)
            assert_equal(node.rpc("eth_getBlockByHash", h, False), blk)
            assert_equal(blk["miner"].lower(), NODE_ADDRESS, "coinbase")
            assert_true(u(blk["timestamp"]) >= u(prev["timestamp"]), "time goes forward")
            assert_greater_than(u(blk["difficulty"]), 0, "difficulty")
            assert_equal(u(blk["totalDifficulty"]),
                         u(prev["totalDifficulty"]) + u(blk["difficulty"]), "total difficulty")
            # Chief 1.0.0 from genesis on regtest: the VRF extra (161) + seal (65).
            assert_equal(len(data_bytes(blk["extraData"])), 226, "extraData length")
            raw = raw_block(node, n)
            assert_equal(raw_block_hash(raw), h, "keccak(RLP(header)) of block %d" % n)
            header, txs, uncles = split_block(raw)
            assert_equal(uncles, [])
            # From block 4 the chief update is in the block (first, spec 6.1) but
            # not listed (spec section 11).
            assert_equal(blk["transactions"], [])
            if n > 3:
                assert_equal(len(txs), 1, "block %d carries the chief update" % n)
            else:
                assert_true(len(txs) <= 1, "block %d: at most the chief update" % n)
            assert_in("UpdateTip: new best=%s height=%d" % (h, n), node.new_log_lines(offset))
            prev = blk
        assert_equal(node.rpc("eth_getBlockByNumber", "latest", False)["hash"], hashes[-1])
        assert_equal(node.rpc("debug_getRawBlock", hashes[2]),
                     node.rpc("debug_getRawBlock", "0x3"), "raw block by hash and by number")
        assert_raises_rpc_error(-32000, "block not found", node.rpc, "debug_getRawBlock", "0x64")

        self.log("generate refuses a count over 1000, head unchanged")
        assert_raises_rpc_error(None, None, node.rpc, "generate", 1001)
        assert_equal(block_number(node), 5)

    def check_receipt(self, node, h, frm, to, gas_used=TRANSFER_GAS):
        r = receipt(node, h)
        assert_true(r is not None, "receipt of %s" % h)
        blk = get_block(node, u(r["blockNumber"]))
        assert_equal(r["transactionHash"], h)
        assert_equal(r["status"], "0x1", "status")
        assert_equal(u(r["gasUsed"]), gas_used, "gasUsed")
        assert_equal(r["blockHash"], blk["hash"], "receipt blockHash")
        assert_equal(r["from"].lower(), frm)
        assert_equal(r["to"].lower(), to)
        assert_equal(r["contractAddress"], None)
        assert_equal(r["logs"], [])
        # Its index is its position in the block's transactions (from block 4 the
        # chief update is 0).
        raws = raw_txs(raw_block(node, blk["hash"]))
        idx = [tx_hash(t) for t in raws].index(h)
        assert_equal(u(r["transactionIndex"]), idx, "transactionIndex")
        if u(blk["number"]) > 3:
            assert_greater_than(idx, 0, "after the chief update")
        assert_true(u(r["cumulativeGasUsed"]) >= u(r["gasUsed"]), "cumulativeGasUsed")
        return r, blk

    def test_transfer(self, node):
        self.log("a transfer by eth_sendTransaction: mined at once, receipt, balances, nonces")
        frm, to = DEV_ACCOUNTS[1], DEV_ACCOUNTS[2]
        value = 1 * 10 ** 18 + 12345
        price = u(node.rpc("eth_gasPrice"))
        assert_greater_than(price, 0, "gas price")
        before = {a: balance(node, a) for a in (frm, to, NODE_ADDRESS)}
        n0 = block_number(node)
        nonce0 = tx_count(node, frm)
        assert_equal(nonce0, 0)
        h = send(node, frm, to, value)
        assert_equal(block_number(node), n0 + 1, "automine imports the block before replying")
        r, blk = self.check_receipt(node, h, frm, to)
        assert_equal(u(r["blockNumber"]), n0 + 1)
        assert_equal(blk["transactions"], [h])
        # The chief update adds nothing to the gas used (spec 6.3).
        assert_equal(u(r["cumulativeGasUsed"]), TRANSFER_GAS, "cumulativeGasUsed")
        assert_equal(u(blk["gasUsed"]), TRANSFER_GAS, "block gasUsed")

        tx = node.rpc("eth_getTransactionByHash", h)
        assert_equal(tx["hash"], h)
        assert_equal((tx["blockHash"], u(tx["blockNumber"])), (blk["hash"], n0 + 1))
        assert_equal(tx["transactionIndex"], r["transactionIndex"])
        assert_equal((tx["from"].lower(), tx["to"].lower()), (frm, to))
        assert_equal(u(tx["value"]), value)
        assert_equal(u(tx["nonce"]), nonce0)
        assert_equal(u(tx["gas"]), TRANSFER_GAS, "no gas given: estimated, as geth does")
        assert_equal(u(tx["gasPrice"]), price, "default gas price")
        assert_equal(tx["input"], "0x")
        # EIP-155 signature for the regtest chain: v = chainId * 2 + 35/36.
        assert_in(u(tx["v"]), (REGTEST_CHAIN_ID * 2 + 35, REGTEST_CHAIN_ID * 2 + 36), "v")
        full = get_block(node, n0 + 1, True)
        assert_equal(full["transactions"], [tx], "full transaction objects")

        fee = TRANSFER_GAS * price
        assert_equal(balance(node, frm), before[frm] - value - fee, "sender pays value + fee")
        assert_equal(balance(node, to), before[to] + value, "receiver gets value")
        assert_equal(balance(node, NODE_ADDRESS), before[NODE_ADDRESS] + BLOCK_REWARD + fee,
                     "coinbase gets reward + fee")
        assert_equal(balance(node, frm, n0), before[frm], "balance at the previous block")
        assert_equal(tx_count(node, frm), nonce0 + 1)
        assert_equal(tx_count(node, frm, "pending"), nonce0 + 1)

        self.log("a second transfer from the same account takes the next nonce")
        h2 = send(node, frm, to, 5)
        assert_equal(u(node.rpc("eth_getTransactionByHash", h2)["nonce"]), nonce0 + 1)
        self.check_receipt(node, h2, frm, to)
        assert_equal(tx_count(node, frm), nonce0 + 2)

        self.log("eth_sendTransaction errors: unknown account, insufficient funds")
        stranger = "0x" + "42" * 20
        assert_raises_rpc_error(-32000, ("unknown account", "authentication needed"),
                                send, node, stranger, to, 1)
        assert_raises_rpc_error(-32000, "insufficient funds", send, node, frm, to,
                                DEV_BALANCE * 2)
        assert_equal(block_number(node), n0 + 2)

    def test_send_raw(self, a, b):
        self.log("eth_sendRawTransaction: a transaction signed by node 1, sent raw to node 0")
        frm, to = DEV_ACCOUNTS[3], DEV_ACCOUNTS[4]
        hb = send(b, frm, to, 777)
        rb = receipt(b, hb)
        raws = raw_txs(raw_block(b, u(rb["blockNumber"])))
        mine = [t for t in raws if tx_hash(t) == hb]
        assert_equal(len(mine), 1, "node 1's block holds the transaction")
        raw = mine[0]

        n = block_number(a)
        to_before = balance(a, to)
        assert_equal(tx_count(a, frm), 0, "node 0 never saw this account spend")
        ha = a.rpc("eth_sendRawTransaction", hx(raw))
        assert_equal(ha, hb, "the hash is keccak of the raw bytes")
        assert_equal(block_number(a), n + 1, "automined")
        self.check_receipt(a, ha, frm, to)
        assert_equal(balance(a, to), to_before + 777)

        self.log("eth_sendRawTransaction: a replay of mined bytes is refused")
        assert_raises_rpc_error(-32000, ("nonce too low", "already known"), a.rpc,
                                "eth_sendRawTransaction", hx(raw))
        self.log("eth_sendRawTransaction: garbage and broken signatures are refused cleanly")
        for bad in ("0x1234", "0xc0", "0x" + "ff" * 40, hx(raw[:-3])):
            assert_raises_rpc_error(None, None, a.rpc, "eth_sendRawTransaction", bad)
        for bad in ("0xzz", "1234", ""):
            assert_raises_rpc_error(-32602, None, a.rpc, "eth_sendRawTransaction", bad)
        assert_raises_rpc_error(-32602, None, a.rpc, "eth_sendRawTransaction")
        items = rlp.decode(raw)
        items[7] = b""      # r = 0 recovers no key
        assert_raises_rpc_error(-32000, "invalid sender", a.rpc, "eth_sendRawTransaction",
                                hx(rlp.encode(items)))
        assert_equal(block_number(a), n + 1, "nothing mined by the refusals")
        assert_equal(a.rpc("eth_blockNumber"), q(n + 1), "the node still serves")

    def test_automine_off(self, node):
        self.log("-automine=0: transactions wait in the pool until generate")
        node.stop()
        node.start(["-automine=0"])
        assert_equal(node.rpc("eth_mining"), False)
        frm, to = DEV_ACCOUNTS[5], DEV_ACCOUNTS[6]
        n = block_number(node)
        latest = tx_count(node, frm)
        h1 = send(node, frm, to, 1)
        h2 = send(node, frm, to, 2)
        assert_equal(block_number(node), n, "no block without generate")
        for h in (h1, h2):
            assert_equal(receipt(node, h), None, "no receipt while pending")
            tx = node.rpc("eth_getTransactionByHash", h)
            assert_equal((tx["blockHash"], tx["blockNumber"], tx["transactionIndex"]),
                         (None, None, None), "pending transaction fields")
        assert_equal(pool_status(node), (2, 0))
        assert_equal(tx_count(node, frm), latest)
        assert_equal(tx_count(node, frm, "pending"), latest + 2)
        content = node.rpc("txpool_content")["pending"]
        mine = {k.lower(): v for k, v in content.items()}[frm]
        assert_equal(sorted(mine), [str(latest), str(latest + 1)], "pool nonces")
        assert_equal(mine[str(latest)]["hash"], h1)

        hashes = node.rpc("generate", 1)
        assert_equal(block_number(node), n + 1)
        blk = get_block(node, n + 1)
        assert_equal(blk["hash"], hashes[0])
        assert_equal(blk["transactions"], [h1, h2], "both, in nonce order")
        r1, _ = self.check_receipt(node, h1, frm, to)
        r2, _ = self.check_receipt(node, h2, frm, to)
        assert_equal(u(r2["cumulativeGasUsed"]), u(r1["cumulativeGasUsed"]) + u(r2["gasUsed"]),
                     "cumulativeGasUsed adds up")
        assert_equal(u(blk["gasUsed"]), u(r2["cumulativeGasUsed"]))
        assert_equal(pool_status(node), (0, 0))
        assert_equal(tx_count(node, frm), latest + 2)
        assert_equal(tx_count(node, frm, "pending"), latest + 2)

    def test_blocktime(self, node):
        self.log("-blocktime=1: blocks come by themselves, with the pool's transactions")
        node.stop()
        node.start(["-automine=0", "-blocktime=1"])
        assert_equal(node.rpc("eth_mining"), True)
        n = block_number(node)
        h = send(node, DEV_ACCOUNTS[7], DEV_ACCOUNTS[8], 3)
        wait_until(lambda: receipt(node, h) is not None, 10, "the transaction to be mined")
        wait_for_height(node, n + 3, 10)
        node.stop()


if __name__ == "__main__":
    ChainBasicTest().main()
