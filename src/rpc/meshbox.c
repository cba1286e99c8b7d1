/*
 * meshbox.c — the meshbox_ namespace (doc/meshbox.md §9, doc/rpc.md): the
 * node's MeshBox status and weights, receipts (signed by a wallet client,
 * handed to this box, listed with the registry's verdict), reporting now,
 * and the transactions of the walk-through: stake the box, list boxes
 * (registry owner), register a client.
 *
 * Reads run on the worker with their own evm on a read-only state, like
 * tribe.c. Transactions from the node key (meshbox_addBoxes) are signed on
 * the chain thread by chainsvc_node_sign_tx; from a wallet account
 * (meshbox_registerClient) with the unlocked key, or with a passphrase for
 * this call only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chaindb.h"
#include "chainsvc/chainsvc.h"
#include "consensus/meshbox.h"
#include "consensus/tribe_engine.h"
#include "meshbox/report.h"
#include "meshbox/service.h"
#include "rpc/chainjson.h"
#include "rpc/chainread.h"
#include "rpc/eth_methods.h"
#include "rpc/meshbox.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "rpc/sysview.h"
#include "state/state.h"
#include "util/err.h"
#include "util/hex.h"
#include "wallet/wallet.h"

#define PASSPHRASE_MAX 4096
#define ADD_BOXES_MAX 256
#define TX_GAS_REGISTER 250000u
#define TX_GAS_ADD_PER_BOX 120000u
#define TX_GAS_ADD_BASE 60000u

static const uint8_t SEL_GET_SIGNER_LIMIT[4] = {0xeb, 0x5c, 0x00, 0x11};

static json_t *oom(struct rpc_ctx *ctx)
{
    return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

/* w/W with 6 decimals, as a string (exact enough to compare, no floats in
 * JSON numbers that a reader would round). */
static json_t *share_json(uint64_t num, uint64_t den)
{
    char buf[32];
    if (den == 0)
        return json_string("0.000000");
    unsigned long long scaled = (unsigned long long)((num * 1000000u) / den);
    snprintf(buf, sizeof buf, "%llu.%06llu", scaled / 1000000u, scaled % 1000000u);
    return json_string(buf);
}

json_t *rpc_meshbox_weights_json(struct rpc_ctx *ctx, const struct chain_params *p,
                                 struct evm *evm, struct state *st, const struct header *parent)
{
    uint64_t n = parent->number + 1;
    struct meshbox_set set;
    memset(&set, 0, sizeof set);
    bool weighted = params_is_meshbox_weighting(p, n);
    int rc = meshbox_load(p, evm, st, parent, NULL, 0, &set);
    if (rc) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "MeshBox read at block %llu: %s",
                 (unsigned long long)parent->number, err_msg());
        return NULL;
    }
    json_t *boxes = json_array();
    for (size_t i = 0; boxes && i < set.n; i++) {
        json_t *b = json_pack("{s:o,s:o,s:I,s:o}", "address", rpc_json_address(&set.boxes[i]),
                              "contribution", rpc_json_u256(&set.totals[i]), "weight",
                              (json_int_t)set.weights[i], "share",
                              share_json(set.weights[i], set.total_weight));
        if (!b || json_array_append_new(boxes, b)) {
            json_decref(boxes);
            boxes = NULL;
        }
    }
    json_t *out = boxes ? json_pack("{s:I,s:I,s:o,s:b,s:I,s:o}", "block", (json_int_t)n, "epoch",
                                    (json_int_t)set.epoch, "closedEpoch",
                                    set.closed ? json_integer((json_int_t)(set.epoch - 2))
                                               : json_null(),
                                    "weighted", weighted, "totalWeight",
                                    (json_int_t)set.total_weight, "boxes", boxes)
                        : NULL;
    meshbox_set_free(&set);
    return out ? out : oom(ctx);
}

