/*
 * test_chainsvc.c — the chain service (chainsvc/chainsvc.h) on a real
 * regtest chain in a temporary database: generate, transactions in with
 * and without automine (the pool's reasons come back to the caller), the
 * pool views, eth_sendTransaction's nonce choice on the chain thread, head
 * events, a reorg by imported blocks that sends dropped transactions back to
 * the pool, rejected blocks, and a restart that resumes at the same head.
 * A few RPC handlers are driven against the running service to check that
 * readers see the published head and the database (rpc/eth_methods.h).
 *
 * Files: $top_srcdir/share/genesis/genesis-regtest.json.
 */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chain/chaindb.h"
#include "chain/genesis.h"
#include "chain/params.h"
#include "chain/regtest_genesis.h"
#include "chain_harness.h"
#include "chainsvc/chainsvc.h"
#include "consensus/tribe_chain_engine.h"
#include "node/chainsetup.h"
#include "rpc/chainread.h"
#include "rpc/dispatch.h"
#include "rpc/eth_methods.h"
#include "storage/db.h"
#include "util/err.h"

#define GWEI 1000000000ull

/* One service on its own database, with what its events reported. */
struct svc {
    char dir[4096];
    struct db *db;
    struct genesis g;
    struct chainsvc *s;
    pthread_mutex_t mu;
    size_t heads, pending_txs, last_nadded, last_nremoved;
    struct hash32 last_head;
};

static void on_event(void *ctx, const struct chainsvc_event *ev)
{
    struct svc *t = ctx;
    pthread_mutex_lock(&t->mu);
    if (ev->kind == CHAINSVC_EVENT_HEAD) {
        t->heads++;
        t->last_nadded = ev->nadded;
        t->last_nremoved = ev->nremoved;
        t->last_head = ev->added[ev->nadded - 1];
    } else {
        t->pending_txs++;
    }
    pthread_mutex_unlock(&t->mu);
}

/* Parameters for svc_start_with: regtest's, or a copy (live_params). */
static struct chain_params live_params;

static void svc_start_with(struct svc *t, const struct chain_params *p, bool automine,
                           uint64_t blocktime, bool mine);

static void svc_start(struct svc *t, bool automine)
{
    svc_start_with(t, chain_params_get(CHAIN_REGTEST), automine, 0, true);
}

static void svc_start_with(struct svc *t, const struct chain_params *p, bool automine,
                           uint64_t blocktime, bool mine)
{
    memset(&t->g, 0, sizeof t->g);
    char path[4096];
    const char *top = getenv("top_srcdir");
    snprintf(path, sizeof path, "%s/share/genesis/genesis-regtest.json", top ? top : ".");
    ck_assert_msg(genesis_load(path, &t->g) == 0, "%s: %s", path, err_msg());
    struct chainsvc_config cfg;
    chainsvc_config_default(&cfg, t->db, p);
    ck_assert(cfg.automine == (p->network == CHAIN_REGTEST)); /* regtest's default */
    ck_assert(cfg.mine);
    cfg.automine = automine;
    cfg.blocktime = blocktime;
    cfg.mine = mine;
    cfg.genesis = &t->g;
    tribe_chain_engine_init(&cfg.engine);
    ck_assert_int_eq(regtest_node_key(cfg.node_key), 0);
    cfg.on_event = on_event;
    cfg.event_ctx = t;
    ck_assert_msg(chainsvc_start(&cfg, &t->s) == 0, "%s", err_msg());
    genesis_free(&t->g);
}

static void svc_db(struct svc *t, const char *name)
{
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    ch_tmpdir(t->dir, sizeof t->dir, name);
    ck_assert_msg(db_open(t->dir, NULL, &t->db) == 0, "%s", err_msg());
}

static void svc_open(struct svc *t, const char *name, bool automine)
{
    svc_db(t, name);
    svc_start(t, automine);
}

/* Waits (at most `seconds`) until the head reaches n. */
static bool wait_height(struct svc *t, uint64_t n, unsigned seconds)
{
    for (unsigned i = 0; i < seconds * 50; i++) {
        if (chainsvc_head_number(t->s, NULL) >= n)
            return true;
        struct timespec step = {0, 20 * 1000000L};
        nanosleep(&step, NULL);
    }
    return chainsvc_head_number(t->s, NULL) >= n;
}

static void svc_close(struct svc *t)
{
    chainsvc_stop(t->s);
    db_close(t->db);
    ch_rmdir(t->dir);
    pthread_mutex_destroy(&t->mu);
}

/* A transfer from dev account `from` to dev account `to`, EIP-155 signed. */
static struct tx transfer(unsigned from, unsigned to, uint64_t nonce, uint64_t value)
{
    uint8_t sk[32], skto[32];
    struct address a;
    ck_assert_int_eq(regtest_dev_key(from, sk), 0);
    ck_assert_int_eq(regtest_dev_key(to, skto), 0);
    ck_assert_int_eq(regtest_key_address(skto, &a), 0);
    struct tx tx;
    memset(&tx, 0, sizeof tx);
    tx.nonce = nonce;
    tx.gas_price = u256_from_u64(18 * GWEI);
    tx.gas = 21000;
    tx.has_to = true;
    tx.to = a;
    tx.value = u256_from_u64(value);
    ck_assert_int_eq(tx_sign(&tx, sk, chain_params_get(CHAIN_REGTEST)->chain_id), 0);
    return tx;
}

static int submit(struct svc *t, const struct tx *tx, struct hash32 *hash,
                  enum txpool_reason *reason)
{
    struct bytes raw = BYTES_INIT;
    ck_assert_int_eq(tx_encode(tx, &raw), 0);
    int rc = chainsvc_submit_tx(t->s, raw.data, raw.len, true, hash, reason);
    bytes_free(&raw);
    return rc;
}

static struct address dev_address(unsigned i)
{
    uint8_t sk[32];
    struct address a;
    ck_assert_int_eq(regtest_dev_key(i, sk), 0);
    ck_assert_int_eq(regtest_key_address(sk, &a), 0);
    return a;
}

