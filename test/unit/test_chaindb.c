/*
 * test_chaindb.c — the chain database schema (chain/chaindb.h): every
 * record round-trips; absent records give ERR_NOTFOUND and corrupt ones
 * ERR_DECODE (a header under the wrong hash included); a batch is invisible
 * until written and complete after reopening; deleting the canonical
 * entries above a height also drops their transaction lookups; no schema
 * key is 32 bytes long (those belong to trie nodes).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain/chaindb.h"
#include "chain_harness.h"
#include "util/err.h"

static char dir[4096];

static struct db *open_db(void)
{
    struct db *db;
    ck_assert_int_eq(db_open(dir, NULL, &db), 0);
    return db;
}

static struct db *make_db(void)
{
    ch_tmpdir(dir, sizeof dir, "test_chaindb");
    return open_db();
}

static void remove_db(struct db *db)
{
    db_close(db);
    ch_rmdir(dir);
}

/* A block with n signed transfers and a header with some of everything. */
static void sample_block(struct block *b, uint64_t number, size_t n)
{
    memset(b, 0, sizeof *b);
    struct header *h = &b->header;
    h->number = number;
    h->gas_limit = 8000000;
    h->gas_used = 21000 * n;
    h->time = 1000 + number;
    h->difficulty = u256_from_u64(3);
    memset(h->parent_hash.b, (int)number, 32);
    memset(h->state_root.b, 0x55, 32);
    h->bloom.b[7] = 0x80;
    h->extra_len = 97;
    h->extra = calloc(1, h->extra_len);
    h->extra[0] = 0xee;
    if (n) {
        b->body.txs = calloc(n, sizeof *b->body.txs);
        for (size_t i = 0; i < n; i++)
            b->body.txs[i] = ch_tx(0, number * 100 + i, &CH_COINBASE, i, 21000, 1, NULL, 0, 7);
        b->body.tx_count = n;
    }
}

static void sample_receipts(struct receipt *r, size_t n)
{
    memset(r, 0, n * sizeof *r);
    for (size_t i = 0; i < n; i++) {
        r[i].status = i % 2 == 0;
        r[i].cumulative_gas = 21000 * (i + 1);
        r[i].log_count = 1;
        r[i].logs = calloc(1, sizeof *r[i].logs);
        r[i].logs[0].address = CH_CHIEF;
        r[i].logs[0].topic_count = 2;
        r[i].logs[0].topics = calloc(2, sizeof(struct hash32));
        r[i].logs[0].topics[1].b[3] = (uint8_t)i;
        r[i].logs[0].data_len = 3;
        r[i].logs[0].data = malloc(3);
        memcpy(r[i].logs[0].data, "abc", 3);
        receipt_compute_bloom(&r[i], &r[i].bloom);
    }
}

static void same_receipt(const struct receipt *a, const struct receipt *b)
{
    struct bytes x = BYTES_INIT, y = BYTES_INIT;
    ck_assert_int_eq(receipt_encode(a, &x), 0);
    ck_assert_int_eq(receipt_encode(b, &y), 0);
    ck_assert_uint_eq(x.len, y.len);
    ck_assert_mem_eq(x.data, y.data, x.len);
    bytes_free(&x);
    bytes_free(&y);
}

