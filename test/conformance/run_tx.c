/*
 * run_tx.c — conformance runner over ethereum-tests TransactionTests (and
 * BasicTests/txtest.json).
 *
 * TransactionTests: each test has "txbytes" and, per fork, either
 * {"exception": ...} (the bytes must not make a valid transaction under that
 * fork) or {"hash", "sender", "intrinsicGas"} (they must, with exactly those
 * values). Spectrum's forks stop before Istanbul, so only these are run:
 *   Frontier           no low-s rule, v must be 27/28, creation costs 21000
 *   Homestead, EIP150  low-s, creation costs 53000
 *   EIP158, Byzantium, Constantinople, ConstantinopleFix
 *                      as Homestead, plus EIP-155 with chain id 1
 * Entries for later forks are counted as skipped. Validity is tx_decode then
 * tx_validate (signature, chain id, intrinsic gas, gas * price < 2^256).
 *
 * txtest.json (an array): builds the transaction from its fields, compares
 * the v=r=s=0 encoding with "unsigned", signs with "key" (unprotected) and
 * compares with "signed". Those vectors predate EIP-2, so where "signed"
 * holds a high s the runner accepts our low-s twin (r, n - s, other v) and
 * checks that the fixture's own signature recovers the key's address under
 * Frontier rules.
 *
 * Usage: run_tx [-v] [FILE_OR_DIR...]   (default: TransactionTests/ and txtest.json)
 * -v prints, for every expected rejection, the fixture's reason and ours.
 */
#include "fixtures.h"
#include "crypto/ecdsa.h"
#include "primitives/tx.h"
#include "util/err.h"
#include "util/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    struct tx_rules rules;
} forks[] = {
    {"Frontier", {false, false, 0}},
    {"Homestead", {true, false, 0}},
    {"EIP150", {true, false, 0}},
    {"EIP158", {true, true, 1}},
    {"Byzantium", {true, true, 1}},
    {"Constantinople", {true, true, 1}},
    {"ConstantinopleFix", {true, true, 1}},
};
#define NFORKS (sizeof forks / sizeof *forks)

/* -v: print our reason next to the fixture's for every expected rejection. */
static bool verbose;

static const struct tx_rules *rules_for(const char *fork)
{
    for (size_t i = 0; i < NFORKS; i++)
        if (strcmp(forks[i].name, fork) == 0)
            return &forks[i].rules;
    return NULL;
}

/* Parses "0x..." (at most 64 bits) into *v. Returns 0 or -1. */
static int hex_u64(const char *s, uint64_t *v)
{
    if (!s || strncmp(s, "0x", 2) != 0 || !s[2] || strlen(s + 2) > 16)
        return -1;
    uint64_t x = 0;
    for (const char *p = s + 2; *p; p++) {
        int d = hex_digit(*p);
        if (d < 0)
            return -1;
        x = (x << 4) | (uint64_t)d;
    }
    *v = x;
    return 0;
}

static bool hex_eq(const char *want, const uint8_t *got, size_t n)
{
    uint8_t buf[32];
    return want && n <= sizeof buf && hex_decode_exact(want, strlen(want), buf, n) == 0 &&
           memcmp(buf, got, n) == 0;
}

