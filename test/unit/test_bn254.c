/*
 * test_bn254.c — unit tests for the alt_bn128 code behind the EVM precompiles
 * 0x06 ECADD, 0x07 ECMUL and 0x08 ECPAIRING (src/evm/bn254*.{c,h}).
 *
 * Field arithmetic is checked against OpenSSL's BIGNUM (a slow, independent
 * reference) and extension-field laws on random elements from a fixed seed.
 * Group and pairing code is checked against published vectors (go-ethereum's
 * precompile test data, ethereum-tests' stZeroKnowledge inputs) and against
 * algebraic identities that any wrong formula breaks: [r]P = O,
 * [a]P + [b]P = [a+b]P, bilinearity, non-degeneracy, subgroup membership.
 */
#include <check.h>
#include <openssl/bn.h>
#include <stdlib.h>
#include <string.h>

#include "evm/bn254.h"
#include "evm/bn254_pairing.h"
#include "util/hex.h"
/* OpenSSL's types.h typedefs ERR_STATE, which util/err.h uses as an enum
 * constant: rename ours while including it (this file uses neither). */
#define ERR_STATE SPECTRUM_ERR_STATE
#include "util/err.h"
#undef ERR_STATE

/* The field modulus p and the group order r, big-endian hex. */
static const char P_HEX[] = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
static const char R_HEX[] = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";

/* EIP-197's G2 generator, x_im ‖ x_re ‖ y_im ‖ y_re. */
static const char G2_HEX[] =
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";

/* A point on the twist that is not in G2 (random x with a square
 * x^3 + 3/ξ, found with a Python reference), and [r] times it, a point of
 * order dividing the cofactor. */
static const char TWIST_NOT_G2_HEX[] =
    "15fb8173e00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfb"
    "1fc5414934b9b5df9e7769b10f4205b4907a70c31012f037b64ce4228c38fb29"
    "1e637e82cfc7cc9d83271b3a14501f9b67334b2b74e03e372c361ca5501788fe"
    "052544d191ca5ed1b256d0f61cc56fd699d73fde1294c4e19bd03e0550ae8ffe";
static const char TWIST_COFACTOR_HEX[] =
    "2034559ee32153ae1e0d089653856cdd686fde72c26b2376576ef82d87ee4259"
    "2c605b15b14e475defe96e8d8601d299b721a98f870652e4670189c97364202b"
    "1a1dfa039275176542d1ef53bdbe3dc1303ab6a248b6d1480cd84071214ae7b9"
    "22f7cb09432dcf170ba5d477a4ef7695163937c2a39b97dbe2a42957004f89c3";


/* ---------------- helpers ---------------- */

static void unhex(const char *s, uint8_t *out, size_t len)
{
    ck_assert_int_eq(hex_decode_exact(s, strlen(s), out, len), 0);
}

static void assert_hex(const uint8_t *b, size_t n, const char *want)
{
    char got[2 * 192 + 1];
    ck_assert_uint_le(n, 192);
    hex_encode(got, b, n);
    ck_assert_str_eq(got, want);
}

/* splitmix64 with a fixed seed: reproducible "random" elements. */
static uint64_t rng_state = 0x5eed0b254ULL;
static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* 32 random big-endian bytes below 2^254 (about 1 in 5 is >= p). */
static void rand_bytes254(uint8_t b[32])
{
    for (int i = 0; i < 32; i += 8) {
        uint64_t v = rng();
        memcpy(b + i, &v, 8);
    }
    b[0] &= 0x3f;
}

static void rand_fp(fp *a)
{
    uint8_t b[32];
    do
        rand_bytes254(b);
    while (!fp_from_be(a, b));
}

static void rand_fp2(fp2 *a)
{
    rand_fp(&a->c0);
    rand_fp(&a->c1);
}

static void rand_fp6(fp6 *a)
{
    rand_fp2(&a->c0);
    rand_fp2(&a->c1);
    rand_fp2(&a->c2);
}

static void rand_fp12(fp12 *a)
{
    rand_fp6(&a->c0);
    rand_fp6(&a->c1);
}

/* A random scalar below r, big-endian. */
static void rand_scalar(uint8_t k[32])
{
    BIGNUM *r = NULL, *x = BN_new();
    ck_assert_int_gt(BN_hex2bn(&r, R_HEX), 0);
    uint8_t b[32];
    rand_bytes254(b);
    BN_bin2bn(b, 32, x);
    BN_CTX *ctx = BN_CTX_new();
    BN_mod(x, x, r, ctx);
    BN_bn2binpad(x, k, 32);
    BN_CTX_free(ctx);
    BN_free(x);
    BN_free(r);
}

static bool fp6_eq(const fp6 *a, const fp6 *b)
{
    return fp2_eq(&a->c0, &b->c0) && fp2_eq(&a->c1, &b->c1) && fp2_eq(&a->c2, &b->c2);
}

/* r = a^e for e given as 4 limbs, least significant first (plain
 * square-and-multiply: an independent route to compare fast paths with). */
static void fp12_pow(fp12 *r, const fp12 *a, const uint64_t e[4])
{
    fp12 acc;
    fp12_set_one(&acc);
    for (int i = 255; i >= 0; i--) {
        fp12_sqr(&acc, &acc);
        if ((e[i / 64] >> (i % 64)) & 1)
            fp12_mul(&acc, &acc, a);
    }
    *r = acc;
}

static const uint64_t P_LIMBS[4] = {BN254_P0, BN254_P1, BN254_P2, BN254_P3};
static const uint64_t R_LIMBS[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL,
                                    0xb85045b68181585dULL, 0x30644e72e131a029ULL};

static void limbs_from_be(uint64_t k[4], const uint8_t b[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++)
            w = (w << 8) | b[8 * (3 - i) + j];
        k[i] = w;
    }
}

/* G1 generator (1, 2) as 64 bytes. */
static void g1_gen(uint8_t out[64])
{
    memset(out, 0, 64);
    out[31] = 1;
    out[63] = 2;
}

