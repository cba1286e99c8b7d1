/* test_crypto_ecdsa.c — secp256k1 as Ethereum uses it: sign → recover round
 * trips, the range checks on v, r, s, the homestead low-s rule, and secret
 * key validity at the edges of [1, n-1]. */
#include <check.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "util/err.h"
#include "util/hex.h"

TCase *tcase_ecdsa(void);

/* The group order n, big-endian (SEC 2 §2.4.1). */
static const char *ORDER_HEX = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

static void unhex(const char *s, uint8_t *out, size_t len)
{
    ck_assert_int_eq(hex_decode_exact(s, strlen(s), out, len), 0);
}

/* out = n - s (big-endian, s < n). */
static void order_minus(const uint8_t s[32], uint8_t out[32])
{
    uint8_t n[32];
    unhex(ORDER_HEX, n, 32);
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = n[i] - s[i] - borrow;
        borrow = d < 0;
        out[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
}

/* A valid key derived from a small seed. */
static void test_key(int seed, uint8_t sk[32])
{
    keccak256(&seed, sizeof seed, sk);
    ck_assert(ecdsa_seckey_valid(sk));
}

START_TEST(known_address)
{
    /* sk = 1: the address of the generator point, widely published. */
    uint8_t sk[32] = {0}, pub[64], addr[20];
    char hex[41];
    sk[31] = 1;
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ecdsa_pub_to_address(pub, addr);
    hex_encode(hex, addr, 20);
    ck_assert_str_eq(hex, "7e5f4552091a69125d5dfcb7b8c2659029395bdf");
}
END_TEST

START_TEST(sign_recover_round_trip)
{
    for (int i = 0; i < 20; i++) {
        uint8_t sk[32], pub[64], hash[32], sig[65], rec[64], addr[20], raddr[20];
        test_key(i, sk);
        keccak256(sk, 16, hash);
        ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
        ck_assert_int_eq(ecdsa_sign(hash, sk, sig), 0);
        ck_assert_uint_le(sig[64], 1);
        /* low s, as homestead requires of new signatures */
        ck_assert(ecdsa_sig_values_valid(sig, sig + 32, true));
        ck_assert_int_eq(ecdsa_recover(hash, sig, rec), 0);
        ck_assert_mem_eq(rec, pub, 64);
        ecdsa_pub_to_address(pub, addr);
        ck_assert_int_eq(ecdsa_recover_address(hash, sig, raddr), 0);
        ck_assert_mem_eq(addr, raddr, 20);
        /* deterministic (RFC 6979): signing again gives the same bytes */
        uint8_t sig2[65];
        ck_assert_int_eq(ecdsa_sign(hash, sk, sig2), 0);
        ck_assert_mem_eq(sig, sig2, 65);
        /* another hash does not recover this key */
        hash[0] ^= 1;
        if (ecdsa_recover(hash, sig, rec) == 0)
            ck_assert(memcmp(rec, pub, 64) != 0);
    }
}
END_TEST

START_TEST(recover_rejects_out_of_range_values)
{
    uint8_t sk[32], hash[32], sig[65], bad[65], pub[64];
    test_key(100, sk);
    memset(hash, 0x5a, 32);
    ck_assert_int_eq(ecdsa_sign(hash, sk, sig), 0);

    memcpy(bad, sig, 65);
    bad[64] = 2;
    ck_assert_int_eq(ecdsa_recover(hash, bad, pub), ERR_CRYPTO);
    bad[64] = 27; /* the legacy encoding must be converted by the caller */
    ck_assert_int_eq(ecdsa_recover(hash, bad, pub), ERR_CRYPTO);

    memcpy(bad, sig, 65);
    memset(bad, 0, 32); /* r = 0 */
    ck_assert_int_eq(ecdsa_recover(hash, bad, pub), ERR_CRYPTO);
    memcpy(bad, sig, 65);
    memset(bad + 32, 0, 32); /* s = 0 */
    ck_assert_int_eq(ecdsa_recover(hash, bad, pub), ERR_CRYPTO);
    memcpy(bad, sig, 65);
    unhex(ORDER_HEX, bad, 32); /* r = n */
    ck_assert_int_eq(ecdsa_recover(hash, bad, pub), ERR_CRYPTO);
    memset(bad, 0xff, 32); /* r > n */
    ck_assert_int_eq(ecdsa_recover(hash, bad, pub), ERR_CRYPTO);
    memcpy(bad, sig, 65);
    unhex(ORDER_HEX, bad + 32, 32); /* s = n */
    ck_assert_int_eq(ecdsa_recover(hash, bad, pub), ERR_CRYPTO);

    uint8_t zero[32] = {0}, one[32] = {0}, n[32];
    one[31] = 1;
    unhex(ORDER_HEX, n, 32);
    ck_assert(!ecdsa_sig_values_valid(zero, one, false));
    ck_assert(!ecdsa_sig_values_valid(one, zero, false));
    ck_assert(!ecdsa_sig_values_valid(n, one, false));
    ck_assert(!ecdsa_sig_values_valid(one, n, false));
    ck_assert(ecdsa_sig_values_valid(one, one, true));
}
END_TEST

START_TEST(high_s_recovers_but_fails_homestead)
{
    uint8_t sk[32], hash[32], sig[65], high[65], pub[64], rec[64];
    test_key(7, sk);
    memset(hash, 0x33, 32);
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ck_assert_int_eq(ecdsa_sign(hash, sk, sig), 0);
    /* (r, n - s, v ^ 1) is the same signature with the other s */
    memcpy(high, sig, 32);
    order_minus(sig + 32, high + 32);
    high[64] = sig[64] ^ 1;
    ck_assert_int_eq(ecdsa_recover(hash, high, rec), 0);
    ck_assert_mem_eq(rec, pub, 64);
    ck_assert(ecdsa_sig_values_valid(high, high + 32, false));
    ck_assert(!ecdsa_sig_values_valid(high, high + 32, true));
    /* s = n/2 is the largest low s; n/2 + 1 is high */
    uint8_t r[32] = {0}, half[32], half1[32];
    r[31] = 1;
    unhex("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", half, 32);
    memcpy(half1, half, 32);
    half1[31]++;
    ck_assert(ecdsa_sig_values_valid(r, half, true));
    ck_assert(!ecdsa_sig_values_valid(r, half1, true));
}
END_TEST

START_TEST(secret_key_bounds)
{
    uint8_t sk[32], pub[64], sig[65], hash[32] = {1};
    memset(sk, 0, 32);
    ck_assert(!ecdsa_seckey_valid(sk));
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), ERR_CRYPTO);
    ck_assert_int_eq(ecdsa_sign(hash, sk, sig), ERR_CRYPTO);
    unhex(ORDER_HEX, sk, 32); /* n */
    ck_assert(!ecdsa_seckey_valid(sk));
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), ERR_CRYPTO);
    ck_assert_int_eq(ecdsa_sign(hash, sk, sig), ERR_CRYPTO);
    sk[31]++; /* n + 1 */
    ck_assert(!ecdsa_seckey_valid(sk));
    memset(sk, 0xff, 32);
    ck_assert(!ecdsa_seckey_valid(sk));
    unhex(ORDER_HEX, sk, 32);
    sk[31]--; /* n - 1: the largest valid key */
    ck_assert(ecdsa_seckey_valid(sk));
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ck_assert_int_eq(ecdsa_sign(hash, sk, sig), 0);
}
END_TEST

TCase *tcase_ecdsa(void)
{
    TCase *tc = tcase_create("ecdsa");
    tcase_add_test(tc, known_address);
    tcase_add_test(tc, sign_recover_round_trip);
    tcase_add_test(tc, recover_rejects_out_of_range_values);
    tcase_add_test(tc, high_s_recovers_but_fails_homestead);
    tcase_add_test(tc, secret_key_bounds);
    return tc;
}
