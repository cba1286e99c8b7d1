/*
 * test_processor.c — block execution (chain/processor.h): a block of signed
 * transfers gives the expected balances, receipts and roots, and a second
 * execution reproduces them; the header check fails when any computed field
 * is altered; invalid and (from SIP003) unprotected transactions reject the
 * block; the chief update tx is gas-free and adds nothing to the cumulative
 * gas; any tx to a chief address pays its fee back to the sender; Finalize
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

START_TEST(chief_update_is_gas_free_and_fee_goes_to_sender)
{
    struct env e;
    env_init(&e, 3);
    /* key 2 has no funds: the update needs none */
    e.g.alloc[2].balance = u256_from_u64(0);
    trie_memstore_free(e.ms);
    e.ms = trie_memstore_new();
    e.store = trie_memstore_store(e.ms);
    ck_assert_int_eq(genesis_build(&e.g, &e.store), 0);

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
    tcase_add_test(tc, rewards_with_halving);
    tcase_add_test(tc, burn_only_on_mainnet_at_chief100);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
