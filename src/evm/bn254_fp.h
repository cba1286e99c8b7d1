/*
 * bn254_fp.h — internal to the bn254 code: the base field Fp of alt_bn128.
 *
 * p = 21888242871839275222246405745257275088696311157297823662689037894645226208583
 * (254 bits). An element is four 64-bit limbs, least significant first, in
 * Montgomery form (a·R mod p with R = 2^256), always fully reduced to [0, p).
 *
 * The hot operations are forced inline here so that the extension-field
 * code in the other bn254_*.c files gets them without a call.
 * Multiplication is Montgomery multiplication on unsigned __int128 limb
 * products (product scanning with interleaved reduction, see fp_mul); since
 * p < 2^254 there are two spare bits, which the lazy-reduction helpers
 * (fp_add_nr, fp_mul_wide, fp_redc) use to skip reductions inside Fp2.
 * Carries go through bn254_addc/bn254_subb: x86-64 intrinsics (adc/sbb)
 * when available, portable 128-bit arithmetic otherwise or when
 * BN254_PORTABLE is defined.
 *
 * Every function here is constant time except fp_inv_vartime and
 * fp_from_be's range check: no branch and no memory index depends on the
 * value of an element (reductions are masked subtractions). Values are
 * public in the EVM, but the field layer has no reason to leak.
 *
 * Not a public header: only src/evm/bn254*.c and the unit test include it.
 */
#ifndef SPECTRUM_EVM_BN254_FP_H
#define SPECTRUM_EVM_BN254_FP_H

#include <stdbool.h>
#include <stdint.h>
#if defined(__x86_64__) && !defined(BN254_PORTABLE)
#include <x86intrin.h>
#endif

typedef unsigned __int128 bn254_u128;

/* The small field operations are forced inline: gcc at -O2 otherwise keeps
 * some of them as calls, which costs more than their bodies. */
#define BN254_INLINE static inline __attribute__((always_inline))

typedef struct {
    uint64_t l[4];
} fp;

/* p, least significant limb first. */
#define BN254_P0 0x3c208c16d87cfd47ULL
#define BN254_P1 0x97816a916871ca8dULL
#define BN254_P2 0xb85045b68181585dULL
#define BN254_P3 0x30644e72e131a029ULL
/* -p^-1 mod 2^64 (derived with Python: (-pow(p, -1, 2**64)) % 2**64). */
#define BN254_PINV 0x87d20782e4866389ULL

/* 0 and 1 (1 is R mod p in Montgomery form). */
extern const fp fp_zero;
extern const fp fp_one;

/* Add/subtract with carry on 64-bit limbs. On x86-64 the compiler
 * intrinsics become adc/sbb chains (plain 128-bit arithmetic compiles to
 * about twice the instructions with gcc); elsewhere, 128-bit arithmetic. */
#if defined(__x86_64__) && !defined(BN254_PORTABLE)
BN254_INLINE unsigned char bn254_addc(unsigned char c, uint64_t a, uint64_t b, uint64_t *out)
{
    unsigned long long o;
    c = _addcarry_u64(c, a, b, &o);
    *out = o;
    return c;
}
BN254_INLINE unsigned char bn254_subb(unsigned char c, uint64_t a, uint64_t b, uint64_t *out)
{
    unsigned long long o;
    c = _subborrow_u64(c, a, b, &o);
    *out = o;
    return c;
}
#else
BN254_INLINE unsigned char bn254_addc(unsigned char c, uint64_t a, uint64_t b, uint64_t *out)
{
    bn254_u128 s = (bn254_u128)a + b + c;
    *out = (uint64_t)s;
    return (unsigned char)(s >> 64);
}
BN254_INLINE unsigned char bn254_subb(unsigned char c, uint64_t a, uint64_t b, uint64_t *out)
{
    bn254_u128 d = (bn254_u128)a - b - c;
    *out = (uint64_t)d;
    return (unsigned char)((d >> 64) & 1);
}
#endif

