/*
 * test_precompile.c — unit tests for the precompiled contracts 0x01..0x08
 * (evm/precompile.h) and the fork names (evm/fork.h).
 *
 * Expected values come from outside this code where possible: published
 * digests of the empty string and "abc", the EIP-198 examples, the
 * alt_bn128 generators of EIP-196/197, signatures made by crypto/ecdsa,
 * modexp results recomputed with primitives/u256's mulmod, and gas figures
 * worked out by hand from the pricing formulas (shown next to each).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "evm/fork.h"
#include "evm/precompile.h"
#include "primitives/u256.h"
#include "util/err.h"
#include "util/hex.h"

/* ---------------------------------------------------------------------- */

static struct address pc(unsigned id)
{
    struct address a;
    memset(&a, 0, sizeof a);
    a.b[ADDRESS_LEN - 1] = (uint8_t)id;
    return a;
}

/* Decodes hex (whitespace allowed between digits, for readable vectors). */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    char *clean = malloc(strlen(s) + 1);
    ck_assert_ptr_nonnull(clean);
    size_t k = 0;
    for (const char *p = s; *p; p++)
        if (*p != ' ' && *p != '\n')
            clean[k++] = *p;
    size_t n = 0;
    ck_assert_int_eq(hex_decode(clean, k, out, cap, &n), 0);
    free(clean);
    return n;
}

static void assert_out_hex(const struct bytes *b, const char *want_hex)
{
    uint8_t want[512];
    size_t n = unhex(want_hex, want, sizeof want);
    ck_assert_uint_eq(b->len, n);
    ck_assert(n == 0 || memcmp(b->data, want, n) == 0);
}

/* Runs contract `id` under Byzantium; returns its status, output in *out
 * (reset first). */
static int run(unsigned id, const uint8_t *in, size_t len, struct bytes *out)
{
    struct address a = pc(id);
    bytes_reset(out);
    return precompile_run(FORK_BYZANTIUM, &a, in, len, out);
}

static uint64_t gas(unsigned id, const uint8_t *in, size_t len)
{
    struct address a = pc(id);
    return precompile_gas(FORK_BYZANTIUM, &a, in, len);
}

/* ---------------------------------------------------------------------- */

START_TEST(fork_names_round_trip)
{
    enum evm_fork f;
    for (int i = 0; i < FORK_COUNT; i++) {
        ck_assert_int_eq(evm_fork_from_name(evm_fork_name((enum evm_fork)i), &f), 0);
        ck_assert_int_eq(f, i);
    }
    ck_assert_int_eq(evm_fork_from_name("ConstantinopleFix", &f), 0);
    ck_assert_int_eq(f, FORK_PETERSBURG);
    ck_assert_int_eq(evm_fork_from_name("petersburg", &f), 0);
    ck_assert_int_eq(f, FORK_PETERSBURG);
    ck_assert_int_eq(evm_fork_from_name("EIP150", &f), 0);
    ck_assert_int_eq(f, FORK_TANGERINE);
    ck_assert_int_eq(evm_fork_from_name("eip158", &f), 0);
    ck_assert_int_eq(f, FORK_SPURIOUS);
    ck_assert_int_eq(evm_fork_from_name("BYZANTIUM", &f), 0);
    ck_assert_int_eq(f, FORK_BYZANTIUM);
    ck_assert_int_eq(evm_fork_from_name("sip004", &f), 0);
    ck_assert_int_eq(f, FORK_SIP004);
    ck_assert_int_eq(evm_fork_from_name("Istanbul", &f), ERR_INVAL);
    ck_assert_int_eq(evm_fork_from_name("", &f), ERR_INVAL);
    ck_assert_int_eq(evm_fork_from_name("Byzantium2", &f), ERR_INVAL);
    ck_assert_int_eq(evm_fork_from_name(NULL, &f), ERR_INVAL);
}
END_TEST

