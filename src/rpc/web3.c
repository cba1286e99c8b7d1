/*
 * web3.c — the web3_ namespace: the client's name and Keccak-256.
 *
 * Both methods read nothing but their arguments, so web3_clientVersion runs
 * on the loop thread (RPC_INLINE); web3_sha3 hashes up to a request's worth
 * of data and goes to a worker.
 */
#include "config.h"

#include <stdlib.h>

#include "crypto/keccak.h"
#include "rpc/methods.h"
#include "rpc/params.h"

#if defined(__linux__)
#define RPC_OS "linux"
#elif defined(__APPLE__)
#define RPC_OS "darwin"
#elif defined(__FreeBSD__)
#define RPC_OS "freebsd"
#else
#define RPC_OS "unknown"
#endif

#if defined(__x86_64__)
#define RPC_ARCH "amd64"
#elif defined(__aarch64__)
#define RPC_ARCH "arm64"
#elif defined(__i386__)
#define RPC_ARCH "386"
#elif defined(__arm__)
#define RPC_ARCH "arm"
#else
#define RPC_ARCH "unknown"
#endif

#if defined(__clang__)
#define RPC_CC "clang"
#elif defined(__GNUC__)
#define RPC_CC "gcc"
#else
#define RPC_CC "cc"
#endif

const char *rpc_client_version(void)
{
    return "spectrumd/v" PACKAGE_VERSION "/" RPC_OS "-" RPC_ARCH "/" RPC_CC;
}

/* Largest input web3_sha3 hashes (the request size limit is the real cap). */
#define SHA3_INPUT_MAX (1u << 30)

static json_t *client_version(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    return json_string(ctx->env->client_version ? ctx->env->client_version
                                                : rpc_client_version());
}

static json_t *sha3(const json_t *params, struct rpc_ctx *ctx)
{
    uint8_t *data;
    size_t len;
    if (rpc_params_count(ctx, params, 1, 1) ||
        rpc_param_bytes(ctx, params, 0, SHA3_INPUT_MAX, &data, &len))
        return NULL;
    uint8_t h[32];
    keccak256(data, len, h);
    free(data);
    return rpc_json_hex(h, 32);
}

static const struct rpc_param_doc sha3_params[] = {
    {"data", "hex data", false, "the bytes to hash, 0x-prefixed"},
};

static const struct rpc_method web3_methods[] = {
    {.name = "web3_clientVersion", .fn = client_version, .flags = RPC_PUBLIC | RPC_INLINE,
     .summary = "Returns the client's name and version.",
     .result = "\"spectrumd/v<version>/<os>-<arch>/<compiler>\" (string)"},
    {.name = "web3_sha3", .fn = sha3, .flags = RPC_PUBLIC,
     .summary = "Returns the Keccak-256 hash (Ethereum's, not FIPS SHA3-256) of the data.",
     .params = sha3_params, .nparams = RPC_COUNT(sha3_params),
     .result = "\"0x...\" (hex data) the 32-byte hash"},
};

const struct rpc_namespace rpc_ns_web3 = {"web3", web3_methods, RPC_COUNT(web3_methods), false};