static bool has_meshbox(const struct chain_params *p)
{
    return p->meshbox_epoch && !address_is_zero(&p->meshbox_registry);
}

static json_t *no_meshbox(struct rpc_ctx *ctx)
{
    return rpc_fail(ctx, RPC_SERVER_ERROR, "this chain has no MeshBox weighting");
}

/* ---- meshbox_getWeights ----------------------------------------------------------- */

static json_t *get_weights(const json_t *params, struct rpc_ctx *ctx)
{
    struct rpc_sysview v;
    if (rpc_params_count(ctx, params, 0, 1) || rpc_sysview_open(ctx, params, 0, &v))
        return NULL;
    json_t *out = has_meshbox(v.p) ? rpc_meshbox_weights_json(ctx, v.p, v.evm, v.sv.st, &v.h)
                                   : no_meshbox(ctx);
    rpc_sysview_close(&v);
    return out;
}

/* ---- meshbox_status ----------------------------------------------------------------- */

static json_t *receipts_summary(struct rpc_ctx *ctx, struct mb_service *svc,
                                const struct address *me, uint64_t epoch)
{
    struct mb_entry *e = NULL;
    size_t n = 0;
    int rc = mb_book_list(mb_service_book(svc), me, epoch >= 2 ? epoch - 2 : 0, epoch,
                          MB_BOOK_LIST_MAX, &e, &n);
    if (rc) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "receipt book: %s", err_msg());
        return NULL;
    }
    json_int_t count[5] = {0};
    for (size_t i = 0; i < n; i++)
        if ((unsigned)e[i].status < 5)
            count[e[i].status]++;
    free(e);
    struct mb_service_stats st;
    mb_service_stats(svc, &st);
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "stored", count[MB_STORED], "sent",
                     count[MB_SENT], "accepted", count[MB_ACCEPTED], "refused",
                     count[MB_REFUSED], "expired", count[MB_EXPIRED], "reportsSent",
                     (json_int_t)st.reports_sent, "lastReport",
                     st.has_last ? rpc_json_hash(&st.last_tx) : json_null());
}

static json_t *status(const json_t *params, struct rpc_ctx *ctx)
{
    struct rpc_sysview v;
    if (rpc_params_count(ctx, params, 0, 0) || rpc_sysview_open(ctx, params, 0, &v))
        return NULL;
    if (!has_meshbox(v.p)) {
        rpc_sysview_close(&v);
        return no_meshbox(ctx);
    }
    struct address me;
    chainsvc_node_address(v.svc, &me);
    uint8_t in[36] = {0};
    memcpy(in, MB_SEL_EXIST_ADDRESS, 4);
    memcpy(in + 16, me.b, 20);
    uint64_t listed = 0, sl = 0;
    bool listed_ok = rpc_sysview_u64(&v, &v.p->meshbox_registry, in, sizeof in, &listed);
    const struct chief_info *ci = params_chief_for_block(v.p, v.h.number + 1);
    bool sl_ok = ci && rpc_sysview_u64(&v, &ci->addr, SEL_GET_SIGNER_LIMIT, 4, &sl) && sl > 0;
    json_t *weights = rpc_meshbox_weights_json(ctx, v.p, v.evm, v.sv.st, &v.h);
    rpc_sysview_close(&v);
    if (!weights)
        return NULL;
    json_t *mine = NULL;
    json_int_t w = 0, W = json_integer_value(json_object_get(weights, "totalWeight"));
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(weights, "boxes"), i, b) {
        const char *a = json_string_value(json_object_get(b, "address"));
        char hex[ADDRESS_HEX_SIZE];
        address_to_hex(&me, hex);
        if (a && strcmp(a, hex) == 0) {
            mine = b;
            w = json_integer_value(json_object_get(b, "weight"));
        }
    }
    /* The box's expected share of all blocks: volunteer slots are (sl−1)/sl
     * of the blocks, each drawn with probability w/W (doc §5.3). */
    json_t *expected = mine && sl_ok ? share_json((uint64_t)w * (sl - 1), (uint64_t)W * sl)
                                     : json_string("0.000000");
    uint64_t epoch = json_integer_value(json_object_get(weights, "epoch"));
    json_t *receipts = ctx->env->meshbox ? receipts_summary(ctx, ctx->env->meshbox, &me, epoch)
                                         : json_null();
    if (!receipts) {
        json_decref(weights);
        json_decref(expected);
        return NULL;
    }
    json_t *out = json_pack(
        "{s:o,s:o,s:I,s:I,s:o,s:b,s:I,s:I,s:o,s:o,s:o,s:b}", "address", rpc_json_address(&me),
        "registry", rpc_json_address(&v.p->meshbox_registry), "epoch", (json_int_t)epoch,
        "epochLength", (json_int_t)v.p->meshbox_epoch, "listed",
        listed_ok ? json_integer((json_int_t)listed) : json_null(), "eligible", mine != NULL,
        "weight", w, "totalWeight", W, "expectedShare", expected, "receipts", receipts,
        "weights", weights, "reporting", ctx->env->meshbox != NULL);
    return out ? out : oom(ctx);
}