/* r = t - p if t >= p, else t; t < 2p. Constant time. */
BN254_INLINE void fp_reduce_once(fp *r, uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3)
{
    uint64_t s0, s1, s2, s3;
    unsigned char b = 0;
    b = bn254_subb(b, t0, BN254_P0, &s0);
    b = bn254_subb(b, t1, BN254_P1, &s1);
    b = bn254_subb(b, t2, BN254_P2, &s2);
    b = bn254_subb(b, t3, BN254_P3, &s3);
    /* borrow set: t < p, keep t. */
    const uint64_t keep = 0 - (uint64_t)b;
    r->l[0] = (t0 & keep) | (s0 & ~keep);
    r->l[1] = (t1 & keep) | (s1 & ~keep);
    r->l[2] = (t2 & keep) | (s2 & ~keep);
    r->l[3] = (t3 & keep) | (s3 & ~keep);
}

/* r = a + b without reduction (a + b < 2^256, e.g. both below 2p). */
BN254_INLINE void fp_add_nr(fp *r, const fp *a, const fp *b)
{
    unsigned char c = 0;
    c = bn254_addc(c, a->l[0], b->l[0], &r->l[0]);
    c = bn254_addc(c, a->l[1], b->l[1], &r->l[1]);
    c = bn254_addc(c, a->l[2], b->l[2], &r->l[2]);
    (void)bn254_addc(c, a->l[3], b->l[3], &r->l[3]);
}

/* r = a + b. */
BN254_INLINE void fp_add(fp *r, const fp *a, const fp *b)
{
    fp t;
    fp_add_nr(&t, a, b); /* < 2p < 2^255 */
    fp_reduce_once(r, t.l[0], t.l[1], t.l[2], t.l[3]);
}

/* r = 2a. */
BN254_INLINE void fp_dbl(fp *r, const fp *a)
{
    fp_add(r, a, a);
}

/* r = a - b. */
BN254_INLINE void fp_sub(fp *r, const fp *a, const fp *b)
{
    uint64_t t0, t1, t2, t3;
    unsigned char bw = 0, c = 0;
    bw = bn254_subb(bw, a->l[0], b->l[0], &t0);
    bw = bn254_subb(bw, a->l[1], b->l[1], &t1);
    bw = bn254_subb(bw, a->l[2], b->l[2], &t2);
    bw = bn254_subb(bw, a->l[3], b->l[3], &t3);
    /* a < b: add p back. */
    const uint64_t mask = 0 - (uint64_t)bw;
    c = bn254_addc(c, t0, BN254_P0 & mask, &r->l[0]);
    c = bn254_addc(c, t1, BN254_P1 & mask, &r->l[1]);
    c = bn254_addc(c, t2, BN254_P2 & mask, &r->l[2]);
    (void)bn254_addc(c, t3, BN254_P3 & mask, &r->l[3]);
}

/* r = -a. */
BN254_INLINE void fp_neg(fp *r, const fp *a)
{
    fp_sub(r, &fp_zero, a);
}

/* r = a / 2. */
BN254_INLINE void fp_half(fp *r, const fp *a)
{
    const uint64_t mask = 0 - (a->l[0] & 1);
    uint64_t t0, t1, t2, t3;
    unsigned char c = 0;
    /* a + p when a is odd: < 2^255, fits in four limbs. */
    c = bn254_addc(c, a->l[0], BN254_P0 & mask, &t0);
    c = bn254_addc(c, a->l[1], BN254_P1 & mask, &t1);
    c = bn254_addc(c, a->l[2], BN254_P2 & mask, &t2);
    (void)bn254_addc(c, a->l[3], BN254_P3 & mask, &t3);
    r->l[0] = (t0 >> 1) | (t1 << 63);
    r->l[1] = (t1 >> 1) | (t2 << 63);
    r->l[2] = (t2 >> 1) | (t3 << 63);
    r->l[3] = t3 >> 1;
}

