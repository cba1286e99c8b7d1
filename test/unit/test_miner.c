/*
 * test_miner.c — block production (miner/miner.h) and the invalid variants
 * of miner_tamper.h, end to end on the REAL regtest chain: the genesis of
 * share/genesis/genesis-regtest.json with its system contracts, a temp
 * LevelDB, the txpool, and every block imported through chain_import_block
 * with Tribe's engine (consensus/tribe_chain_engine.h), as a node does.
 *
 * What is checked is what a user of a regtest node relies on: the head
 * moves; blocks after the third carry the chief update tx first; the VRF
 * extra verifies; the coinbase (the node, or the Anmap-bound wallet) gets
 * 35 SMT plus the fees; pool transfers are included with successful
 * receipts; a nonce gap and the gas limit hold transactions back; every
 * tampered block is rejected by the import with a reason naming the rule;
 * and a mainnet-like schedule with low fork heights crosses every fork with
 * the effects each era shows.
 *
 * Files: $top_srcdir/share/genesis/genesis-regtest.json.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain/chain.h"
#include "chain/chaindb.h"
#include "chain/regtest_genesis.h"
#include "consensus/tribe_chain_engine.h"
#include "consensus/tribe_engine.h"
#include "consensus/vrf.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "consensus/vrf_ahead.h"
#include "miner/miner.h"
#include "miner/miner_tamper.h"
#include "state/state.h"
#include "storage/trie_db.h"
#include "txpool/txpool.h"
#include "util/err.h"

#define T0 1000000 /* the clock at block 1 (the genesis time is 0) */
#define SMT_35 "35000000000000000000"

/* One regtest node in a temp dir: chain, engine, pool and the known keys. */
struct node {
    char dir[4096];
    struct chain_params p;
    struct genesis g;
    struct db *db;
    struct chain *c;
    struct chain_engine eng;
    struct txpool *pool;
    struct txpool_state_reader rd;
    uint8_t node_key[32];
    struct address node;
    uint8_t dev_key[REGTEST_NDEV][32];
    struct address dev[REGTEST_NDEV];
    uint64_t now;
};

/* ---- temp dir ------------------------------------------------------------------ */

static void make_dir(struct node *t)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/test_miner.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
}

static void remove_dir(struct node *t)
{
    DIR *dp = opendir(t->dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                unlinkat(dirfd(dp), e->d_name, 0);
        closedir(dp);
    }
    rmdir(t->dir);
}

/* ---- head state ------------------------------------------------------------------ */

/* Opens the state at root read-only; release with head_close. */
static struct state *state_at(struct node *t, const struct hash32 *root, struct trie_db *tdb)
{
    trie_db_init(tdb, t->db, NULL, NULL);
    struct trie_store store = trie_db_store(tdb);
    struct state *st;
    ck_assert_int_eq(state_open(&store, root->b, &st), 0);
    return st;
}

static void head_close(struct state *st, struct trie_db *tdb)
{
    state_free(st);
    trie_db_release(tdb);
}

static u256 balance(struct node *t, const struct address *a)
{
    struct trie_db tdb;
    struct state *st = state_at(t, &t->c->head.state_root, &tdb);
    u256 v;
    state_get_balance(st, a, &v);
    ck_assert_int_eq(state_error(st), 0);
    head_close(st, &tdb);
    return v;
}

static uint64_t nonce_of(struct node *t, const struct address *a)
{
    struct trie_db tdb;
    struct state *st = state_at(t, &t->c->head.state_root, &tdb);
    uint64_t v = state_get_nonce(st, a);
    ck_assert_int_eq(state_error(st), 0);
    head_close(st, &tdb);
    return v;
}

static int rd_nonce(void *ctx, const struct address *a, uint64_t *out)
{
    *out = nonce_of(ctx, a);
    return 0;
}

static int rd_balance(void *ctx, const struct address *a, u256 *out)
{
    *out = balance(ctx, a);
    return 0;
}

/* ---- setup -------------------------------------------------------------------------- */

static void node_open(struct node *t, const struct chain_params *p)
{
    memset(t, 0, sizeof *t);
    make_dir(t);
    t->p = *p;
    ck_assert_msg(chain_params_check(&t->p) == 0, "%s", err_msg());
    const char *top = getenv("top_srcdir");
    char path[4096];
    snprintf(path, sizeof path, "%s/share/genesis/genesis-regtest.json", top ? top : ".");
    ck_assert_msg(genesis_load(path, &t->g) == 0, "%s: %s", path, err_msg());
    ck_assert_int_eq(db_open(t->dir, NULL, &t->db), 0);
    ck_assert_msg(chain_open(t->db, &t->p, &t->g, &t->c) == 0, "%s", err_msg());
    tribe_chain_engine_init(&t->eng);
    struct txpool_config cfg;
    txpool_config_default(&cfg, &t->p);
    ck_assert_int_eq(txpool_create(&t->p, &cfg, 0, t->c->head.gas_limit, &t->pool), 0);
    t->rd.get_nonce = rd_nonce;
    t->rd.get_balance = rd_balance;
    t->rd.ctx = t;
    ck_assert_int_eq(regtest_node_key(t->node_key), 0);
    ck_assert_int_eq(regtest_key_address(t->node_key, &t->node), 0);
    for (unsigned i = 0; i < REGTEST_NDEV; i++) {
        ck_assert_int_eq(regtest_dev_key(i, t->dev_key[i]), 0);
        ck_assert_int_eq(regtest_key_address(t->dev_key[i], &t->dev[i]), 0);
    }
    t->now = T0;
}

static void node_close(struct node *t)
{
    txpool_free(t->pool);
    chain_close(t->c);
    db_close(t->db);
    genesis_free(&t->g);
    remove_dir(t);
}

/* ---- transactions --------------------------------------------------------------------- */

