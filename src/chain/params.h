/*
 * params.h — the chain parameters of each Spectrum network: ids, genesis
 * file, Tribe period, every fork height, the system-contract addresses,
 * rewards, gas-limit floors and the node's defaults.
 *
 * Why it is shaped this way: Spectrum's own client picks most of these from
 * environment variables (TESTNET=1 / DEVNET=1, spec §1.1 and §13.7), so a
 * custom genesis silently runs the mainnet schedule. Here every value lives
 * in one plain struct, and every rule helper takes the struct as its first
 * argument. Nothing reads the environment or a global: a test copies a
 * network's struct, changes the heights it wants and runs the rules on it.
 *
 * Fork heights are block numbers; CHAIN_NEVER means "not on this network".
 * A fork is active at block n when its height is not CHAIN_NEVER and
 * n >= height. (Spectrum's helpers additionally treat a height of 0 as
 * "never" for SIP002/3/4 and SIP100 on mainnet and testnet; no public network
 * has such a 0, so the plain rule gives the same answers there, and regtest,
 * which has them at 0, is ours to define.)
 *
 * The tables returned by chain_params_get() are static and immutable; every
 * function here is pure and safe from any thread.
 */
#ifndef SPECTRUM_CHAIN_PARAMS_H
#define SPECTRUM_CHAIN_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evm/fork.h"
#include "primitives/address.h"
#include "primitives/u256.h"

/* A fork height that never activates. */
#define CHAIN_NEVER UINT64_MAX

/* Capacities of the fixed arrays in struct chain_params. */
#define CHAIN_MAX_CHIEFS 8
#define CHAIN_MAX_SKIP 8

/* The networks, in the same order as node/network.h's enum network_id. */
enum chain_network {
    CHAIN_MAINNET = 0,
    CHAIN_TESTNET,
    CHAIN_DEVNET,
    CHAIN_REGTEST,
    CHAIN_NETWORK_COUNT
};

/* The chief (signer-set) contract versions that ever ran. Only the split
 * "1.0.0 or older" changes a consensus rule (spec §4, §5). */
enum chief_version {
    CHIEF_V0_0_2 = 0,
    CHIEF_V0_0_5,
    CHIEF_V0_0_6,
    CHIEF_V0_0_7,
    CHIEF_V1_0_0,
};

/* One entry of a network's chief list: from block `start` on (until the next
 * entry's start), the chief contract is `addr` at `version`. */
struct chief_info {
    uint64_t start;
    struct address addr;
    enum chief_version version;
};

struct chain_params {
    enum chain_network network;
    const char *name;               /* "mainnet", "testnet", "devnet", "regtest" */
    uint64_t chain_id;              /* EIP-155 */
    uint64_t network_id;            /* devp2p Status */
    const char *genesis_file;       /* file name under share/genesis/ */

    /* Tribe */
    uint64_t period;                /* P in seconds; 0 = instant chain (regtest) */
    uint64_t unchecked_blocks;      /* blocks 1..this skip body validation (3) */

    /* Fork heights (CHAIN_NEVER when absent). */
    uint64_t homestead_block;
    uint64_t eip150_block;
    uint64_t eip155_block;
    uint64_t eip158_block;
    uint64_t byzantium_block;
    uint64_t sip001_block;          /* chief update tx is gas-free */
    uint64_t sip002_block;          /* 14/18/22 s delays, difficulty 3/2/1 */
    uint64_t sip003_block;          /* every tx EIP-155 protected */
    uint64_t sip004_block;          /* new opcodes, min gas limit 40M */
    uint64_t chief100_block;        /* SIP100: chief 1.0.0, VRF, rewards */
    uint64_t meshbox_weighting_block; /* MeshBox contribution weighting
                                       * (doc/meshbox.md §8) */

    /* System contracts. chiefs[] is sorted by strictly increasing start,
     * and the CHIEF_V1_0_0 entry, when present, starts at chief100_block. */
    struct chief_info chiefs[CHAIN_MAX_CHIEFS];
    size_t nchiefs;
    struct address chief_base;      /* ChiefBase 1.0.0 (leader list) */
    struct address poc;             /* POC 1.0.0 (staking) */
    uint64_t meshbox_block;
    struct address meshbox;
    unsigned meshbox_version;       /* 1 = 0.0.1, 2 = 0.0.2, 0 = none */
    uint64_t anmap_block;
    struct address anmap;

