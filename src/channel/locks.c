/*
 * locks.c — hashlocks and the insertion-order merkle tree (locks.h).
 *
 * The tree Photon builds layer by layer (pair (0,1), (2,3), ..., promote an
 * odd last node) is the same tree as "split at the largest power of two
 * below n, recurse on both halves". That lets the root be folded while
 * streaming over the leaves: push each leaf as a subtree of height 0, merge
 * the two top subtrees while they have the same height (a binary counter),
 * and at the end combine the remaining stack from the right, smallest
 * subtree first. The stack never holds more than 64 entries, so no root
 * computation allocates, and "root with one more lock" or "root without
 * this lock" are the same fold over a virtual leaf sequence.
 *
 * Proofs are rarer (on-chain unlocks) and use the literal layered build
 * over one allocation of 2n hashes, so the two algorithms check each other
 * in the unit tests.
 */
#include "channel/locks.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/keccak.h"
#include "util/err.h"

int ch_secret_hash(const uint8_t secret[32], uint8_t out[32])
{
    return sha256(secret, 32, out);
}

void ch_lock_pack(const struct ch_lock *l, uint8_t out[CH_LOCK_LEN])
{
    u256 e = u256_from_u64(l->expiration);
    u256_to_be(&e, out);
    u256_to_be(&l->amount, out + 32);
    memcpy(out + 64, l->secret_hash, 32);
}

int ch_lock_unpack(const uint8_t in[CH_LOCK_LEN], struct ch_lock *out)
{
    u256 e;
    u256_from_be(&e, in, 32);
    if (!u256_fits_u64(&e) || e.w[0] > (uint64_t)CH_BLOCK_MAX)
        return err_set(ERR_RANGE, "lock: expiration above int64");
    out->expiration = e.w[0];
    u256_from_be(&out->amount, in + 32, 32);
    memcpy(out->secret_hash, in + 64, 32);
    return 0;
}

void ch_lock_hash(const struct ch_lock *l, uint8_t out[32])
{
    uint8_t b[CH_LOCK_LEN];
    ch_lock_pack(l, b);
    keccak256(b, sizeof b, out);
}

bool ch_lock_eq(const struct ch_lock *a, const struct ch_lock *b)
{
    return a->expiration == b->expiration && u256_eq(&a->amount, &b->amount) &&
           memcmp(a->secret_hash, b->secret_hash, 32) == 0;
}

void ch_merkle_pair(const uint8_t a[32], const uint8_t b[32], uint8_t out[32])
{
    uint8_t buf[64];
    if (memcmp(a, b, 32) <= 0) {
        memcpy(buf, a, 32);
        memcpy(buf + 32, b, 32);
    } else {
        memcpy(buf, b, 32);
        memcpy(buf + 32, a, 32);
    }
    keccak256(buf, sizeof buf, out);
}

int ch_merkle_root_from_proof(const uint8_t leaf[32], const uint8_t *proof, size_t proof_len,
                              uint8_t root[32])
{
    if (proof_len % 32 != 0)
        return err_set(ERR_INVAL, "merkle proof of %zu bytes is not whole words", proof_len);
    uint8_t h[32];
    memcpy(h, leaf, 32);
    for (size_t i = 0; i < proof_len; i += 32)
        ch_merkle_pair(h, proof + i, h);
    memcpy(root, h, 32);
    return 0;
}

/* ---- streaming root ---------------------------------------------------- */

struct fold {
    uint8_t h[64][32];
    unsigned height[64];
    size_t top;
};

static void fold_push(struct fold *f, const uint8_t leaf[32])
{
    memcpy(f->h[f->top], leaf, 32);
    f->height[f->top] = 0;
    f->top++;
    while (f->top >= 2 && f->height[f->top - 1] == f->height[f->top - 2]) {
        ch_merkle_pair(f->h[f->top - 2], f->h[f->top - 1], f->h[f->top - 2]);
        f->height[f->top - 2]++;
        f->top--;
    }
}

