/*
 * arith.h — MULMOD, DIV and MOD for the interpreter, faster than the general
 * u256 routines on the operands contracts actually use.
 *
 * Why: elliptic-curve and pairing code in contracts (weierstrudel, bn254 and
 * secp256k1 verifiers) runs MULMOD over and over with one 256-bit modulus.
 * The general 512-by-256 division is a chain of five dependent quotient
 * digits. Here the modulus and its Barrett constant floor(2^512 / n) are
 * kept in a one-entry cache, so a MULMOD by the same modulus is two
 * independent multiplications and at most two subtractions (HAC 14.42);
 * the constant itself comes from one Knuth division with a 3-by-2
 * reciprocal when the modulus changes. Moduli below 2^192 (and 2^192
 * itself) go to u256_mulmod. DIV and MOD by powers of two become shifts and
 * masks.
 *
 * Threads: the cache belongs to the caller (one per struct evm).
 */
#ifndef SPECTRUM_EVM_ARITH_H
#define SPECTRUM_EVM_ARITH_H

#include <stdbool.h>
#include <stdint.h>

#include "primitives/u256.h"

/* The last modulus and its Barrett constant floor(2^512 / n). */
struct evm_modcache {
    bool valid;
    u256 n;
    uint64_t mu[5];
};

/* r = (a * b) % n on the full 512-bit product (EVM MULMOD; n == 0 gives 0).
 * r may alias any input. */
void evm_mulmod(u256 *r, const u256 *a, const u256 *b, const u256 *n, struct evm_modcache *c);

/* DIV and MOD: a divisor that is a power of two (contracts divide and take
 * remainders by 2^k to shift and mask, e.g. compilers without EIP-145)
 * becomes a shift or a mask; anything else goes to u256_div / u256_mod. */
static inline bool evm_pow2_(const u256 *b, unsigned *shift)
{
    unsigned limbs = 0, s = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t w = b->w[i];
        if (w) {
            if (w & (w - 1))
                return false;
            limbs++;
            s = 64 * (unsigned)i + (unsigned)__builtin_ctzll(w);
        }
    }
    *shift = s;
    return limbs == 1;
}

/* r = a / b (EVM DIV; b == 0 gives 0). r may alias a or b. */
static inline void evm_div(u256 *r, const u256 *a, const u256 *b)
{
    unsigned s;
    if (evm_pow2_(b, &s)) {
        u256 sh = u256_from_u64(s);
        u256_shr(r, &sh, a);
    } else {
        u256_div(r, a, b);
    }
}

/* r = a % b (EVM MOD; b == 0 gives 0). r may alias a or b. */
static inline void evm_mod(u256 *r, const u256 *a, const u256 *b)
{
    unsigned s;
    if (evm_pow2_(b, &s)) {
        u256 one = u256_from_u64(1), mask;
        u256_sub(&mask, b, &one);
        u256_and(r, a, &mask);
    } else {
        u256_mod(r, a, b);
    }
}

#endif
