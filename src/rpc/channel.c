/*
 * channel.c — the channel_ namespace: the user operations of the built-in
 * state-channel hub (doc/channels.md; photon.md §5, Photon's REST API under
 * camelCase names).
 *
 * Every method is private (dispatch.h). Handlers run on workers and talk to
 * the hub through its commands (channel/hub.h: each waits for the hub
 * thread's turn, so "returned" means "stored") and to the chain through the
 * hub's chain client (channel/chainclient.h: transactions from the hub's
 * account, signed with the node key). The methods that change the chain
 * (open, deposit, close, settle) send their transactions, then wait for the
 * contract's event to reach the hub (at most CHANNEL_WAIT_S seconds), so
 * their answer shows the channel as the chain left it.
 *
 * Mediated payments (photon.md §3.7, §6) need two things the hub is told
 * over RPC: the route table it searches (channel_addRoute: edges with the
 * fee their first node charges) and, on a mediator, its own fee policy
 * (channel_setFeePolicy); channel_transfer then goes mediated when the
 * target is no partner, and channel_transferStatus follows it by its lock
 * secret hash on every hub of the path.
 *
 * Amounts are hex quantities in both directions, as eth_getBalance's.
 * Errors: -32602 for bad params; -32000 with geth-style messages, and where
 * Photon has a code for the refusal, data = {"code": <Photon's code>}
 * (1002 insufficient balance, 1011 invalid nonce, 3003 no route, 5026
 * invalid settle timeout).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/socket.h>

#include "chain/params.h"
#include "chainsvc/chainsvc.h"
#include "channel/chainclient.h"
#include "channel/channel.h"
#include "channel/contract.h"
#include "channel/hub.h"
#include "rpc/chainjson.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "util/err.h"
#include "util/hex.h"

/* How long open, deposit, close and settle wait for their event. */
#define CHANNEL_WAIT_S 60
/* Photon's default settle timeout (photon.md §7). */
#define SETTLE_TIMEOUT_DEFAULT 600
/* Photon's error codes (photon.md §5). */
#define PHOTON_INSUFFICIENT_BALANCE 1002
#define PHOTON_NO_ROUTE 3003
#define PHOTON_INVALID_SETTLE_TIMEOUT 5026
/* issue 7: chanops */
#define PHOTON_INVALID_STATE 1007
#define PHOTON_MEDIATED_ON_MESH 1014
#define PHOTON_CANNOT_CANCEL 1017
#define PHOTON_CHANNEL_NOT_FOUND 3002
#define PHOTON_TRANSFER_NOT_FOUND 3004
/* end issue 7: chanops */

static json_t *oom(struct rpc_ctx *ctx)
{
    return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

/* How long a call waits for the hub to apply the blocks up to the head
 * (ch_chainclient_catch_up); the client rests between rounds. */
#define CATCH_UP_MS 2000

/* The hub, or NULL with -32000 set. The hub has applied the blocks up to
 * the head the caller sees (within CATCH_UP_MS): a settle right after the
 * window's last block, or a view right after a deposit's block, sees it. */
static struct ch_hub *hub_of(struct rpc_ctx *ctx)
{
    if (!ctx->env->channel_hub || !ctx->env->channel_client || !ctx->env->chain) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "the channel hub is not running (-channel)");
        return NULL;
    }
    ch_chainclient_catch_up(ctx->env->channel_client, CATCH_UP_MS);
    return ctx->env->channel_hub;
}

/* -32000 with the hub's reason, and Photon's code in data when known. */
static json_t *hub_fail(struct rpc_ctx *ctx, int rc, int photon_code)
{
    const char *why = err_msg()[0] ? err_msg() : err_name(rc);
    if (!photon_code)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", why);
    return rpc_fail_data(ctx, RPC_SERVER_ERROR, json_pack("{s:i}", "code", photon_code), "%s",
                         why);
}

static int param_u256(struct rpc_ctx *ctx, const json_t *params, size_t idx, const char *what,
                      u256 *out)
{
    return rpc_json_to_u256(ctx, json_array_get(params, idx), idx, what, out);
}

static json_t *hex32(const uint8_t b[32])
{
    return rpc_json_hex(b, 32);
}

static json_t *addr_json(const uint8_t a[20])
{
    struct address x;
    memcpy(x.b, a, 20);
    return rpc_json_address(&x);
}

/* ---- channel JSON --------------------------------------------------------------- */

static json_t *bp_json(const struct ch_bp *bp, const uint8_t ah[32], const uint8_t sig[CH_SIG_LEN])
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "nonce", rpc_json_quantity(bp->nonce),
                     "transferredAmount", rpc_json_u256(&bp->transferred_amount), "locksroot",
                     hex32(bp->locksroot), "additionalHash", hex32(ah), "signature",
                     rpc_json_hex(sig, CH_SIG_LEN));
}

static json_t *channel_json(struct rpc_ctx *ctx, const struct ch_hub_channel_info *i)
{
    struct ch_hub_chain_info ci;
    memset(&ci, 0, sizeof ci);
    struct ch_hub_chain *hc = ch_chainclient_hub_chain(ctx->env->channel_client);
    if (ch_hub_chain_info(hc, i->channel_id, i->open_block, &ci) != 0)
        memset(&ci, 0, sizeof ci);
    u256 locked[2];
    for (int s = 0; s < 2; s++)
        u256_sub(&locked[s], &i->balance[s], &i->distributable[s]);
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:o, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
        "channelId", hex32(i->channel_id), "openBlock", rpc_json_quantity(i->open_block),
        "partner", addr_json(i->partner), "token", addr_json(i->token), "state", i->state,
        "stateString", ch_state_name(i->state), "settleTimeout",
        rpc_json_quantity(i->settle_timeout), "revealTimeout",
        rpc_json_quantity(i->reveal_timeout), "deposit", rpc_json_u256(&i->deposit[CH_OURS]),
        "partnerDeposit", rpc_json_u256(&i->deposit[CH_PARTNER]), "balance",
        rpc_json_u256(&i->balance[CH_OURS]), "partnerBalance",
        rpc_json_u256(&i->balance[CH_PARTNER]), "lockedAmount", rpc_json_u256(&locked[CH_OURS]),
        "partnerLockedAmount", rpc_json_u256(&locked[CH_PARTNER]), "ackedNonce",
        rpc_json_quantity(i->acked_nonce), "unacked", rpc_json_quantity(i->unacked));
    if (!o)
        return NULL;
    json_t *ours = bp_json(&i->bp[CH_OURS], i->additional_hash[CH_OURS], i->sig[CH_OURS]);
    json_t *theirs =
        bp_json(&i->bp[CH_PARTNER], i->additional_hash[CH_PARTNER], i->sig[CH_PARTNER]);
    if (json_object_set_new(o, "ourBalanceProof", ours) ||
        json_object_set_new(o, "partnerBalanceProof", theirs) ||
        json_object_set_new(o, "closedBlock", rpc_json_quantity(ci.closed_block)) ||
        json_object_set_new(o, "settleBlock", rpc_json_quantity(ci.settle_block)) ||
        json_object_set_new(o, "settledBlock", rpc_json_quantity(ci.settled_block)) ||
        json_object_set_new(o, "closedByUs", json_boolean(ci.closed_by_us)) ||
        json_object_set_new(o, "chainTransferredAmount",
                            ci.chain_bp[CH_OURS] ? rpc_json_u256(&ci.chain_ta[CH_OURS])
                                                 : json_null()) ||
        json_object_set_new(o, "partnerChainTransferredAmount",
                            ci.chain_bp[CH_PARTNER] ? rpc_json_u256(&ci.chain_ta[CH_PARTNER])
                                                    : json_null())) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The latest channel life with partner for token. Returns 0, ERR_NOTFOUND,
 * or the hub's error. */
