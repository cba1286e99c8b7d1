/*
 * fuzz_evm.c — libFuzzer target for the interpreter: the input is run as
 * contract code, as a message call and as init code of a creation, under
 * every fork, with a small gas limit (so every run ends quickly) on a fresh
 * state in which the same code also sits at address 0x10 (so fuzzed CALLs
 * reach code) and the caller has a balance (so value transfers happen).
 *
 * Properties: nothing crashes, leaks or hangs; no internal error; the gas
 * left never exceeds the gas given; a failure other than REVERT leaves no
 * gas and no output; the state root can be computed afterwards.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evm/evm.h"
#include "state/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_GAS 100000
#define FUZZ_MAX_CODE 24576

static const struct address CODE = {{0xc0, 0xde}};
static const struct address CALLEE = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                       0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}};
static const struct address SENDER = {{0x5e, 0x4d}};

static void check(const struct evm_result *r)
{
    if (r->gas_left > FUZZ_GAS)
        abort();
    if (r->status == EVM_INTERNAL_ERROR)
        abort();
    if (r->status != EVM_SUCCESS && r->status != EVM_REVERT &&
        (r->gas_left != 0 || r->output_len != 0))
        abort();
}

static void run(struct evm *evm, enum evm_fork fork, const uint8_t *code, size_t n, bool create)
{
    struct state *st;
    if (state_open(NULL, NULL, &st))
        abort();
    u256 bal = u256_from_u64(1000000000);
    state_set_balance(st, &SENDER, &bal);
    state_set_balance(st, &CODE, &bal);
    if (state_set_code(st, &CODE, code, n) || state_set_code(st, &CALLEE, code, n))
        abort();
    state_tx_finalize(st, false);

    struct evm_block block = {.number = 300, .timestamp = 1, .gas_limit = 8000000,
                              .chain_id = 1};
    struct evm_tx_context txc = {SENDER, u256_from_u64(1)};
    evm_set_context(evm, st, fork, &block, &txc);
    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = create ? EVM_CREATE : EVM_CALL;
    m.gas = FUZZ_GAS;
    m.sender = SENDER;
    m.recipient = CODE;
    m.code_address = CODE;
    m.value = u256_from_u64(n & 3);
    m.input = code;
    m.input_len = n;
    struct evm_result r;
    if (evm_execute(evm, &m, &r) != 0)
        abort();
    check(&r);
    state_tx_finalize(st, fork >= FORK_SPURIOUS);
    uint8_t root[32];
    if (state_root(st, root))
        abort();
    state_free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct evm *evm;
    if (!evm && evm_new(&evm))
        abort();
    if (size > FUZZ_MAX_CODE)
        return 0;
    for (int f = 0; f < FORK_COUNT; f++) {
        run(evm, (enum evm_fork)f, data, size, false);
        run(evm, (enum evm_fork)f, data, size, true);
    }
    return 0;
}
