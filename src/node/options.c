/*
 * options.c — option tables and the shared start-up steps; see options.h.
 *
 * The tables are plain static data so -help can list them and the config
 * parser can validate against them before anything starts.
 */
#include "node/options.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "node/chainsetup.h"
#include "node/keys.h"
/* issue 7: channel */
#include "node/channel_node.h"
/* end issue 7: channel */
#include "net/netopts.h"
#include "node/network.h"
#include "rpc/options.h"
#include "util/args.h"
#include "util/err.h"
#include "util/log.h"

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

static const struct arg_def common_args[] = {
    {.name = "help", .type = ARG_BOOL, .category = ARGCAT_GENERAL, .flags = ARG_CMDLINE_ONLY,
     .help = "Print this help message and exit (also -h and -?)."},
    {.name = "h", .type = ARG_BOOL, .category = ARGCAT_HIDDEN, .flags = ARG_CMDLINE_ONLY,
     .help = "Same as -help."},
    {.name = "?", .type = ARG_BOOL, .category = ARGCAT_HIDDEN, .flags = ARG_CMDLINE_ONLY,
     .help = "Same as -help."},
    {.name = "version", .type = ARG_BOOL, .category = ARGCAT_GENERAL, .flags = ARG_CMDLINE_ONLY,
     .help = "Print the version and exit."},
    {.name = "datadir", .type = ARG_STRING, .category = ARGCAT_GENERAL, .value_name = "<dir>",
     .def = "~/.spectrum",
     .help = "Data directory. A directory given here must already exist; spectrumd creates the "
             "default one (mode 0700). Test networks use a subdirectory of it: regtest/, "
             "testnet/, devnet/."},
    {.name = "conf", .type = ARG_STRING, .category = ARGCAT_GENERAL,
     .flags = ARG_CMDLINE_ONLY | ARG_NEGATABLE, .value_name = "<file>", .def = "spectrum.conf",
     .help = "Read options from <file>; a relative path is inside the data directory. "
             "-noconf reads no config file."},
    {.name = "regtest", .type = ARG_BOOL, .category = ARGCAT_CHAIN, .flags = ARG_NO_SECTION,
     .help = "Use a private regression-test chain, data in <datadir>/regtest."},
    {.name = "testnet", .type = ARG_BOOL, .category = ARGCAT_CHAIN, .flags = ARG_NO_SECTION,
     .help = "Use the Spectrum test network (chain id 2022), data in <datadir>/testnet."},
    {.name = "devnet", .type = ARG_BOOL, .category = ARGCAT_CHAIN, .flags = ARG_NO_SECTION,
     .help = "Use the Spectrum development network (chain id 4), data in <datadir>/devnet."},
};

/* Keep the category list below in step with log.c's table. */
static const struct arg_def daemon_args[] = {
    {.name = "daemon", .type = ARG_BOOL, .category = ARGCAT_GENERAL, .def = "0",
     .help = "Run in the background. The command returns once the node has started "
             "(exit code 0) or failed to start (the error, exit code 1)."},
    {.name = "pid", .type = ARG_STRING, .category = ARGCAT_GENERAL, .flags = ARG_NEGATABLE,
     .value_name = "<file>", .def = "spectrumd.pid",
     .help = "Write the process id to <file>; a relative path is inside the network's data "
             "directory. -nopid writes none."},
    {.name = "printtoconsole", .type = ARG_BOOL, .category = ARGCAT_DEBUG, .def = "0",
     .help = "Send log lines to the console (standard output) as well as to debug.log."},
    {.name = "logtimestamps", .type = ARG_BOOL, .category = ARGCAT_DEBUG, .def = "1",
     .help = "Start every log line with its UTC time (ISO 8601)."},
    {.name = "debug", .type = ARG_LIST, .category = ARGCAT_DEBUG, .value_name = "<category>",
     .implicit = "1",
     .help = "Log debugging lines of <category>: net, p2p, rpc, evm, state, trie, chain, tribe, "
             "txpool, miner, db, channel, wallet, sync; 1 or all for every category (also -debug "
             "alone), 0 or none for none. Repeatable, and a value may be a comma-separated list."},
    {.name = "debugexclude", .type = ARG_LIST, .category = ARGCAT_DEBUG,
     .value_name = "<category>",
     .help = "Leave out debugging lines of <category> (same names as -debug), even when -debug "
             "enabled them. Repeatable, comma-separated lists accepted."},
};