/* ---- receipts --------------------------------------------------------------------------- */

static json_t *receipt_json(const struct mb_receipt *r, const u256 *chain_id)
{
    uint8_t h[32];
    mb_receipt_hash(r, chain_id, h);
    struct hash32 hh;
    memcpy(hh.b, h, 32);
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "provider", rpc_json_address(&r->provider),
                     "client", rpc_json_address(&r->client), "epoch",
                     rpc_json_quantity(r->epoch), "units", rpc_json_u256(&r->units), "hash",
                     rpc_json_hash(&hh), "signature", rpc_json_hex(r->sig, MB_RECEIPT_SIG_LEN));
}

static json_t *entry_json(const struct mb_entry *e, const u256 *chain_id)
{
    json_t *o = receipt_json(&e->r, chain_id);
    if (!o)
        return NULL;
    int bad = json_object_set_new(o, "status", json_string(mb_status_name(e->status)));
    bad |= json_object_set_new(o, "accepted", rpc_json_u256(&e->accepted));
    if (e->status == MB_REFUSED)
        bad |= json_object_set_new(o, "reason", json_string(mb_reason_name(e->reason)));
    bool has_tx = false;
    for (int i = 0; i < 32; i++)
        has_tx = has_tx || e->tx.b[i];
    bad |= json_object_set_new(o, "reportTx", has_tx ? rpc_json_hash(&e->tx) : json_null());
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int sign_hash_wallet(struct rpc_ctx *ctx, const struct address *a, const char *pw,
                            const uint8_t h[32], uint8_t sig[65])
{
    struct wallet *w = ctx->env->wallet;
    if (!w || !wallet_has(w, a)) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "unknown account");
        return -1;
    }
    int rc;
    if (pw) {
        struct wallet_key *k = NULL;
        rc = wallet_key_decrypt(w, a, pw, &k);
        if (rc == 0)
            rc = wallet_key_sign_hash(k, h, sig);
        wallet_key_free(k);
    } else {
        rc = wallet_sign_hash(w, a, h, sig);
    }
    if (rc) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg());
        return -1;
    }
    return 0;
}

static int param_opt_passphrase(struct rpc_ctx *ctx, const json_t *params, size_t idx,
                                const char **pw)
{
    *pw = NULL;
    if (!rpc_param_present(params, idx))
        return 0;
    return rpc_param_string(ctx, params, idx, PASSPHRASE_MAX, pw);
}

