/*
 * hub_chain.c — the hub's chain side (hub.h, "chain side"): contract events
 * applied to the channels, one watchdog view per channel, and the contract
 * calls of a close and a settle.
 *
 * Everything here runs on the hub thread through ch_hub_run, so the
 * channels the chain changes are the same ones the transfers change, and a
 * block's effects (the channels it changed and the block number itself)
 * are stored in ONE turn, under the same rule as every other change
 * (doc/channels.md, "Durability"): after a kill the store holds either the
 * state before the block or after it, and the chain client replays from the
 * stored block. The functions never wait for the chain: they return call
 * data, and channel/chainclient.c sends it from its own thread.
 *
 * The watchdog (watchdog.h) keeps its own view of each channel; before each
 * decision it is brought up to date with the partner's newest proof the
 * channel holds (the transfers move it between blocks), with the secrets
 * the channel knows and the locks we disposed. After a restart the view of
 * a closed channel is rebuilt from the channel's stored on-chain facts,
 * since the ChannelClosed event lies before the replayed blocks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/hub_internal.h"
#include "channel/misbehave.h"
#include "channel/watchdog.h"
#include "util/err.h"
#include "util/log.h"

/* Photon's default reveal timeout, lowered for short settle timeouts so that
 * 3 <= reveal_timeout < settle_timeout holds (ch_channel_init). */
#define REVEAL_TIMEOUT_DEFAULT 30

struct wd_entry {
    uint8_t channel_id[32];
    struct ch_wd_channel wd;
    /* Closed with a given (older) proof of the partner: a regtest test
     * plays the cheater, so our watchdog must not correct it by posting the
     * partner's newest proof itself. In memory only. */
    bool no_update;
};

struct ch_hub_chain {
    struct ch_hub *h;
    uint8_t tn[20];
    uint8_t sr[20];
    struct wd_entry *wd;
    size_t nwd, capwd;
    unsigned misbehave;         /* enum ch_misbehave (regtest tests only) */
};

/* ---- transactions -------------------------------------------------------------- */

void ch_hub_tx_free(struct ch_hub_tx *tx)
{
    if (!tx)
        return;
    bytes_free(&tx->data);
}

void ch_hub_txs_free(struct ch_hub_tx *txs, size_t n)
{
    for (size_t i = 0; txs && i < n; i++)
        ch_hub_tx_free(&txs[i]);
    free(txs);
}

struct tx_list {
    struct ch_hub_tx *v;
    size_t n, cap;
};

static const char *action_name(enum ch_wd_action_kind k)
{
    switch (k) {
    case CH_WD_UPDATE_BP:
        return "updateBalanceProof";
    case CH_WD_UNLOCK:
        return "unlock";
    case CH_WD_PUNISH:
        return "punishObsoleteUnlock";
    case CH_WD_SETTLE:
        return "settle";
    case CH_WD_REGISTER_SECRET:
        return "registerSecret";
    }
    return "?";
}

/* Turns the watchdog's actions into calls appended to l. */
static int push_actions(struct ch_hub_chain *c, const struct wd_entry *e,
                        const struct ch_wd_action *a, size_t n, struct tx_list *l)
{
    const struct ch_wd_channel *wd = &e->wd;
    for (size_t i = 0; i < n; i++) {
        if (e->no_update && a[i].kind == CH_WD_UPDATE_BP)
            continue;
        if (l->n == l->cap) {
            size_t nc = l->cap ? l->cap * 2 : 8;
            struct ch_hub_tx *v = realloc(l->v, nc * sizeof *v);
            if (!v)
                return err_set(ERR_NOMEM, "channel hub: out of memory");
            l->v = v;
            l->cap = nc;
        }
        struct ch_hub_tx *t = &l->v[l->n];
        memset(t, 0, sizeof *t);
        memset(&t->data, 0, sizeof t->data);
        int rc = ch_wd_action_calldata(wd, &a[i], &t->data);
        if (rc) {
            bytes_free(&t->data);
            return rc;
        }
        memcpy(t->to, a[i].kind == CH_WD_REGISTER_SECRET ? c->sr : c->tn, 20);
        memcpy(t->channel_id, wd->channel_id, 32);
        t->what = action_name(a[i].kind);
        l->n++;
        log_info("Channel hub: watchdog: %s on channel %02x%02x%02x%02x...", t->what,
                 wd->channel_id[0], wd->channel_id[1], wd->channel_id[2], wd->channel_id[3]);
    }
    return 0;
}

