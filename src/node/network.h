/*
 * network.h — which Spectrum network a program talks to, and what follows
 * from that choice before any chain code runs: the config section, the data
 * subdirectory and the default ports.
 *
 * The chain parameters themselves (genesis, chain id, forks) belong to the
 * chain module; this table only carries what the programs need to find their
 * files and their peers (spec §1.1: p2p 60303, HTTP-RPC 18545, WS 18546 on
 * every network; data in ~/.spectrum with a subdirectory per test network).
 */
#ifndef SPECTRUM_NODE_NETWORK_H
#define SPECTRUM_NODE_NETWORK_H

#include <stdint.h>

struct args;

enum network_id {
    NETWORK_MAIN,
    NETWORK_TEST,
    NETWORK_DEVNET,
    NETWORK_REGTEST,
    NETWORK_COUNT
};

struct network_info {
    enum network_id id;
    const char *name;       /* "mainnet", "testnet", "devnet", "regtest" (logs) */
    const char *section;    /* config section: "main", "test", "devnet", "regtest" */
    const char *option;     /* selecting option: NULL (default), "testnet", ... */
    const char *subdir;     /* data subdirectory: "" for mainnet */
    uint16_t p2p_port;
    uint16_t rpc_port;
    uint16_t ws_port;
};

/* The config section names, in enum order, for args_new(). */
extern const char *const network_sections[NETWORK_COUNT];

/* Returns the entry for id (never NULL for a valid id). */
const struct network_info *network_get(enum network_id id);

/* Picks the network from -regtest/-testnet/-devnet (command line and the
 * config file's top level; mainnet when none is set).
 * Returns 0, or ERR_INVAL when more than one is set. Thread: main. */
int network_from_args(const struct args *a, const struct network_info **out);

#endif
