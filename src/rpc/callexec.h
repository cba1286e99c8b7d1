/*
 * callexec.h — running a message on the state of a block for the RPC
 * methods that execute without committing: eth_call, eth_estimateGas (and
 * debug_traceCall, which installs a tracer on the evm before running).
 *
 *   callexec_parse_args       a call object ({from, to, gas, gasPrice, value,
 *                             data|input, nonce}) with geth's messages
 *   callexec_parse_overrides  geth's state override set
 *                             ({addr: {balance, nonce, code, state, stateDiff}})
 *   callexec_open/close       a block: header, BLOCKHASH source, fork, an evm
 *                             of its own and a read-only store over a db
 *                             snapshot
 *   callexec_run              one run on a fresh state at the block's root,
 *                             overrides applied, as a transaction would go
 *                             (evm_apply_tx_rules), nothing written
 *   callexec_fail             the error reply of a failed run (revert = code 3)
 *
 * Why it is shaped this way. dispatch.h's threading rule: a worker never
 * touches the chain thread's structs. So every call gets its own struct evm
 * and its own struct state opened over the database under a snapshot (the
 * database only holds committed heads), and everything it changes is thrown
 * away with the state. A fresh state per run (rather than a revert) lets
 * eth_estimateGas run the same message many times with exactly the
 * transition a mined transaction goes through, finalisation and refunds
 * included; opening one is cheap (nothing is read until needed).
 *
 * Gas metering ("the call runs with gas metering off", spec §11). Spectrum's
 * node asks for unmetered execution, but its per-frame rule (§6.4) sets the
 * flag again on every frame entry, so in effect only the frames of the
 * system contracts (the chief addresses, and the chief-called pairs) run
 * free, as in a block. callexec keeps that rule with one restriction that
 * makes every run end: system frames run unmetered, as in a block, only
 * until the first frame entry that is metered; from then on every frame is
 * metered. And there are no unmetered frames at all in a creation, in a
 * call whose top-level frame is not the one the rule exempts, or when the
 * overrides replace any code. So the only instructions that ever run
 * unmetered are those of the system contracts' own code (never user code
 * left unmetered after a system frame returns, the quirk of §6.4), and the
 * rest is bounded by the call's gas, at most CALLEXEC_GAS_CAP. What this
 * changes against a block: a user contract that calls a chief contract is
 * charged for it (a block would not charge), so an estimate for it is a
 * little high, never too low; a direct call of a system contract, the
 * common case (chief status reads), runs as in a block.
 *
 * Threads: an RPC worker; a struct callexec_block belongs to one thread.
 */
#ifndef SPECTRUM_RPC_CALLEXEC_H
#define SPECTRUM_RPC_CALLEXEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain/chain.h"
#include "chain/params.h"
#include "chainsvc/chainsvc.h"
#include "evm/evm.h"
#include "evm/transaction.h"
#include "primitives/address.h"
#include "primitives/header.h"
#include "primitives/u256.h"
#include "rpc/chainjson.h"
#include "rpc/dispatch.h"
#include "storage/trie_db.h"

/* Gas of a call that names none (spec §11), and the most any call or
 * estimate may use (geth's RPCGasCap, same value): larger gas is capped. */
#define CALLEXEC_DEFAULT_GAS 50000000ull
#define CALLEXEC_GAS_CAP 50000000ull
/* What a worker's cached evm keeps between calls (analyses, frame
 * buffers); more is released after each call. */
#define CALLEXEC_EVM_KEEP ((size_t)8 << 20)
/* Longest call data or init code read from a call object. */
#define CALLEXEC_MAX_DATA (1u << 20)
/* Limits on one override set (-32602 beyond). */
#define CALLEXEC_MAX_OVERRIDE_ACCOUNTS 1024
#define CALLEXEC_MAX_OVERRIDE_SLOTS 16384   /* over all accounts */
#define CALLEXEC_MAX_OVERRIDE_CODE (1u << 20)

