/*
 * test_import.c — the validated import pipeline (chain/chain.h,
 * chain_import_block): a linear chain moves the head and writes the
 * canonical index and tx lookups; known blocks, unknown parents, lighter
 * and equally heavy side chains; reorgs of depth 3 (both ways), 50+ and to
 * a shorter heavier chain, with the canonical index, the lookups and the
 * removed/added/dropped lists checked exactly, surviving a restart; the
 * engine's verdicts and its signer; and blocks that must be refused without
 * a single key written (bad roots, gasUsed, uncles, senders, the bad-hash
 * list). The engine here is a permissive stand-in that can refuse on
 * demand and checks what the pipeline hands it (parent, senders).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chain.h"
#include "chain_harness.h"
#include "state/state.h"
#include "storage/trie_db.h"
#include "util/err.h"

#define NOW 1700000000ull
#define NKEYS 10
#define FUNDS 1000000000000000000ull

/* ---- the test engine ------------------------------------------------------ */

struct test_engine {
    int verify_rc, validate_rc;     /* what to answer (0: accept) */
    int nverify, nvalidate;         /* calls */
    int bad_parent;                 /* calls whose parent was not h's */
    int bad_senders;                /* calls whose senders were wrong */
    uint64_t last_now;
    struct address signer;          /* the Author it reports */
};

static bool is_parent(const struct header *parent, const struct header *h)
{
    struct hash32 ph;
    return header_hash(parent, &ph) == 0 && hash32_eq(&ph, &h->parent_hash) &&
           parent->number + 1 == h->number;
}

static int te_verify(void *ctx, const struct chain_params *p, const struct header *parent,
                     const struct header *h, uint64_t now)
{
    struct test_engine *te = ctx;
    (void)p;
    te->nverify++;
    te->last_now = now;
    if (!is_parent(parent, h))
        te->bad_parent++;
    if (te->verify_rc)
        return err_set(te->verify_rc, "test engine: header refused");
    return 0;
}

static int te_validate(void *ctx, const struct chain_params *p, struct evm *evm,
                       const struct header *parent, struct state *st, const struct block *b,
                       const struct address *senders, struct address *signer)
{
    struct test_engine *te = ctx;
    te->nvalidate++;
    if (!is_parent(parent, &b->header) || !evm || !st)
        te->bad_parent++;
    for (size_t i = 0; i < b->body.tx_count; i++) {
        struct address a;
        if (!senders || chain_tx_sender(p, b->header.number, &b->body.txs[i], &a) != 0 ||
            !address_eq(&a, &senders[i])) {
            te->bad_senders++;
            break;
        }
    }
    if (te->validate_rc)
        return err_set(te->validate_rc, "test engine: block refused");
    *signer = te->signer;
    return 0;
}

/* ---- fixture ---------------------------------------------------------------- */

struct fx {
    char dir[4096];
    struct db *db;
    struct chain_params p;
    struct genesis g;
    struct chain *c;
    struct test_engine te;
    struct chain_engine eng;
    struct header genesis;
};

static void fx_open(struct fx *f)
{
    memset(f, 0, sizeof *f);
    ch_tmpdir(f->dir, sizeof f->dir, "test_import");
    f->p = ch_params();
    ch_genesis(&f->g, NKEYS, FUNDS, 8000000);
    ck_assert_int_eq(db_open(f->dir, NULL, &f->db), 0);
    ck_assert_msg(chain_open(f->db, &f->p, &f->g, &f->c) == 0, "%s", err_msg());
    ck_assert_int_eq(header_copy(&f->genesis, &f->c->head), 0);
    f->eng.verify_header = te_verify;
    f->eng.validate_block = te_validate;
    f->eng.ctx = &f->te;
}

/* Closes the chain and the database and opens both again (a restart). */
static void fx_reopen(struct fx *f)
{
    chain_close(f->c);
    db_close(f->db);
    ck_assert_int_eq(db_open(f->dir, NULL, &f->db), 0);
    ck_assert_msg(chain_open(f->db, &f->p, &f->g, &f->c) == 0, "%s", err_msg());
}

static void fx_close(struct fx *f)
{
    chain_close(f->c);
    db_close(f->db);
    header_free(&f->genesis);
    genesis_free(&f->g);
    ch_rmdir(f->dir);
}

static struct address addr_of(int key)
{
    uint8_t sk[32];
    struct address a;
    ch_key(key, sk, &a);
    return a;
}

/* A transfer of `value` from key to key 20. */
static struct tx xfer(const struct fx *f, int key, uint64_t nonce, uint64_t value)
{
    struct address to = addr_of(20);
    return ch_tx(key, nonce, &to, value, 21000, CH_GWEI, NULL, 0, f->p.chain_id);
}

