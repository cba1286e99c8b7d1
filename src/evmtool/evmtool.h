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
#define EVMTOOL_STATETEST_SUMMARY "Run GeneralStateTests files (statetest [--fork NAME] [--trace] PATH...)."
#define EVMTOOL_RUN_SUMMARY "Run bytecode (run --code HEX [--input HEX] [--gas N] [--fork NAME] [--bench])."
#define EVMTOOL_BENCH_SUMMARY "Benchmark state-test programs (bench [--json] [--fork NAME] PATH...)."

#endif
