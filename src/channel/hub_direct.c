/*
 * hub_direct.c — direct transfers through the hub (hub.h): making ours,
 * accepting the partner's, acks both ways, duplicates.
 *
 * Each function runs inside a turn (hub.c opens it) and follows the same
 * order: CHECK with the state machine (nothing changes on a refusal), then
 * sign, queue the packet in the transport (held until the turn is stored),
 * apply to the channel, and add the store records. After the apply, a
 * failure can no longer be undone in memory, so it marks the hub failed: the
 * turn is dropped with its packets and the hub refuses everything until a
 * restart from the store.
 */
#include <stdio.h>
#include <string.h>

#include "channel/hub_internal.h"
#include "crypto/keccak.h"
#include "util/err.h"
#include "util/log.h"

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

void ch_hub_transfer_id(const uint8_t channel_id[32], uint64_t open_block,
                        const uint8_t sender[20], uint64_t nonce, uint8_t out[32])
{
    uint8_t buf[32 + 8 + 20 + 8];
    memcpy(buf, channel_id, 32);
    put_be64(buf + 32, open_block);
    memcpy(buf + 40, sender, 20);
    put_be64(buf + 60, nonce);
    keccak256(buf, sizeof buf, out);
}

static struct ch_channel *find_open_channel(struct ch_hub *h, const uint8_t partner[20],
                                            const uint8_t token[20])
{
    for (size_t i = 0; i < h->nch; i++) {
        struct ch_channel *ch = &h->ch[i];
        if (ch_can_transfer(ch) && memcmp(ch->token, token, 20) == 0 &&
            memcmp(ch->end[CH_PARTNER].addr, partner, 20) == 0)
            return ch;
    }
    return NULL;
}

static int fail(struct ch_hub *h, int rc, const char *what)
{
    char why[256];
    snprintf(why, sizeof why, "%s", err_msg());
    h->failed = true;
    log_error("Channel hub: %s failed after the channel changed (%s: %s); refusing "
              "everything until restarted",
              what, err_name(rc), why);
    return err_set(ERR_IO, "channel hub: %s: %s", what, why);
}

int hub_make_direct(struct ch_hub *h, const uint8_t partner[20], const uint8_t token[20],
                    const u256 *amount, uint8_t id[32])
{
    struct ch_channel *ch = find_open_channel(h, partner, token);
    if (!ch)
        return err_set(ERR_NOTFOUND, "channel hub: no open channel with that partner for that "
                                     "token");
    if (ch_transport_pending(h->tp, partner, ch->channel_id, ch->open_block, NULL) >=
        CH_HUB_INFLIGHT_MAX)
        return err_set(ERR_RANGE, "channel hub: %d transfers wait for their ack on this channel",
                       CH_HUB_INFLIGHT_MAX);
    struct ch_step step;
    int code = CH_OK;
    int rc = ch_make_direct(ch, amount, &step, &code);
    if (rc)
        return rc;
    struct ch_msg m;
    rc = ch_step_msg_init(&step, &m);
    if (rc == 0)
        rc = ch_step_seal(&step, &m, h->cfg.key, &h->cfg.chain_id);
    struct ch_store_outbox ob;
    memcpy(ob.partner, partner, 20);
    memcpy(ob.channel_id, ch->channel_id, 32);
    ob.open_block = ch->open_block;
    ob.nonce = step.bp.nonce;
    if (rc == 0)
        rc = ch_msg_encode_buf(&m, ob.packet, sizeof ob.packet, &ob.len);
    if (rc == 0)
        rc = ch_transport_queue(h->tp, partner, ch->channel_id, ch->open_block, ob.nonce,
                                ob.packet, ob.len);
    if (rc)
        return rc; /* nothing changed yet (a queued packet leaves only with the turn) */
    rc = ch_apply(ch, &step);
    if (rc)
        return fail(h, rc, "applying our transfer");
    struct ch_store_transfer t;
    memset(&t, 0, sizeof t);
    ch_hub_transfer_id(ch->channel_id, ch->open_block, h->addr, step.bp.nonce, t.id);
    memcpy(t.token, ch->token, 20);
    memcpy(t.initiator, h->addr, 20);
    memcpy(t.target, partner, 20);
    memcpy(t.channel_id, ch->channel_id, 32);
    t.amount = step.amount;
    t.block = h->cfg.block;
    t.status = CH_TRANSFER_CANNOT_CANCEL;
    t.direct = true;
    t.outgoing = true;
    rc = ch_store_put_end(h->st, ch, CH_OURS);
    if (rc == 0)
        rc = ch_store_put_outbox(h->st, &ob);
    if (rc == 0)
        rc = ch_store_put_transfer(h->st, &t);
    if (rc)
        return fail(h, rc, "storing our transfer");
    h->turn_sync = true;
    h->stats.transfers_sent++;
    if (id)
        memcpy(id, t.id, 32);
    return 0;
}

