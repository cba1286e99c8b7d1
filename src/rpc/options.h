/*
 * options.h — the RPC server's options (-rpc*, -ws*) and the configuration
 * they resolve to.
 *
 * The table lives next to the server, as options.h in node/ asks of later
 * modules; spectrumd registers it as its own and spectrum-cli as foreign
 * (so one spectrum.conf serves both). rpc_config_from_args validates every
 * value before anything listens, so a bad -rpcallowip or -rpcauth stops the
 * node at start-up with a message naming the option.
 */
#ifndef SPECTRUM_RPC_OPTIONS_H
#define SPECTRUM_RPC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/addr.h"
#include "rpc/auth.h"
#include "util/fs.h"

struct args;

#define RPC_API_MAX 32
#define RPC_API_NAME_MAX 32
#define RPC_CORS_MAX 16
#define RPC_ORIGIN_MAX 256

#define RPC_DEFAULT_THREADS 4
#define RPC_DEFAULT_MAX_REQUEST (5u << 20)
#define RPC_DEFAULT_MAX_BATCH 1000
#define RPC_DEFAULT_TIMEOUT 30
#define RPC_DEFAULT_MAX_CONNECTIONS 2048

struct rpc_config {
    bool http;                      /* -rpc */
    bool ws;                        /* -ws */
    struct rpc_endpoint http_bind[RPC_ENDPOINTS_MAX];
    size_t nhttp_bind;
    struct rpc_endpoint ws_bind[RPC_ENDPOINTS_MAX];
    size_t nws_bind;
    bool default_bind;              /* localhost defaults: a failed ::1 only warns */
    struct rpc_acl acl;             /* -rpcallowip, or localhost */
    struct rpc_auth auth;           /* password and -rpcauth; the cookie comes later */
    bool cookie;                    /* write a cookie (no -rpcpassword) */
    char cookie_path[FS_PATH_MAX];
    unsigned threads;
    bool all_apis;
    char apis[RPC_API_MAX][RPC_API_NAME_MAX];
    size_t napis;
    char cors[RPC_CORS_MAX][RPC_ORIGIN_MAX];  /* "*" allows any origin */
    size_t ncors;
    size_t max_request;             /* bytes */
    size_t max_batch;
    unsigned timeout;               /* seconds per request */
    unsigned max_connections;       /* per server (HTTP, WebSocket) */
    unsigned poll_us;               /* -rpcpoll (node/evloop.h); 0: none */
};

/* Registers -rpc, -rpcbind, -rpcport, -rpcallowip, -rpcuser, -rpcpassword,
 * -rpcauth, -rpccookiefile, -rpcthreads, -rpcapi, -rpccorsdomain,
 * -rpcmaxrequestsize, -rpcmaxbatch, -rpctimeout, -rpcmaxconnections, -rpcpoll,
 * -ws, -wsport, -wsbind. `foreign` as in args_register_foreign. */
int rpc_register_args(struct args *a, bool foreign);

/* -rpcpoll's default: RPC_DEFAULT_POLL_US when this process may run on two
 * or more CPUs, else 0 (polling on the only CPU would keep the client off
 * it). */
#define RPC_DEFAULT_POLL_US 50
unsigned rpc_default_poll_us(void);

/* Fills *out from the parsed options. netdir resolves a relative
 * -rpccookiefile; the ports are the network's defaults. Returns 0 or
 * ERR_INVAL / ERR_RANGE with a message naming the option. Thread: main. */
int rpc_config_from_args(const struct args *a, const char *netdir, uint16_t rpc_port,
                         uint16_t ws_port, struct rpc_config *out);

/* True when origin is allowed by -rpccorsdomain (case-insensitive, exact,
 * or "*"). */
bool rpc_cors_allows(const struct rpc_config *c, const char *origin);

#endif
