/*
 * chainjson.c — see chainjson.h. Field names and encodings follow geth
 * 1.8's internal/ethapi (RPCMarshalBlock, RPCTransaction, the receipt map)
 * and core/types' JSON marshalling of headers and logs, which is what
 * Spectrum's node serves and what web3 libraries parse.
 */
#include "rpc/chainjson.h"

#include <string.h>

#include "chain/processor.h"
#include "evm/evm.h"
#include "rpc/dispatch.h"
#include "rpc/params.h"
#include "util/bytes.h"
#include "util/hex.h"

/* ---- arguments ---------------------------------------------------------------- */

/* Fixed-length hex into out (len bytes), with hexutil's messages. */
static int fixed_hex(struct rpc_ctx *ctx, const json_t *v, size_t idx, const char *what,
                     const char *gotype, uint8_t *out, size_t len)
{
    char pre[96];
    if (what)
        snprintf(pre, sizeof pre, "%s: ", what);
    else
        pre[0] = 0;
    if (!v || json_is_null(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, what ? "invalid argument %zu: %smissing" :
                 "missing value for required argument %zu%s", idx, pre);
        return -1;
    }
    if (!json_is_string(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %sjson: cannot unmarshal "
                 "non-string into Go value of type %s", idx, pre, gotype);
        return -1;
    }
    const char *s = json_string_value(v);
    size_t sl = json_string_length(v);
    if (sl < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %shex string without 0x prefix",
                 idx, pre);
        return -1;
    }
    if (sl - 2 != 2 * len) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %shex string has length %zu, "
                 "want %zu for %s", idx, pre, sl - 2, 2 * len, gotype);
        return -1;
    }
    if (hex_decode_exact(s + 2, sl - 2, out, len) != 0) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %sinvalid hex string", idx,
                 pre);
        return -1;
    }
    return 0;
}

int rpc_param_address(struct rpc_ctx *ctx, const json_t *params, size_t idx, struct address *out)
{
    return fixed_hex(ctx, json_array_get(params, idx), idx, NULL, "common.Address", out->b,
                     ADDRESS_LEN);
}

int rpc_param_hash(struct rpc_ctx *ctx, const json_t *params, size_t idx, struct hash32 *out)
{
    return fixed_hex(ctx, json_array_get(params, idx), idx, NULL, "common.Hash", out->b,
                     HASH32_LEN);
}

int rpc_json_to_address(struct rpc_ctx *ctx, const json_t *v, size_t idx, const char *what,
                        struct address *out)
{
    return fixed_hex(ctx, v, idx, what, "common.Address", out->b, ADDRESS_LEN);
}

int rpc_json_to_quantity(struct rpc_ctx *ctx, const json_t *v, size_t idx, const char *what,
                         uint64_t *out)
{
    /* rpc_param_quantity reads from an array: wrap v in one. */
    json_t *arr = json_array();
    if (!arr || json_array_append(arr, (json_t *)v)) {
        json_decref(arr);
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        return -1;
    }
    int rc = rpc_param_quantity(ctx, arr, 0, out);
    json_decref(arr);
    if (rc) {
        /* Re-point the message at the argument and field. */
        char msg[RPC_ERRMSG_MAX];
        const char *m = ctx->err.message;
        const char *tail = strncmp(m, "invalid argument 0: ", 20) == 0 ? m + 20 : m;
        if (strncmp(m, "missing value", 13) == 0)
            tail = "missing";
        snprintf(msg, sizeof msg, "invalid argument %zu: %.64s: %.400s", idx, what, tail);
        rpc_fail(ctx, RPC_INVALID_PARAMS, "%s", msg);
        return -1;
    }
    return 0;
}

int rpc_json_to_u256(struct rpc_ctx *ctx, const json_t *v, size_t idx, const char *what,
                     u256 *out)
{
    if (!json_is_string(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %s: json: cannot unmarshal "
                 "non-string into Go value of type *hexutil.Big", idx, what);
        return -1;
    }
    const char *s = json_string_value(v);
    size_t sl = json_string_length(v);
    const char *why = NULL;
    if (sl < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        why = "hex string without 0x prefix";
    else if (sl == 2)
        why = "hex string \"0x\"";
    else if (sl > 3 && s[2] == '0')
        why = "hex number with leading zero digits";
    else if (sl - 2 > 64)
        why = "hex number > 256 bits";
    else if (u256_from_hex(out, s + 2, sl - 2) != 0)
        why = "invalid hex string";
    if (why) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %s: %s", idx, what, why);
        return -1;
    }
    return 0;
}

