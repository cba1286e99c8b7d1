/*
 * test_rpc_personal.c — the pure parts behind personal_, eth_sign, admin_
 * and relay_:
 *  - signed messages (rpc/ethmsg.h): the "\x19Ethereum Signed Message:\n"
 *    hash and recovery, against the web3.js documentation's vector (key
 *    0x4c08…2318 signing "Some data"), and geth's V rule;
 *  - one-use keys (wallet_key_*): a wrong passphrase is refused, the right
 *    one signs exactly the web3.js signature (RFC 6979 is deterministic),
 *    and the account stays locked;
 *  - ProxyToken (rpc/proxytoken.h): the signed hash and digest rebuilt here
 *    byte by byte, the mapping keys, the call data round trip, and the
 *    runtime code hash against share/contracts/ProxyToken.json.
 */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "rpc/ethmsg.h"
#include "rpc/proxytoken.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/hex.h"
#include "wallet/wallet.h"

static void unhex(const char *s, uint8_t *out, size_t n)
{
    if (s[0] == '0' && s[1] == 'x')
        s += 2;
    ck_assert_msg(hex_decode_exact(s, strlen(s), out, n) == 0, "bad hex in test: %s", s);
}

static struct address addr(const char *s)
{
    struct address a;
    ck_assert_int_eq(address_from_hex(&a, s, strlen(s)), 0);
    return a;
}

/* web3.js docs, web3.eth.accounts.sign("Some data", key). */
#define W3_KEY "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
#define W3_ADDR "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"
#define W3_HASH "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655"
#define W3_SIG                                                                                 \
    "b91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422f" \
    "c2da167c747ef045e5d18a5f5d4300f8e1a0291c"

/* ---- signed messages ------------------------------------------------------------ */

START_TEST(message_hash_has_the_prefix_and_decimal_length)
{
    uint8_t h[32], want[32];
    rpc_msg_hash((const uint8_t *)"Some data", 9, h);
    unhex(W3_HASH, want, 32);
    ck_assert_mem_eq(h, want, 32);

    /* Built by hand: prefix, "0" for the empty message. */
    const char *manual = "\x19" "Ethereum Signed Message:\n0";
    keccak256(manual, strlen(manual), want);
    rpc_msg_hash(NULL, 0, h);
    ck_assert_mem_eq(h, want, 32);

    /* A length of several digits. */
    uint8_t big[1000];
    memset(big, 0xab, sizeof big);
    uint8_t buf[26 + 4 + 1000];
    memcpy(buf, "\x19" "Ethereum Signed Message:\n1000", 30);
    memcpy(buf + 30, big, sizeof big);
    keccak256(buf, sizeof buf, want);
    rpc_msg_hash(big, sizeof big, h);
    ck_assert_mem_eq(h, want, 32);
}
END_TEST

START_TEST(recover_the_web3_vector_and_refuse_bad_v)
{
    uint8_t sig[65];
    unhex(W3_SIG, sig, 65);
    struct address a, want = addr(W3_ADDR);
    ck_assert_int_eq(rpc_msg_recover((const uint8_t *)"Some data", 9, sig, &a), 0);
    ck_assert(address_eq(&a, &want));

    /* Another message recovers another key. */
    ck_assert_int_eq(rpc_msg_recover((const uint8_t *)"Some datA", 9, sig, &a), 0);
    ck_assert(!address_eq(&a, &want));

    /* geth takes only 27/28. */
    for (int v = 0; v < 256; v++) {
        if (v == 27 || v == 28)
            continue;
        sig[64] = (uint8_t)v;
        ck_assert_int_eq(rpc_msg_recover((const uint8_t *)"Some data", 9, sig, &a), ERR_INVAL);
    }
    ck_assert_str_eq(err_msg(), "invalid Ethereum signature (V is not 27 or 28)");

    /* r = 0 recovers nothing. */
    unhex(W3_SIG, sig, 65);
    memset(sig, 0, 32);
    ck_assert_int_eq(rpc_msg_recover((const uint8_t *)"Some data", 9, sig, &a), ERR_CRYPTO);
}
END_TEST

/* ---- one-use keys ------------------------------------------------------------------ */

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

