/*
 * debug.c — the debug_ namespace. For now the one method the functional
 * tests and block tools need: a block's raw RLP (geth's debug_getRawBlock),
 * which submitblock on another node takes back.
 */
#include "chain/chaindb.h"
#include "chainsvc/chainsvc.h"
#include "rpc/chainjson.h"
#include "rpc/chainread.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "util/bytes.h"
#include "util/err.h"

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

static const struct rpc_param_doc raw_block_params[] = {
    {"block", "quantity|tag|hash", false,
     "a block number, \"latest\", \"earliest\", \"pending\", or a block hash (any stored block)"},
};

static const struct rpc_method debug_methods[] = {
    {.name = "debug_getRawBlock", .fn = get_raw_block, .flags = 0,
     .summary = "Returns a block's RLP encoding ([header, transactions, uncles]), as "
                "submitblock takes it.",
     .params = raw_block_params, .nparams = RPC_COUNT(raw_block_params),
     .result = "\"0x...\" (hex data); -32000 \"block not found\""},
};

const struct rpc_namespace rpc_ns_debug = {"debug", debug_methods, RPC_COUNT(debug_methods),
                                           false};
