/*
 * bench_meshbox.c — the cost of validating MeshBox weighting's draw per
 * block (doc/meshbox.md §6: the registry read, POC's normal list, the
 * candidate list, the weights and the draw), next to the FULL validated
 * import of a block (chain_import_block with Tribe's engine) measured in
 * the same run, on the real regtest chain (share/genesis/genesis-regtest.json,
 * chain_params_get(CHAIN_REGTEST), weighting on from block 0).
 *
 * Set-up, per box count NB (16 and 256; the registry caps its list at 1024
 * and the cost is linear in it): blocks 1–3, built by the miner and
 * imported through the pipeline, list NB boxes in the registry (the node
 * key is its owner) and stake each in POC (1,000 SMT from dev account 0,
 * the box key signing keccak256(wallet)). Blocks 1–3 need no chief tx, so
 * no box misses a slot and every box stays eligible. Then, at the state of
 * block 3:
 *   meshbox/draw-NB            meshbox_load + meshbox_pick as block 4's
 *                              validator runs them (epoch 0: getMeshboxList)
 *   meshbox/draw-NB closed     the same with getEpochTotals(E − 2) (the
 *                              parent header renumbered into epoch 3, the
 *                              state unchanged: totals 0, same storage reads)
 *   meshbox/takeMiner          Tribe 1.0.0's volunteer (three reads) on the
 *                              same state, weighting off, for comparison
 * each the mean over ITER calls with a fresh state opened on the LevelDB
 * store every call (as an import does; the open is not timed); and
 *   meshbox/import-NB chief-only   block 4 with the chief tx only
 *   meshbox/import-NB transfers    block 4 with NTRANSFER transfers too
 * each the best of ROUNDS imports into a fresh copy of the template
 * directory (copying and opening not timed), as bench_import.c does. The
 * draw's share of each import is reported in %; the goal is < 5 %.
 * Every imported block 4 must name a listed box as its volunteer.
 */
#include "bench/bench.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chain.h"
#include "chain/regtest_genesis.h"
#include "consensus/meshbox.h"
#include "consensus/tribe_chain_engine.h"
#include "consensus/tribe_engine.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "miner/miner.h"
#include "state/state.h"
#include "storage/trie_db.h"
#include "txpool/txpool.h"
#include "util/err.h"
#include "util/fs.h"

#define ITER 200
#define ROUNDS 5
#define NTRANSFER 1000
#define T0 1000000u
#define MAX_BOXES 256
#define ADD_BATCH 64                    /* boxes per addAddress call */

struct mb_node {
    const struct chain_params *p;
    struct db *db;
    struct chain *c;
    struct chain_engine eng;
    struct txpool *pool;
    struct txpool_state_reader rd;
    uint8_t node_key[32];
    uint64_t now;
};

static void box_key(int i, uint8_t sk[32])
{
    char seed[48];
    int n = snprintf(seed, sizeof seed, "bench-meshbox box %d", i);
    keccak256(seed, (size_t)n, sk);
}

/* ---- files -------------------------------------------------------------------- */

/* ---- the pool's view of the head ------------------------------------------------ */

static int open_head_state(struct mb_node *t, struct trie_db *tdb, struct state **st)
{
    trie_db_init(tdb, t->db, NULL, NULL);
    struct trie_store store = trie_db_store(tdb);
    int rc = state_open(&store, t->c->head.state_root.b, st);
    if (rc)
        trie_db_release(tdb);
    return rc;
}

static int rd_nonce(void *ctx, const struct address *a, uint64_t *out)
{
    struct trie_db tdb;
    struct state *st;
    int rc = open_head_state(ctx, &tdb, &st);
    if (rc == 0) {
        *out = state_get_nonce(st, a);
        rc = state_error(st);
        state_free(st);
        trie_db_release(&tdb);
    }
    return rc;
}

static int rd_balance(void *ctx, const struct address *a, u256 *out)
{
    struct trie_db tdb;
    struct state *st;
    int rc = open_head_state(ctx, &tdb, &st);
    if (rc == 0) {
        state_get_balance(st, a, out);
        rc = state_error(st);
        state_free(st);
        trie_db_release(&tdb);
    }
    return rc;
}

