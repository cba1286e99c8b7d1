/*
 * test_evm_tx.c — the transaction level (evm/transaction.h) and the
 * machinery around the interpreter: validity checks that leave the state
 * untouched, buying gas and paying the coinbase, intrinsic gas (data bytes,
 * creation from Homestead), the refund cap of half the gas used, EIP-161's
 * deletion of touched empty accounts, logs in the result; the jump
 * destination analysis and its cache; the EIP-3155 trace; and the
 * metering switch Spectrum's chief contracts need.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evm/analysis.h"
#include "evm/internal.h"
#include "evm/transaction.h"
#include "evm_harness.h"
#include "state/state.h"
#include "util/err.h"

static uint64_t bal(struct harness *h, const struct address *a)
{
    u256 b;
    state_get_balance(h->st, a, &b);
    ck_assert(u256_fits_u64(&b));
    return b.w[0];
}

static struct tx simple_tx(uint64_t nonce, uint64_t gas, uint64_t price, uint64_t value)
{
    struct tx t;
    memset(&t, 0, sizeof t);
    t.nonce = nonce;
    t.gas = gas;
    t.gas_price = u256_from_u64(price);
    t.value = u256_from_u64(value);
    t.has_to = true;
    t.to = H_OTHER;
    return t;
}

static int apply(struct harness *h, const struct tx *t, uint64_t *pool, struct evm_tx_result *r)
{
    return evm_apply_tx(h->evm, h->st, h->fork, &h->block, t, &H_SENDER, pool, r);
}

START_TEST(transfer_pays_gas_and_coinbase)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    h_balance(&h, &H_SENDER, 1000000);
    struct tx t = simple_tx(0, 21000, 10, 100);
    uint64_t pool = 8000000;
    struct evm_tx_result r;
    ck_assert_int_eq(apply(&h, &t, &pool, &r), 0);
    ck_assert_int_eq(r.status, EVM_SUCCESS);
    ck_assert_uint_eq(r.gas_used, 21000);
    ck_assert_uint_eq(pool, 8000000 - 21000);
    ck_assert_uint_eq(bal(&h, &H_SENDER), 1000000 - 210000 - 100);
    ck_assert_uint_eq(bal(&h, &H_OTHER), 100);
    ck_assert_uint_eq(bal(&h, &H_COINBASE), 210000);
    ck_assert_uint_eq(state_get_nonce(h.st, &H_SENDER), 1);
    evm_tx_result_free(&r);
    h_free(&h);
}
END_TEST

START_TEST(invalid_transactions_change_nothing)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    h_balance(&h, &H_SENDER, 210099);
    struct evm_tx_result r;
    uint64_t pool = 8000000;
    struct tx bad[] = {
        simple_tx(1, 21000, 10, 0),     /* nonce too high */
        simple_tx(0, 21000, 10, 100),   /* 210100 needed, 210099 there */
        simple_tx(0, 20999, 1, 0),      /* below the intrinsic gas */
        simple_tx(0, 8000001, 0, 0),    /* more than the block has left */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(apply(&h, &bad[i], &pool, &r) == ERR_INVAL, "case %zu", i);
        ck_assert_uint_eq(pool, 8000000);
        ck_assert_uint_eq(bal(&h, &H_SENDER), 210099);
        ck_assert_uint_eq(state_get_nonce(h.st, &H_SENDER), 0);
        ck_assert(!state_exists(h.st, &H_COINBASE));
    }
    /* gas * price overflowing 256 bits is just too expensive */
    struct tx huge = simple_tx(0, 21000, 0, 0);
    huge.gas_price = h_u("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    ck_assert_int_eq(apply(&h, &huge, &pool, &r), ERR_INVAL);
    /* the exact amount is enough */
    struct tx ok = simple_tx(0, 21000, 10, 99);
    ck_assert_int_eq(apply(&h, &ok, &pool, &r), 0);
    ck_assert_uint_eq(bal(&h, &H_SENDER), 0);
    evm_tx_result_free(&r);
    /* nonce too low now */
    ck_assert_int_eq(apply(&h, &ok, &pool, &r), ERR_INVAL);
    h_free(&h);
}
END_TEST

