/*
 * test_rpc_pool.c — the worker pool (rpc/worker.h) and requests in flight
 * (rpc/job.h): tasks run on other threads and come back on the loop thread,
 * slow handlers run in parallel without holding up cheap calls, the time
 * limit answers "request timed out" and cancels the handler, credentials are
 * enforced per transport, shutdown answers what is still waiting, and a lone
 * call of a method with an asynchronous form is started on the loop and
 * answered when another thread finishes it.
 */
#include <check.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/dispatch.h"
#include "rpc/job.h"
#include "rpc/params.h"
#include "rpc/worker.h"
#include "util/err.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* ---- the pool ---------------------------------------------------------------- */

struct ptask {
    struct rpc_task t;
    pthread_t ran_on, done_on;
    int *done_count;
    struct event_base *base;
    int total;
};

static void ptask_run(struct rpc_task *t)
{
    struct ptask *p = (struct ptask *)t;
    p->ran_on = pthread_self();
    sleep_ms(100);
}

static void ptask_done(struct rpc_task *t)
{
    struct ptask *p = (struct ptask *)t;
    p->done_on = pthread_self();
    if (++*p->done_count == p->total)
        event_base_loopbreak(p->base);
}

START_TEST(pool_runs_in_parallel_and_delivers_on_the_loop)
{
    struct event_base *base = event_base_new();
    struct rpc_pool *pool;
    ck_assert_int_eq(rpc_pool_new(base, 4, &pool), 0);
    struct ptask tasks[8];
    int done = 0;
    double t0 = now();
    for (int i = 0; i < 8; i++) {
        memset(&tasks[i], 0, sizeof tasks[i]);
        tasks[i].t.run = ptask_run;
        tasks[i].t.done = ptask_done;
        tasks[i].done_count = &done;
        tasks[i].base = base;
        tasks[i].total = 8;
        rpc_pool_submit(pool, &tasks[i].t);
    }
    event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY);
    double took = now() - t0;
    ck_assert_int_eq(done, 8);
    ck_assert_msg(took >= 0.19 && took < 0.75, "8 x 100 ms on 4 threads took %.3f s (one "
                  "thread: 0.8)", took);
    for (int i = 0; i < 8; i++) {
        ck_assert(!pthread_equal(tasks[i].ran_on, pthread_self()));
        ck_assert(pthread_equal(tasks[i].done_on, pthread_self()));
    }
    ck_assert_uint_eq(rpc_pool_queued(pool), 0);
    rpc_pool_free(pool);
    event_base_free(base);
    ck_assert_int_eq(rpc_pool_new(NULL, 0, &pool), ERR_RANGE);
    ck_assert_int_eq(rpc_pool_new(NULL, RPC_POOL_MAX_THREADS + 1, &pool), ERR_RANGE);
}
END_TEST

/* ---- jobs ------------------------------------------------------------------- */

static atomic_bool saw_cancel;
static atomic_int slow_running;

static json_t *slow(const json_t *params, struct rpc_ctx *ctx)
{
    uint64_t ms;
    if (rpc_param_quantity(ctx, params, 0, &ms))
        return NULL;
    atomic_fetch_add(&slow_running, 1);
    for (uint64_t t = 0; t < ms; t += 5) {
        if (atomic_load(ctx->cancelled)) {
            atomic_store(&saw_cancel, true);
            break;
        }
        sleep_ms(5);
    }
    atomic_fetch_sub(&slow_running, 1);
    return json_true();
}

static json_t *cheap(const json_t *params, struct rpc_ctx *ctx)
{
    return json_string(ctx->transport == RPC_TRANSPORT_WS ? "ws" : "http");
}

/* eth_later: the synchronous form answers "sync"; the asynchronous one
 * starts a thread that finishes the call after `ms` ms with "later", or
 * with -32000 "it failed" when a second param is true. */
static atomic_int later_threads;

struct later {
    struct rpc_async *op;
    uint64_t ms;
    bool fail;
};

