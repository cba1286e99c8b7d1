/* err.c — thread-local error context; see err.h. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ERR_MSG_MAX 512

static _Thread_local char err_buf[ERR_MSG_MAX];

int err_set(int code, const char *fmt, ...)
{
    if (!fmt) {
        err_buf[0] = 0;
        return code;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_buf, sizeof err_buf, fmt, ap);
    va_end(ap);
    return code;
}

/* Appends src to dst (capacity cap, NUL-terminated), truncating quietly. */
static void append_trunc(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(dst);
    while (n + 1 < cap && *src)
        dst[n++] = *src++;
    dst[n] = 0;
}

int err_wrap(int code, const char *fmt, ...)
{
    char out[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, sizeof out, fmt, ap);
    va_end(ap);
    append_trunc(out, sizeof out, ": ");
    append_trunc(out, sizeof out, err_buf[0] ? err_buf : err_name(code));
    memcpy(err_buf, out, sizeof err_buf);
    return code;
}

const char *err_msg(void) { return err_buf; }

void err_clear(void) { err_buf[0] = 0; }

const char *err_name(int code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_INVAL: return "invalid";
    case ERR_NOMEM: return "out of memory";
    case ERR_IO: return "i/o error";
    case ERR_RANGE: return "out of range";
    case ERR_DECODE: return "decode error";
    case ERR_NOTFOUND: return "not found";
    case ERR_CRYPTO: return "cryptographic failure";
    case ERR_BADSTATE: return "invalid state";
    case ERR_UNSUPPORTED: return "unsupported";
    default: return "unknown error";
    }
}