/* Builds a block on `parent` from the stored state, with `difficulty`;
 * `salt` moves its time so that otherwise equal siblings differ. The
 * coinbase is CH_COINBASE, or zero with `author` as the Author when given. */
static void mk_author(struct fx *f, const struct header *parent, const struct tx *txs, size_t n,
                      uint64_t difficulty, uint64_t salt, const struct address *author,
                      struct block *b)
{
    struct trie_db tdb;
    trie_db_init(&tdb, f->db, NULL, NULL);
    struct trie_store store = trie_db_store(&tdb);
    struct chain_exec_result r;
    struct address zero;
    memset(&zero, 0, sizeof zero);
    int rc = ch_build_block_author(&f->p, &store, parent, txs, n, author ? &zero : &CH_COINBASE,
                                   author, b, &r);
    ck_assert_msg(rc == 0, "%s", err_msg());
    b->header.difficulty = u256_from_u64(difficulty);
    b->header.time += salt;
    chain_exec_result_free(&r);
    trie_db_release(&tdb);
}

static void mk(struct fx *f, const struct header *parent, const struct tx *txs, size_t n,
               uint64_t difficulty, uint64_t salt, struct block *b)
{
    mk_author(f, parent, txs, n, difficulty, salt, NULL, b);
}

static struct hash32 bhash(const struct block *b)
{
    struct hash32 h;
    ck_assert_int_eq(header_hash(&b->header, &h), 0);
    return h;
}

static struct hash32 txhash(const struct tx *t)
{
    struct hash32 h;
    ck_assert_int_eq(tx_hash(t, h.b), 0);
    return h;
}

/* Imports b and expects success with `want`; r is freed by the caller. */
static void import_ok(struct fx *f, const struct block *b, enum chain_insert_status want,
                      struct chain_import_result *r)
{
    int rc = chain_import_block(f->c, &f->eng, b, NOW, r);
    ck_assert_msg(rc == 0, "%s", err_msg());
    ck_assert_int_eq(r->status, want);
    struct hash32 h = bhash(b);
    ck_assert(hash32_eq(&r->hash, &h));
    ck_assert_uint_eq(r->number, b->header.number);
}

/* Imports b, expects status `want`, and frees the result. */
static void import_as(struct fx *f, const struct block *b, enum chain_insert_status want)
{
    struct chain_import_result r;
    import_ok(f, b, want, &r);
    chain_import_result_free(&r);
}

static void assert_canonical(struct fx *f, uint64_t n, const struct block *b)
{
    struct hash32 got, want = bhash(b);
    int rc = chaindb_read_canonical(f->db, NULL, n, &got);
    ck_assert_msg(rc == 0, "canonical %llu: %s", (unsigned long long)n, err_msg());
    ck_assert_msg(hash32_eq(&got, &want), "canonical %llu is another block", (unsigned long long)n);
}

static void assert_no_canonical(struct fx *f, uint64_t n)
{
    struct hash32 got;
    ck_assert_int_eq(chaindb_read_canonical(f->db, NULL, n, &got), ERR_NOTFOUND);
}

static void assert_lookup(struct fx *f, const struct tx *t, const struct block *b, uint64_t index)
{
    struct hash32 th = txhash(t), want = bhash(b);
    struct chaindb_tx_location loc;
    int rc = chaindb_read_tx_lookup(f->db, NULL, &th, &loc);
    ck_assert_msg(rc == 0, "%s", err_msg());
    ck_assert(hash32_eq(&loc.block_hash, &want));
    ck_assert_uint_eq(loc.index, index);
}

static void assert_no_lookup(struct fx *f, const struct tx *t)
{
    struct hash32 th = txhash(t);
    struct chaindb_tx_location loc;
    ck_assert_int_eq(chaindb_read_tx_lookup(f->db, NULL, &th, &loc), ERR_NOTFOUND);
}

static void assert_head(struct fx *f, const struct block *b, uint64_t td)
{
    struct hash32 want = bhash(b), stored;
    ck_assert(hash32_eq(&f->c->head_hash, &want));
    ck_assert_uint_eq(f->c->head.number, b->header.number);
    ck_assert(u256_fits_u64(&f->c->head_td));
    ck_assert_uint_eq(f->c->head_td.w[0], td);
    ck_assert_int_eq(chaindb_read_head(f->db, NULL, &stored), 0);
    ck_assert(hash32_eq(&stored, &want));
}

static void assert_hash_is(const struct hash32 *got, const struct block *b)
{
    struct hash32 want = bhash(b);
    ck_assert(hash32_eq(got, &want));
}

