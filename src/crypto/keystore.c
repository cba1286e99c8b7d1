/*
 * keystore.c — keystore V3 decrypt/encrypt; see keystore.h.
 *
 * Decryption is a straight pipeline over the parsed JSON: read and check
 * every field (types, lengths, KDF bounds) before deriving anything, derive,
 * compare the MAC in constant time, then decrypt. The field readers take the
 * field's path so that every refusal names the field ("keystore:
 * crypto.cipherparams.iv: ..."). Field names are matched as geth writes
 * them, plus "Crypto", which old clients wrote and geth (Go's
 * case-insensitive JSON) accepts.
 *
 * The derived key and the plaintext sit in fixed-size stack buffers (dklen
 * is capped by kdf.h) and are wiped with OPENSSL_cleanse on every path out.
 */
#include "crypto/keystore.h"
#include "crypto/ossl.h"
#include "crypto/aes.h"
#include "crypto/ecdsa.h"
#include "crypto/kdf.h"
#include "crypto/keccak.h"
#include "util/err.h"
#include "util/hex.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DECRYPT_FAILED "could not decrypt key with given password"

static _Atomic uint64_t max_scrypt_cost = KDF_SCRYPT_MAX_COST;
static _Atomic uint64_t max_pbkdf2_iter = KDF_PBKDF2_MAX_ITER;

void keystore_set_max_kdf_cost(uint64_t scrypt_cost, uint64_t pbkdf2_iter)
{
    if (scrypt_cost == 0 || scrypt_cost > KDF_SCRYPT_MAX_COST)
        scrypt_cost = KDF_SCRYPT_MAX_COST;
    if (pbkdf2_iter == 0 || pbkdf2_iter > KDF_PBKDF2_MAX_ITER)
        pbkdf2_iter = KDF_PBKDF2_MAX_ITER;
    atomic_store(&max_scrypt_cost, scrypt_cost);
    atomic_store(&max_pbkdf2_iter, pbkdf2_iter);
}

/* ---- field readers --------------------------------------------------- */

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* *out = obj[key], which must exist and have type `type`. `where` is the
 * object's path for messages ("" for the root). */
static int get_typed(json_t *obj, const char *where, const char *key, json_type type,
                     const char *want, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return err_set(ERR_INVAL, "keystore: missing field %s%s", where, key);
    if (json_typeof(v) != type)
        return err_set(ERR_INVAL, "keystore: %s%s is %s, want %s", where, key, type_name(v), want);
    *out = v;
    return 0;
}

static int get_string(json_t *obj, const char *where, const char *key, const char **s, size_t *n)
{
    json_t *v;
    int rc = get_typed(obj, where, key, JSON_STRING, "a string", &v);
    if (rc)
        return rc;
    *s = json_string_value(v);
    *n = json_string_length(v);
    return 0;
}

/* Reads a non-negative JSON integer. */
static int get_uint(json_t *obj, const char *where, const char *key, uint64_t *out)
{
    json_t *v;
    int rc = get_typed(obj, where, key, JSON_INTEGER, "an integer", &v);
    if (rc)
        return rc;
    json_int_t i = json_integer_value(v);
    if (i < 0)
        return err_set(ERR_INVAL, "keystore: %s%s is negative", where, key);
    *out = (uint64_t)i;
    return 0;
}

/* Decodes a hex string field of exactly `len` bytes. */
static int get_hex_exact(json_t *obj, const char *where, const char *key, uint8_t *out, size_t len)
{
    const char *s;
    size_t n;
    int rc = get_string(obj, where, key, &s, &n);
    if (rc)
        return rc;
    rc = hex_decode_exact(s, n, out, len);
    if (rc)
        return err_wrap(rc, "keystore: %s%s", where, key);
    return 0;
}

/* Decodes a hex string field of at most `cap` bytes. */
static int get_hex_var(json_t *obj, const char *where, const char *key, uint8_t *out, size_t cap,
                       size_t *len)
{
    const char *s;
    size_t n;
    int rc = get_string(obj, where, key, &s, &n);
    if (rc)
        return rc;
    rc = hex_decode(s, n, out, cap, len);
    if (rc)
        return err_wrap(rc, "keystore: %s%s", where, key);
    return 0;
}

