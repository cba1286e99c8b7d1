/*
 * debug.c — the debug_ namespace: a block's raw RLP (geth's
 * debug_getRawBlock, which submitblock on another node takes back), and
 * geth's struct-log tracing of a mined transaction (debug_traceTransaction)
 * and of a call (debug_traceCall).
 *
 * Tracing a mined transaction replays its block on this worker thread, with
 * its own evm, on a read-only state opened at the parent's state root
 * (chainread.h): the transactions before it run untraced through the same
 * execution the importer uses (chain/processor.h), then the struct logger
 * (trace.h) is attached for the one transaction. The gas and failure shown
 * are those of the stored receipt, which the replay reproduces. Nothing is
 * written: the state is dropped afterwards. debug_traceCall runs its call
 * object as eth_call does (callexec.h), with the logger on that run's evm.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/chain.h"
#include "chain/chaindb.h"
#include "chain/processor.h"
#include "chainsvc/chainsvc.h"
#include "consensus/tribe_engine.h"
#include "evm/evm.h"
#include "rpc/chainjson.h"
#include "rpc/callexec.h"
#include "rpc/chainread.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "rpc/trace.h"
#include "util/bytes.h"
#include "util/err.h"
#include "util/hex.h"

static json_t *get_raw_block(const json_t *params, struct rpc_ctx *ctx)
{
    struct rpc_block_ref ref;
    if (rpc_params_count(ctx, params, 1, 1) || rpc_param_block_ref(ctx, params, 0, true, &ref))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    struct db *db = chainsvc_db(svc);
    struct db_snapshot *snap = db_snapshot_new(db);
    if (!snap)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    struct hash32 hash;
    uint64_t number;
    json_t *out = NULL;
    int r = rpc_resolve_block(ctx, svc, snap, &ref, &hash, &number);
    if (r == 1)
        rpc_fail(ctx, RPC_SERVER_ERROR, "block not found");
    if (r == 0) {
        struct block b;
        int rc = chaindb_read_block(db, snap, &hash, &b);
        if (rc == ERR_NOTFOUND) {
            rpc_fail(ctx, RPC_SERVER_ERROR, "block not found");
        } else if (rc) {
            rpc_fail_db(ctx, rc);
        } else {
            struct bytes enc = BYTES_INIT;
            if (block_encode(&b, &enc) == 0)
                out = rpc_json_hex(enc.data, enc.len);
            if (!out)
                rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
            bytes_free(&enc);
            block_free(&b);
        }
    }
    db_snapshot_free(db, snap);
    return out;
}

/* ---- debug_traceTransaction --------------------------------------------------- */

/* Replays block m->block up to transaction m->index on st (the parent's
 * state) with evm, the last one traced by l. Returns 0 or -1 (error set). */
static int replay_traced(struct rpc_ctx *ctx, const struct chain_params *p, struct db *db,
                         const struct rpc_mined_tx *m, struct state *st, struct evm *evm,
                         struct rpc_struct_logger *l)
{
    const struct block *b = &m->block;
    const struct header *h = &b->header;
    struct address author;
    memset(&author, 0, sizeof author);
    if (address_is_zero(&h->coinbase) && h->number > 0 &&
        tribe_recover_signer(h, &author, NULL) != 0)
        memset(&author, 0, sizeof author);
    struct chain_hash_ctx hctx;
    chain_hash_ctx_init(&hctx, db, &h->parent_hash, h->number - 1);
    struct chain_exec_env env = {
        .params = p,
        .evm = evm,
        .signer = &author,
        .block_hash = chain_block_hash,
        .block_hash_ctx = &hctx,
    };
    struct chain_exec *x;
    int rc = chain_exec_begin(&env, st, h, &x);
    if (rc) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "tracing failed: %s", err_msg());
        return -1;
    }
    for (size_t i = 0; i <= m->index; i++) {
        if (atomic_load(ctx->cancelled)) {
            chain_exec_abort(x);
            rpc_fail(ctx, RPC_SERVER_ERROR, "tracing failed: cancelled");
            return -1;
        }
        struct address from;
        if (rpc_tx_sender(ctx, p, b, i, &from)) {
            chain_exec_abort(x);
            return -1;
        }
        if (i == m->index) {
            struct evm_tracer t = rpc_struct_logger_tracer(l);
            evm_set_tracer(evm, &t);
        }
        rc = chain_exec_tx(x, &b->body.txs[i], &from);
        evm_set_tracer(evm, NULL);
        if (rc) {
            chain_exec_abort(x);
            if (rc == ERR_NOMEM)
                rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
            else
                rpc_fail(ctx, RPC_SERVER_ERROR, "tracing failed: tx %zu: %s", i, err_msg());
            return -1;
        }
    }
    chain_exec_abort(x);
    return 0;
}

