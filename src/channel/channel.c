/*
 * channel.c — the balance-proof rules of one channel (channel.h): views,
 * the checks of the five envelope messages in both directions, and
 * ch_apply.
 *
 * Our own messages go through the very validator that judges the
 * partner's (validate() below, with the sender's side as a parameter), so
 * the hub can never sign a proof its partner would refuse: the make_*
 * functions only compute the candidate balance proof. Chain events, the
 * withdraw / cooperative settle checks and state moves are in
 * channel_events.c.
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

const char *ch_state_name(int state)
{
    switch (state) {
    case CH_STATE_INVALID: return "invalid";
    case CH_STATE_OPENED: return "opened";
    case CH_STATE_CLOSED: return "closed";
    case CH_STATE_SETTLED: return "settled";
    case CH_STATE_CLOSING: return "closing";
    case CH_STATE_SETTLING: return "settling";
    case CH_STATE_WITHDRAWING: return "withdrawing";
    case CH_STATE_COOP_SETTLING: return "cooperativeSettling";
    case CH_STATE_PREPARE_COOP_SETTLE: return "prepareForCooperativeSettle";
    case CH_STATE_PREPARE_WITHDRAW: return "prepareForWithdraw";
    case CH_STATE_ERROR: return "error";
    case CH_STATE_PARTNER_COOP_SETTLING: return "partnerCooperativeSettling";
    case CH_STATE_PARTNER_WITHDRAWING: return "partnerWithdrawing";
    default: return "unknown";
    }
}

const char *ch_code_name(int code)
{
    switch (code) {
    case CH_OK: return "ok";
    case CH_E_INSUFFICIENT_BALANCE: return "insufficient balance";
    case CH_E_INVALID_NONCE: return "invalid nonce";
    case CH_E_MEDIATED_ON_MESH: return "no mediated transfer on mesh";
    case CH_E_EXPIRATION_TOO_LARGE: return "lock expiration too large";
    case CH_E_WITHDRAW_WITH_LOCKS: return "withdraw with locks";
    case CH_E_COOP_SETTLE_WITH_LOCKS: return "cooperative settle with locks";
    case CH_E_INVALID_SETTLE_TIMEOUT: return "invalid settle timeout";
    case CH_E_CHANNEL_MISMATCH: return "wrong channel";
    case CH_E_CHANNEL_CLOSED: return "balance proof update after close";
    case CH_E_CHANNEL_NOT_OPEN: return "channel not open";
    case CH_E_INVALID_TA: return "invalid transferred amount";
    case CH_E_INVALID_LOCKSROOT: return "invalid locksroot";
    case CH_E_INVALID_AMOUNT: return "invalid amount";
    case CH_E_UNKNOWN_LOCK: return "unknown lock";
    case CH_E_DUPLICATE_LOCK: return "duplicate lock";
    case CH_E_LOCK_EXPIRED: return "lock expired";
    case CH_E_LOCK_NOT_EXPIRED: return "lock not expired";
    case CH_E_LOCK_REGISTERED: return "lock secret registered on chain";
    case CH_E_LOCK_NOT_DISPOSED: return "lock not disposed";
    case CH_E_TOO_MANY_LOCKS: return "too many locks";
    case CH_E_INVALID_SIGNATURE: return "invalid signature";
    case CH_E_INVALID_BALANCE: return "invalid balance";
    case CH_E_INTERNAL: return "internal error";
    default: return "unknown";
    }
}

int ch_channel_init(struct ch_channel *ch, const uint8_t channel_id[32], const uint8_t token[20],
                    const uint8_t ours[20], const uint8_t partner[20], uint64_t open_block,
                    uint64_t settle_timeout, uint64_t reveal_timeout)
{
    memset(ch, 0, sizeof *ch);
    ch_end_init(&ch->end[CH_OURS], ours);
    ch_end_init(&ch->end[CH_PARTNER], partner);
    if (memcmp(ours, partner, 20) == 0)
        return err_set(ERR_INVAL, "channel: both participants are the same address");
    if (settle_timeout < CH_SETTLE_TIMEOUT_MIN || settle_timeout > CH_SETTLE_TIMEOUT_MAX)
        return err_set(ERR_RANGE, "channel: settle timeout %llu outside [%d, %d]",
                       (unsigned long long)settle_timeout, CH_SETTLE_TIMEOUT_MIN,
                       CH_SETTLE_TIMEOUT_MAX);
    if (reveal_timeout < CH_REVEAL_TIMEOUT_MIN || reveal_timeout >= settle_timeout)
        return err_set(ERR_RANGE, "channel: reveal timeout %llu outside [%d, settle timeout)",
                       (unsigned long long)reveal_timeout, CH_REVEAL_TIMEOUT_MIN);
    if (open_block == 0 || open_block > (uint64_t)CH_BLOCK_MAX)
        return err_set(ERR_RANGE, "channel: open block %llu", (unsigned long long)open_block);
    memcpy(ch->channel_id, channel_id, 32);
    memcpy(ch->token, token, 20);
    ch->open_block = open_block;
    ch->settle_timeout = settle_timeout;
    ch->reveal_timeout = reveal_timeout;
    ch->state = CH_STATE_OPENED;
    return 0;
}

void ch_channel_free(struct ch_channel *ch)
{
    ch_end_free(&ch->end[0]);
    ch_end_free(&ch->end[1]);
}

int ch_channel_copy(struct ch_channel *dst, const struct ch_channel *src)
{
    ch_channel_free(dst);
    struct ch_end ends[2];
    ch_end_init(&ends[0], src->end[0].addr);
    ch_end_init(&ends[1], src->end[1].addr);
    int rc = ch_end_copy(&ends[0], &src->end[0]);
    if (!rc)
        rc = ch_end_copy(&ends[1], &src->end[1]);
    if (rc) {
        ch_end_free(&ends[0]);
        ch_end_free(&ends[1]);
        *dst = *src;
        ch_end_init(&dst->end[0], src->end[0].addr);
        ch_end_init(&dst->end[1], src->end[1].addr);
        return rc;
    }
    *dst = *src;
    dst->end[0] = ends[0];
    dst->end[1] = ends[1];
    return 0;
}

int ch_side_of(const struct ch_channel *ch, const uint8_t addr[20])
{
    if (memcmp(ch->end[CH_OURS].addr, addr, 20) == 0)
        return CH_OURS;
    if (memcmp(ch->end[CH_PARTNER].addr, addr, 20) == 0)
        return CH_PARTNER;
    return -1;
}

bool ch_is_open(const struct ch_channel *ch)
{
    switch (ch->state) {
    case CH_STATE_OPENED:
    case CH_STATE_WITHDRAWING:
    case CH_STATE_COOP_SETTLING:
    case CH_STATE_PREPARE_COOP_SETTLE:
    case CH_STATE_PREPARE_WITHDRAW:
    case CH_STATE_PARTNER_COOP_SETTLING:
    case CH_STATE_PARTNER_WITHDRAWING:
        return true;
    default:
        return false;
    }
}

bool ch_can_transfer(const struct ch_channel *ch)
{
    return ch->state == CH_STATE_OPENED;
}

/* ---- views ---------------------------------------------------------------- */

