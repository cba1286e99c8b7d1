#!/usr/bin/env python3
"""The wallet over RPC: every personal_ method with good and bad arguments,
eth_sign and eth_signTransaction, and the keystore on disk.

- Credentials: personal_ (and an unknown personal_ name) answer 401 without
  them, with nothing in the body.
- personal_newAccount writes a geth-shaped V3 file (scrypt n=2^18), mode
  0600, in <netdir>/keystore; the account signs nothing until unlocked.
- personal_unlockAccount: wrong passphrase, unknown account, durations
  (default, 0 = until locked, a 2 s unlock that ends on time, too large,
  negative); personal_lockAccount.
- personal_importRawKey of the web3.js documentation key, then personal_sign
  of "Some data" must give exactly the web3.js signature (RFC 6979 makes it
  deterministic): an external check of the message hash and the signer.
- personal_sign signs with the passphrase without unlocking (without one,
  with the unlocked key, as eth_sign);
  personal_ecRecover finds the signer of personal_sign and eth_sign output
  and refuses bad signatures.
- personal_sendTransaction sends from a locked account with its passphrase
  and leaves it locked; a wrong passphrase sends nothing.
- eth_signTransaction: {raw, tx} whose RLP carries the fields asked for and
  an EIP-155 v, whose hash is keccak(raw), that consumes no nonce, and that
  the node accepts with eth_sendRawTransaction with `from` as sender (the
  node recovers the signature).
- After a restart the wallet lists the same accounts, which still unlock;
  a V3 file from ethereum-tests' KeyStoreTests copied into the keystore is
  listed and unlocks, and signs as its address.
"""

import json
import os
import shutil
import stat
import time

from test_framework import rlp
from test_framework.chain import (DEV_ACCOUNTS, REGTEST_CHAIN_ID, balance, data_bytes, hx,
                                  q, receipt, send, tx_count, u)
from test_framework.keccak import keccak256
from test_framework.test_framework import SpectrumTestFramework
from test_framework.test_node import HTTPError
from test_framework.util import (AssertionFailure, assert_equal, assert_in, assert_not_in,
                                 assert_raises_rpc_error, assert_true)

# web3.js documentation: web3.eth.accounts.sign("Some data", W3_KEY).
W3_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
W3_ADDR = "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"
W3_SIG = ("0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e03"
          "7b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c")
SOME_DATA = "0x" + b"Some data".hex()
UNKNOWN = "0x00000000000000000000000000000000000000aa"
GWEI = 10 ** 9


def is_address(s):
    return isinstance(s, str) and s.startswith("0x") and len(s) == 42 and \
        all(c in "0123456789abcdef" for c in s[2:])


