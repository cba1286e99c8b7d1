/*
 * trie.h — the Merkle Patricia Trie of Ethereum (Yellow Paper appendix D):
 * a map from byte keys to non-empty byte values whose root hash commits to
 * the whole content.
 *
 * Nodes are branches (16 children and a value), extensions (a shared path
 * and one child) and leaves (the rest of the path and a value); paths are
 * hex-prefix encoded. A node whose RLP is shorter than 32 bytes is embedded
 * in its parent; a longer one is referenced by its keccak256 hash. The root
 * is always hashed; the empty trie's root is keccak256(RLP("")) =
 * 56e81f17…b421 (TRIE_EMPTY_ROOT).
 *
 * A struct trie works over a node store (struct trie_store): it is opened at
 * a root hash and loads nodes lazily when a lookup or update reaches them,
 * keeping what it loaded. Updates stay in memory; trie_root_hash hashes only
 * what changed since the last call; trie_commit hands every new node to the
 * store's put (a LevelDB store writes them into the caller's batch, see
 * storage/trie_db.h). Nodes read from a store are outside input: they are
 * decoded strictly, checked against the hash that referenced them, and a
 * missing or malformed node is an error (ERR_NOTFOUND / ERR_DECODE with the
 * hash in the context), never a crash.
 *
 * In Ethereum an empty value means "absent": trie_put with an empty value
 * deletes the key, and trie_get of an absent key yields an empty value.
 * With TRIE_SECURE the trie stores keccak256(key) instead of key (the state
 * and storage tries); iteration and proofs then work on those hashed keys.
 *
 * Thread safety: a struct trie belongs to one thread at a time. Even
 * trie_get changes it (it caches loaded nodes), so readers on other threads
 * open their own trie on the same (thread-safe) store and root.
 */
#ifndef SPECTRUM_TRIE_TRIE_H
#define SPECTRUM_TRIE_TRIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest key accepted (bytes; ERR_RANGE beyond). Ethereum's keys are 32
 * bytes (state, storage) or at most 9 (RLP of an index). */
#define TRIE_MAX_KEY_LEN 256
/* Largest value accepted (ERR_RANGE beyond). */
#define TRIE_MAX_VALUE_LEN (16u << 20)
/* Largest encoded node read from a store or a proof. */
#define TRIE_MAX_NODE_LEN (TRIE_MAX_VALUE_LEN + 1024u)
/* Most nodes a proof may hold: one per nibble of the longest key, plus one. */
#define TRIE_MAX_PROOF_NODES (2 * TRIE_MAX_KEY_LEN + 1)

/* keccak256(0x80): the root hash of the empty trie. */
extern const uint8_t TRIE_EMPTY_ROOT[32];

/* ---- node stores --------------------------------------------------------- */

/*
 * Where nodes live, keyed by the keccak256 of their RLP.
 *
 * get:  looks up the node whose hash is `hash`. On success sets *node and *len
 *       to its RLP and returns 0; the bytes stay valid until the next call
 *       of get on this store or until the store is freed (the trie copies
 *       what it keeps). Returns ERR_NOTFOUND when absent (the trie adds the
 *       hash to the context), or another negative code on failure.
 * put:  stores a node (copying it). Storing a hash already present is fine
 *       (the content is the same by construction). Returns 0 or an error.
 * ctx:  passed to both.
 *
 * A trie only calls these from the thread that uses the trie.
 */
struct trie_store {
    int (*get)(void *ctx, const uint8_t hash[32], const uint8_t **node, size_t *len);
    int (*put)(void *ctx, const uint8_t hash[32], const uint8_t *node, size_t len);
    void *ctx;
    /* true: get returns only nodes whose keccak256 it has checked against
     * the hash asked for (ERR_DECODE otherwise), so the trie skips its own
     * check. */
    bool checked;
};

/*
 * An in-memory node store: a hash table of nodes in an append-only arena
 * (nodes are never deleted; a node put twice is stored once). For tests,
 * tools, and tries that are only hashed (transaction and receipt roots).
 * Not thread-safe.
 */
