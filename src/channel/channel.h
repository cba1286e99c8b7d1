/*
 * channel.h — the state machine of one channel between us and a partner for
 * one token (spec/photon.md §3.5–§3.9; Photon's channel.Channel).
 *
 * Every balance-proof change is two calls:
 *
 *   1. a CHECK, which reads the channel and a message (received) or a
 *      request (ours to create), enforces every rule of §3.5 and fills a
 *      struct ch_step describing the next state of one end; it never
 *      changes the channel, so a refused message leaves no trace;
 *   2. ch_apply(ch, &step), which moves the channel to that state and
 *      cannot fail once its one allocation succeeded (and then changes
 *      nothing).
 *
 * For our own messages the hub puts the step into a packet between the two
 * (ch_step_msg_init, fill the command's own fields, ch_step_seal signs it
 * and records the signature in the step), stores step and packet in the
 * turn's batch, and applies. For received ones, the check verifies the
 * signature (it must be the partner's) and the step keeps the partner's
 * additional_hash and signature: the closing evidence of §3.9.
 *
 * Rules (received from the partner, and the same for ours):
 *   - the balance proof names this channel life: channel_id and open_block
 *     equal the channel's (CH_E_CHANNEL_MISMATCH);
 *   - nonce = previous + 1 exactly (CH_E_INVALID_NONCE, 1011);
 *   - no balance-proof change once closed or settled (CH_E_CHANNEL_CLOSED);
 *     direct and mediated transfers need an open channel with no withdraw
 *     or cooperative settle under way (CH_E_CHANNEL_NOT_OPEN);
 *   - DirectTransfer: ta grows (CH_E_INVALID_TA), by at most the sender's
 *     distributable (CH_E_INSUFFICIENT_BALANCE, 1002), locksroot unchanged
 *     (CH_E_INVALID_LOCKSROOT);
 *   - MediatedTransfer: ta unchanged, 0 < amount <= distributable, lock new
 *     (CH_E_DUPLICATE_LOCK), expiration <= (closed block or now) +
 *     settle_timeout (CH_E_EXPIRATION_TOO_LARGE, 5019) and, for our own
 *     locks only, now < expiration (CH_E_LOCK_EXPIRED: a partner's lock may
 *     have expired while we were offline, and its removal comes next),
 *     locksroot = root(tree + lock), tree not full (CH_E_TOO_MANY_LOCKS);
 *   - Unlock: lock known (CH_E_UNKNOWN_LOCK), ta = old + amount, locksroot
 *     = root(tree − lock);
 *   - RemoveExpiredHashlock: ta unchanged, lock known, its secret not
 *     registered on chain in time (CH_E_LOCK_REGISTERED), expiration + 17 <=
 *     now (CH_E_LOCK_NOT_EXPIRED), root without the lock;
 *   - AnnounceDisposedResponse: as RemoveExpiredHashlock without the expiry
 *     rule, and the receiver must have announced the lock disposed
 *     (CH_E_LOCK_NOT_DISPOSED).
 * We create a removal only once expiration + 17 < now (§3.7: one block of
 * margin for a partner whose head is behind ours).
 *
 * Errors: a refusal returns ERR_BADSTATE (wrong channel state), ERR_INVAL
 * (a rule is broken), ERR_RANGE (over the distributable amount, expiration
 * too large, too many locks) or ERR_CRYPTO (not the partner's signature),
 * sets *code (when not NULL) to the CH_E_* code and the err context to a
 * reason naming the numbers. 0 leaves *code = CH_OK.
 *
 * No I/O, no clock: `now` is the caller's current block number. Threads: a
 * channel is owned by one thread (the hub's); the functions on distinct
 * channels are independent.
 */
#ifndef SPECTRUM_CHANNEL_CHANNEL_H
#define SPECTRUM_CHANNEL_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel/endstate.h"
#include "channel/locks.h"
#include "channel/msg.h"
#include "channel/sig.h"
#include "primitives/u256.h"

/* Blocks a lock must be expired before its removal (Photon's
 * ForkConfirmNumber). */
#define CH_FORK_CONFIRM 17
/* Contract bounds of settle_timeout, and the reveal_timeout floor. */
#define CH_SETTLE_TIMEOUT_MIN 6
#define CH_SETTLE_TIMEOUT_MAX 2700000
#define CH_REVEAL_TIMEOUT_MIN 3

