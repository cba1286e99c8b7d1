/*
 * kdf.c — scrypt and PBKDF2-HMAC-SHA256 with bounded parameters; see kdf.h.
 *
 * PBKDF2 is OpenSSL's (PKCS5_PBKDF2_HMAC). scrypt's memory-hard core
 * (ROMix/BlockMix/Salsa20/8, RFC 7914 §3–§5) is written here, with OpenSSL's
 * PBKDF2 for the two outer steps, because OpenSSL's scrypt enforces the RFC's
 * recommendation N < 2^(16·r): it refuses n = 2^18 with r = 1, which geth
 * (golang.org/x/crypto/scrypt) accepts and which occurs in real keystore
 * files (ethereum-tests KeyStoreTests "test2"). The unit tests check this
 * core against RFC 7914's vectors and against OpenSSL where OpenSSL accepts
 * the parameters.
 *
 * The scrypt working memory is derived from the password, so it is wiped
 * before it is freed.
 */
#include "crypto/kdf.h"
#include "crypto/ossl.h"
#include "util/err.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int check_common(const void *pw, size_t pwlen, size_t saltlen, size_t dklen)
{
    (void)pw;
    if (pwlen > KDF_MAX_PASSWORD)
        return err_set(ERR_RANGE, "kdf: password of %zu bytes (max %d)", pwlen, KDF_MAX_PASSWORD);
    if (saltlen > KDF_MAX_SALT)
        return err_set(ERR_RANGE, "kdf: salt of %zu bytes (max %d)", saltlen, KDF_MAX_SALT);
    if (dklen == 0)
        return err_set(ERR_INVAL, "kdf: dklen is 0");
    if (dklen > KDF_MAX_DKLEN)
        return err_set(ERR_RANGE, "kdf: dklen %zu exceeds %d", dklen, KDF_MAX_DKLEN);
    return 0;
}

int kdf_scrypt_check(uint64_t n, uint64_t r, uint64_t p, size_t dklen)
{
    if (n < 2 || (n & (n - 1)) != 0)
        return err_set(ERR_INVAL, "scrypt: n=%llu is not a power of two greater than 1",
                       (unsigned long long)n);
    if (r == 0 || p == 0)
        return err_set(ERR_INVAL, "scrypt: r=%llu and p=%llu must be at least 1",
                       (unsigned long long)r, (unsigned long long)p);
    /* r, p < 2^30 each, so r·p fits in 64 bits. */
    if (r >= (1u << 30) || p >= (1u << 30) || r * p >= (1u << 30))
        return err_set(ERR_RANGE, "scrypt: r·p=%llu·%llu is not below 2^30",
                       (unsigned long long)r, (unsigned long long)p);
    /* 128·n·r·p ≤ 2^30 without overflow: divide instead of multiplying. */
    if (n > KDF_SCRYPT_MAX_COST / 128 / (r * p))
        return err_set(ERR_RANGE, "scrypt: cost 128·n·r·p with n=%llu r=%llu p=%llu exceeds %llu MiB",
                       (unsigned long long)n, (unsigned long long)r, (unsigned long long)p,
                       KDF_SCRYPT_MAX_COST >> 20);
    if (dklen == 0)
        return err_set(ERR_INVAL, "scrypt: dklen is 0");
    if (dklen > KDF_MAX_DKLEN)
        return err_set(ERR_RANGE, "scrypt: dklen %zu exceeds %d", dklen, KDF_MAX_DKLEN);
    return 0;
}

int kdf_pbkdf2_check(uint64_t iter, size_t dklen)
{
    if (iter == 0)
        return err_set(ERR_INVAL, "pbkdf2: iteration count is 0");
    if (iter > KDF_PBKDF2_MAX_ITER)
        return err_set(ERR_RANGE, "pbkdf2: %llu iterations (max %u)", (unsigned long long)iter,
                       KDF_PBKDF2_MAX_ITER);
    if (dklen == 0)
        return err_set(ERR_INVAL, "pbkdf2: dklen is 0");
    if (dklen > KDF_MAX_DKLEN)
        return err_set(ERR_RANGE, "pbkdf2: dklen %zu exceeds %d", dklen, KDF_MAX_DKLEN);
    return 0;
}

/* PBKDF2-HMAC-SHA256 with lengths already bounded (all fit in int). */
static int pbkdf2(const void *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
                  uint64_t iter, uint8_t *out, size_t dklen)
{
    static const uint8_t empty[1];
    if (!PKCS5_PBKDF2_HMAC(pwlen ? pw : (const void *)empty, (int)pwlen,
                           saltlen ? salt : empty, (int)saltlen, (int)iter, EVP_sha256(),
                           (int)dklen, out))
        return err_set(ERR_CRYPTO, "pbkdf2: OpenSSL failed");
    return 0;
}

int kdf_pbkdf2_sha256(const void *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
                      uint64_t iter, uint8_t *out, size_t dklen)
{
    int rc = kdf_pbkdf2_check(iter, dklen);
    if (rc)
        return rc;
    rc = check_common(pw, pwlen, saltlen, dklen);
    if (rc)
        return rc;
    return pbkdf2(pw, pwlen, salt, saltlen, iter, out, dklen);
}

/* ---- scrypt core (RFC 7914) -------------------------------------------- */

#define R32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* b = Salsa20/8(b ^ x): the 64-byte block function of BlockMix, on 16
 * little-endian words, with the XOR folded in. */
