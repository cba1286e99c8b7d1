/*
 * chaindb.h — the chain database schema: where blocks, receipts, total
 * difficulties, the canonical index, the transaction index and the head live
 * inside one struct db (storage/db.h). doc/datadir.md documents every key.
 *
 * Why it is shaped this way: importing a block must be one atomic write
 * (block, receipts, TD, indexes, state nodes, new head), so every writer here
 * only adds operations to a caller-owned struct db_batch and never touches the
 * database itself; the caller writes the batch once. State trie nodes and
 * code share the database under bare 32-byte keys (storage/trie_db.h), so
 * every key written here starts with a one-byte prefix and is never 32 bytes
 * long. Readers treat stored bytes as outside input (a disk can be corrupt,
 * a file can be edited): values are decoded strictly, a header is checked
 * against the hash it is stored under, and a bad record gives ERR_DECODE,
 * never a crash.
 *
 * Readers take an optional snapshot (NULL: the latest state) so that an RPC
 * thread can read a consistent view while the chain thread writes.
 *
 * Errors: readers return 0, ERR_NOTFOUND (the record is absent; the context
 * names it), ERR_DECODE / ERR_RANGE (the record is corrupt), ERR_IO or
 * ERR_NOMEM. Writers into a batch cannot fail except for ERR_NOMEM while
 * encoding.
 *
 * Ownership: decoded headers, bodies, blocks and receipts are owned by the
 * caller (header_free, block_body_free, block_free, chaindb_receipts_free).
 * Threads: every function is safe from any thread on distinct batches and
 * output values (struct db is thread-safe).
 */
#ifndef SPECTRUM_CHAIN_CHAINDB_H
#define SPECTRUM_CHAIN_CHAINDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"
#include "primitives/block.h"
#include "primitives/header.h"
#include "primitives/receipt.h"
#include "primitives/u256.h"
#include "storage/db.h"

/* Version of the layout below, stored under CHAINDB_KEY_SCHEMA. Bump it when
 * a key or an encoding changes. */
#define CHAINDB_SCHEMA_VERSION 1

/* Key prefixes (see doc/datadir.md). Keys are prefix ‖ 32-byte hash (33
 * bytes) or prefix ‖ 8-byte big-endian number (9 bytes). */
#define CHAINDB_PREFIX_HEADER 'h'     /* 'h' ‖ block hash -> header RLP */
#define CHAINDB_PREFIX_BODY 'b'       /* 'b' ‖ block hash -> body RLP [[txs],[uncles]] */
#define CHAINDB_PREFIX_RECEIPTS 'r'   /* 'r' ‖ block hash -> RLP list of receipts */
#define CHAINDB_PREFIX_TD 't'         /* 't' ‖ block hash -> RLP integer */
#define CHAINDB_PREFIX_CANONICAL 'n'  /* 'n' ‖ number(8, BE) -> block hash (32) */
#define CHAINDB_PREFIX_TXLOOKUP 'l'   /* 'l' ‖ tx hash -> RLP [block hash, index] */
/* Singleton keys (not 32 bytes long, no prefix above). */
#define CHAINDB_KEY_HEAD "spectrum:head"      /* -> head block hash (32) */
#define CHAINDB_KEY_SCHEMA "spectrum:schema"  /* -> RLP integer */

/* Most receipts a stored block may hold: a bound for hostile records (a
 * block of 2^63 gas cannot carry more than gas / 21000 transactions). */
#define CHAINDB_MAX_RECEIPTS (1u << 22)

/* Where a transaction is: in block `block_hash` at position `index`. */
struct chaindb_tx_location {
    struct hash32 block_hash;
    uint64_t index;
};

/* ---- writers (into a batch) ----------------------------------------------- */

/*
 * Adds the header, body, receipts and total difficulty of block `b` to the
 * batch, under `hash` (the caller computed header_hash(&b->header)).
 * Args: receipts  the block's receipts in transaction order (n may be 0,
 *                 receipts NULL then); td  the block's total difficulty.
 * Returns 0 or ERR_NOMEM (the batch may then hold part of the block: drop it).
 */
int chaindb_write_block(struct db_batch *batch, const struct hash32 *hash, const struct block *b,
                        const struct receipt *receipts, size_t n, const u256 *td);

/* The pieces of chaindb_write_block on their own. Return 0 or ERR_NOMEM. */
int chaindb_write_header(struct db_batch *batch, const struct hash32 *hash,
                         const struct header *h);
int chaindb_write_body(struct db_batch *batch, const struct hash32 *hash,
                       const struct block_body *body);
int chaindb_write_receipts(struct db_batch *batch, const struct hash32 *hash,
                           const struct receipt *receipts, size_t n);
int chaindb_write_td(struct db_batch *batch, const struct hash32 *hash, const u256 *td);

/* Makes `hash` the canonical block at `number`. */
void chaindb_write_canonical(struct db_batch *batch, uint64_t number, const struct hash32 *hash);

/* Removes the canonical entry at `number`. */
void chaindb_delete_canonical(struct db_batch *batch, uint64_t number);

