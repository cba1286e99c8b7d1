/* test_net_kad.c — the Kademlia table (net/kad_table.h): log distance,
 * which bucket a node lands in, full buckets keeping their old entries
 * (replacements wait), least-recently-seen order and eviction only when
 * the service reports a node dead, closest-first order against a brute
 * force, and random picks. */
#include "test_net_discv4.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "net/kad_table.h"
#include "util/err.h"

static uint64_t seed = 0x9e3779b97f4a7c15ull;
static uint8_t rbyte(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (uint8_t)(seed >> 24);
}

static void random_node(struct enode *n)
{
    memset(n, 0, sizeof *n);
    for (int i = 0; i < 64; i++)
        n->id[i] = rbyte();
    n->ep.ip_len = 4;
    n->ep.ip[0] = 10;
    n->ep.ip[3] = rbyte();
    n->ep.udp_port = n->ep.tcp_port = 30303;
}

static struct kad_table *new_table(uint8_t self[64])
{
    for (int i = 0; i < 64; i++)
        self[i] = rbyte();
    struct kad_table *t = NULL;
    ck_assert_int_eq(kad_table_new(self, &t), 0);
    return t;
}

START_TEST(log_distance)
{
    uint8_t a[32] = {0}, b[32] = {0};
    ck_assert_int_eq(kad_log_distance(a, b), 0);
    b[31] = 0x01;
    ck_assert_int_eq(kad_log_distance(a, b), 1);
    b[31] = 0x80;
    ck_assert_int_eq(kad_log_distance(a, b), 8);
    b[31] = 0;
    b[30] = 0x01;
    ck_assert_int_eq(kad_log_distance(a, b), 9);
    b[0] = 0x80;
    ck_assert_int_eq(kad_log_distance(a, b), 256);
    b[0] = 0x01;
    ck_assert_int_eq(kad_log_distance(a, b), 249);
    /* symmetric, and only the XOR matters */
    memset(a, 0xff, 32);
    memset(b, 0xff, 32);
    b[5] ^= 0x10;
    ck_assert_int_eq(kad_log_distance(a, b), kad_log_distance(b, a));
    ck_assert_int_eq(kad_log_distance(a, b), (31 - 5) * 8 + 5);

    /* distance comparison */
    uint8_t t[32] = {0}, x[32] = {0}, y[32] = {0};
    x[31] = 1;
    y[31] = 2;
    ck_assert_int_lt(kad_distance_cmp(t, x, y), 0);
    ck_assert_int_gt(kad_distance_cmp(t, y, x), 0);
    ck_assert_int_eq(kad_distance_cmp(t, x, x), 0);
    t[31] = 3;                                   /* now y (d=1) is closer than x (d=2) */
    ck_assert_int_gt(kad_distance_cmp(t, x, y), 0);
}
END_TEST

START_TEST(bucket_placement)
{
    uint8_t self[64];
    struct kad_table *t = new_table(self);
    ck_assert_int_eq(kad_table_bucket_of(t, self), -1);
    struct enode me;
    random_node(&me);
    memcpy(me.id, self, 64);
    ck_assert_int_eq(kad_table_add(t, &me, true, 1), KAD_SELF);
    ck_assert_uint_eq(kad_table_len(t), 0);

    size_t per_bucket[KAD_BUCKETS] = {0};
    for (int k = 0; k < 300; k++) {
        struct enode n;
        random_node(&n);
        uint8_t h[32];
        keccak256(n.id, 64, h);
        int want = kad_log_distance(kad_table_self_hash(t), h) - 1;
        ck_assert_int_eq(kad_table_bucket_of(t, n.id), want);
        int r = kad_table_add(t, &n, false, 1);
        ck_assert(r == KAD_ADDED || r == KAD_REPLACEMENT);
        if (r == KAD_ADDED)
            per_bucket[want]++;
        ck_assert_uint_eq(kad_table_bucket_len(t, want), per_bucket[want]);
        ck_assert(kad_table_get(t, n.id, NULL) == (r == KAD_ADDED));
    }
    /* half of all ids are at distance 256: that bucket fills first */
    ck_assert_uint_eq(kad_table_bucket_len(t, 255), KAD_BUCKET_SIZE);
    ck_assert_uint_eq(kad_table_replacements_len(t, 255), KAD_REPLACEMENTS);
    size_t total = 0;
    for (int i = 0; i < KAD_BUCKETS; i++) {
        ck_assert_uint_le(kad_table_bucket_len(t, i), KAD_BUCKET_SIZE);
        total += kad_table_bucket_len(t, i);
    }
    ck_assert_uint_eq(total, kad_table_len(t));
    struct enode noip;
    random_node(&noip);
    noip.ep.ip_len = 0;
    ck_assert_int_eq(kad_table_add(t, &noip, true, 1), ERR_INVAL);
    kad_table_free(t);
}
END_TEST

