/*
 * bn254_tower.c — Fp6 and Fp12 arithmetic for the pairing.
 *
 * Costs, in Fp2 products (the unit that matters): Fp6 mul 6, Fp6 sqr 5
 * (2 of them squarings), Fp12 mul 18, Fp12 sqr 12, sparse line product 13,
 * cyclotomic squaring 9 squarings. The sparse product is what the Miller loop
 * uses for every line; the cyclotomic squaring is what the hard part of the
 * final exponentiation uses for every squaring.
 *
 * Frobenius: with w^6 = ξ, (g·w^k)^(p^j) = frob_j(g)·γ_{j,k}·w^k where
 * γ_{j,k} = ξ^(k(p^j - 1)/6) and frob_j is conjugation for odd j, identity
 * for even j. The γ tables below were computed with Python ints
 * (pow in Fp2 of ξ = 9 + u to k(p^j - 1)/6) and are stored in Montgomery
 * form (times 2^256 mod p), limbs least significant first. For j = 2 they
 * lie in Fp.
 */
#include "evm/bn254_tower.h"

/* ---------------- Fp6 ---------------- */

void fp6_add(fp6 *r, const fp6 *a, const fp6 *b)
{
    fp2_add(&r->c0, &a->c0, &b->c0);
    fp2_add(&r->c1, &a->c1, &b->c1);
    fp2_add(&r->c2, &a->c2, &b->c2);
}

void fp6_sub(fp6 *r, const fp6 *a, const fp6 *b)
{
    fp2_sub(&r->c0, &a->c0, &b->c0);
    fp2_sub(&r->c1, &a->c1, &b->c1);
    fp2_sub(&r->c2, &a->c2, &b->c2);
}

void fp6_neg(fp6 *r, const fp6 *a)
{
    fp2_neg(&r->c0, &a->c0);
    fp2_neg(&r->c1, &a->c1);
    fp2_neg(&r->c2, &a->c2);
}

