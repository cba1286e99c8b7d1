/*
 * bench_cmd.c — `spectrum-evm bench`: throughput of state-test-format
 * benchmark programs (such as ../shared/evm-benchmarks). A program is one
 * data/gas/value combination of a test, named "<test>/<label>" where the
 * label is the file's _info.labels entry for the data index (else the
 * index), with "/g<i>" and "/v<i>" appended only when the test has several
 * gas limits or values — the names contrib/bench/evm's @ethereumjs side
 * uses, so that the two sides' lines can be joined.
 *
 * Rules: --fork's, Petersburg by default (the newest Ethereum fork the
 * programs run under that @ethereumjs/evm also knows). Each program gets a
 * warm-up run, then timed runs until --time seconds (1 by default) are
 * spent, at least three; every run starts from a fresh copy of the pre
 * state, built outside the timed region, and the timed region is the whole
 * transaction (evm_apply_tx: intrinsic gas, execution, refund, finalise).
 * The reported time is the median run.
 *
 * Output per program: name, gas used (the transaction's, after refunds, as
 * its receipt counts it), seconds per run, Mgas/s; with --json one object
 * per line:
 *   {"name":"sha1_divs/5311","gas_used":N,"seconds_per_run":S,
 *    "mgas_per_s":M,"runs":R,"status":"success","output_sha256":"..."}
 * (status: success, revert or error; output_sha256: SHA-256 of the return
 * data, for the cross-check against the other EVM).
 */
#include "evmtool/evmtool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/hash.h"
#include "evm/evm.h"
#include "evm/fork.h"
#include "evm/statetest.h"
#include "evm/transaction.h"
#include "evmtool/opt.h"
#include "state/state.h"
#include "util/err.h"
#include "util/hex.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct outcome {
    uint64_t gas_used;
    enum evm_status status;
    uint8_t out_hash[32];
};

/* One run on a fresh pre state; returns its execution time in *secs. With
 * `o`, also records what the run produced. */
