/*
 * job.c — requests in flight; see job.h.
 *
 * Sharing between the loop and a worker is limited to three fields:
 * `cancelled` (loop writes, handlers read), `ids` (the worker publishes the
 * request's ids before running handlers so that a time-out can answer them;
 * whoever takes them with an atomic exchange owns them) and the results,
 * which the loop reads only after the pool handed the task back (the pool's
 * mutex orders that). Everything else belongs to the loop.
 */
#include "rpc/job.h"

#include <event2/event.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/exec.h"
#include "rpc/worker.h"
#include "util/err.h"
#include "util/log.h"

/* A call's asynchronous form in flight (dispatch.h): the answer, written
 * by the finishing thread before it delivers the job to the wait pool. */
struct rpc_async {
    json_t *result;
    struct rpc_error err;
};

struct rpc_job {
    struct rpc_task task;           /* first: the pool hands back this pointer */
    struct rpc_async op;            /* started calls only */
    struct rpc_host *host;
    struct rpc_job *prev, *next;
    char *body;
    size_t len;
    struct rpc_request *req;
    bool authenticated;
    enum rpc_transport transport;
    void *conn;
    rpc_reply_fn fn;
    void *target;
    int64_t deadline;               /* monotonic ms */
    atomic_bool cancelled;
    _Atomic(json_t *) ids;
    atomic_bool batch;
    bool answered;                  /* loop only */
    /* results, written by the worker */
    int status;
    char *out;
    size_t outlen;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void proto_ctx(struct rpc_job *j, struct rpc_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->env = j->host->env;
    ctx->transport = j->transport;
    ctx->authenticated = j->authenticated;
    ctx->conn = j->conn;
    ctx->cancelled = &j->cancelled;
}

static void log_calls(const struct rpc_request *r, enum rpc_transport t, bool auth)
{
    if (!log_enabled(LOG_RPC))
        return;
    char names[256];
    rpc_request_describe(r, names, sizeof names);
    log_debug(LOG_RPC, "%s request%s: %s", t == RPC_TRANSPORT_WS ? "ws" : "http",
              auth ? " (authenticated)" : "", names);
}

/* ---- lists ---------------------------------------------------------------- */

static void live_unlink(struct rpc_host *h, struct rpc_job *j)
{
    if (j->prev)
        j->prev->next = j->next;
    else
        h->live_head = j->next;
    if (j->next)
        j->next->prev = j->prev;
    else
        h->live_tail = j->prev;
    j->prev = j->next = NULL;
    h->nlive--;
}

static void zombie_unlink(struct rpc_host *h, struct rpc_job *j)
{
    if (j->prev)
        j->prev->next = j->next;
    else
        h->zombies = j->next;
    if (j->next)
        j->next->prev = j->prev;
    j->prev = j->next = NULL;
}

static void job_free(struct rpc_job *j)
{
    json_decref(j->op.result);
    rpc_request_free(j->req);
    json_decref(atomic_exchange(&j->ids, NULL));
    free(j->body);
    free(j->out);
    free(j);
}

static void arm_timer(struct rpc_host *h)
{
    if (!h->live_head || evtimer_pending(h->timer, NULL))
        return;
    int64_t wait = h->live_head->deadline - now_ms();
    if (wait < 0)
        wait = 0;
    struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000) * 1000};
    evtimer_add(h->timer, &tv);
}

/* ---- loop reads (job.h) ---------------------------------------------------- */

/* True when r is one call of an RPC_LOOP_READ method (a batch is never one)
 * and either nothing else waits for the loop or loop reads are cheap (see
 * job.h, "Loop reads"). */
