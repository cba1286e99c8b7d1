/* chain_harness.c — see chain_harness.h. */
#include "chain_harness.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "state/state.h"
#include "util/err.h"

const struct address CH_CHIEF = {{0xc1, 0xef, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
const struct address CH_REVERTER = {{0xde, 0xad, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}};
const struct address CH_COINBASE = {{0xc0, 0x1b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3}};

void ch_key(int i, uint8_t sk[32], struct address *addr)
{
    char seed[64];
    int n = snprintf(seed, sizeof seed, "chain-harness %d", i);
    keccak256(seed, (size_t)n, sk);
    ck_assert(ecdsa_seckey_valid(sk));
    uint8_t pub[64];
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ecdsa_pub_to_address(pub, addr->b);
}

struct tx ch_tx(int key, uint64_t nonce, const struct address *to, uint64_t value,
                uint64_t gas, uint64_t price, const uint8_t *data, size_t len, uint64_t chain_id)
{
    struct tx t;
    memset(&t, 0, sizeof t);
    t.nonce = nonce;
    t.gas = gas;
    t.gas_price = u256_from_u64(price);
    if (to) {
        t.has_to = true;
        t.to = *to;
    }
    t.value = u256_from_u64(value);
    if (len) {
        t.data = malloc(len);
        ck_assert_ptr_nonnull(t.data);
        memcpy(t.data, data, len);
        t.data_len = len;
    }
    uint8_t sk[32];
    struct address a;
    ch_key(key, sk, &a);
    ck_assert_int_eq(tx_sign(&t, sk, chain_id), 0);
    return t;
}

struct chain_params ch_params(void)
{
    struct chain_params p = *chain_params_get(CHAIN_REGTEST);
    p.chief100_block = CHAIN_NEVER;
    memset(p.chiefs, 0, sizeof p.chiefs);
    p.chiefs[0].start = 0;
    p.chiefs[0].addr = CH_CHIEF;
    p.chiefs[0].version = CHIEF_V0_0_7;
    p.nchiefs = 1;
    ck_assert_int_eq(chain_params_check(&p), 0);
    return p;
}

static void set_code(struct genesis_account *a, const struct address *addr, const uint8_t *code,
                     size_t len)
{
    a->addr = *addr;
    a->balance = u256_from_u64(0);
    a->code = malloc(len);
    ck_assert_ptr_nonnull(a->code);
    memcpy(a->code, code, len);
    a->code_len = len;
}

void ch_genesis(struct genesis *g, int nkeys, uint64_t balance, uint64_t gas_limit)
{
    char json[256];
    snprintf(json, sizeof json,
             "{\"header\":{\"gasLimit\":%llu,\"difficulty\":\"0x1\",\"timestamp\":\"0x10\"}}",
             (unsigned long long)gas_limit);
    int rc = genesis_parse(json, strlen(json), g);
    ck_assert_msg(rc == 0, "%s", err_msg());
    free(g->alloc);
    g->nalloc = (size_t)nkeys + 2;
    g->alloc = calloc(g->nalloc, sizeof *g->alloc);
    ck_assert_ptr_nonnull(g->alloc);
    for (int i = 0; i < nkeys; i++) {
        uint8_t sk[32];
        ch_key(i, sk, &g->alloc[i].addr);
        g->alloc[i].balance = u256_from_u64(balance);
    }
    static const uint8_t chief_code[] = {0x60, 0x01, 0x60, 0x00, 0x55, 0x00};
    static const uint8_t revert_code[] = {0x60, 0x00, 0x60, 0x00, 0xfd};
    set_code(&g->alloc[nkeys], &CH_CHIEF, chief_code, sizeof chief_code);
    set_code(&g->alloc[nkeys + 1], &CH_REVERTER, revert_code, sizeof revert_code);
}

int ch_build_block(const struct chain_params *p, const struct trie_store *store,
                   const struct header *parent, const struct tx *txs, size_t n,
                   struct block *b, struct chain_exec_result *res)
{
    return ch_build_block_author(p, store, parent, txs, n, &CH_COINBASE, NULL, b, res);
}

int ch_build_block_author(const struct chain_params *p, const struct trie_store *store,
                          const struct header *parent, const struct tx *txs, size_t n,
                          const struct address *coinbase, const struct address *signer,
                          struct block *b, struct chain_exec_result *res)
{
    memset(b, 0, sizeof *b);
    struct header *h = &b->header;
    ck_assert_int_eq(header_hash(parent, &h->parent_hash), 0);
    h->uncle_hash = parent->uncle_hash; /* genesis: the empty-list hash */
    h->coinbase = *coinbase;
    h->difficulty = u256_from_u64(2);
    h->number = parent->number + 1;
    h->gas_limit = parent->gas_limit;
    h->time = parent->time + 1;
    if (n) {
        b->body.txs = calloc(n, sizeof *b->body.txs);
        ck_assert_ptr_nonnull(b->body.txs);
        for (size_t i = 0; i < n; i++) {
            b->body.txs[i] = txs[i];
            if (txs[i].data_len) {
                b->body.txs[i].data = malloc(txs[i].data_len);
                memcpy(b->body.txs[i].data, txs[i].data, txs[i].data_len);
            }
        }
        b->body.tx_count = n;
    }
    struct state *st;
    ck_assert_int_eq(state_open(store, parent->state_root.b, &st), 0);
    struct evm *evm;
    ck_assert_int_eq(evm_new(&evm), 0);
    struct chain_exec_env env = {p, evm, signer, NULL, NULL};
    int rc = chain_execute_block(&env, st, h, &b->body, res);
    if (rc == 0) {
        h->state_root = res->state_root;
        h->tx_root = res->tx_root;
        h->receipt_root = res->receipt_root;
        h->bloom = res->bloom;
        h->gas_used = res->gas_used;
    }
    evm_free(evm);
    state_free(st);
    return rc;
}

void ch_tmpdir(char *dir, size_t size, const char *name)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(dir, size, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    ck_assert(n > 0 && (size_t)n < size);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

void ch_rmdir(const char *dir)
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

uint64_t ch_balance(const struct trie_store *store, const uint8_t root[32],
                    const struct address *a)
{
    struct state *st;
    ck_assert_int_eq(state_open(store, root, &st), 0);
    u256 b;
    state_get_balance(st, a, &b);
    ck_assert_int_eq(state_error(st), 0);
    state_free(st);
    ck_assert(u256_fits_u64(&b));
    return b.w[0];
}
