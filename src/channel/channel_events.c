/*
 * channel_events.c — what changes a channel besides balance proofs
 * (channel.h): secrets and disposed marks on locks, the withdraw and
 * cooperative settle preconditions (§3.8), the user-driven state moves and
 * the effects of the contract's events (§2.4, §3.9).
 *
 * Kept apart from channel.c because these follow the chain and the user,
 * not the message rules: each is a small direct update whose only check is
 * that the channel is in a state where the event can happen.
 */
#include "channel/channel.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "channel/balance.h"
#include "util/err.h"

static int refuse(int *code, int c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse(int *code, int c, int rc, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (code)
        *code = c;
    return err_set(rc, "channel: %s (%s)", buf, ch_code_name(c));
}

/* ---- locks and secrets ---------------------------------------------------- */

int ch_register_secret(struct ch_channel *ch, int side, const uint8_t secret[32])
{
    uint8_t h[32];
    size_t i;
    int rc = ch_secret_hash(secret, h);
    if (rc)
        return rc;
    if (ch_end_find(&ch->end[side], h, &i))
        return err_set(ERR_NOTFOUND, "channel: no lock of this secret on that side");
    ch->end[side].info[i].secret_known = true;
    memcpy(ch->end[side].info[i].secret, secret, 32);
    return 0;
}

int ch_secret_on_chain(struct ch_channel *ch, const uint8_t secret_hash[32], uint64_t block)
{
    int n = 0;
    for (int s = 0; s < 2; s++) {
        size_t i;
        if (ch_end_find(&ch->end[s], secret_hash, &i) == 0) {
            ch->end[s].info[i].registered_block = block;
            n++;
        }
    }
    return n;
}

int ch_mark_disposed(struct ch_channel *ch, int side, const uint8_t secret_hash[32])
{
    size_t i;
    if (ch_end_find(&ch->end[side], secret_hash, &i))
        return err_set(ERR_NOTFOUND, "channel: no lock of this secret hash on that side");
    ch->end[side].info[i].disposed = true;
    return 0;
}

/* ---- withdraw and cooperative settle -------------------------------------- */

static int no_locks(const struct ch_channel *ch, int c, int *code)
{
    size_t n0 = ch->end[0].locks.n, n1 = ch->end[1].locks.n;
    if (n0 || n1)
        return refuse(code, c, ERR_BADSTATE, "%zu locks of ours and %zu of the partner's pending",
                      n0, n1);
    return 0;
}

int ch_can_withdraw(const struct ch_channel *ch, int side, const u256 *amount, u256 *balance,
                      int *code)
{
    if (code)
        *code = CH_OK;
    if (!ch_is_open(ch))
        return refuse(code, CH_E_CHANNEL_NOT_OPEN, ERR_BADSTATE, "withdraw on a %s channel",
                      ch_state_name(ch->state));
    int rc = no_locks(ch, CH_E_WITHDRAW_WITH_LOCKS, code);
    if (rc)
        return rc;
    u256 bal;
    if (ch_balance_of(ch, side, &bal))
        return refuse(code, CH_E_INTERNAL, ERR_RANGE, "%s", err_msg());
    if (u256_iszero(amount))
        return refuse(code, CH_E_INVALID_AMOUNT, ERR_INVAL, "withdraw of 0");
    if (u256_gt(amount, &bal))
        return refuse(code, CH_E_INSUFFICIENT_BALANCE, ERR_RANGE, "withdraw above the balance");
    if (balance)
        *balance = bal;
    return 0;
}

int ch_can_coop_settle(const struct ch_channel *ch, u256 *ours, u256 *partner, int *code)
{
    if (code)
        *code = CH_OK;
    if (!ch_is_open(ch))
        return refuse(code, CH_E_CHANNEL_NOT_OPEN, ERR_BADSTATE,
                      "cooperative settle on a %s channel", ch_state_name(ch->state));
    int rc = no_locks(ch, CH_E_COOP_SETTLE_WITH_LOCKS, code);
    if (rc)
        return rc;
    u256 b[2];
    if (ch_balance_of(ch, CH_OURS, &b[0]) || ch_balance_of(ch, CH_PARTNER, &b[1]))
        return refuse(code, CH_E_INTERNAL, ERR_RANGE, "%s", err_msg());
    if (ours)
        *ours = b[0];
    if (partner)
        *partner = b[1];
    return 0;
}

/* Common part of the Withdraw / Settle message checks: the partner signed,
 * this channel life, no error in a response. */
static int check_flow_msg(const struct ch_channel *ch, const struct ch_msg *m,
                          const uint8_t channel_id[32], uint64_t open_block, int32_t error_code,
                          const char *error_msg, const u256 *chain_id, int *code)
{
    uint8_t signer[20];
    if (ch_msg_verify(m, chain_id, signer))
        return refuse(code, CH_E_INVALID_SIGNATURE, ERR_CRYPTO, "%s: %s", ch_cmd_name(m->cmd),
                      err_msg());
    if (memcmp(signer, ch->end[CH_PARTNER].addr, 20) != 0)
        return refuse(code, CH_E_INVALID_SIGNATURE, ERR_CRYPTO, "%s not signed by the partner",
                      ch_cmd_name(m->cmd));
    if (memcmp(channel_id, ch->channel_id, 32) != 0 || open_block != ch->open_block)
        return refuse(code, CH_E_CHANNEL_MISMATCH, ERR_INVAL, "%s for another channel life",
                      ch_cmd_name(m->cmd));
    if (error_code != 0)
        return refuse(code, CH_E_CHANNEL_NOT_OPEN, ERR_BADSTATE, "partner refused: %d %s",
                      (int)error_code, error_msg);
    return 0;
}

int ch_check_withdraw_msg(const struct ch_channel *ch, const struct ch_msg *m,
                          const u256 *chain_id, int *code)
{
    if (code)
        *code = CH_OK;
    if (m->cmd != CH_CMD_WITHDRAW_REQUEST && m->cmd != CH_CMD_WITHDRAW_RESPONSE)
        return refuse(code, CH_E_CHANNEL_MISMATCH, ERR_INVAL, "%s is not a withdraw message",
                      ch_cmd_name(m->cmd));
    const struct ch_withdraw *w = &m->u.withdraw;
    bool req = m->cmd == CH_CMD_WITHDRAW_REQUEST;
    int rc = check_flow_msg(ch, m, w->channel_id, w->open_block, req ? 0 : w->error_code,
                            w->error_msg, chain_id, code);
    if (rc)
        return rc;
    /* a request: the partner withdraws; a response: to our request */
    int p1 = req ? CH_PARTNER : CH_OURS;
    if (ch_side_of(ch, w->p1) != p1 || ch_side_of(ch, w->p2) != !p1)
        return refuse(code, CH_E_CHANNEL_MISMATCH, ERR_INVAL, "%s names the wrong participants",
                      ch_cmd_name(m->cmd));
    u256 bal;
    rc = ch_can_withdraw(ch, p1, &w->p1_withdraw, &bal, code);
    if (rc)
        return rc;
    if (!u256_eq(&bal, &w->p1_balance))
        return refuse(code, CH_E_INVALID_BALANCE, ERR_INVAL,
                      "%s balance differs from ours", ch_cmd_name(m->cmd));
    return 0;
}

int ch_check_settle_msg(const struct ch_channel *ch, const struct ch_msg *m, const u256 *chain_id,
                        int *code)
{
    if (code)
        *code = CH_OK;
    if (m->cmd != CH_CMD_SETTLE_REQUEST && m->cmd != CH_CMD_SETTLE_RESPONSE)
        return refuse(code, CH_E_CHANNEL_MISMATCH, ERR_INVAL, "%s is not a settle message",
                      ch_cmd_name(m->cmd));
    const struct ch_settle *s = &m->u.settle;
    bool req = m->cmd == CH_CMD_SETTLE_REQUEST;
    int rc = check_flow_msg(ch, m, s->channel_id, s->open_block, req ? 0 : s->error_code,
                            s->error_msg, chain_id, code);
    if (rc)
        return rc;
    int p1 = req ? CH_PARTNER : CH_OURS;
    if (ch_side_of(ch, s->p1) != p1 || ch_side_of(ch, s->p2) != !p1)
        return refuse(code, CH_E_CHANNEL_MISMATCH, ERR_INVAL, "%s names the wrong participants",
                      ch_cmd_name(m->cmd));
    u256 b[2];
    rc = ch_can_coop_settle(ch, &b[CH_OURS], &b[CH_PARTNER], code);
    if (rc)
        return rc;
    if (!u256_eq(&b[p1], &s->p1_balance) || !u256_eq(&b[!p1], &s->p2_balance))
        return refuse(code, CH_E_INVALID_BALANCE, ERR_INVAL, "%s balances differ from ours",
                      ch_cmd_name(m->cmd));
    return 0;
}

static bool is_flow(int s)
{
    return s == CH_STATE_OPENED || s == CH_STATE_WITHDRAWING || s == CH_STATE_COOP_SETTLING ||
           s == CH_STATE_PREPARE_COOP_SETTLE || s == CH_STATE_PREPARE_WITHDRAW ||
           s == CH_STATE_PARTNER_COOP_SETTLING || s == CH_STATE_PARTNER_WITHDRAWING;
}

int ch_set_state(struct ch_channel *ch, int state)
{
    int s = ch->state;
    bool ok = (is_flow(s) && (is_flow(state) || state == CH_STATE_CLOSING)) ||
              (s == CH_STATE_CLOSING && (state == CH_STATE_OPENED || state == CH_STATE_CLOSING)) ||
              (s == CH_STATE_CLOSED && state == CH_STATE_SETTLING) ||
              (s == CH_STATE_SETTLING && (state == CH_STATE_CLOSED || state == CH_STATE_SETTLING));
    if (!ok)
        return err_set(ERR_BADSTATE, "channel: no move from %s to %s", ch_state_name(s),
                       ch_state_name(state));
    ch->state = state;
    return 0;
}

/* ---- chain events ----------------------------------------------------------- */

int ch_on_deposit(struct ch_channel *ch, int side, const u256 *total)
{
    if (!ch_is_open(ch) && ch->state != CH_STATE_CLOSING)
        return err_set(ERR_BADSTATE, "channel: deposit on a %s channel", ch_state_name(ch->state));
    if (u256_lt(total, &ch->end[side].deposit))
        return err_set(ERR_INVAL, "channel: total deposit decreases");
    ch->end[side].deposit = *total;
    return 0;
}

int ch_on_withdraw(struct ch_channel *ch, uint64_t new_open_block, const u256 *our_deposit,
                   const u256 *partner_deposit)
{
    if (new_open_block <= ch->open_block || new_open_block > (uint64_t)CH_BLOCK_MAX)
        return err_set(ERR_INVAL, "channel: withdraw open block %llu not after %llu",
                       (unsigned long long)new_open_block, (unsigned long long)ch->open_block);
    ch_end_reset(&ch->end[CH_OURS]);
    ch_end_reset(&ch->end[CH_PARTNER]);
    ch->end[CH_OURS].deposit = *our_deposit;
    ch->end[CH_PARTNER].deposit = *partner_deposit;
    ch->open_block = new_open_block;
    ch->state = CH_STATE_OPENED;
    return 0;
}

int ch_on_closed(struct ch_channel *ch, int closer_side, uint64_t block)
{
    if (ch->state == CH_STATE_CLOSED || ch->state == CH_STATE_SETTLED ||
        ch->state == CH_STATE_SETTLING || ch->closed_block)
        return err_set(ERR_BADSTATE, "channel: closed event on a %s channel",
                       ch_state_name(ch->state));
    ch->state = CH_STATE_CLOSED;
    ch->closed_block = block;
    ch->closed_by_us = closer_side == CH_OURS;
    return 0;
}

void ch_on_bp_updated(struct ch_channel *ch, int side, const u256 *ta,
                      const uint8_t locksroot[32], uint64_t nonce)
{
    struct ch_end *e = &ch->end[side];
    e->chain_bp = true;
    e->chain_ta = *ta;
    memcpy(e->chain_locksroot, locksroot, 32);
    e->chain_nonce = nonce;
}

int ch_on_unlocked(struct ch_channel *ch, int payer_side, const uint8_t lockhash[32],
                   const u256 *new_ta)
{
    struct ch_end *e = &ch->end[payer_side];
    e->chain_bp = true;
    e->chain_ta = *new_ta;
    for (size_t i = 0; i < e->locks.n; i++) {
        if (memcmp(e->locks.leaves[i], lockhash, 32) == 0) {
            e->info[i].unlocked_onchain = true;
            return 0;
        }
    }
    return err_set(ERR_NOTFOUND, "channel: unlocked lock unknown");
}

void ch_on_punished(struct ch_channel *ch, int beneficiary_side)
{
    struct ch_end *b = &ch->end[beneficiary_side], *c = &ch->end[!beneficiary_side];
    if (u256_add_overflow(&b->deposit, &b->deposit, &c->deposit))
        b->deposit = u256_max();
    c->deposit = u256_from_u64(0);
    b->chain_bp = true;
    b->chain_ta = u256_from_u64(0);
    memset(b->chain_locksroot, 0, 32);
    b->chain_nonce = UINT64_MAX;
}

void ch_on_settled(struct ch_channel *ch, uint64_t block)
{
    ch->state = CH_STATE_SETTLED;
    ch->settled_block = block;
}

int ch_settle_preview(const struct ch_channel *ch, u256 *ours, u256 *partner)
{
    const struct ch_end *o = &ch->end[CH_OURS], *p = &ch->end[CH_PARTNER];
    u256 zero = u256_from_u64(0);
    return ch_settle_amounts(&o->deposit, o->chain_bp ? &o->chain_ta : &zero, &p->deposit,
                             p->chain_bp ? &p->chain_ta : &zero, ours, partner);
}