static int find_by_partner(struct ch_hub *hub, const uint8_t partner[20], const uint8_t token[20],
                           struct ch_hub_channel_info *out)
{
    struct ch_hub_channel_info *list = NULL;
    size_t n = 0;
    int rc = ch_hub_list_channels(hub, &list, &n);
    if (rc)
        return rc;
    const struct ch_hub_channel_info *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (memcmp(list[i].partner, partner, 20) == 0 && memcmp(list[i].token, token, 20) == 0 &&
            (!best || list[i].open_block > best->open_block))
            best = &list[i];
    if (best)
        *out = *best;
    free(list);
    return best ? 0 : err_set(ERR_NOTFOUND, "no channel with that partner for that token");
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits until done(info) holds for the channel (by id, or by partner and
 * token when id is NULL). Returns 0 with *out, or -1 with the error set
 * (-32000 "timed out ..." naming the transaction). */
typedef bool (*channel_pred)(const struct ch_hub_channel_info *i, const void *arg);

static int wait_channel(struct rpc_ctx *ctx, const uint8_t *id, const uint8_t *partner,
                        const uint8_t *token, channel_pred done, const void *arg,
                        const struct hash32 *tx, struct ch_hub_channel_info *out)
{
    struct ch_hub *hub = ctx->env->channel_hub;
    time_t end = time(NULL) + CHANNEL_WAIT_S;
    uint64_t reverted_at = 0; /* head when tx was seen reverted */
    for (unsigned k = 0;; k++) {
        int rc = id ? ch_hub_get_channel(hub, id, 0, out)
                    : find_by_partner(hub, partner, token, out);
        if (rc == 0 && done(out, arg))
            return 0;
        if (rc && rc != ERR_NOTFOUND) {
            hub_fail(ctx, rc, 0);
            return -1;
        }
        if (reverted_at && ch_chainclient_processed(ctx->env->channel_client) >= reverted_at) {
            /* the hub has seen every block up to the revert and the channel
             * is still not where the transaction would have put it (a
             * revert because the partner or our watchdog did it first is
             * fine: the predicate held above) */
            char h[67];
            snprintf(h, 3, "0x");
            for (int b = 0; b < 32; b++)
                snprintf(h + 2 + 2 * b, 3, "%02x", tx->b[b]);
            rpc_fail(ctx, RPC_SERVER_ERROR, "transaction %s failed (reverted)", h);
            return -1;
        }
        if (tx && !reverted_at && k % 10 == 9) {
            bool mined = false, ok = false;
            if (ch_chainclient_receipt(ctx->env->chain, tx, &mined, &ok) == 0 && mined && !ok)
                reverted_at = chainsvc_head_number(ctx->env->chain, NULL);
        }
        if (*ctx->cancelled || time(NULL) >= end) {
            rpc_fail(ctx, RPC_SERVER_ERROR,
                     "timed out waiting for the contract's event (is a block producer "
                     "reachable?)");
            return -1;
        }
        sleep_ms(100);
    }
}

/* ---- methods ---------------------------------------------------------------------- */

static json_t *channel_address(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    uint8_t a[20];
    ch_hub_address(hub, a);
    json_t *o = json_pack("{s:o, s:s, s:i}", "address", addr_json(a), "host",
                          ctx->env->channel_host ? ctx->env->channel_host : "",
                          "port", (int)ch_hub_port(hub));
    return o ? o : oom(ctx);
}

static json_t *channel_register_peer(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 3, 3))
        return NULL;
    struct address partner;
    const char *host;
    uint64_t port;
    const json_t *p = json_array_get(params, 2);
    if (rpc_param_address(ctx, params, 0, &partner) ||
        rpc_param_string(ctx, params, 1, 63, &host))
        return NULL;
    if (json_is_integer(p) && json_integer_value(p) > 0 && json_integer_value(p) <= 65535)
        port = (uint64_t)json_integer_value(p);
    else if (json_is_string(p) && rpc_param_quantity(ctx, params, 2, &port) == 0 && port > 0 &&
             port <= 65535)
        ;
    else
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 2: a port in 1..65535");
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    int rc = ch_hub_register_peer(hub, partner.b, host, (uint16_t)port);
    if (rc == ERR_INVAL)
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: %s", err_msg());
    if (rc)
        return hub_fail(ctx, rc, 0);
    return json_true();
}

static bool deposit_reached(const struct ch_hub_channel_info *i, const void *arg)
{
    return i->state == CH_STATE_OPENED && u256_cmp(&i->deposit[CH_OURS], arg) >= 0;
}

/* Sends the deposit transactions: SMTToken.buyAndTransfer with the coin,
 * else approve + deposit. Returns 0 with *last (the deposit's hash) or -1. */
static int send_deposit(struct rpc_ctx *ctx, const uint8_t partner[20], const uint8_t token[20],
                        const u256 *amount, uint64_t settle_timeout, struct hash32 *last)
{
    struct ch_chainclient *cc = ctx->env->channel_client;
    const struct chain_params *p = chainsvc_params(ctx->env->chain);
    struct address self;
    ch_chainclient_address(cc, &self);
    struct bytes d = BYTES_INIT;
    int rc;
    if (memcmp(token, p->smt_token.b, 20) == 0) {
        rc = ch_call_smt_buy_and_transfer(self.b, partner, settle_timeout, &d);
        if (rc == 0)
            rc = ch_chainclient_send(cc, token, amount, d.data, d.len, last);
    } else {
        rc = ch_call_token_approve(p->tokens_network.b, amount, &d);
        if (rc == 0)
            rc = ch_chainclient_send(cc, token, NULL, d.data, d.len, NULL);
        bytes_reset(&d);
        if (rc == 0)
            rc = ch_call_tn_deposit(token, self.b, partner, amount, settle_timeout, &d);
        if (rc == 0)
            rc = ch_chainclient_send(cc, p->tokens_network.b, NULL, d.data, d.len, last);
    }
    bytes_free(&d);
    if (rc) {
        hub_fail(ctx, rc, 0);
        return -1;
    }
    return 0;
}

static json_t *open_or_deposit(const json_t *params, struct rpc_ctx *ctx, bool open)
{
    if (rpc_params_count(ctx, params, 3, open ? 4 : 3))
        return NULL;
    struct address partner, token;
    u256 amount;
    uint64_t st = SETTLE_TIMEOUT_DEFAULT;
    if (rpc_param_address(ctx, params, 0, &partner) || rpc_param_address(ctx, params, 1, &token) ||
        param_u256(ctx, params, 2, open ? "deposit" : "amount", &amount))
        return NULL;
    if (open && rpc_param_present(params, 3) && rpc_param_quantity(ctx, params, 3, &st))
        return NULL;
    if (u256_is_zero(&amount))
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 2: the amount must be above 0");
    if (open && (st < CH_SETTLE_TIMEOUT_MIN || st > CH_SETTLE_TIMEOUT_MAX))
        return rpc_fail_data(ctx, RPC_SERVER_ERROR,
                             json_pack("{s:i}", "code", PHOTON_INVALID_SETTLE_TIMEOUT),
                             "invalid settle timeout %llu (%d..%d blocks)",
                             (unsigned long long)st, CH_SETTLE_TIMEOUT_MIN,
                             CH_SETTLE_TIMEOUT_MAX);
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    uint8_t self[20];
    ch_hub_address(hub, self);
    if (memcmp(self, partner.b, 20) == 0)
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: a channel with ourselves");
    struct ch_hub_channel_info cur;
    int rc = find_by_partner(hub, partner.b, token.b, &cur);
    bool exists = rc == 0 && cur.state != CH_STATE_SETTLED;
    if (rc && rc != ERR_NOTFOUND)
        return hub_fail(ctx, rc, 0);
    if (open && exists)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "a channel with that partner for that token "
                                               "exists (channel_deposit adds to it)");
    if (!open && (!exists || cur.state != CH_STATE_OPENED))
        return rpc_fail(ctx, RPC_SERVER_ERROR, "no open channel with that partner for that "
                                               "token");
    u256 want = amount;
    if (!open && u256_add_overflow(&want, &cur.deposit[CH_OURS], &amount))
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 2: deposit overflows");
    struct hash32 tx;
    if (send_deposit(ctx, partner.b, token.b, &amount, open ? st : cur.settle_timeout, &tx))
        return NULL;
    struct ch_hub_channel_info out;
    if (wait_channel(ctx, NULL, partner.b, token.b, deposit_reached, &want, &tx, &out))
        return NULL;
    json_t *o = channel_json(ctx, &out);
    if (o && json_object_set_new(o, "txHash", rpc_json_hash(&tx))) {
        json_decref(o);
        o = NULL;
    }
    return o ? o : oom(ctx);
}

static json_t *channel_open(const json_t *params, struct rpc_ctx *ctx)
{
    return open_or_deposit(params, ctx, true);
}

static json_t *channel_deposit(const json_t *params, struct rpc_ctx *ctx)
{
    return open_or_deposit(params, ctx, false);
}

static json_t *channel_list(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    struct ch_hub_channel_info *list = NULL;
    size_t n = 0;
    int rc = ch_hub_list_channels(hub, &list, &n);
    if (rc)
        return hub_fail(ctx, rc, 0);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *o = channel_json(ctx, &list[i]);
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    free(list);
    return arr ? arr : oom(ctx);
}

