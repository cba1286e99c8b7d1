/*
 * hub_mediated.c — mediated transfers through the hub (hub.h, "mediated
 * transfers"; photon.md §3.7): the initiator, mediator and target roles on
 * top of the channel state machine, the store and the transport.
 *
 * Every handler runs inside a turn and keeps the order of hub_direct.c:
 * CHECK (the state machine, mediated.h's rules) with nothing changed on a
 * refusal, then sign, queue (held until the turn is stored), apply, and add
 * the store records. A failure after the apply marks the hub failed (its
 * memory is ahead of its store). The transfers under way are an array in
 * memory mirrored by one 'm' record each; a secret is put in the store in
 * the turn that first reveals it (or, for the initiator, that makes the
 * lock), so no packet carrying it can leave before it is on disk.
 *
 * Loose packets (SecretRequest, RevealSecret, AnnounceDisposed) are resent
 * by the transport until acknowledged and, after a restart, queued again
 * from the records (hub_med_resume). Their receivers are idempotent: a
 * second SecretRequest or RevealSecret changes nothing and is acknowledged
 * again; one for a finished transfer of ours is acknowledged too (its
 * transfer record says so), while one naming nothing we know gets no ack.
 *
 * The user's operations on a transfer under way (hub.h "user operations":
 * a held secret, cancel, a secret learned out of band) are commands at the
 * end of this file, since they drive the same roles.
 *
 * Why a file of its own: the roles share the hub's machinery but not its
 * direct-transfer paths; hub.c only routes the transport's packets here
 * (hub_med_on_packet), and everything else reaches this file through
 * ch_hub_run commands.
 */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/hub_internal.h"
#include "util/err.h"
#include "util/log.h"

/* ---- the table of transfers under way --------------------------------------- */

static struct ch_med_transfer *med_find(struct ch_hub *h, const uint8_t hash[32])
{
    for (size_t i = 0; i < h->nmed; i++)
        if (memcmp(h->med[i].secret_hash, hash, 32) == 0)
            return &h->med[i];
    return NULL;
}

/* Appends a copy of t. Pointers into the table are invalid afterwards. */
static int med_add(struct ch_hub *h, const struct ch_med_transfer *t)
{
    if (h->nmed >= CH_STORE_MEDIATED_MAX)
        return err_set(ERR_RANGE, "channel hub: %u mediated transfers under way",
                       CH_STORE_MEDIATED_MAX);
    if (h->nmed == h->cap_med) {
        size_t nc = h->cap_med ? h->cap_med * 2 : 16;
        struct ch_med_transfer *p = realloc(h->med, nc * sizeof *p);
        if (!p)
            return err_set(ERR_NOMEM, "channel hub: out of memory");
        h->med = p;
        h->cap_med = nc;
    }
    h->med[h->nmed++] = *t;
    return 0;
}

static void med_remove(struct ch_hub *h, struct ch_med_transfer *t)
{
    size_t i = (size_t)(t - h->med);
    OPENSSL_cleanse(t->secret, 32);
    if (i + 1 < h->nmed)
        h->med[i] = h->med[h->nmed - 1];
    h->nmed--;
}

int hub_med_init(struct ch_hub *h, struct ch_store_state *st)
{
    ch_med_graph_init(&h->graph);
    h->fees = st->fees;
    ch_fee_policy_init(&st->fees);
    h->med = st->mediated;
    h->nmed = h->cap_med = st->n_mediated;
    st->mediated = NULL;
    st->n_mediated = 0;
    for (size_t i = 0; i < h->nmed; i++) {
        struct ch_med_transfer *t = &h->med[i];
        for (size_t k = 0; k < st->n_secrets; k++) {
            const struct ch_store_secret *s = &st->secrets[k];
            if (s->has_secret && memcmp(s->secret_hash, t->secret_hash, 32) == 0) {
                t->has_secret = true;
                memcpy(t->secret, s->secret, 32);
                break;
            }
        }
    }
    return 0;
}

void hub_med_free(struct ch_hub *h)
{
    if (h->med)
        OPENSSL_cleanse(h->med, h->cap_med * sizeof *h->med);
    free(h->med);
    h->med = NULL;
    h->nmed = h->cap_med = 0;
    ch_med_graph_free(&h->graph);
    ch_fee_policy_free(&h->fees);
}

/* ---- helpers ------------------------------------------------------------------------ */

static int med_fail(struct ch_hub *h, int rc, const char *what)
{
    char why[256];
    snprintf(why, sizeof why, "%s", err_msg());
    h->failed = true;
    log_error("Channel hub: %s failed after the state changed (%s: %s); refusing everything "
              "until restarted",
              what, err_name(rc), why);
    return err_set(ERR_IO, "channel hub: %s: %s", what, why);
}

