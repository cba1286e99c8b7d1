/* test_receipt.c — unit tests for the log bloom (hand-computed vectors),
 * logs and receipts (both forms): encoding, decoding, logs hash, bloom of a
 * receipt, and hostile receipt bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "primitives/receipt.h"
#include "util/err.h"
#include "util/hex.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    ck_assert_int_eq(hex_decode(s, strlen(s), out, cap, &n), 0);
    return n;
}

static void assert_hex(const uint8_t *p, size_t n, const char *want)
{
    static char got[2 * 2048 + 1];
    ck_assert_uint_le(n, 2048);
    hex_encode(got, p, n);
    ck_assert_str_eq(got, want);
}

/* Expects exactly the listed (byte, mask) pairs set, all other bytes zero. */
static void assert_bits(const struct bloom *bl, const int (*bits)[2], size_t n)
{
    struct bloom want;
    memset(&want, 0, sizeof want);
    for (size_t i = 0; i < n; i++)
        want.b[bits[i][0]] |= (uint8_t)bits[i][1];
    ck_assert_mem_eq(bl->b, want.b, BLOOM_BYTES);
}

START_TEST(bloom_known_vectors)
{
    /* keccak256("Transfer(address,address,uint256)") = ddf252ad 1be2...:
     * bit pairs 0xddf2, 0x52ad, 0x1be2, each & 2047 = 1522, 685, 994;
     * bit i is byte 255 - i/8, mask 1 << i%8. */
    static const char topic[] = "Transfer(address,address,uint256)";
    static const int transfer_bits[][2] = {{65, 0x04}, {170, 0x20}, {131, 0x04}};
    struct bloom bl;
    memset(&bl, 0, sizeof bl);
    bloom_add(&bl, (const uint8_t *)topic, strlen(topic));
    assert_bits(&bl, transfer_bits, 3);
    ck_assert(bloom_test(&bl, (const uint8_t *)topic, strlen(topic)));

    /* keccak256("") = c5d24601 86f7...: 0x5d2, 0x601, 0x6f7 = 1490, 1537, 1783 */
    static const int empty_bits[][2] = {{69, 0x04}, {63, 0x02}, {33, 0x80}};
    struct bloom e;
    memset(&e, 0, sizeof e);
    bloom_add(&e, NULL, 0);
    assert_bits(&e, empty_bits, 3);
    /* none of the empty entry's bits are in the Transfer bloom */
    ck_assert(!bloom_test(&bl, NULL, 0));
    ck_assert(!bloom_includes(&bl, &e));

    bloom_or(&bl, &e);
    static const int both[][2] = {{65, 0x04}, {170, 0x20}, {131, 0x04},
                                  {69, 0x04}, {63, 0x02}, {33, 0x80}};
    assert_bits(&bl, both, 6);
    ck_assert(bloom_test(&bl, NULL, 0));
    ck_assert(bloom_includes(&bl, &e));
    ck_assert(!bloom_includes(&e, &bl));
}
END_TEST

/* A log {address 0x11.., topics [0x22..], data 0x0102} by hand:
 * f83a 94 11*20 e1 a0 22*32 82 0102 */
static void sample_log(struct log *lg, uint8_t fill)
{
    memset(lg, 0, sizeof *lg);
    memset(lg->address.b, fill, ADDRESS_LEN);
    lg->topic_count = 1;
    lg->topics = malloc(sizeof *lg->topics);
    memset(lg->topics[0].b, (uint8_t)(fill * 2), HASH32_LEN);
    lg->data_len = 2;
    lg->data = malloc(2);
    lg->data[0] = 1;
    lg->data[1] = 2;
}

static const char LOG11[] =
    "f83a941111111111111111111111111111111111111111"
    "e1a02222222222222222222222222222222222222222222222222222222222222222"
    "820102";

