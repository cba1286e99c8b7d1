/*
 * spectrum-evm.c — the EVM as a standalone tool.
 *
 *     spectrum-evm [options] <command> [args...]
 *
 * The command table below is the single list of what the tool can do: help
 * prints exactly these, and anything else is refused with exit code 1. New
 * commands (run bytecode, state tests, benchmarks) are added as rows.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evmtool/evmtool.h"
#include "evmtool/genesis_cmd.h"
#include "util/args.h"
#include "util/err.h"

static const struct arg_def evm_args[] = {
    {.name = "help", .type = ARG_BOOL, .category = ARGCAT_GENERAL, .flags = ARG_CMDLINE_ONLY,
     .help = "Print this help message and exit."},
    {.name = "h", .type = ARG_BOOL, .category = ARGCAT_HIDDEN, .flags = ARG_CMDLINE_ONLY,
     .help = "Same as -help."},
    {.name = "?", .type = ARG_BOOL, .category = ARGCAT_HIDDEN, .flags = ARG_CMDLINE_ONLY,
     .help = "Same as -help."},
    {.name = "version", .type = ARG_BOOL, .category = ARGCAT_GENERAL, .flags = ARG_CMDLINE_ONLY,
     .help = "Print the version and exit."},
};

static void print_version(FILE *f)
{
    fprintf(f, "spectrum-evm version %s\n"
           "Copyright (C) 2026 The spectrumd developers\n"
           "This is free software under the MIT licence (see the file COPYING).\n",
           PACKAGE_VERSION);
}

struct command {
    const char *name;
    const char *summary;
    const char *help;        /* full text for "COMMAND --help" */
    int (*run)(const struct args *a, int argc, char **argv);
};

static int cmd_help(const struct args *a, int argc, char **argv);
static int cmd_version(const struct args *a, int argc, char **argv);

/* The EVM commands live in src/evmtool (see evmtool.h). */
static int cmd_statetest(const struct args *a, int argc, char **argv)
{
    return evmtool_statetest(argc, argv);
}

static int cmd_run(const struct args *a, int argc, char **argv)
{
    return evmtool_run(argc, argv);
}

static int cmd_bench(const struct args *a, int argc, char **argv)
{
    return evmtool_bench(argc, argv);
}

static int cmd_genesis_regtest(const struct args *a, int argc, char **argv)
{
    return evmtool_genesis_regtest(argc, argv);
}

static const struct command commands[] = {
    {"help", "Print this help message.", "help\n\nPrints this help message.\n", cmd_help},
    {"version", "Print the version.", "version\n\nPrints the version.\n", cmd_version},
    {"statetest", EVMTOOL_STATETEST_SUMMARY, EVMTOOL_STATETEST_HELP, cmd_statetest},
    {"run", EVMTOOL_RUN_SUMMARY, EVMTOOL_RUN_HELP, cmd_run},
    {"bench", EVMTOOL_BENCH_SUMMARY, EVMTOOL_BENCH_HELP, cmd_bench},
    {"genesis-regtest", EVMTOOL_GENESIS_REGTEST_SUMMARY, EVMTOOL_GENESIS_REGTEST_HELP,
     cmd_genesis_regtest},
};

static void print_help(const struct args *a, FILE *f)
{
    print_version(f);
    fprintf(f, "\nThe Spectrum EVM as a standalone tool.\n\n"
               "Usage:  spectrum-evm [options] <command>\n\nCommands:\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
    fputc('\n', f);
    args_print_help(a, f);
}

static int cmd_help(const struct args *a, int argc, char **argv)
{
    print_help(a, stdout);
    return 0;
}

static int cmd_version(const struct args *a, int argc, char **argv)
{
    print_version(stdout);
    return 0;
}

/* True when a command's arguments ask for its help (-h, -help, --help). */
static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "-help") || !strcmp(argv[i], "--help"))
            return true;
    return false;
}

int main(int argc, char **argv)
{
    struct args *a = NULL;
    if (args_new(NULL, 0, &a) ||
        args_register(a, evm_args, sizeof evm_args / sizeof evm_args[0])) {
        fprintf(stderr, "Error: %s\n", err_msg());
        args_free(a);
        return 1;
    }
    int next, code = 1;
    if (args_parse_cmdline(a, argc, argv, &next)) {
        fprintf(stderr, "Error: %s (see spectrum-evm -help)\n", err_msg());
    } else if (args_get_bool(a, "help", false) || args_get_bool(a, "h", false) ||
               args_get_bool(a, "?", false)) {
        code = cmd_help(a, 0, NULL);
    } else if (args_get_bool(a, "version", false)) {
        code = cmd_version(a, 0, NULL);
    } else if (next >= argc) {
        fprintf(stderr, "Error: no command given (see spectrum-evm -help)\n");
    } else {
        const struct command *c = NULL;
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (!strcmp(argv[next], commands[i].name))
                c = &commands[i];
        if (c && wants_help(argc - next - 1, argv + next + 1)) {
            printf("Usage: spectrum-evm %s", c->help);
            code = 0;
        } else if (c) {
            code = c->run(a, argc - next - 1, argv + next + 1);
        }
        else
            fprintf(stderr, "Error: unknown command '%.64s' (see spectrum-evm -help)\n",
                    argv[next]);
    }
    args_free(a);
    return code;
}
