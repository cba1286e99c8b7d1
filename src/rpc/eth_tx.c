/*
 * eth_tx.c — eth_ methods for transactions: sending (raw, or built and
 * signed by the node's wallet) and finding them with their receipts.
 *
 * Sending goes through the chain service, which owns the pool: the call
 * waits until the pool has decided (and, on regtest with -automine, until
 * the block holding the transaction is imported), so the reply is the
 * pool's verdict with geth's reason strings. eth_sendTransaction's nonce is
 * chosen and the transaction signed on the chain thread, so that concurrent
 * sends from one account never share a nonce.
 *
 * Finding reads the database's transaction index (canonical chain only),
 * then the pool for a transaction still waiting (geth's order).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chaindb.h"
#include "chainsvc/chainsvc.h"
#include "rpc/chainread.h"
#include "rpc/eth_methods.h"
#include "rpc/params.h"
#include "util/err.h"
#include "wallet/wallet.h"

/* Largest raw transaction read from the request; the pool refuses anything
 * above its own limit (32 KiB) as "oversized data". */
#define RAW_TX_MAX (1u << 20)
/* geth's default gas for eth_sendTransaction. */

/* Turns a refusal from the chain service into the reply. */
static json_t *fail_submit(struct rpc_ctx *ctx, int rc)
{
    if (rc == ERR_NOMEM)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg()[0] ? err_msg() : err_name(rc));
}

/* eth_sendRawTransaction's one param (*raw malloc'ed) and the service;
 * -1 with ctx's error set. */
static int raw_tx_param(const json_t *params, struct rpc_ctx *ctx, uint8_t **raw, size_t *len,
                        struct chainsvc **svc)
{
    if (rpc_params_count(ctx, params, 1, 1) ||
        rpc_param_bytes(ctx, params, 0, RAW_TX_MAX, raw, len))
        return -1;
    *svc = rpc_chain(ctx);
    if (!*svc) {
        free(*raw);
        return -1;
    }
    return 0;
}

json_t *rpc_eth_send_raw_transaction(const json_t *params, struct rpc_ctx *ctx)
{
    uint8_t *raw;
    size_t len;
    struct chainsvc *svc;
    if (raw_tx_param(params, ctx, &raw, &len, &svc))
        return NULL;
    struct hash32 hash;
    int rc = chainsvc_submit_tx(svc, raw, len, true, &hash, NULL);
    free(raw);
    return rc ? fail_submit(ctx, rc) : rpc_json_hash(&hash);
}

/* The chain thread's answer to rpc_eth_send_raw_transaction_start. */
static void raw_submitted(void *arg, int rc, const struct hash32 *hash, const char *msg)
{
    struct rpc_async *op = arg;
    if (rc == 0)
        rpc_async_finish(op, rpc_json_hash(hash), 0, NULL);
    else if (rc == ERR_NOMEM)
        rpc_async_finish(op, NULL, RPC_INTERNAL_ERROR, "internal error: out of memory");
    else
        rpc_async_finish(op, NULL, RPC_SERVER_ERROR, msg[0] ? msg : err_name(rc));
}

json_t *rpc_eth_send_raw_transaction_start(const json_t *params, struct rpc_ctx *ctx,
                                           struct rpc_async *op, bool *started)
{
    uint8_t *raw;
    size_t len;
    struct chainsvc *svc;
    if (raw_tx_param(params, ctx, &raw, &len, &svc))
        return NULL;
    int rc = chainsvc_submit_tx_async(svc, raw, len, true, raw_submitted, op);
    free(raw);
    if (rc)
        return fail_submit(ctx, rc);
    *started = true;
    return NULL;
}

/* ---- eth_sendTransaction ---------------------------------------------------------- */

