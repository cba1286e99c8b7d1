/*
 * locks.h — hashlocks and the merkle tree of a channel end's pending locks
 * (spec/photon.md §3.6, §2.5).
 *
 * A lock is (expiration block, amount, secret_hash) with
 * secret_hash = sha256(secret). Its 96-byte form, which the contract and
 * AnnounceDisposed both use, is u256 expiration ‖ u256 amount ‖ secret_hash,
 * and its leaf in the tree is lockhash = keccak256 of those 96 bytes.
 *
 * The tree keeps its leaves in insertion order (Photon does not sort them).
 * Each layer pairs (0,1), (2,3), ...; a pair is hashed smaller-first
 * (byte order), so a verifier needs no left/right bits; an odd last node is
 * promoted unchanged. No leaves → root of 32 zero bytes; one leaf → the leaf.
 * A proof is the sibling of each layer, bottom-up, with the layers where the
 * node was promoted skipped, concatenated as the contract's unlock() takes
 * it. Removing a lock rebuilds from the remaining leaves, so the order of
 * the others is kept.
 *
 * Why it is shaped this way: the hub recomputes a root for every mediated
 * transfer, unlock and lock removal it sends or checks, and asks "what
 * would the root be with / without this lock" before changing anything.
 * Roots are therefore computed by a streaming fold over the leaf hashes
 * with a fixed stack of log2(n) entries (no allocation), and the leaf hashes
 * are cached next to the locks. Proofs, needed only when going on chain,
 * build the layers in one bounded allocation. A tree holds at most
 * CH_LOCKS_MAX locks and refuses a second lock with the same lockhash or
 * the same secret_hash (messages name a lock by its secret_hash, so that
 * must identify it).
 *
 * Ownership: struct ch_locks owns its arrays (ch_locks_free releases them).
 * A tree is not thread-safe: one owner at a time. The free functions on
 * single locks are pure and safe from any thread.
 */
#ifndef SPECTRUM_CHANNEL_LOCKS_H
#define SPECTRUM_CHANNEL_LOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/u256.h"

/* Most locks one tree holds. Photon's mediator refuses more than
 * reveal_timeout (default 30) pending locks from one payer; 1024 leaves room
 * for large timeouts while keeping a proof at 10 × 32 bytes. */
#define CH_LOCKS_MAX 1024
/* Largest proof of a CH_LOCKS_MAX tree, in bytes (10 layers of siblings). */
#define CH_PROOF_MAX (10 * 32)
/* Length of a lock's packed form. */
#define CH_LOCK_LEN 96
/* Block numbers on the wire are int64: expirations and open blocks above
 * this are refused. */
#define CH_BLOCK_MAX INT64_MAX

struct ch_lock {
    uint64_t expiration;        /* block number, <= CH_BLOCK_MAX */
    u256 amount;
    uint8_t secret_hash[32];    /* sha256(secret) */
};

/* out = sha256(secret), the lock_secret_hash of a 32-byte secret.
 * Returns: 0, or ERR_CRYPTO / ERR_NOMEM when OpenSSL fails. */
int ch_secret_hash(const uint8_t secret[32], uint8_t out[32]);

/* Writes the 96-byte packed form u256 expiration ‖ u256 amount ‖
 * secret_hash (Photon's Lock.AsBytes, the contract's abi.encodePacked). */
void ch_lock_pack(const struct ch_lock *l, uint8_t out[CH_LOCK_LEN]);

/* Reads the packed form.
 * Returns: 0, or ERR_RANGE when the expiration is above CH_BLOCK_MAX
 *          (context names the field); *out is then unspecified. */
int ch_lock_unpack(const uint8_t in[CH_LOCK_LEN], struct ch_lock *out);

/* out = lockhash = keccak256(ch_lock_pack(l)), the lock's merkle leaf. */
void ch_lock_hash(const struct ch_lock *l, uint8_t out[32]);

/* True when a and b are the same lock (all three fields). */
bool ch_lock_eq(const struct ch_lock *a, const struct ch_lock *b);