START_TEST(log_encoding_and_logs_hash)
{
    struct log lg;
    sample_log(&lg, 0x11);
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(log_encode(&lg, &b), 0);
    assert_hex(b.data, b.len, LOG11);

    /* logs hash = keccak256(list of logs): c0 for none, f83c <log> for one */
    struct hash32 h;
    uint8_t want[32];
    ck_assert_int_eq(logs_hash(NULL, 0, &h), 0);
    assert_hex(h.b, 32, "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
    uint8_t raw[128];
    raw[0] = 0xf8;
    raw[1] = 0x3c;
    size_t n = unhex(LOG11, raw + 2, sizeof raw - 2);
    keccak256(raw, n + 2, want);
    ck_assert_int_eq(logs_hash(&lg, 1, &h), 0);
    ck_assert_mem_eq(h.b, want, 32);

    /* decode -> same fields; copy is deep */
    struct rlp_item it;
    ck_assert_int_eq(rlp_decode(b.data, b.len, &it), 0);
    struct log d, c;
    ck_assert_int_eq(log_decode_item(&it, &d), 0);
    ck_assert(address_eq(&d.address, &lg.address));
    ck_assert_uint_eq(d.topic_count, 1);
    ck_assert(hash32_eq(&d.topics[0], &lg.topics[0]));
    ck_assert_uint_eq(d.data_len, 2);
    ck_assert_mem_eq(d.data, lg.data, 2);
    ck_assert_int_eq(log_copy(&c, &d), 0);
    log_free(&d);
    ck_assert(hash32_eq(&c.topics[0], &lg.topics[0]));
    log_free(&c);
    log_free(&lg);
    bytes_free(&b);
}
END_TEST

static void sample_receipt(struct receipt *r)
{
    memset(r, 0, sizeof *r);
    r->status = true;
    r->cumulative_gas = 21000;
    r->log_count = 2;
    r->logs = calloc(2, sizeof *r->logs);
    sample_log(&r->logs[0], 0x11);
    sample_log(&r->logs[1], 0x33);
    r->logs[1].topic_count = 0;      /* a LOG0 */
    free(r->logs[1].topics);
    r->logs[1].topics = NULL;
    receipt_compute_bloom(r, &r->bloom);
}

START_TEST(receipt_forms_round_trip)
{
    struct receipt r;
    sample_receipt(&r);
    /* the bloom holds both addresses and the topic */
    static const uint8_t a11[20] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11};
    ck_assert(bloom_test(&r.bloom, a11, 20));
    ck_assert(bloom_test(&r.bloom, r.logs[0].topics[0].b, 32));
    ck_assert(bloom_test(&r.bloom, r.logs[1].address.b, 20));
    struct bloom manual;
    memset(&manual, 0, sizeof manual);
    bloom_add(&manual, a11, 20);
    bloom_add(&manual, r.logs[0].topics[0].b, 32);
    bloom_add(&manual, r.logs[1].address.b, 20);
    ck_assert_mem_eq(manual.b, r.bloom.b, BLOOM_BYTES);

    for (int form = 0; form < 3; form++) {
        /* 0: Byzantium success, 1: Byzantium failure, 2: pre-Byzantium root */
        r.status = form == 0;
        r.has_post_state = form == 2;
        memset(r.post_state.b, form == 2 ? 0x5a : 0, 32);
        struct bytes b = BYTES_INIT;
        ck_assert_int_eq(receipt_encode(&r, &b), 0);
        /* first item after the list header (f9 xxxx): 01, 80 or a0 <root> */
        ck_assert_int_eq(b.data[0], 0xf9);
        ck_assert_int_eq(b.data[3], form == 0 ? 0x01 : form == 1 ? 0x80 : 0xa0);
        struct receipt d;
        ck_assert_int_eq(receipt_decode(b.data, b.len, &d), 0);
        ck_assert_int_eq(d.status, r.status);
        ck_assert_int_eq(d.has_post_state, r.has_post_state);
        ck_assert(hash32_eq(&d.post_state, &r.post_state));
        ck_assert_uint_eq(d.cumulative_gas, 21000);
        ck_assert_mem_eq(d.bloom.b, r.bloom.b, BLOOM_BYTES);
        ck_assert_uint_eq(d.log_count, 2);
        ck_assert_uint_eq(d.logs[1].topic_count, 0);
        struct bloom again;
        receipt_compute_bloom(&d, &again);
        ck_assert_mem_eq(again.b, d.bloom.b, BLOOM_BYTES);
        struct bytes b2 = BYTES_INIT;
        ck_assert_int_eq(receipt_encode(&d, &b2), 0);
        ck_assert_uint_eq(b2.len, b.len);
        ck_assert_mem_eq(b2.data, b.data, b.len);
        receipt_free(&d);
        bytes_free(&b);
        bytes_free(&b2);
    }
    receipt_free(&r);
}
END_TEST

/* Builds [status, gas, bloom, logs] from encoded pieces and decodes it. */
static int decode_parts(const char *status, const char *gas, const char *bloom_hdr,
                        size_t bloom_len, const char *logs)
{
    uint8_t tmp[8192];
    struct bytes b = BYTES_INIT;
    size_t m = rlp_list_begin(&b);
    size_t n = unhex(status, tmp, sizeof tmp);
    rlp_put_raw(&b, tmp, n);
    n = unhex(gas, tmp, sizeof tmp);
    rlp_put_raw(&b, tmp, n);
    n = unhex(bloom_hdr, tmp, sizeof tmp);
    memset(tmp + n, 0, bloom_len);
    rlp_put_raw(&b, tmp, n + bloom_len);
    if (logs) {
        n = unhex(logs, tmp, sizeof tmp);
        rlp_put_raw(&b, tmp, n);
    }
    rlp_list_end(&b, m);
    ck_assert_int_eq(bytes_ok(&b), 0);
    struct receipt r;
    int rc = receipt_decode(b.data, b.len, &r);
    if (rc)
        ck_assert_ptr_null(r.logs);   /* a failed decode owns nothing */
    receipt_free(&r);
    bytes_free(&b);
    return rc;
}

