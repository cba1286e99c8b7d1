/*
 * test_processor.c — block execution (chain/processor.h): a block of signed
 * transfers gives the expected balances, receipts and roots, and a second
 * execution reproduces them; the header check fails when any computed field
 * is altered; invalid and (from SIP003) unprotected transactions reject the
 * block; the chief update tx is gas-free and adds nothing to the cumulative
 * gas; any tx to a chief address pays its fee back to the sender; the
 * block gas pool is drawn from SIP001 on only, and a chief update draws
 * nothing; an unfunded tx to a chief address is refused (ERR_UNSUPPORTED)
 * from SIP100 rather than reproduced; Finalize
 * pays the reward with halving from Chief100 and burns once, at exactly
 * Chief100, on mainnet parameters only.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "chain_harness.h"
#include "state/state.h"
#include "util/err.h"

#define FUND 1000000000000000000ull /* 1 SMT */

struct env {
    struct chain_params p;
    struct genesis g;
    struct trie_memstore *ms;
    struct trie_store store;
};

static void env_init(struct env *e, int nkeys)
{
    e->p = ch_params();
    ch_genesis(&e->g, nkeys, FUND, 8000000);
    e->ms = trie_memstore_new();
    ck_assert_ptr_nonnull(e->ms);
    e->store = trie_memstore_store(e->ms);
    ck_assert_int_eq(genesis_build(&e->g, &e->store), 0);
}

static void env_free(struct env *e)
{
    genesis_free(&e->g);
    trie_memstore_free(e->ms);
}

static void free_txs(struct tx *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tx_free(&t[i]);
}

/* Commits the state of block b (execution on a fresh state) to the store so
 * that balances can be read at b's root. */
static void commit_block(struct env *e, const struct header *parent, const struct block *b)
{
    struct state *st;
    ck_assert_int_eq(state_open(&e->store, parent->state_root.b, &st), 0);
    struct evm *evm;
    ck_assert_int_eq(evm_new(&evm), 0);
    struct chain_exec_env env = {&e->p, evm, NULL, NULL, NULL};
    struct chain_exec_result r;
    ck_assert_int_eq(chain_execute_block(&env, st, &b->header, &b->body, &r), 0);
    uint8_t root[32];
    ck_assert_int_eq(state_commit(st, root), 0);
    ck_assert_mem_eq(root, b->header.state_root.b, 32);
    chain_exec_result_free(&r);
    evm_free(evm);
    state_free(st);
}

static uint64_t balance_of_key(struct env *e, const struct header *h, int key)
{
    uint8_t sk[32];
    struct address a;
    ch_key(key, sk, &a);
    return ch_balance(&e->store, h->state_root.b, &a);
}

