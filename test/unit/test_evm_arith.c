/*
 * test_evm_arith.c — EVM arithmetic, comparison, bitwise and shift
 * instructions as contracts see them: wrap-around, division and modulo by
 * zero, signed overflow, 257- and 512-bit intermediates of ADDMOD/MULMOD,
 * EXP's per-byte price (EIP-160), and the shifts existing only from
 * Constantinople (EIP-145). The interpreter's own MULMOD (Barrett reduction
 * with a cached constant) and DIV/MOD (shifts and masks for powers of two)
 * are checked against the general u256 routines on random operands.
 */
#include <check.h>
#include <stdlib.h>

#include "evm/arith.h"
#include "evm_harness.h"

#define MAX "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define MIN_SIGNED "0x8000000000000000000000000000000000000000000000000000000000000000"

static void expect(struct harness *h, const char *src, const char *want)
{
    u256 got = h_eval(h, src), w = h_u(want);
    char gs[U256_HEX_BUF], ws[U256_HEX_BUF];
    u256_to_hex_quantity(&got, gs);
    u256_to_hex_quantity(&w, ws);
    ck_assert_msg(u256_eq(&got, &w), "%s: got %s, want %s", src, gs, ws);
}

START_TEST(add_sub_mul_wrap)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    expect(&h, "PUSH 3 PUSH 10 ADD", "13");
    expect(&h, "PUSH 1 PUSH32 " MAX " ADD", "0");
    expect(&h, "PUSH 3 PUSH 10 SUB", "7");
    expect(&h, "PUSH 1 PUSH 0 SUB", MAX);
    expect(&h, "PUSH 6 PUSH 7 MUL", "42");
    expect(&h, "PUSH32 " MAX " PUSH32 " MAX " MUL", "1");
    h_free(&h);
}
END_TEST

START_TEST(division_by_zero_gives_zero)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    expect(&h, "PUSH 3 PUSH 10 DIV", "3");
    expect(&h, "PUSH 0 PUSH 10 DIV", "0");
    expect(&h, "PUSH 3 PUSH 10 MOD", "1");
    expect(&h, "PUSH 0 PUSH 10 MOD", "0");
    expect(&h, "PUSH 0 PUSH 10 SDIV", "0");
    expect(&h, "PUSH 0 PUSH 10 SMOD", "0");
    expect(&h, "PUSH 0 PUSH 5 PUSH 10 ADDMOD", "0");
    expect(&h, "PUSH 0 PUSH 5 PUSH 10 MULMOD", "0");
    h_free(&h);
}
END_TEST

START_TEST(signed_division)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    /* -7 / 2 = -3 (toward zero); -7 % 2 = -1 (sign of the dividend) */
    expect(&h, "PUSH 2 PUSH 7 PUSH 0 SUB SDIV",
           "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd");
    expect(&h, "PUSH 2 PUSH 7 PUSH 0 SUB SDIV PUSH 0 SUB", "3");
    expect(&h, "PUSH 2 PUSH 7 PUSH 0 SUB SMOD", MAX);
    expect(&h, "PUSH 2 PUSH 0 SUB PUSH 7 SMOD", "1");
    /* -2^255 / -1 overflows back to -2^255 */
    expect(&h, "PUSH 1 PUSH 0 SUB PUSH32 " MIN_SIGNED " SDIV", MIN_SIGNED);
    expect(&h, "PUSH 1 PUSH 0 SUB PUSH32 " MIN_SIGNED " SMOD", "0");
    h_free(&h);
}
END_TEST

START_TEST(addmod_mulmod_wide)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    /* the 257-bit sum and the 512-bit product are not truncated */
    expect(&h, "PUSH 3 PUSH 2 PUSH32 " MAX " ADDMOD", "2");
    expect(&h, "PUSH 12 PUSH32 " MAX " PUSH32 " MAX " MULMOD", "9");
    expect(&h, "PUSH32 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc "
               "PUSH32 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe "
               "PUSH32 " MAX " MULMOD",
           "6");
    expect(&h, "PUSH32 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47 "
               "PUSH32 0x2234567890abcdef1234567890abcdef1234567890abcdef1234567890abcde "
               "PUSH32 0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcde MULMOD",
           "0x109ff21eb5e0c31c2b1563533fbc322ba5670f1bfb07c95aa7cc61a2be40646f");
    h_free(&h);
}
END_TEST

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static uint64_t limb(void)
{
    switch (next() % 6) {
    case 0: return 0;
    case 1: return UINT64_MAX;
    case 2: return next() >> (next() % 64);
    case 3: return (uint64_t)1 << (next() % 64);
    default: return next();
    }
}

