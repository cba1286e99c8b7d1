/*
 * chain_events.h — turns the chain service's events into WebSocket
 * subscription payloads (newHeads, logs, newPendingTransactions) and
 * publishes them on the RPC server.
 *
 * Why it is here: chainsvc/ knows nothing of JSON or of the server (the
 * arrows go rpc → chainsvc), so the node hands each event to this function
 * from the service's callback. Blocks and receipts of a head change are
 * read from the database, where the import has just committed them.
 *
 * Order, as geth sends them: for a reorg, the logs of the removed blocks
 * with "removed": true (newest block first); then for each added block
 * (oldest first) its header on newHeads and its logs.
 *
 * Thread: the chain thread (the event callback), while the server runs.
 */
#ifndef SPECTRUM_RPC_CHAIN_EVENTS_H
#define SPECTRUM_RPC_CHAIN_EVENTS_H

#include "chain/params.h"
#include "chainsvc/chainsvc.h"
#include "storage/db.h"

struct rpc_server;

/* Publishes ev's payloads on srv (nothing when srv is NULL or serves no
 * WebSocket). Failures (a block missing, out of memory, a full queue) drop
 * the event with a line in the log: subscribers are best effort. */
void rpc_publish_chain_event(struct rpc_server *srv, struct db *db, const struct chain_params *p,
                             const struct chainsvc_event *ev);

#endif
