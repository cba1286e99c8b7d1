/*
 * analysis.h — what the interpreter needs to know about a piece of code
 * before running it: a padded copy (so PUSH32 at the very end reads zeros
 * and running off the end reads STOP, with no bounds check in the loop) and
 * the bitmap of valid jump destinations (JUMPDEST bytes that are not PUSH
 * data).
 *
 * Shape (why): analysing is linear in the code size and deployed code is
 * called again and again (a token contract, every transfer), so analyses of
 * deployed code are cached by code hash in a struct analysis_cache, one per
 * struct evm, reused across calls and transactions. Init code (CREATE) has
 * no hash worth computing and runs once: its analysis is built into a
 * buffer that the caller keeps and reuses.
 *
 * Ownership: a struct code_analysis owns its buffer. The cache owns the
 * analyses it returns; they stay valid until analysis_cache_trim or
 * analysis_cache_free (never called while code runs).
 * Threads: one thread per cache / analysis.
 */
#ifndef SPECTRUM_EVM_ANALYSIS_H
#define SPECTRUM_EVM_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"

/* Zero bytes after the code: the longest PUSH data (32) plus a STOP. */
#define ANALYSIS_PAD 33

/* Longest code analysed (init code has no protocol limit, but the gas to
 * pay for it does; 64 MiB is far beyond any block's gas). */
#define ANALYSIS_MAX_CODE ((size_t)64 << 20)

struct code_analysis {
    const uint8_t *code;        /* code_len bytes, then ANALYSIS_PAD zeros */
    size_t code_len;
    const uint64_t *jumpdest;   /* bit i of word i/64: byte i is a JUMPDEST */
    uint8_t *buf;               /* owned storage for both */
    size_t cap;
};

/* An empty analysis (valid to free). */
#define CODE_ANALYSIS_INIT {NULL, 0, NULL, NULL, 0}

/*
 * Analyses `code` into *a, reusing a's buffer when it is large enough.
 * Returns 0, ERR_RANGE (code longer than ANALYSIS_MAX_CODE) or ERR_NOMEM; on
 * failure *a still owns a valid (possibly empty) buffer.
 */
int code_analysis_build(struct code_analysis *a, const uint8_t *code, size_t len);

/* Releases the buffer and empties *a. */
void code_analysis_free(struct code_analysis *a);

/* True when `dest` is a valid jump destination. */
static inline bool code_analysis_jumpdest(const struct code_analysis *a, uint64_t dest)
{
    return dest < a->code_len && ((a->jumpdest[dest >> 6] >> (dest & 63)) & 1);
}

/* ---- cache ------------------------------------------------------------------ */

struct analysis_cache;

/* Creates a cache that trim keeps under `max_bytes` of analyses.
 * Returns 0 or ERR_NOMEM. */
int analysis_cache_new(size_t max_bytes, struct analysis_cache **out);

void analysis_cache_free(struct analysis_cache *c);

/*
 * Returns the analysis of the code whose keccak256 is `hash`, building it
 * from `code` on a miss (the caller guarantees code hashes to `hash`).
 * Returns 0, ERR_RANGE or ERR_NOMEM.
 * Out: *out, valid until analysis_cache_trim or analysis_cache_free.
 */
int analysis_cache_get(struct analysis_cache *c, const struct hash32 *hash, const uint8_t *code,
                       size_t len, const struct code_analysis **out);

/* Drops every entry when the cache holds more than `max_bytes` (0: the
 * limit given at creation). Only when no code is running. */
void analysis_cache_trim(struct analysis_cache *c, size_t max_bytes);

/* Number of cached analyses (for tests). */
size_t analysis_cache_count(const struct analysis_cache *c);

#endif