/* out = [k]P through the public ECMUL entry point. */
static void ecmul(uint8_t out[64], const uint8_t p[64], const uint8_t k[32])
{
    uint8_t in[96];
    memcpy(in, p, 64);
    memcpy(in + 64, k, 32);
    ck_assert_int_eq(bn254_g1_mul(in, out), 0);
}

static void ecadd(uint8_t out[64], const uint8_t a[64], const uint8_t b[64])
{
    uint8_t in[128];
    memcpy(in, a, 64);
    memcpy(in + 64, b, 64);
    ck_assert_int_eq(bn254_g1_add(in, out), 0);
}

/* -P for an encoded G1 point (y -> p - y; infinity stays). */
static void g1_neg_bytes(uint8_t out[64], const uint8_t in[64])
{
    fp y;
    memcpy(out, in, 64);
    ck_assert(fp_from_be(&y, in + 32));
    fp_neg(&y, &y);
    fp_to_be(out + 32, &y);
}

static void g2_decode_raw(g2_aff *q, const uint8_t in[128])
{
    ck_assert(fp_from_be(&q->x.c1, in));
    ck_assert(fp_from_be(&q->x.c0, in + 32));
    ck_assert(fp_from_be(&q->y.c1, in + 64));
    ck_assert(fp_from_be(&q->y.c0, in + 96));
    q->inf = false;
}

static void g2_encode_raw(uint8_t out[128], const g2_aff *q)
{
    if (q->inf) {
        memset(out, 0, 128);
        return;
    }
    fp_to_be(out, &q->x.c1);
    fp_to_be(out + 32, &q->x.c0);
    fp_to_be(out + 64, &q->y.c1);
    fp_to_be(out + 96, &q->y.c0);
}

/* out = [k]G2 (k big-endian), via the internal G2 code. */
static void g2_mul_bytes(uint8_t out[128], const uint8_t q_in[128], const uint8_t k[32])
{
    g2_aff q, r;
    g2_jac j;
    uint64_t kl[4];
    g2_decode_raw(&q, q_in);
    limbs_from_be(kl, k);
    g2_jac_from_aff(&j, &q);
    g2_jac_mul(&j, &j, kl);
    g2_jac_to_aff(&r, &j);
    g2_encode_raw(out, &r);
}

static void g2_neg_bytes(uint8_t out[128], const uint8_t in[128])
{
    g2_aff q;
    g2_decode_raw(&q, in);
    fp2_neg(&q.y, &q.y);
    g2_encode_raw(out, &q);
}

static void put_pair(uint8_t *pair, const uint8_t g1[64], const uint8_t g2[128])
{
    memcpy(pair, g1, 64);
    memcpy(pair + 64, g2, 128);
}

/* Runs the pairing check and returns its result, asserting success. */
static bool pairing_ok(const uint8_t *in, size_t len)
{
    bool ok = false;
    int rc = bn254_pairing_check(in, len, &ok);
    ck_assert_msg(rc == 0, "pairing check failed: %s", err_msg());
    return ok;
}

static bool pairing_hex(const char *hex)
{
    uint8_t buf[6 * 192];
    size_t n = strlen(hex) / 2;
    ck_assert_uint_le(n, sizeof buf);
    unhex(hex, buf, n);
    return pairing_ok(buf, n);
}

/* ---------------- Fp ---------------- */

START_TEST(fp_matches_bignum)
{
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = NULL, *a = BN_new(), *b = BN_new(), *want = BN_new();
    ck_assert_int_gt(BN_hex2bn(&p, P_HEX), 0);
    uint8_t ab[32], bb[32], wb[32], got[32];
    for (int it = 0; it < 3000; it++) {
        /* the first iterations use edge values, then random ones */
        if (it < 9) {
            static const int edge[3] = {0, 1, -1};
            BN_set_word(a, 0);
            BN_set_word(b, 0);
            if (edge[it / 3] < 0)
                BN_sub(a, p, BN_value_one());
            else
                BN_set_word(a, (BN_ULONG)edge[it / 3]);
            if (edge[it % 3] < 0)
                BN_sub(b, p, BN_value_one());
            else
                BN_set_word(b, (BN_ULONG)edge[it % 3]);
            BN_bn2binpad(a, ab, 32);
            BN_bn2binpad(b, bb, 32);
        } else {
            fp t;
            do
                rand_bytes254(ab);
            while (!fp_from_be(&t, ab));
            do
                rand_bytes254(bb);
            while (!fp_from_be(&t, bb));
            BN_bin2bn(ab, 32, a);
            BN_bin2bn(bb, 32, b);
        }
        fp x, y, z;
        ck_assert(fp_from_be(&x, ab));
        ck_assert(fp_from_be(&y, bb));
        fp_to_be(got, &x);
        ck_assert_mem_eq(got, ab, 32); /* round trip */

        fp_mul(&z, &x, &y);
        BN_mod_mul(want, a, b, p, ctx);
        BN_bn2binpad(want, wb, 32);
        fp_to_be(got, &z);
        ck_assert_mem_eq(got, wb, 32);

        fp_sqr(&z, &x);
        BN_mod_sqr(want, a, p, ctx);
        BN_bn2binpad(want, wb, 32);
        fp_to_be(got, &z);
        ck_assert_mem_eq(got, wb, 32);

        fp_add(&z, &x, &y);
        BN_mod_add(want, a, b, p, ctx);
        BN_bn2binpad(want, wb, 32);
        fp_to_be(got, &z);
        ck_assert_mem_eq(got, wb, 32);

        fp_sub(&z, &x, &y);
        BN_mod_sub(want, a, b, p, ctx);
        BN_bn2binpad(want, wb, 32);
        fp_to_be(got, &z);
        ck_assert_mem_eq(got, wb, 32);

        fp_neg(&z, &x);
        BN_mod_sub(want, p, a, p, ctx);
        BN_bn2binpad(want, wb, 32);
        fp_to_be(got, &z);
        ck_assert_mem_eq(got, wb, 32);

        fp_half(&z, &x);
        fp_dbl(&z, &z);
        ck_assert(fp_eq(&z, &x));

        /* unreduced inputs (< 2p) give the same product */
        fp xs, ys, z2;
        fp_sub_nr(&xs, &x, &fp_zero); /* x + p */
        fp_add_nr(&ys, &y, &fp_zero);
        fp_mul(&z2, &xs, &ys);
        fp_mul(&z, &x, &y);
        ck_assert(fp_eq(&z, &z2));
        fp_wide w;
        fp_mul_wide(&w, &xs, &y);
        fp_redc(&z2, &w);
        ck_assert(fp_eq(&z, &z2));

        if (!BN_is_zero(a)) {
            fp_inv(&z, &x);
            ck_assert_ptr_nonnull(BN_mod_inverse(want, a, p, ctx));
            BN_bn2binpad(want, wb, 32);
            fp_to_be(got, &z);
            ck_assert_mem_eq(got, wb, 32);
            fp_inv_vartime(&z, &x);
            fp_to_be(got, &z);
            ck_assert_mem_eq(got, wb, 32);
        }
    }
    /* p itself and anything above is not a field element */
    uint8_t pb[32];
    fp t;
    BN_bn2binpad(p, pb, 32);
    ck_assert(!fp_from_be(&t, pb));
    pb[31]--;
    ck_assert(fp_from_be(&t, pb));
    memset(pb, 0xff, 32);
    ck_assert(!fp_from_be(&t, pb));
    fp_inv(&t, &fp_zero);
    ck_assert(fp_is_zero(&t));
    fp_inv_vartime(&t, &fp_zero);
    ck_assert(fp_is_zero(&t));
    BN_free(p);
    BN_free(a);
    BN_free(b);
    BN_free(want);
    BN_CTX_free(ctx);
}
END_TEST

