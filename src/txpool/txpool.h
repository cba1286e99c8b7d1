/*
 * txpool.h — the transaction pool: transactions waiting to be mined, checked
 * on arrival, kept per sender as "pending" (executable now: consecutive
 * nonces from the account's state nonce) and "queued" (a nonce gap before
 * them), replaced only for a higher price, bounded by global and per-account
 * limits, and handed to the miner best price first.
 *
 * Why it is shaped this way: it follows geth's tx_pool (the rules RPC clients
 * and wallets expect, with geth's reason strings), simplified where a pool
 * of a few thousand entries allows: one nonce-sorted array per account whose
 * consecutive prefix is "pending", and linear scans to find the cheapest
 * victim when a limit is hit (only when full; see doc/txpool.md). The pool
 * never looks at the chain itself: account nonces and balances come through
 * struct txpool_state_reader, and the head's number and gas limit are given
 * on every new head, so the chain decides how state is handed out.
 *
 * Rejections: every refusing function returns a negative ERR_* code and sets
 * the error context (err_msg()) to exactly the reason string of
 * txpool_reason_str(), e.g. "nonce too low"; the reason code is also written
 * to an out-parameter for callers that branch on it. Decode errors keep the
 * decoder's context.
 *
 * Ownership: the pool owns every entry; pointers it returns (struct
 * txpool_tx, account arrays, iterators' results) stay valid until the next
 * call that changes the pool (add, new head, readd, free).
 * Threads: a pool belongs to one thread (the chain thread), which calls
 * every function here; RPC threads reach it through that thread. The reader
 * callbacks run on the calling thread.
 */
#ifndef SPECTRUM_TXPOOL_TXPOOL_H
#define SPECTRUM_TXPOOL_TXPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain/params.h"
#include "primitives/address.h"
#include "primitives/tx.h"
#include "primitives/u256.h"

/* geth 1.8's txMaxSize: the largest encoded transaction accepted (32 KiB;
 * geth later raised it to 128 KiB, Spectrum never did). */
#define TXPOOL_DEFAULT_MAX_TX_SIZE (32u * 1024u)
#define TXPOOL_DEFAULT_PRICE_BUMP 10u          /* percent */
#define TXPOOL_DEFAULT_GLOBAL_PENDING 4096u
#define TXPOOL_DEFAULT_GLOBAL_QUEUED 1024u
#define TXPOOL_DEFAULT_ACCOUNT_SLOTS 16u

/* Why a transaction was refused. */
enum txpool_reason {
    TXPOOL_OK = 0,
    TXPOOL_DECODE,              /* not a transaction (err_msg: the decoder's reason) */
    TXPOOL_ALREADY_KNOWN,       /* "already known" */
    TXPOOL_OVERSIZED,           /* "oversized data" */
    TXPOOL_CHIEF_UPDATE,        /* "chief update transactions are not accepted" */
    TXPOOL_GAS_LIMIT,           /* "exceeds block gas limit" */
    TXPOOL_UNPROTECTED,         /* "only replay-protected (EIP-155) transactions allowed" */
    TXPOOL_INVALID_CHAIN_ID,    /* "invalid chain id" */
    TXPOOL_INVALID_SENDER,      /* "invalid sender" */
    TXPOOL_UNDERPRICED,         /* "transaction underpriced" */
    TXPOOL_NONCE_MAX,           /* "nonce has max value" */
    TXPOOL_NONCE_TOO_LOW,       /* "nonce too low" */
    TXPOOL_INSUFFICIENT_FUNDS,  /* "insufficient funds for gas * price + value" */
    TXPOOL_INTRINSIC_GAS,       /* "intrinsic gas too low" */
    TXPOOL_REPLACE_UNDERPRICED, /* "replacement transaction underpriced" */
    TXPOOL_ACCOUNT_LIMIT,       /* "account limit exceeded" */
    TXPOOL_FULL,                /* "txpool is full" */
    TXPOOL_REASON_COUNT
};

/* The reason's text (static; "" for TXPOOL_OK and TXPOOL_DECODE, whose text
 * is the decoder's; "unknown" outside the enum). */
const char *txpool_reason_str(enum txpool_reason r);

/* How the pool reads the state of the current head. Each callback returns 0
 * or a negative ERR_* (a database failure), with the result in *out; a
 * missing account reads as nonce 0, balance 0. */
