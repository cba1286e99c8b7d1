/*
 * filters.h — the node's polled filters (eth_newFilter,
 * eth_newBlockFilter, eth_newPendingTransactionFilter, then
 * eth_getFilterChanges until eth_uninstallFilter), with geth's semantics:
 * a filter sees what happens after it was installed, each poll returns what
 * arrived since the previous one, and a filter that nobody polled for
 * RPC_FILTER_TIMEOUT seconds (geth's 5 minutes) is removed.
 *
 * Why it is shaped this way: events come from the chain thread (through
 * rpc/chain_events.c), polls from RPC workers, and a client may install a
 * filter and never come back. So the store does not keep a queue per
 * filter: it keeps ONE bounded ring per kind (new block hashes, pending
 * transactions, logs), every item numbered in order, and each filter only a
 * cursor, the number of the first item it has not seen. A poll walks the
 * ring from the cursor (matching a log filter's criteria then) and moves the
 * cursor to the end. Memory is bounded by the rings, whatever the number of
 * filters; rings exist only while a filter of their kind does, and only
 * logs some installed log filter matches are kept.
 *
 * BOUNDS (documented in doc/rpc.md):
 *   RPC_FILTERS_MAX           installed filters (further installs: ERR_RANGE)
 *   RPC_FILTERS_BLOCKS_KEPT   block hashes kept for block filters
 *   RPC_FILTERS_TXS_KEPT      pending transactions kept
 *   RPC_FILTERS_LOGS_KEPT     logs kept, RPC_FILTERS_LOG_BYTES of their
 *                             topics and data at most
 * When a ring is full the oldest item goes: a filter polled less often than
 * the ring turns over misses the oldest changes (eth_getFilterLogs and
 * eth_getLogs still find every mined log).
 *
 * Ids are "0x" + 32 hex digits, random, never starting with 0; a lookup
 * ignores the case and leading zeros (some clients normalise ids as
 * quantities).
 *
 * Time is passed in (monotonic seconds, rpc_filters_now) so that expiry can
 * be tested without waiting. Thread: any; one mutex guards the store.
 */
#ifndef SPECTRUM_RPC_FILTERS_H
#define SPECTRUM_RPC_FILTERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"
#include "primitives/receipt.h"
#include "rpc/chainjson.h"
#include "rpc/logquery.h"

#define RPC_FILTERS_MAX 1024
#define RPC_FILTER_TIMEOUT 300                  /* seconds without a poll */
#define RPC_FILTERS_BLOCKS_KEPT 4096
#define RPC_FILTERS_TXS_KEPT 16384
#define RPC_FILTERS_LOGS_KEPT 32768
#define RPC_FILTERS_LOG_BYTES (16u << 20)
#define RPC_FILTER_ID_SIZE 35                   /* "0x" + 32 hex digits + NUL */

enum rpc_filter_kind {
    RPC_FILTER_LOGS,
    RPC_FILTER_BLOCKS,
    RPC_FILTER_PENDING_TXS,
    RPC_FILTER_KINDS
};

struct rpc_filters;

/* Creates an empty store. Returns 0 or ERR_NOMEM. Free with
 * rpc_filters_free (NULL is ignored). */
int rpc_filters_new(struct rpc_filters **out);
void rpc_filters_free(struct rpc_filters *fs);

/* Monotonic seconds, the clock the functions below take as `now`. */
int64_t rpc_filters_now(void);

/*
 * Installs a filter of `kind`. q (RPC_FILTER_LOGS only; NULL otherwise) is
 * moved into the filter (*q is left empty). full: a pending-transaction
 * filter whose changes are transaction objects instead of hashes. Expired
 * filters are removed first.
 * Returns 0 with the new id, ERR_RANGE (RPC_FILTERS_MAX installed; the
 * message says so), ERR_CRYPTO (no randomness), ERR_INVAL (q missing for a
 * log filter), ERR_NOMEM. On failure *q is still the caller's.
 */
int rpc_filters_install(struct rpc_filters *fs, enum rpc_filter_kind kind,
                        struct rpc_log_query *q, bool full, int64_t now,
                        char id[RPC_FILTER_ID_SIZE]);

/* Removes filter `id`; true when it existed (and had not expired). */
bool rpc_filters_uninstall(struct rpc_filters *fs, const char *id, int64_t now);

/*
 * What filter `id` has not seen yet, as eth_getFilterChanges returns it: an
 * array of log objects (removed: true for logs of blocks a reorg dropped),
 * of block hashes, or of transaction hashes (objects for a `full` filter),
 * oldest first. Moves the filter's cursor and restarts its timeout.
 * Returns 0 with *out (a new reference), ERR_NOTFOUND (no such filter, or
 * it expired), ERR_NOMEM (the cursor does not move).
 */
int rpc_filters_changes(struct rpc_filters *fs, const char *id, int64_t now, json_t **out);

/* A copy of log filter `id`'s criteria, for eth_getFilterLogs. Does not
 * restart the timeout (geth does not). Returns 0, ERR_NOTFOUND (no such
 * filter, expired, or not a log filter), ERR_NOMEM. Free with
 * rpc_log_query_free. */
int rpc_filters_query(struct rpc_filters *fs, const char *id, int64_t now,
                      struct rpc_log_query *out);

/* Removes the filters not polled since now - RPC_FILTER_TIMEOUT; returns
 * how many went. */
size_t rpc_filters_expire(struct rpc_filters *fs, int64_t now);

/* Installed filters (all kinds, or those of one kind). */
size_t rpc_filters_count(struct rpc_filters *fs);
size_t rpc_filters_count_kind(struct rpc_filters *fs, enum rpc_filter_kind kind);

/* ---- events (the publisher: the chain thread) ----------------------------------- */

/* True when an event of `kind` would be kept (a filter of that kind is
 * installed); for RPC_FILTER_PENDING_TXS, *full (may be NULL) tells whether
 * one wants transaction objects. Lets the publisher skip work. */
bool rpc_filters_wants(struct rpc_filters *fs, enum rpc_filter_kind kind, bool *full);

/* A block joined the canonical chain. Returns 0 or ERR_NOMEM. */
int rpc_filters_push_block(struct rpc_filters *fs, const struct hash32 *hash);

/* A log of a new block (removed: of a block a reorg dropped). Copied, and
 * only when an installed log filter matches it. Returns 0 or ERR_NOMEM. */
int rpc_filters_push_log(struct rpc_filters *fs, const struct log *l,
                         const struct rpc_log_loc *loc, bool removed);

/* A transaction entered the pool. tx (its object, or NULL) is taken: the
 * store keeps it and answers polls with copies, so it must be a reference
 * no other thread uses. A full filter gets the hash when tx is NULL.
 * Returns 0 or ERR_NOMEM. */
int rpc_filters_push_tx(struct rpc_filters *fs, const struct hash32 *hash, json_t *tx);

#endif
