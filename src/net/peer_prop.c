/*
 * peer_prop.c — see peer_prop.h. Integer square root by Newton's method,
 * so no floating point (and no libm rounding) decides who gets a block.
 */
#include "net/peer_prop.h"

size_t peer_prop_full_count(size_t n)
{
    if (n == 0)
        return 0;
    size_t x = n, y = (x + 1) / 2;
    while (y < x) {
        x = y;
        y = (x + n / x) / 2;
    }
    return x ? x : 1;
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void peer_prop_choose(size_t n, uint64_t seed, bool *full, size_t *order)
{
    size_t k = peer_prop_full_count(n);
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        full[i] = false;
    }
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)(splitmix64(&seed) % (uint64_t)(n - i));
        size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
        full[order[i]] = true;
    }
}