static int run_once(struct evm *evm, const struct statetest *t, const struct tx *tx,
                    enum evm_fork fork, double *secs, struct outcome *o)
{
    struct state *s;
    int rc = statetest_pre_state(t, &s);
    if (rc)
        return rc;
    uint64_t pool = t->block.gas_limit;
    struct evm_tx_result r;
    double t0 = now_s();
    rc = evm_apply_tx(evm, s, fork, &t->block, tx, &t->sender, &pool, &r);
    *secs = now_s() - t0;
    if (rc == 0) {
        if (o) {
            o->gas_used = r.gas_used;
            o->status = r.status;
            sha256(r.output, r.output_len, o->out_hash);
        }
        evm_tx_result_free(&r);
    }
    state_free(s);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int bench_program(struct evm *evm, const struct statetest *t, size_t d, size_t g,
                         size_t v, enum evm_fork fork, double seconds, bool json)
{
    char name[512];
    int n = snprintf(name, sizeof name, "%s/", t->name);
    if (t->data_labels[d])
        n += snprintf(name + n, sizeof name - (size_t)n, "%s", t->data_labels[d]);
    else
        n += snprintf(name + n, sizeof name - (size_t)n, "%zu", d);
    if (t->gas_count > 1)
        n += snprintf(name + n, sizeof name - (size_t)n, "/g%zu", g);
    if (t->value_count > 1)
        snprintf(name + n, sizeof name - (size_t)n, "/v%zu", v);

    struct tx tx;
    struct outcome o;
    double secs;
    if (statetest_tx(t, d, g, v, &tx) || run_once(evm, t, &tx, fork, &secs, &o)) {
        fprintf(stderr, "Error: %s: %s\n", name, err_msg());
        return 1;
    }
    size_t runs = 0, cap = 64;
    double *times = malloc(cap * sizeof *times), spent = 0;
    if (!times) {
        fprintf(stderr, "Error: out of memory\n");
        return 1;
    }
    while (runs < 3 || spent < seconds) {
        if (run_once(evm, t, &tx, fork, &secs, NULL)) {
            fprintf(stderr, "Error: %s: %s\n", name, err_msg());
            free(times);
            return 1;
        }
        if (runs == cap) {
            double *nt = realloc(times, 2 * cap * sizeof *nt);
            if (!nt) {
                free(times);
                fprintf(stderr, "Error: out of memory\n");
                return 1;
            }
            times = nt;
            cap *= 2;
        }
        times[runs++] = secs;
        spent += secs;
    }
    qsort(times, runs, sizeof *times, cmp_double);
    double per = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    free(times);
    double mgas = per > 0 ? (double)o.gas_used / per / 1e6 : 0;
    const char *status = o.status == EVM_SUCCESS  ? "success"
                         : o.status == EVM_REVERT ? "revert"
                                                  : "error";
    if (json) {
        char oh[65];
        hex_encode(oh, o.out_hash, 32);
        printf("{\"name\":\"%s\",\"gas_used\":%llu,\"seconds_per_run\":%.9g,"
               "\"mgas_per_s\":%.6g,\"runs\":%zu,\"status\":\"%s\",\"output_sha256\":\"%s\"}\n",
               name, (unsigned long long)o.gas_used, per, mgas, runs, status, oh);
    } else {
        printf("%-36s gas %11llu  %12.6f ms/run  %9.1f Mgas/s  %s\n", name,
               (unsigned long long)o.gas_used, per * 1e3, mgas, status);
    }
    fflush(stdout);
    return 0;
}

static int bench_file(struct evm *evm, const char *path, enum evm_fork fork, double seconds,
                      bool json)
{
    struct statetest *tests;
    size_t n;
    if (statetest_parse_file(path, &tests, &n)) {
        fprintf(stderr, "Error: %s\n", err_msg());
        return 1;
    }
    int code = 0;
    for (size_t i = 0; i < n; i++) {
        const struct statetest *t = &tests[i];
        for (size_t d = 0; d < t->data_count; d++)
            for (size_t g = 0; g < t->gas_count; g++)
                for (size_t v = 0; v < t->value_count; v++)
                    if (bench_program(evm, t, d, g, v, fork, seconds, json))
                        code = 1;
    }
    statetest_free(tests, n);
    return code;
}

int evmtool_bench(int argc, char **argv)
{
    enum evm_fork fork = FORK_PETERSBURG;
    bool json = false;
    double seconds = 1.0;
    char **paths = NULL;
    size_t n = 0;
    int code = 1;
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        int m;
        if ((m = evmtool_opt(argc, argv, &i, "fork", true, &v)) != 0) {
            if (m < 0)
                goto out;
            if (evm_fork_from_name(v, &fork)) {
                fprintf(stderr, "Error: unknown fork '%.64s'\n", v);
                goto out;
            }
        } else if ((m = evmtool_opt(argc, argv, &i, "time", true, &v)) != 0) {
            char *end = NULL;
            if (m < 0)
                goto out;
            seconds = strtod(v, &end);
            if (!end || *end || !(seconds >= 0 && seconds <= 3600)) {
                fprintf(stderr, "Error: --time: seconds between 0 and 3600\n");
                goto out;
            }
        } else if (evmtool_opt(argc, argv, &i, "json", false, NULL)) {
            json = true;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "Error: unknown option '%.64s' for bench\n", argv[i]);
            goto out;
        } else if (statetest_collect(argv[i], &paths, &n)) {
            fprintf(stderr, "Error: %s\n", err_msg());
            goto out;
        }
    }
    if (n == 0) {
        fprintf(stderr, "Usage: spectrum-evm bench [--json] [--fork NAME] [--time SECONDS] "
                        "PATH...\n");
        goto out;
    }
    struct evm *evm;
    if (evm_new(&evm)) {
        fprintf(stderr, "Error: %s\n", err_msg());
        goto out;
    }
    code = 0;
    for (size_t i = 0; i < n; i++)
        if (bench_file(evm, paths[i], fork, seconds, json))
            code = 1;
    evm_free(evm);
out:
    statetest_paths_free(paths, n);
    return code;
}
