/* bench_main.c — runs every benchmark group; see bench.h. */
#include "bench/bench.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fs.h"

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

const char *bench_srcdir(void)
{
    const char *dir = getenv("SPECTRUM_SRCDIR");
    return dir && *dir ? dir : SPECTRUM_SRCDIR;
}

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    if (!in)
        return err_set(ERR_IO, "open %s", from);
    FILE *out = fopen(to, "wb");
    if (!out) {
        fclose(in);
        return err_set(ERR_IO, "create %s", to);
    }
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) {
            rc = err_set(ERR_IO, "write %s", to);
            break;
        }
    if (rc == 0 && ferror(in))
        rc = err_set(ERR_IO, "read %s", from);
    fclose(in);
    if (fclose(out) != 0 && rc == 0)
        rc = err_set(ERR_IO, "close %s", to);
    return rc;
}

/* Copies the files of the flat directory src into the existing dst. */
int bench_copy_dir(const char *src, const char *dst)
{
    DIR *dp = opendir(src);
    if (!dp)
        return err_set(ERR_IO, "opendir %s", src);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(dp)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char a[4096], b[4096];
        rc = fs_join(a, sizeof a, src, e->d_name);
        if (rc == 0)
            rc = fs_join(b, sizeof b, dst, e->d_name);
        if (rc == 0)
            rc = copy_file(a, b);
    }
    closedir(dp);
    return rc;
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