static void salsa20_8_xor(uint32_t b[16], const uint32_t x[16])
{
    uint32_t in[16], w[16];
    for (int i = 0; i < 16; i++)
        w[i] = in[i] = b[i] ^ x[i];
    for (int round = 0; round < 8; round += 2) {
        /* column round */
        w[4] ^= R32(w[0] + w[12], 7);   w[8] ^= R32(w[4] + w[0], 9);
        w[12] ^= R32(w[8] + w[4], 13);  w[0] ^= R32(w[12] + w[8], 18);
        w[9] ^= R32(w[5] + w[1], 7);    w[13] ^= R32(w[9] + w[5], 9);
        w[1] ^= R32(w[13] + w[9], 13);  w[5] ^= R32(w[1] + w[13], 18);
        w[14] ^= R32(w[10] + w[6], 7);  w[2] ^= R32(w[14] + w[10], 9);
        w[6] ^= R32(w[2] + w[14], 13);  w[10] ^= R32(w[6] + w[2], 18);
        w[3] ^= R32(w[15] + w[11], 7);  w[7] ^= R32(w[3] + w[15], 9);
        w[11] ^= R32(w[7] + w[3], 13);  w[15] ^= R32(w[11] + w[7], 18);
        /* row round */
        w[1] ^= R32(w[0] + w[3], 7);    w[2] ^= R32(w[1] + w[0], 9);
        w[3] ^= R32(w[2] + w[1], 13);   w[0] ^= R32(w[3] + w[2], 18);
        w[6] ^= R32(w[5] + w[4], 7);    w[7] ^= R32(w[6] + w[5], 9);
        w[4] ^= R32(w[7] + w[6], 13);   w[5] ^= R32(w[4] + w[7], 18);
        w[11] ^= R32(w[10] + w[9], 7);  w[8] ^= R32(w[11] + w[10], 9);
        w[9] ^= R32(w[8] + w[11], 13);  w[10] ^= R32(w[9] + w[8], 18);
        w[12] ^= R32(w[15] + w[14], 7); w[13] ^= R32(w[12] + w[15], 9);
        w[14] ^= R32(w[13] + w[12], 13); w[15] ^= R32(w[14] + w[13], 18);
    }
    for (int i = 0; i < 16; i++)
        b[i] = in[i] + w[i];
}

/* out = BlockMix(in) for a block of 2r 64-byte sub-blocks (32r words).
 * The even-indexed results go to the first half of out, the odd ones to
 * the second half. in and out must not overlap. */
static void blockmix(const uint32_t *in, uint32_t *out, size_t r)
{
    uint32_t x[16];
    memcpy(x, in + (2 * r - 1) * 16, sizeof x);
    for (size_t i = 0; i < 2 * r; i++) {
        salsa20_8_xor(x, in + i * 16);
        memcpy(out + ((i & 1) * r + i / 2) * 16, x, sizeof x);
    }
}

/* B = ROMix(B) for one 128r-byte lane. v holds n·32r words, xy 64r words. */
static void romix(uint8_t *b, size_t r, uint64_t n, uint32_t *v, uint32_t *xy)
{
    size_t words = 32 * r;
    uint32_t *x = xy, *y = xy + words;
    for (size_t k = 0; k < words; k++)
        x[k] = le32(b + 4 * k);
    for (uint64_t i = 0; i < n; i++) {
        memcpy(v + i * words, x, words * 4);
        blockmix(x, y, r);
        uint32_t *t = x; x = y; y = t;
    }
    for (uint64_t i = 0; i < n; i++) {
        /* Integerify: the first word pair of the last 64-byte sub-block,
         * little-endian, modulo n (a power of two). */
        const uint32_t *last = x + (2 * r - 1) * 16;
        uint64_t j = ((uint64_t)last[1] << 32 | last[0]) & (n - 1);
        const uint32_t *vj = v + j * words;
        for (size_t k = 0; k < words; k++)
            x[k] ^= vj[k];
        blockmix(x, y, r);
        uint32_t *t = x; x = y; y = t;
    }
    for (size_t k = 0; k < words; k++)
        put_le32(b + 4 * k, x[k]);
    OPENSSL_cleanse(xy, 2 * words * 4);
}

int kdf_scrypt(const void *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
               uint64_t n, uint64_t r, uint64_t p, uint8_t *out, size_t dklen)
{
    int rc = kdf_scrypt_check(n, r, p, dklen);
    if (rc)
        return rc;
    rc = check_common(pw, pwlen, saltlen, dklen);
    if (rc)
        return rc;
    /* Bounded by the check: 128·r·p ≤ 2^29 and 128·r·n ≤ 2^30. */
    size_t blen = 128 * (size_t)r * (size_t)p;
    size_t vlen = 128 * (size_t)r * (size_t)n;
    size_t xylen = 256 * (size_t)r;
    uint8_t *b = malloc(blen);
    uint32_t *v = malloc(vlen);
    uint32_t *xy = malloc(xylen);
    if (!b || !v || !xy) {
        free(b);
        free(v);
        free(xy);
        return err_set(ERR_NOMEM, "scrypt: cannot allocate %zu MiB", (blen + vlen) >> 20);
    }
    rc = pbkdf2(pw, pwlen, salt, saltlen, 1, b, blen);
    if (rc == 0) {
        for (uint64_t i = 0; i < p; i++)
            romix(b + i * 128 * r, (size_t)r, n, v, xy);
        rc = pbkdf2(pw, pwlen, b, blen, 1, out, dklen);
    }
    OPENSSL_cleanse(b, blen);
    OPENSSL_cleanse(v, vlen);
    free(b);
    free(v);
    free(xy);
    return rc;
}
