/*
 * processor.h — executing a block: its transactions under Spectrum's
 * transaction-level rules (spec §6.3–§6.5), then Finalize (§7: reward with
 * halving, the one-off burn), then the fields a header commits to (receipts,
 * bloom, gasUsed, state, receipt and transaction roots).
 *
 * Why it is shaped this way: block import (ValidateState, §10 step 6) and the
 * miner both need the same execution; the importer compares the computed
 * fields with the block's header, the miner writes them into its header.
 * So execution returns a struct chain_exec_result and judges nothing about
 * the header itself except through chain_exec_check. The miner also needs
 * to apply transactions one at a time and skip the invalid ones, so the
 * block-at-once function is built from a small incremental API
 * (chain_exec_begin / chain_exec_tx / chain_exec_finish).
 *
 * The state transition is Spectrum's (core/state_transition.go at HEAD):
 * evm_apply_tx_rules (evm/transaction.h) with the rules this module picks
 * per tx, where plain Ethereum (evm_apply_tx) has none: for a chief update
 * tx (`to` in the chief address set and data starting 1c1b8772, from
 * SIP001) no gas is bought, no intrinsic gas is charged, the message runs
 * with 0 gas and nothing is added to the cumulative gas; for any tx to a
 * chief address the fee goes back to the sender, and the top-level frame
 * runs with gas metering off (§6.4); the block gas pool is only drawn from
 * SIP001 on (before it, unused gas is still added back). As in Spectrum,
 * these fork predicates are evaluated at the PARENT number
 * (bc.currentBlock), which differs from the block's only on the exact fork
 * block. The EVM fork, EIP-158 deletion, Homestead intrinsic gas and the
 * signer rules use the block's own number.
 *
 * The §6.4 metering rule is applied per frame through
 * evm_set_frame_metering (installed by evm_apply_tx_rules for each tx); the
 * hook stays installed on env->evm.
 * Known gaps: a tx that would leave a negative balance (chief tx from SIP100
 * with balance < gas·price, which geth could not commit either) or gain gas
 * through a stale callGasTemp is refused rather than reproduced.
 *
 * Receipts are always in Byzantium form ([status, cumulativeGas, bloom,
 * logs]): every Spectrum network (and regtest) has Byzantium from block 0,
 * so pre-Byzantium intermediate state roots are never needed; a parameter
 * set with Byzantium later gets ERR_UNSUPPORTED for the blocks before it.
 *
 * Threads: one thread per struct chain_exec (and its state and evm).
 */
#ifndef SPECTRUM_CHAIN_PROCESSOR_H
#define SPECTRUM_CHAIN_PROCESSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain/params.h"
#include "evm/evm.h"
#include "primitives/block.h"
#include "primitives/header.h"
#include "primitives/receipt.h"
#include "primitives/tx.h"

struct state;

/* Selector of the chief's update(address): 1c 1b 87 72 (spec §6.1). */
extern const uint8_t CHAIN_CHIEF_UPDATE_SELECTOR[4];

/* What a block's execution needs besides the block and the state. */
struct chain_exec_env {
    const struct chain_params *params;  /* not owned */
    struct evm *evm;                    /* a reusable context; not owned */
    /* Author when header.coinbase is zero (the recovered signer); may be NULL
     * (then the zero address). */
    const struct address *signer;
    evm_block_hash_fn block_hash;       /* BLOCKHASH; NULL gives zeros */
    void *block_hash_ctx;
};

/* The fields execution computes. Owns receipts and senders. */
struct chain_exec_result {
    struct receipt *receipts;   /* one per applied tx, Byzantium form */
    struct address *senders;    /* the recovered sender of each applied tx */
    size_t count;               /* applied transactions */
    uint64_t gas_used;          /* Σ gas of the non-chief-update txs (header.gasUsed) */
    struct bloom bloom;         /* OR of the receipts' blooms */
    struct hash32 state_root;   /* after Finalize */
    struct hash32 receipt_root; /* trie RLP(i) -> receipt RLP */
    struct hash32 tx_root;      /* trie RLP(i) -> tx RLP */
};

/* Releases receipts and senders and zeroes *r (NULL is allowed). */
void chain_exec_result_free(struct chain_exec_result *r);

/* True when tx is a chief update for the purpose of the gas rules (§6.3):
 * to ∈ the chief address set (every version) and data starts with the
 * update selector. (The fork gate SIP001 is the caller's.) */
bool chain_is_chief_update(const struct chain_params *p, const struct tx *tx);

/*
 * Recovers the sender of tx in block n: EIP-155 and Homestead rules as the
 * params say, and from SIP003 on the tx must be EIP-155 protected (§6.5).
 * Returns 0, ERR_INVAL (unprotected from SIP003, wrong chain id), ERR_CRYPTO
 * (bad signature), ERR_NOMEM. Out: sender.
 */
int chain_tx_sender(const struct chain_params *p, uint64_t n, const struct tx *tx,
                    struct address *sender);

/* ---- incremental execution (the miner's interface) ---------------------- */

struct chain_exec;

/*
 * Starts executing a block with header h (number, time, gas limit,
 * difficulty and coinbase are read; the roots are not) on `st`, a state
 * opened at the parent's state root. h, env and st must outlive the struct.
 * Returns 0, ERR_UNSUPPORTED (Byzantium not active at h->number), ERR_NOMEM.
 */
