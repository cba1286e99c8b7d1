/*
 * channel_node.c — see channel_node.h.
 *
 * The two contract reads at start (secret_registry() and chain_id() of
 * TokensNetwork) make the hub agree with the contract it settles on: the
 * chain id inside every balance-proof signature is the contract's, as
 * Photon reads it, and the SecretRegistry is whichever one TokensNetwork
 * created.
 */
#include "node/channel_node.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "chain/params.h"
#include "chainsvc/chainsvc.h"
#include "channel/chainclient.h"
#include "channel/contract.h"
#include "channel/hub.h"
#include "channel/lan.h"
#include "channel/misbehave.h"
#include "node/keys.h"
#include "util/args.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/hex.h"
#include "util/log.h"

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

#define CHANNEL_PORT_DEFAULT 40001
#define CHANNEL_CONFIRMATIONS_DEFAULT 12
/* LAN discovery (channel/lan.h): an administratively scoped multicast group;
 * on regtest the loopback broadcast address, so tests stay on 127.0.0.1. */
#define CHANNEL_LAN_ADDR_DEFAULT "239.255.70.77:40002"
#define CHANNEL_LAN_ADDR_REGTEST "127.255.255.255:40002"

static const struct arg_def channel_args[] = {
    {.name = "channel", .type = ARG_BOOL, .category = ARGCAT_CONNECTION,
     .def = "1 on regtest, 0 elsewhere",
     .help = "Run the state-channel hub (doc/channels.md): Photon-compatible payment channels "
             "over UDP, settled on chain with the node key's account. On whenever -channelport "
             "is given."},
    {.name = "channelport", .type = ARG_INT, .category = ARGCAT_CONNECTION,
     .value_name = "<port>", .def = "40001; on regtest 0 (any free port)", .min = 0,
     .max = 65535,
     .help = "Receive the hub's UDP packets on <port>; 0 takes any free port (channel_address "
             "tells which)."},
    {.name = "channelbind", .type = ARG_STRING, .category = ARGCAT_CONNECTION,
     .value_name = "<ip>", .def = "127.0.0.1 on regtest, 0.0.0.0 elsewhere",
     .help = "Bind the hub's UDP socket to <ip> (an IPv4 or IPv6 literal)."},
    {.name = "channelconfirmations", .type = ARG_INT, .category = ARGCAT_CONNECTION,
     .value_name = "<n>", .def = "0 on regtest, 12 elsewhere", .min = 0, .max = 10000,
     .help = "Apply the channel contracts' events of a block once <n> blocks are on top of "
             "it."},
    {.name = "channelresend", .type = ARG_INT, .category = ARGCAT_CONNECTION,
     .value_name = "<ms>", .def = "1000", .min = 10, .max = 600000,
     .help = "Resend unacknowledged channel packets every <ms> milliseconds."},
    /* issue 7: channel LAN */
    {.name = "channellan", .type = ARG_BOOL, .category = ARGCAT_CONNECTION, .def = "0",
     .help = "Find channel hubs on the LAN and be found: send a signed beacon (address, UDP "
             "port) every second to -channellanaddr and register the hubs whose beacons "
             "arrive as peers (doc/channels.md, \"LAN discovery\")."},
    {.name = "channellanaddr", .type = ARG_STRING, .category = ARGCAT_CONNECTION,
     .value_name = "<ip>:<port>",
     .def = CHANNEL_LAN_ADDR_DEFAULT "; on regtest " CHANNEL_LAN_ADDR_REGTEST,
     .help = "Where the LAN beacons go and are received: an IPv4 multicast group (joined) or "
             "broadcast address, and a UDP port every hub of the LAN uses."},
    {.name = "channeltestmisbehave", .type = ARG_STRING, .category = ARGCAT_DEBUG,
     .value_name = "<what>", .def = "none",
     .help = "Regtest only, for tests: make this hub cheat. unlockdisposed: unlock on chain "
             "the partner locks it disposed (the partner must punish it)."},
    /* end issue 7: channel LAN */
};

struct channel_node {
    struct ch_hub *hub;
    struct ch_chainclient *cc;
    struct ch_lan *lan;         /* issue 7: channel LAN (NULL: off) */
    char bind[64];
};

int channel_node_register_args(struct args *a, bool foreign)
{
    return foreign ? args_register_foreign(a, channel_args, COUNT(channel_args))
                   : args_register(a, channel_args, COUNT(channel_args));
}

