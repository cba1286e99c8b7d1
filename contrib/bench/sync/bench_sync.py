#!/usr/bin/env python3
"""Full sync over loopback next to the plain block import of the same blocks.

1. Node A (regtest, -automine=0) builds BLOCKS blocks of TXS_PER_BLOCK SMT
   transfers each (plus the chief update tx every regtest block carries):
   the transfers are signed by the node (eth_signTransaction, explicit
   nonces, 1,000 per JSON-RPC batch) ahead of time, then each block is one
   batch of eth_sendRawTransaction followed by `generate 1`.
2. The raw blocks are read back (debug_getRawBlock, batches of 1,000).
3. Sync: a fresh node B (-connect=A) is started; the time from its RPC
   being up to eth_blockNumber == BLOCKS (polled every 20 ms) is the sync
   time: handshake, headers, bodies, validation, execution and commit.
4. Import: a fresh node C with p2p off (-maxpeers=0) gets every raw block by
   `submitblock`, in order, over one keep-alive connection (batches of
   SUBMIT_BATCH calls, each checked to be a new head). The time from the
   first call to the last answer is the import time: the same validation,
   execution and commit, without networking (but with JSON-RPC's hex
   decoding and one round trip per batch).
B and C never run at the same time. Every node listens on 127.0.0.1 only
and runs with -nodiscover. Prints a markdown table and the ratio
sync rate / import rate.
"""

import base64
import http.client
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "test", "functional"))

from test_framework.chain import DEV_ACCOUNTS  # noqa: E402
from test_framework.test_node import TestNode  # noqa: E402
from test_framework.util import free_port  # noqa: E402

BLOCKS = int(os.environ.get("BLOCKS", "10000"))
TXS_PER_BLOCK = int(os.environ.get("TXS_PER_BLOCK", "20"))
SUBMIT_BATCH = int(os.environ.get("SUBMIT_BATCH", "1"))


class Client:
    """JSON-RPC over one keep-alive HTTP connection, with the node's cookie."""

    def __init__(self, node):
        self.node = node
        self.conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=600)
        self.auth = "Basic " + base64.b64encode(node.cookie().encode()).decode()
        self.id = 0

    def _post(self, payload):
        body = json.dumps(payload).encode()
        self.conn.request("POST", "/", body=body, headers={
            "Content-Type": "application/json", "Authorization": self.auth})
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError("HTTP %d: %r" % (r.status, data[:200]))
        return json.loads(data)

    def call(self, method, *params):
        self.id += 1
        rep = self._post({"jsonrpc": "2.0", "id": self.id, "method": method,
                          "params": list(params)})
        if "error" in rep:
            raise RuntimeError("%s: %r" % (method, rep["error"]))
        return rep["result"]

    def batch(self, calls):
        """calls: [(method, params)]; returns the results in order."""
        reqs = []
        for m, p in calls:
            self.id += 1
            reqs.append({"jsonrpc": "2.0", "id": self.id, "method": m, "params": list(p)})
        reps = self._post(reqs)
        by_id = {r["id"]: r for r in reps}
        out = []
        for r in reqs:
            rep = by_id[r["id"]]
            if "error" in rep:
                raise RuntimeError("%s: %r" % (r["method"], rep["error"]))
            out.append(rep["result"])
        return out


def node_args(port, *extra):
    return ["-nodiscover", "-bind=127.0.0.1", "-port=%d" % port, "-automine=0"] + list(extra)


