/*
 * watchdog.h — what the hub must do on chain for one channel, decided from
 * the contract's events and the block height (spec/photon.md §2.5, §2.8,
 * §3.7 step 6, §3.9; doc/channels.md "Chain side").
 *
 * The watchdog is a state machine without I/O. Its state (struct
 * ch_wd_channel) is our view of one channel: the partner's newest balance
 * proof we hold with the locks in it, what we know of those locks (secret,
 * disposed by us, registered on chain, unlocked on chain), the
 * DisposedProofs the partner signed for our locks, and what the events have
 * shown of the channel on chain (state, settle block, each side's recorded
 * transferred amount and locksroot). Two inputs drive it: a decoded event
 * of the channel (events.h) with the block it is in, and a new head. After
 * each it returns the actions to take now:
 *
 *   UPDATE_BP       the channel is closed, the partner's proof on chain is
 *                   not our newest one (the partner closed, so none of its
 *                   proofs is there, or a delegate recorded an older one):
 *                   updateBalanceProof with our newest.
 *   UNLOCK          the partner's proof on chain is ours, and the secret of
 *                   one of its locks was registered on chain no later than
 *                   the lock's expiration: unlock it with its merkle proof.
 *                   Several unlocks chain their transferred amounts (each
 *                   passes the amount the previous ones leave on chain).
 *                   Locks we disposed are never unlocked.
 *   PUNISH          the partner unlocked on chain a lock of ours that it
 *                   disposed (we hold its DisposedProof): punishObsoleteUnlock.
 *   SETTLE          the settle and punish windows are over: settle with the
 *                   on-chain (ta, locksroot) of both sides. Held back while
 *                   a punish is still to be confirmed.
 *   REGISTER_SECRET we know the secret of a partner lock that is still
 *                   pending, it is not registered, and the lock expires
 *                   within reveal_timeout blocks or the channel is closed:
 *                   registerSecret while it still counts (before expiry).
 *
 * Timing. `head` is the highest block the watchdog has seen; a transaction
 * sent now is included at head + 1 at the earliest, so an action is issued
 * only if it is valid in block head + 1: update and unlock while
 * head + 1 <= settle_block, settle once head + 1 > settle_block + 257
 * (i.e. head >= settle_block + 257), register while head + 1 <= expiration.
 *
 * Idempotency and bounds. Every action issued is remembered with the head it
 * was issued at; the same input again, or any input before its effect is
 * seen, gives no second copy. If the effect (the event) has not been seen
 * CH_WD_RETRY_BLOCKS blocks later, the action is issued again, at most
 * CH_WD_MAX_TRIES times in all (a transaction may be lost or revert). One
 * step issues at most cap actions; duties that did not fit come with the
 * next input. Events of other channels are ignored. Replaying the events
 * of blocks already processed changes nothing (each event sets what it
 * shows; a second ChannelClosed is ignored).
 *
 * Restart: the bookkeeping of issued actions lives in memory only. After a
 * restart the hub rebuilds the view (ch_wd_init, ch_wd_set_partner_proof,
 * ch_wd_learn_secret, ch_wd_set_disposed, ch_wd_add_evidence), calls
 * ch_wd_on_block with the current head, then replays the events from the
 * last processed block; the actions that are still due are issued again.
 *
 * Why it is shaped this way: every on-chain duty of the hub depends only on
 * this view and the height, so keeping the decisions pure lets the unit
 * test script whole close / update / unlock / punish / settle sequences,
 * and the hub service only turns actions into transactions
 * (ch_wd_action_calldata) and feeds events back.
 *
 * Ownership: a struct ch_wd_channel owns its arrays (ch_wd_free). Not
 * thread-safe: one owner (the hub's chain-event thread).
 */
#ifndef SPECTRUM_CHANNEL_WATCHDOG_H
#define SPECTRUM_CHANNEL_WATCHDOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel/contract.h"
#include "channel/events.h"
#include "channel/locks.h"
#include "channel/sig.h"
#include "primitives/u256.h"
#include "util/bytes.h"

