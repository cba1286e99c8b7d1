/*
 * node.c — trie nodes: the slab pool, node data, encoding with cached
 * references, and the strict decoder; see node.h for the representation.
 *
 * Hashing is where a trie spends its time, so tnode_hash only descends into
 * nodes whose reference is unknown (reflen == 0): a clean subtree costs
 * nothing, however large. Encoding computes the exact payload size first and
 * writes header and items in one pass.
 */
#include "trie/node.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "util/err.h"

/* ---- pool --------------------------------------------------------------- */

#define SLAB_NODES 1024

struct tnode_slab {
    struct tnode_slab *next;
    size_t used;
    struct tnode nodes[SLAB_NODES];
};

struct tnode *tnode_alloc(struct tnode_pool *p, enum tnode_kind kind)
{
    struct tnode *n = p->free;
    if (n) {
        p->free = n->u.s.next;
    } else {
        struct tnode_slab *s = p->slabs;
        if (!s || s->used == SLAB_NODES) {
            s = malloc(sizeof *s);
            if (!s) {
                err_set(ERR_NOMEM, "trie: node slab");
                return NULL;
            }
            s->used = 0;
            s->next = p->slabs;
            p->slabs = s;
        }
        n = &s->nodes[s->used++];
    }
    memset(n, 0, sizeof *n);
    n->kind = (uint8_t)kind;
    if (kind == TN_LEAF || kind == TN_EXT)
        n->data = n->u.s.inl;
    p->live++;
    return n;
}

void tnode_free(struct tnode_pool *p, struct tnode *n)
{
    if (!n)
        return;
    if (n->dcap)
        free(n->data);
    n->kind = TN_FREE;
    n->data = NULL;
    n->dcap = 0;
    n->u.s.next = p->free;
    p->free = n;
    p->live--;
}

void tnode_free_tree(struct tnode_pool *p, struct tnode *n)
{
    if (!n)
        return;
    if (n->kind == TN_BRANCH) {
        for (int i = 0; i < 16; i++)
            tnode_free_tree(p, n->u.child[i]);
    } else if (n->kind == TN_EXT) {
        tnode_free_tree(p, n->u.s.next);
    }
    tnode_free(p, n);
}

void tnode_pool_destroy(struct tnode_pool *p)
{
    struct tnode_slab *s = p->slabs;
    while (s) {
        struct tnode_slab *next = s->next;
        for (size_t i = 0; i < s->used; i++)
            if (s->nodes[i].kind != TN_FREE && s->nodes[i].dcap)
                free(s->nodes[i].data);
        free(s);
        s = next;
    }
    p->slabs = NULL;
    p->free = NULL;
    p->live = 0;
}

/* ---- node data ------------------------------------------------------------ */

static size_t data_cap(const struct tnode *n)
{
    if (n->dcap)
        return n->dcap;
    return n->kind == TN_BRANCH ? 0 : TN_INLINE_CAP;
}

/* Makes room for `total` bytes keeping the first `keep`. Returns 0 or
 * ERR_NOMEM with the node unchanged. */
static int data_reserve(struct tnode *n, size_t total, size_t keep)
{
    if (total <= data_cap(n))
        return 0;
    if (total > UINT32_MAX)
        return err_set(ERR_RANGE, "trie: node data of %zu bytes", total);
    uint8_t *p = malloc(total);
    if (!p)
        return err_set(ERR_NOMEM, "trie: node data of %zu bytes", total);
    if (keep)
        memcpy(p, n->data, keep);
    if (n->dcap)
        free(n->data);
    n->data = p;
    n->dcap = (uint32_t)total;
    return 0;
}

int tnode_set_data(struct tnode *n, const uint8_t *path, size_t plen,
                   const uint8_t *val, size_t vlen)
{
    int rc = data_reserve(n, plen + vlen, 0);
    if (rc)
        return rc;
    if (plen)
        memcpy(n->data, path, plen);
    if (vlen)
        memcpy(n->data + plen, val, vlen);
    n->plen = (uint16_t)plen;
    n->vlen = (uint32_t)vlen;
    return 0;
}

