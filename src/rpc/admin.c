/*
 * admin.c — the admin_ namespace (geth's): who this node is to the p2p
 * network, and its peers.
 *
 * The node's devp2p identity is its node key (the key that seals its
 * blocks: Tribe names a signer by the same key its peers know it by), so
 * admin_nodeInfo can give the enode URL before the p2p module exists; the
 * address is 127.0.0.1 and the ports the network's (spec §1.1: 60303 for
 * both TCP and discovery) until the p2p module reports what it listens on.
 * Until then admin_peers is empty and admin_addPeer checks the URL (so a
 * client learns of a typo at once) and then answers -32000 "p2p is not
 * running yet"; the p2p module replaces both.
 *
 * Every method needs credentials (dispatch.h). Handlers read only the
 * chain service's published data and the database (chainread.h).
 */
#include <stdio.h>
#include <string.h>

#include "chainsvc/chainsvc.h"
#include "rpc/chainread.h"
#include "rpc/enode.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "util/err.h"

/* The address admin_nodeInfo advertises until the p2p module knows its own. */
#define ADVERTISED_IP "127.0.0.1"

/* A total difficulty as geth writes a big.Int: a JSON number (Tribe's
 * difficulties are 1..3 per block, so it fits; a quantity string beyond). */
static json_t *td_json(const u256 *td)
{
    if (u256_fits_u64(td) && td->w[0] <= (uint64_t)INT64_MAX)
        return json_integer((json_int_t)td->w[0]);
    return rpc_json_u256(td);
}

/* {"network", "difficulty", "genesis", "head"}: the eth protocol's status. */
static json_t *eth_protocol(struct rpc_ctx *ctx, struct chainsvc *svc)
{
    struct rpc_block_ref genesis_ref = {.kind = RPC_BLOCK_EARLIEST};
    struct hash32 genesis;
    uint64_t zero;
    if (rpc_resolve_block(ctx, svc, NULL, &genesis_ref, &genesis, &zero) != 0)
        return NULL;
    struct chainsvc_head head;
    int rc = chainsvc_head(svc, &head);
    if (rc) {
        rpc_fail_db(ctx, rc);
        return NULL;
    }
    json_t *o = json_pack("{s:I, s:o, s:o, s:o}",
                          "network", (json_int_t)chainsvc_params(svc)->network_id,
                          "difficulty", td_json(&head.td),
                          "genesis", rpc_json_hash(&genesis),
                          "head", rpc_json_hash(&head.hash));
    header_free(&head.header);
    return o ? o : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

static json_t *node_info(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    uint8_t pub[64];
    char url[RPC_ENODE_URL_MAX], id[65];
    if (chainsvc_node_pubkey(svc, pub) != 0)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "the node key is not available");
    uint16_t port = chainsvc_params(svc)->p2p_port;
    if (rpc_enode_format(pub, ADVERTISED_IP, port, port, url) != 0)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: %s", err_msg());
    rpc_enode_id(pub, id);
    json_t *eth = eth_protocol(ctx, svc);
    if (!eth)
        return NULL;
    char listen[32];
    snprintf(listen, sizeof listen, "[::]:%u", (unsigned)port);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:i, s:i}, s:{s:o}}",
                          "enode", url, "id", id, "name", ctx->env->client_version,
                          "ip", ADVERTISED_IP, "listenAddr", listen,
                          "ports", "discovery", (int)port, "listener", (int)port,
                          "protocols", "eth", eth);
    return o ? o : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

static json_t *peers(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    json_t *a = json_array();
    return a ? a : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

static json_t *add_peer(const json_t *params, struct rpc_ctx *ctx)
{
    const char *url;
    if (rpc_params_count(ctx, params, 1, 1) ||
        rpc_param_string(ctx, params, 0, RPC_ENODE_INPUT_MAX, &url))
        return NULL;
    struct rpc_enode n;
    if (rpc_enode_parse(url, strlen(url), &n) != 0)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "invalid enode: %s", err_msg());
    return rpc_fail(ctx, RPC_SERVER_ERROR, "p2p is not running yet");
}

static const struct rpc_param_doc add_peer_params[] = {
    {"url", "string", false,
     "enode://<128 hex digits of the public key>@<ip>:<port>[?discport=<udp port>]"},
};

static const struct rpc_method admin_methods[] = {
    {.name = "admin_addPeer", .fn = add_peer, .flags = 0,
     .summary = "Asks the node to connect to a peer. Until the p2p module runs, a valid URL "
                "gets -32000 \"p2p is not running yet\"; a malformed one -32000 \"invalid "
                "enode: <reason>\".",
     .params = add_peer_params, .nparams = RPC_COUNT(add_peer_params),
     .result = "true (once p2p runs)"},
    {.name = "admin_nodeInfo", .fn = node_info, .flags = 0,
     .summary = "Describes this node as geth does: its enode URL (the node key's public key), "
                "id (keccak256 of that key), name (web3_clientVersion), ip, listenAddr, ports "
                "and the eth protocol's status.",
     .result = "{enode, id, name, ip, listenAddr, ports: {discovery, listener}, protocols: "
               "{eth: {network, difficulty, genesis, head}}}"},
    {.name = "admin_peers", .fn = peers, .flags = 0,
     .summary = "Lists the connected peers (always empty until the p2p module runs).",
     .result = "[] (array of peer objects)"},
};

const struct rpc_namespace rpc_ns_admin = {"admin", admin_methods, RPC_COUNT(admin_methods),
                                           false};