static void fold_finish(struct fold *f, uint8_t root[32])
{
    if (f->top == 0) {
        memset(root, 0, 32);
        return;
    }
    /* The rightmost (smallest) subtree is the right child of the next one
     * to its left, and so on up: exactly where the layered build promotes
     * odd nodes until they meet a sibling. */
    uint8_t acc[32];
    memcpy(acc, f->h[f->top - 1], 32);
    for (size_t i = f->top - 1; i-- > 0;)
        ch_merkle_pair(f->h[i], acc, acc);
    memcpy(root, acc, 32);
}

/* Root over leaves[0..n) minus index `skip` (n or more: none) plus `extra`
 * (NULL: none) at the end. */
static void root_of(const uint8_t (*leaves)[32], size_t n, size_t skip, const uint8_t *extra,
                    uint8_t root[32])
{
    struct fold f;
    f.top = 0;
    for (size_t i = 0; i < n; i++)
        if (i != skip)
            fold_push(&f, leaves[i]);
    if (extra)
        fold_push(&f, extra);
    fold_finish(&f, root);
}

/* ---- the tree ---------------------------------------------------------- */

void ch_locks_init(struct ch_locks *t)
{
    memset(t, 0, sizeof *t);
}

void ch_locks_free(struct ch_locks *t)
{
    free(t->locks);
    free(t->leaves);
    ch_locks_init(t);
}