static void check_fork(struct tally *t, const char *where, const uint8_t *raw, size_t rawlen,
                       const struct tx_rules *rules, const json_t *res)
{
    const char *exc = json_string_value(json_object_get(res, "exception"));
    struct tx tx;
    struct address sender;
    int drc = tx_decode(raw, rawlen, &tx);
    int vrc = drc ? drc : tx_validate(&tx, rules, &sender);
    if (exc) {
        if (vrc == 0) {
            tally_fail(t, where, "accepted, but expected %s", exc);
        } else {
            if (verbose)
                printf("ok %s: %s -> %s\n", where, exc, err_msg());
            tally_pass(t);
        }
        tx_free(&tx);
        return;
    }
    if (vrc) {
        tally_fail(t, where, "rejected a valid tx: %s", err_msg());
        tx_free(&tx);
        return;
    }
    uint8_t h[32];
    const char *want_hash = json_string_value(json_object_get(res, "hash"));
    const char *want_sender = json_string_value(json_object_get(res, "sender"));
    const char *want_gas = json_string_value(json_object_get(res, "intrinsicGas"));
    uint64_t gas;
    if (tx_hash(&tx, h) || !hex_eq(want_hash, h, 32)) {
        char got[65];
        hex_encode(got, h, 32);
        tally_fail(t, where, "hash %s, want %s", got, want_hash ? want_hash : "?");
    } else if (!hex_eq(want_sender, sender.b, 20)) {
        char got[ADDRESS_HEX_SIZE];
        address_to_hex(&sender, got);
        tally_fail(t, where, "sender %s, want %s", got, want_sender ? want_sender : "?");
    } else if (want_gas && (hex_u64(want_gas, &gas) ||
                            gas != tx_intrinsic_gas(&tx, rules->homestead))) {
        tally_fail(t, where, "intrinsic gas %llu, want %s",
                   (unsigned long long)tx_intrinsic_gas(&tx, rules->homestead), want_gas);
    } else {
        tally_pass(t);
    }
    tx_free(&tx);
}

static void run_tt_file(struct tally *t, const char *path, json_t *j)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *name;
    json_t *tc;
    json_object_foreach(j, name, tc) {
        char where[1024];
        const char *hex = json_string_value(json_object_get(tc, "txbytes"));
        const json_t *result = json_object_get(tc, "result");
        uint8_t *raw = NULL;
        size_t rawlen = 0;
        snprintf(where, sizeof where, "%s:%s", base, name);
        if (!hex || !json_is_object(result) || fixtures_hex(hex, &raw, &rawlen)) {
            tally_fail(t, where, "malformed test case");
            continue;
        }
        const char *fork;
        json_t *res;
        json_object_foreach((json_t *)result, fork, res) {
            const struct tx_rules *rules = rules_for(fork);
            if (!rules) {
                t->skipped++;
                continue;
            }
            snprintf(where, sizeof where, "%s:%s:%s", base, name, fork);
            check_fork(t, where, raw, rawlen, rules, res);
        }
        free(raw);
    }
}

/* ---- BasicTests/txtest.json ---------------------------------------------- */

static const char ORDER_HEX[] = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

