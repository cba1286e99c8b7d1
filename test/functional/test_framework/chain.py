"""Chain helpers for the functional tests: the regtest constants (from
doc/regtest.md), quantity conversions, short forms of the eth_ calls the
tests make again and again, and taking raw blocks apart (debug_getRawBlock
gives RLP [header, transactions, uncles]; rlp.py decodes it, keccak.py hashes
its parts), so a test can check a hash itself and move blocks and
transactions between nodes.

Every helper takes the node it talks to; nothing here keeps state.
"""

import json
import os

from . import rlp
from .keccak import keccak256
from .util import AssertionFailure, wait_until

SOURCE_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

SMT = 10 ** 18
GWEI = 10 ** 9
REGTEST_CHAIN_ID = 1397769539          # 0x53504543, "SPEC"
DEV_BALANCE = 10 ** 24                 # each dev account's genesis balance
BLOCK_REWARD = 35 * SMT                # from Chief100 on (spec section 7)
TRANSFER_GAS = 21000
# The regtest node key's address (doc/regtest.md): signs every block, and is
# the coinbase (no Anmap binding in the regtest genesis).
NODE_ADDRESS = "0x5f8fded55a47b17cb11cc3738d19214acd1d5aae"
# Dev accounts 0..9 (doc/regtest.md), unlocked in every regtest node.
DEV_ACCOUNTS = [
    "0x0311aeb8de32b9385e7cf31ab5c7225894c46645",
    "0x0436b41bf91ea2b181cd4ce8918b0cfd320d884c",
    "0x6f5a2e02edc1e8302a25475be70b6e4bb4792fc8",
    "0x3f6014d0a585d92fb6195d9802f880194a8fc22c",
    "0x12d8fe6a936cceb730b4dc14734cd4b44edf1a27",
    "0x6b5d8104eee51db8171a15642ab97d3187fbb608",
    "0x7be25301c06c632e7b0ffe44a5949f4e9f888493",
    "0x0083c3f8b05eb03a581a15c002b3465514baceeb",
    "0x8b8ef6403809aa8d497a7635f71196d6f61b1b2b",
    "0xb47bd40b21e67a5b57b66c61edf51382e3153a14",
]

# Header fields in RLP order (pre-London geth header).
HEADER_FIELDS = ["parentHash", "sha3Uncles", "miner", "stateRoot", "transactionsRoot",
                 "receiptsRoot", "logsBloom", "difficulty", "number", "gasLimit", "gasUsed",
                 "timestamp", "extraData", "mixHash", "nonce"]


# ---- conversions -------------------------------------------------------------
def q(n):
    """An int as a JSON-RPC quantity."""
    return hex(n)


def u(h):
    """A JSON-RPC quantity as an int."""
    if not isinstance(h, str) or not h.startswith("0x"):
        raise AssertionFailure("not a quantity: %r" % (h,))
    return int(h, 16)


def data_bytes(h):
    """A JSON-RPC data string ("0x...") as bytes."""
    if not isinstance(h, str) or not h.startswith("0x") or len(h) % 2:
        raise AssertionFailure("not hex data: %r" % (h,))
    return bytes.fromhex(h[2:])


def hx(b):
    return "0x" + bytes(b).hex()


def tag(n):
    return q(n) if isinstance(n, int) else n


def genesis_file(network="regtest"):
    """The genesis JSON the node ships for `network` (share/genesis)."""
    with open(os.path.join(SOURCE_ROOT, "share", "genesis", "genesis-%s.json" % network)) as f:
        return json.load(f)


# ---- short calls ---------------------------------------------------------------
def block_number(node):
    return u(node.rpc("eth_blockNumber"))


def get_block(node, n, full=False):
    return node.rpc("eth_getBlockByNumber", tag(n), full)


def block_hash(node, n):
    b = get_block(node, n)
    return b["hash"] if b else None


def balance(node, addr, at="latest"):
    return u(node.rpc("eth_getBalance", addr, tag(at)))


def tx_count(node, addr, at="latest"):
    return u(node.rpc("eth_getTransactionCount", addr, tag(at)))


def send(node, frm, to, value=0, **fields):
    """eth_sendTransaction; extra fields (gas, gasPrice, data, nonce) as
    ints or strings. Returns the hash."""
    tx = {"from": frm, "value": q(value)}
    if to is not None:
        tx["to"] = to
    for k, v in fields.items():
        tx[k] = q(v) if isinstance(v, int) else v
    return node.rpc("eth_sendTransaction", tx)


def receipt(node, h):
    return node.rpc("eth_getTransactionReceipt", h)


def wait_for_height(node, n, timeout=30):
    wait_until(lambda: block_number(node) >= n, timeout, "node%d to reach block %d"
               % (node.index, n))


def pool_status(node):
    s = node.rpc("txpool_status")
    return u(s["pending"]), u(s["queued"])


def fees_in_block(node, blk):
    """Sum of gasUsed * gasPrice over the block's listed transactions (the
    chief update is not listed, and pays nothing)."""
    total = 0
    for t in blk["transactions"]:
        h = t if isinstance(t, str) else t["hash"]
        tx = t if isinstance(t, dict) else node.rpc("eth_getTransactionByHash", h)
        r = receipt(node, h)
        total += u(r["gasUsed"]) * u(tx["gasPrice"])
    return total


# ---- raw blocks ---------------------------------------------------------------
def raw_block(node, which):
    """debug_getRawBlock(number | tag | hash) as bytes."""
    return data_bytes(node.rpc("debug_getRawBlock", tag(which)))


def split_block(raw):
    """Decodes a raw block into (header items, transaction items, uncles)."""
    items = rlp.decode(raw)
    if not isinstance(items, list) or len(items) != 3 or not isinstance(items[0], list):
        raise AssertionFailure("a block is [header, txs, uncles], got %d items" % len(items))
    if len(items[0]) != len(HEADER_FIELDS):
        raise AssertionFailure("header has %d fields" % len(items[0]))
    return items[0], items[1], items[2]


def header_hash(header):
    return hx(keccak256(rlp.encode(header)))


def raw_block_hash(raw):
    return header_hash(split_block(raw)[0])


def header_field(header, name):
    return header[HEADER_FIELDS.index(name)]


def raw_txs(raw):
    """The encoded transactions of a raw block, in block order (the chief
    update first)."""
    return [rlp.encode(t) for t in split_block(raw)[1]]


def tx_hash(raw_tx):
    return hx(keccak256(raw_tx))


def tx_sender_nonce(raw_tx):
    """The nonce of an encoded legacy transaction."""
    return rlp.bytes_to_int(rlp.decode(raw_tx)[0])