/* ---- watchdog views ------------------------------------------------------------- */

static struct wd_entry *wd_find(struct ch_hub_chain *c, const uint8_t channel_id[32])
{
    for (size_t i = 0; i < c->nwd; i++)
        if (memcmp(c->wd[i].channel_id, channel_id, 32) == 0)
            return &c->wd[i];
    return NULL;
}

/* (Re)builds the view of channel life ch: identity, and when the channel
 * is closed or settled, what the chain holds. */
static int wd_reset(struct ch_hub_chain *c, const struct ch_channel *ch)
{
    struct wd_entry *e = wd_find(c, ch->channel_id);
    if (e) {
        ch_wd_free(&e->wd);
    } else {
        if (c->nwd == c->capwd) {
            size_t nc = c->capwd ? c->capwd * 2 : 8;
            struct wd_entry *v = realloc(c->wd, nc * sizeof *v);
            if (!v)
                return err_set(ERR_NOMEM, "channel hub: out of memory");
            c->wd = v;
            c->capwd = nc;
        }
        e = &c->wd[c->nwd++];
        memcpy(e->channel_id, ch->channel_id, 32);
    }
    e->no_update = false;
    struct ch_wd_channel *wd = &e->wd;
    ch_wd_init(wd, c->tn, ch->token, ch->end[CH_OURS].addr, ch->end[CH_PARTNER].addr,
               ch->settle_timeout, ch->reveal_timeout, ch->open_block);
    if (ch->state == CH_STATE_SETTLED) {
        wd->state = CH_WD_SETTLED;
    } else if (ch->closed_block) {
        wd->state = CH_WD_CLOSED;
        wd->settle_block = ch->closed_block + ch->settle_timeout;
        const struct ch_end *o = &ch->end[CH_OURS], *p = &ch->end[CH_PARTNER];
        if (o->chain_bp) {
            wd->onchain_self.ta = o->chain_ta;
            memcpy(wd->onchain_self.locksroot, o->chain_locksroot, 32);
        }
        if (p->chain_bp) {
            wd->onchain_partner.ta = p->chain_ta;
            memcpy(wd->onchain_partner.locksroot, p->chain_locksroot, 32);
        }
    }
    return 0;
}

/* Brings the view up to the partner's newest proof the channel holds, with
 * the secrets we know and the partner locks we disposed (unless a test made
 * us forget those: CH_MISBEHAVE_UNLOCK_DISPOSED). */
static int wd_sync(struct ch_wd_channel *wd, const struct ch_channel *ch, unsigned misbehave)
{
    const struct ch_end *pe = &ch->end[CH_PARTNER];
    if (pe->bp.nonce == 0 || ch->open_block != wd->open_block)
        return 0;
    if (!wd->have_partner_bp || wd->partner_bp.bp.nonce < pe->bp.nonce) {
        struct ch_signed_bp sbp;
        memset(&sbp, 0, sizeof sbp);
        sbp.bp = pe->bp;
        memcpy(sbp.additional_hash, pe->additional_hash, 32);
        memcpy(sbp.signature, pe->sig, CH_SIG_LEN);
        int rc = ch_wd_set_partner_proof(wd, &sbp, pe->locks.locks, pe->locks.n);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < pe->locks.n; i++) {
        if (pe->info[i].secret_known)
            ch_wd_learn_secret(wd, pe->info[i].secret);
        if (pe->info[i].disposed && !(misbehave & CH_MISBEHAVE_UNLOCK_DISPOSED))
            ch_wd_set_disposed(wd, pe->locks.locks[i].secret_hash);
        if (pe->info[i].registered_block)
            ch_wd_set_reveal_block(wd, pe->locks.locks[i].secret_hash,
                                   pe->info[i].registered_block);
    }
    return 0;
}