/* Makes n nodes that all fall into bucket `b` of t. */
static void nodes_in_bucket(struct kad_table *t, int b, struct enode *out, size_t n)
{
    for (size_t k = 0; k < n;) {
        random_node(&out[k]);
        if (kad_table_bucket_of(t, out[k].id) == b)
            k++;
    }
}

START_TEST(full_bucket_keeps_old_entries)
{
    uint8_t self[64];
    struct kad_table *t = new_table(self);
    enum { N = KAD_BUCKET_SIZE + KAD_REPLACEMENTS + 2 };
    struct enode n[N];
    nodes_in_bucket(t, 255, n, N);

    for (int i = 0; i < KAD_BUCKET_SIZE; i++)
        ck_assert_int_eq(kad_table_add(t, &n[i], true, (uint64_t)i + 1), KAD_ADDED);
    /* newcomers wait as replacements; nobody is evicted for them */
    for (int i = KAD_BUCKET_SIZE; i < N; i++)
        ck_assert_int_eq(kad_table_add(t, &n[i], true, 100), KAD_REPLACEMENT);
    ck_assert_uint_eq(kad_table_bucket_len(t, 255), KAD_BUCKET_SIZE);
    ck_assert_uint_eq(kad_table_replacements_len(t, 255), KAD_REPLACEMENTS);
    for (int i = 0; i < KAD_BUCKET_SIZE; i++)
        ck_assert(kad_table_get(t, n[i].id, NULL));

    /* verified adds go to the front: the least recently seen is n[0] */
    struct kad_entry e;
    ck_assert_int_eq(kad_table_revalidation_target(t, 7, &e), 0);
    ck_assert(memcmp(e.node.id, n[0].id, 64) == 0);
    /* it answers: now n[1] is the oldest */
    ck_assert_int_eq(kad_table_seen(t, n[0].id, 200), 0);
    ck_assert_int_eq(kad_table_revalidation_target(t, 7, &e), 0);
    ck_assert(memcmp(e.node.id, n[1].id, 64) == 0);
    ck_assert_int_eq(kad_table_get(t, n[0].id, &e), true);
    ck_assert_uint_eq(e.seen_ms, 200);
    ck_assert_uint_eq(e.added_ms, 1);

    /* n[1] fails its check: the newest replacement (n[N-1]) takes the slot */
    struct enode promoted;
    ck_assert_int_eq(kad_table_dead(t, n[1].id, &promoted), 1);
    ck_assert(memcmp(promoted.id, n[N - 1].id, 64) == 0);
    ck_assert(!kad_table_get(t, n[1].id, NULL));
    ck_assert(kad_table_get(t, n[N - 1].id, NULL));
    ck_assert_uint_eq(kad_table_bucket_len(t, 255), KAD_BUCKET_SIZE);
    ck_assert_uint_eq(kad_table_replacements_len(t, 255), KAD_REPLACEMENTS - 1);
    ck_assert_uint_eq(kad_table_len(t), KAD_BUCKET_SIZE);
    /* the oldest replacements fell off when the list was full */
    ck_assert_int_eq(kad_table_dead(t, n[KAD_BUCKET_SIZE].id, NULL), ERR_NOTFOUND);
    ck_assert_int_eq(kad_table_dead(t, n[1].id, NULL), ERR_NOTFOUND);
    kad_table_free(t);
}
END_TEST

