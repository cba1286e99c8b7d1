/*
 * bn254_fp2.c — Fp2 = Fp[u]/(u^2 + 1) products and inverse.
 *
 * Multiplication uses Karatsuba (3 Fp products instead of 4) and squaring the
 * complex-squaring identity (2 products). These two functions are where a
 * pairing spends most of its time; see bn254_tower.c for how many are used.
 */
#include "evm/bn254_fp2.h"

const fp2 fp2_zero = {{{0, 0, 0, 0}}, {{0, 0, 0, 0}}};
const fp2 fp2_one = {{{0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL,
                       0x0e0a77c19a07df2fULL}},
                     {{0, 0, 0, 0}}};

void fp2_mul(fp2 *r, const fp2 *a, const fp2 *b)
{
    /* Karatsuba with one reduction per output coefficient:
     * c0 = redc(a0 b0 - a1 b1), c1 = redc((a0 + a1)(b0 + b1) - a0 b0 - a1 b1).
     * (a0 + a1)(b0 + b1) < 4p^2 and the c1 numerator a0 b1 + a1 b0 < 2p^2,
     * both below p·2^256; the c0 numerator is made non-negative by adding
     * p·2^256 when needed (fp_wide_sub_mod). */
    fp_wide v0, v1, v2;
    fp sa, sb;
    fp_mul_wide(&v0, &a->c0, &b->c0);
    fp_mul_wide(&v1, &a->c1, &b->c1);
    fp_add_nr(&sa, &a->c0, &a->c1);
    fp_add_nr(&sb, &b->c0, &b->c1);
    fp_mul_wide(&v2, &sa, &sb);
    fp_wide_sub(&v2, &v2, &v0);
    fp_wide_sub(&v2, &v2, &v1);
    fp_wide_sub_mod(&v0, &v0, &v1);
    fp_redc(&r->c0, &v0);
    fp_redc(&r->c1, &v2);
}

void fp2_sqr(fp2 *r, const fp2 *a)
{
    /* c0 = (a0 + a1)(a0 - a1), c1 = 2 a0 a1, with the sums left unreduced
     * (each factor < 2p, so fp_mul's bound holds). */
    fp s, d, t;
    fp_add_nr(&s, &a->c0, &a->c1);
    fp_sub_nr(&d, &a->c0, &a->c1);
    fp_add_nr(&t, &a->c0, &a->c0);
    fp_mul(&r->c1, &t, &a->c1);
    fp_mul(&r->c0, &s, &d);
}

void fp2_mul_xi(fp2 *r, const fp2 *a)
{
    /* (a0 + a1 u)(9 + u) = (9 a0 - a1) + (9 a1 + a0) u, each as one
     * multiply-by-9-and-add with a single reduction (9 a0 - a1 = 9 a0 + (p - a1)) */
    fp na1, c0;
    fp_neg(&na1, &a->c1);
    fp_mul9_add(&c0, &a->c0, &na1);
    fp_mul9_add(&r->c1, &a->c1, &a->c0);
    r->c0 = c0;
}

void fp2_inv(fp2 *r, const fp2 *a)
{
    /* 1/(a0 + a1 u) = (a0 - a1 u) / (a0^2 + a1^2) */
    fp n, t;
    fp_sqr(&n, &a->c0);
    fp_sqr(&t, &a->c1);
    fp_add(&n, &n, &t);
    fp_inv(&n, &n);
    fp_mul(&r->c0, &a->c0, &n);
    fp_mul(&t, &a->c1, &n);
    fp_neg(&r->c1, &t);
}
