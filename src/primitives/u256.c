/*
 * u256.c — the out-of-line half of the 256-bit arithmetic; see u256.h.
 *
 * Everything here works on arrays of 64-bit limbs, least significant first,
 * with unsigned __int128 for products and carries, and never allocates.
 *
 * Division is Knuth's algorithm D (TAOCP vol. 2, 4.3.1) in base 2^64: the
 * divisor is shifted so its top bit is set, each quotient limb is estimated
 * from the top two limbs of the running remainder divided by the top limb of
 * the divisor, corrected with the second divisor limb (at most twice), then
 * the estimate times the divisor is subtracted, with one add-back in the
 * rare case the estimate was still one too large. The 128/64 estimate uses
 * a reciprocal of the divisor's top limb computed once per division (Möller
 * and Granlund, "Improved division by invariant integers", IEEE Trans.
 * Computers 60(2), 2011, algorithm 4), so each step costs two multiplications
 * instead of a hardware division. One routine serves DIV, MOD, ADDMOD (a
 * 5-limb dividend) and MULMOD (an 8-limb dividend).
 */
#include "primitives/u256.h"
#include "util/err.h"

__extension__ typedef unsigned __int128 u128;

/* ---- multiplication ---------------------------------------------------- */

/* One row of a schoolbook product: p[0..5) += x * b[0..4). */
static inline void mul_row(uint64_t *p, uint64_t x, const uint64_t b[4])
{
    u128 t;
    t = (u128)x * b[0] + p[0];
    p[0] = (uint64_t)t;
    t = (u128)x * b[1] + p[1] + (uint64_t)(t >> 64);
    p[1] = (uint64_t)t;
    t = (u128)x * b[2] + p[2] + (uint64_t)(t >> 64);
    p[2] = (uint64_t)t;
    t = (u128)x * b[3] + p[3] + (uint64_t)(t >> 64);
    p[3] = (uint64_t)t;
    p[4] = (uint64_t)(t >> 64);
}

/* p[0..8) = a * b, the full 512-bit product. p must not alias a or b. */
static void mul_full(uint64_t p[8], const uint64_t a[4], const uint64_t b[4])
{
    for (int i = 0; i < 8; i++)
        p[i] = 0;
    mul_row(p, a[0], b);
    mul_row(p + 1, a[1], b);
    mul_row(p + 2, a[2], b);
    mul_row(p + 3, a[3], b);
}

/* r = a * b mod 2^256, schoolbook by rows: only the 10 limb products that
 * land below 2^256 are formed, and the four that land in the top limb need
 * only their low halves. r may alias a or b (all reads come first). */
static inline void mul_lo(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    uint64_t b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
    uint64_t r0, r1, r2, r3, p1, p2;
    u128 t;
    t = (u128)a0 * b0;
    r0 = (uint64_t)t;
    t = (u128)a0 * b1 + (uint64_t)(t >> 64);
    p1 = (uint64_t)t;
    t = (u128)a0 * b2 + (uint64_t)(t >> 64);
    p2 = (uint64_t)t;
    r3 = a0 * b3 + (uint64_t)(t >> 64);

    t = (u128)a1 * b0 + p1;
    r1 = (uint64_t)t;
    t = (u128)a1 * b1 + p2 + (uint64_t)(t >> 64);
    p2 = (uint64_t)t;
    r3 += a1 * b2 + (uint64_t)(t >> 64);

    t = (u128)a2 * b0 + p2;
    r2 = (uint64_t)t;
    r3 += a2 * b1 + (uint64_t)(t >> 64) + a3 * b0;

    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
    r[3] = r3;
}

void u256_mul(u256 *r, const u256 *a, const u256 *b)
{
    mul_lo(r->w, a->w, b->w);
}

