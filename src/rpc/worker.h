/*
 * worker.h — a small pool of threads that run JSON-RPC handlers away from the
 * event loop, and hand their results back to it.
 *
 * The event loop owns every socket; a handler may be slow (eth_call, a proof,
 * a log scan), so it must never run there. A task goes in with
 * rpc_pool_submit (loop thread), runs on one of the pool's threads
 * (task->run), and comes back to the loop thread (task->done), where the
 * reply is written. The hand-back is a locked list plus one libevent event
 * made active (event_active is thread-safe once evthread_use_pthreads() has
 * been called, which node_start does), so the loop wakes once for any number
 * of finished tasks.
 *
 * Tasks are intrusive (embedded in the caller's struct): the pool allocates
 * nothing per task. Ownership stays with the caller throughout: the pool
 * only links and unlinks them.
 */
#ifndef SPECTRUM_RPC_WORKER_H
#define SPECTRUM_RPC_WORKER_H

#include <stddef.h>

struct event_base;
struct rpc_pool;

#define RPC_POOL_MAX_THREADS 64

struct rpc_task {
    /* Runs on a pool thread. May take any time; must not touch libevent. */
    void (*run)(struct rpc_task *t);
    /* Runs on the loop thread after run() returned. */
    void (*done)(struct rpc_task *t);
    struct rpc_task *next;      /* private to the pool */
};

/* Starts nthreads threads (1..RPC_POOL_MAX_THREADS) whose results are
 * delivered on `base`. Returns 0, ERR_RANGE (bad count), ERR_NOMEM or
 * ERR_BADSTATE (a thread or the event could not be created; nothing is left
 * running). Thread: the loop thread. */
int rpc_pool_new(struct event_base *base, unsigned nthreads, struct rpc_pool **out);

/* Queues t; its run() starts as soon as a thread is free, in submission
 * order. t->run and t->done must be set. Never fails. Thread: loop. */
void rpc_pool_submit(struct rpc_pool *p, struct rpc_task *t);

/* Completions from elsewhere: a task that is finished by another service
 * (the chain thread, for a transaction submitted without waiting) but whose
 * done() must still run on the loop. The loop calls rpc_pool_expect before
 * handing the task over; whoever finishes it calls rpc_pool_deliver once,
 * from any thread, and must not touch the task afterwards. Delivered tasks
 * share the finished list and the single wake-up with the pool's own.
 * rpc_pool_free waits until every expected task was delivered. */
void rpc_pool_expect(struct rpc_pool *p);
void rpc_pool_deliver(struct rpc_pool *p, struct rpc_task *t);
/* Takes back an rpc_pool_expect whose task was never handed over. */
void rpc_pool_unexpect(struct rpc_pool *p);

/* Tasks queued and not yet started (for logs and tests). Thread: any. */
size_t rpc_pool_queued(struct rpc_pool *p);

/* Stops the pool: tasks not yet started are never run, running ones finish
 * (this waits for them, and for expected deliveries), and no done() is
 * called any more, for any task: the
 * caller still owns every task it submitted and frees them itself.
 * NULL is ignored. Thread: loop, with the loop no longer dispatching. */
void rpc_pool_free(struct rpc_pool *p);

#endif
