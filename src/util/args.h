/*
 * args.h — command-line options and the config file, bitcoind style.
 *
 * Every option is declared once in a table of struct arg_def (name, type,
 * help, default, help group). Each module owns its table and registers it
 * with args_register(), so adding the RPC or p2p options later touches only
 * those modules. Anything not registered is refused: a typo stops the node
 * with "unknown option -foo" instead of being silently ignored.
 *
 * Syntax, on the command line:
 *     -name=value   --name=value   -name (bool true, or the option's
 *     `implicit` value)   -noname (bool false; clears a list; unsets a
 *     negatable string)   -noname=0 (same as -name)
 * Option parsing stops at the first word that does not start with '-' (or
 * after "--"); the caller decides whether positional words are allowed.
 *
 * In the config file (spectrum.conf): `name=value` lines, '#' starts a
 * comment anywhere on a line (values cannot contain '#'), blank lines are
 * skipped, `[section]` starts a section whose lines apply only to that
 * network (the caller gives the section names: main, test, regtest,
 * devnet). Lines before any section apply to every network.
 *
 * Precedence: every occurrence is kept in order, per source. A value is
 * resolved over the sequence  config top level → config [selected section] →
 * command line;  for a single-valued option the last occurrence wins (so the
 * command line overrides the config, and a section overrides the top level);
 * for a list each occurrence appends and a negation drops what came before.
 *
 * All values are outside input: lengths are bounded (ARGS_VALUE_MAX, config
 * files ARGS_CONFIG_MAX), NUL bytes are refused, integers are parsed strictly
 * (decimal only, no spaces, range-checked) and booleans accept only
 * 0/1/true/false. Errors come back as ERR_INVAL with a message in the error
 * context (err_msg()) naming the option and, for the config file,
 * "<file>:<line>:". Messages never echo string values, so a password cannot
 * leak through an error.
 *
 * Ownership: a struct args owns copies of every value. Registered tables and
 * the section names are NOT copied: they must outlive the struct args (they
 * are static tables in practice). Thread: one owner; parse on the main
 * thread at start-up, then treat as read-only.
 */
#ifndef SPECTRUM_UTIL_ARGS_H
#define SPECTRUM_UTIL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ARGS_NAME_MAX 64            /* longest option name */
#define ARGS_VALUE_MAX 4096         /* longest value, bytes */
#define ARGS_CONFIG_MAX (1u << 20)  /* largest config file, bytes */
#define ARGS_LINE_MAX 8192          /* longest config line, bytes */
#define ARGS_VALUES_MAX 1024        /* occurrences kept per option and source */
#define ARGS_SECTIONS_MAX 8
#define ARGS_OPTIONS_MAX 512

enum arg_type {
    ARG_BOOL,       /* 0/1/true/false; bare -name is true */
    ARG_INT,        /* decimal, within [min, max] */
    ARG_STRING,     /* any bytes but NUL, at most ARGS_VALUE_MAX */
    ARG_LIST,       /* like STRING, every occurrence kept (-debug, -addnode) */
};

/* Help groups, printed by args_print_help in this order. */
enum arg_category {
    ARGCAT_GENERAL,     /* "Options" */
    ARGCAT_CHAIN,       /* "Chain selection options" */
    ARGCAT_CONNECTION,  /* "Connection options" */
    ARGCAT_RPC,         /* "RPC server options" */
    ARGCAT_RPC_CLIENT,  /* "RPC client options" */
    ARGCAT_WALLET,      /* "Wallet options" */
    ARGCAT_MINING,      /* "Block production options" */
    ARGCAT_DEBUG,       /* "Debugging/Testing options" */
    ARGCAT_HIDDEN,      /* accepted, never listed (aliases such as -h) */
    ARGCAT_COUNT
};

/* arg_def.flags */
#define ARG_CMDLINE_ONLY 0x1u   /* refused in a config file (-conf, -help) */
#define ARG_NO_SECTION 0x2u     /* refused inside a [section] (-regtest) */
#define ARG_NEGATABLE 0x4u      /* STRING/INT accept -noname (e.g. -nopid) */

struct arg_def {
    const char *name;           /* without dash: "datadir" */
    enum arg_type type;
    enum arg_category category;
    unsigned flags;             /* ARG_* above */
    const char *value_name;     /* for help: "<dir>"; NULL for bools */
    const char *def;            /* default, as printed by help; NULL = none */
    const char *implicit;       /* value of a bare "-name" for non-bools
                                 * (NULL: bare use is an error) */
    long long min, max;         /* ARG_INT bounds (inclusive) */
    const char *help;           /* one or more sentences */
};