/* Channel states, numbered as Photon's channeltype (photon.md §5). */
enum ch_state {
    CH_STATE_INVALID = 0,
    CH_STATE_OPENED = 1,
    CH_STATE_CLOSED = 2,
    CH_STATE_SETTLED = 3,
    CH_STATE_CLOSING = 4,                   /* our close tx is on its way */
    CH_STATE_SETTLING = 5,                  /* our settle tx is on its way */
    CH_STATE_WITHDRAWING = 6,               /* we requested a withdraw */
    CH_STATE_COOP_SETTLING = 7,             /* we requested a cooperative settle */
    CH_STATE_PREPARE_COOP_SETTLE = 8,       /* we stopped new transfers for it */
    CH_STATE_PREPARE_WITHDRAW = 9,
    CH_STATE_ERROR = 10,
    CH_STATE_PARTNER_COOP_SETTLING = 11,    /* we answered the partner's request */
    CH_STATE_PARTNER_WITHDRAWING = 12,
};

/* Which end: ours or the partner's (index into ch_channel.end). */
enum ch_side { CH_OURS = 0, CH_PARTNER = 1 };

/* Refusal codes. The first group are Photon's (rerr, photon.md §5); the
 * 51xx group are spectrumd's own for rules Photon reports with codes the
 * spec does not list. */
enum ch_code {
    CH_OK = 0,
    CH_E_INSUFFICIENT_BALANCE = 1002,
    CH_E_INVALID_NONCE = 1011,
    CH_E_MEDIATED_ON_MESH = 1014,
    CH_E_EXPIRATION_TOO_LARGE = 5019,
    CH_E_WITHDRAW_WITH_LOCKS = 5024,
    CH_E_COOP_SETTLE_WITH_LOCKS = 5025,
    CH_E_INVALID_SETTLE_TIMEOUT = 5026,
    CH_E_CHANNEL_MISMATCH = 5101,   /* other channel id / open block / participant */
    CH_E_CHANNEL_CLOSED = 5102,     /* balance proof update after close */
    CH_E_CHANNEL_NOT_OPEN = 5103,   /* state forbids this (withdrawing, settling...) */
    CH_E_INVALID_TA = 5104,         /* transferred amount wrong (decreased, not +amount) */
    CH_E_INVALID_LOCKSROOT = 5105,
    CH_E_INVALID_AMOUNT = 5106,     /* zero amount */
    CH_E_UNKNOWN_LOCK = 5107,
    CH_E_DUPLICATE_LOCK = 5108,
    CH_E_LOCK_EXPIRED = 5109,       /* a new lock of ours that has already expired */
    CH_E_LOCK_NOT_EXPIRED = 5110,   /* removal before expiration + 17 */
    CH_E_LOCK_REGISTERED = 5111,    /* removal of a lock whose secret is on chain */
    CH_E_LOCK_NOT_DISPOSED = 5112,
    CH_E_TOO_MANY_LOCKS = 5113,
    CH_E_INVALID_SIGNATURE = 5114,
    CH_E_INVALID_BALANCE = 5115,    /* withdraw / settle balances differ from ours */
    CH_E_INTERNAL = 5199,           /* out of memory, inconsistent numbers */
};

/* One channel. Read the fields freely; change them only through the
 * functions below (or when loading from the store). */
struct ch_channel {
    uint8_t channel_id[32];
    uint8_t token[20];
    uint64_t open_block;            /* this life's; ChannelWithdraw moves it */
    uint64_t settle_timeout;
    uint64_t reveal_timeout;
    int state;                      /* enum ch_state */
    uint64_t closed_block;          /* 0 until ChannelClosed */
    uint64_t settled_block;         /* 0 until settled */
    bool closed_by_us;
    struct ch_end end[2];           /* [CH_OURS], [CH_PARTNER] */
};