bool u256_mul_overflow(u256 *r, const u256 *a, const u256 *b)
{
    if (u256_fits_u64(a) && u256_fits_u64(b)) {
        u128 t = (u128)a->w[0] * b->w[0];
        r->w[0] = (uint64_t)t;
        r->w[1] = (uint64_t)(t >> 64);
        r->w[2] = r->w[3] = 0;
        return false;
    }
    uint64_t p[8];
    mul_full(p, a->w, b->w);
    for (int i = 0; i < 4; i++)
        r->w[i] = p[i];
    return (p[4] | p[5] | p[6] | p[7]) != 0;
}

/* ---- division ---------------------------------------------------------- */

/* Number of significant limbs in a[0..n). */
static int limb_len(const uint64_t *a, int n)
{
    while (n > 0 && a[n - 1] == 0)
        n--;
    return n;
}

/* The reciprocal of a normalized d (top bit set): floor((2^128-1)/d) - 2^64.
 * The quotient fits 64 bits because ~d < d. */
static inline uint64_t reciprocal(uint64_t d)
{
#if defined(__x86_64__)
    /* One hardware 128/64 division: libgcc's generic 128-bit division
     * (__udivti3) costs about as much again as the rest of a 256/256 DIV. */
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(UINT64_MAX), "d"(~d), "rm"(d));
    (void)r;
    return q;
#else
    return (uint64_t)((((u128)~d) << 64 | UINT64_MAX) / d);
#endif
}

/* (u1:u0) / d for a normalized d and u1 < d, with v = reciprocal(d).
 * Returns the quotient (it fits 64 bits) and writes the remainder. */
static inline uint64_t div_2by1(uint64_t u1, uint64_t u0, uint64_t d, uint64_t v,
                                uint64_t *rem)
{
    u128 q = (u128)v * u1 + (((u128)u1 << 64) | u0);
    uint64_t q1 = (uint64_t)(q >> 64) + 1;
    uint64_t q0 = (uint64_t)q;
    uint64_t r = u0 - q1 * d;
    /* The first adjustment goes either way about half the time, so it is
     * done with a mask instead of an unpredictable branch. */
    uint64_t mask = (uint64_t)0 - (uint64_t)(r > q0);
    q1 += mask;
    r += mask & d;
    if (r >= d) { /* rare */
        q1++;
        r -= d;
    }
    *rem = r;
    return q1;
}

/*
 * Unsigned division of u (ulen significant limbs, 1 <= ulen <= 8) by v
 * (vlen significant limbs, 1 <= vlen <= 4), ulen >= vlen. Writes the
 * ulen - vlen + 1 quotient limbs to q and the vlen remainder limbs to rem;
 * either may be NULL when not wanted.
 *
 * The limb loops carry `#pragma GCC unroll`: their trip counts are tiny but
 * known only at run time, and unrolled they make MULMOD about a quarter
 * faster at -O2.
 */
