/*
 * bench_automine.c — regtest block production on demand, as a wallet or a
 * test suite drives it: transactions submitted to the chain service
 * (chainsvc_submit_tx, what eth_sendRawTransaction calls) with -automine,
 * each call returning once the block holding its transaction is stored.
 *   automine/1-caller    one caller, one transaction at a time: one block
 *                        per transaction (the chief update tx included from
 *                        block 4 on), so the rate is blocks per second
 *   automine/64-callers  64 threads, each with its own sender: transactions
 *                        that wait together share a block
 * Rates are answered transactions per second of wall time; the second line
 * of each case is the number of blocks made.
 *
 * Why it is shaped this way: the JSON-RPC benchmark (contrib/bench/rpc)
 * measures the same path through HTTP, against other nodes; this case
 * takes HTTP away, so that the chain thread's own cost per block (build,
 * seal, store, the head change) can be followed from one change to the
 * next. The service runs on the real regtest genesis (system contracts,
 * Tribe, VRF) in a temp LevelDB directory; the senders are funded first,
 * outside the timing.
 */
#include "bench/bench.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/genesis.h"
#include "chain/params.h"
#include "chain/regtest_genesis.h"
#include "chainsvc/chainsvc.h"
#include "consensus/tribe_chain_engine.h"
#include "crypto/keccak.h"
#include "primitives/tx.h"
#include "storage/db.h"
#include "util/err.h"

#define CALLERS 64
#define PER_CALLER 100
#define SINGLE 1000
#define FUNDS 1000000000000000000ull /* 1 SMT per sender */

/* Sender i's key: keccak("automine sender" ‖ i). */
static void sender_key(unsigned i, uint8_t sk[32])
{
    char seed[64];
    int n = snprintf(seed, sizeof seed, "automine sender %u", i);
    keccak256(seed, (size_t)n, sk);
}

/* A signed 1-wei transfer (raw bytes in *raw). */
static int signed_transfer(const uint8_t sk[32], uint64_t nonce, uint64_t value,
                           const struct address *to, struct bytes *raw)
{
    const struct chain_params *p = chain_params_get(CHAIN_REGTEST);
    struct tx x;
    memset(&x, 0, sizeof x);
    x.nonce = nonce;
    x.gas_price = u256_from_u64(p->min_gas_price);
    x.gas = 21000;
    x.has_to = true;
    x.to = *to;
    x.value = u256_from_u64(value);
    int rc = tx_sign(&x, sk, p->chain_id);
    if (rc == 0)
        rc = tx_encode(&x, raw);
    tx_free(&x);
    return rc;
}

static int submit(struct chainsvc *s, const struct bytes *raw)
{
    struct hash32 h;
    enum txpool_reason why;
    return chainsvc_submit_tx(s, raw->data, raw->len, false, &h, &why);
}

struct caller {
    struct chainsvc *s;
    struct bytes *raws;
    size_t n;
    int rc;
};

static void *caller_main(void *arg)
{
    struct caller *c = arg;
    for (size_t i = 0; i < c->n && c->rc == 0; i++)
        c->rc = submit(c->s, &c->raws[i]);
    return NULL;
}

static void free_raws(struct bytes *raws, size_t n)
{
    if (!raws)
        return;
    for (size_t i = 0; i < n; i++)
        bytes_free(&raws[i]);
    free(raws);
}

/* n transfers from sender `who`, nonces 0..n-1, to dev account 9. */
static int presign(unsigned who, size_t n, struct bytes **out)
{
    *out = calloc(n, sizeof **out);
    if (!*out)
        return err_set(ERR_NOMEM, "bench: %zu txs", n);
    uint8_t sk[32], dev9[32];
    sender_key(who, sk);
    struct address to;
    int rc = regtest_dev_key(9, dev9);
    if (rc == 0)
        rc = regtest_key_address(dev9, &to);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = signed_transfer(sk, i, 1, &to, &(*out)[i]);
    return rc;
}

