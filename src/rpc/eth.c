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
     "account of the node's wallet; defaults: gas as eth_estimateGas, gasPrice eth_gasPrice, nonce the pool "
     "nonce; no `to` creates a contract"},
};

static const struct rpc_param_doc tx_hash_params[] = {
    {"hash", "hash", false, "the transaction hash"},
};

/* eth_sign, eth_signTransaction (eth_sign.c) */
static const struct rpc_param_doc sign_params[] = {
    {"address", "address", false, "an unlocked account of the node's wallet"},
    {"data", "hex data", false, "the message"},
};

static const struct rpc_param_doc sign_tx_params[] = {
    {"tx", "object", false,
     "as eth_sendTransaction: {from, to?, gas?, gasPrice?, value?, data?|input?, nonce?}; "
     "from must be unlocked; nonce defaults to the pool nonce"},
};
/* end eth_sign */

/* eth_getLogs and the filters (eth_logs.c) */
static const struct rpc_param_doc logs_params[] = {
    {"criteria", "object", false,
     "{fromBlock?, toBlock?, address?, topics?, blockHash?}: fromBlock/toBlock a block number "
     "or \"latest\", \"earliest\", \"pending\" (default \"latest\"); address one address or a "
     "list; topics up to 4 positions, each null, a topic or a list of topics; blockHash one "
     "block (not with fromBlock/toBlock)"},
};

static const struct rpc_param_doc new_filter_params[] = {
    {"criteria", "object", false,
     "as eth_getLogs; fromBlock/toBlock numbers also bound the changes (tags do not)"},
};

static const struct rpc_param_doc pending_filter_params[] = {
    {"fullTx", "bool", true, "true: changes are transaction objects instead of hashes"},
};

static const struct rpc_param_doc filter_id_params[] = {
    {"id", "string", false, "the id eth_newFilter, eth_newBlockFilter or "
                            "eth_newPendingTransactionFilter returned"},
};
/* end eth_getLogs and the filters */

/* eth_call, eth_estimateGas, storage, proofs, block contents by index (eth_call.c,
 * eth_proof.c, eth_index.c, eth_sync.c) */
#define CALL_OBJECT_HELP \
    "{from?, to?, gas?, gasPrice?, value?, data?|input?}: no `to` runs init code; from " \
    "defaults to the zero address, gasPrice to 0 (then no balance is needed)"
#define OVERRIDES_HELP \
    "geth's state override set {address: {balance?, nonce?, code?, state?|stateDiff?}}: " \
    "`state` replaces the account's whole storage, `stateDiff` sets some slots"

static const struct rpc_param_doc call_params[] = {
    {"call", "object", false, CALL_OBJECT_HELP "; gas defaults to 50000000 (at most that)"},
    {"block", "quantity|tag|hash", true, "the block whose state the call runs on (default "
                                         "\"latest\"; \"pending\" is \"latest\")"},
    {"blockHash|overrides", "hash|object", true,
     "a block hash, which overrides `block` (Spectrum), or the state overrides"},
    {"overrides", "object", true, OVERRIDES_HELP " (when argument 2 is a hash)"},
};

static const struct rpc_param_doc estimate_params[] = {
    {"call", "object", false, CALL_OBJECT_HELP "; gas, when at least 21000, is the "
                              "largest allowance tried (default: the block's gas limit)"},
    {"block", "quantity|tag|hash", true, "the block whose state it runs on (default "
                                         "\"latest\")"},
    {"overrides", "object", true, OVERRIDES_HELP},
};

static const struct rpc_param_doc storage_at_params[] = {
    {"address", "address", false, "the account"},
    {"slot", "hex", false, "the storage key: up to 32 bytes of hex, left-padded (\"0x0\")"},
    {"block", "quantity|tag|hash", true, "the block whose state is read (default \"latest\")"},
};

static const struct rpc_param_doc proof_params[] = {
    {"address", "address", false, "the account"},
    {"slots", "[hex, ...]", false, "storage keys to prove (at most 1024; may be empty)"},
    {"block", "quantity|tag|hash", true, "the block whose state is proved (default "
                                         "\"latest\")"},
};

static const struct rpc_param_doc count_by_hash_params[] = {
    {"hash", "hash", false, "the block hash"},
};

