/*
 * init.c — see init.h.
 *
 * Signals are delivered through libevent (evsignal), so the handlers run as
 * ordinary callbacks in the loop, not in signal context: stopping is just
 * leaving the loop, and the shutdown sequence runs on the main thread with
 * no async-signal-safety concerns.
 */
#include "config.h"

#include "node/init.h"

#include <event2/event.h>
#include <event2/thread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "chain/genesis.h"
#include "chain/params.h"
#include "chainsvc/chainsvc.h"
#include "meshbox/service.h"
#include "consensus/tribe_chain_engine.h"
#include "net/netopts.h"
#include "net/p2p.h"
#include "net/p2p_key.h"
#include "node/chainsetup.h"
#include "node/channel_node.h" /* issue 7: channel */
#include "node/evloop.h"
#include "node/keys.h"
#include "node/network.h"
#include "rpc/chain_events.h"
#include "rpc/options.h"
#include "rpc/server.h"
#include "storage/db.h"
#include "util/args.h"
#include "util/err.h"
#include "util/log.h"
#include "wallet/wallet.h"

static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
    struct node *n = arg;
    log_info("Received %s, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    event_base_loopbreak(n->base);
}

/* The RPC method `stop`: the same path as SIGTERM. */
static void on_rpc_stop(void *arg)
{
    struct node *n = arg;
    log_info("RPC stop requested, shutting down");
    event_base_loopbreak(n->base);
}

/* The JSON-RPC server; relayer: the -relayer account (NULL: none). */
static int start_rpc(struct node *n, const struct args *a, const struct address *relayer)
{
    struct rpc_config *cfg = malloc(sizeof *cfg);
    if (!cfg)
        return err_set(ERR_NOMEM, "out of memory");
    const struct network_info *net = n->paths.net;
    int rc = rpc_config_from_args(a, n->paths.netdir, net->rpc_port, net->ws_port, cfg);
    if (!rc) {
        const struct chain_params *cp = chain_params_get((enum chain_network)net->id);
        struct rpc_node_info info = {
            .network_id = cp ? cp->network_id : 0,
            .regtest = net->id == NETWORK_REGTEST,
            .request_stop = on_rpc_stop,
            .stop_arg = n,
            .chain = n->chain,
            .wallet = n->wallet,
            .p2p = n->p2p,
            .has_relayer = relayer != NULL,
            /* issue 8: meshbox */
            .meshbox = n->meshbox,
            /* end issue 8: meshbox */
            /* issue 7: channel */
            .channel_hub = channel_node_hub(n->channel),
            .channel_client = channel_node_client(n->channel),
            .channel_host = channel_node_bind(n->channel),
            /* end issue 7: channel */
        };
        if (relayer)
            info.relayer = *relayer;
        rc = rpc_server_start(n->base, cfg, &info, &n->rpc);
    }
    rpc_auth_wipe(&cfg->auth);
    free(cfg);
    return rc;
}

/* The chain thread's events go to WebSocket subscribers. */
static void on_chain_event(void *arg, const struct chainsvc_event *ev)
{
    struct node *n = arg;
    rpc_publish_chain_event(n->rpc, n->db, &n->params, ev);
    p2p_on_chain_event(n->p2p, ev);
    /* issue 8: meshbox */
    if (ev->kind == CHAINSVC_EVENT_HEAD)
        mb_service_on_head(n->meshbox);
    /* end issue 8: meshbox */
    channel_node_on_chain_event(n->channel, n->chain, ev); /* issue 7: channel */
}

/* The p2p service (net/p2p.h), unless -maxpeers=0. Its identity is the node
 * key, except on regtest (net/p2p_key.h says why). */
static int start_p2p(struct node *n, const struct args *a)
{
    struct netopts o;
    int rc = netopts_from_args(a, &n->params, &o);
    if (rc == 0 && !o.enabled)
        log_info("P2P: off (-maxpeers=0)");
    if (rc == 0 && o.enabled) {
        o.cfg.chain = n->chain;
        rc = n->params.network == CHAIN_REGTEST
                 ? p2p_key_load(n->paths.netdir, o.cfg.node_key)
                 : node_load_nodekey(a, n->paths.netdir, false, o.cfg.node_key);
        if (rc == 0)
            rc = p2p_start(&o.cfg, &n->p2p);
        OPENSSL_cleanse(o.cfg.node_key, sizeof o.cfg.node_key);
    }
    netopts_free(&o);
    return rc;
}

