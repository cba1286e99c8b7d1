/*
 * evloop.h — the node's event loop, with a short poll after RPC answers.
 *
 * A client that sends one request after another (a wallet, a script, a test
 * suite) waits, per request, for the kernel to wake the loop thread. On a
 * VM whose other vCPU sleeps, that wake-up costs tens of microseconds, more
 * than answering eth_blockNumber. So after the loop has answered a request
 * itself, it keeps polling its sockets (non-blocking passes) for `poll_us`
 * before it sleeps again; a next request that comes within the window is
 * read without a wake-up.
 *
 * Polling that catches nothing only burns CPU (a loaded machine, or a client
 * that pauses between requests), so it stops itself: after EVLOOP_MISSES
 * windows in a row that caught nothing, the loop sleeps between events for
 * EVLOOP_PAUSE_MS before it tries polling again. (A VM whose host stalls it
 * now and then makes a few windows miss in a row too; the pause is short
 * so that such a stall costs little.)
 */
#ifndef SPECTRUM_NODE_EVLOOP_H
#define SPECTRUM_NODE_EVLOOP_H

#include <stdint.h>

struct event_base;

#define EVLOOP_MISSES 32
#define EVLOOP_PAUSE_MS 100

/* A counter that grows whenever the loop answered something worth polling
 * after (rpc_server_loop_answers). */
typedef uint64_t (*evloop_activity_fn)(void *arg);

struct evloop_stats {
    uint64_t windows;   /* poll windows opened */
    uint64_t hits;      /* windows in which new activity came */
    uint64_t pauses;    /* times polling stopped after EVLOOP_MISSES misses */
};

/* Runs base until a callback on the loop calls event_base_loopbreak or
 * event_base_loopexit. poll_us 0 (or no activity function) is plain
 * event_base_dispatch. stats may be NULL. Returns 0, or -1 when libevent
 * failed. Thread: the loop thread. */
int evloop_run(struct event_base *base, unsigned poll_us, evloop_activity_fn activity,
               void *arg, struct evloop_stats *stats);

#endif