/* ---- receiving ------------------------------------------------------------------ */

static int make_ack(struct ch_hub *h, const uint8_t *pkt, size_t len,
                    uint8_t ack[CH_TRANSPORT_ACK_MAX], size_t *ack_len)
{
    struct ch_msg a;
    ch_msg_make_ack(pkt, len, h->addr, &a);
    return ch_msg_encode_buf(&a, ack, CH_TRANSPORT_ACK_MAX, ack_len);
}

/* A packet whose nonce is not above the partner's latest proof. */
static void on_duplicate(struct ch_hub *h, struct ch_channel *ch, const struct ch_msg *m,
                         const uint8_t *pkt, size_t len, const uint8_t echo[32],
                         uint8_t ack[CH_TRANSPORT_ACK_MAX], size_t *ack_len)
{
    uint8_t stored[CH_STORE_ACK_MAX];
    size_t sl = 0;
    if (ch_store_get_ack(h->st, echo, stored, &sl, NULL) == 0 && sl <= CH_TRANSPORT_ACK_MAX) {
        memcpy(ack, stored, sl);
        *ack_len = sl;
        h->stats.duplicates_answered++;
        return;
    }
    const struct ch_end *pe = &ch->end[CH_PARTNER];
    const struct ch_bp *bp = ch_msg_bp(m);
    bool ours = false;
    if (bp->nonce == pe->bp.nonce) {
        /* the latest proof (stored, or in this very turn) and nothing else */
        uint8_t ah[32];
        ours = ch_msg_additional_hash(m, ah) == 0 && memcmp(ah, pe->additional_hash, 32) == 0 &&
               memcmp(m->sig, pe->sig, CH_SIG_LEN) == 0;
    } else {
        /* older than a proof the partner signed since: superseded */
        uint8_t signer[20];
        ours = ch_msg_verify(m, &h->cfg.chain_id, signer) == 0 &&
               memcmp(signer, pe->addr, 20) == 0;
    }
    if (ours && make_ack(h, pkt, len, ack, ack_len) == 0)
        h->stats.duplicates_answered++;
    else
        *ack_len = 0;
}