static void assert_tx_is(const struct tx *got, const struct tx *want)
{
    struct hash32 a = txhash(got), b = txhash(want);
    ck_assert(hash32_eq(&a, &b));
}

/* Balance of a in the stored state under `root`. */
static uint64_t balance_at(struct fx *f, const struct hash32 *root, const struct address *a)
{
    struct trie_db tdb;
    trie_db_init(&tdb, f->db, NULL, NULL);
    struct trie_store store = trie_db_store(&tdb);
    uint64_t v = ch_balance(&store, root->b, a);
    trie_db_release(&tdb);
    return v;
}

static uint64_t balance_at_head(struct fx *f, const struct address *a)
{
    return balance_at(f, &f->c->head.state_root, a);
}

/* Number of keys in the database: "nothing stored" means it did not move. */
static size_t count_keys(struct db *db)
{
    struct db_iter *it = db_iter_new(db, NULL);
    ck_assert_ptr_nonnull(it);
    size_t n = 0;
    for (db_iter_seek_first(it); db_iter_valid(it); db_iter_next(it))
        n++;
    ck_assert_int_eq(db_iter_status(it), 0);
    db_iter_free(it);
    return n;
}

/* Expects b to be refused with `code`, a reason containing `why`, the
 * context naming the block, and no key written or head moved. */
static void assert_refused(struct fx *f, const struct block *b, int code, const char *why)
{
    size_t keys = count_keys(f->db);
    struct hash32 head = f->c->head_hash;
    struct chain_import_result r;
    memset(&r, 0x5a, sizeof r);
    int rc = chain_import_block(f->c, &f->eng, b, NOW, &r);
    ck_assert_msg(rc == code, "got %d (%s), want %d", rc, err_msg(), code);
    ck_assert_ptr_null(r.added);
    ck_assert_ptr_null(r.removed);
    ck_assert_ptr_null(r.dropped);
    char prefix[64], hex[HASH32_HEX_SIZE];
    struct hash32 h = bhash(b);
    hash32_to_hex(&h, hex);
    snprintf(prefix, sizeof prefix, "block %llu %.10s..: ", (unsigned long long)b->header.number,
             hex);
    ck_assert_msg(strncmp(err_msg(), prefix, strlen(prefix)) == 0, "context: %s", err_msg());
    ck_assert_msg(strstr(err_msg(), why) != NULL, "context: %s", err_msg());
    ck_assert(!chaindb_has_header(f->db, &h));
    ck_assert_uint_eq(count_keys(f->db), keys);
    ck_assert(hash32_eq(&f->c->head_hash, &head));
}

/* ---- linear chain ------------------------------------------------------------ */

START_TEST(linear_import_moves_the_head)
{
    struct fx f;
    fx_open(&f);
    struct address to = addr_of(20);
    struct tx t1[2] = {xfer(&f, 0, 0, 100), xfer(&f, 1, 0, 200)};
    struct tx t2 = xfer(&f, 0, 1, 300);
    struct block b1, b2, b3;
    struct chain_import_result r;

    mk(&f, &f.genesis, t1, 2, 2, 0, &b1);
    import_ok(&f, &b1, CHAIN_INSERT_HEAD, &r);
    ck_assert_uint_eq(r.nadded, 1);
    assert_hash_is(&r.added[0], &b1);
    ck_assert_uint_eq(r.nremoved, 0);
    ck_assert_uint_eq(r.ndropped, 0);
    chain_import_result_free(&r);
    ck_assert_ptr_null(r.added);
    assert_head(&f, &b1, 3);
    assert_canonical(&f, 1, &b1);
    assert_lookup(&f, &t1[0], &b1, 0);
    assert_lookup(&f, &t1[1], &b1, 1);

    mk(&f, &b1.header, &t2, 1, 2, 0, &b2);
    import_as(&f, &b2, CHAIN_INSERT_HEAD);
    struct db_snapshot *snap = db_snapshot_new(f.db);
    ck_assert_ptr_nonnull(snap);
    mk(&f, &b2.header, NULL, 0, 2, 0, &b3);
    import_as(&f, &b3, CHAIN_INSERT_HEAD);
    assert_head(&f, &b3, 7);
    for (uint64_t n = 1; n <= 3; n++)
        assert_canonical(&f, n, n == 1 ? &b1 : n == 2 ? &b2 : &b3);
    assert_lookup(&f, &t2, &b2, 0);
    ck_assert_uint_eq(balance_at_head(&f, &to), 600);

    /* the engine saw every block once, with its parent, the right senders
     * and the clock */
    ck_assert_int_eq(f.te.nverify, 3);
    ck_assert_int_eq(f.te.nvalidate, 3);
    ck_assert_int_eq(f.te.bad_parent, 0);
    ck_assert_int_eq(f.te.bad_senders, 0);
    ck_assert_uint_eq(f.te.last_now, NOW);

    /* chain_read_canonical_block: by number, the head, absent, a snapshot */
    struct block rb;
    ck_assert_int_eq(chain_read_canonical_block(f.db, NULL, 2, &rb), 0);
    struct hash32 got = bhash(&rb);
    assert_hash_is(&got, &b2);
    ck_assert_uint_eq(rb.body.tx_count, 1);
    assert_tx_is(&rb.body.txs[0], &t2);
    block_free(&rb);
    ck_assert_int_eq(chain_read_canonical_block(f.db, NULL, UINT64_MAX, &rb), 0);
    got = bhash(&rb);
    assert_hash_is(&got, &b3);
    block_free(&rb);
    ck_assert_int_eq(chain_read_canonical_block(f.db, NULL, 4, &rb), ERR_NOTFOUND);
    ck_assert_int_eq(chain_read_canonical_block(f.db, snap, UINT64_MAX, &rb), 0);
    got = bhash(&rb);
    assert_hash_is(&got, &b2);
    block_free(&rb);
    ck_assert_int_eq(chain_read_canonical_block(f.db, snap, 3, &rb), ERR_NOTFOUND);
    db_snapshot_free(f.db, snap);

    /* KNOWN: nothing done, the engine not asked */
    import_ok(&f, &b2, CHAIN_INSERT_KNOWN, &r);
    ck_assert_uint_eq(r.nadded, 0);
    chain_import_result_free(&r);
    ck_assert_int_eq(f.te.nverify, 3);
    assert_head(&f, &b3, 7);

    block_free(&b1);
    block_free(&b2);
    block_free(&b3);
    tx_free(&t1[0]);
    tx_free(&t1[1]);
    tx_free(&t2);
    fx_close(&f);
}
END_TEST