/* A signed tx (EIP-155 when chain_id != 0); create when to is NULL. */
static struct tx make_tx(const uint8_t *sk, uint64_t nonce, const struct address *to,
                         uint64_t value, uint64_t gas, uint64_t price, const uint8_t *data,
                         size_t len, uint64_t chain_id)
{
    struct tx x;
    memset(&x, 0, sizeof x);
    x.nonce = nonce;
    x.gas_price = u256_from_u64(price);
    x.gas = gas;
    x.has_to = to != NULL;
    if (to)
        x.to = *to;
    x.value = u256_from_u64(value);
    if (len) {
        x.data = malloc(len);
        ck_assert_ptr_nonnull(x.data);
        memcpy(x.data, data, len);
        x.data_len = len;
    }
    ck_assert_int_eq(tx_sign(&x, sk, chain_id), 0);
    return x;
}

/* Adds a tx to the pool (as local) and returns its hash. */
static struct hash32 send_tx(struct node *t, const uint8_t *sk, uint64_t nonce,
                             const struct address *to, uint64_t value, uint64_t gas,
                             const uint8_t *data, size_t len)
{
    struct tx x = make_tx(sk, nonce, to, value, gas, t->p.min_gas_price, data, len,
                          t->p.chain_id);
    struct hash32 h;
    enum txpool_reason why;
    int rc = txpool_add_tx(t->pool, &t->rd, &x, true, &h, &why);
    ck_assert_msg(rc == 0, "txpool_add: %s", err_msg());
    tx_free(&x);
    return h;
}

/* A transfer from dev account i with its next pool nonce. */
static struct hash32 transfer(struct node *t, unsigned i, const struct address *to, uint64_t value)
{
    uint64_t n;
    ck_assert_int_eq(txpool_pending_nonce(t->pool, &t->rd, &t->dev[i], &n), 0);
    return send_tx(t, t->dev_key[i], n, to, value, 21000, NULL, 0);
}

static bool block_has_tx(const struct block *b, const struct hash32 *h)
{
    for (size_t i = 0; i < b->body.tx_count; i++) {
        struct hash32 th;
        ck_assert_int_eq(tx_hash(&b->body.txs[i], th.b), 0);
        if (hash32_eq(&th, h))
            return true;
    }
    return false;
}

/* ---- blocks ------------------------------------------------------------------------------ */

static void copy_block(struct block *dst, const struct block *src)
{
    struct bytes enc = BYTES_INIT;
    ck_assert_int_eq(block_encode(src, &enc), 0);
    ck_assert_int_eq(block_decode(enc.data, enc.len, dst), 0);
    bytes_free(&enc);
}

/* Imports b through the whole pipeline at t->now (or later when the
 * header says so); returns the import's code, *status on success. */
static int import_at(struct node *t, const struct block *b, uint64_t now,
                     enum chain_insert_status *status)
{
    struct chain_import_result r;
    memset(&r, 0, sizeof r);
    err_clear();
    int rc = chain_import_block(t->c, &t->eng, b, now, &r);
    if (rc == 0 && status)
        *status = r.status;
    chain_import_result_free(&r);
    return rc;
}

static int import(struct node *t, const struct block *b, enum chain_insert_status *status)
{
    uint64_t now = b->header.time > t->now ? b->header.time : t->now;
    return import_at(t, b, now, status);
}

/* After a new head: the pool drops what was mined. */
static void pool_follow(struct node *t)
{
    ck_assert_int_eq(
        txpool_on_new_head(t->pool, t->c->head.number, t->c->head.gas_limit, &t->rd), 0);
}

/* Builds the next block with the node key (and the pool). */
static void build(struct node *t, struct block *b, struct miner_stats *stats)
{
    int rc = miner_build_block(t->c, t->pool, t->node_key, t->now, b, stats);
    ck_assert_msg(rc == 0, "miner: %s", err_msg());
}

/* Builds, imports (must become the head) and follows; *out keeps the block
 * when not NULL (block_free). */
static void mine(struct node *t, struct block *out, struct miner_stats *stats)
{
    struct block b;
    build(t, &b, stats);
    enum chain_insert_status status;
    uint64_t n = t->c->head.number + 1;
    int rc = import(t, &b, &status);
    ck_assert_msg(rc == 0, "import of block %llu: %s", (unsigned long long)n, err_msg());
    ck_assert_int_eq(status, CHAIN_INSERT_HEAD);
    ck_assert_uint_eq(t->c->head.number, n);
    struct hash32 h;
    ck_assert_int_eq(header_hash(&b.header, &h), 0);
    ck_assert(hash32_eq(&h, &t->c->head_hash));
    pool_follow(t);
    t->now++;
    if (out)
        *out = b;
    else
        block_free(&b);
}

/* Re-executes b's body on the head state with `author` as the Author and
 * refills the computed fields, then re-seals with key. */
static void refill(struct node *t, struct block *b, const struct address *author,
                   const uint8_t *key)
{
    struct trie_db tdb;
    struct state *st = state_at(t, &t->c->head.state_root, &tdb);
    struct chain_hash_ctx hctx;
    chain_hash_ctx_init(&hctx, t->db, &t->c->head_hash, t->c->head.number);
    struct chain_exec_env env = {&t->p, t->c->evm, author, chain_block_hash, &hctx};
    struct chain_exec_result res;
    struct header *h = &b->header;
    ck_assert_msg(chain_execute_block(&env, st, h, &b->body, &res) == 0, "%s", err_msg());
    h->state_root = res.state_root;
    h->tx_root = res.tx_root;
    h->receipt_root = res.receipt_root;
    h->bloom = res.bloom;
    h->gas_used = res.gas_used;
    chain_exec_result_free(&res);
    head_close(st, &tdb);
    ck_assert_int_eq(tribe_seal(h, key), 0);
}