/* Gives the watchdog view of e the partner's DisposedProofs for our locks on
 * that channel life: the store's disposed records the partner signed
 * (hub_mediated.c keeps them when it answers an AnnounceDisposed), the
 * evidence punishObsoleteUnlock needs. A second copy of one is ignored by
 * the watchdog, so feeding them again is harmless. */
static void wd_add_evidence(struct wd_entry *e, const struct ch_store_state *s)
{
    for (size_t i = 0; i < s->n_disposed; i++) {
        const struct ch_store_disposed *d = &s->disposed[i];
        if (!d->by_partner || memcmp(d->channel_id, e->channel_id, 32) != 0 ||
            d->open_block != e->wd.open_block)
            continue;
        struct ch_wd_evidence ev;
        ch_lock_hash(&d->lock, ev.lockhash);
        memcpy(ev.additional_hash, d->additional_hash, 32);
        memcpy(ev.signature, d->sig, CH_SIG_LEN);
        if (ch_wd_add_evidence(&e->wd, &ev) != 0)
            log_warn("Channel hub: watchdog evidence: %s", err_msg());
    }
}

/* The partner unlocked one of our locks on chain (ChannelUnlocked with us as
 * the payer): before the watchdog judges it, give it every DisposedProof
 * the store holds for the channel. Such events are rare (closed channels
 * only), so the store is read then rather than mirrored in memory. */
static int wd_load_evidence(struct ch_hub_chain *c, const struct ch_hub_event *e)
{
    struct wd_entry *w = wd_find(c, e->ev.channel_id);
    if (!w || memcmp(e->ev.u.unlocked.payer, c->h->addr, 20) != 0)
        return 0;
    struct ch_store_state s;
    memset(&s, 0, sizeof s);
    int rc = ch_store_load(c->h->st, &s);
    if (rc == 0)
        wd_add_evidence(w, &s);
    else /* the unlock is still applied; only a punish may be missed */
        log_warn("Channel hub: reading the punish evidence: %s", err_msg());
    ch_store_state_free(&s);
    return rc == ERR_NOMEM ? rc : 0;
}

/* ---- new -------------------------------------------------------------------- */

struct new_arg {
    struct ch_hub_chain *c;
    uint64_t last;
    bool has;
};

static int run_new(struct ch_hub *h, void *arg)
{
    struct new_arg *a = arg;
    struct ch_store_state s;
    memset(&s, 0, sizeof s);
    int rc = ch_store_load(h->st, &s);
    if (rc)
        return rc;
    a->last = s.watchdog_block;
    a->has = s.has_watchdog_block;
    for (size_t i = 0; rc == 0 && i < h->nch; i++) {
        const struct ch_channel *ch = &h->ch[i];
        if (hub_find_channel(h, ch->channel_id, 0) != ch)
            continue; /* an older life */
        rc = wd_reset(a->c, ch);
        struct wd_entry *w = rc == 0 ? wd_find(a->c, ch->channel_id) : NULL;
        if (w)
            rc = wd_sync(&w->wd, ch, a->c->misbehave);
        if (w && rc == 0)
            wd_add_evidence(w, &s);
    }
    ch_store_state_free(&s);
    if (a->has && a->last > h->cfg.block)
        h->cfg.block = a->last;
    return rc;
}