int rpc_param_block_ref(struct rpc_ctx *ctx, const json_t *params, size_t idx, bool allow_hash,
                        struct rpc_block_ref *out)
{
    memset(out, 0, sizeof *out);
    json_t *v = json_array_get(params, idx);
    if (!v || json_is_null(v)) {
        out->kind = RPC_BLOCK_LATEST;
        return 0;
    }
    if (json_is_object(v)) {
        json_t *num = json_object_get(v, "blockNumber");
        json_t *hash = json_object_get(v, "blockHash");
        if (hash && allow_hash && !num) {
            out->kind = RPC_BLOCK_HASH;
            return fixed_hex(ctx, hash, idx, "blockHash", "common.Hash", out->hash.b, HASH32_LEN);
        }
        if (!num || hash) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %s", idx,
                     allow_hash ? "types BlockNumber or BlockHash expected" :
                                  "block number expected (blockNumber)");
            return -1;
        }
        v = num;
    }
    if (!json_is_string(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                 "non-string into Go value of type rpc.BlockNumber", idx);
        return -1;
    }
    const char *s = json_string_value(v);
    size_t sl = json_string_length(v);
    if (!strcmp(s, "latest")) {
        out->kind = RPC_BLOCK_LATEST;
        return 0;
    }
    if (!strcmp(s, "earliest")) {
        out->kind = RPC_BLOCK_EARLIEST;
        return 0;
    }
    if (!strcmp(s, "pending")) {
        out->kind = RPC_BLOCK_PENDING;
        return 0;
    }
    if (allow_hash && sl == 2 + 2 * HASH32_LEN) {
        out->kind = RPC_BLOCK_HASH;
        return fixed_hex(ctx, v, idx, NULL, "common.Hash", out->hash.b, HASH32_LEN);
    }
    json_t *arr = json_pack("[O]", v);
    if (!arr) {
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        return -1;
    }
    int rc = rpc_param_quantity(ctx, arr, 0, &out->number);
    json_decref(arr);
    if (rc) {
        char msg[RPC_ERRMSG_MAX];
        const char *m = ctx->err.message;
        snprintf(msg, sizeof msg, "invalid argument %zu: %.400s", idx,
                 strncmp(m, "invalid argument 0: ", 20) == 0 ? m + 20 : m);
        rpc_fail(ctx, RPC_INVALID_PARAMS, "%s", msg);
        return -1;
    }
    out->kind = RPC_BLOCK_NUMBER;
    return 0;
}

/* ---- values ------------------------------------------------------------------- */

json_t *rpc_json_u256(const u256 *v)
{
    char buf[U256_HEX_BUF];
    u256_to_hex_quantity(v, buf);
    return json_string_nocheck(buf);
}

json_t *rpc_json_hash(const struct hash32 *h)
{
    return rpc_json_hex(h->b, HASH32_LEN);
}

json_t *rpc_json_address(const struct address *a)
{
    return rpc_json_hex(a->b, ADDRESS_LEN);
}

/* Sets key to v (stolen) and records a failure when v is NULL. */
static void put(json_t *o, const char *key, json_t *v, bool *ok)
{
    if (!v || json_object_set_new_nocheck(o, key, v))
        *ok = false;
}

/* The header fields shared by headers and blocks. */
static bool header_fields(json_t *o, const struct header *h, const struct hash32 *hash)
{
    bool ok = true;
    put(o, "number", rpc_json_quantity(h->number), &ok);
    put(o, "hash", rpc_json_hash(hash), &ok);
    put(o, "parentHash", rpc_json_hash(&h->parent_hash), &ok);
    put(o, "nonce", rpc_json_hex(h->nonce, sizeof h->nonce), &ok);
    put(o, "mixHash", rpc_json_hash(&h->mix_digest), &ok);
    put(o, "sha3Uncles", rpc_json_hash(&h->uncle_hash), &ok);
    put(o, "logsBloom", rpc_json_hex(h->bloom.b, BLOOM_BYTES), &ok);
    put(o, "transactionsRoot", rpc_json_hash(&h->tx_root), &ok);
    put(o, "stateRoot", rpc_json_hash(&h->state_root), &ok);
    put(o, "receiptsRoot", rpc_json_hash(&h->receipt_root), &ok);
    put(o, "miner", rpc_json_address(&h->coinbase), &ok);
    put(o, "difficulty", rpc_json_u256(&h->difficulty), &ok);
    put(o, "extraData", rpc_json_hex(h->extra, h->extra_len), &ok);
    put(o, "gasLimit", rpc_json_quantity(h->gas_limit), &ok);
    put(o, "gasUsed", rpc_json_quantity(h->gas_used), &ok);
    put(o, "timestamp", rpc_json_quantity(h->time), &ok);
    return ok;
}

