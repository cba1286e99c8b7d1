/*
 * gas.h — the opcode table and gas schedule of every fork the EVM runs.
 *
 * Shape (why): the interpreter charges each instruction's constant gas by
 * indexing a per-fork table with the opcode, so no instruction body ever
 * tests the fork for its base price; the fork only shows up where the Yellow
 * Paper's dynamic rules differ (call gas, SSTORE, EXP, SELFDESTRUCT), which
 * the instruction bodies decide with `fork >= FORK_X` on their slow paths.
 * The tables are built once, on first use, from the list of (opcode, first
 * fork, price) in gas.c, and are immutable afterwards.
 *
 * Threads: everything here is safe from any thread (the one-time build is
 * guarded by pthread_once).
 */
#ifndef SPECTRUM_EVM_GAS_H
#define SPECTRUM_EVM_GAS_H

#include <stdbool.h>
#include <stdint.h>

#include "evm/fork.h"

/* Opcodes (the ones any supported fork defines). */
enum evm_opcode {
    OP_STOP = 0x00, OP_ADD, OP_MUL, OP_SUB, OP_DIV, OP_SDIV, OP_MOD, OP_SMOD,
    OP_ADDMOD, OP_MULMOD, OP_EXP, OP_SIGNEXTEND,
    OP_LT = 0x10, OP_GT, OP_SLT, OP_SGT, OP_EQ, OP_ISZERO, OP_AND, OP_OR, OP_XOR,
    OP_NOT, OP_BYTE, OP_SHL, OP_SHR, OP_SAR,
    OP_SHA3 = 0x20,
    OP_ADDRESS = 0x30, OP_BALANCE, OP_ORIGIN, OP_CALLER, OP_CALLVALUE, OP_CALLDATALOAD,
    OP_CALLDATASIZE, OP_CALLDATACOPY, OP_CODESIZE, OP_CODECOPY, OP_GASPRICE,
    OP_EXTCODESIZE, OP_EXTCODECOPY, OP_RETURNDATASIZE, OP_RETURNDATACOPY, OP_EXTCODEHASH,
    OP_BLOCKHASH = 0x40, OP_COINBASE, OP_TIMESTAMP, OP_NUMBER, OP_DIFFICULTY, OP_GASLIMIT,
    OP_CHAINID, OP_SELFBALANCE,
    OP_POP = 0x50, OP_MLOAD, OP_MSTORE, OP_MSTORE8, OP_SLOAD, OP_SSTORE, OP_JUMP, OP_JUMPI,
    OP_PC, OP_MSIZE, OP_GAS, OP_JUMPDEST,
    OP_PUSH1 = 0x60, OP_PUSH32 = 0x7f,
    OP_DUP1 = 0x80, OP_DUP16 = 0x8f,
    OP_SWAP1 = 0x90, OP_SWAP16 = 0x9f,
    OP_LOG0 = 0xa0, OP_LOG4 = 0xa4,
    OP_CREATE = 0xf0, OP_CALL, OP_CALLCODE, OP_RETURN, OP_DELEGATECALL, OP_CREATE2,
    OP_STATICCALL = 0xfa, OP_REVERT = 0xfd, OP_INVALID = 0xfe, OP_SELFDESTRUCT = 0xff,
};

/* Static facts about an opcode, the same in every fork that defines it. */
struct evm_op_info {
    const char *name;       /* "ADD"; NULL when no supported fork defines it */
    uint8_t stack_in;       /* items it pops */
    uint8_t stack_out;      /* items it pushes */
    enum evm_fork since;    /* first fork that defines it */
};

/* Info of `op` (name NULL for an opcode no fork defines). */
const struct evm_op_info *evm_op_info(uint8_t op);

/* True when `op` is defined under `fork`. */
bool evm_op_defined(enum evm_fork fork, uint8_t op);

/* The constant gas of every opcode under `fork` (0 for undefined ones, which
 * fail before gas matters). The pointer is to a static table of 256 entries.
 * `fork` must be a valid enum value. */
const uint32_t *evm_gas_table(enum evm_fork fork);

/* A table of 256 zeros: the constant gas while metering is off. */
const uint32_t *evm_gas_table_free(void);

/* ---- dynamic gas (Yellow Paper appendix G names in comments) -------------- */

#define GAS_COPY_WORD 3u             /* Gcopy, per word of *COPY */
#define GAS_SHA3_WORD 6u             /* Gsha3word */
#define GAS_LOG_DATA 8u              /* Glogdata, per byte */
#define GAS_MEMORY 3u                /* Gmemory, per word */
#define GAS_QUAD_DIVISOR 512u        /* memory: words^2 / 512 */
#define GAS_EXP_BYTE_FRONTIER 10u    /* Gexpbyte */
#define GAS_EXP_BYTE_EIP160 50u      /* from Spurious Dragon */
#define GAS_CALL_VALUE 9000u         /* Gcallvalue */
#define GAS_CALL_STIPEND 2300u       /* Gcallstipend */
#define GAS_NEW_ACCOUNT 25000u       /* Gnewaccount (CALL, SELFDESTRUCT from EIP-150) */
#define GAS_CODE_DEPOSIT 200u        /* Gcodedeposit, per byte */
#define GAS_SSTORE_SET 20000u        /* legacy: zero -> non-zero */
#define GAS_SSTORE_RESET 5000u       /* legacy: anything else */
#define REFUND_SSTORE_CLEAR 15000u   /* non-zero -> zero */
#define GAS_SSTORE_NOOP 200u         /* EIP-1283: current == new, or a dirty slot */
#define REFUND_SSTORE_RESET_CLEAR 19800u /* EIP-1283: back to an original zero */
#define REFUND_SSTORE_RESET 4800u    /* EIP-1283: back to an original non-zero */
#define REFUND_SELFDESTRUCT 24000u

/* Gas of a memory of `words` 32-byte words: 3·w + w²/512. Exact for w below
 * 2^32, the largest memory the interpreter considers. */
static inline uint64_t evm_memory_gas(uint64_t words)
{
    return GAS_MEMORY * words + words * words / GAS_QUAD_DIVISOR;
}

/* Number of 32-byte words covering `bytes` (bytes below 2^63). */
static inline uint64_t evm_words(uint64_t bytes)
{
    return (bytes + 31) / 32;
}

#endif
