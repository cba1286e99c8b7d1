/*
 * test_rpc_filters.c — unit tests of the polled filters (rpc/filters.h):
 * what each kind returns, the per-filter cursors, expiry after 5 minutes
 * without a poll (with an injected clock), the caps on filters and on
 * buffered items, id lookup; and of the log query (rpc/logquery.h): the
 * criteria parser's errors and the live matching that filter changes use,
 * and the bloom pre-check of rpc/logfilter.h that eth_getLogs relies on.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/dispatch.h"
#include "rpc/filters.h"
#include "rpc/logfilter.h"
#include "rpc/logquery.h"
#include "util/err.h"

#define T0 1000     /* an arbitrary start time (seconds) */

static struct hash32 h32(uint8_t b)
{
    struct hash32 h;
    memset(h.b, b, sizeof h.b);
    return h;
}

static json_t *changes(struct rpc_filters *fs, const char *id, int64_t now)
{
    json_t *out = NULL;
    ck_assert_int_eq(rpc_filters_changes(fs, id, now, &out), 0);
    ck_assert(json_is_array(out));
    return out;
}

/* "0x" + 64 times the two hex digits of b */
static void hash_hex(uint8_t b, char out[67])
{
    static const char d[] = "0123456789abcdef";
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 32; i++) {
        out[2 + 2 * i] = d[b >> 4];
        out[3 + 2 * i] = d[b & 15];
    }
    out[66] = 0;
}

static void assert_hash_at(json_t *arr, size_t i, uint8_t b)
{
    char want[67];
    hash_hex(b, want);
    ck_assert_str_eq(json_string_value(json_array_get(arr, i)), want);
}

/* A parsed query from JSON criteria (must parse). */
static void query(const char *criteria, struct rpc_log_query *q)
{
    atomic_bool never = false;
    struct rpc_env env;
    memset(&env, 0, sizeof env);
    struct rpc_ctx ctx = {.env = &env, .cancelled = &never};
    json_t *params = json_loads(criteria, JSON_DECODE_ANY, NULL);
    ck_assert_ptr_nonnull(params);
    ck_assert_msg(rpc_log_query_parse(&ctx, params, 0, q) == 0, "%s: %s", criteria,
                  ctx.err.message);
    json_decref(params);
}

/* The error message parsing `params` gives (must fail with -32602). */
static void query_fails(const char *params_json, const char *want)
{
    atomic_bool never = false;
    struct rpc_env env;
    memset(&env, 0, sizeof env);
    struct rpc_ctx ctx = {.env = &env, .cancelled = &never};
    json_t *params = json_loads(params_json, JSON_DECODE_ANY, NULL);
    ck_assert_ptr_nonnull(params);
    struct rpc_log_query q;
    ck_assert_msg(rpc_log_query_parse(&ctx, params, 0, &q) == -1, "%s parsed", params_json);
    ck_assert_int_eq(ctx.err.code, RPC_INVALID_PARAMS);
    ck_assert_msg(strstr(ctx.err.message, want), "%s: got \"%s\", want \"%s\"", params_json,
                  ctx.err.message, want);
    rpc_error_clear(&ctx.err);
    json_decref(params);
}

/* A log at address aa..aa with topics t[0..n) (each byte repeated) and
 * data of `data_len` bytes. */
struct test_log {
    struct log log;
    struct hash32 topics[4];
    uint8_t *data;
};

static void make_log(struct test_log *tl, uint8_t addr, const uint8_t *t, size_t n,
                     size_t data_len)
{
    memset(tl, 0, sizeof *tl);
    memset(tl->log.address.b, addr, sizeof tl->log.address.b);
    for (size_t i = 0; i < n; i++)
        tl->topics[i] = h32(t[i]);
    tl->log.topics = n ? tl->topics : NULL;
    tl->log.topic_count = n;
    if (data_len) {
        tl->data = calloc(1, data_len);
        ck_assert_ptr_nonnull(tl->data);
    }
    tl->log.data = tl->data;
    tl->log.data_len = data_len;
}

static struct rpc_log_loc loc_at(uint64_t number, uint8_t block, uint64_t index)
{
    struct rpc_log_loc loc;
    memset(&loc, 0, sizeof loc);
    loc.block_hash = h32(block);
    loc.block_number = number;
    loc.tx_hash = h32(0xee);
    loc.log_index = index;
    return loc;
}

