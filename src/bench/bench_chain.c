/*
 * bench_chain.c — block import: a block of 1,000 signed SMT transfers
 * (100 senders, 10 txs each, to 1,000 fresh accounts), measured three ways
 * in the same run so the ratios mean something:
 *   chain/ecrecover            tx_sender over the 1,000 txs (the ceiling)
 *   chain/execute-transfers    chain_execute_block on a state in memory
 *                              (sender recovery included, nothing written)
 *   chain/import-transfers     chain_insert_block_unchecked into LevelDB in a
 *                              temporary directory: execute, check, commit
 *                              state, write block/receipts/indexes/head in
 *                              one batch (not fsync'ed)
 * and the two import figures as a percentage of the ecrecover rate.
 */
#include "bench/bench.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain/chain.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "state/state.h"
#include "util/err.h"

#define NSENDERS 100
#define PER_SENDER 10
#define NTX (NSENDERS * PER_SENDER)
#define ROUNDS 5

static void key(int i, uint8_t sk[32], struct address *a)
{
    char seed[48];
    int n = snprintf(seed, sizeof seed, "bench-chain %d", i);
    keccak256(seed, (size_t)n, sk);
    uint8_t pub[64];
    ecdsa_pubkey(sk, pub);
    ecdsa_pub_to_address(pub, a->b);
}

static int make_genesis(struct genesis *g)
{
    const char *json = "{\"header\":{\"gasLimit\":\"0x5f5e100\",\"difficulty\":\"0x1\"}}";
    int rc = genesis_parse(json, strlen(json), g);
    if (rc)
        return rc;
    free(g->alloc);
    g->alloc = calloc(NSENDERS, sizeof *g->alloc);
    if (!g->alloc)
        return ERR_NOMEM;
    g->nalloc = NSENDERS;
    for (int i = 0; i < NSENDERS; i++) {
        uint8_t sk[32];
        key(i, sk, &g->alloc[i].addr);
        g->alloc[i].balance = u256_from_u64(1000000000000000000ull);
    }
    return 0;
}

static int make_block(const struct chain_params *p, const struct header *parent, struct block *b)
{
    memset(b, 0, sizeof *b);
    b->body.txs = calloc(NTX, sizeof *b->body.txs);
    if (!b->body.txs)
        return ERR_NOMEM;
    b->body.tx_count = NTX;
    for (int s = 0; s < NSENDERS; s++) {
        uint8_t sk[32];
        struct address from;
        key(s, sk, &from);
        for (int k = 0; k < PER_SENDER; k++) {
            struct tx *t = &b->body.txs[s * PER_SENDER + k];
            t->nonce = (uint64_t)k;
            t->gas = 21000;
            t->gas_price = u256_from_u64(1000000000);
            t->has_to = true;
            key(100000 + s * PER_SENDER + k, sk, &t->to); /* fresh recipient */
            key(s, sk, &from);
            t->value = u256_from_u64(1000 + (uint64_t)k);
            if (tx_sign(t, sk, p->chain_id))
                return ERR_CRYPTO;
        }
    }
    struct header *h = &b->header;
    header_hash(parent, &h->parent_hash);
    h->uncle_hash = parent->uncle_hash;
    h->number = parent->number + 1;
    h->gas_limit = parent->gas_limit;
    h->time = parent->time + 1;
    h->difficulty = u256_from_u64(2);
    memset(h->coinbase.b, 0xcb, 20);
    return 0;
}

static void rmdir_all(const char *dir)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                unlinkat(dirfd(dp), e->d_name, 0);
        closedir(dp);
    }
    rmdir(dir);
}

void bench_chain(void)
{
    if (!bench_selected("chain/import-transfers") && !bench_selected("chain/ecrecover") &&
        !bench_selected("chain/execute-transfers"))
        return;
    struct chain_params p = *chain_params_get(CHAIN_REGTEST);
    p.chief100_block = CHAIN_NEVER; /* no chief tx needed, no reward */
    p.nchiefs = 0;
    struct genesis g;
    struct block b;
    struct trie_memstore *ms = trie_memstore_new();
    struct trie_store store = trie_memstore_store(ms);
    if (make_genesis(&g) || genesis_build(&g, &store) || make_block(&p, &g.header, &b)) {
        fprintf(stderr, "chain bench: setup failed: %s\n", err_msg());
        return;
    }
    struct evm *evm;
    evm_new(&evm);
    struct chain_exec_env env = {&p, evm, NULL, NULL, NULL};

    /* fill in the computed header fields once */
    struct state *st;
    struct chain_exec_result r;
    state_open(&store, g.header.state_root.b, &st);
    if (chain_execute_block(&env, st, &b.header, &b.body, &r)) {
        fprintf(stderr, "chain bench: execution failed: %s\n", err_msg());
        return;
    }
    b.header.state_root = r.state_root;
    b.header.tx_root = r.tx_root;
    b.header.receipt_root = r.receipt_root;
    b.header.bloom = r.bloom;
    b.header.gas_used = r.gas_used;
    chain_exec_result_free(&r);
    state_free(st);

    double best_rec = 1e9, best_exec = 1e9, best_imp = 1e9;
    for (int round = 0; round < ROUNDS; round++) {
        double t0 = bench_now();
        for (size_t i = 0; i < NTX; i++) {
            struct address a;
            chain_tx_sender(&p, 1, &b.body.txs[i], &a);
        }
        double t1 = bench_now();
        if (t1 - t0 < best_rec)
            best_rec = t1 - t0;

        state_open(&store, g.header.state_root.b, &st);
        t0 = bench_now();
        int rc = chain_execute_block(&env, st, &b.header, &b.body, &r);
        t1 = bench_now();
        if (rc == 0 && t1 - t0 < best_exec)
            best_exec = t1 - t0;
        chain_exec_result_free(&r);
        state_free(st);

        char dir[256];
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/bench_chain.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir))
            continue;
        struct db *db;
        struct chain *c;
        if (db_open(dir, NULL, &db) == 0) {
            if (chain_open(db, &p, &g, &c) == 0) {
                enum chain_insert_status status;
                t0 = bench_now();
                rc = chain_insert_block_unchecked(c, &b, NULL, &status);
                t1 = bench_now();
                if (rc == 0 && status == CHAIN_INSERT_HEAD && t1 - t0 < best_imp)
                    best_imp = t1 - t0;
                else if (rc)
                    fprintf(stderr, "chain bench: import failed: %s\n", err_msg());
                chain_close(c);
            }
            db_close(db);
        }
        rmdir_all(dir);
    }
    double rec = NTX / best_rec, exec = NTX / best_exec, imp = NTX / best_imp;
    bench_report("chain/ecrecover", rec, "tx/s");
    bench_report("chain/execute-transfers", exec, "tx/s");
    bench_report("chain/execute-transfers vs ecrecover", 100.0 * exec / rec, "%");
    bench_report("chain/import-transfers", imp, "tx/s");
    bench_report("chain/import-transfers vs ecrecover", 100.0 * imp / rec, "%");
    evm_free(evm);
    block_free(&b);
    genesis_free(&g);
    trie_memstore_free(ms);
}
