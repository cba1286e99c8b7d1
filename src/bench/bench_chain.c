/*
 * bench_chain.c — block import of two workloads, each a block of 1,000
 * signed transactions (100 senders, 10 txs each, to 1,000 fresh
 * recipients):
 *   transfers  plain SMT transfers
 *   erc20      ProxyToken.transfer calls (share/contracts/ProxyToken.json,
 *              the token's runtime code and the senders' balances seeded
 *              in genesis storage, slot keccak256(holder ‖ 1))
 * each measured three ways in the same run so the ratios mean something:
 *   chain/ecrecover            chain_tx_sender over the 1,000 txs (the ceiling)
 *   chain/execute-<w>          chain_execute_block on a state in memory
 *                              (sender recovery included, nothing written)
 *   chain/import-<w>           chain_insert_block_unchecked into LevelDB in a
 *                              temporary directory: execute, check, commit
 *                              state, write block/receipts/indexes/head in
 *                              one batch (not fsync'ed)
 * and the import figures as a percentage of the ecrecover rate. Every
 * receipt must succeed, or the case reports an error instead of a figure.
 */
#include "bench/bench.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chain.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "state/state.h"
#include "util/err.h"
#include "util/hex.h"

#define NSENDERS 100
#define PER_SENDER 10
#define NTX (NSENDERS * PER_SENDER)
#define ROUNDS 5
#define TOKEN_MAX_CODE (64u * 1024u)

enum workload { W_TRANSFERS, W_ERC20 };

/* Where the bench token lives in its genesis (any address without a key). */
static const struct address TOKEN = {{0xb3, 0x7c, 0, 0, 0, 0, 0, 0, 0, 0,
                                      0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0x20}};

static void key(int i, uint8_t sk[32], struct address *a)
{
    char seed[48];
    int n = snprintf(seed, sizeof seed, "bench-chain %d", i);
    keccak256(seed, (size_t)n, sk);
    uint8_t pub[64];
    ecdsa_pubkey(sk, pub);
    ecdsa_pub_to_address(pub, a->b);
}

/* The runtime code of ProxyToken from its committed artifact. The source
 * tree is found through SPECTRUM_SRCDIR (set at build time; the environment
 * variable of the same name overrides it). */
