/*
 * iter.c — ordered iteration over a trie's keys.
 *
 * Keys are nibble paths, and a trie lays its children out in nibble order
 * with a branch's own value (the shorter key) first, so byte order of keys
 * is the trie's depth-first order. Each move is one descent from the root:
 * "smallest key above (or at) a target" and "greatest key below (or at)".
 * The iterator keeps the current key, not a stack of nodes, so it holds no
 * pointers into the structure that an update could invalidate (only the
 * current value pointer, documented in trie.h) and needs no allocation. A
 * move costs O(depth), a few nibble compares per level.
 */
#include "trie/trie.h"

#include <string.h>

#include "trie/node.h"
#include "util/err.h"

struct walk {
    struct trie *t;
    const uint8_t *tg;           /* target nibbles */
    size_t tlen;
    bool strict;                 /* exclude the target itself */
    uint8_t nib[TRIE_MAX_NIBBLES];   /* path of the key being built */
    const uint8_t *val;
    size_t vlen;
    size_t klen;                 /* nibbles of the key found */
};

static int load(struct walk *w, struct tnode **slot, size_t d, bool want_branch)
{
    return trie_resolve(w->t, slot, d, want_branch);
}

static int emit(struct walk *w, size_t d, const uint8_t *val, size_t vlen, bool *found)
{
    if (d & 1)
        return err_set(ERR_DECODE, "trie: key of odd nibble length");
    w->klen = d;
    w->val = val;
    w->vlen = vlen;
    *found = true;
    return 0;
}

/* Appends a leaf's or extension's path at depth d. */
static void push_path(struct walk *w, const struct tnode *n, size_t d)
{
    memcpy(w->nib + d, tnode_path(n), n->plen);
}

/* Lexicographic compare of nibble strings (a proper prefix is smaller). */
static int cmp_nibs(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t m = alen < blen ? alen : blen;
    int c = m ? memcmp(a, b, m) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return alen < blen ? -1 : alen > blen;
}

/* The smallest (leftmost) or greatest (rightmost) key under *slot. */
static int edge(struct walk *w, struct tnode **slot, size_t d, bool want_branch, bool right,
                bool *found)
{
    int rc;
    while (*slot) {
        if ((rc = load(w, slot, d, want_branch)) != 0)
            return rc;
        struct tnode *n = *slot;
        switch (n->kind) {
        case TN_LEAF:
            push_path(w, n, d);
            return emit(w, d + n->plen, tnode_leaf_value(n), n->vlen, found);
        case TN_EXT:
            push_path(w, n, d);
            d += n->plen;
            slot = &n->u.s.next;
            want_branch = true;
            break;
        case TN_BRANCH: {
            if (!right && n->vlen)
                return emit(w, d, n->data, n->vlen, found);
            int i = right ? 15 : 0, step = right ? -1 : 1;
            while (i >= 0 && i < 16 && !n->u.child[i])
                i += step;
            if (i < 0 || i > 15)
                return n->vlen ? emit(w, d, n->data, n->vlen, found) : 0;
            w->nib[d] = (uint8_t)i;
            slot = &n->u.child[i];
            d++;
            want_branch = false;
            break;
        }
        default:
            return err_set(ERR_BADSTATE, "trie: corrupt node kind %d", n->kind);
        }
    }
    return 0;
}

/* Smallest key >= target (> when strict) under *slot at depth d. */
static int above(struct walk *w, struct tnode **slot, size_t d, bool want_branch, bool *found)
{
    int rc;
    if (!*slot)
        return 0;
    if ((rc = load(w, slot, d, want_branch)) != 0)
        return rc;
    struct tnode *n = *slot;
    const uint8_t *rest = w->tg + d;
    size_t rlen = w->tlen - d;
    switch (n->kind) {
    case TN_LEAF: {
        int c = cmp_nibs(tnode_path(n), n->plen, rest, rlen);
        if (c > 0 || (c == 0 && !w->strict)) {
            push_path(w, n, d);
            return emit(w, d + n->plen, tnode_leaf_value(n), n->vlen, found);
        }
        return 0;
    }
    case TN_EXT: {
        size_t m = n->plen < rlen ? n->plen : rlen;
        int c = memcmp(tnode_path(n), rest, m);
        if (c < 0)
            return 0;
        push_path(w, n, d);
        if (c > 0 || rlen < n->plen)        /* every key below is greater */
            return edge(w, &n->u.s.next, d + n->plen, true, false, found);
        return above(w, &n->u.s.next, d + n->plen, true, found);
    }
    case TN_BRANCH: {
        int from = 0;
        if (rlen == 0) {
            if (n->vlen && !w->strict)
                return emit(w, d, n->data, n->vlen, found);
        } else {
            int c = rest[0];
            w->nib[d] = (uint8_t)c;
            if ((rc = above(w, &n->u.child[c], d + 1, false, found)) != 0 || *found)
                return rc;
            from = c + 1;
        }
        for (int i = from; i < 16; i++) {
            if (!n->u.child[i])
                continue;
            w->nib[d] = (uint8_t)i;
            return edge(w, &n->u.child[i], d + 1, false, false, found);
        }
        return 0;
    }
    default:
        return err_set(ERR_BADSTATE, "trie: corrupt node kind %d", n->kind);
    }
}

