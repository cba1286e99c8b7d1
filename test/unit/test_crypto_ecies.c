/* test_crypto_ecies.c — devp2p ECIES: the unhashed ECDH against an
 * independent computation, decryption of a message made by another
 * implementation (an EIP-8 handshake vector), round trips with and without
 * shared-mac-data, and refusal of every tampered, truncated, extended,
 * misaddressed or malformed message without writing any plaintext.
 * Part of test_net_rlpx (see test/unit/net_rlpx.mk). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/ecies.h"
#include "crypto/keccak.h"
#include "util/err.h"
#include "util/hex.h"

TCase *tcase_ecies(void);

static void key_from_seed(int seed, uint8_t sk[32])
{
    uint8_t in[8] = {'e', 'c', 'i', 'e', 's', (uint8_t)seed, (uint8_t)(seed >> 8), 0};
    keccak256(in, sizeof in, sk);
    ck_assert(ecdsa_seckey_valid(sk));
}

static void unhex(const char *s, uint8_t *out, size_t len)
{
    ck_assert_int_eq(hex_decode_exact(s, strlen(s), out, len), 0);
}

/* ECDH with the generator G = 1·G as the public key gives the x coordinate
 * of k·G, i.e. the first half of ecdsa_pubkey(k): an independent check
 * that the secret is the raw x coordinate and not a hash of it. */
START_TEST(shared_secret_is_raw_x)
{
    uint8_t one[32] = {0}, g[64], sk[32], pub[64], s[32];
    one[31] = 1;
    ck_assert_int_eq(ecdsa_pubkey(one, g), 0);
    for (int i = 0; i < 8; i++) {
        key_from_seed(i, sk);
        ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
        ck_assert_int_eq(ecies_shared_secret(sk, g, s), 0);
        ck_assert_mem_eq(s, pub, 32);
    }
}
END_TEST

START_TEST(shared_secret_agrees_and_refuses_bad_keys)
{
    uint8_t a[32], b[32], pa[64], pb[64], s1[32], s2[32];
    key_from_seed(1, a);
    key_from_seed(2, b);
    ck_assert_int_eq(ecdsa_pubkey(a, pa), 0);
    ck_assert_int_eq(ecdsa_pubkey(b, pb), 0);
    ck_assert_int_eq(ecies_shared_secret(a, pb, s1), 0);
    ck_assert_int_eq(ecies_shared_secret(b, pa, s2), 0);
    ck_assert_mem_eq(s1, s2, 32);

    uint8_t bad[64];
    memcpy(bad, pb, 64);
    bad[63] ^= 1; /* y no longer matches x: not on the curve */
    ck_assert_int_eq(ecies_shared_secret(a, bad, s1), ERR_CRYPTO);
    uint8_t zero[32] = {0};
    ck_assert_int_eq(ecies_shared_secret(zero, pb, s1), ERR_CRYPTO);
}
END_TEST

/* EIP-8 test vector Auth₂ (EIP-8 "RLPx Handshake" test vectors,
 * https://eips.ethereum.org/EIPS/eip-8): an ECIES message to static key B,
 * made by another implementation, with its 2-byte size prefix as
 * shared-mac-data. Its plaintext is the RLP list [sig, pub(A), nonce(A), 4]
 * followed by padding. */
static const char *AUTH2_HEX =
    "01b304ab7578555167be8154d5cc456f567d5ba302662433674222360f08d5f1534499d3678b513b"
    "0fca474f3a514b18e75683032eb63fccb16c156dc6eb2c0b1593f0d84ac74f6e475f1b8d56116b84"
    "9634a8c458705bf83a626ea0384d4d7341aae591fae42ce6bd5c850bfe0b999a694a49bbbaf3ef6c"
    "da61110601d3b4c02ab6c30437257a6e0117792631a4b47c1d52fc0f8f89caadeb7d02770bf999cc"
    "147d2df3b62e1ffb2c9d8c125a3984865356266bca11ce7d3a688663a51d82defaa8aad69da39ab6"
    "d5470e81ec5f2a7a47fb865ff7cca21516f9299a07b1bc63ba56c7a1a892112841ca44b6e0034dee"
    "70c9adabc15d76a54f443593fafdc3b27af8059703f88928e199cb122362a4b35f62386da7caad09"
    "c001edaeb5f8a06d2b26fb6cb93c52a9fca51853b68193916982358fe1e5369e249875bb8d0d0ec3"
    "6f917bc5e1eafd5896d46bd61ff23f1a863a8a8dcd54c7b109b771c8e61ec9c8908c733c0263440e"
    "2aa067241aaa433f0bb053c7b31a838504b148f570c0ad62837129e547678c5190341e4f1693956c"
    "3bf7678318e2d5b5340c9e488eefea198576344afbdf66db5f51204a6961a63ce072c8926c";
