/* namespaces.c — the list of namespace tables; see methods.h. */
#include "rpc/methods.h"

const struct rpc_namespace *const rpc_namespaces[] = {
    &rpc_ns_control,
    &rpc_ns_debug,
    &rpc_ns_eth,
    &rpc_ns_net,
    &rpc_ns_txpool,
    &rpc_ns_web3,
    /* issue 5: wallet, signing, relayer, admin */
    &rpc_ns_admin,
    &rpc_ns_personal,
    &rpc_ns_relay,
    /* end issue 5: wallet, signing, relayer, admin */
    /* issue 5: tribe */
    &rpc_ns_tribe,
    /* end issue 5: tribe */
    /* issue 8: meshbox */
    &rpc_ns_meshbox,
    /* end issue 8: meshbox */
    /* issue 7: channel */
    &rpc_ns_channel,
    /* end issue 7: channel */
};

const size_t rpc_namespaces_count = RPC_COUNT(rpc_namespaces);