/* ---------------- extension fields ---------------- */

START_TEST(fp2_fp6_laws)
{
    for (int it = 0; it < 200; it++) {
        fp2 a, b, c, t, u;
        rand_fp2(&a);
        rand_fp2(&b);
        rand_fp2(&c);
        /* Karatsuba product == schoolbook (a0 b0 - a1 b1) + (a0 b1 + a1 b0) u */
        fp s0, s1, m;
        fp_mul(&s0, &a.c0, &b.c0);
        fp_mul(&m, &a.c1, &b.c1);
        fp_sub(&s0, &s0, &m);
        fp_mul(&s1, &a.c0, &b.c1);
        fp_mul(&m, &a.c1, &b.c0);
        fp_add(&s1, &s1, &m);
        fp2_mul(&t, &a, &b);
        ck_assert(fp_eq(&t.c0, &s0) && fp_eq(&t.c1, &s1));
        /* square, ξ, inverse, distributivity */
        fp2_sqr(&t, &a);
        fp2_mul(&u, &a, &a);
        ck_assert(fp2_eq(&t, &u));
        fp2 xi;
        fp_from_u64(&xi.c0, 9);
        xi.c1 = fp_one;
        fp2_mul_xi(&t, &a);
        fp2_mul(&u, &a, &xi);
        ck_assert(fp2_eq(&t, &u));
        fp2_inv(&t, &a);
        fp2_mul(&u, &t, &a);
        ck_assert(fp2_eq(&u, &fp2_one));
        fp2_add(&t, &b, &c);
        fp2_mul(&t, &a, &t);
        fp2_mul(&u, &a, &b);
        fp2 v;
        fp2_mul(&v, &a, &c);
        fp2_add(&u, &u, &v);
        ck_assert(fp2_eq(&t, &u));
        /* aliasing */
        t = a;
        fp2_mul(&t, &t, &t);
        fp2_sqr(&u, &a);
        ck_assert(fp2_eq(&t, &u));
    }
    for (int it = 0; it < 100; it++) {
        fp6 a, b, c, t, u, v;
        rand_fp6(&a);
        rand_fp6(&b);
        rand_fp6(&c);
        fp6_mul(&t, &a, &b);
        fp6_mul(&u, &b, &a);
        ck_assert(fp6_eq(&t, &u));
        fp6_mul(&t, &t, &c);
        fp6_mul(&u, &b, &c);
        fp6_mul(&u, &a, &u);
        ck_assert(fp6_eq(&t, &u));
        fp6_add(&t, &b, &c);
        fp6_mul(&t, &a, &t);
        fp6_mul(&u, &a, &b);
        fp6_mul(&v, &a, &c);
        fp6_add(&u, &u, &v);
        ck_assert(fp6_eq(&t, &u));
        fp6_sqr(&t, &a);
        fp6_mul(&u, &a, &a);
        ck_assert(fp6_eq(&t, &u));
        fp6 vv = {fp2_zero, fp2_one, fp2_zero};
        fp6_mul_v(&t, &a);
        fp6_mul(&u, &a, &vv);
        ck_assert(fp6_eq(&t, &u));
        /* v^3 = ξ */
        fp6_mul(&t, &vv, &vv);
        fp6_mul(&t, &t, &vv);
        ck_assert(fp2_eq(&t.c1, &fp2_zero) && fp2_eq(&t.c2, &fp2_zero));
        fp2 xi;
        fp2_mul_xi(&xi, &fp2_one);
        ck_assert(fp2_eq(&t.c0, &xi));
        fp6_inv(&t, &a);
        fp6_mul(&u, &t, &a);
        fp6 one = {fp2_one, fp2_zero, fp2_zero};
        ck_assert(fp6_eq(&u, &one));
    }
}
END_TEST

