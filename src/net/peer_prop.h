/*
 * peer_prop.h — which peers get a new block in full and which only its
 * hash (geth's BroadcastBlock): of the n peers that do not know the block,
 * floor(sqrt(n)) chosen at random get NewBlock, the others NewBlockHashes.
 * A block then reaches most of the network in a couple of hops while each
 * node uploads it only sqrt(n) times; the rest fetch it when they want it.
 *
 * Pure functions, separate from the sockets so the choice has unit tests.
 * Threads: any.
 */
#ifndef SPECTRUM_NET_PEER_PROP_H
#define SPECTRUM_NET_PEER_PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How many of n peers get the full block: floor(sqrt(n)), and at least 1
 * when n > 0. */
size_t peer_prop_full_count(size_t n);

/* Chooses which of n peers get the full block: sets full[i] for exactly
 * peer_prop_full_count(n) of them, picked at random from `seed` (a partial
 * Fisher-Yates shuffle with a splitmix64 stream), and clears the others.
 * Args: full  n flags; order  scratch of n entries (NULL is allowed when
 *       n == 0). */
void peer_prop_choose(size_t n, uint64_t seed, bool *full, size_t *order);

#endif
