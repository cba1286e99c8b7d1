/*
 * hub_settle.c — withdraw and cooperative settle through the hub (hub.h,
 * "withdraw and cooperative settle"; photon.md §3.8, §2.4, §2.6).
 *
 * Two signatures over one contract message are needed on chain, so the
 * requester and its partner exchange a Request and a Response, then the
 * requester sends the transaction. What makes it safe is the order of the
 * state changes, each stored in its turn before the packet that follows it
 * leaves (the hub's TURN rule):
 *
 *   - the requester moves to WITHDRAWING / COOP_SETTLING (no new value
 *     either way) in the turn that queues its signed request; the request
 *     sits in the channel's outbox after every proof we sent before it, so
 *     the partner sees them first, and it is stored and resent like them;
 *   - the partner moves to PARTNER_WITHDRAWING / PARTNER_COOP_SETTLING in
 *     the turn that makes its signed Response: once its contract signature
 *     is out, the balances it signed must stay, so it never makes or accepts
 *     another transfer on this channel life (a close is still possible);
 *   - a refusal never carries a usable contract signature: the Response's
 *     amounts are zeroed (withDraw needs a withdraw > 0, cooperativeSettle
 *     balances that sum to the deposits), and the requester goes back to
 *     OPENED.
 *
 * The partner's signature is kept in memory only (struct ch_hub_flow): a
 * requester that restarts asks again, and the partner, still in its
 * PARTNER_* state, answers the same request again with the same signature
 * (RFC 6979). The chain event (hub_chain.c) ends the life on both hubs:
 * ChannelWithdraw starts the new one, ChannelCooperativeSettled settles it.
 *
 * Everything here runs on the hub thread (packets from the transport,
 * requests through ch_hub_run), except ch_hub_flow_calldata, which is pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/contract.h"
#include "channel/hub_internal.h"
#include "util/err.h"
#include "util/log.h"

static bool is_withdraw_cmd(int cmd)
{
    return cmd == CH_CMD_WITHDRAW_REQUEST || cmd == CH_CMD_WITHDRAW_RESPONSE;
}

static int requester_state(int kind)
{
    return kind == CH_FLOW_WITHDRAW ? CH_STATE_WITHDRAWING : CH_STATE_COOP_SETTLING;
}

static const char *kind_name(int kind)
{
    return kind == CH_FLOW_WITHDRAW ? "withdraw" : "cooperative settle";
}

/* ---- flows ---------------------------------------------------------------------- */

static struct ch_hub_flow *flow_find(struct ch_hub *h, const uint8_t channel_id[32])
{
    for (size_t i = 0; i < h->nflows; i++)
        if (memcmp(h->flows[i].channel_id, channel_id, 32) == 0)
            return &h->flows[i];
    return NULL;
}

/* Room for one more flow, so that adding it later cannot fail. */
static int flow_reserve(struct ch_hub *h)
{
    if (h->nflows < h->cap_flows)
        return 0;
    if (h->nflows >= CH_HUB_FLOWS_MAX)
        return err_set(ERR_RANGE, "channel hub: %d withdraw / settle requests under way",
                       CH_HUB_FLOWS_MAX);
    size_t nc = h->cap_flows ? h->cap_flows * 2 : 4;
    struct ch_hub_flow *v = realloc(h->flows, nc * sizeof *v);
    if (!v)
        return err_set(ERR_NOMEM, "channel hub: out of memory");
    h->flows = v;
    h->cap_flows = nc;
    return 0;
}

/* The flow of channel_id, replaced by a fresh one (flow_reserve first). */
static struct ch_hub_flow *flow_take(struct ch_hub *h, const uint8_t channel_id[32])
{
    struct ch_hub_flow *f = flow_find(h, channel_id);
    if (!f)
        f = &h->flows[h->nflows++];
    memset(f, 0, sizeof *f);
    memcpy(f->channel_id, channel_id, 32);
    return f;
}

static void flow_drop(struct ch_hub *h, struct ch_hub_flow *f)
{
    size_t i = (size_t)(f - h->flows);
    h->flows[i] = h->flows[--h->nflows];
}

void hub_settle_free(struct ch_hub *h)
{
    free(h->flows);
    h->flows = NULL;
    h->nflows = h->cap_flows = 0;
}

