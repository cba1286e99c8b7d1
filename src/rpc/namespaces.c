/* namespaces.c — the list of namespace tables; see methods.h. */
#include "rpc/methods.h"

const struct rpc_namespace *const rpc_namespaces[] = {
    &rpc_ns_control,
    &rpc_ns_debug,
    &rpc_ns_eth,
    &rpc_ns_net,
    &rpc_ns_txpool,
    &rpc_ns_web3,
};

const size_t rpc_namespaces_count = RPC_COUNT(rpc_namespaces);
