/*
 * test_chain.c — the chain over LevelDB (chain/chain.h): the genesis is
 * written on first start and found again on restart; an imported block of
 * transfers becomes the head, with its receipts, TD, canonical entry, tx
 * lookups and state committed in the same batch, and survives a reopen; a
 * block with a wrong state root is refused and changes nothing; side blocks
 * are stored without moving the head; another genesis is refused.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain/chain.h"
#include "chain_harness.h"
#include "storage/trie_db.h"
#include "util/err.h"

static char dir[4096];

static void make_dir(void)
{
    ch_tmpdir(dir, sizeof dir, "test_chain");
}

static void remove_dir(void)
{
    ch_rmdir(dir);
}

/* Builds a block on `parent` from the db's state (read-only store). */
static void build(struct db *db, const struct chain_params *p, const struct header *parent,
                  const struct tx *txs, size_t n, struct block *b, uint64_t difficulty)
{
    struct trie_db tdb;
    trie_db_init(&tdb, db, NULL, NULL);
    struct trie_store store = trie_db_store(&tdb);
    struct chain_exec_result r;
    int rc = ch_build_block(p, &store, parent, txs, n, b, &r);
    ck_assert_msg(rc == 0, "%s", err_msg());
    b->header.difficulty = u256_from_u64(difficulty);
    chain_exec_result_free(&r);
    trie_db_release(&tdb);
}

static uint64_t balance_at_head(struct chain *c, const struct address *a)
{
    struct trie_db tdb;
    trie_db_init(&tdb, c->db, NULL, NULL);
    struct trie_store store = trie_db_store(&tdb);
    uint64_t v = ch_balance(&store, c->head.state_root.b, a);
    trie_db_release(&tdb);
    return v;
}