/* Signs a call from sk with its next pool nonce and adds it (local). */
static int send_tx(struct mb_node *t, const uint8_t sk[32], const struct address *to,
                   const u256 *value, uint64_t gas, const uint8_t *data, size_t len)
{
    struct address from;
    int rc = regtest_key_address(sk, &from);
    if (rc)
        return rc;
    struct tx x;
    memset(&x, 0, sizeof x);
    if ((rc = txpool_pending_nonce(t->pool, &t->rd, &from, &x.nonce)) != 0)
        return rc;
    x.gas_price = u256_from_u64(t->p->min_gas_price);
    x.gas = gas;
    x.has_to = true;
    x.to = *to;
    x.value = *value;
    if (len) {
        if (!(x.data = malloc(len)))
            return err_set(ERR_NOMEM, "tx data");
        memcpy(x.data, data, len);
        x.data_len = len;
    }
    rc = tx_sign(&x, sk, t->p->chain_id);
    enum txpool_reason why;
    if (rc == 0)
        rc = txpool_add_tx(t->pool, &t->rd, &x, true, NULL, &why);
    tx_free(&x);
    return rc;
}

static int import_head(struct chain *c, const struct chain_engine *eng, const struct block *b,
                       uint64_t now)
{
    struct chain_import_result r;
    memset(&r, 0, sizeof r);
    if (b->header.time > now)
        now = b->header.time;
    int rc = chain_import_block(c, eng, b, now, &r);
    if (rc == 0 && r.status != CHAIN_INSERT_HEAD)
        rc = err_set(ERR_INVAL, "block %llu: not the new head", (unsigned long long)b->header.number);
    chain_import_result_free(&r);
    return rc;
}

static int mine(struct mb_node *t)
{
    struct block b;
    int rc = miner_build_block(t->c, t->pool, t->node_key, t->now, &b, NULL);
    if (rc)
        return err_wrap(rc, "miner");
    rc = import_head(t->c, &t->eng, &b, t->now);
    if (rc == 0)
        rc = txpool_on_new_head(t->pool, t->c->head.number, t->c->head.gas_limit, &t->rd);
    block_free(&b);
    t->now++;
    return rc;
}

/* ---- set-up --------------------------------------------------------------------- */

static void selector(uint8_t out[4], const char *sig)
{
    uint8_t h[32];
    keccak256(sig, strlen(sig), h);
    memcpy(out, h, 4);
}

/* Queues addAddress(boxes[from..to), 1) from the node key. */
static int queue_add(struct mb_node *t, const struct address *boxes, int from, int to)
{
    int k = to - from;
    size_t len = 4 + 32 * 3 + 32 * (size_t)k;
    uint8_t *in = calloc(1, len);
    if (!in)
        return err_set(ERR_NOMEM, "addAddress");
    selector(in, "addAddress(address[],uint256)");
    in[4 + 31] = 0x40;
    in[4 + 63] = 1;
    in[4 + 94] = (uint8_t)(k >> 8);
    in[4 + 95] = (uint8_t)k;
    for (int i = 0; i < k; i++)
        memcpy(in + 4 + 96 + 32 * i + 12, boxes[from + i].b, 20);
    u256 zero = u256_from_u64(0);
    int rc = send_tx(t, t->node_key, &t->p->meshbox_registry, &zero, 8000000, in, len);
    free(in);
    return rc;
}

/* Blocks 1–3 of the template with nb boxes listed and staked; then block 4
 * twice: chief tx only (*b0) and with NTRANSFER transfers (*b1). */
