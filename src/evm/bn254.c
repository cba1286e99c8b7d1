/*
 * bn254.c — the EIP-196/197 byte interface over the internal bn254 modules:
 * decoding and validating points (the rules every client must agree on:
 * coordinates below p, (0, 0) as infinity, curve equation, G2 subgroup),
 * calling the group or pairing code, and encoding results.
 *
 * Module map: bn254_fp (Fp), bn254_fp2, bn254_tower (Fp6, Fp12),
 * bn254_scalar (wNAF), bn254_g1, bn254_g2, bn254_pairing.
 */
#include "evm/bn254.h"

#include <string.h>

#include "evm/bn254_pairing.h"
#include "util/err.h"

static bool all_zero(const uint8_t *b, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= b[i];
    return acc == 0;
}

/* Decodes 64 bytes into a G1 point. `what` names it in the error. */
static int g1_decode(g1_aff *r, const uint8_t in[64], const char *what)
{
    if (!fp_from_be(&r->x, in) || !fp_from_be(&r->y, in + 32))
        return err_set(ERR_INVAL, "bn254: %s coordinate is not below the field modulus", what);
    r->inf = all_zero(in, 64);
    if (!r->inf && !g1_aff_on_curve(r))
        return err_set(ERR_INVAL, "bn254: %s is not on the curve", what);
    return 0;
}

static void g1_encode(uint8_t out[64], const g1_aff *a)
{
    if (a->inf) {
        memset(out, 0, 64);
        return;
    }
    fp_to_be(out, &a->x);
    fp_to_be(out + 32, &a->y);
}

/* Decodes 128 bytes (x_im ‖ x_re ‖ y_im ‖ y_re) into a G2 point. */
static int g2_decode(g2_aff *r, const uint8_t in[128], const char *what)
{
    if (!fp_from_be(&r->x.c1, in) || !fp_from_be(&r->x.c0, in + 32) ||
        !fp_from_be(&r->y.c1, in + 64) || !fp_from_be(&r->y.c0, in + 96))
        return err_set(ERR_INVAL, "bn254: %s coordinate is not below the field modulus", what);
    r->inf = all_zero(in, 128);
    if (r->inf)
        return 0;
    if (!g2_aff_on_curve(r))
        return err_set(ERR_INVAL, "bn254: %s is not on the twist curve", what);
    if (!g2_aff_in_subgroup(r))
        return err_set(ERR_INVAL, "bn254: %s is not in the order-r subgroup", what);
    return 0;
}

int bn254_g1_add(const uint8_t in[128], uint8_t out[64])
{
    g1_aff a, b, s;
    int rc;
    if ((rc = g1_decode(&a, in, "ECADD first point")) != 0 ||
        (rc = g1_decode(&b, in + 64, "ECADD second point")) != 0)
        return rc;
    g1_jac j;
    g1_jac_from_aff(&j, &a);
    g1_jac_add_aff(&j, &j, &b);
    g1_jac_to_aff(&s, &j);
    g1_encode(out, &s);
    return 0;
}

int bn254_g1_mul(const uint8_t in[96], uint8_t out[64])
{
    g1_aff a, s;
    int rc = g1_decode(&a, in, "ECMUL point");
    if (rc != 0)
        return rc;
    uint64_t k[4];
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++)
            w = (w << 8) | in[64 + 8 * (3 - i) + j];
        k[i] = w;
    }
    g1_jac j;
    g1_jac_from_aff(&j, &a);
    g1_jac_mul(&j, &j, k);
    g1_jac_to_aff(&s, &j);
    g1_encode(out, &s);
    return 0;
}

/* acc *= Miller loop of the n pending pairs; n = 0 afterwards. */
static void flush(fp12 *acc, bool *any, const g1_aff *P, const g2_aff *Q, size_t *n)
{
    fp12 f;
    bn254_miller_loop(&f, P, Q, *n);
    if (*any)
        fp12_mul(acc, acc, &f);
    else
        *acc = f;
    *any = true;
    *n = 0;
}

int bn254_pairing_check(const uint8_t *in, size_t len, bool *ok)
{
    if (len % BN254_PAIR_BYTES != 0)
        return err_set(ERR_INVAL, "bn254: pairing input of %zu bytes is not a multiple of 192",
                       len);
    if (len > 0 && in == NULL)
        return err_set(ERR_INVAL, "bn254: pairing input is NULL");
    size_t pairs = len / BN254_PAIR_BYTES;
    g1_aff P[BN254_MILLER_MAX];
    g2_aff Q[BN254_MILLER_MAX];
    size_t n = 0;
    bool any = false;
    fp12 acc;
    fp12_set_one(&acc);
    for (size_t i = 0; i < pairs; i++) {
        const uint8_t *pair = in + i * BN254_PAIR_BYTES;
        int rc;
        if ((rc = g1_decode(&P[n], pair, "pairing G1 point")) != 0 ||
            (rc = g2_decode(&Q[n], pair + BN254_G1_BYTES, "pairing G2 point")) != 0)
            return err_wrap(rc, "pair %zu", i);
        if (P[n].inf || Q[n].inf)
            continue; /* e(O, Q) = e(P, O) = 1 */
        if (++n == BN254_MILLER_MAX)
            flush(&acc, &any, P, Q, &n);
    }
    if (n > 0)
        flush(&acc, &any, P, Q, &n);
    if (any)
        bn254_final_exp(&acc, &acc);
    *ok = fp12_is_one(&acc);
    return 0;
}