    /* MeshBox contribution weighting (doc/meshbox.md §3, §8): the
     * MeshBoxRegistry the draw reads (its ABI is a superset of MeshBox
     * 0.0.2's; on regtest it IS the MeshBox contract) and the epoch length
     * in blocks, which must equal the registry's epochLength(). Both are
     * unused (zero) while meshbox_weighting_block is CHAIN_NEVER. */
    struct address meshbox_registry;
    uint64_t meshbox_epoch;

    /* Channel contracts (photon.md §1-§2); the zero address when the
     * network has none. tokens_network is TokensNetwork, the "registry"
     * Photon looks up by genesis hash (its SecretRegistry is read from the
     * contract, secret_registry()); smt_token is the SMTToken wrapper of
     * the native coin (§2.10). Not consensus: only the channel hub and
     * the regtest genesis read them. */
    struct address tokens_network;
    struct address smt_token;

    /* Rewards and the one-off burn (spec §7). */
    u256 block_reward;              /* wei, from chief100_block on */
    uint64_t halving_interval;      /* blocks per halving */
    bool burn_enabled;              /* at chief100_block; mainnet only */
    struct address burn_account;
    u256 burn_amount;               /* wei, capped at the balance */

    /* Block hashes refused on import (spec §10 step 2, Spectrum's
     * core/blocks.go:BadHashes); nbad_hashes entries, NULL when none. */
    const struct hash32 *bad_hashes;
    size_t nbad_hashes;

    /* Heights whose difficulty checks are skipped (spec §4, §13.1). */
    uint64_t difficulty_skip[CHAIN_MAX_SKIP];
    size_t ndifficulty_skip;

    /* Gas (spec §6.6, §6.7) and policy. */
    uint64_t min_gas_limit;         /* 5000 */
    uint64_t sip004_min_gas_limit;  /* 40,000,000 from sip004_block on */
    uint64_t gas_limit_bound_divisor; /* 1024 */
    uint64_t target_gas_limit;      /* producer target before SIP004 */
    uint64_t min_gas_price;         /* wei; txpool/miner policy, not consensus */
    uint64_t chief_tx_gas_limit;    /* producer's chief update tx (not validated) */
    uint64_t chief_tx_gas_price;

    /* Node defaults. */
    const char *const *bootnodes;   /* enode URLs; filled by the p2p module */
    size_t nbootnodes;
    uint16_t p2p_port;
    uint16_t rpc_port;
    uint16_t ws_port;
};

/* Returns the built-in parameters of a network, or NULL for a value outside
 * enum chain_network. The pointer is to static, immutable data. */
const struct chain_params *chain_params_get(enum chain_network net);

/* Looks a network up by name ("mainnet"/"main", "testnet"/"test", "devnet",
 * "regtest"). Returns 0, or ERR_INVAL for an unknown name. Out: *net. */
int chain_network_from_name(const char *name, enum chain_network *net);

/* Checks a parameter set for internal consistency: chiefs sorted by strictly
 * increasing start and within capacity, a 1.0.0 entry iff chief100_block is
 * set and at the same height, non-zero chief addresses, array counts within
 * capacity, halving_interval and gas_limit_bound_divisor non-zero, a
 * bad-hash array when its count is non-zero; when meshbox_weighting_block
 * is set (doc/meshbox.md §8), a non-zero meshbox_registry and a non-zero
 * meshbox_epoch.
 * Returns 0 or ERR_INVAL with the first problem in the error context. Use it
 * on any hand-made schedule before running rules on it. */
int chain_params_check(const struct chain_params *p);

/* True when a fork at `height` is active at block n. */
static inline bool params_fork_active(uint64_t height, uint64_t n)
{
    return height != CHAIN_NEVER && n >= height;
}

