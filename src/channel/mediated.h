/*
 * mediated.h — the pure part of mediated (multi-hop) transfers
 * (spec/photon.md §3.7, §6): the route an initiator chooses over its local
 * channel graph, what a mediator forwards (amount, fee, expiration), when a
 * target may ask for the secret, when an initiator may reveal it, when a
 * mediator may unlock its payee, and the record of one transfer in each role
 * (initiator, mediator, target) that the hub keeps and stores.
 *
 * The ROUTE RULE. A hub knows its own channels (partner, capacity) and a
 * table of directed edges (token, from, to, the fee `from` charges to
 * forward over that edge) that partners announced or the operator
 * registered (ch_hub_add_route). For a payment of `amount` to `target`:
 *   1. every open channel of ours for the token whose partner has not
 *      already refused this payment (AnnounceDisposed) is a candidate first
 *      hop; the target itself, when it is a partner, is a one-hop route;
 *   2. from each candidate the shortest path (fewest hops, breadth first
 *      over the edge table in the order edges were added, never through
 *      us) to the target, at most CH_PATH_MAX hops in all;
 *   3. its fee is the sum, over every mediator on the path (all hops but
 *      the target), of that mediator's fee setting of its outgoing edge
 *      applied to `amount` (each mediator computes its fee on the target
 *      amount, §6); the lock is amount + fee, which must fit in the first
 *      channel's distributable, and the fee must not exceed fee_max;
 *   4. among the routes left: fewest hops, then lowest fee, then the
 *      largest first-hop distributable, then the first candidate.
 * Capacities of remote edges are unknown: a mediator that cannot forward
 * disposes the lock and the initiator tries the next route (step 1 without
 * that first hop).
 *
 * A mediator follows the message's path (Photon: next hop = path[my
 * index + 1]); an empty path is forwarded only when the target is a direct
 * partner. Expirations (§3.7.2): the payee lock expires payer_expiration −
 * payer channel's reveal_timeout (our margin to claim the payer's lock once
 * the payee revealed the secret at the last moment), at most now + the
 * payee channel's settle_timeout, and must leave the payee its own
 * reveal_timeout (payee_expiration > now + payee reveal_timeout). Photon
 * lets the payee lock expire with the payer's (photon.md §9); spectrumd
 * keeps a margin at each hop, which Photon nodes accept (the rules only
 * bound an expiration from above).
 *
 * Why it is shaped this way: the hub (hub_mediated.c) owns sockets, turns
 * and the store; every decision that can be stated on numbers lives here as
 * a function without I/O, so each rule has a unit test of its own and the
 * hub's code reads as "check, then act".
 *
 * Threads: pure functions are safe from any thread; a graph is owned by one
 * thread (the hub's).
 */
#ifndef SPECTRUM_CHANNEL_MEDIATED_H
#define SPECTRUM_CHANNEL_MEDIATED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel/fees.h"
#include "channel/locks.h"
#include "channel/msg.h"
#include "primitives/u256.h"

/* Most edges in a hub's route table. */
#define CH_MED_EDGES_MAX 1024
/* Most first hops an initiator tries for one payment. */
#define CH_MED_TRIED_MAX 8

/* Refusal codes carried in AnnounceDisposed (Photon's 3003 "no route";
 * 52xx are spectrumd's own). */
enum ch_med_code {
    CH_MED_E_NO_ROUTE = 3003,
    CH_MED_E_FEE = 5201,            /* remaining fee below the mediator's fee */
    CH_MED_E_EXPIRATION = 5202,     /* too close to expiry to forward */
    CH_MED_E_TOO_MANY_LOCKS = 5203, /* the payer holds > reveal_timeout locks */
    CH_MED_E_CAPACITY = 5204,       /* the payee channel cannot carry the lock */
    CH_MED_E_HASH_IN_USE = 5205,    /* this secret hash is already under way here */
    CH_MED_E_MESH = 1014,           /* mesh mode: no mediated transfers (Photon's) */
};

/* ---- the route table ------------------------------------------------------ */

struct ch_med_edge {
    uint8_t token[20];
    uint8_t from[20];
    uint8_t to[20];
    struct ch_fee_setting fee;      /* what `from` charges to forward to `to` */
};

struct ch_med_graph {
    struct ch_med_edge *e;
    size_t n, cap;
    /* Mesh mode (photon.md §4.2, ch_hub_set_mesh): the hub neither starts
     * nor forwards nor accepts as target a mediated transfer (a received
     * lock is disposed with CH_MED_E_MESH); direct transfers go on. Kept
     * with the route table because it switches routing off; in memory
     * only, as Photon's IsMeshNetwork, off after ch_med_graph_init. */
    bool mesh;
};

