/*
 * test_u256.c — unit tests for the 256-bit arithmetic.
 *
 * Two kinds of test. Differential: every operation is run on tens of
 * thousands of operands drawn from a fixed-seed generator that favours the
 * places where limb arithmetic breaks (0, 1, 2^64, 2^128, 2^192, 2^255,
 * 2^256-1 and their neighbours, powers of two ±1, one/two/three-limb
 * values, limbs of all zeros/all ones/top bit only, equal operands), and
 * compared bit for bit with OpenSSL's BIGNUM, with the signed operations
 * emulated in two's complement over BIGNUM. Bitwise operations, which
 * BIGNUM lacks, are compared with a byte-by-byte reference. Every
 * operation is also run with the result aliasing each input. A failure
 * prints the operands, and the fixed seeds make it reproducible.
 * Explicit: the EVM edge cases written out with hand-derived results.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include "primitives/u256.h"
#include "util/err.h"

#define ITERS 30000

/* ---- fixed-seed generator (splitmix64) ---------------------------------- */

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
    rng_state = s;
}

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static u256 mk(uint64_t w3, uint64_t w2, uint64_t w1, uint64_t w0)
{
    u256 r = {{w0, w1, w2, w3}};
    return r;
}

static bool same(const u256 *a, const u256 *b)
{
    return memcmp(a->w, b->w, sizeof a->w) == 0;
}

/* 2^k for k < 256, written limb by limb. */
static u256 pow2(unsigned k)
{
    u256 r = mk(0, 0, 0, 0);
    r.w[k / 64] = (uint64_t)1 << (k % 64);
    return r;
}

/* base + d for a small signed d, limb by limb with carries. */
static u256 offset(u256 base, int d)
{
    if (d >= 0) {
        for (int i = 0; i < 4 && d; i++) {
            uint64_t old = base.w[i];
            base.w[i] += (uint64_t)d;
            d = base.w[i] < old ? 1 : 0;
        }
    } else {
        uint64_t m = (uint64_t)-(int64_t)d;
        for (int i = 0; i < 4 && m; i++) {
            uint64_t old = base.w[i];
            base.w[i] -= m;
            m = base.w[i] > old ? 1 : 0;
        }
    }
    return base;
}

static uint64_t pattern_limb(void)
{
    static const uint64_t p[] = {0, 1, UINT64_MAX, 0x8000000000000000ULL,
                                 0x7fffffffffffffffULL, UINT64_MAX - 1};
    unsigned k = (unsigned)(rnd() % 8);
    return k < 6 ? p[k] : rnd();
}

/* One operand, drawn from a mix of shapes that stress carries, borrows and
 * the quotient estimate of long division. */
static u256 gen(void)
{
    int d = (int)(rnd() % 7) - 3;
    switch (rnd() % 15) {
    case 0: return mk(rnd(), rnd(), rnd(), rnd());
    case 1: return mk(0, 0, 0, rnd() % 17);
    case 2: return offset(pow2(64), d);
    case 3: return offset(pow2(128), d);
    case 4: return offset(pow2(192), d);
    case 5: return offset(pow2(255), d);
    case 6: return offset(mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX), -(int)(rnd() % 5));
    case 7: return offset(pow2((unsigned)(rnd() % 256)), (int)(rnd() % 3) - 1);
    case 8: return mk(0, 0, 0, rnd());
    case 9: return mk(0, 0, rnd(), rnd());
    case 10: return mk(0, rnd(), rnd(), rnd());
    case 11: return mk(pattern_limb(), pattern_limb(), pattern_limb(), pattern_limb());
    case 12: {
        u256 v = mk(rnd(), rnd(), rnd(), rnd());
        unsigned bits = 1 + (unsigned)(rnd() % 256);
        for (unsigned i = bits; i < 256; i++)
            v.w[i / 64] &= ~((uint64_t)1 << (i % 64));
        return v;
    }
    case 13: return offset(mk(0, 0, 0, 0), -(int)(rnd() % 17)); /* -0..-16 */
    default: {
        /* top limb from the patterns, the rest random: divisor top limbs
         * that normalize to exactly 2^63 or all ones */
        return mk(pattern_limb(), rnd(), rnd(), rnd());
    }
    }
}

/* A second operand related to the first often enough to hit a == b,
 * a == b ± 1 and a multiple of b. */
static u256 gen_related(const u256 *a)
{
    switch (rnd() % 20) {
    case 0: return *a;
    case 1: return offset(*a, 1);
    case 2: return offset(*a, -1);
    case 3: {
        /* a shifted right by a few limbs or bits: a divisor that fits
         * the dividend many times */
        u256 v = *a;
        unsigned n = (unsigned)(rnd() % 200);
        u256 r = mk(0, 0, 0, 0);
        for (unsigned i = 0; i + n < 256; i++)
            if ((v.w[(i + n) / 64] >> ((i + n) % 64)) & 1)
                r.w[i / 64] |= (uint64_t)1 << (i % 64);
        return r;
    }
    default: return gen();
    }
}

/* ---- conversion to and from BIGNUM -------------------------------------- */

static BN_CTX *ctx;
static BIGNUM *two256, *ba, *bb, *bc, *bw, *bt;

static void setup(void)
{
    ctx = BN_CTX_new();
    two256 = BN_new();
    ba = BN_new();
    bb = BN_new();
    bc = BN_new();
    bw = BN_new();
    bt = BN_new();
    ck_assert_ptr_nonnull(ctx);
    ck_assert_ptr_nonnull(bt);
    BN_one(two256);
    BN_lshift(two256, two256, 256);
}

static void teardown(void)
{
    BN_free(two256);
    BN_free(ba);
    BN_free(bb);
    BN_free(bc);
    BN_free(bw);
    BN_free(bt);
    BN_CTX_free(ctx);
}

/* Big-endian bytes of x, written without the code under test. */
static void limbs_to_be(const u256 *x, uint8_t be[32])
{
    for (int i = 0; i < 32; i++)
        be[31 - i] = (uint8_t)(x->w[i / 8] >> (8 * (i % 8)));
}