START_TEST(mulmod_fast_path_matches_reference)
{
    struct evm_modcache c = {0};
    for (int it = 0; it < 200000; it++) {
        u256 a, b, n, r1, r2;
        for (int i = 0; i < 4; i++) {
            a.w[i] = limb();
            b.w[i] = limb();
            n.w[i] = limb();
        }
        if (it % 3 == 0) /* the same modulus again and again, as contracts do */
            n = h_u("0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47");
        if (it % 7 == 0)
            n = h_u("0x1000000000000000000000000000000000000000000000001"); /* 2^192 + 1 */
        if (it % 11 == 0)
            n = h_u("0x1000000000000000000000000000000000000000000000000"); /* 2^192 */
        evm_mulmod(&r1, &a, &b, &n, &c);
        u256_mulmod(&r2, &a, &b, &n);
        ck_assert_msg(u256_eq(&r1, &r2), "mismatch at iteration %d", it);
    }
}
END_TEST

START_TEST(exp_and_its_price)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    expect(&h, "PUSH 255 PUSH 2 EXP", MIN_SIGNED);
    expect(&h, "PUSH 256 PUSH 2 EXP", "0");
    expect(&h, "PUSH 0 PUSH 0 EXP", "1");
    expect(&h, "PUSH 3 PUSH 10 EXP", "1000");
    h_free(&h);
    /* 10 + per exponent byte: 10 before Spurious Dragon, 50 after (EIP-160).
     * Code: PUSH2 0x0100 PUSH1 2 EXP STOP = 3 + 3 + EXP. */
    struct harness f, s;
    h_init(&f, FORK_TANGERINE);
    h_init(&s, FORK_SPURIOUS);
    ck_assert_int_eq(h_run(&f, "PUSH2 0x0100 PUSH1 2 EXP STOP", 100000), EVM_SUCCESS);
    ck_assert_int_eq(h_run(&s, "PUSH2 0x0100 PUSH1 2 EXP STOP", 100000), EVM_SUCCESS);
    ck_assert_uint_eq(f.gas_used, 6 + 10 + 2 * 10);
    ck_assert_uint_eq(s.gas_used, 6 + 10 + 2 * 50);
    h_free(&f);
    h_free(&s);
}
END_TEST

START_TEST(signextend_and_byte)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    expect(&h, "PUSH 0xff PUSH 0 SIGNEXTEND", MAX);
    expect(&h, "PUSH 0x7f PUSH 0 SIGNEXTEND", "0x7f");
    expect(&h, "PUSH 0x8000 PUSH 1 SIGNEXTEND",
           "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff8000");
    expect(&h, "PUSH 0x8000 PUSH 31 SIGNEXTEND", "0x8000");
    expect(&h, "PUSH 0x80 PUSH32 " MAX " SIGNEXTEND", "0x80");
    expect(&h, "PUSH32 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20 PUSH 0 BYTE",
           "1");
    expect(&h, "PUSH32 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20 PUSH 31 BYTE",
           "0x20");
    expect(&h, "PUSH 0xff PUSH 32 BYTE", "0");
    h_free(&h);
}
END_TEST

START_TEST(comparisons)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    expect(&h, "PUSH 2 PUSH 1 LT", "1");
    expect(&h, "PUSH 1 PUSH 2 LT", "0");
    expect(&h, "PUSH 1 PUSH 2 GT", "1");
    /* -1 < 1 signed, but not unsigned */
    expect(&h, "PUSH 1 PUSH 1 PUSH 0 SUB SLT", "1");
    expect(&h, "PUSH 1 PUSH 1 PUSH 0 SUB LT", "0");
    expect(&h, "PUSH 1 PUSH 0 SUB PUSH 1 SGT", "1");
    expect(&h, "PUSH 5 PUSH 5 EQ", "1");
    expect(&h, "PUSH 5 PUSH 6 EQ", "0");
    expect(&h, "PUSH 0 ISZERO", "1");
    expect(&h, "PUSH 9 ISZERO", "0");
    h_free(&h);
}
END_TEST

