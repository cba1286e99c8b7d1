/*
 * bn254_scalar.c — wNAF recoding (see bn254_scalar.h). Works on a five-limb
 * copy so that adding back a negative digit to a 256-bit scalar cannot
 * overflow.
 */
#include "evm/bn254_scalar.h"

size_t bn254_wnaf(int8_t digits[BN254_WNAF_MAX], const uint64_t k_in[4], int w)
{
    uint64_t k[5] = {k_in[0], k_in[1], k_in[2], k_in[3], 0};
    const int64_t full = (int64_t)1 << w, half = full >> 1;
    size_t n = 0;
    while ((k[0] | k[1] | k[2] | k[3] | k[4]) != 0 && n < BN254_WNAF_MAX) {
        int64_t d = 0;
        if (k[0] & 1) {
            d = (int64_t)(k[0] & (uint64_t)(full - 1));
            if (d >= half)
                d -= full;
            /* k -= d */
            if (d > 0) {
                uint64_t sub = (uint64_t)d;
                for (int i = 0; i < 5 && sub; i++) {
                    uint64_t old = k[i];
                    k[i] = old - sub;
                    sub = old < sub;
                }
            } else {
                uint64_t add = (uint64_t)(-d);
                for (int i = 0; i < 5 && add; i++) {
                    k[i] += add;
                    add = k[i] < add;
                }
            }
        }
        digits[n++] = (int8_t)d;
        for (int i = 0; i < 4; i++)
            k[i] = (k[i] >> 1) | (k[i + 1] << 63);
        k[4] >>= 1;
    }
    return n;
}
