/*
 * ecies.c — devp2p's ECIES (see ecies.h for the scheme).
 *
 * Encryption and decryption share the two steps where a mistake would be
 * symmetric and invisible to a round-trip test — the key derivation
 * (derive_keys) and the tag (compute_tag) — so that the EIP-8 handshake
 * vectors, which exercise decryption, vouch for encryption too.
 *
 * ECDH goes through libsecp256k1's secp256k1_ecdh with a hash function
 * that copies x out unhashed; the multiplication is constant-time and needs
 * no precomputed tables, so the library's static context serves. The tag
 * covers iv ‖ c ‖ shared-mac-data, which are not contiguous in memory, and
 * hash.h's HMAC is one-shot, so they are copied into one scratch buffer
 * (handshake packets are a few hundred bytes; the length is capped).
 */
#include "crypto/ecies.h"
#include "crypto/aes.h"
#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "crypto/ossl.h"
#include "util/err.h"

#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <stdlib.h>
#include <string.h>

/* secp256k1_ecdh hash function: the raw x coordinate. */
static int copy_x(unsigned char *output, const unsigned char *x32, const unsigned char *y32,
                  void *data)
{
    (void)y32;
    (void)data;
    memcpy(output, x32, 32);
    return 1;
}

int ecies_shared_secret(const uint8_t sk[32], const uint8_t pub[64], uint8_t secret[32])
{
    uint8_t ser[65];
    secp256k1_pubkey pk;
    ser[0] = 0x04;
    memcpy(ser + 1, pub, 64);
    if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, ser, sizeof ser)) {
        memset(secret, 0, 32);
        return err_set(ERR_CRYPTO, "ecdh: public key is not a point on secp256k1");
    }
    if (!secp256k1_ecdh(secp256k1_context_static, secret, &pk, sk, copy_x, NULL)) {
        memset(secret, 0, 32);
        return err_set(ERR_CRYPTO, "ecdh: invalid secret key");
    }
    return 0;
}

int ecies_random_key(uint8_t sk[32])
{
    /* A uniformly random 256-bit value is ≥ n with probability ~2^-128;
     * a few tries bound the loop even against a broken generator. */
    for (int tries = 0; tries < 16; tries++) {
        if (RAND_bytes(sk, 32) != 1)
            break;
        if (ecdsa_seckey_valid(sk))
            return 0;
    }
    OPENSSL_cleanse(sk, 32);
    return err_set(ERR_CRYPTO, "ecies: the random number generator failed");
}

/* kE (16 bytes) and kM = SHA-256(second half) from the shared secret, via
 * the concatenation KDF of NIST SP 800-56A §5.8.1 with SHA-256, a 32-bit
 * big-endian counter starting at 1 and empty other-info. 32 bytes of
 * output are exactly one SHA-256 block of the KDF: SHA-256(00000001 ‖ S). */
static int derive_keys(const uint8_t shared[32], uint8_t ke[16], uint8_t km[32])
{
    uint8_t in[4 + 32], k[32];
    in[0] = 0;
    in[1] = 0;
    in[2] = 0;
    in[3] = 1;
    memcpy(in + 4, shared, 32);
    int rc = sha256(in, sizeof in, k);
    if (rc == 0) {
        memcpy(ke, k, 16);
        rc = sha256(k + 16, 16, km);
    }
    OPENSSL_cleanse(in, sizeof in);
    OPENSSL_cleanse(k, sizeof k);
    return rc;
}

/* tag = HMAC-SHA256(km, ivc ‖ mac_data), ivc = iv ‖ c. */
static int compute_tag(const uint8_t km[32], const uint8_t *ivc, size_t ivc_len,
                       const uint8_t *mac_data, size_t mac_len, uint8_t tag[32])
{
    uint8_t *buf = malloc(ivc_len + mac_len);
    if (!buf)
        return err_set(ERR_NOMEM, "ecies: %zu bytes for the tag input", ivc_len + mac_len);
    memcpy(buf, ivc, ivc_len);
    if (mac_len)
        memcpy(buf + ivc_len, mac_data, mac_len);
    int rc = hmac_sha256(km, 32, buf, ivc_len + mac_len, tag);
    free(buf);
    return rc;
}