static int load_token_code(uint8_t **code, size_t *len)
{
    const char *dir = getenv("SPECTRUM_SRCDIR");
    if (!dir || !*dir)
        dir = SPECTRUM_SRCDIR;
    char path[4096];
    snprintf(path, sizeof path, "%s/share/contracts/ProxyToken.json", dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    const char *hex = json_string_value(json_object_get(root, "deployedBytecode"));
    int rc = hex ? hex_decode_alloc(hex, strlen(hex), TOKEN_MAX_CODE, code, len)
                 : err_set(ERR_DECODE, "%s: no deployedBytecode (%s)", path, je.text);
    json_decref(root);
    return rc;
}

/* The storage key of balanceOf[a]: keccak256(pad32(a) ‖ pad32(1)). */
static void balance_slot(const struct address *a, uint8_t out[32])
{
    uint8_t pre[64] = {0};
    memcpy(pre + 12, a->b, 20);
    pre[63] = 1;
    keccak256(pre, sizeof pre, out);
}

static int make_genesis(struct genesis *g, enum workload w)
{
    const char *json = "{\"header\":{\"gasLimit\":\"0x5f5e100\",\"difficulty\":\"0x1\"}}";
    int rc = genesis_parse(json, strlen(json), g);
    if (rc)
        return rc;
    size_t n = NSENDERS + (w == W_ERC20);
    free(g->alloc);
    g->alloc = calloc(n, sizeof *g->alloc);
    if (!g->alloc)
        return ERR_NOMEM;
    g->nalloc = n;
    for (int i = 0; i < NSENDERS; i++) {
        uint8_t sk[32];
        key(i, sk, &g->alloc[i].addr);
        g->alloc[i].balance = u256_from_u64(1000000000000000000ull);
    }
    if (w != W_ERC20)
        return 0;
    struct genesis_account *t = &g->alloc[NSENDERS];
    t->addr = TOKEN;
    rc = load_token_code(&t->code, &t->code_len);
    if (rc)
        return rc;
    t->slots = calloc(NSENDERS + 1, sizeof *t->slots);
    if (!t->slots)
        return ERR_NOMEM;
    t->nslots = NSENDERS + 1;
    const uint64_t each = 1000000;
    for (int i = 0; i < NSENDERS; i++) {
        balance_slot(&g->alloc[i].addr, t->slots[i].key);
        u256 v = u256_from_u64(each);
        u256_to_be(&v, t->slots[i].value);
    }
    u256 supply = u256_from_u64(each * NSENDERS); /* slot 0: totalSupply */
    u256_to_be(&supply, t->slots[NSENDERS].value);
    return 0;
}

/* transfer(address,uint256) = a9059cbb */
static void erc20_transfer(const struct address *to, uint64_t value, uint8_t data[68])
{
    static const uint8_t sel[4] = {0xa9, 0x05, 0x9c, 0xbb};
    memset(data, 0, 68);
    memcpy(data, sel, 4);
    memcpy(data + 16, to->b, 20);
    for (int i = 0; i < 8; i++)
        data[67 - i] = (uint8_t)(value >> (8 * i));
}

static int make_block(const struct chain_params *p, const struct header *parent, enum workload w,
                      struct block *b)
{
    memset(b, 0, sizeof *b);
    b->body.txs = calloc(NTX, sizeof *b->body.txs);
    if (!b->body.txs)
        return ERR_NOMEM;
    b->body.tx_count = NTX;
    for (int s = 0; s < NSENDERS; s++) {
        uint8_t sk[32];
        struct address from, to;
        for (int k = 0; k < PER_SENDER; k++) {
            struct tx *t = &b->body.txs[s * PER_SENDER + k];
            t->nonce = (uint64_t)k;
            t->gas_price = u256_from_u64(1000000000);
            t->has_to = true;
            key(100000 + s * PER_SENDER + k, sk, &to); /* fresh recipient */
            if (w == W_ERC20) {
                t->gas = 80000;
                t->to = TOKEN;
                t->data = malloc(68);
                if (!t->data)
                    return ERR_NOMEM;
                t->data_len = 68;
                erc20_transfer(&to, 1000 + (uint64_t)k, t->data);
            } else {
                t->gas = 21000;
                t->to = to;
                t->value = u256_from_u64(1000 + (uint64_t)k);
            }
            key(s, sk, &from);
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

/* Executes b once on the genesis state, checks that every receipt succeeded
 * and fills the header fields execution computes. */
static int seal_fields(const struct chain_exec_env *env, const struct trie_store *store,
                       const struct genesis *g, struct block *b)
{
    struct state *st;
    struct chain_exec_result r;
    int rc = state_open(store, g->header.state_root.b, &st);
    if (rc == 0)
        rc = chain_execute_block(env, st, &b->header, &b->body, &r);
    state_free(st);
    if (rc)
        return rc;
    for (size_t i = 0; i < r.count && rc == 0; i++)
        if (!r.receipts[i].status)
            rc = err_set(ERR_INVAL, "transaction %zu failed", i);
    if (r.count != NTX && rc == 0)
        rc = err_set(ERR_INVAL, "%zu of %d transactions applied", r.count, NTX);
    b->header.state_root = r.state_root;
    b->header.tx_root = r.tx_root;
    b->header.receipt_root = r.receipt_root;
    b->header.bloom = r.bloom;
    b->header.gas_used = r.gas_used;
    chain_exec_result_free(&r);
    return rc;
}

static double time_import(const struct chain_params *p, struct genesis *g, const struct block *b)
{
    char dir[256];
    if (bench_tmpdir(dir, sizeof dir, "bench_chain"))
        return -1;
    double t = -1;
    struct db *db;
    struct chain *c;
    if (db_open(dir, NULL, &db) == 0) {
        if (chain_open(db, p, g, &c) == 0) {
            enum chain_insert_status status;
            double t0 = bench_now();
            int rc = chain_insert_block_unchecked(c, b, NULL, &status);
            double t1 = bench_now();
            if (rc == 0 && status == CHAIN_INSERT_HEAD)
                t = t1 - t0;
            else
                fprintf(stderr, "chain bench: import failed: %s\n", err_msg());
            chain_close(c);
        }
        db_close(db);
    }
    bench_rmdir(dir);
    return t;
}

static void run_workload(enum workload w, const char *name)
{
    char exec_name[64], imp_name[64], exec_ratio[96], imp_ratio[96];
    snprintf(exec_name, sizeof exec_name, "chain/execute-%s", name);
    snprintf(imp_name, sizeof imp_name, "chain/import-%s", name);
    if (!bench_selected(exec_name) && !bench_selected(imp_name) && !bench_selected("chain/ecrecover"))
        return;
    snprintf(exec_ratio, sizeof exec_ratio, "%s vs ecrecover", exec_name);
    snprintf(imp_ratio, sizeof imp_ratio, "%s vs ecrecover", imp_name);

    struct chain_params p = *chain_params_get(CHAIN_REGTEST);
    p.chief100_block = CHAIN_NEVER; /* no chief tx needed, no reward */
    p.nchiefs = 0;
    struct genesis g;
    struct block b;
    struct trie_memstore *ms = trie_memstore_new();
    struct trie_store store = trie_memstore_store(ms);
    struct evm *evm = NULL;
    memset(&b, 0, sizeof b);
    int rc = make_genesis(&g, w);
    if (rc == 0)
        rc = genesis_build(&g, &store);
    if (rc == 0)
        rc = make_block(&p, &g.header, w, &b);
    if (rc == 0)
        rc = evm_new(&evm);
    struct chain_exec_env env = {&p, evm, NULL, NULL, NULL};
    if (rc == 0)
        rc = seal_fields(&env, &store, &g, &b);
    if (rc) {
        fprintf(stderr, "chain bench %s: setup failed: %s\n", name, err_msg());
        goto out;
    }

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

        struct state *st;
        struct chain_exec_result r;
        state_open(&store, g.header.state_root.b, &st);
        t0 = bench_now();
        rc = chain_execute_block(&env, st, &b.header, &b.body, &r);
        t1 = bench_now();
        if (rc == 0 && t1 - t0 < best_exec)
            best_exec = t1 - t0;
        chain_exec_result_free(&r);
        state_free(st);

        double t = time_import(&p, &g, &b);
        if (t > 0 && t < best_imp)
            best_imp = t;
    }
    double rec = NTX / best_rec, exec = NTX / best_exec, imp = NTX / best_imp;
    bench_report("chain/ecrecover", rec, "tx/s");
    bench_report(exec_name, exec, "tx/s");
    bench_report(exec_ratio, 100.0 * exec / rec, "%");
    bench_report(imp_name, imp, "tx/s");
    bench_report(imp_ratio, 100.0 * imp / rec, "%");
out:
    evm_free(evm);
    block_free(&b);
    genesis_free(&g);
    trie_memstore_free(ms);
}

void bench_chain(void)
{
    run_workload(W_TRANSFERS, "transfers");
    run_workload(W_ERC20, "erc20");
}
