/*
 * fixtures.h — shared plumbing for the conformance runners over
 * ../shared/ethereum-tests: where the fixtures are, loading JSON, walking
 * directories, counting results.
 *
 * The fixture root is $SPECTRUM_SHARED (set by `make check`), else
 * ../shared beside the source tree. When it is missing the runner skips
 * loudly (exit 77, automake's SKIP) on a user's clone, but fails in CI
 * (CI=true), where the fixtures must be present.
 */
#ifndef SPECTRUM_TEST_FIXTURES_H
#define SPECTRUM_TEST_FIXTURES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tally {
    unsigned long passed;
    unsigned long failed;
    unsigned long skipped;
};

/* Returns the malloc'ed path "<shared>/<sub>", or exits (77 skip / 1 in CI)
 * with a loud message when it does not exist. */
char *fixtures_path(const char *sub);

/* Loads a JSON file; prints the reason and returns NULL on failure. */
json_t *fixtures_load(const char *path);

/* Calls fn(path, arg) for every *.json file under `path` (a file or a
 * directory, walked recursively in sorted order). Returns the number of files. */
size_t fixtures_walk(const char *path, void (*fn)(const char *path, void *arg), void *arg);

/* Records one result; on failure prints "FAIL <where>: <why>". */
void tally_pass(struct tally *t);
void tally_fail(struct tally *t, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prints "N passed, M failed" (", K skipped" when any) as the last line and
 * returns the process exit code (0 only when nothing failed and something ran). */
int tally_finish(const struct tally *t);

/* Decodes a hex string ("0x..." or bare) from JSON into a malloc'ed buffer.
 * Returns 0 or -1. */
int fixtures_hex(const char *s, uint8_t **out, size_t *n);

#endif