/* r = t mod p for a five-limb t < 16p (t4 < 4): used after multiplying by a
 * small constant. q = floor(floor(t / 2^194) · M / 2^123) with
 * M = floor(2^123 / (floor(p / 2^194) + 1)) = 0xa948e8c4c4740947 (Python
 * ints) never exceeds floor(t / p) and falls short of it by at most 2, so
 * t - q·p < 3p and two masked subtractions finish. Constant time. */
BN254_INLINE void fp_reduce_small(fp *r, uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3,
                                  uint64_t t4)
{
    const uint64_t top = (t4 << 62) | (t3 >> 2);
    const uint64_t q = (uint64_t)(((bn254_u128)top * 0xa948e8c4c4740947ULL) >> 123);
    bn254_u128 m;
    uint64_t q0, q1, q2, q3, q4, s0, s1, s2, s3, s4;
    m = (bn254_u128)q * BN254_P0;
    q0 = (uint64_t)m;
    m = (bn254_u128)q * BN254_P1 + (uint64_t)(m >> 64);
    q1 = (uint64_t)m;
    m = (bn254_u128)q * BN254_P2 + (uint64_t)(m >> 64);
    q2 = (uint64_t)m;
    m = (bn254_u128)q * BN254_P3 + (uint64_t)(m >> 64);
    q3 = (uint64_t)m;
    q4 = (uint64_t)(m >> 64);
    unsigned char bw = 0;
    bw = bn254_subb(bw, t0, q0, &s0);
    bw = bn254_subb(bw, t1, q1, &s1);
    bw = bn254_subb(bw, t2, q2, &s2);
    bw = bn254_subb(bw, t3, q3, &s3);
    (void)bn254_subb(bw, t4, q4, &s4); /* 0: t - q·p < 3p < 2^256 */
    (void)s4;
    fp u;
    fp_reduce_once(&u, s0, s1, s2, s3);
    fp_reduce_once(r, u.l[0], u.l[1], u.l[2], u.l[3]);
}

/* r = 9a + b (a, b < p): the common part of multiplying by ξ = 9 + u. */
BN254_INLINE void fp_mul9_add(fp *r, const fp *a, const fp *b)
{
    uint64_t t0, t1, t2, t3, t4;
    unsigned char c = 0;
    /* 9a = 8a + a, five limbs */
    const uint64_t e0 = a->l[0] << 3, e1 = (a->l[1] << 3) | (a->l[0] >> 61),
                   e2 = (a->l[2] << 3) | (a->l[1] >> 61), e3 = (a->l[3] << 3) | (a->l[2] >> 61),
                   e4 = a->l[3] >> 61;
    c = bn254_addc(c, e0, a->l[0], &t0);
    c = bn254_addc(c, e1, a->l[1], &t1);
    c = bn254_addc(c, e2, a->l[2], &t2);
    c = bn254_addc(c, e3, a->l[3], &t3);
    t4 = e4 + c;
    c = 0;
    c = bn254_addc(c, t0, b->l[0], &t0);
    c = bn254_addc(c, t1, b->l[1], &t1);
    c = bn254_addc(c, t2, b->l[2], &t2);
    c = bn254_addc(c, t3, b->l[3], &t3);
    t4 += c;
    fp_reduce_small(r, t0, t1, t2, t3, t4); /* < 10p */
}

/* r = a·b·R^-1 mod p (Montgomery product). r may alias a or b. Inputs may
 * be unreduced as long as a·b < p·2^256 (e.g. both below 2p).
 *
 * Product scanning with the reduction interleaved column by column: column
 * k of the 512-bit sum Σ a_i b_j + Σ m_i p_j (i + j = k) is accumulated in
 * 128 + 64 bits, m_k is chosen so that column k becomes 0 mod 2^64, and the
 * columns from 4 up are the result (< 2p, then one masked subtraction). With
 * gcc this compiles to fewer instructions than the row-wise CIOS loop. */
#define BN254_MULACC(x, y)                                                                        \
    do {                                                                                          \
        bn254_u128 prod_ = (bn254_u128)(x) * (y);                                                 \
        acc += prod_;                                                                             \
        top += acc < prod_;                                                                       \
    } while (0)
