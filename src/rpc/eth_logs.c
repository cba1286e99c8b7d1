/*
 * eth_logs.c — eth_getLogs and the polled filters (eth_newFilter,
 * eth_newBlockFilter, eth_newPendingTransactionFilter,
 * eth_getFilterChanges, eth_getFilterLogs, eth_uninstallFilter).
 *
 * The handlers are thin on purpose: the criteria, the range rules and the
 * scan are logquery.h's, the filters and their cursors filters.h's, and the
 * events that fill them come from the chain thread through chain_events.c.
 * They run on worker threads and only read the database (through a
 * snapshot) and the thread-safe filter store.
 */
#include <string.h>

#include "rpc/chainread.h"
#include "rpc/eth_methods.h"
#include "rpc/filters.h"
#include "rpc/logquery.h"
#include "rpc/params.h"
#include "util/err.h"

/* Longest id string accepted (ours are 34 characters; a client may pad). */
#define FILTER_ID_ARG_MAX 80

static struct rpc_filters *store(struct rpc_ctx *ctx)
{
    struct rpc_filters *fs = ctx->env->filters;
    if (!fs)
        rpc_fail(ctx, RPC_SERVER_ERROR, "filters are not available");
    return fs;
}

json_t *rpc_eth_get_logs(const json_t *params, struct rpc_ctx *ctx)
{
    struct rpc_log_query q;
    if (rpc_params_count(ctx, params, 1, 1) || rpc_log_query_parse(ctx, params, 0, &q))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    json_t *out = svc ? rpc_log_query_run(ctx, svc, &q) : NULL;
    rpc_log_query_free(&q);
    return out;
}

/* Installs a filter and answers its id. q: log filters only (moved). */
static json_t *install(struct rpc_ctx *ctx, enum rpc_filter_kind kind, struct rpc_log_query *q,
                       bool full)
{
    struct rpc_filters *fs = store(ctx);
    if (!fs || !rpc_chain(ctx))
        return NULL;
    char id[RPC_FILTER_ID_SIZE];
    int rc = rpc_filters_install(fs, kind, q, full, rpc_filters_now(), id);
    if (rc == ERR_NOMEM)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    if (rc)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg());
    return json_string(id);
}

json_t *rpc_eth_new_filter(const json_t *params, struct rpc_ctx *ctx)
{
    struct rpc_log_query q;
    if (rpc_params_count(ctx, params, 1, 1) || rpc_log_query_parse(ctx, params, 0, &q))
        return NULL;
    /* geth's rule for live logs: latest..latest, n..m with n <= m, or n..latest. */
    bool from_num = q.from.kind == RPC_BLOCK_NUMBER, to_num = q.to.kind == RPC_BLOCK_NUMBER;
    if ((!from_num && to_num) || (from_num && to_num && q.from.number > q.to.number)) {
        rpc_log_query_free(&q);
        return rpc_fail(ctx, RPC_SERVER_ERROR, "invalid from and to block combination: "
                        "from > to");
    }
    json_t *out = install(ctx, RPC_FILTER_LOGS, &q, false);
    rpc_log_query_free(&q);
    return out;
}

json_t *rpc_eth_new_block_filter(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    return install(ctx, RPC_FILTER_BLOCKS, NULL, false);
}

json_t *rpc_eth_new_pending_transaction_filter(const json_t *params, struct rpc_ctx *ctx)
{
    bool full = false;
    if (rpc_params_count(ctx, params, 0, 1) ||
        (rpc_param_present(params, 0) && rpc_param_bool(ctx, params, 0, &full)))
        return NULL;
    return install(ctx, RPC_FILTER_PENDING_TXS, NULL, full);
}

static int filter_id(struct rpc_ctx *ctx, const json_t *params, const char **id)
{
    return rpc_params_count(ctx, params, 1, 1) ||
                   rpc_param_string(ctx, params, 0, FILTER_ID_ARG_MAX, id)
               ? -1
               : 0;
}

json_t *rpc_eth_get_filter_changes(const json_t *params, struct rpc_ctx *ctx)
{
    const char *id;
    struct rpc_filters *fs;
    if (filter_id(ctx, params, &id) || !(fs = store(ctx)))
        return NULL;
    json_t *out;
    int rc = rpc_filters_changes(fs, id, rpc_filters_now(), &out);
    if (rc == ERR_NOTFOUND)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "filter not found");
    if (rc)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    return out;
}

json_t *rpc_eth_get_filter_logs(const json_t *params, struct rpc_ctx *ctx)
{
    const char *id;
    struct rpc_filters *fs;
    if (filter_id(ctx, params, &id) || !(fs = store(ctx)))
        return NULL;
    struct rpc_log_query q;
    int rc = rpc_filters_query(fs, id, rpc_filters_now(), &q);
    if (rc == ERR_NOTFOUND)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "filter not found");
    if (rc)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    struct chainsvc *svc = rpc_chain(ctx);
    json_t *out = svc ? rpc_log_query_run(ctx, svc, &q) : NULL;
    rpc_log_query_free(&q);
    return out;
}

json_t *rpc_eth_uninstall_filter(const json_t *params, struct rpc_ctx *ctx)
{
    const char *id;
    struct rpc_filters *fs;
    if (filter_id(ctx, params, &id) || !(fs = store(ctx)))
        return NULL;
    return json_boolean(rpc_filters_uninstall(fs, id, rpc_filters_now()));
}
