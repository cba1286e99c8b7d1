/*
 * eth_methods.h — the handlers of the eth_ namespace that live outside
 * eth.c, one file per family: eth_chain.c (head, blocks, chain and node
 * facts), eth_state.c (accounts at a block), eth_tx.c (sending and finding
 * transactions and receipts). eth.c keeps the one eth_ table, so `help`
 * and -rpcapi see a single namespace.
 */
#ifndef SPECTRUM_RPC_ETH_METHODS_H
#define SPECTRUM_RPC_ETH_METHODS_H

#include "rpc/dispatch.h"

/* eth_chain.c */
json_t *rpc_eth_block_number(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_chain_id(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_gas_price(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_accounts(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_coinbase(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_mining(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_block_by_number(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_block_by_hash(const json_t *params, struct rpc_ctx *ctx);

/* eth_state.c */
json_t *rpc_eth_get_balance(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_transaction_count(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_code(const json_t *params, struct rpc_ctx *ctx);

/* eth_tx.c */
json_t *rpc_eth_send_raw_transaction(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_send_transaction(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_transaction_by_hash(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_transaction_receipt(const json_t *params, struct rpc_ctx *ctx);

/* The gas price eth_gasPrice reports and eth_sendTransaction defaults to:
 * the network's min_gas_price, or 18 gwei when that is 0. */
uint64_t rpc_default_gas_price(const struct rpc_ctx *ctx);

#endif