/* The channel named by params[0] (id) or params[0..1] (partner, token). */
static int param_channel(struct rpc_ctx *ctx, const json_t *params, struct ch_hub *hub,
                         struct ch_hub_channel_info *out)
{
    const json_t *p0 = json_array_get(params, 0);
    int rc;
    if (json_is_string(p0) && json_string_length(p0) == 66) {
        struct hash32 id;
        if (rpc_param_hash(ctx, params, 0, &id))
            return -1;
        rc = ch_hub_get_channel(hub, id.b, 0, out);
    } else {
        struct address partner, token;
        if (rpc_param_address(ctx, params, 0, &partner) ||
            rpc_param_address(ctx, params, 1, &token))
            return -1;
        rc = find_by_partner(hub, partner.b, token.b, out);
    }
    if (rc == ERR_NOTFOUND) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "channel not found");
        return -1;
    }
    if (rc) {
        hub_fail(ctx, rc, 0);
        return -1;
    }
    return 0;
}

static json_t *channel_get(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 1, 2))
        return NULL;
    struct ch_hub *hub = hub_of(ctx);
    struct ch_hub_channel_info i;
    if (!hub || param_channel(ctx, params, hub, &i))
        return NULL;
    json_t *o = channel_json(ctx, &i);
    return o ? o : oom(ctx);
}

/* 32 bytes of hex ("0x" + 64 digits) in a field of params[idx]. */
static int json_to_b32(struct rpc_ctx *ctx, const json_t *v, size_t idx, const char *what,
                       uint8_t out[32])
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!s || json_string_length(v) != 66 || strncmp(s, "0x", 2) != 0 ||
        hex_decode_exact(s + 2, 64, out, 32) != 0) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %s: 32 bytes of hex", idx, what);
        return -1;
    }
    return 0;
}

/* The options of channel_transfer (params[3]): `true`/`false` (directOnly,
 * as before), or {directOnly?, feeMax?, expiration?, secret?}. */
struct transfer_opts {
    bool direct_only;
    u256 fee_max;                   /* all ones: no cap */
    uint64_t expiration;            /* 0: the hub's */
    bool has_secret;
    uint8_t secret[32];
};

static int param_transfer_opts(struct rpc_ctx *ctx, const json_t *params,
                               struct transfer_opts *o)
{
    memset(o, 0, sizeof *o);
    memset(&o->fee_max, 0xff, sizeof o->fee_max);
    if (!rpc_param_present(params, 3))
        return 0;
    const json_t *v = json_array_get(params, 3);
    if (json_is_boolean(v))
        return rpc_param_bool(ctx, params, 3, &o->direct_only);
    if (!json_is_object(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 3: directOnly (bool) or an object "
                                          "{directOnly, feeMax, expiration, secret}");
        return -1;
    }
    const char *key;
    const json_t *f;
    json_object_foreach((json_t *)v, key, f) {
        if (strcmp(key, "directOnly") && strcmp(key, "feeMax") && strcmp(key, "expiration") &&
            strcmp(key, "secret")) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 3: unknown field %.40s", key);
            return -1;
        }
    }
    if ((f = json_object_get(v, "directOnly")) && !json_is_null(f)) {
        if (!json_is_boolean(f)) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 3: directOnly: a bool");
            return -1;
        }
        o->direct_only = json_is_true(f);
    }
    if ((f = json_object_get(v, "feeMax")) && !json_is_null(f) &&
        rpc_json_to_u256(ctx, f, 3, "feeMax", &o->fee_max))
        return -1;
    if ((f = json_object_get(v, "expiration")) && !json_is_null(f) &&
        rpc_json_to_quantity(ctx, f, 3, "expiration", &o->expiration))
        return -1;
    if ((f = json_object_get(v, "secret")) && !json_is_null(f)) {
        static const uint8_t zero[32];
        if (json_to_b32(ctx, f, 3, "secret", o->secret))
            return -1;
        if (memcmp(o->secret, zero, 32) == 0) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 3: secret: not all zero");
            return -1;
        }
        o->has_secret = true;
    }
    return 0;
}

/* Photon's code for a refusal of ch_hub_transfer_mediated: 3003 no route,
 * 1002 too little to lock (a fee above feeMax has none). */
static int mediated_code(int rc)
{
    if (rc == ERR_BADSTATE && strstr(err_msg(), "mesh mode"))
        return PHOTON_MEDIATED_ON_MESH;
    if (rc == ERR_NOTFOUND)
        return PHOTON_NO_ROUTE;
    if (rc == ERR_RANGE && !strstr(err_msg(), "fee_max"))
        return PHOTON_INSUFFICIENT_BALANCE;
    return 0;
}

static json_t *channel_transfer(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 3, 4))
        return NULL;
    struct address target, token;
    u256 amount;
    struct transfer_opts opt;
    if (rpc_param_address(ctx, params, 0, &target) || rpc_param_address(ctx, params, 1, &token) ||
        param_u256(ctx, params, 2, "amount", &amount) || param_transfer_opts(ctx, params, &opt))
        return NULL;
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    struct ch_hub_channel_info cur;
    int rc = find_by_partner(hub, target.b, token.b, &cur);
    /* a caller's secret asks for a hashlock: mediated even to a partner */
    bool direct = rc == 0 && cur.state == CH_STATE_OPENED && !opt.has_secret;
    if (rc && rc != ERR_NOTFOUND)
        return hub_fail(ctx, rc, 0);
    uint8_t id[32];
    struct ch_store_transfer rec;
    memset(&rec, 0, sizeof rec);
    if (direct) {
        rc = ch_hub_transfer(hub, target.b, token.b, &amount, id);
        if (rc)
            return hub_fail(ctx, rc, rc == ERR_RANGE ? PHOTON_INSUFFICIENT_BALANCE : 0);
    } else if (opt.direct_only) {
        return rpc_fail_data(ctx, RPC_SERVER_ERROR, json_pack("{s:i}", "code", PHOTON_NO_ROUTE),
                             "no open channel with the target for that token");
    } else {
        /* mediated over the hub's routes; the secret is fresh, or the
         * caller's and then held until channel_allowRevealSecret (Photon's) */
        rc = opt.has_secret
                 ? ch_hub_transfer_mediated_held(hub, target.b, token.b, &amount, &opt.fee_max,
                                                 opt.expiration, opt.secret, id)
                 : ch_hub_transfer_mediated(hub, target.b, token.b, &amount, &opt.fee_max,
                                            opt.expiration, NULL, id);
        memset(opt.secret, 0, sizeof opt.secret);
        if (rc == ERR_INVAL)
            return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid params: %s", err_msg());
        if (rc)
            return hub_fail(ctx, rc, mediated_code(rc));
        /* what the route costs and when the first lock expires */
        if (ch_hub_get_transfer(hub, id, &rec) != 0)
            memset(&rec, 0, sizeof rec);
    }
    json_t *o = json_pack("{s:o, s:b, s:o, s:o, s:o}", "id", hex32(id), "direct", direct,
                          "target", addr_json(target.b), "token", addr_json(token.b), "amount",
                          rpc_json_u256(&amount));
    if (o && !direct &&
        (json_object_set_new(o, "lockSecretHash", hex32(id)) ||
         json_object_set_new(o, "fee", rpc_json_u256(&rec.fee)) ||
         json_object_set_new(o, "expiration", rpc_json_quantity(rec.expiration)))) {
        json_decref(o);
        o = NULL;
    }
    return o ? o : oom(ctx);
}

static const char *status_name(uint32_t s)
{
    static const char *const names[] = {"init", "canCancel", "cannotCancel",
                                        "success", "canceled", "failed"};
    return s < RPC_COUNT(names) ? names[s] : "unknown";
}

/* The stored record of transfer id as channel_transferStatus answers it. */
static json_t *status_json(struct rpc_ctx *ctx, struct ch_hub *hub, const struct hash32 *id)
{
    struct ch_store_transfer t;
    int rc = ch_hub_get_transfer(hub, id->b, &t);
    if (rc == ERR_NOTFOUND)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "transfer not found");
    if (rc)
        return hub_fail(ctx, rc, 0);
    json_t *o = json_pack("{s:o, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:o}", "id",
                          hex32(t.id), "status", (int)t.status, "statusString",
                          status_name(t.status), "token", addr_json(t.token), "initiator",
                          addr_json(t.initiator), "target", addr_json(t.target), "channelId",
                          hex32(t.channel_id), "amount", rpc_json_u256(&t.amount), "fee",
                          rpc_json_u256(&t.fee), "direct", t.direct, "outgoing", t.outgoing,
                          "block", rpc_json_quantity(t.block));
    /* a mediated transfer: its lock's expiration, and while it is under way
     * here, this hub's role and stage (null once it ended) */
    struct ch_med_transfer m;
    bool live = !t.direct && ch_hub_get_mediated(hub, id->b, &m) == 0;
    if (o && !t.direct &&
        (json_object_set_new(o, "expiration", rpc_json_quantity(t.expiration)) ||
         json_object_set_new(o, "role", live ? json_string(ch_med_role_name(m.role))
                                             : json_null()) ||
         json_object_set_new(o, "stage", live ? json_string(ch_med_stage_name(m.stage))
                                              : json_null()))) {
        json_decref(o);
        o = NULL;
    }
    return o ? o : oom(ctx);
}

