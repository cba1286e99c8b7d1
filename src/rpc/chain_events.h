/*
 * chain_events.h — turns the chain service's events into what RPC clients
 * get from them: WebSocket subscription payloads (newHeads, logs,
 * newPendingTransactions) published on the RPC server, and the items of the
 * node's polled filters (filters.h: block hashes, logs, pending
 * transactions).
 *
 * Why it is here: chainsvc/ knows nothing of JSON or of the server (the
 * arrows go rpc → chainsvc), so the node hands each event to this function
 * from the service's callback. Blocks and receipts of a head change are
 * read from the database, where the import has just committed them, once
 * for both consumers; nothing is read when neither a WebSocket server nor
 * an installed filter would use it.
 *
 * Order, as geth sends them: for a reorg, the logs of the removed blocks
 * with "removed": true (newest block first); then for each added block
 * (oldest first) its header on newHeads (its hash for block filters) and
 * its logs.
 *
 * Thread: the chain thread (the event callback), while the server runs.
 */
#ifndef SPECTRUM_RPC_CHAIN_EVENTS_H
#define SPECTRUM_RPC_CHAIN_EVENTS_H

#include "chain/params.h"
#include "chainsvc/chainsvc.h"
#include "storage/db.h"

struct rpc_filters;
struct rpc_server;

/* Publishes ev's payloads on srv (none when srv is NULL or serves no
 * WebSocket) and feeds the filters of fs (none when NULL), after removing
 * its expired ones. Failures (a block missing, out of memory, a full queue)
 * drop the event with a line in the log: subscribers and filters are best
 * effort. */
void rpc_chain_event_deliver(struct rpc_server *srv, struct rpc_filters *fs, struct db *db,
                             const struct chain_params *p, const struct chainsvc_event *ev);

/* rpc_chain_event_deliver to srv and the node's filters
 * (rpc_server_filters). */
void rpc_publish_chain_event(struct rpc_server *srv, struct db *db, const struct chain_params *p,
                             const struct chainsvc_event *ev);

#endif