static bool mined(struct svc *t, const struct hash32 *tx)
{
    struct chaindb_tx_location loc;
    return chaindb_read_tx_lookup(t->db, NULL, tx, &loc) == 0;
}

/* ---- generate and head --------------------------------------------------------- */

START_TEST(generate_moves_the_published_head)
{
    struct svc t;
    svc_open(&t, "chainsvc_gen", true);
    struct hash32 h0;
    ck_assert_uint_eq(chainsvc_head_number(t.s, &h0), 0);
    struct hash32 hashes[3];
    size_t made = 9;
    ck_assert_msg(chainsvc_generate(t.s, 3, hashes, &made) == 0, "%s", err_msg());
    ck_assert_uint_eq(made, 3);
    struct hash32 head;
    ck_assert_uint_eq(chainsvc_head_number(t.s, &head), 3);
    ck_assert(hash32_eq(&head, &hashes[2]));
    for (uint64_t n = 1; n <= 3; n++) {
        struct hash32 c;
        ck_assert_int_eq(chaindb_read_canonical(t.db, NULL, n, &c), 0);
        ck_assert(hash32_eq(&c, &hashes[n - 1]));
    }
    struct chainsvc_head hd;
    ck_assert_int_eq(chainsvc_head(t.s, &hd), 0);
    ck_assert_uint_eq(hd.header.number, 3);
    ck_assert(hash32_eq(&hd.hash, &hashes[2]));
    ck_assert(hash32_eq(&hd.header.parent_hash, &hashes[1]));
    ck_assert(u256_gt(&hd.td, &hd.header.difficulty));
    header_free(&hd.header);
    /* One head event per block, naming it. */
    ck_assert_uint_eq(t.heads, 3);
    ck_assert(hash32_eq(&t.last_head, &hashes[2]));
    /* Beyond the limit nothing is made. */
    ck_assert_int_eq(chainsvc_generate(t.s, CHAINSVC_GENERATE_MAX + 1, hashes, &made), ERR_RANGE);
    ck_assert_uint_eq(made, 0);
    ck_assert_uint_eq(chainsvc_head_number(t.s, NULL), 3);
    struct address node, want;
    uint8_t sk[32];
    chainsvc_node_address(t.s, &node);
    ck_assert_int_eq(regtest_node_key(sk), 0);
    ck_assert_int_eq(regtest_key_address(sk, &want), 0);
    ck_assert(address_eq(&node, &want));
    ck_assert(chainsvc_is_mining(t.s)); /* automine */
    svc_close(&t);
}
END_TEST

/* ---- transactions ----------------------------------------------------------------- */

START_TEST(automine_imports_before_the_answer)
{
    struct svc t;
    svc_open(&t, "chainsvc_auto", true);
    struct hash32 hs[4];
    ck_assert_int_eq(chainsvc_generate(t.s, 4, hs, NULL), 0);
    struct tx tx = transfer(0, 1, 0, 1000);
    struct hash32 h;
    enum txpool_reason why;
    ck_assert_msg(submit(&t, &tx, &h, &why) == 0, "%s", err_msg());
    ck_assert_int_eq(why, TXPOOL_OK);
    /* Already in a block when the call returns. */
    ck_assert_uint_eq(chainsvc_head_number(t.s, NULL), 5);
    ck_assert(mined(&t, &h));
    ck_assert_uint_eq(t.pending_txs, 1);
    size_t pending = 9, queued = 9;
    ck_assert_int_eq(chainsvc_pool_status(t.s, &pending, &queued), 0);
    ck_assert_uint_eq(pending + queued, 0);

    /* The same transaction again: its nonce is spent now. */
    ck_assert_int_eq(submit(&t, &tx, &h, &why), ERR_INVAL);
    ck_assert_int_eq(why, TXPOOL_NONCE_TOO_LOW);
    ck_assert_str_eq(err_msg(), "nonce too low");
    ck_assert_uint_eq(chainsvc_head_number(t.s, NULL), 5);
    tx_free(&tx);

    /* More than the balance. */
    tx = transfer(2, 1, 0, 1);
    u256 big;
    u256_from_dec(&big, REGTEST_DEV_BALANCE_DEC, strlen(REGTEST_DEV_BALANCE_DEC));
    tx.value = big;
    uint8_t sk[32];
    ck_assert_int_eq(regtest_dev_key(2, sk), 0);
    ck_assert_int_eq(tx_sign(&tx, sk, chain_params_get(CHAIN_REGTEST)->chain_id), 0);
    ck_assert_int_eq(submit(&t, &tx, &h, &why), ERR_INVAL);
    ck_assert_int_eq(why, TXPOOL_INSUFFICIENT_FUNDS);
    ck_assert_str_eq(err_msg(), "insufficient funds for gas * price + value");
    tx_free(&tx);

    /* Not a transaction at all. */
    uint8_t junk[3] = {0xc1, 0x80, 0x00};
    ck_assert_int_ne(chainsvc_submit_tx(t.s, junk, sizeof junk, true, &h, &why), 0);
    ck_assert_uint_eq(chainsvc_head_number(t.s, NULL), 5);
    svc_close(&t);
}
END_TEST

/* -automine with many callers: submits that wait together become one
 * block, and each caller is still answered only once its tx is mined. The
 * chain thread is kept busy by a long `generate` while 8 callers submit,
 * so that all 8 are queued when it looks at the queue again. */
struct batch_caller {
    struct svc *t;
    unsigned from;
    int rc;
    bool mined_at_answer;
    struct hash32 hash;
};

static void *batch_submit(void *arg)
{
    struct batch_caller *c = arg;
    struct tx tx = transfer(c->from, 9, 0, 1000 + c->from);
    enum txpool_reason why;
    c->rc = submit(c->t, &tx, &c->hash, &why);
    c->mined_at_answer = c->rc == 0 && mined(c->t, &c->hash);
    tx_free(&tx);
    return NULL;
}

struct generate_job {
    struct svc *t;
    int rc;
};

static void *long_generate(void *arg)
{
    struct generate_job *g = arg;
    struct hash32 hs[CHAINSVC_GENERATE_MAX];
    g->rc = chainsvc_generate(g->t->s, 200, hs, NULL);
    return NULL;
}

