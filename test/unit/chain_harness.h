/*
 * chain_harness.h — helpers shared by the chain unit suites: deterministic
 * keys, signed transactions, a genesis built in code, a regtest-like
 * parameter set with a fake chief contract, and a "miner" that executes a
 * block on a state and fills the header fields execution computes.
 */
#ifndef SPECTRUM_TEST_CHAIN_HARNESS_H
#define SPECTRUM_TEST_CHAIN_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "chain/genesis.h"
#include "chain/params.h"
#include "chain/processor.h"
#include "primitives/block.h"
#include "trie/trie.h"

#define CH_GWEI 1000000000ull

/* The fake chief (chief address set of ch_params) and what its code does:
 * PUSH1 1 PUSH1 0 SSTORE STOP (slot 0 := 1, 20000 gas when metered). */
extern const struct address CH_CHIEF;
/* A contract whose code is PUSH1 0 PUSH1 0 REVERT. */
extern const struct address CH_REVERTER;
extern const struct address CH_COINBASE;

/* Key i (i >= 0): keccak256("chain-harness" ‖ i), with its address. */
void ch_key(int i, uint8_t sk[32], struct address *addr);

/* A transfer (or call when data is given) signed by key i for chain_id
 * (0: unprotected). */
struct tx ch_tx(int key, uint64_t nonce, const struct address *to, uint64_t value,
                uint64_t gas, uint64_t price, const uint8_t *data, size_t len, uint64_t chain_id);

/* Regtest parameters with chief100 never reached and CH_CHIEF as a 0.0.7
 * chief from block 0 (so chief rules apply without rewards). */
struct chain_params ch_params(void);

/* A genesis (gas limit gl) funding keys 0..nkeys-1 with `balance` wei each,
 * plus CH_CHIEF and CH_REVERTER with their code. */
void ch_genesis(struct genesis *g, int nkeys, uint64_t balance, uint64_t gas_limit);

/* Builds block number parent->number+1 on top of parent (state read from
 * store at parent->state_root) with the txs (copied into b), coinbase
 * CH_COINBASE, executes it and fills every computed header field. Returns
 * chain_execute_block's code. b owns its txs (block_free). */
int ch_build_block(const struct chain_params *p, const struct trie_store *store,
                   const struct header *parent, const struct tx *txs, size_t n,
                   struct block *b, struct chain_exec_result *res);

/* As ch_build_block with the given coinbase, and `signer` (may be NULL) as
 * the Author when the coinbase is zero (as an engine's recovered signer). */
int ch_build_block_author(const struct chain_params *p, const struct trie_store *store,
                          const struct header *parent, const struct tx *txs, size_t n,
                          const struct address *coinbase, const struct address *signer,
                          struct block *b, struct chain_exec_result *res);

/* Creates a fresh directory "<$TMPDIR or /tmp>/<name>.XXXXXX" (for a
 * database) and writes its path into dir (size bytes). */
void ch_tmpdir(char *dir, size_t size, const char *name);

/* Removes dir and the files directly in it (a LevelDB directory is flat). */
void ch_rmdir(const char *dir);

/* Balance of a at root in store (must fit in 64 bits). */
uint64_t ch_balance(const struct trie_store *store, const uint8_t root[32],
                    const struct address *a);

#endif
