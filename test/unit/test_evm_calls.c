/*
 * test_evm_calls.c — the CALL family: value transfer and its stipend, the
 * new-account price before and after EIP-158, the 63/64 rule of EIP-150
 * (and Frontier's all-or-nothing), the 1024 call-depth limit, the contexts
 * of CALLCODE and DELEGATECALL, STATICCALL and what it forbids, REVERT and
 * RETURNDATA (EIP-140/211), and precompile dispatch per fork.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "evm_harness.h"
#include "state/state.h"

#define OTHER "0x074e120000000000000000000000000000000000"
#define MAXW "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static uint64_t balance_of(struct harness *h, const struct address *a)
{
    u256 b;
    state_get_balance(h->st, a, &b);
    return b.w[0];
}

START_TEST(value_transfer_and_stipend)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    h_balance(&h, &H_CONTRACT, 1000);
    /* CALL(gas 0, OTHER, value 10): 700 + 9000 + 25000 (new account), the
     * 2300 stipend is free and comes back unused. */
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 10 PUSH20 " OTHER
                               " PUSH 0 CALL RET",
                           100000),
                     EVM_SUCCESS);
    ck_assert_uint_eq(h_word(&h).w[0], 1);
    ck_assert_uint_eq(balance_of(&h, &H_OTHER), 10);
    ck_assert_uint_eq(balance_of(&h, &H_CONTRACT), 990);
    ck_assert_uint_eq(h.gas_used, 21 + 700 + 9000 + 25000 - 2300 + 15); /* 15: RET */
    /* more value than the balance: the call fails, the gas comes back */
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 5000 PUSH20 " OTHER
                               " PUSH 1000 CALL RET",
                           100000),
                     EVM_SUCCESS);
    ck_assert_uint_eq(h_word(&h).w[0], 0);
    ck_assert_uint_eq(balance_of(&h, &H_OTHER), 10);
    h_free(&h);
}
END_TEST