/* A no-argument view of TokensNetwork at the head. */
static int read_view(struct chainsvc *chain, const uint8_t tn[20],
                     int (*build)(struct bytes *), uint8_t **out, size_t *len)
{
    struct bytes in = BYTES_INIT;
    int rc = build(&in);
    if (rc == 0)
        rc = ch_chainclient_view(chain, tn, in.data, in.len, out, len);
    bytes_free(&in);
    return rc;
}

/* The SecretRegistry and the signatures' chain id, from TokensNetwork. */
static int read_contract(struct chainsvc *chain, const uint8_t tn[20], uint8_t sr[20],
                         u256 *chain_id)
{
    uint8_t *out = NULL;
    size_t len = 0;
    int rc = read_view(chain, tn, ch_call_tn_secret_registry, &out, &len);
    if (rc == 0)
        rc = ch_ret_secret_registry(out, len, sr);
    free(out);
    out = NULL;
    if (rc == 0)
        rc = read_view(chain, tn, ch_call_tn_chain_id, &out, &len);
    if (rc == 0)
        rc = ch_ret_chain_id(out, len, chain_id);
    free(out);
    return rc;
}

static void free_node(struct channel_node *cn)
{
    if (!cn)
        return;
    ch_lan_stop(cn->lan);
    ch_chainclient_stop(cn->cc);
    ch_hub_stop(cn->hub);
    free(cn);
}

/* issue 7: channel LAN */
/* A peer the LAN service vouched for goes into the hub's address book. */
static int lan_on_peer(void *ctx, const uint8_t addr[20], const char *ip, uint16_t port)
{
    struct channel_node *cn = ctx;
    return ch_hub_register_peer(cn->hub, addr, ip, port);
}

/* -channeltestmisbehave: its flags, refused off regtest. */
static int parse_misbehave(const struct args *a, bool regtest, unsigned *flags)
{
    *flags = CH_MISBEHAVE_NONE;
    const char *v = args_get_str(a, "channeltestmisbehave", "none");
    if (!v || strcmp(v, "none") == 0 || strcmp(v, "") == 0)
        return 0;
    if (strcmp(v, "unlockdisposed") != 0)
        return err_set(ERR_INVAL, "-channeltestmisbehave: unknown value %s (unlockdisposed)", v);
    if (!regtest)
        return err_set(ERR_INVAL, "-channeltestmisbehave: regtest only");
    *flags = CH_MISBEHAVE_UNLOCK_DISPOSED;
    return 0;
}

/* Starts LAN discovery when -channellan is on. key: the hub key. */
static int start_lan(const struct args *a, bool regtest, struct channel_node *cn,
                     const uint8_t key[32])
{
    if (!args_get_bool(a, "channellan", false))
        return 0;
    const char *v = args_get_str(a, "channellanaddr",
                                 regtest ? CHANNEL_LAN_ADDR_REGTEST : CHANNEL_LAN_ADDR_DEFAULT);
    char ip[64];
    const char *colon = v ? strrchr(v, ':') : NULL;
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || (size_t)(colon - v) >= sizeof ip || colon == v || !end || *end ||
        port <= 0 || port > 65535)
        return err_set(ERR_INVAL, "-channellanaddr: %s is not <ipv4>:<port>", v ? v : "");
    memcpy(ip, v, (size_t)(colon - v));
    ip[colon - v] = 0;
    struct ch_lan_config lc;
    memset(&lc, 0, sizeof lc);
    lc.group = ip;
    lc.group_port = (uint16_t)port;
    lc.iface = strcmp(cn->bind, "0.0.0.0") && !strchr(cn->bind, ':') ? cn->bind : NULL;
    memcpy(lc.key, key, 32);
    lc.hub_port = ch_hub_port(cn->hub);
    lc.on_peer = lan_on_peer;
    lc.ctx = cn;
    int rc = ch_lan_start(&lc, &cn->lan);
    OPENSSL_cleanse(&lc, sizeof lc);
    if (rc)
        return err_wrap(rc, "-channellan on %s", v);
    log_info("Channel hub: LAN discovery on %s", v);
    return 0;
}
/* end issue 7: channel LAN */