/* ---- arguments ------------------------------------------------------------------- */

/* A call object. Absent fields are false/zero; data is owned. */
struct callexec_args {
    bool has_from;
    struct address from;            /* absent: the zero address (geth) */
    bool has_to;                    /* absent or null: a creation */
    struct address to;
    bool has_gas;
    uint64_t gas;
    bool has_gas_price;
    u256 gas_price;                 /* absent: 0, so no balance is needed */
    u256 value;
    uint8_t *data;                  /* data or input; NULL when empty */
    size_t data_len;
};

/*
 * Parses the call object `v`, argument idx (named in messages), as geth's
 * TransactionArgs: from, to (addresses), gas, nonce (quantities; nonce is
 * checked and ignored), gasPrice, value, maxFeePerGas,
 * maxPriorityFeePerGas (256-bit quantities; the fee caps are ignored since
 * no block has a base fee), data / input (hex, equal when both are given,
 * at most CALLEXEC_MAX_DATA bytes). Unknown fields are ignored.
 * Returns 0 or -1 with ctx's error set: -32602 naming the argument and
 * field, or -32000 "both gasPrice and (maxFeePerGas or
 * maxPriorityFeePerGas) specified". *out owns nothing after a failure.
 */
int callexec_parse_args(struct rpc_ctx *ctx, const json_t *v, size_t idx,
                        struct callexec_args *out);

/* Releases the data and zeroes *a (NULL is ignored). */
void callexec_args_free(struct callexec_args *a);

/* One slot of an override. */
struct callexec_slot {
    u256 key;
    u256 value;
};

/* What an override sets for one account (the has_ flags say which). */
struct callexec_override {
    struct address addr;
    bool has_balance, has_nonce, has_code;
    u256 balance;
    uint64_t nonce;
    uint8_t *code;                  /* owned; NULL for empty code */
    size_t code_len;
    bool replace_storage;           /* `state`: the whole storage is these slots */
    struct callexec_slot *slots;    /* owned: `state` or `stateDiff` */
    size_t nslots;
};

struct callexec_overrides {
    struct callexec_override *acct;
    size_t count;
};

/*
 * Parses geth's state override set, argument idx: an object whose keys are
 * addresses and whose values are {balance?, nonce?, code?, state?,
 * stateDiff?}; state and stateDiff map 32-byte slot keys to 32-byte values.
 * NULL or JSON null is an empty set. Unknown fields are ignored.
 * Returns 0 or -1 with ctx's error set: -32602 naming the argument, account
 * and field; -32000 "account 0x.. has both 'state' and 'stateDiff'" (geth);
 * -32603 out of memory. *out owns nothing after a failure.
 */
int callexec_parse_overrides(struct rpc_ctx *ctx, const json_t *v, size_t idx,
                             struct callexec_overrides *out);

void callexec_overrides_free(struct callexec_overrides *o);

/* True when some override replaces code (the unmetered frames are then
 * off, see above). */
bool callexec_overrides_code(const struct callexec_overrides *o);

/*
 * Applies the overrides to st in geth's order (nonce, code, balance, then
 * `state` replacing the storage or `stateDiff` setting slots), then ends
 * the pseudo-transaction (state_tx_finalize without deleting empty
 * accounts), so the call sees them as committed.
 * Returns 0, ERR_NOMEM, ERR_RANGE (code too long), or the state's error.
 */
int callexec_apply_overrides(struct state *st, const struct callexec_overrides *o);

/* ---- a block to run on ------------------------------------------------------------ */

struct callexec_block {
    const struct chain_params *params;
    struct db *db;
    struct db_snapshot *snap;
    struct trie_db tdb;
    struct trie_store store;
    struct header header;           /* owned */
    struct hash32 hash;
    uint64_t number;
    enum evm_fork fork;
    struct chain_hash_ctx hctx;     /* BLOCKHASH: the block's ancestors */
    struct evm_block block;         /* the EVM's block context */
    struct evm *evm;                /* the thread's evm while open (see callexec_open) */
    bool ready;                     /* header read (callexec_close frees it) */
};

