/*
 * precompile.h — the precompiled contracts 0x01..0x08 of Byzantium
 * (0x01..0x04 before it), which is all Spectrum has (spec §6.6: no blake2f,
 * no EIP-1108 repricing).
 *
 *   0x01 ecrecover   3000
 *   0x02 sha256      60 + 12 per word
 *   0x03 ripemd160   600 + 120 per word
 *   0x04 identity    15 + 3 per word
 *   0x05 modexp      EIP-198 (Byzantium+)
 *   0x06 bn254 add   500      (Byzantium+, EIP-196)
 *   0x07 bn254 mul   40000    (Byzantium+, EIP-196)
 *   0x08 pairing     100000 + 80000 per pair (Byzantium+, EIP-197)
 *
 * Threads: pure functions; safe from any thread.
 */
#ifndef SPECTRUM_EVM_PRECOMPILE_H
#define SPECTRUM_EVM_PRECOMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evm/fork.h"
#include "primitives/address.h"
#include "util/bytes.h"

/* True when `a` is a precompile under `fork`: 0x01..0x04 from Frontier,
 * 0x01..0x08 from Byzantium on. */
bool precompile_is(enum evm_fork fork, const struct address *a);

/* Gas the call costs for this input (saturating at UINT64_MAX, never
 * overflowing: modexp lengths are outside input). Reads at most the first
 * 96 bytes and 32 exponent bytes of a modexp input; allocates nothing.
 * Returns 0 when `a` is not a precompile under `fork`. in may be NULL when
 * len is 0. */
uint64_t precompile_gas(enum evm_fork fork, const struct address *a, const uint8_t *in,
                        size_t len);

/*
 * Runs precompile `a` on `in`, appending its output to `out`.
 * Returns: 0 on success (output may be empty: ecrecover of an invalid
 *          signature succeeds with no output), ERR_INVAL when the input is
 *          invalid for a call that must then fail (bn254 points off the
 *          curve, bad pairing length, or `a` not a precompile under
 *          `fork`), ERR_NOMEM, ERR_CRYPTO (a library failure), or
 *          ERR_RANGE (modexp lengths that need more than 4·10^11 gas: a
 *          guard no charged call reaches). On error nothing is appended.
 * In:  in, len  the call data (in may be NULL when len is 0); short input
 *               is right-padded with zeros where the contract says so.
 * Out: out      the output is appended (the caller owns the buffer).
 * The caller has charged precompile_gas() already: run allocates in
 * proportion to what that gas paid for, never to raw declared lengths.
 */
int precompile_run(enum evm_fork fork, const struct address *a, const uint8_t *in, size_t len,
                   struct bytes *out);

#endif