START_TEST(block_filters_see_only_what_follows_and_each_poll_moves_on)
{
    struct rpc_filters *fs;
    ck_assert_int_eq(rpc_filters_new(&fs), 0);
    ck_assert(!rpc_filters_wants(fs, RPC_FILTER_BLOCKS, NULL));
    struct hash32 h = h32(1);
    ck_assert_int_eq(rpc_filters_push_block(fs, &h), 0);    /* before any filter: lost */

    char a[RPC_FILTER_ID_SIZE], b[RPC_FILTER_ID_SIZE];
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_BLOCKS, NULL, false, T0, a), 0);
    ck_assert_int_eq(strlen(a), 34);
    ck_assert(a[0] == '0' && a[1] == 'x' && a[2] != '0');
    ck_assert(rpc_filters_wants(fs, RPC_FILTER_BLOCKS, NULL));
    h = h32(2);
    rpc_filters_push_block(fs, &h);
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_BLOCKS, NULL, false, T0, b), 0);
    ck_assert_str_ne(a, b);
    h = h32(3);
    rpc_filters_push_block(fs, &h);

    json_t *ca = changes(fs, a, T0 + 1);
    ck_assert_int_eq(json_array_size(ca), 2);
    assert_hash_at(ca, 0, 2);
    assert_hash_at(ca, 1, 3);
    json_decref(ca);
    ca = changes(fs, a, T0 + 1);
    ck_assert_int_eq(json_array_size(ca), 0);      /* nothing new since the last poll */
    json_decref(ca);

    json_t *cb = changes(fs, b, T0 + 1);           /* b came after block 2 */
    ck_assert_int_eq(json_array_size(cb), 1);
    assert_hash_at(cb, 0, 3);
    json_decref(cb);

    h = h32(4);
    rpc_filters_push_block(fs, &h);
    ca = changes(fs, a, T0 + 2);
    cb = changes(fs, b, T0 + 2);
    ck_assert_int_eq(json_array_size(ca), 1);
    ck_assert_int_eq(json_array_size(cb), 1);
    assert_hash_at(ca, 0, 4);
    assert_hash_at(cb, 0, 4);
    json_decref(ca);
    json_decref(cb);

    /* Other kinds do not see blocks, and no filter's events leak into another kind. */
    ck_assert(!rpc_filters_wants(fs, RPC_FILTER_PENDING_TXS, NULL));
    ck_assert_uint_eq(rpc_filters_count(fs), 2);
    ck_assert_uint_eq(rpc_filters_count_kind(fs, RPC_FILTER_BLOCKS), 2);
    rpc_filters_free(fs);
}
END_TEST

START_TEST(ids_are_found_regardless_of_case_and_leading_zeros)
{
    struct rpc_filters *fs;
    ck_assert_int_eq(rpc_filters_new(&fs), 0);
    char id[RPC_FILTER_ID_SIZE];
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_BLOCKS, NULL, false, T0, id), 0);
    char alt[64];
    snprintf(alt, sizeof alt, "0X000%s", id + 2);
    for (char *p = alt + 2; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    json_t *c = NULL;
    ck_assert_int_eq(rpc_filters_changes(fs, alt, T0, &c), 0);
    json_decref(c);
    const char *junk[] = {"", "0x", "zz", "0x1", id + 2, "0x0123456789abcdef0123456789abcdef0"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        ck_assert_int_eq(rpc_filters_changes(fs, junk[i], T0, &c), ERR_NOTFOUND);
        ck_assert_ptr_null(c);
    }
    ck_assert(!rpc_filters_uninstall(fs, "0xabc", T0));
    ck_assert(rpc_filters_uninstall(fs, alt, T0));
    ck_assert(!rpc_filters_uninstall(fs, id, T0));
    ck_assert_int_eq(rpc_filters_changes(fs, id, T0, &c), ERR_NOTFOUND);
    ck_assert(!rpc_filters_wants(fs, RPC_FILTER_BLOCKS, NULL));
    rpc_filters_free(fs);
}
END_TEST