/* meshbox_signReceipt(client, provider, units, [epoch], [passphrase]) */
static json_t *sign_receipt(const json_t *params, struct rpc_ctx *ctx)
{
    struct mb_receipt r;
    memset(&r, 0, sizeof r);
    const char *pw = NULL;
    if (rpc_params_count(ctx, params, 3, 5) || rpc_param_address(ctx, params, 0, &r.client) ||
        rpc_param_address(ctx, params, 1, &r.provider) ||
        rpc_json_to_u256(ctx, json_array_get(params, 2), 2, "units", &r.units) ||
        param_opt_passphrase(ctx, params, 4, &pw))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    const struct chain_params *p = chainsvc_params(svc);
    if (!has_meshbox(p))
        return no_meshbox(ctx);
    if (rpc_param_present(params, 3)) {
        if (rpc_param_quantity(ctx, params, 3, &r.epoch))
            return NULL;
    } else {
        r.epoch = (chainsvc_head_number(svc, NULL) + 1) / p->meshbox_epoch;
    }
    u256 cid = u256_from_u64(p->chain_id);
    uint8_t h[32];
    mb_receipt_hash(&r, &cid, h);
    if (sign_hash_wallet(ctx, &r.client, pw, h, r.sig))
        return NULL;
    json_t *out = receipt_json(&r, &cid);
    return out ? out : oom(ctx);
}

/* A receipt object: {provider, client, epoch, units, signature}. */
static int param_receipt(struct rpc_ctx *ctx, const json_t *params, size_t idx,
                         struct mb_receipt *r)
{
    const json_t *o = json_array_get(params, idx);
    if (!json_is_object(o)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: want a receipt object", idx);
        return -1;
    }
    memset(r, 0, sizeof *r);
    if (rpc_json_to_address(ctx, json_object_get(o, "provider"), idx, "provider", &r->provider) ||
        rpc_json_to_address(ctx, json_object_get(o, "client"), idx, "client", &r->client) ||
        rpc_json_to_quantity(ctx, json_object_get(o, "epoch"), idx, "epoch", &r->epoch) ||
        rpc_json_to_u256(ctx, json_object_get(o, "units"), idx, "units", &r->units))
        return -1;
    const char *sig = json_string_value(json_object_get(o, "signature"));
    if (!sig || strncmp(sig, "0x", 2) != 0 ||
        hex_decode_exact(sig + 2, strlen(sig + 2), r->sig, MB_RECEIPT_SIG_LEN)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS,
                 "invalid argument %zu: signature: want 65 bytes of hex (r, s, v)", idx);
        return -1;
    }
    return 0;
}

static struct mb_service *service(struct rpc_ctx *ctx)
{
    if (!ctx->env->meshbox)
        rpc_fail(ctx, RPC_SERVER_ERROR, "the MeshBox receipt book is off (no MeshBox weighting "
                                        "on this chain, or -meshbox=0)");
    return ctx->env->meshbox;
}

static json_t *submit_receipt(const json_t *params, struct rpc_ctx *ctx)
{
    struct mb_receipt r;
    if (rpc_params_count(ctx, params, 1, 1) || param_receipt(ctx, params, 0, &r))
        return NULL;
    struct mb_service *svc = service(ctx);
    if (!svc)
        return NULL;
    bool replaced = false;
    int rc = mb_service_submit(svc, &r, &replaced);
    if (rc == ERR_NOMEM)
        return oom(ctx);
    if (rc)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "receipt refused: %s", err_msg());
    json_t *out = json_pack("{s:b,s:b,s:o}", "stored", 1, "replaced", replaced, "units",
                            rpc_json_u256(&r.units));
    return out ? out : oom(ctx);
}