class PersonalTest(SpectrumTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]
        self.keystore = os.path.join(node.netdir, "keystore")
        self.test_auth(node)
        acct = self.test_new_account(node)
        self.test_unlock_lock(node, acct)
        self.test_import_raw_key(node)
        self.test_sign_and_recover(node, acct)
        self.test_send_transaction(node, acct)
        self.test_sign_transaction(node, acct)
        self.test_restart(node, acct)

    # ------------------------------------------------------------------
    def test_auth(self, node):
        self.log("personal_ needs credentials: 401 with an empty body, even for unknown names")
        for method, params in (("personal_listAccounts", []),
                               ("personal_newAccount", ["x"]),
                               ("personal_unlockAccount", [DEV_ACCOUNTS[0], "", 0]),
                               ("personal_sign", ["0x00", DEV_ACCOUNTS[0], ""]),
                               ("personal_noSuchMethod", [])):
            for auth in (False, "__cookie__:wrong"):
                status, _, body = node.http({"jsonrpc": "2.0", "id": 1, "method": method,
                                             "params": params}, auth=auth)
                assert_equal(status, 401, "%s without valid credentials" % method)
                assert_equal(body, b"", "401 body of %s" % method)
        # The same names with credentials: listAccounts works.
        accounts = node.rpc("personal_listAccounts")
        assert_equal(accounts, node.rpc("eth_accounts"))
        for a in DEV_ACCOUNTS:
            assert_in(a, accounts)
        assert_raises_rpc_error(-32602, "too many arguments", node.rpc,
                                "personal_listAccounts", 1)

    def test_new_account(self, node):
        self.log("personal_newAccount: a geth V3 file, mode 0600, standard scrypt")
        before = set(os.listdir(self.keystore))
        acct = node.rpc("personal_newAccount", "pass one")
        assert_true(is_address(acct), "address %r" % acct)
        assert_in(acct, node.rpc("personal_listAccounts"))
        assert_in(acct, node.rpc("eth_accounts"))
        new = sorted(set(os.listdir(self.keystore)) - before)
        assert_equal(len(new), 1, "one new file")
        name = new[0]
        assert_true(name.startswith("UTC--") and name.endswith("--" + acct[2:]),
                    "geth file name: %s" % name)
        path = os.path.join(self.keystore, name)
        assert_equal(stat.S_IMODE(os.stat(path).st_mode), 0o600, "mode of %s" % name)
        with open(path) as f:
            ks = json.load(f)
        assert_equal(ks["version"], 3)
        assert_equal(ks["address"], acct[2:])
        assert_equal(len(ks["id"]), 36, "uuid")
        c = ks["crypto"]
        assert_equal(c["cipher"], "aes-128-ctr")
        assert_equal(len(c["cipherparams"]["iv"]), 32)
        assert_equal(len(c["ciphertext"]), 64)
        assert_equal(c["kdf"], "scrypt")
        kp = c["kdfparams"]
        assert_equal((kp["n"], kp["r"], kp["p"], kp["dklen"]), (262144, 8, 1, 32),
                     "geth's standard scrypt")
        assert_equal(len(kp["salt"]), 64)
        assert_equal(len(c["mac"]), 64)
        text = open(path).read()
        assert_not_in("pass one", text, "passphrase in the file")

        # A new account is locked.
        assert_raises_rpc_error(-32000, "authentication needed: password or unlock",
                                node.rpc, "eth_sign", acct, "0x01")
        # Bad arguments.
        assert_raises_rpc_error(-32602, "missing value for required argument 0", node.rpc,
                                "personal_newAccount")
        assert_raises_rpc_error(-32602, "invalid argument 0", node.rpc,
                                "personal_newAccount", 5)
        assert_raises_rpc_error(-32602, "too many arguments", node.rpc,
                                "personal_newAccount", "a", "b")
        assert_equal(len(os.listdir(self.keystore)), len(before) + 1, "no file for refusals")
        assert_not_in("pass one", node.debug_log(), "passphrase in debug.log")
        return acct

    def test_unlock_lock(self, node, acct):
        self.log("personal_unlockAccount / lockAccount: passphrase, durations, expiry")
        assert_raises_rpc_error(-32000, "could not decrypt key with given password", node.rpc,
                                "personal_unlockAccount", acct, "wrong", 0)
        assert_raises_rpc_error(-32000, "no key for given address or file", node.rpc,
                                "personal_unlockAccount", UNKNOWN, "pass one", 0)
        assert_raises_rpc_error(-32602, "invalid argument 0", node.rpc,
                                "personal_unlockAccount", "0x1234", "pass one")
        assert_raises_rpc_error(-32602, "invalid argument 2", node.rpc,
                                "personal_unlockAccount", acct, "pass one", -1)
        assert_raises_rpc_error(-32602, "invalid argument 2", node.rpc,
                                "personal_unlockAccount", acct, "pass one", "300")
        assert_raises_rpc_error(-32000, "unlock duration too large", node.rpc,
                                "personal_unlockAccount", acct, "pass one", 2 ** 62)
        assert_raises_rpc_error(-32602, "missing value for required argument 1", node.rpc,
                                "personal_unlockAccount", acct)
        assert_raises_rpc_error(-32000, "authentication needed", node.rpc, "eth_sign", acct,
                                "0x01")

        # 2 seconds: signs now, not after.
        assert_equal(node.rpc("personal_unlockAccount", acct, "pass one", 2), True)
        node.rpc("eth_sign", acct, "0x01")
        time.sleep(3)
        assert_raises_rpc_error(-32000, "authentication needed", node.rpc, "eth_sign", acct,
                                "0x01")

        # Hex durations are read too; 0 lasts until lockAccount.
        assert_equal(node.rpc("personal_unlockAccount", acct, "pass one", "0x1"), True)
        node.rpc("eth_sign", acct, "0x01")
        assert_equal(node.rpc("personal_unlockAccount", acct, "pass one", 0), True)
        time.sleep(1.5)
        node.rpc("eth_sign", acct, "0x01")
        assert_equal(node.rpc("personal_lockAccount", acct), True)
        assert_raises_rpc_error(-32000, "authentication needed", node.rpc, "eth_sign", acct,
                                "0x01")
        assert_equal(node.rpc("personal_lockAccount", UNKNOWN), False)
        assert_raises_rpc_error(-32602, "invalid argument 0", node.rpc,
                                "personal_lockAccount", "0xzz")
        assert_raises_rpc_error(-32602, "missing value", node.rpc, "personal_lockAccount")

        # No duration: geth's 300 s (still unlocked a moment later).
        assert_equal(node.rpc("personal_unlockAccount", acct, "pass one"), True)
        time.sleep(1)
        node.rpc("eth_sign", acct, "0x01")
        node.rpc("personal_lockAccount", acct)

    def test_import_raw_key(self, node):
        self.log("personal_importRawKey: the web3.js key; duplicates and bad keys refused")
        before = len(os.listdir(self.keystore))
        assert_raises_rpc_error(-32000, "invalid length, need 256 bits", node.rpc,
                                "personal_importRawKey", "0x1234", "pw")
        assert_raises_rpc_error(-32000, "invalid hex character", node.rpc,
                                "personal_importRawKey", "zz" * 32, "pw")
        assert_raises_rpc_error(-32000, "invalid private key", node.rpc,
                                "personal_importRawKey", "00" * 32, "pw")
        assert_raises_rpc_error(-32000, "invalid private key", node.rpc,
                                "personal_importRawKey", "ff" * 32, "pw")
        assert_raises_rpc_error(-32602, "missing value for required argument 1", node.rpc,
                                "personal_importRawKey", W3_KEY)
        assert_equal(len(os.listdir(self.keystore)), before, "no file for refusals")

        # Without "0x", as geth takes it.
        assert_equal(node.rpc("personal_importRawKey", W3_KEY[2:], "web3 pass"), W3_ADDR)
        assert_in(W3_ADDR, node.rpc("personal_listAccounts"))
        assert_raises_rpc_error(-32000, "account already exists", node.rpc,
                                "personal_importRawKey", W3_KEY, "other")
        files = [f for f in os.listdir(self.keystore) if f.endswith(W3_ADDR[2:])]
        assert_equal(len(files), 1)
        path = os.path.join(self.keystore, files[0])
        assert_equal(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        assert_not_in(W3_KEY[2:], open(path).read(), "the key in clear")
        assert_not_in(W3_KEY[2:], node.debug_log(), "the key in debug.log")

    def test_sign_and_recover(self, node, acct):
        self.log("personal_sign = web3.js's signature; ecRecover; eth_sign")
        sig = node.rpc("personal_sign", SOME_DATA, W3_ADDR, "web3 pass")
        assert_equal(sig, W3_SIG, "personal_sign of \"Some data\" with the web3.js key")
        assert_equal(node.rpc("personal_ecRecover", SOME_DATA, sig), W3_ADDR)
        # personal_sign does not unlock.
        assert_raises_rpc_error(-32000, "authentication needed", node.rpc, "eth_sign",
                                W3_ADDR, SOME_DATA)
        assert_raises_rpc_error(-32000, "could not decrypt key with given password", node.rpc,
                                "personal_sign", SOME_DATA, W3_ADDR, "nope")
        assert_raises_rpc_error(-32000, "unknown account", node.rpc, "personal_sign",
                                SOME_DATA, UNKNOWN, "x")
        assert_raises_rpc_error(-32602, "invalid argument 0: hex string without 0x prefix",
                                node.rpc, "personal_sign", "Some data", W3_ADDR, "web3 pass")
        assert_raises_rpc_error(-32602, "invalid argument 1", node.rpc, "personal_sign",
                                SOME_DATA, "0x12", "web3 pass")
        # Without a passphrase (ethers' signMessage): the unlocked key, as eth_sign.
        assert_raises_rpc_error(-32000, "authentication needed", node.rpc, "personal_sign",
                                SOME_DATA, W3_ADDR)
        two = node.rpc("personal_sign", SOME_DATA, DEV_ACCOUNTS[0])
        assert_equal(two, node.rpc("eth_sign", DEV_ACCOUNTS[0], SOME_DATA))
        assert_equal(node.rpc("personal_ecRecover", SOME_DATA, two), DEV_ACCOUNTS[0])
        assert_raises_rpc_error(-32602, "missing value for required argument 1", node.rpc,
                                "personal_sign", SOME_DATA)

        # eth_sign with an unlocked account (dev 0) and with the fresh account.
        for who in (DEV_ACCOUNTS[0], acct):
            if who == acct:
                node.rpc("personal_unlockAccount", acct, "pass one", 0)
            for data in ("0x", "0xdeadbeef", "0x" + "ab" * 1000):
                s = node.rpc("eth_sign", who, data)
                assert_equal(len(data_bytes(s)), 65)
                assert_in(data_bytes(s)[64], (27, 28), "V")
                assert_equal(node.rpc("personal_ecRecover", data, s), who, "eth_sign signer")
                other = node.rpc("personal_ecRecover", data + "00", s)
                assert_true(other != who, "another message recovers another address")
        node.rpc("personal_lockAccount", acct)
        # The same signature as personal_sign for the same key and message.
        node.rpc("personal_unlockAccount", W3_ADDR, "web3 pass", 0)
        assert_equal(node.rpc("eth_sign", W3_ADDR, SOME_DATA), W3_SIG)
        node.rpc("personal_lockAccount", W3_ADDR)
        assert_raises_rpc_error(-32000, "unknown account", node.rpc, "eth_sign", UNKNOWN, "0x")
        assert_raises_rpc_error(-32602, "missing value for required argument 1", node.rpc,
                                "eth_sign", DEV_ACCOUNTS[0])
        assert_raises_rpc_error(-32602, "invalid argument 1", node.rpc, "eth_sign",
                                DEV_ACCOUNTS[0], "0x123")

        # ecRecover refusals.
        raw = data_bytes(W3_SIG)
        assert_raises_rpc_error(-32000, "signature must be 65 bytes long", node.rpc,
                                "personal_ecRecover", SOME_DATA, hx(raw[:64]))
        assert_raises_rpc_error(-32000, "signature must be 65 bytes long", node.rpc,
                                "personal_ecRecover", SOME_DATA, hx(raw + b"\x00"))
        for v in (0, 1, 29):
            assert_raises_rpc_error(-32000, "invalid Ethereum signature (V is not 27 or 28)",
                                    node.rpc, "personal_ecRecover", SOME_DATA,
                                    hx(raw[:64] + bytes([v])))
        assert_raises_rpc_error(-32602, "invalid argument 1", node.rpc, "personal_ecRecover",
                                SOME_DATA, "xyz")
        assert_raises_rpc_error(-32602, "missing value for required argument 1", node.rpc,
                                "personal_ecRecover", SOME_DATA)

    def test_send_transaction(self, node, acct):
        self.log("personal_sendTransaction: signs with the passphrase, leaves the account locked")
        send(node, DEV_ACCOUNTS[0], acct, 10 ** 18)
        assert_equal(balance(node, acct), 10 ** 18)
        dest = DEV_ACCOUNTS[1]
        before = balance(node, dest)
        assert_raises_rpc_error(-32000, "could not decrypt key with given password", node.rpc,
                                "personal_sendTransaction", {"from": acct, "to": dest,
                                                             "value": q(5)}, "bad")
        assert_equal(tx_count(node, acct, "pending"), 0, "nothing sent")
        h = node.rpc("personal_sendTransaction", {"from": acct, "to": dest, "value": q(5),
                                                  "gasPrice": q(GWEI)}, "pass one")
        r = receipt(node, h)
        assert_equal(r["status"], "0x1")
        assert_equal(r["from"], acct)
        assert_equal(balance(node, dest), before + 5)
        assert_equal(balance(node, acct), 10 ** 18 - 5 - 21000 * GWEI)
        assert_raises_rpc_error(-32000, "authentication needed", node.rpc,
                                "eth_sendTransaction", {"from": acct, "to": dest})
        assert_raises_rpc_error(-32000, "unknown account", node.rpc,
                                "personal_sendTransaction", {"from": UNKNOWN, "to": dest},
                                "x")
        assert_raises_rpc_error(-32602, "from", node.rpc, "personal_sendTransaction",
                                {"to": dest}, "pass one")
        assert_raises_rpc_error(-32602, "missing value for required argument 1", node.rpc,
                                "personal_sendTransaction", {"from": acct, "to": dest})
        # A pool refusal comes back as it is: more value than the balance.
        assert_raises_rpc_error(-32000, "insufficient funds", node.rpc,
                                "personal_sendTransaction",
                                {"from": acct, "to": dest, "value": q(10 ** 19)}, "pass one")

    def test_sign_transaction(self, node, acct):
        self.log("eth_signTransaction: {raw, tx}, EIP-155, no nonce used, accepted raw")
        frm, to = DEV_ACCOUNTS[2], DEV_ACCOUNTS[3]
        nonce = tx_count(node, frm, "pending")
        args = {"from": frm, "to": to, "value": q(12345), "gas": q(30000),
                "gasPrice": q(2 * GWEI), "data": "0xc0ffee"}
        res = node.rpc("eth_signTransaction", args)
        assert_equal(sorted(res), ["raw", "tx"])
        raw = data_bytes(res["raw"])
        items = rlp.decode(raw)
        assert_equal(len(items), 9)
        n, price, gas, dest, value, data, v, r_, s_ = items
        assert_equal(rlp.bytes_to_int(n), nonce)
        assert_equal(rlp.bytes_to_int(price), 2 * GWEI)
        assert_equal(rlp.bytes_to_int(gas), 30000)
        assert_equal(hx(dest), to)
        assert_equal(rlp.bytes_to_int(value), 12345)
        assert_equal(data, bytes.fromhex("c0ffee"))
        assert_in(rlp.bytes_to_int(v), (REGTEST_CHAIN_ID * 2 + 35, REGTEST_CHAIN_ID * 2 + 36),
                  "EIP-155 v")
        t = res["tx"]
        assert_equal(t["hash"], hx(keccak256(raw)))
        assert_equal((u(t["nonce"]), u(t["gas"]), u(t["gasPrice"]), u(t["value"])),
                     (nonce, 30000, 2 * GWEI, 12345))
        assert_equal(t["to"], to)
        assert_equal(t["input"], "0xc0ffee")
        assert_equal((u(t["v"]), u(t["r"]), u(t["s"])),
                     (rlp.bytes_to_int(v), rlp.bytes_to_int(r_), rlp.bytes_to_int(s_)))
        assert_not_in("blockHash", t)
        assert_equal(tx_count(node, frm, "pending"), nonce, "signing uses no nonce")
        h = node.rpc("eth_sendRawTransaction", res["raw"])
        assert_equal(h, t["hash"])
        rc = receipt(node, h)
        assert_equal(rc["from"], frm, "the node recovers the signer")
        assert_equal(rc["status"], "0x1")

        # Defaults (nonce from the pool) and a creation.
        res = node.rpc("eth_signTransaction", {"from": frm, "data": "0x00"})
        assert_equal(u(res["tx"]["nonce"]), nonce + 1)
        assert_equal(res["tx"]["to"], None)
        # No gas given: estimated (geth's setDefaults); a creation of STOP
        # costs its intrinsic gas, 53000 + 4 for the zero byte.
        assert_equal(u(res["tx"]["gas"]), 53004)
        assert_equal(u(res["tx"]["gas"]), u(node.rpc("eth_estimateGas", {"from": frm, "data": "0x00"})))
        # A given nonce is kept.
        res = node.rpc("eth_signTransaction", {"from": frm, "to": to, "nonce": q(77)})
        assert_equal(u(res["tx"]["nonce"]), 77)

        # Refusals.
        assert_raises_rpc_error(-32000, "authentication needed", node.rpc,
                                "eth_signTransaction", {"from": acct, "to": to})
        assert_raises_rpc_error(-32000, "unknown account", node.rpc, "eth_signTransaction",
                                {"from": UNKNOWN, "to": to})
        assert_raises_rpc_error(-32602, "from", node.rpc, "eth_signTransaction", {"to": to})
        assert_raises_rpc_error(-32602, "gas", node.rpc, "eth_signTransaction",
                                {"from": frm, "to": to, "gas": 5})
        assert_raises_rpc_error(-32602, "invalid argument 0", node.rpc, "eth_signTransaction",
                                "not an object")
        assert_raises_rpc_error(-32602, "missing value", node.rpc, "eth_signTransaction")

    def test_restart(self, node, acct):
        self.log("restart: accounts kept; a KeyStoreTests V3 file copied in is listed and unlocks")
        fixture = os.path.join(self.shared_dir(), "ethereum-tests", "KeyStoreTests",
                               "basic_tests.json")
        with open(fixture) as f:
            case = json.load(f)["mycrypto"]
        geth_addr = "0x" + case["json"]["address"]
        accounts_before = node.rpc("personal_listAccounts")
        assert_not_in(geth_addr, accounts_before)
        node.stop()
        dst = os.path.join(self.keystore,
                           "UTC--2018-01-01T00-00-00.000000000Z--" + geth_addr[2:])
        with open(dst, "w") as f:
            json.dump(case["json"], f)
        os.chmod(dst, 0o600)
        node.start()
        accounts = node.rpc("personal_listAccounts")
        for a in accounts_before:
            assert_in(a, accounts)
        assert_in(geth_addr, accounts)
        assert_raises_rpc_error(-32000, "authentication needed", node.rpc, "eth_sign", acct,
                                "0x01")
        assert_equal(node.rpc("personal_unlockAccount", acct, "pass one", 0), True)
        node.rpc("eth_sign", acct, "0x01")
        assert_raises_rpc_error(-32000, "could not decrypt key with given password", node.rpc,
                                "personal_unlockAccount", geth_addr, "wrong", 0)
        assert_equal(node.rpc("personal_unlockAccount", geth_addr, case["password"], 0), True)
        s = node.rpc("eth_sign", geth_addr, "0x1234")
        assert_equal(node.rpc("personal_ecRecover", "0x1234", s), geth_addr)
        # The dev accounts are unlocked again after the restart.
        node.rpc("eth_sign", DEV_ACCOUNTS[0], "0x01")


if __name__ == "__main__":
    PersonalTest().main()
