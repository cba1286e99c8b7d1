/*
 * bn254_fp2.h — internal to the bn254 code: Fp2 = Fp[u]/(u^2 + 1), the field
 * of the G2 (twist) coordinates and the bottom of the Fp12 tower.
 *
 * An element is c0 + c1·u. Linear operations are inline; multiplication,
 * squaring and inversion live in bn254_fp2.c. All of them are constant time
 * (they are straight-line compositions of constant-time Fp operations).
 *
 * Not a public header.
 */
#ifndef SPECTRUM_EVM_BN254_FP2_H
#define SPECTRUM_EVM_BN254_FP2_H

#include "evm/bn254_fp.h"

typedef struct {
    fp c0, c1;
} fp2;

extern const fp2 fp2_zero;
extern const fp2 fp2_one;

BN254_INLINE void fp2_add(fp2 *r, const fp2 *a, const fp2 *b)
{
    fp_add(&r->c0, &a->c0, &b->c0);
    fp_add(&r->c1, &a->c1, &b->c1);
}
BN254_INLINE void fp2_sub(fp2 *r, const fp2 *a, const fp2 *b)
{
    fp_sub(&r->c0, &a->c0, &b->c0);
    fp_sub(&r->c1, &a->c1, &b->c1);
}
BN254_INLINE void fp2_dbl(fp2 *r, const fp2 *a)
{
    fp_dbl(&r->c0, &a->c0);
    fp_dbl(&r->c1, &a->c1);
}
BN254_INLINE void fp2_neg(fp2 *r, const fp2 *a)
{
    fp_neg(&r->c0, &a->c0);
    fp_neg(&r->c1, &a->c1);
}
BN254_INLINE void fp2_half(fp2 *r, const fp2 *a)
{
    fp_half(&r->c0, &a->c0);
    fp_half(&r->c1, &a->c1);
}
/* Complex conjugate c0 - c1·u, which is also the Frobenius map a^p. */
BN254_INLINE void fp2_conj(fp2 *r, const fp2 *a)
{
    r->c0 = a->c0;
    fp_neg(&r->c1, &a->c1);
}
/* r = a·s for s in Fp. */
BN254_INLINE void fp2_mul_fp(fp2 *r, const fp2 *a, const fp *s)
{
    fp_mul(&r->c0, &a->c0, s);
    fp_mul(&r->c1, &a->c1, s);
}
BN254_INLINE bool fp2_is_zero(const fp2 *a)
{
    return (unsigned)fp_is_zero(&a->c0) & (unsigned)fp_is_zero(&a->c1);
}
BN254_INLINE bool fp2_eq(const fp2 *a, const fp2 *b)
{
    return (unsigned)fp_eq(&a->c0, &b->c0) & (unsigned)fp_eq(&a->c1, &b->c1);
}

/* r = a·b (Karatsuba, three Fp products). r may alias a or b. */
void fp2_mul(fp2 *r, const fp2 *a, const fp2 *b);

/* r = a^2 ((c0 + c1)(c0 - c1) + 2·c0·c1·u, two Fp products). */
void fp2_sqr(fp2 *r, const fp2 *a);

/* r = a·ξ with ξ = 9 + u, the non-residue that builds Fp6 and the twist. */
void fp2_mul_xi(fp2 *r, const fp2 *a);

/* r = a^-1; 0 maps to 0. */
void fp2_inv(fp2 *r, const fp2 *a);

#endif
