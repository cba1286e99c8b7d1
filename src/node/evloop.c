/* evloop.c — see evloop.h. */
#include "node/evloop.h"

#include <event2/event.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int evloop_run(struct event_base *base, unsigned poll_us, evloop_activity_fn activity,
               void *arg, struct evloop_stats *stats)
{
    struct evloop_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (poll_us == 0 || !activity)
        return event_base_dispatch(base) < 0 ? -1 : 0;

    uint64_t seen = activity(arg);
    int64_t window_end = 0;     /* the open window's end, 0: none */
    int64_t paused_until = 0;
    unsigned misses = 0;
    for (;;) {
        bool polling = window_end != 0;
        int64_t t0 = now_us();
        /* ONCE with NONBLOCK: one batch of events per pass, or none (NONBLOCK
         * alone keeps going while events keep coming, and the activity of
         * many requests would count as one). */
        if (event_base_loop(base, polling ? EVLOOP_NONBLOCK | EVLOOP_ONCE : EVLOOP_ONCE) < 0)
            return -1;
        /* Both flags stay set after the pass that saw them (libevent
         * clears them when a loop starts, not when it ends). */
        if (event_base_got_break(base) || event_base_got_exit(base))
            return 0;
        uint64_t now_seen = activity(arg);
        int64_t t = now_us();
        /* A window caught the next request only if the pass that found it
         * began before the window ended (t, after the pass, includes the
         * time spent answering it). */
        bool caught = polling && now_seen != seen && t0 <= window_end;
        if (caught) {
            stats->hits++;
            misses = 0;
        } else if (polling && t >= window_end && ++misses >= EVLOOP_MISSES) {
            misses = 0;
            paused_until = t + EVLOOP_PAUSE_MS * 1000;
            stats->pauses++;
        }
        if (polling && (caught || t >= window_end))
            window_end = 0;
        if (now_seen != seen) {
            seen = now_seen;
            if (t >= paused_until) {
                window_end = t + poll_us;
                stats->windows++;
            }
        }
    }
}
