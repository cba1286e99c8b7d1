/*
 * sysview.h — a read-only state and an EVM at one block, for the calls of
 * system-contract views (chief, POC, MeshBox registry) that tribe_ and
 * meshbox_ methods make.
 */
#ifndef SPECTRUM_RPC_SYSVIEW_H
#define SPECTRUM_RPC_SYSVIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/header.h"
#include "rpc/chainread.h"
#include "rpc/dispatch.h"

struct chainsvc;
struct chain_params;
struct evm;
struct address;

struct rpc_sysview {
    struct chainsvc *svc;
    const struct chain_params *p;
    struct header h;            /* the block */
    struct rpc_state_view sv;
    struct evm *evm;
    bool open;
};

/* Opens the state of block params[idx] (absent or null: the head). An
 * unknown block is -32000 "block not exist" (Spectrum's text). Returns 0,
 * or -1 with the error set and nothing to close. */
int rpc_sysview_open(struct rpc_ctx *ctx, const json_t *params, size_t idx, struct rpc_sysview *v);

/* Frees what open took (a view that is not open is ignored). */
void rpc_sysview_close(struct rpc_sysview *v);

/* The first output word of the view call `in` to `to`, as uint64. False when
 * the call fails, its output is shorter than a word or the word is larger
 * (no error is set: callers that need one say what they read). */
bool rpc_sysview_u64(struct rpc_sysview *v, const struct address *to, const uint8_t *in, size_t len,
                     uint64_t *out);

#endif