static inline bool params_is_sip001(const struct chain_params *p, uint64_t n)
{
    return params_fork_active(p->sip001_block, n);
}
static inline bool params_is_sip002(const struct chain_params *p, uint64_t n)
{
    return params_fork_active(p->sip002_block, n);
}
static inline bool params_is_sip003(const struct chain_params *p, uint64_t n)
{
    return params_fork_active(p->sip003_block, n);
}
static inline bool params_is_sip004(const struct chain_params *p, uint64_t n)
{
    return params_fork_active(p->sip004_block, n);
}
/* SIP100 is Chief100: the 1.0.0 rules, VRF extra, rewards. */
static inline bool params_is_sip100(const struct chain_params *p, uint64_t n)
{
    return params_fork_active(p->chief100_block, n);
}
/* True exactly at the SIP004 block (its gas-limit checks are skipped). */
static inline bool params_is_sip004_block(const struct chain_params *p, uint64_t n)
{
    return p->sip004_block != CHAIN_NEVER && n == p->sip004_block;
}
/* MeshBox weighting (doc/meshbox.md §8): the weighted draw of the
 * volunteer and the position rule of difficulty and authorization apply to
 * block n. It needs the 1.0.0 chief and the VRF, so it starts at
 * max(meshbox_weighting_block, chief100_block): a schedule that moves
 * Chief100 later (regtest with -regtestforks) keeps it off until then. */
static inline bool params_is_meshbox_weighting(const struct chain_params *p, uint64_t n)
{
    return params_fork_active(p->meshbox_weighting_block, n) &&
           params_fork_active(p->chief100_block, n);
}

/* The chief contract in force at block n: the entry with the largest
 * start <= n. Returns NULL when there is none (mainnet block 1, for example).
 * Spectrum's GetChiefInfo also returns none for n = 0; callers that care
 * about the genesis block test n == 0 themselves. */
const struct chief_info *params_chief_for_block(const struct chain_params *p, uint64_t n);

/* True when the chief for block n exists and is version 1.0.0. */
bool params_is_chief100_era(const struct chain_params *p, uint64_t n);

/* True when a is the address of any chief version of the network (the
 * "chief address set" of spec §1.4). The zero address is never one. */
bool params_is_chief_address(const struct chain_params *p, const struct address *a);

/* IsChiefAddressOnBlock (spec §1.4): from SIP100 on only the 1.0.0 address
 * qualifies; before it, any chief address. The zero address never does. */
bool params_is_chief_address_on_block(const struct chain_params *p, uint64_t n,
                                      const struct address *a);

/* The unmetered-call pairs of spec §6.4 (Spectrum's chiefCalledMap): true
 * when (from → to) is Chief100 → ChiefBase or ChiefBase → POC of mainnet,
 * testnet or devnet (all three are active on every network, as in
 * Spectrum), or of p itself (so a regtest schedule has its own pair). */
bool params_is_chief_called(const struct chain_params *p, const struct address *from,
                            const struct address *to);

/* True when `hash` is in p's bad-hash list (spec §10 step 2). */
bool params_is_bad_hash(const struct chain_params *p, const struct hash32 *hash);

/* True when block n is in the difficulty-skip set. */
bool params_is_difficulty_skip(const struct chain_params *p, uint64_t n);

/* The EVM rule set for a block: FORK_SIP004 from sip004_block, else the
 * newest of Byzantium / Spurious (EIP-158) / Tangerine (EIP-150) /
 * Homestead that is active, else Frontier. */
enum evm_fork params_evm_fork(const struct chain_params *p, uint64_t n);

/* The block reward of block n (spec §7): 0 before chief100_block, else
 * block_reward >> ((n - chief100_block) / halving_interval) (0 once the
 * shift reaches 256). Out: *out. */
void params_block_reward(const struct chain_params *p, uint64_t n, u256 *out);

/* The minimum gas limit of block n: sip004_min_gas_limit from SIP004 on,
 * else min_gas_limit. */
uint64_t params_min_gas_limit(const struct chain_params *p, uint64_t n);

/* Returns "0.0.2", "0.0.5", "0.0.6", "0.0.7" or "1.0.0" ("?" otherwise). */
const char *chief_version_name(enum chief_version v);

#endif
