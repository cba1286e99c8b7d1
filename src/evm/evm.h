/*
 * evm.h — the Ethereum Virtual Machine: one message call or contract
 * creation, run against a world state (state/state.h) under one fork's rules
 * (evm/fork.h: Frontier … Petersburg, and Spectrum's SIP004).
 *
 * Shape (why): a struct evm is a long-lived execution context. It owns what
 * the interpreter would otherwise allocate per call — one stack of 1024
 * words and one memory buffer per call depth, kept for reuse, and the cache
 * of jump-destination analyses keyed by code hash — so that, once warm,
 * executing a transaction allocates nothing except memory growth and new
 * code. The caller points it at a state, a block and a transaction context
 * (evm_set_context) and then runs messages (evm_execute). Transaction-level
 * rules (validity, buying gas, refunds, paying the coinbase) are in
 * evm/transaction.h; this header is the message level, where geth's
 * EVM.Call/Create sit.
 *
 * Consensus behaviour is that of go-ethereum for the same fork; the
 * interpreter is a computed-goto loop with one dispatch table and one
 * constant-gas table per fork (see interp.c for the design).
 *
 * C stack: message calls nest by recursion, up to 1025 frames deep. Each
 * level uses about 1 KiB of C stack in optimised builds (several times that
 * under sanitizers), so the thread that calls evm_execute needs about 2 MiB
 * of stack in release builds and 16 MiB with ASan; the default 8 MiB main
 * thread is enough for the former. EVM_THREAD_STACK is a safe size for a
 * thread created to run the EVM.
 *
 * Threads: a struct evm and the state it points to belong to one thread at a
 * time. Different struct evm may run on different threads at once.
 */
#ifndef SPECTRUM_EVM_EVM_H
#define SPECTRUM_EVM_EVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "evm/fork.h"
#include "primitives/address.h"
#include "primitives/u256.h"

struct state;

/* Limits of the protocol (all forks). */
#define EVM_MAX_DEPTH 1024          /* a call from depth 1024 fails */
#define EVM_STACK_LIMIT 1024        /* words */
#define EVM_MAX_CODE_SIZE 24576     /* EIP-170, from Spurious Dragon */

/* Stack size to give a thread that runs evm_execute (see above). */
#define EVM_THREAD_STACK ((size_t)64 << 20)

/* How a message ended. Only EVM_SUCCESS keeps the frame's state changes;
 * EVM_REVERT returns the unused gas; every other failure consumes all the
 * gas given to the frame, except EVM_CALL_DEPTH, EVM_INSUFFICIENT_BALANCE and
 * EVM_NONCE_OVERFLOW, which never enter the frame and return all of it. */
enum evm_status {
    EVM_SUCCESS = 0,
    EVM_REVERT,                 /* REVERT (Byzantium) */
    EVM_OUT_OF_GAS,
    EVM_INVALID_INSTRUCTION,    /* 0xfe, or an opcode the fork does not define */
    EVM_STACK_UNDERFLOW,
    EVM_STACK_OVERFLOW,
    EVM_BAD_JUMP,               /* JUMP/JUMPI to a non-JUMPDEST */
    EVM_STATIC_VIOLATION,       /* state change inside STATICCALL */
    EVM_RETURNDATA_OOB,         /* RETURNDATACOPY past the return data */
    EVM_CALL_DEPTH,             /* depth above EVM_MAX_DEPTH */
    EVM_INSUFFICIENT_BALANCE,   /* value larger than the sender's balance */
    EVM_CREATE_COLLISION,       /* CREATE/CREATE2 onto an account with nonce or code */
    EVM_CODE_SIZE_EXCEEDED,     /* EIP-170 */
    EVM_CODE_STORE_OOG,         /* cannot pay the code deposit (Homestead+) */
    EVM_PRECOMPILE_FAILURE,     /* invalid precompile input */
    EVM_NONCE_OVERFLOW,         /* creator's nonce at 2^64-1 (EIP-2681): gas returned */
    EVM_INTERNAL_ERROR,         /* out of memory or a state read error: see evm_error */
};

/* A static name for a status ("success", "out of gas", ...). */
const char *evm_status_name(enum evm_status s);

enum evm_call_kind {
    EVM_CALL = 0,
    EVM_CALLCODE,
    EVM_DELEGATECALL,
    EVM_STATICCALL,
    EVM_CREATE,
    EVM_CREATE2,
};

/*
 * BLOCKHASH source: writes the hash of block `number` into *out. Only asked
 * for the 256 blocks below the current one; an implementation that does not
 * know the block writes zeros.
 */
typedef void (*evm_block_hash_fn)(void *ctx, uint64_t number, struct hash32 *out);

/* The block being executed. */
struct evm_block {
    struct address coinbase;
    uint64_t number;
    uint64_t timestamp;
    uint64_t gas_limit;
    u256 difficulty;
    uint64_t chain_id;                 /* CHAINID (SIP004) */
    evm_block_hash_fn block_hash;      /* NULL: BLOCKHASH yields 0 */
    void *block_hash_ctx;
};

