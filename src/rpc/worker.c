/*
 * worker.c — see worker.h.
 *
 * Two FIFO lists under one mutex: `todo` (submitted, waiting for a thread)
 * and `finished` (run, waiting for the loop). A thread that finishes a task
 * activates the loop's event only when `finished` was empty, so a burst of
 * completions costs one wake-up.
 *
 * The loop is woken through an eventfd it watches, written after the
 * mutex is released. Both halves matter: event_active from another thread
 * notifies the loop while holding libevent's base lock, and a wake under
 * our own mutex does the same with it; either way the loop woke at once,
 * found the lock held, slept on it and had to be woken a second time by
 * the unlock (seen as half the deliverer's time in futex wake-ups, and on
 * the answer's path). For the same reason `expected` is an atomic: a
 * delivery counts itself off after its write without taking the mutex
 * again, and rpc_pool_free, which closes the eventfd, waits for the count
 * (each side writes, then reads the other's flag, both sequentially
 * consistent: one of them sees the other).
 */
#include "rpc/worker.h"

#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "evm/evm.h"
#include "util/err.h"
#include "util/thread_name.h"

struct task_list {
    struct rpc_task *head, *tail;
    size_t n;
};

struct rpc_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct task_list todo, finished;
    atomic_bool stopping;       /* written under mu */
    atomic_size_t expected;     /* rpc_pool_expect'ed, not yet delivered */
    int wake_fd;                /* eventfd: written to wake the loop */
    struct event *wake;         /* the loop's read event on wake_fd */
    pthread_t threads[RPC_POOL_MAX_THREADS];
    unsigned nthreads;
};

static void list_push(struct task_list *l, struct rpc_task *t)
{
    t->next = NULL;
    if (l->tail)
        l->tail->next = t;
    else
        l->head = t;
    l->tail = t;
    l->n++;
}

static struct rpc_task *list_pop(struct task_list *l)
{
    struct rpc_task *t = l->head;
    if (t) {
        l->head = t->next;
        if (!l->head)
            l->tail = NULL;
        l->n--;
        t->next = NULL;
    }
    return t;
}

static void wake_loop(struct rpc_pool *p)
{
    uint64_t one = 1;
    /* Fails only when the counter is saturated: the loop is woken anyway. */
    ssize_t n = write(p->wake_fd, &one, sizeof one);
    (void)n;
}

static void *thread_main(void *arg)
{
    thread_name("rpc-worker");
    struct rpc_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stopping && !p->todo.head)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stopping)
            break;
        struct rpc_task *t = list_pop(&p->todo);
        pthread_mutex_unlock(&p->mu);
        t->run(t);
        pthread_mutex_lock(&p->mu);
        if (p->stopping)
            break;  /* the owner frees t; nobody will deliver it */
        bool was_empty = p->finished.head == NULL;
        list_push(&p->finished, t);
        if (was_empty) {
            /* wake_fd outlives this thread: rpc_pool_free joins it first. */
            pthread_mutex_unlock(&p->mu);
            wake_loop(p);
            pthread_mutex_lock(&p->mu);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Loop thread: delivers every finished task. */
static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    struct rpc_pool *p = arg;
    uint64_t count;
    ssize_t n = read(fd, &count, sizeof count); /* resets it; EAGAIN when already read */
    (void)n;
    pthread_mutex_lock(&p->mu);
    struct task_list l = p->finished;
    p->finished.head = p->finished.tail = NULL;
    p->finished.n = 0;
    pthread_mutex_unlock(&p->mu);
    struct rpc_task *t;
    while ((t = list_pop(&l)) != NULL)
        t->done(t);
}

int rpc_pool_new(struct event_base *base, unsigned nthreads, struct rpc_pool **out)
{
    *out = NULL;
    if (nthreads < 1 || nthreads > RPC_POOL_MAX_THREADS)
        return err_set(ERR_RANGE, "rpc: %u worker threads (allowed 1 to %d)", nthreads,
                       RPC_POOL_MAX_THREADS);
    struct rpc_pool *p = calloc(1, sizeof *p);
    if (!p)
        return err_set(ERR_NOMEM, "out of memory");
    p->wake_fd = -1;
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        return err_set(ERR_BADSTATE, "rpc: cannot create a mutex");
    }
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        free(p);
        return err_set(ERR_BADSTATE, "rpc: cannot create a condition variable");
    }
    p->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (p->wake_fd < 0) {
        rpc_pool_free(p);
        return err_set(ERR_BADSTATE, "rpc: cannot create the worker eventfd");
    }
    p->wake = event_new(base, p->wake_fd, EV_READ | EV_PERSIST, on_wake, p);
    if (!p->wake || event_add(p->wake, NULL) != 0) {
        rpc_pool_free(p);
        return err_set(ERR_NOMEM, "rpc: cannot create the worker event");
    }
    /* Handlers run the EVM (eth_call, estimateGas, tracing): give each worker
     * the stack evm.h asks for, or deep call chains overflow it. */
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, EVM_THREAD_STACK) != 0) {
        rpc_pool_free(p);
        return err_set(ERR_BADSTATE, "rpc: cannot set the worker stack size");
    }
    for (unsigned i = 0; i < nthreads; i++) {
        if (pthread_create(&p->threads[i], &attr, thread_main, p) != 0) {
            pthread_attr_destroy(&attr);
            rpc_pool_free(p);
            return err_set(ERR_BADSTATE, "rpc: cannot start worker thread %u", i + 1);
        }
        p->nthreads++;
    }
    pthread_attr_destroy(&attr);
    *out = p;
    return 0;
}

void rpc_pool_submit(struct rpc_pool *p, struct rpc_task *t)
{
    pthread_mutex_lock(&p->mu);
    list_push(&p->todo, t);
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void rpc_pool_expect(struct rpc_pool *p)
{
    atomic_fetch_add(&p->expected, 1);
}

/* Counts one expected delivery off; the last one during rpc_pool_free
 * wakes it (under mu, so that it cannot be between its check and its
 * wait). */
void rpc_pool_unexpect(struct rpc_pool *p)
{
    if (atomic_fetch_sub(&p->expected, 1) == 1 && atomic_load(&p->stopping)) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

void rpc_pool_deliver(struct rpc_pool *p, struct rpc_task *t)
{
    pthread_mutex_lock(&p->mu);
    bool wake = false;
    if (!p->stopping) { /* stopping: the owner frees t */
        wake = p->finished.head == NULL;
        list_push(&p->finished, t);
    }
    pthread_mutex_unlock(&p->mu);
    if (wake)
        wake_loop(p);
    rpc_pool_unexpect(p); /* last: wake_fd stays until the count is zero */
}

size_t rpc_pool_queued(struct rpc_pool *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->todo.n;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void rpc_pool_free(struct rpc_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_lock(&p->mu);
    while (p->expected)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    if (p->wake)
        event_free(p->wake);
    if (p->wake_fd >= 0)
        close(p->wake_fd);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
