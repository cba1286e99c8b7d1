/* test_crypto_keystore.c — keystore V3: encrypt → decrypt round trips, the
 * shape of what we write, wrong passwords and tampering, a file assembled
 * by hand from the primitives (so the format is checked independently of
 * keystore_encrypt), and hostile files: every refusal must come before any
 * expensive work and carry the right code. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aes.h"
#include "crypto/ecdsa.h"
#include "crypto/kdf.h"
#include "crypto/keccak.h"
#include "crypto/keystore.h"
#include "util/err.h"
#include "util/hex.h"

TCase *tcase_keystore(void);

/* Cheap parameters for tests (128 KiB). */
static const struct keystore_scrypt_params FAST = {1024, 1, 1};

static void test_key(uint8_t sk[32])
{
    keccak256("keystore test key", 17, sk);
    ck_assert(ecdsa_seckey_valid(sk));
}

/* Encrypts the test key with FAST params under "pw"; caller frees. */
static char *make_base(void)
{
    uint8_t sk[32];
    char *text = NULL;
    test_key(sk);
    ck_assert_int_eq(keystore_encrypt(sk, "pw", 2, &FAST, &text, NULL), 0);
    ck_assert_ptr_nonnull(text);
    return text;
}

/* Returns keystore_decrypt(base with `path` set to v, or removed when v is
 * NULL) with password "pw". Takes ownership of v. */
static int decrypt_with(const char *base, const char *path, json_t *v)
{
    json_error_t e;
    json_t *root = json_loads(base, 0, &e);
    ck_assert_ptr_nonnull(root);
    json_t *obj = root;
    char buf[128];
    ck_assert_uint_lt(strlen(path), sizeof buf);
    strcpy(buf, path);
    char *key = buf, *dot;
    while ((dot = strchr(key, '.'))) {
        *dot = 0;
        obj = json_object_get(obj, key);
        ck_assert_ptr_nonnull(obj);
        key = dot + 1;
    }
    if (v)
        json_object_set_new(obj, key, v);
    else
        json_object_del(obj, key);
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    ck_assert_ptr_nonnull(text);
    uint8_t sk[32];
    int rc = keystore_decrypt(text, strlen(text), "pw", 2, sk);
    free(text);
    return rc;
}

static const char *get_str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    ck_assert_msg(json_is_string(v), "field %s", k);
    return json_string_value(v);
}