static void *later_main(void *arg)
{
    struct later *l = arg;
    sleep_ms((unsigned)l->ms);
    if (l->fail)
        rpc_async_finish(l->op, NULL, RPC_SERVER_ERROR, "it failed");
    else
        rpc_async_finish(l->op, json_string("later"), 0, NULL);
    free(l);
    atomic_fetch_sub(&later_threads, 1);
    return NULL;
}

static json_t *later_sync(const json_t *params, struct rpc_ctx *ctx)
{
    return json_string("sync");
}

static json_t *later_start(const json_t *params, struct rpc_ctx *ctx, struct rpc_async *op,
                           bool *started)
{
    uint64_t ms;
    if (rpc_param_quantity(ctx, params, 0, &ms))
        return NULL;
    struct later *l = calloc(1, sizeof *l);
    ck_assert(l != NULL);
    l->op = op;
    l->ms = ms;
    l->fail = json_is_true(json_array_get(params, 1));
    /* "sloppy": an error set as well as started; the finisher still owns
     * the answer (answering here too would free the job under it) */
    if (json_is_string(json_array_get(params, 1)))
        rpc_fail(ctx, RPC_SERVER_ERROR, "set by a sloppy start");
    pthread_t th;
    atomic_fetch_add(&later_threads, 1);
    ck_assert_int_eq(pthread_create(&th, NULL, later_main, l), 0);
    pthread_detach(th);
    *started = true;
    return NULL;
}

static const struct rpc_method methods[] = {
    {.name = "eth_later", .fn = later_sync, .flags = RPC_PUBLIC | RPC_WAITS,
     .start = later_start, .summary = "", .result = ""},
    {.name = "eth_slow", .fn = slow, .flags = RPC_PUBLIC, .summary = "", .result = ""},
    {.name = "eth_cheap", .fn = cheap, .flags = RPC_PUBLIC | RPC_INLINE, .summary = "",
     .result = ""},
    {.name = "admin_cheap", .fn = cheap, .flags = RPC_INLINE, .summary = "", .result = ""},
};
static const struct rpc_namespace ns = {"eth", methods, RPC_COUNT(methods), false};

struct reply {
    int status;
    char *body;
    double at;
    bool called;
    struct event_base *base;
    int *outstanding;
};

static void on_reply(void *target, int status, char *body, size_t len, unsigned after)
{
    struct reply *r = target;
    ck_assert(!r->called);
    r->called = true;
    r->status = status;
    r->body = body;
    r->at = now();
    if (r->outstanding && --*r->outstanding == 0)
        event_base_loopbreak(r->base);
}

struct fixture {
    struct event_base *base;
    struct rpc_registry *reg;
    struct rpc_env env;
    struct rpc_host host;
};

static void fixture_init(struct fixture *f, unsigned threads, unsigned timeout_s)
{
    memset(f, 0, sizeof *f);
    f->base = event_base_new();
    const struct rpc_namespace *list[] = {&ns};
    ck_assert_int_eq(rpc_registry_new(list, 1, NULL, 0, &f->reg), 0);
    f->env.registry = f->reg;
    ck_assert_int_eq(rpc_host_init(&f->host, f->base, &f->env, threads, 100, timeout_s), 0);
}

static void fixture_free(struct fixture *f)
{
    rpc_host_shutdown(&f->host);
    rpc_registry_free(f->reg);
    event_base_free(f->base);
}

static void submit(struct fixture *f, const char *body, bool auth, enum rpc_transport t,
                   struct reply *r, int *outstanding)
{
    memset(r, 0, sizeof *r);
    r->base = f->base;
    r->outstanding = outstanding;
    rpc_host_submit(&f->host, strdup(body), strlen(body), auth, t, NULL, on_reply, r);
}

static json_t *body_json(const struct reply *r)
{
    ck_assert(r->body != NULL);
    json_t *j = json_loads(r->body, 0, NULL);
    ck_assert(j != NULL);
    return j;
}

