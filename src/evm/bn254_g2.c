/*
 * bn254_g2.c — G2 group law, ψ, and the subgroup test.
 *
 * Subgroup test. ψ satisfies ψ^2 - tψ + p = 0 on E'(Fp2) (it is the
 * p-Frobenius of E seen through the twist) and acts as [p] on G2. For BN
 * curves with x = 4965661367192848881, El Housni–Guillevic–Piellard
 * ("Co-factor clearing and subgroup membership testing on pairing-friendly
 * curves", 2022, after Scott) test
 *
 *     [x + 1]Q + ψ([x]Q) + ψ^2([x]Q) == ψ^3([2x]Q),
 *
 * i.e. h(ψ)Q = 0 for h(X) = -2x X^3 + x X^2 + x X + (x + 1). Why it is
 * exact, checked with Python ints before use:
 *  - h(p) ≡ 0 (mod r), so every Q in G2 passes;
 *  - write Q = Q_r + Q_c with Q_c of order dividing c = #E'(Fp2)/r
 *    (r does not divide c). If h(ψ)Q = 0 then h(ψ)Q_c = 0. Reducing h modulo
 *    X^2 - tX + p gives aX + b with (aψ + b)Q_c = 0; multiplying by the dual
 *    (aψ' + b) gives N·Q_c = 0 with N = a^2 p + a b t + b^2, and
 *    gcd(N, c) = 1, so Q_c = O.
 * Cost: one 63-bit multiplication instead of a 254-bit [r]Q. The unit test
 * also compares it with [r]Q == O on members and non-members.
 */
#include "evm/bn254_g2.h"

#include "evm/bn254_scalar.h"

/* Constants in Montgomery form, derived with Python ints:
 * G2_B = 3·(9 + u)^-1, G2_B3 = 3·G2_B, PSI_X = ξ^((p-1)/3),
 * PSI_Y = ξ^((p-1)/2), ξ = 9 + u. */
const fp2 G2_B = {{{0x3bf938e377b802a8ULL, 0x020b1b273633535dULL, 0x26b7edf049755260ULL,
                    0x2514c6324384a86dULL}},
                  {{0x38e7ecccd1dcff67ULL, 0x65f0b37d93ce0d3eULL, 0xd749d0dd22ac00aaULL,
                    0x0141b9ce4a688d4dULL}}};
const fp2 G2_B3 = {{{0x3baa927cb62e0d6aULL, 0xd71e7c52d1b664fdULL, 0x03873e63d95d4664ULL,
                     0x0e75b5b1082ab8f4ULL}},
                   {{0xaab7c6667596fe35ULL, 0x31d21a78bb6a27baULL, 0x85dd7297680401ffULL,
                     0x03c52d6adf39a7e9ULL}}};
static const fp2 PSI_X = {{{0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL, 0x7a007127242e0991ULL,
                            0x1956bcd8118214ecULL}},
                          {{0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL, 0xb6e713cdfae0ca3aULL,
                            0x26694fbb4e82ebc3ULL}}};
static const fp2 PSI_Y = {{{0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL, 0x31a9d1b6f9645366ULL,
                            0x253570bea500f8ddULL}},
                          {{0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL, 0x6d16bd27bb7edc6bULL,
                            0x2c87200285defeccULL}}};

/* The BN parameter x. */
#define BN254_X 0x44e992b44a6909f1ULL

bool g2_aff_on_curve(const g2_aff *a)
{
    fp2 l, r;
    fp2_sqr(&l, &a->y);
    fp2_sqr(&r, &a->x);
    fp2_mul(&r, &r, &a->x);
    fp2_add(&r, &r, &G2_B);
    return fp2_eq(&l, &r);
}

void g2_aff_psi(g2_aff *r, const g2_aff *a)
{
    fp2 t;
    fp2_conj(&t, &a->x);
    fp2_mul(&r->x, &t, &PSI_X);
    fp2_conj(&t, &a->y);
    fp2_mul(&r->y, &t, &PSI_Y);
    r->inf = a->inf;
}

void g2_jac_psi(g2_jac *r, const g2_jac *a)
{
    /* x = X/Z^2 -> conj(X)/conj(Z)^2 · PSI_X, likewise y with Z^3 */
    fp2 t;
    fp2_conj(&t, &a->x);
    fp2_mul(&r->x, &t, &PSI_X);
    fp2_conj(&t, &a->y);
    fp2_mul(&r->y, &t, &PSI_Y);
    fp2_conj(&r->z, &a->z);
}

bool g2_aff_in_subgroup(const g2_aff *a)
{
    static const uint64_t x[4] = {BN254_X, 0, 0, 0};
    g2_jac q, xq, lhs, rhs, t;
    g2_jac_from_aff(&q, a);
    g2_jac_mul(&xq, &q, x);
    /* lhs = [x + 1]Q + ψ([x]Q) + ψ^2([x]Q) */
    g2_jac_add(&lhs, &xq, &q);
    g2_jac_psi(&t, &xq);
    g2_jac_add(&lhs, &lhs, &t);
    g2_jac_psi(&t, &t);
    g2_jac_add(&lhs, &lhs, &t);
    /* rhs = ψ^3([2x]Q) */
    g2_jac_dbl(&rhs, &xq);
    g2_jac_psi(&rhs, &rhs);
    g2_jac_psi(&rhs, &rhs);
    g2_jac_psi(&rhs, &rhs);
    return g2_jac_eq(&lhs, &rhs);
}

void g2_jac_set_inf(g2_jac *r)
{
    r->x = fp2_one;
    r->y = fp2_one;
    r->z = fp2_zero;
}

void g2_jac_from_aff(g2_jac *r, const g2_aff *a)
{
    if (a->inf) {
        g2_jac_set_inf(r);
        return;
    }
    r->x = a->x;
    r->y = a->y;
    r->z = fp2_one;
}