START_TEST(transfers_balances_receipts_roots)
{
    struct env e;
    env_init(&e, 3);
    const uint64_t price = 2 * CH_GWEI;
    uint8_t sk[32];
    struct address to;
    ch_key(9, sk, &to); /* a fresh account */
    struct tx txs[7];
    uint64_t nonce[3] = {0, 0, 0};
    for (int i = 0; i < 6; i++) {
        int k = i % 3;
        txs[i] = ch_tx(k, nonce[k]++, &to, 1000 + (uint64_t)i, 21000, price, NULL, 0,
                       e.p.chain_id);
    }
    /* a call that reverts: status 0, gas 21000 + 6 (two PUSH1) */
    txs[6] = ch_tx(0, nonce[0]++, &CH_REVERTER, 0, 50000, price, NULL, 0, e.p.chain_id);

    struct block b;
    struct chain_exec_result r;
    ck_assert_int_eq(ch_build_block(&e.p, &e.store, &e.g.header, txs, 7, &b, &r), 0);
    ck_assert_uint_eq(r.count, 7);
    for (size_t i = 0; i < 6; i++) {
        ck_assert(r.receipts[i].status);
        ck_assert_uint_eq(r.receipts[i].cumulative_gas, 21000 * (i + 1));
    }
    ck_assert(!r.receipts[6].status);
    ck_assert_uint_eq(r.receipts[6].cumulative_gas, 6 * 21000 + 21006);
    ck_assert_uint_eq(r.gas_used, 6 * 21000 + 21006);
    ck_assert_uint_eq(b.header.gas_used, r.gas_used);
    for (int i = 0; i < 3; i++) {
        struct address a;
        ch_key(i, sk, &a);
        ck_assert_mem_eq(r.senders[i].b, a.b, 20);
    }
    ck_assert_int_eq(chain_exec_check(&e.p, &b.header, &r), 0);

    /* balances at the new root */
    commit_block(&e, &e.g.header, &b);
    uint64_t k0_spent = 1000 + 1003 + 2 * 21000 * price + 21006 * price;
    ck_assert_uint_eq(balance_of_key(&e, &b.header, 0), FUND - k0_spent);
    ck_assert_uint_eq(balance_of_key(&e, &b.header, 1), FUND - (1001 + 1004 + 2 * 21000 * price));
    ck_assert_uint_eq(balance_of_key(&e, &b.header, 2), FUND - (1002 + 1005 + 2 * 21000 * price));
    ck_assert_uint_eq(ch_balance(&e.store, b.header.state_root.b, &to),
                      1000 + 1001 + 1002 + 1003 + 1004 + 1005);
    ck_assert_uint_eq(ch_balance(&e.store, b.header.state_root.b, &CH_COINBASE),
                      r.gas_used * price);

    /* a second execution reproduces every root */
    struct block b2;
    struct chain_exec_result r2;
    ck_assert_int_eq(ch_build_block(&e.p, &e.store, &e.g.header, txs, 7, &b2, &r2), 0);
    ck_assert(hash32_eq(&r.state_root, &r2.state_root));
    ck_assert(hash32_eq(&r.receipt_root, &r2.receipt_root));
    ck_assert(hash32_eq(&r.tx_root, &r2.tx_root));
    ck_assert_mem_eq(r.bloom.b, r2.bloom.b, BLOOM_BYTES);
    chain_exec_result_free(&r2);
    block_free(&b2);

    /* the header check fails when any computed field is altered */
    struct header h = b.header;
    h.state_root.b[5] ^= 1;
    ck_assert_int_eq(chain_exec_check(&e.p, &h, &r), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "state root"));
    h = b.header;
    h.receipt_root.b[0] ^= 1;
    ck_assert_int_eq(chain_exec_check(&e.p, &h, &r), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "receipt root"));
    h = b.header;
    h.tx_root.b[31] ^= 1;
    ck_assert_int_eq(chain_exec_check(&e.p, &h, &r), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "transaction root"));
    h = b.header;
    h.gas_used++;
    ck_assert_int_eq(chain_exec_check(&e.p, &h, &r), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "gas used"));
    h = b.header;
    h.bloom.b[100] ^= 0x10;
    ck_assert_int_eq(chain_exec_check(&e.p, &h, &r), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "bloom"));

    chain_exec_result_free(&r);
    block_free(&b);
    free_txs(txs, 7);
    env_free(&e);
}
END_TEST