START_TEST(unknown_parent_stores_nothing)
{
    struct fx f;
    fx_open(&f);
    struct tx t = xfer(&f, 0, 0, 1);
    struct block b;
    mk(&f, &f.genesis, &t, 1, 2, 0, &b);
    b.header.parent_hash.b[5] ^= 0x40;
    assert_refused(&f, &b, ERR_NOTFOUND, "unknown parent");
    ck_assert_int_eq(f.te.nverify, 0);
    block_free(&b);
    tx_free(&t);
    fx_close(&f);
}
END_TEST

START_TEST(side_chains_lighter_or_equal_keep_the_head)
{
    struct fx f;
    fx_open(&f);
    struct address to = addr_of(20);
    struct tx ta = xfer(&f, 0, 0, 5), ts = xfer(&f, 1, 0, 7), te = xfer(&f, 2, 0, 9);
    struct block a1, s1, e1;
    mk(&f, &f.genesis, &ta, 1, 2, 0, &a1);
    import_as(&f, &a1, CHAIN_INSERT_HEAD);

    /* lighter (TD 2 < 3): stored and executed, not canonical */
    mk(&f, &f.genesis, &ts, 1, 1, 1, &s1);
    struct chain_import_result r;
    import_ok(&f, &s1, CHAIN_INSERT_SIDE, &r);
    ck_assert_uint_eq(r.nadded + r.nremoved + r.ndropped, 0);
    chain_import_result_free(&r);
    assert_head(&f, &a1, 3);
    assert_canonical(&f, 1, &a1);
    struct hash32 hs = bhash(&s1);
    ck_assert(chaindb_has_header(f.db, &hs));
    u256 td;
    ck_assert_int_eq(chaindb_read_td(f.db, NULL, &hs, &td), 0);
    ck_assert_uint_eq(td.w[0], 2);
    assert_no_lookup(&f, &ts);
    ck_assert_uint_eq(balance_at(&f, &s1.header.state_root, &to), 7); /* its state is kept */

    /* equal (TD 3 == 3): the head stays */
    mk(&f, &f.genesis, &te, 1, 2, 2, &e1);
    import_as(&f, &e1, CHAIN_INSERT_SIDE);
    assert_head(&f, &a1, 3);
    assert_canonical(&f, 1, &a1);
    assert_no_lookup(&f, &te);
    assert_lookup(&f, &ta, &a1, 0);
    ck_assert_uint_eq(balance_at_head(&f, &to), 5);

    block_free(&a1);
    block_free(&s1);
    block_free(&e1);
    tx_free(&ta);
    tx_free(&ts);
    tx_free(&te);
    fx_close(&f);
}
END_TEST

/* ---- reorgs ------------------------------------------------------------------ */

