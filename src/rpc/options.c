/*
 * options.c — the RPC option table and its validation; see options.h.
 */
#include "rpc/options.h"

#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/args.h"
#include "util/err.h"
#include "util/log.h"

static const struct arg_def rpc_args[] = {
    {.name = "rpc", .type = ARG_BOOL, .category = ARGCAT_RPC, .def = "1",
     .help = "Accept JSON-RPC requests over HTTP (-norpc: no HTTP server)."},
    {.name = "rpcbind", .type = ARG_LIST, .category = ARGCAT_RPC, .value_name = "<addr>[:port]",
     .help = "Listen for JSON-RPC over HTTP on this numeric address (IPv6 in brackets when "
             "a port is given). Repeatable. Default: 127.0.0.1 and ::1. Clients still need "
             "-rpcallowip to be let in."},
    {.name = "rpcport", .type = ARG_INT, .category = ARGCAT_RPC, .value_name = "<port>",
     .def = "18545 on every network", .min = 1, .max = 65535,
     .help = "Listen for JSON-RPC over HTTP on <port>."},
    {.name = "rpcallowip", .type = ARG_LIST, .category = ARGCAT_RPC, .value_name = "<ip>",
     .help = "Allow JSON-RPC clients (HTTP and WebSocket) from this address (1.2.3.4, ::1), "
             "subnet (1.2.3.0/24, 1.2.3.0/255.255.255.0, fd00::/8) or everyone (0.0.0.0/0, "
             "::/0). Repeatable. Default: localhost (127.0.0.0/8 and ::1). A list given here "
             "replaces the default, so add 127.0.0.1 and ::1 to keep local access. Others get "
             "HTTP 403."},
    {.name = "rpcuser", .type = ARG_STRING, .category = ARGCAT_RPC, .value_name = "<user>",
     .help = "User name for JSON-RPC (with -rpcpassword). Without a password the cookie "
             "file is used."},
    {.name = "rpcpassword", .type = ARG_STRING, .category = ARGCAT_RPC, .value_name = "<pw>",
     .help = "Password for JSON-RPC (with -rpcuser). When set, no cookie file is written."},
    {.name = "rpcauth", .type = ARG_LIST, .category = ARGCAT_RPC,
     .value_name = "<user>:<salt>$<hash>",
     .help = "Accept user <user> whose password's HMAC-SHA256 keyed with <salt> is <hash> "
             "(hex), as made by bitcoind's share/rpcauth/rpcauth.py. Repeatable."},
    {.name = "rpccookiefile", .type = ARG_STRING, .category = ARGCAT_RPC, .value_name = "<file>",
     .def = ".cookie",
     .help = "Where to write the cookie (user __cookie__, a random password; mode 0600, "
             "removed at shutdown); a relative path is inside the network's data directory."},
    {.name = "rpcthreads", .type = ARG_INT, .category = ARGCAT_RPC, .value_name = "<n>",
     .def = "4", .min = 1, .max = 64,
     .help = "Threads that run RPC handlers (the event loop itself only moves bytes). "
             "Submissions (eth_sendRawTransaction, eth_sendTransaction, generate, ...) "
             "wait for the chain on 32 threads of their own."},
    {.name = "rpcapi", .type = ARG_LIST, .category = ARGCAT_RPC, .value_name = "<namespace>",
     .help = "Offer only these namespaces over HTTP and WebSocket (eth, net, web3, ...; "
             "comma-separated, repeatable). Default: all. The control methods (help, stop, "
             "uptime, rpc_modules) are always offered."},
    {.name = "rpccorsdomain", .type = ARG_LIST, .category = ARGCAT_RPC, .value_name = "<origin>",
     .help = "Let web pages from this origin (https://app.example:8080, or * for any) call "
             "the server: adds the CORS headers and answers preflight requests. "
             "Comma-separated, repeatable. Default: none."},
    {.name = "rpcmaxrequestsize", .type = ARG_INT, .category = ARGCAT_RPC, .value_name = "<bytes>",
     .def = "5242880 (5 MiB)", .min = 1024, .max = 1LL << 30,
     .help = "Largest request body (HTTP: larger gets 413) or WebSocket message (larger "
             "closes the connection with 1009)."},
    {.name = "rpcmaxbatch", .type = ARG_INT, .category = ARGCAT_RPC, .value_name = "<n>",
     .def = "1000", .min = 1, .max = 100000,
     .help = "Most calls in one batch; a larger batch gets the error -32600 \"batch too "
             "large\"."},
    {.name = "rpctimeout", .type = ARG_INT, .category = ARGCAT_RPC, .value_name = "<seconds>",
     .def = "30", .min = 1, .max = 86400,
     .help = "Answer a request that takes longer with -32000 \"request timed out\" (its "
             "handler finishes in the background and its result is dropped)."},
    {.name = "rpcmaxconnections", .type = ARG_INT, .category = ARGCAT_RPC, .value_name = "<n>",
     .def = "2048", .min = 1, .max = 65536,
     .help = "Most open client connections per server (HTTP and WebSocket each); further "
             "clients wait in the listen queue until one closes."},
    {.name = "rpcpoll", .type = ARG_INT, .category = ARGCAT_RPC, .value_name = "<us>",
     .def = "50 when the node may use two or more CPUs, else 0", .min = 0, .max = 10000,
     .help = "After the event loop answers a request itself (eth_blockNumber, "
             "eth_getBalance, ...), poll the sockets for <us> microseconds before sleeping, "
             "so that a client's next request is read without waking the thread (a large "
             "gain for one client sending requests one after another). Polling pauses for "
             "100 ms after 32 windows in a row that caught nothing. 0: never poll."},
    {.name = "ws", .type = ARG_BOOL, .category = ARGCAT_RPC, .def = "1",
     .help = "Accept JSON-RPC over WebSocket, with eth_subscribe (-nows: none)."},
    {.name = "wsport", .type = ARG_INT, .category = ARGCAT_RPC, .value_name = "<port>",
     .def = "18546 on every network", .min = 1, .max = 65535,
     .help = "Listen for WebSocket connections on <port>."},
    {.name = "wsbind", .type = ARG_LIST, .category = ARGCAT_RPC, .value_name = "<addr>[:port]",
     .help = "Listen for WebSocket connections on this numeric address. Repeatable. Default: "
             "127.0.0.1 and ::1. -rpcallowip applies."},
};

