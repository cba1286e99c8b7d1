/*
 * regtest.c — the test_ namespace: hooks that exist only on regtest, so the
 * functional tests can observe what no production method triggers on
 * demand: a handler slower than -rpctimeout (test_sleep), events for
 * WebSocket subscribers before the chain produces any (test_publish), and
 * invalid blocks to feed to submitblock (test_buildblock: a block built by
 * the miner and then broken in one precise way, miner/miner_tamper.h).
 *
 * Like every namespace outside eth_/net_/web3_, it needs credentials; the
 * server registers it only when the node runs -regtest.
 */
#include <string.h>
#include <time.h>

#include "chainsvc/chainsvc.h"
#include "rpc/chainread.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "rpc/ws.h"
#include "util/bytes.h"
#include "util/err.h"

#define SLEEP_MAX_MS 600000

static json_t *test_sleep(const json_t *params, struct rpc_ctx *ctx)
{
    uint64_t ms;
    if (rpc_params_count(ctx, params, 1, 1) || rpc_param_quantity(ctx, params, 0, &ms))
        return NULL;
    if (ms > SLEEP_MAX_MS)
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: at most %d ms",
                        SLEEP_MAX_MS);
    struct timespec step = {0, 10 * 1000000};
    for (uint64_t slept = 0; slept < ms; slept += 10) {
        if (atomic_load(ctx->cancelled))
            return json_false();  /* timed out: nobody will see this */
        nanosleep(&step, NULL);
    }
    return json_true();
}

static json_t *test_publish(const json_t *params, struct rpc_ctx *ctx)
{
    const char *kind;
    if (rpc_params_count(ctx, params, 2, 2) || rpc_param_string(ctx, params, 0, 64, &kind))
        return NULL;
    enum rpc_sub_kind k;
    if (!strcmp(kind, "newHeads"))
        k = RPC_SUB_NEW_HEADS;
    else if (!strcmp(kind, "logs"))
        k = RPC_SUB_LOGS;
    else if (!strcmp(kind, "newPendingTransactions"))
        k = RPC_SUB_PENDING_TXS;
    else
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: unknown kind %s", kind);
    if (!ctx->env->ws)
        return json_false();
    if (rpc_ws_publish(ctx->env->ws, k, json_incref(json_array_get(params, 1))))
        return rpc_fail(ctx, RPC_SERVER_ERROR, "subscription queue full");
    return json_true();
}

static json_t *test_buildblock(const json_t *params, struct rpc_ctx *ctx)
{
    const char *tamper = "none";
    if (rpc_params_count(ctx, params, 0, 1))
        return NULL;
    if (rpc_param_present(params, 0) && rpc_param_string(ctx, params, 0, 32, &tamper))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    struct bytes out = BYTES_INIT;
    int rc = chainsvc_build_block(svc, tamper, &out);
    json_t *j = NULL;
    if (rc == 0)
        j = rpc_json_hex(out.data, out.len);
    bytes_free(&out);
    if (rc)
        return rpc_fail(ctx, rc == ERR_NOMEM ? RPC_INTERNAL_ERROR : RPC_SERVER_ERROR, "%s",
                        err_msg());
    return j ? j : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

static const struct rpc_param_doc buildblock_params[] = {
    {"tamper", "string", true,
     "\"none\" (default), \"seal\" (a seal byte flipped), \"signer\" (sealed by dev account "
     "0), \"difficulty\" (+1), \"stateRoot\" (changed), \"chiefNotFirst\" (first two "
     "transactions swapped; needs a pool transaction), \"noChiefTx\" (chief tx removed), "
     "\"vrf\" (a VRF proof byte flipped), \"volunteer\" (the chief update names dev account 0, "
     "not the drawn volunteer); all but seal and signer re-sealed by the node key"},
};

static const struct rpc_param_doc sleep_params[] = {
    {"ms", "quantity", false, "milliseconds to sleep on a worker thread (hex, at most 600000)"},
};

static const struct rpc_param_doc publish_params[] = {
    {"kind", "string", false, "\"newHeads\", \"logs\" or \"newPendingTransactions\""},
    {"payload", "any", false, "the event, as a chain module would publish it"},
};

static const struct rpc_method test_methods[] = {
    {.name = "test_buildblock", .fn = test_buildblock, .flags = 0,
     .summary = "Regtest only: builds a sealed block on top of the head from the pool, as the "
                "miner would, WITHOUT importing it, then breaks it as `tamper` says (the pool "
                "and the chain are unchanged).",
     .params = buildblock_params, .nparams = RPC_COUNT(buildblock_params),
     .result = "\"0x...\" (hex data) the block's RLP, for submitblock"},
    {.name = "test_publish", .fn = test_publish, .flags = 0,
     .summary = "Regtest only: publishes an event to the WebSocket subscribers of `kind`.",
     .params = publish_params, .nparams = RPC_COUNT(publish_params),
     .result = "true when queued, false without a WebSocket server"},
    {.name = "test_sleep", .fn = test_sleep, .flags = 0,
     .summary = "Regtest only: occupies a worker thread for `ms` milliseconds (stops early "
                "when the request timed out).",
     .params = sleep_params, .nparams = RPC_COUNT(sleep_params),
     .result = "true (false when cut short)"},
};

const struct rpc_namespace rpc_ns_test = {"test", test_methods, RPC_COUNT(test_methods), true};
