/* vrf.c — Spectrum's secp256k1 VRF over libsecp256k1; see vrf.h.
 *
 * libsecp256k1 has no "multiply an arbitrary point" or "add two points"
 * primitives by those names, but its public-key API is exactly that:
 * secp256k1_ec_pubkey_tweak_mul is [k]P, secp256k1_ec_pubkey_combine is
 * P + Q, secp256k1_ec_pubkey_create is [k]G, and parsing 02 ‖ x decodes a
 * compressed point (rejecting x >= p and x with no curve point). Those
 * functions refuse a zero or out-of-range scalar; Go's verifier would crash
 * on the same inputs (its ScalarMult returns nil), so no valid block ever
 * carried them, and refusing is the compatible answer.
 *
 * One Go behaviour is reproduced on purpose: when A or B sums to the point
 * at infinity, Go's elliptic.CurveParams.Add returns (0, 0) and the verifier
 * hashes 04 ‖ 0^64; combine() fails there, and we hash the same bytes. (A
 * producer can reach this only with an honest U, see doc/tribe.md.)
 *
 * The context is created once, randomized (blinding for [k]G with secret
 * k), and only read afterwards, so every function is thread-safe. */
#include "consensus/vrf.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <secp256k1.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "primitives/u256.h"
#include "util/bytes.h"
#include "util/err.h"

#define H1_TRIES 100
/* G ‖ H ‖ PK ‖ U ‖ A ‖ B */
#define H2_INPUT_LEN (6 * VRF_POINT_LEN)

/* The group order N and N − 1, big-endian. */
static const uint8_t ORDER[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
};
static const uint8_t ORDER_MINUS_1[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x40,
};

static secp256k1_context *ctx;
static uint8_t G_BYTES[VRF_POINT_LEN];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void serialize(const secp256k1_pubkey *pk, uint8_t out[VRF_POINT_LEN])
{
    size_t n = VRF_POINT_LEN;
    secp256k1_ec_pubkey_serialize(ctx, out, &n, pk, SECP256K1_EC_UNCOMPRESSED);
}

static void create_ctx(void)
{
    secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!c)
        return;
    uint8_t seed[32];
    if (RAND_bytes(seed, sizeof seed) == 1 && !secp256k1_context_randomize(c, seed)) {
        /* cannot fail on a fresh context; stay unblinded if it did */
    }
    OPENSSL_cleanse(seed, sizeof seed);
    static const uint8_t one[32] = {[31] = 1};
    secp256k1_pubkey g;
    if (!secp256k1_ec_pubkey_create(c, &g, one)) {
        secp256k1_context_destroy(c);
        return;
    }
    ctx = c;
    serialize(&g, G_BYTES);
}

static int vrf_init(void)
{
    pthread_once(&once, create_ctx);
    return ctx ? 0 : err_set(ERR_NOMEM, "vrf: secp256k1 context creation failed");
}

/* out = SHA-512(BE32(i) ‖ m) for i = 0, 1, ...: the counter-prefixed hash
 * both H1 and H2 iterate. `buf` holds 4 spare bytes followed by m. */
static int counter_hash(uint32_t i, uint8_t *buf, size_t mlen, uint8_t out[SHA512_LEN])
{
    be_put32(buf, i);
    return sha512(buf, 4 + mlen, out);
}

/* Copies m behind 4 spare bytes, on the stack when it fits. */
struct counter_buf {
    uint8_t small[4 + H2_INPUT_LEN];
    uint8_t *p;
};

static int counter_buf_init(struct counter_buf *cb, const uint8_t *m, size_t len)
{
    if (len > VRF_MSG_MAX)
        return err_set(ERR_RANGE, "vrf: message of %zu bytes (max %u)", len, VRF_MSG_MAX);
    cb->p = len <= H2_INPUT_LEN ? cb->small : malloc(4 + len);
    if (!cb->p)
        return err_set(ERR_NOMEM, "vrf: message buffer");
    if (len)
        memcpy(cb->p + 4, m, len);
    return 0;
}

static void counter_buf_free(struct counter_buf *cb)
{
    if (cb->p != cb->small)
        free(cb->p);
}

