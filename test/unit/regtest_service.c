/* regtest_service.c — see regtest_service.h. */
#include "regtest_service.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/genesis.h"
#include "chain/params.h"
#include "chain/regtest_genesis.h"
#include "consensus/tribe_chain_engine.h"
#include "util/err.h"

void regtest_tmpdir(char *dir, size_t size, const char *name)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void regtest_rmdir(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

struct chainsvc *regtest_service_start(struct db *db, bool automine, chainsvc_event_fn on_event,
                                       void *event_ctx)
{
    struct genesis g;
    memset(&g, 0, sizeof g);
    char path[4096];
    const char *top = getenv("top_srcdir");
    snprintf(path, sizeof path, "%s/share/genesis/genesis-regtest.json", top ? top : ".");
    ck_assert_msg(genesis_load(path, &g) == 0, "%s: %s", path, err_msg());
    struct chainsvc_config cfg;
    chainsvc_config_default(&cfg, db, chain_params_get(CHAIN_REGTEST));
    cfg.automine = automine;
    cfg.genesis = &g;
    tribe_chain_engine_init(&cfg.engine);
    ck_assert_int_eq(regtest_node_key(cfg.node_key), 0);
    cfg.on_event = on_event;
    cfg.event_ctx = event_ctx;
    struct chainsvc *s = NULL;
    ck_assert_msg(chainsvc_start(&cfg, &s) == 0, "%s", err_msg());
    genesis_free(&g);
    return s;
}
