/*
 * regtest_genesis.h — the regtest genesis: deterministic dev keys, the node
 * key, and the program that writes share/genesis/genesis-regtest.json.
 *
 * Why it is shaped this way: the regtest chain runs chief 1.0.0 from block 0,
 * so its genesis state must already hold TribeChief, ChiefBase, POC, the
 * MeshBox registry (MeshBoxRegistry, doc/meshbox.md) and Anmap at the fixed
 * regtest addresses of the chain parameters; and the channel hub's tests
 * need the channel contracts (TokensNetwork with its SecretRegistry,
 * SMTToken, a test token the dev accounts already hold) without set-up
 * transactions. Their storage refers to each other
 * (ChiefBase keeps TribeChief and POC, POC keeps ChiefBase as its owner,
 * TribeChief's constructor calls ChiefBase.init, TokensNetwork creates its
 * SecretRegistry and keeps its address, SMTToken keeps TokensNetwork's), so
 * the state cannot be written by hand: it is produced by running each
 * contract's creation code, from the committed artifacts in share/contracts/,
 * with our own EVM, at its final address (evm_create_at), in the order of
 * contrib/contracts/README.md, all in one in-memory state. The result is then
 * written out as an ordinary genesis file (chain/genesis.h format), so the
 * node loads regtest exactly as it loads mainnet, and a test can check that
 * the committed file is what this program produces today.
 *
 * Keys (doc/regtest.md lists them; they are PUBLIC test keys):
 *   dev account i (0 ≤ i < REGTEST_NDEV):
 *       sk = keccak256(REGTEST_DEV_KEY_SEED ‖ decimal(i)),
 *       e.g. keccak256("spectrumd regtest dev account 0")
 *   node key (genesis signer, first leader, deployer of the contracts):
 *       sk = keccak256(REGTEST_NODE_KEY_SEED)
 * The node key is separate from the dev accounts: the producer spends its
 * nonces on the chief update transaction of every block, which would race
 * with a user sending from the same account.
 *
 * Threads: every function is safe from any thread (no shared state).
 */
#ifndef SPECTRUM_CHAIN_REGTEST_GENESIS_H
#define SPECTRUM_CHAIN_REGTEST_GENESIS_H

#include <stddef.h>
#include <stdint.h>

#include "chain/params.h"
#include "primitives/address.h"

/* Number of prefunded dev accounts. */
#define REGTEST_NDEV 10
/* Seed of the dev keys: sk_i = keccak256(REGTEST_DEV_KEY_SEED ‖ decimal i). */
#define REGTEST_DEV_KEY_SEED "spectrumd regtest dev account "
/* Seed of the node key: sk = keccak256(REGTEST_NODE_KEY_SEED). */
#define REGTEST_NODE_KEY_SEED "spectrumd regtest node key"
/* Genesis balance of every dev account and of the node key: 10^24 wei
 * (1,000,000 SMT). */
#define REGTEST_DEV_BALANCE_DEC "1000000000000000000000000"

/* Constructor arguments of the system contracts (doc/regtest.md). */
#define REGTEST_CHIEF_EPOCH 100         /* ChiefBase(epoch, signerLimit) */
#define REGTEST_SIGNER_LIMIT 3
#define REGTEST_POC_MIN_DEPOSIT_DEC "1000000000000000000000" /* 10^21 wei = 1000 SMT */
#define REGTEST_POC_WITHDRAW_WAIT 10    /* blocks */
#define REGTEST_POC_HALVE_LIMIT 1000    /* blocks per deposit halving step */
/* MeshBoxRegistry(chainId = p->chain_id, epochLength = p->meshbox_epoch,
 * clientDeposit, unitCap) (doc/meshbox.md §3): 100 SMT, 10^9 units. */
#define REGTEST_MESHBOX_CLIENT_DEPOSIT_DEC "100000000000000000000"
#define REGTEST_MESHBOX_UNIT_CAP 1000000000u

/* The test token of the channel tests (PhotonTestToken, "PTT", 18
 * decimals): its address, and the balance each dev account holds in it
 * (10^24 = 1,000,000 PTT). Not a chain parameter: no node code uses it. */
#define REGTEST_TEST_TOKEN_ADDRESS "0x5350454300000000000000000000000000000107"
#define REGTEST_TEST_TOKEN_BALANCE_DEC "1000000000000000000000000"