START_TEST(every_record_round_trips)
{
    struct db *db = make_db();
    struct block b;
    sample_block(&b, 7, 3);
    struct receipt rs[3];
    sample_receipts(rs, 3);
    struct hash32 hash;
    ck_assert_int_eq(header_hash(&b.header, &hash), 0);
    u256 td = u256_from_u64(123456789), td2;

    struct db_batch *batch = db_batch_new();
    ck_assert_int_eq(chaindb_write_block(batch, &hash, &b, rs, 3, &td), 0);
    chaindb_write_canonical(batch, 7, &hash);
    ck_assert_int_eq(chaindb_write_tx_lookups(batch, &hash, &b.body), 0);
    chaindb_write_head(batch, &hash);
    ck_assert_int_eq(chaindb_write_schema(batch), 0);
    ck_assert_int_eq(db_batch_write(db, batch, false), 0);
    db_batch_free(batch);

    struct block got;
    ck_assert_int_eq(chaindb_read_block(db, NULL, &hash, &got), 0);
    struct bytes x = BYTES_INIT, y = BYTES_INIT;
    block_encode(&b, &x);
    block_encode(&got, &y);
    ck_assert_uint_eq(x.len, y.len);
    ck_assert_mem_eq(x.data, y.data, x.len);
    bytes_free(&x);
    bytes_free(&y);
    block_free(&got);
    ck_assert(chaindb_has_header(db, &hash));

    struct receipt *rr;
    size_t n;
    ck_assert_int_eq(chaindb_read_receipts(db, NULL, &hash, &rr, &n), 0);
    ck_assert_uint_eq(n, 3);
    for (size_t i = 0; i < 3; i++)
        same_receipt(&rs[i], &rr[i]);
    chaindb_receipts_free(rr, n);

    ck_assert_int_eq(chaindb_read_td(db, NULL, &hash, &td2), 0);
    ck_assert(u256_eq(&td, &td2));
    struct hash32 h2;
    ck_assert_int_eq(chaindb_read_canonical(db, NULL, 7, &h2), 0);
    ck_assert(hash32_eq(&h2, &hash));
    ck_assert_int_eq(chaindb_read_head(db, NULL, &h2), 0);
    ck_assert(hash32_eq(&h2, &hash));
    uint64_t v;
    ck_assert_int_eq(chaindb_read_schema(db, NULL, &v), 0);
    ck_assert_uint_eq(v, CHAINDB_SCHEMA_VERSION);
    for (size_t i = 0; i < 3; i++) {
        struct hash32 th;
        struct chaindb_tx_location loc;
        ck_assert_int_eq(tx_hash(&b.body.txs[i], th.b), 0);
        ck_assert_int_eq(chaindb_read_tx_lookup(db, NULL, &th, &loc), 0);
        ck_assert(hash32_eq(&loc.block_hash, &hash));
        ck_assert_uint_eq(loc.index, i);
    }

    /* an empty receipt list round-trips to zero receipts */
    struct hash32 other = hash;
    other.b[0] ^= 1;
    batch = db_batch_new();
    ck_assert_int_eq(chaindb_write_receipts(batch, &other, NULL, 0), 0);
    ck_assert_int_eq(db_batch_write(db, batch, false), 0);
    db_batch_free(batch);
    ck_assert_int_eq(chaindb_read_receipts(db, NULL, &other, &rr, &n), 0);
    ck_assert_uint_eq(n, 0);

    /* absent records */
    other.b[0] ^= 2;
    struct header hh;
    ck_assert_int_eq(chaindb_read_header(db, NULL, &other, &hh), ERR_NOTFOUND);
    ck_assert_int_eq(chaindb_read_td(db, NULL, &other, &td2), ERR_NOTFOUND);
    ck_assert_int_eq(chaindb_read_receipts(db, NULL, &other, &rr, &n), ERR_NOTFOUND);
    ck_assert_int_eq(chaindb_read_canonical(db, NULL, 8, &h2), ERR_NOTFOUND);
    ck_assert(!chaindb_has_header(db, &other));

    for (size_t i = 0; i < 3; i++)
        receipt_free(&rs[i]);
    block_free(&b);
    remove_db(db);
}
END_TEST

static void put_raw(struct db *db, const uint8_t *key, size_t klen, const char *val, size_t vlen)
{
    ck_assert_int_eq(db_put(db, key, klen, val, vlen, false), 0);
}

