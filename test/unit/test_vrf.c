/* test_vrf.c — the secp256k1 VRF of spec §3: round trips, tampering, and
 * H1/H2 checked against an independent computation with OpenSSL BIGNUM.
 *
 * No real Spectrum header is available offline, so there is no known-answer
 * vector from the chain; the structure is checked piece by piece instead. */
#include <check.h>
#include <openssl/bn.h>
#include <secp256k1.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consensus/vrf.h"
#include "consensus/vrf_ahead.h"
#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "util/bytes.h"
#include "util/err.h"

static const char *P_HEX = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F";
static const char *N_HEX = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141";

/* A deterministic valid secret key per index. */
static void key_of(unsigned i, uint8_t sk[32], uint8_t pub[64])
{
    uint8_t seed[4];
    be_put32(seed, i);
    ck_assert_int_eq(sha256(seed, 4, sk), 0);
    ck_assert(ecdsa_seckey_valid(sk));
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
}

static BIGNUM *bn_hex(const char *hex)
{
    BIGNUM *b = NULL;
    ck_assert_int_gt(BN_hex2bn(&b, hex), 0);
    return b;
}

static BIGNUM *bn_bytes(const uint8_t *p, size_t n)
{
    BIGNUM *b = BN_bin2bn(p, (int)n, NULL);
    ck_assert_ptr_nonnull(b);
    return b;
}

/* True when x^3 + 7 is a quadratic residue mod p (Euler's criterion). */
static bool has_point(const BIGNUM *x, const BIGNUM *p, BN_CTX *bc)
{
    BIGNUM *y2 = BN_new(), *e = BN_new(), *r = BN_new(), *seven = BN_new();
    ck_assert_int_eq(BN_set_word(seven, 7), 1);
    ck_assert_int_eq(BN_mod_sqr(y2, x, p, bc), 1);
    ck_assert_int_eq(BN_mod_mul(y2, y2, x, p, bc), 1);
    ck_assert_int_eq(BN_mod_add(y2, y2, seven, p, bc), 1);
    ck_assert_int_eq(BN_sub(e, p, BN_value_one()), 1);
    ck_assert_int_eq(BN_rshift1(e, e), 1);
    ck_assert_int_eq(BN_mod_exp(r, y2, e, p, bc), 1);
    bool ok = BN_is_one(r) || BN_is_zero(y2);
    BN_free(y2);
    BN_free(e);
    BN_free(r);
    BN_free(seven);
    return ok;
}

/* SHA-512(BE32(i) ‖ m) */
static void counter_sha512(uint32_t i, const uint8_t *m, size_t len, uint8_t out[64])
{
    uint8_t *buf = malloc(4 + len);
    ck_assert_ptr_nonnull(buf);
    be_put32(buf, i);
    if (len)
        memcpy(buf + 4, m, len);
    ck_assert_int_eq(sha512(buf, 4 + len, out), 0);
    free(buf);
}

START_TEST(h1_is_try_and_increment)
{
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *p = bn_hex(P_HEX);
    int tries_seen[4] = {0};
    for (unsigned k = 0; k < 64; k++) {
        uint8_t m[12];
        memcpy(m, "h1-message", 10);
        m[10] = (uint8_t)k;
        m[11] = (uint8_t)(k >> 8);
        uint8_t pt[VRF_POINT_LEN], pt2[VRF_POINT_LEN];
        ck_assert_int_eq(vrf_h1(m, sizeof m, pt), 0);
        ck_assert_int_eq(vrf_h1(m, sizeof m, pt2), 0);
        ck_assert_mem_eq(pt, pt2, VRF_POINT_LEN); /* deterministic */
        ck_assert_int_eq(pt[0], 0x04);
        ck_assert_int_eq(pt[64] & 1, 0); /* even y, from the 0x02 prefix */
        /* the first counter whose x has a curve point is the one used */
        uint32_t i = 0;
        uint8_t h[64];
        for (;; i++) {
            ck_assert_uint_lt(i, 100);
            counter_sha512(i, m, sizeof m, h);
            BIGNUM *x = bn_bytes(h, 32);
            bool ok = BN_cmp(x, p) < 0 && has_point(x, p, bc);
            BN_free(x);
            if (ok)
                break;
        }
        ck_assert_mem_eq(pt + 1, h, 32);
        tries_seen[i < 3 ? i : 3]++;
    }
    /* about half of the x values have no point: both branches ran */
    ck_assert_int_gt(tries_seen[0], 0);
    ck_assert_int_gt(tries_seen[1] + tries_seen[2] + tries_seen[3], 0);
    /* the empty message works too */
    uint8_t pt[VRF_POINT_LEN];
    ck_assert_int_eq(vrf_h1(NULL, 0, pt), 0);
    BN_free(p);
    BN_CTX_free(bc);
}
END_TEST

