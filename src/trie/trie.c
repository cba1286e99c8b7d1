/*
 * trie.c — the trie's life cycle and updates: open, get, put, delete, root
 * hash, commit. Proofs are in proof.c, iteration in iter.c, node encoding
 * and decoding in node.c.
 *
 * Updates work on `struct tnode **slot` (the parent's pointer to the node)
 * so a node can be replaced in place. Every update first walks down,
 * loading hash nodes from the store as it meets them, and changes nodes only
 * at the bottom, then marks the path back up dirty: a load failure (missing
 * or corrupt node) therefore leaves the trie exactly as it was. Allocations
 * a structural change needs are made before anything is changed, for the
 * same reason; only the merge of paths after a deletion can fail half way
 * (out of memory), and then the trie refuses further use (ERR_BADSTATE) rather
 * than give a wrong root.
 *
 * Recursion depth is bounded: every level consumes at least one nibble of a
 * key of at most TRIE_MAX_KEY_LEN bytes.
 */
#include "trie/trie.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "trie/node.h"
#include "trie/secure_key.h"
#include "util/err.h"
#include "util/hex.h"

/* keccak256(0x80) */
const uint8_t TRIE_EMPTY_ROOT[32] = {
    0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e,
    0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
};

int trie_open(const struct trie_store *store, const uint8_t *root, unsigned flags,
              struct trie **out)
{
    *out = NULL;
    if (flags & ~TRIE_SECURE)
        return err_set(ERR_INVAL, "trie_open: unknown flags %#x", flags);
    bool empty = !root || memcmp(root, TRIE_EMPTY_ROOT, 32) == 0;
    if (!empty && !store)
        return err_set(ERR_INVAL, "trie_open: a non-empty root needs a node store");
    struct trie *t = calloc(1, sizeof *t);
    if (!t)
        return err_set(ERR_NOMEM, "trie_open");
    if (store) {
        t->store = *store;
        t->has_store = true;
    }
    t->flags = flags;
    if (!empty) {
        t->root = tnode_alloc(&t->pool, TN_HASH);
        if (!t->root) {
            free(t);
            return ERR_NOMEM;
        }
        memcpy(t->root->ref, root, 32);
        t->root->reflen = 32;
    }
    *out = t;
    return 0;
}

void trie_free(struct trie *t)
{
    if (!t)
        return;
    tnode_pool_destroy(&t->pool);
    bytes_free(&t->enc);
    free(t);
}

size_t trie_node_count(const struct trie *t)
{
    return t->pool.live;
}

int trie_check_usable(const struct trie *t)
{
    if (t->broken)
        return err_set(ERR_BADSTATE, "trie: unusable after an allocation failure mid-update");
    return 0;
}

size_t trie_key_nibbles(const uint8_t *key, size_t klen, uint8_t *nib)
{
    for (size_t i = 0; i < klen; i++) {
        nib[2 * i] = key[i] >> 4;
        nib[2 * i + 1] = key[i] & 0x0f;
    }
    return 2 * klen;
}

int trie_path_nibbles(const struct trie *t, const uint8_t *key, size_t klen,
                      uint8_t nib[TRIE_MAX_NIBBLES], size_t *nlen)
{
    if (t->flags & TRIE_SECURE) {
        uint8_t h[32];
        secure_key_hash(key, klen, h);
        *nlen = trie_key_nibbles(h, 32, nib);
        return 0;
    }
    if (klen > TRIE_MAX_KEY_LEN)
        return err_set(ERR_RANGE, "trie: key of %zu bytes (max %d)", klen, TRIE_MAX_KEY_LEN);
    *nlen = trie_key_nibbles(key, klen, nib);
    return 0;
}

