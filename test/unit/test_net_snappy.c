/* test_net_snappy.c — unit tests for the Snappy block format (net/snappy.h):
 * hand-built streams for every tag kind (decoded to known text), round trips
 * of random and repetitive inputs of many sizes (and that repetitive input
 * really shrinks), and every kind of malformed stream refused. The vectors
 * are built by hand from google/snappy's format_description.txt. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "net/snappy.h"
#include "util/err.h"

/* Decodes in[0..n) and checks the result is exactly want[0..wn). */
static void expect_decodes(const uint8_t *in, size_t n, const uint8_t *want, size_t wn)
{
    uint8_t out[70000];
    size_t got = 0, declared = 0;
    ck_assert_int_eq(snappy_uncompressed_length(in, n, &declared), 0);
    ck_assert_uint_eq(declared, wn);
    int rc = snappy_decompress(in, n, out, sizeof out, &got);
    ck_assert_msg(rc == 0, "decompress: %s", err_msg());
    ck_assert_uint_eq(got, wn);
    ck_assert(memcmp(out, want, wn) == 0);
}

static void expect_fails(const uint8_t *in, size_t n, int code)
{
    uint8_t out[256];
    size_t got = 12345;
    int rc = snappy_decompress(in, n, out, sizeof out, &got);
    ck_assert_msg(rc == code, "want %d, got %d (%s)", code, rc, err_msg());
    ck_assert_uint_eq(got, 12345);          /* no length reported on failure */
}

START_TEST(literal_tags)
{
    /* short form: length-1 in the tag (5 → 0x10) */
    static const uint8_t s1[] = {0x05, 0x10, 'h', 'e', 'l', 'l', 'o'};
    expect_decodes(s1, sizeof s1, (const uint8_t *)"hello", 5);

    /* 1 length byte (tag 60<<2 = 0xf0): 100 bytes */
    uint8_t buf[70016], want[70000];
    for (size_t i = 0; i < sizeof want; i++)
        want[i] = (uint8_t)(i * 7 + 3);
    buf[0] = 100;
    buf[1] = 0xf0;
    buf[2] = 99;
    memcpy(buf + 3, want, 100);
    expect_decodes(buf, 103, want, 100);

    /* 2 length bytes (0xf4): 300 bytes; varint 300 = ac 02 */
    buf[0] = 0xac;
    buf[1] = 0x02;
    buf[2] = 0xf4;
    buf[3] = 0x2b;                           /* 299 = 0x012b */
    buf[4] = 0x01;
    memcpy(buf + 5, want, 300);
    expect_decodes(buf, 305, want, 300);

    /* 3 length bytes (0xf8): 70000 bytes; varint 70000 = f0 a2 04 */
    buf[0] = 0xf0;
    buf[1] = 0xa2;
    buf[2] = 0x04;
    buf[3] = 0xf8;
    buf[4] = 0x6f;                           /* 69999 = 0x01116f */
    buf[5] = 0x11;
    buf[6] = 0x01;
    memcpy(buf + 7, want, 70000);
    expect_decodes(buf, 70007, want, 70000);

    /* 4 length bytes (0xfc), a legal if wasteful encoding of 5 */
    static const uint8_t s4[] = {0x05, 0xfc, 0x04, 0x00, 0x00, 0x00, 'w', 'o', 'r', 'l', 'd'};
    expect_decodes(s4, sizeof s4, (const uint8_t *)"world", 5);
}
END_TEST

