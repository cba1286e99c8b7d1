/*
 * eth_call.c — eth_call and eth_estimateGas: a message run on the state of
 * a block without committing anything (rpc/callexec.h runs it).
 *
 * eth_call takes Spectrum's optional third argument, a block hash that
 * overrides the block number (spec §11), and geth's state override set;
 * since both would sit in position 2, the type decides: a string is the
 * hash, an object the overrides (which may then also follow the hash in
 * position 3). Its gas defaults to 50M (spec §11).
 *
 * eth_estimateGas is geth's binary search: the largest allowance is the
 * given gas (when at least 21000) or the block's gas limit, capped by what
 * the sender can pay at the given gas price; it fails with the run's error
 * when even that allowance fails, and otherwise returns the smallest gas
 * with which the message succeeds. Each probe is a full transaction on a
 * fresh state, so the answer is exact: that gas succeeds as a transaction's
 * gas limit, one less fails.
 */
#include <stdlib.h>
#include <string.h>

#include "rpc/callexec.h"
#include "rpc/chainread.h"
#include "rpc/eth_methods.h"
#include "rpc/params.h"
#include "state/state.h"
#include "util/err.h"

/* geth's params.TxGas: the least gas a transaction can have. */
#define TX_GAS 21000u

/* The arguments both methods share: (call object, block?, ...). */
struct call_req {
    struct callexec_args args;
    struct rpc_block_ref ref;
    struct callexec_overrides ov;
};

static void req_free(struct call_req *r)
{
    callexec_args_free(&r->args);
    callexec_overrides_free(&r->ov);
}

/*
 * eth_call: (call, block?, hash|overrides?, overrides?). estimateGas:
 * (call, block?, overrides?). Returns 0 or -1 (error set; r owns nothing).
 */
static int parse_req(struct rpc_ctx *ctx, const json_t *params, bool spectrum_hash,
                     struct call_req *r)
{
    memset(r, 0, sizeof *r);
    if (rpc_params_count(ctx, params, 1, spectrum_hash ? 4 : 3) ||
        callexec_parse_args(ctx, json_array_get(params, 0), 0, &r->args) ||
        rpc_param_block_ref(ctx, params, 1, true, &r->ref))
        goto fail;
    size_t ov_idx = 2;
    const json_t *p2 = json_array_get(params, 2);
    if (spectrum_hash) {
        if (p2 && json_is_string(p2)) {
            if (rpc_param_hash(ctx, params, 2, &r->ref.hash))
                goto fail;
            r->ref.kind = RPC_BLOCK_HASH;
            ov_idx = 3;
        } else if (!p2 || json_is_null(p2)) {
            ov_idx = 3;
        } else if (json_is_object(p2)) {
            if (rpc_params_count(ctx, params, 1, 3))
                goto fail;
        } else {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 2: want a block hash (string) "
                     "or a state override set (object)");
            goto fail;
        }
    }
    if (callexec_parse_overrides(ctx, json_array_get(params, ov_idx), ov_idx, &r->ov))
        goto fail;
    return 0;
fail:
    req_free(r);
    return -1;
}

json_t *rpc_eth_call(const json_t *params, struct rpc_ctx *ctx)
{
    struct call_req r;
    if (parse_req(ctx, params, true, &r))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    struct callexec_block cb;
    json_t *out = NULL;
    memset(&cb, 0, sizeof cb);
    if (svc && callexec_open(ctx, svc, &r.ref, &cb) == 0) {
        /* geth 1.8: no gas (or 0) is the default */
        uint64_t gas = r.args.has_gas && r.args.gas ? r.args.gas : CALLEXEC_DEFAULT_GAS;
        struct evm_tx_result res;
        if (callexec_run(ctx, &cb, &r.args, &r.ov, gas, &res) == 0) {
            if (res.status == EVM_SUCCESS) {
                out = rpc_json_hex(res.output, res.output_len);
                if (!out)
                    rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
            } else {
                callexec_fail(ctx, &res);
            }
            evm_tx_result_free(&res);
        }
    }
    callexec_close(&cb);
    req_free(&r);
    return out;
}

/* ---- eth_estimateGas --------------------------------------------------------------- */

