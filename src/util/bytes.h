/*
 * bytes.h — a growable byte buffer, the output type of every encoder.
 *
 * Encoders append to a struct bytes. Allocation failure is sticky: once an
 * append fails, `oom` is set, later appends do nothing, and the caller checks
 * once at the end (bytes_ok). This keeps encoding code linear and readable.
 *
 * Ownership: the buffer owns `data`; bytes_free releases it. A zeroed struct
 * (BYTES_INIT) is a valid empty buffer. Not thread-safe; one owner at a time.
 */
#ifndef SPECTRUM_UTIL_BYTES_H
#define SPECTRUM_UTIL_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct bytes {
    uint8_t *data;
    size_t len;
    size_t cap;
    bool oom;           /* an append failed; contents are incomplete */
};

#define BYTES_INIT {0, 0, 0, false}

/* Ensures room for `extra` more bytes. Returns 0 or ERR_NOMEM (sets oom). */
int bytes_reserve(struct bytes *b, size_t extra);

/* Appends n bytes (p may be NULL only when n == 0). Returns 0 or ERR_NOMEM. */
int bytes_append(struct bytes *b, const void *p, size_t n);

/* Appends one byte. Returns 0 or ERR_NOMEM. */
int bytes_push(struct bytes *b, uint8_t c);

/* Returns 0 if no append has failed, else ERR_NOMEM (with context set). */
int bytes_ok(const struct bytes *b);

/* Empties the buffer, keeping its allocation and clearing oom. */
void bytes_reset(struct bytes *b);

/* Frees the allocation and zeroes the struct. */
void bytes_free(struct bytes *b);

/* Hands the allocation to the caller (who frees it with free()) and zeroes the
 * struct. *len receives the length. Returns NULL for an empty buffer. */
uint8_t *bytes_steal(struct bytes *b, size_t *len);

/* Big-endian integer helpers for fixed-width fields. */
static inline void be_put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; }
}
static inline uint64_t be_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return v;
}
static inline void be_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline uint32_t be_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
