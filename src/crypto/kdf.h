/*
 * kdf.h — password-based key derivation: scrypt and PBKDF2-HMAC-SHA256, over
 * OpenSSL.
 *
 * The parameters usually come from keystore files, i.e. from outside, and a
 * hostile file can ask for gigabytes of memory or hours of CPU. So every
 * parameter is checked against the limits below before OpenSSL is called,
 * and a refusal says which parameter and why (ERR_INVAL for a value that is
 * malformed, ERR_RANGE for one that is well formed but too costly).
 * kdf_scrypt_check/kdf_pbkdf2_check run the same checks without deriving,
 * so a caller can refuse early or apply a tighter limit of its own.
 *
 * Thread-safe; no state. Derived keys are written to caller memory only; the
 * caller wipes them (OPENSSL_cleanse) when done.
 */
#ifndef SPECTRUM_CRYPTO_KDF_H
#define SPECTRUM_CRYPTO_KDF_H

#include <stddef.h>
#include <stdint.h>

/* Hard limits. scrypt's cost is counted as 128·n·r·p bytes (the memory of
 * one lane, 128·n·r, times the p lanes computed one after another): geth's
 * "standard" parameters (n=2^18, r=8, p=1) cost 256 MiB. */
#define KDF_SCRYPT_MAX_COST (1ull << 30)     /* 1 GiB */
#define KDF_PBKDF2_MAX_ITER 10000000u        /* geth uses 262144 */
#define KDF_MAX_DKLEN 1024
#define KDF_MAX_SALT 1024
#define KDF_MAX_PASSWORD 65536

/* Checks scrypt parameters: n a power of two > 1, r ≥ 1, p ≥ 1, r·p < 2^30,
 * 128·n·r·p ≤ KDF_SCRYPT_MAX_COST, 1 ≤ dklen ≤ KDF_MAX_DKLEN.
 * Returns: 0, ERR_INVAL (n not a power of two > 1, r or p zero, dklen zero)
 *          or ERR_RANGE (too large). */
int kdf_scrypt_check(uint64_t n, uint64_t r, uint64_t p, size_t dklen);

/* out[0..dklen) = scrypt(password, salt, n, r, p).
 * In: pw/pwlen (≤ KDF_MAX_PASSWORD; may be empty), salt/saltlen
 *     (≤ KDF_MAX_SALT; may be empty), n, r, p, dklen as kdf_scrypt_check.
 * Out: out (dklen bytes).
 * Returns: 0, ERR_INVAL/ERR_RANGE (parameters; nothing derived), ERR_CRYPTO
 *          or ERR_NOMEM (OpenSSL failed). Takes up to ~1 s per 128 MiB of
 *          cost. */
int kdf_scrypt(const void *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
               uint64_t n, uint64_t r, uint64_t p, uint8_t *out, size_t dklen);

/* Checks PBKDF2 parameters: 1 ≤ iter ≤ KDF_PBKDF2_MAX_ITER,
 * 1 ≤ dklen ≤ KDF_MAX_DKLEN. Returns: 0, ERR_INVAL (zero) or ERR_RANGE. */
int kdf_pbkdf2_check(uint64_t iter, size_t dklen);

/* out[0..dklen) = PBKDF2-HMAC-SHA256(password, salt, iter).
 * In/Out as kdf_scrypt. Returns: 0, ERR_INVAL/ERR_RANGE (parameters),
 * ERR_CRYPTO (OpenSSL failed). */
int kdf_pbkdf2_sha256(const void *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
                      uint64_t iter, uint8_t *out, size_t dklen);

#endif