int ch_balance_of(const struct ch_channel *ch, int side, u256 *out)
{
    const struct ch_end *me = &ch->end[side], *other = &ch->end[!side];
    return ch_balance(&me->deposit, &me->bp.transferred_amount,
                      &other->bp.transferred_amount, out);
}

int ch_locked_of(const struct ch_channel *ch, int side, u256 *out)
{
    return ch_end_locked(&ch->end[side], out, NULL, NULL);
}

int ch_distributable_of(const struct ch_channel *ch, int side, u256 *out)
{
    u256 locked;
    int rc = ch_locked_of(ch, side, &locked);
    if (rc)
        return rc;
    const struct ch_end *me = &ch->end[side], *other = &ch->end[!side];
    return ch_distributable(&me->deposit, &me->bp.transferred_amount,
                            &other->bp.transferred_amount, &locked, out);
}

/* ---- the validator ------------------------------------------------------- */

static const char *side_name(int side)
{
    return side == CH_OURS ? "our" : "partner's";
}

/* What a candidate balance proof carries besides itself. */
struct candidate {
    int side, cmd;
    const struct ch_bp *bp;
    const struct ch_lock *lock;     /* MediatedTransfer */
    const uint8_t *secret;          /* Unlock */
    const uint8_t *secret_hash;     /* removals */
    uint64_t now;
    uint64_t removal_margin;        /* extra blocks past expiration + 17 */
};