/* Blocks after which an action whose event has not been seen is reissued. */
#define CH_WD_RETRY_BLOCKS 20
/* Most times one action is issued. */
#define CH_WD_MAX_TRIES 3
/* Blocks after the settle block in which settle is refused (the contract's
 * punish_block_number). */
#define CH_WD_PUNISH_BLOCKS 257
/* Most DisposedProofs kept per channel. */
#define CH_WD_EVIDENCE_MAX CH_LOCKS_MAX

enum ch_wd_state {
    CH_WD_OPEN,
    CH_WD_CLOSED,
    CH_WD_SETTLED,      /* settled or cooperatively settled: nothing left to do */
};

/* What we know of one lock of the partner's newest proof (we are its payee). */
struct ch_wd_lock {
    bool secret_known;
    uint8_t secret[32];
    bool disposed;              /* we sent AnnounceDisposed for it: never unlock */
    uint64_t reveal_block;      /* block it was registered in; 0 = not seen */
    bool unlocked;              /* ChannelUnlocked for it seen */
    uint64_t unlock_sent;       /* head when last issued; 0 = not in flight */
    unsigned unlock_tries;
    uint64_t register_sent;
    unsigned register_tries;
};

/* The partner's DisposedProof for one of our locks (AnnounceDisposed). */
struct ch_wd_evidence {
    uint8_t lockhash[32];
    uint8_t additional_hash[32];
    uint8_t signature[CH_SIG_LEN];
};

/* A participant's balance proof as recorded on chain (zero when none). */
struct ch_wd_onchain {
    u256 ta;
    uint8_t locksroot[32];
};

struct ch_wd_channel {
    /* Identity (ch_wd_init). */
    uint8_t token[20];
    uint8_t self[20];
    uint8_t partner[20];
    uint8_t channel_id[32];
    uint64_t settle_timeout;
    uint64_t reveal_timeout;
    uint64_t open_block;

    /* The chain as the events show it. */
    enum ch_wd_state state;
    uint64_t settle_block;              /* close block + settle_timeout, once closed */
    uint64_t head;                      /* highest block seen */
    struct ch_wd_onchain onchain_self;  /* our proof, as recorded */
    struct ch_wd_onchain onchain_partner;
    bool punished;                      /* ChannelPunished seen */

    /* Our off-chain view. */
    bool have_partner_bp;
    struct ch_signed_bp partner_bp;     /* partner's newest, signed by the partner */
    struct ch_locks tree;               /* its locks; tree.root == partner_bp.bp.locksroot */
    struct ch_wd_lock *info;            /* info[i] describes tree.locks[i] */
    struct ch_wd_evidence *evidence;
    size_t n_evidence;

    /* Bookkeeping of issued actions. */
    uint64_t update_sent;
    unsigned update_tries;
    bool punish_due;                    /* the partner unlocked a lock it disposed */
    size_t punish_evidence;             /* index into evidence */
    uint64_t punish_sent;
    unsigned punish_tries;
    uint64_t settle_sent;
    unsigned settle_tries;
};

enum ch_wd_action_kind {
    CH_WD_UPDATE_BP,
    CH_WD_UNLOCK,
    CH_WD_PUNISH,
    CH_WD_SETTLE,
    CH_WD_REGISTER_SECRET,
};

struct ch_wd_action {
    enum ch_wd_action_kind kind;
    union {
        struct ch_signed_bp update;                 /* the partner's newest proof */
        struct {
            struct ch_lock lock;
            uint8_t lockhash[32];
            u256 ta;                                /* partner's on-chain ta to pass */
            uint8_t proof[CH_PROOF_MAX];
            size_t proof_len;
        } unlock;
        struct ch_wd_evidence punish;               /* beneficiary self, cheater partner */
        struct {
            struct ch_wd_onchain self;              /* p1 = self */
            struct ch_wd_onchain partner;           /* p2 = partner */
        } settle;
        struct {
            uint8_t secret[32];
        } register_secret;
    } u;
};

/* Most actions one step can produce (an update, an unlock and a register
 * per lock, a punish, a settle). */
#define CH_WD_ACTIONS_MAX (2 * CH_LOCKS_MAX + 3)

