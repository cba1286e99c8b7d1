/*
 * statetest_cmd.c — `spectrum-evm statetest`: GeneralStateTests over the
 * runner in evm/statetest.h, with one FAIL line per failing post entry and
 * the tally last (see evmtool.h).
 */
#include "evmtool/evmtool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evm/fork.h"
#include "evm/statetest.h"
#include "evmtool/opt.h"
#include "util/err.h"

struct tally {
    unsigned long passed, failed, skipped;
};

static void on_outcome(void *ctx, const struct statetest_outcome *o)
{
    struct tally *t = ctx;
    if (o->result > 0) {
        t->passed++;
    } else if (o->result < 0) {
        t->skipped++;
    } else {
        t->failed++;
        printf("FAIL %s %s %s %zu: %s\n", o->file, o->test, o->fork, o->index, o->why);
        fflush(stdout);
    }
}

int evmtool_statetest(int argc, char **argv)
{
    struct statetest_options o = {.fork = -1, .threads = 2, .trace = NULL};
    char **paths = NULL;
    size_t n = 0;
    int code = 1;
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        int m;
        if ((m = evmtool_opt(argc, argv, &i, "fork", true, &v)) != 0) {
            enum evm_fork f;
            if (m < 0)
                goto out;
            if (evm_fork_from_name(v, &f)) {
                fprintf(stderr, "Error: unknown fork '%.64s'\n", v);
                goto out;
            }
            o.fork = (int)f;
        } else if ((m = evmtool_opt(argc, argv, &i, "threads", true, &v)) != 0) {
            uint64_t t;
            if (m < 0 || evmtool_u64("threads", v, &t))
                goto out;
            o.threads = t > 64 ? 64 : (unsigned)t;
        } else if (evmtool_opt(argc, argv, &i, "trace", false, NULL)) {
            o.trace = stderr;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "Error: unknown option '%.64s' for statetest\n", argv[i]);
            goto out;
        } else if (statetest_collect(argv[i], &paths, &n)) {
            fprintf(stderr, "Error: %s\n", err_msg());
            goto out;
        }
    }
    if (n == 0) {
        fprintf(stderr, "Usage: spectrum-evm statetest [--fork NAME] [--trace] [--threads N] "
                        "PATH...\n");
        goto out;
    }
    struct tally t = {0, 0, 0};
    if (statetest_run_files(paths, n, &o, on_outcome, &t)) {
        fprintf(stderr, "Error: %s\n", err_msg());
        goto out;
    }
    if (t.skipped)
        printf("%lu passed, %lu failed, %lu skipped\n", t.passed, t.failed, t.skipped);
    else
        printf("%lu passed, %lu failed\n", t.passed, t.failed);
    code = t.failed == 0 && t.passed > 0 ? 0 : 1;
out:
    statetest_paths_free(paths, n);
    return code;
}