int ch_hub_chain_new(struct ch_hub *h, const uint8_t tokens_network[20],
                     const uint8_t secret_registry[20], struct ch_hub_chain **out,
                     uint64_t *last, bool *has)
{
    *out = NULL;
    struct ch_hub_chain *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(ERR_NOMEM, "channel hub: out of memory");
    c->h = h;
    memcpy(c->tn, tokens_network, 20);
    memcpy(c->sr, secret_registry, 20);
    struct new_arg a = {.c = c};
    int rc = ch_hub_run(h, run_new, &a);
    if (rc) {
        ch_hub_chain_free(c);
        return rc;
    }
    *last = a.last;
    *has = a.has;
    *out = c;
    return 0;
}

void ch_hub_chain_free(struct ch_hub_chain *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nwd; i++)
        ch_wd_free(&c->wd[i].wd);
    free(c->wd);
    free(c);
}

/* ---- events ----------------------------------------------------------------- */

static uint64_t reveal_timeout_for(uint64_t settle_timeout)
{
    uint64_t r = settle_timeout / 2;
    if (r > REVEAL_TIMEOUT_DEFAULT)
        r = REVEAL_TIMEOUT_DEFAULT;
    return r < CH_REVEAL_TIMEOUT_MIN ? CH_REVEAL_TIMEOUT_MIN : r;
}

/* A new channel life from ChannelOpenedAndDeposit naming us. Out: *out. */
static int open_life(struct ch_hub *h, const struct ch_event *ev, uint64_t block,
                     const uint8_t partner[20], struct ch_channel **out)
{
    if (h->nch >= CH_STORE_CHANNELS_MAX)
        return err_set(ERR_RANGE, "channel hub: %d channels already", CH_STORE_CHANNELS_MAX);
    if (h->nch == h->cap_ch) {
        size_t nc = h->cap_ch ? h->cap_ch * 2 : 8;
        struct ch_channel *v = realloc(h->ch, nc * sizeof *v);
        if (!v)
            return err_set(ERR_NOMEM, "channel hub: out of memory");
        h->ch = v;
        h->cap_ch = nc;
    }
    struct ch_channel c;
    uint64_t st = ev->u.opened.settle_timeout;
    int rc = ch_channel_init(&c, ev->channel_id, ev->u.opened.token, h->addr, partner, block, st,
                             reveal_timeout_for(st));
    if (rc) {
        ch_channel_free(&c);
        return rc;
    }
    h->ch[h->nch] = c;
    *out = &h->ch[h->nch++];
    log_info("Channel hub: channel %02x%02x%02x%02x... opened on chain (block %llu, settle "
             "timeout %llu)",
             c.channel_id[0], c.channel_id[1], c.channel_id[2], c.channel_id[3],
             (unsigned long long)block, (unsigned long long)st);
    return 0;
}

/* The participant's side, or -1 when it is neither. */
static int side_of(const struct ch_channel *ch, const uint8_t a[20])
{
    return ch_side_of(ch, a);
}

/* Applies one event to the hub's channels. Out: *changed, the channel life
 * to store (NULL: none). A refusal of the state machine (an event that
 * cannot happen in the channel's state) is logged and skipped: the chain is
 * the authority, and a replay must not stop the watchdog. */
