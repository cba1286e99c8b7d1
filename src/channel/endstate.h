/*
 * endstate.h — one end of a channel: what one participant has deposited,
 * the latest balance proof it signed, and the locks that proof commits to
 * (spec/photon.md §3.5, §3.6; Photon's EndState).
 *
 * An end's lock tree holds every lock of its latest balance proof: both the
 * pending ones (secret unknown) and the unclaimed ones (secret known, not yet
 * unlocked by an Unlock message). Next to each lock, in the same order, a
 * struct ch_lock_info says what we know about it: the secret, the block the
 * secret was registered on chain, whether the payee announced it disposed,
 * whether it was unlocked on chain. Keeping the two arrays parallel (rather
 * than a second map) means one index names a lock everywhere, the tree's
 * insertion order is the only order, and a lock and its facts leave
 * together.
 *
 * The on-chain view (chain_*) is what the contract holds for this end after
 * a close or an update: the watchdog and the settlement preview read it.
 *
 * Why it is shaped this way: channel.c checks messages against two of these
 * and applies the result; keeping the per-end bookkeeping (parallel arrays,
 * sums, reset on withdraw) here leaves channel.c with the rules only.
 *
 * Ownership: an end owns its arrays (ch_end_free). Not thread-safe: one
 * owner at a time.
 */
#ifndef SPECTRUM_CHANNEL_ENDSTATE_H
#define SPECTRUM_CHANNEL_ENDSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel/locks.h"
#include "channel/sig.h"
#include "primitives/u256.h"

/* What is known about one lock besides its three fields. */
struct ch_lock_info {
    bool secret_known;          /* unclaimed: the secret is known */
    uint8_t secret[32];         /* valid when secret_known */
    uint64_t registered_block;  /* SecretRegistry reveal block; 0 = not registered */
    bool disposed;              /* the payee announced it disposed (never unlocked) */
    bool unlocked_onchain;      /* a ChannelUnlocked event claimed it */
};

/* One participant's side of a channel. Read the fields freely; change the
 * lock arrays only through the functions below. */
struct ch_end {
    uint8_t addr[20];
    u256 deposit;
    /* Latest balance proof this participant signed (nonce 0: none yet in
     * this channel life). bp.channel_id / open_block are the channel's. */
    struct ch_bp bp;
    uint8_t additional_hash[32];    /* of the message that carried bp */
    uint8_t sig[CH_SIG_LEN];        /* bp's signature (zero when nonce 0) */
    struct ch_locks locks;          /* pending + unclaimed locks of bp */
    struct ch_lock_info *info;      /* info[i] describes locks.locks[i] */
    size_t info_cap;
    /* What the contract holds for this end (close / update / unlock). */
    bool chain_bp;                  /* a proof was posted for this end */
    uint64_t chain_nonce;
    u256 chain_ta;
    uint8_t chain_locksroot[32];
};

/* Makes e an empty end of participant addr (deposit 0, no proof, no locks).
 * Allocates nothing. */
void ch_end_init(struct ch_end *e, const uint8_t addr[20]);

/* Frees e's arrays; e is then an empty end of the same address. */
void ch_end_free(struct ch_end *e);

/* Copies src into dst (initialised; its old contents are freed).
 * Returns: 0 or ERR_NOMEM (dst is then empty). */
int ch_end_copy(struct ch_end *dst, const struct ch_end *src);

/* Forgets the balance proof, the locks and the on-chain view, keeping the
 * address and the deposit (what a ChannelWithdraw does to both ends). */
void ch_end_reset(struct ch_end *e);

/* Index of the lock with this secret_hash.
 * Returns: 0 with *index set (index may be NULL), or ERR_NOTFOUND (no
 *          context set: a miss is an ordinary answer). */
int ch_end_find(const struct ch_end *e, const uint8_t secret_hash[32], size_t *index);

/* Appends a lock (info all false/zero, or a copy of *info when not NULL).
 * Returns: 0; the errors of ch_locks_add (ERR_INVAL duplicate or expiration
 *          above CH_BLOCK_MAX, ERR_RANGE full); ERR_NOMEM. On error e is
 *          unchanged. */
int ch_end_add_lock(struct ch_end *e, const struct ch_lock *l, const struct ch_lock_info *info);

/* Removes the lock with this secret_hash and its info, keeping the order of
 * the others. removed / removed_info may be NULL.
 * Returns: 0 or ERR_NOTFOUND (e unchanged). */
int ch_end_remove_lock(struct ch_end *e, const uint8_t secret_hash[32], struct ch_lock *removed,
                       struct ch_lock_info *removed_info);

/* Sums of this end's lock amounts: all locks, the pending ones (secret
 * unknown) and the unclaimed ones (secret known). Any out may be NULL.
 * Returns: 0, or ERR_RANGE when a sum exceeds 2^256 - 1. */
int ch_end_locked(const struct ch_end *e, u256 *total, u256 *pending, u256 *unclaimed);

#endif
