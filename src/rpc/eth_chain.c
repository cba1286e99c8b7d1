/*
 * eth_chain.c — eth_ methods about the chain and the node rather than one
 * account: the head number, blocks by number or hash, the chain id, the gas
 * price, the node's accounts and coinbase, whether it produces blocks.
 *
 * The head comes from the chain service's published snapshot, blocks from
 * the database under one snapshot per call (chainread.h), so a handler
 * never waits for the chain thread.
 */
#include <stdlib.h>

#include "chain/params.h"
#include "chainsvc/chainsvc.h"
#include "rpc/chainread.h"
#include "rpc/eth_methods.h"
#include "rpc/params.h"
#include "util/err.h"
#include "wallet/wallet.h"

#define GWEI 1000000000ull
#define WALLET_LIST_MAX 4096

uint64_t rpc_default_gas_price(const struct rpc_ctx *ctx)
{
    const struct chain_params *p = ctx->env->chain ? chainsvc_params(ctx->env->chain) : NULL;
    return p && p->min_gas_price ? p->min_gas_price : 18 * GWEI;
}

json_t *rpc_eth_block_number(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    return svc ? rpc_json_quantity(chainsvc_head_number(svc, NULL)) : NULL;
}

json_t *rpc_eth_chain_id(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    return svc ? rpc_json_quantity(chainsvc_params(svc)->chain_id) : NULL;
}

json_t *rpc_eth_gas_price(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    return rpc_json_quantity(rpc_default_gas_price(ctx));
}

json_t *rpc_eth_accounts(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    json_t *arr = json_array();
    if (!arr || !ctx->env->wallet)
        return arr ? arr : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    struct address *list = malloc(WALLET_LIST_MAX * sizeof *list);
    if (!list) {
        json_decref(arr);
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    }
    size_t n = wallet_accounts(ctx->env->wallet, list, WALLET_LIST_MAX);
    if (n > WALLET_LIST_MAX)
        n = WALLET_LIST_MAX;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        ok = json_array_append_new(arr, rpc_json_address(&list[i])) == 0;
    free(list);
    if (!ok) {
        json_decref(arr);
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    }
    return arr;
}

json_t *rpc_eth_coinbase(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    struct address a;
    chainsvc_node_address(svc, &a);
    return rpc_json_address(&a);
}

json_t *rpc_eth_mining(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    return svc ? json_boolean(chainsvc_is_mining(svc)) : NULL;
}

/* The block ref names, as JSON (null when absent). */
static json_t *block_json(struct rpc_ctx *ctx, struct chainsvc *svc,
                          const struct rpc_block_ref *ref, bool full)
{
    struct db *db = chainsvc_db(svc);
    struct db_snapshot *snap = db_snapshot_new(db);
    if (!snap)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    struct hash32 hash;
    uint64_t number;
    json_t *out = NULL;
    int r = rpc_resolve_block(ctx, svc, snap, ref, &hash, &number);
    if (r == 1)
        out = json_null();
    else if (r == 0)
        out = rpc_block_by_hash(ctx, svc, snap, &hash, full);
    db_snapshot_free(db, snap);
    return out;
}

json_t *rpc_eth_get_block_by_number(const json_t *params, struct rpc_ctx *ctx)
{
    struct rpc_block_ref ref;
    bool full;
    if (rpc_params_count(ctx, params, 2, 2) || rpc_param_block_ref(ctx, params, 0, false, &ref) ||
        rpc_param_bool(ctx, params, 1, &full))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    return svc ? block_json(ctx, svc, &ref, full) : NULL;
}

json_t *rpc_eth_get_block_by_hash(const json_t *params, struct rpc_ctx *ctx)
{
    struct rpc_block_ref ref = {.kind = RPC_BLOCK_HASH};
    bool full;
    if (rpc_params_count(ctx, params, 2, 2) || rpc_param_hash(ctx, params, 0, &ref.hash) ||
        rpc_param_bool(ctx, params, 1, &full))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    return svc ? block_json(ctx, svc, &ref, full) : NULL;
}