int tnode_set_leaf_value(struct tnode *n, const uint8_t *val, size_t vlen)
{
    int rc = data_reserve(n, n->plen + vlen, n->plen);
    if (rc)
        return rc;
    memcpy(n->data + n->plen, val, vlen);
    n->vlen = (uint32_t)vlen;
    return 0;
}

void tnode_trim_path(struct tnode *n, size_t skip)
{
    size_t rest = n->plen - skip + (n->kind == TN_LEAF ? n->vlen : 0);
    memmove(n->data, n->data + skip, rest);
    n->plen = (uint16_t)(n->plen - skip);
}

int tnode_prepend_path(struct tnode *n, const uint8_t *pre, size_t prelen)
{
    size_t old = n->plen + (n->kind == TN_LEAF ? n->vlen : 0);
    int rc = data_reserve(n, old + prelen, old);
    if (rc)
        return rc;
    memmove(n->data + prelen, n->data, old);
    memcpy(n->data, pre, prelen);
    n->plen = (uint16_t)(n->plen + prelen);
    return 0;
}

int tnode_set_branch_value(struct tnode *n, const uint8_t *val, size_t vlen)
{
    if (vlen == 0) {
        if (n->dcap)
            free(n->data);
        n->data = NULL;
        n->dcap = 0;
        n->vlen = 0;
        return 0;
    }
    uint8_t *p = malloc(vlen);
    if (!p)
        return err_set(ERR_NOMEM, "trie: branch value of %zu bytes", vlen);
    memcpy(p, val, vlen);
    if (n->dcap)
        free(n->data);
    n->data = p;
    n->dcap = (uint32_t)vlen;
    n->vlen = (uint32_t)vlen;
    return 0;
}

/* ---- encoding --------------------------------------------------------------- */

/* Hex-prefix encoding of a path (YP appendix C): writes plen/2+1 bytes. */
static size_t hp_encode(const uint8_t *path, size_t plen, bool leaf, uint8_t *out)
{
    uint8_t flag = leaf ? 2 : 0;
    size_t o = 0, i = 0;
    if (plen & 1) {
        out[o++] = (uint8_t)((flag + 1) << 4 | path[0]);
        i = 1;
    } else {
        out[o++] = (uint8_t)(flag << 4);
    }
    for (; i < plen; i += 2)
        out[o++] = (uint8_t)(path[i] << 4 | path[i + 1]);
    return o;
}

static size_t ref_size(const struct tnode *c)
{
    if (!c)
        return 1;
    return c->reflen == 32 ? 33 : c->reflen;
}

static uint8_t *put_ref(uint8_t *o, const struct tnode *c)
{
    if (!c) {
        *o++ = 0x80;
    } else if (c->reflen == 32) {
        *o++ = 0xa0;
        memcpy(o, c->ref, 32);
        o += 32;
    } else {
        memcpy(o, c->ref, c->reflen);
        o += c->reflen;
    }
    return o;
}

/* Writes an RLP string (header and bytes) at o. */
static uint8_t *put_str(uint8_t *o, const uint8_t *p, size_t n)
{
    if (n == 1 && p[0] < 0x80) {
        *o++ = p[0];
        return o;
    }
    o += rlp_write_header(o, n, false);
    if (n)
        memcpy(o, p, n);
    return o + n;
}

int tnode_encode(const struct tnode *n, struct bytes *out)
{
    bytes_reset(out);
    uint8_t hp[TRIE_MAX_NIBBLES / 2 + 1];
    size_t hplen = 0, payload = 0;
    const uint8_t *val = NULL;
    size_t vlen = 0;

    switch (n->kind) {
    case TN_LEAF:
        hplen = hp_encode(tnode_path(n), n->plen, true, hp);
        val = tnode_leaf_value(n);
        vlen = n->vlen;
        payload = rlp_bytes_size(hp, hplen) + rlp_bytes_size(val, vlen);
        break;
    case TN_EXT:
        hplen = hp_encode(tnode_path(n), n->plen, false, hp);
        payload = rlp_bytes_size(hp, hplen) + ref_size(n->u.s.next);
        break;
    case TN_BRANCH:
        for (int i = 0; i < 16; i++)
            payload += ref_size(n->u.child[i]);
        val = n->data;
        vlen = n->vlen;
        payload += rlp_bytes_size(val, vlen);
        break;
    default:
        return err_set(ERR_BADSTATE, "trie: encoding a node of kind %d", n->kind);
    }
    int rc = bytes_reserve(out, payload + 9);
    if (rc)
        return rc;
    uint8_t *o = out->data;
    o += rlp_write_header(o, payload, true);
    if (n->kind == TN_BRANCH) {
        for (int i = 0; i < 16; i++)
            o = put_ref(o, n->u.child[i]);
        o = put_str(o, val, vlen);
    } else {
        o = put_str(o, hp, hplen);
        if (n->kind == TN_LEAF)
            o = put_str(o, val, vlen);
        else
            o = put_ref(o, n->u.s.next);
    }
    out->len = (size_t)(o - out->data);
    return 0;
}