START_TEST(reorg_depth_3_and_back_and_restart)
{
    struct fx f;
    fx_open(&f);
    struct address to = addr_of(20);
    /* branch A: a1 [ta1], a2 [ts], a3 [ta3]; branch B: b1 [], b2 [tx, ts],
     * b3 [], b4 []. ts is in both (at different places), ta1 and ta3 only
     * in A, tx only in B. */
    struct tx ta1 = xfer(&f, 1, 0, 1), ts = xfer(&f, 0, 0, 10), ta3 = xfer(&f, 1, 1, 100);
    struct tx tx_b[2] = {xfer(&f, 2, 0, 1000), ts};
    struct block a[6], b[5];
    mk(&f, &f.genesis, &ta1, 1, 2, 0, &a[1]);
    import_as(&f, &a[1], CHAIN_INSERT_HEAD);
    mk(&f, &a[1].header, &ts, 1, 2, 0, &a[2]);
    import_as(&f, &a[2], CHAIN_INSERT_HEAD);
    mk(&f, &a[2].header, &ta3, 1, 2, 0, &a[3]);
    import_as(&f, &a[3], CHAIN_INSERT_HEAD);
    assert_head(&f, &a[3], 7);
    ck_assert_uint_eq(balance_at_head(&f, &to), 111);

    mk(&f, &f.genesis, NULL, 0, 2, 1, &b[1]);
    import_as(&f, &b[1], CHAIN_INSERT_SIDE);
    mk(&f, &b[1].header, tx_b, 2, 2, 1, &b[2]);
    import_as(&f, &b[2], CHAIN_INSERT_SIDE);
    mk(&f, &b[2].header, NULL, 0, 2, 1, &b[3]);
    import_as(&f, &b[3], CHAIN_INSERT_SIDE); /* TD 7 == 7: the head stays */
    assert_head(&f, &a[3], 7);
    mk(&f, &b[3].header, NULL, 0, 2, 1, &b[4]);
    struct chain_import_result r;
    import_ok(&f, &b[4], CHAIN_INSERT_REORG, &r);
    ck_assert_uint_eq(r.nremoved, 3);
    for (int i = 0; i < 3; i++)
        assert_hash_is(&r.removed[i], &a[3 - i]); /* newest first */
    ck_assert_uint_eq(r.nadded, 4);
    for (int i = 0; i < 4; i++)
        assert_hash_is(&r.added[i], &b[1 + i]); /* oldest first */
    ck_assert_uint_eq(r.ndropped, 2);
    assert_tx_is(&r.dropped[0], &ta1);
    assert_tx_is(&r.dropped[1], &ta3);
    chain_import_result_free(&r);

    assert_head(&f, &b[4], 9);
    for (uint64_t n = 1; n <= 4; n++)
        assert_canonical(&f, n, &b[n]);
    assert_no_lookup(&f, &ta1);
    assert_no_lookup(&f, &ta3);
    assert_lookup(&f, &ts, &b[2], 1);
    assert_lookup(&f, &tx_b[0], &b[2], 0);
    ck_assert_uint_eq(balance_at_head(&f, &to), 1010);

    /* back to A: a4 ties (SIDE), a5 outweighs (REORG) */
    mk(&f, &a[3].header, NULL, 0, 2, 0, &a[4]);
    import_as(&f, &a[4], CHAIN_INSERT_SIDE);
    assert_head(&f, &b[4], 9);
    mk(&f, &a[4].header, NULL, 0, 2, 0, &a[5]);
    import_ok(&f, &a[5], CHAIN_INSERT_REORG, &r);
    ck_assert_uint_eq(r.nremoved, 4);
    for (int i = 0; i < 4; i++)
        assert_hash_is(&r.removed[i], &b[4 - i]);
    ck_assert_uint_eq(r.nadded, 5);
    for (int i = 0; i < 5; i++)
        assert_hash_is(&r.added[i], &a[1 + i]);
    ck_assert_uint_eq(r.ndropped, 1);
    assert_tx_is(&r.dropped[0], &tx_b[0]);
    chain_import_result_free(&r);
    assert_head(&f, &a[5], 11);
    for (uint64_t n = 1; n <= 5; n++)
        assert_canonical(&f, n, &a[n]);
    assert_no_lookup(&f, &tx_b[0]);
    assert_lookup(&f, &ts, &a[2], 0);
    assert_lookup(&f, &ta1, &a[1], 0);
    assert_lookup(&f, &ta3, &a[3], 0);

    /* a restart finds the reorged head and indexes */
    fx_reopen(&f);
    assert_head(&f, &a[5], 11);
    for (uint64_t n = 1; n <= 5; n++)
        assert_canonical(&f, n, &a[n]);
    assert_no_lookup(&f, &tx_b[0]);
    assert_lookup(&f, &ts, &a[2], 0);
    ck_assert_uint_eq(balance_at_head(&f, &to), 111);
    /* and keeps importing on it */
    mk(&f, &a[5].header, NULL, 0, 2, 0, &b[0]);
    import_as(&f, &b[0], CHAIN_INSERT_HEAD);
    assert_head(&f, &b[0], 13);

    for (int i = 1; i <= 5; i++)
        block_free(&a[i]);
    for (int i = 0; i <= 4; i++)
        block_free(&b[i]);
    tx_free(&ta1);
    tx_free(&ts);
    tx_free(&ta3);
    tx_free(&tx_b[0]);
    fx_close(&f);
}
END_TEST