/*
 * Opens the block `ref` names (latest and pending are the published head):
 * its header as the block context (number, time, coinbase — or the sealer
 * when the coinbase is zero —, difficulty, gas limit), BLOCKHASH over its
 * ancestors, the EVM fork of its number, an evm, and a read-only node
 * store under a database snapshot. Execution then runs on the block's post
 * state, as geth's eth_call does. The evm is the calling thread's own,
 * kept between calls so that code analyses stay warm (a thread that has
 * none, or whose evm is in use by an open block, gets a new one); a caller
 * that installs a tracer on cb->evm must remove it before callexec_close
 * (a trace FILE and the metering rule are removed there).
 * Returns 0, or -1 with ctx's error set (-32000 "header not found" for a
 * block that does not exist). Release with callexec_close in every case.
 */
int callexec_open(struct rpc_ctx *ctx, struct chainsvc *svc, const struct rpc_block_ref *ref,
                  struct callexec_block *cb);

void callexec_close(struct callexec_block *cb);

/* ---- running ---------------------------------------------------------------------- */

/* callexec_run's answer when the message is not a valid transaction. */
#define CALLEXEC_INVALID 1

/*
 * Runs args as a transaction with `gas` on a fresh state at cb's root with
 * the overrides applied: the sender's nonce is taken from the state, the
 * gas pool is unlimited, the chain's per-transaction rules apply (free gas
 * for a chief update, fee back to the sender for a chief call), and the
 * metering rule described above. Nothing is kept.
 * Returns: 0 with *out filled (its status may be a failure: the EVM's
 *          answer) — free it with evm_tx_result_free;
 *          CALLEXEC_INVALID when the message is no valid transaction, with
 *          ctx's error set (-32000, geth's text: "intrinsic gas too low:
 *          have N, want M", "insufficient funds for gas * price + value:
 *          address 0x.. have N want M", "nonce has max value: ...");
 *          -1 with ctx's error set (a state or database error, out of
 *          memory, the request cancelled, or "gas left above gas bought"
 *          from Spectrum's stale call gas, spec §6.4).
 * Args: gas  at most CALLEXEC_GAS_CAP (larger is capped).
 */
int callexec_run(struct rpc_ctx *ctx, struct callexec_block *cb, const struct callexec_args *args,
                 const struct callexec_overrides *ov, uint64_t gas, struct evm_tx_result *out);

/* The intrinsic gas of args as a transaction in cb's fork. */
uint64_t callexec_intrinsic_gas(const struct callexec_block *cb, const struct callexec_args *args);

/*
 * Sets ctx's error for a run that did not succeed and returns NULL:
 *   EVM_REVERT  code 3, "execution reverted" or "execution reverted:
 *               <reason>" (callexec_revert_reason), data = the revert data
 *               as hex ("0x" when empty), as geth does;
 *   otherwise   -32000 with geth's text of the failure ("out of gas",
 *               "invalid opcode", "invalid jump destination", ...).
 */
json_t *callexec_fail(struct rpc_ctx *ctx, const struct evm_tx_result *r);

/*
 * The reason Solidity encoded in revert data, if any: Error(string)
 * (selector 08c379a0) gives the string, Panic(uint256) (4e487b71) the
 * compiler's text for the code ("assert(false)", "arithmetic underflow or
 * overflow", ..., else "unknown panic code: 0x.."). The reason is written
 * NUL-terminated into out (cap >= 4 bytes), as valid UTF-8: invalid bytes
 * and NULs become U+FFFD, and a reason that does not fit is cut at a
 * character boundary. Outside input: every offset and length is checked.
 * Returns true when the data was one of the two forms (else out is "").
 */
bool callexec_revert_reason(const uint8_t *data, size_t len, char *out, size_t cap);

/* geth's text for a failed status ("out of gas", ...). Static string. */
const char *callexec_status_text(enum evm_status s);

#endif