static json_t *channel_transfer_status(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 1, 1))
        return NULL;
    struct hash32 id;
    if (rpc_param_hash(ctx, params, 0, &id))
        return NULL;
    struct ch_hub *hub = hub_of(ctx);
    return hub ? status_json(ctx, hub, &id) : NULL;
}

static bool is_closed(const struct ch_hub_channel_info *i, const void *arg)
{
    (void)arg;
    return i->state == CH_STATE_CLOSED || i->state == CH_STATE_SETTLING ||
           i->state == CH_STATE_SETTLED;
}

static bool is_settled(const struct ch_hub_channel_info *i, const void *arg)
{
    (void)arg;
    return i->state == CH_STATE_SETTLED;
}

/* The test-only proof of channel_close: the shape of partnerBalanceProof. */
static int param_proof(struct rpc_ctx *ctx, const json_t *params, struct ch_signed_bp *bp)
{
    const json_t *o = json_array_get(params, 1);
    if (!json_is_object(o)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: an object like "
                                          "partnerBalanceProof");
        return -1;
    }
    memset(bp, 0, sizeof *bp);
    const char *names[4] = {"locksroot", "additionalHash", "signature", NULL};
    uint8_t *dst[3] = {bp->bp.locksroot, bp->additional_hash, bp->signature};
    size_t len[3] = {32, 32, CH_SIG_LEN};
    if (rpc_json_to_quantity(ctx, json_object_get(o, "nonce"), 1, "nonce", &bp->bp.nonce) ||
        rpc_json_to_u256(ctx, json_object_get(o, "transferredAmount"), 1, "transferredAmount",
                         &bp->bp.transferred_amount))
        return -1;
    for (int k = 0; k < 3; k++) {
        const json_t *v = json_object_get(o, names[k]);
        const char *s = json_is_string(v) ? json_string_value(v) : NULL;
        size_t n = 0;
        if (!s || strncmp(s, "0x", 2) != 0 || hex_decode(s + 2, strlen(s) - 2, dst[k], len[k],
                                                         &n) != 0 || n != len[k]) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: %s: %zu bytes of hex",
                     names[k], len[k]);
            return -1;
        }
    }
    return 0;
}

static json_t *close_or_settle(const json_t *params, struct rpc_ctx *ctx, bool close)
{
    if (rpc_params_count(ctx, params, 1, close ? 2 : 1))
        return NULL;
    struct hash32 id;
    if (rpc_param_hash(ctx, params, 0, &id))
        return NULL;
    struct ch_signed_bp bp;
    bool with_bp = close && rpc_param_present(params, 1);
    if (with_bp && !ctx->env->channel_test)
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: closing with a given "
                                                 "proof is for regtest tests only");
    if (with_bp && param_proof(ctx, params, &bp))
        return NULL;
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    struct ch_hub_channel_info i;
    int rc = ch_hub_get_channel(hub, id.b, 0, &i);
    if (rc == ERR_NOTFOUND)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "channel not found");
    if (rc)
        return hub_fail(ctx, rc, 0);
    struct hash32 tx;
    memset(&tx, 0, sizeof tx);
    bool sent = false;
    if (!close && i.state == CH_STATE_SETTLED) {
        /* settled already (by the partner or our watchdog) */
    } else {
        rc = close ? ch_chainclient_close(ctx->env->channel_client, id.b, with_bp ? &bp : NULL,
                                          &tx)
                   : ch_chainclient_settle(ctx->env->channel_client, id.b, &tx);
        if (rc == ERR_CRYPTO)
            return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: %s", err_msg());
        if (rc)
            return hub_fail(ctx, rc, 0);
        sent = true;
    }
    if (wait_channel(ctx, id.b, NULL, NULL, close ? is_closed : is_settled, NULL,
                     sent ? &tx : NULL, &i))
        return NULL;
    json_t *o = channel_json(ctx, &i);
    if (o && sent && json_object_set_new(o, "txHash", rpc_json_hash(&tx))) {
        json_decref(o);
        o = NULL;
    }
    return o ? o : oom(ctx);
}

static json_t *channel_close(const json_t *params, struct rpc_ctx *ctx)
{
    return close_or_settle(params, ctx, true);
}

static json_t *channel_settle(const json_t *params, struct rpc_ctx *ctx)
{
    return close_or_settle(params, ctx, false);
}

/* issue 7: settle — withdraw and cooperative settle (photon.md 3.8, hub.h):
 * our request to the partner, its answer, then the transaction from our
 * account and the wait for its event. The hub refuses a request while our
 * proofs wait for their ack (the partner must have seen them), so the
 * handler waits for them first; a request left unanswered is asked again
 * every FLOW_RETRY_MS (the hub does so only when it no longer waits for the
 * request's ack: a lost answer, a restart of either hub). */
#define FLOW_RETRY_MS 3000

static const struct rpc_param_doc withdraw_params[] = {
    {"channelId", "hash", false, "the open channel"},
    {"amount", "quantity", false, "what to take out of our balance (0 < amount <= balance)"},
};

static bool life_moved(const struct ch_hub_channel_info *i, const void *arg)
{
    return i->open_block > *(const uint64_t *)arg || i->state == CH_STATE_SETTLED ||
           i->state == CH_STATE_CLOSED;
}

static json_t *flow_call(const json_t *params, struct rpc_ctx *ctx, int kind)
{
    bool wd = kind == CH_FLOW_WITHDRAW;
    if (rpc_params_count(ctx, params, wd ? 2 : 1, wd ? 2 : 1))
        return NULL;
    struct hash32 id;
    u256 amount = u256_from_u64(0);
    if (rpc_param_hash(ctx, params, 0, &id) ||
        (wd && param_u256(ctx, params, 1, "amount", &amount)))
        return NULL;
    if (wd && u256_is_zero(&amount))
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: the amount must be above 0");
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    struct ch_hub_channel_info i;
    int rc = ch_hub_get_channel(hub, id.b, 0, &i);
    if (rc == ERR_NOTFOUND)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "channel not found");
    if (rc)
        return hub_fail(ctx, rc, 0);
    uint64_t ob = i.open_block;
    time_t end = time(NULL) + CHANNEL_WAIT_S;
    /* our transfers first: the partner compares balances with its view */
    while (i.unacked && time(NULL) < end && !*ctx->cancelled) {
        sleep_ms(50);
        if ((rc = ch_hub_get_channel(hub, id.b, 0, &i)) != 0)
            return hub_fail(ctx, rc, 0);
    }
    int code = CH_OK;
    rc = wd ? ch_hub_withdraw(hub, id.b, &amount, &code) : ch_hub_coop_settle(hub, id.b, &code);
    if (rc)
        return hub_fail(ctx, rc, code);
    struct ch_hub_flow f;
    long since = 0;
    for (;;) {
        rc = ch_hub_get_flow(hub, id.b, &f);
        if (rc)
            return hub_fail(ctx, rc, 0);
        if (f.status != CH_FLOW_PENDING)
            break;
        if (*ctx->cancelled || time(NULL) >= end)
            return rpc_fail(ctx, RPC_SERVER_ERROR,
                            "timed out waiting for the partner's answer (is it reachable? "
                            "the request stays under way: call again to go on)");
        sleep_ms(100);
        since += 100;
        if (since >= FLOW_RETRY_MS) {
            since = 0;
            rc = wd ? ch_hub_withdraw(hub, id.b, &amount, &code)
                    : ch_hub_coop_settle(hub, id.b, &code);
            if (rc)
                return hub_fail(ctx, rc, code);
        }
    }
    if (f.status == CH_FLOW_REFUSED)
        return rpc_fail_data(ctx, RPC_SERVER_ERROR, json_pack("{s:i}", "code", (int)f.error_code),
                             "the partner refused the %s: %s",
                             wd ? "withdraw" : "cooperative settle", f.error_msg);
    struct hash32 tx;
    memset(&tx, 0, sizeof tx);
    bool sent = false;
    if (f.status == CH_FLOW_READY) {
        const struct chain_params *p = chainsvc_params(ctx->env->chain);
        struct bytes d = BYTES_INIT;
        rc = ch_hub_flow_calldata(&f, &d);
        if (rc == 0)
            rc = ch_chainclient_send(ctx->env->channel_client, p->tokens_network.b, NULL, d.data,
                                     d.len, &tx);
        bytes_free(&d);
        if (rc)
            return hub_fail(ctx, rc, 0);
        sent = true;
    }
    /* DONE: the event arrived already (the partner may send the call too) */
    if (wait_channel(ctx, id.b, NULL, NULL, wd ? life_moved : is_settled, &ob, sent ? &tx : NULL,
                     &i))
        return NULL;
    json_t *o = channel_json(ctx, &i);
    if (o && sent && json_object_set_new(o, "txHash", rpc_json_hash(&tx))) {
        json_decref(o);
        o = NULL;
    }
    return o ? o : oom(ctx);
}

