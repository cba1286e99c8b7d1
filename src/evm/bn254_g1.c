/*
 * bn254_g1.c — G1 group law and scalar multiplication in Jacobian
 * coordinates (see bn254_g1.h for the formulas' sources and what is and is
 * not constant time).
 */
#include "evm/bn254_g1.h"

#include "evm/bn254_scalar.h"

bool g1_aff_on_curve(const g1_aff *a)
{
    fp l, r, b;
    fp_sqr(&l, &a->y);
    fp_sqr(&r, &a->x);
    fp_mul(&r, &r, &a->x);
    fp_from_u64(&b, 3);
    fp_add(&r, &r, &b);
    return fp_eq(&l, &r);
}

void g1_jac_set_inf(g1_jac *r)
{
    r->x = fp_one;
    r->y = fp_one;
    r->z = fp_zero;
}

void g1_jac_from_aff(g1_jac *r, const g1_aff *a)
{
    if (a->inf) {
        g1_jac_set_inf(r);
        return;
    }
    r->x = a->x;
    r->y = a->y;
    r->z = fp_one;
}

void g1_jac_to_aff(g1_aff *r, const g1_jac *a)
{
    if (g1_jac_is_inf(a)) {
        r->x = fp_zero;
        r->y = fp_zero;
        r->inf = true;
        return;
    }
    fp zi, zi2;
    fp_inv_vartime(&zi, &a->z); /* public data (see bn254_g1.h) */
    fp_sqr(&zi2, &zi);
    fp_mul(&r->x, &a->x, &zi2);
    fp_mul(&zi2, &zi2, &zi);
    fp_mul(&r->y, &a->y, &zi2);
    r->inf = false;
}

void g1_jac_neg(g1_jac *r, const g1_jac *a)
{
    r->x = a->x;
    fp_neg(&r->y, &a->y);
    r->z = a->z;
}

void g1_jac_dbl(g1_jac *r, const g1_jac *a)
{
    /* dbl-2009-l. The curve has no point of order 2, so Y != 0 for finite
     * points, and Z3 = 2YZ stays 0 for infinity. */
    fp A, B, C, D, E, F, t;
    fp_sqr(&A, &a->x);
    fp_sqr(&B, &a->y);
    fp_sqr(&C, &B);
    fp_add(&t, &a->x, &B);
    fp_sqr(&t, &t);
    fp_sub(&t, &t, &A);
    fp_sub(&t, &t, &C);
    fp_dbl(&D, &t);
    fp_dbl(&E, &A);
    fp_add(&E, &E, &A);
    fp_sqr(&F, &E);
    fp_mul(&r->z, &a->y, &a->z);
    fp_dbl(&r->z, &r->z);
    fp_dbl(&t, &D);
    fp_sub(&r->x, &F, &t);
    fp_sub(&t, &D, &r->x);
    fp_mul(&t, &E, &t);
    fp_dbl(&C, &C);
    fp_dbl(&C, &C);
    fp_dbl(&C, &C);
    fp_sub(&r->y, &t, &C);
}

void g1_jac_add(g1_jac *r, const g1_jac *a, const g1_jac *b)
{
    if (g1_jac_is_inf(a)) {
        *r = *b;
        return;
    }
    if (g1_jac_is_inf(b)) {
        *r = *a;
        return;
    }
    /* add-2007-bl */
    fp z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
    fp_sqr(&z1z1, &a->z);
    fp_sqr(&z2z2, &b->z);
    fp_mul(&u1, &a->x, &z2z2);
    fp_mul(&u2, &b->x, &z1z1);
    fp_mul(&s1, &a->y, &b->z);
    fp_mul(&s1, &s1, &z2z2);
    fp_mul(&s2, &b->y, &a->z);
    fp_mul(&s2, &s2, &z1z1);
    fp_sub(&h, &u2, &u1);
    fp_sub(&rr, &s2, &s1);
    if (fp_is_zero(&h)) {
        if (fp_is_zero(&rr))
            g1_jac_dbl(r, a);
        else
            g1_jac_set_inf(r);
        return;
    }
    fp_dbl(&rr, &rr);
    fp_dbl(&i, &h);
    fp_sqr(&i, &i);
    fp_mul(&j, &h, &i);
    fp_mul(&v, &u1, &i);
    /* Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H, before r overwrites a or b */
    fp_add(&t, &a->z, &b->z);
    fp_sqr(&t, &t);
    fp_sub(&t, &t, &z1z1);
    fp_sub(&t, &t, &z2z2);
    fp_mul(&r->z, &t, &h);
    /* X3 = rr^2 - J - 2V */
    fp_sqr(&t, &rr);
    fp_sub(&t, &t, &j);
    fp_sub(&t, &t, &v);
    fp_sub(&r->x, &t, &v);
    /* Y3 = rr (V - X3) - 2 S1 J */
    fp_sub(&t, &v, &r->x);
    fp_mul(&t, &rr, &t);
    fp_mul(&s1, &s1, &j);
    fp_dbl(&s1, &s1);
    fp_sub(&r->y, &t, &s1);
}

