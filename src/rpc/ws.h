/*
 * ws.h — JSON-RPC over WebSocket (its own port, -wsport), with
 * eth_subscribe/eth_unsubscribe and the publish side that later modules use
 * to feed subscriptions.
 *
 * Each text (or binary) message is one JSON-RPC request or batch, processed
 * exactly as over HTTP (job.h) and answered with one text message. Messages
 * of one connection run concurrently (up to RPC_WS_INFLIGHT_MAX, then the
 * server stops reading from it); replies go out as they finish, matched by
 * id. Access follows HTTP: -rpcallowip (403 at the handshake), the Origin
 * must pass -rpccorsdomain when the client sends one (403), and credentials
 * in the handshake's Authorization header unlock private methods (wrong
 * ones: 401). Without credentials a private method looks like a missing one.
 *
 * SUBSCRIPTIONS. The registry belongs to the loop thread: eth_subscribe and
 * eth_unsubscribe are RPC_ON_LOOP methods, so a subscription exists from the
 * moment its id is sent, and a notification can never overtake the reply
 * that announced its id. Publishers on any thread call rpc_ws_publish; the
 * loop fans each event out to the matching subscriptions as
 *   {"jsonrpc":"2.0","method":"eth_subscription",
 *    "params":{"subscription":"0x..","result":<payload>}}
 * A connection that does not read its notifications is closed (1008) once
 * RPC_WS_OUTPUT_MAX bytes are waiting for it, instead of growing without
 * bound.
 */
#ifndef SPECTRUM_RPC_WS_H
#define SPECTRUM_RPC_WS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct logfilter;
struct rpc_auth;
struct rpc_config;
struct rpc_host;
struct rpc_ws;

#define RPC_WS_INFLIGHT_MAX 16          /* requests in flight per connection */
#define RPC_WS_SUBS_MAX 1024            /* subscriptions per connection */
#define RPC_WS_OUTPUT_MAX (32u << 20)   /* unsent bytes before a slow client is dropped */
#define RPC_WS_PUBLISH_QUEUE_MAX 65536  /* events waiting for the loop */
#define RPC_WS_FRAGMENTS_MAX 4096       /* frames per message */
#define RPC_WS_PING_SECONDS 30          /* ping idle clients; drop after 3 silent periods */
#define RPC_SUB_ID_SIZE 35              /* "0x" + 32 hex digits + NUL */

enum rpc_sub_kind {
    RPC_SUB_NEW_HEADS,      /* payload: a block header object */
    RPC_SUB_LOGS,           /* payload: one log object (matched against each filter) */
    RPC_SUB_PENDING_TXS,    /* payload: a transaction object with "hash", or a hash
                             * string; subscribers without fullTx get the hash */
    RPC_SUB_KINDS
};

/* Listens on cfg->ws_bind. A failed bind is an error, except a default ::1
 * (IPv6 may be off), which only logs a warning. auth, cfg and host must
 * outlive the server. Returns 0, ERR_IO (no address could be bound: the
 * message names them) or ERR_NOMEM. Thread: loop. */
int rpc_ws_start(struct event_base *base, const struct rpc_config *cfg,
                 const struct rpc_auth *auth, struct rpc_host *host, struct rpc_ws **out);

/* Stops listening, closes every connection (close code 1001) and frees the
 * server. NULL is ignored. Thread: loop, after rpc_host_shutdown. */
void rpc_ws_stop(struct rpc_ws *ws);

/* Queues an event for the subscribers of `kind`; takes the reference to
 * payload. Returns 0, or ERR_RANGE when the queue is full (the event is
 * dropped and logged) or ERR_INVAL for a bad kind. Thread: any. */
int rpc_ws_publish(struct rpc_ws *ws, enum rpc_sub_kind kind, json_t *payload);

/* Subscribes connection conn (rpc_ctx.conn of an ON_LOOP handler) to kind.
 * filter (RPC_SUB_LOGS; may be NULL) is moved into the subscription. full:
 * newPendingTransactions with full transactions. Writes the new id.
 * Returns 0, ERR_RANGE (RPC_WS_SUBS_MAX reached), ERR_CRYPTO (no randomness)
 * or ERR_NOMEM. Thread: loop. */
int rpc_ws_subscribe(void *conn, enum rpc_sub_kind kind, struct logfilter *filter, bool full,
                     char id[RPC_SUB_ID_SIZE]);

/* Removes conn's subscription `id`; returns true when it existed.
 * Thread: loop. */
bool rpc_ws_unsubscribe(void *conn, const char *id);

/* Open connections (for tests and logs). Thread: loop. */
size_t rpc_ws_connections(const struct rpc_ws *ws);

#endif
