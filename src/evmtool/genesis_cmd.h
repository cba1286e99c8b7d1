/*
 * genesis_cmd.h — `spectrum-evm genesis-regtest`: writes the regtest genesis
 * (chain/regtest_genesis.h) from the compiled system-contract artifacts.
 * A header of its own so the command table in src/spectrum-evm.c gets its
 * summary and help text from the file that implements it.
 *
 *   genesis-regtest --contracts DIR [--out FILE]
 *       Deploys the system contracts of DIR/<Name>.json on an in-memory
 *       state with our EVM and prints the genesis JSON (or writes FILE,
 *       replacing it atomically). Exit 0 on success, 1 with a message on
 *       stderr otherwise.
 *
 * Threads: call from the main thread.
 */
#ifndef SPECTRUM_EVMTOOL_GENESIS_CMD_H
#define SPECTRUM_EVMTOOL_GENESIS_CMD_H

/* Runs the command on the words after its name; returns the exit code. */
int evmtool_genesis_regtest(int argc, char **argv);

#define EVMTOOL_GENESIS_REGTEST_SUMMARY \
    "Write the regtest genesis (genesis-regtest --contracts DIR [--out FILE])."
#define EVMTOOL_GENESIS_REGTEST_HELP \
    "genesis-regtest --contracts DIR [--out FILE]\n\n" \
    "Builds the regtest genesis JSON: the ten dev accounts and the node key, each\n" \
    "with 1,000,000 SMT, and the system contracts ChiefBase, POC, TribeChief 1.0.0,\n" \
    "MeshBox and Anmap, created from DIR/<Name>.json by running their creation\n" \
    "code with this EVM at the fixed regtest addresses (deployer: the node key).\n" \
    "The output includes \"expectedHash\", the genesis block hash. The same\n" \
    "artifacts always give the same bytes; contrib/regtest/make-genesis.sh uses\n" \
    "this to write (or --check) share/genesis/genesis-regtest.json. Keys and\n" \
    "parameters: doc/regtest.md.\n\n" \
    "  --contracts DIR  directory of the compiled artifacts (share/contracts)\n" \
    "  --out FILE       write FILE (via FILE.tmp and a rename) instead of stdout\n"

#endif