struct trie_memstore;

/* Returns a new empty store, or NULL when out of memory. */
struct trie_memstore *trie_memstore_new(void);
/* Frees the store and every node in it (NULL is ignored). Tries using it
 * must be freed first. */
void trie_memstore_free(struct trie_memstore *ms);
/* Returns the store interface over ms (valid while ms lives). */
struct trie_store trie_memstore_store(struct trie_memstore *ms);
/* Number of distinct nodes stored. */
size_t trie_memstore_count(const struct trie_memstore *ms);
/* Removes the node with this hash if present (tests use it to simulate a
 * missing node; the bytes stay in the arena until trie_memstore_free).
 * Returns true when a node was removed. */
bool trie_memstore_remove(struct trie_memstore *ms, const uint8_t hash[32]);

/* ---- tries -------------------------------------------------------------- */

struct trie;

/* Flags for trie_open. */
#define TRIE_SECURE 1u   /* keys are hashed with keccak256 before use */

/*
 * Opens a trie at `root` over `store`. Nothing is read until needed.
 *
 * Returns: 0, ERR_INVAL (unknown flags, or a non-empty root without a
 *          store), ERR_NOMEM.
 * Args:    store  node store, copied by value (its ctx must outlive the
 *                 trie); NULL for a trie that lives only in memory (then
 *                 trie_commit fails with ERR_BADSTATE).
 *          root   32-byte root hash, or NULL (and TRIE_EMPTY_ROOT) for an
 *                 empty trie.
 *          flags  0 or TRIE_SECURE.
 * Out:     *out   the trie; free with trie_free.
 */
int trie_open(const struct trie_store *store, const uint8_t *root, unsigned flags,
              struct trie **out);

/* Frees the trie and all its in-memory nodes (NULL is ignored). Nodes not
 * committed are lost. */
void trie_free(struct trie *t);

/*
 * Looks up key.
 *
 * Returns: 0 (found or absent), ERR_RANGE (key longer than
 *          TRIE_MAX_KEY_LEN), ERR_NOTFOUND (a node on the path is missing
 *          from the store; context names its hash), ERR_DECODE (a stored
 *          node is malformed or does not match its hash), ERR_NOMEM, or an
 *          error from the store.
 * Out:     *val, *vlen  the value, pointing into the trie's memory: valid
 *          until the next trie_put/trie_delete/trie_free on t. An absent key
 *          gives *val = NULL, *vlen = 0.
 */
int trie_get(struct trie *t, const uint8_t *key, size_t klen, const uint8_t **val, size_t *vlen);

/*
 * Sets key to the value val[0..vlen) (copied); vlen == 0 deletes the key.
 *
 * Returns: 0, ERR_RANGE (key or value too long), ERR_NOTFOUND / ERR_DECODE
 *          (a node on the path cannot be loaded: the trie is unchanged),
 *          ERR_NOMEM, ERR_BADSTATE (an earlier allocation failure in the
 *          middle of an update left the trie unusable).
 */
int trie_put(struct trie *t, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen);

/* Removes key (absent keys are fine). Returns as trie_put. */
int trie_delete(struct trie *t, const uint8_t *key, size_t klen);

/*
 * Computes the root hash. Only nodes changed since the last call are
 * encoded and hashed; the others keep their cached hashes.
 *
 * Returns: 0, ERR_NOMEM, ERR_BADSTATE (trie unusable, see trie_put).
 * Out:     root  32 bytes.
 */
int trie_root_hash(struct trie *t, uint8_t root[32]);

/*
 * Hashes the trie and writes every node created since the last commit to
 * the store (the root node always under the root hash; nodes embedded in
 * their parent are not written on their own). The nodes stay in memory.
 *
 * Returns: 0, ERR_BADSTATE (no store, or trie unusable), ERR_NOMEM, or the
 *          store's put error (then a later commit writes them again).
 * Out:     root  the root hash (may be NULL).
 */
int trie_commit(struct trie *t, uint8_t *root);