static json_t *receipts(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 1))
        return NULL;
    struct mb_service *svc = service(ctx);
    struct chainsvc *chain = svc ? rpc_chain(ctx) : NULL;
    if (!chain)
        return NULL;
    uint64_t from = 0, to = mb_service_epoch(svc);
    if (rpc_param_present(params, 0)) {
        if (rpc_param_quantity(ctx, params, 0, &from))
            return NULL;
        to = from;
    }
    struct address me;
    chainsvc_node_address(chain, &me);
    struct mb_entry *e = NULL;
    size_t n = 0;
    int rc = mb_book_list(mb_service_book(svc), &me, from, to, MB_BOOK_LIST_MAX, &e, &n);
    if (rc)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "receipt book: %s", err_msg());
    u256 cid = u256_from_u64(chainsvc_params(chain)->chain_id);
    json_t *out = json_array();
    for (size_t i = 0; out && i < n; i++) {
        json_t *x = entry_json(&e[i], &cid);
        if (!x || json_array_append_new(out, x)) {
            json_decref(out);
            out = NULL;
        }
    }
    free(e);
    return out ? out : oom(ctx);
}

static json_t *report(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct mb_service *svc = service(ctx);
    if (!svc)
        return NULL;
    size_t txs = 0, n = 0;
    if (mb_service_step(svc, &txs, &n))
        return rpc_fail(ctx, RPC_SERVER_ERROR, "reporting: %s", err_msg());
    json_t *out = json_pack("{s:I,s:I}", "transactions", (json_int_t)txs, "receipts",
                            (json_int_t)n);
    return out ? out : oom(ctx);
}

/* ---- transactions --------------------------------------------------------------------- */

struct wallet_signer {
    struct wallet *w;
    struct wallet_key *k;       /* a passphrase's one-use key, or NULL */
    struct address a;
};

static int sign_wallet_tx(void *vctx, struct tx *tx, uint64_t chain_id)
{
    struct wallet_signer *ws = vctx;
    return ws->k ? wallet_key_sign_tx(ws->k, tx, chain_id)
                 : wallet_sign_tx(ws->w, &ws->a, tx, chain_id);
}

static json_t *send(struct rpc_ctx *ctx, struct chainsvc *svc, const struct address *from,
                    struct wallet_signer *ws, const u256 *value, uint64_t gas,
                    const struct bytes *data)
{
    const struct chain_params *p = chainsvc_params(svc);
    struct tx t;
    memset(&t, 0, sizeof t);
    t.has_to = true;
    t.to = p->meshbox_registry;
    t.value = *value;
    t.gas = gas;
    t.gas_price = u256_from_u64(rpc_default_gas_price(ctx));
    t.data = data->data;
    t.data_len = data->len;
    struct hash32 hash;
    int rc = ws ? chainsvc_send_tx(svc, &t, from, false, sign_wallet_tx, ws, &hash)
                : chainsvc_send_tx(svc, &t, from, false, chainsvc_node_sign_tx, svc, &hash);
    if (rc == ERR_NOMEM)
        return oom(ctx);
    if (rc)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg()[0] ? err_msg() : err_name(rc));
    json_t *out = rpc_json_hash(&hash);
    return out ? out : oom(ctx);
}

/* meshbox_addBoxes([addresses], value): the registry owner's addAddress,
 * sent from the node key. */
