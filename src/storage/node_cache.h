/*
 * node_cache.h — trie nodes by hash, in memory, shared by every reader of
 * the database (the chain thread, RPC workers, the p2p server).
 *
 * Each block the producer and the importer walk the same paths again (the
 * chief contract's slots, the coinbase, the senders), and each state read
 * over RPC opens the head's root anew; without a cache every such node is a
 * LevelDB lookup and a keccak check. A node is named by the hash of its
 * bytes, so an entry can never go stale: the cache needs no invalidation,
 * only a bound. Only nodes checked against their hash are put here, so a
 * hit needs no check either.
 *
 * Direct-mapped (the hash is uniform; a collision replaces the older node),
 * NODE_CACHE_SLOTS entries of at most NODE_CACHE_MAX_LEN bytes: at most
 * about 18 MiB, and only what has been used. Thread-safe (striped locks).
 */
#ifndef SPECTRUM_STORAGE_NODE_CACHE_H
#define SPECTRUM_STORAGE_NODE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define NODE_CACHE_SLOTS 32768u
#define NODE_CACHE_MAX_LEN 544u     /* a full branch node is 532 bytes */

/* Copies the node with this hash into buf (cap bytes) and sets *len.
 * Returns 0, or ERR_NOTFOUND when it is not cached (or larger than cap). */
int node_cache_get(const uint8_t hash[32], uint8_t *buf, size_t cap, size_t *len);

/* Keeps a copy of node, whose keccak256 the caller has checked to be hash.
 * Nodes over NODE_CACHE_MAX_LEN are not kept. */
void node_cache_put(const uint8_t hash[32], const uint8_t *node, size_t len);

/* Empties the cache (tests). */
void node_cache_clear(void);

#endif