int trie_resolve(struct trie *t, struct tnode **slot, size_t depth, bool want_branch)
{
    struct tnode *h = *slot;
    if (!h || h->kind != TN_HASH)
        return 0;
    char hx[65];
    if (!t->has_store) {
        hex_encode(hx, h->ref, 32);
        return err_set(ERR_NOTFOUND, "trie: missing node %s (no store)", hx);
    }
    const uint8_t *raw = NULL;
    size_t len = 0;
    int rc = t->store.get(t->store.ctx, h->ref, &raw, &len);
    if (rc) {
        hex_encode(hx, h->ref, 32);
        if (rc == ERR_NOTFOUND)
            return err_set(ERR_NOTFOUND, "trie: missing node %s", hx);
        return err_wrap(rc, "trie: loading node %s", hx);
    }
    uint8_t check[32];
    if (len > TRIE_MAX_NODE_LEN) {
        hex_encode(hx, h->ref, 32);
        return err_set(ERR_DECODE, "trie: node %s of %zu bytes", hx, len);
    }
    if (!t->store.checked)
        keccak256(raw, len, check);
    if (!t->store.checked && memcmp(check, h->ref, 32) != 0) {
        hex_encode(hx, h->ref, 32);
        return err_set(ERR_DECODE, "trie: node %s does not match its hash", hx);
    }
    /* Only the root may be referenced by hash when shorter than 32 bytes. */
    if (len < 32 && slot != &t->root) {
        hex_encode(hx, h->ref, 32);
        return err_set(ERR_DECODE, "trie: node %s of %zu bytes referenced by hash", hx, len);
    }
    struct tnode *n = NULL;
    rc = tnode_decode(&t->pool, raw, len, depth, &n);
    if (rc) {
        hex_encode(hx, h->ref, 32);
        return err_wrap(rc, "trie: node %s", hx);
    }
    if (want_branch && n->kind != TN_BRANCH) {
        tnode_free_tree(&t->pool, n);
        hex_encode(hx, h->ref, 32);
        return err_set(ERR_DECODE, "trie: node %s under an extension is not a branch", hx);
    }
    if (len >= 32) {
        memcpy(n->ref, h->ref, 32);
        n->reflen = 32;
    }
    tnode_free(&t->pool, h);
    *slot = n;
    return 0;
}

/* ---- get ----------------------------------------------------------------- */