static u256 be_to_limbs(const uint8_t be[32])
{
    u256 r = mk(0, 0, 0, 0);
    for (int i = 0; i < 32; i++)
        r.w[i / 8] |= (uint64_t)be[31 - i] << (8 * (i % 8));
    return r;
}

static void bn_set(BIGNUM *bn, const u256 *x)
{
    uint8_t be[32];
    limbs_to_be(x, be);
    BN_zero(bn); /* BN_bin2bn keeps an old sign when the input is zero */
    ck_assert_ptr_nonnull(BN_bin2bn(be, 32, bn));
}

/* x read as two's complement. */
static void bn_set_signed(BIGNUM *bn, const u256 *x)
{
    bn_set(bn, x);
    if (x->w[3] >> 63)
        BN_sub(bn, bn, two256);
}

/* bn mod 2^256 (negative values wrap as two's complement). */
static u256 bn_get(const BIGNUM *bn)
{
    uint8_t be[32];
    ck_assert(BN_nnmod(bt, bn, two256, ctx));
    ck_assert_int_eq(BN_bn2binpad(bt, be, 32), 32);
    return be_to_limbs(be);
}

/* ---- failure reporting --------------------------------------------------- */

static const char *hx(const u256 *x)
{
    static char ring[8][68];
    static unsigned k;
    char *s = ring[k++ % 8];
    snprintf(s, 68, "0x%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64,
             x->w[3], x->w[2], x->w[1], x->w[0]);
    return s;
}

/* Fails the test with all operands when got != want. Check's own asserts
 * mark a point per call, too slow for millions of comparisons. */
static void expect(const char *op, const u256 *got, const u256 *want,
                   const u256 *a, const u256 *b, const u256 *c)
{
    if (same(got, want))
        return;
    ck_abort_msg("%s: a=%s b=%s c=%s got=%s want=%s", op, hx(a), b ? hx(b) : "-",
                 c ? hx(c) : "-", hx(got), hx(want));
}

static void expect_bool(const char *op, bool got, bool want, const u256 *a, const u256 *b)
{
    if (got == want)
        return;
    ck_abort_msg("%s: a=%s b=%s got=%d want=%d", op, hx(a), b ? hx(b) : "-", got, want);
}

/* Runs a binary op plainly and with r aliasing a, then b; all must agree
 * with want. */
typedef void (*binop)(u256 *, const u256 *, const u256 *);

static void check_binop(const char *op, binop f, const u256 *a, const u256 *b, const u256 *want)
{
    u256 r, x = *a, y = *b;
    f(&r, a, b);
    expect(op, &r, want, a, b, NULL);
    f(&x, &x, b);
    expect(op, &x, want, a, b, NULL);
    f(&y, a, &y);
    expect(op, &y, want, a, b, NULL);
    x = *a;
    f(&x, &x, &x); /* a op a */
    u256 self;
    f(&self, a, a);
    expect(op, &x, &self, a, a, NULL);
}

/* ---- differential tests ------------------------------------------------- */

START_TEST(diff_add_sub_mul)
{
    rng_seed(0x5eed0001);
    for (int it = 0; it < ITERS; it++) {
        u256 a = gen(), b = gen_related(&a), want, r;
        bn_set(ba, &a);
        bn_set(bb, &b);

        BN_add(bw, ba, bb);
        want = bn_get(bw);
        check_binop("add", u256_add, &a, &b, &want);
        expect_bool("add_overflow", u256_add_overflow(&r, &a, &b), BN_cmp(bw, two256) >= 0, &a, &b);
        expect("add_overflow result", &r, &want, &a, &b, NULL);

        BN_sub(bw, ba, bb);
        want = bn_get(bw);
        check_binop("sub", u256_sub, &a, &b, &want);

        BN_mul(bw, ba, bb, ctx);
        want = bn_get(bw);
        check_binop("mul", u256_mul, &a, &b, &want);
        expect_bool("mul_overflow", u256_mul_overflow(&r, &a, &b), BN_num_bits(bw) > 256, &a, &b);
        expect("mul_overflow result", &r, &want, &a, &b, NULL);
        u256 x = a;
        u256_mul_overflow(&x, &x, &b);
        expect("mul_overflow aliased", &x, &want, &a, &b, NULL);

        BN_zero(bc);
        BN_sub(bw, bc, ba);
        want = bn_get(bw);
        u256_neg(&r, &a);
        expect("neg", &r, &want, &a, NULL, NULL);
    }
}
END_TEST

START_TEST(diff_div_mod)
{
    rng_seed(0x5eed0002);
    for (int it = 0; it < ITERS; it++) {
        u256 a = gen(), b = gen_related(&a), want;
        if (rnd() % 4 == 0) { /* divisor chosen on its own shape only */
            b = gen();
        }
        bn_set(ba, &a);
        bn_set(bb, &b);
        bool zero = BN_is_zero(bb);

        if (zero)
            BN_zero(bw);
        else
            ck_assert(BN_div(bw, NULL, ba, bb, ctx));
        want = bn_get(bw);
        check_binop("div", u256_div, &a, &b, &want);

        if (zero)
            BN_zero(bw);
        else
            ck_assert(BN_mod(bw, ba, bb, ctx));
        want = bn_get(bw);
        check_binop("mod", u256_mod, &a, &b, &want);

        /* Signed: BN_div truncates toward zero and gives the remainder the
         * dividend's sign, which is what SDIV and SMOD specify. */
        bn_set_signed(ba, &a);
        bn_set_signed(bb, &b);
        if (zero) {
            BN_zero(bw);
            BN_zero(bc);
        } else {
            ck_assert(BN_div(bw, bc, ba, bb, ctx));
        }
        want = bn_get(bw);
        check_binop("sdiv", u256_sdiv, &a, &b, &want);
        want = bn_get(bc);
        check_binop("smod", u256_smod, &a, &b, &want);
    }
}
END_TEST

typedef void (*triop)(u256 *, const u256 *, const u256 *, const u256 *);

