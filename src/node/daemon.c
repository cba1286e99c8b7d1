/*
 * daemon.c — see daemon.h.
 *
 * Report protocol on the pipe: one byte 'K' (started), or 'E' followed by the
 * error text (at most DAEMON_MSG_MAX bytes). End of file without a byte means
 * the child died before reporting.
 */
#include "node/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/err.h"

#define DAEMON_MSG_MAX 1024

static void write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        c += w;
        n -= (size_t)w;
    }
}

/* Parent: waits for the child's report and exits with it. */
static void parent_wait(int fd, pid_t child, const char *progname)
{
    char buf[DAEMON_MSG_MAX + 2];
    size_t n = 0;
    while (n < sizeof buf - 1) {
        ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
        if (buf[0] == 'K')
            break;
    }
    close(fd);
    buf[n] = 0;
    if (n >= 1 && buf[0] == 'K')
        exit(0);
    if (n >= 1 && buf[0] == 'E') {
        fprintf(stderr, "Error: %s\n", buf + 1);
    } else {
        int status = 0;
        waitpid(child, &status, 0);
        fprintf(stderr, "Error: %s stopped during start-up (%s %d)\n", progname,
                WIFSIGNALED(status) ? "signal" : "exit code",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    }
    exit(1);
}

int daemon_start(const char *progname, struct daemon_notify *n)
{
    int p[2];
    n->fd = -1;
    if (pipe(p) != 0)
        return err_set(ERR_IO, "pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return err_set(ERR_IO, "fork: %s", strerror(e));
    }
    if (pid > 0) {
        close(p[1]);
        parent_wait(p[0], pid, progname);
    }
    close(p[0]);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    setsid();
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        if (devnull > STDERR_FILENO)
            close(devnull);
    }
    n->fd = p[1];
    return 0;
}

void daemon_ready(struct daemon_notify *n)
{
    if (n->fd < 0)
        return;
    write_all(n->fd, "K", 1);
    close(n->fd);
    n->fd = -1;
}

void daemon_failed(struct daemon_notify *n, const char *msg)
{
    if (n->fd < 0)
        return;
    size_t len = strlen(msg);
    if (len > DAEMON_MSG_MAX)
        len = DAEMON_MSG_MAX;
    write_all(n->fd, "E", 1);
    write_all(n->fd, msg, len);
    close(n->fd);
    n->fd = -1;
}
