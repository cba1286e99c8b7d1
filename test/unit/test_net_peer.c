/* test_net_peer.c — unit tests of the peer logic that needs no sockets:
 * the bounded known-hash sets, misbehaviour scores and IP bans, and the
 * choice of which peers get a new block in full. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/enode.h"
#include "net/peer_known.h"
#include "net/peer_prop.h"
#include "net/peer_score.h"
#include "util/err.h"

static struct hash32 h_of(uint32_t i)
{
    struct hash32 h;
    memset(&h, 0, sizeof h);
    /* the same low 8 bytes for all: every hash probes from related slots */
    h.b[31] = (uint8_t)i;
    h.b[30] = (uint8_t)(i >> 8);
    h.b[29] = (uint8_t)(i >> 16);
    h.b[28] = (uint8_t)(i >> 24);
    return h;
}

static struct hash32 h_spread(uint32_t i)
{
    struct hash32 h = h_of(i);
    memcpy(h.b, &i, 4);
    h.b[5] = (uint8_t)(i * 37);
    return h;
}

START_TEST(known_set_remembers_and_forgets_oldest_first)
{
    struct peer_known k;
    ck_assert_int_eq(peer_known_init(&k, 100), 0);
    for (uint32_t i = 0; i < 100; i++) {
        struct hash32 h = h_spread(i);
        ck_assert(!peer_known_has(&k, &h));
        peer_known_add(&k, &h);
        ck_assert(peer_known_has(&k, &h));
    }
    ck_assert_uint_eq(peer_known_count(&k), 100);
    /* re-adding a present hash changes nothing */
    struct hash32 h0 = h_spread(0);
    peer_known_add(&k, &h0);
    ck_assert_uint_eq(peer_known_count(&k), 100);
    /* 50 more: the 50 oldest are forgotten, the rest stay */
    for (uint32_t i = 100; i < 150; i++) {
        struct hash32 h = h_spread(i);
        peer_known_add(&k, &h);
    }
    ck_assert_uint_eq(peer_known_count(&k), 100);
    for (uint32_t i = 0; i < 150; i++) {
        struct hash32 h = h_spread(i);
        ck_assert_msg(peer_known_has(&k, &h) == (i >= 50), "hash %u", (unsigned)i);
    }
    peer_known_free(&k);
    peer_known_free(&k); /* twice is fine */
}
END_TEST

START_TEST(known_set_survives_colliding_keys_and_long_churn)
{
    /* Hashes that share their first 8 bytes all start probing at one slot;
     * deleting from the middle of such runs must not lose the others. */
    struct peer_known k;
    ck_assert_int_eq(peer_known_init(&k, 64), 0);
    for (uint32_t i = 0; i < 5000; i++) {
        struct hash32 h = h_of(i);
        peer_known_add(&k, &h);
        if (i >= 64) {
            struct hash32 gone = h_of(i - 64);
            ck_assert_msg(!peer_known_has(&k, &gone), "hash %u should be gone", (unsigned)(i - 64));
        }
        uint32_t lo = i >= 63 ? i - 63 : 0;
        for (uint32_t j = lo; j <= i; j += 7) {
            struct hash32 kept = h_of(j);
            ck_assert_msg(peer_known_has(&k, &kept), "hash %u lost at %u", (unsigned)j,
                          (unsigned)i);
        }
    }
    ck_assert_uint_eq(peer_known_count(&k), 64);
    peer_known_free(&k);
}
END_TEST

START_TEST(known_set_capacity_is_bounded)
{
    struct peer_known k;
    ck_assert_int_eq(peer_known_init(&k, 0), ERR_RANGE);
    peer_known_free(&k);
    ck_assert_int_eq(peer_known_init(&k, PEER_KNOWN_MAX + 1), ERR_RANGE);
    peer_known_free(&k);
    /* a zeroed (failed) set answers "not known" and ignores adds */
    struct hash32 h = h_of(1);
    peer_known_add(&k, &h);
    ck_assert(!peer_known_has(&k, &h));
    ck_assert_uint_eq(peer_known_count(&k), 0);
}
END_TEST

START_TEST(score_reaches_ban_as_documented)
{
    /* garbage, oversized frames and invalid blocks: banned at once */
    enum peer_offence at_once[] = {PEER_OFFENCE_GARBAGE, PEER_OFFENCE_OVERSIZED,
                                   PEER_OFFENCE_INVALID_BLOCK};
    for (size_t i = 0; i < 3; i++) {
        uint32_t score = 0;
        ck_assert(peer_score_add(&score, at_once[i]));
        ck_assert_uint_ge(score, PEER_SCORE_BAN);
    }
    /* unrequested answers: the fourth one bans */
    uint32_t score = 0;
    ck_assert(!peer_score_add(&score, PEER_OFFENCE_UNREQUESTED));
    ck_assert(!peer_score_add(&score, PEER_OFFENCE_UNREQUESTED));
    ck_assert(!peer_score_add(&score, PEER_OFFENCE_UNREQUESTED));
    ck_assert(peer_score_add(&score, PEER_OFFENCE_UNREQUESTED));
    /* saturates instead of wrapping */
    score = UINT32_MAX - 1;
    ck_assert(peer_score_add(&score, PEER_OFFENCE_GARBAGE));
    ck_assert_uint_eq(score, UINT32_MAX);
    ck_assert_uint_eq(peer_offence_points(PEER_OFFENCE_COUNT), 0);
    ck_assert_str_eq(peer_offence_name(PEER_OFFENCE_OVERSIZED), "oversized");
}
END_TEST

