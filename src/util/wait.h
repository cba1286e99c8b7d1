/*
 * wait.h — bounded waits on a condition variable.
 *
 * A thread that works in rounds when other threads tell it to (a new head,
 * say) can rest between rounds: wait_rest keeps it asleep for a fixed time
 * through every signal but its stop flag, so that what comes meanwhile is
 * taken in one round after it. Its notifiers skip the signal while it
 * rests (a flag of their own, under the same mutex): a signal that wakes
 * nobody still costs the notifier a system call.
 */
#ifndef SPECTRUM_UTIL_WAIT_H
#define SPECTRUM_UTIL_WAIT_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

/* *ts = CLOCK_REALTIME now + ms: the deadline pthread_cond_timedwait takes
 * for a condition variable with the default clock. */
void wait_deadline_after(struct timespec *ts, unsigned ms);

/* Takes mu, sets *resting, waits ms on cv whatever signals come, until
 * then or until *stop (read under mu) is true, clears *resting and releases
 * mu. Notifiers read *resting under mu to skip their signal. Returns
 * *stop. */
bool wait_rest(pthread_cond_t *cv, pthread_mutex_t *mu, const bool *stop, bool *resting,
               unsigned ms);

#endif