/* The wallet, the node key, the genesis and the chain service. Out:
 * *has_relayer, and *relayer when true: the -relayer account, for the RPC
 * server. */
static int start_chain(struct node *n, const struct args *a, const struct node_mining *mining,
                       struct address *relayer, bool *has_relayer)
{
    bool regtest = n->params.network == CHAIN_REGTEST;
    int rc = node_open_wallet(n->paths.netdir, regtest, &n->wallet);
    if (rc)
        return rc;
    /* -relayer: the account relay_transferProxy sends from (rpc/relay.c). */
    rc = node_relayer(a, regtest, n->wallet, relayer, has_relayer);
    if (rc)
        return rc;
    if (*has_relayer) {
        char hex[ADDRESS_HEX_SIZE];
        address_to_checksum_hex(relayer, hex);
        log_info("Relayer: %s sends relay_transferProxy transactions", hex);
    }

    char path[FS_PATH_MAX];
    rc = node_find_share_file("genesis", n->params.genesis_file, path, sizeof path);
    if (rc)
        return err_wrap(rc, "the genesis of %s", n->params.name);
    struct genesis g;
    memset(&g, 0, sizeof g);
    rc = genesis_load(path, &g);
    if (rc)
        return err_wrap(rc, "genesis file %s", path);

    struct chainsvc_config cfg;
    chainsvc_config_default(&cfg, n->db, &n->params);
    cfg.genesis = &g;
    tribe_chain_engine_init(&cfg.engine);
    cfg.automine = mining->automine;
    cfg.blocktime = mining->blocktime;
    cfg.mine = mining->mine;
    rc = node_load_nodekey(a, n->paths.netdir, regtest, cfg.node_key);
    if (rc == 0)
        rc = chainsvc_start(&cfg, &n->chain);
    OPENSSL_cleanse(cfg.node_key, sizeof cfg.node_key);
    genesis_free(&g);
    return rc;
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
    log_request_reopen();
    log_info("SIGHUP: debug.log reopened");
}

