/*
 * fs.h — the few filesystem operations the programs need: the default data
 * directory, path joining with a hard length limit, creating directories,
 * the data-directory lock, pid files and bounded whole-file reads.
 *
 * Paths are plain C strings of at most FS_PATH_MAX bytes including the NUL;
 * anything longer is ERR_RANGE rather than silently cut, because a cut path
 * names a different file. Safe from any thread except where noted.
 */
#ifndef SPECTRUM_UTIL_FS_H
#define SPECTRUM_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FS_PATH_MAX 4096

/* Writes "$HOME/.spectrum" (HOME, else the password database) to out.
 * Returns 0, ERR_NOTFOUND (no home directory) or ERR_RANGE (too long). */
int fs_default_datadir(char *out, size_t cap);

/* Writes dir + "/" + name to out, or name alone when it is absolute
 * (name "" gives dir). Returns 0 or ERR_RANGE. out may not alias inputs. */
int fs_join(char *out, size_t cap, const char *dir, const char *name);

/* Creates directory `path` and missing parents with `mode` (existing
 * directories are left as they are). Returns 0, ERR_RANGE or ERR_IO (with the
 * path and the system's reason). */
int fs_mkdir_p(const char *path, mode_t mode);

/* True when path exists and is a directory. */
bool fs_is_dir(const char *path);

/* An exclusive advisory lock on <dir>/.lock (flock, so it is held for as long
 * as the descriptor is open, survives fork, and also excludes a second open in
 * the same process). */
struct fs_lock;

/* Creates (0600) and locks <dir>/.lock without waiting.
 * Returns 0 and *out, ERR_BADSTATE when another process (or descriptor) holds
 * the lock, ERR_IO / ERR_RANGE / ERR_NOMEM otherwise. */
int fs_lock_dir(const char *dir, struct fs_lock **out);

/* Releases and frees the lock (NULL is ignored). The file stays. */
void fs_unlock(struct fs_lock *l);

/* Writes "<pid>\n" to path (created 0600 or truncated).
 * Returns 0 or ERR_IO. */
int fs_write_pidfile(const char *path, pid_t pid);

/* Reads a whole regular file of at most max bytes into a malloc'ed buffer
 * (NUL-terminated for convenience; *len excludes the NUL). Caller frees.
 * Returns 0, ERR_NOTFOUND, ERR_RANGE (larger than max), ERR_IO or ERR_NOMEM. */
int fs_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
