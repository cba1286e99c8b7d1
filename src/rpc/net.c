/*
 * net.c — the net_ namespace: network id, listening, peer count.
 *
 * net_version is the devp2p network id (spec §1.1: 1 on mainnet, 3 on
 * testnet), which differs from the EIP-155 chain id (eth_chainId). There is
 * p2p service (rpc_env.p2p, net/p2p.h) answers net_listening and
 * net_peerCount from what it published (a mutex-guarded count, so both stay
 * constant-time); with p2p off they are false and 0.
 */
#include <inttypes.h>
#include <stdio.h>

#include "net/p2p.h"
#include "rpc/methods.h"
#include "rpc/params.h"

static json_t *version(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, ctx->env->network_id);
    return json_string(buf);
}

static json_t *listening(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    return json_boolean(ctx->env->p2p && p2p_listening(ctx->env->p2p));
}

static json_t *peer_count(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    return rpc_json_quantity(ctx->env->p2p ? p2p_peer_count(ctx->env->p2p) : 0);
}

static const struct rpc_method net_methods[] = {
    {.name = "net_version", .fn = version, .flags = RPC_PUBLIC | RPC_INLINE,
     .summary = "Returns the network id (devp2p; not the chain id) as a decimal string.",
     .result = "\"1\" (string)"},
    {.name = "net_listening", .fn = listening, .flags = RPC_PUBLIC | RPC_INLINE,
     .summary = "Returns whether the node accepts p2p connections.",
     .result = "true|false"},
    {.name = "net_peerCount", .fn = peer_count, .flags = RPC_PUBLIC | RPC_INLINE,
     .summary = "Returns the number of connected peers.",
     .result = "\"0x0\" (quantity)"},
};

const struct rpc_namespace rpc_ns_net = {"net", net_methods, RPC_COUNT(net_methods), false};