START_TEST(invalid_and_unprotected_txs_reject_the_block)
{
    struct env e;
    env_init(&e, 2);
    struct block b;
    struct chain_exec_result r;
    uint8_t sk[32];
    struct address to;
    ch_key(9, sk, &to);

    /* nonce gap */
    struct tx t = ch_tx(0, 1, &to, 1, 21000, CH_GWEI, NULL, 0, e.p.chain_id);
    ck_assert_int_eq(ch_build_block(&e.p, &e.store, &e.g.header, &t, 1, &b, &r), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "nonce"));
    block_free(&b);
    tx_free(&t);
    /* more than the balance */
    t = ch_tx(0, 0, &to, FUND, 21000, 1, NULL, 0, e.p.chain_id);
    ck_assert_int_eq(ch_build_block(&e.p, &e.store, &e.g.header, &t, 1, &b, &r), ERR_INVAL);
    block_free(&b);
    tx_free(&t);
    /* above the block gas limit */
    t = ch_tx(0, 0, &to, 1, 8000001, 1, NULL, 0, e.p.chain_id);
    ck_assert_int_eq(ch_build_block(&e.p, &e.store, &e.g.header, &t, 1, &b, &r), ERR_INVAL);
    block_free(&b);
    tx_free(&t);

    /* unprotected: refused from SIP003 (regtest: block 0), fine before */
    t = ch_tx(0, 0, &to, 1, 21000, 1, NULL, 0, 0);
    ck_assert_int_eq(ch_build_block(&e.p, &e.store, &e.g.header, &t, 1, &b, &r), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "SIP003"));
    block_free(&b);
    e.p.sip003_block = 2;
    ck_assert_int_eq(ch_build_block(&e.p, &e.store, &e.g.header, &t, 1, &b, &r), 0);
    ck_assert_uint_eq(r.count, 1);
    chain_exec_result_free(&r);
    block_free(&b);
    tx_free(&t);
    env_free(&e);
}
END_TEST

static uint64_t storage0(struct env *e, const struct header *h, const struct address *a)
{
    struct state *st;
    ck_assert_int_eq(state_open(&e->store, h->state_root.b, &st), 0);
    u256 k = u256_from_u64(0), v;
    state_get_storage(st, a, &k, &v);
    state_free(st);
    return v.w[0];
}

/* Rebuilds e's genesis with key k's balance at zero. */
static void unfund_key(struct env *e, int k)
{
    e->g.alloc[k].balance = u256_from_u64(0);
    trie_memstore_free(e->ms);
    e->ms = trie_memstore_new();
    ck_assert_ptr_nonnull(e->ms);
    e->store = trie_memstore_store(e->ms);
    ck_assert_int_eq(genesis_build(&e->g, &e->store), 0);
}

START_TEST(chief_update_is_gas_free_and_fee_goes_to_sender)
{
    struct env e;
    env_init(&e, 3);
    unfund_key(&e, 2); /* the update needs no funds */

    const uint64_t price = 18 * CH_GWEI;
    uint8_t data[36] = {0x1c, 0x1b, 0x87, 0x72};
    uint8_t other[4] = {0x12, 0x34, 0x56, 0x78};
    uint8_t sk[32];
    struct address to;
    ch_key(9, sk, &to);
    struct tx txs[3];
    txs[0] = ch_tx(2, 0, &CH_CHIEF, 0, 4712388, price, data, sizeof data, e.p.chain_id);
    txs[1] = ch_tx(0, 0, &to, 5, 21000, price, NULL, 0, e.p.chain_id);
    /* not an update, but to a chief address: unmetered frame, fee to sender */
    txs[2] = ch_tx(1, 0, &CH_CHIEF, 0, 100000, price, other, sizeof other, e.p.chain_id);

    struct block b;
    struct chain_exec_result r;
    ck_assert_msg(ch_build_block(&e.p, &e.store, &e.g.header, txs, 3, &b, &r) == 0, "%s",
                  err_msg());
    ck_assert(r.receipts[0].status);
    ck_assert_uint_eq(r.receipts[0].cumulative_gas, 0);
    ck_assert(r.receipts[1].status);
    ck_assert_uint_eq(r.receipts[1].cumulative_gas, 21000);
    ck_assert(r.receipts[2].status);
    /* intrinsic 21000 + 4 non-zero bytes; the code itself ran unmetered */
    ck_assert_uint_eq(r.receipts[2].cumulative_gas, 21000 + 21000 + 4 * 68);
    ck_assert_uint_eq(r.gas_used, 21000 + 21000 + 4 * 68);
    commit_block(&e, &e.g.header, &b);
    ck_assert_uint_eq(storage0(&e, &b.header, &CH_CHIEF), 1); /* the code ran */
    ck_assert_uint_eq(balance_of_key(&e, &b.header, 2), 0);   /* paid nothing */
    ck_assert_uint_eq(balance_of_key(&e, &b.header, 1), FUND); /* fee came back */
    ck_assert_uint_eq(balance_of_key(&e, &b.header, 0), FUND - 5 - 21000 * price);
    /* only the ordinary transfer paid the coinbase */
    ck_assert_uint_eq(ch_balance(&e.store, b.header.state_root.b, &CH_COINBASE), 21000 * price);
    chain_exec_result_free(&r);
    block_free(&b);

    /* before SIP001 (at the parent number) the update buys gas like any tx:
     * the unfunded sender makes the block invalid */
    e.p.sip001_block = 1;
    ck_assert_int_eq(ch_build_block(&e.p, &e.store, &e.g.header, txs, 3, &b, &r), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "insufficient funds"));
    block_free(&b);
    free_txs(txs, 3);
    env_free(&e);
}
END_TEST

