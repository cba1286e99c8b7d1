/* test_header.c — unit tests for block headers and blocks: real mainnet
 * vectors (decode, re-encode, hash), the Tribe seal hash, block and body
 * round trips, and hostile header and body bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "primitives/block.h"
#include "primitives/header.h"
#include "util/err.h"
#include "util/hex.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    ck_assert_int_eq(hex_decode(s, strlen(s), out, cap, &n), 0);
    return n;
}

static void assert_hash(const struct hash32 *h, const char *want)
{
    char got[65];
    hex_encode(got, h->b, 32);
    ck_assert_str_eq(got, want);
}

/* Ethereum mainnet genesis header: the first item of genesis_rlp_hex in
 * ethereum-tests BasicTests/genesishashestest.json; its hash is the
 * well-known d4e56740...8fa3 (genesis_hash in the same file). */
static const char GENESIS[] =
    "f90214a00000000000000000000000000000000000000000000000000000000000000000a01dcc4de8dec75d7aab85b5"
    "67b6ccd41ad312451b948a7413f0a142fd40d49347940000000000000000000000000000000000000000a0d7f8974fb5"
    "ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544a056e81f171bcc55a6ff8345e692c0f86e5b48e01b"
    "996cadc001622fb5e363b421a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421b90100"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000850400000000808213888080a011bbe8db4e347b4e8c937c1c8370e4b5ed33ad"
    "b3db69cbdb7a38e1e50b1b82faa000000000000000000000000000000000000000000000000000000000000000008800"
    "00000000000042";
static const char GENESIS_HASH[] = "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3";

START_TEST(mainnet_genesis_round_trip)
{
    static uint8_t in[1024];
    size_t n = unhex(GENESIS, in, sizeof in);
    struct header h;
    ck_assert_int_eq(header_decode(in, n, &h), 0);
    ck_assert_uint_eq(h.number, 0);
    ck_assert_uint_eq(h.gas_limit, 5000);
    ck_assert_uint_eq(h.gas_used, 0);
    ck_assert_uint_eq(h.time, 0);
    ck_assert(u256_fits_u64(&h.difficulty) && h.difficulty.w[0] == 0x400000000ull);
    ck_assert_uint_eq(h.extra_len, 32);
    ck_assert_int_eq(h.extra[0], 0x11);
    ck_assert_int_eq(h.nonce[7], 0x42);
    struct hash32 hash;
    ck_assert_int_eq(header_hash(&h, &hash), 0);
    assert_hash(&hash, GENESIS_HASH);
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(header_encode(&h, &b), 0);
    ck_assert_uint_eq(b.len, n);
    ck_assert_mem_eq(b.data, in, n);
    /* 32 bytes of extra: no room for a seal */
    ck_assert_int_eq(header_seal_hash(&h, &hash), ERR_RANGE);
    bytes_free(&b);
    header_free(&h);
}
END_TEST

static void set_hash(struct hash32 *h, const char *hex)
{
    ck_assert_int_eq(hex_decode_exact(hex, strlen(hex), h->b, 32), 0);
}

