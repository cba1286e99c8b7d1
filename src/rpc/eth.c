/*
 * eth.c — the eth_ namespace: its one table, and the subscription methods,
 * which belong to the server (ws.h). The chain's methods are implemented
 * next door (eth_methods.h: eth_chain.c, eth_state.c, eth_tx.c) and listed
 * here, so `help` and -rpcapi see one namespace.
 *
 * eth_subscribe and eth_unsubscribe run on the loop thread (RPC_ON_LOOP):
 * the subscription registry is the loop's, and registering there before the
 * reply is written guarantees the client sees the id before any
 * notification for it.
 */
#include <string.h>

#include "rpc/eth_methods.h"
#include "rpc/logfilter.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "rpc/ws.h"
#include "util/err.h"

static json_t *subscribe(const json_t *params, struct rpc_ctx *ctx)
{
    if (!ctx->conn)
        return rpc_fail(ctx, RPC_METHOD_NOT_FOUND, "notifications not supported");
    const char *name;
    if (rpc_params_count(ctx, params, 1, 2) || rpc_param_string(ctx, params, 0, 64, &name))
        return NULL;
    enum rpc_sub_kind kind;
    struct logfilter filter;
    memset(&filter, 0, sizeof filter);
    bool full = false;
    if (!strcmp(name, "newHeads")) {
        kind = RPC_SUB_NEW_HEADS;
        if (rpc_params_count(ctx, params, 1, 1))
            return NULL;
    } else if (!strcmp(name, "logs")) {
        kind = RPC_SUB_LOGS;
        char msg[160];
        int rc = logfilter_parse(json_array_get(params, 1), &filter, msg, sizeof msg);
        if (rc == ERR_NOMEM)
            return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        if (rc)
            return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: %s", msg);
    } else if (!strcmp(name, "newPendingTransactions")) {
        kind = RPC_SUB_PENDING_TXS;
        if (rpc_param_present(params, 1) && rpc_param_bool(ctx, params, 1, &full))
            return NULL;
    } else {
        return rpc_fail(ctx, RPC_METHOD_NOT_FOUND, "no \"%s\" subscription in eth namespace",
                        name);
    }
    char id[RPC_SUB_ID_SIZE];
    int rc = rpc_ws_subscribe(ctx->conn, kind, &filter, full, id);
    logfilter_free(&filter);
    if (rc)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg());
    return json_string(id);
}

static json_t *unsubscribe(const json_t *params, struct rpc_ctx *ctx)
{
    if (!ctx->conn)
        return rpc_fail(ctx, RPC_METHOD_NOT_FOUND, "notifications not supported");
    const char *id;
    if (rpc_params_count(ctx, params, 1, 1) ||
        rpc_param_string(ctx, params, 0, RPC_SUB_ID_SIZE, &id))
        return NULL;
    return json_boolean(rpc_ws_unsubscribe(ctx->conn, id));
}

static const struct rpc_param_doc subscribe_params[] = {
    {"kind", "string", false, "\"newHeads\", \"logs\" or \"newPendingTransactions\""},
    {"options", "object|bool", true,
     "logs: {address, topics} filter; newPendingTransactions: true for full transactions"},
};

static const struct rpc_param_doc unsubscribe_params[] = {
    {"id", "string", false, "the id eth_subscribe returned"},
};

static const struct rpc_param_doc block_by_number_params[] = {
    {"block", "quantity|tag", false, "a block number, or \"latest\", \"earliest\", \"pending\""},
    {"fullTx", "bool", false, "true: transaction objects; false: their hashes"},
};

static const struct rpc_param_doc block_by_hash_params[] = {
    {"hash", "hash", false, "the block hash"},
    {"fullTx", "bool", false, "true: transaction objects; false: their hashes"},
};

static const struct rpc_param_doc account_params[] = {
    {"address", "address", false, "the account"},
    {"block", "quantity|tag|hash", true, "the block whose state is read (default \"latest\")"},
};

static const struct rpc_param_doc count_params[] = {
    {"address", "address", false, "the account"},
    {"block", "quantity|tag|hash", true,
     "the block whose state is read (default \"latest\"); \"pending\" counts the account's "
     "pending pool transactions too"},
};

static const struct rpc_param_doc raw_tx_params[] = {
    {"data", "hex data", false, "the signed transaction, RLP-encoded"},
};

static const struct rpc_param_doc send_tx_params[] = {
    {"tx", "object", false,
     "{from, to?, gas?, gasPrice?, value?, data?|input?, nonce?}: from must be an unlocked "
     "account of the node's wallet; defaults: gas 90000, gasPrice eth_gasPrice, nonce the pool "
     "nonce; no `to` creates a contract"},
};

static const struct rpc_param_doc tx_hash_params[] = {
    {"hash", "hash", false, "the transaction hash"},
};