/* H1 into a parsed point. */
static int h1_point(const uint8_t *m, size_t len, secp256k1_pubkey *out)
{
    struct counter_buf cb;
    int rc = counter_buf_init(&cb, m, len);
    if (rc)
        return rc;
    uint8_t h[SHA512_LEN], enc[33];
    bool found = false;
    for (uint32_t i = 0; i < H1_TRIES && !found; i++) {
        rc = counter_hash(i, cb.p, len, h);
        if (rc)
            break;
        enc[0] = 0x02;
        memcpy(enc + 1, h, 32);
        found = secp256k1_ec_pubkey_parse(ctx, out, enc, sizeof enc) == 1;
    }
    counter_buf_free(&cb);
    if (rc)
        return rc;
    return found ? 0 : err_set(ERR_CRYPTO, "vrf: H1 found no curve point in %d tries", H1_TRIES);
}

int vrf_h1(const uint8_t *m, size_t len, uint8_t point[VRF_POINT_LEN])
{
    int rc = vrf_init();
    if (rc)
        return rc;
    secp256k1_pubkey H;
    rc = h1_point(m, len, &H);
    if (rc == 0)
        serialize(&H, point);
    return rc;
}

int vrf_h2(const uint8_t *m, size_t len, uint8_t k[32])
{
    struct counter_buf cb;
    int rc = counter_buf_init(&cb, m, len);
    if (rc)
        return rc;
    uint8_t h[SHA512_LEN];
    /* Each try succeeds with probability 1 − 2^-128; the loop ends. */
    for (uint32_t i = 0;; i++) {
        rc = counter_hash(i, cb.p, len, h);
        if (rc)
            break;
        if (memcmp(h, ORDER_MINUS_1, 32) < 0) {
            /* k + 1 cannot carry out: k < N − 1. */
            memcpy(k, h, 32);
            for (int j = 31; j >= 0 && ++k[j] == 0; j--) {
            }
            break;
        }
    }
    counter_buf_free(&cb);
    return rc;
}

/* The H2 input G ‖ H ‖ PK ‖ U ‖ A ‖ B. */
static void h2_input(uint8_t buf[H2_INPUT_LEN], const uint8_t H[VRF_POINT_LEN],
                     const uint8_t PK[VRF_POINT_LEN], const uint8_t U[VRF_POINT_LEN],
                     const uint8_t A[VRF_POINT_LEN], const uint8_t B[VRF_POINT_LEN])
{
    memcpy(buf, G_BYTES, VRF_POINT_LEN);
    memcpy(buf + 1 * VRF_POINT_LEN, H, VRF_POINT_LEN);
    memcpy(buf + 2 * VRF_POINT_LEN, PK, VRF_POINT_LEN);
    memcpy(buf + 3 * VRF_POINT_LEN, U, VRF_POINT_LEN);
    memcpy(buf + 4 * VRF_POINT_LEN, A, VRF_POINT_LEN);
    memcpy(buf + 5 * VRF_POINT_LEN, B, VRF_POINT_LEN);
}

/* PK = [sk]G, remembered per thread for the last key (a producer proves
 * with its node key block after block; [k]G is an eighth of the proof).
 * The key itself is not kept, only its SHA-256. */
static int public_point(const uint8_t sk[32], secp256k1_pubkey *pk)
{
    static __thread struct {
        bool set;
        uint8_t key_hash[SHA256_LEN];
        secp256k1_pubkey pk;
    } last;
    uint8_t h[SHA256_LEN];
    if (sha256(sk, 32, h))
        return -1;
    if (last.set && memcmp(h, last.key_hash, sizeof h) == 0) {
        *pk = last.pk;
        return 0;
    }
    if (!secp256k1_ec_pubkey_create(ctx, pk, sk))
        return -1;
    memcpy(last.key_hash, h, sizeof h);
    last.pk = *pk;
    last.set = true;
    return 0;
}

/* The prover with sk and r already checked; *t_zero reports the one nonce
 * outcome a caller retries with another r. */