/* The sender's balance at the block with the overrides applied. */
static int sender_balance(struct rpc_ctx *ctx, struct callexec_block *cb, const struct call_req *r,
                          u256 *bal)
{
    struct state *st = NULL;
    int rc = state_open(&cb->store, cb->header.state_root.b, &st);
    if (rc == 0)
        rc = callexec_apply_overrides(st, &r->ov);
    if (rc == 0) {
        state_get_balance(st, &r->args.from, bal);
        rc = state_error(st);
    }
    state_free(st);
    return rc ? rpc_fail_db(ctx, rc) : 0;
}

/* One probe with `gas`. Returns 1 (succeeded), 0 (failed; *res filled when
 * ran, else res->status is EVM_OUT_OF_GAS: too little gas to start), -1
 * (an error that ends the search; ctx's error set). An invalid message
 * other than for too little gas ends the search too. */
static int probe(struct rpc_ctx *ctx, struct callexec_block *cb, const struct call_req *r,
                 uint64_t gas, uint64_t intrinsic, struct evm_tx_result *res)
{
    if (gas < intrinsic) {
        memset(res, 0, sizeof *res);
        res->status = EVM_OUT_OF_GAS;
        return 0;
    }
    int rc = callexec_run(ctx, cb, &r->args, &r->ov, gas, res);
    if (rc == CALLEXEC_INVALID || rc < 0)
        return -1;
    return res->status == EVM_SUCCESS ? 1 : 0;
}

int rpc_estimate_gas_of(struct rpc_ctx *ctx, const json_t *o, uint64_t *gas)
{
    json_t *params = json_pack("[Os]", o, "latest");
    if (!params) {
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        return -1;
    }
    json_t *r = rpc_eth_estimate_gas(params, ctx);
    json_decref(params);
    int rc = r && rpc_json_to_quantity(ctx, r, 0, "gas", gas) == 0 ? 0 : -1;
    json_decref(r);
    return rc;
}

json_t *rpc_eth_estimate_gas(const json_t *params, struct rpc_ctx *ctx)
{
    struct call_req r;
    if (parse_req(ctx, params, false, &r))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    struct callexec_block cb;
    json_t *out = NULL;
    memset(&cb, 0, sizeof cb);
    if (!svc || callexec_open(ctx, svc, &r.ref, &cb))
        goto done;

    uint64_t hi = r.args.has_gas && r.args.gas >= TX_GAS ? r.args.gas : cb.header.gas_limit;
    if (hi > CALLEXEC_GAS_CAP)
        hi = CALLEXEC_GAS_CAP;
    if (!u256_iszero(&r.args.gas_price)) {
        /* what the sender can pay for (geth's "capped by limited funds") */
        u256 bal, avail, allow;
        if (sender_balance(ctx, &cb, &r, &bal))
            goto done;
        if (u256_lt(&bal, &r.args.value)) {
            rpc_fail(ctx, RPC_SERVER_ERROR, "insufficient funds for transfer");
            goto done;
        }
        u256_sub(&avail, &bal, &r.args.value);
        u256_div(&allow, &avail, &r.args.gas_price);
        if (u256_fits_u64(&allow) && allow.w[0] < hi)
            hi = allow.w[0];
    }
    const uint64_t cap = hi;
    uint64_t intrinsic = callexec_intrinsic_gas(&cb, &r.args);
    uint64_t lo = intrinsic ? intrinsic - 1 : 0;

    /* Does the largest allowance do it? If not, say why. */
    struct evm_tx_result res;
    int ok = probe(ctx, &cb, &r, hi, intrinsic, &res);
    if (ok < 0)
        goto done;
    if (!ok) {
        if (res.status == EVM_OUT_OF_GAS)
            rpc_fail(ctx, RPC_SERVER_ERROR, "gas required exceeds allowance (%llu)",
                     (unsigned long long)cap);
        else
            callexec_fail(ctx, &res);
        evm_tx_result_free(&res);
        goto done;
    }
    /* Any less than the gas the message paid for cannot succeed: it used at
     * least that much before its refund. */
    if (res.gas_used > 0 && res.gas_used - 1 > lo)
        lo = res.gas_used - 1;
    evm_tx_result_free(&res);
    while (lo + 1 < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        ok = probe(ctx, &cb, &r, mid, intrinsic, &res);
        evm_tx_result_free(&res);
        if (ok < 0)
            goto done;
        if (ok)
            hi = mid;
        else
            lo = mid;
    }
    out = rpc_json_quantity(hi);
    if (!out)
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
done:
    callexec_close(&cb);
    req_free(&r);
    return out;
}
