/*
 * node.h — the trie's internal node representation (not a public header:
 * only the .c files of src/trie include it).
 *
 * One struct tnode type serves every kind so that nodes can come from one
 * pool (slabs with a free list: no malloc per node). A leaf keeps its path
 * (one nibble per byte) followed by its value in `data`, which points at the
 * node's inline area when they fit (the common case: 32-byte keys and short
 * values) and at a malloc'ed buffer otherwise. A branch uses the same bytes
 * for its 16 child pointers and keeps its (rare) value in a malloc'ed buffer.
 *
 * Each node caches its reference as its parent's encoding will need it:
 * reflen 1..31 means `ref` holds the node's own RLP (it is embedded in the
 * parent), 32 means `ref` is keccak256 of the RLP, 0 means not computed yet
 * (the node changed). TN_UNSTORED marks nodes the store has not seen yet.
 * An unloaded subtree is a TN_HASH node whose ref is the hash.
 *
 * tnode_parse is the one strict decoder of encoded nodes, shared by loading
 * from a store and by proof verification: both read outside input.
 */
#ifndef SPECTRUM_TRIE_NODE_H
#define SPECTRUM_TRIE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/rlp.h"
#include "trie/trie.h"
#include "util/bytes.h"

#define TRIE_MAX_NIBBLES (2 * TRIE_MAX_KEY_LEN)

enum tnode_kind {
    TN_FREE = 0,
    TN_LEAF,
    TN_EXT,
    TN_BRANCH,
    TN_HASH,
};

#define TN_UNSTORED 0x01

/* Bytes of path + value a leaf (path only for an extension) keeps inline. */
#define TN_INLINE_CAP 120

struct tnode {
    uint8_t kind;
    uint8_t flags;
    uint8_t reflen;          /* 0 = unknown, 1..31 = embedded RLP, 32 = hash */
    uint16_t plen;           /* path nibbles (leaf, extension) */
    uint32_t vlen;           /* value bytes (leaf, branch) */
    uint32_t dcap;           /* size of the malloc'ed `data`; 0 = inline or none */
    uint8_t ref[32];
    uint8_t *data;           /* leaf: path then value; ext: path; branch: value */
    union {
        struct tnode *child[16];          /* branch */
        struct {
            struct tnode *next;           /* extension's child; free-list link */
            uint8_t inl[TN_INLINE_CAP];   /* leaf / extension data */
        } s;
    } u;
};

/* The slab pool. */
struct tnode_slab;
struct tnode_pool {
    struct tnode_slab *slabs;
    struct tnode *free;
    size_t live;
};

struct trie {
    struct trie_store store;
    bool has_store;
    bool broken;             /* an allocation failed mid-update */
    unsigned flags;
    struct tnode *root;
    struct tnode_pool pool;
    struct bytes enc;        /* scratch for encoding nodes */
};

/* ---- pool and node data (node.c) ---------------------------------------- */

/* Returns a zeroed node of the given kind, or NULL (ERR_NOMEM set). */
struct tnode *tnode_alloc(struct tnode_pool *p, enum tnode_kind kind);
/* Returns a node (not its children) to the pool, freeing its data. */
void tnode_free(struct tnode_pool *p, struct tnode *n);
/* Frees a node and its whole in-memory subtree (depth is bounded by the key
 * length limit). */
void tnode_free_tree(struct tnode_pool *p, struct tnode *n);
/* Frees every slab and the data of every live node. */
void tnode_pool_destroy(struct tnode_pool *p);

/* Path and value of a leaf or extension. */
static inline const uint8_t *tnode_path(const struct tnode *n) { return n->data; }
static inline const uint8_t *tnode_leaf_value(const struct tnode *n) { return n->data + n->plen; }

/* Sets a fresh leaf's or extension's path and (leaf) value. Returns 0 or
 * ERR_NOMEM (node unchanged). */
int tnode_set_data(struct tnode *n, const uint8_t *path, size_t plen,
                   const uint8_t *val, size_t vlen);
/* Replaces a leaf's value, keeping its path. Returns 0 or ERR_NOMEM
 * (unchanged). */