START_TEST(automine_batches_waiting_submits)
{
    struct svc t;
    svc_open(&t, "chainsvc_batch", true);
    struct generate_job g = {&t, -1};
    pthread_t gen;
    ck_assert_int_eq(pthread_create(&gen, NULL, long_generate, &g), 0);
    while (chainsvc_head_number(t.s, NULL) < 2)
        usleep(1000);
    struct batch_caller callers[8];
    pthread_t th[8];
    for (unsigned i = 0; i < 8; i++) {
        callers[i] = (struct batch_caller){.t = &t, .from = i, .rc = -1};
        ck_assert_int_eq(pthread_create(&th[i], NULL, batch_submit, &callers[i]), 0);
    }
    for (unsigned i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    pthread_join(gen, NULL);
    ck_assert_msg(g.rc == 0, "generate: %d", g.rc);
    for (unsigned i = 0; i < 8; i++) {
        ck_assert_msg(callers[i].rc == 0, "caller %u: %d", i, callers[i].rc);
        ck_assert_msg(callers[i].mined_at_answer, "caller %u answered before its block", i);
    }
    uint64_t blocks = chainsvc_head_number(t.s, NULL) - 200;
    ck_assert_msg(blocks >= 1 && blocks < 8, "%llu automine blocks for 8 waiting submits",
                  (unsigned long long)blocks);
    size_t pending = 9, queued = 9;
    ck_assert_int_eq(chainsvc_pool_status(t.s, &pending, &queued), 0);
    ck_assert_uint_eq(pending + queued, 0);
    svc_close(&t);
}
END_TEST

/* chainsvc_submit_tx_async: the same answers, delivered once on the chain
 * thread after the block; queued ones share a block; stopping answers what
 * is still queued. */
struct async_answer {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct svc *t;
    unsigned calls;
    int rc;
    struct hash32 hash;
    char msg[256];
    bool mined_at_answer;
    bool on_caller_thread;
    pthread_t caller;
};

static void async_answer_init(struct async_answer *a, struct svc *t)
{
    memset(a, 0, sizeof *a);
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    a->t = t;
    a->rc = -1;
    a->caller = pthread_self();
}

static void on_async(void *arg, int rc, const struct hash32 *hash, const char *msg)
{
    struct async_answer *a = arg;
    bool m = rc == 0 && mined(a->t, hash);
    pthread_mutex_lock(&a->mu);
    a->calls++;
    a->rc = rc;
    a->hash = *hash;
    snprintf(a->msg, sizeof a->msg, "%s", msg);
    a->mined_at_answer = m;
    a->on_caller_thread = pthread_equal(pthread_self(), a->caller);
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

static void async_wait(struct async_answer *a)
{
    pthread_mutex_lock(&a->mu);
    while (a->calls == 0)
        pthread_cond_wait(&a->cv, &a->mu);
    pthread_mutex_unlock(&a->mu);
}

static int submit_async(struct svc *t, const struct tx *tx, struct async_answer *a)
{
    struct bytes raw = BYTES_INIT;
    ck_assert_int_eq(tx_encode(tx, &raw), 0);
    int rc = chainsvc_submit_tx_async(t->s, raw.data, raw.len, true, on_async, a);
    bytes_free(&raw); /* the service keeps its own copy */
    return rc;
}

START_TEST(async_submits_are_answered_after_their_block)
{
    struct svc t;
    svc_open(&t, "chainsvc_async", true);
    struct hash32 hs[4];
    ck_assert_int_eq(chainsvc_generate(t.s, 4, hs, NULL), 0);
    struct tx tx = transfer(0, 1, 0, 1000);
    struct async_answer a;
    async_answer_init(&a, &t);
    ck_assert_int_eq(submit_async(&t, &tx, &a), 0);
    async_wait(&a);
    ck_assert_msg(a.rc == 0, "%s", a.msg);
    ck_assert_str_eq(a.msg, "");
    ck_assert(a.mined_at_answer);
    ck_assert(!a.on_caller_thread);
    ck_assert_uint_eq(chainsvc_head_number(t.s, NULL), 5);

    /* refused: the pool's reason, and no block */
    struct async_answer b;
    async_answer_init(&b, &t);
    ck_assert_int_eq(submit_async(&t, &tx, &b), 0);
    async_wait(&b);
    ck_assert_int_eq(b.rc, ERR_INVAL);
    ck_assert_str_eq(b.msg, "nonce too low");
    ck_assert_uint_eq(chainsvc_head_number(t.s, NULL), 5);
    tx_free(&tx);

    /* above the pool's size limit: refused by its length (the bytes are not
     * kept while it queues) */
    size_t big_len = TXPOOL_DEFAULT_MAX_TX_SIZE + 1;
    uint8_t *big = calloc(1, big_len);
    ck_assert(big != NULL);
    async_answer_init(&b, &t);
    ck_assert_int_eq(chainsvc_submit_tx_async(t.s, big, big_len, true, on_async, &b), 0);
    free(big);
    async_wait(&b);
    ck_assert_int_eq(b.rc, ERR_INVAL);
    ck_assert_str_eq(b.msg, "oversized data");

    /* queued behind a long generate: one block or a few for all 8, each
     * answered once, after its block */
    struct generate_job g = {&t, -1};
    pthread_t gen;
    ck_assert_int_eq(pthread_create(&gen, NULL, long_generate, &g), 0);
    while (chainsvc_head_number(t.s, NULL) < 7)
        usleep(1000);
    struct async_answer many[8];
    for (unsigned i = 0; i < 8; i++) {
        async_answer_init(&many[i], &t);
        struct tx x = transfer(i + 1, 9, 0, 2000 + i);
        ck_assert_int_eq(submit_async(&t, &x, &many[i]), 0);
        tx_free(&x);
    }
    pthread_join(gen, NULL);
    ck_assert_int_eq(g.rc, 0);
    for (unsigned i = 0; i < 8; i++) {
        async_wait(&many[i]);
        ck_assert_msg(many[i].rc == 0, "submit %u: %s", i, many[i].msg);
        ck_assert(many[i].mined_at_answer);
        ck_assert_uint_eq(many[i].calls, 1);
    }
    uint64_t blocks = chainsvc_head_number(t.s, NULL) - 205;
    ck_assert_msg(blocks >= 1 && blocks < 8, "%llu automine blocks for 8 queued submits",
                  (unsigned long long)blocks);

    /* stopping: a submit still queued gets "stopping", once */
    uint64_t h0 = chainsvc_head_number(t.s, NULL);
    ck_assert_int_eq(pthread_create(&gen, NULL, long_generate, &g), 0);
    while (chainsvc_head_number(t.s, NULL) < h0 + 2)
        usleep(1000);
    struct async_answer last;
    async_answer_init(&last, &t);
    tx = transfer(9, 1, 1, 1);
    ck_assert_int_eq(submit_async(&t, &tx, &last), 0);
    tx_free(&tx);
    chainsvc_stop(t.s);
    pthread_join(gen, NULL);
    ck_assert_uint_eq(last.calls, 1);
    ck_assert_int_eq(last.rc, ERR_BADSTATE);
    ck_assert_str_eq(last.msg, "the chain service is stopping");
    db_close(t.db);
    ch_rmdir(t.dir);
    pthread_mutex_destroy(&t.mu);
}
END_TEST

/* Every automine block's VRF proof is taken from the prover thread's job
 * started while the block before was stored, also when the block was not
 * prepared ahead (generate, or a submit already queued): only the first
 * block has no job. */
START_TEST(automine_blocks_take_the_provers_vrf)
{
    struct svc t;
    svc_open(&t, "chainsvc_vrf", true);
    struct hash32 hs[20];
    ck_assert_int_eq(chainsvc_generate(t.s, 20, hs, NULL), 0);
    uint64_t ahead, inl;
    chainsvc_vrf_counts(t.s, &ahead, &inl);
    /* Every block's proof went through the prover's take; only the first
     * has none started (and on a busy machine the prover may not have begun
     * some others: then the chain thread made them, also counted inline). */
    ck_assert_msg(ahead + inl == 20 && inl >= 1,
                  "20 generated blocks: %llu proofs ahead, %llu inline", (unsigned long long)ahead,
                  (unsigned long long)inl);
    /* two submits at once: the second waits while the first's block is
     * made, and its block is built without the preparation */
    for (unsigned round = 0; round < 4; round++) {
        struct async_answer a[2];
        for (unsigned i = 0; i < 2; i++) {
            async_answer_init(&a[i], &t);
            struct tx x = transfer(i, 9, round, 1);
            ck_assert_int_eq(submit_async(&t, &x, &a[i]), 0);
            tx_free(&x);
        }
        for (unsigned i = 0; i < 2; i++) {
            async_wait(&a[i]);
            ck_assert_msg(a[i].rc == 0, "%s", a[i].msg);
        }
    }
    uint64_t blocks = chainsvc_head_number(t.s, NULL);
    chainsvc_vrf_counts(t.s, &ahead, &inl);
    /* + 1: the next block's preparation may have taken its proof already */
    ck_assert_msg(ahead + inl >= blocks && ahead + inl <= blocks + 1 && inl >= 1,
                  "%llu blocks: %llu proofs ahead, %llu inline", (unsigned long long)blocks,
                  (unsigned long long)ahead, (unsigned long long)inl);
    svc_close(&t);
}
END_TEST

/* Whether a thread of this process is named `name` (/proc/self/task/N/comm). */
static bool thread_named_now(const char *name)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        char path[64], comm[32] = "";
        snprintf(path, sizeof path, "/proc/self/task/%.20s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (fgets(comm, sizeof comm, f))
            comm[strcspn(comm, "\n")] = 0;
        fclose(f);
        found = strcmp(comm, name) == 0;
    }
    closedir(d);
    return found;
}

/* As thread_named_now, waiting up to 5 s: a thread names itself when it
 * first runs, and on a loaded machine a new idle-priority thread (the VRF
 * prover) may not have run yet when the test looks. */
static bool thread_named(const char *name)
{
    for (int i = 0; i < 500; i++) {
        if (thread_named_now(name))
            return true;
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    return false;
}

/* top -H and perf tell the chain thread and the VRF prover by name. */
START_TEST(service_threads_are_named)
{
    struct svc t;
    svc_open(&t, "chainsvc_names", true);
    struct hash32 h;
    ck_assert_int_eq(chainsvc_generate(t.s, 1, &h, NULL), 0);
    ck_assert_msg(thread_named("chain"), "no thread named \"chain\"");
    ck_assert_msg(thread_named("vrf-prover"), "no thread named \"vrf-prover\"");
    svc_close(&t);
}
END_TEST

START_TEST(pool_views_without_automine)
{
    struct svc t;
    svc_open(&t, "chainsvc_pool", false);
    ck_assert(!chainsvc_is_mining(t.s));
    struct hash32 hs[4];
    ck_assert_int_eq(chainsvc_generate(t.s, 4, hs, NULL), 0);
    struct tx t0 = transfer(3, 4, 0, 5), t1 = transfer(3, 4, 1, 6), t3 = transfer(3, 4, 3, 7);
    struct hash32 h0, h1, h3;
    ck_assert_int_eq(submit(&t, &t0, &h0, NULL), 0);
    ck_assert_int_eq(submit(&t, &t1, &h1, NULL), 0);
    ck_assert_int_eq(submit(&t, &t3, &h3, NULL), 0); /* nonce gap: queued */
    ck_assert_uint_eq(chainsvc_head_number(t.s, NULL), 4);
    size_t pending, queued;
    ck_assert_int_eq(chainsvc_pool_status(t.s, &pending, &queued), 0);
    ck_assert_uint_eq(pending, 2);
    ck_assert_uint_eq(queued, 1);

    struct address sender = dev_address(3);
    uint64_t nonce = 0;
    ck_assert_int_eq(chainsvc_pool_nonce(t.s, &sender, &nonce), 0);
    ck_assert_uint_eq(nonce, 2);

    struct chainsvc_pool_tx one;
    ck_assert_int_eq(chainsvc_pool_get(t.s, &h1, &one), 0);
    ck_assert(hash32_eq(&one.hash, &h1));
    ck_assert(address_eq(&one.sender, &sender));
    ck_assert_uint_eq(one.tx.nonce, 1);
    ck_assert(one.pending);
    chainsvc_pool_tx_free(&one);
    struct hash32 nope;
    memset(&nope, 0x42, sizeof nope);
    ck_assert_int_eq(chainsvc_pool_get(t.s, &nope, &one), ERR_NOTFOUND);

    struct chainsvc_pool_tx *all;
    size_t n;
    ck_assert_int_eq(chainsvc_pool_content(t.s, &all, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(all[0].tx.nonce, 0);
    ck_assert_uint_eq(all[1].tx.nonce, 1);
    ck_assert_uint_eq(all[2].tx.nonce, 3);
    ck_assert(all[0].pending && all[1].pending && !all[2].pending);
    chainsvc_pool_txs_free(all, n);

    /* generate takes the pending ones; the queued one stays. */
    ck_assert_int_eq(chainsvc_generate(t.s, 1, hs, NULL), 0);
    ck_assert(mined(&t, &h0) && mined(&t, &h1) && !mined(&t, &h3));
    ck_assert_int_eq(chainsvc_pool_status(t.s, &pending, &queued), 0);
    ck_assert_uint_eq(pending, 0);
    ck_assert_uint_eq(queued, 1);
    tx_free(&t0);
    tx_free(&t1);
    tx_free(&t3);
    svc_close(&t);
}
END_TEST

static int sign_dev5(void *ctx, struct tx *tx, uint64_t chain_id)
{
    int *calls = ctx;
    (*calls)++;
    uint8_t sk[32];
    ck_assert_int_eq(regtest_dev_key(5, sk), 0);
    return tx_sign(tx, sk, chain_id);
}

static int sign_refuse(void *ctx, struct tx *tx, uint64_t chain_id)
{
    return err_set(ERR_BADSTATE, "authentication needed: password or unlock");
}

START_TEST(send_tx_takes_the_pool_nonce)
{
    struct svc t;
    svc_open(&t, "chainsvc_send", false);
    struct tx tmpl = transfer(5, 6, 77, 1); /* nonce and signature are replaced */
    struct address from = dev_address(5);
    int calls = 0;
    struct hash32 a, b;
    ck_assert_msg(chainsvc_send_tx(t.s, &tmpl, &from, false, sign_dev5, &calls, &a) == 0, "%s",
                  err_msg());
    ck_assert_msg(chainsvc_send_tx(t.s, &tmpl, &from, false, sign_dev5, &calls, &b) == 0, "%s",
                  err_msg());
    ck_assert_int_eq(calls, 2);
    struct chainsvc_pool_tx pa, pb;
    ck_assert_int_eq(chainsvc_pool_get(t.s, &a, &pa), 0);
    ck_assert_int_eq(chainsvc_pool_get(t.s, &b, &pb), 0);
    ck_assert_uint_eq(pa.tx.nonce, 0);
    ck_assert_uint_eq(pb.tx.nonce, 1);
    ck_assert(address_eq(&pa.sender, &from));
    chainsvc_pool_tx_free(&pa);
    chainsvc_pool_tx_free(&pb);
    /* A given nonce is kept. */
    struct hash32 c;
    ck_assert_int_eq(chainsvc_send_tx(t.s, &tmpl, &from, true, sign_dev5, &calls, &c), 0);
    ck_assert_int_eq(chainsvc_pool_get(t.s, &c, &pa), 0);
    ck_assert_uint_eq(pa.tx.nonce, 77);
    ck_assert(!pa.pending);
    chainsvc_pool_tx_free(&pa);
    /* The signer's refusal comes back with its reason. */
    ck_assert_int_eq(chainsvc_send_tx(t.s, &tmpl, &from, false, sign_refuse, NULL, &c),
                     ERR_BADSTATE);
    ck_assert_str_eq(err_msg(), "authentication needed: password or unlock");
    tx_free(&tmpl);
    svc_close(&t);
}
END_TEST

/* ---- blocks in ----------------------------------------------------------------------- */

/* Imports canonical block n of `from` into `to`. */
static int import_from(struct svc *to, struct svc *from, uint64_t n, struct chainsvc_import *imp)
{
    struct block b;
    ck_assert_int_eq(chain_read_canonical_block(from->db, NULL, n, &b), 0);
    int rc = chainsvc_import_block(to->s, &b, imp);
    block_free(&b);
    return rc;
}

START_TEST(reorg_returns_dropped_txs_to_the_pool)
{
    struct svc a, b;
    svc_open(&a, "chainsvc_ra", false);
    svc_open(&b, "chainsvc_rb", false);
    struct hash32 hs[8];
    /* Shared prefix: blocks 1..4 of A, imported into B. */
    ck_assert_int_eq(chainsvc_generate(a.s, 4, hs, NULL), 0);
    struct chainsvc_import imp;
    for (uint64_t n = 1; n <= 4; n++) {
        ck_assert_msg(import_from(&b, &a, n, &imp) == 0, "%s", err_msg());
        ck_assert_int_eq(imp.status, CHAIN_INSERT_HEAD);
    }
    /* Known again. */
    ck_assert_int_eq(import_from(&b, &a, 4, &imp), 0);
    ck_assert_int_eq(imp.status, CHAIN_INSERT_KNOWN);

    /* A mines T in block 5 and one more; B mines 3 empty blocks. */
    struct tx tx = transfer(7, 8, 0, 123);
    struct hash32 th;
    ck_assert_int_eq(submit(&a, &tx, &th, NULL), 0);
    ck_assert_int_eq(chainsvc_generate(a.s, 2, hs, NULL), 0);
    ck_assert(mined(&a, &th));
    ck_assert_int_eq(chainsvc_generate(b.s, 3, hs, NULL), 0);

    /* B's 5 and 6 are side blocks for A (no heavier), 7 takes over. */
    ck_assert_int_eq(import_from(&a, &b, 5, &imp), 0);
    ck_assert_int_eq(imp.status, CHAIN_INSERT_SIDE);
    ck_assert_int_eq(import_from(&a, &b, 6, &imp), 0);
    ck_assert_int_eq(imp.status, CHAIN_INSERT_SIDE);
    size_t heads = a.heads;
    ck_assert_msg(import_from(&a, &b, 7, &imp) == 0, "%s", err_msg());
    ck_assert_int_eq(imp.status, CHAIN_INSERT_REORG);
    ck_assert_uint_eq(imp.number, 7);
    struct hash32 ha, hb;
    ck_assert_uint_eq(chainsvc_head_number(a.s, &ha), 7);
    ck_assert_uint_eq(chainsvc_head_number(b.s, &hb), 7);
    ck_assert(hash32_eq(&ha, &hb));
    ck_assert_uint_eq(a.heads, heads + 1);
    ck_assert_uint_eq(a.last_nadded, 3);
    ck_assert_uint_eq(a.last_nremoved, 2);
    /* T left the chain and is pending in A's pool again. */
    ck_assert(!mined(&a, &th));
    struct chainsvc_pool_tx p;
    ck_assert_int_eq(chainsvc_pool_get(a.s, &th, &p), 0);
    ck_assert(p.pending);
    chainsvc_pool_tx_free(&p);
    /* And the next block of A carries it. */
    ck_assert_int_eq(chainsvc_generate(a.s, 1, hs, NULL), 0);
    ck_assert(mined(&a, &th));
    tx_free(&tx);
    svc_close(&a);
    svc_close(&b);
}
END_TEST

START_TEST(bad_blocks_are_refused)
{
    struct svc t;
    svc_open(&t, "chainsvc_bad", false);
    struct hash32 hs[4];
    ck_assert_int_eq(chainsvc_generate(t.s, 4, hs, NULL), 0);
    struct chainsvc_import imp;

    struct bytes raw = BYTES_INIT;
    ck_assert_msg(chainsvc_build_block(t.s, "difficulty", &raw) == 0, "%s", err_msg());
    ck_assert_int_eq(chainsvc_import_raw(t.s, raw.data, raw.len, &imp), ERR_INVAL);
    ck_assert_msg(strstr(err_msg(), "difficulty"), "%s", err_msg());
    ck_assert_uint_eq(chainsvc_head_number(t.s, NULL), 4);
    bytes_free(&raw);

    ck_assert_int_eq(chainsvc_build_block(t.s, "chiefNotFirst", &raw), ERR_INVAL);
    ck_assert_str_eq(err_msg(), "need a pool transaction");
    ck_assert_int_eq(chainsvc_build_block(t.s, "bogus", &raw), ERR_INVAL);
    bytes_free(&raw);

    /* An unknown parent. */
    ck_assert_int_eq(chainsvc_build_block(t.s, "none", &raw), 0);
    struct block b;
    ck_assert_int_eq(block_decode(raw.data, raw.len, &b), 0);
    b.header.parent_hash.b[0] ^= 1;
    ck_assert_int_eq(chainsvc_import_block(t.s, &b, &imp), ERR_NOTFOUND);
    ck_assert_str_eq(err_msg(), "unknown parent");
    block_free(&b);

    /* Garbage. */
    ck_assert_int_eq(chainsvc_import_raw(t.s, raw.data, raw.len - 1, &imp), ERR_DECODE);
    ck_assert_msg(strstr(err_msg(), "block decode failed"), "%s", err_msg());

    /* The untampered block is fine. */
    ck_assert_msg(chainsvc_import_raw(t.s, raw.data, raw.len, &imp) == 0, "%s", err_msg());
    ck_assert_int_eq(imp.status, CHAIN_INSERT_HEAD);
    ck_assert_uint_eq(imp.number, 5);
    bytes_free(&raw);
    svc_close(&t);
}
END_TEST

START_TEST(restart_resumes_at_the_head)
{
    struct svc t;
    svc_open(&t, "chainsvc_restart", true);
    struct hash32 hs[6];
    ck_assert_int_eq(chainsvc_generate(t.s, 6, hs, NULL), 0);
    struct tx tx = transfer(9, 0, 0, 1);
    struct hash32 th;
    ck_assert_int_eq(submit(&t, &tx, &th, NULL), 0);
    struct hash32 before;
    ck_assert_uint_eq(chainsvc_head_number(t.s, &before), 7);
    chainsvc_stop(t.s);
    t.s = NULL;

    svc_start(&t, true);
    struct hash32 after;
    ck_assert_uint_eq(chainsvc_head_number(t.s, &after), 7);
    ck_assert(hash32_eq(&before, &after));
    ck_assert(mined(&t, &th));
    /* The chain goes on from there, and the spent nonce stays spent. */
    ck_assert_int_eq(submit(&t, &tx, &th, NULL), ERR_INVAL);
    ck_assert_str_eq(err_msg(), "nonce too low");
    ck_assert_int_eq(chainsvc_generate(t.s, 1, hs, NULL), 0);
    struct block b;
    ck_assert_int_eq(chain_read_canonical_block(t.db, NULL, 8, &b), 0);
    ck_assert(hash32_eq(&b.header.parent_hash, &after));
    block_free(&b);
    tx_free(&tx);
    svc_close(&t);
}
END_TEST

/* ---- RPC readers over the running service ----------------------------------------------- */

static json_t *call(struct rpc_env *env, rpc_handler_fn fn, const char *params_json,
                    struct rpc_ctx *ctx)
{
    static atomic_bool never;
    memset(ctx, 0, sizeof *ctx);
    ctx->env = env;
    ctx->cancelled = &never;
    json_t *params = json_loads(params_json, 0, NULL);
    ck_assert_ptr_nonnull(params);
    json_t *r = fn(params, ctx);
    json_decref(params);
    return r;
}

START_TEST(rpc_reads_blocks_and_state)
{
    struct svc t;
    svc_open(&t, "chainsvc_rpc", true);
    struct hash32 hs[4];
    ck_assert_int_eq(chainsvc_generate(t.s, 4, hs, NULL), 0);
    struct tx tx = transfer(1, 2, 0, 1000);
    struct hash32 th;
    ck_assert_int_eq(submit(&t, &tx, &th, NULL), 0);
    tx_free(&tx);
    struct rpc_env env;
    memset(&env, 0, sizeof env);
    env.chain = t.s;
    struct rpc_ctx ctx;
    char thex[HASH32_HEX_SIZE];
    hash32_to_hex(&th, thex);

    json_t *r = call(&env, rpc_eth_block_number, "[]", &ctx);
    ck_assert_str_eq(json_string_value(r), "0x5");
    json_decref(r);

    /* Block 5 holds the chief update and T; only T is listed. */
    r = call(&env, rpc_eth_get_block_by_number, "[\"latest\", false]", &ctx);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(json_string_value(json_object_get(r, "number")), "0x5");
    json_t *txs = json_object_get(r, "transactions");
    ck_assert_uint_eq(json_array_size(txs), 1);
    ck_assert_str_eq(json_string_value(json_array_get(txs, 0)), thex);
    json_decref(r);
    r = call(&env, rpc_eth_get_block_by_number, "[\"0x6\", false]", &ctx);
    ck_assert(json_is_null(r) && ctx.err.code == 0);
    json_decref(r);

    char params[256];
    snprintf(params, sizeof params, "[\"%s\"]", thex);
    r = call(&env, rpc_eth_get_transaction_receipt, params, &ctx);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(json_string_value(json_object_get(r, "status")), "0x1");
    ck_assert_str_eq(json_string_value(json_object_get(r, "transactionIndex")), "0x1");
    ck_assert_str_eq(json_string_value(json_object_get(r, "gasUsed")), "0x5208");
    json_decref(r);

    /* Dev 2 received 1000 wei on top of its genesis balance; dev 1's
     * "pending" nonce is 1. */
    char a2[ADDRESS_HEX_SIZE], a1[ADDRESS_HEX_SIZE];
    struct address d2 = dev_address(2), d1 = dev_address(1);
    address_to_hex(&d2, a2);
    address_to_hex(&d1, a1);
    snprintf(params, sizeof params, "[\"%s\", \"latest\"]", a2);
    r = call(&env, rpc_eth_get_balance, params, &ctx);
    u256 want, add = u256_from_u64(1000);
    u256_from_dec(&want, REGTEST_DEV_BALANCE_DEC, strlen(REGTEST_DEV_BALANCE_DEC));
    u256_add(&want, &want, &add);
    char wanthex[U256_HEX_BUF];
    u256_to_hex_quantity(&want, wanthex);
    ck_assert_str_eq(json_string_value(r), wanthex);
    json_decref(r);
    snprintf(params, sizeof params, "[\"%s\", \"earliest\"]", a2);
    r = call(&env, rpc_eth_get_balance, params, &ctx);
    u256_from_dec(&want, REGTEST_DEV_BALANCE_DEC, strlen(REGTEST_DEV_BALANCE_DEC));
    u256_to_hex_quantity(&want, wanthex);
    ck_assert_str_eq(json_string_value(r), wanthex);
    json_decref(r);
    snprintf(params, sizeof params, "[\"%s\", \"pending\"]", a1);
    r = call(&env, rpc_eth_get_transaction_count, params, &ctx);
    ck_assert_str_eq(json_string_value(r), "0x1");
    json_decref(r);
    snprintf(params, sizeof params, "[\"%s\", \"0x9\"]", a1);
    r = call(&env, rpc_eth_get_transaction_count, params, &ctx);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(ctx.err.code, RPC_SERVER_ERROR);
    ck_assert_str_eq(ctx.err.message, "header not found");
    rpc_error_clear(&ctx.err);

    /* Without a chain the methods say so. */
    env.chain = NULL;
    r = call(&env, rpc_eth_block_number, "[]", &ctx);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(ctx.err.message, "the chain is not available");
    rpc_error_clear(&ctx.err);
    svc_close(&t);
}
END_TEST

/* "latest" read through a snapshot is the head recorded in that snapshot,
 * not the head published since: a block imported after the snapshot was
 * taken is not in it, and resolving to it answered "header not found" to
 * eth_sendTransaction under load (feature_kill9). */
START_TEST(latest_resolves_inside_the_snapshot)
{
    struct svc t;
    svc_open(&t, "chainsvc_snap", true);
    struct hash32 hs[2];
    ck_assert_int_eq(chainsvc_generate(t.s, 1, hs, NULL), 0);
    struct db *db = chainsvc_db(t.s);
    struct db_snapshot *snap = db_snapshot_new(db);
    ck_assert_ptr_nonnull(snap);
    ck_assert_int_eq(chainsvc_generate(t.s, 1, hs + 1, NULL), 0);

    struct rpc_env env;
    memset(&env, 0, sizeof env);
    env.chain = t.s;
    atomic_bool cancelled = false;
    struct rpc_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.env = &env;
    ctx.cancelled = &cancelled;
    struct rpc_block_ref ref;
    memset(&ref, 0, sizeof ref);
    ref.kind = RPC_BLOCK_LATEST;
    struct hash32 got;
    uint64_t number;
    ck_assert_int_eq(rpc_resolve_block(&ctx, t.s, snap, &ref, &got, &number), 0);
    ck_assert_uint_eq(number, 1);
    ck_assert(hash32_eq(&got, &hs[0]));
    struct header h;
    ck_assert_int_eq(chaindb_read_header(db, snap, &got, &h), 0);
    header_free(&h);
    /* Without a snapshot it is the published head. */
    ck_assert_int_eq(rpc_resolve_block(&ctx, t.s, NULL, &ref, &got, &number), 0);
    ck_assert_uint_eq(number, 2);
    ck_assert(hash32_eq(&got, &hs[1]));
    db_snapshot_free(db, snap);
    svc_close(&t);
}
END_TEST

/* ---- timers ---------------------------------------------------------------------------- */

START_TEST(blocktime_produces_on_a_timer)
{
    struct svc t;
    svc_db(&t, "chainsvc_timer");
    svc_start_with(&t, chain_params_get(CHAIN_REGTEST), false, 1, true);
    ck_assert(chainsvc_is_mining(t.s));
    struct tx tx = transfer(4, 5, 0, 9);
    struct hash32 th;
    ck_assert_int_eq(submit(&t, &tx, &th, NULL), 0);
    ck_assert(!mined(&t, &th));
    ck_assert_msg(wait_height(&t, 2, 10), "head %llu after 10 s",
                  (unsigned long long)chainsvc_head_number(t.s, NULL));
    /* Blocks 1..3 carry no chief tx but do carry the pool's transactions. */
    ck_assert(mined(&t, &th));
    tx_free(&tx);
    svc_close(&t);
}
END_TEST

START_TEST(live_miner_signs_when_allowed)
{
    /* Regtest's rules under another network's name: the service treats it
     * as live, and the node key is the only signer, so it may sign every
     * block at once (period 0). */
    live_params = *chain_params_get(CHAIN_REGTEST);
    live_params.network = CHAIN_DEVNET;
    struct svc t;
    svc_db(&t, "chainsvc_live");
    svc_start_with(&t, &live_params, true, 5, false);
    /* -mine=0: nothing happens, automine and blocktime are regtest's only. */
    struct tx tx = transfer(6, 7, 0, 1);
    struct hash32 th;
    ck_assert_int_eq(submit(&t, &tx, &th, NULL), 0);
    ck_assert(!chainsvc_is_mining(t.s));
    ck_assert_uint_eq(chainsvc_head_number(t.s, NULL), 0);
    chainsvc_stop(t.s);

    svc_start_with(&t, &live_params, false, 0, true);
    ck_assert_msg(wait_height(&t, 5, 20), "head %llu after 20 s",
                  (unsigned long long)chainsvc_head_number(t.s, NULL));
    ck_assert(chainsvc_is_mining(t.s));
    /* Every block on our own chain is valid and after its parent in time. */
    struct hash32 h;
    uint64_t n = chainsvc_head_number(t.s, &h);
    ck_assert_uint_ge(n, 5);
    ck_assert_int_eq(submit(&t, &tx, &th, NULL), 0);
    ck_assert_msg(wait_height(&t, chainsvc_head_number(t.s, NULL) + 2, 20), "stalled");
    ck_assert(mined(&t, &th));
    tx_free(&tx);
    svc_close(&t);
}
END_TEST

/* ---- -regtestforks (node/chainsetup.h) ------------------------------------------------ */

START_TEST(regtestforks_schedule)
{
    const struct chain_params *base = chain_params_get(CHAIN_REGTEST);
    struct chain_params p = *base;
    ck_assert_msg(node_apply_regtestforks(&p, "chief100:6,sip003:9,sip004:12,sip002:3") == 0,
                  "%s", err_msg());
    ck_assert_uint_eq(p.chief100_block, 6);
    ck_assert_uint_eq(p.sip002_block, 3);
    ck_assert_uint_eq(p.sip003_block, 9);
    ck_assert_uint_eq(p.sip004_block, 12);
    ck_assert_uint_eq(p.sip001_block, base->sip001_block);
    /* The genesis chief serves as 0.0.7 until chief100, then as 1.0.0. */
    ck_assert_uint_eq(p.nchiefs, 2);
    ck_assert_uint_eq(p.chiefs[0].start, 0);
    ck_assert_int_eq(p.chiefs[0].version, CHIEF_V0_0_7);
    ck_assert_uint_eq(p.chiefs[1].start, 6);
    ck_assert_int_eq(p.chiefs[1].version, CHIEF_V1_0_0);
    ck_assert(address_eq(&p.chiefs[0].addr, &base->chiefs[0].addr));
    ck_assert(address_eq(&p.chiefs[1].addr, &base->chiefs[0].addr));
    ck_assert(!params_is_chief100_era(&p, 5));
    ck_assert(params_is_chief100_era(&p, 6));

    p = *base;
    ck_assert_int_eq(node_apply_regtestforks(&p, "sip001:2,chief100:0"), 0);
    ck_assert_uint_eq(p.nchiefs, 1);
    ck_assert_int_eq(p.chiefs[0].version, CHIEF_V1_0_0);
    ck_assert_uint_eq(p.sip001_block, 2);

    const char *bad[] = {"", "sip005:3", "sip003", "sip003:", "sip003:x", "sip003:-1",
                         "sip003:1,sip003:2", "sip003:3,", "chief100:18446744073709551615"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = *base;
        ck_assert_msg(node_apply_regtestforks(&p, bad[i]) == ERR_INVAL, "accepted '%s'", bad[i]);
        ck_assert_msg(strstr(err_msg(), "-regtestforks"), "%s", err_msg());
    }
    p = *base;
    node_apply_regtestforks(&p, "sip005:3");
    ck_assert_ptr_nonnull(strstr(err_msg(), "unknown fork 'sip005'"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("chainsvc");
    TCase *tc = tcase_create("service");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, generate_moves_the_published_head);
    tcase_add_test(tc, automine_imports_before_the_answer);
    tcase_add_test(tc, automine_batches_waiting_submits);
    tcase_add_test(tc, async_submits_are_answered_after_their_block);
    tcase_add_test(tc, automine_blocks_take_the_provers_vrf);
    tcase_add_test(tc, service_threads_are_named);
    tcase_add_test(tc, pool_views_without_automine);
    tcase_add_test(tc, send_tx_takes_the_pool_nonce);
    tcase_add_test(tc, reorg_returns_dropped_txs_to_the_pool);
    tcase_add_test(tc, bad_blocks_are_refused);
    tcase_add_test(tc, restart_resumes_at_the_head);
    tcase_add_test(tc, rpc_reads_blocks_and_state);
    tcase_add_test(tc, latest_resolves_inside_the_snapshot);
    suite_add_tcase(s, tc);
    tc = tcase_create("timers");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, blocktime_produces_on_a_timer);
    tcase_add_test(tc, live_miner_signs_when_allowed);
    suite_add_tcase(s, tc);
    tc = tcase_create("options");
    tcase_add_test(tc, regtestforks_schedule);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