START_TEST(one_use_key_signs_without_unlocking)
{
    char tmp[] = "/tmp/test_rpc_personal.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    char ks[256];
    snprintf(ks, sizeof ks, "%s/keystore", tmp);
    struct wallet *w;
    ck_assert_msg(wallet_open(ks, &w) == 0, "%s", err_msg());
    uint8_t sk[32];
    unhex(W3_KEY, sk, 32);
    struct address a, want = addr(W3_ADDR);
    ck_assert_int_eq(wallet_import_key(w, sk, "pass", WALLET_KDF_LIGHT, &a), 0);
    ck_assert(address_eq(&a, &want));

    struct wallet_key *k = (struct wallet_key *)1;
    ck_assert_int_eq(wallet_key_decrypt(w, &a, "wrong", &k), ERR_INVAL);
    ck_assert_ptr_null(k);
    ck_assert_str_eq(err_msg(), "could not decrypt key with given password");
    struct address other = addr("0x0000000000000000000000000000000000000001");
    ck_assert_int_eq(wallet_key_decrypt(w, &other, "pass", &k), ERR_NOTFOUND);

    ck_assert_int_eq(wallet_key_decrypt(w, &a, "pass", &k), 0);
    uint8_t h[32], sig[65], web3[65];
    rpc_msg_hash((const uint8_t *)"Some data", 9, h);
    ck_assert_int_eq(wallet_key_sign_hash(k, h, sig), 0);
    unhex(W3_SIG, web3, 65);
    ck_assert_mem_eq(sig, web3, 65);
    wallet_key_free(k);

    /* The account never joined the unlocked set. */
    ck_assert(!wallet_is_unlocked(w, &a));
    ck_assert_int_eq(wallet_sign_hash(w, &a, h, sig), ERR_BADSTATE);
    wallet_free(w);
    remove_dir(ks);
    rmdir(tmp);
}
END_TEST

/* ---- ProxyToken -------------------------------------------------------------------------- */

static struct proxy_transfer sample(void)
{
    struct proxy_transfer t;
    t.token = addr("0x5350454300000000000000000000000000000abc");
    t.from = addr(W3_ADDR);
    t.to = addr("0x0436b41bf91ea2b181cd4ce8918b0cfd320d884c");
    t.value = u256_from_u64(1000000);
    t.fee = u256_from_u64(25);
    t.value.w[3] = 0x0102030405060708ull; /* every byte of the word matters */
    return t;
}

START_TEST(proxy_hash_is_the_packed_keccak_under_the_prefix)
{
    struct proxy_transfer t = sample();
    u256 nonce = u256_from_u64(7);
    uint8_t hash[32], digest[32];
    proxytoken_hash(&t, &nonce, hash, digest);

    /* abi.encodePacked(address(this), from, to, value, fee, nonce) */
    uint8_t packed[156], want[32];
    memcpy(packed, t.token.b, 20);
    memcpy(packed + 20, t.from.b, 20);
    memcpy(packed + 40, t.to.b, 20);
    u256_to_be(&t.value, packed + 60);
    u256_to_be(&t.fee, packed + 92);
    memset(packed + 124, 0, 32);
    packed[155] = 7;
    keccak256(packed, sizeof packed, want);
    ck_assert_mem_eq(hash, want, 32);

    /* The digest is eth_sign's hash of the 32-byte hash. */
    rpc_msg_hash(hash, 32, want);
    ck_assert_mem_eq(digest, want, 32);

    /* Each field and the nonce change it. */
    uint8_t h2[32], d2[32];
    nonce = u256_from_u64(8);
    proxytoken_hash(&t, &nonce, h2, d2);
    ck_assert(memcmp(h2, hash, 32) != 0);
    nonce = u256_from_u64(7);
    t.fee = u256_from_u64(26);
    proxytoken_hash(&t, &nonce, h2, d2);
    ck_assert(memcmp(h2, hash, 32) != 0);
    t = sample();
    t.token.b[19] ^= 1;
    proxytoken_hash(&t, &nonce, h2, d2);
    ck_assert(memcmp(h2, hash, 32) != 0);
}
END_TEST