START_TEST(h2_is_first_hash_below_n_minus_1_plus_1)
{
    BIGNUM *n = bn_hex(N_HEX);
    for (unsigned k = 0; k < 200; k++) {
        uint8_t m[8];
        be_put64(m, k * 7919u);
        uint8_t s[32], s2[32], h[64];
        ck_assert_int_eq(vrf_h2(m, sizeof m, s), 0);
        ck_assert_int_eq(vrf_h2(m, sizeof m, s2), 0);
        ck_assert_mem_eq(s, s2, 32);
        counter_sha512(0, m, sizeof m, h); /* first try succeeds w.p. 1 − 2^-128 */
        BIGNUM *want = bn_bytes(h, 32), *got = bn_bytes(s, 32);
        ck_assert_int_eq(BN_add(want, want, BN_value_one()), 1);
        ck_assert_int_eq(BN_cmp(want, got), 0);
        ck_assert_int_lt(BN_cmp(got, n), 0);
        ck_assert(!BN_is_zero(got));
        BN_free(want);
        BN_free(got);
    }
    BN_free(n);
}
END_TEST

START_TEST(round_trip_many_keys)
{
    for (unsigned i = 0; i < 24; i++) {
        uint8_t sk[32], pub[64];
        key_of(i, sk, pub);
        uint8_t m[VRF_BLOCK_MSG_MAX + 20];
        size_t len = (i * 7) % sizeof m;
        for (size_t j = 0; j < len; j++)
            m[j] = (uint8_t)(i * 31 + j);
        uint8_t out[VRF_OUTPUT_LEN], out2[VRF_OUTPUT_LEN], index[32], u_hash[32];
        ck_assert_int_eq(vrf_prove(sk, m, len, out), 0);
        ck_assert_msg(vrf_verify_extra(pub, m, len, out) == 0, "key %u: %s", i, err_msg());
        ck_assert_int_eq(vrf_verify(pub, m, len, out + 32, VRF_PROOF_LEN, index), 0);
        ck_assert_int_eq(sha256(out + 32 + 64, VRF_POINT_LEN, u_hash), 0);
        ck_assert_mem_eq(index, u_hash, 32); /* index = SHA-256(U) */
        ck_assert_mem_eq(index, out, 32);
        /* a new nonce gives a new proof with the same output */
        ck_assert_int_eq(vrf_prove(sk, m, len, out2), 0);
        ck_assert_mem_eq(out2, out, 32);
        ck_assert_mem_eq(out2 + 96, out + 96, VRF_POINT_LEN);
        ck_assert(memcmp(out2 + 32, out + 32, 64) != 0);
        ck_assert_int_eq(vrf_verify_extra(pub, m, len, out2), 0);
    }
}
END_TEST

START_TEST(nonce_gives_the_documented_t)
{
    uint8_t sk[32], pub[64], r[32], out[VRF_OUTPUT_LEN], again[VRF_OUTPUT_LEN];
    key_of(77, sk, pub);
    memset(r, 0x5a, 32);
    const uint8_t m[] = "block message";
    ck_assert_int_eq(vrf_prove_with_nonce(sk, r, m, sizeof m, out), 0);
    ck_assert_int_eq(vrf_prove_with_nonce(sk, r, m, sizeof m, again), 0);
    ck_assert_mem_eq(out, again, VRF_OUTPUT_LEN);
    ck_assert_int_eq(vrf_verify_extra(pub, m, sizeof m, out), 0);
    /* t = r − s·k mod N */
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *n = bn_hex(N_HEX), *s = bn_bytes(out + 32, 32), *t = bn_bytes(out + 64, 32);
    BIGNUM *k = bn_bytes(sk, 32), *rr = bn_bytes(r, 32), *want = BN_new();
    ck_assert_int_eq(BN_mod_mul(want, s, k, n, bc), 1);
    ck_assert_int_eq(BN_mod_sub(want, rr, want, n, bc), 1);
    ck_assert_int_eq(BN_cmp(want, t), 0);
    BN_free(n);
    BN_free(s);
    BN_free(t);
    BN_free(k);
    BN_free(rr);
    BN_free(want);
    BN_CTX_free(bc);
    /* invalid nonce or key */
    uint8_t bad[32];
    memset(bad, 0, 32);
    ck_assert_int_eq(vrf_prove_with_nonce(sk, bad, m, sizeof m, out), ERR_CRYPTO);
    ck_assert_int_eq(vrf_prove(bad, m, sizeof m, out), ERR_CRYPTO);
    memset(bad, 0xff, 32);
    ck_assert_int_eq(vrf_prove_with_nonce(sk, bad, m, sizeof m, out), ERR_CRYPTO);
    ck_assert_int_eq(vrf_prove(bad, m, sizeof m, out), ERR_CRYPTO);
}
END_TEST

