/*
 * logquery.h — one log query, the criteria object of eth_getLogs and
 * eth_newFilter: {fromBlock, toBlock, address, topics, blockHash}. It is
 * parsed with geth's messages, run over the canonical chain in the database
 * (eth_getLogs, eth_getFilterLogs), and matched against the logs of new
 * blocks (eth_getFilterChanges).
 *
 * Why it is shaped this way: the same criteria reach three methods and the
 * filter store (filters.h), so parsing, the range rules and the scan live in
 * one place. The scan reads each canonical header and skips a block whose
 * bloom cannot hold a match (logfilter_bloom_match) before reading its
 * receipts, so a query touches receipts only where the bloom says so.
 *
 * LIMITS (outside input must not make a handler run or allocate without
 * bound): a range of at most RPC_LOGS_MAX_RANGE blocks, checked before
 * anything is read, -32000 "exceed maximum block range: 100000" (the text
 * of geth-based nodes that cap ranges); at most RPC_LOGS_MAX_RESULTS logs,
 * -32005 "query returned more than 10000 results" (the text and code
 * clients such as ethers know from hosted nodes, and split the range on).
 * The scan also stops when the request is cancelled (timeout, shutdown).
 *
 * Range rules (geth 1.14's): absent fromBlock/toBlock are "latest";
 * "pending" is "latest"; "earliest" is 0. Errors:
 *   -32602 invalid argument 0: cannot specify both BlockHash and
 *          FromBlock/ToBlock, choose one or the other
 *   -32602 invalid block range params           (fromBlock > toBlock)
 *   -32000 exceed maximum block range: 100000
 *   -32602 block range extends beyond current head block  (a toBlock
 *          number above the head)
 *   -32000 unknown block                        (blockHash not stored)
 * Two numbers are checked against each other before the head is read, so
 * the first two range errors do not depend on the chain's length.
 *
 * Thread: any (RPC workers); a parsed query is immutable.
 */
#ifndef SPECTRUM_RPC_LOGQUERY_H
#define SPECTRUM_RPC_LOGQUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"
#include "primitives/receipt.h"
#include "rpc/chainjson.h"
#include "rpc/logfilter.h"

struct chainsvc;
struct rpc_ctx;

#define RPC_LOGS_MAX_RESULTS 10000      /* logs one query may return */
#define RPC_LOGS_MAX_RANGE 100000       /* blocks one query may scan */
#define RPC_LOGS_TOO_MANY (-32005)      /* EIP-1474's "limit exceeded" */

struct rpc_log_query {
    struct logfilter f;             /* address and topics */
    bool has_hash;                  /* blockHash given (from/to are then latest) */
    struct hash32 hash;
    struct rpc_block_ref from, to;  /* LATEST, PENDING, EARLIEST or NUMBER */
};

/*
 * Parses argument idx of params (an object; absent or null is "everything
 * from latest to latest"). Errors are -32602 naming the argument (bad
 * address or topic, too many topics, bad block number, blockHash together
 * with fromBlock/toBlock). Returns 0, or -1 with ctx's error set; q owns
 * nothing after a failure. Free with rpc_log_query_free.
 */
int rpc_log_query_parse(struct rpc_ctx *ctx, const json_t *params, size_t idx,
                        struct rpc_log_query *q);

/*
 * Runs q over the canonical chain of svc's database (one db snapshot, so a
 * reorg during the scan cannot mix two chains), or over the block q->hash
 * (canonical or not). Returns the array of log objects (rpc_log_json, removed
 * false), oldest first and in block order, or NULL with ctx's error set (the
 * errors listed at the top, or a database error).
 */
json_t *rpc_log_query_run(struct rpc_ctx *ctx, struct chainsvc *svc,
                          const struct rpc_log_query *q);

/* True when a log of a new (or removed) block at loc matches q: address and
 * topics, a numeric fromBlock/toBlock (tags do not bound), and q->hash when
 * given. */
bool rpc_log_query_match_live(const struct rpc_log_query *q, const struct log *l,
                              const struct rpc_log_loc *loc);

/* Deep copy. Returns 0 or ERR_NOMEM (dst owns nothing then). */
int rpc_log_query_copy(struct rpc_log_query *dst, const struct rpc_log_query *src);

/* Releases q's lists and zeroes it. */
void rpc_log_query_free(struct rpc_log_query *q);

#endif
