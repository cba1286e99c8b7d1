/*
 * chain_events.c — see chain_events.h.
 */
#include "rpc/chain_events.h"

#include "chain/chaindb.h"
#include "chain/processor.h"
#include "rpc/chainjson.h"
#include "rpc/server.h"
#include "util/err.h"
#include "util/log.h"

/* Publishes the logs of block `hash` (removed: from a dropped block). */
static void publish_logs(struct rpc_server *srv, struct db *db, const struct hash32 *hash,
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
            json_t *j = rpc_log_json(&rs[i].logs[k], &loc, removed);
            if (j && rpc_server_publish(srv, RPC_SUB_LOGS, j))
                log_debug(LOG_RPC, "events: a log was dropped");
        }
        log_index += rs[i].log_count;
    }
    chaindb_receipts_free(rs, n);
}

static void publish_block(struct rpc_server *srv, struct db *db, const struct hash32 *hash,
                          bool removed)
{
    struct block b;
    if (chaindb_read_block(db, NULL, hash, &b)) {
        log_debug(LOG_RPC, "events: block not readable: %s", err_msg());
        return;
    }
    if (!removed) {
        json_t *h = rpc_header_json(&b.header, hash);
        if (h && rpc_server_publish(srv, RPC_SUB_NEW_HEADS, h))
            log_debug(LOG_RPC, "events: a head was dropped");
    }
    publish_logs(srv, db, hash, &b, removed);
    block_free(&b);
}

void rpc_publish_chain_event(struct rpc_server *srv, struct db *db, const struct chain_params *p,
                             const struct chainsvc_event *ev)
{
    if (!rpc_server_wants_events(srv))
        return;
    if (ev->kind == CHAINSVC_EVENT_PENDING_TX) {
        if (chain_is_chief_update(p, ev->tx))
            return;
        json_t *j = rpc_tx_json(ev->tx, ev->tx_hash, ev->sender, NULL);
        if (j && rpc_server_publish(srv, RPC_SUB_PENDING_TXS, j))
            log_debug(LOG_RPC, "events: a pending transaction was dropped");
        return;
    }
    for (size_t i = 0; i < ev->nremoved; i++)
        publish_block(srv, db, &ev->removed[i], true);
    for (size_t i = 0; i < ev->nadded; i++)
        publish_block(srv, db, &ev->added[i], false);
}