int ecies_encrypt_with(const uint8_t pub[64], const uint8_t eph_sk[32], const uint8_t iv[16],
                       const uint8_t *msg, size_t len, const uint8_t *mac_data, size_t mac_len,
                       uint8_t *out)
{
    if (len > ECIES_MAX_PLAIN || mac_len > ECIES_MAX_PLAIN)
        return err_set(ERR_RANGE, "ecies: message of %zu bytes (limit %u)", len, ECIES_MAX_PLAIN);
    uint8_t shared[32], ke[16], km[32];
    out[0] = 0x04;
    int rc = ecdsa_pubkey(eph_sk, out + 1);
    if (rc == 0)
        rc = ecies_shared_secret(eph_sk, pub, shared);
    if (rc == 0)
        rc = derive_keys(shared, ke, km);
    if (rc == 0) {
        uint8_t *ivc = out + 65;
        memcpy(ivc, iv, 16);
        rc = aes_ctr(ke, 16, iv, msg, len, ivc + 16);
        if (rc == 0)
            rc = compute_tag(km, ivc, 16 + len, mac_data, mac_len, ivc + 16 + len);
    }
    OPENSSL_cleanse(shared, sizeof shared);
    OPENSSL_cleanse(ke, sizeof ke);
    OPENSSL_cleanse(km, sizeof km);
    return rc;
}

int ecies_encrypt(const uint8_t pub[64], const uint8_t *msg, size_t len, const uint8_t *mac_data,
                  size_t mac_len, uint8_t *out)
{
    uint8_t eph[32], iv[16];
    int rc = ecies_random_key(eph);
    if (rc)
        return rc;
    if (RAND_bytes(iv, sizeof iv) != 1)
        rc = err_set(ERR_CRYPTO, "ecies: the random number generator failed");
    else
        rc = ecies_encrypt_with(pub, eph, iv, msg, len, mac_data, mac_len, out);
    OPENSSL_cleanse(eph, sizeof eph);
    return rc;
}

int ecies_decrypt(const uint8_t sk[32], const uint8_t *in, size_t len, const uint8_t *mac_data,
                  size_t mac_len, uint8_t *out, size_t *outlen)
{
    if (len < ECIES_OVERHEAD)
        return err_set(ERR_DECODE, "ecies: %zu bytes, shorter than the %d-byte envelope", len,
                       ECIES_OVERHEAD);
    if (len - ECIES_OVERHEAD > ECIES_MAX_PLAIN || mac_len > ECIES_MAX_PLAIN)
        return err_set(ERR_RANGE, "ecies: message of %zu bytes", len);
    if (in[0] != 0x04)
        return err_set(ERR_DECODE, "ecies: ephemeral key prefix 0x%02x, not 0x04", in[0]);
    size_t clen = len - ECIES_OVERHEAD;
    const uint8_t *ivc = in + 65, *tag = in + len - 32;
    uint8_t shared[32], ke[16], km[32], want[32];
    int rc = ecies_shared_secret(sk, in + 1, shared);
    if (rc == 0)
        rc = derive_keys(shared, ke, km);
    if (rc == 0)
        rc = compute_tag(km, ivc, 16 + clen, mac_data, mac_len, want);
    if (rc == 0 && CRYPTO_memcmp(want, tag, 32) != 0)
        rc = err_set(ERR_CRYPTO, "ecies: message authentication failed");
    if (rc == 0)
        rc = aes_ctr(ke, 16, ivc, ivc + 16, clen, out);
    if (rc == 0)
        *outlen = clen;
    OPENSSL_cleanse(shared, sizeof shared);
    OPENSSL_cleanse(ke, sizeof ke);
    OPENSSL_cleanse(km, sizeof km);
    return rc;
}