/* Appends tx x (owned by b afterwards) to b's body. */
static void append_tx(struct block *b, struct tx *x)
{
    size_t n = b->body.tx_count;
    struct tx *txs = realloc(b->body.txs, (n + 1) * sizeof *txs);
    ck_assert_ptr_nonnull(txs);
    txs[n] = *x;
    b->body.txs = txs;
    b->body.tx_count = n + 1;
    memset(x, 0, sizeof *x);
}

static struct receipt *receipts_of(struct node *t, const struct block *b, size_t *n)
{
    struct hash32 h;
    ck_assert_int_eq(header_hash(&b->header, &h), 0);
    struct receipt *r;
    ck_assert_int_eq(chaindb_read_receipts(t->db, NULL, &h, &r, n), 0);
    ck_assert_uint_eq(*n, b->body.tx_count);
    return r;
}

/* ---- assertions -------------------------------------------------------------------------- */

static u256 u256_dec(const char *s)
{
    u256 v;
    ck_assert_int_eq(u256_from_dec(&v, s, strlen(s)), 0);
    return v;
}

/* The fees a block pays its coinbase: every pool tx here pays
 * min_gas_price, the chief tx pays nothing (§6.3). */
static u256 fees(const struct node *t, const struct block *b)
{
    u256 used = u256_from_u64(b->header.gas_used), price = u256_from_u64(t->p.min_gas_price), f;
    u256_mul(&f, &used, &price);
    return f;
}

/* Asserts that tx 0 of b is the chief update of block n sent by the node,
 * naming `volunteer`. */
static void assert_chief_first(struct node *t, const struct block *b,
                               const struct address *volunteer)
{
    uint64_t n = b->header.number;
    ck_assert_uint_ge(b->body.tx_count, 1);
    const struct tx *c0 = &b->body.txs[0];
    ck_assert(c0->has_to);
    ck_assert(address_eq(&c0->to, &params_chief_for_block(&t->p, n)->addr));
    ck_assert_uint_eq(c0->data_len, TRIBE_CHIEF_UPDATE_DATA_LEN);
    ck_assert(tribe_is_chief_update_data(c0->data, c0->data_len));
    struct address v = tribe_chief_update_volunteer(c0->data, c0->data_len);
    ck_assert(address_eq(&v, volunteer));
    ck_assert_uint_eq(c0->gas, t->p.chief_tx_gas_limit);
    struct address from;
    ck_assert_int_eq(chain_tx_sender(&t->p, n, c0, &from), 0);
    ck_assert(address_eq(&from, &t->node));
    for (size_t i = 1; i < b->body.tx_count; i++)
        ck_assert(!chain_is_chief_update(&t->p, &b->body.txs[i]));
}

/* Asserts that b's extra carries a VRF of its parent under the node key. */
static void assert_vrf(struct node *t, const struct header *parent, const struct header *h)
{
    ck_assert_uint_eq(h->extra_len, VRF_OUTPUT_LEN + TRIBE_SEAL_LEN);
    uint8_t msg[VRF_BLOCK_MSG_MAX], pub[64];
    size_t len;
    ck_assert_int_eq(vrf_block_message(parent->number, parent->extra, parent->extra_len, msg, &len),
                     0);
    ck_assert_int_eq(ecdsa_pubkey(t->node_key, pub), 0);
    ck_assert_int_eq(vrf_verify_extra(pub, msg, len, h->extra), 0);
}

/* ---- tests --------------------------------------------------------------------------------- */

/* Twelve blocks with two pool transfers each. */
START_TEST(mines_a_regtest_chain)
{
    struct node t;
    node_open(&t, chain_params_get(CHAIN_REGTEST));
    struct address to = t.dev[9];
    uint64_t node_nonce0 = nonce_of(&t, &t.node);
    struct header parent;
    ck_assert_int_eq(header_copy(&parent, &t.c->head), 0);
    u256 reward = u256_dec(SMT_35);
    for (uint64_t n = 1; n <= 12; n++) {
        struct hash32 a = transfer(&t, 0, &to, 1000 + n);
        struct hash32 b2 = transfer(&t, 1, &to, 2000 + n);
        u256 to0 = balance(&t, &to), node0 = balance(&t, &t.node);
        struct block b;
        struct miner_stats s;
        mine(&t, &b, &s);
        const struct header *h = &b.header;
        /* the two transfers, after the chief tx from block 4 on */
        ck_assert_uint_eq(s.included, 2);
        ck_assert_uint_eq(s.skipped, 0);
        ck_assert_uint_eq(s.gas_used, 2 * 21000);
        ck_assert_uint_eq(h->gas_used, 2 * 21000);
        ck_assert_uint_eq(b.body.tx_count, 2 + (n > 3));
        ck_assert(block_has_tx(&b, &a) && block_has_tx(&b, &b2));
        if (n > 3)
            assert_chief_first(&t, &b, &(struct address){{0}});
        size_t nr;
        struct receipt *r = receipts_of(&t, &b, &nr);
        for (size_t i = 0; i < nr; i++)
            ck_assert_msg(r[i].status, "block %llu receipt %zu failed", (unsigned long long)n, i);
        chaindb_receipts_free(r, nr);
        /* the values arrived; the coinbase (the node: no Anmap binding) has
         * 35 SMT and the fees */
        u256 got = balance(&t, &to), want = u256_from_u64(3000 + 2 * n);
        u256_sub(&got, &got, &to0);
        ck_assert(u256_eq(&got, &want));
        ck_assert(address_eq(&h->coinbase, &t.node));
        got = balance(&t, &t.node);
        u256_sub(&got, &got, &node0);
        u256 f = fees(&t, &b);
        u256_add(&want, &reward, &f);
        ck_assert(u256_eq(&got, &want));
        /* S = [node, 0, 0]: in turn every third block, signer 0 else */
        ck_assert_uint_eq(h->difficulty.w[0], n % 3 == 0 ? 6 : 5);
        ck_assert_uint_ge(h->gas_limit, 40000000);
        assert_vrf(&t, &parent, h);
        ck_assert_uint_eq(nonce_of(&t, &t.node), node_nonce0 + (n > 3 ? n - 3 : 0));
        header_free(&parent);
        ck_assert_int_eq(header_copy(&parent, h), 0);
        block_free(&b);
    }
    size_t pending, queued;
    txpool_counts(t.pool, &pending, &queued);
    ck_assert_uint_eq(pending + queued, 0);
    header_free(&parent);
    node_close(&t);
}
END_TEST

