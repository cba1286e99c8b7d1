/* bench_main.c — runs every benchmark group; see bench.h. */
#include "bench/bench.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *filter;

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool bench_selected(const char *name)
{
    return !filter || strstr(name, filter) != NULL;
}

void bench_report(const char *name, double value, const char *unit)
{
    printf("%-40s %14.2f %s\n", name, value, unit);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: %s [FILTER]\nRuns the benchmarks whose name contains FILTER.\n", argv[0]);
        return 0;
    }
    filter = argc > 1 ? argv[1] : NULL;
    bench_crypto();
    bench_rlp();
    bench_trie();
    bench_bn254();
    bench_chain();
    bench_txpool();
    bench_import();
    return 0;
}