/* ---- gas pool and funding rules, one tx at a time --------------------------- */

/* Block 1 on the genesis state through the incremental API (the miner's). */
struct run {
    struct state *st;
    struct evm *evm;
    struct chain_exec_env env;
    struct header h;
    struct chain_exec *x;
};

static void run_begin(struct env *e, struct run *r)
{
    ck_assert_int_eq(state_open(&e->store, e->g.header.state_root.b, &r->st), 0);
    ck_assert_int_eq(evm_new(&r->evm), 0);
    r->env = (struct chain_exec_env){&e->p, r->evm, NULL, NULL, NULL};
    memset(&r->h, 0, sizeof r->h);
    r->h.number = 1;
    r->h.time = e->g.header.time + 1;
    r->h.gas_limit = e->g.header.gas_limit;
    r->h.coinbase = CH_COINBASE;
    ck_assert_int_eq(chain_exec_begin(&r->env, r->st, &r->h, &r->x), 0);
}

static int run_tx(struct run *r, const struct tx *t)
{
    struct address from;
    int rc = chain_tx_sender(r->env.params, r->h.number, t, &from);
    return rc ? rc : chain_exec_tx(r->x, t, &from);
}

static uint64_t run_balance(struct run *r, int key)
{
    uint8_t sk[32];
    struct address a;
    ch_key(key, sk, &a);
    u256 b;
    state_get_balance(r->st, &a, &b);
    return b.w[0];
}

static void run_end(struct run *r)
{
    chain_exec_abort(r->x);
    evm_free(r->evm);
    state_free(r->st);
}