int chain_exec_begin(const struct chain_exec_env *env, struct state *st, const struct header *h,
                     struct chain_exec **out);

/*
 * Applies one transaction sent by `sender` (recovered by the caller, e.g.
 * with chain_tx_sender) and records its receipt.
 * Returns 0 (applied; the tx may have failed inside: see its receipt);
 * ERR_INVAL when the tx is invalid in this block (nonce, funds, gas pool,
 * intrinsic gas; the state is unchanged and the tx is not recorded: a miner
 * skips it, an importer rejects the block); ERR_UNSUPPORTED for the two
 * unreproduced edge cases above (discard the state: the stale-gas case is
 * found after execution); another error (ERR_NOMEM, a state read error): the
 * state must be discarded.
 */
int chain_exec_tx(struct chain_exec *x, const struct tx *tx, const struct address *sender);

/* Gas left in the block's pool (for the miner). */
uint64_t chain_exec_gas_left(const struct chain_exec *x);

/*
 * Runs Finalize (chain_finalize), computes the roots and bloom, and hands
 * the results to *out; the struct is freed in every case. txs must be the
 * applied transactions in order (count of them, as recorded), for the tx
 * root. Returns 0, or a state/trie error (ERR_NOMEM, ...).
 */
int chain_exec_finish(struct chain_exec *x, const struct tx *txs, size_t count,
                      struct chain_exec_result *out);

/* Frees an unfinished execution (NULL is ignored). */
void chain_exec_abort(struct chain_exec *x);

/* ---- whole blocks --------------------------------------------------------- */

/*
 * Executes every transaction of `body` in block h on `st` (opened at the
 * parent's state root), recovering senders (chain_tx_sender), then Finalize.
 * Nothing is written: the caller commits the state (state_commit) into its
 * batch after checking the result.
 * Returns 0 with *out filled; ERR_INVAL (an invalid tx, an unprotected tx
 * from SIP003, a bad signature is ERR_CRYPTO; the context names the index);
 * ERR_UNSUPPORTED; or another error. *out owns nothing on failure.
 */
int chain_execute_block(const struct chain_exec_env *env, struct state *st,
                        const struct header *h, const struct block_body *body,
                        struct chain_exec_result *out);

/*
 * As chain_execute_block, with the senders already recovered (by
 * chain_recover_senders): senders[i] is the sender of body->txs[i]
 * (body->tx_count of them; may be NULL only for an empty body). The
 * importer recovers once and gives the same senders to the engine's
 * ValidateBlock and here. Returns as chain_execute_block (ERR_INVAL when
 * senders is missing).
 */
int chain_execute_block_senders(const struct chain_exec_env *env, struct state *st,
                                const struct header *h, const struct block_body *body,
                                const struct address *senders, struct chain_exec_result *out);

/* Bodies with at least this many txs have their senders recovered on two
 * threads (signature recovery is most of an import's time). */
#define CHAIN_PARALLEL_SENDERS_MIN 64

/*
 * Recovers the sender of every tx of `body` in block n with
 * chain_tx_sender (SIP003 protection, chain id, signature), on two threads
 * when the body has CHAIN_PARALLEL_SENDERS_MIN txs or more (one when a
 * thread cannot be started). The outcome does not depend on the threading.
 * Out: senders[0 .. body->tx_count-1] (the caller's array; unspecified on
 * failure).
 * Returns 0, or the error of the lowest-indexed tx that fails (ERR_INVAL,
 * ERR_CRYPTO, ERR_NOMEM) with "tx <i>: <reason>" as its context.
 * Thread: any (it starts and joins its own helper thread).
 */
int chain_recover_senders(const struct chain_params *p, uint64_t n,
                          const struct block_body *body, struct address *senders);

/*
 * Finalize (spec §7): from chief100_block on, the block reward with halving
 * (params_block_reward) to h->coinbase; at exactly chief100_block, when
 * params->burn_enabled (mainnet), min(balance, burn_amount) taken from
 * burn_account; then state_tx_finalize with EIP-158 deletion as the fork
 * says. Returns 0 or the state's sticky error.
 */
int chain_finalize(const struct chain_params *p, struct state *st, const struct header *h);

/* Root of the trie RLP(i) -> RLP(txs[i]) (the empty root for none).
 * Returns 0 or ERR_NOMEM. */
int chain_tx_root(const struct tx *txs, size_t n, struct hash32 *out);

/* Root of the trie RLP(i) -> receipt encoding. Returns 0 or ERR_NOMEM. */
int chain_receipt_root(const struct receipt *receipts, size_t n, struct hash32 *out);

/*
 * ValidateState (spec §10 steps 3d and 6): compares h's txRoot, gasUsed,
 * bloom, receiptRoot and stateRoot with the computed ones, and from SIP100
 * on (§6.2 step 5, §10 step 5) requires the first receipt's status to be
 * success when n > params->unchecked_blocks.
 * Returns 0 or ERR_INVAL naming the first field that differs (both values).
 */
int chain_exec_check(const struct chain_params *p, const struct header *h,
                     const struct chain_exec_result *r);

#endif