int rpc_register_args(struct args *a, bool foreign)
{
    size_t n = sizeof rpc_args / sizeof rpc_args[0];
    return foreign ? args_register_foreign(a, rpc_args, n) : args_register(a, rpc_args, n);
}

/* Appends every comma-separated word of list option `name` to out[][cap]. */
static int words(const struct args *a, const char *name, char *out, size_t width, size_t max,
                 size_t *n)
{
    const char *vals[ARGS_VALUES_MAX];
    size_t nv = args_get_list(a, name, vals, ARGS_VALUES_MAX);
    if (nv > ARGS_VALUES_MAX)
        return err_set(ERR_RANGE, "-%s: too many values", name);
    *n = 0;
    for (size_t i = 0; i < nv; i++) {
        const char *p = vals[i];
        for (;;) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            while (len && *p == ' ') {
                p++;
                len--;
            }
            while (len && p[len - 1] == ' ')
                len--;
            if (len) {
                if (len >= width)
                    return err_set(ERR_INVAL, "-%s: value '%.32s...' is too long", name, p);
                if (*n == max)
                    return err_set(ERR_RANGE, "-%s: more than %zu values", name, max);
                memcpy(out + *n * width, p, len);
                out[*n * width + len] = 0;
                (*n)++;
            }
            if (!comma)
                break;
            p = comma + 1;
        }
    }
    return 0;
}

static int endpoints(const struct args *a, const char *name, uint16_t port,
                     struct rpc_endpoint *out, size_t *n, bool *defaulted)
{
    const char *vals[RPC_ENDPOINTS_MAX + 1];
    size_t nv = args_get_list(a, name, vals, RPC_ENDPOINTS_MAX + 1);
    if (nv > RPC_ENDPOINTS_MAX)
        return err_set(ERR_RANGE, "-%s: more than %d addresses", name, RPC_ENDPOINTS_MAX);
    *n = 0;
    if (nv == 0) {
        *defaulted = true;
        vals[0] = "127.0.0.1";
        vals[1] = "::1";
        nv = 2;
    }
    for (size_t i = 0; i < nv; i++) {
        int rc = rpc_endpoint_parse(vals[i], port, &out[i]);
        if (rc)
            return err_wrap(rc, "-%s", name);
    }
    *n = nv;
    return 0;
}

unsigned rpc_default_poll_us(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 0;
    return CPU_COUNT(&set) >= 2 ? RPC_DEFAULT_POLL_US : 0;
}

