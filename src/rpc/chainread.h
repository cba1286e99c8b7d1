/*
 * chainread.h — how RPC handlers read the chain on their worker threads:
 * straight from the database (blocks, receipts, the transaction index,
 * state through a read-only trie store), never from the chain thread's
 * structs, with the head taken from the chain service's published snapshot.
 *
 * Why it is shaped this way: dispatch.h's threading rule lets handlers read
 * only immutable data. The database holds committed heads only (every
 * import is one batch), and a db snapshot freezes what a handler reads, so
 * a block number resolved through the canonical index and the block read
 * next cannot come from two different chains during a reorg.
 *
 * Each function reports failures in ctx the way geth does (-32000 with
 * geth's text, e.g. "header not found") and returns -1, or returns 0.
 * Thread: RPC workers.
 */
#ifndef SPECTRUM_RPC_CHAINREAD_H
#define SPECTRUM_RPC_CHAINREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainsvc/chainsvc.h"
#include "primitives/block.h"
#include "primitives/receipt.h"
#include "rpc/chainjson.h"
#include "rpc/dispatch.h"
#include "state/state.h"
#include "storage/trie_db.h"

/* The chain service of the node, or NULL after setting -32000 "the chain is
 * not available" (a server started without one: unit tests). */
struct chainsvc *rpc_chain(struct rpc_ctx *ctx);

/* Sets the internal-error reply for a failed database read or allocation
 * (-32000 with the reason; -32603 for out of memory) and returns -1. */
int rpc_fail_db(struct rpc_ctx *ctx, int rc);

/*
 * Finds the block `ref` names: latest/pending = the head (the one recorded
 * in snap when snap is given, so that the block is in the snapshot; else
 * the published head), earliest = block 0, a number = the canonical block
 * (absent beyond the head), a hash = any stored block. snap may be NULL.
 * Returns 0 with *hash and *number, 1 when there is no such block (no
 * error set), -1 (error set).
 */
int rpc_resolve_block(struct rpc_ctx *ctx, struct chainsvc *svc, const struct db_snapshot *snap,
                      const struct rpc_block_ref *ref, struct hash32 *hash, uint64_t *number);

/* A read-only state at a block, for eth_getBalance & co. */
struct rpc_state_view {
    struct db *db;
    struct db_snapshot *snap;
    struct trie_db tdb;
    struct state *st;
    uint64_t number;
};

/* Opens the state of the block `ref` names. A block that does not exist is
 * -32000 "header not found". Returns 0 or -1. Release with
 * rpc_state_view_close (also after a failure). */
int rpc_state_view_open(struct rpc_ctx *ctx, struct chainsvc *svc, const struct rpc_block_ref *ref,
                        struct rpc_state_view *v);
void rpc_state_view_close(struct rpc_state_view *v);

/* After reads on v->st: 0, or -1 with -32000 and the state's sticky error. */
int rpc_state_view_check(struct rpc_ctx *ctx, const struct rpc_state_view *v);

/* The JSON block of `hash` (rpc_block_json, senders recovered when full),
 * or JSON null when the block is not stored. NULL with ctx's error set on a
 * failure. */
json_t *rpc_block_by_hash(struct rpc_ctx *ctx, struct chainsvc *svc,
                          const struct db_snapshot *snap, const struct hash32 *hash, bool full);

/* A mined transaction found through the transaction index. */
struct rpc_mined_tx {
    struct block block;             /* owned: block_free */
    struct hash32 block_hash;
    uint64_t index;
};

/* Looks a transaction up in the canonical chain. Returns 0 (found; free
 * with block_free(&out->block)), 1 (not mined), -1 (error set). */
int rpc_find_mined_tx(struct rpc_ctx *ctx, struct db *db, const struct db_snapshot *snap,
                      const struct hash32 *tx_hash, struct rpc_mined_tx *out);

/* The sender of transaction i of block b under svc's parameters. Returns 0
 * or -1 (error set: a stored transaction whose signature does not recover). */
int rpc_tx_sender(struct rpc_ctx *ctx, const struct chain_params *p, const struct block *b,
                  size_t i, struct address *from);

#endif
