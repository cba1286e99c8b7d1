/*
 * control.c — methods that control the server and the node rather than read
 * the chain: help, stop, uptime, rpc_modules, and bitcoind's block controls
 * generate and submitblock. They need credentials and are always offered
 * (-rpcapi does not remove them: an operator must always be able to stop
 * the node).
 *
 * generate and submitblock hand their work to the chain service and wait
 * for it on the worker thread: producing or importing a block changes the
 * chain, which only the chain thread may do.
 */
#include <stdlib.h>
#include <time.h>

#include "chainsvc/chainsvc.h"
#include "rpc/chainjson.h"
#include "rpc/chainread.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "util/err.h"

static json_t *help(const json_t *params, struct rpc_ctx *ctx)
{
    const char *method = NULL;
    if (rpc_params_count(ctx, params, 0, 1))
        return NULL;
    if (rpc_param_present(params, 0) &&
        rpc_param_string(ctx, params, 0, RPC_METHOD_NAME_MAX, &method))
        return NULL;
    struct bytes out = BYTES_INIT;
    int rc = rpc_registry_help(ctx->env->registry, method, &out);
    if (rc == ERR_NOTFOUND) {
        bytes_free(&out);
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: the method %s does not "
                        "exist/is not available", method);
    }
    while (!rc && out.len && out.data[out.len - 1] == '\n')
        out.len--;  /* spectrum-cli adds the final newline */
    json_t *s = rc ? NULL : json_stringn(out.len ? (const char *)out.data : "", out.len);
    bytes_free(&out);
    if (!s)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    return s;
}

static json_t *stop(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    ctx->after |= RPC_AFTER_STOP;
    return json_string("spectrumd stopping");
}

static json_t *uptime(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t up = (int64_t)ts.tv_sec - ctx->env->start_time;
    return json_integer(up < 0 ? 0 : up);
}

static json_t *modules(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    const char *names[64];
    size_t n = rpc_registry_namespaces(ctx->env->registry, names, 64);
    json_t *o = json_object();
    for (size_t i = 0; o && i < n && i < 64; i++)
        json_object_set_new(o, names[i], json_string("1.0"));
    return o ? o : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

/* n as a JSON integer (bitcoind's habit) or a hex quantity. */
static int param_count(struct rpc_ctx *ctx, const json_t *params, size_t idx, uint64_t *out)
{
    json_t *v = json_array_get(params, idx);
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: negative count", idx);
            return -1;
        }
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    return rpc_param_quantity(ctx, params, idx, out);
}

static json_t *generate(const json_t *params, struct rpc_ctx *ctx)
{
    uint64_t n;
    if (rpc_params_count(ctx, params, 1, 2) || param_count(ctx, params, 0, &n))
        return NULL;
    if (n > CHAINSVC_GENERATE_MAX)
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: at most %d blocks per call",
                        CHAINSVC_GENERATE_MAX);
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    if (rpc_param_present(params, 1)) {
        struct address want, node;
        if (rpc_param_address(ctx, params, 1, &want))
            return NULL;
        chainsvc_node_address(svc, &node);
        if (!address_eq(&want, &node)) {
            char hex[ADDRESS_HEX_SIZE];
            address_to_checksum_hex(&node, hex);
            return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: blocks are produced "
                            "by the node key; its address is %s", hex);
        }
    }
    struct hash32 *hashes = n ? calloc(n, sizeof *hashes) : NULL;
    if (n && !hashes)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    size_t made = 0;
    int rc = chainsvc_generate(svc, n, hashes, &made);
    json_t *arr = NULL;
    if (rc) {
        rpc_fail(ctx, rc == ERR_NOMEM ? RPC_INTERNAL_ERROR : RPC_SERVER_ERROR, "%s%s",
                 err_msg(), made ? " (some blocks were made before)" : "");
    } else {
        arr = json_array();
        for (size_t i = 0; arr && i < made; i++) {
            if (json_array_append_new(arr, rpc_json_hash(&hashes[i]))) {
                json_decref(arr);
                arr = NULL;
            }
        }
        if (!arr)
            rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    }
    free(hashes);
    return arr;
}