START_TEST(fp12_laws_and_frobenius)
{
    for (int it = 0; it < 20; it++) {
        fp12 a, b, c, t, u, v;
        rand_fp12(&a);
        rand_fp12(&b);
        rand_fp12(&c);
        fp12_mul(&t, &a, &b);
        fp12_mul(&u, &b, &a);
        ck_assert(fp12_eq(&t, &u));
        fp12_mul(&t, &t, &c);
        fp12_mul(&u, &b, &c);
        fp12_mul(&u, &a, &u);
        ck_assert(fp12_eq(&t, &u));
        fp12_sqr(&t, &a);
        fp12_mul(&u, &a, &a);
        ck_assert(fp12_eq(&t, &u));
        fp12_inv(&t, &a);
        fp12_mul(&u, &t, &a);
        ck_assert(fp12_is_one(&u));
        ck_assert(!fp12_is_one(&a));

        /* sparse line product == full product with the sparse element */
        fp2 l0, l1, l3;
        rand_fp2(&l0);
        rand_fp2(&l1);
        rand_fp2(&l3);
        fp12 l;
        memset(&l, 0, sizeof l);
        l.c0.c0 = l0;
        l.c1.c0 = l1;
        l.c1.c1 = l3;
        fp12_mul(&t, &a, &l);
        fp12_mul_line(&u, &a, &l0, &l1, &l3);
        ck_assert(fp12_eq(&t, &u));

        if (it < 4) {
            /* Frobenius == x^p, composed twice and three times */
            fp12_pow(&t, &a, P_LIMBS);
            fp12_frob(&u, &a, 1);
            ck_assert(fp12_eq(&t, &u));
            fp12_frob(&v, &u, 1);
            fp12_frob(&t, &a, 2);
            ck_assert(fp12_eq(&t, &v));
            fp12_frob(&v, &v, 1);
            fp12_frob(&t, &a, 3);
            ck_assert(fp12_eq(&t, &v));
            /* conjugation is the p^6 power */
            fp12_frob(&v, &t, 3);
            fp12_conj(&u, &a);
            ck_assert(fp12_eq(&u, &v));
        }

        /* m = a^((p^6 - 1)(p^2 + 1)) is in the cyclotomic subgroup: there
         * the Granger–Scott squaring agrees with the plain one and the
         * conjugate is the inverse */
        fp12 m;
        fp12_inv(&t, &a);
        fp12_conj(&m, &a);
        fp12_mul(&m, &m, &t);
        fp12_frob(&t, &m, 2);
        fp12_mul(&m, &m, &t);
        fp12_cyclo_sqr(&t, &m);
        fp12_sqr(&u, &m);
        ck_assert(fp12_eq(&t, &u));
        fp12_conj(&t, &m);
        fp12_mul(&u, &t, &m);
        ck_assert(fp12_is_one(&u));
    }
}
END_TEST

/* ---------------- G1 ---------------- */

/* go-ethereum core/vm/testdata/precompiles/bn256Add.json and
 * bn256ScalarMul.json (inputs shorter than the full size are zero-padded). */
static const struct {
    const char *in, *out;
} ADD_VECTORS[] = {
    {/* chfast1 */
     "18b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093dc9"
     "063c909c4720840cb5134cb9f59fa749755796819658d32efc0d288198f37266"
     "07c2b7f58a84bd6145f00c9c2bc0bb1a187f20ff2c92963a88019e7c6a014eed"
     "06614e20c147e940f2d70da3f74c9a17df361706a4485c742bd6788478fa17d7",
     "2243525c5efd4b9c3d3c45ac0ca3fe4dd85e830a4ce6b65fa1eeaee202839703"
     "301d1d33be6da8e509df21cc35964723180eed7532537db9ae5e7d48f195c915"},
    {/* chfast2 */
     "2243525c5efd4b9c3d3c45ac0ca3fe4dd85e830a4ce6b65fa1eeaee202839703"
     "301d1d33be6da8e509df21cc35964723180eed7532537db9ae5e7d48f195c915"
     "18b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093dc9"
     "063c909c4720840cb5134cb9f59fa749755796819658d32efc0d288198f37266",
     "2bd3e6d0f3b142924f5ca7b49ce5b9d54c4703d7ae5648e61d02268b1a0a9fb7"
     "21611ce0a6af85915e2f1d70300909ce2e49dfad4a4619c8390cae66cefdb204"},
    {/* cdetrio11: G + G */
     "0000000000000000000000000000000000000000000000000000000000000001"
     "0000000000000000000000000000000000000000000000000000000000000002"
     "0000000000000000000000000000000000000000000000000000000000000001"
     "0000000000000000000000000000000000000000000000000000000000000002",
     "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
     "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"},
    {/* cdetrio13 */
     "17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9"
     "01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c"
     "039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869"
     "073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98",
     "15bf2bb17880144b5d1cd2b1f46eff9d617bffd1ca57c37fb5a49bd84e53cf66"
     "049c797f9ce0d17083deb32b5e36f2ea2a212ee036598dd7624c168993d1355f"},
    {/* cdetrio14: P + (-P) */
     "17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9"
     "01e0559bacb160664764a357af8a9fe70baa9258e0b959273ffc5718c6d4cc7c"
     "17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa9"
     "2e83f8d734803fc370eba25ed1f6b8768bd6d83887b87165fc2434fe11a830cb",
     "0000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000"},
    {/* cdetrio6: O + G */
     "0000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000001"
     "0000000000000000000000000000000000000000000000000000000000000002",
     "0000000000000000000000000000000000000000000000000000000000000001"
     "0000000000000000000000000000000000000000000000000000000000000002"},
};

