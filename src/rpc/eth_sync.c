/*
 * eth_sync.c — the node's wire protocol and sync status as the eth_
 * namespace reports them: eth_protocolVersion and eth_syncing.
 *
 * Both are constants until the p2p module exists (the node speaks eth/63,
 * spec §12, and with no peers it is never behind), so they read nothing and
 * may run on the loop thread (RPC_INLINE). eth_syncing will then report
 * geth's progress object while a sync runs.
 */
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
    return json_false();
}