int tnode_hash(struct tnode *n, struct bytes *scratch)
{
    if (n->reflen)
        return 0;
    int rc;
    if (n->kind == TN_BRANCH) {
        for (int i = 0; i < 16; i++)
            if (n->u.child[i] && (rc = tnode_hash(n->u.child[i], scratch)) != 0)
                return rc;
    } else if (n->kind == TN_EXT) {
        if ((rc = tnode_hash(n->u.s.next, scratch)) != 0)
            return rc;
    }
    if ((rc = tnode_encode(n, scratch)) != 0)
        return rc;
    if (scratch->len < 32) {
        memcpy(n->ref, scratch->data, scratch->len);
        n->reflen = (uint8_t)scratch->len;
    } else {
        keccak256(scratch->data, scratch->len, n->ref);
        n->reflen = 32;
    }
    return 0;
}

/* ---- strict decoding ------------------------------------------------------- */

static int check_ref(const struct rlp_item *it, bool allow_empty, const char *what)
{
    if (it->is_list) {
        if (it->raw_len >= 32)
            return err_set(ERR_DECODE, "trie node: embedded %s of %zu bytes (must be < 32)",
                           what, it->raw_len);
        return 0;
    }
    if (it->payload_len == 32 || (allow_empty && it->payload_len == 0))
        return 0;
    return err_set(ERR_DECODE, "trie node: %s reference of %zu bytes", what, it->payload_len);
}

int tnode_parse(const uint8_t *raw, size_t len, size_t depth, struct node_view *v)
{
    struct rlp_item node, items[17];
    size_t count = 0;
    if (rlp_decode(raw, len, &node) != 0)
        return err_wrap(ERR_DECODE, "trie node");
    if (!node.is_list)
        return err_set(ERR_DECODE, "trie node: not a list");
    int rc = rlp_list_split(&node, items, 17, &count);
    if (rc)
        return err_wrap(ERR_DECODE, "trie node: bad list");
    if (count == 2) {
        if (items[0].is_list || items[0].payload_len == 0)
            return err_set(ERR_DECODE, "trie node: path is not a non-empty string");
        const uint8_t *hp = items[0].payload;
        size_t hplen = items[0].payload_len;
        unsigned flag = hp[0] >> 4;
        if (flag > 3)
            return err_set(ERR_DECODE, "trie node: hex-prefix flag %u", flag);
        bool odd = flag & 1;
        if (!odd && (hp[0] & 0x0f))
            return err_set(ERR_DECODE, "trie node: hex-prefix padding nibble not zero");
        size_t plen = 2 * (hplen - 1) + odd;
        if (plen > TRIE_MAX_NIBBLES || depth + plen > TRIE_MAX_NIBBLES)
            return err_set(ERR_DECODE, "trie node: path of %zu nibbles at depth %zu", plen, depth);
        size_t o = 0;
        if (odd)
            v->path[o++] = hp[0] & 0x0f;
        for (size_t i = 1; i < hplen; i++) {
            v->path[o++] = hp[i] >> 4;
            v->path[o++] = hp[i] & 0x0f;
        }
        v->plen = plen;
        if (flag & 2) {
            v->kind = TN_LEAF;
            if (items[1].is_list || items[1].payload_len == 0)
                return err_set(ERR_DECODE, "trie node: leaf value is not a non-empty string");
            if ((depth + plen) & 1)
                return err_set(ERR_DECODE, "trie node: leaf key of odd nibble length");
            v->val = items[1].payload;
            v->vlen = items[1].payload_len;
        } else {
            v->kind = TN_EXT;
            if (plen == 0)
                return err_set(ERR_DECODE, "trie node: extension with empty path");
            if (depth + plen >= TRIE_MAX_NIBBLES)
                return err_set(ERR_DECODE, "trie node: extension reaches the key length limit");
            if ((rc = check_ref(&items[1], false, "extension child")) != 0)
                return rc;
            v->child[0] = items[1];
            v->val = NULL;
            v->vlen = 0;
        }
        return 0;
    }
    if (count != 17)
        return err_set(ERR_DECODE, "trie node: list of %zu items (want 2 or 17)", count);
    v->kind = TN_BRANCH;
    v->plen = 0;
    if (depth >= TRIE_MAX_NIBBLES)
        return err_set(ERR_DECODE, "trie node: branch at the key length limit");
    size_t entries = 0;
    for (int i = 0; i < 16; i++) {
        if ((rc = check_ref(&items[i], true, "branch child")) != 0)
            return rc;
        v->child[i] = items[i];
        entries += ref_kind(&items[i]) != REF_EMPTY;
    }
    if (items[16].is_list)
        return err_set(ERR_DECODE, "trie node: branch value is a list");
    v->val = items[16].payload;
    v->vlen = items[16].payload_len;
    if (v->vlen) {
        entries++;
        if (depth & 1)
            return err_set(ERR_DECODE, "trie node: branch value at odd nibble depth");
    }
    if (entries < 2)
        return err_set(ERR_DECODE, "trie node: branch with %zu entries", entries);
    return 0;
}

