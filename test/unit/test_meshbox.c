/*
 * test_meshbox.c — the pure part of MeshBox contribution weighting
 * (consensus/meshbox.h, doc/meshbox.md §4, §5): the weight formula, the
 * weighted draw against the doc's §11 vectors and against values of the
 * JavaScript reference (test/contracts/meshbox_rules.mjs), the shares of
 * 40,000 draws against their weights (chi-square at 1 %), the candidate
 * list, the bounded decoding of getEpochTotals' output, and epochs.
 *
 * The engine side (the draw on a real regtest chain, the position rule,
 * rejected blocks) is in test_tribe_engine.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/params.h"
#include "consensus/meshbox.h"
#include "crypto/keccak.h"
#include "util/err.h"
#include "util/hex.h"

static void vrf_of(const char *hex, uint8_t out[32])
{
    size_t n = 0;
    ck_assert_int_eq(hex_decode(hex, strlen(hex), out, 32, &n), 0);
    ck_assert_uint_eq(n, 32);
}

static u256 dec(const char *s)
{
    u256 v;
    ck_assert_int_eq(u256_from_dec(&v, s, strlen(s)), 0);
    return v;
}

static struct address addr_n(uint8_t last)
{
    struct address a = {{0}};
    a.b[19] = last;
    return a;
}

/* doc/meshbox.md §11, every row. */
START_TEST(doc_vectors)
{
    static const struct {
        uint64_t w[4];
        size_t n;
        const char *vrf;
        uint64_t number, r;
        size_t winner;
    } rows[] = {
        {{101, 201, 301, 401}, 4,
         "0xf1d1508e2fb23468b006f48aadf394b68612e853f8542c27363c3fd0b3f2d76c", 12345, 432, 2},
        {{101, 201, 301, 401}, 4,
         "0x0000000000000000000000000000000000000000000000000000000000000000", 841, 100, 0},
        {{101, 201, 301, 401}, 4,
         "0x0000000000000000000000000000000000000000000000000000000000000000", 961, 101, 1},
        {{1, 1, 1}, 3,
         "0x0000000000000000000000000000000000000000000000000000000000000000", 4, 0, 0},
        {{1, 1001, 1}, 3,
         "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         18446744073709551615ull, 105, 1},
        {{1, 1001, 1}, 3,
         "0x0000000000000000000000000000000000000000000000000000000000000000", 281, 1002, 2},
        {{167, 334, 501, 1}, 4,
         "0x1cc1a4b60d8c41bb8b788b2c466448743b97012da8bed6ae8a0dab67144c1d0d", 1000000, 431, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint8_t vrf[32];
        vrf_of(rows[i].vrf, vrf);
        size_t idx = 99;
        uint64_t r = 0;
        ck_assert_int_eq(meshbox_draw(rows[i].w, rows[i].n, vrf, rows[i].number, &idx, &r), 0);
        ck_assert_msg(r == rows[i].r && idx == rows[i].winner, "row %zu: r %llu winner %zu", i,
                      (unsigned long long)r, idx);
    }
}
END_TEST

/* Weights from totals, then the draw, as the JS reference computes them
 * (meshbox_rules.mjs weights() and draw(), run with node on these inputs). */
START_TEST(js_reference_values)
{
    static const struct {
        const char *totals[5];
        size_t n;
        uint64_t w[5];
        const char *vrf;
        uint64_t number, r;
        size_t winner;
    } rows[] = {
        {{"0", "5", "7"}, 3, {1, 417, 584},
         "0xabababababababababababababababababababababababababababababababab", 777, 146, 1},
        {{"3", "0", "0", "0", "1"}, 5, {751, 1, 1, 1, 251},
         "0x0101010101010101010101010101010101010101010101010101010101010101", 123456789, 556, 0},
        {{"340282366920938463463374607431768211456", "1020847100762815390390123822295304634368",
          "1"}, 3, {250, 750, 1},
         "0xfefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefe", 200, 701, 1},
        {{"0", "0"}, 2, {1, 1},
         "0x0000000000000000000000000000000000000000000000000000000000000007", 1, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        u256 t[5];
        uint64_t w[5], sum = 0, want_sum = 0;
        for (size_t k = 0; k < rows[i].n; k++) {
            t[k] = dec(rows[i].totals[k]);
            want_sum += rows[i].w[k];
        }
        ck_assert_int_eq(meshbox_weights(t, rows[i].n, w, &sum), 0);
        for (size_t k = 0; k < rows[i].n; k++)
            ck_assert_msg(w[k] == rows[i].w[k], "row %zu weight %zu: %llu", i, k,
                          (unsigned long long)w[k]);
        ck_assert_uint_eq(sum, want_sum);
        uint8_t vrf[32];
        vrf_of(rows[i].vrf, vrf);
        size_t idx;
        uint64_t r;
        ck_assert_int_eq(meshbox_draw(w, rows[i].n, vrf, rows[i].number, &idx, &r), 0);
        ck_assert_msg(r == rows[i].r && idx == rows[i].winner, "row %zu: r %llu winner %zu", i,
                      (unsigned long long)r, idx);
    }
}
END_TEST

/* §4: the doc's example, the floor of 1, every weight 1 when nothing was
 * contributed, and totals that break the registry's bounds refused. */
START_TEST(weight_formula)
{
    u256 t[4] = {u256_from_u64(1000), u256_from_u64(2000), u256_from_u64(3000),
                 u256_from_u64(4000)};
    uint64_t w[4], sum;
    ck_assert_int_eq(meshbox_weights(t, 4, w, &sum), 0);
    ck_assert_uint_eq(w[0], 101);
    ck_assert_uint_eq(w[1], 201);
    ck_assert_uint_eq(w[2], 301);
    ck_assert_uint_eq(w[3], 401);
    ck_assert_uint_eq(sum, 1004);
    /* one contributor takes 1001, the others keep the floor */
    t[0] = u256_from_u64(0);
    t[1] = u256_from_u64(77);
    t[2] = u256_from_u64(0);
    ck_assert_int_eq(meshbox_weights(t, 3, w, &sum), 0);
    ck_assert_uint_eq(w[0], 1);
    ck_assert_uint_eq(w[1], 1001);
    ck_assert_uint_eq(w[2], 1);
    ck_assert_uint_eq(sum, 1003);
    /* C = 0: all 1 */
    t[1] = u256_from_u64(0);
    ck_assert_int_eq(meshbox_weights(t, 3, w, &sum), 0);
    ck_assert_uint_eq(sum, 3);
    ck_assert_uint_eq(w[1], 1);
    /* empty set */
    ck_assert_int_eq(meshbox_weights(NULL, 0, w, &sum), 0);
    ck_assert_uint_eq(sum, 0);
    /* 1000 · C must fit 256 bits */
    u256 big[2] = {u256_max(), u256_from_u64(1)};
    ck_assert_int_eq(meshbox_weights(big, 2, w, NULL), ERR_RANGE);
    u256 shift = u256_from_u64(247);
    u256 one = u256_from_u64(1);
    u256_shl(&big[0], &shift, &one); /* 2^247: 1000 · 2^247 > 2^256 */
    ck_assert_int_eq(meshbox_weights(big, 1, w, NULL), ERR_RANGE);
    shift = u256_from_u64(246); /* 1000 · 2^246 < 2^256: fine */
    u256_shl(&big[0], &shift, &one);
    ck_assert_int_eq(meshbox_weights(big, 1, w, NULL), 0);
    ck_assert_uint_eq(w[0], 1001);
}
END_TEST

/* The draw's edges: nothing to draw from, a weight of 0, the running-total
 * rule (the first i whose running total exceeds r) at every boundary. */
START_TEST(draw_edges)
{
    uint8_t vrf[32] = {0};
    size_t idx;
    uint64_t r;
    ck_assert_int_eq(meshbox_draw(NULL, 0, vrf, 1, &idx, &r), ERR_INVAL);
    uint64_t zero[2] = {1, 0};
    ck_assert_int_eq(meshbox_draw(zero, 2, vrf, 1, &idx, &r), ERR_INVAL);
    /* a single candidate always wins */
    uint64_t one[1] = {7};
    for (uint64_t n = 0; n < 50; n++) {
        ck_assert_int_eq(meshbox_draw(one, 1, vrf, n, &idx, &r), 0);
        ck_assert_uint_eq(idx, 0);
        ck_assert_uint_lt(r, 7);
    }
    /* every r maps to the box whose interval holds it: with weights 2,3,5
     * the intervals are [0,2) [2,5) [5,10) */
    uint64_t w[3] = {2, 3, 5};
    int seen[10] = {0};
    for (uint64_t n = 0; n < 400; n++) {
        ck_assert_int_eq(meshbox_draw(w, 3, vrf, n, &idx, &r), 0);
        ck_assert_uint_lt(r, 10);
        size_t want = r < 2 ? 0 : r < 5 ? 1 : 2;
        ck_assert_uint_eq(idx, want);
        seen[r]++;
    }
    for (int i = 0; i < 10; i++)
        ck_assert_msg(seen[i] > 0, "r = %d never drawn in 400 draws", i);
    /* the number is part of the hash: the doc's rows 2 and 3 differ in n only */
}
END_TEST

/* 40,000 draws with weights 1 : 2 : 3 : 4 (VRF outputs from a hash chain,
 * block numbers 1..40000): Pearson's statistic against the weights stays
 * below 11.345 (3 degrees of freedom, 1 %), and against equal shares it is
 * far above it, so the test can tell the two apart. */
START_TEST(chi_square_shares)
{
    enum { DRAWS = 40000 };
    const uint64_t w[4] = {1, 2, 3, 4};
    long count[4] = {0};
    uint8_t vrf[32];
    keccak256("meshbox chi-square", 18, vrf);
    for (uint64_t n = 1; n <= DRAWS; n++) {
        size_t idx;
        ck_assert_int_eq(meshbox_draw(w, 4, vrf, n, &idx, NULL), 0);
        count[idx]++;
        keccak256(vrf, 32, vrf);
    }
    double chi = 0, chi_equal = 0;
    for (int i = 0; i < 4; i++) {
        double e = DRAWS * (double)w[i] / 10.0, e_eq = DRAWS / 4.0;
        chi += (count[i] - e) * (count[i] - e) / e;
        chi_equal += (count[i] - e_eq) * (count[i] - e_eq) / e_eq;
    }
    ck_assert_msg(chi < 11.345, "chi-square %.3f against 1:2:3:4 (counts %ld %ld %ld %ld)", chi,
                  count[0], count[1], count[2], count[3]);
    ck_assert_msg(chi_equal > 1000, "chi-square %.3f against equal shares", chi_equal);
}
END_TEST

/* §5.1: the registry's order, POC's list only as a membership test. */
START_TEST(candidates_follow_registry_order)
{
    struct address boxes[4] = {addr_n(1), addr_n(2), addr_n(3), addr_n(4)};
    u256 totals[4] = {u256_from_u64(10), u256_from_u64(20), u256_from_u64(30),
                      u256_from_u64(40)};
    struct address normal[3] = {addr_n(4), addr_n(9), addr_n(2)};
    struct meshbox_set s;
    ck_assert_int_eq(meshbox_candidates(boxes, totals, 4, normal, 3, &s), 0);
    ck_assert_uint_eq(s.n, 2);
    ck_assert(address_eq(&s.boxes[0], &boxes[1]));
    ck_assert(address_eq(&s.boxes[1], &boxes[3]));
    ck_assert(u256_eq(&s.totals[0], &totals[1]));
    /* the weights are over the eligible boxes only: 20 : 40 */
    ck_assert_uint_eq(s.weights[0], 1 + 1000 * 20 / 60);
    ck_assert_uint_eq(s.weights[1], 1 + 1000 * 40 / 60);
    ck_assert_uint_eq(s.total_weight, s.weights[0] + s.weights[1]);
    meshbox_set_free(&s);
    ck_assert_ptr_null(s.boxes);
    /* no totals (epoch < 2): all weights 1 */
    ck_assert_int_eq(meshbox_candidates(boxes, NULL, 4, normal, 3, &s), 0);
    ck_assert_uint_eq(s.total_weight, 2);
    meshbox_set_free(&s);
    /* nobody staked, or nobody listed: empty, not an error */
    ck_assert_int_eq(meshbox_candidates(boxes, totals, 4, NULL, 0, &s), 0);
    ck_assert_uint_eq(s.n, 0);
    ck_assert_int_eq(meshbox_candidates(NULL, NULL, 0, normal, 3, &s), 0);
    ck_assert_uint_eq(s.n, 0);
    struct address stranger[1] = {addr_n(77)};
    ck_assert_int_eq(meshbox_candidates(boxes, totals, 4, stranger, 1, &s), 0);
    ck_assert_uint_eq(s.n, 0);
    ck_assert_ptr_null(s.boxes);
    /* lists above the node's bound */
    ck_assert_int_eq(meshbox_candidates(boxes, totals, MESHBOX_MAX_CANDIDATES + 1, normal, 3, &s),
                     ERR_RANGE);
}
END_TEST

/* ABI (address[], uint256[]) as the registry returns it. */
static size_t encode_totals(uint8_t *out, size_t nb, size_t nt)
{
    size_t len = 64 + 32 + 32 * nb + 32 + 32 * nt;
    memset(out, 0, len);
    out[31] = 64;
    uint64_t toff = 64 + 32 + 32 * nb;
    for (int k = 0; k < 8; k++)
        out[56 + k] = (uint8_t)(toff >> (56 - 8 * k));
    out[64 + 31] = (uint8_t)nb;
    for (size_t i = 0; i < nb; i++)
        out[96 + 32 * i + 31] = (uint8_t)(i + 1);
    out[toff + 31] = (uint8_t)nt;
    for (size_t i = 0; i < nt; i++)
        out[toff + 32 + 32 * i + 31] = (uint8_t)(10 * (i + 1));
    return len;
}

START_TEST(decode_epoch_totals_bounded)
{
    uint8_t buf[1024];
    struct address *b;
    u256 *t;
    size_t n;
    size_t len = encode_totals(buf, 3, 3);
    ck_assert_int_eq(meshbox_decode_epoch_totals(buf, len, &b, &t, &n), 0);
    ck_assert_uint_eq(n, 3);
    struct address a3 = addr_n(3);
    ck_assert(address_eq(&b[2], &a3));
    ck_assert_uint_eq(t[2].w[0], 30);
    free(b);
    free(t);
    /* an empty list */
    len = encode_totals(buf, 0, 0);
    ck_assert_int_eq(meshbox_decode_epoch_totals(buf, len, &b, &t, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(b);
    /* arrays of different lengths */
    len = encode_totals(buf, 3, 2);
    ck_assert_int_eq(meshbox_decode_epoch_totals(buf, len, &b, &t, &n), ERR_INVAL);
    /* every truncation of a valid output is refused, never read past */
    len = encode_totals(buf, 3, 3);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, buf, cut);
        ck_assert_int_ne(meshbox_decode_epoch_totals(copy, cut, &b, &t, &n), 0);
        ck_assert_ptr_null(b);
        free(copy);
    }
    /* a length above the node's bound is ERR_RANGE before any allocation */
    len = encode_totals(buf, 1, 1);
    buf[64 + 30] = 0x20; /* 0x2001 boxes */
    ck_assert_int_eq(meshbox_decode_epoch_totals(buf, len, &b, &t, &n), ERR_RANGE);
    /* an offset beyond the output */
    len = encode_totals(buf, 1, 1);
    buf[31] = 0xff;
    ck_assert_int_eq(meshbox_decode_epoch_totals(buf, len, &b, &t, &n), ERR_INVAL);
}
END_TEST

START_TEST(epochs)
{
    const struct chain_params *r = chain_params_get(CHAIN_REGTEST);
    ck_assert_uint_eq(r->meshbox_epoch, 100);
    ck_assert_uint_eq(meshbox_epoch_of(r, 0), 0);
    ck_assert_uint_eq(meshbox_epoch_of(r, 99), 0);
    ck_assert_uint_eq(meshbox_epoch_of(r, 100), 1);
    ck_assert_uint_eq(meshbox_epoch_of(r, 250), 2);
    /* weighting off: no epoch length, no division */
    const struct chain_params *m = chain_params_get(CHAIN_MAINNET);
    ck_assert_uint_eq(meshbox_epoch_of(m, 12345678), 0);
}
END_TEST

static Suite *meshbox_suite(void)
{
    Suite *s = suite_create("meshbox");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, doc_vectors);
    tcase_add_test(tc, js_reference_values);
    tcase_add_test(tc, weight_formula);
    tcase_add_test(tc, draw_edges);
    tcase_add_test(tc, chi_square_shares);
    tcase_add_test(tc, candidates_follow_registry_order);
    tcase_add_test(tc, decode_epoch_totals_bounded);
    tcase_add_test(tc, epochs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(meshbox_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