static const char *KEY_A_HEX = "49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee";
static const char *KEY_B_HEX = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291";
static const char *NONCE_A_HEX = "7e968bba13b6c50e2c4cd7f241cc0d64d1ac25c7f5952df231ac6a2bda8ee5d6";

START_TEST(decrypts_eip8_vector)
{
    uint8_t pkt[600], kb[32], ka[32], pa[64], nonce[32], plain[600];
    size_t n = 0, plen = 0;
    ck_assert_int_eq(hex_decode(AUTH2_HEX, strlen(AUTH2_HEX), pkt, sizeof pkt, &n), 0);
    ck_assert_uint_eq(n, 2 + ((size_t)pkt[0] << 8 | pkt[1]));
    unhex(KEY_B_HEX, kb, 32);
    unhex(KEY_A_HEX, ka, 32);
    unhex(NONCE_A_HEX, nonce, 32);
    ck_assert_int_eq(ecdsa_pubkey(ka, pa), 0);
    ck_assert_int_eq(ecies_decrypt(kb, pkt + 2, n - 2, pkt, 2, plain, &plen), 0);
    ck_assert_uint_eq(plen, n - 2 - ECIES_OVERHEAD);
    /* f8 a7 | b8 41 sig(65) | b8 40 pub(64) | a0 nonce(32) | 04 | padding */
    ck_assert_int_eq(plain[0], 0xf8);
    ck_assert_int_eq(plain[1], 0xa7);
    ck_assert_int_eq(plain[2], 0xb8);
    ck_assert_int_eq(plain[3], 0x41);
    ck_assert_int_eq(plain[69], 0xb8);
    ck_assert_int_eq(plain[70], 0x40);
    ck_assert_mem_eq(plain + 71, pa, 64);
    ck_assert_int_eq(plain[135], 0xa0);
    ck_assert_mem_eq(plain + 136, nonce, 32);
    ck_assert_int_eq(plain[168], 0x04);

    /* The prefix is authenticated: without it, or with another, no. */
    ck_assert_int_eq(ecies_decrypt(kb, pkt + 2, n - 2, NULL, 0, plain, &plen), ERR_CRYPTO);
    uint8_t other[2] = {pkt[0], (uint8_t)(pkt[1] ^ 1)};
    ck_assert_int_eq(ecies_decrypt(kb, pkt + 2, n - 2, other, 2, plain, &plen), ERR_CRYPTO);
    /* Only B can read it. */
    ck_assert_int_eq(ecies_decrypt(ka, pkt + 2, n - 2, pkt, 2, plain, &plen), ERR_CRYPTO);
}
END_TEST

START_TEST(round_trips)
{
    uint8_t sk[32], pub[64];
    key_from_seed(7, sk);
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    static const size_t lens[] = {0, 1, 15, 16, 17, 194, 1000, 70000};
    static const uint8_t mac[2] = {0x01, 0xb3};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        for (int with_mac = 0; with_mac < 2; with_mac++) {
            size_t len = lens[i];
            uint8_t *msg = malloc(len + 1), *ct = malloc(len + ECIES_OVERHEAD),
                    *pt = malloc(len + 1);
            for (size_t j = 0; j < len; j++)
                msg[j] = (uint8_t)(j * 31 + i);
            ck_assert_int_eq(ecies_encrypt(pub, msg, len, with_mac ? mac : NULL,
                                           with_mac ? 2 : 0, ct),
                             0);
            ck_assert_int_eq(ct[0], 0x04);
            size_t got = 12345;
            ck_assert_int_eq(ecies_decrypt(sk, ct, len + ECIES_OVERHEAD, with_mac ? mac : NULL,
                                           with_mac ? 2 : 0, pt, &got),
                             0);
            ck_assert_uint_eq(got, len);
            if (len)
                ck_assert_mem_eq(pt, msg, len);
            free(msg);
            free(ct);
            free(pt);
        }
    }
}
END_TEST

/* Fresh randomness per message; the explicit variant is deterministic and
 * lays the message out as 0x04 ‖ R ‖ iv ‖ c ‖ tag. */
