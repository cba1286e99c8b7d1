#!/usr/bin/env python3
"""debug_traceTransaction and debug_traceCall (geth's struct logger) against
a regtest node with -automine=0, so that several transactions share a block:

- a plain transfer: no struct logs, gas 21000;
- a call of a tiny hand-assembled contract (RUNTIME below): pc, op, gas,
  gasCost, depth, stack and storage of every step equal the values worked
  out by hand from the gas schedule, gas equals the receipt's;
- the same call as the second transaction of its block: the replay runs the
  first one before it, so its SSTORE finds the slot set (5000, not 20000);
- the creation of the contract: returnValue is the runtime code;
- failures: a revert (returnValue = the revert data, failed) and a
  transaction out of gas (the failing step carries "out of gas");
- the options: memory (after the expansion, as geth shows it), disableStack,
  disableStorage, limit; a named tracer is refused;
- the chief update transaction (index 0 of a block) runs unmetered;
- debug_traceCall on the head and on an older block, with a state
  override, and bad params for both methods.
"""

from test_framework.chain import DEV_ACCOUNTS, block_number, q, receipt, send, u
from test_framework.test_framework import SpectrumTestFramework
from test_framework.util import assert_equal, assert_in, assert_raises_rpc_error, assert_true

DEV0, DEV1 = DEV_ACCOUNTS[0], DEV_ACCOUNTS[1]

# Runtime code: without call data, store 42 in slot 0, read it back and
# return it as a word; with call data, revert with the two bytes dead.
#   0 CALLDATASIZE  1 PUSH1 0x14  3 JUMPI  4 PUSH1 0x2a  6 PUSH1 0  8 SSTORE
#   9 PUSH1 0  11 SLOAD  12 PUSH1 0  14 MSTORE  15 PUSH1 0x20  17 PUSH1 0
#   19 RETURN  20 JUMPDEST  21 PUSH2 0xdead  24 PUSH1 0  26 MSTORE  27 PUSH1 2
#   29 PUSH1 30  31 REVERT
RUNTIME = bytes.fromhex("36601457602a60005560005460005260206000f35b61dead6000526002601efd")
# Creation code: CODECOPY the runtime to memory 0 and RETURN it.
INIT = bytes.fromhex("60%02x600c60003960%02x6000f3" % (len(RUNTIME), len(RUNTIME))) + RUNTIME
assert len(INIT) == 12 + len(RUNTIME)


def word(v):
    return "%064x" % v


# The steps of a call without data on a fresh slot: (pc, op, gasCost, stack).
CALL_STEPS = [
    (0, "CALLDATASIZE", 2, []),
    (1, "PUSH1", 3, [0]),
    (3, "JUMPI", 10, [0, 0x14]),
    (4, "PUSH1", 3, []),
    (6, "PUSH1", 3, [0x2a]),
    (8, "SSTORE", 20000, [0x2a, 0]),
    (9, "PUSH1", 3, []),
    (11, "SLOAD", 200, [0]),
    (12, "PUSH1", 3, [0x2a]),
    (14, "MSTORE", 6, [0x2a, 0]),        # 3 + one word of memory
    (15, "PUSH1", 3, []),
    (17, "PUSH1", 3, [0x20]),
    (19, "RETURN", 0, [0x20, 0]),
]
CALL_GAS_USED = 21000 + sum(s[2] for s in CALL_STEPS)


class DebugTraceTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-automine=0"]]

    def mine(self, *hashes):
        self.node.rpc("generate", 1)
        for h in hashes:
            assert_true(receipt(self.node, h) is not None, "mined")

    def run_test(self):
        self.node = n = self.nodes[0]
        n.rpc("generate", 3)    # from block 4 on, every block opens with the chief update
        self.test_transfer(n)
        self.test_contract(n)
        self.test_failures(n)
        self.test_options(n)
        self.test_chief_tx(n)
        self.test_trace_call(n)
        self.test_bad_params(n)

    # ------------------------------------------------------------------
    def test_transfer(self, n):
        self.log("a transfer: no instructions, gas 21000")
        h = send(n, DEV0, DEV1, 12345)
        self.mine(h)
        t = n.rpc("debug_traceTransaction", h)
        assert_equal(t, {"gas": 21000, "failed": False, "returnValue": "", "structLogs": []})

    def check_steps(self, logs, start_gas, steps, sstore_cost=20000, depth=1):
        assert_equal(len(logs), len(steps), "number of steps")
        gas = start_gas
        for log, (pc, op, cost, stack) in zip(logs, steps):
            if op == "SSTORE":
                cost = sstore_cost
            what = "pc %d" % pc
            assert_equal((log["pc"], log["op"], log["gas"], log["gasCost"], log["depth"]),
                         (pc, op, gas, cost, depth), what)
            assert_equal(log["stack"], [word(v) for v in stack], what + " stack")
            if op in ("SSTORE", "SLOAD"):
                assert_equal(log["storage"], {word(0): word(0x2a)}, what + " storage")
            else:
                assert_true("storage" not in log, what + ": storage only on SLOAD/SSTORE")
            assert_true("memory" not in log, what + ": memory is off by default")
            assert_true("error" not in log, what + ": no error")
            gas -= cost

    def test_contract(self, n):
        self.log("creation: returnValue is the runtime code")
        h = send(n, DEV0, None, gas=200000, data="0x" + INIT.hex())
        self.mine(h)
        r = receipt(n, h)
        self.contract = r["contractAddress"]
        assert_equal(n.rpc("eth_getCode", self.contract, "latest"), "0x" + RUNTIME.hex())
        t = n.rpc("debug_traceTransaction", h)
        assert_equal((t["failed"], t["returnValue"], t["gas"]),
                     (False, RUNTIME.hex(), u(r["gasUsed"])))
        assert_equal([l["op"] for l in t["structLogs"]],
                     ["PUSH1", "PUSH1", "PUSH1", "CODECOPY", "PUSH1", "PUSH1", "RETURN"])
        self.create_block = u(r["blockNumber"])

        self.log("a call: every step as worked out by hand")
        gas = 100000
        h1 = send(n, DEV0, self.contract, gas=gas)
        h2 = send(n, DEV1, self.contract, gas=gas)    # same block, after h1
        self.mine(h1, h2)
        r1 = receipt(n, h1)
        assert_equal(u(r1["gasUsed"]), CALL_GAS_USED)
        t = n.rpc("debug_traceTransaction", h1)
        assert_equal((t["gas"], t["failed"], t["returnValue"]), (CALL_GAS_USED, False, word(42)))
        self.check_steps(t["structLogs"], gas - 21000, CALL_STEPS)
        assert_equal(n.rpc("debug_traceTransaction", h1, {}), t)
        assert_equal(n.rpc("debug_traceTransaction", h1, None), t)

        self.log("the second call of the block is replayed after the first")
        r2 = receipt(n, h2)
        assert_equal((r1["transactionIndex"], r2["blockNumber"], r2["transactionIndex"]),
                     ("0x1", r1["blockNumber"], "0x2"), "after the chief update, h1, h2")
        t2 = n.rpc("debug_traceTransaction", h2)
        assert_equal(t2["gas"], CALL_GAS_USED - 15000)
        assert_equal(t2["gas"], u(r2["gasUsed"]))
        self.check_steps(t2["structLogs"], gas - 21000, CALL_STEPS, sstore_cost=5000)
        self.call_block = u(r1["blockNumber"])

    def test_failures(self, n):
        self.log("a revert: failed, the revert data as returnValue")
        h = send(n, DEV0, self.contract, gas=100000, data="0x01")
        self.mine(h)
        assert_equal(receipt(n, h)["status"], "0x0")
        t = n.rpc("debug_traceTransaction", h)
        assert_equal((t["failed"], t["returnValue"]), (True, "dead"))
        assert_equal(t["gas"], u(receipt(n, h)["gasUsed"]))
        logs = t["structLogs"]
        assert_equal([l["op"] for l in logs[2:5]], ["JUMPI", "JUMPDEST", "PUSH2"])
        assert_equal(logs[-1]["op"], "REVERT")
        assert_true("error" not in logs[-1], "REVERT runs; it is no step error")

        self.log("out of gas in SSTORE: the failing step says so and takes the rest")
        h = send(n, DEV0, None, gas=200000, data="0x" + INIT.hex())  # a fresh slot
        self.mine(h)
        fresh = receipt(n, h)["contractAddress"]
        gas = 21000 + 5000
        h = send(n, DEV0, fresh, gas=gas)
        self.mine(h)
        assert_equal(receipt(n, h)["status"], "0x0")
        t = n.rpc("debug_traceTransaction", h)
        assert_equal((t["failed"], t["gas"], t["returnValue"]), (True, gas, ""))
        last = t["structLogs"][-1]
        left = 5000 - sum(s[2] for s in CALL_STEPS[:5])
        assert_equal((last["op"], last["error"], last["gas"], last["gasCost"]),
                     ("SSTORE", "out of gas", left, left))
        assert_equal(len(t["structLogs"]), 6)

    def test_options(self, n):
        h = n.rpc("eth_getTransactionByBlockNumberAndIndex", q(self.call_block), "0x1")["hash"]
        self.log("enableMemory: memory after each step's expansion")
        t = n.rpc("debug_traceTransaction", h, {"enableMemory": True})
        logs = t["structLogs"]
        assert_equal(logs[9]["op"], "MSTORE")
        assert_equal(logs[9]["memory"], [word(0)], "expanded, not written yet")
        assert_equal(logs[10]["memory"], [word(42)])
        assert_equal(logs[0]["memory"], [])
        assert_equal(n.rpc("debug_traceTransaction", h, {"disableMemory": False}), t,
                     "older clients' way to ask for memory")
        self.log("disableStack, disableStorage, limit")
        t = n.rpc("debug_traceTransaction", h, {"disableStack": True, "disableStorage": True})
        assert_equal(len(t["structLogs"]), len(CALL_STEPS))
        for log in t["structLogs"]:
            assert_equal(set(log), {"pc", "op", "gas", "gasCost", "depth"})
        t = n.rpc("debug_traceTransaction", h, {"limit": 4})
        assert_equal([l["pc"] for l in t["structLogs"]], [0, 1, 3, 4])
        assert_equal(t["gas"], CALL_GAS_USED, "the whole transaction's gas")
        self.log("named tracers are not available")
        assert_raises_rpc_error(-32000, "unsupported tracer", n.rpc, "debug_traceTransaction",
                                h, {"tracer": "callTracer"})

    def test_chief_tx(self, n):
        self.log("the chief update (index 0) runs with no gas and metering off")
        tx = n.rpc("eth_getTransactionByBlockNumberAndIndex", q(self.call_block), "0x0")
        assert_equal(tx["to"], "0x5350454300000000000000000000000000000100")
        t = n.rpc("debug_traceTransaction", tx["hash"])
        assert_equal((t["gas"], t["failed"]), (0, False))
        assert_true(len(t["structLogs"]) > 100, "the update runs the chief's code")
        assert_true(all(l["gasCost"] == 0 for l in t["structLogs"]), "unmetered")
        assert_true(any(l["depth"] == 2 for l in t["structLogs"]), "the chief calls ChiefBase")

    def test_trace_call(self, n):
        self.log("traceCall on the head: the slot is set, SSTORE costs 5000")
        call = {"from": DEV0, "to": self.contract, "gas": q(100000)}
        t = n.rpc("debug_traceCall", call, "latest")
        assert_equal((t["gas"], t["failed"], t["returnValue"]),
                     (CALL_GAS_USED - 15000, False, word(42)))
        self.check_steps(t["structLogs"], 100000 - 21000, CALL_STEPS, sstore_cost=5000)
        assert_equal(n.rpc("debug_traceCall", call), t, "the block defaults to latest")
        self.log("traceCall on the block before the first call: a fresh slot")
        t = n.rpc("debug_traceCall", call, q(self.create_block))
        assert_equal(t["gas"], CALL_GAS_USED)
        self.check_steps(t["structLogs"], 100000 - 21000, CALL_STEPS)
        self.log("traceCall with a state override clearing the slot")
        t = n.rpc("debug_traceCall", call, "latest",
                  {"stateOverrides": {self.contract: {"state": {}}}, "disableStack": True})
        assert_equal(t["gas"], CALL_GAS_USED)
        assert_true(all("stack" not in l for l in t["structLogs"]), "disableStack")
        self.log("traceCall: a revert, a transfer, a tracer")
        t = n.rpc("debug_traceCall", dict(call, data="0x01"), "latest")
        assert_equal((t["failed"], t["returnValue"]), (True, "dead"))
        t = n.rpc("debug_traceCall", {"from": DEV0, "to": DEV1, "value": q(1)}, "latest")
        assert_equal(t, {"gas": 21000, "failed": False, "returnValue": "", "structLogs": []})
        assert_raises_rpc_error(-32000, "unsupported tracer", n.rpc, "debug_traceCall", call,
                                "latest", {"tracer": "prestateTracer"})

    def test_bad_params(self, n):
        self.log("bad params")
        unknown = "0x" + "ee" * 32
        assert_raises_rpc_error(-32000, "transaction %s not found" % ("ee" * 32), n.rpc,
                                "debug_traceTransaction", unknown)
        assert_raises_rpc_error(-32602, "missing value for required argument 0", n.rpc,
                                "debug_traceTransaction")
        assert_raises_rpc_error(-32602, "invalid argument 0", n.rpc, "debug_traceTransaction",
                                "0x1234")
        assert_raises_rpc_error(-32602, "invalid argument 1", n.rpc, "debug_traceTransaction",
                                unknown, [1])
        assert_raises_rpc_error(-32602, "invalid argument 1", n.rpc, "debug_traceTransaction",
                                unknown, {"disableStack": "yes"})
        assert_raises_rpc_error(-32602, "invalid argument 1", n.rpc, "debug_traceTransaction",
                                unknown, {"limit": -5})
        assert_raises_rpc_error(-32602, "too many arguments", n.rpc, "debug_traceTransaction",
                                unknown, {}, 1)
        call = {"from": DEV0, "to": self.contract}
        assert_raises_rpc_error(-32602, "missing value for required argument 0", n.rpc,
                                "debug_traceCall")
        assert_raises_rpc_error(-32602, "invalid argument 0", n.rpc, "debug_traceCall",
                                {"to": "0x12"})
        assert_raises_rpc_error(-32602, "invalid argument 1", n.rpc, "debug_traceCall", call,
                                "nonsense")
        assert_raises_rpc_error(-32000, "header not found", n.rpc, "debug_traceCall", call,
                                q(block_number(n) + 100))
        assert_raises_rpc_error(-32602, "invalid argument 2", n.rpc, "debug_traceCall", call,
                                "latest", "x")
        assert_raises_rpc_error(-32602, "too many arguments", n.rpc, "debug_traceCall", call,
                                "latest", {}, 1)
        assert_raises_rpc_error(-32000, "insufficient funds", n.rpc, "debug_traceCall",
                                {"from": "0x" + "99" * 20, "to": DEV1, "value": q(1)})
        for m in ("debug_traceTransaction", "debug_traceCall"):
            assert_in("structLogs", n.rpc("help", m))


if __name__ == "__main__":
    DebugTraceTest().main()