/* ---- messages ------------------------------------------------------------------- */

/* Fills the request of flow f (p1 = us) and signs it. */
static int build_request(struct ch_hub *h, const struct ch_hub_flow *f, struct ch_msg *m)
{
    int cmd = f->kind == CH_FLOW_WITHDRAW ? CH_CMD_WITHDRAW_REQUEST : CH_CMD_SETTLE_REQUEST;
    int rc = ch_msg_init(m, cmd);
    if (rc)
        return rc;
    if (f->kind == CH_FLOW_WITHDRAW) {
        struct ch_withdraw *w = &m->u.withdraw;
        memcpy(w->channel_id, f->channel_id, 32);
        w->open_block = f->open_block;
        memcpy(w->p1, f->p1, 20);
        memcpy(w->p2, f->p2, 20);
        w->p1_balance = f->p1_balance;
        w->p1_withdraw = f->p1_withdraw;
    } else {
        struct ch_settle *s = &m->u.settle;
        memcpy(s->channel_id, f->channel_id, 32);
        s->open_block = f->open_block;
        memcpy(s->p1, f->p1, 20);
        s->p1_balance = f->p1_balance;
        memcpy(s->p2, f->p2, 20);
        s->p2_balance = f->p2_balance;
    }
    return ch_msg_sign(m, h->cfg.key, &h->cfg.chain_id);
}

