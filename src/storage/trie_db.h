/*
 * trie_db.h — a trie node store (trie/trie.h's struct trie_store) over a
 * struct db: node hash -> node RLP.
 *
 * Reads go to the database (through a snapshot when one is given); writes
 * go into a caller-owned struct db_batch, so the nodes of a trie_commit land
 * in the same atomic batch as the block, receipts and head that refer to
 * them. Nodes put into the batch are not readable through this store until
 * the caller writes the batch; the trie that committed them keeps them in
 * memory, so only a second trie opened on the new root before the write
 * would miss them.
 *
 * Keys are the bare 32-byte node hashes (as geth's hash-based scheme), so
 * the chain schema must keep its other keys at a different length or prefix.
 *
 * A struct trie_db is used by one thread (like the trie over it); several
 * trie_dbs may share one struct db across threads.
 */
#ifndef SPECTRUM_STORAGE_TRIE_DB_H
#define SPECTRUM_STORAGE_TRIE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "storage/db.h"
#include "storage/node_cache.h"
#include "trie/trie.h"

struct trie_db {
    struct db *db;
    const struct db_snapshot *snap;  /* may be NULL: latest state */
    struct db_batch *batch;          /* may be NULL: read-only (put fails) */
    uint8_t *last;                   /* the node returned by the last get */
    uint8_t hit[NODE_CACHE_MAX_LEN]; /* ... when it came from the node cache */
};

/* Sets up tdb over db. snap and batch may be NULL (see above); none of them
 * is owned by tdb, all must outlive it. Release with trie_db_release. */
void trie_db_init(struct trie_db *tdb, struct db *db, const struct db_snapshot *snap,
                  struct db_batch *batch);

/* Switches the batch that later puts go to (NULL: read-only). */
void trie_db_set_batch(struct trie_db *tdb, struct db_batch *batch);

/* Frees the buffer held for the last get (the struct itself is the
 * caller's). */
void trie_db_release(struct trie_db *tdb);

/* Returns the store interface over tdb. get returns 0, ERR_NOTFOUND, ERR_IO,
 * ERR_NOMEM or ERR_DECODE (stored bytes that do not hash to their key); it
 * serves nodes from the node cache (storage/node_cache.h) and puts the ones
 * it reads and checks there, as put does with the nodes it writes. put
 * returns 0 or ERR_BADSTATE when there is no batch. */
struct trie_store trie_db_store(struct trie_db *tdb);

#endif
