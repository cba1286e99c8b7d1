/*
 * netopts.c — see netopts.h.
 */
#include "net/netopts.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "util/args.h"
#include "util/err.h"

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

static const struct arg_def net_args[] = {
    {.name = "port", .type = ARG_INT, .category = ARGCAT_CONNECTION, .value_name = "<port>",
     .def = "60303 on every network", .min = 1, .max = 65535,
     .help = "Listen for p2p (devp2p RLPx) connections on <port>."},
    {.name = "listen", .type = ARG_BOOL, .category = ARGCAT_CONNECTION, .def = "1",
     .help = "Accept p2p connections from outside. -listen=0 only dials out."},
    {.name = "bind", .type = ARG_STRING, .category = ARGCAT_CONNECTION, .value_name = "<ip>",
     .def = "0.0.0.0",
     .help = "Listen for p2p connections on this numeric address (IPv4 or IPv6)."},
    {.name = "maxpeers", .type = ARG_INT, .category = ARGCAT_CONNECTION, .value_name = "<n>",
     .def = "25", .min = 0, .max = 1000,
     .help = "Keep at most <n> peers; at most two thirds of them inbound. 0 turns p2p off."},
    {.name = "connect", .type = ARG_LIST, .category = ARGCAT_CONNECTION, .value_name = "<enode>",
     .help = "Connect only to this node (an enode:// URL with an IP address), reconnecting "
             "with backoff when the connection drops; implies -nodiscover. Repeatable."},
    {.name = "addnode", .type = ARG_LIST, .category = ARGCAT_CONNECTION, .value_name = "<enode>",
     .help = "Also keep a connection to this node (an enode:// URL with an IP address), "
             "reconnecting with backoff. Repeatable."},
    {.name = "nodiscover", .type = ARG_BOOL, .category = ARGCAT_CONNECTION, .def = "0",
     .help = "Do not look for peers through discovery; dial only -connect and -addnode "
             "peers."},
    {.name = "bootnodes", .type = ARG_LIST, .category = ARGCAT_CONNECTION,
     .value_name = "<enode>",
     .help = "Comma-separated enode URLs that discovery starts from, instead of the "
             "network's built-in list. Repeatable."},
    {.name = "bantime", .type = ARG_INT, .category = ARGCAT_CONNECTION, .value_name = "<s>",
     .def = "600", .min = 1, .max = 31536000,
     .help = "Refuse connections from the address of a misbehaving peer (garbage, oversized "
             "messages, invalid blocks) for <s> seconds."},
};

int netopts_register(struct args *a, bool foreign)
{
    return foreign ? args_register_foreign(a, net_args, COUNT(net_args))
                   : args_register(a, net_args, COUNT(net_args));
}

/* Parses every URL of list `name` (each value may be comma-separated) into
 * nodes[*n..]; dial: the URL must carry an address to dial. */
static int parse_list(const struct args *a, const char *name, bool dial, struct enode *nodes,
                      size_t cap, size_t *n)
{
    const char *vals[ARGS_VALUES_MAX];
    size_t nv = args_get_list(a, name, vals, ARGS_VALUES_MAX);
    if (nv > ARGS_VALUES_MAX)
        nv = ARGS_VALUES_MAX;
    for (size_t i = 0; i < nv; i++) {
        const char *p = vals[i];
        for (;;) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            if (len > 0) {
                if (*n == cap)
                    return err_set(ERR_INVAL, "-%s: more than %zu URLs", name, cap);
                int rc = enode_parse(p, len, &nodes[*n]);
                if (rc)
                    return err_wrap(ERR_INVAL, "-%s: enode \"%.*s\"", name,
                                    (int)(len > 200 ? 200 : len), p);
                if (dial && (nodes[*n].ep.ip_len == 0 || nodes[*n].ep.tcp_port == 0))
                    return err_set(ERR_INVAL, "-%s: enode \"%.*s\": no address to dial", name,
                                   (int)(len > 200 ? 200 : len), p);
                (*n)++;
            }
            if (!comma)
                break;
            p = comma + 1;
        }
    }
    return 0;
}

int netopts_from_args(const struct args *a, const struct chain_params *p, struct netopts *out)
{
    memset(out, 0, sizeof *out);
    struct p2p_config *c = &out->cfg;
    long long maxpeers = args_get_int(a, "maxpeers", P2P_DEFAULT_MAX_PEERS);
    out->enabled = maxpeers > 0;
    c->max_peers = (size_t)(maxpeers > 0 ? maxpeers : 0);
    c->port = (uint16_t)args_get_int(a, "port", p->p2p_port);
    c->listen = args_get_bool(a, "listen", true);
    const char *bind = args_get_str(a, "bind", "0.0.0.0");
    unsigned char buf[16];
    if (!bind || strlen(bind) >= sizeof c->bind ||
        (inet_pton(AF_INET, bind, buf) != 1 && inet_pton(AF_INET6, bind, buf) != 1))
        return err_set(ERR_INVAL, "-bind: \"%.64s\" is not an IP address", bind ? bind : "");
    strcpy(c->bind, bind);
    c->ban_seconds = args_get_int(a, "bantime", 600);

    out->nodes = calloc(3 * P2P_MAX_STATIC, sizeof *out->nodes);
    if (!out->nodes)
        return err_set(ERR_NOMEM, "out of memory");
    size_t n = 0;
    int rc = parse_list(a, "connect", true, out->nodes, P2P_MAX_STATIC, &n);
    c->connect = out->nodes;
    c->nconnect = n;
    size_t m = 0;
    if (rc == 0)
        rc = parse_list(a, "addnode", true, out->nodes + P2P_MAX_STATIC,
                        P2P_MAX_STATIC - n, &m);
    c->addnode = out->nodes + P2P_MAX_STATIC;
    c->naddnode = m;
    size_t b = 0;
    if (rc == 0)
        rc = parse_list(a, "bootnodes", false, out->nodes + 2 * P2P_MAX_STATIC, P2P_MAX_STATIC,
                        &b);
    c->bootnodes = out->nodes + 2 * P2P_MAX_STATIC;
    c->nbootnodes = b;
    c->discovery = !args_get_bool(a, "nodiscover", false) && c->nconnect == 0;
    return rc;
}

void netopts_free(struct netopts *o)
{
    free(o->nodes);
    memset(o, 0, sizeof *o);
}
