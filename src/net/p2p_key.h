/*
 * p2p_key.h — the devp2p identity key of a regtest node.
 *
 * Why it exists: on live networks a node's devp2p identity is its node key,
 * the key that seals its blocks (peers know a Tribe signer by it). On
 * regtest every node seals with the same documented key, so that identity
 * would make all regtest nodes one node to each other (each would drop the
 * others as "connected to self"). A regtest node therefore gets its own
 * random identity, kept in <netdir>/p2pkey (64 hex digits, mode 0600,
 * created on first start), which only names it on the network.
 *
 * Threads: any (start-up).
 */
#ifndef SPECTRUM_NET_P2P_KEY_H
#define SPECTRUM_NET_P2P_KEY_H

#include <stdint.h>

#define P2P_KEY_FILE "p2pkey"

/* Reads <netdir>/p2pkey, creating it with a fresh random key when absent.
 * Returns: 0; ERR_INVAL (the file is not 64 hex digits of a valid key);
 * ERR_IO; ERR_CRYPTO (no randomness); ERR_RANGE (path too long).
 * Out: key (wipe it after use). */
int p2p_key_load(const char *netdir, uint8_t key[32]);

#endif
