/*
 * methods.h — the namespace tables the server registers, one per file
 * (web3.c, net.c, control.c, eth.c; later personal.c, admin.c, debug.c,
 * txpool.c, tribe.c, channel.c), and the list that puts them together.
 *
 * A new namespace is a new file with one table and a line in rpc_namespaces
 * (namespaces.c); nothing else in the server changes.
 */
#ifndef SPECTRUM_RPC_METHODS_H
#define SPECTRUM_RPC_METHODS_H

#include <stddef.h>

#include "rpc/dispatch.h"

extern const struct rpc_namespace rpc_ns_control;
extern const struct rpc_namespace rpc_ns_debug;
extern const struct rpc_namespace rpc_ns_eth;
extern const struct rpc_namespace rpc_ns_net;
extern const struct rpc_namespace rpc_ns_txpool;
extern const struct rpc_namespace rpc_ns_web3;
extern const struct rpc_namespace rpc_ns_test;     /* regtest only (regtest.c) */
/* issue 5: wallet, signing, relayer, admin */
extern const struct rpc_namespace rpc_ns_admin;
extern const struct rpc_namespace rpc_ns_personal;
extern const struct rpc_namespace rpc_ns_relay;
/* end issue 5: wallet, signing, relayer, admin */

/* issue 5: tribe */
extern const struct rpc_namespace rpc_ns_tribe;
/* end issue 5: tribe */
/* issue 8: meshbox */
extern const struct rpc_namespace rpc_ns_meshbox;
/* end issue 8: meshbox */
/* issue 7: channel */
extern const struct rpc_namespace rpc_ns_channel;
/* end issue 7: channel */

/* Every namespace of every network, in the order `help` lists them
 * (rpc_ns_test is not in it). */
extern const struct rpc_namespace *const rpc_namespaces[];
extern const size_t rpc_namespaces_count;

/* "spectrumd/v0.1.0/linux-amd64/gcc": name, version, OS-architecture,
 * compiler (the shape of geth's "Geth/v1.x/linux-amd64/go1.x"). */
const char *rpc_client_version(void);

#endif