static void udivrem(uint64_t *q, uint64_t *rem, const uint64_t *u, int ulen,
                    const uint64_t *v, int vlen)
{
    uint64_t un[9], vn[4];
    int s = __builtin_clzll(v[vlen - 1]);

    /* Normalize: shift both left by s so the divisor's top bit is set.
     * un gets one extra limb for the bits shifted out of u. */
    if (s) {
        #pragma GCC unroll 8
        for (int i = vlen - 1; i > 0; i--)
            vn[i] = v[i] << s | v[i - 1] >> (64 - s);
        vn[0] = v[0] << s;
        un[ulen] = u[ulen - 1] >> (64 - s);
        #pragma GCC unroll 8
        for (int i = ulen - 1; i > 0; i--)
            un[i] = u[i] << s | u[i - 1] >> (64 - s);
        un[0] = u[0] << s;
    } else {
        #pragma GCC unroll 8
        for (int i = 0; i < vlen; i++)
            vn[i] = v[i];
        #pragma GCC unroll 8
        for (int i = 0; i < ulen; i++)
            un[i] = u[i];
        un[ulen] = 0;
    }

    if (vlen == 1) {
        /* Short division: un[ulen] < 2^s <= d keeps each step in range. */
        uint64_t d = vn[0], inv = reciprocal(d), r = un[ulen];
        #pragma GCC unroll 8
        for (int i = ulen - 1; i >= 0; i--) {
            uint64_t qi = div_2by1(r, un[i], d, inv, &r);
            if (q)
                q[i] = qi;
        }
        if (rem)
            rem[0] = r >> s;
        return;
    }

    uint64_t d1 = vn[vlen - 1], d0 = vn[vlen - 2], inv = reciprocal(d1);
    for (int j = ulen - vlen; j >= 0; j--) {
        /* Invariant: un[j+vlen..] < vn, so u2 <= d1. */
        uint64_t u2 = un[j + vlen], u1 = un[j + vlen - 1], u0 = un[j + vlen - 2];
        uint64_t qhat, rhat;
        bool rhat_big; /* rhat >= 2^64: the refinement test cannot fire */
        if (u2 == d1) {
            /* (u2:u1)/d1 >= 2^64: start from the largest digit; its
             * remainder is (u2:u1) - (2^64-1)*d1 = u1 + d1. */
            qhat = UINT64_MAX;
            rhat = u1 + d1;
            rhat_big = rhat < d1;
        } else {
            qhat = div_2by1(u2, u1, d1, inv, &rhat);
            rhat_big = false;
        }
        /* Knuth's test with the second divisor limb: leaves qhat equal to
         * the true digit or one above it. */
        while (!rhat_big && (u128)qhat * d0 > (((u128)rhat << 64) | u0)) {
            qhat--;
            rhat += d1;
            rhat_big = rhat < d1;
        }

        /* un[j..j+vlen] -= qhat * vn */
        uint64_t carry = 0;
        #pragma GCC unroll 8
        for (int i = 0; i < vlen; i++) {
            u128 p = (u128)qhat * vn[i] + carry;
            uint64_t lo = (uint64_t)p;
            carry = (uint64_t)(p >> 64) + (un[i + j] < lo);
            un[i + j] -= lo;
        }
        bool negative = un[j + vlen] < carry;
        un[j + vlen] -= carry;

        if (negative) {
            /* qhat was one too large: add the divisor back once. */
            qhat--;
            uint64_t c = 0;
            #pragma GCC unroll 8
            for (int i = 0; i < vlen; i++) {
                u128 t = (u128)un[i + j] + vn[i] + c;
                un[i + j] = (uint64_t)t;
                c = (uint64_t)(t >> 64);
            }
            un[j + vlen] += c;
        }
        if (q)
            q[j] = qhat;
    }

    if (rem) {
        /* The remainder sits in un[0..vlen), un[vlen] == 0; undo the shift. */
        #pragma GCC unroll 8
        for (int i = 0; i < vlen; i++)
            rem[i] = s ? (un[i] >> s | un[i + 1] << (64 - s)) : un[i];
    }
}

void u256_div(u256 *r, const u256 *a, const u256 *b)
{
    int vlen = limb_len(b->w, 4), ulen = limb_len(a->w, 4);
    if (vlen == 0 || ulen < vlen) {
        *r = u256_from_u64(0);
        return;
    }
    if (ulen == 1) {
        *r = u256_from_u64(a->w[0] / b->w[0]);
        return;
    }
    uint64_t q[4] = {0, 0, 0, 0};
    udivrem(q, NULL, a->w, ulen, b->w, vlen);
    for (int i = 0; i < 4; i++)
        r->w[i] = q[i];
}

void u256_mod(u256 *r, const u256 *a, const u256 *b)
{
    int vlen = limb_len(b->w, 4), ulen = limb_len(a->w, 4);
    if (vlen == 0) {
        *r = u256_from_u64(0);
        return;
    }
    if (ulen < vlen) {
        *r = *a;
        return;
    }
    if (ulen == 1) {
        *r = u256_from_u64(a->w[0] % b->w[0]);
        return;
    }
    uint64_t rem[4] = {0, 0, 0, 0};
    udivrem(NULL, rem, a->w, ulen, b->w, vlen);
    for (int i = 0; i < 4; i++)
        r->w[i] = rem[i];
}