START_TEST(mainnet_block1_from_fields)
{
    /* Ethereum mainnet block 1, field by field; only the hash is compared,
     * so a single wrong field would fail the test. */
    struct header h;
    memset(&h, 0, sizeof h);
    set_hash(&h.parent_hash, GENESIS_HASH);
    set_hash(&h.uncle_hash, "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
    ck_assert_int_eq(address_from_hex(&h.coinbase, "05a56e2d52c817161883f50c441c3228cfe54d9f", 40), 0);
    set_hash(&h.state_root, "d67e4d450343046425ae4271474353857ab860dbc0a1dde64b41b5cd3a532bf3");
    set_hash(&h.tx_root, "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
    set_hash(&h.receipt_root, "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
    h.difficulty = u256_from_u64(17171480576ull);
    h.number = 1;
    h.gas_limit = 5000;
    h.gas_used = 0;
    h.time = 1438269988;
    static const char extra[] = "Geth/v1.0.0/linux/go1.4.2";
    h.extra = (uint8_t *)extra;
    h.extra_len = strlen(extra);
    set_hash(&h.mix_digest, "969b900de27b6ac6a67742365dd65f55a0526c41fd18e1b16f1a1215c2e66f59");
    ck_assert_int_eq(hex_decode_exact("539bd4979fef1ec4", 16, h.nonce, 8), 0);
    struct hash32 hash;
    ck_assert_int_eq(header_hash(&h, &hash), 0);
    assert_hash(&hash, "88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6");

    /* and decode(encode(h)) gives the same header back */
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(header_encode(&h, &b), 0);
    struct header d;
    ck_assert_int_eq(header_decode(b.data, b.len, &d), 0);
    ck_assert_uint_eq(d.time, h.time);
    ck_assert_uint_eq(d.extra_len, h.extra_len);
    ck_assert_mem_eq(d.extra, extra, h.extra_len);
    ck_assert(address_eq(&d.coinbase, &h.coinbase));
    struct hash32 hash2;
    ck_assert_int_eq(header_hash(&d, &hash2), 0);
    ck_assert(hash32_eq(&hash, &hash2));
    header_free(&d);
    bytes_free(&b);
}
END_TEST

START_TEST(seal_hash_signs_like_tribe)
{
    static uint8_t in[1024];
    size_t n = unhex(GENESIS, in, sizeof in);
    struct header h;
    ck_assert_int_eq(header_decode(in, n, &h), 0);
    /* extra = 32-byte vanity || 65-byte seal */
    free(h.extra);
    h.extra_len = 32 + HEADER_SEAL_LEN;
    h.extra = calloc(1, h.extra_len);
    memset(h.extra, 0xab, 32);
    h.number = 7;

    struct hash32 seal, seal2, full, vanity_only;
    ck_assert_int_eq(header_seal_hash(&h, &seal), 0);
    ck_assert_int_eq(header_hash(&h, &full), 0);
    ck_assert(!hash32_eq(&seal, &full));
    /* the seal hash is the hash of the header whose extra is the vanity alone */
    struct header v;
    ck_assert_int_eq(header_copy(&v, &h), 0);
    v.extra_len = 32;
    ck_assert_int_eq(header_hash(&v, &vanity_only), 0);
    ck_assert(hash32_eq(&seal, &vanity_only));
    header_free(&v);

    /* sign it, store the signature as the seal: the seal hash does not move,
     * the block hash does, and the signer recovers from (seal hash, seal) */
    uint8_t sk[32], pub[64], sig[65];
    memset(sk, 0x11, 32);
    ck_assert_int_eq(ecdsa_sign(seal.b, sk, sig), 0);
    memcpy(h.extra + 32, sig, 65);
    ck_assert_int_eq(header_seal_hash(&h, &seal2), 0);
    ck_assert(hash32_eq(&seal, &seal2));
    struct hash32 full2;
    ck_assert_int_eq(header_hash(&h, &full2), 0);
    ck_assert(!hash32_eq(&full, &full2));
    struct address want, got;
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ecdsa_pub_to_address(pub, want.b);
    ck_assert_int_eq(ecdsa_recover_address(seal2.b, h.extra + 32, got.b), 0);
    ck_assert(address_eq(&got, &want));

    /* exactly 65 bytes of extra: the seal hash covers an empty extra */
    h.extra_len = 65;
    ck_assert_int_eq(header_seal_hash(&h, &seal), 0);
    h.extra_len = 64;
    ck_assert_int_eq(header_seal_hash(&h, &seal), ERR_RANGE);
    h.extra_len = 32 + HEADER_SEAL_LEN;
    header_free(&h);
}
END_TEST

/* Rewrites the genesis header with one field replaced by `field_hex` (an
 * encoded item) and decodes it. */
static int decode_with_field(int index, const char *field_hex, int extra_items)
{
    static uint8_t in[1024];
    size_t n = unhex(GENESIS, in, sizeof in);
    struct rlp_item list, items[HEADER_FIELDS];
    ck_assert_int_eq(rlp_decode(in, n, &list), 0);
    ck_assert_int_eq(rlp_list_exact(&list, items, HEADER_FIELDS), 0);
    struct bytes b = BYTES_INIT;
    size_t m = rlp_list_begin(&b);
    uint8_t field[512];
    for (int i = 0; i < HEADER_FIELDS; i++) {
        if (i == index) {
            if (field_hex) {
                size_t fn = unhex(field_hex, field, sizeof field);
                rlp_put_raw(&b, field, fn);
            }
        } else {
            rlp_put_raw(&b, items[i].raw, items[i].raw_len);
        }
    }
    for (int i = 0; i < extra_items; i++)
        rlp_put_u64(&b, 0);
    rlp_list_end(&b, m);
    ck_assert_int_eq(bytes_ok(&b), 0);
    struct header h;
    int rc = header_decode(b.data, b.len, &h);
    if (rc)
        ck_assert_ptr_null(h.extra);   /* a failed decode owns nothing */
    header_free(&h);
    bytes_free(&b);
    return rc;
}

START_TEST(rejects_hostile_headers)
{
    /* sanity: rebuilding without changes decodes */
    ck_assert_int_eq(decode_with_field(-1, NULL, 0), 0);
    /* 14 and 16 fields (16 = a London header with baseFee) */
    ck_assert_int_eq(decode_with_field(14, NULL, 0), ERR_DECODE);
    ck_assert_int_eq(decode_with_field(-1, NULL, 1), ERR_DECODE);
    /* 31-byte parent hash, 19-byte coinbase, 255-byte bloom, 9-byte nonce */
    ck_assert_int_eq(decode_with_field(0, "9f00000000000000000000000000000000000000000000000000000000000000", 0),
                     ERR_DECODE);
    ck_assert_int_eq(decode_with_field(2, "9300000000000000000000000000000000000000", 0), ERR_DECODE);
    char bloom[2 * 258 + 1] = "b8ff";
    memset(bloom + 4, '0', 2 * 255);
    bloom[4 + 2 * 255] = 0;
    ck_assert_int_eq(decode_with_field(6, bloom, 0), ERR_DECODE);
    ck_assert_int_eq(decode_with_field(14, "89000000000000000042", 0), ERR_DECODE);
    /* number with a leading zero, number 2^64, difficulty of 33 bytes */
    ck_assert_int_eq(decode_with_field(8, "820001", 0), ERR_DECODE);
    ck_assert_int_eq(decode_with_field(8, "89010000000000000000", 0), ERR_RANGE);
    ck_assert_int_eq(decode_with_field(7, "a1010000000000000000000000000000000000000000000000000000000000000000",
                                       0), ERR_RANGE);
    /* a list where the extra string belongs */
    ck_assert_int_eq(decode_with_field(12, "c0", 0), ERR_DECODE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "extra"));

    /* trailing byte after the header, truncated header */
    static uint8_t in[1024];
    size_t n = unhex(GENESIS, in, sizeof in);
    in[n] = 0x80;
    struct header h;
    ck_assert_int_eq(header_decode(in, n + 1, &h), ERR_DECODE);
    ck_assert_int_eq(header_decode(in, n - 1, &h), ERR_DECODE);
    ck_assert_int_eq(header_decode(in, 0, &h), ERR_DECODE);
}
END_TEST

START_TEST(minimum_sizes_are_exact)
{
    /* the bounds the body decoder divides by must be the real minimums */
    struct header h;
    memset(&h, 0, sizeof h);
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(header_encode(&h, &b), 0);
    ck_assert_uint_eq(b.len, HEADER_MIN_ENCODED_SIZE);
    struct tx t;
    memset(&t, 0, sizeof t);
    bytes_reset(&b);
    ck_assert_int_eq(tx_encode(&t, &b), 0);
    ck_assert_uint_eq(b.len, TX_MIN_ENCODED_SIZE);
    struct tx d;
    ck_assert_int_eq(tx_decode(b.data, b.len, &d), 0);
    tx_free(&d);
    bytes_free(&b);
}
END_TEST

START_TEST(genesis_block_and_bodies_round_trip)
{
    /* the whole genesis block: [header, [], []] */
    static uint8_t in[1024];
    in[0] = 0xf9;
    in[1] = 0x02;
    in[2] = 0x19;
    size_t n = 3 + unhex(GENESIS, in + 3, sizeof in - 5);
    in[n++] = 0xc0;
    in[n++] = 0xc0;
    struct block blk;
    ck_assert_int_eq(block_decode(in, n, &blk), 0);
    ck_assert_uint_eq(blk.body.tx_count, 0);
    ck_assert_uint_eq(blk.body.uncle_count, 0);
    struct hash32 hash;
    ck_assert_int_eq(header_hash(&blk.header, &hash), 0);
    assert_hash(&hash, GENESIS_HASH);
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(block_encode(&blk, &b), 0);
    ck_assert_uint_eq(b.len, n);
    ck_assert_mem_eq(b.data, in, n);

    /* a body with 3 transactions and the genesis header as an uncle */
    struct block_body body;
    memset(&body, 0, sizeof body);
    body.tx_count = 3;
    body.txs = calloc(3, sizeof *body.txs);
    uint8_t sk[32];
    memset(sk, 0x42, 32);
    for (size_t i = 0; i < 3; i++) {
        body.txs[i].nonce = i;
        body.txs[i].gas = 21000;
        body.txs[i].has_to = i != 1;
        ck_assert_int_eq(tx_sign(&body.txs[i], sk, i == 2 ? 1 : 0), 0);
    }
    body.uncle_count = 1;
    body.uncles = calloc(1, sizeof *body.uncles);
    ck_assert_int_eq(header_copy(&body.uncles[0], &blk.header), 0);
    bytes_reset(&b);
    ck_assert_int_eq(block_body_encode(&body, &b), 0);
    struct block_body d;
    ck_assert_int_eq(block_body_decode(b.data, b.len, &d), 0);
    ck_assert_uint_eq(d.tx_count, 3);
    ck_assert_uint_eq(d.uncle_count, 1);
    ck_assert(!d.txs[1].has_to);
    ck_assert_uint_eq(d.txs[2].nonce, 2);
    ck_assert_mem_eq(d.txs[2].s, body.txs[2].s, 32);
    ck_assert_int_eq(header_hash(&d.uncles[0], &hash), 0);
    assert_hash(&hash, GENESIS_HASH);
    struct bytes b2 = BYTES_INIT;
    ck_assert_int_eq(block_body_encode(&d, &b2), 0);
    ck_assert_uint_eq(b2.len, b.len);
    ck_assert_mem_eq(b2.data, b.data, b.len);

    /* the same lists after a header make a block */
    header_free(&blk.header);
    block_body_free(&blk.body);
    blk.body = body;
    ck_assert_int_eq(header_copy(&blk.header, &body.uncles[0]), 0);
    bytes_reset(&b2);
    ck_assert_int_eq(block_encode(&blk, &b2), 0);
    struct block blk2;
    ck_assert_int_eq(block_decode(b2.data, b2.len, &blk2), 0);
    ck_assert_uint_eq(blk2.body.tx_count, 3);
    ck_assert_uint_eq(blk2.body.uncle_count, 1);
    block_free(&blk2);
    block_free(&blk);
    block_body_free(&d);
    bytes_free(&b);
    bytes_free(&b2);
}
END_TEST

/* Decodes a body given as hex; checks a failure owns nothing. */
static int decode_body_hex(const char *hex)
{
    static uint8_t in[8192];
    size_t n = unhex(hex, in, sizeof in);
    struct block_body body;
    int rc = block_body_decode(in, n, &body);
    if (rc)
        ck_assert(body.txs == NULL && body.uncles == NULL);
    block_body_free(&body);
    return rc;
}

START_TEST(rejects_hostile_bodies)
{
    ck_assert_int_eq(decode_body_hex("c2c0c0"), 0);
    /* one list, three lists, trailing byte, a string for the tx list */
    ck_assert_int_eq(decode_body_hex("c1c0"), ERR_DECODE);
    ck_assert_int_eq(decode_body_hex("c3c0c0c0"), ERR_DECODE);
    ck_assert_int_eq(decode_body_hex("c2c0c080"), ERR_DECODE);
    ck_assert_int_eq(decode_body_hex("c28080"), ERR_DECODE);
    /* a typed tx (string item) in the tx list */
    ck_assert_int_eq(decode_body_hex("cecc8b02c9808080808080808080c0"), ERR_UNSUPPORTED);
    /* 40 one-byte items cannot be 40 transactions: refused before allocating */
    char many[256] = "eae8";
    for (int i = 0; i < 40; i++)
        strcat(many, "80");
    strcat(many, "c0");
    ck_assert_int_eq(decode_body_hex(many), ERR_DECODE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "cannot fit"));
    /* the third tx is bad (10 items): the first two must be freed (ASan) */
    ck_assert_int_eq(decode_body_hex("e1dfc9808080808080808080c9808080808080808080ca80808080808080808080c0"),
                     ERR_DECODE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "block tx 2"));
    /* an uncle that is not a header */
    char uncle[2 * 600 + 1] = "f901f7c0f901f3f901f0";
    for (int i = 0; i < 496; i++)
        strcat(uncle, "80");
    ck_assert_int_eq(decode_body_hex(uncle), ERR_DECODE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "uncle"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("header");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, mainnet_genesis_round_trip);
    tcase_add_test(tc, mainnet_block1_from_fields);
    tcase_add_test(tc, seal_hash_signs_like_tribe);
    tcase_add_test(tc, rejects_hostile_headers);
    tcase_add_test(tc, minimum_sizes_are_exact);
    tcase_add_test(tc, genesis_block_and_bodies_round_trip);
    tcase_add_test(tc, rejects_hostile_bodies);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