START_TEST(gas_pool_from_sip001_only)
{
    struct env e;
    env_init(&e, 3);
    const uint64_t gl = e.g.header.gas_limit;
    uint8_t sk[32];
    struct address to;
    ch_key(9, sk, &to);
    uint8_t upd[36] = {0x1c, 0x1b, 0x87, 0x72};

    /* from SIP001 (regtest: block 0) the tx's gas is taken from the pool and
     * the unused part given back; a chief update takes none, whatever its
     * gas limit; a tx above what is left is invalid and changes nothing */
    struct run r;
    run_begin(&e, &r);
    struct tx t = ch_tx(0, 0, &to, 1, 50000, CH_GWEI, NULL, 0, e.p.chain_id);
    ck_assert_int_eq(run_tx(&r, &t), 0);
    tx_free(&t);
    ck_assert_uint_eq(chain_exec_gas_left(r.x), gl - 21000);
    t = ch_tx(1, 0, &CH_CHIEF, 0, gl + 1, CH_GWEI, upd, sizeof upd, e.p.chain_id);
    ck_assert_int_eq(run_tx(&r, &t), 0);
    tx_free(&t);
    ck_assert_uint_eq(chain_exec_gas_left(r.x), gl - 21000);
    ck_assert_uint_eq(run_balance(&r, 1), FUND); /* bought no gas */
    t = ch_tx(0, 1, &to, 1, gl - 21000 + 1, 1, NULL, 0, e.p.chain_id);
    ck_assert_int_eq(run_tx(&r, &t), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "gas limit reached"));
    tx_free(&t);
    ck_assert_uint_eq(chain_exec_gas_left(r.x), gl - 21000);
    ck_assert_uint_eq(run_balance(&r, 0), FUND - 1 - 21000 * CH_GWEI);
    run_end(&r);

    /* before SIP001 (at the parent number) the pool is neither checked nor
     * drawn, but the unused gas is still added to it (Spectrum's refundGas);
     * the update is an ordinary tx that pays its fee back to the sender */
    e.p.sip001_block = 1;
    run_begin(&e, &r);
    t = ch_tx(0, 0, &to, 1, gl + 1000, CH_GWEI, NULL, 0, e.p.chain_id);
    ck_assert_int_eq(run_tx(&r, &t), 0);
    tx_free(&t);
    ck_assert_uint_eq(chain_exec_gas_left(r.x), gl + (gl + 1000 - 21000));
    ck_assert_uint_eq(run_balance(&r, 0), FUND - 1 - 21000 * CH_GWEI);
    t = ch_tx(1, 0, &CH_CHIEF, 0, 100000, CH_GWEI, upd, sizeof upd, e.p.chain_id);
    ck_assert_int_eq(run_tx(&r, &t), 0);
    tx_free(&t);
    ck_assert_uint_eq(run_balance(&r, 1), FUND);
    run_end(&r);
    env_free(&e);
}
END_TEST

START_TEST(unfunded_chief_tx_refused_from_sip100)
{
    struct env e;
    env_init(&e, 3);
    unfund_key(&e, 2);
    uint8_t other[4] = {0x12, 0x34, 0x56, 0x78};
    uint8_t upd[36] = {0x1c, 0x1b, 0x87, 0x72};
    struct tx t = ch_tx(2, 0, &CH_CHIEF, 0, 100000, CH_GWEI, other, sizeof other,
                        e.p.chain_id);
    uint8_t sk[32];
    struct address from;
    ch_key(2, sk, &from);

    /* before SIP100: just invalid */
    struct run r;
    run_begin(&e, &r);
    ck_assert_int_eq(run_tx(&r, &t), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "insufficient funds"));
    run_end(&r);

    /* from SIP100 (at the parent number) Spectrum lets the balance go
     * negative: refused as unsupported, nothing changed yet */
    e.p.chief100_block = 0;
    run_begin(&e, &r);
    ck_assert_int_eq(run_tx(&r, &t), ERR_UNSUPPORTED);
    ck_assert_uint_eq(state_get_nonce(r.st, &from), 0);
    ck_assert_uint_eq(chain_exec_gas_left(r.x), e.g.header.gas_limit);
    /* an update from the same sender needs no funds */
    tx_free(&t);
    t = ch_tx(2, 0, &CH_CHIEF, 0, 100000, CH_GWEI, upd, sizeof upd, e.p.chain_id);
    ck_assert_int_eq(run_tx(&r, &t), 0);
    ck_assert_uint_eq(state_get_nonce(r.st, &from), 1);
    run_end(&r);
    /* a funded sender's tx to the chief is fine */
    run_begin(&e, &r);
    tx_free(&t);
    t = ch_tx(0, 0, &CH_CHIEF, 0, 100000, CH_GWEI, other, sizeof other, e.p.chain_id);
    ck_assert_int_eq(run_tx(&r, &t), 0);
    ck_assert_uint_eq(run_balance(&r, 0), FUND);
    run_end(&r);
    tx_free(&t);
    env_free(&e);
}
END_TEST

/* ---- Finalize --------------------------------------------------------------- */

static u256 smt(uint64_t milli)
{
    u256 a = u256_from_u64(milli), m = u256_from_u64(1000000000000000ull), r;
    u256_mul(&r, &a, &m);
    return r;
}

