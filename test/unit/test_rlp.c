/* test_rlp.c — unit tests for RLP: encoding, strict decoding, hostile input. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "primitives/rlp.h"
#include "util/err.h"
#include "util/hex.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    ck_assert_int_eq(hex_decode(s, strlen(s), out, cap, &n), 0);
    return n;
}

static void assert_hex(const struct bytes *b, const char *want)
{
    char got[2 * 4096 + 1];
    ck_assert_uint_lt(b->len, 4096);
    hex_encode(got, b->data, b->len);
    ck_assert_str_eq(got, want);
}

START_TEST(encodes_strings_and_integers)
{
    struct bytes b = BYTES_INIT;
    rlp_put_bytes(&b, (const uint8_t *)"dog", 3);
    assert_hex(&b, "83646f67");
    bytes_reset(&b);
    rlp_put_bytes(&b, NULL, 0);
    assert_hex(&b, "80");
    bytes_reset(&b);
    rlp_put_u64(&b, 0);
    rlp_put_u64(&b, 15);
    rlp_put_u64(&b, 1024);
    rlp_put_u64(&b, 0x80);
    assert_hex(&b, "800f8204008180");
    bytes_reset(&b);
    u256 v;
    uint8_t big[32];
    memset(big, 0xff, 32);
    u256_from_be(&v, big, 32);
    rlp_put_u256(&b, &v);
    ck_assert_uint_eq(b.len, 33);
    ck_assert_int_eq(b.data[0], 0xa0);
    bytes_free(&b);
}
END_TEST

START_TEST(encodes_nested_and_long_lists)
{
    /* [ [], [[]], [ [], [[]] ] ] — the "set theoretical representation of three" */
    struct bytes b = BYTES_INIT;
    size_t m0 = rlp_list_begin(&b);
    size_t m1 = rlp_list_begin(&b);
    rlp_list_end(&b, m1);
    m1 = rlp_list_begin(&b);
    size_t m2 = rlp_list_begin(&b);
    rlp_list_end(&b, m2);
    rlp_list_end(&b, m1);
    m1 = rlp_list_begin(&b);
    m2 = rlp_list_begin(&b);
    rlp_list_end(&b, m2);
    m2 = rlp_list_begin(&b);
    size_t m3 = rlp_list_begin(&b);
    rlp_list_end(&b, m3);
    rlp_list_end(&b, m2);
    rlp_list_end(&b, m1);
    rlp_list_end(&b, m0);
    ck_assert_int_eq(bytes_ok(&b), 0);
    assert_hex(&b, "c7c0c1c0c3c0c1c0");

    /* A list whose payload is 60 bytes gets a long header f83c. */
    bytes_reset(&b);
    m0 = rlp_list_begin(&b);
    for (int i = 0; i < 60; i++)
        rlp_put_u64(&b, 1);
    rlp_list_end(&b, m0);
    ck_assert_uint_eq(b.len, 62);
    ck_assert_int_eq(b.data[0], 0xf8);
    ck_assert_int_eq(b.data[1], 60);
    ck_assert_int_eq(rlp_validate(b.data, b.len), 0);
    bytes_free(&b);
}
END_TEST

START_TEST(decodes_and_iterates)
{
    uint8_t in[64];
    size_t n = unhex("cb83646f6783636174820400", in, sizeof in);
    struct rlp_item list, items[3];
    ck_assert_int_eq(rlp_decode(in, n, &list), 0);
    ck_assert(list.is_list);
    ck_assert_int_eq(rlp_list_exact(&list, items, 3), 0);
    const uint8_t *p;
    size_t len;
    ck_assert_int_eq(rlp_get_bytes(&items[1], &p, &len), 0);
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(p, "cat", 3);
    uint64_t v;
    ck_assert_int_eq(rlp_get_u64(&items[2], &v), 0);
    ck_assert_uint_eq(v, 1024);
    ck_assert_int_eq(rlp_list_exact(&list, items, 2), ERR_DECODE);
    size_t count;
    ck_assert_int_eq(rlp_list_count(&list, &count), 0);
    ck_assert_uint_eq(count, 3);
    ck_assert_int_eq(rlp_list_split(&list, items, 2, &count), ERR_RANGE);
}
END_TEST

