/*
 * peer_known.h — a bounded set of 32-byte hashes: the blocks and
 * transactions one peer is known to have (it announced or sent them, or we
 * sent them to it), so that propagation never sends a peer what it has.
 *
 * Why it is shaped this way: a peer can announce hashes as fast as it can
 * write, so the set must have a fixed size. It forgets the oldest entry
 * first (FIFO: adding a hash already present changes nothing), as geth's
 * knownBlocks / knownTxs sets do; forgetting only ever costs a redundant
 * send. The entries live in a ring of `cap` hashes, and an open-addressing
 * index (twice the ring, linear probing, backward-shift deletion) finds
 * them in O(1). The index is keyed with a per-set random seed, so a peer
 * cannot pick hashes that all land in one probe run.
 *
 * Ownership: the caller owns the struct; peer_known_free releases the
 * arrays. Threads: one thread at a time per set (the p2p thread).
 */
#ifndef SPECTRUM_NET_PEER_KNOWN_H
#define SPECTRUM_NET_PEER_KNOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"

/* geth's maxKnownBlocks and maxKnownTxs. */
#define PEER_KNOWN_BLOCKS 1024
#define PEER_KNOWN_TXS 32768
/* Largest capacity peer_known_init accepts. */
#define PEER_KNOWN_MAX (1u << 20)

/* Private fields; use the functions below. */
struct peer_known {
    struct hash32 *ring;    /* cap entries, the oldest at `head` once full */
    uint32_t *index;        /* nslots entries: ring position + 1, 0 = empty */
    size_t cap, count, head, nslots;
    uint64_t seed;
};

/* Creates an empty set that holds at most cap hashes.
 * Returns: 0; ERR_RANGE (cap 0 or above PEER_KNOWN_MAX); ERR_NOMEM.
 * Out: k (release with peer_known_free, also after an error). */
int peer_known_init(struct peer_known *k, size_t cap);

/* True when h is in the set. */
bool peer_known_has(const struct peer_known *k, const struct hash32 *h);

/* Adds h (nothing when present); when the set is full the oldest entry is
 * forgotten first. */
void peer_known_add(struct peer_known *k, const struct hash32 *h);

/* How many hashes the set holds (at most its capacity). */
size_t peer_known_count(const struct peer_known *k);

/* Releases the arrays and zeroes k (safe on a zeroed struct and twice). */
void peer_known_free(struct peer_known *k);

#endif