static int check_state(const struct ch_channel *ch, int cmd, int *code)
{
    if (ch->state == CH_STATE_CLOSED || ch->state == CH_STATE_SETTLED ||
        ch->state == CH_STATE_CLOSING || ch->state == CH_STATE_SETTLING || ch->closed_block)
        return refuse(code, CH_E_CHANNEL_CLOSED, ERR_BADSTATE, "%s on a %s channel",
                      ch_cmd_name(cmd), ch_state_name(ch->state));
    bool newvalue = cmd == CH_CMD_DIRECT_TRANSFER || cmd == CH_CMD_MEDIATED_TRANSFER;
    if (newvalue ? !ch_can_transfer(ch) : !ch_is_open(ch))
        return refuse(code, CH_E_CHANNEL_NOT_OPEN, ERR_BADSTATE, "%s on a %s channel",
                      ch_cmd_name(cmd), ch_state_name(ch->state));
    return 0;
}

static int same_ta(const struct ch_end *e, const struct ch_bp *bp, int cmd, int *code)
{
    if (!u256_eq(&bp->transferred_amount, &e->bp.transferred_amount)) {
        char a[U256_DEC_BUF], b[U256_DEC_BUF];
        u256_to_dec(&bp->transferred_amount, a);
        u256_to_dec(&e->bp.transferred_amount, b);
        return refuse(code, CH_E_INVALID_TA, ERR_INVAL,
                      "%s changes the transferred amount (%s, was %s)", ch_cmd_name(cmd), a, b);
    }
    return 0;
}

static int root_is(const uint8_t want[32], const struct ch_bp *bp, int cmd, int *code)
{
    if (memcmp(want, bp->locksroot, 32) != 0)
        return refuse(code, CH_E_INVALID_LOCKSROOT, ERR_INVAL,
                      "%s locksroot is not the root of the sender's locks", ch_cmd_name(cmd));
    return 0;
}

static int find_lock(const struct ch_end *e, const uint8_t secret_hash[32], int cmd, size_t *i,
                     int *code)
{
    if (ch_end_find(e, secret_hash, i))
        return refuse(code, CH_E_UNKNOWN_LOCK, ERR_INVAL, "%s names a lock the sender does not hold",
                      ch_cmd_name(cmd));
    return 0;
}

static int validate_removal(const struct ch_end *e, const struct candidate *c,
                            struct ch_step *step, int *code)
{
    size_t i;
    int rc = same_ta(e, c->bp, c->cmd, code);
    if (!rc)
        rc = find_lock(e, c->secret_hash, c->cmd, &i, code);
    if (rc)
        return rc;
    const struct ch_lock *l = &e->locks.locks[i];
    const struct ch_lock_info *info = &e->info[i];
    if (c->cmd == CH_CMD_REMOVE_EXPIRED_LOCK) {
        if (info->registered_block && info->registered_block <= l->expiration)
            return refuse(code, CH_E_LOCK_REGISTERED, ERR_INVAL,
                          "lock expiring at %llu has its secret registered on chain at %llu",
                          (unsigned long long)l->expiration,
                          (unsigned long long)info->registered_block);
        uint64_t due = l->expiration + CH_FORK_CONFIRM + c->removal_margin;
        if (due < l->expiration || c->now < due)
            return refuse(code, CH_E_LOCK_NOT_EXPIRED, ERR_INVAL,
                          "lock expiring at %llu may be removed from block %llu, now %llu",
                          (unsigned long long)l->expiration, (unsigned long long)due,
                          (unsigned long long)c->now);
    } else if (!info->disposed) {
        return refuse(code, CH_E_LOCK_NOT_DISPOSED, ERR_INVAL,
                      "AnnounceDisposedResponse for a lock that was not announced disposed");
    }
    uint8_t root[32];
    ch_locks_root_without(&e->locks, c->secret_hash, root);
    rc = root_is(root, c->bp, c->cmd, code);
    if (rc)
        return rc;
    step->lock_op = CH_LOCK_REMOVE;
    step->lock = *l;
    return 0;
}