START_TEST(tampered_proofs_are_rejected)
{
    uint8_t sk[32], pub[64], sk2[32], pub2[64];
    key_of(1, sk, pub);
    key_of(2, sk2, pub2);
    const uint8_t m[] = {0x2b, 0x14, 0xc5, 1, 2, 3};
    uint8_t out[VRF_OUTPUT_LEN], bad[VRF_OUTPUT_LEN + 1];
    ck_assert_int_eq(vrf_prove(sk, m, sizeof m, out), 0);
    ck_assert_int_eq(vrf_verify_extra(pub, m, sizeof m, out), 0);

    /* one bit flipped in s, in t, in U's X and in U's Y */
    static const size_t at[] = {32, 63, 64, 95, 97, 128, 129, 160};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        memcpy(bad, out, VRF_OUTPUT_LEN);
        bad[at[i]] ^= 0x01;
        ck_assert_int_eq(vrf_verify_extra(pub, m, sizeof m, bad), ERR_CRYPTO);
    }
    /* U replaced by another valid point (another key's honest U) */
    uint8_t other[VRF_OUTPUT_LEN];
    ck_assert_int_eq(vrf_prove(sk2, m, sizeof m, other), 0);
    memcpy(bad, out, VRF_OUTPUT_LEN);
    memcpy(bad + 96, other + 96, VRF_POINT_LEN);
    ck_assert_int_eq(vrf_verify(pub, m, sizeof m, bad + 32, VRF_PROOF_LEN, NULL), ERR_CRYPTO);
    /* U in hybrid (06/07) or compressed-prefix form is not accepted */
    memcpy(bad, out, VRF_OUTPUT_LEN);
    bad[96] = (out[160] & 1) ? 0x07 : 0x06;
    ck_assert_int_eq(vrf_verify_extra(pub, m, sizeof m, bad), ERR_CRYPTO);
    /* U off the curve: Y + 1 */
    memcpy(bad, out, VRF_OUTPUT_LEN);
    bad[160] ^= 0x01;
    ck_assert_int_eq(vrf_verify_extra(pub, m, sizeof m, bad), ERR_CRYPTO);
    /* wrong public key, wrong message */
    ck_assert_int_eq(vrf_verify_extra(pub2, m, sizeof m, out), ERR_CRYPTO);
    ck_assert_int_eq(vrf_verify_extra(pub, m, sizeof m - 1, out), ERR_CRYPTO);
    /* a public key not on the curve */
    uint8_t badpub[64];
    memcpy(badpub, pub, 64);
    badpub[63] ^= 1;
    ck_assert_int_eq(vrf_verify_extra(badpub, m, sizeof m, out), ERR_CRYPTO);
    /* wrong lengths */
    memcpy(bad, out, VRF_OUTPUT_LEN);
    ck_assert_int_eq(vrf_verify(pub, m, sizeof m, bad + 32, VRF_PROOF_LEN - 1, NULL), ERR_CRYPTO);
    bad[VRF_OUTPUT_LEN] = 0;
    ck_assert_int_eq(vrf_verify(pub, m, sizeof m, bad + 32, VRF_PROOF_LEN + 1, NULL), ERR_CRYPTO);
    ck_assert_int_eq(vrf_verify(pub, m, sizeof m, NULL, 0, NULL), ERR_CRYPTO);
    /* a wrong index with a valid proof */
    memcpy(bad, out, VRF_OUTPUT_LEN);
    bad[0] ^= 0x80;
    ck_assert_int_eq(vrf_verify(pub, m, sizeof m, bad + 32, VRF_PROOF_LEN, NULL), 0);
    ck_assert_int_eq(vrf_verify_extra(pub, m, sizeof m, bad), ERR_CRYPTO);
    /* s or t zero, or at least N */
    static const uint8_t order[32] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
        0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
    };
    for (int field = 0; field < 2; field++) {
        memcpy(bad, out, VRF_OUTPUT_LEN);
        memset(bad + 32 + 32 * field, 0, 32);
        ck_assert_int_eq(vrf_verify_extra(pub, m, sizeof m, bad), ERR_CRYPTO);
        memcpy(bad + 32 + 32 * field, order, 32);
        ck_assert_int_eq(vrf_verify_extra(pub, m, sizeof m, bad), ERR_CRYPTO);
    }
    /* oversize messages are refused before hashing */
    size_t big = VRF_MSG_MAX + 1;
    uint8_t *huge = calloc(1, big);
    ck_assert_ptr_nonnull(huge);
    ck_assert_int_eq(vrf_verify_extra(pub, huge, big, out), ERR_RANGE);
    ck_assert_int_eq(vrf_prove(sk, huge, big, bad), ERR_RANGE);
    free(huge);
}
END_TEST

