/* vrf_ahead.c — see vrf_ahead.h. */
#include "consensus/vrf_ahead.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "util/err.h"
#include "util/thread_name.h"

/* A block's VRF message: the block number and its bytes. */
struct job {
    uint64_t number;
    size_t len;
    uint8_t msg[VRF_BLOCK_MSG_MAX];
};

struct proof {
    struct job job;
    int rc;
    uint8_t out[VRF_OUTPUT_LEN];
};

struct vrf_ahead {
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* work for the prover, or a proof done */
    pthread_t thread;
    bool stopping;
    /* The chain being proved: one key, consecutive blocks. */
    uint64_t generation;        /* bumped when a start begins another chain */
    uint8_t key_id[SHA256_LEN]; /* SHA-256 of the chain's key */
    bool has_key;
    uint8_t sk[32];             /* held while the prover has a proof to make */
    bool has_next;              /* next: the block the prover makes next */
    struct job next;
    bool running;               /* the prover is making `current` */
    struct job current;
    struct proof done[VRF_AHEAD_DEPTH]; /* made, not taken; oldest first */
    size_t ndone;
    uint64_t taken, unstarted, missed; /* vrf_ahead_counts */
};

static bool same_job(const struct job *j, const uint8_t *msg, size_t len)
{
    return j->len == len && memcmp(j->msg, msg, len) == 0;
}

static void wipe_key(struct vrf_ahead *va)
{
    OPENSSL_cleanse(va->sk, sizeof va->sk);
    va->has_key = false;
}

/* Under mu: whether the prover has a proof to make now. */
static bool prover_has_work(const struct vrf_ahead *va)
{
    return va->has_key && va->has_next && !va->running && va->ndone < VRF_AHEAD_DEPTH;
}

/* Under mu, after a proof of `j` with output `out`: the next block's job
 * (its message is (j's number, this proof's index)), if it is worth making. */
static void chain_on(struct vrf_ahead *va, const struct job *j, const uint8_t out[VRF_OUTPUT_LEN])
{
    struct job n;
    n.number = j->number + 1;
    if (n.number == 0 || vrf_block_message(j->number, out, VRF_OUTPUT_LEN, n.msg, &n.len) != 0) {
        err_clear();
        return;
    }
    va->next = n;
    va->has_next = true;
}

