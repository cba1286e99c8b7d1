/*
 * wait.c — see wait.h.
 */
#include "util/wait.h"

#include <errno.h>

void wait_deadline_after(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += (time_t)(ms / 1000u);
    ts->tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

bool wait_rest(pthread_cond_t *cv, pthread_mutex_t *mu, const bool *stop, bool *resting,
               unsigned ms)
{
    struct timespec until;
    wait_deadline_after(&until, ms);
    pthread_mutex_lock(mu);
    *resting = true;
    while (!*stop) {
        int rc = pthread_cond_timedwait(cv, mu, &until);
        if (rc == ETIMEDOUT || (rc != 0 && rc != EINTR))
            break;
    }
    *resting = false;
    bool stopped = *stop;
    pthread_mutex_unlock(mu);
    return stopped;
}
