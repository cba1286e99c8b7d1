/*
 * transaction.h — applying one transaction to a world state: the state
 * transition of the Yellow Paper section 6 (geth's core/state_transition.go)
 * for the forks Frontier … Petersburg and SIP004.
 *
 *  1. validity: nonce equal to the sender's, balance ≥ gas·price + value,
 *     intrinsic gas ≤ gas limit, gas limit ≤ the gas left in the block. An
 *     invalid transaction changes nothing.
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
 * Spectrum's own transaction rules (chief transactions: free gas, fee to the
 * sender; spec §6.3) are not applied here; the caller layers them on top.
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
 * Validates and applies `tx`, sent by `sender` (the caller recovered it),
 * to `state`, then finalises the state (state_tx_finalize).
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