def build_chain(a):
    ca = Client(a)
    senders = DEV_ACCOUNTS
    nonce = {s: int(ca.call("eth_getTransactionCount", s, "pending"), 16) for s in senders}
    start = time.time()
    raws = []
    made = 0
    ntx = 0
    while made < BLOCKS:
        chunk = min(BLOCKS - made, max(1, 1000 // max(TXS_PER_BLOCK, 1)))
        calls = []
        for b in range(chunk):
            for i in range(TXS_PER_BLOCK):
                s = senders[i % len(senders)]
                to = "0x%040x" % (0x10000 + (made + b) * TXS_PER_BLOCK + i)
                calls.append(("eth_signTransaction", [{
                    "from": s, "to": to, "value": hex(1000 + i), "gas": hex(21000),
                    "gasPrice": hex(10 ** 9), "nonce": hex(nonce[s])}]))
                nonce[s] += 1
        signed = ca.batch(calls) if calls else []
        raws = [x["raw"] if isinstance(x, dict) else x for x in signed]
        for b in range(chunk):
            part = raws[b * TXS_PER_BLOCK:(b + 1) * TXS_PER_BLOCK]
            if part:
                ca.batch([("eth_sendRawTransaction", [r]) for r in part])
            ca.call("generate", 1)
            ntx += len(part)
        made += chunk
        if made % 1000 < chunk:
            print("  built %d blocks, %d transfers (%.0f s)" % (made, ntx, time.time() - start),
                  flush=True)
    height = int(ca.call("eth_blockNumber"), 16)
    if height != BLOCKS:
        raise RuntimeError("node A at %d, expected %d" % (height, BLOCKS))
    return ntx, time.time() - start


def read_blocks(a):
    ca = Client(a)
    out = []
    for lo in range(1, BLOCKS + 1, 1000):
        hi = min(lo + 1000, BLOCKS + 1)
        out += ca.batch([("debug_getRawBlock", [hex(n)]) for n in range(lo, hi)])
    return out


def total_txs(raws):
    """Transactions in the blocks, the chief txs included (from the RLP)."""
    from test_framework import rlp
    n = 0
    for r in raws:
        items = rlp.decode(bytes.fromhex(r[2:]))
        n += len(items[1])
    return n


def main():
    bindir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                             os.environ.get("SPECTRUM_BINDIR", "."))
    root = tempfile.mkdtemp(prefix="spectrum_bench_sync_")
    nodes = []
    try:
        a = TestNode(0, root, bindir, isolated=False, timeout=120)
        nodes.append(a)
        a.start(node_args(free_port()))
        enode_a = Client(a).call("admin_nodeInfo")["enode"]
        print("building %d blocks of %d transfers on node A ..." % (BLOCKS, TXS_PER_BLOCK),
              flush=True)
        ntx, build_s = build_chain(a)
        raws = read_blocks(a)
        alltx = total_txs(raws)
        head = Client(a).call("eth_getBlockByNumber", hex(BLOCKS), False)["hash"]
        print("built in %.0f s: %d transfers, %d transactions with the chief txs, %.1f MB of "
              "blocks" % (build_s, ntx, alltx, sum(len(r) // 2 - 1 for r in raws) / 1e6),
              flush=True)

        # ---- sync over loopback ----
        b = TestNode(1, root, bindir, isolated=False, timeout=120)
        nodes.append(b)
        b.start(node_args(free_port(), "-connect=" + enode_a))
        cb = Client(b)
        t0 = time.time()
        while int(cb.call("eth_blockNumber"), 16) < BLOCKS:
            if time.time() - t0 > 3600:
                raise RuntimeError("sync did not finish within an hour")
            time.sleep(0.02)
        sync_s = time.time() - t0
        if cb.call("eth_getBlockByNumber", hex(BLOCKS), False)["hash"] != head:
            raise RuntimeError("node B's head differs from node A's")
        b.stop()

        # ---- import without networking ----
        c = TestNode(2, root, bindir, isolated=True, timeout=120)
        nodes.append(c)
        c.start(["-automine=0"])
        cc = Client(c)
        t0 = time.time()
        for lo in range(0, len(raws), SUBMIT_BATCH):
            part = raws[lo:lo + SUBMIT_BATCH]
            if len(part) == 1:
                res = [cc.call("submitblock", part[0])]
            else:
                res = cc.batch([("submitblock", [r]) for r in part])
            for r in res:
                if r["status"] not in ("head", "HEAD"):
                    raise RuntimeError("submitblock: %r" % r)
        import_s = time.time() - t0
        if cc.call("eth_getBlockByNumber", hex(BLOCKS), False)["hash"] != head:
            raise RuntimeError("node C's head differs from node A's")
        c.stop()

        sync_bps, import_bps = BLOCKS / sync_s, BLOCKS / import_s
        print()
        print("| %d blocks, %d transfers + %d chief txs | time | blocks/s | tx/s |"
              % (BLOCKS, ntx, alltx - ntx))
        print("|---|---|---|---|")
        print("| full sync over loopback (node B from node A) | %.1f s | %.0f | %.0f |"
              % (sync_s, sync_bps, alltx / sync_s))
        print("| import by submitblock, no networking (node C) | %.1f s | %.0f | %.0f |"
              % (import_s, import_bps, alltx / import_s))
        print()
        print("sync / import: %.1f %% (goal: at least 80 %%)" % (100.0 * sync_bps / import_bps))
    finally:
        for n in nodes:
            if n.running():
                n.kill()
        if os.environ.get("KEEP"):
            print("node directories kept in %s" % root)
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
