/*
 * u256.h — 256-bit unsigned integers on 4×64-bit limbs (w[0] least
 * significant), with the complete EVM arithmetic.
 *
 * Why it is shaped this way: this is the EVM's hot path. Values are plain
 * structs passed by pointer and stored by value; nothing allocates. The
 * operations an interpreter runs most (add, sub, comparisons, bitwise ops,
 * shifts, BYTE, SIGNEXTEND) are `static inline` here so they compile into
 * the instruction bodies; the heavier ones (mul, division, addmod, mulmod,
 * exp) and the text conversions live in u256.c. Division is Knuth's
 * algorithm D on 64-bit limbs with 128/64 steps by a precomputed reciprocal;
 * mulmod reduces the full 512-bit product.
 *
 * Conventions for every operation below:
 *  - the result goes to the out-pointer `r`, which comes first;
 *  - inputs are `const u256 *` and `r` may alias any of them;
 *  - arithmetic wraps modulo 2^256, exactly as the EVM does;
 *  - "signed" means the value read as 256-bit two's complement
 *    (bit 255 is the sign).
 * All functions are pure and safe from any thread.
 */
#ifndef SPECTRUM_PRIMITIVES_U256_H
#define SPECTRUM_PRIMITIVES_U256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t w[4];
} u256;

/* Buffer sizes for the text forms: 78 decimal digits of 2^256-1 plus NUL;
 * "0x" plus 64 hex digits plus NUL. */
#define U256_DEC_BUF 79
#define U256_HEX_BUF 67

/* ------------------------------------------------------------------------
 * Construction and predicates
 * --------------------------------------------------------------------- */

/* Returns the value v. */
static inline u256 u256_from_u64(uint64_t v)
{
    u256 r = {{v, 0, 0, 0}};
    return r;
}

/* Returns 2^256 - 1 (all bits set; -1 when read as signed). */
static inline u256 u256_max(void)
{
    u256 r = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    return r;
}

/* Returns true when a == 0 (EVM ISZERO). */
static inline bool u256_iszero(const u256 *a)
{
    return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

/* Same as u256_iszero (older name, kept for existing callers). */
static inline bool u256_is_zero(const u256 *a)
{
    return u256_iszero(a);
}

/* Returns true when a fits in 64 bits (a < 2^64); a->w[0] is then its value. */
static inline bool u256_fits_u64(const u256 *a)
{
    return (a->w[1] | a->w[2] | a->w[3]) == 0;
}

/* A 32-byte big-endian word (an ABI uint, a storage value) as uint64: true
 * with *out set when it fits, false (and *out untouched) otherwise. */
bool u256_word_u64(const uint8_t w[32], uint64_t *out);

/* Returns the number of significant bits of a: 0 for zero, 256 when bit 255
 * is set. */
static inline unsigned u256_bit_len(const u256 *a)
{
    for (int i = 3; i >= 0; i--)
        if (a->w[i])
            return (unsigned)i * 64 + 64 - (unsigned)__builtin_clzll(a->w[i]);
    return 0;
}

/* ------------------------------------------------------------------------
 * Addition and subtraction
 * --------------------------------------------------------------------- */

/* Internal: one limb of an add-with-carry / subtract-with-borrow chain.
 * Written with the overflow builtins, which GCC and Clang turn into flag
 * arithmetic without branches. */
static inline uint64_t u256_adc_(uint64_t a, uint64_t b, bool *carry)
{
    uint64_t s, t;
    bool c1 = __builtin_add_overflow(a, b, &s);
    bool c2 = __builtin_add_overflow(s, (uint64_t)*carry, &t);
    *carry = c1 | c2;
    return t;
}

static inline uint64_t u256_sbb_(uint64_t a, uint64_t b, bool *borrow)
{
    uint64_t s, t;
    bool b1 = __builtin_sub_overflow(a, b, &s);
    bool b2 = __builtin_sub_overflow(s, (uint64_t)*borrow, &t);
    *borrow = b1 | b2;
    return t;
}

/* r = (a + b) mod 2^256. Returns true when the true sum is >= 2^256 (the
 * carry out of bit 255), for balance and gas checks. */
static inline bool u256_add_overflow(u256 *r, const u256 *a, const u256 *b)
{
    bool c = false;
    uint64_t r0 = u256_adc_(a->w[0], b->w[0], &c);
    uint64_t r1 = u256_adc_(a->w[1], b->w[1], &c);
    uint64_t r2 = u256_adc_(a->w[2], b->w[2], &c);
    uint64_t r3 = u256_adc_(a->w[3], b->w[3], &c);
    r->w[0] = r0;
    r->w[1] = r1;
    r->w[2] = r2;
    r->w[3] = r3;
    return c;
}

/* r = (a + b) mod 2^256 (EVM ADD). */
static inline void u256_add(u256 *r, const u256 *a, const u256 *b)
{
    (void)u256_add_overflow(r, a, b);
}

/* Internal: r = (a - b) mod 2^256; returns true when a < b (a borrow). */
static inline bool u256_sub_borrow_(u256 *r, const u256 *a, const u256 *b)
{
    bool c = false;
    uint64_t r0 = u256_sbb_(a->w[0], b->w[0], &c);
    uint64_t r1 = u256_sbb_(a->w[1], b->w[1], &c);
    uint64_t r2 = u256_sbb_(a->w[2], b->w[2], &c);
    uint64_t r3 = u256_sbb_(a->w[3], b->w[3], &c);
    r->w[0] = r0;
    r->w[1] = r1;
    r->w[2] = r2;
    r->w[3] = r3;
    return c;
}

/* r = (a - b) mod 2^256 (EVM SUB). */
static inline void u256_sub(u256 *r, const u256 *a, const u256 *b)
{
    (void)u256_sub_borrow_(r, a, b);
}

/* r = (0 - a) mod 2^256: the two's complement negation. */
static inline void u256_neg(u256 *r, const u256 *a)
{
    u256 z = {{0, 0, 0, 0}};
    (void)u256_sub_borrow_(r, &z, a);
}

/* ------------------------------------------------------------------------
 * Comparisons (EVM LT, GT, SLT, SGT, EQ)
 * --------------------------------------------------------------------- */

/* Returns true when a < b, unsigned. */
static inline bool u256_lt(const u256 *a, const u256 *b)
{
    bool c = false;
    (void)u256_sbb_(a->w[0], b->w[0], &c);
    (void)u256_sbb_(a->w[1], b->w[1], &c);
    (void)u256_sbb_(a->w[2], b->w[2], &c);
    (void)u256_sbb_(a->w[3], b->w[3], &c);
    return c;
}

/* Returns true when a > b, unsigned. */
static inline bool u256_gt(const u256 *a, const u256 *b)
{
    return u256_lt(b, a);
}

/* Returns true when a < b, both read as signed two's complement. */
static inline bool u256_slt(const u256 *a, const u256 *b)
{
    bool na = (a->w[3] >> 63) != 0, nb = (b->w[3] >> 63) != 0;
    return na != nb ? na : u256_lt(a, b);
}

/* Returns true when a > b, both read as signed two's complement. */
static inline bool u256_sgt(const u256 *a, const u256 *b)
{
    return u256_slt(b, a);
}

/* Returns true when a == b. */
static inline bool u256_eq(const u256 *a, const u256 *b)
{
    return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) |
            (a->w[2] ^ b->w[2]) | (a->w[3] ^ b->w[3])) == 0;
}