/* The node key's genesis nonce: one per creation (8) and one per transfer
 * of the test token to a dev account, as if each had been a transaction. */
#define REGTEST_NODE_NONCE (8 + REGTEST_NDEV)

/* Gas given to each creation or call (metered; the largest, TokensNetwork
 * with its SecretRegistry, needs about 3.8M). */
#define REGTEST_CREATE_GAS 20000000u

/* Longest artifact file read from the contracts directory. */
#define REGTEST_MAX_ARTIFACT (4u << 20)

/*
 * The secret key of dev account i.
 * Returns: 0; ERR_RANGE when i ≥ REGTEST_NDEV; ERR_CRYPTO when the hash is
 *          not a valid secp256k1 key (never for the ten seeds in use: the
 *          unit test checks them).
 * Out: sk  32 bytes (public test key material; never use it elsewhere).
 */
int regtest_dev_key(unsigned i, uint8_t sk[32]);

/* The secret key of the regtest node (signer, leader, contract deployer).
 * Returns 0 or ERR_CRYPTO as regtest_dev_key. */
int regtest_node_key(uint8_t sk[32]);

/* The address of a secret key. Returns 0 or ERR_CRYPTO (invalid key). */
int regtest_key_address(const uint8_t sk[32], struct address *out);

/*
 * Builds the regtest genesis JSON text.
 *  - Header: difficulty 1, gas limit p->sip004_min_gas_limit, timestamp 0,
 *    extra = 32 zero bytes ‖ node address ‖ 65 zero bytes (the genesis
 *    layout of every network, spec §1.2), chainId and networkId from p.
 *  - State: the dev accounts and the node key with REGTEST_DEV_BALANCE_DEC;
 *    then, deployed by the node key with evm_create_at under the rules of
 *    block 0 (params_evm_fork(p, 0)): ChiefBase(epoch, signerLimit) at
 *    p->chief_base, POC(chiefBase, minDeposit, withdrawWait, halveLimit) at
 *    p->poc, TribeChief(chiefBase, poc, 0) at the chief of block 0,
 *    MeshBoxRegistry(p->chain_id, p->meshbox_epoch,
 *    REGTEST_MESHBOX_CLIENT_DEPOSIT_DEC, REGTEST_MESHBOX_UNIT_CAP) at
 *    p->meshbox (with an empty list), Anmap() at p->anmap,
 *    TokensNetwork(p->network_id) at p->tokens_network (it creates its
 *    SecretRegistry at the CREATE address of (tokens_network, 1)),
 *    SMTToken(tokens_network) at p->smt_token, and
 *    PhotonTestToken(REGTEST_NDEV × REGTEST_TEST_TOKEN_BALANCE_DEC) at
 *    REGTEST_TEST_TOKEN_ADDRESS; then the node key calls the token's
 *    transfer(dev_i, REGTEST_TEST_TOKEN_BALANCE_DEC) for each dev account.
 *    Every account the deployment touched, the SecretRegistry included, is
 *    written with its nonce, balance, code and non-zero storage (the node
 *    key's nonce is REGTEST_NODE_NONCE).
 *  - "expectedHash": the genesis block hash (chain/genesis.h) of the text.
 * Before returning, the text is parsed back and its state root compared
 * with the root of the deployment state, so an account or slot the dump
 * missed is an error, never a wrong file.
 * Args: p              regtest-like parameters: a 1.0.0 chief at block 0
 *                      and non-zero, distinct ChiefBase, POC, MeshBox,
 *                      Anmap, TokensNetwork and SMTToken addresses (none
 *                      equal to REGTEST_TEST_TOKEN_ADDRESS), meshbox_epoch
 *                      > 0 and meshbox_registry zero or = meshbox
 *       contracts_dir  directory holding <Name>.json artifacts
 *                      (share/contracts: {"contractName", "bytecode", ...})
 * Out:  *out  NUL-terminated JSON text ending with a newline, malloc'd (the
 *             caller frees it); *len its length without the NUL.
 * Returns: 0; ERR_INVAL (parameters unfit, a creation failed: the context
 *          says which contract and why); ERR_IO / ERR_DECODE / ERR_RANGE (an
 *          artifact missing, malformed or too large); ERR_NOMEM.
 */
int regtest_genesis_json(const struct chain_params *p, const char *contracts_dir, char **out,
                         size_t *len);

#endif
