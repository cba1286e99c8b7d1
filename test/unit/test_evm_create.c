/*
 * test_evm_create.c — contract creation and destruction: CREATE and CREATE2
 * addresses (the published vectors of EIP-1014 and the classic CREATE
 * example), the new contract's code and nonce (1 from EIP-161), collisions,
 * the EIP-170 size limit, the code deposit (Frontier keeps an empty
 * contract where Homestead fails), REVERT in init code, value checks; and
 * SELFDESTRUCT: the transfer, the once-only refund, the price per fork, the
 * beneficiary being the contract itself.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "evm/internal.h"
#include "evm_harness.h"
#include "state/state.h"
#include "util/hex.h"

#define OTHER "0x074e120000000000000000000000000000000000"
/* Init code that deploys "PUSH 42 RET" (10 bytes of runtime code). */
#define INIT "0x69602a60005260206000f3600052600a6016f3"
#define RUNTIME "602a60005260206000f3"

static struct address addr(const char *hex)
{
    struct address a;
    ck_assert_int_eq(address_from_hex(&a, hex, strlen(hex)), 0);
    return a;
}

START_TEST(create_address_vectors)
{
    struct address s = addr("6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0"), o, w;
    evm_create_address(&s, 0, &o);
    w = addr("cd234a471b72ba2f1ccf0a70fcaba648a5eecd8d");
    ck_assert(address_eq(&o, &w));
    evm_create_address(&s, 1, &o);
    w = addr("343c43a37d37dff08ae8c4a11544c718abb4fcf8");
    ck_assert(address_eq(&o, &w));
    /* EIP-1014's examples */
    static const struct {
        const char *sender, *salt, *init, *want;
    } v[] = {
        {"0000000000000000000000000000000000000000", "0", "00",
         "4d1a2e2bb4f88f0250f26ffff098b0b30b26bf38"},
        {"deadbeef00000000000000000000000000000000", "0", "00",
         "b928f69bb1d91cd65274e3c79d8986362984fda3"},
        {"deadbeef00000000000000000000000000000000",
         "0x000000000000000000000000feed000000000000000000000000000000000000", "00",
         "d04116cdd17bebe565eb2422f2497e06cc1c9833"},
        {"0000000000000000000000000000000000000000", "0", "deadbeef",
         "70f2b2914a2a4b783faefb75f459a580616fcb5e"},
        {"00000000000000000000000000000000deadbeef", "0xcafebabe", "deadbeef",
         "60f3f640a8508fc6a86d45df051962668e1e8ac7"},
        {"0000000000000000000000000000000000000000", "0", "",
         "e33c0c7f7df4809055c3eba6c09cfe4baf1bd9e0"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t init[8];
        size_t n = 0;
        ck_assert_int_eq(hex_decode(v[i].init, strlen(v[i].init), init, sizeof init, &n), 0);
        struct hash32 ih;
        keccak256(init, n, ih.b);
        u256 salt = h_u(v[i].salt);
        struct address sender = addr(v[i].sender), want = addr(v[i].want);
        evm_create2_address(&sender, &salt, &ih, &o);
        ck_assert_msg(address_eq(&o, &want), "CREATE2 vector %zu", i);
    }
}
END_TEST

static void check_deployed(struct harness *h, const struct address *a, uint64_t nonce)
{
    size_t len;
    const uint8_t *code = state_get_code(h->st, a, &len);
    uint8_t want[10];
    size_t n;
    ck_assert_int_eq(hex_decode(RUNTIME, strlen(RUNTIME), want, sizeof want, &n), 0);
    ck_assert_uint_eq(len, n);
    ck_assert_mem_eq(code, want, n);
    ck_assert_uint_eq(state_get_nonce(h->st, a), nonce);
}

START_TEST(create_deploys)
{
    for (int f = FORK_FRONTIER; f < FORK_COUNT; f++) {
        struct harness h;
        h_init(&h, (enum evm_fork)f);
        ck_assert_int_eq(h_run(&h, "PUSH19 " INIT " PUSH 0 MSTORE PUSH 19 PUSH 13 PUSH 0 CREATE RET",
                               200000),
                         EVM_SUCCESS);
        struct address want, got;
        evm_create_address(&H_CONTRACT, 0, &want);
        u256 w = h_word(&h);
        evm_word_to_address(&w, &got);
        ck_assert(address_eq(&got, &want));
        /* EIP-161: a new contract starts at nonce 1 */
        check_deployed(&h, &want, f >= FORK_SPURIOUS ? 1 : 0);
        ck_assert_uint_eq(state_get_nonce(h.st, &H_CONTRACT), 1);
        h_free(&h);
    }
}
END_TEST

START_TEST(create2_and_collision)
{
    struct harness h;
    h_init(&h, FORK_CONSTANTINOPLE);
    const char *code = "PUSH19 " INIT " PUSH 0 MSTORE PUSH 0x5a17 PUSH 19 PUSH 13 PUSH 0 CREATE2 "
                       "PUSH 0 SSTORE PUSH 0x5a17 PUSH 19 PUSH 13 PUSH 0 CREATE2 RET";
    ck_assert_int_eq(h_run(&h, code, 500000), EVM_SUCCESS);
    uint8_t init[19];
    size_t n;
    ck_assert_int_eq(hex_decode(INIT, strlen(INIT), init, sizeof init, &n), 0);
    struct hash32 ih;
    keccak256(init, n, ih.b);
    u256 salt = u256_from_u64(0x5a17), first = h_sload(&h, &H_CONTRACT, 0), second = h_word(&h);
    struct address want, got;
    evm_create2_address(&H_CONTRACT, &salt, &ih, &want);
    evm_word_to_address(&first, &got);
    ck_assert(address_eq(&got, &want));
    check_deployed(&h, &want, 1);
    /* the same salt and code again: collision, 0 */
    ck_assert(u256_iszero(&second));
    ck_assert_uint_eq(state_get_nonce(h.st, &H_CONTRACT), 2);
    h_free(&h);

    /* CREATE onto an account that has a nonce: 0, and the child's gas is
     * gone (all but the 64th the parent kept) */
    h_init(&h, FORK_BYZANTIUM);
    struct address target;
    evm_create_address(&H_CONTRACT, 0, &target);
    state_set_nonce(h.st, &target, 1);
    state_tx_finalize(h.st, false);
    ck_assert_int_eq(h_run(&h, "PUSH19 " INIT " PUSH 0 MSTORE PUSH 19 PUSH 13 PUSH 0 CREATE RET",
                           200000),
                     EVM_SUCCESS);
    u256 zero = h_word(&h);
    ck_assert(u256_iszero(&zero));
    uint64_t before = 200000 - 3 - 3 - 6 - 9 - 32000;
    ck_assert_uint_eq(h.gas_used, 200000 - before / 64 + 12); /* RET, memory already paid */
    h_free(&h);
}
END_TEST

START_TEST(code_size_limit)
{
    /* init code returning n zero bytes: PUSH2 n PUSH 0 RETURN */
    struct {
        enum evm_fork fork;
        const char *size;
        bool ok;
    } v[] = {
        {FORK_TANGERINE, "0x6001", true},
        {FORK_SPURIOUS, "0x6001", false},
        {FORK_SPURIOUS, "0x6000", true},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct harness h;
        h_init(&h, v[i].fork);
        char code[256];
        snprintf(code, sizeof code,
                 "PUSH6 0x61%s6000f3 PUSH 0 MSTORE PUSH 6 PUSH 26 PUSH 0 CREATE RET", v[i].size + 2);
        ck_assert_int_eq(h_run(&h, code, 6000000), EVM_SUCCESS);
        u256 w = h_word(&h);
        ck_assert_msg(u256_iszero(&w) != v[i].ok, "case %zu", i);
        h_free(&h);
    }
}
END_TEST

START_TEST(code_deposit_out_of_gas)
{
    /* init code returning 100 bytes (deposit 20000) with too little gas */
    const char *code = "PUSH5 0x60646000f3 PUSH 0 MSTORE PUSH 5 PUSH 27 PUSH 0 CREATE RET";
    struct harness h;
    h_init(&h, FORK_FRONTIER);
    ck_assert_int_eq(h_run(&h, code, 50000), EVM_SUCCESS);
    struct address want;
    evm_create_address(&H_CONTRACT, 0, &want);
    u256 w = h_word(&h);
    struct address got;
    evm_word_to_address(&w, &got);
    ck_assert(address_eq(&got, &want)); /* Frontier: the contract exists... */
    ck_assert(state_exists(h.st, &want));
    ck_assert_uint_eq(state_get_code_size(h.st, &want), 0); /* ...without code */
    ck_assert_uint_lt(h.gas_used, 50000);                   /* and the gas came back */
    h_free(&h);
    /* Homestead on: the creation fails (Tangerine here, so that the 64th
     * the parent keeps pays for its RET) */
    h_init(&h, FORK_TANGERINE);
    ck_assert_int_eq(h_run(&h, code, 50000), EVM_SUCCESS);
    w = h_word(&h);
    ck_assert(u256_iszero(&w));
    ck_assert(!state_exists(h.st, &want));
    h_free(&h);
}
END_TEST

START_TEST(init_code_revert_and_value)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    /* init: REVERT with 2 bytes */
    ck_assert_int_eq(h_run(&h, "PUSH11 0x61abcd6000526002601efd PUSH 0 MSTORE PUSH 11 PUSH 21 PUSH 0 "
                               "CREATE RETURNDATASIZE ADD RET",
                           100000),
                     EVM_SUCCESS);
    ck_assert_uint_eq(h_word(&h).w[0], 2); /* address 0 + 2 bytes of return data */
    ck_assert_uint_lt(h.gas_used, 40000);   /* the unused gas came back */
    ck_assert_uint_eq(state_get_nonce(h.st, &H_CONTRACT), 1);
    /* more value than the balance: 0, nonce unchanged, gas kept */
    ck_assert_int_eq(h_run(&h, "PUSH19 " INIT " PUSH 0 MSTORE PUSH 19 PUSH 13 PUSH 1 CREATE RET",
                           100000),
                     EVM_SUCCESS);
    ck_assert_uint_eq(h_word(&h).w[0], 0);
    ck_assert_uint_eq(state_get_nonce(h.st, &H_CONTRACT), 1);
    ck_assert_uint_lt(h.gas_used, 33000);
    h_free(&h);
}
END_TEST