START_TEST(filters_expire_after_five_minutes_without_a_poll)
{
    struct rpc_filters *fs;
    ck_assert_int_eq(rpc_filters_new(&fs), 0);
    char polled[RPC_FILTER_ID_SIZE], idle[RPC_FILTER_ID_SIZE], logs[RPC_FILTER_ID_SIZE];
    struct rpc_log_query q;
    query("[{}]", &q);
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_BLOCKS, NULL, false, T0, polled), 0);
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_PENDING_TXS, NULL, false, T0, idle), 0);
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_LOGS, &q, false, T0, logs), 0);
    ck_assert_ptr_null(q.f.addrs);      /* moved into the filter */

    /* A poll restarts the clock; eth_getFilterLogs' read of the criteria does not. */
    json_decref(changes(fs, polled, T0 + RPC_FILTER_TIMEOUT - 1));
    struct rpc_log_query copy;
    ck_assert_int_eq(rpc_filters_query(fs, logs, T0 + RPC_FILTER_TIMEOUT - 1, &copy), 0);
    rpc_log_query_free(&copy);
    ck_assert_uint_eq(rpc_filters_expire(fs, T0 + RPC_FILTER_TIMEOUT - 1), 0);
    ck_assert_uint_eq(rpc_filters_count(fs), 3);

    ck_assert_uint_eq(rpc_filters_expire(fs, T0 + RPC_FILTER_TIMEOUT), 2);
    json_t *c = NULL;
    ck_assert_int_eq(rpc_filters_changes(fs, idle, T0 + RPC_FILTER_TIMEOUT, &c), ERR_NOTFOUND);
    ck_assert_int_eq(rpc_filters_query(fs, logs, T0 + RPC_FILTER_TIMEOUT, &copy), ERR_NOTFOUND);
    ck_assert(!rpc_filters_wants(fs, RPC_FILTER_PENDING_TXS, NULL));
    ck_assert(!rpc_filters_wants(fs, RPC_FILTER_LOGS, NULL));
    json_decref(changes(fs, polled, T0 + 2 * RPC_FILTER_TIMEOUT - 2));

    /* Expiry also happens inside any call that takes the time, without a sweep. */
    ck_assert(!rpc_filters_uninstall(fs, polled, T0 + 3 * RPC_FILTER_TIMEOUT));
    ck_assert_uint_eq(rpc_filters_count(fs), 0);
    rpc_filters_free(fs);
}
END_TEST

START_TEST(the_number_of_filters_is_capped)
{
    struct rpc_filters *fs;
    ck_assert_int_eq(rpc_filters_new(&fs), 0);
    char id[RPC_FILTER_ID_SIZE], first[RPC_FILTER_ID_SIZE];
    for (int i = 0; i < RPC_FILTERS_MAX; i++)
        ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_BLOCKS, NULL, false, T0,
                                             i ? id : first), 0);
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_BLOCKS, NULL, false, T0, id), ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "too many filters"));
    struct rpc_log_query q;
    query("[{\"address\":\"0x" "1111111111111111111111111111111111111111\"}]", &q);
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_LOGS, &q, false, T0, id), ERR_RANGE);
    ck_assert_uint_eq(q.f.naddr, 1);    /* still the caller's after a failure */
    ck_assert(rpc_filters_uninstall(fs, first, T0));
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_LOGS, &q, false, T0, id), 0);
    rpc_log_query_free(&q);
    /* Expired filters do not count against the cap. */
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_BLOCKS, NULL, false,
                                         T0 + RPC_FILTER_TIMEOUT, id), 0);
    ck_assert_uint_eq(rpc_filters_count(fs), 1);
    rpc_filters_free(fs);
}
END_TEST

