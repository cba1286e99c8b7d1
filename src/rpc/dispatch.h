/*
 * dispatch.h — JSON-RPC methods: the handler interface, one table per
 * namespace, and the registry built from those tables at start-up.
 *
 * Every method is a row in its namespace's table (web3.c, net.c, control.c,
 * eth.c, ...) with its name, handler, flags and help text, so `help`,
 * `help <method>`, `rpc_modules`, -rpcapi and the access rule all come from
 * the same data and cannot drift apart from the code.
 *
 * ACCESS. Only methods of the eth_, net_ and web3_ namespaces may be public
 * (callable without credentials), and only when their row says RPC_PUBLIC.
 * Everything else (personal_, admin_, debug_, txpool_, channel_, the control
 * methods such as `stop`) needs credentials. The decision for a name that is
 * not registered depends on its prefix alone (rpc_registry_needs_auth), so an
 * unauthenticated client cannot learn which private methods exist.
 *
 * THREADING RULE. A handler runs on a worker thread (worker.h), several at
 * once, unless its row has RPC_ON_LOOP. It may only read immutable data: the
 * rpc_env, and (once the chain exists) immutable snapshots of a head that
 * the chain thread publishes. It must never change node state directly, never
 * block on the event loop, and should check *ctx->cancelled in long loops
 * (the request timed out or the server is stopping: its answer will be
 * dropped). RPC_ON_LOOP handlers run on the event-loop thread, may use
 * loop-owned state (WebSocket subscriptions, shutting the node down) and must
 * be quick. The handlers of eth_getBalance, eth_getCode and eth_getStorageAt
 * may also run on the loop thread while it is idle (job.h, "Loop reads"), so
 * they must stay bounded reads that never wait for the chain thread.
 *
 * ERRORS. A handler returns a new reference to its result, or NULL. NULL
 * with ctx->err.code == 0 is the JSON result null (e.g. an unknown receipt);
 * NULL after rpc_fail() is an error reply. Codes follow geth: -32602 for bad
 * params (the message names the argument), -32000 for server errors with
 * geth's messages, 3 for an execution revert with the revert data (hex) in
 * `data`.
 */
#ifndef SPECTRUM_RPC_DISPATCH_H
#define SPECTRUM_RPC_DISPATCH_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"
#include "util/bytes.h"

/* JSON-RPC 2.0 and geth error codes. */
enum rpc_errcode {
    RPC_PARSE_ERROR = -32700,
    RPC_INVALID_REQUEST = -32600,
    RPC_METHOD_NOT_FOUND = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_INTERNAL_ERROR = -32603,
    RPC_SERVER_ERROR = -32000,
    RPC_EXECUTION_REVERTED = 3,
};

#define RPC_ERRMSG_MAX 512
#define RPC_METHOD_NAME_MAX 128     /* longer names are never registered */

struct rpc_error {
    int code;                       /* 0: no error */
    char message[RPC_ERRMSG_MAX];
    json_t *data;                   /* owned; NULL when absent */
};

enum rpc_transport {
    RPC_TRANSPORT_NONE,             /* tests, fuzzing */
    RPC_TRANSPORT_HTTP,
    RPC_TRANSPORT_WS,
};

struct chainsvc;
struct mb_service;
struct ch_chainclient; /* issue 7: channel */
struct ch_hub;         /* issue 7: channel */
struct p2p;
struct rpc_registry;
struct rpc_ws;
struct wallet;

/* What handlers may use. Filled before the server starts, immutable while
 * it runs (so any thread may read it). Later modules add their snapshot
 * sources here. */
