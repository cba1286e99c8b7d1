/*
 * bn254_fp.c — the parts of Fp that are not hot enough to inline: constants,
 * inversion, and conversion between big-endian bytes and Montgomery form.
 *
 * Inversion is Fermat's a^(p-2) with a fixed 4-bit window over the public
 * exponent: 252 squarings and 63 multiplications whatever a is, so it is
 * constant time. It runs once per pairing (the final exponentiation),
 * where it is off the hot path. fp_inv_vartime (binary extended Euclid,
 * about four times faster) is for public values only: it turns ECADD and
 * ECMUL results into affine coordinates, where the inversion is most of an
 * ECADD.
 */
#include "evm/bn254_fp.h"

/* Montgomery constants, derived with Python ints: R = 2^256,
 * fp_one = R mod p, R2 = R^2 mod p, limbs least significant first. */
const fp fp_zero = {{0, 0, 0, 0}};
const fp fp_one = {{0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL,
                    0x0e0a77c19a07df2fULL}};
static const fp R2 = {{0xf32cfc5b538afa89ULL, 0xb5e71911d44501fbULL, 0x47ab1eff0a417ff6ULL,
                       0x06d89f71cab8351fULL}};

void fp_inv(fp *r, const fp *a)
{
    /* p - 2, least significant limb first. */
    static const uint64_t e[4] = {BN254_P0 - 2, BN254_P1, BN254_P2, BN254_P3};
    fp table[16];
    table[0] = fp_one;
    table[1] = *a;
    for (int i = 2; i < 16; i++)
        fp_mul(&table[i], &table[i - 1], a);
    fp acc = fp_one;
    for (int nib = 63; nib >= 0; nib--) {
        for (int k = 0; k < 4; k++)
            fp_sqr(&acc, &acc);
        unsigned d = (unsigned)(e[nib / 16] >> (4 * (nib % 16))) & 15;
        /* d comes from the public exponent, not from a. */
        fp_mul(&acc, &acc, &table[d]);
    }
    *r = acc;
}

/* Plain 256-bit helpers for fp_inv_vartime (values, not field elements). */
static bool u256_is_one(const uint64_t a[4])
{
    return a[0] == 1 && (a[1] | a[2] | a[3]) == 0;
}

static bool u256_geq(const uint64_t a[4], const uint64_t b[4])
{
    for (int i = 3; i >= 0; i--)
        if (a[i] != b[i])
            return a[i] > b[i];
    return true;
}

static void u256_sub(uint64_t a[4], const uint64_t b[4])
{
    unsigned char bw = 0;
    for (int i = 0; i < 4; i++)
        bw = bn254_subb(bw, a[i], b[i], &a[i]);
}

static void u256_shr1(uint64_t a[4])
{
    a[0] = (a[0] >> 1) | (a[1] << 63);
    a[1] = (a[1] >> 1) | (a[2] << 63);
    a[2] = (a[2] >> 1) | (a[3] << 63);
    a[3] >>= 1;
}

void fp_inv_vartime(fp *r, const fp *a)
{
    /* Binary extended Euclid on the Montgomery representative A = aR:
     * keeps x1·A ≡ u and x2·A ≡ v (mod p) while u and v shrink to 1, so the
     * survivor is A^-1 = a^-1 R^-1 as a plain integer; one Montgomery
     * product with R^3 mod p turns it into a^-1 R, the Montgomery form of
     * a^-1. R3 was computed with Python ints: pow(2**256, 3, p). */
    static const fp R3 = {{0xb1cd6dafda1530dfULL, 0x62f210e6a7283db6ULL, 0xef7f0b0c0ada0afbULL,
                           0x20fd6e902d592544ULL}};
    if (fp_is_zero(a)) {
        *r = fp_zero;
        return;
    }
    uint64_t u[4] = {a->l[0], a->l[1], a->l[2], a->l[3]};
    uint64_t v[4] = {BN254_P0, BN254_P1, BN254_P2, BN254_P3};
    fp x1 = {{1, 0, 0, 0}}, x2 = fp_zero;
    /* u, v > 0 throughout (gcd(A, p) = 1); each round removes a bit. */
    while (!u256_is_one(u) && !u256_is_one(v)) {
        while ((u[0] & 1) == 0) {
            u256_shr1(u);
            fp_half(&x1, &x1);
        }
        while ((v[0] & 1) == 0) {
            u256_shr1(v);
            fp_half(&x2, &x2);
        }
        if (u256_geq(u, v)) {
            u256_sub(u, v);
            fp_sub(&x1, &x1, &x2);
        } else {
            u256_sub(v, u);
            fp_sub(&x2, &x2, &x1);
        }
    }
    fp_mul(r, u256_is_one(u) ? &x1 : &x2, &R3);
}

bool fp_from_be(fp *r, const uint8_t in[32])
{
    fp t;
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++)
            w = (w << 8) | in[8 * (3 - i) + j];
        t.l[i] = w;
    }
    static const uint64_t p[4] = {BN254_P0, BN254_P1, BN254_P2, BN254_P3};
    for (int i = 3; i >= 0; i--) {
        if (t.l[i] < p[i])
            break;
        if (t.l[i] > p[i] || i == 0)
            return false; /* > p, or == p */
    }
    fp_mul(r, &t, &R2);
    return true;
}

void fp_to_be(uint8_t out[32], const fp *a)
{
    static const fp one_plain = {{1, 0, 0, 0}};
    fp t;
    fp_mul(&t, a, &one_plain); /* leaves Montgomery form */
    for (int i = 0; i < 4; i++) {
        uint64_t w = t.l[i];
        for (int j = 7; j >= 0; j--) {
            out[8 * (3 - i) + j] = (uint8_t)w;
            w >>= 8;
        }
    }
}

void fp_from_u64(fp *r, uint64_t v)
{
    fp t = {{v, 0, 0, 0}};
    fp_mul(r, &t, &R2);
}
