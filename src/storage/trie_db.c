/*
 * trie_db.c — trie node store over LevelDB; see trie_db.h.
 *
 * The store's get contract lets the bytes live until the next get, so the
 * buffer db_get returns is kept in the struct and freed on the next call:
 * one copy per load and nothing for the trie to free. A node from the cache
 * is copied into the struct's own buffer instead.
 */
#include "storage/trie_db.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "util/err.h"
#include "util/hex.h"

void trie_db_init(struct trie_db *tdb, struct db *db, const struct db_snapshot *snap,
                  struct db_batch *batch)
{
    tdb->db = db;
    tdb->snap = snap;
    tdb->batch = batch;
    tdb->last = NULL;
}

void trie_db_set_batch(struct trie_db *tdb, struct db_batch *batch)
{
    tdb->batch = batch;
}

void trie_db_release(struct trie_db *tdb)
{
    free(tdb->last);
    tdb->last = NULL;
}

static int tdb_get(void *ctx, const uint8_t hash[32], const uint8_t **node, size_t *len)
{
    struct trie_db *tdb = ctx;
    free(tdb->last);
    tdb->last = NULL;
    size_t n = 0;
    if (node_cache_get(hash, tdb->hit, sizeof tdb->hit, &n) == 0) {
        *node = tdb->hit;
        *len = n;
        return 0;
    }
    uint8_t *v = NULL;
    int rc = db_get(tdb->db, tdb->snap, hash, 32, &v, &n);
    if (rc)
        return rc;
    uint8_t check[32];
    keccak256(v, n, check);
    if (memcmp(check, hash, 32) != 0) {
        free(v);
        char hx[65];
        hex_encode(hx, hash, 32);
        return err_set(ERR_DECODE, "trie: node %s does not match its hash", hx);
    }
    node_cache_put(hash, v, n);
    tdb->last = v;
    *node = v;
    *len = n;
    return 0;
}

static int tdb_put(void *ctx, const uint8_t hash[32], const uint8_t *node, size_t len)
{
    struct trie_db *tdb = ctx;
    if (!tdb->batch)
        return err_set(ERR_BADSTATE, "trie_db: read-only store (no batch)");
    db_batch_put(tdb->batch, hash, 32, node, len);
    /* The trie hashed it to make its key: the next block reads it. */
    node_cache_put(hash, node, len);
    return 0;
}

struct trie_store trie_db_store(struct trie_db *tdb)
{
    struct trie_store s = {tdb_get, tdb_put, tdb, true};
    return s;
}