/* Every §3.5 rule for a candidate balance proof of side c->side. On success
 * fills step (without signature). */
static int validate(const struct ch_channel *ch, const struct candidate *c, struct ch_step *step,
                    int *code)
{
    if (code)
        *code = CH_OK;
    memset(step, 0, sizeof *step);
    const struct ch_end *e = &ch->end[c->side];
    const struct ch_bp *bp = c->bp;
    int rc = check_state(ch, c->cmd, code);
    if (rc)
        return rc;
    if (memcmp(bp->channel_id, ch->channel_id, 32) != 0 || bp->open_block != ch->open_block)
        return refuse(code, CH_E_CHANNEL_MISMATCH, ERR_INVAL,
                      "%s for another channel or open block (%llu, channel's %llu)",
                      ch_cmd_name(c->cmd), (unsigned long long)bp->open_block,
                      (unsigned long long)ch->open_block);
    if (e->bp.nonce == UINT64_MAX || bp->nonce != e->bp.nonce + 1)
        return refuse(code, CH_E_INVALID_NONCE, ERR_INVAL, "%s nonce %llu, expected %llu",
                      ch_cmd_name(c->cmd), (unsigned long long)bp->nonce,
                      (unsigned long long)(e->bp.nonce + 1));
    step->side = c->side;
    step->cmd = c->cmd;
    step->bp = *bp;
    step->amount = u256_from_u64(0);

    u256 dist;
    switch (c->cmd) {
    case CH_CMD_DIRECT_TRANSFER:
        if (ch_distributable_of(ch, c->side, &dist))
            return refuse(code, CH_E_INTERNAL, ERR_RANGE, "%s", err_msg());
        rc = ch_check_direct(&dist, &e->bp.transferred_amount, &bp->transferred_amount,
                             &step->amount);
        if (rc == ERR_INVAL)
            return refuse(code, CH_E_INVALID_TA, ERR_INVAL,
                          "DirectTransfer does not increase the transferred amount");
        if (rc) {
            char d[U256_DEC_BUF];
            u256_to_dec(&dist, d);
            return refuse(code, CH_E_INSUFFICIENT_BALANCE, ERR_RANGE,
                          "DirectTransfer above the %s distributable %s", side_name(c->side), d);
        }
        return root_is(e->locks.root, bp, c->cmd, code);

    case CH_CMD_MEDIATED_TRANSFER: {
        const struct ch_lock *l = c->lock;
        rc = same_ta(e, bp, c->cmd, code);
        if (rc)
            return rc;
        if (ch_distributable_of(ch, c->side, &dist))
            return refuse(code, CH_E_INTERNAL, ERR_RANGE, "%s", err_msg());
        rc = ch_check_lock_amount(&dist, &l->amount);
        if (rc == ERR_INVAL)
            return refuse(code, CH_E_INVALID_AMOUNT, ERR_INVAL, "lock of amount 0");
        if (rc) {
            char d[U256_DEC_BUF];
            u256_to_dec(&dist, d);
            return refuse(code, CH_E_INSUFFICIENT_BALANCE, ERR_RANGE,
                          "lock above the %s distributable %s", side_name(c->side), d);
        }
        if (ch_end_find(e, l->secret_hash, NULL) == 0)
            return refuse(code, CH_E_DUPLICATE_LOCK, ERR_INVAL, "a lock with this secret hash exists");
        /* Only our own new locks must be alive. The partner's may have
         * expired while we were away (queued, resent in nonce order): its
         * removal follows it, and refusing it would block the channel for
         * good. A receiver never acts on an expired lock (no secret request,
         * no forward). */
        if (c->side == CH_OURS && l->expiration <= c->now)
            return refuse(code, CH_E_LOCK_EXPIRED, ERR_INVAL, "lock expiration %llu <= now %llu",
                          (unsigned long long)l->expiration, (unsigned long long)c->now);
        uint64_t base = ch->closed_block ? ch->closed_block : c->now;
        if (l->expiration > (uint64_t)CH_BLOCK_MAX ||
            (l->expiration > base && l->expiration - base > ch->settle_timeout))
            return refuse(code, CH_E_EXPIRATION_TOO_LARGE, ERR_RANGE,
                          "lock expiration %llu beyond block %llu + settle timeout %llu",
                          (unsigned long long)l->expiration, (unsigned long long)base,
                          (unsigned long long)ch->settle_timeout);
        if (e->locks.n >= CH_LOCKS_MAX)
            return refuse(code, CH_E_TOO_MANY_LOCKS, ERR_RANGE, "the sender holds %zu locks",
                          e->locks.n);
        uint8_t root[32];
        if (ch_locks_root_with(&e->locks, l, root))
            return refuse(code, CH_E_DUPLICATE_LOCK, ERR_INVAL, "%s", err_msg());
        rc = root_is(root, bp, c->cmd, code);
        if (rc)
            return rc;
        step->lock_op = CH_LOCK_ADD;
        step->lock = *l;
        step->amount = l->amount;
        return 0;
    }

    case CH_CMD_UNLOCK: {
        uint8_t h[32];
        size_t i;
        if (ch_secret_hash(c->secret, h))
            return refuse(code, CH_E_INTERNAL, ERR_CRYPTO, "%s", err_msg());
        rc = find_lock(e, h, c->cmd, &i, code);
        if (rc)
            return rc;
        const struct ch_lock *l = &e->locks.locks[i];
        u256 want;
        if (u256_add_overflow(&want, &e->bp.transferred_amount, &l->amount) ||
            !u256_eq(&want, &bp->transferred_amount))
            return refuse(code, CH_E_INVALID_TA, ERR_INVAL,
                          "Unlock transferred amount is not the old one plus the lock's");
        uint8_t root[32];
        ch_locks_root_without(&e->locks, h, root);
        rc = root_is(root, bp, c->cmd, code);
        if (rc)
            return rc;
        step->lock_op = CH_LOCK_REMOVE;
        step->lock = *l;
        step->has_secret = true;
        memcpy(step->secret, c->secret, 32);
        step->amount = l->amount;
        return 0;
    }

    case CH_CMD_REMOVE_EXPIRED_LOCK:
    case CH_CMD_ANNOUNCE_DISPOSED_RESPONSE:
        return validate_removal(e, c, step, code);

    default:
        return refuse(code, CH_E_CHANNEL_MISMATCH, ERR_INVAL, "%s is not a balance proof message",
                      ch_cmd_name(c->cmd));
    }
}