static int build_template(const char *dir, const struct chain_params *p, struct genesis *g,
                          int nb, struct address *boxes, struct block *b0, struct block *b1)
{
    struct mb_node t;
    memset(&t, 0, sizeof t);
    t.p = p;
    t.now = T0;
    t.rd.get_nonce = rd_nonce;
    t.rd.get_balance = rd_balance;
    t.rd.ctx = &t;
    tribe_chain_engine_init(&t.eng);
    int rc = regtest_node_key(t.node_key);
    rc = rc ? rc : db_open(dir, NULL, &t.db);
    rc = rc ? rc : chain_open(t.db, p, g, &t.c);
    struct txpool_config cfg;
    txpool_config_default(&cfg, p);
    rc = rc ? rc : txpool_create(p, &cfg, t.c->head.number, t.c->head.gas_limit, &t.pool);
    uint8_t wallet_key[32];
    struct address wallet;
    rc = rc ? rc : regtest_dev_key(0, wallet_key);
    rc = rc ? rc : regtest_key_address(wallet_key, &wallet);
    u256 stake;
    u256_from_dec(&stake, REGTEST_POC_MIN_DEPOSIT_DEC, strlen(REGTEST_POC_MIN_DEPOSIT_DEC));
    for (int i = 0; rc == 0 && i < nb; i++) {
        uint8_t sk[32], h[32], sig[65], dep[4 + 96] = {0};
        box_key(i, sk);
        rc = regtest_key_address(sk, &boxes[i]);
        keccak256(wallet.b, 20, h);
        rc = rc ? rc : ecdsa_sign(h, sk, sig);
        selector(dep, "deposit(bytes32,bytes32,uint8)");
        memcpy(dep + 4, sig, 64);
        dep[4 + 95] = (uint8_t)(27 + sig[64]);
        rc = rc ? rc : send_tx(&t, wallet_key, &p->poc, &stake, 300000, dep, sizeof dep);
    }
    for (int i = 0; rc == 0 && i < nb; i += ADD_BATCH)
        rc = queue_add(&t, boxes, i, i + ADD_BATCH < nb ? i + ADD_BATCH : nb);
    for (uint64_t n = 1; rc == 0 && n <= 3; n++)
        rc = mine(&t);
    size_t pending = 0, queued = 0;
    if (rc == 0)
        txpool_counts(t.pool, &pending, &queued);
    if (rc == 0 && pending + queued != 0)
        rc = err_set(ERR_INVAL, "set-up does not fit blocks 1-3 (%zu txs left)",
                     pending + queued);
    if (rc == 0)
        rc = miner_build_block(t.c, t.pool, t.node_key, t.now, b0, NULL);
    u256 one = u256_from_u64(1);
    for (int i = 0; rc == 0 && i < NTRANSFER; i++) {
        uint8_t dev[32], h[32];
        struct address to;
        char seed[48];
        int n = snprintf(seed, sizeof seed, "bench-meshbox recipient %d", i);
        keccak256(seed, (size_t)n, h);
        memcpy(to.b, h, 20);
        rc = regtest_dev_key(1 + (unsigned)(i % (REGTEST_NDEV - 1)), dev);
        rc = rc ? rc : send_tx(&t, dev, &to, &one, 21000, NULL, 0);
    }
    if (rc == 0)
        rc = miner_build_block(t.c, t.pool, t.node_key, t.now, b1, NULL);
    txpool_free(t.pool);
    chain_close(t.c);
    db_close(t.db);
    return rc;
}

/* ---- timing ------------------------------------------------------------------------ */

/* The head header and a fresh state at it, from the template. */
struct reader {
    struct db *db;
    struct chain *c;
    struct evm *evm;
};

/* Mean seconds of one volunteer computation over ITER fresh states:
 * weighted (meshbox_load + meshbox_pick) when p has weighting on at
 * parent + 1, else tribe_pick_volunteer (takeMiner). *out_n: |B|. */
static int time_draw(struct reader *r, const struct chain_params *p, const struct header *parent,
                     const uint8_t vrf[32], bool weighted, size_t *out_n, double *secs)
{
    double total = 0;
    int rc = 0;
    for (int i = 0; i < ITER && rc == 0; i++) {
        struct trie_db tdb;
        trie_db_init(&tdb, r->db, NULL, NULL);
        struct trie_store store = trie_db_store(&tdb);
        struct state *st;
        rc = state_open(&store, r->c->head.state_root.b, &st);
        if (rc) {
            trie_db_release(&tdb);
            break;
        }
        struct address v;
        double t0 = bench_now();
        if (weighted) {
            struct meshbox_set set;
            rc = meshbox_load(p, r->evm, st, parent, NULL, 0, &set);
            if (rc == 0 && set.n == 0)
                rc = err_set(ERR_INVAL, "no eligible box");
            if (rc == 0)
                rc = meshbox_pick(&set, vrf, parent->number + 1, &v, NULL, NULL);
            *out_n = set.n;
            meshbox_set_free(&set);
        } else {
            rc = tribe_pick_volunteer(p, r->evm, st, parent, vrf, &v);
        }
        total += bench_now() - t0;
        state_free(st);
        trie_db_release(&tdb);
    }
    *secs = total / ITER;
    return rc;
}

static int time_import(const char *template_dir, const struct chain_params *p, struct genesis *g,
                       const struct block *b, double *secs)
{
    char dir[4096];
    int rc = bench_tmpdir(dir, sizeof dir, "bench_meshbox");
    if (rc)
        return rc;
    struct db *db = NULL;
    struct chain *c = NULL;
    struct chain_engine eng;
    tribe_chain_engine_init(&eng);
    rc = bench_copy_dir(template_dir, dir);
    rc = rc ? rc : db_open(dir, NULL, &db);
    rc = rc ? rc : chain_open(db, p, g, &c);
    if (rc == 0) {
        double t0 = bench_now();
        rc = import_head(c, &eng, b, T0 + 3);
        *secs = bench_now() - t0;
    }
    chain_close(c);
    db_close(db);
    bench_rmdir(dir);
    return rc;
}

static bool names_a_box(const struct block *b, const struct address *boxes, int nb)
{
    if (b->body.tx_count == 0)
        return false;
    const struct tx *t0 = &b->body.txs[0];
    struct address v = tribe_chief_update_volunteer(t0->data, t0->data_len);
    for (int i = 0; i < nb; i++)
        if (address_eq(&v, &boxes[i]))
            return true;
    return false;
}