static size_t common_prefix(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen, i = 0;
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

int trie_get(struct trie *t, const uint8_t *key, size_t klen, const uint8_t **val, size_t *vlen)
{
    *val = NULL;
    *vlen = 0;
    uint8_t nib[TRIE_MAX_NIBBLES];
    size_t nlen, d = 0;
    int rc = trie_check_usable(t);
    if (rc || (rc = trie_path_nibbles(t, key, klen, nib, &nlen)) != 0)
        return rc;
    struct tnode **slot = &t->root;
    bool want_branch = false;
    for (;;) {
        struct tnode *n = *slot;
        if (!n)
            return 0;
        switch (n->kind) {
        case TN_HASH:
            if ((rc = trie_resolve(t, slot, d, want_branch)) != 0)
                return rc;
            continue;
        case TN_LEAF:
            if (n->plen == nlen - d && memcmp(tnode_path(n), nib + d, n->plen) == 0) {
                *val = tnode_leaf_value(n);
                *vlen = n->vlen;
            }
            return 0;
        case TN_EXT:
            if (nlen - d < n->plen || memcmp(tnode_path(n), nib + d, n->plen) != 0)
                return 0;
            d += n->plen;
            slot = &n->u.s.next;
            want_branch = true;
            continue;
        case TN_BRANCH:
            if (d == nlen) {
                if (n->vlen) {
                    *val = n->data;
                    *vlen = n->vlen;
                }
                return 0;
            }
            slot = &n->u.child[nib[d++]];
            want_branch = false;
            continue;
        default:
            return err_set(ERR_BADSTATE, "trie: corrupt node kind %d", n->kind);
        }
    }
}

/* ---- insert -------------------------------------------------------------- */

struct update {
    struct trie *t;
    const uint8_t *key;      /* nibbles */
    size_t nlen;
    const uint8_t *val;
    size_t vlen;
};

/* Makes a leaf for key[d..] (or NULL when the key ends at d, the value then
 * going into the branch). */
static int new_leaf(struct update *u, size_t d, struct tnode **out)
{
    struct tnode *l = tnode_alloc(&u->t->pool, TN_LEAF);
    if (!l)
        return ERR_NOMEM;
    int rc = tnode_set_data(l, u->key + d, u->nlen - d, u->val, u->vlen);
    if (rc) {
        tnode_free(&u->t->pool, l);
        return rc;
    }
    tnode_dirty(l);
    *out = l;
    return 0;
}

/*
 * Splits the leaf or extension n, whose path diverges from the key after c
 * nibbles (c < n->plen, or c == n->plen for a leaf whose key ends there),
 * into: [extension of c nibbles] -> branch holding n's remainder and the new
 * key. Everything is allocated before n is touched.
 */
static int split(struct update *u, struct tnode **slot, size_t d, size_t c)
{
    struct trie *t = u->t;
    struct tnode *n = *slot;
    size_t rest = u->nlen - d;
    struct tnode *b = NULL, *e = NULL, *l = NULL;
    int rc = ERR_NOMEM;

    if (!(b = tnode_alloc(&t->pool, TN_BRANCH)))
        goto fail;
    if (c > 0) {
        if (!(e = tnode_alloc(&t->pool, TN_EXT)))
            goto fail;
        if ((rc = tnode_set_data(e, tnode_path(n), c, NULL, 0)) != 0)
            goto fail;
    }
    if (c < rest) {
        if ((rc = new_leaf(u, d + c + 1, &l)) != 0)
            goto fail;
    } else if ((rc = tnode_set_branch_value(b, u->val, u->vlen)) != 0) {
        goto fail;
    }
    /* n's own remainder. A leaf ending at c becomes the branch value. */
    if (n->kind == TN_LEAF && c == n->plen) {
        if ((rc = tnode_set_branch_value(b, tnode_leaf_value(n), n->vlen)) != 0)
            goto fail;
        tnode_free(&t->pool, n);
    } else {
        uint8_t at = tnode_path(n)[c];
        if (n->kind == TN_EXT && c + 1 == n->plen) {
            b->u.child[at] = n->u.s.next;          /* the extension disappears */
            tnode_free(&t->pool, n);
        } else {
            tnode_trim_path(n, c + 1);
            tnode_dirty(n);
            b->u.child[at] = n;
        }
    }
    if (l)
        b->u.child[u->key[d + c]] = l;
    tnode_dirty(b);
    if (e) {
        e->u.s.next = b;
        tnode_dirty(e);
        *slot = e;
    } else {
        *slot = b;
    }
    return 0;
fail:
    tnode_free(&t->pool, b);
    tnode_free(&t->pool, e);
    tnode_free(&t->pool, l);
    return rc;
}

static int insert(struct update *u, struct tnode **slot, size_t d, bool want_branch, bool *changed)
{
    struct trie *t = u->t;
    int rc;
    if (!*slot) {
        if ((rc = new_leaf(u, d, slot)) != 0)
            return rc;
        *changed = true;
        return 0;
    }
    if ((rc = trie_resolve(t, slot, d, want_branch)) != 0)
        return rc;
    struct tnode *n = *slot;
    const uint8_t *rest = u->key + d;
    size_t rlen = u->nlen - d;

    switch (n->kind) {
    case TN_LEAF: {
        size_t c = common_prefix(tnode_path(n), n->plen, rest, rlen);
        if (c == n->plen && c == rlen) {
            if (n->vlen == u->vlen && memcmp(tnode_leaf_value(n), u->val, u->vlen) == 0)
                return 0;
            if ((rc = tnode_set_leaf_value(n, u->val, u->vlen)) != 0)
                return rc;
            tnode_dirty(n);
            *changed = true;
            return 0;
        }
        if ((rc = split(u, slot, d, c)) != 0)
            return rc;
        *changed = true;
        return 0;
    }
    case TN_EXT: {
        size_t c = common_prefix(tnode_path(n), n->plen, rest, rlen);
        if (c == n->plen) {
            if ((rc = insert(u, &n->u.s.next, d + c, true, changed)) != 0)
                return rc;
            if (*changed)
                tnode_dirty(n);
            return 0;
        }
        if ((rc = split(u, slot, d, c)) != 0)
            return rc;
        *changed = true;
        return 0;
    }
    case TN_BRANCH:
        if (rlen == 0) {
            if (n->vlen == u->vlen && memcmp(n->data, u->val, u->vlen) == 0)
                return 0;
            if ((rc = tnode_set_branch_value(n, u->val, u->vlen)) != 0)
                return rc;
        } else {
            if ((rc = insert(u, &n->u.child[rest[0]], d + 1, false, changed)) != 0)
                return rc;
            if (!*changed)
                return 0;
        }
        tnode_dirty(n);
        *changed = true;
        return 0;
    default:
        return err_set(ERR_BADSTATE, "trie: corrupt node kind %d", n->kind);
    }
}

/* ---- delete -------------------------------------------------------------- */

/* After a deletion left the branch in *slot with one entry, replaces it by
 * the equivalent leaf or extension (its only child must be loaded). */
static int collapse(struct trie *t, struct tnode **slot)
{
    struct tnode *n = *slot;
    int only = -1, entries = n->vlen ? 1 : 0;
    for (int i = 0; i < 16; i++)
        if (n->u.child[i]) {
            only = i;
            entries++;
        }
    if (entries >= 2) {
        tnode_dirty(n);
        return 0;
    }
    if (only < 0) {
        /* Only the value is left: a leaf with an empty path. The branch's
         * malloc'ed value buffer becomes the leaf's data. */
        n->kind = TN_LEAF;
        n->plen = 0;
        memset(&n->u, 0, sizeof n->u);
        if (!n->dcap)
            n->data = n->u.s.inl;
        tnode_dirty(n);
        return 0;
    }
    struct tnode *c = n->u.child[only];
    uint8_t nib = (uint8_t)only;
    if (c->kind == TN_LEAF || c->kind == TN_EXT) {
        int rc = tnode_prepend_path(c, &nib, 1);
        if (rc) {
            t->broken = true;
            return rc;
        }
        tnode_dirty(c);
        tnode_free(&t->pool, n);
        *slot = c;
        return 0;
    }
    if (c->kind != TN_BRANCH) {
        t->broken = true;
        return err_set(ERR_BADSTATE, "trie: collapsing onto an unloaded node");
    }
    /* The child is a branch: n becomes an extension of one nibble. */
    memset(&n->u, 0, sizeof n->u);
    n->kind = TN_EXT;
    n->data = n->u.s.inl;
    n->u.s.inl[0] = nib;
    n->plen = 1;
    n->vlen = 0;
    n->u.s.next = c;
    tnode_dirty(n);
    return 0;
}

/* Loads the one entry of branch n other than `except` when the deletion of
 * `except` (or of the value, except == -1) would leave that entry alone:
 * collapsing needs it, and loading it now keeps a load failure harmless. */
static int preload_sibling(struct trie *t, struct tnode *n, int except, size_t d)
{
    int other = -1, entries = (n->vlen && except >= 0) ? 1 : 0;
    for (int i = 0; i < 16; i++)
        if (i != except && n->u.child[i]) {
            other = i;
            entries++;
        }
    if (entries == 1 && other >= 0)
        return trie_resolve(t, &n->u.child[other], d + 1, false);
    return 0;
}

static int delete(struct update *u, struct tnode **slot, size_t d, bool want_branch, bool *changed)
{
    struct trie *t = u->t;
    int rc;
    if (!*slot)
        return 0;
    if ((rc = trie_resolve(t, slot, d, want_branch)) != 0)
        return rc;
    struct tnode *n = *slot;
    const uint8_t *rest = u->key + d;
    size_t rlen = u->nlen - d;

    switch (n->kind) {
    case TN_LEAF:
        if (n->plen != rlen || memcmp(tnode_path(n), rest, rlen) != 0)
            return 0;
        tnode_free(&t->pool, n);
        *slot = NULL;
        *changed = true;
        return 0;
    case TN_EXT: {
        if (rlen < n->plen || memcmp(tnode_path(n), rest, n->plen) != 0)
            return 0;
        if ((rc = delete(u, &n->u.s.next, d + n->plen, true, changed)) != 0 || !*changed)
            return rc;
        struct tnode *c = n->u.s.next;
        if (c->kind == TN_LEAF || c->kind == TN_EXT) {
            /* The branch below collapsed: merge the paths. */
            if ((rc = tnode_prepend_path(c, tnode_path(n), n->plen)) != 0) {
                t->broken = true;
                return rc;
            }
            tnode_dirty(c);
            tnode_free(&t->pool, n);
            *slot = c;
        } else {
            tnode_dirty(n);
        }
        return 0;
    }
    case TN_BRANCH:
        if (rlen == 0) {
            if (!n->vlen)
                return 0;
            if ((rc = preload_sibling(t, n, -1, d)) != 0)
                return rc;
            tnode_set_branch_value(n, NULL, 0);
        } else {
            int at = rest[0];
            if (!n->u.child[at])
                return 0;
            if ((rc = preload_sibling(t, n, at, d)) != 0)
                return rc;
            if ((rc = delete(u, &n->u.child[at], d + 1, false, changed)) != 0 || !*changed)
                return rc;
            if (n->u.child[at]) {
                tnode_dirty(n);
                return 0;
            }
        }
        *changed = true;
        return collapse(t, slot);
    default:
        return err_set(ERR_BADSTATE, "trie: corrupt node kind %d", n->kind);
    }
}

/* ---- public updates ------------------------------------------------------ */

int trie_put(struct trie *t, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    if (vlen == 0)
        return trie_delete(t, key, klen);
    if (vlen > TRIE_MAX_VALUE_LEN)
        return err_set(ERR_RANGE, "trie: value of %zu bytes", vlen);
    uint8_t nib[TRIE_MAX_NIBBLES];
    size_t nlen;
    int rc = trie_check_usable(t);
    if (rc || (rc = trie_path_nibbles(t, key, klen, nib, &nlen)) != 0)
        return rc;
    struct update u = { t, nib, nlen, val, vlen };
    bool changed = false;
    return insert(&u, &t->root, 0, false, &changed);
}

int trie_delete(struct trie *t, const uint8_t *key, size_t klen)
{
    uint8_t nib[TRIE_MAX_NIBBLES];
    size_t nlen;
    int rc = trie_check_usable(t);
    if (rc || (rc = trie_path_nibbles(t, key, klen, nib, &nlen)) != 0)
        return rc;
    struct update u = { t, nib, nlen, NULL, 0 };
    bool changed = false;
    return delete(&u, &t->root, 0, false, &changed);
}

/* ---- hashing and commit ----------------------------------------------- */

int trie_root_hash(struct trie *t, uint8_t root[32])
{
    int rc = trie_check_usable(t);
    if (rc)
        return rc;
    if (!t->root) {
        memcpy(root, TRIE_EMPTY_ROOT, 32);
        return 0;
    }
    if ((rc = tnode_hash(t->root, &t->enc)) != 0)
        return rc;
    if (t->root->reflen == 32)
        memcpy(root, t->root->ref, 32);
    else
        keccak256(t->root->ref, t->root->reflen, root);
    return 0;
}

/* Writes n and its unstored descendants, children first, so that a failure
 * leaves n marked and a later commit resumes. */
static int commit_node(struct trie *t, struct tnode *n, const uint8_t *root_hash)
{
    if (!n || n->kind == TN_HASH || !(n->flags & TN_UNSTORED))
        return 0;
    int rc;
    if (n->kind == TN_BRANCH) {
        for (int i = 0; i < 16; i++)
            if ((rc = commit_node(t, n->u.child[i], NULL)) != 0)
                return rc;
    } else if (n->kind == TN_EXT) {
        if ((rc = commit_node(t, n->u.s.next, NULL)) != 0)
            return rc;
    }
    if (n->reflen == 32 || root_hash) {
        if ((rc = tnode_encode(n, &t->enc)) != 0)
            return rc;
        rc = t->store.put(t->store.ctx, root_hash ? root_hash : n->ref, t->enc.data, t->enc.len);
        if (rc)
            return err_wrap(rc, "trie: storing node");
    }
    n->flags &= (uint8_t)~TN_UNSTORED;
    return 0;
}

int trie_commit(struct trie *t, uint8_t *root)
{
    uint8_t h[32];
    if (!t->has_store)
        return err_set(ERR_BADSTATE, "trie_commit: trie has no store");
    int rc = trie_root_hash(t, h);
    if (rc)
        return rc;
    if ((rc = commit_node(t, t->root, h)) != 0)
        return rc;
    if (root)
        memcpy(root, h, 32);
    return 0;
}
