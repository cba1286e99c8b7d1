/*
 * aes.c — AES-CTR over OpenSSL EVP; see aes.h.
 *
 * A fresh EVP_CIPHER_CTX per call keeps the function stateless and
 * thread-safe; the callers (keystore, ECIES) encrypt a few hundred bytes at
 * a time, so the context set-up does not matter. EVP_CIPHER_CTX_free wipes
 * the key schedule.
 */
#include "crypto/aes.h"
#include "crypto/ossl.h"
#include "util/err.h"

#include <limits.h>

int aes_ctr(const uint8_t *key, size_t keylen, const uint8_t iv[16], const uint8_t *in,
            size_t len, uint8_t *out)
{
    const EVP_CIPHER *cipher;
    switch (keylen) {
    case 16: cipher = EVP_aes_128_ctr(); break;
    case 24: cipher = EVP_aes_192_ctr(); break;
    case 32: cipher = EVP_aes_256_ctr(); break;
    default: return err_set(ERR_INVAL, "aes: key of %zu bytes (want 16, 24 or 32)", keylen);
    }
    if (len > INT_MAX)
        return err_set(ERR_RANGE, "aes: %zu bytes in one call", len);
    if (len == 0)
        return 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return err_set(ERR_NOMEM, "aes: cannot allocate a cipher context");
    int outl = 0, finl = 0, rc = 0;
    if (!EVP_EncryptInit_ex(ctx, cipher, NULL, key, iv) ||
        !EVP_EncryptUpdate(ctx, out, &outl, in, (int)len) ||
        !EVP_EncryptFinal_ex(ctx, out + outl, &finl) || (size_t)(outl + finl) != len)
        rc = err_set(ERR_CRYPTO, "aes: CTR encryption failed in OpenSSL");
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}