START_TEST(corrupt_records_give_decode_errors)
{
    struct db *db = make_db();
    struct block b;
    sample_block(&b, 3, 2);
    struct hash32 hash, wrong;
    ck_assert_int_eq(header_hash(&b.header, &hash), 0);
    wrong = hash;
    wrong.b[31] ^= 1;
    struct receipt rs[2];
    sample_receipts(rs, 2);
    u256 td = u256_from_u64(9);
    struct db_batch *batch = db_batch_new();
    ck_assert_int_eq(chaindb_write_block(batch, &hash, &b, rs, 2, &td), 0);
    /* the same header under a hash it does not have */
    ck_assert_int_eq(chaindb_write_header(batch, &wrong, &b.header), 0);
    ck_assert_int_eq(db_batch_write(db, batch, false), 0);
    db_batch_free(batch);
    struct header h;
    ck_assert_int_eq(chaindb_read_header(db, NULL, &wrong, &h), ERR_DECODE);

    uint8_t key[33];
    /* garbage header, truncated body, receipts cut short, bad TD */
    chaindb_key_hash(key, CHAINDB_PREFIX_HEADER, &hash);
    put_raw(db, key, 33, "\xc3\x01\x02\x03", 4);
    ck_assert_int_eq(chaindb_read_header(db, NULL, &hash, &h), ERR_DECODE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "corrupt header"));

    uint8_t *v;
    size_t vlen;
    chaindb_key_hash(key, CHAINDB_PREFIX_BODY, &hash);
    ck_assert_int_eq(db_get(db, NULL, key, 33, &v, &vlen), 0);
    put_raw(db, key, 33, (const char *)v, vlen - 1);
    free(v);
    struct block_body body;
    ck_assert_int_eq(chaindb_read_body(db, NULL, &hash, &body), ERR_DECODE);

    chaindb_key_hash(key, CHAINDB_PREFIX_RECEIPTS, &hash);
    ck_assert_int_eq(db_get(db, NULL, key, 33, &v, &vlen), 0);
    put_raw(db, key, 33, (const char *)v, vlen - 5);
    free(v);
    struct receipt *rr;
    size_t n;
    ck_assert_int_eq(chaindb_read_receipts(db, NULL, &hash, &rr, &n), ERR_DECODE);
    /* a list claiming many receipts in few bytes */
    put_raw(db, key, 33, "\xc4\xc0\xc0\xc0\xc0", 5);
    ck_assert_int_eq(chaindb_read_receipts(db, NULL, &hash, &rr, &n), ERR_DECODE);
    /* a string instead of a list */
    put_raw(db, key, 33, "\x83" "abc", 4);
    ck_assert_int_eq(chaindb_read_receipts(db, NULL, &hash, &rr, &n), ERR_DECODE);

    chaindb_key_hash(key, CHAINDB_PREFIX_TD, &hash);
    put_raw(db, key, 33, "\x82\x00\x05", 3); /* leading zero */
    ck_assert_int_eq(chaindb_read_td(db, NULL, &hash, &td), ERR_DECODE);
    put_raw(db, key, 33, "\xc0", 1);
    ck_assert_int_eq(chaindb_read_td(db, NULL, &hash, &td), ERR_DECODE);

    uint8_t nkey[9];
    chaindb_key_number(nkey, CHAINDB_PREFIX_CANONICAL, 3);
    put_raw(db, nkey, 9, "short", 5);
    struct hash32 h2;
    ck_assert_int_eq(chaindb_read_canonical(db, NULL, 3, &h2), ERR_DECODE);

    put_raw(db, (const uint8_t *)CHAINDB_KEY_HEAD, strlen(CHAINDB_KEY_HEAD), "x", 1);
    ck_assert_int_eq(chaindb_read_head(db, NULL, &h2), ERR_DECODE);
    put_raw(db, (const uint8_t *)CHAINDB_KEY_SCHEMA, strlen(CHAINDB_KEY_SCHEMA), "\xc0", 1);
    uint64_t ver;
    ck_assert_int_eq(chaindb_read_schema(db, NULL, &ver), ERR_DECODE);

    chaindb_key_hash(key, CHAINDB_PREFIX_TXLOOKUP, &hash);
    put_raw(db, key, 33, "\xc2\x80\x80", 3); /* hash not 32 bytes */
    struct chaindb_tx_location loc;
    ck_assert_int_eq(chaindb_read_tx_lookup(db, NULL, &hash, &loc), ERR_DECODE);

    /* every random byte string as a record: an error, never a crash */
    srand(1);
    char junk[600];
    for (int i = 0; i < 2000; i++) {
        size_t len = (size_t)(rand() % (int)sizeof junk);
        for (size_t j = 0; j < len; j++)
            junk[j] = (char)(rand() & 0xff);
        if (len && i % 2)
            junk[0] = (char)(0xf9); /* long list header */
        chaindb_key_hash(key, CHAINDB_PREFIX_RECEIPTS, &hash);
        put_raw(db, key, 33, junk, len);
        if (chaindb_read_receipts(db, NULL, &hash, &rr, &n) == 0)
            chaindb_receipts_free(rr, n);
        chaindb_key_hash(key, CHAINDB_PREFIX_BODY, &hash);
        put_raw(db, key, 33, junk, len);
        if (chaindb_read_body(db, NULL, &hash, &body) == 0)
            block_body_free(&body);
        chaindb_key_hash(key, CHAINDB_PREFIX_HEADER, &hash);
        put_raw(db, key, 33, junk, len);
        ck_assert_int_ne(chaindb_read_header(db, NULL, &hash, &h), 0);
    }

    for (size_t i = 0; i < 2; i++)
        receipt_free(&rs[i]);
    block_free(&b);
    remove_db(db);
}
END_TEST