#define DEEP 50

START_TEST(deep_reorg_and_shorter_heavier_chain)
{
    struct fx f;
    fx_open(&f);
    static struct block a[DEEP + 1], b[DEEP + 2], c[3];
    struct tx t_old = xfer(&f, 3, 0, 33), t_new = xfer(&f, 4, 0, 44);
    struct header *parent = &f.genesis;
    for (int i = 1; i <= DEEP; i++) {
        mk(&f, parent, &t_old, i == 10 ? 1 : 0, 2, 0, &a[i]);
        import_as(&f, &a[i], CHAIN_INSERT_HEAD);
        parent = &a[i].header;
    }
    assert_head(&f, &a[DEEP], 1 + 2 * DEEP);
    assert_lookup(&f, &t_old, &a[10], 0);

    parent = &f.genesis;
    for (int i = 1; i <= DEEP + 1; i++) {
        mk(&f, parent, &t_new, i == 20 ? 1 : 0, 2, 7, &b[i]);
        struct chain_import_result r;
        import_ok(&f, &b[i], i <= DEEP ? CHAIN_INSERT_SIDE : CHAIN_INSERT_REORG, &r);
        if (i == DEEP + 1) {
            ck_assert_uint_eq(r.nremoved, DEEP);
            ck_assert_uint_eq(r.nadded, DEEP + 1);
            for (int k = 0; k < DEEP; k++)
                assert_hash_is(&r.removed[k], &a[DEEP - k]);
            for (int k = 0; k <= DEEP; k++)
                assert_hash_is(&r.added[k], &b[1 + k]);
            ck_assert_uint_eq(r.ndropped, 1);
            assert_tx_is(&r.dropped[0], &t_old);
        }
        chain_import_result_free(&r);
        parent = &b[i].header;
    }
    assert_head(&f, &b[DEEP + 1], 1 + 2 * (DEEP + 1));
    for (uint64_t n = 1; n <= DEEP + 1; n++)
        assert_canonical(&f, n, &b[n]);
    assert_no_lookup(&f, &t_old);
    assert_lookup(&f, &t_new, &b[20], 0);

    /* two heavy blocks on a[1] (heights 2 and 3) outweigh 51 light ones:
     * the canonical index above the new head is gone */
    mk(&f, &a[1].header, NULL, 0, 60, 0, &c[1]);
    import_as(&f, &c[1], CHAIN_INSERT_SIDE); /* 3 + 60 = 63 < 103 */
    mk(&f, &c[1].header, NULL, 0, 60, 0, &c[2]);
    struct chain_import_result r;
    import_ok(&f, &c[2], CHAIN_INSERT_REORG, &r);
    ck_assert_uint_eq(r.nremoved, DEEP + 1);
    ck_assert_uint_eq(r.nadded, 3);
    assert_hash_is(&r.added[0], &a[1]);
    assert_hash_is(&r.added[2], &c[2]);
    ck_assert_uint_eq(r.ndropped, 1);
    assert_tx_is(&r.dropped[0], &t_new);
    chain_import_result_free(&r);
    assert_head(&f, &c[2], 123);
    assert_canonical(&f, 1, &a[1]);
    assert_canonical(&f, 2, &c[1]);
    assert_canonical(&f, 3, &c[2]);
    for (uint64_t n = 4; n <= DEEP + 2; n++)
        assert_no_canonical(&f, n);
    assert_no_lookup(&f, &t_new);
    assert_no_lookup(&f, &t_old);

    for (int i = 1; i <= DEEP; i++)
        block_free(&a[i]);
    for (int i = 1; i <= DEEP + 1; i++)
        block_free(&b[i]);
    block_free(&c[1]);
    block_free(&c[2]);
    tx_free(&t_old);
    tx_free(&t_new);
    fx_close(&f);
}
END_TEST

/* ---- the engine -------------------------------------------------------------- */