static const struct {
    const char *in, *out;
} MUL_VECTORS[] = {
    {/* chfast1 */
     "2bd3e6d0f3b142924f5ca7b49ce5b9d54c4703d7ae5648e61d02268b1a0a9fb7"
     "21611ce0a6af85915e2f1d70300909ce2e49dfad4a4619c8390cae66cefdb204"
     "00000000000000000000000000000000000000000000000011138ce750fa15c2",
     "070a8d6a982153cae4be29d434e8faef8a47b274a053f5a4ee2a6c9c13c31e5c"
     "031b8ce914eba3a9ffb989f9cdd5b0f01943074bf4f0f315690ec3cec6981afc"},
    {/* chfast2: scalar above r */
     "070a8d6a982153cae4be29d434e8faef8a47b274a053f5a4ee2a6c9c13c31e5c"
     "031b8ce914eba3a9ffb989f9cdd5b0f01943074bf4f0f315690ec3cec6981afc"
     "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd46",
     "025a6f4181d2b4ea8b724290ffb40156eb0adb514c688556eb79cdea0752c2bb"
     "2eff3f31dea215f1eb86023a133a996eb6300b44da664d64251d05381bb8a02e"},
    {/* chfast3 */
     "025a6f4181d2b4ea8b724290ffb40156eb0adb514c688556eb79cdea0752c2bb"
     "2eff3f31dea215f1eb86023a133a996eb6300b44da664d64251d05381bb8a02e"
     "183227397098d014dc2822db40c0ac2ecbc0b548b438e5469e10460b6c3e7ea3",
     "14789d0d4a730b354403b5fac948113739e276c23e0258d8596ee72f9cd9d323"
     "0af18a63153e0ec25ff9f2951dd3fa90ed0197bfef6e2a1a62b5095b9d2b4a27"},
    {/* cdetrio1: scalar 2^256 - 1 */
     "1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3"
     "1a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996efdc33d92bf7f9f8f6"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     "2cde5879ba6f13c0b5aa4ef627f159a3347df9722efce88a9afbb20b763b4c41"
     "1aa7e43076f6aee272755a7f9b84832e71559ba0d2e0b17d5f9f01755e5b0d11"},
    {/* cdetrio2: scalar r - 1 gives -P */
     "1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3"
     "1a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996efdc33d92bf7f9f8f6"
     "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000",
     "1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3"
     "163511ddc1c3f25d396745388200081287b3fd1472d8339d5fecb2eae0830451"},
    {/* cdetrio3: scalar 2^128 */
     "1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3"
     "1a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996efdc33d92bf7f9f8f6"
     "0000000000000000000000000000000100000000000000000000000000000000",
     "1051acb0700ec6d42a88215852d582efbaef31529b6fcbc3277b5c1b300f5cf0"
     "135b2394bb45ab04b8bd7611bd2dfe1de6a4e6e2ccea1ea1955f577cd66af85b"},
    {/* cdetrio4: scalar 9 */
     "1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3"
     "1a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996efdc33d92bf7f9f8f6"
     "0000000000000000000000000000000000000000000000000000000000000009",
     "1dbad7d39dbc56379f78fac1bca147dc8e66de1b9d183c7b167351bfe0aeab74"
     "2cd757d51289cd8dbd0acf9e673ad67d0f0a89f912af47ed1be53664f5692575"},
    {/* cdetrio11 */
     "039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869"
     "073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     "00a1a234d08efaa2616607e31eca1980128b00b415c845ff25bba3afcb81dc00"
     "242077290ed33906aeb8e42fd98c41bcb9057ba03421af3f2d08cfc441186024"},
};

START_TEST(g1_known_vectors)
{
    for (size_t i = 0; i < sizeof ADD_VECTORS / sizeof ADD_VECTORS[0]; i++) {
        uint8_t in[128], out[64];
        unhex(ADD_VECTORS[i].in, in, 128);
        ck_assert_int_eq(bn254_g1_add(in, out), 0);
        assert_hex(out, 64, ADD_VECTORS[i].out);
    }
    for (size_t i = 0; i < sizeof MUL_VECTORS / sizeof MUL_VECTORS[0]; i++) {
        uint8_t in[96], out[64];
        unhex(MUL_VECTORS[i].in, in, 96);
        ck_assert_int_eq(bn254_g1_mul(in, out), 0);
        assert_hex(out, 64, MUL_VECTORS[i].out);
    }
    /* in and out may overlap */
    uint8_t buf[128];
    unhex(ADD_VECTORS[0].in, buf, 128);
    ck_assert_int_eq(bn254_g1_add(buf, buf), 0);
    assert_hex(buf, 64, ADD_VECTORS[0].out);
}
END_TEST

START_TEST(g1_group_laws)
{
    uint8_t g[64], zero[64] = {0}, out[64], out2[64], k[32];
    g1_gen(g);
    /* [r]G = O, [r+1]G = G, [0]G = O, [k]O = O */
    unhex(R_HEX, k, 32);
    ecmul(out, g, k);
    ck_assert_mem_eq(out, zero, 64);
    k[31]++;
    ecmul(out, g, k);
    ck_assert_mem_eq(out, g, 64);
    memset(k, 0, 32);
    ecmul(out, g, k);
    ck_assert_mem_eq(out, zero, 64);
    rand_scalar(k);
    ecmul(out, zero, k);
    ck_assert_mem_eq(out, zero, 64);
    /* O + O = O */
    ecadd(out, zero, zero);
    ck_assert_mem_eq(out, zero, 64);

    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *r = NULL, *a = BN_new(), *b = BN_new(), *s = BN_new();
    ck_assert_int_gt(BN_hex2bn(&r, R_HEX), 0);
    for (int it = 0; it < 20; it++) {
        uint8_t ka[32], kb[32], ks[32], pa[64], pb[64], ps[64];
        rand_scalar(ka);
        rand_scalar(kb);
        BN_bin2bn(ka, 32, a);
        BN_bin2bn(kb, 32, b);
        BN_mod_add(s, a, b, r, ctx);
        BN_bn2binpad(s, ks, 32);
        /* [a]G + [b]G = [a + b mod r]G */
        ecmul(pa, g, ka);
        ecmul(pb, g, kb);
        ecadd(out, pa, pb);
        ecmul(ps, g, ks);
        ck_assert_mem_eq(out, ps, 64);
        /* P + P = [2]P, P + (-P) = O, P + O = P */
        memset(k, 0, 32);
        k[31] = 2;
        ecadd(out, pa, pa);
        ecmul(out2, pa, k);
        ck_assert_mem_eq(out, out2, 64);
        g1_neg_bytes(out2, pa);
        ecadd(out, pa, out2);
        ck_assert_mem_eq(out, zero, 64);
        ecadd(out, pa, zero);
        ck_assert_mem_eq(out, pa, 64);
        /* [a]([b]G) = [b]([a]G) */
        ecmul(out, pa, kb);
        ecmul(out2, pb, ka);
        ck_assert_mem_eq(out, out2, 64);
        /* [k + r]P = [k]P for a scalar pushed above r */
        BN_add(s, a, r);
        BN_bn2binpad(s, ks, 32);
        ecmul(out, g, ks);
        ck_assert_mem_eq(out, pa, 64);
    }
    BN_free(r);
    BN_free(a);
    BN_free(b);
    BN_free(s);
    BN_CTX_free(ctx);
}
END_TEST

