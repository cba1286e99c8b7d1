/*
 * bn254_tower.h — internal to the bn254 code: the extension tower in which
 * pairing values live.
 *
 *   Fp6  = Fp2[v]/(v^3 - ξ),  ξ = 9 + u
 *   Fp12 = Fp6[w]/(w^2 - v)
 *
 * so w^6 = ξ, and an Fp12 element c0 + c1·w with c0 = a0 + a1 v + a2 v^2,
 * c1 = b0 + b1 v + b2 v^2 has coefficient a0, b0, a1, b1, a2, b2 at w^0 .. w^5.
 * The twist E'(Fp2): y^2 = x^3 + 3/ξ maps into E(Fp12) by
 * (x, y) -> (x·w^2, y·w^3), which is why line functions are sparse here.
 *
 * Everything here is constant time (straight-line Fp2 arithmetic; inversion
 * goes through fp_inv). Not a public header.
 */
#ifndef SPECTRUM_EVM_BN254_TOWER_H
#define SPECTRUM_EVM_BN254_TOWER_H

#include "evm/bn254_fp2.h"

typedef struct {
    fp2 c0, c1, c2;
} fp6;

typedef struct {
    fp6 c0, c1;
} fp12;

/* ---- Fp6 ---- */
void fp6_add(fp6 *r, const fp6 *a, const fp6 *b);
void fp6_sub(fp6 *r, const fp6 *a, const fp6 *b);
void fp6_neg(fp6 *r, const fp6 *a);
/* r = a·b (Karatsuba: 6 Fp2 products). r may alias a or b. */
void fp6_mul(fp6 *r, const fp6 *a, const fp6 *b);
/* r = a^2 (Chung–Hasan SQR2). */
void fp6_sqr(fp6 *r, const fp6 *a);
/* r = a·v. */
void fp6_mul_v(fp6 *r, const fp6 *a);
/* r = a^-1; 0 maps to 0. */
void fp6_inv(fp6 *r, const fp6 *a);

/* ---- Fp12 ---- */
void fp12_set_one(fp12 *r);
bool fp12_is_one(const fp12 *a);
bool fp12_eq(const fp12 *a, const fp12 *b);
/* r = a·b (Karatsuba over Fp6: 18 Fp2 products). r may alias a or b. */
void fp12_mul(fp12 *r, const fp12 *a, const fp12 *b);
/* r = a^2 (complex squaring: 2 Fp6 products). */
void fp12_sqr(fp12 *r, const fp12 *a);
/* r = conjugate c0 - c1·w = a^(p^6); the inverse of a unitary element. */
void fp12_conj(fp12 *r, const fp12 *a);
/* r = a^-1; 0 maps to 0. */
void fp12_inv(fp12 *r, const fp12 *a);
/* r = a^(p^k) for k in {1, 2, 3}. */
void fp12_frob(fp12 *r, const fp12 *a, int k);
/* r = a·l for the sparse line l = l0 + l1·w + l3·w^3 (l0, l1, l3 in Fp2):
 * 13 Fp2 products instead of 18. r may alias a. */
void fp12_mul_line(fp12 *r, const fp12 *a, const fp2 *l0, const fp2 *l1, const fp2 *l3);
/* r = a^2 for a in the cyclotomic subgroup (a^(p^4 - p^2 + 1) = 1, which
 * every value is after the easy part of the final exponentiation):
 * Granger–Scott, 9 Fp2 squarings. Wrong for other elements. */
void fp12_cyclo_sqr(fp12 *r, const fp12 *a);

#endif