static int prove(const uint8_t sk[32], const uint8_t r[32], const uint8_t *m, size_t len,
                 uint8_t out[VRF_OUTPUT_LEN], bool *t_zero)
{
    *t_zero = false;
    secp256k1_pubkey H, PK, U, rG, rH;
    int rc = h1_point(m, len, &H);
    if (rc)
        return rc;
    U = H;
    rH = H;
    if (public_point(sk, &PK) != 0 || !secp256k1_ec_pubkey_tweak_mul(ctx, &U, sk) ||
        !secp256k1_ec_pubkey_create(ctx, &rG, r) || !secp256k1_ec_pubkey_tweak_mul(ctx, &rH, r))
        return err_set(ERR_CRYPTO, "vrf: point multiplication failed");

    uint8_t Hb[VRF_POINT_LEN], PKb[VRF_POINT_LEN], Ub[VRF_POINT_LEN], rGb[VRF_POINT_LEN],
        rHb[VRF_POINT_LEN], buf[H2_INPUT_LEN], s[32];
    serialize(&H, Hb);
    serialize(&PK, PKb);
    serialize(&U, Ub);
    serialize(&rG, rGb);
    serialize(&rH, rHb);
    h2_input(buf, Hb, PKb, Ub, rGb, rHb);
    rc = vrf_h2(buf, sizeof buf, s);
    if (rc)
        return rc;

    /* t = r − s·k mod N; with wrapping 256-bit arithmetic, r − sk + N is
     * exact when r < sk because the true value lies in [1, N). */
    u256 S, K, R, N, SK, T;
    u256_from_be(&S, s, 32);
    u256_from_be(&K, sk, 32);
    u256_from_be(&R, r, 32);
    u256_from_be(&N, ORDER, 32);
    u256_mulmod(&SK, &S, &K, &N);
    u256_sub(&T, &R, &SK);
    if (u256_lt(&R, &SK))
        u256_add(&T, &T, &N);
    *t_zero = u256_is_zero(&T);
    uint8_t t[32];
    u256_to_be(&T, t);
    OPENSSL_cleanse(&K, sizeof K);
    OPENSSL_cleanse(&R, sizeof R);
    OPENSSL_cleanse(&SK, sizeof SK);
    if (*t_zero)
        return err_set(ERR_CRYPTO, "vrf: nonce gives t = 0");

    rc = sha256(Ub, VRF_POINT_LEN, out);
    if (rc)
        return rc;
    memcpy(out + VRF_INDEX_LEN, s, 32);
    memcpy(out + VRF_INDEX_LEN + 32, t, 32);
    memcpy(out + VRF_INDEX_LEN + 64, Ub, VRF_POINT_LEN);
    return 0;
}

int vrf_prove_with_nonce(const uint8_t sk[32], const uint8_t r[32], const uint8_t *m, size_t len,
                         uint8_t out[VRF_OUTPUT_LEN])
{
    int rc = vrf_init();
    if (rc)
        return rc;
    if (!secp256k1_ec_seckey_verify(ctx, sk))
        return err_set(ERR_CRYPTO, "vrf: invalid secret key");
    if (!secp256k1_ec_seckey_verify(ctx, r))
        return err_set(ERR_CRYPTO, "vrf: invalid nonce");
    bool t_zero;
    return prove(sk, r, m, len, out, &t_zero);
}

int vrf_prove(const uint8_t sk[32], const uint8_t *m, size_t len, uint8_t out[VRF_OUTPUT_LEN])
{
    int rc = vrf_init();
    if (rc)
        return rc;
    if (!secp256k1_ec_seckey_verify(ctx, sk))
        return err_set(ERR_CRYPTO, "vrf: invalid secret key");
    uint8_t r[32];
    /* A nonce is unusable (r = 0, r >= N, or t = 0) with probability about
     * 2^-127 per draw; a handful of draws is plenty. */
    rc = err_set(ERR_CRYPTO, "vrf: no usable nonce");
    for (int tries = 0; tries < 16; tries++) {
        if (RAND_bytes(r, sizeof r) != 1) {
            rc = err_set(ERR_CRYPTO, "vrf: no randomness for the nonce");
            break;
        }
        if (!secp256k1_ec_seckey_verify(ctx, r))
            continue;
        bool t_zero;
        rc = prove(sk, r, m, len, out, &t_zero);
        if (!t_zero)
            break;
    }
    OPENSSL_cleanse(r, sizeof r);
    return rc;
}

/* out = P + Q, or 04 ‖ 0^64 when the sum is the point at infinity (what
 * Go's CurveParams.Add and elliptic.Marshal produce). */