#define BN254_SHIFT(out)                                                                          \
    do {                                                                                          \
        out = (uint64_t)acc;                                                                      \
        acc = (acc >> 64) | ((bn254_u128)top << 64);                                              \
        top = 0;                                                                                  \
    } while (0)

BN254_INLINE void fp_mul(fp *r, const fp *a, const fp *b)
{
    const uint64_t a0 = a->l[0], a1 = a->l[1], a2 = a->l[2], a3 = a->l[3];
    const uint64_t b0 = b->l[0], b1 = b->l[1], b2 = b->l[2], b3 = b->l[3];
    bn254_u128 acc = 0;
    uint64_t top = 0, m0, m1, m2, m3, r0, r1, r2, r3;
    BN254_MULACC(a0, b0);
    m0 = (uint64_t)acc * BN254_PINV;
    BN254_MULACC(m0, BN254_P0);
    BN254_SHIFT(r0);
    BN254_MULACC(a0, b1);
    BN254_MULACC(a1, b0);
    BN254_MULACC(m0, BN254_P1);
    m1 = (uint64_t)acc * BN254_PINV;
    BN254_MULACC(m1, BN254_P0);
    BN254_SHIFT(r0);
    BN254_MULACC(a0, b2);
    BN254_MULACC(a1, b1);
    BN254_MULACC(a2, b0);
    BN254_MULACC(m0, BN254_P2);
    BN254_MULACC(m1, BN254_P1);
    m2 = (uint64_t)acc * BN254_PINV;
    BN254_MULACC(m2, BN254_P0);
    BN254_SHIFT(r0);
    BN254_MULACC(a0, b3);
    BN254_MULACC(a1, b2);
    BN254_MULACC(a2, b1);
    BN254_MULACC(a3, b0);
    BN254_MULACC(m0, BN254_P3);
    BN254_MULACC(m1, BN254_P2);
    BN254_MULACC(m2, BN254_P1);
    m3 = (uint64_t)acc * BN254_PINV;
    BN254_MULACC(m3, BN254_P0);
    BN254_SHIFT(r0); /* column 3 is 0 mod 2^64; r0 is reused below */
    BN254_MULACC(a1, b3);
    BN254_MULACC(a2, b2);
    BN254_MULACC(a3, b1);
    BN254_MULACC(m1, BN254_P3);
    BN254_MULACC(m2, BN254_P2);
    BN254_MULACC(m3, BN254_P1);
    BN254_SHIFT(r0);
    BN254_MULACC(a2, b3);
    BN254_MULACC(a3, b2);
    BN254_MULACC(m2, BN254_P3);
    BN254_MULACC(m3, BN254_P2);
    BN254_SHIFT(r1);
    BN254_MULACC(a3, b3);
    BN254_MULACC(m3, BN254_P3);
    BN254_SHIFT(r2);
    r3 = (uint64_t)acc; /* the sum is < 2p·2^256, so nothing is left above */
    fp_reduce_once(r, r0, r1, r2, r3);
}

/* r = a^2. */
BN254_INLINE void fp_sqr(fp *r, const fp *a)
{
    fp_mul(r, a, a);
}

/* ---- Lazy reduction (used by Fp2) ----
 * fp_mul() only needs a·b < p·2^256 for a result below 2p before its final
 * subtraction, so inputs below 2p are fine (4p < 2^256). The *_nr helpers
 * produce such unreduced values; fp_wide holds a 512-bit product to be
 * reduced once after several are added (fp_redc). */

/* r = a - b + p without reduction (a, b < p, so 0 < r < 2p). */
BN254_INLINE void fp_sub_nr(fp *r, const fp *a, const fp *b)
{
    uint64_t t0, t1, t2, t3;
    unsigned char c = 0, bw = 0;
    c = bn254_addc(c, a->l[0], BN254_P0, &t0);
    c = bn254_addc(c, a->l[1], BN254_P1, &t1);
    c = bn254_addc(c, a->l[2], BN254_P2, &t2);
    (void)bn254_addc(c, a->l[3], BN254_P3, &t3);
    bw = bn254_subb(bw, t0, b->l[0], &r->l[0]);
    bw = bn254_subb(bw, t1, b->l[1], &r->l[1]);
    bw = bn254_subb(bw, t2, b->l[2], &r->l[2]);
    (void)bn254_subb(bw, t3, b->l[3], &r->l[3]);
}