/* Makes g empty (allocates nothing). */
void ch_med_graph_init(struct ch_med_graph *g);

/* Frees g's array; g is empty again. */
void ch_med_graph_free(struct ch_med_graph *g);

/* Adds the edge, or replaces the fee of the same (token, from, to).
 * Returns: 0; ERR_INVAL (from == to); ERR_RANGE (CH_MED_EDGES_MAX edges);
 *          ERR_NOMEM. g is unchanged on error. */
int ch_med_graph_add(struct ch_med_graph *g, const struct ch_med_edge *e);

/* A candidate first hop: one of our open channels for the token. */
struct ch_med_first {
    uint8_t partner[20];
    u256 distributable;             /* ours on that channel */
};

/* A chosen route. */
struct ch_med_route {
    size_t first;                   /* index into the candidates */
    size_t n;                       /* hops: path[0] first hop .. path[n-1] target */
    uint8_t path[CH_PATH_MAX][20];
    u256 fee;                       /* total fee of the mediators */
    u256 lock_amount;               /* amount + fee */
};

/* Chooses a route by the rule above.
 * In: g (may be NULL: no edges), token, self (our address), target,
 *     amount (> 0), fee_max, firsts[0..n_firsts), tried[0..n_tried)
 *     (first hops to skip; may be NULL when n_tried is 0).
 * Returns: 0 with *out; ERR_NOTFOUND when no path reaches the target
 *          (code CH_MED_E_NO_ROUTE); ERR_RANGE when paths exist but every
 *          one costs more than fee_max (context "fee ... above fee_max")
 *          or needs more than its first channel's distributable (context
 *          "insufficient balance"); ERR_INVAL for amount 0 or target ==
 *          self. Context names the numbers of the best refused route. */
int ch_med_route_choose(const struct ch_med_graph *g, const uint8_t token[20],
                        const uint8_t self[20], const uint8_t target[20], const u256 *amount,
                        const u256 *fee_max, const struct ch_med_first *firsts, size_t n_firsts,
                        const uint8_t (*tried)[20], size_t n_tried, struct ch_med_route *out);

/* ---- the roles' decisions -------------------------------------------------- */

/* The initiator's lock expiration: now + settle_timeout − reveal_timeout of
 * the first channel, lowered to `cap` when cap is not 0.
 * Returns: 0; ERR_INVAL when the result is not above now + reveal_timeout
 *          (the payee would have no time to ask for the secret) or above
 *          CH_BLOCK_MAX. */
int ch_med_initiator_expiration(uint64_t now, uint64_t settle_timeout, uint64_t reveal_timeout,
                                uint64_t cap, uint64_t *expiration);

/* Where a mediator sends a MediatedTransfer next: the hop after `self` in
 * its path, or the target when the path is empty and the target is a
 * partner (is_partner(ctx, target) says so; may be NULL: never).
 * Returns: 0 with next and *next_is_target; ERR_NOTFOUND when self is not
 *          in the path, is its last hop, or the path is empty and the
 *          target is no partner (code CH_MED_E_NO_ROUTE). */
int ch_med_next_hop(const struct ch_mediated_transfer *mt, const uint8_t self[20],
                    bool (*is_partner)(void *ctx, const uint8_t addr[20]), void *ctx,
                    uint8_t next[20], bool *next_is_target);

/* What a mediator knows when it decides to forward. */
struct ch_med_forward_in {
    struct ch_lock payer_lock;      /* the lock it received */
    u256 payer_fee;                 /* the received message's fee */
    uint64_t now;
    uint64_t payer_reveal_timeout;
    size_t payer_locks;             /* locks the payer holds on that channel, this one included */
    uint64_t payee_settle_timeout;
    uint64_t payee_reveal_timeout;
    struct ch_fee_setting fee;      /* our setting for the payee channel */
    bool next_is_target;
};

/* The lock and fee a mediator forwards (§3.7.2, §6).
 * Returns: 0 with *payee_lock (same secret hash), *payee_fee and *kept (the
 *          fee this hop earns: payer amount − payee amount; may be NULL);
 *          else a refusal with *code (may be NULL): ERR_RANGE
 *          CH_MED_E_TOO_MANY_LOCKS (payer_locks > payer_reveal_timeout),
 *          ERR_RANGE CH_MED_E_EXPIRATION (the payee lock would not outlive
 *          now + payee reveal_timeout), ERR_RANGE / ERR_INVAL CH_MED_E_FEE
 *          (ch_fee_mediate's refusals). */
int ch_med_forward(const struct ch_med_forward_in *in, struct ch_lock *payee_lock,
                   u256 *payee_fee, u256 *kept, int *code);

