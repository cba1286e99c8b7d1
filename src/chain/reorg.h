/*
 * reorg.h — moving the canonical chain to a new head block: the common
 * ancestor with the current head, and the canonical index, transaction
 * lookups and head rewritten back to it. Internal to chain/ (chain.c and
 * import.c); callers outside use chain_import_block.
 *
 * Why it is its own file: fork choice decides WHETHER the head moves
 * (import.c); what moving it means for the database — at any depth, in the
 * caller's batch, so that the block and the switch are one atomic write —
 * is this file's one job, and the plain "extends the head" case is the same
 * code with an empty old branch.
 */
#ifndef SPECTRUM_CHAIN_REORG_H
#define SPECTRUM_CHAIN_REORG_H

#include "chain/chain.h"

/*
 * Adds to `batch` everything that makes block b (hash `hash`, not yet
 * stored: its parent and all other ancestors are) the head, when the head
 * is now `old_hash` with header `old_head`:
 *  - the common ancestor is found by walking both branches' stored headers
 *    back (any depth; no walk at all when b's parent is the head);
 *  - when the old branch is not empty: the deletion of every canonical
 *    entry above the ancestor and of those blocks' tx lookups
 *    (chaindb_delete_canonical_above);
 *  - the canonical entry and the tx lookups of every block of the new
 *    branch, oldest first (later puts win over the deletions above, so a tx
 *    in both branches ends up pointing at its new block);
 *  - the head.
 * Out: out->removed / nremoved (old branch, newest first), out->added /
 *      nadded (new branch, oldest first, ending with `hash`),
 *      out->dropped / ndropped (txs of removed blocks that are in no added
 *      block, oldest block first). Fields of *out are overwritten; the
 *      caller zeroed it.
 * Returns 0; ERR_DECODE / ERR_RANGE (a stored header or body is corrupt,
 * or the branches share no block); ERR_NOTFOUND (an ancestor header is
 * missing); ERR_IO; ERR_NOMEM. On failure *out owns nothing and the batch
 * must be dropped.
 * Thread: the chain thread (reads the latest db state, not a snapshot).
 */
int chain_reorg_to(struct db *db, struct db_batch *batch, const struct hash32 *old_hash,
                   const struct header *old_head, const struct hash32 *hash,
                   const struct block *b, struct chain_import_result *out);

#endif