START_TEST(randomness_and_layout)
{
    uint8_t sk[32], pub[64], eph[32], eph_pub[64], iv[16], m[40], c1[40 + ECIES_OVERHEAD],
        c2[40 + ECIES_OVERHEAD], pt[40];
    size_t n;
    key_from_seed(8, sk);
    key_from_seed(9, eph);
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ck_assert_int_eq(ecdsa_pubkey(eph, eph_pub), 0);
    memset(m, 'm', sizeof m);
    for (int i = 0; i < 16; i++)
        iv[i] = (uint8_t)(0xa0 + i);
    ck_assert_int_eq(ecies_encrypt(pub, m, sizeof m, NULL, 0, c1), 0);
    ck_assert_int_eq(ecies_encrypt(pub, m, sizeof m, NULL, 0, c2), 0);
    ck_assert(memcmp(c1 + 1, c2 + 1, 64) != 0);       /* ephemeral keys differ */
    ck_assert(memcmp(c1 + 65, c2 + 65, 16) != 0);     /* ivs differ */

    ck_assert_int_eq(ecies_encrypt_with(pub, eph, iv, m, sizeof m, NULL, 0, c1), 0);
    ck_assert_int_eq(ecies_encrypt_with(pub, eph, iv, m, sizeof m, NULL, 0, c2), 0);
    ck_assert_mem_eq(c1, c2, sizeof c1);
    ck_assert_mem_eq(c1 + 1, eph_pub, 64);
    ck_assert_mem_eq(c1 + 65, iv, 16);
    ck_assert(memcmp(c1 + 81, m, sizeof m) != 0); /* encrypted */
    ck_assert_int_eq(ecies_decrypt(sk, c1, sizeof c1, NULL, 0, pt, &n), 0);
    ck_assert_mem_eq(pt, m, sizeof m);

    uint8_t zero[32] = {0};
    ck_assert_int_eq(ecies_encrypt_with(pub, zero, iv, m, sizeof m, NULL, 0, c1), ERR_CRYPTO);
    uint8_t bad[64];
    memcpy(bad, pub, 64);
    bad[0] ^= 0x40;
    ck_assert_int_eq(ecies_encrypt(bad, m, sizeof m, NULL, 0, c1), ERR_CRYPTO);
}
END_TEST

START_TEST(refuses_tampering)
{
    enum { LEN = 50, CT = LEN + ECIES_OVERHEAD };
    uint8_t sk[32], other[32], pub[64], m[LEN], c[CT + 1], t[CT + 1], pt[CT];
    size_t n;
    key_from_seed(10, sk);
    key_from_seed(11, other);
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    memset(m, 0x5a, sizeof m);
    static const uint8_t mac[2] = {0, CT};
    ck_assert_int_eq(ecies_encrypt(pub, m, LEN, mac, 2, c), 0);

    /* Any single changed bit anywhere: refused, and nothing written. */
    for (size_t i = 0; i < CT; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            memcpy(t, c, CT);
            t[i] ^= (uint8_t)(1u << bit);
            memset(pt, 0xee, sizeof pt);
            int rc = ecies_decrypt(sk, t, CT, mac, 2, pt, &n);
            ck_assert_msg(rc == ERR_CRYPTO || (i == 0 && rc == ERR_DECODE),
                          "byte %zu bit %d: rc %d", i, bit, rc);
            for (size_t j = 0; j < sizeof pt; j++)
                ck_assert_int_eq(pt[j], 0xee);
        }
    }
    /* Truncated, extended, short, wrong key, wrong or missing mac data. */
    memcpy(t, c, CT);
    t[CT] = 0;
    ck_assert_int_eq(ecies_decrypt(sk, c, CT - 1, mac, 2, pt, &n), ERR_CRYPTO);
    ck_assert_int_eq(ecies_decrypt(sk, t, CT + 1, mac, 2, pt, &n), ERR_CRYPTO);
    for (size_t len = 0; len < ECIES_OVERHEAD; len++)
        ck_assert_int_eq(ecies_decrypt(sk, c, len, mac, 2, pt, &n), ERR_DECODE);
    ck_assert_int_eq(ecies_decrypt(other, c, CT, mac, 2, pt, &n), ERR_CRYPTO);
    ck_assert_int_eq(ecies_decrypt(sk, c, CT, NULL, 0, pt, &n), ERR_CRYPTO);
    ck_assert_int_eq(ecies_decrypt(sk, c, CT, mac, 1, pt, &n), ERR_CRYPTO);
    ck_assert_int_eq(ecies_decrypt(sk, c, CT, mac, 2, pt, &n), 0);
}
END_TEST

TCase *tcase_ecies(void)
{
    TCase *tc = tcase_create("ecies");
    tcase_add_test(tc, shared_secret_is_raw_x);
    tcase_add_test(tc, shared_secret_agrees_and_refuses_bad_keys);
    tcase_add_test(tc, decrypts_eip8_vector);
    tcase_add_test(tc, round_trips);
    tcase_add_test(tc, randomness_and_layout);
    tcase_add_test(tc, refuses_tampering);
    return tc;
}