static u256 finalize_at(const struct chain_params *p, uint64_t n, const struct address *who,
                        const u256 *start, const struct address *coinbase)
{
    struct state *st;
    ck_assert_int_eq(state_open(NULL, NULL, &st), 0);
    state_set_balance(st, who, start);
    state_tx_finalize(st, true);
    struct header h;
    memset(&h, 0, sizeof h);
    h.number = n;
    h.coinbase = *coinbase;
    ck_assert_int_eq(chain_finalize(p, st, &h), 0);
    u256 b;
    state_get_balance(st, who, &b);
    state_free(st);
    return b;
}

START_TEST(rewards_with_halving)
{
    struct chain_params p = ch_params();
    p.chief100_block = 5;
    p.chiefs[1].start = 5;
    p.chiefs[1].addr = CH_REVERTER;
    p.chiefs[1].version = CHIEF_V1_0_0;
    p.nchiefs = 2;
    p.halving_interval = 3;
    ck_assert_int_eq(chain_params_check(&p), 0);
    u256 zero = u256_from_u64(0);
    struct { uint64_t n; uint64_t milli; } rows[] = {
        {4, 0}, {5, 35000}, {7, 35000}, {8, 17500}, {10, 17500}, {11, 8750}, {14, 4375},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        u256 got = finalize_at(&p, rows[i].n, &CH_COINBASE, &zero, &CH_COINBASE);
        u256 want = smt(rows[i].milli);
        ck_assert_msg(u256_eq(&got, &want), "block %llu", (unsigned long long)rows[i].n);
    }
    /* after 256 halvings nothing is paid */
    u256 got = finalize_at(&p, 5 + 3 * 256, &CH_COINBASE, &zero, &CH_COINBASE);
    ck_assert(u256_iszero(&got));
}
END_TEST

START_TEST(burn_only_on_mainnet_at_chief100)
{
    struct chain_params m = *chain_params_get(CHAIN_MAINNET);
    m.chiefs[0].start = 2;
    m.chiefs[1].start = 5;
    m.chiefs[2].start = 10;
    m.chief100_block = 10;
    ck_assert_int_eq(chain_params_check(&m), 0);
    ck_assert(m.burn_enabled);
    const struct address *acct = &m.burn_account;
    u256 plenty = m.burn_amount, extra = smt(1000), small = smt(7);
    u256_add(&plenty, &plenty, &extra);

    /* exactly at Chief100: burn_amount taken, capped at the balance */
    u256 got = finalize_at(&m, 10, acct, &plenty, &CH_COINBASE);
    ck_assert(u256_eq(&got, &extra));
    got = finalize_at(&m, 10, acct, &small, &CH_COINBASE);
    ck_assert(u256_iszero(&got));
    /* one block before or after: nothing */
    got = finalize_at(&m, 9, acct, &plenty, &CH_COINBASE);
    ck_assert(u256_eq(&got, &plenty));
    got = finalize_at(&m, 11, acct, &plenty, &CH_COINBASE);
    ck_assert(u256_eq(&got, &plenty));

    /* testnet-like parameters (burn disabled) at their Chief100: nothing */
    struct chain_params t = *chain_params_get(CHAIN_TESTNET);
    ck_assert(!t.burn_enabled);
    got = finalize_at(&t, t.chief100_block, acct, &plenty, &CH_COINBASE);
    ck_assert(u256_eq(&got, &plenty));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("processor");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, transfers_balances_receipts_roots);
    tcase_add_test(tc, invalid_and_unprotected_txs_reject_the_block);
    tcase_add_test(tc, chief_update_is_gas_free_and_fee_goes_to_sender);
    tcase_add_test(tc, gas_pool_from_sip001_only);
    tcase_add_test(tc, unfunded_chief_tx_refused_from_sip100);
    tcase_add_test(tc, rewards_with_halving);
    tcase_add_test(tc, burn_only_on_mainnet_at_chief100);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