struct args;

/* Creates an empty option set that knows the config sections `sections`
 * (n names, at most ARGS_SECTIONS_MAX; n may be 0).
 * Returns 0, ERR_RANGE (too many sections) or ERR_NOMEM. *out is freed with
 * args_free. The section strings must outlive the set. */
int args_new(const char *const *sections, size_t n, struct args **out);

/* Frees everything (NULL is ignored). */
void args_free(struct args *a);

/* Registers n option definitions. The table must outlive `a`.
 * Returns 0, or ERR_INVAL for a duplicate or malformed name (empty, too
 * long, starting with "no" when that would shadow another option, or an INT
 * with min > max) and ERR_RANGE beyond ARGS_OPTIONS_MAX options. On error
 * nothing from this table is registered. */
int args_register(struct args *a, const struct arg_def *defs, size_t n);

/* Registers a table of options that belong to another program sharing the
 * config file (spectrumd accepts spectrum-cli's rpcconnect=... in
 * spectrum.conf and vice versa). Foreign options are validated like the
 * others when they appear in a config file, but they are unknown on the
 * command line and not listed by help. Names already registered are skipped,
 * so register foreign tables after the program's own. Returns as
 * args_register. */
int args_register_foreign(struct args *a, const struct arg_def *defs, size_t n);

/* With on=true, unknown names in a config file are skipped instead of being
 * an error (spectrum-cli reads the node's config but knows few options).
 * Malformed lines are still errors. Off by default. */
void args_ignore_unknown_config(struct args *a, bool on);

/* Parses argv[1..argc-1] up to the first positional word. *next receives the
 * index of that word (argc when none; the word after "--" when present).
 * Returns 0 or ERR_INVAL / ERR_NOMEM with the reason (e.g. "unknown option
 * -foo"). On error the set keeps what was parsed before the bad word. */
int args_parse_cmdline(struct args *a, int argc, char *const *argv, int *next);

/* Parses config text from memory: len bytes (need not be NUL-terminated, may
 * contain anything). `name` prefixes error messages ("spectrum.conf:12:
 * unknown option 'foo'"). Returns 0 or ERR_INVAL / ERR_RANGE / ERR_NOMEM. */
int args_parse_config(struct args *a, const char *text, size_t len, const char *name);

/* Reads and parses the config file at `path`. A missing file is fine unless
 * must_exist (then ERR_NOTFOUND: "config file <path> not found").
 * Returns 0, ERR_NOTFOUND, ERR_IO, ERR_RANGE (bigger than ARGS_CONFIG_MAX)
 * or an error of args_parse_config. */
int args_read_config_file(struct args *a, const char *path, bool must_exist);

/* Selects the config section whose values apply from now on (one of the
 * names given to args_new), or NULL for none. Returns 0 or ERR_INVAL. */
int args_select_section(struct args *a, const char *section);

/* Getters. `name` must be registered (an unregistered name reads as unset).
 * They resolve over config top level, selected section, command line. */

/* True when any source mentions the option (a negation counts). */
bool args_is_set(const struct args *a, const char *name);

/* True when the option appears on the command line. */
bool args_on_cmdline(const struct args *a, const char *name);

/* True when the winning occurrence is a negation (-nopid); for a bool,
 * when its value is false. */
bool args_is_negated(const struct args *a, const char *name);

/* A bool's value, or def when unset. */
bool args_get_bool(const struct args *a, const char *name, bool def);

/* An int's value, def when unset, 0 when negated. */
long long args_get_int(const struct args *a, const char *name, long long def);

/* A string's value, def when unset, NULL when negated. The pointer is valid
 * until args_free. For a list, its last value. */
const char *args_get_str(const struct args *a, const char *name, const char *def);

/* A list's values in order. Writes up to cap pointers (valid until
 * args_free) to out and returns the total count (may exceed cap). */
size_t args_get_list(const struct args *a, const char *name, const char **out, size_t cap);

/* Prints every registered option except ARGCAT_HIDDEN, grouped by category
 * (in enum order, names sorted), each with its help text wrapped to 79
 * columns and its default. */
void args_print_help(const struct args *a, FILE *f);

#endif
