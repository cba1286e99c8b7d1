/*
 * server.h — spectrumd's JSON-RPC server: HTTP/1.1 (http_conn.h, on
 * libevent) on -rpcport and WebSocket (ws.h) on -wsport, both bound to
 * localhost by default, sharing one method registry, one worker pool and
 * one set of credentials.
 *
 * The node starts it after its event loop exists and stops it first at
 * shutdown (before the database closes), so no handler runs against a
 * closed database. Everything here runs on the loop thread; handlers run on
 * workers (dispatch.h explains the threading rule).
 *
 * HTTP behaviour, in the order the checks happen:
 *   403  the client's address is not in -rpcallowip
 *   204  CORS preflight (OPTIONS) from an -rpccorsdomain origin (403 for others)
 *   405  any method but POST and OPTIONS
 *   415  Content-Type is not application/json
 *   413  the body is larger than -rpcmaxrequestsize
 *   401  credentials that do not match (after 250 ms, to slow down guessing),
 *        or none for a request that calls a private method; never a body
 *   200  the JSON-RPC reply (errors included); 204 when only notifications
 *   503  the server is stopping
 * Keep-alive works as HTTP/1.1 says; at most -rpcmaxconnections connections
 * are open at once (further clients wait in the kernel's listen queue).
 * Before all of these, a head that breaks HTTP/1.1 is answered 400, 411
 * (Transfer-Encoding: bodies need Content-Length), 417, 431 or 505 and the
 * connection closes (http_parse.h); so does a 413.
 */
#ifndef SPECTRUM_RPC_SERVER_H
#define SPECTRUM_RPC_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "primitives/address.h"
#include "rpc/ws.h"

struct chainsvc;
struct mb_service;
struct ch_chainclient; /* issue 7: channel */
struct ch_hub;         /* issue 7: channel */
struct event_base;
struct rpc_config;
struct rpc_server;
struct wallet;

/* What the node gives the server besides its options. */
struct rpc_node_info {
    uint64_t network_id;            /* net_version */
    bool regtest;                   /* also offer the test_ namespace (regtest.c) */
    /* Shuts the node down as SIGTERM does; called on the loop thread after
     * the reply to `stop` was sent. */
    void (*request_stop)(void *arg);
    void *stop_arg;
    struct chainsvc *chain;         /* may be NULL; must outlive the server */
    struct wallet *wallet;          /* may be NULL; must outlive the server */
    struct p2p *p2p;                /* may be NULL (p2p off); must outlive the server */
    /* issue 8: meshbox */
    struct mb_service *meshbox;     /* may be NULL; must outlive the server */
    /* end issue 8: meshbox */
    /* issue 7: channel */
    struct ch_hub *channel_hub;     /* may be NULL (hub off); must outlive the server */
    struct ch_chainclient *channel_client;  /* with channel_hub */
    const char *channel_host;       /* the hub's UDP bind address */
    /* end issue 7: channel */
    /* The relayer account (rpc_env.relayer; relay.c); none without
     * has_relayer. */
    bool has_relayer;
    struct address relayer;
};

/* Starts whatever cfg enables (nothing when both -norpc and -nows: *out is
 * then NULL and 0 is returned): builds the registry (-rpcapi), starts the
 * worker threads, binds every address, and writes the cookie file when no
 * -rpcpassword is set. Raises the process's descriptor limit towards what
 * -rpcmaxconnections needs (lowering -rpcmaxconnections, with a warning,
 * when the system does not allow it). Returns 0 or an error for the user
 * ("Unable to bind the RPC server on 127.0.0.1:18545 ..."); on error nothing
 * is left running and no cookie exists. Thread: the loop thread, before the
 * loop runs. */
int rpc_server_start(struct event_base *base, const struct rpc_config *cfg,
                     const struct rpc_node_info *info, struct rpc_server **out);

/* Stops accepting, answers requests still in flight with 503, waits for
 * running handlers, closes every connection, removes the cookie file and
 * frees the server. NULL is ignored. Thread: loop thread, loop not
 * dispatching. */
void rpc_server_stop(struct rpc_server *s);

/* For later modules: an event for WebSocket subscribers (see
 * rpc_ws_publish; takes the reference). Returns 0 when queued or when no
 * WebSocket server runs (the event is dropped). Thread: any, while the
 * server runs: publishers stop before rpc_server_stop (node_stop's order). */
int rpc_server_publish(struct rpc_server *s, enum rpc_sub_kind kind, json_t *payload);

/* The server's filter store (eth_newFilter and friends; rpc/filters.h), for
 * the chain event publisher; NULL when s is NULL. Thread: any, while the
 * server runs. */
struct rpc_filters *rpc_server_filters(const struct rpc_server *s);

/* True when events published to s can reach anyone (a WebSocket server
 * runs), so a publisher can skip building them. NULL gives false.
 * Thread: any, while the server runs. */
bool rpc_server_wants_events(const struct rpc_server *s);

/* How many requests the loop has answered itself, without a worker (a
 * counter for node/evloop's poll after such answers; 0 for NULL).
 * Thread: loop. */
uint64_t rpc_server_loop_answers(const struct rpc_server *s);

/* The -rpcpoll window the server was started with (0: none or NULL). */
unsigned rpc_server_poll_us(const struct rpc_server *s);

#endif
