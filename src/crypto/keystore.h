/*
 * keystore.h — Ethereum keystore V3 files (the JSON format geth writes):
 * a secp256k1 secret key encrypted with AES-128-CTR under a key derived
 * from a password by scrypt or PBKDF2-HMAC-SHA256, authenticated by
 * MAC = keccak256(derivedKey[16..32] ‖ ciphertext).
 *
 *   {"address":"<40 hex>","crypto":{"cipher":"aes-128-ctr",
 *    "ciphertext":"<64 hex>","cipherparams":{"iv":"<32 hex>"},
 *    "kdf":"scrypt","kdfparams":{"dklen":32,"n":262144,"p":1,"r":8,
 *    "salt":"<hex>"},"mac":"<64 hex>"},"id":"<uuid>","version":3}
 *
 * Keystore files are outside input: the text is capped, every field is
 * checked for type and length, and the KDF parameters are bounded (see
 * kdf.h, and keystore_set_max_kdf_cost) before any work is done, so a
 * hostile file costs at most one bounded KDF run and gets an error saying
 * what is wrong with it.
 *
 * Key material (derived keys, plaintext) lives only in caller buffers and
 * in stack temporaries that are wiped before returning; nothing is logged.
 * All functions are thread-safe.
 */
#ifndef SPECTRUM_CRYPTO_KEYSTORE_H
#define SPECTRUM_CRYPTO_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

/* Longest keystore text accepted (real files are about 500 bytes). */
#define KEYSTORE_MAX_JSON 65536

/* scrypt parameters for keystore_encrypt. */
struct keystore_scrypt_params {
    uint64_t n;     /* CPU/memory cost, a power of two > 1 */
    uint32_t r;     /* block size */
    uint32_t p;     /* parallelism */
};

/* geth's presets: "standard" (256 MiB, about 1 s) and "light" (4 MiB). */
#define KEYSTORE_SCRYPT_STANDARD ((struct keystore_scrypt_params){1u << 18, 8, 1})
#define KEYSTORE_SCRYPT_LIGHT ((struct keystore_scrypt_params){1u << 12, 8, 6})

/* Decrypts a keystore V3 file with a password.
 * In:  json/len   the file's text (need not be NUL-terminated; at most
 *                 KEYSTORE_MAX_JSON bytes).
 *      pw/pwlen   the password bytes (may be empty).
 * Out: sk         the 32-byte secret key (written only on success).
 * Returns: 0;
 *   ERR_CRYPTO  "could not decrypt key with given password" (MAC mismatch:
 *               wrong password or tampered file), or the decrypted key is
 *               not a valid secp256k1 key;
 *   ERR_DECODE  not JSON, or a hex field is not hex or not of its length
 *               (ciphertext 32 bytes, iv 16, mac 32, salt ≤ KDF_MAX_SALT);
 *   ERR_INVAL   a field is missing or has the wrong type, dklen < 32, or
 *               a KDF parameter is malformed (n not a power of two, ...);
 *   ERR_UNSUPPORTED  version other than 3, cipher other than aes-128-ctr,
 *               kdf other than scrypt/pbkdf2, prf other than hmac-sha256;
 *   ERR_RANGE   text too long, KDF parameters too costly (see kdf.h and
 *               keystore_set_max_kdf_cost), password over KDF_MAX_PASSWORD;
 *   ERR_NOMEM.
 * The error context says which field and why. */
int keystore_decrypt(const char *json, size_t len, const void *pw, size_t pwlen, uint8_t sk[32]);

/* Encrypts a secret key into keystore V3 text, with scrypt (dklen 32), a
 * random 32-byte salt, a random IV and a random UUID v4 "id", and the
 * lowercase hex address (no 0x) in "address". Keys are sorted, no spaces,
 * as geth writes them.
 * In:  sk         a valid secret key (0 < sk < n).
 *      pw/pwlen   the password bytes (may be empty).
 *      params     scrypt parameters (kdf.h hard limits apply).
 * Out: *out       malloc'ed NUL-terminated text, freed by the caller with
 *                 free(); *outlen (may be NULL) its length.
 * Returns: 0, ERR_INVAL (invalid key or parameters), ERR_RANGE (parameters
 *          too costly), ERR_CRYPTO (no randomness), ERR_NOMEM. */
int keystore_encrypt(const uint8_t sk[32], const void *pw, size_t pwlen,
                     const struct keystore_scrypt_params *params, char **out, size_t *outlen);

/* Reads the "address" field without decrypting (the wallet indexes files by
 * it). Accepts 40 hex digits with or without 0x.
 * Returns: 0, ERR_NOTFOUND (no address field), ERR_DECODE/ERR_INVAL (bad
 *          JSON or field), ERR_RANGE (text too long). */
int keystore_address(const char *json, size_t len, uint8_t addr[20]);

/* Lowers the KDF cost keystore_decrypt accepts below the kdf.h hard limits:
 * scrypt cost 128·n·r·p bytes and PBKDF2 iterations. Values above the hard
 * limits (or 0) restore them. For tests and fuzzers, which must not spend
 * seconds per input; call before other threads decrypt. */
void keystore_set_max_kdf_cost(uint64_t scrypt_cost, uint64_t pbkdf2_iter);

#endif
