/* test_tx.c — unit tests for legacy transactions (and address text forms):
 * encoding round trips, signing hashes, signatures under each fork's rules,
 * intrinsic gas, and hostile transaction bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "primitives/tx.h"
#include "util/err.h"
#include "util/hex.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    ck_assert_int_eq(hex_decode(s, strlen(s), out, cap, &n), 0);
    return n;
}

static void assert_hex(const uint8_t *p, size_t n, const char *want)
{
    char got[2 * 1024 + 1];
    ck_assert_uint_le(n, 1024);
    hex_encode(got, p, n);
    ck_assert_str_eq(got, want);
}

static const struct tx_rules FRONTIER = {false, false, 0};
static const struct tx_rules HOMESTEAD = {true, false, 0};
static const struct tx_rules EIP155_MAINNET = {true, true, 1};

/* The worked example of EIP-155 (eips.ethereum.org/EIPS/eip-155):
 * nonce 9, gasPrice 20 gwei, gas 21000, to 0x3535...35, value 1 ether,
 * chain id 1, key 0x4646...46. */
static const char EIP155_SIGNING_DATA[] =
    "ec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080";
static const char EIP155_SIGNING_HASH[] =
    "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53";
static const char EIP155_SIGNED[] =
    "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025"
    "a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276"
    "a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";

static void eip155_key(uint8_t sk[32])
{
    memset(sk, 0x46, 32);
}

static void eip155_unsigned(struct tx *t)
{
    memset(t, 0, sizeof *t);
    t->nonce = 9;
    t->gas_price = u256_from_u64(20000000000ull);
    t->gas = 21000;
    t->has_to = true;
    memset(t->to.b, 0x35, 20);
    t->value = u256_from_u64(1000000000000000000ull);
}

START_TEST(eip155_vector_signs_and_recovers)
{
    struct tx t;
    eip155_unsigned(&t);
    uint8_t h[32], sk[32];
    ck_assert_int_eq(tx_signing_hash(&t, true, 1, h), 0);
    assert_hex(h, 32, EIP155_SIGNING_HASH);

    /* The signing data itself, hashed independently, gives the same hash. */
    uint8_t raw[128], h2[32];
    size_t n = unhex(EIP155_SIGNING_DATA, raw, sizeof raw);
    keccak256(raw, n, h2);
    ck_assert_mem_eq(h, h2, 32);

    eip155_key(sk);
    ck_assert_int_eq(tx_sign(&t, sk, 1), 0);
    ck_assert_uint_eq(t.v.w[0], 37);
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(tx_encode(&t, &b), 0);
    assert_hex(b.data, b.len, EIP155_SIGNED);

    /* Sender is the key's address, under EIP-155 rules only. */
    uint8_t pub[64];
    struct address want, got;
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ecdsa_pub_to_address(pub, want.b);
    ck_assert_int_eq(tx_sender(&t, &EIP155_MAINNET, &got), 0);
    ck_assert(address_eq(&got, &want));
    ck_assert_int_eq(tx_sender(&t, &HOMESTEAD, &got), ERR_INVAL);
    ck_assert_int_eq(tx_sender(&t, &FRONTIER, &got), ERR_INVAL);

    bool prot;
    u256 cid;
    ck_assert_int_eq(tx_chain_id(&t, &prot, &cid), 0);
    ck_assert(prot);
    ck_assert(u256_fits_u64(&cid) && cid.w[0] == 1);
    bytes_free(&b);
}
END_TEST