static int start(const char *dir, struct db **db, struct chainsvc **s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/share/genesis/genesis-regtest.json", bench_srcdir());
    struct genesis g;
    memset(&g, 0, sizeof g);
    int rc = genesis_load(path, &g);
    if (rc == 0)
        rc = db_open(dir, NULL, db);
    if (rc == 0) {
        struct chainsvc_config cfg;
        chainsvc_config_default(&cfg, *db, chain_params_get(CHAIN_REGTEST));
        cfg.automine = true;
        cfg.genesis = &g;
        tribe_chain_engine_init(&cfg.engine);
        rc = regtest_node_key(cfg.node_key);
        if (rc == 0)
            rc = chainsvc_start(&cfg, s);
    }
    genesis_free(&g);
    return rc;
}

/* Dev account 0 funds the CALLERS + 1 senders (one automined block each). */
static int fund(struct chainsvc *s)
{
    uint8_t dev0[32];
    int rc = regtest_dev_key(0, dev0);
    for (unsigned i = 0; i <= CALLERS && rc == 0; i++) {
        uint8_t sk[32];
        sender_key(i, sk);
        struct address a;
        struct bytes raw = BYTES_INIT;
        rc = regtest_key_address(sk, &a);
        if (rc == 0)
            rc = signed_transfer(dev0, i, FUNDS, &a, &raw);
        if (rc == 0)
            rc = submit(s, &raw);
        bytes_free(&raw);
    }
    return rc;
}

static int run(void)
{
    char dir[4096];
    int rc = bench_tmpdir(dir, sizeof dir, "bench_automine");
    if (rc)
        return rc;
    struct db *db = NULL;
    struct chainsvc *s = NULL;
    struct bytes *single = NULL, *many[CALLERS] = {NULL};
    rc = start(dir, &db, &s);
    if (rc == 0)
        rc = fund(s);
    if (rc == 0)
        rc = presign(CALLERS, SINGLE, &single);
    for (unsigned i = 0; i < CALLERS && rc == 0; i++)
        rc = presign(i, PER_CALLER, &many[i]);

    if (rc == 0 && bench_selected("automine/1-caller")) {
        uint64_t h0 = chainsvc_head_number(s, NULL);
        double t0 = bench_now();
        for (size_t i = 0; i < SINGLE && rc == 0; i++)
            rc = submit(s, &single[i]);
        double dt = bench_now() - t0;
        if (rc == 0) {
            bench_report("automine/1-caller", SINGLE / dt, "tx/s");
            bench_report("automine/1-caller blocks",
                         (double)(chainsvc_head_number(s, NULL) - h0), "blocks");
        }
    }
    if (rc == 0 && bench_selected("automine/64-callers")) {
        struct caller c[CALLERS];
        pthread_t th[CALLERS];
        uint64_t h0 = chainsvc_head_number(s, NULL);
        double t0 = bench_now();
        unsigned started = 0;
        for (unsigned i = 0; i < CALLERS; i++) {
            c[i] = (struct caller){s, many[i], PER_CALLER, 0};
            if (pthread_create(&th[i], NULL, caller_main, &c[i]) != 0) {
                rc = err_set(ERR_BADSTATE, "bench: cannot start caller %u", i);
                break;
            }
            started++;
        }
        for (unsigned i = 0; i < started; i++) {
            pthread_join(th[i], NULL);
            if (rc == 0 && c[i].rc)
                rc = c[i].rc;
        }
        double dt = bench_now() - t0;
        if (rc == 0) {
            bench_report("automine/64-callers", CALLERS * PER_CALLER / dt, "tx/s");
            bench_report("automine/64-callers blocks",
                         (double)(chainsvc_head_number(s, NULL) - h0), "blocks");
        }
    }
    chainsvc_stop(s);
    db_close(db);
    free_raws(single, SINGLE);
    for (unsigned i = 0; i < CALLERS; i++)
        free_raws(many[i], PER_CALLER);
    bench_rmdir(dir);
    return rc;
}

void bench_automine(void)
{
    if (!bench_selected("automine/1-caller") && !bench_selected("automine/64-callers"))
        return;
    if (run())
        fprintf(stderr, "automine: %s\n", err_msg());
}