START_TEST(selfdestruct_transfers_and_refunds_once)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    h_balance(&h, &H_CONTRACT, 1000);
    ck_assert_int_eq(h_run(&h, "PUSH20 " OTHER " SELFDESTRUCT", 100000), EVM_SUCCESS);
    u256 b;
    state_get_balance(h.st, &H_OTHER, &b);
    ck_assert_uint_eq(b.w[0], 1000);
    state_get_balance(h.st, &H_CONTRACT, &b);
    ck_assert(u256_iszero(&b));
    ck_assert(state_has_selfdestructed(h.st, &H_CONTRACT));
    ck_assert_uint_eq(state_get_refund(h.st), 24000);
    /* once per account per transaction */
    h_code(&h, &H_OTHER, "PUSH 0 SELFDESTRUCT");
    ck_assert_int_eq(h_run(&h, "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH20 " OTHER " GAS CALL "
                               "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH20 " OTHER " GAS CALL STOP",
                           200000),
                     EVM_SUCCESS);
    ck_assert_uint_eq(state_get_refund(h.st), 24000);
    state_tx_finalize(h.st, true);
    ck_assert(!state_exists(h.st, &H_OTHER));
    h_free(&h);
}
END_TEST

START_TEST(selfdestruct_price_per_fork)
{
    const char *code = "PUSH20 " OTHER " SELFDESTRUCT";
    struct {
        enum evm_fork fork;
        uint64_t balance;
        uint64_t gas;
    } v[] = {
        {FORK_HOMESTEAD, 0, 3},
        {FORK_TANGERINE, 0, 3 + 5000 + 25000},  /* beneficiary does not exist */
        {FORK_SPURIOUS, 0, 3 + 5000},           /* EIP-158: nothing moves */
        {FORK_SPURIOUS, 1, 3 + 5000 + 25000},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct harness h;
        h_init(&h, v[i].fork);
        if (v[i].balance)
            h_balance(&h, &H_CONTRACT, v[i].balance);
        ck_assert_int_eq(h_run(&h, code, 100000), EVM_SUCCESS);
        ck_assert_msg(h.gas_used == v[i].gas, "case %zu: %llu", i,
                      (unsigned long long)h.gas_used);
        h_free(&h);
    }
}
END_TEST

START_TEST(selfdestruct_to_itself_burns)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    h_balance(&h, &H_CONTRACT, 1000);
    ck_assert_int_eq(h_run(&h, "ADDRESS SELFDESTRUCT", 100000), EVM_SUCCESS);
    state_tx_finalize(h.st, true);
    u256 b;
    state_get_balance(h.st, &H_CONTRACT, &b);
    ck_assert(u256_iszero(&b));
    ck_assert(!state_exists(h.st, &H_CONTRACT));
    h_free(&h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("evm_create");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, create_address_vectors);
    tcase_add_test(tc, create_deploys);
    tcase_add_test(tc, create2_and_collision);
    tcase_add_test(tc, code_size_limit);
    tcase_add_test(tc, code_deposit_out_of_gas);
    tcase_add_test(tc, init_code_revert_and_value);
    tcase_add_test(tc, selfdestruct_transfers_and_refunds_once);
    tcase_add_test(tc, selfdestruct_price_per_fork);
    tcase_add_test(tc, selfdestruct_to_itself_burns);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
