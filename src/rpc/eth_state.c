/*
 * eth_state.c — eth_ methods that read one account at a block: balance,
 * nonce (with "pending" counting the pool, spec §11) and code.
 *
 * The state is opened read-only over the database at the block's state
 * root (chainread.h); only the "pending" nonce asks the chain thread, since
 * the pool is its own.
 */
#include <string.h>

#include "chainsvc/chainsvc.h"
#include "rpc/chainread.h"
#include "rpc/eth_methods.h"
#include "rpc/params.h"
#include "util/err.h"

/* Parses (address, block) and opens the state; returns 0 or -1. */
static int open_account(const json_t *params, struct rpc_ctx *ctx, struct address *a,
                        struct rpc_block_ref *ref, struct rpc_state_view *v)
{
    memset(v, 0, sizeof *v);
    if (rpc_params_count(ctx, params, 1, 2) || rpc_param_address(ctx, params, 0, a) ||
        rpc_param_block_ref(ctx, params, 1, true, ref))
        return -1;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return -1;
    return rpc_state_view_open(ctx, svc, ref, v);
}

json_t *rpc_eth_get_balance(const json_t *params, struct rpc_ctx *ctx)
{
    struct address a;
    struct rpc_block_ref ref;
    struct rpc_state_view v;
    json_t *out = NULL;
    if (open_account(params, ctx, &a, &ref, &v) == 0) {
        u256 bal;
        state_get_balance(v.st, &a, &bal);
        if (rpc_state_view_check(ctx, &v) == 0)
            out = rpc_json_u256(&bal);
    }
    rpc_state_view_close(&v);
    return out;
}

json_t *rpc_eth_get_transaction_count(const json_t *params, struct rpc_ctx *ctx)
{
    struct address a;
    struct rpc_block_ref ref;
    if (rpc_params_count(ctx, params, 1, 2) || rpc_param_address(ctx, params, 0, &a) ||
        rpc_param_block_ref(ctx, params, 1, true, &ref))
        return NULL;
    if (ref.kind == RPC_BLOCK_PENDING) {
        struct chainsvc *svc = rpc_chain(ctx);
        if (!svc)
            return NULL;
        uint64_t nonce;
        int rc = chainsvc_pool_nonce(svc, &a, &nonce);
        if (rc) {
            rpc_fail_db(ctx, rc);
            return NULL;
        }
        return rpc_json_quantity(nonce);
    }
    struct rpc_state_view v;
    json_t *out = NULL;
    if (open_account(params, ctx, &a, &ref, &v) == 0) {
        uint64_t nonce = state_get_nonce(v.st, &a);
        if (rpc_state_view_check(ctx, &v) == 0)
            out = rpc_json_quantity(nonce);
    }
    rpc_state_view_close(&v);
    return out;
}

json_t *rpc_eth_get_code(const json_t *params, struct rpc_ctx *ctx)
{
    struct address a;
    struct rpc_block_ref ref;
    struct rpc_state_view v;
    json_t *out = NULL;
    if (open_account(params, ctx, &a, &ref, &v) == 0) {
        size_t len = 0;
        const uint8_t *code = state_get_code(v.st, &a, &len);
        if (rpc_state_view_check(ctx, &v) == 0)
            out = rpc_json_hex(code, len);
    }
    rpc_state_view_close(&v);
    return out;
}