/* What a check produces: the next state of one end. */
enum ch_lock_op { CH_LOCK_NONE = 0, CH_LOCK_ADD = 1, CH_LOCK_REMOVE = 2 };
struct ch_step {
    int side;                       /* enum ch_side: whose proof changes */
    int cmd;                        /* enum ch_cmd, an envelope command */
    struct ch_bp bp;                /* the new balance proof */
    bool has_sig;                   /* additional_hash and sig are set */
    uint8_t additional_hash[32];
    uint8_t sig[CH_SIG_LEN];
    int lock_op;                    /* enum ch_lock_op */
    struct ch_lock lock;            /* the lock added or removed */
    bool has_secret;
    uint8_t secret[32];             /* Unlock: the secret */
    u256 amount;                    /* value moved to the partner: Δta of a
                                       DirectTransfer or Unlock, the lock
                                       amount of a MediatedTransfer, 0 for
                                       removals */
};

/* Static names ("opened", "invalid nonce"). Unknown values: "unknown". */
const char *ch_state_name(int state);
const char *ch_code_name(int code);

/* Makes ch a new open channel (both ends empty, deposits 0).
 * Returns: 0; ERR_RANGE when settle_timeout is outside [6, 2,700,000] or
 *          reveal_timeout outside [3, settle_timeout), or open_block is 0 or
 *          above CH_BLOCK_MAX; ERR_INVAL when the participants are equal.
 *          ch is then an empty INVALID channel (safe to free).
 * In: channel_id, token, ours (our address), partner. */
int ch_channel_init(struct ch_channel *ch, const uint8_t channel_id[32], const uint8_t token[20],
                    const uint8_t ours[20], const uint8_t partner[20], uint64_t open_block,
                    uint64_t settle_timeout, uint64_t reveal_timeout);

/* Frees both ends' arrays (ch stays readable, with no locks). */
void ch_channel_free(struct ch_channel *ch);

/* Copies src into dst (initialised or zeroed with ch_channel_free-able
 * contents). Returns: 0 or ERR_NOMEM (dst then has no locks). */
int ch_channel_copy(struct ch_channel *dst, const struct ch_channel *src);

/* CH_OURS or CH_PARTNER for a participant address, or -1. */
int ch_side_of(const struct ch_channel *ch, const uint8_t addr[20]);

/* True when the contract still has the channel open and no close or
 * settle of ours is under way (state OPENED or a withdraw / cooperative
 * settle flow state): balance proofs may still change. */
bool ch_is_open(const struct ch_channel *ch);

/* True when new transfers and locks may be made or accepted: state OPENED
 * only (a withdraw or cooperative settle needs the lock trees empty and the
 * balances fixed, so its prepare and flow states stop new value both ways;
 * Unlock and lock removals still pass while ch_is_open). */
bool ch_can_transfer(const struct ch_channel *ch);

/* ---- views (§3.5) ------------------------------------------------------ */

/* balance = deposit − ta + partner's ta of `side`.
 * Returns: 0, or ERR_RANGE for inconsistent numbers (balance.h). */
int ch_balance_of(const struct ch_channel *ch, int side, u256 *out);

/* Sum of side's locks (pending + unclaimed). Returns: 0 or ERR_RANGE. */
int ch_locked_of(const struct ch_channel *ch, int side, u256 *out);

/* distributable = balance − locked of `side`: the most it may send now.
 * Returns: 0, or ERR_RANGE for inconsistent numbers. */
int ch_distributable_of(const struct ch_channel *ch, int side, u256 *out);

/* ---- our messages -------------------------------------------------------
 * Each fills *step (side CH_OURS, nonce = ours + 1) or refuses as above. */

/* DirectTransfer of `amount` (> 0, <= our distributable). */
int ch_make_direct(const struct ch_channel *ch, const u256 *amount, struct ch_step *step,
                   int *code);

/* MediatedTransfer adding `lock` to our tree (expiration in
 * (now, now + settle_timeout], amount in (0, distributable]). */
int ch_make_mediated(const struct ch_channel *ch, const struct ch_lock *lock, uint64_t now,
                     struct ch_step *step, int *code);

/* Unlock of our lock whose secret_hash is sha256(secret): moves its amount
 * into our ta and drops it from the tree. Needs an open channel. */
int ch_make_unlock(const struct ch_channel *ch, const uint8_t secret[32], struct ch_step *step,
                   int *code);

/* RemoveExpiredHashlock of our lock: expiration + 17 < now and its secret
 * not registered on chain by its expiration. */
