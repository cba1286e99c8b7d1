/*
 * precompile_impl.h — internal: the per-contract functions behind
 * precompile.h's dispatcher (precompile.c). Not for use outside src/evm.
 *
 * Each *_run appends the contract's output to `out` and returns 0,
 * ERR_INVAL (input makes the call fail), ERR_NOMEM or ERR_CRYPTO (library
 * failure), with the error context set. `in` may be NULL when len is 0.
 * All are pure and callable from any thread.
 */
#ifndef SPECTRUM_EVM_PRECOMPILE_IMPL_H
#define SPECTRUM_EVM_PRECOMPILE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "util/bytes.h"

/* Copies in[off .. off+n) into dst, with zeros for every byte at or past
 * len: the EVM's "input is right-padded with zeros" rule. off may be any
 * value, including past len. */
void precompile_read_padded(uint8_t *dst, size_t n, const uint8_t *in, size_t len, size_t off);

/* Gas of the contracts priced per 32-byte word: base + per_word *
 * ceil(len / 32), saturating at UINT64_MAX. */
uint64_t precompile_word_gas(uint64_t base, uint64_t per_word, size_t len);

/* 0x01 (precompile_ecrecover.c). Invalid signatures succeed with no output. */
int precompile_ecrecover_run(const uint8_t *in, size_t len, struct bytes *out);

/* 0x02, 0x03 (precompile_hash.c). 0x04 identity lives in precompile.c. */
int precompile_sha256_run(const uint8_t *in, size_t len, struct bytes *out);
int precompile_ripemd160_run(const uint8_t *in, size_t len, struct bytes *out);

/* 0x05 (precompile_modexp.c). The gas never allocates and saturates;
 * run refuses lengths no affordable call can have (see the file). */
uint64_t precompile_modexp_gas(const uint8_t *in, size_t len);
int precompile_modexp_run(const uint8_t *in, size_t len, struct bytes *out);

/* 0x06..0x08 (precompile_bn254.c). */
uint64_t precompile_bn254_pairing_gas(size_t len);
int precompile_bn254_add_run(const uint8_t *in, size_t len, struct bytes *out);
int precompile_bn254_mul_run(const uint8_t *in, size_t len, struct bytes *out);
int precompile_bn254_pairing_run(const uint8_t *in, size_t len, struct bytes *out);

#endif
