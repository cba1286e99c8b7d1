/*
 * daemon.h — -daemon: running spectrumd in the background without losing its
 * start-up errors.
 *
 * The process forks early; the parent stays in the foreground, waiting on a
 * pipe, until the child either reports that it started (the parent exits 0)
 * or sends its error (the parent prints it to stderr and exits 1). So
 * `spectrumd -daemon && echo started` means what it says, and a start-up
 * failure in the background is never silent.
 */
#ifndef SPECTRUM_NODE_DAEMON_H
#define SPECTRUM_NODE_DAEMON_H

/* The child's end of the report pipe (-1 when not daemonised). */
struct daemon_notify {
    int fd;
};

/* Forks. Returns only in the child, after setsid() and with stdin, stdout
 * and stderr pointed at /dev/null; n->fd is the pipe to report on.
 * The parent never returns: it exits with the child's report (see above).
 * Returns 0, or ERR_IO when the pipe or the fork fails (nothing forked).
 * Thread: main, before any other thread is started. */
int daemon_start(const char *progname, struct daemon_notify *n);

/* Child: tells the parent that start-up succeeded and closes the pipe.
 * Does nothing when n->fd is -1. */
void daemon_ready(struct daemon_notify *n);

/* Child: sends the error message to the parent and closes the pipe.
 * Does nothing when n->fd is -1. */
void daemon_failed(struct daemon_notify *n, const char *msg);

#endif
