/*
 * job.h — requests in flight: the path from a request body to its reply
 * that HTTP (server.c) and WebSocket (ws.c) share.
 *
 *   loop thread   rpc_host_submit: small bodies are parsed at once; a
 *                 request refused for lack of credentials, or made only of
 *                 RPC_INLINE / RPC_ON_LOOP calls, is answered right there;
 *                 so is a single read of one account or slot (see "Loop
 *                 reads" below) while the loop has nothing else to do
 *   worker        parse, credentials check, run the calls, serialize
 *   loop thread   run RPC_ON_LOOP calls, hand the reply to the transport
 *
 * Time limit: every job has a deadline (-rpctimeout). Jobs sit in one list in
 * submission order, which is also deadline order, under one timer. When the
 * deadline passes first, the transport gets -32000 "request timed out" for
 * each id at once, the job's cancel flag is raised (handlers may stop early),
 * and whatever the worker produces later is dropped.
 *
 * The transport's reply function is called exactly once per submitted body,
 * on the loop thread, possibly before rpc_host_submit returns:
 *   status 200, body (may be NULL: nothing to answer, all notifications)
 *   status 401, no body: credentials needed (HTTP answers 401; over WebSocket
 *              the calls run and private ones look missing instead)
 *   status 503, no body: the server is stopping
 * The body is malloc'ed and handed over (the callee frees it).
 */
#ifndef SPECTRUM_RPC_JOB_H
#define SPECTRUM_RPC_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "rpc/dispatch.h"

struct event;
struct event_base;
struct rpc_pool;
struct rpc_job;

/* Requests up to this size are parsed on the loop thread (it costs less
 * than the trip to a worker) so cheap calls never leave the loop. */
#define RPC_INLINE_PARSE_MAX 16384

/*
 * Loop reads. RPC_LOOP_READ methods (eth_getBalance, eth_getCode,
 * eth_getStorageAt) read one account (or slot) through a database
 * snapshot (chainread.h): thread-safe
 * and bounded (a header, a few trie nodes; about 20-40 us here), but not
 * constant-time like RPC_INLINE. When such a call comes alone and no other
 * event of the loop is waiting to be handled, the loop runs it itself: with
 * one client, the hop to a worker and back (two thread wake-ups) costs more
 * than the read. When other events wait, the loop still runs it while loop
 * reads are cheap — their moving average (1/8 weight per read) under
 * RPC_LOOP_READ_BUSY_US, as with a warm node cache — because at 64 clients
 * on two vCPUs the hand-off to a worker and back costs several times the
 * read (context switches were 29 % of the node); once they are dearer (a
 * cold disk) they go to the workers under load, so that reads spread over
 * the cores and slow ones never delay other connections (one read per
 * RPC_LOOP_READ_PROBE_MS still runs on the busy loop, to notice when they
 * are cheap again). Guard:
 * RPC_LOOP_READ_STRIKES loop reads in a row that each
 * take longer than RPC_LOOP_READ_BUDGET_US, less than a second apart (a
 * cold disk), turn loop reads off for RPC_LOOP_READ_PAUSE_S seconds. One
 * slow read alone does not: on a busy machine the loop thread is sometimes
 * preempted in the middle of a read.
 */
#define RPC_LOOP_READ_BUDGET_US 2000
#define RPC_LOOP_READ_BUSY_US 50
#define RPC_LOOP_READ_PROBE_MS 100
#define RPC_LOOP_READ_STRIKES 3
#define RPC_LOOP_READ_PAUSE_S 10

typedef void (*rpc_reply_fn)(void *target, int status, char *body, size_t len, unsigned after);

/* Threads of the wait pool (RPC_WAITS requests): they sleep on the chain
 * service, so there are enough of them for the callers -automine batches
 * into one block. */
#define RPC_WAIT_THREADS 32

struct rpc_host {
    struct event_base *base;
    struct rpc_pool *pool;
    struct rpc_pool *wait_pool;
    const struct rpc_env *env;
    size_t max_batch;
    unsigned timeout_ms;
    struct rpc_job *live_head, *live_tail;  /* waiting for their reply */
    struct rpc_job *zombies;                /* answered (timed out), worker still busy */
    struct event *timer;
    size_t nlive;
    bool stopping;
    int64_t loop_reads_off_until;           /* monotonic ms; see "Loop reads" */
    int64_t loop_read_slow_at;              /* monotonic ms of the last slow one */
    unsigned loop_read_strikes;
    int64_t loop_read_avg_us;               /* moving average of loop reads */
    int64_t loop_read_probe_at;             /* monotonic ms: next busy-loop probe */
    uint64_t loop_answers;                  /* requests answered on the loop itself */
};

/* Starts the worker pool and the timer. env must outlive the host and have
 * its registry set. Returns 0 or an error of rpc_pool_new / ERR_NOMEM.
 * Thread: loop. */
int rpc_host_init(struct rpc_host *h, struct event_base *base, const struct rpc_env *env,
                  unsigned threads, size_t max_batch, unsigned timeout_s);

/* Takes body (malloc'ed, len bytes) and arranges for fn(target, ...) to be
 * called once with the reply (see above). conn is handed to RPC_ON_LOOP
 * handlers (the WebSocket connection; NULL for HTTP). Thread: loop. */
void rpc_host_submit(struct rpc_host *h, char *body, size_t len, bool authenticated,
                     enum rpc_transport transport, void *conn, rpc_reply_fn fn, void *target);

/* Stops the workers (waiting for running handlers), answers every job still
 * waiting with status 503 and frees them all. Thread: loop, not dispatching. */
void rpc_host_shutdown(struct rpc_host *h);

#endif