static json_t *channel_withdraw(const json_t *params, struct rpc_ctx *ctx)
{
    return flow_call(params, ctx, CH_FLOW_WITHDRAW);
}

static json_t *channel_coop_settle(const json_t *params, struct rpc_ctx *ctx)
{
    return flow_call(params, ctx, CH_FLOW_COOP_SETTLE);
}
/* end issue 7: settle */

static json_t *channel_balance(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 1))
        return NULL;
    struct address token;
    bool has_token = rpc_param_present(params, 0);
    if (has_token && rpc_param_address(ctx, params, 0, &token))
        return NULL;
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    struct address self;
    ch_chainclient_address(ctx->env->channel_client, &self);
    const struct chain_params *p = chainsvc_params(ctx->env->chain);
    const uint8_t *tok = has_token ? token.b : p->smt_token.b;
    u256 native, tb;
    int rc = ch_chainclient_balances(ctx->env->chain, self.b, tok, &native, &tb);
    if (rc)
        return hub_fail(ctx, rc, 0);
    json_t *o = json_pack("{s:o, s:o, s:o, s:o}", "address", rpc_json_address(&self), "balance",
                          rpc_json_u256(&native), "token", addr_json(tok), "tokenBalance",
                          rpc_json_u256(&tb));
    return o ? o : oom(ctx);
}

/* ---- fees and routes (photon.md §6) ----------------------------------------------- */

/* Most entries of each map of channel_setFeePolicy. */
#define FEE_MAP_MAX 1024

/* A fee setting {feeConstant (quantity), feePercent (integer; <= 0: no
 * proportional part)}: fee = amount / feePercent + feeConstant. A missing
 * field keeps what *out holds. */
static int json_to_fee(struct rpc_ctx *ctx, const json_t *v, size_t idx, const char *what,
                       struct ch_fee_setting *out)
{
    if (!json_is_object(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %s: an object {feeConstant, "
                                          "feePercent}", idx, what);
        return -1;
    }
    const json_t *c = json_object_get(v, "feeConstant");
    const json_t *p = json_object_get(v, "feePercent");
    if (c && rpc_json_to_u256(ctx, c, idx, "feeConstant", &out->fee_constant))
        return -1;
    if (p) {
        uint64_t q;
        if (json_is_integer(p)) {
            out->fee_percent = json_integer_value(p);
        } else if (rpc_json_to_quantity(ctx, p, idx, "feePercent", &q) == 0 && q <= INT64_MAX) {
            out->fee_percent = (int64_t)q;
        } else {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %s: feePercent: an "
                                              "integer", idx, what);
            return -1;
        }
    }
    return 0;
}

static json_t *fee_json(const struct ch_fee_setting *f)
{
    return json_pack("{s:o, s:I}", "feeConstant", rpc_json_u256(&f->fee_constant), "feePercent",
                     (json_int_t)f->fee_percent);
}

static json_t *policy_json(const struct ch_fee_policy *p)
{
    json_t *tok = json_object(), *chan = json_object();
    for (size_t i = 0; tok && i < p->n_tokens; i++) {
        char k[43];
        snprintf(k, 3, "0x");
        for (int b = 0; b < 20; b++)
            snprintf(k + 2 + 2 * b, 3, "%02x", p->tokens[i].token[b]);
        if (json_object_set_new(tok, k, fee_json(&p->tokens[i].fee))) {
            json_decref(tok);
            tok = NULL;
        }
    }
    for (size_t i = 0; chan && i < p->n_channels; i++) {
        char k[67];
        snprintf(k, 3, "0x");
        for (int b = 0; b < 32; b++)
            snprintf(k + 2 + 2 * b, 3, "%02x", p->channels[i].channel_id[b]);
        if (json_object_set_new(chan, k, fee_json(&p->channels[i].fee))) {
            json_decref(chan);
            chan = NULL;
        }
    }
    if (!tok || !chan) {
        json_decref(tok);
        json_decref(chan);
        return NULL;
    }
    return json_pack("{s:o, s:o, s:o}", "accountFee", fee_json(&p->account), "tokenFeeMap", tok,
                     "channelFeeMap", chan);
}

/* One map of the policy object: keys are addresses (tokens) or channel ids. */
static int policy_map(struct rpc_ctx *ctx, const json_t *obj, const char *name, bool channels,
                      struct ch_fee_policy *p)
{
    const json_t *m = json_object_get(obj, name);
    if (!m || json_is_null(m))
        return 0;
    if (!json_is_object(m) || json_object_size(m) > FEE_MAP_MAX) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: %s: an object of at most %d "
                                          "entries", name, FEE_MAP_MAX);
        return -1;
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)m, key, v) {
        struct ch_fee_setting f;
        f = p->account; /* a missing field: the account's */
        uint8_t id[32];
        size_t klen = strlen(key), want = channels ? 32 : 20;
        if (klen != 2 + 2 * want || strncmp(key, "0x", 2) != 0 ||
            hex_decode_exact(key + 2, klen - 2, id, want) != 0) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: %s: key %.70s is not %s",
                     name, key, channels ? "a channel id" : "a token address");
            return -1;
        }
        if (json_to_fee(ctx, v, 0, name, &f))
            return -1;
        int rc = channels ? ch_fee_policy_set_channel(p, id, &f)
                          : ch_fee_policy_set_token(p, id, &f);
        if (rc) {
            hub_fail(ctx, rc, 0);
            return -1;
        }
    }
    return 0;
}

static json_t *channel_set_fee_policy(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 1, 1))
        return NULL;
    const json_t *obj = json_array_get(params, 0);
    if (!json_is_object(obj))
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: an object {accountFee, "
                                                 "tokenFeeMap, channelFeeMap}");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (strcmp(key, "accountFee") && strcmp(key, "tokenFeeMap") &&
            strcmp(key, "channelFeeMap"))
            return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: unknown field %.40s",
                            key);
    }
    struct ch_fee_policy p;
    ch_fee_policy_init(&p);
    json_t *out = NULL;
    const json_t *acc = json_object_get(obj, "accountFee");
    if ((acc && !json_is_null(acc) && json_to_fee(ctx, acc, 0, "accountFee", &p.account)) ||
        policy_map(ctx, obj, "tokenFeeMap", false, &p) ||
        policy_map(ctx, obj, "channelFeeMap", true, &p))
        goto done;
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        goto done;
    int rc = ch_hub_set_fee_policy(hub, &p);
    if (rc) {
        hub_fail(ctx, rc, 0);
        goto done;
    }
    out = policy_json(&p);
    if (!out)
        oom(ctx);
done:
    ch_fee_policy_free(&p);
    return out;
}

static json_t *channel_add_route(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 3, 4))
        return NULL;
    struct address token, from, to;
    struct ch_med_edge e;
    memset(&e, 0, sizeof e);
    e.fee.fee_percent = CH_FEE_DEFAULT_PERCENT; /* Photon's default account setting */
    if (rpc_param_address(ctx, params, 0, &token) || rpc_param_address(ctx, params, 1, &from) ||
        rpc_param_address(ctx, params, 2, &to))
        return NULL;
    if (rpc_param_present(params, 3) &&
        json_to_fee(ctx, json_array_get(params, 3), 3, "feeSetting", &e.fee))
        return NULL;
    if (memcmp(from.b, to.b, 20) == 0)
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 2: an edge from a node to "
                                                 "itself");
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    memcpy(e.token, token.b, 20);
    memcpy(e.from, from.b, 20);
    memcpy(e.to, to.b, 20);
    int rc = ch_hub_add_route(hub, &e);
    if (rc)
        return hub_fail(ctx, rc, 0);
    return json_true();
}

/* issue 7: chanops — the rest of photon.md §5's user operations: the fee
 * policy read back, fresh secrets, caller-held secrets and a secret learned
 * out of band, cancel, mesh mode (§4.2) and the peer table, and the
 * third-party delegation bundle (§4.3). Refusals carry Photon's code in
 * data: 1007 invalid state, 1014 mediated transfer in mesh mode, 1017 the
 * transfer can no longer be cancelled, 3002 channel not found, 3004
 * transfer not found. */

