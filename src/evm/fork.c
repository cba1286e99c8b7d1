/*
 * fork.c — names of the EVM rule sets, as the Ethereum state-test fixtures
 * and the command line spell them.
 *
 * One table maps each fork to its canonical fixture name; a short alias
 * table adds the other spellings in use ("Petersburg" for what the legacy
 * fixtures call "ConstantinopleFix", "SpuriousDragon"/"TangerineWhistle"
 * for EIP158/EIP150). Lookup is a linear, case-insensitive scan: there are
 * a dozen names and this runs once per test or command, never per opcode.
 */
#include "evm/fork.h"

#include <stddef.h>
#include <strings.h>

#include "util/err.h"

static const char *const canonical[FORK_COUNT] = {
    [FORK_FRONTIER] = "Frontier",
    [FORK_HOMESTEAD] = "Homestead",
    [FORK_TANGERINE] = "EIP150",
    [FORK_SPURIOUS] = "EIP158",
    [FORK_BYZANTIUM] = "Byzantium",
    [FORK_CONSTANTINOPLE] = "Constantinople",
    [FORK_PETERSBURG] = "ConstantinopleFix",
    [FORK_SIP004] = "SIP004",
};

static const struct {
    const char *name;
    enum evm_fork fork;
} aliases[] = {
    {"Petersburg", FORK_PETERSBURG},
    {"TangerineWhistle", FORK_TANGERINE},
    {"SpuriousDragon", FORK_SPURIOUS},
};

int evm_fork_from_name(const char *name, enum evm_fork *out)
{
    if (name == NULL)
        return err_set(ERR_INVAL, "fork: no name given");
    for (int f = 0; f < FORK_COUNT; f++) {
        if (strcasecmp(name, canonical[f]) == 0) {
            *out = (enum evm_fork)f;
            return 0;
        }
    }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strcasecmp(name, aliases[i].name) == 0) {
            *out = aliases[i].fork;
            return 0;
        }
    }
    return err_set(ERR_INVAL, "fork: unknown fork name '%s'", name);
}

const char *evm_fork_name(enum evm_fork fork)
{
    if ((int)fork < 0 || fork >= FORK_COUNT)
        return "unknown";
    return canonical[fork];
}
