/*
 * eth_index.c — eth_ methods that count a block's contents or pick one by
 * position: eth_getBlockTransactionCountByHash/ByNumber,
 * eth_getTransactionByBlockHashAndIndex/ByBlockNumberAndIndex and
 * eth_getUncleCountByBlockHash/ByNumber.
 *
 * Positions are those of the block body: the chief update transaction that
 * opens a Tribe block is counted and is index 0, as Spectrum's node counts
 * it (spec §11), even though eth_getBlockBy* leave it out of their list.
 * Spectrum blocks have no uncles, so a known block has an uncle count of 0.
 * An unknown block is null everywhere, as in geth; so is an index past the
 * end. Reads go to the database under a snapshot (chainread.h).
 */
#include <string.h>

#include "chain/chaindb.h"
#include "chain/processor.h"
#include "primitives/tx.h"
#include "rpc/chainread.h"
#include "rpc/eth_methods.h"
#include "rpc/params.h"
#include "util/err.h"

/* The body of the block ref names. Returns 0 (found: free with
 * block_body_free), 1 (no such block), -1 (error set). */
static int read_body(struct rpc_ctx *ctx, const struct rpc_block_ref *ref, struct hash32 *hash,
                     uint64_t *number, struct block_body *body)
{
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return -1;
    struct db *db = chainsvc_db(svc);
    struct db_snapshot *snap = db_snapshot_new(db);
    if (!snap) {
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        return -1;
    }
    int r = rpc_resolve_block(ctx, svc, snap, ref, hash, number);
    if (r == 0) {
        int rc = chaindb_read_body(db, snap, hash, body);
        r = rc == ERR_NOTFOUND ? 1 : rc ? rpc_fail_db(ctx, rc) : 0;
    }
    db_snapshot_free(db, snap);
    return r;
}

/* The block argument 0: a hash (by_hash) or a number/tag. */
static int block_arg(struct rpc_ctx *ctx, const json_t *params, bool by_hash,
                     struct rpc_block_ref *ref)
{
    if (!by_hash)
        return rpc_param_block_ref(ctx, params, 0, false, ref);
    memset(ref, 0, sizeof *ref);
    ref->kind = RPC_BLOCK_HASH;
    return rpc_param_hash(ctx, params, 0, &ref->hash);
}

/* What a count method counts in the block body. */
enum body_count {
    COUNT_TXS,
    COUNT_UNCLES,
};

/* eth_getBlockTransactionCountBy* and eth_getUncleCountBy*: the count as
 * a quantity, null for an unknown block. */
static json_t *body_count(const json_t *params, struct rpc_ctx *ctx, bool by_hash,
                          enum body_count what)
{
    struct rpc_block_ref ref;
    if (rpc_params_count(ctx, params, 1, 1) || block_arg(ctx, params, by_hash, &ref))
        return NULL;
    struct hash32 hash;
    uint64_t number;
    struct block_body body;
    int r = read_body(ctx, &ref, &hash, &number, &body);
    if (r)
        return r < 0 ? NULL : json_null();
    json_t *out = rpc_json_quantity(what == COUNT_TXS ? body.tx_count : body.uncle_count);
    block_body_free(&body);
    return out ? out : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

json_t *rpc_eth_get_block_tx_count_by_hash(const json_t *params, struct rpc_ctx *ctx)
{
    return body_count(params, ctx, true, COUNT_TXS);
}

json_t *rpc_eth_get_block_tx_count_by_number(const json_t *params, struct rpc_ctx *ctx)
{
    return body_count(params, ctx, false, COUNT_TXS);
}

static json_t *tx_by_index(const json_t *params, struct rpc_ctx *ctx, bool by_hash)
{
    struct rpc_block_ref ref;
    uint64_t index;
    if (rpc_params_count(ctx, params, 2, 2) || block_arg(ctx, params, by_hash, &ref) ||
        rpc_param_quantity(ctx, params, 1, &index))
        return NULL;
    struct rpc_tx_loc loc;
    struct block_body body;
    int r = read_body(ctx, &ref, &loc.block_hash, &loc.block_number, &body);
    if (r)
        return r < 0 ? NULL : json_null();
    json_t *out = NULL;
    if (index >= body.tx_count) {
        out = json_null();
    } else {
        const struct tx *tx = &body.txs[index];
        const struct chain_params *p = chainsvc_params(ctx->env->chain);
        struct address from;
        struct hash32 th;
        int rc = chain_tx_sender(p, loc.block_number, tx, &from);
        if (rc == 0)
            rc = tx_hash(tx, th.b);
        loc.index = index;
        if (rc)
            rpc_fail_db(ctx, rc);
        else if (!(out = rpc_tx_json(tx, &th, &from, &loc)))
            rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    }
    block_body_free(&body);
    return out;
}

json_t *rpc_eth_get_tx_by_block_hash_and_index(const json_t *params, struct rpc_ctx *ctx)
{
    return tx_by_index(params, ctx, true);
}

json_t *rpc_eth_get_tx_by_block_number_and_index(const json_t *params, struct rpc_ctx *ctx)
{
    return tx_by_index(params, ctx, false);
}

json_t *rpc_eth_get_uncle_count_by_hash(const json_t *params, struct rpc_ctx *ctx)
{
    return body_count(params, ctx, true, COUNT_UNCLES);
}

json_t *rpc_eth_get_uncle_count_by_number(const json_t *params, struct rpc_ctx *ctx)
{
    return body_count(params, ctx, false, COUNT_UNCLES);
}