/* Most entries of one channel_updateNodes call. */
#define UPDATE_NODES_MAX 256

static json_t *photon_fail(struct rpc_ctx *ctx, int code, const char *why)
{
    return rpc_fail_data(ctx, RPC_SERVER_ERROR, json_pack("{s:i}", "code", code), "%s", why);
}

/* -32000 for a hub refusal of a user operation on a transfer: not found
 * 3004, not ours 1007, a state that forbids it `badstate_code`. */
static json_t *op_fail(struct rpc_ctx *ctx, int rc, int badstate_code)
{
    if (rc == ERR_NOTFOUND)
        return hub_fail(ctx, rc, PHOTON_TRANSFER_NOT_FOUND);
    if (rc == ERR_INVAL)
        return hub_fail(ctx, rc, PHOTON_INVALID_STATE);
    if (rc == ERR_BADSTATE)
        return hub_fail(ctx, rc, badstate_code);
    return hub_fail(ctx, rc, 0);
}

static json_t *channel_get_fee_policy(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    struct ch_fee_policy p;
    int rc = ch_hub_get_fee_policy(hub, &p);
    json_t *o = rc ? hub_fail(ctx, rc, 0) : policy_json(&p);
    if (rc == 0 && !o)
        oom(ctx);
    ch_fee_policy_free(&p);
    return o;
}

static json_t *channel_secret(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 0))
        return NULL;
    static const uint8_t zero[32];
    uint8_t secret[32], hash[32];
    do {
        if (RAND_bytes(secret, 32) != 1)
            return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: no randomness");
    } while (memcmp(secret, zero, 32) == 0);
    if (ch_secret_hash(secret, hash) != 0) {
        OPENSSL_cleanse(secret, 32);
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: sha256");
    }
    json_t *o = json_pack("{s:o, s:o}", "lockSecretHash", hex32(hash), "secret", hex32(secret));
    OPENSSL_cleanse(secret, 32);
    return o ? o : oom(ctx);
}

static json_t *channel_register_secret(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 1, 1))
        return NULL;
    static const uint8_t zero[32];
    uint8_t secret[32];
    if (json_to_b32(ctx, json_array_get(params, 0), 0, "secret", secret))
        return NULL;
    if (memcmp(secret, zero, 32) == 0)
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: secret: not all zero");
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    int rc = ch_hub_register_secret(hub, secret);
    OPENSSL_cleanse(secret, 32);
    if (rc)
        return op_fail(ctx, rc, PHOTON_INVALID_STATE);
    return json_true();
}

static json_t *channel_allow_reveal_secret(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 1, 1))
        return NULL;
    struct hash32 id;
    if (rpc_param_hash(ctx, params, 0, &id))
        return NULL;
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    int rc = ch_hub_allow_reveal(hub, id.b);
    if (rc)
        return op_fail(ctx, rc, PHOTON_INVALID_STATE);
    return json_true();
}

static json_t *channel_transfer_cancel(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 1, 1))
        return NULL;
    struct hash32 id;
    if (rpc_param_hash(ctx, params, 0, &id))
        return NULL;
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    int rc = ch_hub_cancel_transfer(hub, id.b);
    if (rc)
        return op_fail(ctx, rc, PHOTON_CANNOT_CANCEL);
    return status_json(ctx, hub, &id);
}

static json_t *channel_switch_network(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 1))
        return NULL;
    bool mesh = false, set = rpc_param_present(params, 0);
    if (set && rpc_param_bool(ctx, params, 0, &mesh))
        return NULL;
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    int rc = set ? ch_hub_set_mesh(hub, mesh) : 0;
    if (rc == 0)
        rc = ch_hub_get_mesh(hub, &mesh);
    if (rc)
        return hub_fail(ctx, rc, 0);
    json_t *o = json_pack("{s:b}", "mesh", mesh);
    return o ? o : oom(ctx);
}

/* "ip:port" or "[ipv6]:port" of entry idx into host (an IP literal) and
 * port. Returns 0 or -1 with -32602 set. */
static int parse_ip_port(struct rpc_ctx *ctx, const char *s, size_t idx, char host[64],
                         uint16_t *port)
{
    const char *colon = s ? strrchr(s, ':') : NULL;
    const char *h = s, *hend = colon;
    if (s && s[0] == '[') {
        h = s + 1;
        hend = colon && colon > s && colon[-1] == ']' ? colon - 1 : NULL;
    }
    char *end = NULL;
    unsigned long p = colon ? strtoul(colon + 1, &end, 10) : 0;
    size_t hl = hend && hend > h ? (size_t)(hend - h) : 0;
    if (!hl || hl >= 64 || !end || *end || colon[1] < '0' || colon[1] > '9' || p == 0 ||
        p > 65535) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: entry %zu: ipPort: \"ip:port\" "
                                          "or \"[ipv6]:port\"", idx);
        return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    unsigned char buf[16];
    if (inet_pton(AF_INET, host, buf) != 1 && inet_pton(AF_INET6, host, buf) != 1) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: entry %zu: %s is not an IP "
                                          "address", idx, host);
        return -1;
    }
    *port = (uint16_t)p;
    return 0;
}

static json_t *channel_update_nodes(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 1, 1))
        return NULL;
    const json_t *arr = json_array_get(params, 0);
    if (!json_is_array(arr) || json_array_size(arr) > UPDATE_NODES_MAX)
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: an array of at most %d "
                                                 "{address, ipPort}", UPDATE_NODES_MAX);
    size_t n = json_array_size(arr);
    struct node_entry {
        struct address a;
        char host[64];
        uint16_t port;
    } *e = calloc(n ? n : 1, sizeof *e);
    if (!e)
        return oom(ctx);
    json_t *out = NULL;
    /* every entry is checked before any is registered */
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(arr, i);
        const json_t *ip = json_object_get(v, "ipPort");
        if (!ip)
            ip = json_object_get(v, "ip_port"); /* Photon's name */
        if (!json_is_object(v)) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 0: entry %zu: an object "
                                              "{address, ipPort}", i);
            goto done;
        }
        if (rpc_json_to_address(ctx, json_object_get(v, "address"), 0, "address", &e[i].a) ||
            parse_ip_port(ctx, json_is_string(ip) ? json_string_value(ip) : NULL, i, e[i].host,
                          &e[i].port))
            goto done;
    }
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        goto done;
    for (size_t i = 0; i < n; i++) {
        int rc = ch_hub_register_peer(hub, e[i].a.b, e[i].host, e[i].port);
        if (rc) {
            hub_fail(ctx, rc, 0);
            goto done;
        }
    }
    out = json_true();
done:
    free(e);
    return out;
}

static json_t *bytes_json(const uint8_t *b, size_t n)
{
    return rpc_json_hex(b, n);
}

static json_t *delegation_json(const struct ch_hub_delegation *d)
{
    json_t *upd = json_null();
    if (d->has_update) {
        const struct ch_signed_bp *p = &d->partner_bp;
        upd = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "nonce",
                        rpc_json_quantity(p->bp.nonce), "transferredAmount",
                        rpc_json_u256(&p->bp.transferred_amount), "locksroot",
                        hex32(p->bp.locksroot), "additionalHash", hex32(p->additional_hash),
                        "closingSignature", bytes_json(p->signature, CH_SIG_LEN),
                        "nonClosingSignature", bytes_json(d->participant_sig, CH_SIG_LEN));
    }
    json_t *unlocks = json_array(), *punishes = json_array();
    for (size_t i = 0; unlocks && upd && i < d->n_unlocks; i++) {
        const struct ch_hub_delegate_unlock *u = &d->unlocks[i];
        u256 exp = u256_from_u64(u->lock.expiration);
        json_t *x = json_pack("{s:{s:o, s:o, s:o}, s:o, s:o, s:o}", "lock", "expiration",
                              rpc_json_u256(&exp), "amount", rpc_json_u256(&u->lock.amount),
                              "secretHash", hex32(u->lock.secret_hash), "merkleProof",
                              bytes_json(u->proof, u->proof_len), "secret", hex32(u->secret),
                              "signature", bytes_json(u->sig, CH_SIG_LEN));
        if (!x || json_array_append_new(unlocks, x)) {
            json_decref(unlocks);
            unlocks = NULL;
        }
    }
    for (size_t i = 0; punishes && i < d->n_punishes; i++) {
        const struct ch_hub_delegate_punish *p = &d->punishes[i];
        json_t *x = json_pack("{s:o, s:o, s:o}", "lockHash", hex32(p->lockhash),
                              "additionalHash", hex32(p->additional_hash), "signature",
                              bytes_json(p->sig, CH_SIG_LEN));
        if (!x || json_array_append_new(punishes, x)) {
            json_decref(punishes);
            punishes = NULL;
        }
    }
    if (!upd || !unlocks || !punishes) {
        json_decref(upd);
        json_decref(unlocks);
        json_decref(punishes);
        return NULL;
    }
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "channelId",
                     hex32(d->channel_id), "openBlock", rpc_json_quantity(d->open_block),
                     "token", addr_json(d->token), "partner", addr_json(d->partner),
                     "participant", addr_json(d->participant), "delegatee",
                     addr_json(d->delegatee), "updateTransfer", upd, "unlocks", unlocks,
                     "punishes", punishes);
}