static bool loop_read_now(struct rpc_host *h, const struct rpc_request *r)
{
    if (h->loop_reads_off_until && now_ms() < h->loop_reads_off_until)
        return false;
    if (!rpc_request_loop_read(r))
        return false;
    if (h->loop_read_avg_us < RPC_LOOP_READ_BUSY_US ||
        event_base_get_num_events(h->base, EVENT_BASE_COUNT_ACTIVE) == 0)
        return true;
    /* Busy and dear: a worker, except one probe per interval that keeps the
     * average current (without it, a run of slow reads would keep a busy
     * loop's reads on the workers until the loop next found itself idle). */
    int64_t now = now_ms();
    if (now < h->loop_read_probe_at)
        return false;
    h->loop_read_probe_at = now + RPC_LOOP_READ_PROBE_MS;
    return true;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The guard of job.h: counts slow loop reads, pauses them after a run. */
static void loop_read_took(struct rpc_host *h, int64_t us)
{
    h->loop_read_avg_us += (us - h->loop_read_avg_us) / 8;
    if (us <= RPC_LOOP_READ_BUDGET_US)
        return;
    int64_t now = now_ms();
    h->loop_read_strikes = now - h->loop_read_slow_at < 1000 ? h->loop_read_strikes + 1 : 1;
    h->loop_read_slow_at = now;
    if (h->loop_read_strikes < RPC_LOOP_READ_STRIKES)
        return;
    h->loop_read_strikes = 0;
    h->loop_reads_off_until = now + RPC_LOOP_READ_PAUSE_S * 1000;
    log_info("RPC: %d state reads on the event loop took over %d us each (the last %lld us); "
             "state reads go to the workers for %d s", RPC_LOOP_READ_STRIKES,
             RPC_LOOP_READ_BUDGET_US, (long long)us, RPC_LOOP_READ_PAUSE_S);
}

/* ---- the three stages ------------------------------------------------------ */

/* Worker thread. */
static void job_run(struct rpc_task *t)
{
    struct rpc_job *j = (struct rpc_job *)t;
    if (atomic_load(&j->cancelled))
        return;
    if (!j->req && rpc_request_parse(j->body, j->len, j->host->env->registry,
                                     j->host->max_batch, &j->req)) {
        rpc_error_reply(RPC_INTERNAL_ERROR, "internal error: out of memory", &j->out,
                        &j->outlen);
        return;
    }
    free(j->body);
    j->body = NULL;
    if (j->transport != RPC_TRANSPORT_WS &&
        rpc_request_denied(j->req, j->host->env->registry, j->authenticated)) {
        j->status = 401;
        return;
    }
    log_calls(j->req, j->transport, j->authenticated);
    bool batch;
    json_t *ids = rpc_request_ids(j->req, &batch);
    atomic_store(&j->batch, batch);
    atomic_store(&j->ids, ids);

    struct rpc_ctx proto;
    proto_ctx(j, &proto);
    rpc_request_run(j->req, &proto, false);
    if (!rpc_request_loop_pending(j->req) && !atomic_load(&j->cancelled) &&
        rpc_request_reply(j->req, &j->out, &j->outlen))
        rpc_error_reply(RPC_INTERNAL_ERROR, "internal error: out of memory", &j->out,
                        &j->outlen);
}

/* Loop thread: a job came back. False when it had been answered already
 * (timed out): then it is freed here. */
static bool take_back(struct rpc_host *h, struct rpc_job *j)
{
    if (j->answered) {
        zombie_unlink(h, j);
        job_free(j);
        return false;
    }
    live_unlink(h, j);
    return true;
}

/* r's reply, or the internal error when memory runs out. */
static void reply_of(const struct rpc_request *r, char **out, size_t *len)
{
    if (rpc_request_reply(r, out, len))
        rpc_error_reply(RPC_INTERNAL_ERROR, "internal error: out of memory", out, len);
}

/* Loop thread: the worker is done with j. */
static void job_done(struct rpc_task *t)
{
    struct rpc_job *j = (struct rpc_job *)t;
    struct rpc_host *h = j->host;
    if (!take_back(h, j))
        return;
    unsigned after = 0;
    if (j->status == 0 && j->req && rpc_request_loop_pending(j->req)) {
        struct rpc_ctx proto;
        proto_ctx(j, &proto);
        rpc_request_run(j->req, &proto, true);
        reply_of(j->req, &j->out, &j->outlen);
    }
    if (j->req)
        after = rpc_request_after(j->req);
    char *out = j->out;
    j->out = NULL;
    j->fn(j->target, j->status ? j->status : 200, out, j->outlen, after);
    job_free(j);
}

/* Any thread: the service a started call waited for has its answer. */
void rpc_async_finish(struct rpc_async *op, json_t *result, int code, const char *message)
{
    struct rpc_job *j = (struct rpc_job *)((char *)op - offsetof(struct rpc_job, op));
    op->result = result;
    op->err.code = code;
    if (code)
        snprintf(op->err.message, sizeof op->err.message, "%s", message ? message : "");
    rpc_pool_deliver(j->host->wait_pool, &j->task);
}

/* Loop thread: a started call's answer came back. */
static void job_finished(struct rpc_task *t)
{
    struct rpc_job *j = (struct rpc_job *)t;
    struct rpc_host *h = j->host;
    if (!take_back(h, j))
        return;
    rpc_request_finish(j->req, j->op.result, &j->op.err);
    j->op.result = NULL;
    char *out = NULL;
    size_t len = 0;
    reply_of(j->req, &out, &len);
    h->loop_answers++;
    j->fn(j->target, 200, out, len, rpc_request_after(j->req));
    job_free(j);
}

/* Loop thread: deadlines. */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct rpc_host *h = arg;
    int64_t now = now_ms();
    while (h->live_head && h->live_head->deadline <= now) {
        struct rpc_job *j = h->live_head;
        live_unlink(h, j);
        j->answered = true;
        atomic_store(&j->cancelled, true);
        j->next = h->zombies;
        if (h->zombies)
            h->zombies->prev = j;
        h->zombies = j;
        json_t *ids = atomic_exchange(&j->ids, NULL);
        char *out = NULL;
        size_t len = 0;
        rpc_timeout_reply(ids, atomic_load(&j->batch), &out, &len);
        json_decref(ids);
        log_debug(LOG_RPC, "request timed out after %u ms", h->timeout_ms);
        j->fn(j->target, 200, out, len, 0);
    }
    arm_timer(h);
}

