/*
 * ecies.h — ECIES over secp256k1 exactly as devp2p's RLPx handshake uses it.
 *
 * RLPx encrypts its two handshake packets (auth and ack) to the receiver's
 * static public key with this scheme (devp2p rlpx.md, "ECIES Encryption"):
 *
 *   r      a fresh ephemeral secret key, R = r·G
 *   S      the x coordinate of r·K (K the receiver's public key), NOT hashed
 *   kE‖kM' NIST SP 800-56 concatenation KDF with SHA-256 over S, 32 bytes,
 *          no other-info; kE = first 16 bytes, kM = SHA-256(last 16 bytes)
 *   c      AES-128-CTR(kE, iv, m) with a random 16-byte iv
 *   d      HMAC-SHA256(kM, iv ‖ c ‖ shared-mac-data)
 *   out    0x04 ‖ R (64) ‖ iv (16) ‖ c ‖ d (32)
 *
 * so a message grows by ECIES_OVERHEAD = 113 bytes. shared-mac-data is
 * authenticated but not sent: EIP-8 passes the packet's 2-byte size prefix
 * there, the pre-EIP-8 format passes nothing.
 *
 * Decryption checks the tag (constant-time) before it decrypts anything, so
 * a tampered or truncated message yields ERR_CRYPTO and no plaintext.
 *
 * Secret keys are read, never kept; intermediate keys are wiped. Every
 * function is safe from any thread (libsecp256k1's static context for ECDH,
 * crypto/ecdsa.h's shared context for R = r·G, OpenSSL for the rest).
 */
#ifndef SPECTRUM_CRYPTO_ECIES_H
#define SPECTRUM_CRYPTO_ECIES_H

#include <stddef.h>
#include <stdint.h>

/* Bytes added to a message: 0x04 + R (64) + iv (16) + tag (32). */
#define ECIES_OVERHEAD 113

/* Largest plaintext ecies_encrypt accepts (the ciphertext length must fit
 * OpenSSL's int lengths with room to spare; RLPx messages are < 64 KiB). */
#define ECIES_MAX_PLAIN (16u * 1024 * 1024)

/* ECDH as devp2p uses it: the 32-byte big-endian x coordinate of sk·pub,
 * not hashed (libsecp256k1's default ECDH would hash it).
 * Returns: 0, or ERR_CRYPTO when sk is not a valid secret key or pub is not
 *          a point on the curve (secret is then zeroed).
 * In:  sk  32-byte secret key; pub  64-byte public key X ‖ Y.
 * Out: secret  32 bytes. */
int ecies_shared_secret(const uint8_t sk[32], const uint8_t pub[64], uint8_t secret[32]);

/* Makes a random secret key from OpenSSL's CSPRNG (retrying the ~2^-128
 * chance of an out-of-range value).
 * Returns: 0, or ERR_CRYPTO when the CSPRNG fails (sk is then zeroed).
 * Out: sk  32 bytes; the caller wipes it when done. */
int ecies_random_key(uint8_t sk[32]);

/* Encrypts msg to the holder of pub with a fresh ephemeral key and iv.
 * Returns: 0, ERR_RANGE (len > ECIES_MAX_PLAIN), ERR_CRYPTO (pub is not a
 *          curve point, or the CSPRNG / OpenSSL failed) or ERR_NOMEM.
 * In:  pub  receiver's 64-byte public key;
 *      msg, len  plaintext (msg may be NULL when len == 0);
 *      mac_data, mac_len  shared-mac-data (may be NULL when mac_len == 0).
 * Out: out  exactly len + ECIES_OVERHEAD bytes, caller-allocated; it must
 *      not overlap msg. On error its contents are undefined. */
int ecies_encrypt(const uint8_t pub[64], const uint8_t *msg, size_t len, const uint8_t *mac_data,
                  size_t mac_len, uint8_t *out);

/* ecies_encrypt with the ephemeral secret key and iv given instead of
 * random: for known-answer tests and reproducible fuzz seeds only. Reusing
 * an (eph_sk, iv) pair for two messages to the same key breaks secrecy.
 * Returns and args as ecies_encrypt, plus ERR_CRYPTO for an invalid eph_sk.
 * In:  eph_sk  32-byte ephemeral secret key; iv  16 bytes. */
int ecies_encrypt_with(const uint8_t pub[64], const uint8_t eph_sk[32], const uint8_t iv[16],
                       const uint8_t *msg, size_t len, const uint8_t *mac_data, size_t mac_len,
                       uint8_t *out);

/* Checks the tag of an ECIES message and decrypts it.
 * Returns: 0; ERR_DECODE when len < ECIES_OVERHEAD or the first byte is not
 *          0x04; ERR_CRYPTO when R is not a curve point, sk is invalid or
 *          the tag does not match (wrong key, wrong shared-mac-data, any
 *          byte changed, truncated or extended); ERR_RANGE when the message
 *          is longer than ECIES_MAX_PLAIN + ECIES_OVERHEAD; ERR_NOMEM.
 *          Nothing is written to out unless the tag matched.
 * In:  sk  receiver's 32-byte secret key; in, len  the whole message;
 *      mac_data, mac_len  shared-mac-data (NULL when mac_len == 0).
 * Out: out  len - ECIES_OVERHEAD bytes, caller-allocated (may not overlap
 *      in); *outlen receives len - ECIES_OVERHEAD on success. */
int ecies_decrypt(const uint8_t sk[32], const uint8_t *in, size_t len, const uint8_t *mac_data,
                  size_t mac_len, uint8_t *out, size_t *outlen);

#endif
