/*
 * hash.c — SHA-256/SHA-512/RIPEMD-160/HMAC-SHA256 over OpenSSL EVP; see
 * hash.h.
 *
 * OpenSSL 3 looks an algorithm up in its provider tables every time
 * EVP_sha256() & co. are used implicitly; fetching each digest once here and
 * keeping the EVP_MD avoids that lookup (and its lock) on every hash.
 *
 * RIPEMD-160: OpenSSL 3.0.0–3.0.6 had it only in the legacy provider;
 * 3.0.7 added it to the default provider (Debian 12's 3.0.x has it there).
 * If the first fetch fails we load the legacy provider — together with the
 * default one, because loading any provider explicitly stops OpenSSL from
 * loading the default provider implicitly — and fetch again. If that fails
 * too, ripemd160() reports ERR_UNSUPPORTED; the other digests still work.
 */
#include "crypto/hash.h"
#include "crypto/ossl.h"
#include "util/err.h"

#include <limits.h>
#include <pthread.h>

static EVP_MD *md_sha256;
static EVP_MD *md_sha512;
static EVP_MD *md_ripemd160;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_digests(void)
{
    md_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    md_sha512 = EVP_MD_fetch(NULL, "SHA2-512", NULL);
    md_ripemd160 = EVP_MD_fetch(NULL, "RIPEMD-160", NULL);
    if (!md_ripemd160) {
        OSSL_PROVIDER_load(NULL, "default");
        if (OSSL_PROVIDER_load(NULL, "legacy"))
            md_ripemd160 = EVP_MD_fetch(NULL, "RIPEMD-160", NULL);
    }
}

int hash_init(void)
{
    pthread_once(&fetch_once, fetch_digests);
    if (!md_sha256 || !md_sha512)
        return err_set(ERR_UNSUPPORTED, "hash: OpenSSL provides no %s",
                       md_sha256 ? "SHA-512" : "SHA-256");
    return 0;
}

/* One-shot digest of in[0..len) with a fetched md into out. */
static int digest(const EVP_MD *md, const char *name, const void *in, size_t len, uint8_t *out)
{
    static const uint8_t empty[1];
    if (!md)
        return err_set(ERR_UNSUPPORTED, "hash: OpenSSL provides no %s", name);
    if (!EVP_Digest(len ? in : empty, len, out, NULL, md, NULL))
        return err_set(ERR_CRYPTO, "hash: %s failed in OpenSSL", name);
    return 0;
}

int sha256(const void *in, size_t len, uint8_t out[SHA256_LEN])
{
    int rc = hash_init();
    return rc ? rc : digest(md_sha256, "SHA-256", in, len, out);
}

int sha512(const void *in, size_t len, uint8_t out[SHA512_LEN])
{
    int rc = hash_init();
    return rc ? rc : digest(md_sha512, "SHA-512", in, len, out);
}

int ripemd160(const void *in, size_t len, uint8_t out[RIPEMD160_LEN])
{
    int rc = hash_init();
    return rc ? rc : digest(md_ripemd160, "RIPEMD-160", in, len, out);
}

int hmac_sha256(const void *key, size_t keylen, const void *in, size_t len,
                uint8_t out[SHA256_LEN])
{
    static const uint8_t empty[1];
    int rc = hash_init();
    if (rc)
        return rc;
    if (keylen > INT_MAX)
        return err_set(ERR_RANGE, "hmac: key of %zu bytes", keylen);
    unsigned int outlen = 0;
    if (!HMAC(md_sha256, keylen ? key : empty, (int)keylen, len ? in : empty, len, out,
              &outlen) || outlen != SHA256_LEN)
        return err_set(ERR_CRYPTO, "hmac: HMAC-SHA256 failed in OpenSSL");
    return 0;
}