void fp6_mul(fp6 *r, const fp6 *a, const fp6 *b)
{
    fp2 t0, t1, t2, s, u, c0, c1, c2;
    fp2_mul(&t0, &a->c0, &b->c0);
    fp2_mul(&t1, &a->c1, &b->c1);
    fp2_mul(&t2, &a->c2, &b->c2);
    /* c0 = ξ((a1 + a2)(b1 + b2) - t1 - t2) + t0 */
    fp2_add(&s, &a->c1, &a->c2);
    fp2_add(&u, &b->c1, &b->c2);
    fp2_mul(&c0, &s, &u);
    fp2_sub(&c0, &c0, &t1);
    fp2_sub(&c0, &c0, &t2);
    fp2_mul_xi(&c0, &c0);
    fp2_add(&c0, &c0, &t0);
    /* c1 = (a0 + a1)(b0 + b1) - t0 - t1 + ξ t2 */
    fp2_add(&s, &a->c0, &a->c1);
    fp2_add(&u, &b->c0, &b->c1);
    fp2_mul(&c1, &s, &u);
    fp2_sub(&c1, &c1, &t0);
    fp2_sub(&c1, &c1, &t1);
    fp2_mul_xi(&s, &t2);
    fp2_add(&c1, &c1, &s);
    /* c2 = (a0 + a2)(b0 + b2) - t0 - t2 + t1 */
    fp2_add(&s, &a->c0, &a->c2);
    fp2_add(&u, &b->c0, &b->c2);
    fp2_mul(&c2, &s, &u);
    fp2_sub(&c2, &c2, &t0);
    fp2_sub(&c2, &c2, &t2);
    fp2_add(&c2, &c2, &t1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

void fp6_sqr(fp6 *r, const fp6 *a)
{
    fp2 s0, s1, s2, s3, s4, t;
    fp2_sqr(&s0, &a->c0);
    fp2_mul(&s1, &a->c0, &a->c1);
    fp2_dbl(&s1, &s1);
    fp2_sub(&t, &a->c0, &a->c1);
    fp2_add(&t, &t, &a->c2);
    fp2_sqr(&s2, &t);
    fp2_mul(&s3, &a->c1, &a->c2);
    fp2_dbl(&s3, &s3);
    fp2_sqr(&s4, &a->c2);
    /* c2 = s1 + s2 + s3 - s0 - s4 */
    fp2_add(&t, &s1, &s2);
    fp2_add(&t, &t, &s3);
    fp2_sub(&t, &t, &s0);
    fp2_sub(&r->c2, &t, &s4);
    /* c0 = s0 + ξ s3, c1 = s1 + ξ s4 */
    fp2_mul_xi(&s3, &s3);
    fp2_add(&r->c0, &s0, &s3);
    fp2_mul_xi(&s4, &s4);
    fp2_add(&r->c1, &s1, &s4);
}

void fp6_mul_v(fp6 *r, const fp6 *a)
{
    fp2 t;
    fp2_mul_xi(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}

/* r = a·b for a scalar b in Fp2. */
static void fp6_mul_fp2(fp6 *r, const fp6 *a, const fp2 *b)
{
    fp2_mul(&r->c0, &a->c0, b);
    fp2_mul(&r->c1, &a->c1, b);
    fp2_mul(&r->c2, &a->c2, b);
}

/* r = a·(b0 + b1 v): 5 Fp2 products. r may alias a. */
static void fp6_mul_01(fp6 *r, const fp6 *a, const fp2 *b0, const fp2 *b1)
{
    fp2 t0, t1, s, u, c0, c1, c2;
    fp2_mul(&t0, &a->c0, b0);
    fp2_mul(&t1, &a->c1, b1);
    /* c0 = ξ a2 b1 + t0 */
    fp2_mul(&c0, &a->c2, b1);
    fp2_mul_xi(&c0, &c0);
    fp2_add(&c0, &c0, &t0);
    /* c1 = (a0 + a1)(b0 + b1) - t0 - t1 */
    fp2_add(&s, &a->c0, &a->c1);
    fp2_add(&u, b0, b1);
    fp2_mul(&c1, &s, &u);
    fp2_sub(&c1, &c1, &t0);
    fp2_sub(&c1, &c1, &t1);
    /* c2 = a2 b0 + t1 */
    fp2_mul(&c2, &a->c2, b0);
    fp2_add(&c2, &c2, &t1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

void fp6_inv(fp6 *r, const fp6 *a)
{
    fp2 c0, c1, c2, t, s;
    /* c0 = a0^2 - ξ a1 a2 */
    fp2_sqr(&c0, &a->c0);
    fp2_mul(&t, &a->c1, &a->c2);
    fp2_mul_xi(&t, &t);
    fp2_sub(&c0, &c0, &t);
    /* c1 = ξ a2^2 - a0 a1 */
    fp2_sqr(&c1, &a->c2);
    fp2_mul_xi(&c1, &c1);
    fp2_mul(&t, &a->c0, &a->c1);
    fp2_sub(&c1, &c1, &t);
    /* c2 = a1^2 - a0 a2 */
    fp2_sqr(&c2, &a->c1);
    fp2_mul(&t, &a->c0, &a->c2);
    fp2_sub(&c2, &c2, &t);
    /* norm = a0 c0 + ξ(a2 c1 + a1 c2) */
    fp2_mul(&t, &a->c2, &c1);
    fp2_mul(&s, &a->c1, &c2);
    fp2_add(&t, &t, &s);
    fp2_mul_xi(&t, &t);
    fp2_mul(&s, &a->c0, &c0);
    fp2_add(&t, &t, &s);
    fp2_inv(&t, &t);
    fp2_mul(&r->c0, &c0, &t);
    fp2_mul(&r->c1, &c1, &t);
    fp2_mul(&r->c2, &c2, &t);
}

/* ---------------- Fp12 ---------------- */

void fp12_set_one(fp12 *r)
{
    r->c0.c0 = fp2_one;
    r->c0.c1 = fp2_zero;
    r->c0.c2 = fp2_zero;
    r->c1.c0 = fp2_zero;
    r->c1.c1 = fp2_zero;
    r->c1.c2 = fp2_zero;
}

bool fp12_eq(const fp12 *a, const fp12 *b)
{
    /* bitwise, not short-circuit: no branch on the values */
    return (unsigned)fp2_eq(&a->c0.c0, &b->c0.c0) & (unsigned)fp2_eq(&a->c0.c1, &b->c0.c1) &
           (unsigned)fp2_eq(&a->c0.c2, &b->c0.c2) & (unsigned)fp2_eq(&a->c1.c0, &b->c1.c0) &
           (unsigned)fp2_eq(&a->c1.c1, &b->c1.c1) & (unsigned)fp2_eq(&a->c1.c2, &b->c1.c2);
}

bool fp12_is_one(const fp12 *a)
{
    fp12 one;
    fp12_set_one(&one);
    return fp12_eq(a, &one);
}

void fp12_mul(fp12 *r, const fp12 *a, const fp12 *b)
{
    fp6 t0, t1, s, u;
    fp6_mul(&t0, &a->c0, &b->c0);
    fp6_mul(&t1, &a->c1, &b->c1);
    fp6_add(&s, &a->c0, &a->c1);
    fp6_add(&u, &b->c0, &b->c1);
    fp6_mul(&s, &s, &u);
    fp6_sub(&s, &s, &t0);
    fp6_sub(&r->c1, &s, &t1);
    fp6_mul_v(&t1, &t1);
    fp6_add(&r->c0, &t0, &t1);
}

void fp12_sqr(fp12 *r, const fp12 *a)
{
    /* (a0 + a1 w)^2 = a0^2 + v a1^2 + 2 a0 a1 w, with
     * a0^2 + v a1^2 = (a0 + a1)(a0 + v a1) - t - v t, t = a0 a1. */
    fp6 t, s, u;
    fp6_mul(&t, &a->c0, &a->c1);
    fp6_add(&s, &a->c0, &a->c1);
    fp6_mul_v(&u, &a->c1);
    fp6_add(&u, &u, &a->c0);
    fp6_mul(&s, &s, &u);
    fp6_sub(&s, &s, &t);
    fp6_mul_v(&u, &t);
    fp6_sub(&r->c0, &s, &u);
    fp6_add(&r->c1, &t, &t);
}

void fp12_conj(fp12 *r, const fp12 *a)
{
    r->c0 = a->c0;
    fp6_neg(&r->c1, &a->c1);
}

void fp12_inv(fp12 *r, const fp12 *a)
{
    /* 1/(a0 + a1 w) = (a0 - a1 w) / (a0^2 - v a1^2) */
    fp6 t, s;
    fp6_sqr(&t, &a->c0);
    fp6_sqr(&s, &a->c1);
    fp6_mul_v(&s, &s);
    fp6_sub(&t, &t, &s);
    fp6_inv(&t, &t);
    fp6_mul(&r->c0, &a->c0, &t);
    fp6_mul(&s, &a->c1, &t);
    fp6_neg(&r->c1, &s);
}

/* γ_{1,k} = ξ^(k(p-1)/6), k = 1..5 */
static const fp2 FROB1[5] = {
    {{{0xaf9ba69633144907ULL, 0xca6b1d7387afb78aULL, 0x11bded5ef08a2087ULL, 0x02f34d751a1f3a7cULL}}, {{0xa222ae234c492d72ULL, 0xd00f02a4565de15bULL, 0xdc2ff3a253dfc926ULL, 0x10a75716b3899551ULL}}}, /* w^1 */
    {{{0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL, 0x7a007127242e0991ULL, 0x1956bcd8118214ecULL}}, {{0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL, 0xb6e713cdfae0ca3aULL, 0x26694fbb4e82ebc3ULL}}}, /* w^2 */
    {{{0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL, 0x31a9d1b6f9645366ULL, 0x253570bea500f8ddULL}}, {{0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL, 0x6d16bd27bb7edc6bULL, 0x2c87200285defeccULL}}}, /* w^3 */
    {{{0x7361d77f843abe92ULL, 0xa5bb2bd3273411fbULL, 0x9c941f314b3e2399ULL, 0x15df9cddbb9fd3ecULL}}, {{0x5dddfd154bd8c949ULL, 0x62cb29a5a4445b60ULL, 0x37bc870a0c7dd2b9ULL, 0x24830a9d3171f0fdULL}}}, /* w^4 */
    {{{0xc970692f41690fe7ULL, 0xe240342127694b0bULL, 0x32bee66b83c459e8ULL, 0x12aabced0ab08841ULL}}, {{0x0d485d2340aebfa9ULL, 0x05193418ab2fcc57ULL, 0xd3b0a40b8a4910f5ULL, 0x2f21ebb535d2925aULL}}}, /* w^5 */
};
/* γ_{2,k} = ξ^(k(p^2-1)/6), k = 1..5 (in Fp) */
static const fp FROB2[5] = {
    {{0xca8d800500fa1bf2ULL, 0xf0c5d61468b39769ULL, 0x0e201271ad0d4418ULL, 0x04290f65bad856e6ULL}}, /* w^1 */
    {{0x3350c88e13e80b9cULL, 0x7dce557cdb5e56b9ULL, 0x6001b4b8b615564aULL, 0x2682e617020217e0ULL}}, /* w^2 */
    {{0x68c3488912edefaaULL, 0x8d087f6872aabf4fULL, 0x51e1a24709081231ULL, 0x2259d6b14729c0faULL}}, /* w^3 */
    {{0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL, 0xaa303344d4741444ULL, 0x2c3b3f0d26594943ULL}}, /* w^4 */
    {{0x08cfc388c494f1abULL, 0x19b315148d1373d4ULL, 0x584e90fdcb6c0213ULL, 0x09e1685bdf2f8849ULL}}, /* w^5 */
};
/* γ_{3,k} = ξ^(k(p^3-1)/6), k = 1..5 */
static const fp2 FROB3[5] = {
    {{{0x365316184e46d97dULL, 0x0af7129ed4c96d9fULL, 0x659da72fca1009b5ULL, 0x08116d8983a20d23ULL}}, {{0xb1df4af7c39c1939ULL, 0x3d9f02878a73bf7fULL, 0x9b2220928caf0ae0ULL, 0x26684515eff054a6ULL}}}, /* w^1 */
    {{{0xc9af22f716ad6badULL, 0xb311782a4aa662b2ULL, 0x19eeaf64e248c7f4ULL, 0x20273e77e3439f82ULL}}, {{0xacc02860f7ce93acULL, 0x3933d5817ba76b4cULL, 0x69e6188b446c8467ULL, 0x0a46036d4417cc55ULL}}}, /* w^2 */
    {{{0x5764af0aaf46471eULL, 0xdc50792e873e0fc1ULL, 0x86a673ff881d04f6ULL, 0x0b2eddb43c30a74cULL}}, {{0x9a490f32787e8580ULL, 0x8fd16d7ff04af8b1ULL, 0x4b39888ec6027bf2ULL, 0x03dd2e705b52a15dULL}}}, /* w^3 */
    {{{0x448a93a57b6762dfULL, 0xbfd62df528fdeadfULL, 0xd858f5d00e9bd47aULL, 0x06b03d4d3476ec58ULL}}, {{0x2b19daf4bcc936d1ULL, 0xa1a54e7a56f4299fULL, 0xb533eee05adeaef1ULL, 0x170c812b84dda0b2ULL}}}, /* w^4 */
    {{{0xe0bc4b2275cf559fULL, 0xc238b945c154e60fULL, 0x803982a5929a7d5eULL, 0x15ce052df7e4a37eULL}}, {{0x2d28efbdbf3799a7ULL, 0x9b097e3c1ad60773ULL, 0x982d4113af4a535bULL, 0x24e18991e3056063ULL}}}, /* w^5 */
};

void fp12_frob(fp12 *r, const fp12 *a, int k)
{
    /* coefficient of w^0..w^5: c0.c0, c1.c0, c0.c1, c1.c1, c0.c2, c1.c2 */
    const fp2 *in[6] = {&a->c0.c0, &a->c1.c0, &a->c0.c1, &a->c1.c1, &a->c0.c2, &a->c1.c2};
    fp2 out[6];
    if (k == 2) {
        out[0] = *in[0];
        for (int i = 1; i < 6; i++)
            fp2_mul_fp(&out[i], in[i], &FROB2[i - 1]);
    } else {
        const fp2 *g = k == 1 ? FROB1 : FROB3;
        fp2_conj(&out[0], in[0]);
        for (int i = 1; i < 6; i++) {
            fp2 c;
            fp2_conj(&c, in[i]);
            fp2_mul(&out[i], &c, &g[i - 1]);
        }
    }
    r->c0.c0 = out[0];
    r->c1.c0 = out[1];
    r->c0.c1 = out[2];
    r->c1.c1 = out[3];
    r->c0.c2 = out[4];
    r->c1.c2 = out[5];
}

void fp12_mul_line(fp12 *r, const fp12 *a, const fp2 *l0, const fp2 *l1, const fp2 *l3)
{
    /* l = L0 + L1 w with L0 = (l0, 0, 0), L1 = (l1, l3, 0) in Fp6. */
    fp6 t0, t1, s;
    fp2 b0;
    fp6_mul_fp2(&t0, &a->c0, l0);
    fp6_mul_01(&t1, &a->c1, l1, l3);
    fp6_add(&s, &a->c0, &a->c1);
    fp2_add(&b0, l0, l1);
    fp6_mul_01(&s, &s, &b0, l3);
    fp6_sub(&s, &s, &t0);
    fp6_sub(&r->c1, &s, &t1);
    fp6_mul_v(&t1, &t1);
    fp6_add(&r->c0, &t0, &t1);
}

/* (a + b t)^2 with t^2 = ξ: returns a^2 + ξ b^2 and 2ab (3 squarings). */
static void fp4_sqr(fp2 *r0, fp2 *r1, const fp2 *a, const fp2 *b)
{
    fp2 a2, b2, s;
    fp2_sqr(&a2, a);
    fp2_sqr(&b2, b);
    fp2_add(&s, a, b);
    fp2_sqr(&s, &s);
    fp2_sub(&s, &s, &a2);
    fp2_sub(r1, &s, &b2);
    fp2_mul_xi(&b2, &b2);
    fp2_add(r0, &a2, &b2);
}

void fp12_cyclo_sqr(fp12 *r, const fp12 *a)
{
    /* Granger–Scott: view a as A + B w + C w^2 over Fp4 = Fp2[t]/(t^2 - ξ),
     * t = w^3, A = g0 + g3 t, B = g1 + g4 t, C = g2 + g5 t (g_k the w^k
     * coefficient). For unitary a:
     *   A' = 3A^2 - 2 conj(A),  B' = 3t C^2 + 2 conj(B),  C' = 3B^2 - 2 conj(C)
     * (checked numerically against a plain squaring with the Python
     * reference before use). */
    const fp2 *g0 = &a->c0.c0, *g1 = &a->c1.c0, *g2 = &a->c0.c1;
    const fp2 *g3 = &a->c1.c1, *g4 = &a->c0.c2, *g5 = &a->c1.c2;
    fp2 A0, A1, B0, B1, C0, C1, t;
    fp2 o0, o1, o2, o3, o4, o5;
    fp4_sqr(&A0, &A1, g0, g3);
    fp4_sqr(&B0, &B1, g1, g4);
    fp4_sqr(&C0, &C1, g2, g5);
    /* g0' = 3 A0 - 2 g0 = 2 (A0 - g0) + A0 ; g3' = 3 A1 + 2 g3 */
    fp2_sub(&t, &A0, g0);
    fp2_dbl(&t, &t);
    fp2_add(&o0, &t, &A0);
    fp2_add(&t, &A1, g3);
    fp2_dbl(&t, &t);
    fp2_add(&o3, &t, &A1);
    /* C' = 3 B^2 - 2 conj(C): g2' = 3 B0 - 2 g2 ; g5' = 3 B1 + 2 g5 */
    fp2_sub(&t, &B0, g2);
    fp2_dbl(&t, &t);
    fp2_add(&o2, &t, &B0);
    fp2_add(&t, &B1, g5);
    fp2_dbl(&t, &t);
    fp2_add(&o5, &t, &B1);
    /* B' = 3 t C^2 + 2 conj(B), t C^2 = ξ C1 + C0 t:
     * g1' = 3 ξ C1 + 2 g1 ; g4' = 3 C0 - 2 g4 */
    fp2_mul_xi(&C1, &C1);
    fp2_add(&t, &C1, g1);
    fp2_dbl(&t, &t);
    fp2_add(&o1, &t, &C1);
    fp2_sub(&t, &C0, g4);
    fp2_dbl(&t, &t);
    fp2_add(&o4, &t, &C0);
    r->c0.c0 = o0;
    r->c1.c0 = o1;
    r->c0.c1 = o2;
    r->c1.c1 = o3;
    r->c0.c2 = o4;
    r->c1.c2 = o5;
}