/* Our own blocks are stored without executing them again (miner_commit):
 * every such block, prepared ahead (miner_prepare) or not, with a stale
 * preparation or none, must be exactly what a second node accepts through
 * the whole import pipeline, with the same head, state and receipts. */
static void assert_same_receipts(struct node *a, struct node *b, const struct hash32 *h)
{
    struct receipt *ra, *rb;
    size_t na, nb;
    ck_assert_int_eq(chaindb_read_receipts(a->db, NULL, h, &ra, &na), 0);
    ck_assert_int_eq(chaindb_read_receipts(b->db, NULL, h, &rb, &nb), 0);
    ck_assert_uint_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        struct bytes ea = BYTES_INIT, eb = BYTES_INIT;
        ck_assert_int_eq(receipt_encode(&ra[i], &ea), 0);
        ck_assert_int_eq(receipt_encode(&rb[i], &eb), 0);
        ck_assert_uint_eq(ea.len, eb.len);
        ck_assert(memcmp(ea.data, eb.data, ea.len) == 0);
        bytes_free(&ea);
        bytes_free(&eb);
    }
    chaindb_receipts_free(ra, na);
    chaindb_receipts_free(rb, nb);
}

START_TEST(own_blocks_match_full_import)
{
    struct node a, b;
    node_open(&a, chain_params_get(CHAIN_REGTEST));
    node_open(&b, chain_params_get(CHAIN_REGTEST));
    struct address to = a.dev[9];
    struct miner_prep prep;
    memset(&prep, 0, sizeof prep);
    /* Prepared blocks take their VRF proof from the prover thread when it
     * was started for their parent (3's was, by 2's preparation): b's full
     * import checks every such proof. */
    struct vrf_ahead *ahead;
    ck_assert_int_eq(vrf_ahead_new(&ahead), 0);
    for (uint64_t n = 1; n <= 8; n++) {
        for (unsigned i = 0; i < n % 3; i++)
            transfer(&a, i, &to, 100 * n + i);
        /* 2, 5, 8: prepared on this head (2 and 8 built at the prepared
         * time, with the chief tx run in the preparation; 5 two seconds
         * later, when it runs again); 4: a stale one (made for block 3,
         * which was built without it); the rest: none. */
        bool prepared = n % 3 == 2;
        if (prepared || n == 3)
            ck_assert_msg(miner_prepare(a.c, a.node_key, a.now, ahead, &prep) == 0, "%s",
                          err_msg());
        if (n == 3)
            ck_assert(prep.valid);
        uint64_t prepared_time = prep.header.time;
        if (n == 5) {
            a.now += 2;
            b.now = a.now;
        }
        struct miner_work w;
        struct miner_stats st;
        int rc = miner_build_work(a.c, a.pool, a.node_key, a.now,
                                  prepared || n == 4 ? &prep : NULL, &w, &st);
        ck_assert_msg(rc == 0, "block %llu: %s", (unsigned long long)n, err_msg());
        ck_assert(!prep.valid || n == 3); /* spent when offered; 3's kept */
        ck_assert_uint_eq(st.included, n % 3);
        ck_assert(st.chief_ahead == (n == 2 || n == 8));
        if (prepared)
            ck_assert((w.block.header.time == prepared_time) == (n != 5));
        struct block copy;
        copy_block(&copy, &w.block);
        struct chain_import_result r;
        rc = miner_commit(a.c, &w, &r);
        ck_assert_msg(rc == 0, "commit of block %llu: %s", (unsigned long long)n, err_msg());
        ck_assert_int_eq(r.status, CHAIN_INSERT_HEAD);
        ck_assert_uint_eq(r.nadded, 1);
        chain_import_result_free(&r);
        miner_work_free(&w);
        ck_assert_uint_eq(a.c->head.number, n);
        pool_follow(&a);

        enum chain_insert_status status;
        rc = import(&b, &copy, &status);
        ck_assert_msg(rc == 0, "full import of our block %llu: %s", (unsigned long long)n,
                      err_msg());
        ck_assert_int_eq(status, CHAIN_INSERT_HEAD);
        ck_assert(hash32_eq(&a.c->head_hash, &b.c->head_hash));
        ck_assert(hash32_eq(&a.c->head.state_root, &b.c->head.state_root));
        assert_same_receipts(&a, &b, &a.c->head_hash);
        block_free(&copy);
        a.now++;
        b.now = a.now;
    }
    /* A commit on a head that moved meanwhile stores nothing. */
    struct miner_work w;
    ck_assert_int_eq(miner_build_work(a.c, a.pool, a.node_key, a.now, NULL, &w, NULL), 0);
    struct miner_work w2;
    ck_assert_int_eq(miner_build_work(a.c, a.pool, a.node_key, a.now, NULL, &w2, NULL), 0);
    struct chain_import_result r;
    ck_assert_int_eq(miner_commit(a.c, &w, &r), 0);
    chain_import_result_free(&r);
    struct hash32 head = a.c->head_hash;
    ck_assert_int_eq(miner_commit(a.c, &w2, &r), ERR_BADSTATE);
    ck_assert(hash32_eq(&head, &a.c->head_hash));
    miner_work_free(&w);
    miner_work_free(&w2);
    miner_prep_free(&prep);
    vrf_ahead_free(ahead);
    node_close(&a);
    node_close(&b);
}
END_TEST