static void run_case(int nb)
{
    char draw[64], closed[80], tm[64], imp0[80], imp1[80], pct0[192], pct1[192], pctc[192];
    snprintf(draw, sizeof draw, "meshbox/draw-%d", nb);
    snprintf(closed, sizeof closed, "%s closed-epoch", draw);
    snprintf(tm, sizeof tm, "meshbox/takeMiner-%d (weighting off)", nb);
    snprintf(imp0, sizeof imp0, "meshbox/import-%d chief-only", nb);
    snprintf(imp1, sizeof imp1, "meshbox/import-%d %d-transfers", nb, NTRANSFER);
    snprintf(pct0, sizeof pct0, "%s vs %s", draw, imp0);
    snprintf(pct1, sizeof pct1, "%s vs %s", draw, imp1);
    snprintf(pctc, sizeof pctc, "%s vs %s", closed, imp1);
    if (!bench_selected(draw) && !bench_selected(imp0) && !bench_selected(tm))
        return;
    const struct chain_params *p = chain_params_get(CHAIN_REGTEST);
    struct genesis g;
    struct block b0, b1;
    struct address boxes[MAX_BOXES];
    struct reader r = {0};
    char dir[4096] = "", path[4096];
    memset(&g, 0, sizeof g);
    memset(&b0, 0, sizeof b0);
    memset(&b1, 0, sizeof b1);
    snprintf(path, sizeof path, "%s/share/genesis/genesis-regtest.json", bench_srcdir());
    err_clear();
    int rc = genesis_load(path, &g);
    rc = rc ? rc : bench_tmpdir(dir, sizeof dir, "bench_meshbox_template");
    rc = rc ? rc : build_template(dir, p, &g, nb, boxes, &b0, &b1);
    if (rc == 0 && (!names_a_box(&b0, boxes, nb) || !names_a_box(&b1, boxes, nb)))
        rc = err_set(ERR_INVAL, "block 4 does not name a listed box");
    rc = rc ? rc : db_open(dir, NULL, &r.db);
    rc = rc ? rc : chain_open(r.db, p, &g, &r.c);
    rc = rc ? rc : evm_new(&r.evm);
    if (rc) {
        fprintf(stderr, "%s: set-up failed: %s\n", draw, err_msg());
        goto out;
    }
    /* block 4's own VRF output and its parent, block 3 */
    struct header parent = r.c->head, later = r.c->head;
    later.number = 3 * p->meshbox_epoch - 1; /* block 3·epoch: totals of epoch 1 */
    struct chain_params off = *p;
    off.meshbox_weighting_block = CHAIN_NEVER;
    size_t nbox = 0, nbox2 = 0;
    double t_draw = 0, t_closed = 0, t_tm = 0, best0 = 1e9, best1 = 1e9;
    rc = time_draw(&r, p, &parent, b0.header.extra, true, &nbox, &t_draw);
    rc = rc ? rc : time_draw(&r, p, &later, b0.header.extra, true, &nbox2, &t_closed);
    rc = rc ? rc : time_draw(&r, &off, &parent, b0.header.extra, false, &nbox2, &t_tm);
    for (int i = 0; i < ROUNDS && rc == 0; i++) {
        double t = 0;
        rc = time_import(dir, p, &g, &b0, &t);
        if (rc == 0 && t < best0)
            best0 = t;
        rc = rc ? rc : time_import(dir, p, &g, &b1, &t);
        if (rc == 0 && t < best1)
            best1 = t;
    }
    if (rc == 0 && nbox != (size_t)nb)
        rc = err_set(ERR_INVAL, "%zu eligible boxes, %d expected", nbox, nb);
    if (rc) {
        fprintf(stderr, "%s: %s\n", draw, err_msg());
        goto out;
    }
    bench_report(draw, t_draw * 1e6, "us (registry list + normal list + draw)");
    bench_report(closed, t_closed * 1e6, "us (getEpochTotals + normal list + draw)");
    bench_report(tm, t_tm * 1e6, "us (3 reads + takeMiner)");
    bench_report(imp0, best0 * 1e3, "ms");
    bench_report(imp1, best1 * 1e3, "ms");
    bench_report(pct0, 100.0 * t_draw / best0, "%");
    bench_report(pct1, 100.0 * t_draw / best1, "%");
    bench_report(pctc, 100.0 * t_closed / best1, "%");
out:
    evm_free(r.evm);
    chain_close(r.c);
    if (r.db)
        db_close(r.db);
    block_free(&b0);
    block_free(&b1);
    genesis_free(&g);
    if (dir[0])
        bench_rmdir(dir);
}

void bench_meshbox(void)
{
    run_case(16);
    run_case(256);
}
