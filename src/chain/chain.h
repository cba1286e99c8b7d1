/*
 * chain.h — the chain over its database: genesis on first start, the head
 * on restart, the validated import pipeline of spec §10 (chain_import_block),
 * fork choice by total difficulty and reorgs of any depth.
 *
 * Why it is shaped this way: this is the base the txpool, miner, chain
 * service and RPC build on. Consensus checks (seal, signer, turn,
 * difficulty, chief tx position; spec §2–§6.2) belong to the Tribe engine,
 * which chain/ cannot include; it reaches the pipeline through struct
 * chain_engine's callbacks. Everything else (parent, bad hashes, senders,
 * uncles, execution, roots, fork choice) is here. Every imported block's
 * state is kept (no pruning), so side blocks are executed and stored like
 * canonical ones and a reorg only rewrites the canonical index, the tx
 * lookups and the head — no state is rolled back. The code: import.c (the
 * pipeline, both entry points), reorg.c (the common ancestor and the
 * canonical switch), chain.c (open, BLOCKHASH, reads).
 *
 * Durability: each import is ONE db_batch (header, body, receipts, TD,
 * state nodes and code, and when the head moves: the old branch's canonical
 * entries and tx lookups deleted, the new branch's written, the head), so a
 * kill at any moment leaves the previous head or the new one, never a mix,
 * whatever the reorg's depth. Writes are not fsync'ed unless
 * chain->sync_writes is set: a process kill loses nothing (LevelDB's log is
 * in the OS), an OS crash may lose the last blocks but never corrupts.
 *
 * Threads: a struct chain belongs to the chain thread. The struct db under
 * it may be read from other threads (chaindb.h readers with a snapshot,
 * chain_read_canonical_block).
 */
#ifndef SPECTRUM_CHAIN_CHAIN_H
#define SPECTRUM_CHAIN_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "chain/chaindb.h"
#include "chain/genesis.h"
#include "chain/params.h"
#include "chain/processor.h"
#include "storage/db.h"
#include "storage/trie_db.h"

struct chain {
    struct db *db;                      /* not owned */
    const struct chain_params *params;  /* not owned */
    struct evm *evm;                    /* owned: the import context */
    struct hash32 genesis_hash;
    struct hash32 head_hash;
    struct header head;                 /* owned copy of the head header */
    u256 head_td;
    bool sync_writes;                   /* fsync each import (default false) */
};

/* What chain_insert_block_unchecked did. */
enum chain_insert_status {
    CHAIN_INSERT_KNOWN = 0,         /* already stored: nothing done */
    CHAIN_INSERT_HEAD,              /* stored, and it is the new head */
    CHAIN_INSERT_SIDE,              /* stored on a side chain (TD not higher) */
    CHAIN_INSERT_SIDE_HEAVIER,      /* stored; TD higher but not on the head: reorg due
                                     * (chain_insert_block_unchecked only) */
    CHAIN_INSERT_REORG,             /* stored, and the new head after a reorg
                                     * (chain_import_block) */
};

/*
 * Opens the chain on `db`. On a fresh database, builds the genesis state of
 * `g` (genesis_build into the batch: state nodes and code), writes the
 * genesis block (empty body, no receipts, TD = its difficulty), canonical
 * entry 0, the head and the schema version in one synced batch. On an
 * existing one, reads the head (header and TD) and checks that canonical
 * block 0 is g's genesis and the schema version is ours.
 * Args: g  needed on both paths (its hash identifies the network); its
 *          header.state_root is set by the build. Not kept.
 * Returns 0, ERR_INVAL (another genesis, another schema version), the
 * chaindb read errors (ERR_NOTFOUND / ERR_DECODE: a damaged database),
 * ERR_IO, ERR_NOMEM. Out: *out, free with chain_close.
 */
int chain_open(struct db *db, const struct chain_params *p, struct genesis *g,
               struct chain **out);

/* Frees the chain (the db stays open; NULL is ignored). */
void chain_close(struct chain *c);