/* A nonce gap holds a tx back until the gap is filled; the node's own tx
 * whose nonce the chief tx takes is skipped alone. */
START_TEST(pool_order_and_skips)
{
    struct node t;
    node_open(&t, chain_params_get(CHAIN_REGTEST));
    for (int i = 0; i < 4; i++)
        mine(&t, NULL, NULL);
    struct address to = t.dev[9];
    uint64_t n2 = nonce_of(&t, &t.dev[2]);
    struct hash32 late = send_tx(&t, t.dev_key[2], n2 + 1, &to, 5, 21000, NULL, 0);
    struct hash32 other = transfer(&t, 3, &to, 6);
    struct block b;
    struct miner_stats s;
    mine(&t, &b, &s);
    ck_assert(!block_has_tx(&b, &late));
    ck_assert(block_has_tx(&b, &other));
    ck_assert_uint_eq(s.included, 1);
    block_free(&b);
    /* fill the gap: both go in, in nonce order */
    struct hash32 first = send_tx(&t, t.dev_key[2], n2, &to, 7, 21000, NULL, 0);
    mine(&t, &b, &s);
    ck_assert_uint_eq(s.included, 2);
    ck_assert(block_has_tx(&b, &first) && block_has_tx(&b, &late));
    ck_assert_uint_eq(nonce_of(&t, &t.dev[2]), n2 + 2);
    block_free(&b);

    /* the node's pool txs: the chief tx takes nonce N, so the pool's N is
     * skipped and N+1 goes in after it */
    uint64_t nn = nonce_of(&t, &t.node);
    struct hash32 mine_n = send_tx(&t, t.node_key, nn, &to, 8, 21000, NULL, 0);
    struct hash32 mine_n1 = send_tx(&t, t.node_key, nn + 1, &to, 9, 21000, NULL, 0);
    mine(&t, &b, &s);
    ck_assert_uint_eq(s.skipped, 1);
    ck_assert_uint_eq(s.included, 1);
    ck_assert(!block_has_tx(&b, &mine_n));
    ck_assert(block_has_tx(&b, &mine_n1));
    ck_assert_uint_eq(b.body.txs[0].nonce, nn);
    ck_assert_uint_eq(nonce_of(&t, &t.node), nn + 2);
    size_t nr;
    struct receipt *r = receipts_of(&t, &b, &nr);
    for (size_t i = 0; i < nr; i++)
        ck_assert(r[i].status);
    chaindb_receipts_free(r, nr);
    block_free(&b);
    node_close(&t);
}
END_TEST

/* Init code JUMPDEST PUSH1 0 JUMP: loops until its gas runs out, so a
 * create with it uses exactly its gas limit. */
static const uint8_t LOOP_INIT[] = {0x5b, 0x60, 0x00, 0x56};
#define LOOP_GAS 3000000

START_TEST(gas_limit_respected)
{
    struct node t;
    node_open(&t, chain_params_get(CHAIN_REGTEST));
    mine(&t, NULL, NULL);
    /* 20 creates of 3M gas each: 13 fit in 40M */
    for (unsigned i = 0; i < 20; i++) {
        unsigned k = i % REGTEST_NDEV;
        uint64_t n;
        ck_assert_int_eq(txpool_pending_nonce(t.pool, &t.rd, &t.dev[k], &n), 0);
        send_tx(&t, t.dev_key[k], n, NULL, 0, LOOP_GAS, LOOP_INIT, sizeof LOOP_INIT);
    }
    uint64_t limit = t.c->head.gas_limit;
    struct block b;
    struct miner_stats s;
    mine(&t, &b, &s);
    uint64_t fit = b.header.gas_limit / LOOP_GAS;
    ck_assert_uint_le(b.header.gas_used, b.header.gas_limit);
    ck_assert_uint_eq(s.included, fit);
    ck_assert_uint_eq(b.header.gas_used, fit * LOOP_GAS);
    ck_assert_uint_eq(b.header.gas_limit, limit); /* the parent was nearly empty */
    block_free(&b);
    /* the rest comes in the next block, whose limit grew with the use
     * (more than 2/3 full) by less than 1/1024 */
    uint64_t left = 20 - fit;
    mine(&t, &b, &s);
    ck_assert_uint_eq(s.included, left);
    ck_assert_uint_gt(b.header.gas_limit, limit);
    ck_assert_uint_lt(b.header.gas_limit - limit, limit / 1024);
    block_free(&b);
    node_close(&t);
}
END_TEST

/* Each tamper kind, on block 6 (> unchecked_blocks), is rejected by the
 * import with a reason naming the rule; the untampered block then imports. */
