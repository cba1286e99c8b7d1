/*
 * txpool_map.h — the pool's two lookup tables (tx hash → entry, sender →
 * account): an open-addressing hash set of pointers whose key is a fixed
 * number of bytes inside the pointed-to object.
 *
 * Why it is shaped this way: the keys (keccak hashes, addresses) are chosen
 * by whoever sends transactions, and both can be ground cheaply to collide in
 * a table's low bits. The slot index therefore comes from a keyed mix with a
 * per-table random seed, so an outsider cannot aim at one probe chain. The
 * table grows at 5/8 load (tombstones counted) and never holds more than the
 * pool's limits, so no other cap is needed.
 *
 * Internal to src/txpool; one thread at a time (the pool's owner).
 */
#ifndef SPECTRUM_TXPOOL_MAP_H
#define SPECTRUM_TXPOOL_MAP_H

#include <stddef.h>
#include <stdint.h>

struct txpool_map {
    void **slots;           /* NULL: empty; &txpool_map_tomb: deleted */
    size_t cap;             /* power of two, or 0 before the first insert */
    size_t n;               /* live entries */
    size_t used;            /* live entries + tombstones */
    size_t keyoff;          /* offset of the key inside an entry */
    size_t keylen;          /* key size in bytes (multiple of 4, >= 8) */
    uint64_t seed;
};

/* Initialises an empty table whose entries carry a keylen-byte key at
 * keyoff. Never fails (the first insert allocates). */
void txpool_map_init(struct txpool_map *m, size_t keyoff, size_t keylen);

/* Frees the slot array (not the entries). */
void txpool_map_free(struct txpool_map *m);

/* The entry whose key equals key[0..keylen), or NULL. */
void *txpool_map_get(const struct txpool_map *m, const void *key);

/* Inserts entry (its key must not be present). Returns 0 or ERR_NOMEM (the
 * table is unchanged then). */
int txpool_map_put(struct txpool_map *m, void *entry);

/* Removes the entry with that key; returns it, or NULL when absent. */
void *txpool_map_del(struct txpool_map *m, const void *key);

/* Slot walk: *pos starts at 0; returns the next live entry or NULL at the
 * end. The table must not change during a walk. */
void *txpool_map_next(const struct txpool_map *m, size_t *pos);

#endif
