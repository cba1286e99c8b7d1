/*
 * txpool_internal.h — the pool's private layout, shared by its files:
 * txpool.c (structure: accounts, replacement, limits, new heads),
 * txpool_validate.c (the admission checks and their reasons) and
 * txpool_iter.c (the miner's order). Not for use outside src/txpool.
 *
 * An account keeps its txs in one array sorted by nonce; the prefix whose
 * nonces run state_nonce, state_nonce+1, ... without a gap is pending, the
 * rest queued. Every structural change ends with account_reclass(), which
 * recomputes that split and the pool's counters from scratch (O(account)).
 */
#ifndef SPECTRUM_TXPOOL_INTERNAL_H
#define SPECTRUM_TXPOOL_INTERNAL_H

#include "txpool/txpool.h"
#include "txpool/txpool_map.h"

struct txpool_account {
    struct address addr;            /* map key */
    uint64_t state_nonce;           /* as read at the last add or new head */
    struct txpool_tx **txs;         /* sorted by nonce, strictly increasing */
    size_t n, cap;
    size_t npending;                /* the pending prefix of txs */
};

struct txpool {
    const struct chain_params *params;
    struct txpool_config cfg;
    uint64_t head_number;
    uint64_t gas_limit;
    struct tx_rules rules;          /* of block head_number + 1 */
    struct txpool_map by_hash;      /* struct txpool_tx, keyed by hash */
    struct txpool_map by_addr;      /* struct txpool_account, keyed by addr */
    size_t npending, nqueued;
    uint64_t seq;
};

/* Sets *reason (when not NULL) and the error context to r's text; returns
 * ERR_INVAL. */
int txpool_reject(enum txpool_reason *reason, enum txpool_reason r);

/* The admission checks that do not depend on the pool's contents (from the
 * chief update test to intrinsic gas; see txpool_add). Reads the sender's
 * state nonce and balance through rd.
 * Returns 0 or ERR_INVAL (refused, *reason set) or the reader's error.
 * Out: sender, cost (gas * price + value), state_nonce. */
/* True when `known` was recovered under the pool's current rules. */
bool txpool_sender_matches(const struct txpool *pool, const struct txpool_sender *known);

int txpool_check(const struct txpool *pool, const struct txpool_state_reader *rd,
                 const struct tx *tx, bool local, const struct txpool_sender *known,
                 struct address *sender, u256 *cost, uint64_t *state_nonce,
                 enum txpool_reason *reason);

#endif
