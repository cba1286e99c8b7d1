/*
 * control.c — methods that control the server and the node rather than read
 * the chain: help, stop, uptime, rpc_modules. They need credentials and are
 * always offered (-rpcapi does not remove them: an operator must always be
 * able to stop the node).
 */
#include <stdlib.h>
#include <time.h>

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

static const struct rpc_param_doc help_params[] = {
    {"method", "string", true, "a method name; without it, every method is listed"},
};

static const struct rpc_method control_methods[] = {
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
    {.name = "uptime", .fn = uptime, .flags = RPC_INLINE,
     .summary = "Returns the seconds since the node started.",
     .result = "n (integer)"},
};

const struct rpc_namespace rpc_ns_control = {"control", control_methods,
                                             RPC_COUNT(control_methods), true};