static const struct arg_def client_args[] = {
    {.name = "rpcconnect", .type = ARG_STRING, .category = ARGCAT_RPC_CLIENT, .value_name = "<ip>",
     .def = "127.0.0.1", .help = "Send commands to the node at <ip> (IPv4, IPv6 or host name)."},
    {.name = "rpcport", .type = ARG_INT, .category = ARGCAT_RPC_CLIENT, .value_name = "<port>",
     .def = "18545 on every network", .min = 1, .max = 65535,
     .help = "Connect to the JSON-RPC server on <port>."},
    {.name = "rpcuser", .type = ARG_STRING, .category = ARGCAT_RPC_CLIENT, .value_name = "<user>",
     .help = "User name for the JSON-RPC server. Without -rpcpassword, the file .cookie "
             "(user:password) in the network's data directory is used when present."},
    {.name = "rpcpassword", .type = ARG_STRING, .category = ARGCAT_RPC_CLIENT,
     .value_name = "<pw>", .help = "Password for the JSON-RPC server."},
    {.name = "rpccookiefile", .type = ARG_STRING, .category = ARGCAT_RPC_CLIENT,
     .value_name = "<file>", .def = ".cookie",
     .help = "The node's cookie file (used when no -rpcpassword is given); a relative path "
             "is inside the network's data directory."},
    {.name = "rpcwait", .type = ARG_BOOL, .category = ARGCAT_RPC_CLIENT, .def = "0",
     .help = "Wait for the JSON-RPC server to accept connections, retrying every second."},
    {.name = "rpcwaittimeout", .type = ARG_INT, .category = ARGCAT_RPC_CLIENT, .value_name = "<n>",
     .def = "0", .min = 0, .max = INT_MAX,
     .help = "Give up -rpcwait after <n> seconds; 0 waits forever."},
    {.name = "rpcclienttimeout", .type = ARG_INT, .category = ARGCAT_RPC_CLIENT,
     .value_name = "<n>", .def = "900", .min = 0, .max = INT_MAX,
     .help = "Time out a request after <n> seconds; 0 never times out."},
    {.name = "getinfo", .type = ARG_BOOL, .category = ARGCAT_RPC_CLIENT,
     .flags = ARG_CMDLINE_ONLY,
     .help = "Instead of calling a method, print a summary of the node: chain, head block "
             "and its age, peers, sync progress, the node's address and balance, and (with "
             "credentials) the wallet's accounts and their balances, in SMT."},
    {.name = "named", .type = ARG_BOOL, .category = ARGCAT_RPC_CLIENT, .def = "0",
     .help = "Pass named parameters (name=value) instead of positional ones."},
    {.name = "stdin", .type = ARG_BOOL, .category = ARGCAT_RPC_CLIENT, .def = "0",
     .help = "Read more parameters from standard input, one per line until end of file."},
};

int node_register_common(struct args *a)
{
    return args_register(a, common_args, COUNT(common_args));
}

int node_register_daemon(struct args *a, bool foreign)
{
    int rc = foreign ? args_register_foreign(a, daemon_args, COUNT(daemon_args))
                     : args_register(a, daemon_args, COUNT(daemon_args));
    if (rc == 0)
        rc = node_register_chain(a, foreign);
    if (rc == 0)
        rc = node_register_wallet(a, foreign); /* -relayer (node/keys.h) */
    if (rc == 0)
        rc = netopts_register(a, foreign); /* -port, -maxpeers, ... (net/netopts.h) */
    /* issue 7: channel */
    if (rc == 0)
        rc = channel_node_register_args(a, foreign); /* -channel... (node/channel_node.h) */
    /* end issue 7: channel */
    return rc ? rc : rpc_register_args(a, foreign);
}

int node_register_client(struct args *a, bool foreign)
{
    return foreign ? args_register_foreign(a, client_args, COUNT(client_args))
                   : args_register(a, client_args, COUNT(client_args));
}