/* out = n - s */
static void negate_s(const uint8_t s[32], uint8_t out[32])
{
    uint8_t n[32];
    hex_decode_exact(ORDER_HEX, 64, n, 32);
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = n[i] - s[i] - borrow;
        borrow = d < 0;
        out[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
}

static int json_u256(const json_t *v, u256 *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    *out = u256_from_u64((uint64_t)json_integer_value(v));
    return 0;
}

static void txtest_case(struct tally *t, const char *where, const json_t *c)
{
    struct tx tx;
    memset(&tx, 0, sizeof tx);
    uint8_t sk[32];
    const char *key = json_string_value(json_object_get(c, "key"));
    const char *to = json_string_value(json_object_get(c, "to"));
    const char *data = json_string_value(json_object_get(c, "data"));
    const char *want_unsigned = json_string_value(json_object_get(c, "unsigned"));
    const char *want_signed = json_string_value(json_object_get(c, "signed"));
    json_t *nonce = json_object_get(c, "nonce"), *gas = json_object_get(c, "startgas");
    if (!key || !to || !data || !want_unsigned || !want_signed || !json_is_integer(nonce) ||
        !json_is_integer(gas) || hex_decode_exact(key, strlen(key), sk, 32) ||
        json_u256(json_object_get(c, "gasprice"), &tx.gas_price) ||
        json_u256(json_object_get(c, "value"), &tx.value) ||
        (*to && address_from_hex(&tx.to, to, strlen(to))) ||
        hex_decode_alloc(data, strlen(data), 1u << 20, &tx.data, &tx.data_len)) {
        tally_fail(t, where, "malformed test case");
        tx_free(&tx);
        return;
    }
    tx.nonce = (uint64_t)json_integer_value(nonce);
    tx.gas = (uint64_t)json_integer_value(gas);
    tx.has_to = *to != 0;

    uint8_t *exp_u = NULL, *exp_s = NULL;
    size_t exp_ulen = 0, exp_slen = 0;
    struct bytes b = BYTES_INIT;
    struct tx theirs;
    memset(&theirs, 0, sizeof theirs);
    struct address want_addr, got_addr;
    uint8_t pub[64];
    if (fixtures_hex(want_unsigned, &exp_u, &exp_ulen) || fixtures_hex(want_signed, &exp_s, &exp_slen)) {
        tally_fail(t, where, "malformed hex");
        goto out;
    }
    tx_encode(&tx, &b);
    if (bytes_ok(&b) || b.len != exp_ulen || memcmp(b.data, exp_u, exp_ulen) != 0) {
        tally_fail(t, where, "unsigned encoding differs");
        goto out;
    }
    if (tx_sign(&tx, sk, 0) || ecdsa_pubkey(sk, pub)) {
        tally_fail(t, where, "signing failed: %s", err_msg());
        goto out;
    }
    ecdsa_pub_to_address(pub, want_addr.b);
    bytes_reset(&b);
    tx_encode(&tx, &b);
    if (b.len == exp_slen && memcmp(b.data, exp_s, exp_slen) == 0) {
        tally_pass(t);
        goto out;
    }
    /* Not byte-equal: acceptable only as the low-s twin of a high-s vector. */
    if (tx_decode(exp_s, exp_slen, &theirs)) {
        tally_fail(t, where, "\"signed\" does not decode: %s", err_msg());
        goto out;
    }
    uint8_t twin[32];
    negate_s(theirs.s, twin);
    static const struct tx_rules frontier = {false, false, 0};
    if (memcmp(theirs.r, tx.r, 32) != 0 || memcmp(twin, tx.s, 32) != 0 ||
        theirs.v.w[0] + tx.v.w[0] != 27 + 28) {
        tally_fail(t, where, "signature differs from \"signed\" (not its low-s twin either)");
    } else if (tx_sender(&theirs, &frontier, &got_addr) || !address_eq(&got_addr, &want_addr)) {
        tally_fail(t, where, "\"signed\" does not recover the key's address");
    } else {
        tally_pass(t);
    }
out:
    free(exp_u);
    free(exp_s);
    bytes_free(&b);
    tx_free(&theirs);
    tx_free(&tx);
}

static void run_txtest_file(struct tally *t, const char *path, json_t *j)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t i;
    json_t *c;
    json_array_foreach(j, i, c) {
        char where[1024];
        snprintf(where, sizeof where, "%s:%zu", base, i);
        txtest_case(t, where, c);
    }
}

static void run_file(const char *path, void *arg)
{
    struct tally *t = arg;
    json_t *j = fixtures_load(path);
    if (!j) {
        tally_fail(t, path, "cannot load");
        return;
    }
    if (json_is_array(j))
        run_txtest_file(t, path, j);
    else
        run_tt_file(t, path, j);
    json_decref(j);
}

int main(int argc, char **argv)
{
    struct tally t = {0, 0, 0};
    if (argc > 1 && strcmp(argv[1], "-v") == 0) {
        verbose = true;
        argc--;
        argv++;
    }
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            if (fixtures_walk(argv[i], run_file, &t) == 0)
                tally_fail(&t, argv[i], "no fixture files found");
    } else {
        static const char *const subs[] = {
            "ethereum-tests/TransactionTests",
            "ethereum-tests/BasicTests/txtest.json",
        };
        for (size_t i = 0; i < 2; i++) {
            char *p = fixtures_path(subs[i]);
            if (fixtures_walk(p, run_file, &t) == 0)
                tally_fail(&t, p, "no fixture files found");
            free(p);
        }
    }
    return tally_finish(&t);
}