static void copy_reason(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static int make_ack(struct ch_hub *h, const uint8_t *pkt, size_t len,
                    uint8_t ack[CH_TRANSPORT_ACK_MAX], size_t *ack_len)
{
    struct ch_msg a;
    ch_msg_make_ack(pkt, len, h->addr, &a);
    return ch_msg_encode_buf(&a, ack, CH_TRANSPORT_ACK_MAX, ack_len);
}

/* Marks the hub failed after memory changed and the store could not follow
 * (as hub_direct.c does). */
static int fail(struct ch_hub *h, const char *what)
{
    char why[256];
    snprintf(why, sizeof why, "%s", err_msg());
    h->failed = true;
    log_error("Channel hub: %s failed after the channel changed (%s); refusing everything "
              "until restarted",
              what, why);
    return err_set(ERR_IO, "channel hub: %s: %s", what, why);
}

/* ---- our request ---------------------------------------------------------------- */

struct req_arg {
    int kind;
    const uint8_t *channel_id;
    u256 amount;
    int code;
};

/* Signs the request of f, queues it in the channel's outbox numbered our
 * nonce + 1 and stores it (in the open turn). */
static int queue_request(struct ch_hub *h, struct ch_channel *ch, const struct ch_hub_flow *f,
                         struct ch_store_outbox *ob)
{
    struct ch_msg m;
    int rc = build_request(h, f, &m);
    memcpy(ob->partner, ch->end[CH_PARTNER].addr, 20);
    memcpy(ob->channel_id, ch->channel_id, 32);
    ob->open_block = ch->open_block;
    ob->nonce = ch->end[CH_OURS].bp.nonce + 1;
    if (rc == 0)
        rc = ch_msg_encode_buf(&m, ob->packet, sizeof ob->packet, &ob->len);
    if (rc == 0)
        rc = ch_transport_queue(h->tp, ob->partner, ob->channel_id, ob->open_block, ob->nonce,
                                ob->packet, ob->len);
    return rc;
}

static int run_request(struct ch_hub *h, void *arg)
{
    struct req_arg *a = arg;
    a->code = CH_OK;
    struct ch_channel *ch = hub_find_channel(h, a->channel_id, 0);
    if (!ch)
        return err_set(ERR_NOTFOUND, "channel hub: no such channel");
    const uint8_t *partner = ch->end[CH_PARTNER].addr;
    struct ch_hub_flow *f = flow_find(h, ch->channel_id);
    if (f && (f->open_block != ch->open_block || f->status == CH_FLOW_REFUSED ||
              ch->state == CH_STATE_OPENED)) {
        flow_drop(h, f); /* an ended life, or a refusal: a new request replaces it */
        f = NULL;
    }
    size_t pending = ch_transport_pending(h->tp, partner, ch->channel_id, ch->open_block, NULL);
    int rc;
    struct ch_hub_flow nf;
    memset(&nf, 0, sizeof nf);
    nf.kind = a->kind;
    nf.status = CH_FLOW_PENDING;
    memcpy(nf.channel_id, ch->channel_id, 32);
    nf.open_block = ch->open_block;
    memcpy(nf.token, ch->token, 20);
    memcpy(nf.p1, h->addr, 20);
    memcpy(nf.p2, partner, 20);
    if (a->kind == CH_FLOW_WITHDRAW) {
        nf.p1_withdraw = a->amount;
        rc = ch_can_withdraw(ch, CH_OURS, &a->amount, &nf.p1_balance, &a->code);
    } else {
        rc = ch_can_coop_settle(ch, &nf.p1_balance, &nf.p2_balance, &a->code);
    }
    if (ch->state == requester_state(a->kind)) {
        /* asked before (before a restart, or the answer was lost): the same
         * request again, unless it still waits for its ack */
        if (f && (f->kind != a->kind ||
                  (a->kind == CH_FLOW_WITHDRAW && !u256_eq(&f->p1_withdraw, &a->amount))))
            return err_set(ERR_INVAL, "channel hub: another %s is under way on this channel",
                           kind_name(f->kind));
        if (f && f->status == CH_FLOW_READY)
            return 0; /* answered already: the caller sends the transaction */
        if (rc)
            return rc;
        if (!f && (rc = flow_reserve(h)) != 0)
            return rc;
        if (pending) {
            if (!f)
                *flow_take(h, ch->channel_id) = nf;
            return 0;
        }
    } else {
        if (ch->state != CH_STATE_OPENED) {
            a->code = CH_E_CHANNEL_NOT_OPEN;
            return err_set(ERR_BADSTATE, "channel hub: %s on a %s channel", kind_name(a->kind),
                           ch_state_name(ch->state));
        }
        if (rc)
            return rc;
        if (pending)
            return err_set(ERR_BADSTATE,
                           "channel hub: %zu of our transfers on this channel wait for their "
                           "ack (ask again once they are acknowledged)",
                           pending);
        if ((rc = flow_reserve(h)) != 0)
            return rc;
    }
    struct ch_store_outbox ob;
    rc = hub_turn_begin(h);
    if (rc == 0)
        rc = queue_request(h, ch, &nf, &ob);
    if (rc)
        return rc; /* nothing changed (a queued packet leaves only with the turn) */
    if (ch->state != requester_state(a->kind) && ch_set_state(ch, requester_state(a->kind)))
        return fail(h, "moving the channel to its flow state");
    rc = ch_store_put_channel(h->st, ch);
    if (rc == 0)
        rc = ch_store_put_outbox(h->st, &ob);
    if (rc)
        return fail(h, "storing our request");
    h->turn_sync = true;
    *flow_take(h, ch->channel_id) = nf;
    log_info("Channel hub: %s requested on channel %02x%02x%02x%02x...", kind_name(a->kind),
             ch->channel_id[0], ch->channel_id[1], ch->channel_id[2], ch->channel_id[3]);
    return 0;
}

static int request(struct ch_hub *h, int kind, const uint8_t channel_id[32], const u256 *amount,
                   int *code)
{
    struct req_arg a;
    memset(&a, 0, sizeof a);
    a.kind = kind;
    a.channel_id = channel_id;
    if (amount)
        a.amount = *amount;
    int rc = ch_hub_run(h, run_request, &a);
    if (code)
        *code = rc ? a.code : CH_OK;
    return rc;
}

int ch_hub_withdraw(struct ch_hub *h, const uint8_t channel_id[32], const u256 *amount,
                    int *code)
{
    return request(h, CH_FLOW_WITHDRAW, channel_id, amount, code);
}

int ch_hub_coop_settle(struct ch_hub *h, const uint8_t channel_id[32], int *code)
{
    return request(h, CH_FLOW_COOP_SETTLE, channel_id, NULL, code);
}

struct get_arg {
    const uint8_t *channel_id;
    struct ch_hub_flow *out;
};

static int run_get(struct ch_hub *h, void *arg)
{
    struct get_arg *a = arg;
    struct ch_hub_flow *f = flow_find(h, a->channel_id);
    if (!f)
        return err_set(ERR_NOTFOUND, "channel hub: no withdraw or cooperative settle of ours "
                                     "on this channel");
    *a->out = *f;
    const struct ch_channel *ch = hub_find_channel(h, a->channel_id, 0);
    if (!ch || ch->open_block != f->open_block || ch->state == CH_STATE_SETTLED) {
        a->out->status = CH_FLOW_DONE;
        flow_drop(h, f);
    }
    return 0;
}

int ch_hub_get_flow(struct ch_hub *h, const uint8_t channel_id[32], struct ch_hub_flow *out)
{
    struct get_arg a = {.channel_id = channel_id, .out = out};
    return ch_hub_run(h, run_get, &a);
}

int ch_hub_flow_calldata(const struct ch_hub_flow *f, struct bytes *out)
{
    if (f->status != CH_FLOW_READY)
        return err_set(ERR_BADSTATE, "channel hub: the %s has no partner signature",
                       kind_name(f->kind));
    if (f->kind == CH_FLOW_WITHDRAW)
        return ch_call_tn_withdraw(f->token, f->p1, f->p2, &f->p1_balance, &f->p1_withdraw,
                                   f->p1_sig, f->p2_sig, out);
    return ch_call_tn_cooperative_settle(f->token, f->p1, &f->p1_balance, f->p2, &f->p2_balance,
                                         f->p1_sig, f->p2_sig, out);
}

/* ---- the partner's request ---------------------------------------------------- */

/* Answers the partner's request on channel life ch: a Response with our
 * contract signature (and the PARTNER_* state stored first), or one with an
 * error code and zero amounts. Returns true when the request is to be
 * acknowledged. */
static bool on_request(struct ch_hub *h, struct ch_channel *ch, const struct ch_msg *m)
{
    bool wd = is_withdraw_cmd(m->cmd);
    int pstate = wd ? CH_STATE_PARTNER_WITHDRAWING : CH_STATE_PARTNER_COOP_SETTLING;
    int code = CH_OK;
    char why[256] = "";
    if (ch->state != CH_STATE_OPENED && ch->state != pstate) {
        code = CH_E_CHANNEL_NOT_OPEN;
        snprintf(why, sizeof why, "the channel is %s", ch_state_name(ch->state));
    } else if ((wd ? ch_check_withdraw_msg(ch, m, &h->cfg.chain_id, &code)
                   : ch_check_settle_msg(ch, m, &h->cfg.chain_id, &code)) != 0) {
        copy_reason(why, sizeof why, err_msg());
        if (code == CH_OK)
            code = CH_E_INTERNAL;
    }
    struct ch_msg r = *m;
    r.cmd = wd ? CH_CMD_WITHDRAW_RESPONSE : CH_CMD_SETTLE_RESPONSE;
    if (code != CH_OK) {
        /* no usable contract signature in a refusal */
        u256 zero = u256_from_u64(0);
        if (wd) {
            r.u.withdraw.p1_balance = zero;
            r.u.withdraw.p1_withdraw = zero;
            r.u.withdraw.error_code = code;
            r.u.withdraw.error_len = strlen(why);
            memcpy(r.u.withdraw.error_msg, why, r.u.withdraw.error_len + 1);
        } else {
            r.u.settle.p1_balance = zero;
            r.u.settle.p2_balance = zero;
            r.u.settle.error_code = code;
            r.u.settle.error_len = strlen(why);
            memcpy(r.u.settle.error_msg, why, r.u.settle.error_len + 1);
        }
    } else if (wd) {
        r.u.withdraw.error_code = 0;
        r.u.withdraw.error_len = 0;
        r.u.withdraw.error_msg[0] = 0;
    } else {
        r.u.settle.error_code = 0;
        r.u.settle.error_len = 0;
        r.u.settle.error_msg[0] = 0;
    }
    uint8_t pkt[CH_PACKET_MAX];
    size_t len = 0;
    if (ch_msg_sign(&r, h->cfg.key, &h->cfg.chain_id) != 0 ||
        ch_msg_encode_buf(&r, pkt, sizeof pkt, &len) != 0) {
        log_debug(LOG_CHANNEL, "Channel hub: cannot answer a %s: %s", ch_cmd_name(m->cmd),
                  err_msg());
        return false;
    }
    if (code == CH_OK && ch->state != pstate) {
        if (ch_set_state(ch, pstate) != 0)
            return false;
        if (ch_store_put_channel(h->st, ch) != 0) {
            fail(h, "storing the partner's request");
            return false;
        }
        h->turn_sync = true;
    }
    if (ch_transport_send_loose(h->tp, ch->end[CH_PARTNER].addr, pkt, len, true) != 0) {
        if (code == CH_OK)
            fail(h, "queueing our response"); /* the state is stored: stop here */
        return false;
    }
    if (code == CH_OK)
        log_info("Channel hub: the partner's %s on channel %02x%02x%02x%02x... accepted",
                 wd ? "withdraw" : "cooperative settle", ch->channel_id[0], ch->channel_id[1],
                 ch->channel_id[2], ch->channel_id[3]);
    else
        log_info("Channel hub: the partner's %s refused: %s (%s)",
                 wd ? "withdraw" : "cooperative settle", ch_code_name(code), why);
    return true;
}

/* ---- the partner's response ----------------------------------------------------- */

/* Our request on ch ends refused: back to OPENED, its outbox entry gone. */
static bool refuse_flow(struct ch_hub *h, struct ch_channel *ch, struct ch_hub_flow *f,
                        int32_t code, const char *why)
{
    if (ch_set_state(ch, CH_STATE_OPENED) != 0)
        return false;
    if (ch_store_put_channel(h->st, ch) != 0 ||
        ch_store_delete_outbox(h->st, ch->end[CH_PARTNER].addr, ch->channel_id, ch->open_block,
                               ch->end[CH_OURS].bp.nonce + 1) != 0) {
        fail(h, "storing a refusal");
        return false;
    }
    h->turn_sync = true;
    f->status = CH_FLOW_REFUSED;
    f->error_code = code;
    copy_reason(f->error_msg, sizeof f->error_msg, why);
    log_info("Channel hub: our %s on channel %02x%02x%02x%02x... refused: %d %s",
             kind_name(f->kind), ch->channel_id[0], ch->channel_id[1], ch->channel_id[2],
             ch->channel_id[3], (int)code, f->error_msg);
    return true;
}

/* Returns true when the response is to be acknowledged. */
static bool on_response(struct ch_hub *h, struct ch_channel *ch, const struct ch_msg *m)
{
    bool wd = is_withdraw_cmd(m->cmd);
    int kind = wd ? CH_FLOW_WITHDRAW : CH_FLOW_COOP_SETTLE;
    if (ch->state != requester_state(kind))
        return true; /* an answer we no longer wait for (a duplicate, a late one) */
    struct ch_hub_flow *f = flow_find(h, ch->channel_id);
    if (f && (f->open_block != ch->open_block || f->kind != kind)) {
        flow_drop(h, f);
        f = NULL;
    }
    if (f && f->status != CH_FLOW_PENDING)
        return true; /* answered already */
    if (!f) {
        /* we asked before a restart: the request is rebuilt from our view */
        if (flow_reserve(h) != 0)
            return false; /* no ack: the partner resends */
        f = flow_take(h, ch->channel_id);
        f->kind = kind;
        f->status = CH_FLOW_PENDING;
        f->open_block = ch->open_block;
        memcpy(f->token, ch->token, 20);
        memcpy(f->p1, h->addr, 20);
        memcpy(f->p2, ch->end[CH_PARTNER].addr, 20);
        if (wd)
            f->p1_withdraw = m->u.withdraw.p1_withdraw;
    }
    int32_t ecode = wd ? m->u.withdraw.error_code : m->u.settle.error_code;
    if (ecode != 0)
        return refuse_flow(h, ch, f, ecode, wd ? m->u.withdraw.error_msg : m->u.settle.error_msg);
    int code = CH_OK;
    int rc = wd ? ch_check_withdraw_msg(ch, m, &h->cfg.chain_id, &code)
                : ch_check_settle_msg(ch, m, &h->cfg.chain_id, &code);
    if (rc == 0 && wd && !u256_eq(&m->u.withdraw.p1_withdraw, &f->p1_withdraw)) {
        code = CH_E_INVALID_BALANCE;
        rc = err_set(ERR_INVAL, "the response names another withdraw amount");
    }
    if (rc) /* signed by the partner, yet not what we asked: refused */
        return refuse_flow(h, ch, f, code ? code : CH_E_INTERNAL, err_msg());
    uint8_t digest[32];
    if (wd) {
        f->p1_balance = m->u.withdraw.p1_balance;
        ch_sig_withdraw_digest(f->p1, &f->p1_balance, &f->p1_withdraw, ch->channel_id,
                               ch->open_block, &h->cfg.chain_id, digest);
        memcpy(f->p2_sig, m->u.withdraw.contract_sig, CH_SIG_LEN);
    } else {
        f->p1_balance = m->u.settle.p1_balance;
        f->p2_balance = m->u.settle.p2_balance;
        ch_sig_coop_settle_digest(f->p1, &f->p1_balance, f->p2, &f->p2_balance, ch->channel_id,
                                  ch->open_block, &h->cfg.chain_id, digest);
        memcpy(f->p2_sig, m->u.settle.contract_sig, CH_SIG_LEN);
    }
    if (ch_sign(digest, h->cfg.key, f->p1_sig) != 0)
        return false;
    f->status = CH_FLOW_READY;
    log_info("Channel hub: our %s on channel %02x%02x%02x%02x... co-signed by the partner",
             kind_name(kind), ch->channel_id[0], ch->channel_id[1], ch->channel_id[2],
             ch->channel_id[3]);
    return true;
}

/* ---- dispatch -------------------------------------------------------------------- */

void hub_settle_on_packet(void *ctx, const struct ch_msg *m, const uint8_t *pkt, size_t len,
                          const struct sockaddr *from, socklen_t fromlen,
                          uint8_t ack[CH_TRANSPORT_ACK_MAX], size_t *ack_len)
{
    struct ch_hub *h = ctx;
    *ack_len = 0;
    bool req = m->cmd == CH_CMD_WITHDRAW_REQUEST || m->cmd == CH_CMD_SETTLE_REQUEST;
    bool resp = m->cmd == CH_CMD_WITHDRAW_RESPONSE || m->cmd == CH_CMD_SETTLE_RESPONSE;
    if (!req && !resp) {
        hub_med_on_packet(ctx, m, pkt, len, from, fromlen, ack, ack_len);
        return;
    }
    if (h->failed || h->dead || hub_turn_begin(h) != 0)
        return;
    const uint8_t *cid = is_withdraw_cmd(m->cmd) ? m->u.withdraw.channel_id
                                                 : m->u.settle.channel_id;
    uint64_t ob = is_withdraw_cmd(m->cmd) ? m->u.withdraw.open_block : m->u.settle.open_block;
    uint8_t signer[20];
    if (ch_msg_verify(m, &h->cfg.chain_id, signer) != 0) {
        h->stats.refused++;
        log_debug(LOG_CHANNEL, "Channel hub: %s: %s", ch_cmd_name(m->cmd), err_msg());
        return;
    }
    struct ch_channel *ch = hub_find_channel(h, cid, ob);
    if (!ch) {
        /* a channel life that ended (the withdraw or settle happened): its
         * partner's resends are acknowledged, anything else is not */
        const struct ch_channel *latest = hub_find_channel(h, cid, 0);
        if (latest && latest->open_block > ob &&
            memcmp(latest->end[CH_PARTNER].addr, signer, 20) == 0)
            make_ack(h, pkt, len, ack, ack_len);
        else
            h->stats.refused++;
        return;
    }
    if (memcmp(ch->end[CH_PARTNER].addr, signer, 20) != 0) {
        h->stats.refused++;
        log_debug(LOG_CHANNEL, "Channel hub: %s not signed by the channel's partner",
                  ch_cmd_name(m->cmd));
        return;
    }
    bool ok = req ? on_request(h, ch, m) : on_response(h, ch, m);
    if (!ok || h->failed || make_ack(h, pkt, len, ack, ack_len) != 0) {
        *ack_len = 0;
        h->stats.refused += !h->failed;
    }
}
