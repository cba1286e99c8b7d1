/*
 * meshbox.h — what the meshbox_ namespace (meshbox.c) shares with
 * tribe_getStatus: the MeshBox weights of the block after a given one, as
 * JSON (doc/meshbox.md §4, §5.1).
 */
#ifndef SPECTRUM_RPC_MESHBOX_H
#define SPECTRUM_RPC_MESHBOX_H

#include <jansson.h>

#include "chain/params.h"
#include "evm/evm.h"
#include "primitives/header.h"
#include "rpc/dispatch.h"

struct state;

/*
 * The candidates, contributions and weights that the block after `parent`
 * is drawn with, read at `st` (parent's state): {"block", "epoch",
 * "closedEpoch" (null when none), "weighted" (false before the fork),
 * "totalWeight", "boxes": [{"address", "contribution", "weight", "share"}]}.
 * share is w/W as a decimal string with 6 digits. Returns NULL with ctx's
 * error set on a failed read.
 */
json_t *rpc_meshbox_weights_json(struct rpc_ctx *ctx, const struct chain_params *p,
                                 struct evm *evm, struct state *st, const struct header *parent);

/* tribe_pocDeposit's handler (tribe.c), which meshbox_register reuses. */
json_t *rpc_tribe_poc_deposit(const json_t *params, struct rpc_ctx *ctx);

#endif
