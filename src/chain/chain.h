/*
 * chain.h — the chain over its database: genesis on first start, the head
 * on restart, and importing an already validated block (execute, check the
 * header's computed fields, write everything in one atomic batch, move the
 * head when the total difficulty is higher).
 *
 * Why it is shaped this way: this is the base the import pipeline, fork
 * choice, txpool and miner build on. Consensus checks (seal, signer, turn,
 * difficulty, chief tx position; spec §2–§6.2) belong to the Tribe engine
 * and come before chain_insert_block_unchecked; what is here is everything
 * that does not need the engine. Reorgs are not done yet: a block with a
 * higher TD whose parent is not the head is stored but the head stays
 * (CHAIN_INSERT_SIDE_HEAVIER tells the caller a reorg is due).
 *
 * Durability: each import is ONE db_batch (header, body, receipts, TD,
 * state nodes and code, canonical entry, tx lookups, head), so a kill at
 * any moment leaves the previous head or the new one, never a mix. Writes
 * are not fsync'ed unless chain->sync_writes is set: a process kill loses
 * nothing (LevelDB's log is in the OS), an OS crash may lose the last
 * blocks but never corrupts.
 *
 * Threads: a struct chain belongs to the chain thread. The struct db under
 * it may be read from other threads (chaindb.h readers with a snapshot).
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
    CHAIN_INSERT_SIDE_HEAVIER,      /* stored; TD higher but not on the head: reorg due */
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
 * TD — the canonical entry, tx lookups and head, all in one batch.
 * Returns 0 with *status; ERR_NOTFOUND (unknown parent), ERR_INVAL (a bad
 * block: the context says why; nothing is written), ERR_UNSUPPORTED, or a
 * database/state error. The chain is unchanged on error.
 */
int chain_insert_block_unchecked(struct chain *c, const struct block *b,
                                 const struct address *signer, enum chain_insert_status *status);

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