struct rpc_env {
    uint64_t network_id;            /* net_version */
    const char *client_version;     /* web3_clientVersion */
    int64_t start_time;             /* monotonic seconds at start (uptime) */
    const struct rpc_registry *registry;
    struct rpc_ws *ws;              /* subscriptions; NULL without WebSocket */
    /* Asks the node to shut down as on SIGTERM. Called on the loop thread
     * after the reply to `stop` was sent. NULL: `stop` only answers. */
    void (*request_stop)(void *arg);
    void *stop_arg;
    /* The chain service (chainsvc/chainsvc.h: thread-safe commands and the
     * published head) and the wallet (wallet/wallet.h: thread-safe). NULL
     * when the node runs without them (tests): the chain's methods then
     * answer -32000 "the chain is not available", eth_accounts []. */
    struct chainsvc *chain;
    struct wallet *wallet;
    /* The p2p service (net/p2p.h: thread-safe queries and admin_addPeer);
     * NULL when p2p is off (-maxpeers=0) or in tests: admin_peers is then
     * [], net_peerCount 0, admin_addPeer "p2p is not running yet". */
    struct p2p *p2p;
    /* The eth_newFilter family's store (filters.h: thread-safe), owned by
     * the server; the chain event publisher feeds it. */
    struct rpc_filters *filters;
    /* The account relay_transferProxy sends from and pays the gas with
     * (-relayer, node/keys.h: an account of the wallet, which must be
     * unlocked when relaying). has_relayer false: none, and relaying
     * answers -32000 "no relayer account ...". */
    bool has_relayer;
    struct address relayer;
    /* issue 8: meshbox */
    /* The MeshBox receipt book and reporter (meshbox/service.h:
     * thread-safe); NULL when the chain has no MeshBox weighting or
     * -meshbox=0: the meshbox_ receipt methods then answer -32000. */
    struct mb_service *meshbox;
    /* end issue 8: meshbox */
    /* issue 7: channel */
    /* The channel hub and its chain client (channel/hub.h,
     * channel/chainclient.h: thread-safe commands); NULL when the hub is
     * off: the channel_ methods then answer -32000 "the channel hub is not
     * running". channel_host: its UDP bind address. channel_test (regtest):
     * channel_close accepts a test-only proof to close with. */
    struct ch_hub *channel_hub;
    struct ch_chainclient *channel_client;
    const char *channel_host;
    bool channel_test;
    /* end issue 7: channel */
};

/* After-reply actions a handler may ask for (rpc_ctx.after). */
#define RPC_AFTER_STOP 0x1u

/* One call's context: handed to the handler, which reports errors in it. */
struct rpc_ctx {
    const struct rpc_env *env;
    const struct rpc_method *method;
    enum rpc_transport transport;
    bool authenticated;
    void *conn;                     /* WebSocket connection (ON_LOOP handlers); else NULL */
    const atomic_bool *cancelled;   /* never NULL while a handler runs */
    unsigned after;                 /* RPC_AFTER_* */
    struct rpc_error err;
};

/* params is always an array (absent params arrive as [], named params are
 * mapped onto the table's parameter order). */
typedef json_t *(*rpc_handler_fn)(const json_t *params, struct rpc_ctx *ctx);

/*
 * The asynchronous form of an RPC_WAITS handler (optional). For a lone call
 * (not in a batch), the server may run it on the loop thread instead of
 * handing the call to a waiting thread: it checks params as the handler
 * does and starts the wait without blocking — the service it waits for
 * (the chain thread) later calls rpc_async_finish(op, ...) exactly once,
 * from its own thread, and the reply goes out from the loop. Returns the
 * result at once (or NULL after rpc_fail) with *started false; or NULL
 * with *started true once op was handed over. Same rules as a handler
 * otherwise (ctx errors, geth's codes); it must be quick.
 */
struct rpc_async;
typedef json_t *(*rpc_start_fn)(const json_t *params, struct rpc_ctx *ctx, struct rpc_async *op,
                                bool *started);

/* Ends a started call: result (stolen; NULL is JSON null) when code is 0,
 * else the error code and message. Thread: any, once per op; op must not be
 * used afterwards. */
void rpc_async_finish(struct rpc_async *op, json_t *result, int code, const char *message);