struct txpool_state_reader {
    int (*get_nonce)(void *ctx, const struct address *a, uint64_t *out);
    int (*get_balance)(void *ctx, const struct address *a, u256 *out);
    void *ctx;
};

struct txpool_config {
    uint64_t min_gas_price;     /* wei; remote txs below it are "transaction underpriced" */
    unsigned price_bump;        /* percent a replacement must add to the old price */
    size_t max_tx_size;         /* bytes of the encoded tx ("oversized data" above) */
    size_t global_pending;      /* pending txs before the cheapest remote one is evicted */
    size_t global_queued;       /* queued txs before the cheapest remote one is evicted */
    size_t account_slots;       /* txs (pending + queued) per remote sender */
};

/* One pooled transaction. Read-only for callers. */
struct txpool_tx {
    struct tx tx;               /* decoded */
    struct hash32 hash;
    struct address sender;
    uint8_t *raw;               /* the canonical encoding (for relay, RPC) */
    size_t raw_len;
    u256 cost;                  /* gas * gasPrice + value */
    uint64_t seq;               /* arrival order, unique within the pool */
    bool local;                 /* submitted locally: never evicted, no price floor */
    bool pending;               /* executable on the head (else queued) */
};

struct txpool;

/* Fills cfg with the defaults above and min_gas_price = p->min_gas_price.
 * Args: p  may be NULL (min_gas_price 0 then). */
void txpool_config_default(struct txpool_config *cfg, const struct chain_params *p);

/* Creates an empty pool for network p (not copied: must outlive the pool)
 * whose head is block head_number with gas limit head_gas_limit; the fork
 * rules applied are those of block head_number + 1.
 * Returns 0, ERR_INVAL (price_bump > 1000, a zero limit or size), ERR_NOMEM.
 * Out: *out, free with txpool_free. */
int txpool_create(const struct chain_params *p, const struct txpool_config *cfg,
                  uint64_t head_number, uint64_t head_gas_limit, struct txpool **out);

/* Frees the pool and every entry (NULL is ignored). */
void txpool_free(struct txpool *pool);

/*
 * Validates one encoded transaction against the head state and adds it.
 * Checks, in this order (the first failure is the reason): size; decoding;
 * already known (hash); chief update tx (spec §6.1: `to` is any chief
 * address of the network and the data starts with update(address)); gas
 * above the head's gas limit; EIP-155 protection (always demanded, spec
 * §6.5) and chain id; signature and sender under the next block's rules;
 * gas price below min_gas_price (remote only); nonce 2^64-1; nonce below the
 * state nonce; balance below gas * price + value; intrinsic gas; then the
 * pool's structure: a tx with the same sender and nonce is replaced only
 * when the new price is >= old * (100 + price_bump) / 100 and above the old
 * one; an account at account_slots (remote) makes room by dropping its
 * highest queued nonce above the new one, else refuses; a full pending or
 * queued set makes room by evicting its cheapest remote tx, and refuses a
 * remote newcomer that is not dearer ("transaction underpriced") or when
 * only local txs are there ("txpool is full"). A new pending tx promotes
 * the queued txs that now follow without a gap.
 * Returns 0, ERR_INVAL (refused: *reason and err_msg say why), ERR_DECODE
 * or ERR_UNSUPPORTED (not a transaction / typed envelope), ERR_NOMEM, or
 * the reader's error. The pool is unchanged on error, except that a
 * sender whose state nonce moved since the last new head has its mined txs
 * dropped first (as txpool_on_new_head would).
 * Args: local  the tx comes from this node's user (no price floor, never
 *              evicted, exempt from the account limit)
 * In: raw, len (copied). Out: hash (may be NULL), reason (may be NULL;
 *     TXPOOL_OK on success).
 */
int txpool_add(struct txpool *pool, const struct txpool_state_reader *rd, const uint8_t *raw,
               size_t len, bool local, struct hash32 *hash, enum txpool_reason *reason);

/* A transaction's sender recovered ahead of txpool_add, off the chain
 * thread (ecrecover is the costliest part of admitting a tx), with the
 * rules it was recovered under. */
struct txpool_sender {
    struct address sender;
    struct tx_rules rules;
};

/*
 * Recovers the sender of the raw tx under the rules of block head_number+1
 * (what the pool will apply). Any thread. Returns 0, ERR_DECODE,
 * ERR_UNSUPPORTED, ERR_INVAL, ERR_CRYPTO or ERR_NOMEM (the caller then
 * leaves it to txpool_add, which reports the error properly).
 */