START_TEST(copy_tags)
{
    /* copy-1: "abcd" + copy(offset 4, len 4) */
    static const uint8_t c1[] = {0x08, 0x0c, 'a', 'b', 'c', 'd', 0x01, 0x04};
    expect_decodes(c1, sizeof c1, (const uint8_t *)"abcdabcd", 8);

    /* copy-1 overlapping its own output: "a" + copy(1, 11) */
    static const uint8_t c1o[] = {0x0c, 0x00, 'a', 0x1d, 0x01};
    expect_decodes(c1o, sizeof c1o, (const uint8_t *)"aaaaaaaaaaaa", 12);

    /* copy-1 with the high offset bits in the tag: 300-byte literal, then
     * copy(offset 300 = 0x12c, len 4): tag 0x21, byte 0x2c */
    uint8_t buf[400], want[304];
    for (int i = 0; i < 300; i++)
        want[i] = (uint8_t)(i ^ 0x5a);
    memcpy(want + 300, want, 4);
    buf[0] = 0xb0;                           /* varint 304 = b0 02 */
    buf[1] = 0x02;
    buf[2] = 0xf4;
    buf[3] = 0x2b;
    buf[4] = 0x01;
    memcpy(buf + 5, want, 300);
    buf[305] = 0x21;
    buf[306] = 0x2c;
    expect_decodes(buf, 307, want, 304);

    /* copy-2: "abcd" + copy(offset 4, len 64) → 68 bytes */
    static const uint8_t c2[] = {68, 0x0c, 'a', 'b', 'c', 'd', 0xfe, 0x04, 0x00};
    char w2[69];
    for (int i = 0; i < 68; i++)
        w2[i] = "abcd"[i % 4];
    expect_decodes(c2, sizeof c2, (const uint8_t *)w2, 68);

    /* copy-4: "abcd" + copy(offset 3, len 2) → "abcdbc" */
    static const uint8_t c4[] = {0x06, 0x0c, 'a', 'b', 'c', 'd', 0x07, 0x03, 0x00, 0x00, 0x00};
    expect_decodes(c4, sizeof c4, (const uint8_t *)"abcdbc", 6);

    /* empty input is a lone zero varint */
    static const uint8_t e[] = {0x00};
    expect_decodes(e, 1, (const uint8_t *)"", 0);
}
END_TEST