/* Decodes a child reference of a node being built. */
static int decode_child(struct tnode_pool *p, const struct rlp_item *it, size_t depth,
                        bool want_branch, struct tnode **out)
{
    *out = NULL;
    switch (ref_kind(it)) {
    case REF_EMPTY:
        return 0;
    case REF_HASH: {
        struct tnode *h = tnode_alloc(p, TN_HASH);
        if (!h)
            return ERR_NOMEM;
        memcpy(h->ref, it->payload, 32);
        h->reflen = 32;
        *out = h;
        return 0;
    }
    default: {
        int rc = tnode_decode(p, it->raw, it->raw_len, depth, out);
        if (rc)
            return rc;
        if (want_branch && (*out)->kind != TN_BRANCH) {
            tnode_free_tree(p, *out);
            *out = NULL;
            return err_set(ERR_DECODE, "trie node: extension child is not a branch");
        }
        return 0;
    }
    }
}

int tnode_decode(struct tnode_pool *p, const uint8_t *raw, size_t len, size_t depth,
                 struct tnode **out)
{
    *out = NULL;
    /* The view is large; embedded nodes nest at most ~16 deep (each is
     * shorter than its parent's 32 bytes), so the stack stays small. */
    struct node_view v;
    int rc = tnode_parse(raw, len, depth, &v);
    if (rc)
        return rc;
    struct tnode *n = tnode_alloc(p, (enum tnode_kind)v.kind);
    if (!n)
        return ERR_NOMEM;
    switch (v.kind) {
    case TN_LEAF:
        rc = tnode_set_data(n, v.path, v.plen, v.val, v.vlen);
        break;
    case TN_EXT:
        rc = tnode_set_data(n, v.path, v.plen, NULL, 0);
        if (!rc)
            rc = decode_child(p, &v.child[0], depth + v.plen, true, &n->u.s.next);
        break;
    default:
        rc = tnode_set_branch_value(n, v.val, v.vlen);
        for (int i = 0; i < 16 && !rc; i++)
            rc = decode_child(p, &v.child[i], depth + 1, false, &n->u.child[i]);
        break;
    }
    if (rc) {
        tnode_free_tree(p, n);
        return rc;
    }
    if (len < 32) {
        memcpy(n->ref, raw, len);
        n->reflen = (uint8_t)len;
    }
    *out = n;
    return 0;
}
