/*
 * test_node_evloop.c — the node's event loop (node/evloop.h): without a poll
 * window it is plain dispatch; with one, a client that answers at once is
 * caught by polling; a client that pauses makes polling stop; a loopbreak
 * from a callback ends the loop in either mode.
 *
 * The "client" is a thread on the other end of a socketpair: it sends a
 * byte, waits for the echo, and sends the next, as a wallet does with its
 * requests.
 */
#include <check.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "node/evloop.h"

struct echo {
    struct event_base *base;
    struct event *ev;
    uint64_t activity;
    unsigned answer_ms;     /* time the handler takes to answer */
};

static uint64_t echo_activity(void *arg)
{
    return ((struct echo *)arg)->activity;
}

/* One byte in, one byte back; EOF ends the loop. */
static void on_byte(evutil_socket_t fd, short what, void *arg)
{
    struct echo *e = arg;
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n <= 0) {
        event_base_loopbreak(e->base);
        return;
    }
    e->activity++;
    if (e->answer_ms) {
        struct timespec ts = {0, (long)e->answer_ms * 1000000};
        nanosleep(&ts, NULL);
    }
    ck_assert_int_eq(write(fd, &c, 1), 1);
}

struct client {
    int fd;
    int count;
    unsigned pause_ms;
};

static void *client_main(void *arg)
{
    struct client *c = arg;
    for (int i = 0; i < c->count; i++) {
        if (c->pause_ms) {
            struct timespec ts = {0, (long)c->pause_ms * 1000000};
            nanosleep(&ts, NULL);
        }
        char b = (char)i;
        if (write(c->fd, &b, 1) != 1 || read(c->fd, &b, 1) != 1)
            break;
    }
    close(c->fd);
    return NULL;
}

/* Runs the echo server under evloop_run against a client thread. */
static void run_echo_slow(int count, unsigned pause_ms, unsigned poll_us, unsigned answer_ms,
                          struct evloop_stats *st)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct echo e = {event_base_new(), NULL, 0, answer_ms};
    ck_assert_ptr_nonnull(e.base);
    e.ev = event_new(e.base, sv[0], EV_READ | EV_PERSIST, on_byte, &e);
    event_add(e.ev, NULL);
    struct client c = {sv[1], count, pause_ms};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, client_main, &c), 0);
    ck_assert_int_eq(evloop_run(e.base, poll_us, echo_activity, &e, st), 0);
    pthread_join(t, NULL);
    ck_assert_uint_eq(e.activity, (uint64_t)count);
    event_free(e.ev);
    event_base_free(e.base);
    close(sv[0]);
}

static void run_echo(int count, unsigned pause_ms, unsigned poll_us, struct evloop_stats *st)
{
    run_echo_slow(count, pause_ms, poll_us, 0, st);
}

START_TEST(no_window_is_plain_dispatch)
{
    struct evloop_stats st;
    run_echo(50, 0, 0, &st);
    ck_assert_uint_eq(st.windows, 0);
    ck_assert_uint_eq(st.hits, 0);
    ck_assert_uint_eq(st.pauses, 0);
}
END_TEST

START_TEST(a_prompt_client_is_caught_by_polling)
{
    /* A 20 ms window: even a loaded machine runs the client thread within
     * it, so nearly every next byte arrives while the loop polls. */
    struct evloop_stats st;
    run_echo(200, 0, 20000, &st);
    ck_assert_uint_ge(st.windows, 100);
    ck_assert_uint_ge(st.hits, st.windows / 2);
    ck_assert_uint_eq(st.pauses, 0);
}
END_TEST

START_TEST(a_pausing_client_stops_the_polling)
{
    /* Bytes 2 ms apart, a 200 us window: every window misses, and after
     * EVLOOP_MISSES of them polling pauses for longer than the last six
     * bytes take (EVLOOP_PAUSE_MS against 12 ms). */
    struct evloop_stats st;
    run_echo(EVLOOP_MISSES + 6, 2, 200, &st);
    ck_assert_uint_eq(st.pauses, 1);
    ck_assert_uint_le(st.hits, 2);
    ck_assert_uint_le(st.windows, EVLOOP_MISSES + 2);
    ck_assert_uint_ge(st.windows, EVLOOP_MISSES);
}
END_TEST

START_TEST(a_slow_answer_still_counts_as_caught)
{
    /* Answering takes longer than the window; the client's next byte comes
     * within it. The pass that reads it starts inside the window, so it is
     * a catch, however long the answer then takes (counted from the end of
     * the pass, every one of these was a miss, and polling paused). */
    struct evloop_stats st;
    run_echo_slow(20, 0, 20000, 30, &st);
    ck_assert_uint_ge(st.hits, 10);
    ck_assert_uint_eq(st.pauses, 0);
}
END_TEST

static void on_break_timer(evutil_socket_t fd, short what, void *arg)
{
    event_base_loopbreak(arg);
}

static void on_nothing(evutil_socket_t fd, short what, void *arg)
{
}

static uint64_t always_new(void *arg)
{
    return ++*(uint64_t *)arg;
}

START_TEST(loopbreak_ends_a_polling_loop)
{
    /* Activity that changes on every pass keeps the loop polling once the
     * first event (a timer due at once) ends the first, blocking pass; a
     * timer's loopbreak still ends it. */
    struct event_base *base = event_base_new();
    struct event *ev = evtimer_new(base, on_break_timer, base);
    struct event *first = evtimer_new(base, on_nothing, NULL);
    struct timeval tv = {0, 20000}, zero = {0, 0};
    evtimer_add(ev, &tv);
    evtimer_add(first, &zero);
    uint64_t n = 0;
    struct evloop_stats st;
    ck_assert_int_eq(evloop_run(base, 1000, always_new, &n, &st), 0);
    ck_assert_uint_gt(st.hits, 0);
    event_free(first);
    event_free(ev);
    event_base_free(base);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("node_evloop");
    TCase *tc = tcase_create("evloop");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, no_window_is_plain_dispatch);
    tcase_add_test(tc, a_prompt_client_is_caught_by_polling);
    tcase_add_test(tc, a_pausing_client_stops_the_polling);
    tcase_add_test(tc, a_slow_answer_still_counts_as_caught);
    tcase_add_test(tc, loopbreak_ends_a_polling_loop);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
