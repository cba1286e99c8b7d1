/*
 * watchdog.c — the decisions of watchdog.h.
 *
 * Two halves: apply() records what an event shows (and nothing else), and
 * step() walks the duties in a fixed order (update, unlocks, punish, settle,
 * secret registrations) checking each against the view and the head. A
 * duty is "in flight" from the head it was issued at until its event is
 * seen or CH_WD_RETRY_BLOCKS pass; only duties not in flight are issued.
 */
#include "channel/watchdog.h"

#include <stdlib.h>
#include <string.h>

#include "channel/balance.h"
#include "util/err.h"

void ch_wd_init(struct ch_wd_channel *ch, const uint8_t tokens_network[20],
                const uint8_t token[20], const uint8_t self[20], const uint8_t partner[20],
                uint64_t settle_timeout, uint64_t reveal_timeout, uint64_t open_block)
{
    memset(ch, 0, sizeof *ch);
    memcpy(ch->token, token, 20);
    memcpy(ch->self, self, 20);
    memcpy(ch->partner, partner, 20);
    ch_channel_id(self, partner, token, tokens_network, ch->channel_id);
    ch->settle_timeout = settle_timeout;
    ch->reveal_timeout = reveal_timeout;
    ch->open_block = open_block;
    ch->state = CH_WD_OPEN;
    ch_locks_init(&ch->tree);
}

void ch_wd_free(struct ch_wd_channel *ch)
{
    ch_locks_free(&ch->tree);
    free(ch->info);
    free(ch->evidence);
    ch->info = NULL;
    ch->evidence = NULL;
    ch->n_evidence = 0;
}

int ch_wd_set_partner_proof(struct ch_wd_channel *ch, const struct ch_signed_bp *bp,
                            const struct ch_lock *locks, size_t n)
{
    if (n > CH_LOCKS_MAX)
        return err_set(ERR_RANGE, "watchdog: %zu locks (most %d)", n, CH_LOCKS_MAX);
    if (ch->have_partner_bp && bp->bp.nonce < ch->partner_bp.bp.nonce)
        return err_set(ERR_INVAL, "watchdog: proof nonce %llu below the held %llu",
                       (unsigned long long)bp->bp.nonce,
                       (unsigned long long)ch->partner_bp.bp.nonce);
    struct ch_locks t;
    ch_locks_init(&t);
    struct ch_wd_lock *info = calloc(n ? n : 1, sizeof *info);
    if (!info)
        return err_set(ERR_NOMEM, "watchdog: lock info");
    for (size_t i = 0; i < n; i++) {
        int rc = ch_locks_add(&t, &locks[i]);
        if (rc) {
            ch_locks_free(&t);
            free(info);
            return err_wrap(rc, "watchdog: lock %zu", i);
        }
    }
    if (memcmp(t.root, bp->bp.locksroot, 32) != 0) {
        ch_locks_free(&t);
        free(info);
        return err_set(ERR_INVAL, "watchdog: the locks do not hash to the proof's locksroot");
    }
    for (size_t i = 0; i < n; i++) {
        size_t j;
        if (ch_locks_find(&ch->tree, locks[i].secret_hash, &j) == 0) {
            info[i].secret_known = ch->info[j].secret_known;
            memcpy(info[i].secret, ch->info[j].secret, 32);
            info[i].disposed = ch->info[j].disposed;
            info[i].reveal_block = ch->info[j].reveal_block;
            info[i].register_sent = ch->info[j].register_sent;
            info[i].register_tries = ch->info[j].register_tries;
        }
    }
    if (!ch->have_partner_bp || bp->bp.nonce != ch->partner_bp.bp.nonce) {
        ch->update_sent = 0;
        ch->update_tries = 0;
    }
    ch_locks_free(&ch->tree);
    free(ch->info);
    ch->tree = t;
    ch->info = info;
    ch->partner_bp = *bp;
    ch->have_partner_bp = true;
    return 0;
}