START_TEST(encrypt_decrypt_round_trip)
{
    uint8_t sk[32], out[32], pub[64], addr[20], addr2[20];
    char *text = NULL, addrhex[41];
    size_t len = 0;
    test_key(sk);
    ck_assert_int_eq(keystore_encrypt(sk, "correct horse", 13, &FAST, &text, &len), 0);
    ck_assert_uint_eq(len, strlen(text));
    ck_assert_int_eq(keystore_decrypt(text, len, "correct horse", 13, out), 0);
    ck_assert_mem_eq(out, sk, 32);

    /* the shape geth writes */
    json_error_t e;
    json_t *root = json_loads(text, 0, &e);
    ck_assert_ptr_nonnull(root);
    ck_assert_int_eq(json_integer_value(json_object_get(root, "version")), 3);
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ecdsa_pub_to_address(pub, addr);
    hex_encode(addrhex, addr, 20);
    ck_assert_str_eq(get_str(root, "address"), addrhex);
    ck_assert_int_eq(keystore_address(text, len, addr2), 0);
    ck_assert_mem_eq(addr, addr2, 20);
    const char *id = get_str(root, "id");
    ck_assert_uint_eq(strlen(id), 36);
    ck_assert(id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-');
    ck_assert_int_eq(id[14], '4');                 /* version 4 */
    ck_assert_ptr_nonnull(strchr("89ab", id[19])); /* RFC 4122 variant */
    json_t *c = json_object_get(root, "crypto");
    ck_assert_str_eq(get_str(c, "cipher"), "aes-128-ctr");
    ck_assert_str_eq(get_str(c, "kdf"), "scrypt");
    ck_assert_uint_eq(strlen(get_str(c, "ciphertext")), 64);
    ck_assert_uint_eq(strlen(get_str(c, "mac")), 64);
    ck_assert_uint_eq(strlen(get_str(json_object_get(c, "cipherparams"), "iv")), 32);
    json_t *kp = json_object_get(c, "kdfparams");
    ck_assert_int_eq(json_integer_value(json_object_get(kp, "n")), 1024);
    ck_assert_int_eq(json_integer_value(json_object_get(kp, "r")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(kp, "p")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(kp, "dklen")), 32);
    ck_assert_uint_eq(strlen(get_str(kp, "salt")), 64);
    json_decref(root);

    /* a second encryption of the same key is fresh: salt, iv, id differ */
    char *text2 = NULL;
    ck_assert_int_eq(keystore_encrypt(sk, "correct horse", 13, &FAST, &text2, NULL), 0);
    ck_assert_str_ne(text, text2);
    ck_assert_int_eq(keystore_decrypt(text2, strlen(text2), "correct horse", 13, out), 0);
    ck_assert_mem_eq(out, sk, 32);
    free(text);
    free(text2);

    /* an empty password is a password */
    ck_assert_int_eq(keystore_encrypt(sk, "", 0, &FAST, &text, &len), 0);
    ck_assert_int_eq(keystore_decrypt(text, len, "", 0, out), 0);
    ck_assert_mem_eq(out, sk, 32);
    ck_assert_int_eq(keystore_decrypt(text, len, "x", 1, out), ERR_CRYPTO);
    free(text);
}
END_TEST

START_TEST(wrong_password_and_tampering)
{
    char *base = make_base();
    uint8_t out[32], untouched[32];
    memset(out, 0xee, 32);
    memcpy(untouched, out, 32);
    ck_assert_int_eq(keystore_decrypt(base, strlen(base), "pW", 2, out), ERR_CRYPTO);
    ck_assert_str_eq(err_msg(), "could not decrypt key with given password");
    ck_assert_mem_eq(out, untouched, 32);

    /* change one hex digit of the MAC or of the ciphertext, or a KDF input
     * (n, salt): each must fail the MAC check */
    json_error_t e;
    json_t *root = json_loads(base, 0, &e);
    json_t *c = json_object_get(root, "crypto");
    char mac[65], ct[65];
    strcpy(mac, get_str(c, "mac"));
    strcpy(ct, get_str(c, "ciphertext"));
    json_decref(root);
    mac[10] = mac[10] == '0' ? '1' : '0';
    ck_assert_int_eq(decrypt_with(base, "crypto.mac", json_string(mac)), ERR_CRYPTO);
    ct[63] = ct[63] == '0' ? '1' : '0';
    ck_assert_int_eq(decrypt_with(base, "crypto.ciphertext", json_string(ct)), ERR_CRYPTO);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.n", json_integer(2048)), ERR_CRYPTO);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.salt", json_string("00")), ERR_CRYPTO);
    free(base);
}
END_TEST

START_TEST(hand_built_file)
{
    /* Assemble a V3 file from the primitives with PBKDF2 and check that
     * keystore_decrypt reads it: derivedKey = PBKDF2(pw, salt, c, 32),
     * ciphertext = AES-128-CTR(dk[0:16], iv, sk), mac = keccak(dk[16:32] ‖ ct). */
    uint8_t sk[32], salt[16], iv[16], dk[32], ct[32], macin[48], mac[32], out[32];
    test_key(sk);
    memset(salt, 0x11, sizeof salt);
    memset(iv, 0xff, sizeof iv); /* the counter wraps within the 2 blocks */
    ck_assert_int_eq(kdf_pbkdf2_sha256("hand", 4, salt, sizeof salt, 10, dk, 32), 0);
    ck_assert_int_eq(aes_ctr(dk, 16, iv, sk, 32, ct), 0);
    memcpy(macin, dk + 16, 16);
    memcpy(macin + 16, ct, 32);
    keccak256(macin, 48, mac);
    char hsalt[33], hiv[33], hct[65], hmac[65], text[1024];
    hex_encode(hsalt, salt, 16);
    hex_encode(hiv, iv, 16);
    hex_encode(hct, ct, 32);
    hex_encode(hmac, mac, 32);
    snprintf(text, sizeof text,
             "{\"version\":3,\"id\":\"x\",\"Crypto\":{\"cipher\":\"aes-128-ctr\","
             "\"cipherparams\":{\"iv\":\"%s\"},\"ciphertext\":\"%s\",\"kdf\":\"pbkdf2\","
             "\"kdfparams\":{\"c\":10,\"dklen\":32,\"prf\":\"hmac-sha256\",\"salt\":\"%s\"},"
             "\"mac\":\"%s\"}}",
             hiv, hct, hsalt, hmac);
    ck_assert_int_eq(keystore_decrypt(text, strlen(text), "hand", 4, out), 0);
    ck_assert_mem_eq(out, sk, 32);
    /* no address field */
    uint8_t addr[20];
    ck_assert_int_eq(keystore_address(text, strlen(text), addr), ERR_NOTFOUND);

    /* the same construction around an invalid key (zero) is refused after
     * decryption */
    uint8_t zero[32] = {0};
    ck_assert_int_eq(aes_ctr(dk, 16, iv, zero, 32, ct), 0);
    memcpy(macin + 16, ct, 32);
    keccak256(macin, 48, mac);
    hex_encode(hct, ct, 32);
    hex_encode(hmac, mac, 32);
    snprintf(text, sizeof text,
             "{\"version\":3,\"crypto\":{\"cipher\":\"aes-128-ctr\","
             "\"cipherparams\":{\"iv\":\"%s\"},\"ciphertext\":\"%s\",\"kdf\":\"pbkdf2\","
             "\"kdfparams\":{\"c\":10,\"dklen\":32,\"prf\":\"hmac-sha256\",\"salt\":\"%s\"},"
             "\"mac\":\"%s\"}}",
             hiv, hct, hsalt, hmac);
    ck_assert_int_eq(keystore_decrypt(text, strlen(text), "hand", 4, out), ERR_CRYPTO);
    ck_assert_ptr_nonnull(strstr(err_msg(), "not a valid secp256k1"));
}
END_TEST