static void check_triop(const char *op, triop f, const u256 *a, const u256 *b,
                        const u256 *n, const u256 *want)
{
    u256 r, x;
    f(&r, a, b, n);
    expect(op, &r, want, a, b, n);
    x = *a;
    f(&x, &x, b, n);
    expect(op, &x, want, a, b, n);
    x = *b;
    f(&x, a, &x, n);
    expect(op, &x, want, a, b, n);
    x = *n;
    f(&x, a, b, &x);
    expect(op, &x, want, a, b, n);
}

START_TEST(diff_addmod_mulmod)
{
    rng_seed(0x5eed0003);
    for (int it = 0; it < ITERS; it++) {
        u256 a = gen(), b = gen_related(&a), n = gen_related(&b), want;
        if (rnd() % 3 == 0)
            n = gen();
        bn_set(ba, &a);
        bn_set(bb, &b);
        bn_set(bc, &n);
        bool zero = BN_is_zero(bc);

        if (zero)
            BN_zero(bw);
        else
            ck_assert(BN_mod_add(bw, ba, bb, bc, ctx));
        want = bn_get(bw);
        check_triop("addmod", u256_addmod, &a, &b, &n, &want);

        if (zero)
            BN_zero(bw);
        else
            ck_assert(BN_mod_mul(bw, ba, bb, bc, ctx));
        want = bn_get(bw);
        check_triop("mulmod", u256_mulmod, &a, &b, &n, &want);
    }
}
END_TEST

START_TEST(diff_exp)
{
    rng_seed(0x5eed0004);
    for (int it = 0; it < ITERS; it++) {
        u256 a = gen(), e;
        switch (rnd() % 4) {
        case 0: e = mk(0, 0, 0, rnd() % 300); break;
        case 1: e = mk(0, 0, 0, rnd()); break;
        default: e = gen(); break;
        }
        bn_set(ba, &a);
        bn_set(bb, &e);
        ck_assert(BN_mod_exp(bw, ba, bb, two256, ctx));
        u256 want = bn_get(bw);
        check_binop("exp", u256_exp, &a, &e, &want);
    }
}
END_TEST

START_TEST(diff_compare)
{
    rng_seed(0x5eed0005);
    for (int it = 0; it < ITERS; it++) {
        u256 a = gen(), b = gen_related(&a);
        bn_set(ba, &a);
        bn_set(bb, &b);
        int c = BN_cmp(ba, bb);
        expect_bool("lt", u256_lt(&a, &b), c < 0, &a, &b);
        expect_bool("gt", u256_gt(&a, &b), c > 0, &a, &b);
        expect_bool("eq", u256_eq(&a, &b), c == 0, &a, &b);
        int got = u256_cmp(&a, &b);
        if (got != (c > 0) - (c < 0))
            ck_abort_msg("cmp: a=%s b=%s got=%d want=%d", hx(&a), hx(&b), got, c);
        expect_bool("iszero", u256_iszero(&a), BN_is_zero(ba), &a, NULL);
        expect_bool("fits_u64", u256_fits_u64(&a), BN_num_bits(ba) <= 64, &a, NULL);
        if (u256_bit_len(&a) != (unsigned)BN_num_bits(ba))
            ck_abort_msg("bit_len: a=%s got=%u", hx(&a), u256_bit_len(&a));
        if (u256_byte_len(&a) != (unsigned)BN_num_bytes(ba))
            ck_abort_msg("byte_len: a=%s got=%u", hx(&a), u256_byte_len(&a));

        bn_set_signed(ba, &a);
        bn_set_signed(bb, &b);
        c = BN_cmp(ba, bb);
        expect_bool("slt", u256_slt(&a, &b), c < 0, &a, &b);
        expect_bool("sgt", u256_sgt(&a, &b), c > 0, &a, &b);
    }
}
END_TEST

START_TEST(diff_bitwise)
{
    rng_seed(0x5eed0006);
    for (int it = 0; it < ITERS; it++) {
        u256 a = gen(), b = gen_related(&a), want, r;
        uint8_t x[32], y[32], z[32];
        limbs_to_be(&a, x);
        limbs_to_be(&b, y);
        for (int i = 0; i < 32; i++)
            z[i] = x[i] & y[i];
        want = be_to_limbs(z);
        check_binop("and", u256_and, &a, &b, &want);
        for (int i = 0; i < 32; i++)
            z[i] = x[i] | y[i];
        want = be_to_limbs(z);
        check_binop("or", u256_or, &a, &b, &want);
        for (int i = 0; i < 32; i++)
            z[i] = x[i] ^ y[i];
        want = be_to_limbs(z);
        check_binop("xor", u256_xor, &a, &b, &want);
        for (int i = 0; i < 32; i++)
            z[i] = (uint8_t)~x[i];
        want = be_to_limbs(z);
        u256_not(&r, &a);
        expect("not", &r, &want, &a, NULL, NULL);
        r = a;
        u256_not(&r, &r);
        expect("not aliased", &r, &want, &a, NULL, NULL);
    }
}
END_TEST

/* A shift amount or index: mostly in or near the interesting range, some
 * any shape (huge values must behave like >= 256). */
static u256 gen_small_arg(unsigned range)
{
    return rnd() % 4 ? mk(0, 0, 0, rnd() % range) : gen();
}

