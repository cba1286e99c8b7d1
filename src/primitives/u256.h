/*
 * u256.h — 256-bit unsigned integers on 4×64-bit limbs (w[0] least
 * significant), with the complete EVM arithmetic.
 *
 * Values are plain structs passed by pointer and stored by value; nothing
 * allocates. Signed operations treat the value as two's complement.
 * Safe from any thread.
 */
#ifndef SPECTRUM_PRIMITIVES_U256_H
#define SPECTRUM_PRIMITIVES_U256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t w[4];
} u256;

static inline u256 u256_from_u64(uint64_t v)
{
    u256 r = {{v, 0, 0, 0}};
    return r;
}

static inline bool u256_is_zero(const u256 *a)
{
    return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

/* True when a fits in 64 bits. */
static inline bool u256_fits_u64(const u256 *a)
{
    return (a->w[1] | a->w[2] | a->w[3]) == 0;
}

/* Reads up to 32 big-endian bytes (shorter input is left-padded with zeros).
 * Returns 0, or ERR_RANGE when len > 32. */
int u256_from_be(u256 *r, const uint8_t *in, size_t len);

/* Writes 32 big-endian bytes. */
void u256_to_be(const u256 *a, uint8_t out[32]);

/* Number of significant bytes (0 for zero): the length of the minimal
 * big-endian encoding, as RLP uses. */
unsigned u256_byte_len(const u256 *a);

#endif