START_TEST(inline_calls_answer_at_once)
{
    struct fixture f;
    fixture_init(&f, 2, 30);
    struct reply r;
    submit(&f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_cheap\"}", false,
           RPC_TRANSPORT_HTTP, &r, NULL);
    ck_assert(r.called);     /* before submit returned: no worker hop */
    ck_assert_int_eq(r.status, 200);
    json_t *j = body_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(j, "result")), "http");
    json_decref(j);
    free(r.body);
    fixture_free(&f);
}
END_TEST

START_TEST(credentials_per_transport)
{
    struct fixture f;
    fixture_init(&f, 2, 30);
    struct reply r;
    const char *priv = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"admin_cheap\"}";
    submit(&f, priv, false, RPC_TRANSPORT_HTTP, &r, NULL);
    ck_assert(r.called);
    ck_assert_int_eq(r.status, 401);
    ck_assert(r.body == NULL);
    submit(&f, priv, true, RPC_TRANSPORT_HTTP, &r, NULL);
    ck_assert_int_eq(r.status, 200);
    free(r.body);
    submit(&f, priv, false, RPC_TRANSPORT_WS, &r, NULL);
    ck_assert_int_eq(r.status, 200);
    json_t *j = body_json(&r);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "error"), "code")),
                     RPC_METHOD_NOT_FOUND);
    json_decref(j);
    free(r.body);

    /* a body too big to parse on the loop takes the worker path: same rule */
    char *big = malloc(RPC_INLINE_PARSE_MAX + 200);
    int n = snprintf(big, 100, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"admin_cheap\",\"x\":\"");
    memset(big + n, 'a', RPC_INLINE_PARSE_MAX);
    strcpy(big + n + RPC_INLINE_PARSE_MAX, "\"}");
    int outstanding = 1;
    submit(&f, big, false, RPC_TRANSPORT_HTTP, &r, &outstanding);
    ck_assert(!r.called);
    event_base_loop(f.base, EVLOOP_NO_EXIT_ON_EMPTY);
    ck_assert_int_eq(r.status, 401);
    free(big);
    fixture_free(&f);
}
END_TEST

START_TEST(slow_calls_do_not_hold_up_others)
{
    struct fixture f;
    fixture_init(&f, 2, 30);
    struct reply slow_r, fast_r;
    int outstanding = 2;
    double t0 = now();
    submit(&f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_slow\",\"params\":[\"0x1f4\"]}",
           false, RPC_TRANSPORT_HTTP, &slow_r, &outstanding);
    submit(&f, "[{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_slow\",\"params\":[\"0x1\"]}]",
           false, RPC_TRANSPORT_HTTP, &fast_r, &outstanding);
    event_base_loop(f.base, EVLOOP_NO_EXIT_ON_EMPTY);
    ck_assert_msg(fast_r.at - t0 < 0.3, "the quick call came back after %.3f s", fast_r.at - t0);
    ck_assert_msg(slow_r.at - t0 >= 0.45, "the slow one after %.3f s", slow_r.at - t0);
    ck_assert_int_eq(slow_r.status, 200);
    json_t *j = body_json(&slow_r);
    ck_assert(json_is_true(json_object_get(j, "result")));
    json_decref(j);
    free(slow_r.body);
    free(fast_r.body);
    fixture_free(&f);
}
END_TEST

