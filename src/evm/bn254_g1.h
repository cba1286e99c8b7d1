/*
 * bn254_g1.h — internal to the bn254 code: the group G1 = E(Fp),
 * E: y^2 = x^3 + 3, of prime order r (cofactor 1, so every curve point is in
 * the group).
 *
 * Points are kept in Jacobian coordinates (x, y) = (X/Z^2, Y/Z^3); Z = 0 is
 * the point at infinity. Formulas are the a = 0 ones from the Explicit-
 * Formulas Database (dbl-2009-l, add-2007-bl, madd-2007-bl).
 *
 * Constant time: the field arithmetic only. The group operations branch on
 * special cases (infinity, P == Q) and the multiplication on the scalar's
 * digits: the EVM's inputs are public, so nothing here is secret.
 * Not a public header.
 */
#ifndef SPECTRUM_EVM_BN254_G1_H
#define SPECTRUM_EVM_BN254_G1_H

#include "evm/bn254_fp.h"

typedef struct {
    fp x, y;
    bool inf;
} g1_aff;

typedef struct {
    fp x, y, z;
} g1_jac;

/* True when (x, y) satisfies y^2 = x^3 + 3. */
bool g1_aff_on_curve(const g1_aff *a);

void g1_jac_set_inf(g1_jac *r);
static inline bool g1_jac_is_inf(const g1_jac *a)
{
    return fp_is_zero(&a->z);
}
void g1_jac_from_aff(g1_jac *r, const g1_aff *a);
/* One inversion (fp_inv_vartime: the coordinates are public outputs). */
void g1_jac_to_aff(g1_aff *r, const g1_jac *a);
void g1_jac_neg(g1_jac *r, const g1_jac *a);
/* r = 2a. r may alias a. */
void g1_jac_dbl(g1_jac *r, const g1_jac *a);
/* r = a + b, any inputs (equal, opposite, infinity). r may alias a or b. */
void g1_jac_add(g1_jac *r, const g1_jac *a, const g1_jac *b);
/* r = a + b for affine b. r may alias a. */
void g1_jac_add_aff(g1_jac *r, const g1_jac *a, const g1_aff *b);
/* True when a and b are the same point. */
bool g1_jac_eq(const g1_jac *a, const g1_jac *b);
/* r = [k]a, k a 256-bit integer (4 limbs, least significant first), any
 * value (k >= r is fine). Width-5 wNAF; variable time. */
void g1_jac_mul(g1_jac *r, const g1_jac *a, const uint64_t k[4]);

#endif