/* The stored receipt's gas used and status of transaction `index`. */
static int receipt_outcome(struct rpc_ctx *ctx, struct db *db, const struct hash32 *block_hash,
                           uint64_t index, uint64_t *gas, bool *failed)
{
    struct receipt *rs = NULL;
    size_t n = 0;
    int rc = chaindb_read_receipts(db, NULL, block_hash, &rs, &n);
    if (rc)
        return rpc_fail_db(ctx, rc);
    int r = 0;
    if (index >= n) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "receipts of the block are incomplete");
        r = -1;
    } else {
        uint64_t prev = index ? rs[index - 1].cumulative_gas : 0;
        *gas = rs[index].cumulative_gas >= prev ? rs[index].cumulative_gas - prev : 0;
        *failed = rs[index].status == 0;
    }
    chaindb_receipts_free(rs, n);
    return r;
}

static json_t *trace_transaction(const json_t *params, struct rpc_ctx *ctx)
{
    struct hash32 hash;
    struct rpc_trace_config cfg;
    if (rpc_params_count(ctx, params, 1, 2) || rpc_param_hash(ctx, params, 0, &hash) ||
        rpc_trace_config_parse(ctx, params, 1, &cfg))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    struct db *db = chainsvc_db(svc);
    const struct chain_params *p = chainsvc_params(svc);
    struct rpc_mined_tx m;
    int r = rpc_find_mined_tx(ctx, db, NULL, &hash, &m);
    if (r < 0)
        return NULL;
    if (r == 1) {
        char hex[65];
        hex_encode(hex, hash.b, 32);
        return rpc_fail(ctx, RPC_SERVER_ERROR, "transaction %s not found", hex);
    }
    json_t *out = NULL;
    uint64_t gas = 0;
    bool failed = false;
    struct rpc_block_ref parent = {.kind = RPC_BLOCK_HASH, .hash = m.block.header.parent_hash};
    struct rpc_state_view v;
    struct evm *evm = NULL;
    struct rpc_struct_logger *l = NULL;
    if (receipt_outcome(ctx, db, &m.block_hash, m.index, &gas, &failed) == 0) {
        if (rpc_state_view_open(ctx, svc, &parent, &v) == 0) {
            if (evm_new(&evm) || rpc_struct_logger_new(&cfg, ctx->cancelled, &l)) {
                rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
            } else if (replay_traced(ctx, p, db, &m, v.st, evm, l) == 0 &&
                       rpc_state_view_check(ctx, &v) == 0) {
                out = rpc_struct_logger_result(l, ctx, gas, failed);
            }
        }
        rpc_state_view_close(&v);
    }
    rpc_struct_logger_free(l);
    evm_free(evm);
    block_free(&m.block);
    return out;
}

/* ---- debug_traceCall ------------------------------------------------------------ */

/* Runs args on the block ref names with a struct logger; the result or
 * NULL (error set). */
static json_t *trace_call_run(struct rpc_ctx *ctx, struct chainsvc *svc,
                              const struct rpc_block_ref *ref, const struct callexec_args *args,
                              const struct callexec_overrides *ov,
                              const struct rpc_trace_config *cfg)
{
    struct callexec_block cb;
    memset(&cb, 0, sizeof cb);
    struct rpc_struct_logger *l = NULL;
    json_t *out = NULL;
    if (callexec_open(ctx, svc, ref, &cb) == 0) {
        if (rpc_struct_logger_new(cfg, ctx->cancelled, &l)) {
            rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        } else {
            uint64_t gas = args->has_gas && args->gas ? args->gas : CALLEXEC_DEFAULT_GAS;
            struct evm_tracer t = rpc_struct_logger_tracer(l);
            struct evm_tx_result res;
            evm_set_tracer(cb.evm, &t);
            int rc = callexec_run(ctx, &cb, args, ov, gas, &res);
            evm_set_tracer(cb.evm, NULL);
            if (rc == 0) {
                out = rpc_struct_logger_result(l, ctx, res.gas_used, res.status != EVM_SUCCESS);
                evm_tx_result_free(&res);
            }
        }
    }
    rpc_struct_logger_free(l);
    callexec_close(&cb);
    return out;
}

