/*
 * aes.h — AES in counter mode (the only AES mode Ethereum uses: keystore V3
 * files use AES-128-CTR, ECIES and the RLPx frame cipher AES-128/256-CTR),
 * over OpenSSL.
 *
 * One-shot: the keystream starts at the given 16-byte counter block (IV),
 * which is incremented as one 128-bit big-endian integer. A streaming
 * variant (for RLPx frames) belongs with the p2p code that needs it.
 * Thread-safe; no state. The caller wipes keys it no longer needs.
 */
#ifndef SPECTRUM_CRYPTO_AES_H
#define SPECTRUM_CRYPTO_AES_H

#include <stddef.h>
#include <stdint.h>

/* out[0..len) = in[0..len) XOR AES-CTR keystream(key, iv). Encryption and
 * decryption are the same operation. in and out may be the same buffer.
 * In: key (keylen = 16, 24 or 32 bytes: AES-128/192/256), iv (16 bytes).
 * Returns: 0, ERR_INVAL (other key length), ERR_RANGE (len > INT_MAX) or
 *          ERR_CRYPTO / ERR_NOMEM (OpenSSL failed). */
int aes_ctr(const uint8_t *key, size_t keylen, const uint8_t iv[16], const uint8_t *in,
            size_t len, uint8_t *out);

#endif