static void *prover_main(void *arg)
{
    thread_name("vrf-prover");
    struct vrf_ahead *va = arg;
#ifdef SCHED_IDLE
    /* Lowest priority (vrf_ahead.h, "Priority"); a failure only costs speed. */
    struct sched_param sp = {0};
    (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
#endif
    pthread_mutex_lock(&va->mu);
    for (;;) {
        while (!va->stopping && !prover_has_work(va)) {
            /* Nothing to make until a block is taken: the key is not kept
             * for nothing (the next start gives it again). */
            if (va->has_key && !va->running)
                wipe_key(va);
            pthread_cond_wait(&va->cv, &va->mu);
        }
        if (va->stopping)
            break;
        uint8_t sk[32];
        memcpy(sk, va->sk, 32);
        struct job j = va->next;
        uint64_t gen = va->generation;
        va->has_next = false;
        va->current = j;
        va->running = true;
        pthread_mutex_unlock(&va->mu);
        struct proof p = {.job = j};
        p.rc = vrf_prove(sk, j.msg, j.len, p.out);
        if (p.rc)
            err_clear(); /* the taker reports it */
        OPENSSL_cleanse(sk, sizeof sk);
        pthread_mutex_lock(&va->mu);
        va->running = false;
        /* Kept unless a start began another chain meanwhile. */
        if (gen == va->generation && va->ndone < VRF_AHEAD_DEPTH) {
            va->done[va->ndone++] = p;
            if (p.rc == 0)
                chain_on(va, &j, p.out);
        }
        OPENSSL_cleanse(&p, sizeof p);
        pthread_cond_broadcast(&va->cv);
    }
    pthread_mutex_unlock(&va->mu);
    return NULL;
}

int vrf_ahead_new(struct vrf_ahead **out)
{
    *out = NULL;
    struct vrf_ahead *va = calloc(1, sizeof *va);
    if (!va)
        return err_set(ERR_NOMEM, "vrf_ahead");
    if (pthread_mutex_init(&va->mu, NULL) != 0) {
        free(va);
        return err_set(ERR_BADSTATE, "vrf_ahead: mutex");
    }
    if (pthread_cond_init(&va->cv, NULL) != 0) {
        pthread_mutex_destroy(&va->mu);
        free(va);
        return err_set(ERR_BADSTATE, "vrf_ahead: condition variable");
    }
    if (pthread_create(&va->thread, NULL, prover_main, va) != 0) {
        pthread_cond_destroy(&va->cv);
        pthread_mutex_destroy(&va->mu);
        free(va);
        return err_set(ERR_BADSTATE, "vrf_ahead: cannot start the prover thread");
    }
    *out = va;
    return 0;
}

void vrf_ahead_free(struct vrf_ahead *va)
{
    if (!va)
        return;
    pthread_mutex_lock(&va->mu);
    va->stopping = true;
    pthread_cond_broadcast(&va->cv);
    pthread_mutex_unlock(&va->mu);
    pthread_join(va->thread, NULL);
    OPENSSL_cleanse(va->sk, sizeof va->sk);
    OPENSSL_cleanse(va->done, sizeof va->done);
    pthread_cond_destroy(&va->cv);
    pthread_mutex_destroy(&va->mu);
    free(va);
}

/* Under mu: whether block `msg` is already made, being made or next. */
static bool in_chain(const struct vrf_ahead *va, const uint8_t *msg, size_t len)
{
    for (size_t i = 0; i < va->ndone; i++)
        if (same_job(&va->done[i].job, msg, len))
            return true;
    return (va->running && same_job(&va->current, msg, len)) ||
           (va->has_next && same_job(&va->next, msg, len));
}

void vrf_ahead_start(struct vrf_ahead *va, const uint8_t sk[32], uint64_t number,
                     const uint8_t *msg, size_t len)
{
    if (!va || len > VRF_BLOCK_MSG_MAX)
        return;
    uint8_t id[SHA256_LEN];
    if (sha256(sk, 32, id))
        return;
    pthread_mutex_lock(&va->mu);
    bool same_key = memcmp(va->key_id, id, sizeof id) == 0;
    if (!same_key || !in_chain(va, msg, len)) {
        /* Another chain: what was made for the old one is of no use. */
        va->generation++;
        OPENSSL_cleanse(va->done, sizeof va->done);
        va->ndone = 0;
        memcpy(va->key_id, id, sizeof id);
        va->next.number = number;
        va->next.len = len;
        memcpy(va->next.msg, msg, len);
        va->has_next = true;
    }
    memcpy(va->sk, sk, 32);
    va->has_key = true;
    pthread_cond_broadcast(&va->cv);
    pthread_mutex_unlock(&va->mu);
}

/* Under mu: the index of msg's proof in done, or -1. */
static int find_done(const struct vrf_ahead *va, const uint8_t *msg, size_t len)
{
    for (size_t i = 0; i < va->ndone; i++)
        if (same_job(&va->done[i].job, msg, len))
            return (int)i;
    return -1;
}

int vrf_ahead_take(struct vrf_ahead *va, const uint8_t sk[32], const uint8_t *msg, size_t len,
                   uint8_t out[VRF_OUTPUT_LEN])
{
    if (!va)
        return ERR_NOTFOUND;
    uint8_t id[SHA256_LEN];
    if (sha256(sk, 32, id))
        return ERR_NOTFOUND;
    pthread_mutex_lock(&va->mu);
    if (memcmp(va->key_id, id, sizeof id) != 0) {
        va->missed++;
        pthread_mutex_unlock(&va->mu);
        return ERR_NOTFOUND;
    }
    int i;
    uint64_t gen = va->generation;
    while ((i = find_done(va, msg, len)) < 0 && va->running && gen == va->generation &&
           same_job(&va->current, msg, len))
        pthread_cond_wait(&va->cv, &va->mu);
    if (i >= 0) {
        int rc = va->done[i].rc;
        if (rc == 0)
            memcpy(out, va->done[i].out, VRF_OUTPUT_LEN);
        /* This block's proof and any older one are of no more use. */
        size_t drop = (size_t)i + 1;
        memmove(va->done, va->done + drop, (va->ndone - drop) * sizeof va->done[0]);
        va->ndone -= drop;
        OPENSSL_cleanse(va->done + va->ndone, drop * sizeof va->done[0]);
        va->taken++;
        pthread_cond_broadcast(&va->cv); /* room for the prover */
        pthread_mutex_unlock(&va->mu);
        return rc ? err_set(rc, "vrf_ahead: the prover failed") : 0;
    }
    if (va->has_next && same_job(&va->next, msg, len)) {
        /* The prover has not begun it: at SCHED_IDLE it gets a CPU only
         * when nothing else wants one, which on a busy machine may be long
         * after this caller blocked. Proving here costs no more than the
         * proof; the caller's next start hands the chain back. */
        va->has_next = false;
        va->unstarted++;
        if (!va->running)
            wipe_key(va); /* nothing left to make: the next start gives it back */
        pthread_mutex_unlock(&va->mu);
        int rc = vrf_prove(sk, msg, len, out);
        return rc ? err_wrap(rc, "vrf_ahead: proving inline") : 0;
    }
    va->missed++;
    pthread_mutex_unlock(&va->mu);
    return ERR_NOTFOUND;
}

size_t vrf_ahead_ready(struct vrf_ahead *va)
{
    pthread_mutex_lock(&va->mu);
    size_t n = va->ndone;
    pthread_mutex_unlock(&va->mu);
    return n;
}

void vrf_ahead_counts(struct vrf_ahead *va, uint64_t *taken, uint64_t *unstarted,
                      uint64_t *missed)
{
    pthread_mutex_lock(&va->mu);
    *taken = va->taken;
    *unstarted = va->unstarted;
    *missed = va->missed;
    pthread_mutex_unlock(&va->mu);
}