START_TEST(diff_shift_byte_signextend)
{
    rng_seed(0x5eed0007);
    for (int it = 0; it < ITERS; it++) {
        u256 x = gen(), s = gen_small_arg(300), want;
        bool big = !(s.w[1] == 0 && s.w[2] == 0 && s.w[3] == 0 && s.w[0] < 256);
        int n = big ? 256 : (int)s.w[0];

        bn_set(ba, &x);
        if (big)
            BN_zero(bw);
        else
            BN_lshift(bw, ba, n);
        want = bn_get(bw);
        check_binop("shl", u256_shl, &s, &x, &want);

        if (big)
            BN_zero(bw);
        else
            BN_rshift(bw, ba, n);
        want = bn_get(bw);
        check_binop("shr", u256_shr, &s, &x, &want);

        /* SAR is floor division by 2^n; BN_rshift of a negative number
         * truncates, so use -((-x - 1) >> n) - 1 for x < 0. */
        bn_set_signed(ba, &x);
        if (BN_is_negative(ba)) {
            BN_set_negative(ba, 0);
            BN_sub_word(ba, 1);
            if (big)
                BN_zero(bw);
            else
                BN_rshift(bw, ba, n);
            BN_add_word(bw, 1);
            BN_set_negative(bw, 1);
        } else {
            if (big)
                BN_zero(bw);
            else
                BN_rshift(bw, ba, n);
        }
        want = bn_get(bw);
        check_binop("sar", u256_sar, &s, &x, &want);

        /* BYTE: (x >> 8*(31-i)) & 0xff */
        u256 i = gen_small_arg(40);
        bn_set(ba, &x);
        if (u256_fits_u64(&i) && i.w[0] < 32) {
            BN_rshift(bw, ba, 8 * (31 - (int)i.w[0]));
            BN_mask_bits(bw, 8);
        } else {
            BN_zero(bw);
        }
        want = bn_get(bw);
        check_binop("byte", u256_byte, &i, &x, &want);

        /* SIGNEXTEND: keep bits 0..t (t = 8b+7); if bit t is set add
         * 2^256 - 2^(t+1). */
        u256 b = gen_small_arg(40);
        if (u256_fits_u64(&b) && b.w[0] < 31) {
            int t = 8 * (int)b.w[0] + 7;
            bool neg = BN_is_bit_set(ba, t);
            BN_copy(bw, ba);
            BN_mask_bits(bw, t + 1);
            if (neg) {
                BN_one(bc);
                BN_lshift(bc, bc, t + 1);
                BN_add(bw, bw, two256);
                BN_sub(bw, bw, bc);
            }
        } else {
            BN_copy(bw, ba);
        }
        want = bn_get(bw);
        check_binop("signextend", u256_signextend, &b, &x, &want);
    }
}
END_TEST

START_TEST(diff_text_and_bytes)
{
    rng_seed(0x5eed0008);
    for (int it = 0; it < ITERS; it++) {
        u256 a = gen(), r;
        bn_set(ba, &a);

        char dec[U256_DEC_BUF];
        size_t n = u256_to_dec(&a, dec);
        char *want = BN_bn2dec(ba);
        ck_assert_ptr_nonnull(want);
        if (strcmp(dec, want) != 0 || n != strlen(want))
            ck_abort_msg("to_dec: a=%s got=%s want=%s", hx(&a), dec, want);
        OPENSSL_free(want);
        if (u256_from_dec(&r, dec, n) != 0)
            ck_abort_msg("from_dec failed on %s", dec);
        expect("dec round trip", &r, &a, &a, NULL, NULL);
        ck_assert_int_eq(u256_from_str(&r, dec, n), 0);
        expect("from_str dec", &r, &a, &a, NULL, NULL);

        char hex[U256_HEX_BUF];
        n = u256_to_hex_quantity(&a, hex);
        /* BN_bn2hex: uppercase, whole bytes, "0" for zero. */
        want = BN_bn2hex(ba);
        ck_assert_ptr_nonnull(want);
        const char *w = want;
        while (w[0] == '0' && w[1])
            w++;
        char lower[80];
        size_t wl = strlen(w);
        for (size_t i = 0; i <= wl; i++)
            lower[i] = (char)(w[i] >= 'A' && w[i] <= 'F' ? w[i] + 32 : w[i]);
        if (strncmp(hex, "0x", 2) != 0 || strcmp(hex + 2, lower) != 0 || n != wl + 2)
            ck_abort_msg("to_hex_quantity: a=%s got=%s want=0x%s", hx(&a), hex, lower);
        OPENSSL_free(want);
        if (u256_from_hex(&r, hex, n) != 0)
            ck_abort_msg("from_hex failed on %s", hex);
        expect("hex round trip", &r, &a, &a, NULL, NULL);
        ck_assert_int_eq(u256_from_str(&r, hex, n), 0);
        expect("from_str hex", &r, &a, &a, NULL, NULL);
        /* the unprefixed, zero-padded 64-digit form reads back too */
        const char *full = hx(&a) + 2;
        ck_assert_int_eq(u256_from_hex(&r, full, 64), 0);
        expect("hex 64 digits", &r, &a, &a, NULL, NULL);

        uint8_t be[32], ref[32];
        u256_to_be(&a, be);
        limbs_to_be(&a, ref);
        ck_assert_mem_eq(be, ref, 32);
        unsigned len = u256_byte_len(&a);
        ck_assert_int_eq(u256_from_be(&r, be + 32 - len, len), 0);
        expect("from_be minimal", &r, &a, &a, NULL, NULL);

        uint64_t v = 12345;
        int rc = u256_to_u64_checked(&v, &a);
        if (BN_num_bits(ba) <= 64) {
            ck_assert_int_eq(rc, 0);
            ck_assert_uint_eq(v, a.w[0]);
        } else {
            ck_assert_int_eq(rc, ERR_RANGE);
            ck_assert_uint_eq(v, 12345);
        }
    }
}
END_TEST

/* ---- explicit edge cases ------------------------------------------------ */

static const u256 ZERO = {{0, 0, 0, 0}};
static const u256 ONE = {{1, 0, 0, 0}};
static const u256 MAX = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};

static u256 neg_small(uint64_t v)
{
    return offset(mk(0, 0, 0, 0), -(int)v);
}

static void eq(const char *what, const u256 *got, const u256 *want)
{
    if (!same(got, want))
        ck_abort_msg("%s: got=%s want=%s", what, hx(got), hx(want));
}

