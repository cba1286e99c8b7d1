/*
 * bn254_scalar.h — internal to the bn254 code: signed-digit recoding of
 * public scalars (wNAF), shared by the G1 and G2 multiplications and by the
 * pairing's loop parameters.
 *
 * Variable time by design: every scalar recoded here is public (an ECMUL
 * input, or a curve constant). Not a public header.
 */
#ifndef SPECTRUM_EVM_BN254_SCALAR_H
#define SPECTRUM_EVM_BN254_SCALAR_H

#include <stddef.h>
#include <stdint.h>

/* Longest recoding of a 256-bit scalar: one digit more than its bit length. */
#define BN254_WNAF_MAX 258

/* Writes the width-w NAF of k (4 limbs, least significant first) into
 * digits[], least significant digit first: every non-zero digit is odd, in
 * (-2^(w-1), 2^(w-1)), and followed by at least w-1 zeros. Returns the number
 * of digits (0 for k = 0). Args: w in [2, 7]; digits has room for
 * BN254_WNAF_MAX entries. */
size_t bn254_wnaf(int8_t digits[BN254_WNAF_MAX], const uint64_t k[4], int w);

#endif
