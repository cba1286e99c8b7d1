/*
 * opt.h — the little option matcher the spectrum-evm subcommands share.
 * Options are -name or --name; a value follows as --name=VALUE or as the
 * next word. Words not starting with '-' are positional.
 */
#ifndef SPECTRUM_EVMTOOL_OPT_H
#define SPECTRUM_EVMTOOL_OPT_H

#include <stdbool.h>
#include <stdint.h>

/* Matches argv[*i] against `name`. Without a value: returns 1 on a match.
 * With one (has_value): sets *val and advances *i past a separate value
 * word; returns 1, or -1 (message printed) when the value is missing.
 * Returns 0 when argv[*i] is not this option. */
int evmtool_opt(int argc, char **argv, int *i, const char *name, bool has_value,
                const char **val);

/* Parses a decimal (or 0x hex) u64. Returns 0 or -1 (message printed). */
int evmtool_u64(const char *opt, const char *s, uint64_t *out);

#endif