START_TEST(malformed_streams)
{
    /* varint */
    expect_fails(NULL, 0, ERR_DECODE);                                       /* empty */
    static const uint8_t v1[] = {0x80};
    expect_fails(v1, sizeof v1, ERR_DECODE);                                 /* truncated */
    static const uint8_t v2[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    expect_fails(v2, sizeof v2, ERR_DECODE);                                 /* 6 bytes */
    static const uint8_t v3[] = {0xff, 0xff, 0xff, 0xff, 0x1f};
    expect_fails(v3, sizeof v3, ERR_DECODE);                                 /* 35 bits */
    size_t len;
    ck_assert_int_eq(snappy_uncompressed_length(v3, sizeof v3, &len), ERR_DECODE);

    /* declared length over the cap (buffer of 256) */
    static const uint8_t big[] = {0x81, 0x02, 0x00, 'x'};
    expect_fails(big, sizeof big, ERR_RANGE);

    /* literals */
    static const uint8_t l1[] = {0x05, 0x10, 'h', 'e'};
    expect_fails(l1, sizeof l1, ERR_DECODE);                                 /* past input end */
    static const uint8_t l2[] = {0x64, 0xf0};
    expect_fails(l2, sizeof l2, ERR_DECODE);                                 /* length byte missing */
    static const uint8_t l3[] = {0x64, 0xf8, 0x01, 0x00};
    expect_fails(l3, sizeof l3, ERR_DECODE);                                 /* 3-byte length cut */
    static const uint8_t l4[] = {0x02, 0x10, 'h', 'e', 'l', 'l', 'o'};
    expect_fails(l4, sizeof l4, ERR_DECODE);                                 /* past declared */
    static const uint8_t l5[] = {0x05, 0xfc, 0xff, 0xff, 0xff, 0xff, 'a'};
    expect_fails(l5, sizeof l5, ERR_DECODE);                                 /* 2^32 bytes */

    /* copies */
    static const uint8_t k1[] = {0x08, 0x0c, 'a', 'b', 'c', 'd', 0x01, 0x00};
    expect_fails(k1, sizeof k1, ERR_DECODE);                                 /* offset 0 */
    static const uint8_t k2[] = {0x08, 0x0c, 'a', 'b', 'c', 'd', 0x01, 0x05};
    expect_fails(k2, sizeof k2, ERR_DECODE);                                 /* before start */
    static const uint8_t k3[] = {0x06, 0x0c, 'a', 'b', 'c', 'd', 0x01, 0x04};
    expect_fails(k3, sizeof k3, ERR_DECODE);                                 /* past declared */
    static const uint8_t k4[] = {0x08, 0x0c, 'a', 'b', 'c', 'd', 0x01};
    expect_fails(k4, sizeof k4, ERR_DECODE);                                 /* copy-1 cut */
    static const uint8_t k5[] = {0x08, 0x0c, 'a', 'b', 'c', 'd', 0x0e, 0x04};
    expect_fails(k5, sizeof k5, ERR_DECODE);                                 /* copy-2 cut */
    static const uint8_t k6[] = {0x08, 0x0c, 'a', 'b', 'c', 'd', 0x0f, 0x04, 0x00, 0x00};
    expect_fails(k6, sizeof k6, ERR_DECODE);                                 /* copy-4 cut */
    static const uint8_t k7[] = {0x08, 0x0f, 0x04, 0x00, 0x00, 0x00};
    expect_fails(k7, sizeof k7, ERR_DECODE);                                 /* copy first */
    static const uint8_t k8[] = {0x08, 0x0c, 'a', 'b', 'c', 'd', 0x0f, 0xff, 0xff, 0xff, 0xff};
    expect_fails(k8, sizeof k8, ERR_DECODE);                                 /* 4-byte offset */

    /* output shorter than declared */
    static const uint8_t o1[] = {0x08, 0x0c, 'a', 'b', 'c', 'd'};
    expect_fails(o1, sizeof o1, ERR_DECODE);
    static const uint8_t o2[] = {0x00, 0x00, 'a'};
    expect_fails(o2, sizeof o2, ERR_DECODE);                                 /* 0 declared, 1 given */
}
END_TEST

START_TEST(alloc_refuses_over_cap_before_allocating)
{
    /* declares 2^24 bytes (one over devp2p's limit) and holds nothing */
    static const uint8_t over[] = {0x80, 0x80, 0x80, 0x08};
    uint8_t *out = (uint8_t *)1;
    size_t n = 7;
    ck_assert_int_eq(snappy_decompress_alloc(over, sizeof over, SNAPPY_DEVP2P_MAX, &out, &n),
                     ERR_RANGE);
    ck_assert_ptr_eq(out, (uint8_t *)1);
    /* 2^24 - 1 passes the cap, then fails as too short */
    static const uint8_t at[] = {0xff, 0xff, 0xff, 0x07};
    ck_assert_int_eq(snappy_decompress_alloc(at, sizeof at, SNAPPY_DEVP2P_MAX, &out, &n),
                     ERR_DECODE);
    /* a good one */
    static const uint8_t ok[] = {0x05, 0x10, 'h', 'e', 'l', 'l', 'o'};
    ck_assert_int_eq(snappy_decompress_alloc(ok, sizeof ok, SNAPPY_DEVP2P_MAX, &out, &n), 0);
    ck_assert_uint_eq(n, 5);
    ck_assert(memcmp(out, "hello", 5) == 0);
    free(out);
}
END_TEST

static uint64_t rng_state = 0x1234567887654321ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* Compresses and decompresses in[0..n); returns the compressed size. */
static size_t round_trip(const uint8_t *in, size_t n)
{
    size_t cap = snappy_max_compressed_length(n);
    uint8_t *c = malloc(cap);
    uint8_t *d = malloc(n ? n : 1);
    ck_assert(c && d);
    size_t clen = 0, dlen = 0;
    ck_assert_int_eq(snappy_compress(in, n, c, cap, &clen), 0);
    ck_assert_uint_le(clen, cap);
    size_t declared;
    ck_assert_int_eq(snappy_uncompressed_length(c, clen, &declared), 0);
    ck_assert_uint_eq(declared, n);
    int rc = snappy_decompress(c, clen, d, n, &dlen);
    ck_assert_msg(rc == 0, "size %zu: %s", n, err_msg());
    ck_assert_uint_eq(dlen, n);
    ck_assert(n == 0 || memcmp(in, d, n) == 0);
    free(c);
    free(d);
    return clen;
}

START_TEST(round_trips_random_data)
{
    static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 15, 16, 17, 18, 31, 32, 33, 63, 64, 65,
                                   100, 255, 256, 1000, 4095, 4096, 65535, 65536, 65537,
                                   131072, 200003, 1 << 20};
    uint8_t *buf = malloc(1 << 20);
    ck_assert_ptr_nonnull(buf);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)rnd();
        size_t c = round_trip(buf, n);
        /* incompressible data grows by no more than the format's bound */
        ck_assert_uint_le(c, snappy_max_compressed_length(n));
    }
    for (size_t n = 0; n < 300; n++) {          /* every small size */
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)(rnd() % 4);      /* low entropy: copies and literals mix */
        round_trip(buf, n);
    }
    free(buf);
}
END_TEST