/* out = keccak256(min(a,b) ‖ max(a,b)), comparing the 32 bytes as a
 * big-endian number; the hash of one pair of the tree. out may alias a or b. */
void ch_merkle_pair(const uint8_t a[32], const uint8_t b[32], uint8_t out[32]);

/* The root the contract computes from a leaf and its proof
 * (computeMerkleRoot): fold ch_merkle_pair over the 32-byte siblings.
 * Returns: 0, or ERR_INVAL when proof_len is not a multiple of 32.
 * In: leaf; proof (may be NULL when proof_len is 0). Out: root. */
int ch_merkle_root_from_proof(const uint8_t leaf[32], const uint8_t *proof, size_t proof_len,
                              uint8_t root[32]);

/* The pending locks of one channel end, in insertion order. Read the fields,
 * change them only through the functions below. */
struct ch_locks {
    struct ch_lock *locks;      /* n locks, insertion order */
    uint8_t (*leaves)[32];      /* leaves[i] = ch_lock_hash(&locks[i]) */
    size_t n;
    size_t cap;
    uint8_t root[32];           /* current root, kept up to date */
};

/* Makes t an empty tree (root = 32 zero bytes). Allocates nothing. */
void ch_locks_init(struct ch_locks *t);

/* Frees t's arrays and makes it empty again. */
void ch_locks_free(struct ch_locks *t);

/* Copies src into dst (which must be initialised; its old contents are
 * freed). Returns: 0 or ERR_NOMEM (dst is then empty). */
int ch_locks_copy(struct ch_locks *dst, const struct ch_locks *src);

/* Appends a lock and updates the root.
 * Returns: 0; ERR_INVAL when a lock with the same lockhash or the same
 *          secret_hash is already in the tree, or the expiration is above
 *          CH_BLOCK_MAX; ERR_RANGE when the tree holds CH_LOCKS_MAX locks;
 *          ERR_NOMEM. On error the tree is unchanged. */
int ch_locks_add(struct ch_locks *t, const struct ch_lock *l);

/* Index of the lock with this secret_hash.
 * Returns: 0 with *index set, or ERR_NOTFOUND (no context set: a miss is
 *          an ordinary answer). index may be NULL. */
int ch_locks_find(const struct ch_locks *t, const uint8_t secret_hash[32], size_t *index);

/* Removes the lock with this secret_hash, keeping the others' order, and
 * rebuilds the root. *removed (may be NULL) receives the lock.
 * Returns: 0 or ERR_NOTFOUND (tree unchanged). */
int ch_locks_remove(struct ch_locks *t, const uint8_t secret_hash[32], struct ch_lock *removed);

/* The root t would have with l appended, without changing t (what the
 * locksroot of a MediatedTransfer adding l must be).
 * Returns: 0, or the errors of ch_locks_add (duplicate, full), none of
 *          which changes t. */
int ch_locks_root_with(const struct ch_locks *t, const struct ch_lock *l, uint8_t root[32]);

/* The root t would have without the lock of this secret_hash (what the
 * locksroot of an Unlock, RemoveExpiredHashlock or AnnounceDisposedResponse
 * must be). Returns: 0 or ERR_NOTFOUND. */
int ch_locks_root_without(const struct ch_locks *t, const uint8_t secret_hash[32], uint8_t root[32]);

/* Sum of the amounts of all locks (the "locked amount" of §3.5).
 * Returns: 0, or ERR_RANGE when the sum exceeds 2^256 - 1. */
int ch_locks_total(const struct ch_locks *t, u256 *sum);

/* The merkle proof of locks[index] as the contract's unlock() takes it:
 * the sibling of each layer bottom-up, skipped where the node is promoted.
 * Returns: 0; ERR_RANGE when index >= t->n or cap is too small (cap of
 *          CH_PROOF_MAX always suffices); ERR_NOMEM.
 * Out: proof (cap bytes), *proof_len (a multiple of 32; 0 for a tree of
 *      one lock). */
int ch_locks_proof(const struct ch_locks *t, size_t index, uint8_t *proof, size_t cap,
                   size_t *proof_len);

#endif