START_TEST(batch_is_atomic_and_durable)
{
    struct db *db = make_db();
    struct block b;
    sample_block(&b, 1, 2);
    struct hash32 hash;
    ck_assert_int_eq(header_hash(&b.header, &hash), 0);
    struct receipt rs[2];
    sample_receipts(rs, 2);
    u256 td = u256_from_u64(5);
    struct db_batch *batch = db_batch_new();
    ck_assert_int_eq(chaindb_write_block(batch, &hash, &b, rs, 2, &td), 0);
    chaindb_write_canonical(batch, 1, &hash);
    ck_assert_int_eq(chaindb_write_tx_lookups(batch, &hash, &b.body), 0);
    chaindb_write_head(batch, &hash);

    /* nothing visible before the write */
    struct hash32 h2;
    struct header h;
    ck_assert(!chaindb_has_header(db, &hash));
    ck_assert_int_eq(chaindb_read_head(db, NULL, &h2), ERR_NOTFOUND);
    ck_assert_int_eq(chaindb_read_canonical(db, NULL, 1, &h2), ERR_NOTFOUND);
    ck_assert_int_eq(chaindb_read_td(db, NULL, &hash, &td), ERR_NOTFOUND);
    ck_assert_int_eq(db_batch_write(db, batch, true), 0);
    db_batch_free(batch);

    /* all of it after reopening */
    db_close(db);
    db = open_db();
    ck_assert_int_eq(chaindb_read_head(db, NULL, &h2), 0);
    ck_assert(hash32_eq(&h2, &hash));
    ck_assert_int_eq(chaindb_read_header(db, NULL, &hash, &h), 0);
    ck_assert_uint_eq(h.number, 1);
    header_free(&h);
    ck_assert_int_eq(chaindb_read_canonical(db, NULL, 1, &h2), 0);
    struct receipt *rr;
    size_t n;
    ck_assert_int_eq(chaindb_read_receipts(db, NULL, &hash, &rr, &n), 0);
    ck_assert_uint_eq(n, 2);
    chaindb_receipts_free(rr, n);
    ck_assert_int_eq(chaindb_read_td(db, NULL, &hash, &td), 0);
    ck_assert_uint_eq(td.w[0], 5);

    for (size_t i = 0; i < 2; i++)
        receipt_free(&rs[i]);
    block_free(&b);
    remove_db(db);
}
END_TEST

START_TEST(delete_canonical_above_drops_entries_and_lookups)
{
    struct db *db = make_db();
    struct block blocks[6];
    struct hash32 hashes[6];
    struct db_batch *batch = db_batch_new();
    u256 td = u256_from_u64(1);
    for (uint64_t i = 0; i < 6; i++) {
        sample_block(&blocks[i], i, 2);
        ck_assert_int_eq(header_hash(&blocks[i].header, &hashes[i]), 0);
        ck_assert_int_eq(chaindb_write_block(batch, &hashes[i], &blocks[i], NULL, 0, &td), 0);
        chaindb_write_canonical(batch, i, &hashes[i]);
        ck_assert_int_eq(chaindb_write_tx_lookups(batch, &hashes[i], &blocks[i].body), 0);
    }
    ck_assert_int_eq(db_batch_write(db, batch, false), 0);
    db_batch_clear(batch);
    size_t deleted;
    ck_assert_int_eq(chaindb_delete_canonical_above(db, batch, 2, &deleted), 0);
    ck_assert_uint_eq(deleted, 3);
    ck_assert_int_eq(db_batch_write(db, batch, false), 0);
    db_batch_free(batch);
    for (uint64_t i = 0; i < 6; i++) {
        struct hash32 h;
        int want = i <= 2 ? 0 : ERR_NOTFOUND;
        ck_assert_int_eq(chaindb_read_canonical(db, NULL, i, &h), want);
        struct hash32 th;
        struct chaindb_tx_location loc;
        ck_assert_int_eq(tx_hash(&blocks[i].body.txs[1], th.b), 0);
        ck_assert_int_eq(chaindb_read_tx_lookup(db, NULL, &th, &loc), want);
        /* the blocks themselves stay (side chains keep their data) */
        ck_assert(chaindb_has_header(db, &hashes[i]));
        block_free(&blocks[i]);
    }
    remove_db(db);
}
END_TEST

START_TEST(no_schema_key_is_32_bytes)
{
    ck_assert_uint_ne(strlen(CHAINDB_KEY_HEAD), 32);
    ck_assert_uint_ne(strlen(CHAINDB_KEY_SCHEMA), 32);
    uint8_t k33[33], k9[9];
    struct hash32 h;
    memset(h.b, 0xab, 32);
    chaindb_key_hash(k33, CHAINDB_PREFIX_HEADER, &h);
    ck_assert_int_eq(k33[0], 'h');
    ck_assert_mem_eq(k33 + 1, h.b, 32);
    chaindb_key_number(k9, CHAINDB_PREFIX_CANONICAL, 0x0102030405060708ull);
    ck_assert_int_eq(k9[0], 'n');
    ck_assert_int_eq(k9[1], 1);
    ck_assert_int_eq(k9[8], 8);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("chaindb");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_record_round_trips);
    tcase_add_test(tc, corrupt_records_give_decode_errors);
    tcase_add_test(tc, batch_is_atomic_and_durable);
    tcase_add_test(tc, delete_canonical_above_drops_entries_and_lookups);
    tcase_add_test(tc, no_schema_key_is_32_bytes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