START_TEST(division_edges)
{
    u256 r, min = pow2(255), m1 = MAX, seven = mk(0, 0, 0, 7), two = mk(0, 0, 0, 2);
    const u256 xs[] = {ZERO, ONE, MAX, min};
    for (size_t i = 0; i < 4; i++) {
        u256_div(&r, &xs[i], &ZERO);
        eq("x/0", &r, &ZERO);
        u256_mod(&r, &xs[i], &ZERO);
        eq("x%0", &r, &ZERO);
        u256_sdiv(&r, &xs[i], &ZERO);
        eq("sdiv x/0", &r, &ZERO);
        u256_smod(&r, &xs[i], &ZERO);
        eq("smod x%0", &r, &ZERO);
    }
    /* -2^255 / -1 overflows to -2^255 */
    u256_sdiv(&r, &min, &m1);
    eq("sdiv min/-1", &r, &min);
    u256_smod(&r, &min, &m1);
    eq("smod min%-1", &r, &ZERO);
    u256_sdiv(&r, &min, &ONE);
    eq("sdiv min/1", &r, &min);
    /* truncation toward zero; remainder takes the dividend's sign */
    u256 n7 = neg_small(7), n2 = neg_small(2), want;
    u256_sdiv(&r, &n7, &two);
    want = neg_small(3);
    eq("-7/2", &r, &want);
    u256_sdiv(&r, &seven, &n2);
    eq("7/-2", &r, &want);
    u256_sdiv(&r, &n7, &n2);
    want = mk(0, 0, 0, 3);
    eq("-7/-2", &r, &want);
    u256_smod(&r, &n7, &two);
    eq("-7%2", &r, &m1);
    u256_smod(&r, &seven, &n2);
    eq("7%-2", &r, &ONE);
    u256_smod(&r, &n7, &n2);
    eq("-7%-2", &r, &m1);
    /* unsigned view of the same bits: (2^256-7) / 2 */
    u256_div(&r, &n7, &two);
    want = mk(0x7fffffffffffffffULL, UINT64_MAX, UINT64_MAX, UINT64_MAX - 3);
    eq("max-6 / 2", &r, &want);

    /* A case where the first quotient-digit estimate survives the two-limb
     * test and is still one too large, so the add-back step runs
     * (the 64-bit-limb form of the classic 16-bit example in Hacker's
     * Delight, divmnu). u = 2^255 - 2^191, v = 2^191 + 1:
     * (2^64-1)v = 2^255 - 2^191 + 2^64 - 1 > u, so q = 2^64 - 2 and
     * r = u - qv = 2^191 - 2^64 + 2. */
    u256 u = mk(0x7fffffffffffffffULL, 0x8000000000000000ULL, 0, 0);
    u256 v = mk(0, 0x8000000000000000ULL, 0, 1);
    u256_div(&r, &u, &v);
    want = mk(0, 0, 0, UINT64_MAX - 1);
    eq("add-back quotient", &r, &want);
    u256_mod(&r, &u, &v);
    want = mk(0, 0x7fffffffffffffffULL, UINT64_MAX, 2);
    eq("add-back remainder", &r, &want);

    /* max / max = 1, max / (max-1) = 1 rem 1, x / 1 = x, small / big = 0 */
    u256_div(&r, &MAX, &MAX);
    eq("max/max", &r, &ONE);
    u256 mm1 = offset(MAX, -1);
    u256_mod(&r, &MAX, &mm1);
    eq("max%(max-1)", &r, &ONE);
    u256_div(&r, &MAX, &ONE);
    eq("max/1", &r, &MAX);
    u256_div(&r, &seven, &MAX);
    eq("7/max", &r, &ZERO);
    u256_mod(&r, &seven, &MAX);
    eq("7%max", &r, &seven);
    /* 2^256-1 = 3·5·17·257·641·65537·274177·6700417·67280421310721·...:
     * divisible by 2^64+1 (= 274177 · 67280421310721). */
    u256 f = mk(0, 0, 1, 1);
    u256_mod(&r, &MAX, &f);
    eq("max % (2^64+1)", &r, &ZERO);
    u256_div(&r, &MAX, &f);
    want = mk(0, UINT64_MAX, 0, UINT64_MAX);
    eq("max / (2^64+1)", &r, &want);
}
END_TEST

START_TEST(addmod_mulmod_edges)
{
    u256 r, want, mm1 = offset(MAX, -1), three = mk(0, 0, 0, 3);
    /* n == 0 gives 0 */
    u256_addmod(&r, &MAX, &MAX, &ZERO);
    eq("addmod n=0", &r, &ZERO);
    u256_mulmod(&r, &MAX, &MAX, &ZERO);
    eq("mulmod n=0", &r, &ZERO);
    /* the carry past 2^256 counts: 2(2^256-1) = 2(2^256-2) + 2 */
    u256_addmod(&r, &MAX, &MAX, &mm1);
    want = mk(0, 0, 0, 2);
    eq("addmod max+max mod max-1", &r, &want);
    u256_addmod(&r, &MAX, &MAX, &MAX);
    eq("addmod max+max mod max", &r, &ZERO);
    /* 2^256 mod 3 = 4^128 mod 3 = 1 */
    u256_addmod(&r, &MAX, &ONE, &three);
    eq("addmod 2^256 mod 3", &r, &ONE);
    /* (2^256-1)^2 mod (2^256-2) = 1^2 */
    u256_mulmod(&r, &MAX, &MAX, &mm1);
    eq("mulmod max^2 mod max-1", &r, &ONE);
    u256_mulmod(&r, &MAX, &MAX, &MAX);
    eq("mulmod max^2 mod max", &r, &ZERO);
    /* (2^256-1)^2 = 2^512 - 2^257 + 1 ≡ 1 mod 2^255 */
    u256 p255 = pow2(255);
    u256_mulmod(&r, &MAX, &MAX, &p255);
    eq("mulmod max^2 mod 2^255", &r, &ONE);
    /* 2^256 mod 7 = 2 · 8^85 mod 7 = 2, so max ≡ 1 and max^2 ≡ 1 */
    u256 seven = mk(0, 0, 0, 7);
    u256_mulmod(&r, &MAX, &MAX, &seven);
    eq("mulmod max^2 mod 7", &r, &ONE);
    /* 2^128 · 2^128 = 2^256 ≡ -2 mod 2^255+1, i.e. 2^255 - 1 */
    u256 p128 = pow2(128), m = offset(p255, 1);
    u256_mulmod(&r, &p128, &p128, &m);
    want = offset(p255, -1);
    eq("mulmod 2^256 mod 2^255+1", &r, &want);
    /* the plain product would have wrapped to 0 */
    u256_mul(&r, &p128, &p128);
    eq("mul 2^128·2^128 wraps", &r, &ZERO);
    ck_assert(u256_mul_overflow(&r, &p128, &p128));
    u256 p127 = pow2(127);
    ck_assert(!u256_mul_overflow(&r, &p128, &p127));
    ck_assert(!u256_add_overflow(&r, &mm1, &ONE));
    ck_assert(u256_add_overflow(&r, &MAX, &ONE));
    eq("max+1 wraps", &r, &ZERO);
}
END_TEST

