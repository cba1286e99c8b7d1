/*
 * chainread.c — see chainread.h.
 */
#include "rpc/chainread.h"

#include <stdlib.h>
#include <string.h>

#include "chain/chaindb.h"
#include "chain/processor.h"
#include "util/err.h"

struct chainsvc *rpc_chain(struct rpc_ctx *ctx)
{
    if (!ctx->env->chain) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "the chain is not available");
        return NULL;
    }
    return ctx->env->chain;
}

int rpc_fail_db(struct rpc_ctx *ctx, int rc)
{
    if (rc == ERR_NOMEM)
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    else
        rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg()[0] ? err_msg() : err_name(rc));
    return -1;
}

int rpc_resolve_block(struct rpc_ctx *ctx, struct chainsvc *svc, const struct db_snapshot *snap,
                      const struct rpc_block_ref *ref, struct hash32 *hash, uint64_t *number)
{
    struct db *db = chainsvc_db(svc);
    int rc;
    switch (ref->kind) {
    case RPC_BLOCK_LATEST:
    case RPC_BLOCK_PENDING: {
        if (!snap) {
            *number = chainsvc_head_number(svc, hash);
            return 0;
        }
        /* The head recorded in the snapshot, not the published one: a block
         * imported after the snapshot was taken is not in it. */
        struct header h;
        rc = chaindb_read_head(db, snap, hash);
        if (rc == 0)
            rc = chaindb_read_header(db, snap, hash, &h);
        if (rc)
            return rpc_fail_db(ctx, rc);
        *number = h.number;
        header_free(&h);
        return 0;
    }
    case RPC_BLOCK_EARLIEST:
    case RPC_BLOCK_NUMBER:
        *number = ref->kind == RPC_BLOCK_EARLIEST ? 0 : ref->number;
        rc = chaindb_read_canonical(db, snap, *number, hash);
        if (rc == ERR_NOTFOUND)
            return 1;
        return rc ? rpc_fail_db(ctx, rc) : 0;
    case RPC_BLOCK_HASH: {
        struct header h;
        rc = chaindb_read_header(db, snap, &ref->hash, &h);
        if (rc == ERR_NOTFOUND)
            return 1;
        if (rc)
            return rpc_fail_db(ctx, rc);
        *hash = ref->hash;
        *number = h.number;
        header_free(&h);
        return 0;
    }
    }
    rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: bad block reference");
    return -1;
}

/* "latest" and "pending" when the snapshot's head is the published one (the
 * usual case): its state root comes from memory, which saves reading and
 * checking the header twice. Returns 0 with v->st open, or -1 to take the
 * general path. */
static int head_state_open(struct chainsvc *svc, struct rpc_state_view *v,
                           const struct rpc_block_ref *ref)
{
    if (ref->kind != RPC_BLOCK_LATEST && ref->kind != RPC_BLOCK_PENDING)
        return -1;
    struct hash32 in_snap, head, root;
    if (chaindb_read_head(v->db, v->snap, &in_snap) != 0) {
        err_clear();
        return -1;
    }
    uint64_t number = chainsvc_head_state(svc, &head, &root);
    if (!hash32_eq(&in_snap, &head))
        return -1;
    struct trie_store store = trie_db_store(&v->tdb);
    if (state_open(&store, root.b, &v->st) != 0) {
        err_clear();
        return -1;
    }
    v->number = number;
    return 0;
}

int rpc_state_view_open(struct rpc_ctx *ctx, struct chainsvc *svc, const struct rpc_block_ref *ref,
                        struct rpc_state_view *v)
{
    memset(v, 0, sizeof *v);
    v->db = chainsvc_db(svc);
    v->snap = db_snapshot_new(v->db);
    if (!v->snap) {
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        return -1;
    }
    trie_db_init(&v->tdb, v->db, v->snap, NULL);
    struct hash32 hash;
    if (head_state_open(svc, v, ref) == 0)
        return 0;
    int r = rpc_resolve_block(ctx, svc, v->snap, ref, &hash, &v->number);
    if (r < 0)
        return -1;
    struct header h;
    int rc = r ? ERR_NOTFOUND : chaindb_read_header(v->db, v->snap, &hash, &h);
    if (rc == ERR_NOTFOUND) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "header not found");
        return -1;
    }
    if (rc)
        return rpc_fail_db(ctx, rc);
    struct trie_store store = trie_db_store(&v->tdb);
    rc = state_open(&store, h.state_root.b, &v->st);
    header_free(&h);
    return rc ? rpc_fail_db(ctx, rc) : 0;
}