static struct ch_channel *open_channel_with(struct ch_hub *h, const uint8_t partner[20],
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

static struct ch_channel *channel_of(struct ch_hub *h, const struct ch_med_hop *hop)
{
    return hop->set ? hub_find_channel(h, hop->channel_id, hop->open_block) : NULL;
}

static void set_hop(struct ch_med_hop *hop, const struct ch_channel *ch, const struct ch_lock *l,
                    const u256 *fee)
{
    memset(hop, 0, sizeof *hop);
    hop->set = true;
    memcpy(hop->partner, ch->end[CH_PARTNER].addr, 20);
    memcpy(hop->channel_id, ch->channel_id, 32);
    hop->open_block = ch->open_block;
    hop->lock = *l;
    hop->fee = *fee;
}

/* The transfer record (id = secret hash) with `status`. */
static int put_status(struct ch_hub *h, const struct ch_med_transfer *t, uint32_t status)
{
    struct ch_store_transfer r;
    memset(&r, 0, sizeof r);
    memcpy(r.id, t->secret_hash, 32);
    memcpy(r.token, t->token, 20);
    memcpy(r.initiator, t->initiator, 20);
    memcpy(r.target, t->target, 20);
    r.amount = t->amount;
    const struct ch_med_hop *hop = t->role == CH_MED_INITIATOR ? &t->payee : &t->payer;
    memcpy(r.channel_id, hop->channel_id, 32);
    r.expiration = hop->lock.expiration;
    if (t->role == CH_MED_INITIATOR && t->payee.set)
        u256_sub(&r.fee, &t->payee.lock.amount, &t->amount); /* paid */
    else if (t->role == CH_MED_MEDIATOR && t->payee.set &&
             !u256_lt(&t->payer.lock.amount, &t->payee.lock.amount))
        u256_sub(&r.fee, &t->payer.lock.amount, &t->payee.lock.amount); /* earned */
    r.block = t->block;
    r.status = status;
    r.outgoing = t->role == CH_MED_INITIATOR;
    h->turn_sync = true;
    return ch_store_put_transfer(h->st, &r);
}

static int save(struct ch_hub *h, const struct ch_med_transfer *t)
{
    h->turn_sync = true;
    return ch_store_put_mediated(h->st, t);
}

static int save_secret(struct ch_hub *h, const struct ch_med_transfer *t)
{
    struct ch_store_secret s;
    memset(&s, 0, sizeof s);
    memcpy(s.secret_hash, t->secret_hash, 32);
    s.has_secret = t->has_secret;
    memcpy(s.secret, t->secret, 32);
    s.reveal_state = (uint32_t)t->stage;
    h->turn_sync = true;
    int rc = ch_store_put_secret(h->st, &s);
    OPENSSL_cleanse(&s, sizeof s);
    return rc;
}

/* The transfer ends here: its status, and its record and secret go. */
static int finish(struct ch_hub *h, struct ch_med_transfer *t, uint32_t status)
{
    if (status == CH_TRANSFER_FAILED && t->flags & CH_MED_F_CANCELED)
        status = CH_TRANSFER_CANCELED; /* the user's cancel, not a failure */
    int rc = put_status(h, t, status);
    if (rc == 0)
        rc = ch_store_delete_mediated(h->st, t->secret_hash);
    if (rc == 0)
        rc = ch_store_delete_secret(h->st, t->secret_hash);
    log_debug(LOG_CHANNEL, "Channel hub: mediated transfer %02x%02x%02x%02x... (%s) %s",
              t->secret_hash[0], t->secret_hash[1], t->secret_hash[2], t->secret_hash[3],
              ch_med_role_name(t->role), status == CH_TRANSFER_SUCCESS ? "succeeded" : "failed");
    med_remove(h, t);
    return rc ? med_fail(h, rc, "storing the end of a mediated transfer") : 0;
}

/* Signs our balance proof step (with the MediatedTransfer fields of `mt`
 * when not NULL), queues it in the channel's outbox, applies it and stores
 * the end and the outbox entry. Errors before the apply change nothing;
 * after it the hub fails. */
static int send_step(struct ch_hub *h, struct ch_channel *ch, struct ch_step *step,
                     const struct ch_mediated_transfer *mt)
{
    const uint8_t *partner = ch->end[CH_PARTNER].addr;
    if (ch_transport_pending(h->tp, partner, ch->channel_id, ch->open_block, NULL) >=
        CH_HUB_INFLIGHT_MAX)
        return err_set(ERR_RANGE, "channel hub: %d messages wait for their ack on this channel",
                       CH_HUB_INFLIGHT_MAX);
    struct ch_msg m;
    int rc = ch_step_msg_init(step, &m);
    if (rc == 0 && mt) {
        memcpy(m.u.mediated.target, mt->target, 20);
        memcpy(m.u.mediated.initiator, mt->initiator, 20);
        m.u.mediated.fee = mt->fee;
        m.u.mediated.path_len = mt->path_len;
        memcpy(m.u.mediated.path, mt->path, mt->path_len * 20);
    }
    if (rc == 0)
        rc = ch_step_seal(step, &m, h->cfg.key, &h->cfg.chain_id);
    struct ch_store_outbox ob;
    memcpy(ob.partner, partner, 20);
    memcpy(ob.channel_id, ch->channel_id, 32);
    ob.open_block = ch->open_block;
    ob.nonce = step->bp.nonce;
    if (rc == 0)
        rc = ch_msg_encode_buf(&m, ob.packet, sizeof ob.packet, &ob.len);
    if (rc == 0)
        rc = ch_transport_queue(h->tp, partner, ch->channel_id, ch->open_block, ob.nonce,
                                ob.packet, ob.len);
    if (rc)
        return rc;
    rc = ch_apply(ch, step);
    if (rc)
        return med_fail(h, rc, "applying our mediated message");
    rc = ch_store_put_end(h->st, ch, CH_OURS);
    if (rc == 0)
        rc = ch_store_put_outbox(h->st, &ob);
    if (rc)
        return med_fail(h, rc, "storing our mediated message");
    h->turn_sync = true;
    h->stats.transfers_sent++;
    return 0;
}

/* Signs m and sends it outside the outboxes, resent until acknowledged. */
static int send_loose(struct ch_hub *h, const uint8_t partner[20], struct ch_msg *m)
{
    uint8_t pkt[CH_PACKET_MAX];
    size_t len;
    int rc = ch_msg_sign(m, h->cfg.key, &h->cfg.chain_id);
    if (rc == 0)
        rc = ch_msg_encode_buf(m, pkt, sizeof pkt, &len);
    if (rc == 0)
        rc = ch_transport_send_loose(h->tp, partner, pkt, len, true);
    OPENSSL_cleanse(pkt, sizeof pkt);
    return rc;
}

static int send_secret_request(struct ch_hub *h, const struct ch_med_transfer *t)
{
    struct ch_msg m;
    ch_msg_init(&m, CH_CMD_SECRET_REQUEST);
    memcpy(m.u.secret_request.secret_hash, t->secret_hash, 32);
    m.u.secret_request.amount = t->payer.lock.amount;
    return send_loose(h, t->initiator, &m);
}

static int send_reveal(struct ch_hub *h, const uint8_t to[20], const struct ch_med_transfer *t)
{
    struct ch_msg m;
    ch_msg_init(&m, CH_CMD_REVEAL_SECRET);
    memcpy(m.u.reveal_secret.secret, t->secret, 32);
    int rc = send_loose(h, to, &m);
    OPENSSL_cleanse(&m, sizeof m);
    return rc;
}

static int build_disposed(struct ch_hub *h, const struct ch_channel *ch, const struct ch_lock *l,
                          int code, const char *why, struct ch_msg *m)
{
    ch_msg_init(m, CH_CMD_ANNOUNCE_DISPOSED);
    struct ch_announce_disposed *d = &m->u.disposed;
    d->lock = *l;
    memcpy(d->channel_id, ch->channel_id, 32);
    d->open_block = ch->open_block;
    d->error_code = code;
    snprintf(d->error_msg, 200, "%s", why ? why : ch_med_code_name(code));
    d->error_len = strlen(d->error_msg);
    return ch_msg_sign(m, h->cfg.key, &h->cfg.chain_id);
}

/* We give up the payer's lock: mark it disposed (we never claim it), keep
 * our signed AnnounceDisposed and send it. t (may be NULL) becomes a
 * DISPOSED mediator record. */
static int dispose(struct ch_hub *h, struct ch_channel *payer_ch, const struct ch_lock *l,
                   struct ch_med_transfer *t, int code, const char *why)
{
    struct ch_msg m;
    uint8_t pkt[CH_PACKET_MAX];
    size_t len;
    struct ch_store_disposed d;
    memset(&d, 0, sizeof d);
    int rc = build_disposed(h, payer_ch, l, code, why, &m);
    if (rc == 0)
        rc = ch_msg_additional_hash(&m, d.additional_hash);
    if (rc == 0)
        rc = ch_msg_encode_buf(&m, pkt, sizeof pkt, &len);
    if (rc == 0)
        rc = ch_transport_send_loose(h->tp, payer_ch->end[CH_PARTNER].addr, pkt, len, true);
    if (rc)
        return rc;
    log_debug(LOG_CHANNEL, "Channel hub: disposing lock %02x%02x%02x%02x...: %s",
              l->secret_hash[0], l->secret_hash[1], l->secret_hash[2], l->secret_hash[3],
              why ? why : ch_med_code_name(code));
    rc = ch_mark_disposed(payer_ch, CH_PARTNER, l->secret_hash);
    if (rc)
        return med_fail(h, rc, "marking a lock disposed");
    memcpy(d.channel_id, payer_ch->channel_id, 32);
    d.open_block = payer_ch->open_block;
    d.by_partner = false;
    d.lock = *l;
    memcpy(d.sig, m.sig, CH_SIG_LEN);
    rc = ch_store_put_disposed(h->st, &d);
    if (rc == 0)
        rc = ch_store_put_end(h->st, payer_ch, CH_PARTNER);
    if (rc == 0 && t) {
        t->stage = CH_MED_DISPOSED;
        rc = save(h, t);
        if (rc == 0)
            rc = put_status(h, t, CH_TRANSFER_FAILED);
    }
    if (rc)
        return med_fail(h, rc, "storing a disposed lock");
    h->turn_sync = true;
    return 0;
}

/* ---- the initiator ------------------------------------------------------------------ */

/* Chooses a route for t (skipping t->tried), locks amount + fees to its
 * first hop and sets t->payee. Changes nothing on a refusal. */
static int route_and_lock(struct ch_hub *h, struct ch_med_transfer *t)
{
    struct ch_med_first *firsts = malloc((h->nch ? h->nch : 1) * sizeof *firsts);
    struct ch_channel **chs = malloc((h->nch ? h->nch : 1) * sizeof *chs);
    if (!firsts || !chs) {
        free(firsts);
        free(chs);
        return err_set(ERR_NOMEM, "channel hub: out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < h->nch; i++) {
        struct ch_channel *ch = &h->ch[i];
        if (!ch_can_transfer(ch) || memcmp(ch->token, t->token, 20) != 0 ||
            ch_distributable_of(ch, CH_OURS, &firsts[n].distributable) != 0)
            continue;
        memcpy(firsts[n].partner, ch->end[CH_PARTNER].addr, 20);
        chs[n++] = ch;
    }
    struct ch_med_route r;
    int rc = ch_med_route_choose(&h->graph, t->token, h->addr, t->target, &t->amount, &t->fee_max,
                                 firsts, n, (const uint8_t(*)[20])t->tried, t->n_tried, &r);
    struct ch_channel *ch = rc == 0 ? chs[r.first] : NULL;
    free(firsts);
    free(chs);
    if (rc)
        return rc;
    struct ch_lock lock;
    memcpy(lock.secret_hash, t->secret_hash, 32);
    lock.amount = r.lock_amount;
    rc = ch_med_initiator_expiration(h->cfg.block, ch->settle_timeout, ch->reveal_timeout,
                                     t->expiration_cap, &lock.expiration);
    if (rc)
        return rc;
    struct ch_step step;
    int code = 0;
    rc = ch_make_mediated(ch, &lock, h->cfg.block, &step, &code);
    if (rc)
        return rc;
    struct ch_mediated_transfer mt;
    memset(&mt, 0, sizeof mt);
    memcpy(mt.target, t->target, 20);
    memcpy(mt.initiator, h->addr, 20);
    mt.fee = r.fee;
    mt.path_len = r.n;
    memcpy(mt.path, r.path, r.n * 20);
    rc = send_step(h, ch, &step, &mt);
    if (rc)
        return rc;
    set_hop(&t->payee, ch, &lock, &r.fee);
    return 0;
}

struct start_args {
    const uint8_t *target, *token, *secret;
    const u256 *amount, *fee_max;
    uint64_t expiration;
    bool hold;                      /* the caller's secret waits for ch_hub_allow_reveal */
    uint8_t hash[32];
};

static int cmd_start(struct ch_hub *h, void *arg)
{
    struct start_args *a = arg;
    if (h->failed || h->dead)
        return err_set(ERR_IO, "channel hub: failed earlier (restart it)");
    if (u256_iszero(a->amount))
        return err_set(ERR_INVAL, "channel hub: mediated transfer of amount 0");
    if (memcmp(a->target, h->addr, 20) == 0)
        return err_set(ERR_INVAL, "channel hub: mediated transfer to ourselves");
    if (h->graph.mesh)
        return err_set(ERR_BADSTATE, "channel hub: mesh mode: no mediated transfers (%d)",
                       CH_MED_E_MESH);
    if (a->hold && !a->secret)
        return err_set(ERR_INVAL, "channel hub: a held transfer needs the caller's secret");
    struct ch_med_transfer t;
    memset(&t, 0, sizeof t);
    static const uint8_t zero[32];
    if (a->secret) {
        if (memcmp(a->secret, zero, 32) == 0)
            return err_set(ERR_INVAL, "channel hub: a zero secret");
        memcpy(t.secret, a->secret, 32);
    } else {
        do {
            if (RAND_bytes(t.secret, 32) != 1)
                return err_set(ERR_CRYPTO, "channel hub: no randomness for a secret");
        } while (memcmp(t.secret, zero, 32) == 0);
    }
    t.has_secret = true;
    int rc = ch_secret_hash(t.secret, t.secret_hash);
    if (rc)
        goto out;
    struct ch_store_transfer old;
    if (med_find(h, t.secret_hash) || ch_store_get_transfer(h->st, t.secret_hash, &old) == 0) {
        rc = err_set(ERR_INVAL, "channel hub: this secret hash was used here before");
        goto out;
    }
    err_clear();
    t.role = CH_MED_INITIATOR;
    t.stage = CH_MED_LOCKED;
    memcpy(t.token, a->token, 20);
    memcpy(t.initiator, h->addr, 20);
    memcpy(t.target, a->target, 20);
    t.amount = *a->amount;
    t.fee_max = *a->fee_max;
    t.block = h->cfg.block;
    t.expiration_cap = a->expiration;
    if (a->hold)
        t.flags |= CH_MED_F_HELD;
    rc = hub_turn_begin(h);
    if (rc == 0)
        rc = route_and_lock(h, &t);
    if (rc)
        goto out;
    /* the lock is out (in this turn): from here on, failures fail the hub */
    rc = save_secret(h, &t);
    if (rc == 0)
        rc = save(h, &t);
    if (rc == 0)
        rc = put_status(h, &t, CH_TRANSFER_CAN_CANCEL);
    if (rc == 0)
        rc = med_add(h, &t);
    if (rc) {
        rc = med_fail(h, rc, "storing a mediated transfer");
        goto out;
    }
    memcpy(a->hash, t.secret_hash, 32);
out:
    OPENSSL_cleanse(&t, sizeof t);
    return rc;
}

int ch_hub_transfer_mediated(struct ch_hub *h, const uint8_t target[20], const uint8_t token[20],
                             const u256 *amount, const u256 *fee_max, uint64_t expiration,
                             const uint8_t secret[32], uint8_t secret_hash[32])
{
    struct start_args a = {.target = target, .token = token, .secret = secret,
                           .amount = amount, .fee_max = fee_max, .expiration = expiration};
    int rc = ch_hub_run(h, cmd_start, &a);
    if (rc == 0 && secret_hash)
        memcpy(secret_hash, a.hash, 32);
    return rc;
}

static bool reveal_to_target(struct ch_hub *h, struct ch_med_transfer *t);

/* The SecretRequest of the target: reveal (once valid), block (invalid). */
static bool on_secret_request(struct ch_hub *h, const struct ch_msg *m, const uint8_t signer[20])
{
    const struct ch_secret_request *r = &m->u.secret_request;
    struct ch_med_transfer *t = med_find(h, r->secret_hash);
    if (!t || t->role != CH_MED_INITIATOR) {
        struct ch_store_transfer old;
        return ch_store_get_transfer(h->st, r->secret_hash, &old) == 0 && !old.direct;
    }
    int rc = ch_med_check_secret_request(t->target, &t->amount, t->payee.lock.expiration, signer,
                                         &r->amount, h->cfg.block);
    if (rc == ERR_CRYPTO)
        return false;
    if (rc) {
        if (!(t->flags & CH_MED_F_BLOCKED)) {
            log_warn("Channel hub: an invalid SecretRequest (%s); the secret will not be revealed",
                     err_msg());
            t->flags |= CH_MED_F_BLOCKED;
            if (save(h, t))
                return med_fail(h, ERR_IO, "storing a blocked transfer"), false;
        }
        return true;
    }
    if (t->flags & CH_MED_F_BLOCKED || t->stage != CH_MED_LOCKED)
        return true; /* our RevealSecret is being resent, or never will be */
    if (t->flags & CH_MED_F_HELD)
        return false; /* not allowed yet: the target sends its request again */
    return reveal_to_target(h, t);
}

/* The initiator reveals t's secret to the target: stored (stage, secret,
 * status CANNOT_CANCEL) in the turn that sends it. Returns whether it did. */
static bool reveal_to_target(struct ch_hub *h, struct ch_med_transfer *t)
{
    int rc = send_reveal(h, t->target, t);
    if (rc)
        return false; /* nothing changed */
    t->stage = CH_MED_REVEALED;
    rc = save(h, t);
    if (rc == 0)
        rc = save_secret(h, t);
    if (rc == 0)
        rc = put_status(h, t, CH_TRANSFER_CANNOT_CANCEL);
    if (rc)
        return med_fail(h, rc, "storing a revealed secret"), false;
    return true;
}

/* ---- mediator and target ------------------------------------------------------------ */

static bool is_partner(void *ctx, const uint8_t addr[20])
{
    struct ch_hub *h = ctx;
    for (size_t i = 0; i < h->nch; i++)
        if (ch_can_transfer(&h->ch[i]) && memcmp(h->ch[i].end[CH_PARTNER].addr, addr, 20) == 0)
            return true;
    return false;
}

/* Our lock to the payee: forward, or say why not (code, context). */
static int forward(struct ch_hub *h, struct ch_channel *payer_ch, const struct ch_msg *m,
                   struct ch_med_transfer *t, int *code)
{
    const struct ch_mediated_transfer *mt = &m->u.mediated;
    uint8_t next[20];
    bool next_is_target = false;
    *code = CH_MED_E_NO_ROUTE;
    int rc = ch_med_next_hop(mt, h->addr, is_partner, h, next, &next_is_target);
    if (rc)
        return rc;
    if (memcmp(next, payer_ch->end[CH_PARTNER].addr, 20) == 0)
        return err_set(ERR_INVAL, "channel hub: the path goes back to the payer");
    struct ch_channel *payee = open_channel_with(h, next, payer_ch->token);
    if (!payee)
        return err_set(ERR_NOTFOUND, "channel hub: no open channel with the next hop");
    struct ch_med_forward_in in;
    memset(&in, 0, sizeof in);
    in.payer_lock = mt->lock;
    in.payer_fee = mt->fee;
    in.now = h->cfg.block;
    in.payer_reveal_timeout = payer_ch->reveal_timeout;
    in.payer_locks = payer_ch->end[CH_PARTNER].locks.n;
    in.payee_settle_timeout = payee->settle_timeout;
    in.payee_reveal_timeout = payee->reveal_timeout;
    in.fee = *ch_fee_policy_select(&h->fees, payee->token, payee->channel_id);
    in.next_is_target = next_is_target;
    struct ch_lock lock;
    u256 fee;
    rc = ch_med_forward(&in, &lock, &fee, NULL, code);
    if (rc)
        return rc;
    struct ch_step step;
    int c2 = 0;
    *code = CH_MED_E_CAPACITY;
    rc = ch_make_mediated(payee, &lock, h->cfg.block, &step, &c2);
    if (rc)
        return rc;
    struct ch_mediated_transfer out = *mt;
    out.fee = fee;
    rc = send_step(h, payee, &step, &out);
    if (rc)
        return rc;
    set_hop(&t->payee, payee, &lock, &fee);
    *code = 0;
    return 0;
}

/* A MediatedTransfer accepted on payer_ch (applied, stored, to be acked). */
static void on_lock(struct ch_hub *h, struct ch_channel *payer_ch, const struct ch_msg *m)
{
    const struct ch_mediated_transfer *mt = &m->u.mediated;
    const struct ch_lock *l = &mt->lock;
    if (h->graph.mesh) {
        /* mesh mode: refused, but accepted and disposed at once, so that
         * the payer's outbox (and its direct transfers) go on */
        dispose(h, payer_ch, l, NULL, CH_MED_E_MESH, NULL);
        return;
    }
    if (med_find(h, l->secret_hash)) {
        dispose(h, payer_ch, l, NULL, CH_MED_E_HASH_IN_USE, NULL);
        return;
    }
    struct ch_med_transfer t;
    memset(&t, 0, sizeof t);
    memcpy(t.secret_hash, l->secret_hash, 32);
    t.stage = CH_MED_LOCKED;
    memcpy(t.token, payer_ch->token, 20);
    memcpy(t.initiator, mt->initiator, 20);
    memcpy(t.target, mt->target, 20);
    t.block = h->cfg.block;
    set_hop(&t.payer, payer_ch, l, &mt->fee);
    int rc;
    if (memcmp(mt->target, h->addr, 20) == 0) {
        t.role = CH_MED_TARGET;
        t.amount = l->amount;
        if (ch_med_target_may_request(l->expiration, payer_ch->reveal_timeout, h->cfg.block) &&
            send_secret_request(h, &t) == 0)
            t.flags |= CH_MED_F_REQUESTED;
    } else {
        t.role = CH_MED_MEDIATOR;
        if (u256_gt(&mt->fee, &l->amount)) {
            dispose(h, payer_ch, l, NULL, CH_MED_E_FEE, "fee above the locked amount");
            return;
        }
        u256_sub(&t.amount, &l->amount, &mt->fee);
        int code = 0;
        if (forward(h, payer_ch, m, &t, &code) != 0) {
            if (h->failed)
                return;
            char why[200];
            snprintf(why, sizeof why, "%s", err_msg());
            if (med_add(h, &t) == 0) {
                struct ch_med_transfer *p = &h->med[h->nmed - 1];
                dispose(h, payer_ch, l, p, code ? code : CH_MED_E_NO_ROUTE, why);
            } else {
                dispose(h, payer_ch, l, NULL, code ? code : CH_MED_E_NO_ROUTE, why);
            }
            return;
        }
    }
    rc = med_add(h, &t);
    if (rc == 0)
        rc = save(h, &t);
    if (rc == 0)
        rc = put_status(h, &t, CH_TRANSFER_CAN_CANCEL);
    if (rc)
        med_fail(h, rc, "storing a received mediated transfer");
}

/* t (mediator or target) learned the secret: store it on every lock it
 * opens, then reveal it to the payer (and, for a mediator, unlock the
 * payee when it is safe). */
static bool learn_secret(struct ch_hub *h, struct ch_med_transfer *t, const uint8_t secret[32])
{
    struct ch_channel *payer = channel_of(h, &t->payer);
    struct ch_channel *payee = channel_of(h, &t->payee);
    t->has_secret = true;
    memcpy(t->secret, secret, 32);
    if (send_reveal(h, t->payer.partner, t)) {
        t->has_secret = false; /* nothing changed */
        OPENSSL_cleanse(t->secret, 32);
        return false;
    }
    t->stage = CH_MED_SECRET_KNOWN;
    int rc = 0;
    if (payer && ch_register_secret(payer, CH_PARTNER, secret) == 0)
        rc = ch_store_put_end(h->st, payer, CH_PARTNER);
    if (rc == 0 && payee && ch_register_secret(payee, CH_OURS, secret) == 0)
        rc = ch_store_put_end(h->st, payee, CH_OURS);
    if (rc == 0)
        rc = save_secret(h, t);
    if (rc)
        return med_fail(h, rc, "storing a learned secret"), false;
    if (t->role == CH_MED_MEDIATOR && payee && !(t->flags & CH_MED_F_PAYEE_GONE) &&
        ch_med_may_unlock_payee(h->cfg.block, t->payee.lock.expiration,
                                t->payer.lock.expiration, payer ? payer->reveal_timeout : 0)) {
        struct ch_step step;
        int code = 0;
        if (ch_make_unlock(payee, secret, &step, &code) == 0) {
            if (send_step(h, payee, &step, NULL) != 0) {
                if (h->failed)
                    return false;
            } else {
                t->flags |= CH_MED_F_PAYEE_UNLOCKED;
            }
        }
    }
    rc = save(h, t);
    if (rc == 0)
        rc = put_status(h, t, CH_TRANSFER_CANNOT_CANCEL);
    if (rc)
        return med_fail(h, rc, "storing a learned secret"), false;
    return true;
}

/* A RevealSecret signed by signer. Returns whether to acknowledge it. */
static bool on_reveal(struct ch_hub *h, const struct ch_msg *m, const uint8_t signer[20])
{
    const uint8_t *secret = m->u.reveal_secret.secret;
    uint8_t hash[32];
    if (ch_secret_hash(secret, hash))
        return false;
    struct ch_med_transfer *t = med_find(h, hash);
    if (!t) {
        struct ch_store_transfer old;
        return ch_store_get_transfer(h->st, hash, &old) == 0 && !old.direct;
    }
    switch (t->role) {
    case CH_MED_INITIATOR: {
        if (memcmp(signer, t->payee.partner, 20) != 0)
            return memcmp(signer, t->target, 20) == 0; /* an echo of ours: harmless */
        /* the secret is out on our route (revealed by us, or leaked): the
         * first hop can claim it, so it gets its Unlock */
        struct ch_channel *ch = channel_of(h, &t->payee);
        struct ch_step step;
        int code = 0;
        if (!ch || ch_make_unlock(ch, secret, &step, &code) != 0) {
            log_warn("Channel hub: cannot unlock a revealed transfer: %s", err_msg());
            return true;
        }
        if (send_step(h, ch, &step, NULL) != 0)
            return false;
        t->flags |= CH_MED_F_PAYEE_UNLOCKED;
        return finish(h, t, CH_TRANSFER_SUCCESS) == 0;
    }
    case CH_MED_MEDIATOR:
        if (!t->payee.set || memcmp(signer, t->payee.partner, 20) != 0)
            return false;
        if (t->stage != CH_MED_LOCKED)
            return true;
        return learn_secret(h, t, secret);
    case CH_MED_TARGET:
        if (memcmp(signer, t->initiator, 20) != 0)
            return false;
        if (t->stage != CH_MED_LOCKED)
            return true;
        return learn_secret(h, t, secret);
    default:
        return false;
    }
}

/* The partner announced one of our locks disposed. Returns whether to ack. */
static bool on_announce_disposed(struct ch_hub *h, const struct ch_msg *m, const uint8_t signer[20])
{
    const struct ch_announce_disposed *d = &m->u.disposed;
    struct ch_channel *ch = hub_find_channel(h, d->channel_id, d->open_block);
    if (!ch || memcmp(signer, ch->end[CH_PARTNER].addr, 20) != 0)
        return false;
    int code = 0;
    if (ch_check_announce_disposed(ch, m, &h->cfg.chain_id, &code) != 0) {
        /* answered already: the lock is gone from our tree */
        return code == CH_E_UNKNOWN_LOCK && ch_end_find(&ch->end[CH_OURS], d->lock.secret_hash,
                                                        NULL) != 0;
    }
    struct ch_store_disposed rec;
    memset(&rec, 0, sizeof rec);
    memcpy(rec.channel_id, ch->channel_id, 32);
    rec.open_block = ch->open_block;
    rec.by_partner = true;
    rec.lock = d->lock;
    memcpy(rec.sig, m->sig, CH_SIG_LEN);
    if (ch_msg_additional_hash(m, rec.additional_hash))
        return false;
    /* mark on a copy of the check: the response needs the mark */
    if (ch_mark_disposed(ch, CH_OURS, d->lock.secret_hash))
        return false;
    struct ch_step step;
    int rc = ch_make_disposed_response(ch, d->lock.secret_hash, &step, &code);
    if (rc == 0)
        rc = send_step(h, ch, &step, NULL);
    if (rc) {
        if (!h->failed)
            med_fail(h, rc, "answering AnnounceDisposed");
        return false;
    }
    rc = ch_store_put_disposed(h->st, &rec);
    if (rc)
        return med_fail(h, rc, "storing disposed-lock evidence"), false;
    struct ch_med_transfer *t = med_find(h, d->lock.secret_hash);
    if (!t || !t->payee.set || memcmp(t->payee.channel_id, ch->channel_id, 32) != 0)
        return true;
    log_debug(LOG_CHANNEL, "Channel hub: lock disposed by the partner (%d: %s)", d->error_code,
              d->error_msg);
    if (t->role == CH_MED_INITIATOR) {
        if (t->n_tried < CH_MED_TRIED_MAX)
            memcpy(t->tried[t->n_tried++], t->payee.partner, 20);
        struct ch_med_hop old = t->payee;
        if (t->stage == CH_MED_LOCKED && !(t->flags & CH_MED_F_BLOCKED) &&
            t->n_tried < CH_MED_TRIED_MAX && route_and_lock(h, t) == 0) {
            if (save(h, t) || put_status(h, t, CH_TRANSFER_CAN_CANCEL))
                return med_fail(h, ERR_IO, "storing a new route"), false;
            return true;
        }
        if (h->failed)
            return false;
        t->payee = old;
        return finish(h, t, CH_TRANSFER_FAILED) == 0;
    }
    /* a mediator: nothing to forward any more, give the payer's lock up */
    t->flags |= CH_MED_F_PAYEE_GONE;
    struct ch_channel *payer = channel_of(h, &t->payer);
    if (!payer || dispose(h, payer, &t->payer.lock, t, CH_MED_E_NO_ROUTE, d->error_msg) != 0) {
        if (h->failed)
            return false;
        if (save(h, t))
            return med_fail(h, ERR_IO, "storing a disposed route"), false;
    }
    return true;
}

/* A balance proof of the partner on ch (already applied and stored) that
 * resolves one of the locks it sent us. */
static void on_payer_resolved(struct ch_hub *h, struct ch_channel *ch, const struct ch_step *step)
{
    struct ch_med_transfer *t = med_find(h, step->lock.secret_hash);
    if (!t || !t->payer.set || memcmp(t->payer.channel_id, ch->channel_id, 32) != 0)
        return;
    bool paid = step->cmd == CH_CMD_UNLOCK;
    t->flags |= CH_MED_F_PAYER_DONE;
    if (t->role == CH_MED_TARGET) {
        finish(h, t, paid ? CH_TRANSFER_SUCCESS : CH_TRANSFER_FAILED);
        return;
    }
    if (paid && t->has_secret && !(t->flags & (CH_MED_F_PAYEE_UNLOCKED | CH_MED_F_PAYEE_GONE))) {
        /* paid first (the unlock was held back near the payer's expiry):
         * nothing is at risk any more */
        struct ch_channel *payee = channel_of(h, &t->payee);
        struct ch_step s2;
        int code = 0;
        if (payee && ch_make_unlock(payee, t->secret, &s2, &code) == 0 &&
            send_step(h, payee, &s2, NULL) == 0)
            t->flags |= CH_MED_F_PAYEE_UNLOCKED;
        if (h->failed)
            return;
    }
    if (t->stage == CH_MED_DISPOSED || t->flags & (CH_MED_F_PAYEE_UNLOCKED | CH_MED_F_PAYEE_GONE)) {
        if (!paid && t->flags & CH_MED_F_PAYEE_UNLOCKED)
            log_warn("Channel hub: the payer removed a lock whose payee we paid");
        finish(h, t, paid ? CH_TRANSFER_SUCCESS : CH_TRANSFER_FAILED);
        return;
    }
    if (save(h, t))
        med_fail(h, ERR_IO, "storing a resolved payer lock");
}

/* ---- packets ----------------------------------------------------------------------- */

static int make_ack(struct ch_hub *h, const uint8_t *pkt, size_t len,
                    uint8_t ack[CH_TRANSPORT_ACK_MAX], size_t *ack_len)
{
    struct ch_msg a;
    ch_msg_make_ack(pkt, len, h->addr, &a);
    return ch_msg_encode_buf(&a, ack, CH_TRANSPORT_ACK_MAX, ack_len);
}

/* A new balance proof of a mediated transfer from the partner on ch. */
static void on_envelope(struct ch_hub *h, struct ch_channel *ch, const struct ch_msg *m,
                        const uint8_t *pkt, size_t len, uint8_t ack[CH_TRANSPORT_ACK_MAX],
                        size_t *ack_len)
{
    struct ch_step step;
    int code = CH_OK;
    if (ch_recv_envelope(ch, m, h->cfg.block, &h->cfg.chain_id, &step, &code) != 0) {
        h->stats.refused++;
        log_debug(LOG_CHANNEL, "Channel hub: refused %s nonce %llu: %s (%s)", ch_cmd_name(m->cmd),
                  (unsigned long long)ch_msg_bp(m)->nonce, ch_code_name(code), err_msg());
        return;
    }
    uint8_t echo[32];
    ch_msg_ack_echo(pkt, len, h->addr, echo);
    if (make_ack(h, pkt, len, ack, ack_len) != 0) {
        *ack_len = 0;
        return;
    }
    int rc = ch_apply(ch, &step);
    if (rc == 0)
        rc = ch_store_put_end(h->st, ch, CH_PARTNER);
    if (rc == 0)
        rc = ch_store_put_ack(h->st, ch->end[CH_PARTNER].addr, echo, ack, *ack_len);
    if (rc) {
        *ack_len = 0;
        med_fail(h, rc, "accepting a partner's mediated message");
        return;
    }
    h->turn_sync = true;
    h->stats.transfers_received++;
    switch (m->cmd) {
    case CH_CMD_MEDIATED_TRANSFER:
        on_lock(h, ch, m);
        break;
    case CH_CMD_UNLOCK:
    case CH_CMD_REMOVE_EXPIRED_LOCK:
    case CH_CMD_ANNOUNCE_DISPOSED_RESPONSE:
        on_payer_resolved(h, ch, &step);
        break;
    default:
        break;
    }
    if (h->failed)
        *ack_len = 0;
}

void hub_med_on_packet(void *ctx, const struct ch_msg *m, const uint8_t *pkt, size_t len,
                       const struct sockaddr *from, socklen_t fromlen,
                       uint8_t ack[CH_TRANSPORT_ACK_MAX], size_t *ack_len)
{
    struct ch_hub *h = ctx;
    *ack_len = 0;
    switch (m->cmd) {
    case CH_CMD_MEDIATED_TRANSFER:
    case CH_CMD_UNLOCK:
    case CH_CMD_REMOVE_EXPIRED_LOCK:
    case CH_CMD_ANNOUNCE_DISPOSED_RESPONSE: {
        const struct ch_bp *bp = ch_msg_bp(m);
        struct ch_channel *ch = hub_find_channel(h, bp->channel_id, bp->open_block);
        if (!ch || bp->nonce <= ch->end[CH_PARTNER].bp.nonce)
            break; /* unknown channel, or a duplicate: hub_direct.c answers */
        if (h->failed || h->dead || hub_turn_begin(h) != 0)
            return;
        on_envelope(h, ch, m, pkt, len, ack, ack_len);
        return;
    }
    case CH_CMD_SECRET_REQUEST:
    case CH_CMD_REVEAL_SECRET:
    case CH_CMD_ANNOUNCE_DISPOSED: {
        if (h->failed || h->dead || hub_turn_begin(h) != 0)
            return;
        uint8_t signer[20];
        if (ch_msg_verify(m, &h->cfg.chain_id, signer) != 0) {
            h->stats.refused++;
            return;
        }
        bool ok = m->cmd == CH_CMD_SECRET_REQUEST ? on_secret_request(h, m, signer)
                  : m->cmd == CH_CMD_REVEAL_SECRET ? on_reveal(h, m, signer)
                                                   : on_announce_disposed(h, m, signer);
        if (!ok || h->failed) {
            h->stats.refused += !h->failed;
            log_debug(LOG_CHANNEL, "Channel hub: %s not acknowledged", ch_cmd_name(m->cmd));
            return;
        }
        if (make_ack(h, pkt, len, ack, ack_len) != 0)
            *ack_len = 0;
        return;
    }
    default:
        break;
    }
    hub_on_packet(ctx, m, pkt, len, from, fromlen, ack, ack_len);
}

/* ---- blocks, restart ------------------------------------------------------------- */

int hub_med_on_block(struct ch_hub *h)
{
    if (h->failed || h->dead)
        return err_set(ERR_IO, "channel hub: failed earlier (restart it)");
    for (size_t i = h->nmed; i-- > 0;) {
        struct ch_med_transfer *t = &h->med[i];
        if (!t->payee.set || t->flags & (CH_MED_F_PAYEE_UNLOCKED | CH_MED_F_PAYEE_GONE) ||
            h->cfg.block <= t->payee.lock.expiration + CH_FORK_CONFIRM)
            continue;
        struct ch_channel *ch = channel_of(h, &t->payee);
        struct ch_step step;
        int code = 0;
        if (!ch || ch_make_remove_expired(ch, t->secret_hash, h->cfg.block, &step, &code) != 0)
            continue;
        int rc = hub_turn_begin(h);
        if (rc == 0)
            rc = send_step(h, ch, &step, NULL);
        if (h->failed)
            return err_set(ERR_IO, "channel hub: removing an expired lock: %s", err_msg());
        if (rc)
            continue;
        t->flags |= CH_MED_F_PAYEE_GONE;
        if (t->role == CH_MED_INITIATOR ||
            (t->flags & CH_MED_F_PAYER_DONE) || t->stage == CH_MED_DISPOSED)
            rc = finish(h, t, CH_TRANSFER_FAILED);
        else
            rc = save(h, t) ? med_fail(h, ERR_IO, "storing an expired lock") : 0;
        if (rc)
            return rc;
    }
    return 0;
}

void hub_med_resume(struct ch_hub *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->nmed; i++) {
        const struct ch_med_transfer *t = &h->med[i];
        int rc = 0;
        if (t->role == CH_MED_TARGET && t->stage == CH_MED_LOCKED &&
            t->flags & CH_MED_F_REQUESTED)
            rc = send_secret_request(h, t);
        else if (t->role == CH_MED_INITIATOR && t->stage == CH_MED_REVEALED && t->has_secret)
            rc = send_reveal(h, t->target, t);
        else if (t->role != CH_MED_INITIATOR && t->stage == CH_MED_SECRET_KNOWN &&
                 t->has_secret && !(t->flags & CH_MED_F_PAYER_DONE))
            rc = send_reveal(h, t->payer.partner, t);
        else
            continue;
        if (rc == 0)
            n++;
    }
    /* the partners' locks we disposed and that are still in their trees */
    for (size_t i = 0; i < h->nch; i++) {
        const struct ch_channel *ch = &h->ch[i];
        const struct ch_end *e = &ch->end[CH_PARTNER];
        for (size_t k = 0; k < e->locks.n; k++) {
            struct ch_msg m;
            uint8_t pkt[CH_PACKET_MAX];
            size_t len;
            if (!e->info[k].disposed ||
                build_disposed(h, ch, &e->locks.locks[k], CH_MED_E_NO_ROUTE, NULL, &m) != 0 ||
                ch_msg_encode_buf(&m, pkt, sizeof pkt, &len) != 0 ||
                ch_transport_send_loose(h->tp, e->addr, pkt, len, true) != 0)
                continue;
            n++;
        }
    }
    if (n)
        log_info("Channel hub: %zu mediated transfer message(s) to send again", n);
}

/* ---- the other commands --------------------------------------------------------------- */

struct status_args {
    const uint8_t *hash;
    uint32_t status;
    struct ch_med_transfer *out;
    size_t n;
    const struct ch_fee_policy *fees;
    const struct ch_med_edge *edge;
};

static int cmd_status(struct ch_hub *h, void *arg)
{
    struct status_args *a = arg;
    struct ch_store_transfer t;
    int rc = ch_store_get_transfer(h->st, a->hash, &t);
    if (rc == ERR_NOTFOUND)
        return err_set(rc, "channel hub: no such transfer");
    if (rc == 0)
        a->status = t.status;
    return rc;
}

int ch_hub_transfer_status(struct ch_hub *h, const uint8_t secret_hash[32], uint32_t *status)
{
    struct status_args a = {.hash = secret_hash};
    int rc = ch_hub_run(h, cmd_status, &a);
    if (rc == 0)
        *status = a.status;
    return rc;
}

static int cmd_get(struct ch_hub *h, void *arg)
{
    struct status_args *a = arg;
    const struct ch_med_transfer *t = med_find(h, a->hash);
    if (!t)
        return err_set(ERR_NOTFOUND, "channel hub: no such mediated transfer under way");
    *a->out = *t;
    a->out->has_secret = false;
    OPENSSL_cleanse(a->out->secret, 32);
    return 0;
}

int ch_hub_get_mediated(struct ch_hub *h, const uint8_t secret_hash[32],
                        struct ch_med_transfer *out)
{
    struct status_args a = {.hash = secret_hash, .out = out};
    return ch_hub_run(h, cmd_get, &a);
}

static int cmd_count(struct ch_hub *h, void *arg)
{
    struct status_args *a = arg;
    a->n = h->nmed;
    return 0;
}

int ch_hub_mediated_count(struct ch_hub *h, size_t *n)
{
    struct status_args a = {0};
    int rc = ch_hub_run(h, cmd_count, &a);
    *n = rc == 0 ? a.n : 0;
    return rc;
}

static int cmd_fees(struct ch_hub *h, void *arg)
{
    const struct ch_fee_policy *p = ((struct status_args *)arg)->fees;
    if (h->failed || h->dead)
        return err_set(ERR_IO, "channel hub: failed earlier (restart it)");
    struct ch_fee_policy copy;
    ch_fee_policy_init(&copy);
    copy.account = p->account;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->n_tokens; i++)
        rc = ch_fee_policy_set_token(&copy, p->tokens[i].token, &p->tokens[i].fee);
    for (size_t i = 0; rc == 0 && i < p->n_channels; i++)
        rc = ch_fee_policy_set_channel(&copy, p->channels[i].channel_id, &p->channels[i].fee);
    if (rc == 0)
        rc = hub_turn_begin(h);
    if (rc == 0)
        rc = ch_store_put_fees(h->st, &copy);
    if (rc) {
        ch_fee_policy_free(&copy);
        return rc;
    }
    ch_fee_policy_free(&h->fees);
    h->fees = copy;
    h->turn_sync = true;
    return 0;
}