START_TEST(engine_verdicts_propagate)
{
    struct fx f;
    fx_open(&f);
    struct tx t = xfer(&f, 0, 0, 1);
    struct block b;
    mk(&f, &f.genesis, &t, 1, 2, 0, &b);

    f.te.verify_rc = ERR_INVAL;
    assert_refused(&f, &b, ERR_INVAL, "header refused");
    f.te.verify_rc = ERR_BADSTATE; /* from the future: may come back later */
    assert_refused(&f, &b, ERR_BADSTATE, "header refused");
    ck_assert_int_eq(f.te.nvalidate, 0);
    f.te.verify_rc = 0;
    f.te.validate_rc = ERR_INVAL;
    assert_refused(&f, &b, ERR_INVAL, "block refused");
    ck_assert_int_eq(f.te.nvalidate, 1);
    f.te.validate_rc = 0;
    import_as(&f, &b, CHAIN_INSERT_HEAD);
    ck_assert_int_eq(f.te.bad_senders, 0);

    /* no engine at all */
    struct chain_engine none = {NULL, NULL, NULL};
    struct block b2;
    mk(&f, &b.header, NULL, 0, 2, 0, &b2);
    struct chain_import_result r;
    ck_assert_int_eq(chain_import_block(f.c, &none, &b2, NOW, &r), ERR_INVAL);

    block_free(&b);
    block_free(&b2);
    tx_free(&t);
    fx_close(&f);
}
END_TEST

START_TEST(engine_signer_is_the_author)
{
    struct fx f;
    fx_open(&f);
    struct address author = addr_of(30);
    struct tx t = xfer(&f, 0, 0, 1);
    struct block b;
    /* coinbase zero: the fee goes to the signer the engine recovers */
    mk_author(&f, &f.genesis, &t, 1, 2, 0, &author, &b);
    f.te.signer = addr_of(31); /* another signer: the state root differs */
    assert_refused(&f, &b, ERR_INVAL, "state root");
    f.te.signer = author;
    import_as(&f, &b, CHAIN_INSERT_HEAD);
    ck_assert_uint_eq(balance_at_head(&f, &author), 21000 * CH_GWEI);
    block_free(&b);
    tx_free(&t);
    fx_close(&f);
}
END_TEST

/* ---- invalid blocks ------------------------------------------------------------ */

START_TEST(invalid_blocks_store_nothing)
{
    struct fx f;
    fx_open(&f);
    struct tx t = xfer(&f, 0, 0, 1);
    struct block b;
    mk(&f, &f.genesis, &t, 1, 2, 0, &b);
    struct header good;
    ck_assert_int_eq(header_copy(&good, &b.header), 0);

    b.header.state_root.b[31] ^= 1;
    assert_refused(&f, &b, ERR_INVAL, "state root");
    header_free(&b.header);
    ck_assert_int_eq(header_copy(&b.header, &good), 0);
    b.header.gas_used += 1;
    assert_refused(&f, &b, ERR_INVAL, "gas used");
    header_free(&b.header);
    ck_assert_int_eq(header_copy(&b.header, &good), 0);
    b.header.tx_root.b[0] ^= 1;
    assert_refused(&f, &b, ERR_INVAL, "transaction root");
    header_free(&b.header);
    ck_assert_int_eq(header_copy(&b.header, &good), 0);

    /* uncles: none allowed, and the uncle hash must be the empty list's */
    b.body.uncles = calloc(1, sizeof *b.body.uncles);
    ck_assert_ptr_nonnull(b.body.uncles);
    ck_assert_int_eq(header_copy(&b.body.uncles[0], &f.genesis), 0);
    b.body.uncle_count = 1;
    assert_refused(&f, &b, ERR_INVAL, "uncles");
    header_free(&b.body.uncles[0]);
    free(b.body.uncles);
    b.body.uncles = NULL;
    b.body.uncle_count = 0;
    b.header.uncle_hash.b[0] ^= 1;
    assert_refused(&f, &b, ERR_INVAL, "uncle hash");
    header_free(&b.header);
    ck_assert_int_eq(header_copy(&b.header, &good), 0);

    /* the bad-hash list (§10 step 2) */
    struct hash32 bad = bhash(&b);
    f.p.bad_hashes = &bad;
    f.p.nbad_hashes = 1;
    assert_refused(&f, &b, ERR_INVAL, "bad-hash");
    ck_assert_int_eq(f.te.nverify, 5); /* before the engine */
    f.p.bad_hashes = NULL;
    f.p.nbad_hashes = 0;

    /* the untouched block is fine */
    import_as(&f, &b, CHAIN_INSERT_HEAD);
    header_free(&good);
    block_free(&b);
    tx_free(&t);
    fx_close(&f);
}
END_TEST

/* Big blocks have their senders recovered on two threads: the senders the
 * engine gets are right, and a bad tx in the second half is named. */
