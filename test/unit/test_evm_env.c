/*
 * test_evm_env.c — what code can learn about its surroundings, and memory:
 * SHA3, the environment (ADDRESS … EXTCODEHASH, calldata and code copies
 * with zero padding), block information including BLOCKHASH's 256-block
 * window, CHAINID and SELFBALANCE existing only under SIP004, and memory
 * expansion (quadratic price, MSIZE, offsets that cannot be paid,
 * zero-length accesses that expand nothing).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "evm/internal.h"
#include "evm_harness.h"
#include "state/state.h"

static void expect_word(u256 got, u256 want)
{
    char gs[U256_HEX_BUF], ws[U256_HEX_BUF];
    u256_to_hex_quantity(&got, gs);
    u256_to_hex_quantity(&want, ws);
    ck_assert_msg(u256_eq(&got, &want), "got %s, want %s", gs, ws);
}

static u256 addr_word(const struct address *a)
{
    u256 w;
    evm_address_to_word(a, &w);
    return w;
}

START_TEST(sha3)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    /* keccak256 of 32 zero bytes and of nothing */
    expect_word(h_eval(&h, "PUSH 32 PUSH 0 SHA3"),
                h_u("0x290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563"));
    expect_word(h_eval(&h, "PUSH 0 PUSH 0 SHA3"),
                h_u("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"));
    /* 30 + 6 per word + memory: 2 pushes, SHA3 of 64 bytes = 30 + 12 + 6 */
    ck_assert_int_eq(h_run(&h, "PUSH 64 PUSH 0 SHA3 STOP", 100000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 3 + 3 + 30 + 12 + 6);
    h_free(&h);
}
END_TEST

START_TEST(environment)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    expect_word(h_eval(&h, "ADDRESS"), addr_word(&H_CONTRACT));
    expect_word(h_eval(&h, "CALLER"), addr_word(&H_SENDER));
    expect_word(h_eval(&h, "ORIGIN"), addr_word(&H_SENDER));
    expect_word(h_eval(&h, "GASPRICE"), u256_from_u64(7));
    h_balance(&h, &H_OTHER, 123456);
    expect_word(h_eval(&h, "PUSH20 0x074e120000000000000000000000000000000000 BALANCE"),
                u256_from_u64(123456));
    /* only the low 160 bits of the word name the account */
    expect_word(h_eval(&h, "PUSH32 0xffffffffffffffffffffffff074e120000000000000000000000000000000000 "
                           "BALANCE"),
                u256_from_u64(123456));

    /* value and call data */
    h_balance(&h, &H_SENDER, 1000);
    uint8_t in[33];
    for (int i = 0; i < 33; i++)
        in[i] = (uint8_t)(i + 1);
    h_code(&h, &H_CONTRACT, "CALLVALUE RET");
    ck_assert_int_eq(h_call_value(&h, 100000, 5, in, sizeof in), EVM_SUCCESS);
    expect_word(h_word(&h), u256_from_u64(5));
    h_code(&h, &H_CONTRACT, "CALLDATASIZE RET");
    ck_assert_int_eq(h_call_value(&h, 100000, 0, in, sizeof in), EVM_SUCCESS);
    expect_word(h_word(&h), u256_from_u64(33));
    /* CALLDATALOAD past the end pads with zeros */
    h_code(&h, &H_CONTRACT, "PUSH 31 CALLDATALOAD RET");
    ck_assert_int_eq(h_call_value(&h, 100000, 0, in, sizeof in), EVM_SUCCESS);
    expect_word(h_word(&h),
                h_u("0x2021000000000000000000000000000000000000000000000000000000000000"));
    h_code(&h, &H_CONTRACT, "PUSH32 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff "
                            "CALLDATALOAD RET");
    ck_assert_int_eq(h_call_value(&h, 100000, 0, in, sizeof in), EVM_SUCCESS);
    expect_word(h_word(&h), u256_from_u64(0));
    /* CALLDATACOPY of 32 bytes from offset 30: 2 bytes then zeros */
    h_code(&h, &H_CONTRACT, "PUSH 32 PUSH 30 PUSH 0 CALLDATACOPY PUSH 0 MLOAD RET");
    ck_assert_int_eq(h_call_value(&h, 100000, 0, in, sizeof in), EVM_SUCCESS);
    expect_word(h_word(&h),
                h_u("0x1f20210000000000000000000000000000000000000000000000000000000000"));

    /* code: CODESIZE, and CODECOPY padding past the end */
    expect_word(h_eval(&h, "CODESIZE"), u256_from_u64(1 + 8));
    expect_word(h_eval(&h, "PUSH 32 PUSH 0 PUSH 0 CODECOPY PUSH 0 MLOAD"),
                h_u("0x6020600060003960005160005260206000f30000000000000000000000000000"));
    h_free(&h);
}
END_TEST