#define CHAIN_METHOD(n, f, sum, p, res) \
    {.name = n, .fn = f, .flags = RPC_PUBLIC, .summary = sum, .params = p, \
     .nparams = RPC_COUNT(p), .result = res}
#define CHAIN_METHOD0(n, f, sum, res) \
    {.name = n, .fn = f, .flags = RPC_PUBLIC, .summary = sum, .result = res}

static const struct rpc_method eth_methods[] = {
    CHAIN_METHOD0("eth_accounts", rpc_eth_accounts,
                  "Returns the addresses of the node's wallet (regtest: the ten dev accounts).",
                  "[\"0x...\", ...] (addresses)"),
    CHAIN_METHOD0("eth_blockNumber", rpc_eth_block_number,
                  "Returns the number of the head block.", "\"0x1a\" (quantity)"),
    CHAIN_METHOD0("eth_chainId", rpc_eth_chain_id,
                  "Returns the EIP-155 chain id (regtest: 0x53504543).", "\"0x...\" (quantity)"),
    CHAIN_METHOD0("eth_coinbase", rpc_eth_coinbase,
                  "Returns the node's address, the one its key signs blocks with.",
                  "\"0x...\" (address)"),
    CHAIN_METHOD0("eth_gasPrice", rpc_eth_gas_price,
                  "Returns the gas price to offer: the network's minimum, or 18 gwei.",
                  "\"0x...\" (quantity, wei)"),
    CHAIN_METHOD("eth_getBalance", rpc_eth_get_balance,
                 "Returns an account's balance at a block.", account_params,
                 "\"0x...\" (quantity, wei)"),
    CHAIN_METHOD("eth_getBlockByHash", rpc_eth_get_block_by_hash,
                 "Returns a stored block (canonical or not). Chief update transactions are left "
                 "out of `transactions` (they are counted in the transaction root).",
                 block_by_hash_params, "block object, or null when unknown"),
    CHAIN_METHOD("eth_getBlockByNumber", rpc_eth_get_block_by_number,
                 "Returns a block of the canonical chain. Chief update transactions are left out "
                 "of `transactions` (they are counted in the transaction root).",
                 block_by_number_params, "block object, or null beyond the head"),
    CHAIN_METHOD("eth_getCode", rpc_eth_get_code, "Returns an account's code at a block.",
                 account_params, "\"0x...\" (hex data)"),
    CHAIN_METHOD("eth_getTransactionByHash", rpc_eth_get_transaction_by_hash,
                 "Returns a transaction of the canonical chain, or of the pool (then blockHash, "
                 "blockNumber and transactionIndex are null).",
                 tx_hash_params, "transaction object, or null when unknown"),
    CHAIN_METHOD("eth_getTransactionCount", rpc_eth_get_transaction_count,
                 "Returns an account's nonce at a block, or with \"pending\" the next nonce "
                 "after its pending pool transactions.",
                 count_params, "\"0x...\" (quantity)"),
    CHAIN_METHOD("eth_getTransactionReceipt", rpc_eth_get_transaction_receipt,
                 "Returns the receipt of a mined transaction of the canonical chain.",
                 tx_hash_params, "receipt object, or null when unknown or pending"),
    CHAIN_METHOD0("eth_mining", rpc_eth_mining,
                  "Returns whether the node produces blocks by itself (regtest: -automine or "
                  "-blocktime; other networks: -mine while its key may sign).",
                  "true|false"),
    CHAIN_METHOD("eth_sendRawTransaction", rpc_eth_send_raw_transaction,
                 "Submits a signed transaction to the pool. On regtest with -automine, the block "
                 "holding it is imported before the reply. Refusals are -32000 with the pool's "
                 "reason (\"nonce too low\", \"insufficient funds for gas * price + value\", ...).",
                 raw_tx_params, "\"0x...\" (hash) the transaction hash"),
    CHAIN_METHOD("eth_sendTransaction", rpc_eth_send_transaction,
                 "Builds a transaction, signs it with an unlocked account of the node's wallet "
                 "and submits it as eth_sendRawTransaction does.",
                 send_tx_params, "\"0x...\" (hash) the transaction hash"),
    {.name = "eth_subscribe", .fn = subscribe, .flags = RPC_PUBLIC | RPC_ON_LOOP,
     .summary = "WebSocket only: starts a subscription; each event then arrives as an "
                "eth_subscription notification carrying the id.",
     .params = subscribe_params, .nparams = RPC_COUNT(subscribe_params),
     .result = "\"0x...\" (string) the subscription id"},
    {.name = "eth_unsubscribe", .fn = unsubscribe, .flags = RPC_PUBLIC | RPC_ON_LOOP,
     .summary = "WebSocket only: ends a subscription of this connection.",
     .params = unsubscribe_params, .nparams = RPC_COUNT(unsubscribe_params),
     .result = "true when it existed, else false"},
};

const struct rpc_namespace rpc_ns_eth = {"eth", eth_methods, RPC_COUNT(eth_methods), false};