START_TEST(time_limit_answers_and_cancels)
{
    struct fixture f;
    fixture_init(&f, 1, 1);
    atomic_store(&saw_cancel, false);
    struct reply r;
    int outstanding = 1;
    double t0 = now();
    submit(&f, "[{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_slow\",\"params\":[\"0x2710\"]},"
               "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"eth_cheap\"}]",
           false, RPC_TRANSPORT_HTTP, &r, &outstanding);
    event_base_loop(f.base, EVLOOP_NO_EXIT_ON_EMPTY);
    double took = r.at - t0;
    ck_assert_msg(took > 0.9 && took < 2.0, "timed out after %.3f s", took);
    ck_assert_int_eq(r.status, 200);
    json_t *j = body_json(&r);
    ck_assert_int_eq(json_array_size(j), 2);
    for (int i = 0; i < 2; i++) {
        json_t *e = json_object_get(json_array_get(j, i), "error");
        ck_assert_int_eq(json_integer_value(json_object_get(e, "code")), RPC_SERVER_ERROR);
        ck_assert_str_eq(json_string_value(json_object_get(e, "message")), "request timed out");
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, i), "id")), 7 + i);
    }
    json_decref(j);
    free(r.body);
    /* the handler noticed and stopped; the loop is free for the next request */
    for (int i = 0; i < 200 && atomic_load(&slow_running); i++)
        sleep_ms(5);
    ck_assert(atomic_load(&saw_cancel));
    ck_assert_int_eq(atomic_load(&slow_running), 0);
    outstanding = 1;
    submit(&f, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"eth_slow\",\"params\":[\"0x1\"]}",
           false, RPC_TRANSPORT_HTTP, &r, &outstanding);
    event_base_loop(f.base, EVLOOP_NO_EXIT_ON_EMPTY);
    j = body_json(&r);
    ck_assert(json_is_true(json_object_get(j, "result")));
    json_decref(j);
    free(r.body);
    fixture_free(&f);
}
END_TEST

START_TEST(shutdown_answers_waiting_requests)
{
    struct fixture f;
    fixture_init(&f, 1, 30);
    struct reply r[3];
    for (int i = 0; i < 3; i++)
        submit(&f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_slow\",\"params\":[\"0x64\"]}",
               false, RPC_TRANSPORT_HTTP, &r[i], NULL);
    sleep_ms(20);   /* the first is running, two are queued */
    rpc_host_shutdown(&f.host);
    for (int i = 0; i < 3; i++) {
        ck_assert(r[i].called);
        ck_assert_int_eq(r[i].status, 503);
        ck_assert(r[i].body == NULL);
    }
    struct reply late;
    submit(&f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_cheap\"}", false,
           RPC_TRANSPORT_HTTP, &late, NULL);
    ck_assert_int_eq(late.status, 503);
    rpc_registry_free(f.reg);
    event_base_free(f.base);
}
END_TEST

static void wait_later_threads(void)
{
    for (int i = 0; i < 400 && atomic_load(&later_threads); i++)
        sleep_ms(5);
    ck_assert_int_eq(atomic_load(&later_threads), 0);
}

START_TEST(started_calls_are_answered_when_finished)
{
    struct fixture f;
    fixture_init(&f, 1, 30);
    struct reply r;
    int outstanding = 1;
    submit(&f, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_later\",\"params\":[\"0x14\"]}",
           false, RPC_TRANSPORT_HTTP, &r, &outstanding);
    ck_assert(!r.called);
    event_base_loop(f.base, EVLOOP_NO_EXIT_ON_EMPTY);
    json_t *j = body_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(j, "result")), "later");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "id")), 3);
    json_decref(j);
    free(r.body);

    /* the finisher's error becomes the call's */
    outstanding = 1;
    submit(&f, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"eth_later\",\"params\":[\"0x1\",true]}",
           false, RPC_TRANSPORT_HTTP, &r, &outstanding);
    event_base_loop(f.base, EVLOOP_NO_EXIT_ON_EMPTY);
    j = body_json(&r);
    json_t *e = json_object_get(j, "error");
    ck_assert_int_eq(json_integer_value(json_object_get(e, "code")), RPC_SERVER_ERROR);
    ck_assert_str_eq(json_string_value(json_object_get(e, "message")), "it failed");
    json_decref(j);
    free(r.body);

    /* a start that sets an error and still starts: the finisher answers */
    outstanding = 1;
    submit(&f, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"eth_later\",\"params\":[\"0x1\",\"sloppy\"]}",
           false, RPC_TRANSPORT_HTTP, &r, &outstanding);
    ck_assert(!r.called);
    event_base_loop(f.base, EVLOOP_NO_EXIT_ON_EMPTY);
    j = body_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(j, "result")), "later");
    json_decref(j);
    free(r.body);

    /* bad params are answered at once, nothing started */
    submit(&f, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"eth_later\",\"params\":[\"x\"]}",
           false, RPC_TRANSPORT_HTTP, &r, NULL);
    ck_assert(r.called);
    j = body_json(&r);
    e = json_object_get(j, "error");
    ck_assert_int_eq(json_integer_value(json_object_get(e, "code")), RPC_INVALID_PARAMS);
    json_decref(j);
    free(r.body);

    /* in a batch the synchronous form runs (on the wait pool) */
    outstanding = 1;
    submit(&f, "[{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"eth_later\",\"params\":[\"0x1\"]}]",
           false, RPC_TRANSPORT_HTTP, &r, &outstanding);
    event_base_loop(f.base, EVLOOP_NO_EXIT_ON_EMPTY);
    j = body_json(&r);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "result")), "sync");
    json_decref(j);
    free(r.body);
    fixture_free(&f);
    wait_later_threads();
}
END_TEST