START_TEST(new_account_price_per_fork)
{
    /* CALL without value to a missing account: 25000 and an empty account
     * before EIP-158; nothing after. */
    const char *code = "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH20 " OTHER " PUSH 0 CALL STOP";
    struct harness h;
    h_init(&h, FORK_TANGERINE);
    ck_assert_int_eq(h_run(&h, code, 100000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 21 + 700 + 25000);
    ck_assert(state_exists(h.st, &H_OTHER));
    h_free(&h);
    h_init(&h, FORK_SPURIOUS);
    ck_assert_int_eq(h_run(&h, code, 100000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 21 + 700);
    ck_assert(!state_exists(h.st, &H_OTHER));
    h_free(&h);
    h_init(&h, FORK_FRONTIER);
    ck_assert_int_eq(h_run(&h, code, 100000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 21 + 40 + 25000);
    h_free(&h);
}
END_TEST

/* The callee returns the gas it was given (GAS right away, plus 2). */
START_TEST(all_but_one_64th)
{
    struct harness h;
    h_init(&h, FORK_TANGERINE);
    h_code(&h, &H_OTHER, "GAS RET");
    const char *code = "PUSH 32 PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH20 " OTHER " PUSH32 " MAXW
                       " CALL POP PUSH 0 MLOAD RET";
    uint64_t g = 1000000;
    ck_assert_int_eq(h_run(&h, code, g), EVM_SUCCESS);
    uint64_t at_call = g - 21 - 700 - 3; /* pushes, CALL, one word of memory */
    uint64_t given = at_call - at_call / 64;
    ck_assert_uint_eq(h_word(&h).w[0], given - 2);
    h_free(&h);
    /* Frontier: asking for more than is left is out of gas */
    h_init(&h, FORK_FRONTIER);
    h_code(&h, &H_OTHER, "GAS RET");
    ck_assert_int_eq(h_run(&h, code, g), EVM_OUT_OF_GAS);
    ck_assert_uint_eq(h.gas_used, g);
    ck_assert_int_eq(h_run(&h, "PUSH 32 PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH20 " OTHER
                               " PUSH 5000 CALL POP PUSH 0 MLOAD RET",
                           g),
                     EVM_SUCCESS);
    ck_assert_uint_eq(h_word(&h).w[0], 5000 - 2);
    h_free(&h);
}
END_TEST

/* Recursion: each frame stores its depth + 1 in slot 0 and calls itself. */
static void *deep_recursion(void *arg)
{
    enum evm_fork fork = *(enum evm_fork *)arg;
    struct harness h;
    h_init(&h, fork);
    h_code(&h, &H_CONTRACT, "PUSH 0 CALLDATALOAD PUSH 1 ADD DUP1 PUSH 0 SSTORE PUSH 0 MSTORE "
                            "PUSH 0 PUSH 0 PUSH 32 PUSH 0 PUSH 0 ADDRESS GAS CALL STOP");
    uint8_t zero[32] = {0};
    ck_assert_int_eq(h_call_value(&h, (uint64_t)1 << 50, 0, zero, 32), EVM_SUCCESS);
    u256 v = h_sload(&h, &H_CONTRACT, 0);
    ck_assert_uint_eq(v.w[0], EVM_MAX_DEPTH + 1); /* depths 0..1024 ran */
    h_free(&h);
    return NULL;
}

START_TEST(call_depth_limit)
{
    enum evm_fork forks[] = {FORK_TANGERINE, FORK_SIP004};
    for (int i = 0; i < 2; i++) {
        pthread_attr_t attr;
        pthread_t t;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, EVM_THREAD_STACK);
        ck_assert_int_eq(pthread_create(&t, &attr, deep_recursion, &forks[i]), 0);
        pthread_join(t, NULL);
        pthread_attr_destroy(&attr);
    }
}
END_TEST

START_TEST(callcode_and_delegatecall_contexts)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    /* OTHER's code stores CALLER in slot 1 and CALLVALUE in slot 2 of
     * whatever storage it runs on */
    h_code(&h, &H_OTHER, "CALLER PUSH 1 SSTORE CALLVALUE PUSH 2 SSTORE STOP");
    h_balance(&h, &H_SENDER, 100);
    h_code(&h, &H_CONTRACT, "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH20 " OTHER
                            " GAS DELEGATECALL STOP");
    ck_assert_int_eq(h_call_value(&h, 200000, 7, NULL, 0), EVM_SUCCESS);
    u256 c = h_sload(&h, &H_CONTRACT, 1), v = h_sload(&h, &H_CONTRACT, 2), o;
    ck_assert_uint_eq(c.w[2] >> 24, 0x5e); /* the original sender */
    ck_assert_uint_eq(v.w[0], 7);          /* the original value */
    o = h_sload(&h, &H_OTHER, 1);
    ck_assert(u256_iszero(&o));
    h_free(&h);

    h_init(&h, FORK_BYZANTIUM);
    h_code(&h, &H_OTHER, "CALLER PUSH 1 SSTORE CALLVALUE PUSH 2 SSTORE STOP");
    h_balance(&h, &H_CONTRACT, 100);
    h_code(&h, &H_CONTRACT, "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 3 PUSH20 " OTHER
                            " GAS CALLCODE STOP");
    ck_assert_int_eq(h_call(&h, 200000), EVM_SUCCESS);
    c = h_sload(&h, &H_CONTRACT, 1);
    v = h_sload(&h, &H_CONTRACT, 2);
    ck_assert_uint_eq(c.w[2] >> 24, 0xc0); /* the contract itself */
    ck_assert_uint_eq(v.w[0], 3);
    ck_assert_uint_eq(balance_of(&h, &H_CONTRACT), 100); /* nothing moved */
    ck_assert_uint_eq(balance_of(&h, &H_OTHER), 0);
    h_free(&h);
}
END_TEST

/* STATICCALL into OTHER running `callee`; returns the call's success. */
static uint64_t static_call(const char *callee)
{
    struct harness h;
    h_init(&h, FORK_CONSTANTINOPLE);
    h_code(&h, &H_OTHER, callee);
    h_balance(&h, &H_OTHER, 50);
    u256 w = h_eval(&h, "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH20 " OTHER " GAS STATICCALL");
    u256 s = h_sload(&h, &H_OTHER, 0);
    ck_assert(u256_iszero(&s));
    h_free(&h);
    return w.w[0];
}

START_TEST(staticcall_forbids_state_changes)
{
    ck_assert_uint_eq(static_call("PUSH 0 SLOAD POP PUSH 1 BALANCE STOP"), 1);
    ck_assert_uint_eq(static_call("PUSH 1 PUSH 0 SSTORE STOP"), 0);
    ck_assert_uint_eq(static_call("PUSH 0 PUSH 0 LOG0 STOP"), 0);
    ck_assert_uint_eq(static_call("PUSH 0 PUSH 0 PUSH 0 CREATE STOP"), 0);
    ck_assert_uint_eq(static_call("PUSH 0 PUSH 0 PUSH 0 PUSH 0 CREATE2 STOP"), 0);
    ck_assert_uint_eq(static_call("PUSH 0 SELFDESTRUCT"), 0);
    /* a CALL with value is a change; without value it is not */
    ck_assert_uint_eq(static_call("PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 1 PUSH 5 GAS CALL STOP"), 0);
    ck_assert_uint_eq(static_call("PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 5 GAS CALL STOP"), 1);
    /* nor may a nested frame change anything */
    ck_assert_uint_eq(static_call("PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 0 ADDRESS GAS CALL "
                                  "PUSH 0 SLOAD PUSH 1 ADD PUSH 0 SSTORE STOP"),
                      0);
}
END_TEST

START_TEST(revert_and_returndata)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    /* OTHER reverts with 2 bytes of data after storing */
    h_code(&h, &H_OTHER, "PUSH 1 PUSH 0 SSTORE PUSH2 0xbeef PUSH 0 MSTORE PUSH 2 PUSH 30 REVERT");
    /* call it: result 0, RETURNDATASIZE 2, the data, gas not all gone */
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH20 " OTHER
                               " PUSH 50000 CALL PUSH 0 MSTORE RETURNDATASIZE PUSH 32 MSTORE "
                               "PUSH 2 PUSH 0 PUSH 64 RETURNDATACOPY PUSH 96 PUSH 0 RETURN",
                           100000),
                     EVM_SUCCESS);
    ck_assert_uint_eq(h.res.output_len, 96);
    ck_assert_uint_eq(h.res.output[31], 0);
    ck_assert_uint_eq(h.res.output[63], 2);
    ck_assert_uint_eq(h.res.output[64], 0xbe);
    ck_assert_uint_eq(h.res.output[65], 0xef);
    ck_assert_uint_lt(h.gas_used, 50000); /* the callee's unused gas came back */
    u256 s = h_sload(&h, &H_OTHER, 0);
    ck_assert(u256_iszero(&s));
    /* copying past the end of the return data fails the frame */
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH20 " OTHER
                               " PUSH 50000 CALL PUSH 3 PUSH 0 PUSH 0 RETURNDATACOPY STOP",
                           100000),
                     EVM_RETURNDATA_OOB);
    ck_assert_uint_eq(h.gas_used, 100000);
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 3 PUSH 0 RETURNDATACOPY STOP", 100000),
                     EVM_RETURNDATA_OOB);
    /* REVERT at the top: output kept, unused gas returned, state undone */
    ck_assert_int_eq(h_run(&h, "PUSH 9 PUSH 0 SSTORE PUSH 7 PUSH 0 MSTORE PUSH 32 PUSH 0 REVERT",
                           100000),
                     EVM_REVERT);
    ck_assert_uint_eq(h.res.gas_left, 100000 - 6 - 20000 - 6 - 6 - 6);
    ck_assert_uint_eq(h_word(&h).w[0], 7);
    s = h_sload(&h, &H_CONTRACT, 0);
    ck_assert(u256_iszero(&s));
    h_free(&h);
}
END_TEST