int channel_node_start(const struct args *a, const char *netdir, struct chainsvc *chain,
                       const struct chain_params *p, struct channel_node **out)
{
    *out = NULL;
    bool regtest = p->network == CHAIN_REGTEST;
    bool on = args_get_bool(a, "channel", regtest) ||
              (args_is_set(a, "channelport") && !args_is_negated(a, "channel"));
    if (!on) {
        log_info("Channel hub: off (-channel=0)");
        return 0;
    }
    bool zero_tn = true;
    for (int i = 0; i < 20; i++)
        zero_tn = zero_tn && p->tokens_network.b[i] == 0;
    if (zero_tn) {
        if (args_is_set(a, "channel") || args_is_set(a, "channelport"))
            return err_set(ERR_INVAL, "-channel: network %s has no TokensNetwork contract",
                           p->name);
        log_info("Channel hub: off (no TokensNetwork on %s)", p->name);
        return 0;
    }
    struct channel_node *cn = calloc(1, sizeof *cn);
    if (!cn)
        return err_set(ERR_NOMEM, "out of memory");
    const char *bind = args_get_str(a, "channelbind", regtest ? "127.0.0.1" : "0.0.0.0");
    if (!bind || !*bind || strlen(bind) >= sizeof cn->bind) {
        free(cn);
        return err_set(ERR_INVAL, "-channelbind: not an IP address");
    }
    memcpy(cn->bind, bind, strlen(bind) + 1);

    struct ch_hub_config hc;
    memset(&hc, 0, sizeof hc);
    char dir[FS_PATH_MAX];
    unsigned misbehave = 0;
    int rc = parse_misbehave(a, regtest, &misbehave);
    if (rc == 0)
        rc = fs_join(dir, sizeof dir, netdir, "channels");
    if (rc == 0)
        rc = node_load_nodekey(a, netdir, regtest, hc.key);
    uint8_t sr[20];
    if (rc == 0) {
        rc = read_contract(chain, p->tokens_network.b, sr, &hc.chain_id);
        if (rc)
            rc = err_wrap(rc, "channel hub: reading TokensNetwork");
    }
    if (rc) {
        OPENSSL_cleanse(&hc, sizeof hc);
        free(cn);
        return rc;
    }
    hc.dir = dir;
    hc.bind = cn->bind;
    hc.port = (uint16_t)args_get_int(a, "channelport", regtest ? 0 : CHANNEL_PORT_DEFAULT);
    hc.resend_ms = (unsigned)args_get_int(a, "channelresend", 1000);
    hc.block = chainsvc_head_number(chain, NULL);
    rc = ch_hub_start(&hc, &cn->hub);
    if (rc == ERR_IO)
        rc = err_wrap(rc, "channel hub on %s:%u", cn->bind, (unsigned)hc.port);
    struct ch_chainclient_config cc;
    memset(&cc, 0, sizeof cc);
    cc.chain = chain;
    cc.hub = cn->hub;
    memcpy(cc.key, hc.key, 32);
    memcpy(cc.tokens_network, p->tokens_network.b, 20);
    memcpy(cc.secret_registry, sr, 20);
    cc.confirmations = (uint64_t)args_get_int(a, "channelconfirmations",
                                              regtest ? 0 : CHANNEL_CONFIRMATIONS_DEFAULT);
    if (rc == 0)
        rc = ch_chainclient_start(&cc, &cn->cc);
    if (rc == 0 && misbehave)
        rc = ch_hub_chain_misbehave(ch_chainclient_hub_chain(cn->cc), misbehave);
    if (rc == 0)
        rc = start_lan(a, regtest, cn, hc.key);
    OPENSSL_cleanse(&hc, sizeof hc);
    OPENSSL_cleanse(&cc, sizeof cc);
    if (rc) {
        free_node(cn);
        return rc;
    }
    uint8_t addr[20];
    ch_hub_address(cn->hub, addr);
    char hex[41];
    hex_encode(hex, addr, 20);
    log_info("Channel hub: address 0x%s, UDP %s:%u, store %s", hex, cn->bind,
             (unsigned)ch_hub_port(cn->hub), dir);
    *out = cn;
    return 0;
}

void channel_node_stop(struct channel_node *cn)
{
    free_node(cn);
}

void channel_node_on_chain_event(struct channel_node *cn, struct chainsvc *chain,
                                 const struct chainsvc_event *ev)
{
    if (!cn || ev->kind != CHAINSVC_EVENT_HEAD)
        return;
    if (ev->nremoved)
        log_warn("Channel hub: a reorganisation removed %zu block(s); events already applied "
                 "from them are not undone",
                 ev->nremoved);
    ch_chainclient_on_head(cn->cc, chainsvc_head_number(chain, NULL));
}

struct ch_hub *channel_node_hub(const struct channel_node *cn)
{
    return cn ? cn->hub : NULL;
}

struct ch_chainclient *channel_node_client(const struct channel_node *cn)
{
    return cn ? cn->cc : NULL;
}

const char *channel_node_bind(const struct channel_node *cn)
{
    return cn ? cn->bind : NULL;
}
