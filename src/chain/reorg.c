/*
 * reorg.c — switching the canonical chain to a new head; see reorg.h.
 *
 * The common ancestor is found from the stored headers alone: first the
 * longer branch is walked down to the other's height, then both step back
 * together until they meet. Headers are re-hashed on every read
 * (chaindb_read_header), so a walk over a damaged record stops with
 * ERR_DECODE instead of following a wrong parent. Each step reads one
 * header and keeps only its hash, so a reorg of any depth costs O(depth)
 * reads and 32 bytes per block of memory; bodies are read one at a time.
 *
 * Every write goes into the caller's batch, in an order that makes the
 * result right whatever the overlap of the branches: deletions of the old
 * canonical entries and lookups first, then the new ones (a batch applies
 * its operations in order, the last one for a key wins).
 */
#include "chain/reorg.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

/* A growing array of hashes. */
struct hvec {
    struct hash32 *v;
    size_t n, cap;
};

static int hvec_push(struct hvec *h, const struct hash32 *x)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        struct hash32 *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return err_set(ERR_NOMEM, "chain: reorg list of %zu hashes", cap);
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n++] = *x;
    return 0;
}

static int cmp_hash(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct hash32));
}

/* One step back along a branch: (*hash, *n) becomes its parent. */
static int step_back(struct db *db, struct hash32 *hash, uint64_t *n)
{
    char hex[HASH32_HEX_SIZE];
    if (*n == 0)
        return err_set(ERR_DECODE, "chain: the branches share no block (different genesis)");
    struct header hd;
    int rc = chaindb_read_header(db, NULL, hash, &hd);
    if (rc)
        return err_wrap(rc, "chain: finding the common ancestor");
    if (hd.number != *n) {
        hash32_to_hex(hash, hex);
        rc = err_set(ERR_DECODE, "chain: stored header %s has number %llu, its child says %llu",
                     hex, (unsigned long long)hd.number, (unsigned long long)*n);
    } else {
        *hash = hd.parent_hash;
        (*n)--;
    }
    header_free(&hd);
    return rc;
}

/* Appends the hashes of body's txs to set. */
static int add_tx_hashes(struct hvec *set, const struct block_body *body)
{
    for (size_t i = 0; i < body->tx_count; i++) {
        struct hash32 th;
        int rc = tx_hash(&body->txs[i], th.b);
        if (rc == 0)
            rc = hvec_push(set, &th);
        if (rc)
            return rc;
    }
    return 0;
}

/* Moves the txs of body whose hash is not in `added` (sorted) to the end of
 * out->dropped; the moved entries of body are zeroed (body still frees). */
static int collect_dropped(struct block_body *body, const struct hvec *added,
                           struct chain_import_result *out, size_t *cap)
{
    for (size_t i = 0; i < body->tx_count; i++) {
        struct hash32 th;
        int rc = tx_hash(&body->txs[i], th.b);
        if (rc)
            return rc;
        if (added->n && bsearch(&th, added->v, added->n, sizeof th, cmp_hash))
            continue;
        if (out->ndropped == *cap) {
            size_t ncap = *cap ? *cap * 2 : 16;
            struct tx *d = realloc(out->dropped, ncap * sizeof *d);
            if (!d)
                return err_set(ERR_NOMEM, "chain: %zu dropped transactions", ncap);
            out->dropped = d;
            *cap = ncap;
        }
        out->dropped[out->ndropped++] = body->txs[i];
        memset(&body->txs[i], 0, sizeof body->txs[i]);
    }
    return 0;
}

/* Writes the canonical entries and lookups of the new branch (newest first
 * in `branch`, the last written being b itself) and, when `txs` is not
 * NULL, gathers their tx hashes into it. */
static int write_new_branch(struct db *db, struct db_batch *batch, const struct hvec *branch,
                            uint64_t ancestor, const struct block *b, struct hvec *txs)
{
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < branch->n; k++) {
        const struct hash32 *bh = &branch->v[branch->n - 1 - k];
        struct block_body stored;
        const struct block_body *body = &b->body;
        memset(&stored, 0, sizeof stored);
        if (k + 1 < branch->n) {
            rc = chaindb_read_body(db, NULL, bh, &stored);
            body = &stored;
        }
        if (rc == 0) {
            chaindb_write_canonical(batch, ancestor + 1 + k, bh);
            rc = chaindb_write_tx_lookups(batch, bh, body);
        }
        if (rc == 0 && txs)
            rc = add_tx_hashes(txs, body);
        block_body_free(&stored);
    }
    return rc;
}

int chain_reorg_to(struct db *db, struct db_batch *batch, const struct hash32 *old_hash,
                   const struct header *old_head, const struct hash32 *hash,
                   const struct block *b, struct chain_import_result *out)
{
    if (b->header.number == 0)
        return err_set(ERR_INVAL, "chain: a genesis block cannot become the head");
    struct hvec removed = {0}, added = {0}, added_txs = {0};
    struct hash32 oh = *old_hash, nh = b->header.parent_hash;
    uint64_t on = old_head->number, nn = b->header.number - 1;

    /* The common ancestor: (oh, on) == (nh, nn) when the loops end. */
    int rc = hvec_push(&added, hash);
    while (rc == 0 && nn > on) {
        rc = hvec_push(&added, &nh);
        if (rc == 0)
            rc = step_back(db, &nh, &nn);
    }
    while (rc == 0 && on > nn) {
        rc = hvec_push(&removed, &oh);
        if (rc == 0)
            rc = step_back(db, &oh, &on);
    }
    while (rc == 0 && !hash32_eq(&oh, &nh)) {
        rc = hvec_push(&removed, &oh);
        if (rc == 0)
            rc = hvec_push(&added, &nh);
        if (rc == 0)
            rc = step_back(db, &oh, &on);
        if (rc == 0)
            rc = step_back(db, &nh, &nn);
    }
    uint64_t ancestor = on;

    /* The batch: old entries out, new ones in, the head. */
    if (rc == 0 && removed.n)
        rc = chaindb_delete_canonical_above(db, batch, ancestor, NULL);
    if (rc == 0)
        rc = write_new_branch(db, batch, &added, ancestor, b, removed.n ? &added_txs : NULL);
    if (rc == 0)
        chaindb_write_head(batch, hash);

    /* What left the chain and did not come back, oldest block first. */
    size_t cap = 0;
    if (rc == 0 && removed.n) {
        qsort(added_txs.v, added_txs.n, sizeof *added_txs.v, cmp_hash);
        for (size_t k = removed.n; rc == 0 && k-- > 0;) {
            struct block_body body;
            rc = chaindb_read_body(db, NULL, &removed.v[k], &body);
            if (rc == 0) {
                rc = collect_dropped(&body, &added_txs, out, &cap);
                block_body_free(&body);
            }
        }
    }

    if (rc == 0) {
        /* added was gathered newest first; the result is oldest first */
        for (size_t i = 0; i < added.n / 2; i++) {
            struct hash32 t = added.v[i];
            added.v[i] = added.v[added.n - 1 - i];
            added.v[added.n - 1 - i] = t;
        }
        out->added = added.v;
        out->nadded = added.n;
        out->removed = removed.v;
        out->nremoved = removed.n;
    } else {
        free(added.v);
        free(removed.v);
        for (size_t i = 0; i < out->ndropped; i++)
            tx_free(&out->dropped[i]);
        free(out->dropped);
        out->dropped = NULL;
        out->ndropped = 0;
    }
    free(added_txs.v);
    return rc;
}