int ch_hub_set_fee_policy(struct ch_hub *h, const struct ch_fee_policy *p)
{
    struct status_args a = {.fees = p};
    return ch_hub_run(h, cmd_fees, &a);
}

static int cmd_route(struct ch_hub *h, void *arg)
{
    return ch_med_graph_add(&h->graph, ((struct status_args *)arg)->edge);
}

int ch_hub_add_route(struct ch_hub *h, const struct ch_med_edge *e)
{
    struct status_args a = {.edge = e};
    return ch_hub_run(h, cmd_route, &a);
}

/* ---- user operations (hub.h "user operations") ---------------------------------- */

int ch_hub_transfer_mediated_held(struct ch_hub *h, const uint8_t target[20],
                                  const uint8_t token[20], const u256 *amount,
                                  const u256 *fee_max, uint64_t expiration,
                                  const uint8_t secret[32], uint8_t secret_hash[32])
{
    struct start_args a = {.target = target, .token = token, .secret = secret,
                           .amount = amount, .fee_max = fee_max, .expiration = expiration,
                           .hold = true};
    int rc = ch_hub_run(h, cmd_start, &a);
    if (rc == 0 && secret_hash)
        memcpy(secret_hash, a.hash, 32);
    return rc;
}

/* The transfer under way that the user names, or NULL with the error: an
 * ended one (its stored record) is ERR_BADSTATE naming its status. */