/* Each of these must be refused by the strict decoder. */
static const char *const hostile[] = {
    "",                 /* empty */
    "81",               /* truncated one-byte string */
    "8100",             /* single byte < 0x80 wrapped */
    "817f",             /* same */
    "b800",             /* long form for a short length */
    "b837" "00",        /* long form for 55 bytes, truncated anyway */
    "b90000",           /* length with leading zero */
    "bf0f000000000000021111", /* 8-byte length that runs past the input */
    "ffffffffffffffffff",     /* absurd list length */
    "c3c2c1",           /* inner list truncated */
    "f80180",           /* long list form for 1 byte */
    "8300",             /* string shorter than declared */
    "c0c0",             /* trailing bytes */
};

START_TEST(rejects_hostile_input)
{
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        uint8_t in[64];
        size_t n = unhex(hostile[i], in, sizeof in);
        ck_assert_msg(rlp_validate(in, n) == ERR_DECODE, "accepted %s", hostile[i]);
        ck_assert_msg(strlen(err_msg()) > 0, "no reason for %s", hostile[i]);
    }
}
END_TEST

START_TEST(integer_readers_are_strict)
{
    uint8_t in[64];
    struct rlp_item it;
    uint64_t v;
    u256 u;
    size_t n = unhex("820001", in, sizeof in);        /* leading zero */
    ck_assert_int_eq(rlp_decode(in, n, &it), 0);
    ck_assert_int_eq(rlp_get_u64(&it, &v), ERR_DECODE);
    n = unhex("00", in, sizeof in);                    /* zero must be 0x80 */
    ck_assert_int_eq(rlp_decode(in, n, &it), 0);
    ck_assert_int_eq(rlp_get_u64(&it, &v), ERR_DECODE);
    n = unhex("89010000000000000000", in, sizeof in);  /* 2^64 */
    ck_assert_int_eq(rlp_decode(in, n, &it), 0);
    ck_assert_int_eq(rlp_get_u64(&it, &v), ERR_RANGE);
    ck_assert_int_eq(rlp_get_u256(&it, &u), 0);
    ck_assert_uint_eq(u.w[1], 1);
    n = unhex("c0", in, sizeof in);                     /* list is not an int */
    ck_assert_int_eq(rlp_decode(in, n, &it), 0);
    ck_assert_int_eq(rlp_get_u64(&it, &v), ERR_DECODE);
    n = unhex("a1010000000000000000000000000000000000000000000000000000000000000000", in, sizeof in);
    ck_assert_int_eq(rlp_decode(in, n, &it), 0);        /* 33 bytes: over 256 bits */
    ck_assert_int_eq(rlp_get_u256(&it, &u), ERR_RANGE);
}
END_TEST

START_TEST(deep_nesting_is_bounded)
{
    /* 2000 nested empty-list headers: c1 c1 ... c0 would need exact sizes,
     * so build it with the encoder and check validate refuses the depth. */
    struct bytes b = BYTES_INIT;
    size_t marks[2000];
    for (int i = 0; i < 2000; i++)
        marks[i] = rlp_list_begin(&b);
    for (int i = 1999; i >= 0; i--)
        rlp_list_end(&b, marks[i]);
    ck_assert_int_eq(bytes_ok(&b), 0);
    ck_assert_int_eq(rlp_validate(b.data, b.len), ERR_DECODE);
    /* a shallow one is fine */
    struct rlp_item it;
    ck_assert_int_eq(rlp_decode(b.data, b.len, &it), 0);
    bytes_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rlp");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, encodes_strings_and_integers);
    tcase_add_test(tc, encodes_nested_and_long_lists);
    tcase_add_test(tc, decodes_and_iterates);
    tcase_add_test(tc, rejects_hostile_input);
    tcase_add_test(tc, integer_readers_are_strict);
    tcase_add_test(tc, deep_nesting_is_bounded);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
