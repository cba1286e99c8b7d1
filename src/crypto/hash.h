/*
 * hash.h — SHA-256, SHA-512, RIPEMD-160 and HMAC-SHA256 over OpenSSL.
 *
 * These are not on the node's hottest paths (keccak256 is, and lives in
 * keccak.h): SHA-256 and RIPEMD-160 serve the EVM precompiles 0x02/0x03 and
 * the KDFs, SHA-512 the VRF, HMAC-SHA256 the p2p handshake. So they are thin
 * one-shot wrappers over OpenSSL's EVP interface, with the digest
 * implementations fetched once (EVP_MD_fetch) instead of on every call.
 *
 * RIPEMD-160 is in OpenSSL 3's default provider since 3.0.7 (Debian 12 ships
 * 3.0.x ≥ 3.0.9); on an older 3.0 the legacy provider is loaded to get it.
 *
 * Every function may be called from any thread. Inputs may be NULL when
 * their length is 0. Nothing is allocated that outlives a call.
 */
#ifndef SPECTRUM_CRYPTO_HASH_H
#define SPECTRUM_CRYPTO_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA512_LEN 64
#define RIPEMD160_LEN 20

/* Fetches the digest implementations from OpenSSL. Idempotent and
 * thread-safe; the functions below call it themselves.
 * Returns: 0, or ERR_UNSUPPORTED when OpenSSL lacks a digest (the context
 *          names it). */
int hash_init(void);

/* out = SHA-256(in[0..len)).
 * Returns: 0, ERR_NOMEM or ERR_CRYPTO (OpenSSL failure; out is then
 *          undefined). */
int sha256(const void *in, size_t len, uint8_t out[SHA256_LEN]);

/* out = SHA-512(in[0..len)). Returns as sha256(). */
int sha512(const void *in, size_t len, uint8_t out[SHA512_LEN]);

/* out = RIPEMD-160(in[0..len)) (20 bytes; the EVM precompile left-pads it to
 * 32 itself). Returns as sha256(), or ERR_UNSUPPORTED (see hash_init). */
int ripemd160(const void *in, size_t len, uint8_t out[RIPEMD160_LEN]);

/* out = HMAC-SHA256(key, in). Any key length (long keys are hashed first,
 * as HMAC specifies). Returns: 0, ERR_RANGE (key over INT_MAX bytes) or
 * ERR_CRYPTO. */
int hmac_sha256(const void *key, size_t keylen, const void *in, size_t len,
                uint8_t out[SHA256_LEN]);

#endif