static struct ch_med_transfer *user_find(struct ch_hub *h, const uint8_t hash[32], int *rc)
{
    struct ch_med_transfer *t = med_find(h, hash);
    if (t) {
        *rc = 0;
        return t;
    }
    struct ch_store_transfer old;
    if (ch_store_get_transfer(h->st, hash, &old) == 0)
        *rc = err_set(ERR_BADSTATE, "channel hub: the transfer ended (status %u)",
                      (unsigned)old.status);
    else
        *rc = err_set(ERR_NOTFOUND, "channel hub: no such transfer under way");
    return NULL;
}

static int cmd_allow_reveal(struct ch_hub *h, void *arg)
{
    if (h->failed || h->dead)
        return err_set(ERR_IO, "channel hub: failed earlier (restart it)");
    int rc;
    struct ch_med_transfer *t = user_find(h, ((struct status_args *)arg)->hash, &rc);
    if (!t)
        return rc;
    if (t->role != CH_MED_INITIATOR)
        return err_set(ERR_INVAL, "channel hub: we are not the initiator of this transfer");
    if (t->flags & CH_MED_F_CANCELED)
        return err_set(ERR_BADSTATE, "channel hub: the transfer was cancelled");
    if (!(t->flags & CH_MED_F_HELD))
        return 0;
    if ((rc = hub_turn_begin(h)) != 0)
        return rc;
    /* the target's next SecretRequest (resent until acknowledged) gets
     * the secret */
    t->flags &= ~CH_MED_F_HELD;
    return save(h, t) ? med_fail(h, ERR_IO, "storing an allowed reveal") : 0;
}