static bool is_negative(const u256 *a)
{
    return (a->w[3] >> 63) != 0;
}

/* |a| as an unsigned value (|-2^255| = 2^255, which fits). */
static u256 abs_value(const u256 *a)
{
    u256 v = *a;
    if (is_negative(a))
        u256_neg(&v, a);
    return v;
}

void u256_sdiv(u256 *r, const u256 *a, const u256 *b)
{
    bool negate = is_negative(a) != is_negative(b);
    u256 x = abs_value(a), y = abs_value(b);
    u256_div(r, &x, &y);
    /* -2^255 / -1: |q| = 2^255, positive sign → 2^255, which reads back as
     * -2^255: the wrap the EVM specifies, with no special case. */
    if (negate)
        u256_neg(r, r);
}

void u256_smod(u256 *r, const u256 *a, const u256 *b)
{
    bool negate = is_negative(a);
    u256 x = abs_value(a), y = abs_value(b);
    u256_mod(r, &x, &y);
    if (negate)
        u256_neg(r, r);
}

void u256_addmod(u256 *r, const u256 *a, const u256 *b, const u256 *n)
{
    int vlen = limb_len(n->w, 4);
    if (vlen == 0) {
        *r = u256_from_u64(0);
        return;
    }
    if (u256_lt(a, n) && u256_lt(b, n)) {
        /* The common case: a + b < 2n, one conditional subtraction. */
        u256 s;
        bool carry = u256_add_overflow(&s, a, b);
        if (carry || !u256_lt(&s, n))
            u256_sub(&s, &s, n);
        *r = s;
        return;
    }
    /* An operand is >= n, so the 257-bit sum is too: ulen >= vlen. */
    uint64_t u[5];
    u256 s;
    u[4] = u256_add_overflow(&s, a, b) ? 1 : 0;
    for (int i = 0; i < 4; i++)
        u[i] = s.w[i];
    uint64_t rem[4] = {0, 0, 0, 0};
    udivrem(NULL, rem, u, limb_len(u, 5), n->w, vlen);
    for (int i = 0; i < 4; i++)
        r->w[i] = rem[i];
}

void u256_mulmod(u256 *r, const u256 *a, const u256 *b, const u256 *n)
{
    int vlen = limb_len(n->w, 4);
    if (vlen == 0) {
        *r = u256_from_u64(0);
        return;
    }
    uint64_t p[8];
    mul_full(p, a->w, b->w);
    int ulen = limb_len(p, 8);
    if (ulen < vlen) {
        for (int i = 0; i < 4; i++)
            r->w[i] = p[i];
        return;
    }
    uint64_t rem[4] = {0, 0, 0, 0};
    udivrem(NULL, rem, p, ulen, n->w, vlen);
    for (int i = 0; i < 4; i++)
        r->w[i] = rem[i];
}

void u256_exp(u256 *r, const u256 *base, const u256 *e)
{
    /* Right to left: result collects base^(2^i) for each set bit i. */
    u256 result = u256_from_u64(1), b = *base, x = *e;
    unsigned bits = u256_bit_len(&x);
    for (unsigned i = 0; i < bits; i++) {
        if ((x.w[i / 64] >> (i % 64)) & 1)
            mul_lo(result.w, result.w, b.w);
        if (i + 1 < bits)
            mul_lo(b.w, b.w, b.w);
    }
    *r = result;
}

/* ---- conversions ------------------------------------------------------- */

int u256_to_u64_checked(uint64_t *r, const u256 *a)
{
    if (!u256_fits_u64(a))
        return err_set(ERR_RANGE, "u256: value exceeds 64 bits");
    *r = a->w[0];
    return 0;
}

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
    return (u256_bit_len(a) + 7) / 8;
}

/* r = r * m + add; returns the part that overflowed 2^256 (0 if none). */
static uint64_t mul_small_add(u256 *r, uint64_t m, uint64_t add)
{
    uint64_t carry = add;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)r->w[i] * m + carry;
        r->w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    return carry;
}

