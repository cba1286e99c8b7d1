/* test_crypto_kdf.c — PBKDF2-HMAC-SHA256 and scrypt: published vectors
 * (RFC 6070's cases recomputed for SHA-256, RFC 7914 §11–§12), the in-tree
 * scrypt core against OpenSSL's, and the parameter bounds that protect us
 * from hostile keystore files. */
#include <check.h>
#include <string.h>

#include "crypto/kdf.h"
#include "crypto/ossl.h"
#include "util/err.h"
#include "util/hex.h"

TCase *tcase_kdf(void);

static void assert_bytes(const uint8_t *got, size_t n, const char *want)
{
    char hex[2 * 64 + 1];
    ck_assert_uint_le(n, 64);
    hex_encode(hex, got, n);
    ck_assert_str_eq(hex, want);
}

START_TEST(pbkdf2_sha256_vectors)
{
    uint8_t dk[64];
    /* RFC 6070's inputs with HMAC-SHA256 (values as published for SHA-256
     * and reproduced by Python's hashlib) */
    ck_assert_int_eq(kdf_pbkdf2_sha256("password", 8, (const uint8_t *)"salt", 4, 1, dk, 32), 0);
    assert_bytes(dk, 32, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
    ck_assert_int_eq(kdf_pbkdf2_sha256("password", 8, (const uint8_t *)"salt", 4, 2, dk, 32), 0);
    assert_bytes(dk, 32, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
    ck_assert_int_eq(kdf_pbkdf2_sha256("password", 8, (const uint8_t *)"salt", 4, 4096, dk, 32), 0);
    assert_bytes(dk, 32, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
    const char *pw = "passwordPASSWORDpassword", *salt = "saltSALTsaltSALTsaltSALTsaltSALTsalt";
    ck_assert_int_eq(kdf_pbkdf2_sha256(pw, strlen(pw), (const uint8_t *)salt, strlen(salt), 4096,
                                       dk, 40), 0);
    assert_bytes(dk, 40, "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9");
    /* RFC 7914 §11 */
    ck_assert_int_eq(kdf_pbkdf2_sha256("passwd", 6, (const uint8_t *)"salt", 4, 1, dk, 64), 0);
    assert_bytes(dk, 64, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                         "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
}
END_TEST

START_TEST(scrypt_rfc7914_vectors)
{
    uint8_t dk[64];
    ck_assert_int_eq(kdf_scrypt("", 0, NULL, 0, 16, 1, 1, dk, 64), 0);
    assert_bytes(dk, 64, "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
                         "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
    ck_assert_int_eq(kdf_scrypt("password", 8, (const uint8_t *)"NaCl", 4, 1024, 8, 16, dk, 64), 0);
    assert_bytes(dk, 64, "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                         "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
    ck_assert_int_eq(kdf_scrypt("pleaseletmein", 13, (const uint8_t *)"SodiumChloride", 14, 16384,
                                8, 1, dk, 64), 0);
    assert_bytes(dk, 64, "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
                         "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
}
END_TEST

START_TEST(scrypt_matches_openssl)
{
    /* Where OpenSSL accepts the parameters (it also requires n < 2^(16r)),
     * both implementations must agree. */
    static const struct { uint64_t n, r, p; size_t dklen; } cases[] = {
        {2, 1, 1, 32}, {4, 2, 3, 16}, {256, 1, 1, 32}, {1024, 3, 2, 48}, {8, 8, 1, 100},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t a[128], b[128];
        ck_assert_int_eq(kdf_scrypt("pw", 2, (const uint8_t *)"na", 2, cases[i].n, cases[i].r,
                                    cases[i].p, a, cases[i].dklen), 0);
        ck_assert(EVP_PBE_scrypt("pw", 2, (const unsigned char *)"na", 2, cases[i].n, cases[i].r,
                                 cases[i].p, 64u << 20, b, cases[i].dklen));
        ck_assert_msg(memcmp(a, b, cases[i].dklen) == 0, "case %zu", i);
    }
    /* n = 2^16 with r = 1 is past OpenSSL's limit but valid scrypt (geth
     * keystores use such parameters): it must derive, and differ from n/2. */
    uint8_t x[32], y[32];
    ck_assert_int_eq(kdf_scrypt("pw", 2, (const uint8_t *)"na", 2, 1u << 16, 1, 1, x, 32), 0);
    ck_assert_int_eq(kdf_scrypt("pw", 2, (const uint8_t *)"na", 2, 1u << 15, 1, 1, y, 32), 0);
    ck_assert(memcmp(x, y, 32) != 0);
}
END_TEST

START_TEST(scrypt_parameter_bounds)
{
    uint8_t dk[32];
    /* n must be a power of two greater than 1 */
    ck_assert_int_eq(kdf_scrypt_check(0, 1, 1, 32), ERR_INVAL);
    ck_assert_int_eq(kdf_scrypt_check(1, 1, 1, 32), ERR_INVAL);
    ck_assert_int_eq(kdf_scrypt_check(3, 1, 1, 32), ERR_INVAL);
    ck_assert_int_eq(kdf_scrypt_check(1000, 1, 1, 32), ERR_INVAL);
    ck_assert_int_eq(kdf_scrypt_check(2, 1, 1, 32), 0);
    /* r, p at least 1, r·p below 2^30 */
    ck_assert_int_eq(kdf_scrypt_check(16, 0, 1, 32), ERR_INVAL);
    ck_assert_int_eq(kdf_scrypt_check(16, 1, 0, 32), ERR_INVAL);
    ck_assert_int_eq(kdf_scrypt_check(2, 1u << 15, 1u << 15, 32), ERR_RANGE);
    ck_assert_int_eq(kdf_scrypt_check(2, UINT64_MAX, UINT64_MAX, 32), ERR_RANGE);
    /* 128·n·r·p ≤ 1 GiB: 2^20·8 is exactly at the limit, twice that is not */
    ck_assert_int_eq(kdf_scrypt_check(1u << 20, 8, 1, 32), 0);
    ck_assert_int_eq(kdf_scrypt_check(1u << 21, 8, 1, 32), ERR_RANGE);
    ck_assert_int_eq(kdf_scrypt_check(1u << 18, 8, 8, 32), ERR_RANGE);
    ck_assert_int_eq(kdf_scrypt_check(1ull << 62, 1, 1, 32), ERR_RANGE);
    /* dklen */
    ck_assert_int_eq(kdf_scrypt_check(16, 1, 1, 0), ERR_INVAL);
    ck_assert_int_eq(kdf_scrypt_check(16, 1, 1, KDF_MAX_DKLEN + 1), ERR_RANGE);
    /* kdf_scrypt applies the same checks before allocating anything */
    ck_assert_int_eq(kdf_scrypt("p", 1, NULL, 0, 1ull << 40, 8, 1, dk, 32), ERR_RANGE);
    ck_assert_int_eq(kdf_scrypt("p", 1, NULL, 0, 3, 8, 1, dk, 32), ERR_INVAL);
    /* oversized salt and password */
    static uint8_t big[KDF_MAX_PASSWORD + 1];
    ck_assert_int_eq(kdf_scrypt("p", 1, big, KDF_MAX_SALT + 1, 16, 1, 1, dk, 32), ERR_RANGE);
    ck_assert_int_eq(kdf_scrypt(big, sizeof big, NULL, 0, 16, 1, 1, dk, 32), ERR_RANGE);
}
END_TEST

START_TEST(pbkdf2_parameter_bounds)
{
    uint8_t dk[32];
    ck_assert_int_eq(kdf_pbkdf2_check(0, 32), ERR_INVAL);
    ck_assert_int_eq(kdf_pbkdf2_check(KDF_PBKDF2_MAX_ITER, 32), 0);
    ck_assert_int_eq(kdf_pbkdf2_check(KDF_PBKDF2_MAX_ITER + 1ull, 32), ERR_RANGE);
    ck_assert_int_eq(kdf_pbkdf2_check(UINT64_MAX, 32), ERR_RANGE);
    ck_assert_int_eq(kdf_pbkdf2_check(1, 0), ERR_INVAL);
    ck_assert_int_eq(kdf_pbkdf2_check(1, KDF_MAX_DKLEN + 1), ERR_RANGE);
    ck_assert_int_eq(kdf_pbkdf2_sha256("p", 1, NULL, 0, 1ull << 40, dk, 32), ERR_RANGE);
    ck_assert_int_eq(kdf_pbkdf2_sha256("p", 1, NULL, 0, 0, dk, 32), ERR_INVAL);
    static uint8_t salt[KDF_MAX_SALT + 1];
    ck_assert_int_eq(kdf_pbkdf2_sha256("p", 1, salt, sizeof salt, 1, dk, 32), ERR_RANGE);
}
END_TEST

TCase *tcase_kdf(void)
{
    TCase *tc = tcase_create("kdf");
    tcase_set_timeout(tc, 60); /* scrypt vectors take ~0.1 s, more under sanitizers */
    tcase_add_test(tc, pbkdf2_sha256_vectors);
    tcase_add_test(tc, scrypt_rfc7914_vectors);
    tcase_add_test(tc, scrypt_matches_openssl);
    tcase_add_test(tc, scrypt_parameter_bounds);
    tcase_add_test(tc, pbkdf2_parameter_bounds);
    return tc;
}