static void add_points(const secp256k1_pubkey *P, const secp256k1_pubkey *Q,
                       uint8_t out[VRF_POINT_LEN])
{
    const secp256k1_pubkey *pts[2] = {P, Q};
    secp256k1_pubkey sum;
    if (secp256k1_ec_pubkey_combine(ctx, &sum, pts, 2)) {
        serialize(&sum, out);
    } else {
        memset(out, 0, VRF_POINT_LEN);
        out[0] = 0x04;
    }
}

int vrf_verify(const uint8_t pub[64], const uint8_t *m, size_t len, const uint8_t *proof,
               size_t proof_len, uint8_t index[VRF_INDEX_LEN])
{
    int rc = vrf_init();
    if (rc)
        return rc;
    if (proof_len != VRF_PROOF_LEN || !proof)
        return err_set(ERR_CRYPTO, "vrf: proof of %zu bytes (want %d)", proof_len, VRF_PROOF_LEN);
    const uint8_t *s = proof, *t = proof + 32, *Ub = proof + 64;

    secp256k1_pubkey U, PK, H;
    if (Ub[0] != 0x04 || !secp256k1_ec_pubkey_parse(ctx, &U, Ub, VRF_POINT_LEN))
        return err_set(ERR_CRYPTO, "vrf: U is not an uncompressed curve point");
    uint8_t PKb[VRF_POINT_LEN];
    PKb[0] = 0x04;
    memcpy(PKb + 1, pub, 64);
    if (!secp256k1_ec_pubkey_parse(ctx, &PK, PKb, VRF_POINT_LEN))
        return err_set(ERR_CRYPTO, "vrf: public key is not a curve point");

    /* A = [t]G + [s]PK */
    secp256k1_pubkey tG, sPK = PK;
    if (!secp256k1_ec_pubkey_create(ctx, &tG, t))
        return err_set(ERR_CRYPTO, "vrf: t is zero or not below the group order");
    if (!secp256k1_ec_pubkey_tweak_mul(ctx, &sPK, s))
        return err_set(ERR_CRYPTO, "vrf: s is zero or not below the group order");
    uint8_t A[VRF_POINT_LEN], B[VRF_POINT_LEN], Hb[VRF_POINT_LEN];
    add_points(&tG, &sPK, A);

    /* B = [t]H + [s]U */
    rc = h1_point(m, len, &H);
    if (rc)
        return rc;
    secp256k1_pubkey tH = H, sU = U;
    if (!secp256k1_ec_pubkey_tweak_mul(ctx, &tH, t) || !secp256k1_ec_pubkey_tweak_mul(ctx, &sU, s))
        return err_set(ERR_CRYPTO, "vrf: point multiplication failed");
    add_points(&tH, &sU, B);
    serialize(&H, Hb);

    uint8_t buf[H2_INPUT_LEN], h2[32];
    h2_input(buf, Hb, PKb, Ub, A, B);
    rc = vrf_h2(buf, sizeof buf, h2);
    if (rc)
        return rc;
    if (CRYPTO_memcmp(h2, s, 32) != 0)
        return err_set(ERR_CRYPTO, "vrf: proof does not verify");
    if (index)
        return sha256(Ub, VRF_POINT_LEN, index);
    return 0;
}

int vrf_verify_extra(const uint8_t pub[64], const uint8_t *m, size_t len,
                     const uint8_t extra[VRF_OUTPUT_LEN])
{
    uint8_t index[VRF_INDEX_LEN];
    int rc = vrf_verify(pub, m, len, extra + VRF_INDEX_LEN, VRF_PROOF_LEN, index);
    if (rc)
        return rc;
    if (memcmp(index, extra, VRF_INDEX_LEN) != 0)
        return err_set(ERR_CRYPTO, "vrf: index does not match the proof");
    return 0;
}

int vrf_block_message(uint64_t parent_number, const uint8_t *parent_extra, size_t parent_extra_len,
                      uint8_t out[VRF_BLOCK_MSG_MAX], size_t *out_len)
{
    if (parent_extra_len < 32 || !parent_extra)
        return err_set(ERR_RANGE, "vrf: parent extra of %zu bytes (need 32)", parent_extra_len);
    uint8_t be[8];
    be_put64(be, parent_number);
    size_t skip = 0;
    while (skip < 8 && be[skip] == 0)
        skip++;
    memcpy(out, be + skip, 8 - skip);
    memcpy(out + (8 - skip), parent_extra, 32);
    *out_len = 8 - skip + 32;
    return 0;
}
