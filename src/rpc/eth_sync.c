/*
 * eth_sync.c — the node's wire protocol and sync status as the eth_
 * namespace reports them: eth_protocolVersion and eth_syncing.
 *
 * eth_syncing reads what the p2p service published from its synchroniser
 * (p2p_sync_progress, a copy under the service's mutex), so it needs no
 * command and may run on the loop thread (RPC_INLINE). The answer is
 * geth's: false unless a sync round runs, else the object
 * {startingBlock, currentBlock, highestBlock}. With p2p off it is false.
 */
#include "net/p2p.h"
#include "rpc/eth_methods.h"
#include "rpc/params.h"

/* eth/63, the highest version of the eth wire protocol Spectrum speaks. */
#define ETH_PROTOCOL_VERSION 63

json_t *rpc_eth_protocol_version(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    json_t *out = rpc_json_quantity(ETH_PROTOCOL_VERSION);
    return out ? out : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

json_t *rpc_eth_syncing(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct sync_progress p = {0};
    if (ctx->env->p2p)
        p2p_sync_progress(ctx->env->p2p, &p);
    /* geth: a round whose current block reached the highest is not news */
    if (!p.syncing || p.current_block >= p.highest_block)
        return json_false();
    json_t *o = json_object();
    if (!o || json_object_set_new(o, "startingBlock", rpc_json_quantity(p.starting_block)) ||
        json_object_set_new(o, "currentBlock", rpc_json_quantity(p.current_block)) ||
        json_object_set_new(o, "highestBlock", rpc_json_quantity(p.highest_block))) {
        json_decref(o);
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    }
    return o;
}
