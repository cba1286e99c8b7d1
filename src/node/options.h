/*
 * options.h — the options shared by spectrumd and spectrum-cli, and the
 * start-up steps both programs run in the same order, bitcoind style:
 *
 *   command line → data directory → config file (<datadir>/spectrum.conf or
 *   -conf) → network (-regtest/-testnet/-devnet) → the network's config
 *   section → the network's data directory.
 *
 * Each table is registered by the program that uses it; modules that arrive
 * later (rpc, p2p, wallet) keep their own tables next to their code and the
 * program registers those too. A program registers the other program's table
 * with args_register_foreign() so that one spectrum.conf serves both.
 */
#ifndef SPECTRUM_NODE_OPTIONS_H
#define SPECTRUM_NODE_OPTIONS_H

#include <stdbool.h>

#include "util/fs.h"

struct args;
struct network_info;

/* -help, -h, -?, -version, -datadir, -conf, -regtest, -testnet, -devnet. */
int node_register_common(struct args *a);

/* spectrumd's own: -daemon, -pid, -printtoconsole, -debug, -debugexclude,
 * -logtimestamps, the chain's table (node/chainsetup.h: -automine,
 * -blocktime, -mine, -nodekey, -regtestforks) and the RPC server's table
 * (rpc/options.h). `foreign` as in args_register_foreign. */
int node_register_daemon(struct args *a, bool foreign);

/* spectrum-cli's own: -rpcconnect, -rpcport, -rpcuser, -rpcpassword,
 * -rpccookiefile, -rpcwait, -rpcwaittimeout, -rpcclienttimeout, -named, -stdin. */
int node_register_client(struct args *a, bool foreign);

/* True when -help, -h or -? was given. */
bool node_wants_help(const struct args *a);

/* Where a program's files are, once the config is loaded. */
struct node_paths {
    const struct network_info *net;
    char datadir[FS_PATH_MAX];  /* base data directory (holds spectrum.conf) */
    char netdir[FS_PATH_MAX];   /* the network's directory (= datadir on mainnet) */
};

/* Runs the start-up steps above after the command line was parsed: finds the
 * data directory (a -datadir must exist; the default ~/.spectrum is created
 * with mode 0700 when `create`), reads the config file (missing is fine
 * unless -conf was given; -noconf skips it), picks the network, selects its
 * config section and computes (creating when `create`) the network
 * directory. Returns 0 or an error with a message for the user. Thread: main. */
int node_load_config(struct args *a, bool create, struct node_paths *out);

/* Applies -printtoconsole, -logtimestamps, -debug and -debugexclude to the
 * log. -debug values may be comma lists; "1"/"all" means every category,
 * "0"/"none" none. Returns 0 or ERR_INVAL naming an unknown category. */
int node_setup_logging(const struct args *a);

#endif