int ch_make_remove_expired(const struct ch_channel *ch, const uint8_t secret_hash[32],
                           uint64_t now, struct ch_step *step, int *code);

/* AnnounceDisposedResponse for our lock that the partner announced
 * disposed (ch_mark_disposed(ch, CH_OURS, ...) first). */
int ch_make_disposed_response(const struct ch_channel *ch, const uint8_t secret_hash[32],
                              struct ch_step *step, int *code);

/* Zeroes *m as a message of step->cmd and fills what the step knows: the
 * balance proof, the MediatedTransfer lock, the Unlock secret, the removal
 * secret_hash. The caller fills the rest (data, target, initiator, fee,
 * path). Returns: 0, or ERR_INVAL for a step of another side or command. */
int ch_step_msg_init(const struct ch_step *step, struct ch_msg *m);

/* Signs m (whose balance proof must equal step->bp) with sk and records
 * the additional_hash and signature in the step.
 * Returns: 0; ERR_INVAL when m's command or balance proof is not the
 *          step's; the errors of ch_msg_sign.
 * In: sk (32 bytes, our key), chain_id. */
int ch_step_seal(struct ch_step *step, struct ch_msg *m, const uint8_t sk[32],
                 const u256 *chain_id);

/* ---- the partner's messages ---------------------------------------------
 * Each verifies that m is signed by the partner (chain_id as in ch_msg_sign)
 * and fills *step (side CH_PARTNER, with additional_hash and signature).
 * ERR_INVAL / CH_E_CHANNEL_MISMATCH when m's command is not the function's. */
int ch_recv_direct(const struct ch_channel *ch, const struct ch_msg *m, const u256 *chain_id,
                   struct ch_step *step, int *code);
int ch_recv_mediated(const struct ch_channel *ch, const struct ch_msg *m, uint64_t now,
                     const u256 *chain_id, struct ch_step *step, int *code);
int ch_recv_unlock(const struct ch_channel *ch, const struct ch_msg *m, const u256 *chain_id,
                   struct ch_step *step, int *code);
int ch_recv_remove_expired(const struct ch_channel *ch, const struct ch_msg *m, uint64_t now,
                           const u256 *chain_id, struct ch_step *step, int *code);
int ch_recv_disposed_response(const struct ch_channel *ch, const struct ch_msg *m,
                              const u256 *chain_id, struct ch_step *step, int *code);

/* Dispatches one of the five envelope commands to the function above.
 * Returns: as they do; ERR_INVAL for another command. */
int ch_recv_envelope(const struct ch_channel *ch, const struct ch_msg *m, uint64_t now,
                     const u256 *chain_id, struct ch_step *step, int *code);

/* The partner's AnnounceDisposed about one of OUR locks: signed by the
 * partner, this channel life, the lock exactly as in our tree. On success
 * the caller marks it (ch_mark_disposed(ch, CH_OURS, ...)), stores the
 * message as punish evidence and answers with ch_make_disposed_response. */
int ch_check_announce_disposed(const struct ch_channel *ch, const struct ch_msg *m,
                               const u256 *chain_id, int *code);

/* Moves ch to the state described by step.
 * Returns: 0; ERR_BADSTATE when the step does not follow the current state
 *          (its nonce is not the end's + 1: a stale step); ERR_NOMEM. On
 *          error ch is unchanged. */
int ch_apply(struct ch_channel *ch, const struct ch_step *step);

/* ---- locks and secrets --------------------------------------------------- */

/* Records the secret of side's lock sha256(secret): the lock becomes
 * unclaimed. Returns: 0, ERR_NOTFOUND (no such lock on that side), or
 * ERR_CRYPTO when hashing fails. */
int ch_register_secret(struct ch_channel *ch, int side, const uint8_t secret[32]);

/* A SecretRevealed event: records the reveal block on both ends' locks of
 * this secret_hash (a lock counts as registered only when the block is <=
 * its expiration). Returns the number of locks updated (0 or more). */
int ch_secret_on_chain(struct ch_channel *ch, const uint8_t secret_hash[32], uint64_t block);

/* Marks side's lock disposed: CH_PARTNER when we announce a partner's lock
 * disposed (we will never claim it), CH_OURS when the partner did so for
 * ours (ch_check_announce_disposed first).
 * Returns: 0 or ERR_NOTFOUND. */
