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
json_t *rpc_eth_send_raw_transaction_start(const json_t *params, struct rpc_ctx *ctx,
                                           struct rpc_async *op, bool *started);
json_t *rpc_eth_send_transaction(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_transaction_by_hash(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_transaction_receipt(const json_t *params, struct rpc_ctx *ctx);

/* The gas price eth_gasPrice reports and eth_sendTransaction defaults to:
 * the network's min_gas_price, or 18 gwei when that is 0. */
uint64_t rpc_default_gas_price(const struct rpc_ctx *ctx);

/* ---- signing with the wallet (eth_sign.c; personal.c uses the parser) ---- */
struct address;
struct tx;

/* Parses eth_sendTransaction's object (argument 0) into tx, with the
 * default gasPrice (gas is 0 when absent: see rpc_send_gas_default);
 * *has_nonce says whether a nonce was given (eth_tx.c). Returns 0 or -1
 * (error set; tx may own data either way: tx_free it). */
int rpc_parse_send_args(struct rpc_ctx *ctx, const json_t *o, struct tx *tx,
                        struct address *from, bool *has_nonce);

/* Fills tx->gas by eth_estimateGas of o when o gives no gas (geth's
 * setDefaults); call it once the account checks passed, so that their
 * errors come first. Returns 0 or -1 (error set). */
int rpc_send_gas_default(struct rpc_ctx *ctx, const json_t *o, struct tx *tx);

json_t *rpc_eth_sign(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_sign_transaction(const json_t *params, struct rpc_ctx *ctx);

/* ---- logs and filters (eth_logs.c) ---- */
json_t *rpc_eth_get_logs(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_new_filter(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_new_block_filter(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_new_pending_transaction_filter(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_filter_changes(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_filter_logs(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_uninstall_filter(const json_t *params, struct rpc_ctx *ctx);

/* ---- execution and storage (eth_call.c, eth_proof.c, eth_index.c, eth_sync.c) ---- */
json_t *rpc_eth_call(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_estimate_gas(const json_t *params, struct rpc_ctx *ctx);
/* eth_estimateGas of call object o at "latest" (eth_call.c). Returns 0 with
 * *gas, or -1 with the error set as eth_estimateGas would answer. */
int rpc_estimate_gas_of(struct rpc_ctx *ctx, const json_t *o, uint64_t *gas);
json_t *rpc_eth_get_storage_at(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_proof(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_block_tx_count_by_hash(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_block_tx_count_by_number(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_tx_by_block_hash_and_index(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_tx_by_block_number_and_index(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_uncle_count_by_hash(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_get_uncle_count_by_number(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_protocol_version(const json_t *params, struct rpc_ctx *ctx);
json_t *rpc_eth_syncing(const json_t *params, struct rpc_ctx *ctx);

/* Parses a storage key as geth's eth_getStorageAt and eth_getProof do
 * (eth_proof.c): hex digits, "0x" optional, odd length allowed, at most 32
 * bytes, left-padded with zeros into key. Pure; s is outside input.
 * Returns 0 with *nbytes the length the text gave (0..32), or -1 with *why
 * a static reason ("hex string invalid", "hex string too long, want at
 * most 32 bytes"). */
int rpc_parse_storage_key(const char *s, size_t len, uint8_t key[32], size_t *nbytes,
                          const char **why);
/* ---- end execution and storage ---- */

#endif
