/*
 * bootnodes.h — the discovery entry points built into the node: the enode
 * URLs a fresh node on mainnet or testnet pings first (spec §12). Devnet
 * and regtest have none: their nodes find each other through -bootnodes,
 * -addnode or -connect.
 *
 * Why a separate file: the list is data copied from Spectrum's
 * params/bootnodes.go and changes only when the operators move their
 * machines; keeping it apart makes such a change one obvious diff. The
 * -bootnodes option replaces the list (as geth's flag does).
 *
 * The tables are static and immutable: safe from any thread.
 */
#ifndef SPECTRUM_NET_BOOTNODES_H
#define SPECTRUM_NET_BOOTNODES_H

#include <stddef.h>

#include "chain/params.h"
#include "net/enode.h"

/* Returns the built-in bootnode URLs of a network and sets *count (0 and
 * NULL for devnet, regtest or an unknown value). */
const char *const *bootnodes_get(enum chain_network net, size_t *count);

/* Parses a list of enode URLs into out[0..*count).
 * Returns: 0, ERR_RANGE when there are more than cap URLs, or the error of
 *          the first URL that does not parse (context: "bootnode N: why").
 * Args: urls (n NUL-terminated strings); out (cap entries, caller-owned). */
int bootnodes_parse(const char *const *urls, size_t n, struct enode *out, size_t cap,
                    size_t *count);

#endif