int ch_wd_learn_secret(struct ch_wd_channel *ch, const uint8_t secret[32])
{
    uint8_t h[32];
    int rc = ch_secret_hash(secret, h);
    if (rc)
        return rc;
    size_t i;
    if (ch_locks_find(&ch->tree, h, &i))
        return ERR_NOTFOUND;
    ch->info[i].secret_known = true;
    memcpy(ch->info[i].secret, secret, 32);
    return 0;
}

int ch_wd_set_disposed(struct ch_wd_channel *ch, const uint8_t secret_hash[32])
{
    size_t i;
    if (ch_locks_find(&ch->tree, secret_hash, &i))
        return ERR_NOTFOUND;
    ch->info[i].disposed = true;
    return 0;
}

int ch_wd_set_reveal_block(struct ch_wd_channel *ch, const uint8_t secret_hash[32],
                           uint64_t block)
{
    size_t i;
    if (ch_locks_find(&ch->tree, secret_hash, &i))
        return ERR_NOTFOUND;
    if (block && (ch->info[i].reveal_block == 0 || block < ch->info[i].reveal_block))
        ch->info[i].reveal_block = block;
    return 0;
}

int ch_wd_add_evidence(struct ch_wd_channel *ch, const struct ch_wd_evidence *ev)
{
    for (size_t i = 0; i < ch->n_evidence; i++)
        if (memcmp(ch->evidence[i].lockhash, ev->lockhash, 32) == 0)
            return 0;
    if (ch->n_evidence >= CH_WD_EVIDENCE_MAX)
        return err_set(ERR_RANGE, "watchdog: %d disposed proofs held", CH_WD_EVIDENCE_MAX);
    struct ch_wd_evidence *e = realloc(ch->evidence, (ch->n_evidence + 1) * sizeof *e);
    if (!e)
        return err_set(ERR_NOMEM, "watchdog: evidence");
    ch->evidence = e;
    e[ch->n_evidence++] = *ev;
    return 0;
}

/* ---- applying events ----------------------------------------------------- */

static bool is_self(const struct ch_wd_channel *ch, const uint8_t a[20])
{
    return memcmp(a, ch->self, 20) == 0;
}

static bool is_partner(const struct ch_wd_channel *ch, const uint8_t a[20])
{
    return memcmp(a, ch->partner, 20) == 0;
}

static void set_onchain(struct ch_wd_onchain *o, const uint8_t locksroot[32], const u256 *ta)
{
    memcpy(o->locksroot, locksroot, 32);
    o->ta = *ta;
}

/* The side an address names, or NULL with ERR_INVAL set. */
static struct ch_wd_onchain *side(struct ch_wd_channel *ch, const uint8_t a[20], const char *what)
{
    if (is_self(ch, a))
        return &ch->onchain_self;
    if (is_partner(ch, a))
        return &ch->onchain_partner;
    err_set(ERR_INVAL, "watchdog: %s names neither participant", what);
    return NULL;
}

/* Forgets everything tied to the old life of the channel (withDraw). */
static void new_life(struct ch_wd_channel *ch, uint64_t open_block)
{
    ch->open_block = open_block;
    ch_locks_free(&ch->tree);
    free(ch->info);
    ch->info = NULL;
    free(ch->evidence);
    ch->evidence = NULL;
    ch->n_evidence = 0;
    ch->have_partner_bp = false;
    memset(&ch->partner_bp, 0, sizeof ch->partner_bp);
    memset(&ch->onchain_self, 0, sizeof ch->onchain_self);
    memset(&ch->onchain_partner, 0, sizeof ch->onchain_partner);
    ch->settle_block = 0;
    ch->punished = false;
    ch->update_sent = 0;
    ch->update_tries = 0;
    ch->punish_due = false;
    ch->punish_evidence = 0;
    ch->punish_sent = 0;
    ch->punish_tries = 0;
    ch->settle_sent = 0;
    ch->settle_tries = 0;
}

