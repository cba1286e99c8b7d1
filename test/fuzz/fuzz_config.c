/*
 * fuzz_config.c — libFuzzer target for the config-file parser
 * (args_parse_config), which reads spectrum.conf: text a user or a package
 * wrote, so arbitrary bytes.
 *
 * Properties: any input is either accepted or refused with a negative code
 * and a message; after acceptance every getter works in every section, a
 * list never reports more values than the per-source cap allows, and
 * parsing is deterministic (a second set gives the same verdict and values).
 * The option table covers every type and flag.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/args.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sections[] = {"main", "test", "devnet", "regtest"};

static const struct arg_def defs[] = {
    {.name = "flag", .type = ARG_BOOL, .help = ""},
    {.name = "regtest", .type = ARG_BOOL, .flags = ARG_NO_SECTION, .help = ""},
    {.name = "port", .type = ARG_INT, .min = 1, .max = 65535, .help = ""},
    {.name = "n", .type = ARG_INT, .min = -9223372036854775807LL - 1,
     .max = 9223372036854775807LL, .help = ""},
    {.name = "datadir", .type = ARG_STRING, .help = ""},
    {.name = "pid", .type = ARG_STRING, .flags = ARG_NEGATABLE, .help = ""},
    {.name = "debug", .type = ARG_LIST, .implicit = "1", .help = ""},
    {.name = "conf", .type = ARG_STRING, .flags = ARG_CMDLINE_ONLY, .help = ""},
};
#define NDEFS (sizeof defs / sizeof defs[0])

static struct args *make(void)
{
    struct args *a;
    if (args_new(sections, 4, &a) || args_register(a, defs, NDEFS))
        abort();
    return a;
}

/* Reads every option in the current section; returns a digest of values. */
static uint64_t digest(const struct args *a)
{
    uint64_t h = 1469598103934665603ull;
    const char *vals[8];
    for (size_t i = 0; i < NDEFS; i++) {
        const char *name = defs[i].name;
        h = (h ^ args_is_set(a, name)) * 1099511628211ull;
        h = (h ^ args_is_negated(a, name)) * 1099511628211ull;
        h = (h ^ args_get_bool(a, name, false)) * 1099511628211ull;
        h = (h ^ (uint64_t)args_get_int(a, name, 7)) * 1099511628211ull;
        const char *s = args_get_str(a, name, "default");
        if (s)
            for (; *s; s++)
                h = (h ^ (uint8_t)*s) * 1099511628211ull;
        size_t n = args_get_list(a, name, vals, 8);
        if (n > 3 * (size_t)ARGS_VALUES_MAX)
            abort();
        for (size_t k = 0; k < n && k < 8; k++)
            if (!vals[k] || strlen(vals[k]) > ARGS_VALUE_MAX)
                abort();
        h = (h ^ n) * 1099511628211ull;
    }
    if (args_get_int(a, "port", 1) < 1 || args_get_int(a, "port", 1) > 65535)
        if (!args_is_negated(a, "port"))
            abort();               /* range checks hold for stored values */
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct args *a = make(), *b = make();
    int ra = args_parse_config(a, (const char *)data, size, "fuzz.conf");
    if (ra > 0 || (ra < 0 && !err_msg()[0]))
        abort();                   /* refusals always say why */
    int rb = args_parse_config(b, (const char *)data, size, "fuzz.conf");
    if (ra != rb)
        abort();
    if (ra == 0) {
        for (int s = -1; s < 4; s++) {
            const char *sec = s < 0 ? NULL : sections[s];
            if (args_select_section(a, sec) || args_select_section(b, sec))
                abort();
            if (digest(a) != digest(b))
                abort();
        }
        if (args_is_set(a, "conf"))
            abort();               /* command-line-only options never come from a file */
    }
    args_free(a);
    args_free(b);
    return 0;
}
