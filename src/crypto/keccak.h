/*
 * keccak.h — Keccak-256 as Ethereum uses it (original Keccak padding 0x01,
 * not the FIPS-202 SHA3 padding 0x06).
 *
 * One-shot keccak256() for the common case, and an incremental context for
 * data that arrives in pieces. No allocation; safe from any thread (contexts
 * are caller-owned).
 */
#ifndef SPECTRUM_CRYPTO_KECCAK_H
#define SPECTRUM_CRYPTO_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#define KECCAK256_RATE 136

struct keccak_ctx {
    uint64_t st[25];
    size_t pos;          /* bytes absorbed into the current block */
};

/* out = keccak256(in[0..len)). in may be NULL when len == 0. */
void keccak256(const void *in, size_t len, uint8_t out[32]);

void keccak256_init(struct keccak_ctx *c);
void keccak256_update(struct keccak_ctx *c, const void *in, size_t len);
/* Writes the digest; the context must be re-initialised before reuse. */
void keccak256_final(struct keccak_ctx *c, uint8_t out[32]);

/* The Keccak-f[1600] permutation (exposed for tests and benchmarks). */
void keccak_f1600(uint64_t st[25]);

#endif