START_TEST(tampered_blocks_rejected)
{
    static const struct {
        enum miner_tamper kind;
        const char *why;
    } cases[] = {
        {MINER_TAMPER_SEAL, "seal recovers no key"},
        {MINER_TAMPER_SIGNER, "invalid difficulty"},
        {MINER_TAMPER_DIFFICULTY, "difficulty"},
        {MINER_TAMPER_STATE_ROOT, "state root"},
        {MINER_TAMPER_CHIEF_NOT_FIRST, "chief update tx at index 1"},
        {MINER_TAMPER_NO_CHIEF_TX, "not a chief update tx"},
        {MINER_TAMPER_VRF, "VRF"},
        {MINER_TAMPER_VOLUNTEER, "volunteer"},
    };
    struct node t;
    node_open(&t, chain_params_get(CHAIN_REGTEST));
    for (int i = 0; i < 5; i++)
        mine(&t, NULL, NULL);
    uint8_t other[32];
    keccak256((const uint8_t *)"another key", 11, other);
    transfer(&t, 4, &t.dev[8], 1);
    struct block good;
    build(&t, &good, NULL);
    ck_assert_uint_eq(good.body.tx_count, 2);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct block bad;
        copy_block(&bad, &good);
        ck_assert_int_eq(miner_tamper_block(&bad, cases[i].kind, t.node_key, other), 0);
        struct hash32 h;
        ck_assert_int_eq(header_hash(&bad.header, &h), 0);
        int rc = import(&t, &bad, NULL);
        const char *name = miner_tamper_name(cases[i].kind);
        ck_assert_msg(rc == ERR_INVAL, "%s: want invalid, got %d (%s)", name, rc, err_msg());
        ck_assert_msg(strstr(err_msg(), cases[i].why) != NULL, "%s: reason '%s' lacks '%s'", name,
                      err_msg(), cases[i].why);
        ck_assert_uint_eq(t.c->head.number, 5);
        ck_assert(!chaindb_has_header(t.db, &h));
        block_free(&bad);
    }
    /* "none" changes nothing; the good block imports */
    struct block same;
    copy_block(&same, &good);
    ck_assert_int_eq(miner_tamper_block(&same, MINER_TAMPER_NONE, t.node_key, NULL), 0);
    struct hash32 h1, h2;
    ck_assert_int_eq(header_hash(&same.header, &h1), 0);
    ck_assert_int_eq(header_hash(&good.header, &h2), 0);
    ck_assert(hash32_eq(&h1, &h2));
    block_free(&same);
    enum chain_insert_status status;
    ck_assert_msg(import(&t, &good, &status) == 0, "%s", err_msg());
    ck_assert_int_eq(status, CHAIN_INSERT_HEAD);
    ck_assert_uint_eq(t.c->head.number, 6);
    block_free(&good);
    node_close(&t);
}
END_TEST

START_TEST(tamper_names_and_limits)
{
    for (int k = 0; k < MINER_TAMPER_COUNT; k++) {
        const char *name = miner_tamper_name((enum miner_tamper)k);
        ck_assert_ptr_nonnull(name);
        enum miner_tamper back;
        ck_assert_int_eq(miner_tamper_from_name(name, &back), 0);
        ck_assert_int_eq(back, k);
    }
    static const char *const want[] = {"none", "seal", "signer", "difficulty", "stateRoot",
                                       "chiefNotFirst", "noChiefTx", "vrf", "volunteer"};
    ck_assert_int_eq(MINER_TAMPER_COUNT, sizeof want / sizeof want[0]);
    for (int k = 0; k < MINER_TAMPER_COUNT; k++)
        ck_assert_str_eq(miner_tamper_name((enum miner_tamper)k), want[k]);
    enum miner_tamper k;
    ck_assert_int_eq(miner_tamper_from_name("StateRoot", &k), ERR_INVAL);
    ck_assert_int_eq(miner_tamper_from_name(NULL, &k), ERR_INVAL);
    ck_assert_ptr_null(miner_tamper_name(MINER_TAMPER_COUNT));

    /* variants that need what a block lacks */
    struct node t;
    node_open(&t, chain_params_get(CHAIN_REGTEST));
    struct block b, c;
    build(&t, &b, NULL); /* block 1: no tx */
    copy_block(&c, &b);
    ck_assert_int_eq(miner_tamper_block(&c, MINER_TAMPER_CHIEF_NOT_FIRST, t.node_key, NULL),
                     ERR_INVAL);
    ck_assert_int_eq(miner_tamper_block(&c, MINER_TAMPER_NO_CHIEF_TX, t.node_key, NULL),
                     ERR_INVAL);
    ck_assert_int_eq(miner_tamper_block(&c, MINER_TAMPER_SIGNER, t.node_key, NULL), ERR_INVAL);
    ck_assert_int_eq(miner_tamper_block(&c, MINER_TAMPER_COUNT, t.node_key, NULL), ERR_INVAL);
    block_free(&c);
    block_free(&b);
    node_close(&t);
}
END_TEST

/* Blocks 1..unchecked_blocks: no rule is checked, but the seal must
 * recover a key, and that key is the Author (fees when coinbase is 0). */
START_TEST(unchecked_blocks_have_an_author)
{
    struct node t;
    node_open(&t, chain_params_get(CHAIN_REGTEST));
    struct block b;
    build(&t, &b, NULL);
    ck_assert_int_eq(miner_tamper_block(&b, MINER_TAMPER_SEAL, t.node_key, NULL), 0);
    ck_assert_int_eq(import(&t, &b, NULL), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "seal recovers no key"));
    ck_assert_uint_eq(t.c->head.number, 0);
    block_free(&b);

    /* a zero coinbase: the fee goes to the signer, the reward to 0x0 */
    transfer(&t, 0, &t.dev[9], 1);
    build(&t, &b, NULL);
    ck_assert_uint_eq(b.body.tx_count, 1);
    memset(b.header.coinbase.b, 0, ADDRESS_LEN);
    refill(&t, &b, &t.node, t.node_key);
    u256 node0 = balance(&t, &t.node);
    struct address zero = {{0}};
    u256 zero0 = balance(&t, &zero);
    ck_assert_msg(import(&t, &b, NULL) == 0, "%s", err_msg());
    ck_assert_uint_eq(t.c->head.number, 1);
    u256 got = balance(&t, &t.node), f = fees(&t, &b);
    u256_sub(&got, &got, &node0);
    ck_assert(u256_eq(&got, &f));
    got = balance(&t, &zero);
    u256_sub(&got, &got, &zero0);
    u256 reward = u256_dec(SMT_35);
    ck_assert(u256_eq(&got, &reward));
    block_free(&b);
    node_close(&t);
}
END_TEST