int node_start(struct node *n, const struct args *a)
{
    char path[FS_PATH_MAX];
    const char *dir = n->paths.netdir;
    int rc;

    /* Option errors first, before anything is created. */
    struct node_mining mining;
    rc = node_chain_params(a, (enum chain_network)n->paths.net->id, &n->params);
    if (rc == 0)
        rc = node_mining_options(a, n->params.network, &mining);
    if (rc)
        return rc;

    rc = fs_lock_dir(dir, &n->lock);
    if (rc == ERR_BADSTATE)
        return err_set(rc, "Cannot obtain a lock on data directory %s; spectrumd is probably "
                           "already running.", dir);
    if (rc)
        return rc;

    rc = fs_join(path, sizeof path, dir, "debug.log");
    if (!rc)
        rc = log_open(path);
    if (rc)
        return err_wrap(rc, "debug.log");
    n->log_open = true;

    const char *pid = args_get_str(a, "pid", "spectrumd.pid");
    if (pid) {
        if (!*pid)
            return err_set(ERR_INVAL, "-pid is empty (use -nopid for no pid file)");
        rc = fs_join(path, sizeof path, dir, pid);
        if (!rc)
            rc = fs_write_pidfile(path, getpid());
        if (rc)
            return rc;
        memcpy(n->pidfile, path, sizeof path);
    }

    rc = fs_join(path, sizeof path, dir, "chaindata");
    if (!rc)
        rc = db_open(path, NULL, &n->db);
    if (rc)
        return err_wrap(rc, "cannot open the database %s", path);
    log_info("Opened database %s", path);

    struct address relayer;
    bool has_relayer = false;
    rc = start_chain(n, a, &mining, &relayer, &has_relayer);
    if (rc)
        return rc;

    if (evthread_use_pthreads() != 0)
        return err_set(ERR_BADSTATE, "libevent: no thread support");
    n->base = event_base_new();
    if (!n->base)
        return err_set(ERR_NOMEM, "libevent: cannot create the event loop");
    const int sigs[3] = {SIGTERM, SIGINT, SIGHUP};
    for (int i = 0; i < 3; i++) {
        n->signals[i] = evsignal_new(n->base, sigs[i], sigs[i] == SIGHUP ? on_hup : on_stop_signal, n);
        if (!n->signals[i] || evsignal_add(n->signals[i], NULL) != 0)
            return err_set(ERR_BADSTATE, "libevent: cannot watch signal %d", sigs[i]);
    }
    signal(SIGPIPE, SIG_IGN);

    rc = start_p2p(n, a);
    if (rc)
        return rc;
    /* issue 8: meshbox */
    if (mining.meshbox) {
        char mbdir[FS_PATH_MAX];
        rc = fs_join(mbdir, sizeof mbdir, n->paths.netdir, "meshbox");
        if (rc == 0)
            rc = mb_service_start(mbdir, n->chain, mining.meshbox_keep, &n->meshbox);
        if (rc)
            return err_wrap(rc, "the MeshBox receipt book");
        if (n->meshbox)
            log_info("MeshBox: receipt book %s, reporting from the node key", mbdir);
    }
    /* end issue 8: meshbox */
    /* issue 7: channel: the hub (after the chain service, before the RPC server) */
    rc = channel_node_start(a, n->paths.netdir, n->chain, &n->params, &n->channel);
    if (rc)
        return rc;
    /* end issue 7: channel */
    rc = start_rpc(n, a, has_relayer ? &relayer : NULL);
    if (rc)
        return rc;
    chainsvc_set_event_fn(n->chain, on_chain_event, n);

    log_info("spectrumd %s starting, network %s, data dir %s", PACKAGE_VERSION, n->paths.net->name,
             dir);
    return 0;
}

static uint64_t rpc_activity(void *arg)
{
    return rpc_server_loop_answers(arg);
}

int node_run(struct node *n)
{
    struct evloop_stats st;
    unsigned poll_us = rpc_server_poll_us(n->rpc);
    if (evloop_run(n->base, poll_us, rpc_activity, n->rpc, &st) < 0)
        return err_set(ERR_BADSTATE, "event loop failed");
    if (poll_us)
        log_info("RPC poll (-rpcpoll=%u): %llu windows, %llu caught the next request, "
                 "%llu pauses",
                 poll_us, (unsigned long long)st.windows, (unsigned long long)st.hits,
                 (unsigned long long)st.pauses);
    return 0;
}

void node_stop(struct node *n)
{
    log_info("Shutdown: in progress...");
    if (n->chain) {
        chainsvc_set_event_fn(n->chain, NULL, NULL);
        chainsvc_request_stop(n->chain);
    }
    rpc_server_stop(n->rpc);
    n->rpc = NULL;
    /* issue 8: meshbox */
    mb_service_stop(n->meshbox);
    n->meshbox = NULL;
    /* end issue 8: meshbox */
    /* issue 7: channel: stopped after the RPC server, before the chain service */
    channel_node_stop(n->channel);
    n->channel = NULL;
    /* end issue 7: channel */
    p2p_stop(n->p2p);
    n->p2p = NULL;
    chainsvc_stop(n->chain);
    n->chain = NULL;
    wallet_free(n->wallet);
    n->wallet = NULL;
    for (int i = 0; i < 3; i++) {
        if (n->signals[i])
            event_free(n->signals[i]);
        n->signals[i] = NULL;
    }
    if (n->base)
        event_base_free(n->base);
    n->base = NULL;
    if (n->db) {
        db_close(n->db);
        n->db = NULL;
        log_info("Database closed");
    }
    if (n->pidfile[0]) {
        if (unlink(n->pidfile) != 0)
            log_warn("cannot remove pid file %s", n->pidfile);
        n->pidfile[0] = 0;
    }
    fs_unlock(n->lock);
    n->lock = NULL;
    log_info("Shutdown: done");
    if (n->log_open)
        log_close();
    n->log_open = false;
}