START_TEST(g1_rejects_invalid_points)
{
    uint8_t in[128], out[64], keep[64];
    memset(keep, 0xab, 64);
    /* x = p, y = 2 */
    memset(in, 0, 128);
    unhex(P_HEX, in, 32);
    in[63] = 2;
    memcpy(out, keep, 64);
    ck_assert_int_eq(bn254_g1_add(in, out), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "modulus"));
    ck_assert_mem_eq(out, keep, 64);
    /* (1, 2 + p): a valid point's y pushed past p */
    memset(in, 0, 128);
    in[31] = 1;
    unhex("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd49", in + 32, 32);
    ck_assert_int_eq(bn254_g1_add(in, out), ERR_INVAL);
    /* (1, 3) is not on the curve, as first or second operand */
    memset(in, 0, 128);
    in[31] = 1;
    in[63] = 3;
    ck_assert_int_eq(bn254_g1_add(in, out), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "not on the curve"));
    memset(in, 0, 128);
    in[95] = 1;
    in[127] = 3;
    ck_assert_int_eq(bn254_g1_add(in, out), ERR_INVAL);
    /* (0, 3) is not infinity and not on the curve */
    memset(in, 0, 128);
    in[63] = 3;
    ck_assert_int_eq(bn254_g1_add(in, out), ERR_INVAL);
    /* ECMUL: the same checks, whatever the scalar */
    uint8_t m[96];
    memset(m, 0, 96);
    m[31] = 1;
    m[63] = 3;
    ck_assert_int_eq(bn254_g1_mul(m, out), ERR_INVAL);
    memset(m, 0, 96);
    unhex(P_HEX, m, 32);
    m[63] = 2;
    ck_assert_int_eq(bn254_g1_mul(m, out), ERR_INVAL);
    ck_assert_mem_eq(out, keep, 64);
}
END_TEST

/* ---------------- G2 ---------------- */

START_TEST(g2_subgroup_check)
{
    uint8_t g2[128], q[128], k[32];
    unhex(G2_HEX, g2, 128);
    g2_aff a;
    g2_jac j;
    /* members: G2 and random multiples; the fast test agrees with [r]Q = O */
    for (int it = 0; it < 6; it++) {
        if (it == 0) {
            memcpy(q, g2, 128);
        } else {
            rand_scalar(k);
            g2_mul_bytes(q, g2, k);
        }
        g2_decode_raw(&a, q);
        ck_assert(g2_aff_on_curve(&a));
        ck_assert(g2_aff_in_subgroup(&a));
        g2_jac_from_aff(&j, &a);
        g2_jac_mul(&j, &j, R_LIMBS);
        ck_assert(g2_jac_is_inf(&j));
    }
    /* non-members: on the twist, but [r]Q != O */
    const char *bad[2] = {TWIST_NOT_G2_HEX, TWIST_COFACTOR_HEX};
    for (int i = 0; i < 2; i++) {
        unhex(bad[i], q, 128);
        g2_decode_raw(&a, q);
        ck_assert(g2_aff_on_curve(&a));
        ck_assert(!g2_aff_in_subgroup(&a));
        g2_jac_from_aff(&j, &a);
        g2_jac_mul(&j, &j, R_LIMBS);
        ck_assert(!g2_jac_is_inf(&j));
        /* a G2 point plus a cofactor-part point is still outside */
        g2_aff g;
        g2_jac jg, js;
        g2_decode_raw(&g, g2);
        g2_jac_from_aff(&jg, &g);
        g2_jac_from_aff(&js, &a);
        g2_jac_add(&js, &js, &jg);
        g2_jac_to_aff(&a, &js);
        ck_assert(g2_aff_on_curve(&a));
        ck_assert(!g2_aff_in_subgroup(&a));
    }
    /* [r]TWIST_NOT_G2 is TWIST_COFACTOR (both vectors are consistent) */
    unhex(TWIST_NOT_G2_HEX, q, 128);
    uint8_t rb[32], out[128], want[128];
    unhex(R_HEX, rb, 32);
    g2_mul_bytes(out, q, rb);
    unhex(TWIST_COFACTOR_HEX, want, 128);
    ck_assert_mem_eq(out, want, 128);
    /* ψ acts on G2 as [p mod r] = [6x^2] */
    g2_decode_raw(&a, g2);
    g2_aff pa;
    g2_aff_psi(&pa, &a);
    static const uint64_t six_x2[4] = {0xf83e9682e87cfd46ULL, 0x6f4d8248eeb859fbULL, 0, 0};
    g2_jac_from_aff(&j, &a);
    g2_jac_mul(&j, &j, six_x2);
    g2_aff ma;
    g2_jac_to_aff(&ma, &j);
    ck_assert(fp2_eq(&ma.x, &pa.x) && fp2_eq(&ma.y, &pa.y));
}
END_TEST

/* ---------------- pairing ---------------- */

