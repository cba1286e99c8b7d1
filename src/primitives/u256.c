/* u256.c — 256-bit integer arithmetic; see u256.h. */
#include "primitives/u256.h"
#include "util/err.h"

int u256_from_be(u256 *r, const uint8_t *in, size_t len)
{
    if (len > 32)
        return err_set(ERR_RANGE, "u256: %zu bytes exceed 32", len);
    r->w[0] = r->w[1] = r->w[2] = r->w[3] = 0;
    for (size_t i = 0; i < len; i++) {
        size_t bit = 8 * (len - 1 - i);
        r->w[bit / 64] |= (uint64_t)in[i] << (bit % 64);
    }
    return 0;
}

void u256_to_be(const u256 *a, uint8_t out[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t v = a->w[3 - i];
        for (int j = 7; j >= 0; j--) {
            out[8 * i + j] = (uint8_t)v;
            v >>= 8;
        }
    }
}

unsigned u256_byte_len(const u256 *a)
{
    for (int i = 3; i >= 0; i--) {
        if (a->w[i]) {
            unsigned bits = 64 - (unsigned)__builtin_clzll(a->w[i]);
            return (unsigned)i * 8 + (bits + 7) / 8;
        }
    }
    return 0;
}