/* The transaction being executed. */
struct evm_tx_context {
    struct address origin;             /* ORIGIN */
    u256 gas_price;                    /* GASPRICE */
};

/*
 * One message: a call or a creation, as the transaction or a CALL-family /
 * CREATE opcode makes it.
 *   kind          which opcode (a transaction is EVM_CALL or EVM_CREATE)
 *   depth         0 for a transaction's message
 *   is_static     true inside STATICCALL (set by the kind for EVM_STATICCALL)
 *   gas           gas given to the frame, at most INT64_MAX
 *   sender        CALLER inside the frame (the creator for a creation)
 *   recipient     the account whose storage and balance the code acts on
 *                 (ADDRESS); ignored for creations
 *   code_address  whose code runs (differs from recipient for CALLCODE and
 *                 DELEGATECALL); ignored for creations
 *   value         CALLVALUE; transferred for CALL and creations, checked
 *                 against the balance but not moved for CALLCODE, neither
 *                 for DELEGATECALL (the parent's value, for the opcode)
 *   input         call data, or the init code of a creation (not copied; must
 *                 stay valid during evm_execute)
 *   salt          CREATE2 salt
 */
struct evm_message {
    enum evm_call_kind kind;
    int depth;
    bool is_static;
    uint64_t gas;
    struct address sender;
    struct address recipient;
    struct address code_address;
    u256 value;
    const uint8_t *input;
    size_t input_len;
    u256 salt;
};

/*
 * What a message produced.
 *   output    RETURN or REVERT data (or a precompile's output); empty after
 *             any other failure. It points into the evm's buffers and stays
 *             valid until the next evm_execute or evm_free.
 *   created   the new contract's address (creations that succeeded).
 */
struct evm_result {
    enum evm_status status;
    uint64_t gas_left;
    const uint8_t *output;
    size_t output_len;
    struct address created;
};

struct evm;

/* Creates an execution context (no state attached yet).
 * Returns 0 or ERR_NOMEM. */
int evm_new(struct evm **out);

/* Frees it (NULL is ignored). The state is not freed. */
void evm_free(struct evm *evm);

/*
 * Points the context at a state, fork, block and transaction; required
 * before evm_execute, and again whenever any of them changes (cheap: it
 * copies the two small structs). Also clears a previous internal error and
 * re-enables gas metering.
 * Args: state  not owned; must outlive the executions.
 */
void evm_set_context(struct evm *evm, struct state *state, enum evm_fork fork,
                     const struct evm_block *block, const struct evm_tx_context *tx);

/*
 * Runs one message against the state, including value transfer, snapshot
 * and revert of its own changes on failure, nonce increment of the creator
 * and the code deposit for creations. The caller handles everything of the
 * transaction level (intrinsic gas, refunds, finalising the state).
 * Returns: 0 with the outcome in *res (which may be a failure status: that is
 *          the EVM's answer, not an error); ERR_RANGE when msg->gas exceeds
 *          INT64_MAX; or the internal error (ERR_NOMEM, a state read error)
 *          that stopped execution — the state is then in an unspecified
 *          state and must be discarded.
 */
int evm_execute(struct evm *evm, const struct evm_message *msg, struct evm_result *res);

/*
 * Runs a creation as evm_execute does, but the new contract lives at `at`
 * instead of the CREATE address of (sender, nonce). Everything else is the
 * same: the sender's nonce is incremented, a collision at `at` (nonce, code
 * or storage) fails with EVM_CREATE_COLLISION, the init code runs with
 * ADDRESS = `at`, and the code deposit and EIP-170 apply.
 * Only for building a genesis state in which system contracts sit at fixed
 * addresses and their constructors call each other (chain/regtest_genesis.h);
 * no consensus path uses it.
 * Args: msg  an EVM_CREATE message (any other kind: ERR_INVAL)
 *       at   the address of the new contract (not owned)
 * Returns: as evm_execute; res->created is `at` on success.
 */
int evm_create_at(struct evm *evm, const struct evm_message *msg, const struct address *at,
                  struct evm_result *res);

/* The internal error that aborted the last execution (0 when none). */
int evm_error(const struct evm *evm);

/*
 * Spectrum hook (spec §6.4): while metering is off the interpreter charges
 * neither constant nor dynamic gas (memory still expands). The flag belongs
 * to the context and is re-read whenever a frame starts or a call returns,
 * so whoever sets it decides when it changes. On by default and after
 * evm_set_context.
 */
void evm_set_gas_metering(struct evm *evm, bool on);
bool evm_gas_metering(const struct evm *evm);