START_TEST(external_code)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    h_code(&h, &H_OTHER, "PUSH 1 PUSH 2 ADD STOP");
    expect_word(h_eval(&h, "PUSH20 0x074e120000000000000000000000000000000000 EXTCODESIZE"),
                u256_from_u64(6));
    expect_word(h_eval(&h, "PUSH 32 PUSH 0 PUSH 0 PUSH20 0x074e120000000000000000000000000000000000 "
                           "EXTCODECOPY PUSH 0 MLOAD"),
                h_u("0x6001600201000000000000000000000000000000000000000000000000000000"));
    /* EXTCODEHASH (EIP-1052): keccak of the code; 0 for a missing account;
     * keccak("") for an account without code */
    uint8_t code[6] = {0x60, 0x01, 0x60, 0x02, 0x01, 0x00}, kh[32];
    keccak256(code, sizeof code, kh);
    u256 want;
    u256_from_be(&want, kh, 32);
    expect_word(h_eval(&h, "PUSH20 0x074e120000000000000000000000000000000000 EXTCODEHASH"), want);
    expect_word(h_eval(&h, "PUSH20 0x1234000000000000000000000000000000000000 EXTCODEHASH"),
                u256_from_u64(0));
    h_balance(&h, &H_COINBASE, 1);
    expect_word(h_eval(&h, "PUSH20 0xc01ba5e000000000000000000000000000000000 EXTCODEHASH"),
                h_u("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"));
    h_free(&h);
    /* EXTCODEHASH is Constantinople's */
    h_init(&h, FORK_BYZANTIUM);
    ck_assert_int_eq(h_run(&h, "PUSH 0 EXTCODEHASH STOP", 100000), EVM_INVALID_INSTRUCTION);
    h_free(&h);
}
END_TEST

static void number_hash(void *ctx, uint64_t n, struct hash32 *out)
{
    (void)ctx;
    memset(out->b, 0, 32);
    out->b[0] = 0xbb;
    for (int i = 0; i < 8; i++)
        out->b[31 - i] = (uint8_t)(n >> (8 * i));
}

START_TEST(block_information)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    h.block.block_hash = number_hash;
    expect_word(h_eval(&h, "COINBASE"), addr_word(&H_COINBASE));
    expect_word(h_eval(&h, "TIMESTAMP"), u256_from_u64(1234567));
    expect_word(h_eval(&h, "NUMBER"), u256_from_u64(1000));
    expect_word(h_eval(&h, "DIFFICULTY"), u256_from_u64(131072));
    expect_word(h_eval(&h, "GASLIMIT"), u256_from_u64(8000000));
    /* BLOCKHASH: the 256 blocks below the current one, zero elsewhere */
    expect_word(h_eval(&h, "PUSH 999 BLOCKHASH"),
                h_u("0xbb000000000000000000000000000000000000000000000000000000000003e7"));
    expect_word(h_eval(&h, "PUSH 744 BLOCKHASH"),
                h_u("0xbb000000000000000000000000000000000000000000000000000000000002e8"));
    expect_word(h_eval(&h, "PUSH 743 BLOCKHASH"), u256_from_u64(0));
    expect_word(h_eval(&h, "PUSH 1000 BLOCKHASH"), u256_from_u64(0));
    expect_word(h_eval(&h, "PUSH 2000 BLOCKHASH"), u256_from_u64(0));
    /* GAS is what is left after paying for GAS itself */
    ck_assert_int_eq(h_run(&h, "GAS RET", 50000), EVM_SUCCESS);
    expect_word(h_word(&h), u256_from_u64(50000 - 2));
    h_free(&h);
}
END_TEST

