/* bench_main.c — runs every benchmark group; see bench.h. */
#include "bench/bench.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"

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

int bench_tmpdir(char *dir, size_t size, const char *name)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(dir, size, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    if (n < 0 || (size_t)n >= size || !mkdtemp(dir))
        return err_set(ERR_IO, "cannot make a temporary directory for %s", name);
    return 0;
}

void bench_rmdir(const char *dir)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                unlinkat(dirfd(dp), e->d_name, 0);
        closedir(dp);
    }
    rmdir(dir);
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
    bench_rlpx();
    bench_automine();
    bench_meshbox();
    bench_channel();
    return 0;
}