static int apply(struct ch_wd_channel *ch, const struct ch_event *ev, uint64_t block)
{
    if (ev->kind == CH_EV_SECRET_REVEALED) {
        uint8_t h[32];
        int rc = ch_secret_hash(ev->u.secret_revealed.secret, h);
        if (rc)
            return rc;
        size_t i;
        if (ch_locks_find(&ch->tree, h, &i) == 0) {
            ch->info[i].secret_known = true;
            memcpy(ch->info[i].secret, ev->u.secret_revealed.secret, 32);
            if (ch->info[i].reveal_block == 0 || block < ch->info[i].reveal_block)
                ch->info[i].reveal_block = block;
        }
        return 0;
    }
    if (ev->kind < CH_EV_OPENED || ev->kind > CH_EV_WITHDRAW ||
        memcmp(ev->channel_id, ch->channel_id, 32) != 0)
        return 0;
    if (ch->state == CH_WD_SETTLED && ev->kind != CH_EV_OPENED)
        return 0;
    struct ch_wd_onchain *o;
    switch (ev->kind) {
    case CH_EV_OPENED:
        if (ch->state == CH_WD_SETTLED) {
            /* A new channel on the same id after a settle. */
            new_life(ch, block);
            ch->state = CH_WD_OPEN;
            ch->settle_timeout = ev->u.opened.settle_timeout;
        } else if (ch->state == CH_WD_OPEN && ch->open_block == 0) {
            ch->open_block = block;
            ch->settle_timeout = ev->u.opened.settle_timeout;
        }
        return 0;
    case CH_EV_NEW_DEPOSIT:
        return 0;
    case CH_EV_WITHDRAW:
        if (ch->state == CH_WD_OPEN && block > ch->open_block)
            new_life(ch, block);
        return 0;
    case CH_EV_CLOSED:
        if (ch->state != CH_WD_OPEN)
            return 0;
        /* The closer recorded the other participant's proof. */
        if (is_self(ch, ev->u.closed.closing))
            o = &ch->onchain_partner;
        else if (is_partner(ch, ev->u.closed.closing))
            o = &ch->onchain_self;
        else
            return err_set(ERR_INVAL, "watchdog: ChannelClosed names neither participant");
        set_onchain(o, ev->u.closed.locksroot, &ev->u.closed.transferred_amount);
        ch->state = CH_WD_CLOSED;
        ch->settle_block = block + ch->settle_timeout;
        return 0;
    case CH_EV_BALANCE_PROOF_UPDATED:
        if (!(o = side(ch, ev->u.bp_updated.participant, "BalanceProofUpdated")))
            return ERR_INVAL;
        if (ch->state == CH_WD_CLOSED)
            set_onchain(o, ev->u.bp_updated.locksroot, &ev->u.bp_updated.transferred_amount);
        return 0;
    case CH_EV_UNLOCKED:
        if (!(o = side(ch, ev->u.unlocked.payer, "ChannelUnlocked")))
            return ERR_INVAL;
        if (ch->state != CH_WD_CLOSED)
            return 0;
        o->ta = ev->u.unlocked.transferred_amount;
        if (o == &ch->onchain_partner) {
            for (size_t i = 0; i < ch->tree.n; i++)
                if (memcmp(ch->tree.leaves[i], ev->u.unlocked.lockhash, 32) == 0)
                    ch->info[i].unlocked = true;
        } else if (!ch->punish_due) {
            for (size_t i = 0; i < ch->n_evidence; i++)
                if (memcmp(ch->evidence[i].lockhash, ev->u.unlocked.lockhash, 32) == 0) {
                    ch->punish_due = true;
                    ch->punish_evidence = i;
                    break;
                }
        }
        return 0;
    case CH_EV_PUNISHED:
        if (!(o = side(ch, ev->u.punished.beneficiary, "ChannelPunished")))
            return ERR_INVAL;
        /* The beneficiary's proof is frozen at "nothing transferred". */
        memset(o, 0, sizeof *o);
        ch->punished = true;
        return 0;
    case CH_EV_SETTLED:
    case CH_EV_COOPERATIVE_SETTLED:
        ch->state = CH_WD_SETTLED;
        return 0;
    default:
        return 0;
    }
}

/* ---- deciding ------------------------------------------------------------ */

