/*
 * code_cache.h — contract code by code hash, shared by every state of the
 * process.
 *
 * Each block the node executes and each eth_call opens a fresh struct
 * state, which would read the same contracts (the chief, a token) from the
 * database and hash them again to check them, over and over. Code is
 * content-addressed and immutable, so a blob verified once is good for
 * every state: this cache keeps the verified ones. Keyed by the code hash,
 * never by the address (a CREATE2 redeployment gets a new entry).
 *
 * Thread: any (one mutex; copies in and out, nothing is lent).
 */
#ifndef SPECTRUM_STATE_CODE_CACHE_H
#define SPECTRUM_STATE_CODE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"

/* Entries (two-way set-associative by the hash's first bytes, the older of
 * a set's two replaced first) and the largest blob kept: at most
 * CODE_CACHE_SLOTS * CODE_CACHE_MAX_LEN bytes in all. Two ways, because
 * two contracts that every block runs can share a set: the regtest chief
 * and its base contract do, and thrashed a direct-mapped table. */
#define CODE_CACHE_SLOTS 128u
#define CODE_CACHE_MAX_LEN (32u * 1024u)

/* Looks up the code with hash h. Returns 0 with *code (malloc'ed copy, the
 * caller frees it) and *len, ERR_NOTFOUND (not cached), ERR_NOMEM. */
int code_cache_get(const struct hash32 *h, uint8_t **code, size_t *len);

/* Keeps a copy of code (whose keccak256 the caller checked is h; empty
 * code and code over CODE_CACHE_MAX_LEN are not kept). Silent on failure:
 * a cache. */
void code_cache_put(const struct hash32 *h, const uint8_t *code, size_t len);

/* Empties the cache (tests). */
void code_cache_clear(void);

#endif