/* Makes ch the view of an open channel with no proof held; computes the
 * channel id from (self, partner, token, tokens_network). Allocates nothing.
 * Args: settle_timeout, reveal_timeout in blocks; open_block the channel's
 * current open_block_number. */
void ch_wd_init(struct ch_wd_channel *ch, const uint8_t tokens_network[20],
                const uint8_t token[20], const uint8_t self[20], const uint8_t partner[20],
                uint64_t settle_timeout, uint64_t reveal_timeout, uint64_t open_block);

/* Frees ch's arrays; ch must be initialised again before reuse. */
void ch_wd_free(struct ch_wd_channel *ch);

/* Sets the partner's newest balance proof and the locks it commits to (in
 * tree order). What is known of a lock that was in the previous proof
 * (secret, disposed, reveal block) is kept; unlock bookkeeping restarts.
 * Returns: 0; ERR_INVAL when the locks do not hash to bp's locksroot, or
 *          bp's nonce is below the one held; ERR_RANGE for more than
 *          CH_LOCKS_MAX locks; ERR_NOMEM. On error ch is unchanged.
 * In: bp (copied), locks[0..n) (copied; may be NULL when n is 0). */
int ch_wd_set_partner_proof(struct ch_wd_channel *ch, const struct ch_signed_bp *bp,
                            const struct ch_lock *locks, size_t n);

/* We learned the secret of a partner lock off chain (RevealSecret).
 * Returns: 0, ERR_NOTFOUND when no lock of the partner's proof has its
 *          hash (no context: an ordinary answer), ERR_CRYPTO from sha256. */
int ch_wd_learn_secret(struct ch_wd_channel *ch, const uint8_t secret[32]);

/* We disposed the partner lock with this secret_hash (sent AnnounceDisposed
 * for it): it will never be unlocked or registered by us.
 * Returns: 0 or ERR_NOTFOUND. */
int ch_wd_set_disposed(struct ch_wd_channel *ch, const uint8_t secret_hash[32]);

/* The secret of secret_hash was registered on chain in `block` (e.g. read
 * with getSecretRevealBlockHeight after a restart). Keeps the earliest.
 * Returns: 0 or ERR_NOTFOUND. */
int ch_wd_set_reveal_block(struct ch_wd_channel *ch, const uint8_t secret_hash[32],
                           uint64_t block);

/* Keeps the partner's DisposedProof for one of our locks (a second one for
 * the same lockhash is ignored).
 * Returns: 0, ERR_RANGE when CH_WD_EVIDENCE_MAX are held, ERR_NOMEM. */
int ch_wd_add_evidence(struct ch_wd_channel *ch, const struct ch_wd_evidence *ev);

/* Applies an event found in `block`, then decides (as ch_wd_on_block at
 * max(head, block)). Events of another channel (and foreign / unknown ones)
 * change nothing; SecretRevealed concerns every channel holding a lock of
 * that secret's hash.
 * Returns: 0; ERR_INVAL when a channel event of ours names neither
 *          participant (nothing is applied); ERR_NOMEM / ERR_CRYPTO while
 *          deciding. Whatever the result, out[0..*n) are actions decided
 *          and recorded as issued: the caller must carry them out.
 * Out: out[0..*n), at most cap. */
int ch_wd_on_event(struct ch_wd_channel *ch, const struct ch_event *ev, uint64_t block,
                   struct ch_wd_action *out, size_t cap, size_t *n);

/* A new head: decides at max(head, block). Returns and Out as ch_wd_on_event. */
int ch_wd_on_block(struct ch_wd_channel *ch, uint64_t block, struct ch_wd_action *out,
                   size_t cap, size_t *n);

/* The call data of an action (contract.h), appended to out. REGISTER_SECRET
 * goes to the SecretRegistry, every other kind to TokensNetwork.
 * Returns: 0, ERR_INVAL for an unknown kind, ERR_NOMEM. */
int ch_wd_action_calldata(const struct ch_wd_channel *ch, const struct ch_wd_action *a,
                          struct bytes *out);

#endif