/* A second prover written here from the spec's formulas, with U's encoding
 * given: proof = s ‖ t ‖ U_enc with s = H2(G ‖ H ‖ PK ‖ U_enc ‖ [r]G ‖ [r]H)
 * and t = r − s·k mod N (BIGNUM). With the honest 04 encoding it must agree
 * with vrf_prove_with_nonce byte for byte. */
static void spec_prove(const uint8_t sk[32], const uint8_t r[32], const uint8_t *m, size_t len,
                       const uint8_t u_enc[VRF_POINT_LEN], uint8_t proof[VRF_PROOF_LEN])
{
    secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    static const uint8_t one[32] = {[31] = 1};
    uint8_t buf[6 * VRF_POINT_LEN];
    secp256k1_pubkey pt;
    size_t n;
    ck_assert(secp256k1_ec_pubkey_create(c, &pt, one)); /* G */
    n = VRF_POINT_LEN;
    secp256k1_ec_pubkey_serialize(c, buf, &n, &pt, SECP256K1_EC_UNCOMPRESSED);
    ck_assert_int_eq(vrf_h1(m, len, buf + 65), 0); /* H */
    ck_assert(secp256k1_ec_pubkey_create(c, &pt, sk)); /* PK */
    n = VRF_POINT_LEN;
    secp256k1_ec_pubkey_serialize(c, buf + 130, &n, &pt, SECP256K1_EC_UNCOMPRESSED);
    memcpy(buf + 195, u_enc, VRF_POINT_LEN);
    ck_assert(secp256k1_ec_pubkey_create(c, &pt, r)); /* [r]G */
    n = VRF_POINT_LEN;
    secp256k1_ec_pubkey_serialize(c, buf + 260, &n, &pt, SECP256K1_EC_UNCOMPRESSED);
    ck_assert(secp256k1_ec_pubkey_parse(c, &pt, buf + 65, VRF_POINT_LEN)); /* [r]H */
    ck_assert(secp256k1_ec_pubkey_tweak_mul(c, &pt, r));
    n = VRF_POINT_LEN;
    secp256k1_ec_pubkey_serialize(c, buf + 325, &n, &pt, SECP256K1_EC_UNCOMPRESSED);
    secp256k1_context_destroy(c);
    ck_assert_int_eq(vrf_h2(buf, sizeof buf, proof), 0);
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *N = bn_hex(N_HEX), *s = bn_bytes(proof, 32), *k = bn_bytes(sk, 32);
    BIGNUM *rr = bn_bytes(r, 32), *t = BN_new();
    ck_assert_int_eq(BN_mod_mul(t, s, k, N, bc), 1);
    ck_assert_int_eq(BN_mod_sub(t, rr, t, N, bc), 1);
    ck_assert_int_eq(BN_bn2binpad(t, proof + 32, 32), 32);
    memcpy(proof + 64, u_enc, VRF_POINT_LEN);
    BN_free(N);
    BN_free(s);
    BN_free(k);
    BN_free(rr);
    BN_free(t);
    BN_CTX_free(bc);
}