START_TEST(precompile_set_depends_on_fork)
{
    for (unsigned id = 0; id <= 10; id++) {
        struct address a = pc(id);
        bool base = id >= 1 && id <= 4, byz = id >= 1 && id <= 8;
        ck_assert(precompile_is(FORK_FRONTIER, &a) == base);
        ck_assert(precompile_is(FORK_HOMESTEAD, &a) == base);
        ck_assert(precompile_is(FORK_SPURIOUS, &a) == base);
        ck_assert(precompile_is(FORK_BYZANTIUM, &a) == byz);
        ck_assert(precompile_is(FORK_PETERSBURG, &a) == byz);
        ck_assert(precompile_is(FORK_SIP004, &a) == byz);
    }
    /* Only the last byte may be non-zero. */
    struct address a = pc(1);
    a.b[0] = 1;
    ck_assert(!precompile_is(FORK_SIP004, &a));
    a = pc(2);
    a.b[18] = 1;
    ck_assert(!precompile_is(FORK_SIP004, &a));

    /* A Byzantium contract called before Byzantium is an ordinary (empty)
     * account: no price and run refuses. */
    struct bytes out = BYTES_INIT;
    struct address m = pc(5);
    ck_assert_uint_eq(precompile_gas(FORK_SPURIOUS, &m, NULL, 0), 0);
    ck_assert_int_eq(precompile_run(FORK_SPURIOUS, &m, NULL, 0, &out), ERR_INVAL);
    ck_assert_uint_eq(out.len, 0);
    /* ...while identity works from Frontier. */
    struct address id4 = pc(4);
    ck_assert_uint_eq(precompile_gas(FORK_FRONTIER, &id4, NULL, 1), 18);
    ck_assert_int_eq(precompile_run(FORK_FRONTIER, &id4, (const uint8_t *)"x", 1, &out), 0);
    ck_assert_uint_eq(out.len, 1);
    bytes_free(&out);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* 0x01 ecrecover */

static const char *SECP_N = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

/* Signs hash with the key derived from `seed`; fills the 128-byte call
 * input (v = 27/28) and the expected 32-byte output. */
static void make_ecrecover_input(uint8_t seed, const uint8_t hash[32], uint8_t in[128],
                                 uint8_t want[32])
{
    uint8_t sk[32], pub[64], sig[65];
    for (int i = 0; i < 32; i++)
        sk[i] = (uint8_t)(seed + 7 * i + 1);
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ck_assert_int_eq(ecdsa_sign(hash, sk, sig), 0);
    memset(want, 0, 32);
    ecdsa_pub_to_address(pub, want + 12);
    memcpy(in, hash, 32);
    memset(in + 32, 0, 32);
    in[63] = (uint8_t)(27 + sig[64]);
    memcpy(in + 64, sig, 64);
}

START_TEST(ecrecover_recovers_and_accepts_high_s)
{
    uint8_t hash[32], in[200], want[32];
    for (int i = 0; i < 32; i++)
        hash[i] = (uint8_t)(0xa0 ^ i);
    make_ecrecover_input(3, hash, in, want);
    struct bytes out = BYTES_INIT;

    ck_assert_uint_eq(gas(1, in, 128), 3000);
    ck_assert_uint_eq(gas(1, NULL, 0), 3000);
    ck_assert_int_eq(run(1, in, 128, &out), 0);
    ck_assert_uint_eq(out.len, 32);
    ck_assert_mem_eq(out.data, want, 32);

    /* Bytes past 128 are ignored. */
    memset(in + 128, 0xee, 72);
    ck_assert_int_eq(run(1, in, 200, &out), 0);
    ck_assert_uint_eq(out.len, 32);
    ck_assert_mem_eq(out.data, want, 32);

    /* (r, n - s) with the other recovery id is the same signature: a
     * transaction would refuse the high s, the precompile does not. */
    uint8_t nb[32];
    unhex(SECP_N, nb, 32);
    u256 n, s, hs;
    u256_from_be(&n, nb, 32);
    u256_from_be(&s, in + 96, 32);
    u256_sub(&hs, &n, &s);
    uint8_t high[128];
    memcpy(high, in, 128);
    u256_to_be(&hs, high + 96);
    high[63] = high[63] == 27 ? 28 : 27;
    ck_assert(!ecdsa_sig_values_valid(high + 64, high + 96, true)); /* it is high */
    ck_assert_int_eq(run(1, high, 128, &out), 0);
    ck_assert_uint_eq(out.len, 32);
    ck_assert_mem_eq(out.data, want, 32);
    bytes_free(&out);
}
END_TEST

START_TEST(ecrecover_invalid_succeeds_empty)
{
    uint8_t hash[32], in[128], want[32], bad[128];
    memset(hash, 0x42, 32);
    make_ecrecover_input(9, hash, in, want);
    struct bytes out = BYTES_INIT;

    /* v = 29, v = 0, v = 1: not 27/28. */
    const uint8_t vs[] = {29, 0, 1, 26, 255};
    for (size_t i = 0; i < sizeof vs; i++) {
        memcpy(bad, in, 128);
        bad[63] = vs[i];
        ck_assert_int_eq(run(1, bad, 128, &out), 0);
        ck_assert_uint_eq(out.len, 0);
    }
    /* v is a 32-byte word: 27 with a non-zero upper byte is not 27. */
    memcpy(bad, in, 128);
    bad[32] = 1;
    ck_assert_int_eq(run(1, bad, 128, &out), 0);
    ck_assert_uint_eq(out.len, 0);
    memcpy(bad, in, 128);
    bad[62] = 1;
    ck_assert_int_eq(run(1, bad, 128, &out), 0);
    ck_assert_uint_eq(out.len, 0);

    /* r = 0; s = 0; s = n; r = n. */
    memcpy(bad, in, 128);
    memset(bad + 64, 0, 32);
    ck_assert_int_eq(run(1, bad, 128, &out), 0);
    ck_assert_uint_eq(out.len, 0);
    memcpy(bad, in, 128);
    memset(bad + 96, 0, 32);
    ck_assert_int_eq(run(1, bad, 128, &out), 0);
    ck_assert_uint_eq(out.len, 0);
    memcpy(bad, in, 128);
    unhex(SECP_N, bad + 96, 32);
    ck_assert_int_eq(run(1, bad, 128, &out), 0);
    ck_assert_uint_eq(out.len, 0);
    memcpy(bad, in, 128);
    unhex(SECP_N, bad + 64, 32);
    ck_assert_int_eq(run(1, bad, 128, &out), 0);
    ck_assert_uint_eq(out.len, 0);

    /* Empty and header-only input: r = s = 0 after padding. */
    ck_assert_int_eq(run(1, NULL, 0, &out), 0);
    ck_assert_uint_eq(out.len, 0);
    ck_assert_int_eq(run(1, in, 64, &out), 0);
    ck_assert_uint_eq(out.len, 0);
    bytes_free(&out);
}
END_TEST

START_TEST(ecrecover_short_input_is_zero_padded)
{
    /* Find a signature whose s ends in a zero byte (1 in 256), so that the
     * input cut to 127 bytes must still recover the same address. */
    uint8_t hash[32], in[128], want[32];
    struct bytes out = BYTES_INIT;
    int found = 0;
    for (int t = 0; t < 5000 && !found; t++) {
        memset(hash, 0, 32);
        hash[0] = (uint8_t)t;
        hash[1] = (uint8_t)(t >> 8);
        make_ecrecover_input(5, hash, in, want);
        if (in[127] != 0)
            continue;
        found = 1;
        ck_assert_int_eq(run(1, in, 127, &out), 0);
        ck_assert_uint_eq(out.len, 32);
        ck_assert_mem_eq(out.data, want, 32);
        /* Cutting a non-zero byte changes s: another (or no) address. */
        in[127] = 1;
        ck_assert_int_eq(run(1, in, 127, &out), 0);
        ck_assert_uint_eq(out.len, 32);
        ck_assert_mem_eq(out.data, want, 32);
        ck_assert_int_eq(run(1, in, 128, &out), 0);
        ck_assert(out.len == 0 || memcmp(out.data, want, 32) != 0);
    }
    ck_assert(found);
    bytes_free(&out);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* 0x02 sha256, 0x03 ripemd160, 0x04 identity */

START_TEST(hashes_and_identity)
{
    struct bytes out = BYTES_INIT;
    uint8_t zero32[33], abc[3] = {'a', 'b', 'c'};
    memset(zero32, 0, sizeof zero32);

    /* SHA-256 of "" and of 32 zero bytes (FIPS 180-4 / well-known). */
    ck_assert_int_eq(run(2, NULL, 0, &out), 0);
    assert_out_hex(&out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ck_assert_int_eq(run(2, zero32, 32, &out), 0);
    assert_out_hex(&out, "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
    ck_assert_uint_eq(gas(2, NULL, 0), 60);
    ck_assert_uint_eq(gas(2, zero32, 1), 72);
    ck_assert_uint_eq(gas(2, zero32, 32), 72);
    ck_assert_uint_eq(gas(2, zero32, 33), 84);

    /* RIPEMD-160 of "" and "abc" (Dobbertin et al.), left-padded to 32. */
    ck_assert_int_eq(run(3, NULL, 0, &out), 0);
    assert_out_hex(&out, "0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31");
    ck_assert_int_eq(run(3, abc, 3, &out), 0);
    assert_out_hex(&out, "0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
    uint8_t rmd[RIPEMD160_LEN];
    ck_assert_int_eq(ripemd160(zero32, 32, rmd), 0);
    ck_assert_int_eq(run(3, zero32, 32, &out), 0);
    ck_assert_uint_eq(out.len, 32);
    ck_assert_mem_eq(out.data, zero32, 12);
    ck_assert_mem_eq(out.data + 12, rmd, 20);
    ck_assert_uint_eq(gas(3, NULL, 0), 600);
    ck_assert_uint_eq(gas(3, zero32, 32), 720);
    ck_assert_uint_eq(gas(3, zero32, 33), 840);

    /* Identity: the input, unchanged. */
    ck_assert_int_eq(run(4, NULL, 0, &out), 0);
    ck_assert_uint_eq(out.len, 0);
    ck_assert_int_eq(run(4, abc, 3, &out), 0);
    ck_assert_uint_eq(out.len, 3);
    ck_assert_mem_eq(out.data, abc, 3);
    ck_assert_uint_eq(gas(4, NULL, 0), 15);
    ck_assert_uint_eq(gas(4, zero32, 32), 18);
    ck_assert_uint_eq(gas(4, zero32, 33), 21);

    /* Word counts of huge lengths neither wrap (ceil of SIZE_MAX/32 is
     * 2^59 words on 64 bits) nor overflow the product. Gas reads no input. */
    if (sizeof(size_t) == 8) {
        ck_assert_uint_eq(gas(4, NULL, SIZE_MAX), 15 + 3 * ((uint64_t)1 << 59));
        ck_assert_uint_eq(gas(3, NULL, SIZE_MAX), UINT64_MAX);
    }
    bytes_free(&out);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* 0x05 modexp */

/* Header of three 32-byte lengths (each < 2^64) followed by `tail`. */
static size_t modexp_input(uint8_t *buf, uint64_t lb, uint64_t le, uint64_t lm,
                           const uint8_t *tail, size_t tail_len)
{
    memset(buf, 0, 96);
    be_put64(buf + 24, lb);
    be_put64(buf + 56, le);
    be_put64(buf + 88, lm);
    if (tail_len)
        memcpy(buf + 96, tail, tail_len);
    return 96 + tail_len;
}

START_TEST(modexp_eip198_examples)
{
    /* EIP-198, example 1: 3^(p-2) mod p = 1 for the secp256k1 field prime
     * p; example 2: 0^(p-2) mod p = 0. Gas: max(1, 32) = 32 ≤ 64 gives
     * mult_complexity 1024; the exponent's top bit is 255, so
     * 1024 · 255 / 20 = 13056 (the figure in the EIP). */
    uint8_t in[200];
    size_t n = unhex("0000000000000000000000000000000000000000000000000000000000000001"
                     "0000000000000000000000000000000000000000000000000000000000000020"
                     "0000000000000000000000000000000000000000000000000000000000000020"
                     "03"
                     "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"
                     "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
                     in, sizeof in);
    struct bytes out = BYTES_INIT;
    ck_assert_uint_eq(gas(5, in, n), 13056);
    ck_assert_int_eq(run(5, in, n, &out), 0);
    assert_out_hex(&out, "0000000000000000000000000000000000000000000000000000000000000001");

    n = unhex("0000000000000000000000000000000000000000000000000000000000000000"
              "0000000000000000000000000000000000000000000000000000000000000020"
              "0000000000000000000000000000000000000000000000000000000000000020"
              "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"
              "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
              in, sizeof in);
    ck_assert_uint_eq(gas(5, in, n), 13056);
    ck_assert_int_eq(run(5, in, n, &out), 0);
    assert_out_hex(&out, "0000000000000000000000000000000000000000000000000000000000000000");
    bytes_free(&out);
}
END_TEST

/* base^e mod m by square-and-multiply on u256 mulmod: an independent
 * reference for values up to 32 bytes. */
static u256 ref_modexp(const u256 *base, const u256 *e, const u256 *m)
{
    u256 r = u256_from_u64(1), zero = u256_from_u64(0), b;
    if (u256_iszero(m))
        return zero;
    u256_mod(&r, &r, m); /* 1 mod 1 = 0 */
    u256_mod(&b, base, m);
    for (int i = (int)u256_bit_len(e) - 1; i >= 0; i--) {
        u256_mulmod(&r, &r, &r, m);
        if ((e->w[i / 64] >> (i % 64)) & 1)
            u256_mulmod(&r, &r, &b, m);
    }
    return r;
}

START_TEST(modexp_matches_reference)
{
    uint64_t st = 0x9e3779b97f4a7c15ULL;
    struct bytes out = BYTES_INIT;
    for (int t = 0; t < 300; t++) {
        uint8_t vals[96], in[96 + 96];
        for (int i = 0; i < 96; i++) {
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            vals[i] = (uint8_t)(st >> 56);
        }
        size_t lb = 1 + (size_t)(t % 32), le = 1 + (size_t)((t / 3) % 32),
               lm = 1 + (size_t)((t * 7) % 32);
        if (t % 10 == 0)
            vals[64] = 0; /* a modulus with a leading zero byte */
        uint8_t tail[96];
        memcpy(tail, vals, lb);
        memcpy(tail + lb, vals + 32, le);
        memcpy(tail + lb + le, vals + 64, lm);
        size_t n = modexp_input(in, lb, le, lm, tail, lb + le + lm);

        u256 b, e, m;
        u256_from_be(&b, vals, lb);
        u256_from_be(&e, vals + 32, le);
        u256_from_be(&m, vals + 64, lm);
        u256 want = ref_modexp(&b, &e, &m);
        uint8_t want32[32];
        u256_to_be(&want, want32);

        ck_assert_int_eq(run(5, in, n, &out), 0);
        ck_assert_uint_eq(out.len, lm); /* exactly len_m bytes */
        ck_assert_mem_eq(out.data, want32 + 32 - lm, lm);
    }
    bytes_free(&out);
}
END_TEST

START_TEST(modexp_gas_formula)
{
    uint8_t in[200], tail[100];
    memset(tail, 0, sizeof tail);

    /* Exponent 1 (adjusted length 0, counted as 1): the price is
     * mult_complexity(x) / 20 with x = max(len_b, len_m):
     *   x = 64:   64^2 = 4096                          → 204
     *   x = 65:   65^2/4 + 96·65 − 3072 = 1056 + 3168   → 4224/20 = 211
     *   x = 1024: 1024^2/4 + 96·1024 − 3072 = 357376    → 17868
     *   x = 1025: 1025^2/16 + 480·1025 − 199680 = 357984 → 17899 */
    tail[1] = 1; /* len_b = 1: base 0, exponent byte 1 */
    size_t n = modexp_input(in, 1, 1, 64, tail, 2);
    ck_assert_uint_eq(gas(5, in, n), 204);
    n = modexp_input(in, 1, 1, 65, tail, 2);
    ck_assert_uint_eq(gas(5, in, n), 211);
    n = modexp_input(in, 1024, 1, 1, NULL, 0); /* exponent past the input */
    ck_assert_uint_eq(gas(5, in, n), 17868); /* exponent 0: adj 0 → 1 */
    n = modexp_input(in, 1, 1, 1025, tail, 2);
    ck_assert_uint_eq(gas(5, in, n), 17899);

    /* Adjusted exponent length. len_e ≤ 32 reads len_e bytes as a number:
     * exponent 0x80 has top bit 7 → 1024 · 7 / 20 = 358 (reading 32 bytes
     * would see bit 255). */
    memset(tail, 0, sizeof tail);
    tail[1] = 0x80;
    n = modexp_input(in, 1, 1, 32, tail, 2);
    ck_assert_uint_eq(gas(5, in, n), 358);
    /* len_e = 64 with a first word of 1: 8·(64 − 32) + 0 = 256; len 1 → 256/20 = 12. */
    memset(tail, 0, sizeof tail);
    tail[1 + 31] = 1;
    n = modexp_input(in, 1, 64, 1, tail, 1 + 64 + 1);
    ck_assert_uint_eq(gas(5, in, n), 12);
    /* ... with the first word's top bit set: 256 + 255 = 511 → 25. */
    tail[1] = 0x80;
    n = modexp_input(in, 1, 64, 1, tail, 1 + 64 + 1);
    ck_assert_uint_eq(gas(5, in, n), 25);
    /* A zero exponent, len_e 1, x 32: adj 0 → 1 → 1024/20 = 51. */
    memset(tail, 0, sizeof tail);
    n = modexp_input(in, 1, 1, 32, tail, 2);
    ck_assert_uint_eq(gas(5, in, n), 51);
}
END_TEST

START_TEST(modexp_huge_lengths_saturate)
{
    uint8_t in[96];
    struct bytes out = BYTES_INIT;

    /* len_e = 2^255 with a 1-byte modulus: far past 2^64 → saturates, and
     * the gas is found without reading (or allocating) the exponent. */
    memset(in, 0, 96);
    in[32] = 0x80;
    in[95] = 1;
    in[31] = 1;
    ck_assert_uint_eq(gas(5, in, 96), UINT64_MAX);
    /* len_b = 2^255 or len_m = 2^64: the complexity alone saturates. */
    memset(in, 0, 96);
    in[0] = 0x80;
    in[95] = 1;
    ck_assert_uint_eq(gas(5, in, 96), UINT64_MAX);
    memset(in, 0, 96);
    in[31] = 1;
    in[64 + 23] = 1; /* len_m = 2^64 */
    ck_assert_uint_eq(gas(5, in, 96), UINT64_MAX);
    /* ... and run refuses such lengths instead of allocating them. */
    ck_assert_int_eq(run(5, in, 96, &out), ERR_RANGE);
    ck_assert_uint_eq(out.len, 0);

    /* len_e = 2^64 exactly (not a 64-bit value) but the price is:
     * 8·(2^64 − 32) / 20 = (2^67 − 256) / 20 = 7378697629483820633. */
    memset(in, 0, 96);
    in[31] = 1;
    in[32 + 23] = 1;
    in[95] = 1;
    ck_assert_uint_eq(gas(5, in, 96), 7378697629483820633ULL);

    /* len_b = 2^32, len_m = 1, exponent past the input (0): exact
     * (2^64/16 + 480·2^32 − 199680) / 20 = 57646178309547468. */
    memset(in, 0, 96);
    in[27] = 1;
    in[95] = 1;
    ck_assert_uint_eq(gas(5, in, 96), 57646178309547468ULL);
    bytes_free(&out);
}
END_TEST

START_TEST(modexp_degenerate_inputs)
{
    uint8_t in[200];
    struct bytes out = BYTES_INIT;

    /* Empty input: all lengths 0 → free, empty output. */
    ck_assert_uint_eq(gas(5, NULL, 0), 0);
    ck_assert_int_eq(run(5, NULL, 0, &out), 0);
    ck_assert_uint_eq(out.len, 0);

    /* Base and modulus length 0: free whatever len_e says (even 2^256−1),
     * empty output, and the exponent is never read. */
    memset(in, 0, 96);
    memset(in + 32, 0xff, 32);
    ck_assert_uint_eq(gas(5, in, 96), 0);
    ck_assert_int_eq(run(5, in, 96, &out), 0);
    ck_assert_uint_eq(out.len, 0);

    /* Zero modulus: len_m zero bytes. 2^3 mod 0 → 000000. */
    const uint8_t t1[] = {2, 3, 0, 0, 0};
    size_t n = modexp_input(in, 1, 1, 3, t1, sizeof t1);
    ck_assert_int_eq(run(5, in, n, &out), 0);
    assert_out_hex(&out, "000000");

    /* Base length 0 is base 0: 0^0 = 1, 0^2 = 0 (mod 5). */
    const uint8_t t2[] = {0, 5};
    n = modexp_input(in, 0, 1, 1, t2, sizeof t2);
    ck_assert_int_eq(run(5, in, n, &out), 0);
    assert_out_hex(&out, "01");
    const uint8_t t3[] = {2, 5};
    n = modexp_input(in, 0, 1, 1, t3, sizeof t3);
    ck_assert_int_eq(run(5, in, n, &out), 0);
    assert_out_hex(&out, "00");
    /* Exponent length 0 is exponent 0: 7^0 mod 5 = 1; mod 1 gives 0. */
    const uint8_t t4[] = {7, 5};
    n = modexp_input(in, 1, 0, 1, t4, sizeof t4);
    ck_assert_int_eq(run(5, in, n, &out), 0);
    assert_out_hex(&out, "01");
    const uint8_t t5[] = {7, 1};
    n = modexp_input(in, 1, 0, 1, t5, sizeof t5);
    ck_assert_int_eq(run(5, in, n, &out), 0);
    assert_out_hex(&out, "00");

    /* A short input is right-padded: modulus 01 followed by a missing byte
     * is 0x0100 = 256, so 3^2 mod 256 = 9, as 2 bytes. */
    const uint8_t t6[] = {3, 2, 1};
    n = modexp_input(in, 1, 1, 2, t6, sizeof t6);
    ck_assert_int_eq(run(5, in, n, &out), 0);
    assert_out_hex(&out, "0009");
    /* Cut inside the exponent: the modulus is all padding, so 0. */
    const uint8_t t7[] = {3, 2};
    n = modexp_input(in, 1, 4, 2, t7, sizeof t7);
    ck_assert_int_eq(run(5, in, n, &out), 0);
    assert_out_hex(&out, "0000");
    /* Bytes past the modulus are ignored; a small result is left-padded. */
    const uint8_t t8[] = {2, 10, 0, 0, 0, 0x10, 0, 0xaa, 0xbb};
    n = modexp_input(in, 1, 1, 5, t8, sizeof t8);
    ck_assert_int_eq(run(5, in, n, &out), 0);
    assert_out_hex(&out, "0000000400"); /* 2^10 mod 0x1000 = 0x400 */
    bytes_free(&out);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* 0x06..0x08 alt_bn128 */

/* The G1 generator (1, 2) and 2·G1 (EIP-196 test vectors / py_ecc). */
#define G1_HEX "0000000000000000000000000000000000000000000000000000000000000001" \
               "0000000000000000000000000000000000000000000000000000000000000002"
#define G1_2_HEX "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3" \
                 "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"
/* −G1 = (1, p − 2). */
#define G1_NEG_HEX "0000000000000000000000000000000000000000000000000000000000000001" \
                   "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45"
/* The G2 generator of EIP-197: x_im ‖ x_re ‖ y_im ‖ y_re. */
#define G2_HEX "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2" \
               "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed" \
               "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b" \
               "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
#define ZERO64_HEX "0000000000000000000000000000000000000000000000000000000000000000" \
                   "0000000000000000000000000000000000000000000000000000000000000000"

START_TEST(bn254_add_and_mul)
{
    uint8_t in[256];
    struct bytes out = BYTES_INIT;

    size_t n = unhex(G1_HEX G1_HEX, in, sizeof in);
    ck_assert_uint_eq(gas(6, in, n), 500);
    ck_assert_int_eq(run(6, in, n, &out), 0);
    assert_out_hex(&out, G1_2_HEX);
    /* Trailing bytes are ignored. */
    memset(in + n, 0x77, 64);
    ck_assert_int_eq(run(6, in, n + 64, &out), 0);
    assert_out_hex(&out, G1_2_HEX);
    /* Short: G1 + (missing = infinity) = G1; empty: O + O = O. */
    ck_assert_int_eq(run(6, in, 64, &out), 0);
    assert_out_hex(&out, G1_HEX);
    ck_assert_int_eq(run(6, NULL, 0, &out), 0);
    assert_out_hex(&out, ZERO64_HEX);
    /* G1 + (−G1) = O. */
    n = unhex(G1_HEX G1_NEG_HEX, in, sizeof in);
    ck_assert_int_eq(run(6, in, n, &out), 0);
    assert_out_hex(&out, ZERO64_HEX);
    /* (1, 3) is not on y^2 = x^3 + 3: the call fails. */
    n = unhex(G1_HEX G1_HEX, in, sizeof in);
    in[63] = 3;
    ck_assert_int_eq(run(6, in, n, &out), ERR_INVAL);
    ck_assert_uint_eq(out.len, 0);

    /* ECMUL: 2·G1; a missing scalar is 0 → infinity. */
    n = unhex(G1_HEX "0000000000000000000000000000000000000000000000000000000000000002", in,
              sizeof in);
    ck_assert_uint_eq(gas(7, in, n), 40000);
    ck_assert_int_eq(run(7, in, n, &out), 0);
    assert_out_hex(&out, G1_2_HEX);
    ck_assert_int_eq(run(7, in, 64, &out), 0);
    assert_out_hex(&out, ZERO64_HEX);
    /* A scalar cut after its byte 94 is right-padded: 0x..01 ‖ cut reads
     * as 0x..0100 = 256, whatever byte 95 held in the caller's memory. */
    in[94] = 1;
    in[95] = 0; /* scalar 256 */
    struct bytes full = BYTES_INIT;
    ck_assert_int_eq(run(7, in, 96, &full), 0);
    ck_assert_uint_eq(full.len, 64);
    in[95] = 5;
    ck_assert_int_eq(run(7, in, 95, &out), 0);
    ck_assert_uint_eq(out.len, 64);
    ck_assert_mem_eq(out.data, full.data, 64);
    ck_assert_int_eq(run(7, in, 96, &out), 0); /* scalar 261 differs */
    ck_assert(memcmp(out.data, full.data, 64) != 0);
    bytes_free(&full);
    /* Invalid point. */
    in[63] = 3;
    ck_assert_int_eq(run(7, in, 96, &out), ERR_INVAL);
    ck_assert_uint_eq(out.len, 0);
    bytes_free(&out);
}
END_TEST

START_TEST(bn254_pairing)
{
    uint8_t in[2 * 192 + 8];
    struct bytes out = BYTES_INIT;
    const char *one = "0000000000000000000000000000000000000000000000000000000000000001";
    const char *zero = "0000000000000000000000000000000000000000000000000000000000000000";

    /* Empty input: the empty product is 1. */
    ck_assert_uint_eq(gas(8, NULL, 0), 100000);
    ck_assert_int_eq(run(8, NULL, 0, &out), 0);
    assert_out_hex(&out, one);

    /* e(G1, G2) · e(−G1, G2) = 1; e(G1, G2) alone is not 1. */
    size_t n = unhex(G1_HEX G2_HEX G1_NEG_HEX G2_HEX, in, sizeof in);
    ck_assert_uint_eq(n, 384);
    ck_assert_uint_eq(gas(8, in, n), 100000 + 2 * 80000);
    ck_assert_int_eq(run(8, in, n, &out), 0);
    assert_out_hex(&out, one);
    ck_assert_uint_eq(gas(8, in, 192), 180000);
    ck_assert_int_eq(run(8, in, 192, &out), 0);
    assert_out_hex(&out, zero);

    /* Not a multiple of 192: the call fails (after paying for 1 pair). */
    ck_assert_uint_eq(gas(8, in, 193), 180000);
    ck_assert_int_eq(run(8, in, 191, &out), ERR_INVAL);
    ck_assert_uint_eq(out.len, 0);
    ck_assert_int_eq(run(8, in, 193, &out), ERR_INVAL);
    /* A G1 point off the curve fails the call. */
    in[63] = 3;
    ck_assert_int_eq(run(8, in, 192, &out), ERR_INVAL);
    ck_assert_uint_eq(out.len, 0);
    bytes_free(&out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("precompile");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fork_names_round_trip);
    tcase_add_test(tc, precompile_set_depends_on_fork);
    tcase_add_test(tc, ecrecover_recovers_and_accepts_high_s);
    tcase_add_test(tc, ecrecover_invalid_succeeds_empty);
    tcase_add_test(tc, ecrecover_short_input_is_zero_padded);
    tcase_add_test(tc, hashes_and_identity);
    tcase_add_test(tc, modexp_eip198_examples);
    tcase_add_test(tc, modexp_matches_reference);
    tcase_add_test(tc, modexp_gas_formula);
    tcase_add_test(tc, modexp_huge_lengths_saturate);
    tcase_add_test(tc, modexp_degenerate_inputs);
    tcase_add_test(tc, bn254_add_and_mul);
    tcase_add_test(tc, bn254_pairing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
