/* fixtures.c — conformance runner plumbing; see fixtures.h. */
#include "fixtures.h"
#include "util/hex.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *fixtures_path(const char *sub)
{
    const char *root = getenv("SPECTRUM_SHARED");
    char buf[4096];
    if (!root || !*root) {
        const char *top = getenv("top_srcdir");
        snprintf(buf, sizeof buf, "%s/../shared", top ? top : ".");
        root = buf;
    }
    size_t n = strlen(root) + strlen(sub) + 2;
    char *p = malloc(n);
    if (!p)
        exit(1);
    snprintf(p, n, "%s/%s", root, sub);
    struct stat st;
    if (stat(p, &st) != 0) {
        const char *ci = getenv("CI");
        bool in_ci = ci && *ci && strcmp(ci, "0") != 0 && strcmp(ci, "false") != 0;
        fprintf(stderr,
                "\n*** %s: fixtures not found at %s ***\n"
                "*** The conformance fixtures live in ../shared beside the checkout "
                "(or set SPECTRUM_SHARED). ***\n\n",
                in_ci ? "FAILING (CI)" : "SKIPPING", p);
        free(p);
        exit(in_ci ? 1 : 77);
    }
    return p;
}

json_t *fixtures_load(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!j)
        fprintf(stderr, "cannot load %s: %s (line %d)\n", path, e.text, e.line);
    return j;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

size_t fixtures_walk(const char *path, void (*fn)(const char *path, void *arg), void *arg)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode)) {
        if (!ends_with(path, ".json"))
            return 0;
        fn(path, arg);
        return 1;
    }
    DIR *d = opendir(path);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
            if (!names)
                exit(1);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    size_t files = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(len);
        if (!child)
            exit(1);
        snprintf(child, len, "%s/%s", path, names[i]);
        files += fixtures_walk(child, fn, arg);
        free(child);
        free(names[i]);
    }
    free(names);
    return files;
}

void tally_pass(struct tally *t) { t->passed++; }

void tally_fail(struct tally *t, const char *where, const char *fmt, ...)
{
    t->failed++;
    printf("FAIL %s: ", where);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

int tally_finish(const struct tally *t)
{
    if (t->skipped)
        printf("%lu passed, %lu failed, %lu skipped\n", t->passed, t->failed, t->skipped);
    else
        printf("%lu passed, %lu failed\n", t->passed, t->failed);
    fflush(stdout);
    return (t->failed || t->passed == 0) ? 1 : 0;
}

int fixtures_hex(const char *s, uint8_t **out, size_t *n)
{
    return hex_decode_alloc(s, strlen(s), 64u << 20, out, n) ? -1 : 0;
}
