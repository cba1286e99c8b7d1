/*
 * genesis_cmd.c — `spectrum-evm genesis-regtest`; see genesis_cmd.h. The
 * work is in chain/regtest_genesis.c; this file only parses the options and
 * writes the text, to a temporary file renamed over FILE so that an
 * interrupted run never leaves a truncated genesis behind.
 */
#include "evmtool/genesis_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/params.h"
#include "chain/regtest_genesis.h"
#include "evmtool/opt.h"
#include "util/err.h"

static int write_file(const char *path, const char *text, size_t len)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        fprintf(stderr, "Error: --out path too long\n");
        return 1;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "Error: cannot create %s: %s\n", tmp, strerror(errno));
        return 1;
    }
    bool ok = fwrite(text, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "Error: cannot write %s: %s\n", path, strerror(errno));
        remove(tmp);
        return 1;
    }
    return 0;
}

int evmtool_genesis_regtest(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        int m;
        if ((m = evmtool_opt(argc, argv, &i, "contracts", true, &v)) != 0) {
            if (m < 0)
                return 1;
            dir = v;
        } else if ((m = evmtool_opt(argc, argv, &i, "out", true, &v)) != 0) {
            if (m < 0)
                return 1;
            out = v;
        } else {
            fprintf(stderr, "Error: unknown argument '%.64s' for genesis-regtest\n", argv[i]);
            return 1;
        }
    }
    if (!dir) {
        fprintf(stderr, "Usage: spectrum-evm genesis-regtest --contracts DIR [--out FILE]\n");
        return 1;
    }
    char *text = NULL;
    size_t len = 0;
    if (regtest_genesis_json(chain_params_get(CHAIN_REGTEST), dir, &text, &len)) {
        fprintf(stderr, "Error: %s\n", err_msg());
        return 1;
    }
    int code = 0;
    if (out) {
        code = write_file(out, text, len);
    } else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
        fprintf(stderr, "Error: cannot write the genesis to stdout\n");
        code = 1;
    }
    free(text);
    return code;
}