static json_t *channel_third_party(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 2, 2))
        return NULL;
    struct hash32 id;
    struct address third;
    if (rpc_param_hash(ctx, params, 0, &id) || rpc_param_address(ctx, params, 1, &third))
        return NULL;
    struct ch_hub *hub = hub_of(ctx);
    if (!hub)
        return NULL;
    uint8_t self[20];
    ch_hub_address(hub, self);
    if (memcmp(self, third.b, 20) == 0)
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: the hub itself");
    struct ch_hub_delegation d;
    int rc = ch_hub_third_party(hub, id.b, third.b, &d);
    json_t *o = NULL;
    if (rc == ERR_INVAL)
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: %s", err_msg());
    else if (rc == ERR_NOTFOUND)
        photon_fail(ctx, PHOTON_CHANNEL_NOT_FOUND, "channel not found");
    else if (rc == ERR_BADSTATE && strstr(err_msg(), "settled"))
        hub_fail(ctx, rc, PHOTON_INVALID_STATE);
    else if (rc)
        hub_fail(ctx, rc, 0);
    else if (!(o = delegation_json(&d)))
        oom(ctx);
    ch_hub_delegation_free(&d);
    return o;
}
/* end issue 7: chanops */

/* ---- the table ---------------------------------------------------------------------- */

static const struct rpc_param_doc peer_params[] = {
    {"address", "address", false, "the partner hub's address"},
    {"host", "string", false, "its IP address (a literal, IPv4 or IPv6)"},
    {"port", "number", false, "its UDP port"},
};
static const struct rpc_param_doc open_params[] = {
    {"partner", "address", false, "the partner hub's address"},
    {"token", "address", false, "the token (the SMTToken address for native SMT)"},
    {"deposit", "quantity", false, "our deposit, in the token's units"},
    {"settleTimeout", "quantity", true, "blocks of the settle window (6..2,700,000; default 600)"},
};
static const struct rpc_param_doc deposit_params[] = {
    {"partner", "address", false, "the partner of the open channel"},
    {"token", "address", false, "its token"},
    {"amount", "quantity", false, "what to add to our deposit"},
};
static const struct rpc_param_doc get_params[] = {
    {"channel", "hash|address", false, "the channel id, or the partner's address"},
    {"token", "address", true, "the token, with a partner address"},
};
static const struct rpc_param_doc transfer_params[] = {
    {"target", "address", false, "who is paid"},
    {"token", "address", false, "the token"},
    {"amount", "quantity", false, "how much"},
    {"options", "bool|object", true,
     "true: refuse (3003) unless the target is a direct partner; or {directOnly?, feeMax? "
     "(quantity: most fee a mediated route may cost; default no cap), expiration? (block "
     "number the first lock expires at, when earlier than the hub's now + settle_timeout - "
     "reveal_timeout), secret? (32 bytes: the lock's secret, mediated even to a partner; "
     "default a fresh random one)}"},
};
static const struct rpc_param_doc fee_policy_params[] = {
    {"policy", "object", false,
     "{accountFee?, tokenFeeMap? {token: setting}, channelFeeMap? {channelId: setting}}, a "
     "setting being {feeConstant (quantity), feePercent (integer, <= 0: none)}: fee = amount / "
     "feePercent + feeConstant; channel > token > account; accountFee defaults to {0x0, "
     "10000} (0.01 %), a field missing from an entry is the account's"},
};
static const struct rpc_param_doc route_params[] = {
    {"token", "address", false, "the token"},
    {"from", "address", false, "the hub that forwards"},
    {"to", "address", false, "its partner it forwards to (over their channel for token)"},
    {"feeSetting", "object", true,
     "what `from` charges to forward over that edge: {feeConstant, feePercent} (default "
     "{0x0, 10000})"},
};
static const struct rpc_param_doc id_params[] = {
    {"id", "hash", false, "the transfer id (a direct transfer's, or a lock secret hash)"},
};
static const struct rpc_param_doc close_params[] = {
    {"channelId", "hash", false, "the channel"},
    {"proof", "object", true,
     "REGTEST TESTS ONLY: a proof the partner signed for this channel life (the shape of "
     "partnerBalanceProof) to close with instead of the latest"},
};
static const struct rpc_param_doc settle_params[] = {
    {"channelId", "hash", false, "the channel"},
};
static const struct rpc_param_doc balance_params[] = {
    {"token", "address", true, "a token; default the SMTToken"},
};
/* issue 7: chanops */
static const struct rpc_param_doc secret_params[] = {
    {"secret", "hash", false, "the 32-byte secret of a lock this hub holds as target or "
                              "mediator"},
};
static const struct rpc_param_doc lock_hash_params[] = {
    {"lockSecretHash", "hash", false, "the transfer's lock secret hash (its id)"},
};
static const struct rpc_param_doc switch_params[] = {
    {"mesh", "bool", true, "true: mesh mode (direct transfers only); false: normal; absent: "
                           "only report"},
};
static const struct rpc_param_doc nodes_params[] = {
    {"nodes", "array", false, "[{address, ipPort}] (at most 256): a partner hub's address and "
                              "\"ip:port\" (\"[ipv6]:port\"); Photon's ip_port is accepted"},
};
static const struct rpc_param_doc third_params[] = {
    {"channelId", "hash", false, "the channel"},
    {"thirdAddress", "address", false, "the monitoring service's account (the sender of its "
                                       "unlockDelegate calls)"},
};
/* end issue 7: chanops */

#define CHANNEL_RESULT                                                                        \
    "the channel: {channelId, openBlock, partner, token, state (Photon's number), "           \
    "stateString, settleTimeout, revealTimeout, deposit, partnerDeposit, balance, "            \
    "partnerBalance, lockedAmount, partnerLockedAmount, ackedNonce, unacked, "                 \
    "ourBalanceProof, partnerBalanceProof ({nonce, transferredAmount, locksroot, "             \
    "additionalHash, signature}), closedBlock, settleBlock, settledBlock, closedByUs, "  \
    "chainTransferredAmount, partnerChainTransferredAmount (each end's proof as the "         \
    "contract holds it after a close; null: none)}"