/* True when a target that received a lock expiring at `expiration` may ask
 * for its secret: now + reveal_timeout < expiration (§3.7.3). */
bool ch_med_target_may_request(uint64_t expiration, uint64_t reveal_timeout, uint64_t now);

/* An initiator's check of a SecretRequest (§3.7.4): signer is the target,
 * amount is the target amount, now < the first lock's expiration.
 * Returns: 0; ERR_CRYPTO (signer is not the target: ignore the request);
 *          ERR_INVAL (wrong amount) or ERR_BADSTATE (lock expired): the
 *          request is the target's but invalid, and blocks the reveal for
 *          good. */
int ch_med_check_secret_request(const uint8_t target[20], const u256 *target_amount,
                                uint64_t expiration, const uint8_t signer[20],
                                const u256 *amount, uint64_t now);

/* True when a mediator that learned the secret from its payee may send the
 * payee its Unlock (§3.7.5): the payee lock has not expired (now <
 * payee expiration) and the payer lock is not within the payer channel's
 * reveal_timeout of its expiry (now + payer_reveal_timeout < payer
 * expiration); otherwise the secret must go on chain first. */
bool ch_med_may_unlock_payee(uint64_t now, uint64_t payee_expiration, uint64_t payer_expiration,
                             uint64_t payer_reveal_timeout);

/* ---- the record of one transfer ------------------------------------------- */

enum ch_med_role { CH_MED_INITIATOR = 1, CH_MED_MEDIATOR = 2, CH_MED_TARGET = 3 };

enum ch_med_stage {
    CH_MED_LOCKED = 1,          /* initiator / mediator: the payee lock is out;
                                   target: the lock arrived */
    CH_MED_REVEALED = 2,        /* initiator: RevealSecret sent to the target */
    CH_MED_SECRET_KNOWN = 3,    /* mediator / target: the secret is stored and
                                   revealed to the payer */
    CH_MED_DISPOSED = 4,        /* mediator: we announced the payer's lock disposed */
};
#define CH_MED_STAGE_MAX CH_MED_DISPOSED

enum ch_med_flag {
    CH_MED_F_REQUESTED = 1u << 0,       /* target: SecretRequest sent */
    CH_MED_F_BLOCKED = 1u << 1,         /* initiator: an invalid SecretRequest: never reveal */
    CH_MED_F_PAYEE_UNLOCKED = 1u << 2,  /* our Unlock to the payee is out */
    CH_MED_F_PAYEE_GONE = 1u << 3,      /* the payee lock was removed (expired, disposed) */
    CH_MED_F_PAYER_DONE = 1u << 4,      /* the payer lock was unlocked or removed */
    CH_MED_F_HELD = 1u << 5,            /* initiator: the caller's secret, revealed only
                                           after ch_hub_allow_reveal */
    CH_MED_F_CANCELED = 1u << 6,        /* initiator: cancelled by the user: never revealed,
                                           the lock expires back to us (status CANCELED) */
};
#define CH_MED_FLAGS_ALL 0x7fu

/* One side of a transfer at this hub: the channel and the lock on it. */
struct ch_med_hop {
    bool set;
    uint8_t partner[20];
    uint8_t channel_id[32];
    uint64_t open_block;
    struct ch_lock lock;
    u256 fee;                       /* the `fee` field of the MediatedTransfer */
};

/* A transfer under way, by lock secret hash. The secret itself is not part
 * of the record (it lives in the store's secret record, stored before it is
 * ever revealed); has_secret / secret are the in-memory copy. */
struct ch_med_transfer {
    uint8_t secret_hash[32];
    int role;                       /* enum ch_med_role */
    int stage;                      /* enum ch_med_stage */
    uint32_t flags;                 /* enum ch_med_flag */
    uint8_t token[20];
    uint8_t initiator[20];
    uint8_t target[20];
    u256 amount;                    /* what the target receives */
    u256 fee_max;                   /* initiator: the fee budget */
    uint64_t block;                 /* when it started here */
    uint64_t expiration_cap;        /* initiator: the caller's expiration, 0 none */
    struct ch_med_hop payer;        /* not set for the initiator */
    struct ch_med_hop payee;        /* not set for the target */
    size_t n_tried;                 /* initiator: first hops that disposed */
    uint8_t tried[CH_MED_TRIED_MAX][20];
    bool has_secret;                /* memory only */
    uint8_t secret[32];
};

/* Static names ("initiator", "locked", "no route"); "unknown" otherwise. */
const char *ch_med_role_name(int role);
const char *ch_med_stage_name(int stage);
const char *ch_med_code_name(int code);

#endif
