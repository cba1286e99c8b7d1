/*
 * test_evm_metering.c — Spectrum's per-frame gas-metering hook (spec §6.4,
 * evm_set_frame_metering): which frames ask the rule, with which addresses,
 * and that the answer leaks past the frame's return until the next frame
 * entry, as Spectrum's per-EVM flag does.
 *
 * Metering is observed with "GAS GAS SWAP1 SUB": the difference of two
 * consecutive GAS readings is 2 in a metered frame and 0 in an unmetered one.
 * The rule used here calls a frame unmetered iff its contract is CHIEF.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evm_harness.h"
#include "state/state.h"

#define CHIEF "0xc41ef00000000000000000000000000000000000"
#define NORMAL "0x0a0b0c0000000000000000000000000000000000"
static const struct address A_CHIEF = {{0xc4, 0x1e, 0xf0}};
static const struct address A_NORMAL = {{0x0a, 0x0b, 0x0c}};

/* Stores the metering probe (2 metered, 0 not) in slot `slot`. */
#define PROBE(slot) "GAS GAS SWAP1 SUB PUSH " slot " SSTORE "
/* CALL(gas, to, 0, 0, 0, 0, 0) and drop the success flag. */
#define CALL_TO(gas, to) "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH20 " to " PUSH " gas " CALL POP "

struct rule {
    int calls;
    struct address last_caller, last_contract;
};

static bool rule_fn(void *ctx, const struct address *caller, const struct address *contract)
{
    struct rule *r = ctx;
    r->calls++;
    r->last_caller = *caller;
    r->last_contract = *contract;
    return !address_eq(contract, &A_CHIEF);
}

static uint64_t slot(struct harness *h, const struct address *a, uint64_t k)
{
    return h_sload(h, a, k).w[0];
}

/* A user contract calling a chief runs unmetered after the call returns. */
START_TEST(unmetered_after_chief_returns)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    struct rule r = {0};
    h_code(&h, &A_CHIEF, PROBE("0") "STOP");
    h_code(&h, &H_CONTRACT, PROBE("0") CALL_TO("50000", CHIEF) PROBE("1") "STOP");

    /* without the rule: every frame metered */
    ck_assert_int_eq(h_call(&h, 200000), EVM_SUCCESS);
    ck_assert_uint_eq(slot(&h, &H_CONTRACT, 0), 2);
    ck_assert_uint_eq(slot(&h, &A_CHIEF, 0), 2);
    ck_assert_uint_eq(slot(&h, &H_CONTRACT, 1), 2);

    evm_set_frame_metering(h.evm, rule_fn, &r);
    ck_assert_int_eq(h_call(&h, 200000), EVM_SUCCESS);
    ck_assert_uint_eq(slot(&h, &H_CONTRACT, 0), 2); /* entered metered */
    ck_assert_uint_eq(slot(&h, &A_CHIEF, 0), 0);    /* the chief frame */
    ck_assert_uint_eq(slot(&h, &H_CONTRACT, 1), 0); /* leaked past the return */
    ck_assert_int_eq(r.calls, 2);
    ck_assert(address_eq(&r.last_caller, &H_CONTRACT));
    ck_assert(address_eq(&r.last_contract, &A_CHIEF));
    h_free(&h);
}
END_TEST

/* ... until the next frame entry, which asks again (and, entered while
 * unmetered, reuses the stale CALL gas: 30000 from the chief call). */
START_TEST(next_frame_entry_resets)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    struct rule r = {0};
    h_code(&h, &A_CHIEF, "STOP");
    h_code(&h, &A_NORMAL, "GAS PUSH 0 SSTORE STOP");
    h_code(&h, &H_CONTRACT,
           CALL_TO("30000", CHIEF) CALL_TO("1", NORMAL) PROBE("1") "STOP");
    evm_set_frame_metering(h.evm, rule_fn, &r);
    ck_assert_int_eq(h_call(&h, 200000), EVM_SUCCESS);
    /* NORMAL got the stale 30000 (not the 1 asked) and ran metered: GAS
     * read 30000 - 2, and the SSTORE was paid. */
    ck_assert_uint_eq(slot(&h, &A_NORMAL, 0), 30000 - 2);
    ck_assert_uint_eq(slot(&h, &H_CONTRACT, 1), 2); /* metered again */
    ck_assert_int_eq(r.calls, 3);
    ck_assert(address_eq(&r.last_contract, &A_NORMAL));
    h_free(&h);
}
END_TEST

/* A chief calling a normal contract: the chief runs unmetered, the callee is
 * entered metered (with the stale gas of the CALL that entered the chief),
 * and the chief is metered after it returns. */