START_TEST(exp_edges)
{
    u256 r, want, two = mk(0, 0, 0, 2), three = mk(0, 0, 0, 3), e;
    u256_exp(&r, &ZERO, &ZERO);
    eq("0^0", &r, &ONE);
    u256_exp(&r, &ZERO, &ONE);
    eq("0^1", &r, &ZERO);
    u256_exp(&r, &ZERO, &MAX);
    eq("0^max", &r, &ZERO);
    u256_exp(&r, &ONE, &MAX);
    eq("1^max", &r, &ONE);
    u256_exp(&r, &MAX, &MAX);
    eq("(-1)^odd", &r, &MAX);
    u256_exp(&r, &MAX, &two);
    eq("(-1)^2", &r, &ONE);
    e = mk(0, 0, 0, 255);
    u256_exp(&r, &two, &e);
    want = pow2(255);
    eq("2^255", &r, &want);
    e = mk(0, 0, 0, 256);
    u256_exp(&r, &two, &e);
    eq("2^256", &r, &ZERO);
    u256_exp(&r, &two, &MAX);
    eq("2^max", &r, &ZERO);
    /* 3^(2^254): the order of 3 modulo 2^256 divides 2^254, so it is 1 */
    e = pow2(254);
    u256_exp(&r, &three, &e);
    eq("3^(2^254)", &r, &ONE);
    /* 3^161 = 0x...; check via repeated multiplication */
    want = ONE;
    for (int i = 0; i < 161; i++)
        u256_mul(&want, &want, &three);
    e = mk(0, 0, 0, 161);
    u256_exp(&r, &three, &e);
    eq("3^161", &r, &want);
}
END_TEST

START_TEST(signextend_every_byte)
{
    rng_seed(0x5eed0009);
    for (unsigned b = 0; b < 40; b++) {
        for (int k = 0; k < 64; k++) {
            u256 x = k < 2 ? (k ? MAX : ZERO) : mk(rnd(), rnd(), rnd(), rnd());
            if (k >= 2 && b < 31) { /* force each sign both ways */
                unsigned idx = b; /* byte b from the bottom */
                uint64_t bit = (uint64_t)0x80 << (8 * (idx % 8));
                if (k % 2)
                    x.w[idx / 8] |= bit;
                else
                    x.w[idx / 8] &= ~bit;
            }
            uint8_t be[32];
            limbs_to_be(&x, be);
            if (b < 31) {
                uint8_t fill = (be[31 - b] & 0x80) ? 0xff : 0x00;
                for (unsigned i = 0; i < 31 - b; i++)
                    be[i] = fill;
            }
            u256 want = be_to_limbs(be), bpos = mk(0, 0, 0, b), r;
            u256_signextend(&r, &bpos, &x);
            if (!same(&r, &want))
                ck_abort_msg("signextend b=%u x=%s got=%s want=%s", b, hx(&x), hx(&r), hx(&want));
        }
    }
    /* worked examples: 0xff from byte 0 is -1; 0x7f stays 0x7f */
    u256 r, b0 = ZERO, x = mk(0, 0, 0, 0xff);
    u256_signextend(&r, &b0, &x);
    eq("signextend 0xff", &r, &MAX);
    x = mk(0, 0, 0, 0x7f);
    u256_signextend(&r, &b0, &x);
    eq("signextend 0x7f", &r, &x);
    /* b beyond 64 bits leaves x unchanged */
    u256 huge = mk(1, 0, 0, 0), y = mk(0, 0, 0, 0x80);
    u256_signextend(&r, &huge, &y);
    eq("signextend huge b", &r, &y);
    huge = mk(0, 0, 1, 0);
    u256_signextend(&r, &huge, &y);
    eq("signextend b=2^64", &r, &y);
}
END_TEST