START_TEST(hostile_files)
{
    char *base = make_base();
    uint8_t sk[32];
    /* not JSON, not an object, duplicates, too long */
    ck_assert_int_eq(keystore_decrypt("{", 1, "pw", 2, sk), ERR_DECODE);
    ck_assert_int_eq(keystore_decrypt("", 0, "pw", 2, sk), ERR_DECODE);
    ck_assert_int_eq(keystore_decrypt("[1,2]", 5, "pw", 2, sk), ERR_INVAL);
    const char *dup = "{\"version\":3,\"version\":3}";
    ck_assert_int_eq(keystore_decrypt(dup, strlen(dup), "pw", 2, sk), ERR_DECODE);
    static char huge[KEYSTORE_MAX_JSON + 2];
    memset(huge, ' ', sizeof huge);
    ck_assert_int_eq(keystore_decrypt(huge, sizeof huge, "pw", 2, sk), ERR_RANGE);
    /* a NUL inside the text is not the end of the text */
    char *nul = strdup(base);
    nul[5] = 0;
    ck_assert_int_eq(keystore_decrypt(nul, strlen(base), "pw", 2, sk), ERR_DECODE);
    free(nul);

    /* version */
    ck_assert_int_eq(decrypt_with(base, "version", NULL), ERR_INVAL);
    ck_assert_int_eq(decrypt_with(base, "version", json_integer(4)), ERR_UNSUPPORTED);
    ck_assert_int_eq(decrypt_with(base, "version", json_integer(1)), ERR_UNSUPPORTED);
    ck_assert_int_eq(decrypt_with(base, "version", json_string("3")), ERR_UNSUPPORTED);
    /* missing and mistyped fields, each named in the message */
    ck_assert_int_eq(decrypt_with(base, "crypto", NULL), ERR_INVAL);
    ck_assert_int_eq(decrypt_with(base, "crypto", json_string("x")), ERR_INVAL);
    ck_assert_int_eq(decrypt_with(base, "crypto.mac", NULL), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "crypto.mac"));
    ck_assert_int_eq(decrypt_with(base, "crypto.cipherparams", NULL), ERR_INVAL);
    ck_assert_int_eq(decrypt_with(base, "crypto.cipherparams.iv", json_integer(5)), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "crypto.cipherparams.iv"));
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams", NULL), ERR_INVAL);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.salt", NULL), ERR_INVAL);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.n", json_string("1024")), ERR_INVAL);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.n", json_real(1024.0)), ERR_INVAL);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.r", json_integer(-1)), ERR_INVAL);
    /* unknown algorithms */
    ck_assert_int_eq(decrypt_with(base, "crypto.cipher", json_string("aes-256-ctr")), ERR_UNSUPPORTED);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdf", json_string("argon2id")), ERR_UNSUPPORTED);
    /* bad hex and wrong lengths */
    ck_assert_int_eq(decrypt_with(base, "crypto.ciphertext", json_string("zz")), ERR_DECODE);
    ck_assert_int_eq(decrypt_with(base, "crypto.ciphertext", json_string(
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddee")), ERR_DECODE);
    ck_assert_int_eq(decrypt_with(base, "crypto.cipherparams.iv", json_string(
        "00112233445566778899aabbccddee")), ERR_DECODE);
    ck_assert_int_eq(decrypt_with(base, "crypto.mac", json_string("0g")), ERR_DECODE);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.salt", json_string("abc")), ERR_DECODE);
    char *longsalt = malloc(2 * (KDF_MAX_SALT + 1) + 1);
    memset(longsalt, 'a', 2 * (KDF_MAX_SALT + 1));
    longsalt[2 * (KDF_MAX_SALT + 1)] = 0;
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.salt", json_string(longsalt)), ERR_RANGE);
    free(longsalt);
    /* KDF parameters: malformed, too costly (refused at once, not run) */
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.n", json_integer(1000)), ERR_INVAL);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.n", json_integer(0)), ERR_INVAL);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.n", json_integer(1ll << 40)), ERR_RANGE);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.p", json_integer(1 << 30)), ERR_RANGE);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.r", json_integer(0)), ERR_INVAL);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.dklen", json_integer(16)), ERR_INVAL);
    ck_assert_int_eq(decrypt_with(base, "crypto.kdfparams.dklen", json_integer(1 << 20)), ERR_RANGE);
    free(base);
}
END_TEST

