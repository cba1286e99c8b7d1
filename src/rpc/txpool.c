/*
 * txpool.c — the txpool_ namespace (geth's): how many transactions wait,
 * and which. The pool belongs to the chain thread, so its methods ask the
 * chain service, which answers with counts or deep copies; the JSON is
 * built here, on the worker.
 *
 * txpool_content's shape is geth's: {"pending": {sender: {nonce: tx}},
 * "queued": {...}} with senders in EIP-55 case and nonces as decimal
 * strings, transactions as eth_getTransactionByHash shows pending ones.
 * txpool_inspect has the same shape with geth's one-line text per
 * transaction instead of the object, so both are one walk of the pool
 * (pool_walk) with a per-transaction formatter.
 */
#include <inttypes.h>
#include <stdio.h>

#include "chainsvc/chainsvc.h"
#include "rpc/chainjson.h"
#include "rpc/chainread.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "util/err.h"

/* {"pending": p, "queued": q}, taking both references (either may be
 * NULL: out of memory). */
static json_t *pair(struct rpc_ctx *ctx, json_t *p, json_t *q)
{
    json_t *o = json_object();
    bool ok = o && p && q && json_object_set(o, "pending", p) == 0 &&
              json_object_set(o, "queued", q) == 0;
    json_decref(p);
    json_decref(q);
    if (!ok) {
        json_decref(o);
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    }
    return o;
}

static json_t *status(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    size_t pending, queued;
    int rc = chainsvc_pool_status(svc, &pending, &queued);
    if (rc) {
        rpc_fail_db(ctx, rc);
        return NULL;
    }
    return pair(ctx, rpc_json_quantity(pending), rpc_json_quantity(queued));
}

/* How txpool_content and txpool_inspect show one transaction: a new
 * reference, NULL when out of memory. */
typedef json_t *(*tx_format_fn)(const struct chainsvc_pool_tx *t);

/* Adds fmt(t) to out[sender][nonce]. Returns 0 or -1 (out of memory). */
static int add_tx(json_t *out, const struct chainsvc_pool_tx *t, tx_format_fn fmt)
{
    char addr[ADDRESS_HEX_SIZE], nonce[24];
    address_to_checksum_hex(&t->sender, addr);
    snprintf(nonce, sizeof nonce, "%" PRIu64, t->tx.nonce);
    json_t *acct = json_object_get(out, addr);
    if (!acct) {
        acct = json_object();
        if (!acct || json_object_set_new(out, addr, acct))
            return -1;
    }
    json_t *j = fmt(t);
    return j && json_object_set_new(acct, nonce, j) == 0 ? 0 : -1;
}

/* The pool as {"pending": {sender: {nonce: fmt(tx)}}, "queued": {...}}. */
static json_t *pool_walk(const json_t *params, struct rpc_ctx *ctx, tx_format_fn fmt)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    struct chainsvc_pool_tx *txs;
    size_t n;
    int rc = chainsvc_pool_content(svc, &txs, &n);
    if (rc) {
        rpc_fail_db(ctx, rc);
        return NULL;
    }
    json_t *pending = json_object(), *queued = json_object();
    bool ok = pending && queued;
    for (size_t i = 0; ok && i < n; i++)
        ok = add_tx(txs[i].pending ? pending : queued, &txs[i], fmt) == 0;
    chainsvc_pool_txs_free(txs, n);
    if (!ok) {
        json_decref(pending);
        json_decref(queued);
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    }
    return pair(ctx, pending, queued);
}

/* ---- txpool_content ---------------------------------------------------------------- */

/* The transaction as eth_getTransactionByHash shows a pending one. */
static json_t *content_tx(const struct chainsvc_pool_tx *t)
{
    return rpc_tx_json(&t->tx, &t->hash, &t->sender, NULL);
}

static json_t *content(const json_t *params, struct rpc_ctx *ctx)
{
    return pool_walk(params, ctx, content_tx);
}

/* ---- txpool_inspect ---------------------------------------------------------------- */

/* geth's one-line summary of a transaction:
 * "<to, EIP-55>: <value> wei + <gas> gas × <gasPrice> wei", or
 * "contract creation: ..." (numbers in decimal). Returns a new string. */
static json_t *inspect_line(const struct chainsvc_pool_tx *t)
{
    const struct tx *tx = &t->tx;
    char to[ADDRESS_HEX_SIZE], value[U256_DEC_BUF], price[U256_DEC_BUF], line[320];
    if (tx->has_to)
        address_to_checksum_hex(&tx->to, to);
    u256_to_dec(&tx->value, value);
    u256_to_dec(&tx->gas_price, price);
    snprintf(line, sizeof line, "%s: %s wei + %" PRIu64 " gas \u00d7 %s wei",
             tx->has_to ? to : "contract creation", value, tx->gas, price);
    return json_string(line);
}

static json_t *inspect(const json_t *params, struct rpc_ctx *ctx)
{
    return pool_walk(params, ctx, inspect_line);
}
/* end txpool_inspect */

static const struct rpc_method txpool_methods[] = {
    {.name = "txpool_content", .fn = content, .flags = 0,
     .summary = "Lists every pooled transaction, pending (executable now) and queued (after a "
                "nonce gap), by sender (EIP-55) and nonce (decimal), as geth does.",
     .result = "{\"pending\": {sender: {nonce: tx}}, \"queued\": {...}}"},
    /* txpool_inspect */
    {.name = "txpool_inspect", .fn = inspect, .flags = 0,
     .summary = "Summarizes every pooled transaction in one line, as geth does: \"<to>: <value> "
                "wei + <gas> gas \u00d7 <gasPrice> wei\" (\"contract creation: ...\" without "
                "a recipient; decimal numbers, EIP-55 addresses), by sender and nonce.",
     .result = "{\"pending\": {sender: {nonce: \"line\"}}, \"queued\": {...}}"},
    {.name = "txpool_status", .fn = status, .flags = 0,
     .summary = "Returns how many transactions are pending and queued.",
     .result = "{\"pending\": \"0x..\", \"queued\": \"0x..\"} (quantities)"},
};

const struct rpc_namespace rpc_ns_txpool = {"txpool", txpool_methods, RPC_COUNT(txpool_methods),
                                            false};