void g2_jac_to_aff(g2_aff *r, const g2_jac *a)
{
    if (g2_jac_is_inf(a)) {
        r->x = fp2_zero;
        r->y = fp2_zero;
        r->inf = true;
        return;
    }
    fp2 zi, zi2;
    fp2_inv(&zi, &a->z);
    fp2_sqr(&zi2, &zi);
    fp2_mul(&r->x, &a->x, &zi2);
    fp2_mul(&zi2, &zi2, &zi);
    fp2_mul(&r->y, &a->y, &zi2);
    r->inf = false;
}

void g2_jac_neg(g2_jac *r, const g2_jac *a)
{
    r->x = a->x;
    fp2_neg(&r->y, &a->y);
    r->z = a->z;
}

void g2_jac_dbl(g2_jac *r, const g2_jac *a)
{
    /* dbl-2009-l; c = #E'(Fp2)/r is odd, so no point of order 2. */
    fp2 A, B, C, D, E, F, t;
    fp2_sqr(&A, &a->x);
    fp2_sqr(&B, &a->y);
    fp2_sqr(&C, &B);
    fp2_add(&t, &a->x, &B);
    fp2_sqr(&t, &t);
    fp2_sub(&t, &t, &A);
    fp2_sub(&t, &t, &C);
    fp2_dbl(&D, &t);
    fp2_dbl(&E, &A);
    fp2_add(&E, &E, &A);
    fp2_sqr(&F, &E);
    fp2_mul(&r->z, &a->y, &a->z);
    fp2_dbl(&r->z, &r->z);
    fp2_dbl(&t, &D);
    fp2_sub(&r->x, &F, &t);
    fp2_sub(&t, &D, &r->x);
    fp2_mul(&t, &E, &t);
    fp2_dbl(&C, &C);
    fp2_dbl(&C, &C);
    fp2_dbl(&C, &C);
    fp2_sub(&r->y, &t, &C);
}

void g2_jac_add(g2_jac *r, const g2_jac *a, const g2_jac *b)
{
    if (g2_jac_is_inf(a)) {
        *r = *b;
        return;
    }
    if (g2_jac_is_inf(b)) {
        *r = *a;
        return;
    }
    /* add-2007-bl */
    fp2 z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
    fp2_sqr(&z1z1, &a->z);
    fp2_sqr(&z2z2, &b->z);
    fp2_mul(&u1, &a->x, &z2z2);
    fp2_mul(&u2, &b->x, &z1z1);
    fp2_mul(&s1, &a->y, &b->z);
    fp2_mul(&s1, &s1, &z2z2);
    fp2_mul(&s2, &b->y, &a->z);
    fp2_mul(&s2, &s2, &z1z1);
    fp2_sub(&h, &u2, &u1);
    fp2_sub(&rr, &s2, &s1);
    if (fp2_is_zero(&h)) {
        if (fp2_is_zero(&rr))
            g2_jac_dbl(r, a);
        else
            g2_jac_set_inf(r);
        return;
    }
    fp2_dbl(&rr, &rr);
    fp2_dbl(&i, &h);
    fp2_sqr(&i, &i);
    fp2_mul(&j, &h, &i);
    fp2_mul(&v, &u1, &i);
    fp2_add(&t, &a->z, &b->z);
    fp2_sqr(&t, &t);
    fp2_sub(&t, &t, &z1z1);
    fp2_sub(&t, &t, &z2z2);
    fp2_mul(&r->z, &t, &h);
    fp2_sqr(&t, &rr);
    fp2_sub(&t, &t, &j);
    fp2_sub(&t, &t, &v);
    fp2_sub(&r->x, &t, &v);
    fp2_sub(&t, &v, &r->x);
    fp2_mul(&t, &rr, &t);
    fp2_mul(&s1, &s1, &j);
    fp2_dbl(&s1, &s1);
    fp2_sub(&r->y, &t, &s1);
}

bool g2_jac_eq(const g2_jac *a, const g2_jac *b)
{
    bool ia = g2_jac_is_inf(a), ib = g2_jac_is_inf(b);
    if (ia || ib)
        return ia && ib;
    fp2 z1z1, z2z2, l, r;
    fp2_sqr(&z1z1, &a->z);
    fp2_sqr(&z2z2, &b->z);
    fp2_mul(&l, &a->x, &z2z2);
    fp2_mul(&r, &b->x, &z1z1);
    if (!fp2_eq(&l, &r))
        return false;
    fp2_mul(&z1z1, &z1z1, &a->z);
    fp2_mul(&z2z2, &z2z2, &b->z);
    fp2_mul(&l, &a->y, &z2z2);
    fp2_mul(&r, &b->y, &z1z1);
    return fp2_eq(&l, &r);
}

void g2_jac_mul(g2_jac *r, const g2_jac *a, const uint64_t k[4])
{
    int8_t naf[BN254_WNAF_MAX];
    size_t n = bn254_wnaf(naf, k, 5);
    g2_jac tbl[8], a2, acc;
    tbl[0] = *a;
    g2_jac_dbl(&a2, a);
    for (int i = 1; i < 8; i++)
        g2_jac_add(&tbl[i], &tbl[i - 1], &a2);
    g2_jac_set_inf(&acc);
    for (size_t i = n; i-- > 0;) {
        g2_jac_dbl(&acc, &acc);
        int d = naf[i];
        if (d > 0) {
            g2_jac_add(&acc, &acc, &tbl[d >> 1]);
        } else if (d < 0) {
            g2_jac neg;
            g2_jac_neg(&neg, &tbl[(-d) >> 1]);
            g2_jac_add(&acc, &acc, &neg);
        }
    }
    *r = acc;
}