json_t *rpc_header_json(const struct header *h, const struct hash32 *hash)
{
    json_t *o = json_object();
    if (o && !header_fields(o, h, hash)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *rpc_tx_json(const struct tx *tx, const struct hash32 *hash, const struct address *from,
                    const struct rpc_tx_loc *loc)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    bool ok = true;
    put(o, "blockHash", loc ? rpc_json_hash(&loc->block_hash) : json_null(), &ok);
    put(o, "blockNumber", loc ? rpc_json_quantity(loc->block_number) : json_null(), &ok);
    put(o, "from", rpc_json_address(from), &ok);
    put(o, "gas", rpc_json_quantity(tx->gas), &ok);
    put(o, "gasPrice", rpc_json_u256(&tx->gas_price), &ok);
    put(o, "hash", rpc_json_hash(hash), &ok);
    put(o, "input", rpc_json_hex(tx->data, tx->data_len), &ok);
    put(o, "nonce", rpc_json_quantity(tx->nonce), &ok);
    put(o, "to", tx->has_to ? rpc_json_address(&tx->to) : json_null(), &ok);
    put(o, "transactionIndex", loc ? rpc_json_quantity(loc->index) : json_null(), &ok);
    put(o, "value", rpc_json_u256(&tx->value), &ok);
    put(o, "v", rpc_json_u256(&tx->v), &ok);
    u256 r, s;
    u256_from_be(&r, tx->r, 32);
    u256_from_be(&s, tx->s, 32);
    put(o, "r", rpc_json_u256(&r), &ok);
    put(o, "s", rpc_json_u256(&s), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *rpc_block_json(const struct chain_params *p, const struct block *b,
                       const struct hash32 *hash, const u256 *td, uint64_t size, bool full,
                       const struct address *senders)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    bool ok = header_fields(o, &b->header, hash);
    put(o, "totalDifficulty", rpc_json_u256(td), &ok);
    put(o, "size", rpc_json_quantity(size), &ok);
    put(o, "uncles", json_array(), &ok);
    json_t *txs = json_array();
    for (size_t i = 0; ok && txs && i < b->body.tx_count; i++) {
        const struct tx *tx = &b->body.txs[i];
        if (chain_is_chief_update(p, tx))
            continue;
        struct hash32 th;
        if (tx_hash(tx, th.b)) {
            ok = false;
            break;
        }
        json_t *item;
        if (full) {
            struct rpc_tx_loc loc = {*hash, b->header.number, i};
            item = rpc_tx_json(tx, &th, &senders[i], &loc);
        } else {
            item = rpc_json_hash(&th);
        }
        if (!item || json_array_append_new(txs, item))
            ok = false;
    }
    put(o, "transactions", txs, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *rpc_log_json(const struct log *l, const struct rpc_log_loc *loc, bool removed)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    bool ok = true;
    put(o, "address", rpc_json_address(&l->address), &ok);
    json_t *topics = json_array();
    for (size_t i = 0; topics && i < l->topic_count; i++)
        if (json_array_append_new(topics, rpc_json_hash(&l->topics[i])))
            ok = false;
    put(o, "topics", topics, &ok);
    put(o, "data", rpc_json_hex(l->data, l->data_len), &ok);
    put(o, "blockNumber", rpc_json_quantity(loc->block_number), &ok);
    put(o, "transactionHash", rpc_json_hash(&loc->tx_hash), &ok);
    put(o, "transactionIndex", rpc_json_quantity(loc->tx_index), &ok);
    put(o, "blockHash", rpc_json_hash(&loc->block_hash), &ok);
    put(o, "logIndex", rpc_json_quantity(loc->log_index), &ok);
    put(o, "removed", json_boolean(removed), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *rpc_receipt_json(const struct receipt *r, const struct tx *tx,
                         const struct hash32 *tx_hash, const struct address *from,
                         const struct rpc_tx_loc *loc, uint64_t gas_used,
                         uint64_t first_log_index)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    bool ok = true;
    put(o, "transactionHash", rpc_json_hash(tx_hash), &ok);
    put(o, "transactionIndex", rpc_json_quantity(loc->index), &ok);
    put(o, "blockHash", rpc_json_hash(&loc->block_hash), &ok);
    put(o, "blockNumber", rpc_json_quantity(loc->block_number), &ok);
    put(o, "from", rpc_json_address(from), &ok);
    put(o, "to", tx->has_to ? rpc_json_address(&tx->to) : json_null(), &ok);
    put(o, "cumulativeGasUsed", rpc_json_quantity(r->cumulative_gas), &ok);
    put(o, "gasUsed", rpc_json_quantity(gas_used), &ok);
    if (tx->has_to) {
        put(o, "contractAddress", json_null(), &ok);
    } else {
        struct address created;
        evm_create_address(from, tx->nonce, &created);
        put(o, "contractAddress", rpc_json_address(&created), &ok);
    }
    json_t *logs = json_array();
    for (size_t i = 0; logs && i < r->log_count; i++) {
        struct rpc_log_loc ll = {loc->block_hash, loc->block_number, *tx_hash, loc->index,
                                 first_log_index + i};
        if (json_array_append_new(logs, rpc_log_json(&r->logs[i], &ll, false)))
            ok = false;
    }
    put(o, "logs", logs, &ok);
    put(o, "logsBloom", rpc_json_hex(r->bloom.b, BLOOM_BYTES), &ok);
    if (r->has_post_state)
        put(o, "root", rpc_json_hash(&r->post_state), &ok);
    else
        put(o, "status", rpc_json_quantity(r->status ? 1 : 0), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}