static int parse(const char *json, size_t len, json_t **root)
{
    if (len > KEYSTORE_MAX_JSON)
        return err_set(ERR_RANGE, "keystore: text of %zu bytes (max %d)", len, KEYSTORE_MAX_JSON);
    json_error_t e;
    *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &e);
    if (!*root)
        return err_set(ERR_DECODE, "keystore: malformed JSON: %s (line %d)", e.text, e.line);
    if (!json_is_object(*root)) {
        json_decref(*root);
        return err_set(ERR_INVAL, "keystore: top level is not an object");
    }
    return 0;
}

/* ---- decryption -------------------------------------------------------- */

/* Everything keystore_decrypt reads from the file, checked. */
struct v3 {
    uint8_t ciphertext[32];
    uint8_t iv[16];
    uint8_t mac[32];
    uint8_t salt[KDF_MAX_SALT];
    size_t saltlen;
    bool scrypt;            /* else pbkdf2 */
    uint64_t n, r, p;       /* scrypt */
    uint64_t c;             /* pbkdf2 iterations */
    uint64_t dklen;
};

static int read_kdf(json_t *crypto, struct v3 *k)
{
    const char *kdf;
    size_t kdflen;
    json_t *kp;
    int rc = get_string(crypto, "crypto.", "kdf", &kdf, &kdflen);
    if (rc)
        return rc;
    if (strlen(kdf) == kdflen && strcmp(kdf, "scrypt") == 0)
        k->scrypt = true;
    else if (strlen(kdf) == kdflen && strcmp(kdf, "pbkdf2") == 0)
        k->scrypt = false;
    else
        return err_set(ERR_UNSUPPORTED, "keystore: unsupported KDF \"%.32s\"", kdf);
    if ((rc = get_typed(crypto, "crypto.", "kdfparams", JSON_OBJECT, "an object", &kp)))
        return rc;
    const char *w = "crypto.kdfparams.";
    if ((rc = get_uint(kp, w, "dklen", &k->dklen)) ||
        (rc = get_hex_var(kp, w, "salt", k->salt, sizeof k->salt, &k->saltlen)))
        return rc;
    /* 32 bytes are needed: 16 for the AES key, 16 for the MAC key. */
    if (k->dklen < 32)
        return err_set(ERR_INVAL, "keystore: dklen %llu is below 32", (unsigned long long)k->dklen);
    if (k->scrypt) {
        if ((rc = get_uint(kp, w, "n", &k->n)) || (rc = get_uint(kp, w, "r", &k->r)) ||
            (rc = get_uint(kp, w, "p", &k->p)))
            return rc;
        if ((rc = kdf_scrypt_check(k->n, k->r, k->p, k->dklen)))
            return err_wrap(rc, "keystore");
        uint64_t limit = atomic_load(&max_scrypt_cost);
        if (k->n > limit / 128 / (k->r * k->p)) /* r·p ≥ 1, checked */
            return err_set(ERR_RANGE, "keystore: scrypt cost n=%llu r=%llu p=%llu exceeds the limit of %llu bytes",
                           (unsigned long long)k->n, (unsigned long long)k->r,
                           (unsigned long long)k->p, (unsigned long long)limit);
    } else {
        const char *prf;
        size_t prflen;
        if ((rc = get_uint(kp, w, "c", &k->c)) || (rc = get_string(kp, w, "prf", &prf, &prflen)))
            return rc;
        if (strlen(prf) != prflen || strcmp(prf, "hmac-sha256") != 0)
            return err_set(ERR_UNSUPPORTED, "keystore: unsupported PBKDF2 PRF \"%.32s\"", prf);
        if ((rc = kdf_pbkdf2_check(k->c, k->dklen)))
            return err_wrap(rc, "keystore");
        uint64_t limit = atomic_load(&max_pbkdf2_iter);
        if (k->c > limit)
            return err_set(ERR_RANGE, "keystore: %llu PBKDF2 iterations exceed the limit of %llu",
                           (unsigned long long)k->c, (unsigned long long)limit);
    }
    return 0;
}

