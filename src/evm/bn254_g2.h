/*
 * bn254_g2.h — internal to the bn254 code: the group G2, the order-r
 * subgroup of the sextic twist E'(Fp2): y^2 = x^3 + 3/ξ, ξ = 9 + u.
 *
 * Same shape as bn254_g1.h (Jacobian coordinates over Fp2, Z = 0 is
 * infinity, EFD a = 0 formulas). E'(Fp2) has order r·c with a huge cofactor
 * c = p + t - 1 (t the trace of Frobenius), so decoding a G2 input must check
 * subgroup membership as well as the curve equation; g2_aff_in_subgroup()
 * does that with an endomorphism test instead of a 254-bit multiplication.
 *
 * Constant time: the field arithmetic only (inputs are public).
 * Not a public header.
 */
#ifndef SPECTRUM_EVM_BN254_G2_H
#define SPECTRUM_EVM_BN254_G2_H

#include "evm/bn254_fp2.h"

typedef struct {
    fp2 x, y;
    bool inf;
} g2_aff;

typedef struct {
    fp2 x, y, z;
} g2_jac;

/* b' = 3/ξ, the twist's constant, and 3b' (used by the pairing's doubling). */
extern const fp2 G2_B;
extern const fp2 G2_B3;

/* True when (x, y) satisfies y^2 = x^3 + 3/ξ (a->inf is not looked at). */
bool g2_aff_on_curve(const g2_aff *a);

/* True when the twist point a (on the curve, not infinity) is in the
 * order-r subgroup. See bn254_g2.c for the test and why it is exact. */
bool g2_aff_in_subgroup(const g2_aff *a);

/* ψ = untwist∘Frobenius∘twist: (x, y) -> (conj(x)·ξ^((p-1)/3),
 * conj(y)·ξ^((p-1)/2)). An endomorphism of E'(Fp2) that acts on G2 as
 * multiplication by p. */
void g2_aff_psi(g2_aff *r, const g2_aff *a);
void g2_jac_psi(g2_jac *r, const g2_jac *a);

void g2_jac_set_inf(g2_jac *r);
static inline bool g2_jac_is_inf(const g2_jac *a)
{
    return fp2_is_zero(&a->z);
}
void g2_jac_from_aff(g2_jac *r, const g2_aff *a);
/* One inversion. */
void g2_jac_to_aff(g2_aff *r, const g2_jac *a);
void g2_jac_neg(g2_jac *r, const g2_jac *a);
/* r = 2a. r may alias a. */
void g2_jac_dbl(g2_jac *r, const g2_jac *a);
/* r = a + b, any inputs. r may alias a or b. */
void g2_jac_add(g2_jac *r, const g2_jac *a, const g2_jac *b);
bool g2_jac_eq(const g2_jac *a, const g2_jac *b);
/* r = [k]a, k 256-bit (4 limbs, least significant first). wNAF, variable
 * time. */
void g2_jac_mul(g2_jac *r, const g2_jac *a, const uint64_t k[4]);

#endif