START_TEST(intrinsic_gas)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    h_balance(&h, &H_SENDER, 10000000);
    uint8_t data[4] = {0, 1, 0, 2};
    struct tx t = simple_tx(0, 100000, 1, 0);
    t.data = data;
    t.data_len = sizeof data;
    uint64_t pool = 8000000;
    struct evm_tx_result r;
    ck_assert_int_eq(apply(&h, &t, &pool, &r), 0);
    ck_assert_uint_eq(r.gas_used, 21000 + 2 * 4 + 2 * 68);
    evm_tx_result_free(&r);
    h_free(&h);
    /* creation: 21000 in Frontier, 53000 from Homestead */
    enum evm_fork forks[] = {FORK_FRONTIER, FORK_HOMESTEAD};
    uint64_t want[] = {21000, 53000};
    for (int i = 0; i < 2; i++) {
        h_init(&h, forks[i]);
        h_balance(&h, &H_SENDER, 10000000);
        struct tx c = simple_tx(0, 100000, 1, 0);
        c.has_to = false;
        pool = 8000000;
        ck_assert_int_eq(apply(&h, &c, &pool, &r), 0);
        ck_assert_uint_eq(r.gas_used, want[i]);
        ck_assert(r.created);
        struct address a;
        evm_create_address(&H_SENDER, 0, &a);
        ck_assert(address_eq(&a, &r.contract));
        ck_assert(state_exists(h.st, &a));
        ck_assert_uint_eq(state_get_nonce(h.st, &H_SENDER), 1);
        evm_tx_result_free(&r);
        h_free(&h);
    }
}
END_TEST

START_TEST(refund_is_capped_at_half)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    h_balance(&h, &H_SENDER, 10000000);
    h_code(&h, &H_OTHER, "PUSH 0 PUSH 0 SSTORE STOP");
    u256 one = u256_from_u64(1);
    h_storage(&h, &H_OTHER, 0, &one);
    struct tx t = simple_tx(0, 100000, 1, 0);
    uint64_t pool = 8000000;
    struct evm_tx_result r;
    ck_assert_int_eq(apply(&h, &t, &pool, &r), 0);
    uint64_t used = 21000 + 6 + 5000;
    ck_assert_uint_eq(r.refund, used / 2); /* 15000 earned, 13003 paid */
    ck_assert_uint_eq(r.gas_used, used - used / 2);
    ck_assert_uint_eq(bal(&h, &H_SENDER), 10000000 - (used - used / 2));
    ck_assert_uint_eq(state_get_refund(h.st), 0); /* finalised */
    evm_tx_result_free(&r);
    h_free(&h);
}
END_TEST

START_TEST(touched_empty_accounts_go_from_spurious_dragon)
{
    enum evm_fork forks[] = {FORK_TANGERINE, FORK_SPURIOUS};
    for (int i = 0; i < 2; i++) {
        struct harness h;
        h_init(&h, forks[i]);
        h_balance(&h, &H_SENDER, 10000000);
        state_create_account(h.st, &H_OTHER); /* exists, empty */
        state_tx_finalize(h.st, false);
        struct tx t = simple_tx(0, 21000, 1, 0);
        uint64_t pool = 8000000;
        struct evm_tx_result r;
        ck_assert_int_eq(apply(&h, &t, &pool, &r), 0);
        ck_assert(state_exists(h.st, &H_OTHER) == (forks[i] < FORK_SPURIOUS));
        evm_tx_result_free(&r);
        h_free(&h);
    }
}
END_TEST

START_TEST(logs_in_the_result)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    h_balance(&h, &H_SENDER, 10000000);
    h_code(&h, &H_OTHER, "PUSH 0x77 PUSH 0 PUSH 0 LOG1 STOP");
    struct tx t = simple_tx(0, 100000, 1, 0);
    uint64_t pool = 8000000;
    struct evm_tx_result r;
    ck_assert_int_eq(apply(&h, &t, &pool, &r), 0);
    ck_assert_uint_eq(r.log_count, 1);
    ck_assert_uint_eq(r.logs[0].topic_count, 1);
    ck_assert_uint_eq(r.logs[0].topics[0].b[31], 0x77);
    evm_tx_result_free(&r);
    /* a failed transaction is included, uses all its gas, keeps no log */
    h_code(&h, &H_OTHER, "PUSH 0x77 PUSH 0 PUSH 0 LOG1 INVALID");
    t = simple_tx(1, 100000, 1, 0);
    ck_assert_int_eq(apply(&h, &t, &pool, &r), 0);
    ck_assert_int_eq(r.status, EVM_INVALID_INSTRUCTION);
    ck_assert_uint_eq(r.gas_used, 100000);
    ck_assert_uint_eq(r.log_count, 0);
    ck_assert_uint_eq(state_get_nonce(h.st, &H_SENDER), 2);
    evm_tx_result_free(&r);
    h_free(&h);
}
END_TEST