static int apply_channel_event(struct ch_hub_chain *c, const struct ch_hub_event *e,
                               struct ch_channel **changed)
{
    struct ch_hub *h = c->h;
    const struct ch_event *ev = &e->ev;
    *changed = NULL;
    if (ev->kind == CH_EV_OPENED) {
        const uint8_t *p = ev->u.opened.participant, *q = ev->u.opened.partner;
        const uint8_t *partner = memcmp(p, h->addr, 20) == 0   ? q
                                 : memcmp(q, h->addr, 20) == 0 ? p
                                                               : NULL;
        if (!partner)
            return 0;
        struct ch_channel *ch = hub_find_channel(h, ev->channel_id, 0);
        if (!ch || (ch->state == CH_STATE_SETTLED && ch->open_block < e->block)) {
            int rc = open_life(h, ev, e->block, partner, &ch);
            if (rc)
                return rc;
            rc = wd_reset(c, ch);
            if (rc)
                return rc;
        }
        int s = side_of(ch, p);
        if (s >= 0 && ch_on_deposit(ch, s, &ev->u.opened.deposit) != 0)
            log_warn("Channel hub: ChannelOpenedAndDeposit: %s", err_msg());
        *changed = ch;
        return 0;
    }
    if (ev->kind == CH_EV_SECRET_REVEALED) {
        uint8_t hash[32];
        int rc = ch_secret_hash(ev->u.secret_revealed.secret, hash);
        if (rc)
            return rc;
        for (size_t i = 0; i < h->nch; i++)
            if (ch_secret_on_chain(&h->ch[i], hash, e->block) > 0) {
                /* several channels may change: store each now */
                rc = ch_store_put_channel(h->st, &h->ch[i]);
                if (rc)
                    return rc;
                h->turn_sync = true;
            }
        return 0;
    }
    if (ev->kind < CH_EV_NEW_DEPOSIT || ev->kind > CH_EV_WITHDRAW)
        return 0;
    struct ch_channel *ch = hub_find_channel(h, ev->channel_id, 0);
    if (!ch)
        return 0; /* not one of ours */
    int rc = 0, s;
    switch (ev->kind) {
    case CH_EV_NEW_DEPOSIT:
        if ((s = side_of(ch, ev->u.new_deposit.participant)) >= 0)
            rc = ch_on_deposit(ch, s, &ev->u.new_deposit.total_deposit);
        break;
    case CH_EV_CLOSED:
        if ((s = side_of(ch, ev->u.closed.closing)) < 0)
            break;
        rc = ch_on_closed(ch, s, e->block);
        if (rc == 0)
            ch_on_bp_updated(ch, 1 - s, &ev->u.closed.transferred_amount, ev->u.closed.locksroot,
                             0);
        break;
    case CH_EV_BALANCE_PROOF_UPDATED:
        if ((s = side_of(ch, ev->u.bp_updated.participant)) >= 0)
            ch_on_bp_updated(ch, s, &ev->u.bp_updated.transferred_amount,
                             ev->u.bp_updated.locksroot, 0);
        break;
    case CH_EV_UNLOCKED:
        if ((s = side_of(ch, ev->u.unlocked.payer)) >= 0 &&
            ch_on_unlocked(ch, s, ev->u.unlocked.lockhash, &ev->u.unlocked.transferred_amount))
            log_debug(LOG_CHANNEL, "Channel hub: ChannelUnlocked: %s", err_msg());
        break;
    case CH_EV_PUNISHED:
        if ((s = side_of(ch, ev->u.punished.beneficiary)) >= 0)
            ch_on_punished(ch, s);
        break;
    case CH_EV_SETTLED:
    case CH_EV_COOPERATIVE_SETTLED:
        ch_on_settled(ch, e->block);
        break;
    case CH_EV_WITHDRAW: {
        int s1 = side_of(ch, ev->u.withdraw.p1), s2 = side_of(ch, ev->u.withdraw.p2);
        if (s1 < 0 || s2 < 0 || s1 == s2)
            break;
        uint64_t old = ch->open_block;
        const u256 *ours = s1 == CH_OURS ? &ev->u.withdraw.p1_balance : &ev->u.withdraw.p2_balance;
        const u256 *theirs =
            s1 == CH_OURS ? &ev->u.withdraw.p2_balance : &ev->u.withdraw.p1_balance;
        rc = ch_on_withdraw(ch, e->block, ours, theirs);
        if (rc == 0)
            rc = ch_store_delete_channel(h->st, ch->channel_id, old);
        if (rc == 0)
            rc = wd_reset(c, ch);
        if (rc == ERR_NOMEM)
            return rc;
        break;
    }
    default:
        break;
    }
    if (rc == ERR_NOMEM)
        return rc;
    if (rc) {
        log_warn("Channel hub: %s at block %llu: %s", ch_event_signature(ev->kind),
                 (unsigned long long)e->block, err_msg());
        return 0;
    }
    *changed = ch;
    return 0;
}