void rpc_state_view_close(struct rpc_state_view *v)
{
    state_free(v->st);
    v->st = NULL;
    trie_db_release(&v->tdb);
    if (v->snap)
        db_snapshot_free(v->db, v->snap);
    v->snap = NULL;
}

int rpc_state_view_check(struct rpc_ctx *ctx, const struct rpc_state_view *v)
{
    if (!state_error(v->st))
        return 0;
    rpc_fail(ctx, RPC_SERVER_ERROR, "%s", state_error_msg(v->st));
    return -1;
}

int rpc_tx_sender(struct rpc_ctx *ctx, const struct chain_params *p, const struct block *b,
                  size_t i, struct address *from)
{
    int rc = chain_tx_sender(p, b->header.number, &b->body.txs[i], from);
    return rc ? rpc_fail_db(ctx, rc) : 0;
}

json_t *rpc_block_by_hash(struct rpc_ctx *ctx, struct chainsvc *svc,
                          const struct db_snapshot *snap, const struct hash32 *hash, bool full)
{
    struct db *db = chainsvc_db(svc);
    const struct chain_params *p = chainsvc_params(svc);
    struct block b;
    int rc = chaindb_read_block(db, snap, hash, &b);
    if (rc == ERR_NOTFOUND)
        return json_null();
    if (rc) {
        rpc_fail_db(ctx, rc);
        return NULL;
    }
    u256 td;
    rc = chaindb_read_td(db, snap, hash, &td);
    struct bytes enc = BYTES_INIT;
    if (rc == 0)
        rc = block_encode(&b, &enc);
    uint64_t size = enc.len;
    bytes_free(&enc);
    struct address *senders = NULL;
    if (rc == 0 && full && b.body.tx_count) {
        senders = calloc(b.body.tx_count, sizeof *senders);
        if (!senders)
            rc = err_set(ERR_NOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < b.body.tx_count; i++) {
            if (atomic_load(ctx->cancelled))
                rc = err_set(ERR_BADSTATE, "cancelled");
            else
                rc = chain_tx_sender(p, b.header.number, &b.body.txs[i], &senders[i]);
        }
    }
    json_t *out = NULL;
    if (rc == 0) {
        out = rpc_block_json(p, &b, hash, &td, size, full, senders);
        if (!out)
            rc = ERR_NOMEM;
    }
    free(senders);
    block_free(&b);
    if (rc) {
        rpc_fail_db(ctx, rc);
        return NULL;
    }
    return out;
}

int rpc_find_mined_tx(struct rpc_ctx *ctx, struct db *db, const struct db_snapshot *snap,
                      const struct hash32 *tx_hash, struct rpc_mined_tx *out)
{
    memset(out, 0, sizeof *out);
    struct chaindb_tx_location loc;
    int rc = chaindb_read_tx_lookup(db, snap, tx_hash, &loc);
    if (rc == ERR_NOTFOUND)
        return 1;
    if (rc == 0)
        rc = chaindb_read_block(db, snap, &loc.block_hash, &out->block);
    if (rc == ERR_NOTFOUND)
        return 1;       /* an index entry whose block is gone: treat as unknown */
    if (rc)
        return rpc_fail_db(ctx, rc);
    if (loc.index >= out->block.body.tx_count) {
        block_free(&out->block);
        return 1;
    }
    out->block_hash = loc.block_hash;
    out->index = loc.index;
    return 0;
}
