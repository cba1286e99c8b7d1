/*
 * logquery.c — see logquery.h. The scan walks the canonical index of one db
 * snapshot block by block: header (bloom test), then only for a possible
 * match the receipts and the body (transaction hashes).
 */
#include "rpc/logquery.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chaindb.h"
#include "chainsvc/chainsvc.h"
#include "rpc/chainread.h"
#include "rpc/dispatch.h"
#include "rpc/params.h"
#include "util/err.h"
#include "util/hex.h"

/* ---- parsing ------------------------------------------------------------------ */

static bool given(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v && !json_is_null(v);
}

/* A fromBlock/toBlock value: rpc_param_block_ref's rules (no hashes), with
 * the argument index of the criteria object in the message. */
static int block_field(struct rpc_ctx *ctx, const json_t *crit, const char *key, size_t idx,
                       struct rpc_block_ref *out)
{
    memset(out, 0, sizeof *out);
    out->kind = RPC_BLOCK_LATEST;
    if (!given(crit, key))
        return 0;
    json_t *arr = json_pack("[O]", json_object_get(crit, key));
    if (!arr) {
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        return -1;
    }
    int rc = rpc_param_block_ref(ctx, arr, 0, false, out);
    json_decref(arr);
    if (rc) {
        char msg[RPC_ERRMSG_MAX];
        const char *m = ctx->err.message;
        snprintf(msg, sizeof msg, "invalid argument %zu: %s: %.400s", idx, key,
                 strncmp(m, "invalid argument 0: ", 20) == 0 ? m + 20 : m);
        rpc_fail(ctx, RPC_INVALID_PARAMS, "%s", msg);
        return -1;
    }
    if (out->kind == RPC_BLOCK_PENDING)
        out->kind = RPC_BLOCK_LATEST;
    if (out->kind == RPC_BLOCK_EARLIEST) {
        out->kind = RPC_BLOCK_NUMBER;
        out->number = 0;
    }
    return 0;
}

static int hash_field(struct rpc_ctx *ctx, const json_t *v, size_t idx, struct hash32 *out)
{
    if (!json_is_string(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: blockHash: json: cannot "
                 "unmarshal non-string into Go value of type common.Hash", idx);
        return -1;
    }
    const char *s = json_string_value(v);
    size_t sl = json_string_length(v);
    if (sl < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: blockHash: hex string "
                 "without 0x prefix", idx);
        return -1;
    }
    if (sl != 2 + 2 * HASH32_LEN) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: blockHash: hex string has "
                 "length %zu, want 64 for common.Hash", idx, sl - 2);
        return -1;
    }
    if (hex_decode_exact(s + 2, sl - 2, out->b, HASH32_LEN) != 0) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: blockHash: invalid hex string",
                 idx);
        return -1;
    }
    return 0;
}

int rpc_log_query_parse(struct rpc_ctx *ctx, const json_t *params, size_t idx,
                        struct rpc_log_query *q)
{
    memset(q, 0, sizeof *q);
    q->from.kind = RPC_BLOCK_LATEST;
    q->to.kind = RPC_BLOCK_LATEST;
    json_t *crit = json_array_get(params, idx);
    if (!crit || json_is_null(crit))
        return 0;
    if (!json_is_object(crit)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                 "non-object into Go value of type filters.FilterCriteria", idx);
        return -1;
    }
    if (given(crit, "blockHash")) {
        if (given(crit, "fromBlock") || given(crit, "toBlock")) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: cannot specify both "
                     "BlockHash and FromBlock/ToBlock, choose one or the other", idx);
            return -1;
        }
        if (hash_field(ctx, json_object_get(crit, "blockHash"), idx, &q->hash))
            return -1;
        q->has_hash = true;
    } else if (block_field(ctx, crit, "fromBlock", idx, &q->from) ||
               block_field(ctx, crit, "toBlock", idx, &q->to)) {
        return -1;
    }
    char msg[160];
    int rc = logfilter_parse(crit, &q->f, msg, sizeof msg);
    if (rc == ERR_NOMEM) {
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        return -1;
    }
    if (rc) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %s", idx, msg);
        return -1;
    }
    return 0;
}