/* Returns -1, 0 or 1 as a is less than, equal to or greater than b
 * (unsigned). */
static inline int u256_cmp(const u256 *a, const u256 *b)
{
    for (int i = 3; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

/* ------------------------------------------------------------------------
 * Bitwise operations (EVM AND, OR, XOR, NOT)
 * --------------------------------------------------------------------- */

/* r = a & b. */
static inline void u256_and(u256 *r, const u256 *a, const u256 *b)
{
    for (int i = 0; i < 4; i++)
        r->w[i] = a->w[i] & b->w[i];
}

/* r = a | b. */
static inline void u256_or(u256 *r, const u256 *a, const u256 *b)
{
    for (int i = 0; i < 4; i++)
        r->w[i] = a->w[i] | b->w[i];
}

/* r = a ^ b. */
static inline void u256_xor(u256 *r, const u256 *a, const u256 *b)
{
    for (int i = 0; i < 4; i++)
        r->w[i] = a->w[i] ^ b->w[i];
}

/* r = ~a (all 256 bits flipped). */
static inline void u256_not(u256 *r, const u256 *a)
{
    for (int i = 0; i < 4; i++)
        r->w[i] = ~a->w[i];
}

/* ------------------------------------------------------------------------
 * Shifts (EIP-145), BYTE and SIGNEXTEND
 *
 * Argument order follows the EVM stack: the shift amount / index first,
 * then the value.
 * --------------------------------------------------------------------- */

/* Internal: r = x << n for n < 256. Branch-free: the limbs are read
 * from a zero-padded copy at an offset, and the bits carried across a limb
 * boundary are shifted in two steps so that n % 64 == 0 needs no test. */
static inline void u256_shl_n_(u256 *r, const u256 *x, unsigned n)
{
    const uint64_t w[8] = {0, 0, 0, 0, x->w[0], x->w[1], x->w[2], x->w[3]};
    const uint64_t *p = w + 4 - n / 64; /* p[i] = limb i of x << (64 * (n / 64)) */
    unsigned bs = n % 64;
    uint64_t r0 = p[0] << bs;
    uint64_t r1 = p[1] << bs | (p[0] >> 1) >> (63 - bs);
    uint64_t r2 = p[2] << bs | (p[1] >> 1) >> (63 - bs);
    uint64_t r3 = p[3] << bs | (p[2] >> 1) >> (63 - bs);
    r->w[0] = r0;
    r->w[1] = r1;
    r->w[2] = r2;
    r->w[3] = r3;
}

/* Internal: r = x >> n for n < 256, filling the vacated top bits from
 * `fill` (0 for a logical shift, all ones for an arithmetic shift of a
 * negative value). */
static inline void u256_shr_n_(u256 *r, const u256 *x, unsigned n, uint64_t fill)
{
    const uint64_t w[8] = {x->w[0], x->w[1], x->w[2], x->w[3], fill, fill, fill, fill};
    const uint64_t *p = w + n / 64;
    unsigned bs = n % 64;
    uint64_t r0 = p[0] >> bs | (p[1] << 1) << (63 - bs);
    uint64_t r1 = p[1] >> bs | (p[2] << 1) << (63 - bs);
    uint64_t r2 = p[2] >> bs | (p[3] << 1) << (63 - bs);
    uint64_t r3 = p[3] >> bs | (p[4] << 1) << (63 - bs);
    r->w[0] = r0;
    r->w[1] = r1;
    r->w[2] = r2;
    r->w[3] = r3;
}

/* r = x << shift (EVM SHL). A shift of 256 or more gives 0.
 * Args: shift  the amount, any u256; x  the value shifted. */
static inline void u256_shl(u256 *r, const u256 *shift, const u256 *x)
{
    if (!u256_fits_u64(shift) || shift->w[0] >= 256) {
        *r = u256_from_u64(0);
        return;
    }
    u256_shl_n_(r, x, (unsigned)shift->w[0]);
}

/* r = x >> shift, logical (EVM SHR). A shift of 256 or more gives 0.
 * Args: shift  the amount, any u256; x  the value shifted. */
static inline void u256_shr(u256 *r, const u256 *shift, const u256 *x)
{
    if (!u256_fits_u64(shift) || shift->w[0] >= 256) {
        *r = u256_from_u64(0);
        return;
    }
    u256_shr_n_(r, x, (unsigned)shift->w[0], 0);
}

/* r = x >> shift, arithmetic: x is read as signed and the sign bit is
 * copied into the vacated bits (EVM SAR; rounds toward minus infinity).
 * A shift of 256 or more gives 0 for x >= 0 and all ones (-1) for x < 0.
 * Args: shift  the amount, any u256; x  the value shifted. */
static inline void u256_sar(u256 *r, const u256 *shift, const u256 *x)
{
    uint64_t fill = (uint64_t)0 - (x->w[3] >> 63);
    if (!u256_fits_u64(shift) || shift->w[0] >= 256) {
        r->w[0] = r->w[1] = r->w[2] = r->w[3] = fill;
        return;
    }
    u256_shr_n_(r, x, (unsigned)shift->w[0], fill);
}

/* r = the i-th byte of x counting from the most significant (EVM BYTE):
 * i = 0 is bits 248..255, i = 31 is bits 0..7. i >= 32 gives 0. */
static inline void u256_byte(u256 *r, const u256 *i, const u256 *x)
{
    uint64_t b = 0;
    if (u256_fits_u64(i) && i->w[0] < 32) {
        unsigned idx = 31 - (unsigned)i->w[0]; /* byte index from the bottom */
        b = (x->w[idx / 8] >> (8 * (idx % 8))) & 0xff;
    }
    *r = u256_from_u64(b);
}

/* r = x sign-extended from byte b (EVM SIGNEXTEND): bit 8*b+7 is taken as
 * the sign of a (b+1)-byte two's complement number and copied into every
 * higher bit. b >= 31 (including any b that does not fit 64 bits) leaves x
 * unchanged. */
static inline void u256_signextend(u256 *r, const u256 *b, const u256 *x)
{
    if (!u256_fits_u64(b) || b->w[0] >= 31) {
        *r = *x;
        return;
    }
    unsigned t = (unsigned)b->w[0] * 8 + 7; /* sign bit, 7..247 */
    unsigned limb = t / 64, bit = t % 64;
    uint64_t sign = (uint64_t)0 - ((x->w[limb] >> bit) & 1);
    uint64_t keep = UINT64_MAX >> (63 - bit); /* bits 0..bit of the limb */
    u256 v = *x;
    v.w[limb] = (x->w[limb] & keep) | (sign & ~keep);
    for (unsigned k = limb + 1; k < 4; k++)
        v.w[k] = sign;
    *r = v;
}

/* ------------------------------------------------------------------------
 * Multiplication, division and modular arithmetic (u256.c)
 * --------------------------------------------------------------------- */

/* r = (a * b) mod 2^256 (EVM MUL). */
void u256_mul(u256 *r, const u256 *a, const u256 *b);

/* r = (a * b) mod 2^256. Returns true when the true product is >= 2^256
 * (for gas and balance checks such as gas * price). */
bool u256_mul_overflow(u256 *r, const u256 *a, const u256 *b);

/* r = a / b, rounded down (EVM DIV). b == 0 gives r = 0. */
void u256_div(u256 *r, const u256 *a, const u256 *b);

/* r = a % b (EVM MOD). b == 0 gives r = 0. */
void u256_mod(u256 *r, const u256 *a, const u256 *b);

/* r = a / b with a and b signed, rounded toward zero (EVM SDIV).
 * b == 0 gives 0; -2^255 / -1 overflows and gives -2^255 (as the EVM
 * specifies). */
void u256_sdiv(u256 *r, const u256 *a, const u256 *b);

/* r = a % b with a and b signed (EVM SMOD): the result has the sign of the
 * dividend a and |r| < |b|. b == 0 gives 0. */
void u256_smod(u256 *r, const u256 *a, const u256 *b);

/* r = (a + b) % n computed on the full 257-bit sum, so a carry past 2^256
 * is not lost (EVM ADDMOD). n == 0 gives r = 0. */
void u256_addmod(u256 *r, const u256 *a, const u256 *b, const u256 *n);

/* r = (a * b) % n computed on the full 512-bit product (EVM MULMOD).
 * n == 0 gives r = 0. */
void u256_mulmod(u256 *r, const u256 *a, const u256 *b, const u256 *n);

/* r = base^e mod 2^256 by square-and-multiply over the bits of e (EVM EXP).
 * 0^0 = 1. Cost grows with u256_bit_len(e), at most 256 squarings. */
void u256_exp(u256 *r, const u256 *base, const u256 *e);

/* ------------------------------------------------------------------------
 * Conversions
 * --------------------------------------------------------------------- */

/* Reads a as a uint64_t.
 * Returns 0, or ERR_RANGE (with context) when a >= 2^64; *r is then left
 * unchanged.
 * Out: r  the value. In: a. */
int u256_to_u64_checked(uint64_t *r, const u256 *a);

/* Reads up to 32 big-endian bytes (shorter input is left-padded with zeros;
 * len 0 gives 0). in may be NULL when len is 0.
 * Returns 0, or ERR_RANGE when len > 32 (*r is then unspecified). */
int u256_from_be(u256 *r, const uint8_t *in, size_t len);

/* Writes a as exactly 32 big-endian bytes. */
void u256_to_be(const u256 *a, uint8_t out[32]);

/* Number of significant bytes (0 for zero): the length of the minimal
 * big-endian encoding, as RLP uses. */
unsigned u256_byte_len(const u256 *a);

/* Parses a decimal number: one or more ASCII digits, nothing else (no sign,
 * no spaces, no prefix). Leading zeros are accepted.
 * Returns 0; ERR_DECODE when the text is empty or holds a non-digit;
 * ERR_RANGE when the value exceeds 2^256 - 1. On error *r is unspecified
 * and the context says why.
 * Args: s  the text, need not be NUL-terminated (may be NULL if len is 0);
 *       len  its length in bytes. */
int u256_from_dec(u256 *r, const char *s, size_t len);

/* Parses a hexadecimal number with or without a "0x"/"0X" prefix, digits in
 * either case. Leading zeros are accepted (any number of them); at most 64
 * significant digits.
 * Returns 0; ERR_DECODE when there are no digits (including a bare "0x",
 * which is not read as zero) or a character is not a hex digit; ERR_RANGE
 * when the value exceeds 2^256 - 1. On error *r is unspecified.
 * Args: s  the text, need not be NUL-terminated; len  its length. */
int u256_from_hex(u256 *r, const char *s, size_t len);

/* Parses a number as JSON fixtures and RPC callers write it: hex when the
 * text starts with "0x" or "0X" (see u256_from_hex), decimal otherwise
 * (see u256_from_dec). Returns 0, ERR_DECODE or ERR_RANGE as those do. */
int u256_from_str(u256 *r, const char *s, size_t len);

/* Writes a in decimal, NUL-terminated, with no leading zeros ("0" for zero).
 * Returns the number of digits written (1..78), not counting the NUL.
 * Out: buf  at least U256_DEC_BUF (79) bytes. */
size_t u256_to_dec(const u256 *a, char buf[U256_DEC_BUF]);

/* Writes a as a JSON-RPC quantity: "0x" then lowercase hex digits with no
 * leading zeros ("0x0" for zero, "0x1a"), NUL-terminated.
 * Returns the number of characters written (3..66), not counting the NUL.
 * Out: buf  at least U256_HEX_BUF (67) bytes. */
size_t u256_to_hex_quantity(const u256 *a, char buf[U256_HEX_BUF]);

#endif