bool node_wants_help(const struct args *a)
{
    return args_get_bool(a, "help", false) || args_get_bool(a, "h", false) ||
           args_get_bool(a, "?", false);
}

/* Checks a user-given data directory and makes it absolute into out. */
static int use_datadir(const char *dir, char *out, size_t cap)
{
    if (!*dir)
        return err_set(ERR_INVAL, "-datadir is empty");
    if (!fs_is_dir(dir))
        return err_set(ERR_NOTFOUND, "Specified data directory \"%s\" does not exist.", dir);
    char *abs = realpath(dir, NULL);
    if (!abs)
        return err_set(ERR_IO, "cannot resolve data directory \"%s\"", dir);
    int rc = fs_join(out, cap, abs, "");
    free(abs);
    return rc;
}

int node_load_config(struct args *a, bool create, struct node_paths *out)
{
    char path[FS_PATH_MAX];
    int rc;

    /* 1. The base directory from the command line, or the default. */
    const char *dd = args_get_str(a, "datadir", NULL);
    if (dd) {
        rc = use_datadir(dd, out->datadir, sizeof out->datadir);
    } else {
        rc = fs_default_datadir(out->datadir, sizeof out->datadir);
        if (!rc && create)
            rc = fs_mkdir_p(out->datadir, 0700);
    }
    if (rc)
        return rc;

    /* 2. The config file in it (or -conf). */
    if (!args_is_negated(a, "conf")) {
        const char *conf = args_get_str(a, "conf", "spectrum.conf");
        rc = fs_join(path, sizeof path, out->datadir, conf);
        if (!rc)
            rc = args_read_config_file(a, path, args_on_cmdline(a, "conf"));
        if (rc)
            return rc;
    }

    /* 3. The network, then its section of the config. */
    rc = network_from_args(a, &out->net);
    if (rc)
        return rc;
    rc = args_select_section(a, out->net->section);
    if (rc)
        return rc;

    /* 4. The config may have named another base directory. */
    const char *dd2 = args_get_str(a, "datadir", NULL);
    if (dd2 && (!dd || strcmp(dd, dd2))) {
        rc = use_datadir(dd2, out->datadir, sizeof out->datadir);
        if (rc)
            return rc;
    }

    /* 5. The network's directory. */
    rc = fs_join(out->netdir, sizeof out->netdir, out->datadir, out->net->subdir);
    if (!rc && create)
        rc = fs_mkdir_p(out->netdir, 0700);
    return rc;
}

/* Calls fn on every comma-separated word of every value of list `name`. */
static int each_word(const struct args *a, const char *name, int (*fn)(const char *w))
{
    const char *vals[ARGS_VALUES_MAX];
    size_t n = args_get_list(a, name, vals, ARGS_VALUES_MAX);
    if (n > ARGS_VALUES_MAX)
        n = ARGS_VALUES_MAX;
    for (size_t i = 0; i < n; i++) {
        const char *p = vals[i];
        for (;;) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            char word[32];
            if (len >= sizeof word)
                return err_set(ERR_INVAL, "unknown logging category '%.32s...' in -%s", p, name);
            memcpy(word, p, len);
            word[len] = 0;
            int rc = fn(word);
            if (rc)
                return err_wrap(rc, "-%s", name);
            if (!comma)
                break;
            p = comma + 1;
        }
    }
    return 0;
}

static int is_none(const char *w)
{
    return !strcmp(w, "0") || !strcmp(w, "none");
}

static int check_enable(const char *w)
{
    return is_none(w) ? 0 : log_enable_category(w);
}

static int check_disable(const char *w)
{
    return log_disable_category(w);
}

static int find_none(const char *w)
{
    return is_none(w) ? 1 : 0;
}

int node_setup_logging(const struct args *a)
{
    log_set_timestamps(args_get_bool(a, "logtimestamps", true));
    log_set_console(args_get_bool(a, "printtoconsole", false));
    log_disable_all();
    int rc = each_word(a, "debug", check_enable);
    if (rc)
        return rc;
    rc = each_word(a, "debugexclude", check_disable);
    if (rc)
        return rc;
    /* "-debug=0" / "none" anywhere turns debugging off (after validating). */
    if (each_word(a, "debug", find_none) == 1)
        log_disable_all();
    return 0;
}
