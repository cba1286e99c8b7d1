/* test_crypto_keccak.c — Keccak-256: published vectors, the permutation
 * against OpenSSL's SHA3-256 (same permutation, other padding), the fast
 * one-shot path against a plain byte-wise sponge, and incremental updates
 * against one-shot at every split point. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "crypto/ossl.h"
#include "util/hex.h"

TCase *tcase_keccak(void);

static void hash_hex(const void *in, size_t len, char out[65])
{
    uint8_t h[32];
    keccak256(in, len, h);
    hex_encode(out, h, 32);
}

/* Deterministic filler (xorshift) so failures reproduce. */
static void fill(uint8_t *p, size_t n, uint64_t seed)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)x;
    }
}

/* A deliberately simple sponge over keccak_f1600: byte-wise absorb, rate
 * 136, padding byte `pad` (0x01 Keccak, 0x06 SHA3), 32-byte output. It
 * shares only the permutation with the code under test. */
static void ref_sponge(const uint8_t *in, size_t len, uint8_t pad, uint8_t out[32])
{
    uint64_t st[25] = {0};
    size_t pos = 0;
    for (size_t i = 0; i < len; i++) {
        st[pos / 8] ^= (uint64_t)in[i] << (8 * (pos % 8));
        if (++pos == KECCAK256_RATE) {
            keccak_f1600(st);
            pos = 0;
        }
    }
    st[pos / 8] ^= (uint64_t)pad << (8 * (pos % 8));
    st[(KECCAK256_RATE - 1) / 8] ^= (uint64_t)0x80 << 56;
    keccak_f1600(st);
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(st[i / 8] >> (8 * (i % 8)));
}

START_TEST(known_vectors)
{
    /* Values from the Keccak submission (as Ethereum uses it), cross-checked
     * with an independent Python implementation that reproduces hashlib's
     * SHA3-256 when given SHA3 padding. */
    char got[65];
    hash_hex(NULL, 0, got);
    ck_assert_str_eq(got, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    hash_hex("abc", 3, got);
    ck_assert_str_eq(got, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    const char *fox = "The quick brown fox jumps over the lazy dog";
    hash_hex(fox, strlen(fox), got);
    ck_assert_str_eq(got, "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
    uint8_t a3[200];
    memset(a3, 0xa3, sizeof a3); /* 1600 bits of 0xA3: more than one block */
    hash_hex(a3, sizeof a3, got);
    ck_assert_str_eq(got, "3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a");
}
END_TEST

START_TEST(permutation_matches_openssl_sha3)
{
    /* SHA3-256 is the same sponge with padding 0x06: if our permutation
     * (and so every path built on it) were wrong, this would disagree with
     * OpenSSL's independent implementation. */
    static uint8_t buf[700];
    fill(buf, sizeof buf, 1);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    ck_assert_ptr_nonnull(m);
    for (size_t len = 0; len <= sizeof buf; len += (len < 300 ? 1 : 37)) {
        uint8_t ours[32], theirs[32];
        unsigned int n = 0;
        ref_sponge(buf, len, 0x06, ours);
        ck_assert(EVP_DigestInit_ex(m, EVP_sha3_256(), NULL));
        ck_assert(EVP_DigestUpdate(m, buf, len));
        ck_assert(EVP_DigestFinal_ex(m, theirs, &n));
        ck_assert_uint_eq(n, 32);
        ck_assert_msg(memcmp(ours, theirs, 32) == 0, "SHA3 mismatch at length %zu", len);
    }
    EVP_MD_CTX_free(m);
}
END_TEST

START_TEST(one_shot_matches_bytewise_sponge)
{
    /* Every length across the first few block boundaries, and misaligned
     * input pointers (the fast path loads 8 bytes at a time). */
    static uint8_t buf[1200 + 8];
    fill(buf, sizeof buf, 2);
    for (size_t len = 0; len <= 1200; len++) {
        size_t off = len % 8;
        uint8_t want[32], got[32];
        ref_sponge(buf + off, len, 0x01, want);
        keccak256(buf + off, len, got);
        ck_assert_msg(memcmp(want, got, 32) == 0, "one-shot mismatch at length %zu", len);
    }
}
END_TEST

START_TEST(updates_at_every_split_point)
{
    static const size_t lens[] = {0, 1, 31, 32, 64, 135, 136, 137, 200, 271, 272, 273, 408, 555};
    static uint8_t buf[600];
    fill(buf, sizeof buf, 3);
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        size_t len = lens[k];
        uint8_t want[32], got[32];
        keccak256(buf, len, want);
        for (size_t s = 0; s <= len; s++) {
            struct keccak_ctx c;
            keccak256_init(&c);
            keccak256_update(&c, buf, s);
            keccak256_update(&c, buf + s, len - s);
            keccak256_final(&c, got);
            ck_assert_msg(memcmp(want, got, 32) == 0, "len %zu split at %zu", len, s);
            /* three pieces: [0,s) [s,t) [t,len) with t halfway to the end */
            size_t t = s + (len - s) / 2;
            keccak256_init(&c);
            keccak256_update(&c, buf, s);
            keccak256_update(&c, buf + s, t - s);
            keccak256_update(&c, NULL, 0);
            keccak256_update(&c, buf + t, len - t);
            keccak256_final(&c, got);
            ck_assert_msg(memcmp(want, got, 32) == 0, "len %zu split at %zu,%zu", len, s, t);
        }
        /* one byte at a time */
        struct keccak_ctx c;
        keccak256_init(&c);
        for (size_t i = 0; i < len; i++)
            keccak256_update(&c, buf + i, 1);
        keccak256_final(&c, got);
        ck_assert_msg(memcmp(want, got, 32) == 0, "len %zu byte-wise", len);
    }
}
END_TEST

START_TEST(large_input_in_uneven_chunks)
{
    /* 64 KiB + 5 bytes fed in chunks of varying size agrees with one-shot. */
    size_t len = 65536 + 5;
    uint8_t *buf = malloc(len);
    ck_assert_ptr_nonnull(buf);
    fill(buf, len, 4);
    uint8_t want[32], got[32];
    keccak256(buf, len, want);
    ref_sponge(buf, len, 0x01, got);
    ck_assert_mem_eq(want, got, 32);
    struct keccak_ctx c;
    keccak256_init(&c);
    size_t pos = 0, step = 1;
    while (pos < len) {
        size_t n = step < len - pos ? step : len - pos;
        keccak256_update(&c, buf + pos, n);
        pos += n;
        step = step * 7 % 1000 + 1;
    }
    keccak256_final(&c, got);
    ck_assert_mem_eq(want, got, 32);
    free(buf);
}
END_TEST

TCase *tcase_keccak(void)
{
    TCase *tc = tcase_create("keccak");
    tcase_add_test(tc, known_vectors);
    tcase_add_test(tc, permutation_matches_openssl_sha3);
    tcase_add_test(tc, one_shot_matches_bytewise_sponge);
    tcase_add_test(tc, updates_at_every_split_point);
    tcase_add_test(tc, large_input_in_uneven_chunks);
    return tc;
}