static json_t *add_boxes(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 1, 2))
        return NULL;
    const json_t *list = json_array_get(params, 0);
    size_t n = json_array_size(list);
    if (!json_is_array(list) || n == 0 || n > ADD_BOXES_MAX)
        return rpc_fail(ctx, RPC_INVALID_PARAMS,
                        "invalid argument 0: want an array of 1 to %d addresses", ADD_BOXES_MAX);
    u256 value = u256_from_u64(1);
    if (rpc_param_present(params, 1) &&
        rpc_json_to_u256(ctx, json_array_get(params, 1), 1, "value", &value))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    if (!has_meshbox(chainsvc_params(svc)))
        return no_meshbox(ctx);
    struct bytes d = {0};
    uint8_t w[32] = {0};
    bytes_append(&d, MB_SEL_ADD_ADDRESS, 4);
    w[31] = 0x40;                                   /* offset of the array */
    bytes_append(&d, w, 32);
    u256_to_be(&value, w);
    bytes_append(&d, w, 32);
    memset(w, 0, 32);
    for (int i = 0; i < 8; i++)
        w[31 - i] = (uint8_t)((uint64_t)n >> (8 * i));
    bytes_append(&d, w, 32);
    for (size_t i = 0; i < n; i++) {
        struct address a;
        if (rpc_json_to_address(ctx, json_array_get(list, i), 0, "address", &a)) {
            bytes_free(&d);
            return NULL;
        }
        memset(w, 0, 32);
        memcpy(w + 12, a.b, 20);
        bytes_append(&d, w, 32);
    }
    if (bytes_ok(&d)) {
        bytes_free(&d);
        return oom(ctx);
    }
    struct address me;
    chainsvc_node_address(svc, &me);
    u256 zero = u256_from_u64(0);
    json_t *out = send(ctx, svc, &me, NULL, &zero, TX_GAS_ADD_BASE + TX_GAS_ADD_PER_BOX * n, &d);
    bytes_free(&d);
    return out;
}

/* meshbox_registerClient(from, deposit, [passphrase]) */
static json_t *register_client(const json_t *params, struct rpc_ctx *ctx)
{
    struct wallet_signer ws;
    memset(&ws, 0, sizeof ws);
    u256 deposit;
    const char *pw = NULL;
    if (rpc_params_count(ctx, params, 2, 3) || rpc_param_address(ctx, params, 0, &ws.a) ||
        rpc_json_to_u256(ctx, json_array_get(params, 1), 1, "deposit", &deposit) ||
        param_opt_passphrase(ctx, params, 2, &pw))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    if (!has_meshbox(chainsvc_params(svc)))
        return no_meshbox(ctx);
    ws.w = ctx->env->wallet;
    if (!ws.w || !wallet_has(ws.w, &ws.a))
        return rpc_fail(ctx, RPC_SERVER_ERROR, "unknown account");
    if (pw && wallet_key_decrypt(ws.w, &ws.a, pw, &ws.k))
        return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg());
    struct bytes d = {0};
    bytes_append(&d, MB_SEL_REGISTER, 4);
    json_t *out = bytes_ok(&d) ? oom(ctx)
                               : send(ctx, svc, &ws.a, &ws, &deposit, TX_GAS_REGISTER, &d);
    bytes_free(&d);
    wallet_key_free(ws.k);
    return out;
}

/* ---- the table -------------------------------------------------------------------------- */

static const struct rpc_param_doc block_params[] = {
    {"block", "block number, tag or hash", true, "the block the next one is drawn after "
                                                 "(default \"latest\")"},
};
static const struct rpc_param_doc sign_params[] = {
    {"client", "address", false, "the client: a wallet account, unlocked or with passphrase"},
    {"provider", "address", false, "the MeshBox that served it"},
    {"units", "quantity", false, "the client's total units from this provider in the epoch"},
    {"epoch", "quantity", true, "default: the epoch of the next block"},
    {"passphrase", "string", true, "the client's passphrase, for this call only"},
};
static const struct rpc_param_doc submit_params[] = {
    {"receipt", "object", false, "{provider, client, epoch, units, signature} as "
                                 "meshbox_signReceipt returns it (hash is ignored)"},
};
static const struct rpc_param_doc receipts_params[] = {
    {"epoch", "quantity", true, "only this epoch (default: the last three epochs)"},
};
static const struct rpc_param_doc register_params[] = {
    {"from", "address", false, "the wallet account that stakes the box in POC"},
    {"passphrase", "string", false, "its passphrase, for this call only"},
};
static const struct rpc_param_doc add_params[] = {
    {"boxes", "array of addresses", false, "MeshBox node addresses (1 to 256)"},
    {"value", "quantity", true, "the label stored for each (default 1)"},
};
static const struct rpc_param_doc client_params[] = {
    {"from", "address", false, "the client account (wallet)"},
    {"deposit", "quantity", false, "wei to lock, at least the registry's clientDeposit()"},
    {"passphrase", "string", true, "for this call only (default: the account is unlocked)"},
};

