/* keccak.c — Keccak-256; see keccak.h. (Straightforward version; the
 * permutation is the only hot part.) */
#include "crypto/keccak.h"

#include <string.h>

static const uint64_t RC[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};
static const unsigned ROT[25] = {
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
};

static inline uint64_t rol(uint64_t x, unsigned n) { return n ? (x << n) | (x >> (64 - n)) : x; }

void keccak_f1600(uint64_t a[25])
{
    for (int r = 0; r < 24; r++) {
        uint64_t c[5], d[5], b[25];
        for (int x = 0; x < 5; x++)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++)
            d[x] = c[(x + 4) % 5] ^ rol(c[(x + 1) % 5], 1);
        for (int i = 0; i < 25; i++)
            a[i] ^= d[i % 5];
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                b[y + 5 * ((2 * x + 3 * y) % 5)] = rol(a[x + 5 * y], ROT[x + 5 * y]);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 5; x++)
                a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
        a[0] ^= RC[r];
    }
}

void keccak256_init(struct keccak_ctx *c)
{
    memset(c, 0, sizeof *c);
}

static inline void xor_byte(uint64_t *st, size_t i, uint8_t v)
{
    st[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

void keccak256_update(struct keccak_ctx *c, const void *in, size_t len)
{
    const uint8_t *p = in;
    while (len--) {
        xor_byte(c->st, c->pos++, *p++);
        if (c->pos == KECCAK256_RATE) {
            keccak_f1600(c->st);
            c->pos = 0;
        }
    }
}

void keccak256_final(struct keccak_ctx *c, uint8_t out[32])
{
    xor_byte(c->st, c->pos, 0x01);
    xor_byte(c->st, KECCAK256_RATE - 1, 0x80);
    keccak_f1600(c->st);
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(c->st[i / 8] >> (8 * (i % 8)));
}

void keccak256(const void *in, size_t len, uint8_t out[32])
{
    struct keccak_ctx c;
    keccak256_init(&c);
    keccak256_update(&c, in, len);
    keccak256_final(&c, out);
}
