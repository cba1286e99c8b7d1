/*
 * import.c — the block import pipeline (spec §10) and fork choice; see
 * chain.h for the order of the checks.
 *
 * Both entry points, chain_import_block (a block from anywhere, checked by
 * the consensus engine) and chain_insert_block_unchecked (a block whose
 * consensus rules the caller vouches for), run the same three stages:
 *   1. load_parent: the block is new, its parent and the parent's TD are
 *      stored, its number follows, its TD does not overflow;
 *   2. the checks: only chain_import_block runs the bad-hash list, the
 *      engine and the uncle rules; both recover the senders once
 *      (chain_recover_senders, two threads for big blocks), and the engine's
 *      ValidateBlock gets the same senders as the execution;
 *   3. store: execute on the parent's state, ValidateState, commit the
 *      state into the import's batch, add block, receipts and TD, then fork
 *      choice by total difficulty (ties keep the head) and, when the head
 *      moves, the canonical switch (reorg.c) into the SAME batch; one
 *      write; the in-memory head changes after it.
 * They differ only in what a heavier block off the head does:
 * chain_import_block reorganises, chain_insert_block_unchecked reports
 * CHAIN_INSERT_SIDE_HEAVIER and leaves the head (as it always did).
 *
 * Every block's state is kept (nothing is pruned), so a side block is
 * executed and stored like any other and a reorg never rolls state back: it
 * only rewrites the indexes and the head.
 */
#include "chain/chain.h"

#include <stdlib.h>
#include <string.h>

#include "chain/reorg.h"
#include "crypto/keccak.h"
#include "state/state.h"
#include "storage/trie_db.h"
#include "trie/trie.h"
#include "util/err.h"

void chain_import_result_free(struct chain_import_result *r)
{
    if (!r)
        return;
    free(r->removed);
    free(r->added);
    for (size_t i = 0; i < r->ndropped; i++)
        tx_free(&r->dropped[i]);
    free(r->dropped);
    memset(r, 0, sizeof *r);
}

/* Everything one import holds; released by import_release. */
struct import {
    struct chain *c;
    const struct block *b;
    struct hash32 hash;
    struct header parent;
    u256 td;                    /* the block's total difficulty */
    struct address *senders;    /* one per tx (NULL for none) */
    struct db_batch *batch;
    struct trie_db tdb;
    bool tdb_ready;
    struct state *st;           /* at the parent's state root */
};

static void import_release(struct import *im)
{
    state_free(im->st);
    if (im->tdb_ready)
        trie_db_release(&im->tdb);
    db_batch_free(im->batch);
    free(im->senders);
    header_free(&im->parent);
    evm_trim(im->c->evm, (size_t)16 << 20);
}

/* Stage 1. Returns 0 with *known set when the block is stored already. */
static int load_parent(struct chain *c, const struct block *b, struct import *im, bool *known)
{
    const struct header *h = &b->header;
    memset(im, 0, sizeof *im);
    im->c = c;
    im->b = b;
    *known = false;
    int rc = header_hash(h, &im->hash);
    if (rc)
        return rc;
    if (chaindb_has_header(c->db, &im->hash)) {
        *known = true;
        return 0;
    }
    rc = chaindb_read_header(c->db, NULL, &h->parent_hash, &im->parent);
    if (rc == ERR_NOTFOUND) {
        char hex[HASH32_HEX_SIZE];
        hash32_to_hex(&h->parent_hash, hex);
        return err_set(ERR_NOTFOUND, "unknown parent %s", hex);
    }
    if (rc == 0)
        rc = chaindb_read_td(c->db, NULL, &h->parent_hash, &im->td);
    if (rc == 0 && (im->parent.number == UINT64_MAX || h->number != im->parent.number + 1))
        rc = err_set(ERR_INVAL, "parent is block %llu", (unsigned long long)im->parent.number);
    if (rc == 0 && u256_add_overflow(&im->td, &im->td, &h->difficulty))
        rc = err_set(ERR_INVAL, "total difficulty overflows");
    return rc;
}

/* Recovers every sender into im->senders (stage 2, both entry points). */
static int recover_senders(struct import *im)
{
    const struct block_body *body = &im->b->body;
    if (body->tx_count == 0)
        return 0;
    im->senders = calloc(body->tx_count, sizeof *im->senders);
    if (!im->senders)
        return err_set(ERR_NOMEM, "senders of %zu txs", body->tx_count);
    return chain_recover_senders(im->c->params, im->b->header.number, body, im->senders);
}

/* Opens the parent's state over a trie_db whose writes go to the import's
 * batch (§10 step 3b: the parent state must exist). */
