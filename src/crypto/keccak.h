/*
 * keccak.h — Keccak-256 as Ethereum uses it (original Keccak padding 0x01,
 * not the FIPS-202 SHA3 padding 0x06).
 *
 * One-shot keccak256() for the common case (fastest for short inputs such
 * as 32-byte keys and 64-byte public keys), and an incremental context for
 * data that arrives in pieces; both give the same digest for the same
 * bytes, however they are split. No allocation; safe from any thread
 * (contexts are caller-owned, one thread at a time per context).
 */
#ifndef SPECTRUM_CRYPTO_KECCAK_H
#define SPECTRUM_CRYPTO_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#define KECCAK256_RATE 136

/* Incremental state. Fields are private to keccak.c; zero-filled by
 * keccak256_init. */
struct keccak_ctx {
    uint64_t st[25];     /* the Keccak state, lane i = x + 5*y */
    size_t pos;          /* bytes absorbed into the current block */
};

/* out = keccak256(in[0..len)).
 * In: in (may be NULL when len == 0), len. Out: out (32 bytes). */
void keccak256(const void *in, size_t len, uint8_t out[32]);

/* Starts a new hash in c. */
void keccak256_init(struct keccak_ctx *c);

/* Absorbs in[0..len) (in may be NULL when len == 0). Any number of calls
 * with any lengths. */
void keccak256_update(struct keccak_ctx *c, const void *in, size_t len);

/* Writes the digest of everything absorbed since keccak256_init to out (32
 * bytes). The context must be re-initialised before reuse. */
void keccak256_final(struct keccak_ctx *c, uint8_t out[32]);

/* The Keccak-f[1600] permutation on a plain 25-lane state (lane i at
 * x + 5*y, little-endian lanes), exposed for tests and benchmarks. */
void keccak_f1600(uint64_t st[25]);

#endif