int u256_from_dec(u256 *r, const char *s, size_t len)
{
    if (len == 0)
        return err_set(ERR_DECODE, "u256: empty decimal number");
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return err_set(ERR_DECODE, "u256: not a decimal digit at offset %zu", i);
    *r = u256_from_u64(0);
    /* Up to 19 digits at a time: 10^19 < 2^64. */
    size_t i = 0;
    while (i < len) {
        uint64_t chunk = 0, scale = 1;
        for (int k = 0; k < 19 && i < len; k++, i++) {
            chunk = chunk * 10 + (uint64_t)(s[i] - '0');
            scale *= 10;
        }
        if (mul_small_add(r, scale, chunk))
            return err_set(ERR_RANGE, "u256: decimal number exceeds 2^256-1");
    }
    return 0;
}

int u256_from_hex(u256 *r, const char *s, size_t len)
{
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        len -= 2;
    }
    if (len == 0)
        return err_set(ERR_DECODE, "u256: hex number has no digits");
    size_t start = 0;
    while (start < len && s[start] == '0')
        start++;
    if (len - start > 64) {
        for (size_t i = start; i < len; i++)
            if (!((s[i] >= '0' && s[i] <= '9') || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f')))
                return err_set(ERR_DECODE, "u256: not a hex digit at offset %zu", i);
        return err_set(ERR_RANGE, "u256: hex number exceeds 64 digits");
    }
    u256 v = u256_from_u64(0);
    for (size_t i = start; i < len; i++) {
        int c = (unsigned char)s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return err_set(ERR_DECODE, "u256: not a hex digit at offset %zu", i);
        size_t nib = len - 1 - i; /* nibble index from the bottom, < 64 */
        v.w[nib / 16] |= (uint64_t)d << (4 * (nib % 16));
    }
    *r = v;
    return 0;
}

int u256_from_str(u256 *r, const char *s, size_t len)
{
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return u256_from_hex(r, s, len);
    return u256_from_dec(r, s, len);
}

/* a /= d for a nonzero d; returns the remainder. Used by formatting only. */
static uint64_t div_small(u256 *a, uint64_t d)
{
    uint64_t rem = 0;
    for (int i = 3; i >= 0; i--) {
        u128 t = ((u128)rem << 64) | a->w[i];
        a->w[i] = (uint64_t)(t / d);
        rem = (uint64_t)(t % d);
    }
    return rem;
}

size_t u256_to_dec(const u256 *a, char buf[U256_DEC_BUF])
{
    const uint64_t ten19 = 10000000000000000000ULL;
    char tmp[U256_DEC_BUF];
    size_t n = 0;
    u256 v = *a;
    /* Peel 19-digit chunks from the bottom; only the top chunk stops at
     * its last nonzero digit. */
    do {
        uint64_t chunk = div_small(&v, ten19);
        bool top = u256_iszero(&v);
        for (int k = 0; k < 19; k++) {
            tmp[n++] = (char)('0' + chunk % 10);
            chunk /= 10;
            if (top && chunk == 0)
                break;
        }
    } while (!u256_iszero(&v));
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return n;
}

size_t u256_to_hex_quantity(const u256 *a, char buf[U256_HEX_BUF])
{
    static const char digits[] = "0123456789abcdef";
    unsigned nibbles = (u256_bit_len(a) + 3) / 4;
    if (nibbles == 0)
        nibbles = 1;
    buf[0] = '0';
    buf[1] = 'x';
    for (unsigned i = 0; i < nibbles; i++) {
        unsigned nib = nibbles - 1 - i;
        buf[2 + i] = digits[(a->w[nib / 16] >> (4 * (nib % 16))) & 15];
    }
    buf[2 + nibbles] = 0;
    return 2 + nibbles;
}

bool u256_word_u64(const uint8_t w[32], uint64_t *out)
{
    for (int i = 0; i < 24; i++)
        if (w[i])
            return false;
    uint64_t x = 0;
    for (int i = 24; i < 32; i++)
        x = x << 8 | w[i];
    *out = x;
    return true;
}