START_TEST(decode_encode_round_trip)
{
    uint8_t in[256];
    size_t n = unhex(EIP155_SIGNED, in, sizeof in);
    struct tx t;
    ck_assert_int_eq(tx_decode(in, n, &t), 0);
    ck_assert_uint_eq(t.nonce, 9);
    ck_assert_uint_eq(t.gas, 21000);
    ck_assert(t.has_to);
    ck_assert_uint_eq(t.gas_price.w[0], 20000000000ull);
    ck_assert_uint_eq(t.value.w[0], 1000000000000000000ull);
    ck_assert_uint_eq(t.data_len, 0);
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(tx_encode(&t, &b), 0);
    ck_assert_uint_eq(b.len, n);
    ck_assert_mem_eq(b.data, in, n);
    /* The hash is keccak of exactly those bytes. */
    uint8_t h[32], h2[32];
    ck_assert_int_eq(tx_hash(&t, h), 0);
    keccak256(in, n, h2);
    ck_assert_mem_eq(h, h2, 32);
    tx_free(&t);

    /* A creation with data (including zero bytes and a byte >= 0x80) and a
     * short r survives encode -> decode -> encode unchanged. */
    struct tx c;
    memset(&c, 0, sizeof c);
    c.nonce = 0;
    c.gas = 100000;
    c.value = u256_from_u64(0);
    static const uint8_t code[] = {0x60, 0x00, 0x80, 0xff, 0x00};
    c.data = malloc(sizeof code);
    memcpy(c.data, code, sizeof code);
    c.data_len = sizeof code;
    c.v = u256_from_u64(28);
    c.r[31] = 5;           /* r = 5: encodes as the single byte 0x05 */
    c.s[0] = 0x7f;
    bytes_reset(&b);
    ck_assert_int_eq(tx_encode(&c, &b), 0);
    struct tx d;
    ck_assert_int_eq(tx_decode(b.data, b.len, &d), 0);
    ck_assert(!d.has_to);
    ck_assert_uint_eq(d.data_len, sizeof code);
    ck_assert_mem_eq(d.data, code, sizeof code);
    ck_assert_mem_eq(d.r, c.r, 32);
    ck_assert_mem_eq(d.s, c.s, 32);
    struct bytes b2 = BYTES_INIT;
    ck_assert_int_eq(tx_encode(&d, &b2), 0);
    ck_assert_uint_eq(b2.len, b.len);
    ck_assert_mem_eq(b2.data, b.data, b.len);
    tx_free(&c);
    tx_free(&d);
    bytes_free(&b);
    bytes_free(&b2);
}
END_TEST

START_TEST(signing_hash_forms_differ)
{
    struct tx t;
    eip155_unsigned(&t);
    uint8_t hh[32], he[32], he2[32];
    ck_assert_int_eq(tx_signing_hash(&t, false, 0, hh), 0);
    ck_assert_int_eq(tx_signing_hash(&t, true, 1, he), 0);
    ck_assert_int_eq(tx_signing_hash(&t, true, 2, he2), 0);
    ck_assert(memcmp(hh, he, 32) != 0);
    ck_assert(memcmp(he, he2, 32) != 0);
    /* Homestead form: keccak of the 6-item list, which is the EIP-155
     * signing data without its trailing 018080 and with a shorter header. */
    uint8_t raw[128], six[64], want[32];
    unhex(EIP155_SIGNING_DATA, raw, sizeof raw);
    six[0] = 0xe9;                 /* list of 41 payload bytes */
    memcpy(six + 1, raw + 1, 41);  /* the six items, without chainId,0,0 */
    keccak256(six, 42, want);
    ck_assert_mem_eq(hh, want, 32);
}
END_TEST

START_TEST(sign_then_recover_each_form)
{
    uint8_t sk[32];
    for (int i = 0; i < 32; i++)
        sk[i] = (uint8_t)(i + 1);
    uint8_t pub[64];
    struct address want, got;
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ecdsa_pub_to_address(pub, want.b);

    struct tx t;
    eip155_unsigned(&t);
    /* unprotected: v 27/28, valid under every rule set */
    ck_assert_int_eq(tx_sign(&t, sk, 0), 0);
    ck_assert(t.v.w[0] == 27 || t.v.w[0] == 28);
    ck_assert_int_eq(tx_sender(&t, &FRONTIER, &got), 0);
    ck_assert(address_eq(&got, &want));
    ck_assert_int_eq(tx_sender(&t, &HOMESTEAD, &got), 0);
    ck_assert(address_eq(&got, &want));
    ck_assert_int_eq(tx_sender(&t, &EIP155_MAINNET, &got), 0);
    ck_assert(address_eq(&got, &want));

    /* Spectrum-like chain id */
    ck_assert_int_eq(tx_sign(&t, sk, 20180430), 0);
    struct tx_rules spectrum = {true, true, 20180430};
    ck_assert_int_eq(tx_sender(&t, &spectrum, &got), 0);
    ck_assert(address_eq(&got, &want));

    /* The largest chain id: v = 2^65 + 33 or + 34 does not fit 64 bits. */
    ck_assert_int_eq(tx_sign(&t, sk, UINT64_MAX), 0);
    ck_assert_uint_eq(t.v.w[1], 2);
    bool prot;
    u256 cid;
    ck_assert_int_eq(tx_chain_id(&t, &prot, &cid), 0);
    ck_assert(prot);
    ck_assert(u256_fits_u64(&cid) && cid.w[0] == UINT64_MAX);
    struct tx_rules big = {true, true, UINT64_MAX};
    ck_assert_int_eq(tx_sender(&t, &big, &got), 0);
    ck_assert(address_eq(&got, &want));
    /* ...and it survives encoding */
    struct bytes b = BYTES_INIT;
    struct tx d;
    ck_assert_int_eq(tx_encode(&t, &b), 0);
    ck_assert_int_eq(tx_decode(b.data, b.len, &d), 0);
    ck_assert_int_eq(tx_sender(&d, &big, &got), 0);
    ck_assert(address_eq(&got, &want));
    bytes_free(&b);
}
END_TEST