struct apply_arg {
    struct ch_hub_chain *c;
    const struct ch_hub_event *ev;
    size_t n;
    uint64_t upto;
    struct tx_list txs;
};

static int decide(struct ch_hub_chain *c, struct wd_entry *e, const struct ch_hub_event *ev,
                  uint64_t block, struct tx_list *l)
{
    const struct ch_channel *ch = hub_find_channel(c->h, e->channel_id, 0);
    int rc = ch ? wd_sync(&e->wd, ch, c->misbehave) : 0;
    if (rc)
        log_warn("Channel hub: watchdog view: %s", err_msg());
    struct ch_wd_action act[CH_WD_ACTIONS_MAX];
    size_t na = 0;
    rc = ev ? ch_wd_on_event(&e->wd, &ev->ev, ev->block, act, CH_WD_ACTIONS_MAX, &na)
            : ch_wd_on_block(&e->wd, block, act, CH_WD_ACTIONS_MAX, &na);
    int rc2 = push_actions(c, e, act, na, l);
    if (rc == ERR_INVAL) {
        log_warn("Channel hub: watchdog: %s", err_msg());
        rc = 0;
    }
    return rc ? rc : rc2;
}

static int run_apply(struct ch_hub *h, void *arg)
{
    struct apply_arg *a = arg;
    struct ch_hub_chain *c = a->c;
    int rc = hub_turn_begin(h);
    for (size_t i = 0; rc == 0 && i < a->n; i++) {
        const struct ch_hub_event *e = &a->ev[i];
        struct ch_channel *ch = NULL;
        if (e->block > h->cfg.block)
            h->cfg.block = e->block;
        rc = apply_channel_event(c, e, &ch);
        if (rc == 0 && ch) {
            rc = ch_store_put_channel(h->st, ch);
            h->turn_sync = true;
        }
        if (rc)
            break;
        if (e->ev.kind == CH_EV_SECRET_REVEALED) {
            for (size_t k = 0; rc == 0 && k < c->nwd; k++)
                rc = decide(c, &c->wd[k], e, 0, &a->txs);
        } else if (e->ev.kind >= CH_EV_OPENED && e->ev.kind <= CH_EV_WITHDRAW) {
            if (e->ev.kind == CH_EV_UNLOCKED)
                rc = wd_load_evidence(c, e);
            struct wd_entry *w = rc == 0 ? wd_find(c, e->ev.channel_id) : NULL;
            if (w)
                rc = decide(c, w, e, 0, &a->txs);
        }
    }
    if (rc == 0 && a->upto > h->cfg.block)
        h->cfg.block = a->upto;
    /* "now" moved: mediated locks that expired are removed in this turn */
    if (rc == 0)
        rc = hub_med_on_block(h);
    for (size_t k = 0; rc == 0 && k < c->nwd; k++)
        rc = decide(c, &c->wd[k], NULL, a->upto, &a->txs);
    if (rc == 0)
        rc = ch_store_put_watchdog_block(h->st, a->upto);
    if (rc) {
        /* memory may be ahead of the store now: as hub_direct.c, fail */
        char why[256];
        snprintf(why, sizeof why, "%s", err_msg());
        h->failed = true;
        log_error("Channel hub: applying the chain's events failed (%s); refusing everything "
                  "until restarted",
                  why);
        return err_set(ERR_IO, "channel hub: chain events: %s", why);
    }
    return 0;
}

int ch_hub_chain_apply(struct ch_hub_chain *c, const struct ch_hub_event *ev, size_t n,
                       uint64_t upto, struct ch_hub_tx **txs, size_t *ntx)
{
    *txs = NULL;
    *ntx = 0;
    struct apply_arg a = {.c = c, .ev = ev, .n = n, .upto = upto};
    int rc = ch_hub_run(c->h, run_apply, &a);
    if (rc) {
        ch_hub_txs_free(a.txs.v, a.txs.n);
        return rc;
    }
    *txs = a.txs.v;
    *ntx = a.txs.n;
    return 0;
}

