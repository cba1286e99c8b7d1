/*
 * fork.h — the rule sets the EVM knows, in activation order. Comparisons
 * such as `fork >= FORK_BYZANTIUM` are meaningful.
 *
 * FORK_SIP004 is Spectrum's own set (spec/spectrum.md §6.6): Petersburg's
 * rules (no EIP-1283) plus CHAINID and SELFBALANCE, with Byzantium-era
 * precompiles and pre-Istanbul gas costs.
 */
#ifndef SPECTRUM_EVM_FORK_H
#define SPECTRUM_EVM_FORK_H

enum evm_fork {
    FORK_FRONTIER = 0,
    FORK_HOMESTEAD,
    FORK_TANGERINE,        /* EIP-150 ("EIP150" in the fixtures) */
    FORK_SPURIOUS,         /* EIP-155/158/161/170 ("EIP158") */
    FORK_BYZANTIUM,
    FORK_CONSTANTINOPLE,   /* with EIP-1283 */
    FORK_PETERSBURG,       /* "ConstantinopleFix": Constantinople without EIP-1283 */
    FORK_SIP004,           /* Spectrum: Petersburg + CHAINID + SELFBALANCE */
    FORK_COUNT
};

/* Fixture/CLI name → fork ("Frontier", "Homestead", "EIP150", "EIP158",
 * "Byzantium", "Constantinople", "ConstantinopleFix" or "Petersburg",
 * "SIP004"; case-insensitive). Returns 0 or ERR_INVAL. */
int evm_fork_from_name(const char *name, enum evm_fork *out);

/* The canonical fixture name of a fork. */
const char *evm_fork_name(enum evm_fork fork);

#endif
