/* test_crypto_hash.c — SHA-256, SHA-512, RIPEMD-160, HMAC-SHA256 and AES-CTR
 * against published vectors (FIPS 180-2 examples, the RIPEMD-160 authors'
 * page, RFC 4231, NIST SP 800-38A F.5). */
#include <check.h>
#include <string.h>

#include "crypto/aes.h"
#include "crypto/hash.h"
#include "util/err.h"
#include "util/hex.h"

TCase *tcase_hash(void);

static void unhex(const char *s, uint8_t *out, size_t len)
{
    ck_assert_int_eq(hex_decode_exact(s, strlen(s), out, len), 0);
}

static void assert_bytes(const uint8_t *got, size_t n, const char *want)
{
    char hex[2 * 64 + 1];
    ck_assert_uint_le(n, 64);
    hex_encode(hex, got, n);
    ck_assert_str_eq(hex, want);
}

START_TEST(sha2_vectors)
{
    uint8_t h[64];
    ck_assert_int_eq(sha256(NULL, 0, h), 0);
    assert_bytes(h, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ck_assert_int_eq(sha256("abc", 3, h), 0);
    assert_bytes(h, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ck_assert_int_eq(sha512("abc", 3, h), 0);
    assert_bytes(h, 64, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}
END_TEST

START_TEST(ripemd160_vectors)
{
    uint8_t h[20];
    ck_assert_int_eq(ripemd160(NULL, 0, h), 0);
    assert_bytes(h, 20, "9c1185a5c5e9fc54612808977ee8f548b2258d31");
    ck_assert_int_eq(ripemd160("abc", 3, h), 0);
    assert_bytes(h, 20, "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
    ck_assert_int_eq(ripemd160("message digest", 14, h), 0);
    assert_bytes(h, 20, "5d0689ef49d2fae572b881b123a85ffa21595f36");
}
END_TEST

START_TEST(hmac_sha256_rfc4231)
{
    uint8_t key[131], mac[32];
    memset(key, 0x0b, 20);
    ck_assert_int_eq(hmac_sha256(key, 20, "Hi There", 8, mac), 0);
    assert_bytes(mac, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    const char *data = "what do ya want for nothing?";
    ck_assert_int_eq(hmac_sha256("Jefe", 4, data, strlen(data), mac), 0);
    assert_bytes(mac, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* test case 6: a key longer than the block is hashed first */
    memset(key, 0xaa, sizeof key);
    data = "Test Using Larger Than Block-Size Key - Hash Key First";
    ck_assert_int_eq(hmac_sha256(key, sizeof key, data, strlen(data), mac), 0);
    assert_bytes(mac, 32, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}
END_TEST

START_TEST(aes_ctr_sp800_38a)
{
    uint8_t key[16], iv[16], pt[32], ct[32], back[32];
    unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
    unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", iv, 16);
    unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51", pt, 32);
    ck_assert_int_eq(aes_ctr(key, 16, iv, pt, 32, ct), 0);
    assert_bytes(ct, 32, "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff");
    /* decryption is the same operation; in place works */
    memcpy(back, ct, 32);
    ck_assert_int_eq(aes_ctr(key, 16, iv, back, 32, back), 0);
    ck_assert_mem_eq(back, pt, 32);
    /* AES-256-CTR, F.5.5 first block */
    uint8_t key256[32];
    unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", key256, 32);
    ck_assert_int_eq(aes_ctr(key256, 32, iv, pt, 16, ct), 0);
    assert_bytes(ct, 16, "601ec313775789a5b7a7f504bbf3d228");
    /* other key lengths are refused */
    ck_assert_int_eq(aes_ctr(key, 15, iv, pt, 16, ct), ERR_INVAL);
    ck_assert_int_eq(aes_ctr(key256, 33, iv, pt, 16, ct), ERR_INVAL);
}
END_TEST

TCase *tcase_hash(void)
{
    TCase *tc = tcase_create("hash");
    tcase_add_test(tc, sha2_vectors);
    tcase_add_test(tc, ripemd160_vectors);
    tcase_add_test(tc, hmac_sha256_rfc4231);
    tcase_add_test(tc, aes_ctr_sp800_38a);
    return tc;
}
