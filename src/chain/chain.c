/*
 * chain.c — genesis, head and unchecked block import over chaindb and the
 * processor; see chain.h. Every import builds one batch: the state commit
 * goes into it through a trie_db whose batch is the import's, and the
 * block, receipts, TD and indexes follow; the head in memory changes only
 * after the batch is written.
 */
#include "chain/chain.h"

#include <stdlib.h>
#include <string.h>

#include "state/state.h"
#include "storage/trie_db.h"
#include "util/err.h"

/* ---- BLOCKHASH ----------------------------------------------------------- */

void chain_hash_ctx_init(struct chain_hash_ctx *ctx, struct db *db,
                         const struct hash32 *parent_hash, uint64_t parent_number)
{
    ctx->db = db;
    ctx->parent_hash = *parent_hash;
    ctx->parent_number = parent_number;
    struct hash32 canon;
    ctx->parent_canonical = chaindb_read_canonical(db, NULL, parent_number, &canon) == 0 &&
                            hash32_eq(&canon, parent_hash);
}

void chain_block_hash(void *vctx, uint64_t number, struct hash32 *out)
{
    struct chain_hash_ctx *ctx = vctx;
    memset(out->b, 0, sizeof out->b);
    if (number > ctx->parent_number)
        return;
    if (number == ctx->parent_number) {
        *out = ctx->parent_hash;
        return;
    }
    if (ctx->parent_canonical) {
        if (chaindb_read_canonical(ctx->db, NULL, number, out) != 0)
            memset(out->b, 0, sizeof out->b);
        return;
    }
    /* A side chain: walk the parents (at most 256 steps, BLOCKHASH's reach). */
    struct hash32 h = ctx->parent_hash;
    uint64_t n = ctx->parent_number;
    while (n > number) {
        struct header hd;
        if (chaindb_read_header(ctx->db, NULL, &h, &hd) != 0)
            return;
        h = hd.parent_hash;
        header_free(&hd);
        n--;
    }
    *out = h;
}

/* ---- open ----------------------------------------------------------------- */

static int write_genesis(struct db *db, struct genesis *g, struct hash32 *hash)
{
    struct db_batch *batch = db_batch_new();
    if (!batch)
        return err_set(ERR_NOMEM, "chain: batch");
    struct trie_db tdb;
    trie_db_init(&tdb, db, NULL, batch);
    struct trie_store store = trie_db_store(&tdb);
    int rc = genesis_build(g, &store);
    trie_db_release(&tdb);
    if (rc == 0)
        rc = header_hash(&g->header, hash);
    if (rc == 0) {
        struct block b;
        memset(&b, 0, sizeof b);
        b.header = g->header; /* borrowed: not freed here */
        rc = chaindb_write_block(batch, hash, &b, NULL, 0, &g->header.difficulty);
    }
    if (rc == 0) {
        chaindb_write_canonical(batch, 0, hash);
        chaindb_write_head(batch, hash);
        rc = chaindb_write_schema(batch);
    }
    if (rc == 0)
        rc = db_batch_write(db, batch, true);
    db_batch_free(batch);
    return rc ? err_wrap(rc, "chain: writing the genesis") : 0;
}

int chain_open(struct db *db, const struct chain_params *p, struct genesis *g,
               struct chain **out)
{
    *out = NULL;
    struct hash32 gh;
    int rc = genesis_hash(g, &gh);
    if (rc)
        return err_wrap(rc, "chain: genesis");
    struct hash32 head;
    rc = chaindb_read_head(db, NULL, &head);
    if (rc == ERR_NOTFOUND) {
        rc = write_genesis(db, g, &gh);
        head = gh;
    } else if (rc == 0) {
        uint64_t v;
        struct hash32 g0;
        rc = chaindb_read_schema(db, NULL, &v);
        if (rc == 0 && v != CHAINDB_SCHEMA_VERSION)
            rc = err_set(ERR_INVAL, "chain: database schema %llu, this node reads %d",
                         (unsigned long long)v, CHAINDB_SCHEMA_VERSION);
        if (rc == 0)
            rc = chaindb_read_canonical(db, NULL, 0, &g0);
        if (rc == 0 && !hash32_eq(&g0, &gh))
            rc = err_set(ERR_INVAL, "chain: the database holds another network's genesis");
    }
    if (rc)
        return rc;