/* rpc_method.flags */
#define RPC_PUBLIC 0x1u     /* no credentials needed (eth_/net_/web3_ only) */
#define RPC_ON_LOOP 0x2u    /* runs on the event-loop thread (see above) */
#define RPC_INLINE 0x4u     /* constant-time and reads only rpc_env: the server
                             * may run it on the loop without a worker hop */
#define RPC_WAITS 0x8u      /* mostly waits for the chain thread (a transaction
                             * admitted and, with -automine, mined; a block):
                             * runs on the wait pool, so that callers waiting
                             * together neither hold the workers that compute
                             * nor keep the chain thread from batching them */
#define RPC_LOOP_READ 0x10u /* a short read of one account at a block: the loop may
                             * run it itself when nothing else waits (job.h) */

struct rpc_param_doc {
    const char *name;
    const char *type;       /* "hex data", "quantity|tag", "bool", ... */
    bool optional;
    const char *help;
};

struct rpc_method {
    const char *name;                   /* full name: "web3_sha3", "stop" */
    rpc_handler_fn fn;
    unsigned flags;
    rpc_start_fn start;                 /* RPC_WAITS only; NULL: none */
    const char *summary;                /* what it does; one or more sentences */
    const struct rpc_param_doc *params; /* in positional order */
    size_t nparams;
    const char *result;                 /* type and meaning of the result */
};

struct rpc_namespace {
    const char *name;                   /* "eth", "control", ... (-rpcapi) */
    const struct rpc_method *methods;
    size_t count;
    bool always_on;                     /* not subject to -rpcapi (control) */
};

#define RPC_COUNT(t) (sizeof(t) / sizeof((t)[0]))

/* Builds a registry of the namespaces in ns[0..n). With `enabled` (names,
 * nenabled of them; NULL for all), only always_on namespaces and the listed
 * ones are callable; the others answer "does not exist/is not available".
 * Returns 0, ERR_INVAL (a name in `enabled` is no namespace: the message
 * lists the known ones; a duplicate method; a RPC_PUBLIC method outside
 * eth_/net_/web3_) or ERR_NOMEM. The tables must outlive the registry.
 * Thread: start-up; the registry is immutable (any thread may read it). */
int rpc_registry_new(const struct rpc_namespace *const *ns, size_t n, const char *const *enabled,
                     size_t nenabled, struct rpc_registry **out);

void rpc_registry_free(struct rpc_registry *r);

/* The enabled method of that name (len bytes, no NUL needed), or NULL. */
const struct rpc_method *rpc_registry_find(const struct rpc_registry *r, const char *name,
                                           size_t len);

/* True when calling `name` needs credentials: always, unless the name is
 * eth_/net_/web3_ AND it is not a registered method without RPC_PUBLIC. */
bool rpc_registry_needs_auth(const struct rpc_registry *r, const char *name, size_t len);

/* The enabled namespaces, in registration order: writes up to cap names and
 * returns how many there are. */
size_t rpc_registry_namespaces(const struct rpc_registry *r, const char **names, size_t cap);

/* Appends help text to out: with method NULL, every enabled method grouped
 * by namespace ("== eth ==" ...) with its parameters on one line; else the
 * full help of that method. Returns 0, ERR_NOTFOUND (no such enabled method)
 * or ERR_NOMEM. */
int rpc_registry_help(const struct rpc_registry *r, const char *method, struct bytes *out);

/* Sets ctx->err (code and printf message; replaces an earlier error) and
 * returns NULL, so handlers can `return rpc_fail(ctx, ...)`. */
json_t *rpc_fail(struct rpc_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As rpc_fail, with `data` (stolen; may be NULL) as the error's data. */
json_t *rpc_fail_data(struct rpc_ctx *ctx, int code, json_t *data, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Releases ctx->err.data and clears the error. */
void rpc_error_clear(struct rpc_error *e);

#endif