int ch_hub_allow_reveal(struct ch_hub *h, const uint8_t secret_hash[32])
{
    struct status_args a = {.hash = secret_hash};
    return ch_hub_run(h, cmd_allow_reveal, &a);
}

static int cmd_cancel(struct ch_hub *h, void *arg)
{
    if (h->failed || h->dead)
        return err_set(ERR_IO, "channel hub: failed earlier (restart it)");
    int rc;
    struct ch_med_transfer *t = user_find(h, ((struct status_args *)arg)->hash, &rc);
    if (!t) {
        struct ch_store_transfer old;
        if (rc == ERR_BADSTATE &&
            ch_store_get_transfer(h->st, ((struct status_args *)arg)->hash, &old) == 0 &&
            old.status == CH_TRANSFER_CANCELED)
            return 0; /* cancelled, and its lock is gone already */
        return rc;
    }
    if (t->role != CH_MED_INITIATOR)
        return err_set(ERR_INVAL, "channel hub: only the initiator can cancel a transfer");
    if (t->flags & CH_MED_F_CANCELED)
        return 0;
    if (t->stage != CH_MED_LOCKED)
        return err_set(ERR_BADSTATE, "channel hub: the secret was revealed: the transfer can "
                                     "no longer be cancelled");
    if ((rc = hub_turn_begin(h)) != 0)
        return rc;
    t->flags |= CH_MED_F_CANCELED | CH_MED_F_BLOCKED;
    t->flags &= ~CH_MED_F_HELD;
    rc = save(h, t);
    if (rc == 0)
        rc = put_status(h, t, CH_TRANSFER_CANCELED);
    if (rc)
        return med_fail(h, rc, "storing a cancel");
    log_debug(LOG_CHANNEL, "Channel hub: mediated transfer %02x%02x%02x%02x... cancelled",
              t->secret_hash[0], t->secret_hash[1], t->secret_hash[2], t->secret_hash[3]);
    return 0;
}

