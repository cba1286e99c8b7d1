/*
 * ecdsa.h — secp256k1 signatures as Ethereum uses them, over libsecp256k1.
 *
 * Signatures are 65 bytes r(32) ‖ s(32) ‖ v(1) with v ∈ {0,1} (the recovery
 * id). Public keys are 64 bytes X ‖ Y (uncompressed, without the 0x04 byte).
 * An address is the last 20 bytes of keccak256(X ‖ Y).
 *
 * The library context is created once by ecdsa_init() (idempotent,
 * thread-safe); every other function is safe from any thread after that and
 * calls ecdsa_init() itself if needed. Secret keys are never logged or kept.
 */
#ifndef SPECTRUM_CRYPTO_ECDSA_H
#define SPECTRUM_CRYPTO_ECDSA_H

#include <stdbool.h>
#include <stdint.h>

/* Creates the shared libsecp256k1 context. Returns 0 or ERR_NOMEM. */
int ecdsa_init(void);

/* True when sk is a valid secret key (0 < sk < n). */
bool ecdsa_seckey_valid(const uint8_t sk[32]);

/* pub = sk·G. Returns 0 or ERR_CRYPTO for an invalid key. */
int ecdsa_pubkey(const uint8_t sk[32], uint8_t pub[64]);

/* Signs a 32-byte hash deterministically (RFC 6979), producing a low-s
 * signature. Returns 0 or ERR_CRYPTO. */
int ecdsa_sign(const uint8_t hash[32], const uint8_t sk[32], uint8_t sig[65]);

/* Recovers the public key that made sig over hash. v must be 0 or 1; r and s
 * must be in [1, n-1] (high s is accepted here: the caller applies the
 * homestead low-s rule when it applies). Returns 0 or ERR_CRYPTO. */
int ecdsa_recover(const uint8_t hash[32], const uint8_t sig[65], uint8_t pub[64]);

/* addr = keccak256(pub)[12..32]. */
void ecdsa_pub_to_address(const uint8_t pub[64], uint8_t addr[20]);

/* Recovers the signer address directly. Returns 0 or ERR_CRYPTO. */
int ecdsa_recover_address(const uint8_t hash[32], const uint8_t sig[65], uint8_t addr[20]);

/* Checks r, s (32-byte big-endian each) the way Ethereum's
 * ValidateSignatureValues does: 1 ≤ r,s < n, and s ≤ n/2 when `homestead`. */
bool ecdsa_sig_values_valid(const uint8_t r[32], const uint8_t s[32], bool homestead);

#endif
