/*
 * eth_serve.h — answers to a peer's eth requests (GetBlockHeaders,
 * GetBlockBodies, GetReceipts, GetNodeData), read from the chain database
 * and returned as the encoded answer payload. No sockets: the peer code
 * decodes the request (or lets eth_serve_request do it), sends the payload
 * under the answer's code, and accounts for what it served.
 *
 * Why it is shaped this way: serving must not need the chain thread, which
 * keeps importing while peers ask. LevelDB reads are safe from any thread,
 * and every import (block, receipts, canonical index, head) is one atomic
 * batch, so each call takes ONE database snapshot and reads everything
 * through it: the canonical index it walks and the records it fetches
 * belong to the same committed head even if a reorg lands meanwhile. The
 * answer is what that head held: a block imported, or a reorg written,
 * after the snapshot is not in it (the peer asks again later).
 *
 * Records are sent as stored: chain/chaindb.h keeps headers, bodies and
 * receipt lists in their wire encoding (and trie nodes and code under their
 * keccak256 hash), so nothing is decoded and re-encoded except what a walk
 * needs (a header's number and parent). A record is still checked before it
 * is sent: a header and a node must hash to the key they are stored under,
 * a body and a receipt list must be one well-formed RLP list. A record that
 * fails is logged and treated as absent, so a damaged database gives short
 * answers, never malformed ones.
 *
 * Limits, as geth serves: at most ETH_MAX_HEADERS / ETH_MAX_BODIES /
 * ETH_MAX_RECEIPTS / ETH_MAX_NODE_DATA items, and no item is added once the
 * items already in the answer reach ETH_SOFT_RESPONSE_LIMIT bytes (so an
 * answer passes the limit by at most one item).
 *
 * Errors: 0, ERR_IO (the database failed), ERR_NOMEM. Nothing the request
 * asks for is an error: unknown blocks and nodes are left out.
 * Ownership: the answer is appended to the caller's buffer (on failure the
 * buffer is left as it was, unless it ran out of memory); nothing is kept.
 * Threads: any thread (the network thread) while the chain thread writes;
 * struct db is shared, each call uses its own snapshot.
 */
#ifndef SPECTRUM_NET_ETH_SERVE_H
#define SPECTRUM_NET_ETH_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "net/eth_msg.h"
#include "primitives/address.h"
#include "storage/db.h"
#include "util/bytes.h"

/* Soft size of an answer (geth softResponseLimit: 2 MiB). */
#define ETH_SOFT_RESPONSE_LIMIT (2u * 1024 * 1024)

/* Off the canonical chain, a reverse walk by hash follows parent links;
 * it takes at most this many such steps per request (geth: 100). */
#define ETH_MAX_NONCANONICAL_STEPS 100

/*
 * Answers GetBlockHeaders: the BlockHeaders payload.
 * By number: canonical blocks origin, origin ± (skip+1), ... By hash: the
 * origin is any stored block; forward steps go to the canonical block
 * skip+1 above while the current one is canonical; reverse steps go to its
 * ancestor skip+1 below (canonical index when canonical, parent links
 * otherwise, bounded by ETH_MAX_NONCANONICAL_STEPS). The walk stops at
 * min(amount, ETH_MAX_HEADERS) headers, at the soft limit, below block 0,
 * past the head, on a 64-bit overflow, or at an unknown block.
 * Out: out (appended), *count (may be NULL) the headers in it.
 */
int eth_serve_headers(struct db *db, const struct eth_get_headers *q, struct bytes *out,
                      size_t *count);

/* Answers GetBlockBodies: the BlockBodies payload with the bodies of the
 * known blocks among `hashes`, in order, at most ETH_MAX_BODIES (any stored
 * block, canonical or not; unknown hashes skipped, as geth). Out: as above. */
int eth_serve_bodies(struct db *db, const struct hash32 *hashes, size_t n, struct bytes *out,
                     size_t *count);

/* Answers GetReceipts: the Receipts payload with one receipt list per known
 * block among `hashes`, at most ETH_MAX_RECEIPTS (unknown skipped). A known
 * header without a receipt record whose receiptRoot is the empty root gets
 * the empty list, as geth. Out: as above. */
int eth_serve_receipts(struct db *db, const struct hash32 *hashes, size_t n, struct bytes *out,
                       size_t *count);

/* Answers GetNodeData: the NodeData payload with the state trie nodes and
 * contract code stored under `hashes`, at most ETH_MAX_NODE_DATA (unknown
 * skipped). Out: as above. */
int eth_serve_node_data(struct db *db, const struct hash32 *hashes, size_t n, struct bytes *out,
                        size_t *count);

/*
 * Decodes request `code` (relative) of eth `version` and answers it.
 * Returns 0 with *reply_code (ETH_BLOCK_HEADERS, ETH_BLOCK_BODIES,
 * ETH_RECEIPTS or ETH_NODE_DATA) and the payload appended to out; the
 * request decoder's error (the peer sent a bad request); ERR_INVAL when
 * `code` is not a request of `version`; ERR_IO; ERR_NOMEM.
 * Out: *count (may be NULL) the items answered.
 */
int eth_serve_request(struct db *db, uint64_t version, uint64_t code, const uint8_t *payload,
                      size_t len, uint64_t *reply_code, struct bytes *out, size_t *count);

#endif
