/*
 * statetest.h — the GeneralStateTests runner (ethereum/tests, legacy
 * format), shared by `spectrum-evm statetest`, `spectrum-evm bench` and the
 * conformance test.
 *
 * Semantics are those of geth's tests/state_test_util.go: for every test and
 * every fork in "post", each entry's indexes {data, gas, value} pick the
 * transaction's fields; the sender comes from transaction.secretKey; the pre
 * state is built fresh; the transaction is applied (an invalid one leaves
 * the pre state); then the coinbase is touched with a zero credit and the
 * state finalised again (deleting empty accounts from EIP-158 on), and the
 * state root and keccak256(RLP(logs)) are compared with the entry's "hash"
 * and "logs". BLOCKHASH(n) is keccak256 of n in decimal, as geth's test
 * harness defines it. Forks other than the seven Ethereum forks the EVM
 * implements (and SIP004) are counted as skipped.
 *
 * Shape (why): a file is parsed once into plain C structs (struct
 * statetest), so that its many post entries share the decoded pre state and
 * transaction; files run in parallel on worker threads, each with its own
 * struct evm, and results are reported in file order from the caller's
 * thread.
 *
 * Ownership: statetest_parse_file's array is freed by statetest_free.
 * Threads: parsed tests are read-only and may be shared between threads.
 */
#ifndef SPECTRUM_EVM_STATETEST_H
#define SPECTRUM_EVM_STATETEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "evm/evm.h"
#include "evm/fork.h"
#include "primitives/address.h"
#include "primitives/tx.h"
#include "primitives/u256.h"

struct state;

struct statetest_slot {
    u256 key, value;
};

struct statetest_account {
    struct address address;
    u256 balance;
    uint64_t nonce;
    uint8_t *code;                  /* owned; NULL when empty */
    size_t code_len;
    struct statetest_slot *storage; /* owned */
    size_t storage_count;
};

struct statetest_post {
    char fork_name[32];             /* as in the file */
    bool supported;                 /* fork is one the EVM runs */
    enum evm_fork fork;             /* meaningful when supported */
    size_t index;                   /* position in post[fork] */
    size_t data, gas, value;        /* indexes into the transaction lists */
    struct hash32 root;             /* expected state root */
    struct hash32 logs;             /* expected keccak256(rlp(logs)) */
};

struct statetest_bytes {
    uint8_t *data;                  /* owned; NULL when empty */
    size_t len;
};

struct statetest {
    char *name;                     /* owned */
    struct evm_block block;         /* block_hash: keccak256(decimal n) */
    struct statetest_account *pre;  /* owned */
    size_t pre_count;
    /* transaction */
    struct address sender;          /* from secretKey */
    uint64_t nonce;
    u256 gas_price;
    bool has_to;
    struct address to;
    struct statetest_bytes *data;   /* owned lists */
    size_t data_count;
    char **data_labels;             /* owned; per data index, NULL when the
                                       file's _info.labels has none */
    uint64_t *gas;
    size_t gas_count;
    u256 *value;
    size_t value_count;
    struct statetest_post *post;    /* owned */
    size_t post_count;
};

/*
 * Parses every test of a GeneralStateTests JSON file.
 * Returns 0, ERR_IO (cannot read), ERR_DECODE (not the expected shape; the
 * context names the test and field), ERR_RANGE, ERR_CRYPTO (bad secret key)
 * or ERR_NOMEM. Out: *tests (array of *count), owned by the caller.
 */
int statetest_parse_file(const char *path, struct statetest **tests, size_t *count);

/* Frees an array from statetest_parse_file (NULL is allowed). */
void statetest_free(struct statetest *tests, size_t count);

/* Builds the pre state in a fresh in-memory state, finalised (so its
 * storage is the "committed" storage of EIP-1283).
 * Returns 0 or ERR_NOMEM. Out: *out, freed with state_free. */
int statetest_pre_state(const struct statetest *t, struct state **out);

/* Fills *tx with the transaction of the given indexes (data points into t:
 * do not tx_free it). Returns 0, or ERR_RANGE when an index is out of range. */
int statetest_tx(const struct statetest *t, size_t d, size_t g, size_t v, struct tx *tx);

/*
 * Runs one post entry on a fresh pre state and compares root and logs.
 * Returns 1 when it matches, 0 when it does not (why[] says what differed),
 * or a negative error (internal failure; why[] says what).
 * Args: evm    a context (reused across calls)
 *       trace  when not NULL, an EIP-3155 trace of the run plus a final
 *              {"stateRoot": ...} line go there
 */
int statetest_check(struct evm *evm, const struct statetest *t, const struct statetest_post *p,
                    FILE *trace, char *why, size_t why_len);

/* ---- running files ------------------------------------------------------------ */

struct statetest_options {
    int fork;                       /* -1: every fork; else only this enum evm_fork */
    unsigned threads;               /* worker threads (0 or 1: run inline) */
    FILE *trace;                    /* EIP-3155 trace of every run (forces 1 thread) */
};

/* The outcome of one post entry, or of a file that failed to load (then
 * test is "" and fork is ""). */
struct statetest_outcome {
    const char *file;
    const char *test;
    const char *fork;
    size_t index;
    int result;                     /* 1 pass, 0 fail, -1 skipped (fork not run) */
    const char *why;                /* for failures */
};

typedef void (*statetest_report_fn)(void *ctx, const struct statetest_outcome *o);

/*
 * Runs every post entry of every file, reporting each outcome through `fn`
 * from the calling thread, in file order and in file-internal order.
 * Returns 0, or ERR_NOMEM / ERR_INVAL (could not start threads).
 */
int statetest_run_files(char *const *paths, size_t n, const struct statetest_options *o,
                        statetest_report_fn fn, void *ctx);

/*
 * Collects the *.json files under `path` (a file, or a directory walked
 * recursively in sorted order), appending malloc'ed paths to *paths.
 * Returns 0, ERR_NOTFOUND (path missing) or ERR_NOMEM.
 */
int statetest_collect(const char *path, char ***paths, size_t *n);

/* Frees a list from statetest_collect. */
void statetest_paths_free(char **paths, size_t n);

#endif