static int read_v3(json_t *root, struct v3 *k)
{
    json_t *ver = json_object_get(root, "version");
    if (!ver)
        return err_set(ERR_INVAL, "keystore: missing field version");
    if (!json_is_integer(ver) || json_integer_value(ver) != 3) {
        if (json_is_integer(ver))
            return err_set(ERR_UNSUPPORTED, "keystore: version %lld not supported",
                           (long long)json_integer_value(ver));
        return err_set(ERR_UNSUPPORTED, "keystore: version is %s, want the integer 3",
                       type_name(ver));
    }
    json_t *crypto = json_object_get(root, "crypto");
    if (!crypto)
        crypto = json_object_get(root, "Crypto");
    if (!crypto)
        return err_set(ERR_INVAL, "keystore: missing field crypto");
    if (!json_is_object(crypto))
        return err_set(ERR_INVAL, "keystore: crypto is %s, want an object", type_name(crypto));

    const char *cipher;
    size_t cipherlen;
    json_t *cp;
    int rc = get_string(crypto, "crypto.", "cipher", &cipher, &cipherlen);
    if (rc)
        return rc;
    if (strlen(cipher) != cipherlen || strcmp(cipher, "aes-128-ctr") != 0)
        return err_set(ERR_UNSUPPORTED, "keystore: cipher \"%.32s\" not supported", cipher);
    if ((rc = get_hex_exact(crypto, "crypto.", "ciphertext", k->ciphertext, 32)) ||
        (rc = get_typed(crypto, "crypto.", "cipherparams", JSON_OBJECT, "an object", &cp)) ||
        (rc = get_hex_exact(cp, "crypto.cipherparams.", "iv", k->iv, 16)) ||
        (rc = get_hex_exact(crypto, "crypto.", "mac", k->mac, 32)))
        return rc;
    return read_kdf(crypto, k);
}

int keystore_decrypt(const char *json, size_t len, const void *pw, size_t pwlen, uint8_t sk[32])
{
    json_t *root;
    int rc = parse(json, len, &root);
    if (rc)
        return rc;
    struct v3 k;
    rc = read_v3(root, &k);
    json_decref(root);
    if (rc)
        return rc;

    uint8_t dk[KDF_MAX_DKLEN];
    uint8_t macin[16 + 32], mac[32], plain[32];
    if (k.scrypt)
        rc = kdf_scrypt(pw, pwlen, k.salt, k.saltlen, k.n, k.r, k.p, dk, (size_t)k.dklen);
    else
        rc = kdf_pbkdf2_sha256(pw, pwlen, k.salt, k.saltlen, k.c, dk, (size_t)k.dklen);
    if (rc)
        goto out;
    memcpy(macin, dk + 16, 16);
    memcpy(macin + 16, k.ciphertext, 32);
    keccak256(macin, sizeof macin, mac);
    if (CRYPTO_memcmp(mac, k.mac, 32) != 0) {
        rc = err_set(ERR_CRYPTO, DECRYPT_FAILED);
        goto out;
    }
    if ((rc = aes_ctr(dk, 16, k.iv, k.ciphertext, 32, plain)))
        goto out;
    if (!ecdsa_seckey_valid(plain)) {
        rc = err_set(ERR_CRYPTO, "keystore: decrypted key is not a valid secp256k1 secret key");
        goto out;
    }
    memcpy(sk, plain, 32);
out:
    OPENSSL_cleanse(dk, sizeof dk);
    OPENSSL_cleanse(macin, sizeof macin);
    OPENSSL_cleanse(plain, sizeof plain);
    return rc;
}

/* ---- encryption -------------------------------------------------------- */

/* Formats 16 random bytes as a UUID version 4 (RFC 4122 §4.4). */
static void format_uuid4(uint8_t b[16], char out[37])
{
    char hex[33];
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    hex_encode(hex, b, 16);
    memcpy(out, hex, 8);
    out[8] = '-';
    memcpy(out + 9, hex + 8, 4);
    out[13] = '-';
    memcpy(out + 14, hex + 12, 4);
    out[18] = '-';
    memcpy(out + 19, hex + 16, 4);
    out[23] = '-';
    memcpy(out + 24, hex + 20, 12);
    out[36] = 0;
}

/* obj[key] = hex(b[0..n)); sticky failure flag. n ≤ 32. */
static void set_hex(json_t *obj, const char *key, const uint8_t *b, size_t n, bool *ok)
{
    char hex[65];
    hex_encode(hex, b, n);
    if (json_object_set_new(obj, key, json_string(hex)) != 0)
        *ok = false;
}

static void set_new(json_t *obj, const char *key, json_t *v, bool *ok)
{
    if (json_object_set_new(obj, key, v) != 0)
        *ok = false;
}

