/*
 * chain_events.c — see chain_events.h.
 */
#include "rpc/chain_events.h"

#include "chain/chaindb.h"
#include "chain/processor.h"
#include "rpc/chainjson.h"
#include "rpc/filters.h"
#include "rpc/server.h"
#include "util/err.h"
#include "util/log.h"

/* Who wants this event. */
struct sinks {
    struct rpc_server *srv;     /* NULL: no WebSocket subscribers */
    struct rpc_filters *fs;     /* NULL: no filter of the kind at hand */
};

/* Publishes (and feeds) the logs of block `hash` (removed: a dropped block). */
static void deliver_logs(const struct sinks *to, struct db *db, const struct hash32 *hash,
                         const struct block *b, bool removed)
{
    struct receipt *rs = NULL;
    size_t n = 0;
    if (chaindb_read_receipts(db, NULL, hash, &rs, &n)) {
        log_debug(LOG_RPC, "events: no receipts for a block: %s", err_msg());
        return;
    }
    uint64_t log_index = 0;
    for (size_t i = 0; i < n && i < b->body.tx_count; i++) {
        if (!rs[i].log_count)
            continue;
        struct hash32 th;
        if (tx_hash(&b->body.txs[i], th.b))
            break;
        for (size_t k = 0; k < rs[i].log_count; k++) {
            struct rpc_log_loc loc = {*hash, b->header.number, th, i, log_index + k};
            if (to->srv) {
                json_t *j = rpc_log_json(&rs[i].logs[k], &loc, removed);
                if (j && rpc_server_publish(to->srv, RPC_SUB_LOGS, j))
                    log_debug(LOG_RPC, "events: a log was dropped");
            }
            if (to->fs && rpc_filters_push_log(to->fs, &rs[i].logs[k], &loc, removed))
                log_debug(LOG_RPC, "events: a log was not kept for filters");
        }
        log_index += rs[i].log_count;
    }
    chaindb_receipts_free(rs, n);
}

static void deliver_block(const struct sinks *heads, const struct sinks *logs, struct db *db,
                          const struct hash32 *hash, bool removed)
{
    bool want_head = !removed && (heads->srv || heads->fs);
    if (!want_head && !logs->srv && !logs->fs)
        return;
    struct block b;
    if (chaindb_read_block(db, NULL, hash, &b)) {
        log_debug(LOG_RPC, "events: block not readable: %s", err_msg());
        return;
    }
    if (want_head && heads->srv) {
        json_t *h = rpc_header_json(&b.header, hash);
        if (h && rpc_server_publish(heads->srv, RPC_SUB_NEW_HEADS, h))
            log_debug(LOG_RPC, "events: a head was dropped");
    }
    if (want_head && heads->fs)
        rpc_filters_push_block(heads->fs, hash);
    if (logs->srv || logs->fs)
        deliver_logs(logs, db, hash, &b, removed);
    block_free(&b);
}

static void deliver_pending(const struct sinks *to, bool full, const struct chain_params *p,
                            const struct chainsvc_event *ev)
{
    if (chain_is_chief_update(p, ev->tx))
        return;
    if (to->srv) {
        json_t *j = rpc_tx_json(ev->tx, ev->tx_hash, ev->sender, NULL);
        if (j && rpc_server_publish(to->srv, RPC_SUB_PENDING_TXS, j))
            log_debug(LOG_RPC, "events: a pending transaction was dropped");
    }
    if (to->fs) {
        /* The filters get an object of their own: the one above now belongs
         * to the WebSocket loop. */
        json_t *j = full ? rpc_tx_json(ev->tx, ev->tx_hash, ev->sender, NULL) : NULL;
        rpc_filters_push_tx(to->fs, ev->tx_hash, j);
    }
}

void rpc_chain_event_deliver(struct rpc_server *srv, struct rpc_filters *fs, struct db *db,
                             const struct chain_params *p, const struct chainsvc_event *ev)
{
    if (!rpc_server_wants_events(srv))
        srv = NULL;
    if (fs && rpc_filters_count(fs) && rpc_filters_expire(fs, rpc_filters_now()))
        log_debug(LOG_RPC, "events: expired filters removed");
    if (ev->kind == CHAINSVC_EVENT_PENDING_TX) {
        bool full = false;
        struct sinks to = {srv, fs && rpc_filters_wants(fs, RPC_FILTER_PENDING_TXS, &full) ? fs
                                                                                         : NULL};
        if (to.srv || to.fs)
            deliver_pending(&to, full, p, ev);
        return;
    }
    struct sinks heads = {srv, fs && rpc_filters_wants(fs, RPC_FILTER_BLOCKS, NULL) ? fs : NULL};
    struct sinks logs = {srv, fs && rpc_filters_wants(fs, RPC_FILTER_LOGS, NULL) ? fs : NULL};
    for (size_t i = 0; i < ev->nremoved; i++)
        deliver_block(&heads, &logs, db, &ev->removed[i], true);
    for (size_t i = 0; i < ev->nadded; i++)
        deliver_block(&heads, &logs, db, &ev->added[i], false);
}

void rpc_publish_chain_event(struct rpc_server *srv, struct db *db, const struct chain_params *p,
                             const struct chainsvc_event *ev)
{
    rpc_chain_event_deliver(srv, rpc_server_filters(srv), db, p, ev);
}
