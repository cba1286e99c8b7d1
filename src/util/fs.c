/*
 * fs.c — see fs.h.
 *
 * The data-directory lock uses flock() rather than fcntl() record locks:
 * fcntl locks vanish when ANY descriptor of the file is closed by the process
 * and are not inherited by a forked child, both of which bite a daemon;
 * flock belongs to the open file description, which is exactly "while this
 * node runs".
 */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

struct fs_lock {
    int fd;
};

int fs_default_datadir(char *out, size_t cap)
{
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home || !*home)
        return err_set(ERR_NOTFOUND, "no home directory (set HOME or use -datadir)");
    return fs_join(out, cap, home, ".spectrum");
}

int fs_join(char *out, size_t cap, const char *dir, const char *name)
{
    int n;
    if (name[0] == '/')
        n = snprintf(out, cap, "%s", name);
    else if (!name[0])
        n = snprintf(out, cap, "%s", dir);
    else {
        size_t dl = strlen(dir);
        bool slash = dl && dir[dl - 1] == '/';
        n = snprintf(out, cap, "%s%s%s", dir, slash ? "" : "/", name);
    }
    if (n < 0 || (size_t)n >= cap)
        return err_set(ERR_RANGE, "path too long (%s/%.32s...)", dir, name);
    return 0;
}

bool fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_mkdir_p(const char *path, mode_t mode)
{
    char buf[FS_PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return err_set(ERR_RANGE, "bad directory path of %zu bytes", n);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0)
            continue;
        char saved = buf[i];
        buf[i] = 0;
        if (mkdir(buf, mode) != 0 && errno != EEXIST)
            return err_set(ERR_IO, "cannot create directory %s: %s", buf, strerror(errno));
        buf[i] = saved;
    }
    if (!fs_is_dir(path))
        return err_set(ERR_IO, "%s exists and is not a directory", path);
    return 0;
}

int fs_lock_dir(const char *dir, struct fs_lock **out)
{
    char path[FS_PATH_MAX];
    *out = NULL;
    int rc = fs_join(path, sizeof path, dir, ".lock");
    if (rc)
        return rc;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(ERR_IO, "cannot open %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return err_set(ERR_BADSTATE, "%s is locked by another process", path);
        return err_set(ERR_IO, "cannot lock %s: %s", path, strerror(e));
    }
    struct fs_lock *l = malloc(sizeof *l);
    if (!l) {
        close(fd);
        return err_set(ERR_NOMEM, "out of memory");
    }
    l->fd = fd;
    *out = l;
    return 0;
}

void fs_unlock(struct fs_lock *l)
{
    if (!l)
        return;
    flock(l->fd, LOCK_UN);
    close(l->fd);
    free(l);
}

int fs_write_pidfile(const char *path, pid_t pid)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(ERR_IO, "cannot create pid file %s: %s", path, strerror(errno));
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)pid);
    ssize_t w = write(fd, buf, (size_t)n);
    int e = errno;
    if (close(fd) != 0 || w != n)
        return err_set(ERR_IO, "cannot write pid file %s: %s", path, strerror(w < 0 ? e : errno));
    return 0;
}

int fs_read_file(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return err_set(ERR_NOTFOUND, "%s not found", path);
        return err_set(ERR_IO, "cannot open %s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(ERR_IO, "%s is not a regular file", path);
    }
    if ((unsigned long long)st.st_size > max) {
        close(fd);
        return err_set(ERR_RANGE, "%s is larger than %zu bytes", path, max);
    }
    size_t cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return err_set(ERR_NOMEM, "out of memory");
    }
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            /* The file grew after fstat: allow up to max, no further. */
            if (cap > max) {
                free(buf);
                close(fd);
                return err_set(ERR_RANGE, "%s is larger than %zu bytes", path, max);
            }
            size_t nc = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *nb = realloc(buf, nc + 1);
            if (!nb) {
                free(buf);
                close(fd);
                return err_set(ERR_NOMEM, "out of memory");
            }
            buf = nb;
            cap = nc;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return err_set(ERR_IO, "cannot read %s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max) {
        free(buf);
        return err_set(ERR_RANGE, "%s is larger than %zu bytes", path, max);
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
}