static json_t *trace_call(const json_t *params, struct rpc_ctx *ctx)
{
    struct callexec_args args;
    struct callexec_overrides ov;
    struct rpc_block_ref ref;
    struct rpc_trace_config cfg;
    memset(&args, 0, sizeof args);
    memset(&ov, 0, sizeof ov);
    const json_t *c = json_array_get(params, 2);
    struct chainsvc *svc = NULL;
    json_t *out = NULL;
    if (rpc_params_count(ctx, params, 1, 3) == 0 &&
        callexec_parse_args(ctx, json_array_get(params, 0), 0, &args) == 0 &&
        rpc_param_block_ref(ctx, params, 1, true, &ref) == 0 &&
        rpc_trace_config_parse(ctx, params, 2, &cfg) == 0 &&
        (!json_is_object(c) ||
         callexec_parse_overrides(ctx, json_object_get(c, "stateOverrides"), 2, &ov) == 0) &&
        (svc = rpc_chain(ctx)) != NULL)
        out = trace_call_run(ctx, svc, &ref, &args, &ov, &cfg);
    callexec_args_free(&args);
    callexec_overrides_free(&ov);
    return out;
}

static const struct rpc_param_doc raw_block_params[] = {
    {"block", "quantity|tag|hash", false,
     "a block number, \"latest\", \"earliest\", \"pending\", or a block hash (any stored block)"},
};

static const struct rpc_param_doc trace_tx_params[] = {
    {"hash", "hash", false, "the transaction's hash (a mined transaction of the canonical chain)"},
    {"config", "object", true,
     "{disableStack?: bool, disableStorage?: bool, enableMemory?: bool, disableMemory?: bool, "
     "limit?: number of struct logs, tracer?: refused (-32000 \"unsupported tracer\"), "
     "timeout?, reexec?: accepted and ignored}; memory is off unless enableMemory is true or "
     "disableMemory is false"},
};

static const struct rpc_param_doc trace_call_params[] = {
    {"call", "object", false,
     "as eth_call: {from?, to?, gas?, gasPrice?, value?, data|input?}; gas defaults to 50M"},
    {"block", "quantity|tag|hash", true, "the block whose state the call runs on (default "
     "latest)"},
    {"config", "object", true,
     "as debug_traceTransaction's, plus stateOverrides?: eth_call's state override set"},
};

static const struct rpc_method debug_methods[] = {
    {.name = "debug_getRawBlock", .fn = get_raw_block, .flags = 0,
     .summary = "Returns a block's RLP encoding ([header, transactions, uncles]), as "
                "submitblock takes it.",
     .params = raw_block_params, .nparams = RPC_COUNT(raw_block_params),
     .result = "\"0x...\" (hex data); -32000 \"block not found\""},
    {.name = "debug_traceTransaction", .fn = trace_transaction, .flags = 0,
     .summary = "Replays a mined transaction on its parent block's state (with the "
                "transactions before it in its block) and returns geth's struct-log trace "
                "of every instruction it executed.",
     .params = trace_tx_params, .nparams = RPC_COUNT(trace_tx_params),
     .result = "{gas: gas used (number), failed: bool, returnValue: hex without 0x, "
               "structLogs: [{pc, op, gas, gasCost, depth, error?, stack?: [64 hex digits], "
               "memory?: [64 hex digits per word], storage?: {slot: value} on SLOAD/SSTORE}]}; "
               "-32000 \"transaction <hash> not found\"; -32000 when the trace would exceed "
               "64 MiB of JSON"},
    {.name = "debug_traceCall", .fn = trace_call, .flags = 0,
     .summary = "Runs a call as eth_call does (on the block's state, nothing kept) and "
                "returns the struct-log trace of every instruction it executed.",
     .params = trace_call_params, .nparams = RPC_COUNT(trace_call_params),
     .result = "as debug_traceTransaction: {gas (the call's gas used), failed, returnValue, "
               "structLogs}; eth_call's errors for an invalid call (\"insufficient funds "
               "...\", \"intrinsic gas too low ...\"); -32000 \"header not found\""},
};

const struct rpc_namespace rpc_ns_debug = {"debug", debug_methods, RPC_COUNT(debug_methods),
                                           false};