static const struct rpc_method meshbox_methods[] = {
    {.name = "meshbox_status", .fn = status,
     .summary = "This node as a MeshBox: its address, the registry, the epoch, whether it is "
                "listed and eligible, its weight and expected share of all blocks "
                "((signerLimit-1)/signerLimit * w/W), its receipts by status and the weights.",
     .result = "{address, registry, epoch, epochLength, listed, eligible, weight, totalWeight, "
               "expectedShare, receipts: {stored, sent, accepted, refused, expired, reportsSent, "
               "lastReport}, weights, reporting}"},
    {.name = "meshbox_getWeights", .fn = get_weights,
     .summary = "The eligible MeshBoxes, their contributions of the closed epoch (E-2) and "
                "weights w = 1 + floor(1000 c / C), with which the block after `block` is drawn "
                "(doc/meshbox.md §4, §5).",
     .params = block_params, .nparams = RPC_COUNT(block_params),
     .result = "{block, epoch, closedEpoch, weighted, totalWeight, boxes: [{address, "
               "contribution, weight, share}]}"},
    {.name = "meshbox_signReceipt", .fn = sign_receipt,
     .summary = "Signs a service receipt as the client (a wallet account): client received "
                "`units` in total from provider in epoch (doc/meshbox.md §3.3).",
     .params = sign_params, .nparams = RPC_COUNT(sign_params),
     .result = "{provider, client, epoch, units, hash, signature}"},
    {.name = "meshbox_submitReceipt", .fn = submit_receipt,
     .summary = "Hands a client's receipt to this MeshBox: checked (provider is this node, "
                "epoch E or E-1, the client's signature, more units than the stored one) and "
                "stored durably; the node reports it to the registry.",
     .params = submit_params, .nparams = RPC_COUNT(submit_params),
     .result = "{stored: true, replaced, units}; -32000 \"receipt refused: ...\""},
    {.name = "meshbox_receipts", .fn = receipts,
     .summary = "The receipts this node holds, with what the registry said: stored, sent (in "
                "reportTx), accepted, refused (reason: self, signature, client, replay, cap, "
                "batch reverted) or expired.",
     .params = receipts_params, .nparams = RPC_COUNT(receipts_params),
     .result = "[{provider, client, epoch, units, hash, signature, status, accepted, reason?, "
               "reportTx}]"},
    {.name = "meshbox_report", .fn = report,
     .summary = "Reports the due receipts now (the node also does it on every new head), one "
                "transaction per epoch from the node key, unless a report is still unmined.",
     .result = "{transactions, receipts}"},
    {.name = "meshbox_register", .fn = rpc_tribe_poc_deposit,
     .summary = "Stakes this node in POC from a wallet account (as tribe_pocDeposit: "
                "minDepositAmount, the node key signing keccak256(from)). With a registry "
                "listing (meshbox_addBoxes), the box is then eligible.",
     .params = register_params, .nparams = RPC_COUNT(register_params),
     .result = "transaction hash"},
    {.name = "meshbox_addBoxes", .fn = add_boxes,
     .summary = "The registry owner's addAddress(boxes, value), sent from the node key (the "
                "owner on regtest is the regtest node key).",
     .params = add_params, .nparams = RPC_COUNT(add_params), .result = "transaction hash"},
    {.name = "meshbox_registerClient", .fn = register_client,
     .summary = "Registers a wallet account as a MeshBox client with a deposit (register()).",
     .params = client_params, .nparams = RPC_COUNT(client_params),
     .result = "transaction hash"},
};

const struct rpc_namespace rpc_ns_meshbox = {"meshbox", meshbox_methods,
                                             RPC_COUNT(meshbox_methods), false};