static int open_parent_state(struct import *im)
{
    struct chain *c = im->c;
    const struct hash32 *root = &im->parent.state_root;
    if (memcmp(root->b, TRIE_EMPTY_ROOT, 32) != 0 && !db_has(c->db, root->b, 32)) {
        char hex[HASH32_HEX_SIZE];
        hash32_to_hex(root, hex);
        return err_set(ERR_IO, "the parent's state %s is missing from the database", hex);
    }
    im->batch = db_batch_new();
    if (!im->batch)
        return err_set(ERR_NOMEM, "chain: batch");
    trie_db_init(&im->tdb, c->db, NULL, im->batch);
    im->tdb_ready = true;
    struct trie_store store = trie_db_store(&im->tdb);
    return state_open(&store, root->b, &im->st);
}

/* Commits st (its root must be res's) and writes the block, its receipts
 * and TD into `batch`, then fork choice: reorg false gives SIDE_HEAVIER for
 * a heavier block off the head. Writes the batch and moves the in-memory
 * head last. */
static int commit_block(struct chain *c, struct db_batch *batch, struct state *st,
                        const struct hash32 *hash, const struct block *b, const u256 *td,
                        const struct chain_exec_result *res, bool reorg,
                        struct chain_import_result *out)
{
    const struct header *h = &b->header;
    struct hash32 root;
    int rc = state_commit(st, root.b);
    if (rc == 0 && !hash32_eq(&root, &res->state_root))
        rc = err_set(ERR_BADSTATE, "chain: committed root differs from computed root");
    if (rc == 0)
        rc = chaindb_write_block(batch, hash, b, res->receipts, res->count, td);
    if (rc)
        return rc;

    /* Fork choice: a strictly higher TD wins; ties keep the head. */
    enum chain_insert_status status = CHAIN_INSERT_SIDE;
    bool extends = hash32_eq(&h->parent_hash, &c->head_hash);
    if (u256_gt(td, &c->head_td)) {
        if (extends || reorg) {
            rc = chain_reorg_to(c->db, batch, &c->head_hash, &c->head, hash, b, out);
            status = extends ? CHAIN_INSERT_HEAD : CHAIN_INSERT_REORG;
        } else {
            status = CHAIN_INSERT_SIDE_HEAVIER;
        }
    }
    bool moves = status == CHAIN_INSERT_HEAD || status == CHAIN_INSERT_REORG;
    struct header newhead;
    memset(&newhead, 0, sizeof newhead);
    if (rc == 0 && moves)
        rc = header_copy(&newhead, h);
    if (rc == 0)
        rc = db_batch_write(c->db, batch, c->sync_writes);
    if (rc) {
        header_free(&newhead);
        chain_import_result_free(out);
        return rc;
    }
    if (moves) {
        header_free(&c->head);
        c->head = newhead;
        c->head_hash = *hash;
        c->head_td = *td;
    }
    out->status = status;
    return 0;
}

/* Stage 3: execute, check, then commit_block. */
static int store_block(struct import *im, const struct address *signer, bool reorg,
                       struct chain_import_result *out)
{
    struct chain *c = im->c;
    const struct block *b = im->b;
    const struct header *h = &b->header;
    struct chain_hash_ctx hctx;
    chain_hash_ctx_init(&hctx, c->db, &h->parent_hash, im->parent.number);
    struct chain_exec_env env = {
        .params = c->params,
        .evm = c->evm,
        .signer = signer,
        .block_hash = chain_block_hash,
        .block_hash_ctx = &hctx,
    };
    struct chain_exec_result res;
    int rc = chain_execute_block_senders(&env, im->st, h, &b->body, im->senders, &res);
    if (rc)
        return rc;
    rc = chain_exec_check(c->params, h, &res);
    if (rc == 0)
        rc = commit_block(c, im->batch, im->st, &im->hash, b, &im->td, &res, reorg, out);
    chain_exec_result_free(&res);
    return rc;
}

/* "block <n> 0x<8 hex digits>..: " in front of the reason. */
static int block_error(int rc, const struct header *h, const struct hash32 *hash)
{
    char hex[HASH32_HEX_SIZE];
    hash32_to_hex(hash, hex);
    return err_wrap(rc, "block %llu %.10s..", (unsigned long long)h->number, hex);
}

/* The uncle rules (§10 step 3b): none, and the hash of the empty list. */
static int check_no_uncles(const struct block *b)
{
    if (b->body.uncle_count)
        return err_set(ERR_INVAL, "%zu uncles (Tribe blocks have none)", b->body.uncle_count);
    static const uint8_t empty_list = 0xc0;
    struct hash32 empty;
    keccak256(&empty_list, 1, empty.b);
    if (!hash32_eq(&b->header.uncle_hash, &empty))
        return err_set(ERR_INVAL, "uncle hash is not the empty list's");
    return 0;
}