START_TEST(who_may_sign)
{
    struct node t;
    node_open(&t, chain_params_get(CHAIN_REGTEST));
    uint8_t stranger[32];
    keccak256((const uint8_t *)"a random key", 12, stranger);
    uint64_t at;
    ck_assert_int_eq(miner_can_sign(t.c, t.node_key, &at), 0);
    ck_assert_uint_eq(at, t.c->head.time);
    /* block 1 is unchecked: anyone may sign it */
    ck_assert_int_eq(miner_can_sign(t.c, stranger, &at), 0);
    for (int i = 0; i < 3; i++)
        mine(&t, NULL, NULL);
    /* block 4: neither in S nor a leader */
    ck_assert_int_eq(miner_can_sign(t.c, stranger, &at), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "not authorized"));
    struct block b;
    ck_assert_int_eq(miner_build_block(t.c, t.pool, stranger, t.now, &b, NULL), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "not authorized"));
    ck_assert_uint_eq(b.body.tx_count, 0);
    ck_assert_ptr_null(b.header.extra);
    ck_assert_int_eq(miner_can_sign(t.c, t.node_key, &at), 0);
    /* an invalid key is refused */
    uint8_t zero_key[32] = {0};
    ck_assert_int_eq(miner_can_sign(t.c, zero_key, &at), ERR_INVAL);
    ck_assert_int_eq(miner_build_block(t.c, t.pool, zero_key, t.now, &b, NULL), ERR_CRYPTO);
    node_close(&t);
}
END_TEST

/* With a period of 3 s the header time follows the signer's delay
 * (S = [node, 0, 0]: 2 s in turn, 6 s as signer 0 standing in), and an
 * import before that time is refused as from the future. */
START_TEST(timing_follows_the_delay)
{
    struct chain_params p = *chain_params_get(CHAIN_REGTEST);
    p.period = 3;
    struct node t;
    node_open(&t, &p);
    t.now = 0;
    for (uint64_t n = 1; n <= 6; n++) {
        uint64_t at, parent_time = t.c->head.time, delay = n % 3 == 0 ? 2 : 6;
        ck_assert_int_eq(miner_can_sign(t.c, t.node_key, &at), 0);
        ck_assert_uint_eq(at, parent_time + delay);
        struct block b;
        build(&t, &b, NULL); /* now = 0: the header waits for the delay */
        ck_assert_uint_eq(b.header.time, at);
        ck_assert_int_eq(import_at(&t, &b, at - 1, NULL), ERR_BADSTATE);
        ck_assert_ptr_nonnull(strstr(err_msg(), "future"));
        ck_assert_msg(import_at(&t, &b, at, NULL) == 0, "%s", err_msg());
        ck_assert_uint_eq(t.c->head.number, n);
        block_free(&b);
    }
    node_close(&t);
}
END_TEST

/* Anmap: once a wallet binds the node key, the coinbase is the wallet. */
START_TEST(coinbase_from_anmap)
{
    struct node t;
    node_open(&t, chain_params_get(CHAIN_REGTEST));
    for (int i = 0; i < 4; i++)
        mine(&t, NULL, NULL);
    const struct address *wallet = &t.dev[5];
    /* bind(nodePub, v, r, s) f65f2eec, the node key signing keccak256(wallet) */
    uint8_t digest[32], sig[65], data[4 + 4 * 32];
    keccak256(wallet->b, ADDRESS_LEN, digest);
    ck_assert_int_eq(ecdsa_sign(digest, t.node_key, sig), 0);
    memset(data, 0, sizeof data);
    static const uint8_t sel[4] = {0xf6, 0x5f, 0x2e, 0xec};
    memcpy(data, sel, 4);
    memcpy(data + 4 + 12, t.node.b, ADDRESS_LEN);
    data[4 + 32 + 31] = (uint8_t)(sig[64] + 27);
    memcpy(data + 4 + 64, sig, 32);
    memcpy(data + 4 + 96, sig + 32, 32);
    struct block b;
    send_tx(&t, t.dev_key[5], nonce_of(&t, wallet), &t.p.anmap, 0, 300000, data, sizeof data);
    mine(&t, &b, NULL);
    ck_assert(address_eq(&b.header.coinbase, &t.node)); /* bound after this block */
    size_t nr;
    struct receipt *r = receipts_of(&t, &b, &nr);
    ck_assert_uint_eq(nr, 2);
    ck_assert_msg(r[1].status, "bind failed");
    chaindb_receipts_free(r, nr);
    block_free(&b);

    u256 w0 = balance(&t, wallet), n0 = balance(&t, &t.node);
    mine(&t, &b, NULL);
    ck_assert(address_eq(&b.header.coinbase, wallet));
    u256 got = balance(&t, wallet), reward = u256_dec(SMT_35);
    u256_sub(&got, &got, &w0);
    ck_assert(u256_eq(&got, &reward));
    got = balance(&t, &t.node);
    ck_assert(u256_eq(&got, &n0)); /* the chief tx costs the node nothing */
    block_free(&b);
    node_close(&t);
}
END_TEST

/* Init code PUSH1 1 PUSH1 1 SHL STOP: SHL exists from SIP004 on only. */
static const uint8_t SHL_INIT[] = {0x60, 0x01, 0x60, 0x01, 0x1b, 0x00};

/* A mainnet-like schedule with low fork heights on the regtest genesis:
 * chief 0.0.7 from 0 and 1.0.0 (Chief100) from 6 at the same address,
 * SIP002 at 3, SIP003 at 9, SIP004 at 12. Fifteen blocks cross every fork. */
