/*
 * err.h — status codes and a per-thread error context.
 *
 * Every fallible function in spectrumd returns int: 0 on success or one of the
 * negative codes below. The code says what kind of failure it was (callers
 * branch on it); the context string says why, for humans (logs, RPC errors).
 * A function that fails sets the context with err_set() and returns its code:
 *
 *     if (len > MAX) return err_set(ERR_RANGE, "rlp: list of %zu bytes", len);
 *
 * The context is thread-local, so threads never see each other's reasons.
 */
#ifndef SPECTRUM_UTIL_ERR_H
#define SPECTRUM_UTIL_ERR_H

enum err_code {
    ERR_OK = 0,
    ERR_INVAL = -1,     /* argument or input is malformed */
    ERR_NOMEM = -2,     /* allocation failed */
    ERR_IO = -3,        /* file, socket or database failure */
    ERR_RANGE = -4,     /* value or length outside what is allowed */
    ERR_DECODE = -5,    /* bytes do not decode (RLP, hex, JSON, ...) */
    ERR_NOTFOUND = -6,  /* key, file or item does not exist */
    ERR_CRYPTO = -7,    /* bad signature, key or MAC */
    ERR_BADSTATE = -8,     /* operation not allowed in the current state */
    ERR_UNSUPPORTED = -9,
};

/* Sets this thread's error context (printf format) and returns `code`.
 * Args: code  a negative err_code; fmt  printf-style message, may be NULL. */
int err_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prepends "prefix: " to the current context, keeping the code. Returns code.
 * Used when passing an error up a layer: err_wrap(rc, "block %llu", n). */
int err_wrap(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Returns this thread's last context message ("" when none). The pointer is
 * valid until the next err_set/err_wrap/err_clear on the same thread. */
const char *err_msg(void);

/* Clears the context. */
void err_clear(void);

/* Returns a static name for a code ("invalid", "no memory", ...). */
const char *err_name(int code);

#endif