START_TEST(jumpdest_analysis_and_cache)
{
    struct code_analysis a = CODE_ANALYSIS_INIT;
    uint8_t code[] = {0x60, 0x5b, 0x5b, 0x7f}; /* PUSH1 0x5b, JUMPDEST, PUSH32 (cut) */
    ck_assert_int_eq(code_analysis_build(&a, code, sizeof code), 0);
    ck_assert(!code_analysis_jumpdest(&a, 0));
    ck_assert(!code_analysis_jumpdest(&a, 1));
    ck_assert(code_analysis_jumpdest(&a, 2));
    ck_assert(!code_analysis_jumpdest(&a, 3));
    ck_assert(!code_analysis_jumpdest(&a, 1000));
    for (size_t i = 0; i < ANALYSIS_PAD; i++)
        ck_assert_uint_eq(a.code[sizeof code + i], 0);
    code_analysis_free(&a);

    /* one analysis per code hash, reused across calls */
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    h_code(&h, &H_CONTRACT, "PUSH 1 RET");
    h_code(&h, &H_OTHER, "PUSH 1 RET");
    ck_assert_int_eq(h_call(&h, 10000), EVM_SUCCESS);
    ck_assert_int_eq(h_call(&h, 10000), EVM_SUCCESS);
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH20 "
                               "0x074e120000000000000000000000000000000000 GAS CALL",
                           100000),
                     EVM_SUCCESS);
    ck_assert_uint_eq(analysis_cache_count(h.evm->cache), 2);
    h_free(&h);
}
END_TEST

START_TEST(eip3155_trace)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    evm_set_trace(h.evm, f);
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH 2 ADD PUSH 0 MSTORE STOP", 1000), EVM_SUCCESS);
    evm_set_trace(h.evm, NULL);
    fclose(f);
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    ck_assert_int_eq(lines, 6);
    ck_assert_ptr_nonnull(strstr(buf, "{\"pc\":0,\"op\":96,\"gas\":\"0x3e8\",\"gasCost\":\"0x3\","
                                      "\"memSize\":0,\"stack\":[],\"depth\":1,\"refund\":0,"
                                      "\"opName\":\"PUSH1\"}"));
    ck_assert_ptr_nonnull(strstr(buf, "\"pc\":4,\"op\":1,\"gas\":\"0x3e2\",\"gasCost\":\"0x3\","
                                      "\"memSize\":0,\"stack\":[\"0x1\",\"0x2\"]"));
    /* MSTORE's cost includes the memory it grew */
    ck_assert_ptr_nonnull(strstr(buf, "\"gasCost\":\"0x6\",\"memSize\":0,\"stack\":[\"0x3\",\"0x0\"]"));
    ck_assert_ptr_nonnull(strstr(buf, "\"memSize\":32,\"stack\":[],\"depth\":1,\"refund\":0,"
                                      "\"opName\":\"STOP\""));
    free(buf);
    h_free(&h);
}
END_TEST

START_TEST(gas_metering_switch)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    h_code(&h, &H_CONTRACT, "PUSH 1 PUSH 0 SSTORE PUSH 1 PUSH 5000 MSTORE STOP");
    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = EVM_CALL;
    m.gas = 100;
    m.sender = H_SENDER;
    m.recipient = H_CONTRACT;
    m.code_address = H_CONTRACT;
    struct evm_result r;
    evm_set_context(h.evm, h.st, h.fork, &h.block, &h.tx);
    ck_assert(evm_gas_metering(h.evm));
    evm_set_gas_metering(h.evm, false);
    ck_assert_int_eq(evm_execute(h.evm, &m, &r), 0);
    ck_assert_int_eq(r.status, EVM_SUCCESS);
    ck_assert_uint_eq(r.gas_left, 100);
    u256 v = h_sload(&h, &H_CONTRACT, 0);
    ck_assert_uint_eq(v.w[0], 1);
    /* back on (evm_set_context also resets it): the same code runs out */
    evm_set_gas_metering(h.evm, true);
    ck_assert_int_eq(evm_execute(h.evm, &m, &r), 0);
    ck_assert_int_eq(r.status, EVM_OUT_OF_GAS);
    h_free(&h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("evm_tx");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, transfer_pays_gas_and_coinbase);
    tcase_add_test(tc, invalid_transactions_change_nothing);
    tcase_add_test(tc, intrinsic_gas);
    tcase_add_test(tc, refund_is_capped_at_half);
    tcase_add_test(tc, touched_empty_accounts_go_from_spurious_dragon);
    tcase_add_test(tc, logs_in_the_result);
    tcase_add_test(tc, jumpdest_analysis_and_cache);
    tcase_add_test(tc, eip3155_trace);
    tcase_add_test(tc, gas_metering_switch);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
