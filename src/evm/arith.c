/*
 * arith.c — MULMOD by Barrett reduction with a cached constant (see
 * arith.h).
 *
 * For a modulus n of four limbs (2^192 < n < 2^256) the constant
 * mu = floor(2^512 / n) has at most five limbs. A product x = a * b
 * (eight limbs) is reduced as in Menezes, van Oorschot and Vanstone,
 * Handbook of Applied Cryptography, algorithm 14.42 (base 2^64, k = 4):
 * q = floor(floor(x / 2^192) * mu / 2^320), r = (x - q * n) mod 2^320, then
 * r -= n at most twice. mu itself is computed by schoolbook (Knuth D)
 * division with five quotient digits, each estimated by one 3-by-2
 * division with a precomputed reciprocal and corrected by at most one
 * add-back (N. Möller and T. Granlund, "Improved division by invariant
 * integers", IEEE Trans. Computers 2011, algorithms 5 and 6). All written
 * from the papers.
 */
#include "evm/arith.h"

#include <stdbool.h>

typedef unsigned __int128 u128;

/* floor((2^128 - 1) / d) - 2^64 for a normalised d (top bit set). */
static uint64_t reciprocal_2by1(uint64_t d)
{
#if defined(__x86_64__)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(UINT64_MAX), "d"(~d), "rm"(d));
    (void)r;
    return q;
#else
    return (uint64_t)((((u128)~d) << 64 | UINT64_MAX) / d);
#endif
}

/* floor((2^192 - 1) / (d1:d0)) - 2^64 for normalised d1 (algorithm 6). */
static uint64_t reciprocal_3by2(uint64_t d1, uint64_t d0)
{
    uint64_t v = reciprocal_2by1(d1);
    uint64_t p = d1 * v + d0;
    if (p < d0) {
        v--;
        if (p >= d1) {
            v--;
            p -= d1;
        }
        p -= d1;
    }
    u128 t = (u128)v * d0;
    uint64_t t1 = (uint64_t)(t >> 64), t0 = (uint64_t)t;
    p += t1;
    if (p < t1) {
        v--;
        if (p > d1 || (p == d1 && t0 >= d0))
            v--;
    }
    return v;
}

/* (u2:u1:u0) / (d1:d0) with (u2:u1) < (d1:d0) (algorithm 5): returns the
 * quotient digit and writes the 2-limb remainder. */
static inline uint64_t div_3by2(uint64_t u2, uint64_t u1, uint64_t u0, uint64_t d1, uint64_t d0,
                                uint64_t v, uint64_t *r1out, uint64_t *r0out)
{
    u128 q = (u128)v * u2 + (((u128)u2 << 64) | u1);
    uint64_t q1 = (uint64_t)(q >> 64), q0 = (uint64_t)q;
    uint64_t r1 = u1 - q1 * d1;
    u128 t = (u128)d0 * q1;
    u128 d = ((u128)d1 << 64) | d0;
    u128 r = ((((u128)r1 << 64) | u0) - t) - d;
    q1++;
    if ((uint64_t)(r >> 64) >= q0) {
        q1--;
        r += d;
    }
    if (__builtin_expect(r >= d, 0)) {
        q1++;
        r -= d;
    }
    *r1out = (uint64_t)(r >> 64);
    *r0out = (uint64_t)r;
    return q1;
}