START_TEST(buffered_items_are_capped_and_the_oldest_go_first)
{
    struct rpc_filters *fs;
    ck_assert_int_eq(rpc_filters_new(&fs), 0);
    char id[RPC_FILTER_ID_SIZE];
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_BLOCKS, NULL, false, T0, id), 0);
    const int extra = 10;
    for (int i = 0; i < RPC_FILTERS_BLOCKS_KEPT + extra; i++) {
        struct hash32 h;
        memset(h.b, 0, sizeof h.b);
        h.b[0] = (uint8_t)(i >> 8);
        h.b[1] = (uint8_t)i;
        rpc_filters_push_block(fs, &h);
    }
    json_t *c = changes(fs, id, T0);
    ck_assert_int_eq(json_array_size(c), RPC_FILTERS_BLOCKS_KEPT);
    /* the first kept is number `extra`, the last the newest */
    const char *first = json_string_value(json_array_get(c, 0));
    const char *last = json_string_value(json_array_get(c, RPC_FILTERS_BLOCKS_KEPT - 1));
    ck_assert(!strncmp(first, "0x000a", 6));
    char want[8];
    snprintf(want, sizeof want, "0x%04x", RPC_FILTERS_BLOCKS_KEPT + extra - 1);
    ck_assert(!strncmp(last, want, 6));
    json_decref(c);

    /* Logs are capped by bytes too: 1 MiB of data each. */
    struct rpc_log_query q;
    query("[{}]", &q);
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_LOGS, &q, false, T0, id), 0);
    struct test_log tl;
    const uint8_t t[1] = {7};
    make_log(&tl, 0xaa, t, 1, 1u << 20);
    for (uint64_t i = 0; i < 20; i++) {
        struct rpc_log_loc loc = loc_at(i, 1, i);
        ck_assert_int_eq(rpc_filters_push_log(fs, &tl.log, &loc, false), 0);
    }
    c = changes(fs, id, T0);
    size_t fit = RPC_FILTERS_LOG_BYTES / ((1u << 20) + 32);
    ck_assert_uint_eq(json_array_size(c), fit);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, fit - 1),
                                                       "blockNumber")), "0x13");
    json_decref(c);
    /* A log larger than the whole budget is never kept. */
    free(tl.data);
    make_log(&tl, 0xaa, t, 1, RPC_FILTERS_LOG_BYTES);
    struct rpc_log_loc loc = loc_at(30, 1, 0);
    ck_assert_int_eq(rpc_filters_push_log(fs, &tl.log, &loc, false), 0);
    c = changes(fs, id, T0);
    ck_assert_int_eq(json_array_size(c), 0);
    json_decref(c);
    free(tl.data);
    rpc_filters_free(fs);
}
END_TEST

START_TEST(log_filters_match_their_criteria_and_see_removed_logs)
{
    struct rpc_filters *fs;
    ck_assert_int_eq(rpc_filters_new(&fs), 0);
    char all[RPC_FILTER_ID_SIZE], by_topic[RPC_FILTER_ID_SIZE], ranged[RPC_FILTER_ID_SIZE];
    struct rpc_log_query q;
    query("[{}]", &q);
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_LOGS, &q, false, T0, all), 0);
    query("[{\"topics\":[null,\"0x0202020202020202020202020202020202020202020202020202020202"
          "020202\"]}]", &q);
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_LOGS, &q, false, T0, by_topic), 0);
    query("[{\"fromBlock\":\"0x5\",\"toBlock\":\"0x6\"}]", &q);
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_LOGS, &q, false, T0, ranged), 0);

    struct test_log l1, l2;
    const uint8_t t12[2] = {1, 2}, t13[2] = {1, 3};
    make_log(&l1, 0xaa, t12, 2, 4);
    make_log(&l2, 0xbb, t13, 2, 0);
    struct rpc_log_loc a = loc_at(4, 0x44, 0), b = loc_at(5, 0x55, 0), c = loc_at(5, 0x55, 1);
    rpc_filters_push_log(fs, &l1.log, &a, false);
    rpc_filters_push_log(fs, &l1.log, &b, false);
    rpc_filters_push_log(fs, &l2.log, &c, false);
    /* a reorg drops block 5 (0x55) */
    rpc_filters_push_log(fs, &l1.log, &b, true);
    rpc_filters_push_log(fs, &l2.log, &c, true);

    json_t *got = changes(fs, all, T0);
    ck_assert_int_eq(json_array_size(got), 5);
    json_t *first = json_array_get(got, 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "address")),
                     "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    ck_assert_str_eq(json_string_value(json_object_get(first, "data")), "0x00000000");
    ck_assert_str_eq(json_string_value(json_object_get(first, "blockNumber")), "0x4");
    ck_assert(json_is_false(json_object_get(first, "removed")));
    ck_assert(json_is_true(json_object_get(json_array_get(got, 3), "removed")));
    ck_assert(json_is_true(json_object_get(json_array_get(got, 4), "removed")));
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(got, 4), "logIndex")),
                     "0x1");
    json_decref(got);

    got = changes(fs, by_topic, T0);        /* l1 only: added twice, removed once */
    ck_assert_int_eq(json_array_size(got), 3);
    for (size_t i = 0; i < 3; i++)
        ck_assert_str_eq(json_string_value(json_array_get(
                             json_object_get(json_array_get(got, i), "topics"), 1)),
                         "0x0202020202020202020202020202020202020202020202020202020202020202");
    json_decref(got);

    got = changes(fs, ranged, T0);          /* block 5 only */
    ck_assert_int_eq(json_array_size(got), 4);
    json_decref(got);

    /* The store keeps nothing that no log filter matches. */
    ck_assert(rpc_filters_uninstall(fs, all, T0));
    ck_assert(rpc_filters_uninstall(fs, ranged, T0));
    struct rpc_log_loc d = loc_at(9, 0x99, 0);
    rpc_filters_push_log(fs, &l2.log, &d, false);       /* no topic 2 */
    got = changes(fs, by_topic, T0);
    ck_assert_int_eq(json_array_size(got), 0);
    json_decref(got);
    free(l1.data);
    free(l2.data);
    rpc_filters_free(fs);
}
END_TEST