START_TEST(chain_id_rules)
{
    uint8_t sk[32];
    eip155_key(sk);
    struct tx t;
    eip155_unsigned(&t);
    ck_assert_int_eq(tx_sign(&t, sk, 1), 0);
    struct address got;
    struct tx_rules other = {true, true, 7};
    ck_assert_int_eq(tx_sender(&t, &other, &got), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "chain id 1, expected 7"));
    ck_assert_int_eq(tx_sender(&t, &HOMESTEAD, &got), ERR_INVAL);

    /* v values that are neither 27/28 nor >= 35 */
    static const uint64_t bad_v[] = {0, 1, 26, 29, 30, 34};
    for (size_t i = 0; i < sizeof bad_v / sizeof *bad_v; i++) {
        t.v = u256_from_u64(bad_v[i]);
        bool prot;
        ck_assert_int_eq(tx_chain_id(&t, &prot, NULL), ERR_CRYPTO);
        ck_assert_int_eq(tx_sender(&t, &EIP155_MAINNET, &got), ERR_CRYPTO);
    }
    /* v = 35/36 is chain id 0 */
    t.v = u256_from_u64(36);
    bool prot;
    u256 cid;
    ck_assert_int_eq(tx_chain_id(&t, &prot, &cid), 0);
    ck_assert(prot && u256_is_zero(&cid));
}
END_TEST

/* secp256k1 group order n. */
static const char ORDER_HEX[] = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

