/*
 * keydir.c — names, atomic writes and listing of the keystore directory
 * (see keydir.h).
 *
 * A key file is written to ".tmp-<name>" (hidden: a concurrent listing skips
 * it), synced, then hard-linked to its final name and the temporary unlinked.
 * link(2), unlike rename(2), fails when the target exists, so an existing key
 * is never replaced; the directory is synced last so the new name survives a
 * power cut. Modes are set with fchmod as well as open, so the umask cannot
 * leave a key file readable by others.
 */
#include "wallet/keydir.h"

#include "util/err.h"
#include "util/fs.h"
#include "util/hex.h"
#include "util/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int keydir_file_name(const struct address *a, const struct timespec *when,
                     char out[KEYDIR_NAME_SIZE])
{
    struct tm tm;
    time_t secs = when->tv_sec;
    if (!gmtime_r(&secs, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
        return err_set(ERR_RANGE, "keystore: time out of range for a file name");
    char hex[2 * ADDRESS_LEN + 1];
    hex_encode(hex, a->b, ADDRESS_LEN);
    int n = snprintf(out, KEYDIR_NAME_SIZE, "UTC--%04d-%02d-%02dT%02d-%02d-%02d.%09ldZ--%s",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (long)when->tv_nsec, hex);
    if (n < 0 || n >= KEYDIR_NAME_SIZE)
        return err_set(ERR_RANGE, "keystore: file name too long");
    return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int keydir_write(const char *dir, const char *name, const char *text, size_t len)
{
    char tmpname[KEYDIR_NAME_SIZE + 8];
    char final[FS_PATH_MAX], tmp[FS_PATH_MAX];
    int n = snprintf(tmpname, sizeof tmpname, ".tmp-%s", name);
    if (n < 0 || (size_t)n >= sizeof tmpname || fs_join(final, sizeof final, dir, name) != 0 ||
        fs_join(tmp, sizeof tmp, dir, tmpname) != 0)
        return err_set(ERR_RANGE, "keystore: path too long in %s", dir);

    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return err_set(ERR_IO, "keystore: cannot create %s: %s", tmp, strerror(errno));
    if (fchmod(fd, 0600) != 0 || write_all(fd, text, len) != 0 || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return err_set(ERR_IO, "keystore: cannot write %s: %s", tmp, strerror(e));
    }
    if (close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return err_set(ERR_IO, "keystore: cannot write %s: %s", tmp, strerror(e));
    }
    if (link(tmp, final) != 0) {
        int e = errno;
        unlink(tmp);
        if (e == EEXIST)
            return err_set(ERR_BADSTATE, "keystore: %s already exists", final);
        return err_set(ERR_IO, "keystore: cannot create %s: %s", final, strerror(e));
    }
    unlink(tmp);
    sync_dir(dir);
    return 0;
}

static int cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

void keydir_names_free(char **names, size_t count)
{
    if (!names)
        return;
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* Hidden files (our temporaries, editors' swap files) and backups ending
 * in '~' are never keys, as in geth's keystore scan. */
static bool candidate_name(const char *name)
{
    size_t n = strlen(name);
    return n > 0 && name[0] != '.' && name[n - 1] != '~';
}

int keydir_list(const char *dir, char ***names, size_t *count)
{
    *names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return err_set(ERR_IO, "keystore: cannot read %s: %s", dir, strerror(errno));
    int dfd = dirfd(d);
    char **v = NULL;
    size_t n = 0, cap = 0;
    bool warned = false;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!candidate_name(de->d_name))
            continue;
        struct stat st;
        if (fstatat(dfd, de->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == KEYDIR_MAX_FILES) {
            if (!warned)
                log_warn("keystore: more than %d files in %s, the rest are ignored",
                         KEYDIR_MAX_FILES, dir);
            warned = true;
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            char **nv = realloc(v, ncap * sizeof *nv);
            if (!nv)
                goto nomem;
            v = nv;
            cap = ncap;
        }
        v[n] = strdup(de->d_name);
        if (!v[n])
            goto nomem;
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_names);
    *names = v;
    *count = n;
    return 0;

nomem:
    closedir(d);
    keydir_names_free(v, n);
    return err_set(ERR_NOMEM, "keystore: listing %s", dir);
}