/* Builds the JSON document; returns NULL when out of memory. */
static json_t *build_json(const uint8_t addr[20], const uint8_t ct[32], const uint8_t iv[16],
                          const struct keystore_scrypt_params *kp, const uint8_t salt[32],
                          const uint8_t mac[32], const char *uuid)
{
    bool ok = true;
    json_t *root = json_object(), *crypto = json_object(), *cp = json_object(),
           *kdfp = json_object();
    if (!root || !crypto || !cp || !kdfp) {
        json_decref(root);
        json_decref(crypto);
        json_decref(cp);
        json_decref(kdfp);
        return NULL;
    }
    set_hex(cp, "iv", iv, 16, &ok);
    set_new(kdfp, "dklen", json_integer(32), &ok);
    set_new(kdfp, "n", json_integer((json_int_t)kp->n), &ok);
    set_new(kdfp, "p", json_integer(kp->p), &ok);
    set_new(kdfp, "r", json_integer(kp->r), &ok);
    set_hex(kdfp, "salt", salt, 32, &ok);
    set_new(crypto, "cipher", json_string("aes-128-ctr"), &ok);
    set_hex(crypto, "ciphertext", ct, 32, &ok);
    set_new(crypto, "cipherparams", cp, &ok);
    set_new(crypto, "kdf", json_string("scrypt"), &ok);
    set_new(crypto, "kdfparams", kdfp, &ok);
    set_hex(crypto, "mac", mac, 32, &ok);
    set_hex(root, "address", addr, 20, &ok);
    set_new(root, "crypto", crypto, &ok);
    set_new(root, "id", json_string(uuid), &ok);
    set_new(root, "version", json_integer(3), &ok);
    if (!ok) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int keystore_encrypt(const uint8_t sk[32], const void *pw, size_t pwlen,
                     const struct keystore_scrypt_params *params, char **out, size_t *outlen)
{
    *out = NULL;
    if (!ecdsa_seckey_valid(sk))
        return err_set(ERR_INVAL, "keystore: not a valid secp256k1 secret key");
    int rc = kdf_scrypt_check(params->n, params->r, params->p, 32);
    if (rc)
        return err_wrap(rc, "keystore");

    uint8_t salt[32], iv[16], idb[16], dk[32], ct[32], macin[48], mac[32], pub[64], addr[20];
    char uuid[37];
    if (RAND_bytes(salt, sizeof salt) != 1 || RAND_bytes(iv, sizeof iv) != 1 ||
        RAND_bytes(idb, sizeof idb) != 1)
        return err_set(ERR_CRYPTO, "keystore: no randomness from OpenSSL");
    if ((rc = ecdsa_pubkey(sk, pub)))
        return rc;
    ecdsa_pub_to_address(pub, addr);
    if ((rc = kdf_scrypt(pw, pwlen, salt, sizeof salt, params->n, params->r, params->p, dk, 32)))
        goto out;
    if ((rc = aes_ctr(dk, 16, iv, sk, 32, ct)))
        goto out;
    memcpy(macin, dk + 16, 16);
    memcpy(macin + 16, ct, 32);
    keccak256(macin, sizeof macin, mac);
    format_uuid4(idb, uuid);

    json_t *root = build_json(addr, ct, iv, params, salt, mac, uuid);
    if (!root) {
        rc = err_set(ERR_NOMEM, "keystore: cannot build JSON");
        goto out;
    }
    size_t flags = JSON_COMPACT | JSON_SORT_KEYS;
    size_t n = json_dumpb(root, NULL, 0, flags);
    char *text = n ? malloc(n + 1) : NULL;
    if (!text || json_dumpb(root, text, n, flags) != n) {
        free(text);
        json_decref(root);
        rc = err_set(ERR_NOMEM, "keystore: cannot serialise JSON");
        goto out;
    }
    json_decref(root);
    text[n] = 0;
    *out = text;
    if (outlen)
        *outlen = n;
out:
    OPENSSL_cleanse(dk, sizeof dk);
    OPENSSL_cleanse(macin, sizeof macin);
    return rc;
}

/* ---- address ------------------------------------------------------------- */

int keystore_address(const char *json, size_t len, uint8_t addr[20])
{
    json_t *root;
    int rc = parse(json, len, &root);
    if (rc)
        return rc;
    if (!json_object_get(root, "address"))
        rc = err_set(ERR_NOTFOUND, "keystore: no address field");
    else
        rc = get_hex_exact(root, "", "address", addr, 20);
    json_decref(root);
    return rc;
}