/* s' = n - s (both 32-byte big-endian). */
static void negate_s(uint8_t s[32])
{
    uint8_t n[32];
    unhex(ORDER_HEX, n, 32);
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = n[i] - s[i] - borrow;
        borrow = d < 0;
        s[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
}

START_TEST(high_s_rejected_from_homestead)
{
    uint8_t sk[32], pub[64];
    eip155_key(sk);
    struct address want, got;
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ecdsa_pub_to_address(pub, want.b);
    struct tx t;
    eip155_unsigned(&t);
    ck_assert_int_eq(tx_sign(&t, sk, 0), 0);
    /* (r, n-s) with the other recovery id is the same signature, high-s form */
    negate_s(t.s);
    t.v.w[0] ^= 27 ^ 28;
    ck_assert_int_eq(tx_sender(&t, &FRONTIER, &got), 0);
    ck_assert(address_eq(&got, &want));
    ck_assert_int_eq(tx_sender(&t, &HOMESTEAD, &got), ERR_CRYPTO);
    ck_assert_int_eq(tx_sender(&t, &EIP155_MAINNET, &got), ERR_CRYPTO);
    /* r = 0 and s = n are invalid under every rule set */
    memset(t.r, 0, 32);
    ck_assert_int_eq(tx_sender(&t, &FRONTIER, &got), ERR_CRYPTO);
    t.r[31] = 1;
    unhex(ORDER_HEX, t.s, 32);
    ck_assert_int_eq(tx_sender(&t, &FRONTIER, &got), ERR_CRYPTO);
}
END_TEST

/* Hostile transaction bytes, each with the code tx_decode must return. */
/* Hostile transaction bytes (variants of the EIP-155 vector), each with the
 * code tx_decode must return and a word its reason must contain. */
static const struct {
    const char *hex;
    int want;
    const char *what;
    const char *why;
} hostile[] = {
    {"",
     ERR_DECODE, "empty", "empty"},
    {"f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a0"
     "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb70330"
     "4b3800ccf555c9f3dc64214b297fb1966a3b6d",
     ERR_DECODE, "truncated", "exceeds"},
    {"f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a0"
     "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb70330"
     "4b3800ccf555c9f3dc64214b297fb1966a3b6d8300",
     ERR_DECODE, "trailing byte", "trailing"},
    {"f86d098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a0"
     "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb70330"
     "4b3800ccf555c9f3dc64214b297fb1966a3b6d8380",
     ERR_DECODE, "10 items", "list of 9 items"},
    {"f84b098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a0"
     "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276",
     ERR_DECODE, "8 items", "list of 9 items"},
    {"f86e8200098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080"
     "25a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb7"
     "03304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
     ERR_DECODE, "leading zero in nonce", "tx nonce"},
    {"f86d81098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025"
     "a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703"
     "304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
     ERR_DECODE, "nonce 9 wrapped as 0x8109", "single byte"},
    {"f86d098504a817c80082520895353535353535353535353535353535353535353535880de0b6b3a76400008025"
     "a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703"
     "304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
     ERR_DECODE, "21-byte to", "tx to"},
    {"f86b098504a817c8008252089335353535353535353535353535353535353535880de0b6b3a76400008025a028"
     "ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b"
     "3800ccf555c9f3dc64214b297fb1966a3b6d83",
     ERR_DECODE, "19-byte to", "tx to"},
    {"f875890100000000000000008504a817c800825208943535353535353535353535353535353535353535880de0"
     "b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9"
     "d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
     ERR_RANGE, "nonce 2^64", "tx nonce"},
    {"f86d098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a1"
     "ff28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703"
     "304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
     ERR_RANGE, "33-byte r", "tx r"},
    {"f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000c025"
     "a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703"
     "304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
     ERR_DECODE, "data as a list", "tx data"},
    {"f86e098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000808200"
     "25a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb7"
     "03304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
     ERR_DECODE, "v with a leading zero", "tx v"},
    {"01c0",
     ERR_UNSUPPORTED, "type 1 envelope", "typed"},
    {"02f8",
     ERR_UNSUPPORTED, "type 2 envelope", "typed"},
    {"83646f67",
     ERR_DECODE, "a string, not a list", "expected an RLP list"},
};

START_TEST(rejects_hostile_tx_bytes)
{
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        uint8_t in[512];
        size_t n = unhex(hostile[i].hex, in, sizeof in);
        struct tx t;
        int rc = tx_decode(in, n, &t);
        ck_assert_msg(rc == hostile[i].want, "%s: got %d (%s), want %d", hostile[i].what, rc,
                      err_msg(), hostile[i].want);
        ck_assert_msg(strstr(err_msg(), hostile[i].why) != NULL, "%s: reason '%s'",
                      hostile[i].what, err_msg());
        ck_assert_ptr_null(t.data);
        tx_free(&t);
    }
    /* the unmodified vector decodes (so each case above fails for its own reason) */
    uint8_t in[256];
    size_t n = unhex(EIP155_SIGNED, in, sizeof in);
    struct tx t;
    ck_assert_int_eq(tx_decode(in, n, &t), 0);
    tx_free(&t);
    /* the typed reason is the documented one */
    in[0] = 0x02;
    ck_assert_int_eq(tx_decode(in, n, &t), ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err_msg(), "typed transactions not supported before Berlin"));
}
END_TEST

