/*
 * chainjson.h — the chain's values as Ethereum JSON-RPC shows them (geth's
 * field names and encodings: hex quantities without leading zeros, 0x data,
 * lowercase addresses, null for what is unknown), and the parsing of the
 * arguments that name blocks, addresses and hashes.
 *
 * Why it is shaped this way: blocks, transactions, receipts and logs appear
 * in several methods (eth_getBlockBy*, eth_getTransactionByHash, receipts,
 * txpool_content) and in subscription events (newHeads, logs, pending
 * transactions); one formatter per value keeps them identical everywhere,
 * and keeping it free of I/O (everything comes in decoded) lets the unit
 * tests check every field. The readers that fetch the values from the
 * database live in chainread.h.
 *
 * Every json_t * returned is a new reference, or NULL when out of memory.
 * Safe from any thread.
 */
#ifndef SPECTRUM_RPC_CHAINJSON_H
#define SPECTRUM_RPC_CHAINJSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain/params.h"
#include "primitives/address.h"
#include "primitives/block.h"
#include "primitives/header.h"
#include "primitives/receipt.h"
#include "primitives/tx.h"
#include "primitives/u256.h"

struct rpc_ctx;

/* ---- arguments ---------------------------------------------------------------- */

enum rpc_block_kind {
    RPC_BLOCK_LATEST,
    RPC_BLOCK_EARLIEST,
    RPC_BLOCK_PENDING,      /* = latest for blocks and state */
    RPC_BLOCK_NUMBER,
    RPC_BLOCK_HASH,
};

struct rpc_block_ref {
    enum rpc_block_kind kind;
    uint64_t number;        /* RPC_BLOCK_NUMBER */
    struct hash32 hash;     /* RPC_BLOCK_HASH */
};

/*
 * A block argument: "latest", "earliest", "pending", a hex quantity, or
 * (allow_hash) a 32-byte hash, and the EIP-1898 objects {"blockNumber": n}
 * and {"blockHash": h} (the latter only with allow_hash). An absent
 * argument is "latest". Errors as rpc_param_quantity (-32602 naming idx).
 * Returns 0 or -1 with ctx's error set.
 */
int rpc_param_block_ref(struct rpc_ctx *ctx, const json_t *params, size_t idx, bool allow_hash,
                        struct rpc_block_ref *out);

/* A 20-byte address (0x + 40 hex digits, any case). -32602 otherwise:
 * "invalid argument 0: hex string has length 38, want 40 for common.Address".
 * Returns 0 or -1. */
int rpc_param_address(struct rpc_ctx *ctx, const json_t *params, size_t idx, struct address *out);

/* A 32-byte hash (0x + 64 hex digits). Returns 0 or -1 (as above, for
 * common.Hash). */
int rpc_param_hash(struct rpc_ctx *ctx, const json_t *params, size_t idx, struct hash32 *out);

/* The same checks on a JSON value that is not an argument of its own (a
 * field of an object); `what` names it in the message ("invalid argument 0:
 * <what>: ..."). Return 0 or -1. */
int rpc_json_to_address(struct rpc_ctx *ctx, const json_t *v, size_t idx, const char *what,
                        struct address *out);
int rpc_json_to_quantity(struct rpc_ctx *ctx, const json_t *v, size_t idx, const char *what,
                         uint64_t *out);
int rpc_json_to_u256(struct rpc_ctx *ctx, const json_t *v, size_t idx, const char *what,
                     u256 *out);

/* ---- values ------------------------------------------------------------------- */

json_t *rpc_json_u256(const u256 *v);               /* quantity */
json_t *rpc_json_hash(const struct hash32 *h);      /* 0x + 64 digits */
json_t *rpc_json_address(const struct address *a);  /* 0x + 40 lowercase digits */

/* Where a transaction sits (NULL for one still in the pool). */
struct rpc_tx_loc {
    struct hash32 block_hash;
    uint64_t block_number;
    uint64_t index;         /* position in the block, the chief tx counted */
};

/* The header as newHeads shows it: parentHash, sha3Uncles, miner,
 * stateRoot, transactionsRoot, receiptsRoot, logsBloom, difficulty, number,
 * gasLimit, gasUsed, timestamp, extraData, mixHash, nonce, hash. */
json_t *rpc_header_json(const struct header *h, const struct hash32 *hash);

/* A transaction: blockHash, blockNumber, from, gas, gasPrice, hash, input,
 * nonce, to (null for a creation), transactionIndex, value, v, r, s; the
 * three location fields are null when loc is NULL (pending). */
json_t *rpc_tx_json(const struct tx *tx, const struct hash32 *hash, const struct address *from,
                    const struct rpc_tx_loc *loc);

/*
 * A block: the header's fields (as rpc_header_json) plus totalDifficulty,
 * size, uncles ([]) and transactions: hashes, or with full the objects of
 * rpc_tx_json (senders[i] the sender of tx i; may be NULL when !full).
 * Chief update transactions (chain_is_chief_update under p) are left out of
 * the list (spec §11); the others keep their index in the block.
 * Args: size  the length of the block's RLP encoding.
 */
json_t *rpc_block_json(const struct chain_params *p, const struct block *b,
                       const struct hash32 *hash, const u256 *td, uint64_t size, bool full,
                       const struct address *senders);

/* Where a log sits. */
struct rpc_log_loc {
    struct hash32 block_hash;
    uint64_t block_number;
    struct hash32 tx_hash;
    uint64_t tx_index;
    uint64_t log_index;     /* position among all logs of the block */
};

/* A log: address, topics, data, blockNumber, transactionHash,
 * transactionIndex, blockHash, logIndex, removed. */
json_t *rpc_log_json(const struct log *l, const struct rpc_log_loc *loc, bool removed);

/*
 * A receipt: transactionHash, transactionIndex, blockHash, blockNumber,
 * from, to, cumulativeGasUsed, gasUsed, contractAddress (the created
 * address for a creation, else null), logs, logsBloom, status ("0x1" /
 * "0x0").
 * Args: gas_used          this tx's gas (cumulative minus the previous one's)
 *       first_log_index   logIndex of the receipt's first log in the block
 */
json_t *rpc_receipt_json(const struct receipt *r, const struct tx *tx,
                         const struct hash32 *tx_hash, const struct address *from,
                         const struct rpc_tx_loc *loc, uint64_t gas_used,
                         uint64_t first_log_index);

#endif