/* ---- public ----------------------------------------------------------------- */

/* A job for a worker (or a started call), in the live list under its
 * deadline. NULL when out of memory. */
static struct rpc_job *new_job(struct rpc_host *h, bool authenticated,
                               enum rpc_transport transport, void *conn, rpc_reply_fn fn,
                               void *target)
{
    struct rpc_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->task.run = job_run;
    j->task.done = job_done;
    j->host = h;
    j->authenticated = authenticated;
    j->transport = transport;
    j->conn = conn;
    j->fn = fn;
    j->target = target;
    j->deadline = now_ms() + h->timeout_ms;
    atomic_init(&j->cancelled, false);
    atomic_init(&j->ids, NULL);
    atomic_init(&j->batch, false);
    j->prev = h->live_tail;
    if (h->live_tail)
        h->live_tail->next = j;
    else
        h->live_head = j;
    h->live_tail = j;
    h->nlive++;
    arm_timer(h);
    return j;
}

/* A lone call with an asynchronous form (dispatch.h): started here, on the
 * loop, and answered when its service delivers the job back (job_finished)
 * — no thread parked per call, one wake-up of the loop for the answer. The
 * job is live before the start, since the answer may come back at once;
 * the ids are published for a time-out as a worker would. */
static void start_job(struct rpc_host *h, struct rpc_request *req, bool authenticated,
                      enum rpc_transport transport, void *conn, rpc_reply_fn fn, void *target)
{
    struct rpc_job *j = new_job(h, authenticated, transport, conn, fn, target);
    if (!j) {
        rpc_request_free(req);
        fn(target, 503, NULL, 0, 0);
        return;
    }
    j->req = req;
    j->task.run = NULL;
    j->task.done = job_finished;
    bool batch;
    atomic_store(&j->ids, rpc_request_ids(req, &batch));
    log_calls(req, transport, authenticated);
    struct rpc_ctx proto;
    proto_ctx(j, &proto);
    rpc_pool_expect(h->wait_pool);
    if (rpc_request_start(req, &proto, &j->op))
        return;
    /* Answered at once (bad params, refused before the queue). */
    rpc_pool_unexpect(h->wait_pool);
    live_unlink(h, j);
    char *out = NULL;
    size_t len = 0;
    reply_of(req, &out, &len);
    h->loop_answers++;
    fn(target, 200, out, len, rpc_request_after(req));
    job_free(j);
}