START_TEST(pending_filters_give_hashes_or_objects)
{
    struct rpc_filters *fs;
    ck_assert_int_eq(rpc_filters_new(&fs), 0);
    char hashes[RPC_FILTER_ID_SIZE], full[RPC_FILTER_ID_SIZE];
    bool want_full = true;
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_PENDING_TXS, NULL, false, T0, hashes), 0);
    ck_assert(rpc_filters_wants(fs, RPC_FILTER_PENDING_TXS, &want_full));
    ck_assert(!want_full);
    ck_assert_int_eq(rpc_filters_install(fs, RPC_FILTER_PENDING_TXS, NULL, true, T0, full), 0);
    ck_assert(rpc_filters_wants(fs, RPC_FILTER_PENDING_TXS, &want_full));
    ck_assert(want_full);

    char hx[67];
    hash_hex(0x33, hx);
    struct hash32 h = h32(0x33);
    rpc_filters_push_tx(fs, &h, json_pack("{s:s, s:s}", "hash", hx, "nonce", "0x7"));
    h = h32(0x34);
    rpc_filters_push_tx(fs, &h, NULL);      /* no object: full filters get the hash */

    json_t *c = changes(fs, hashes, T0);
    ck_assert_int_eq(json_array_size(c), 2);
    assert_hash_at(c, 0, 0x33);
    assert_hash_at(c, 1, 0x34);
    json_decref(c);
    c = changes(fs, full, T0);
    ck_assert_int_eq(json_array_size(c), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 0), "nonce")), "0x7");
    assert_hash_at(c, 1, 0x34);
    json_decref(c);

    ck_assert(rpc_filters_uninstall(fs, full, T0));
    ck_assert(rpc_filters_wants(fs, RPC_FILTER_PENDING_TXS, &want_full));
    ck_assert(!want_full);
    /* A pending filter's id is no log filter for eth_getFilterLogs. */
    struct rpc_log_query q;
    ck_assert_int_eq(rpc_filters_query(fs, hashes, T0, &q), ERR_NOTFOUND);
    rpc_filters_free(fs);
}
END_TEST

START_TEST(criteria_errors_name_the_argument)
{
    query_fails("[\"latest\"]", "invalid argument 0: json: cannot unmarshal non-object");
    query_fails("[{\"blockHash\":\"0x" "1111111111111111111111111111111111111111111111111111111"
                "111111111\",\"fromBlock\":\"0x1\"}]",
                "invalid argument 0: cannot specify both BlockHash and FromBlock/ToBlock, "
                "choose one or the other");
    query_fails("[{\"blockHash\":\"0x12\"}]", "invalid argument 0: blockHash: hex string has "
                                              "length 2, want 64");
    query_fails("[{\"fromBlock\":\"12\"}]", "invalid argument 0: fromBlock: hex string without "
                                            "0x prefix");
    query_fails("[{\"toBlock\":\"0x01\"}]", "invalid argument 0: toBlock: ");
    query_fails("[{\"toBlock\":5}]", "invalid argument 0: toBlock: ");
    query_fails("[{\"address\":\"0x12\"}]", "invalid argument 0: invalid address");
    query_fails("[{\"topics\":[null,null,null,null,null]}]", "invalid argument 0: exceed max "
                                                             "topics");
    query_fails("[{\"topics\":[\"0x01\"]}]", "invalid argument 0: invalid topic");

    /* Accepted forms: tags, "earliest" as 0, null criteria, nulls in fields. */
    struct rpc_log_query q;
    query("[{\"fromBlock\":\"earliest\",\"toBlock\":\"pending\",\"address\":null,"
          "\"topics\":null,\"blockHash\":null}]", &q);
    ck_assert_int_eq(q.from.kind, RPC_BLOCK_NUMBER);
    ck_assert_uint_eq(q.from.number, 0);
    ck_assert_int_eq(q.to.kind, RPC_BLOCK_LATEST);
    ck_assert(!q.has_hash);
    rpc_log_query_free(&q);
    query("[]", &q);
    ck_assert_int_eq(q.from.kind, RPC_BLOCK_LATEST);
    rpc_log_query_free(&q);
}
END_TEST