START_TEST(shift_and_byte_edges)
{
    u256 r, want, x = mk(0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x1111111111111111ULL,
                         0x8000000000000001ULL);
    u256 s0 = ZERO, s255 = mk(0, 0, 0, 255), s256 = mk(0, 0, 0, 256), s64 = mk(0, 0, 0, 64);
    u256 huge1 = mk(0, 0, 1, 0), huge2 = MAX, m = pow2(255);
    u256_shl(&r, &s0, &x);
    eq("shl 0", &r, &x);
    u256_shr(&r, &s0, &x);
    eq("shr 0", &r, &x);
    u256_sar(&r, &s0, &x);
    eq("sar 0", &r, &x);
    u256_shl(&r, &s255, &x);
    eq("shl 255 of odd", &r, &m);
    u256_shr(&r, &s255, &m);
    eq("shr 255 of 2^255", &r, &ONE);
    u256_sar(&r, &s255, &m);
    eq("sar 255 of -2^255", &r, &MAX);
    u256_sar(&r, &s255, &MAX);
    eq("sar 255 of -1", &r, &MAX);
    u256_shl(&r, &s64, &x);
    want = mk(0xfedcba9876543210ULL, 0x1111111111111111ULL, 0x8000000000000001ULL, 0);
    eq("shl 64 moves limbs", &r, &want);
    u256_shr(&r, &s64, &x);
    want = mk(0, 0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x1111111111111111ULL);
    eq("shr 64 moves limbs", &r, &want);
    const u256 *bigs[] = {&s256, &huge1, &huge2};
    u256 pos = mk(0x7fffffffffffffffULL, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    u256 neg = mk(0x8000000000000000ULL, 0, 0, 0);
    for (int i = 0; i < 3; i++) {
        u256_shl(&r, bigs[i], &MAX);
        eq("shl >= 256", &r, &ZERO);
        u256_shr(&r, bigs[i], &MAX);
        eq("shr >= 256", &r, &ZERO);
        u256_sar(&r, bigs[i], &neg);
        eq("sar >= 256 negative", &r, &MAX);
        u256_sar(&r, bigs[i], &pos);
        eq("sar >= 256 positive", &r, &ZERO);
    }

    /* BYTE: index 0 is the most significant byte, 31 the least */
    u256 i0 = ZERO, i31 = mk(0, 0, 0, 31), i32 = mk(0, 0, 0, 32), i2 = mk(0, 0, 0, 2);
    u256_byte(&r, &i0, &x);
    want = mk(0, 0, 0, 0x01);
    eq("byte 0", &r, &want);
    u256_byte(&r, &i2, &x);
    want = mk(0, 0, 0, 0x45);
    eq("byte 2", &r, &want);
    u256_byte(&r, &i31, &x);
    eq("byte 31", &r, &ONE);
    u256_byte(&r, &i32, &MAX);
    eq("byte 32", &r, &ZERO);
    u256_byte(&r, &huge1, &MAX);
    eq("byte 2^64", &r, &ZERO);
    u256 hi31 = mk(1, 0, 0, 31);
    u256_byte(&r, &hi31, &MAX);
    eq("byte 31 + 2^192", &r, &ZERO);
}
END_TEST

START_TEST(compare_edges)
{
    u256 min = pow2(255), maxpos = offset(min, -1);
    ck_assert(u256_slt(&min, &maxpos));
    ck_assert(u256_slt(&MAX, &ZERO));  /* -1 < 0 */
    ck_assert(u256_sgt(&ONE, &MAX));   /* 1 > -1 */
    ck_assert(u256_slt(&min, &MAX));   /* -2^255 < -1 */
    ck_assert(!u256_slt(&min, &min));
    ck_assert(u256_gt(&min, &maxpos));
    ck_assert(u256_lt(&ZERO, &MAX));
    ck_assert(!u256_lt(&MAX, &MAX));
    ck_assert_int_eq(u256_cmp(&MAX, &MAX), 0);
    ck_assert_int_eq(u256_cmp(&ZERO, &ONE), -1);
    ck_assert_int_eq(u256_cmp(&min, &ONE), 1);
    ck_assert(u256_iszero(&ZERO) && u256_is_zero(&ZERO));
    ck_assert(!u256_iszero(&min));
    ck_assert_uint_eq(u256_bit_len(&ZERO), 0);
    ck_assert_uint_eq(u256_bit_len(&ONE), 1);
    ck_assert_uint_eq(u256_bit_len(&MAX), 256);
    u256 mx = u256_max();
    eq("u256_max", &mx, &MAX);
}
END_TEST

static int parse(int (*f)(u256 *, const char *, size_t), const char *s, u256 *r)
{
    return f(r, s, strlen(s));
}

START_TEST(parsing)
{
    u256 r, want;
    const char *max_dec =
        "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    const char *two256_dec =
        "115792089237316195423570985008687907853269984665640564039457584007913129639936";
    const char *max_x10 =
        "1157920892373161954235709850086879078532699846656405640394575840079131296399350";

    ck_assert_int_eq(parse(u256_from_dec, max_dec, &r), 0);
    eq("dec max", &r, &MAX);
    ck_assert_int_eq(parse(u256_from_dec, two256_dec, &r), ERR_RANGE);
    ck_assert_int_eq(parse(u256_from_dec, max_x10, &r), ERR_RANGE);
    ck_assert_int_eq(parse(u256_from_dec, "0", &r), 0);
    eq("dec 0", &r, &ZERO);
    ck_assert_int_eq(parse(u256_from_dec, "000000000000000000000000000000000000000042", &r), 0);
    want = mk(0, 0, 0, 42);
    eq("dec leading zeros", &r, &want);
    ck_assert_int_eq(parse(u256_from_dec, "18446744073709551616", &r), 0);
    want = mk(0, 0, 1, 0);
    eq("dec 2^64", &r, &want);
    const char *bad_dec[] = {"", "-1", "+1", " 1", "1 ", "1.0", "12a", "0x10", "1e3", "\xd9\xa1"};
    for (size_t i = 0; i < sizeof bad_dec / sizeof *bad_dec; i++)
        ck_assert_msg(parse(u256_from_dec, bad_dec[i], &r) == ERR_DECODE, "dec '%s'", bad_dec[i]);
    ck_assert_int_eq(u256_from_dec(&r, "1\0" "2", 3), ERR_DECODE); /* embedded NUL */
    ck_assert_int_eq(u256_from_dec(&r, NULL, 0), ERR_DECODE);

    ck_assert_int_eq(parse(u256_from_hex, "0x1a", &r), 0);
    want = mk(0, 0, 0, 26);
    eq("hex 0x1a", &r, &want);
    ck_assert_int_eq(parse(u256_from_hex, "0X1A", &r), 0);
    eq("hex 0X1A", &r, &want);
    ck_assert_int_eq(parse(u256_from_hex, "1a", &r), 0);
    eq("hex no prefix", &r, &want);
    ck_assert_int_eq(parse(u256_from_hex, "0x0", &r), 0);
    eq("hex 0", &r, &ZERO);
    ck_assert_int_eq(parse(u256_from_hex, "0", &r), 0);
    eq("hex bare 0", &r, &ZERO);
    ck_assert_int_eq(parse(u256_from_hex,
        "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", &r), 0);
    eq("hex max", &r, &MAX);
    ck_assert_int_eq(parse(u256_from_hex,
        "0x00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", &r), 0);
    eq("hex max, extra leading zeros", &r, &MAX);
    ck_assert_int_eq(parse(u256_from_hex,
        "0x10000000000000000000000000000000000000000000000000000000000000000", &r), ERR_RANGE);
    ck_assert_int_eq(parse(u256_from_hex,
        "0x1000000000000000000000000000000000000000000000000000000000000000g", &r), ERR_DECODE);
    ck_assert_int_eq(parse(u256_from_hex, "0x8000000000000000", &r), 0);
    want = mk(0, 0, 0, 0x8000000000000000ULL);
    eq("hex 2^63", &r, &want);
    const char *bad_hex[] = {"", "0x", "0X", "x1", "0xg", "0x 1", "0x1 ", "-0x1", "0x-1", "0x0x1", "z"};
    for (size_t i = 0; i < sizeof bad_hex / sizeof *bad_hex; i++)
        ck_assert_msg(parse(u256_from_hex, bad_hex[i], &r) == ERR_DECODE, "hex '%s'", bad_hex[i]);

    ck_assert_int_eq(parse(u256_from_str, "0x10", &r), 0);
    want = mk(0, 0, 0, 16);
    eq("str hex", &r, &want);
    ck_assert_int_eq(parse(u256_from_str, "10", &r), 0);
    want = mk(0, 0, 0, 10);
    eq("str dec", &r, &want);
    ck_assert_int_eq(parse(u256_from_str, "", &r), ERR_DECODE);
    ck_assert_int_eq(parse(u256_from_str, "0x", &r), ERR_DECODE);
    ck_assert_int_eq(parse(u256_from_str, "ff", &r), ERR_DECODE); /* hex needs the prefix */
    ck_assert_int_eq(parse(u256_from_str, two256_dec, &r), ERR_RANGE);
    /* errors leave a reason */
    ck_assert_int_eq(parse(u256_from_str, "12x", &r), ERR_DECODE);
    ck_assert_str_ne(err_msg(), "");
}
END_TEST

START_TEST(formatting)
{
    char dec[U256_DEC_BUF], hex[U256_HEX_BUF];
    ck_assert_uint_eq(u256_to_dec(&ZERO, dec), 1);
    ck_assert_str_eq(dec, "0");
    ck_assert_uint_eq(u256_to_hex_quantity(&ZERO, hex), 3);
    ck_assert_str_eq(hex, "0x0");
    ck_assert_uint_eq(u256_to_dec(&MAX, dec), 78);
    ck_assert_str_eq(dec, "115792089237316195423570985008687907853269984665640564039457584007913129639935");
    ck_assert_uint_eq(u256_to_hex_quantity(&MAX, hex), 66);
    ck_assert_str_eq(hex, "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    u256 v = mk(0, 0, 0, 26);
    u256_to_hex_quantity(&v, hex);
    ck_assert_str_eq(hex, "0x1a");
    /* 10^19 exactly: the chunk boundary of the decimal writer */
    v = mk(0, 0, 0, 10000000000000000000ULL);
    u256_to_dec(&v, dec);
    ck_assert_str_eq(dec, "10000000000000000000");
    v = mk(0, 0, 1, 0);
    u256_to_dec(&v, dec);
    ck_assert_str_eq(dec, "18446744073709551616");
    u256_to_hex_quantity(&v, hex);
    ck_assert_str_eq(hex, "0x10000000000000000");

    /* to_u64_checked and from_be limits */
    uint64_t x = 7;
    u256 m64 = mk(0, 0, 0, UINT64_MAX);
    ck_assert_int_eq(u256_to_u64_checked(&x, &m64), 0);
    ck_assert_uint_eq(x, UINT64_MAX);
    v = mk(0, 0, 1, 0);
    x = 7;
    ck_assert_int_eq(u256_to_u64_checked(&x, &v), ERR_RANGE);
    ck_assert_uint_eq(x, 7);
    uint8_t buf[33] = {0};
    buf[32] = 5;
    ck_assert_int_eq(u256_from_be(&v, buf, 33), ERR_RANGE);
    ck_assert_int_eq(u256_from_be(&v, buf + 31, 2), 0);
    u256 five = mk(0, 0, 0, 5);
    eq("from_be short", &v, &five);
    ck_assert_int_eq(u256_from_be(&v, NULL, 0), 0);
    eq("from_be empty", &v, &ZERO);
}
END_TEST

/* An ABI / storage word as uint64: the low eight bytes when the high 24 are
 * zero; anything larger is refused and leaves *out alone. */
START_TEST(word_u64)
{
    uint8_t w[32] = {0};
    uint64_t v = 7;
    ck_assert(u256_word_u64(w, &v));
    ck_assert_uint_eq(v, 0);
    for (int i = 24; i < 32; i++)
        w[i] = 0xff;
    ck_assert(u256_word_u64(w, &v));
    ck_assert_uint_eq(v, UINT64_MAX);
    w[24] = 0x01;
    w[31] = 0x02;
    ck_assert(u256_word_u64(w, &v));
    ck_assert_uint_eq(v, 0x01ffffffffffff02ull);
    for (int i = 0; i < 24; i++) {
        uint8_t x[32] = {0};
        x[i] = 1;
        v = 7;
        ck_assert(!u256_word_u64(x, &v));
        ck_assert_uint_eq(v, 7);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("u256");
    TCase *diff = tcase_create("differential");
    tcase_add_checked_fixture(diff, setup, teardown);
    tcase_set_timeout(diff, 120);
    tcase_add_test(diff, diff_add_sub_mul);
    tcase_add_test(diff, diff_div_mod);
    tcase_add_test(diff, diff_addmod_mulmod);
    tcase_add_test(diff, diff_exp);
    tcase_add_test(diff, diff_compare);
    tcase_add_test(diff, diff_bitwise);
    tcase_add_test(diff, diff_shift_byte_signextend);
    tcase_add_test(diff, diff_text_and_bytes);
    suite_add_tcase(s, diff);

    TCase *edge = tcase_create("edges");
    tcase_add_test(edge, division_edges);
    tcase_add_test(edge, addmod_mulmod_edges);
    tcase_add_test(edge, exp_edges);
    tcase_add_test(edge, signextend_every_byte);
    tcase_add_test(edge, shift_and_byte_edges);
    tcase_add_test(edge, compare_edges);
    tcase_add_test(edge, parsing);
    tcase_add_test(edge, formatting);
    tcase_add_test(edge, word_u64);
    suite_add_tcase(s, edge);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