static int reserve(struct ch_locks *t, size_t want)
{
    if (want <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap * 2 : 8;
    while (cap < want)
        cap *= 2;
    if (cap > CH_LOCKS_MAX)
        cap = CH_LOCKS_MAX;
    struct ch_lock *l = realloc(t->locks, cap * sizeof *l);
    if (!l)
        return err_set(ERR_NOMEM, "locks: %zu locks", cap);
    t->locks = l;
    uint8_t (*h)[32] = realloc(t->leaves, cap * sizeof *h);
    if (!h)
        return err_set(ERR_NOMEM, "locks: %zu leaves", cap);
    t->leaves = h;
    t->cap = cap;
    return 0;
}

int ch_locks_copy(struct ch_locks *dst, const struct ch_locks *src)
{
    ch_locks_free(dst);
    if (src->n == 0)
        return 0;
    int rc = reserve(dst, src->n);
    if (rc) {
        ch_locks_free(dst);
        return rc;
    }
    memcpy(dst->locks, src->locks, src->n * sizeof *src->locks);
    memcpy(dst->leaves, src->leaves, src->n * sizeof *src->leaves);
    dst->n = src->n;
    memcpy(dst->root, src->root, 32);
    return 0;
}

int ch_locks_find(const struct ch_locks *t, const uint8_t secret_hash[32], size_t *index)
{
    for (size_t i = 0; i < t->n; i++)
        if (memcmp(t->locks[i].secret_hash, secret_hash, 32) == 0) {
            if (index)
                *index = i;
            return 0;
        }
    return ERR_NOTFOUND;
}

/* Checks that l may join t; leaf receives its hash. */
static int check_new(const struct ch_locks *t, const struct ch_lock *l, uint8_t leaf[32])
{
    if (l->expiration > (uint64_t)CH_BLOCK_MAX)
        return err_set(ERR_INVAL, "locks: expiration above int64");
    if (t->n >= CH_LOCKS_MAX)
        return err_set(ERR_RANGE, "locks: tree already holds %d locks", CH_LOCKS_MAX);
    ch_lock_hash(l, leaf);
    for (size_t i = 0; i < t->n; i++) {
        if (memcmp(t->leaves[i], leaf, 32) == 0)
            return err_set(ERR_INVAL, "locks: lock already in the tree");
        if (memcmp(t->locks[i].secret_hash, l->secret_hash, 32) == 0)
            return err_set(ERR_INVAL, "locks: a lock with this secret hash is already in the tree");
    }
    return 0;
}

int ch_locks_add(struct ch_locks *t, const struct ch_lock *l)
{
    uint8_t leaf[32];
    int rc = check_new(t, l, leaf);
    if (rc)
        return rc;
    rc = reserve(t, t->n + 1);
    if (rc)
        return rc;
    t->locks[t->n] = *l;
    memcpy(t->leaves[t->n], leaf, 32);
    t->n++;
    root_of((const uint8_t (*)[32])t->leaves, t->n, SIZE_MAX, NULL, t->root);
    return 0;
}

int ch_locks_remove(struct ch_locks *t, const uint8_t secret_hash[32], struct ch_lock *removed)
{
    size_t i;
    if (ch_locks_find(t, secret_hash, &i))
        return err_set(ERR_NOTFOUND, "locks: no lock with this secret hash");
    if (removed)
        *removed = t->locks[i];
    memmove(&t->locks[i], &t->locks[i + 1], (t->n - i - 1) * sizeof *t->locks);
    memmove(&t->leaves[i], &t->leaves[i + 1], (t->n - i - 1) * sizeof *t->leaves);
    t->n--;
    root_of((const uint8_t (*)[32])t->leaves, t->n, SIZE_MAX, NULL, t->root);
    return 0;
}

int ch_locks_root_with(const struct ch_locks *t, const struct ch_lock *l, uint8_t root[32])
{
    uint8_t leaf[32];
    int rc = check_new(t, l, leaf);
    if (rc)
        return rc;
    root_of((const uint8_t (*)[32])t->leaves, t->n, SIZE_MAX, leaf, root);
    return 0;
}

int ch_locks_root_without(const struct ch_locks *t, const uint8_t secret_hash[32], uint8_t root[32])
{
    size_t i;
    if (ch_locks_find(t, secret_hash, &i))
        return err_set(ERR_NOTFOUND, "locks: no lock with this secret hash");
    root_of((const uint8_t (*)[32])t->leaves, t->n, i, NULL, root);
    return 0;
}

int ch_locks_total(const struct ch_locks *t, u256 *sum)
{
    u256 s = u256_from_u64(0);
    for (size_t i = 0; i < t->n; i++)
        if (u256_add_overflow(&s, &s, &t->locks[i].amount))
            return err_set(ERR_RANGE, "locks: locked amount overflows");
    *sum = s;
    return 0;
}

int ch_locks_proof(const struct ch_locks *t, size_t index, uint8_t *proof, size_t cap,
                   size_t *proof_len)
{
    if (index >= t->n)
        return err_set(ERR_RANGE, "locks: proof of lock %zu in a tree of %zu", index, t->n);
    /* Layers side by side: layer 0 is the n leaves, each next one half
     * (rounded up); together at most 2n + log2(n) hashes. */
    uint8_t (*buf)[32] = malloc((2 * t->n + 64) * sizeof *buf);
    if (!buf)
        return err_set(ERR_NOMEM, "locks: proof layers");
    memcpy(buf, t->leaves, t->n * sizeof *buf);
    uint8_t (*layer)[32] = buf;
    size_t len = t->n, idx = index, out = 0;
    int rc = 0;
    while (len > 1) {
        size_t sib = idx ^ 1;
        if (sib < len) {
            if (out + 32 > cap) {
                rc = err_set(ERR_RANGE, "locks: proof buffer of %zu bytes too small", cap);
                break;
            }
            memcpy(proof + out, layer[sib], 32);
            out += 32;
        }
        uint8_t (*next)[32] = layer + len;
        size_t nlen = (len + 1) / 2;
        for (size_t j = 0; j < len; j += 2) {
            if (j + 1 < len)
                ch_merkle_pair(layer[j], layer[j + 1], next[j / 2]);
            else
                memcpy(next[j / 2], layer[j], 32);
        }
        layer = next;
        len = nlen;
        idx /= 2;
    }
    free(buf);
    if (rc == 0)
        *proof_len = out;
    return rc;
}