START_TEST(rejects_hostile_receipts)
{
    ck_assert_int_eq(decode_parts("01", "825208", "b90100", 256, "c0"), 0);
    ck_assert_int_eq(decode_parts("80", "825208", "b90100", 256, "c0"), 0);
    /* status 0x02, status 0x00, a 31-byte root, a list */
    ck_assert_int_eq(decode_parts("02", "825208", "b90100", 256, "c0"), ERR_DECODE);
    ck_assert_int_eq(decode_parts("00", "825208", "b90100", 256, "c0"), ERR_DECODE);
    ck_assert_int_eq(decode_parts("9f00000000000000000000000000000000000000000000000000000000000000",
                                  "825208", "b90100", 256, "c0"), ERR_DECODE);
    ck_assert_int_eq(decode_parts("c0", "825208", "b90100", 256, "c0"), ERR_DECODE);
    /* gas with a leading zero, gas over 64 bits */
    ck_assert_int_eq(decode_parts("01", "83005208", "b90100", 256, "c0"), ERR_DECODE);
    ck_assert_int_eq(decode_parts("01", "89010000000000000000", "b90100", 256, "c0"), ERR_RANGE);
    /* 255-byte bloom; 3 items; logs given as a string */
    ck_assert_int_eq(decode_parts("01", "825208", "b8ff", 255, "c0"), ERR_DECODE);
    ck_assert_int_eq(decode_parts("01", "825208", "b90100", 256, NULL), ERR_DECODE);
    ck_assert_int_eq(decode_parts("01", "825208", "b90100", 256, "80"), ERR_DECODE);
    /* a log with a 21-byte address, a 31-byte topic, 2 items, data as list */
    ck_assert_int_eq(decode_parts("01", "825208", "b90100", 256,
                                  "d9d895111111111111111111111111111111111111111111c080"), ERR_DECODE);
    ck_assert_int_eq(decode_parts("01", "825208", "b90100", 256,
                                  "f838f7941111111111111111111111111111111111111111"
                                  "e09f2222222222222222222222222222222222222222222222222222222222222280"),
                     ERR_DECODE);
    ck_assert_int_eq(decode_parts("01", "825208", "b90100", 256,
                                  "d7d6941111111111111111111111111111111111111111c0"), ERR_DECODE);
    ck_assert_int_eq(decode_parts("01", "825208", "b90100", 256,
                                  "d8d7941111111111111111111111111111111111111111c0c0"), ERR_DECODE);
    /* the second log is bad: the first one's buffers must not leak (ASan) */
    ck_assert_int_eq(decode_parts("01", "825208", "b90100", 256,
                                  "f1d7941111111111111111111111111111111111111111c080"
                                  "d8941111111111111111111111111111111111111111c08080"), ERR_DECODE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "receipt log 1"));
    /* three empty lists cannot be three logs: refused before allocating */
    ck_assert_int_eq(decode_parts("01", "825208", "b90100", 256, "c3c0c0c0"), ERR_DECODE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "cannot fit"));

    /* more than LOG_MAX_TOPICS topics */
    struct log lg;
    memset(&lg, 0, sizeof lg);
    lg.topic_count = LOG_MAX_TOPICS + 1;
    lg.topics = calloc(lg.topic_count, sizeof *lg.topics);
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(log_encode(&lg, &b), 0);
    struct rlp_item it;
    ck_assert_int_eq(rlp_decode(b.data, b.len, &it), 0);
    struct log d;
    ck_assert_int_eq(log_decode_item(&it, &d), ERR_RANGE);
    lg.topic_count = LOG_MAX_TOPICS;
    bytes_reset(&b);
    ck_assert_int_eq(log_encode(&lg, &b), 0);
    ck_assert_int_eq(rlp_decode(b.data, b.len, &it), 0);
    ck_assert_int_eq(log_decode_item(&it, &d), 0);
    ck_assert_uint_eq(d.topic_count, LOG_MAX_TOPICS);
    log_free(&d);
    log_free(&lg);
    bytes_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("receipt");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, bloom_known_vectors);
    tcase_add_test(tc, log_encoding_and_logs_hash);
    tcase_add_test(tc, receipt_forms_round_trip);
    tcase_add_test(tc, rejects_hostile_receipts);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
