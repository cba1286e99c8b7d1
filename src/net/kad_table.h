/*
 * kad_table.h — the Kademlia routing table of discovery v4: which nodes we
 * know, organised by distance from our own id.
 *
 * Distance is defined on hashes: d(a, b) = keccak256(a) XOR keccak256(b),
 * and the log distance is the bit length of that XOR (0 for equal hashes,
 * 256 at most). A node at log distance i (1..256) lives in bucket i-1.
 * Each bucket holds KAD_BUCKET_SIZE live entries ordered from most to least
 * recently seen, plus a list of up to KAD_REPLACEMENTS candidates (newest
 * first) to fill a slot when an entry turns out dead.
 *
 * Why no I/O and no clock: the table only records what the discovery
 * service tells it. When a bucket is full a new node goes to the
 * replacement list and the least recently seen entry stays until the
 * service pings it and gets no answer (kad_table_dead): a long-lived node
 * is never evicted for a newcomer that merely claims to exist (Kademlia's
 * rule, which also makes the table hard to flood). Times are whatever
 * monotonic milliseconds the caller passes; randomness is a seed the caller
 * passes, so tests are deterministic.
 *
 * The table is a fixed allocation (256 buckets × 26 entries). Not
 * thread-safe: one owner (the discovery service's loop thread).
 */
#ifndef SPECTRUM_NET_KAD_TABLE_H
#define SPECTRUM_NET_KAD_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/enode.h"

#define KAD_BUCKETS 256
#define KAD_BUCKET_SIZE 16
#define KAD_REPLACEMENTS 10

/* One known node. */
struct kad_entry {
    struct enode node;
    uint8_t hash[32];           /* keccak256(node.id) */
    uint64_t added_ms;          /* when it entered the table */
    uint64_t seen_ms;           /* last liveness proof (0: never verified) */
};

struct kad_table;

/* Results of kad_table_add (non-negative, so errors stay negative). */
enum kad_add_result {
    KAD_ADDED = 0,          /* new entry in its bucket */
    KAD_UPDATED = 1,        /* already in the bucket; refreshed */
    KAD_REPLACEMENT = 2,    /* bucket full: kept as a replacement candidate */
    KAD_SELF = 3,           /* our own id: ignored */
};

/* Log distance between two 32-byte hashes: 0 when equal, else the index of
 * the highest differing bit plus one (1..256). */
int kad_log_distance(const uint8_t a[32], const uint8_t b[32]);

/* Compares the distances of hashes a and b from target: <0 when a is
 * closer, 0 when equally far (a == b), >0 when b is closer. */
int kad_distance_cmp(const uint8_t target[32], const uint8_t a[32], const uint8_t b[32]);

/* Creates an empty table for the node whose id is self_id.
 * Returns: 0 or ERR_NOMEM. Out: *out (free with kad_table_free). */
int kad_table_new(const uint8_t self_id[64], struct kad_table **out);

/* Frees the table (NULL is fine). */
void kad_table_free(struct kad_table *t);

/* keccak256 of our id. */
const uint8_t *kad_table_self_hash(const struct kad_table *t);

/*
 * Offers a node to the table.
 *   verified: the node just proved it is alive at this endpoint (it answered
 *             our ping): an existing entry moves to the front and takes the
 *             new endpoint; a new one goes in at the front.
 *   !verified: we only heard of it (a neighbors reply): a new entry goes in
 *             at the back (first to be revalidated); an existing one is
 *             left as it is.
 * A node already among the replacements is refreshed there, or moved into
 * the bucket when a slot is free.
 * Returns: a kad_add_result, or ERR_INVAL when the node has no IP.
 * In: now_ms (any monotonic clock, only stored). */
int kad_table_add(struct kad_table *t, const struct enode *n, bool verified, uint64_t now_ms);

/* Records a liveness proof for a node in the table: it moves to the front
 * of its bucket. Returns 0, or ERR_NOTFOUND when it is not in a bucket. */
int kad_table_seen(struct kad_table *t, const uint8_t id[64], uint64_t now_ms);

/* Removes a node that failed its liveness check (or is otherwise bad) from
 * its bucket and its replacement list, and moves the newest replacement (if
 * any) into the freed slot, at the back.
 * Returns: 1 when a replacement took the slot, 0 when none did, or
 *          ERR_NOTFOUND when the node was in neither list.
 * Out: *promoted (may be NULL) the replacement, when 1 is returned. */
int kad_table_dead(struct kad_table *t, const uint8_t id[64], struct enode *promoted);

/* Copies the entry of a node in a bucket. Returns true when present. */
bool kad_table_get(const struct kad_table *t, const uint8_t id[64], struct kad_entry *out);

/* Number of entries in buckets (replacements not counted). */
size_t kad_table_len(const struct kad_table *t);

/* Number of entries in bucket i (0..255), and of its replacement list. */
size_t kad_table_bucket_len(const struct kad_table *t, int i);
size_t kad_table_replacements_len(const struct kad_table *t, int i);

/* The bucket a node id belongs in (0..255), or -1 for our own id. */
int kad_table_bucket_of(const struct kad_table *t, const uint8_t id[64]);

/* Writes up to max entries closest to target_hash (a keccak256 of an id,
 * or any 32 bytes), nearest first. Returns how many were written. */
size_t kad_table_closest(const struct kad_table *t, const uint8_t target_hash[32],
                         struct enode *out, size_t max);

/* Writes up to max distinct entries picked at random (seeded by seed).
 * Returns how many were written (fewer when the table is smaller). */
size_t kad_table_random(const struct kad_table *t, uint64_t seed, struct enode *out, size_t max);

/* Picks the node to revalidate: the least recently seen entry of a random
 * non-empty bucket (seeded by seed).
 * Returns 0, or ERR_NOTFOUND when the table is empty. Out: *out. */
int kad_table_revalidation_target(const struct kad_table *t, uint64_t seed, struct kad_entry *out);

#endif
