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
 * Once the p2p service runs (rpc_env.p2p, net/p2p.h), admin_nodeInfo
 * gives its enode (address, port), admin_peers its published peer list and
 * admin_addPeer queues a static peer for it; with p2p off (-maxpeers=0)
 * they answer as above.
 *
 * Every method needs credentials (dispatch.h). Handlers read only the
 * chain service's published data and the database (chainread.h), and the
 * p2p service's published view.
 */
#include <stdio.h>
#include <string.h>

#include "chainsvc/chainsvc.h"
#include "crypto/keccak.h"
#include "net/enode.h"
#include "net/p2p.h"
#include "rpc/chainread.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "util/err.h"
#include "util/hex.h"

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
    struct enode self;
    memset(&self, 0, sizeof self);
    if (chainsvc_node_pubkey(svc, self.id) != 0)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "the node key is not available");
    self.ep.tcp_port = self.ep.udp_port = chainsvc_params(svc)->p2p_port;
    if (enode_set_ip(&self.ep, ADVERTISED_IP) != 0)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: %s", err_msg());
    if (ctx->env->p2p)
        p2p_self(ctx->env->p2p, &self);
    uint16_t port = self.ep.tcp_port;
    self.ep.udp_port = port; /* geth's listener and discovery share the port */
    char url[ENODE_URL_MAX], ip[46], id[65];
    enode_ip_text(&self.ep, ip);
    if (enode_format(&self, url) != 0)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: %s", err_msg());
    uint8_t h[32];
    keccak256(self.id, 64, h);
    hex_encode(id, h, 32);
    id[64] = 0;
    json_t *eth = eth_protocol(ctx, svc);
    if (!eth)
        return NULL;
    char listen[32];
    snprintf(listen, sizeof listen, "[::]:%u", (unsigned)port);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:i, s:i}, s:{s:o}}",
                          "enode", url, "id", id, "name", ctx->env->client_version,
                          "ip", ip, "listenAddr", listen,
                          "ports", "discovery", (int)port, "listener", (int)port,
                          "protocols", "eth", eth);
    return o ? o : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

/* One admin_peers entry, in geth's shape. */
static json_t *peer_json(const struct p2p_peer_info *p)
{
    char id[129];
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < 64; i++) {
        id[2 * i] = digits[p->id[i] >> 4];
        id[2 * i + 1] = digits[p->id[i] & 15];
    }
    id[128] = 0;
    json_t *caps = json_array();
    for (size_t i = 0; caps && i < p->ncaps; i++)
        json_array_append_new(caps, json_string(p->caps[i]));
    return json_pack("{s:s, s:s, s:o, s:{s:s, s:s, s:b, s:b, s:b}, s:{s:{s:I, s:o, s:o}}}",
                     "id", id, "name", p->name, "caps", caps ? caps : json_array(),
                     "network", "localAddress", p->local_addr, "remoteAddress", p->remote_addr,
                     "inbound", p->inbound, "trusted", 0, "static", p->is_static,
                     "protocols", "eth", "version", (json_int_t)p->eth_version,
                     "difficulty", td_json(&p->td), "head", rpc_json_hash(&p->head));
}

static json_t *peers(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    json_t *a = json_array();
    if (!a)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    if (!ctx->env->p2p)
        return a;
    struct p2p_peer_info *v;
    size_t n;
    if (p2p_peers(ctx->env->p2p, &v, &n) != 0) {
        json_decref(a);
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        json_t *o = peer_json(&v[i]);
        if (!o || json_array_append_new(a, o) != 0) {
            free(v);
            json_decref(a);
            return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        }
    }
    free(v);
    return a;
}

static json_t *add_peer(const json_t *params, struct rpc_ctx *ctx)
{
    const char *url;
    if (rpc_params_count(ctx, params, 1, 1) ||
        rpc_param_string(ctx, params, 0, ENODE_INPUT_MAX, &url))
        return NULL;
    struct enode node;
    if (enode_parse(url, strlen(url), &node) != 0)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "invalid enode: %s", err_msg());
    if (!ctx->env->p2p)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "p2p is not running yet");
    if (p2p_add_peer(ctx->env->p2p, &node) != 0)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "cannot add peer: %s", err_msg());
    return json_true();
}

static const struct rpc_param_doc add_peer_params[] = {
    {"url", "string", false,
     "enode://<128 hex digits of the public key>@<ip>:<port>[?discport=<udp port>]"},
};

static const struct rpc_method admin_methods[] = {
    {.name = "admin_addPeer", .fn = add_peer, .flags = 0,
     .summary = "Adds a static peer: the node dials it soon and keeps reconnecting (with "
                "backoff) while it runs. A malformed URL gets -32000 \"invalid enode: "
                "<reason>\"; with p2p off (-maxpeers=0) -32000 \"p2p is not running yet\".",
     .params = add_peer_params, .nparams = RPC_COUNT(add_peer_params),
     .result = "true"},
    {.name = "admin_nodeInfo", .fn = node_info, .flags = 0,
     .summary = "Describes this node as geth does: its enode URL (the node key's public key), "
                "id (keccak256 of that key), name (web3_clientVersion), ip, listenAddr, ports "
                "and the eth protocol's status.",
     .result = "{enode, id, name, ip, listenAddr, ports: {discovery, listener}, protocols: "
               "{eth: {network, difficulty, genesis, head}}}"},
    {.name = "admin_peers", .fn = peers, .flags = 0,
     .summary = "Lists the connected peers (those that exchanged eth Status) as geth does: id, "
                "name (client id), caps, network {localAddress, remoteAddress, inbound, "
                "trusted, static}, protocols.eth {version, difficulty, head}. Empty with p2p "
                "off.",
     .result = "[] (array of peer objects)"},
};

const struct rpc_namespace rpc_ns_admin = {"admin", admin_methods, RPC_COUNT(admin_methods),
                                           false};