/* A data field of the argument object (hex, at most max bytes). */
static int field_bytes(struct rpc_ctx *ctx, const json_t *v, const char *what, uint8_t **out,
                       size_t *len)
{
    json_t *arr = json_pack("[O]", v);
    if (!arr) {
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        return -1;
    }
    int rc = rpc_param_bytes(ctx, arr, 0, RAW_TX_MAX, out, len);
    json_decref(arr);
    if (rc) {
        char msg[RPC_ERRMSG_MAX];
        const char *m = ctx->err.message;
        snprintf(msg, sizeof msg, "invalid argument 0: %.64s: %.400s", what,
                 strncmp(m, "invalid argument 0: ", 20) == 0 ? m + 20 : m);
        rpc_fail(ctx, RPC_INVALID_PARAMS, "%s", msg);
        return -1;
    }
    return 0;
}

/* Present and not null. */
static const json_t *field(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return v && !json_is_null(v) ? v : NULL;
}

/* See eth_methods.h. */
int rpc_parse_send_args(struct rpc_ctx *ctx, const json_t *o, struct tx *tx,
                        struct address *from, bool *has_nonce)
{
    memset(tx, 0, sizeof *tx);
    if (!json_is_object(o)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: json: cannot unmarshal "
                 "non-object into Go value of type ethapi.SendTxArgs");
        return -1;
    }
    const json_t *v;
    if (!(v = field(o, "from"))) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: from: missing");
        return -1;
    }
    if (rpc_json_to_address(ctx, v, 0, "from", from))
        return -1;
    if ((v = field(o, "to"))) {
        if (rpc_json_to_address(ctx, v, 0, "to", &tx->to))
            return -1;
        tx->has_to = true;
    }
    if ((v = field(o, "gas")) && rpc_json_to_quantity(ctx, v, 0, "gas", &tx->gas))
        return -1;
    tx->gas_price = u256_from_u64(rpc_default_gas_price(ctx));
    if ((v = field(o, "gasPrice")) && rpc_json_to_u256(ctx, v, 0, "gasPrice", &tx->gas_price))
        return -1;
    if ((v = field(o, "value")) && rpc_json_to_u256(ctx, v, 0, "value", &tx->value))
        return -1;
    *has_nonce = false;
    if ((v = field(o, "nonce"))) {
        if (rpc_json_to_quantity(ctx, v, 0, "nonce", &tx->nonce))
            return -1;
        *has_nonce = true;
    }
    const json_t *data = field(o, "data"), *input = field(o, "input");
    if (data && input && !json_equal((json_t *)data, (json_t *)input)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: both \"data\" and \"input\" are "
                 "set and not equal. Please use \"input\" to pass transaction call data");
        return -1;
    }
    if (input || data) {
        if (field_bytes(ctx, input ? input : data, input ? "input" : "data", &tx->data,
                        &tx->data_len))
            return -1;
    }
    if (!tx->has_to && tx->data_len == 0) {
        tx_free(tx);
        rpc_fail(ctx, RPC_SERVER_ERROR, "contract creation without any data provided");
        return -1;
    }
    return 0;
}

/* See eth_methods.h. */
int rpc_send_gas_default(struct rpc_ctx *ctx, const json_t *o, struct tx *tx)
{
    /* As geth's setDefaults: wallets such as web3 leave gas out for node
     * accounts and expect the node to estimate it. */
    if (field(o, "gas"))
        return 0;
    return rpc_estimate_gas_of(ctx, o, &tx->gas);
}

struct sign_ctx {
    struct wallet *w;
    struct address from;
};

static int sign_with_wallet(void *vctx, struct tx *tx, uint64_t chain_id)
{
    struct sign_ctx *sc = vctx;
    return wallet_sign_tx(sc->w, &sc->from, tx, chain_id);
}

