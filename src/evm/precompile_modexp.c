/*
 * precompile_modexp.c — contract 0x05: base^exp mod m on numbers of any
 * length (EIP-198, Byzantium pricing; Spectrum never adopted EIP-2565).
 *
 * Input: len_b(32) ‖ len_e(32) ‖ len_m(32) ‖ base(len_b) ‖ exp(len_e) ‖
 * mod(len_m), every part right-padded with zeros when the input is short.
 * Output: exactly len_m bytes, left-padded; 0 when m is 0.
 *
 * Why it is shaped this way: the three lengths are 256-bit values chosen by
 * whoever calls, and the price is what bounds them. So
 *  - the gas is computed exactly on u256 (primitives/u256.h), saturating at
 *    UINT64_MAX, and reads only the header and the first 32 bytes of the
 *    exponent: nothing is allocated by length before the caller has charged
 *    it. A call with len_b = len_m = 0 costs 0 whatever len_e says.
 *  - run allocates only max(len_b, len_m) bytes, which the charged gas
 *    bounds (gas >= max(len_b, len_m)^2 / 320). The exponent is never
 *    copied or padded: the modulus follows it, so an input that ends
 *    inside the exponent has m = 0 and the output is zeros whatever the
 *    exponent; otherwise the exponent lies whole inside the input and is
 *    read in place. Lengths above the caps below need more than 4·10^11
 *    gas: run refuses them (ERR_RANGE) as a guard, never reached by a call
 *    that was charged.
 * The arithmetic is OpenSSL's BIGNUM (BN_mod_exp, BN_mod_sqr).
 */

#include <openssl/bn.h>

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "evm/precompile_impl.h"
#include "primitives/u256.h"
#include "util/err.h"

/* Guards (see above): mult_complexity(2^24) / 20 ≈ 8.8·10^11 gas, and
 * len_e = 2^40 alone costs 8·2^40 / 20 ≈ 4.4·10^11 gas. */
#define MODEXP_MAX_LEN ((uint64_t)1 << 24)
#define MODEXP_MAX_EXP_LEN ((uint64_t)1 << 40)

struct modexp_header {
    u256 lb, le, lm;
};

static void read_header(struct modexp_header *h, const uint8_t *in, size_t len)
{
    uint8_t buf[96];
    precompile_read_padded(buf, sizeof buf, in, len, 0);
    u256_from_be(&h->lb, buf, 32);
    u256_from_be(&h->le, buf + 32, 32);
    u256_from_be(&h->lm, buf + 64, 32);
}

/* The input bytes [off, off + n), zero-padded: off is a u256 so that an
 * offset past any real input reads as zeros. */
static void read_at(uint8_t *dst, size_t n, const uint8_t *in, size_t len, const u256 *off)
{
    if (!u256_fits_u64(off) || off->w[0] >= (uint64_t)len) {
        memset(dst, 0, n);
        return;
    }
    precompile_read_padded(dst, n, in, len, (size_t)off->w[0]);
}

/* mult_complexity(x) of EIP-198, for x < 2^40 (the result is < 2^80). */
static u256 mult_complexity(uint64_t x)
{
    u256 vx = u256_from_u64(x), r, t;
    u256_mul(&r, &vx, &vx);
    if (x <= 64)
        return r;
    if (x <= 1024) {
        u256 four = u256_from_u64(4);
        u256_div(&r, &r, &four);
        t = u256_from_u64(96 * x - 3072);
    } else {
        u256 sixteen = u256_from_u64(16);
        u256_div(&r, &r, &sixteen);
        t = u256_from_u64(480 * x - 199680);
    }
    u256_add(&r, &r, &t);
    return r;
}