static void on_envelope(struct ch_hub *h, const struct ch_msg *m, const uint8_t *pkt, size_t len,
                        uint8_t ack[CH_TRANSPORT_ACK_MAX], size_t *ack_len)
{
    const struct ch_bp *bp = ch_msg_bp(m);
    struct ch_channel *ch = hub_find_channel(h, bp->channel_id, bp->open_block);
    if (!ch) {
        h->stats.refused++;
        log_debug(LOG_CHANNEL, "Channel hub: %s for an unknown channel", ch_cmd_name(m->cmd));
        return;
    }
    uint8_t echo[32];
    ch_msg_ack_echo(pkt, len, h->addr, echo);
    if (bp->nonce <= ch->end[CH_PARTNER].bp.nonce) {
        on_duplicate(h, ch, m, pkt, len, echo, ack, ack_len);
        return;
    }
    if (m->cmd != CH_CMD_DIRECT_TRANSFER) {
        h->stats.refused++;
        log_debug(LOG_CHANNEL, "Channel hub: %s not handled yet", ch_cmd_name(m->cmd));
        return;
    }
    struct ch_step step;
    int code = CH_OK;
    if (ch_recv_envelope(ch, m, h->cfg.block, &h->cfg.chain_id, &step, &code) != 0) {
        h->stats.refused++;
        log_debug(LOG_CHANNEL, "Channel hub: refused %s nonce %llu: %s (%s)", ch_cmd_name(m->cmd),
                  (unsigned long long)bp->nonce, ch_code_name(code), err_msg());
        return;
    }
    if (make_ack(h, pkt, len, ack, ack_len) != 0) {
        *ack_len = 0;
        return;
    }
    if (ch_apply(ch, &step) != 0) {
        *ack_len = 0;
        fail(h, ERR_NOMEM, "applying a partner's transfer");
        return;
    }
    struct ch_store_transfer t;
    memset(&t, 0, sizeof t);
    const uint8_t *partner = ch->end[CH_PARTNER].addr;
    ch_hub_transfer_id(ch->channel_id, ch->open_block, partner, step.bp.nonce, t.id);
    memcpy(t.token, ch->token, 20);
    memcpy(t.initiator, partner, 20);
    memcpy(t.target, h->addr, 20);
    memcpy(t.channel_id, ch->channel_id, 32);
    t.amount = step.amount;
    t.block = h->cfg.block;
    t.status = CH_TRANSFER_SUCCESS;
    t.direct = true;
    int rc = ch_store_put_end(h->st, ch, CH_PARTNER);
    if (rc == 0)
        rc = ch_store_put_ack(h->st, partner, echo, ack, *ack_len);
    if (rc == 0)
        rc = ch_store_put_transfer(h->st, &t);
    if (rc) {
        *ack_len = 0;
        fail(h, rc, "storing a partner's transfer");
        return;
    }
    h->turn_sync = true;
    h->stats.transfers_received++;
}

void hub_on_packet(void *ctx, const struct ch_msg *m, const uint8_t *pkt, size_t len,
                   const struct sockaddr *from, socklen_t fromlen,
                   uint8_t ack[CH_TRANSPORT_ACK_MAX], size_t *ack_len)
{
    (void)from;
    (void)fromlen;
    struct ch_hub *h = ctx;
    *ack_len = 0;
    if (h->failed || h->dead || hub_turn_begin(h) != 0)
        return;
    if (ch_cmd_is_envelope(m->cmd)) {
        on_envelope(h, m, pkt, len, ack, ack_len);
        return;
    }
    if (m->cmd == CH_CMD_PING) {
        /* a Ping changes nothing: acknowledge who signed it */
        if (ch_msg_verify(m, &h->cfg.chain_id, NULL) != 0 || make_ack(h, pkt, len, ack, ack_len))
            *ack_len = 0;
        return;
    }
    h->stats.refused++;
    log_debug(LOG_CHANNEL, "Channel hub: %s not handled yet", ch_cmd_name(m->cmd));
}

/* Our proof `nonce` was acknowledged: its outbox entry goes, its transfer
 * is a success. Neither needs the fsync (hub.h). */
void hub_on_acked(void *ctx, const uint8_t partner[20], const uint8_t channel_id[32],
                  uint64_t open_block, uint64_t nonce)
{
    struct ch_hub *h = ctx;
    if (!channel_id || h->failed || h->dead || hub_turn_begin(h) != 0)
        return;
    h->stats.acks_received++;
    int rc = ch_store_delete_outbox(h->st, partner, channel_id, open_block, nonce);
    struct ch_store_transfer t;
    uint8_t id[32];
    ch_hub_transfer_id(channel_id, open_block, h->addr, nonce, id);
    if (rc == 0 && ch_store_get_transfer(h->st, id, &t) == 0 &&
        t.status != CH_TRANSFER_SUCCESS) {
        t.status = CH_TRANSFER_SUCCESS;
        rc = ch_store_put_transfer(h->st, &t);
    }
    if (rc)
        log_warn("Channel hub: recording an ack: %s", err_msg());
}