int ch_mark_disposed(struct ch_channel *ch, int side, const uint8_t secret_hash[32]);

/* ---- withdraw and cooperative settle (§3.8) ----------------------------- */

/* Preconditions of side withdrawing `amount`: an open channel, no locks on
 * either end (CH_E_WITHDRAW_WITH_LOCKS), 0 < amount <= side's balance
 * (CH_E_INVALID_AMOUNT / CH_E_INSUFFICIENT_BALANCE). Out: balance (side's
 * balance, for the Withdraw message; may be NULL). */
int ch_can_withdraw(const struct ch_channel *ch, int side, const u256 *amount, u256 *balance,
                      int *code);

/* Preconditions of a cooperative settle: an open channel, no locks
 * (CH_E_COOP_SETTLE_WITH_LOCKS). Out: both balances (may be NULL). */
int ch_can_coop_settle(const struct ch_channel *ch, u256 *ours, u256 *partner, int *code);

/* A partner's WithdrawRequest / SettleRequest, or its Response to ours:
 * verifies the signatures (ch_msg_verify: the partner signed), this channel
 * life, the participants, the balances equal our view (CH_E_INVALID_BALANCE)
 * and the preconditions above. A Response with error_code != 0 is refused
 * with CH_E_CHANNEL_NOT_OPEN and the partner's message in the context. */
int ch_check_withdraw_msg(const struct ch_channel *ch, const struct ch_msg *m,
                          const u256 *chain_id, int *code);
int ch_check_settle_msg(const struct ch_channel *ch, const struct ch_msg *m, const u256 *chain_id,
                        int *code);

/* Moves between OPENED and the flow states (PREPARE_*, WITHDRAWING,
 * COOP_SETTLING, PARTNER_*), and to CLOSING / SETTLING when we send the
 * transaction. Returns: 0, or ERR_BADSTATE for any other transition
 * (closed and settled channels change state only through chain events). */
int ch_set_state(struct ch_channel *ch, int state);

/* ---- chain events -------------------------------------------------------- */

/* ChannelNewDeposit: side's total deposit is now `total` (never less).
 * Returns: 0, ERR_INVAL (decrease) or ERR_BADSTATE (channel not open). */
int ch_on_deposit(struct ch_channel *ch, int side, const u256 *total);

/* ChannelWithdraw: a new life starting at new_open_block with the given
 * deposits; both ends forget their proofs and locks; state OPENED.
 * Returns: 0, ERR_INVAL when new_open_block is not above the old one. */
int ch_on_withdraw(struct ch_channel *ch, uint64_t new_open_block, const u256 *our_deposit,
                   const u256 *partner_deposit);

/* ChannelClosed by closer_side at block. Returns 0 or ERR_BADSTATE (already
 * closed or settled). */
int ch_on_closed(struct ch_channel *ch, int closer_side, uint64_t block);

/* The contract now holds side's proof (ChannelClosed's or
 * BalanceProofUpdated's ta and locksroot; nonce when known, else 0). */
void ch_on_bp_updated(struct ch_channel *ch, int side, const u256 *ta,
                      const uint8_t locksroot[32], uint64_t nonce);

/* ChannelUnlocked: payer_side's on-chain ta is now new_ta and its lock of
 * this lockhash is claimed. Returns 0 (lock marked) or ERR_NOTFOUND (no
 * such lock known; the ta is recorded anyway). */
int ch_on_unlocked(struct ch_channel *ch, int payer_side, const uint8_t lockhash[32],
                   const u256 *new_ta);

/* ChannelPunished: beneficiary takes the cheater's deposit; its on-chain
 * proof becomes empty. */
void ch_on_punished(struct ch_channel *ch, int beneficiary_side);

/* ChannelSettled / ChannelCooperativeSettled at block: state SETTLED. */
void ch_on_settled(struct ch_channel *ch, uint64_t block);

/* What settle() would pay each side now, from the deposits and the
 * on-chain transferred amounts (balance.h ch_settle_amounts).
 * Returns: 0 or ERR_RANGE. */
int ch_settle_preview(const struct ch_channel *ch, u256 *ours, u256 *partner);

#endif
