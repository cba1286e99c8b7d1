/*
 * thread_name.h — names the calling thread as `top -H`, `ps -L`, perf and
 * gdb show it ("chain", "vrf-prover", "rpc-worker", ...), so that a user
 * who sees a busy thread knows which part of the node it is. The list is
 * in doc/architecture.md ("Threads").
 */
#ifndef SPECTRUM_UTIL_THREAD_NAME_H
#define SPECTRUM_UTIL_THREAD_NAME_H

#include <pthread.h>

/* At most 15 characters (the kernel's limit); a longer name or a failure
 * leaves the thread unnamed, which only costs the label. */
static inline void thread_name(const char *name)
{
#if defined(__linux__)
    (void)pthread_setname_np(pthread_self(), name);
#else
    (void)name;
#endif
}

#endif
