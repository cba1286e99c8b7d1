/*
 * log.c — see log.h.
 *
 * A line is built completely in a local buffer (timestamp, prefix, escaped
 * message, newline) and then written with one fwrite under the mutex, so lines
 * from different threads never interleave. The category mask is an atomic
 * word read without the mutex: the common case, a disabled debug line, takes
 * no lock. Reopening for log rotation is requested by an atomic flag (safe in
 * a signal handler) and done by the next writer, under the mutex.
 */
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/bytes.h"
#include "util/err.h"

#define LOG_PATH_MAX 4096
#define LOG_EARLY_MAX (1u << 20)   /* lines kept before the file opens */

_Static_assert(LOG_CATEGORY_COUNT <= 32, "category mask is one 32-bit word");

static const char *const category_names[LOG_CATEGORY_COUNT] = {
    [LOG_NET] = "net",       [LOG_P2P] = "p2p",         [LOG_RPC] = "rpc",
    [LOG_EVM] = "evm",       [LOG_STATE] = "state",     [LOG_TRIE] = "trie",
    [LOG_CHAIN] = "chain",   [LOG_TRIBE] = "tribe",     [LOG_TXPOOL] = "txpool",
    [LOG_MINER] = "miner",   [LOG_DB] = "db",           [LOG_CHANNEL] = "channel",
    [LOG_WALLET] = "wallet", [LOG_SYNC] = "sync",
};

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint_least32_t log_mask;
static atomic_int reopen_wanted;

/* Guarded by log_mu. */
static FILE *log_file;
static char log_path[LOG_PATH_MAX];
static bool log_console;
static bool log_timestamps = true;
static bool log_buffering = true;
static struct bytes early = BYTES_INIT;
static bool early_truncated;

bool log_enabled(int cat)
{
    if (cat < 0 || cat >= LOG_CATEGORY_COUNT)
        return false;
    return (atomic_load_explicit(&log_mask, memory_order_relaxed) >> cat) & 1u;
}

/* Opens path for appending; returns NULL with errno set on failure. */
static FILE *open_append(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "a");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

/* Caller holds log_mu. Reopens the file when rotation was requested. */
static void maybe_reopen(void)
{
    if (!atomic_exchange(&reopen_wanted, 0) || !log_path[0])
        return;
    FILE *f = open_append(log_path);
    if (!f)
        return;     /* keep writing to the old file rather than to nothing */
    if (log_file)
        fclose(log_file);
    log_file = f;
}

/* Caller holds log_mu. Sends one finished line to its destinations. */
static void emit(const char *line, size_t len)
{
    maybe_reopen();
    if (log_file) {
        fwrite(line, 1, len, log_file);
        fflush(log_file);
    } else if (log_buffering && !early_truncated) {
        if (early.len + len > LOG_EARLY_MAX) {
            static const char note[] = "(earlier lines were dropped: start-up log buffer full)\n";
            bytes_append(&early, note, sizeof note - 1);
            early_truncated = true;
        } else {
            bytes_append(&early, line, len);
        }
    }
    if (log_console) {
        fwrite(line, 1, len, stdout);
        fflush(stdout);
    }
}

/* Appends s to out (capacity cap) escaping control bytes as \xNN; returns the
 * new length. Leaves room for the final newline and NUL. */
static size_t append_escaped(char *out, size_t n, size_t cap, const char *s)
{
    static const char hexd[] = "0123456789abcdef";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f) {
            if (n + 4 + 2 > cap)
                break;
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hexd[c >> 4];
            out[n++] = hexd[c & 15];
        } else {
            if (n + 1 + 2 > cap)
                break;
            out[n++] = (char)c;
        }
    }
    return n;
}