typedef struct {
    uint64_t l[8];
} fp_wide;

/* r = a·b as a 512-bit integer (no reduction). */
BN254_INLINE void fp_mul_wide(fp_wide *r, const fp *a, const fp *b)
{
    const uint64_t a0 = a->l[0], a1 = a->l[1], a2 = a->l[2], a3 = a->l[3];
    const uint64_t b0 = b->l[0], b1 = b->l[1], b2 = b->l[2], b3 = b->l[3];
    bn254_u128 acc = 0;
    uint64_t top = 0;
    BN254_MULACC(a0, b0);
    BN254_SHIFT(r->l[0]);
    BN254_MULACC(a0, b1);
    BN254_MULACC(a1, b0);
    BN254_SHIFT(r->l[1]);
    BN254_MULACC(a0, b2);
    BN254_MULACC(a1, b1);
    BN254_MULACC(a2, b0);
    BN254_SHIFT(r->l[2]);
    BN254_MULACC(a0, b3);
    BN254_MULACC(a1, b2);
    BN254_MULACC(a2, b1);
    BN254_MULACC(a3, b0);
    BN254_SHIFT(r->l[3]);
    BN254_MULACC(a1, b3);
    BN254_MULACC(a2, b2);
    BN254_MULACC(a3, b1);
    BN254_SHIFT(r->l[4]);
    BN254_MULACC(a2, b3);
    BN254_MULACC(a3, b2);
    BN254_SHIFT(r->l[5]);
    BN254_MULACC(a3, b3);
    BN254_SHIFT(r->l[6]);
    r->l[7] = (uint64_t)acc;
}

/* r = a - b (512-bit); returns the borrow (1 when a < b). Unrolled by hand:
 * gcc keeps an 8-iteration carry loop as a loop. */
BN254_INLINE unsigned char fp_wide_sub_borrow(fp_wide *r, const fp_wide *a, const fp_wide *b)
{
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7;
    unsigned char bw = 0;
    bw = bn254_subb(bw, a->l[0], b->l[0], &t0);
    bw = bn254_subb(bw, a->l[1], b->l[1], &t1);
    bw = bn254_subb(bw, a->l[2], b->l[2], &t2);
    bw = bn254_subb(bw, a->l[3], b->l[3], &t3);
    bw = bn254_subb(bw, a->l[4], b->l[4], &t4);
    bw = bn254_subb(bw, a->l[5], b->l[5], &t5);
    bw = bn254_subb(bw, a->l[6], b->l[6], &t6);
    bw = bn254_subb(bw, a->l[7], b->l[7], &t7);
    r->l[0] = t0;
    r->l[1] = t1;
    r->l[2] = t2;
    r->l[3] = t3;
    r->l[4] = t4;
    r->l[5] = t5;
    r->l[6] = t6;
    r->l[7] = t7;
    return bw;
}

/* r = a - b (512-bit, the caller guarantees a >= b). */
BN254_INLINE void fp_wide_sub(fp_wide *r, const fp_wide *a, const fp_wide *b)
{
    (void)fp_wide_sub_borrow(r, a, b);
}

/* r = a - b, or a - b + p·2^256 when a < b (512-bit; a, b < p·2^256).
 * Same value mod p, and the result is below p·2^256 as fp_redc needs. */
BN254_INLINE void fp_wide_sub_mod(fp_wide *r, const fp_wide *a, const fp_wide *b)
{
    const uint64_t mask = 0 - (uint64_t)fp_wide_sub_borrow(r, a, b);
    unsigned char c = 0;
    c = bn254_addc(c, r->l[4], BN254_P0 & mask, &r->l[4]);
    c = bn254_addc(c, r->l[5], BN254_P1 & mask, &r->l[5]);
    c = bn254_addc(c, r->l[6], BN254_P2 & mask, &r->l[6]);
    (void)bn254_addc(c, r->l[7], BN254_P3 & mask, &r->l[7]);
}