/* jeff1, jeff6: go-ethereum core/vm/testdata/precompiles/bn256Pairing.json */
static const char JEFF1[] =
    "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f59"
    "3034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41"
    "209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7"
    "04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a41678"
    "2bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d"
    "120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550"
    "111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c"
    "2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411"
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
static const char JEFF6[] =
    "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f59"
    "3034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41"
    "209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7"
    "04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a41678"
    "2bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d"
    "120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550"
    "111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c"
    "103188585e2364128fe25c70558f1560f4f9350baf3959e603cc91486e110936"
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
/* ethereum-tests GeneralStateTests/stZeroKnowledge ecpairing_three_point_match_1
 * and ecpairing_three_point_fail_1 (the ECPAIRING input inside the tx data) */
static const char ZK_THREE_MATCH[] =
    "105456a333e6d636854f987ea7bb713dfd0ae8371a72aea313ae0c32c0bf1016"
    "0cf031d41b41557f3e7e3ba0c51bebe5da8e6ecd855ec50fc87efcdeac168bcc"
    "0476be093a6d2b4bbf907172049874af11e1b6267606e00804d3ff0037ec57fd"
    "3010c68cb50161b7d1d96bb71edfec9880171954e56871abf3d93cc94d745fa1"
    "14c059d74e5b6c4ec14ae5864ebe23a71781d86c29fb8fb6cce94f70d3de7a21"
    "01b33461f39d9e887dbb100f170a2345dde3c07e256d1dfa2b657ba5cd030427"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "1a2c3013d2ea92e13c800cde68ef56a294b883f6ac35d25f587c09b1b3c635f7"
    "290158a80cd3d66530f74dc94c94adb88f5cdb481acca997b6e60071f08a115f"
    "2f997f3dbd66a7afe07fe7862ce239edba9e05c5afff7f8a1259c9733b2dfbb9"
    "29d1691530ca701b4a106054688728c9972c8512e9789e9567aae23e302ccd75"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000";
static const char ZK_THREE_FAIL[] =
    "105456a333e6d636854f987ea7bb713dfd0ae8371a72aea313ae0c32c0bf1016"
    "0cf031d41b41557f3e7e3ba0c51bebe5da8e6ecd855ec50fc87efcdeac168bcc"
    "0476be093a6d2b4bbf907172049874af11e1b6267606e00804d3ff0037ec57fd"
    "3010c68cb50161b7d1d96bb71edfec9880171954e56871abf3d93cc94d745fa1"
    "14c059d74e5b6c4ec14ae5864ebe23a71781d86c29fb8fb6cce94f70d3de7a21"
    "01b33461f39d9e887dbb100f170a2345dde3c07e256d1dfa2b657ba5cd030427"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "1a2c3013d2ea92e13c800cde68ef56a294b883f6ac35d25f587c09b1b3c635f7"
    "290158a80cd3d66530f74dc94c94adb88f5cdb481acca997b6e60071f08a115f"
    "00cacf3523caf879d7d05e30549f1e6fdce364cbb8724b0329c6c2a39d4f018e"
    "0692e55db067300e6e3fe56218fa2f940054e57e7ef92bf7d475a9d8a8502fd2"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";

START_TEST(pairing_known_vectors)
{
    ck_assert(pairing_hex(JEFF1));
    ck_assert(!pairing_hex(JEFF6));
    ck_assert(pairing_hex(ZK_THREE_MATCH));
    ck_assert(!pairing_hex(ZK_THREE_FAIL));

    uint8_t g1[64], g2[128], ng1[64], ng2[128], buf[10 * 192], zero[128] = {0};
    g1_gen(g1);
    unhex(G2_HEX, g2, 128);
    g1_neg_bytes(ng1, g1);
    g2_neg_bytes(ng2, g2);
    /* e(G1, G2) != 1 (non-degenerate); e(G1, G2) e(-G1, G2) = 1 */
    put_pair(buf, g1, g2);
    ck_assert(!pairing_ok(buf, 192));
    put_pair(buf + 192, ng1, g2);
    ck_assert(pairing_ok(buf, 384));
    put_pair(buf + 192, g1, ng2);
    ck_assert(pairing_ok(buf, 384));
    put_pair(buf + 192, g1, g2);
    ck_assert(!pairing_ok(buf, 384));
    /* empty input is the empty product */
    ck_assert(pairing_ok(NULL, 0));
    ck_assert(pairing_ok(buf, 0));
    /* pairs with infinity contribute 1 */
    put_pair(buf, zero, g2);
    put_pair(buf + 192, g1, zero);
    ck_assert(pairing_ok(buf, 384));
    put_pair(buf + 384, g1, g2);
    ck_assert(!pairing_ok(buf, 576));
    /* 10 pairs, more than one Miller-loop batch: 5 x (G1,G2)(G1,-G2) */
    for (int i = 0; i < 5; i++) {
        put_pair(buf + 384 * i, g1, g2);
        put_pair(buf + 384 * i + 192, g1, ng2);
    }
    ck_assert(pairing_ok(buf, 10 * 192));
    ck_assert(!pairing_ok(buf, 9 * 192));
}
END_TEST