/* Not in flight: never issued, or issued long enough ago with tries left. */
static bool may_issue(uint64_t sent, unsigned tries, uint64_t head)
{
    if (tries >= CH_WD_MAX_TRIES)
        return false;
    return sent == 0 || head >= sent + CH_WD_RETRY_BLOCKS;
}

static bool in_flight(uint64_t sent, uint64_t head)
{
    return sent != 0 && head < sent + CH_WD_RETRY_BLOCKS;
}

/* The partner's proof on chain is our newest one (or later: same locks,
 * at least our transferred amount, which unlocks only raise). */
static bool partner_bp_on_chain(const struct ch_wd_channel *ch)
{
    if (!ch->have_partner_bp)
        return true;
    return memcmp(ch->onchain_partner.locksroot, ch->partner_bp.bp.locksroot, 32) == 0 &&
           !u256_lt(&ch->onchain_partner.ta, &ch->partner_bp.bp.transferred_amount);
}

/* The head to record for an issued action: never 0 (0 means "not sent"). */
static uint64_t stamp(uint64_t head)
{
    return head ? head : 1;
}

static int step(struct ch_wd_channel *ch, struct ch_wd_action *out, size_t cap, size_t *n)
{
    const uint64_t head = ch->head;
    *n = 0;
    if (ch->state != CH_WD_CLOSED && ch->state != CH_WD_OPEN)
        return 0;
    const bool closed = ch->state == CH_WD_CLOSED;
    const bool in_window = closed && head < ch->settle_block;

    /* 1. updateBalanceProof with the partner's newest proof. */
    if (in_window && ch->have_partner_bp && ch->partner_bp.bp.nonce > 0 &&
        !partner_bp_on_chain(ch) && may_issue(ch->update_sent, ch->update_tries, head)) {
        if (*n >= cap)
            return 0;
        struct ch_wd_action *a = &out[(*n)++];
        memset(a, 0, sizeof *a);
        a->kind = CH_WD_UPDATE_BP;
        a->u.update = ch->partner_bp;
        ch->update_sent = stamp(head);
        ch->update_tries++;
    }

    /* 2. unlock the partner's locks whose secret is registered in time. */
    if (in_window && ch->have_partner_bp && ch->tree.n > 0 && partner_bp_on_chain(ch) &&
        memcmp(ch->onchain_partner.locksroot, ch->tree.root, 32) == 0) {
        u256 ta = ch->onchain_partner.ta;
        bool ok = true;
        for (size_t i = 0; i < ch->tree.n && ok; i++) {
            const struct ch_wd_lock *l = &ch->info[i];
            if (!l->unlocked && in_flight(l->unlock_sent, head))
                ok = !u256_add_overflow(&ta, &ta, &ch->tree.locks[i].amount);
        }
        for (size_t i = 0; i < ch->tree.n && ok; i++) {
            struct ch_wd_lock *l = &ch->info[i];
            const struct ch_lock *lk = &ch->tree.locks[i];
            if (l->disposed || l->unlocked || l->reveal_block == 0 ||
                l->reveal_block > lk->expiration || !may_issue(l->unlock_sent, l->unlock_tries, head))
                continue;
            if (*n >= cap)
                return 0;
            struct ch_wd_action *a = &out[*n];
            memset(a, 0, sizeof *a);
            a->kind = CH_WD_UNLOCK;
            a->u.unlock.lock = *lk;
            memcpy(a->u.unlock.lockhash, ch->tree.leaves[i], 32);
            a->u.unlock.ta = ta;
            int rc = ch_locks_proof(&ch->tree, i, a->u.unlock.proof, sizeof a->u.unlock.proof,
                                    &a->u.unlock.proof_len);
            if (rc)
                return rc;
            (*n)++;
            l->unlock_sent = stamp(head);
            l->unlock_tries++;
            ok = !u256_add_overflow(&ta, &ta, &lk->amount);
        }
    }

    /* 3. punish an unlock of a lock the partner disposed. */
    if (closed && ch->punish_due && !ch->punished &&
        may_issue(ch->punish_sent, ch->punish_tries, head)) {
        if (*n >= cap)
            return 0;
        struct ch_wd_action *a = &out[(*n)++];
        memset(a, 0, sizeof *a);
        a->kind = CH_WD_PUNISH;
        a->u.punish = ch->evidence[ch->punish_evidence];
        ch->punish_sent = stamp(head);
        ch->punish_tries++;
    }

    /* 4. settle once block head + 1 > settle_block + 257, unless a punish
     *    is still to come. */
    bool punish_pending = ch->punish_due && !ch->punished && ch->punish_tries < CH_WD_MAX_TRIES;
    if (closed && !punish_pending && head >= ch->settle_block + CH_WD_PUNISH_BLOCKS &&
        may_issue(ch->settle_sent, ch->settle_tries, head)) {
        if (*n >= cap)
            return 0;
        struct ch_wd_action *a = &out[(*n)++];
        memset(a, 0, sizeof *a);
        a->kind = CH_WD_SETTLE;
        a->u.settle.self = ch->onchain_self;
        a->u.settle.partner = ch->onchain_partner;
        ch->settle_sent = stamp(head);
        ch->settle_tries++;
    }

    /* 5. register a known secret of a pending partner lock when the lock
     *    is near expiry or the channel is closed, while it still counts. */
    if (ch->state == CH_WD_OPEN || in_window) {
        for (size_t i = 0; i < ch->tree.n; i++) {
            struct ch_wd_lock *l = &ch->info[i];
            const struct ch_lock *lk = &ch->tree.locks[i];
            if (!l->secret_known || l->disposed || l->unlocked || l->reveal_block != 0)
                continue;
            if (head >= lk->expiration)
                continue;   /* too late: it would be registered after expiry */
            bool near = lk->expiration - head <= ch->reveal_timeout;
            if (!(near || closed) || !may_issue(l->register_sent, l->register_tries, head))
                continue;
            if (*n >= cap)
                return 0;
            struct ch_wd_action *a = &out[(*n)++];
            memset(a, 0, sizeof *a);
            a->kind = CH_WD_REGISTER_SECRET;
            memcpy(a->u.register_secret.secret, l->secret, 32);
            l->register_sent = stamp(head);
            l->register_tries++;
        }
    }
    return 0;
}

