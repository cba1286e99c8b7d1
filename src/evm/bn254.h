/*
 * bn254.h — alt_bn128 (BN254) curve operations for the EVM precompiles
 * 0x06 ECADD, 0x07 ECMUL (EIP-196) and 0x08 ECPAIRING (EIP-197).
 *
 * Curve E: y^2 = x^3 + 3 over Fp,
 *   p = 21888242871839275222246405745257275088696311157297823662689037894645226208583,
 * group order r = 21888242871839275222246405745257275088548364400416034343698204186575808495617.
 * G2 is the order-r subgroup of the twist E': y^2 = x^3 + 3/(9 + u) over
 * Fp2 = Fp[u]/(u^2 + 1). The pairing is the optimal ate pairing.
 *
 * Encodings (as in the EIPs and geth):
 *  - an Fp element is 32 bytes big-endian; a value >= p is invalid;
 *  - a G1 point is x ‖ y (64 bytes); (0, 0) is the point at infinity; any
 *    other pair must satisfy the curve equation;
 *  - a G2 point is x_imaginary ‖ x_real ‖ y_imaginary ‖ y_real (128 bytes),
 *    i.e. x = x_real + x_imaginary·u; all zero is the point at infinity; any
 *    other point must be on the twist AND in the order-r subgroup;
 *  - a scalar is 32 bytes big-endian, any 256-bit value (it may exceed r).
 *
 * Inputs are fixed-size: the precompile layer right-pads a short call input
 * with zeros (and ignores bytes past the size) before calling these, exactly
 * as EIP-196 says. Every failure returns ERR_INVAL with a reason in the
 * thread's error context (util/err.h); the EVM turns it into a failed call
 * that consumes all its gas. No function allocates; all are reentrant and
 * callable from any thread. Inputs are public data: the field arithmetic is
 * constant time, the scalar multiplication is not (see bn254_g1.h).
 */
#ifndef SPECTRUM_EVM_BN254_H
#define SPECTRUM_EVM_BN254_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes per encoded element. */
#define BN254_G1_BYTES 64
#define BN254_G2_BYTES 128
#define BN254_PAIR_BYTES 192

/* ECADD: out = P1 + P2.
 * Returns: 0, or ERR_INVAL when a coordinate is >= p or a point is not on
 *          the curve (out is then left unchanged).
 * In:  in   P1 ‖ P2, two 64-byte G1 encodings (x ‖ y, big-endian).
 * Out: out  the sum as a 64-byte G1 encoding; infinity is 64 zero bytes.
 * in and out may overlap. */
int bn254_g1_add(const uint8_t in[128], uint8_t out[64]);

/* ECMUL: out = [k]P.
 * Returns: 0, or ERR_INVAL when a coordinate is >= p or P is not on the
 *          curve (out unchanged).
 * In:  in   P ‖ k: a 64-byte G1 encoding and a 32-byte big-endian scalar
 *           (any value; [k]P = [k mod r]P).
 * Out: out  64-byte G1 encoding; infinity (k ≡ 0 or P = O) is all zeros.
 * in and out may overlap. */
int bn254_g1_mul(const uint8_t in[96], uint8_t out[64]);

/* ECPAIRING: *ok = (e(P_1, Q_1) · ... · e(P_k, Q_k) == 1).
 * Returns: 0, or ERR_INVAL when len is not a multiple of 192, or any
 *          coordinate is >= p, or a G1 point is not on the curve, or a G2
 *          point is not on the twist or not in the order-r subgroup
 *          (*ok is then left unchanged).
 * In:  in   k = len/192 pairs, each a 64-byte G1 encoding followed by a
 *           128-byte G2 encoding; may be NULL when len is 0.
 *      len  bytes at in. len = 0 gives *ok = true (the empty product).
 * Out: ok   the result of the check.
 * Pairs with a point at infinity contribute 1. Time is linear in k; the
 * caller bounds k (the EVM charges gas per pair before calling). */
int bn254_pairing_check(const uint8_t *in, size_t len, bool *ok);

#endif