json_t *rpc_eth_send_transaction(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 1, 1))
        return NULL;
    struct tx tx;
    struct sign_ctx sc = {ctx->env->wallet, {{0}}};
    bool has_nonce;
    if (rpc_parse_send_args(ctx, json_array_get(params, 0), &tx, &sc.from, &has_nonce)) {
        tx_free(&tx);
        return NULL;
    }
    struct chainsvc *svc = rpc_chain(ctx);
    json_t *out = NULL;
    if (!svc) {
        /* error set */
    } else if (!sc.w || !wallet_has(sc.w, &sc.from)) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "unknown account");
    } else if (!wallet_is_unlocked(sc.w, &sc.from)) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "authentication needed: password or unlock");
    } else if (rpc_send_gas_default(ctx, json_array_get(params, 0), &tx) == 0) {
        struct hash32 hash;
        int rc = chainsvc_send_tx(svc, &tx, &sc.from, has_nonce, sign_with_wallet, &sc, &hash);
        out = rc ? fail_submit(ctx, rc) : rpc_json_hash(&hash);
    }
    tx_free(&tx);
    return out;
}

/* ---- finding ----------------------------------------------------------------------------- */

json_t *rpc_eth_get_transaction_by_hash(const json_t *params, struct rpc_ctx *ctx)
{
    struct hash32 hash;
    if (rpc_params_count(ctx, params, 1, 1) || rpc_param_hash(ctx, params, 0, &hash))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    struct rpc_mined_tx m;
    int r = rpc_find_mined_tx(ctx, chainsvc_db(svc), NULL, &hash, &m);
    if (r < 0)
        return NULL;
    if (r == 0) {
        json_t *out = NULL;
        struct address from;
        if (rpc_tx_sender(ctx, chainsvc_params(svc), &m.block, m.index, &from) == 0) {
            struct rpc_tx_loc loc = {m.block_hash, m.block.header.number, m.index};
            out = rpc_tx_json(&m.block.body.txs[m.index], &hash, &from, &loc);
            if (!out)
                rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        }
        block_free(&m.block);
        return out;
    }
    struct chainsvc_pool_tx pt;
    int rc = chainsvc_pool_get(svc, &hash, &pt);
    if (rc == ERR_NOTFOUND)
        return json_null();
    if (rc) {
        rpc_fail_db(ctx, rc);
        return NULL;
    }
    json_t *out = rpc_tx_json(&pt.tx, &pt.hash, &pt.sender, NULL);
    chainsvc_pool_tx_free(&pt);
    return out ? out : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

json_t *rpc_eth_get_transaction_receipt(const json_t *params, struct rpc_ctx *ctx)
{
    struct hash32 hash;
    if (rpc_params_count(ctx, params, 1, 1) || rpc_param_hash(ctx, params, 0, &hash))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    struct db *db = chainsvc_db(svc);
    struct db_snapshot *snap = db_snapshot_new(db);
    if (!snap)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    struct rpc_mined_tx m;
    json_t *out = NULL;
    int r = rpc_find_mined_tx(ctx, db, snap, &hash, &m);
    if (r == 1)
        out = json_null();
    if (r == 0) {
        struct receipt *rs = NULL;
        size_t n = 0;
        int rc = chaindb_read_receipts(db, snap, &m.block_hash, &rs, &n);
        struct address from;
        if (rc) {
            rpc_fail_db(ctx, rc);
        } else if (m.index >= n) {
            rpc_fail(ctx, RPC_SERVER_ERROR, "receipts of block %llu are incomplete",
                     (unsigned long long)m.block.header.number);
        } else if (rpc_tx_sender(ctx, chainsvc_params(svc), &m.block, m.index, &from) == 0) {
            uint64_t first_log = 0;
            for (size_t i = 0; i < m.index; i++)
                first_log += rs[i].log_count;
            uint64_t prev = m.index ? rs[m.index - 1].cumulative_gas : 0;
            uint64_t used = rs[m.index].cumulative_gas >= prev
                                ? rs[m.index].cumulative_gas - prev : 0;
            struct rpc_tx_loc loc = {m.block_hash, m.block.header.number, m.index};
            out = rpc_receipt_json(&rs[m.index], &m.block.body.txs[m.index], &hash, &from, &loc,
                                   used, first_log);
            if (!out)
                rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        }
        chaindb_receipts_free(rs, n);
        block_free(&m.block);
    }
    db_snapshot_free(db, snap);
    return out;
}
