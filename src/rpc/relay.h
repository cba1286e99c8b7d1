/*
 * relay.h — the relayer of delegated gas payments (relay.c, the relay_
 * namespace): which wallet account pays the gas.
 *
 * Why a setting outside rpc_env: the account is chosen once at start-up
 * (-relayer, node/keys.h) and never changes while the server runs, like the
 * client version string; it lives beside the namespace that uses it.
 */
#ifndef SPECTRUM_RPC_RELAY_H
#define SPECTRUM_RPC_RELAY_H

#include <stdbool.h>

#include "primitives/address.h"

/* Sets the account that sends transferProxy transactions and pays their gas
 * (an account of the node's wallet; it must be unlocked when relaying), or
 * none with a NULL. Without one the relay_ methods answer -32000 "no
 * relayer account ...". Thread: main, before the RPC server starts (the
 * handlers read it without a lock). */
void rpc_relay_set_account(const struct address *a);

/* The relayer account, when one is set. */
bool rpc_relay_account(struct address *out);

#endif