START_TEST(started_call_past_its_time_limit)
{
    struct fixture f;
    fixture_init(&f, 1, 1);
    struct reply r;
    int outstanding = 1;
    double t0 = now();
    submit(&f, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_later\",\"params\":[\"0x5dc\"]}",
           false, RPC_TRANSPORT_HTTP, &r, &outstanding);
    event_base_loop(f.base, EVLOOP_NO_EXIT_ON_EMPTY);
    double took = r.at - t0;
    ck_assert_msg(took > 0.9 && took < 1.4, "timed out after %.3f s", took);
    json_t *j = body_json(&r);
    json_t *e = json_object_get(j, "error");
    ck_assert_str_eq(json_string_value(json_object_get(e, "message")), "request timed out");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "id")), 7);
    json_decref(j);
    free(r.body);
    /* the late answer is dropped on the loop (the job was kept for it) */
    struct timeval tv = {0, 800000};
    event_base_loopexit(f.base, &tv);
    event_base_loop(f.base, EVLOOP_NO_EXIT_ON_EMPTY);
    wait_later_threads();
    ck_assert(f.host.zombies == NULL);
    fixture_free(&f);
}
END_TEST

START_TEST(shutdown_waits_for_started_calls)
{
    struct fixture f;
    fixture_init(&f, 1, 30);
    struct reply r;
    submit(&f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_later\",\"params\":[\"0xc8\"]}",
           false, RPC_TRANSPORT_HTTP, &r, NULL);
    double t0 = now();
    rpc_host_shutdown(&f.host);
    double took = now() - t0;
    /* it waited for the finisher (which writes into the job) before freeing */
    ck_assert_msg(took > 0.15, "shutdown took %.3f s", took);
    ck_assert(r.called);
    ck_assert_int_eq(r.status, 503);
    wait_later_threads();
    rpc_registry_free(f.reg);
    event_base_free(f.base);
}
END_TEST

int main(void)
{
    evthread_use_pthreads();
    Suite *s = suite_create("rpc_pool");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, pool_runs_in_parallel_and_delivers_on_the_loop);
    tcase_add_test(tc, inline_calls_answer_at_once);
    tcase_add_test(tc, credentials_per_transport);
    tcase_add_test(tc, slow_calls_do_not_hold_up_others);
    tcase_add_test(tc, time_limit_answers_and_cancels);
    tcase_add_test(tc, shutdown_answers_waiting_requests);
    tcase_add_test(tc, started_calls_are_answered_when_finished);
    tcase_add_test(tc, started_call_past_its_time_limit);
    tcase_add_test(tc, shutdown_waits_for_started_calls);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