int rpc_host_init(struct rpc_host *h, struct event_base *base, const struct rpc_env *env,
                  unsigned threads, size_t max_batch, unsigned timeout_s)
{
    memset(h, 0, sizeof *h);
    h->base = base;
    h->env = env;
    h->max_batch = max_batch;
    h->timeout_ms = timeout_s * 1000u;
    h->timer = evtimer_new(base, on_timer, h);
    if (!h->timer)
        return err_set(ERR_NOMEM, "rpc: cannot create a timer");
    int rc = rpc_pool_new(base, threads, &h->pool);
    if (rc == 0) {
        rc = rpc_pool_new(base, RPC_WAIT_THREADS, &h->wait_pool);
        if (rc) {
            rpc_pool_free(h->pool);
            h->pool = NULL;
        }
    }
    if (rc) {
        event_free(h->timer);
        h->timer = NULL;
    }
    return rc;
}

void rpc_host_submit(struct rpc_host *h, char *body, size_t len, bool authenticated,
                     enum rpc_transport transport, void *conn, rpc_reply_fn fn, void *target)
{
    if (h->stopping) {
        free(body);
        fn(target, 503, NULL, 0, 0);
        return;
    }
    struct rpc_request *req = NULL;
    if (len <= RPC_INLINE_PARSE_MAX) {
        if (rpc_request_parse(body, len, h->env->registry, h->max_batch, &req)) {
            free(body);
            fn(target, 503, NULL, 0, 0);
            return;
        }
        free(body);
        body = NULL;
        if (transport != RPC_TRANSPORT_WS &&
            rpc_request_denied(req, h->env->registry, authenticated)) {
            rpc_request_free(req);
            fn(target, 401, NULL, 0, 0);
            return;
        }
        bool loop_read = false;
        if (rpc_request_inline(req) || (loop_read = loop_read_now(h, req))) {
            log_calls(req, transport, authenticated);
            int64_t t0 = loop_read ? now_us() : 0;
            atomic_bool never = false;
            struct rpc_ctx proto;
            memset(&proto, 0, sizeof proto);
            proto.env = h->env;
            proto.transport = transport;
            proto.authenticated = authenticated;
            proto.conn = conn;
            proto.cancelled = &never;
            rpc_request_run(req, &proto, true);
            if (loop_read)
                loop_read_took(h, now_us() - t0);
            char *out = NULL;
            size_t olen = 0;
            reply_of(req, &out, &olen);
            unsigned after = rpc_request_after(req);
            rpc_request_free(req);
            h->loop_answers++;
            fn(target, 200, out, olen, after);
            return;
        }
    }
    if (req && rpc_request_can_start(req, authenticated)) {
        start_job(h, req, authenticated, transport, conn, fn, target);
        return;
    }
    struct rpc_job *j = new_job(h, authenticated, transport, conn, fn, target);
    if (!j) {
        free(body);
        rpc_request_free(req);
        fn(target, 503, NULL, 0, 0);
        return;
    }
    j->body = body;
    j->len = len;
    j->req = req;
    rpc_pool_submit(req && rpc_request_waits(req) ? h->wait_pool : h->pool, &j->task);
}

void rpc_host_shutdown(struct rpc_host *h)
{
    h->stopping = true;
    rpc_pool_free(h->pool);
    h->pool = NULL;
    rpc_pool_free(h->wait_pool);
    h->wait_pool = NULL;
    while (h->live_head) {
        struct rpc_job *j = h->live_head;
        live_unlink(h, j);
        j->fn(j->target, 503, NULL, 0, 0);
        job_free(j);
    }
    while (h->zombies) {
        struct rpc_job *j = h->zombies;
        zombie_unlink(h, j);
        job_free(j);
    }
    if (h->timer)
        event_free(h->timer);
    h->timer = NULL;
}
