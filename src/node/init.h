/*
 * init.h — the node's life cycle: start (lock the data directory, open the
 * log and the database, write the pid file), run the event loop until
 * SIGTERM/SIGINT, stop (undo everything in reverse order).
 *
 * Modules hook their start and stop in here, in the order of the dependency
 * arrows, so that shutdown always closes the database last and leaves the
 * last committed head intact. The RPC server starts last (once everything it
 * serves is up) and stops first (no handler runs against a closing module).
 */
#ifndef SPECTRUM_NODE_INIT_H
#define SPECTRUM_NODE_INIT_H

#include <stdbool.h>

#include "chain/params.h"
#include "node/options.h"
#include "util/fs.h"

struct args;
struct chainsvc;
struct db;
struct event_base;
struct event;
struct p2p;
struct rpc_server;
struct channel_node; /* issue 7: channel */
struct mb_service; /* issue 8: meshbox */
struct wallet;

struct node {
    struct node_paths paths;
    struct fs_lock *lock;
    struct db *db;
    struct chain_params params; /* the network's, with -regtestforks applied */
    struct wallet *wallet;
    struct chainsvc *chain;     /* the chain thread (chainsvc/chainsvc.h) */
    char pidfile[FS_PATH_MAX];  /* "" when no pid file was written */
    struct event_base *base;
    struct event *signals[3];   /* SIGTERM, SIGINT, SIGHUP */
    struct rpc_server *rpc;     /* NULL with -norpc -nows */
    struct p2p *p2p;            /* the p2p service (net/p2p.h); NULL with -maxpeers=0 */
    /* issue 7: channel */
    struct channel_node *channel; /* the channel hub (node/channel_node.h); NULL when off */
    /* end issue 7: channel */
    /* issue 8: meshbox */
    struct mb_service *meshbox; /* receipts and reports (meshbox/service.h); NULL when off */
    /* end issue 8: meshbox */
    bool log_open;
};

/* Brings the node up on the data directory in n->paths (filled by
 * node_load_config; the rest of *n must be zeroed): checks the chain options
 * (-regtestforks, -blocktime, ...), takes the lock, opens
 * <netdir>/debug.log, opens <netdir>/chaindata, writes the pid file (-pid),
 * opens the wallet (<netdir>/keystore; regtest: the dev accounts, unlocked)
 * and the node key, starts the chain service on the database (the genesis
 * from share/genesis/ on first start; chainsvc/chainsvc.h), sets up the
 * event loop and its signal handlers, starts the p2p service (net/p2p.h;
 * not with -maxpeers=0), starts the JSON-RPC server (HTTP and
 * WebSocket, see rpc/server.h; its `stop` method shuts the node down as
 * SIGTERM does) and connects the chain's events to its subscriptions, then
 * logs "spectrumd <version> starting, network <name>, data dir <path>".
 * Returns 0, or an error with a message for the user (ERR_BADSTATE when another
 * node holds the data directory). After an error call node_stop to undo what
 * was done. Thread: main. */
int node_start(struct node *n, const struct args *a);

/* Runs the event loop until SIGTERM, SIGINT or the RPC method `stop` (SIGHUP
 * reopens debug.log).
 * Returns 0, or ERR_BADSTATE when the loop failed. Thread: main. */
int node_run(struct node *n);

/* Shuts down whatever node_start set up, in reverse order: the chain's
 * events, RPC server (handlers waiting on the chain get their answers),
 * p2p service (peers get Disconnect "client quitting"), chain service (the
 * block being imported is finished), wallet, database, pid file, lock; logs "Shutdown: done" and closes the log. Safe after a
 * failed or partial node_start. Thread: main. */
void node_stop(struct node *n);

#endif
