/*
 * test_evm_control.c — control flow and the frame's limits: JUMP/JUMPI to
 * valid and invalid destinations (including a JUMPDEST byte inside PUSH
 * data), PC, running off the end of the code, stack underflow and the 1024
 * item limit, the designated INVALID and undefined opcodes (all gas gone),
 * DUP/SWAP depth, and LOG0..LOG4 (topics, data, price, what a failure
 * keeps).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evm_harness.h"
#include "state/state.h"

START_TEST(jumps)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    u256 w = h_eval(&h, "PUSH 1 PUSH2 :x JUMP PUSH 2 @x");
    ck_assert_uint_eq(w.w[0], 1);
    w = h_eval(&h, "PUSH 1 PUSH 0 PUSH2 :x JUMPI PUSH 2 @x");
    ck_assert_uint_eq(w.w[0], 2);
    w = h_eval(&h, "PUSH 1 PUSH 1 PUSH2 :x JUMPI PUSH 2 @x");
    ck_assert_uint_eq(w.w[0], 1);
    /* JUMP's price 8, JUMPI's 10, JUMPDEST's 1 */
    ck_assert_int_eq(h_run(&h, "PUSH2 :x JUMP @x STOP", 1000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 3 + 8 + 1);
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH2 :x JUMPI @x STOP", 1000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 6 + 10 + 1);
    h_free(&h);
}
END_TEST

START_TEST(bad_jumps_consume_all_gas)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    /* to a plain instruction */
    ck_assert_int_eq(h_run(&h, "PUSH 3 JUMP STOP STOP", 5000), EVM_BAD_JUMP);
    ck_assert_uint_eq(h.gas_used, 5000);
    /* to a 0x5b byte that is PUSH data */
    ck_assert_int_eq(h_run(&h, "PUSH1 0x5b PUSH 1 JUMP", 5000), EVM_BAD_JUMP);
    /* past the end, and beyond 64 bits */
    ck_assert_int_eq(h_run(&h, "PUSH 200 JUMP", 5000), EVM_BAD_JUMP);
    ck_assert_int_eq(h_run(&h, "PUSH9 0x010000000000000000 JUMP JUMPDEST", 5000), EVM_BAD_JUMP);
    /* JUMPI checks the destination only when it jumps */
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 200 JUMPI STOP", 5000), EVM_SUCCESS);
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH 200 JUMPI STOP", 5000), EVM_BAD_JUMP);
    h_free(&h);
}
END_TEST

START_TEST(pc_and_end_of_code)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    u256 w = h_eval(&h, "PUSH 0 POP PC");
    ck_assert_uint_eq(w.w[0], 3);
    /* falling off the end is STOP: success, no output, gas returned */
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH 2", 1000), EVM_SUCCESS);
    ck_assert_uint_eq(h.res.output_len, 0);
    ck_assert_uint_eq(h.gas_used, 6);
    /* a PUSH cut short by the end reads zeros */
    ck_assert_int_eq(h_run(&h, "#61ff", 1000), EVM_SUCCESS);
    h_free(&h);
}
END_TEST

START_TEST(stack_limits)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    ck_assert_int_eq(h_run(&h, "ADD", 1000), EVM_STACK_UNDERFLOW);
    ck_assert_uint_eq(h.gas_used, 1000);
    ck_assert_int_eq(h_run(&h, "PUSH 1 ADD", 1000), EVM_STACK_UNDERFLOW);
    ck_assert_int_eq(h_run(&h, "PUSH 1 DUP2", 1000), EVM_STACK_UNDERFLOW);
    ck_assert_int_eq(h_run(&h, "PUSH 1 SWAP1", 1000), EVM_STACK_UNDERFLOW);
    /* 1024 items fit, the 1025th does not */
    char *src = malloc(1025 * 4 + 16);
    ck_assert_ptr_nonnull(src);
    src[0] = 0;
    for (int i = 0; i < 1024; i++)
        strcat(src, "PC ");
    ck_assert_int_eq(h_run(&h, src, 100000), EVM_SUCCESS);
    strcat(src, "PC");
    ck_assert_int_eq(h_run(&h, src, 100000), EVM_STACK_OVERFLOW);
    ck_assert_uint_eq(h.gas_used, 100000);
    free(src);
    h_free(&h);
}
END_TEST