/* ---- our messages -------------------------------------------------------- */

static struct ch_bp next_own_bp(const struct ch_channel *ch)
{
    const struct ch_end *e = &ch->end[CH_OURS];
    struct ch_bp bp = e->bp;
    bp.nonce = e->bp.nonce + 1;
    memcpy(bp.channel_id, ch->channel_id, 32);
    bp.open_block = ch->open_block;
    memcpy(bp.locksroot, e->locks.root, 32);
    return bp;
}

int ch_make_direct(const struct ch_channel *ch, const u256 *amount, struct ch_step *step,
                   int *code)
{
    struct ch_bp bp = next_own_bp(ch);
    if (u256_iszero(amount)) {
        memset(step, 0, sizeof *step);
        return refuse(code, CH_E_INVALID_AMOUNT, ERR_INVAL, "DirectTransfer of amount 0");
    }
    if (u256_add_overflow(&bp.transferred_amount, &bp.transferred_amount, amount)) {
        memset(step, 0, sizeof *step);
        return refuse(code, CH_E_INSUFFICIENT_BALANCE, ERR_RANGE, "DirectTransfer amount overflows");
    }
    struct candidate c = {.side = CH_OURS, .cmd = CH_CMD_DIRECT_TRANSFER, .bp = &bp};
    return validate(ch, &c, step, code);
}

int ch_make_mediated(const struct ch_channel *ch, const struct ch_lock *lock, uint64_t now,
                     struct ch_step *step, int *code)
{
    struct ch_bp bp = next_own_bp(ch);
    if (ch_locks_root_with(&ch->end[CH_OURS].locks, lock, bp.locksroot))
        memset(bp.locksroot, 0, 32);    /* validate names the reason */
    struct candidate c = {.side = CH_OURS, .cmd = CH_CMD_MEDIATED_TRANSFER, .bp = &bp,
                          .lock = lock, .now = now};
    return validate(ch, &c, step, code);
}