START_TEST(precompiles_per_fork)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    /* identity (0x04) echoes its input: 15 + 3 per word */
    ck_assert_int_eq(h_run(&h, "PUSH 0x1234 PUSH 0 MSTORE PUSH 32 PUSH 32 PUSH 32 PUSH 0 PUSH 0 "
                               "PUSH 4 GAS CALL POP PUSH 32 MLOAD RET",
                           100000),
                     EVM_SUCCESS);
    ck_assert_uint_eq(h_word(&h).w[0], 0x1234);
    /* sha256 (0x02) of nothing */
    u256 w = h_eval(&h, "PUSH 32 PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 2 GAS CALL POP PUSH 0 MLOAD");
    u256 want = h_u("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ck_assert(u256_eq(&w, &want));
    /* too little gas for the precompile: the call fails, its gas is gone */
    w = h_eval(&h, "PUSH 0 PUSH 0 PUSH 32 PUSH 0 PUSH 0 PUSH 4 PUSH 17 CALL");
    ck_assert_uint_eq(w.w[0], 0);
    h_free(&h);
    /* modexp (0x05) is Byzantium's: 0 ^ 0 mod 1 (one byte 0x00) over a 0xff
     * there; before Byzantium 0x05 is an empty account and writes nothing */
    const char *modexp = "PUSH 1 PUSH 64 MSTORE PUSH 0xff PUSH 96 MSTORE8 PUSH 1 PUSH 96 "
                         "PUSH 96 PUSH 0 PUSH 0 PUSH 5 GAS CALL POP PUSH 96 MLOAD";
    h_init(&h, FORK_BYZANTIUM);
    w = h_eval(&h, modexp);
    ck_assert_uint_eq(w.w[3] >> 56, 0x00);
    h_free(&h);
    h_init(&h, FORK_SPURIOUS);
    w = h_eval(&h, modexp);
    ck_assert_uint_eq(w.w[3] >> 56, 0xff);
    h_free(&h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("evm_calls");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, value_transfer_and_stipend);
    tcase_add_test(tc, new_account_price_per_fork);
    tcase_add_test(tc, all_but_one_64th);
    tcase_add_test(tc, call_depth_limit);
    tcase_add_test(tc, callcode_and_delegatecall_contexts);
    tcase_add_test(tc, staticcall_forbids_state_changes);
    tcase_add_test(tc, revert_and_returndata);
    tcase_add_test(tc, precompiles_per_fork);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
