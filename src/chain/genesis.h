/*
 * genesis.h — a network's genesis: header fields and initial allocation, as
 * found in share/genesis-*.json (the format of ../shared/spectrum), and the
 * genesis block they produce.
 *
 * The genesis state is computed the way every other state is: accounts
 * [nonce, balance, storageRoot, codeHash] in the secure trie, storage slots in
 * a per-account secure trie. Computing the expected hash end to end is the
 * first check that RLP, the trie and header hashing agree with the network.
 *
 * Ownership: a struct genesis owns its allocation and header; genesis_free
 * releases them. Functions are safe from any thread on distinct structs.
 */
#ifndef SPECTRUM_CHAIN_GENESIS_H
#define SPECTRUM_CHAIN_GENESIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"
#include "primitives/header.h"
#include "primitives/u256.h"
#include "trie/trie.h"

/* Bounds for a genesis file, which is outside input. */
#define GENESIS_MAX_FILE (64u << 20)
#define GENESIS_MAX_ACCOUNTS 100000
#define GENESIS_MAX_CODE (1u << 20)
#define GENESIS_MAX_SLOTS 100000

struct genesis_slot {
    uint8_t key[32];
    uint8_t value[32];
};

struct genesis_account {
    struct address addr;
    u256 balance;
    uint64_t nonce;
    uint8_t *code;              /* owned; NULL when code_len == 0 */
    size_t code_len;
    struct genesis_slot *slots; /* owned */
    size_t nslots;
};

struct genesis {
    char network[32];           /* "mainnet", "testnet", ... ("" if absent) */
    uint64_t chain_id;
    uint64_t network_id;
    struct header header;       /* state_root is filled by genesis_build */
    struct genesis_account *alloc;
    size_t nalloc;
    bool has_expected_hash;
    struct hash32 expected_hash;
};

/* Parses genesis JSON text. Header fields absent from the JSON take their
 * genesis defaults (number 0, empty roots, empty uncle hash, zero bloom).
 * Returns 0, ERR_DECODE (with the offending field in the context) or
 * ERR_RANGE when a bound above is exceeded. On error *g is left empty. */
int genesis_parse(const char *text, size_t len, struct genesis *g);

/* Reads and parses a genesis file (at most GENESIS_MAX_FILE bytes). */
int genesis_load(const char *path, struct genesis *g);

/* Computes the genesis state root, writing every trie node into `store`
 * (which may be NULL to compute in memory only), and sets
 * g->header.state_root. Returns 0 or an error from the trie. */
int genesis_build(struct genesis *g, const struct trie_store *store);

/* Builds the state (in memory) and returns the genesis block hash. */
int genesis_hash(struct genesis *g, struct hash32 *out);

void genesis_free(struct genesis *g);

#endif