int ch_wd_on_block(struct ch_wd_channel *ch, uint64_t block, struct ch_wd_action *out,
                   size_t cap, size_t *n)
{
    *n = 0;
    if (block > ch->head)
        ch->head = block;
    return step(ch, out, cap, n);
}

int ch_wd_on_event(struct ch_wd_channel *ch, const struct ch_event *ev, uint64_t block,
                   struct ch_wd_action *out, size_t cap, size_t *n)
{
    *n = 0;
    int rc = apply(ch, ev, block);
    if (rc)
        return rc;
    return ch_wd_on_block(ch, block, out, cap, n);
}

int ch_wd_action_calldata(const struct ch_wd_channel *ch, const struct ch_wd_action *a,
                          struct bytes *out)
{
    switch (a->kind) {
    case CH_WD_UPDATE_BP:
        return ch_call_tn_update_balance_proof(ch->token, ch->partner, &a->u.update, out);
    case CH_WD_UNLOCK:
        return ch_call_tn_unlock(ch->token, ch->partner, &a->u.unlock.ta, &a->u.unlock.lock,
                                 a->u.unlock.proof, a->u.unlock.proof_len, out);
    case CH_WD_PUNISH:
        return ch_call_tn_punish_obsolete_unlock(ch->token, ch->self, ch->partner,
                                                 a->u.punish.lockhash, a->u.punish.additional_hash,
                                                 a->u.punish.signature, out);
    case CH_WD_SETTLE:
        return ch_call_tn_settle(ch->token, ch->self, &a->u.settle.self.ta,
                                 a->u.settle.self.locksroot, ch->partner, &a->u.settle.partner.ta,
                                 a->u.settle.partner.locksroot, out);
    case CH_WD_REGISTER_SECRET:
        return ch_call_sr_register_secret(a->u.register_secret.secret, out);
    }
    return err_set(ERR_INVAL, "watchdog: action kind %d", (int)a->kind);
}
