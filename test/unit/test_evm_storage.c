/*
 * test_evm_storage.c — SLOAD and SSTORE: values, prices per fork, refunds.
 * The EIP-1283 net-metering table (the test vectors published in the EIP)
 * must hold in Constantinople only; Petersburg and SIP004 price the same
 * code the legacy way (20000 to set, 5000 otherwise, 15000 refund to clear).
 */
#include <check.h>
#include <stdlib.h>

#include "evm_harness.h"
#include "state/state.h"

START_TEST(store_and_load)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    ck_assert_int_eq(h_run(&h, "PUSH 42 PUSH 7 SSTORE PUSH 7 SLOAD RET", 100000), EVM_SUCCESS);
    u256 w = h_word(&h);
    ck_assert(u256_eq(&w, &(u256){{42, 0, 0, 0}}));
    u256 v = h_sload(&h, &H_CONTRACT, 7);
    ck_assert_uint_eq(v.w[0], 42);
    /* a failed frame keeps nothing */
    ck_assert_int_eq(h_run(&h, "PUSH 43 PUSH 8 SSTORE INVALID", 100000), EVM_INVALID_INSTRUCTION);
    v = h_sload(&h, &H_CONTRACT, 8);
    ck_assert(u256_iszero(&v));
    h_free(&h);
}
END_TEST

START_TEST(sload_price_per_fork)
{
    struct harness h;
    h_init(&h, FORK_HOMESTEAD);
    ck_assert_int_eq(h_run(&h, "PUSH 0 SLOAD STOP", 100000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 3 + 50);
    h_free(&h);
    h_init(&h, FORK_TANGERINE); /* EIP-150 */
    ck_assert_int_eq(h_run(&h, "PUSH 0 SLOAD STOP", 100000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 3 + 200);
    h_free(&h);
}
END_TEST

/* EIP-1283's table: code, gas used, refund, original value of slot 0. */
static const struct {
    const char *code;
    uint64_t gas, refund, original;
} eip1283[] = {
    {"#60006000556000600055", 412, 0, 0},
    {"#60006000556001600055", 20212, 0, 0},
    {"#60016000556000600055", 20212, 19800, 0},
    {"#60016000556002600055", 20212, 0, 0},
    {"#60016000556001600055", 20212, 0, 0},
    {"#60006000556000600055", 5212, 15000, 1},
    {"#60006000556001600055", 5212, 4800, 1},
    {"#60006000556002600055", 5212, 0, 1},
    {"#60026000556000600055", 5212, 15000, 1},
    {"#60026000556003600055", 5212, 0, 1},
    {"#60026000556001600055", 5212, 4800, 1},
    {"#60026000556002600055", 5212, 0, 1},
    {"#60016000556000600055", 5212, 15000, 1},
    {"#60016000556002600055", 5212, 0, 1},
    {"#60016000556001600055", 412, 0, 1},
    {"#600160005560006000556001600055", 40218, 19800, 0},
    {"#600060005560016000556000600055", 10218, 19800, 1},
};

START_TEST(eip1283_net_metering_in_constantinople)
{
    for (size_t i = 0; i < sizeof eip1283 / sizeof eip1283[0]; i++) {
        struct harness h;
        h_init(&h, FORK_CONSTANTINOPLE);
        u256 orig = u256_from_u64(eip1283[i].original);
        if (eip1283[i].original)
            h_storage(&h, &H_CONTRACT, 0, &orig);
        ck_assert_int_eq(h_run(&h, eip1283[i].code, 100000), EVM_SUCCESS);
        ck_assert_msg(h.gas_used == eip1283[i].gas, "vector %zu: gas %llu, want %llu", i,
                      (unsigned long long)h.gas_used, (unsigned long long)eip1283[i].gas);
        ck_assert_msg(state_get_refund(h.st) == eip1283[i].refund, "vector %zu: refund %llu",
                      i, (unsigned long long)state_get_refund(h.st));
        h_free(&h);
    }
}
END_TEST

START_TEST(legacy_sstore_in_petersburg_and_sip004)
{
    enum evm_fork forks[] = {FORK_FRONTIER, FORK_BYZANTIUM, FORK_PETERSBURG, FORK_SIP004};
    for (size_t f = 0; f < sizeof forks / sizeof forks[0]; f++) {
        struct harness h;
        h_init(&h, forks[f]);
        /* 0 -> 1 -> 0: 20000 then 5000 with a 15000 refund */
        ck_assert_int_eq(h_run(&h, "#60016000556000600055", 100000), EVM_SUCCESS);
        ck_assert_uint_eq(h.gas_used, 12 + 20000 + 5000);
        ck_assert_uint_eq(state_get_refund(h.st), 15000);
        h_free(&h);
        /* writing the same value still costs 5000 */
        h_init(&h, forks[f]);
        u256 one = u256_from_u64(1);
        h_storage(&h, &H_CONTRACT, 0, &one);
        ck_assert_int_eq(h_run(&h, "#60016000556001600055", 100000), EVM_SUCCESS);
        ck_assert_uint_eq(h.gas_used, 12 + 5000 + 5000);
        ck_assert_uint_eq(state_get_refund(h.st), 0);
        h_free(&h);
    }
}
END_TEST

START_TEST(sstore_out_of_gas_keeps_nothing)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH 0 SSTORE STOP", 20005), EVM_OUT_OF_GAS);
    u256 v = h_sload(&h, &H_CONTRACT, 0);
    ck_assert(u256_iszero(&v));
    ck_assert_uint_eq(state_get_refund(h.st), 0);
    h_free(&h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("evm_storage");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, store_and_load);
    tcase_add_test(tc, sload_price_per_fork);
    tcase_add_test(tc, eip1283_net_metering_in_constantinople);
    tcase_add_test(tc, legacy_sstore_in_petersburg_and_sip004);
    tcase_add_test(tc, sstore_out_of_gas_keeps_nothing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