uint64_t precompile_modexp_gas(const uint8_t *in, size_t len)
{
    struct modexp_header h;
    read_header(&h, in, len);
    const u256 *x = u256_lt(&h.lb, &h.lm) ? &h.lm : &h.lb;
    if (u256_iszero(x))
        return 0; /* mult_complexity(0) = 0, whatever the exponent */
    /* From x = 2^40 on, x^2/16 / 20 > 2^71: saturated whatever adj is
     * (adj >= 1). Below, mult_complexity's 64-bit terms cannot overflow. */
    if (!u256_fits_u64(x) || x->w[0] >= ((uint64_t)1 << 40))
        return UINT64_MAX;
    u256 mc = mult_complexity(x->w[0]);

    /* The first min(32, len_e) bytes of the exponent, as a number. */
    uint64_t head_len = u256_fits_u64(&h.le) && h.le.w[0] < 32 ? h.le.w[0] : 32;
    uint8_t head[32];
    u256 off = u256_from_u64(96), head_v;
    u256_add(&off, &off, &h.lb); /* lb < 2^40 here, so no wrap */
    read_at(head, (size_t)head_len, in, len, &off);
    u256_from_be(&head_v, head, (size_t)head_len);
    unsigned bits = u256_bit_len(&head_v);
    uint64_t msb = bits ? bits - 1 : 0;

    u256 adj = u256_from_u64(msb);
    u256 thirty_two = u256_from_u64(32);
    if (u256_lt(&thirty_two, &h.le)) {
        if (u256_bit_len(&h.le) > 128)
            return UINT64_MAX; /* adj >= 2^131: the product is far past 2^64 */
        u256 t, eight = u256_from_u64(8);
        u256_sub(&t, &h.le, &thirty_two);
        u256_mul(&t, &t, &eight);
        u256_add(&adj, &adj, &t);
    }
    if (u256_iszero(&adj))
        adj = u256_from_u64(1);

    u256 g, twenty = u256_from_u64(20);
    if (u256_mul_overflow(&g, &mc, &adj))
        return UINT64_MAX;
    u256_div(&g, &g, &twenty);
    return u256_fits_u64(&g) ? g.w[0] : UINT64_MAX;
}

/* A zero-padded copy of the input bytes [off, off + n) as a BIGNUM. */
static BIGNUM *bn_from_input(uint8_t *scratch, uint64_t n, const uint8_t *in, size_t len,
                             const u256 *off)
{
    read_at(scratch, (size_t)n, in, len, off);
    return BN_bin2bn(scratch, (int)n, NULL);
}

int precompile_modexp_run(const uint8_t *in, size_t len, struct bytes *out)
{
    struct modexp_header h;
    read_header(&h, in, len);
    if (u256_iszero(&h.lm))
        return 0; /* output is len_m = 0 bytes */
    if (!u256_fits_u64(&h.lb) || !u256_fits_u64(&h.lm) || h.lb.w[0] > MODEXP_MAX_LEN ||
        h.lm.w[0] > MODEXP_MAX_LEN)
        return err_set(ERR_RANGE, "modexp: base or modulus length over %llu bytes",
                       (unsigned long long)MODEXP_MAX_LEN);
    if (!u256_fits_u64(&h.le) || h.le.w[0] > MODEXP_MAX_EXP_LEN)
        return err_set(ERR_RANGE, "modexp: exponent length over %llu bytes",
                       (unsigned long long)MODEXP_MAX_EXP_LEN);
    uint64_t lb = h.lb.w[0], le = h.le.w[0], lm = h.lm.w[0];

    /* Offsets fit easily in 64 bits under the caps. */
    uint64_t eoff = 96 + lb, moff = eoff + le;

    int rc = ERR_NOMEM;
    uint8_t *scratch = malloc((size_t)(lb > lm ? lb : lm) + 1);
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *b = NULL, *e = NULL, *m = NULL, *r = BN_new();
    if (!scratch || !ctx || !r)
        goto nomem;
    u256 off = u256_from_u64(96);
    if (!(b = bn_from_input(scratch, lb, in, len, &off)))
        goto nomem;
    off = u256_from_u64(moff);
    if (!(m = bn_from_input(scratch, lm, in, len, &off)))
        goto nomem;

    if (BN_is_zero(m) || moff >= len) {
        /* m = 0, or the modulus starts past the input (so m = 0): the
         * exponent may then be cut short, and is not needed. */
        BN_zero(r);
    } else {
        /* moff < len: the exponent [eoff, moff) is wholly in the input. */
        if (le > INT_MAX) {
            rc = err_set(ERR_RANGE, "modexp: exponent of %llu bytes", (unsigned long long)le);
            goto done;
        }
        if (!(e = BN_bin2bn(in + eoff, (int)le, NULL)))
            goto nomem;
        if (!BN_mod_exp(r, b, e, m, ctx))
            goto crypto;
    }
    /* scratch has room for lm bytes: reuse it for the output. */
    if (BN_bn2binpad(r, scratch, (int)lm) != (int)lm)
        goto crypto;
    rc = bytes_append(out, scratch, (size_t)lm);
    goto done;

crypto:
    rc = err_set(ERR_CRYPTO, "modexp: OpenSSL BIGNUM operation failed");
    goto done;
nomem:
    rc = err_set(ERR_NOMEM, "modexp: out of memory");
done:
    BN_free(b);
    BN_free(e);
    BN_free(m);
    BN_free(r);
    BN_CTX_free(ctx);
    free(scratch);
    return rc;
}