void g1_jac_add_aff(g1_jac *r, const g1_jac *a, const g1_aff *b)
{
    if (b->inf) {
        *r = *a;
        return;
    }
    if (g1_jac_is_inf(a)) {
        g1_jac_from_aff(r, b);
        return;
    }
    /* madd-2007-bl */
    fp z1z1, u2, s2, h, hh, i, j, rr, v, t;
    fp_sqr(&z1z1, &a->z);
    fp_mul(&u2, &b->x, &z1z1);
    fp_mul(&s2, &b->y, &a->z);
    fp_mul(&s2, &s2, &z1z1);
    fp_sub(&h, &u2, &a->x);
    fp_sub(&rr, &s2, &a->y);
    if (fp_is_zero(&h)) {
        if (fp_is_zero(&rr))
            g1_jac_dbl(r, a);
        else
            g1_jac_set_inf(r);
        return;
    }
    fp_dbl(&rr, &rr);
    fp_sqr(&hh, &h);
    fp_dbl(&i, &hh);
    fp_dbl(&i, &i);
    fp_mul(&j, &h, &i);
    fp_mul(&v, &a->x, &i);
    fp y1j;
    fp_mul(&y1j, &a->y, &j);
    /* Z3 = (Z1 + H)^2 - Z1Z1 - HH */
    fp_add(&t, &a->z, &h);
    fp_sqr(&t, &t);
    fp_sub(&t, &t, &z1z1);
    fp_sub(&r->z, &t, &hh);
    fp_sqr(&t, &rr);
    fp_sub(&t, &t, &j);
    fp_sub(&t, &t, &v);
    fp_sub(&r->x, &t, &v);
    fp_sub(&t, &v, &r->x);
    fp_mul(&t, &rr, &t);
    fp_dbl(&y1j, &y1j);
    fp_sub(&r->y, &t, &y1j);
}

bool g1_jac_eq(const g1_jac *a, const g1_jac *b)
{
    bool ia = g1_jac_is_inf(a), ib = g1_jac_is_inf(b);
    if (ia || ib)
        return ia && ib;
    fp z1z1, z2z2, l, r;
    fp_sqr(&z1z1, &a->z);
    fp_sqr(&z2z2, &b->z);
    fp_mul(&l, &a->x, &z2z2);
    fp_mul(&r, &b->x, &z1z1);
    if (!fp_eq(&l, &r))
        return false;
    fp_mul(&z1z1, &z1z1, &a->z);
    fp_mul(&z2z2, &z2z2, &b->z);
    fp_mul(&l, &a->y, &z2z2);
    fp_mul(&r, &b->y, &z1z1);
    return fp_eq(&l, &r);
}

void g1_jac_mul(g1_jac *r, const g1_jac *a, const uint64_t k[4])
{
    int8_t naf[BN254_WNAF_MAX];
    size_t n = bn254_wnaf(naf, k, 5);
    /* tbl[i] = (2i + 1) a */
    g1_jac tbl[8], a2, acc;
    tbl[0] = *a;
    g1_jac_dbl(&a2, a);
    for (int i = 1; i < 8; i++)
        g1_jac_add(&tbl[i], &tbl[i - 1], &a2);
    g1_jac_set_inf(&acc);
    for (size_t i = n; i-- > 0;) {
        g1_jac_dbl(&acc, &acc);
        int d = naf[i];
        if (d > 0) {
            g1_jac_add(&acc, &acc, &tbl[d >> 1]);
        } else if (d < 0) {
            g1_jac neg;
            g1_jac_neg(&neg, &tbl[(-d) >> 1]);
            g1_jac_add(&acc, &acc, &neg);
        }
    }
    *r = acc;
}