START_TEST(chief_calls_normal_contract)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    struct rule r = {0};
    h_code(&h, &A_NORMAL, "GAS PUSH 0 SSTORE STOP");
    h_code(&h, &A_CHIEF, PROBE("0") CALL_TO("7", NORMAL) PROBE("1") "STOP");
    h_code(&h, &H_CONTRACT, CALL_TO("60000", CHIEF) "STOP");
    evm_set_frame_metering(h.evm, rule_fn, &r);
    ck_assert_int_eq(h_call(&h, 300000), EVM_SUCCESS);
    ck_assert_uint_eq(slot(&h, &A_CHIEF, 0), 0);
    ck_assert_uint_eq(slot(&h, &A_NORMAL, 0), 60000 - 2);
    ck_assert_uint_eq(slot(&h, &A_CHIEF, 1), 2);
    ck_assert(address_eq(&r.last_caller, &A_CHIEF));
    ck_assert(address_eq(&r.last_contract, &A_NORMAL));
    h_free(&h);
}
END_TEST

/* DELEGATECALL of a chief's code: the contract is the recipient (ours), so
 * the frame is metered; the caller passed is the parent's caller. */
START_TEST(delegatecall_uses_recipient)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    struct rule r = {0};
    h_code(&h, &A_CHIEF, PROBE("5") "STOP");
    h_code(&h, &H_CONTRACT,
           "PUSH 0 PUSH 0 PUSH 0 PUSH 0 PUSH20 " CHIEF " PUSH 50000 DELEGATECALL POP STOP");
    evm_set_frame_metering(h.evm, rule_fn, &r);
    ck_assert_int_eq(h_call(&h, 200000), EVM_SUCCESS);
    ck_assert_uint_eq(slot(&h, &H_CONTRACT, 5), 2);
    ck_assert(address_eq(&r.last_contract, &H_CONTRACT));
    ck_assert(address_eq(&r.last_caller, &H_SENDER));
    h_free(&h);
}
END_TEST

/* Precompiles and accounts without code are not asked. */
START_TEST(precompile_and_empty_not_asked)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    struct rule r = {0};
    h_code(&h, &H_CONTRACT,
           CALL_TO("5000", "0x0000000000000000000000000000000000000004")
               CALL_TO("5000", NORMAL) "STOP");
    evm_set_frame_metering(h.evm, rule_fn, &r);
    ck_assert_int_eq(h_call(&h, 200000), EVM_SUCCESS);
    ck_assert_int_eq(r.calls, 1); /* the top-level frame only */
    h_free(&h);
}
END_TEST

/* Runs a creation from H_SENDER whose init code calls `to`. */
static void create_calling(struct harness *h, const char *to, bool metered)
{
    char src[512];
    snprintf(src, sizeof src, CALL_TO("40000", "%s") "STOP", to);
    uint8_t init[256];
    size_t n = h_asm(src, init, sizeof init);
    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = EVM_CREATE;
    m.gas = 300000;
    m.sender = H_SENDER;
    m.input = init;
    m.input_len = n;
    evm_set_context(h->evm, h->st, h->fork, &h->block, &h->tx);
    evm_set_gas_metering(h->evm, metered);
    ck_assert_int_eq(evm_execute(h->evm, &m, &h->res), 0);
    ck_assert_int_eq(h->res.status, EVM_SUCCESS);
}

/* Frames entered from init code keep the flag as it is: the rule is not
 * asked, whatever it would answer. */
START_TEST(frames_from_init_code_keep_flag)
{
    struct harness h;
    h_init(&h, FORK_BYZANTIUM);
    struct rule r = {0};
    h_code(&h, &A_CHIEF, PROBE("0") "STOP");
    h_code(&h, &A_NORMAL, PROBE("0") "STOP");
    evm_set_frame_metering(h.evm, rule_fn, &r);

    create_calling(&h, CHIEF, true); /* the rule would say unmetered */
    ck_assert_uint_eq(slot(&h, &A_CHIEF, 0), 2);
    create_calling(&h, NORMAL, false); /* the rule would say metered */
    ck_assert_uint_eq(slot(&h, &A_NORMAL, 0), 0);
    ck_assert_int_eq(r.calls, 0);

    /* the same calls from a normal frame do ask */
    h_code(&h, &H_CONTRACT, CALL_TO("40000", CHIEF) "STOP");
    ck_assert_int_eq(h_call(&h, 200000), EVM_SUCCESS);
    ck_assert_uint_eq(slot(&h, &A_CHIEF, 0), 0);
    ck_assert_int_eq(r.calls, 2);

    /* removing the rule restores plain behaviour */
    evm_set_frame_metering(h.evm, NULL, &r);
    ck_assert_int_eq(h_call(&h, 200000), EVM_SUCCESS);
    ck_assert_uint_eq(slot(&h, &A_CHIEF, 0), 2);
    ck_assert_int_eq(r.calls, 2);
    h_free(&h);
}
END_TEST

static Suite *metering_suite(void)
{
    Suite *s = suite_create("evm_metering");
    TCase *tc = tcase_create("frame");
    tcase_add_test(tc, unmetered_after_chief_returns);
    tcase_add_test(tc, next_frame_entry_resets);
    tcase_add_test(tc, chief_calls_normal_contract);
    tcase_add_test(tc, delegatecall_uses_recipient);
    tcase_add_test(tc, precompile_and_empty_not_asked);
    tcase_add_test(tc, frames_from_init_code_keep_flag);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(metering_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