/* ---- live matching ------------------------------------------------------------- */

bool rpc_log_query_match_live(const struct rpc_log_query *q, const struct log *l,
                              const struct rpc_log_loc *loc)
{
    if (q->has_hash && !hash32_eq(&q->hash, &loc->block_hash))
        return false;
    if (q->from.kind == RPC_BLOCK_NUMBER && loc->block_number < q->from.number)
        return false;
    if (q->to.kind == RPC_BLOCK_NUMBER && loc->block_number > q->to.number)
        return false;
    return logfilter_match_log(&q->f, l);
}

int rpc_log_query_copy(struct rpc_log_query *dst, const struct rpc_log_query *src)
{
    *dst = *src;
    if (logfilter_copy(&dst->f, &src->f)) {
        memset(dst, 0, sizeof *dst);
        return ERR_NOMEM;
    }
    return 0;
}

void rpc_log_query_free(struct rpc_log_query *q)
{
    logfilter_free(&q->f);
    memset(q, 0, sizeof *q);
}

/* ---- the scan -------------------------------------------------------------------- */

struct scan {
    struct rpc_ctx *ctx;
    struct db *db;
    const struct db_snapshot *snap;
    const struct rpc_log_query *q;
    json_t *out;
};

static json_t *oom(struct rpc_ctx *ctx)
{
    return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

/* Appends the matching logs of block `hash` (number) to s->out. Returns 0,
 * or -1 with the error set (too many results, a read failure). */
static int scan_block(struct scan *s, const struct hash32 *hash, uint64_t number)
{
    struct receipt *rs = NULL;
    size_t n = 0;
    int rc = chaindb_read_receipts(s->db, s->snap, hash, &rs, &n);
    if (rc == ERR_NOTFOUND)
        return 0;       /* a block without stored receipts holds nothing to show */
    if (rc)
        return rpc_fail_db(s->ctx, rc);
    struct block_body body;
    memset(&body, 0, sizeof body);
    bool have_body = false;
    int ret = 0;
    uint64_t log_index = 0;
    for (size_t i = 0; i < n && ret == 0; i++) {
        struct hash32 th;
        bool have_th = false;
        for (size_t k = 0; k < rs[i].log_count && ret == 0; k++, log_index++) {
            if (!logfilter_match_log(&s->q->f, &rs[i].logs[k]))
                continue;
            if (!have_th) {
                if (!have_body) {
                    rc = chaindb_read_body(s->db, s->snap, hash, &body);
                    if (rc) {
                        ret = rpc_fail_db(s->ctx, rc);
                        break;
                    }
                    have_body = true;
                }
                if (i >= body.tx_count) {
                    rpc_fail(s->ctx, RPC_SERVER_ERROR, "receipts of block %llu do not match "
                             "its transactions", (unsigned long long)number);
                    ret = -1;
                    break;
                }
                if (tx_hash(&body.txs[i], th.b)) {
                    ret = rpc_fail_db(s->ctx, ERR_NOMEM);
                    break;
                }
                have_th = true;
            }
            if (json_array_size(s->out) >= RPC_LOGS_MAX_RESULTS) {
                rpc_fail(s->ctx, RPC_LOGS_TOO_MANY, "query returned more than %d results",
                         RPC_LOGS_MAX_RESULTS);
                ret = -1;
                break;
            }
            struct rpc_log_loc loc = {*hash, number, th, i, log_index};
            json_t *j = rpc_log_json(&rs[i].logs[k], &loc, false);
            if (!j || json_array_append_new(s->out, j)) {
                oom(s->ctx);
                ret = -1;
            }
        }
    }
    if (have_body)
        block_body_free(&body);
    chaindb_receipts_free(rs, n);
    return ret;
}

/* Reads header `hash` and scans the block when its bloom may match.
 * Returns 0, 1 (no such header), -1 (error set). */
static int scan_header(struct scan *s, const struct hash32 *hash, uint64_t *number)
{
    struct header h;
    int rc = chaindb_read_header(s->db, s->snap, hash, &h);
    if (rc == ERR_NOTFOUND)
        return 1;
    if (rc)
        return rpc_fail_db(s->ctx, rc);
    bool maybe = logfilter_bloom_match(&s->q->f, &h.bloom);
    *number = h.number;
    header_free(&h);
    return maybe ? scan_block(s, hash, *number) : 0;
}

/* The head of the snapshot. */
static int snapshot_head(struct scan *s, uint64_t *number)
{
    struct hash32 hh;
    struct header h;
    int rc = chaindb_read_head(s->db, s->snap, &hh);
    if (rc == 0)
        rc = chaindb_read_header(s->db, s->snap, &hh, &h);
    if (rc)
        return rpc_fail_db(s->ctx, rc);
    *number = h.number;
    header_free(&h);
    return 0;
}

static int invalid_range(struct rpc_ctx *ctx)
{
    rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid block range params");
    return -1;
}

static int range_too_large(struct rpc_ctx *ctx)
{
    rpc_fail(ctx, RPC_SERVER_ERROR, "exceed maximum block range: %d", RPC_LOGS_MAX_RANGE);
    return -1;
}

static int scan_range(struct scan *s)
{
    const struct rpc_log_query *q = s->q;
    bool from_num = q->from.kind == RPC_BLOCK_NUMBER, to_num = q->to.kind == RPC_BLOCK_NUMBER;
    /* What needs no head first, so that it answers the same on any chain. */
    if (from_num && to_num && q->from.number > q->to.number)
        return invalid_range(s->ctx);
    if (from_num && to_num && q->to.number - q->from.number >= RPC_LOGS_MAX_RANGE)
        return range_too_large(s->ctx);
    uint64_t head;
    if (snapshot_head(s, &head))
        return -1;
    uint64_t from = from_num ? q->from.number : head;
    uint64_t to = to_num ? q->to.number : head;
    if (to_num && to > head) {
        rpc_fail(s->ctx, RPC_INVALID_PARAMS, "block range extends beyond current head block");
        return -1;
    }
    if (from > to)
        return invalid_range(s->ctx);
    if (to - from >= RPC_LOGS_MAX_RANGE)
        return range_too_large(s->ctx);
    for (uint64_t n = from;; n++) {
        if (atomic_load(s->ctx->cancelled)) {
            rpc_fail(s->ctx, RPC_SERVER_ERROR, "request cancelled");
            return -1;
        }
        struct hash32 hash;
        int rc = chaindb_read_canonical(s->db, s->snap, n, &hash);
        if (rc == ERR_NOTFOUND)
            return 0;
        if (rc)
            return rpc_fail_db(s->ctx, rc);
        uint64_t number;
        if (scan_header(s, &hash, &number) < 0)
            return -1;
        if (n == to)
            return 0;
    }
}

json_t *rpc_log_query_run(struct rpc_ctx *ctx, struct chainsvc *svc,
                          const struct rpc_log_query *q)
{
    struct scan s = {ctx, chainsvc_db(svc), NULL, q, json_array()};
    if (!s.out)
        return oom(ctx);
    struct db_snapshot *snap = db_snapshot_new(s.db);
    if (!snap) {
        json_decref(s.out);
        return oom(ctx);
    }
    s.snap = snap;
    int rc;
    if (q->has_hash) {
        uint64_t number;
        rc = scan_header(&s, &q->hash, &number);
        if (rc == 1) {
            rpc_fail(ctx, RPC_SERVER_ERROR, "unknown block");
            rc = -1;
        }
    } else {
        rc = scan_range(&s);
    }
    db_snapshot_free(s.db, snap);
    if (rc) {
        json_decref(s.out);
        return NULL;
    }
    return s.out;
}
