/*
 * keys.h — the node's keys at start-up: the node key (which signs the
 * blocks this node produces) and the wallet (<netdir>/keystore), with the
 * regtest dev accounts in it.
 *
 * Why it is shaped this way: both are files in the network's data
 * directory that the node creates on first start and must never write in a
 * way a kill could leave half-done (a node key is written to a temporary
 * file, synced, then renamed). Regtest is the exception that makes tests
 * easy: its node key is the documented public one (doc/regtest.md), and its
 * wallet holds the ten public dev accounts, imported on first start with the
 * empty passphrase and unlocked on every start, as hardhat's accounts are.
 *
 * Keys never reach a log line or an error message. Threads: main.
 */
#ifndef SPECTRUM_NODE_KEYS_H
#define SPECTRUM_NODE_KEYS_H

#include <stdbool.h>
#include <stdint.h>

struct args;
struct wallet;

/*
 * Gets the node key: on regtest without -nodekey the regtest node key;
 * otherwise the file named by -nodekey (default <netdir>/nodekey): 64 hex digits (surrounding white space allowed), or,
 * when the file does not exist, a new random key written there with mode
 * 0600 (and logged as "Created a new node key in <path>, address <addr>").
 * Returns 0, ERR_INVAL (the file holds no valid key: the message names the
 * file), ERR_IO, ERR_CRYPTO (no randomness). Out: key (wipe it after use).
 */
int node_load_nodekey(const struct args *a, const char *netdir, bool regtest, uint8_t key[32]);

/*
 * Opens the wallet on <netdir>/keystore (created 0700 when absent). On
 * regtest, imports any of the ten dev accounts that is missing (passphrase
 * "", light scrypt) and unlocks all ten until the node stops.
 * Returns 0 or the wallet's errors. Out: *out (wallet_free).
 */
int node_open_wallet(const char *netdir, bool regtest, struct wallet **out);

/* ---- -relayer (delegated gas payment, rpc/relay.c) ---- */
struct address;

/* Registers -relayer (foreign: as in args_register_foreign). Returns as
 * args_register. */
int node_register_wallet(struct args *a, bool foreign);

/*
 * The account that relays delegated transfers: -relayer=<address> (an
 * account of w, else ERR_INVAL "-relayer: 0x.. is not an account of the
 * wallet"), by default on regtest dev account 9, elsewhere none; -norelayer
 * means none. Returns 0 with *has (and *out when *has), or ERR_INVAL (not
 * an address, not in the wallet).
 */
int node_relayer(const struct args *a, bool regtest, struct wallet *w, struct address *out,
                 bool *has);
/* end -relayer */

#endif