int rpc_config_from_args(const struct args *a, const char *netdir, uint16_t rpc_port,
                         uint16_t ws_port, struct rpc_config *c)
{
    int rc;
    memset(c, 0, sizeof *c);
    c->http = args_get_bool(a, "rpc", true);
    c->ws = args_get_bool(a, "ws", true);
    c->threads = (unsigned)args_get_int(a, "rpcthreads", RPC_DEFAULT_THREADS);
    c->max_request = (size_t)args_get_int(a, "rpcmaxrequestsize", RPC_DEFAULT_MAX_REQUEST);
    c->max_batch = (size_t)args_get_int(a, "rpcmaxbatch", RPC_DEFAULT_MAX_BATCH);
    c->timeout = (unsigned)args_get_int(a, "rpctimeout", RPC_DEFAULT_TIMEOUT);
    c->max_connections =
        (unsigned)args_get_int(a, "rpcmaxconnections", RPC_DEFAULT_MAX_CONNECTIONS);
    c->poll_us = (unsigned)args_get_int(a, "rpcpoll", rpc_default_poll_us());
    /* A negated int reads as 0: treat -norpcthreads and friends as errors. */
    if (!c->threads || !c->max_request || !c->max_batch || !c->timeout || !c->max_connections)
        return err_set(ERR_INVAL, "-rpcthreads, -rpcmaxrequestsize, -rpcmaxbatch, -rpctimeout "
                                  "and -rpcmaxconnections need a value");

    uint16_t hp = (uint16_t)args_get_int(a, "rpcport", rpc_port);
    uint16_t wp = (uint16_t)args_get_int(a, "wsport", ws_port);
    bool d1 = false, d2 = false;
    if ((rc = endpoints(a, "rpcbind", hp ? hp : rpc_port, c->http_bind, &c->nhttp_bind, &d1)) ||
        (rc = endpoints(a, "wsbind", wp ? wp : ws_port, c->ws_bind, &c->nws_bind, &d2)))
        return rc;
    c->default_bind = d1 || d2;

    /* Localhost by default; a given list replaces it. */
    const char *vals[ARGS_VALUES_MAX];
    size_t nv = args_get_list(a, "rpcallowip", vals, ARGS_VALUES_MAX);
    if (nv == 0)
        rpc_acl_init_localhost(&c->acl);
    for (size_t i = 0; i < nv && i < ARGS_VALUES_MAX; i++)
        if ((rc = rpc_acl_add(&c->acl, vals[i])))
            return rc;

    const char *user = args_get_str(a, "rpcuser", NULL);
    const char *pass = args_get_str(a, "rpcpassword", NULL);
    if (pass && *pass) {
        if (!user || !*user)
            return err_set(ERR_INVAL, "-rpcpassword needs -rpcuser");
        if ((rc = rpc_auth_set_password(&c->auth, user, pass)))
            return rc;
    } else {
        c->cookie = true;
    }
    nv = args_get_list(a, "rpcauth", vals, ARGS_VALUES_MAX);
    if (nv > RPC_AUTH_ENTRIES_MAX)
        return err_set(ERR_RANGE, "-rpcauth: more than %d entries", RPC_AUTH_ENTRIES_MAX);
    for (size_t i = 0; i < nv; i++)
        if ((rc = rpc_auth_parse_entry(vals[i], &c->auth.entries[c->auth.nentries++])))
            return rc;
    const char *cookie = args_get_str(a, "rpccookiefile", ".cookie");
    if (!cookie || !*cookie)
        return err_set(ERR_INVAL, "-rpccookiefile is empty");
    if ((rc = fs_join(c->cookie_path, sizeof c->cookie_path, netdir, cookie)))
        return err_wrap(rc, "-rpccookiefile");

    if ((rc = words(a, "rpcapi", &c->apis[0][0], RPC_API_NAME_MAX, RPC_API_MAX, &c->napis)))
        return rc;
    c->all_apis = !args_is_set(a, "rpcapi");
    if ((rc = words(a, "rpccorsdomain", &c->cors[0][0], RPC_ORIGIN_MAX, RPC_CORS_MAX, &c->ncors)))
        return rc;
    return 0;
}

bool rpc_cors_allows(const struct rpc_config *c, const char *origin)
{
    if (!origin)
        return false;
    for (size_t i = 0; i < c->ncors; i++)
        if (!strcmp(c->cors[i], "*") || !strcasecmp(c->cors[i], origin))
            return true;
    return false;
}