int ch_make_unlock(const struct ch_channel *ch, const uint8_t secret[32], struct ch_step *step,
                   int *code)
{
    struct ch_bp bp = next_own_bp(ch);
    uint8_t h[32];
    size_t i;
    if (ch_secret_hash(secret, h) == 0 && ch_end_find(&ch->end[CH_OURS], h, &i) == 0) {
        const struct ch_lock *l = &ch->end[CH_OURS].locks.locks[i];
        u256_add_overflow(&bp.transferred_amount, &bp.transferred_amount, &l->amount);
        ch_locks_root_without(&ch->end[CH_OURS].locks, h, bp.locksroot);
    }
    struct candidate c = {.side = CH_OURS, .cmd = CH_CMD_UNLOCK, .bp = &bp, .secret = secret};
    return validate(ch, &c, step, code);
}

static int make_removal(const struct ch_channel *ch, int cmd, const uint8_t secret_hash[32],
                        uint64_t now, struct ch_step *step, int *code)
{
    struct ch_bp bp = next_own_bp(ch);
    if (ch_locks_root_without(&ch->end[CH_OURS].locks, secret_hash, bp.locksroot))
        memset(bp.locksroot, 0, 32);
    struct candidate c = {.side = CH_OURS, .cmd = cmd, .bp = &bp, .secret_hash = secret_hash,
                          .now = now, .removal_margin = 1};
    return validate(ch, &c, step, code);
}

int ch_make_remove_expired(const struct ch_channel *ch, const uint8_t secret_hash[32],
                           uint64_t now, struct ch_step *step, int *code)
{
    return make_removal(ch, CH_CMD_REMOVE_EXPIRED_LOCK, secret_hash, now, step, code);
}

int ch_make_disposed_response(const struct ch_channel *ch, const uint8_t secret_hash[32],
                              struct ch_step *step, int *code)
{
    return make_removal(ch, CH_CMD_ANNOUNCE_DISPOSED_RESPONSE, secret_hash, 0, step, code);
}

int ch_step_msg_init(const struct ch_step *step, struct ch_msg *m)
{
    if (step->side != CH_OURS || !ch_cmd_is_envelope(step->cmd))
        return err_set(ERR_INVAL, "channel: step is not one of our balance proofs");
    ch_msg_init(m, step->cmd);
    *ch_msg_bp_mut(m) = step->bp;
    switch (step->cmd) {
    case CH_CMD_MEDIATED_TRANSFER:
        m->u.mediated.lock = step->lock;
        break;
    case CH_CMD_UNLOCK:
        memcpy(m->u.unlock.secret, step->secret, 32);
        break;
    case CH_CMD_REMOVE_EXPIRED_LOCK:
    case CH_CMD_ANNOUNCE_DISPOSED_RESPONSE:
        memcpy(m->u.removal.secret_hash, step->lock.secret_hash, 32);
        break;
    default:
        break;
    }
    return 0;
}

static bool bp_eq(const struct ch_bp *a, const struct ch_bp *b)
{
    return a->nonce == b->nonce && a->open_block == b->open_block &&
           memcmp(a->channel_id, b->channel_id, 32) == 0 &&
           u256_eq(&a->transferred_amount, &b->transferred_amount) &&
           memcmp(a->locksroot, b->locksroot, 32) == 0;
}

/* The fields of m that the step fixed must still be the step's. */
static bool msg_matches_step(const struct ch_step *step, const struct ch_msg *m)
{
    if (m->cmd != step->cmd)
        return false;
    const struct ch_bp *bp = ch_msg_bp(m);
    if (!bp || !bp_eq(bp, &step->bp))
        return false;
    switch (step->cmd) {
    case CH_CMD_MEDIATED_TRANSFER:
        return ch_lock_eq(&m->u.mediated.lock, &step->lock);
    case CH_CMD_UNLOCK:
        return memcmp(m->u.unlock.secret, step->secret, 32) == 0;
    case CH_CMD_REMOVE_EXPIRED_LOCK:
    case CH_CMD_ANNOUNCE_DISPOSED_RESPONSE:
        return memcmp(m->u.removal.secret_hash, step->lock.secret_hash, 32) == 0;
    default:
        return true;
    }
}