static struct enode_endpoint ep_of(const char *ip)
{
    struct enode_endpoint ep;
    memset(&ep, 0, sizeof ep);
    ck_assert_int_eq(enode_set_ip(&ep, ip), 0);
    return ep;
}

START_TEST(bans_expire_and_match_by_ip)
{
    static struct peer_banlist b; /* large: not on the stack */
    memset(&b, 0, sizeof b);
    struct enode_endpoint a = ep_of("10.0.0.1"), a2 = ep_of("::ffff:10.0.0.1"),
                          c = ep_of("10.0.0.2"), v6 = ep_of("2001:db8::1");
    a.tcp_port = 1;
    a2.tcp_port = 2; /* ports do not matter */
    peer_ban_add(&b, &a, 1000, 600);
    int64_t until = 0;
    ck_assert(peer_ban_check(&b, &a, 1000, &until));
    ck_assert_int_eq(until, 1600);
    ck_assert(peer_ban_check(&b, &a2, 1599, NULL)); /* the mapped form is the same IP */
    ck_assert(!peer_ban_check(&b, &c, 1000, NULL));
    ck_assert(!peer_ban_check(&b, &v6, 1000, NULL));
    ck_assert(!peer_ban_check(&b, &a, 1600, NULL)); /* expired */
    ck_assert_uint_eq(peer_ban_count(&b, 1600), 0);
    /* a second ban extends, never shortens */
    peer_ban_add(&b, &v6, 0, 100);
    peer_ban_add(&b, &v6, 10, 500);
    peer_ban_add(&b, &v6, 20, 5);
    ck_assert(peer_ban_check(&b, &v6, 509, &until));
    ck_assert_int_eq(until, 510);
    ck_assert_uint_eq(peer_ban_count(&b, 20), 1);
    /* an endpoint without an IP is never banned */
    struct enode_endpoint none;
    memset(&none, 0, sizeof none);
    peer_ban_add(&b, &none, 0, 100);
    ck_assert_uint_eq(peer_ban_count(&b, 20), 1);
}
END_TEST

START_TEST(ban_list_is_bounded_and_drops_the_soonest_expiry)
{
    static struct peer_banlist b;
    memset(&b, 0, sizeof b);
    char ip[32];
    for (int i = 0; i < PEER_BANS_MAX; i++) {
        snprintf(ip, sizeof ip, "10.%d.%d.1", i / 256, i % 256);
        struct enode_endpoint e = ep_of(ip);
        /* 10.0.5.1 expires first */
        peer_ban_add(&b, &e, 0, i == 5 ? 50 : 1000 + i);
    }
    ck_assert_uint_eq(peer_ban_count(&b, 0), PEER_BANS_MAX);
    struct enode_endpoint extra = ep_of("192.168.1.1"), fifth = ep_of("10.0.5.1"),
                          sixth = ep_of("10.0.6.1");
    peer_ban_add(&b, &extra, 0, 100);
    ck_assert_uint_eq(peer_ban_count(&b, 0), PEER_BANS_MAX);
    ck_assert(peer_ban_check(&b, &extra, 0, NULL));
    ck_assert(!peer_ban_check(&b, &fifth, 0, NULL));
    ck_assert(peer_ban_check(&b, &sixth, 0, NULL));
}
END_TEST

START_TEST(full_block_goes_to_sqrt_n_peers)
{
    const size_t want[] = {0, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3};
    for (size_t n = 0; n < sizeof want / sizeof want[0]; n++)
        ck_assert_uint_eq(peer_prop_full_count(n), want[n]);
    ck_assert_uint_eq(peer_prop_full_count(25), 5);
    ck_assert_uint_eq(peer_prop_full_count(24), 4);
    ck_assert_uint_eq(peer_prop_full_count(1000000), 1000);
    ck_assert_uint_eq(peer_prop_full_count(999999), 999);
}
END_TEST

START_TEST(choice_picks_exactly_k_and_varies_with_the_seed)
{
    bool full[50];
    size_t order[50];
    size_t hits[50] = {0};
    for (uint64_t seed = 0; seed < 400; seed++) {
        peer_prop_choose(50, seed, full, order);
        size_t k = 0;
        for (size_t i = 0; i < 50; i++) {
            k += full[i];
            hits[i] += full[i];
        }
        ck_assert_uint_eq(k, 7);
    }
    /* every peer is chosen sometimes (400 draws of 7 of 50: each ~56 times) */
    for (size_t i = 0; i < 50; i++)
        ck_assert_msg(hits[i] > 10 && hits[i] < 150, "peer %zu chosen %zu times", i, hits[i]);
    /* deterministic for a seed */
    bool again[50];
    peer_prop_choose(50, 7, full, order);
    peer_prop_choose(50, 7, again, order);
    ck_assert(!memcmp(full, again, sizeof full));
    /* one peer: it gets the block */
    peer_prop_choose(1, 123, full, order);
    ck_assert(full[0]);
    peer_prop_choose(0, 1, NULL, NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("net_peer");
    TCase *t = tcase_create("core");
    tcase_add_test(t, known_set_remembers_and_forgets_oldest_first);
    tcase_add_test(t, known_set_survives_colliding_keys_and_long_churn);
    tcase_add_test(t, known_set_capacity_is_bounded);
    tcase_add_test(t, score_reaches_ban_as_documented);
    tcase_add_test(t, bans_expire_and_match_by_ip);
    tcase_add_test(t, ban_list_is_bounded_and_drops_the_soonest_expiry);
    tcase_add_test(t, full_block_goes_to_sqrt_n_peers);
    tcase_add_test(t, choice_picks_exactly_k_and_varies_with_the_seed);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