/* r = t·R^-1 mod p for t < p·2^256 (Montgomery reduction, product scanning). */
#define BN254_ADDACC(x)                                                                           \
    do {                                                                                          \
        uint64_t x_ = (x);                                                                        \
        acc += x_;                                                                                \
        top += acc < x_;                                                                          \
    } while (0)
BN254_INLINE void fp_redc(fp *r, const fp_wide *t)
{
    bn254_u128 acc = 0;
    uint64_t top = 0, m0, m1, m2, m3, r0, r1, r2, r3;
    BN254_ADDACC(t->l[0]);
    m0 = (uint64_t)acc * BN254_PINV;
    BN254_MULACC(m0, BN254_P0);
    BN254_SHIFT(r0);
    BN254_ADDACC(t->l[1]);
    BN254_MULACC(m0, BN254_P1);
    m1 = (uint64_t)acc * BN254_PINV;
    BN254_MULACC(m1, BN254_P0);
    BN254_SHIFT(r0);
    BN254_ADDACC(t->l[2]);
    BN254_MULACC(m0, BN254_P2);
    BN254_MULACC(m1, BN254_P1);
    m2 = (uint64_t)acc * BN254_PINV;
    BN254_MULACC(m2, BN254_P0);
    BN254_SHIFT(r0);
    BN254_ADDACC(t->l[3]);
    BN254_MULACC(m0, BN254_P3);
    BN254_MULACC(m1, BN254_P2);
    BN254_MULACC(m2, BN254_P1);
    m3 = (uint64_t)acc * BN254_PINV;
    BN254_MULACC(m3, BN254_P0);
    BN254_SHIFT(r0);
    BN254_ADDACC(t->l[4]);
    BN254_MULACC(m1, BN254_P3);
    BN254_MULACC(m2, BN254_P2);
    BN254_MULACC(m3, BN254_P1);
    BN254_SHIFT(r0);
    BN254_ADDACC(t->l[5]);
    BN254_MULACC(m2, BN254_P3);
    BN254_MULACC(m3, BN254_P2);
    BN254_SHIFT(r1);
    BN254_ADDACC(t->l[6]);
    BN254_MULACC(m3, BN254_P3);
    BN254_SHIFT(r2);
    BN254_ADDACC(t->l[7]);
    r3 = (uint64_t)acc; /* (t + m·p)/2^256 < 2p */
    fp_reduce_once(r, r0, r1, r2, r3);
}

/* True when a == 0 / a == b (canonical limbs, so limb equality). */
BN254_INLINE bool fp_is_zero(const fp *a)
{
    return (a->l[0] | a->l[1] | a->l[2] | a->l[3]) == 0;
}
BN254_INLINE bool fp_eq(const fp *a, const fp *b)
{
    return ((a->l[0] ^ b->l[0]) | (a->l[1] ^ b->l[1]) | (a->l[2] ^ b->l[2]) |
            (a->l[3] ^ b->l[3])) == 0;
}

/* r = a^-1 (Fermat: a^(p-2)); 0 maps to 0. Constant time. */
void fp_inv(fp *r, const fp *a);

/* r = a^-1; 0 maps to 0. Variable time (binary extended Euclid): only for
 * public values. */
void fp_inv_vartime(fp *r, const fp *a);

/* Reads a 32-byte big-endian integer into Montgomery form. Returns false,
 * leaving r unspecified, when the integer is >= p. Variable time in the
 * comparison only (inputs are public). */
bool fp_from_be(fp *r, const uint8_t in[32]);

/* Writes a (Montgomery form) as the 32-byte big-endian canonical integer. */
void fp_to_be(uint8_t out[32], const fp *a);

/* r = small unsigned integer v in Montgomery form. */
void fp_from_u64(fp *r, uint64_t v);

#endif
