/*
 * eth_sign.c — eth_sign and eth_signTransaction: signatures made by an
 * unlocked account of the node's wallet (personal_unlockAccount, or a
 * regtest dev account), returned to the caller instead of sent.
 *
 * eth_sign signs the same prefixed message hash as personal_sign
 * (ethmsg.h), so personal_ecRecover checks both. eth_signTransaction
 * returns geth's {raw, tx}: the RLP a client can later hand to
 * eth_sendRawTransaction, and the transaction as geth's types.Transaction
 * marshals it. Its nonce, when not given, is the pool nonce at the time of
 * the call (nothing is reserved: the transaction is not sent).
 *
 * Both sign on the calling worker: the wallet's lock makes that safe, and
 * no chain state changes.
 */
#include <stdlib.h>
#include <string.h>

#include "chainsvc/chainsvc.h"
#include "rpc/chainread.h"
#include "rpc/eth_methods.h"
#include "rpc/ethmsg.h"
#include "rpc/params.h"
#include "util/err.h"
#include "wallet/wallet.h"

/* Checks that `a` is an unlocked account of the wallet; -32000 with geth's
 * text otherwise. Returns 0 or -1. */
static int need_unlocked(struct rpc_ctx *ctx, const struct address *a)
{
    struct wallet *w = ctx->env->wallet;
    if (!w || !wallet_has(w, a)) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "unknown account");
        return -1;
    }
    if (!wallet_is_unlocked(w, a)) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "authentication needed: password or unlock");
        return -1;
    }
    return 0;
}

static json_t *fail_sign(struct rpc_ctx *ctx, int rc)
{
    if (rc == ERR_NOMEM)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    if (rc == ERR_NOTFOUND)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "unknown account");
    return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg()[0] ? err_msg() : err_name(rc));
}

json_t *rpc_eth_sign(const json_t *params, struct rpc_ctx *ctx)
{
    struct address a;
    uint8_t *data;
    size_t len;
    if (rpc_params_count(ctx, params, 2, 2) || rpc_param_address(ctx, params, 0, &a) ||
        rpc_param_bytes(ctx, params, 1, RPC_MSG_MAX, &data, &len))
        return NULL;
    uint8_t h[32], sig[65];
    rpc_msg_hash(data, len, h);
    free(data);
    if (need_unlocked(ctx, &a))
        return NULL;
    /* The unlock may end between the check and here: the wallet says so. */
    int rc = wallet_sign_hash(ctx->env->wallet, &a, h, sig);
    return rc ? fail_sign(ctx, rc) : rpc_json_hex(sig, sizeof sig);
}

/* geth's types.Transaction JSON: nonce, gasPrice, gas, to, value, input,
 * v, r, s, hash (the pending-transaction object without the location and
 * sender fields). */
static json_t *tx_object(const struct tx *tx, const struct hash32 *hash,
                         const struct address *from)
{
    json_t *o = rpc_tx_json(tx, hash, from, NULL);
    if (o) {
        json_object_del(o, "blockHash");
        json_object_del(o, "blockNumber");
        json_object_del(o, "transactionIndex");
        json_object_del(o, "from");
    }
    return o;
}

/* Signs tx for `from` (the pool nonce unless given) and builds {raw, tx}.
 * Returns the object, or NULL with the error set. */
static json_t *sign_and_encode(struct rpc_ctx *ctx, struct chainsvc *svc, struct tx *tx,
                               const struct address *from, bool has_nonce)
{
    int rc;
    if (!has_nonce && (rc = chainsvc_pool_nonce(svc, from, &tx->nonce)) != 0) {
        rpc_fail_db(ctx, rc);
        return NULL;
    }
    rc = wallet_sign_tx(ctx->env->wallet, from, tx, chainsvc_params(svc)->chain_id);
    if (rc)
        return fail_sign(ctx, rc);
    struct bytes raw = BYTES_INIT;
    struct hash32 hash;
    json_t *out = NULL;
    if (tx_encode(tx, &raw) == 0 && tx_hash(tx, hash.b) == 0) {
        json_t *r = rpc_json_hex(raw.data, raw.len), *t = tx_object(tx, &hash, from);
        out = json_object();
        bool ok = out && r && t && json_object_set(out, "raw", r) == 0 &&
                  json_object_set(out, "tx", t) == 0;
        json_decref(r);
        json_decref(t);
        if (!ok) {
            json_decref(out);
            out = NULL;
        }
    }
    bytes_free(&raw);
    return out ? out : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

json_t *rpc_eth_sign_transaction(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 1, 1))
        return NULL;
    struct tx tx;
    struct address from;
    bool has_nonce;
    json_t *out = NULL;
    if (rpc_parse_send_args(ctx, json_array_get(params, 0), &tx, &from, &has_nonce) == 0) {
        struct chainsvc *svc = rpc_chain(ctx);
        if (svc && need_unlocked(ctx, &from) == 0 &&
            rpc_send_gas_default(ctx, json_array_get(params, 0), &tx) == 0)
            out = sign_and_encode(ctx, svc, &tx, &from, has_nonce);
    }
    tx_free(&tx);
    return out;
}