START_TEST(compresses_repetitive_data)
{
    size_t n = 1 << 20;
    uint8_t *buf = malloc(n);
    ck_assert_ptr_nonnull(buf);

    memset(buf, 0, n);                          /* zeros: 3 bytes per 64 */
    size_t c = round_trip(buf, n);
    ck_assert_msg(c < n / 16, "zeros: %zu bytes", c);

    for (size_t i = 0; i < n; i++)              /* a 10-byte period */
        buf[i] = (uint8_t)"0123456789"[i % 10];
    c = round_trip(buf, n);
    ck_assert_msg(c < n / 16, "period 10: %zu bytes", c);

    /* text-like: words drawn from a small vocabulary, like RLP of similar
     * transactions: much repetition at varying offsets */
    static const char *words[] = {"transfer", "0xa9059cbb", "gasPrice", "nonce", "value",
                                  "18000000000", "21000", "to", "from", " ", ",", "\n"};
    size_t pos = 0;
    while (pos < n) {
        const char *w = words[rnd() % 12];
        size_t wl = strlen(w);
        if (pos + wl > n)
            wl = n - pos;
        memcpy(buf + pos, w, wl);
        pos += wl;
    }
    c = round_trip(buf, n);
    ck_assert_msg(c < n / 2, "words: %zu bytes", c);

    /* the same block twice: the second copy is found at a long offset */
    for (size_t i = 0; i < 30000; i++)
        buf[i] = (uint8_t)rnd();
    memcpy(buf + 30000, buf, 30000);
    c = round_trip(buf, 60000);
    ck_assert_msg(c < 30000 + 30000 / 8, "repeated block: %zu bytes", c);
    free(buf);
}
END_TEST

START_TEST(compress_checks_its_buffer)
{
    uint8_t in[100] = {0}, out[100];
    size_t len = 0;
    ck_assert_int_eq(snappy_compress(in, sizeof in, out, sizeof out, &len), ERR_RANGE);
    ck_assert_uint_eq(snappy_max_compressed_length(100), 32 + 100 + 16);
    ck_assert_uint_eq(snappy_max_compressed_length(SNAPPY_MAX_INPUT + 1), 0);
}
END_TEST

START_TEST(mutated_streams_never_misbehave)
{
    /* Flip bytes of valid streams: every result is either an error or a
     * decode of exactly the declared length (never more). */
    uint8_t src[2000], comp[2400], out[4096];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)"abcabcabd"[rnd() % 9];
    size_t clen;
    ck_assert_int_eq(snappy_compress(src, sizeof src, comp, sizeof comp, &clen), 0);
    for (int round = 0; round < 20000; round++) {
        uint8_t m[2400];
        memcpy(m, comp, clen);
        int flips = 1 + (int)(rnd() % 4);
        for (int f = 0; f < flips; f++)
            m[rnd() % clen] ^= (uint8_t)(1u << (rnd() % 8));
        size_t mlen = round % 7 == 0 ? rnd() % (clen + 1) : clen;
        size_t got = 0, declared = 0;
        int rc = snappy_decompress(m, mlen, out, sizeof out, &got);
        if (rc == 0) {
            ck_assert_int_eq(snappy_uncompressed_length(m, mlen, &declared), 0);
            ck_assert_uint_eq(got, declared);
        } else {
            ck_assert(rc == ERR_DECODE || rc == ERR_RANGE);
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_snappy");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, literal_tags);
    tcase_add_test(tc, copy_tags);
    tcase_add_test(tc, malformed_streams);
    tcase_add_test(tc, alloc_refuses_over_cap_before_allocating);
    tcase_add_test(tc, round_trips_random_data);
    tcase_add_test(tc, compresses_repetitive_data);
    tcase_add_test(tc, compress_checks_its_buffer);
    tcase_add_test(tc, mutated_streams_never_misbehave);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