    struct chain *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(ERR_NOMEM, "chain");
    c->db = db;
    c->params = p;
    c->genesis_hash = gh;
    c->head_hash = head;
    rc = evm_new(&c->evm);
    if (rc == 0)
        rc = chaindb_read_header(db, NULL, &head, &c->head);
    if (rc == 0)
        rc = chaindb_read_td(db, NULL, &head, &c->head_td);
    if (rc) {
        chain_close(c);
        return err_wrap(rc, "chain: reading the head");
    }
    *out = c;
    return 0;
}

void chain_close(struct chain *c)
{
    if (!c)
        return;
    evm_free(c->evm);
    header_free(&c->head);
    free(c);
}

/* ---- import ---------------------------------------------------------------- */

int chain_insert_block_unchecked(struct chain *c, const struct block *b,
                                 const struct address *signer, enum chain_insert_status *status)
{
    const struct header *h = &b->header;
    struct hash32 hash;
    int rc = header_hash(h, &hash);
    if (rc)
        return rc;
    *status = CHAIN_INSERT_KNOWN;
    if (chaindb_has_header(c->db, &hash))
        return 0;

    struct header parent;
    rc = chaindb_read_header(c->db, NULL, &h->parent_hash, &parent);
    if (rc)
        return err_wrap(rc, "block %llu: parent", (unsigned long long)h->number);
    u256 td;
    rc = chaindb_read_td(c->db, NULL, &h->parent_hash, &td);
    if (rc == 0 && (parent.number == UINT64_MAX || h->number != parent.number + 1))
        rc = err_set(ERR_INVAL, "block %llu: parent is block %llu",
                     (unsigned long long)h->number, (unsigned long long)parent.number);
    if (rc == 0 && u256_add_overflow(&td, &td, &h->difficulty))
        rc = err_set(ERR_INVAL, "block %llu: total difficulty overflows",
                     (unsigned long long)h->number);
    if (rc) {
        header_free(&parent);
        return rc;
    }

    struct db_batch *batch = db_batch_new();
    if (!batch) {
        header_free(&parent);
        return err_set(ERR_NOMEM, "chain: batch");
    }
    struct trie_db tdb;
    trie_db_init(&tdb, c->db, NULL, batch);
    struct trie_store store = trie_db_store(&tdb);
    struct state *st = NULL;
    struct chain_exec_result res;
    memset(&res, 0, sizeof res);
    rc = state_open(&store, parent.state_root.b, &st);

    struct chain_hash_ctx hctx;
    chain_hash_ctx_init(&hctx, c->db, &h->parent_hash, parent.number);
    struct chain_exec_env env = {
        .params = c->params,
        .evm = c->evm,
        .signer = signer,
        .block_hash = chain_block_hash,
        .block_hash_ctx = &hctx,
    };
    if (rc == 0)
        rc = chain_execute_block(&env, st, h, &b->body, &res);
    if (rc == 0)
        rc = chain_exec_check(c->params, h, &res);
    if (rc == 0) {
        struct hash32 root;
        rc = state_commit(st, root.b);
        if (rc == 0 && !hash32_eq(&root, &res.state_root))
            rc = err_set(ERR_BADSTATE, "chain: committed root differs from computed root");
    }
    if (rc == 0)
        rc = chaindb_write_block(batch, &hash, b, res.receipts, res.count, &td);

    enum chain_insert_status st_out = CHAIN_INSERT_SIDE;
    if (rc == 0 && u256_gt(&td, &c->head_td)) {
        if (hash32_eq(&h->parent_hash, &c->head_hash)) {
            chaindb_write_canonical(batch, h->number, &hash);
            rc = chaindb_write_tx_lookups(batch, &hash, &b->body);
            chaindb_write_head(batch, &hash);
            st_out = CHAIN_INSERT_HEAD;
        } else {
            st_out = CHAIN_INSERT_SIDE_HEAVIER;
        }
    }
    struct header newhead;
    memset(&newhead, 0, sizeof newhead);
    if (rc == 0 && st_out == CHAIN_INSERT_HEAD)
        rc = header_copy(&newhead, h);
    if (rc == 0)
        rc = db_batch_write(c->db, batch, c->sync_writes);
    if (rc == 0) {
        if (st_out == CHAIN_INSERT_HEAD) {
            header_free(&c->head);
            c->head = newhead;
            c->head_hash = hash;
            c->head_td = td;
        }
        *status = st_out;
    } else {
        header_free(&newhead);
        rc = err_wrap(rc, "block %llu", (unsigned long long)h->number);
    }
    chain_exec_result_free(&res);
    state_free(st);
    trie_db_release(&tdb);
    db_batch_free(batch);
    header_free(&parent);
    evm_trim(c->evm, (size_t)16 << 20);
    return rc;
}