int ch_hub_cancel_transfer(struct ch_hub *h, const uint8_t secret_hash[32])
{
    struct status_args a = {.hash = secret_hash};
    return ch_hub_run(h, cmd_cancel, &a);
}

static int cmd_register_secret(struct ch_hub *h, void *arg)
{
    const uint8_t *secret = ((struct status_args *)arg)->hash; /* the secret itself */
    if (h->failed || h->dead)
        return err_set(ERR_IO, "channel hub: failed earlier (restart it)");
    uint8_t hash[32];
    int rc = ch_secret_hash(secret, hash);
    if (rc)
        return rc;
    struct ch_med_transfer *t = med_find(h, hash);
    if (!t)
        return err_set(ERR_NOTFOUND, "channel hub: no transfer under way with that secret's "
                                     "hash");
    if (t->role == CH_MED_INITIATOR)
        return err_set(ERR_INVAL, "channel hub: we initiated this transfer: we have its secret");
    if (t->stage != CH_MED_LOCKED)
        return 0; /* known already (or disposed: nothing to claim) */
    if ((rc = hub_turn_begin(h)) != 0)
        return rc;
    if (!learn_secret(h, t, secret))
        return h->failed ? err_set(ERR_IO, "channel hub: %s", err_msg())
                         : err_set(ERR_IO, "channel hub: the RevealSecret could not be queued");
    return 0;
}

int ch_hub_register_secret(struct ch_hub *h, const uint8_t secret[32])
{
    struct status_args a = {.hash = secret};
    return ch_hub_run(h, cmd_register_secret, &a);
}
