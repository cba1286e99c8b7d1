/*
 * evm_harness.h — what the EVM unit tests share: an in-memory state with an
 * EVM context on it, a one-line assembler so tests read as EVM assembly,
 * and helpers that run code as a message call and read the result.
 *
 * Assembly: opcode names as gas.c spells them, separated by spaces;
 * "PUSHn X" pushes X (hex with 0x, or decimal) in exactly n bytes; "PUSH X"
 * picks the smallest n; "RET" expands to "PUSH1 0 MSTORE PUSH1 32 PUSH1 0
 * RETURN" (return the top word); "@name" marks a JUMPDEST position and
 * "PUSH2 :name" pushes it (labels may be used before they are defined).
 * Anything else fails the test that asked.
 */
#ifndef SPECTRUM_TEST_EVM_HARNESS_H
#define SPECTRUM_TEST_EVM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evm/evm.h"
#include "primitives/address.h"
#include "primitives/u256.h"

struct state;

/* Addresses the harness uses: code runs at H_CONTRACT, called by H_SENDER
 * (also ORIGIN), block coinbase H_COINBASE. */
extern const struct address H_CONTRACT, H_SENDER, H_COINBASE, H_OTHER;

struct harness {
    struct state *st;
    struct evm *evm;
    enum evm_fork fork;
    struct evm_block block;
    struct evm_tx_context tx;
    struct evm_result res;   /* of the last h_call */
    uint64_t gas_used;       /* of the last h_call */
};

/* Fresh empty state and context under `fork` (fails the test on error). */
void h_init(struct harness *h, enum evm_fork fork);
void h_free(struct harness *h);

/* Assembles `src` into out (cap bytes); returns the length (fails the test
 * on a syntax error). */
size_t h_asm(const char *src, uint8_t *out, size_t cap);

/* Installs assembled code at `a` and finalises the state (so storage and
 * code count as committed). */
void h_code(struct harness *h, const struct address *a, const char *src);

/* Sets a committed storage slot of `a` (finalises). */
void h_storage(struct harness *h, const struct address *a, uint64_t key, const u256 *v);

/* Sets the balance of `a` (finalises). */
void h_balance(struct harness *h, const struct address *a, uint64_t wei);

/* Calls H_CONTRACT (which must hold code) from H_SENDER with `gas`, value
 * and input; the result goes to h->res and h->gas_used. Returns the status. */
enum evm_status h_call_value(struct harness *h, uint64_t gas, uint64_t value,
                             const uint8_t *input, size_t len);
enum evm_status h_call(struct harness *h, uint64_t gas);

/* Installs `src` at H_CONTRACT and calls it with `gas`. */
enum evm_status h_run(struct harness *h, const char *src, uint64_t gas);

/* The first 32 bytes of the last output as a word (fails if shorter). */
u256 h_word(const struct harness *h);

/* Runs `src` followed by RET with plenty of gas and returns the word it
 * returned (fails the test unless it succeeded). */
u256 h_eval(struct harness *h, const char *src);

/* Parses a hex or decimal number into a word (fails the test on error). */
u256 h_u(const char *s);

/* Storage slot `key` of `a`. */
u256 h_sload(struct harness *h, const struct address *a, uint64_t key);

#endif