/*
 * Spectrum's per-frame metering rule (spec §6.4): the function decides, each
 * time a frame is entered through CALL, CALLCODE, DELEGATECALL or STATICCALL
 * (the transaction's own message included) and code is about to run, whether
 * that frame runs metered. It is not asked for precompiles, for accounts
 * without code, nor for CREATE/CREATE2 init code.
 *   caller    CALLER inside the new frame (for DELEGATECALL the parent's
 *             caller, as geth's contract.CallerAddress)
 *   contract  the recipient (ADDRESS), not the code address
 * Returns true for metered. The answer is stored in the context's flag (as
 * evm_set_gas_metering would) and is NOT restored when the frame returns: the
 * caller continues under it until the next frame entry — Spectrum's quirk,
 * which the stale-CALL-gas reuse of the interpreter completes. When the
 * caller of the new frame is an account whose init code is running (a
 * contract under construction, Spectrum's createSync), the function is not
 * asked and the flag stays as it is.
 */
typedef bool (*evm_frame_metering_fn)(void *ctx, const struct address *caller,
                                      const struct address *contract);

/*
 * Installs (fn non-NULL) or removes (fn NULL) the per-frame metering rule.
 * Without one (the default) frames leave the flag alone, which is plain
 * Ethereum behaviour. The rule survives evm_set_context.
 * Args: fn   called on the evm's thread during evm_execute; must not run
 *            this evm
 *       ctx  passed to fn; not owned, must outlive the executions
 */
void evm_set_frame_metering(struct evm *evm, evm_frame_metering_fn fn, void *ctx);

/*
 * Tracing: when `out` is not NULL, every executed instruction is written to
 * it as one EIP-3155 JSON line
 *   {"pc":0,"op":96,"gas":"0x..","gasCost":"0x3","memSize":0,"stack":[..],
 *    "depth":1,"refund":0,"opName":"PUSH1"}
 * (depth counted from 1). Tracing uses separate dispatch tables, so it costs
 * nothing when off. `out` is not owned.
 */
void evm_set_trace(struct evm *evm, FILE *out);

/*
 * One instruction about to run, as a tracer sees it (before it charges gas
 * or changes anything). The pointers are valid during the callback only.
 *   depth     1 for the transaction's own message, +1 per nested call
 *   gas       gas left in the frame before the instruction
 *   stack     the frame's stack, bottom first (stack[height-1] is the top)
 *   memory    the frame's memory (memory_size bytes, a multiple of 32)
 *   refund    the transaction's refund counter
 *   contract  ADDRESS of the frame (whose storage SLOAD/SSTORE use)
 *   state     the state being executed, for reads only (SLOAD's value)
 */
struct evm_step {
    uint64_t pc;
    uint8_t op;
    int depth;
    int64_t gas;
    const u256 *stack;
    size_t stack_height;
    const uint8_t *memory;
    uint64_t memory_size;
    uint64_t refund;
    const struct address *contract;
    struct state *state;
};

/*
 * A callback tracer (debug_traceTransaction's struct logger is one). Each
 * step is reported by `step`, then completed by `step_done` once its cost
 * is known: before the next step of the same frame, before the child frame
 * of a CALL/CREATE starts (the cost then includes the gas handed to it), or
 * when the frame ends. Exactly one step_done follows each step.
 *   step_done  cost      gas the instruction consumed (for a failing one:
 *                        all the frame had left)
 *              mem_size  the frame's memory size after its expansion
 *              status    EVM_SUCCESS, or why the instruction failed its frame
 *                        (out of gas, stack underflow, invalid instruction,
 *                        ...); a REVERT instruction itself is EVM_SUCCESS
 *   message_end  the message run by evm_execute/evm_create_at ended (the
 *                transaction's result; nested frames are not reported);
 *                may be NULL
 * The callbacks run on the evm's thread, inside evm_execute; they must not
 * run this evm or change the state. Any of step/step_done may be NULL.
 */
struct evm_tracer {
    void (*step)(void *ctx, const struct evm_step *s);
    void (*step_done)(void *ctx, uint64_t cost, uint64_t mem_size, enum evm_status status);
    void (*message_end)(void *ctx, const struct evm_result *res);
    void *ctx;
};

/*
 * Installs (t non-NULL; the struct is copied) or removes (t NULL) a
 * callback tracer. It survives evm_set_context and may be used together
 * with evm_set_trace. As with evm_set_trace, the interpreter only takes the
 * tracing path while a tracer is installed: an evm without one runs at full
 * speed. Never call it during evm_execute.
 */
void evm_set_tracer(struct evm *evm, const struct evm_tracer *t);

/* Releases cached analyses and per-depth buffers above `keep_bytes` in
 * total (e.g. after a block). Never call it during evm_execute. */
void evm_trim(struct evm *evm, size_t keep_bytes);

/* CREATE address: keccak256(rlp([sender, nonce]))[12:]. */
void evm_create_address(const struct address *sender, uint64_t nonce, struct address *out);

/* CREATE2 address (EIP-1014):
 * keccak256(0xff ‖ sender ‖ salt ‖ keccak256(init_code))[12:]. */
void evm_create2_address(const struct address *sender, const u256 *salt,
                         const struct hash32 *init_code_hash, struct address *out);

#endif
