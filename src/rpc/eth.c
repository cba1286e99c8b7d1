/*
 * eth.c — the eth_ namespace. For now only the subscription methods, which
 * belong to the server (ws.h); the chain's methods (eth_blockNumber,
 * eth_call, ...) join this table when the chain module exists.
 *
 * eth_subscribe and eth_unsubscribe run on the loop thread (RPC_ON_LOOP):
 * the subscription registry is the loop's, and registering there before the
 * reply is written guarantees the client sees the id before any
 * notification for it.
 */
#include <string.h>

#include "rpc/logfilter.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "rpc/ws.h"
#include "util/err.h"

static json_t *subscribe(const json_t *params, struct rpc_ctx *ctx)
{
    if (!ctx->conn)
        return rpc_fail(ctx, RPC_METHOD_NOT_FOUND, "notifications not supported");
    const char *name;
    if (rpc_params_count(ctx, params, 1, 2) || rpc_param_string(ctx, params, 0, 64, &name))
        return NULL;
    enum rpc_sub_kind kind;
    struct logfilter filter;
    memset(&filter, 0, sizeof filter);
    bool full = false;
    if (!strcmp(name, "newHeads")) {
        kind = RPC_SUB_NEW_HEADS;
        if (rpc_params_count(ctx, params, 1, 1))
            return NULL;
    } else if (!strcmp(name, "logs")) {
        kind = RPC_SUB_LOGS;
        char msg[160];
        int rc = logfilter_parse(json_array_get(params, 1), &filter, msg, sizeof msg);
        if (rc == ERR_NOMEM)
            return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        if (rc)
            return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: %s", msg);
    } else if (!strcmp(name, "newPendingTransactions")) {
        kind = RPC_SUB_PENDING_TXS;
        if (rpc_param_present(params, 1) && rpc_param_bool(ctx, params, 1, &full))
            return NULL;
    } else {
        return rpc_fail(ctx, RPC_METHOD_NOT_FOUND, "no \"%s\" subscription in eth namespace",
                        name);
    }
    char id[RPC_SUB_ID_SIZE];
    int rc = rpc_ws_subscribe(ctx->conn, kind, &filter, full, id);
    logfilter_free(&filter);
    if (rc)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg());
    return json_string(id);
}

static json_t *unsubscribe(const json_t *params, struct rpc_ctx *ctx)
{
    if (!ctx->conn)
        return rpc_fail(ctx, RPC_METHOD_NOT_FOUND, "notifications not supported");
    const char *id;
    if (rpc_params_count(ctx, params, 1, 1) ||
        rpc_param_string(ctx, params, 0, RPC_SUB_ID_SIZE, &id))
        return NULL;
    return json_boolean(rpc_ws_unsubscribe(ctx->conn, id));
}

static const struct rpc_param_doc subscribe_params[] = {
    {"kind", "string", false, "\"newHeads\", \"logs\" or \"newPendingTransactions\""},
    {"options", "object|bool", true,
     "logs: {address, topics} filter; newPendingTransactions: true for full transactions"},
};

static const struct rpc_param_doc unsubscribe_params[] = {
    {"id", "string", false, "the id eth_subscribe returned"},
};

static const struct rpc_method eth_methods[] = {
    {.name = "eth_subscribe", .fn = subscribe, .flags = RPC_PUBLIC | RPC_ON_LOOP,
     .summary = "WebSocket only: starts a subscription; each event then arrives as an "
                "eth_subscription notification carrying the id.",
     .params = subscribe_params, .nparams = RPC_COUNT(subscribe_params),
     .result = "\"0x...\" (string) the subscription id"},
    {.name = "eth_unsubscribe", .fn = unsubscribe, .flags = RPC_PUBLIC | RPC_ON_LOOP,
     .summary = "WebSocket only: ends a subscription of this connection.",
     .params = unsubscribe_params, .nparams = RPC_COUNT(unsubscribe_params),
     .result = "true when it existed, else false"},
};

const struct rpc_namespace rpc_ns_eth = {"eth", eth_methods, RPC_COUNT(eth_methods), false};