int ch_step_seal(struct ch_step *step, struct ch_msg *m, const uint8_t sk[32],
                 const u256 *chain_id)
{
    if (step->side != CH_OURS || !msg_matches_step(step, m))
        return err_set(ERR_INVAL, "channel: message does not carry the step's balance proof");
    int rc = ch_msg_sign(m, sk, chain_id);
    if (!rc)
        rc = ch_msg_additional_hash(m, step->additional_hash);
    if (rc)
        return rc;
    memcpy(step->sig, m->sig, CH_SIG_LEN);
    step->has_sig = true;
    return 0;
}

/* ---- the partner's messages ---------------------------------------------- */

static int verify_partner(const struct ch_channel *ch, const struct ch_msg *m,
                          const u256 *chain_id, int *code)
{
    uint8_t signer[20];
    if (ch_msg_verify(m, chain_id, signer))
        return refuse(code, CH_E_INVALID_SIGNATURE, ERR_CRYPTO, "%s: %s", ch_cmd_name(m->cmd),
                      err_msg());
    if (memcmp(signer, ch->end[CH_PARTNER].addr, 20) != 0)
        return refuse(code, CH_E_INVALID_SIGNATURE, ERR_CRYPTO, "%s not signed by the partner",
                      ch_cmd_name(m->cmd));
    return 0;
}

static int recv_common(const struct ch_channel *ch, const struct ch_msg *m, int cmd,
                       struct candidate *c, const u256 *chain_id, struct ch_step *step, int *code)
{
    if (m->cmd != cmd) {
        memset(step, 0, sizeof *step);
        return refuse(code, CH_E_CHANNEL_MISMATCH, ERR_INVAL, "expected %s, got %s",
                      ch_cmd_name(cmd), ch_cmd_name(m->cmd));
    }
    int rc = verify_partner(ch, m, chain_id, code);
    if (rc) {
        memset(step, 0, sizeof *step);
        return rc;
    }
    c->side = CH_PARTNER;
    c->cmd = cmd;
    c->bp = ch_msg_bp(m);
    rc = validate(ch, c, step, code);
    if (rc)
        return rc;
    rc = ch_msg_additional_hash(m, step->additional_hash);
    if (rc)
        return refuse(code, CH_E_INTERNAL, rc, "%s", err_msg());
    memcpy(step->sig, m->sig, CH_SIG_LEN);
    step->has_sig = true;
    return 0;
}

int ch_recv_direct(const struct ch_channel *ch, const struct ch_msg *m, const u256 *chain_id,
                   struct ch_step *step, int *code)
{
    struct candidate c = {0};
    return recv_common(ch, m, CH_CMD_DIRECT_TRANSFER, &c, chain_id, step, code);
}

int ch_recv_mediated(const struct ch_channel *ch, const struct ch_msg *m, uint64_t now,
                     const u256 *chain_id, struct ch_step *step, int *code)
{
    struct candidate c = {.lock = &m->u.mediated.lock, .now = now};
    return recv_common(ch, m, CH_CMD_MEDIATED_TRANSFER, &c, chain_id, step, code);
}

int ch_recv_unlock(const struct ch_channel *ch, const struct ch_msg *m, const u256 *chain_id,
                   struct ch_step *step, int *code)
{
    struct candidate c = {.secret = m->u.unlock.secret};
    return recv_common(ch, m, CH_CMD_UNLOCK, &c, chain_id, step, code);
}

int ch_recv_remove_expired(const struct ch_channel *ch, const struct ch_msg *m, uint64_t now,
                           const u256 *chain_id, struct ch_step *step, int *code)
{
    struct candidate c = {.secret_hash = m->u.removal.secret_hash, .now = now};
    return recv_common(ch, m, CH_CMD_REMOVE_EXPIRED_LOCK, &c, chain_id, step, code);
}