static const char *status_name(enum chain_insert_status st)
{
    switch (st) {
    case CHAIN_INSERT_HEAD: return "head";
    case CHAIN_INSERT_REORG: return "reorg";
    case CHAIN_INSERT_KNOWN: return "known";
    default: return "side";
    }
}

static json_t *submitblock(const json_t *params, struct rpc_ctx *ctx)
{
    uint8_t *rlp;
    size_t len;
    if (rpc_params_count(ctx, params, 1, 1) ||
        rpc_param_bytes(ctx, params, 0, CHAINSVC_MAX_BLOCK_SIZE, &rlp, &len))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc) {
        free(rlp);
        return NULL;
    }
    struct block b;
    int rc = block_decode(rlp, len, &b);
    free(rlp);
    if (rc)
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: block decode failed: %s",
                        err_msg());
    struct chainsvc_import imp;
    rc = chainsvc_import_block(svc, &b, &imp);
    block_free(&b);
    if (rc)
        return rpc_fail(ctx, rc == ERR_NOMEM ? RPC_INTERNAL_ERROR : RPC_SERVER_ERROR, "%s",
                        err_msg());
    json_t *o = json_object();
    bool ok = o && !json_object_set_new(o, "status", json_string(status_name(imp.status))) &&
              !json_object_set_new(o, "hash", rpc_json_hash(&imp.hash)) &&
              !json_object_set_new(o, "number", rpc_json_quantity(imp.number));
    if (!ok) {
        json_decref(o);
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    }
    return o;
}

static const struct rpc_param_doc generate_params[] = {
    {"n", "integer|quantity", false, "how many blocks (at most 1000)"},
    {"address", "address", true,
     "must be the node's address when given (blocks are always produced by the node key)"},
};

static const struct rpc_param_doc submitblock_params[] = {
    {"block", "hex data", false, "the block's RLP encoding (as debug_getRawBlock returns it)"},
};

static const struct rpc_param_doc help_params[] = {
    {"method", "string", true, "a method name; without it, every method is listed"},
};

static const struct rpc_method control_methods[] = {
    {.name = "generate", .fn = generate, .flags = RPC_WAITS,
     .summary = "Produces n blocks now, one after the other, each with the pool's best "
                "transactions, signed by the node key and imported. Always works on regtest; "
                "elsewhere only when the node key may sign (and then at the times the rules "
                "allow).",
     .params = generate_params, .nparams = RPC_COUNT(generate_params),
     .result = "[\"0x...\", ...] the block hashes, oldest first"},
    {.name = "help", .fn = help, .flags = RPC_INLINE,
     .summary = "Lists every available method, or explains one.",
     .params = help_params, .nparams = RPC_COUNT(help_params),
     .result = "the help text (string)"},
    {.name = "rpc_modules", .fn = modules, .flags = RPC_INLINE,
     .summary = "Returns the enabled namespaces (as geth's rpc_modules).",
     .result = "{\"eth\":\"1.0\", \"net\":\"1.0\", ...} (object)"},
    {.name = "stop", .fn = stop, .flags = RPC_ON_LOOP,
     .summary = "Shuts the node down cleanly, as SIGTERM does, once this reply is sent.",
     .result = "\"spectrumd stopping\" (string)"},
    {.name = "submitblock", .fn = submitblock, .flags = RPC_WAITS,
     .summary = "Imports a block through the full validation, as a block from a peer. A rejected "
                "block is -32000 with the reason (\"unknown parent\", \"block in the future\", "
                "\"block 5 0x..: invalid difficulty: ...\").",
     .params = submitblock_params, .nparams = RPC_COUNT(submitblock_params),
     .result = "{\"status\": \"head\"|\"reorg\"|\"side\"|\"known\", \"hash\": \"0x..\", "
               "\"number\": \"0x..\"}"},
    {.name = "uptime", .fn = uptime, .flags = RPC_INLINE,
     .summary = "Returns the seconds since the node started.",
     .result = "n (integer)"},
};

const struct rpc_namespace rpc_ns_control = {"control", control_methods,
                                             RPC_COUNT(control_methods), true};