static const struct rpc_method channel_methods[] = {
    {.name = "channel_addRoute", .fn = channel_add_route, .flags = 0,
     .summary = "Adds (or updates the fee of) a directed edge of the hub's route table: from "
                "has a channel for token with to and charges feeSetting to forward over it "
                "(memory only: add routes again after a restart).",
     .params = route_params, .nparams = RPC_COUNT(route_params), .result = "true"},
    {.name = "channel_address", .fn = channel_address, .flags = 0,
     .summary = "The hub's address (the node key's) and its UDP endpoint.",
     .result = "{address, host, port}"},
    {.name = "channel_allowRevealSecret", .fn = channel_allow_reveal_secret, .flags = 0,
     .summary = "Lets a transfer we started with our own secret (channel_transfer's secret "
                "option) reveal it to the target: at once if the target asked already, else "
                "when it asks.",
     .params = lock_hash_params, .nparams = RPC_COUNT(lock_hash_params),
     .result = "true. Errors: -32000 data.code 3004 (no such transfer under way), 1007 (not "
               "ours, or cancelled)"},
    {.name = "channel_balance", .fn = channel_balance, .flags = 0,
     .summary = "On-chain balances of the hub's account at the head: native SMT and one token.",
     .params = balance_params, .nparams = RPC_COUNT(balance_params),
     .result = "{address, balance (SMT wei), token, tokenBalance}"},
    {.name = "channel_close", .fn = channel_close, .flags = RPC_WAITS,
     .summary = "Closes the channel unilaterally (prepareSettle with the partner's latest "
                "balance proof) and waits for ChannelClosed.",
     .params = close_params, .nparams = RPC_COUNT(close_params),
     .result = CHANNEL_RESULT " with txHash"},
    {.name = "channel_cooperativeSettle", .fn = channel_coop_settle, .flags = RPC_WAITS,
     .summary = "Settles an open channel at both current balances with the partner's consent "
                "(photon.md 3.8: SettleRequest / SettleResponse, then cooperativeSettle from "
                "our account) and waits for ChannelCooperativeSettled. No locks either way.",
     .params = settle_params, .nparams = RPC_COUNT(settle_params),
     .result = CHANNEL_RESULT " (settled) with txHash. Errors: -32000, data.code the "
               "partner's or our refusal (5025 locks pending, 5115 balances differ), a "
               "timeout (the request stays under way: call again)"},
    {.name = "channel_deposit", .fn = channel_deposit, .flags = RPC_WAITS,
     .summary = "Adds to our deposit in the open channel with partner for token (approve + "
                "deposit, or SMTToken.buyAndTransfer) and waits for ChannelNewDeposit.",
     .params = deposit_params, .nparams = RPC_COUNT(deposit_params),
     .result = CHANNEL_RESULT " with txHash"},
    {.name = "channel_get", .fn = channel_get, .flags = 0,
     .summary = "One channel, by id or by partner and token (its latest life).",
     .params = get_params, .nparams = RPC_COUNT(get_params), .result = CHANNEL_RESULT},
    {.name = "channel_getFeePolicy", .fn = channel_get_fee_policy, .flags = 0,
     .summary = "The hub's stored fee policy as a mediator (what channel_setFeePolicy set; "
                "Photon's defaults before).",
     .result = "{accountFee, tokenFeeMap, channelFeeMap}, each setting {feeConstant, "
               "feePercent}"},
    {.name = "channel_list", .fn = channel_list, .flags = 0,
     .summary = "Every channel life the hub knows.", .result = "[channel] (see channel_get)"},
    {.name = "channel_open", .fn = channel_open, .flags = RPC_WAITS,
     .summary = "Opens a channel with partner for token with our deposit, from the hub's "
                "account (approve + deposit; SMTToken.buyAndTransfer with the coin for SMT), "
                "and waits for ChannelOpenedAndDeposit.",
     .params = open_params, .nparams = RPC_COUNT(open_params),
     .result = CHANNEL_RESULT " with txHash. Errors: -32000 (data.code 5026 for a bad "
               "settleTimeout), a reverted transaction, a timeout"},
    {.name = "channel_registerPeer", .fn = channel_register_peer, .flags = 0,
     .summary = "Tells the hub where a partner hub listens (kept in memory until the node "
                "stops).",
     .params = peer_params, .nparams = RPC_COUNT(peer_params), .result = "true"},
    {.name = "channel_registerSecret", .fn = channel_register_secret, .flags = 0,
     .summary = "Gives the hub the secret of a lock it holds as target or mediator, learned out "
                "of band: stored, then revealed to the payer so that it unlocks.",
     .params = secret_params, .nparams = RPC_COUNT(secret_params),
     .result = "true. Errors: -32000 data.code 3004 (no transfer under way with sha256(secret)), "
               "1007 (we initiated it)"},
    {.name = "channel_secret", .fn = channel_secret, .flags = 0,
     .summary = "A fresh random secret and its lock secret hash (sha256), for channel_transfer's "
                "secret option.",
     .result = "{lockSecretHash, secret}"},
    {.name = "channel_setFeePolicy", .fn = channel_set_fee_policy, .flags = 0,
     .summary = "Replaces what the hub charges as a mediator (photon.md 6: account, token and "
                "channel settings; the most specific wins) and stores it.",
     .params = fee_policy_params, .nparams = RPC_COUNT(fee_policy_params),
     .result = "the policy as stored: {accountFee, tokenFeeMap, channelFeeMap}"},
    {.name = "channel_settle", .fn = channel_settle, .flags = RPC_WAITS,
     .summary = "Settles a closed channel once the settle and punish windows are over (the "
                "watchdog also does it by itself) and waits for ChannelSettled.",
     .params = settle_params, .nparams = RPC_COUNT(settle_params),
     .result = CHANNEL_RESULT " (with txHash when this call sent it)"},
    {.name = "channel_switchNetwork", .fn = channel_switch_network, .flags = 0,
     .summary = "Mesh mode on or off (photon.md 4.2; memory only): while on, mediated transfers "
                "are refused (-32000, data.code 1014) and received ones disposed at once; "
                "direct transfers go on.",
     .params = switch_params, .nparams = RPC_COUNT(switch_params), .result = "{mesh}"},
    {.name = "channel_thirdParty", .fn = channel_third_party, .flags = 0,
     .summary = "The delegation bundle a monitoring service needs to defend our side of the "
                "channel while we are away (photon.md 4.3): the partner's newest balance proof "
                "with our BalanceProofDelegate signature (updateBalanceProofDelegate, second "
                "half of the settle window), the partner's locks whose secret we know with our "
                "UnlockDelegate signature naming thirdAddress (unlockDelegate), and the "
                "partner's DisposedProofs of our locks (punishObsoleteUnlock).",
     .params = third_params, .nparams = RPC_COUNT(third_params),
     .result = "{channelId, openBlock, token, partner, participant (us), delegatee, "
               "updateTransfer {nonce, transferredAmount, locksroot, additionalHash, "
               "closingSignature (the partner's), nonClosingSignature (ours)} or null, unlocks "
               "[{lock {expiration, amount, secretHash}, merkleProof, secret, signature}], "
               "punishes [{lockHash, additionalHash, signature}]}. Errors: -32000 data.code 3002 "
               "(no such channel), 1007 (settled)"},
    {.name = "channel_transfer", .fn = channel_transfer, .flags = 0,
     .summary = "Pays target: a direct transfer when it is a partner with an open channel for "
                "token (signed and stored before it leaves), else a mediated transfer over "
                "the hub's routes.",
     .params = transfer_params, .nparams = RPC_COUNT(transfer_params),
     .result = "{id, direct, target, token, amount}, and for a mediated transfer "
               "lockSecretHash (= id), fee (what the route costs) and expiration (of the first "
               "lock). Errors: -32000 with data.code 1002 (insufficient balance), 3003 (no "
               "route); -32000 '... above fee_max' (every route costs more than feeMax)"},
    {.name = "channel_transferCancel", .fn = channel_transfer_cancel, .flags = 0,
     .summary = "Cancels a mediated transfer we started whose secret is not revealed yet: "
                "status 4 (canceled) at once, the secret is never revealed and the lock "
                "returns to us when it expires (removed expiration + 17 blocks later).",
     .params = lock_hash_params, .nparams = RPC_COUNT(lock_hash_params),
     .result = "the transfer as channel_transferStatus shows it. Errors: -32000 data.code "
               "1017 (the secret was revealed, or the transfer ended), 3004 (not found), 1007 "
               "(we are its mediator or target)"},
    {.name = "channel_transferStatus", .fn = channel_transfer_status, .flags = 0,
     .summary = "A transfer's stored record and status (Photon's: 0 init .. 3 success .. 5 "
                "failed), by its id (a mediated transfer's is its lock secret hash).",
     .params = id_params, .nparams = RPC_COUNT(id_params),
     .result = "{id, status, statusString, token, initiator, target, channelId, amount, fee, "
               "direct, outgoing, block}; a mediated one (id = its lock secret hash) also has "
               "expiration (of the lock on channelId), role and stage (this hub's, while the "
               "transfer is under way here; else null). fee: what an initiator paid or a "
               "mediator earned"},
    {.name = "channel_updateNodes", .fn = channel_update_nodes, .flags = 0,
     .summary = "Registers where partner hubs listen, several at once (photon.md 4.2, Photon's "
                "updatenodes; memory only, as channel_registerPeer).",
     .params = nodes_params, .nparams = RPC_COUNT(nodes_params), .result = "true"},
    {.name = "channel_withdraw", .fn = channel_withdraw, .flags = RPC_WAITS,
     .summary = "Takes amount out of our balance in an open channel with the partner's "
                "consent (photon.md 3.8: WithdrawRequest / WithdrawResponse, then withDraw "
                "from our account) and waits for ChannelWithdraw: the channel goes on in a new "
                "life (new openBlock, deposits = the balances, nonces from 1).",
     .params = withdraw_params, .nparams = RPC_COUNT(withdraw_params),
     .result = CHANNEL_RESULT " (the new life) with txHash. Errors: -32000, data.code the "
               "partner's or our refusal (1002 above the balance, 5024 locks pending, 5115 "
               "balances differ), a timeout (the request stays under way: call again)"},
};

const struct rpc_namespace rpc_ns_channel = {"channel", channel_methods,
                                             RPC_COUNT(channel_methods), false};
