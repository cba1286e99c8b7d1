/*
 * bench.h — the benchmark harness: one binary (bench_spectrum), one case per
 * workload. Each group file (bench_crypto.c, bench_rlp.c, bench_trie.c, ...)
 * defines a function that runs its cases when their name matches the filter
 * and reports one line per figure through bench_report().
 *
 * Usage: src/bench/bench_spectrum [FILTER]   (substring of case names)
 */
#ifndef SPECTRUM_BENCH_H
#define SPECTRUM_BENCH_H

#include <stdbool.h>
#include <stddef.h>

/* Monotonic time in seconds. */
double bench_now(void);

/* True when the case `name` matches the command-line filter. */
bool bench_selected(const char *name);

/* Prints "name  value unit" aligned. */
void bench_report(const char *name, double value, const char *unit);

/* Makes a fresh directory $TMPDIR/<name>.XXXXXX (TMPDIR defaults to /tmp)
 * in dir (size bytes). Returns 0 or ERR_IO (err_msg says why). */
int bench_tmpdir(char *dir, size_t size, const char *name);

/* Removes dir and the files directly in it (a LevelDB directory is flat). */
void bench_rmdir(const char *dir);

/* The source tree (share/ holds the genesis files and contract artifacts):
 * $SPECTRUM_SRCDIR, else the one the binary was configured from. */
const char *bench_srcdir(void);

/* Copies the files directly in src (a flat LevelDB directory) into the
 * existing directory dst. Returns 0 or ERR_IO (err_msg says which file). */
int bench_copy_dir(const char *src, const char *dst);

/* Groups (one per file). */
void bench_crypto(void);
void bench_rlp(void);
void bench_trie(void);
void bench_bn254(void);
void bench_chain(void);
void bench_txpool(void);
void bench_import(void);
void bench_rlpx(void);
void bench_automine(void);
void bench_meshbox(void);
void bench_channel(void);

#endif