START_TEST(genesis_import_restart)
{
    make_dir();
    struct chain_params p = ch_params();
    struct genesis g;
    ch_genesis(&g, 2, 1000000000000ull, 8000000);
    struct db *db;
    ck_assert_int_eq(db_open(dir, NULL, &db), 0);
    struct chain *c;
    ck_assert_msg(chain_open(db, &p, &g, &c) == 0, "%s", err_msg());
    ck_assert_uint_eq(c->head.number, 0);
    ck_assert(hash32_eq(&c->head_hash, &c->genesis_hash));
    uint8_t sk[32];
    struct address a0, to;
    ch_key(0, sk, &a0);
    ch_key(9, sk, &to);
    ck_assert_uint_eq(balance_at_head(c, &a0), 1000000000000ull);

    /* block 1: two transfers */
    struct tx txs[2];
    txs[0] = ch_tx(0, 0, &to, 777, 21000, 1, NULL, 0, p.chain_id);
    txs[1] = ch_tx(1, 0, &to, 1, 21000, 1, NULL, 0, p.chain_id);
    struct block b1;
    build(db, &p, &c->head, txs, 2, &b1, 2);

    /* a wrong state root is refused and nothing changes */
    struct block bad;
    build(db, &p, &c->head, txs, 2, &bad, 2);
    bad.header.state_root.b[0] ^= 1;
    enum chain_insert_status status;
    ck_assert_int_eq(chain_insert_block_unchecked(c, &bad, NULL, &status), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "state root"));
    struct hash32 badhash;
    header_hash(&bad.header, &badhash);
    ck_assert(!chaindb_has_header(db, &badhash));
    ck_assert_uint_eq(c->head.number, 0);
    block_free(&bad);

    ck_assert_msg(chain_insert_block_unchecked(c, &b1, NULL, &status) == 0, "%s", err_msg());
    ck_assert_int_eq(status, CHAIN_INSERT_HEAD);
    ck_assert_uint_eq(c->head.number, 1);
    ck_assert_uint_eq(c->head_td.w[0], 3);
    ck_assert_uint_eq(balance_at_head(c, &to), 778);
    ck_assert_int_eq(chain_insert_block_unchecked(c, &b1, NULL, &status), 0);
    ck_assert_int_eq(status, CHAIN_INSERT_KNOWN);
    struct hash32 h1 = c->head_hash;

    /* a side block at height 1 with lower difficulty: stored, head stays */
    struct header gh;
    struct hash32 ghash = c->genesis_hash;
    ck_assert_int_eq(chaindb_read_header(db, NULL, &ghash, &gh), 0);
    struct block side;
    build(db, &p, &gh, txs, 1, &side, 1);
    ck_assert_int_eq(chain_insert_block_unchecked(c, &side, NULL, &status), 0);
    ck_assert_int_eq(status, CHAIN_INSERT_SIDE);
    ck_assert(hash32_eq(&c->head_hash, &h1));
    /* its child outweighs the head: stored, reorg due */
    struct block side2;
    struct tx t2 = ch_tx(1, 0, &to, 2, 21000, 1, NULL, 0, p.chain_id);
    build(db, &p, &side.header, &t2, 1, &side2, 3);
    ck_assert_int_eq(chain_insert_block_unchecked(c, &side2, NULL, &status), 0);
    ck_assert_int_eq(status, CHAIN_INSERT_SIDE_HEAVIER);
    ck_assert(hash32_eq(&c->head_hash, &h1));
    block_free(&side);
    block_free(&side2);
    tx_free(&t2);
    header_free(&gh);

    chain_close(c);
    db_close(db);

    /* restart: same head, receipts, lookups */
    ck_assert_int_eq(db_open(dir, NULL, &db), 0);
    ck_assert_int_eq(chain_open(db, &p, &g, &c), 0);
    ck_assert(hash32_eq(&c->head_hash, &h1));
    ck_assert_uint_eq(c->head.number, 1);
    ck_assert_uint_eq(balance_at_head(c, &to), 778);
    struct receipt *rr;
    size_t n;
    ck_assert_int_eq(chaindb_read_receipts(db, NULL, &h1, &rr, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(rr[1].cumulative_gas, 42000);
    chaindb_receipts_free(rr, n);
    struct hash32 th;
    struct chaindb_tx_location loc;
    ck_assert_int_eq(tx_hash(&txs[1], th.b), 0);
    ck_assert_int_eq(chaindb_read_tx_lookup(db, NULL, &th, &loc), 0);
    ck_assert(hash32_eq(&loc.block_hash, &h1));
    ck_assert_uint_eq(loc.index, 1);
    chain_close(c);

    /* another genesis is refused */
    struct genesis g2;
    ch_genesis(&g2, 3, 5, 8000000);
    ck_assert_int_eq(chain_open(db, &p, &g2, &c), ERR_INVAL);
    genesis_free(&g2);

    db_close(db);
    block_free(&b1);
    tx_free(&txs[0]);
    tx_free(&txs[1]);
    genesis_free(&g);
    remove_dir();
}
END_TEST

START_TEST(blockhash_follows_the_canonical_index)
{
    make_dir();
    struct db *db;
    ck_assert_int_eq(db_open(dir, NULL, &db), 0);
    struct db_batch *batch = db_batch_new();
    struct hash32 hs[4];
    for (int i = 0; i < 4; i++) {
        memset(hs[i].b, 0x10 + i, 32);
        chaindb_write_canonical(batch, (uint64_t)i, &hs[i]);
    }
    ck_assert_int_eq(db_batch_write(db, batch, false), 0);
    db_batch_free(batch);
    struct chain_hash_ctx ctx;
    chain_hash_ctx_init(&ctx, db, &hs[3], 3);
    ck_assert(ctx.parent_canonical);
    struct hash32 out;
    chain_block_hash(&ctx, 1, &out);
    ck_assert(hash32_eq(&out, &hs[1]));
    chain_block_hash(&ctx, 3, &out);
    ck_assert(hash32_eq(&out, &hs[3]));
    chain_block_hash(&ctx, 4, &out);
    ck_assert(hash32_is_zero(&out));
    /* a parent that is not canonical and not stored: zeros below it */
    struct hash32 other;
    memset(other.b, 0x77, 32);
    chain_hash_ctx_init(&ctx, db, &other, 3);
    ck_assert(!ctx.parent_canonical);
    chain_block_hash(&ctx, 1, &out);
    ck_assert(hash32_is_zero(&out));
    db_close(db);
    remove_dir();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("chain");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, genesis_import_restart);
    tcase_add_test(tc, blockhash_follows_the_canonical_index);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