START_TEST(hostile_pbkdf2_params)
{
    const char *fmt =
        "{\"version\":3,\"crypto\":{\"cipher\":\"aes-128-ctr\","
        "\"cipherparams\":{\"iv\":\"00000000000000000000000000000000\"},"
        "\"ciphertext\":\"0000000000000000000000000000000000000000000000000000000000000000\","
        "\"kdf\":\"pbkdf2\",\"kdfparams\":{\"c\":%s,\"dklen\":32,\"prf\":\"%s\",\"salt\":\"00\"},"
        "\"mac\":\"0000000000000000000000000000000000000000000000000000000000000000\"}}";
    char text[1024];
    uint8_t sk[32];
    snprintf(text, sizeof text, fmt, "1099511627776", "hmac-sha256"); /* 2^40 */
    ck_assert_int_eq(keystore_decrypt(text, strlen(text), "pw", 2, sk), ERR_RANGE);
    snprintf(text, sizeof text, fmt, "0", "hmac-sha256");
    ck_assert_int_eq(keystore_decrypt(text, strlen(text), "pw", 2, sk), ERR_INVAL);
    snprintf(text, sizeof text, fmt, "1", "hmac-sha512");
    ck_assert_int_eq(keystore_decrypt(text, strlen(text), "pw", 2, sk), ERR_UNSUPPORTED);
    /* well-formed: runs the KDF, then fails the MAC */
    snprintf(text, sizeof text, fmt, "1", "hmac-sha256");
    ck_assert_int_eq(keystore_decrypt(text, strlen(text), "pw", 2, sk), ERR_CRYPTO);
}
END_TEST

START_TEST(kdf_cost_limit)
{
    char *base = make_base(); /* cost 128·1024 = 128 KiB */
    uint8_t sk[32];
    keystore_set_max_kdf_cost(64 * 1024, 1000);
    ck_assert_int_eq(keystore_decrypt(base, strlen(base), "pw", 2, sk), ERR_RANGE);
    keystore_set_max_kdf_cost(128 * 1024, 1000);
    ck_assert_int_eq(keystore_decrypt(base, strlen(base), "pw", 2, sk), 0);
    keystore_set_max_kdf_cost(0, 0); /* back to the hard limits */
    ck_assert_int_eq(keystore_decrypt(base, strlen(base), "pw", 2, sk), 0);
    free(base);
}
END_TEST

START_TEST(encrypt_rejects_bad_input)
{
    uint8_t zero[32] = {0}, sk[32];
    char *text = (char *)1;
    ck_assert_int_eq(keystore_encrypt(zero, "pw", 2, &FAST, &text, NULL), ERR_INVAL);
    ck_assert_ptr_null(text);
    test_key(sk);
    struct keystore_scrypt_params bad = {1000, 1, 1};
    ck_assert_int_eq(keystore_encrypt(sk, "pw", 2, &bad, &text, NULL), ERR_INVAL);
    struct keystore_scrypt_params costly = {1u << 24, 8, 1};
    ck_assert_int_eq(keystore_encrypt(sk, "pw", 2, &costly, &text, NULL), ERR_RANGE);
}
END_TEST

TCase *tcase_keystore(void)
{
    TCase *tc = tcase_create("keystore");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, encrypt_decrypt_round_trip);
    tcase_add_test(tc, wrong_password_and_tampering);
    tcase_add_test(tc, hand_built_file);
    tcase_add_test(tc, hostile_files);
    tcase_add_test(tc, hostile_pbkdf2_params);
    tcase_add_test(tc, kdf_cost_limit);
    tcase_add_test(tc, encrypt_rejects_bad_input);
    return tc;
}