START_TEST(mapping_keys_follow_solidity)
{
    struct address a = addr(W3_ADDR);
    uint8_t buf[64], h[32], got[32];
    memset(buf, 0, 64);
    memcpy(buf + 12, a.b, 20);
    for (unsigned slot = 0; slot < 5; slot++) {
        buf[63] = (uint8_t)slot;
        keccak256(buf, 64, h);
        u256 key;
        proxytoken_mapping_key(&a, slot, &key);
        u256_to_be(&key, got);
        ck_assert_mem_eq(got, h, 32);
    }
}
END_TEST

START_TEST(calldata_round_trip)
{
    struct proxy_transfer t = sample();
    uint8_t sig[65];
    for (int i = 0; i < 64; i++)
        sig[i] = (uint8_t)(i + 1);
    sig[64] = 28;
    struct bytes d = BYTES_INIT;
    ck_assert_int_eq(proxytoken_calldata(&t, sig, &d), 0);
    ck_assert_uint_eq(d.len, PROXYTOKEN_CALLDATA_LEN);
    /* The selector is keccak256 of the signature. */
    const char *proto = "transferProxy(address,address,uint256,uint256,uint8,bytes32,bytes32)";
    uint8_t h[32];
    keccak256(proto, strlen(proto), h);
    ck_assert_mem_eq(d.data, h, 4);
    ck_assert_uint_eq(d.data[4 + 4 * 32 + 31], 28);     /* v word */
    ck_assert_mem_eq(d.data + 4 + 5 * 32, sig, 32);     /* r */
    ck_assert_mem_eq(d.data + 4 + 6 * 32, sig + 32, 32); /* s */

    struct proxy_transfer back;
    memset(&back, 0, sizeof back);
    back.token = t.token;
    ck_assert_int_eq(proxytoken_parse_calldata(d.data, d.len, &back), 0);
    ck_assert(address_eq(&back.from, &t.from));
    ck_assert(address_eq(&back.to, &t.to));
    ck_assert(u256_eq(&back.value, &t.value));
    ck_assert(u256_eq(&back.fee, &t.fee));

    /* Other data is not a transferProxy call. */
    ck_assert_int_eq(proxytoken_parse_calldata(d.data, d.len - 1, &back), ERR_DECODE);
    d.data[4 + 11] = 1; /* a high byte in the `from` word */
    ck_assert_int_eq(proxytoken_parse_calldata(d.data, d.len, &back), ERR_DECODE);
    d.data[4 + 11] = 0;
    d.data[0] ^= 1;
    ck_assert_int_eq(proxytoken_parse_calldata(d.data, d.len, &back), ERR_DECODE);
    ck_assert_int_eq(proxytoken_parse_calldata(NULL, 0, &back), ERR_DECODE);
    bytes_free(&d);
}
END_TEST

START_TEST(code_hash_matches_the_artifact)
{
    const char *top = getenv("top_srcdir");
    char path[4096];
    snprintf(path, sizeof path, "%s/share/contracts/ProxyToken.json", top ? top : ".");
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    ck_assert_msg(j != NULL, "%s: %s", path, e.text);
    const char *code = json_string_value(json_object_get(j, "deployedBytecode"));
    ck_assert_ptr_nonnull(code);
    if (code[0] == '0' && code[1] == 'x')
        code += 2;
    size_t n = strlen(code) / 2;
    uint8_t *b = malloc(n);
    ck_assert_int_eq(hex_decode_exact(code, strlen(code), b, n), 0);
    uint8_t h[32];
    keccak256(b, n, h);
    ck_assert_msg(memcmp(h, proxytoken_code_hash, 32) == 0,
                  "proxytoken_code_hash is stale: regenerate it from %s", path);
    free(b);
    json_decref(j);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rpc_personal");
    TCase *tc = tcase_create("messages");
    tcase_add_test(tc, message_hash_has_the_prefix_and_decimal_length);
    tcase_add_test(tc, recover_the_web3_vector_and_refuse_bad_v);
    tcase_add_test(tc, one_use_key_signs_without_unlocking);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    tc = tcase_create("proxytoken");
    tcase_add_test(tc, proxy_hash_is_the_packed_keccak_under_the_prefix);
    tcase_add_test(tc, mapping_keys_follow_solidity);
    tcase_add_test(tc, calldata_round_trip);
    tcase_add_test(tc, code_hash_matches_the_artifact);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
