/* network.c — the network table; see network.h. */
#include "node/network.h"

#include <stddef.h>

#include "util/args.h"
#include "util/err.h"

static const struct network_info networks[NETWORK_COUNT] = {
    {NETWORK_MAIN, "mainnet", "main", NULL, "", 60303, 18545, 18546},
    {NETWORK_TEST, "testnet", "test", "testnet", "testnet", 60303, 18545, 18546},
    {NETWORK_DEVNET, "devnet", "devnet", "devnet", "devnet", 60303, 18545, 18546},
    {NETWORK_REGTEST, "regtest", "regtest", "regtest", "regtest", 60303, 18545, 18546},
};

const char *const network_sections[NETWORK_COUNT] = {"main", "test", "devnet", "regtest"};

const struct network_info *network_get(enum network_id id)
{
    if ((unsigned)id >= NETWORK_COUNT)
        return &networks[NETWORK_MAIN];
    return &networks[id];
}

int network_from_args(const struct args *a, const struct network_info **out)
{
    const struct network_info *pick = &networks[NETWORK_MAIN];
    int chosen = 0;
    for (int i = 0; i < NETWORK_COUNT; i++) {
        if (networks[i].option && args_get_bool(a, networks[i].option, false)) {
            pick = &networks[i];
            chosen++;
        }
    }
    if (chosen > 1)
        return err_set(ERR_INVAL, "-regtest, -testnet and -devnet are mutually exclusive; use at most one");
    *out = pick;
    return 0;
}
