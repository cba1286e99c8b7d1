/* opt.c — see opt.h. */
#include "evmtool/opt.h"

#include <stdio.h>
#include <string.h>

#include "primitives/u256.h"

int evmtool_opt(int argc, char **argv, int *i, const char *name, bool has_value,
                const char **val)
{
    const char *a = argv[*i];
    if (a[0] != '-')
        return 0;
    a += a[1] == '-' ? 2 : 1;
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (!has_value)
        return a[n] == 0 ? 1 : 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != 0)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "Error: option --%s needs a value\n", name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int evmtool_u64(const char *opt, const char *s, uint64_t *out)
{
    u256 v;
    if (u256_from_str(&v, s, strlen(s)) || !u256_fits_u64(&v)) {
        fprintf(stderr, "Error: --%s: not a number below 2^64: '%.64s'\n", opt, s);
        return -1;
    }
    *out = v.w[0];
    return 0;
}
