/*
 * evmtool.h — the subcommands of spectrum-evm that run the EVM. Each takes
 * the words after its name (argv[0] is the first of them, not the command)
 * and returns the process exit code; src/spectrum-evm.c dispatches to them.
 *
 *   statetest [--fork NAME] [--trace] [--threads N] PATH...
 *       Runs GeneralStateTests files or directories; prints one FAIL line
 *       per failing post entry and "N passed, M failed" last. Exit 0 only
 *       when nothing failed and something ran. --trace writes EIP-3155 JSON
 *       lines to stderr (and runs on one thread).
 *   run --code HEX [--input HEX] [--gas N] [--fork NAME] [--bench] [--trace]
 *       Runs bytecode as a message call on an empty state; prints the
 *       return data (hex), the status and the gas used; --bench repeats it
 *       for about a second and prints the time per run and Mgas/s.
 *   bench [--json] [--fork NAME] [--time SECONDS] PATH...
 *       Runs state-test-format benchmarks: the first post entry's
 *       transaction of each file's first test, on a fresh pre state per
 *       run, timing only the execution.
 *
 * Threads: call from the main thread (they may start workers).
 */
#ifndef SPECTRUM_EVMTOOL_EVMTOOL_H
#define SPECTRUM_EVMTOOL_EVMTOOL_H

int evmtool_statetest(int argc, char **argv);
int evmtool_run(int argc, char **argv);
int evmtool_bench(int argc, char **argv);

/* One-line summaries for the command table of spectrum-evm. */
#define EVMTOOL_STATETEST_SUMMARY \
    "Run GeneralStateTests files (statetest [--fork NAME] [--trace] [--threads N] PATH...)."
#define EVMTOOL_RUN_SUMMARY \
    "Run bytecode (run --code HEX [--input HEX] [--gas N] [--fork NAME] [--bench] [--trace])."
#define EVMTOOL_BENCH_SUMMARY \
    "Benchmark state-test programs (bench [--json] [--fork NAME] [--time SECONDS] PATH...)."

/* Full help of each command (spectrum-evm COMMAND --help). */
#define EVMTOOL_STATETEST_HELP \
    "statetest [--fork NAME] [--trace] [--threads N] PATH...\n\n" \
    "Runs GeneralStateTests files (or every .json under directories) and checks\n" \
    "each post entry's state root and logs hash. One line per failure, then\n" \
    "\"N passed, M failed\"; exit code 1 on any failure.\n\n" \
    "  --fork NAME    only this fork (Frontier, Homestead, EIP150, EIP158, Byzantium,\n" \
    "                 Constantinople, ConstantinopleFix/Petersburg, SIP004)\n" \
    "  --trace        an EIP-3155 JSON line per step, on stderr\n" \
    "  --threads N    files run in parallel (default 2, at most 64)\n"
#define EVMTOOL_RUN_HELP \
    "run --code HEX [--input HEX] [--gas N] [--fork NAME] [--bench] [--trace]\n\n" \
    "Runs bytecode as the code of a called contract and prints the return data\n" \
    "(hex), the status and the gas used.\n\n" \
    "  --code HEX     the bytecode (0x optional)\n" \
    "  --input HEX    call data\n" \
    "  --gas N        gas limit of the call (default 10000000)\n" \
    "  --fork NAME    rule set (default SIP004; names as in statetest --help)\n" \
    "  --bench        repeat the run and print the time per run and Mgas/s\n" \
    "  --trace        an EIP-3155 JSON line per step, on stderr\n"
#define EVMTOOL_BENCH_HELP \
    "bench [--json] [--fork NAME] [--time SECONDS] PATH...\n\n" \
    "Benchmarks state-test-format programs (e.g. ../shared/evm-benchmarks/main):\n" \
    "every data/gas/value combination of each test, on a fresh copy of the\n" \
    "pre-state each run, timing only the execution. Prints name, gas used,\n" \
    "seconds per run (median) and Mgas/s per program.\n\n" \
    "  --json          one JSON object per line (as contrib/bench/evm/run.sh reads)\n" \
    "  --fork NAME     rule set (default Petersburg)\n" \
    "  --time SECONDS  measuring time per program (default 1)\n"

#endif