START_TEST(chainid_selfbalance_only_sip004)
{
    struct harness h;
    h_init(&h, FORK_SIP004);
    expect_word(h_eval(&h, "CHAINID"), u256_from_u64(20180430));
    h_balance(&h, &H_CONTRACT, 4242);
    expect_word(h_eval(&h, "SELFBALANCE"), u256_from_u64(4242));
    /* prices: CHAINID 2, SELFBALANCE 5 */
    ck_assert_int_eq(h_run(&h, "CHAINID SELFBALANCE STOP", 1000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 7);
    /* SIP004 keeps Petersburg's SSTORE (no EIP-1283): 0 -> 1 costs 20000 */
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH 0 SSTORE STOP", 100000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 6 + 20000);
    h_free(&h);
    for (int f = FORK_FRONTIER; f < FORK_SIP004; f++) {
        h_init(&h, (enum evm_fork)f);
        ck_assert_int_eq(h_run(&h, "CHAINID STOP", 1000), EVM_INVALID_INSTRUCTION);
        ck_assert_int_eq(h_run(&h, "SELFBALANCE STOP", 1000), EVM_INVALID_INSTRUCTION);
        ck_assert_uint_eq(h.gas_used, 1000);
        h_free(&h);
    }
}
END_TEST

START_TEST(memory_expansion)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    /* one word: 3 */
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH 0 MSTORE STOP", 100000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 3 + 3 + 3 + 3);
    /* 32 words: 3*32 + 32*32/512 = 98 */
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH 992 MSTORE STOP", 100000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 3 + 3 + 3 + 98);
    /* 1024 words: 3072 + 2048; growing twice costs the same in total */
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH 32736 MSTORE STOP", 100000), EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 9 + 5120);
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH 992 MSTORE PUSH 1 PUSH 32736 MSTORE STOP", 100000),
                     EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 18 + 5120);
    /* MSIZE rounds up to words; MSTORE8 expands by one byte's word */
    expect_word(h_eval(&h, "PUSH 1 PUSH 33 MSTORE8 MSIZE"), u256_from_u64(64));
    expect_word(h_eval(&h, "PUSH 0 MLOAD POP MSIZE"), u256_from_u64(32));
    /* an offset no gas can pay for: out of gas, all gas gone */
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH9 0x010000000000000000 MSTORE STOP", 100000),
                     EVM_OUT_OF_GAS);
    ck_assert_uint_eq(h.gas_used, 100000);
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH5 0x0100000000 MSTORE STOP", 100000), EVM_OUT_OF_GAS);
    /* zero-length accesses expand nothing, whatever the offset */
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 0 PUSH32 "
                               "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff "
                               "CALLDATACOPY MSIZE RET",
                           100000),
                     EVM_SUCCESS);
    expect_word(h_word(&h), u256_from_u64(0));
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH32 "
                               "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff "
                               "SHA3 STOP",
                           100000),
                     EVM_SUCCESS);
    ck_assert_uint_eq(h.gas_used, 3 + 3 + 30);
    h_free(&h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("evm_env");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, sha3);
    tcase_add_test(tc, environment);
    tcase_add_test(tc, external_code);
    tcase_add_test(tc, block_information);
    tcase_add_test(tc, chainid_selfbalance_only_sip004);
    tcase_add_test(tc, memory_expansion);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
