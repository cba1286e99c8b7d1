/*
 * bn254_pairing.h — internal to the bn254 code: the optimal ate pairing
 * e: G1 × G2 -> GT ⊂ Fp12*, as a Miller loop over several pairs followed by
 * one final exponentiation.
 *
 * e(P, Q) = (f_{6x+2,Q}(P) · l_{T,ψ(Q)}(P) · l_{T',-ψ^2(Q)}(P))^((p^12-1)/r)
 * with x = 4965661367192848881. A product of pairings shares the Miller loop
 * squarings and the final exponentiation, which is what the EIP-197 check
 * (is Π e(P_i, Q_i) == 1?) needs.
 *
 * Constant time: the field arithmetic; the loop is over public constants.
 * Not a public header.
 */
#ifndef SPECTRUM_EVM_BN254_PAIRING_H
#define SPECTRUM_EVM_BN254_PAIRING_H

#include <stddef.h>

#include "evm/bn254_g1.h"
#include "evm/bn254_g2.h"
#include "evm/bn254_tower.h"

/* Most pairs one bn254_miller_loop() call takes (its state is on the stack). */
#define BN254_MILLER_MAX 8

/* f = Π_i f_i, the Miller-loop values of (P[i], Q[i]) before the final
 * exponentiation. Args: n in [1, BN254_MILLER_MAX]; P[i] and Q[i] finite,
 * P[i] on E, Q[i] in G2 (the caller validated them). */
void bn254_miller_loop(fp12 *f, const g1_aff *P, const g2_aff *Q, size_t n);

/* r = f^((p^12 - 1)/r). f must be non-zero. r may alias f. */
void bn254_final_exp(fp12 *r, const fp12 *f);

/* r = e(P, Q); r = 1 if either is infinity. Same preconditions. */
void bn254_pairing(fp12 *r, const g1_aff *P, const g2_aff *Q);

#endif