/* ---- close and settle ------------------------------------------------------------ */

struct call_arg {
    struct ch_hub_chain *c;
    const uint8_t *channel_id;
    const struct ch_signed_bp *bp;
    struct ch_hub_tx *tx;
};

static int run_close(struct ch_hub *h, void *arg)
{
    struct call_arg *a = arg;
    struct ch_channel *ch = hub_find_channel(h, a->channel_id, 0);
    if (!ch)
        return err_set(ERR_NOTFOUND, "channel hub: no such channel");
    if (!ch_is_open(ch))
        return err_set(ERR_BADSTATE, "channel hub: the channel is %s", ch_state_name(ch->state));
    const struct ch_end *pe = &ch->end[CH_PARTNER];
    struct ch_signed_bp sbp;
    memset(&sbp, 0, sizeof sbp);
    if (a->bp) {
        sbp = *a->bp;
        memcpy(sbp.bp.channel_id, ch->channel_id, 32);
        sbp.bp.open_block = ch->open_block;
        uint8_t digest[32], signer[20];
        ch_sig_bp_digest(&sbp.bp, sbp.additional_hash, &h->cfg.chain_id, digest);
        if (sbp.bp.nonce == 0 || ch_recover(digest, sbp.signature, signer) != 0 ||
            memcmp(signer, pe->addr, 20) != 0)
            return err_set(ERR_CRYPTO, "channel hub: the proof is not the partner's for this "
                                       "channel");
    } else if (pe->bp.nonce) {
        sbp.bp = pe->bp;
        memcpy(sbp.additional_hash, pe->additional_hash, 32);
        memcpy(sbp.signature, pe->sig, CH_SIG_LEN);
    }
    memset(&a->tx->data, 0, sizeof a->tx->data);
    int rc = ch_call_tn_prepare_settle(ch->token, pe->addr, sbp.bp.nonce ? &sbp : NULL,
                                       &a->tx->data);
    if (rc == 0)
        rc = hub_turn_begin(h);
    int old_state = ch->state;
    if (rc == 0)
        rc = ch_set_state(ch, CH_STATE_CLOSING);
    if (rc == 0 && (rc = ch_store_put_channel(h->st, ch)) != 0)
        ch->state = old_state;
    if (rc) {
        bytes_free(&a->tx->data);
        return rc;
    }
    h->turn_sync = true;
    if (a->bp) {
        struct wd_entry *e = wd_find(a->c, ch->channel_id);
        if (e)
            e->no_update = true;
    }
    memcpy(a->tx->to, a->c->tn, 20);
    memcpy(a->tx->channel_id, ch->channel_id, 32);
    a->tx->what = "prepareSettle";
    log_info("Channel hub: closing channel %02x%02x%02x%02x... with the partner's proof nonce "
             "%llu",
             ch->channel_id[0], ch->channel_id[1], ch->channel_id[2], ch->channel_id[3],
             (unsigned long long)sbp.bp.nonce);
    return 0;
}

int ch_hub_chain_close(struct ch_hub_chain *c, const uint8_t channel_id[32],
                       const struct ch_signed_bp *bp, struct ch_hub_tx *tx)
{
    memset(tx, 0, sizeof *tx);
    struct call_arg a = {.c = c, .channel_id = channel_id, .bp = bp, .tx = tx};
    return ch_hub_run(c->h, run_close, &a);
}