START_TEST(independent_prover_agrees_and_u_must_be_04)
{
    uint8_t sk[32], pub[64], r[32], out[VRF_OUTPUT_LEN], proof[VRF_PROOF_LEN];
    for (unsigned i = 0; i < 8; i++) {
        key_of(100 + i, sk, pub);
        memset(r, (int)(0x11 * (i + 1)), 32);
        uint8_t m[3] = {(uint8_t)i, 0x14, 0xc5};
        ck_assert_int_eq(vrf_prove_with_nonce(sk, r, m, sizeof m, out), 0);
        spec_prove(sk, r, m, sizeof m, out + 96, proof);
        ck_assert_mem_eq(proof, out + 32, VRF_PROOF_LEN);
        /* the same point as 06/07 ‖ X ‖ Y (hybrid), hashed as such: a proof
         * that balances, but Spectrum's Unmarshal wants 04 */
        uint8_t hyb[VRF_POINT_LEN];
        memcpy(hyb, out + 96, VRF_POINT_LEN);
        hyb[0] = (hyb[64] & 1) ? 0x07 : 0x06;
        spec_prove(sk, r, m, sizeof m, hyb, proof);
        ck_assert_int_eq(vrf_verify(pub, m, sizeof m, proof, VRF_PROOF_LEN, NULL), ERR_CRYPTO);
        /* and the honest encoding verifies */
        spec_prove(sk, r, m, sizeof m, out + 96, proof);
        ck_assert_int_eq(vrf_verify(pub, m, sizeof m, proof, VRF_PROOF_LEN, NULL), 0);
    }
}
END_TEST

/* Go's verifier hashes a sum at infinity as 04 ‖ 0^64. A producer who sets
 * t = −s·k with s = H2(G ‖ H ‖ PK ‖ U ‖ 0 ‖ 0) and the honest U gets a proof
 * Spectrum accepts; we must accept it too (and it yields the same index). */
START_TEST(infinity_sums_hash_as_zero_point)
{
    uint8_t sk[32], pub[64];
    key_of(5, sk, pub);
    const uint8_t m[] = "infinity";
    uint8_t H[VRF_POINT_LEN], U[VRF_POINT_LEN], G[VRF_POINT_LEN], PK[VRF_POINT_LEN];
    ck_assert_int_eq(vrf_h1(m, sizeof m, H), 0);
    secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_pubkey pk;
    ck_assert(secp256k1_ec_pubkey_parse(c, &pk, H, VRF_POINT_LEN));
    ck_assert(secp256k1_ec_pubkey_tweak_mul(c, &pk, sk));
    size_t n = VRF_POINT_LEN;
    secp256k1_ec_pubkey_serialize(c, U, &n, &pk, SECP256K1_EC_UNCOMPRESSED);
    static const uint8_t one[32] = {[31] = 1};
    ck_assert(secp256k1_ec_pubkey_create(c, &pk, one));
    n = VRF_POINT_LEN;
    secp256k1_ec_pubkey_serialize(c, G, &n, &pk, SECP256K1_EC_UNCOMPRESSED);
    secp256k1_context_destroy(c);
    PK[0] = 0x04;
    memcpy(PK + 1, pub, 64);

    uint8_t buf[6 * VRF_POINT_LEN] = {0};
    memcpy(buf, G, 65);
    memcpy(buf + 65, H, 65);
    memcpy(buf + 130, PK, 65);
    memcpy(buf + 195, U, 65);
    buf[260] = 0x04;
    buf[325] = 0x04;
    uint8_t proof[VRF_PROOF_LEN];
    ck_assert_int_eq(vrf_h2(buf, sizeof buf, proof), 0);
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *N = bn_hex(N_HEX), *s = bn_bytes(proof, 32), *k = bn_bytes(sk, 32), *t = BN_new();
    ck_assert_int_eq(BN_mod_mul(t, s, k, N, bc), 1);
    ck_assert_int_eq(BN_mod_sub(t, N, t, N, bc), 1);
    ck_assert_int_eq(BN_bn2binpad(t, proof + 32, 32), 32);
    memcpy(proof + 64, U, 65);
    uint8_t index[32], want[32];
    ck_assert_msg(vrf_verify(pub, m, sizeof m, proof, sizeof proof, index) == 0, "%s", err_msg());
    ck_assert_int_eq(sha256(U, 65, want), 0);
    ck_assert_mem_eq(index, want, 32);
    BN_free(N);
    BN_free(s);
    BN_free(k);
    BN_free(t);
    BN_CTX_free(bc);
}
END_TEST