START_TEST(seen_order_and_updates)
{
    uint8_t self[64];
    struct kad_table *t = new_table(self);
    struct enode n[4];
    nodes_in_bucket(t, 255, n, 4);
    ck_assert_int_eq(kad_table_add(t, &n[0], true, 1), KAD_ADDED);
    ck_assert_int_eq(kad_table_add(t, &n[1], true, 2), KAD_ADDED);
    ck_assert_int_eq(kad_table_add(t, &n[2], true, 3), KAD_ADDED);
    struct kad_entry e;
    ck_assert_int_eq(kad_table_revalidation_target(t, 1, &e), 0);
    ck_assert(memcmp(e.node.id, n[0].id, 64) == 0);
    /* an unverified newcomer goes to the back: first to be checked */
    ck_assert_int_eq(kad_table_add(t, &n[3], false, 4), KAD_ADDED);
    ck_assert_int_eq(kad_table_revalidation_target(t, 1, &e), 0);
    ck_assert(memcmp(e.node.id, n[3].id, 64) == 0);
    ck_assert_uint_eq(e.seen_ms, 0);

    /* hearsay does not move an entry or change its address ... */
    struct enode moved = n[1];
    moved.ep.ip[3] ^= 0xff;
    ck_assert_int_eq(kad_table_add(t, &moved, false, 5), KAD_UPDATED);
    ck_assert(kad_table_get(t, n[1].id, &e));
    ck_assert_uint_eq(e.node.ep.ip[3], n[1].ep.ip[3]);
    /* ... a liveness proof does */
    ck_assert_int_eq(kad_table_add(t, &moved, true, 6), KAD_UPDATED);
    ck_assert(kad_table_get(t, n[1].id, &e));
    ck_assert_uint_eq(e.node.ep.ip[3], moved.ep.ip[3]);
    ck_assert_uint_eq(e.seen_ms, 6);
    ck_assert_uint_eq(e.added_ms, 2);

    /* dead without replacements: the bucket shrinks */
    ck_assert_int_eq(kad_table_dead(t, n[3].id, NULL), 0);
    ck_assert_uint_eq(kad_table_len(t), 3);
    ck_assert_int_eq(kad_table_seen(t, n[3].id, 7), ERR_NOTFOUND);
    kad_table_free(t);

    /* empty table: nothing to revalidate */
    t = new_table(self);
    ck_assert_int_eq(kad_table_revalidation_target(t, 1, &e), ERR_NOTFOUND);
    kad_table_free(t);
}
END_TEST

START_TEST(closest_is_sorted_and_complete)
{
    uint8_t self[64];
    struct kad_table *t = new_table(self);
    enum { N = 400 };
    struct enode *all = calloc(N, sizeof *all);
    ck_assert_ptr_nonnull(all);
    size_t in = 0;
    for (int k = 0; k < N; k++) {
        random_node(&all[in]);
        if (kad_table_add(t, &all[in], true, 1) == KAD_ADDED)
            in++;
    }
    ck_assert_uint_eq(in, kad_table_len(t));
    for (int round = 0; round < 20; round++) {
        uint8_t target[32];
        for (int i = 0; i < 32; i++)
            target[i] = rbyte();
        struct enode out[KAD_BUCKET_SIZE];
        size_t n = kad_table_closest(t, target, out, KAD_BUCKET_SIZE);
        ck_assert_uint_eq(n, KAD_BUCKET_SIZE);
        uint8_t h[KAD_BUCKET_SIZE][32];
        for (size_t i = 0; i < n; i++) {
            keccak256(out[i].id, 64, h[i]);
            if (i > 0)
                ck_assert_int_lt(kad_distance_cmp(target, h[i - 1], h[i]), 0);
        }
        /* brute force: no table entry left out is closer than the last */
        size_t closer = 0;
        for (size_t k = 0; k < in; k++) {
            uint8_t hk[32];
            keccak256(all[k].id, 64, hk);
            if (kad_distance_cmp(target, hk, h[n - 1]) <= 0)
                closer++;
        }
        ck_assert_uint_eq(closer, n);
    }
    /* fewer entries than asked: all of them */
    struct enode many[300];
    ck_assert_uint_eq(kad_table_closest(t, kad_table_self_hash(t), many, 300),
                      in < 256 ? in : 256);
    free(all);
    kad_table_free(t);
}
END_TEST

START_TEST(random_picks_are_distinct_members)
{
    uint8_t self[64];
    struct kad_table *t = new_table(self);
    for (int k = 0; k < 100; k++) {
        struct enode n;
        random_node(&n);
        kad_table_add(t, &n, false, 1);
    }
    size_t len = kad_table_len(t);
    struct enode out[200];
    size_t n = kad_table_random(t, 42, out, 10);
    ck_assert_uint_eq(n, 10);
    for (size_t i = 0; i < n; i++) {
        ck_assert(kad_table_get(t, out[i].id, NULL));
        for (size_t j = 0; j < i; j++)
            ck_assert(memcmp(out[i].id, out[j].id, 64) != 0);
    }
    /* different seeds pick differently (10 of len; equal picks are unlikely) */
    struct enode other[10];
    kad_table_random(t, 43, other, 10);
    ck_assert(memcmp(out, other, sizeof other) != 0);
    ck_assert_uint_eq(kad_table_random(t, 1, out, 200), len);
    kad_table_free(t);
}
END_TEST

TCase *net_kad_tcase(void)
{
    TCase *tc = tcase_create("kad");
    tcase_add_test(tc, log_distance);
    tcase_add_test(tc, bucket_placement);
    tcase_add_test(tc, full_bucket_keeps_old_entries);
    tcase_add_test(tc, seen_order_and_updates);
    tcase_add_test(tc, closest_is_sorted_and_complete);
    tcase_add_test(tc, random_picks_are_distinct_members);
    return tc;
}
