/*
 * transaction.h — applying one transaction to a world state: the state
 * transition of the Yellow Paper section 6 (geth's core/state_transition.go)
 * for the forks Frontier … Petersburg and SIP004.
 *
 *  1. validity, every check before the first change, in this order (the
 *     first that fails is named): nonce equal to the sender's (and below
 *     2^64-1); gas limit ≤ 2^63-1; gas·price + value within 256 bits; gas
 *     limit ≤ the gas left in the block; balance ≥ gas·price; balance ≥
 *     gas·price + value; intrinsic gas ≤ gas limit. An invalid transaction
 *     changes nothing, the pool included.
 *  2. buy the gas (balance -= gas·price), take it from the block's pool,
 *     increment the nonce (a creation's message does that itself);
 *  3. run the message (evm.h) with gas limit − intrinsic gas;
 *  4. refund min(refund counter, gas used / 2) — the counter holds the
 *     SSTORE clear refunds (EIP-1283 rules in Constantinople) and
 *     self-destruct refunds; return unused gas to the sender and the pool;
 *     pay the coinbase gas used · price;
 *  5. finalise the state: self-destructed accounts go, and from Spurious
 *     Dragon on touched empty accounts too (EIP-161).
 *
 * Why one transition with rules: Spectrum's block execution (spec §6.3–§6.4,
 * chain/processor.h) is this same transition with a few departures — free
 * gas for a chief update, the fee back to the sender, the pool drawn only
 * from SIP001, per-frame metering. They are the fields of struct
 * evm_tx_rules, which the chain module fills per transaction; the EVM itself
 * tests no chief address and no fork of the chain. evm_apply_tx is the plain
 * Ethereum transition (all rules off), as the state tests run it.
 *
 * Threads: as the struct evm and state used.
 */
#ifndef SPECTRUM_EVM_TRANSACTION_H
#define SPECTRUM_EVM_TRANSACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evm/evm.h"
#include "primitives/receipt.h"
#include "primitives/tx.h"

/* Outcome of an applied (valid) transaction. Owns `logs` and `output`. */
struct evm_tx_result {
    enum evm_status status;     /* the top-level message's status */
    uint64_t gas_used;          /* after the refund: what the sender paid for */
    uint64_t refund;            /* gas refunded from the counter */
    struct log *logs;           /* NULL when log_count == 0 */
    size_t log_count;
    bool created;               /* a creation that succeeded */
    struct address contract;    /* its address (meaningful when created) */
    uint8_t *output;            /* return (or revert) data; NULL when empty */
    size_t output_len;
};

/* Releases logs and output and zeroes *r (NULL is allowed). */
void evm_tx_result_free(struct evm_tx_result *r);

/*
 * How a transaction's transition departs from Ethereum's (steps above).
 * All false / NULL is Ethereum (what evm_apply_tx uses).
 */
struct evm_tx_rules {
    /* No gas is bought and no intrinsic gas is charged: the message runs
     * with 0 gas whatever tx->gas says, and the pool is not drawn (Spectrum's
     * chief update, §6.3). */
    bool free_gas;
    /* The gas bought is neither checked against nor taken from the block's
     * pool, but the unused gas is still added to it (Spectrum before
     * SIP001: refundGas adds it unconditionally). */
    bool skip_pool;
    /* The fee (gas used · price) goes to the sender instead of the
     * coinbase, which this step then does not credit or touch (a tx to a
     * chief address, §6.3). */
    bool fee_to_sender;
    /* Balance below gas·price is ERR_UNSUPPORTED instead of ERR_INVAL:
     * Spectrum skips that check (chief txs from SIP100) and lets the balance
     * go negative, which cannot be reproduced. */
    bool refuse_unfunded;
    /* When not NULL, installed with evm_set_frame_metering (with
     * metering_ctx) before the message runs; it stays installed afterwards.
     * NULL leaves the evm's rule as it is (§6.4). */
    evm_frame_metering_fn metering;
    void *metering_ctx;
};

/*
 * Validates and applies `tx`, sent by `sender` (the caller recovered it),
 * to `state` under `rules`, then finalises the state (state_tx_finalize).
 * Args: evm      a context; evm_set_context is done here with `state`,
 *                `fork` and `block` (and evm_set_frame_metering when
 *                rules->metering is set)
 *       rules    not NULL; not kept
 *       gas_pool in: gas left in the block; out: as the rules say (plain:
 *                reduced by the gas used)
 * Returns: 0 with *out filled (the status inside may be a failure: the
 *          transaction is still valid and included);
 *          ERR_INVAL when the transaction is invalid (nonce, gas limit,
 *          funds, intrinsic gas, block gas; the context says which) — the
 *          state and *gas_pool are unchanged;
 *          ERR_UNSUPPORTED when rules->refuse_unfunded applies (state and
 *          pool unchanged), or when the message returned more gas than it
 *          was given (only possible with metering off: Spectrum's stale
 *          callGasTemp, §6.4) — then the state and pool must be discarded;
 *          another error (ERR_NOMEM, a state read error) — the state must be
 *          discarded. *out owns nothing on failure.
 */
int evm_apply_tx_rules(struct evm *evm, struct state *state, enum evm_fork fork,
                       const struct evm_block *block, const struct tx *tx,
                       const struct address *sender, const struct evm_tx_rules *rules,
                       uint64_t *gas_pool, struct evm_tx_result *out);

/*
 * evm_apply_tx_rules with the Ethereum rules (every field off): the
 * transition of the steps above.
 * Args: evm     a context; evm_set_context is done here with `state`,
 *               `fork` and `block`
 *       gas_pool in: gas left in the block; out: reduced by the gas used
 * Returns: 0 with *out filled (the status inside may be a failure: the
 *          transaction is still valid and included);
 *          ERR_INVAL when the transaction is invalid (nonce, funds, intrinsic
 *          gas, block gas; the context says which) — the state is unchanged;
 *          another error (ERR_NOMEM, a state read error) — the state must be
 *          discarded. *out owns nothing on failure.
 */
int evm_apply_tx(struct evm *evm, struct state *state, enum evm_fork fork,
                 const struct evm_block *block, const struct tx *tx,
                 const struct address *sender, uint64_t *gas_pool, struct evm_tx_result *out);

#endif