/* The prover thread: a proof is given only for the key and message it was
 * started with, once, and a newer start replaces an older one. */
START_TEST(ahead_gives_the_started_proof_once)
{
    uint8_t sk[32], pub[64], sk2[32], pub2[64], out[VRF_OUTPUT_LEN];
    key_of(1, sk, pub);
    key_of(2, sk2, pub2);
    const uint8_t m1[] = "block 7 message", m2[] = "block 8 message";
    struct vrf_ahead *va;
    ck_assert_int_eq(vrf_ahead_new(&va), 0);
    ck_assert_int_eq(vrf_ahead_take(va, sk, m1, sizeof m1, out), ERR_NOTFOUND);
    vrf_ahead_start(va, sk, 1, m1, sizeof m1);
    ck_assert_int_eq(vrf_ahead_take(va, sk, m2, sizeof m2, out), ERR_NOTFOUND);  /* message */
    ck_assert_int_eq(vrf_ahead_take(va, sk2, m1, sizeof m1, out), ERR_NOTFOUND); /* key */
    ck_assert_int_eq(vrf_ahead_take(va, sk, m1, sizeof m1, out), 0);
    ck_assert_int_eq(vrf_verify_extra(pub, m1, sizeof m1, out), 0);
    ck_assert_int_eq(vrf_ahead_take(va, sk, m1, sizeof m1, out), ERR_NOTFOUND);  /* taken */
    /* Replaced before it was taken: only the newer job is there. */
    vrf_ahead_start(va, sk, 1, m1, sizeof m1);
    vrf_ahead_start(va, sk2, 2, m2, sizeof m2);
    ck_assert_int_eq(vrf_ahead_take(va, sk, m1, sizeof m1, out), ERR_NOTFOUND);
    ck_assert_int_eq(vrf_ahead_take(va, sk2, m2, sizeof m2, out), 0);
    ck_assert_int_eq(vrf_verify_extra(pub2, m2, sizeof m2, out), 0);
    /* A job nobody takes is dropped at free. */
    vrf_ahead_start(va, sk, 2, m2, sizeof m2);
    vrf_ahead_free(va);
    ck_assert_int_eq(vrf_ahead_take(NULL, sk, m2, sizeof m2, out), ERR_NOTFOUND);
}
END_TEST

/* Taken right after it was started, a job is often not begun yet: the taker
 * then proves it itself. Either way the proof is the job's, and the counts
 * add up. */
START_TEST(ahead_take_right_after_start)
{
    uint8_t sk[32], pub[64], out[VRF_OUTPUT_LEN];
    key_of(3, sk, pub);
    struct vrf_ahead *va;
    ck_assert_int_eq(vrf_ahead_new(&va), 0);
    for (int i = 0; i < 50; i++) {
        uint8_t m[16];
        snprintf((char *)m, sizeof m, "block %d", i);
        vrf_ahead_start(va, sk, (uint64_t)i, m, sizeof m);
        ck_assert_int_eq(vrf_ahead_take(va, sk, m, sizeof m, out), 0);
        ck_assert_int_eq(vrf_verify_extra(pub, m, sizeof m, out), 0);
        ck_assert_int_eq(vrf_ahead_take(va, sk, m, sizeof m, out), ERR_NOTFOUND); /* ended */
    }
    uint64_t taken, unstarted, missed;
    vrf_ahead_counts(va, &taken, &unstarted, &missed);
    ck_assert_msg(taken + unstarted == 50 && missed == 50,
                  "50 jobs: %llu taken, %llu made by the taker, %llu missed",
                  (unsigned long long)taken, (unsigned long long)unstarted,
                  (unsigned long long)missed);
    vrf_ahead_free(va);
}
END_TEST

