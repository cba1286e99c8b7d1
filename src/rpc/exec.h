/*
 * exec.h — JSON-RPC 2.0 request processing, independent of the transport:
 * bytes in, calls run, bytes out.
 *
 *   rpc_request_parse    body → single call or batch, every malformed part
 *                        already turned into its error reply
 *   rpc_request_denied   would an unauthenticated client be refused (401)?
 *   rpc_request_run      runs the calls (worker thread, then the loop
 *                        thread for RPC_ON_LOOP methods)
 *   rpc_request_reply    the reply body, or nothing for notifications
 *
 * HTTP (server.c), WebSocket (ws.c), the unit tests and the fuzz target all
 * go through these functions, so batches, notifications and error codes
 * behave the same everywhere:
 *
 *   not JSON                      -32700 "parse error: ...", id null
 *   [] / more than max_batch      -32600 "empty batch" / "batch too large",
 *                                 one error object (not an array)
 *   not a request object, bad     -32600 "invalid request" (id null unless a
 *   "jsonrpc", id or method       valid id was given)
 *   unknown or disabled method    -32601 "the method X does not exist/is not
 *                                 available"
 *   params not array/object       -32602 "non-array args"
 *   notification (no "id")        run, never answered; a batch of only
 *                                 notifications has no reply at all
 *
 * A struct rpc_request belongs to one thread at a time; the hand-over from
 * the loop to a worker and back is the caller's (job.c) and is ordered by
 * the pool's mutex.
 */
#ifndef SPECTRUM_RPC_EXEC_H
#define SPECTRUM_RPC_EXEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "rpc/dispatch.h"

struct rpc_request;

/* Parses body (len bytes, any content) against registry reg. Never fails on
 * content: errors become replies. Returns 0 or ERR_NOMEM. Thread: any. */
int rpc_request_parse(const char *body, size_t len, const struct rpc_registry *reg,
                      size_t max_batch, struct rpc_request **out);

/* True when some call needs credentials that an unauthenticated client lacks
 * (rpc_registry_needs_auth), so the whole request must be refused. */
bool rpc_request_denied(const struct rpc_request *r, const struct rpc_registry *reg,
                        bool authenticated);

/* True when every call still to run is RPC_INLINE or RPC_ON_LOOP, so the
 * whole request may run on the loop thread; also when there is none. */
bool rpc_request_inline(const struct rpc_request *r);

/* True when r is one call (not a batch) of an RPC_LOOP_READ method. */
bool rpc_request_loop_read(const struct rpc_request *r);

/* True when every call still to run is RPC_WAITS (and there is one): the
 * request goes to the wait pool. */
bool rpc_request_waits(const struct rpc_request *r);

/* True when r is one call (not a batch) still to run whose method has an
 * asynchronous form (rpc_method.start) that this client may call. */
bool rpc_request_can_start(const struct rpc_request *r, bool authenticated);
/* Runs the asynchronous form of r's one call (rpc_request_can_start). Returns
 * true when it started (the answer comes later: rpc_request_finish), false
 * when it answered at once, as rpc_request_run would have. */
bool rpc_request_start(struct rpc_request *r, const struct rpc_ctx *proto, struct rpc_async *op);
/* Records the answer of the call rpc_request_start started: result (stolen)
 * when err->code is 0, else the error. */
void rpc_request_finish(struct rpc_request *r, json_t *result, const struct rpc_error *err);
/* True when calls of RPC_ON_LOOP methods are waiting for the loop thread. */
bool rpc_request_loop_pending(const struct rpc_request *r);

/* Runs the calls that have not run, each with a copy of *proto (env,
 * transport, authenticated, conn, cancelled; method and err are set per
 * call). RPC_ON_LOOP calls run only when on_loop is true; the others wait.
 * An unauthenticated call of a private method is answered as if the method
 * did not exist. Stops early when *proto->cancelled becomes true. */
void rpc_request_run(struct rpc_request *r, const struct rpc_ctx *proto, bool on_loop);

/* The union of the RPC_AFTER_* flags set by the calls that ran. */
unsigned rpc_request_after(const struct rpc_request *r);

/* The reply as compact JSON (malloc'ed, caller frees), or *out = NULL and
 * *len = 0 when nothing is to be answered. Returns 0 or ERR_NOMEM. */
int rpc_request_reply(const struct rpc_request *r, char **out, size_t *len);

/* For a time-out reply: a new array of copies of the ids that would be
 * answered, and whether the request is a batch. NULL on OOM. Thread: any
 * (the copies share nothing with r). */
json_t *rpc_request_ids(const struct rpc_request *r, bool *batch);

/* The reply to a request that timed out: -32000 "request timed out" for
 * each id (ids NULL: one error with id null). Returns 0 or ERR_NOMEM. */
int rpc_timeout_reply(const json_t *ids, bool batch, char **out, size_t *len);

/* The reply for a whole request that cannot run: one error object with id
 * null (e.g. the server is shutting down). Returns 0 or ERR_NOMEM. */
int rpc_error_reply(int code, const char *message, char **out, size_t *len);

/* Writes the method names (up to cap, comma-separated, for debug logs) into
 * buf. */
void rpc_request_describe(const struct rpc_request *r, char *buf, size_t cap);

void rpc_request_free(struct rpc_request *r);

#endif
