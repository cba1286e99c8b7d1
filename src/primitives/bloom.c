/*
 * bloom.c — 2048-bit log bloom; see bloom.h for the bit layout.
 */
#include "primitives/bloom.h"
#include "crypto/keccak.h"

/* The three (byte index, mask) positions of an entry. */
static void positions(const uint8_t *data, size_t len, size_t idx[3], uint8_t mask[3])
{
    uint8_t h[32];
    keccak256(data, len, h);
    for (int k = 0; k < 3; k++) {
        unsigned bit = (((unsigned)h[2 * k] << 8) | h[2 * k + 1]) & 2047u;
        idx[k] = BLOOM_BYTES - 1 - bit / 8;
        mask[k] = (uint8_t)(1u << (bit % 8));
    }
}

void bloom_add(struct bloom *bl, const uint8_t *data, size_t len)
{
    size_t idx[3];
    uint8_t mask[3];
    positions(data, len, idx, mask);
    for (int k = 0; k < 3; k++)
        bl->b[idx[k]] |= mask[k];
}

void bloom_or(struct bloom *dst, const struct bloom *src)
{
    for (size_t i = 0; i < BLOOM_BYTES; i++)
        dst->b[i] |= src->b[i];
}

bool bloom_test(const struct bloom *bl, const uint8_t *data, size_t len)
{
    size_t idx[3];
    uint8_t mask[3];
    positions(data, len, idx, mask);
    for (int k = 0; k < 3; k++)
        if ((bl->b[idx[k]] & mask[k]) == 0)
            return false;
    return true;
}

bool bloom_includes(const struct bloom *bl, const struct bloom *sub)
{
    for (size_t i = 0; i < BLOOM_BYTES; i++)
        if ((bl->b[i] & sub->b[i]) != sub->b[i])
            return false;
    return true;
}
