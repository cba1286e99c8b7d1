/*
 * run_cmd.c — `spectrum-evm run`: executes bytecode as a message call from
 * a fixed sender to a fixed account holding the code, on an otherwise empty
 * in-memory state, and prints the return data, status and gas used. With
 * --bench the call is repeated (each run reverted to the snapshot taken
 * before it, so every run starts from the same state) for about a second.
 */
#include "evmtool/evmtool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evm/evm.h"
#include "evm/fork.h"
#include "evmtool/opt.h"
#include "state/state.h"
#include "util/err.h"
#include "util/hex.h"

#define RUN_MAX_CODE ((size_t)16 << 20)

/* The accounts of a run: the code lives at RECEIVER, SENDER calls it. */
static const struct address RECEIVER = {{0xc0, 0xde}};
static const struct address SENDER = {{0x5e, 0x4d}};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int evmtool_run(int argc, char **argv)
{
    const char *code_hex = NULL, *input_hex = "";
    uint64_t gas = 10000000;
    enum evm_fork fork = FORK_SIP004;
    bool bench = false, trace = false;
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        int m;
        if ((m = evmtool_opt(argc, argv, &i, "code", true, &v)) != 0) {
            if (m < 0)
                return 1;
            code_hex = v;
        } else if ((m = evmtool_opt(argc, argv, &i, "input", true, &v)) != 0) {
            if (m < 0)
                return 1;
            input_hex = v;
        } else if ((m = evmtool_opt(argc, argv, &i, "gas", true, &v)) != 0) {
            if (m < 0 || evmtool_u64("gas", v, &gas))
                return 1;
        } else if ((m = evmtool_opt(argc, argv, &i, "fork", true, &v)) != 0) {
            if (m < 0)
                return 1;
            if (evm_fork_from_name(v, &fork)) {
                fprintf(stderr, "Error: unknown fork '%.64s'\n", v);
                return 1;
            }
        } else if (evmtool_opt(argc, argv, &i, "bench", false, NULL)) {
            bench = true;
        } else if (evmtool_opt(argc, argv, &i, "trace", false, NULL)) {
            trace = true;
        } else {
            fprintf(stderr, "Error: unknown argument '%.64s' for run\n", argv[i]);
            return 1;
        }
    }
    if (!code_hex) {
        fprintf(stderr, "Usage: spectrum-evm run --code HEX [--input HEX] [--gas N] "
                        "[--fork NAME] [--bench] [--trace]\n");
        return 1;
    }
    if (gas > (uint64_t)INT64_MAX) {
        fprintf(stderr, "Error: --gas above 2^63-1\n");
        return 1;
    }
    uint8_t *code = NULL, *input = NULL;
    size_t code_len = 0, input_len = 0;
    if (hex_decode_alloc(code_hex, strlen(code_hex), RUN_MAX_CODE, &code, &code_len) ||
        hex_decode_alloc(input_hex, strlen(input_hex), RUN_MAX_CODE, &input, &input_len)) {
        fprintf(stderr, "Error: --code/--input: %s\n", err_msg());
        free(code);
        return 1;
    }
    int rc = 1;
    struct state *st = NULL;
    struct evm *evm = NULL;
    if (state_open(NULL, NULL, &st) || evm_new(&evm) ||
        state_set_code(st, &RECEIVER, code, code_len)) {
        fprintf(stderr, "Error: %s\n", err_msg());
        goto out;
    }
    state_tx_finalize(st, false);
    struct evm_block block = {.number = 1, .timestamp = 1, .gas_limit = gas, .chain_id = 1};
    struct evm_tx_context txc = {SENDER, u256_from_u64(0)};
    evm_set_context(evm, st, fork, &block, &txc);
    if (trace)
        evm_set_trace(evm, stderr);
    struct evm_message msg = {.kind = EVM_CALL, .gas = gas, .sender = SENDER,
                              .recipient = RECEIVER, .code_address = RECEIVER,
                              .input = input, .input_len = input_len};
    struct evm_result res;
    state_snap snap = state_snapshot(st);
    if (evm_execute(evm, &msg, &res)) {
        fprintf(stderr, "Error: %s\n", err_msg());
        goto out;
    }
    uint64_t used = gas - res.gas_left;
    char *hex = malloc(2 * res.output_len + 1);
    if (!hex) {
        fprintf(stderr, "Error: out of memory\n");
        goto out;
    }
    hex_encode(hex, res.output, res.output_len);
    printf("0x%s\n", hex);
    free(hex);
    printf("status: %s\ngas used: %llu\n", evm_status_name(res.status),
           (unsigned long long)used);
    rc = res.status == EVM_SUCCESS ? 0 : 1;
    if (bench) {
        evm_set_trace(evm, NULL);
        unsigned long runs = 0;
        double spent = 0, start = now_s();
        while (now_s() - start < 1.0 || runs < 3) {
            state_revert(st, snap);
            double t0 = now_s();
            evm_execute(evm, &msg, &res);
            spent += now_s() - t0;
            runs++;
        }
        state_revert(st, snap);
        double per = spent / (double)runs;
        printf("runs: %lu\ntime per run: %.3f us\nMgas/s: %.1f\n", runs, per * 1e6,
               per > 0 ? (double)used / per / 1e6 : 0.0);
    }
out:
    evm_free(evm);
    state_free(st);
    free(code);
    free(input);
    return rc;
}