/*
 * Adds a lookup entry tx hash -> (block hash, index) for every transaction
 * of `body` (done when the block becomes canonical).
 * Returns 0 or ERR_NOMEM.
 */
int chaindb_write_tx_lookups(struct db_batch *batch, const struct hash32 *block_hash,
                             const struct block_body *body);

/* Removes the lookup entries of every transaction of `body` (done when the
 * block leaves the canonical chain). Returns 0 or ERR_NOMEM. */
int chaindb_delete_tx_lookups(struct db_batch *batch, const struct block_body *body);

/*
 * For a reorg: adds to the batch the deletion of every canonical entry above
 * `number` (number+1, number+2, ... as found in the database — entries only
 * put into a not yet written batch are not seen) and of the transaction
 * lookups of those blocks (read from their stored bodies; a missing body is
 * skipped, a corrupt one is an error).
 * Out: *deleted (may be NULL) the number of canonical entries removed.
 * Returns 0, ERR_DECODE, ERR_IO or ERR_NOMEM.
 */
int chaindb_delete_canonical_above(struct db *db, struct db_batch *batch, uint64_t number,
                                   size_t *deleted);

/* Sets the head block hash. */
void chaindb_write_head(struct db_batch *batch, const struct hash32 *hash);

/* Stores CHAINDB_SCHEMA_VERSION. Returns 0 or ERR_NOMEM. */
int chaindb_write_schema(struct db_batch *batch);

/* ---- readers -------------------------------------------------------------- */

/* Reads the header stored under `hash` and checks that it hashes to it.
 * Returns 0, ERR_NOTFOUND, ERR_DECODE (malformed, or hashing to something
 * else), ERR_RANGE, ERR_IO, ERR_NOMEM. Out: h (owned by the caller). */
int chaindb_read_header(struct db *db, const struct db_snapshot *snap, const struct hash32 *hash,
                        struct header *h);

/* True when a header is stored under `hash` (I/O errors count as absent). */
bool chaindb_has_header(struct db *db, const struct hash32 *hash);

/* Reads the body. Errors as chaindb_read_header (ERR_UNSUPPORTED for a typed
 * transaction inside). Out: body (owned by the caller). */
int chaindb_read_body(struct db *db, const struct db_snapshot *snap, const struct hash32 *hash,
                      struct block_body *body);

/* Header and body together. Out: b (owned by the caller). */
int chaindb_read_block(struct db *db, const struct db_snapshot *snap, const struct hash32 *hash,
                       struct block *b);

/* Reads the receipts of a block. Returns 0 (an empty block gives n = 0,
 * receipts NULL), ERR_NOTFOUND, ERR_DECODE, ERR_RANGE (more than
 * CHAINDB_MAX_RECEIPTS), ERR_IO, ERR_NOMEM.
 * Out: *receipts (free with chaindb_receipts_free), *n. */
int chaindb_read_receipts(struct db *db, const struct db_snapshot *snap,
                          const struct hash32 *hash, struct receipt **receipts, size_t *n);

/* Frees an array of n receipts (NULL is allowed). */
void chaindb_receipts_free(struct receipt *receipts, size_t n);

/* Reads the total difficulty. Returns 0, ERR_NOTFOUND, ERR_DECODE,
 * ERR_RANGE, ERR_IO, ERR_NOMEM. */
int chaindb_read_td(struct db *db, const struct db_snapshot *snap, const struct hash32 *hash,
                    u256 *td);

/* Reads the canonical hash at `number`. Returns 0, ERR_NOTFOUND, ERR_DECODE
 * (not 32 bytes), ERR_IO, ERR_NOMEM. */
int chaindb_read_canonical(struct db *db, const struct db_snapshot *snap, uint64_t number,
                           struct hash32 *hash);

/* Reads where a transaction is. Returns 0, ERR_NOTFOUND, ERR_DECODE,
 * ERR_RANGE, ERR_IO, ERR_NOMEM. */
int chaindb_read_tx_lookup(struct db *db, const struct db_snapshot *snap,
                           const struct hash32 *tx_hash, struct chaindb_tx_location *loc);

/* Reads the head block hash. Returns 0, ERR_NOTFOUND (a fresh database),
 * ERR_DECODE, ERR_IO, ERR_NOMEM. */
int chaindb_read_head(struct db *db, const struct db_snapshot *snap, struct hash32 *hash);

/* Reads the schema version. Returns 0, ERR_NOTFOUND, ERR_DECODE, ERR_RANGE,
 * ERR_IO, ERR_NOMEM. */
int chaindb_read_schema(struct db *db, const struct db_snapshot *snap, uint64_t *version);

/* The key helpers, for tools and tests. Write a 33-byte key
 * (prefix ‖ hash) or a 9-byte key (prefix ‖ number). */
void chaindb_key_hash(uint8_t key[33], uint8_t prefix, const struct hash32 *hash);
void chaindb_key_number(uint8_t key[9], uint8_t prefix, uint64_t number);

#endif