static const struct rpc_param_doc count_by_number_params[] = {
    {"block", "quantity|tag", false, "a block number, or \"latest\", \"earliest\", "
                                     "\"pending\""},
};

static const struct rpc_param_doc tx_by_hash_index_params[] = {
    {"hash", "hash", false, "the block hash"},
    {"index", "quantity", false, "position in the block; the chief update is index 0"},
};

static const struct rpc_param_doc tx_by_number_index_params[] = {
    {"block", "quantity|tag", false, "a block number, or \"latest\", \"earliest\", "
                                     "\"pending\""},
    {"index", "quantity", false, "position in the block; the chief update is index 0"},
};
/* end eth_call, eth_estimateGas, storage, proofs, block contents by index */

#define CHAIN_METHOD(n, f, sum, p, res) \
    {.name = n, .fn = f, .flags = RPC_PUBLIC, .summary = sum, .params = p, \
     .nparams = RPC_COUNT(p), .result = res}
#define CHAIN_METHOD0(n, f, sum, res) \
    {.name = n, .fn = f, .flags = RPC_PUBLIC, .summary = sum, .result = res}
/* Submissions: they wait for the chain thread (RPC_WAITS). */
#define CHAIN_METHOD_WAITS(n, f, sum, p, res) \
    {.name = n, .fn = f, .flags = RPC_PUBLIC | RPC_WAITS, .summary = sum, .params = p, \
     .nparams = RPC_COUNT(p), .result = res}
/* A submission with an asynchronous form (dispatch.h, rpc_start_fn): a lone
 * call is started on the loop, without parking a wait-pool thread. */
#define CHAIN_METHOD_STARTS(n, f, st, sum, p, res) \
    {.name = n, .fn = f, .flags = RPC_PUBLIC | RPC_WAITS, .start = st, .summary = sum, \
     .params = p, .nparams = RPC_COUNT(p), .result = res}
/* One account's state at a block: the loop may answer it when idle (job.h). */
#define CHAIN_METHOD_LOOP_READ(n, f, sum, p, res) \
    {.name = n, .fn = f, .flags = RPC_PUBLIC | RPC_LOOP_READ, .summary = sum, .params = p, \
     .nparams = RPC_COUNT(p), .result = res}
/* Reads of the published head or of constants: answered on the loop thread,
 * without the two thread hand-offs a worker costs. */
#define CHAIN_METHOD0_INLINE(n, f, sum, res) \
    {.name = n, .fn = f, .flags = RPC_PUBLIC | RPC_INLINE, .summary = sum, .result = res}