START_TEST(mainnet_like_schedule)
{
    struct chain_params p = *chain_params_get(CHAIN_REGTEST);
    struct address chief = p.chiefs[0].addr;
    p.chiefs[0] = (struct chief_info){0, chief, CHIEF_V0_0_7};
    p.chiefs[1] = (struct chief_info){6, chief, CHIEF_V1_0_0};
    p.nchiefs = 2;
    p.chief100_block = 6;
    p.sip002_block = 3;
    p.sip003_block = 9;
    p.sip004_block = 12;
    ck_assert_msg(chain_params_check(&p) == 0, "%s", err_msg());
    struct node t;
    node_open(&t, &p);
    u256 reward = u256_dec(SMT_35), zero = u256_from_u64(0);
    struct header parent;
    ck_assert_int_eq(header_copy(&parent, &t.c->head), 0);
    struct hash32 shl_tx = {{0}};
    for (uint64_t n = 1; n <= 15; n++) {
        u256 node0 = balance(&t, &t.node);
        struct block b;
        if (n == 10 || n == 12) {
            uint64_t k;
            ck_assert_int_eq(txpool_pending_nonce(t.pool, &t.rd, &t.dev[6], &k), 0);
            shl_tx = send_tx(&t, t.dev_key[6], k, NULL, 0, 100000, SHL_INIT, sizeof SHL_INIT);
        }
        if (n == 8 || n == 9) {
            /* SIP003: an unprotected transfer is fine before 9 only */
            build(&t, &b, NULL);
            struct tx u = make_tx(t.dev_key[7], nonce_of(&t, &t.dev[7]), &t.dev[9], 1, 21000,
                                  p.min_gas_price, NULL, 0, 0);
            if (n == 9) {
                struct block bad;
                copy_block(&bad, &b);
                append_tx(&bad, &u);
                ck_assert_int_eq(chain_tx_root(bad.body.txs, bad.body.tx_count,
                                               &bad.header.tx_root),
                                 0);
                ck_assert_int_eq(tribe_seal(&bad.header, t.node_key), 0);
                ck_assert_int_eq(import(&t, &bad, NULL), ERR_INVAL);
                ck_assert_msg(strstr(err_msg(), "replay-protected") != NULL, "%s", err_msg());
                block_free(&bad);
            } else {
                append_tx(&b, &u);
                refill(&t, &b, NULL, t.node_key);
            }
            ck_assert_msg(import(&t, &b, NULL) == 0, "block %llu: %s", (unsigned long long)n,
                          err_msg());
            pool_follow(&t);
            t.now++;
            if (n == 8)
                ck_assert_uint_eq(nonce_of(&t, &t.dev[7]), 1);
        } else {
            mine(&t, &b, NULL);
        }
        const struct header *h = &b.header;
        ck_assert_uint_eq(t.c->head.number, n);
        /* §2/§3: 32-byte vanity before Chief100, the VRF from it */
        if (n < 6) {
            ck_assert_uint_eq(h->extra_len, 97);
            for (int i = 0; i < 32; i++)
                ck_assert_uint_eq(h->extra[i], 0);
        } else {
            ck_assert_uint_eq(h->extra_len, 226);
            assert_vrf(&t, &parent, h);
        }
        /* §7: no reward before Chief100, 35 SMT from it (plus the fees) */
        u256 got = balance(&t, &t.node), f = fees(&t, &b), want;
        u256_sub(&got, &got, &node0);
        u256_add(&want, n < 6 ? &zero : &reward, &f);
        ck_assert_msg(u256_eq(&got, &want), "block %llu reward", (unsigned long long)n);
        /* §4: before SIP002 2/1; 0.0.x from SIP002 3/2/1; 1.0.0 6/5 */
        uint64_t d = n < 3 ? (n % 3 == 0 ? 2 : 1)
                   : n < 6 ? (n % 3 == 0 ? 3 : (n + 1) % 3 == 0 ? 2 : 1)
                           : (n % 3 == 0 ? 6 : 5);
        ck_assert_msg(h->difficulty.w[0] == d, "block %llu difficulty %llu, want %llu",
                      (unsigned long long)n, (unsigned long long)h->difficulty.w[0],
                      (unsigned long long)d);
        /* §6.1: the chief tx from block 4, volunteer 0 (no stakers) */
        if (n > 3)
            assert_chief_first(&t, &b, &(struct address){{0}});
        else
            ck_assert_uint_eq(b.body.tx_count, 0);
        /* §6.6: before SIP004 the limit decays towards the 4.7M target;
         * the SIP004 block jumps back to the 40M floor, which then holds */
        if (n < 12)
            ck_assert_uint_lt(h->gas_limit, parent.gas_limit);
        else
            ck_assert_uint_eq(h->gas_limit, 40000000);
        /* SIP004's SHL: the create fails at 10 and succeeds at 12 */
        if (n == 10 || n == 12) {
            ck_assert(block_has_tx(&b, &shl_tx));
            size_t nr;
            struct receipt *r = receipts_of(&t, &b, &nr);
            ck_assert_uint_eq(nr, 2);
            ck_assert_int_eq(r[1].status, n == 12);
            chaindb_receipts_free(r, nr);
        }
        header_free(&parent);
        ck_assert_int_eq(header_copy(&parent, h), 0);
        block_free(&b);
    }
    header_free(&parent);
    node_close(&t);
}
END_TEST

static Suite *miner_suite(void)
{
    Suite *s = suite_create("miner");
    TCase *tc = tcase_create("regtest");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, mines_a_regtest_chain);
    tcase_add_test(tc, own_blocks_match_full_import);
    tcase_add_test(tc, pool_order_and_skips);
    tcase_add_test(tc, gas_limit_respected);
    tcase_add_test(tc, tampered_blocks_rejected);
    tcase_add_test(tc, tamper_names_and_limits);
    tcase_add_test(tc, unchecked_blocks_have_an_author);
    tcase_add_test(tc, who_may_sign);
    tcase_add_test(tc, timing_follows_the_delay);
    tcase_add_test(tc, coinbase_from_anmap);
    tcase_add_test(tc, mainnet_like_schedule);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(miner_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