START_TEST(bitwise)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    expect(&h, "PUSH 0x0f0f PUSH 0x00ff AND", "0x0f");
    expect(&h, "PUSH 0x0f00 PUSH 0x00f0 OR", "0x0ff0");
    expect(&h, "PUSH 0xff PUSH 0x0f XOR", "0xf0");
    expect(&h, "PUSH 0 NOT", MAX);
    h_free(&h);
}
END_TEST

START_TEST(shifts)
{
    struct harness h;
    h_init(&h, FORK_CONSTANTINOPLE);
    expect(&h, "PUSH 1 PUSH 255 SHL", MIN_SIGNED);
    expect(&h, "PUSH 1 PUSH 256 SHL", "0");
    expect(&h, "PUSH32 " MIN_SIGNED " PUSH 255 SHR", "1");
    expect(&h, "PUSH32 " MIN_SIGNED " PUSH 256 SHR", "0");
    expect(&h, "PUSH32 " MIN_SIGNED " PUSH 1 SAR",
           "0xc000000000000000000000000000000000000000000000000000000000000000");
    expect(&h, "PUSH32 " MIN_SIGNED " PUSH 300 SAR", MAX);
    expect(&h, "PUSH 0x4000 PUSH 300 SAR", "0");
    expect(&h, "PUSH 7 PUSH32 " MAX " SHL", "0");
    h_free(&h);
    /* EIP-145 opcodes do not exist before Constantinople */
    h_init(&h, FORK_BYZANTIUM);
    ck_assert_int_eq(h_run(&h, "PUSH 1 PUSH 1 SHL STOP", 100000), EVM_INVALID_INSTRUCTION);
    ck_assert_uint_eq(h.gas_used, 100000);
    h_free(&h);
}
END_TEST

START_TEST(div_mod_fast_paths_match_reference)
{
    for (int it = 0; it < 100000; it++) {
        u256 a, b, q1, q2, r1, r2;
        for (int i = 0; i < 4; i++) {
            a.w[i] = limb();
            b.w[i] = 0;
        }
        if (it % 4 == 0) {
            for (int i = 0; i < 4; i++)
                b.w[i] = limb();
        } else {
            unsigned bit = (unsigned)(next() % 256); /* powers of two */
            b.w[bit / 64] = (uint64_t)1 << (bit % 64);
        }
        evm_div(&q1, &a, &b);
        u256_div(&q2, &a, &b);
        evm_mod(&r1, &a, &b);
        u256_mod(&r2, &a, &b);
        ck_assert_msg(u256_eq(&q1, &q2) && u256_eq(&r1, &r2), "mismatch at iteration %d", it);
    }
    /* and through the interpreter, with the divisor as the result slot */
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    expect(&h, "PUSH32 0x0000000000000000000000000000000000000000000000010000000000000000 "
               "PUSH32 0x123456789abcdef0fedcba9876543210123456789abcdef0fedcba9876543210 DIV",
           "0x123456789abcdef0fedcba9876543210123456789abcdef0");
    expect(&h, "PUSH 0x100 PUSH 0x12345 MOD", "0x45");
    h_free(&h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("evm_arith");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, add_sub_mul_wrap);
    tcase_add_test(tc, division_by_zero_gives_zero);
    tcase_add_test(tc, signed_division);
    tcase_add_test(tc, addmod_mulmod_wide);
    tcase_add_test(tc, mulmod_fast_path_matches_reference);
    tcase_add_test(tc, div_mod_fast_paths_match_reference);
    tcase_add_test(tc, exp_and_its_price);
    tcase_add_test(tc, signextend_and_byte);
    tcase_add_test(tc, comparisons);
    tcase_add_test(tc, bitwise);
    tcase_add_test(tc, shifts);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
