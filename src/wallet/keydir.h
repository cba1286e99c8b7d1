/*
 * keydir.h — the keystore directory on disk, apart from what is in it: the
 * geth file name of a new key, writing a key file so that it appears whole
 * or not at all, and listing the candidate key files.
 *
 * Why a separate file: wallet.c is about which keys are unlocked and who
 * may sign; the rules about names, modes and atomic writes are easier to
 * check on their own. Internal to the wallet module (not a public header).
 *
 * Threads: every function is safe from any thread (no shared state).
 */
#ifndef SPECTRUM_WALLET_KEYDIR_H
#define SPECTRUM_WALLET_KEYDIR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "primitives/address.h"

/* "UTC--2006-01-02T15-04-05.000000000Z--" + 40 hex + NUL. */
#define KEYDIR_NAME_SIZE 128

/* Most files a directory listing returns; the rest are skipped with a
 * warning (a keystore holds a handful of keys; this bounds memory). */
#define KEYDIR_MAX_FILES 65536

/* Writes geth's file name for a key created at `when` (UTC):
 * "UTC--<YYYY-MM-DDTHH-MM-SS.nnnnnnnnn>Z--<address, 40 lowercase hex>".
 * Returns 0, or ERR_RANGE when the time cannot be represented. */
int keydir_file_name(const struct address *a, const struct timespec *when,
                     char out[KEYDIR_NAME_SIZE]);

/* Writes `len` bytes of text as dir/name, mode 0600: first to a hidden
 * temporary file in dir, synced, then renamed over the final name, so a
 * crash leaves either no file or the whole file. Refuses (ERR_BADSTATE) to
 * replace an existing dir/name. Returns 0, ERR_BADSTATE, ERR_RANGE (path too
 * long) or ERR_IO with the path and the system's reason. */
int keydir_write(const char *dir, const char *name, const char *text, size_t len);

/* Lists the names of the regular files in dir that may be key files (not
 * hidden, not ending in '~', not a directory), sorted by strcmp.
 * Out: *names (an array of *count malloc'ed strings; keydir_names_free).
 * Returns 0, ERR_IO (cannot read dir), ERR_NOMEM. */
int keydir_list(const char *dir, char ***names, size_t *count);

/* Frees what keydir_list returned (NULL is ignored). */
void keydir_names_free(char **names, size_t count);

#endif
