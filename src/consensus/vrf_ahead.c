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

enum job_state { JOB_NONE, JOB_WAITING, JOB_RUNNING, JOB_DONE };

struct vrf_ahead {
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* a job to run, or a job done */
    pthread_t thread;
    bool stopping;
    enum job_state state;
    uint8_t sk[32];             /* held while WAITING or RUNNING */
    uint8_t key_id[SHA256_LEN]; /* SHA-256 of the job's key */
    uint8_t msg[VRF_BLOCK_MSG_MAX];
    size_t len;
    uint8_t out[VRF_OUTPUT_LEN];
    int rc;
    uint64_t taken, unstarted, missed; /* vrf_ahead_counts */
};

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
        while (!va->stopping && va->state != JOB_WAITING)
            pthread_cond_wait(&va->cv, &va->mu);
        if (va->stopping)
            break;
        uint8_t sk[32], msg[VRF_BLOCK_MSG_MAX], out[VRF_OUTPUT_LEN];
        size_t len = va->len;
        memcpy(sk, va->sk, 32);
        memcpy(msg, va->msg, len);
        va->state = JOB_RUNNING;
        pthread_mutex_unlock(&va->mu);
        int rc = vrf_prove(sk, msg, len, out);
        OPENSSL_cleanse(sk, sizeof sk);
        pthread_mutex_lock(&va->mu);
        /* Still RUNNING: nobody replaced the job while it was made. */
        if (va->state == JOB_RUNNING) {
            memcpy(va->out, out, sizeof out);
            va->rc = rc;
            va->state = JOB_DONE;
            OPENSSL_cleanse(va->sk, sizeof va->sk);
            pthread_cond_broadcast(&va->cv);
        }
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
    pthread_cond_destroy(&va->cv);
    pthread_mutex_destroy(&va->mu);
    free(va);
}

void vrf_ahead_start(struct vrf_ahead *va, const uint8_t sk[32], const uint8_t *msg, size_t len)
{
    if (!va || len > VRF_BLOCK_MSG_MAX)
        return;
    uint8_t id[SHA256_LEN];
    if (sha256(sk, 32, id))
        return;
    pthread_mutex_lock(&va->mu);
    memcpy(va->sk, sk, 32);
    memcpy(va->key_id, id, sizeof id);
    memcpy(va->msg, msg, len);
    va->len = len;
    va->state = JOB_WAITING;
    pthread_cond_broadcast(&va->cv);
    pthread_mutex_unlock(&va->mu);
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
    if (va->state == JOB_NONE || va->len != len || memcmp(va->msg, msg, len) != 0 ||
        memcmp(va->key_id, id, sizeof id) != 0) {
        va->missed++;
        pthread_mutex_unlock(&va->mu);
        return ERR_NOTFOUND;
    }
    if (va->state == JOB_WAITING) {
        /* The prover has not begun: at SCHED_IDLE it gets a CPU only when
         * nothing else wants one, which on a busy machine may be long after
         * this caller blocked. Proving here costs no more than the proof. */
        va->state = JOB_NONE;
        OPENSSL_cleanse(va->sk, sizeof va->sk);
        va->unstarted++;
        pthread_mutex_unlock(&va->mu);
        int rc = vrf_prove(sk, msg, len, out);
        return rc ? err_wrap(rc, "vrf_ahead: proving inline") : 0;
    }
    va->taken++;
    while (va->state != JOB_DONE)
        pthread_cond_wait(&va->cv, &va->mu);
    int rc = va->rc;
    if (rc == 0)
        memcpy(out, va->out, VRF_OUTPUT_LEN);
    va->state = JOB_NONE;
    pthread_mutex_unlock(&va->mu);
    return rc ? err_set(rc, "vrf_ahead: the prover failed") : 0;
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