START_TEST(pairing_bilinearity)
{
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *r = NULL, *a = BN_new(), *b = BN_new(), *s = BN_new();
    ck_assert_int_gt(BN_hex2bn(&r, R_HEX), 0);
    uint8_t g1[64], g2[128], buf[9 * 192];
    g1_gen(g1);
    unhex(G2_HEX, g2, 128);
    for (int it = 0; it < 3; it++) {
        uint8_t ka[32], kb[32], kab[32], pa[64], qb[128], pab[64], npab[64];
        rand_scalar(ka);
        rand_scalar(kb);
        BN_bin2bn(ka, 32, a);
        BN_bin2bn(kb, 32, b);
        BN_mod_mul(s, a, b, r, ctx);
        BN_bn2binpad(s, kab, 32);
        ecmul(pa, g1, ka);
        g2_mul_bytes(qb, g2, kb);
        ecmul(pab, g1, kab);
        g1_neg_bytes(npab, pab);
        /* e(aP, bQ) e(-abP, Q) = 1 */
        put_pair(buf, pa, qb);
        put_pair(buf + 192, npab, g2);
        ck_assert(pairing_ok(buf, 384));
        /* e(aP, bQ) e(-(ab + 1)P, Q) != 1 */
        uint8_t pab1[64];
        ecadd(pab1, pab, g1);
        g1_neg_bytes(npab, pab1);
        put_pair(buf + 192, npab, g2);
        ck_assert(!pairing_ok(buf, 384));
        /* e(aP, bQ) = e(bP, aQ): e(aP, bQ) e(-bP, aQ) = 1 */
        uint8_t pb[64], qa[128];
        ecmul(pb, g1, kb);
        g1_neg_bytes(pb, pb);
        g2_mul_bytes(qa, g2, ka);
        put_pair(buf + 192, pb, qa);
        ck_assert(pairing_ok(buf, 384));
    }
    /* nine pairs across the batch boundary: e(a_i G1, G2) for i < 8 and
     * e(-(Σ a_i) G1, G2) */
    BN_zero(s);
    for (int i = 0; i < 8; i++) {
        uint8_t ka[32], pa[64];
        rand_scalar(ka);
        BN_bin2bn(ka, 32, a);
        BN_mod_add(s, s, a, r, ctx);
        ecmul(pa, g1, ka);
        put_pair(buf + 192 * i, pa, g2);
    }
    uint8_t ks[32], ps[64];
    BN_bn2binpad(s, ks, 32);
    ecmul(ps, g1, ks);
    g1_neg_bytes(ps, ps);
    put_pair(buf + 8 * 192, ps, g2);
    ck_assert(pairing_ok(buf, 9 * 192));
    put_pair(buf + 8 * 192, g1, g2);
    ck_assert(!pairing_ok(buf, 9 * 192));

    /* e(G1, G2) has order r in Fp12* */
    g1_aff P;
    g2_aff Q;
    fp_from_u64(&P.x, 1);
    fp_from_u64(&P.y, 2);
    P.inf = false;
    g2_decode_raw(&Q, g2);
    fp12 e, t;
    bn254_pairing(&e, &P, &Q);
    ck_assert(!fp12_is_one(&e));
    fp12_pow(&t, &e, R_LIMBS);
    ck_assert(fp12_is_one(&t));

    BN_free(r);
    BN_free(a);
    BN_free(b);
    BN_free(s);
    BN_CTX_free(ctx);
}
END_TEST

START_TEST(pairing_rejects_invalid_input)
{
    uint8_t g1[64], g2[128], buf[2 * 192], zero[128] = {0};
    bool ok = true;
    g1_gen(g1);
    unhex(G2_HEX, g2, 128);
    put_pair(buf, g1, g2);
    put_pair(buf + 192, g1, g2);
    /* lengths that are not a multiple of 192 */
    static const size_t lens[] = {1, 64, 191, 193, 383};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        ok = true;
        ck_assert_int_eq(bn254_pairing_check(buf, lens[i], &ok), ERR_INVAL);
        ck_assert(ok); /* untouched */
    }
    ck_assert_int_eq(bn254_pairing_check(NULL, 192, &ok), ERR_INVAL);

    /* each G2 coordinate pushed to p or above */
    for (int c = 0; c < 4; c++) {
        put_pair(buf, g1, g2);
        unhex(P_HEX, buf + 64 + 32 * c, 32);
        ck_assert_int_eq(bn254_pairing_check(buf, 192, &ok), ERR_INVAL);
        ck_assert_ptr_nonnull(strstr(err_msg(), "modulus"));
    }
    /* G2 off the twist (y_re + 1) */
    put_pair(buf, g1, g2);
    buf[191] ^= 1;
    ck_assert_int_eq(bn254_pairing_check(buf, 192, &ok), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "twist"));
    /* G2 on the twist, not in the subgroup; also in the second pair, and
     * also when the G1 point of the pair is infinity */
    uint8_t bad[128];
    unhex(TWIST_NOT_G2_HEX, bad, 128);
    put_pair(buf, g1, bad);
    ck_assert_int_eq(bn254_pairing_check(buf, 192, &ok), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "subgroup"));
    put_pair(buf, g1, g2);
    put_pair(buf + 192, zero, bad);
    ck_assert_int_eq(bn254_pairing_check(buf, 384, &ok), ERR_INVAL);
    unhex(TWIST_COFACTOR_HEX, bad, 128);
    put_pair(buf, g1, bad);
    ck_assert_int_eq(bn254_pairing_check(buf, 192, &ok), ERR_INVAL);
    /* G1 not on the curve / coordinate >= p, even with G2 = infinity */
    uint8_t p1[64];
    memset(p1, 0, 64);
    p1[31] = 1;
    p1[63] = 3;
    put_pair(buf, p1, zero);
    ck_assert_int_eq(bn254_pairing_check(buf, 192, &ok), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "not on the curve"));
    g1_gen(p1);
    unhex(P_HEX, p1, 32);
    put_pair(buf, p1, g2);
    ck_assert_int_eq(bn254_pairing_check(buf, 192, &ok), ERR_INVAL);
    ck_assert(ok);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bn254");
    TCase *tc = tcase_create("core");
    /* pairings are slow under sanitizers */
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fp_matches_bignum);
    tcase_add_test(tc, fp2_fp6_laws);
    tcase_add_test(tc, fp12_laws_and_frobenius);
    tcase_add_test(tc, g1_known_vectors);
    tcase_add_test(tc, g1_group_laws);
    tcase_add_test(tc, g1_rejects_invalid_points);
    tcase_add_test(tc, g2_subgroup_check);
    tcase_add_test(tc, pairing_known_vectors);
    tcase_add_test(tc, pairing_bilinearity);
    tcase_add_test(tc, pairing_rejects_invalid_input);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
