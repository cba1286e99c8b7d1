/*
 * run_statetest.c — conformance runner over ethereum-tests
 * legacy/GeneralStateTests: every post entry of the seven forks the EVM
 * implements (Frontier, Homestead, EIP150, EIP158, Byzantium,
 * Constantinople, ConstantinopleFix) must reproduce the expected state root
 * and logs hash. Entries of later forks (one Istanbul entry) are not
 * Spectrum's and are not counted.
 *
 * The work is the library runner (evm/statetest.h): files parsed once,
 * run on two worker threads, results reported in file order. Prints one
 * "FAIL <file> <test> <fork> <index>: <why>" line per failing entry and
 * "N passed, M failed" last.
 *
 * Usage: run_statetest [--threads N] [--fork NAME] [FILE_OR_DIR...]
 *        (default: the whole GeneralStateTests directory)
 */
#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evm/fork.h"
#include "evm/statetest.h"
#include "util/err.h"

struct ctx {
    struct tally t;
    size_t strip;   /* prefix of the file paths not worth printing */
};

static void on_outcome(void *arg, const struct statetest_outcome *o)
{
    struct ctx *c = arg;
    if (o->result < 0)
        return; /* a fork after Spectrum's */
    if (o->result > 0) {
        tally_pass(&c->t);
        return;
    }
    const char *file = strlen(o->file) > c->strip ? o->file + c->strip : o->file;
    char where[512];
    snprintf(where, sizeof where, "%s %s %s %zu", file, o->test, o->fork, o->index);
    tally_fail(&c->t, where, "%s", o->why);
}

int main(int argc, char **argv)
{
    struct statetest_options o = {.fork = -1, .threads = 2, .trace = NULL};
    struct ctx c = {{0, 0, 0}, 0};
    char **paths = NULL;
    size_t n = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            o.threads = (unsigned)atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--fork") && i + 1 < argc) {
            enum evm_fork f;
            if (evm_fork_from_name(argv[++i], &f)) {
                fprintf(stderr, "unknown fork %s\n", argv[i]);
                return 2;
            }
            o.fork = (int)f;
        } else {
            fprintf(stderr, "usage: run_statetest [--threads N] [--fork NAME] [PATH...]\n");
            return 2;
        }
    }
    if (i == argc) {
        char *dir = fixtures_path("ethereum-tests/legacy/GeneralStateTests");
        c.strip = strlen(dir) + 1;
        if (statetest_collect(dir, &paths, &n)) {
            fprintf(stderr, "%s\n", err_msg());
            free(dir);
            return 1;
        }
        free(dir);
    }
    for (; i < argc; i++) {
        if (statetest_collect(argv[i], &paths, &n)) {
            fprintf(stderr, "%s\n", err_msg());
            return 1;
        }
    }
    if (statetest_run_files(paths, n, &o, on_outcome, &c)) {
        fprintf(stderr, "%s\n", err_msg());
        statetest_paths_free(paths, n);
        return 1;
    }
    statetest_paths_free(paths, n);
    return tally_finish(&c.t);
}