int ch_recv_disposed_response(const struct ch_channel *ch, const struct ch_msg *m,
                              const u256 *chain_id, struct ch_step *step, int *code)
{
    struct candidate c = {.secret_hash = m->u.removal.secret_hash};
    return recv_common(ch, m, CH_CMD_ANNOUNCE_DISPOSED_RESPONSE, &c, chain_id, step, code);
}

int ch_recv_envelope(const struct ch_channel *ch, const struct ch_msg *m, uint64_t now,
                     const u256 *chain_id, struct ch_step *step, int *code)
{
    switch (m->cmd) {
    case CH_CMD_DIRECT_TRANSFER: return ch_recv_direct(ch, m, chain_id, step, code);
    case CH_CMD_MEDIATED_TRANSFER: return ch_recv_mediated(ch, m, now, chain_id, step, code);
    case CH_CMD_UNLOCK: return ch_recv_unlock(ch, m, chain_id, step, code);
    case CH_CMD_REMOVE_EXPIRED_LOCK:
        return ch_recv_remove_expired(ch, m, now, chain_id, step, code);
    case CH_CMD_ANNOUNCE_DISPOSED_RESPONSE:
        return ch_recv_disposed_response(ch, m, chain_id, step, code);
    default:
        memset(step, 0, sizeof *step);
        return refuse(code, CH_E_CHANNEL_MISMATCH, ERR_INVAL, "%s is not a balance proof message",
                      ch_cmd_name(m->cmd));
    }
}

int ch_check_announce_disposed(const struct ch_channel *ch, const struct ch_msg *m,
                               const u256 *chain_id, int *code)
{
    if (code)
        *code = CH_OK;
    if (m->cmd != CH_CMD_ANNOUNCE_DISPOSED)
        return refuse(code, CH_E_CHANNEL_MISMATCH, ERR_INVAL, "expected AnnounceDisposed, got %s",
                      ch_cmd_name(m->cmd));
    int rc = verify_partner(ch, m, chain_id, code);
    if (rc)
        return rc;
    const struct ch_announce_disposed *d = &m->u.disposed;
    if (memcmp(d->channel_id, ch->channel_id, 32) != 0 || d->open_block != ch->open_block)
        return refuse(code, CH_E_CHANNEL_MISMATCH, ERR_INVAL,
                      "AnnounceDisposed for another channel or open block");
    if (!ch_is_open(ch))
        return refuse(code, CH_E_CHANNEL_NOT_OPEN, ERR_BADSTATE, "AnnounceDisposed on a %s channel",
                      ch_state_name(ch->state));
    size_t i;
    const struct ch_end *e = &ch->end[CH_OURS];
    if (ch_end_find(e, d->lock.secret_hash, &i) || !ch_lock_eq(&e->locks.locks[i], &d->lock))
        return refuse(code, CH_E_UNKNOWN_LOCK, ERR_INVAL,
                      "AnnounceDisposed names a lock we do not hold");
    return 0;
}

int ch_apply(struct ch_channel *ch, const struct ch_step *step)
{
    if (step->side != CH_OURS && step->side != CH_PARTNER)
        return err_set(ERR_INVAL, "channel: step of no side");
    struct ch_end *e = &ch->end[step->side];
    if (e->bp.nonce == UINT64_MAX || step->bp.nonce != e->bp.nonce + 1)
        return err_set(ERR_BADSTATE, "channel: stale step (nonce %llu after %llu)",
                       (unsigned long long)step->bp.nonce, (unsigned long long)e->bp.nonce);
    int rc = 0;
    if (step->lock_op == CH_LOCK_ADD) {
        rc = ch_end_add_lock(e, &step->lock, NULL);
    } else if (step->lock_op == CH_LOCK_REMOVE) {
        rc = ch_end_remove_lock(e, step->lock.secret_hash, NULL, NULL);
        if (rc)
            rc = err_set(ERR_BADSTATE, "channel: stale step (lock already gone)");
    }
    if (rc)
        return rc;
    e->bp = step->bp;
    if (step->has_sig) {
        memcpy(e->additional_hash, step->additional_hash, 32);
        memcpy(e->sig, step->sig, CH_SIG_LEN);
    } else {
        memset(e->additional_hash, 0, 32);
        memset(e->sig, 0, CH_SIG_LEN);
    }
    return 0;
}