/*
 * Imports block b whose consensus rules were checked by the caller: reads
 * its parent (which must be stored), executes it on the parent's state
 * (processor.h, with `signer` as Author when the coinbase is zero; may be
 * NULL), checks the header's txRoot, gasUsed, bloom, receiptRoot and
 * stateRoot (chain_exec_check) and number = parent + 1, then writes block,
 * receipts, TD, state nodes and — when it extends the head with a higher
 * TD — the canonical entry, tx lookups and head, all in one batch. It does
 * not reorganise: a heavier block off the head is stored and reported as
 * CHAIN_INSERT_SIDE_HEAVIER (use chain_import_block for fork choice). It
 * shares its execution and storage code with chain_import_block, without
 * the bad-hash list, the engine and the uncle checks.
 * Returns 0 with *status; ERR_NOTFOUND (unknown parent), ERR_INVAL or
 * ERR_CRYPTO (a bad block: the context, "block <n> 0x<hash8>..: <reason>",
 * says why; nothing is written), ERR_UNSUPPORTED, or a database/state
 * error. The chain is unchanged on error.
 */
int chain_insert_block_unchecked(struct chain *c, const struct block *b,
                                 const struct address *signer, enum chain_insert_status *status);

/* ---- validated import, fork choice and reorgs ----------------------------- */

struct state;

/*
 * The consensus engine as the chain sees it. chain/ cannot include
 * consensus/ (the arrows go the other way), so the engine reaches the import
 * pipeline through these two callbacks; consensus/tribe_chain_engine.h fills
 * them with Tribe's rules. Both run on the chain thread.
 */
struct chain_engine {
    /* §10 step 1 (verifyHeader): h against its parent, `now` in unix
     * seconds. Returns 0, ERR_BADSTATE (a block from the future: not stored,
     * may be retried later), ERR_INVAL (with the reason), ERR_NOMEM. */
    int (*verify_header)(void *ctx, const struct chain_params *p, const struct header *parent,
                         const struct header *h, uint64_t now);
    /* §10 step 3a (ValidateBlock) with parent_state open at the parent's
     * state root (every change it makes is reverted); senders[i] is the
     * recovered sender of tx i. Writes the block's Author (the recovered
     * signer, also for blocks 1..unchecked_blocks) to *signer.
     * Returns 0, ERR_INVAL (with the reason), ERR_NOMEM or a state error. */
    int (*validate_block)(void *ctx, const struct chain_params *p, struct evm *evm,
                          const struct header *parent, struct state *parent_state,
                          const struct block *b, const struct address *senders,
                          struct address *signer);
    void *ctx;
};

/* What chain_import_block did; owns its arrays. */
struct chain_import_result {
    enum chain_insert_status status;    /* KNOWN, HEAD, SIDE or REORG */
    struct hash32 hash;                 /* the imported block */
    uint64_t number;
    /* When the head moved (HEAD, REORG): the blocks that left the canonical
     * chain (newest first; none for HEAD) and the blocks that joined it
     * (oldest first; the last is `hash`), for the pool and subscribers. */
    struct hash32 *removed;
    size_t nremoved;
    struct hash32 *added;
    size_t nadded;
    /* Transactions of the removed blocks that are in none of the added
     * blocks, in chain order (oldest block first): they go back to the pool
     * (txpool_readd). Decoded copies, owned here. */
    struct tx *dropped;
    size_t ndropped;
};

/* Frees the arrays of r and zeroes it (NULL is allowed). */
void chain_import_result_free(struct chain_import_result *r);

/*
 * Imports a block from anywhere (a peer, the miner, `submitblock`) through
 * the whole of spec §10, in this order: known block (KNOWN, nothing done);
 * parent stored (else ERR_NOTFOUND); the bad-hash list (params); verifyHeader
 * (eng); sender recovery for every tx (SIP003 protection, chain id); no
 * uncles and the empty uncle hash; ValidateBlock (eng) at the parent state;
 * execution and Finalize; ValidateState (chain_exec_check: tx root, gasUsed,
 * bloom, receipt root, state root, receipts[0] success from SIP100). Then fork
 * choice by total difficulty (ties keep the current head): the block, its
 * receipts, TD and state nodes are stored in every case; when its TD is
 * higher than the head's, the canonical index, the tx lookups and the head
 * are rewritten back to the common ancestor (any depth) in the SAME batch,
 * so a kill at any moment leaves the old head or the new one.
 * A rejected block is not stored; its reason is in the error context, which
 * names the block number and hash. The in-memory head changes only after the
 * batch is written.
 * The context reads "block <n> 0x<first 8 hex digits>..: <reason>".
 * eng and both its callbacks are required. Senders are recovered once (on
 * two threads for big blocks, chain_recover_senders) and given to both
 * ValidateBlock and the execution.
 * Returns 0 with *out filled (free with chain_import_result_free); ERR_NOTFOUND
 * (unknown parent), ERR_BADSTATE (from the future), ERR_INVAL or ERR_CRYPTO
 * (invalid block; ERR_INVAL also for a missing engine), ERR_UNSUPPORTED, or
 * a database/state error (ERR_IO, also when the parent's state is missing;
 * ERR_NOMEM, ...). *out owns nothing on failure. Thread: the chain thread.
 */
