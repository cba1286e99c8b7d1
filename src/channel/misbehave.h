/*
 * misbehave.h — test-only misbehaviour of a hub's chain side, so that a
 * regtest functional test can prove the partner's defences end to end
 * (doc/channels.md, "Chain side"; -channeltestmisbehave in config.md, which
 * the node refuses on every network but regtest).
 *
 *   CH_MISBEHAVE_UNLOCK_DISPOSED  the watchdog forgets which partner locks
 *       this hub disposed (AnnounceDisposed): when the channel is closed
 *       with a partner proof that still holds such a lock and its secret is
 *       registered on chain, it unlocks it as if it had never promised not
 *       to. The partner, which holds our DisposedProof, must then punish
 *       (punishObsoleteUnlock) and take our whole deposit.
 *
 * Why a header of its own: nothing but the node's option and the tests may
 * reach this, and hub.h documents only what an honest hub does.
 */
#ifndef SPECTRUM_CHANNEL_MISBEHAVE_H
#define SPECTRUM_CHANNEL_MISBEHAVE_H

struct ch_hub_chain;

enum ch_misbehave {
    CH_MISBEHAVE_NONE = 0,
    CH_MISBEHAVE_UNLOCK_DISPOSED = 1,
};

/* Sets the misbehaviour flags (enum ch_misbehave, or'ed) of the chain side
 * c; they hold from the next decision on. Returns: 0; ERR_BADSTATE (the hub
 * is stopped). Thread: any but the hub's (implemented in hub_chain.c). */
int ch_hub_chain_misbehave(struct ch_hub_chain *c, unsigned flags);

#endif