/* Waits up to 10 s for the prover (idle priority) to have n proofs ready. */
static void wait_ready(struct vrf_ahead *va, size_t n)
{
    for (int i = 0; i < 1000 && vrf_ahead_ready(va) < n; i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    ck_assert_uint_eq(vrf_ahead_ready(va), n);
}

/* The VRF message of block n+1 follows from block n's proof, so the prover
 * goes on down the chain, VRF_AHEAD_DEPTH proofs at most, and a start for a
 * block it already made only hands the key back. */
START_TEST(ahead_follows_the_chain)
{
    uint8_t sk[32], pub[64], out[VRF_OUTPUT_LEN], msg[VRF_BLOCK_MSG_MAX], parent[32];
    key_of(6, sk, pub);
    memset(parent, 0x5c, sizeof parent);
    size_t len;
    ck_assert_int_eq(vrf_block_message(99, parent, sizeof parent, msg, &len), 0);
    struct vrf_ahead *va;
    ck_assert_int_eq(vrf_ahead_new(&va), 0);
    vrf_ahead_start(va, sk, 100, msg, len);
    wait_ready(va, VRF_AHEAD_DEPTH);
    for (uint64_t n = 100; n < 100 + VRF_AHEAD_DEPTH; n++) {
        ck_assert_msg(vrf_ahead_take(va, sk, msg, len, out) == 0, "block %llu: %s",
                      (unsigned long long)n, err_msg());
        ck_assert_int_eq(vrf_verify_extra(pub, msg, len, out), 0);
        ck_assert_int_eq(vrf_block_message(n, out, sizeof out, msg, &len), 0);
        vrf_ahead_start(va, sk, n + 1, msg, len); /* as tribe_prepare: the key back */
    }
    /* Every proof was the prover's; it went on with the key given back. */
    uint64_t taken, unstarted, missed;
    vrf_ahead_counts(va, &taken, &unstarted, &missed);
    ck_assert_uint_eq(taken, VRF_AHEAD_DEPTH);
    ck_assert_uint_eq(unstarted + missed, 0);
    wait_ready(va, VRF_AHEAD_DEPTH);

    /* Another chain (a peer's block won): what was made is dropped. */
    uint8_t other[VRF_BLOCK_MSG_MAX];
    size_t olen;
    memset(parent, 0x6d, sizeof parent);
    ck_assert_int_eq(vrf_block_message(102, parent, sizeof parent, other, &olen), 0);
    vrf_ahead_start(va, sk, 103, other, olen);
    ck_assert_int_eq(vrf_ahead_take(va, sk, msg, len, out), ERR_NOTFOUND);
    ck_assert_int_eq(vrf_ahead_take(va, sk, other, olen, out), 0);
    ck_assert_int_eq(vrf_verify_extra(pub, other, olen, out), 0);
    vrf_ahead_free(va);
}
END_TEST

START_TEST(block_message)
{
    uint8_t extra[97], out[VRF_BLOCK_MSG_MAX];
    for (int i = 0; i < 97; i++)
        extra[i] = (uint8_t)(0xa0 + i);
    size_t len = 0;
    ck_assert_int_eq(vrf_block_message(0, extra, 97, out, &len), 0);
    ck_assert_uint_eq(len, 32); /* big.Int(0).Bytes() is empty */
    ck_assert_mem_eq(out, extra, 32);
    ck_assert_int_eq(vrf_block_message(1, extra, 97, out, &len), 0);
    ck_assert_uint_eq(len, 33);
    ck_assert_int_eq(out[0], 1);
    ck_assert_mem_eq(out + 1, extra, 32);
    ck_assert_int_eq(vrf_block_message(2823365, extra, 32, out, &len), 0); /* 0x2b14c5 */
    ck_assert_uint_eq(len, 35);
    static const uint8_t num[3] = {0x2b, 0x14, 0xc5};
    ck_assert_mem_eq(out, num, 3);
    ck_assert_mem_eq(out + 3, extra, 32);
    ck_assert_int_eq(vrf_block_message(UINT64_MAX, extra, 97, out, &len), 0);
    ck_assert_uint_eq(len, 40);
    ck_assert_int_eq(vrf_block_message(5, extra, 31, out, &len), ERR_RANGE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vrf");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, h1_is_try_and_increment);
    tcase_add_test(tc, h2_is_first_hash_below_n_minus_1_plus_1);
    tcase_add_test(tc, round_trip_many_keys);
    tcase_add_test(tc, nonce_gives_the_documented_t);
    tcase_add_test(tc, tampered_proofs_are_rejected);
    tcase_add_test(tc, independent_prover_agrees_and_u_must_be_04);
    tcase_add_test(tc, infinity_sums_hash_as_zero_point);
    tcase_add_test(tc, block_message);
    tcase_add_test(tc, ahead_gives_the_started_proof_once);
    tcase_add_test(tc, ahead_take_right_after_start);
    tcase_add_test(tc, ahead_follows_the_chain);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