int txpool_recover_sender(const struct chain_params *p, uint64_t head_number, const uint8_t *raw,
                          size_t len, struct txpool_sender *out);

/* As txpool_add; `known` (may be NULL) is the sender txpool_recover_sender
 * found for these very bytes: used instead of recovering it again when its
 * rules are still the pool's (the head may have crossed a fork meanwhile). */
int txpool_add_known(struct txpool *pool, const struct txpool_state_reader *rd,
                     const uint8_t *raw, size_t len, bool local,
                     const struct txpool_sender *known, struct hash32 *hash,
                     enum txpool_reason *reason);

/* As txpool_add for a decoded transaction (encoded first; tx is not kept). */
int txpool_add_tx(struct txpool *pool, const struct txpool_state_reader *rd, const struct tx *tx,
                  bool local, struct hash32 *hash, enum txpool_reason *reason);

/*
 * The chain moved to a new head (number, gas limit): for every sender in
 * the pool, reads its nonce and balance and drops txs whose nonce is now
 * below the state nonce (mined), whose cost exceeds the balance or whose gas
 * exceeds the gas limit; the rest is reclassified pending/queued (a gap left
 * by a drop demotes what follows). Then the limits are enforced again.
 * Returns 0, or the first reader error (that sender is left untouched; the
 * others are still processed).
 */
int txpool_on_new_head(struct txpool *pool, uint64_t head_number, uint64_t head_gas_limit,
                       const struct txpool_state_reader *rd);

/* Returns txs of blocks a reorg dropped to the pool, as remote txs, after
 * txpool_on_new_head for the new head: each goes through txpool_add (those
 * mined again on the new chain fail with "nonce too low"; chief update txs
 * are refused). Returns 0 or a reader/ERR_NOMEM error (stops there).
 * Out: readded (may be NULL): how many entered the pool. */
int txpool_readd(struct txpool *pool, const struct txpool_state_reader *rd, const struct tx *txs,
                 size_t n, size_t *readded);

/* ---- views (RPC) --------------------------------------------------------- */

/* Number of pending and queued txs (either pointer may be NULL). */
void txpool_counts(const struct txpool *pool, size_t *pending, size_t *queued);

/* The entry with that hash, or NULL. */
const struct txpool_tx *txpool_get(const struct txpool *pool, const struct hash32 *hash);

/* The sender's txs sorted by nonce (pending first, as a prefix); *n = 0 and
 * NULL when the pool has none. */
const struct txpool_tx *const *txpool_account_txs(const struct txpool *pool,
                                                  const struct address *sender, size_t *n);

/* Calls fn once per sender in the pool (unspecified order) with its txs
 * sorted by nonce. fn must not change the pool. */
void txpool_foreach_account(const struct txpool *pool,
                            void (*fn)(void *ctx, const struct address *sender,
                                       const struct txpool_tx *const *txs, size_t n),
                            void *ctx);

/* The next nonce the sender would use after its pending txs (eth_
 * getTransactionCount "pending"): state nonce + number of pending txs.
 * Returns 0 or the reader's error. Out: *nonce. */
int txpool_pending_nonce(const struct txpool *pool, const struct txpool_state_reader *rd,
                         const struct address *sender, uint64_t *nonce);

/* ---- the miner's order --------------------------------------------------- *
 *
 * geth's TransactionsByPriceAndNonce: a heap of each sender's lowest-nonce
 * pending tx, highest gas price first (ties: earliest arrival). peek gives
 * the best tx; shift moves to the same sender's next nonce (the tx was
 * included); pop drops the rest of that sender (the tx failed, so its
 * successors cannot run). The iterator is a snapshot of pointers into the
 * pool: do not change the pool while it is in use.
 */
struct txpool_iter;

/* Returns 0 or ERR_NOMEM. Out: *out, free with txpool_iter_free. */
int txpool_iter_new(const struct txpool *pool, struct txpool_iter **out);
/* The best remaining tx, or NULL when none is left. */
const struct txpool_tx *txpool_iter_peek(const struct txpool_iter *it);
void txpool_iter_shift(struct txpool_iter *it);
void txpool_iter_pop(struct txpool_iter *it);
void txpool_iter_free(struct txpool_iter *it);

#endif
