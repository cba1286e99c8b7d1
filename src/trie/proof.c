/*
 * proof.c — Merkle proofs (EIP-1186 style): the encoded nodes on the path
 * from the root to a key, and their verification.
 *
 * Verification reads outside input (an RPC peer's or a light client's
 * proof), so it is strict: the nodes must be exactly the path, in order,
 * each one hashing to the reference its parent holds. That makes a proof
 * canonical — an extra, missing or reordered node is rejected, not ignored —
 * and lets the walk be a loop over the proof without a hash table or any
 * allocation. Every node goes through tnode_parse, the decoder used for the
 * store, with the same limits.
 */
#include "trie/trie.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "trie/node.h"
#include "util/err.h"
#include "util/hex.h"

void trie_proof_free(struct trie_proof *proof)
{
    if (!proof)
        return;
    for (size_t i = 0; i < proof->count; i++)
        free(proof->node[i]);
    free(proof->node);
    free(proof->len);
    memset(proof, 0, sizeof *proof);
}

/* Appends the current encoding (t->enc) to the proof. */
static int proof_add(struct trie_proof *p, const struct bytes *enc)
{
    uint8_t *copy = malloc(enc->len);
    if (!copy)
        return err_set(ERR_NOMEM, "trie_prove: node of %zu bytes", enc->len);
    memcpy(copy, enc->data, enc->len);
    uint8_t **nn = realloc(p->node, (p->count + 1) * sizeof *nn);
    if (!nn) {
        free(copy);
        return err_set(ERR_NOMEM, "trie_prove");
    }
    p->node = nn;
    size_t *nl = realloc(p->len, (p->count + 1) * sizeof *nl);
    if (!nl) {
        free(copy);
        return err_set(ERR_NOMEM, "trie_prove");
    }
    p->len = nl;
    p->node[p->count] = copy;
    p->len[p->count] = enc->len;
    p->count++;
    return 0;
}

int trie_prove(struct trie *t, const uint8_t *key, size_t klen, struct trie_proof *proof)
{
    trie_proof_free(proof);
    uint8_t nib[TRIE_MAX_NIBBLES], root[32];
    size_t nlen, d = 0;
    int rc = trie_path_nibbles(t, key, klen, nib, &nlen);
    if (rc || (rc = trie_root_hash(t, root)) != 0)
        return rc;
    struct tnode **slot = &t->root;
    bool want_branch = false;
    while (*slot) {
        if ((rc = trie_resolve(t, slot, d, want_branch)) != 0)
            goto fail;
        struct tnode *n = *slot;
        if (slot == &t->root || n->reflen == 32) {
            if ((rc = tnode_encode(n, &t->enc)) != 0 || (rc = proof_add(proof, &t->enc)) != 0)
                goto fail;
        }
        if (n->kind == TN_LEAF)
            break;
        if (n->kind == TN_EXT) {
            if (nlen - d < n->plen || memcmp(tnode_path(n), nib + d, n->plen) != 0)
                break;
            d += n->plen;
            slot = &n->u.s.next;
            want_branch = true;
        } else {
            if (d == nlen)
                break;
            slot = &n->u.child[nib[d++]];
            want_branch = false;
        }
    }
    return 0;
fail:
    trie_proof_free(proof);
    return rc;
}

static int bad_proof(const char *why, size_t idx)
{
    return err_set(ERR_INVAL, "trie proof: %s (node %zu)", why, idx);
}

int trie_verify_proof(const uint8_t root[32], const uint8_t *key, size_t klen,
                      const uint8_t *const *nodes, const size_t *lens, size_t count,
                      bool *found, const uint8_t **val, size_t *vlen)
{
    *found = false;
    *val = NULL;
    *vlen = 0;
    if (klen > TRIE_MAX_KEY_LEN)
        return err_set(ERR_RANGE, "trie proof: key of %zu bytes", klen);
    if (count > TRIE_MAX_PROOF_NODES)
        return err_set(ERR_RANGE, "trie proof: %zu nodes (max %d)", count, TRIE_MAX_PROOF_NODES);
    if (memcmp(root, TRIE_EMPTY_ROOT, 32) == 0) {
        if (count != 0)
            return bad_proof("nodes given for the empty trie", 0);
        return 0;
    }
    uint8_t nib[TRIE_MAX_NIBBLES], h[32], want[32];
    size_t nlen = trie_key_nibbles(key, klen, nib), d = 0, idx = 0;
    struct node_view v;
    bool want_branch = false;
    memcpy(want, root, 32);

    /* Outer loop: one proof node per hash reference. */
    for (;;) {
        if (idx == count)
            return bad_proof("missing node", idx);
        if (!nodes[idx] || lens[idx] == 0)
            return bad_proof("empty node", idx);
        if (lens[idx] > TRIE_MAX_NODE_LEN)
            return err_set(ERR_RANGE, "trie proof: node %zu of %zu bytes", idx, lens[idx]);
        keccak256(nodes[idx], lens[idx], h);
        if (memcmp(h, want, 32) != 0)
            return bad_proof("hash mismatch", idx);
        if (idx > 0 && lens[idx] < 32)
            return bad_proof("node under 32 bytes referenced by hash", idx);
        const uint8_t *raw = nodes[idx];
        size_t rawlen = lens[idx];
        idx++;

        /* Inner loop: this node and the nodes embedded in it. */
        for (;;) {
            if (tnode_parse(raw, rawlen, d, &v) != 0)
                return err_wrap(ERR_INVAL, "trie proof: node %zu", idx - 1);
            if (want_branch && v.kind != TN_BRANCH)
                return bad_proof("extension child is not a branch", idx - 1);
            const struct rlp_item *next = NULL;
            if (v.kind == TN_LEAF) {
                if (v.plen == nlen - d && memcmp(v.path, nib + d, v.plen) == 0) {
                    *found = true;
                    *val = v.val;
                    *vlen = v.vlen;
                }
            } else if (v.kind == TN_EXT) {
                if (nlen - d >= v.plen && memcmp(v.path, nib + d, v.plen) == 0) {
                    d += v.plen;
                    next = &v.child[0];
                    want_branch = true;
                }
            } else if (d == nlen) {
                if (v.vlen) {
                    *found = true;
                    *val = v.val;
                    *vlen = v.vlen;
                }
            } else {
                next = &v.child[nib[d++]];
                want_branch = false;
                if (ref_kind(next) == REF_EMPTY)
                    next = NULL;
            }
            if (!next) {
                /* The walk ended: found, or absence proven. */
                if (idx != count) {
                    *found = false;
                    *val = NULL;
                    *vlen = 0;
                    return bad_proof("extra node", idx);
                }
                return 0;
            }
            if (ref_kind(next) == REF_HASH) {
                memcpy(want, next->payload, 32);
                break;
            }
            raw = next->raw;
            rawlen = next->raw_len;
        }
    }
}
