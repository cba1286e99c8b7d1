/* ecdsa.c — secp256k1 sign / recover / address over libsecp256k1; see ecdsa.h.
 *
 * One context for the process, created once. It is randomized with fresh
 * OpenSSL randomness (secp256k1_context_randomize), which blinds the
 * signing and key-generation multiplications against timing and power side
 * channels; without randomness it still works, unblinded. */
#include "crypto/ecdsa.h"
#include "crypto/ossl.h"
#include "crypto/keccak.h"
#include "util/err.h"

#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <string.h>

static secp256k1_context *ctx;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void create_ctx(void)
{
    ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
    uint8_t seed[32];
    if (ctx && RAND_bytes(seed, sizeof seed) == 1) {
        if (!secp256k1_context_randomize(ctx, seed)) {
            /* cannot happen for a signing context; stay unblinded */
        }
    }
    OPENSSL_cleanse(seed, sizeof seed);
}

int ecdsa_init(void)
{
    pthread_once(&ctx_once, create_ctx);
    return ctx ? 0 : err_set(ERR_NOMEM, "secp256k1: context creation failed");
}

/* Group order n and n/2, big-endian. */
static const uint8_t ORDER[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
};
static const uint8_t HALF_ORDER[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};
static const uint8_t ZERO[32];

bool ecdsa_seckey_valid(const uint8_t sk[32])
{
    if (ecdsa_init())
        return false;
    return secp256k1_ec_seckey_verify(ctx, sk) == 1;
}

static void serialize_pub(const secp256k1_pubkey *pk, uint8_t pub[64])
{
    uint8_t out[65];
    size_t n = sizeof out;
    secp256k1_ec_pubkey_serialize(ctx, out, &n, pk, SECP256K1_EC_UNCOMPRESSED);
    memcpy(pub, out + 1, 64);
}

/* The last key each thread derived a public key for, by the keccak of the
 * secret (not the secret itself): the node key is asked for its public key
 * several times per block it produces, and a point multiplication costs a
 * hundred times the hash. */
static _Thread_local struct {
    bool valid;
    uint8_t sk_hash[32];
    uint8_t pub[64];
} last_pub;

int ecdsa_pubkey(const uint8_t sk[32], uint8_t pub[64])
{
    int rc = ecdsa_init();
    if (rc)
        return rc;
    uint8_t h[32];
    keccak256(sk, 32, h);
    if (last_pub.valid && memcmp(h, last_pub.sk_hash, 32) == 0) {
        memcpy(pub, last_pub.pub, 64);
        return 0;
    }
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(ctx, &pk, sk))
        return err_set(ERR_CRYPTO, "secp256k1: invalid secret key");
    serialize_pub(&pk, pub);
    memcpy(last_pub.sk_hash, h, 32);
    memcpy(last_pub.pub, pub, 64);
    last_pub.valid = true;
    return 0;
}

int ecdsa_sign(const uint8_t hash[32], const uint8_t sk[32], uint8_t sig[65])
{
    int rc = ecdsa_init();
    if (rc)
        return rc;
    secp256k1_ecdsa_recoverable_signature rs;
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &rs, hash, sk, NULL, NULL))
        return err_set(ERR_CRYPTO, "secp256k1: signing failed (invalid secret key)");
    int recid;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig, &recid, &rs);
    sig[64] = (uint8_t)recid;
    return 0;
}

int ecdsa_recover(const uint8_t hash[32], const uint8_t sig[65], uint8_t pub[64])
{
    int rc = ecdsa_init();
    if (rc)
        return rc;
    if (sig[64] > 1)
        return err_set(ERR_CRYPTO, "secp256k1: recovery id %u is not 0 or 1", sig[64]);
    if (!ecdsa_sig_values_valid(sig, sig + 32, false))
        return err_set(ERR_CRYPTO, "secp256k1: r or s out of range");
    secp256k1_ecdsa_recoverable_signature rs;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rs, sig, sig[64]))
        return err_set(ERR_CRYPTO, "secp256k1: malformed signature");
    secp256k1_pubkey pk;
    if (!secp256k1_ecdsa_recover(ctx, &pk, &rs, hash))
        return err_set(ERR_CRYPTO, "secp256k1: signature does not recover a key");
    serialize_pub(&pk, pub);
    return 0;
}

void ecdsa_pub_to_address(const uint8_t pub[64], uint8_t addr[20])
{
    uint8_t h[32];
    keccak256(pub, 64, h);
    memcpy(addr, h + 12, 20);
}

int ecdsa_recover_address(const uint8_t hash[32], const uint8_t sig[65], uint8_t addr[20])
{
    uint8_t pub[64];
    int rc = ecdsa_recover(hash, sig, pub);
    if (rc)
        return rc;
    ecdsa_pub_to_address(pub, addr);
    return 0;
}

bool ecdsa_sig_values_valid(const uint8_t r[32], const uint8_t s[32], bool homestead)
{
    if (memcmp(r, ZERO, 32) == 0 || memcmp(s, ZERO, 32) == 0)
        return false;
    if (memcmp(r, ORDER, 32) >= 0 || memcmp(s, ORDER, 32) >= 0)
        return false;
    if (homestead && memcmp(s, HALF_ORDER, 32) > 0)
        return false;
    return true;
}