static int run_settle(struct ch_hub *h, void *arg)
{
    struct call_arg *a = arg;
    const struct ch_channel *ch = hub_find_channel(h, a->channel_id, 0);
    if (!ch)
        return err_set(ERR_NOTFOUND, "channel hub: no such channel");
    if (ch->state == CH_STATE_SETTLED)
        return err_set(ERR_BADSTATE, "channel hub: the channel is settled already");
    if (!ch->closed_block)
        return err_set(ERR_BADSTATE, "channel hub: the channel is %s, not closed",
                       ch_state_name(ch->state));
    uint64_t first = ch->closed_block + ch->settle_timeout + CH_WD_PUNISH_BLOCKS + 1;
    if (h->cfg.block + 1 < first)
        return err_set(ERR_BADSTATE,
                       "channel hub: settle is possible from block %llu (head %llu)",
                       (unsigned long long)first, (unsigned long long)h->cfg.block);
    const struct ch_end *o = &ch->end[CH_OURS], *p = &ch->end[CH_PARTNER];
    u256 zero = u256_from_u64(0);
    uint8_t zroot[32] = {0};
    memset(&a->tx->data, 0, sizeof a->tx->data);
    int rc = ch_call_tn_settle(ch->token, o->addr, o->chain_bp ? &o->chain_ta : &zero,
                               o->chain_bp ? o->chain_locksroot : zroot, p->addr,
                               p->chain_bp ? &p->chain_ta : &zero,
                               p->chain_bp ? p->chain_locksroot : zroot, &a->tx->data);
    if (rc) {
        bytes_free(&a->tx->data);
        return rc;
    }
    memcpy(a->tx->to, a->c->tn, 20);
    memcpy(a->tx->channel_id, ch->channel_id, 32);
    a->tx->what = "settle";
    return 0;
}

int ch_hub_chain_settle(struct ch_hub_chain *c, const uint8_t channel_id[32],
                        struct ch_hub_tx *tx)
{
    memset(tx, 0, sizeof *tx);
    struct call_arg a = {.c = c, .channel_id = channel_id, .tx = tx};
    return ch_hub_run(c->h, run_settle, &a);
}

struct info_arg {
    const uint8_t *channel_id;
    uint64_t open_block;
    struct ch_hub_chain_info *out;
};

static int run_info(struct ch_hub *h, void *arg)
{
    struct info_arg *a = arg;
    const struct ch_channel *ch = hub_find_channel(h, a->channel_id, a->open_block);
    if (!ch)
        return err_set(ERR_NOTFOUND, "channel hub: no such channel");
    struct ch_hub_chain_info *o = a->out;
    memset(o, 0, sizeof *o);
    o->closed_block = ch->closed_block;
    o->settled_block = ch->settled_block;
    o->settle_block = ch->closed_block ? ch->closed_block + ch->settle_timeout : 0;
    o->closed_by_us = ch->closed_by_us;
    for (int s = 0; s < 2; s++) {
        o->chain_bp[s] = ch->end[s].chain_bp;
        o->chain_ta[s] = ch->end[s].chain_ta;
    }
    return 0;
}

int ch_hub_chain_info(struct ch_hub_chain *c, const uint8_t channel_id[32], uint64_t open_block,
                      struct ch_hub_chain_info *out)
{
    struct info_arg a = {.channel_id = channel_id, .open_block = open_block, .out = out};
    return ch_hub_run(c->h, run_info, &a);
}

/* ---- test-only misbehaviour (misbehave.h) ---------------------------------------- */

struct misbehave_arg {
    struct ch_hub_chain *c;
    unsigned flags;
};

static int run_misbehave(struct ch_hub *h, void *arg)
{
    (void)h;
    struct misbehave_arg *a = arg;
    a->c->misbehave = a->flags;
    log_warn("Channel hub: TEST MISBEHAVIOUR on (flags %u): this hub cheats its partners",
             a->flags);
    return 0;
}

int ch_hub_chain_misbehave(struct ch_hub_chain *c, unsigned flags)
{
    struct misbehave_arg a = {.c = c, .flags = flags};
    return ch_hub_run(c->h, run_misbehave, &a);
}