START_TEST(live_matching_applies_numbers_and_block_hash)
{
    struct test_log l;
    const uint8_t t[1] = {1};
    make_log(&l, 0xaa, t, 1, 0);
    struct rpc_log_query q;
    query("[{\"fromBlock\":\"0x3\",\"toBlock\":\"0x5\"}]", &q);
    struct rpc_log_loc at2 = loc_at(2, 1, 0), at3 = loc_at(3, 1, 0), at5 = loc_at(5, 1, 0),
                       at6 = loc_at(6, 1, 0);
    ck_assert(!rpc_log_query_match_live(&q, &l.log, &at2));
    ck_assert(rpc_log_query_match_live(&q, &l.log, &at3));
    ck_assert(rpc_log_query_match_live(&q, &l.log, &at5));
    ck_assert(!rpc_log_query_match_live(&q, &l.log, &at6));
    rpc_log_query_free(&q);
    query("[{\"fromBlock\":\"latest\",\"toBlock\":\"pending\"}]", &q);
    ck_assert(rpc_log_query_match_live(&q, &l.log, &at2));      /* tags do not bound */
    rpc_log_query_free(&q);
    query("[{\"blockHash\":\"0x0101010101010101010101010101010101010101010101010101010101010101"
          "\"}]", &q);
    struct rpc_log_loc other = loc_at(2, 2, 0);
    ck_assert(rpc_log_query_match_live(&q, &l.log, &at2));
    ck_assert(!rpc_log_query_match_live(&q, &l.log, &other));
    struct rpc_log_query copy;
    ck_assert_int_eq(rpc_log_query_copy(&copy, &q), 0);
    rpc_log_query_free(&q);
    ck_assert(rpc_log_query_match_live(&copy, &l.log, &at2));
    rpc_log_query_free(&copy);
}
END_TEST

START_TEST(bloom_precheck_never_skips_a_match)
{
    struct test_log l;
    const uint8_t t[2] = {1, 2};
    make_log(&l, 0xaa, t, 2, 0);
    struct bloom bl;
    memset(&bl, 0, sizeof bl);
    logs_bloom(&l.log, 1, &bl);
    struct rpc_log_query q;
    const char *hit[] = {
        "[{}]",
        "[{\"address\":[\"0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","
        "\"0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}]",
        "[{\"topics\":[null,\"0x0202020202020202020202020202020202020202020202020202020202020202"
        "\"]}]",
    };
    for (size_t i = 0; i < sizeof hit / sizeof hit[0]; i++) {
        query(hit[i], &q);
        ck_assert_msg(logfilter_bloom_match(&q.f, &bl), "%s", hit[i]);
        ck_assert(logfilter_match_log(&q.f, &l.log));
        rpc_log_query_free(&q);
    }
    const char *miss[] = {
        "[{\"address\":\"0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}]",
        "[{\"topics\":[\"0x0303030303030303030303030303030303030303030303030303030303030303"
        "\"]}]",
    };
    for (size_t i = 0; i < sizeof miss / sizeof miss[0]; i++) {
        query(miss[i], &q);
        ck_assert_msg(!logfilter_bloom_match(&q.f, &bl), "%s", miss[i]);
        rpc_log_query_free(&q);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rpc_filters");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, block_filters_see_only_what_follows_and_each_poll_moves_on);
    tcase_add_test(tc, ids_are_found_regardless_of_case_and_leading_zeros);
    tcase_add_test(tc, filters_expire_after_five_minutes_without_a_poll);
    tcase_add_test(tc, the_number_of_filters_is_capped);
    tcase_add_test(tc, buffered_items_are_capped_and_the_oldest_go_first);
    tcase_add_test(tc, log_filters_match_their_criteria_and_see_removed_logs);
    tcase_add_test(tc, pending_filters_give_hashes_or_objects);
    tcase_add_test(tc, criteria_errors_name_the_argument);
    tcase_add_test(tc, live_matching_applies_numbers_and_block_hash);
    tcase_add_test(tc, bloom_precheck_never_skips_a_match);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