/* Greatest key <= target (< when strict) under *slot at depth d. */
static int below(struct walk *w, struct tnode **slot, size_t d, bool want_branch, bool *found)
{
    int rc;
    if (!*slot)
        return 0;
    if ((rc = load(w, slot, d, want_branch)) != 0)
        return rc;
    struct tnode *n = *slot;
    const uint8_t *rest = w->tg + d;
    size_t rlen = w->tlen - d;
    switch (n->kind) {
    case TN_LEAF: {
        int c = cmp_nibs(tnode_path(n), n->plen, rest, rlen);
        if (c < 0 || (c == 0 && !w->strict)) {
            push_path(w, n, d);
            return emit(w, d + n->plen, tnode_leaf_value(n), n->vlen, found);
        }
        return 0;
    }
    case TN_EXT: {
        size_t m = n->plen < rlen ? n->plen : rlen;
        int c = memcmp(tnode_path(n), rest, m);
        if (c > 0 || (c == 0 && rlen < n->plen))   /* every key below is greater */
            return 0;
        push_path(w, n, d);
        if (c < 0)
            return edge(w, &n->u.s.next, d + n->plen, true, true, found);
        return below(w, &n->u.s.next, d + n->plen, true, found);
    }
    case TN_BRANCH: {
        if (rlen == 0) {
            /* Every key below the branch is longer, hence greater. */
            if (n->vlen && !w->strict)
                return emit(w, d, n->data, n->vlen, found);
            return 0;
        }
        int c = rest[0];
        w->nib[d] = (uint8_t)c;
        if ((rc = below(w, &n->u.child[c], d + 1, false, found)) != 0 || *found)
            return rc;
        for (int i = c - 1; i >= 0; i--) {
            if (!n->u.child[i])
                continue;
            w->nib[d] = (uint8_t)i;
            return edge(w, &n->u.child[i], d + 1, false, true, found);
        }
        if (n->vlen)                                 /* the prefix itself */
            return emit(w, d, n->data, n->vlen, found);
        return 0;
    }
    default:
        return err_set(ERR_BADSTATE, "trie: corrupt node kind %d", n->kind);
    }
}

void trie_iter_init(struct trie_iter *it, struct trie *t)
{
    memset(it, 0, sizeof *it);
    it->t = t;
}

/* Runs one move: mode 0 leftmost, 1 rightmost, 2 above, 3 below. */
static int move(struct trie_iter *it, int mode, const uint8_t *tg, size_t tlen, bool strict)
{
    struct walk w;
    bool found = false;
    it->valid = false;
    it->val = NULL;
    it->vlen = 0;
    int rc = trie_check_usable(it->t);
    if (rc)
        return rc;
    w.t = it->t;
    w.tg = tg;
    w.tlen = tlen;
    w.strict = strict;
    w.val = NULL;
    w.vlen = 0;
    w.klen = 0;
    switch (mode) {
    case 0: rc = edge(&w, &it->t->root, 0, false, false, &found); break;
    case 1: rc = edge(&w, &it->t->root, 0, false, true, &found); break;
    case 2: rc = above(&w, &it->t->root, 0, false, &found); break;
    default: rc = below(&w, &it->t->root, 0, false, &found); break;
    }
    if (rc || !found)
        return rc;
    if (w.klen > TRIE_MAX_NIBBLES)
        return err_set(ERR_DECODE, "trie: key over the length limit");
    it->klen = w.klen / 2;
    for (size_t i = 0; i < it->klen; i++)
        it->key[i] = (uint8_t)(w.nib[2 * i] << 4 | w.nib[2 * i + 1]);
    it->val = w.val;
    it->vlen = w.vlen;
    it->valid = true;
    return 0;
}

int trie_iter_first(struct trie_iter *it)
{
    return move(it, 0, NULL, 0, false);
}

int trie_iter_last(struct trie_iter *it)
{
    return move(it, 1, NULL, 0, false);
}

static int seek(struct trie_iter *it, int mode, const uint8_t *key, size_t klen, bool strict)
{
    uint8_t tg[TRIE_MAX_NIBBLES];
    if (klen > TRIE_MAX_KEY_LEN) {
        it->valid = false;
        return err_set(ERR_RANGE, "trie iterator: key of %zu bytes", klen);
    }
    size_t tlen = trie_key_nibbles(key, klen, tg);
    return move(it, mode, tg, tlen, strict);
}

int trie_iter_seek(struct trie_iter *it, const uint8_t *key, size_t klen)
{
    return seek(it, 2, key, klen, false);
}

int trie_iter_seek_before(struct trie_iter *it, const uint8_t *key, size_t klen)
{
    return seek(it, 3, key, klen, true);
}

int trie_iter_next(struct trie_iter *it)
{
    if (!it->valid)
        return err_set(ERR_BADSTATE, "trie iterator: not positioned");
    uint8_t cur[TRIE_MAX_KEY_LEN];
    size_t n = it->klen;
    memcpy(cur, it->key, n);
    return seek(it, 2, cur, n, true);
}

int trie_iter_prev(struct trie_iter *it)
{
    if (!it->valid)
        return err_set(ERR_BADSTATE, "trie iterator: not positioned");
    uint8_t cur[TRIE_MAX_KEY_LEN];
    size_t n = it->klen;
    memcpy(cur, it->key, n);
    return seek(it, 3, cur, n, true);
}