int tnode_set_leaf_value(struct tnode *n, const uint8_t *val, size_t vlen);
/* Drops the first `skip` nibbles of the path (never allocates). */
void tnode_trim_path(struct tnode *n, size_t skip);
/* Puts `pre` in front of the path. Returns 0 or ERR_NOMEM (unchanged). */
int tnode_prepend_path(struct tnode *n, const uint8_t *pre, size_t prelen);
/* Sets or clears (vlen 0) a branch's value. Returns 0 or ERR_NOMEM. */
int tnode_set_branch_value(struct tnode *n, const uint8_t *val, size_t vlen);

/* Marks a changed node: its cached reference is stale, the store lacks it. */
static inline void tnode_dirty(struct tnode *n)
{
    n->reflen = 0;
    n->flags |= TN_UNSTORED;
}

/* ---- encoding (node.c) --------------------------------------------------- */

/* Encodes n into out (reset first). The references of n's children must be
 * computed. Returns 0 or ERR_NOMEM. */
int tnode_encode(const struct tnode *n, struct bytes *out);

/* Computes n's reference and those of its changed descendants, using scratch
 * for encoding. Returns 0 or ERR_NOMEM. */
int tnode_hash(struct tnode *n, struct bytes *scratch);

/* ---- strict decoding (node.c) ------------------------------------------ */

/* An encoded node, decoded without copying (pointers into the input). */
struct node_view {
    uint8_t kind;                      /* TN_LEAF, TN_EXT or TN_BRANCH */
    size_t plen;
    uint8_t path[TRIE_MAX_NIBBLES];    /* leaf / extension path */
    struct rlp_item child[16];         /* branch children; ext: child[0] */
    const uint8_t *val;                /* leaf / branch value */
    size_t vlen;
};

/* Kinds of child reference. */
enum { REF_EMPTY, REF_HASH, REF_INLINE };
static inline int ref_kind(const struct rlp_item *it)
{
    if (it->is_list)
        return REF_INLINE;
    return it->payload_len == 32 ? REF_HASH : REF_EMPTY;
}

/*
 * Decodes one encoded node strictly: exactly one canonical RLP list of 2 or
 * 17 items; a valid hex-prefix path of at most TRIE_MAX_NIBBLES nibbles; a
 * leaf has a non-empty value; an extension a non-empty path and a child; a
 * child reference is empty (branch only), a 32-byte hash or an embedded list
 * shorter than 32 bytes; a branch has at least two entries. `depth` is the
 * number of nibbles above the node: keys must stay within the limit and end
 * on a whole byte. Returns 0 or ERR_DECODE (context says why).
 */
int tnode_parse(const uint8_t *raw, size_t len, size_t depth, struct node_view *v);

/* Builds in-memory nodes from an encoded node at `depth` (embedded children
 * are decoded too, hash references become TN_HASH nodes). The new node's
 * reference is set when raw is shorter than 32 bytes, else left to the
 * caller. Returns 0, ERR_DECODE or ERR_NOMEM. */
int tnode_decode(struct tnode_pool *p, const uint8_t *raw, size_t len, size_t depth,
                 struct tnode **out);

/* ---- shared by trie.c, proof.c, iter.c ---------------------------------- */

/* Splits a key into nibbles (nib has room for 2*klen). Returns 2*klen. */
size_t trie_key_nibbles(const uint8_t *key, size_t klen, uint8_t *nib);

/* Applies TRIE_SECURE and the length limit: writes the path key's nibbles.
 * Returns 0 or ERR_RANGE. */
int trie_path_nibbles(const struct trie *t, const uint8_t *key, size_t klen,
                      uint8_t nib[TRIE_MAX_NIBBLES], size_t *nlen);

/* Replaces the TN_HASH node in *slot by the node loaded from the store.
 * depth: nibbles above it; want_branch: the parent is an extension. Returns
 * 0 (also when *slot is not a hash node), ERR_NOTFOUND, ERR_DECODE,
 * ERR_NOMEM or the store's error. */
int trie_resolve(struct trie *t, struct tnode **slot, size_t depth, bool want_branch);

/* Fails with ERR_BADSTATE when an earlier failure left the trie unusable. */
int trie_check_usable(const struct trie *t);

#endif