int chain_import_block(struct chain *c, const struct chain_engine *eng, const struct block *b,
                       uint64_t now, struct chain_import_result *out);

/* ---- our own blocks -------------------------------------------------------- */

/*
 * The head's state as the miner's workspace: reads come from the database,
 * and everything state_commit writes goes to `batch`, which
 * chain_commit_own_block writes together with the block. Owned by the
 * caller; release with chain_work_release. It must not be moved or copied
 * once open: the state reads and writes through w->tdb's address.
 * Thread: the chain thread.
 */
struct chain_work {
    struct trie_db tdb;
    struct db_batch *batch;
    struct state *st;           /* at the head's state root when opened */
    struct hash32 parent_hash;  /* the head it was opened on */
    bool ready;
};

/* Opens w on the current head. Returns 0, ERR_NOMEM, or a state error
 * (ERR_IO when the head's state is missing). w holds nothing on failure. */
int chain_work_open(struct chain *c, struct chain_work *w);

/* Frees what w holds and zeroes it (a zeroed or released w is fine). */
void chain_work_release(struct chain_work *w);

/*
 * Stores a block this node built and sealed on w (chain_work_open, then
 * chain_exec_begin/tx/finish on w->st, giving res) without executing it
 * again: the state is committed into w's batch, the block, receipts and TD
 * are added, and the head moves to it, all in one batch write, as
 * chain_import_block would (CHAIN_INSERT_HEAD). Skipping verifyHeader,
 * ValidateBlock and the re-execution is sound only because the miner built
 * the block from the same rules on this very state; test_miner checks that
 * a full chain_import_block of the same block agrees. The header's roots,
 * bloom and gasUsed must be res's (checked, as chain_exec_check does).
 * Returns 0 with *out filled (status HEAD, added = [hash]); ERR_BADSTATE when
 * the head moved since chain_work_open (nothing stored); ERR_INVAL when the
 * header does not match res; a database error. w is released in every case.
 * Thread: the chain thread.
 */
int chain_commit_own_block(struct chain *c, struct chain_work *w, const struct block *b,
                           const struct chain_exec_result *res, struct chain_import_result *out);

/*
 * Reads the canonical block at `number` or the head when number is
 * UINT64_MAX, for callers on other threads (RPC) that hold no struct chain:
 * a thin convenience over chaindb with an optional snapshot.
 * Returns 0, ERR_NOTFOUND or chaindb's errors. Out: b (block_free).
 */
int chain_read_canonical_block(struct db *db, const struct db_snapshot *snap, uint64_t number,
                               struct block *b);

/* BLOCKHASH for a block whose parent is `parent_hash` at `parent_number`:
 * the canonical index when the parent is canonical, else its ancestry. A
 * struct for evm_block_hash_fn's ctx; see chain_block_hash. */
struct chain_hash_ctx {
    struct db *db;
    struct hash32 parent_hash;
    uint64_t parent_number;
    bool parent_canonical;
};

/* evm_block_hash_fn over a struct chain_hash_ctx (zeros when unknown). */
void chain_block_hash(void *ctx, uint64_t number, struct hash32 *out);

/* Fills ctx for a block whose parent is (hash, number). */
void chain_hash_ctx_init(struct chain_hash_ctx *ctx, struct db *db,
                         const struct hash32 *parent_hash, uint64_t parent_number);

#endif