START_TEST(dup_swap)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    char src[512] = "";
    for (int i = 16; i >= 1; i--) {
        char t[16];
        snprintf(t, sizeof t, "PUSH %d ", i);
        strcat(src, t);
    }
    char s2[600];
    snprintf(s2, sizeof s2, "%s DUP16", src);
    ck_assert_uint_eq(h_eval(&h, s2).w[0], 16);
    snprintf(s2, sizeof s2, "%s PUSH 99 SWAP16", src);
    ck_assert_uint_eq(h_eval(&h, s2).w[0], 16);
    snprintf(s2, sizeof s2, "%s PUSH 99 SWAP16 POP", src);
    ck_assert_uint_eq(h_eval(&h, s2).w[0], 1);
    h_free(&h);
}
END_TEST

START_TEST(invalid_and_undefined_opcodes)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    ck_assert_int_eq(h_run(&h, "PUSH 1 INVALID", 7777), EVM_INVALID_INSTRUCTION);
    ck_assert_uint_eq(h.gas_used, 7777);
    ck_assert_int_eq(h_run(&h, "#0c", 7777), EVM_INVALID_INSTRUCTION);
    ck_assert_int_eq(h_run(&h, "#21", 7777), EVM_INVALID_INSTRUCTION);
    ck_assert_int_eq(h_run(&h, "#5c", 7777), EVM_INVALID_INSTRUCTION);
    ck_assert_int_eq(h_run(&h, "#ef", 7777), EVM_INVALID_INSTRUCTION);
    h_free(&h);
    /* REVERT, RETURNDATASIZE and STATICCALL are Byzantium's, DELEGATECALL
     * Homestead's, CREATE2 Constantinople's */
    h_init(&h, FORK_SPURIOUS);
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 0 REVERT", 1000), EVM_INVALID_INSTRUCTION);
    ck_assert_int_eq(h_run(&h, "RETURNDATASIZE", 1000), EVM_INVALID_INSTRUCTION);
    h_free(&h);
    h_init(&h, FORK_FRONTIER);
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 0 DELEGATECALL", 1000),
                     EVM_INVALID_INSTRUCTION);
    h_free(&h);
    h_init(&h, FORK_BYZANTIUM);
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 0 PUSH 0 PUSH 0 CREATE2", 100000),
                     EVM_INVALID_INSTRUCTION);
    h_free(&h);
}
END_TEST

START_TEST(logs)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    /* LOG2 of memory[0..3] = "abc" with topics 0x11, 0x22 */
    ck_assert_int_eq(h_run(&h, "PUSH3 0x616263 PUSH 0 MSTORE PUSH 0x22 PUSH 0x11 PUSH 3 PUSH 29 LOG2 STOP",
                           100000),
                     EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 3 + 3 + 3 + 3 + 3 + 3 + 3 + 3 + 375 + 2 * 375 + 3 * 8);
    size_t n;
    const struct log *l = state_logs(h.st, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert(address_eq(&l[0].address, &H_CONTRACT));
    ck_assert_uint_eq(l[0].topic_count, 2);
    ck_assert_uint_eq(l[0].topics[0].b[31], 0x11);
    ck_assert_uint_eq(l[0].topics[1].b[31], 0x22);
    ck_assert_uint_eq(l[0].data_len, 3);
    ck_assert_mem_eq(l[0].data, "abc", 3);
    h_free(&h);
    /* a frame that fails keeps no log */
    h_init(&h, FORK_PETERSBURG);
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 0 LOG0 INVALID", 100000), EVM_INVALID_INSTRUCTION);
    state_logs(h.st, &n);
    ck_assert_uint_eq(n, 0);
    /* LOG4 with no data */
    ck_assert_int_eq(h_run(&h, "PUSH 4 PUSH 3 PUSH 2 PUSH 1 PUSH 0 PUSH 0 LOG4 STOP", 100000),
                     EVM_SUCCESS);
    l = state_logs(h.st, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(l[0].topic_count, 4);
    ck_assert_uint_eq(l[0].topics[3].b[31], 4);
    ck_assert_uint_eq(l[0].data_len, 0);
    h_free(&h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("evm_control");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, jumps);
    tcase_add_test(tc, bad_jumps_consume_all_gas);
    tcase_add_test(tc, pc_and_end_of_code);
    tcase_add_test(tc, stack_limits);
    tcase_add_test(tc, dup_swap);
    tcase_add_test(tc, invalid_and_undefined_opcodes);
    tcase_add_test(tc, logs);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
