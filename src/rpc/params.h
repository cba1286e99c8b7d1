/*
 * params.h — reading handler arguments and writing results the way Ethereum
 * clients expect them (0x-prefixed hex data, hex quantities), with geth's
 * error messages, so that every handler reports bad input identically:
 *
 *   -32602 "missing value for required argument 1"
 *   -32602 "too many arguments, want at most 2"
 *   -32602 "invalid argument 0: hex string without 0x prefix"
 *
 * Each getter either stores the value and returns 0, or sets the -32602
 * error in ctx (naming the argument by its 0-based index, as geth does) and
 * returns -1. Absent optional arguments are the caller's business
 * (rpc_param_present). Safe from any thread.
 */
#ifndef SPECTRUM_RPC_PARAMS_H
#define SPECTRUM_RPC_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rpc_ctx;

/* Checks that the params array holds between min and max values (trailing
 * nulls count as absent, as in geth). Returns 0 or -1 with the error set. */
int rpc_params_count(struct rpc_ctx *ctx, const json_t *params, size_t min, size_t max);

/* True when argument idx is given and not null. */
bool rpc_param_present(const json_t *params, size_t idx);

/* 0x-prefixed hex data (even length, any case) of at most max bytes into a
 * malloc'ed buffer (caller frees; NULL for "0x"). */
int rpc_param_bytes(struct rpc_ctx *ctx, const json_t *params, size_t idx, size_t max,
                    uint8_t **out, size_t *len);

/* A hex quantity ("0x0", "0x1a"; no leading zeros, at most 64 bits). */
int rpc_param_quantity(struct rpc_ctx *ctx, const json_t *params, size_t idx, uint64_t *out);

/* A JSON boolean. */
int rpc_param_bool(struct rpc_ctx *ctx, const json_t *params, size_t idx, bool *out);

/* A JSON string of at most max bytes (no NUL inside); *out points into
 * params. */
int rpc_param_string(struct rpc_ctx *ctx, const json_t *params, size_t idx, size_t max,
                     const char **out);

/* "0x" + lowercase hex of data, as a new JSON string (NULL on OOM). */
json_t *rpc_json_hex(const uint8_t *data, size_t len);

/* A hex quantity ("0x0", "0x1a") as a new JSON string (NULL on OOM). */
json_t *rpc_json_quantity(uint64_t v);

#endif