static const struct rpc_method eth_methods[] = {
    CHAIN_METHOD0("eth_accounts", rpc_eth_accounts,
                  "Returns the addresses of the node's wallet (regtest: the ten dev accounts).",
                  "[\"0x...\", ...] (addresses)"),
    CHAIN_METHOD0_INLINE("eth_blockNumber", rpc_eth_block_number,
                  "Returns the number of the head block.", "\"0x1a\" (quantity)"),
    CHAIN_METHOD0_INLINE("eth_chainId", rpc_eth_chain_id,
                  "Returns the EIP-155 chain id (regtest: 0x53504543).", "\"0x...\" (quantity)"),
    CHAIN_METHOD0_INLINE("eth_coinbase", rpc_eth_coinbase,
                  "Returns the node's address, the one its key signs blocks with.",
                  "\"0x...\" (address)"),
    CHAIN_METHOD0_INLINE("eth_gasPrice", rpc_eth_gas_price,
                  "Returns the gas price to offer: the network's minimum, or 18 gwei.",
                  "\"0x...\" (quantity, wei)"),
    CHAIN_METHOD_LOOP_READ("eth_getBalance", rpc_eth_get_balance,
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
    CHAIN_METHOD_LOOP_READ("eth_getCode", rpc_eth_get_code, "Returns an account's code at a block.",
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
    CHAIN_METHOD_STARTS("eth_sendRawTransaction", rpc_eth_send_raw_transaction,
                 rpc_eth_send_raw_transaction_start,
                 "Submits a signed transaction to the pool. On regtest with -automine, the block "
                 "holding it is imported before the reply. Refusals are -32000 with the pool's "
                 "reason (\"nonce too low\", \"insufficient funds for gas * price + value\", ...).",
                 raw_tx_params, "\"0x...\" (hash) the transaction hash"),
    CHAIN_METHOD_WAITS("eth_sendTransaction", rpc_eth_send_transaction,
                 "Builds a transaction, signs it with an unlocked account of the node's wallet "
                 "and submits it as eth_sendRawTransaction does.",
                 send_tx_params, "\"0x...\" (hash) the transaction hash"),
    /* eth_sign, eth_signTransaction (eth_sign.c) */
    CHAIN_METHOD("eth_sign", rpc_eth_sign,
                 "Signs keccak256(\"\\x19Ethereum Signed Message:\\n\" + len(data) + data) with an "
                 "unlocked account (as personal_sign without a passphrase). Errors: -32000 "
                 "\"unknown account\", \"authentication needed: password or unlock\".",
                 sign_params, "\"0x...\" (65 bytes R || S || V, V 27 or 28)"),
    CHAIN_METHOD("eth_signTransaction", rpc_eth_sign_transaction,
                 "Signs a transaction with an unlocked account without sending it (EIP-155 for "
                 "the chain id). Errors as eth_sign, and eth_sendTransaction's argument errors.",
                 sign_tx_params,
                 "{\"raw\": \"0x...\" (the RLP for eth_sendRawTransaction), \"tx\": {nonce, "
                 "gasPrice, gas, to, value, input, v, r, s, hash}}"),
    /* end eth_sign */
    /* eth_getLogs and the filters (eth_logs.c) */
    CHAIN_METHOD("eth_getLogs", rpc_eth_get_logs,
                 "Returns the logs of the canonical chain that match the criteria, oldest first. "
                 "Blocks whose bloom cannot match are skipped. At most 100000 blocks (-32000 "
                 "\"exceed maximum block range: 100000\") and 10000 logs (-32005 \"query "
                 "returned more than 10000 results\"); -32602 \"invalid block range params\", "
                 "\"block range extends beyond current head block\"; -32000 \"unknown block\" "
                 "for a blockHash not stored.",
                 logs_params, "[log object, ...]"),
    CHAIN_METHOD("eth_newFilter", rpc_eth_new_filter,
                 "Installs a log filter: eth_getFilterChanges then returns the matching logs of "
                 "new blocks (and of blocks a reorg dropped, with removed: true), "
                 "eth_getFilterLogs every matching log of its range. A filter not polled for 5 "
                 "minutes is removed; at most 1024 filters (-32000 \"too many filters\").",
                 new_filter_params, "\"0x...\" (string) the filter id"),
    CHAIN_METHOD0("eth_newBlockFilter", rpc_eth_new_block_filter,
                  "Installs a filter whose changes are the hashes of new canonical blocks. "
                  "Removed after 5 minutes without a poll.",
                  "\"0x...\" (string) the filter id"),
    CHAIN_METHOD("eth_newPendingTransactionFilter", rpc_eth_new_pending_transaction_filter,
                 "Installs a filter whose changes are the transactions the pool accepts (hashes, "
                 "or objects with fullTx). Removed after 5 minutes without a poll.",
                 pending_filter_params, "\"0x...\" (string) the filter id"),
    CHAIN_METHOD("eth_getFilterChanges", rpc_eth_get_filter_changes,
                 "Returns what a filter saw since it was installed or last polled: log objects, "
                 "block hashes or transaction hashes, oldest first. -32000 \"filter not found\" "
                 "for an unknown, uninstalled or expired id.",
                 filter_id_params, "[log object | hash | transaction object, ...]"),
    CHAIN_METHOD("eth_getFilterLogs", rpc_eth_get_filter_logs,
                 "Runs a log filter's criteria as eth_getLogs does. -32000 \"filter not found\" "
                 "for an unknown id or a filter that is not a log filter.",
                 filter_id_params, "[log object, ...]"),
    CHAIN_METHOD("eth_uninstallFilter", rpc_eth_uninstall_filter,
                 "Removes a filter.", filter_id_params, "true when it existed, else false"),
    /* end eth_getLogs and the filters */
    /* eth_call, eth_estimateGas, storage, proofs, block contents by index (eth_call.c,
     * eth_proof.c, eth_index.c, eth_sync.c) */
    CHAIN_METHOD("eth_call", rpc_eth_call,
                 "Runs a message on a block's state without committing anything and returns "
                 "what it returned. System-contract frames run unmetered as in a block (spec "
                 "§11, doc/rpc.md). A revert is error 3 \"execution reverted[: reason]\" with "
                 "the revert data in `data`; other failures -32000 (\"out of gas\", \"invalid "
                 "opcode\", \"insufficient funds for gas * price + value: ...\", \"intrinsic "
                 "gas too low: ...\"); an unknown block -32000 \"header not found\".",
                 call_params, "\"0x...\" (hex data) the return data"),
    CHAIN_METHOD("eth_estimateGas", rpc_eth_estimate_gas,
                 "Returns the smallest gas limit with which the message succeeds as a "
                 "transaction on the block's state (binary search; exact). With a gasPrice the "
                 "allowance is capped by the sender's funds. Errors: -32000 \"gas required "
                 "exceeds allowance (N)\" when it runs out of gas even with the allowance N, the "
                 "run's revert (error 3) or failure, \"insufficient funds for transfer\".",
                 estimate_params, "\"0x...\" (quantity) gas"),
    CHAIN_METHOD_LOOP_READ("eth_getStorageAt", rpc_eth_get_storage_at,
                 "Returns a storage slot of an account at a block.", storage_at_params,
                 "\"0x...\" (32 bytes)"),
    CHAIN_METHOD("eth_getProof", rpc_eth_get_proof,
                 "Returns an account and some of its storage slots with their Merkle proofs "
                 "(EIP-1186), which verify against the block's stateRoot.",
                 proof_params,
                 "{address, accountProof, balance, codeHash, nonce, storageHash, "
                 "storageProof: [{key, value, proof}]}"),
    CHAIN_METHOD("eth_getBlockTransactionCountByHash", rpc_eth_get_block_tx_count_by_hash,
                 "Returns the number of transactions in a block, the chief update included.",
                 count_by_hash_params, "\"0x...\" (quantity), or null for an unknown block"),
    CHAIN_METHOD("eth_getBlockTransactionCountByNumber", rpc_eth_get_block_tx_count_by_number,
                 "Returns the number of transactions in a canonical block, the chief update "
                 "included.",
                 count_by_number_params, "\"0x...\" (quantity), or null beyond the head"),
    CHAIN_METHOD("eth_getTransactionByBlockHashAndIndex", rpc_eth_get_tx_by_block_hash_and_index,
                 "Returns the transaction at a position of a block (the chief update is 0).",
                 tx_by_hash_index_params,
                 "transaction object, or null (unknown block, index past the end)"),
    CHAIN_METHOD("eth_getTransactionByBlockNumberAndIndex",
                 rpc_eth_get_tx_by_block_number_and_index,
                 "Returns the transaction at a position of a canonical block (the chief update "
                 "is 0).",
                 tx_by_number_index_params,
                 "transaction object, or null (no such block, index past the end)"),
    CHAIN_METHOD("eth_getUncleCountByBlockHash", rpc_eth_get_uncle_count_by_hash,
                 "Returns the number of uncles of a block: always 0 on Spectrum.",
                 count_by_hash_params, "\"0x0\", or null for an unknown block"),
    CHAIN_METHOD("eth_getUncleCountByBlockNumber", rpc_eth_get_uncle_count_by_number,
                 "Returns the number of uncles of a canonical block: always 0 on Spectrum.",
                 count_by_number_params, "\"0x0\", or null beyond the head"),
    {.name = "eth_protocolVersion", .fn = rpc_eth_protocol_version,
     .flags = RPC_PUBLIC | RPC_INLINE,
     .summary = "Returns the eth wire protocol version the node speaks (eth/63).",
     .result = "\"0x3f\""},
    {.name = "eth_syncing", .fn = rpc_eth_syncing, .flags = RPC_PUBLIC | RPC_INLINE,
     .summary = "Returns false, or while the node syncs from a peer and is behind, "
                "{startingBlock, currentBlock, highestBlock}.",
     .result = "false | {startingBlock, currentBlock, highestBlock}"},
    /* end eth_call, eth_estimateGas, storage, proofs, block contents by index */
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