/* p = a * b (8 limbs). */
static inline void mul_512(uint64_t p[8], const uint64_t a[4], const uint64_t b[4])
{
    #pragma GCC unroll 8
    for (int i = 0; i < 8; i++)
        p[i] = 0;
    #pragma GCC unroll 8
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        #pragma GCC unroll 8
        for (int j = 0; j < 4; j++) {
            u128 t = (u128)a[i] * b[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        p[i + 4] = carry;
    }
}

/*
 * Knuth D on a normalised 9-limb dividend un and 4-limb divisor vn (top bit
 * set) with v = reciprocal_3by2(vn[3], vn[2]), and un[8..5] < vn: writes
 * the five quotient digits to q (may be NULL) and leaves the remainder in
 * un[0..3] (un[4..8] end zero).
 */
static void div_9by4(uint64_t un[9], const uint64_t vn[4], uint64_t v, uint64_t *q)
{
    const uint64_t d1 = vn[3], d0 = vn[2];
    for (int j = 4; j >= 0; j--) {
        uint64_t u2 = un[j + 4], u1 = un[j + 3], u0 = un[j + 2];
        uint64_t digit;
        if (__builtin_expect(u2 == d1 && u1 == d0, 0)) {
            /* The digit is 2^64 - 1: subtract (2^64 - 1) * vn from the
             * 5-limb window; its top limb ends 0. */
            uint64_t borrow = 0;
            for (int i = 0; i < 4; i++) {
                u128 p = (u128)UINT64_MAX * vn[i] + borrow;
                uint64_t lo = (uint64_t)p;
                borrow = (uint64_t)(p >> 64) + (un[j + i] < lo);
                un[j + i] -= lo;
            }
            un[j + 4] = 0;
            digit = UINT64_MAX;
        } else {
            uint64_t r1, r0;
            digit = div_3by2(u2, u1, u0, d1, d0, v, &r1, &r0);
            /* Window low limbs minus digit * (vn[1]:vn[0]). */
            uint64_t borrow = 0;
            for (int i = 0; i < 2; i++) {
                u128 p = (u128)digit * vn[i] + borrow;
                uint64_t lo = (uint64_t)p;
                borrow = (uint64_t)(p >> 64) + (un[j + i] < lo);
                un[j + i] -= lo;
            }
            bool b1 = r0 < borrow;
            r0 -= borrow;
            bool negative = r1 < (uint64_t)b1;
            r1 -= (uint64_t)b1;
            un[j + 2] = r0;
            un[j + 3] = r1;
            un[j + 4] = 0;
            if (__builtin_expect(negative, 0)) {
                /* One too large: add the divisor back (carry dropped). */
                digit--;
                uint64_t carry = 0;
                for (int i = 0; i < 4; i++) {
                    u128 t = (u128)un[j + i] + vn[i] + carry;
                    un[j + i] = (uint64_t)t;
                    carry = (uint64_t)(t >> 64);
                }
            }
        }
        if (q)
            q[j] = digit;
    }
}

/* Fills the cache for modulus n (n >= 2^192, n != 2^192):
 * mu = floor(2^512 / n), which is below 2^320. */
static void barrett_setup(struct evm_modcache *c, const u256 *n)
{
    unsigned s = (unsigned)__builtin_clzll(n->w[3]);
    uint64_t vn[4], un[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    vn[3] = n->w[3] << s | (n->w[2] >> 1) >> (63 - s);
    vn[2] = n->w[2] << s | (n->w[1] >> 1) >> (63 - s);
    vn[1] = n->w[1] << s | (n->w[0] >> 1) >> (63 - s);
    vn[0] = n->w[0] << s;
    /* floor(2^512 / n) = floor(2^(512+s) / (n << s)); 2^(512+s) is limb 8
     * = 2^s, and the top window (2^s, 0, 0, 0) < vn since n > 2^192. */
    un[8] = (uint64_t)1 << s;
    uint64_t v = reciprocal_3by2(vn[3], vn[2]);
    div_9by4(un, vn, v, c->mu);
    c->n = *n;
    c->valid = true;
}

void evm_mulmod(u256 *r, const u256 *a, const u256 *b, const u256 *n, struct evm_modcache *c)
{
    if (n->w[3] == 0 || (n->w[3] == 1 && (n->w[2] | n->w[1] | n->w[0]) == 0)) {
        u256_mulmod(r, a, b, n);
        return;
    }
    uint64_t x[8];
    mul_512(x, a->w, b->w);
    if (__builtin_expect(!c->valid || !u256_eq(&c->n, n), 0))
        barrett_setup(c, n);
    const uint64_t *mu = c->mu, *m = n->w;

    /* q3 = floor(floor(x / 2^192) * mu / 2^320): x[3..7] times mu, keeping
     * limbs 5..9 of the 10-limb product. */
    uint64_t q2[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    #pragma GCC unroll 8
    for (int i = 0; i < 5; i++) {
        uint64_t carry = 0, xi = x[3 + i];
        #pragma GCC unroll 8
        for (int j = 0; j < 5; j++) {
            u128 t = (u128)xi * mu[j] + q2[i + j] + carry;
            q2[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        q2[i + 5] = carry;
    }
    const uint64_t *q3 = q2 + 5;
    /* r2 = (q3 * n) mod 2^320 */
    uint64_t r2[5] = {0, 0, 0, 0, 0};
    #pragma GCC unroll 8
    for (int i = 0; i < 5; i++) {
        uint64_t carry = 0;
        #pragma GCC unroll 8
        for (int j = 0; j < 4; j++) {
            if (i + j < 5) {
                u128 t = (u128)q3[i] * m[j] + r2[i + j] + carry;
                r2[i + j] = (uint64_t)t;
                carry = (uint64_t)(t >> 64);
            }
        }
        if (i + 4 < 5)
            r2[i + 4] += carry;
    }
    /* r = x mod 2^320 - r2 (mod 2^320), then at most two subtractions. */
    uint64_t rr[5];
    bool br = false;
    #pragma GCC unroll 8
    for (int i = 0; i < 5; i++) {
        uint64_t t = x[i] - r2[i];
        bool b1 = x[i] < r2[i];
        bool b2 = t < (uint64_t)br;
        rr[i] = t - (uint64_t)br;
        br = b1 | b2;
    }
    #pragma GCC unroll 8
    for (int k = 0; k < 2; k++) {
        /* rr >= n ? (n has 4 limbs, rr 5) */
        uint64_t t[5];
        bool bb = false;
        #pragma GCC unroll 8
        for (int i = 0; i < 5; i++) {
            uint64_t mi = i < 4 ? m[i] : 0;
            uint64_t d = rr[i] - mi;
            bool b1 = rr[i] < mi;
            bool b2 = d < (uint64_t)bb;
            t[i] = d - (uint64_t)bb;
            bb = b1 | b2;
        }
        if (bb)
            break;
        #pragma GCC unroll 8
        for (int i = 0; i < 5; i++)
            rr[i] = t[i];
    }
    r->w[0] = rr[0];
    r->w[1] = rr[1];
    r->w[2] = rr[2];
    r->w[3] = rr[3];
}