/* Number of nodes currently in memory (for tests and cache accounting). */
size_t trie_node_count(const struct trie *t);

/* ---- Merkle proofs ------------------------------------------------------ */

/* A list of encoded nodes. Each node is malloc'ed; trie_proof_free frees
 * them and the array. A zeroed struct is an empty proof. */
struct trie_proof {
    size_t count;
    uint8_t **node;
    size_t *len;
};

/*
 * Builds the proof for key: the RLP of every hash-referenced node on the
 * path from the root towards key (the root first), as in EIP-1186. It proves
 * the value when the key is present and the absence otherwise. An empty trie
 * gives an empty proof. For a TRIE_SECURE trie the path is keccak256(key).
 *
 * Returns: 0, ERR_RANGE, ERR_NOMEM, ERR_NOTFOUND / ERR_DECODE (a node on
 *          the path cannot be loaded), ERR_BADSTATE.
 * Out:     *proof  filled (freed first if it held nodes); free with
 *          trie_proof_free.
 */
int trie_prove(struct trie *t, const uint8_t *key, size_t klen, struct trie_proof *proof);

/* Frees the nodes of a proof and zeroes it (NULL is ignored). */
void trie_proof_free(struct trie_proof *proof);

/*
 * Verifies a proof for `key` (the path key: pass keccak256(key) for a secure
 * trie) against `root`. The proof must be exactly the nodes trie_prove
 * gives: each node must hash to the reference that leads to it, in order,
 * with none missing and none left over; every node is decoded strictly.
 * Does not allocate; safe from any thread.
 *
 * Returns: 0 when the proof is valid, ERR_INVAL when it is not (context
 *          says why: missing node, extra node, hash mismatch, malformed
 *          node), ERR_RANGE (key, node count or node size over the limits).
 * Args:    root   32 bytes; nodes/lens  count encoded nodes (outside input).
 * Out:     *found  whether the key is present; *val, *vlen  the value,
 *          pointing into nodes[] (NULL/0 when absent).
 */
int trie_verify_proof(const uint8_t root[32], const uint8_t *key, size_t klen,
                      const uint8_t *const *nodes, const size_t *lens, size_t count,
                      bool *found, const uint8_t **val, size_t *vlen);

/* ---- ordered iteration -------------------------------------------------- */

/*
 * An iterator over the keys of a trie in ascending byte order. Each move
 * walks down from the root (O(depth), loading nodes as needed), so the
 * iterator holds no pointers into the trie's structure except the current
 * value: do not read key/value after modifying the trie; re-seek instead.
 * For a TRIE_SECURE trie the keys are the hashed keys.
 *
 * Usage:  struct trie_iter it; trie_iter_init(&it, t);
 *         for (rc = trie_iter_first(&it); rc == 0 && it.valid; rc = trie_iter_next(&it))
 *             use(it.key, it.klen, it.val, it.vlen);
 *
 * Each move returns 0 (it.valid says whether a key was found) or an error
 * from loading a node (ERR_NOTFOUND, ERR_DECODE, ...; it.valid is then false).
 */
struct trie_iter {
    struct trie *t;
    bool valid;
    uint8_t key[TRIE_MAX_KEY_LEN];
    size_t klen;
    const uint8_t *val;
    size_t vlen;
};

void trie_iter_init(struct trie_iter *it, struct trie *t);
/* The smallest key. */
int trie_iter_first(struct trie_iter *it);
/* The greatest key. */
int trie_iter_last(struct trie_iter *it);
/* The smallest key >= key (key longer than TRIE_MAX_KEY_LEN: ERR_RANGE). */
int trie_iter_seek(struct trie_iter *it, const uint8_t *key, size_t klen);
/* The greatest key < key. */
int trie_iter_seek_before(struct trie_iter *it, const uint8_t *key, size_t klen);
/* The next key after the current one (invalid iterator: ERR_BADSTATE). */
int trie_iter_next(struct trie_iter *it);
/* The key before the current one (invalid iterator: ERR_BADSTATE). */
int trie_iter_prev(struct trie_iter *it);

#endif
