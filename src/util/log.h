/*
 * log.h — the node's debug log: timestamped lines to <datadir>/debug.log and,
 * with -printtoconsole, to standard output.
 *
 * The log is one per process (like bitcoind's), so it is the one global
 * object in util: every module writes to it and passing a logger through
 * every call would buy nothing. Its state sits behind a mutex, so any thread
 * may log at any time.
 *
 * Two kinds of line:
 *   log_info / log_warn / log_error   always written (start-up, shutdown,
 *                                     problems an operator must see);
 *   log_debug(LOG_NET, ...)           written only when the category was
 *                                     enabled with -debug=net (or -debug).
 * The category check is a single atomic load done before any formatting, so
 * disabled debug lines cost almost nothing.
 *
 * Lines written before log_open() (argument parsing, early start-up) are kept
 * in a small bounded buffer and written to the file when it opens, so the
 * file tells the whole story of a start.
 *
 * SECRETS: callers must never pass private keys, passwords, RPC credentials,
 * cookie contents or keystore plaintext to any function here. The log is a
 * plain file that operators paste into bug reports.
 *
 * Outside input (peer strings, RPC parameters) may reach a message; control
 * characters are escaped as \xNN so a line in the file is always one line.
 */
#ifndef SPECTRUM_UTIL_LOG_H
#define SPECTRUM_UTIL_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* Debug categories. Add new ones before LOG_CATEGORY_COUNT, give them a
 * name in log.c's table (one word, lower case: it is what -debug= takes) and
 * list the name in the -debug help text (node/options.c) and doc/config.md. */
enum log_category {
    LOG_NET,        /* connections, handshakes */
    LOG_P2P,        /* protocol messages */
    LOG_RPC,        /* JSON-RPC requests */
    LOG_EVM,        /* execution */
    LOG_STATE,      /* state cache and commits */
    LOG_TRIE,       /* trie nodes */
    LOG_CHAIN,      /* block import, reorgs */
    LOG_TRIBE,      /* consensus: signers, seals */
    LOG_TXPOOL,     /* mempool */
    LOG_MINER,      /* block production */
    LOG_DB,         /* LevelDB */
    LOG_CHANNEL,    /* state-channel hub */
    LOG_WALLET,     /* keystore (never key material) */
    LOG_SYNC,       /* chain synchronisation */
    LOG_CATEGORY_COUNT
};

/* Severity of a line; WARNING and ERROR lines carry a prefix in the file. */
enum log_level {
    LOG_LEVEL_DEBUG,
    LOG_LEVEL_INFO,
    LOG_LEVEL_WARNING,
    LOG_LEVEL_ERROR,
};

/* Pseudo-category for lines that belong to no category (log_info & co). */
#define LOG_NONE (-1)

/* Longest message kept; longer ones are cut and end with "...". */
#define LOG_LINE_MAX 4096

/* Writes one line. Usually called through the macros below.
 * Args: level  severity; cat  a log_category or LOG_NONE (the line is then
 *       unconditional); fmt  printf format, one line (a trailing '\n' is
 *       added when missing).
 * Thread: any. Never fails visibly: I/O errors on the file are ignored (the
 * node must not stop because its disk for logs is full). */
void log_printf(enum log_level level, int cat, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True when debug lines of category `cat` are written. Thread: any. */
bool log_enabled(int cat);

#define log_info(...) log_printf(LOG_LEVEL_INFO, LOG_NONE, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_LEVEL_WARNING, LOG_NONE, __VA_ARGS__)
#define log_error(...) log_printf(LOG_LEVEL_ERROR, LOG_NONE, __VA_ARGS__)
#define log_debug(cat, ...) \
    do { if (log_enabled(cat)) log_printf(LOG_LEVEL_DEBUG, (cat), __VA_ARGS__); } while (0)

/* Opens (creating, mode 0600, append) the log file at `path` and writes the
 * lines buffered so far. Returns 0, ERR_RANGE (path too long) or ERR_IO with
 * the reason. Calling it again switches to the new path. Thread: any. */
int log_open(const char *path);

/* Closes the file (buffered lines stay buffered for a later open). */
void log_close(void);

/* Asks for the file to be reopened before the next line: for log rotation
 * (SIGHUP after the operator moved debug.log away). Only sets an atomic flag,
 * so it is safe to call from a signal handler. */
void log_request_reopen(void);

/* Console output (stdout) on or off; off by default. */
void log_set_console(bool on);

/* ISO 8601 UTC timestamps at the start of each line; on by default. */
void log_set_timestamps(bool on);

/* When off, lines are neither buffered nor written to a file (console only).
 * For programs that never open a debug.log. On by default. */
void log_set_buffering(bool on);

/* Enables debug category `name`: a category name, or "all" / "1" for every
 * category. Returns 0, or ERR_INVAL (context: "unknown logging category
 * 'x'") for an unknown name. Thread: any. */
int log_enable_category(const char *name);

/* Disables category `name` (same names as above; "all" disables all).
 * Returns 0 or ERR_INVAL. */
int log_disable_category(const char *name);

/* Disables every category. */
void log_disable_all(void);

/* Returns the -debug name of a category, or NULL when out of range. */
const char *log_category_name(int cat);

/* Writes the comma-separated list of category names into buf (cap bytes,
 * always NUL-terminated, truncated if too small). For -help text. */
void log_category_list(char *buf, size_t cap);

#endif