START_TEST(senders_of_big_blocks)
{
    struct fx f;
    fx_open(&f);
    enum { N = 100 };
    static struct tx txs[N];
    for (int i = 0; i < N; i++)
        txs[i] = xfer(&f, i % NKEYS, (uint64_t)(i / NKEYS), 1);
    struct block b;
    mk(&f, &f.genesis, txs, N, 2, 0, &b);

    /* tx 70 unprotected (SIP003 is active): refused, named */
    struct tx keep70 = b.body.txs[70];
    struct address to = addr_of(20);
    b.body.txs[70] = ch_tx(7, 7, &to, 1, 21000, CH_GWEI, NULL, 0, 0);
    assert_refused(&f, &b, ERR_INVAL, "tx 70: ");
    /* with tx 10 also bad, the first one is named */
    struct tx keep10 = b.body.txs[10];
    b.body.txs[10] = ch_tx(0, 1, &to, 1, 21000, CH_GWEI, NULL, 0, 0);
    assert_refused(&f, &b, ERR_INVAL, "tx 10: ");
    ck_assert_int_eq(f.te.nvalidate, 0);
    tx_free(&b.body.txs[10]);
    tx_free(&b.body.txs[70]);
    b.body.txs[10] = keep10;
    b.body.txs[70] = keep70;

    import_as(&f, &b, CHAIN_INSERT_HEAD);
    ck_assert_int_eq(f.te.nvalidate, 1);
    ck_assert_int_eq(f.te.bad_senders, 0);
    ck_assert_uint_eq(balance_at_head(&f, &to), N);
    assert_lookup(&f, &txs[99], &b, 99);

    /* the same senders as one at a time */
    static struct address par[N];
    ck_assert_int_eq(chain_recover_senders(&f.p, 1, &b.body, par), 0);
    for (int i = 0; i < N; i++) {
        struct address one;
        ck_assert_int_eq(chain_tx_sender(&f.p, 1, &b.body.txs[i], &one), 0);
        ck_assert(address_eq(&one, &par[i]));
    }

    block_free(&b);
    for (int i = 0; i < N; i++)
        tx_free(&txs[i]);
    fx_close(&f);
}
END_TEST

/* chain_insert_block_unchecked shares the pipeline but never reorganises. */
START_TEST(unchecked_insert_reports_heavier_side)
{
    struct fx f;
    fx_open(&f);
    struct block a1, s1, s2;
    mk(&f, &f.genesis, NULL, 0, 2, 0, &a1);
    enum chain_insert_status st;
    ck_assert_msg(chain_insert_block_unchecked(f.c, &a1, NULL, &st) == 0, "%s", err_msg());
    ck_assert_int_eq(st, CHAIN_INSERT_HEAD);
    mk(&f, &f.genesis, NULL, 0, 1, 1, &s1);
    ck_assert_int_eq(chain_insert_block_unchecked(f.c, &s1, NULL, &st), 0);
    ck_assert_int_eq(st, CHAIN_INSERT_SIDE);
    mk(&f, &s1.header, NULL, 0, 5, 1, &s2);
    ck_assert_int_eq(chain_insert_block_unchecked(f.c, &s2, NULL, &st), 0);
    ck_assert_int_eq(st, CHAIN_INSERT_SIDE_HEAVIER);
    assert_head(&f, &a1, 3);
    /* chain_import_block of a stored block is KNOWN; its child reorganises */
    import_as(&f, &s2, CHAIN_INSERT_KNOWN);
    struct block s3;
    mk(&f, &s2.header, NULL, 0, 1, 1, &s3);
    import_as(&f, &s3, CHAIN_INSERT_REORG);
    assert_head(&f, &s3, 8);
    assert_canonical(&f, 1, &s1);
    assert_canonical(&f, 2, &s2);
    assert_canonical(&f, 3, &s3);
    block_free(&a1);
    block_free(&s1);
    block_free(&s2);
    block_free(&s3);
    fx_close(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("import");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, linear_import_moves_the_head);
    tcase_add_test(tc, unknown_parent_stores_nothing);
    tcase_add_test(tc, side_chains_lighter_or_equal_keep_the_head);
    tcase_add_test(tc, reorg_depth_3_and_back_and_restart);
    tcase_add_test(tc, deep_reorg_and_shorter_heavier_chain);
    tcase_add_test(tc, engine_verdicts_propagate);
    tcase_add_test(tc, engine_signer_is_the_author);
    tcase_add_test(tc, invalid_blocks_store_nothing);
    tcase_add_test(tc, senders_of_big_blocks);
    tcase_add_test(tc, unchecked_insert_reports_heavier_side);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