START_TEST(intrinsic_gas_and_validation)
{
    struct tx t;
    eip155_unsigned(&t);
    ck_assert_uint_eq(tx_intrinsic_gas(&t, false), 21000);
    ck_assert_uint_eq(tx_intrinsic_gas(&t, true), 21000);
    static const uint8_t data[] = {0, 0, 1, 0xff, 0};
    t.data = (uint8_t *)data;
    t.data_len = sizeof data;
    ck_assert_uint_eq(tx_intrinsic_gas(&t, true), 21000 + 3 * 4 + 2 * 68);
    t.has_to = false;
    ck_assert_uint_eq(tx_intrinsic_gas(&t, false), 21000 + 3 * 4 + 2 * 68);
    ck_assert_uint_eq(tx_intrinsic_gas(&t, true), 53000 + 3 * 4 + 2 * 68);
    t.data = NULL;
    t.data_len = 0;

    /* a creation with gas 21000 is fine in Frontier, short in Homestead */
    uint8_t sk[32];
    eip155_key(sk);
    t.gas = 21000;
    ck_assert_int_eq(tx_sign(&t, sk, 0), 0);
    struct address a;
    ck_assert_int_eq(tx_validate(&t, &FRONTIER, &a), 0);
    ck_assert_int_eq(tx_validate(&t, &HOMESTEAD, &a), ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "intrinsic gas 53000"));

    /* EIP-2681: nonce 2^64-1 decodes but is never valid; 2^64-2 is */
    t.has_to = true;
    t.nonce = UINT64_MAX;
    ck_assert_int_eq(tx_sign(&t, sk, 0), 0);
    ck_assert_int_eq(tx_validate(&t, &FRONTIER, &a), ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "EIP-2681"));
    t.nonce = UINT64_MAX - 1;
    ck_assert_int_eq(tx_sign(&t, sk, 0), 0);
    ck_assert_int_eq(tx_validate(&t, &FRONTIER, &a), 0);

    /* gas * gasPrice must stay below 2^256: price 2^192 * gas 2^64-1 fits,
     * price 2^192+... * gas 2^64-1 overflows (the fixture's case) */
    t.has_to = true;
    t.gas = UINT64_MAX;
    t.gas_price.w[0] = 0;
    t.gas_price.w[1] = 0;
    t.gas_price.w[2] = 0;
    t.gas_price.w[3] = 1;
    ck_assert_int_eq(tx_sign(&t, sk, 0), 0);
    ck_assert_int_eq(tx_validate(&t, &HOMESTEAD, &a), 0);
    t.gas_price.w[3] = 2;   /* 2^193 * (2^64-1) >= 2^256 */
    ck_assert_int_eq(tx_sign(&t, sk, 0), 0);
    ck_assert_int_eq(tx_validate(&t, &HOMESTEAD, &a), ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "256 bits"));
    t.gas_price.w[3] = 1;
    t.gas_price.w[0] = 1;   /* (2^192 + 1) * (2^64 - 1) < 2^256 still */
    ck_assert_int_eq(tx_sign(&t, sk, 0), 0);
    ck_assert_int_eq(tx_validate(&t, &HOMESTEAD, &a), 0);
    t.gas_price.w[2] = 1;   /* + 2^128 * (2^64-1) tips it over */
    t.gas_price.w[1] = UINT64_MAX;
    ck_assert_int_eq(tx_sign(&t, sk, 0), 0);
    ck_assert_int_eq(tx_validate(&t, &HOMESTEAD, &a), ERR_RANGE);

}
END_TEST

START_TEST(address_text_forms)
{
    /* EIP-55's own examples */
    static const char *const good[] = {
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    };
    for (size_t i = 0; i < 4; i++) {
        struct address a;
        ck_assert_int_eq(address_from_hex(&a, good[i], strlen(good[i])), 0);
        char out[ADDRESS_HEX_SIZE];
        address_to_checksum_hex(&a, out);
        ck_assert_str_eq(out, good[i]);
        ck_assert(address_checksum_ok(good[i], strlen(good[i])));
        address_to_hex(&a, out);
        ck_assert(address_checksum_ok(out, strlen(out)));  /* all lower case */
    }
    /* one letter's case flipped breaks the checksum */
    char bad[] = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    bad[3] = 'A';
    ck_assert(!address_checksum_ok(bad, strlen(bad)));
    struct address a;
    ck_assert_int_eq(address_from_hex(&a, "0x1234", 6), ERR_DECODE);
    ck_assert(!address_checksum_ok("0x1234", 6));
    memset(&a, 0, sizeof a);
    ck_assert(address_is_zero(&a));
    a.b[19] = 1;
    ck_assert(!address_is_zero(&a));
    struct hash32 h;
    char hs[HASH32_HEX_SIZE];
    ck_assert_int_eq(hash32_from_hex(&h, EIP155_SIGNING_HASH, 64), 0);
    hash32_to_hex(&h, hs);
    ck_assert_str_eq(hs + 2, EIP155_SIGNING_HASH);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tx");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, eip155_vector_signs_and_recovers);
    tcase_add_test(tc, decode_encode_round_trip);
    tcase_add_test(tc, signing_hash_forms_differ);
    tcase_add_test(tc, sign_then_recover_each_form);
    tcase_add_test(tc, chain_id_rules);
    tcase_add_test(tc, high_s_rejected_from_homestead);
    tcase_add_test(tc, rejects_hostile_tx_bytes);
    tcase_add_test(tc, intrinsic_gas_and_validation);
    tcase_add_test(tc, address_text_forms);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
