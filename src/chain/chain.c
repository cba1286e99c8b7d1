/*
 * chain.c — opening the chain (genesis on first start, the head on
 * restart), BLOCKHASH over the stored chain, and reading canonical blocks;
 * see chain.h. Importing blocks (both entry points, fork choice) is in
 * import.c, the canonical switch of a reorg in reorg.c.
 */
#include "chain/chain.h"

#include <stdlib.h>
#include <string.h>

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

/* ---- reading ---------------------------------------------------------------- */

int chain_read_canonical_block(struct db *db, const struct db_snapshot *snap, uint64_t number,
                               struct block *b)
{
    memset(b, 0, sizeof *b);
    struct hash32 hash;
    int rc = number == UINT64_MAX ? chaindb_read_head(db, snap, &hash)
                                  : chaindb_read_canonical(db, snap, number, &hash);
    if (rc == 0)
        rc = chaindb_read_block(db, snap, &hash, b);
    return rc;
}