void log_printf(enum log_level level, int cat, const char *fmt, ...)
{
    char msg[LOG_LINE_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r < 0)
        return;
    if ((size_t)r >= sizeof msg)
        memcpy(msg + sizeof msg - 4, "...", 4);
    size_t mlen = strlen(msg);
    if (mlen && msg[mlen - 1] == '\n')
        msg[--mlen] = 0;

    char line[LOG_LINE_MAX * 4 + 128];
    size_t n = 0;

    pthread_mutex_lock(&log_mu);
    if (log_timestamps) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        n += strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    }
    if (cat >= 0 && cat < LOG_CATEGORY_COUNT)
        n += (size_t)snprintf(line + n, sizeof line - n, "[%s] ", category_names[cat]);
    if (level == LOG_LEVEL_WARNING)
        n = append_escaped(line, n, sizeof line, "Warning: ");
    else if (level == LOG_LEVEL_ERROR)
        n = append_escaped(line, n, sizeof line, "Error: ");
    n = append_escaped(line, n, sizeof line, msg);
    line[n++] = '\n';
    line[n] = 0;
    emit(line, n);
    pthread_mutex_unlock(&log_mu);
}

int log_open(const char *path)
{
    size_t plen = strlen(path);
    if (plen == 0 || plen >= LOG_PATH_MAX)
        return err_set(ERR_RANGE, "log file path of %zu bytes", plen);
    FILE *f = open_append(path);
    if (!f)
        return err_set(ERR_IO, "cannot open %s: %s", path, strerror(errno));
    pthread_mutex_lock(&log_mu);
    if (log_file)
        fclose(log_file);
    log_file = f;
    memcpy(log_path, path, plen + 1);
    atomic_store(&reopen_wanted, 0);
    if (early.len) {
        fwrite(early.data, 1, early.len, log_file);
        fflush(log_file);
    }
    bytes_free(&early);
    early_truncated = false;
    pthread_mutex_unlock(&log_mu);
    return 0;
}

void log_close(void)
{
    pthread_mutex_lock(&log_mu);
    if (log_file)
        fclose(log_file);
    log_file = NULL;
    log_path[0] = 0;
    pthread_mutex_unlock(&log_mu);
}

void log_request_reopen(void)
{
    atomic_store(&reopen_wanted, 1);
}

void log_set_console(bool on)
{
    pthread_mutex_lock(&log_mu);
    log_console = on;
    pthread_mutex_unlock(&log_mu);
}

void log_set_timestamps(bool on)
{
    pthread_mutex_lock(&log_mu);
    log_timestamps = on;
    pthread_mutex_unlock(&log_mu);
}

void log_set_buffering(bool on)
{
    pthread_mutex_lock(&log_mu);
    log_buffering = on;
    if (!on)
        bytes_free(&early);
    pthread_mutex_unlock(&log_mu);
}

/* Returns the mask for a name: one bit, all bits, or 0 when unknown. */
static uint32_t mask_for(const char *name)
{
    if (!strcmp(name, "all") || !strcmp(name, "1"))
        return (uint32_t)((1ull << LOG_CATEGORY_COUNT) - 1);
    for (int i = 0; i < LOG_CATEGORY_COUNT; i++)
        if (!strcmp(name, category_names[i]))
            return 1u << i;
    return 0;
}

int log_enable_category(const char *name)
{
    uint32_t m = mask_for(name);
    if (!m)
        return err_set(ERR_INVAL, "unknown logging category '%.64s'", name);
    atomic_fetch_or(&log_mask, m);
    return 0;
}

int log_disable_category(const char *name)
{
    uint32_t m = mask_for(name);
    if (!m)
        return err_set(ERR_INVAL, "unknown logging category '%.64s'", name);
    atomic_fetch_and(&log_mask, ~m);
    return 0;
}

void log_disable_all(void)
{
    atomic_store(&log_mask, 0);
}

const char *log_category_name(int cat)
{
    if (cat < 0 || cat >= LOG_CATEGORY_COUNT)
        return NULL;
    return category_names[cat];
}

void log_category_list(char *buf, size_t cap)
{
    if (!cap)
        return;
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < LOG_CATEGORY_COUNT; i++) {
        int r = snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", category_names[i]);
        if (r < 0 || (size_t)r >= cap - n)
            return;
        n += (size_t)r;
    }
}