int chain_import_block(struct chain *c, const struct chain_engine *eng, const struct block *b,
                       uint64_t now, struct chain_import_result *out)
{
    const struct header *h = &b->header;
    memset(out, 0, sizeof *out);
    out->number = h->number;
    struct import im;
    bool known;
    int rc = load_parent(c, b, &im, &known);
    out->hash = im.hash;
    if (rc == 0 && known) {
        out->status = CHAIN_INSERT_KNOWN;
        import_release(&im);
        return 0;
    }
    if (rc == 0 && (!eng || !eng->verify_header || !eng->validate_block))
        rc = err_set(ERR_INVAL, "no consensus engine");
    if (rc == 0 && params_is_bad_hash(c->params, &im.hash))
        rc = err_set(ERR_INVAL, "a known bad block (bad-hash list)");
    if (rc == 0)
        rc = eng->verify_header(eng->ctx, c->params, &im.parent, h, now);
    if (rc == 0)
        rc = recover_senders(&im);
    if (rc == 0)
        rc = check_no_uncles(b);
    if (rc == 0)
        rc = open_parent_state(&im);
    struct address signer;
    memset(&signer, 0, sizeof signer);
    if (rc == 0)
        rc = eng->validate_block(eng->ctx, c->params, c->evm, &im.parent, im.st, b, im.senders,
                                 &signer);
    if (rc == 0)
        rc = state_error(im.st); /* every change ValidateBlock made was reverted */
    if (rc == 0)
        rc = store_block(&im, &signer, true, out);
    import_release(&im);
    if (rc) {
        memset(out, 0, sizeof *out);
        return block_error(rc, h, &im.hash);
    }
    return 0;
}

int chain_insert_block_unchecked(struct chain *c, const struct block *b,
                                 const struct address *signer, enum chain_insert_status *status)
{
    *status = CHAIN_INSERT_KNOWN;
    struct import im;
    bool known;
    int rc = load_parent(c, b, &im, &known);
    if (rc == 0 && known) {
        import_release(&im);
        return 0;
    }
    if (rc == 0)
        rc = recover_senders(&im);
    if (rc == 0)
        rc = open_parent_state(&im);
    struct chain_import_result res;
    memset(&res, 0, sizeof res);
    if (rc == 0)
        rc = store_block(&im, signer, false, &res);
    import_release(&im);
    if (rc)
        return block_error(rc, &b->header, &im.hash);
    *status = res.status;
    chain_import_result_free(&res);
    return 0;
}

/* ---- our own blocks ----------------------------------------------------------- */

void chain_work_release(struct chain_work *w)
{
    if (!w || !w->ready) {
        if (w)
            memset(w, 0, sizeof *w);
        return;
    }
    state_free(w->st);
    trie_db_release(&w->tdb);
    db_batch_free(w->batch);
    memset(w, 0, sizeof *w);
}

int chain_work_open(struct chain *c, struct chain_work *w)
{
    memset(w, 0, sizeof *w);
    w->batch = db_batch_new();
    if (!w->batch)
        return err_set(ERR_NOMEM, "chain: batch");
    trie_db_init(&w->tdb, c->db, NULL, w->batch);
    w->ready = true;
    w->parent_hash = c->head_hash;
    struct trie_store store = trie_db_store(&w->tdb);
    int rc = state_open(&store, c->head.state_root.b, &w->st);
    if (rc)
        chain_work_release(w);
    return rc;
}

int chain_commit_own_block(struct chain *c, struct chain_work *w, const struct block *b,
                           const struct chain_exec_result *res, struct chain_import_result *out)
{
    const struct header *h = &b->header;
    memset(out, 0, sizeof *out);
    out->number = h->number;
    struct hash32 hash;
    int rc = header_hash(h, &hash);
    out->hash = hash;
    if (rc == 0 && (!w->ready || !hash32_eq(&w->parent_hash, &c->head_hash) ||
                    !hash32_eq(&h->parent_hash, &c->head_hash) ||
                    h->number != c->head.number + 1))
        rc = err_set(ERR_BADSTATE, "the head moved while the block was built");
    if (rc == 0)
        rc = chain_exec_check(c->params, h, res);
    u256 td = c->head_td;
    if (rc == 0 && u256_add_overflow(&td, &td, &h->difficulty))
        rc = err_set(ERR_INVAL, "total difficulty overflows");
    if (rc == 0 && !u256_gt(&td, &c->head_td))
        rc = err_set(ERR_INVAL, "a block of difficulty 0");
    if (rc == 0)
        rc = commit_block(c, w->batch, w->st, &hash, b, &td, res, false, out);
    chain_work_release(w);
    evm_trim(c->evm, (size_t)16 << 20);
    if (rc) {
        memset(out, 0, sizeof *out);
        return block_error(rc, h, &hash);
    }
    return 0;
}
